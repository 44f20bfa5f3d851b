/*
 * parse.c - parsers for untrusted request input (see parse.h).
 *
 * Query strings, forms and cookies are split in one forward pass with
 * memchr and decoded straight into a single arena block sized from the input
 * length: every decoded name and value (plus its NUL) is no longer than the
 * raw pair it came from, so n + 1 bytes always suffice and a request makes
 * one allocation however many fields it has. Nothing is ever read past n.
 * On failure *out is left as it was, so a caller never sees half a form.
 *
 * JSON is handed to jansson, but only after a flat scan has checked that the
 * top level is an object or array and that nesting stays within max_depth:
 * a bracket bomb costs one O(n) pass and no recursion. Failures are mapped to
 * fixed sentences by class; the user's bytes never appear in a message, so
 * a message is safe to log and to show.
 */
#include "core/common.h"

#include "core/str.h"
#include "http/parse.h"

const struct parse_limits parse_default_limits = {
	LIMIT_FIELDS, LIMIT_FIELD_NAME_BYTES, LIMIT_FIELD_VALUE_BYTES
};

static const char WHY_NOMEM[] =
	"The server ran out of memory while reading the request; try again shortly.";

/* ---------------------------------------------------------------- percent */

size_t parse_pct_decode(const char *p, size_t n, char *dst, bool plus_is_space)
{
	size_t i = 0, o = 0;

	while (i < n) {
		const char *pct = memchr(p + i, '%', n - i);
		size_t run = pct ? (size_t)(pct - (p + i)) : n - i;

		/* Copy the plain run in one go; '+' is the only byte in it
		 * that may change. */
		memcpy(dst + o, p + i, run);
		if (plus_is_space)
			for (size_t k = o; k < o + run; k++)
				if (dst[k] == '+')
					dst[k] = ' ';
		o += run;
		i += run;
		if (!pct)
			break;
		if (n - i < 3)
			return (size_t)-1;
		int hi = str_hex_digit((unsigned char)p[i + 1]);
		int lo = str_hex_digit((unsigned char)p[i + 2]);
		if (hi < 0 || lo < 0)
			return (size_t)-1;
		dst[o++] = (char)(hi << 4 | lo);
		i += 3;
	}
	dst[o] = '\0';
	return o;
}

/* ---------------------------------------------------------------- urlencoded */

static const char WHY_ESCAPE[] =
	"The address or form contains a broken %-escape: "
	"each % must be followed by two hexadecimal digits.";
static const char WHY_CONTROL[] =
	"The address or form contains a NUL byte or control character; "
	"remove it and try again.";
static const char WHY_UTF8[] =
	"The address or form contains text that is not valid UTF-8; "
	"send it as UTF-8.";
static const char WHY_FIELDS[] =
	"The address or form has too many fields; send fewer fields.";
static const char WHY_NAME[] =
	"A field name in the address or form is too long; use a shorter name.";
static const char WHY_VALUE[] =
	"A value in the address or form is too long; shorten it and try again.";

/* Called only once str_is_clean_utf8() has failed, to say which fault it
 * was: a control character (C0, DEL, or C1 as U+0080..U+009F, which is
 * 0xC2 0x80..0x9F) is something to remove, bad UTF-8 an encoding to
 * change. */
static bool has_control(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
			return true;
		if (c == 0xc2 && i + 1 < n && (unsigned char)p[i + 1] >= 0x80 &&
		    (unsigned char)p[i + 1] <= 0x9f)
			return true;
	}
	return false;
}

static const char *clean_text_why(const char *p, size_t n)
{
	if (str_is_clean_utf8(p, n))
		return NULL;
	return has_control(p, n) ? WHY_CONTROL : WHY_UTF8;
}

enum err parse_urlencoded(struct arena *a, const char *p, size_t n,
		const struct parse_limits *lim, struct kvlist *out, const char **why)
{
	const size_t n0 = out->n;
	size_t kept = 0, i = 0;
	char *dst = NULL;
	enum err e = ERR_OK;

	*why = NULL;
	if (n == 0)
		return ERR_OK;
	/* Each pair decodes to at most its raw length + 1 (the '=' becomes
	 * a NUL, and the name-only case uses a static ""), and the pairs'
	 * lengths plus their separators sum to n, so n + 1 bytes hold all. */
	dst = n < SIZE_MAX ? arena_alloc(a, n + 1) : NULL;
	if (!dst) {
		*why = WHY_NOMEM;
		return ERR_NOMEM;
	}
	while (i < n) {
		const char *amp = memchr(p + i, '&', n - i);
		size_t end = amp ? (size_t)(amp - p) : n;
		const char *pair = p + i;
		size_t plen = end - i;

		i = amp ? end + 1 : n;
		if (plen == 0)
			continue;

		const char *eq = memchr(pair, '=', plen);
		size_t rname = eq ? (size_t)(eq - pair) : plen;
		char *name = dst;
		size_t nlen = parse_pct_decode(pair, rname, name, true);

		if (nlen == (size_t)-1) {
			*why = WHY_ESCAPE;
			e = ERR_BAD_REQUEST;
			goto out;
		}
		const char *val = "";
		size_t vlen = 0;
		char *next = name + nlen + 1;

		if (eq) {
			char *v = next;

			vlen = parse_pct_decode(eq + 1, plen - rname - 1, v, true);
			if (vlen == (size_t)-1) {
				*why = WHY_ESCAPE;
				e = ERR_BAD_REQUEST;
				goto out;
			}
			val = v;
			next = v + vlen + 1;
		}
		/* Check every pair, even one about to be skipped: a broken
		 * request is refused wherever the break is. */
		if ((*why = clean_text_why(name, nlen)) != NULL ||
		    (*why = clean_text_why(val, vlen)) != NULL) {
			e = ERR_BAD_REQUEST;
			goto out;
		}
		if (nlen == 0)
			continue;   /* "=x": nothing to name it by */
		if (kept == lim->max_fields) {
			*why = WHY_FIELDS;
			e = ERR_TOO_LARGE;
			goto out;
		}
		if (nlen > lim->max_name) {
			*why = WHY_NAME;
			e = ERR_TOO_LARGE;
			goto out;
		}
		if (vlen > lim->max_value) {
			*why = WHY_VALUE;
			e = ERR_TOO_LARGE;
			goto out;
		}
		if (!kv_add(a, out, name, val, vlen)) {
			*why = WHY_NOMEM;
			e = ERR_NOMEM;
			goto out;
		}
		kept++;
		dst = next;
	}
out:
	if (e != ERR_OK)
		out->n = n0;
	return e;
}

/* ---------------------------------------------------------------- cookies */

static const char WHY_COOKIE_BYTES[] =
	"The browser sent a Cookie header that is too long; "
	"clear this site's cookies and try again.";
static const char WHY_COOKIE_COUNT[] =
	"The browser sent too many cookies; "
	"clear this site's cookies and try again.";

/* Names: printable ASCII, no space or quote (RFC 6265 token, leniently:
 * other sites' odd names are skipped, never fatal, and ours are plain). */
static bool cookie_name_ok(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c <= 0x20 || c >= 0x7f || c == '"')
			return false;
	}
	return n > 0;
}

/* Values: printable ASCII. Inner spaces are tolerated because browsers
 * send them; control bytes and non-ASCII are not. */
static bool cookie_value_ok(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x20 || c >= 0x7f)
			return false;
	}
	return true;
}

enum err parse_cookies(struct arena *a, const char *p, size_t n,
		struct kvlist *out, const char **why)
{
	const size_t n0 = out->n;
	size_t kept = 0, i = 0;
	char *dst;

	*why = NULL;
	if (n > LIMIT_COOKIE_BYTES) {
		*why = WHY_COOKIE_BYTES;
		return ERR_TOO_LARGE;
	}
	if (n == 0)
		return ERR_OK;
	/* Same sizing argument as for forms: name + NUL + value + NUL is no
	 * longer than the raw pair + 1. */
	dst = arena_alloc(a, n + 1);
	if (!dst) {
		*why = WHY_NOMEM;
		return ERR_NOMEM;
	}
	while (i < n) {
		const char *semi = memchr(p + i, ';', n - i);
		size_t end = semi ? (size_t)(semi - p) : n;
		struct str pair = { p + i, end - i };

		i = semi ? end + 1 : n;
		const char *eq = memchr(pair.p, '=', pair.n);
		if (!eq)
			continue;
		struct str name = str_trim((struct str){ pair.p, (size_t)(eq - pair.p) });
		struct str val = str_trim((struct str){ eq + 1, pair.n - (size_t)(eq - pair.p) - 1 });

		if (val.n >= 2 && val.p[0] == '"' && val.p[val.n - 1] == '"') {
			val.p++;
			val.n -= 2;
		}
		if (!cookie_name_ok(name.p, name.n) || !cookie_value_ok(val.p, val.n))
			continue;
		if (kept == LIMIT_COOKIES) {
			out->n = n0;
			*why = WHY_COOKIE_COUNT;
			return ERR_TOO_LARGE;
		}
		char *nm = dst;
		memcpy(nm, name.p, name.n);
		nm[name.n] = '\0';
		char *v = nm + name.n + 1;
		memcpy(v, val.p, val.n);
		v[val.n] = '\0';
		if (!kv_add(a, out, nm, v, val.n)) {
			out->n = n0;
			*why = WHY_NOMEM;
			return ERR_NOMEM;
		}
		dst = v + val.n + 1;
		kept++;
	}
	return ERR_OK;
}

/* ---------------------------------------------------------------- JSON */

/* Failure classes: one fixed user sentence and one short reason for the
 * detailed form each. */
enum jfail {
	JF_EMPTY, JF_TOP, JF_DEPTH, JF_SYNTAX, JF_END, JF_TRAILING, JF_UTF8,
	JF_NUL, JF_DUPLICATE, JF_NUMBER, JF_NOMEM,
	JF__MAX
};

static const struct {
	const char *why;
	const char *reason;
} jfail_text[JF__MAX] = {
	[JF_EMPTY] = { "The request body is empty; send a JSON object or array.",
		"the body is empty" },
	[JF_TOP] = { "The JSON body must be an object or an array, not a single value.",
		"the top level is not an object or array" },
	[JF_DEPTH] = { "The JSON body is nested too deeply; flatten its structure.",
		"it is nested too deeply" },
	[JF_SYNTAX] = { "The JSON body is not valid JSON; check its syntax.",
		"a syntax error" },
	[JF_END] = { "The JSON body ends too soon; send the whole document.",
		"it ends too soon" },
	[JF_TRAILING] = { "The JSON body has extra text after its end; send exactly one object or array.",
		"extra text after the end" },
	[JF_UTF8] = { "The JSON body is not valid UTF-8; send it as UTF-8.",
		"text that is not UTF-8" },
	[JF_NUL] = { "The JSON body contains a NUL character (\\u0000); remove it.",
		"a NUL character" },
	[JF_DUPLICATE] = { "The JSON body repeats a key within one object; send each key once.",
		"a repeated key" },
	[JF_NUMBER] = { "The JSON body contains a number too large to handle; send a smaller number.",
		"a number too large" },
	[JF_NOMEM] = { "The server ran out of memory while reading the JSON body; try again shortly.",
		"out of memory" },
};

static bool json_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* One pass over the bytes, counting '[' and '{' outside strings. Within a
 * string a backslash skips the next byte, so "\"[" does not count. Anything
 * else wrong (unbalanced brackets, stray bytes) is left to jansson: this only
 * has to bound the depth jansson will recurse to. */
static enum jfail json_prescan(const char *p, size_t n, size_t max_depth, size_t *line, size_t *col)
{
	size_t i = 0, depth = 0, ln = 1, lstart = 0;
	bool in_str = false;

	while (i < n && json_ws(p[i])) {
		if (p[i] == '\n') {
			ln++;
			lstart = i + 1;
		}
		i++;
	}
	*line = ln;
	*col = i - lstart + 1;
	if (i == n) {
		*line = 0;   /* nothing to point at */
		return JF_EMPTY;
	}
	if (p[i] != '[' && p[i] != '{')
		return JF_TOP;
	for (; i < n; i++) {
		char c = p[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		switch (c) {
		case '"':
			in_str = true;
			break;
		case '[':
		case '{':
			if (++depth > max_depth) {
				*col = i - lstart + 1;
				*line = ln;
				return JF_DEPTH;
			}
			break;
		case ']':
		case '}':
			if (depth)
				depth--;
			break;
		case '\n':
			ln++;
			lstart = i + 1;
			break;
		default:
			break;
		}
	}
	return JF__MAX;
}

static enum jfail jfail_from_jansson(const json_error_t *je)
{
	switch (json_error_code(je)) {
	case json_error_out_of_memory:
		return JF_NOMEM;
	case json_error_invalid_utf8:
		return JF_UTF8;
	case json_error_premature_end_of_input:
		return JF_END;
	case json_error_end_of_input_expected:
		return JF_TRAILING;
	case json_error_null_character:
	case json_error_null_byte_in_key:
		return JF_NUL;
	case json_error_duplicate_key:
		return JF_DUPLICATE;
	case json_error_numeric_overflow:
		return JF_NUMBER;
	case json_error_stack_overflow:
		return JF_DEPTH;
	default:
		return JF_SYNTAX;
	}
}

static enum err jfail_err(enum jfail f)
{
	switch (f) {
	case JF_DEPTH:
		return ERR_TOO_LARGE;
	case JF_NOMEM:
		return ERR_NOMEM;
	default:
		return ERR_BAD_REQUEST;
	}
}

enum err parse_json_ex(const char *p, size_t n, size_t max_depth,
		json_t **out, const char **why, char *whybuf, size_t whylen)
{
	size_t line = 0, col = 0;
	enum jfail f;
	json_error_t je;
	json_t *j;

	*out = NULL;
	*why = NULL;
	if (whybuf && whylen)
		whybuf[0] = '\0';
	f = json_prescan(p, n, max_depth, &line, &col);
	if (f == JF__MAX) {
		j = json_loadb(p, n, JSON_REJECT_DUPLICATES, &je);
		if (j) {
			*out = j;
			return ERR_OK;
		}
		f = jfail_from_jansson(&je);
		line = je.line > 0 ? (size_t)je.line : 0;
		col = je.column > 0 ? (size_t)je.column : 0;
	}
	*why = jfail_text[f].why;
	if (whybuf && whylen) {
		if (line > 0)
			snprintf(whybuf, whylen, "The JSON body is not valid: %s at line %zu, column %zu.",
					jfail_text[f].reason, line, col);
		else
			snprintf(whybuf, whylen, "The JSON body is not valid: %s.",
					jfail_text[f].reason);
	}
	return jfail_err(f);
}

enum err parse_json(const char *p, size_t n, size_t max_depth,
		json_t **out, const char **why)
{
	return parse_json_ex(p, n, max_depth, out, why, NULL, 0);
}
