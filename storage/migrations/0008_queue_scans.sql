-- 0008: indexes for two scans that grew with the number of queued messages (measured with
-- 1,000,000 queued e-TLE notices: 1.3-1.5 s and 0.5-0.7 s per run without them).

-- The sender's start-up recovery ("rows left in 'sending' by a crash") reads only those rows.
CREATE INDEX outbox_sending ON outbox(id) WHERE state = 'sending';

-- The e-TLE reminder scan (every minute, per reminder offset) walks only notices whose reminder
-- time has come, in confirm-by order, instead of every open notice.
CREATE INDEX etle_notices_open_by_confirm ON etle_notices(confirm_by_start_ms) WHERE state = 'queued' AND response = '';
