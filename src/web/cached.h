/*
 * cached.h (src/web/) - a handler's finished answer kept in a respcache
 * (respcache.h) and given again to the next request with the same key,
 * without being made again: the ORUK API's lists and documents, and the
 * pages a visitor who is not signed in reads (find, a service, an
 * organisation).
 *
 * A handler that may be answered so:
 *
 *     struct cached c = { .cache = ..., .version = ..., .ttl_s = ... };
 *     ...build c.key...
 *     if (cached_answer(req, resp, &c))
 *             return ERR_OK;
 *     return cached_keep(req, resp, make_it(req, resp), &c);
 *
 * The version is read before anything the answer is made from (see
 * search_version()), so an answer made from older data is stored under the
 * older version and never reached. Only a 200 is kept, and never one that
 * sets a cookie. The gzip of the body is made once, when it is kept, and
 * sent from then on to clients that accept it (http_compress(), which
 * still decides whether to compress at all).
 *
 * Only for answers that depend on nothing but the key: never keep one
 * that depends on who asks. cached_page_key() refuses a request that is
 * signed in or carries a form token.
 */
#ifndef KITH_CACHED_H
#define KITH_CACHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "http/request.h"

struct respcache;

enum {
	/* The answer is public data a client may keep: a strong ETag (a
	 * hash of its bytes), Cache-Control: no-cache, and 304 without a
	 * body for an If-None-Match that names it. Without it the response
	 * keeps its own caching headers (no-store for pages). */
	CACHED_ETAG = 1u << 0,
};

struct cached {
	struct respcache *cache;   /* NULL: nothing is kept */
	const char *key;           /* NULL: this request is not kept */
	size_t klen;
	uint64_t version;
	int ttl_s;                 /* longest an answer is reused */
	unsigned flags;            /* CACHED_* */
	const char *keep_header;   /* one header of the answer kept with it (X-Total-Count), or NULL */
};

/* Answers from c when it holds the key at the version: true when it did
 * (resp is complete); false when the handler must make the answer. */
bool cached_answer(struct request *req, struct response *resp, const struct cached *c);

/* The tail of such a handler: e is what making the answer returned. A
 * 200 is kept, and with CACHED_ETAG answered conditionally; e is
 * returned. */
enum err cached_keep(struct request *req, struct response *resp, enum err e, const struct cached *c);

/* For a page: sets c->key to what a visitor's page depends on (the
 * route, the path, the query as sent, HTML or JSON, and the day in the
 * UK, since pages say "today" and "next Tuesday") and returns true; false
 * (c->key NULL) when the request is not a visitor's GET: signed in
 * (whatever the way) or holding a form token. */
bool cached_page_key(struct request *req, struct cached *c);

#endif
