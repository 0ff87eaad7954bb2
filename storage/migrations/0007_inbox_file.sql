-- 0007: the raw webhook inbox moves into a SQLite file of its own (storage/inbox_log.hpp), so a
-- webhook's 200 never waits for this database's write lock. This database keeps what parsing
-- recorded: how far it has parsed (atomically with the rows parsing wrote) and the failures.

-- "Every inbox row with id <= parsed_through has been parsed", written in the parser's transaction.
CREATE TABLE inbox_progress (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  parsed_through INTEGER NOT NULL
);
INSERT INTO inbox_progress(id, parsed_through)
VALUES (1, coalesce((SELECT min(id) - 1 FROM inbox WHERE parsed = 0), (SELECT max(id) FROM inbox), 0));

-- Inbox rows that were not (wholly) understood: not a notification (parse_error), or with entries
-- or changes of fields we do not handle (unknown_items). The raw body stays in the inbox file.
CREATE TABLE inbox_parse_failures (
  inbox_id      INTEGER PRIMARY KEY,
  parse_error   TEXT,
  unknown_items INTEGER NOT NULL DEFAULT 0,
  created_at_ms INTEGER NOT NULL
);
INSERT INTO inbox_parse_failures(inbox_id, parse_error, unknown_items, created_at_ms)
SELECT id, parse_error, unknown_items, received_at_ms FROM inbox
WHERE parse_error IS NOT NULL OR unknown_items > 0;

-- The old rows are moved into the inbox file by the first program that opens the store
-- (SqliteStore, which then drops this table); ids are kept, so the watermark above stays true.
DROP INDEX inbox_unparsed;
DROP INDEX inbox_parse_failed;
ALTER TABLE inbox RENAME TO legacy_inbox;
