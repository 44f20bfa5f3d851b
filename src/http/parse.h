/*
 * parse.h - parsers for untrusted request input: query strings,
 * application/x-www-form-urlencoded bodies, Cookie headers and JSON bodies.
 *
 * Each takes (pointer, length, limits) and an arena for its output; none
 * reads past len, none needs NUL termination, each has a fuzz target under
 * fuzz/. Names and values are percent-decoded ('+' is a space in queries and
 * forms), NUL-terminated copies in the arena.
 *
 * Errors (with a human sentence in *why, a static string, saying what to
 * fix): ERR_BAD_REQUEST for malformed input (bad percent escape, invalid
 * UTF-8, NUL bytes, a control character in a value), ERR_TOO_LARGE when a
 * count or length limit is passed, ERR_NOMEM when the arena cannot grow.
 */
#ifndef KITH_PARSE_H
#define KITH_PARSE_H

#include <stddef.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/err.h"
#include "http/request.h"

struct parse_limits {
	size_t max_fields;       /* LIMIT_FIELDS */
	size_t max_name;         /* LIMIT_FIELD_NAME_BYTES */
	size_t max_value;        /* LIMIT_FIELD_VALUE_BYTES */
};

extern const struct parse_limits parse_default_limits;

/* "a=1&b=two+words&c=%C3%A9". Empty pairs ("&&") are skipped; a name with
 * no '=' gets the empty value.
 *
 * Details: only '&' separates pairs (not ';'). Pairs whose name decodes to
 * "" ("=x") are skipped silently, though still checked for bad escapes and
 * bad text. Decoded names and values must pass str_is_clean_utf8 (so no
 * NUL, no control byte but tab, CR and LF). Limits count decoded bytes and
 * the pairs kept; a duplicate name is kept, in order. Fields are appended
 * to *out; on any failure *out is left with the entries it had before, and
 * only the arena holds the partial work. */
enum err parse_urlencoded(struct arena *a, const char *p, size_t n,
		const struct parse_limits *lim, struct kvlist *out, const char **why);

/* A Cookie header: "a=1; b=2". Values are not percent-decoded (RFC 6265);
 * surrounding double quotes are removed. Malformed pairs are skipped, not
 * fatal, as browsers send what other sites set. At most LIMIT_COOKIES.
 *
 * Details: names and values are trimmed of spaces and tabs. Skipped: a pair
 * with no '=', an empty name, a name with a space, quote, control byte or
 * non-ASCII byte, a value with a control byte or non-ASCII byte (after one
 * pair of quotes is removed). More than LIMIT_COOKIES well-formed pairs, or
 * a header longer than LIMIT_COOKIE_BYTES, is ERR_TOO_LARGE; on failure
 * *out is left as it was. */
enum err parse_cookies(struct arena *a, const char *p, size_t n,
		struct kvlist *out, const char **why);

/* A JSON document of at most max_depth nesting. Rejects invalid UTF-8,
 * duplicate object keys, and NUL in strings. *out is a new reference the
 * caller must json_decref(). */
enum err parse_json(const char *p, size_t n, size_t max_depth,
		json_t **out, const char **why);

/* parse_json, and when whybuf is not NULL also a detailed sentence in
 * whybuf[0..whylen) ("The JSON body is not valid: a repeated key at line 3,
 * column 7."); "" on success. Neither sentence quotes the input, so both
 * are safe to log.
 *
 * Details shared by both: the top level must be an object or array
 * (JSON_DECODE_ANY is off); depth counts arrays and objects, so "{}" is 1
 * and "[{}]" is 2; nesting is checked by a flat scan before jansson sees the
 * input, so a bracket bomb costs O(n) and no recursion. Too deep is
 * ERR_TOO_LARGE, out of memory ERR_NOMEM, anything else ERR_BAD_REQUEST.
 * *out is NULL on failure. */
enum err parse_json_ex(const char *p, size_t n, size_t max_depth,
		json_t **out, const char **why, char *whybuf, size_t whylen);

/* Percent-decodes p[0..n) into dst (at least n+1 bytes); plus_is_space for
 * form encoding. Returns the decoded length, or (size_t)-1 on a bad escape.
 * dst is NUL-terminated on success. Hex digits may be either case. The
 * output is not checked for NUL or UTF-8: that is the caller's job. */
size_t parse_pct_decode(const char *p, size_t n, char *dst, bool plus_is_space);

#endif
