/*
 * pull.c - pulling a live ORUK API into the directory, and the feeds
 * table (pull.h gives the steps and the rule for failures).
 *
 * The pull keeps everything it learns in jansson objects until the end:
 * the validators and summaries of the last good pull (stored, by URL),
 * the ones of this pull (fresh), the services this pull lists (listed: id
 * -> entry hash) and the records to save. Nothing touches the directory
 * until every page has come in, so a pull cut short changes nothing but
 * the feed's status. Memory is bounded by the bytes of every answer
 * together, at most ORUK_FEED_MAX as for a file import (each answer at
 * most max_bytes), and what jansson makes of them.
 *
 * Politeness lives in polite_get: one request at a time, the delay
 * before each, the retries and their waits (delay x 2^try, at least
 * 100 ms, or Retry-After when the feed asks for longer), all within the
 * pull's time limit, and stop (shutdown) checked between and during
 * requests.
 */
#include "core/common.h"
#include "oruk/pull.h"

#include <strings.h>

#include "core/buf.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "oruk/fetch.h"
#include "oruk/oruk.h"
#include "oruk/page.h"
#include "store/store.h"

/* ---------------------------------------------------------------- SQL */

static const struct sql q_feed_add = { "feed.add",
	"INSERT INTO feed (name, url, every_s, daily_at, details, created_at, next_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7)", NULL };
static const struct sql q_feed_remove = { "feed.remove", "DELETE FROM feed WHERE name = $1", NULL };
static const struct sql q_feed_get = { "feed.get",
	"SELECT url, coalesce(every_s, 0), coalesce(daily_at, -1), details FROM feed WHERE name = $1", NULL };
static const struct sql q_feed_by_url = { "feed.by_url",
	"SELECT name FROM feed WHERE url = $1 ORDER BY name LIMIT 1", NULL };
static const struct sql q_feed_list = { "feed.list",
	"SELECT name, url, coalesce(every_s, 0), coalesce(daily_at, -1), details, next_at, last_tried_at, "
	"last_ok_at, last_status, last_error, n_listed, n_imported, n_updated, n_unchanged, n_rejected, "
	"n_gone, n_requests FROM feed ORDER BY name", NULL };
static const struct sql q_feed_due = { "feed.due",
	"SELECT name FROM feed WHERE next_at IS NOT NULL AND next_at <= $1 "
	"AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY next_at, name LIMIT 1", NULL };
static const struct sql q_feed_claim = { "feed.claim",
	"UPDATE feed SET claimed_until = $2 WHERE name = $1 "
	"AND (claimed_until IS NULL OR claimed_until < $3)", NULL };
static const struct sql q_feed_failed = { "feed.failed",
	"UPDATE feed SET claimed_until = NULL, last_tried_at = $2, last_status = 'failed', "
	"last_error = $3, next_at = $4 WHERE name = $1", NULL };
static const struct sql q_feed_ok = { "feed.ok",
	"UPDATE feed SET claimed_until = NULL, last_tried_at = $2, last_ok_at = $2, last_status = 'ok', "
	"last_error = NULL, n_listed = $3, n_imported = $4, n_updated = $5, n_unchanged = $6, "
	"n_rejected = $7, n_gone = $8, n_requests = $9, next_at = $10 WHERE name = $1", NULL };
static const struct sql q_pages = { "feed.pages",
	"SELECT url, coalesce(etag, ''), coalesce(last_modified, ''), summary FROM feed_page WHERE feed = $1",
	NULL };
static const struct sql q_pages_clear = { "feed.pages_clear", "DELETE FROM feed_page WHERE feed = $1", NULL };
static const struct sql q_page_put = { "feed.page_put",
	"INSERT INTO feed_page (feed, url, etag, last_modified, summary, fetched_at) "
	"VALUES ($1, $2, $3, $4, $5, $6)", NULL };
static const struct sql q_known = { "feed.known",
	"SELECT service_id, item_hash FROM feed_service WHERE feed = $1", NULL };
static const struct sql q_unlist = { "feed.unlist",
	"UPDATE feed_service SET listed = 0 WHERE feed = $1", NULL };
static const struct sql q_list_one = { "feed.list_one",
	"INSERT INTO feed_service (feed, service_id, item_hash, seen_at, listed) "
	"SELECT $1, id, $3, $4, 1 FROM service WHERE id = $2 "
	"ON CONFLICT (feed, service_id) DO UPDATE SET item_hash = excluded.item_hash, "
	"seen_at = excluded.seen_at, listed = 1, gone_at = NULL", NULL };
static const struct sql q_back = { "feed.back",
	"UPDATE service SET feed_gone_at = NULL WHERE feed_gone_at IS NOT NULL "
	"AND id IN (SELECT service_id FROM feed_service WHERE feed = $1 AND listed = 1)", NULL };
static const struct sql q_gone = { "feed.gone",
	"UPDATE feed_service SET gone_at = $2 WHERE feed = $1 AND listed = 0 AND gone_at IS NULL", NULL };
static const struct sql q_gone_mark = { "feed.gone_mark",
	"UPDATE service SET feed_gone_at = $2 WHERE feed_gone_at IS NULL "
	"AND id IN (SELECT service_id FROM feed_service WHERE feed = $1 AND listed = 0 AND gone_at = $2)",
	NULL };

/* ---------------------------------------------------------------- schedules */

bool feed_parse_every(const char *s, int64_t *every_s)
{
	size_t n = s ? strlen(s) : 0;
	int64_t v, unit;

	if (n < 2)
		return false;
	switch (s[n - 1]) {
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: return false;
	}
	if (!str_to_i64((struct str){ s, n - 1 }, 1, 1000000, &v))
		return false;
	v *= unit;
	if (v < 15 * 60 || v > 30 * 86400)
		return false;
	*every_s = v;
	return true;
}

bool feed_parse_daily(const char *s, int *minute)
{
	int64_t h, m;

	if (!s || strlen(s) != 5 || s[2] != ':' ||
	    !str_to_i64((struct str){ s, 2 }, 0, 23, &h) || !str_to_i64((struct str){ s + 3, 2 }, 0, 59, &m))
		return false;
	*minute = (int)(h * 60 + m);
	return true;
}

int64_t feed_next_at(const struct feed_schedule *s, int64_t now)
{
	if (s->every_s > 0)
		return now + s->every_s;
	if (s->daily_at >= 0) {
		int64_t day = uk_local_day(now);

		for (int i = 0; i < 3; i++) {
			int y, mo, d;
			int64_t t;

			uk_date(day + i, &y, &mo, &d);
			t = uk_to_utc(y, mo, d, s->daily_at / 60, s->daily_at % 60);
			if (t > now)
				return t;
		}
	}
	return 0;
}

void feed_schedule_words(const struct feed_schedule *s, char *out, size_t n)
{
	if (s->every_s >= 2 * 86400 && s->every_s % 86400 == 0)
		snprintf(out, n, "every %lld day%s", (long long)(s->every_s / 86400), s->every_s == 86400 ? "" : "s");
	else if (s->every_s > 0 && s->every_s % 3600 == 0)
		snprintf(out, n, "every %lld hour%s", (long long)(s->every_s / 3600), s->every_s == 3600 ? "" : "s");
	else if (s->every_s > 0)
		snprintf(out, n, "every %lld minutes", (long long)(s->every_s / 60));
	else if (s->daily_at >= 0)
		snprintf(out, n, "daily at %02d:%02d", s->daily_at / 60, s->daily_at % 60);
	else
		snprintf(out, n, "by hand only");
}

bool feed_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > FEED_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

/* ---------------------------------------------------------------- feeds */

enum err feed_add(struct db *db, const char *name, const char *url, const struct feed_schedule *s,
		bool details, int64_t now)
{
	bool periodic = s->every_s > 0 || s->daily_at >= 0;

	if (feed_get(db, name, NULL, 0, NULL, NULL) == ERR_OK)
		return ERR_CONFLICT;
	return db_exec(db, &q_feed_add, DB_ARGS(DB_TEXT(name), DB_TEXT(url),
		       s->every_s > 0 ? DB_INT(s->every_s) : DB_NULL,
		       s->daily_at >= 0 ? DB_INT(s->daily_at) : DB_NULL,
		       DB_TEXT(details ? "auto" : "never"), DB_INT(now),
		       periodic ? DB_INT(now) : DB_NULL), NULL);
}

enum err feed_remove(struct db *db, const char *name)
{
	int64_t n = 0;
	enum err e = db_exec(db, &q_feed_remove, DB_ARGS(DB_TEXT(name)), &n);

	return e ? e : n ? ERR_OK : ERR_NOT_FOUND;
}

enum err feed_get(struct db *db, const char *name, char *url, size_t urllen, struct feed_schedule *s,
		bool *details)
{
	struct db_res *r;
	enum err e;

	if ((e = db_query_one(db, &q_feed_get, DB_ARGS(DB_TEXT(name)), &r)) != ERR_OK)
		return e;
	if (url && !str_copy(url, urllen, db_text(r, 0)))
		e = ERR_TOO_LARGE;
	if (s) {
		s->every_s = db_int(r, 1);
		s->daily_at = (int)db_int(r, 2);
	}
	if (details)
		*details = strcmp(db_text(r, 3), "never") != 0;
	db_res_free(r);
	return e;
}

enum err feed_by_url(struct db *db, const char *url, char name[FEED_NAME_MAX + 1])
{
	struct db_res *r;
	enum err e;

	if ((e = db_query_one(db, &q_feed_by_url, DB_ARGS(DB_TEXT(url)), &r)) != ERR_OK)
		return e;
	str_copy(name, FEED_NAME_MAX + 1, db_text(r, 0));
	db_res_free(r);
	return ERR_OK;
}

static json_t *feed_row(struct db_res *r, void *ctx)
{
	struct feed_schedule s = { db_int(r, 2), (int)db_int(r, 3) };
	char words[64];

	(void)ctx;
	feed_schedule_words(&s, words, sizeof(words));
	return json_pack("{s:o, s:o, s:s, s:b, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"name", db_json_text(r, 0), "url", db_json_text(r, 1), "schedule", words,
		"details", strcmp(db_text(r, 4), "never") != 0,
		"next_at", db_json_int(r, 5), "last_tried_at", db_json_int(r, 6), "last_ok_at", db_json_int(r, 7),
		"status", db_json_text(r, 8), "error", db_json_text(r, 9),
		"listed", (json_int_t)db_int(r, 10), "imported", (json_int_t)db_int(r, 11),
		"updated", (json_int_t)db_int(r, 12), "unchanged", (json_int_t)db_int(r, 13),
		"rejected", (json_int_t)db_int(r, 14), "gone", (json_int_t)db_int(r, 15),
		"requests", (json_int_t)db_int(r, 16));
}

enum err feed_list(struct db *db, json_t **out)
{
	return db_rows_json(db, &q_feed_list, DB_NOARGS, feed_row, NULL, out);
}

enum err feed_claim(struct db *db, const char *name, int64_t now, int64_t lease_s)
{
	int64_t n = 0;
	enum err e = db_exec(db, &q_feed_claim, DB_ARGS(DB_TEXT(name), DB_INT(now + lease_s), DB_INT(now)), &n);

	if (e || n)
		return e;
	return feed_get(db, name, NULL, 0, NULL, NULL) == ERR_OK ? ERR_CONFLICT : ERR_NOT_FOUND;
}

enum err feed_claim_due(struct db *db, int64_t now, int64_t lease_s, char name[FEED_NAME_MAX + 1])
{
	struct db_res *r;
	int64_t n = 0;
	enum err e;

	if ((e = db_query_one(db, &q_feed_due, DB_ARGS(DB_INT(now)), &r)) != ERR_OK)
		return e;
	str_copy(name, FEED_NAME_MAX + 1, db_text(r, 0));
	db_res_free(r);
	if ((e = db_exec(db, &q_feed_claim, DB_ARGS(DB_TEXT(name), DB_INT(now + lease_s), DB_INT(now)), &n)))
		return e;
	return n ? ERR_OK : ERR_NOT_FOUND;
}

/* ---------------------------------------------------------------- politeness */

struct puller {
	const struct pull_opts *o;
	struct pull_report *rep;
	struct fetch_opts fo;
	uint64_t deadline_us;         /* monotonic */
	uint64_t next_us;             /* the next request may start then */
	size_t bytes;                 /* of every answer so far */
	json_t *stored;               /* url -> {etag, last_modified, summary} of the last good pull */
	json_t *fresh;                /* the same for this pull */
};

static bool stopping(const struct puller *p)
{
	return p->o->stop && atomic_load(p->o->stop);
}

/* Sleeps until the monotonic time `until`, in slices, so a shutdown does
 * not wait for a long Retry-After. */
static bool wait_until(const struct puller *p, uint64_t until)
{
	for (;;) {
		uint64_t now = time_mono_us(), slice;
		struct timespec ts;

		if (stopping(p))
			return false;
		if (now >= until)
			return true;
		slice = until - now < 100000 ? until - now : 100000;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)slice * 1000;
		nanosleep(&ts, NULL);
	}
}

static bool retryable(const struct fetch_result *r)
{
	if (r->status == 0)
		return !r->too_large && !r->stopped;
	return r->status == 429 || r->status >= 500;
}

/* GETs url with the last good pull's validators for it, politely (see
 * the top). ERR_OK with an answer in r (any status but 429/5xx after the
 * retries); otherwise rep->error says what went wrong, naming what. */
static enum err polite_get(struct puller *p, const char *what, const char *url, struct fetch_result *r)
{
	const json_t *old = json_object_get(p->stored, url);
	const char *etag = json_string_value(json_object_get(old, "etag"));
	const char *lm = json_string_value(json_object_get(old, "last_modified"));
	uint64_t unit_us = (uint64_t)(p->o->delay_ms > 100 ? p->o->delay_ms : 100) * 1000u;
	enum err e;

	for (int attempt = 0;; attempt++) {
		uint64_t wait_us, left_ms;

		if (!wait_until(p, p->next_us)) {
			snprintf(p->rep->error, sizeof(p->rep->error), "kith was stopping");
			return ERR_UNAVAILABLE;
		}
		if (time_mono_us() >= p->deadline_us) {
			snprintf(p->rep->error, sizeof(p->rep->error), "the pull took longer than its time limit "
				 "(%d seconds) before %s", p->o->time_limit_s, what);
			return ERR_UNAVAILABLE;
		}
		fetch_result_release(r);
		fetch_result_init(r, p->o->max_bytes);
		/* No request outlives the pull's time limit. */
		left_ms = (p->deadline_us - time_mono_us()) / 1000u;
		p->fo.timeout_ms = left_ms < (uint64_t)p->o->timeout_ms ? (int)(left_ms ? left_ms : 1) : p->o->timeout_ms;
		e = fetch_get(&p->fo, url, etag, lm, r);
		p->rep->requests++;
		p->next_us = time_mono_us() + (uint64_t)p->o->delay_ms * 1000u;
		if (e == ERR_NOMEM)
			return e;
		if (e == ERR_OK && !retryable(r)) {
			/* Everything a pull reads is held until it saves: the same
			 * bound as a file import's. */
			p->bytes += r->body.len;
			if (p->bytes > ORUK_FEED_MAX) {
				snprintf(p->rep->error, sizeof(p->rep->error), "%s: the feed's answers come to more than "
					 "%zu MiB in all (the most one pull reads)", what, ORUK_FEED_MAX >> 20);
				return ERR_TOO_LARGE;
			}
			return ERR_OK;
		}
		if (!retryable(r) || attempt >= p->o->retries) {
			if (r->status)
				snprintf(p->rep->error, sizeof(p->rep->error), "%s: the feed answered %ld%s", what,
					 r->status, attempt ? " every time, after retries" : "");
			else
				snprintf(p->rep->error, sizeof(p->rep->error), "%s: %s%s", what, r->error,
					 attempt ? " (every time, after retries)" : "");
			return ERR_UNAVAILABLE;
		}
		/* Back off: the unit doubled each time, or what the feed asked. */
		wait_us = unit_us << (attempt < 10 ? attempt + 1 : 11);
		if (r->retry_after_s > 0) {
			uint64_t asked = (uint64_t)r->retry_after_s * 1000000u;

			if (r->retry_after_s > 3600 || time_mono_us() + asked > p->deadline_us) {
				snprintf(p->rep->error, sizeof(p->rep->error), "%s: the feed asked kith to wait %lld "
					 "seconds (Retry-After), past the pull's time limit", what,
					 (long long)r->retry_after_s);
				return ERR_UNAVAILABLE;
			}
			if (asked > wait_us)
				wait_us = asked;
		}
		p->next_us = time_mono_us() + wait_us;
		p->rep->retried++;
	}
}

/* Keeps this pull's validators for url (the answer's, or on a 304 the
 * stored ones) with what the page listed. */
static void remember(struct puller *p, const char *url, const struct fetch_result *r, json_t *summary)
{
	const json_t *old = json_object_get(p->stored, url);
	const char *etag = r->status == 304 ? json_string_value(json_object_get(old, "etag")) : r->etag;
	const char *lm = r->status == 304 ? json_string_value(json_object_get(old, "last_modified"))
					  : r->last_modified;

	json_object_set_new(p->fresh, url, json_pack("{s:s, s:s, s:o}", "etag", etag ? etag : "",
		"last_modified", lm ? lm : "", "summary", summary ? summary : json_object()));
}

/* ---------------------------------------------------------------- the pull */

struct pull_state {
	struct puller p;
	json_t *known;                 /* id -> entry hash, of services this feed listed before */
	json_t *listed;                /* id -> entry hash, this pull */
	json_t *kept;                  /* id -> true: unchanged entries not fetched again */
	json_t *values;                /* the records to save (owns them) */
	struct oruk_record *recs;
	size_t nrecs, caprecs;
	struct buf url;
	struct buf list;               /* the services list's URL (page.h) */
};

static enum err add_record(struct pull_state *s, json_t *value, const char *problem)
{
	if (s->nrecs == s->caprecs) {
		size_t cap = s->caprecs ? s->caprecs * 2 : 256;
		struct oruk_record *bigger;

		if (cap > ORUK_RECORDS_MAX || !(bigger = realloc(s->recs, cap * sizeof(*bigger)))) {
			json_decref(value);
			return ERR_NOMEM;
		}
		s->recs = bigger;
		s->caprecs = cap;
	}
	s->recs[s->nrecs++] = (struct oruk_record){ .value = value, .problem = problem };
	if (value)
		json_array_append_new(s->values, value);
	return ERR_OK;
}

static enum err load_memory(struct db *db, const char *feed, struct pull_state *s)
{
	struct db_res *r;
	enum err e;

	if ((e = db_query(db, &q_pages, DB_ARGS(DB_TEXT(feed)), &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		json_t *summary = json_loads(db_text(r, 3), 0, NULL);

		json_object_set_new(s->p.stored, db_text(r, 0), json_pack("{s:s, s:s, s:o}", "etag",
			db_text(r, 1), "last_modified", db_text(r, 2), "summary", summary ? summary : json_object()));
	}
	db_res_free(r);
	if (e || (e = db_query(db, &q_known, DB_ARGS(DB_TEXT(feed)), &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r))
		json_object_set_new(s->known, db_text(r, 0), json_string(db_text(r, 1)));
	db_res_free(r);
	return e;
}

/* One entry of a page that came (200): listed, and saved from the entry
 * itself, or from its full record, or not at all when unchanged. */
static enum err take_entry(struct pull_state *s, json_t *item)
{
	const struct pull_opts *o = s->p.o;
	struct fetch_result r;
	char id[37], hash[65], what[80];
	const char *before;
	enum err e;

	if (!oruk_page_item_id(item, id))
		return add_record(s, json_incref(item), NULL);   /* saving says what is wrong */
	if (json_object_get(s->listed, id))
		return ERR_OK;          /* listed twice (the feed moved while paging): once is enough */
	oruk_page_item_hash(item, hash);
	json_object_set_new(s->listed, id, json_string(hash));
	if (!o->details || !oruk_page_is_summary(item))
		return add_record(s, json_incref(item), NULL);
	before = json_string_value(json_object_get(s->known, id));
	if (before && strcmp(before, hash) == 0) {
		json_object_set_new(s->kept, id, json_true());
		s->p.rep->kept++;
		return ERR_OK;
	}
	if ((e = oruk_record_url(s->list.p, id, &s->url)) != ERR_OK)
		return e;
	snprintf(what, sizeof(what), "the full record of service %s", id);
	fetch_result_init(&r, o->max_bytes);
	if ((e = polite_get(&s->p, what, s->url.p, &r)) != ERR_OK) {
		fetch_result_release(&r);
		return e;
	}
	s->p.rep->details++;
	if (r.status == 200) {
		json_t *full = json_loadb(r.body.p, r.body.len, JSON_REJECT_DUPLICATES, NULL);

		remember(&s->p, s->url.p, &r, NULL);
		e = full ? add_record(s, full, NULL) : add_record(s, NULL, "its full record is not JSON");
	} else if (r.status == 304) {
		remember(&s->p, s->url.p, &r, NULL);
		json_object_set_new(s->kept, id, json_true());
		s->p.rep->kept++;
		s->p.rep->not_modified++;
	} else if (r.status == 404 || r.status == 410) {
		/* Listed but without a record of its own: the entry is all there is. */
		e = add_record(s, json_incref(item), NULL);
	} else {
		snprintf(s->p.rep->error, sizeof(s->p.rep->error), "%s: the feed answered %ld", what, r.status);
		e = ERR_UNAVAILABLE;
	}
	fetch_result_release(&r);
	return e;
}

/* The static name of a stored page's api ("ORUK 3.0", ...). */
static const char *page_api_name(const char *stored)
{
	static const enum oruk_api apis[] = { ORUK_API_3, ORUK_API_V1, ORUK_API_ARRAY };

	for (size_t i = 0; i < ARRAY_LEN(apis); i++)
		if (strcmp(stored, oruk_api_name(apis[i])) == 0)
			return oruk_api_name(apis[i]);
	return "";
}

/* The ids a stored page listed, counted as listed again (a 304). */
static void take_stored(struct pull_state *s, const json_t *summary)
{
	const json_t *ids = json_object_get(summary, "ids");
	size_t i;
	json_t *v;

	json_array_foreach(ids, i, v) {
		const char *id = json_string_value(v);
		const char *before = json_string_value(json_object_get(s->known, id ? id : ""));

		if (!id || json_object_get(s->listed, id))
			continue;
		json_object_set_new(s->listed, id, json_string(before ? before : ""));
		json_object_set_new(s->kept, id, json_true());
		s->p.rep->kept++;
	}
}

/* Step 1 and 2: every page, and the full records it needs. */
static enum err fetch_pages(struct pull_state *s)
{
	const struct pull_opts *o = s->p.o;
	char prev_first[37] = "", prev_last[37] = "";
	size_t prev_n = 0;
	enum err e = ERR_OK;
	char why[256];

	if ((e = oruk_list_url(o->url, &s->list, why, sizeof(why))) != ERR_OK) {
		snprintf(s->p.rep->error, sizeof(s->p.rep->error), "%s", why);
		return e;
	}
	for (int64_t page = 1;; page++) {
		struct fetch_result r;
		struct oruk_page pg = { 0 };
		json_t *ids, *summary;
		char what[48], first[37] = "", last[37] = "";
		size_t i;
		json_t *item;
		bool more;

		if (page > o->max_pages) {
			snprintf(s->p.rep->error, sizeof(s->p.rep->error), "the feed has more than %d pages "
				 "(the most one pull reads): nothing was saved", o->max_pages);
			e = ERR_TOO_LARGE;
			break;
		}
		if ((e = oruk_page_url(s->list.p, page, o->per_page, &s->url)) != ERR_OK)
			break;
		snprintf(what, sizeof(what), "page %lld", (long long)page);
		fetch_result_init(&r, o->max_bytes);
		if ((e = polite_get(&s->p, what, s->url.p, &r)) != ERR_OK) {
			fetch_result_release(&r);
			break;
		}
		s->p.rep->pages++;
		if (r.status == 304 && json_object_get(s->p.stored, s->url.p)) {
			const json_t *sum = json_object_get(json_object_get(s->p.stored, s->url.p), "summary");

			s->p.rep->not_modified++;
			if (json_string_value(json_object_get(sum, "api")))
				s->p.rep->api = page_api_name(json_string_value(json_object_get(sum, "api")));
			take_stored(s, sum);
			remember(&s->p, s->url.p, &r, json_deep_copy(sum));
			more = json_is_true(json_object_get(sum, "more"));
			fetch_result_release(&r);
			if (!more)
				break;
			continue;
		}
		if (r.status != 200) {
			snprintf(s->p.rep->error, sizeof(s->p.rep->error), "%s: the feed answered %ld", what, r.status);
			fetch_result_release(&r);
			e = ERR_UNAVAILABLE;
			break;
		}
		if ((e = oruk_page_read(r.body.p, r.body.len, page, &pg, why, sizeof(why))) != ERR_OK) {
			snprintf(s->p.rep->error, sizeof(s->p.rep->error), "%s", why);
			oruk_page_release(&pg);
			fetch_result_release(&r);
			break;
		}
		s->p.rep->api = oruk_api_name(pg.api);
		/* A server that ignores ?page= sends page 1 again and again. */
		oruk_page_item_id(json_array_get(pg.items, 0), first);
		oruk_page_item_id(json_array_get(pg.items, json_array_size(pg.items) - 1), last);
		if (page > 1 && first[0] && json_array_size(pg.items) == prev_n && strcmp(first, prev_first) == 0 &&
		    strcmp(last, prev_last) == 0) {
			snprintf(s->p.rep->error, sizeof(s->p.rep->error), "page %lld lists the same services as "
				 "page %lld: the feed seems to ignore ?page=", (long long)page, (long long)page - 1);
			oruk_page_release(&pg);
			fetch_result_release(&r);
			e = ERR_INVALID;
			break;
		}
		str_copy(prev_first, sizeof(prev_first), first);
		str_copy(prev_last, sizeof(prev_last), last);
		prev_n = json_array_size(pg.items);
		more = oruk_page_more(&pg, page);
		ids = json_array();
		json_array_foreach(pg.items, i, item) {
			char id[37];

			if (oruk_page_item_id(item, id))
				json_array_append_new(ids, json_string(id));
		}
		summary = json_pack("{s:o, s:b, s:s}", "ids", ids, "more", more, "api", oruk_api_name(pg.api));
		/* Remembered before the entries: their full records' URLs follow. */
		remember(&s->p, s->url.p, &r, summary);
		fetch_result_release(&r);
		json_array_foreach(pg.items, i, item)
			if ((e = take_entry(s, item)) != ERR_OK)
				break;
		oruk_page_release(&pg);
		if (e || !more)
			break;
	}
	if (!e && json_object_size(s->listed) == 0 && s->nrecs == 0) {
		snprintf(s->p.rep->error, sizeof(s->p.rep->error), "the feed listed no services: nothing was "
			 "changed (a feed that empties is more likely broken than closed)");
		e = ERR_INVALID;
	}
	return e;
}

/* Step 4, in one transaction. */
static enum err remember_pull(struct db *db, struct pull_state *s, const json_t *saved, int64_t now,
		int64_t next_at)
{
	const struct pull_opts *o = s->p.o;
	struct pull_report *rep = s->p.rep;
	const char *key;
	json_t *v;
	int64_t n = 0;
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = db_exec(db, &q_unlist, DB_ARGS(DB_TEXT(o->feed)), NULL)) != ERR_OK)
		goto out;
	json_object_foreach(s->listed, key, v) {
		/* An entry whose service was not saved keeps no hash: fetched again next time. */
		bool ok = json_object_get(saved, key) || json_object_get(s->kept, key);

		if ((e = db_exec(db, &q_list_one, DB_ARGS(DB_TEXT(o->feed), DB_TEXT(key),
				 DB_TEXT(ok ? json_string_value(v) : ""), DB_INT(now)), NULL)) != ERR_OK)
			goto out;
	}
	if ((e = db_exec(db, &q_back, DB_ARGS(DB_TEXT(o->feed)), &n)) != ERR_OK)
		goto out;
	rep->back = (size_t)n;
	if ((e = db_exec(db, &q_gone, DB_ARGS(DB_TEXT(o->feed), DB_INT(now)), &n)) != ERR_OK)
		goto out;
	rep->gone = (size_t)n;
	if ((e = db_exec(db, &q_gone_mark, DB_ARGS(DB_TEXT(o->feed), DB_INT(now)), NULL)) != ERR_OK)
		goto out;
	if ((e = db_exec(db, &q_pages_clear, DB_ARGS(DB_TEXT(o->feed)), NULL)) != ERR_OK)
		goto out;
	json_object_foreach(s->p.fresh, key, v) {
		const char *etag = json_string_value(json_object_get(v, "etag"));
		const char *lm = json_string_value(json_object_get(v, "last_modified"));
		char *summary = json_dumps(json_object_get(v, "summary"), JSON_COMPACT);

		if (!summary) {
			e = ERR_NOMEM;
			goto out;
		}
		/* Nothing to send back next time and nothing listed: not worth a row. */
		if ((etag && etag[0]) || (lm && lm[0]) || strcmp(summary, "{}") != 0)
			e = db_exec(db, &q_page_put, DB_ARGS(DB_TEXT(o->feed), DB_TEXT(key), db_text_or_null(etag),
				    db_text_or_null(lm), DB_TEXT(summary), DB_INT(now)), NULL);
		free(summary);
		if (e)
			goto out;
	}
	e = db_exec(db, &q_feed_ok, DB_ARGS(DB_TEXT(o->feed), DB_INT(now), DB_INT(rep->listed),
		    DB_INT(rep->imp.imported), DB_INT(rep->imp.updated), DB_INT(rep->imp.unchanged + rep->kept),
		    DB_INT(rep->imp.rejected), DB_INT(rep->gone), DB_INT(rep->requests),
		    next_at ? DB_INT(next_at) : DB_NULL), NULL);
	if (!e)
		e = db_commit(db);
out:
	if (e)
		db_rollback(db);
	return e;
}

static void record_failure(struct db *db, const struct pull_opts *o, const struct pull_report *rep,
		int64_t now, int64_t next_at)
{
	if (db_in_tx(db))
		db_rollback(db);
	/* A failed scheduled pull is tried again within the hour. */
	if (next_at && next_at > now + 3600)
		next_at = now + 3600;
	db_exec(db, &q_feed_failed, DB_ARGS(DB_TEXT(o->feed), DB_INT(now),
		DB_TEXT(rep->error[0] ? rep->error : "the pull failed"), next_at ? DB_INT(next_at) : DB_NULL), NULL);
}

void pull_report_release(struct pull_report *r)
{
	import_report_release(&r->imp);
}

enum err oruk_pull(struct directory *d, struct db *db, const struct pull_opts *o, int64_t now,
		struct pull_report *out)
{
	struct pull_state s = { 0 };
	struct feed_schedule sched = { 0, -1 };
	json_t *saved = NULL;
	int64_t next_at = 0;
	enum err e;

	memset(out, 0, sizeof(*out));
	out->api = "";
	s.p = (struct puller){
		.o = o, .rep = out,
		.fo = { .user_agent = o->user_agent, .timeout_ms = o->timeout_ms, .max_bytes = o->max_bytes,
			.stop = o->stop },
		.deadline_us = time_mono_us() + (uint64_t)o->time_limit_s * 1000000u,
		.stored = json_object(), .fresh = json_object(),
	};
	s.known = json_object();
	s.listed = json_object();
	s.kept = json_object();
	s.values = json_array();
	saved = json_object();
	buf_init(&s.url, ORUK_URL_MAX + 128);
	buf_init(&s.list, ORUK_URL_MAX + 64);
	if (feed_get(db, o->feed, NULL, 0, &sched, NULL) != ERR_OK) {
		snprintf(out->error, sizeof(out->error), "there is no feed called %s", o->feed);
		e = ERR_NOT_FOUND;
		goto done;
	}
	next_at = feed_next_at(&sched, now);
	if (!s.p.stored || !s.p.fresh || !s.known || !s.listed || !s.kept || !s.values || !saved) {
		e = ERR_NOMEM;
		goto failed;
	}
	if ((e = load_memory(db, o->feed, &s)) != ERR_OK) {
		snprintf(out->error, sizeof(out->error), "could not read what the last pull remembered (%s)",
			 err_title(e));
		goto failed;
	}
	if ((e = fetch_pages(&s)) != ERR_OK)
		goto failed;
	out->listed = json_object_size(s.listed);
	/* Step 3: the same path as a file import, named after the feed. */
	e = directory_import_records(d, db, o->feed, s.recs, s.nrecs, out->api, now, &out->imp, saved);
	out->saved = true;
	if (e) {
		snprintf(out->error, sizeof(out->error), "saving stopped (%s): the services counted were saved, "
			 "nothing was marked gone", err_title(e));
		goto failed;
	}
	if ((e = remember_pull(db, &s, saved, now, next_at)) != ERR_OK) {
		snprintf(out->error, sizeof(out->error), "the services were saved but the feed's memory was not "
			 "(%s): nothing was marked gone", err_title(e));
		goto failed;
	}
	goto done;
failed:
	if (!out->error[0])
		snprintf(out->error, sizeof(out->error), "%s", err_title(e));
	record_failure(db, o, out, now, next_at);
done:
	if (!out->imp.rejections)
		out->imp.rejections = json_array();
	buf_release(&s.url);
	buf_release(&s.list);
	free(s.recs);
	json_decref(s.values);
	json_decref(s.known);
	json_decref(s.listed);
	json_decref(s.kept);
	json_decref(s.p.stored);
	json_decref(s.p.fresh);
	json_decref(saved);
	return e;
}
