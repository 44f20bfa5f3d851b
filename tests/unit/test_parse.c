/*
 * test_parse.c - the untrusted-input parsers: query strings and forms,
 * Cookie headers, JSON bodies and percent-decoding.
 *
 * Every input is first copied into a heap block of exactly its length with
 * no NUL after it, so under ASan any read past n is a test failure. Each
 * test gets a fresh arena from the fixture; the teardown releases it, so a
 * leak shows under LeakSanitizer.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/str.h"
#include "http/parse.h"

struct fx {
	struct arena a;
	struct kvlist l;
	char *copy;              /* the exact-length copy of the last input */
	const char *why;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	arena_init(&f->a);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	free(f->copy);
	arena_release(&f->a);
	free(f);
	return 0;
}

/* A heap copy of p[0..n) with nothing after it. */
static const char *exact(struct fx *f, const char *p, size_t n)
{
	free(f->copy);
	f->copy = malloc(n ? n : 1);
	assert_non_null(f->copy);
	if (n)
		memcpy(f->copy, p, n);
	return f->copy;
}

static enum err form_n(struct fx *f, const char *p, size_t n, const struct parse_limits *lim)
{
	return parse_urlencoded(&f->a, exact(f, p, n), n, lim ? lim : &parse_default_limits,
			&f->l, &f->why);
}

static enum err form(struct fx *f, const char *s)
{
	return form_n(f, s, strlen(s), NULL);
}

static enum err form_lim(struct fx *f, const char *s, const struct parse_limits *lim)
{
	return form_n(f, s, strlen(s), lim);
}

static enum err cookies_n(struct fx *f, const char *p, size_t n)
{
	return parse_cookies(&f->a, exact(f, p, n), n, &f->l, &f->why);
}

static enum err cookies(struct fx *f, const char *s)
{
	return cookies_n(f, s, strlen(s));
}

static enum err json_n(struct fx *f, const char *p, size_t n, size_t depth, json_t **out)
{
	return parse_json(exact(f, p, n), n, depth, out, &f->why);
}

static enum err json(struct fx *f, const char *s, size_t depth, json_t **out)
{
	return json_n(f, s, strlen(s), depth, out);
}

static void reset(struct fx *f)
{
	f->l = (struct kvlist){ 0 };
	f->why = NULL;
}

static void assert_kv(const struct kv *kv, const char *name, const char *val)
{
	assert_string_equal(kv->name, name);
	assert_string_equal(kv->val, val);
	assert_int_equal(kv->vlen, strlen(val));
}

/* ---------------------------------------------------------------- pct */

static void test_pct_decode(void **state)
{
	char dst[64];

	UNUSED(state);
	assert_int_equal(parse_pct_decode("a+b%20c", 7, dst, true), 5);
	assert_string_equal(dst, "a b c");
	assert_int_equal(parse_pct_decode("a+b%2B", 6, dst, false), 4);
	assert_string_equal(dst, "a+b+");
	assert_int_equal(parse_pct_decode("%c3%A9", 6, dst, false), 2);
	assert_string_equal(dst, "\xc3\xa9");
	assert_int_equal(parse_pct_decode("", 0, dst, true), 0);
	assert_string_equal(dst, "");
	/* The escape is cut by n: the "41" after it must not be read. */
	assert_int_equal(parse_pct_decode("%41", 2, dst, true), (size_t)-1);
	assert_int_equal(parse_pct_decode("%", 1, dst, true), (size_t)-1);
	assert_int_equal(parse_pct_decode("x%GZ", 4, dst, true), (size_t)-1);
	assert_int_equal(parse_pct_decode("%4g", 3, dst, true), (size_t)-1);
	/* NUL decodes (the caller refuses it), and the length says so. */
	assert_int_equal(parse_pct_decode("a%00b", 5, dst, true), 3);
	assert_memory_equal(dst, "a\0b", 4);
}

/* ---------------------------------------------------------------- forms */

static void test_form_basic(void **state)
{
	struct fx *f = *state;

	assert_int_equal(form(f, "a=1&b=two+words&c=%C3%A9"), ERR_OK);
	assert_null(f->why);
	assert_int_equal(f->l.n, 3);
	assert_kv(&f->l.v[0], "a", "1");
	assert_kv(&f->l.v[1], "b", "two words");
	assert_kv(&f->l.v[2], "c", "\xc3\xa9");
	assert_int_equal(f->l.v[2].vlen, 2);
	assert_string_equal(kv_get(&f->l, "b"), "two words");
}

static void test_form_plus_and_pct20(void **state)
{
	struct fx *f = *state;

	assert_int_equal(form(f, "q=a+b%20c&p=%2B1&n%20m+x=y"), ERR_OK);
	assert_int_equal(f->l.n, 3);
	assert_kv(&f->l.v[0], "q", "a b c");
	assert_kv(&f->l.v[1], "p", "+1");
	assert_kv(&f->l.v[2], "n m x", "y");
}

static void test_form_value_with_equals_and_semicolon(void **state)
{
	struct fx *f = *state;

	/* Only the first '=' splits; ';' is no separator. */
	assert_int_equal(form(f, "a=b=c&d=1;e=2"), ERR_OK);
	assert_int_equal(f->l.n, 2);
	assert_kv(&f->l.v[0], "a", "b=c");
	assert_kv(&f->l.v[1], "d", "1;e=2");
}

static void test_form_multibyte_utf8(void **state)
{
	struct fx *f = *state;

	/* 2-, 3- and 4-byte sequences, encoded and raw. */
	assert_int_equal(form(f, "e=%C3%A9&euro=%E2%82%AC&emoji=%F0%9F%98%80&raw=\xc3\xa9t\xc3\xa9"), ERR_OK);
	assert_int_equal(f->l.n, 4);
	assert_kv(&f->l.v[0], "e", "\xc3\xa9");
	assert_kv(&f->l.v[1], "euro", "\xe2\x82\xac");
	assert_kv(&f->l.v[2], "emoji", "\xf0\x9f\x98\x80");
	assert_kv(&f->l.v[3], "raw", "\xc3\xa9t\xc3\xa9");
}

static void test_form_bad_escapes(void **state)
{
	static const char *const bad[] = {
		"a=%", "a=%4", "a=%GZ", "a=%4G", "a=%G4", "a=1&b=%%", "%zz=1",
		"=%", "ok=1&x=100%", "a=%-1", "a=% 1",
	};
	struct fx *f = *state;

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		reset(f);
		/* One entry already there: a failure must leave it alone. */
		assert_true(kv_add(&f->a, &f->l, "keep", "me", 2));
		assert_int_equal(form(f, bad[i]), ERR_BAD_REQUEST);
		assert_non_null(f->why);
		assert_non_null(strstr(f->why, "broken %-escape"));
		assert_int_equal(f->l.n, 1);
		assert_string_equal(f->l.v[0].name, "keep");
	}
}

static void test_form_escape_cut_by_length(void **state)
{
	struct fx *f = *state;

	/* "a=%41" with n = 4: the escape runs past n, so it is broken. */
	assert_int_equal(form_n(f, "a=%41", 4, NULL), ERR_BAD_REQUEST);
	reset(f);
	assert_int_equal(form_n(f, "a=%41", 5, NULL), ERR_OK);
	assert_kv(&f->l.v[0], "a", "A");
	/* Bytes beyond n are never part of the input. */
	reset(f);
	assert_int_equal(form_n(f, "a=1&b=2&c=3", 7, NULL), ERR_OK);
	assert_int_equal(f->l.n, 2);
	assert_kv(&f->l.v[1], "b", "2");
}

static void test_form_control_refused(void **state)
{
	static const char *const bad[] = {
		"a=%00", "a=x%00y", "%00=1", "a=%01", "a=%1B", "a=%7F", "a=%08",
		"n%0B=1", "a=%C2%85" /* C1 control (NEL) */,
	};
	struct fx *f = *state;

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		reset(f);
		assert_int_equal(form(f, bad[i]), ERR_BAD_REQUEST);
		assert_non_null(f->why);
		assert_non_null(strstr(f->why, "control character"));
		assert_int_equal(f->l.n, 0);
	}
	/* A raw NUL inside n is refused the same way. */
	reset(f);
	assert_int_equal(form_n(f, "a=x\0y", 5, NULL), ERR_BAD_REQUEST);
	assert_non_null(strstr(f->why, "control character"));
}

static void test_form_tab_crlf_allowed(void **state)
{
	struct fx *f = *state;

	/* A textarea sends CRLF; those and tab are text. */
	assert_int_equal(form(f, "msg=line1%0D%0Aline2%09end"), ERR_OK);
	assert_kv(&f->l.v[0], "msg", "line1\r\nline2\tend");
}

static void test_form_bad_utf8_refused(void **state)
{
	static const char *const bad[] = {
		"a=%C0%AF",          /* overlong '/' */
		"a=%E0%80%AF",       /* overlong, 3 bytes */
		"a=%C3",             /* truncated */
		"a=%A9",             /* lone continuation */
		"a=%ED%A0%80",       /* UTF-16 surrogate */
		"a=%F4%90%80%80",    /* above U+10FFFF */
		"a=%FF",
		"a=\xff",            /* raw, not encoded */
		"%C3=1",             /* in a name */
	};
	struct fx *f = *state;

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		reset(f);
		assert_int_equal(form(f, bad[i]), ERR_BAD_REQUEST);
		assert_non_null(f->why);
		assert_non_null(strstr(f->why, "UTF-8"));
		assert_int_equal(f->l.n, 0);
	}
}

static void test_form_empty_and_skipped(void **state)
{
	struct fx *f = *state;

	assert_int_equal(form(f, ""), ERR_OK);
	assert_int_equal(f->l.n, 0);
	assert_null(f->why);

	reset(f);
	assert_int_equal(form(f, "&&a=1&&"), ERR_OK);
	assert_int_equal(f->l.n, 1);
	assert_kv(&f->l.v[0], "a", "1");

	reset(f);
	assert_int_equal(form(f, "&"), ERR_OK);
	assert_int_equal(f->l.n, 0);

	/* Empty names are skipped... */
	reset(f);
	assert_int_equal(form(f, "=x&b=2&="), ERR_OK);
	assert_int_equal(f->l.n, 1);
	assert_kv(&f->l.v[0], "b", "2");

	/* ...but still checked. */
	reset(f);
	assert_int_equal(form(f, "=%00&b=2"), ERR_BAD_REQUEST);
	assert_int_equal(f->l.n, 0);
}

static void test_form_name_without_equals(void **state)
{
	struct fx *f = *state;

	assert_int_equal(form(f, "flag&x=1&empty="), ERR_OK);
	assert_int_equal(f->l.n, 3);
	assert_kv(&f->l.v[0], "flag", "");
	assert_kv(&f->l.v[1], "x", "1");
	assert_kv(&f->l.v[2], "empty", "");
	assert_int_equal(kv_count(&f->l, "flag"), 1);
}

static void test_form_duplicates_in_order(void **state)
{
	struct fx *f = *state;

	assert_int_equal(form(f, "tag=a&x=0&tag=b"), ERR_OK);
	assert_int_equal(kv_count(&f->l, "tag"), 2);
	assert_kv(&f->l.v[0], "tag", "a");
	assert_kv(&f->l.v[2], "tag", "b");
	assert_string_equal(kv_get(&f->l, "tag"), "a");
}

static void test_form_appends(void **state)
{
	struct fx *f = *state;

	assert_int_equal(form(f, "a=1"), ERR_OK);
	assert_int_equal(form(f, "b=2"), ERR_OK);
	assert_int_equal(f->l.n, 2);
	assert_kv(&f->l.v[0], "a", "1");
	assert_kv(&f->l.v[1], "b", "2");
}

static void test_form_limit_fields(void **state)
{
	const struct parse_limits lim = { 3, 16, 16 };
	struct fx *f = *state;

	assert_int_equal(form_lim(f, "a&b=1&c", &lim), ERR_OK);
	assert_int_equal(f->l.n, 3);

	/* Skipped pairs do not count. */
	reset(f);
	assert_int_equal(form_lim(f, "a&&b&=z&c&", &lim), ERR_OK);
	assert_int_equal(f->l.n, 3);

	reset(f);
	assert_int_equal(form_lim(f, "a&b&c&d", &lim), ERR_TOO_LARGE);
	assert_non_null(strstr(f->why, "too many fields"));
	assert_int_equal(f->l.n, 0);
}

static void test_form_limit_name(void **state)
{
	const struct parse_limits lim = { 8, 4, 16 };
	struct fx *f = *state;

	assert_int_equal(form_lim(f, "abcd=1", &lim), ERR_OK);
	/* Decoded bytes count: 6 raw, 4 decoded. */
	reset(f);
	assert_int_equal(form_lim(f, "%61bcd=1", &lim), ERR_OK);
	assert_kv(&f->l.v[0], "abcd", "1");

	reset(f);
	assert_int_equal(form_lim(f, "x=1&abcde=1", &lim), ERR_TOO_LARGE);
	assert_non_null(strstr(f->why, "name"));
	assert_int_equal(f->l.n, 0);
	/* A name with no '=' is limited too. */
	reset(f);
	assert_int_equal(form_lim(f, "abcde", &lim), ERR_TOO_LARGE);
}

static void test_form_limit_value(void **state)
{
	const struct parse_limits lim = { 8, 8, 5 };
	struct fx *f = *state;

	assert_int_equal(form_lim(f, "a=12345", &lim), ERR_OK);
	reset(f);
	assert_int_equal(form_lim(f, "a=%41%42%43%44%45", &lim), ERR_OK);
	assert_kv(&f->l.v[0], "a", "ABCDE");

	reset(f);
	assert_int_equal(form_lim(f, "a=123456", &lim), ERR_TOO_LARGE);
	assert_non_null(strstr(f->why, "value"));
	assert_int_equal(f->l.n, 0);

	/* Zero limits: only empty values, and no fields at all. */
	const struct parse_limits none = { 0, 8, 0 };
	reset(f);
	assert_int_equal(form_lim(f, "&&=&", &none), ERR_OK);
	assert_int_equal(form_lim(f, "a", &none), ERR_TOO_LARGE);
}

static void test_form_default_limits(void **state)
{
	struct fx *f = *state;
	struct buf b;

	assert_int_equal(parse_default_limits.max_fields, LIMIT_FIELDS);
	assert_int_equal(parse_default_limits.max_name, LIMIT_FIELD_NAME_BYTES);
	assert_int_equal(parse_default_limits.max_value, LIMIT_FIELD_VALUE_BYTES);

	buf_init(&b, 4 * 1024 * 1024);
	for (size_t i = 0; i < LIMIT_FIELDS; i++)
		buf_addf(&b, "%sf%zu=%zu", i ? "&" : "", i, i);
	assert_true(buf_ok(&b));
	assert_int_equal(form_n(f, b.p, b.len, NULL), ERR_OK);
	assert_int_equal(f->l.n, LIMIT_FIELDS);
	assert_kv(&f->l.v[LIMIT_FIELDS - 1], "f255", "255");
	reset(f);
	buf_adds(&b, "&one=more");
	assert_int_equal(form_n(f, b.p, b.len, NULL), ERR_TOO_LARGE);

	/* A value of exactly LIMIT_FIELD_VALUE_BYTES, then one byte more. */
	buf_reset(&b);
	buf_adds(&b, "v=");
	for (size_t i = 0; i < LIMIT_FIELD_VALUE_BYTES; i++)
		buf_addc(&b, 'x');
	assert_true(buf_ok(&b));
	reset(f);
	assert_int_equal(form_n(f, b.p, b.len, NULL), ERR_OK);
	assert_int_equal(f->l.v[0].vlen, LIMIT_FIELD_VALUE_BYTES);
	buf_addc(&b, 'x');
	reset(f);
	assert_int_equal(form_n(f, b.p, b.len, NULL), ERR_TOO_LARGE);

	/* A name of exactly LIMIT_FIELD_NAME_BYTES, then one byte more. */
	buf_reset(&b);
	for (size_t i = 0; i < LIMIT_FIELD_NAME_BYTES; i++)
		buf_addc(&b, 'n');
	reset(f);
	assert_int_equal(form_n(f, b.p, b.len, NULL), ERR_OK);
	buf_addc(&b, 'n');
	reset(f);
	assert_int_equal(form_n(f, b.p, b.len, NULL), ERR_TOO_LARGE);
	buf_release(&b);
}

static void test_form_many_separators(void **state)
{
	struct fx *f = *state;
	size_t n = 1024 * 1024;
	char *p = malloc(n);

	/* A megabyte of "&" is a megabyte of empty pairs: no fields, no
	 * error, and (checked by the fuzzers' speed) linear time. */
	assert_non_null(p);
	memset(p, '&', n);
	memcpy(p + n - 3, "a=1", 3);
	assert_int_equal(form_n(f, p, n, NULL), ERR_OK);
	assert_int_equal(f->l.n, 1);
	free(p);
}

/* ---------------------------------------------------------------- cookies */

static void test_cookie_basic(void **state)
{
	struct fx *f = *state;

	assert_int_equal(cookies(f, "a=1; b=2"), ERR_OK);
	assert_null(f->why);
	assert_int_equal(f->l.n, 2);
	assert_kv(&f->l.v[0], "a", "1");
	assert_kv(&f->l.v[1], "b", "2");
}

static void test_cookie_spaces_and_quotes(void **state)
{
	struct fx *f = *state;

	assert_int_equal(cookies(f, "  sid = \"abc\" ;x=\"\";\ty=\" ;q=\"a b\"; r=%41;s=v=w"), ERR_OK);
	assert_int_equal(f->l.n, 6);
	assert_kv(&f->l.v[0], "sid", "abc");
	assert_kv(&f->l.v[1], "x", "");
	assert_kv(&f->l.v[2], "y", "\"");      /* a lone quote is not a pair */
	assert_kv(&f->l.v[3], "q", "a b");
	assert_kv(&f->l.v[4], "r", "%41");     /* not percent-decoded */
	assert_kv(&f->l.v[5], "s", "v=w");
}

static void test_cookie_malformed_skipped(void **state)
{
	struct fx *f = *state;

	assert_int_equal(cookies(f, "novalue; =x; ;; a=1;  ;b c=2; \"q\"=3; b"), ERR_OK);
	assert_int_equal(f->l.n, 1);
	assert_kv(&f->l.v[0], "a", "1");

	/* Control and non-ASCII bytes: that pair only is skipped. */
	reset(f);
	static const char raw[] = "a=\x01; b=2; c=\xc3\xa9; d=x\0y; e=\x7f; \xc3\xa9=1; f=3";
	assert_int_equal(cookies_n(f, raw, sizeof(raw) - 1), ERR_OK);
	assert_int_equal(f->l.n, 2);
	assert_kv(&f->l.v[0], "b", "2");
	assert_kv(&f->l.v[1], "f", "3");
}

static void test_cookie_empty_and_duplicates(void **state)
{
	struct fx *f = *state;

	assert_int_equal(cookies(f, ""), ERR_OK);
	assert_int_equal(f->l.n, 0);
	reset(f);
	assert_int_equal(cookies(f, "   "), ERR_OK);
	assert_int_equal(f->l.n, 0);
	reset(f);
	/* Browsers send the most specific path first; both are kept. */
	assert_int_equal(cookies(f, "sid=new; sid=old"), ERR_OK);
	assert_int_equal(kv_count(&f->l, "sid"), 2);
	assert_string_equal(kv_get(&f->l, "sid"), "new");
}

static void test_cookie_too_many(void **state)
{
	struct fx *f = *state;
	struct buf b;

	buf_init(&b, LIMIT_COOKIE_BYTES);
	for (size_t i = 0; i < LIMIT_COOKIES; i++)
		buf_addf(&b, "c%zu=%zu; ", i, i);
	buf_adds(&b, "junk; =x");
	assert_true(buf_ok(&b));
	assert_int_equal(cookies_n(f, b.p, b.len), ERR_OK);
	assert_int_equal(f->l.n, LIMIT_COOKIES);
	assert_kv(&f->l.v[LIMIT_COOKIES - 1], "c31", "31");

	reset(f);
	buf_adds(&b, "; one=more");
	assert_int_equal(cookies_n(f, b.p, b.len), ERR_TOO_LARGE);
	assert_non_null(strstr(f->why, "too many cookies"));
	assert_int_equal(f->l.n, 0);
	buf_release(&b);
}

static void test_cookie_too_long(void **state)
{
	struct fx *f = *state;
	char *p = malloc(LIMIT_COOKIE_BYTES + 1);

	assert_non_null(p);
	memset(p, 'v', LIMIT_COOKIE_BYTES + 1);
	memcpy(p, "big=", 4);
	assert_int_equal(cookies_n(f, p, LIMIT_COOKIE_BYTES), ERR_OK);
	assert_int_equal(f->l.n, 1);
	assert_int_equal(f->l.v[0].vlen, LIMIT_COOKIE_BYTES - 4);
	reset(f);
	assert_int_equal(cookies_n(f, p, LIMIT_COOKIE_BYTES + 1), ERR_TOO_LARGE);
	assert_non_null(strstr(f->why, "too long"));
	assert_int_equal(f->l.n, 0);
	free(p);
}

/* ---------------------------------------------------------------- JSON */

static void expect_json_fail(struct fx *f, const char *s, size_t n, size_t depth,
		enum err want, const char *why_part)
{
	json_t *j = (json_t *)1;

	assert_int_equal(json_n(f, s, n, depth, &j), want);
	assert_null(j);
	assert_non_null(f->why);
	if (!strstr(f->why, why_part))
		fail_msg("input %.*s: why \"%s\" lacks \"%s\"", (int)n, s, f->why, why_part);
}

static void test_json_object_and_array(void **state)
{
	struct fx *f = *state;
	json_t *j = NULL;

	assert_int_equal(json(f, " {\"a\": 1, \"b\": [true, null, \"x\\u00e9\"], \"c\": {}}\n", 8, &j), ERR_OK);
	assert_null(f->why);
	assert_true(json_is_object(j));
	assert_int_equal(json_integer_value(json_object_get(j, "a")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "b"), 2)), "x\xc3\xa9");
	json_decref(j);

	assert_int_equal(json(f, "[1, 2.5, -3, \"\xe2\x82\xac\"]", 1, &j), ERR_OK);
	assert_true(json_is_array(j));
	assert_int_equal(json_array_size(j), 4);
	json_decref(j);
}

/* "[[...]]" or {"a":{"a":...}} nested d deep, in b. */
static void nest(struct buf *b, size_t d, bool objects)
{
	buf_reset(b);
	for (size_t i = 0; i < d; i++)
		buf_adds(b, objects ? "{\"a\":" : "[");
	buf_adds(b, "1");
	for (size_t i = 0; i < d; i++)
		buf_adds(b, objects ? "}" : "]");
}

static void test_json_depth(void **state)
{
	static const size_t depths[] = { 1, 2, 5, LIMIT_JSON_DEPTH };
	struct fx *f = *state;
	struct buf b;
	json_t *j;

	buf_init(&b, 1 << 20);
	for (size_t k = 0; k < ARRAY_LEN(depths); k++) {
		size_t d = depths[k];

		for (int obj = 0; obj <= 1; obj++) {
			nest(&b, d, obj);
			assert_int_equal(json_n(f, b.p, b.len, d, &j), ERR_OK);
			json_decref(j);
			nest(&b, d + 1, obj);
			expect_json_fail(f, b.p, b.len, d, ERR_TOO_LARGE, "nested too deeply");
		}
	}
	/* Mixed: {"a":[{"b":[]}]} is 4 deep. */
	assert_int_equal(json(f, "{\"a\":[{\"b\":[]}]}", 4, &j), ERR_OK);
	json_decref(j);
	expect_json_fail(f, "{\"a\":[{\"b\":[]}]}", 16, 3, ERR_TOO_LARGE, "nested too deeply");
	/* Siblings do not add up: depth is nesting, not count. */
	assert_int_equal(json(f, "[[],[],{},[[]]]", 3, &j), ERR_OK);
	json_decref(j);
	buf_release(&b);
}

static void test_json_bomb(void **state)
{
	struct fx *f = *state;
	size_t n = 4 * 1024 * 1024;
	char *p = malloc(n);

	/* Four million '[' must be refused by the scan, long before a
	 * recursive parser could exhaust the stack. */
	assert_non_null(p);
	memset(p, '[', n);
	expect_json_fail(f, p, n, LIMIT_JSON_DEPTH, ERR_TOO_LARGE, "nested too deeply");
	free(p);
}

static void test_json_brackets_in_strings(void **state)
{
	struct fx *f = *state;
	json_t *j;

	assert_int_equal(json(f, "[\"[[[[{{{{\", \"]]]]\"]", 1, &j), ERR_OK);
	json_decref(j);
	assert_int_equal(json(f, "{\"k{[\": \"}]{[\"}", 1, &j), ERR_OK);
	json_decref(j);
	/* An escaped quote does not end the string... */
	assert_int_equal(json(f, "[\"say \\\"[[[[\\\" twice\"]", 1, &j), ERR_OK);
	assert_string_equal(json_string_value(json_array_get(j, 0)), "say \"[[[[\" twice");
	json_decref(j);
	/* ...but an escaped backslash before a quote does, so this [1]
	 * is real nesting. */
	assert_int_equal(json(f, "[\"\\\\\", [1]]", 2, &j), ERR_OK);
	json_decref(j);
	expect_json_fail(f, "[\"\\\\\", [1]]", 11, 1, ERR_TOO_LARGE, "nested too deeply");
}

static void test_json_duplicate_keys(void **state)
{
	struct fx *f = *state;
	json_t *j;

	expect_json_fail(f, "{\"a\":1,\"a\":2}", 13, 4, ERR_BAD_REQUEST, "repeats a key");
	expect_json_fail(f, "[{\"x\":{\"k\":1,\"k\":1}}]", 21, 4, ERR_BAD_REQUEST, "repeats a key");
	/* The same key in two objects is fine. */
	assert_int_equal(json(f, "[{\"k\":1},{\"k\":2}]", 4, &j), ERR_OK);
	json_decref(j);
}

static void test_json_top_level(void **state)
{
	static const char *const bad[] = { "1", "\"x\"", "true", "null", " -2.5 ", "x", "\xef\xbb\xbf{}" };
	struct fx *f = *state;

	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		expect_json_fail(f, bad[i], strlen(bad[i]), 4, ERR_BAD_REQUEST,
				"must be an object or an array");
}

static void test_json_utf8_and_nul(void **state)
{
	struct fx *f = *state;

	expect_json_fail(f, "[\"\xc3\"]", 5, 4, ERR_BAD_REQUEST, "UTF-8");
	expect_json_fail(f, "[\"\xc0\xaf\"]", 6, 4, ERR_BAD_REQUEST, "UTF-8");
	expect_json_fail(f, "{\"\xff\":1}", 7, 4, ERR_BAD_REQUEST, "UTF-8");
	expect_json_fail(f, "[\"a\\u0000b\"]", 12, 4, ERR_BAD_REQUEST, "NUL");
	expect_json_fail(f, "{\"\\u0000\":1}", 12, 4, ERR_BAD_REQUEST, "NUL");
	/* A raw NUL is not JSON at all. */
	expect_json_fail(f, "[\"a\0b\"]", 7, 4, ERR_BAD_REQUEST, "not valid JSON");
	expect_json_fail(f, "[1]\0", 4, 4, ERR_BAD_REQUEST, "extra text");
}

static void test_json_syntax(void **state)
{
	struct fx *f = *state;
	json_t *j;

	expect_json_fail(f, "{} x", 4, 4, ERR_BAD_REQUEST, "extra text");
	expect_json_fail(f, "{}{}", 4, 4, ERR_BAD_REQUEST, "extra text");
	expect_json_fail(f, "[1,]", 4, 4, ERR_BAD_REQUEST, "not valid JSON");
	expect_json_fail(f, "{'a':1}", 7, 4, ERR_BAD_REQUEST, "not valid JSON");
	expect_json_fail(f, "[1", 2, 4, ERR_BAD_REQUEST, "ends too soon");
	expect_json_fail(f, "]]]]", 4, 4, ERR_BAD_REQUEST, "must be an object");
	expect_json_fail(f, "[]]]]", 5, 4, ERR_BAD_REQUEST, "extra text");
	expect_json_fail(f, "[\"\\ud800\"]", 10, 4, ERR_BAD_REQUEST, "not valid JSON");
	expect_json_fail(f, "[99999999999999999999]", 22, 4, ERR_BAD_REQUEST, "number too large");
	expect_json_fail(f, "[1e400]", 7, 4, ERR_BAD_REQUEST, "number too large");
	/* Trailing whitespace is fine; the largest int64 too. */
	assert_int_equal(json(f, "[9223372036854775807, -9223372036854775808] \r\n\t", 4, &j), ERR_OK);
	assert_true(json_integer_value(json_array_get(j, 0)) == INT64_MAX);
	json_decref(j);
}

static void test_json_empty(void **state)
{
	struct fx *f = *state;

	expect_json_fail(f, "", 0, 4, ERR_BAD_REQUEST, "empty");
	expect_json_fail(f, " \r\n\t ", 5, 4, ERR_BAD_REQUEST, "empty");
	/* A zero max_depth refuses every document. */
	expect_json_fail(f, "{}", 2, 0, ERR_TOO_LARGE, "nested too deeply");
}

static void test_json_ex_detail(void **state)
{
	struct fx *f = *state;
	char why[160], tiny[12];
	json_t *j;
	const char *s = "{\"secret\": 1,\n  \"secret\": 2}";

	assert_int_equal(parse_json_ex(exact(f, s, strlen(s)), strlen(s), 4, &j, &f->why,
			why, sizeof(why)), ERR_BAD_REQUEST);
	assert_null(j);
	assert_non_null(strstr(f->why, "repeats a key"));
	assert_non_null(strstr(why, "The JSON body is not valid: a repeated key at line 2, column"));
	/* The user's bytes are never echoed (they may be health details). */
	assert_null(strstr(why, "secret"));

	s = "[\n[\n[1]]]";
	assert_int_equal(parse_json_ex(exact(f, s, strlen(s)), strlen(s), 2, &j, &f->why,
			why, sizeof(why)), ERR_TOO_LARGE);
	assert_string_equal(why, "The JSON body is not valid: it is nested too deeply at line 3, column 1.");

	assert_int_equal(parse_json_ex(exact(f, "", 0), 0, 2, &j, &f->why, why, sizeof(why)),
			ERR_BAD_REQUEST);
	assert_string_equal(why, "The JSON body is not valid: the body is empty.");

	/* A short buffer truncates, NUL-terminated. */
	assert_int_equal(parse_json_ex(exact(f, "1", 1), 1, 2, &j, &f->why, tiny, sizeof(tiny)),
			ERR_BAD_REQUEST);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);

	/* Success clears the buffer. */
	assert_int_equal(parse_json_ex(exact(f, "{}", 2), 2, 2, &j, &f->why, why, sizeof(why)),
			ERR_OK);
	assert_string_equal(why, "");
	assert_null(f->why);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_pct_decode),
		T(test_form_basic),
		T(test_form_plus_and_pct20),
		T(test_form_value_with_equals_and_semicolon),
		T(test_form_multibyte_utf8),
		T(test_form_bad_escapes),
		T(test_form_escape_cut_by_length),
		T(test_form_control_refused),
		T(test_form_tab_crlf_allowed),
		T(test_form_bad_utf8_refused),
		T(test_form_empty_and_skipped),
		T(test_form_name_without_equals),
		T(test_form_duplicates_in_order),
		T(test_form_appends),
		T(test_form_limit_fields),
		T(test_form_limit_name),
		T(test_form_limit_value),
		T(test_form_default_limits),
		T(test_form_many_separators),
		T(test_cookie_basic),
		T(test_cookie_spaces_and_quotes),
		T(test_cookie_malformed_skipped),
		T(test_cookie_empty_and_duplicates),
		T(test_cookie_too_many),
		T(test_cookie_too_long),
		T(test_json_object_and_array),
		T(test_json_depth),
		T(test_json_bomb),
		T(test_json_brackets_in_strings),
		T(test_json_duplicate_keys),
		T(test_json_top_level),
		T(test_json_utf8_and_nul),
		T(test_json_syntax),
		T(test_json_empty),
		T(test_json_ex_detail),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
