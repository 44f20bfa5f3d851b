/*
 * test_referral_api.c - the referrals JSON API through the dispatcher:
 * POST /api/v1/referrals (a link worker's referral, a member's
 * self-referral, every 4xx: 400, 401, 403, 404, 409, 415, 422),
 * GET one (events, least privilege, the read audited), GET the list
 * (status filter, paging, 400s, each caller seeing only theirs), POST
 * status (the loop to attended, 403 for a step that is not the caller's,
 * 409 for one that makes no sense, 422, 404 for those who may not see it)
 * and POST consent (withdrawing share hides the person from the
 * receiver). Emails queued to whom they should be, and none carries the
 * person's name, the reason, the needs or the NHS number. On SQLite and,
 * with KITH_TEST_PG_URL, PostgreSQL.
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
#include "referral/referral.h"
#include "store/store.h"
#include "support/apitest.h"
#include "support/cast.h"
#include "support/reqtest.h"

#define ORG_A RT_ORG_A
#define ORG_B RT_ORG_B
#define NOBODY "00000000-0000-4000-8000-000000000000"
#define MEMBER ROLE_BIT(ROLE_MEMBER)
#define NHS "9434765919"
#define PERSON "Annie Otterburn"
#define REASON "I have felt very alone since my wife died"

/* ---------------------------------------------------------------- fixture */

struct fx {
	struct rt *t;
	RT_CAST_MEMBERS;        /* everyone, with bearers tlw, torga, torgb, tcoord, tcomm, tmem */
	char svc_a[37], svc_b[37], draft[37];
	int64_t mem2;
	char tmem2[TOKEN_LEN + 1];
};

static int setup(void **state)
{
	struct fx *x = rt_fixture(state, sizeof(*x), NULL);

	if (!x)
		return -1;
	/* Bea's and Mo's bearers are API sessions, the others' tokens. */
	rt_cast(x->t, &x->cast, RT_CAST_EVERYONE | RT_CAST_TOKENS |
		RT_CAST_SESSIONS(RT_CAST_BEA | RT_CAST_MO));
	rt_service(x->t, ORG_A, "Tuesday Health Walk", SVC_PUBLISHED, x->svc_a);
	rt_service(x->t, ORG_B, "Singing for Breathing", SVC_PUBLISHED, x->svc_b);
	rt_service(x->t, ORG_A, "Draft Walk", SVC_DRAFT, x->draft);
	x->mem2 = rt_person(x->t, "Mia Member", "mia@example.org", NULL, MEMBER, NULL);
	rt_bearer(x->t, x->mem2, RT_API_TOKEN, x->tmem2);
	return 0;
}

static int teardown(void **state)
{
	return rt_fixture_free(state);
}

/* ---------------------------------------------------------------- helpers */

static bool has_error_for(const json_t *j, const char *field)
{
	const json_t *e;
	size_t i;

	json_array_foreach(json_object_get(j, "errors"), i, e)
		if (rt_jstr(e, "field") && strcmp(rt_jstr(e, "field"), field) == 0)
			return true;
	return false;
}

/* A referral body: person (NULL: none), the target, consent to share,
 * needs as the first two codes of the list. */
static char *body(const char *name, const char *email, const char *target, bool share)
{
	json_t *b = json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s}, s:{s:b, s:b, s:b, s:s},"
			      " s:{s:s, s:s}, s:s, s:[s, s]}",
			      "person", "name", name, "email", email, "phone", "01632 960001",
			      "contact_by", "email", "nhs_number", NHS, "birth_date", "1950-02-01",
			      "language", "en",
			      "consent", "share", share, "contact", 1, "outcome", 1, "method", "verbal",
			      "target", "type", "service", "id", target,
			      "reason", REASON,
			      "needs", ref_needs[0].code, ref_needs[1].code);
	char *s = json_dumps(b, JSON_COMPACT);

	json_decref(b);
	assert_non_null(s);
	return s;
}

/* Creates a referral as the link worker; the new id into id. */
static void refer(struct fx *x, const char *name, const char *email, const char *target, char id[37])
{
	char *b = body(name, email, target, true);
	struct rt_json r;

	rt_api(x->t, "POST", "/api/v1/referrals", b, x->tlw, &r);
	free(b);
	assert_int_equal(r.r.status, 201);
	snprintf(id, 37, "%s", rt_jstr(r.j, "id"));
	rt_json_free(&r);
}

/* "/api/v1/referrals/<id><suffix>", to free. */
static char *path(const char *id, const char *suffix)
{
	char *p = malloc(160);

	assert_non_null(p);
	snprintf(p, 160, "/api/v1/referrals/%s%s", id, suffix);
	return p;
}

static int status_of(struct fx *x, const char *method, const char *p, const char *b,
		const char *token)
{
	struct rt_json r;
	int s;

	rt_api(x->t, method, p, b, token, &r);
	s = r.r.status;
	if (s >= 400)
		assert_string_equal(r.r.content_type, "application/problem+json");
	rt_json_free(&r);
	return s;
}

static const struct sql q_mail_to = { "tra.mail_to",
	"SELECT count(*) FROM outbox WHERE to_addr = $1", NULL };
static const struct sql q_mail_has = { "tra.mail_has",
	"SELECT count(*) FROM outbox WHERE subject LIKE $1 OR body_text LIKE $1 "
	"OR COALESCE(body_html, '') LIKE $1", NULL };
static const struct sql q_read = { "tra.read",
	"SELECT count(*) FROM audit WHERE action = 'referral.read' AND actor_id = $1 AND detail = $2", NULL };

static int64_t mails_to(struct rt *t, const char *to)
{
	return rt_count(t, &q_mail_to, DB_ARGS(DB_TEXT(to)));
}

static int64_t mails_with(struct rt *t, const char *s)
{
	char like[256];

	snprintf(like, sizeof(like), "%%%s%%", s);
	return rt_count(t, &q_mail_has, DB_ARGS(DB_TEXT(like)));
}

/* No email holds the person's name, the reason, a need, the service or
 * the NHS number. */
static void mail_is_clean(struct rt *t)
{
	assert_int_equal(mails_with(t, PERSON), 0);
	assert_int_equal(mails_with(t, "alone since"), 0);
	assert_int_equal(mails_with(t, NHS), 0);
	assert_int_equal(mails_with(t, ref_needs[0].name), 0);
	assert_int_equal(mails_with(t, ref_needs[1].name), 0);
	assert_int_equal(mails_with(t, "Tuesday Health Walk"), 0);
}

/* ---------------------------------------------------------------- create and read */

static void create_and_show(void **state)
{
	struct fx *x = *state;
	char *b = body(PERSON, "annie@example.org", x->svc_a, true), *p, detail[64];
	struct rt_json r;
	const json_t *person, *ev;

	rt_api(x->t, "POST", "/api/v1/referrals", b, x->tlw, &r);
	free(b);
	assert_int_equal(r.r.status, 201);
	assert_string_equal(r.r.content_type, "application/json");
	assert_string_equal(rt_jstr(r.j, "status"), "sent");
	assert_string_equal(rt_jstr(r.j, "source"), "link_worker");
	assert_true(strlen(rt_jstr(r.j, "id")) == 36);
	p = path(rt_jstr(r.j, "id"), "");
	assert_string_equal(rt_header(&r.r, "Location"), p);
	person = json_object_get(r.j, "person");
	assert_string_equal(rt_jstr(person, "name"), PERSON);
	assert_string_equal(rt_jstr(json_object_get(r.j, "target"), "id"), x->svc_a);
	assert_int_equal(json_array_size(json_object_get(r.j, "needs")), 2);
	rt_json_free(&r);

	/* The referrer: events, the reason. */
	rt_api(x->t, "GET", p, NULL, x->tlw, &r);
	assert_int_equal(r.r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.j, "events")), 1);
	ev = json_array_get(json_object_get(r.j, "events"), 0);
	assert_string_equal(rt_jstr(ev, "to"), "sent");
	assert_string_equal(rt_jstr(r.j, "reason"), REASON);
	rt_json_free(&r);

	/* The receiving organisation: what it needs to make contact, never
	 * the NHS number or date of birth; its read is audited. */
	rt_api(x->t, "GET", p, NULL, x->torga, &r);
	assert_int_equal(r.r.status, 200);
	person = json_object_get(r.j, "person");
	assert_string_equal(rt_jstr(person, "name"), PERSON);
	assert_null(json_object_get(person, "nhs_number"));
	assert_null(json_object_get(person, "birth_date"));
	assert_null(strstr(r.r.body, NHS));
	assert_null(strstr(r.r.body, "1950-02-01"));
	snprintf(detail, sizeof(detail), "referral=%s", rt_jstr(r.j, "id"));
	rt_json_free(&r);
	assert_int_equal(rt_count(x->t, &q_read, DB_ARGS(DB_INT(x->olu), DB_TEXT(detail))), 1);

	/* Everyone else: 404 with no hint, 401 without credentials. */
	assert_int_equal(status_of(x, "GET", p, NULL, x->torgb), 404);
	assert_int_equal(status_of(x, "GET", p, NULL, x->tcomm), 404);
	assert_int_equal(status_of(x, "GET", p, NULL, x->tmem), 404);
	assert_int_equal(status_of(x, "GET", p, NULL, NULL), 401);
	assert_int_equal(status_of(x, "GET", "/api/v1/referrals/" NOBODY, NULL, x->tlw), 404);
	/* A coordinator sees it. */
	assert_int_equal(status_of(x, "GET", p, NULL, x->tcoord), 200);
	free(p);

	/* The receiving organisation's organiser got an email, and no email
	 * says anything about the person. */
	assert_int_equal(mails_to(x->t, "olu@example.org"), 1);
	assert_int_equal(mails_to(x->t, "bea@example.org"), 0);
	mail_is_clean(x->t);
	assert_int_equal(rt_audit_n(x->t, "referral.created"), 1);
}

static void create_refusals(void **state)
{
	struct fx *x = *state;
	char *b, id[37];
	struct rt_json r;

	/* Not JSON: 415; not an object: 400; no credentials: 401. */
	{
		char auth[128];
		const char *h[] = { auth, "Content-Type: application/x-www-form-urlencoded", NULL };

		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", x->tlw);
		rt_request(x->t, "POST", "/api/v1/referrals", h, "person=x", 8, NULL, &r.r);
		assert_int_equal(r.r.status, 415);
		assert_string_equal(r.r.content_type, "application/problem+json");
		rt_resp_free(&r.r);
	}
	rt_api(x->t, "POST", "/api/v1/referrals", "[1]", x->tlw, &r);
	assert_int_equal(r.r.status, 400);
	assert_string_equal(r.r.content_type, "application/problem+json");
	rt_json_free(&r);
	b = body(PERSON, "annie@example.org", x->svc_a, true);
	rt_api(x->t, "POST", "/api/v1/referrals", b, NULL, &r);
	assert_int_equal(r.r.status, 401);
	rt_json_free(&r);

	/* Wrong types: 422 naming each field. */
	rt_api(x->t, "POST", "/api/v1/referrals",
	    "{\"person\": {\"name\": 7, \"contact_by\": \"email\"}, \"consent\": {\"share\": \"yes\"},"
	    " \"target\": [], \"needs\": \"loneliness\", \"unknown\": {\"tolerated\": true}}", x->tlw, &r);
	assert_int_equal(r.r.status, 422);
	assert_string_equal(r.r.content_type, "application/problem+json");
	assert_true(has_error_for(r.j, "person.name"));
	assert_true(has_error_for(r.j, "consent.share"));
	assert_true(has_error_for(r.j, "target"));
	assert_true(has_error_for(r.j, "needs"));
	rt_json_free(&r);

	/* No consent to share: 422 on consent.share. */
	free(b);
	b = body(PERSON, "annie@example.org", x->svc_a, false);
	rt_api(x->t, "POST", "/api/v1/referrals", b, x->tlw, &r);
	assert_int_equal(r.r.status, 422);
	assert_true(has_error_for(r.j, "consent.share"));
	rt_json_free(&r);
	free(b);

	/* A target that does not exist, or is not published: 422. */
	b = body(PERSON, "annie@example.org", NOBODY, true);
	rt_api(x->t, "POST", "/api/v1/referrals", b, x->tlw, &r);
	assert_int_equal(r.r.status, 422);
	assert_true(has_error_for(r.j, "target.id"));
	rt_json_free(&r);
	free(b);
	b = body(PERSON, "annie@example.org", x->draft, true);
	rt_api(x->t, "POST", "/api/v1/referrals", b, x->tlw, &r);
	assert_int_equal(r.r.status, 422);
	assert_true(has_error_for(r.j, "target.id"));
	rt_json_free(&r);
	free(b);
	/* A bad NHS number: 422 on it. */
	rt_api(x->t, "POST", "/api/v1/referrals", "{\"person\": {\"name\": \"Ann\", \"contact_by\": "
	    "\"link_worker\", \"nhs_number\": \"9434765918\"}, \"consent\": {\"given\": true, "
	    "\"method\": \"verbal\"}, \"target\": {\"type\": \"service\", \"id\": \"x\"}, "
	    "\"reason\": \"Would like company\"}", x->tlw, &r);
	assert_int_equal(r.r.status, 422);
	assert_true(has_error_for(r.j, "person.nhs_number"));
	rt_json_free(&r);
	assert_int_equal(rt_audit_n(x->t, "referral.created"), 0);

	/* The same person to the same place while it is open: 409. */
	refer(x, PERSON, "annie@example.org", x->svc_a, id);
	{
		char again[512];

		b = path(id, "");
		rt_api(x->t, "GET", b, NULL, x->tlw, &r);
		free(b);
		snprintf(again, sizeof(again), "{\"client_id\": \"%s\", \"consent\": {\"given\": true, "
			 "\"method\": \"verbal\"}, \"target\": {\"type\": \"service\", \"id\": \"%s\"}, "
			 "\"needs\": [\"%s\"]}", rt_jstr(json_object_get(r.j, "person"), "id"), x->svc_a,
			 ref_needs[0].code);
		rt_json_free(&r);
		rt_api(x->t, "POST", "/api/v1/referrals", again, x->tlw, &r);
		assert_int_equal(r.r.status, 409);
		assert_string_equal(r.r.content_type, "application/problem+json");
		assert_true(strlen(rt_jstr(r.j, "detail")) > 10);
		rt_json_free(&r);
		/* Someone else's client record: 404. */
		rt_api(x->t, "POST", "/api/v1/referrals", again, x->torgb, &r);
		assert_int_equal(r.r.status, 404);
		rt_json_free(&r);
	}
	assert_int_equal(rt_audit_n(x->t, "referral.created"), 1);
}

static void move(struct fx *x, const char *id, const char *b, const char *token, int want);

static void self_referral(void **state)
{
	struct fx *x = *state;
	char b[512], id[37];
	struct rt_json r;

	snprintf(b, sizeof(b), "{\"person\": {\"contact_by\": \"email\"}, \"consent\": {\"given\": true, "
		 "\"method\": \"online\"}, \"target\": {\"type\": \"service\", \"id\": \"%s\"}, "
		 "\"needs\": [\"%s\"]}", x->svc_a, ref_needs[0].code);
	rt_api(x->t, "POST", "/api/v1/referrals", b, x->tmem, &r);
	assert_int_equal(r.r.status, 201);
	assert_string_equal(rt_jstr(r.j, "source"), "self");
	assert_string_equal(rt_jstr(json_object_get(r.j, "person"), "name"), "Mo Member");
	assert_string_equal(rt_jstr(json_object_get(r.j, "person"), "email"), "mo@example.org");
	snprintf(id, sizeof(id), "%s", rt_jstr(r.j, "id"));
	rt_json_free(&r);

	/* They see it in their list; the other member does not. */
	rt_api(x->t, "GET", "/api/v1/referrals", NULL, x->tmem, &r);
	assert_int_equal(r.r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.j, "total")), 1);
	rt_json_free(&r);
	rt_api(x->t, "GET", "/api/v1/referrals", NULL, x->tmem2, &r);
	assert_int_equal(r.r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.j, "total")), 0);
	assert_int_equal(json_array_size(json_object_get(r.j, "items")), 0);
	rt_json_free(&r);

	/* A member may not refer anyone else. */
	snprintf(b, sizeof(b), "{\"source\": \"link_worker\", \"person\": {\"name\": \"Someone\", "
		 "\"contact_by\": \"link_worker\"}, \"consent\": {\"given\": true, \"method\": "
		 "\"verbal\"}, \"target\": {\"type\": \"service\", \"id\": \"%s\"}, \"reason\": \"x y z\"}",
		 x->svc_b);
	rt_api(x->t, "POST", "/api/v1/referrals", b, x->tmem2, &r);
	assert_int_equal(r.r.status, 403);
	rt_json_free(&r);
	snprintf(b, sizeof(b), "{\"person\": {\"name\": \"Someone\", \"email\": \"someone@example.org\", "
		 "\"contact_by\": \"email\"}, \"consent\": {\"given\": true, \"method\": \"online\"}, "
		 "\"target\": {\"type\": \"service\", \"id\": \"%s\"}, \"reason\": \"x y z\"}", x->svc_b);
	rt_api(x->t, "POST", "/api/v1/referrals", b, x->tmem2, &r);
	assert_int_equal(r.r.status, 422);
	assert_true(has_error_for(r.j, "person.email"));
	rt_json_free(&r);
	assert_int_equal(rt_audit_n(x->t, "referral.created"), 1);

	/* The person withdraws their own referral; nobody else can see it. */
	move(x, id, "{\"status\": \"withdrawn\"}", x->tmem2, 404);
	move(x, id, "{\"status\": \"withdrawn\", \"note\": \"Changed my mind\"}", x->tmem, 200);
	move(x, id, "{\"status\": \"accepted\"}", x->torga, 409);
}

/* Self-referrals through the API have the form's limits: so many an hour
 * per account (self_referral_limit_account) and per address, every
 * attempt counted whether or not it makes a referral; and they carry no
 * NHS number (anyone could ask in someone else's name). */
static void self_referrals_are_limited(void **state)
{
	struct fx *x = *state;
	char b[600];
	struct rt_json r;
	int made = 0, refused = 0, limited = 0;

	/* Someone else's NHS number: refused, and counted. */
	snprintf(b, sizeof(b), "{\"source\": \"self\", \"person\": {\"contact_by\": \"email\", "
		 "\"nhs_number\": \"943 476 5919\"}, \"consent\": {\"given\": true, \"method\": "
		 "\"online\"}, \"target\": {\"type\": \"service\", \"id\": \"%s\"}, \"reason\": \"x y z\"}",
		 x->svc_a);
	rt_api(x->t, "POST", "/api/v1/referrals", b, x->tmem, &r);
	assert_int_equal(r.r.status, 422);
	assert_true(has_error_for(r.j, "person.nhs_number"));
	rt_json_free(&r);
	/* Then the same service again and again: one made, the rest 409 (it
	 * is Mo's own open referral, so saying so tells nobody anything),
	 * until the account's five an hour are spent. */
	snprintf(b, sizeof(b), "{\"person\": {\"contact_by\": \"email\"}, \"consent\": {\"given\": "
		 "true, \"method\": \"online\"}, \"target\": {\"type\": \"service\", \"id\": \"%s\"}, "
		 "\"reason\": \"x y z\"}", x->svc_b);
	for (int i = 0; i < 6; i++) {
		rt_api(x->t, "POST", "/api/v1/referrals", b, x->tmem, &r);
		made += r.r.status == 201;
		refused += r.r.status == 409;
		if (r.r.status == 429) {
			limited++;
			assert_non_null(rt_header(&r.r, "Retry-After"));
		}
		rt_json_free(&r);
	}
	assert_int_equal(made, 1);
	assert_int_equal(refused, 3);              /* attempts 2..4 of the hour's 5 */
	assert_int_equal(limited, 2);
	assert_int_equal(rt_audit_n(x->t, "referral.rate_limited"), 2);
	assert_int_equal(rt_mail_n(x->t, "olu@example.org", "referral_new") +
			 rt_mail_n(x->t, "bea@example.org", "referral_new"), 1);
	/* Another member's allowance is their own. */
	rt_api(x->t, "POST", "/api/v1/referrals", b, x->tmem2, &r);
	assert_int_equal(r.r.status, 201);
	rt_json_free(&r);
}

/* ---------------------------------------------------------------- the list */

static void list(void **state)
{
	struct fx *x = *state;
	char a[37], b[37], *p;
	struct rt_json r;

	refer(x, PERSON, "annie@example.org", x->svc_a, a);
	refer(x, "Bob Brown", "bob@example.org", x->svc_b, b);

	rt_api(x->t, "GET", "/api/v1/referrals", NULL, x->tlw, &r);
	assert_int_equal(r.r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.j, "total")), 2);
	assert_int_equal(json_integer_value(json_object_get(r.j, "page")), 1);
	assert_int_equal(json_integer_value(json_object_get(r.j, "per_page")), 25);
	rt_json_free(&r);
	rt_api(x->t, "GET", "/api/v1/referrals?status=sent&per_page=1&page=2", NULL, x->tlw, &r);
	assert_int_equal(r.r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.j, "total")), 2);
	assert_int_equal(json_array_size(json_object_get(r.j, "items")), 1);
	rt_json_free(&r);
	rt_api(x->t, "GET", "/api/v1/referrals?status=accepted", NULL, x->tlw, &r);
	assert_int_equal(json_integer_value(json_object_get(r.j, "total")), 0);
	rt_json_free(&r);

	/* Each organisation sees only what was sent to it. */
	rt_api(x->t, "GET", "/api/v1/referrals", NULL, x->torga, &r);
	assert_int_equal(json_integer_value(json_object_get(r.j, "total")), 1);
	assert_string_equal(rt_jstr(json_array_get(json_object_get(r.j, "items"), 0), "id"), a);
	rt_json_free(&r);
	rt_api(x->t, "GET", "/api/v1/referrals", NULL, x->torgb, &r);
	assert_int_equal(json_integer_value(json_object_get(r.j, "total")), 1);
	assert_string_equal(rt_jstr(json_array_get(json_object_get(r.j, "items"), 0), "id"), b);
	rt_json_free(&r);
	/* A member and a commissioner see none; a coordinator sees both. */
	rt_api(x->t, "GET", "/api/v1/referrals", NULL, x->tmem, &r);
	assert_int_equal(json_integer_value(json_object_get(r.j, "total")), 0);
	rt_json_free(&r);
	rt_api(x->t, "GET", "/api/v1/referrals", NULL, x->tcomm, &r);
	assert_int_equal(r.r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.j, "total")), 0);
	rt_json_free(&r);
	rt_api(x->t, "GET", "/api/v1/referrals", NULL, x->tcoord, &r);
	assert_int_equal(json_integer_value(json_object_get(r.j, "total")), 2);
	rt_json_free(&r);

	/* Bad parameters: 400 saying what is allowed. */
	rt_api(x->t, "GET", "/api/v1/referrals?status=lost", NULL, x->tlw, &r);
	assert_int_equal(r.r.status, 400);
	assert_string_equal(r.r.content_type, "application/problem+json");
	assert_non_null(strstr(rt_jstr(r.j, "detail"), "sent"));
	assert_non_null(strstr(rt_jstr(r.j, "detail"), "withdrawn"));
	assert_true(has_error_for(r.j, "status"));
	rt_json_free(&r);
	rt_api_list_rule(x->t, "/api/v1/referrals", x->tlw, 100);
	rt_api(x->t, "GET", "/api/v1/referrals?status=&page=&per_page=", NULL, x->tlw, &r);
	assert_int_equal(r.r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.j, "total")), 2);
	rt_json_free(&r);
	/* A filter kept in the links. */
	rt_api(x->t, "GET", "/api/v1/referrals?status=sent&per_page=1", NULL, x->tlw, &r);
	assert_string_equal(rt_jstr(r.j, "next_href"), "/api/v1/referrals?status=sent&per_page=1&page=2");
	rt_json_free(&r);
	/* One referral, and moving it on, take no parameters. */
	p = path(a, "?view=full");
	rt_api(x->t, "GET", p, NULL, x->tlw, &r);
	assert_int_equal(r.r.status, 400);
	assert_true(has_error_for(r.j, "view"));
	rt_json_free(&r);
	free(p);
	p = path(a, "/status?notify=0");
	rt_api(x->t, "POST", p, "{\"status\": \"accepted\"}", x->torga, &r);
	assert_int_equal(r.r.status, 400);
	assert_true(has_error_for(r.j, "notify"));
	rt_json_free(&r);
	free(p);
	p = path(a, "");
	rt_api(x->t, "GET", p, NULL, x->tlw, &r);
	assert_string_equal(rt_jstr(r.j, "status"), "sent");
	rt_json_free(&r);
	free(p);
	rt_api(x->t, "GET", "/api/v1/referrals", NULL, NULL, &r);
	assert_int_equal(r.r.status, 401);
	rt_json_free(&r);
}

/* ---------------------------------------------------------------- moving it on */

static void move(struct fx *x, const char *id, const char *b, const char *token, int want)
{
	char *p = path(id, "/status");

	assert_int_equal(status_of(x, "POST", p, b, token), want);
	free(p);
}

static void status_loop(void **state)
{
	struct fx *x = *state;
	char id[37], *p;
	struct rt_json r;

	refer(x, PERSON, "annie@example.org", x->svc_a, id);
	/* Those who may not see it: 404; no credentials: 401. */
	move(x, id, "{\"status\": \"accepted\"}", x->torgb, 404);
	move(x, id, "{\"status\": \"accepted\"}", x->tcomm, 404);
	move(x, id, "{\"status\": \"accepted\"}", x->tmem, 404);
	move(x, id, "{\"status\": \"accepted\"}", NULL, 401);
	move(x, NOBODY, "{\"status\": \"accepted\"}", x->torga, 404);
	/* Nonsense: 409 with a sentence; not the caller's step: 403. */
	p = path(id, "/status");
	rt_api(x->t, "POST", p, "{\"status\": \"attended\"}", x->torga, &r);
	assert_int_equal(r.r.status, 409);
	assert_true(strlen(rt_jstr(r.j, "detail")) > 20);
	rt_json_free(&r);
	move(x, id, "{\"status\": \"accepted\"}", x->tlw, 403);
	/* Bad bodies: 422, 400, 415. */
	rt_api(x->t, "POST", p, "{\"status\": 3}", x->torga, &r);
	assert_int_equal(r.r.status, 422);
	assert_true(has_error_for(r.j, "status"));
	rt_json_free(&r);
	rt_api(x->t, "POST", p, "{}", x->torga, &r);
	assert_int_equal(r.r.status, 422);
	assert_true(has_error_for(r.j, "status"));
	rt_json_free(&r);
	rt_api(x->t, "POST", p, "{\"status\": \"lost\"}", x->torga, &r);
	assert_int_equal(r.r.status, 422);
	assert_true(has_error_for(r.j, "status"));
	rt_json_free(&r);
	rt_api(x->t, "POST", p, "{\"status\": \"declined\"}", x->torga, &r);
	assert_int_equal(r.r.status, 422);
	assert_true(has_error_for(r.j, "reason"));
	rt_json_free(&r);
	rt_api(x->t, "POST", p, "\"accepted\"", x->torga, &r);
	assert_int_equal(r.r.status, 400);
	rt_json_free(&r);
	{
		char auth[128];
		const char *h[] = { auth, "Content-Type: application/x-www-form-urlencoded", NULL };

		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", x->torga);
		rt_request(x->t, "POST", p, h, "status=accepted", 15, NULL, &r.r);
		assert_int_equal(r.r.status, 415);
		rt_resp_free(&r.r);
	}
	free(p);

	/* The loop: accepted, contacted, attended, by the receiver. */
	p = path(id, "/status");
	rt_api(x->t, "POST", p, "{\"status\": \"accepted\", \"note\": \"Welcome\"}", x->torga, &r);
	assert_int_equal(r.r.status, 200);
	assert_string_equal(rt_jstr(r.j, "status"), "accepted");
	rt_json_free(&r);
	move(x, id, "{\"status\": \"contacted\"}", x->torga, 200);
	rt_api(x->t, "POST", p, "{\"status\": \"attended\"}", x->torga, &r);
	assert_int_equal(r.r.status, 200);
	assert_string_equal(rt_jstr(r.j, "status"), "attended");
	assert_int_equal(json_array_size(json_object_get(r.j, "events")), 4);
	rt_json_free(&r);
	free(p);
	/* Sustained too early: 409 naming when. */
	move(x, id, "{\"status\": \"sustained\"}", x->torga, 409);

	/* Emails: the person on accepted and contacted (they consented to
	 * contact); the referrer on attended (consent to share the outcome). */
	assert_int_equal(mails_to(x->t, "annie@example.org"), 2);
	assert_int_equal(mails_to(x->t, "lin@example.org"), 1);
	mail_is_clean(x->t);
	assert_int_equal(rt_audit_n(x->t, "referral.status"), 3);

	/* The referrer closes it with a reason; then nothing moves it. */
	move(x, id, "{\"status\": \"closed\", \"reason\": \"completed\"}", x->tlw, 200);
	move(x, id, "{\"status\": \"withdrawn\"}", x->tlw, 409);
}

/* Contact and attendance may say the day they happened and how: bad
 * values are 422 naming the field; the answer shows what was recorded. */
static void status_says_when_and_how(void **state)
{
	struct fx *x = *state;
	char id[37], *p, today[11], yesterday[11], b[200];
	struct rt_json r;
	json_t *ev;
	int y, m, d;

	uk_date(uk_local_day(time_now()), &y, &m, &d);
	snprintf(today, sizeof(today), "%04d-%02d-%02d", y, m, d);
	uk_date(uk_local_day(time_now()) - 1, &y, &m, &d);
	snprintf(yesterday, sizeof(yesterday), "%04d-%02d-%02d", y, m, d);
	refer(x, PERSON, "annie@example.org", x->svc_a, id);
	move(x, id, "{\"status\": \"accepted\"}", x->torga, 200);
	p = path(id, "/status");
	rt_api(x->t, "POST", p, "{\"status\": \"contacted\", \"happened_on\": \"3 December\"}",
	    x->torga, &r);
	assert_int_equal(r.r.status, 422);
	assert_true(has_error_for(r.j, "happened_on"));
	rt_json_free(&r);
	rt_api(x->t, "POST", p, "{\"status\": \"contacted\", \"happened_on\": 20261203}", x->torga, &r);
	assert_int_equal(r.r.status, 422);
	assert_true(has_error_for(r.j, "happened_on"));
	rt_json_free(&r);
	snprintf(b, sizeof(b), "{\"status\": \"contacted\", \"happened_on\": \"%s\"}", yesterday);
	rt_api(x->t, "POST", p, b, x->torga, &r);
	assert_int_equal(r.r.status, 422);
	assert_true(has_error_for(r.j, "happened_on"));
	assert_non_null(strstr(r.r.body, "when the referral was sent"));
	rt_json_free(&r);
	rt_api(x->t, "POST", p, "{\"status\": \"contacted\", \"method\": \"pigeon\"}", x->torga, &r);
	assert_int_equal(r.r.status, 422);
	assert_true(has_error_for(r.j, "method"));
	assert_non_null(strstr(r.r.body, "in_person"));
	rt_json_free(&r);
	/* Only contact and attendance take them. */
	rt_api(x->t, "POST", p, "{\"status\": \"closed\", \"reason\": \"completed\", \"method\": \"phone\"}",
	    x->torga, &r);
	assert_int_equal(r.r.status, 422);
	assert_true(has_error_for(r.j, "method"));
	rt_json_free(&r);
	snprintf(b, sizeof(b), "{\"status\": \"contacted\", \"happened_on\": \"%s\", "
		 "\"method\": \"text\"}", today);
	rt_api(x->t, "POST", p, b, x->torga, &r);
	assert_int_equal(r.r.status, 200);
	ev = json_array_get(json_object_get(r.j, "events"), 2);
	assert_string_equal(rt_jstr(ev, "to"), "contacted");
	assert_string_equal(rt_jstr(ev, "happened_on"), today);
	assert_string_equal(rt_jstr(ev, "method"), "text");
	assert_string_equal(rt_jstr(ev, "method_words"), "By text message");
	rt_json_free(&r);
	free(p);
}

static void consent(void **state)
{
	struct fx *x = *state;
	char id[37], *p, *show;
	struct rt_json r;

	refer(x, PERSON, "annie@example.org", x->svc_a, id);
	p = path(id, "/consent");
	show = path(id, "");
	/* Refusals first: wrong types, unknown purpose, not theirs. */
	rt_api(x->t, "POST", p, "{\"purpose\": \"share\", \"given\": \"no\"}", x->tlw, &r);
	assert_int_equal(r.r.status, 422);
	assert_true(has_error_for(r.j, "given"));
	rt_json_free(&r);
	rt_api(x->t, "POST", p, "{\"purpose\": \"gossip\", \"given\": false}", x->tlw, &r);
	assert_int_equal(r.r.status, 422);
	rt_json_free(&r);
	rt_api(x->t, "POST", p, "{\"given\": false}", x->tlw, &r);
	assert_int_equal(r.r.status, 422);
	assert_true(has_error_for(r.j, "purpose"));
	rt_json_free(&r);
	rt_api(x->t, "POST", p, "{\"purpose\": \"share\", \"given\": false}", x->torga, &r);
	assert_int_equal(r.r.status, 403);
	rt_json_free(&r);
	rt_api(x->t, "POST", p, "{\"purpose\": \"share\", \"given\": false}", x->torgb, &r);
	assert_int_equal(r.r.status, 404);
	rt_json_free(&r);
	rt_api(x->t, "POST", p, "{\"purpose\": \"share\", \"given\": false}", NULL, &r);
	assert_int_equal(r.r.status, 401);
	rt_json_free(&r);

	/* The referrer records that the person withdrew consent to share. */
	rt_api(x->t, "POST", p, "{\"purpose\": \"share\", \"given\": false}", x->tlw, &r);
	assert_int_equal(r.r.status, 200);
	assert_string_equal(rt_jstr(r.j, "status"), "withdrawn");
	rt_json_free(&r);
	assert_int_equal(rt_audit_n(x->t, "consent.withdrawn"), 1);
	/* The receiver no longer sees who it was. */
	rt_api(x->t, "GET", show, NULL, x->torga, &r);
	assert_int_equal(r.r.status, 200);
	assert_true(json_is_false(json_object_get(r.j, "shared")));
	assert_null(strstr(r.r.body, PERSON));
	assert_null(strstr(r.r.body, "annie@example.org"));
	rt_json_free(&r);
	/* Given again (with how it was given). */
	rt_api(x->t, "POST", p, "{\"purpose\": \"share\", \"given\": true, \"method\": \"written\"}", x->tlw, &r);
	assert_int_equal(r.r.status, 200);
	rt_json_free(&r);
	assert_int_equal(rt_audit_n(x->t, "consent.given"), 1);
	free(p);
	free(show);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(create_and_show),
		T(create_refusals),
		T(self_referral),
		T(self_referrals_are_limited),
		T(list),
		T(status_loop),
		T(status_says_when_and_how),
		T(consent),
	};

	return testdb_run_groups("referral api", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
