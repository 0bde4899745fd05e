-- Music on Hold categories (Asterisk classes) and their files.
-- name_lower makes names unique ignoring case, as Asterisk compares them.

CREATE TABLE moh_categories (
    id                   BIGSERIAL PRIMARY KEY,
    name                 TEXT    NOT NULL UNIQUE,
    name_lower           TEXT    NOT NULL UNIQUE,
    label                TEXT    NOT NULL DEFAULT '',
    description          TEXT    NOT NULL DEFAULT '',
    mode                 TEXT    NOT NULL CHECK (mode IN ('files', 'playlist')),
    sort                 TEXT    NOT NULL CHECK (sort IN ('alpha', 'random', 'randstart')),
    announcement_file_id BIGINT,
    digit                TEXT,
    loop_last            BOOLEAN NOT NULL,
    answeredonly         BOOLEAN NOT NULL,
    version              BIGINT NOT NULL,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);

CREATE TABLE moh_files (
    id              BIGSERIAL PRIMARY KEY,
    category_id     BIGINT NOT NULL REFERENCES moh_categories(id) ON DELETE CASCADE,
    display_name    TEXT NOT NULL,
    slug            TEXT NOT NULL,
    stored_name     TEXT NOT NULL,
    position        BIGINT NOT NULL,
    duration_ms     BIGINT NOT NULL,
    source_format   TEXT NOT NULL,
    loudness_before DOUBLE PRECISION,
    loudness_after  DOUBLE PRECISION,
    warnings        TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    uploaded_at     BIGINT NOT NULL,
    uploaded_by     TEXT NOT NULL,
    UNIQUE (category_id, sha256)
);
CREATE INDEX moh_files_category ON moh_files(category_id, position);
