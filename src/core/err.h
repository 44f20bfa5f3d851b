/*
 * err.h - the one error type.
 *
 * Every function that can fail returns enum err (ERR_OK = 0). err_status()
 * maps each to the HTTP status a client sees and err_title() to the short
 * title used in error pages and problem+json documents. The detail a user
 * reads (what to fix) is chosen by the code that saw the problem; the detail
 * an operator reads goes to the log with the request id.
 */
#ifndef KITH_ERR_H
#define KITH_ERR_H

enum err {
	ERR_OK = 0,
	ERR_BAD_REQUEST,        /* 400: malformed syntax */
	ERR_UNAUTHORIZED,       /* 401: who are you? */
	ERR_FORBIDDEN,          /* 403: you may not */
	ERR_CSRF,               /* 403: form token missing or stale */
	ERR_NOT_FOUND,          /* 404 */
	ERR_METHOD,             /* 405: with Allow */
	ERR_NOT_ACCEPTABLE,     /* 406 */
	ERR_CONFLICT,           /* 409 */
	ERR_GONE,               /* 410 */
	ERR_TOO_LARGE,          /* 413 */
	ERR_URI_TOO_LONG,       /* 414 */
	ERR_MEDIA_TYPE,         /* 415 */
	ERR_INVALID,            /* 422: well-formed but fails validation */
	ERR_RATE_LIMITED,       /* 429: with Retry-After */
	ERR_HEADERS_TOO_LARGE,  /* 431 */
	ERR_INTERNAL,           /* 500 */
	ERR_NOMEM,              /* 500, logged as out of memory */
	ERR_UNAVAILABLE,        /* 503: database down, shutting down */
	ERR__MAX
};

int err_status(enum err e);
const char *err_title(enum err e);
/* A stable short name for logs and problem "type" URIs ("not-found"). */
const char *err_name(enum err e);

#endif
