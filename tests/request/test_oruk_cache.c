/*
 * test_oruk_cache.c - the ORUK API's answer cache (oruk_web.c,
 * web/respcache.h) through the dispatcher, on SQLite and (with
 * KITH_TEST_PG_URL) PostgreSQL: a cached answer is byte for byte the one
 * made fresh, with the same headers; equivalent queries share an entry
 * and different ones never collide; a refused query makes no entry;
 * publishing, editing and archiving a service are seen on the very next
 * request, by lists and by the single service; ETag and If-None-Match
 * answer 304; and a small cache stays within its bounds.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "directory/directory.h"
#include "web/respcache.h"
#include "support/cast.h"
#include "support/reqtest.h"

struct fx {
	struct rt *t;
	RT_CAST_MEMBERS;
	char walk[37], lunch[37], swim[37];
};

static struct fx *fixture(void **state, const char *const *settings)
{
	struct fx *x = rt_fixture(state, sizeof(*x), settings);

	if (!x)
		return NULL;
	rt_cast(x->t, &x->cast, RT_CAST_OLU | RT_CAST_CORA | RT_CAST_BROWSERS);
	rt_service(x->t, RT_ORG_A, "Tuesday Health Walk", SVC_PUBLISHED, x->walk);
	rt_service(x->t, RT_ORG_A, "Wednesday Walk and Lunch", SVC_PUBLISHED, x->lunch);
	rt_service(x->t, RT_ORG_B, "Thursday Walk to the Pool", SVC_DRAFT, x->swim);
	return x;
}

static int setup(void **state)
{
	return fixture(state, NULL) ? 0 : -1;
}

/* Room for two answers only. */
static int setup_small(void **state)
{
	static const char *const small[] = { "rate_limit=0", "dev_mode=true", "oruk_cache_entries=2", NULL };

	return fixture(state, small) ? 0 : -1;
}

static int teardown(void **state)
{
	return rt_fixture_free(state);
}

static struct respcache_stats stats(struct rt *t)
{
	struct respcache_stats st;

	respcache_stats(t->app.oruk_cache, &st);
	return st;
}

/* The answer to target made now without the cache (it is put back after). */
static void fresh(struct rt *t, const char *target, struct rt_resp *r)
{
	struct respcache *c = t->app.oruk_cache;

	t->app.oruk_cache = NULL;
	rt_get_want(t, target, NULL, 200, r);
	t->app.oruk_cache = c;
}

static void same(const struct rt_resp *a, const struct rt_resp *b)
{
	assert_int_equal(a->status, b->status);
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->body, b->body, a->len);
	assert_string_equal(a->content_type, b->content_type);
	assert_string_equal(rt_header(a, "ETag"), rt_header(b, "ETag"));
	if (rt_header(a, "X-Total-Count") || rt_header(b, "X-Total-Count"))
		assert_string_equal(rt_header(a, "X-Total-Count"), rt_header(b, "X-Total-Count"));
	assert_string_equal(rt_header(a, "Access-Control-Allow-Origin"), "*");
	assert_string_equal(rt_header(b, "Access-Control-Allow-Origin"), "*");
}

/* A second asking is a hit whose bytes and headers are the first's and a
 * fresh answer's. */
static void hit_is_fresh_bytes(struct rt *t, const char *target)
{
	struct rt_resp a, b, f;
	uint64_t hits;

	rt_get_want(t, target, NULL, 200, &a);
	hits = stats(t).hits;
	rt_get_want(t, target, NULL, 200, &b);
	assert_int_equal(stats(t).hits, hits + 1);
	fresh(t, target, &f);
	same(&a, &b);
	same(&b, &f);
	rt_resp_free(&a);
	rt_resp_free(&b);
	rt_resp_free(&f);
}

static bool lists(struct rt *t, const char *target, const char *name)
{
	struct rt_resp r;
	bool has;

	rt_get_want(t, target, NULL, 200, &r);
	has = rt_has(&r, name);
	rt_resp_free(&r);
	return has;
}

/* ---------------------------------------------------------------- tests */

static void cached_answers_are_the_fresh_bytes(void **state)
{
	struct fx *x = *state;
	char one[96];

	assert_non_null(x->t->app.oruk_cache);
	hit_is_fresh_bytes(x->t, "/api/oruk/services?search=walk&per_page=5");
	hit_is_fresh_bytes(x->t, "/api/oruk/services");
	hit_is_fresh_bytes(x->t, "/api/oruk/services?format=ndjson&minimal=true");
	hit_is_fresh_bytes(x->t, "/api/oruk/services?full=true&postcode=DN15+6XX&proximity=20000");
	snprintf(one, sizeof(one), "/api/oruk/services/%s", x->walk);
	hit_is_fresh_bytes(x->t, one);
}

static void equivalent_queries_share_and_others_do_not_collide(void **state)
{
	struct fx *x = *state;
	struct rt_resp a, b;
	size_t n;

	rt_get_want(x->t, "/api/oruk/services?search=walk&per_page=1", NULL, 200, &a);
	n = stats(x->t).entries;
	/* Another order, an empty value, a parameter ORUK does not list: the
	 * same query, the same entry. */
	rt_get_want(x->t, "/api/oruk/services?per_page=1&taxonomy_id=&search=walk&utm_source=x", NULL, 200, &b);
	assert_int_equal(stats(x->t).entries, n);
	same(&a, &b);
	rt_resp_free(&b);
	/* Each of these is a different answer, and each is its own. */
	static const char *const others[] = {
		"/api/oruk/services?search=walk&per_page=1&page=2",
		"/api/oruk/services?search=walk&per_page=2",
		"/api/oruk/services?search=lunch&per_page=1",
		"/api/oruk/services?search=walk&per_page=1&format=ndjson",
		"/api/oruk/services?search=walk&per_page=1&minimal=true",
		"/api/oruk/services?search=walk&per_page=1&full=true",
		"/api/oruk/services?search=walk&per_page=1&organization_id=" RT_ORG_B,
		"/api/oruk/services?search=walk&per_page=1&postcode=SW1A+1AA&proximity=1000",
	};
	for (size_t i = 0; i < ARRAY_LEN(others); i++) {
		struct rt_resp c, f;

		rt_get_want(x->t, others[i], NULL, 200, &c);
		rt_get_want(x->t, others[i], NULL, 200, &b);     /* the hit */
		fresh(x->t, others[i], &f);
		same(&c, &b);
		same(&b, &f);
		if (c.len == a.len && memcmp(c.body, a.body, a.len) == 0 &&
		    strcmp(c.content_type, a.content_type) == 0)
			fail_msg("%s answered what per_page=1 did", others[i]);
		rt_resp_free(&b);
		rt_resp_free(&c);
		rt_resp_free(&f);
	}
	assert_int_equal(stats(x->t).entries, n + ARRAY_LEN(others));
	rt_resp_free(&a);
}

static void refused_queries_make_no_entry(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char target[96];
	size_t n = stats(x->t).entries;

	rt_get_want(x->t, "/api/oruk/services?per_page=abc", NULL, 400, &r);
	rt_resp_free(&r);
	rt_get_want(x->t, "/api/oruk/services?postcode=NOTAPOSTCODE", NULL, 400, &r);
	rt_resp_free(&r);
	rt_get_want(x->t, "/api/oruk/services?page=0&search=walk", NULL, 400, &r);
	rt_resp_free(&r);
	snprintf(target, sizeof(target), "/api/oruk/services/%s", x->swim);   /* a draft */
	rt_get_want(x->t, target, NULL, 404, &r);
	rt_resp_free(&r);
	rt_get_want(x->t, "/api/oruk/services/0f8fad5b-d9cb-469f-a165-70867728950e", NULL, 404, &r);
	rt_resp_free(&r);
	assert_int_equal(stats(x->t).entries, n);
}

static void directory_changes_are_seen_at_once(void **state)
{
	struct fx *x = *state;
	const char *list = "/api/oruk/services?search=walk&per_page=10";
	char target[128], one[96];
	struct rt_resp r;

	snprintf(one, sizeof(one), "/api/oruk/services/%s", x->walk);
	/* Cached, twice over. */
	assert_false(lists(x->t, list, "Thursday Walk to the Pool"));
	assert_false(lists(x->t, list, "Thursday Walk to the Pool"));
	assert_true(lists(x->t, one, "Tuesday Health Walk"));
	assert_true(lists(x->t, one, "Tuesday Health Walk"));

	/* Published: in the very next list. */
	snprintf(target, sizeof(target), "/manage/services/%s/publish", x->swim);
	rt_browser_post_is(x->t, &x->coord, target, NULL, 303, NULL);
	assert_true(lists(x->t, list, "Thursday Walk to the Pool"));
	hit_is_fresh_bytes(x->t, list);

	/* Edited: renamed in the next list and the next single answer. */
	snprintf(target, sizeof(target), "/manage/services/%s/edit", x->walk);
	rt_browser_post(x->t, &x->own, target,
		"name=Tuesday+Health+Walk+and+Talk&description=A+walk+then+a+cuppa.&categories=walking"
		"&sched0_kind=weekly&sched0_weekday=1&sched0_opens=10%3A30&in_person=1"
		"&address_1=1+Park+Road&town=Scunthorpe&postcode=DN15+6XX&free=yes&join=turn-up", &r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	assert_true(lists(x->t, list, "Tuesday Health Walk and Talk"));
	assert_true(lists(x->t, one, "Tuesday Health Walk and Talk"));
	hit_is_fresh_bytes(x->t, one);

	/* Archived: gone from both at once. */
	snprintf(target, sizeof(target), "/manage/services/%s/archive", x->walk);
	rt_browser_post_is(x->t, &x->coord, target, "confirm=yes", 303, NULL);
	assert_false(lists(x->t, list, "Tuesday Health Walk"));
	rt_get_want(x->t, one, NULL, 404, &r);
	rt_resp_free(&r);
	hit_is_fresh_bytes(x->t, list);
}

static void etag_and_if_none_match(void **state)
{
	struct fx *x = *state;
	const char *target = "/api/oruk/services?search=walk";
	struct rt_resp a, b;
	char inm[256];
	const char *hdrs[] = { inm, NULL };

	rt_get_want(x->t, target, NULL, 200, &a);
	assert_non_null(rt_header(&a, "ETag"));
	assert_string_equal(rt_header(&a, "Cache-Control"), "no-cache");
	/* Named: 304 with the tag and no body, from the cache or not. */
	for (int cached = 0; cached < 2; cached++) {
		struct respcache *c = x->t->app.oruk_cache;

		if (!cached)
			x->t->app.oruk_cache = NULL;
		snprintf(inm, sizeof(inm), "If-None-Match: \"nope\", %s", rt_header(&a, "ETag"));
		rt_request(x->t, "GET", target, hdrs, NULL, 0, NULL, &b);
		x->t->app.oruk_cache = c;
		assert_int_equal(b.status, 304);
		assert_int_equal(b.len, 0);
		assert_string_equal(rt_header(&b, "ETag"), rt_header(&a, "ETag"));
		rt_resp_free(&b);
	}
	/* Gzipped, an answer is other bytes: its tag is the weak form of the
	 * same tag, and naming that gets the 304 too. */
	{
		const char *gz[] = { "Accept-Encoding: gzip", NULL };
		struct rt_resp plain;
		char weak[160], whole[80];

		snprintf(whole, sizeof(whole), "/api/oruk/services/%s", x->walk);

		rt_get_want(x->t, whole, NULL, 200, &plain);
		assert_true(plain.len >= 1024);
		rt_request(x->t, "GET", whole, gz, NULL, 0, NULL, &b);
		assert_int_equal(b.status, 200);
		assert_string_equal(rt_header(&b, "Content-Encoding"), "gzip");
		snprintf(weak, sizeof(weak), "W/%s", rt_header(&plain, "ETag"));
		assert_string_equal(rt_header(&b, "ETag"), weak);
		rt_resp_free(&b);
		snprintf(inm, sizeof(inm), "If-None-Match: %s", weak);
		rt_request(x->t, "GET", whole, hdrs, NULL, 0, NULL, &b);
		assert_int_equal(b.status, 304);
		rt_resp_free(&b);
		rt_resp_free(&plain);
	}
	/* Another tag: the whole answer. */
	snprintf(inm, sizeof(inm), "If-None-Match: \"0123\"");
	rt_request(x->t, "GET", target, hdrs, NULL, 0, NULL, &b);
	assert_int_equal(b.status, 200);
	same(&a, &b);
	rt_resp_free(&b);
	/* After a change the old tag no longer matches. */
	snprintf(inm, sizeof(inm), "If-None-Match: %s", rt_header(&a, "ETag"));
	{
		char pub[128];

		snprintf(pub, sizeof(pub), "/manage/services/%s/publish", x->swim);
		rt_browser_post_is(x->t, &x->coord, pub, NULL, 303, NULL);
	}
	rt_request(x->t, "GET", target, hdrs, NULL, 0, NULL, &b);
	assert_int_equal(b.status, 200);
	assert_string_not_equal(rt_header(&b, "ETag"), rt_header(&a, "ETag"));
	rt_resp_free(&b);
	rt_resp_free(&a);
}

static void a_small_cache_stays_bounded(void **state)
{
	struct fx *x = *state;
	struct respcache_stats st;
	char target[96];

	for (int i = 1; i <= 12; i++) {
		struct rt_resp r;

		snprintf(target, sizeof(target), "/api/oruk/services?per_page=%d", i);
		rt_get_want(x->t, target, NULL, 200, &r);
		rt_resp_free(&r);
		st = stats(x->t);
		assert_true(st.entries <= 2);
	}
	assert_true(st.evictions >= 10);
	/* What is left still answers right. */
	hit_is_fresh_bytes(x->t, "/api/oruk/services?per_page=12");
}

static void off_when_set_to_zero(void **state)
{
	static const char *const off[] = { "rate_limit=0", "oruk_cache_mb=0", NULL };
	struct rt *t = rt_new_like(((struct fx *)*state)->t, off);
	struct rt_resp r;

	assert_non_null(t);
	assert_null(t->app.oruk_cache);
	rt_get_want(t, "/api/oruk/services?search=walk", NULL, 200, &r);
	assert_non_null(rt_header(&r, "ETag"));
	rt_resp_free(&r);
	rt_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(cached_answers_are_the_fresh_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(equivalent_queries_share_and_others_do_not_collide, setup, teardown),
		cmocka_unit_test_setup_teardown(refused_queries_make_no_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(directory_changes_are_seen_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(etag_and_if_none_match, setup, teardown),
		cmocka_unit_test_setup_teardown(a_small_cache_stays_bounded, setup_small, teardown),
		cmocka_unit_test_setup_teardown(off_when_set_to_zero, setup, teardown),
	};

	return testdb_run_groups("oruk cache", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
