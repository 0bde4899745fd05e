-- Call detail records, their rejects and the Master.csv follower/import positions.
-- Times are Unix milliseconds (UTC). Text columns hold CdrText's escaped form (lossless).
-- dedupe_key is the hex SHA-256 of cdr::dedupe_key: inserts use ON CONFLICT DO NOTHING.

CREATE TABLE cdr (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key   TEXT    NOT NULL UNIQUE,
    server       TEXT    NOT NULL,
    start_time   INTEGER NOT NULL,
    answer_time  INTEGER,
    end_time     INTEGER,
    duration     INTEGER NOT NULL,
    billsec      INTEGER NOT NULL,
    disposition  TEXT    NOT NULL,
    accountcode  TEXT    NOT NULL,
    src          TEXT    NOT NULL,
    dst          TEXT    NOT NULL,
    dcontext     TEXT    NOT NULL,
    clid         TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    dstchannel   TEXT    NOT NULL,
    lastapp      TEXT    NOT NULL,
    lastdata     TEXT    NOT NULL,
    amaflags     TEXT    NOT NULL,
    uniqueid     TEXT,
    userfield    TEXT,
    peeraccount  TEXT,
    linkedid     TEXT,
    sequence     INTEGER,
    extras       TEXT    NOT NULL DEFAULT '',
    origin       TEXT    NOT NULL,
    received_at  INTEGER NOT NULL
);
-- Default listing (newest first) and every time-bounded search; id is the rowid, so keyset
-- (start_time, id) pagination walks this index.
CREATE INDEX cdr_start ON cdr(start_time);
-- Exact and prefix (range) searches on numbers, then time order.
CREATE INDEX cdr_src ON cdr(src, start_time);
CREATE INDEX cdr_dst ON cdr(dst, start_time);
CREATE INDEX cdr_disposition ON cdr(disposition, start_time);
CREATE INDEX cdr_duration ON cdr(duration);
CREATE INDEX cdr_accountcode ON cdr(accountcode, start_time);
CREATE INDEX cdr_linkedid ON cdr(linkedid);
CREATE INDEX cdr_server ON cdr(server, start_time);

CREATE TABLE cdr_rejects (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    server       TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    raw          TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    file_offset  INTEGER,
    at           INTEGER NOT NULL
);
CREATE INDEX cdr_rejects_at ON cdr_rejects(at);

-- Where the follower (or an import) of one file stands; committed with the rows it produced.
CREATE TABLE cdr_positions (
    server       TEXT    NOT NULL,
    path         TEXT    NOT NULL,
    dev          INTEGER NOT NULL,
    inode        INTEGER NOT NULL,
    file_offset  INTEGER NOT NULL,
    fp_len       INTEGER NOT NULL,
    fp_sha256    TEXT    NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (server, path)
);
