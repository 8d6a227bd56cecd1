-- Reuses (应用成果) and ratings with comments (开放评价). A schema of its own that the reader role cannot
-- read: submitters' contact details and raters' identities are private; the service shows what stewards
-- published (reuses) and what they did not hide (comments), through the owner role.
CREATE SCHEMA IF NOT EXISTS community;
REVOKE ALL ON SCHEMA community FROM PUBLIC;

CREATE TABLE community.reuses (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description text NOT NULL CHECK (length(description) BETWEEN 1 AND 4000),
    kind text NOT NULL CHECK (kind IN ('application', 'analysis', 'visualisation', 'news', 'research', 'other')),
    url text NOT NULL CHECK (length(url) <= 2000),
    image_url text CHECK (length(image_url) <= 2000),
    datasets text[] NOT NULL CHECK (cardinality(datasets) BETWEEN 1 AND 20),
    submitter text NOT NULL CHECK (length(submitter) BETWEEN 1 AND 200),
    contact text NOT NULL CHECK (length(contact) BETWEEN 1 AND 200),
    submitted_by text NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'published', 'rejected')),
    reason text,
    moderated_by text,
    moderated_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reuses_published ON community.reuses (created_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX reuses_datasets ON community.reuses USING gin (datasets);
CREATE INDEX reuses_pending ON community.reuses (created_at) WHERE status = 'pending';

-- One rating per dataset per rater: 'key:<public id>' for key holders, 'visitor:<keyed hash of the address>' otherwise.
CREATE TABLE community.ratings (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dataset_identifier text NOT NULL,
    rater text NOT NULL,
    stars smallint NOT NULL CHECK (stars BETWEEN 1 AND 5),
    comment text CHECK (length(comment) <= 2000),
    hidden boolean NOT NULL DEFAULT false,
    hidden_by text,
    answer text CHECK (length(answer) <= 2000),
    answered_by text,
    answered_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (dataset_identifier, rater)
);
CREATE INDEX ratings_dataset ON community.ratings (dataset_identifier, updated_at DESC);
