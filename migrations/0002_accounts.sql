-- 0002_accounts: people with accounts, their roles, sessions, API tokens,
-- one-time links, sign-in attempts, the audit log and the email outbox.
--
-- Times are Unix seconds written by kith. Tokens are stored only as the
-- hex SHA-256 of the token: a copy of the database lets nobody sign in.

CREATE TABLE organisation (
	id TEXT PRIMARY KEY,                 -- UUID, as Open Referral uses
	name TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);

CREATE TABLE person (
	id ID_PK,
	name TEXT NOT NULL,
	email TEXT,                          -- as typed; NULL once erased
	email_lower TEXT UNIQUE,             -- unique regardless of case
	phone TEXT,
	password_hash TEXT,                  -- Argon2id; NULL until a password is set
	email_verified_at BIGINT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	deactivated_at BIGINT,               -- hidden and silent until they sign in again
	delete_requested_at BIGINT,          -- asked to be deleted ...
	erase_after BIGINT,                  -- ... and will be erased after this
	erased_at BIGINT                     -- erased: the row keeps only its id
);

CREATE TABLE person_role (
	person_id BIGINT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
	role TEXT NOT NULL CHECK (role IN ('member', 'peer_supporter', 'organiser',
		'link_worker', 'coordinator', 'commissioner', 'admin')),
	org_id TEXT REFERENCES organisation(id),   -- organisers: which organisation
	granted_by BIGINT REFERENCES person(id),
	granted_at BIGINT NOT NULL,
	PRIMARY KEY (person_id, role)
);
CREATE INDEX person_role_role ON person_role(role);

CREATE TABLE session (
	id ID_PK,
	person_id BIGINT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('browser', 'api')),
	token_hash TEXT NOT NULL UNIQUE,
	csrf_token TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	last_seen_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,          -- absolute end, whatever the activity
	revoked_at BIGINT,
	ip TEXT,
	user_agent TEXT
);
CREATE INDEX session_person ON session(person_id);

CREATE TABLE api_token (
	id ID_PK,
	person_id BIGINT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	prefix TEXT NOT NULL,                -- the first characters, to tell tokens apart
	created_at BIGINT NOT NULL,
	created_by BIGINT REFERENCES person(id),
	last_used_at BIGINT,
	revoked_at BIGINT
);
CREATE INDEX api_token_person ON api_token(person_id);

CREATE TABLE onetime (
	id ID_PK,
	person_id BIGINT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
	purpose TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'set_password')),
	token_hash TEXT NOT NULL UNIQUE,
	email TEXT,                          -- verify_email: the address being verified
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	used_at BIGINT
);
CREATE INDEX onetime_person ON onetime(person_id, purpose);

CREATE TABLE auth_attempt (
	id ID_PK,
	key TEXT NOT NULL,                   -- what is limited: a purpose and a hashed subject
	at BIGINT NOT NULL
);
CREATE INDEX auth_attempt_key ON auth_attempt(key, at);

-- Append-only (0003 adds the guard). actor_id and subject_id are plain
-- numbers, not foreign keys: erased people keep their id, and the trail
-- about them stays.
CREATE TABLE audit (
	id ID_PK,
	at BIGINT NOT NULL,
	actor_id BIGINT,                     -- who; NULL for a visitor or kith itself
	action TEXT NOT NULL,                -- "login", "login.failed", "role.grant", "person.read", ...
	subject_id BIGINT,                   -- whose record it is about
	detail TEXT,                         -- short; never a secret or a health detail
	ip TEXT,
	request_id TEXT
);
CREATE INDEX audit_at ON audit(at);
CREATE INDEX audit_subject ON audit(subject_id, at);
CREATE INDEX audit_actor ON audit(actor_id, at);
CREATE INDEX audit_action ON audit(action, at);

CREATE TABLE outbox (
	id ID_PK,
	to_addr TEXT NOT NULL,
	subject TEXT NOT NULL,
	body_text TEXT NOT NULL,
	body_html TEXT,
	template TEXT NOT NULL,              -- which email this is
	person_id BIGINT REFERENCES person(id) ON DELETE SET NULL,
	created_at BIGINT NOT NULL,
	not_before BIGINT NOT NULL,          -- next attempt
	attempts BIGINT NOT NULL DEFAULT 0,
	lease_until BIGINT,                  -- claimed by a worker until then
	lease_owner TEXT,
	last_error TEXT,
	sent_at BIGINT,
	failed_at BIGINT                     -- gave up after outbox_max_tries
);
CREATE INDEX outbox_due ON outbox(sent_at, failed_at, not_before);
