-- Music on Hold categories (Asterisk classes) and their files.
-- name_lower makes names unique ignoring case, as Asterisk compares them.

CREATE TABLE moh_categories (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    name                 TEXT    NOT NULL UNIQUE,
    name_lower           TEXT    NOT NULL UNIQUE,
    label                TEXT    NOT NULL DEFAULT '',
    description          TEXT    NOT NULL DEFAULT '',
    mode                 TEXT    NOT NULL CHECK (mode IN ('files', 'playlist')),
    sort                 TEXT    NOT NULL CHECK (sort IN ('alpha', 'random', 'randstart')),
    announcement_file_id INTEGER,
    digit                TEXT,
    loop_last            INTEGER NOT NULL,
    answeredonly         INTEGER NOT NULL,
    version              INTEGER NOT NULL,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);

CREATE TABLE moh_files (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    category_id     INTEGER NOT NULL REFERENCES moh_categories(id) ON DELETE CASCADE,
    display_name    TEXT NOT NULL,
    slug            TEXT NOT NULL,
    stored_name     TEXT NOT NULL,
    position        INTEGER NOT NULL,
    duration_ms     INTEGER NOT NULL,
    source_format   TEXT NOT NULL,
    loudness_before REAL,
    loudness_after  REAL,
    warnings        TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    uploaded_at     INTEGER NOT NULL,
    uploaded_by     TEXT NOT NULL,
    UNIQUE (category_id, sha256)
);
CREATE INDEX moh_files_category ON moh_files(category_id, position);
