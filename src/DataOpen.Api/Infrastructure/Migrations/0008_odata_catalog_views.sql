-- Catalog entity sets of the OData feed (Datasets, Publishers, Themes) as views, so that their
-- query options compile to SQL through the same engine as dataset rows. _row_id is the keyset
-- tie-breaker the engine appends to every order. Only served datasets (open or conditional,
-- active, with a version) are listed; not-open ones are never visible here.
CREATE OR REPLACE VIEW catalog.odata_datasets AS
SELECT d.id AS _row_id,
       d.identifier,
       CASE WHEN replace(initcap(replace(d.identifier, '-', ' ')), ' ', '') IN ('Datasets', 'Publishers', 'Themes')
            THEN replace(initcap(replace(d.identifier, '-', ' ')), ' ', '') || 'Data'
            ELSE replace(initcap(replace(d.identifier, '-', ' ')), ' ', '') END AS entity_set,
       d.title_zh, d.title_en, d.description_zh, d.description_en,
       d.publisher_id, d.license_id, d.open_class, d.update_frequency,
       array_to_string(d.keywords_zh, ',') AS keywords_zh,
       array_to_string(d.keywords_en, ',') AS keywords_en,
       d.issued, d.modified, d.current_version, v.row_count, v.published_at
FROM catalog.datasets d
JOIN catalog.versions v ON v.dataset_id = d.id AND v.version = d.current_version
WHERE d.status = 'active' AND d.open_class IN ('unconditional', 'conditional');

CREATE OR REPLACE VIEW catalog.odata_publishers AS
SELECT row_number() OVER (ORDER BY p.id) AS _row_id,
       p.id, p.name_zh, p.name_en, p.description_zh, p.description_en, p.email, p.phone, p.website
FROM catalog.publishers p;

CREATE OR REPLACE VIEW catalog.odata_themes AS
SELECT row_number() OVER (ORDER BY t.scheme_id, t.code) AS _row_id,
       t.scheme_id || ':' || t.code AS id,
       t.scheme_id, s.name_zh AS scheme_name_zh, t.code, t.label_zh, t.label_en, t.parent_code
FROM catalog.themes t
JOIN catalog.theme_schemes s ON s.id = t.scheme_id;

GRANT SELECT ON catalog.odata_datasets, catalog.odata_publishers, catalog.odata_themes TO dataopen_reader;
