-- 0005: the e-TLE confirmation push: batches, the template row behind each notice, deadlines as
-- instants, and reminder bookkeeping.
--
-- etle_notices.state as stored: 'queued' (open: waiting for the owner's answer), 'expired' (no answer
-- by confirm_by), or the answer's outcome (confirmed | transferred | disputed | paid). Delivery
-- (sent, delivered, read, failed) is not copied here: it is read from the template's outbox row and
-- its message_status, which the sender and the status webhooks already keep.

ALTER TABLE etle_notices ADD COLUMN batch TEXT NOT NULL DEFAULT '';
ALTER TABLE etle_notices ADD COLUMN template_outbox_id INTEGER;        -- the first template sent
ALTER TABLE etle_notices ADD COLUMN confirm_by_start_ms INTEGER NOT NULL DEFAULT 0;  -- 00:00 local of confirm_by
ALTER TABLE etle_notices ADD COLUMN expires_at_ms INTEGER NOT NULL DEFAULT 0;        -- 00:00 local the day after
ALTER TABLE etle_notices ADD COLUMN expired_at_ms INTEGER;

CREATE INDEX etle_notices_batch ON etle_notices(batch);
-- The scheduler's work list: open notices only, however many were answered or expired.
CREATE INDEX etle_notices_open ON etle_notices(expires_at_ms) WHERE state = 'queued' AND response = '';

-- One row per import (CSV file or API call).
CREATE TABLE etle_batches (
  batch           TEXT    PRIMARY KEY,
  business_number TEXT    NOT NULL,
  source          TEXT    NOT NULL,                  -- 'csv' | 'api' | 'bench'
  label           TEXT    NOT NULL DEFAULT '',       -- file name for CSV imports
  accepted        INTEGER NOT NULL DEFAULT 0,
  duplicates      INTEGER NOT NULL DEFAULT 0,
  rejected        INTEGER NOT NULL DEFAULT 0,
  created_at_ms   INTEGER NOT NULL
) WITHOUT ROWID;

-- Reminders, at most one per (notice, offset) ever: the row is written in the transaction that
-- enqueues the reminder, so a restart never sends one twice. A reminder overtaken by a later one
-- (the service was down) is recorded as skipped (outbox_id NULL) and never sent.
CREATE TABLE etle_reminders (
  notice_id    TEXT    NOT NULL,
  offset_days  INTEGER NOT NULL,
  outbox_id    INTEGER,
  created_at_ms INTEGER NOT NULL,
  PRIMARY KEY (notice_id, offset_days)
) WITHOUT ROWID;
