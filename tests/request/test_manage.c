/*
 * test_manage.c - organisers' and coordinators' pages: /manage, the
 * service form (new and edit: per-field errors that keep what was typed,
 * drafts from organisers, published from coordinators, edits that keep
 * the state), who may touch which service (another organisation's is a
 * 404, never a hint), /review with publish, archive and "mark as checked",
 * the audit rows those write, and search seeing every change at once.
 * SQLite and, with KITH_TEST_PG_URL, PostgreSQL.
 */
#include "core/common.h"
#include "org/org.h"

#include <setjmp.h>
#include <cmocka.h>

#include "auth/person.h"
#include "core/timeutil.h"
#include "directory/directory.h"
#include "directory/vocab.h"
#include "store/store.h"
#include "support/cast.h"
#include "support/reqtest.h"

#define ORG_A RT_ORG_A
#define ORG_B RT_ORG_B
#define ORGANISER (ROLE_BIT(ROLE_ORGANISER) | ROLE_BIT(ROLE_MEMBER))
#define COORD (ROLE_BIT(ROLE_COORDINATOR) | ROLE_BIT(ROLE_MEMBER))
#define MEMBER ROLE_BIT(ROLE_MEMBER)

static const struct sql q_state = { "tm.state",
	"SELECT count(*) FROM service WHERE id = $1 AND state = $2", NULL };
static const struct sql q_named = { "tm.named",
	"SELECT count(*) FROM service WHERE name = $1", NULL };
static const struct sql q_audit_service = { "tm.audit_service",
	"SELECT count(*) FROM audit WHERE action = $1 AND detail = $2", NULL };
static const struct sql q_assured = { "tm.assured",
	"SELECT count(*) FROM service WHERE id = $1 AND assured_at >= $2", NULL };

/* A complete, valid form body for a new service (urlencoded). */
#define GOOD_FORM \
	"name=Tuesday+Health+Walk&description=A+gentle+walk+round+the+park.&who_for=Anyone" \
	"&categories=walking&conditions=copd&peer_led=1&sched0_kind=weekly&sched0_weekday=1" \
	"&sched0_opens=10%3A00&sched0_closes=11%3A30&sched1_kind=&sched2_kind=" \
	"&in_person=1&place_name=Central+Park+Cafe&address_1=1+Park+Road&town=Scunthorpe" \
	"&postcode=DN15+6XX&free=yes&join=turn-up&email=walks%40example.org"

/* ---------------------------------------------------------------- helpers */

static int64_t state_is(struct rt *t, const char *id, const char *state)
{
	return rt_count(t, &q_state, DB_ARGS(DB_TEXT(id), DB_TEXT(state)));
}

static int64_t audited(struct rt *t, const char *action, const char *id)
{
	char detail[64];

	snprintf(detail, sizeof(detail), "service=%s", id);
	return rt_count(t, &q_audit_service, DB_ARGS(DB_TEXT(action), DB_TEXT(detail)));
}

/* The service id in "/services/<id>?done=..." */
static void id_from_location(const struct rt_resp *r, char out[37])
{
	const char *loc = rt_header(r, "Location");

	assert_non_null(loc);
	assert_true(strncmp(loc, "/services/", 10) == 0);
	snprintf(out, 37, "%.36s", loc + 10);
}

static bool search_has(struct rt *t, const char *q, const char *needle)
{
	struct rt_resp r;
	char target[128];
	bool has;

	snprintf(target, sizeof(target), "/find?q=%s", q);
	rt_get(t, target, &r);
	assert_int_equal(r.status, 200);
	has = rt_has(&r, needle);
	rt_resp_free(&r);
	return has;
}

struct fx {
	struct rt *t;
	RT_CAST_MEMBERS;        /* olu, bea, cora, mo; own, other, coord, member */
};

static int setup(void **state)
{
	struct fx *x = rt_fixture(state, sizeof(*x), NULL);

	if (!x)
		return -1;
	rt_cast(x->t, &x->cast, RT_CAST_OLU | RT_CAST_BEA | RT_CAST_CORA | RT_CAST_MO | RT_CAST_BROWSERS);
	return 0;
}

static int teardown(void **state)
{
	return rt_fixture_free(state);
}

/* ---------------------------------------------------------------- tests */

static void manage_lists_own_services(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char a1[37], a2[37], b1[37];

	rt_service(x->t, ORG_A, "Tuesday Health Walk", SVC_PUBLISHED, a1);
	rt_service(x->t, ORG_A, "New Nordic Walk", SVC_DRAFT, a2);
	rt_service(x->t, ORG_B, "Southtown Lunch", SVC_PUBLISHED, b1);
	rt_browser_get(x->t, &x->own, "/manage", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Northtown Walkers"));
	assert_true(rt_has(&r, ">Tuesday Health Walk</a>"));
	assert_true(rt_has(&r, ">New Nordic Walk</a>"));
	assert_true(rt_has(&r, ">Draft</strong>"));
	assert_true(rt_has(&r, ">Published</strong>"));
	assert_false(rt_has(&r, "Southtown Lunch"));
	assert_true(rt_has(&r, "href=\"/manage/services/new\""));
	assert_false(rt_has(&r, "href=\"/review\">Review listings that"));
	rt_resp_free(&r);

	/* Coordinators are sent on to the review list. */
	rt_browser_get_is(x->t, &x->coord, "/manage", 200, "href=\"/review\"", NULL);
	/* Members may not; visitors are asked to sign in. */
	rt_browser_get_is(x->t, &x->member, "/manage", 403, NULL);
	rt_get(x->t, "/manage", &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(rt_header(&r, "Location"), "/login?next=%2Fmanage");
	rt_resp_free(&r);
}

static void form_errors_keep_what_was_typed(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;

	rt_browser_get(x->t, &x->own, "/manage/services/new", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "<h1 class=\"govuk-heading-l\">Add a service</h1>"));
	assert_true(rt_has(&r, "For <strong>Northtown Walkers</strong>"));
	assert_false(rt_has(&r, "name=\"org_id\""));   /* organisers do not choose */
	rt_resp_free(&r);

	/* No name, a bad start time, no answer to "is it free", a
	 * monthly time with no week: each said by its field, the rest kept. */
	rt_browser_post(x->t, &x->own, "/manage/services/new",
		"name=&description=Our+friendly+walk&categories=walking&categories=dementia"
		"&sched0_kind=weekly&sched0_weekday=2&sched0_opens=25%3A99"
		"&sched1_kind=monthly&sched1_weekday=4"
		"&in_person=1&address_1=1+Park+Road&town=Scunthorpe&postcode=DN15+6XX&join=turn-up"
		"&email=walks%40example.org&phone=01724+123456", &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "<title>Error: Add a service"));
	assert_true(rt_has(&r, "There is a problem"));
	assert_true(rt_has(&r, "href=\"#name\""));
	assert_true(rt_has(&r, "href=\"#sched0_opens\""));
	assert_true(rt_has(&r, "href=\"#free\""));
	assert_true(rt_has(&r, "href=\"#sched1_nth\""));
	assert_true(rt_has(&r, "id=\"name-error\""));
	/* Kept: the words, the ticks, the choices. */
	assert_true(rt_has(&r, ">Our friendly walk</textarea>"));
	assert_true(rt_has(&r, "value=\"walking\" checked"));
	assert_true(rt_has(&r, "value=\"dementia\" checked"));
	assert_true(rt_has(&r, "value=\"25:99\""));
	assert_true(rt_has(&r, "<option value=\"2\" selected>Wednesday</option>"));
	assert_true(rt_has(&r, "<option value=\"monthly\" selected>"));
	assert_true(rt_has(&r, "value=\"turn-up\" checked"));
	assert_true(rt_has(&r, "value=\"walks@example.org\""));
	assert_true(rt_has(&r, "value=\"01724 123456\""));
	rt_resp_free(&r);
	assert_int_equal(rt_count(x->t, &q_named, DB_ARGS(DB_TEXT("Our friendly walk"))), 0);
}

static void organiser_adds_a_draft(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char id[37], target[96];

	rt_browser_get(x->t, &x->own, "/manage/services/new", &r);
	rt_resp_free(&r);
	rt_browser_post(x->t, &x->own, "/manage/services/new", GOOD_FORM, &r);
	assert_int_equal(r.status, 303);
	id_from_location(&r, id);
	assert_non_null(strstr(rt_header(&r, "Location"), "?done=created"));
	rt_resp_free(&r);
	assert_int_equal(state_is(x->t, id, "draft"), 1);
	assert_int_equal(audited(x->t, "service.created", id), 1);
	/* Not in search, not public; its organiser sees it with the banner. */
	assert_false(search_has(x->t, "walk", "Tuesday Health Walk"));
	snprintf(target, sizeof(target), "/services/%s?done=created", id);
	rt_browser_get_is(x->t, &x->own, target, 200, "A coordinator will check it and publish it.",
			"Every Tuesday, 10:00 to 11:30", NULL);

	/* A coordinator publishes it: in search at once. */
	snprintf(target, sizeof(target), "/manage/services/%s/publish", id);
	rt_browser_post(x->t, &x->coord, target, "back=review", &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(rt_header(&r, "Location"), "/review?done=published");
	rt_resp_free(&r);
	assert_int_equal(state_is(x->t, id, "published"), 1);
	assert_int_equal(audited(x->t, "service.published", id), 1);
	assert_true(search_has(x->t, "walk", "Tuesday Health Walk"));
}

static void coordinator_adds_for_any_organisation(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char id[37];

	rt_browser_get_is(x->t, &x->coord, "/manage/services/new?org=" ORG_B, 200,
			"name=\"org_id\"",
			"<option value=\"" ORG_B "\" selected>Southtown Lunch Club</option>", NULL);
	/* Without an organisation: said so. */
	rt_browser_post_is(x->t, &x->coord, "/manage/services/new", GOOD_FORM, 422,
			"href=\"#org_id\"", NULL);
	rt_browser_post(x->t, &x->coord, "/manage/services/new", GOOD_FORM "&org_id=" ORG_B, &r);
	assert_int_equal(r.status, 303);
	id_from_location(&r, id);
	assert_non_null(strstr(rt_header(&r, "Location"), "?done=created-published"));
	rt_resp_free(&r);
	assert_int_equal(state_is(x->t, id, "published"), 1);
	assert_true(search_has(x->t, "walk", "Tuesday Health Walk"));
}

static void organiser_edits_own_not_others(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char mine[37], theirs[37], target[128];

	rt_service(x->t, ORG_A, "Tuesday Health Walk", SVC_PUBLISHED, mine);
	rt_service(x->t, ORG_B, "Southtown Lunch", SVC_PUBLISHED, theirs);

	snprintf(target, sizeof(target), "/manage/services/%s/edit", mine);
	rt_browser_get_is(x->t, &x->own, target, 200, "value=\"Tuesday Health Walk\"",
			"<option value=\"weekly\" selected>",
			"<option value=\"1\" selected>Tuesday</option>", NULL);
	rt_browser_post(x->t, &x->own, target,
		"name=Tuesday+Health+Walk+and+Talk&description=A+walk+then+a+cuppa.&categories=walking"
		"&sched0_kind=weekly&sched0_weekday=1&sched0_opens=10%3A30&in_person=1"
		"&address_1=1+Park+Road&town=Scunthorpe&postcode=DN15+6XX&free=yes&join=turn-up", &r);
	assert_int_equal(r.status, 303);
	snprintf(target, sizeof(target), "/services/%s?done=saved", mine);
	assert_string_equal(rt_header(&r, "Location"), target);
	rt_resp_free(&r);
	/* Still published, renamed, and search knows at once. */
	assert_int_equal(state_is(x->t, mine, "published"), 1);
	assert_int_equal(audited(x->t, "service.updated", mine), 1);
	assert_true(search_has(x->t, "talk", "Tuesday Health Walk and Talk"));

	/* Another organisation's service: not found, and nothing changes. */
	snprintf(target, sizeof(target), "/manage/services/%s/edit", theirs);
	rt_browser_get(x->t, &x->own, target, &r);
	assert_int_equal(r.status, 404);
	assert_false(rt_has(&r, "Southtown Lunch"));
	rt_resp_free(&r);
	rt_browser_post_is(x->t, &x->own, target, GOOD_FORM, 404, NULL);
	assert_int_equal(rt_count(x->t, &q_named, DB_ARGS(DB_TEXT("Southtown Lunch"))), 1);
	snprintf(target, sizeof(target), "/manage/services/%s/confirm", theirs);
	rt_browser_post_is(x->t, &x->own, target, NULL, 404, NULL);
	/* And one that does not exist looks the same. */
	rt_browser_get_is(x->t, &x->own, "/manage/services/00000000-0000-4000-8000-000000000000/edit",
			404, NULL);
}

static void review_publish_archive_verify(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char draft[37], live[37], target[128];
	int64_t later;

	rt_service(x->t, ORG_A, "Draft Walk", SVC_DRAFT, draft);
	rt_service(x->t, ORG_A, "Live Walk", SVC_PUBLISHED, live);

	/* Only coordinators and admins review. */
	rt_browser_get_is(x->t, &x->own, "/review", 403, NULL);
	snprintf(target, sizeof(target), "/manage/services/%s/publish", draft);
	rt_browser_post_is(x->t, &x->own, target, NULL, 403, NULL);
	assert_int_equal(state_is(x->t, draft, "draft"), 1);

	rt_browser_get_is(x->t, &x->coord, "/review", 200, ">Draft Walk</a>", target, NULL);

	/* Without the form token: refused. */
	{
		char body[] = "back=review";

		rt_browser_request(x->t, &x->coord, "POST", target, NULL, body, &r);
		assert_int_equal(r.status, 403);
		rt_resp_free(&r);
		assert_int_equal(state_is(x->t, draft, "draft"), 1);
	}

	/* Archiving asks first: a page that names the service and says what
	 * will happen, carrying the form forward; nothing changes yet. */
	snprintf(target, sizeof(target), "/manage/services/%s/archive", live);
	rt_browser_post(x->t, &x->coord, target, "back=review", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Archive Live Walk?"));
	assert_non_null(strstr(r.body, "will no longer find it"));
	assert_non_null(strstr(r.body, "name=\"confirm\" value=\"yes\""));
	assert_non_null(strstr(r.body, "name=\"back\" value=\"review\""));
	assert_non_null(strstr(r.body, "href=\"/review\""));
	rt_resp_free(&r);
	assert_int_equal(state_is(x->t, live, "published"), 1);
	assert_int_equal(audited(x->t, "service.archived", live), 0);
	rt_browser_post_is(x->t, &x->coord, target, "back=review&confirm=yes", 303, NULL);
	assert_int_equal(state_is(x->t, live, "archived"), 1);
	assert_int_equal(audited(x->t, "service.archived", live), 1);
	assert_false(search_has(x->t, "walk", "Live Walk"));

	snprintf(target, sizeof(target), "/manage/services/%s/publish", live);
	rt_browser_post_is(x->t, &x->coord, target, NULL, 303, NULL);
	assert_true(search_has(x->t, "walk", "Live Walk"));

	later = time_now() + 86400;
	time_set_fake(later);
	rt_sign_in(x->t, x->cora, &x->coord);
	snprintf(target, sizeof(target), "/manage/services/%s/verify", live);
	rt_browser_post(x->t, &x->coord, target, "back=review&page=1", &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(rt_header(&r, "Location"), "/review?done=verified");
	rt_resp_free(&r);
	assert_int_equal(rt_count(x->t, &q_assured, DB_ARGS(DB_TEXT(live), DB_INT(later - 86400))), 1);
	assert_int_equal(audited(x->t, "service.verified", live), 1);

	/* A draft cannot be marked as checked. */
	snprintf(target, sizeof(target), "/manage/services/%s/verify", draft);
	rt_browser_post_is(x->t, &x->coord, target, NULL, 409, NULL);

	rt_browser_get(x->t, &x->coord, "/review?done=verified", &r);
	assert_true(rt_has(&r, "The service is marked as checked today."));
	rt_resp_free(&r);
}

static void review_pages(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char id[37], name[32];

	for (int i = 0; i < 25; i++) {
		snprintf(name, sizeof(name), "Draft %02d", i);
		rt_service(x->t, ORG_A, name, SVC_DRAFT, id);
	}
	rt_browser_get_is(x->t, &x->coord, "/review", 200, "25 listings need attention",
			"href=\"/review?page=2\"", "Page 1 of 2", NULL);
	rt_browser_get(x->t, &x->coord, "/review?page=2", &r);
	assert_true(rt_has(&r, "Page 2 of 2"));
	assert_true(rt_has(&r, "href=\"/review?page=1\""));
	assert_true(rt_has(&r, "name=\"page\" value=\"2\""));
	rt_resp_free(&r);
}

static void organiser_confirms_still_running(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char id[37], target[128];
	int64_t later = time_now() + 30 * 86400;

	rt_service(x->t, ORG_A, "Tuesday Health Walk", SVC_PUBLISHED, id);
	time_set_fake(later);
	rt_sign_in(x->t, x->olu, &x->own);
	snprintf(target, sizeof(target), "/manage/services/%s/confirm", id);
	rt_browser_post(x->t, &x->own, target, "back=manage", &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(rt_header(&r, "Location"), "/manage?done=confirmed");
	rt_resp_free(&r);
	assert_int_equal(rt_count(x->t, &q_assured, DB_ARGS(DB_TEXT(id), DB_INT(later))), 1);
	assert_int_equal(audited(x->t, "service.confirmed", id), 1);
	rt_browser_get(x->t, &x->own, "/manage?done=confirmed", &r);
	assert_true(rt_has(&r, "Thank you. The service is marked as checked today."));
	rt_resp_free(&r);
}

/* The service form on the one POST path: a failed change names each
 * field in page order, keeps the long words in their textarea and leaves
 * the service as it was; the fixed one is saved and found at once. */
static void failed_change_keeps_the_service_and_what_was_typed(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char id[37], target[128];

	rt_service(x->t, ORG_A, "Tuesday Health Walk", SVC_PUBLISHED, id);
	snprintf(target, sizeof(target), "/manage/services/%s/edit", id);
	rt_browser_get(x->t, &x->own, target, &r);
	assert_int_equal(r.status, 200);
	rt_resp_free(&r);
	rt_browser_post(x->t, &x->own, target, "name=&description=Round+the+lake%0D%0A%0D%0AThen+tea"
		"&categories=walking&sched0_kind=weekly&sched0_weekday=1&in_person=1"
		"&address_1=1+Park+Road&town=Scunthorpe&postcode=DN15+6XX&join=turn-up", &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "<title>Error: Change Tuesday Health Walk"));
	assert_true(rt_has(&r, "href=\"#name\""));
	assert_true(rt_has(&r, "href=\"#free\""));
	assert_true(strstr(r.body, "href=\"#name\"") < strstr(r.body, "href=\"#free\""));
	assert_true(rt_has(&r, "name=\"description\" rows=\"8\""));
	assert_true(rt_has(&r, ">Round the lake\r\n\r\nThen tea</textarea>"));
	assert_true(rt_has(&r, "id=\"join\" name=\"join\" type=\"radio\" value=\"turn-up\" checked"));
	rt_resp_free(&r);
	assert_int_equal(rt_count(x->t, &q_named, DB_ARGS(DB_TEXT("Tuesday Health Walk"))), 1);

	rt_browser_post(x->t, &x->own, target, GOOD_FORM, &r);
	assert_int_equal(r.status, 303);
	snprintf(target, sizeof(target), "/services/%s?done=saved", id);
	assert_string_equal(rt_header(&r, "Location"), target);
	rt_resp_free(&r);
	assert_true(search_has(x->t, "gentle", "Tuesday Health Walk"));
	assert_int_equal(audited(x->t, "service.updated", id), 1);
}

/* Each listing on /review offers only the buttons that fit its state: a
 * draft is published or archived, not marked as checked. */
static void review_offers_the_buttons_that_fit(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char draft[37];

	rt_service(x->t, ORG_A, "Draft Walk", SVC_DRAFT, draft);
	rt_browser_get(x->t, &x->coord, "/review", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "class=\"govuk-button\" data-module=\"govuk-button\">Publish"
		"<span class=\"govuk-visually-hidden\"> Draft Walk</span>"));
	assert_false(rt_has(&r, "Mark as checked<span class=\"govuk-visually-hidden\">: Draft Walk</span>"));
	assert_true(rt_has(&r, "class=\"govuk-button govuk-button--warning\" data-module=\"govuk-button\">"
		"Archive<span class=\"govuk-visually-hidden\"> Draft Walk</span>"));
	rt_resp_free(&r);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(manage_lists_own_services),
		T(form_errors_keep_what_was_typed),
		T(organiser_adds_a_draft),
		T(coordinator_adds_for_any_organisation),
		T(organiser_edits_own_not_others),
		T(review_publish_archive_verify),
		T(review_pages),
		T(organiser_confirms_still_running),
		T(failed_change_keeps_the_service_and_what_was_typed),
		T(review_offers_the_buttons_that_fit),
	};
#undef T

	return testdb_run_groups("manage", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
