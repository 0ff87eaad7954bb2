-- 0002: the outbox. Every message the service sends is a row here first, written in the same
-- transaction as the state change that caused it; the sender then delivers rows to the Graph API.

CREATE TABLE outbox (
  id                       INTEGER PRIMARY KEY,
  business_number          TEXT    NOT NULL,           -- phone_number_id that sends it
  recipient                TEXT    NOT NULL,           -- wa_id (or BSUID) of the user
  kind                     TEXT    NOT NULL,           -- 'message' | 'read' (mark-as-read) | 'template'
  body_json                TEXT    NOT NULL,           -- the complete Graph API request body
  fallback_json            TEXT,                       -- template body to send instead on 131047, if any
  state                    TEXT    NOT NULL DEFAULT 'queued'
                           CHECK (state IN ('queued', 'sending', 'accepted', 'failed')),
  attempts                 INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms          INTEGER NOT NULL DEFAULT 0, -- not before this time (backoff)
  wamid                    TEXT,                       -- Meta's id once accepted
  biz_opaque_callback_data TEXT    NOT NULL,           -- our correlation id, echoed in status webhooks
  error_code               INTEGER NOT NULL DEFAULT 0,
  error_details            TEXT    NOT NULL DEFAULT '',
  source                   TEXT    NOT NULL DEFAULT 'bot',  -- 'bot' | 'agent' | 'etle' | 'system'
  source_ref               TEXT    NOT NULL DEFAULT '',     -- e.g. the inbound wamid or notice_id behind it
  created_at_ms            INTEGER NOT NULL,
  updated_at_ms            INTEGER NOT NULL
);
-- The sender's work list: unfinished rows by due time.
CREATE INDEX outbox_due ON outbox(next_attempt_ms, id) WHERE state IN ('queued', 'sending');
-- Per-recipient order: a recipient's next row waits for the previous one.
CREATE INDEX outbox_recipient ON outbox(recipient, id);
CREATE UNIQUE INDEX outbox_wamid ON outbox(wamid) WHERE wamid IS NOT NULL;
CREATE UNIQUE INDEX outbox_opaque ON outbox(biz_opaque_callback_data);
