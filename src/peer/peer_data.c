/*
 * peer_data.c - a person's peer support data (peer.h): what "download my
 * data" gives them, what erasing their account removes, the time given,
 * and the demo town's peer supporters.
 *
 * Erasure removes what they wrote and what they offered (their
 * application, checks, messages, notes, words of feedback, concerns they
 * raised) and ends what they were part of; the bare facts of a match
 * (that it happened, the minutes given) stay, tied to an erased account,
 * so the other side's history and the reports still count.
 */
#include "core/common.h"
#include "peer/peer_int.h"

#include "auth/person.h"
#include "core/demo.h"
#include "core/str.h"
#include "core/uktime.h"
#include "directory/vocab.h"
#include "people/people.h"
#include "store/store.h"

#include <math.h>
#include <stdio.h>

/* ---------------------------------------------------------------- time given */

static const struct sql q_minutes = { "peer.minutes",
	"SELECT coalesce(sum(minutes), 0) FROM peer_contact WHERE (CAST($1 AS BIGINT) = 0 OR peer_id = $1) "
	"AND logged_at >= $2", NULL };

enum err peer_minutes(struct db *db, int64_t peer_id, int64_t since, int64_t *minutes)
{
	enum err e = db_query_int(db, &q_minutes, DB_ARGS(DB_INT(peer_id), DB_INT(since)), minutes);

	if (e == ERR_NOT_FOUND) {
		*minutes = 0;
		e = ERR_OK;
	}
	return e;
}

/* ---------------------------------------------------------------- export */

static const struct sql q_x_peer = { "peer.x_peer",
	"SELECT state, conditions, topics, languages, district, ways, slots, capacity, gender, intro, "
	"away_until, applied_at FROM peer_supporter WHERE person_id = $1", NULL };
static const struct sql q_x_checks = { "peer.x_checks",
	"SELECT kind, done_on, detail FROM peer_check WHERE person_id = $1 ORDER BY id", NULL };
static const struct sql q_x_requests = { "peer.x_requests",
	"SELECT id, state, conditions, topics, wants, language, ways, slots, district, max_miles, "
	"prefers, about, created_at FROM peer_request WHERE person_id = $1 ORDER BY created_at, id", NULL };
static const struct sql q_x_matches = { "peer.x_matches",
	"SELECT id, CASE WHEN person_id = $1 THEN 'asked' ELSE 'peer supporter' END AS role, state, "
	"offered_at, answered_at, ended_at, "
	"CASE WHEN person_id = $1 THEN person_helpful ELSE peer_helpful END AS helpful, "
	"CASE WHEN person_id = $1 THEN person_words ELSE peer_words END AS words FROM peer_match "
	"WHERE person_id = $1 OR peer_id = $1 ORDER BY offered_at, id", NULL };
static const struct sql q_x_messages = { "peer.x_messages",
	"SELECT g.match_id, CASE WHEN g.sender_id = $1 THEN 'you' ELSE 'the other person' END AS sender, "
	"g.body, g.sent_at FROM peer_message g JOIN peer_match m ON m.id = g.match_id "
	"WHERE m.person_id = $1 OR m.peer_id = $1 ORDER BY g.sent_at, g.id", NULL };
static const struct sql q_x_contacts = { "peer.x_contacts",
	"SELECT match_id, happened_on, way, minutes, note FROM peer_contact WHERE peer_id = $1 "
	"ORDER BY happened_on, id", NULL };
static const struct sql q_x_concerns = { "peer.x_concerns",
	"SELECT match_id, body, raised_at FROM peer_concern WHERE raised_by = $1 ORDER BY raised_at, id",
	NULL };

static json_t *row_object(struct db_res *r, void *ctx)
{
	json_t *o = json_object();

	UNUSED(ctx);
	for (int c = 0; o && c < db_ncols(r); c++) {
		const char *name = db_colname(r, c);
		static const char *const ints[] = { "conditions", "topics", "languages", "ways", "slots",
			"capacity", "wants", "max_miles", "applied_at", "created_at", "offered_at",
			"answered_at", "ended_at", "sent_at", "minutes", "raised_at", "helpful" };
		bool is_int = false;

		for (size_t k = 0; k < ARRAY_LEN(ints); k++)
			is_int |= name && strcmp(name, ints[k]) == 0;
		json_object_set_new(o, name ? name : "value", is_int ? db_json_int(r, c) : db_json_text(r, c));
	}
	return o;
}

enum err peer_export_person(struct db *db, int64_t person_id, int64_t now, json_t *out)
{
	static const struct { const char *key; const struct sql *q; } parts[] = {
		{ "peer_supporter", &q_x_peer }, { "peer_checks", &q_x_checks },
		{ "peer_requests", &q_x_requests }, { "peer_matches", &q_x_matches },
		{ "peer_messages", &q_x_messages }, { "peer_contacts", &q_x_contacts },
		{ "peer_concerns", &q_x_concerns },
	};
	json_t *o = json_object();
	enum err e = o ? ERR_OK : ERR_NOMEM;

	UNUSED(now);
	for (size_t i = 0; i < ARRAY_LEN(parts) && !e; i++) {
		json_t *rows = NULL;

		e = db_rows_json(db, parts[i].q, DB_ARGS(DB_INT(person_id)), row_object, NULL, &rows);
		if (e == ERR_OK)
			json_object_set_new(o, parts[i].key + 5, rows);
	}
	if (e == ERR_OK && json_object_set_new(out, "peer_support", o) == 0)
		return ERR_OK;
	json_decref(o);
	return e ? e : ERR_NOMEM;
}

/* ---------------------------------------------------------------- erasure */

/* Offers of their requests go (the requests end below); offers they hold
 * as a peer send those requests back to the pool (peer_withdraw_offers_of). */
static const struct sql q_e_offers = { "peer.e_offers",
	"UPDATE peer_match SET state = 'withdrawn', answered_at = $2 WHERE person_id = $1 "
	"AND state = 'offered'", NULL };
static const struct sql q_e_matches = { "peer.e_matches",
	"UPDATE peer_match SET state = 'ended', ended_at = $2, ended_by = NULL "
	"WHERE (person_id = $1 OR peer_id = $1) AND state = 'accepted'", NULL };
static const struct sql q_e_words = { "peer.e_words",
	"UPDATE peer_match SET person_words = CASE WHEN person_id = $1 THEN NULL ELSE person_words END, "
	"peer_words = CASE WHEN peer_id = $1 THEN NULL ELSE peer_words END, "
	"person_shares = CASE WHEN person_id = $1 THEN 0 ELSE person_shares END, "
	"peer_shares = CASE WHEN peer_id = $1 THEN 0 ELSE peer_shares END, reasons = '' "
	"WHERE person_id = $1 OR peer_id = $1", NULL };
/* The requests whose match just ended with the erased peer end with it:
 * the person may ask again. */
static const struct sql q_e_other_requests = { "peer.e_other_requests",
	"UPDATE peer_request SET state = 'ended', updated_at = $2 WHERE state = 'matched' "
	"AND id IN (SELECT request_id FROM peer_match WHERE peer_id = $1 AND state = 'ended' "
	"AND ended_at = $2)", NULL };
static const struct sql q_e_requests = { "peer.e_requests",
	"UPDATE peer_request SET about = NULL, why_none = NULL, conditions = 0, topics = 0, wants = 0, "
	"language = NULL, district = NULL, state = CASE WHEN state IN "
	"('waiting', 'offered') THEN 'withdrawn' WHEN state = 'matched' THEN 'ended' ELSE state END, "
	"updated_at = $2 WHERE person_id = $1", NULL };
static const struct sql q_e_messages = { "peer.e_messages",
	"DELETE FROM peer_message WHERE sender_id = $1", NULL };
static const struct sql q_e_notes = { "peer.e_notes",
	"UPDATE peer_contact SET note = NULL WHERE peer_id = $1", NULL };
static const struct sql q_e_concerns = { "peer.e_concerns",
	"DELETE FROM peer_concern WHERE raised_by = $1", NULL };
static const struct sql q_e_peer = { "peer.e_peer",
	"DELETE FROM peer_supporter WHERE person_id = $1", NULL };

enum err peer_erase_person(struct db *db, int64_t person_id, int64_t now)
{
	const struct sql *const steps[] = { &q_e_offers, &q_e_matches, &q_e_other_requests,
		&q_e_requests };
	const struct sql *const one[] = { &q_e_words, &q_e_messages, &q_e_notes, &q_e_concerns, &q_e_peer };
	enum err e = peer_withdraw_offers_of(db, person_id, now);

	for (size_t i = 0; i < ARRAY_LEN(steps) && !e; i++)
		e = db_exec(db, steps[i], DB_ARGS(DB_INT(person_id), DB_INT(now)), NULL);
	for (size_t i = 0; i < ARRAY_LEN(one) && !e; i++)
		e = db_exec(db, one[i], DB_ARGS(DB_INT(person_id)), NULL);
	return e;
}

/* ---------------------------------------------------------------- demo */

/* Demo peers beyond the demo peer account: people with no password (they
 * cannot sign in), in the demo's own domain (people.h: kith demo refuses a
 * database with accounts outside it). */
static const struct demo_peer {
	const char *email, *name, *gender, *district, *intro;
	const char *conditions[3], *topics[4], *langs[2];
	unsigned ways;
	int capacity;
	bool dbs, approved;
} demo_peers[] = {
	{ "peer@demo.kith.test", NULL, "man", "DN15",
	  "I was told I had COPD at 58. The first year was the hardest. I walk every day now and "
	  "I am happy to talk about anything.",
	  { "copd", "heart" }, { "new-diagnosis", "breathlessness", "getting-active", "work" }, { "en" },
	  MATCH_WAY_BIT(MATCH_PHONE) | MATCH_WAY_BIT(MATCH_MESSAGE) | MATCH_WAY_BIT(MATCH_IN_PERSON),
	  3, true, true },
	{ "anita.peer@demo.kith.test", "Anita Kowalska", "woman", "DN16",
	  "I have type 2 diabetes and cared for my mum. I speak Polish and English.",
	  { "diabetes", "dementia" }, { "new-diagnosis", "caring", "medication" }, { "en", "pl" },
	  MATCH_WAY_BIT(MATCH_PHONE) | MATCH_WAY_BIT(MATCH_VIDEO) | MATCH_WAY_BIT(MATCH_MESSAGE),
	  2, false, true },
	{ "ruth.peer@demo.kith.test", "Ruth Adeyemi", "woman", "DN17",
	  "Arthritis since my forties. I know how tiring pain can be, and what helped me.",
	  { "arthritis", "chronic-pain" }, { "pain", "tiredness", "work", "mood" }, { "en" },
	  MATCH_WAY_BIT(MATCH_PHONE) | MATCH_WAY_BIT(MATCH_IN_PERSON), 2, true, true },
	{ "colin.peer@demo.kith.test", "Colin Marsh", "man", "DN15",
	  "I had a stroke five years ago and had to learn to walk again.",
	  { "stroke" }, { "new-diagnosis", "getting-active", "mood" }, { "en" },
	  MATCH_WAY_BIT(MATCH_PHONE) | MATCH_WAY_BIT(MATCH_MESSAGE), 1, false, false },
};

/* People asking, waiting in the pool. */
static const struct demo_ask {
	const char *email, *name, *district, *lang, *prefers;
	const char *condition, *want;
	unsigned ways;
	int days_ago;
} demo_asks[] = {
	{ "member@demo.kith.test", NULL, "DN15", NULL, "", "copd", "talk",
	  MATCH_WAY_BIT(MATCH_PHONE) | MATCH_WAY_BIT(MATCH_MESSAGE), 12 },
	{ "halina.ask@demo.kith.test", "Halina Nowak", "DN16", "pl", "woman", "diabetes", "tips",
	  MATCH_WAY_BIT(MATCH_PHONE), 2 },
	{ "stan.ask@demo.kith.test", "Stan Booth", "DN17", "lt", "", "copd", "walking",
	  MATCH_WAY_BIT(MATCH_IN_PERSON), 9 },
};

static const struct sql q_d_clear_req = { "peer.d_clear_req",
	"DELETE FROM peer_request WHERE person_id = $1", NULL };
static const struct sql q_d_clear_peer = { "peer.d_clear_peer",
	"DELETE FROM peer_supporter WHERE person_id = $1", NULL };
static const struct sql q_d_approve = { "peer.d_approve",
	"UPDATE peer_supporter SET state = 'approved', decided_at = $2, applied_at = $3, "
	"last_response_at = $2 WHERE person_id = $1", NULL };
static const struct sql q_d_backdate_req = { "peer.d_backdate_req",
	"UPDATE peer_request SET created_at = $2, waiting_since = $2 WHERE id = $1", NULL };
static const struct sql q_d_msg = { "peer.d_msg",
	"INSERT INTO peer_message (match_id, sender_id, body, sent_at) VALUES ($1, $2, $3, $4)", NULL };
static const struct sql q_d_contact = { "peer.d_contact",
	"INSERT INTO peer_contact (match_id, peer_id, happened_on, way, minutes, note, logged_at) "
	"VALUES ($1, $2, $3, 'phone', $4, $5, $6)", NULL };
static const struct sql q_d_match_of = { "peer.d_match_of",
	"SELECT id FROM peer_match WHERE request_id = $1 AND state = 'offered'", NULL };
static const struct sql q_d_accept = { "peer.d_accept",
	"UPDATE peer_match SET state = 'accepted', offered_at = $2, answered_at = $3 WHERE id = $1", NULL };
static const struct sql q_d_matched = { "peer.d_matched",
	"UPDATE peer_request SET state = 'matched' WHERE id = $1", NULL };

/* The bits of codes (up to n, NULL ending them sooner) in table t. */
static uint64_t bits_of(const char *const *codes, size_t n, const struct vocab_term *t, size_t tn)
{
	uint64_t b = 0;

	for (size_t i = 0; i < n && codes[i]; i++) {
		int k = vocab_find(t, tn, codes[i]);

		if (k >= 0)
			b |= UINT64_C(1) << k;
	}
	return b;
}

/* The account for email, made (no password, confirmed) when missing. */
static enum err demo_person(struct db *db, struct arena *a, const char *email, const char *name,
		int64_t now, int64_t *id)
{
	struct person p;
	enum err e = person_find_email(db, a, email, &p);

	if (e == ERR_OK) {
		*id = p.id;
		return ERR_OK;
	}
	if (e != ERR_NOT_FOUND || !name)
		return e;
	if ((e = person_create(db, name, email, NULL, NULL, now, id)) != ERR_OK ||
	    (e = person_grant(db, *id, ROLE_MEMBER, NULL, 0, now)) != ERR_OK)
		return e;
	return person_mark_verified(db, *id, email, now);
}

static enum err demo_peer_add(struct db *db, struct arena *a, const struct demo_peer *d, int64_t now,
		int64_t *id)
{
	struct peer_profile p = {
		.conditions = bits_of(d->conditions, ARRAY_LEN(d->conditions), vocab_conditions, vocab_conditions_n),
		.topics = bits_of(d->topics, ARRAY_LEN(d->topics), peer_topics, peer_topics_n),
		.languages = bits_of(d->langs, ARRAY_LEN(d->langs), vocab_languages, vocab_languages_n),
		.ways = d->ways, .slots = peer_slots(0x1f, 0x3), .district = d->district,
		.capacity = d->capacity, .gender = d->gender, .intro = d->intro,
	};
	char day[11];
	enum err e;

	if ((e = demo_person(db, a, d->email, d->name, now, id)) != ERR_OK ||
	    (e = db_exec(db, &q_d_clear_req, DB_ARGS(DB_INT(*id)), NULL)) != ERR_OK ||
	    (e = db_exec(db, &q_d_clear_peer, DB_ARGS(DB_INT(*id)), NULL)) != ERR_OK ||
	    (e = peer_apply(NULL, db, *id, &p, now - 60 * PEER_DAY)) != ERR_OK)
		return e;
	if (!d->approved)
		return ERR_OK;
	uk_format_iso_day(uk_local_day(now - 50 * PEER_DAY), day);
	if ((e = peer_check_add(db, *id, PEER_CHECK_IDENTITY, day, NULL, 0, now, NULL)) != ERR_OK ||
	    (e = peer_check_add(db, *id, PEER_CHECK_REFERENCE, day, "Former manager", 0, now, NULL)) != ERR_OK ||
	    (e = peer_check_add(db, *id, PEER_CHECK_REFERENCE, day, "Neighbour", 0, now, NULL)) != ERR_OK ||
	    (e = peer_check_add(db, *id, PEER_CHECK_TRAINING, day, "Peer support essentials", 0, now,
				NULL)) != ERR_OK)
		return e;
	if (d->dbs && (e = peer_check_add(db, *id, PEER_CHECK_DBS, day, "enhanced", 0, now, NULL)) != ERR_OK)
		return e;
	if ((e = person_grant(db, *id, ROLE_PEER_SUPPORTER, NULL, 0, now)) == ERR_CONFLICT)
		e = ERR_OK;
	if (e)
		return e;
	return db_exec(db, &q_d_approve, DB_ARGS(DB_INT(*id), DB_INT(now - 45 * PEER_DAY),
		       DB_INT(now - 60 * PEER_DAY)), NULL);
}

/* Margaret's request is matched with David: messages, two calls. */
static enum err demo_match(struct db *db, const char *request_id, int64_t member, int64_t peer,
		int64_t now)
{
	static const struct { bool from_peer; int days_ago; const char *body; } msgs[] = {
		{ true, 10, "Hello Margaret, I'm David. I was told I had COPD a few years ago, so I know "
			    "how much there is to take in. Would a phone call on Tuesday morning suit you?" },
		{ false, 10, "Hello David. Yes, Tuesday is good. Thank you for getting in touch." },
		{ true, 3, "It was good to talk. Here is the walking group I mentioned: the Tuesday "
			   "Health Walk, from the library at 10." },
	};
	struct db_res *r;
	char match_id[37], day[11];
	enum err e = db_query_one(db, &q_d_match_of, DB_ARGS(DB_TEXT(request_id)), &r);

	if (e == ERR_NOT_FOUND)
		return ERR_OK;   /* the engine chose otherwise: the demo still works */
	if (e)
		return e;
	str_copy(match_id, sizeof(match_id), db_text(r, 0));
	db_res_free(r);
	if ((e = db_exec(db, &q_d_accept, DB_ARGS(DB_TEXT(match_id), DB_INT(now - 12 * PEER_DAY),
			 DB_INT(now - 11 * PEER_DAY)), NULL)) != ERR_OK ||
	    (e = db_exec(db, &q_d_matched, DB_ARGS(DB_TEXT(request_id)), NULL)) != ERR_OK)
		return e;
	for (size_t i = 0; i < ARRAY_LEN(msgs) && !e; i++)
		e = db_exec(db, &q_d_msg, DB_ARGS(DB_TEXT(match_id), DB_INT(msgs[i].from_peer ? peer : member),
			    DB_TEXT(msgs[i].body), DB_INT(now - msgs[i].days_ago * PEER_DAY)), NULL);
	for (int k = 0; k < 2 && !e; k++) {
		uk_format_iso_day(uk_local_day(now - (k ? 3 : 8) * PEER_DAY), day);
		e = db_exec(db, &q_d_contact, DB_ARGS(DB_TEXT(match_id), DB_INT(peer), DB_TEXT(day),
			    DB_INT(k ? 30 : 45), k ? DB_TEXT("Talked about the walking group.") : DB_NULL,
			    DB_INT(now - (k ? 3 : 8) * PEER_DAY)), NULL);
	}
	return e;
}

enum err peer_demo(struct db *db, const struct demo_opts *opts)
{
	int64_t now = opts->now, david = 0, id, member = 0;
	char req[ARRAY_LEN(demo_asks)][37];
	struct arena a;
	enum err e = ERR_OK;

	arena_init(&a);
	for (size_t i = 0; i < ARRAY_LEN(demo_peers) && !e; i++) {
		e = demo_peer_add(db, &a, &demo_peers[i], now, &id);
		if (i == 0)
			david = id;
	}
	for (size_t i = 0; i < ARRAY_LEN(demo_asks) && !e; i++) {
		const struct demo_ask *d = &demo_asks[i];
		const char *wants[] = { d->want, NULL }, *conds[] = { d->condition, NULL };
		struct peer_ask ask = {
			.conditions = bits_of(conds, 1, vocab_conditions, vocab_conditions_n),
			.wants = bits_of(wants, 1, peer_wants, peer_wants_n), .language = d->lang, .ways = d->ways,
			.district = d->district, .max_miles = 5, .prefers = d->prefers,
		};

		if ((e = demo_person(db, &a, d->email, d->name, now, &id)) != ERR_OK ||
		    (e = db_exec(db, &q_d_clear_req, DB_ARGS(DB_INT(id)), NULL)) != ERR_OK)
			break;
		if (i == 0)
			member = id;
		/* Margaret's goes first, alone, so David is hers. */
		if ((e = peer_request_add(NULL, db, id, id, &ask, now - d->days_ago * PEER_DAY, req[i])) != ERR_OK)
			break;
		e = db_exec(db, &q_d_backdate_req, DB_ARGS(DB_TEXT(req[i]), DB_INT(now - d->days_ago * PEER_DAY)),
			    NULL);
		if (e == ERR_OK && i == 0)
			e = demo_match(db, req[0], member, david, now);
	}
	arena_release(&a);
	if (e == ERR_OK && opts->out)
		fprintf(opts->out, "Peer support: %zu peer supporters (one waiting for checks), %zu "
			"people asking (one matched)\n", ARRAY_LEN(demo_peers), ARRAY_LEN(demo_asks));
	return e;
}
