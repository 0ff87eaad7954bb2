-- 0001: the webhook inbox and what parsing turns it into.
-- Times are integers: *_ms are milliseconds since the epoch, `timestamp` is Meta's seconds.
-- Every domain row carries business_number (metadata.phone_number_id) so that several offices
-- later are configuration, not a migration.

-- Raw notifications exactly as received, committed before Meta gets its 200.
CREATE TABLE inbox (
  id             INTEGER PRIMARY KEY,
  received_at_ms INTEGER NOT NULL,
  body           BLOB    NOT NULL,
  parsed         INTEGER NOT NULL DEFAULT 0 CHECK (parsed IN (0, 1)),
  parse_error    TEXT,                       -- set when the body was not a notification we understand
  unknown_items  INTEGER NOT NULL DEFAULT 0  -- entries/changes we do not handle, counted
);
-- The parser's work list stays small however large the inbox grows.
CREATE INDEX inbox_unparsed ON inbox(id) WHERE parsed = 0;
CREATE INDEX inbox_parse_failed ON inbox(id) WHERE parse_error IS NOT NULL;

-- Inbound messages, once per wamid however often Meta delivers them.
-- (`user_id`, not `user`: USER is reserved in PostgreSQL.)
CREATE TABLE inbound_messages (
  wamid           TEXT    PRIMARY KEY,
  business_number TEXT    NOT NULL,
  user_id         TEXT    NOT NULL,
  timestamp       INTEGER NOT NULL,
  type            TEXT    NOT NULL,
  payload_json    TEXT    NOT NULL,
  inbox_id        INTEGER NOT NULL,          -- not a foreign key: raw bodies may be pruned first
  handled         INTEGER NOT NULL DEFAULT 0 CHECK (handled IN (0, 1)),
  created_at_ms   INTEGER NOT NULL
);
-- The engine's "next unhandled messages per user".
CREATE INDEX inbound_messages_pending ON inbound_messages(handled, user_id);
CREATE INDEX inbound_messages_user ON inbound_messages(user_id, timestamp);

-- Latest status of each outbound message; moves forward only (rank), failed (rank 5) is final.
-- rank: 0 unknown status string, 1 sent, 2 delivered, 3 read, 4 played, 5 failed.
CREATE TABLE message_status (
  wamid                    TEXT    PRIMARY KEY,
  business_number          TEXT    NOT NULL,
  recipient                TEXT    NOT NULL,
  status                   TEXT    NOT NULL,
  rank                     INTEGER NOT NULL,
  timestamp                INTEGER NOT NULL,
  biz_opaque_callback_data TEXT    NOT NULL DEFAULT '',
  error_code               INTEGER NOT NULL DEFAULT 0,
  error_title              TEXT    NOT NULL DEFAULT '',
  error_details            TEXT    NOT NULL DEFAULT '',
  inbox_id                 INTEGER NOT NULL,  -- the notification that last changed the row
  updated_at_ms            INTEGER NOT NULL
);
CREATE INDEX message_status_by_status ON message_status(business_number, status);

-- value.errors[]: problems not tied to one message.
CREATE TABLE notification_errors (
  id              INTEGER PRIMARY KEY,
  inbox_id        INTEGER NOT NULL,
  business_number TEXT    NOT NULL,
  code            INTEGER NOT NULL,
  title           TEXT    NOT NULL,
  details         TEXT    NOT NULL,
  created_at_ms   INTEGER NOT NULL
);

-- One row, rewritten by the /healthz write probe.
CREATE TABLE health (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  at_ms INTEGER NOT NULL
);
