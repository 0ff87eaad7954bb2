-- 0003: the conversation engine's state and the domain rows behind the flows.
-- Times: *_ms are milliseconds since the epoch. Every row carries business_number (the office).

-- A message whose processing failed is still marked handled (never blocks the user's later
-- messages); the reason is kept here.
ALTER TABLE inbound_messages ADD COLUMN handle_error TEXT;
ALTER TABLE inbound_messages ADD COLUMN handled_at_ms INTEGER;

-- One row per (office, user): the flows' state (flows::encode) and who answers.
CREATE TABLE conversations (
  business_number  TEXT    NOT NULL,
  user_id          TEXT    NOT NULL,
  state_text       TEXT    NOT NULL,
  mode             TEXT    NOT NULL DEFAULT 'bot' CHECK (mode IN ('bot', 'waiting', 'agent')),
  owner            TEXT    NOT NULL DEFAULT '',      -- officer who took it over (mode 'agent')
  waiting_since_ms INTEGER,                          -- set while mode = 'waiting'
  topic            TEXT    NOT NULL DEFAULT '',      -- routing topic of the handoff
  last_inbound_ms  INTEGER NOT NULL DEFAULT 0,       -- start of the 24-hour customer-service window
  updated_at_ms    INTEGER NOT NULL,
  PRIMARY KEY (business_number, user_id)
);
-- The officers' queue: oldest waiting first.
CREATE INDEX conversations_waiting ON conversations(business_number, waiting_since_ms) WHERE mode = 'waiting';

-- Tilang fines (CONTRACT §5), upserted by register_no.
CREATE TABLE fines (
  register_no      TEXT    PRIMARY KEY,
  business_number  TEXT    NOT NULL DEFAULT '',
  plate            TEXT    NOT NULL,                 -- as given
  plate_normalized TEXT    NOT NULL,                 -- upper case, no spaces: B1234XYZ
  violator_name    TEXT    NOT NULL,
  violation_date   TEXT    NOT NULL,                 -- YYYY-MM-DD
  article          TEXT    NOT NULL,
  fine_amount      INTEGER NOT NULL,
  court_fee        INTEGER NOT NULL DEFAULT 0,
  evidence         TEXT    NOT NULL CHECK (evidence IN ('SIM', 'STNK', 'SIM+STNK', 'KENDARAAN')),
  hearing_date     TEXT    NOT NULL DEFAULT '',
  office           TEXT    NOT NULL DEFAULT '',
  status           TEXT    NOT NULL CHECK (status IN ('UNPAID', 'PAID', 'PICKED_UP')),
  created_at_ms    INTEGER NOT NULL,
  updated_at_ms    INTEGER NOT NULL
);
CREATE INDEX fines_plate ON fines(plate_normalized);

-- Downloaded media, content-addressed: MEDIA_DIR/<sha256>.<ext>.
CREATE TABLE media_files (
  sha256          TEXT    PRIMARY KEY,
  path            TEXT    NOT NULL,
  mime            TEXT    NOT NULL,                  -- detected from the content, not the claim
  size            INTEGER NOT NULL,
  first_wa_id     TEXT    NOT NULL,
  first_purpose   TEXT    NOT NULL,
  first_media_id  TEXT    NOT NULL,
  created_at_ms   INTEGER NOT NULL
);

-- Payment proofs in the officers' verification queue.
CREATE TABLE payments (
  id              INTEGER PRIMARY KEY,
  reference       TEXT    NOT NULL UNIQUE,           -- BYR-YYYYMMDD-NNNN
  business_number TEXT    NOT NULL,
  wa_id           TEXT    NOT NULL,
  register_no     TEXT    NOT NULL,
  media_sha256    TEXT    NOT NULL,
  duplicate_of    TEXT    NOT NULL DEFAULT '',       -- reference of a payment with the same bytes
  state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'verified', 'rejected')),
  reason          TEXT    NOT NULL DEFAULT '',
  decided_by      TEXT    NOT NULL DEFAULT '',
  created_at_ms   INTEGER NOT NULL,
  decided_at_ms   INTEGER,
  updated_at_ms   INTEGER NOT NULL
);
CREATE INDEX payments_state ON payments(state, id);
CREATE INDEX payments_sha ON payments(media_sha256);
CREATE INDEX payments_register ON payments(register_no);

-- Daily sequence numbers for references (BYR, KDN, drive-thru queue DT), incremented in the
-- transaction that uses them.
CREATE TABLE reference_counters (
  prefix TEXT    NOT NULL,
  day    TEXT    NOT NULL,                           -- YYYYMMDD (local date of the office)
  last   INTEGER NOT NULL,
  PRIMARY KEY (prefix, day)
);

-- KANDANI reports (5W1H).
CREATE TABLE reports (
  report_no       TEXT    PRIMARY KEY,               -- KDN-YYYYMMDD-NNNN
  business_number TEXT    NOT NULL,
  wa_id           TEXT    NOT NULL,
  category        TEXT    NOT NULL,
  team            TEXT    NOT NULL DEFAULT '',       -- routed by category
  what            TEXT    NOT NULL DEFAULT '',
  how             TEXT    NOT NULL DEFAULT '',
  when_text       TEXT    NOT NULL DEFAULT '',
  where_text      TEXT    NOT NULL DEFAULT '',
  who             TEXT    NOT NULL DEFAULT '',
  has_location    INTEGER NOT NULL DEFAULT 0,
  latitude        REAL,
  longitude       REAL,
  address         TEXT    NOT NULL DEFAULT '',
  photo_sha256    TEXT    NOT NULL DEFAULT '',
  status          TEXT    NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'in_progress', 'done', 'rejected')),
  notes           TEXT    NOT NULL DEFAULT '',
  created_at_ms   INTEGER NOT NULL,
  updated_at_ms   INTEGER NOT NULL
);
CREATE INDEX reports_queue ON reports(business_number, team, status, created_at_ms);
CREATE INDEX reports_wa ON reports(wa_id);

-- Drive-thru pickup slots and bookings.
CREATE TABLE drive_thru_slots (
  id              INTEGER PRIMARY KEY,
  business_number TEXT    NOT NULL,
  date            TEXT    NOT NULL,                  -- YYYY-MM-DD
  start_time      TEXT    NOT NULL,                  -- HH:MM
  end_time        TEXT    NOT NULL,
  capacity        INTEGER NOT NULL CHECK (capacity >= 0),
  booked          INTEGER NOT NULL DEFAULT 0 CHECK (booked >= 0 AND booked <= capacity),
  UNIQUE (business_number, date, start_time)
);
CREATE TABLE slot_bookings (
  id              INTEGER PRIMARY KEY,
  slot_id         INTEGER NOT NULL REFERENCES drive_thru_slots(id),
  business_number TEXT    NOT NULL,
  register_no     TEXT    NOT NULL,
  wa_id           TEXT    NOT NULL,
  queue_no        TEXT    NOT NULL,
  created_at_ms   INTEGER NOT NULL
);
CREATE INDEX slot_bookings_register ON slot_bookings(register_no);

-- COD delivery fee by city ('*' = default), per office.
CREATE TABLE cod_tariffs (
  business_number TEXT    NOT NULL,
  city            TEXT    NOT NULL,                  -- lower case, single spaces
  fee             INTEGER NOT NULL CHECK (fee >= 0),
  PRIMARY KEY (business_number, city)
);

-- COD shipments for the PT Pos hand-off.
CREATE TABLE shipments (
  id              INTEGER PRIMARY KEY,
  business_number TEXT    NOT NULL,
  wa_id           TEXT    NOT NULL,
  register_no     TEXT    NOT NULL,
  recipient_name  TEXT    NOT NULL,
  address         TEXT    NOT NULL,
  kelurahan       TEXT    NOT NULL,
  kecamatan       TEXT    NOT NULL,
  city            TEXT    NOT NULL,
  phone           TEXT    NOT NULL,
  fee             INTEGER NOT NULL DEFAULT 0,
  state           TEXT    NOT NULL DEFAULT 'recorded' CHECK (state IN ('recorded', 'dispatched', 'delivered', 'cancelled')),
  tracking_no     TEXT    NOT NULL DEFAULT '',
  created_at_ms   INTEGER NOT NULL,
  updated_at_ms   INTEGER NOT NULL
);
CREATE INDEX shipments_state ON shipments(business_number, state, id);

-- e-TLE camera-ticket notices (CONTRACT §5) and the owner's answer.
CREATE TABLE etle_notices (
  notice_id        TEXT    PRIMARY KEY,
  business_number  TEXT    NOT NULL DEFAULT '',
  plate            TEXT    NOT NULL,
  plate_normalized TEXT    NOT NULL DEFAULT '',
  owner_name       TEXT    NOT NULL DEFAULT '',
  owner_wa         TEXT    NOT NULL,                 -- 628...
  violation_time   TEXT    NOT NULL,                 -- ISO 8601 with offset
  location         TEXT    NOT NULL DEFAULT '',
  article          TEXT    NOT NULL DEFAULT '',
  fine_amount      INTEGER NOT NULL DEFAULT 0,
  photo_url        TEXT    NOT NULL DEFAULT '',
  confirm_by       TEXT    NOT NULL DEFAULT '',      -- YYYY-MM-DD
  briva            TEXT    NOT NULL DEFAULT '',
  payment_deadline TEXT    NOT NULL DEFAULT '',
  state            TEXT    NOT NULL DEFAULT 'queued', -- queued|sent|delivered|read|failed|confirmed|transferred|disputed|paid
  template_wamid   TEXT,                              -- wamid of the template sent
  response         TEXT    NOT NULL DEFAULT '',       -- driver_self|driver_other|not_mine
  other_name       TEXT    NOT NULL DEFAULT '',
  other_phone      TEXT    NOT NULL DEFAULT '',
  responded_at_ms  INTEGER,
  created_at_ms    INTEGER NOT NULL,
  updated_at_ms    INTEGER NOT NULL
);
CREATE INDEX etle_notices_owner ON etle_notices(owner_wa, created_at_ms);
CREATE UNIQUE INDEX etle_notices_template ON etle_notices(template_wamid) WHERE template_wamid IS NOT NULL;
