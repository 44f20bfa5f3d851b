-- 0017_talk: conversations. Online peer support spaces (per condition, per
-- group for its members, for carers), their topics and posts, "me too"
-- and "thank you", edits with their history, who follows what, display
-- names, and the safety around them: flags (from people, from the crisis
-- classifier, from held links and watched words), moderators per space,
-- what moderators did and the plain words the writer was told, watched
-- words, and private messages between a person and the moderators.
--
-- Peers see a display name only (talk_profile.display_name); moderators
-- may look up who it is, and each look is audited. Times are Unix seconds.

-- A space. kind: condition (condition is the directory's vocabulary code,
-- "copd"), group (service_id: only the group's members, hosts and its
-- organisation's organisers read it), carers, general. state: open, or
-- closed (read only).
CREATE TABLE talk_space (
	id ID_PK,
	slug TEXT NOT NULL UNIQUE,                 -- in its address: /talk/living-with-copd
	kind TEXT NOT NULL CHECK (kind IN ('condition', 'group', 'carers', 'general')),
	name TEXT NOT NULL,
	about TEXT NOT NULL DEFAULT '',
	condition TEXT,                            -- kind condition: the vocabulary code
	service_id TEXT REFERENCES community_group(service_id) ON DELETE CASCADE,
	state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
	topics_n BIGINT NOT NULL DEFAULT 0,
	last_post_at BIGINT,
	created_at BIGINT NOT NULL,
	created_by BIGINT REFERENCES person(id) ON DELETE SET NULL,
	CHECK ((kind = 'group') = (service_id IS NOT NULL))
);
CREATE UNIQUE INDEX talk_space_group ON talk_space(service_id);

-- How a person appears in conversations, and how far they are trusted.
-- trusted: 1 once a moderator (or time: talk_trust_days after the
-- account was made) trusts them; until then a few posts a day, links
-- held for review, no private messages. muted_until: no posting until
-- then. suspended: no posting at all until lifted. notify: how followed
-- topics and spaces are told ('instant', 'daily', 'off').
CREATE TABLE talk_profile (
	person_id BIGINT PRIMARY KEY REFERENCES person(id) ON DELETE CASCADE,
	display_name TEXT NOT NULL,
	name_key TEXT NOT NULL UNIQUE,             -- display_name folded, so two people cannot look alike
	trusted BIGINT NOT NULL DEFAULT 0,
	trusted_by BIGINT REFERENCES person(id) ON DELETE SET NULL,
	muted_until BIGINT,
	suspended BIGINT NOT NULL DEFAULT 0,
	on_duty BIGINT NOT NULL DEFAULT 0,         -- a moderator who is told of urgent flags at once
	notify TEXT NOT NULL DEFAULT 'daily' CHECK (notify IN ('instant', 'daily', 'off')),
	digest_at BIGINT,                          -- the last daily digest went then
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);

-- Peers given the moderator role for a space (coordinators moderate every
-- space).
CREATE TABLE talk_moderator (
	space_id BIGINT NOT NULL REFERENCES talk_space(id) ON DELETE CASCADE,
	person_id BIGINT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
	added_at BIGINT NOT NULL,
	added_by BIGINT REFERENCES person(id) ON DELETE SET NULL,
	PRIMARY KEY (space_id, person_id)
);
CREATE INDEX talk_moderator_person ON talk_moderator(person_id);

-- A topic: its title and the posts under it (the first is its opening).
CREATE TABLE talk_topic (
	id ID_PK,
	space_id BIGINT NOT NULL REFERENCES talk_space(id) ON DELETE CASCADE,
	person_id BIGINT REFERENCES person(id) ON DELETE SET NULL,
	title TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('open', 'locked', 'hidden')),
	posts_n BIGINT NOT NULL DEFAULT 0,         -- visible posts, the opening one included
	created_at BIGINT NOT NULL,
	last_post_at BIGINT NOT NULL
);
CREATE INDEX talk_topic_space ON talk_topic(space_id, last_post_at);

-- A post. state: visible; held (waiting for a moderator: a new account's
-- link, a watched word); hidden (by a moderator; hidden_note says why, in
-- words the writer is shown). signposted: the writer was shown where to
-- get help (the crisis classifier). quote_of: the post it quotes.
-- search: the body folded to lowercase words, for search within spaces.
CREATE TABLE talk_post (
	id ID_PK,
	topic_id BIGINT NOT NULL REFERENCES talk_topic(id) ON DELETE CASCADE,
	space_id BIGINT NOT NULL REFERENCES talk_space(id) ON DELETE CASCADE,
	person_id BIGINT REFERENCES person(id) ON DELETE SET NULL,
	body TEXT NOT NULL,
	search TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL CHECK (state IN ('visible', 'held', 'hidden')),
	signposted BIGINT NOT NULL DEFAULT 0,
	quote_of BIGINT REFERENCES talk_post(id) ON DELETE SET NULL,
	metoo_n BIGINT NOT NULL DEFAULT 0,
	thanks_n BIGINT NOT NULL DEFAULT 0,
	edits_n BIGINT NOT NULL DEFAULT 0,
	hidden_note TEXT,
	created_at BIGINT NOT NULL,
	edited_at BIGINT
);
CREATE INDEX talk_post_topic ON talk_post(topic_id, id);
CREATE INDEX talk_post_person ON talk_post(person_id, created_at);
CREATE INDEX talk_post_space ON talk_post(space_id, id);

-- What a post said before each edit, for moderators. by: the writer, or
-- the moderator who edited it (note: why, which the writer is told).
CREATE TABLE talk_post_edit (
	id ID_PK,
	post_id BIGINT NOT NULL REFERENCES talk_post(id) ON DELETE CASCADE,
	body TEXT NOT NULL,                        -- the words before this edit
	edited_by BIGINT REFERENCES person(id) ON DELETE SET NULL,
	note TEXT,
	edited_at BIGINT NOT NULL
);
CREATE INDEX talk_post_edit_post ON talk_post_edit(post_id, id);

-- "Me too" and "thank you": one of each per person per post.
CREATE TABLE talk_reaction (
	post_id BIGINT NOT NULL REFERENCES talk_post(id) ON DELETE CASCADE,
	person_id BIGINT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('metoo', 'thanks')),
	created_at BIGINT NOT NULL,
	PRIMARY KEY (post_id, person_id, kind)
);

-- Following a topic or a space. seen_post: the newest post id the person
-- has been told of (or read), so a notification tells only of newer ones.
CREATE TABLE talk_follow (
	id ID_PK,
	person_id BIGINT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
	space_id BIGINT REFERENCES talk_space(id) ON DELETE CASCADE,
	topic_id BIGINT REFERENCES talk_topic(id) ON DELETE CASCADE,
	seen_post BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	CHECK ((space_id IS NULL) <> (topic_id IS NULL))
);
CREATE UNIQUE INDEX talk_follow_space ON talk_follow(person_id, space_id);
CREATE UNIQUE INDEX talk_follow_topic ON talk_follow(person_id, topic_id);
CREATE INDEX talk_follow_topic_of ON talk_follow(topic_id);
CREATE INDEX talk_follow_space_of ON talk_follow(space_id);

-- A flag on a post. by: who raised it (NULL: kith itself: the crisis
-- classifier, a held link, a watched word). reason: crisis, unkind,
-- unsafe_advice, personal_details, spam, other; held (waiting because of
-- a link or watched word). urgency: 2 urgent (the top of the queue), 1
-- normal, 0 low. The queue is open flags by urgency, then age.
CREATE TABLE talk_flag (
	id ID_PK,
	post_id BIGINT NOT NULL REFERENCES talk_post(id) ON DELETE CASCADE,
	space_id BIGINT NOT NULL REFERENCES talk_space(id) ON DELETE CASCADE,
	by_person BIGINT REFERENCES person(id) ON DELETE SET NULL,
	reason TEXT NOT NULL CHECK (reason IN ('crisis', 'unkind', 'unsafe_advice', 'personal_details',
		'spam', 'other', 'held')),
	note TEXT,                                 -- the flagger's words, or why kith held it
	urgency BIGINT NOT NULL CHECK (urgency BETWEEN 0 AND 2),
	state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
	alerted_at BIGINT,                         -- moderators on duty were told (urgent flags)
	created_at BIGINT NOT NULL,
	closed_at BIGINT,
	closed_by BIGINT REFERENCES person(id) ON DELETE SET NULL
);
CREATE INDEX talk_flag_queue ON talk_flag(state, urgency, created_at);
CREATE INDEX talk_flag_post ON talk_flag(post_id);
CREATE UNIQUE INDEX talk_flag_once ON talk_flag(post_id, by_person, reason);

-- What a moderator did and what the person was told (in plain words,
-- shown on their notices page and emailed without the post's text).
-- kind: hide, restore, edit, warn, mute, suspend, unsuspend, trust,
-- approve (a held post), reply (to a private message).
CREATE TABLE talk_notice (
	id ID_PK,
	person_id BIGINT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	post_id BIGINT REFERENCES talk_post(id) ON DELETE SET NULL,
	by_person BIGINT REFERENCES person(id) ON DELETE SET NULL,
	words TEXT NOT NULL,
	until_at BIGINT,                           -- mute: until then
	created_at BIGINT NOT NULL,
	read_at BIGINT
);
CREATE INDEX talk_notice_person ON talk_notice(person_id, id);

-- Watched words, set by coordinators: a post with one is held for review,
-- or has it replaced (replacement; the words before are kept in the
-- post's history for moderators).
CREATE TABLE talk_watched (
	word TEXT PRIMARY KEY,                     -- lowercase
	action TEXT NOT NULL CHECK (action IN ('hold', 'replace')),
	replacement TEXT,
	added_by BIGINT REFERENCES person(id) ON DELETE SET NULL,
	added_at BIGINT NOT NULL
);

-- Private messages between a person and the moderators (as a team):
-- person_id is whose conversation it is; from_moderator says which side
-- wrote (by_person: the moderator, seen only by moderators).
CREATE TABLE talk_modmail (
	id ID_PK,
	person_id BIGINT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
	from_moderator BIGINT NOT NULL DEFAULT 0,
	by_person BIGINT REFERENCES person(id) ON DELETE SET NULL,
	body TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	answered BIGINT NOT NULL DEFAULT 0         -- a moderator has answered (person's messages)
);
CREATE INDEX talk_modmail_person ON talk_modmail(person_id, id);
CREATE INDEX talk_modmail_open ON talk_modmail(from_moderator, answered, created_at);
