/*
 * test_feeds.c - live feeds on the database, on SQLite and (with
 * KITH_TEST_PG_URL) PostgreSQL: adding, listing, claiming when due (fixed
 * times; a claim held by a running pull is not taken twice, and lapses),
 * removing without touching services; a pull that cannot reach its feed
 * records the failure and changes nothing; the import path reports what
 * it saved; and a service marked gone from its feed is on the review
 * list with its reason until a person confirms it.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "directory/directory.h"
#include "oruk/import.h"
#include "oruk/oruk.h"
#include "oruk/page.h"
#include "oruk/pull.h"
#include "org/org.h"
#include "store/store.h"
#include "auth/policy.h"
#include "support/reqtest.h"

#define ORG "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
/* Tuesday 24 November 2026, 09:00 UTC (GMT). */
#define NOW INT64_C(1795510800)

static const struct sql q_feed_row = { "test.feed_row",
	"SELECT count(*) FROM feed WHERE name = $1 AND last_status = $2 AND next_at = $3 "
	"AND claimed_until IS NULL", NULL };
static const struct sql q_feed_good = { "test.feed_good",
	"UPDATE feed SET last_status = 'ok', last_tried_at = $2, last_ok_at = $2, n_listed = 738, n_imported = 10, "
	"n_updated = 2, n_unchanged = 723, n_rejected = 3, n_gone = 4 WHERE name = $1", NULL };
static const struct sql q_services = { "test.feed_services", "SELECT count(*) FROM service", NULL };
static const struct sql q_gone = { "test.feed_gone",
	"UPDATE service SET feed_gone_at = $2 WHERE id = $1", NULL };
static const struct sql q_gone_n = { "test.feed_gone_n",
	"SELECT count(*) FROM service WHERE feed_gone_at IS NOT NULL", NULL };

static int64_t count(struct db *db, const struct sql *q)
{
	int64_t n = -1;

	assert_int_equal(db_query_int(db, q, DB_NOARGS, &n), ERR_OK);
	return n;
}

static void feeds_add_list_claim_remove(void **state)
{
	struct rt *t = *state;
	struct db *db = rt_db(t);
	struct feed_schedule every = { 3600, -1 }, hand = { 0, -1 }, got;
	char url[ORUK_URL_MAX + 1], name[FEED_NAME_MAX + 1];
	json_t *list;
	bool details;

	assert_int_equal(feed_add(db, "council", "https://api.example.org/oruk", &every, true, NOW), ERR_OK);
	assert_int_equal(feed_add(db, "council", "https://elsewhere.example.org", &hand, true, NOW), ERR_CONFLICT);
	assert_int_equal(feed_add(db, "by-hand", "https://b.example.org/services", &hand, false, NOW), ERR_OK);
	assert_int_equal(feed_get(db, "council", url, sizeof(url), &got, &details), ERR_OK);
	assert_string_equal(url, "https://api.example.org/oruk");
	assert_int_equal(got.every_s, 3600);
	assert_int_equal(got.daily_at, -1);
	assert_true(details);
	assert_int_equal(feed_get(db, "by-hand", NULL, 0, NULL, &details), ERR_OK);
	assert_false(details);
	assert_int_equal(feed_get(db, "nobody", NULL, 0, NULL, NULL), ERR_NOT_FOUND);
	assert_int_equal(feed_by_url(db, "https://b.example.org/services", name), ERR_OK);
	assert_string_equal(name, "by-hand");
	assert_int_equal(feed_by_url(db, "https://c.example.org", name), ERR_NOT_FOUND);

	assert_int_equal(feed_list(db, &list), ERR_OK);
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "name")), "council");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "schedule")), "every 1 hour");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 1), "next_at")), NOW);
	assert_true(json_is_null(json_object_get(json_array_get(list, 1), "status")));
	assert_true(json_is_null(json_object_get(json_array_get(list, 0), "next_at")));
	json_decref(list);

	/* Due at once; claimed once; the claim lapses after its lease. */
	assert_int_equal(feed_claim_due(db, NOW - 1, 600, name), ERR_NOT_FOUND);
	assert_int_equal(feed_claim_due(db, NOW, 600, name), ERR_OK);
	assert_string_equal(name, "council");
	assert_int_equal(feed_claim_due(db, NOW + 10, 600, name), ERR_NOT_FOUND);
	assert_int_equal(feed_claim_due(db, NOW + 601, 600, name), ERR_OK);
	/* By hand: not while another pull holds it. */
	assert_int_equal(feed_claim(db, "council", NOW + 700, 600), ERR_CONFLICT);
	assert_int_equal(feed_claim(db, "by-hand", NOW + 700, 600), ERR_OK);
	assert_int_equal(feed_claim(db, "nobody", NOW + 700, 600), ERR_NOT_FOUND);

	assert_int_equal(feed_remove(db, "council"), ERR_OK);
	assert_int_equal(feed_remove(db, "council"), ERR_NOT_FOUND);
	assert_int_equal(feed_list(db, &list), ERR_OK);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
}

/* Nothing listens on port 1: the pull fails, says why, saves nothing, and
 * a scheduled feed is tried again within the hour. */
static void pull_unreachable(void **state)
{
	struct rt *t = *state;
	struct db *db = rt_db(t);
	struct feed_schedule daily = { 0, 6 * 60 };
	struct pull_opts o = { .feed = "council", .url = "http://127.0.0.1:1/services", .delay_ms = 0,
			       .timeout_ms = 2000, .time_limit_s = 10, .max_pages = 10, .max_bytes = 1 << 20,
			       .per_page = 10, .retries = 0, .details = true, .user_agent = "kith-test" };
	struct pull_report rep;

	assert_int_equal(feed_add(db, "council", o.url, &daily, true, NOW), ERR_OK);
	assert_int_not_equal(oruk_pull(NULL, db, &o, NOW, &rep), ERR_OK);
	assert_non_null(strstr(rep.error, "page 1: "));
	assert_int_equal(rep.requests, 1);
	assert_false(rep.saved);
	pull_report_release(&rep);
	{
		int64_t n = 0;

		assert_int_equal(db_query_int(db, &q_feed_row, DB_ARGS(DB_TEXT("council"), DB_TEXT("failed"),
					       DB_INT(NOW + 3600)), &n), ERR_OK);
		assert_int_equal(n, 1);
	}
	assert_int_equal(count(db, &q_services), 0);

	/* A feed that is not there. */
	o.feed = "nobody";
	assert_int_equal(oruk_pull(NULL, db, &o, NOW, &rep), ERR_NOT_FOUND);
	assert_string_equal(rep.error, "there is no feed called nobody");
	pull_report_release(&rep);
}

/* The import path a pull uses: what it saved, by id, and the placeholder
 * organisation named after the feed for a service without one. */
static void import_records_reports_saved(void **state)
{
	struct rt *t = *state;
	struct db *db = rt_db(t);
	json_t *a = json_loads("{\"id\": \"738f94e0-aa6c-6a5c-2395-7b64421ba2a5\", \"name\": \"Walk\", "
			       "\"description\": \"A walk.\", \"organization\": {\"id\": \"" ORG "\", \"name\": \"Walkers\"}}",
			       0, NULL);
	json_t *b = json_loads("{\"id\": \"3cb7c2f8-441a-d42b-05f4-86aa3b4e56d6\", \"name\": \"Orphan\", "
			       "\"description\": \"No organisation.\"}", 0, NULL);
	json_t *c = json_loads("{\"id\": \"not-a-uuid\", \"name\": \"Bad\"}", 0, NULL);
	struct oruk_record recs[4] = { { .value = a }, { .value = b }, { .value = c },
				       { .value = NULL, .problem = "its full record is not JSON" } };
	struct import_report rep;
	json_t *saved = json_object();

	assert_int_equal(directory_import_records(NULL, db, "council", recs, 4, "ORUK 3.0", NOW, &rep, saved),
			 ERR_OK);
	assert_int_equal(rep.imported, 2);
	assert_int_equal(rep.rejected, 2);
	assert_int_equal(rep.placeholder, 1);
	assert_string_equal(rep.shape, "ORUK 3.0");
	assert_int_equal(json_object_size(saved), 2);
	assert_non_null(json_object_get(saved, "738f94e0-aa6c-6a5c-2395-7b64421ba2a5"));
	assert_non_null(json_object_get(saved, "3cb7c2f8-441a-d42b-05f4-86aa3b4e56d6"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(rep.rejections, 1), "reason")),
			    "its full record is not JSON");
	{
		struct svc_meta m;
		struct arena ar;

		arena_init(&ar);
		assert_int_equal(directory_meta(db, &ar, "3cb7c2f8-441a-d42b-05f4-86aa3b4e56d6", &m), ERR_OK);
		assert_string_equal(m.org_name, "Organisation to confirm (from council)");
		assert_int_equal(m.state, SVC_DRAFT);
		arena_release(&ar);
	}
	import_report_release(&rep);
	json_decref(saved);
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

static const char *reason_of(const json_t *list, const char *id, size_t k)
{
	size_t i;
	json_t *o;

	json_array_foreach(list, i, o)
		if (strcmp(json_string_value(json_object_get(o, "id")), id) == 0)
			return json_string_value(json_array_get(json_object_get(o, "reasons"), k));
	return NULL;
}

static void gone_is_on_the_review_list(void **state)
{
	struct rt *t = *state;
	struct db *db = rt_db(t);
	char walk[37];
	json_t *list;
	int64_t total;

	assert_int_equal(org_create(db, ORG, "Walkers", NOW), ERR_OK);
	rt_service_at(t, ORG, "Tuesday Walk", SVC_PUBLISHED, NULL, NOW, walk);
	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(directory_assure(db, walk, 0, NOW), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	assert_int_equal(directory_review_list(&t->app.links, db, 10, 0, NOW, &list, &total), ERR_OK);
	assert_int_equal(total, 0);
	json_decref(list);

	assert_int_equal(db_exec(db, &q_gone, DB_ARGS(DB_TEXT(walk), DB_INT(NOW)), NULL), ERR_OK);
	assert_int_equal(directory_review_list(&t->app.links, db, 10, 0, NOW, &list, &total), ERR_OK);
	assert_int_equal(total, 1);
	assert_string_equal(reason_of(list, walk, 0), "No longer in the feed it was imported from (missing since "
			    "24 November 2026): is it still running?");
	json_decref(list);

	/* A person's confirmation answers it. */
	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(directory_assure(db, walk, 0, NOW + 60), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	assert_int_equal(count(db, &q_gone_n), 0);
	assert_int_equal(directory_review_list(&t->app.links, db, 10, 0, NOW, &list, &total), ERR_OK);
	assert_int_equal(total, 0);
	json_decref(list);
}

/* /directory/feeds: coordinators see each feed's last pull and its error;
 * nobody else does. */
static void feeds_page(void **state)
{
	struct rt *t = *state;
	struct db *db = rt_db(t);
	struct feed_schedule daily = { 0, 5 * 60 + 30 }, hand = { 0, -1 };
	struct pull_opts o = { .feed = "north-lincs", .url = "http://127.0.0.1:1/oruk", .timeout_ms = 2000,
			       .time_limit_s = 10, .max_pages = 10, .max_bytes = 1 << 20, .per_page = 10,
			       .user_agent = "kith-test" };
	struct pull_report rep;
	struct rt_browser coord, member, organiser;

	rt_sign_in(t, rt_person(t, "Cora Coordinator", "cora@example.org", NULL,
				ROLE_BIT(ROLE_COORDINATOR) | ROLE_BIT(ROLE_MEMBER), NULL), &coord);
	rt_sign_in(t, rt_person(t, "Mo Member", "mo@example.org", NULL, ROLE_BIT(ROLE_MEMBER), NULL), &member);
	assert_int_equal(org_create(db, ORG, "Walkers", NOW), ERR_OK);
	rt_sign_in(t, rt_person(t, "Ola Organiser", "ola@example.org", NULL,
				ROLE_BIT(ROLE_ORGANISER) | ROLE_BIT(ROLE_MEMBER), ORG), &organiser);

	rt_browser_get_is(t, &coord, "/directory/feeds", 200, "<h1 class=\"govuk-heading-l\">Council feeds</h1>",
			  "kith pulls no council feeds", NULL);
	assert_int_equal(feed_add(db, "north-lincs", o.url, &daily, true, NOW), ERR_OK);
	assert_int_equal(feed_add(db, "by-hand", "https://b.example.org/services", &hand, true, NOW), ERR_OK);
	assert_int_not_equal(oruk_pull(NULL, db, &o, NOW, &rep), ERR_OK);
	pull_report_release(&rep);
	rt_browser_get_is(t, &coord, "/directory/feeds", 200, ">north-lincs</h2>", "http://127.0.0.1:1/oruk",
			  "daily at 05:30. Next: 24 November 2026, 10:00", "govuk-tag--red\">Failed</strong> "
			  "24 November 2026, 09:00: page 1: ", ">by-hand</h2>", "by hand only", "Not pulled yet",
			  NULL);
	/* As a good pull leaves it. */
	assert_int_equal(db_exec(db, &q_feed_good, DB_ARGS(DB_TEXT("by-hand"), DB_INT(NOW - 3600)), NULL), ERR_OK);
	rt_browser_get_is(t, &coord, "/directory/feeds", 200, "govuk-tag--green\">Worked</strong> 24 November "
			  "2026, 08:00", "738 listed: 10 new, 2 updated, 723 unchanged, 3 rejected, 4 no longer in the feed",
			  NULL);
	rt_browser_get_is(t, &member, "/directory/feeds", 403, NULL);
	rt_browser_get_is(t, &organiser, "/directory/feeds", 403, NULL);
	rt_browser_get_is(t, &coord, "/review", 200, "href=\"/directory/feeds\"", NULL);
}

static int setup(void **state)
{
	static const char *const settings[] = { "rate_limit=0", "dev_mode=true", NULL };

	return rt_setup_with(state, settings);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(feeds_add_list_claim_remove, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(pull_unreachable, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(import_records_reports_saved, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(gone_is_on_the_review_list, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(feeds_page, setup, rt_teardown),
	};

	return testdb_run_groups("feeds", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
