-- 0007_audit_retention (PostgreSQL): the audit log keeps entries for
-- audit_retention_days. It stays append-only, but for one thing: the
-- purge job may delete entries older than a cutoff it first writes into
-- audit_purge, in the same transaction, and sets back to 0 before
-- committing. A delete of anything newer is refused as before.
CREATE TABLE audit_purge (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	before_at BIGINT NOT NULL DEFAULT 0
);
INSERT INTO audit_purge (id, before_at) VALUES (1, 0);
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' AND OLD.at < (SELECT before_at FROM audit_purge WHERE id = 1) THEN
		RETURN OLD;
	END IF;
	RAISE EXCEPTION 'the audit log is append-only';
END
$$;
-- Repeated reads of one record by one person are folded together: the
-- check looks up the person's latest entries for the action.
CREATE INDEX audit_actor_action ON audit(actor_id, action, at);
