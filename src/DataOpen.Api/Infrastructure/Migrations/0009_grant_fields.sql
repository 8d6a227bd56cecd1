-- A steward may approve fewer fields than an application named: the grant keeps its own list.
-- NULL: the grant covers the fields its application named (every field when it named none).
ALTER TABLE access.grants ADD COLUMN fields text[];
