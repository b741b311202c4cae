-- The portal's schema. Portable SQL: the same file runs on SQLite and PostgreSQL, so only
-- TEXT and BIGINT columns, application-made ids (no SERIAL/AUTOINCREMENT) and RFC 3339 UTC
-- time stamps as TEXT (which sort in time order).

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    roles         TEXT NOT NULL,          -- comma-separated: submitter | force_viewer | analyst | admin
    force_id      TEXT,                   -- set for submitter and force_viewer only
    password_hash TEXT NOT NULL,          -- Argon2id PHC string
    created_at    TEXT NOT NULL,
    disabled      BIGINT NOT NULL DEFAULT 0
);

-- Only the SHA-256 of a session token is stored: a copy of the database signs nobody in.
CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id),
    csrf          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id),
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT
);

CREATE TABLE periods (
    id            TEXT PRIMARY KEY,
    date_from     TEXT NOT NULL,
    date_to       TEXT NOT NULL,
    opened_by     TEXT NOT NULL,
    opened_at     TEXT NOT NULL
);

-- A submission row is inserted only after its files are complete on disk, so a row always
-- has its files. status: validated -> confirmed | discarded.
CREATE TABLE submissions (
    id             TEXT PRIMARY KEY,
    period_id      TEXT NOT NULL REFERENCES periods(id),
    force_id       TEXT NOT NULL,
    uploaded_by    TEXT NOT NULL,
    uploaded_at    TEXT NOT NULL,
    format         TEXT NOT NULL,         -- xlsx | csv-zip
    file_name      TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    bytes          BIGINT NOT NULL,
    status         TEXT NOT NULL,
    version        BIGINT,
    confirmed_by   TEXT,
    confirmed_at   TEXT,
    rows_read      BIGINT NOT NULL,
    rows_accepted  BIGINT NOT NULL,
    rows_rejected  BIGINT NOT NULL,
    validation     TEXT NOT NULL,         -- csae.validation/1 JSON for this force, personal values hidden
    UNIQUE (period_id, force_id, version)
);
CREATE INDEX submissions_period_force ON submissions(period_id, force_id);

CREATE TABLE builds (
    id             TEXT PRIMARY KEY,
    period_id      TEXT NOT NULL REFERENCES periods(id),
    built_by       TEXT NOT NULL,
    built_at       TEXT NOT NULL,
    submissions    TEXT NOT NULL,         -- JSON list of the submission ids built from
    headline       TEXT NOT NULL          -- the internal (exact) headline JSON
);

-- Append-only and hash-chained: hash = SHA-256(prev_hash || "\n" || canonical entry JSON).
CREATE TABLE audit_log (
    seq            BIGINT PRIMARY KEY,
    at             TEXT NOT NULL,
    actor          TEXT NOT NULL,
    action         TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    force_id       TEXT,
    submission_id  TEXT,
    ip             TEXT,
    detail         TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
