-- Call detail records, their rejects and the Master.csv follower/import positions.
-- Times are Unix milliseconds (UTC). Text columns hold CdrText's escaped form (lossless).
-- dedupe_key is the hex SHA-256 of cdr::dedupe_key: inserts use ON CONFLICT DO NOTHING.

CREATE TABLE cdr (
    id           BIGSERIAL PRIMARY KEY,
    dedupe_key   TEXT    NOT NULL UNIQUE,
    server       TEXT    NOT NULL,
    start_time   BIGINT  NOT NULL,
    answer_time  BIGINT,
    end_time     BIGINT,
    duration     BIGINT  NOT NULL,
    billsec      BIGINT  NOT NULL,
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
    sequence     BIGINT,
    extras       TEXT    NOT NULL DEFAULT '',
    origin       TEXT    NOT NULL,
    received_at  BIGINT  NOT NULL
);
-- Default listing (newest first) and every time-bounded search; id is the rowid, so keyset
-- (start_time, id) pagination walks this index.
CREATE INDEX cdr_start ON cdr(start_time);
-- Exact and prefix (LIKE 'p%', hence text_pattern_ops) searches on numbers, then time order.
CREATE INDEX cdr_src ON cdr(src text_pattern_ops, start_time);
CREATE INDEX cdr_dst ON cdr(dst text_pattern_ops, start_time);
CREATE INDEX cdr_disposition ON cdr(disposition, start_time);
CREATE INDEX cdr_duration ON cdr(duration);
CREATE INDEX cdr_accountcode ON cdr(accountcode, start_time);
CREATE INDEX cdr_linkedid ON cdr(linkedid);
CREATE INDEX cdr_server ON cdr(server, start_time);

CREATE TABLE cdr_rejects (
    id           BIGSERIAL PRIMARY KEY,
    server       TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    raw          TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    file_offset  BIGINT,
    at           BIGINT  NOT NULL
);
CREATE INDEX cdr_rejects_at ON cdr_rejects(at);

-- Where the follower (or an import) of one file stands; committed with the rows it produced.
CREATE TABLE cdr_positions (
    server       TEXT    NOT NULL,
    path         TEXT    NOT NULL,
    dev          BIGINT  NOT NULL,
    inode        BIGINT  NOT NULL,
    file_offset  BIGINT  NOT NULL,
    fp_len       BIGINT  NOT NULL,
    fp_sha256    TEXT    NOT NULL,
    updated_at   BIGINT  NOT NULL,
    PRIMARY KEY (server, path)
);
