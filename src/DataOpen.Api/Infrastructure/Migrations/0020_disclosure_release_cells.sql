-- Issue 18: every cell of every published statistics version, so that a new release can be protected together
-- with all versions still downloadable (cross-release disclosure control). Never public: it holds the true values
-- and protection intervals of withheld cells. The published value is null when the version withholds the cell.
CREATE TABLE restricted.disclosure_release_cells (
    input_sha256 text NOT NULL,
    dataset_identifier text NOT NULL,
    version integer NOT NULL,
    cell text NOT NULL,
    published numeric,
    true_value double precision NOT NULL,
    required_lower double precision NOT NULL,
    required_upper double precision NOT NULL,
    PRIMARY KEY (dataset_identifier, version, cell)
);

REVOKE ALL ON restricted.disclosure_release_cells FROM PUBLIC;
