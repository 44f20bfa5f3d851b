/*
 * fetch.h - one HTTP GET for `kith directory pull` (pull.c), through
 * libcurl: http and https only (redirects too, at most 5), a User-Agent,
 * a per-request timeout, a cap on the body, conditional headers, and what
 * the answer said about retrying. It does not retry or wait itself: the
 * politeness (delays, back-off, Retry-After, the pull's time limit) is
 * pull.c's.
 */
#ifndef KITH_ORUK_FETCH_H
#define KITH_ORUK_FETCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

struct fetch_opts {
	const char *user_agent;    /* "kith/0.1 (+https://kith.example.org; directory pull)" */
	int timeout_ms;            /* the whole request, connecting included */
	size_t max_bytes;          /* a body larger than this is refused */
	const atomic_bool *stop;   /* set: abandon the request (shutdown); may be NULL */
};

struct fetch_result {
	long status;               /* HTTP status; 0 when there was no answer */
	struct buf body;           /* the body (decoded), NUL-terminated */
	char etag[256];            /* the answer's ETag, "" none (or too long to keep) */
	char last_modified[64];    /* its Last-Modified, "" none */
	int64_t retry_after_s;     /* its Retry-After in seconds, -1 none */
	bool timed_out, too_large, stopped;
	char error[256];           /* no answer: why, in words */
};

/* Initialise once per result; release after. */
void fetch_result_init(struct fetch_result *r, size_t max_bytes);
void fetch_result_release(struct fetch_result *r);

/* GETs url (http or https only), sending If-None-Match: etag and
 * If-Modified-Since: last_modified when they are given (not NULL or "").
 * ERR_OK whenever an answer came (whatever its status); ERR_UNAVAILABLE
 * with r->error (and timed_out, too_large or stopped) when none did;
 * ERR_NOMEM. */
enum err fetch_get(const struct fetch_opts *o, const char *url, const char *etag,
		const char *last_modified, struct fetch_result *r);

#endif
