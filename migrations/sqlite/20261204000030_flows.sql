-- Call routing (FastAGI hold-music rules): the rule book and the decision log.
-- The rule book is saved as a whole (one transaction, optimistic version check) so the in-memory
-- copy the AGI server decides from is always a consistent snapshot. Times are Unix milliseconds.

CREATE TABLE flow_settings (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    timezone    TEXT    NOT NULL,
    fallback    TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    updated_by  TEXT    NOT NULL
);

-- Weekly hours and holiday calendars as JSON (flows::WeeklyHours / Vec<flows::Holiday>).
CREATE TABLE flow_schedules (
    name        TEXT    PRIMARY KEY,
    timezone    TEXT    NOT NULL,
    weekly      TEXT    NOT NULL,
    holidays    TEXT    NOT NULL
);

-- Rules in evaluation order; conditions as JSON (flows::Conditions).
CREATE TABLE flow_rules (
    position    INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    conditions  TEXT    NOT NULL,
    class       TEXT    NOT NULL
);

CREATE TABLE agi_decisions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    uniqueid    TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    caller      TEXT    NOT NULL,
    dialled     TEXT    NOT NULL,
    queue       TEXT,
    context     TEXT    NOT NULL,
    rule        TEXT,
    class       TEXT    NOT NULL,
    inputs      TEXT    NOT NULL
);
CREATE INDEX agi_decisions_uniqueid ON agi_decisions(uniqueid);
CREATE INDEX agi_decisions_at ON agi_decisions(at);
CREATE INDEX agi_decisions_caller ON agi_decisions(caller);
