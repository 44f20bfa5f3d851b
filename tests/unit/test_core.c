/*
 * test_core.c - arena, buf, str, time, randomness and links helpers.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/links.h"
#include "core/rand.h"
#include "core/str.h"
#include "core/timeutil.h"

static void arena_small_allocs_use_inline_block(void **state)
{
	struct arena a;
	char *p, *q;

	UNUSED(state);
	arena_init(&a);
	p = arena_alloc(&a, 10);
	q = arena_alloc(&a, 10);
	assert_non_null(p);
	assert_true(q >= p + 16);        /* 16-byte alignment */
	assert_true((uintptr_t)q % 16 == 0);
	assert_null(a.blocks);           /* no malloc yet */
	arena_release(&a);
}

static void arena_grows_and_releases(void **state)
{
	struct arena a;

	UNUSED(state);
	arena_init(&a);
	for (int i = 0; i < 1000; i++) {
		char *p = arena_alloc(&a, 100);

		assert_non_null(p);
		memset(p, 'x', 100);
	}
	assert_non_null(a.blocks);
	/* A big allocation gets a block of its own and does not waste the current one. */
	assert_non_null(arena_alloc(&a, 100000));
	assert_null(arena_alloc(&a, ARENA_MAX_ALLOC + 1));
	assert_null(arena_calloc(&a, SIZE_MAX / 2, 4));
	arena_release(&a);
	assert_null(a.blocks);
}

static void arena_strings(void **state)
{
	struct arena a;

	UNUSED(state);
	arena_init(&a);
	assert_string_equal(arena_strndup(&a, "hello world", 5), "hello");
	assert_string_equal(arena_strdup(&a, ""), "");
	assert_string_equal(arena_printf(&a, "%d-%s", 42, "x"), "42-x");
	arena_release(&a);
}

static void buf_appends_and_caps(void **state)
{
	struct buf b;
	size_t n;
	char *p;

	UNUSED(state);
	buf_init(&b, 10);
	assert_string_equal(b.p, "");
	buf_adds(&b, "hello");
	buf_addc(&b, ' ');
	buf_addf(&b, "%d", 123);
	assert_string_equal(b.p, "hello 123");
	assert_true(buf_ok(&b));
	buf_adds(&b, "overflow");          /* passes the maximum: sticky error */
	assert_false(buf_ok(&b));
	assert_string_equal(b.p, "hello 123"); /* unchanged */
	buf_adds(&b, "x");
	assert_false(buf_ok(&b));
	assert_null(buf_detach(&b, &n));
	buf_init(&b, 100);
	buf_adds(&b, "abc");
	buf_truncate(&b, 1);
	p = buf_detach(&b, &n);
	assert_string_equal(p, "a");
	assert_int_equal(n, 1);
	free(p);
	buf_release(&b);
}

static void buf_exact_max(void **state)
{
	struct buf b;

	UNUSED(state);
	buf_init(&b, 5);
	buf_adds(&b, "12345");
	assert_true(buf_ok(&b));
	assert_int_equal(b.len, 5);
	buf_addc(&b, '6');
	assert_false(buf_ok(&b));
	buf_release(&b);
}

static void str_integers(void **state)
{
	int64_t v;

	UNUSED(state);
	assert_true(str_to_i64(str_c("42"), 0, 100, &v));
	assert_int_equal(v, 42);
	assert_true(str_to_i64(str_c("-9223372036854775808"), INT64_MIN, INT64_MAX, &v));
	assert_true(v == INT64_MIN);
	assert_true(str_to_i64(str_c("9223372036854775807"), INT64_MIN, INT64_MAX, &v));
	assert_false(str_to_i64(str_c("9223372036854775808"), INT64_MIN, INT64_MAX, &v));
	assert_false(str_to_i64(str_c("12abc"), 0, 100, &v));
	assert_false(str_to_i64(str_c(""), 0, 100, &v));
	assert_false(str_to_i64(str_c("-"), -5, 100, &v));
	assert_false(str_to_i64(str_c(" 1"), 0, 100, &v));
	assert_false(str_to_i64(str_c("101"), 0, 100, &v));
}

static void str_utf8_and_uuid(void **state)
{
	UNUSED(state);
	assert_true(str_is_clean_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n\t", 15));
	assert_false(str_is_clean_utf8("\xc0\xaf", 2));          /* overlong */
	assert_false(str_is_clean_utf8("\xed\xa0\x80", 3));      /* surrogate */
	assert_false(str_is_clean_utf8("\xf4\x90\x80\x80", 4));  /* > U+10FFFF */
	assert_false(str_is_clean_utf8("a\0b", 3));
	assert_false(str_is_clean_utf8("\x1b[31m", 5));
	assert_false(str_is_clean_utf8("\xc2\x85", 2));          /* C1 control */
	assert_false(str_is_clean_utf8("\xe2\x82", 2));          /* truncated */
	assert_true(str_is_uuid(str_c("123e4567-e89b-12d3-a456-426614174000")));
	assert_false(str_is_uuid(str_c("123e4567e89b12d3a456426614174000")));
	assert_false(str_is_uuid(str_c("123e4567-e89b-12d3-a456-42661417400g")));
}

static void str_helpers(void **state)
{
	char small[4];
	char lower[] = "AbC";

	UNUSED(state);
	assert_true(str_ieqc(str_c("Content-Type"), "content-type"));
	assert_false(str_ieqc(str_c("Content-Typ"), "content-type"));
	assert_true(str_eqc(str_trim(str_c("  x y \t")), "x y"));
	assert_true(str_startswith(str_c("/api/v1"), "/api/"));
	assert_false(str_copy(small, sizeof(small), "toolong"));
	assert_string_equal(small, "too");
	str_lower_ascii(lower, 3);
	assert_string_equal(lower, "abc");
}

/* The small helpers every layer shares instead of keeping its own copy. */
static void str_shared_helpers(void **state)
{
	char key[32], tiny[4];
	unsigned char b[16];
	char u[37];

	UNUSED(state);
	/* Email keys: ASCII letters only, as accounts have always done. */
	assert_true(str_lower_email("Jane.Doe@Example.ORG", key, sizeof(key)));
	assert_string_equal(key, "jane.doe@example.org");
	assert_false(str_lower_email("Jane.Doe@Example.ORG.uk", key, 8));
	assert_true(str_lower_email("\xc3\x89MILE@X.org", key, sizeof(key)));
	assert_string_equal(key, "\xc3\x89mile@x.org");
	assert_true(str_lower_email(NULL, tiny, sizeof(tiny)));
	assert_string_equal(tiny, "");
	assert_false(str_lower_email("ABCDE", tiny, sizeof(tiny)));
	assert_string_equal(tiny, "abc");
	/* Blank. */
	assert_true(str_is_blank(NULL));
	assert_true(str_is_blank(""));
	assert_true(str_is_blank(" \t\r\n "));
	assert_false(str_is_blank("  x "));
	assert_false(str_is_blank("\xc2\xa0"));   /* a no-break space is text */
	/* Hex. */
	assert_int_equal(str_hex_digit('0'), 0);
	assert_int_equal(str_hex_digit('9'), 9);
	assert_int_equal(str_hex_digit('a'), 10);
	assert_int_equal(str_hex_digit('F'), 15);
	assert_int_equal(str_hex_digit('g'), -1);
	assert_int_equal(str_hex_digit(0x80), -1);
	assert_true(str_is_lower_hex("09af", 4));
	assert_false(str_is_lower_hex("09aF", 4));
	assert_false(str_is_lower_hex("09af0", 4));
	assert_false(str_is_lower_hex("09a", 4));
	assert_false(str_is_lower_hex(NULL, 0));
	for (int i = 0; i < 16; i++)
		b[i] = (unsigned char)(i * 17);
	uuid_format(b, u);
	assert_string_equal(u, "00112233-4455-6677-8899-aabbccddeeff");
}

static void time_format_and_parse(void **state)
{
	char s[32];
	int64_t t;

	UNUSED(state);
	assert_true(time_iso8601(0, s, sizeof(s)));
	assert_string_equal(s, "1970-01-01T00:00:00Z");
	assert_true(time_iso8601(1795392000, s, sizeof(s)));
	assert_string_equal(s, "2026-11-23T00:00:00Z");
	assert_true(time_parse_iso8601("2026-11-23", 10, &t));
	assert_int_equal(t, 1795392000);
	assert_true(time_parse_iso8601("2024-02-29T12:30:00Z", 20, &t));
	assert_true(time_iso8601(t, s, sizeof(s)));
	assert_string_equal(s, "2024-02-29T12:30:00Z");
	assert_false(time_parse_iso8601("2023-02-29", 10, &t));
	assert_false(time_parse_iso8601("2023-13-01", 10, &t));
	assert_false(time_parse_iso8601("2023-1-01", 9, &t));
	assert_true(time_http_date(0, s, sizeof(s)));
	assert_string_equal(s, "Thu, 01 Jan 1970 00:00:00 GMT");
	time_set_fake(12345);
	assert_int_equal(time_now(), 12345);
	time_set_fake(0);
	assert_true(time_now() > 1700000000);
}

static void randomness(void **state)
{
	unsigned char a[32], b[32];
	char hex[65], u[37];
	unsigned char back[32];

	UNUSED(state);
	assert_true(rand_bytes(a, sizeof(a)));
	assert_true(rand_bytes(b, sizeof(b)));
	assert_memory_not_equal(a, b, sizeof(a));
	hex_encode(a, sizeof(a), hex);
	assert_int_equal(strlen(hex), 64);
	assert_true(hex_decode(hex, 64, back, sizeof(back)));
	assert_memory_equal(a, back, sizeof(a));
	assert_false(hex_decode("zz", 2, back, 1));
	assert_true(uuid_v4(u));
	assert_true(str_is_uuid(str_c(u)));
	assert_int_equal(u[14], '4');
	assert_true(strchr("89ab", u[19]) != NULL);
	assert_true(rand_fast64() != rand_fast64());
}

/* A router of one route, "svc" -> "/services/{id}": what the app's does. */
static const char *fake_path(const void *arg, struct arena *a, const char *name,
		const char *const *args, size_t n)
{
	assert_string_equal(arg, "router");
	if (strcmp(name, "svc") != 0 || n != 1)
		return NULL;
	return arena_printf(a, "/services/%s", args[0]);
}

static void links_by_name(void **state)
{
	const struct links l = { .path = fake_path, .arg = "router", .base_url = "https://k.example" };
	struct arena a;

	(void)state;
	arena_init(&a);
	assert_string_equal(link_path(&l, &a, "svc", "42", NULL), "/services/42");
	assert_string_equal(link_abs(&l, &a, "svc", "42", NULL), "https://k.example/services/42");
	/* A wrong name or count, or no router (rules alone): "/", the page
	 * still works. */
	assert_string_equal(link_path(&l, &a, "nope", "42", NULL), "/");
	assert_string_equal(link_path(&l, &a, "svc", NULL), "/");
	assert_string_equal(link_path(NULL, &a, "svc", "42", NULL), "/");
	assert_string_equal(link_abs(NULL, &a, "svc", "42", NULL), "/");
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arena_small_allocs_use_inline_block),
		cmocka_unit_test(arena_grows_and_releases),
		cmocka_unit_test(arena_strings),
		cmocka_unit_test(buf_appends_and_caps),
		cmocka_unit_test(buf_exact_max),
		cmocka_unit_test(str_integers),
		cmocka_unit_test(str_utf8_and_uuid),
		cmocka_unit_test(str_helpers),
		cmocka_unit_test(str_shared_helpers),
		cmocka_unit_test(time_format_and_parse),
		cmocka_unit_test(randomness),
		cmocka_unit_test(links_by_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
