-- Schemas: catalog (metadata), data (one table per dataset version), access (keys, tiers, grants),
-- audit (append-only logs), restricted (confidential microdata, never readable by the reader role).
CREATE SCHEMA IF NOT EXISTS catalog;
CREATE SCHEMA IF NOT EXISTS data;
CREATE SCHEMA IF NOT EXISTS access;
CREATE SCHEMA IF NOT EXISTS audit;
CREATE SCHEMA IF NOT EXISTS restricted;

CREATE TABLE catalog.publishers (
    id text PRIMARY KEY,
    name_zh text NOT NULL,
    name_en text,
    description_zh text,
    description_en text,
    email text,
    phone text,
    website text
);

CREATE TABLE catalog.theme_schemes (
    id text PRIMARY KEY,
    name_zh text NOT NULL,
    name_en text
);

CREATE TABLE catalog.themes (
    scheme_id text NOT NULL REFERENCES catalog.theme_schemes (id),
    code text NOT NULL,
    label_zh text NOT NULL,
    label_en text,
    parent_code text,
    PRIMARY KEY (scheme_id, code)
);

CREATE TABLE catalog.licenses (
    id text PRIMARY KEY,
    title_zh text NOT NULL,
    title_en text,
    url text
);

CREATE TABLE catalog.datasets (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    identifier text NOT NULL UNIQUE,
    title_zh text NOT NULL,
    title_en text,
    description_zh text NOT NULL,
    description_en text,
    publisher_id text NOT NULL REFERENCES catalog.publishers (id),
    license_id text NOT NULL REFERENCES catalog.licenses (id),
    open_class text NOT NULL CHECK (open_class IN ('unconditional', 'conditional', 'not-open')),
    update_frequency text NOT NULL,
    security_grade text NOT NULL,
    issued date NOT NULL,
    modified timestamptz NOT NULL DEFAULT now(),
    keywords_zh text[] NOT NULL DEFAULT '{}',
    keywords_en text[] NOT NULL DEFAULT '{}',
    metadata jsonb NOT NULL,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    retired_at timestamptz,
    current_version integer,
    -- Chinese-aware search document: CJK bigrams + unigrams and English words, weighted A title,
    -- B keywords, C description, D field labels (built by DataOpen.Core.Search.SearchText).
    search_doc tsvector NOT NULL DEFAULT ''::tsvector,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX datasets_search_doc ON catalog.datasets USING gin (search_doc);
CREATE INDEX datasets_publisher ON catalog.datasets (publisher_id);

CREATE TABLE catalog.dataset_themes (
    dataset_id bigint NOT NULL REFERENCES catalog.datasets (id) ON DELETE CASCADE,
    scheme_id text NOT NULL,
    code text NOT NULL,
    PRIMARY KEY (dataset_id, scheme_id, code),
    FOREIGN KEY (scheme_id, code) REFERENCES catalog.themes (scheme_id, code)
);

-- Versions are immutable: once published a row is never updated and its table never changed.
CREATE TABLE catalog.versions (
    dataset_id bigint NOT NULL REFERENCES catalog.datasets (id),
    version integer NOT NULL CHECK (version > 0),
    table_name text NOT NULL UNIQUE,
    row_count bigint NOT NULL,
    byte_size bigint NOT NULL,
    sha256 text NOT NULL,
    source_format text NOT NULL,
    source_encoding text,
    published_at timestamptz NOT NULL DEFAULT now(),
    published_by text NOT NULL,
    PRIMARY KEY (dataset_id, version)
);

CREATE TABLE catalog.fields (
    dataset_id bigint NOT NULL,
    version integer NOT NULL,
    ordinal integer NOT NULL,
    name text NOT NULL,
    type text NOT NULL,
    title_zh text,
    title_en text,
    description text,
    unit text,
    value_domain text,
    sensitivity text NOT NULL DEFAULT 'public',
    PRIMARY KEY (dataset_id, version, ordinal),
    UNIQUE (dataset_id, version, name),
    FOREIGN KEY (dataset_id, version) REFERENCES catalog.versions (dataset_id, version)
);

ALTER TABLE catalog.datasets
    ADD CONSTRAINT datasets_current_version_fk FOREIGN KEY (id, current_version) REFERENCES catalog.versions (dataset_id, version) DEFERRABLE INITIALLY DEFERRED;

-- One row: bumped by every change that alters what the doors serve; snapshots are keyed by it.
CREATE TABLE catalog.state (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    catalog_version bigint NOT NULL
);
INSERT INTO catalog.state VALUES (true, 1);

-- The reader role: SELECT on catalog and data only, with a statement timeout.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dataopen_reader') THEN
        CREATE ROLE dataopen_reader LOGIN;
    END IF;
END
$$;
ALTER ROLE dataopen_reader SET statement_timeout = '30s';
GRANT USAGE ON SCHEMA catalog, data TO dataopen_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA catalog TO dataopen_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA catalog GRANT SELECT ON TABLES TO dataopen_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA data GRANT SELECT ON TABLES TO dataopen_reader;
REVOKE ALL ON SCHEMA access, audit, restricted FROM PUBLIC;

-- Public per-dataset counters (views, downloads, API calls), shown in metadata and used for
-- "popularity" sorting; written in batches by the usage counter, never per request.
CREATE TABLE catalog.dataset_stats (
    dataset_id bigint PRIMARY KEY REFERENCES catalog.datasets (id),
    views bigint NOT NULL DEFAULT 0,
    downloads bigint NOT NULL DEFAULT 0,
    api_calls bigint NOT NULL DEFAULT 0
);
GRANT SELECT ON catalog.dataset_stats TO dataopen_reader;
