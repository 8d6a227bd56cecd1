-- The data quality report of each published version (数据质量): computed once when the version is published
-- (versions are immutable), readable by the reader role like the rest of the catalogue.
CREATE TABLE catalog.version_quality (
    table_name text PRIMARY KEY,
    dataset_id bigint NOT NULL REFERENCES catalog.datasets (id) ON DELETE CASCADE,
    version integer NOT NULL,
    score numeric(5, 1) NOT NULL CHECK (score BETWEEN 0 AND 100),
    report jsonb NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX version_quality_dataset ON catalog.version_quality (dataset_id, version);
GRANT SELECT ON catalog.version_quality TO dataopen_reader;
