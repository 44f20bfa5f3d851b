/*
 * router.h - the route table is the map of the application.
 *
 * Each feature exports a const array of struct route; src/app/features.c
 * lists the features; router_new() concatenates their tables, checks every
 * pattern and refuses duplicates. Adding a page is adding a row:
 *
 *   { M_GET, "/services/{id:uuid}", service_show, &act_public, 0, "directory.service" },
 *
 * Patterns are literal segments and typed parameters, one per segment:
 *   {name}        any non-empty segment (decoded, at most 256 bytes)
 *   {name:int}    decimal 1..2^53, parsed into param.i
 *   {name:uuid}   8-4-4-4-12 hex, given to handlers in lowercase
 *   {name:slug}   [a-z0-9-], 1..64 bytes
 *   {name:file}   [A-Za-z0-9._-], 1..128 bytes, not starting with '.'
 * A trailing slash is significant only for "/". Literal segments win over
 * parameters when two patterns could both match.
 *
 * Transactions: the dispatcher runs GET and HEAD handlers inside one read
 * transaction (a consistent snapshot, and on SQLite much cheaper reads), or
 * a write transaction for RF_WRITE_TX routes, committed when the handler
 * succeeds. Handlers of other methods open their own transaction around
 * their writes, after validating input.
 *
 * HEAD is answered by every GET route (the body is dropped by the server).
 * OPTIONS is answered by the router (204 with Allow, plus CORS preflight
 * headers) only for routes flagged RF_CORS; elsewhere it is 405.
 */
#ifndef KITH_ROUTER_H
#define KITH_ROUTER_H

#include <stddef.h>

#include "auth/policy.h"
#include "core/err.h"
#include "http/request.h"

typedef enum err (*handler_fn)(struct request *req, struct response *resp);

enum route_flag {
	RF_CSRF  = 1u << 0,  /* state-changing form: csrf_token must match the session */
	RF_CORS  = 1u << 1,  /* Access-Control-Allow-Origin: *, and OPTIONS preflight */
	RF_FORM  = 1u << 2,  /* accepts application/x-www-form-urlencoded bodies */
	RF_JSON  = 1u << 3,  /* accepts application/json bodies */
	RF_RAW   = 1u << 4,  /* body passed through unparsed (any content type) */
	RF_NODB  = 1u << 5,  /* needs no database connection (served even when it is down) */
	RF_WRITE_TX = 1u << 6, /* a GET that writes (e.g. audits a read): runs in a
	                          write transaction instead of a read one */
	RF_PAGE_JSON = 1u << 7, /* a page that also answers Accept: application/json */
};

struct route {
	enum method method;
	const char *pattern;
	handler_fn handler;
	const struct action *action;  /* policy action the caller must be allowed */
	unsigned flags;
	/* The path's name, for building links to it ("referral.show"); the
	 * GET and POST of one path share it. NULL: nothing links to it by
	 * name (tests' own routes). */
	const char *name;
};

struct route_table {
	const char *feature;
	const struct route *routes;
	size_t n;
};

struct router;

/* Builds a router from tables. ERR_INVALID with "feature: pattern: why" in
 * errbuf for a bad pattern, an unknown parameter type, or a duplicate
 * (method, shape). */
enum err router_new(const struct route_table *tables, size_t ntables,
		struct router **out, char *errbuf, size_t errlen);
void router_free(struct router *r);

struct route_match {
	const struct route *route;  /* NULL when nothing matched */
	unsigned allowed;           /* bit (1 << method) per method the path has */
	struct param params[LIMIT_ROUTE_PARAMS];
	size_t nparams;
	size_t index;               /* route's index, for metrics */
};

/* Matches a decoded path. Parameter values are copied into the arena. When
 * the path exists but not for method, route is NULL and allowed is
 * non-zero (405); when nothing has the path, both are zero (404). HEAD
 * matches GET routes. */
enum err router_match(const struct router *r, struct arena *a, enum method m,
		const char *path, struct route_match *out);

size_t router_count(const struct router *r);
const struct route *router_at(const struct router *r, size_t i);
/* "GET, HEAD, POST" for an allowed mask, into the arena. */
const char *router_allow_header(struct arena *a, unsigned allowed);

/* The path of the route named name with its parameters filled from args
 * in order (each percent-encoded as a path segment), in a; NULL for an
 * unknown name or the wrong number of args (a bug: logged). Links are
 * built from names so that a path is written once, in its route. */
const char *router_url(const struct router *r, struct arena *a, const char *name,
		const char *const *args, size_t nargs);

#endif
