-- The index plan of every published version: each index on its table, where it came from, its size and build time.
CREATE TABLE catalog.version_indexes (
    dataset_id bigint NOT NULL,
    version integer NOT NULL,
    index_name text NOT NULL,
    columns jsonb NOT NULL,     -- [{"field": "station", "descending": false}, …]
    method text NOT NULL,       -- btree, brin, gin
    op_class text,              -- e.g. gin_trgm_ops
    origin text NOT NULL,       -- row-id, key, declared, composite, statistics, brin, adaptive
    is_unique boolean NOT NULL DEFAULT false,
    bytes bigint NOT NULL,
    build_ms double precision,  -- null for indexes built outside the plan (the _row_id primary key is built with the load)
    PRIMARY KEY (dataset_id, version, index_name),
    FOREIGN KEY (dataset_id, version) REFERENCES catalog.versions (dataset_id, version)
);

-- Trigram indexes for contains/startswith need pg_trgm (contrib; trusted since PostgreSQL 13, so the database
-- owner may create it). Without the privilege the plan builds no trigram index and says so.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN insufficient_privilege OR undefined_file THEN
    RAISE NOTICE 'pg_trgm not available: no trigram indexes';
END $$;
