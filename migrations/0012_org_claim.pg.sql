-- 0012_org_claim (PostgreSQL): organisations with nobody on kith. A
-- referral to one lands on the coordinators' list of organisations to
-- bring on (org_bring_on), and the organisation's contact address gets a
-- one-time link to claim it. The link is a onetime row like every other
-- single-use link: onetime now holds links for an organisation (org_id,
-- purpose claim_org) as well as for a person, exactly one of the two.
ALTER TABLE onetime ALTER COLUMN person_id DROP NOT NULL;
ALTER TABLE onetime ADD COLUMN org_id TEXT REFERENCES organisation(id) ON DELETE CASCADE;
ALTER TABLE onetime DROP CONSTRAINT onetime_purpose_check;
ALTER TABLE onetime ADD CONSTRAINT onetime_purpose_check CHECK (purpose IN ('verify_email',
	'reset_password', 'set_password', 'claim_org'));
ALTER TABLE onetime ADD CONSTRAINT onetime_subject_check
	CHECK ((person_id IS NULL) <> (org_id IS NULL));
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
