-- The primaryKey a version was published with (enforced at publish: no nulls, no duplicates, unique index {table}_key).
-- NULL: the version has no declared key; its rows are addressed by _row_id.
ALTER TABLE catalog.versions ADD COLUMN IF NOT EXISTS primary_key text[];
