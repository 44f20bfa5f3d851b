-- 0006_referrals: social prescribing referrals, the people they are for,
-- consent per purpose, and every step of the loop as an event.
--
-- A referred person need not have an account: client is their record,
-- held for the referral. When someone registers and verifies the same
-- email address, the record becomes theirs (client.account_id).

CREATE TABLE client (
	id TEXT PRIMARY KEY,                                  -- UUID (FHIR Patient id)
	account_id BIGINT REFERENCES person(id) ON DELETE SET NULL,
	name TEXT NOT NULL,
	email TEXT,
	email_lower TEXT,
	phone TEXT,
	address TEXT,                                         -- for contact by post
	contact_by TEXT NOT NULL CHECK (contact_by IN ('email', 'phone', 'post', 'link_worker')),
	access_needs TEXT,                                    -- accessibility needs, in their words
	language TEXT,                                        -- preferred language (ISO 639-1 code)
	birth_date TEXT,                                      -- YYYY-MM-DD
	nhs_number TEXT,                                      -- ten digits, check digit valid
	created_by BIGINT REFERENCES person(id) ON DELETE SET NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	erased_at BIGINT                                      -- erased: the row keeps only its id
);
CREATE INDEX client_account ON client(account_id);
CREATE INDEX client_email ON client(email_lower);
CREATE INDEX client_creator ON client(created_by);

-- Consent per purpose: share (details with the receiving organisation),
-- contact (by email or SMS about the referral), outcome (how it went, with
-- the referrer). A withdrawal sets withdrawn_at; giving it again is a new
-- row, so the history stays.
CREATE TABLE consent (
	id ID_PK,
	client_id TEXT NOT NULL REFERENCES client(id) ON DELETE CASCADE,
	purpose TEXT NOT NULL CHECK (purpose IN ('share', 'contact', 'outcome')),
	method TEXT NOT NULL CHECK (method IN ('verbal', 'written', 'online')),
	recorded_by BIGINT REFERENCES person(id) ON DELETE SET NULL,
	given_at BIGINT NOT NULL,
	withdrawn_at BIGINT,
	withdrawn_by BIGINT REFERENCES person(id) ON DELETE SET NULL
);
CREATE INDEX consent_client ON consent(client_id, purpose);

CREATE TABLE referral (
	id TEXT PRIMARY KEY,                                  -- UUID (FHIR ServiceRequest and Task id)
	client_id TEXT NOT NULL REFERENCES client(id) ON DELETE CASCADE,
	source TEXT NOT NULL CHECK (source IN ('link_worker', 'gp_practice', 'organiser', 'self', 'external')),
	referrer_id BIGINT REFERENCES person(id) ON DELETE SET NULL,  -- NULL: a visitor referring themself
	target_type TEXT NOT NULL CHECK (target_type IN ('service', 'group', 'peer', 'help_request')),
	target_id TEXT NOT NULL,
	target_name TEXT NOT NULL,                            -- as it was when referred
	target_org_id TEXT REFERENCES organisation(id),       -- the receiving organisation
	category BIGINT NOT NULL DEFAULT 0,                   -- the target's directory categories (vocab.h), for reports
	status TEXT NOT NULL CHECK (status IN ('sent', 'accepted', 'declined', 'contacted',
		'attended', 'sustained', 'closed', 'withdrawn')),
	open_key TEXT,                                        -- person|type|target while open (person: NHS number, email, account or record), else NULL
	reason TEXT,                                          -- what matters to me, in the person's or referrer's words
	needs BIGINT NOT NULL DEFAULT 0,                      -- REF_NEED_* bits (referral.h)
	external_id TEXT,                                     -- the sending system's identifier (FHIR)
	sent_at BIGINT NOT NULL,
	accepted_at BIGINT,
	contacted_at BIGINT,
	attended_at BIGINT,
	sustained_at BIGINT,
	ended_at BIGINT,                                      -- declined, closed or withdrawn
	end_reason TEXT,                                      -- a code from the decline or close list
	follow_up_sent_at BIGINT,                             -- the referrer was reminded
	updated_at BIGINT NOT NULL
);
-- A second open referral of the same person to the same place is refused.
CREATE UNIQUE INDEX referral_open ON referral(open_key);
CREATE INDEX referral_client ON referral(client_id);
CREATE INDEX referral_referrer ON referral(referrer_id, status);
CREATE INDEX referral_org ON referral(target_org_id, status);
CREATE INDEX referral_status ON referral(status, sent_at);

CREATE TABLE referral_event (
	id ID_PK,
	referral_id TEXT NOT NULL REFERENCES referral(id) ON DELETE CASCADE,
	at BIGINT NOT NULL,
	actor_id BIGINT REFERENCES person(id) ON DELETE SET NULL,
	from_status TEXT,                                     -- NULL for the first event (sent)
	to_status TEXT NOT NULL,
	reason TEXT,                                          -- a code from the decline or close list
	note TEXT
);
CREATE INDEX referral_event_referral ON referral_event(referral_id, at);
