-- 0001_core: facts about this kith instance itself.
-- meta holds small key/value facts: the instance id, when demo data was
-- last seeded, the version that created the database.
CREATE TABLE meta (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL,
	updated_at BIGINT NOT NULL
);
