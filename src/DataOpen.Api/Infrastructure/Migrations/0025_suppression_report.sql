-- Issue 18 item 3: how the complementary suppression of each audited version was chosen and how good it is.
-- method: mip-exact, mip-modular, heuristic (joined with + when mixed, +heuristic-fallback when the time limit or an
-- infeasible sub-problem left cells to the heuristic). cost: of the complementary cells of the whole protection run
-- (the tables are protected together); bound: a proven lower bound on the optimal cost (null for the heuristic
-- alone); gap: (cost - bound) / cost; table_cost: the complementary cost of the cells of this table.
ALTER TABLE restricted.disclosure_audit_versions
    ADD COLUMN suppression_method text,
    ADD COLUMN suppression_cost double precision,
    ADD COLUMN suppression_bound double precision,
    ADD COLUMN suppression_gap double precision,
    ADD COLUMN table_cost double precision;
