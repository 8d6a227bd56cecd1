-- Confidential microdata of the policy statistics (issue 7) and the records of its disclosure control.
-- Nothing in the restricted schema is readable by the reader role: 0001 revoked the schema from PUBLIC and
-- never granted USAGE to dataopen_reader, so every SELECT by the reader fails with 42501.
CREATE TABLE restricted.grants (
    grant_id text PRIMARY KEY,
    enterprise_id text NOT NULL,
    track text NOT NULL,
    park text NOT NULL,
    size_class text NOT NULL,
    measure_id text NOT NULL,
    quarter text NOT NULL,
    year integer NOT NULL,
    contract_fee numeric NOT NULL,
    amount_granted numeric NOT NULL
);

CREATE TABLE restricted.matching (
    project_id text PRIMARY KEY,
    enterprise_id text NOT NULL,
    level text NOT NULL,
    year integer NOT NULL,
    project_amount numeric NOT NULL,
    matching_amount numeric NOT NULL
);

CREATE TABLE restricted.talents (
    recognition_id text PRIMARY KEY,
    person_id text NOT NULL,
    track text NOT NULL,
    level text NOT NULL,
    year integer NOT NULL,
    award_amount numeric NOT NULL
);

CREATE TABLE restricted.soft_regulation (
    case_id text PRIMARY KEY,
    enterprise_id text NOT NULL,
    type text NOT NULL,
    quarter text NOT NULL,
    year integer NOT NULL,
    track text NOT NULL
);

-- Records refused on load because they break a rule of the policy dataset (or are malformed), with the rule cited.
CREATE TABLE restricted.load_rejections (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    load_sha256 text NOT NULL,
    source text NOT NULL,
    record_id text NOT NULL,
    measure_id text NOT NULL,
    measure_name text NOT NULL,
    rule text NOT NULL,
    detail text NOT NULL,
    rejected_at timestamptz NOT NULL DEFAULT now()
);

-- One row: the sha256 of the microdata files and policy dataset last loaded, so unchanged inputs are not reloaded.
CREATE TABLE restricted.load_state (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    sha256 text NOT NULL,
    accepted integer NOT NULL,
    rejected integer NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now()
);

-- One row: the sha256 of everything the published statistics depend on (microdata, table definitions,
-- disclosure parameters, metadata), so an unchanged input does not rerun suppression and audit at start-up.
CREATE TABLE restricted.publication_state (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    input_sha256 text NOT NULL,
    passed boolean NOT NULL,
    run_at timestamptz NOT NULL DEFAULT now()
);

-- One row per audited dataset version (also when nothing in it needed suppression): the audit's verdict.
CREATE TABLE restricted.disclosure_audit_versions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    input_sha256 text NOT NULL,
    dataset_identifier text NOT NULL,
    version integer,
    passed boolean NOT NULL,
    suppressed_cells integer NOT NULL,
    primary_cells integer NOT NULL,
    problems text[] NOT NULL DEFAULT '{}',
    audited_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX disclosure_audit_versions_version ON restricted.disclosure_audit_versions (dataset_identifier, version) WHERE version IS NOT NULL;

-- The audit of every suppressed cell, stored with the dataset version it protects (version null when the audit
-- failed and nothing was published). Never public: it holds the true values and the protection intervals.
CREATE TABLE restricted.disclosure_audits (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    input_sha256 text NOT NULL,
    dataset_identifier text NOT NULL,
    version integer,
    cell text NOT NULL,
    primary_cell boolean NOT NULL,
    value double precision NOT NULL,
    lower_bound double precision NOT NULL,
    upper_bound double precision NOT NULL,
    required_lower double precision NOT NULL,
    required_upper double precision NOT NULL,
    passed boolean NOT NULL,
    audited_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX disclosure_audits_dataset ON restricted.disclosure_audits (dataset_identifier, version);

REVOKE ALL ON ALL TABLES IN SCHEMA restricted FROM PUBLIC;
