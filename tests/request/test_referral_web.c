/*
 * test_referral_web.c - the referral pages through app_handle(): the
 * refer-someone form (errors by their fields with what was typed kept,
 * the referral made and the organisation emailed), "I'd like to go" for
 * visitors and members (a second open one is a 409), one referral's page
 * for each party (the receiving organisation's steps, 409 for attended
 * before accepted, 422 for a decline without a reason, consent withdrawn
 * and given), who is refused and how (sign in, 403, and 404 for a
 * referral someone may not see: another organisation, a commissioner, a
 * member), the inbox, the caseload by status, "your referrals" with
 * records claimed by email and who has looked, and the overview with its
 * period and CSV (no names). SQLite and, with KITH_TEST_PG_URL, PostgreSQL.
 */
#include "core/common.h"
#include "org/org.h"

#include <setjmp.h>
#include <cmocka.h>

#include "auth/person.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "directory/directory.h"
#include "directory/vocab.h"
#include "store/store.h"
#include "support/cast.h"
#include "support/reqtest.h"

#define ORG_A RT_ORG_A
#define ORG_B RT_ORG_B
#define MEMBER ROLE_BIT(ROLE_MEMBER)
#define ORGANISER (ROLE_BIT(ROLE_ORGANISER) | MEMBER)
#define LINK (ROLE_BIT(ROLE_LINK_WORKER) | MEMBER)
#define COORD (ROLE_BIT(ROLE_COORDINATOR) | MEMBER)
#define COMMISSIONER (ROLE_BIT(ROLE_COMMISSIONER) | MEMBER)

static const struct sql q_status = { "trw.status",
	"SELECT count(*) FROM referral WHERE id = $1 AND status = $2", NULL };
static const struct sql q_referrals = { "trw.referrals",
	"SELECT count(*) FROM referral", NULL };
static const struct sql q_reads = { "trw.reads",
	"SELECT count(*) FROM audit WHERE action = 'referral.read' AND actor_id = $1", NULL };
static const struct sql q_source = { "trw.source",
	"SELECT count(*) FROM referral WHERE source = $1", NULL };
static const struct sql q_claimed = { "trw.claimed",
	"SELECT count(*) FROM client WHERE account_id = $1", NULL };

/* The person a link worker refers, as the form sends them. */
#define PERSON_FORM \
	"target.type=service&person.name=Ada+Lovelace&person.contact_by=email" \
	"&person.email=ada%40example.org&person.phone=&person.address=" \
	"&person.access_needs=Step-free+access+please&person.language=pl" \
	"&person.birth_date-day=27&person.birth_date-month=3&person.birth_date-year=1957" \
	"&person.nhs_number=943+476+5919&needs=loneliness&reason=She+would+like+company" \
	"&consent.share=yes&consent.contact=yes&consent.outcome=yes&consent.method=verbal"
#define PERSON_FORM_NO_NHS \
	"target.type=service&person.name=Ada+Lovelace&person.contact_by=email" \
	"&person.email=ada%40example.org&needs=loneliness&reason=She+would+like+company" \
	"&consent.share=yes&consent.contact=yes&consent.outcome=yes&consent.method=verbal"

struct fx {
	struct rt *t;
	RT_CAST_MEMBERS;        /* olu, bea, lin, cora, tom, mo; own, other, link, coord, comm, member */
	char svc[37], svc_b[37];
	int64_t ada;
	struct rt_browser ada_b;
};

static int setup(void **state)
{
	struct fx *x = rt_fixture(state, sizeof(*x), NULL);

	if (!x)
		return -1;
	rt_cast(x->t, &x->cast, RT_CAST_EVERYONE | RT_CAST_BROWSERS);
	rt_service(x->t, ORG_A, "Tuesday Health Walk", SVC_PUBLISHED, x->svc);
	rt_service(x->t, ORG_B, "Southtown Lunch", SVC_PUBLISHED, x->svc_b);
	x->ada = rt_person(x->t, "Ada Lovelace", "ada@example.org", NULL, MEMBER, NULL);
	rt_sign_in(x->t, x->ada, &x->ada_b);
	return 0;
}

static int teardown(void **state)
{
	return rt_fixture_free(state);
}

/* ---------------------------------------------------------------- helpers */

static int64_t status_is(struct rt *t, const char *id, const char *status)
{
	return rt_count(t, &q_status, DB_ARGS(DB_TEXT(id), DB_TEXT(status)));
}

/* GET before, arg, after as b: get_as(x, b, "/referrals/", id, "", &r). */
static void get_as(struct fx *x, struct rt_browser *b, const char *before, const char *arg,
		const char *after, struct rt_resp *r)
{
	char target[256];

	snprintf(target, sizeof(target), "%s%s%s", before, arg, after);
	rt_browser_get(x->t, b, target, r);
}

/* The link worker refers Ada to the walk (a fresh page first, so the
 * form token is this session's); the new referral's id into id. */
static void refer_ada(struct fx *x, char id[37])
{
	struct rt_resp r;
	char body[1024];
	const char *loc;

	get_as(x, &x->link, "/referrals/new?service=", x->svc, "", &r);
	assert_int_equal(r.status, 200);
	rt_resp_free(&r);
	snprintf(body, sizeof(body), "%s&target.id=%s", PERSON_FORM, x->svc);
	rt_browser_post(x->t, &x->link, "/referrals/new", body, &r);
	assert_int_equal(r.status, 303);
	loc = rt_header(&r, "Location");
	assert_non_null(loc);
	assert_true(strncmp(loc, "/referrals/", 11) == 0);
	assert_string_equal(loc + 11 + 36, "?done=sent");
	snprintf(id, 37, "%.36s", loc + 11);
	rt_resp_free(&r);
}

/* POSTs a step as b to referral id. */
static int move(struct fx *x, struct rt_browser *b, const char *id, const char *fields,
		struct rt_resp *r)
{
	char target[128];

	snprintf(target, sizeof(target), "/referrals/%s/status", id);
	rt_browser_post(x->t, b, target, fields, r);
	return r->status;
}

static int move_status(struct fx *x, struct rt_browser *b, const char *id, const char *fields)
{
	struct rt_resp r;
	int s = move(x, b, id, fields, &r);

	rt_resp_free(&r);
	return s;
}

/* ---------------------------------------------------------------- tests */

static void who_may_open_which_page(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	static const struct {
		const char *path, *login;
		int member, link, organiser, commissioner, coordinator;
	} pages[] = {
		{ "/referrals/new", "/login?next=%2Freferrals%2Fnew", 403, 200, 200, 403, 200 },
		{ "/referrals/caseload", "/login?next=%2Freferrals%2Fcaseload", 403, 200, 200, 403, 200 },
		{ "/referrals/inbox", "/login?next=%2Freferrals%2Finbox", 403, 403, 200, 403, 200 },
		{ "/referrals/overview", "/login?next=%2Freferrals%2Foverview", 403, 403, 403, 200, 200 },
		{ "/referrals/overview.csv", "/login?next=%2Freferrals%2Foverview.csv", 403, 403, 403,
		  403, 200 },
		{ "/referrals/summary.csv", "/login?next=%2Freferrals%2Fsummary.csv", 403, 403, 403,
		  200, 200 },
		{ "/account/referrals", "/login?next=%2Faccount%2Freferrals", 200, 200, 200, 200, 200 },
	};

	for (size_t i = 0; i < ARRAY_LEN(pages); i++) {
		struct rt_browser *who[] = { &x->member, &x->link, &x->own, &x->comm, &x->coord };
		int want[] = { pages[i].member, pages[i].link, pages[i].organiser,
			       pages[i].commissioner, pages[i].coordinator };

		/* Visitors are asked to sign in and come back. */
		rt_get(x->t, pages[i].path, &r);
		assert_int_equal(r.status, 303);
		assert_string_equal(rt_header(&r, "Location"), pages[i].login);
		rt_resp_free(&r);
		for (size_t k = 0; k < ARRAY_LEN(who); k++) {
			rt_browser_get(x->t, who[k], pages[i].path, &r);
			if (r.status != want[k])
				print_error("%s as actor %zu: %d, wanted %d\n", pages[i].path, k, r.status, want[k]);
			assert_int_equal(r.status, want[k]);
			rt_resp_free(&r);
		}
	}
	/* "I'd like to go" is for anyone. */
	get_as(x, &(struct rt_browser){ 0 }, "/services/", x->svc, "/refer-me", &r);
	assert_int_equal(r.status, 200);
	rt_resp_free(&r);
}

static void service_page_offers_both_ways(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char want[128];

	get_as(x, &(struct rt_browser){ 0 }, "/services/", x->svc, "", &r);
	assert_int_equal(r.status, 200);
	snprintf(want, sizeof(want), "href=\"/services/%s/refer-me\">I'd like to go</a>", x->svc);
	assert_true(rt_has(&r, want));
	assert_false(rt_has(&r, "Refer someone"));
	rt_resp_free(&r);
	get_as(x, &x->link, "/services/", x->svc, "", &r);
	snprintf(want, sizeof(want), "href=\"/referrals/new?service=%s\">Refer someone</a>", x->svc);
	assert_true(rt_has(&r, want));
	rt_resp_free(&r);
	/* Members can ask to go, not refer others. */
	get_as(x, &x->member, "/services/", x->svc, "", &r);
	assert_true(rt_has(&r, "I'd like to go"));
	assert_false(rt_has(&r, "Refer someone"));
	rt_resp_free(&r);
	/* Signed-in people find their referrals from their account. */
	rt_browser_get(x->t, &x->member, "/account", &r);
	assert_true(rt_has(&r, "href=\"/account/referrals\""));
	rt_resp_free(&r);
}

static void refer_form_and_its_errors(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char body[1024];

	get_as(x, &x->link, "/referrals/new?service=", x->svc, "", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, ">Tuesday Health Walk</a>, run by Northtown Walkers"));
	assert_true(rt_has(&r, "name=\"person.name\""));
	assert_true(rt_has(&r, "name=\"person.birth_date-year\""));
	assert_true(rt_has(&r, "<option value=\"pl\">"));
	assert_true(rt_has(&r, "name=\"consent.share\""));
	assert_true(rt_has(&r, "Share my details with the organisation I am referred to"));
	assert_true(rt_has(&r, "value=\"verbal\""));
	assert_false(rt_has(&r, "name=\"client_id\""));   /* nobody on the caseload yet */
	rt_resp_free(&r);

	/* Without a service: the same form chooses one. An unknown one: 404. */
	rt_browser_get_is(x->t, &x->link, "/referrals/new", 200, "name=\"service_q\"",
			"name=\"find\" value=\"yes\"", "name=\"person.name\"",
			"href=\"/find\">find a service</a>", NULL);
	rt_browser_get_is(x->t, &x->link, "/referrals/new?service=00000000-0000-4000-8000-000000000000",
			404, NULL);

	/* No name, email chosen but none given, a date with no month, a bad
	 * NHS number, no consent: each by its field, the rest kept. */
	snprintf(body, sizeof(body), "target.type=service&target.id=%s&person.name="
		 "&person.contact_by=email&person.phone=01724+123456&person.birth_date-day=27"
		 "&person.birth_date-year=1957&person.nhs_number=123&needs=loneliness&needs=money"
		 "&reason=Lonely+since+her+husband+died&consent.method=written", x->svc);
	rt_browser_post(x->t, &x->link, "/referrals/new", body, &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "<title>Error: Refer someone"));
	assert_true(rt_has(&r, "href=\"#person.name\">Enter the person"));
	assert_true(rt_has(&r, "href=\"#person.email\">"));
	assert_true(rt_has(&r, "href=\"#person.birth_date\">Date of birth must include a day, month and year"));
	assert_true(rt_has(&r, "href=\"#person.nhs_number\">"));
	assert_true(rt_has(&r, "href=\"#consent.share\">"));
	/* In page order: the name before the consent. */
	assert_true(strstr(r.body, "href=\"#person.name\"") < strstr(r.body, "href=\"#consent.share\""));
	assert_true(rt_has(&r, "value=\"01724 123456\""));
	assert_true(rt_has(&r, "value=\"27\""));
	assert_true(rt_has(&r, "value=\"1957\""));
	assert_true(rt_has(&r, ">Lonely since her husband died</textarea>"));
	assert_true(rt_has(&r, "value=\"loneliness\" checked"));
	assert_true(rt_has(&r, "value=\"money\" checked"));
	assert_true(rt_has(&r, "value=\"written\" checked"));
	assert_true(rt_has(&r, "value=\"email\" checked"));
	rt_resp_free(&r);
	assert_int_equal(rt_count(x->t, &q_referrals, DB_NOARGS), 0);

	/* A date that is not one. */
	snprintf(body, sizeof(body), "%s&target.id=%s&person.birth_date-day=31", PERSON_FORM, x->svc);
	{
		/* PERSON_FORM already has a day: the second one is ignored,
		 * so make February the 31st instead. */
		char *m = strstr(body, "birth_date-month=3");

		assert_non_null(m);
		m[strlen("birth_date-month=")] = '2';
		memcpy(strstr(body, "birth_date-day=27"), "birth_date-day=31", 17);
	}
	rt_browser_post_is(x->t, &x->link, "/referrals/new", body, 422,
			"Date of birth must be a real date", NULL);
	/* A date, but not one in the past. */
	snprintf(body, sizeof(body), "%s&target.id=%s", PERSON_FORM, x->svc);
	memcpy(strstr(body, "birth_date-year=1957"), "birth_date-year=2999", 20);
	rt_browser_post_is(x->t, &x->link, "/referrals/new", body, 422,
			"href=\"#person.birth_date\">Date of birth must be in the past",
			"value=\"2999\"", NULL);

	/* A service that is not there: said about the service, nothing made. */
	snprintf(body, sizeof(body), "%s&target.id=00000000-0000-4000-8000-000000000000", PERSON_FORM);
	rt_browser_post_is(x->t, &x->link, "/referrals/new", body, 422, "href=\"#target\">", NULL);
	assert_int_equal(rt_count(x->t, &q_referrals, DB_NOARGS), 0);

	/* No form token: refused, nothing made. */
	rt_browser_request(x->t, &x->link, "POST", "/referrals/new", NULL, PERSON_FORM, &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);
	assert_int_equal(rt_count(x->t, &q_referrals, DB_NOARGS), 0);
}

static void referral_made_and_the_organisation_told(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char id[37];

	refer_ada(x, id);
	assert_int_equal(status_is(x->t, id, "sent"), 1);
	assert_int_equal(rt_mail_n(x->t, "olu@example.org", "referral_new"), 1);
	{
		/* The email says there is something to see, not what. */
		char *text = rt_mail_text(x->t, "olu@example.org", "referral_new");

		assert_null(strstr(text, "Ada"));
		assert_null(strstr(text, "company"));
		assert_null(strstr(text, "loneliness"));
		free(text);
	}
	get_as(x, &x->link, "/referrals/", id, "?done=sent", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "The referral is sent."));
	assert_true(rt_has(&r, "Ada Lovelace"));
	/* The referrer sees the NHS number and the date of birth, written
	 * as people write them. */
	assert_true(rt_has(&r, ">943 476 5919</dd>"));
	assert_true(rt_has(&r, "<time datetime=\"1957-03-27\">27 March 1957</time>"));
	assert_true(rt_has(&r, "She would like company"));
	assert_true(rt_has(&r, ">Sent</strong>"));
	assert_true(rt_has(&r, "Withdraw the referral"));
	assert_false(rt_has(&r, "Accept the referral")); /* the organisation's step */
	rt_resp_free(&r);

	/* Ada is on the caseload now: the next referral can choose her. */
	get_as(x, &x->link, "/referrals/new?service=", x->svc_b, "", &r);
	assert_true(rt_has(&r, "name=\"client_id\""));
	assert_true(rt_has(&r, ">Ada Lovelace</option>"));
	rt_resp_free(&r);

}

static void same_person_again_is_409(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char id[37], body[512], client[37];
	const char *p;

	refer_ada(x, id);
	get_as(x, &x->link, "/referrals/new?service=", x->svc, "", &r);
	p = strstr(r.body, "<option value=\"");
	p = p ? strstr(p + 1, "<option value=\"") : NULL;   /* past "Someone new" */
	assert_non_null(p);
	snprintf(client, sizeof(client), "%.36s", p + 15);
	rt_resp_free(&r);
	snprintf(body, sizeof(body), "target.type=service&target.id=%s&client_id=%s&needs=money"
		 "&consent.share=yes&consent.method=verbal", x->svc, client);
	rt_browser_post_is(x->t, &x->link, "/referrals/new", body, 409, "href=\"#target\">",
			"already has an open referral to Tuesday Health Walk",
			"value=\"money\" checked", NULL);
	/* To somewhere else: made, for the same person. */
	snprintf(body, sizeof(body), "target.type=service&target.id=%s&client_id=%s&needs=money"
		 "&consent.share=yes&consent.method=verbal", x->svc_b, client);
	rt_browser_post_is(x->t, &x->link, "/referrals/new", body, 303, NULL);
	assert_int_equal(rt_count(x->t, &q_referrals, DB_NOARGS), 2);
}

static void organiser_moves_it_on(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char id[37], fields[64];

	refer_ada(x, id);
	/* The inbox: new, with only what they need. */
	rt_browser_get_is(x->t, &x->own, "/referrals/inbox", 200, "Northtown Walkers",
			"New referrals (1)", ">Ada Lovelace</a>", NULL);
	/* The other organisation's inbox is empty. */
	rt_browser_get(x->t, &x->other, "/referrals/inbox", &r);
	assert_int_equal(r.status, 200);
	assert_false(rt_has(&r, "Ada Lovelace"));
	rt_resp_free(&r);

	get_as(x, &x->own, "/referrals/", id, "", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Accept the referral"));
	assert_true(rt_has(&r, "Decline the referral"));
	assert_true(rt_has(&r, "Step-free access please"));
	/* Never the NHS number nor the date of birth, in any form (not a
	 * fragment: random ids on the page may hold any three digits). */
	assert_false(rt_has(&r, "9434765919") || rt_has(&r, "943 476 5919"));
	assert_false(rt_has(&r, "1957-03-27") || rt_has(&r, "27 March 1957") ||
		     rt_has(&r, "Date of birth"));
	rt_resp_free(&r);

	/* Attended before accepted: 409 with the sentence. */
	assert_int_equal(move(x, &x->own, id, "to=attended", &r), 409);
	assert_true(rt_has(&r, "has not been accepted yet"));
	rt_resp_free(&r);
	assert_int_equal(status_is(x->t, id, "sent"), 1);

	assert_int_equal(move(x, &x->own, id, "to=accepted", &r), 303);
	snprintf(fields, sizeof(fields), "/referrals/%s?done=accepted", id);
	assert_string_equal(rt_header(&r, "Location"), fields);
	rt_resp_free(&r);
	get_as(x, &x->own, "/referrals/", id, "?done=accepted", &r);
	assert_true(rt_has(&r, "Saved. The referral is now: Accepted."));
	rt_resp_free(&r);
	rt_browser_get(x->t, &x->own, "/referrals/inbox", &r);
	assert_true(rt_has(&r, "To contact (1)"));
	rt_resp_free(&r);
	assert_int_equal(move_status(x, &x->own, id, "to=contacted&note=Phoned%2C+meeting+Tuesday"), 303);
	assert_int_equal(move_status(x, &x->own, id, "to=attended"), 303);
	assert_int_equal(status_is(x->t, id, "attended"), 1);
	/* An unknown step is a 422 on the page, not a crash. */
	assert_int_equal(move_status(x, &x->own, id, "to=flying"), 422);

	/* The referrer sees "Attended" in the caseload and the note. */
	rt_browser_get_is(x->t, &x->link, "/referrals/caseload", 200, ">Attended</strong>",
			"Attended (1)", NULL);
	rt_browser_get(x->t, &x->link, "/referrals/caseload?status=sent", &r);
	assert_false(rt_has(&r, ">Ada Lovelace</a>"));
	rt_resp_free(&r);
	rt_browser_get(x->t, &x->link, "/referrals/caseload?status=attended", &r);
	assert_true(rt_has(&r, ">Ada Lovelace</a>"));
	rt_resp_free(&r);
	/* A status filter that is not a status: everything. */
	rt_browser_get_is(x->t, &x->link, "/referrals/caseload?status=%3Cb%3E", 200,
			">Ada Lovelace</a>", NULL);
	get_as(x, &x->link, "/referrals/", id, "", &r);
	assert_true(rt_has(&r, "Phoned, meeting Tuesday"));
	assert_true(rt_has(&r, "Days to accept"));
	rt_resp_free(&r);
}

static void decline_needs_a_reason(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char id[37];

	refer_ada(x, id);
	get_as(x, &x->own, "/referrals/", id, "", &r);
	rt_resp_free(&r);
	assert_int_equal(move(x, &x->own, id, "to=declined&note=We+are+full+until+May", &r), 422);
	assert_true(rt_has(&r, "href=\"#reason-declined\">Choose why the referral was declined"));
	assert_true(rt_has(&r, ">We are full until May</textarea>"));
	assert_true(rt_has(&r, "<details class=\"govuk-details\" id=\"move-declined\" open>"));
	rt_resp_free(&r);
	assert_int_equal(status_is(x->t, id, "sent"), 1);
	assert_int_equal(move_status(x, &x->own, id, "to=declined&reason=full&note=Full"), 303);
	assert_int_equal(status_is(x->t, id, "declined"), 1);
	get_as(x, &x->link, "/referrals/", id, "", &r);
	assert_true(rt_has(&r, "The service is full"));
	rt_resp_free(&r);
	/* The referrer may not take the organisation's steps: 403 (they
	 * can see it, so the refusal may say so). */
	assert_int_equal(move_status(x, &x->link, id, "to=accepted"), 403);
}

static void who_sees_a_referral(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char id[37], target[128];

	refer_ada(x, id);
	/* Another organisation, a member, a commissioner: as if there were none. */
	get_as(x, &x->other, "/referrals/", id, "", &r);
	assert_int_equal(r.status, 404);
	assert_false(rt_has(&r, "Ada"));
	rt_resp_free(&r);
	get_as(x, &x->member, "/referrals/", id, "", &r);
	assert_int_equal(r.status, 404);
	rt_resp_free(&r);
	get_as(x, &x->comm, "/referrals/", id, "", &r);
	assert_int_equal(r.status, 404);
	rt_resp_free(&r);
	rt_browser_get_is(x->t, &x->own, "/referrals/00000000-0000-4000-8000-000000000000", 404,
			NULL);
	/* Nor may they change it. */
	assert_int_equal(move_status(x, &x->other, id, "to=accepted"), 404);
	assert_int_equal(move_status(x, &x->comm, id, "to=accepted"), 404);
	snprintf(target, sizeof(target), "/referrals/%s/consent", id);
	rt_browser_post_is(x->t, &x->other, target, "purpose=share&action=withdraw", 404, NULL);
	/* A visitor is asked to sign in. */
	snprintf(target, sizeof(target), "/referrals/%s", id);
	rt_get(x->t, target, &r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	assert_int_equal(status_is(x->t, id, "sent"), 1);
	/* A coordinator sees it, and each read is audited. */
	get_as(x, &x->coord, "/referrals/", id, "", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Ada Lovelace"));
	rt_resp_free(&r);
	assert_true(rt_count(x->t, &q_reads, DB_ARGS(DB_INT(x->cora))) >= 1);
	assert_int_equal(rt_count(x->t, &q_reads, DB_ARGS(DB_INT(x->bea))), 0);
}

static const struct sql q_withdraw_note = { "trw.withdraw_note",
	"SELECT count(*) FROM referral_event WHERE referral_id = $1 AND to_status = 'withdrawn' "
	"AND note = 'They have moved away'", NULL };

/* Withdrawing a referral asks once, naming where it was going and saying
 * what follows; the reason given there goes on the record. Someone who
 * may not withdraw it is refused, not asked. */
static void withdrawing_asks_first(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char id[37];

	refer_ada(x, id);
	assert_int_equal(move(x, &x->own, id, "to=withdrawn", &r), 403);
	rt_resp_free(&r);
	assert_int_equal(move(x, &x->link, id, "to=withdrawn", &r), 200);
	assert_true(rt_has(&r, "Withdraw the referral to "));
	assert_true(rt_has(&r, "The organisation is told it has been withdrawn"));
	assert_true(rt_has(&r, "name=\"to\" value=\"withdrawn\""));
	assert_true(rt_has(&r, "name=\"confirm_reason\""));
	rt_resp_free(&r);
	assert_int_equal(status_is(x->t, id, "sent"), 1);
	assert_int_equal(move_status(x, &x->link, id, "to=withdrawn&confirm=yes&confirm_reason=They+have+moved+away"),
			 303);
	assert_int_equal(status_is(x->t, id, "withdrawn"), 1);
	assert_int_equal(rt_count(x->t, &q_withdraw_note, DB_ARGS(DB_TEXT(id))), 1);
}

static void consent_withdrawn_and_given(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char id[37], target[128];

	refer_ada(x, id);
	snprintf(target, sizeof(target), "/referrals/%s/consent", id);
	get_as(x, &x->link, "/referrals/", id, "", &r);
	assert_true(rt_has(&r, "Withdraw<span class=\"govuk-visually-hidden\">: Share my details"));
	rt_resp_free(&r);
	/* Withdrawing asks first, saying what will follow; nothing changes
	 * until it is confirmed. */
	rt_browser_post_is(x->t, &x->link, target, "purpose=contact&action=withdraw", 200,
			"Withdraw agreement to contact them about this referral?",
			"Nobody will contact the person by email or text message",
			"name=\"purpose\" value=\"contact\"", "name=\"action\" value=\"withdraw\"",
			"name=\"confirm\" value=\"yes\"", NULL);
	rt_browser_post_is(x->t, &x->link, target, "purpose=contact&action=withdraw&confirm=yes",
			303, NULL);
	/* Said in the words of the two choices offered (not "online"). */
	rt_browser_post(x->t, &x->link, target, "purpose=contact&action=give", &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "href=\"#consent-contact-method\">Choose how they agreed: they told "
			   "you, or in writing</a>"));
	assert_false(rt_has(&r, "or online"));
	rt_resp_free(&r);
	rt_browser_post_is(x->t, &x->link, target, "purpose=contact&action=give&method=written",
			303, NULL);
	rt_browser_post_is(x->t, &x->link, target, "purpose=share&action=sideways", 422, NULL);
	/* The receiving organisation may not change consent. */
	get_as(x, &x->own, "/referrals/", id, "", &r);
	rt_resp_free(&r);
	rt_browser_post_is(x->t, &x->own, target, "purpose=share&action=withdraw", 403, NULL);
	/* Withdrawing share: the referral is withdrawn and the organisation
	 * no longer sees who it was. */
	rt_browser_post_is(x->t, &x->link, target, "purpose=share&action=withdraw", 200,
			"every open referral of theirs is withdrawn", NULL);
	assert_int_equal(status_is(x->t, id, "sent"), 1);
	rt_browser_post_is(x->t, &x->link, target, "purpose=share&action=withdraw&confirm=yes", 303,
			NULL);
	assert_int_equal(status_is(x->t, id, "withdrawn"), 1);
	get_as(x, &x->own, "/referrals/", id, "", &r);
	assert_int_equal(r.status, 200);
	assert_false(rt_has(&r, "Ada Lovelace"));
	assert_false(rt_has(&r, "Step-free access please"));
	rt_resp_free(&r);
}

static void refer_me_as_a_visitor(void **state)
{
	struct fx *x = *state;
	struct rt_browser v = { 0 };
	struct rt_resp r;
	char target[128];

	snprintf(target, sizeof(target), "/services/%s/refer-me", x->svc);
	rt_browser_get(x->t, &v, target, &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "<h1 class=\"govuk-heading-l\">I'd like to go</h1>"));
	assert_true(rt_has(&r, "Share my details with Northtown Walkers"));
	assert_false(rt_has(&r, "name=\"person.nhs_number\""));
	assert_false(rt_has(&r, "name=\"consent.outcome\""));
	assert_true(v.csrf[0]);
	rt_resp_free(&r);
	/* No consent, no way to get in touch: said in the first person. */
	rt_browser_post_is(x->t, &v, target, "person.name=Bo+Visitor&reason=I+would+like+to+walk",
			422,
			"href=\"#person.contact_by\">Choose how you would like them to get in touch",
			"href=\"#consent.share\">Tick the first box", "value=\"Bo Visitor\"",
			">I would like to walk</textarea>", NULL);
	assert_int_equal(rt_count(x->t, &q_referrals, DB_NOARGS), 0);
	rt_browser_post(x->t, &v, target, "person.name=Bo+Visitor&person.contact_by=phone"
			"&person.phone=07700+900123&reason=I+would+like+to+walk&consent.share=yes", &r);
	assert_int_equal(r.status, 303);
	snprintf(target, sizeof(target), "/services/%s/refer-me?done=sent", x->svc);
	assert_string_equal(rt_header(&r, "Location"), target);
	rt_resp_free(&r);
	/* The walk is every Tuesday at 10:00, always sooner than the 14
	 * follow-up days: the session is the time to go by
	 * (confirmation_fits_the_next_session has the words). */
	rt_browser_get(x->t, &v, target, &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Your request is sent"));
	assert_true(rt_has(&r, "What happens next"));
	assert_true(rt_has(&r, "The next session is on Tuesday "));
	assert_true(rt_has(&r, "at 10:00, at 1 Park Road, Scunthorpe DN15 6XX."));
	assert_true(rt_has(&r, "just go along"));
	assert_false(rt_has(&r, "in 14 days"));
	rt_resp_free(&r);
	assert_int_equal(rt_count(x->t, &q_referrals, DB_NOARGS), 1);
	assert_int_equal(rt_mail_n(x->t, "olu@example.org", "referral_new"), 1);
	rt_browser_get(x->t, &x->own, "/referrals/inbox", &r);
	assert_true(rt_has(&r, ">Bo Visitor</a>"));
	rt_resp_free(&r);
	/* A service that is not there. */
	rt_get(x->t, "/services/00000000-0000-4000-8000-000000000000/refer-me", &r);
	assert_int_equal(r.status, 404);
	rt_resp_free(&r);
}

/* Each "I'd like to go" emails an organisation: one connection may send
 * only self_referral_limit_ip an hour; another connection has its own. */
static void refer_me_is_rate_limited_per_address(void **state)
{
	struct fx *x = *state;
	const char *const settings[] = { "rate_limit=0", "self_referral_limit_ip=1", NULL };
	struct rt *t2 = rt_new_like(x->t, settings);
	struct rt_browser a = { .ip = "192.0.2.20" }, b = { .ip = "192.0.2.20" }, other = { .ip = "192.0.2.21" };
	struct rt_resp r;
	char svc[37], target[128];

	assert_int_equal(org_create(rt_db(t2), ORG_A, "Northtown Walkers", time_now()), ERR_OK);
	rt_service(t2, ORG_A, "Tuesday Health Walk", SVC_PUBLISHED, svc);
	rt_person(t2, "Olu Organiser", "olu@example.org", NULL, ORGANISER, ORG_A);
	snprintf(target, sizeof(target), "/services/%s/refer-me", svc);
	rt_browser_get(t2, &a, target, &r);
	rt_resp_free(&r);
	rt_browser_post(t2, &a, target, "person.name=Bo+Visitor&person.contact_by=phone"
			"&person.phone=07700+900123&reason=I+would+like+to+walk&consent.share=yes", &r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	rt_browser_get(t2, &b, target, &r);
	rt_resp_free(&r);
	rt_browser_post(t2, &b, target, "person.name=Cy+Visitor&person.contact_by=phone"
			"&person.phone=07700+900124&reason=Me+too&consent.share=yes", &r);
	assert_int_equal(r.status, 429);
	assert_true(strtoll(rt_header(&r, "Retry-After"), NULL, 10) > 0);
	assert_true(rt_has(&r, "Wait an hour"));
	rt_resp_free(&r);
	assert_int_equal(rt_count(t2, &q_referrals, DB_NOARGS), 1);
	assert_int_equal(rt_mail_n(t2, "olu@example.org", "referral_new"), 1);
	assert_int_equal(rt_audit_n(t2, "referral.rate_limited"), 1);
	rt_browser_get(t2, &other, target, &r);
	rt_resp_free(&r);
	rt_browser_post(t2, &other, target, "person.name=Cy+Visitor&person.contact_by=phone"
			"&person.phone=07700+900124&reason=Me+too&consent.share=yes", &r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	rt_free(t2);
}

static void refer_me_as_a_member(void **state)
{
	struct fx *x = *state;
	char target[128], body[256];

	snprintf(target, sizeof(target), "/services/%s/refer-me", x->svc);
	rt_browser_get_is(x->t, &x->member, target, 200, "value=\"Mo Member\"",
			"value=\"mo@example.org\"", NULL);
	snprintf(body, sizeof(body), "person.name=Mo+Member&person.contact_by=email"
		 "&person.email=mo%%40example.org&reason=Company&consent.share=yes&consent.contact=yes");
	rt_browser_post_is(x->t, &x->member, target, body, 303, NULL);
	/* Again while it is open: 409, said by the service. */
	rt_browser_post_is(x->t, &x->member, target, body, 409,
			"href=\"#target\">You already have an open referral", NULL);
	/* Their referrals: it is there, and its page shows who looked. */
	rt_browser_get_is(x->t, &x->member, "/account/referrals", 200, ">Tuesday Health Walk</a>",
			NULL);
}

static void your_referrals_claims_and_shows_who_looked(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char id[37];

	refer_ada(x, id);
	get_as(x, &x->own, "/referrals/", id, "", &r);     /* the organisation reads it */
	rt_resp_free(&r);
	assert_int_equal(rt_count(x->t, &q_claimed, DB_ARGS(DB_INT(x->ada))), 0);
	rt_browser_get_is(x->t, &x->ada_b, "/account/referrals", 200,
			"We found a referral made for you", ">Tuesday Health Walk</a>", NULL);
	assert_int_equal(rt_count(x->t, &q_claimed, DB_ARGS(DB_INT(x->ada))), 1);
	get_as(x, &x->ada_b, "/referrals/", id, "", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Who has looked at this referral"));
	assert_true(rt_has(&r, "Olu Organiser"));
	assert_true(rt_has(&r, "Withdraw the referral"));
	assert_true(rt_has(&r, "I agree<span") || rt_has(&r, "Withdraw<span"));
	rt_resp_free(&r);
	/* Her own reads are not listed as someone looking. */
	assert_int_equal(rt_count(x->t, &q_reads, DB_ARGS(DB_INT(x->ada))), 0);
	/* Someone with no referrals. */
	rt_browser_get(x->t, &x->member, "/account/referrals", &r);
	assert_true(rt_has(&r, "You have no referrals yet."));
	rt_resp_free(&r);
}

/* A visitor asks to go, then registers with the same address: confirming
 * the address makes the referral theirs at once, before they open
 * "Your referrals"; a different address claims nothing. */
static void confirming_an_email_claims_at_once(void **state)
{
	struct fx *x = *state;
	struct rt_browser v = { 0 }, zed = { 0 };
	struct rt_resp r;
	struct person p;
	struct arena a;
	char target[128];
	char *link;

	snprintf(target, sizeof(target), "/services/%s/refer-me", x->svc);
	rt_browser_get(x->t, &v, target, &r);
	rt_resp_free(&r);
	rt_browser_post(x->t, &v, target, "person.name=Zed+Visitor&person.contact_by=email"
			"&person.email=Zed%40Example.org&reason=Walking&consent.share=yes", &r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	rt_browser_get(x->t, &zed, "/register", &r);
	rt_resp_free(&r);
	rt_browser_post(x->t, &zed, "/register",
			"name=Zed+Visitor&email=zed%40example.org&password=purple+kettle+orbit+42", &r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	arena_init(&a);
	assert_int_equal(person_find_email(rt_db(x->t), &a, "zed@example.org", &p), ERR_OK);
	/* Not before the address is confirmed. */
	rt_browser_get(x->t, &zed, "/account/referrals", &r);
	assert_true(rt_has(&r, "You have no referrals yet."));
	rt_resp_free(&r);
	assert_int_equal(rt_count(x->t, &q_claimed, DB_ARGS(DB_INT(p.id))), 0);
	link = rt_mail_link(x->t, "zed@example.org", "verify_email", "/verify-email/");
	rt_browser_get(x->t, &zed, link, &r);
	rt_resp_free(&r);
	rt_browser_post_is(x->t, &zed, link, NULL, 303, NULL);
	assert_int_equal(rt_count(x->t, &q_claimed, DB_ARGS(DB_INT(p.id))), 1);
	assert_int_equal(rt_audit_n(x->t, "client.claimed"), 1);
	free(link);
	arena_release(&a);
}

/* Link workers and GP practice staff share a role: the form asks which,
 * and the referral's source says so; an organiser referring onwards is
 * not asked, and cannot claim to be a GP practice. */
static void referring_as_a_gp_practice(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char body[1024];

	snprintf(body, sizeof(body), "/referrals/new?service=%s", x->svc);
	rt_browser_get(x->t, &x->link, body, &r);
	assert_true(rt_has(&r, "You are referring as"));
	assert_true(rt_has(&r, "value=\"gp_practice\""));
	rt_resp_free(&r);
	rt_browser_get(x->t, &x->own, body, &r);
	assert_false(rt_has(&r, "You are referring as"));
	rt_resp_free(&r);
	/* Something else: said, and what was typed kept. */
	snprintf(body, sizeof(body), "%s&target.id=%s&source=dentist", PERSON_FORM, x->svc);
	rt_browser_post_is(x->t, &x->link, "/referrals/new", body, 422, "href=\"#source\"",
			"value=\"Ada Lovelace\"", NULL);
	snprintf(body, sizeof(body), "%s&target.id=%s&source=gp_practice", PERSON_FORM, x->svc);
	rt_browser_post_is(x->t, &x->link, "/referrals/new", body, 303, NULL);
	assert_int_equal(rt_count(x->t, &q_source, DB_ARGS(DB_TEXT("gp_practice"))), 1);
	/* The organiser's claim is ignored: an onward referral. */
	snprintf(body, sizeof(body), "%s&target.id=%s&source=gp_practice", PERSON_FORM, x->svc_b);
	rt_browser_post_is(x->t, &x->own, "/referrals/new", body, 303, NULL);
	assert_int_equal(rt_count(x->t, &q_source, DB_ARGS(DB_TEXT("gp_practice"))), 1);
	assert_int_equal(rt_count(x->t, &q_source, DB_ARGS(DB_TEXT("organiser"))), 1);
}

static void overview_and_csv(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char id[37];

	refer_ada(x, id);
	assert_int_equal(move_status(x, &x->own, id, "to=accepted"), 303);
	rt_browser_get(x->t, &x->comm, "/referrals/overview", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Referrals sent</dt>"));
	assert_true(rt_has(&r, ">Accepted</dt>"));
	assert_true(rt_has(&r, ">Link worker</dt>"));
	assert_false(rt_has(&r, "Ada"));
	/* A commissioner: counts only, one referral is "fewer than 5", no
	 * shares of so few, no rows. */
	assert_true(rt_has(&r, "href=\"/referrals/summary.csv\""));
	assert_false(rt_has(&r, "/referrals/overview.csv"));
	assert_true(rt_has(&r, "Referrals sent</dt>\n        <dd class=\"govuk-summary-list__value\">fewer than 5</dd>"));
	assert_true(rt_has(&r, "Not shown for fewer than 5 referrals"));
	assert_false(rt_has(&r, "<dd class=\"govuk-summary-list__value\">1</dd>"));
	assert_false(rt_has(&r, "href=\"/referrals/inbox\">Referrals by organisation"));
	rt_resp_free(&r);
	rt_browser_get(x->t, &x->coord, "/referrals/overview", &r);
	assert_true(rt_has(&r, "href=\"/referrals/inbox\">Referrals by organisation"));
	assert_true(rt_has(&r, "href=\"/referrals/overview.csv\""));
	assert_true(rt_has(&r, "Referrals sent</dt>\n        <dd class=\"govuk-summary-list__value\">1</dd>"));
	rt_resp_free(&r);
	rt_browser_get(x->t, &x->comm, "/referrals/summary.csv", &r);
	assert_int_equal(r.status, 200);
	assert_true(strncmp(r.body, "dimension,code,label,referrals\r\nall,,All referrals,fewer than 5\r\n",
			    strlen("dimension,code,label,referrals\r\nall,,All referrals,fewer than 5\r\n")) == 0);
	assert_true(rt_has(&r, "status,accepted,Accepted,fewer than 5\r\n"));
	assert_true(rt_has(&r, "status,declined,Declined,0\r\n"));
	assert_false(rt_has(&r, id));
	rt_resp_free(&r);
	rt_browser_get_is(x->t, &x->comm, "/referrals/overview.csv", 403, NULL);
	rt_browser_get_is(x->t, &x->coord, "/referrals/summary.csv", 200, "all,,All referrals,1\r\n", NULL);

	/* A period: bad dates said by their boxes, what was typed kept. */
	rt_browser_get(x->t, &x->comm, "/referrals/overview?from-day=31&from-month=2&from-year=2026"
		       "&to-day=1&to-month=&to-year=2026", &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "href=\"#from\">The start date must be a real date"));
	assert_true(rt_has(&r, "href=\"#to\">The end date must include a day, month and year"));
	assert_true(rt_has(&r, "value=\"31\""));
	rt_resp_free(&r);
	rt_browser_get(x->t, &x->comm, "/referrals/overview?from-day=2&from-month=3&from-year=2026"
		       "&to-day=1&to-month=3&to-year=2026", &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "The end date must be the same as or after the start date"));
	rt_resp_free(&r);
	/* A period before anything was sent: none; its CSV link keeps it. */
	rt_browser_get(x->t, &x->comm, "/referrals/overview?from-day=1&from-month=1&from-year=2001"
		       "&to-day=31&to-month=12&to-year=2001", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Referrals sent</dt>\n        <dd class=\"govuk-summary-list__value\">0</dd>"));
	assert_true(rt_has(&r, "href=\"/referrals/summary.csv?from-day=1&amp;from-month=1&amp;from-year=2001"));
	rt_resp_free(&r);

	rt_browser_get(x->t, &x->coord, "/referrals/overview.csv", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "text/csv; charset=utf-8");
	assert_non_null(strstr(rt_header(&r, "Content-Disposition"), "attachment"));
	assert_string_equal(rt_header(&r, "Cache-Control"), "no-store");
	assert_true(strncmp(r.body, "id,sent_at,source,target_type,target_name", 41) == 0);
	assert_true(rt_has(&r, id));
	assert_true(rt_has(&r, "Tuesday Health Walk"));
	assert_false(rt_has(&r, "Ada"));
	assert_false(rt_has(&r, "ada@example.org"));
	assert_false(rt_has(&r, "Lovelace"));
	rt_resp_free(&r);
	rt_browser_get(x->t, &x->coord, "/referrals/overview.csv?from-day=1&from-month=1&from-year=2001"
		       "&to-day=31&to-month=12&to-year=2001", &r);
	assert_int_equal(r.status, 200);
	assert_false(rt_has(&r, id));
	rt_resp_free(&r);
	rt_browser_get_is(x->t, &x->coord, "/referrals/overview.csv?from-day=40&from-month=1&from-year=2001",
			422, NULL);
	rt_browser_get_is(x->t, &x->comm, "/referrals/summary.csv?from-day=40&from-month=1&from-year=2001",
			422, NULL);
}

static void coordinator_inbox_any_organisation(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char id[37], target[128];

	refer_ada(x, id);
	rt_browser_get_is(x->t, &x->coord, "/referrals/inbox", 200, "Every organisation",
			">Ada Lovelace</a>",
			"<option value=\"" ORG_A "\">Northtown Walkers</option>", NULL);
	rt_browser_get(x->t, &x->coord, "/referrals/inbox?org=" ORG_B, &r);
	assert_int_equal(r.status, 200);
	assert_false(rt_has(&r, ">Ada Lovelace</a>"));
	rt_resp_free(&r);
	/* An organiser cannot open another organisation's inbox. */
	rt_browser_get_is(x->t, &x->other, "/referrals/inbox?org=" ORG_A, 404, NULL);
	rt_browser_get(x->t, &x->other, "/referrals/inbox?org=all", &r);
	assert_int_equal(r.status, 200);
	assert_false(rt_has(&r, ">Ada Lovelace</a>"));
	rt_resp_free(&r);
	/* Overdue after the follow-up days. */
	time_set_fake(time_now() + 20 * 86400);
	rt_sign_in(x->t, x->olu, &x->own);
	rt_browser_get(x->t, &x->own, "/referrals/inbox", &r);
	assert_true(rt_has(&r, "Overdue (1)"));
	assert_true(rt_has(&r, "New referrals (0)"));
	rt_resp_free(&r);
	rt_sign_in(x->t, x->lin, &x->link);
	rt_browser_get(x->t, &x->link, "/referrals/caseload", &r);
	assert_true(rt_has(&r, "Needs follow-up"));
	rt_resp_free(&r);
	snprintf(target, sizeof(target), "/referrals/%s", id);
	rt_browser_get(x->t, &x->link, target, &r);
	assert_true(rt_has(&r, ">Overdue</strong>"));
	rt_resp_free(&r);
}

/* "name-day=D&name-month=M&name-year=Y" for a UK day. */
static const char *day_fields(char *out, size_t n, const char *name, int64_t day)
{
	int y, m, d;

	uk_date(day, &y, &m, &d);
	snprintf(out, n, "%s-day=%d&%s-month=%d&%s-year=%d", name, d, name, m, name, y);
	return out;
}

/* "3 December 2026" for a UK day. */
static const char *day_words(char *out, size_t n, int64_t day)
{
	uk_format_day(day, out, n);
	return out;
}

/* Every open referral stays in the organisation's inbox until it ends:
 * by status, with how many each has, and searched by name (a POST: the
 * name never sits in an address). */
static void inbox_reaches_every_open_referral(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char id[37];

	refer_ada(x, id);
	assert_int_equal(move_status(x, &x->own, id, "to=accepted"), 303);
	assert_int_equal(move_status(x, &x->own, id, "to=contacted"), 303);
	/* Out of "what needs action", still here by its status. */
	rt_browser_get(x->t, &x->own, "/referrals/inbox", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "New referrals (0)"));
	assert_true(rt_has(&r, "To contact (0)"));
	assert_true(rt_has(&r, "href=\"/referrals/inbox?status=contacted\">Contacted (1)</a>"));
	assert_true(rt_has(&r, "href=\"/referrals/inbox?status=open\">All open (1)</a>"));
	assert_false(rt_has(&r, ">Ada Lovelace</a>"));
	rt_resp_free(&r);
	rt_browser_get_is(x->t, &x->own, "/referrals/inbox?status=contacted", 200,
			">Ada Lovelace</a>", "<strong aria-current=\"page\">Contacted (1)</strong>", NULL);
	rt_browser_get(x->t, &x->own, "/referrals/inbox?status=sent", &r);
	assert_false(rt_has(&r, ">Ada Lovelace</a>"));
	rt_resp_free(&r);
	/* So attending and still attending can be recorded. */
	assert_int_equal(move_status(x, &x->own, id, "to=attended"), 303);
	rt_browser_get_is(x->t, &x->own, "/referrals/inbox?status=attended", 200,
			">Ada Lovelace</a>", NULL);
	rt_browser_get_is(x->t, &x->own, "/referrals/inbox?status=open", 200, ">Ada Lovelace</a>", NULL);
	/* Searched by the person's name or the service's, in any case. */
	rt_browser_post_is(x->t, &x->own, "/referrals/inbox", "q=LOVELACE", 200, ">Ada Lovelace</a>",
			"Matching &ldquo;LOVELACE&rdquo;", NULL);
	rt_browser_post_is(x->t, &x->own, "/referrals/inbox?status=attended", "q=health+walk", 200,
			">Ada Lovelace</a>", NULL);
	rt_browser_post(x->t, &x->own, "/referrals/inbox?status=sent", "q=Ada", &r);
	assert_int_equal(r.status, 200);
	assert_false(rt_has(&r, ">Ada Lovelace</a>"));
	rt_resp_free(&r);
	rt_browser_post(x->t, &x->own, "/referrals/inbox", "q=%25", &r);
	assert_false(rt_has(&r, ">Ada Lovelace</a>"));     /* % is a character, not "anything" */
	rt_resp_free(&r);
	/* Another organisation finds nothing, whatever it types. */
	rt_browser_post(x->t, &x->other, "/referrals/inbox", "q=Ada", &r);
	assert_int_equal(r.status, 200);
	assert_false(rt_has(&r, "Ada Lovelace"));
	rt_resp_free(&r);
	/* No form token: refused. */
	rt_browser_request(x->t, &x->own, "POST", "/referrals/inbox", NULL, "q=Ada", &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);
	/* Coordinators, for one organisation or every one: the links keep it. */
	rt_browser_get_is(x->t, &x->coord, "/referrals/inbox?org=" ORG_A "&status=attended", 200,
			">Ada Lovelace</a>", "href=\"/referrals/inbox?org=" ORG_A "&amp;status=open\"",
			"action=\"/referrals/inbox?org=" ORG_A "&amp;status=attended\"", NULL);
	rt_browser_get_is(x->t, &x->coord, "/referrals/inbox?org=all&status=open", 200,
			">Ada Lovelace</a>", NULL);
	rt_browser_get(x->t, &x->coord, "/referrals/inbox?org=" ORG_B "&status=open", &r);
	assert_false(rt_has(&r, ">Ada Lovelace</a>"));
	rt_resp_free(&r);
	/* Once it ends, it leaves. */
	assert_int_equal(move_status(x, &x->own, id, "to=closed&reason=completed&confirm=yes"), 303);
	rt_browser_get(x->t, &x->own, "/referrals/inbox?status=open", &r);
	assert_false(rt_has(&r, ">Ada Lovelace</a>"));
	rt_resp_free(&r);
}

/* Contact and attendance say when (today unless changed; not in the
 * future, not before the step they follow) and how; the page shows it and
 * the measures count from the day given. */
static void contact_and_attendance_say_when_and_how(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char id[37], body[256], d1[128], words[64], target[128];
	int64_t sent_day, today;

	refer_ada(x, id);
	sent_day = uk_local_day(time_now());
	time_set_fake(time_now() + 10 * 86400);
	today = uk_local_day(time_now());
	rt_sign_in(x->t, x->olu, &x->own);
	assert_int_equal(move_status(x, &x->own, id, "to=accepted"), 303);
	/* The form asks when (today in the boxes) and how. */
	snprintf(target, sizeof(target), "/referrals/%s", id);
	rt_browser_get(x->t, &x->own, target, &r);
	assert_true(rt_has(&r, "When did you get in touch?"));
	assert_true(rt_has(&r, "id=\"happened_on-contacted\" name=\"happened_on-day\""));
	{
		int y, m, d;

		uk_date(today, &y, &m, &d);
		snprintf(d1, sizeof(d1), "value=\"%d\"", y);
	}
	assert_true(rt_has(&r, d1));
	assert_true(rt_has(&r, "id=\"method-contacted-in_person\""));
	assert_true(rt_has(&r, "By text message"));
	rt_resp_free(&r);
	/* Tomorrow: not yet. */
	snprintf(body, sizeof(body), "to=contacted&method=phone&%s",
		 day_fields(d1, sizeof(d1), "happened_on", today + 1));
	assert_int_equal(move(x, &x->own, id, body, &r), 422);
	assert_true(rt_has(&r, "href=\"#happened_on-contacted\">The date it happened must be today or in the past"));
	assert_true(rt_has(&r, "value=\"phone\" checked"));
	rt_resp_free(&r);
	/* Before it was sent: not possible. */
	snprintf(body, sizeof(body), "to=contacted&%s",
		 day_fields(d1, sizeof(d1), "happened_on", sent_day - 1));
	assert_int_equal(move(x, &x->own, id, body, &r), 422);
	snprintf(body, sizeof(body), "must be on or after %s, when the referral was sent",
		 day_words(words, sizeof(words), sent_day));
	assert_true(rt_has(&r, body));
	rt_resp_free(&r);
	/* Not a date. */
	assert_int_equal(move(x, &x->own, id, "to=contacted&happened_on-day=31&happened_on-month=2"
			      "&happened_on-year=2026", &r), 422);
	assert_true(rt_has(&r, "href=\"#happened_on-contacted\">The date it happened must be a real date"));
	rt_resp_free(&r);
	/* A way that is not on the list. */
	assert_int_equal(move(x, &x->own, id, "to=contacted&method=pigeon", &r), 422);
	assert_true(rt_has(&r, "href=\"#method-contacted\">"));
	rt_resp_free(&r);
	assert_int_equal(status_is(x->t, id, "accepted"), 1);
	/* Three days after it was sent, by phone. */
	snprintf(body, sizeof(body), "to=contacted&method=phone&note=Rang+her&%s",
		 day_fields(d1, sizeof(d1), "happened_on", sent_day + 3));
	assert_int_equal(move_status(x, &x->own, id, body), 303);
	/* Attending before she was contacted: not possible. */
	snprintf(body, sizeof(body), "to=attended&%s",
		 day_fields(d1, sizeof(d1), "happened_on", sent_day + 2));
	assert_int_equal(move(x, &x->own, id, body, &r), 422);
	assert_true(rt_has(&r, "when the person was contacted"));
	rt_resp_free(&r);
	snprintf(body, sizeof(body), "to=attended&method=in_person&%s",
		 day_fields(d1, sizeof(d1), "happened_on", sent_day + 5));
	assert_int_equal(move_status(x, &x->own, id, body), 303);
	rt_browser_get(x->t, &x->own, target, &r);
	snprintf(body, sizeof(body), "%s</time>: By phone", day_words(words, sizeof(words), sent_day + 3));
	assert_true(rt_has(&r, body));
	snprintf(body, sizeof(body), "%s</time>: In person", day_words(words, sizeof(words), sent_day + 5));
	assert_true(rt_has(&r, body));
	assert_true(rt_has(&r, "Rang her"));
	/* Days to first attending: from the day given, not the click (10). */
	assert_true(rt_has(&r, "Days to first attending</dt>\n        <dd class=\"govuk-summary-list__value\">5</dd>"));
	assert_true(rt_has(&r, "Days to first contact</dt>\n        <dd class=\"govuk-summary-list__value\">3</dd>"));
	rt_resp_free(&r);
	/* Accepting takes no date. */
	assert_int_equal(status_is(x->t, id, "attended"), 1);
}

/* Case notes and the next contact: the referrer's and coordinators'
 * own, never the receiving organisation's; the caseload puts the ones
 * due first. */
static void case_notes_and_next_contact(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char id[37], body[256], d1[128], target[128], where[160], done[128];
	int64_t today = uk_local_day(time_now());

	refer_ada(x, id);
	snprintf(target, sizeof(target), "/referrals/%s/notes", id);
	snprintf(where, sizeof(where), "/referrals/%s", id);
	rt_browser_get_is(x->t, &x->link, where, 200, "Case notes", "Not planned", "No notes yet.",
			"name=\"next_contact_on-day\"", NULL);
	/* Nothing to save; a day gone by; a day too far. */
	rt_browser_post_is(x->t, &x->link, target, "note=", 422,
			"href=\"#casework-note\">Write a note, or give the date of the next contact", NULL);
	snprintf(body, sizeof(body), "note=Kept&%s", day_fields(d1, sizeof(d1), "next_contact_on",
								today - 1));
	rt_browser_post_is(x->t, &x->link, target, body, 422, "href=\"#next_contact_on\">The date of "
			"the next contact must be today or in the future", ">Kept</textarea>", NULL);
	snprintf(body, sizeof(body), "%s", day_fields(d1, sizeof(d1), "next_contact_on", today + 800));
	rt_browser_post_is(x->t, &x->link, target, body, 422, "within two years", NULL);
	assert_int_equal(rt_audit_n(x->t, "referral.note"), 0);
	/* A note and a contact due today. */
	snprintf(body, sizeof(body), "note=Rang+Ada%%3B+she+would+like+to+go+with+a+friend&%s",
		 day_fields(d1, sizeof(d1), "next_contact_on", today));
	snprintf(done, sizeof(done), "/referrals/%s?done=notes#casework", id);
	rt_browser_post_to(x->t, &x->link, target, body, done);
	assert_int_equal(rt_audit_n(x->t, "referral.note"), 1);
	assert_int_equal(rt_audit_n(x->t, "referral.next_contact"), 1);
	rt_browser_get_is(x->t, &x->link, where, 200, "Rang Ada; she would like to go with a friend",
			">Due</strong>", NULL);
	rt_browser_get_is(x->t, &x->link, "/referrals/caseload", 200, "id=\"contact-due\"",
			">Contact due</strong>", NULL);
	/* A coordinator adds one too. */
	rt_browser_get(x->t, &x->coord, where, &r);
	assert_true(rt_has(&r, "Rang Ada"));
	rt_resp_free(&r);
	rt_browser_post_to(x->t, &x->coord, target, "note=Checked+the+walk+has+room", done);
	/* The organisation never sees them, and may not write them. */
	rt_browser_get(x->t, &x->own, where, &r);
	assert_int_equal(r.status, 200);
	assert_false(rt_has(&r, "Case notes"));
	assert_false(rt_has(&r, "Rang Ada"));
	assert_false(rt_has(&r, "Checked the walk"));
	rt_resp_free(&r);
	rt_browser_post_is(x->t, &x->own, target, "note=Hello", 403, NULL);
	/* Nor do those who may not see the referral at all. */
	rt_browser_post_is(x->t, &x->other, target, "note=Hello", 404, NULL);
	rt_browser_post_is(x->t, &x->member, target, "note=Hello", 404, NULL);
	assert_int_equal(rt_audit_n(x->t, "referral.note"), 2);
	/* Cleared: nothing due. */
	snprintf(done, sizeof(done), "/referrals/%s?done=next-cleared#casework", id);
	rt_browser_post_to(x->t, &x->link, target, "clear_next=yes", done);
	rt_browser_get(x->t, &x->link, "/referrals/caseload", &r);
	assert_false(rt_has(&r, "id=\"contact-due\""));
	rt_resp_free(&r);
}

/* The caseload searched by name (posted), and a referral started from it,
 * choosing the service inside the one form. */
static void caseload_search_and_choose_a_service(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char id[37], body[1200];
	const char *loc;

	refer_ada(x, id);
	rt_browser_get_is(x->t, &x->link, "/referrals/caseload", 200,
			"href=\"/referrals/new\">Refer someone</a>", "name=\"q\"", NULL);
	rt_browser_post_is(x->t, &x->link, "/referrals/caseload", "q=ada+love", 200,
			">Ada Lovelace</a>", NULL);
	rt_browser_post(x->t, &x->link, "/referrals/caseload", "q=Grace", &r);
	assert_int_equal(r.status, 200);
	assert_false(rt_has(&r, ">Ada Lovelace</a>"));
	assert_true(rt_has(&r, "match &ldquo;Grace&rdquo;"));
	rt_resp_free(&r);
	/* Words that cannot be searched: said by the box, nothing listed as found. */
	{
		char q[160];

		snprintf(q, sizeof(q), "q=%0120d", 7);
		rt_browser_post_is(x->t, &x->link, "/referrals/caseload", q, 422,
				"href=\"#q\">Search for a name of 100 characters or fewer", NULL);
		rt_browser_post_is(x->t, &x->own, "/referrals/inbox", q, 422,
				"href=\"#q\">Search for a name of 100 characters or fewer", NULL);
	}
	/* A name in the address is not a search. */
	rt_browser_get_is(x->t, &x->link, "/referrals/caseload?q=Grace", 200, ">Ada Lovelace</a>", NULL);

	/* The form without a service: find one by its words, everything typed kept. */
	rt_browser_get(x->t, &x->link, "/referrals/new", &r);
	rt_resp_free(&r);
	rt_browser_post(x->t, &x->link, "/referrals/new", "choose=yes&find=yes&service_q=lunch"
			"&person.name=Grace+Hopper&reason=Company", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Southtown Lunch, run by "));
	assert_false(rt_has(&r, "Tuesday Health Walk, run by Northtown Walkers</label>"));
	assert_true(rt_has(&r, "value=\"Grace Hopper\""));
	assert_true(rt_has(&r, ">Company</textarea>"));
	assert_false(rt_has(&r, "govuk-error-summary"));
	rt_resp_free(&r);
	/* Nothing matches: said, and the search box takes the summary's link. */
	rt_browser_post_is(x->t, &x->link, "/referrals/new", "choose=yes&find=yes&service_q=zebra", 200,
			"No service in the directory matches &ldquo;zebra&rdquo;", "id=\"target\" name=\"service_q\"",
			NULL);
	/* Sent without choosing: the chooser says so. */
	rt_browser_post_is(x->t, &x->link, "/referrals/new", "choose=yes&service_q=walk&"
			PERSON_FORM_NO_NHS, 422, "href=\"#target\">", "Tuesday Health Walk, run by Northtown Walkers</label>", NULL);
	/* Chosen and sent: made, to that service. */
	snprintf(body, sizeof(body), "choose=yes&service_q=lunch&target.id=%s&%s", x->svc_b,
		 "target.type=service&person.name=Grace+Hopper&person.contact_by=phone"
		 "&person.phone=01632+960001&needs=loneliness&consent.share=yes&consent.method=verbal");
	rt_browser_post(x->t, &x->link, "/referrals/new", body, &r);
	assert_int_equal(r.status, 303);
	loc = rt_header(&r, "Location");
	assert_non_null(loc);
	assert_non_null(strstr(loc, "?done=sent"));
	rt_resp_free(&r);
	rt_browser_post_is(x->t, &x->link, "/referrals/caseload", "q=southtown", 200,
			">Grace Hopper</a>", NULL);
}

/* Refer someone on the one POST path: a form that fails keeps every value
 * typed (text, date boxes, ticks, choices) and its summary names each
 * field, in page order; nothing is made. */
static void failed_referral_keeps_what_was_typed(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char body[1024];

	get_as(x, &x->link, "/referrals/new?service=", x->svc, "", &r);
	rt_resp_free(&r);
	snprintf(body, sizeof(body), "target.type=service&target.id=%s&source=gp_practice"
		 "&person.name=Ada+Lovelace&person.contact_by=phone&person.phone="
		 "&person.access_needs=Large+print&person.birth_date-day=31"
		 "&person.birth_date-month=2&person.birth_date-year=1957"
		 "&person.nhs_number=943+476+5919&needs=money&reason=She+would+like+company"
		 "&consent.contact=yes&consent.method=verbal", x->svc);
	rt_browser_post(x->t, &x->link, "/referrals/new", body, &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "<title>Error: Refer someone"));
	assert_true(rt_has(&r, "href=\"#person.phone\">"));
	assert_true(rt_has(&r, "href=\"#person.birth_date\">Date of birth must be a real date"));
	assert_true(rt_has(&r, "href=\"#consent.share\">"));
	assert_true(strstr(r.body, "href=\"#person.phone\"") < strstr(r.body, "href=\"#person.birth_date\""));
	assert_true(strstr(r.body, "href=\"#person.birth_date\"") < strstr(r.body, "href=\"#consent.share\""));
	assert_true(rt_has(&r, "value=\"Ada Lovelace\""));
	assert_true(rt_has(&r, ">Large print</textarea>"));
	assert_true(rt_has(&r, "name=\"person.birth_date-day\" type=\"text\" inputmode=\"numeric\" autocomplete=\"off\" value=\"31\""));
	assert_true(rt_has(&r, "name=\"person.birth_date-month\" type=\"text\" inputmode=\"numeric\" autocomplete=\"off\" value=\"2\""));
	assert_true(rt_has(&r, "value=\"943 476 5919\""));
	assert_true(rt_has(&r, "value=\"money\" checked"));
	assert_true(rt_has(&r, "value=\"gp_practice\" checked"));
	assert_true(rt_has(&r, "value=\"verbal\" checked"));
	assert_true(rt_has(&r, "id=\"consent.contact\" name=\"consent.contact\" type=\"checkbox\" value=\"yes\" checked"));
	assert_false(rt_has(&r, "id=\"consent.share\" name=\"consent.share\" type=\"checkbox\" value=\"yes\" checked"));
	rt_resp_free(&r);
	assert_int_equal(rt_count(x->t, &q_referrals, DB_NOARGS), 0);
}

/* "I'd like to go" counts a connection's attempt with the request it
 * sends: a form that comes back with errors spends none of the hour's. */
static void failed_refer_me_spends_no_allowance(void **state)
{
	struct fx *x = *state;
	const char *const settings[] = { "rate_limit=0", "self_referral_limit_ip=1", NULL };
	struct rt *t2 = rt_new_like(x->t, settings);
	struct rt_browser v = { .ip = "192.0.2.30" };
	struct rt_resp r;
	char svc[37], target[128];

	assert_int_equal(org_create(rt_db(t2), ORG_A, "Northtown Walkers", time_now()), ERR_OK);
	rt_service(t2, ORG_A, "Tuesday Health Walk", SVC_PUBLISHED, svc);
	snprintf(target, sizeof(target), "/services/%s/refer-me", svc);
	rt_browser_get(t2, &v, target, &r);
	rt_resp_free(&r);
	for (int i = 0; i < 2; i++) {
		rt_browser_post(t2, &v, target, "person.name=Bo+Visitor&reason=I+would+like+to+walk", &r);
		assert_int_equal(r.status, 422);
		assert_true(rt_has(&r, "href=\"#person.contact_by\">Choose how you would like them to get in touch"));
		assert_true(rt_has(&r, "value=\"Bo Visitor\""));
		rt_resp_free(&r);
	}
	rt_browser_post(t2, &v, target, "person.name=Bo+Visitor&person.contact_by=phone"
			"&person.phone=07700+900123&reason=I+would+like+to+walk&consent.share=yes", &r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	assert_int_equal(rt_count(t2, &q_referrals, DB_NOARGS), 1);
	assert_int_equal(rt_audit_n(t2, "referral.rate_limited"), 0);
	rt_free(t2);
}

/* Every "I'd like to go" that gets as far as being tried counts against
 * the connection's allowance, whatever the answer: a visitor asking again
 * and again whether someone already has a referral there runs out. */
static void every_refer_me_attempt_counts(void **state)
{
	struct fx *x = *state;
	const char *const settings[] = { "rate_limit=0", "self_referral_limit_ip=3", NULL };
	struct rt *t2 = rt_new_like(x->t, settings);
	struct rt_browser v = { .ip = "192.0.2.31" }, w = { .ip = "192.0.2.32" };
	struct rt_resp r;
	char svc[37], target[128];
	int answered = 0, limited = 0;

	assert_int_equal(org_create(rt_db(t2), ORG_A, "Northtown Walkers", time_now()), ERR_OK);
	rt_service(t2, ORG_A, "Tuesday Health Walk", SVC_PUBLISHED, svc);
	snprintf(target, sizeof(target), "/services/%s/refer-me", svc);
	rt_browser_get(t2, &v, target, &r);
	rt_resp_free(&r);
	for (int i = 0; i < 5; i++) {
		rt_browser_post(t2, &v, target, "person.name=Bo+Visitor&person.contact_by=email"
				"&person.email=bo%40example.org&reason=I+would+like+to+walk&consent.share=yes",
				&r);
		if (r.status == 429)
			limited++;
		else
			answered++;
		rt_resp_free(&r);
	}
	assert_int_equal(answered, 3);
	assert_int_equal(limited, 2);
	/* The first made a referral; the other two answered the same way
	 * (a visitor cannot see it, so asking again tells them nothing):
	 * folded into it. */
	assert_int_equal(rt_count(t2, &q_referrals, DB_NOARGS), 3);
	/* Another connection has its own allowance. */
	rt_browser_get(t2, &w, target, &r);
	rt_resp_free(&r);
	rt_browser_post(t2, &w, target, "person.name=Cy+Visitor&person.contact_by=email"
			"&person.email=cy%40example.org&reason=I+would+like+to+walk&consent.share=yes", &r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	rt_free(t2);
}

/* The one-open-referral rule is no oracle: whoever cannot see Ada's open
 * referral (a visitor using her email, another organisation's organiser)
 * is answered as if theirs were the first, and it is folded into the open
 * one, whose referrer is told; whoever can see it (its referrer) is told
 * it is open. */
static void a_duplicate_tells_nothing(void **state)
{
	struct fx *x = *state;
	struct rt_browser v = { .ip = "192.0.2.40" };
	struct rt_resp r;
	char target[128], body[1024];

	/* Lin refers Ada, known by her email (no NHS number this time). */
	get_as(x, &x->link, "/referrals/new?service=", x->svc, "", &r);
	rt_resp_free(&r);
	snprintf(body, sizeof(body), "%s&target.id=%s", PERSON_FORM_NO_NHS, x->svc);
	rt_browser_post(x->t, &x->link, "/referrals/new", body, &r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	/* A visitor, in Ada's name. */
	snprintf(target, sizeof(target), "/services/%s/refer-me", x->svc);
	rt_browser_get(x->t, &v, target, &r);
	rt_resp_free(&r);
	rt_browser_post(x->t, &v, target, "person.name=Ada+Lovelace&person.contact_by=email"
			"&person.email=ada%40example.org&reason=I+would+like+to+walk&consent.share=yes", &r);
	assert_int_equal(r.status, 303);
	assert_non_null(strstr(rt_header(&r, "Location"), "/refer-me?done=sent"));
	rt_resp_free(&r);
	assert_int_equal(rt_count(x->t, &q_referrals, DB_NOARGS), 2);
	assert_int_equal(rt_mail_n(x->t, "lin@example.org", "referral_folded"), 1);
	/* Another organisation's organiser: their own new referral's page. */
	get_as(x, &x->other, "/referrals/new?service=", x->svc, "", &r);
	rt_resp_free(&r);
	rt_browser_post(x->t, &x->other, "/referrals/new", body, &r);
	assert_int_equal(r.status, 303);
	assert_non_null(strstr(rt_header(&r, "Location"), "?done=sent"));
	rt_resp_free(&r);
	assert_int_equal(rt_count(x->t, &q_referrals, DB_NOARGS), 3);
	assert_int_equal(rt_mail_n(x->t, "lin@example.org", "referral_folded"), 2);
	/* The organisation is not emailed again for them. */
	assert_int_equal(rt_mail_n(x->t, "olu@example.org", "referral_new"), 1);
	/* Lin, who made the open one, is told. */
	get_as(x, &x->link, "/referrals/new?service=", x->svc, "", &r);
	rt_resp_free(&r);
	rt_browser_post(x->t, &x->link, "/referrals/new", body, &r);
	assert_int_equal(r.status, 409);
	assert_true(rt_has(&r, "already has an open referral to Tuesday Health Walk"));
	rt_resp_free(&r);
}

/* The date of birth and NHS number: the referrer, coordinators and the
 * person see them (docs/THREATS.md); an admin, who runs the system and
 * can open the referral, does not, on the page, in the JSON API or in
 * FHIR. */
static void admins_do_not_see_identity(void **state)
{
	struct fx *x = *state;
	struct rt_browser admin = { 0 };
	struct rt_resp r;
	char id[37], path[128], tok[TOKEN_LEN + 1];
	int64_t ann = rt_person(x->t, "Ann Admin", "ann.admin@example.org", NULL,
				ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_ADMIN), NULL);

	rt_sign_in(x->t, ann, &admin);
	refer_ada(x, id);
	get_as(x, &x->coord, "/referrals/", id, "", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "9434765919") || rt_has(&r, "943 476 5919"));
	assert_true(rt_has(&r, "1957-03-27") || rt_has(&r, "27 March 1957"));
	rt_resp_free(&r);
	get_as(x, &admin, "/referrals/", id, "", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Ada Lovelace"));
	assert_false(rt_has(&r, "9434765919") || rt_has(&r, "943 476 5919"));
	assert_false(rt_has(&r, "1957-03-27") || rt_has(&r, "27 March 1957"));
	rt_resp_free(&r);
	rt_bearer(x->t, ann, RT_API_TOKEN, tok);
	snprintf(path, sizeof(path), "/api/v1/referrals/%s", id);
	rt_get_bearer(x->t, path, tok, &r);
	assert_int_equal(r.status, 200);
	assert_false(rt_has(&r, "9434765919"));
	assert_false(rt_has(&r, "1957-03-27"));
	rt_resp_free(&r);
	snprintf(path, sizeof(path), "/fhir/ServiceRequest/%s", id);
	rt_get_bearer(x->t, path, tok, &r);
	assert_int_equal(r.status, 200);
	assert_false(rt_has(&r, "9434765919"));
	assert_false(rt_has(&r, "1957-03-27"));
	rt_resp_free(&r);
}

/* ---------------------------------------------------------------- issue 9's small fixes */

/* Monday 7 December 2026, 09:00 (GMT). */
#define NOW_MON uk_to_utc(2026, 12, 7, 9, 0)

/* A service of ORG_A in Church Hall, joined as join says, meeting by the
 * schedule kind ("" none) at 10:00 on weekday or monthday. */
static void service_meeting(struct fx *x, const char *name, enum join_how join, const char *kind,
		int weekday, int monthday, char out[37])
{
	struct svc_form f = {
		.org_id = ORG_A, .name = name, .description = "A group that meets.", .join = join,
		.free = true, .in_person = true, .place_name = "Church Hall", .address_1 = "1 Park Road",
		.town = "Scunthorpe", .postcode = "DN15 6XX",
		.scheds = { { .kind = kind, .weekday = weekday, .monthday = monthday, .opens = "10:00",
			      .closes = "11:30" } },
	};

	rt_service_form(x->t, &f, SVC_PUBLISHED, NOW_MON, out);
}

/* The confirmation page of "I'd like to go" for svc, now NOW_MON. */
static void sent_page(struct fx *x, const char *svc, struct rt_resp *r)
{
	char target[128];

	snprintf(target, sizeof(target), "/services/%s/refer-me?done=sent", svc);
	rt_get(x->t, target, r);
	assert_int_equal(r->status, 200);
}

/* After "I'd like to go": when and where the next session is, and a time
 * to hear back that fits it, in UK local words; the follow-up days only
 * when the session is further off, or when there is none. */
static void confirmation_fits_the_next_session(void **state)
{
	struct fx *x = *state;
	char thu[37], thu_ref[37], tue[37], jan[37], none[37];
	struct rt_resp r;

	time_set_fake(NOW_MON);
	service_meeting(x, "Thursday Club", JOIN_TURN_UP, "weekly", 3, 0, thu);
	service_meeting(x, "Thursday Clinic", JOIN_REFERRAL, "weekly", 3, 0, thu_ref);
	service_meeting(x, "Tuesday Club", JOIN_TURN_UP, "weekly", 1, 0, tue);
	service_meeting(x, "Monthly Club", JOIN_TURN_UP, "monthly-date", 0, 5, jan);
	service_meeting(x, "Any Time Club", JOIN_TURN_UP, "", 0, 0, none);

	/* In three days, and people just turn up: go along if nobody calls. */
	sent_page(x, thu, &r);
	assert_true(rt_has(&r, "The next session is on Thursday 10 December at 10:00, at Church Hall, "
			   "1 Park Road, Scunthorpe DN15 6XX."));
	assert_true(rt_has(&r, "If you have not heard from them by Wednesday 9 December, you can just "
			   "go along to the session on Thursday 10 December at 10:00."));
	assert_false(rt_has(&r, "14 days"));
	rt_resp_free(&r);
	/* The same when a referral is needed: hear back before it. */
	sent_page(x, thu_ref, &r);
	assert_true(rt_has(&r, "The next session is on Thursday 10 December at 10:00"));
	assert_true(rt_has(&r, "They will try to get in touch before the session on Thursday 10 "
			   "December at 10:00. If you have not heard from them by Wednesday 9 December, "
			   "you can contact them yourself."));
	assert_false(rt_has(&r, "just go along"));
	assert_false(rt_has(&r, "14 days"));
	rt_resp_free(&r);
	/* Tomorrow: no day to wait for. */
	sent_page(x, tue, &r);
	assert_true(rt_has(&r, "The session is soon, so they may not get in touch before it. You can "
			   "just go along on Tuesday 8 December at 10:00."));
	assert_false(rt_has(&r, "If you have not heard"));
	rt_resp_free(&r);
	/* Next month, next year: the follow-up days, and the year said. */
	sent_page(x, jan, &r);
	assert_true(rt_has(&r, "The next session is on Tuesday 5 January 2027 at 10:00"));
	assert_true(rt_has(&r, "If you have not heard anything in 14 days, you can contact them yourself."));
	rt_resp_free(&r);
	/* No schedule: as before. */
	sent_page(x, none, &r);
	assert_false(rt_has(&r, "next session"));
	assert_true(rt_has(&r, "If you have not heard anything in 14 days, you can contact them yourself."));
	rt_resp_free(&r);
	/* Summer time: a Thursday session at 10:00 BST is still "at 10:00". */
	time_set_fake(uk_to_utc(2027, 6, 7, 9, 0));
	sent_page(x, thu, &r);
	assert_true(rt_has(&r, "The next session is on Thursday 10 June at 10:00"));
	assert_true(rt_has(&r, "If you have not heard from them by Wednesday 9 June,"));
	rt_resp_free(&r);
}

/* "What would you like help with?" is up to the person where people just
 * turn up (the fixture's walk), and asked for where a referral is needed. */
static void help_words_optional_where_people_turn_up(void **state)
{
	struct fx *x = *state;
	struct rt_browser v = { .ip = "192.0.2.91" }, w = { .ip = "192.0.2.92" };
	struct rt_resp r;
	char clinic[37], target[128], sent[160];

	service_meeting(x, "Memory Clinic", JOIN_REFERRAL, "weekly", 3, 0, clinic);
	snprintf(target, sizeof(target), "/services/%s/refer-me", x->svc);
	snprintf(sent, sizeof(sent), "%s?done=sent", target);
	rt_browser_get_is(x->t, &v, target, 200, "What would you like help with? (optional)</label>",
			  "You can just go along, so you do not have to say.", NULL);
	rt_browser_post_to(x->t, &v, target, "person.name=Bo+Visitor&person.contact_by=phone"
			   "&person.phone=07700+900123&reason=&consent.share=yes",
			   sent);
	assert_int_equal(rt_count(x->t, &q_referrals, DB_NOARGS), 1);

	snprintf(target, sizeof(target), "/services/%s/refer-me", clinic);
	rt_browser_get(x->t, &w, target, &r);
	assert_true(rt_has(&r, "What would you like help with?</label>"));
	assert_true(rt_has(&r, "They need to know this before you go."));
	assert_false(rt_has(&r, "(optional)</label>\n  <div id=\"reason-hint\""));
	rt_resp_free(&r);
	rt_browser_post_is(x->t, &w, target, "person.name=Cy+Visitor&person.contact_by=phone"
			   "&person.phone=07700+900124&reason=&consent.share=yes", 422,
			   "href=\"#reason\">Tell them in a few words what you would like help with", NULL);
	assert_int_equal(rt_count(x->t, &q_referrals, DB_NOARGS), 1);

	/* Referring someone else: the same rule, in the same words. */
	get_as(x, &x->link, "/referrals/new?service=", x->svc, "", &r);
	assert_true(rt_has(&r, "What matters to them, in their own words (optional)</label>"));
	rt_resp_free(&r);
	get_as(x, &x->link, "/referrals/new?service=", clinic, "", &r);
	assert_true(rt_has(&r, "What matters to them, in their own words</label>"));
	rt_resp_free(&r);
}

/* Consent errors name only what the form offers: "they told me" or "in
 * writing", never "online" (only the person gives that, themself). */
static void consent_method_in_the_forms_words(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char body[1024];

	get_as(x, &x->link, "/referrals/new?service=", x->svc, "", &r);
	rt_resp_free(&r);
	snprintf(body, sizeof(body), "target.type=service&target.id=%s&person.name=Ada+Lovelace"
		 "&person.contact_by=email&person.email=ada%%40example.org&needs=loneliness"
		 "&consent.share=yes", x->svc);
	rt_browser_post(x->t, &x->link, "/referrals/new", body, &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "href=\"#consent.method\">Choose how they agreed: they told you, or "
			   "in writing</a>"));
	assert_false(rt_has(&r, "or online"));
	rt_resp_free(&r);
}

/* The way to get in touch reveals only its own box (GOV.UK's conditional
 * reveal, started by the one script, which the CSP allows as 'self');
 * without JavaScript every box is there. What a box not chosen holds is
 * not sent. */
static void contact_boxes_reveal_by_the_way_chosen(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char body[1024], script[128], id[37];
	const char *p, *q, *csp;

	get_as(x, &x->link, "/referrals/new?service=", x->svc, "", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "value=\"phone\" data-aria-controls=\"conditional-person.contact_by-phone\">"));
	assert_true(rt_has(&r, "value=\"email\" data-aria-controls=\"conditional-person.contact_by\">"));
	assert_true(rt_has(&r, "value=\"link_worker\">"));
	assert_true(rt_has(&r, "<div class=\"govuk-radios__conditional govuk-radios__conditional--hidden\" "
			   "id=\"conditional-person.contact_by-phone\">"));
	/* Each box is inside its way's: the phone box after the phone radio,
	 * before the next one. */
	p = strstr(r.body, "id=\"conditional-person.contact_by-phone\"");
	assert_non_null(p);
	assert_true(strstr(p, "name=\"person.phone\"") < strstr(p, "value=\"post\""));
	assert_true(strstr(p, "name=\"person.address\"") > strstr(p, "value=\"post\""));
	/* The script: a module from kith itself. */
	p = strstr(r.body, "<script type=\"module\" src=\"");
	assert_non_null(p);
	p += strlen("<script type=\"module\" src=\"");
	q = strchr(p, '"');
	assert_non_null(q);
	assert_true((size_t)(q - p) < sizeof(script));
	snprintf(script, sizeof(script), "%.*s", (int)(q - p), p);
	assert_true(strncmp(script, "/assets/kith.", 13) == 0);
	csp = rt_header(&r, "Content-Security-Policy");
	assert_non_null(csp);
	assert_non_null(strstr(csp, "script-src 'self';"));
	rt_resp_free(&r);
	rt_get(x->t, script, &r);
	assert_int_equal(r.status, 200);
	assert_true(strncmp(r.content_type, "text/javascript", 15) == 0);
	assert_true(rt_has(&r, "createAll(Radios)"));
	assert_true(rt_has(&r, "govuk-frontend-supported"));
	assert_false(rt_has(&r, "sourceMappingURL"));
	rt_resp_free(&r);

	/* Back with errors: the chosen way's box is shown, the others hidden. */
	snprintf(body, sizeof(body), "target.type=service&target.id=%s&person.name=&person.contact_by=phone"
		 "&person.phone=07700+900555&person.email=rosa%%40example.net&needs=loneliness"
		 "&consent.share=yes&consent.method=verbal", x->svc);
	rt_browser_post(x->t, &x->link, "/referrals/new", body, &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "<div class=\"govuk-radios__conditional\" id=\"conditional-person.contact_by-phone\">"));
	assert_true(rt_has(&r, "<div class=\"govuk-radios__conditional govuk-radios__conditional--hidden\" "
			   "id=\"conditional-person.contact_by\">"));
	assert_true(rt_has(&r, "value=\"07700 900555\""));
	assert_true(rt_has(&r, "value=\"rosa@example.net\""));   /* kept on the page */
	rt_resp_free(&r);

	/* Sent by phone: the email in the hidden box is not. */
	snprintf(body, sizeof(body), "target.type=service&target.id=%s&person.name=Rosa+Keyboard"
		 "&person.contact_by=phone&person.phone=07700+900555&person.email=rosa%%40example.net"
		 "&needs=loneliness&consent.share=yes&consent.method=verbal", x->svc);
	rt_browser_post(x->t, &x->link, "/referrals/new", body, &r);
	assert_int_equal(r.status, 303);
	p = rt_header(&r, "Location");
	assert_non_null(p);
	assert_true(strncmp(p, "/referrals/", 11) == 0 && strlen(p) >= 11 + 36);
	snprintf(id, sizeof(id), "%.36s", p + 11);
	rt_resp_free(&r);
	get_as(x, &x->link, "/referrals/", id, "", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "07700 900555"));
	assert_false(rt_has(&r, "rosa@example.net"));
	rt_resp_free(&r);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(who_may_open_which_page),
		T(service_page_offers_both_ways),
		T(refer_form_and_its_errors),
		T(referral_made_and_the_organisation_told),
		T(same_person_again_is_409),
		T(organiser_moves_it_on),
		T(decline_needs_a_reason),
		T(who_sees_a_referral),
		T(consent_withdrawn_and_given),
		T(withdrawing_asks_first),
		T(refer_me_as_a_visitor),
		T(refer_me_as_a_member),
		T(refer_me_is_rate_limited_per_address),
		T(your_referrals_claims_and_shows_who_looked),
		T(confirming_an_email_claims_at_once),
		T(referring_as_a_gp_practice),
		T(overview_and_csv),
		T(coordinator_inbox_any_organisation),
		T(failed_referral_keeps_what_was_typed),
		T(failed_refer_me_spends_no_allowance),
		T(admins_do_not_see_identity),
		T(every_refer_me_attempt_counts),
		T(a_duplicate_tells_nothing),
		T(inbox_reaches_every_open_referral),
		T(contact_and_attendance_say_when_and_how),
		T(case_notes_and_next_contact),
		T(caseload_search_and_choose_a_service),
		T(confirmation_fits_the_next_session),
		T(help_words_optional_where_people_turn_up),
		T(consent_method_in_the_forms_words),
		T(contact_boxes_reveal_by_the_way_chosen),
	};
#undef T

	return testdb_run_groups("referral pages", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
