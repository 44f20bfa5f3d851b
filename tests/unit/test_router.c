/*
 * test_router.c - pattern checking, matching, specificity, 405 masks.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/log.h"
#include "http/router.h"

static enum err h(struct request *req, struct response *resp)
{
	UNUSED(req);
	UNUSED(resp);
	return ERR_OK;
}

static enum err h2(struct request *req, struct response *resp)
{
	UNUSED(req);
	UNUSED(resp);
	return ERR_OK;
}

static const struct route routes[] = {
	{ M_GET, "/", h, &act_public, 0, NULL },
	{ M_GET, "/services/{id:uuid}", h, &act_public, 0, NULL },
	{ M_GET, "/services/new", h2, &act_public, 0, NULL },
	{ M_POST, "/services/{id:uuid}", h, &act_public, RF_FORM, NULL },
	{ M_GET, "/people/{id:int}/notes/{slug:slug}", h, &act_public, 0, NULL },
	{ M_GET, "/files/{name:file}", h, &act_public, 0, NULL },
	{ M_GET, "/tags/{tag}", h, &act_public, 0, NULL },
	{ M_DELETE, "/tags/{tag}", h, &act_public, 0, NULL },
};

static struct router *build(void)
{
	struct route_table t = { "test", routes, ARRAY_LEN(routes) };
	struct router *r = NULL;
	char err[256];

	assert_int_equal(router_new(&t, 1, &r, err, sizeof(err)), ERR_OK);
	return r;
}

static const struct route *match(struct router *r, struct arena *a, enum method m,
		const char *path, struct route_match *out)
{
	assert_int_equal(router_match(r, a, m, path, out), ERR_OK);
	return out->route;
}

static void matches_literals_and_params(void **state)
{
	struct router *r = build();
	struct arena a;
	struct route_match m;

	UNUSED(state);
	arena_init(&a);
	assert_ptr_equal(match(r, &a, M_GET, "/", &m), &routes[0]);
	assert_ptr_equal(match(r, &a, M_GET, "/services/123e4567-e89b-12d3-a456-426614174000", &m), &routes[1]);
	assert_string_equal(m.params[0].name, "id");
	assert_string_equal(m.params[0].val, "123e4567-e89b-12d3-a456-426614174000");
	assert_ptr_equal(match(r, &a, M_GET, "/services/new", &m), &routes[2]);
	assert_ptr_equal(match(r, &a, M_GET, "/people/7/notes/first-visit", &m), &routes[4]);
	assert_int_equal(m.nparams, 2);
	assert_int_equal(m.params[0].i, 7);
	assert_string_equal(m.params[1].val, "first-visit");
	assert_ptr_equal(match(r, &a, M_GET, "/files/kith.abc.css", &m), &routes[5]);
	assert_ptr_equal(match(r, &a, M_GET, "/tags/caf%C3%A9%20club", &m), &routes[6]);
	assert_string_equal(m.params[0].val, "caf\xc3\xa9 club");
	/* An id in capitals is the same id: handlers get one spelling. */
	assert_ptr_equal(match(r, &a, M_GET, "/services/6F1D2C1E-3B7A-4C55-9A51-0D3F2B8E7A10", &m),
			 &routes[1]);
	assert_string_equal(m.params[0].val, "6f1d2c1e-3b7a-4c55-9a51-0d3f2b8e7a10");
	arena_release(&a);
	router_free(r);
}

static void refuses_bad_values(void **state)
{
	struct router *r = build();
	struct arena a;
	struct route_match m;

	UNUSED(state);
	arena_init(&a);
	assert_null(match(r, &a, M_GET, "/services/not-a-uuid", &m));
	assert_int_equal(m.allowed, 0);
	assert_null(match(r, &a, M_GET, "/people/0/notes/x", &m));
	assert_null(match(r, &a, M_GET, "/people/-1/notes/x", &m));
	assert_null(match(r, &a, M_GET, "/people/9007199254740993/notes/x", &m));
	assert_null(match(r, &a, M_GET, "/people/1/notes/Upper", &m));
	assert_null(match(r, &a, M_GET, "/files/.hidden", &m));
	assert_null(match(r, &a, M_GET, "/files/a%2Fb", &m));
	assert_null(match(r, &a, M_GET, "/tags/a%2Fb", &m));      /* decoded '/' never matches */
	assert_null(match(r, &a, M_GET, "/tags/%0A", &m));
	assert_null(match(r, &a, M_GET, "/services/", &m));
	assert_null(match(r, &a, M_GET, "//", &m));
	assert_null(match(r, &a, M_GET, "/tags/x/", &m));
	assert_int_equal(router_match(r, &a, M_GET, "/tags/%G0", &m), ERR_BAD_REQUEST);
	assert_int_equal(router_match(r, &a, M_GET, "tags", &m), ERR_BAD_REQUEST);
	arena_release(&a);
	router_free(r);
}

static void methods_and_allow(void **state)
{
	struct router *r = build();
	struct arena a;
	struct route_match m;

	UNUSED(state);
	arena_init(&a);
	assert_ptr_equal(match(r, &a, M_HEAD, "/", &m), &routes[0]);
	assert_null(match(r, &a, M_POST, "/", &m));
	assert_int_equal(m.allowed, 1u << M_GET);
	assert_string_equal(router_allow_header(&a, m.allowed), "GET, HEAD");
	assert_ptr_equal(match(r, &a, M_DELETE, "/tags/x", &m), &routes[7]);
	assert_null(match(r, &a, M_PUT, "/tags/x", &m));
	assert_string_equal(router_allow_header(&a, m.allowed), "GET, HEAD, DELETE");
	assert_int_equal(router_count(r), ARRAY_LEN(routes));
	assert_ptr_equal(router_at(r, 3), &routes[3]);
	arena_release(&a);
	router_free(r);
}

static void refuse(const struct route *rt, const char *why_part)
{
	struct route_table t = { "bad", rt, 1 };
	struct router *r = NULL;
	char err[256];

	assert_int_equal(router_new(&t, 1, &r, err, sizeof(err)), ERR_INVALID);
	assert_null(r);
	assert_non_null(strstr(err, why_part));
	assert_non_null(strstr(err, "bad:"));
}

static void bad_patterns_refused(void **state)
{
	const struct route bad[] = {
		{ M_GET, "nope", h, &act_public, 0, NULL },
		{ M_GET, "/a//b", h, &act_public, 0, NULL },
		{ M_GET, "/a/", h, &act_public, 0, NULL },
		{ M_GET, "/a/{id:float}", h, &act_public, 0, NULL },
		{ M_GET, "/a/x{id}", h, &act_public, 0, NULL },
		{ M_GET, "/a/{Id}", h, &act_public, 0, NULL },
		{ M_HEAD, "/a", h, &act_public, 0, NULL },
		{ M_GET, "/a", NULL, &act_public, 0, NULL },
		{ M_POST, "/a", h, &act_public, RF_CSRF, NULL },
		{ M_GET, "/a", h, NULL, 0, NULL },
	};
	const char *why[] = { "start with /", "empty segment", "empty segment", "unknown parameter type",
			      "whole segment", "lowercase", "HEAD", "no handler", "RF_CSRF", "action" };

	UNUSED(state);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		refuse(&bad[i], why[i]);
}

static void duplicates_refused(void **state)
{
	const struct route a[] = { { M_GET, "/x/{id:int}", h, &act_public, 0, NULL } };
	const struct route b[] = { { M_GET, "/x/{slug:slug}", h, &act_public, 0, NULL } };
	struct route_table t[] = { { "first", a, 1 }, { "second", b, 1 } };
	struct router *r = NULL;
	char err[256];

	UNUSED(state);
	assert_int_equal(router_new(t, 2, &r, err, sizeof(err)), ERR_INVALID);
	assert_non_null(strstr(err, "second"));
	assert_non_null(strstr(err, "duplicates"));
}

/* Links are built from names: parameters filled in order and encoded, a
 * wrong count or an unknown name gives nothing, and one name is one path. */
static void urls_from_names(void **state)
{
	const struct route a[] = {
		{ M_GET, "/people/{id:int}/notes/{slug:slug}", h, &act_public, 0, "people.note" },
		{ M_POST, "/people/{id:int}/notes/{slug:slug}", h2, &act_public, RF_FORM, "people.note" },
		{ M_GET, "/find", h, &act_public, 0, "find" },
	};
	const struct route clash[] = {
		{ M_GET, "/find", h, &act_public, 0, "find" },
		{ M_GET, "/search", h2, &act_public, 0, "find" },
	};
	struct route_table t = { "test", a, ARRAY_LEN(a) }, tc = { "clash", clash, ARRAY_LEN(clash) };
	const char *args[] = { "42", "a b/c?" };
	struct router *r = NULL;
	struct arena ar;
	char err[256];

	UNUSED(state);
	arena_init(&ar);
	assert_int_equal(router_new(&t, 1, &r, err, sizeof(err)), ERR_OK);
	assert_string_equal(router_url(r, &ar, "people.note", args, 2), "/people/42/notes/a%20b%2Fc%3F");
	assert_string_equal(router_url(r, &ar, "find", NULL, 0), "/find");
	log_set_quiet(1);
	assert_null(router_url(r, &ar, "people.note", args, 1));
	assert_null(router_url(r, &ar, "find", args, 1));
	assert_null(router_url(r, &ar, "nowhere", NULL, 0));
	log_set_quiet(0);
	router_free(r);
	r = NULL;
	assert_int_equal(router_new(&tc, 1, &r, err, sizeof(err)), ERR_INVALID);
	assert_non_null(strstr(err, "a name is one path"));
	arena_release(&ar);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matches_literals_and_params),
		cmocka_unit_test(refuses_bad_values),
		cmocka_unit_test(methods_and_allow),
		cmocka_unit_test(bad_patterns_refused),
		cmocka_unit_test(duplicates_refused),
		cmocka_unit_test(urls_from_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
