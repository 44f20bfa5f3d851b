/*
 * peer.c - peer supporters (peer.h): applying, the trust steps a
 * coordinator records, the tier they give, approving, pausing and
 * standing down, a peer's own "away until", and the shared helpers of
 * the feature (districts, first names, email, audit).
 *
 * A peer's tier is counted from their checks each time it is read, so a
 * check recorded is a tier changed, with nothing to keep in step.
 */
#include "core/common.h"
#include "peer/peer_int.h"

#include "audit/audit.h"
#include "auth/person.h"
#include "core/fields.h"
#include "core/links.h"
#include "core/str.h"
#include "core/uktime.h"
#include "directory/vocab.h"
#include "mail/mail.h"
#include "search/postcode.h"
#include "store/store.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

/* ---------------------------------------------------------------- SQL */

#define PEER_COLS \
	"p.person_id, pe.name, p.state, p.conditions, p.topics, p.languages, p.district, p.ways, " \
	"p.slots, p.capacity, p.gender, p.intro, p.away_until, p.paused_why, p.applied_at, " \
	"coalesce(p.decided_at, 0), coalesce(p.last_offer_at, 0), coalesce(p.last_response_at, 0), " \
	"p.unanswered, " \
	PEER_CHECK_COUNTS("p.person_id") ", " \
	"(SELECT count(*) FROM peer_match m WHERE m.peer_id = p.person_id AND m.state = 'accepted'), " \
	"(SELECT count(*) FROM peer_match m WHERE m.peer_id = p.person_id AND m.state = 'offered') " \
	"FROM peer_supporter p JOIN person pe ON pe.id = p.person_id "

static const struct sql q_get = { "peer.get", "SELECT " PEER_COLS "WHERE p.person_id = $1", NULL };
static const struct sql q_list = { "peer.list",
	"SELECT " PEER_COLS "WHERE pe.erased_at IS NULL ORDER BY CASE p.state WHEN 'applied' THEN 0 "
	"WHEN 'paused' THEN 1 WHEN 'approved' THEN 2 ELSE 3 END, p.applied_at, p.person_id LIMIT 1000",
	NULL };
static const struct sql q_insert = { "peer.insert",
	"INSERT INTO peer_supporter (person_id, state, conditions, topics, languages, district, ways, "
	"slots, capacity, gender, intro, applied_at, updated_at) "
	"VALUES ($1, 'applied', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)", NULL };
static const struct sql q_update = { "peer.update",
	"UPDATE peer_supporter SET conditions = $2, topics = $3, languages = $4, district = $5, "
	"ways = $6, slots = $7, capacity = $8, gender = $9, intro = $10, updated_at = $11 "
	"WHERE person_id = $1", NULL };
static const struct sql q_state = { "peer.state",
	"SELECT state, coalesce(paused_why, '') FROM peer_supporter WHERE person_id = $1", NULL };
static const struct sql q_decide = { "peer.decide",
	"UPDATE peer_supporter SET state = $2, paused_why = $3, decided_at = $4, decided_by = $5, "
	"away_until = NULL, unanswered = CASE WHEN $2 = 'approved' THEN 0 ELSE unanswered END, "
	"updated_at = $4 WHERE person_id = $1", NULL };
static const struct sql q_away = { "peer.away",
	"UPDATE peer_supporter SET state = $2, paused_why = $3, away_until = $4, "
	"unanswered = 0, updated_at = $5 WHERE person_id = $1", NULL };
static const struct sql q_check_add = { "peer.check_add",
	"INSERT INTO peer_check (person_id, kind, done_on, detail, checked_by, recorded_at) "
	"VALUES ($1, $2, $3, $4, $5, $6)", NULL };
static const struct sql q_checks = { "peer.checks",
	"SELECT c.kind, c.done_on, c.detail, pe.name, c.recorded_at FROM peer_check c "
	"LEFT JOIN person pe ON pe.id = c.checked_by WHERE c.person_id = $1 "
	"ORDER BY c.done_on, c.id", NULL };
/* Their offered requests back to the pool first, then the offers. */
static const struct sql q_requests_back = { "peer.requests_back",
	"UPDATE peer_request SET state = 'waiting', waiting_since = $2, updated_at = $2 "
	"WHERE state = 'offered' AND id IN (SELECT request_id FROM peer_match WHERE peer_id = $1 "
	"AND state = 'offered')", NULL };
static const struct sql q_withdraw_offers = { "peer.withdraw_offers",
	"UPDATE peer_match SET state = 'withdrawn', answered_at = $2 "
	"WHERE peer_id = $1 AND state = 'offered'", NULL };

/* ---------------------------------------------------------------- helpers */

enum match_tier peer_tier_at(struct db_res *r, int col)
{
	return peer_tier_of((int)db_int(r, col), (int)db_int(r, col + 1), (int)db_int(r, col + 2),
			    (int)db_int(r, col + 3));
}

int peer_offer_days(const struct peer_env *env)
{
	return env && env->settings && env->settings->offer_days > 0 ? env->settings->offer_days
								    : PEER_DEFAULT_OFFER_DAYS;
}

int peer_pause_after(const struct peer_env *env)
{
	return env && env->settings && env->settings->pause_after > 0 ? env->settings->pause_after
								     : PEER_DEFAULT_PAUSE_AFTER;
}

bool peer_district(const char *in, char out[5], double *lat, double *lon, const char **why)
{
	struct postcode_place place;
	char district[9];
	const char *sp;
	size_t n;

	out[0] = 0;
	*lat = *lon = NAN;
	if (!in || str_is_blank(in))
		return true;
	if (postcode_locate(in, &place, why) != ERR_OK)
		return false;
	sp = strchr(place.normal, ' ');
	n = sp ? (size_t)(sp - place.normal) : strlen(place.normal);
	if (n == 0 || n > 4) {
		*why = "Enter a real postcode, like DN15 6XX, or its first half, like DN15";
		return false;
	}
	memcpy(district, place.normal, n);
	district[n] = 0;
	/* The district's own centre: a person's place is never closer than
	 * their district. */
	if (postcode_locate(district, &place, why) != ERR_OK)
		return false;
	memcpy(out, district, n + 1);
	*lat = place.lat;
	*lon = place.lon;
	return true;
}

enum err peer_row_by_id(struct db *db, const struct sql *q, const char *id, struct db_res **r)
{
	*r = NULL;
	if (!id || !str_is_uuid((struct str){ id, strlen(id) }))
		return ERR_NOT_FOUND;
	return db_query_one(db, q, DB_ARGS(DB_TEXT(id)), r);
}

const char *peer_first_name(struct arena *a, const char *name)
{
	size_t n = 0;

	if (!name)
		return "";
	while (*name == ' ')
		name++;
	while (name[n] && name[n] != ' ')
		n++;
	return arena_strndup(a, name, n);
}

const char *peer_date_words(struct arena *a, int64_t t)
{
	char d[UK_FORMAT_MAX];

	uk_format_date(t, d, sizeof(d));
	return arena_strdup(a, d);
}

const char *peer_day_words(struct arena *a, const char *day)
{
	char words[UK_FORMAT_MAX];
	int64_t d;

	if (!day || !uk_parse_day(day, &d))
		return NULL;
	uk_format_day(d, words, sizeof(words));
	return arena_strdup(a, words);
}

enum err peer_mail(const struct peer_env *env, struct db *db, int64_t person_id, const char *tmpl,
		json_t *ctx, const char *route, const char *arg, int64_t now)
{
	return env ? mail_person(env->mailer, env->links, db, person_id, tmpl, ctx, route, arg, now) : ERR_OK;
}

enum err peer_audit(struct db *db, int64_t now, int64_t actor, const char *action, int64_t subject,
		const char *fmt, ...)
{
	char detail[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return audit_log(db, now, actor, action, subject, detail, NULL, NULL);
}

/* ---------------------------------------------------------------- a profile */

static bool gender_ok(const char *g, bool other)
{
	return !g || !*g || strcmp(g, "woman") == 0 || strcmp(g, "man") == 0 ||
	       (other && strcmp(g, "other") == 0);
}

enum err peer_profile_check(const struct peer_profile *p, json_t *errors)
{
	size_t before = json_array_size(errors);
	char d[5];
	double lat, lon;
	const char *why = NULL;

	if (!p->conditions)
		field_err(errors, "conditions", "Choose at least one condition you have lived with or "
			  "cared for someone with");
	if (!p->languages)
		field_err(errors, "languages", "Choose the languages you speak");
	if (!p->ways)
		field_err(errors, "ways", "Choose at least one way you could meet");
	if (!peer_district(p->district, d, &lat, &lon, &why))
		field_err(errors, "district", why);
	else if (!d[0] && (p->ways & MATCH_WAY_BIT(MATCH_IN_PERSON)))
		field_err(errors, "district", "Enter your postcode or its first half, like DN15, so "
			  "we can find people near you to meet in person");
	if (p->capacity < 1 || p->capacity > PEER_CAPACITY_MAX)
		field_err(errors, "capacity", "Enter how many people you could support at once, "
			  "from 1 to 10");
	if (!gender_ok(p->gender, true))
		field_err(errors, "gender", "Choose one of the answers");
	if (!p->intro || str_is_blank(p->intro))
		field_err(errors, "intro", "Write a few words about yourself for the people you "
			  "will support");
	else
		field_text_ok(errors, "intro", "Your introduction", p->intro, PEER_INTRO_MAX, false);
	return json_array_size(errors) > before ? ERR_INVALID : ERR_OK;
}

/* Their state, and whether a coordinator paused them. */
static enum err state_by(struct db *db, int64_t person_id, enum peer_state *out, bool *by_coordinator)
{
	struct db_res *r;
	enum err e = db_query_one(db, &q_state, DB_ARGS(DB_INT(person_id)), &r);

	if (e)
		return e;
	if (!peer_state_parse(db_text(r, 0), out))
		e = ERR_INTERNAL;
	if (by_coordinator)
		*by_coordinator = strcmp(db_text(r, 1), "coordinator") == 0;
	db_res_free(r);
	return e;
}

static enum err state_of(struct db *db, int64_t person_id, enum peer_state *out)
{
	return state_by(db, person_id, out, NULL);
}

enum err peer_apply(const struct peer_env *env, struct db *db, int64_t person_id,
		const struct peer_profile *p, int64_t now)
{
	enum peer_state st;
	char d[5];
	double lat, lon;
	const char *why = NULL;
	enum err e = state_of(db, person_id, &st);
	bool fresh = e == ERR_NOT_FOUND;

	UNUSED(env);
	if (e && !fresh)
		return e;
	if (!fresh && st == PEER_STOOD_DOWN)
		return ERR_CONFLICT;
	if (!peer_district(p->district, d, &lat, &lon, &why))
		return ERR_INVALID;
	e = db_exec(db, fresh ? &q_insert : &q_update, DB_ARGS(DB_INT(person_id),
		DB_INT((int64_t)p->conditions), DB_INT((int64_t)p->topics), DB_INT((int64_t)p->languages),
		db_text_or_null(d), DB_INT(p->ways), DB_INT(p->slots), DB_INT(p->capacity),
		DB_TEXT(p->gender ? p->gender : ""), DB_TEXT(p->intro), DB_INT(now)), NULL);
	if (e)
		return e;
	return peer_audit(db, now, person_id, fresh ? "peer.applied" : "peer.profile.changed",
			  person_id, "capacity=%d", p->capacity);
}

/* ---------------------------------------------------------------- reading */

static void read_row(struct db_res *r, struct arena *a, struct peer_row *o)
{
	enum peer_state st = PEER_APPLIED;
	const char *d = db_text(r, 6);

	memset(o, 0, sizeof(*o));
	o->person_id = db_int(r, 0);
	o->name = db_dup(a, r, 1, NULL);
	peer_state_parse(db_text(r, 2), &st);
	o->state = st;
	o->p.conditions = (uint64_t)db_int(r, 3);
	o->p.topics = (uint64_t)db_int(r, 4);
	o->p.languages = (uint64_t)db_int(r, 5);
	if (d)
		str_copy(o->district, sizeof(o->district), d);
	o->p.district = o->district;
	o->p.ways = (unsigned)db_int(r, 7);
	o->p.slots = (uint32_t)db_int(r, 8);
	o->p.capacity = (int)db_int(r, 9);
	o->p.gender = db_dup(a, r, 10, NULL);
	o->p.intro = db_dup(a, r, 11, NULL);
	o->away_until = db_dup(a, r, 12, NULL);
	o->paused_why = db_dup(a, r, 13, NULL);
	o->applied_at = db_int(r, 14);
	o->decided_at = db_int(r, 15);
	o->last_offer_at = db_int(r, 16);
	o->last_response_at = db_int(r, 17);
	o->unanswered = db_int(r, 18);
	o->tier = peer_tier_at(r, 19);
	o->active = (int)db_int(r, 23);
	o->offered = (int)db_int(r, 24);
}

enum err peer_get(struct db *db, struct arena *a, int64_t person_id, int64_t now,
		struct peer_row *out)
{
	struct db_res *r;
	enum err e = db_query_one(db, &q_get, DB_ARGS(DB_INT(person_id)), &r);

	UNUSED(now);
	if (e)
		return e;
	read_row(r, a, out);
	db_res_free(r);
	return ERR_OK;
}

/* When they last answered, for the coordinators' table. */
static const char *ago_words(struct arena *a, int64_t t, int64_t now)
{
	char words[48];

	if (t <= 0)
		return "Never";
	uk_ago_words(uk_local_day(t), uk_local_day(now), words, sizeof(words));
	words[0] = (char)(words[0] >= 'a' && words[0] <= 'z' ? words[0] - 'a' + 'A' : words[0]);
	return arena_strdup(a, words);   /* a table cell: "Today", "3 weeks ago" */
}

enum err peer_list(struct db *db, struct arena *a, int64_t now, json_t **out)
{
	struct db_res *r;
	enum err e;

	if (!(*out = json_array()))
		return ERR_NOMEM;
	if ((e = db_query(db, &q_list, DB_NOARGS, &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		struct peer_row p;
		int room;

		read_row(r, a, &p);
		room = p.p.capacity - p.active - p.offered;
		json_array_append_new(*out, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:s, "
			"s:s, s:s, s:o, s:I, s:b}",
			"person_id", (json_int_t)p.person_id, "name", p.name ? p.name : "",
			"state", peer_state_name(p.state),
			"tier_words", peer_tier_words(p.tier),
			"state_words", peer_state_words(p.state),
			"conditions_words", peer_terms_words(a, vocab_conditions, vocab_conditions_n, p.p.conditions),
			"capacity", p.p.capacity, "active", p.active, "room", room < 0 ? 0 : room,
			"last_response_words", ago_words(a, p.last_response_at, now),
			"district", p.district, "applied_words", peer_date_words(a, p.applied_at),
			"away_until", p.away_until ? json_string(peer_day_words(a, p.away_until)) : json_null(),
			"unanswered", (json_int_t)p.unanswered, "waiting_answer", p.offered > 0));
	}
	db_res_free(r);
	return e;
}

/* ---------------------------------------------------------------- checks */

enum err peer_check_add(struct db *db, int64_t person_id, enum peer_check_kind kind,
		const char *done_on, const char *detail, int64_t by, int64_t now, json_t *errors)
{
	int64_t day;
	enum peer_state st;
	json_t *own = errors ? NULL : json_array();
	enum err e;

	if (own)
		errors = own;
	if (!done_on || !uk_parse_day(done_on, &day) || day > uk_local_day(now) ||
	    day < uk_days(1990, 1, 1))
		field_err(errors, "done_on", "Enter the day it was checked, like 27 3 2026. It cannot "
			  "be in the future");
	if (kind == PEER_CHECK_DBS) {
		if (!detail || vocab_find(peer_dbs_levels, ARRAY_LEN(peer_dbs_levels), detail) < 0)
			field_err(errors, "level", "Choose the level of the DBS check");
	} else if ((kind == PEER_CHECK_REFERENCE || kind == PEER_CHECK_TRAINING) &&
		   (!detail || str_is_blank(detail))) {
		field_err(errors, "detail", kind == PEER_CHECK_TRAINING ? "Enter the training's name"
			  : "Enter who gave the reference, like \"former manager\"");
	} else {
		field_text_ok(errors, "detail", "The detail", detail, PEER_DETAIL_MAX, true);
	}
	e = json_array_size(errors) ? ERR_INVALID : ERR_OK;
	json_decref(own);
	if (e)
		return e;
	if ((e = state_of(db, person_id, &st)) != ERR_OK)
		return e;
	if (st == PEER_STOOD_DOWN)
		return ERR_CONFLICT;
	if ((e = db_exec(db, &q_check_add, DB_ARGS(DB_INT(person_id), DB_TEXT(peer_check_name(kind)),
			 DB_TEXT(done_on), db_text_or_null(detail), by ? DB_INT(by) : DB_NULL, DB_INT(now)), NULL)) != ERR_OK)
		return e;
	/* The kind, never the detail: a DBS level is not the log's business. */
	return peer_audit(db, now, by, "peer.check.recorded", person_id, "kind=%s",
			  peer_check_name(kind));
}

static const char *check_words(enum peer_check_kind k)
{
	static const char *const w[PEER_CHECK__MAX] = {
		"Identity", "Reference", "Training", "DBS check",
	};
	return (unsigned)k < PEER_CHECK__MAX ? w[k] : "Check";
}

enum err peer_checks(struct db *db, int64_t person_id, json_t **out)
{
	struct db_res *r;
	enum err e;

	if (!(*out = json_array()))
		return ERR_NOMEM;
	if ((e = db_query(db, &q_checks, DB_ARGS(DB_INT(person_id)), &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		enum peer_check_kind k = PEER_CHECK_IDENTITY;
		int64_t day = 0;
		char on[UK_FORMAT_MAX] = "";

		peer_check_parse(db_text(r, 0), &k);
		if (uk_parse_day(db_text(r, 1), &day))
			uk_format_day(day, on, sizeof(on));
		json_array_append_new(*out, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:I}",
			"kind", peer_check_name(k), "kind_words", check_words(k),
			"done_on", db_text(r, 1), "done_words", on, "detail", db_json_text(r, 2),
			"checked_by_name", db_json_text(r, 3), "recorded_at", (json_int_t)db_int(r, 4)));
	}
	db_res_free(r);
	return e;
}

/* ---------------------------------------------------------------- decisions */

enum err peer_withdraw_offers_of(struct db *db, int64_t peer_id, int64_t now)
{
	enum err e = db_exec(db, &q_requests_back, DB_ARGS(DB_INT(peer_id), DB_INT(now)), NULL);

	return e ? e : db_exec(db, &q_withdraw_offers, DB_ARGS(DB_INT(peer_id), DB_INT(now)), NULL);
}

enum err peer_decide(const struct peer_env *env, struct db *db, int64_t person_id,
		enum peer_decision d, int64_t by, int64_t now, const char **why)
{
	static const char *const action[] = { "peer.approved", "peer.paused", "peer.stood_down" };
	struct peer_row p;
	struct arena a;
	enum err e;

	*why = NULL;
	arena_init(&a);
	if ((e = peer_get(db, &a, person_id, now, &p)) != ERR_OK)
		goto out;
	/* A stood-down peer may be approved again (and only by a
	 * coordinator); a paused one paused by a coordinator, who then holds
	 * the pause. */
	if ((d != PEER_APPROVE && p.state == PEER_STOOD_DOWN) ||
	    (d == PEER_APPROVE && p.state == PEER_APPROVED) ||
	    (d == PEER_PAUSE && p.state != PEER_APPROVED && p.state != PEER_PAUSED) ||
	    (d == PEER_PAUSE && p.paused_why && strcmp(p.paused_why, "coordinator") == 0)) {
		*why = p.state == PEER_STOOD_DOWN ? "This peer supporter has stood down already. "
			"Approve them to bring them back." : d == PEER_APPROVE ? "This peer supporter "
			"is approved already." : p.state == PEER_PAUSED ? "This peer supporter is paused "
			"by the coordinators already." : "Only an approved peer supporter can be paused.";
		e = ERR_CONFLICT;
		goto out;
	}
	if (d == PEER_APPROVE && p.tier == MATCH_TIER_NONE) {
		*why = "Record their identity check before approving them: without it they cannot "
		       "be offered anyone.";
		e = ERR_INVALID;
		goto out;
	}
	e = db_exec(db, &q_decide, DB_ARGS(DB_INT(person_id),
		DB_TEXT(d == PEER_APPROVE ? "approved" : d == PEER_PAUSE ? "paused" : "stood_down"),
		d == PEER_PAUSE ? DB_TEXT("coordinator") : DB_NULL, DB_INT(now), by ? DB_INT(by) : DB_NULL), NULL);
	if (e == ERR_OK && d != PEER_APPROVE)
		e = peer_withdraw_offers_of(db, person_id, now);
	if (e == ERR_OK && d == PEER_STAND_DOWN)
		e = peer_end_all_of(env, db, person_id, by, now);
	if (e == ERR_OK && d == PEER_APPROVE && p.state != PEER_PAUSED)
		e = person_grant(db, person_id, ROLE_PEER_SUPPORTER, NULL, by, now);
	if (e == ERR_CONFLICT)   /* they held the role already */
		e = ERR_OK;
	if (e == ERR_OK && d == PEER_STAND_DOWN)
		e = person_revoke_role(db, person_id, ROLE_PEER_SUPPORTER, now);
	if (e == ERR_NOT_FOUND && d == PEER_STAND_DOWN)
		e = ERR_OK;
	if (e == ERR_OK && d == PEER_APPROVE && p.state == PEER_APPLIED) {
		json_t *ctx = json_object();

		e = ctx ? peer_mail(env, db, person_id, "peer_approved", ctx, "peer.mine", NULL, now)
			: ERR_NOMEM;
		json_decref(ctx);
	}
	if (e == ERR_OK)
		e = peer_audit(db, now, by, action[d], person_id, "tier=%d", (int)p.tier);
out:
	arena_release(&a);
	return e;
}

enum err peer_away(struct db *db, int64_t person_id, const char *until, int64_t now)
{
	enum peer_state st;
	bool by_coordinator = false;
	int64_t day;
	enum err e = state_by(db, person_id, &st, &by_coordinator);

	if (e)
		return e;
	/* A coordinator's pause is theirs to lift. */
	if ((st != PEER_APPROVED && st != PEER_PAUSED) || by_coordinator)
		return ERR_CONFLICT;
	if (until) {
		if (!uk_parse_day(until, &day) || day <= uk_local_day(now) ||
		    day > uk_local_day(now) + 366)
			return ERR_INVALID;
		e = db_exec(db, &q_away, DB_ARGS(DB_INT(person_id), DB_TEXT("paused"), DB_TEXT("self"),
			    DB_TEXT(until), DB_INT(now)), NULL);
		if (e == ERR_OK)
			e = peer_withdraw_offers_of(db, person_id, now);
	} else {
		e = db_exec(db, &q_away, DB_ARGS(DB_INT(person_id), DB_TEXT("approved"), DB_NULL, DB_NULL,
			    DB_INT(now)), NULL);
	}
	if (e)
		return e;
	return peer_audit(db, now, person_id, until ? "peer.away" : "peer.back", person_id, "%s",
			  until ? "until=set" : "back");
}
