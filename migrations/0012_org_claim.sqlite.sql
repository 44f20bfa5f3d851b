-- 0012_org_claim (SQLite): organisations with nobody on kith. A referral
-- to one lands on the coordinators' list of organisations to bring on
-- (org_bring_on), and the organisation's contact address gets a one-time
-- link to claim it. The link is a onetime row like every other single-use
-- link: onetime now holds links for an organisation (org_id, purpose
-- claim_org) as well as for a person, exactly one of the two. SQLite cannot
-- change a column's constraints, so onetime is rebuilt (nothing references
-- it, so the rebuild loses nothing).
CREATE TABLE onetime_new (
	id ID_PK,
	person_id BIGINT REFERENCES person(id) ON DELETE CASCADE,
	org_id TEXT REFERENCES organisation(id) ON DELETE CASCADE,
	purpose TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'set_password',
		'claim_org')),
	token_hash TEXT NOT NULL UNIQUE,
	email TEXT,                          -- verify_email: the address being verified
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	used_at BIGINT,
	CHECK ((person_id IS NULL) <> (org_id IS NULL))
);
INSERT INTO onetime_new (id, person_id, purpose, token_hash, email, created_at, expires_at, used_at)
	SELECT id, person_id, purpose, token_hash, email, created_at, expires_at, used_at FROM onetime;
DROP TABLE onetime;
ALTER TABLE onetime_new RENAME TO onetime;
CREATE INDEX onetime_person ON onetime(person_id, purpose);
CREATE INDEX onetime_org ON onetime(org_id, purpose);

-- One row an organisation that was needed while nobody was on kith for it.
CREATE TABLE org_bring_on (
	org_id TEXT PRIMARY KEY REFERENCES organisation(id) ON DELETE CASCADE,
	first_needed_at BIGINT NOT NULL,     -- the first referral that found nobody
	last_needed_at BIGINT NOT NULL,
	waiting BIGINT NOT NULL DEFAULT 0,   -- referrals made to it while nobody was on kith
	state TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'sent', 'claimed')),
	sent_at BIGINT,                      -- the newest claim link was sent then ...
	sent_to TEXT,                        -- ... to this address
	sends BIGINT NOT NULL DEFAULT 0,     -- claim links sent in all
	claimed_at BIGINT,
	claimed_by BIGINT REFERENCES person(id) ON DELETE SET NULL
);
CREATE INDEX org_bring_on_state ON org_bring_on(state, first_needed_at);
