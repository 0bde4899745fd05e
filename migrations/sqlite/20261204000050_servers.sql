-- Asterisk servers added in the console (those from [[asterisk]] in the config file are not stored).
-- Secrets are kept here because Ringside must log in with them; the console never shows them back.
CREATE TABLE asterisk_servers (
    name          TEXT PRIMARY KEY,
    enabled       INTEGER NOT NULL,
    ari_url       TEXT,
    ari_user      TEXT,
    ari_password  TEXT,
    ami_host      TEXT,
    ami_port      BIGINT NOT NULL,
    ami_user      TEXT,
    ami_secret    TEXT,
    moh_root      TEXT,
    conf_path     TEXT,
    cdr_csv_path  TEXT,
    cdr_timezone  TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
