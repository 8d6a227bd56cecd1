-- Feedback on datasets (error reports, questions) and public data requests. A schema of its own that
-- the reader role cannot read: submitters' contact details are private; the pages show answers the
-- stewards marked public, read through the owner role.
CREATE SCHEMA IF NOT EXISTS feedback;
REVOKE ALL ON SCHEMA feedback FROM PUBLIC;

CREATE TABLE feedback.reports (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dataset_identifier text NOT NULL,
    publisher_id text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('error', 'question')),
    message text NOT NULL CHECK (length(message) BETWEEN 1 AND 4000),
    field_name text,
    contact text,
    status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'in-progress', 'answered', 'closed')),
    answer text,
    answered_by text,
    answered_at timestamptz,
    public boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reports_dataset ON feedback.reports (dataset_identifier, created_at DESC);
CREATE INDEX reports_open ON feedback.reports (publisher_id, status) WHERE status IN ('new', 'in-progress');

CREATE TABLE feedback.data_requests (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description text NOT NULL CHECK (length(description) BETWEEN 1 AND 4000),
    publisher_id text,
    purpose text,
    contact text,
    status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'under-review', 'planned', 'opened', 'declined')),
    answer text,
    answered_by text,
    answered_at timestamptz,
    public boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX data_requests_status ON feedback.data_requests (status, created_at DESC);
