/*
 * test_groups_web.c - groups through app_handle(), on both backends, with
 * the clock pinned (NOW, a Tuesday: the test walk meets every Tuesday
 * 10:00 to 11:30): making a group (who may, its errors), its page for a
 * visitor, a member and a host (members-only details), "Let them know
 * you're coming" on a turn-up service; "I'm going" with a capacity and a
 * waiting list (the first waiting given a freed place and told), under
 * many people asking at once (never over capacity); every session (kept
 * ahead by the job, a missed one remembered); cancelling (everyone going
 * told, nobody may say they are going), moving and putting back; one-off
 * sessions; reminders the day before, sent once; the host's message (its
 * words in the email only when the group is not sensitive); hosts named
 * by email; an unpublished group hidden; and "download my data" and
 * erasing.
 */
#include "core/common.h"

#include <pthread.h>
#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>

#include "auth/person.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "directory/directory.h"
#include "groups/groups.h"
#include "store/store.h"
#include "support/cast.h"
#include "support/reqtest.h"

#define MEMBER ROLE_BIT(ROLE_MEMBER)
/* Tuesday 12 January 2027, 09:00 GMT. */
#define NOW uk_to_utc(2027, 1, 12, 9, 0)
#define DAY INT64_C(86400)

static const struct sql q_rsvp = { "tgw.rsvp",
	"SELECT count(*) FROM group_rsvp WHERE service_id = $1 AND skey = $2 AND state = $3", NULL };
static const struct sql q_rsvp_of = { "tgw.rsvp_of",
	"SELECT count(*) FROM group_rsvp WHERE service_id = $1 AND skey = $2 AND person_id = $3 AND state = $4",
	NULL };
static const struct sql q_rsvps_of = { "tgw.rsvps_of",
	"SELECT count(*) FROM group_rsvp WHERE service_id = $1 AND person_id = $2", NULL };
static const struct sql q_groups = { "tgw.groups", "SELECT count(*) FROM community_group", NULL };
static const struct sql q_member = { "tgw.member",
	"SELECT count(*) FROM group_member WHERE service_id = $1 AND person_id = $2", NULL };
static const struct sql q_session = { "tgw.session",
	"SELECT count(*) FROM group_session WHERE service_id = $1 AND skey = $2 AND state = $3 AND day = $4", NULL };
static const struct sql q_attendance = { "tgw.attendance",
	"SELECT count(*) FROM group_attendance WHERE walk_in = 'Someone whose account was erased'", NULL };
static const struct sql q_register = { "tgw.register",
	"INSERT INTO group_register (service_id, skey, held_on, taken_at) VALUES ($1, $2, $2, $3)", NULL };
static const struct sql q_attend = { "tgw.attend",
	"INSERT INTO group_attendance (service_id, skey, person_id, recorded_at) VALUES ($1, $2, $3, $4)", NULL };
static const struct sql q_unpublish = { "tgw.unpublish",
	"UPDATE service SET state = 'draft' WHERE id = $1", NULL };

struct fx {
	struct rt *t;
	RT_CAST_MEMBERS;        /* olu, bea, lin, cora, tom, mo; own, other, link, coord, comm, member */
	int64_t ada, pat, pia, una;
	struct rt_browser ada_b, pat_b, pia_b, una_b;
	char svc[37];
	struct group_env env;
};

static int setup(void **state)
{
	struct fx *x;

	time_set_fake(NOW);
	if (!(x = rt_fixture(state, sizeof(*x), NULL)))
		return -1;
	rt_cast(x->t, &x->cast, RT_CAST_EVERYONE | RT_CAST_BROWSERS);
	x->ada = rt_person(x->t, "Ada Walker", "ada@example.org", NULL, MEMBER, NULL);
	x->pat = rt_person(x->t, "Pat Host", "pat@example.org", NULL, MEMBER | ROLE_BIT(ROLE_PEER_SUPPORTER), NULL);
	x->pia = rt_person(x->t, "Pia Walker", "pia@example.org", NULL, MEMBER, NULL);
	x->una = rt_person_unverified(x->t, "Una Unconfirmed", "una@example.org", NULL, MEMBER, NULL);
	rt_sign_in(x->t, x->ada, &x->ada_b);
	rt_sign_in(x->t, x->pat, &x->pat_b);
	rt_sign_in(x->t, x->pia, &x->pia_b);
	rt_sign_in(x->t, x->una, &x->una_b);
	rt_service(x->t, RT_ORG_A, "Tuesday Health Walk", SVC_PUBLISHED, x->svc);
	x->env = (struct group_env){ .mailer = &x->t->app.mailer, .links = &x->t->app.links,
				     .bus = &x->t->app.events };
	return 0;
}

static int teardown(void **state)
{
	return rt_fixture_free(state);
}


/* ---------------------------------------------------------------- helpers */

static int64_t rsvp(struct fx *x, const char *skey, const char *state)
{
	return rt_count(x->t, &q_rsvp, DB_ARGS(DB_TEXT(x->svc), DB_TEXT(skey), DB_TEXT(state)));
}

static int64_t rsvp_of(struct fx *x, const char *skey, int64_t person, const char *state)
{
	return rt_count(x->t, &q_rsvp_of, DB_ARGS(DB_TEXT(x->svc), DB_TEXT(skey), DB_INT(person), DB_TEXT(state)));
}

/* The organiser makes the group with these fields (form-encoded). */
static void make_group(struct fx *x, const char *fields)
{
	rt_browser_post_to(x->t, &x->own, rt_at("/groups/%s/settings", x->svc), fields,
			   rt_at("/groups/%s?done=saved", x->svc));
}

#define OPEN_GROUP "welcome=Come+along&who_for=Anyone&members_only=Door+code+1234&capacity=&" \
	"show_count=yes&sensitive=no&open=yes"

static void going(struct fx *x, struct rt_browser *b, const char *skey, const char *done)
{
	rt_browser_post_to(x->t, b, rt_at("/groups/%s/sessions/%s/going", x->svc, skey), NULL,
			   rt_at("/groups/%s/sessions/%s?done=%s", x->svc, skey, done));
}

/* ---------------------------------------------------------------- making a group */

static void making_a_group(void **state)
{
	struct fx *x = *state;
	struct rt_browser visitor = { 0 };
	struct rt_resp r;

	/* Its editors are offered it on the service's page. */
	rt_browser_get_is(x->t, &x->own, rt_at("/services/%s", x->svc), 200, "Run this as a group", NULL);
	rt_browser_get_is(x->t, &x->own, rt_at("/groups/%s/settings", x->svc), 200, "Run this as a group",
			  "How many people can come to a session", NULL);
	/* Another organisation's organiser, a member, a link worker: not theirs. */
	rt_browser_get_is(x->t, &x->other, rt_at("/groups/%s/settings", x->svc), 403, NULL);
	rt_browser_post_is(x->t, &x->other, rt_at("/groups/%s/settings", x->svc), OPEN_GROUP, 403, NULL);
	rt_browser_get_is(x->t, &x->member, rt_at("/groups/%s/settings", x->svc), 403, NULL);
	rt_browser_get_is(x->t, &x->link, rt_at("/groups/%s/settings", x->svc), 403, NULL);
	assert_int_equal(rt_count(x->t, &q_groups, DB_NOARGS), 0);
	/* Errors are named by their field; nothing is made. */
	rt_browser_post_is(x->t, &x->own, rt_at("/groups/%s/settings", x->svc),
			   "welcome=Hi&capacity=lots&sensitive=no&open=yes", 422,
			   "Enter how many people can come to a session", NULL);
	rt_browser_post_is(x->t, &x->own, rt_at("/groups/%s/settings", x->svc), "welcome=Hi&capacity=3", 422,
			   "Choose whether emails should leave out the group", NULL);
	assert_int_equal(rt_count(x->t, &q_groups, DB_NOARGS), 0);
	make_group(x, OPEN_GROUP);
	assert_int_equal(rt_count(x->t, &q_groups, DB_NOARGS), 1);
	assert_int_equal(rt_audit_n(x->t, "group.created"), 1);

	/* A visitor: the welcome, the sessions, not the members' details. */
	rt_browser_get(x->t, &visitor, rt_at("/groups/%s", x->svc), &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Come along"));
	assert_true(rt_has(&r, "Tuesday 12 January 2027, 10:00 to 11:30"));
	assert_true(rt_has(&r, "Tuesday 19 January 2027, 10:00 to 11:30"));
	assert_true(rt_has(&r, "just turn up"));
	assert_false(rt_has(&r, "Door code 1234"));
	assert_false(rt_has(&r, "Running the group"));
	rt_resp_free(&r);
	/* The service says "Let them know you're coming", not "I'd like to go". */
	rt_browser_get(x->t, &x->member, rt_at("/services/%s", x->svc), &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Let them know you&#39;re coming") || rt_has(&r, "Let them know you're coming"));
	assert_false(rt_has(&r, "I&#39;d like to go"));
	assert_false(rt_has(&r, "I'd like to go"));
	rt_resp_free(&r);
	/* Joining shows the members' details. */
	rt_browser_post_to(x->t, &x->ada_b, rt_at("/groups/%s/join", x->svc), NULL, rt_at("/groups/%s?done=joined", x->svc));
	assert_int_equal(rt_count(x->t, &q_member, DB_ARGS(DB_TEXT(x->svc), DB_INT(x->ada))), 1);
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/groups/%s", x->svc), 200, "Door code 1234", "Leave the group", NULL);
	/* The organiser sees the host's tools. */
	rt_browser_get_is(x->t, &x->own, rt_at("/groups/%s", x->svc), 200, "Running the group", "Door code 1234", NULL);
	/* Making it twice is refused. */
	struct rt_resp again;
	rt_browser_post(x->t, &x->own, rt_at("/groups/%s/settings", x->svc), OPEN_GROUP, &again);
	assert_int_equal(again.status, 303);   /* the same form edits the group */
	rt_resp_free(&again);
	assert_int_equal(rt_count(x->t, &q_groups, DB_NOARGS), 1);
	/* Unconfirmed email: may not join. */
	rt_browser_post_is(x->t, &x->una_b, rt_at("/groups/%s/join", x->svc), NULL, 403, NULL);
	/* An unknown group: 404. */
	rt_browser_get_is(x->t, &x->ada_b, "/groups/00000000-0000-4000-8000-000000000000", 404, NULL);
}

/* ---------------------------------------------------------------- going, and waiting */

static void going_full_and_waiting(void **state)
{
	struct fx *x = *state;
	const char *s = "2027-01-19";

	make_group(x, "welcome=&capacity=2&show_count=yes&sensitive=no&open=yes");
	going(x, &x->ada_b, s, "going");
	going(x, &x->member, s, "going");
	/* Full: the third waits. */
	going(x, &x->pia_b, s, "waiting");
	assert_int_equal(rsvp(x, s, "going"), 2);
	assert_int_equal(rsvp(x, s, "waiting"), 1);
	/* Saying it again changes nothing. */
	going(x, &x->ada_b, s, "going");
	assert_int_equal(rsvp(x, s, "going"), 2);
	/* The public sees the count (the host allows it), hosts the names. */
	rt_browser_get_is(x->t, &x->link, rt_at("/groups/%s/sessions/%s", x->svc, s), 200,
			  "2 people are going (full)", "1 waiting for a place", NULL);
	rt_browser_get_is(x->t, &x->own, rt_at("/groups/%s/sessions/%s", x->svc, s), 200, "Ada Walker",
			  "Pia Walker (waiting for a place)", NULL);
	assert_int_equal(rt_audit_n(x->t, "group.going_list.read"), 1);
	/* Ada drops out: Pia has her place, and is told. */
	rt_browser_post_to(x->t, &x->ada_b, rt_at("/groups/%s/sessions/%s/not-going", x->svc, s), NULL,
			   rt_at("/groups/%s/sessions/%s?done=not_going", x->svc, s));
	assert_int_equal(rsvp_of(x, s, x->pia, "going"), 1);
	assert_int_equal(rsvp(x, s, "going"), 2);
	assert_int_equal(rsvp(x, s, "waiting"), 0);
	assert_int_equal(rt_mail_n(x->t, "pia@example.org", "group_place_free"), 1);
	char *m = rt_mail_text(x->t, "pia@example.org", "group_place_free");
	assert_non_null(strstr(m, "Tuesday Health Walk"));
	assert_non_null(strstr(m, rt_at("/groups/%s/sessions/%s", x->svc, s)));
	free(m);
	/* A larger capacity lets the next waiting in. */
	going(x, &x->ada_b, s, "waiting");
	make_group(x, "welcome=&capacity=3&show_count=yes&sensitive=no&open=yes");
	assert_int_equal(rsvp_of(x, s, x->ada, "going"), 1);
	/* A past session and an unknown day are refused. */
	rt_browser_post_is(x->t, &x->ada_b, rt_at("/groups/%s/sessions/2027-01-05/going", x->svc), NULL, 409,
			   "already happened", NULL);
	rt_browser_post_is(x->t, &x->ada_b, rt_at("/groups/%s/sessions/2027-01-20/going", x->svc), NULL, 404, NULL);
	rt_browser_post_is(x->t, &x->ada_b, rt_at("/groups/%s/sessions/walk/going", x->svc), NULL, 404, NULL);
	/* A closed group takes nobody new. */
	make_group(x, "welcome=&capacity=3&show_count=yes&sensitive=no");
	rt_browser_post_is(x->t, &x->pat_b, rt_at("/groups/%s/sessions/%s/going", x->svc, "2027-01-26"), NULL, 409,
			   "not taking anyone new", NULL);
}

/* Many people asking for the last places at once, each on their own
 * connection: never more going than the capacity. */
#define RUSH 8

struct rush {
	struct fx *x;
	struct rt_browser b;
	char target[160], body[160];
	int status;
};

static void *rush_one(void *arg)
{
	struct rush *r = arg;
	struct rt_resp resp;

	rt_browser_request(r->x->t, &r->b, "POST", r->target, NULL, r->body, &resp);
	r->status = resp.status;
	rt_resp_free(&resp);
	return NULL;
}

static void never_over_capacity_at_once(void **state)
{
	struct fx *x = *state;
	struct rush r[RUSH];
	pthread_t th[RUSH];

	make_group(x, "welcome=&capacity=3&show_count=yes&sensitive=no&open=yes");
	for (int i = 0; i < RUSH; i++) {
		char email[40];
		int64_t id;
		struct rt_resp page;

		snprintf(email, sizeof(email), "rush%d@example.org", i);
		id = rt_person(x->t, "Rusher", email, NULL, MEMBER, NULL);
		r[i].x = x;
		rt_sign_in(x->t, id, &r[i].b);
		/* Each one's form token from the page, then the POST with it. */
		rt_browser_get(x->t, &r[i].b, rt_at("/groups/%s/sessions/2027-01-19", x->svc), &page);
		rt_resp_free(&page);
		char token[sizeof(r[i].b.csrf)];
		memcpy(token, r[i].b.csrf, sizeof(token));
		snprintf(r[i].body, sizeof(r[i].body), "csrf_token=%s", token);
		snprintf(r[i].target, sizeof(r[i].target), "/groups/%s/sessions/2027-01-19/going", x->svc);
		r[i].status = 0;
	}
	for (int i = 0; i < RUSH; i++)
		assert_int_equal(pthread_create(&th[i], NULL, rush_one, &r[i]), 0);
	for (int i = 0; i < RUSH; i++)
		pthread_join(th[i], NULL);
	int ok = 0;
	for (int i = 0; i < RUSH; i++)
		ok += r[i].status == 303;
	/* Every one answered (a place or the waiting list), and only three go. */
	assert_int_equal(ok, RUSH);
	assert_int_equal(rsvp(x, "2027-01-19", "going"), 3);
	assert_int_equal(rsvp(x, "2027-01-19", "waiting"), RUSH - 3);
}

/* ---------------------------------------------------------------- every session */

static void every_session(void **state)
{
	struct fx *x = *state;
	int sent = 0;

	make_group(x, OPEN_GROUP);
	rt_browser_post_to(x->t, &x->ada_b, rt_at("/groups/%s/every-session", x->svc), "every=yes",
			   rt_at("/groups/%s?done=series", x->svc));
	/* Eight weeks of Tuesdays from today: 12 January to 2 March. */
	assert_int_equal(rt_count(x->t, &q_rsvps_of, DB_ARGS(DB_TEXT(x->svc), DB_INT(x->ada))), 8);
	assert_int_equal(rsvp_of(x, "2027-01-12", x->ada, "going"), 1);
	assert_int_equal(rsvp_of(x, "2027-03-02", x->ada, "going"), 1);
	/* She will miss one; the job does not put it back. */
	rt_browser_post_to(x->t, &x->ada_b, rt_at("/groups/%s/sessions/2027-01-26/not-going", x->svc), NULL,
			   rt_at("/groups/%s/sessions/2027-01-26?done=not_going", x->svc));
	assert_int_equal(db_begin(rt_db(x->t)), ERR_OK);
	assert_int_equal(group_job(&x->env, rt_db(x->t), NOW + 7 * DAY, &sent), ERR_OK);
	assert_int_equal(db_commit(rt_db(x->t)), ERR_OK);
	assert_int_equal(rsvp_of(x, "2027-01-26", x->ada, "going"), 0);
	/* A week on the job keeps eight weeks ahead: 9 March too. */
	assert_int_equal(rsvp_of(x, "2027-03-09", x->ada, "going"), 1);
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/groups/%s", x->svc), 200, "You are going to every session", NULL);
	/* Stopping takes away the ones it made that are to come. */
	assert_int_equal(db_begin(rt_db(x->t)), ERR_OK);
	assert_int_equal(group_series_leave(&x->env, rt_db(x->t), x->svc, x->ada, NOW + 7 * DAY), ERR_OK);
	assert_int_equal(db_commit(rt_db(x->t)), ERR_OK);
	/* The session of the 12th has been (it stays, as what she said). */
	assert_int_equal(rt_count(x->t, &q_rsvps_of, DB_ARGS(DB_TEXT(x->svc), DB_INT(x->ada))), 1);
	/* The button stops it too. */
	rt_browser_post_to(x->t, &x->ada_b, rt_at("/groups/%s/every-session", x->svc), "every=yes",
			   rt_at("/groups/%s?done=series", x->svc));
	rt_browser_post_to(x->t, &x->ada_b, rt_at("/groups/%s/every-session", x->svc), "every=no",
			   rt_at("/groups/%s?done=series_stopped", x->svc));
	assert_int_equal(rsvp_of(x, "2027-01-19", x->ada, "going"), 0);
}

/* ---------------------------------------------------------------- changing sessions */

static void cancelling_tells_everyone_going(void **state)
{
	struct fx *x = *state;
	const char *s = "2027-01-19";

	make_group(x, OPEN_GROUP);
	going(x, &x->ada_b, s, "going");
	going(x, &x->pia_b, s, "going");
	/* Only hosts may; a member is refused. */
	rt_browser_post_is(x->t, &x->ada_b, rt_at("/groups/%s/sessions/%s/cancel", x->svc, s), "note=x", 403, NULL);
	rt_browser_post_to(x->t, &x->own, rt_at("/groups/%s/sessions/%s/cancel", x->svc, s),
			   "note=The+park+is+flooded", rt_at("/groups/%s/sessions/%s?done=cancelled", x->svc, s));
	assert_int_equal(rt_count(x->t, &q_session, DB_ARGS(DB_TEXT(x->svc), DB_TEXT(s), DB_TEXT("cancelled"),
							    DB_TEXT(s))), 1);
	assert_int_equal(rt_mail_n(x->t, "ada@example.org", "group_session_cancelled"), 1);
	assert_int_equal(rt_mail_n(x->t, "pia@example.org", "group_session_cancelled"), 1);
	char *m = rt_mail_text(x->t, "ada@example.org", "group_session_cancelled");
	assert_non_null(strstr(m, "The park is flooded"));
	assert_non_null(strstr(m, "Tuesday 19 January 2027"));
	free(m);
	/* Nobody may say they are going now. */
	rt_browser_post_is(x->t, &x->member, rt_at("/groups/%s/sessions/%s/going", x->svc, s), NULL, 409,
			   "cancelled", NULL);
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/groups/%s/sessions/%s", x->svc, s), 200, "This session is cancelled",
			  "The park is flooded", NULL);
	/* Nobody is going to it now: no "You're going", no count, nothing to add to a calendar. */
	struct rt_resp r;
	rt_browser_get(x->t, &x->ada_b, rt_at("/groups/%s/sessions/%s", x->svc, s), &r);
	assert_false(rt_has(&r, "You're going"));
	assert_false(rt_has(&r, "people are going"));
	assert_false(rt_has(&r, "Add to my calendar"));
	rt_resp_free(&r);
	/* Cancelling again is refused; putting it back on tells them again. */
	rt_browser_post_is(x->t, &x->own, rt_at("/groups/%s/sessions/%s/cancel", x->svc, s), NULL, 409,
			   "already cancelled", NULL);
	rt_browser_post_to(x->t, &x->own, rt_at("/groups/%s/sessions/%s/restore", x->svc, s), NULL,
			   rt_at("/groups/%s/sessions/%s?done=restored", x->svc, s));
	assert_int_equal(rt_mail_n(x->t, "ada@example.org", "group_session_changed"), 1);
	going(x, &x->member, s, "going");
}

static void moving_and_one_offs(void **state)
{
	struct fx *x = *state;
	const char *s = "2027-01-26";
	struct rt_resp r;

	make_group(x, OPEN_GROUP);
	going(x, &x->ada_b, s, "going");
	/* Errors first: a time that is not one, a day in the past, a day with a session. */
	rt_browser_post_is(x->t, &x->own, rt_at("/groups/%s/sessions/%s/change", x->svc, s),
			   "day-day=28&day-month=1&day-year=2027&opens=quarter+past&closes=", 422,
			   "Enter the time it starts like 10:00", NULL);
	rt_browser_post_is(x->t, &x->own, rt_at("/groups/%s/sessions/%s/change", x->svc, s),
			   "day-day=5&day-month=1&day-year=2027&opens=&closes=", 422, "today or later", NULL);
	rt_browser_post_is(x->t, &x->own, rt_at("/groups/%s/sessions/%s/change", x->svc, s),
			   "day-day=2&day-month=2&day-year=2027&opens=&closes=", 422, "already a session on that day",
			   NULL);
	rt_browser_post_is(x->t, &x->own, rt_at("/groups/%s/sessions/%s/change", x->svc, s),
			   "day-day=28&day-month=1&day-year=2027&opens=14:00&closes=13:00", 422,
			   "must be after the time it starts", NULL);
	/* Moved to Thursday afternoon, somewhere else. */
	rt_browser_post_to(x->t, &x->own, rt_at("/groups/%s/sessions/%s/change", x->svc, s),
			   "day-day=28&day-month=1&day-year=2027&opens=14:00&closes=15:30&place=The+Library&"
			   "postcode=dn156xx&note=Bring+a+coat", rt_at("/groups/%s/sessions/%s?done=changed", x->svc, s));
	assert_int_equal(rt_count(x->t, &q_session, DB_ARGS(DB_TEXT(x->svc), DB_TEXT(s), DB_TEXT("on"),
							    DB_TEXT("2027-01-28"))), 1);
	char *m = rt_mail_text(x->t, "ada@example.org", "group_session_changed");
	assert_non_null(strstr(m, "Thursday 28 January 2027, 14:00 to 15:30"));
	assert_non_null(strstr(m, "The Library"));
	free(m);
	rt_browser_get(x->t, &x->ada_b, rt_at("/groups/%s", x->svc), &r);
	assert_true(rt_has(&r, "Thursday 28 January 2027, 14:00 to 15:30"));
	assert_true(rt_has(&r, "Moved from 26 January 2027"));
	assert_false(rt_has(&r, "Tuesday 26 January 2027"));
	rt_resp_free(&r);
	/* Ada is still going (her place moved with it). */
	assert_int_equal(rsvp_of(x, s, x->ada, "going"), 1);
	/* A one-off: a name is needed; not on a day with a session. */
	rt_browser_post_is(x->t, &x->own, rt_at("/groups/%s/sessions/new", x->svc),
			   "title=&day-day=30&day-month=1&day-year=2027&opens=12:00&closes=14:00", 422,
			   "Enter a name for the session", NULL);
	rt_browser_post_is(x->t, &x->own, rt_at("/groups/%s/sessions/new", x->svc),
			   "title=Lunch&day-day=2&day-month=2&day-year=2027&opens=12:00&closes=14:00", 422,
			   "already a session on that day", NULL);
	rt_browser_post_to(x->t, &x->own, rt_at("/groups/%s/sessions/new", x->svc),
			   "title=New+Year+lunch&day-day=30&day-month=1&day-year=2027&opens=12:00&closes=14:00",
			   rt_at("/groups/%s/sessions/2027-01-30?done=changed", x->svc));
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/groups/%s", x->svc), 200,
			  "New Year lunch: Saturday 30 January 2027, 12:00 to 14:00", NULL);
	going(x, &x->ada_b, "2027-01-30", "going");
	/* Only hosts see the forms. */
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/groups/%s/sessions/new", x->svc), 403, NULL);
	rt_browser_get_is(x->t, &x->own, rt_at("/groups/%s/sessions/%s/change", x->svc, "2027-02-02"), 200,
			  "Change a session", NULL);
}

/* ---------------------------------------------------------------- reminders */

static void reminders_the_day_before_once(void **state)
{
	struct fx *x = *state;
	int sent = -1;

	make_group(x, OPEN_GROUP);
	going(x, &x->ada_b, "2027-01-19", "going");
	going(x, &x->pia_b, "2027-01-19", "going");
	going(x, &x->ada_b, "2027-01-26", "going");
	/* Monday 18 January, 08:00: before the reminder hour. */
	assert_int_equal(db_begin(rt_db(x->t)), ERR_OK);
	assert_int_equal(group_job(&x->env, rt_db(x->t), uk_to_utc(2027, 1, 18, 8, 0), &sent), ERR_OK);
	assert_int_equal(db_commit(rt_db(x->t)), ERR_OK);
	assert_int_equal(sent, 0);
	/* 10:30: the two going on the 19th, not the 26th. */
	assert_int_equal(db_begin(rt_db(x->t)), ERR_OK);
	assert_int_equal(group_job(&x->env, rt_db(x->t), uk_to_utc(2027, 1, 18, 10, 30), &sent), ERR_OK);
	assert_int_equal(db_commit(rt_db(x->t)), ERR_OK);
	assert_int_equal(sent, 2);
	assert_int_equal(rt_mail_n(x->t, "ada@example.org", "group_reminder"), 1);
	char *m = rt_mail_text(x->t, "ada@example.org", "group_reminder");
	assert_non_null(strstr(m, "Tuesday 19 January 2027, 10:00 to 11:30"));
	assert_non_null(strstr(m, "1 Park Road"));
	free(m);
	/* Again: nothing more. */
	assert_int_equal(db_begin(rt_db(x->t)), ERR_OK);
	assert_int_equal(group_job(&x->env, rt_db(x->t), uk_to_utc(2027, 1, 18, 11, 0), &sent), ERR_OK);
	assert_int_equal(db_commit(rt_db(x->t)), ERR_OK);
	assert_int_equal(sent, 0);
	assert_int_equal(rt_mail_n(x->t, "ada@example.org", "group_reminder"), 1);
	/* The channel setting "none": claimed, nothing sent. */
	struct group_settings gs = { .group_series_weeks = 8, .group_reminder_hour = 10 };
	snprintf(gs.group_reminder_channel, sizeof(gs.group_reminder_channel), "none");
	struct group_env quiet = x->env;
	quiet.settings = &gs;
	assert_int_equal(db_begin(rt_db(x->t)), ERR_OK);
	assert_int_equal(group_job(&quiet, rt_db(x->t), uk_to_utc(2027, 1, 25, 10, 30), &sent), ERR_OK);
	assert_int_equal(db_commit(rt_db(x->t)), ERR_OK);
	assert_int_equal(sent, 0);
	assert_int_equal(rt_mail_n(x->t, "ada@example.org", "group_reminder"), 1);
}

/* ---------------------------------------------------------------- messages and hosts */

static void messages_and_hosts(void **state)
{
	struct fx *x = *state;
	char *m;

	make_group(x, OPEN_GROUP);
	rt_browser_post_to(x->t, &x->ada_b, rt_at("/groups/%s/join", x->svc), NULL, rt_at("/groups/%s?done=joined", x->svc));
	/* Hosts by email: a confirmed account is needed. */
	rt_browser_post_is(x->t, &x->own, rt_at("/groups/%s/hosts", x->svc), "email=una@example.org", 422,
			   "confirmed email address", NULL);
	rt_browser_post_is(x->t, &x->own, rt_at("/groups/%s/hosts", x->svc), "email=nobody@example.org", 422,
			   "confirmed email address", NULL);
	rt_browser_post_to(x->t, &x->own, rt_at("/groups/%s/hosts", x->svc), "email=pat@example.org",
			   rt_at("/groups/%s/members?done=host_added", x->svc));
	/* Pat hosts: the members, the session forms; not the group's settings. */
	rt_browser_get_is(x->t, &x->pat_b, rt_at("/groups/%s/members", x->svc), 200, "Ada Walker", NULL);
	rt_browser_get_is(x->t, &x->pat_b, rt_at("/groups/%s/settings", x->svc), 403, NULL);
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/groups/%s/members", x->svc), 403, NULL);
	/* A message, not sensitive: its words in the email. */
	rt_browser_post_is(x->t, &x->pat_b, rt_at("/groups/%s/messages", x->svc), "body=", 422, "Write your message", NULL);
	rt_browser_post_to(x->t, &x->pat_b, rt_at("/groups/%s/messages", x->svc), "body=Meet+by+the+gate",
			   rt_at("/groups/%s?done=sent", x->svc));
	m = rt_mail_text(x->t, "ada@example.org", "group_message");
	assert_non_null(strstr(m, "Meet by the gate"));
	free(m);
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/groups/%s", x->svc), 200, "Meet by the gate", NULL);
	/* Sensitive: the email says only that there is one. */
	make_group(x, "welcome=&show_count=yes&sensitive=yes&open=yes");
	rt_browser_post_to(x->t, &x->pat_b, rt_at("/groups/%s/messages", x->svc), "body=Second+note",
			   rt_at("/groups/%s?done=sent", x->svc));
	assert_int_equal(rt_mail_n(x->t, "ada@example.org", "group_message"), 2);
	m = rt_mail_text(x->t, "ada@example.org", "group_message");
	assert_null(strstr(m, "Second note"));
	assert_null(strstr(m, "Tuesday Health Walk"));
	free(m);
	/* Members may not message everyone. */
	rt_browser_post_is(x->t, &x->ada_b, rt_at("/groups/%s/messages", x->svc), "body=Hi", 403, NULL);
	/* Removing the host. */
	rt_browser_post_to(x->t, &x->own, rt_at("/groups/%s/hosts/%lld/remove", x->svc, (long long)x->pat), NULL,
			   rt_at("/groups/%s/members?done=host_removed", x->svc));
	rt_browser_get_is(x->t, &x->pat_b, rt_at("/groups/%s/members", x->svc), 403, NULL);
}

/* ---------------------------------------------------------------- hidden, and the list */

static void an_unpublished_group_is_hidden(void **state)
{
	struct fx *x = *state;
	struct rt_browser visitor = { 0 };

	make_group(x, OPEN_GROUP);
	rt_browser_get_is(x->t, &visitor, "/groups", 200, "Tuesday Health Walk", NULL);
	assert_int_equal(db_exec(rt_db(x->t), &q_unpublish, DB_ARGS(DB_TEXT(x->svc)), NULL), ERR_OK);
	rt_browser_get_is(x->t, &visitor, rt_at("/groups/%s", x->svc), 404, NULL);
	rt_browser_get_is(x->t, &x->member, rt_at("/groups/%s/sessions/2027-01-19", x->svc), 404, NULL);
	rt_browser_get_is(x->t, &x->own, rt_at("/groups/%s", x->svc), 200, NULL);
	rt_browser_get_is(x->t, &x->coord, rt_at("/groups/%s", x->svc), 200, NULL);
}

static void my_sessions_on_the_list(void **state)
{
	struct fx *x = *state;

	make_group(x, OPEN_GROUP);
	going(x, &x->ada_b, "2027-01-19", "going");
	rt_browser_get_is(x->t, &x->ada_b, "/groups", 200, "Sessions you are going to",
			  "Tuesday 19 January 2027, 10:00 to 11:30", NULL);
}

/* ---------------------------------------------------------------- privacy */

static void download_and_erase(void **state)
{
	struct fx *x = *state;
	json_t *out = json_object();

	make_group(x, "welcome=&capacity=1&show_count=yes&sensitive=no&open=yes");
	rt_browser_post_to(x->t, &x->ada_b, rt_at("/groups/%s/join", x->svc), NULL, rt_at("/groups/%s?done=joined", x->svc));
	going(x, &x->ada_b, "2027-01-19", "going");
	going(x, &x->pia_b, "2027-01-19", "waiting");
	assert_int_equal(db_exec(rt_db(x->t), &q_register, DB_ARGS(DB_TEXT(x->svc), DB_TEXT("2027-01-05"),
				 DB_INT(NOW)), NULL), ERR_OK);
	assert_int_equal(db_exec(rt_db(x->t), &q_attend, DB_ARGS(DB_TEXT(x->svc), DB_TEXT("2027-01-05"),
				 DB_INT(x->ada), DB_INT(NOW)), NULL), ERR_OK);
	assert_int_equal(group_export_person(rt_db(x->t), x->ada, NOW, out), ERR_OK);
	json_t *g = json_object_get(out, "groups");
	assert_int_equal(json_array_size(json_object_get(g, "groups")), 1);
	assert_int_equal(json_array_size(json_object_get(g, "going")), 1);
	assert_int_equal(json_array_size(json_object_get(g, "attended")), 1);
	json_decref(out);
	/* Erased: gone from the group, her place to Pia, the session still counted. */
	assert_int_equal(db_begin(rt_db(x->t)), ERR_OK);
	assert_int_equal(group_erase_person(rt_db(x->t), x->ada, NOW), ERR_OK);
	assert_int_equal(db_commit(rt_db(x->t)), ERR_OK);
	assert_int_equal(rt_count(x->t, &q_member, DB_ARGS(DB_TEXT(x->svc), DB_INT(x->ada))), 0);
	assert_int_equal(rt_count(x->t, &q_rsvps_of, DB_ARGS(DB_TEXT(x->svc), DB_INT(x->ada))), 0);
	assert_int_equal(rsvp_of(x, "2027-01-19", x->pia, "going"), 1);
	assert_int_equal(rt_count(x->t, &q_attendance, DB_NOARGS), 1);
}


/* ---------------------------------------------------------------- who may, and how they are refused */

enum gw_actor {
	GW_VISITOR, GW_UNCONFIRMED, GW_MEMBER, GW_GROUP_MEMBER, GW_HOST, GW_ORGANISER, GW_OTHER_ORG,
	GW_LINK_WORKER, GW_COORDINATOR, GW_COMMISSIONER, GW__MAX
};

static const char *const gw_names[GW__MAX] = {
	"visitor", "member with no confirmed email", "member", "member of the group", "host",
	"organiser of the group's organisation", "organiser of another", "link worker", "coordinator",
	"commissioner",
};

#define L 1      /* a visitor sent to sign in: 303 to /login */
#define NA 0     /* not asked */
#define OK 200

/* Every groups page and form on the real group ({g}) and its session of
 * 19 January: what each actor is answered. POSTs are chosen to change
 * nothing for whoever may use them (a form with something wrong: 422), so
 * the walk stands on the same group throughout; 403 where the group is
 * public but the action is not theirs. */
static const struct {
	const char *method, *path, *body;
	int want[GW__MAX];
} group_walk[] = {
	{ "GET", "/groups", NULL, { OK, OK, OK, OK, OK, OK, OK, OK, OK, OK } },
	{ "GET", "/groups/{g}", NULL, { OK, OK, OK, OK, OK, OK, OK, OK, OK, OK } },
	{ "GET", "/groups/{g}/settings", NULL, { L, 403, 403, 403, 403, OK, 403, 403, OK, 403 } },
	{ "POST", "/groups/{g}/settings", "capacity=lots", { L, 403, 403, 403, 403, 422, 403, 403, 422, 403 } },
	{ "GET", "/groups/{g}/members", NULL, { L, 403, 403, 403, OK, OK, 403, 403, OK, 403 } },
	{ "POST", "/groups/{g}/hosts", "email=", { L, 403, 403, 403, 403, 422, 403, 403, 422, 403 } },
	{ "POST", "/groups/{g}/hosts/{pat}/remove", NULL, { L, 403, 403, 403, 403, NA, 403, 403, NA, 403 } },
	{ "POST", "/groups/{g}/messages", "body=", { L, 403, 403, 403, 422, 422, 403, 403, 422, 403 } },
	{ "GET", "/groups/{g}/sessions/new", NULL, { L, 403, 403, 403, OK, OK, 403, 403, OK, 403 } },
	{ "POST", "/groups/{g}/sessions/new", "title=", { L, 403, 403, 403, 422, 422, 403, 403, 422, 403 } },
	{ "GET", "/groups/{g}/sessions/2027-01-19", NULL, { OK, OK, OK, OK, OK, OK, OK, OK, OK, OK } },
	{ "POST", "/groups/{g}/sessions/2027-01-05/going", NULL,
	  { L, 403, 409, 409, 409, 409, 409, 409, 409, 409 } },
	{ "POST", "/groups/{g}/sessions/2027-01-05/not-going", NULL,
	  { L, 403, 303, 303, 303, 303, 303, 303, 303, 303 } },
	{ "POST", "/groups/{g}/join", NULL, { L, 403, NA, NA, NA, NA, NA, NA, NA, NA } },
	{ "POST", "/groups/{g}/leave", NULL, { L, 403, NA, NA, NA, NA, NA, NA, NA, NA } },
	{ "POST", "/groups/{g}/every-session", "every=no", { L, 403, NA, NA, NA, NA, NA, NA, NA, NA } },
	{ "GET", "/groups/{g}/sessions/2027-01-19/change", NULL, { L, 403, 403, 403, OK, OK, 403, 403, OK, 403 } },
	{ "POST", "/groups/{g}/sessions/2027-01-19/change", "opens=never",
	  { L, 403, 403, 403, 422, 422, 403, 403, 422, 403 } },
	{ "POST", "/groups/{g}/sessions/2027-01-05/cancel", NULL, { L, 403, 403, 403, 409, 409, 403, 403, 409, 403 } },
	{ "POST", "/groups/{g}/sessions/2027-01-19/restore", NULL,
	  { L, 403, 403, 403, 409, 409, 403, 403, 409, 403 } },
};

static void every_route_as_everyone(void **state)
{
	struct fx *x = *state;
	struct rt_browser visitor = { 0 };
	struct rt_browser *b[GW__MAX] = {
		[GW_VISITOR] = &visitor, [GW_UNCONFIRMED] = &x->una_b, [GW_MEMBER] = &x->member,
		[GW_GROUP_MEMBER] = &x->ada_b, [GW_HOST] = &x->pat_b, [GW_ORGANISER] = &x->own,
		[GW_OTHER_ORG] = &x->other, [GW_LINK_WORKER] = &x->link, [GW_COORDINATOR] = &x->coord,
		[GW_COMMISSIONER] = &x->comm,
	};
	int wrong = 0;

	make_group(x, OPEN_GROUP);
	rt_browser_post_to(x->t, &x->ada_b, rt_at("/groups/%s/join", x->svc), NULL, rt_at("/groups/%s?done=joined", x->svc));
	rt_browser_post_to(x->t, &x->own, rt_at("/groups/%s/hosts", x->svc), "email=pat@example.org",
			   rt_at("/groups/%s/members?done=host_added", x->svc));
	for (size_t i = 0; i < ARRAY_LEN(group_walk); i++) {
		char path[256], pat[24];
		size_t o = 0;

		snprintf(pat, sizeof(pat), "%lld", (long long)x->pat);
		for (const char *p = group_walk[i].path; *p && o + 64 < sizeof(path);) {
			const char *with = strncmp(p, "{g}", 3) == 0 ? x->svc : strncmp(p, "{pat}", 5) == 0 ? pat : NULL;
			if (with) {
				o += (size_t)snprintf(path + o, sizeof(path) - o, "%s", with);
				p += with == pat ? 5 : 3;
			} else {
				path[o++] = *p++;
			}
		}
		path[o] = '\0';
		for (int a = 0; a < GW__MAX; a++) {
			struct rt_resp r;
			int want = group_walk[i].want[a], got;

			if (want == NA)
				continue;
			if (!rt_walk_step(x->t, b[a], group_walk[i].method, group_walk[i].path, path, group_walk[i].body, want, gw_names[a], &r,
					  &got))
				wrong++;
			/* Nobody outside sees the members' details or a member's name. */
			if (got == OK && (a == GW_VISITOR || a == GW_MEMBER || a == GW_OTHER_ORG || a == GW_LINK_WORKER ||
					  a == GW_COMMISSIONER) && (rt_has(&r, "Door code 1234") || rt_has(&r, "Ada Walker"))) {
				print_error("%s %s as %s: shows the members' details\n", group_walk[i].method,
					    group_walk[i].path, gw_names[a]);
				wrong++;
			}
			rt_resp_free(&r);
		}
	}
	assert_int_equal(wrong, 0);
	/* The walk changed nothing. */
	assert_int_equal(rt_count(x->t, &q_groups, DB_NOARGS), 1);
	assert_int_equal(rt_count(x->t, &q_member, DB_ARGS(DB_TEXT(x->svc), DB_INT(x->ada))), 1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(making_a_group),
		T(going_full_and_waiting),
		T(never_over_capacity_at_once),
		T(every_session),
		T(cancelling_tells_everyone_going),
		T(moving_and_one_offs),
		T(reminders_the_day_before_once),
		T(messages_and_hosts),
		T(an_unpublished_group_is_hidden),
		T(my_sessions_on_the_list),
		T(download_and_erase),
		T(every_route_as_everyone),
	};
#undef T

	return testdb_run_groups("groups pages", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
