-- The `cdr` index set is exactly what the searches need. A server filter is rarely selective (a few
-- PBXes), so it runs on cdr_start like every time-ordered listing; the extra index only slowed
-- every insert.
DROP INDEX cdr_server;
