/*
 * test_compress.c - dynamic pages gzipped when the browser accepts it
 * (src/http/compress.c, issue 10): the same bytes after gunzip, Vary on
 * every compressible page, nothing for q=0 or no Accept-Encoding, HEAD
 * answered without compressing, and no compression where the page holds
 * a form token (BREACH, docs/THREATS.md).
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "auth/policy.h"
#include "http/compress.h"
#include "support/reqtest.h"

#define FIND "/find?q=walking+group"

static const char *const gzip_h[] = { "Accept-Encoding: gzip, deflate, br", NULL };

static bool varies(const struct rt_resp *r)
{
	const char *v = rt_header(r, "Vary");

	return v && strstr(v, "Accept-Encoding");
}

static void compressed_when_asked_same_after_gunzip(void **state)
{
	struct rt *t = *state;
	struct rt_resp plain, gz;
	char *back;
	size_t n;

	rt_get(t, FIND, &plain);
	assert_int_equal(plain.status, 200);
	assert_true(plain.len >= HTTP_GZIP_MIN);
	assert_null(rt_header(&plain, "Content-Encoding"));
	assert_true(varies(&plain));

	rt_request(t, "GET", FIND, gzip_h, NULL, 0, NULL, &gz);
	assert_int_equal(gz.status, 200);
	assert_string_equal(rt_header(&gz, "Content-Encoding"), "gzip");
	assert_true(varies(&gz));
	assert_string_equal(gz.content_type, plain.content_type);
	assert_true(gz.len < plain.len / 2);
	back = rt_gunzip(&gz, &n);
	assert_int_equal(n, plain.len);
	assert_memory_equal(back, plain.body, n);
	free(back);
	rt_resp_free(&gz);
	rt_resp_free(&plain);
}

static void refused_or_absent_means_plain(void **state)
{
	static const char *const refusals[] = {
		"Accept-Encoding: gzip;q=0",
		"Accept-Encoding: gzip; q=0.000, deflate",
		"Accept-Encoding: *, gzip;q=0",
		"Accept-Encoding: identity",
		"Accept-Encoding: br, deflate",
		"Accept-Encoding: *;q=0",
		"Accept-Encoding: gzip;q=2",
		"Accept-Encoding: ",
	};
	struct rt_resp r;

	rt_get(*state, FIND, &r);
	assert_null(rt_header(&r, "Content-Encoding"));
	rt_resp_free(&r);
	for (size_t i = 0; i < ARRAY_LEN(refusals); i++) {
		const char *h[] = { refusals[i], NULL };

		rt_request(*state, "GET", FIND, h, NULL, 0, NULL, &r);
		assert_int_equal(r.status, 200);
		if (rt_header(&r, "Content-Encoding"))
			fail_msg("compressed for %s", refusals[i]);
		assert_true(varies(&r));
		assert_non_null(strstr(r.body, "</html>"));
		rt_resp_free(&r);
	}
}

static void wildcard_and_weights_accept(void **state)
{
	static const char *const yes[] = {
		"Accept-Encoding: *",
		"Accept-Encoding: br;q=1.0, GZIP;Q=0.5",
		"Accept-Encoding: x-gzip",
		"Accept-Encoding: deflate, *;q=0.1",
	};
	struct rt_resp r;

	for (size_t i = 0; i < ARRAY_LEN(yes); i++) {
		const char *h[] = { yes[i], NULL };

		rt_request(*state, "GET", FIND, h, NULL, 0, NULL, &r);
		if (!rt_header(&r, "Content-Encoding"))
			fail_msg("not compressed for %s", yes[i]);
		rt_resp_free(&r);
	}
}

static void head_is_not_compressed(void **state)
{
	struct rt_resp r;

	rt_request(*state, "HEAD", FIND, gzip_h, NULL, 0, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_null(rt_header(&r, "Content-Encoding"));
	assert_true(varies(&r));
	rt_resp_free(&r);
}

static void json_compressed_too(void **state)
{
	const char *h[] = { "Accept-Encoding: gzip", "Accept: application/json", NULL };
	struct rt_resp r;

	rt_request(*state, "GET", "/", h, NULL, 0, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "application/json");
	if (r.len >= HTTP_GZIP_MIN)
		assert_string_equal(rt_header(&r, "Content-Encoding"), "gzip");
	rt_resp_free(&r);
}

static void small_and_static_left_alone(void **state)
{
	struct rt_resp r;

	/* /healthz is a few bytes: not worth a gzip header. */
	rt_request(*state, "GET", "/healthz", gzip_h, NULL, 0, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(r.len < HTTP_GZIP_MIN);
	assert_null(rt_header(&r, "Content-Encoding"));
	rt_resp_free(&r);
}

/* BREACH: a page with a form token beside echoed text is never
 * compressed: the sign-in form (a visitor's token), and any page of a
 * signed-in person (the sign-out form carries theirs). */
static void pages_with_a_form_token_are_not_compressed(void **state)
{
	struct rt *t = *state;
	struct rt_browser b;
	struct rt_resp r;
	int64_t pid;

	rt_request(t, "GET", "/login?next=%2Ffind", gzip_h, NULL, 0, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "csrf_token"));
	assert_null(rt_header(&r, "Content-Encoding"));
	assert_true(varies(&r));
	rt_resp_free(&r);

	pid = rt_person(t, "Pat Butcher", "pat-gz@example.org", NULL, ROLE_BIT(ROLE_MEMBER), NULL);
	rt_sign_in(t, pid, &b);
	rt_browser_request(t, &b, "GET", FIND, gzip_h, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, b.csrf));
	assert_null(rt_header(&r, "Content-Encoding"));
	rt_resp_free(&r);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, rt_setup, rt_teardown)
	const struct CMUnitTest tests[] = {
		T(compressed_when_asked_same_after_gunzip),
		T(refused_or_absent_means_plain),
		T(wildcard_and_weights_accept),
		T(head_is_not_compressed),
		T(json_compressed_too),
		T(small_and_static_left_alone),
		T(pages_with_a_form_token_are_not_compressed),
	};
#undef T

	return testdb_run_groups("compress", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
