/*
 * test_foundation.c - request tests for the dispatcher and the pages that
 * exist from the start: routing, errors (HTML and problem+json), security
 * headers, HEAD, OPTIONS/CORS, body types, CSRF, rate limits, the database
 * being down, assets, health and metrics. Each runs on SQLite and, when
 * KITH_TEST_PG_URL is set, on PostgreSQL.
 *
 * A test-only feature adds routes that reach every error path of the
 * dispatcher (a JSON route, a form route with CSRF, a CORS route, a
 * handler that fails), so those paths are tested before real features use
 * them.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "app/features.h"
#include "core/log.h"
#include "http/router.h"
#include "support/reqtest.h"
#include "web/view.h"

/* ---- test-only routes ---- */

static enum err t_json(struct request *req, struct response *resp)
{
	json_t *name = json_object_get(req->json, "name");

	if (!json_is_string(name) || json_string_length(name) == 0)
		return req_fail_fields(req, "Check the fields below.",
				       json_pack("[{s:s, s:s}]", "field", "name", "detail", "Enter a name"));
	return view_json(req, resp, 201, json_pack("{s:O}", "name", name));
}

static enum err t_form(struct request *req, struct response *resp)
{
	return view_json(req, resp, 200, json_pack("{s:s?}", "got", req_form(req, "x")));
}

static enum err t_boom(struct request *req, struct response *resp)
{
	UNUSED(resp);
	return req_fail(req, ERR_INTERNAL, "secret internal detail /etc/passwd");
}

static enum err t_cors(struct request *req, struct response *resp)
{
	return view_json(req, resp, 200, json_pack("{s:b}", "ok", 1));
}

static enum err t_db(struct request *req, struct response *resp)
{
	return view_json(req, resp, 200, json_pack("{s:b}", "db", req->db != NULL));
}

static enum err t_param(struct request *req, struct response *resp)
{
	return view_json(req, resp, 200, json_pack("{s:I}", "id", (json_int_t)req_param(req, "id")->i));
}

static const struct route test_routes[] = {
	{ M_POST, "/api/test/json", t_json, &act_public, RF_JSON, NULL },
	{ M_POST, "/test/form", t_form, &act_public, RF_FORM | RF_CSRF, NULL },
	{ M_GET, "/test/boom", t_boom, &act_public, 0, NULL },
	{ M_GET, "/api/test/cors", t_cors, &act_public, RF_CORS, NULL },
	{ M_GET, "/api/test/db", t_db, &act_public, 0, NULL },
	{ M_GET, "/api/test/items/{id:int}", t_param, &act_public, 0, NULL },
};
static const struct feature test_feature = {
	.name = "test", .routes = test_routes, .nroutes = ARRAY_LEN(test_routes),
};
static const struct feature *const extra[] = { &test_feature };

/* ---- fixtures ---- */

static int setup(void **state)
{
	const char *const settings[] = { "rate_limit=0", NULL };
	struct rt *t = rt_new_extra(*state, settings, extra, 1);

	if (!t)
		return -1;
	*state = t;
	return 0;
}

/* ---- tests ---- */

static void home_page_is_html_in_layout(void **state)
{
	struct rt_resp r;

	rt_get(*state, "/", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "text/html; charset=utf-8");
	assert_true(rt_has(&r, "<html lang=\"en\""));
	assert_true(rt_has(&r, "href=\"#main-content\""));
	assert_true(rt_has(&r, "id=\"main-content\""));
	assert_true(rt_has(&r, "/accessibility"));
	assert_true(rt_has(&r, "/privacy"));
	rt_resp_free(&r);
}

static void security_headers_on_every_response(void **state)
{
	const char *paths[] = { "/", "/no-such-page", "/api/nope", "/healthz" };

	for (size_t i = 0; i < ARRAY_LEN(paths); i++) {
		struct rt_resp r;
		const char *csp;

		rt_get(*state, paths[i], &r);
		csp = rt_header(&r, "Content-Security-Policy");
		assert_non_null(csp);
		assert_non_null(strstr(csp, "frame-ancestors 'none'"));
		assert_null(strstr(csp, "unsafe-inline"));
		assert_string_equal(rt_header(&r, "X-Content-Type-Options"), "nosniff");
		assert_non_null(rt_header(&r, "Referrer-Policy"));
		assert_non_null(rt_header(&r, "Permissions-Policy"));
		assert_int_equal(strlen(rt_header(&r, "X-Request-Id")), 16);
		assert_null(rt_header(&r, "Strict-Transport-Security"));
		rt_resp_free(&r);
	}
}

static void hsts_only_behind_tls(void **state)
{
	struct rt t;
	struct rt_resp r;
	const char *const settings[] = { "behind_tls=true", NULL };

	UNUSED(state);
	assert_true(rt_start_with(&t, NULL, settings));
	rt_get(&t, "/", &r);
	assert_non_null(rt_header(&r, "Strict-Transport-Security"));
	rt_resp_free(&r);
	rt_stop(&t);
}

static void head_answers_like_get(void **state)
{
	struct rt_resp r;

	rt_request(*state, "HEAD", "/accessibility", NULL, NULL, 0, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "text/html; charset=utf-8");
	rt_resp_free(&r);
}

static void page_answers_json_when_asked(void **state)
{
	struct rt_resp r;
	const char *h[] = { "Accept: application/json", NULL };

	rt_request(*state, "GET", "/", h, NULL, 0, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "application/json");
	assert_true(rt_has(&r, "\"site_name\""));
	rt_resp_free(&r);
}

static void not_found_page_and_problem(void **state)
{
	struct rt_resp r;

	rt_get(*state, "/no-such-page", &r);
	assert_int_equal(r.status, 404);
	assert_string_equal(r.content_type, "text/html; charset=utf-8");
	assert_true(rt_has(&r, "<html lang=\"en\""));
	assert_true(rt_has(&r, "Page not found"));
	assert_true(rt_has(&r, "check it is correct"));
	rt_resp_free(&r);

	rt_get(*state, "/api/v9/nothing", &r);
	assert_int_equal(r.status, 404);
	assert_string_equal(r.content_type, "application/problem+json");
	assert_true(rt_has(&r, "\"type\":\"/problems/not-found\""));
	assert_true(rt_has(&r, "\"status\":404"));
	assert_true(rt_has(&r, "\"title\":"));
	assert_true(rt_has(&r, "\"detail\":"));
	rt_resp_free(&r);
}

static void trailing_slash_and_bad_escape(void **state)
{
	struct rt_resp r;

	rt_get(*state, "/accessibility/", &r);
	assert_int_equal(r.status, 404);
	rt_resp_free(&r);
	rt_get(*state, "/acc%ZZessibility", &r);
	assert_int_equal(r.status, 400);
	rt_resp_free(&r);
	rt_get(*state, "/assets/..%2F..%2Fetc%2Fpasswd", &r);
	assert_int_equal(r.status, 404);
	rt_resp_free(&r);
}

/* A query or cookie header that cannot be read is refused, not dropped
 * whole: a dropped "?status=a%00b" would read as no filter and list every
 * status. */
static void malformed_query_and_cookies_refused(void **state)
{
	static const char *const bad[] = {
		"/find?q=a%00b", "/find?q=%zz", "/find?q=%ff%fe", "/api/v1/referrals?status=a%00b",
	};
	struct buf many;
	struct rt_resp r;

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		rt_get(*state, bad[i], &r);
		assert_int_equal(r.status, 400);
		rt_resp_free(&r);
	}
	rt_get(*state, "/find?q=a%00b", &r);
	assert_true(rt_has(&r, "NUL byte or control character"));
	rt_resp_free(&r);
	/* 257 fields: too many (413, as docs/THREATS.md says). */
	buf_init(&many, 8192);
	buf_adds(&many, "/find?q=walk");
	for (int i = 0; i < 256; i++)
		buf_addf(&many, "&f%d=1", i);
	rt_get(*state, many.p, &r);
	assert_int_equal(r.status, 413);
	rt_resp_free(&r);
	/* 33 cookies: too many. */
	buf_reset(&many);
	buf_adds(&many, "Cookie: ");
	for (int i = 0; i < 33; i++)
		buf_addf(&many, "%sc%d=1", i ? "; " : "", i);
	{
		const char *hdrs[] = { many.p, NULL };

		rt_request(*state, "GET", "/", hdrs, NULL, 0, NULL, &r);
		assert_int_equal(r.status, 413);
		rt_resp_free(&r);
	}
	buf_release(&many);
	/* What is well formed still works. */
	rt_get(*state, "/find?q=walk%20group&postcode=", &r);
	assert_int_equal(r.status, 200);
	rt_resp_free(&r);
}

static void method_not_allowed_says_allow(void **state)
{
	struct rt_resp r;

	rt_request(*state, "POST", "/", NULL, NULL, 0, NULL, &r);
	assert_int_equal(r.status, 405);
	assert_string_equal(rt_header(&r, "Allow"), "GET, HEAD");
	rt_resp_free(&r);
	rt_request(*state, "DELETE", "/api/test/json", NULL, NULL, 0, NULL, &r);
	assert_int_equal(r.status, 405);
	assert_string_equal(rt_header(&r, "Allow"), "POST");
	assert_string_equal(r.content_type, "application/problem+json");
	rt_resp_free(&r);
}

static void options_only_where_cors(void **state)
{
	struct rt_resp r;

	rt_request(*state, "OPTIONS", "/api/test/cors", NULL, NULL, 0, NULL, &r);
	assert_int_equal(r.status, 204);
	assert_string_equal(rt_header(&r, "Access-Control-Allow-Origin"), "*");
	assert_non_null(rt_header(&r, "Access-Control-Allow-Methods"));
	rt_resp_free(&r);
	rt_get(*state, "/api/test/cors", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(rt_header(&r, "Access-Control-Allow-Origin"), "*");
	rt_resp_free(&r);
	rt_request(*state, "OPTIONS", "/", NULL, NULL, 0, NULL, &r);
	assert_int_equal(r.status, 405);
	assert_null(rt_header(&r, "Access-Control-Allow-Origin"));
	rt_resp_free(&r);
}

static void json_bodies(void **state)
{
	struct rt_resp r;

	rt_post(*state, "/api/test/json", "application/json", "{\"name\":\"Ann\"}", &r);
	assert_int_equal(r.status, 201);
	assert_true(rt_has(&r, "\"name\":\"Ann\""));
	rt_resp_free(&r);

	rt_post(*state, "/api/test/json", "application/json; charset=utf-8", "{\"name\":", &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(r.content_type, "application/problem+json");
	assert_true(rt_has(&r, "JSON"));
	rt_resp_free(&r);

	rt_post(*state, "/api/test/json", "text/plain", "name=Ann", &r);
	assert_int_equal(r.status, 415);
	assert_true(rt_has(&r, "application/json"));
	rt_resp_free(&r);

	rt_post(*state, "/api/test/json", "application/json", "{\"name\":\"\"}", &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "\"errors\":[{\"field\":\"name\",\"detail\":\"Enter a name\"}]"));
	rt_resp_free(&r);
}

static void json_depth_is_bounded(void **state)
{
	struct rt_resp r;
	char body[LIMIT_JSON_DEPTH * 2 + 8];
	size_t n = 0;

	for (int i = 0; i < LIMIT_JSON_DEPTH + 1; i++)
		body[n++] = '[';
	for (int i = 0; i < LIMIT_JSON_DEPTH + 1; i++)
		body[n++] = ']';
	body[n] = '\0';
	rt_post(*state, "/api/test/json", "application/json", body, &r);
	assert_true(r.status == 400 || r.status == 413);
	rt_resp_free(&r);
}

static void csrf_refused_without_session(void **state)
{
	struct rt_resp r;

	rt_post(*state, "/test/form", "application/x-www-form-urlencoded", "x=1&csrf_token=abc", &r);
	assert_int_equal(r.status, 403);
	assert_string_equal(r.content_type, "text/html; charset=utf-8");
	assert_true(rt_has(&r, "reload the page"));
	rt_resp_free(&r);
}

static void internal_errors_hide_detail(void **state)
{
	struct rt_resp r;

	log_set_quiet(1);
	rt_get(*state, "/test/boom", &r);
	log_set_quiet(0);
	assert_int_equal(r.status, 500);
	assert_false(rt_has(&r, "secret"));
	assert_false(rt_has(&r, "/etc/passwd"));
	assert_true(rt_has(&r, rt_header(&r, "X-Request-Id")));
	rt_resp_free(&r);
}

static void typed_params(void **state)
{
	struct rt_resp r;

	rt_get(*state, "/api/test/items/42", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "\"id\":42"));
	rt_resp_free(&r);
	rt_get(*state, "/api/test/items/042", &r);
	assert_int_equal(r.status, 404);
	rt_resp_free(&r);
	rt_get(*state, "/api/test/items/abc", &r);
	assert_int_equal(r.status, 404);
	rt_resp_free(&r);
	rt_get(*state, "/api/test/items/99999999999999999999", &r);
	assert_int_equal(r.status, 404);
	rt_resp_free(&r);
}

static void long_url_is_414(void **state)
{
	char *url = malloc(LIMIT_URL_BYTES + 64);
	struct rt_resp r;

	memcpy(url, "/?q=", 4);
	memset(url + 4, 'a', LIMIT_URL_BYTES + 10);
	url[LIMIT_URL_BYTES + 14] = '\0';
	rt_get(*state, url, &r);
	assert_int_equal(r.status, 414);
	rt_resp_free(&r);
	free(url);
}

static void rate_limit_says_when(void **state)
{
	struct rt t;
	struct rt_resp r;
	const char *const settings[] = { "rate_limit=4", NULL };
	int codes[6];

	UNUSED(state);
	assert_true(rt_start_with(&t, NULL, settings));
	for (int i = 0; i < 6; i++) {
		rt_request(&t, "GET", "/accessibility", NULL, NULL, 0, "192.0.2.7", &r);
		codes[i] = r.status;
		if (r.status == 429) {
			assert_non_null(rt_header(&r, "Retry-After"));
			assert_true(rt_has(&r, "Wait a minute"));
		}
		rt_resp_free(&r);
	}
	assert_int_equal(codes[0], 200);
	assert_int_equal(codes[5], 429);
	/* Another address has its own budget. */
	rt_request(&t, "GET", "/accessibility", NULL, NULL, 0, "192.0.2.8", &r);
	assert_int_equal(r.status, 200);
	rt_resp_free(&r);
	rt_stop(&t);
}

static void no_database_is_503(void **state)
{
	struct rt t;
	struct rt_resp r;

	UNUSED(state);
	assert_true(rt_start_extra(&t, NULL, NULL, extra, 1));
	rt_get(&t, "/api/test/db", &r);
	assert_int_equal(r.status, 503);
	assert_non_null(rt_header(&r, "Retry-After"));
	rt_resp_free(&r);
	rt_get(&t, "/healthz", &r);
	assert_int_equal(r.status, 503);
	assert_true(rt_has(&r, "\"status\":\"unavailable\""));
	rt_resp_free(&r);
	/* Pages that need no database still work. */
	rt_get(&t, "/", &r);
	assert_int_equal(r.status, 200);
	rt_resp_free(&r);
	rt_stop(&t);
}

static void healthz_ok(void **state)
{
	struct rt_resp r;

	rt_get(*state, "/healthz", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "{\"status\":\"ok\"}");
	rt_resp_free(&r);
	rt_get(*state, "/api/test/db", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "\"db\":true"));
	rt_resp_free(&r);
}

static void metrics_local_only(void **state)
{
	struct rt_resp r;
	const char *fwd[] = { "X-Forwarded-For: 198.51.100.4", NULL };

	rt_get(*state, "/", &r);
	rt_resp_free(&r);
	rt_get(*state, "/metrics", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "kith_http_requests_total{route=\"/\",method=\"GET\",status=\"200\"}"));
	assert_true(rt_has(&r, "kith_http_request_duration_seconds_bucket"));
	rt_resp_free(&r);
	rt_request(*state, "GET", "/metrics", NULL, NULL, 0, "203.0.113.9", &r);
	assert_int_equal(r.status, 401);
	rt_resp_free(&r);
	rt_request(*state, "GET", "/metrics", fwd, NULL, 0, NULL, &r);
	assert_int_equal(r.status, 401);
	rt_resp_free(&r);
}

static void assets_are_hashed_cached_and_compressed(void **state)
{
	struct rt_resp home, r;
	char url[256];
	const char *p, *q;
	const char *gz[] = { "Accept-Encoding: gzip, deflate", NULL };
	char inm[128];
	const char *cond[] = { inm, NULL };

	rt_get(*state, "/", &home);
	p = strstr(home.body, "/assets/kith.");
	assert_non_null(p);
	q = strchr(p, '"');
	assert_non_null(q);
	snprintf(url, sizeof(url), "%.*s", (int)(q - p), p);
	rt_resp_free(&home);

	rt_get(*state, url, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "text/css; charset=utf-8");
	assert_non_null(strstr(rt_header(&r, "Cache-Control"), "immutable"));
	assert_null(rt_header(&r, "Content-Encoding"));
	snprintf(inm, sizeof(inm), "If-None-Match: %s", rt_header(&r, "ETag"));
	size_t plain = r.len;
	rt_resp_free(&r);

	rt_request(*state, "GET", url, gz, NULL, 0, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(rt_header(&r, "Content-Encoding"), "gzip");
	assert_true(r.len < plain);
	rt_resp_free(&r);

	rt_request(*state, "GET", url, cond, NULL, 0, NULL, &r);
	assert_int_equal(r.status, 304);
	rt_resp_free(&r);

	rt_get(*state, "/assets/kith.000000000000.css", &r);
	assert_int_equal(r.status, 404);
	rt_resp_free(&r);
}

static void problem_type_pages(void **state)
{
	struct rt_resp r;

	rt_get(*state, "/problems/not-found", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "404"));
	rt_resp_free(&r);
	rt_get(*state, "/problems/no-such-problem", &r);
	assert_int_equal(r.status, 404);
	rt_resp_free(&r);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, rt_teardown)
	const struct CMUnitTest tests[] = {
		T(home_page_is_html_in_layout),
		T(security_headers_on_every_response),
		T(hsts_only_behind_tls),
		T(head_answers_like_get),
		T(page_answers_json_when_asked),
		T(not_found_page_and_problem),
		T(trailing_slash_and_bad_escape),
		T(malformed_query_and_cookies_refused),
		T(method_not_allowed_says_allow),
		T(options_only_where_cors),
		T(json_bodies),
		T(json_depth_is_bounded),
		T(csrf_refused_without_session),
		T(internal_errors_hide_detail),
		T(typed_params),
		T(long_url_is_414),
		T(rate_limit_says_when),
		T(no_database_is_503),
		T(healthz_ok),
		T(metrics_local_only),
		T(assets_are_hashed_cached_and_compressed),
		T(problem_type_pages),
	};
#undef T

	return testdb_run_groups("foundation", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
