/*
 * talk.h (src/talk/) - conversations: online peer support spaces that are
 * kind, safe and quick to moderate, with crisis signposting (issue 13).
 * migrations/0017_talk.sql holds the tables.
 *
 * Spaces: per condition ("Living with COPD"), per group (its members,
 * hosts and organisation's organisers only), for carers, general. A space
 * has topics; a topic has posts (the first is its opening). People react
 * to a post with "me too" and "thank you" (the writer sees the counts;
 * there is no leaderboard), quote one, edit their own within
 * talk_edit_minutes (each edit keeps what it replaced, for moderators),
 * and search within a space. Posts are Markdown (view/markdown.h: no raw
 * HTML, links rel="nofollow ugc").
 *
 * People appear by the display name they choose (talk_profile); peers see
 * only that. Moderators may look up who it is (talk_reveal), and the look
 * is audited.
 *
 * Safety, on every new post and edit (talk_post_create, talk_post_edit):
 *   - the crisis classifier (safety/crisis.h): a post that reads as its
 *     writer at risk is published, marked signposted (its writer is shown
 *     where to get help now, on the page) and, when urgent, flagged at the
 *     top of the moderation queue; moderators on duty are emailed at once
 *     (the worker sends within seconds; the talk job re-sends any missed
 *     within a minute);
 *   - an account that is not yet trusted (talk_trust_days since it was
 *     made, or a moderator's word) may post talk_new_posts_per_day a day,
 *     and a post of theirs with a link is held for review;
 *   - watched words (talk_watched_*) hold a post for review, or are
 *     replaced (the words before are in the history);
 *   - a muted or suspended writer cannot post (ERR_FORBIDDEN, with the
 *     reason in words).
 * Flags from anyone with a reason; the queue orders open flags by urgency
 * then age. Moderators (coordinators everywhere, peers named per space)
 * hide, restore, edit with a note, warn, mute for a time, suspend; each is
 * audited ("talk.*") and tells the writer in plain words (a notice on
 * their page and an email that never carries a post's text).
 *
 * Following a topic or a space: an email "there are new replies in a
 * space you follow", at once (the talk job, every minute) or as a daily
 * digest (talk_digest_hour), never with the text.
 *
 * Private messages: inside a peer match (peer support's messages) and
 * between a person and the moderators (talk_modmail_*). An account that is
 * not yet trusted may still write to the moderators.
 *
 * Everything here takes now and a struct talk_env, never the app.
 */
#ifndef KITH_TALK_H
#define KITH_TALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/err.h"

struct actor;
struct db;
struct links;
struct mailer;

#define TALK_TITLE_MAX 120         /* characters */
#define TALK_BODY_MAX 20000        /* bytes: MARKDOWN_MAX and CRISIS_TEXT_MAX */
#define TALK_NAME_MIN 3            /* a display name, characters */
#define TALK_NAME_MAX 30
#define TALK_REASON_NOTE_MAX 500   /* a flag's or a moderator's note */
#define TALK_SLUG_MAX 60
#define TALK_SEARCH_MAX 100        /* characters of a search */
#define TALK_WORD_MAX 60           /* a watched word */
#define TALK_MUTE_DAYS_MAX 90

/* The feature's settings (kith.conf keys of the same names). */
struct talk_settings {
	int talk_edit_minutes;          /* a writer may edit a post this long after writing it */
	int talk_new_posts_per_day;     /* posts a day by an account not yet trusted */
	int talk_trust_days;            /* an account is trusted this many days after it was made */
	int talk_digest_hour;           /* daily digests go from this hour (UK time) */
	int talk_posts_per_page;        /* posts on a page of a topic */
	int talk_cache_mb;              /* pages of topics kept, per process (0: none) */
};
struct settings;
extern const struct settings talk_settings;

#define TALK_DEFAULT_EDIT_MINUTES 30
#define TALK_DEFAULT_NEW_POSTS 5
#define TALK_DEFAULT_TRUST_DAYS 7
#define TALK_DEFAULT_DIGEST_HOUR 18
#define TALK_DEFAULT_PER_PAGE 100

struct talk_env {
	const struct talk_settings *settings;   /* NULL: the defaults */
	struct mailer *mailer;                  /* NULL: no email (tests of the rules) */
	const struct links *links;
};

/* ---------------------------------------------------------------- people */

/* How a person appears and stands in conversations. */
struct talk_profile {
	int64_t person_id;
	char display_name[TALK_NAME_MAX * 4 + 1];   /* "" when they have not chosen one */
	bool trusted;                 /* by a moderator or by time */
	bool suspended;
	int64_t muted_until;          /* 0: not muted (or past) */
	bool on_duty;
	char notify[8];               /* "instant", "daily", "off" */
	int posts_today;              /* posts in the last 24 hours (0 once trusted: only counted for the
	                                 new accounts' limit) */
};

/* person_id's profile (a default one, display_name "", when they have
 * none). trusted is worked out with the account's age and now. */
enum err talk_profile_get(const struct talk_env *env, struct db *db, int64_t person_id, int64_t now,
		struct talk_profile *out);
/* Chooses a display name (TALK_NAME_MIN..MAX characters of letters,
 * digits, spaces, '-', '\'', '.', '_'; not an email address or a phone
 * number; not one someone else has, compared folded) and how followed
 * things are told ("instant", "daily", "off"). Appends {field, detail}
 * (fields "display_name", "notify") to errors; ERR_INVALID when any,
 * ERR_CONFLICT (with an error for display_name) when the name is taken. */
enum err talk_profile_set(struct db *db, int64_t person_id, const char *display_name, const char *notify,
		int64_t now, json_t *errors);
/* A moderator on or off duty (told of urgent flags at once). */
enum err talk_duty_set(struct db *db, int64_t person_id, bool on, int64_t now);

/* ---------------------------------------------------------------- spaces */

enum talk_space_kind { TALK_CONDITION, TALK_GROUP, TALK_CARERS, TALK_GENERAL, TALK_SPACE_KIND__MAX };
const char *talk_space_kind_name(enum talk_space_kind k);   /* "condition", ... */

/* A space, with the actor's standing (what the policy needs). */
struct talk_space {
	int64_t id;
	char slug[TALK_SLUG_MAX + 1];
	enum talk_space_kind kind;
	const char *name, *about;     /* in the arena given */
	const char *condition;        /* kind condition: the vocabulary code, else NULL */
	char service_id[37];          /* kind group: the group's id, else "" */
	bool open;
	int64_t topics_n, last_post_at;
	/* The actor's standing, filled by talk_space_load: */
	bool member;                  /* may read and write here (signed in with a confirmed email;
	                                 a group space: a member, host or the organisation's organiser) */
	bool moderator;               /* a coordinator, or named for this space */
};

/* The space by slug, with actor's standing. ERR_NOT_FOUND when none. */
enum err talk_space_load(struct db *db, struct arena *a, const struct actor *actor, const char *slug,
		struct talk_space *out);
enum err talk_space_load_id(struct db *db, struct arena *a, const struct actor *actor, int64_t id,
		struct talk_space *out);
/* Every space actor may read, ordered condition, carers, general, group,
 * then by name: [{id, slug, kind, name, about, topics, last_post_at?,
 * moderator}] (a new reference in *out). */
enum err talk_spaces(struct db *db, const struct actor *actor, json_t **out);

/* What a space is, as typed (borrowed). */
struct talk_space_fields {
	const char *slug, *name, *about;
	const char *kind;             /* "condition", "carers", "general", "group" */
	const char *condition;        /* kind condition */
	const char *service_id;       /* kind group */
	bool open;
};
/* Makes a space (coordinators). Checks: slug lowercase letters, digits
 * and '-' (1..TALK_SLUG_MAX), unique (ERR_CONFLICT, field "slug"); name
 * 3..100 characters; a condition from the directory's vocabulary; a
 * group that exists and has no space. Appends {field, detail}; *id. */
enum err talk_space_create(struct db *db, const struct talk_space_fields *f, int64_t by, int64_t now,
		json_t *errors, int64_t *id);
enum err talk_space_update(struct db *db, int64_t id, const struct talk_space_fields *f, int64_t by,
		int64_t now, json_t *errors);
/* Names a moderator for the space by their account's email (a confirmed
 * one; field "email"), or removes one. Audited. */
enum err talk_moderator_add(struct db *db, int64_t space_id, const char *email, int64_t by, int64_t now,
		json_t *errors);
enum err talk_moderator_remove(struct db *db, int64_t space_id, int64_t person_id, int64_t by, int64_t now);
/* [{person_id, display_name, email}] (for coordinators). */
enum err talk_moderators(struct db *db, int64_t space_id, json_t **out);
/* Does person moderate some space (or is a coordinator: roles)? */
bool talk_moderates_any(struct db *db, const struct actor *actor);

/* ---------------------------------------------------------------- topics and posts */

/* A topic and the actor's standing to it. */
struct talk_topic {
	int64_t id, space_id;
	const char *title;            /* in the arena given */
	bool locked, hidden;
	int64_t posts_n, created_at, last_post_at;
	bool following;               /* the actor follows it */
	bool following_space;         /* the actor follows its space */
	int64_t version;              /* goes up whenever what a reader sees of the posts it has changes
	                                 (a new post, after all of them, moves only posts_n) */
};
/* ERR_NOT_FOUND when there is none (a hidden topic: unless moderator). */
enum err talk_topic_load(struct db *db, struct arena *a, const struct actor *actor, int64_t id, bool moderator,
		struct talk_topic *out);

/* What a topic's page needs of the database before its posts, read in
 * one statement by talk_topic_open. */
struct talk_topic_view {
	struct talk_topic t;
	struct talk_space s;          /* the topic's space, with the actor's standing */
	struct talk_profile p;        /* the actor's (a default one when signed out) */
	bool own;                     /* the actor has a post (in any state) or a reaction in it: pages of a
	                                 topic with none are the same for every such reader (talk_web.c
	                                 keeps them) */
};
/* The topic of id with its space, the actor's profile and whether they
 * have anything of their own in it. ERR_NOT_FOUND when there is none, or
 * it is hidden and the actor does not moderate its space. */
enum err talk_topic_open(const struct talk_env *env, struct db *db, struct arena *a, const struct actor *actor,
		int64_t id, int64_t now, struct talk_topic_view *out);

/* A page of a space's topics, newest activity first: {topics: [{id, title,
 * by (display name), posts, replies, last_post_at, created_at}], total,
 * page, pages} (hidden topics only for moderators). page from 1. */
enum err talk_topics(struct db *db, const struct talk_space *s, int page, int per_page, json_t **out);

/* What writing a post came to. */
struct talk_posted {
	int64_t id;                   /* the post */
	int64_t topic_id;
	bool signposted;              /* show the writer where to get help now */
	bool urgent;                  /* an urgent flag went to the top of the queue */
	bool held;                    /* waiting for a moderator (a link, a watched word) */
	char held_why[160];           /* why, in words for the writer, when held */
};

/* Starts a topic in space (title 1..TALK_TITLE_MAX characters, body
 * 1..TALK_BODY_MAX bytes of UTF-8) or replies in one (quote_of: a post
 * of the same topic the actor may read, or 0). Errors, appended as
 * {field, detail} ("title", "body", "quote"): ERR_INVALID; ERR_FORBIDDEN
 * with detail when the writer may not post now (no display name yet,
 * muted, suspended, the day's posts for a new account used, the topic
 * locked, the space closed); ERR_NOT_FOUND when the topic is not in a
 * space the actor may write in. One transaction when called outside one.
 * Whoever starts a topic follows it. */
enum err talk_topic_create(const struct talk_env *env, struct db *db, const struct talk_space *s,
		const struct actor *actor, const char *title, const char *body, int64_t now, json_t *errors,
		struct talk_posted *out);
enum err talk_post_create(const struct talk_env *env, struct db *db, int64_t topic_id,
		const struct actor *actor, const char *body, int64_t quote_of, int64_t now, json_t *errors,
		struct talk_posted *out);

/* A page of a topic's posts, oldest first: {posts: [{id, by (display
 * name), mine, body_html, state, signposted (only for the writer and
 * moderators), metoo, thanks (counts for the writer and moderators),
 * metoo_mine, thanks_mine, edited, can_edit, created_at, quote: {id, by,
 * html}?, hidden_note? (writer and moderators)}], total, page, pages}.
 * A held post is shown to its writer ("waiting for a moderator") and to
 * moderators; a hidden one to moderators only (and its writer sees "a
 * moderator hid this" with the note, not the text). */
enum err talk_posts(struct db *db, struct arena *a, const struct talk_topic *t, const struct actor *actor,
		bool moderator, int page, int per_page, int64_t now, int edit_minutes, json_t **out);

/* One post for the actor (the same shape as in talk_posts, plus
 * topic_id, space_id, body (the Markdown, for quoting or editing)).
 * ERR_NOT_FOUND when there is none or the actor may not see it (a hidden
 * post to anyone but moderators; a held one to anyone but its writer and
 * moderators; a group space's to non-members). */
enum err talk_post_get(struct db *db, struct arena *a, const struct actor *actor, int64_t id, int64_t now,
		int edit_minutes, json_t **out);

/* The writer edits their post within talk_edit_minutes of writing it
 * (ERR_FORBIDDEN with detail after), checked again for crisis, links and
 * watched words. The words before are kept (talk_post_edit). */
enum err talk_post_edit(const struct talk_env *env, struct db *db, int64_t post_id, const struct actor *actor,
		const char *body, int64_t now, json_t *errors, struct talk_posted *out);

/* "Me too" or "thank you" ("metoo", "thanks") on or off; not on one's own
 * post (ERR_FORBIDDEN), only on a visible post the actor may read. */
enum err talk_react(struct db *db, int64_t post_id, const struct actor *actor, const char *kind, bool on,
		int64_t now);

/* Posts in the space whose words contain every word of q (folded,
 * TALK_SEARCH_MAX characters), newest first: {results: [{post_id,
 * topic_id, topic_title, by, snippet (plain text), created_at}], total,
 * page, pages}. Only visible posts. */
enum err talk_search(struct db *db, struct arena *a, const struct talk_space *s, const char *q, int page,
		int per_page, json_t **out);

/* Following: a topic or a space, on or off. */
enum err talk_follow(struct db *db, int64_t person_id, int64_t space_id, int64_t topic_id, bool on, int64_t now);
/* The person has read the topic up to post_id (notifications tell of
 * newer ones only). */
enum err talk_seen(struct db *db, int64_t person_id, int64_t topic_id, int64_t post_id);
/* What the person follows: {spaces: [{id, slug, name, new}], topics:
 * [{id, title, space, new}]} (new: visible posts by others since seen). */
enum err talk_following(struct db *db, int64_t person_id, json_t **out);

/* ---------------------------------------------------------------- safety */

enum talk_reason { TALK_R_CRISIS, TALK_R_UNKIND, TALK_R_UNSAFE_ADVICE, TALK_R_PERSONAL, TALK_R_SPAM,
	TALK_R_OTHER, TALK_R_HELD, TALK_REASON__MAX };
/* "crisis", "unkind", ... and the words for people ("Someone may be at
 * risk", "Unkind or hurtful", ...); parse: false when unknown. The
 * reasons people may choose are TALK_R_CRISIS..TALK_R_OTHER. */
const char *talk_reason_code(enum talk_reason r);
const char *talk_reason_words(enum talk_reason r);
bool talk_reason_parse(const char *code, enum talk_reason *out);

/* Flags a post the actor may read, with a reason people may choose (a
 * note up to TALK_REASON_NOTE_MAX; needed for "other"). A crisis flag is
 * urgent (and alerts moderators on duty); others normal. The same person
 * flagging a post twice for one reason is ERR_CONFLICT. *id: the flag. */
enum err talk_flag_post(const struct talk_env *env, struct db *db, int64_t post_id, const struct actor *actor,
		const char *reason, const char *note, int64_t now, json_t *errors, int64_t *id);

/* The queue for a moderator: open flags on posts in the spaces they
 * moderate (all, for a coordinator), one row per post with its flags
 * folded: {items: [{post_id, topic_id, topic_title, space, space_slug,
 * urgency ("urgent", "normal", "low"), reasons: [words], flags, oldest_at,
 * state (of the post), excerpt (plain text, moderators only)}],
 * total, page, pages, urgent (count)}, by urgency then oldest first; plus
 * open messages to the moderators: modmail (count). */
enum err talk_queue(struct db *db, struct arena *a, const struct actor *actor, int page, int per_page,
		json_t **out);

/* A post as a moderator sees it: talk_post_get's shape plus flags:
 * [{reason, words, note, by (display name or "kith"), created_at,
 * urgency, open}], history: [{body_html, edited_by, note, edited_at}],
 * writer: {display_name, trusted, muted_until?, suspended, warnings}
 * (never who it is: talk_reveal). ERR_NOT_FOUND as talk_post_get;
 * ERR_FORBIDDEN when the actor does not moderate its space. */
enum err talk_mod_post(struct db *db, struct arena *a, const struct actor *actor, int64_t post_id, int64_t now,
		json_t **out);

/* Who wrote post_id: {person_id, name, email} for a moderator of its
 * space; audited "talk.revealed" (who looked, at whose post). */
enum err talk_reveal(struct db *db, const struct actor *actor, int64_t post_id, int64_t now, json_t **out);

enum talk_action { TALK_HIDE, TALK_RESTORE, TALK_APPROVE, TALK_EDIT, TALK_WARN, TALK_MUTE, TALK_SUSPEND,
	TALK_UNSUSPEND, TALK_TRUST, TALK_DISMISS, TALK_ACTION__MAX };
const char *talk_action_code(enum talk_action a);   /* "hide", ... */
bool talk_action_parse(const char *code, enum talk_action *out);

/* A moderator acts on a post (and its writer): hide (note: why, which
 * the writer is told; needed), restore, approve (a held post), edit
 * (body: the new words; note needed), warn (note needed), mute (days
 * 1..TALK_MUTE_DAYS_MAX), suspend, unsuspend, trust, dismiss (the flags,
 * nothing wrong). Closes the post's open flags (except for warn, mute,
 * suspend, which close them too, and trust, which does not). Audited
 * "talk.<action>"; the writer is told in plain words (a notice, and an
 * email without the post's text) for every action but dismiss and trust.
 * ERR_FORBIDDEN when the actor does not moderate the post's space;
 * ERR_CONFLICT when the post is not in a state the action applies to
 * (restoring a visible post). Errors as {field, detail} ("note", "days",
 * "body"). */
enum err talk_moderate(const struct talk_env *env, struct db *db, const struct actor *actor, int64_t post_id,
		enum talk_action action, const char *note, const char *body, int days, int64_t now,
		json_t *errors);

/* The person's notices, newest first: {notices: [{id, kind, words,
 * post_id?, topic_id?, created_at, unread}], unread}; marks them read
 * when mark_read. */
enum err talk_notices(struct db *db, int64_t person_id, bool mark_read, int64_t now, json_t **out);

/* Watched words (coordinators): word (1..TALK_WORD_MAX characters,
 * folded), action "hold" or "replace" (replacement: what it becomes,
 * default "***"). */
enum err talk_watched_add(struct db *db, const char *word, const char *action, const char *replacement,
		int64_t by, int64_t now, json_t *errors);
enum err talk_watched_remove(struct db *db, const char *word, int64_t by, int64_t now);
enum err talk_watched_list(struct db *db, json_t **out);   /* [{word, action, replacement}] */

/* Private messages between a person and the moderators. A person writes
 * (body 1..4000 bytes); a moderator answers (the person is told by
 * email, without the text). */
enum err talk_modmail_send(const struct talk_env *env, struct db *db, int64_t person_id, const char *body,
		int64_t now, json_t *errors);
enum err talk_modmail_answer(const struct talk_env *env, struct db *db, const struct actor *moderator,
		int64_t person_id, const char *body, int64_t now, json_t *errors);
/* The conversation: {messages: [{from_moderator, body, created_at}]}
 * (for the person and for moderators). */
enum err talk_modmail_thread(struct db *db, int64_t person_id, json_t **out);
/* For moderators: [{person_id, display_name, waiting_since, last_at}] of
 * conversations with a message not yet answered, oldest first. */
enum err talk_modmail_open(struct db *db, json_t **out);

/* May from send a private message to to? Only inside an active peer
 * match (peer support), or to moderators (talk_modmail). An account not
 * yet trusted may not send one to a peer: ERR_FORBIDDEN with words in
 * *why (static). */
enum err talk_pm_allowed(const struct talk_env *env, struct db *db, int64_t from, int64_t to, int64_t now,
		const char **why);

/* Where a private message to the writer of post_id goes, for actor
 * (who may read the post: else ERR_NOT_FOUND): to the moderators when
 * the writer is one (to_moderators), or the pair's peer match
 * (match_id); ERR_FORBIDDEN with talk_pm_allowed's words in *why. */
struct talk_pm {
	bool to_moderators;
	char match_id[37];
};
enum err talk_pm_to_writer(const struct talk_env *env, struct db *db, const struct actor *actor, int64_t post_id,
		int64_t now, struct talk_pm *out, const char **why);

/* The talk job (every minute): alerts moderators on duty of urgent flags
 * not yet alerted, sends "new replies" emails to those told at once, and
 * the daily digests from talk_digest_hour. sent, when not NULL, is
 * increased by the emails queued. */
enum err talk_job(const struct talk_env *env, struct db *db, int64_t now, int *sent);

/* ---------------------------------------------------------------- data */

/* "Download my data": {talk: {profile, posts: [{id, topic, body,
 * created_at, state}], reactions, follows, flags (made by them), notices,
 * messages (with the moderators)}}. */
enum err talk_export_person(struct db *db, int64_t person_id, int64_t now, json_t *out);
/* Erasure: their posts' words are removed (the posts say "removed at the
 * writer's request" so replies still read), their profile, reactions,
 * follows, notices, messages go. */
enum err talk_erase_person(struct db *db, int64_t person_id, int64_t now);
/* Demo spaces, topics and posts (after the groups' demo). */
struct demo_opts;
enum err talk_demo(struct db *db, const struct demo_opts *opts);

#endif
