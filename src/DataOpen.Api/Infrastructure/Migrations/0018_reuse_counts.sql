-- Published reuses per dataset, for the public counters. A view owned by the owner role, so the reader role
-- sees the counts without reading community.reuses (which holds submitters' contacts).
CREATE VIEW catalog.dataset_reuses AS
    SELECT d AS dataset_identifier, count(*) AS reuses
    FROM community.reuses, unnest(datasets) AS d
    WHERE status = 'published'
    GROUP BY d;
GRANT SELECT ON catalog.dataset_reuses TO dataopen_reader;
