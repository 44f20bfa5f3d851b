/*
 * peer_request.c - asking for a peer (peer.h): the request's checks, a
 * new request matched at once, withdrawing, and the request as its person
 * and the coordinators see it, in plain words.
 */
#include "core/common.h"
#include "peer/peer_int.h"

#include "core/fields.h"
#include "core/rand.h"
#include "core/str.h"
#include "core/uktime.h"
#include "directory/vocab.h"
#include "store/store.h"

#include <math.h>
#include <stdio.h>

/* ---------------------------------------------------------------- SQL */

static const struct sql q_open = { "peer.request_open",
	"SELECT id FROM peer_request WHERE person_id = $1 AND state IN ('waiting', 'offered', 'matched') "
	"ORDER BY created_at DESC LIMIT 1", NULL };
static const struct sql q_insert = { "peer.request_insert",
	"INSERT INTO peer_request (id, person_id, made_by, conditions, topics, wants, language, ways, "
	"slots, district, max_miles, prefers, about, state, created_at, waiting_since, updated_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'waiting', $14, $14, $14)",
	NULL };
static const struct sql q_meta = { "peer.request_meta",
	"SELECT id, person_id, coalesce(made_by, 0), state FROM peer_request WHERE id = $1", NULL };
static const struct sql q_withdraw = { "peer.request_withdraw",
	"UPDATE peer_request SET state = 'withdrawn', updated_at = $2 WHERE id = $1 "
	"AND state IN ('waiting', 'offered')", NULL };
static const struct sql q_withdraw_offer = { "peer.request_withdraw_offer",
	"UPDATE peer_match SET state = 'withdrawn', answered_at = $2 WHERE request_id = $1 "
	"AND state = 'offered'", NULL };
#define REQ_COLS \
	"r.id, r.person_id, pe.name, r.state, r.conditions, r.topics, r.wants, r.language, r.ways, " \
	"r.slots, r.district, r.max_miles, r.prefers, r.about, r.why_none, r.created_at, " \
	"r.waiting_since, m.id, m.state, m.expires_at, pp.name "
#define REQ_FROM \
	"FROM peer_request r JOIN person pe ON pe.id = r.person_id " \
	"LEFT JOIN peer_match m ON m.request_id = r.id AND m.state IN ('offered', 'accepted', 'ended') " \
	"LEFT JOIN person pp ON pp.id = m.peer_id "
static const struct sql q_view = { "peer.request_view",
	"SELECT " REQ_COLS REQ_FROM "WHERE r.id = $1", NULL };
static const struct sql q_of = { "peer.requests_of",
	"SELECT " REQ_COLS REQ_FROM "WHERE r.person_id = $1 ORDER BY r.created_at DESC, r.id LIMIT 50",
	NULL };
static const struct sql q_made_by = { "peer.requests_made_by",
	"SELECT " REQ_COLS REQ_FROM "WHERE r.made_by = $1 ORDER BY r.created_at DESC, r.id LIMIT 50", NULL };
static const struct sql q_waiting = { "peer.waiting",
	"SELECT " REQ_COLS REQ_FROM "WHERE r.state IN ('waiting', 'offered') "
	"ORDER BY r.created_at, r.id LIMIT 1000", NULL };

/* ---------------------------------------------------------------- checks */

static bool prefers_ok(const char *p)
{
	return !p || !*p || strcmp(p, "woman") == 0 || strcmp(p, "man") == 0;
}

enum err peer_ask_check(const struct peer_ask *ask, json_t *errors)
{
	size_t before = json_array_size(errors);
	char d[5];
	double lat, lon;
	const char *why = NULL;

	if (!ask->conditions)
		field_err(errors, "conditions", "Choose the condition you would like to talk about");
	if (!ask->wants)
		field_err(errors, "wants", "Choose what you would like from a peer supporter");
	if (ask->language && *ask->language &&
	    vocab_find(vocab_languages, vocab_languages_n, ask->language) < 0)
		field_err(errors, "language", "Choose a language from the list");
	if (!ask->ways)
		field_err(errors, "ways", "Choose at least one way you could meet");
	if (!peer_district(ask->district, d, &lat, &lon, &why))
		field_err(errors, "district", why);
	else if (!d[0] && (ask->ways & MATCH_WAY_BIT(MATCH_IN_PERSON)))
		field_err(errors, "district", "Enter your postcode or its first half, like DN15, so "
			  "we can find someone near you to meet");
	if ((ask->ways & MATCH_WAY_BIT(MATCH_IN_PERSON)) &&
	    (ask->max_miles < 1 || ask->max_miles > PEER_MILES_MAX))
		field_err(errors, "max_miles", "Enter how far you could travel to meet, from 1 to 50 miles");
	if (!prefers_ok(ask->prefers))
		field_err(errors, "prefers", "Choose one of the answers");
	field_text_ok(errors, "about", "What you tell us", ask->about, PEER_ABOUT_MAX, false);
	return json_array_size(errors) > before ? ERR_INVALID : ERR_OK;
}

/* ---------------------------------------------------------------- writing */

enum err peer_request_open(struct db *db, int64_t person_id, char id[37])
{
	struct db_res *r;
	enum err e = db_query_one(db, &q_open, DB_ARGS(DB_INT(person_id)), &r);

	if (e == ERR_OK) {
		str_copy(id, 37, db_text(r, 0));
		db_res_free(r);
	}
	return e;
}

enum err peer_request_add(const struct peer_env *env, struct db *db, int64_t person_id,
		int64_t made_by, const struct peer_ask *ask, int64_t now, char id[37])
{
	struct peer_run_result run;
	char d[5];
	double lat, lon;
	const char *why = NULL;
	enum err e = peer_request_open(db, person_id, id);

	if (e == ERR_OK)
		return ERR_CONFLICT;
	if (e != ERR_NOT_FOUND)
		return e;
	if (!peer_district(ask->district, d, &lat, &lon, &why))
		return ERR_INVALID;
	if (!uuid_v4(id))
		return ERR_INTERNAL;
	e = db_exec(db, &q_insert, DB_ARGS(DB_TEXT(id), DB_INT(person_id),
		made_by && made_by != person_id ? DB_INT(made_by) : DB_NULL,
		DB_INT((int64_t)ask->conditions), DB_INT((int64_t)ask->topics), DB_INT((int64_t)ask->wants),
		db_text_or_null(ask->language), DB_INT(ask->ways), DB_INT(ask->slots), db_text_or_null(d),
		DB_INT(ask->ways & MATCH_WAY_BIT(MATCH_IN_PERSON) ? ask->max_miles : 0),
		DB_TEXT(ask->prefers ? ask->prefers : ""), db_text_or_null(ask->about), DB_INT(now)), NULL);
	if (e == ERR_CONFLICT)   /* another open request got in first (peer_request_open_one) */
		return ERR_CONFLICT;
	if (e == ERR_OK)
		e = peer_audit(db, now, made_by ? made_by : person_id, "peer.request.made", person_id,
			       "request=%.36s%s", id, made_by && made_by != person_id ? " by=link_worker" : "");
	if (e == ERR_OK)
		e = peer_run(env, db, PEER_RUN_NEW, now, &run);
	return e;
}

enum err peer_request_withdraw(struct db *db, const char *id, int64_t by, int64_t now)
{
	struct peer_request_meta m;
	int64_t n = 0;
	enum err e = peer_request_meta(db, id, &m);

	if (e)
		return e;
	if (m.state != PREQ_WAITING && m.state != PREQ_OFFERED)
		return ERR_CONFLICT;
	if ((e = db_exec(db, &q_withdraw_offer, DB_ARGS(DB_TEXT(id), DB_INT(now)), NULL)) != ERR_OK ||
	    (e = db_exec(db, &q_withdraw, DB_ARGS(DB_TEXT(id), DB_INT(now)), &n)) != ERR_OK)
		return e;
	if (n == 0)
		return ERR_CONFLICT;
	return peer_audit(db, now, by, "peer.request.withdrawn", m.person_id, "request=%.36s", id);
}

/* ---------------------------------------------------------------- reading */

enum err peer_request_meta(struct db *db, const char *id, struct peer_request_meta *out)
{
	struct db_res *r;
	int st;
	enum err e;

	memset(out, 0, sizeof(*out));
	if ((e = peer_row_by_id(db, &q_meta, id, &r)) != ERR_OK)
		return e;
	str_copy(out->id, sizeof(out->id), db_text(r, 0));
	out->person_id = db_int(r, 1);
	out->made_by = db_int(r, 2);
	st = peer_request_state_parse(db_text(r, 3));
	out->state = st < 0 ? PREQ_WAITING : (enum peer_request_state)st;
	db_res_free(r);
	return ERR_OK;
}

/* Where the request stands, in words to the person (them false) or to
 * whoever asked for them (them true). */
static const char *state_words(struct arena *a, int st, const char *peer_name, int64_t expires,
		bool them)
{
	switch (st) {
	case PREQ_WAITING:
		return them ? "We are finding someone for them." : "We are finding someone for you.";
	case PREQ_OFFERED:
		return arena_printf(a, "We have asked a peer supporter who fits what %s asked for. "
				    "They have until %s to say yes.", them ? "was" : "you",
				    peer_date_words(a, expires));
	case PREQ_MATCHED:
		return arena_printf(a, "%s has said yes.", peer_first_name(a, peer_name));
	case PREQ_ENDED:
		return "This match has ended.";
	default:
		return "This request was withdrawn.";
	}
}

static const char *state_tag(int st)
{
	static const char *const tags[PREQ__MAX] = { "Finding someone", "Asked a peer supporter",
		"Matched", "Ended", "Withdrawn" };
	return st >= 0 && st < PREQ__MAX ? tags[st] : "";
}

static json_t *request_json(struct db_res *r, struct arena *a, int64_t now, bool staff)
{
	int st = peer_request_state_parse(db_text(r, 3));
	const char *lang = db_text(r, 7), *peer_name = db_text(r, 20), *match_state = db_text(r, 18);
	int li = lang ? vocab_find(vocab_languages, vocab_languages_n, lang) : -1;
	int64_t expires = db_int(r, 19);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:I, s:I}",
		"id", db_text(r, 0), "state", peer_request_state_name(st < 0 ? PREQ_WAITING : st),
		"state_words", state_words(a, st, peer_name, expires, false), "state_tag", state_tag(st),
		"conditions_words", peer_terms_words(a, vocab_conditions, vocab_conditions_n, (uint64_t)db_int(r, 4)),
		"topics_words", peer_terms_words(a, peer_topics, peer_topics_n, (uint64_t)db_int(r, 5)),
		"wants_words", peer_terms_words(a, peer_wants, peer_wants_n, (uint64_t)db_int(r, 6)),
		"ways_words", peer_ways_words(a, (unsigned)db_int(r, 8)),
		"times_words", peer_slots_words(a, (uint32_t)db_int(r, 9)),
		"language_words", li >= 0 ? json_string(vocab_languages[li].name) : json_null(),
		"district", db_json_text(r, 10),
		"created_words", peer_date_words(a, db_int(r, 15)),
		"created_at", (json_int_t)db_int(r, 15),
		"days_waiting", (json_int_t)(uk_local_day(now) - uk_local_day(db_int(r, 15))));

	if (!o)
		return NULL;
	json_object_set_new(o, "match_id", match_state && strcmp(match_state, "offered") != 0
			    ? db_json_text(r, 17) : json_null());
	{
		int64_t d = json_integer_value(json_object_get(o, "days_waiting"));

		json_object_set_new(o, "days_waiting_words", d <= 0 ? json_string("Asked today") :
			json_sprintf("%lld day%s", (long long)d, d == 1 ? "" : "s"));
	}
	json_object_set_new(o, "open", json_boolean(st == PREQ_WAITING || st == PREQ_OFFERED));
	if (db_int(r, 11) > 0)
		json_object_set_new(o, "max_miles", json_integer(db_int(r, 11)));
	if (db_text(r, 12) && *db_text(r, 12))
		json_object_set_new(o, "prefers_words", json_string(strcmp(db_text(r, 12), "woman") == 0
			? "A woman" : "A man"));
	json_object_set_new(o, "about", db_json_text(r, 13));
	json_object_set_new(o, "person_first", json_string(peer_first_name(a, db_text(r, 2))));
	json_object_set_new(o, "state_words_them", json_string(state_words(a, st, peer_name, expires, true)));
	if (staff) {
		json_object_set_new(o, "person_id", json_integer(db_int(r, 1)));
		json_object_set_new(o, "person_name", db_json_text(r, 2));
		json_object_set_new(o, "why_none", db_json_text(r, 14));
		json_object_set_new(o, "offered_to", st == PREQ_OFFERED ? db_json_text(r, 20) : json_null());
		json_object_set_new(o, "answer_by", st == PREQ_OFFERED ? json_string(peer_date_words(a,
			expires)) : json_null());
	}
	return o;
}

enum err peer_request_view(struct db *db, struct arena *a, const char *id, int64_t now,
		json_t **out)
{
	struct db_res *r;
	enum err e = db_query_one(db, &q_view, DB_ARGS(DB_TEXT(id)), &r);

	*out = NULL;
	if (e)
		return e;
	*out = request_json(r, a, now, false);
	db_res_free(r);
	return *out ? ERR_OK : ERR_NOMEM;
}

static enum err rows(struct db *db, struct arena *a, const struct sql *q, const struct db_val *args,
		size_t nargs, int64_t now, bool staff, json_t **out)
{
	struct db_res *r;
	enum err e;

	if (!(*out = json_array()))
		return ERR_NOMEM;
	if ((e = db_query(db, q, args, nargs, &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		json_t *o = request_json(r, a, now, staff);

		if (!o || json_array_append_new(*out, o) != 0) {
			e = ERR_NOMEM;
			break;
		}
	}
	db_res_free(r);
	return e;
}

enum err peer_requests_of(struct db *db, struct arena *a, int64_t person_id, int64_t now,
		json_t **out)
{
	return rows(db, a, &q_of, DB_ARGS(DB_INT(person_id)), now, false, out);
}

enum err peer_requests_made_by(struct db *db, struct arena *a, int64_t made_by, int64_t now,
		json_t **out)
{
	return rows(db, a, &q_made_by, DB_ARGS(DB_INT(made_by)), now, false, out);
}

enum err peer_waiting(struct db *db, struct arena *a, int64_t now, json_t **out)
{
	enum err e = rows(db, a, &q_waiting, DB_NOARGS, now, true, out);
	size_t i;
	json_t *it;

	/* The list is a list: a person's own words are on their request's
	 * page, whose reading is audited. */
	json_array_foreach(*out, i, it) {
		json_object_del(it, "about");
		json_object_del(it, "topics_words");
		json_object_del(it, "wants_words");
		json_object_del(it, "prefers_words");
	}
	return e;
}
