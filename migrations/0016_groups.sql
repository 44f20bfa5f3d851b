-- 0016_groups: groups and their sessions. A group is the community side
-- of a directory service (a Breathe Easy group, a health walk): its
-- hosts, members, welcome and members-only details, its sessions, who is
-- going to each, and the register of who came. A group's id is its
-- service's id, and its sessions come from the service's schedules
-- (service.scheds), so the directory, the events API and the group agree
-- on when it meets.
--
-- A session is known by its key: the UK day it falls on in the schedule
-- (YYYY-MM-DD). A session that is not just its schedule's has a
-- group_session row: a one-off, or a day of the schedule cancelled, moved
-- or somewhere else (its key stays the day it was, iCalendar's
-- RECURRENCE-ID). Days are UK days as YYYY-MM-DD; times are minutes after
-- midnight, NULL when not known.

CREATE TABLE community_group (
	service_id TEXT PRIMARY KEY REFERENCES service(id) ON DELETE CASCADE,
	organisation_id TEXT NOT NULL REFERENCES organisation(id),
	welcome TEXT NOT NULL DEFAULT '',          -- to someone thinking of coming
	who_for TEXT NOT NULL DEFAULT '',
	members_only TEXT NOT NULL DEFAULT '',     -- details only members and hosts see
	capacity BIGINT CHECK (capacity IS NULL OR capacity BETWEEN 1 AND 1000),  -- people a session
	show_count BIGINT NOT NULL DEFAULT 0,      -- 1: the public sees how many are going
	sensitive BIGINT NOT NULL DEFAULT 1,       -- 1: a host's message is emailed as "there is a message"
	state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
	created_at BIGINT NOT NULL,
	created_by BIGINT REFERENCES person(id) ON DELETE SET NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX community_group_org ON community_group(organisation_id);

-- Hosts run the group's sessions and register: its organisation's
-- organisers always may; these are the people named (peer supporters,
-- volunteers with an account).
CREATE TABLE group_host (
	service_id TEXT NOT NULL REFERENCES community_group(service_id) ON DELETE CASCADE,
	person_id BIGINT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
	added_at BIGINT NOT NULL,
	added_by BIGINT REFERENCES person(id) ON DELETE SET NULL,
	PRIMARY KEY (service_id, person_id)
);
CREATE INDEX group_host_person ON group_host(person_id);

CREATE TABLE group_member (
	service_id TEXT NOT NULL REFERENCES community_group(service_id) ON DELETE CASCADE,
	person_id BIGINT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
	joined_at BIGINT NOT NULL,
	PRIMARY KEY (service_id, person_id)
);
CREATE INDEX group_member_person ON group_member(person_id);

CREATE TABLE group_session (
	service_id TEXT NOT NULL REFERENCES community_group(service_id) ON DELETE CASCADE,
	skey TEXT NOT NULL,                        -- the day it has in the schedule (a one-off: its day)
	kind TEXT NOT NULL CHECK (kind IN ('one_off', 'changed')),
	state TEXT NOT NULL CHECK (state IN ('on', 'cancelled')),
	day TEXT NOT NULL,                         -- the day it is on now (moved: the new day)
	opens BIGINT,
	closes BIGINT,
	title TEXT,                                -- a one-off's name ("Christmas lunch")
	place TEXT,                                -- somewhere else: the address, in words
	postcode TEXT,
	latitude DOUBLE PRECISION,                 -- the postcode's centre, when known (the events API's distance)
	longitude DOUBLE PRECISION,
	note TEXT,                                 -- what is different, in the host's words
	sequence BIGINT NOT NULL DEFAULT 0,        -- iCalendar SEQUENCE: 1 more each change
	updated_at BIGINT NOT NULL,
	updated_by BIGINT REFERENCES person(id) ON DELETE SET NULL,
	PRIMARY KEY (service_id, skey)
);
CREATE INDEX group_session_day ON group_session(day);
CREATE INDEX group_session_skey ON group_session(skey);

-- "I'm going": going, or waiting for a place (in order of at). series: made
-- by "every session" (group_series), so stopping that removes it.
-- reminded_at: the day-before reminder went (sent once).
CREATE TABLE group_rsvp (
	service_id TEXT NOT NULL REFERENCES community_group(service_id) ON DELETE CASCADE,
	skey TEXT NOT NULL,
	person_id BIGINT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
	state TEXT NOT NULL CHECK (state IN ('going', 'waiting')),
	series BIGINT NOT NULL DEFAULT 0,
	at BIGINT NOT NULL,
	reminded_at BIGINT,
	PRIMARY KEY (service_id, skey, person_id)
);
CREATE INDEX group_rsvp_person ON group_rsvp(person_id, skey);
CREATE INDEX group_rsvp_session ON group_rsvp(service_id, skey, state, at);
CREATE INDEX group_rsvp_remind ON group_rsvp(skey, state, reminded_at);

-- "I'm going to every session": kept up to group_series_weeks ahead by the
-- groups job, from the day it was said; a session the person said they
-- would miss is remembered (skipped) so the job does not add it again.
CREATE TABLE group_series (
	service_id TEXT NOT NULL REFERENCES community_group(service_id) ON DELETE CASCADE,
	person_id BIGINT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
	since BIGINT NOT NULL,
	PRIMARY KEY (service_id, person_id)
);
CREATE INDEX group_series_person ON group_series(person_id);
CREATE TABLE group_series_skip (
	service_id TEXT NOT NULL REFERENCES community_group(service_id) ON DELETE CASCADE,
	skey TEXT NOT NULL,
	person_id BIGINT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
	PRIMARY KEY (service_id, skey, person_id)
);

-- The register of a session that was held: taken on the day, or typed in
-- later from paper (paper = 1) with the day it was.
CREATE TABLE group_register (
	service_id TEXT NOT NULL REFERENCES community_group(service_id) ON DELETE CASCADE,
	skey TEXT NOT NULL,
	held_on TEXT NOT NULL,
	paper BIGINT NOT NULL DEFAULT 0,
	taken_by BIGINT REFERENCES person(id) ON DELETE SET NULL,
	taken_at BIGINT NOT NULL,
	PRIMARY KEY (service_id, skey)
);
CREATE INDEX group_register_held ON group_register(held_on);

-- Who came: someone with an account, someone referred (their referral's
-- record), or a walk-in by name.
CREATE TABLE group_attendance (
	id ID_PK,
	service_id TEXT NOT NULL,
	skey TEXT NOT NULL,
	person_id BIGINT REFERENCES person(id) ON DELETE CASCADE,
	client_id TEXT REFERENCES client(id) ON DELETE CASCADE,
	walk_in TEXT,
	recorded_by BIGINT REFERENCES person(id) ON DELETE SET NULL,
	recorded_at BIGINT NOT NULL,
	FOREIGN KEY (service_id, skey) REFERENCES group_register(service_id, skey) ON DELETE CASCADE,
	CHECK ((person_id IS NOT NULL AND client_id IS NULL AND walk_in IS NULL)
	    OR (person_id IS NULL AND client_id IS NOT NULL AND walk_in IS NULL)
	    OR (person_id IS NULL AND client_id IS NULL AND walk_in IS NOT NULL))
);
CREATE UNIQUE INDEX group_attendance_person ON group_attendance(service_id, skey, person_id);
CREATE UNIQUE INDEX group_attendance_client ON group_attendance(service_id, skey, client_id);
CREATE INDEX group_attendance_of ON group_attendance(person_id);
CREATE INDEX group_attendance_client_of ON group_attendance(client_id);

-- A host's message to every member.
CREATE TABLE group_message (
	id ID_PK,
	service_id TEXT NOT NULL REFERENCES community_group(service_id) ON DELETE CASCADE,
	author_id BIGINT REFERENCES person(id) ON DELETE SET NULL,
	body TEXT NOT NULL,
	sent_at BIGINT NOT NULL
);
CREATE INDEX group_message_group ON group_message(service_id, sent_at);

-- A person's private calendar feed: the URL holds a random token, this
-- its SHA-256; a new one replaces it (the old URL stops working).
CREATE TABLE calendar_feed (
	person_id BIGINT PRIMARY KEY REFERENCES person(id) ON DELETE CASCADE,
	token_hash TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL
);
