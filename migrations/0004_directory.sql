-- 0004_directory: the community directory, in the Open Referral UK 3.0
-- model. A service's canonical form is its ORUK full-service JSON (doc);
-- beside it are the facts derived from it that pages, filters and the
-- search index read, so no hot path parses JSON.

ALTER TABLE organisation ADD COLUMN description TEXT;
ALTER TABLE organisation ADD COLUMN email TEXT;
ALTER TABLE organisation ADD COLUMN url TEXT;
ALTER TABLE organisation ADD COLUMN charity_number TEXT;
ALTER TABLE organisation ADD COLUMN doc TEXT;             -- ORUK organization JSON (one-to-one fields)
ALTER TABLE organisation ADD COLUMN last_modified BIGINT;
CREATE INDEX organisation_charity ON organisation(charity_number);

CREATE TABLE service (
	id TEXT PRIMARY KEY,                                  -- UUID
	organisation_id TEXT NOT NULL REFERENCES organisation(id),
	name TEXT NOT NULL,
	status TEXT NOT NULL,                                 -- ORUK status: active, inactive, defunct, temporarily closed
	state TEXT NOT NULL CHECK (state IN ('draft', 'published', 'archived')),
	source TEXT NOT NULL CHECK (source IN ('form', 'import', 'demo')),
	doc TEXT NOT NULL,                                    -- ORUK full service, without organization
	flat TEXT NOT NULL,                                   -- ORUK one-to-one fields (the list form)
	doc_hash TEXT NOT NULL,                               -- SHA-256 of doc: saving the same again changes nothing
	body TEXT NOT NULL,                                   -- words the search index reads besides the name
	categories BIGINT NOT NULL DEFAULT 0,                 -- vocab bitmasks (vocab.h)
	conditions BIGINT NOT NULL DEFAULT 0,
	languages BIGINT NOT NULL DEFAULT 0,
	flags BIGINT NOT NULL DEFAULT 0,                      -- SF_* (search.h)
	scheds TEXT NOT NULL DEFAULT '',                      -- sched_encode() forms, one per line
	terms TEXT NOT NULL DEFAULT '',                       -- "taxonomy_id term_id" per line
	postcode TEXT,                                        -- the first place's postcode, normalised
	dupe_key TEXT NOT NULL,                               -- text_dupe_key(name)
	duplicate_of TEXT,                                    -- flagged as a likely duplicate of this one
	assured_at BIGINT,                                    -- last checked by a person (ORUK assured_date)
	stale_asked_at BIGINT,                                -- "is this still running?" sent
	stale_flagged_at BIGINT,                              -- no answer: shown to coordinators
	stale_hidden_at BIGINT,                               -- still no answer: out of search
	last_modified BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	created_by BIGINT REFERENCES person(id) ON DELETE SET NULL
);
CREATE INDEX service_org ON service(organisation_id);
CREATE INDEX service_state ON service(state, last_modified);
CREATE INDEX service_dupe ON service(dupe_key, postcode);
CREATE INDEX service_assured ON service(state, assured_at);

-- Where a service happens: one row per ORUK service_at_location, with the
-- location nested in doc, and its point for distance.
CREATE TABLE service_at_location (
	id TEXT PRIMARY KEY,
	service_id TEXT NOT NULL REFERENCES service(id) ON DELETE CASCADE,
	location_id TEXT NOT NULL,
	doc TEXT NOT NULL,
	latitude DOUBLE PRECISION,
	longitude DOUBLE PRECISION,
	postcode TEXT
);
CREATE INDEX sal_service ON service_at_location(service_id);
CREATE INDEX sal_location ON service_at_location(location_id);

CREATE TABLE taxonomy (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	description TEXT NOT NULL,
	uri TEXT,
	version TEXT
);

CREATE TABLE taxonomy_term (
	id TEXT PRIMARY KEY,
	taxonomy_id TEXT REFERENCES taxonomy(id),
	parent_id TEXT,
	code TEXT,
	name TEXT NOT NULL,
	description TEXT NOT NULL,
	term_uri TEXT,
	language TEXT
);
CREATE INDEX taxonomy_term_taxonomy ON taxonomy_term(taxonomy_id);
CREATE INDEX taxonomy_term_parent ON taxonomy_term(parent_id);

-- The change feed every kith process follows to keep its search index in
-- step with the database.
CREATE TABLE directory_change (
	seq ID_PK,
	service_id TEXT NOT NULL,
	at BIGINT NOT NULL
);

-- One-click "yes, it is still running" links sent to organisers.
CREATE TABLE service_check (
	token_hash TEXT PRIMARY KEY,
	service_id TEXT NOT NULL REFERENCES service(id) ON DELETE CASCADE,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	used_at BIGINT
);
CREATE INDEX service_check_service ON service_check(service_id);
