-- 0004: what the sender needs beyond the outbox of 0002.

-- Attempts whose outcome is unknown (the request was written, no answer came, or the process
-- died mid-send). An in-doubt row is re-sent at most once, and only after looking for a status
-- webhook carrying its biz_opaque_callback_data (which would prove Meta accepted it).
ALTER TABLE outbox ADD COLUMN in_doubt INTEGER NOT NULL DEFAULT 0;
-- When Meta accepted the row (the bookkeeping updated_at_ms moves on with status changes).
ALTER TABLE outbox ADD COLUMN accepted_at_ms INTEGER;

-- Per-recipient order: the head-of-line check looks only at unfinished rows, however much
-- history a recipient has.
CREATE INDEX outbox_unfinished_recipient ON outbox(recipient, id) WHERE state IN ('queued', 'sending');

-- Correlating an in-doubt send with its status webhook.
CREATE INDEX message_status_opaque ON message_status(biz_opaque_callback_data)
  WHERE biz_opaque_callback_data <> '';

-- Failed status webhooks waiting to be applied to their outbox rows. Filled by the triggers below
-- inside the parser's own transaction, drained by the sender, so the sender's work is proportional
-- to new failures rather than to every failure ever recorded.
CREATE TABLE outbox_status_failures (
  wamid TEXT PRIMARY KEY
);
CREATE TRIGGER message_status_failed_insert AFTER INSERT ON message_status
  WHEN NEW.rank = 5
BEGIN
  INSERT OR IGNORE INTO outbox_status_failures(wamid) VALUES (NEW.wamid);
END;
CREATE TRIGGER message_status_failed_update AFTER UPDATE OF rank ON message_status
  WHEN NEW.rank = 5 AND OLD.rank <> 5
BEGIN
  INSERT OR IGNORE INTO outbox_status_failures(wamid) VALUES (NEW.wamid);
END;
