/*
 * sessions.c - a group's sessions (groups.h): its service's schedules
 * expanded into days (search/recur.h), with the changes and one-offs of
 * group_session laid over them; cancelling, moving, changing and adding
 * sessions, each telling whoever is going.
 */
#include "core/common.h"
#include "groups/groups_int.h"

#include "core/fields.h"
#include "core/str.h"
#include "core/uktime.h"
#include "search/postcode.h"
#include "search/recur.h"
#include "search/search.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>

/* ---------------------------------------------------------------- SQL */

static const struct sql q_scheds = { "group.scheds", "SELECT scheds FROM service WHERE id = $1", NULL };
#define SESSION_COLS GROUP_SESSION_COLS("")
static const struct sql q_rows = { "group.session_rows",
	"SELECT " SESSION_COLS "FROM group_session WHERE service_id = $1 "
	"AND ((day >= $2 AND day <= $3) OR (skey >= $2 AND skey <= $3)) ORDER BY skey", NULL };
static const struct sql q_row = { "group.session_row",
	"SELECT " SESSION_COLS "FROM group_session WHERE service_id = $1 AND skey = $2", NULL };
static const struct sql q_upsert = { "group.session_upsert",
	"INSERT INTO group_session (service_id, skey, kind, state, day, opens, closes, title, place, "
	"postcode, note, sequence, updated_at, updated_by, latitude, longitude) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) "
	"ON CONFLICT (service_id, skey) DO UPDATE SET kind = $3, state = $4, day = $5, opens = $6, "
	"closes = $7, title = $8, place = $9, postcode = $10, note = $11, sequence = $12, "
	"updated_at = $13, updated_by = $14, latitude = $15, longitude = $16", NULL };

/* ---------------------------------------------------------------- schedules */

size_t group_decode_scheds(const char *p, struct sched *out, size_t max)
{
	size_t n = 0;

	while (p && *p && n < max) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len && sched_decode(p, len, &out[n]))
			n++;
		p += len + (nl ? 1 : 0);
	}
	return n;
}

enum err group_scheds(struct db *db, const char *id, struct sched *out, size_t max, size_t *n)
{
	struct db_res *r;
	enum err e;

	*n = 0;
	if ((e = db_query_one(db, &q_scheds, DB_ARGS(DB_TEXT(id)), &r)) != ERR_OK)
		return e;
	*n = group_decode_scheds(db_text(r, 0), out, max);
	db_res_free(r);
	return ERR_OK;
}

int group_sched_on(const struct sched *sc, size_t ns, int64_t day, int64_t today)
{
	int best = -1;

	for (size_t i = 0; i < ns; i++) {
		if (!sched_on_day(&sc[i], day, today))
			continue;
		if (best < 0 || (sc[i].opens >= 0 && (sc[best].opens < 0 || sc[i].opens < sc[best].opens)))
			best = (int)i;
	}
	return best;
}

/* The earliest of scheds' sessions on day: true with its times. */
static bool scheduled_on(const struct sched *sc, size_t ns, int64_t day, int64_t today, int *opens,
		int *closes)
{
	int k = group_sched_on(sc, ns, day, today);

	if (k < 0)
		return false;
	*opens = sc[k].opens;
	*closes = sc[k].closes;
	return true;
}

/* ---------------------------------------------------------------- reading */

static int int_or(struct db_res *r, int col)
{
	return db_isnull(r, col) ? -1 : (int)db_int(r, col);
}

bool group_session_read(struct arena *a, struct db_res *r, int col, struct group_session *s)
{
	int64_t key, day;

	if (!group_skey_parse(db_text(r, col), &key) || !group_skey_parse(db_text(r, col + 3), &day))
		return false;
	str_copy(s->skey, sizeof(s->skey), db_text(r, col));
	s->key_day = key;
	s->day = day;
	s->one_off = strcmp(db_text(r, col + 1), "one_off") == 0;
	s->changed = !s->one_off;
	s->cancelled = strcmp(db_text(r, col + 2), "cancelled") == 0;
	if (!db_isnull(r, col + 4) || s->one_off)
		s->opens = int_or(r, col + 4);
	if (!db_isnull(r, col + 5) || s->one_off)
		s->closes = int_or(r, col + 5);
	s->title = db_dup(a, r, col + 6, NULL);
	s->place = db_dup(a, r, col + 7, NULL);
	s->postcode = db_dup(a, r, col + 8, NULL);
	s->note = db_dup(a, r, col + 9, NULL);
	s->sequence = (int)db_int(r, col + 10);
	return true;
}

static void base_session(struct group_session *s, int64_t day, int opens, int closes)
{
	memset(s, 0, sizeof(*s));
	group_skey(day, s->skey);
	s->key_day = s->day = day;
	s->opens = opens;
	s->closes = closes;
}

static int session_cmp(const void *pa, const void *pb)
{
	const struct group_session *a = pa, *b = pb;

	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	if (a->opens != b->opens)
		return a->opens < b->opens ? -1 : 1;
	return strcmp(a->skey, b->skey);
}

enum err group_sessions(struct db *db, struct arena *a, const char *id, int64_t from, int64_t to,
		int64_t today, struct group_session **out, size_t *n)
{
	struct sched sc[SEARCH_MAX_SCHEDS];
	char f[GROUP_SKEY], t[GROUP_SKEY];
	struct group_session *v;
	struct db_res *r;
	size_t ns, nv = 0, cap;
	enum err e;

	*out = NULL;
	*n = 0;
	if (to < from || to - from >= GROUP_WINDOW_MAX)
		return ERR_INVALID;
	if ((e = group_scheds(db, id, sc, SEARCH_MAX_SCHEDS, &ns)) != ERR_OK)
		return e;
	group_skey(from, f);
	group_skey(to, t);
	if ((e = db_query(db, &q_rows, DB_ARGS(DB_TEXT(id), DB_TEXT(f), DB_TEXT(t)), &r)) != ERR_OK)
		return e;
	/* Every day of the window, and each row's: the rows are bounded by the
	 * window's days twice over (a key and a day each in it). */
	cap = (size_t)(to - from + 1) * 3;
	v = arena_calloc(a, cap, sizeof(*v));
	if (!v) {
		db_res_free(r);
		return ERR_NOMEM;
	}
	for (int64_t d = from; d <= to; d++) {
		int o = -1, c = -1;
		if (scheduled_on(sc, ns, d, today, &o, &c))
			base_session(&v[nv++], d, o, c);
	}
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		int64_t key;
		struct group_session *s = NULL;

		if (!group_skey_parse(db_text(r, 0), &key))
			continue;
		for (size_t i = 0; i < nv; i++)
			if (v[i].key_day == key && !v[i].one_off && !v[i].changed)
				s = &v[i];
		if (!s && nv < cap) {
			int o = -1, c = -1;
			bool one_off = strcmp(db_text(r, 1), "one_off") == 0;
			/* A change to a day of the schedule outside the window (moved
			 * into it), or a one-off; a change whose day the schedule no
			 * longer has is gone with it. */
			if (!one_off && !scheduled_on(sc, ns, key, today, &o, &c))
				continue;
			s = &v[nv++];
			base_session(s, key, o, c);
		}
		if (s && !group_session_read(a, r, 0, s))
			memset(s, 0, sizeof(*s));
	}
	db_res_free(r);
	if (e)
		return e;
	/* Moved out of the window (or unreadable): left out. */
	size_t k = 0;
	for (size_t i = 0; i < nv; i++)
		if (v[i].skey[0] && v[i].day >= from && v[i].day <= to)
			v[k++] = v[i];
	qsort(v, k, sizeof(*v), session_cmp);
	*out = v;
	*n = k;
	return ERR_OK;
}

enum err group_session_get(struct db *db, struct arena *a, const char *id, const char *skey,
		int64_t today, struct group_session *out)
{
	struct sched sc[SEARCH_MAX_SCHEDS];
	struct db_res *r;
	int64_t key;
	size_t ns;
	int o = -1, c = -1;
	bool scheduled;
	enum err e;

	memset(out, 0, sizeof(*out));
	if (!group_skey_parse(skey, &key))
		return ERR_NOT_FOUND;
	if ((e = group_scheds(db, id, sc, SEARCH_MAX_SCHEDS, &ns)) != ERR_OK)
		return e;
	scheduled = scheduled_on(sc, ns, key, today, &o, &c);
	e = db_query_one(db, &q_row, DB_ARGS(DB_TEXT(id), DB_TEXT(skey)), &r);
	if (e == ERR_NOT_FOUND) {
		if (!scheduled)
			return ERR_NOT_FOUND;
		base_session(out, key, o, c);
		return ERR_OK;
	}
	if (e)
		return e;
	base_session(out, key, o, c);
	bool one_off = strcmp(db_text(r, 1), "one_off") == 0;
	if ((!one_off && !scheduled) || !group_session_read(a, r, 0, out))
		e = ERR_NOT_FOUND;
	db_res_free(r);
	if (e)
		memset(out, 0, sizeof(*out));
	return e;
}

enum err group_next_session(struct db *db, struct arena *a, const char *id, int64_t today,
		struct group_session *out)
{
	memset(out, 0, sizeof(*out));
	for (int64_t from = today; from < today + 26 * 7; from += GROUP_WINDOW_MAX) {
		struct group_session *v;
		size_t n;
		enum err e = group_sessions(db, a, id, from, from + GROUP_WINDOW_MAX - 1, today, &v, &n);

		if (e)
			return e;
		for (size_t i = 0; i < n; i++)
			if (!v[i].cancelled) {
				*out = v[i];
				return ERR_OK;
			}
	}
	return ERR_NOT_FOUND;
}

/* ---------------------------------------------------------------- times as typed */

int group_time_parse(const char *s)
{
	int h = 0, m = 0, nh = 0, nm = 0;

	if (!s || !*s)
		return -1;
	/* Up to three digits each side, so "100:00" and "10:000" are
	 * refused rather than read in part. */
	while (*s >= '0' && *s <= '9' && nh < 3)
		h = h * 10 + (*s++ - '0'), nh++;
	if (*s != ':' && *s != '.')
		return -2;
	s++;
	while (*s >= '0' && *s <= '9' && nm < 3)
		m = m * 10 + (*s++ - '0'), nm++;
	if (*s || nh < 1 || nh > 2 || nm != 2 || h > 24 || m > 59 || (h == 24 && m))
		return -2;
	return h * 60 + m;
}

void group_time_text(int minutes, char out[6])
{
	if (minutes < 0 || minutes > 24 * 60)
		out[0] = '\0';
	else
		snprintf(out, 6, "%02d:%02d", minutes / 60, minutes % 60);
}

/* ---------------------------------------------------------------- changing */

static enum err write_row(struct db *db, const char *id, const struct group_session *s, int64_t by,
		int64_t now)
{
	char day[GROUP_SKEY];
	struct postcode_place pp;
	/* Somewhere else with a postcode we know: the events API measures
	 * from there. */
	bool at = s->postcode && postcode_locate(s->postcode, &pp, NULL) == ERR_OK;
	enum err e;

	group_skey(s->day, day);
	if ((e = group_touch(db)) != ERR_OK)
		return e;
	return db_exec(db, &q_upsert, DB_ARGS(DB_TEXT(id), DB_TEXT(s->skey),
		DB_TEXT(s->one_off ? "one_off" : "changed"), DB_TEXT(s->cancelled ? "cancelled" : "on"),
		DB_TEXT(day), s->opens >= 0 ? DB_INT(s->opens) : DB_NULL,
		s->closes >= 0 ? DB_INT(s->closes) : DB_NULL, db_text_or_null(s->title),
		db_text_or_null(s->place), db_text_or_null(s->postcode), db_text_or_null(s->note),
		DB_INT(s->sequence), DB_INT(now), by ? DB_INT(by) : DB_NULL, at ? DB_REAL(pp.lat) : DB_NULL,
		at ? DB_REAL(pp.lon) : DB_NULL), NULL);
}

/* Tells everyone going what happened to s. */
static enum err tell_at(const struct group_env *env, struct db *db, const char *id,
		const struct group_session *s, const char *tmpl, int64_t now)
{
	json_t *ctx = group_session_ctx(env, db, id, s);
	enum err e = ctx ? group_tell_going(env, db, id, s->skey, tmpl, ctx, now) : ERR_NOMEM;

	json_decref(ctx);
	return e;
}

/* Is there a session other than skey on day? */
static enum err day_taken(struct db *db, struct arena *a, const char *id, int64_t day, const char *skey,
		int64_t today, bool *taken)
{
	struct group_session *v;
	size_t n;
	enum err e = group_sessions(db, a, id, day, day, today, &v, &n);

	*taken = false;
	for (size_t i = 0; e == ERR_OK && i < n; i++)
		if (strcmp(v[i].skey, skey) != 0 && !v[i].cancelled)
			*taken = true;
	/* A key is a day: a one-off cannot take a day the schedule has, even
	 * when that session moved away or was cancelled. */
	if (e == ERR_OK && !*taken && strcmp(skey, "") != 0) {
		char k[GROUP_SKEY];
		struct group_session other;
		group_skey(day, k);
		if (strcmp(k, skey) != 0 && group_session_get(db, a, id, k, today, &other) == ERR_OK &&
		    !other.cancelled)
			*taken = true;
	}
	return e;
}

static bool time_ok(int m)
{
	return m == -1 || (m >= 0 && m <= 24 * 60);
}

/* Checks c (for a change of s, or a one-off when s is NULL). */
static bool change_ok(struct db *db, struct arena *a, const char *id, const struct group_session *s,
		const struct group_change *c, int64_t today, int64_t *day, json_t *errors)
{
	size_t before = json_array_size(errors);

	*day = s ? s->day : 0;
	if (c->day && *c->day && !group_skey_parse(c->day, day))
		field_err(errors, "day", "Enter a real date, like 10 12 2026");
	else if (!s && (!c->day || !*c->day))
		field_err(errors, "day", "Enter the date of the session");
	else if (*day < today)
		field_err(errors, "day", "The date must be today or later");
	else if (*day > today + 2 * 366)
		field_err(errors, "day", "The date must be within two years");
	if (!time_ok(c->opens))
		field_err(errors, "opens", "Enter the time it starts, like 10:00");
	if (!time_ok(c->closes))
		field_err(errors, "closes", "Enter the time it ends, like 11:30");
	else if (c->closes >= 0 && c->opens >= 0 && c->closes <= c->opens)
		field_err(errors, "closes", "The time it ends must be after the time it starts");
	else if (c->closes >= 0 && c->opens < 0 && !(s && s->opens >= 0))
		field_err(errors, "opens", "Enter the time it starts as well as the time it ends");
	if (!s && str_is_blank(c->title))
		field_err(errors, "title", "Enter a name for the session, like Christmas lunch");
	field_text_ok(errors, "title", "The name", c->title, 120, true);
	field_text_ok(errors, "place", "The place", c->place, 300, false);
	field_text_ok(errors, "note", "What is different", c->note, GROUP_NOTE_MAX, false);
	if (c->postcode && *c->postcode) {
		char pc[9];
		if (!postcode_normalise(c->postcode, pc, NULL))
			field_err(errors, "postcode", "Enter a real postcode, like DN15 6NL");
	}
	if (json_array_size(errors) == before) {
		bool taken = false;
		if (day_taken(db, a, id, *day, s ? s->skey : "", today, &taken) != ERR_OK || taken)
			field_err(errors, "day", "There is already a session on that day: change that one instead");
	}
	return json_array_size(errors) == before;
}

static enum err load_upcoming(struct db *db, struct arena *a, const char *id, const char *skey,
		int64_t today, struct group_session *s, json_t *errors)
{
	enum err e = group_session_get(db, a, id, skey, today, s);

	if (e == ERR_OK && s->day < today) {
		field_err(errors, "day", "This session has already happened");
		return ERR_CONFLICT;
	}
	return e;
}

/* Cancels session skey (cancel) or puts it back on, telling everyone going. */
static enum err set_cancelled(const struct group_env *env, struct db *db, const char *id, const char *skey,
		bool cancel, const char *note, int64_t by, int64_t now, json_t *errors)
{
	struct group_session s;
	struct arena a;
	enum err e;

	arena_init(&a);
	e = load_upcoming(db, &a, id, skey, uk_local_day(now), &s, errors);
	if (e == ERR_OK && s.cancelled == cancel) {
		field_err(errors, "day", cancel ? "This session is already cancelled" : "This session is not cancelled");
		e = ERR_CONFLICT;
	}
	if (e == ERR_OK && !field_text_ok(errors, "note", "Why it is cancelled", note, GROUP_NOTE_MAX, false))
		e = ERR_INVALID;
	if (e == ERR_OK) {
		s.cancelled = cancel;
		s.note = cancel && note && *note ? note : NULL;
		s.sequence++;
		e = write_row(db, id, &s, by, now);
	}
	if (e == ERR_OK)
		e = group_audit(db, now, by, cancel ? "group.session_cancelled" : "group.session_restored", 0,
				"group=%.36s session=%s", id, skey);
	if (e == ERR_OK)
		e = tell_at(env, db, id, &s, cancel ? "group_session_cancelled" : "group_session_changed", now);
	arena_release(&a);
	return e;
}

enum err group_session_cancel(const struct group_env *env, struct db *db, const char *id,
		const char *skey, const char *note, int64_t by, int64_t now, json_t *errors)
{
	return set_cancelled(env, db, id, skey, true, note, by, now, errors);
}

enum err group_session_restore(const struct group_env *env, struct db *db, const char *id,
		const char *skey, int64_t by, int64_t now)
{
	return set_cancelled(env, db, id, skey, false, NULL, by, now, NULL);
}

enum err group_session_change(const struct group_env *env, struct db *db, const char *id,
		const char *skey, const struct group_change *c, int64_t by, int64_t now, json_t *errors)
{
	struct group_session s;
	struct arena a;
	int64_t today = uk_local_day(now), day;
	enum err e;

	arena_init(&a);
	e = load_upcoming(db, &a, id, skey, today, &s, errors);
	if (e == ERR_OK && s.cancelled) {
		field_err(errors, "day", "This session is cancelled: put it back on first");
		e = ERR_CONFLICT;
	}
	if (e == ERR_OK && !change_ok(db, &a, id, &s, c, today, &day, errors))
		e = ERR_INVALID;
	if (e == ERR_OK) {
		char pc[9] = "";
		if (c->postcode && *c->postcode)
			postcode_normalise(c->postcode, pc, NULL);
		s.day = day;
		if (c->opens >= 0)
			s.opens = c->opens;
		if (c->closes >= 0)
			s.closes = c->closes;
		if (s.one_off && c->title && *c->title)
			s.title = c->title;
		s.place = c->place && *c->place ? c->place : NULL;
		s.postcode = pc[0] ? arena_strdup(&a, pc) : NULL;
		s.note = c->note && *c->note ? c->note : NULL;
		s.sequence++;
		e = write_row(db, id, &s, by, now);
	}
	if (e == ERR_OK)
		e = group_audit(db, now, by, "group.session_changed", 0, "group=%.36s session=%s", id, skey);
	if (e == ERR_OK)
		e = tell_at(env, db, id, &s, "group_session_changed", now);
	arena_release(&a);
	return e;
}

enum err group_one_off_add(const struct group_env *env, struct db *db, const char *id,
		const struct group_change *c, int64_t by, int64_t now, char skey[GROUP_SKEY],
		json_t *errors)
{
	struct group_session s;
	struct arena a;
	int64_t today = uk_local_day(now), day;
	char pc[9] = "";
	enum err e = ERR_OK;

	UNUSED(env);
	arena_init(&a);
	if (!change_ok(db, &a, id, NULL, c, today, &day, errors)) {
		arena_release(&a);
		return ERR_INVALID;
	}
	if (c->postcode && *c->postcode)
		postcode_normalise(c->postcode, pc, NULL);
	base_session(&s, day, c->opens, c->closes);
	s.one_off = true;
	s.title = c->title;
	s.place = c->place && *c->place ? c->place : NULL;
	s.postcode = pc[0] ? pc : NULL;
	s.note = c->note && *c->note ? c->note : NULL;
	e = write_row(db, id, &s, by, now);
	if (e == ERR_OK) {
		str_copy(skey, GROUP_SKEY, s.skey);
		e = group_audit(db, now, by, "group.session_added", 0, "group=%.36s session=%s", id, s.skey);
	}
	arena_release(&a);
	return e;
}
