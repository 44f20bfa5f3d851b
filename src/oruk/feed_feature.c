/*
 * feed_feature.c - live ORUK feeds at the edge: the settings (how polite a
 * pull is), `kith directory pull` and `kith directory feed add|list|remove`
 * (oruk_feature.c's `directory` command hands them over), and the job
 * that pulls feeds when they are due.
 *
 * A pull can take many minutes (a request a second, and one per service
 * whose full record is needed), and the worker is one thread that also
 * sends email. So the job only claims a due feed (a lease in the feed's
 * row, so two kith processes never pull the same feed at once) and starts
 * the pull on a thread of its own, at most one per process; stopping kith
 * sets a flag the pull checks between and during requests, then waits for
 * the thread. The pull thread uses its own database connection and does
 * not touch this process's search index: the directory-sync job picks the
 * changes up from directory_change within seconds, as it does for other
 * processes' changes.
 */
#include "core/common.h"
#include "oruk/feed_feature.h"

#include <pthread.h>
#include <stdatomic.h>

#include "app/app.h"
#include "app/cli.h"
#include "app/config.h"
#include "core/log.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "directory/directory.h"
#include "oruk/oruk.h"
#include "oruk/page.h"
#include "oruk/pull.h"
#include "search/postcode.h"
#include "store/store.h"

/* ---------------------------------------------------------------- settings */

#define PS(field) CFG(struct feed_settings, field)

static const struct config_key keys[] = {
	{ "feed_delay_ms", CT_INT, PS(delay_ms), 0, 60000, "1000",
	  "milliseconds between requests to a council's feed (and the unit of the back-off after an error)", NULL },
	{ "feed_timeout", CT_INT, PS(timeout_s), 1, 600, "30",
	  "seconds one request to a feed may take before it is tried again", NULL },
	{ "feed_time_limit", CT_INT, PS(time_limit_s), 10, 86400, "3600",
	  "seconds one whole pull of a feed may take; a pull that runs out saves nothing", NULL },
	{ "feed_max_pages", CT_INT, PS(max_pages), 1, 100000, "2000",
	  "pages one pull reads at most; a feed with more is refused", NULL },
	{ "feed_max_bytes", CT_SIZE, PS(max_bytes), 65536, 512LL * 1024 * 1024, "33554432",
	  "bytes of one answer from a feed at most", NULL },
	{ "feed_per_page", CT_INT, PS(per_page), 1, 1000, "100",
	  "services asked for per page (per_page=)", NULL },
	{ "feed_retries", CT_INT, PS(retries), 0, 10, "4",
	  "times a request is tried again after 429, 5xx or no answer, waiting twice as long each time", NULL },
	{ 0 },
};

const struct settings feed_settings = { "Feeds", keys, sizeof(struct feed_settings) };

static const struct feed_settings *settings_of(const struct config *cfg)
{
	static const struct feed_settings defaults = {
		.delay_ms = 1000, .timeout_s = 30, .time_limit_s = 3600, .max_pages = 2000,
		.max_bytes = 33554432, .per_page = 100, .retries = 4,
	};
	const struct feed_settings *fs = cfg ? SETTINGS_OF(cfg, struct feed_settings, feed_settings) : NULL;

	return fs ? fs : &defaults;
}

static void user_agent(const struct config *cfg, char *out, size_t n)
{
	snprintf(out, n, "kith/%s (+%s; %s; directory pull)", KITH_VERSION,
		 cfg && cfg->base_url[0] ? cfg->base_url : "no site address set",
		 cfg && cfg->site_name[0] ? cfg->site_name : "kith");
}

static void opts_from(const struct config *cfg, struct pull_opts *o, char *ua, size_t ualen)
{
	const struct feed_settings *fs = settings_of(cfg);

	user_agent(cfg, ua, ualen);
	*o = (struct pull_opts){
		.delay_ms = fs->delay_ms, .timeout_ms = fs->timeout_s * 1000, .time_limit_s = fs->time_limit_s,
		.max_pages = fs->max_pages, .max_bytes = fs->max_bytes, .per_page = fs->per_page,
		.retries = fs->retries, .details = true, .user_agent = ua,
	};
}

/* ---------------------------------------------------------------- the command */

/* "1", "0.25", "30" seconds -> milliseconds within [min_ms, max_ms]. */
static bool seconds_ms(const char *v, int min_ms, int max_ms, int *out)
{
	char *end;
	double d;

	if (!v || !*v)
		return false;
	errno = 0;
	d = strtod(v, &end);
	if (errno || *end || d != d || d * 1000 < min_ms || d * 1000 > max_ms)
		return false;
	*out = (int)(d * 1000 + 0.5);
	return true;
}

static bool whole(const char *v, int min, int max, int *out)
{
	int64_t n;

	if (!v || !str_to_i64(str_c(v), min, max, &n))
		return false;
	*out = (int)n;
	return true;
}

/* A feed's name from its URL's host: "api.northlincs.gov.uk". */
static void name_from_url(const char *url, char out[FEED_NAME_MAX + 1])
{
	const char *h = strstr(url, "://");
	size_t n = 0;

	h = h ? h + 3 : url;
	for (; *h && *h != '/' && *h != '?' && *h != '#' && *h != ':' && n < FEED_NAME_MAX; h++) {
		char c = *h >= 'A' && *h <= 'Z' ? (char)(*h | 0x20) : *h;

		out[n++] = feed_name_ok((char[]){ c, 0 }) ? c : '-';
	}
	out[n] = '\0';
	if (!n)
		str_copy(out, FEED_NAME_MAX + 1, "feed");
}

static void print_report(const char *name, const struct pull_report *r)
{
	size_t i;
	json_t *j;

	printf("Pulled %s (%s): %zu page%s, %zu request%s (%zu not modified, %zu retried), %zu service%s "
	       "listed.\n", name, r->api, r->pages, r->pages == 1 ? "" : "s", r->requests,
	       r->requests == 1 ? "" : "s", r->not_modified, r->retried, r->listed, r->listed == 1 ? "" : "s");
	printf("Imported %zu, updated %zu, unchanged %zu, rejected %zu.\n", r->imp.imported, r->imp.updated,
	       r->imp.unchanged + r->kept, r->imp.rejected);
	if (r->imp.placeholder)
		printf("%zu arrived without their organisation: they are drafts under \"Organisation to "
		       "confirm\", on the review list for a coordinator to put right.\n", r->imp.placeholder);
	json_array_foreach(r->imp.rejections, i, j)
		printf("  %s: %s\n", json_string_value(json_object_get(j, "service")),
		       json_string_value(json_object_get(j, "reason")));
	if (r->imp.flagged == 1)
		printf("1 looks like a duplicate of a service already listed: coordinators will see it on the "
		       "review list.\n");
	else if (r->imp.flagged)
		printf("%zu look like duplicates of services already listed: coordinators will see them on the "
		       "review list.\n", r->imp.flagged);
	if (r->gone)
		printf("%zu service%s no longer in the feed: marked for review (nothing was deleted).\n",
		       r->gone, r->gone == 1 ? " is" : "s are");
	if (r->back)
		printf("%zu service%s back in the feed: the mark was cleared.\n", r->back,
		       r->back == 1 ? " is" : "s are");
}

static int cmd_pull(const struct config *cfg, int argc, char **argv)
{
	struct cli_opt opts[] = {
		{ .name = "--feed", .takes_value = true }, { .name = "--delay", .takes_value = true },
		{ .name = "--timeout", .takes_value = true }, { .name = "--time-limit", .takes_value = true },
		{ .name = "--max-pages", .takes_value = true }, { .name = "--per-page", .takes_value = true },
		{ .name = "--retries", .takes_value = true }, { .name = "--no-details" },
	};
	const char *pos[1], *v, *feed;
	char ua[1024], name[FEED_NAME_MAX + 1], url[ORUK_URL_MAX + 1], why[256];
	struct feed_schedule none = { 0, -1 };
	struct pull_opts o;
	struct pull_report rep;
	struct store *s;
	struct db *db;
	struct buf check;
	bool details = true;
	int npos, rc = 0;
	int64_t now;
	enum err e;

	if (!cli_parse(argc, argv, 2, opts, ARRAY_LEN(opts), pos, 1, &npos) ||
	    (npos == 0 && !cli_value(opts, ARRAY_LEN(opts), "--feed"))) {
		fprintf(stderr, "kith: usage: kith directory pull URL [--feed NAME] [--delay SECONDS] "
			"[--timeout SECONDS] [--time-limit SECONDS] [--max-pages N] [--per-page N] [--retries N] "
			"[--no-details], or kith directory pull --feed NAME\n");
		return 2;
	}
	opts_from(cfg, &o, ua, sizeof(ua));
#define BAD(what) do { fprintf(stderr, "kith: %s\n", what); return 2; } while (0)
	if ((v = cli_value(opts, ARRAY_LEN(opts), "--delay")) && !seconds_ms(v, 0, 60000, &o.delay_ms))
		BAD("--delay takes seconds between requests, 0 to 60 (0.5 is half a second)");
	if ((v = cli_value(opts, ARRAY_LEN(opts), "--timeout")) && !seconds_ms(v, 10, 600000, &o.timeout_ms))
		BAD("--timeout takes the seconds one request may take, 0.01 to 600");
	if ((v = cli_value(opts, ARRAY_LEN(opts), "--time-limit")) && !whole(v, 1, 86400, &o.time_limit_s))
		BAD("--time-limit takes the seconds the whole pull may take, 1 to 86400");
	if ((v = cli_value(opts, ARRAY_LEN(opts), "--max-pages")) && !whole(v, 1, 100000, &o.max_pages))
		BAD("--max-pages takes a number of pages, 1 to 100000");
	if ((v = cli_value(opts, ARRAY_LEN(opts), "--per-page")) && !whole(v, 1, 1000, &o.per_page))
		BAD("--per-page takes a number of services, 1 to 1000");
	if ((v = cli_value(opts, ARRAY_LEN(opts), "--retries")) && !whole(v, 0, 10, &o.retries))
		BAD("--retries takes a number of retries, 0 to 10");
#undef BAD
	feed = cli_value(opts, ARRAY_LEN(opts), "--feed");
	if (feed && !feed_name_ok(feed)) {
		fprintf(stderr, "kith: a feed's name is 1 to %d of a-z, 0-9, '-', '_' and '.'\n", FEED_NAME_MAX);
		return 2;
	}
	if (npos) {
		buf_init(&check, ORUK_URL_MAX + 64);
		e = oruk_list_url(pos[0], &check, why, sizeof(why));
		buf_release(&check);
		if (e) {
			fprintf(stderr, "kith: %s\n", why);
			return 2;
		}
	}
	if (directory_cli_store(cfg, &s, &db))
		return 1;
	now = time_now();      /* once: the feed, its claim and every save carry it */
	/* Which feed: the one named, else the one with this URL, else a new
	 * one named after the URL's host (so the next pull knows what went). */
	if (feed) {
		str_copy(name, sizeof(name), feed);
		e = feed_get(db, name, url, sizeof(url), NULL, &details);
		if (e == ERR_NOT_FOUND && npos) {
			str_copy(url, sizeof(url), pos[0]);
			e = feed_add(db, name, url, &none, true, now);
		} else if (e == ERR_NOT_FOUND) {
			fprintf(stderr, "kith: there is no feed called %s (kith directory feed list shows them)\n", name);
			rc = 1;
		} else if (!e && npos && strcmp(url, pos[0]) != 0) {
			fprintf(stderr, "kith: the feed %s pulls %s, not %s: use another name, or remove it first\n",
				name, url, pos[0]);
			rc = 1;
		}
	} else {
		str_copy(url, sizeof(url), pos[0]);
		e = feed_by_url(db, url, name);
		if (e == ERR_NOT_FOUND) {
			name_from_url(url, name);
			if (feed_get(db, name, NULL, 0, NULL, NULL) == ERR_OK) {
				fprintf(stderr, "kith: a feed called %s pulls another URL: name this one with --feed NAME\n",
					name);
				rc = 1;
			} else {
				e = feed_add(db, name, url, &none, true, now);
			}
		} else if (!e) {
			e = feed_get(db, name, NULL, 0, NULL, &details);
		}
	}
	if (!rc && e) {
		fprintf(stderr, "kith: cannot read the feeds (%s)\n", err_title(e));
		rc = 1;
	}
	if (rc) {
		store_close(s);
		return rc;
	}
	/* Not while a kith server's job is pulling the same feed. */
	if ((e = feed_claim(db, name, now, o.time_limit_s + 600)) != ERR_OK) {
		if (e == ERR_CONFLICT)
			fprintf(stderr, "kith: the feed %s is being pulled now (by a kith server, or another kith "
				"directory pull): try again when that has finished\n", name);
		else
			fprintf(stderr, "kith: cannot claim the feed %s (%s)\n", name, err_title(e));
		store_close(s);
		return 1;
	}
	o.feed = name;
	o.url = url;
	o.details = details && !cli_get(opts, ARRAY_LEN(opts), "--no-details")->seen;
	e = oruk_pull(NULL, db, &o, now, &rep);
	if (e) {
		if (rep.saved)
			print_report(name, &rep);
		fprintf(stderr, "kith: the pull of %s failed: %s.%s\n", name, rep.error,
			rep.saved ? "" : " Nothing was changed.");
		rc = 1;
	} else {
		print_report(name, &rep);
	}
	pull_report_release(&rep);
	store_close(s);
	return rc;
}

static void print_time(const char *label, const json_t *t)
{
	char day[40], hm[8];

	if (!json_is_integer(t))
		return;
	uk_format_date(json_integer_value(t), day, sizeof(day));
	uk_format_time(json_integer_value(t), hm, sizeof(hm));
	printf("  %s %s %s\n", label, day, hm);
}

static int cmd_feed(const struct config *cfg, int argc, char **argv)
{
	struct cli_opt opts[] = {
		{ .name = "--every", .takes_value = true }, { .name = "--daily", .takes_value = true },
		{ .name = "--no-details" },
	};
	const char *pos[3], *v;
	struct feed_schedule sched = { 0, -1 };
	struct store *s;
	struct db *db;
	json_t *list, *f;
	char why[256];
	int npos, rc = 0;
	size_t i;
	enum err e;
	static const char usage[] = "kith: usage: kith directory feed add NAME URL [--every 24h | --daily HH:MM] "
		"[--no-details] | feed list | feed remove NAME\n";

	if (!cli_parse(argc, argv, 3, opts, ARRAY_LEN(opts), pos, 3, &npos) || argc < 3) {
		fputs(usage, stderr);
		return 2;
	}
	if (strcmp(argv[2], "add") == 0) {
		struct buf check;

		if (npos != 2) {
			fputs(usage, stderr);
			return 2;
		}
		if (!feed_name_ok(pos[0])) {
			fprintf(stderr, "kith: a feed's name is 1 to %d of a-z, 0-9, '-', '_' and '.'\n", FEED_NAME_MAX);
			return 2;
		}
		buf_init(&check, ORUK_URL_MAX + 64);
		e = oruk_list_url(pos[1], &check, why, sizeof(why));
		buf_release(&check);
		if (e) {
			fprintf(stderr, "kith: %s\n", why);
			return 2;
		}
		if ((v = cli_value(opts, ARRAY_LEN(opts), "--every")) && !feed_parse_every(v, &sched.every_s)) {
			fprintf(stderr, "kith: --every takes a period such as 24h, 6h, 90m or 7d (15 minutes to 30 days)\n");
			return 2;
		}
		if ((v = cli_value(opts, ARRAY_LEN(opts), "--daily")) && !feed_parse_daily(v, &sched.daily_at)) {
			fprintf(stderr, "kith: --daily takes a UK time as HH:MM, such as 06:30\n");
			return 2;
		}
		if (sched.every_s && sched.daily_at >= 0) {
			fprintf(stderr, "kith: give --every or --daily, not both\n");
			return 2;
		}
	} else if (strcmp(argv[2], "remove") == 0 ? npos != 1 : strcmp(argv[2], "list") == 0 ? npos != 0 : true) {
		fputs(usage, stderr);
		return 2;
	}
	if (directory_cli_store(cfg, &s, &db))
		return 1;
	if (strcmp(argv[2], "add") == 0) {
		char words[64];

		e = feed_add(db, pos[0], pos[1], &sched, !cli_get(opts, ARRAY_LEN(opts), "--no-details")->seen,
			     time_now());
		feed_schedule_words(&sched, words, sizeof(words));
		if (e == ERR_CONFLICT)
			fprintf(stderr, "kith: there is already a feed called %s\n", pos[0]);
		else if (e)
			fprintf(stderr, "kith: the feed could not be added (%s)\n", err_title(e));
		else
			printf("Added the feed %s (%s), pulled %s%s.\n", pos[0], pos[1], words,
			       sched.every_s || sched.daily_at >= 0 ? ", first at the next chance" : "");
		rc = e ? 1 : 0;
	} else if (strcmp(argv[2], "remove") == 0) {
		e = feed_remove(db, pos[0]);
		if (e == ERR_NOT_FOUND)
			fprintf(stderr, "kith: there is no feed called %s\n", pos[0]);
		else if (e)
			fprintf(stderr, "kith: the feed could not be removed (%s)\n", err_title(e));
		else
			printf("Removed the feed %s. Its services stay in the directory.\n", pos[0]);
		rc = e ? 1 : 0;
	} else if ((e = feed_list(db, &list)) != ERR_OK) {
		fprintf(stderr, "kith: cannot read the feeds (%s)\n", err_title(e));
		rc = 1;
	} else {
		if (!json_array_size(list))
			printf("No feeds. Add one with: kith directory feed add NAME URL --every 24h\n");
		json_array_foreach(list, i, f) {
			const char *status = json_string_value(json_object_get(f, "status"));

			printf("%s  %s  %s%s\n", json_string_value(json_object_get(f, "name")),
			       json_string_value(json_object_get(f, "url")),
			       json_string_value(json_object_get(f, "schedule")),
			       json_is_true(json_object_get(f, "details")) ? "" : ", list entries only");
			print_time(status && strcmp(status, "ok") == 0 ? "last pulled (ok):" : "last tried (failed):",
				   json_object_get(f, "last_tried_at"));
			if (status && strcmp(status, "ok") != 0) {
				printf("  error: %s\n", json_string_value(json_object_get(f, "error")));
				print_time("last worked:", json_object_get(f, "last_ok_at"));
			}
			if (json_object_get(f, "last_ok_at") && json_is_integer(json_object_get(f, "last_ok_at")))
				printf("  last good pull: listed %lld, imported %lld, updated %lld, unchanged %lld, rejected "
				       "%lld, gone %lld (%lld request%s)\n",
				       (long long)json_integer_value(json_object_get(f, "listed")),
				       (long long)json_integer_value(json_object_get(f, "imported")),
				       (long long)json_integer_value(json_object_get(f, "updated")),
				       (long long)json_integer_value(json_object_get(f, "unchanged")),
				       (long long)json_integer_value(json_object_get(f, "rejected")),
				       (long long)json_integer_value(json_object_get(f, "gone")),
				       (long long)json_integer_value(json_object_get(f, "requests")),
				       json_integer_value(json_object_get(f, "requests")) == 1 ? "" : "s");
			if (!json_is_integer(json_object_get(f, "last_tried_at")))
				printf("  not pulled yet\n");
			print_time("next due:", json_object_get(f, "next_at"));
		}
		json_decref(list);
	}
	store_close(s);
	return rc;
}

int feed_cli(const struct config *cfg, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "pull") == 0)
		return cmd_pull(cfg, argc, argv);
	return cmd_feed(cfg, argc, argv);
}

/* ---------------------------------------------------------------- the job */

static struct {
	pthread_mutex_t mu;
	bool running;                  /* a pull thread is running (or done, not yet joined) */
	bool joinable;
	pthread_t thread;
	atomic_bool stop;
	struct app *app;
	int64_t now;
	char name[FEED_NAME_MAX + 1];
} puller = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void *pull_thread(void *arg)
{
	struct pull_opts o;
	struct pull_report rep;
	char ua[1024], url[ORUK_URL_MAX + 1];
	struct db *db = store_db(puller.app->store);
	bool details = true;
	enum err e = ERR_UNAVAILABLE;

	(void)arg;
	opts_from(puller.app->cfg, &o, ua, sizeof(ua));
	o.stop = &puller.stop;
	o.feed = puller.name;
	o.url = url;
	if (db && (e = feed_get(db, puller.name, url, sizeof(url), NULL, &details)) == ERR_OK) {
		o.details = details;
		e = oruk_pull(NULL, db, &o, puller.now, &rep);
		if (e)
			log_warn("feeds: pulling %s failed: %s", puller.name, rep.error);
		else
			log_info("feeds: pulled %s: %zu listed, %zu imported, %zu updated, %zu rejected, %zu gone, "
				 "%zu requests", puller.name, rep.listed, rep.imp.imported, rep.imp.updated,
				 rep.imp.rejected, rep.gone, rep.requests);
		pull_report_release(&rep);
	} else {
		log_warn("feeds: cannot start pulling %s: %s", puller.name, err_name(e));
	}
	store_db_release(puller.app->store);
	pthread_mutex_lock(&puller.mu);
	puller.running = false;
	pthread_mutex_unlock(&puller.mu);
	return NULL;
}

/* Joins a finished pull thread; true when none is running. */
static bool idle(void)
{
	bool out;

	pthread_mutex_lock(&puller.mu);
	if (!puller.running && puller.joinable) {
		pthread_join(puller.thread, NULL);
		puller.joinable = false;
	}
	out = !puller.running;
	pthread_mutex_unlock(&puller.mu);
	return out;
}

enum err feeds_job(struct app *app, struct db *db, int64_t now)
{
	const struct feed_settings *fs = settings_of(app->cfg);
	char name[FEED_NAME_MAX + 1];
	enum err e;

	if (!app->store || !idle() || atomic_load(&puller.stop))
		return ERR_OK;
	/* The lease outlasts the pull's own time limit; a crashed process's
	 * claim lapses then and another may pull. */
	e = feed_claim_due(db, now, fs->time_limit_s + 600, name);
	if (e == ERR_NOT_FOUND)
		return ERR_OK;
	if (e)
		return e;
	pthread_mutex_lock(&puller.mu);
	puller.app = app;
	puller.now = now;
	str_copy(puller.name, sizeof(puller.name), name);
	puller.running = true;
	if (pthread_create(&puller.thread, NULL, pull_thread, NULL) != 0) {
		puller.running = false;
		pthread_mutex_unlock(&puller.mu);
		return ERR_INTERNAL;
	}
	puller.joinable = true;
	pthread_mutex_unlock(&puller.mu);
	log_info("feeds: pulling %s", name);
	return ERR_OK;
}

static enum err feeds_init(struct app *app)
{
	(void)app;
	atomic_store(&puller.stop, false);
	return ERR_OK;
}

static void feeds_release(struct app *app)
{
	(void)app;
	atomic_store(&puller.stop, true);
	pthread_mutex_lock(&puller.mu);
	if (puller.joinable) {
		pthread_t t = puller.thread;

		puller.joinable = false;
		pthread_mutex_unlock(&puller.mu);
		pthread_join(t, NULL);
		return;
	}
	pthread_mutex_unlock(&puller.mu);
}

/* Every minute: a feed's schedule is in minutes at the finest. */
static const struct job jobs[] = {
	{ "directory-feeds", 60, feeds_job },
};

const struct feature oruk_feeds_feature = {
	.name = "feeds",
	.actions = directory_actions,
	.routes = feed_routes,
	.nroutes = FEED_NROUTES,
	.settings = &feed_settings,
	.jobs = jobs,
	.njobs = ARRAY_LEN(jobs),
	.init = feeds_init,
	.release = feeds_release,
};
