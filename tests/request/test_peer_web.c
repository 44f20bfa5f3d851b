/*
 * test_peer_web.c - the peer support pages through app_handle(), on both
 * backends, with the clock pinned (NOW): the home page for a visitor and
 * for someone with requests; asking (agreement first, then errors by
 * their fields, the request's page in plain words, a second ask
 * refused); a link worker asking for someone with an account; becoming a
 * peer supporter (applying, the checks a coordinator records with their
 * errors, approving only with an identity check); an offer (the peer
 * sees a first name and what they would like, never the conditions nor
 * the person's words; the person does not see it at all), yes and no; a
 * match's messages (the email says only that there is one), sharing
 * contact details by both choosing, contacts the peer logs, ending with
 * feedback, concerns to the coordinators; a peer's own page (away and
 * back); the coordinators' page (why nobody fits, match now, pausing and
 * standing down); and every route walked as every kind of actor, with a
 * real request and match, offered and then accepted: who is refused, and
 * how.
 */
#include "core/common.h"

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>

#include "auth/person.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "store/store.h"
#include "support/cast.h"
#include "support/reqtest.h"

#define MEMBER ROLE_BIT(ROLE_MEMBER)

/* Tuesday 12 January 2027, 10:00 GMT: every request here is made then. */
#define NOW uk_to_utc(2027, 1, 12, 10, 0)
#define MINUTE INT64_C(60)

/* Ada asks for someone to message about COPD, in her words (ABOUT). */
#define ABOUT_WORDS "I feel alone since the diagnosis"
#define ABOUT "I+feel+alone+since+the+diagnosis"
#define ASK_FORM "conditions=copd&wants=talk&ways=message&max_miles=5&prefers=none&consent=yes" \
	"&about=" ABOUT
/* The words the page uses for COPD: never on an offer, never in an email. */
#define COPD_WORDS "COPD and other lung conditions"

/* Pat offers phone and messages about COPD, two people at once. */
#define INTRO_WORDS "I have lived with a lung condition for ten years"
#define APPLY_FORM \
	"conditions=copd&topics=new-diagnosis&languages=en&ways=phone&ways=message&district=DN15" \
	"&capacity=2&gender=woman&intro=I+have+lived+with+a+lung+condition+for+ten+years&consent=yes"

/* Days before NOW, on its day and after it, as the three date boxes. */
#define PAST(f) f "-day=5&" f "-month=1&" f "-year=2027"
#define FUTURE(f) f "-day=20&" f "-month=1&" f "-year=2027"
#define TODAY(f) f "-day=12&" f "-month=1&" f "-year=2027"

static const struct sql q_request_is = { "tpw.request_is",
	"SELECT count(*) FROM peer_request WHERE id = $1 AND state = $2", NULL };
static const struct sql q_requests = { "tpw.requests", "SELECT count(*) FROM peer_request", NULL };
static const struct sql q_request_for = { "tpw.request_for",
	"SELECT count(*) FROM peer_request WHERE id = $1 AND person_id = $2 AND made_by = $3", NULL };
static const struct sql q_requests_of = { "tpw.requests_of",
	"SELECT count(*) FROM peer_request WHERE person_id = $1", NULL };
static const struct sql q_match_is = { "tpw.match_is",
	"SELECT count(*) FROM peer_match WHERE id = $1 AND state = $2", NULL };
static const struct sql q_matches_of_peer = { "tpw.matches_of_peer",
	"SELECT count(*) FROM peer_match WHERE peer_id = $1", NULL };
static const struct sql q_matches_of_request = { "tpw.matches_of_request",
	"SELECT count(*) FROM peer_match WHERE request_id = $1", NULL };
static const struct sql q_peer_is = { "tpw.peer_is",
	"SELECT count(*) FROM peer_supporter WHERE person_id = $1 AND state = $2", NULL };
static const struct sql q_paused_why = { "tpw.paused_why",
	"SELECT count(*) FROM peer_supporter WHERE person_id = $1 AND paused_why = $2", NULL };
static const struct sql q_role = { "tpw.role",
	"SELECT count(*) FROM person_role WHERE person_id = $1 AND role = 'peer_supporter'", NULL };
static const struct sql q_checks = { "tpw.checks",
	"SELECT count(*) FROM peer_check WHERE person_id = $1", NULL };
static const struct sql q_messages = { "tpw.messages",
	"SELECT count(*) FROM peer_message WHERE match_id = $1", NULL };
static const struct sql q_contacts = { "tpw.contacts",
	"SELECT count(*) FROM peer_contact WHERE match_id = $1", NULL };
static const struct sql q_contact_row = { "tpw.contact_row",
	"SELECT count(*) FROM peer_contact WHERE match_id = $1 AND peer_id = $2 AND way = 'phone' "
	"AND minutes = 30 AND happened_on = '2027-01-12' AND note = 'Talked about inhalers'", NULL };
static const struct sql q_concerns_open = { "tpw.concerns_open",
	"SELECT count(*) FROM peer_concern WHERE match_id = $1 AND seen_at IS NULL", NULL };
static const struct sql q_concern_last = { "tpw.concern_last",
	"SELECT coalesce(max(id), 0) FROM peer_concern", NULL };
static const struct sql q_shares = { "tpw.shares",
	"SELECT count(*) FROM peer_match WHERE id = $1 AND person_shares = $2 AND peer_shares = $3", NULL };
static const struct sql q_feedback = { "tpw.feedback",
	"SELECT count(*) FROM peer_match WHERE id = $1 AND ended_by = $2 AND person_helpful = 4 "
	"AND person_words = 'Thank you for listening'", NULL };
static const struct sql q_why_none = { "tpw.why_none",
	"SELECT count(*) FROM peer_request WHERE id = $1 AND why_none = $2", NULL };
static const struct sql q_reads_by = { "tpw.reads_by",
	"SELECT count(*) FROM audit WHERE action = $1 AND actor_id = $2", NULL };
static const struct sql q_match_id = { "tpw.match_id",
	"SELECT id FROM peer_match WHERE request_id = $1 AND state = $2 ORDER BY offered_at DESC, id",
	NULL };

struct fx {
	struct rt *t;
	RT_CAST_MEMBERS;        /* olu, bea, lin, cora, tom, mo; own, other, link, coord, comm, member */
	int64_t ada, pat, pia, una, adi, cy;
	struct rt_browser ada_b, pat_b, pia_b, una_b, adi_b, cy_b;
};

static int setup(void **state)
{
	struct fx *x;

	time_set_fake(NOW);
	if (!(x = rt_fixture(state, sizeof(*x), NULL)))
		return -1;
	rt_cast(x->t, &x->cast, RT_CAST_EVERYONE | RT_CAST_BROWSERS);
	x->ada = rt_person(x->t, "Ada Asker", "ada@example.org", NULL, MEMBER, NULL);
	x->pat = rt_person(x->t, "Pat Peer", "pat@example.org", NULL, MEMBER, NULL);
	x->pia = rt_person(x->t, "Pia Second", "pia@example.org", NULL, MEMBER, NULL);
	x->una = rt_person_unverified(x->t, "Una Unconfirmed", "una@example.org", NULL, MEMBER, NULL);
	x->adi = rt_person(x->t, "Adi Admin", "adi@example.org", NULL, MEMBER | ROLE_BIT(ROLE_ADMIN),
			   NULL);
	x->cy = rt_person(x->t, "Cy Coordinator", "cy@example.org", NULL,
			  MEMBER | ROLE_BIT(ROLE_COORDINATOR), NULL);
	rt_sign_in(x->t, x->ada, &x->ada_b);
	rt_sign_in(x->t, x->pat, &x->pat_b);
	rt_sign_in(x->t, x->pia, &x->pia_b);
	rt_sign_in(x->t, x->una, &x->una_b);
	rt_sign_in(x->t, x->adi, &x->adi_b);
	rt_sign_in(x->t, x->cy, &x->cy_b);
	return 0;
}

static int teardown(void **state)
{
	return rt_fixture_free(state);
}

/* ---------------------------------------------------------------- helpers */


static int64_t count(struct fx *x, const struct sql *q, const struct db_val *args, size_t n)
{
	return rt_count(x->t, q, args, n);
}

static int64_t request_is(struct fx *x, const char *id, const char *state)
{
	return count(x, &q_request_is, DB_ARGS(DB_TEXT(id), DB_TEXT(state)));
}

static int64_t match_is(struct fx *x, const char *id, const char *state)
{
	return count(x, &q_match_is, DB_ARGS(DB_TEXT(id), DB_TEXT(state)));
}

static int64_t peer_is(struct fx *x, int64_t id, const char *state)
{
	return count(x, &q_peer_is, DB_ARGS(DB_INT(id), DB_TEXT(state)));
}

/* The newest match of request in state, into out; fails the test when
 * there is none. */
static void match_of(struct fx *x, const char *request, const char *state, char out[37])
{
	struct db_res *r;

	assert_int_equal(db_query_one(rt_db(x->t), &q_match_id, DB_ARGS(DB_TEXT(request), DB_TEXT(state)),
				      &r), ERR_OK);
	snprintf(out, 37, "%s", db_text(r, 0));
	db_res_free(r);
	assert_int_equal(strlen(out), 36);
}

/* GET as b, expecting status and not the string absent (NULL: no check). */
static void get_without(struct fx *x, struct rt_browser *b, const char *path, int status,
		const char *absent)
{
	struct rt_resp r;

	rt_browser_get(x->t, b, path, &r);
	if (r.status != status)
		fail_msg("GET %s: %d, wanted %d", path, r.status, status);
	if (absent && rt_has(&r, absent))
		fail_msg("GET %s: the page has \"%s\"", path, absent);
	rt_resp_free(&r);
}

/* What a page says is wrong (its error summary, or else its main
 * content), for a failing test's message. */
static const char *problem(const struct rt_resp *r)
{
	const char *p = r->body ? strstr(r->body, "govuk-error-summary__list") : NULL;

	if (!p && r->body)
		p = strstr(r->body, "<main");
	return p ? p : r->body ? r->body : "";
}

/* b asks for a peer with fields; the new request's id into id. */
static void ask_as(struct fx *x, struct rt_browser *b, const char *fields, char id[37])
{
	struct rt_resp r;
	const char *loc;

	rt_browser_post(x->t, b, "/peer-support/ask", fields, &r);
	if (r.status != 303)
		fail_msg("POST /peer-support/ask: %d: %.600s", r.status, problem(&r));
	loc = rt_header(&r, "Location");
	assert_non_null(loc);
	assert_true(strncmp(loc, "/peer-support/requests/", 23) == 0);
	assert_int_equal(strlen(loc), 23 + 36 + strlen("?done=asked"));
	assert_string_equal(loc + 23 + 36, "?done=asked");
	snprintf(id, 37, "%.36s", loc + 23);
	rt_resp_free(&r);
}

/* A coordinator records a check on who. */
static void check_as(struct fx *x, struct rt_browser *coord, int64_t who, const char *fields)
{
	rt_browser_post_to(x->t, coord, rt_at("/peer-support/peers/%lld/checks", (long long)who), fields,
			   rt_at("/peer-support/peers/%lld?done=checked", (long long)who));
}

static void decide_as(struct fx *x, struct rt_browser *coord, int64_t who, const char *decision)
{
	rt_browser_post_to(x->t, coord, rt_at("/peer-support/peers/%lld/decide", (long long)who),
			   rt_at("decision=%s", decision),
			   rt_at("/peer-support/peers/%lld?done=%s", (long long)who, decision));
}

/* who (signed in as b) applies with form, and a coordinator records
 * identity, two references and training and approves them: a trained
 * peer supporter (phone, video and messages). The new role signs them
 * out everywhere (person_grant), so b signs in again. */
static void make_peer(struct fx *x, struct rt_browser *b, int64_t who, const char *form)
{
	rt_browser_post_to(x->t, b, "/peer-support/volunteer", form, "/peer-support/mine?done=saved");
	check_as(x, &x->coord, who, "kind=identity&" PAST("done_on"));
	check_as(x, &x->coord, who, "kind=reference&detail=Former+manager&" PAST("done_on"));
	check_as(x, &x->coord, who, "kind=reference&detail=Neighbour&" PAST("done_on"));
	check_as(x, &x->coord, who, "kind=training&detail=Peer+support+basics&" PAST("done_on"));
	decide_as(x, &x->coord, who, "approve");
	assert_int_equal(peer_is(x, who, "approved"), 1);
	rt_sign_in(x->t, who, b);
}

/* Pat is a peer supporter; Ada asks and Pat is offered her: the request
 * into req, the offer into m. */
static void offered(struct fx *x, char req[37], char m[37])
{
	make_peer(x, &x->pat_b, x->pat, APPLY_FORM);
	ask_as(x, &x->ada_b, ASK_FORM, req);
	match_of(x, req, "offered", m);
}

/* ... and Pat has said yes. */
static void matched(struct fx *x, char req[37], char m[37])
{
	offered(x, req, m);
	rt_browser_post_to(x->t, &x->pat_b, rt_at("/peer-support/matches/%s/answer", m), "answer=yes",
			   rt_at("/peer-support/matches/%s?done=accepted", m));
}

/* ---------------------------------------------------------------- home and asking */

static void home_for_visitors_and_people(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char req[37];

	/* A visitor: what it is, and to sign in to ask or offer. */
	rt_get(x->t, "/peer-support", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Talk to someone who has been there."));
	assert_true(rt_has(&r, "You need to sign in to ask for a peer supporter or to apply."));
	assert_true(rt_has(&r, "href=\"/login?next=/peer-support\""));
	assert_false(rt_has(&r, "Your requests"));
	assert_false(rt_has(&r, "For coordinators"));
	rt_resp_free(&r);

	/* Signed in with no requests: no list, the way to apply. */
	rt_browser_get_is(x->t, &x->ada_b, "/peer-support", 200, "href=\"/peer-support/ask\"",
			  "href=\"/peer-support/volunteer\">Apply to be a peer supporter", NULL);
	get_without(x, &x->ada_b, "/peer-support", 200, "Your requests");
	get_without(x, &x->ada_b, "/peer-support", 200, "You need to sign in");
	get_without(x, &x->ada_b, "/peer-support", 200, "For coordinators");

	/* After asking: her request, in words, linked. */
	ask_as(x, &x->ada_b, ASK_FORM, req);
	rt_browser_get_is(x->t, &x->ada_b, "/peer-support", 200, "Your requests",
			  rt_at("href=\"/peer-support/requests/%s\">Asked on 12 January 2027</a>", req),
			  "We are finding someone for you.", NULL);
	/* Only her own: Mo has none. */
	get_without(x, &x->member, "/peer-support", 200, req);
	get_without(x, &x->member, "/peer-support", 200, "Your requests");

	/* Coordinators are pointed to their page. */
	rt_browser_get_is(x->t, &x->coord, "/peer-support", 200, "For coordinators",
			  "href=\"/peer-support/coordinate\"", NULL);
	get_without(x, &x->adi_b, "/peer-support", 200, "For coordinators");

	/* Someone who has applied goes to their own page from here. */
	rt_browser_post_to(x->t, &x->pat_b, "/peer-support/volunteer", APPLY_FORM,
			   "/peer-support/mine?done=saved");
	rt_browser_get_is(x->t, &x->pat_b, "/peer-support", 200,
			  "href=\"/peer-support/mine\">Go to your peer supporter page", NULL);
	get_without(x, &x->pat_b, "/peer-support", 200, "Apply to be a peer supporter");
}

static void ask_form_its_errors_and_a_second_ask(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char req[37];

	rt_browser_get_is(x->t, &x->ada_b, "/peer-support/ask", 200,
			  "<h1 class=\"govuk-heading-l\">Ask for a peer supporter</h1>",
			  "name=\"conditions\" type=\"checkbox\" value=\"copd\"", "name=\"wants\"",
			  "name=\"ways\"", "name=\"district\"", "<option value=\"pl\">", NULL);

	/* Nothing at all: the agreement to use what she tells us is asked
	 * for first. */
	rt_browser_post_is(x->t, &x->ada_b, "/peer-support/ask", "", 422,
			   "href=\"#consent\">Tick the box to agree, or we cannot find you a peer supporter",
			   NULL);
	/* Agreed, nothing chosen: each missing answer by its field, nothing
	 * made. */
	rt_browser_post(x->t, &x->ada_b, "/peer-support/ask", "consent=yes", &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "href=\"#conditions\">Choose the condition you would like to talk about"));
	assert_true(rt_has(&r, "href=\"#wants\">Choose what you would like from a peer supporter"));
	assert_true(rt_has(&r, "href=\"#ways\">Choose at least one way you could meet"));
	rt_resp_free(&r);
	assert_int_equal(count(x, &q_requests, DB_NOARGS), 0);

	/* What was typed stays; in person needs a postcode. */
	rt_browser_post(x->t, &x->ada_b, "/peer-support/ask",
			"wants=talk&ways=in_person&ways=message&max_miles=5&prefers=none&consent=yes&about="
			ABOUT, &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "href=\"#conditions\">"));
	assert_true(rt_has(&r, "href=\"#district\">Enter your postcode or its first half"));
	assert_false(rt_has(&r, "href=\"#wants\">"));
	assert_true(rt_has(&r, "value=\"talk\" checked"));
	assert_true(rt_has(&r, "value=\"in_person\" checked"));
	assert_true(rt_has(&r, ">" ABOUT_WORDS "</textarea>"));
	rt_resp_free(&r);
	/* A postcode that is not one. */
	rt_browser_post_is(x->t, &x->ada_b, "/peer-support/ask", ASK_FORM "&district=ZZZZZZ", 422,
			   "href=\"#district\">", NULL);
	assert_int_equal(count(x, &q_requests, DB_NOARGS), 0);

	/* Asked: the request's page says where it stands in plain words. */
	ask_as(x, &x->ada_b, ASK_FORM, req);
	assert_int_equal(request_is(x, req, "waiting"), 1);
	assert_int_equal(rt_audit_about(x->t, "peer.request.made", x->ada), 1);
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/peer-support/requests/%s?done=asked", req), 200,
			  "Thank you. We have your request.", ">Finding someone</strong>",
			  "We are finding someone for you.", COPD_WORDS, "Someone to talk to", ABOUT_WORDS,
			  "Withdraw my request", NULL);
	/* Nobody to offer: the coordinators are told why (not Ada). */
	assert_int_equal(count(x, &q_why_none, DB_ARGS(DB_TEXT(req),
			 DB_TEXT("No peer supporter is free to take someone new."))), 1);
	get_without(x, &x->ada_b, rt_at("/peer-support/requests/%s", req), 200, "No peer supporter");

	/* A second while the first is open: 409 with words, nothing made. */
	rt_browser_post_is(x->t, &x->ada_b, "/peer-support/ask", ASK_FORM, 409,
			   "You have asked for a peer supporter already.", NULL);
	assert_int_equal(count(x, &q_requests, DB_NOARGS), 1);
}

/* A link worker or coordinator may ask for someone with a confirmed
 * account, who then sees it as their own; the link worker sees the
 * request they made, not the match. */
static void asking_for_someone_else(void **state)
{
	struct fx *x = *state;
	char req[37], m[37], mine[37];
	int64_t lee = rt_person(x->t, "Lee Otherlink", "lee@example.org", NULL,
				MEMBER | ROLE_BIT(ROLE_LINK_WORKER), NULL);
	struct rt_browser lee_b;

	rt_sign_in(x->t, lee, &lee_b);
	rt_browser_get_is(x->t, &x->link, "/peer-support/ask", 200, "name=\"for_email\"",
			  "Asking for someone else? Their email address", "They agree that kith may use", NULL);
	rt_browser_get_is(x->t, &x->coord, "/peer-support/ask", 200, "name=\"for_email\"", NULL);
	get_without(x, &x->member, "/peer-support/ask", 200, "name=\"for_email\"");
	get_without(x, &x->adi_b, "/peer-support/ask", 200, "name=\"for_email\"");

	/* Nobody with that address, or not confirmed: said by the field. */
	rt_browser_post_is(x->t, &x->link, "/peer-support/ask", ASK_FORM "&for_email=nobody%40example.org",
			   422, "href=\"#for_email\">Nobody has a kith account with this email address confirmed",
			   "value=\"nobody@example.org\"", NULL);
	rt_browser_post_is(x->t, &x->link, "/peer-support/ask", ASK_FORM "&for_email=una%40example.org",
			   422, "href=\"#for_email\">Nobody has a kith account", NULL);
	rt_browser_post_is(x->t, &x->link, "/peer-support/ask", ASK_FORM "&for_email=not-an-address", 422,
			   "href=\"#for_email\">", NULL);
	/* Their agreement, in the referrer's words. */
	rt_browser_post_is(x->t, &x->link, "/peer-support/ask",
			   "conditions=copd&wants=talk&ways=message&for_email=ada%40example.org", 422,
			   "href=\"#consent\">Confirm that they agree, or they cannot be matched", NULL);
	assert_int_equal(count(x, &q_requests, DB_NOARGS), 0);

	/* For Ada: hers, made by Lin. */
	ask_as(x, &x->link, ASK_FORM "&for_email=ada%40example.org", req);
	assert_int_equal(count(x, &q_request_for, DB_ARGS(DB_TEXT(req), DB_INT(x->ada), DB_INT(x->lin))), 1);
	assert_int_equal(count(x, &q_reads_by, DB_ARGS(DB_TEXT("peer.request.made"), DB_INT(x->lin))), 1);
	rt_browser_get_is(x->t, &x->link, rt_at("/peer-support/requests/%s?done=asked", req), 200,
			  "We are finding someone for them.", "Ada&rsquo;s request", ABOUT_WORDS, NULL);
	rt_browser_get_is(x->t, &x->ada_b, "/peer-support", 200, "Your requests",
			  rt_at("href=\"/peer-support/requests/%s\"", req), NULL);
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/peer-support/requests/%s", req), 200, ABOUT_WORDS, NULL);
	/* Another link worker: as if there were none. */
	rt_browser_get_is(x->t, &lee_b, rt_at("/peer-support/requests/%s", req), 404, NULL);
	rt_browser_post_is(x->t, &lee_b, rt_at("/peer-support/requests/%s/withdraw", req), NULL, 404, NULL);

	/* One open request each, whoever asks. */
	rt_browser_post_is(x->t, &x->ada_b, "/peer-support/ask", ASK_FORM, 409,
			   "You have asked for a peer supporter already.", NULL);
	rt_browser_post_is(x->t, &x->coord, "/peer-support/ask", ASK_FORM "&for_email=ada%40example.org", 409,
			   "They have asked for a peer supporter already, and it is still open.", NULL);
	assert_int_equal(count(x, &q_requests_of, DB_ARGS(DB_INT(x->ada))), 1);
	/* A member cannot ask for someone else: the address is not a field
	 * of theirs, so Mo asks for Mo. */
	ask_as(x, &x->member, ASK_FORM "&for_email=ada%40example.org", mine);
	assert_int_equal(count(x, &q_requests_of, DB_ARGS(DB_INT(x->mo))), 1);
	assert_int_equal(count(x, &q_requests_of, DB_ARGS(DB_INT(x->ada))), 1);

	/* Matched: Lin sees that it is, but the match is the pair's. (Pat
	 * takes two: Ada and Mo.) */
	make_peer(x, &x->pat_b, x->pat, APPLY_FORM);
	rt_browser_post_to(x->t, &x->coord, "/peer-support/coordinate/run", NULL,
			   "/peer-support/coordinate?done=run&offered=2");
	match_of(x, req, "offered", m);
	rt_browser_get_is(x->t, &x->link, rt_at("/peer-support/matches/%s", m), 404, NULL);
	rt_browser_post_to(x->t, &x->pat_b, rt_at("/peer-support/matches/%s/answer", m), "answer=yes",
			   rt_at("/peer-support/matches/%s?done=accepted", m));
	rt_browser_get_is(x->t, &x->link, rt_at("/peer-support/requests/%s", req), 200, "Pat has said yes.",
			  NULL);
	rt_browser_get_is(x->t, &x->link, rt_at("/peer-support/matches/%s", m), 404, NULL);
	rt_browser_post_is(x->t, &x->link, rt_at("/peer-support/matches/%s/messages", m), "body=Hello", 404,
			   NULL);
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/peer-support/matches/%s", m), 200, "You and Pat", NULL);
	rt_browser_post_is(x->t, &x->link, rt_at("/peer-support/requests/%s/withdraw", req), NULL, 409, NULL);

	/* Lin may withdraw a request of theirs still waiting. */
	{
		char other[37];
		int64_t bo = rt_person(x->t, "Bo Second", "bo@example.org", NULL, MEMBER, NULL);

		ask_as(x, &x->link, ASK_FORM "&language=pl&for_email=bo%40example.org", other);
		assert_int_equal(count(x, &q_request_for, DB_ARGS(DB_TEXT(other), DB_INT(bo), DB_INT(x->lin))), 1);
		rt_browser_post_to(x->t, &x->link, rt_at("/peer-support/requests/%s/withdraw", other), NULL,
				   rt_at("/peer-support/requests/%s?done=withdrawn", other));
		assert_int_equal(request_is(x, other, "withdrawn"), 1);
	}
}

/* ---------------------------------------------------------------- becoming a peer supporter */

static void applying_checks_and_approval(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char peer[64], checks[80];

	snprintf(peer, sizeof(peer), "/peer-support/peers/%lld", (long long)x->pat);
	snprintf(checks, sizeof(checks), "%s/checks", peer);

	/* Not applied yet: their page is the application. */
	rt_browser_get(x->t, &x->pat_b, "/peer-support/mine", &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(rt_header(&r, "Location"), "/peer-support/volunteer");
	rt_resp_free(&r);
	rt_browser_get_is(x->t, &x->pat_b, "/peer-support/volunteer", 200,
			  "<h1 class=\"govuk-heading-l\">Become a peer supporter</h1>", "name=\"capacity\"",
			  "name=\"intro\"", "Send my application", NULL);

	/* Without agreeing to the use of what they tell us: asked first. */
	rt_browser_post_is(x->t, &x->pat_b, "/peer-support/volunteer",
			   "conditions=copd&languages=en&ways=message&capacity=2&intro=Hello", 422,
			   "href=\"#consent\">Tick the box to agree, or we cannot match you with anyone", NULL);
	/* No introduction, no number of people: said by their fields. */
	rt_browser_post(x->t, &x->pat_b, "/peer-support/volunteer",
			"conditions=copd&languages=en&ways=message&consent=yes", &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "href=\"#capacity\">Choose how many people you could support at once"));
	assert_true(rt_has(&r, "value=\"copd\" checked"));
	rt_resp_free(&r);
	rt_browser_post_is(x->t, &x->pat_b, "/peer-support/volunteer",
			   "conditions=copd&languages=en&ways=message&capacity=2&consent=yes&intro=", 422,
			   "href=\"#intro\">Write a few words about yourself", NULL);
	rt_browser_post_is(x->t, &x->pat_b, "/peer-support/volunteer",
			   "conditions=copd&languages=en&ways=message&capacity=2&consent=yes&intro=+++", 422,
			   "href=\"#intro\">Write a few words about yourself", NULL);
	/* A number that is not offered (1 to 5). */
	rt_browser_post_is(x->t, &x->pat_b, "/peer-support/volunteer",
			   "conditions=copd&languages=en&ways=message&capacity=11&consent=yes&intro=Hello", 422,
			   "href=\"#capacity\">", NULL);
	rt_browser_post_is(x->t, &x->pat_b, "/peer-support/volunteer",
			   "conditions=copd&languages=en&ways=message&capacity=0&consent=yes&intro=Hello", 422,
			   "href=\"#capacity\">", NULL);
	assert_int_equal(peer_is(x, x->pat, "applied"), 0);

	/* Applied: their page says what happens next. */
	rt_browser_post_to(x->t, &x->pat_b, "/peer-support/volunteer", APPLY_FORM,
			   "/peer-support/mine?done=saved");
	assert_int_equal(peer_is(x, x->pat, "applied"), 1);
	assert_int_equal(rt_audit_about(x->t, "peer.applied", x->pat), 1);
	rt_browser_get_is(x->t, &x->pat_b, "/peer-support/mine?done=saved", 200,
			  "Thank you. What you offer is saved.", "Thank you for applying.",
			  "Not checked yet: cannot be offered anyone", NULL);
	/* The form again is for changing it. */
	rt_browser_get_is(x->t, &x->pat_b, "/peer-support/volunteer", 200, "Save changes",
			  INTRO_WORDS, NULL);

	/* The coordinators' view of them. */
	rt_browser_get_is(x->t, &x->coord, "/peer-support/coordinate", 200,
			  rt_at("href=\"%s\">Pat Peer</a>", peer), NULL);
	rt_browser_get_is(x->t, &x->coord, peer, 200, "<h1 class=\"govuk-heading-l\">Pat Peer</h1>",
			  INTRO_WORDS, COPD_WORDS, "None yet", NULL);
	assert_true(count(x, &q_reads_by, DB_ARGS(DB_TEXT("peer_supporter.read"), DB_INT(x->cora))) >= 1);

	/* Approving before an identity check: 409, saying what to do. */
	rt_browser_post_is(x->t, &x->coord, rt_at("%s/decide", peer), "decision=approve", 409,
			   "Record their identity check before approving them", NULL);
	assert_int_equal(peer_is(x, x->pat, "applied"), 1);
	assert_int_equal(count(x, &q_role, DB_ARGS(DB_INT(x->pat))), 0);

	/* Checks with something wrong: a day to come, a DBS check with no
	 * level, a reference with nobody named. Nothing recorded. */
	rt_browser_post_is(x->t, &x->coord, checks, "kind=identity&" FUTURE("done_on"), 422,
			   "href=\"#done_on\">Enter the day it was checked, like 27 3 2026. It cannot be in "
			   "the future", NULL);
	rt_browser_post_is(x->t, &x->coord, checks, "kind=dbs&" PAST("done_on"), 422,
			   "href=\"#level\">Choose the level of the DBS check", NULL);
	rt_browser_post_is(x->t, &x->coord, checks, "kind=reference&" PAST("done_on"), 422,
			   "href=\"#detail\">Enter who gave the reference", NULL);
	rt_browser_post_is(x->t, &x->coord, checks, "kind=training&detail=&" PAST("done_on"), 422,
			   "href=\"#detail\">Enter the training", NULL);
	rt_browser_post_is(x->t, &x->coord, checks, "kind=identity", 422,
			   "href=\"#done_on\">Enter the day it was checked", NULL);
	assert_int_equal(count(x, &q_checks, DB_ARGS(DB_INT(x->pat))), 0);

	/* Identity: enough to approve, for messages only. */
	check_as(x, &x->coord, x->pat, "kind=identity&" TODAY("done_on"));
	rt_browser_get_is(x->t, &x->coord, rt_at("%s?done=checked", peer), 200, "The check is recorded.",
			  "Identity on 12 January 2027, recorded by Cora Coord",
			  "Identity checked: messages on kith only", NULL);
	check_as(x, &x->coord, x->pat, "kind=reference&detail=Former+manager&" PAST("done_on"));
	check_as(x, &x->coord, x->pat, "kind=reference&detail=Neighbour&" PAST("done_on"));
	rt_browser_get_is(x->t, &x->coord, peer, 200, "Identity checked: messages on kith only",
			  "(Former manager)", "(Neighbour)", NULL);
	check_as(x, &x->coord, x->pat, "kind=training&detail=Peer+support+basics&" PAST("done_on"));
	rt_browser_get_is(x->t, &x->coord, peer, 200, "Trained: phone, video and messages", NULL);
	/* A DBS check: its level, never a number. */
	check_as(x, &x->coord, x->pat, "kind=dbs&level=enhanced&" PAST("done_on"));
	rt_browser_get_is(x->t, &x->coord, peer, 200, "DBS checked: in person too", "(enhanced)", NULL);
	assert_int_equal(count(x, &q_checks, DB_ARGS(DB_INT(x->pat))), 5);
	assert_int_equal(rt_audit_about(x->t, "peer.check.recorded", x->pat), 5);

	/* Approved: the role (which signs them out everywhere), an email,
	 * and their page says so. */
	decide_as(x, &x->coord, x->pat, "approve");
	rt_browser_get(x->t, &x->pat_b, "/peer-support/mine", &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(rt_header(&r, "Location"), "/login?next=%2Fpeer-support%2Fmine");
	rt_resp_free(&r);
	rt_sign_in(x->t, x->pat, &x->pat_b);
	assert_int_equal(peer_is(x, x->pat, "approved"), 1);
	assert_int_equal(count(x, &q_role, DB_ARGS(DB_INT(x->pat))), 1);
	assert_int_equal(rt_mail_n(x->t, "pat@example.org", "peer_approved"), 1);
	rt_browser_get_is(x->t, &x->coord, rt_at("%s?done=approve", peer), 200,
			  "The peer supporter is approved.", NULL);
	rt_browser_get_is(x->t, &x->pat_b, "/peer-support/mine", 200, "Going away?",
			  "name=\"until-day\"", "Nobody yet.", NULL);
	get_without(x, &x->pat_b, "/peer-support/mine", 200, "Thank you for applying.");
	/* Approving twice: 409. */
	rt_browser_post_is(x->t, &x->coord, rt_at("%s/decide", peer), "decision=approve", 409,
			   "approved already", NULL);
	/* Pat may change what they offer, and stays approved. */
	rt_browser_post_to(x->t, &x->pat_b, "/peer-support/volunteer",
			   "conditions=copd&conditions=asthma&languages=en&ways=message&capacity=3"
			   "&intro=Still+here&consent=yes", "/peer-support/mine?done=saved");
	assert_int_equal(peer_is(x, x->pat, "approved"), 1);
	assert_int_equal(rt_audit_about(x->t, "peer.profile.changed", x->pat), 1);
	/* An unknown peer supporter. */
	rt_browser_get_is(x->t, &x->coord, "/peer-support/peers/999999", 404, NULL);
	rt_browser_post_is(x->t, &x->coord, "/peer-support/peers/999999/decide", "decision=approve", 404,
			   NULL);
}

/* ---------------------------------------------------------------- an offer */

static void an_offer_shows_the_peer_little_and_the_person_nothing(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char req[37], m[37];
	char *mail;

	offered(x, req, m);
	assert_int_equal(match_is(x, m, "offered"), 1);
	assert_int_equal(request_is(x, req, "offered"), 1);
	/* The peer is emailed that someone would like their support, and
	 * nothing about who or why. */
	assert_int_equal(rt_mail_n(x->t, "pat@example.org", "peer_offer"), 1);
	mail = rt_mail_text(x->t, "pat@example.org", "peer_offer");
	assert_non_null(strstr(mail, "19 January 2027"));
	assert_non_null(strstr(mail, rt_at("/peer-support/matches/%s", m)));
	assert_null(strstr(mail, "Ada"));
	assert_null(strstr(mail, "COPD"));
	assert_null(strstr(mail, ABOUT_WORDS));
	free(mail);

	/* Their page lists it; the offer shows the first name, area and what
	 * she would like, not her conditions nor her words. */
	rt_browser_get_is(x->t, &x->pat_b, "/peer-support/mine", 200, "Waiting for your answer",
			  rt_at("href=\"/peer-support/matches/%s\">Ada would like someone to talk to</a>", m),
			  "Please answer by 19 January 2027", NULL);
	rt_browser_get(x->t, &x->pat_b, rt_at("/peer-support/matches/%s", m), &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "<title>Someone would like your support"));
	assert_true(rt_has(&r, "Ada would like your support</h1>"));
	assert_true(rt_has(&r, "Someone to talk to"));
	assert_true(rt_has(&r, "Please answer by 19 January 2027"));
	assert_true(rt_has(&r, "Yes, I can support Ada"));
	assert_true(rt_has(&r, "name=\"answer\" value=\"no\""));
	assert_false(rt_has(&r, "Asker"));
	assert_false(rt_has(&r, "COPD"));
	assert_false(rt_has(&r, ABOUT_WORDS));
	assert_false(rt_has(&r, "ada@example.org"));
	rt_resp_free(&r);

	/* Ada never sees the offer: who was asked is not hers to know yet. */
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/peer-support/matches/%s", m), 404, NULL);
	get_without(x, &x->ada_b, rt_at("/peer-support/requests/%s", req), 200, "Pat");
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/peer-support/requests/%s", req), 200,
			  ">Asked a peer supporter</strong>",
			  "We have asked a peer supporter who fits what you asked for. They have until 19 "
			  "January 2027 to say yes.", NULL);
	/* Nor may she answer for Pat. */
	rt_browser_post_is(x->t, &x->ada_b, rt_at("/peer-support/matches/%s/answer", m), "answer=yes", 404,
			   NULL);
	assert_int_equal(match_is(x, m, "offered"), 1);

	/* Another peer supporter, not offered her: as if there were none. */
	make_peer(x, &x->pia_b, x->pia, APPLY_FORM);
	rt_browser_get_is(x->t, &x->pia_b, rt_at("/peer-support/matches/%s", m), 404, NULL);
	rt_browser_post_is(x->t, &x->pia_b, rt_at("/peer-support/matches/%s/answer", m), "answer=yes", 404,
			   NULL);
	rt_browser_get_is(x->t, &x->pia_b, rt_at("/peer-support/requests/%s", req), 404, NULL);
	get_without(x, &x->pia_b, "/peer-support/mine", 200, "Ada");
	assert_int_equal(match_is(x, m, "offered"), 1);

	/* The coordinators see who has been asked and by when. */
	rt_browser_get_is(x->t, &x->coord, "/peer-support/coordinate", 200,
			  rt_at("href=\"/peer-support/requests/%s\">Ada Asker</a>", req),
			  "Offered to Pat Peer, answer by 19 January 2027", "An offer is waiting", NULL);
}

static void yes_makes_a_match(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char req[37], m[37];

	matched(x, req, m);
	assert_int_equal(match_is(x, m, "accepted"), 1);
	assert_int_equal(request_is(x, req, "matched"), 1);
	assert_int_equal(rt_audit_about(x->t, "peer.offer.accepted", x->ada), 1);
	/* Ada is emailed that she has a peer supporter, and nothing more. */
	assert_int_equal(rt_mail_n(x->t, "ada@example.org", "peer_matched"), 1);

	/* Pat now sees what she asked for, her words, and the forms. */
	rt_browser_get(x->t, &x->pat_b, rt_at("/peer-support/matches/%s?done=accepted", m), &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Thank you for saying yes. You can send a message now."));
	assert_true(rt_has(&r, "You and Ada</h1>"));
	assert_true(rt_has(&r, COPD_WORDS));
	assert_true(rt_has(&r, ABOUT_WORDS));
	assert_true(rt_has(&r, "Why we matched you: "));
	assert_true(rt_has(&r, rt_at("action=\"/peer-support/matches/%s/messages\"", m)));
	assert_true(rt_has(&r, "name=\"body\""));
	assert_true(rt_has(&r, rt_at("action=\"/peer-support/matches/%s/contacts\"", m)));
	assert_true(rt_has(&r, "name=\"happened_on-day\""));
	assert_true(rt_has(&r, "No messages yet."));
	rt_resp_free(&r);
	/* Their page: matched. */
	rt_browser_get_is(x->t, &x->pat_b, "/peer-support/mine", 200, ">Matched</strong>",
			  rt_at("href=\"/peer-support/matches/%s\">Ada</a>", m), NULL);

	/* Ada's request says so, and leads to the match. */
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/peer-support/requests/%s", req), 200, ">Matched</strong>",
			  "Pat has said yes.",
			  rt_at("href=\"/peer-support/matches/%s\">Send them a message</a>", m), NULL);
	get_without(x, &x->ada_b, rt_at("/peer-support/requests/%s", req), 200, "Withdraw my request");
	rt_browser_get_is(x->t, &x->ada_b, "/peer-support", 200, "Pat has said yes.", NULL);
	/* Her view of the match: Pat's introduction and the message form,
	 * not the contact log. */
	rt_browser_get(x->t, &x->ada_b, rt_at("/peer-support/matches/%s", m), &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "<title>Peer support: Pat"));
	assert_true(rt_has(&r, "You and Pat</h1>"));
	assert_true(rt_has(&r, "About Pat"));
	assert_true(rt_has(&r, INTRO_WORDS));
	assert_true(rt_has(&r, "name=\"body\""));
	assert_false(rt_has(&r, "name=\"happened_on-day\""));
	assert_false(rt_has(&r, "pat@example.org"));
	rt_resp_free(&r);

	/* Answering again: no longer open. */
	rt_browser_post_is(x->t, &x->pat_b, rt_at("/peer-support/matches/%s/answer", m), "answer=no", 409,
			   "This offer is no longer open", NULL);
	assert_int_equal(match_is(x, m, "accepted"), 1);
	/* Answering needs an answer. */
	rt_browser_post_is(x->t, &x->pat_b, rt_at("/peer-support/matches/%s/answer", m), "", 422,
			   "Choose yes or no", NULL);
}

static void no_sends_it_back_but_not_to_them(void **state)
{
	struct fx *x = *state;
	char req[37], m[37];

	offered(x, req, m);
	rt_browser_post_to(x->t, &x->pat_b, rt_at("/peer-support/matches/%s/answer", m), "answer=no",
			   "/peer-support/mine?done=declined");
	assert_int_equal(match_is(x, m, "declined"), 1);
	assert_int_equal(request_is(x, req, "waiting"), 1);
	/* Pat was the only one, and said no: not asked again. */
	assert_int_equal(count(x, &q_matches_of_peer, DB_ARGS(DB_INT(x->pat))), 1);
	assert_int_equal(rt_mail_n(x->t, "pat@example.org", "peer_offer"), 1);
	assert_int_equal(rt_audit_about(x->t, "peer.offer.declined", x->ada), 1);
	rt_browser_get_is(x->t, &x->pat_b, "/peer-support/mine?done=declined", 200,
			  "Thank you for letting us know. We will find someone else.", "Nobody yet.", NULL);
	/* The old offer: Pat is told it is closed; Ada still never sees it. */
	rt_browser_get_is(x->t, &x->pat_b, rt_at("/peer-support/matches/%s", m), 200,
			  "This offer is no longer open", NULL);
	get_without(x, &x->pat_b, rt_at("/peer-support/matches/%s", m), 200, ABOUT_WORDS);
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/peer-support/matches/%s", m), 404, NULL);
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/peer-support/requests/%s", req), 200,
			  "We are finding someone for you.", NULL);
	/* Matching again now still does not offer her to Pat. */
	rt_browser_post_to(x->t, &x->coord, "/peer-support/coordinate/run", NULL,
			   "/peer-support/coordinate?done=run&offered=0");
	assert_int_equal(count(x, &q_matches_of_peer, DB_ARGS(DB_INT(x->pat))), 1);
	assert_int_equal(request_is(x, req, "waiting"), 1);
	rt_browser_get_is(x->t, &x->coord, "/peer-support/coordinate", 200, "Nobody fits: ", NULL);
	/* A second peer supporter who fits is offered her at the next run. */
	make_peer(x, &x->pia_b, x->pia, APPLY_FORM);
	rt_browser_post_to(x->t, &x->coord, "/peer-support/coordinate/run", NULL,
			   "/peer-support/coordinate?done=run&offered=1");
	rt_browser_get_is(x->t, &x->coord, "/peer-support/coordinate?done=run&offered=1", 200,
			  "The pool has been matched again: 1 new offer.", "Offered to Pia Second", NULL);
	assert_int_equal(count(x, &q_matches_of_peer, DB_ARGS(DB_INT(x->pia))), 1);
	assert_int_equal(request_is(x, req, "offered"), 1);
}

/* ---------------------------------------------------------------- a match */

static void messages_between_the_pair_only(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char req[37], m[37];
	char msgs[96];
	char *mail;

	matched(x, req, m);
	snprintf(msgs, sizeof(msgs), "/peer-support/matches/%s/messages", m);

	/* Ada writes: Pat is emailed that there is a message, not what. */
	rt_browser_post_to(x->t, &x->ada_b, msgs, "body=Hello+Pat%2C+thank+you+for+saying+yes",
			   rt_at("/peer-support/matches/%s?done=sent", m));
	assert_int_equal(count(x, &q_messages, DB_ARGS(DB_TEXT(m))), 1);
	assert_int_equal(rt_mail_n(x->t, "pat@example.org", "peer_message"), 1);
	mail = rt_mail_text(x->t, "pat@example.org", "peer_message");
	assert_non_null(strstr(mail, "new message from Ada"));
	assert_null(strstr(mail, "thank you for saying yes"));
	assert_null(strstr(mail, "COPD"));
	assert_null(strstr(mail, ABOUT_WORDS));
	assert_null(strstr(mail, "Asker"));
	free(mail);
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/peer-support/matches/%s?done=sent", m), 200,
			  "Your message is sent.", "<strong>You</strong>",
			  "Hello Pat, thank you for saying yes", NULL);
	rt_browser_get_is(x->t, &x->pat_b, rt_at("/peer-support/matches/%s", m), 200, "<strong>Ada</strong>",
			  "Hello Pat, thank you for saying yes", NULL);

	/* A second message at once: no second email (she has been told). */
	rt_browser_post_to(x->t, &x->ada_b, msgs, "body=Are+mornings+good+for+you%3F",
			   rt_at("/peer-support/matches/%s?done=sent", m));
	assert_int_equal(rt_mail_n(x->t, "pat@example.org", "peer_message"), 1);
	/* Pat answers: Ada is emailed, without the words. */
	rt_browser_post_to(x->t, &x->pat_b, msgs, "body=Mornings+are+fine.%0D%0ALine+two",
			   rt_at("/peer-support/matches/%s?done=sent", m));
	assert_int_equal(rt_mail_n(x->t, "ada@example.org", "peer_message"), 1);
	mail = rt_mail_text(x->t, "ada@example.org", "peer_message");
	assert_non_null(strstr(mail, "new message from Pat"));
	assert_null(strstr(mail, "Mornings are fine"));
	free(mail);
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/peer-support/matches/%s", m), 200,
			  "Mornings are fine.<br>Line two</p>", NULL);
	/* Twenty minutes on, Ada writes again: a new email. */
	time_set_fake(NOW + 20 * MINUTE);
	rt_browser_post_to(x->t, &x->ada_b, msgs, "body=Lovely",
			   rt_at("/peer-support/matches/%s?done=sent", m));
	assert_int_equal(rt_mail_n(x->t, "pat@example.org", "peer_message"), 2);
	assert_int_equal(count(x, &q_messages, DB_ARGS(DB_TEXT(m))), 4);

	/* An empty message, or only spaces: 422, said by the field. */
	rt_browser_post(x->t, &x->ada_b, msgs, "body=", &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "href=\"#body\">Enter a message"));
	assert_true(rt_has(&r, "Hello Pat, thank you for saying yes"));   /* the page again */
	rt_resp_free(&r);
	rt_browser_post_is(x->t, &x->pat_b, msgs, "body=+%0D%0A+", 422, "href=\"#body\">Enter a message",
			   NULL);
	assert_int_equal(count(x, &q_messages, DB_ARGS(DB_TEXT(m))), 4);

	/* Someone else: as if there were no match. */
	rt_browser_get_is(x->t, &x->member, rt_at("/peer-support/matches/%s", m), 404, NULL);
	rt_browser_post_is(x->t, &x->member, msgs, "body=Hello", 404, NULL);
	rt_browser_post_is(x->t, &x->pia_b, msgs, "body=Hello", 404, NULL);
	/* A coordinator may not write in it either. */
	rt_browser_post_is(x->t, &x->coord, msgs, "body=Hello", 404, NULL);
	assert_int_equal(count(x, &q_messages, DB_ARGS(DB_TEXT(m))), 4);

	/* A coordinator sees the match, but never its messages; the read is
	 * audited. */
	rt_browser_get(x->t, &x->coord, rt_at("/peer-support/matches/%s", m), &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Ada and Pat</h1>"));
	assert_true(rt_has(&r, COPD_WORDS));
	assert_false(rt_has(&r, "thank you for saying yes"));
	assert_false(rt_has(&r, "Mornings are fine"));
	assert_false(rt_has(&r, "Lovely"));
	assert_false(rt_has(&r, "name=\"body\""));
	assert_false(rt_has(&r, "No messages yet"));
	rt_resp_free(&r);
	assert_int_equal(count(x, &q_reads_by, DB_ARGS(DB_TEXT("peer_match.read"), DB_INT(x->cora))), 1);
	assert_int_equal(count(x, &q_reads_by, DB_ARGS(DB_TEXT("peer_match.read"), DB_INT(x->ada))), 0);

	/* A message is text: markup in it is shown, not run. */
	rt_browser_post_to(x->t, &x->pat_b, msgs, "body=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
			   rt_at("/peer-support/matches/%s?done=sent", m));
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/peer-support/matches/%s", m), 200,
			  "&lt;script&gt;alert(1)&lt;/script&gt;", NULL);
	get_without(x, &x->ada_b, rt_at("/peer-support/matches/%s", m), 200, "<script>alert(1)");
}

static void contact_details_when_both_share(void **state)
{
	struct fx *x = *state;
	char req[37], m[37];
	char page[96], share[112];

	matched(x, req, m);
	snprintf(page, sizeof(page), "/peer-support/matches/%s", m);
	snprintf(share, sizeof(share), "%s/share", page);
	rt_browser_get_is(x->t, &x->ada_b, page, 200, "Share my contact details with Pat", NULL);

	/* Ada shares: nobody's details are shown yet. */
	rt_browser_post_to(x->t, &x->ada_b, share, "share=yes", rt_at("%s?done=shared", page));
	assert_int_equal(count(x, &q_shares, DB_ARGS(DB_TEXT(m), DB_INT(1), DB_INT(0))), 1);
	rt_browser_get_is(x->t, &x->ada_b, rt_at("%s?done=shared", page), 200,
			  "Your choice about sharing your contact details is saved.",
			  "You have chosen to share yours. Pat has not chosen yet.",
			  "Stop sharing my contact details", NULL);
	get_without(x, &x->ada_b, page, 200, "pat@example.org");
	rt_browser_get_is(x->t, &x->pat_b, page, 200, "Ada has chosen to share theirs.", NULL);
	get_without(x, &x->pat_b, page, 200, "ada@example.org");

	/* Pat shares too: each sees the other's address. */
	rt_browser_post_to(x->t, &x->pat_b, share, "share=yes", rt_at("%s?done=shared", page));
	rt_browser_get_is(x->t, &x->pat_b, page, 200, "You have both chosen to share your contact details.",
			  "ada@example.org", NULL);
	rt_browser_get_is(x->t, &x->ada_b, page, 200, "pat@example.org", NULL);
	/* Never to a coordinator. */
	get_without(x, &x->coord, page, 200, "ada@example.org");
	get_without(x, &x->coord, page, 200, "pat@example.org");
	/* Ada stops: Pat no longer sees hers. */
	rt_browser_post_to(x->t, &x->ada_b, share, "share=no", rt_at("%s?done=shared", page));
	get_without(x, &x->pat_b, page, 200, "ada@example.org");
	get_without(x, &x->ada_b, page, 200, "pat@example.org");
	assert_int_equal(count(x, &q_shares, DB_ARGS(DB_TEXT(m), DB_INT(0), DB_INT(1))), 1);
	assert_int_equal(rt_audit_n(x->t, "peer.contact.shared"), 2);
	assert_int_equal(rt_audit_n(x->t, "peer.contact.unshared"), 1);
	/* Nobody else may choose for them. */
	rt_browser_post_is(x->t, &x->member, share, "share=yes", 404, NULL);
	rt_browser_post_is(x->t, &x->coord, share, "share=yes", 404, NULL);
	assert_int_equal(count(x, &q_shares, DB_ARGS(DB_TEXT(m), DB_INT(0), DB_INT(1))), 1);
}

static void the_peer_logs_contacts(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char req[37], m[37];
	char contacts[96];

	matched(x, req, m);
	snprintf(contacts, sizeof(contacts), "/peer-support/matches/%s/contacts", m);

	rt_browser_post_to(x->t, &x->pat_b, contacts,
			   TODAY("happened_on") "&way=phone&minutes=30&note=Talked+about+inhalers",
			   rt_at("/peer-support/matches/%s?done=logged", m));
	assert_int_equal(count(x, &q_contact_row, DB_ARGS(DB_TEXT(m), DB_INT(x->pat))), 1);
	assert_int_equal(rt_audit_about(x->t, "peer.contact.logged", x->ada), 1);
	rt_browser_get_is(x->t, &x->pat_b, rt_at("/peer-support/matches/%s?done=logged", m), 200,
			  "Thank you. The contact is logged.", "Time given: 30 minutes.",
			  "12 January 2027: By phone, 30 minutes. Note: Talked about inhalers", NULL);
	rt_browser_get_is(x->t, &x->pat_b, "/peer-support/mine", 200, "30 minutes", NULL);
	/* The note is for the coordinators, never Ada. */
	get_without(x, &x->ada_b, rt_at("/peer-support/matches/%s", m), 200, "Talked about inhalers");
	get_without(x, &x->ada_b, rt_at("/peer-support/matches/%s", m), 200, "Contacts logged");
	rt_browser_get_is(x->t, &x->coord, rt_at("/peer-support/matches/%s", m), 200,
			  "Note: Talked about inhalers", NULL);

	/* Minutes from 1 to 600; a day not to come; how. */
	rt_browser_post_is(x->t, &x->pat_b, contacts, TODAY("happened_on") "&way=phone&minutes=0", 422,
			   "href=\"#minutes\">Enter how long it took in minutes, from 1 to 600", NULL);
	rt_browser_post_is(x->t, &x->pat_b, contacts, TODAY("happened_on") "&way=phone&minutes=601", 422,
			   "href=\"#minutes\">Enter how long it took in minutes, from 1 to 600", NULL);
	rt_browser_post_is(x->t, &x->pat_b, contacts, TODAY("happened_on") "&way=phone&minutes=half", 422,
			   "href=\"#minutes\">", NULL);
	rt_browser_post_is(x->t, &x->pat_b, contacts, FUTURE("happened_on") "&way=phone&minutes=20", 422,
			   "href=\"#happened_on\">Enter the day you were in touch", NULL);
	rt_browser_post_is(x->t, &x->pat_b, contacts, TODAY("happened_on") "&minutes=20", 422,
			   "href=\"#way\">Choose how you were in touch", NULL);
	rt_browser_post(x->t, &x->pat_b, contacts, TODAY("happened_on") "&way=phone&minutes=600", &r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	assert_int_equal(count(x, &q_contacts, DB_ARGS(DB_TEXT(m))), 2);

	/* Only the peer logs: Ada, a coordinator and anyone else are refused
	 * (as if there were no match: the log is not theirs to know of). */
	rt_browser_post_is(x->t, &x->ada_b, contacts, TODAY("happened_on") "&way=phone&minutes=20", 404,
			   NULL);
	rt_browser_post_is(x->t, &x->coord, contacts, TODAY("happened_on") "&way=phone&minutes=20", 404,
			   NULL);
	rt_browser_post_is(x->t, &x->member, contacts, TODAY("happened_on") "&way=phone&minutes=20", 404,
			   NULL);
	assert_int_equal(count(x, &q_contacts, DB_ARGS(DB_TEXT(m))), 2);
}

static void ending_with_feedback(void **state)
{
	struct fx *x = *state;
	char req[37], m[37];
	char end[96];

	matched(x, req, m);
	snprintf(end, sizeof(end), "/peer-support/matches/%s/end", m);
	rt_browser_get_is(x->t, &x->ada_b, end, 200, "<h1 class=\"govuk-heading-l\">End this match</h1>",
			  "name=\"helpful\"", "name=\"words\"", NULL);
	rt_browser_get_is(x->t, &x->pat_b, end, 200, "End this match", NULL);
	rt_browser_get_is(x->t, &x->member, end, 404, NULL);
	rt_browser_get_is(x->t, &x->coord, end, 404, NULL);
	/* A helpfulness that is not one of the answers. */
	rt_browser_post_is(x->t, &x->ada_b, end, "helpful=9", 422, "href=\"#helpful\">", NULL);
	assert_int_equal(match_is(x, m, "accepted"), 1);
	/* Not theirs to end. */
	rt_browser_post_is(x->t, &x->member, end, "helpful=1", 404, NULL);
	rt_browser_post_is(x->t, &x->coord, end, "helpful=1", 404, NULL);
	assert_int_equal(match_is(x, m, "accepted"), 1);

	rt_browser_post_to(x->t, &x->ada_b, end, "helpful=4&words=Thank+you+for+listening",
			   rt_at("/peer-support/matches/%s?done=ended", m));
	assert_int_equal(match_is(x, m, "ended"), 1);
	assert_int_equal(count(x, &q_feedback, DB_ARGS(DB_TEXT(m), DB_INT(x->ada))), 1);
	assert_int_equal(request_is(x, req, "ended"), 1);
	/* Pat is told it has ended, not why. */
	assert_int_equal(rt_mail_n(x->t, "pat@example.org", "peer_ended"), 1);
	assert_int_equal(rt_mail_n(x->t, "ada@example.org", "peer_ended"), 0);
	{
		char *mail = rt_mail_text(x->t, "pat@example.org", "peer_ended");

		assert_null(strstr(mail, "Thank you for listening"));
		free(mail);
	}
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/peer-support/matches/%s?done=ended", m), 200,
			  "The match has ended. Thank you for telling us how it went.",
			  "This match ended on 12 January 2027.", NULL);
	get_without(x, &x->ada_b, rt_at("/peer-support/matches/%s", m), 200, "name=\"body\"");
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/peer-support/requests/%s", req), 200, ">Ended</strong>",
			  "This match has ended.", NULL);
	rt_browser_get_is(x->t, &x->pat_b, "/peer-support/mine", 200, ">Ended</strong>", NULL);
	/* The coordinators read how it went; Pat does not. */
	rt_browser_get_is(x->t, &x->coord, rt_at("/peer-support/matches/%s", m), 200,
			  "Ada said: Very helpful. Thank you for listening", NULL);
	get_without(x, &x->pat_b, rt_at("/peer-support/matches/%s", m), 200, "Thank you for listening");

	/* Nothing more can be added. */
	rt_browser_post_is(x->t, &x->pat_b, rt_at("/peer-support/matches/%s/messages", m), "body=Hello", 409,
			   "This match has ended, so nothing more can be added to it.", NULL);
	rt_browser_post_is(x->t, &x->pat_b, rt_at("/peer-support/matches/%s/contacts", m),
			   TODAY("happened_on") "&way=phone&minutes=20", 409, "This match has ended", NULL);
	rt_browser_post_is(x->t, &x->pat_b, rt_at("/peer-support/matches/%s/share", m), "share=yes", 409,
			   NULL);
	rt_browser_post_is(x->t, &x->pat_b, end, "helpful=1", 409, NULL);
	rt_browser_get_is(x->t, &x->pat_b, end, 409, NULL);
	assert_int_equal(count(x, &q_messages, DB_ARGS(DB_TEXT(m))), 0);
	assert_int_equal(count(x, &q_contacts, DB_ARGS(DB_TEXT(m))), 0);

	/* Ada may ask again; she is not offered to Pat again. */
	{
		char again[37];

		ask_as(x, &x->ada_b, ASK_FORM, again);
		assert_int_equal(request_is(x, again, "waiting"), 1);
		assert_int_equal(count(x, &q_matches_of_request, DB_ARGS(DB_TEXT(again))), 0);
		assert_int_equal(count(x, &q_why_none, DB_ARGS(DB_TEXT(again),
				 DB_TEXT("The only peer supporters who fit have said no to them, or ended a match with them, before."))),
				 1);
	}
}

static void concerns_go_to_every_coordinator(void **state)
{
	struct fx *x = *state;
	char req[37], m[37];
	char concern[96];
	int64_t cid;

	matched(x, req, m);
	snprintf(concern, sizeof(concern), "/peer-support/matches/%s/concern", m);
	rt_browser_get_is(x->t, &x->pat_b, concern, 200,
			  "<h1 class=\"govuk-heading-l\">Raise a concern</h1>", "name=\"body\"", NULL);
	rt_browser_get_is(x->t, &x->ada_b, concern, 200, "Raise a concern", NULL);
	rt_browser_get_is(x->t, &x->member, concern, 404, NULL);

	/* Empty: 422, nothing sent. */
	rt_browser_post_is(x->t, &x->pat_b, concern, "body=", 422,
			   "href=\"#body\">Tell us what is worrying you", NULL);
	rt_browser_post_is(x->t, &x->pat_b, concern, "body=+++", 422, "href=\"#body\">", NULL);
	rt_browser_post_is(x->t, &x->member, concern, "body=Worried", 404, NULL);
	assert_int_equal(count(x, &q_concerns_open, DB_ARGS(DB_TEXT(m))), 0);
	assert_int_equal(rt_mail_n(x->t, "cora@example.org", "peer_concern"), 0);

	rt_browser_post_to(x->t, &x->pat_b, concern, "body=She+said+she+feels+unsafe+at+home",
			   rt_at("/peer-support/matches/%s?done=concern", m));
	assert_int_equal(count(x, &q_concerns_open, DB_ARGS(DB_TEXT(m))), 1);
	rt_browser_get_is(x->t, &x->pat_b, rt_at("/peer-support/matches/%s?done=concern", m), 200,
			  "Thank you. A coordinator has your concern and will be in touch.", NULL);
	/* Each coordinator is emailed, without the words; nobody else. */
	assert_int_equal(rt_mail_n(x->t, "cora@example.org", "peer_concern"), 1);
	assert_int_equal(rt_mail_n(x->t, "cy@example.org", "peer_concern"), 1);
	assert_int_equal(rt_mail_n(x->t, "ada@example.org", "peer_concern"), 0);
	assert_int_equal(rt_mail_n(x->t, "adi@example.org", "peer_concern"), 0);
	{
		char *mail = rt_mail_text(x->t, "cy@example.org", "peer_concern");

		assert_null(strstr(mail, "unsafe"));
		assert_null(strstr(mail, "Ada"));
		assert_non_null(strstr(mail, "/peer-support/coordinate"));
		free(mail);
	}

	/* On the coordinators' page, with a way to mark it followed up. */
	cid = count(x, &q_concern_last, DB_NOARGS);
	assert_true(cid > 0);
	rt_browser_get_is(x->t, &x->coord, "/peer-support/coordinate", 200, "Concerns to follow up",
			  "<strong>Pat Peer</strong> on 12 January 2027",
			  rt_at("href=\"/peer-support/matches/%s\">Ada Asker and Pat Peer</a>", m),
			  "She said she feels unsafe at home",
			  rt_at("action=\"/peer-support/concerns/%lld/seen\"", (long long)cid), NULL);
	/* Only a coordinator marks it. */
	rt_browser_post_is(x->t, &x->member, rt_at("/peer-support/concerns/%lld/seen", (long long)cid), NULL,
			   403, NULL);
	rt_browser_post_is(x->t, &x->pat_b, rt_at("/peer-support/concerns/%lld/seen", (long long)cid), NULL,
			   403, NULL);
	assert_int_equal(count(x, &q_concerns_open, DB_ARGS(DB_TEXT(m))), 1);
	rt_browser_post_to(x->t, &x->coord, rt_at("/peer-support/concerns/%lld/seen", (long long)cid), NULL,
			   "/peer-support/coordinate?done=seen");
	assert_int_equal(count(x, &q_concerns_open, DB_ARGS(DB_TEXT(m))), 0);
	assert_int_equal(rt_audit_n(x->t, "peer.concern.seen"), 1);
	rt_browser_get_is(x->t, &x->coord, "/peer-support/coordinate?done=seen", 200,
			  "The concern is marked as seen.", NULL);
	get_without(x, &x->coord, "/peer-support/coordinate", 200, "She said she feels unsafe at home");
	get_without(x, &x->coord, "/peer-support/coordinate", 200, "Concerns to follow up");
	/* Twice: there is no open concern with that number. */
	rt_browser_post_is(x->t, &x->coord, rt_at("/peer-support/concerns/%lld/seen", (long long)cid), NULL,
			   404, "There is no open concern with this number.", NULL);

	/* A concern may be raised after the match has ended, too. */
	rt_browser_post_to(x->t, &x->ada_b, rt_at("/peer-support/matches/%s/end", m), "",
			   rt_at("/peer-support/matches/%s?done=ended", m));
	rt_browser_post_to(x->t, &x->ada_b, concern, "body=I+did+not+feel+listened+to",
			   rt_at("/peer-support/matches/%s?done=concern", m));
	assert_int_equal(count(x, &q_concerns_open, DB_ARGS(DB_TEXT(m))), 1);
	assert_int_equal(rt_mail_n(x->t, "cora@example.org", "peer_concern"), 2);
}

/* ---------------------------------------------------------------- a peer's own page */

static void away_and_back(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char req[37], m[37], m2[37];

	/* Someone who has not applied is sent to apply. */
	rt_browser_get(x->t, &x->member, "/peer-support/mine", &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(rt_header(&r, "Location"), "/peer-support/volunteer");
	rt_resp_free(&r);
	rt_browser_post_is(x->t, &x->member, "/peer-support/mine/back", NULL, 409,
			   "Only an approved peer supporter can start again.", NULL);
	rt_browser_post_is(x->t, &x->member, "/peer-support/mine/away", FUTURE("until"), 409,
			   "Only an approved peer supporter can pause their offers.", NULL);

	offered(x, req, m);
	/* Away until a day that has passed, or today: 422, nothing changes. */
	rt_browser_post_is(x->t, &x->pat_b, "/peer-support/mine/away", PAST("until"), 422,
			   "href=\"#until\">The day must be after today, and within a year", NULL);
	rt_browser_post_is(x->t, &x->pat_b, "/peer-support/mine/away", TODAY("until"), 422,
			   "href=\"#until\">The day must be after today", NULL);
	rt_browser_post_is(x->t, &x->pat_b, "/peer-support/mine/away",
			   "until-day=12&until-month=1&until-year=2029", 422, "href=\"#until\">", NULL);
	rt_browser_post_is(x->t, &x->pat_b, "/peer-support/mine/away", "", 422,
			   "href=\"#until\">Enter the last day you are away", NULL);
	assert_int_equal(peer_is(x, x->pat, "approved"), 1);
	assert_int_equal(match_is(x, m, "offered"), 1);

	/* Away until the 20th: paused, and the offer goes back to the pool. */
	rt_browser_post_to(x->t, &x->pat_b, "/peer-support/mine/away", FUTURE("until"),
			   "/peer-support/mine?done=away");
	assert_int_equal(peer_is(x, x->pat, "paused"), 1);
	assert_int_equal(count(x, &q_paused_why, DB_ARGS(DB_INT(x->pat), DB_TEXT("self"))), 1);
	assert_int_equal(match_is(x, m, "withdrawn"), 1);
	assert_int_equal(request_is(x, req, "waiting"), 1);
	rt_browser_get_is(x->t, &x->pat_b, "/peer-support/mine?done=away", 200,
			  "You are away. You will get no new offers until you are back.",
			  "You are away until ", "I am ready for offers again", NULL);
	get_without(x, &x->pat_b, "/peer-support/mine", 200, "Going away?");
	/* The withdrawn offer is closed to Pat, and hidden from Ada. */
	rt_browser_get_is(x->t, &x->pat_b, rt_at("/peer-support/matches/%s", m), 200,
			  "This offer is no longer open", NULL);
	rt_browser_post_is(x->t, &x->pat_b, rt_at("/peer-support/matches/%s/answer", m), "answer=yes", 409,
			   NULL);
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/peer-support/matches/%s", m), 404, NULL);
	/* While away, matching offers her to nobody. */
	rt_browser_post_to(x->t, &x->coord, "/peer-support/coordinate/run", NULL,
			   "/peer-support/coordinate?done=run&offered=0");
	assert_int_equal(count(x, &q_matches_of_peer, DB_ARGS(DB_INT(x->pat))), 1);

	/* Back: offers again, and the next run offers Ada to Pat anew. */
	rt_browser_post_to(x->t, &x->pat_b, "/peer-support/mine/back", NULL,
			   "/peer-support/mine?done=back");
	assert_int_equal(peer_is(x, x->pat, "approved"), 1);
	rt_browser_get_is(x->t, &x->pat_b, "/peer-support/mine?done=back", 200,
			  "Welcome back. You can be offered people again.", "Going away?", NULL);
	rt_browser_post_to(x->t, &x->coord, "/peer-support/coordinate/run", NULL,
			   "/peer-support/coordinate?done=run&offered=1");
	match_of(x, req, "offered", m2);
	assert_string_not_equal(m, m2);
	assert_int_equal(rt_mail_n(x->t, "pat@example.org", "peer_offer"), 2);

	/* Paused by a coordinator: they cannot come back by themselves. */
	decide_as(x, &x->coord, x->pat, "pause");
	assert_int_equal(count(x, &q_paused_why, DB_ARGS(DB_INT(x->pat), DB_TEXT("coordinator"))), 1);
	assert_int_equal(match_is(x, m2, "withdrawn"), 1);
	rt_browser_post_is(x->t, &x->pat_b, "/peer-support/mine/back", NULL, 409,
			   "The coordinators have paused your offers.", NULL);
	assert_int_equal(peer_is(x, x->pat, "paused"), 1);
	rt_browser_get_is(x->t, &x->pat_b, "/peer-support/mine", 200,
			  "The coordinators have paused your offers.", NULL);
	/* No button that could only fail. */
	get_without(x, &x->pat_b, "/peer-support/mine", 200, "I am ready for offers again");
}

/* ---------------------------------------------------------------- coordinators */

static void a_paused_peer_is_never_offered(void **state)
{
	struct fx *x = *state;
	char req[37], m[37];

	make_peer(x, &x->pat_b, x->pat, APPLY_FORM);
	decide_as(x, &x->coord, x->pat, "pause");
	assert_int_equal(peer_is(x, x->pat, "paused"), 1);
	rt_browser_get_is(x->t, &x->coord, rt_at("/peer-support/peers/%lld?done=pause", (long long)x->pat), 200,
			  "The peer supporter is paused.", NULL);
	/* Pausing twice makes no sense. */
	rt_browser_post_is(x->t, &x->coord, rt_at("/peer-support/peers/%lld/decide", (long long)x->pat),
			   "decision=pause", 409, "paused by the coordinators already", NULL);

	ask_as(x, &x->ada_b, ASK_FORM, req);
	assert_int_equal(request_is(x, req, "waiting"), 1);
	assert_int_equal(count(x, &q_matches_of_peer, DB_ARGS(DB_INT(x->pat))), 0);
	assert_int_equal(rt_mail_n(x->t, "pat@example.org", "peer_offer"), 0);
	rt_browser_post_to(x->t, &x->coord, "/peer-support/coordinate/run", NULL,
			   "/peer-support/coordinate?done=run&offered=0");
	assert_int_equal(count(x, &q_matches_of_peer, DB_ARGS(DB_INT(x->pat))), 0);
	rt_browser_get_is(x->t, &x->coord, "/peer-support/coordinate", 200,
			  "Nobody fits: No peer supporter is free to take someone new.", NULL);

	/* Approved again: the next run offers her. */
	decide_as(x, &x->coord, x->pat, "approve");
	rt_browser_post_to(x->t, &x->coord, "/peer-support/coordinate/run", NULL,
			   "/peer-support/coordinate?done=run&offered=1");
	match_of(x, req, "offered", m);

	/* Stood down: the offer goes back, the role goes, and they cannot
	 * apply again by themselves. */
	decide_as(x, &x->coord, x->pat, "stand_down");
	rt_sign_in(x->t, x->pat, &x->pat_b);
	assert_int_equal(peer_is(x, x->pat, "stood_down"), 1);
	assert_int_equal(match_is(x, m, "withdrawn"), 1);
	assert_int_equal(request_is(x, req, "waiting"), 1);
	assert_int_equal(count(x, &q_role, DB_ARGS(DB_INT(x->pat))), 0);
	rt_browser_get_is(x->t, &x->pat_b, "/peer-support/volunteer", 409, "You have stood down", NULL);
	rt_browser_post_is(x->t, &x->pat_b, "/peer-support/volunteer", APPLY_FORM, 409,
			   "You have stood down", NULL);
	rt_browser_post_is(x->t, &x->coord, rt_at("/peer-support/peers/%lld/checks", (long long)x->pat),
			   "kind=identity&" PAST("done_on"), 409, "Approve them again before recording", NULL);
	rt_browser_post_to(x->t, &x->coord, "/peer-support/coordinate/run", NULL,
			   "/peer-support/coordinate?done=run&offered=0");
	assert_int_equal(count(x, &q_matches_of_peer, DB_ARGS(DB_INT(x->pat))), 1);
	/* Only a coordinator brings them back: approving again restores
	 * the role. */
	decide_as(x, &x->coord, x->pat, "approve");
	assert_int_equal(peer_is(x, x->pat, "approved"), 1);
	assert_int_equal(count(x, &q_role, DB_ARGS(DB_INT(x->pat))), 1);
}

static void coordinators_see_why_nobody_fits(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	char req[37];

	rt_browser_get_is(x->t, &x->coord, "/peer-support/coordinate", 200, "Nobody is waiting.",
			  "Nobody has applied yet.", "Match everyone waiting now", NULL);
	/* Pat speaks English; Ada asks for someone who speaks Polish. */
	make_peer(x, &x->pat_b, x->pat, APPLY_FORM);
	ask_as(x, &x->ada_b, ASK_FORM "&language=pl", req);
	assert_int_equal(request_is(x, req, "waiting"), 1);
	assert_int_equal(count(x, &q_matches_of_peer, DB_ARGS(DB_INT(x->pat))), 0);
	rt_browser_get(x->t, &x->coord, "/peer-support/coordinate", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, rt_at("href=\"/peer-support/requests/%s\">Ada Asker</a>", req)));
	assert_true(rt_has(&r, "Asked today"));
	assert_true(rt_has(&r, "; in Polish"));
	assert_true(rt_has(&r, "Nobody fits: No peer supporter who is free speaks Polish."));
	assert_true(rt_has(&r, rt_at("href=\"/peer-support/peers/%lld\">Pat Peer</a>", (long long)x->pat)));
	assert_true(rt_has(&r, "0 of 2"));
	assert_false(rt_has(&r, ABOUT_WORDS));
	rt_resp_free(&r);
	/* Ada is told only that we are looking. */
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/peer-support/requests/%s", req), 200,
			  "We are finding someone for you.", ">Polish</dd>", NULL);
	get_without(x, &x->ada_b, rt_at("/peer-support/requests/%s", req), 200, "speaks Polish");
	/* A coordinator may read the request (audited). */
	rt_browser_get_is(x->t, &x->coord, rt_at("/peer-support/requests/%s", req), 200, ABOUT_WORDS, NULL);
	assert_int_equal(count(x, &q_reads_by, DB_ARGS(DB_TEXT("peer_request.read"), DB_INT(x->cora))), 1);
	assert_int_equal(count(x, &q_reads_by, DB_ARGS(DB_TEXT("peer_request.read"), DB_INT(x->ada))), 0);

	/* Pat learns Polish: "match now" offers her. */
	rt_browser_post_to(x->t, &x->pat_b, "/peer-support/volunteer",
			   "conditions=copd&languages=en&languages=pl&ways=phone&ways=message&capacity=2"
			   "&intro=Hello&consent=yes", "/peer-support/mine?done=saved");
	rt_browser_post_to(x->t, &x->coord, "/peer-support/coordinate/run", NULL,
			   "/peer-support/coordinate?done=run&offered=1");
	assert_int_equal(request_is(x, req, "offered"), 1);
	assert_int_equal(count(x, &q_matches_of_peer, DB_ARGS(DB_INT(x->pat))), 1);
	get_without(x, &x->coord, "/peer-support/coordinate", 200, "Nobody fits");
	rt_browser_get_is(x->t, &x->coord, "/peer-support/coordinate", 200,
			  "Offered to Pat Peer, answer by 19 January 2027", NULL);
}

static void withdrawing_a_request(void **state)
{
	struct fx *x = *state;
	char req[37], m[37];
	char withdraw[96];

	offered(x, req, m);
	snprintf(withdraw, sizeof(withdraw), "/peer-support/requests/%s/withdraw", req);
	/* Not someone else's to withdraw. */
	rt_browser_post_is(x->t, &x->member, withdraw, NULL, 404, NULL);
	rt_browser_post_is(x->t, &x->pat_b, withdraw, NULL, 404, NULL);
	assert_int_equal(request_is(x, req, "offered"), 1);

	rt_browser_post_to(x->t, &x->ada_b, withdraw, NULL,
			   rt_at("/peer-support/requests/%s?done=withdrawn", req));
	assert_int_equal(request_is(x, req, "withdrawn"), 1);
	assert_int_equal(match_is(x, m, "withdrawn"), 1);
	assert_int_equal(rt_audit_about(x->t, "peer.request.withdrawn", x->ada), 1);
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/peer-support/requests/%s?done=withdrawn", req), 200,
			  "Your request is withdrawn.", ">Withdrawn</strong>", "This request was withdrawn.",
			  NULL);
	get_without(x, &x->ada_b, rt_at("/peer-support/requests/%s", req), 200, "Withdraw my request");
	/* The offer is closed to Pat. */
	rt_browser_get_is(x->t, &x->pat_b, rt_at("/peer-support/matches/%s", m), 200,
			  "This offer is no longer open", NULL);
	rt_browser_post_is(x->t, &x->pat_b, rt_at("/peer-support/matches/%s/answer", m), "answer=yes", 409,
			   NULL);
	/* Twice: 409 with words. */
	rt_browser_post_is(x->t, &x->ada_b, withdraw, NULL, 409, "This request cannot be withdrawn now",
			   NULL);
	/* She may ask again. */
	{
		char again[37];

		ask_as(x, &x->ada_b, ASK_FORM, again);
		assert_string_not_equal(again, req);
	}
	/* A coordinator may withdraw someone's request that is waiting (a
	 * matched one is ended instead: every_route_as_everyone). */
	{
		char other[37];
		int64_t bo = rt_person(x->t, "Bo Second", "bo@example.org", NULL, MEMBER, NULL);
		struct rt_browser bob;

		rt_sign_in(x->t, bo, &bob);
		ask_as(x, &bob, ASK_FORM "&language=pl", other);
		assert_int_equal(request_is(x, other, "waiting"), 1);
		rt_browser_post_to(x->t, &x->coord, rt_at("/peer-support/requests/%s/withdraw", other), NULL,
				   rt_at("/peer-support/requests/%s?done=withdrawn", other));
		assert_int_equal(request_is(x, other, "withdrawn"), 1);
		assert_int_equal(rt_audit_about(x->t, "peer.request.withdrawn", bo), 1);
	}
}

/* ---------------------------------------------------------------- who may, and how they are refused */

enum pw_actor {
	PW_VISITOR, PW_UNCONFIRMED, PW_MEMBER, PW_OTHER_PEER, PW_ORGANISER, PW_LINK_WORKER,
	PW_COORDINATOR, PW_COMMISSIONER, PW_ADMIN, PW_PERSON, PW_PEER, PW__MAX
};

static const char *const pw_names[PW__MAX] = {
	"visitor", "member with no confirmed email", "member", "another peer supporter", "organiser",
	"link worker", "coordinator", "commissioner", "admin", "the person", "their peer supporter",
};

#define L 1      /* a visitor sent to sign in: 303 to /login */
#define NA 0     /* not asked (it would change what the walk stands on) */

/* Every peer route with {req} (Ada's request), {m} (the match between her
 * and Pat) and {pat} (Pat's number) filled in, and what each actor must be
 * answered. POST bodies come with a valid form token and are chosen to
 * change nothing: a form with something missing (422 for whoever may use
 * it), an answer to an offer that is no longer open, a decision already
 * made (409). 404 where the record is not the actor's to know of; 403
 * where the page is not for their role at all; unconfirmed email
 * addresses may not ask or apply (403). */
struct walk_row {
	const char *method, *path, *body;
	int want[PW__MAX];
};

/* While Pat has been offered Ada and has not answered. */
static const struct walk_row offered_walk[] = {
	{ "GET", "/peer-support/matches/{m}", NULL,
	  { L, 404, 404, 404, 404, 404, 200, 404, 404, 404, 200 } },
	{ "POST", "/peer-support/matches/{m}/answer", "answer=no",
	  { L, 404, 404, 404, 404, 404, 404, 404, 404, 404, NA } },
	{ "POST", "/peer-support/matches/{m}/messages", "body=Hello",
	  { L, 404, 404, 404, 404, 404, 404, 404, 404, 404, 409 } },
	{ "POST", "/peer-support/matches/{m}/share", "share=yes",
	  { L, 404, 404, 404, 404, 404, 404, 404, 404, 404, 409 } },
	{ "POST", "/peer-support/matches/{m}/contacts", TODAY("happened_on") "&way=phone&minutes=10",
	  { L, 404, 404, 404, 404, 404, 404, 404, 404, 404, 409 } },
	{ "GET", "/peer-support/matches/{m}/end", NULL,
	  { L, 404, 404, 404, 404, 404, 404, 404, 404, 404, 409 } },
	{ "POST", "/peer-support/matches/{m}/end", "helpful=2",
	  { L, 404, 404, 404, 404, 404, 404, 404, 404, 404, 409 } },
	{ "POST", "/peer-support/matches/{m}/concern", "body=Worried",
	  { L, 404, 404, 404, 404, 404, 404, 404, 404, 404, 409 } },
	{ "GET", "/peer-support/requests/{req}", NULL,
	  { L, 404, 404, 404, 404, 404, 200, 404, 404, 200, 404 } },
	{ "POST", "/peer-support/requests/{req}/withdraw", NULL,
	  { L, 404, 404, 404, 404, 404, NA, 404, 404, NA, 404 } },
};

/* Once Pat has said yes. */
static const struct walk_row matched_walk[] = {
	{ "GET", "/peer-support", NULL,
	  { 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200 } },
	{ "GET", "/peer-support/ask", NULL,   /* the person is shown their open request */
	  { L, 403, 200, 200, 200, 200, 200, 200, 200, 303, 200 } },
	{ "POST", "/peer-support/ask", NULL,
	  { L, 403, 422, 422, 422, 422, 422, 422, 422, 422, 422 } },
	{ "GET", "/peer-support/requests/{req}", NULL,
	  { L, 404, 404, 404, 404, 404, 200, 404, 404, 200, 404 } },
	{ "POST", "/peer-support/requests/{req}/withdraw", NULL,
	  { L, 404, 404, 404, 404, 404, 409, 404, 404, 409, 404 } },
	{ "GET", "/peer-support/volunteer", NULL,
	  { L, 403, 200, 200, 200, 200, 200, 200, 200, 200, 200 } },
	{ "POST", "/peer-support/volunteer", NULL,
	  { L, 403, 422, 422, 422, 422, 422, 422, 422, 422, 422 } },
	/* Not a peer supporter: sent to apply. */
	{ "GET", "/peer-support/mine", NULL,
	  { L, 403, 303, 200, 303, 303, 303, 303, 303, 303, 200 } },
	{ "POST", "/peer-support/mine/away", NULL,
	  { L, 403, 303, 422, 303, 303, 303, 303, 303, 303, 422 } },
	/* Back when not away changes nothing. */
	{ "POST", "/peer-support/mine/back", NULL,
	  { L, 403, 409, 303, 409, 409, 409, 409, 409, 409, 303 } },
	{ "GET", "/peer-support/matches/{m}", NULL,
	  { L, 404, 404, 404, 404, 404, 200, 404, 404, 200, 200 } },
	{ "POST", "/peer-support/matches/{m}/answer", "answer=no",
	  { L, 404, 404, 404, 404, 404, 404, 404, 404, 404, 409 } },
	{ "POST", "/peer-support/matches/{m}/messages", "body=",
	  { L, 404, 404, 404, 404, 404, 404, 404, 404, 422, 422 } },
	/* Not sharing already: nothing changes. */
	{ "POST", "/peer-support/matches/{m}/share", "share=no",
	  { L, 404, 404, 404, 404, 404, 404, 404, 404, 303, 303 } },
	{ "POST", "/peer-support/matches/{m}/contacts", TODAY("happened_on") "&way=phone&minutes=0",
	  { L, 404, 404, 404, 404, 404, 404, 404, 404, 404, 422 } },
	{ "GET", "/peer-support/matches/{m}/end", NULL,
	  { L, 404, 404, 404, 404, 404, 404, 404, 404, 200, 200 } },
	{ "POST", "/peer-support/matches/{m}/end", "helpful=9",
	  { L, 404, 404, 404, 404, 404, 404, 404, 404, 422, 422 } },
	{ "GET", "/peer-support/matches/{m}/concern", NULL,
	  { L, 404, 404, 404, 404, 404, 404, 404, 404, 200, 200 } },
	{ "POST", "/peer-support/matches/{m}/concern", "body=",
	  { L, 404, 404, 404, 404, 404, 404, 404, 404, 422, 422 } },
	{ "GET", "/peer-support/coordinate", NULL,
	  { L, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403 } },
	/* Nobody waiting: nothing offered. */
	{ "POST", "/peer-support/coordinate/run", NULL,
	  { L, 403, 403, 403, 403, 403, 303, 403, 403, 403, 403 } },
	{ "POST", "/peer-support/concerns/999999/seen", NULL,
	  { L, 403, 403, 403, 403, 403, 404, 403, 403, 403, 403 } },
	{ "GET", "/peer-support/peers/{pat}", NULL,
	  { L, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403 } },
	{ "POST", "/peer-support/peers/{pat}/checks", NULL,
	  { L, 403, 403, 403, 403, 403, 422, 403, 403, 403, 403 } },
	{ "POST", "/peer-support/peers/{pat}/decide", "decision=approve",
	  { L, 403, 403, 403, 403, 403, 409, 403, 403, 403, 403 } },
};

/* pattern with {req}, {m} and {pat} filled in. */
static void fill(const char *pattern, const char *req, const char *m, int64_t pat, char *out, size_t n)
{
	size_t o = 0;

	for (const char *p = pattern; *p && o + 40 < n;) {
		if (strncmp(p, "{req}", 5) == 0) {
			o += (size_t)snprintf(out + o, n - o, "%s", req);
			p += 5;
		} else if (strncmp(p, "{m}", 3) == 0) {
			o += (size_t)snprintf(out + o, n - o, "%s", m);
			p += 3;
		} else if (strncmp(p, "{pat}", 5) == 0) {
			o += (size_t)snprintf(out + o, n - o, "%lld", (long long)pat);
			p += 5;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
}

/* Walks rows as every actor; returns the number of wrong answers (each
 * printed). */
static int walk(struct fx *x, struct rt_browser *b[PW__MAX], const struct walk_row *rows, size_t n,
		const char *req, const char *m)
{
	int wrong = 0;

	for (size_t i = 0; i < n; i++) {
		char path[256];

		fill(rows[i].path, req, m, x->pat, path, sizeof(path));
		for (int a = 0; a < PW__MAX; a++) {
			struct rt_resp r;
			int want = rows[i].want[a], got;

			if (want == NA)
				continue;
			if (!rt_walk_step(x->t, b[a], rows[i].method, rows[i].path, path, rows[i].body, want, pw_names[a], &r,
					  &got))
				wrong++;
			/* A refusal says nothing of the person or the match (Ada's
			 * own pages carry her name). */
			if ((got == 404 || got == 403) && a != PW_PERSON &&
			    (rt_has(&r, "Ada") || rt_has(&r, ABOUT_WORDS))) {
				print_error("%s %s as %s: the refusal names Ada\n", rows[i].method, rows[i].path,
					    pw_names[a]);
				wrong++;
			}
			rt_resp_free(&r);
		}
	}
	return wrong;
}

static void every_route_as_everyone(void **state)
{
	struct fx *x = *state;
	struct rt_browser visitor = { 0 };
	struct rt_browser *b[PW__MAX] = {
		[PW_VISITOR] = &visitor, [PW_UNCONFIRMED] = &x->una_b, [PW_MEMBER] = &x->member,
		[PW_OTHER_PEER] = &x->pia_b, [PW_ORGANISER] = &x->own, [PW_LINK_WORKER] = &x->link,
		[PW_COORDINATOR] = &x->coord, [PW_COMMISSIONER] = &x->comm, [PW_ADMIN] = &x->adi_b,
		[PW_PERSON] = &x->ada_b, [PW_PEER] = &x->pat_b,
	};
	char req[37], m[37];
	int wrong;

	offered(x, req, m);
	/* Pia is a peer supporter too, approved after Ada was offered to Pat. */
	make_peer(x, &x->pia_b, x->pia, APPLY_FORM);
	wrong = walk(x, b, offered_walk, ARRAY_LEN(offered_walk), req, m);
	assert_int_equal(match_is(x, m, "offered"), 1);
	assert_int_equal(request_is(x, req, "offered"), 1);

	rt_browser_post_to(x->t, &x->pat_b, rt_at("/peer-support/matches/%s/answer", m), "answer=yes",
			   rt_at("/peer-support/matches/%s?done=accepted", m));
	wrong += walk(x, b, matched_walk, ARRAY_LEN(matched_walk), req, m);
	/* The walk changed nothing. */
	assert_int_equal(match_is(x, m, "accepted"), 1);
	assert_int_equal(request_is(x, req, "matched"), 1);
	assert_int_equal(count(x, &q_requests, DB_NOARGS), 1);
	assert_int_equal(count(x, &q_messages, DB_ARGS(DB_TEXT(m))), 0);
	assert_int_equal(count(x, &q_contacts, DB_ARGS(DB_TEXT(m))), 0);
	assert_int_equal(count(x, &q_concerns_open, DB_ARGS(DB_TEXT(m))), 0);
	assert_int_equal(count(x, &q_shares, DB_ARGS(DB_TEXT(m), DB_INT(0), DB_INT(0))), 1);
	assert_int_equal(peer_is(x, x->pat, "approved"), 1);
	assert_int_equal(peer_is(x, x->pia, "approved"), 1);
	assert_int_equal(count(x, &q_matches_of_peer, DB_ARGS(DB_INT(x->pia))), 0);
	print_message("walked %zu peer route x actor pairs\n",
		      (ARRAY_LEN(offered_walk) + ARRAY_LEN(matched_walk)) * PW__MAX);
	assert_int_equal(wrong, 0);
}

#undef L
#undef NA

/* Visitors are asked to sign in and come back to the page; a form they
 * post is not kept. */
static void visitors_are_asked_to_sign_in(void **state)
{
	struct fx *x = *state;
	static const struct {
		const char *path, *login;
	} pages[] = {
		{ "/peer-support/ask", "/login?next=%2Fpeer-support%2Fask" },
		{ "/peer-support/volunteer", "/login?next=%2Fpeer-support%2Fvolunteer" },
		{ "/peer-support/mine", "/login?next=%2Fpeer-support%2Fmine" },
		{ "/peer-support/coordinate", "/login?next=%2Fpeer-support%2Fcoordinate" },
	};
	struct rt_resp r;

	for (size_t i = 0; i < ARRAY_LEN(pages); i++) {
		rt_get(x->t, pages[i].path, &r);
		assert_int_equal(r.status, 303);
		assert_string_equal(rt_header(&r, "Location"), pages[i].login);
		rt_resp_free(&r);
	}
	rt_post(x->t, "/peer-support/ask", "application/x-www-form-urlencoded", ASK_FORM, &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(rt_header(&r, "Location"), "/login");
	rt_resp_free(&r);
	assert_int_equal(count(x, &q_requests, DB_NOARGS), 0);
}

/* Asking and applying send email at every step after, so they need a
 * confirmed address. */
static void unconfirmed_email_may_not_ask_or_apply(void **state)
{
	struct fx *x = *state;

	rt_browser_get_is(x->t, &x->una_b, "/peer-support", 200, NULL);
	rt_browser_get_is(x->t, &x->una_b, "/peer-support/ask", 403, "Confirm your email address first", NULL);
	rt_browser_post_is(x->t, &x->una_b, "/peer-support/ask", ASK_FORM, 403, NULL);
	rt_browser_get_is(x->t, &x->una_b, "/peer-support/volunteer", 403, NULL);
	rt_browser_post_is(x->t, &x->una_b, "/peer-support/volunteer", APPLY_FORM, 403, NULL);
	assert_int_equal(count(x, &q_requests, DB_NOARGS), 0);
	assert_int_equal(peer_is(x, x->una, "applied"), 0);
	/* Confirmed: both are open to them. */
	assert_int_equal(person_mark_verified(rt_db(x->t), x->una, "una@example.org", NOW), ERR_OK);
	rt_browser_get_is(x->t, &x->una_b, "/peer-support/ask", 200, NULL);
	rt_browser_post_to(x->t, &x->una_b, "/peer-support/volunteer", APPLY_FORM,
			   "/peer-support/mine?done=saved");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(home_for_visitors_and_people),
		T(ask_form_its_errors_and_a_second_ask),
		T(asking_for_someone_else),
		T(applying_checks_and_approval),
		T(an_offer_shows_the_peer_little_and_the_person_nothing),
		T(yes_makes_a_match),
		T(no_sends_it_back_but_not_to_them),
		T(messages_between_the_pair_only),
		T(contact_details_when_both_share),
		T(the_peer_logs_contacts),
		T(ending_with_feedback),
		T(concerns_go_to_every_coordinator),
		T(away_and_back),
		T(a_paused_peer_is_never_offered),
		T(coordinators_see_why_nobody_fits),
		T(withdrawing_a_request),
		T(every_route_as_everyone),
		T(visitors_are_asked_to_sign_in),
		T(unconfirmed_email_may_not_ask_or_apply),
	};
#undef T

	return testdb_run_groups("peer support pages", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
