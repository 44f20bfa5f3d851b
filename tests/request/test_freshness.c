/*
 * test_freshness.c - keeping the directory true, with the clock moved on:
 * a service not checked for stale_months is asked about (an email to each
 * of its organisation's organisers, once, with nothing personal in it),
 * flagged to coordinators stale_flag_days later, hidden from search
 * stale_hide_days after that; the one-click link brings it back (once
 * only) or archives it; a coordinator's "mark as checked" clears it too;
 * an organisation with nobody to ask goes straight to the coordinators.
 * SQLite and, with KITH_TEST_PG_URL, PostgreSQL.
 */
#include "core/common.h"
#include "org/org.h"

#include <setjmp.h>
#include <cmocka.h>

#include "auth/person.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "directory/directory.h"
#include "directory/directory_feature.h"
#include "directory/freshness.h"
#include "directory/vocab.h"
#include "store/store.h"
#include "support/cast.h"
#include "support/reqtest.h"

#define ORG_A RT_ORG_A
#define ORG_B RT_ORG_B      /* nobody to ask: no organisers */
#define ORGANISER (ROLE_BIT(ROLE_ORGANISER) | ROLE_BIT(ROLE_MEMBER))
#define COORD (ROLE_BIT(ROLE_COORDINATOR) | ROLE_BIT(ROLE_MEMBER))
#define DAY 86400

static const struct sql q_asked = { "tf.asked",
	"SELECT count(*) FROM service WHERE id = $1 AND stale_asked_at IS NOT NULL", NULL };
static const struct sql q_flagged = { "tf.flagged",
	"SELECT count(*) FROM service WHERE id = $1 AND stale_flagged_at IS NOT NULL", NULL };
static const struct sql q_hidden = { "tf.hidden",
	"SELECT count(*) FROM service WHERE id = $1 AND stale_hidden_at IS NOT NULL", NULL };
static const struct sql q_state = { "tf.state",
	"SELECT count(*) FROM service WHERE id = $1 AND state = $2", NULL };
static const struct sql q_assured_at = { "tf.assured_at",
	"SELECT assured_at FROM service WHERE id = $1", NULL };
static const struct sql q_checks = { "tf.checks",
	"SELECT count(*) FROM service_check WHERE service_id = $1", NULL };
static const struct sql q_token_plain = { "tf.token_plain",
	"SELECT count(*) FROM service_check WHERE token_hash = $1", NULL };

/* 15 January 2026, 10:00 UTC: a plain winter weekday. */
#define T0 INT64_C(1768471200)

struct fx {
	struct rt *t;
	RT_CAST_MEMBERS;        /* olu, cora */
	int64_t ola;
	char walk[37];
};

static int64_t n(struct rt *t, const struct sql *q, const char *id)
{
	return rt_count(t, q, DB_ARGS(DB_TEXT(id)));
}

/* Moves the clock to at and runs the job. */
static void run_at(struct rt *t, int64_t at)
{
	time_set_fake(at);
	assert_int_equal(freshness_run(FRESHNESS_ENV(&t->app), rt_db(t), at), ERR_OK);
}

static bool found(struct rt *t, const char *name)
{
	struct rt_resp r;
	char needle[128];
	bool has;

	rt_get(t, "/find?q=walk", &r);
	assert_int_equal(r.status, 200);
	snprintf(needle, sizeof(needle), ">%s</a>", name);
	has = rt_has(&r, needle);
	rt_resp_free(&r);
	return has;
}

static int setup(void **state)
{
	struct fx *x = rt_fixture(state, sizeof(*x), NULL);

	if (!x)
		return -1;
	time_set_fake(T0);
	rt_cast(x->t, &x->cast, RT_CAST_OLU | RT_CAST_CORA);
	x->ola = rt_person(x->t, "Ola Organiser", "ola@example.org", NULL, ORGANISER, ORG_A);
	rt_service(x->t, ORG_A, "Tuesday Health Walk", SVC_PUBLISHED, x->walk);
	return 0;
}

static int teardown(void **state)
{
	return rt_fixture_free(state);
}

/* ---------------------------------------------------------------- tests */

static void cutoff_is_calendar_months(void **state)
{
	UNUSED(state);
	/* 31 August 2026 12:00 BST, six months back: 28 February 2026
	 * 12:00 GMT (no 31st, and the clocks differ). */
	assert_int_equal(freshness_cutoff(uk_to_utc(2026, 8, 31, 12, 0), 6),
			 uk_to_utc(2026, 2, 28, 12, 0));
	assert_int_equal(freshness_cutoff(uk_to_utc(2026, 3, 15, 9, 30), 3),
			 uk_to_utc(2025, 12, 15, 9, 30));
}

static void ask_then_flag_then_hide(void **state)
{
	struct fx *x = *state;
	struct rt *t = x->t;
	int64_t asked = T0 + 184 * DAY;        /* six months and a bit */
	struct rt_browser coord;
	struct rt_resp r;
	char *mail, target[96];

	/* Five months on: nothing to ask. */
	run_at(t, T0 + 150 * DAY);
	assert_int_equal(n(t, &q_asked, x->walk), 0);
	assert_int_equal(rt_mail_n(t, "olu@example.org", "service_check"), 0);

	/* Six months on: each organiser is asked, once. */
	run_at(t, asked);
	assert_int_equal(n(t, &q_asked, x->walk), 1);
	assert_int_equal(n(t, &q_flagged, x->walk), 0);
	assert_int_equal(rt_mail_n(t, "olu@example.org", "service_check"), 1);
	assert_int_equal(rt_mail_n(t, "ola@example.org", "service_check"), 1);
	assert_int_equal(rt_mail_n(t, "cora@example.org", "service_check"), 0);
	assert_int_equal(rt_audit_n(t, "service.check_asked"), 1);
	run_at(t, asked + 3600);
	assert_int_equal(rt_mail_n(t, "olu@example.org", "service_check"), 1);

	/* The email: the service's name and the link; nobody else's
	 * details, nothing about anyone's health. */
	mail = rt_mail_text(t, "olu@example.org", "service_check");
	assert_non_null(strstr(mail, "Is Tuesday Health Walk still running?"));
	assert_non_null(strstr(mail, "/check/"));
	assert_null(strstr(mail, "ola@example.org"));
	assert_null(strstr(mail, "Ola"));
	assert_null(strstr(mail, "cora@example.org"));
	assert_null(strstr(mail, "COPD"));
	free(mail);

	/* Still in search while we wait for an answer. */
	assert_true(found(t, "Tuesday Health Walk"));

	/* Not yet flagged after 13 days; flagged after 15, and shown to
	 * coordinators. */
	run_at(t, asked + 13 * DAY);
	assert_int_equal(n(t, &q_flagged, x->walk), 0);
	run_at(t, asked + 15 * DAY);
	assert_int_equal(n(t, &q_flagged, x->walk), 1);
	assert_int_equal(n(t, &q_hidden, x->walk), 0);
	assert_true(found(t, "Tuesday Health Walk"));
	rt_sign_in(t, x->cora, &coord);
	rt_browser_get_is(t, &coord, "/review", 200, ">Tuesday Health Walk</a>", NULL);

	/* 42 days after the flag: hidden from search, the page still opens
	 * with a warning. */
	run_at(t, asked + 15 * DAY + 41 * DAY);
	assert_int_equal(n(t, &q_hidden, x->walk), 0);
	run_at(t, asked + 15 * DAY + 43 * DAY);
	assert_int_equal(n(t, &q_hidden, x->walk), 1);
	assert_int_equal(rt_audit_n(t, "service.hidden_stale"), 1);
	assert_false(found(t, "Tuesday Health Walk"));
	snprintf(target, sizeof(target), "/services/%s", x->walk);
	rt_get(t, target, &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "It may have stopped."));
	rt_resp_free(&r);

	/* A coordinator marks it as checked: back in search, all clear. */
	rt_sign_in(t, x->cora, &coord);
	snprintf(target, sizeof(target), "/manage/services/%s/verify", x->walk);
	rt_browser_post_is(t, &coord, target, "back=review", 303, NULL);
	assert_int_equal(n(t, &q_asked, x->walk), 0);
	assert_int_equal(n(t, &q_flagged, x->walk), 0);
	assert_int_equal(n(t, &q_hidden, x->walk), 0);
	assert_true(found(t, "Tuesday Health Walk"));
	/* The old link no longer works. */
	{
		char *link = rt_mail_link(t, "olu@example.org", "service_check", "/check/");

		rt_get(t, link, &r);
		assert_int_equal(r.status, 404);
		assert_true(rt_has(&r, "This link has expired or has already been used"));
		rt_resp_free(&r);
		free(link);
	}
}

static void the_link_works_once(void **state)
{
	struct fx *x = *state;
	struct rt *t = x->t;
	int64_t asked = T0 + 190 * DAY, later = asked + 60 * DAY;
	struct rt_browser b = { 0 };
	struct rt_resp r;
	char *link, hash_check[80];
	int64_t assured = 0;

	run_at(t, asked);
	run_at(t, asked + 15 * DAY);
	run_at(t, later);
	assert_int_equal(n(t, &q_hidden, x->walk), 1);
	assert_false(found(t, "Tuesday Health Walk"));
	assert_int_equal(n(t, &q_checks, x->walk), 1);

	link = rt_mail_link(t, "ola@example.org", "service_check", "/check/");
	/* Only its hash is stored. */
	snprintf(hash_check, sizeof(hash_check), "%s", link + 7);
	assert_int_equal(rt_count(t, &q_token_plain, DB_ARGS(DB_TEXT(hash_check))), 0);

	/* Opening it answers nothing: it asks, posting back to itself, with
	 * a way to the service's edit form. */
	{
		char action[200], edit[120];

		snprintf(action, sizeof(action), "action=\"%s\"", link);
		snprintf(edit, sizeof(edit), "href=\"/manage/services/%s/edit\"", x->walk);
		rt_browser_get_is(t, &b, link, 200, "Is Tuesday Health Walk still running?",
				"name=\"answer\" value=\"yes\"", "name=\"answer\" value=\"stopped\"",
				action, edit, NULL);
	}
	assert_int_equal(n(t, &q_hidden, x->walk), 1);

	rt_browser_post_is(t, &b, link, "answer=yes", 200,
			"Tuesday Health Walk is marked as checked today", NULL);
	assert_int_equal(n(t, &q_asked, x->walk), 0);
	assert_int_equal(n(t, &q_flagged, x->walk), 0);
	assert_int_equal(n(t, &q_hidden, x->walk), 0);
	assert_int_equal(db_query_int(rt_db(t), &q_assured_at, DB_ARGS(DB_TEXT(x->walk)), &assured), ERR_OK);
	assert_true(assured >= later - DAY);
	assert_int_equal(rt_audit_n(t, "service.confirmed"), 1);
	assert_true(found(t, "Tuesday Health Walk"));

	/* Twice: no. */
	rt_browser_post_is(t, &b, link, "answer=yes", 404,
			"This link has expired or has already been used", NULL);
	free(link);

	/* A made-up link looks the same. */
	rt_get(t, "/check/0000000000000000000000000000000000000000000000000000000000000000", &r);
	assert_int_equal(r.status, 404);
	rt_resp_free(&r);
	rt_get(t, "/check/not-a-token", &r);
	assert_int_equal(r.status, 404);
	rt_resp_free(&r);

	/* Checked today: the next ask is six months away. */
	run_at(t, later + 100 * DAY);
	assert_int_equal(n(t, &q_asked, x->walk), 0);
}

static void it_has_stopped(void **state)
{
	struct fx *x = *state;
	struct rt *t = x->t;
	struct rt_browser b = { 0 };
	struct rt_resp r;
	char *link, target[96];

	run_at(t, T0 + 200 * DAY);
	link = rt_mail_link(t, "olu@example.org", "service_check", "/check/");
	rt_browser_get(t, &b, link, &r);
	rt_resp_free(&r);
	rt_browser_post_is(t, &b, link, "answer=stopped", 200, "Thank you for letting us know",
			NULL);
	free(link);
	assert_int_equal(rt_count(t, &q_state, DB_ARGS(DB_TEXT(x->walk), DB_TEXT("archived"))), 1);
	assert_int_equal(rt_audit_n(t, "service.archived"), 1);
	assert_false(found(t, "Tuesday Health Walk"));
	snprintf(target, sizeof(target), "/services/%s", x->walk);
	rt_get(t, target, &r);
	assert_int_equal(r.status, 404);
	rt_resp_free(&r);
	/* Archived services are never asked about again. */
	run_at(t, T0 + 600 * DAY);
	assert_int_equal(rt_mail_n(t, "olu@example.org", "service_check"), 1);
}

static void nobody_to_ask_goes_to_coordinators(void **state)
{
	struct fx *x = *state;
	struct rt *t = x->t;
	char lonely[37];

	rt_service(t, ORG_B, "Nobody's Lunch", SVC_PUBLISHED, lonely);
	run_at(t, T0 + 190 * DAY);
	assert_int_equal(n(t, &q_asked, lonely), 1);
	assert_int_equal(n(t, &q_flagged, lonely), 1);
	assert_int_equal(n(t, &q_checks, lonely), 0);
	assert_int_equal(rt_audit_n(t, "service.check_flagged"), 1);
	/* Their own organisation's one was asked as usual. */
	assert_int_equal(n(t, &q_flagged, x->walk), 0);
	assert_int_equal(rt_mail_all(t), 2);
}

static void deactivated_organisers_are_not_asked(void **state)
{
	struct fx *x = *state;
	struct rt *t = x->t;

	assert_int_equal(person_set_deactivated(rt_db(t), x->ola, true, T0), ERR_OK);
	run_at(t, T0 + 190 * DAY);
	assert_int_equal(rt_mail_n(t, "olu@example.org", "service_check"), 1);
	assert_int_equal(rt_mail_n(t, "ola@example.org", "service_check"), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(cutoff_is_calendar_months),
		T(ask_then_flag_then_hide),
		T(the_link_works_once),
		T(it_has_stopped),
		T(nobody_to_ask_goes_to_coordinators),
		T(deactivated_organisers_are_not_asked),
	};
#undef T

	return testdb_run_groups("freshness", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
