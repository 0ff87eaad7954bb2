-- 0006: the help-desk console: officers' accounts and sessions, login throttling, the audit log,
-- canned responses, opaque conversation references and resolutions.

-- Console accounts (`tilangbot agent add USER --role ...`).
CREATE TABLE agents (
  username        TEXT    PRIMARY KEY,
  role            TEXT    NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
  password_hash   TEXT    NOT NULL,                -- pbkdf2-sha256$iterations$salt$hash (bot/auth.hpp)
  disabled        INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at_ms   INTEGER NOT NULL,
  updated_at_ms   INTEGER NOT NULL
);

-- Signed-in sessions, stored under the SHA-256 of their token (a copy of the file grants nothing).
CREATE TABLE agent_sessions (
  token_hash      TEXT    PRIMARY KEY,
  username        TEXT    NOT NULL REFERENCES agents(username) ON DELETE CASCADE,
  csrf_token      TEXT    NOT NULL,                -- required as X-CSRF-Token with the cookie
  created_at_ms   INTEGER NOT NULL,
  expires_at_ms   INTEGER NOT NULL
);
CREATE INDEX agent_sessions_expiry ON agent_sessions(expires_at_ms);

-- Failed logins by key ('user:<name>' or 'ip:<address>') for throttling.
CREATE TABLE login_failures (
  id              INTEGER PRIMARY KEY,
  key             TEXT    NOT NULL,
  at_ms           INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at_ms);

-- Every officer action and every view of personal data (UU 27/2022 PDP). Append only.
CREATE TABLE audit_log (
  id              INTEGER PRIMARY KEY,
  at_ms           INTEGER NOT NULL,
  actor           TEXT    NOT NULL,                -- username, or 'api' for TILANGBOT_API_TOKEN
  role            TEXT    NOT NULL,
  action          TEXT    NOT NULL,                -- e.g. login, view_transcript, takeover, reply
  target          TEXT    NOT NULL DEFAULT '',     -- wa_id, payment id, report number...
  detail          TEXT    NOT NULL DEFAULT '',
  remote          TEXT    NOT NULL DEFAULT ''      -- client address
);
CREATE INDEX audit_log_at ON audit_log(at_ms);

-- Ready-made replies offered in the console's reply box.
CREATE TABLE canned_responses (
  id              INTEGER PRIMARY KEY,
  business_number TEXT    NOT NULL DEFAULT '',     -- '' = every office
  title           TEXT    NOT NULL,
  body            TEXT    NOT NULL,
  sort_order      INTEGER NOT NULL DEFAULT 0
);
INSERT INTO canned_responses(title, body, sort_order) VALUES
  ('Salam', 'Selamat datang di layanan petugas. Saya akan membantu Anda. Mohon tunggu sebentar.', 1),
  ('Minta nomor register', 'Mohon kirimkan nomor register tilang yang tertera pada surat tilang (contoh: E1234567).', 2),
  ('Bukti bayar diterima', 'Terima kasih, bukti pembayaran Anda sudah kami terima dan sedang kami periksa.', 3),
  ('Bukti kurang jelas', 'Mohon maaf, foto bukti pembayaran kurang jelas. Silakan kirim ulang foto yang lebih terang dan tidak terpotong.', 4),
  ('Jam layanan', 'Layanan petugas tersedia Senin-Jumat pukul 08.00-16.00 WIB.', 5),
  ('Penutup', 'Terima kasih telah menghubungi kami. Semoga membantu.', 6);

-- Opaque handles for conversations, so the console can address one without exposing its number
-- to roles that may not see it.
CREATE TABLE conversation_refs (
  ref             TEXT    PRIMARY KEY,
  business_number TEXT    NOT NULL,
  user_id         TEXT    NOT NULL,
  UNIQUE (business_number, user_id)
);

-- Handoffs an officer closed as resolved.
CREATE TABLE conversation_resolutions (
  id              INTEGER PRIMARY KEY,
  business_number TEXT    NOT NULL,
  user_id         TEXT    NOT NULL,
  resolved_by     TEXT    NOT NULL,
  note            TEXT    NOT NULL DEFAULT '',
  resolved_at_ms  INTEGER NOT NULL
);
CREATE INDEX conversation_resolutions_user ON conversation_resolutions(user_id, resolved_at_ms);

-- Retention purges look rows up by age.
CREATE INDEX IF NOT EXISTS inbound_messages_created ON inbound_messages(created_at_ms);
CREATE INDEX IF NOT EXISTS outbox_created ON outbox(created_at_ms);
CREATE INDEX IF NOT EXISTS media_files_created ON media_files(created_at_ms);
CREATE INDEX IF NOT EXISTS inbox_received ON inbox(received_at_ms);
