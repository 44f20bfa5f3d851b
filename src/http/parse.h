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
 * count or length limit is passed.
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
 * no '=' gets the empty value. */
enum err parse_urlencoded(struct arena *a, const char *p, size_t n,
		const struct parse_limits *lim, struct kvlist *out, const char **why);

/* A Cookie header: "a=1; b=2". Values are not percent-decoded (RFC 6265);
 * surrounding double quotes are removed. Malformed pairs are skipped, not
 * fatal, as browsers send what other sites set. At most LIMIT_COOKIES. */
enum err parse_cookies(struct arena *a, const char *p, size_t n,
		struct kvlist *out, const char **why);

/* A JSON document of at most max_depth nesting. Rejects invalid UTF-8,
 * duplicate object keys, and NUL in strings. *out is a new reference the
 * caller must json_decref(). */
enum err parse_json(const char *p, size_t n, size_t max_depth,
		json_t **out, const char **why);

/* Percent-decodes p[0..n) into dst (at least n+1 bytes); plus_is_space for
 * form encoding. Returns the decoded length, or (size_t)-1 on a bad escape. */
size_t parse_pct_decode(const char *p, size_t n, char *dst, bool plus_is_space);

#endif
