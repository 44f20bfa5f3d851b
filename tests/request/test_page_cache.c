/*
 * test_page_cache.c - visitors' finished pages (directory_web.c,
 * web/cached.h, issue 10) through the dispatcher, on SQLite and (with
 * KITH_TEST_PG_URL) PostgreSQL: the find, service and organisation pages a
 * visitor is shown again are byte for byte the pages made fresh, and ask
 * nothing of the database; a signed-in person's page is never kept nor
 * shown to anyone else; publishing, editing and archiving are seen on the
 * very next page; the gzip is made once and unzips to the same page; a new
 * day makes the page again; refusals and missing pages are not kept; the
 * page and its JSON are kept apart; and 0 turns the cache off.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "directory/directory.h"
#include "core/timeutil.h"
#include "store/store.h"
#include "web/respcache.h"
#include "support/cast.h"
#include "support/reqtest.h"

struct fx {
	struct rt *t;
	RT_CAST_MEMBERS;
	char walk[37], swim[37];
	char find[64], service[64], org[64];
};

static int setup(void **state)
{
	struct fx *x = rt_fixture(state, sizeof(*x), NULL);

	if (!x)
		return -1;
	rt_cast(x->t, &x->cast, RT_CAST_OLU | RT_CAST_CORA | RT_CAST_BROWSERS);
	rt_service(x->t, RT_ORG_A, "Tuesday Health Walk", SVC_PUBLISHED, x->walk);
	rt_service(x->t, RT_ORG_B, "Thursday Walk to the Pool", SVC_DRAFT, x->swim);
	snprintf(x->find, sizeof(x->find), "/find?q=walk");
	snprintf(x->service, sizeof(x->service), "/services/%s", x->walk);
	snprintf(x->org, sizeof(x->org), "/organisations/%s", RT_ORG_A);
	return 0;
}

static int teardown(void **state)
{
	return rt_fixture_free(state);
}

static struct respcache_stats stats(struct rt *t)
{
	struct respcache_stats st;

	respcache_stats(t->app.page_cache, &st);
	return st;
}

/* The page at target made now without the cache (it is put back after). */
static void fresh(struct rt *t, const char *target, struct rt_resp *r)
{
	struct respcache *c = t->app.page_cache;

	t->app.page_cache = NULL;
	rt_get_want(t, target, NULL, 200, r);
	t->app.page_cache = c;
}

static void same(const struct rt_resp *a, const struct rt_resp *b)
{
	assert_int_equal(a->status, b->status);
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->body, b->body, a->len);
	assert_string_equal(a->content_type, b->content_type);
	/* A page is still not to be kept by the browser or a proxy. */
	assert_string_equal(rt_header(a, "Cache-Control"), "no-store");
	assert_string_equal(rt_header(b, "Cache-Control"), "no-store");
	assert_null(rt_header(b, "Set-Cookie"));
}

static bool has(struct rt *t, const char *target, const char *text)
{
	struct rt_resp r;
	bool yes;

	rt_get_want(t, target, NULL, 200, &r);
	yes = rt_has(&r, text);
	rt_resp_free(&r);
	return yes;
}

/* ---------------------------------------------------------------- tests */

static void a_visitors_page_again_is_the_fresh_page_and_asks_no_database(void **state)
{
	struct fx *x = *state;
	const char *pages[] = { x->find, x->service, x->org, "/find?q=walk&postcode=DN15+6XX" };

	assert_non_null(x->t->app.page_cache);
	for (size_t i = 0; i < ARRAY_LEN(pages); i++) {
		struct rt_resp a, b, f;
		struct respcache_stats before;
		uint64_t stmts;

		rt_get_want(x->t, pages[i], NULL, 200, &a);
		before = stats(x->t);
		stmts = db_stmt_count(rt_db(x->t));
		rt_get_want(x->t, pages[i], NULL, 200, &b);
		assert_int_equal(db_stmt_count(rt_db(x->t)), stmts);
		assert_int_equal(stats(x->t).hits, before.hits + 1);
		fresh(x->t, pages[i], &f);
		same(&a, &b);
		same(&b, &f);
		rt_resp_free(&a);
		rt_resp_free(&b);
		rt_resp_free(&f);
	}
}

static void signed_in_pages_are_never_kept_nor_shown_to_others(void **state)
{
	struct fx *x = *state;
	const char *pages[] = { x->find, x->service, x->org };

	for (size_t i = 0; i < ARRAY_LEN(pages); i++) {
		struct rt_resp r;
		size_t n;

		/* A visitor's page is kept... */
		assert_true(has(x->t, pages[i], "Sign in"));
		n = stats(x->t).entries;
		/* ...and the organiser, signed in, sees their own, twice over,
		 * which is kept nowhere. */
		for (int k = 0; k < 2; k++) {
			rt_browser_get(x->t, &x->own, pages[i], &r);
			assert_int_equal(r.status, 200);
			assert_true(rt_has(&r, "Sign out"));
			assert_false(rt_has(&r, ">Sign in<"));
			rt_resp_free(&r);
		}
		assert_int_equal(stats(x->t).entries, n);
		/* The next visitor gets the visitor's page, not theirs. */
		rt_get_want(x->t, pages[i], NULL, 200, &r);
		assert_false(rt_has(&r, "Sign out"));
		rt_resp_free(&r);
	}
	/* The organiser's page of their own service has its editing links. */
	{
		struct rt_resp r;

		rt_browser_get(x->t, &x->own, x->service, &r);
		assert_true(rt_has(&r, "/edit"));
		rt_resp_free(&r);
		rt_get_want(x->t, x->service, NULL, 200, &r);
		assert_false(rt_has(&r, "/manage/services/"));
		rt_resp_free(&r);
	}
}

static void directory_changes_are_seen_on_the_next_page(void **state)
{
	struct fx *x = *state;
	char target[128], draft[64];
	struct rt_resp r;

	snprintf(draft, sizeof(draft), "/services/%s", x->swim);
	assert_false(has(x->t, x->find, "Thursday Walk to the Pool"));
	assert_false(has(x->t, x->find, "Thursday Walk to the Pool"));
	assert_true(has(x->t, x->service, "Tuesday Health Walk"));
	assert_true(has(x->t, x->service, "Tuesday Health Walk"));
	rt_get_want(x->t, draft, NULL, 404, &r);
	rt_resp_free(&r);

	/* Published: on the very next find page, and its own page is there. */
	snprintf(target, sizeof(target), "/manage/services/%s/publish", x->swim);
	rt_browser_post_is(x->t, &x->coord, target, NULL, 303, NULL);
	assert_true(has(x->t, x->find, "Thursday Walk to the Pool"));
	assert_true(has(x->t, draft, "Thursday Walk to the Pool"));

	/* Edited: renamed on its page and in the results at once. */
	snprintf(target, sizeof(target), "/manage/services/%s/edit", x->walk);
	rt_browser_post(x->t, &x->own, target,
		"name=Tuesday+Health+Walk+and+Talk&description=A+walk+then+a+cuppa.&categories=walking"
		"&sched0_kind=weekly&sched0_weekday=1&sched0_opens=10%3A30&in_person=1"
		"&address_1=1+Park+Road&town=Scunthorpe&postcode=DN15+6XX&free=yes&join=turn-up", &r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	assert_true(has(x->t, x->service, "Tuesday Health Walk and Talk"));
	assert_true(has(x->t, x->find, "Tuesday Health Walk and Talk"));
	assert_true(has(x->t, x->org, "Tuesday Health Walk and Talk"));

	/* Archived: its page is gone for visitors at once. */
	snprintf(target, sizeof(target), "/manage/services/%s/archive", x->walk);
	rt_browser_post_is(x->t, &x->coord, target, "confirm=yes", 303, NULL);
	rt_get_want(x->t, x->service, NULL, 404, &r);
	rt_resp_free(&r);
	assert_false(has(x->t, x->find, "Tuesday Health Walk"));
}

static void the_gzip_is_made_once_and_unzips_to_the_page(void **state)
{
	struct fx *x = *state;
	static const char *const gz[] = { "Accept-Encoding: gzip", NULL };
	const char *pages[] = { x->find, x->service };

	for (size_t i = 0; i < ARRAY_LEN(pages); i++) {
		struct rt_resp plain, first, again;
		size_t n1, n2;
		char *b1, *b2;

		rt_get_want(x->t, pages[i], NULL, 200, &plain);                 /* made and kept */
		rt_get_want(x->t, pages[i], gz, 200, &first);           /* from the cache */
		rt_get_want(x->t, pages[i], gz, 200, &again);
		assert_string_equal(rt_header(&first, "Content-Encoding"), "gzip");
		assert_non_null(strstr(rt_header(&first, "Vary"), "Accept-Encoding"));
		assert_non_null(strstr(rt_header(&plain, "Vary"), "Accept-Encoding"));
		assert_true(first.len < plain.len);
		assert_int_equal(first.len, again.len);
		assert_memory_equal(first.body, again.body, first.len);
		b1 = rt_gunzip(&first, &n1);
		b2 = rt_gunzip(&again, &n2);
		assert_int_equal(n1, plain.len);
		assert_memory_equal(b1, plain.body, plain.len);
		assert_memory_equal(b2, plain.body, plain.len);
		free(b1);
		free(b2);
		rt_resp_free(&plain);
		rt_resp_free(&first);
		rt_resp_free(&again);
	}
	/* Made first by a browser that takes gzip: a later one that does not
	 * gets the plain page. */
	{
		struct rt_resp z, p, f;

		rt_get_want(x->t, x->org, gz, 200, &z);
		assert_string_equal(rt_header(&z, "Content-Encoding"), "gzip");
		rt_get_want(x->t, x->org, NULL, 200, &p);
		assert_null(rt_header(&p, "Content-Encoding"));
		fresh(x->t, x->org, &f);
		same(&p, &f);
		rt_resp_free(&z);
		rt_resp_free(&p);
		rt_resp_free(&f);
	}
}

static void a_new_day_makes_the_page_again(void **state)
{
	struct fx *x = *state;
	/* Noon in the UK, so a day either side is another date. */
	int64_t noon = time_now() / 86400 * 86400 + 12 * 3600;
	struct respcache_stats st;
	struct rt_resp r;

	time_set_fake(noon);
	rt_get_want(x->t, x->service, NULL, 200, &r);
	rt_resp_free(&r);
	st = stats(x->t);
	rt_get_want(x->t, x->service, NULL, 200, &r);
	rt_resp_free(&r);
	assert_int_equal(stats(x->t).hits, st.hits + 1);
	time_set_fake(noon + 86400);
	rt_get_want(x->t, x->service, NULL, 200, &r);
	rt_resp_free(&r);
	assert_int_equal(stats(x->t).hits, st.hits + 1);
	assert_int_equal(stats(x->t).misses, st.misses + 1);
	/* And a kept page is not shown after its page_cache_seconds. */
	time_set_fake(noon + 86400 + 31);
	rt_get_want(x->t, x->service, NULL, 200, &r);
	rt_resp_free(&r);
	assert_int_equal(stats(x->t).hits, st.hits + 1);
	time_set_fake(0);
}

static void refusals_and_missing_pages_are_not_kept(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char draft[64];
	size_t n = stats(x->t).entries;

	snprintf(draft, sizeof(draft), "/services/%s", x->swim);
	rt_get_want(x->t, "/find?q=walk&postcode=NOTAPOSTCODE", NULL, 422, &r);
	rt_resp_free(&r);
	rt_get_want(x->t, "/find?q=%ff", NULL, 400, &r);
	rt_resp_free(&r);
	rt_get_want(x->t, draft, NULL, 404, &r);
	rt_resp_free(&r);
	rt_get_want(x->t, "/services/0f8fad5b-d9cb-469f-a165-70867728950e", NULL, 404, &r);
	rt_resp_free(&r);
	rt_get_want(x->t, "/organisations/0f8fad5b-d9cb-469f-a165-70867728950e", NULL, 404, &r);
	rt_resp_free(&r);
	assert_int_equal(stats(x->t).entries, n);
	/* The organiser sees their own draft; that is not kept either. */
	rt_browser_get(x->t, &x->other, draft, &r);
	rt_resp_free(&r);
	assert_int_equal(stats(x->t).entries, n);
}

static void the_page_and_its_json_are_kept_apart(void **state)
{
	struct fx *x = *state;
	static const char *const json[] = { "Accept: application/json", NULL };
	struct rt_resp h, j, h2, j2;

	rt_get_want(x->t, x->service, NULL, 200, &h);
	rt_get_want(x->t, x->service, json, 200, &j);
	rt_get_want(x->t, x->service, NULL, 200, &h2);
	rt_get_want(x->t, x->service, json, 200, &j2);
	assert_non_null(strstr(h.content_type, "text/html"));
	assert_non_null(strstr(j.content_type, "application/json"));
	assert_string_equal(h2.content_type, h.content_type);
	assert_string_equal(j2.content_type, j.content_type);
	assert_int_equal(j2.len, j.len);
	assert_memory_equal(j2.body, j.body, j.len);
	rt_resp_free(&h);
	rt_resp_free(&j);
	rt_resp_free(&h2);
	rt_resp_free(&j2);
}

static void off_when_set_to_zero(void **state)
{
	static const char *const off[] = { "rate_limit=0", "page_cache_mb=0", NULL };
	struct rt *t = rt_new_like(((struct fx *)*state)->t, off);
	struct rt_resp r;

	assert_non_null(t);
	assert_null(t->app.page_cache);
	rt_get_want(t, "/find?q=walk", NULL, 200, &r);
	rt_resp_free(&r);
	rt_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_visitors_page_again_is_the_fresh_page_and_asks_no_database, setup, teardown),
		cmocka_unit_test_setup_teardown(signed_in_pages_are_never_kept_nor_shown_to_others, setup, teardown),
		cmocka_unit_test_setup_teardown(directory_changes_are_seen_on_the_next_page, setup, teardown),
		cmocka_unit_test_setup_teardown(the_gzip_is_made_once_and_unzips_to_the_page, setup, teardown),
		cmocka_unit_test_setup_teardown(a_new_day_makes_the_page_again, setup, teardown),
		cmocka_unit_test_setup_teardown(refusals_and_missing_pages_are_not_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(the_page_and_its_json_are_kept_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(off_when_set_to_zero, setup, teardown),
	};

	return testdb_run_groups("page cache", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
