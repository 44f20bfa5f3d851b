/*
 * test_events_api.c - /api/v1/events (src/groups/events_api.c) through
 * app_handle(), on both backends, with the clock pinned (NOW, a Monday):
 * the window's defaults (today and six days on), a postcode and
 * proximity, sessions as the search index has them with each group's
 * changes laid over them (a cancelled session marked, a moved one on its
 * new day and out of its old one, a one-off, a changed place), times with
 * the UK's offset (GMT and BST), an all-day session, paging (small pages
 * are the big page cut, though each reads less of the index), every bad
 * input a 400 problem naming its parameter, and "I'm going" through the
 * API with an API token and an API session: going, waiting past the
 * capacity, the count the public sees, the first waiting given the place
 * when someone drops out; refused to a visitor (401), an unconfirmed
 * email (403), a service without a group (404 in words), a cancelled or
 * past session (409), and a browser session without a JSON body (415).
 *
 * Three services: the Tuesday walk in Scunthorpe (DN15 6XX), a group of
 * capacity 2 that shows its count; a Wednesday cafe 1.5 km away (no
 * times, no group); and a Tuesday afternoon club in Brigg, 11 km away
 * (no group).
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/timeutil.h"
#include "core/uktime.h"
#include "directory/directory.h"
#include "groups/calendar.h"
#include "groups/groups.h"
#include "store/store.h"
#include "support/apitest.h"
#include "support/cast.h"
#include "support/reqtest.h"
#include "web/api.h"

/* Monday 30 November 2026, 09:00 GMT. */
#define NOW uk_to_utc(2026, 11, 30, 9, 0)
#define MEMBER ROLE_BIT(ROLE_MEMBER)
#define CAFE "cafe0000-0000-4000-8000-000000000001"

struct fx {
	struct rt *t;
	RT_CAST_MEMBERS;
	char walk[37], cafe[37], brigg[37];
	int64_t una;
	char tuna[TOKEN_LEN + 1];
};

static void service(struct rt *t, const char *org, const char *name, const char *postcode, int weekday,
		const char *opens, const char *closes, char out[37])
{
	struct svc_form f = {
		.org_id = org, .name = name, .description = "Come along.", .join = JOIN_TURN_UP, .free = true,
		.in_person = true, .place_name = "Church Hall", .address_1 = "1 Park Road", .town = "Scunthorpe",
		.postcode = postcode,
		.scheds = { { .kind = "weekly", .weekday = weekday, .opens = opens, .closes = closes } },
	};

	rt_service_form(t, &f, SVC_PUBLISHED, NOW, out);
}

/* A service from ORUK JSON: the form cannot make one without a time. */
static void service_json(struct rt *t, const char *json)
{
	struct save_opts o = { .source = SRC_IMPORT, .state = SVC_PUBLISHED, .now = NOW };
	json_t *doc = json_loads(json, 0, NULL), *fields = NULL;
	struct save_report rep;

	assert_non_null(doc);
	assert_int_equal(db_begin(rt_db(t)), ERR_OK);
	assert_int_equal(directory_save(rt_db(t), doc, &o, &rep, &fields), ERR_OK);
	assert_int_equal(db_commit(rt_db(t)), ERR_OK);
	assert_int_equal(directory_apply_changes(t->app.directory, rt_db(t)), ERR_OK);
	json_decref(fields);
	json_decref(doc);
}

static const struct group_env *env(struct rt *t)
{
	static struct group_env e;

	e = (struct group_env){ .links = &t->app.links };
	return &e;
}

static int setup(void **state)
{
	struct fx *x;
	json_t *errors = json_array();
	struct group_fields gf = { .welcome = "Welcome", .capacity = 2, .show_count = true, .open = true };

	time_set_fake(NOW);
	if (!(x = rt_fixture(state, sizeof(*x), NULL)))
		return -1;
	/* Mo's bearer is an API session, the others' API tokens. */
	rt_cast(x->t, &x->cast, RT_CAST_EVERYONE | RT_CAST_TOKENS | RT_CAST_BROWSERS |
		RT_CAST_SESSIONS(RT_CAST_MO));
	x->una = rt_person_unverified(x->t, "Una Unconfirmed", "una@example.org", NULL, MEMBER, NULL);
	rt_bearer(x->t, x->una, RT_API_TOKEN, x->tuna);
	service(x->t, RT_ORG_A, "Tuesday Health Walk", "DN15 6XX", 1, "10:00", "11:30", x->walk);
	snprintf(x->cafe, sizeof(x->cafe), "%s", CAFE);
	service_json(x->t, "{\"id\":\"" CAFE "\",\"name\":\"Wednesday Cafe\",\"status\":\"active\","
		     "\"organization\":{\"id\":\"" RT_ORG_A "\",\"name\":\"Northtown Walkers\"},"
		     "\"schedules\":[{\"freq\":\"WEEKLY\",\"byday\":\"WE\"}],"
		     "\"service_at_locations\":[{\"location\":{\"name\":\"The Cafe\",\"addresses\":[{"
		     "\"address_1\":\"2 High Street\",\"city\":\"Scunthorpe\",\"postal_code\":\"DN16 1AB\"}]}}]}");
	service(x->t, RT_ORG_B, "Brigg Afternoon Club", "DN20 8LD", 1, "14:00", "15:00", x->brigg);
	assert_int_equal(db_begin(rt_db(x->t)), ERR_OK);
	assert_int_equal(group_create(rt_db(x->t), x->walk, &gf, x->olu, NOW, errors), ERR_OK);
	assert_int_equal(db_commit(rt_db(x->t)), ERR_OK);
	json_decref(errors);
	return 0;
}

static int teardown(void **state)
{
	return rt_fixture_free(state);
}

/* ---------------------------------------------------------------- helpers */

/* GET target, which must answer 200 with JSON. */
static void list(struct rt *t, const char *target, struct rt_json *out)
{
	rt_api(t, "GET", target, NULL, NULL, out);
	if (out->r.status != 200 || !out->j)
		fail_msg("GET %s: %d %s", target, out->r.status, out->r.body ? out->r.body : "");
}

/* The event "<svc>-<ymd>" of a list, or NULL. */
static json_t *event(const struct rt_json *r, const char *svc, const char *ymd)
{
	char id[64];
	json_t *it;
	size_t i;

	snprintf(id, sizeof(id), "%s-%s", svc, ymd);
	json_array_foreach(json_object_get(r->j, "items"), i, it)
		if (rt_jstr(it, "id") && strcmp(rt_jstr(it, "id"), id) == 0)
			return it;
	return NULL;
}

static size_t nitems(const struct rt_json *r)
{
	return json_array_size(json_object_get(r->j, "items"));
}

/* A 400 problem whose errors name param and whose detail says so. */
static void refused(struct rt *t, const char *query, const char *param)
{
	char target[256], says[64];
	struct rt_json r;
	const json_t *e;

	snprintf(target, sizeof(target), "/api/v1/events?%s", query);
	snprintf(says, sizeof(says), "The %s parameter", param);
	rt_api(t, "GET", target, NULL, NULL, &r);
	e = json_array_get(json_object_get(r.j, "errors"), 0);
	if (r.r.status != 400 || !rt_jstr(r.j, "detail") || !strstr(rt_jstr(r.j, "detail"), says) ||
	    !rt_jstr(e, "field") || strcmp(rt_jstr(e, "field"), param) != 0)
		fail_msg("%s: %d %s (wanted a 400 naming %s)", target, r.r.status, r.r.body ? r.r.body : "", param);
	assert_non_null(strstr(r.r.content_type, "application/problem+json"));
	rt_json_free(&r);
}

static void rsvp(struct rt *t, const char *method, const char *svc, const char *ymd, const char *token,
		int status, const char *state, int going, int waiting)
{
	char target[160];
	struct rt_json r;

	snprintf(target, sizeof(target), "/api/v1/events/%s-%s/rsvp", svc, ymd);
	rt_api(t, method, target, strcmp(method, "POST") == 0 ? "{}" : NULL, token, &r);
	if (r.r.status != status)
		fail_msg("%s %s: %d %s", method, target, r.r.status, r.r.body ? r.r.body : "");
	if (state) {
		assert_string_equal(rt_jstr(r.j, "state"), state);
		assert_int_equal(json_integer_value(json_object_get(r.j, "going")), going);
		assert_int_equal(json_integer_value(json_object_get(r.j, "waiting")), waiting);
	}
	rt_json_free(&r);
}

/* A refusal with words: status and a detail containing words. */
static void rsvp_refused(struct rt *t, const char *method, const char *target, const char *token, int status,
		const char *words)
{
	struct rt_json r;

	rt_api(t, method, target, strcmp(method, "POST") == 0 ? "{}" : NULL, token, &r);
	if (r.r.status != status || (words && (!rt_jstr(r.j, "detail") || !strstr(rt_jstr(r.j, "detail"), words))))
		fail_msg("%s %s: %d %s (wanted %d saying \"%s\")", method, target, r.r.status,
			 r.r.body ? r.r.body : "", status, words ? words : "");
	rt_json_free(&r);
}

/* ---------------------------------------------------------------- the window */

static void defaults_are_this_week(void **state)
{
	struct fx *x = *state;
	struct rt_json r;
	json_t *w, *b, *c;

	list(x->t, "/api/v1/events", &r);
	assert_string_equal(rt_jstr(r.j, "from"), "2026-11-30");
	assert_string_equal(rt_jstr(r.j, "to"), "2026-12-06");
	assert_int_equal(json_integer_value(json_object_get(r.j, "total")), 3);
	assert_int_equal(nitems(&r), 3);
	/* In order of day and time: the walk, the club, then the cafe. */
	w = json_array_get(json_object_get(r.j, "items"), 0);
	b = json_array_get(json_object_get(r.j, "items"), 1);
	c = json_array_get(json_object_get(r.j, "items"), 2);
	assert_ptr_equal(w, event(&r, x->walk, "20261201"));
	assert_ptr_equal(b, event(&r, x->brigg, "20261201"));
	assert_ptr_equal(c, event(&r, x->cafe, "20261202"));
	assert_string_equal(rt_jstr(w, "name"), "Tuesday Health Walk");
	assert_string_equal(rt_jstr(w, "service_id"), x->walk);
	assert_string_equal(rt_jstr(json_object_get(w, "organisation"), "id"), RT_ORG_A);
	assert_string_equal(rt_jstr(json_object_get(w, "organisation"), "name"), "Northtown Walkers");
	assert_string_equal(rt_jstr(w, "start"), "2026-12-01T10:00:00+00:00");
	assert_string_equal(rt_jstr(w, "end"), "2026-12-01T11:30:00+00:00");
	assert_true(json_is_false(json_object_get(w, "cancelled")));
	assert_true(json_is_false(json_object_get(w, "changed")));
	assert_true(json_is_true(json_object_get(w, "rsvp")));
	assert_int_equal(json_integer_value(json_object_get(w, "going")), 0);
	assert_null(json_object_get(w, "distance"));
	assert_non_null(strstr(rt_jstr(w, "url"), "/groups/"));
	assert_non_null(strstr(rt_jstr(w, "url"), "/sessions/2026-12-01"));
	assert_non_null(strstr(rt_jstr(w, "calendar"), "/sessions/2026-12-01/calendar.ics"));
	/* No group: no "I'm going", no count; the link is the service's. */
	assert_true(json_is_false(json_object_get(b, "rsvp")));
	assert_null(json_object_get(b, "going"));
	assert_non_null(strstr(rt_jstr(b, "url"), "/services/"));
	/* A session with no time is a day. */
	assert_string_equal(rt_jstr(c, "date"), "2026-12-02");
	assert_null(json_object_get(c, "start"));
	assert_string_equal(rt_header(&r.r, "Access-Control-Allow-Origin"), "*");
	rt_json_free(&r);

	/* A window of its own; in summer the offset is BST's. */
	list(x->t, "/api/v1/events?from=2027-06-01&to=2027-06-01", &r);
	assert_int_equal(nitems(&r), 2);
	assert_string_equal(rt_jstr(event(&r, x->walk, "20270601"), "start"), "2027-06-01T10:00:00+01:00");
	assert_string_equal(rt_jstr(event(&r, x->brigg, "20270601"), "end"), "2027-06-01T15:00:00+01:00");
	rt_json_free(&r);
	/* from alone: a week from it. */
	list(x->t, "/api/v1/events?from=2027-01-04", &r);
	assert_string_equal(rt_jstr(r.j, "to"), "2027-01-10");
	assert_int_equal(nitems(&r), 3);
	rt_json_free(&r);
	/* The longest window: 62 days, nine Tuesdays, Wednesdays each. */
	list(x->t, "/api/v1/events?from=2026-12-01&to=2027-01-31&per_page=100", &r);
	assert_int_equal(json_integer_value(json_object_get(r.j, "total")), 9 + 9 + 9);
	rt_json_free(&r);
}

static void postcode_and_proximity(void **state)
{
	struct fx *x = *state;
	struct rt_json r;
	json_t *w, *c;

	/* Five miles by default: Brigg is too far. */
	list(x->t, "/api/v1/events?postcode=DN15+6XX", &r);
	assert_string_equal(rt_jstr(r.j, "postcode"), "DN15 6XX");
	assert_int_equal(json_integer_value(json_object_get(r.j, "proximity")), 8047);
	assert_int_equal(nitems(&r), 2);
	assert_non_null(w = event(&r, x->walk, "20261201"));
	assert_non_null(c = event(&r, x->cafe, "20261202"));
	assert_null(event(&r, x->brigg, "20261201"));
	assert_true(json_integer_value(json_object_get(w, "distance")) < 100);
	assert_true(json_integer_value(json_object_get(c, "distance")) > 500);
	rt_json_free(&r);
	/* A kilometre: only the walk. */
	list(x->t, "/api/v1/events?postcode=dn156xx&proximity=1000", &r);
	assert_int_equal(nitems(&r), 1);
	assert_non_null(event(&r, x->walk, "20261201"));
	rt_json_free(&r);
	/* Twenty: all three, Brigg's distance about 11 km. */
	list(x->t, "/api/v1/events?postcode=DN15%206XX&proximity=20000", &r);
	assert_int_equal(nitems(&r), 3);
	w = event(&r, x->brigg, "20261201");
	assert_true(json_integer_value(json_object_get(w, "distance")) > 9000);
	assert_true(json_integer_value(json_object_get(w, "distance")) < 13000);
	rt_json_free(&r);
	/* The first half of a postcode works as /find's box does. */
	list(x->t, "/api/v1/events?postcode=DN15&proximity=3000", &r);
	assert_null(event(&r, x->brigg, "20261201"));
	rt_json_free(&r);
}

/* ---------------------------------------------------------------- the groups' changes */

static void changes_are_laid_over(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	struct group_change moved = { .day = "2026-12-17", .opens = 14 * 60, .closes = 15 * 60 + 30,
				      .note = "At the library this week" };
	struct group_change place = { .opens = -1, .closes = -1, .place = "St John's Hall, Church Lane",
				      .postcode = "DN15 7AA" };
	struct group_change lunch = { .day = "2026-12-03", .opens = 12 * 60, .closes = 14 * 60,
				      .title = "Christmas lunch" };
	json_t *errors = json_array();
	char skey[GROUP_SKEY];
	struct rt_json r;
	json_t *e;

	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(group_session_cancel(env(x->t), db, x->walk, "2026-12-08", "The leader is away", x->olu,
					      NOW, errors), ERR_OK);
	assert_int_equal(group_session_change(env(x->t), db, x->walk, "2026-12-15", &moved, x->olu, NOW, errors),
			 ERR_OK);
	assert_int_equal(group_session_change(env(x->t), db, x->walk, "2026-12-22", &place, x->olu, NOW, errors),
			 ERR_OK);
	assert_int_equal(group_one_off_add(env(x->t), db, x->walk, &lunch, x->olu, NOW, skey, errors), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	assert_int_equal(json_array_size(errors), 0);
	json_decref(errors);

	/* The one-off is in this week, in its place in the order. */
	list(x->t, "/api/v1/events", &r);
	assert_int_equal(json_integer_value(json_object_get(r.j, "total")), 4);
	e = json_array_get(json_object_get(r.j, "items"), 3);
	assert_ptr_equal(e, event(&r, x->walk, "20261203"));
	assert_true(json_is_true(json_object_get(e, "one_off")));
	assert_string_equal(rt_jstr(e, "title"), "Christmas lunch");
	assert_string_equal(rt_jstr(e, "start"), "2026-12-03T12:00:00+00:00");
	assert_true(json_is_true(json_object_get(e, "rsvp")));
	rt_json_free(&r);

	/* Cancelled: still listed, marked, no "I'm going". */
	list(x->t, "/api/v1/events?from=2026-12-07&to=2026-12-13", &r);
	assert_non_null(e = event(&r, x->walk, "20261208"));
	assert_true(json_is_true(json_object_get(e, "cancelled")));
	assert_true(json_is_false(json_object_get(e, "rsvp")));
	assert_string_equal(rt_jstr(e, "note"), "The leader is away");
	rt_json_free(&r);

	/* Moved: on its new day and time, with the id it had; not on the old. */
	list(x->t, "/api/v1/events?from=2026-12-14&to=2026-12-20", &r);
	assert_non_null(e = event(&r, x->walk, "20261215"));
	assert_string_equal(rt_jstr(e, "start"), "2026-12-17T14:00:00+00:00");
	assert_string_equal(rt_jstr(e, "end"), "2026-12-17T15:30:00+00:00");
	assert_true(json_is_true(json_object_get(e, "changed")));
	assert_true(json_is_false(json_object_get(e, "cancelled")));
	/* After the cafe's Wednesday (the 16th), before nothing. */
	assert_ptr_equal(json_array_get(json_object_get(r.j, "items"), 2), e);
	rt_json_free(&r);
	list(x->t, "/api/v1/events?from=2026-12-15&to=2026-12-15", &r);
	assert_null(event(&r, x->walk, "20261215"));
	assert_non_null(event(&r, x->brigg, "20261215"));
	assert_int_equal(json_integer_value(json_object_get(r.j, "total")), 1);
	rt_json_free(&r);
	list(x->t, "/api/v1/events?from=2026-12-17&to=2026-12-17", &r);
	assert_non_null(event(&r, x->walk, "20261215"));
	assert_int_equal(json_integer_value(json_object_get(r.j, "total")), 1);
	rt_json_free(&r);
	/* Moved into a window near a point: measured like any other. */
	list(x->t, "/api/v1/events?from=2026-12-17&to=2026-12-17&postcode=DN20+8LD&proximity=2000", &r);
	assert_int_equal(nitems(&r), 0);
	rt_json_free(&r);

	/* Somewhere else: the place is said. */
	list(x->t, "/api/v1/events?from=2026-12-22&to=2026-12-22&postcode=DN15+6XX&proximity=20000", &r);
	assert_non_null(e = event(&r, x->walk, "20261222"));
	assert_string_equal(rt_jstr(json_object_get(e, "place"), "address"), "St John's Hall, Church Lane");
	assert_string_equal(rt_jstr(json_object_get(e, "place"), "postcode"), "DN15 7AA");
	assert_true(json_is_true(json_object_get(e, "changed")));
	rt_json_free(&r);

	/* Paging walks the same order without repeats. */
	{
		const char *ids[8];
		size_t n = 0;

		for (int page = 1; page <= 4; page++) {
			char target[128];

			snprintf(target, sizeof(target), "/api/v1/events?from=2026-11-30&to=2026-12-13&per_page=2&page=%d",
				 page);
			list(x->t, target, &r);
			assert_int_equal(json_integer_value(json_object_get(r.j, "total")), 7);
			for (size_t i = 0; i < nitems(&r); i++) {
				const char *id = rt_jstr(json_array_get(json_object_get(r.j, "items"), i), "id");

				for (size_t k = 0; k < n; k++)
					assert_string_not_equal(ids[k], id);
				ids[n++] = strdup(id);
			}
			if (page < 4)
				assert_non_null(rt_jstr(r.j, "next_href"));
			else
				assert_null(rt_jstr(r.j, "next_href"));
			rt_json_free(&r);
		}
		assert_int_equal(n, 7);
		for (size_t k = 0; k < n; k++)
			free((void *)ids[k]);
	}
}

/* Pages read fewer sessions from the index than the window holds (the
 * page, plus one for each session a change takes out, plus a margin), and
 * more when the changes push the page past them: page by page, the same
 * events in the same order as one big page, each once. */
static void small_pages_are_the_big_page_cut(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	struct group_change moved = { .day = "2026-12-17", .opens = 7 * 60, .closes = 8 * 60 };
	struct group_change early = { .day = "2026-12-31", .opens = 6 * 60, .closes = 7 * 60 };
	struct group_change lunch = { .day = "2026-12-03", .opens = 6 * 60, .closes = 7 * 60, .title = "Breakfast" };
	json_t *errors = json_array(), *all;
	char skey[GROUP_SKEY], target[160];
	size_t k = 0;
	struct rt_json big, r;

	service_json(x->t, "{\"id\":\"da110000-0000-4000-8000-000000000001\",\"name\":\"Daily Stretch\","
		     "\"status\":\"active\",\"organization\":{\"id\":\"" RT_ORG_B "\",\"name\":"
		     "\"Southtown Lunch Club\"},\"schedules\":[{\"freq\":\"DAILY\",\"opens_at\":\"09:00\","
		     "\"closes_at\":\"09:30\"}],\"service_at_locations\":[{\"location\":{\"name\":\"Park\","
		     "\"addresses\":[{\"address_1\":\"Park Road\",\"city\":\"Scunthorpe\","
		     "\"postal_code\":\"DN15 6XX\"}]}}]}");
	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(group_session_cancel(env(x->t), db, x->walk, "2026-12-08", NULL, x->olu, NOW, errors),
			 ERR_OK);
	assert_int_equal(group_session_change(env(x->t), db, x->walk, "2026-12-15", &moved, x->olu, NOW, errors),
			 ERR_OK);
	assert_int_equal(group_session_change(env(x->t), db, x->walk, "2027-01-26", &early, x->olu, NOW, errors),
			 ERR_OK);
	assert_int_equal(group_one_off_add(env(x->t), db, x->walk, &lunch, x->olu, NOW, skey, errors), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	json_decref(errors);

	/* 62 days: 9 walks (one moved from late January to New Year's Eve),
	 * 9 club afternoons, 9 cafe days, 62 stretches, a one-off. */
	list(x->t, "/api/v1/events?from=2026-12-01&to=2027-01-31&per_page=100", &big);
	all = json_object_get(big.j, "items");
	assert_int_equal(json_integer_value(json_object_get(big.j, "total")), 9 + 9 + 9 + 62 + 1);
	assert_int_equal(json_array_size(all), 90);
	for (int page = 1; page <= 30; page++) {
		snprintf(target, sizeof(target), "/api/v1/events?from=2026-12-01&to=2027-01-31&per_page=3&page=%d",
			 page);
		list(x->t, target, &r);
		assert_int_equal(json_integer_value(json_object_get(r.j, "total")), 90);
		for (size_t i = 0; i < nitems(&r); i++, k++)
			assert_string_equal(rt_jstr(json_array_get(json_object_get(r.j, "items"), i), "id"),
					    rt_jstr(json_array_get(all, k), "id"));
		rt_json_free(&r);
	}
	assert_int_equal(k, 90);
	/* The moved one sits at its new time, before that day's stretch. */
	snprintf(target, sizeof(target), "%s-20270126", x->walk);
	for (size_t i = 0; i + 1 < json_array_size(all); i++)
		if (strcmp(rt_jstr(json_array_get(all, i), "id"), target) == 0) {
			assert_string_equal(rt_jstr(json_array_get(all, i), "start"), "2026-12-31T06:00:00+00:00");
			assert_non_null(strstr(rt_jstr(json_array_get(all, i + 1), "id"), "da110000-"));
		}
	rt_json_free(&big);
}

/* ---------------------------------------------------------------- bad input */

static void bad_input_names_the_parameter(void **state)
{
	struct fx *x = *state;
	struct rt_json r;

	refused(x->t, "from=2026-13-01", "from");
	refused(x->t, "from=yesterday", "from");
	refused(x->t, "to=2026-02-30", "to");
	refused(x->t, "from=1999-12-31", "from");
	refused(x->t, "from=2026-12-10&to=2026-12-01", "to");
	refused(x->t, "to=2026-11-01", "to");
	refused(x->t, "from=2026-12-01&to=2027-02-01", "to");
	refused(x->t, "postcode=ZZ99+9ZZ", "postcode");
	refused(x->t, "postcode=Nowhereville", "postcode");
	refused(x->t, "postcode=DN15+6XX&proximity=0", "proximity");
	refused(x->t, "postcode=DN15+6XX&proximity=abc", "proximity");
	refused(x->t, "postcode=DN15+6XX&proximity=300000", "proximity");
	refused(x->t, "proximity=500", "proximity");
	/* Metres written plainly: not strtod's exponents, hex, signs, spaces
	 * or bare points, and the bound is the digits' (200000.5 is past it). */
	refused(x->t, "postcode=DN15+6XX&proximity=1e3", "proximity");
	refused(x->t, "postcode=DN15+6XX&proximity=0x10", "proximity");
	refused(x->t, "postcode=DN15+6XX&proximity=%205", "proximity");
	refused(x->t, "postcode=DN15+6XX&proximity=%2B5", "proximity");
	refused(x->t, "postcode=DN15+6XX&proximity=5.", "proximity");
	refused(x->t, "postcode=DN15+6XX&proximity=.5", "proximity");
	refused(x->t, "postcode=DN15+6XX&proximity=200000.5", "proximity");
	list(x->t, "/api/v1/events?postcode=DN15+6XX&proximity=1609.5", &r);
	assert_int_equal(json_integer_value(json_object_get(r.j, "proximity")), 1610);
	rt_json_free(&r);
	list(x->t, "/api/v1/events?postcode=DN15+6XX&proximity=200000.0", &r);
	assert_int_equal(json_integer_value(json_object_get(r.j, "proximity")), 200000);
	rt_json_free(&r);
	refused(x->t, "page=200&per_page=100", "page");
	refused(x->t, "near=DN15", "near");
	rt_api_list_rule(x->t, "/api/v1/events", x->tmem, API_PER_PAGE_MAX);
}

/* ---------------------------------------------------------------- "I'm going" */

static void going_and_waiting_through_the_api(void **state)
{
	struct fx *x = *state;
	struct rt_json r;

	rsvp(x->t, "POST", x->walk, "20261201", x->tmem, 200, "going", 1, 0);
	rsvp(x->t, "POST", x->walk, "20261201", x->tmem, 200, "going", 1, 0);     /* again: no change */
	rsvp(x->t, "POST", x->walk, "20261201", x->tlw, 200, "going", 2, 0);
	rsvp(x->t, "POST", x->walk, "20261201", x->tcoord, 200, "waiting", 2, 1); /* capacity 2 */
	/* The public sees the count. */
	list(x->t, "/api/v1/events", &r);
	assert_int_equal(json_integer_value(json_object_get(event(&r, x->walk, "20261201"), "going")), 2);
	rt_json_free(&r);
	/* Mo drops out: Cora is given the place. */
	rsvp(x->t, "DELETE", x->walk, "20261201", x->tmem, 200, "none", 2, 0);
	rsvp(x->t, "DELETE", x->walk, "20261201", x->tmem, 200, "none", 2, 0);   /* again: nothing to undo */
	rsvp(x->t, "POST", x->walk, "20261201", x->tcoord, 200, "going", 2, 0);
	/* A one-off too. */
	{
		json_t *errors = json_array();
		struct group_change c = { .day = "2026-12-03", .opens = 720, .closes = 840, .title = "Lunch" };
		char skey[GROUP_SKEY];

		assert_int_equal(db_begin(rt_db(x->t)), ERR_OK);
		assert_int_equal(group_one_off_add(env(x->t), rt_db(x->t), x->walk, &c, x->olu, NOW, skey, errors),
				 ERR_OK);
		assert_int_equal(db_commit(rt_db(x->t)), ERR_OK);
		json_decref(errors);
	}
	rsvp(x->t, "POST", x->walk, "20261203", x->tmem, 200, "going", 1, 0);
}

static void refusals(void **state)
{
	struct fx *x = *state;
	char target[160], cookie[160];
	json_t *errors = json_array();
	struct rt_resp r;
	const char *h[3];

	assert_int_equal(db_begin(rt_db(x->t)), ERR_OK);
	assert_int_equal(group_session_cancel(env(x->t), rt_db(x->t), x->walk, "2026-12-08", NULL, x->olu, NOW,
					      errors), ERR_OK);
	assert_int_equal(db_commit(rt_db(x->t)), ERR_OK);
	json_decref(errors);

	snprintf(target, sizeof(target), "/api/v1/events/%s-20261201/rsvp", x->walk);
	rsvp_refused(x->t, "POST", target, NULL, 401, "Sign in");
	rsvp_refused(x->t, "DELETE", target, NULL, 401, "Sign in");
	rsvp_refused(x->t, "POST", target, x->tuna, 403, "Confirm your email address");
	snprintf(target, sizeof(target), "/api/v1/events/%s-20261201/rsvp", x->brigg);
	rsvp_refused(x->t, "POST", target, x->tmem, 404, "has no group");
	snprintf(target, sizeof(target), "/api/v1/events/%s-20261208/rsvp", x->walk);
	rsvp_refused(x->t, "POST", target, x->tmem, 409, "cancelled");
	rsvp_refused(x->t, "DELETE", target, x->tmem, 409, "cancelled");
	snprintf(target, sizeof(target), "/api/v1/events/%s-20261124/rsvp", x->walk);
	rsvp_refused(x->t, "POST", target, x->tmem, 409, "already happened");
	snprintf(target, sizeof(target), "/api/v1/events/%s-20261202/rsvp", x->walk);
	rsvp_refused(x->t, "POST", target, x->tmem, 404, "no session on that day");
	rsvp_refused(x->t, "POST", "/api/v1/events/walk/rsvp", x->tmem, 404, "no event with that id");
	rsvp_refused(x->t, "POST", "/api/v1/events/00000000-0000-4000-8000-000000000000-20261201/rsvp", x->tmem,
		     404, "no event with that id");
	assert_int_equal(rt_audit_n(x->t, "group.going"), 0);

	/* A browser's session must send JSON: a form from another site cannot. */
	snprintf(target, sizeof(target), "/api/v1/events/%s-20261201/rsvp", x->walk);
	snprintf(cookie, sizeof(cookie), "Cookie: kith_session=%s", x->member.session);
	h[0] = cookie;
	h[1] = NULL;
	rt_request(x->t, "POST", target, h, NULL, 0, NULL, &r);
	assert_int_equal(r.status, 415);
	rt_resp_free(&r);
	h[1] = "Content-Type: application/x-www-form-urlencoded";
	h[2] = NULL;
	rt_request(x->t, "POST", target, h, "a=1", 3, NULL, &r);
	assert_int_equal(r.status, 415);
	rt_resp_free(&r);
	h[1] = "Content-Type: application/json";
	rt_request(x->t, "POST", target, h, "{}", 2, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"going\""));
	rt_resp_free(&r);
	/* No cross-site script may ask to: only the list answers OPTIONS. */
	rt_request(x->t, "OPTIONS", target, NULL, NULL, 0, NULL, &r);
	assert_int_equal(r.status, 405);
	rt_resp_free(&r);
	assert_int_equal(rt_audit_n(x->t, "group.going"), 1);
}

/* A page is kept: the same request again asks the database nothing and
 * is the same bytes; a change to a session here is seen by the very next
 * request; one another kith process made (written straight to the
 * database here) within events_cache_seconds. */
static const struct sql q_cancel_behind = { "tea.cancel_behind",
	"INSERT INTO group_session (service_id, skey, kind, state, day, sequence, updated_at) "
	"VALUES ($1, '2026-12-22', 'changed', 'cancelled', '2026-12-22', 1, $2)", NULL };

static void answers_are_kept_and_changes_seen(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	const char *q = "/api/v1/events?from=2026-12-07&to=2026-12-27";
	json_t *errors = json_array();
	struct rt_json a, b;
	uint64_t stmts;

	list(x->t, q, &a);
	stmts = db_stmt_count(db);
	list(x->t, q, &b);
	assert_int_equal(db_stmt_count(db), stmts);
	assert_int_equal(a.r.len, b.r.len);
	assert_memory_equal(a.r.body, b.r.body, a.r.len);
	assert_false(json_is_true(json_object_get(event(&b, x->walk, "20261215"), "cancelled")));
	rt_json_free(&a);
	rt_json_free(&b);

	/* Cancelled here: the next answer says so. */
	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(group_session_cancel(env(x->t), db, x->walk, "2026-12-15", NULL, x->olu, NOW, errors),
			 ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	list(x->t, q, &a);
	assert_true(json_is_true(json_object_get(event(&a, x->walk, "20261215"), "cancelled")));
	rt_json_free(&a);

	/* Someone going, here: the count the group shows moves at once. */
	assert_int_equal(db_begin(db), ERR_OK);
	enum rsvp_state st;
	const char *why;
	assert_int_equal(group_rsvp(env(x->t), db, x->walk, "2026-12-08", x->mo, NOW, &st, &why), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	list(x->t, q, &a);
	assert_int_equal(json_integer_value(json_object_get(event(&a, x->walk, "20261208"), "going")), 1);
	rt_json_free(&a);

	/* Another process's change: unseen until the answer's time is up. */
	assert_int_equal(db_exec(db, &q_cancel_behind, DB_ARGS(DB_TEXT(x->walk), DB_INT(NOW)), NULL), ERR_OK);
	list(x->t, q, &a);
	assert_false(json_is_true(json_object_get(event(&a, x->walk, "20261222"), "cancelled")));
	rt_json_free(&a);
	time_set_fake(NOW + 31);
	list(x->t, q, &a);
	assert_true(json_is_true(json_object_get(event(&a, x->walk, "20261222"), "cancelled")));
	rt_json_free(&a);
	time_set_fake(NOW);
	json_decref(errors);
}

/* The changes' statement starts from group_session's indexes, never a
 * scan of the services (SQLite; PostgreSQL plans with statistics). */
static void the_changes_read_few_rows(void **state)
{
	struct fx *x = *state;
	struct buf b;

	if (db_backend(rt_db(x->t)) != DB_SQLITE)
		skip();
	buf_init(&b, 1 << 16);
	assert_int_equal(calendar_window_plan(rt_db(x->t), &b), ERR_OK);
	assert_non_null(strstr(b.p, "group_session_skey"));
	assert_non_null(strstr(b.p, "group_session_day"));
	assert_null(strstr(b.p, "SCAN s"));
	assert_null(strstr(b.p, "service_assured"));
	buf_release(&b);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(defaults_are_this_week),
		T(postcode_and_proximity),
		T(changes_are_laid_over),
		T(small_pages_are_the_big_page_cut),
		T(bad_input_names_the_parameter),
		T(going_and_waiting_through_the_api),
		T(refusals),
		T(answers_are_kept_and_changes_seen),
		T(the_changes_read_few_rows),
	};
#undef T

	return testdb_run_groups("events API", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
