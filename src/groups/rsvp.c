/*
 * rsvp.c - "I'm going" (groups.h): to a session or to every session, a
 * capacity with a waiting list, places handed on when someone drops out,
 * and the groups job (keeping "every session" ahead, the day-before
 * reminders).
 *
 * Never over capacity: every change to who is going takes the group's
 * row lock first (PostgreSQL: SELECT ... FOR UPDATE; SQLite: the write
 * transaction is already the only writer), then counts and writes, so
 * two people asking for the last place at once queue on the lock and the
 * second sees the first's place taken.
 */
#include "core/common.h"
#include "groups/groups_int.h"

#include "core/buf.h"
#include "core/links.h"
#include "core/str.h"
#include "core/uktime.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>

/* ---------------------------------------------------------------- SQL */

static const struct sql q_lock = { "group.lock",
	"SELECT coalesce(capacity, 0), state FROM community_group WHERE service_id = $1",
	"SELECT coalesce(capacity, 0), state FROM community_group WHERE service_id = $1 FOR UPDATE" };
static const struct sql q_mine = { "group.rsvp_mine",
	"SELECT state FROM group_rsvp WHERE service_id = $1 AND skey = $2 AND person_id = $3", NULL };
static const struct sql q_going_n = { "group.rsvp_going_n",
	"SELECT count(*) FROM group_rsvp WHERE service_id = $1 AND skey = $2 AND state = 'going'", NULL };
static const struct sql q_insert = { "group.rsvp_insert",
	"INSERT INTO group_rsvp (service_id, skey, person_id, state, series, at) "
	"VALUES ($1, $2, $3, $4, $5, $6)", NULL };
static const struct sql q_delete = { "group.rsvp_delete",
	"DELETE FROM group_rsvp WHERE service_id = $1 AND skey = $2 AND person_id = $3", NULL };
static const struct sql q_first_waiting = { "group.rsvp_first_waiting",
	"SELECT person_id FROM group_rsvp WHERE service_id = $1 AND skey = $2 AND state = 'waiting' "
	"ORDER BY at, person_id LIMIT 1", NULL };
static const struct sql q_promote = { "group.rsvp_promote",
	"UPDATE group_rsvp SET state = 'going' WHERE service_id = $1 AND skey = $2 AND person_id = $3", NULL };
static const struct sql q_counts = { "group.rsvp_counts",
	"SELECT coalesce(sum(CASE WHEN state = 'going' THEN 1 ELSE 0 END), 0), "
	"coalesce(sum(CASE WHEN state = 'waiting' THEN 1 ELSE 0 END), 0), "
	"coalesce(max(CASE WHEN person_id = $3 AND state = 'going' THEN 1 "
	"WHEN person_id = $3 AND state = 'waiting' THEN 2 ELSE 0 END), 0), "
	"(SELECT count(*) FROM group_series WHERE service_id = $1 AND person_id = $3) "
	"FROM group_rsvp WHERE service_id = $1 AND skey = $2", NULL };
static const struct sql q_list = { "group.rsvp_list",
	"SELECT r.person_id, p.name, r.state, r.series FROM group_rsvp r JOIN person p ON p.id = r.person_id "
	"WHERE r.service_id = $1 AND r.skey = $2 ORDER BY r.state, r.at, r.person_id", NULL };
static const struct sql q_series_add = { "group.series_add",
	"INSERT INTO group_series (service_id, person_id, since) VALUES ($1, $2, $3) "
	"ON CONFLICT (service_id, person_id) DO NOTHING", NULL };
static const struct sql q_series_del = { "group.series_del",
	"DELETE FROM group_series WHERE service_id = $1 AND person_id = $2", NULL };
static const struct sql q_series_is = { "group.series_is",
	"SELECT count(*) FROM group_series WHERE service_id = $1 AND person_id = $2", NULL };
static const struct sql q_skip_add = { "group.skip_add",
	"INSERT INTO group_series_skip (service_id, skey, person_id) VALUES ($1, $2, $3) "
	"ON CONFLICT (service_id, skey, person_id) DO NOTHING", NULL };
static const struct sql q_skip_is = { "group.skip_is",
	"SELECT count(*) FROM group_series_skip WHERE service_id = $1 AND skey = $2 AND person_id = $3", NULL };
static const struct sql q_skips_del = { "group.skips_del",
	"DELETE FROM group_series_skip WHERE service_id = $1 AND person_id = $2", NULL };
static const struct sql q_series_rsvps = { "group.series_rsvps",
	"SELECT skey FROM group_rsvp WHERE service_id = $1 AND person_id = $2 AND skey >= $3 "
	"AND (series = 1 OR $4 = 1) ORDER BY skey", NULL };
static const struct sql q_series_people = { "group.series_people",
	"SELECT person_id FROM group_series WHERE service_id = $1 ORDER BY since, person_id", NULL };
static const struct sql q_series_groups = { "group.series_groups",
	"SELECT DISTINCT service_id FROM group_series ORDER BY service_id", NULL };
static const struct sql q_waiting_keys = { "group.waiting_keys",
	"SELECT DISTINCT skey FROM group_rsvp WHERE service_id = $1 AND state = 'waiting' AND skey >= $2 "
	"ORDER BY skey", NULL };
static const struct sql q_remind_keys = { "group.remind_keys",
	"SELECT DISTINCT service_id, skey FROM group_rsvp WHERE state = 'going' AND reminded_at IS NULL "
	"AND skey >= $1 AND skey <= $2 ORDER BY service_id, skey", NULL };
static const struct sql q_remind_claim = { "group.remind_claim",
	"UPDATE group_rsvp SET reminded_at = $3 WHERE service_id = $1 AND skey = $2 AND state = 'going' "
	"AND reminded_at IS NULL RETURNING person_id", NULL };

/* The session keys q lists (its first column), into *out (malloc'd; the
 * caller frees). */
static void put_skey(void *at, struct db_res *r)
{
	str_copy(at, GROUP_SKEY, db_text(r, 0));
}

static enum err keys_of(struct db *db, const struct sql *q, const struct db_val *args, size_t nargs,
		char (**out)[GROUP_SKEY], size_t *n)
{
	void *v;
	enum err e = group_collect(db, q, args, nargs, GROUP_SKEY, put_skey, &v, n);

	*out = v;
	return e;
}

/* ---------------------------------------------------------------- the lock */

static enum err lock_group(struct db *db, const char *id, int *capacity, bool *open)
{
	struct db_res *r;
	/* Whoever takes the lock is about to change who is going. */
	enum err e = group_touch(db);

	if (e == ERR_OK)
		e = db_query_one(db, &q_lock, DB_ARGS(DB_TEXT(id)), &r);

	if (e)
		return e;
	*capacity = (int)db_int(r, 0);
	*open = strcmp(db_text(r, 1), "open") == 0;
	db_res_free(r);
	return ERR_OK;
}

static enum err state_of(struct db *db, const char *id, const char *skey, int64_t person,
		enum rsvp_state *out)
{
	struct db_res *r;
	enum err e = db_query_one(db, &q_mine, DB_ARGS(DB_TEXT(id), DB_TEXT(skey), DB_INT(person)), &r);

	*out = RSVP_NONE;
	if (e == ERR_NOT_FOUND)
		return ERR_OK;
	if (e)
		return e;
	*out = strcmp(db_text(r, 0), "going") == 0 ? RSVP_GOING : RSVP_WAITING;
	db_res_free(r);
	return ERR_OK;
}

/* Adds person to skey (the lock held): going while there is room. */
static enum err add(struct db *db, const char *id, const char *skey, int64_t person, int capacity,
		bool series, int64_t now, enum rsvp_state *out)
{
	int64_t going = 0;
	enum err e;

	if (capacity > 0 &&
	    (e = db_query_int(db, &q_going_n, DB_ARGS(DB_TEXT(id), DB_TEXT(skey)), &going)) != ERR_OK)
		return e;
	*out = capacity > 0 && going >= capacity ? RSVP_WAITING : RSVP_GOING;
	if ((e = group_touch(db)) != ERR_OK)
		return e;
	return db_exec(db, &q_insert, DB_ARGS(DB_TEXT(id), DB_TEXT(skey), DB_INT(person),
		DB_TEXT(*out == RSVP_GOING ? "going" : "waiting"), DB_INT(series), DB_INT(now)), NULL);
}

/* Hands free places of skey to those waiting, first come first served,
 * each told (the lock held). */
static enum err promote(const struct group_env *env, struct db *db, const char *id, const char *skey,
		int capacity, int64_t now)
{
	enum err e = ERR_OK;

	for (;;) {
		int64_t going = 0, next = 0;

		if (capacity > 0 &&
		    (e = db_query_int(db, &q_going_n, DB_ARGS(DB_TEXT(id), DB_TEXT(skey)), &going)) != ERR_OK)
			return e;
		if (capacity > 0 && going >= capacity)
			return ERR_OK;
		e = db_query_int(db, &q_first_waiting, DB_ARGS(DB_TEXT(id), DB_TEXT(skey)), &next);
		if (e == ERR_NOT_FOUND)
			return ERR_OK;
		if (e == ERR_OK)
			e = db_exec(db, &q_promote, DB_ARGS(DB_TEXT(id), DB_TEXT(skey), DB_INT(next)), NULL);
		if (e == ERR_OK)
			e = group_audit(db, now, 0, "group.place_given", next, "group=%.36s session=%s", id, skey);
		if (e == ERR_OK) {
			struct group_session s;
			struct arena a;
			arena_init(&a);
			e = group_session_get(db, &a, id, skey, uk_local_day(now), &s);
			if (e == ERR_OK) {
				json_t *ctx = group_session_ctx(env, db, id, &s);
				e = ctx ? group_mail(env, db, next, "group_place_free", ctx, NULL, NULL, now) : ERR_NOMEM;
				json_decref(ctx);
			}
			arena_release(&a);
		}
		if (e)
			return e;
	}
}

enum err group_promote_all(const struct group_env *env, struct db *db, const char *id, int64_t now)
{
	char today[GROUP_SKEY];
	char (*keys)[GROUP_SKEY] = NULL;
	size_t n = 0;
	int capacity;
	bool open;
	enum err e = lock_group(db, id, &capacity, &open);

	if (e)
		return e;
	group_skey(uk_local_day(now), today);
	if ((e = keys_of(db, &q_waiting_keys, DB_ARGS(DB_TEXT(id), DB_TEXT(today)), &keys, &n)) != ERR_OK)
		return e;
	for (size_t i = 0; e == ERR_OK && i < n; i++)
		e = promote(env, db, id, keys[i], capacity, now);
	free(keys);
	return e;
}

/* ---------------------------------------------------------------- one session */

/* Is skey a session one can still say they are going to? */
static enum err upcoming(struct db *db, const char *id, const char *skey, int64_t now, const char **why)
{
	struct group_session s;
	struct arena a;
	enum err e;

	arena_init(&a);
	e = group_session_get(db, &a, id, skey, uk_local_day(now), &s);
	if (e == ERR_OK && s.cancelled) {
		*why = "This session is cancelled";
		e = ERR_CONFLICT;
	} else if (e == ERR_OK && s.day < uk_local_day(now)) {
		*why = "This session has already happened";
		e = ERR_CONFLICT;
	}
	arena_release(&a);
	return e;
}

enum err group_rsvp(const struct group_env *env, struct db *db, const char *id, const char *skey,
		int64_t person_id, int64_t now, enum rsvp_state *out, const char **why)
{
	static const char *closed = "This group is not taking anyone new";
	enum rsvp_state was;
	int capacity;
	bool open;
	enum err e;

	UNUSED(env);
	*out = RSVP_NONE;
	*why = NULL;
	if ((e = lock_group(db, id, &capacity, &open)) != ERR_OK)
		return e;
	if ((e = upcoming(db, id, skey, now, why)) != ERR_OK)
		return e;
	if ((e = state_of(db, id, skey, person_id, &was)) != ERR_OK)
		return e;
	if (was != RSVP_NONE) {
		*out = was;
		return ERR_OK;
	}
	if (!open) {
		*why = closed;
		return ERR_CONFLICT;
	}
	e = add(db, id, skey, person_id, capacity, false, now, out);
	if (e == ERR_OK)
		e = group_audit(db, now, person_id, *out == RSVP_GOING ? "group.going" : "group.waiting",
				person_id, "group=%.36s session=%s", id, skey);
	return e;
}

enum err group_unrsvp(const struct group_env *env, struct db *db, const char *id, const char *skey,
		int64_t person_id, int64_t now)
{
	enum rsvp_state was;
	int64_t series = 0, n = 0;
	int capacity;
	bool open;
	enum err e;

	if ((e = lock_group(db, id, &capacity, &open)) != ERR_OK)
		return e;
	if ((e = state_of(db, id, skey, person_id, &was)) != ERR_OK)
		return e;
	if ((e = db_query_int(db, &q_series_is, DB_ARGS(DB_TEXT(id), DB_INT(person_id)), &series)) != ERR_OK)
		return e;
	if (series > 0 &&
	    (e = db_exec(db, &q_skip_add, DB_ARGS(DB_TEXT(id), DB_TEXT(skey), DB_INT(person_id)), NULL)))
		return e;
	if (was == RSVP_NONE)
		return ERR_OK;
	if ((e = db_exec(db, &q_delete, DB_ARGS(DB_TEXT(id), DB_TEXT(skey), DB_INT(person_id)), &n)))
		return e;
	if ((e = group_audit(db, now, person_id, "group.not_going", person_id, "group=%.36s session=%s", id,
			     skey)) != ERR_OK)
		return e;
	return was == RSVP_GOING ? promote(env, db, id, skey, capacity, now) : ERR_OK;
}

/* ---------------------------------------------------------------- every session */

/* Makes person's rsvps for every upcoming session up to the horizon that
 * they have none for and did not skip (the lock held). */
static enum err fill_series(const struct group_env *env, struct db *db, const char *id, int64_t person,
		int capacity, int64_t now)
{
	int64_t today = uk_local_day(now), end = today + 7 * group_series_weeks(env) - 1;
	struct arena a;
	enum err e = ERR_OK;

	arena_init(&a);
	for (int64_t from = today; e == ERR_OK && from <= end; from += GROUP_WINDOW_MAX) {
		int64_t to = from + GROUP_WINDOW_MAX - 1 < end ? from + GROUP_WINDOW_MAX - 1 : end;
		struct group_session *v;
		size_t n;

		e = group_sessions(db, &a, id, from, to, today, &v, &n);
		for (size_t i = 0; e == ERR_OK && i < n; i++) {
			enum rsvp_state st, got;
			int64_t skipped = 0;

			if (v[i].cancelled)
				continue;
			e = state_of(db, id, v[i].skey, person, &st);
			if (e == ERR_OK && st == RSVP_NONE)
				e = db_query_int(db, &q_skip_is, DB_ARGS(DB_TEXT(id), DB_TEXT(v[i].skey), DB_INT(person)),
						 &skipped);
			if (e == ERR_OK && st == RSVP_NONE && !skipped)
				e = add(db, id, v[i].skey, person, capacity, true, now, &got);
		}
	}
	arena_release(&a);
	return e;
}

enum err group_series_join(const struct group_env *env, struct db *db, const char *id,
		int64_t person_id, int64_t now)
{
	int capacity;
	bool open;
	enum err e;

	if ((e = lock_group(db, id, &capacity, &open)) != ERR_OK)
		return e;
	if (!open)
		return ERR_CONFLICT;
	if ((e = db_exec(db, &q_series_add, DB_ARGS(DB_TEXT(id), DB_INT(person_id), DB_INT(now)), NULL)))
		return e;
	if ((e = db_exec(db, &q_skips_del, DB_ARGS(DB_TEXT(id), DB_INT(person_id)), NULL)))
		return e;
	if ((e = fill_series(env, db, id, person_id, capacity, now)) != ERR_OK)
		return e;
	return group_audit(db, now, person_id, "group.series_going", person_id, "group=%.36s", id);
}

enum err group_series_stop(const struct group_env *env, struct db *db, const char *id, int64_t person_id,
		int64_t now, bool all)
{
	char today[GROUP_SKEY];
	char (*keys)[GROUP_SKEY] = NULL;
	size_t n = 0;
	int capacity;
	bool open;
	enum err e;

	if ((e = lock_group(db, id, &capacity, &open)) != ERR_OK)
		return e;
	if ((e = db_exec(db, &q_series_del, DB_ARGS(DB_TEXT(id), DB_INT(person_id)), NULL)) ||
	    (e = db_exec(db, &q_skips_del, DB_ARGS(DB_TEXT(id), DB_INT(person_id)), NULL)))
		return e;
	group_skey(uk_local_day(now), today);
	if ((e = keys_of(db, &q_series_rsvps, DB_ARGS(DB_TEXT(id), DB_INT(person_id), DB_TEXT(today),
							DB_INT(all)), &keys, &n)) != ERR_OK)
		return e;
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		enum rsvp_state was;
		e = state_of(db, id, keys[i], person_id, &was);
		if (e == ERR_OK)
			e = db_exec(db, &q_delete, DB_ARGS(DB_TEXT(id), DB_TEXT(keys[i]), DB_INT(person_id)), NULL);
		if (e == ERR_OK && was == RSVP_GOING)
			e = promote(env, db, id, keys[i], capacity, now);
	}
	free(keys);
	return e;
}

enum err group_series_leave(const struct group_env *env, struct db *db, const char *id,
		int64_t person_id, int64_t now)
{
	enum err e = group_series_stop(env, db, id, person_id, now, false);

	if (e == ERR_OK)
		e = group_audit(db, now, person_id, "group.series_stopped", person_id, "group=%.36s", id);
	return e;
}

/* ---------------------------------------------------------------- counts */

enum err group_rsvp_count(struct db *db, const char *id, const char *skey, int64_t person_id,
		struct rsvp_count *out)
{
	struct db_res *r;
	enum err e = db_query_one(db, &q_counts, DB_ARGS(DB_TEXT(id), DB_TEXT(skey), DB_INT(person_id)), &r);

	memset(out, 0, sizeof(*out));
	if (e)
		return e;
	out->going = (int)db_int(r, 0);
	out->waiting = (int)db_int(r, 1);
	out->mine = db_int(r, 2) == 1 ? RSVP_GOING : db_int(r, 2) == 2 ? RSVP_WAITING : RSVP_NONE;
	out->series = db_int(r, 3) > 0;
	db_res_free(r);
	return ERR_OK;
}

static json_t *rsvp_row(struct db_res *r, void *ctx)
{
	UNUSED(ctx);
	return json_pack("{s:I, s:s, s:s, s:b, s:b}", "person_id", (json_int_t)db_int(r, 0),
			 "name", db_text(r, 1) ? db_text(r, 1) : "", "state", db_text(r, 2),
			 "series", db_int(r, 3) != 0, "waiting", strcmp(db_text(r, 2), "waiting") == 0);
}

enum err group_rsvp_list(struct db *db, const char *id, const char *skey, json_t **out)
{
	return db_rows_json(db, &q_list, DB_ARGS(DB_TEXT(id), DB_TEXT(skey)), rsvp_row, NULL, out);
}

/* ---------------------------------------------------------------- the job */

/* Where a group meets, in words, for a reminder: the session's own place,
 * else its service's (group_place, as the calendar files say it), and how
 * to get there. */
static void where_words(const struct group_env *env, struct db *db, struct arena *a, const char *id,
		const struct group_session *s, int64_t now, json_t *ctx)
{
	struct group_place pw;

	if (s->place && *s->place) {
		json_object_set_new(ctx, "place", json_string(s->place));
		return;
	}
	group_place(env ? env->links : NULL, db, a, id, now, &pw);
	if (pw.location)
		json_object_set_new(ctx, "place", json_string(pw.location));
	if (pw.how)
		json_object_set_new(ctx, "how", json_string(pw.how));
}

static enum err remind(const struct group_env *env, struct db *db, const char *id, const char *skey,
		int64_t now, int *sent)
{
	struct group_session s;
	struct arena a;
	int64_t *ids = NULL;
	size_t n = 0;
	enum err e;

	arena_init(&a);
	e = group_session_get(db, &a, id, skey, uk_local_day(now), &s);
	if (e == ERR_NOT_FOUND || (e == ERR_OK && (s.cancelled || s.day != uk_local_day(now) + 1))) {
		arena_release(&a);
		return ERR_OK;
	}
	/* Claimed in one statement: a second worker finds nothing left. */
	if (e == ERR_OK)
		e = group_ids(db, &q_remind_claim, DB_ARGS(DB_TEXT(id), DB_TEXT(skey), DB_INT(now)), &ids, &n);
	if (e == ERR_OK && n && group_reminders_by_email(env)) {
		json_t *ctx = group_session_ctx(env, db, id, &s);
		if (ctx && !json_is_true(json_object_get(ctx, "sensitive")))
			where_words(env, db, &a, id, &s, now, ctx);
		for (size_t i = 0; ctx && e == ERR_OK && i < n; i++) {
			e = group_mail(env, db, ids[i], "group_reminder", ctx, NULL, NULL, now);
			if (e == ERR_OK && sent)
				(*sent)++;
		}
		if (!ctx)
			e = ERR_NOMEM;
		json_decref(ctx);
	}
	free(ids);
	arena_release(&a);
	return e;
}

/* Tomorrow's reminders, from the reminder hour. Keys within a month
 * either side of tomorrow are looked at (a session moved further than
 * that is reminded of if its key is in that range). */
static enum err reminders(const struct group_env *env, struct db *db, int64_t now, int *sent)
{
	struct uk_tm tm;
	char lo[GROUP_SKEY], hi[GROUP_SKEY];
	struct db_res *r;
	json_t *keys = json_array();
	enum err e;

	uk_from_utc(now, &tm);
	if (!keys)
		return ERR_NOMEM;
	if (tm.hour < group_reminder_hour(env)) {
		json_decref(keys);
		return ERR_OK;
	}
	group_skey(uk_local_day(now) + 1 - 31, lo);
	group_skey(uk_local_day(now) + 1 + 31, hi);
	if ((e = db_query(db, &q_remind_keys, DB_ARGS(DB_TEXT(lo), DB_TEXT(hi)), &r)) != ERR_OK) {
		json_decref(keys);
		return e;
	}
	while ((e = db_next(r)) == ERR_OK && db_row(r))
		json_array_append_new(keys, json_pack("[s, s]", db_text(r, 0), db_text(r, 1)));
	db_res_free(r);
	for (size_t i = 0; e == ERR_OK && i < json_array_size(keys); i++) {
		json_t *k = json_array_get(keys, i);
		e = remind(env, db, json_string_value(json_array_get(k, 0)),
			   json_string_value(json_array_get(k, 1)), now, sent);
	}
	json_decref(keys);
	return e;
}

/* "Every session" kept up to the horizon for every group that has it. */
static enum err series(const struct group_env *env, struct db *db, int64_t now)
{
	struct db_res *r;
	json_t *groups = json_array();
	enum err e;

	if (!groups)
		return ERR_NOMEM;
	if ((e = db_query(db, &q_series_groups, NULL, 0, &r)) != ERR_OK) {
		json_decref(groups);
		return e;
	}
	while ((e = db_next(r)) == ERR_OK && db_row(r))
		json_array_append_new(groups, json_string(db_text(r, 0)));
	db_res_free(r);
	for (size_t i = 0; e == ERR_OK && i < json_array_size(groups); i++) {
		const char *id = json_string_value(json_array_get(groups, i));
		int64_t *people = NULL;
		size_t n = 0;
		int capacity;
		bool open;

		e = lock_group(db, id, &capacity, &open);
		if (e == ERR_OK)
			e = group_ids(db, &q_series_people, DB_ARGS(DB_TEXT(id)), &people, &n);
		for (size_t k = 0; e == ERR_OK && k < n; k++)
			e = fill_series(env, db, id, people[k], capacity, now);
		free(people);
	}
	json_decref(groups);
	return e;
}

enum err group_job(const struct group_env *env, struct db *db, int64_t now, int *sent)
{
	enum err e = series(env, db, now);

	if (sent)
		*sent = 0;
	return e == ERR_OK ? reminders(env, db, now, sent) : e;
}
