-- The data-quality loop: analyst queries on submissions with the force's replies, and a due
-- date per period. Portable SQL as in 0001: TEXT and BIGINT only, application-made ids,
-- RFC 3339 UTC time stamps as TEXT.

-- A query's text never holds personal values (the page says so) and is never audited.
-- seq numbers the queries of a submission from 1 (time stamps have only seconds).
CREATE TABLE queries (
    id             TEXT PRIMARY KEY,
    submission_id  TEXT NOT NULL REFERENCES submissions(id),
    seq            BIGINT NOT NULL,
    period_id      TEXT NOT NULL,         -- the submission's, so the tracker counts without a join
    force_id       TEXT NOT NULL,
    body           TEXT NOT NULL,
    status         TEXT NOT NULL,         -- open -> closed
    raised_by      TEXT NOT NULL,
    raised_at      TEXT NOT NULL,
    closed_by      TEXT,
    closed_at      TEXT,
    UNIQUE (submission_id, seq)
);
CREATE INDEX queries_period_force ON queries(period_id, force_id, status);

-- seq numbers the replies of a query from 1.
CREATE TABLE query_replies (
    id             TEXT PRIMARY KEY,
    query_id       TEXT NOT NULL REFERENCES queries(id),
    seq            BIGINT NOT NULL,
    body           TEXT NOT NULL,
    replied_by     TEXT NOT NULL,
    replied_at     TEXT NOT NULL,
    UNIQUE (query_id, seq)
);

-- The date by which forces should have confirmed their return (YYYY-MM-DD); none when NULL.
ALTER TABLE periods ADD COLUMN due TEXT;
