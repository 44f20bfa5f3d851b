/*
 * pull.h - live ORUK feeds: pulling a council's API into the directory
 * (`kith directory pull`, and the feeds job on a schedule) and the feeds
 * themselves (`kith directory feed add|list|remove`). pull.c says how.
 *
 * A pull, in order:
 *   1. Fetch the services list page by page (page.h: ORUK 3.0 or v1),
 *      politely: one request at a time, delay_ms between requests, a
 *      User-Agent naming kith and the site, If-None-Match /
 *      If-Modified-Since from the last good pull (a 304 page is unchanged:
 *      the services it listed then are still there), retries with
 *      exponential back-off on 429, 5xx and no answer (Retry-After
 *      honoured), timeout_ms per request, time_limit_s for the whole pull,
 *      max_pages, max_bytes per answer.
 *   2. For a list entry that is only a summary (details on), fetch its
 *      full record (/services/{id}) when it is new or its entry changed
 *      since the last good pull; an unchanged entry is not fetched again.
 *   3. Only when every page has come in: save the services through the
 *      same path as a file import (directory_import_records: each service
 *      in its own transaction, a bad one rejected with its reason, a
 *      missing organisation replaced by the feed's placeholder).
 *   4. In one transaction: remember the pages' validators and which
 *      services the feed listed; a service this feed listed before and
 *      does not list now is marked "gone from its feed" (on the
 *      coordinators' review list; never deleted or hidden); one that
 *      comes back is unmarked; the feed's status and counts.
 * A pull that fails before step 3 (a page that never came, a malformed
 * page, the time limit) saves nothing and marks nothing: the feed records
 * the failure and its reason. A feed that lists no services at all is a
 * failure too (so a broken API never marks the whole directory gone).
 */
#ifndef KITH_ORUK_PULL_H
#define KITH_ORUK_PULL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"
#include "oruk/import.h"

struct db;
struct directory;

#define FEED_NAME_MAX 64

struct pull_opts {
	const char *feed;          /* the feed's name (its row must exist) */
	const char *url;           /* as the operator gave it (page.h) */
	int delay_ms;              /* between requests (and the back-off's unit) */
	int timeout_ms;            /* one request */
	int time_limit_s;          /* the whole pull */
	int max_pages;
	size_t max_bytes;          /* one answer */
	int per_page;
	int retries;               /* tries after the first, for 429, 5xx, no answer */
	bool details;              /* fetch the full record of a summary entry */
	const char *user_agent;
	const atomic_bool *stop;   /* set: give up at the next step (shutdown); may be NULL */
};

struct pull_report {
	struct import_report imp;  /* what saving did (after step 3) */
	const char *api;           /* "ORUK 3.0", "ORUK v1", "a JSON array" */
	size_t pages, requests, not_modified, details, retried;
	size_t listed;             /* services the feed lists */
	size_t kept;               /* entries unchanged since the last pull: not fetched again */
	size_t gone, back;         /* marked gone / unmarked by this pull */
	bool saved;                /* step 3 ran */
	char error[512];           /* a failed pull: why, in words */
};

/* Runs one pull of o->feed (see the top). ERR_OK when it completed;
 * otherwise out->error says why and the feed's row records it. The caller
 * reads the clock once: now stamps everything. */
enum err oruk_pull(struct directory *d, struct db *db, const struct pull_opts *o, int64_t now,
		struct pull_report *out);
void pull_report_release(struct pull_report *r);

/* ---------------------------------------------------------------- feeds */

/* A schedule: every every_s seconds, or daily at daily_at minutes after
 * midnight UK time (-1: not daily). Neither: pulled only by hand. */
struct feed_schedule {
	int64_t every_s;           /* 0: not periodic */
	int daily_at;              /* -1: not daily */
};
/* "24h", "6h", "90m", "1d" -> every; false when it is not one (at least
 * 15 minutes, at most 30 days). */
bool feed_parse_every(const char *s, int64_t *every_s);
/* "06:30" -> 390; false when it is not HH:MM. */
bool feed_parse_daily(const char *s, int *minute);
/* When a feed on this schedule is next due after a pull at now; 0 for
 * one pulled only by hand. */
int64_t feed_next_at(const struct feed_schedule *s, int64_t now);
/* "every 24 hours", "daily at 06:30", "by hand only" */
void feed_schedule_words(const struct feed_schedule *s, char *out, size_t n);

/* Is this a good feed name (1..64 of a-z, 0-9, '-', '_', '.')? */
bool feed_name_ok(const char *name);

/* Adds a feed (due at once when it has a schedule). ERR_CONFLICT when the
 * name is taken. details: fetch full records of summaries. */
enum err feed_add(struct db *db, const char *name, const char *url, const struct feed_schedule *s,
		bool details, int64_t now);
/* Removes a feed and what it remembers (never its services; their "gone"
 * marks stay until a person or another feed clears them). ERR_NOT_FOUND. */
enum err feed_remove(struct db *db, const char *name);
/* The feed's url, schedule and details; ERR_NOT_FOUND. url has room for
 * ORUK_URL_MAX + 1 bytes. */
enum err feed_get(struct db *db, const char *name, char *url, size_t urllen, struct feed_schedule *s,
		bool *details);
/* The name of the feed with this URL, ERR_NOT_FOUND when none. */
enum err feed_by_url(struct db *db, const char *url, char name[FEED_NAME_MAX + 1]);
/* Every feed, by name: [{name, url, schedule (words), details, next_at,
 * last_tried_at, last_ok_at, status ("ok", "failed" or null), error,
 * listed, imported, updated, unchanged, rejected, gone, requests}]
 * (times Unix seconds or null). New reference. */
enum err feed_list(struct db *db, json_t **out);
/* Claims the feed for a pull starting now, until now + lease_s (the pull
 * lets go when it finishes): ERR_CONFLICT while another pull holds it,
 * ERR_NOT_FOUND when there is no such feed. */
enum err feed_claim(struct db *db, const char *name, int64_t now, int64_t lease_s);
/* Claims the feed due soonest (next_at <= now, not claimed by a pull
 * still running) until now + lease_s: ERR_NOT_FOUND when none is due. */
enum err feed_claim_due(struct db *db, int64_t now, int64_t lease_s, char name[FEED_NAME_MAX + 1]);

#endif
