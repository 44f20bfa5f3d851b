-- 0014_peer: peer support. People who have lived with a condition (or
-- cared for someone who has) offer to support someone newly living with
-- it; a coordinator records their checks and approves them; people ask
-- for a peer (or a link worker asks for them); the matching engine
-- (src/match/) proposes pairs, the peer is offered the match and has a
-- set time to answer; matched pairs message inside kith, the peer logs
-- each contact, and either side can end the match or raise a concern.
--
-- Sets of terms (conditions and languages from the directory's
-- vocabularies, topics and what someone would like from the peer
-- vocabularies in src/peer/) are bits, one a term, as a referral's needs
-- are. Ways of meeting and times are the bits of src/match/rules.h
-- (MATCH_WAY_BIT, MATCH_SLOT). Days are UK days as YYYY-MM-DD.

CREATE TABLE peer_supporter (
	person_id BIGINT PRIMARY KEY REFERENCES person(id) ON DELETE CASCADE,
	state TEXT NOT NULL CHECK (state IN ('applied', 'approved', 'paused', 'stood_down')),
	conditions BIGINT NOT NULL,
	topics BIGINT NOT NULL,
	languages BIGINT NOT NULL,
	district TEXT,                         -- postcode district ("DN15"), or NULL: not said
	ways BIGINT NOT NULL,
	slots BIGINT NOT NULL,
	capacity BIGINT NOT NULL CHECK (capacity BETWEEN 1 AND 10),
	gender TEXT NOT NULL CHECK (gender IN ('', 'woman', 'man', 'other')),
	intro TEXT NOT NULL,                   -- in their own words
	away_until TEXT,                       -- paused by themself until this day (inclusive)
	paused_why TEXT CHECK (paused_why IS NULL OR paused_why IN ('self', 'coordinator', 'unanswered')),
	applied_at BIGINT NOT NULL,
	decided_at BIGINT,                     -- approved, paused or stood down last
	decided_by BIGINT REFERENCES person(id) ON DELETE SET NULL,
	last_offer_at BIGINT,
	last_response_at BIGINT,               -- answered an offer or wrote to someone last
	unanswered BIGINT NOT NULL DEFAULT 0,  -- offers left to run out in a row
	updated_at BIGINT NOT NULL
);
CREATE INDEX peer_supporter_state ON peer_supporter(state);

-- Trust steps, each recorded by a coordinator: what was checked, on what
-- day, by whom. detail: a referee's relation ("former manager"), the
-- training's name, the DBS level ('basic', 'standard', 'enhanced'). Never
-- a certificate number.
CREATE TABLE peer_check (
	id ID_PK,
	person_id BIGINT NOT NULL REFERENCES peer_supporter(person_id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('identity', 'reference', 'training', 'dbs')),
	done_on TEXT NOT NULL,
	detail TEXT,
	checked_by BIGINT REFERENCES person(id) ON DELETE SET NULL,
	recorded_at BIGINT NOT NULL
);
CREATE INDEX peer_check_person ON peer_check(person_id, kind);

-- Someone asking for a peer, for themself or through a link worker
-- (made_by). state: waiting (in the pool), offered (a peer has been
-- offered it), matched, ended, withdrawn.
CREATE TABLE peer_request (
	id TEXT PRIMARY KEY,                   -- UUID
	person_id BIGINT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
	made_by BIGINT REFERENCES person(id) ON DELETE SET NULL,
	conditions BIGINT NOT NULL,
	topics BIGINT NOT NULL,
	wants BIGINT NOT NULL,
	language TEXT,                         -- ISO 639-1 code asked for, or NULL
	ways BIGINT NOT NULL,
	slots BIGINT NOT NULL,
	district TEXT,
	max_miles BIGINT NOT NULL,
	prefers TEXT NOT NULL CHECK (prefers IN ('', 'woman', 'man')),
	about TEXT,                            -- anything else, in their words (coordinators and, once matched, the peer)
	state TEXT NOT NULL CHECK (state IN ('waiting', 'offered', 'matched', 'ended', 'withdrawn')),
	why_none TEXT,                         -- why nobody fits, when the last run found nobody
	created_at BIGINT NOT NULL,
	waiting_since BIGINT NOT NULL,         -- back in the pool since
	updated_at BIGINT NOT NULL
);
CREATE INDEX peer_request_person ON peer_request(person_id);
CREATE INDEX peer_request_state ON peer_request(state, waiting_since);

-- A proposed pair and what became of it. offered: waiting for the peer's
-- answer until expires_at; accepted: matched; declined, expired,
-- withdrawn (a later run found a better peer, or the request went): over
-- before it began; ended: matched and then ended by either side.
CREATE TABLE peer_match (
	id TEXT PRIMARY KEY,                   -- UUID
	request_id TEXT NOT NULL REFERENCES peer_request(id) ON DELETE CASCADE,
	person_id BIGINT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
	peer_id BIGINT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
	state TEXT NOT NULL CHECK (state IN ('offered', 'accepted', 'declined', 'expired',
		'withdrawn', 'ended')),
	cost BIGINT NOT NULL,
	reasons TEXT NOT NULL,
	offered_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	reminded_at BIGINT,
	answered_at BIGINT,
	ended_at BIGINT,
	ended_by BIGINT REFERENCES person(id) ON DELETE SET NULL,
	person_shares BIGINT NOT NULL DEFAULT 0,   -- the person chose to share their contact details
	peer_shares BIGINT NOT NULL DEFAULT 0,
	person_helpful BIGINT,                 -- 1..4, when the person ended it or said
	person_words TEXT,
	peer_helpful BIGINT,
	peer_words TEXT
);
CREATE UNIQUE INDEX peer_match_live ON peer_match(request_id) WHERE state IN ('offered', 'accepted');
CREATE INDEX peer_match_peer ON peer_match(peer_id, state);
CREATE INDEX peer_match_person ON peer_match(person_id, state);
CREATE INDEX peer_match_expiry ON peer_match(state, expires_at);

CREATE TABLE peer_message (
	id ID_PK,
	match_id TEXT NOT NULL REFERENCES peer_match(id) ON DELETE CASCADE,
	sender_id BIGINT REFERENCES person(id) ON DELETE SET NULL,
	body TEXT NOT NULL,
	sent_at BIGINT NOT NULL
);
CREATE INDEX peer_message_match ON peer_message(match_id, sent_at);

-- Each contact, logged by the peer: the time given (minutes) is what the
-- timebank and the reports count.
CREATE TABLE peer_contact (
	id ID_PK,
	match_id TEXT NOT NULL REFERENCES peer_match(id) ON DELETE CASCADE,
	peer_id BIGINT REFERENCES person(id) ON DELETE SET NULL,
	happened_on TEXT NOT NULL,
	way TEXT NOT NULL CHECK (way IN ('phone', 'video', 'message', 'in_person')),
	minutes BIGINT NOT NULL CHECK (minutes BETWEEN 1 AND 600),
	note TEXT,                             -- for their supervisor (coordinators), never the person
	logged_at BIGINT NOT NULL
);
CREATE INDEX peer_contact_match ON peer_contact(match_id, happened_on);

-- A concern either side raised: to the coordinators at once.
CREATE TABLE peer_concern (
	id ID_PK,
	match_id TEXT NOT NULL REFERENCES peer_match(id) ON DELETE CASCADE,
	raised_by BIGINT REFERENCES person(id) ON DELETE SET NULL,
	body TEXT NOT NULL,
	raised_at BIGINT NOT NULL,
	seen_by BIGINT REFERENCES person(id) ON DELETE SET NULL,
	seen_at BIGINT
);
CREATE INDEX peer_concern_open ON peer_concern(seen_at, raised_at);
