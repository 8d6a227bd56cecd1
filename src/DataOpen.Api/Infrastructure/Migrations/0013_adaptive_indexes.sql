-- Adaptive indexes, part 2: every index the builder considered for a version, built or not, and why.
CREATE TABLE indexing.adaptive_indexes (
    id bigserial PRIMARY KEY,
    dataset_id bigint NOT NULL REFERENCES catalog.datasets (id),
    version integer NOT NULL,
    table_name text NOT NULL,
    index_name text NOT NULL,            -- in schema data; unique per table by its columns
    columns jsonb NOT NULL,              -- [{"field": "station", "descending": false}, …]
    column_key text NOT NULL,            -- "station,measured_at desc,_row_id desc"
    shapes jsonb NOT NULL DEFAULT '[]',  -- the shape keys it was built for
    -- candidate: seen, not yet decided; building; ready (built); kept (a steward keeps it: carried to the next
    -- publish); dropped (a steward dropped it: never rebuilt for this version); rejected (the planner would not
    -- use it, or not enough); over-budget; failed (the build failed; see reason)
    status text NOT NULL CHECK (status IN ('building', 'ready', 'kept', 'dropped', 'rejected', 'over-budget', 'failed')),
    reason text,
    cost_before double precision,
    cost_after double precision,
    estimated_bytes bigint,
    bytes bigint,
    build_ms double precision,
    carried_from integer,                -- the version it was kept on, for an index carried forward by a publish
    created_at timestamptz NOT NULL DEFAULT now(),
    built_at timestamptz,
    decided_at timestamptz,
    decided_by text,
    FOREIGN KEY (dataset_id, version) REFERENCES catalog.versions (dataset_id, version),
    UNIQUE (table_name, column_key),
    UNIQUE (index_name)
);
CREATE INDEX adaptive_indexes_dataset ON indexing.adaptive_indexes (dataset_id, version);
