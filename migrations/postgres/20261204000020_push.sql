-- Push to Asterisk: the last deploy per server and the sync state of every class on every server.
CREATE TABLE push_deploys (
    server  TEXT PRIMARY KEY,
    at      BIGINT NOT NULL,
    result  TEXT NOT NULL CHECK (result IN ('in_sync', 'pending', 'failed')),
    message TEXT NOT NULL,
    output  TEXT NOT NULL
);

CREATE TABLE push_classes (
    server     TEXT NOT NULL,
    class      TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('in_sync', 'pending', 'failed')),
    detail     TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (server, class)
);
