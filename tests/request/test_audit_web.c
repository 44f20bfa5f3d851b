/*
 * test_audit_web.c - reading the audit log through the dispatcher:
 * /admin/audit (page), GET /api/v1/audit (JSON) and /account/activity
 * ("who has looked at your record"), their filters and refusals, and the
 * log's share of "download my data". SQLite and, with KITH_TEST_PG_URL,
 * PostgreSQL.
 */
#include "core/common.h"
#include "app/features.h"

#include <setjmp.h>
#include <cmocka.h>

#include "audit/audit.h"
#include "audit/audit_feature.h"
#include "auth/person.h"
#include "auth/session.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "store/store.h"
#include "support/reqtest.h"

#define NOW INT64_C(1790000000)     /* 2026-09-21T14:13:20Z */
#define DAY 86400

struct fx {
	struct rt t;
	struct db *db;
	int64_t admin, bob, cat;
	struct rt_browser admin_b, bob_b, cat_b;
	char admin_bearer[TOKEN_LEN + 1], bob_bearer[TOKEN_LEN + 1];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *const settings[] = { "rate_limit=0", NULL };

	time_set_fake(NOW + 10 * DAY);
	if (!f || !rt_start_with(&f->t, *state, settings))
		return -1;
	f->db = rt_db(&f->t);
	f->admin = rt_person_unverified(&f->t, "Ada Admin", "ada@example.org", NULL, ROLE_BIT(ROLE_ADMIN), NULL);
	f->bob = rt_person_unverified(&f->t, "Bob <b>Member</b>", "bob@example.org", NULL,
				      ROLE_BIT(ROLE_MEMBER), NULL);
	f->cat = rt_person_unverified(&f->t, "Cat Coordinator", "cat@example.org", NULL,
				      ROLE_BIT(ROLE_COORDINATOR), NULL);
	rt_sign_in(&f->t, f->admin, &f->admin_b);
	rt_sign_in(&f->t, f->bob, &f->bob_b);
	rt_sign_in(&f->t, f->cat, &f->cat_b);
	rt_bearer(&f->t, f->admin, RT_API_TOKEN, f->admin_bearer);
	rt_bearer(&f->t, f->bob, RT_API_TOKEN, f->bob_bearer);

	/* The log, oldest first. */
	if (audit_log(f->db, NOW, 0, "login.failed", f->bob, "reason=bad-password", "192.0.2.1", NULL) ||
	    audit_log(f->db, NOW + 60, f->bob, "login", f->bob, NULL, "192.0.2.1", NULL) ||
	    audit_log(f->db, NOW + DAY, f->cat, "person.read", f->bob, NULL, "198.51.100.5", "feedfacecafebeef") ||
	    audit_log(f->db, NOW + DAY + 60, f->admin, "role.granted", f->cat, "role=coordinator", NULL, NULL) ||
	    audit_log(f->db, NOW + 2 * DAY, f->bob, "data.downloaded", f->bob, NULL, NULL, NULL) ||
	    audit_log(f->db, NOW + 3 * DAY, f->cat, "referral.read", f->bob, NULL, "198.51.100.5", NULL))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	time_set_fake(0);
	log_set_quiet(0);
	rt_stop(&f->t);
	free(f);
	return 0;
}

static json_t *body_json(const struct rt_resp *r)
{
	json_t *j = json_loads(r->body, 0, NULL);

	assert_non_null(j);
	return j;
}

/* The actions of an API answer, newest first, joined with spaces. */
static const char *api_actions(struct fx *f, const char *path, int64_t *total)
{
	static char out[512];
	struct rt_resp r;
	json_t *j, *e;
	size_t i, n = 0;

	rt_get_bearer(&f->t, path, f->admin_bearer, &r);
	if (r.status != 200)
		fail_msg("%s: %d %s", path, r.status, r.body);
	j = body_json(&r);
	out[0] = '\0';
	json_array_foreach(json_object_get(j, "entries"), i, e)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", i ? " " : "",
				      json_string_value(json_object_get(e, "action")));
	*total = json_integer_value(json_object_get(j, "total"));
	json_decref(j);
	rt_resp_free(&r);
	return out;
}

/* ---- the admin page ---- */

static void admin_page(void **state)
{
	struct fx *f = *state;
	struct rt_resp r;

	rt_browser_get(&f->t, &f->admin_b, "/admin/audit", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "text/html; charset=utf-8");
	assert_true(rt_has(&r, "<h1 class=\"govuk-heading-l\">Audit log</h1>"));
	assert_true(rt_has(&r, "class=\"govuk-table\""));
	assert_true(rt_has(&r, "Showing 1 to 6 of 6 entries"));
	assert_true(rt_has(&r, "<code>referral.read</code>"));
	assert_true(rt_has(&r, "Cat Coordinator"));
	assert_true(rt_has(&r, "198.51.100.5"));
	assert_true(rt_has(&r, "feedfacecafebeef"));
	assert_true(rt_has(&r, "datetime=\"2026-09-22T14:13:20Z\""));
	assert_true(rt_has(&r, "22 September 2026, 14:13 UTC"));
	/* Names are text, never markup. */
	assert_false(rt_has(&r, "<b>Member</b>"));
	assert_true(rt_has(&r, "Bob &lt;b&gt;Member&lt;/b&gt;"));
	/* The filter form keeps what was asked, and works without script. */
	assert_true(rt_has(&r, "<form method=\"get\" action=\"/admin/audit\""));
	assert_false(rt_has(&r, "<script"));
	rt_resp_free(&r);

	rt_browser_get(&f->t, &f->admin_b, "/admin/audit?action=login&since=2026-09-21&until=2026-09-21&actor_id=&subject_id=", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Showing 1 to 2 of 2 entries"));
	assert_true(rt_has(&r, "value=\"login\""));
	assert_true(rt_has(&r, "value=\"2026-09-21\""));
	assert_false(rt_has(&r, "<code>person.read</code>"));
	assert_true(rt_has(&r, "<code>login.failed</code>"));
	rt_resp_free(&r);

	rt_browser_get_is(&f->t, &f->admin_b, "/admin/audit?actor_id=999999", 200,
			"No entries match these filters.", NULL);

	/* Paging links keep the filters. */
	{
		char path[128], prev[128], next[128];

		snprintf(path, sizeof(path), "/admin/audit?subject_id=%lld&per_page=2&page=2", (long long)f->bob);
		snprintf(prev, sizeof(prev), "href=\"/admin/audit?subject_id=%lld&amp;per_page=2&amp;page=1\"",
			 (long long)f->bob);
		snprintf(next, sizeof(next), "href=\"/admin/audit?subject_id=%lld&amp;per_page=2&amp;page=3\"",
			 (long long)f->bob);
		rt_browser_get_is(&f->t, &f->admin_b, path, 200, "Showing 3 to 4 of 5 entries",
				prev, next, "Page 2 of 3", NULL);
	}

	/* The same page as JSON. */
	{
		const char *h[] = { "Accept: application/json", NULL };

		rt_browser_request(&f->t, &f->admin_b, "GET", "/admin/audit?action=role", h, NULL, &r);
		assert_int_equal(r.status, 200);
		assert_string_equal(r.content_type, "application/json");
		assert_true(rt_has(&r, "\"action\":\"role.granted\""));
		assert_true(rt_has(&r, "\"total\":1"));
		rt_resp_free(&r);
	}
}

static void admin_page_bad_filters(void **state)
{
	struct fx *f = *state;
	struct rt_resp r;

	rt_browser_get(&f->t, &f->admin_b, "/admin/audit?actor_id=Ada", &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(r.content_type, "text/html; charset=utf-8");
	assert_true(rt_has(&r, "The actor_id parameter must be"));
	rt_resp_free(&r);
}

/* ---- the API ---- */

static void api_filters(void **state)
{
	struct fx *f = *state;
	struct rt_resp r;
	json_t *j, *e;
	int64_t total;
	char path[160];

	assert_string_equal(api_actions(f, "/api/v1/audit", &total),
			    "referral.read data.downloaded role.granted person.read login login.failed");
	assert_int_equal(total, 6);
	snprintf(path, sizeof(path), "/api/v1/audit?actor_id=%lld", (long long)f->cat);
	assert_string_equal(api_actions(f, path, &total), "referral.read person.read");
	snprintf(path, sizeof(path), "/api/v1/audit?subject_id=%lld&action=login", (long long)f->bob);
	assert_string_equal(api_actions(f, path, &total), "login login.failed");
	assert_string_equal(api_actions(f, "/api/v1/audit?action=person.read", &total), "person.read");
	/* Dates: whole days, inclusive; or exact times. */
	assert_string_equal(api_actions(f, "/api/v1/audit?since=2026-09-22&until=2026-09-23", &total),
			    "data.downloaded role.granted person.read");
	assert_string_equal(api_actions(f, "/api/v1/audit?since=2026-09-22T14:14:00Z&until=2026-09-22T14:14:20Z",
					&total), "role.granted");
	/* Paging. */
	assert_string_equal(api_actions(f, "/api/v1/audit?per_page=4&page=2", &total), "login login.failed");
	assert_int_equal(total, 6);

	rt_get_bearer(&f->t, "/api/v1/audit?per_page=2", f->admin_bearer, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "application/json");
	j = body_json(&r);
	assert_int_equal(json_integer_value(json_object_get(j, "page")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "per_page")), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "pages")), 3);
	assert_string_equal(json_string_value(json_object_get(j, "next_href")), "/api/v1/audit?per_page=2&page=2");
	assert_null(json_object_get(j, "prev_href"));
	e = json_array_get(json_object_get(j, "entries"), 0);
	assert_string_equal(json_string_value(json_object_get(e, "at")), "2026-09-24T14:13:20Z");
	assert_int_equal(json_integer_value(json_object_get(e, "actor_id")), f->cat);
	assert_string_equal(json_string_value(json_object_get(e, "actor_name")), "Cat Coordinator");
	assert_int_equal(json_integer_value(json_object_get(e, "subject_id")), f->bob);
	assert_string_equal(json_string_value(json_object_get(e, "ip")), "198.51.100.5");
	json_decref(j);
	rt_resp_free(&r);
}

static void api_bad_parameters_are_400(void **state)
{
	struct fx *f = *state;
	struct rt_resp r;
	static const struct { const char *query, *param; } bad[] = {
		{ "actor_id=abc", "actor_id" },
		{ "actor_id=0", "actor_id" },
		{ "subject_id=-4", "subject_id" },
		{ "subject_id=99999999999999999999", "subject_id" },
		{ "action=Login", "action" },
		{ "action=login%20failed", "action" },
		{ "since=2026-13-01", "since" },
		{ "since=yesterday", "since" },
		{ "until=2026-09-21T25:00:00Z", "until" },
		{ "since=2026-09-22&until=2026-09-21", "until" },
		{ "page=0", "page" },
		{ "page=two", "page" },
		{ "per_page=501", "per_page" },
		{ "per_page=0", "per_page" },
	};

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		char path[160], want[64];

		snprintf(path, sizeof(path), "/api/v1/audit?%s", bad[i].query);
		rt_get_bearer(&f->t, path, f->admin_bearer, &r);
		if (r.status != 400)
			fail_msg("%s: %d", path, r.status);
		assert_string_equal(r.content_type, "application/problem+json");
		snprintf(want, sizeof(want), "The %s parameter", bad[i].param);
		if (!rt_has(&r, want))
			fail_msg("%s: %s", path, r.body);
		rt_resp_free(&r);
	}
	/* Empty values mean "any", as a form sends them. */
	rt_get_bearer(&f->t, "/api/v1/audit?actor_id=&action=&since=", f->admin_bearer, &r);
	assert_int_equal(r.status, 200);
	rt_resp_free(&r);
	/* The rule of every API list, and what this one takes. */
	rt_api_list_rule(&f->t, "/api/v1/audit", f->admin_bearer, 500);
	rt_get_bearer(&f->t, "/api/v1/audit?actor=3", f->admin_bearer, &r);
	assert_int_equal(r.status, 400);
	assert_true(rt_has(&r, "The actor parameter is not one this address takes. It takes actor_id, "
			   "subject_id, since, until, per_page, page and action."));
	rt_resp_free(&r);
	/* The page ignores what it does not take (a link may add anything). */
	rt_browser_get_is(&f->t, &f->admin_b, "/admin/audit?actor=3", 200, NULL);
}

static void refused_to_everyone_but_admins(void **state)
{
	struct fx *f = *state;
	struct rt_resp r;

	rt_browser_get_is(&f->t, &f->bob_b, "/admin/audit", 403, NULL);
	rt_browser_get(&f->t, &f->cat_b, "/admin/audit", &r);       /* coordinators neither */
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);
	rt_get(&f->t, "/admin/audit", &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(rt_header(&r, "Location"), "/login?next=%2Fadmin%2Faudit");
	rt_resp_free(&r);
	rt_get_bearer(&f->t, "/api/v1/audit", f->bob_bearer, &r);
	assert_int_equal(r.status, 403);
	assert_false(rt_has(&r, "login"));
	rt_resp_free(&r);
	rt_get(&f->t, "/api/v1/audit", &r);
	assert_int_equal(r.status, 401);
	rt_resp_free(&r);
}

/* ---- who has looked at my record ---- */

static void my_activity(void **state)
{
	struct fx *f = *state;
	struct rt_resp r;
	json_t *j, *e;

	rt_browser_get(&f->t, &f->bob_b, "/account/activity", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Who has looked at your record"));
	assert_true(rt_has(&r, "Looked at your account details"));
	assert_true(rt_has(&r, "Looked at a referral about you"));
	assert_true(rt_has(&r, "Cat Coordinator"));
	/* Not what Bob did himself, not visitors, not where staff sat. */
	assert_false(rt_has(&r, "Downloaded your data"));
	assert_false(rt_has(&r, "login.failed"));
	assert_false(rt_has(&r, "198.51.100.5"));
	assert_false(rt_has(&r, "feedfacecafebeef"));
	rt_resp_free(&r);

	{
		const char *h[] = { "Accept: application/json", NULL };

		rt_browser_request(&f->t, &f->bob_b, "GET", "/account/activity", h, NULL, &r);
	}
	assert_int_equal(r.status, 200);
	j = body_json(&r);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 2);
	e = json_array_get(json_object_get(j, "entries"), 0);          /* newest first */
	assert_string_equal(json_string_value(json_object_get(e, "action")), "referral.read");
	assert_string_equal(json_string_value(json_object_get(e, "actor_name")), "Cat Coordinator");
	assert_null(json_object_get(e, "ip"));
	assert_null(json_object_get(e, "request_id"));
	assert_null(json_object_get(e, "actor_id"));
	json_decref(j);
	rt_resp_free(&r);

	/* Cat sees what Ada did to her record; Ada sees nothing. */
	rt_browser_get(&f->t, &f->cat_b, "/account/activity", &r);
	assert_true(rt_has(&r, "Gave you a role"));
	assert_true(rt_has(&r, "Ada Admin"));
	rt_resp_free(&r);
	rt_browser_get(&f->t, &f->admin_b, "/account/activity", &r);
	assert_true(rt_has(&r, "Nobody else has looked at your record yet."));
	rt_resp_free(&r);

	rt_get(&f->t, "/account/activity", &r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	rt_browser_get_is(&f->t, &f->bob_b, "/account/activity?page=0", 400, NULL);
}

static void my_activity_pages(void **state)
{
	struct fx *f = *state;
	struct rt_resp r;

	for (int i = 0; i < 30; i++)
		assert_int_equal(audit_log(f->db, NOW + 4 * DAY + i * (AUDIT_READ_FOLD_S + 1), f->cat, "person.read", f->bob, NULL, NULL, NULL),
				 ERR_OK);
	rt_browser_get(&f->t, &f->bob_b, "/account/activity", &r);
	assert_true(rt_has(&r, "Page 1 of 2"));
	assert_true(rt_has(&r, "href=\"/account/activity?page=2\""));
	rt_resp_free(&r);
	rt_browser_get(&f->t, &f->bob_b, "/account/activity?page=2", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Page 2 of 2"));
	assert_true(rt_has(&r, "href=\"/account/activity?page=1\""));
	assert_true(rt_has(&r, "Looked at a referral about you"));      /* among the oldest */
	rt_resp_free(&r);
}

/* ---- download my data ---- */

static void export_about_me(void **state)
{
	struct fx *f = *state;
	json_t *out = json_object(), *list, *e;
	size_t i;
	bool saw_own_ip = false;

	assert_non_null(audit_feature.export_person);
	assert_int_equal(audit_feature.export_person(f->db, f->bob, NOW, out), ERR_OK);
	list = json_object_get(out, "audit_about_me");
	assert_int_equal(json_array_size(list), 5);
	json_array_foreach(list, i, e) {
		json_int_t actor = json_integer_value(json_object_get(e, "actor_id"));

		assert_int_equal(json_integer_value(json_object_get(e, "subject_id")), f->bob);
		assert_null(json_object_get(e, "request_id"));
		if (actor != f->bob)
			assert_null(json_object_get(e, "ip"));         /* other people's addresses */
		else if (json_string_value(json_object_get(e, "ip")))
			saw_own_ip = true;
	}
	assert_true(saw_own_ip);
	json_decref(out);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(admin_page),
		T(admin_page_bad_filters),
		T(api_filters),
		T(api_bad_parameters_are_400),
		T(refused_to_everyone_but_admins),
		T(my_activity),
		T(my_activity_pages),
		T(export_about_me),
	};
#undef T

	return testdb_run_groups("audit web", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
