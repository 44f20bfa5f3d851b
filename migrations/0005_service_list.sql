-- 0005_service_list: each service's ORUK list item, ready to send.
-- A page of the ORUK service list then costs one key lookup per service:
-- item is the service's one-to-one fields (service.flat) with its
-- organisation already spliced in. Reading service.flat instead walked
-- past the full document's overflow pages (flat sits after doc in the
-- row) and joined the organisation for every row. When an organisation's
-- own details change, its services' items are re-spliced (directory_db.c).
-- A plain table, not SQLite's WITHOUT ROWID: rows of a kilobyte or more
-- would spill out of such a table's pages.
CREATE TABLE service_list (
	id TEXT PRIMARY KEY,
	organisation_id TEXT NOT NULL,
	item TEXT NOT NULL
);
CREATE INDEX service_list_org ON service_list(organisation_id);
INSERT INTO service_list (id, organisation_id, item)
	SELECT s.id, s.organisation_id,
	       CASE WHEN o.doc IS NULL THEN s.flat
	            ELSE substr(s.flat, 1, length(s.flat) - 1) || ',"organization":' || o.doc || '}' END
	FROM service s JOIN organisation o ON o.id = s.organisation_id;
