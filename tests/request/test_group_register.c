/*
 * test_group_register.c - the register of a group's session through
 * app_handle(), on both backends, with the clock pinned (NOW, a Tuesday
 * on which the group meets at 10:00): the loop (a link worker refers
 * someone with an account to the group's service, they say "I'm going",
 * the host ticks them and their referral is attended with that day;
 * ticked again once the sustained weeks have passed it is sustained); a
 * paper register typed in later with its day; walk-ins saved, tidied
 * and counted; ticking someone not on the list refused; a session to
 * come, a cancelled one and a day with no session refused; who may see
 * and take a register (404 for a group one may not see, 403 for one one
 * may see but not host); the paper register; participation counts
 * exact on a small known history (and a person's own count in
 * "download my data"); and the attendance API, its answer and each of
 * its problems.
 */
#include "core/common.h"

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>

#include "core/timeutil.h"
#include "core/uktime.h"
#include "directory/directory.h"
#include "groups/groups.h"
#include "groups/register.h"
#include "store/store.h"
#include "support/cast.h"
#include "support/reqtest.h"

#define MEMBER ROLE_BIT(ROLE_MEMBER)
#define DAY INT64_C(86400)

/* Tuesday 12 January 2027, 10:00 GMT: the group meets every Tuesday,
 * 10:00 to 11:30 (rt_service's walk). */
#define NOW uk_to_utc(2027, 1, 12, 10, 0)
#define TODAY "2027-01-12"
#define AT(y, m, d) uk_to_utc((y), (m), (d), 12, 0)

static const struct sql q_status = { "tgr.status",
	"SELECT count(*) FROM referral WHERE id = $1 AND status = $2", NULL };
static const struct sql q_step_on = { "tgr.step_on",
	"SELECT count(*) FROM referral_event WHERE referral_id = $1 AND to_status = $2 AND happened_on = $3",
	NULL };
static const struct sql q_attended_at = { "tgr.attended_at",
	"SELECT count(*) FROM referral WHERE id = $1 AND attended_at = $2", NULL };
static const struct sql q_register = { "tgr.register",
	"SELECT count(*) FROM group_register WHERE service_id = $1 AND skey = $2 AND held_on = $3 "
	"AND paper = $4", NULL };
static const struct sql q_registers = { "tgr.registers",
	"SELECT count(*) FROM group_register WHERE service_id = $1", NULL };
static const struct sql q_rows = { "tgr.rows",
	"SELECT count(*) FROM group_attendance WHERE service_id = $1 AND skey = $2", NULL };
static const struct sql q_walk_in = { "tgr.walk_in",
	"SELECT count(*) FROM group_attendance WHERE service_id = $1 AND skey = $2 AND walk_in = $3", NULL };
static const struct sql q_client_of = { "tgr.client_of",
	"SELECT client_id FROM referral WHERE id = $1", NULL };
static const struct sql q_steps_audited = { "tgr.steps_audited",
	"SELECT count(*) FROM audit WHERE action = 'referral.status' AND detail LIKE $1", NULL };
static const struct sql q_register_audit = { "tgr.register_audit",
	"SELECT count(*) FROM audit WHERE action = 'group.register' AND actor_id = $1 AND detail LIKE $2",
	NULL };

struct fx {
	struct rt *t;
	RT_CAST_MEMBERS;        /* olu, bea, lin, cora, tom, mo; own, other, link, coord, comm, member */
	int64_t ada, hal, pia;
	struct rt_browser ada_b, hal_b;
	char svc[37];
};

static struct db *db_of(struct fx *x)
{
	return rt_db(x->t);
}

/* A group of service svc, made by olu, open, no limit. */
static void make_group(struct fx *x, const char *svc)
{
	json_t *errors = json_array();

	assert_int_equal(db_begin(db_of(x)), ERR_OK);
	assert_int_equal(group_create(db_of(x), svc, &(const struct group_fields){ .welcome = "Come along",
		.open = true, .sensitive = true }, x->olu, NOW, errors), ERR_OK);
	assert_int_equal(db_commit(db_of(x)), ERR_OK);
	json_decref(errors);
}

static int setup_with(void **state, const char *const *settings)
{
	struct fx *x;
	json_t *errors = json_array();

	time_set_fake(NOW);
	if (!(x = rt_fixture(state, sizeof(*x), settings)))
		return -1;
	rt_cast(x->t, &x->cast, RT_CAST_EVERYONE | RT_CAST_BROWSERS | RT_CAST_TOKENS);
	x->ada = rt_person(x->t, "Ada Attender", "ada@example.org", NULL, MEMBER, NULL);
	x->hal = rt_person(x->t, "Hal Host", "hal@example.org", NULL, MEMBER | ROLE_BIT(ROLE_PEER_SUPPORTER),
			   NULL);
	x->pia = rt_person(x->t, "Pia Member", "pia@example.org", NULL, MEMBER, NULL);
	rt_sign_in(x->t, x->ada, &x->ada_b);
	rt_sign_in(x->t, x->hal, &x->hal_b);
	rt_service(x->t, RT_ORG_A, "Tuesday Health Walk", SVC_PUBLISHED, x->svc);
	make_group(x, x->svc);
	assert_int_equal(db_begin(db_of(x)), ERR_OK);
	assert_int_equal(group_host_add(db_of(x), x->svc, "hal@example.org", x->olu, NOW, errors), ERR_OK);
	assert_int_equal(db_commit(db_of(x)), ERR_OK);
	json_decref(errors);
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, NULL);
}

/* Still attending after two weeks instead of six. */
static int setup_two_weeks(void **state)
{
	static const char *const settings[] = { "rate_limit=0", "dev_mode=true",
		"referral_sustained_weeks=2", NULL };

	return setup_with(state, settings);
}

static int teardown(void **state)
{
	return rt_fixture_free(state);
}

/* ---------------------------------------------------------------- helpers */


static const char *reg(struct fx *x, const char *day)
{
	return rt_at("/groups/%s/sessions/%s/register", x->svc, day);
}

static int64_t count(struct fx *x, const struct sql *q, const struct db_val *args, size_t n)
{
	return rt_count(x->t, q, args, n);
}

static bool status_is(struct fx *x, const char *ref, const char *status)
{
	return count(x, &q_status, DB_ARGS(DB_TEXT(ref), DB_TEXT(status))) == 1;
}

static bool step_on(struct fx *x, const char *ref, const char *to, const char *day)
{
	return count(x, &q_step_on, DB_ARGS(DB_TEXT(ref), DB_TEXT(to), DB_TEXT(day))) == 1;
}

static int64_t rows(struct fx *x, const char *day)
{
	return count(x, &q_rows, DB_ARGS(DB_TEXT(x->svc), DB_TEXT(day)));
}

/* lin refers someone to the group's service through the API, at the
 * clock's time: by email (who may have an account) or, with email
 * NULL, by phone. The referral's id into out. */
static void refer(struct fx *x, const char *name, const char *email, char out[37])
{
	json_t *b = json_pack("{s:{s:s, s:s?, s:s, s:s}, s:{s:b, s:b, s:b, s:s}, s:{s:s, s:s}}",
		"person", "name", name, "email", email, "phone", "01632 960001",
		"contact_by", email ? "email" : "phone",
		"consent", "share", 1, "contact", 1, "outcome", 1, "method", "verbal",
		"target", "type", "service", "id", x->svc);
	char *body = json_dumps(b, JSON_COMPACT), auth[128];
	const char *h[] = { auth, "Content-Type: application/json", NULL };
	struct rt_resp r;
	json_t *j;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", x->tlw);
	rt_request(x->t, "POST", "/api/v1/referrals", h, body, strlen(body), "192.0.2.7", &r);
	if (r.status != 201)
		fail_msg("referring %s: %d %s", name, r.status, r.body);
	j = json_loads(r.body, 0, NULL);
	snprintf(out, 37, "%s", json_string_value(json_object_get(j, "id")));
	assert_int_equal(strlen(out), 36);
	json_decref(j);
	rt_resp_free(&r);
	free(body);
	json_decref(b);
}

static void client_of(struct fx *x, const char *ref, char out[37])
{
	struct db_res *r;

	assert_int_equal(db_query_one(db_of(x), &q_client_of, DB_ARGS(DB_TEXT(ref)), &r), ERR_OK);
	snprintf(out, 37, "%s", db_text(r, 0));
	db_res_free(r);
}

/* person says "I'm going" to session skey at now. */
static void going(struct fx *x, int64_t person, const char *skey, int64_t now)
{
	enum rsvp_state st;
	const char *why = NULL;

	assert_int_equal(db_begin(db_of(x)), ERR_OK);
	assert_int_equal(group_rsvp(NULL, db_of(x), x->svc, skey, person, now, &st, &why), ERR_OK);
	assert_int_equal(db_commit(db_of(x)), ERR_OK);
	assert_int_equal(st, RSVP_GOING);
}

static void join(struct fx *x, int64_t person)
{
	assert_int_equal(db_begin(db_of(x)), ERR_OK);
	assert_int_equal(group_join(NULL, db_of(x), x->svc, person, NOW), ERR_OK);
	assert_int_equal(db_commit(db_of(x)), ERR_OK);
}

/* GET as b: status, and a string the page must not hold (NULL: none). */
static void get_lacks(struct fx *x, struct rt_browser *b, const char *path, int status, const char *absent)
{
	struct rt_resp r;

	rt_browser_get(x->t, b, path, &r);
	if (r.status != status)
		fail_msg("GET %s: %d, wanted %d", path, r.status, status);
	if (absent && rt_has(&r, absent))
		fail_msg("GET %s holds \"%s\"", path, absent);
	rt_resp_free(&r);
}

static size_t occurrences(const struct rt_resp *r, const char *needle)
{
	size_t n = 0;

	for (const char *p = r->body; p && (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* The attendance API as token: status, and the answer (the caller
 * json_decref()s it). */
static json_t *api(struct fx *x, const char *token, const char *event, const char *body, int status)
{
	char auth[128];
	const char *h[3] = { NULL };
	size_t n = 0;
	struct rt_resp r;
	json_t *j;

	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h[n++] = auth;
	}
	h[n++] = "Content-Type: application/json";
	rt_request(x->t, "POST", rt_at("/api/v1/events/%s/attendance", event), h, body, strlen(body),
		   "192.0.2.7", &r);
	if (r.status != status)
		fail_msg("POST attendance %s %s: %d, wanted %d: %s", event, body, r.status, status, r.body);
	if (status >= 400 && !strstr(r.content_type ? r.content_type : "", "application/problem+json"))
		fail_msg("POST attendance %s: %d is not a problem document", event, r.status);
	j = json_loads(r.body, 0, NULL);
	rt_resp_free(&r);
	assert_non_null(j);
	return j;
}

static bool has_error_for(const json_t *j, const char *field)
{
	const json_t *e;
	size_t i;

	json_array_foreach(json_object_get(j, "errors"), i, e) {
		const char *f = json_string_value(json_object_get(e, "field"));

		if (f && strcmp(f, field) == 0)
			return true;
	}
	return false;
}

static const char *event_of(struct fx *x, const char *yyyymmdd)
{
	return rt_at("%s-%s", x->svc, yyyymmdd);
}

/* ---------------------------------------------------------------- the loop */

static void loop_attended_then_sustained(void **state)
{
	struct fx *x = *state;
	char ref[37], pattern[80], tick[40];

	snprintf(tick, sizeof(tick), "present=person-%lld", (long long)x->ada);
	refer(x, "Ada Attender", "ada@example.org", ref);
	/* Ada opens her referrals: the record becomes hers. She is going. */
	rt_browser_get_is(x->t, &x->ada_b, "/account/referrals", 200, NULL);
	going(x, x->ada, TODAY, NOW - DAY);
	assert_true(status_is(x, ref, "sent"));

	rt_browser_get_is(x->t, &x->own, reg(x, TODAY), 200, "Register for Tuesday 12 January 2027",
			  "Ada Attender", "Said they are going, referred", "Save the register",
			  "Walk-ins (one name a line)", "Print a paper register", NULL);
	/* Taken on the day: no date to give. */
	get_lacks(x, &x->own, reg(x, TODAY), 200, "When was it held?");
	rt_browser_post_to(x->t, &x->own, reg(x, TODAY), tick, rt_at("%s?done=saved", reg(x, TODAY)));
	rt_browser_get_is(x->t, &x->own, rt_at("%s?done=saved", reg(x, TODAY)), 200,
			  "The register is saved: 1 person came.", "checked", NULL);
	assert_int_equal(count(x, &q_register, DB_ARGS(DB_TEXT(x->svc), DB_TEXT(TODAY), DB_TEXT(TODAY),
						       DB_INT(0))), 1);
	assert_int_equal(rows(x, TODAY), 1);
	assert_int_equal(count(x, &q_register_audit, DB_ARGS(DB_INT(x->olu),
		DB_TEXT(rt_at("group=%s session=2027-01-12 %%people=1 referred=0 walk_ins=0", x->svc)))), 1);

	/* The referral walked on to attended that day, each step audited,
	 * and the link worker told how it went (Ada is not emailed about
	 * steps she was there for). */
	assert_true(status_is(x, ref, "attended"));
	assert_true(step_on(x, ref, "contacted", TODAY));
	assert_true(step_on(x, ref, "attended", TODAY));
	snprintf(pattern, sizeof(pattern), "referral=%s to=%%", ref);
	assert_int_equal(count(x, &q_steps_audited, DB_ARGS(DB_TEXT(pattern))), 3);
	assert_int_equal(rt_mail_n(x->t, "lin@example.org", "referral_outcome"), 1);
	assert_int_equal(rt_mail_n(x->t, "ada@example.org", "referral_update"), 0);

	/* Saving the same register again announces nobody twice. */
	rt_browser_post_to(x->t, &x->own, reg(x, TODAY), rt_at("%s&walk_ins=Ann", tick),
			   rt_at("%s?done=saved", reg(x, TODAY)));
	assert_int_equal(count(x, &q_steps_audited, DB_ARGS(DB_TEXT(pattern))), 3);
	assert_int_equal(rows(x, TODAY), 2);

	/* Two weeks on she comes again: still attending is six weeks away. */
	time_set_fake(NOW + 14 * DAY);
	rt_sign_in(x->t, x->hal, &x->hal_b);
	rt_browser_post_to(x->t, &x->hal_b, reg(x, "2027-01-26"), tick,
			   rt_at("%s?done=saved", reg(x, "2027-01-26")));
	assert_true(status_is(x, ref, "attended"));

	/* Six weeks after she first came: sustained, that day. */
	time_set_fake(NOW + 42 * DAY);
	rt_sign_in(x->t, x->hal, &x->hal_b);
	rt_browser_post_to(x->t, &x->hal_b, reg(x, "2027-02-23"), tick,
			   rt_at("%s?done=saved", reg(x, "2027-02-23")));
	assert_true(status_is(x, ref, "sustained"));
	assert_true(step_on(x, ref, "sustained", "2027-02-23"));
	assert_int_equal(rt_mail_n(x->t, "lin@example.org", "referral_outcome"), 2);
	time_set_fake(NOW);
}

/* The weeks to "still attending" are the app's setting. */
/* Referred by the address of her confirmed account, Ada has not opened
 * her referrals: she is on the list once, by her account, and ticking her
 * makes the record hers and moves the referral on. */
static void referred_account_not_yet_claimed(void **state)
{
	struct fx *x = *state;
	char ref[37], tick[40];
	struct rt_resp r;

	snprintf(tick, sizeof(tick), "present=person-%lld", (long long)x->ada);
	refer(x, "Ada Attender", "ada@example.org", ref);
	going(x, x->ada, TODAY, NOW - DAY);
	rt_browser_get(x->t, &x->own, reg(x, TODAY), &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Said they are going, referred"));
	/* Once: one box, by her account. */
	const char *first = strstr(r.body, "Ada Attender");
	assert_non_null(first);
	assert_null(strstr(first + 1, "Ada Attender"));
	rt_resp_free(&r);
	rt_browser_post_to(x->t, &x->own, reg(x, TODAY), tick, rt_at("%s?done=saved", reg(x, TODAY)));
	assert_true(status_is(x, ref, "attended"));
	assert_true(step_on(x, ref, "attended", TODAY));
	assert_int_equal(rt_audit_about(x->t, "client.claimed", x->ada), 1);
}

static void sustained_weeks_setting(void **state)
{
	struct fx *x = *state;
	char ref[37], tick[40];

	snprintf(tick, sizeof(tick), "present=person-%lld", (long long)x->ada);
	refer(x, "Ada Attender", "ada@example.org", ref);
	rt_browser_get_is(x->t, &x->ada_b, "/account/referrals", 200, NULL);
	rt_browser_post_to(x->t, &x->own, reg(x, TODAY), tick, rt_at("%s?done=saved", reg(x, TODAY)));
	assert_true(status_is(x, ref, "attended"));
	time_set_fake(NOW + 14 * DAY);
	rt_sign_in(x->t, x->olu, &x->own);
	rt_browser_post_to(x->t, &x->own, reg(x, "2027-01-26"), tick, rt_at("%s?done=saved", reg(x, "2027-01-26")));
	assert_true(status_is(x, ref, "sustained"));
	assert_true(step_on(x, ref, "sustained", "2027-01-26"));
	time_set_fake(NOW);
}

/* A paper register typed in a week later sets attended to its day. */
static void paper_register(void **state)
{
	struct fx *x = *state;
	const char *past = "2027-01-05";
	char ref[37], tick[40];

	snprintf(tick, sizeof(tick), "present=person-%lld", (long long)x->ada);
	time_set_fake(uk_to_utc(2027, 1, 1, 10, 0));
	refer(x, "Ada Attender", "ada@example.org", ref);
	time_set_fake(NOW);
	rt_browser_get_is(x->t, &x->ada_b, "/account/referrals", 200, NULL);

	rt_browser_get_is(x->t, &x->own, reg(x, past), 200, "Typing in a paper register",
			  "When was it held?", "name=\"held_on-day\"", "value=\"5\"", "Ada Attender", NULL);
	/* A day to come, more than a year ago, or none at all: said, and
	 * what was ticked stays ticked. */
	rt_browser_post_is(x->t, &x->own, reg(x, past),
			   rt_at("%s&held_on-day=13&held_on-month=1&held_on-year=2027", tick), 422,
			   "The day it was held must be today or in the past", "checked", NULL);
	rt_browser_post_is(x->t, &x->own, reg(x, past),
			   rt_at("%s&held_on-day=11&held_on-month=1&held_on-year=2026", tick), 422,
			   "The day it was held must be within the last year", NULL);
	rt_browser_post_is(x->t, &x->own, reg(x, past), tick, 422, "Enter the day the session was held",
			   NULL);
	assert_int_equal(count(x, &q_registers, DB_ARGS(DB_TEXT(x->svc))), 0);
	assert_true(status_is(x, ref, "sent"));

	rt_browser_post_to(x->t, &x->own, reg(x, past),
			   rt_at("%s&held_on-day=5&held_on-month=1&held_on-year=2027", tick),
			   rt_at("%s?done=saved", reg(x, past)));
	assert_int_equal(count(x, &q_register, DB_ARGS(DB_TEXT(x->svc), DB_TEXT(past), DB_TEXT(past),
						       DB_INT(1))), 1);
	assert_true(status_is(x, ref, "attended"));
	assert_true(step_on(x, ref, "attended", past));
	assert_int_equal(count(x, &q_attended_at, DB_ARGS(DB_TEXT(ref), DB_INT(AT(2027, 1, 5)))), 1);
	rt_browser_get_is(x->t, &x->own, reg(x, past), 200, "typed in from a paper register",
			  "1 person came on 5 January 2027", NULL);
}

/* A referral sent after the day they came is left as it was: the
 * register is saved all the same. */
static void referral_after_the_day_stays(void **state)
{
	struct fx *x = *state;
	char ref[37];

	refer(x, "Ada Attender", "ada@example.org", ref);
	rt_browser_get_is(x->t, &x->ada_b, "/account/referrals", 200, NULL);
	rt_browser_post_to(x->t, &x->own, reg(x, "2027-01-05"),
			   rt_at("present=person-%lld&held_on-day=5&held_on-month=1&held_on-year=2027",
			      (long long)x->ada), rt_at("%s?done=saved", reg(x, "2027-01-05")));
	assert_int_equal(rows(x, "2027-01-05"), 1);
	assert_true(status_is(x, ref, "sent"));
}

/* Someone referred without an account is ticked by their record. */
static void referred_without_account(void **state)
{
	struct fx *x = *state;
	char ref[37], client[37];

	refer(x, "Zoe Phone", NULL, ref);
	client_of(x, ref, client);
	rt_browser_get_is(x->t, &x->coord, reg(x, TODAY), 200, "Zoe Phone",
			  rt_at("value=\"client-%s\"", client), NULL);
	rt_browser_post_to(x->t, &x->coord, reg(x, TODAY), rt_at("present=client-%s", client),
			   rt_at("%s?done=saved", reg(x, TODAY)));
	assert_true(status_is(x, ref, "attended"));
	/* A record that is nobody's on this list is refused. */
	rt_browser_post_is(x->t, &x->coord, reg(x, TODAY),
			   "present=client-00000000-0000-4000-8000-000000000001", 422,
			   "is not on this session", NULL);
}

/* ---------------------------------------------------------------- walk-ins, refusals */

static void walk_ins_saved_and_counted(void **state)
{
	struct fx *x = *state;
	struct group_participation p;
	char long_name[120], many[1400];
	size_t o = 0;

	rt_browser_post_to(x->t, &x->own, reg(x, TODAY), "walk_ins=Ann+Smith%0D%0A%0D%0A++Bob+++Jones+%0D%0A",
			   rt_at("%s?done=saved", reg(x, TODAY)));
	rt_browser_get_is(x->t, &x->own, rt_at("%s?done=saved", reg(x, TODAY)), 200,
			  "The register is saved: 2 people came.", "Ann Smith\nBob Jones</textarea>", NULL);
	assert_int_equal(count(x, &q_walk_in, DB_ARGS(DB_TEXT(x->svc), DB_TEXT(TODAY), DB_TEXT("Ann Smith"))), 1);
	assert_int_equal(count(x, &q_walk_in, DB_ARGS(DB_TEXT(x->svc), DB_TEXT(TODAY), DB_TEXT("Bob Jones"))), 1);
	assert_int_equal(register_participation(db_of(x), x->svc, uk_local_day(NOW), uk_local_day(NOW), &p),
			 ERR_OK);
	assert_int_equal(p.sessions, 1);
	assert_int_equal(p.attendances, 2);
	assert_int_equal(p.people, 2);
	assert_int_equal(p.new_people, 2);

	/* A name of 101 characters, and 201 names: refused, nothing changed. */
	memset(long_name, 'a', 101);
	long_name[101] = '\0';
	rt_browser_post_is(x->t, &x->own, reg(x, TODAY), rt_at("walk_ins=%s", long_name), 422,
			   "100 characters or fewer", NULL);
	o += (size_t)snprintf(many, sizeof(many), "walk_ins=");
	for (int i = 0; i < 201; i++)
		o += (size_t)snprintf(many + o, sizeof(many) - o, "%c%%0A", 'a' + i % 26);
	rt_browser_post_is(x->t, &x->own, reg(x, TODAY), many, 422, "at most 200 walk-ins", NULL);
	assert_int_equal(rows(x, TODAY), 2);
}

static void not_on_the_list_refused(void **state)
{
	struct fx *x = *state;

	join(x, x->pia);
	/* Mo has not joined, said she is going nor been referred. */
	rt_browser_post_is(x->t, &x->own, reg(x, TODAY), rt_at("present=person-%lld&present=person-%lld",
			   (long long)x->pia, (long long)x->mo), 422,
			   rt_at("Person %lld is not on this session", (long long)x->mo), "There is a problem", NULL);
	rt_browser_post_is(x->t, &x->own, reg(x, TODAY), "present=somebody", 422,
			   "Tick only the people on the list", NULL);
	assert_int_equal(count(x, &q_registers, DB_ARGS(DB_TEXT(x->svc))), 0);
	/* Pia alone is fine. */
	rt_browser_post_to(x->t, &x->own, reg(x, TODAY), rt_at("present=person-%lld", (long long)x->pia),
			   rt_at("%s?done=saved", reg(x, TODAY)));
}

static void sessions_without_a_register(void **state)
{
	struct fx *x = *state;
	json_t *errors = json_array();

	/* Next week's: not yet, in words, and no form. */
	rt_browser_get_is(x->t, &x->own, reg(x, "2027-01-19"), 200,
			  "This session is on 19 January 2027. You can take its register on the day", NULL);
	get_lacks(x, &x->own, reg(x, "2027-01-19"), 200, "Save the register");
	rt_browser_post_is(x->t, &x->own, reg(x, "2027-01-19"), "walk_ins=Ann", 409,
			   "This session is on 19 January 2027", NULL);
	/* Wednesday: the group does not meet; nor is "soon" a day. */
	rt_browser_get_is(x->t, &x->own, reg(x, "2027-01-13"), 404, "no session on that day", NULL);
	rt_browser_get_is(x->t, &x->own, reg(x, "soon"), 404, NULL);
	/* Cancelled, then the day comes: no register, and none to print. */
	assert_int_equal(db_begin(db_of(x)), ERR_OK);
	assert_int_equal(group_session_cancel(NULL, db_of(x), x->svc, "2027-01-19", "Snow", x->olu, NOW,
					      errors), ERR_OK);
	assert_int_equal(db_commit(db_of(x)), ERR_OK);
	time_set_fake(NOW + 8 * DAY);
	rt_sign_in(x->t, x->olu, &x->own);
	rt_browser_get_is(x->t, &x->own, reg(x, "2027-01-19"), 200, "This session was cancelled", NULL);
	rt_browser_post_is(x->t, &x->own, reg(x, "2027-01-19"), "walk_ins=Ann", 409,
			   "This session was cancelled", NULL);
	rt_browser_get_is(x->t, &x->own, rt_at("%s/print", reg(x, "2027-01-19")), 409, NULL);
	assert_int_equal(count(x, &q_registers, DB_ARGS(DB_TEXT(x->svc))), 0);
	time_set_fake(NOW);
	json_decref(errors);
}

/* Hosts, the organisation's organisers and coordinators take the
 * register; everyone else who can see the group is told no (403); a
 * group they cannot see is not there (404). */
static void who_may_take_it(void **state)
{
	struct fx *x = *state;
	struct rt_browser visitor = { .ip = NULL };
	struct rt_browser *refused[] = { &x->member, &x->other, &x->link, &x->comm, &x->ada_b };
	const char *paths[3];
	char draft[37];
	struct rt_resp r;

	paths[0] = reg(x, TODAY);
	paths[1] = rt_at("%s/print", reg(x, TODAY));
	paths[2] = rt_at("/groups/%s/participation", x->svc);
	for (size_t p = 0; p < ARRAY_LEN(paths); p++) {
		rt_browser_get(x->t, &visitor, paths[p], &r);
		assert_int_equal(r.status, 303);
		assert_non_null(strstr(rt_header(&r, "Location"), "/login"));
		rt_resp_free(&r);
		for (size_t i = 0; i < ARRAY_LEN(refused); i++)
			rt_browser_get_is(x->t, refused[i], paths[p], 403, "Only the group", NULL);
		rt_browser_get_is(x->t, &x->own, paths[p], 200, NULL);
		rt_browser_get_is(x->t, &x->hal_b, paths[p], 200, NULL);
		rt_browser_get_is(x->t, &x->coord, paths[p], 200, NULL);
	}
	rt_browser_post_is(x->t, &x->member, reg(x, TODAY), "walk_ins=Ann", 403, NULL);
	rt_browser_post_is(x->t, &x->other, reg(x, TODAY), "walk_ins=Ann", 403, NULL);
	rt_browser_post_to(x->t, &x->coord, reg(x, TODAY), "walk_ins=Ann", rt_at("%s?done=saved", reg(x, TODAY)));
	rt_browser_post_to(x->t, &x->hal_b, reg(x, TODAY), "walk_ins=Bea", rt_at("%s?done=saved", reg(x, TODAY)));
	assert_int_equal(rows(x, TODAY), 1);

	/* A draft service's group: its organisation's, and nobody else's. */
	rt_service(x->t, RT_ORG_A, "Draft Walk", SVC_DRAFT, draft);
	make_group(x, draft);
	rt_browser_get_is(x->t, &x->other, rt_at("/groups/%s/sessions/%s/register", draft, TODAY), 404, NULL);
	rt_browser_get_is(x->t, &x->member, rt_at("/groups/%s/participation", draft), 404, NULL);
	rt_browser_get_is(x->t, &x->own, rt_at("/groups/%s/sessions/%s/register", draft, TODAY), 200, NULL);
	rt_browser_get_is(x->t, &x->own, "/groups/00000000-0000-4000-8000-000000000009/participation", 404,
			  NULL);
}

/* ---------------------------------------------------------------- the paper register */

static void print_page(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;

	join(x, x->ada);
	join(x, x->pia);
	rt_browser_get(x->t, &x->own, rt_at("%s/print", reg(x, "2027-01-19")), &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Register for Tuesday 19 January 2027, 10:00 to 11:30"));
	assert_true(rt_has(&r, "Tuesday Health Walk"));
	assert_true(rt_has(&r, "Ada Attender"));
	assert_true(rt_has(&r, "Pia Member"));
	/* A box for each of the two, and twelve blank rows for walk-ins. */
	assert_int_equal(occurrences(&r, "&#9744;"), 2 + 12);
	assert_int_equal(occurrences(&r, "Space to write a walk-in"), 12);
	assert_true(rt_has(&r, "govuk-!-display-none-print"));
	assert_false(rt_has(&r, "<script"));
	rt_resp_free(&r);
}

/* ---------------------------------------------------------------- counts */

/* A register saved as olu at now (live, on the session's day). */
static void save_at(struct fx *x, const char *skey, int64_t now, const int64_t *people, size_t np,
		const char *const *clients, size_t nc, const char *const *walk, size_t nw)
{
	json_t *errors = json_array();
	enum err e;

	assert_int_equal(db_begin(db_of(x)), ERR_OK);
	e = register_save(NULL, db_of(x), x->svc, skey, &(const struct register_input){
		.people = people, .npeople = np, .clients = clients, .nclients = nc, .walk_ins = walk,
		.nwalk_ins = nw }, x->olu, now, errors, NULL);
	if (e != ERR_OK)
		fail_msg("saving %s: %s %s", skey, err_name(e), json_dumps(errors, 0));
	assert_int_equal(db_commit(db_of(x)), ERR_OK);
	json_decref(errors);
}

static void counts_of(const json_t *j, int64_t sessions, int64_t attendances, int64_t people,
		int64_t new_people)
{
	assert_int_equal(json_integer_value(json_object_get(j, "sessions")), sessions);
	assert_int_equal(json_integer_value(json_object_get(j, "attendances")), attendances);
	assert_int_equal(json_integer_value(json_object_get(j, "people")), people);
	assert_int_equal(json_integer_value(json_object_get(j, "new_people")), new_people);
}

/* A year of a small group, by hand:
 *   13 Jan 2026  Ada, Ann                  (before the last 12 months)
 *    1 Dec 2026  Ada, Pia, Ann, Bob
 *    5 Jan 2027  Pia, Ann, Cy
 *   12 Jan 2027  Ada, Zoe (referred, no account), Ann
 * This month (1 to 12 January 2027): 2 sessions, 6 times, 5 people
 * (Pia, Ann, Cy, Ada, Zoe), 2 new (Cy, Zoe). The last 12 months (1
 * February 2026 on): 3 sessions, 10 times, 6 people, 4 new (Pia, Bob,
 * Cy, Zoe: Ada and Ann first came before). */
static void participation_counts(void **state)
{
	struct fx *x = *state;
	const char *const ann[] = { "Ann" }, *const ann_bob[] = { "Ann", "Bob" },
		   *const ann_cy[] = { "Ann", "Cy" };
	const int64_t ada[] = { x->ada }, ada_pia[] = { x->ada, x->pia }, pia[] = { x->pia };
	const char *clients[1];
	char ref[37], client[37];
	struct rt_resp r;
	json_t *j;
	int64_t n = -1;

	join(x, x->ada);
	join(x, x->pia);
	time_set_fake(NOW - 2 * DAY);
	refer(x, "Zoe Phone", NULL, ref);
	time_set_fake(NOW);
	client_of(x, ref, client);
	clients[0] = client;
	save_at(x, "2026-01-13", AT(2026, 1, 13), ada, 1, NULL, 0, ann, 1);
	save_at(x, "2026-12-01", AT(2026, 12, 1), ada_pia, 2, NULL, 0, ann_bob, 2);
	save_at(x, "2027-01-05", AT(2027, 1, 5), pia, 1, NULL, 0, ann_cy, 2);
	save_at(x, TODAY, NOW, ada, 1, clients, 1, ann, 1);

	rt_browser_request(x->t, &x->own, "GET", rt_at("/groups/%s/participation", x->svc),
			   (const char *[]){ "Accept: application/json", NULL }, NULL, &r);
	assert_int_equal(r.status, 200);
	j = json_loads(r.body, 0, NULL);
	assert_non_null(j);
	counts_of(json_object_get(j, "this_month"), 2, 6, 5, 2);
	counts_of(json_object_get(j, "last_12_months"), 3, 10, 6, 4);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "last_12_months"), "from")),
			    "2026-02-01");
	json_decref(j);
	rt_resp_free(&r);
	rt_browser_get_is(x->t, &x->own, rt_at("/groups/%s/participation", x->svc), 200, "Who comes",
			  "1 January 2027 to 12 January 2027", "1 February 2026 to 12 January 2027",
			  "New people (their first time)", NULL);

	/* A person's own count: Ada came three times, in one group. */
	assert_int_equal(register_person_sessions(db_of(x), x->ada, 0, 0, &n), ERR_OK);
	assert_int_equal(n, 3);
	assert_int_equal(register_person_sessions(db_of(x), x->ada, uk_days(2027, 1, 1), 0, &n), ERR_OK);
	assert_int_equal(n, 1);
	rt_browser_get(x->t, &x->ada_b, "/account/data.json", &r);
	assert_int_equal(r.status, 200);
	j = json_loads(r.body, 0, NULL);
	rt_resp_free(&r);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "group_attendance"),
							     "sessions_attended")), 3);
	json_decref(j);
}

/* ---------------------------------------------------------------- the API */

static void attendance_api(void **state)
{
	struct fx *x = *state;
	char body[256], today[64];
	json_t *j;

	snprintf(today, sizeof(today), "%s-20270112", x->svc);
	join(x, x->ada);
	snprintf(body, sizeof(body), "{\"present\": [%lld], \"walk_ins\": [\" Ann \", \"\"]}", (long long)x->ada);
	j = api(x, x->torga, today, body, 200);
	assert_string_equal(json_string_value(json_object_get(j, "event_id")), today);
	assert_int_equal(json_integer_value(json_object_get(j, "came")), 2);
	assert_true(json_is_true(json_object_get(j, "saved")));
	assert_true(json_is_false(json_object_get(j, "paper")));
	assert_string_equal(json_string_value(json_object_get(j, "held_on")), TODAY);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(j, "present"), 0),
							     "person_id")), x->ada);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "walk_ins"), 0)), "Ann");
	json_decref(j);

	/* Typed in later from paper. */
	snprintf(body, sizeof(body), "{\"present\": [%lld], \"held_on\": \"2027-01-05\"}", (long long)x->ada);
	j = api(x, x->torga, event_of(x, "20270105"), body, 200);
	assert_true(json_is_true(json_object_get(j, "paper")));
	json_decref(j);
	assert_int_equal(count(x, &q_register, DB_ARGS(DB_TEXT(x->svc), DB_TEXT("2027-01-05"),
						       DB_TEXT("2027-01-05"), DB_INT(1))), 1);

	/* Each problem, as a problem document. */
	json_decref(api(x, NULL, today, "{}", 401));
	json_decref(api(x, x->torga, "tuesday", "{}", 404));
	json_decref(api(x, x->torga, "00000000-0000-4000-8000-000000000009-20270112", "{}", 404));
	json_decref(api(x, x->torga, event_of(x, "20270113"), "{}", 404));
	json_decref(api(x, x->torga, event_of(x, "20270231"), "{}", 404));
	json_decref(api(x, x->tmem, today, "{}", 403));
	json_decref(api(x, x->torgb, today, "{}", 403));
	json_decref(api(x, x->tlw, today, "{}", 403));
	j = api(x, x->torga, event_of(x, "20270119"), "{}", 409);
	assert_non_null(strstr(json_string_value(json_object_get(j, "detail")), "19 January 2027"));
	json_decref(j);
	json_decref(api(x, x->torga, today, "[]", 400));
	snprintf(body, sizeof(body), "{\"present\": [%lld]}", (long long)x->mo);
	j = api(x, x->torga, today, body, 422);
	assert_true(has_error_for(j, "present"));
	json_decref(j);
	j = api(x, x->torga, today, "{\"present\": \"Ada\", \"clients\": [7], \"walk_ins\": \"Ann\"}", 422);
	assert_true(has_error_for(j, "present"));
	assert_true(has_error_for(j, "clients"));
	assert_true(has_error_for(j, "walk_ins"));
	json_decref(j);
	j = api(x, x->torga, today, "{\"presnt\": []}", 422);
	assert_true(has_error_for(j, "presnt"));
	json_decref(j);
	j = api(x, x->torga, today, "{\"held_on\": \"2027-01-20\"}", 422);
	assert_true(has_error_for(j, "held_on"));
	json_decref(j);
	j = api(x, x->torga, today, "{\"held_on\": 20270112}", 422);
	assert_true(has_error_for(j, "held_on"));
	json_decref(j);
	j = api(x, x->torga, today, "{\"clients\": [\"00000000-0000-4000-8000-000000000001\"]}", 422);
	assert_true(has_error_for(j, "clients"));
	json_decref(j);
	/* None of them changed today's register. */
	assert_int_equal(rows(x, TODAY), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(loop_attended_then_sustained, setup, teardown),
		cmocka_unit_test_setup_teardown(referred_account_not_yet_claimed, setup, teardown),
		cmocka_unit_test_setup_teardown(sustained_weeks_setting, setup_two_weeks, teardown),
		cmocka_unit_test_setup_teardown(paper_register, setup, teardown),
		cmocka_unit_test_setup_teardown(referral_after_the_day_stays, setup, teardown),
		cmocka_unit_test_setup_teardown(referred_without_account, setup, teardown),
		cmocka_unit_test_setup_teardown(walk_ins_saved_and_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(not_on_the_list_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(sessions_without_a_register, setup, teardown),
		cmocka_unit_test_setup_teardown(who_may_take_it, setup, teardown),
		cmocka_unit_test_setup_teardown(print_page, setup, teardown),
		cmocka_unit_test_setup_teardown(participation_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(attendance_api, setup, teardown),
	};

	return testdb_run_groups("group register", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
