/*
 * app.h - one running kith: configuration, database, routes, views,
 * metrics, and the dispatcher every request goes through.
 *
 * The HTTP server (src/http/server.c) and the request tests
 * (tests/support/reqtest.c) both hand requests to app_handle(), so what a
 * test sees is what a browser gets, minus the socket.
 */
#ifndef KITH_APP_H
#define KITH_APP_H

#include <stdatomic.h>
#include <stdbool.h>

#include <jansson.h>

#include "app/config.h"
#include "core/event.h"
#include "core/err.h"
#include "core/links.h"
#include "http/request.h"
#include "mail/mail.h"

struct store;
struct router;
struct tmpl_set;
struct metrics;
struct ratelimit;
struct worker;
struct directory;
struct respcache;
struct tb_batcher;

struct app {
	const struct config *cfg;
	struct store *store;          /* NULL when opened without a database */
	struct router *router;
	struct tmpl_set *views;
	struct metrics *metrics;
	struct ratelimit *rl;         /* per-client request budget, NULL if off */
	json_t *assets;               /* {"kith_css": "/assets/kith.<hash>.css", ...} */
	struct worker *worker;        /* the background thread, NULL when none runs */
	struct directory *directory;  /* the directory's search index and sync state */
	struct respcache *oruk_cache; /* finished ORUK API answers (oruk_web.c), NULL when off */
	struct respcache *page_cache; /* visitors' finished directory pages (directory_web.c), NULL when off */
	struct respcache *events_cache; /* finished /api/v1/events answers (groups/events_api.c), NULL when off */
	struct respcache *talk_cache; /* topics' posts as a reader with none of their own sees them (talk/topic_cache.c) */
	struct tb_batcher *timebank_batch; /* the timebank's transfers, committed in groups (timebank/batch.h) */
	const struct feature **feats; /* the features this app runs (its own copy) */
	struct event_bus events;      /* every feature's subscriptions, in feature order */
	/* What rules get instead of the app (they cannot see it): links to
	 * pages by route name, and queueing email. */
	struct links links;           /* router_url and base_url */
	struct mailer mailer;         /* views, site, wakes the worker after commit */
	size_t nfeats;
	unsigned char csrf_key[32];   /* signs visitors' form tokens; shared via the database */
	atomic_bool draining;         /* shutting down: refuse new work with 503 */
	atomic_int in_flight;         /* requests being handled */
	int64_t started_at;
};

struct feature;

/* Builds the router and views and opens the store (migrating it when
 * cfg->migrate_on_start, or always when migrate is true). */
enum err app_init(struct app *app, const struct config *cfg, bool migrate,
		char *errbuf, size_t errlen);
/* The same with a given feature list instead of features.c's (request
 * tests add routes that exercise the dispatcher's error paths). */
enum err app_init_features(struct app *app, const struct config *cfg, bool migrate,
		const struct feature *const *feats, size_t nfeats,
		char *errbuf, size_t errlen);
void app_release(struct app *app);

/* Ends a request that failed before routing (limits the HTTP layer
 * enforces: 400, 413, 414, 431) with the same error page or problem
 * document and headers as any other error. */
void app_error(struct app *app, struct request *req, struct response *resp,
		enum err e, const char *detail);

/* Runs one request through routing, policy, body parsing, CSRF, the
 * handler, errors and security headers. Never fails: every problem becomes
 * an error response. */
void app_handle(struct app *app, struct request *req, struct response *resp);

#endif
