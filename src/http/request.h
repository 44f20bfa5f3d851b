/*
 * request.h - one HTTP request and its response, independent of the HTTP
 * library.
 *
 * src/http/server.c fills a struct request from libmicrohttpd; request tests
 * fill one by hand (tests/support/reqtest.h) and run it through the same
 * router, so every handler is testable without a socket. Everything a
 * request points to lives in req->arena and dies with it.
 */
#ifndef KITH_REQUEST_H
#define KITH_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/kv.h"
#include "core/limits.h"

enum method {
	M_GET, M_HEAD, M_POST, M_PUT, M_PATCH, M_DELETE, M_OPTIONS,
	M__MAX,
	M_OTHER = M__MAX  /* anything else: 405 or 501 */
};

const char *method_name(enum method m);
enum method method_parse(const char *s);

struct app;
struct route;
struct actor;
struct db;

/* A typed path parameter captured by the router ("{id:int}" -> i set). */
struct param {
	const char *name;
	const char *val;   /* decoded text */
	int64_t i;         /* for :int parameters */
};

struct request {
	struct arena arena;
	struct app *app;

	enum method method;         /* HEAD is routed as GET; see is_head */
	bool is_head;
	const char *method_raw;
	const char *path;           /* percent-decoded path, no query */
	const char *raw_path;       /* as received */
	const char *query_raw;      /* after '?', or "" */
	struct kvlist query;        /* parsed lazily by req_query() */
	bool query_parsed;
	struct kvlist headers;
	struct kvlist cookies;      /* parsed lazily by req_cookie() */
	bool cookies_parsed;
	const char *client_ip;      /* textual address */

	const char *body;           /* NUL-terminated; body_len bytes */
	size_t body_len;
	struct kvlist form;         /* parsed by the router for form bodies */
	json_t *json;               /* parsed by the router for JSON bodies; owned */

	const struct route *route;  /* matched route, or NULL */
	size_t route_index;         /* its index in the router, for metrics */
	struct param params[LIMIT_ROUTE_PARAMS];
	size_t nparams;

	struct actor *actor;        /* who is asking (never NULL after routing) */
	struct db *db;              /* this thread's connection, set by the dispatcher
	                               unless the route is RF_NODB */
	char id[17];                /* request id, 16 hex digits */
	bool is_api;                /* path under /api/ or /fhir/ (problem+json or
	                               OperationOutcome errors, 401 not sign-in) */
	bool wants_json;            /* is_api, or a page asked for JSON */
	uint64_t start_us;          /* monotonic start time */
	int64_t now;                /* wall clock, Unix seconds: read once by the dispatcher
	                               (or set by a test) and passed down; nothing below
	                               the handlers reads the clock */

	/* Set by req_fail() for the error response. */
	const char *err_detail;     /* what to fix, for the person; no internals */
	json_t *err_fields;         /* [{field, detail}] for 422; owned */
	int retry_after;            /* seconds, for 429 and 503 */
};

/* A response header to add. */
struct header {
	const char *name;
	const char *val;
};

struct response {
	int status;
	const char *content_type;
	struct buf body;            /* dynamic bodies */
	const void *static_body;    /* or a body that outlives the response */
	size_t static_len;
	const char *gz;             /* body already gzipped (borrowed, lives as long as the
				     * request): http_compress() sends it instead of gzipping */
	size_t gz_len;
	struct header headers[32];
	size_t nheaders;
	bool no_store;              /* Cache-Control: no-store (default true for pages) */
	bool cors;                  /* Access-Control-Allow-Origin: * */
	bool headers_full;          /* an add failed: a bug, logged */
};

void req_init(struct request *req, struct app *app);
/* Frees the arena and the JSON body. */
void req_release(struct request *req);
void resp_init(struct response *resp);
void resp_release(struct response *resp);

/* Records what the person should be told and returns e, so handlers can
 * write: return req_fail(req, ERR_NOT_FOUND, "No service has that id.");
 * detail must be a plain sentence with no internal detail; it is copied. */
enum err req_fail(struct request *req, enum err e, const char *detail);
/* 422 with per-field errors: fields is [{"field": .., "detail": ..}]
 * (ownership taken). */
enum err req_fail_fields(struct request *req, const char *detail, json_t *fields);

/* Query, cookie, form and header values; NULL when absent. */
const char *req_query(struct request *req, const char *name);
/* Every query parameter, in the order sent (parsed on first use). */
/* Parses the query string and the Cookie header, refusing the request
 * (req_fail: 400 for a broken escape, a NUL or control byte, text that is
 * not UTF-8; 413 for too many fields or cookies) rather than dropping a
 * malformed one whole, which would read as "no filter" and list
 * everything. The dispatcher calls it before any handler. */
enum err req_parse_query_cookies(struct request *req);
const struct kvlist *req_query_list(struct request *req);
const char *req_cookie(struct request *req, const char *name);
const char *req_form(const struct request *req, const char *name);
const char *req_header(const struct request *req, const char *name);
/* A path parameter by name, or NULL. */
const struct param *req_param(const struct request *req, const char *name);

/* Adds a response header; name and val must outlive the response (use the
 * request arena). */
void resp_header(struct response *resp, const char *name, const char *val);
const char *resp_get_header(const struct response *resp, const char *name);
/* 303 See Other to a local path. */
void resp_redirect(struct request *req, struct response *resp, const char *path);
/* Sets status, content type and body text. */
void resp_text(struct response *resp, int status, const char *ctype, const char *p, size_t n);
/* Serialises j (does not take ownership) with the given content type. */
enum err resp_json(struct response *resp, int status, const char *ctype, const json_t *j);

#endif
