-- The size and sha256 of each download format of a published version (dcat:byteSize, spdx:checksum, the Data
-- Package's bytes and hash). A version never changes and every writer is deterministic, so each is computed once,
-- after the version is published, by writing the whole download into a hash; readable by the reader role.
CREATE TABLE catalog.distribution_digests (
    table_name text NOT NULL,
    format text NOT NULL,
    dataset_id bigint NOT NULL REFERENCES catalog.datasets (id) ON DELETE CASCADE,
    version integer NOT NULL,
    byte_size bigint NOT NULL CHECK (byte_size >= 0),
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    computed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (table_name, format)
);
CREATE INDEX distribution_digests_dataset ON catalog.distribution_digests (dataset_id, version);
GRANT SELECT ON catalog.distribution_digests TO dataopen_reader;
