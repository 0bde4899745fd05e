-- The `cdr` index set is exactly what the searches need. A server filter is rarely selective (a few
-- PBXes), so it runs on cdr_start like every time-ordered listing; the extra index only slowed
-- every insert.
DROP INDEX cdr_server;
-- Imports insert hundreds of thousands of rows per transaction: let each session take ids in
-- blocks (ids stay unique and increasing per session; gaps are harmless, pages key on start_time, id).
ALTER SEQUENCE cdr_id_seq CACHE 1000;
