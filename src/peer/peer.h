/*
 * peer.h (src/peer/) - peer support: people who have lived with a
 * condition, or cared for someone who has, supporting someone newly living
 * with it; matched by the engine in src/match/.
 *
 * The loop:
 *   1. A peer supporter applies from their account (peer_apply): what they
 *      have lived with, topics, languages, area, ways and times, how many
 *      people at once, an introduction. State "applied".
 *   2. A coordinator records trust steps (peer_check_add): identity, two
 *      references, training, a DBS check (date and level only). The tier
 *      follows from them (peer_tier) and decides the ways a peer may
 *      offer (match_tier_ways). The coordinator approves (the account gets
 *      the peer_supporter role), pauses or stands the peer down
 *      (peer_decide). A peer may pause themself until a day (peer_away).
 *   3. Someone asks for a peer (peer_request_add). At once, the waiting
 *      pool is matched against the peers with room (peer_run, PEER_RUN_NEW):
 *      the engine's optimum over everyone waiting; each pair becomes an
 *      offer to the peer, who has offer_days to answer (peer_answer).
 *   4. The job (peer_job) runs the clock: a reminder half way, offers that
 *      run out go back to the pool (and count against the peer: after
 *      pause_after in a row they are paused), away days end, and the pool
 *      is re-optimised (PEER_RUN_ALL): offers not yet answered may move to a
 *      better peer; accepted pairs never move, they use up capacity.
 *   5. A matched pair message inside kith (peer_message_add; the email says
 *      only that there is one), share contact details when both choose,
 *      the peer logs each contact (peer_contact_add: the time given), and
 *      either side ends the match with feedback (peer_end) or raises a
 *      concern (peer_concern_add), which goes to the coordinators at once.
 *
 * Everything here takes now and a struct peer_env (the mailer, links and
 * settings), never the app. Every write is audited ("peer.*").
 *
 *   kith match solve FILE    the engine alone on a text instance
 *   kith match run           re-optimise the pool now (as the job does)
 */
#ifndef KITH_PEER_H
#define KITH_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/err.h"
#include "directory/vocab.h"
#include "match/rules.h"

struct db;
struct feature;
struct mailer;
struct links;

/* The largest instance file `kith match solve` reads. */
#define PEER_SOLVE_FILE_MAX ((size_t)1 << 30)

#define PEER_INTRO_MAX 1000       /* characters */
#define PEER_ABOUT_MAX 1000
#define PEER_MESSAGE_MAX 4000
#define PEER_NOTE_MAX 1000
#define PEER_WORDS_MAX 1000       /* feedback and concerns */
#define PEER_DETAIL_MAX 100       /* a check's detail */
#define PEER_CAPACITY_MAX 10
#define PEER_MILES_MAX 50
#define PEER_MINUTES_MAX 600

/* ---------------------------------------------------------------- settings */

struct peer_settings {
	int offer_days;        /* a peer has this long to answer an offer (7) */
	int pause_after;       /* offers left to run out in a row before a peer is paused (2) */
};

#define PEER_DEFAULT_OFFER_DAYS 7
#define PEER_DEFAULT_PAUSE_AFTER 2

/* What the rules need from the running app. Any member may be NULL
 * (tests): then no email is sent and the defaults hold. */
struct peer_env {
	const struct peer_settings *settings;
	const struct mailer *mailer;
	const struct links *links;
};

/* ---------------------------------------------------------------- vocabularies */

/* Terms as the directory's vocabularies hold them (directory/vocab.h:
 * code and name; no taxonomy id or keywords), so vocab_find and
 * peer_terms_words serve both: conditions and languages are the
 * directory's own tables. */
extern const struct vocab_term peer_topics[];       /* "new-diagnosis", "New diagnosis" */
extern const size_t peer_topics_n;
extern const struct vocab_term peer_wants[];        /* "talk", "Someone to talk to" */
extern const size_t peer_wants_n;
extern const struct vocab_term peer_ways[MATCH_WAY__MAX];   /* "phone", "By phone" */
extern const struct vocab_term peer_parts[3];       /* "morning", "Mornings" */
extern const struct vocab_term peer_days[7];        /* "mon", "Monday" */
extern const struct vocab_term peer_dbs_levels[3];  /* "basic", "Basic" */

/* Bits of a set of terms in words: "COPD and other lung conditions and
 * Asthma" (a arena). */
const char *peer_terms_words(struct arena *a, const struct vocab_term *t, size_t n, uint64_t bits);
/* The names the match rules put in reasons (static). */
const struct match_names *peer_match_names(void);
/* Days x parts <-> the engine's slots. */
uint32_t peer_slots(unsigned days, unsigned parts);
void peer_slots_split(uint32_t slots, unsigned *days, unsigned *parts);
/* "Tuesday and Thursday mornings and afternoons", or "Any time". */
const char *peer_slots_words(struct arena *a, uint32_t slots);
/* "12 December 2026", in a. */
const char *peer_date_words(struct arena *a, int64_t t);
/* "20 January 2027" for "2027-01-20" (a), or NULL for NULL or not a day. */
const char *peer_day_words(struct arena *a, const char *day);
/* "Someone to talk to" -> "someone to talk to", for mid-sentence (a). */
const char *peer_lower_first(struct arena *a, const char *s);
/* "1 hour 15 minutes", "45 minutes" (a). */
const char *peer_minutes_words(struct arena *a, int64_t minutes);
/* "By phone, by video call": */
const char *peer_ways_words(struct arena *a, unsigned ways);

/* ---------------------------------------------------------------- peer supporters */

enum peer_state { PEER_APPLIED, PEER_APPROVED, PEER_PAUSED, PEER_STOOD_DOWN, PEER_STATE__MAX };
const char *peer_state_name(enum peer_state s);          /* "applied" */
bool peer_state_parse(const char *s, enum peer_state *out);

enum peer_check_kind { PEER_CHECK_IDENTITY, PEER_CHECK_REFERENCE, PEER_CHECK_TRAINING,
		       PEER_CHECK_DBS, PEER_CHECK__MAX };
const char *peer_check_name(enum peer_check_kind k);     /* "identity" */
bool peer_check_parse(const char *s, enum peer_check_kind *out);

/* What a peer offers: the application form. */
struct peer_profile {
	uint64_t conditions;       /* bits of vocab_conditions */
	uint64_t topics;           /* bits of peer_topics */
	uint64_t languages;        /* bits of vocab_languages */
	unsigned ways;             /* MATCH_WAY_BITs */
	uint32_t slots;            /* MATCH_SLOTs; 0: any time */
	const char *district;      /* postcode district or full postcode; NULL or "": not said */
	int capacity;              /* 1..PEER_CAPACITY_MAX */
	const char *gender;        /* "", "woman", "man", "other" */
	const char *intro;
};

/* A peer supporter as coordinators and they themself see them. */
struct peer_row {
	int64_t person_id;
	const char *name;              /* their account's name */
	enum peer_state state;
	struct peer_profile p;
	char district[5];              /* normalised district, "" for none */
	const char *away_until;        /* YYYY-MM-DD or NULL */
	const char *paused_why;        /* "self", "coordinator", "unanswered" or NULL */
	int64_t applied_at, decided_at, last_offer_at, last_response_at, unanswered;
	enum match_tier tier;
	int active;                    /* accepted matches now */
	int offered;                   /* offers waiting for their answer */
};

/* Checks a profile: ERR_INVALID with [{field, detail}] added to errors
 * (the form's field names: conditions, topics, languages, ways, days,
 * parts, district, capacity, gender, intro). */
enum err peer_profile_check(const struct peer_profile *p, json_t *errors);

/* Applies, or changes what they offer (any state but stood down; an
 * application stays "applied"). ERR_CONFLICT when stood down. */
enum err peer_apply(const struct peer_env *env, struct db *db, int64_t person_id,
		const struct peer_profile *p, int64_t now);
/* Their row; ERR_NOT_FOUND when they have not applied. */
enum err peer_get(struct db *db, struct arena *a, int64_t person_id, int64_t now,
		struct peer_row *out);

/* Trust steps. done_on: YYYY-MM-DD, not in the future. detail: a
 * referee's relation, the training's name, the DBS level (peer_dbs_levels
 * code). ERR_INVALID with errors. */
enum err peer_check_add(struct db *db, int64_t person_id, enum peer_check_kind kind,
		const char *done_on, const char *detail, int64_t by, int64_t now, json_t *errors);
/* [{kind, kind_words, done_on, detail, checked_by_name, recorded_at}], oldest first. */
enum err peer_checks(struct db *db, int64_t person_id, json_t **out);
enum match_tier peer_tier_of(int identity, int references, int training, int dbs);
const char *peer_tier_words(enum match_tier t);   /* "Trained: phone, video and messages" */

/* Coordinators: approve (grants the peer_supporter role), pause or stand
 * down. ERR_CONFLICT when the move makes no sense (approve a stood-down
 * peer, pause one not approved), ERR_INVALID (*why) when approving one
 * with no identity check. Offers they hold are withdrawn and go back to
 * the pool when paused or stood down. */
enum peer_decision { PEER_APPROVE, PEER_PAUSE, PEER_STAND_DOWN };
enum err peer_decide(const struct peer_env *env, struct db *db, int64_t person_id,
		enum peer_decision d, int64_t by, int64_t now, const char **why);
/* The peer themself: away until a day (YYYY-MM-DD, after today), or back
 * now (until NULL). ERR_CONFLICT when not approved or paused, or paused by
 * a coordinator (theirs to lift). */
enum err peer_away(struct db *db, int64_t person_id, const char *until, int64_t now);

/* Coordinators' list: every peer, applications first, with tier, room,
 * last response. */
enum err peer_list(struct db *db, struct arena *a, int64_t now, json_t **out);

/* ---------------------------------------------------------------- requests */

struct peer_ask {
	uint64_t conditions, topics, wants;
	const char *language;      /* vocab_languages code or NULL/"" */
	unsigned ways;
	uint32_t slots;
	const char *district;      /* as typed; NULL or "": not said */
	int max_miles;             /* 1..PEER_MILES_MAX (in person only) */
	const char *prefers;       /* "", "woman", "man" */
	const char *about;         /* NULL or "" */
};

enum peer_request_state { PREQ_WAITING, PREQ_OFFERED, PREQ_MATCHED, PREQ_ENDED, PREQ_WITHDRAWN,
			  PREQ__MAX };
const char *peer_request_state_name(enum peer_request_state s);

/* ERR_INVALID with errors (fields: conditions, topics, wants, language,
 * ways, days, parts, district, max_miles, prefers, about). */
enum err peer_ask_check(const struct peer_ask *ask, json_t *errors);
/* A new request for person_id, made by made_by (themself or a link
 * worker), then matched at once (PEER_RUN_NEW). ERR_CONFLICT when they
 * have one open already (*id then names it). id: 37 bytes. */
enum err peer_request_add(const struct peer_env *env, struct db *db, int64_t person_id,
		int64_t made_by, const struct peer_ask *ask, int64_t now, char id[37]);
/* The person's open request (waiting, offered or matched), into id:
 * ERR_NOT_FOUND when they have none. */
enum err peer_request_open(struct db *db, int64_t person_id, char id[37]);
/* Withdraws it (the person or a coordinator); an offer on it is
 * withdrawn; a match is not (end that instead: ERR_CONFLICT). */
enum err peer_request_withdraw(struct db *db, const char *id, int64_t by, int64_t now);

/* Who a request is about, for the policy. */
struct peer_request_meta {
	char id[37];
	int64_t person_id, made_by;
	enum peer_request_state state;
};
enum err peer_request_meta(struct db *db, const char *id, struct peer_request_meta *out);
/* The request as its person (or a coordinator) sees it: state words,
 * what they asked for, the live match's first name and id. */
enum err peer_request_view(struct db *db, struct arena *a, const char *id, int64_t now,
		json_t **out);
/* A person's requests, newest first: [{id, state, state_words, created_at, match_id?}]. */
enum err peer_requests_of(struct db *db, struct arena *a, int64_t person_id, int64_t now,
		json_t **out);
/* The requests a link worker or coordinator made for others, newest first
 * (as peer_requests_of, with person_first). */
enum err peer_requests_made_by(struct db *db, struct arena *a, int64_t made_by, int64_t now,
		json_t **out);
/* Coordinators' waiting list: every request waiting or offered, the
 * longest waiting first, with days waiting and why nobody fits. */
enum err peer_waiting(struct db *db, struct arena *a, int64_t now, json_t **out);

/* ---------------------------------------------------------------- matching */

enum peer_run_mode {
	PEER_RUN_NEW,      /* match the waiting pool to peers' free room; offers stay */
	PEER_RUN_ALL,      /* re-optimise: waiting and offered, room after accepted pairs */
};
struct peer_run_result {
	uint32_t people, peers, offered, kept, moved, unmatched;
};
enum err peer_run(const struct peer_env *env, struct db *db, enum peer_run_mode mode, int64_t now,
		struct peer_run_result *out);

/* ---------------------------------------------------------------- a match */

enum peer_match_state { PM_OFFERED, PM_ACCEPTED, PM_DECLINED, PM_EXPIRED, PM_WITHDRAWN, PM_ENDED,
			PM__MAX };
const char *peer_match_state_name(enum peer_match_state s);

/* Who a match is between, for the policy (peer_policy.c). */
struct peer_match_meta {
	char id[37];
	char request_id[37];
	int64_t person_id, peer_id;
	enum peer_match_state state;
	int64_t expires_at;
};
enum err peer_match_meta(struct db *db, const char *id, struct peer_match_meta *out);

/* The match as viewer sees it (the person, the peer or a coordinator):
 * the other's first name; for an offer (the peer) only first name, area
 * and what the person would like; once accepted, the reasons, what they
 * asked for, contact details each has chosen to share, messages (not for
 * coordinators), contacts logged. */
enum err peer_match_view(struct db *db, struct arena *a, const struct peer_match_meta *m,
		int64_t viewer, bool coordinator, int64_t now, json_t **out);
/* A peer's offers and matches: [{id, state, first_name, ...}]. */
enum err peer_matches_of_peer(struct db *db, struct arena *a, int64_t peer_id, int64_t now,
		json_t **out);

/* The peer answers an offer. ERR_CONFLICT when it is no longer open
 * (answered, run out or withdrawn). A no returns the request to the pool
 * and matches it again at once. */
enum err peer_answer(const struct peer_env *env, struct db *db, const struct peer_match_meta *m,
		bool yes, int64_t now);
/* A message from one of the pair (body checked: peer_message_clean). */
enum err peer_message_add(const struct peer_env *env, struct db *db,
		const struct peer_match_meta *m, int64_t from, const char *body, int64_t now);
/* Checks and tidies a message body in place: valid UTF-8, no control
 * characters but newlines and tabs, no bidi controls or Unicode line
 * separators; CRLF and CR -> LF, spaces at line ends gone, at most 3
 * blank lines in a row, trimmed; 1..PEER_MESSAGE_MAX characters. NULL
 * when fine, else the sentence to show (a body refused for its
 * characters is left as it was). The fuzz target's subject. */
const char *peer_message_clean(char *body);
/* Whether who shares their contact details with the other. */
enum err peer_share(struct db *db, const struct peer_match_meta *m, int64_t who, bool share,
		int64_t now);
/* The peer logs a contact. ERR_INVALID with errors (happened_on, way,
 * minutes, note). */
enum err peer_contact_add(struct db *db, const struct peer_match_meta *m, const char *happened_on,
		const char *way, int minutes, const char *note, int64_t now, json_t *errors);
/* Either side ends an accepted match: helpful 1..4 (0: not said) and
 * words. The person's request ends too. */
enum err peer_end(const struct peer_env *env, struct db *db, const struct peer_match_meta *m,
		int64_t by, int helpful, const char *words, int64_t now);
/* Either side raises a concern: every coordinator is emailed at once. */
enum err peer_concern_add(const struct peer_env *env, struct db *db,
		const struct peer_match_meta *m, int64_t by, const char *body, int64_t now);
/* Coordinators: open concerns [{id, match_id, raised_by_name, body, raised_at}]
 * and marking one seen. */
enum err peer_concerns_open(struct db *db, json_t **out);
enum err peer_concern_seen(struct db *db, int64_t id, int64_t by, int64_t now);

/* Words for people: "Applied: waiting for checks", "The offer ran out". */
const char *peer_state_words(enum peer_state s);
const char *peer_match_state_words(enum peer_match_state s);

/* ---------------------------------------------------------------- the clock */

/* Reminders half way through an offer, offers run out (the peer's
 * unanswered count up; paused at pause_after), away days over, then
 * PEER_RUN_ALL. */
enum err peer_job(const struct peer_env *env, struct db *db, int64_t now, struct peer_run_result *out);

/* Time given: minutes logged by peer_id (0: everyone) from since. */
enum err peer_minutes(struct db *db, int64_t peer_id, int64_t since, int64_t *minutes);

/* "Download my data" and erasure. */
enum err peer_export_person(struct db *db, int64_t person_id, int64_t now, json_t *out);
enum err peer_erase_person(struct db *db, int64_t person_id, int64_t now);
/* Demo peers, requests and a match. */
struct demo_opts;
enum err peer_demo(struct db *db, const struct demo_opts *opts);

extern const struct feature peer_feature;

#endif
