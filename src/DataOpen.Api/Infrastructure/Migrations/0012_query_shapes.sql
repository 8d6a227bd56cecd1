-- Adaptive indexes, part 1: the query shapes each version's table served, summed over every instance.
-- A shape is a query without its values (filtered fields and operators, order, kind); each instance counts
-- its own in memory and adds them here in batches. The reader role cannot read this schema.
CREATE SCHEMA indexing;

CREATE TABLE indexing.query_shapes (
    table_name text NOT NULL,            -- the version's table in schema data (catalog.versions.table_name)
    door text NOT NULL,                  -- rest, download, odata, graphql, pages, other
    shape text NOT NULL,                 -- canonical key: kind|field:op,…|field:dir,…
    kind text NOT NULL,                  -- rows, count, grouped
    filters jsonb NOT NULL,              -- [{"field": "station", "op": "eq"}, …]
    orders jsonb NOT NULL,               -- [{"field": "measured_at", "descending": true}, …]
    calls bigint NOT NULL,
    total_ms double precision NOT NULL,
    max_ms double precision NOT NULL,
    -- Calls per time bucket (upper bounds in QueryShapeRecorder.BucketBoundsMs); a percentile of summed
    -- buckets is exact to its bucket, which per-instance percentiles could not be.
    buckets bigint[] NOT NULL,
    sample_sql text,                     -- the slowest call of the last flush, to EXPLAIN it again
    sample_params jsonb,
    first_seen timestamptz NOT NULL DEFAULT now(),
    last_seen timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (table_name, shape, door)
);
