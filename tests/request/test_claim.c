/*
 * test_claim.c - organisations with nobody on kith, on both backends
 * (directory/claim.h): a referral to one sends no "sign in to see it"
 * email to nobody, puts it on the coordinators' list to bring on and sends
 * its contact address one claim link (and no more while it works); the
 * referrer and a person referring themself are told; coordinators alone
 * see the list, record an address the directory lacks and send a new link;
 * the link's page, claiming it (the account becomes the organisation's
 * organiser, stays signed in, and sees the referrals waiting), and a link
 * that is used, expired, cancelled or taken by someone who is already
 * another organisation's organiser.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "app/features.h"
#include "auth/onetime.h"
#include "auth/person.h"
#include "core/demo.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "directory/directory.h"
#include "org/org.h"
#include "referral/referral.h"
#include "store/store.h"
#include "support/cast.h"
#include "support/reqtest.h"

#define T0 INT64_C(1800000000)
#define DAY INT64_C(86400)
#define ORG_C "c0000000-0000-4000-8000-00000000000c"    /* nobody on kith; has an address */
#define ORG_D "d0000000-0000-4000-8000-00000000000d"    /* nobody on kith; no address */
#define CAFE_MAIL "hello@lunch.example.org"

static const struct sql q_org_email = { "tc.org_email",
	"UPDATE organisation SET email = $2 WHERE id = $1", NULL };
static const struct sql q_row = { "tc.row",
	"SELECT count(*) FROM org_bring_on WHERE org_id = $1 AND state = $2 AND waiting = $3", NULL };
static const struct sql q_organiser = { "tc.organiser",
	"SELECT count(*) FROM person_role WHERE person_id = $1 AND role = 'organiser' "
	"AND org_id = $2", NULL };
static const struct sql q_links = { "tc.links",
	"SELECT count(*) FROM onetime WHERE org_id = $1 AND used_at IS NULL", NULL };
static const struct sql q_hashed = { "tc.hashed",
	"SELECT count(*) FROM onetime WHERE token_hash = $1", NULL };

/* The person a link worker refers, as the form sends them: %s is their
 * first name (each referral to one place needs someone new). */
#define PERSON_FORM \
	"target.type=service&person.name=%s+Lovelace&person.contact_by=email" \
	"&person.email=%s%%40example.org&needs=loneliness&reason=She+would+like+company" \
	"&consent.share=yes&consent.contact=yes&consent.outcome=yes&consent.method=verbal"

struct fx {
	struct rt *t;
	RT_CAST_MEMBERS;        /* olu, bea, lin, cora, tom, mo; own, other, link, coord, comm, member */
	char walk[37], lunch[37], quiet[37];
	int64_t admin;
	struct rt_browser admin_b;
};

static int setup_with(void **state, const char *const *settings)
{
	struct fx *x;

	time_set_fake(T0);
	if (!(x = rt_fixture(state, sizeof(*x), settings)))
		return -1;
	rt_cast(x->t, &x->cast, RT_CAST_EVERYONE | RT_CAST_BROWSERS);
	assert_int_equal(org_create(rt_db(x->t), ORG_C, "Brigg Lunch Club", T0), ERR_OK);
	assert_int_equal(org_create(rt_db(x->t), ORG_D, "Quiet Hour Group", T0), ERR_OK);
	rt_service(x->t, RT_ORG_A, "Tuesday Health Walk", SVC_PUBLISHED, x->walk);
	rt_service(x->t, ORG_C, "Friday Lunch", SVC_PUBLISHED, x->lunch);
	rt_service(x->t, ORG_D, "Quiet Hour", SVC_PUBLISHED, x->quiet);
	/* After the services: saving one writes its organisation. */
	assert_int_equal(db_exec(rt_db(x->t), &q_org_email, DB_ARGS(DB_TEXT(ORG_C), DB_TEXT(CAFE_MAIL)),
				 NULL), ERR_OK);
	x->admin = rt_person(x->t, "Ada Admin", "admin@example.org", NULL,
			     ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_ADMIN), NULL);
	rt_sign_in(x->t, x->admin, &x->admin_b);
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, NULL);
}

/* Links that work for three days. */
static int setup_three_days(void **state)
{
	static const char *const three[] = { "rate_limit=0", "dev_mode=true", "org_claim_days=3", NULL };

	return setup_with(state, three);
}

/* ---------------------------------------------------------------- helpers */

/* The link worker refers who (a first name) to svc; the referral's id
 * into id. */
static void refer_who(struct fx *x, const char *who, const char *svc, char id[37])
{
	struct rt_resp r;
	char body[1024];
	const char *loc;

	snprintf(body, sizeof(body), "/referrals/new?service=%s", svc);
	rt_browser_get(x->t, &x->link, body, &r);
	assert_int_equal(r.status, 200);
	rt_resp_free(&r);
	snprintf(body, sizeof(body), PERSON_FORM "&target.id=%s", who, who, svc);
	rt_browser_post(x->t, &x->link, "/referrals/new", body, &r);
	assert_int_equal(r.status, 303);
	loc = rt_header(&r, "Location");
	assert_non_null(loc);
	assert_true(strncmp(loc, "/referrals/", 11) == 0);
	snprintf(id, 37, "%.36s", loc + 11);
	rt_resp_free(&r);
}

/* The same for Ada. */
static void refer(struct fx *x, const char *svc, char id[37])
{
	refer_who(x, "Ada", svc, id);
}

static int64_t row_is(struct fx *x, const char *org, const char *state, int64_t waiting)
{
	return rt_count(x->t, &q_row, DB_ARGS(DB_TEXT(org), DB_TEXT(state), DB_INT(waiting)));
}

/* The newest claim link sent to an address: a path to free. */
static char *claim_link(struct fx *x, const char *to)
{
	return rt_mail_link(x->t, to, "claim_org", "/claim/");
}

/* ---------------------------------------------------------------- a referral finds nobody */

static void referral_to_nobody_goes_on_the_list(void **state)
{
	struct fx *x = *state;
	struct rt_browser v = { 0 };
	struct rt_resp r;
	char id[37], id2[37], target[160], *mail, *link;

	refer(x, x->lunch, id);
	/* No "sign in to see it" to an address with no account ... */
	assert_int_equal(rt_mail_n(x->t, CAFE_MAIL, "referral_new"), 0);
	/* ... but the link to claim the organisation, with nothing about
	 * the person referred. */
	assert_int_equal(rt_mail_n(x->t, CAFE_MAIL, "claim_org"), 1);
	mail = rt_mail_text(x->t, CAFE_MAIL, "claim_org");
	assert_non_null(strstr(mail, "Someone has been referred to a service run by Brigg Lunch Club"));
	assert_non_null(strstr(mail, "The link works for 14 days"));
	assert_null(strstr(mail, "Ada"));
	assert_null(strstr(mail, "company"));
	assert_null(strstr(mail, "loneliness"));
	free(mail);
	/* The token is stored hashed, never as sent. */
	link = claim_link(x, CAFE_MAIL);
	assert_int_equal(rt_count(x->t, &q_hashed, DB_ARGS(DB_TEXT(link + 7))), 0);
	free(link);
	assert_int_equal(row_is(x, ORG_C, "sent", 1), 1);
	assert_int_equal(rt_audit_n(x->t, "org.claim.sent"), 1);

	/* The referrer is told, after referring and on the referral. */
	snprintf(target, sizeof(target), "/referrals/%s?done=sent", id);
	rt_browser_get_is(x->t, &x->link, target, 200, "Nobody from the organisation is on kith yet",
			  "Nobody from Brigg Lunch Club is on kith yet",
			  "a coordinator will help bring them on", NULL);
	/* ... and their caseload says so beside the referral. */
	rt_browser_get_is(x->t, &x->link, "/referrals/caseload", 200, "Not on kith yet", NULL);

	/* Someone referring themself is told the same, and a second
	 * referral sends no second email while the link works. */
	snprintf(target, sizeof(target), "/services/%s/refer-me", x->lunch);
	rt_browser_get(x->t, &v, target, &r);
	rt_resp_free(&r);
	rt_browser_post(x->t, &v, target, "person.name=Bo+Visitor&person.contact_by=phone"
			"&person.phone=07700+900123&reason=I+would+like+lunch&consent.share=yes", &r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	snprintf(target, sizeof(target), "/services/%s/refer-me?done=sent", x->lunch);
	rt_browser_get_is(x->t, &v, target, 200, "Brigg Lunch Club is not on this website yet",
			  "a coordinator will help bring them on", "The next session is on",
			  "You can just go along.", NULL);
	assert_int_equal(rt_mail_n(x->t, CAFE_MAIL, "claim_org"), 1);
	assert_int_equal(row_is(x, ORG_C, "sent", 2), 1);
	refer(x, x->quiet, id2);

	/* An organisation with people on kith: as before. */
	refer(x, x->walk, id2);
	assert_int_equal(rt_mail_n(x->t, "olu@example.org", "referral_new"), 1);
	snprintf(target, sizeof(target), "/referrals/%s?done=sent", id2);
	rt_browser_get(x->t, &x->link, target, &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "The organisation has been told"));
	assert_false(rt_has(&r, "is on kith yet"));
	rt_resp_free(&r);
	assert_int_equal(rt_count(x->t, &q_row, DB_ARGS(DB_TEXT(RT_ORG_A), DB_TEXT("waiting"),
				 DB_INT(1))), 0);

	/* The coordinators' list has both, oldest first, and says which has
	 * no address. */
	rt_browser_get_is(x->t, &x->coord, "/organisations/to-bring-on", 200,
			  "Organisations to bring on", "Brigg Lunch Club", CAFE_MAIL,
			  "2 referrals, the first on", "Sent on", "It still works.", "Send a new claim link",
			  "Quiet Hour Group", "None in the directory", "Record an address",
			  "href=\"/organisations/to-bring-on/" ORG_D "/email\"", NULL);
	rt_browser_get_is(x->t, &x->coord, "/review", 200,
			  "href=\"/organisations/to-bring-on\">Organisations to bring on</a>", NULL);
}

static void only_coordinators_see_the_list(void **state)
{
	struct fx *x = *state;
	struct rt_browser *refused[] = { &x->own, &x->link, &x->comm, &x->member, &x->admin_b };
	struct rt_resp r;
	char id[37];

	refer(x, x->lunch, id);
	for (size_t i = 0; i < ARRAY_LEN(refused); i++) {
		rt_browser_get_is(x->t, refused[i], "/organisations/to-bring-on", 403, NULL);
		rt_browser_post_is(x->t, refused[i], "/organisations/to-bring-on/" ORG_C "/send", "",
				   403, NULL);
		rt_browser_get_is(x->t, refused[i], "/organisations/to-bring-on/" ORG_D "/email", 403,
				  NULL);
		rt_browser_post_is(x->t, refused[i], "/organisations/to-bring-on/" ORG_D "/email",
				   "email=x%40example.org", 403, NULL);
	}
	rt_get(x->t, "/organisations/to-bring-on", &r);
	assert_int_equal(r.status, 303);              /* to sign in */
	rt_resp_free(&r);
	assert_int_equal(rt_mail_n(x->t, CAFE_MAIL, "claim_org"), 1);
	assert_int_equal(rt_audit_n(x->t, "org.email.changed"), 0);
}

static void coordinator_records_an_address_and_sends(void **state)
{
	struct fx *x = *state;
	int64_t before;
	char id[37], *link;

	refer(x, x->quiet, id);
	/* Nobody to send to: on the list, no email at all. */
	assert_int_equal(row_is(x, ORG_D, "waiting", 1), 1);
	assert_int_equal(rt_mail_n(x->t, CAFE_MAIL, "claim_org"), 0);
	before = rt_mail_all(x->t);
	rt_browser_post_is(x->t, &x->coord, "/organisations/to-bring-on/" ORG_D "/send", "", 409,
			   "Record its address on the list first", NULL);
	assert_int_equal(rt_mail_all(x->t), before);

	rt_browser_get_is(x->t, &x->coord, "/organisations/to-bring-on/" ORG_D "/email", 200,
			  "Email address for Quiet Hour Group", NULL);
	rt_browser_post_is(x->t, &x->coord, "/organisations/to-bring-on/" ORG_D "/email",
			   "email=not+an+address", 422, "href=\"#email\"",
			   "Enter an email address in the right format", "value=\"not an address\"",
			   NULL);
	rt_browser_post_is(x->t, &x->coord, "/organisations/to-bring-on/" ORG_D "/email", "email=",
			   422, "Enter the organisation&#39;s email address", NULL);
	assert_int_equal(rt_audit_n(x->t, "org.email.changed"), 0);
	rt_browser_post_to(x->t, &x->coord, "/organisations/to-bring-on/" ORG_D "/email",
			   "email=quiet%40example.org", "/organisations/to-bring-on?done=email-saved");
	assert_int_equal(rt_audit_n(x->t, "org.email.changed"), 1);
	/* The directory shows it too. */
	rt_browser_get_is(x->t, &x->member, "/organisations/" ORG_D, 200, "quiet@example.org", NULL);

	rt_browser_post_to(x->t, &x->coord, "/organisations/to-bring-on/" ORG_D "/send", "",
			   "/organisations/to-bring-on?done=sent");
	rt_browser_get_is(x->t, &x->coord, "/organisations/to-bring-on?done=sent", 200,
			  "The claim link is sent. It works for 14 days.", "quiet@example.org", NULL);
	assert_int_equal(rt_mail_n(x->t, "quiet@example.org", "claim_org"), 1);
	assert_int_equal(rt_audit_n(x->t, "org.claim.sent"), 1);
	link = claim_link(x, "quiet@example.org");
	rt_browser_get_is(x->t, &x->member, link, 200, "Claim Quiet Hour Group", NULL);
	free(link);

	/* Somebody on kith already: no link. */
	rt_browser_post_is(x->t, &x->coord, "/organisations/to-bring-on/" RT_ORG_A "/send", "", 409,
			   "Somebody from this organisation is on kith already", NULL);
}

/* ---------------------------------------------------------------- claiming */

static void claim_happy_path(void **state)
{
	struct fx *x = *state;
	struct rt_browser v = { 0 };
	struct rt_resp r;
	char id[37], next[160], *link, *mail;
	const char *old_session;

	refer(x, x->lunch, id);
	link = claim_link(x, CAFE_MAIL);

	/* A visitor: what claiming means, and signing in first (and back). */
	snprintf(next, sizeof(next), "href=\"/login?next=%s\"", link);
	rt_browser_get_is(x->t, &v, link, 200, "Claim Brigg Lunch Club",
			  "your account becomes the organiser for Brigg Lunch Club", next,
			  "Create an account", NULL);
	rt_browser_get(x->t, &v, link + 0, &r);
	assert_false(rt_has(&r, "<button"));
	rt_resp_free(&r);
	/* Opening it (a mail scanner does) uses nothing up. */
	assert_int_equal(rt_count(x->t, &q_links, DB_ARGS(DB_TEXT(ORG_C))), 1);
	/* Signing in with next= comes back here. */
	snprintf(next, sizeof(next), "/login?next=%s", link);
	rt_browser_get(x->t, &x->member, next, &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(rt_header(&r, "Location"), link);
	rt_resp_free(&r);

	/* Mo claims it, and is still signed in afterwards. */
	rt_browser_get_is(x->t, &x->member, link, 200, ">Claim Brigg Lunch Club</button>", NULL);
	old_session = strdup(x->member.session);
	rt_browser_post(x->t, &x->member, link, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "You are now the organiser for Brigg Lunch Club"));
	assert_true(rt_has(&r, "href=\"/referrals/inbox\""));
	rt_resp_free(&r);
	assert_true(x->member.session[0]);
	assert_string_not_equal(x->member.session, old_session);
	free((void *)old_session);
	assert_int_equal(rt_count(x->t, &q_organiser, DB_ARGS(DB_INT(x->mo), DB_TEXT(ORG_C))), 1);
	assert_int_equal(rt_audit_about(x->t, "org.claimed", x->mo), 1);
	assert_int_equal(rt_count(x->t, &q_row, DB_ARGS(DB_TEXT(ORG_C), DB_TEXT("claimed"),
				 DB_INT(1))), 1);

	/* The referral waiting is in their inbox, and the referrer no
	 * longer reads "not on kith". */
	rt_browser_get_is(x->t, &x->member, "/referrals/inbox", 200, "Ada Lovelace", NULL);
	snprintf(next, sizeof(next), "/referrals/%s", id);
	rt_browser_get(x->t, &x->link, next, &r);
	assert_int_equal(r.status, 200);
	assert_false(rt_has(&r, "is on kith yet"));
	rt_resp_free(&r);
	rt_browser_get(x->t, &x->link, "/referrals/caseload", &r);
	assert_int_equal(r.status, 200);
	assert_false(rt_has(&r, "Not on kith yet"));
	rt_resp_free(&r);
	/* Off the coordinators' list. */
	rt_browser_get(x->t, &x->coord, "/organisations/to-bring-on", &r);
	assert_false(rt_has(&r, "Brigg Lunch Club"));
	rt_resp_free(&r);

	/* Used up: the page and the button both say so, 404. */
	rt_browser_get_is(x->t, &x->member, link, 404, "This link has expired or has already been used",
			  "ask the coordinators for a new link", NULL);
	rt_browser_post_is(x->t, &x->member, link, NULL, 404, "Ask the coordinators for a new one",
			   NULL);
	assert_int_equal(rt_audit_n(x->t, "org.claimed"), 1);
	free(link);

	/* The next referral goes to the new organiser, not the address. */
	refer_who(x, "Bea", x->lunch, id);
	assert_int_equal(rt_mail_n(x->t, "mo@example.org", "referral_new"), 1);
	assert_int_equal(rt_mail_n(x->t, CAFE_MAIL, "claim_org"), 1);
	mail = rt_mail_text(x->t, "mo@example.org", "referral_new");
	assert_non_null(strstr(mail, "Hello Mo Member"));
	free(mail);
}

/* Someone with no account creates one from the claim page, comes back
 * to it signed in, and claims. */
static void new_account_comes_back_and_claims(void **state)
{
	struct fx *x = *state;
	struct rt_browser v = { 0 };
	struct rt_resp r;
	char id[37], want[200], body[512], *link;

	refer(x, x->lunch, id);
	link = claim_link(x, CAFE_MAIL);
	snprintf(want, sizeof(want), "href=\"/register?next=%s\"", link);
	rt_browser_get_is(x->t, &v, link, 200, want, NULL);
	snprintf(want, sizeof(want), "/register?next=%s", link);
	rt_browser_get_is(x->t, &v, want, 200, "name=\"next\" value=\"/claim/", NULL);
	snprintf(body, sizeof(body), "name=Lena+Lunch&email=lena%%40lunch.example.org"
		 "&password=walnut-harbour-ribbon&next=%s", link);
	rt_browser_post(x->t, &v, "/register", body, &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(rt_header(&r, "Location"), link);
	rt_resp_free(&r);
	rt_browser_get_is(x->t, &v, link, 200, ">Claim Brigg Lunch Club</button>", NULL);
	rt_browser_post_is(x->t, &v, link, NULL, 200, "You are now the organiser for Brigg Lunch Club",
			   NULL);
	rt_browser_get_is(x->t, &v, "/referrals/inbox", 200, "Ada Lovelace", NULL);
	free(link);

	/* next= must be a page of ours: anywhere else, the account page. */
	memset(&v, 0, sizeof(v));
	rt_browser_get(x->t, &v, "/register?next=//evil.example.org/", &r);
	assert_false(rt_has(&r, "evil.example.org"));
	rt_resp_free(&r);
	rt_browser_post(x->t, &v, "/register", "name=Ned+Next&email=ned%40example.org"
			"&password=walnut-harbour-ribbon"
			"&next=%2F%2Fevil.example.org%2F", &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(rt_header(&r, "Location"), "/account?done=registered");
	rt_resp_free(&r);
}

static void expired_and_cancelled_links(void **state)
{
	struct fx *x = *state;
	char id[37], *first, *second, *third;

	refer(x, x->lunch, id);
	first = claim_link(x, CAFE_MAIL);
	/* A coordinator's new link stops the old one working. */
	rt_browser_post_to(x->t, &x->coord, "/organisations/to-bring-on/" ORG_C "/send", "",
			   "/organisations/to-bring-on?done=sent");
	assert_int_equal(rt_mail_n(x->t, CAFE_MAIL, "claim_org"), 2);
	second = claim_link(x, CAFE_MAIL);
	assert_string_not_equal(first, second);
	rt_browser_get_is(x->t, &x->member, first, 404, "This link has expired", NULL);
	rt_browser_post_is(x->t, &x->member, first, NULL, 404, NULL);
	assert_int_equal(rt_count(x->t, &q_links, DB_ARGS(DB_TEXT(ORG_C))), 1);

	/* 14 days on, the link has run out (sign in again: the test's
	 * sessions last an hour). */
	time_set_fake(T0 + 14 * DAY + 1);
	rt_sign_in(x->t, x->mo, &x->member);
	rt_sign_in(x->t, x->cora, &x->coord);
	rt_sign_in(x->t, x->lin, &x->link);
	rt_browser_get_is(x->t, &x->member, second, 404, "This link has expired", NULL);
	rt_browser_post_is(x->t, &x->member, second, NULL, 404, NULL);
	assert_int_equal(rt_count(x->t, &q_organiser, DB_ARGS(DB_INT(x->mo), DB_TEXT(ORG_C))), 0);
	rt_browser_get_is(x->t, &x->coord, "/organisations/to-bring-on", 200, "It has run out.", NULL);

	/* A referral now, with no live link, sends a fresh one. */
	refer_who(x, "Cy", x->lunch, id);
	assert_int_equal(rt_mail_n(x->t, CAFE_MAIL, "claim_org"), 3);
	third = claim_link(x, CAFE_MAIL);
	rt_browser_post_is(x->t, &x->member, third, NULL, 200, "You are now the organiser", NULL);
	free(first);
	free(second);
	free(third);
}

/* org_claim_days reaches every link: the one a referral sends and the one
 * a coordinator sends, their emails and the list's words. */
static void the_setting_sets_how_long_links_work(void **state)
{
	struct fx *x = *state;
	char id[37], *mail, *first, *second;

	refer(x, x->lunch, id);
	mail = rt_mail_text(x->t, CAFE_MAIL, "claim_org");
	assert_non_null(strstr(mail, "The link works for 3 days"));
	free(mail);
	first = claim_link(x, CAFE_MAIL);
	rt_browser_get_is(x->t, &x->coord, "/organisations/to-bring-on", 200, "3 days", NULL);
	rt_browser_post_to(x->t, &x->coord, "/organisations/to-bring-on/" ORG_C "/send", "",
			   "/organisations/to-bring-on?done=sent");
	second = claim_link(x, CAFE_MAIL);
	assert_string_not_equal(first, second);

	/* Three days less a second on, it still works; three days on, not. */
	time_set_fake(T0 + 3 * DAY - 1);
	rt_sign_in(x->t, x->mo, &x->member);
	rt_browser_get_is(x->t, &x->member, second, 200, NULL);
	time_set_fake(T0 + 3 * DAY + 1);
	rt_sign_in(x->t, x->mo, &x->member);
	rt_browser_get_is(x->t, &x->member, second, 404, "This link has expired", NULL);
	free(first);
	free(second);
}

/* One account acts for one organisation: an organiser elsewhere is told
 * before and refused on claiming, and the link stays for someone else. */
static void organiser_elsewhere_cannot_claim(void **state)
{
	struct fx *x = *state;
	char id[37], *link;

	refer(x, x->lunch, id);
	link = claim_link(x, CAFE_MAIL);
	rt_browser_get_is(x->t, &x->own, link, 200, "already the organiser for another organisation",
			  NULL);
	rt_browser_post_is(x->t, &x->own, link, NULL, 409, "already the organiser for another "
			   "organisation", NULL);
	assert_int_equal(rt_count(x->t, &q_organiser, DB_ARGS(DB_INT(x->olu), DB_TEXT(RT_ORG_A))), 1);
	assert_int_equal(rt_audit_n(x->t, "org.claimed"), 0);
	/* Still signed in, still theirs. */
	rt_browser_get_is(x->t, &x->own, "/referrals/inbox", 200, NULL);
	/* The link still works for another account. */
	rt_browser_post_is(x->t, &x->link, link, NULL, 200, "You are now the organiser", NULL);
	free(link);
}

/* A claim link is not a person's link, nor the other way round: the
 * purposes keep them apart in onetime, whatever the route. */
static void links_keep_to_their_purpose(void **state)
{
	struct fx *x = *state;
	char id[37], *link, token[TOKEN_HEX + 1], reset[TOKEN_HEX + 1], path[128];
	const char *org = NULL;
	int64_t pid = 0;
	struct arena a;

	refer(x, x->lunch, id);
	link = claim_link(x, CAFE_MAIL);
	snprintf(token, sizeof(token), "%s", link + 7);
	arena_init(&a);
	assert_int_equal(onetime_consume(rt_db(x->t), &a, OT_RESET_PASSWORD, token, T0, &pid, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(onetime_consume(rt_db(x->t), &a, OT_CLAIM_ORG, token, T0, &pid, NULL),
			 ERR_NOT_FOUND);
	assert_int_equal(onetime_create(rt_db(x->t), OT_CLAIM_ORG, x->mo, NULL, T0, 3600, reset),
			 ERR_INVALID);
	assert_int_equal(onetime_create(rt_db(x->t), OT_RESET_PASSWORD, x->mo, NULL, T0, 3600, reset),
			 ERR_OK);
	assert_int_equal(onetime_org_consume(rt_db(x->t), &a, OT_CLAIM_ORG, reset, T0, &org),
			 ERR_NOT_FOUND);
	assert_int_equal(onetime_org_create(rt_db(x->t), OT_RESET_PASSWORD, ORG_C, T0, 3600, reset),
			 ERR_INVALID);
	arena_release(&a);
	/* Nor through another kind's page. */
	snprintf(path, sizeof(path), "/password-reset/%s", token);
	rt_browser_get_is(x->t, &x->member, path, 404, NULL);
	/* And it still works for what it is. */
	rt_browser_post_is(x->t, &x->member, link, NULL, 200, "You are now the organiser", NULL);
	free(link);
}

static void unknown_links(void **state)
{
	struct fx *x = *state;

	rt_browser_get_is(x->t, &x->member, "/claim/nonsense", 404, "This link has expired", NULL);
	rt_browser_get_is(x->t, &x->member, "/claim/"
			  "0000000000000000000000000000000000000000000000000000000000000000", 404,
			  "ask the coordinators", NULL);
	rt_browser_post_is(x->t, &x->member, "/claim/"
			   "0000000000000000000000000000000000000000000000000000000000000000", NULL,
			   404, NULL);
}

/* ---------------------------------------------------------------- the demo */

static const struct sql q_demo_rows = { "tc.demo_rows",
	"SELECT count(*) FROM org_bring_on WHERE state = 'waiting' AND waiting > 0", NULL };
static const struct sql q_demo_waiting = { "tc.demo_waiting",
	"SELECT coalesce(sum(waiting), 0) FROM org_bring_on", NULL };

/* people, the directory's town, then referrals: `kith demo`'s order. */
static void run_demo(struct rt *t, int64_t now)
{
	struct demo_opts o = { .now = now };
	struct db *db = rt_db(t);

	assert_int_equal(db_begin(db), ERR_OK);
	for (size_t i = 0; i < features_n; i++)
		if (strcmp(features[i]->name, "people") == 0 ||
		    strcmp(features[i]->name, "directory-demo") == 0)
			assert_int_equal(features[i]->demo(db, &o), ERR_OK);
	assert_int_equal(referral_demo(db, &o), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
}

/* The demo town has organisations with nobody on kith and referrals
 * waiting for them, on the demo coordinator's list, and nobody emailed;
 * a refresh does not add them up. */
static void demo_town_has_organisations_to_bring_on(void **state)
{
	struct rt *t = *state;
	int64_t now = uk_to_utc(2026, 11, 23, 12, 0), rows, waiting;
	struct rt_browser coord;
	struct person p;
	struct arena a;

	time_set_fake(now);
	log_set_quiet(1);
	run_demo(t, now);
	rows = rt_count(t, &q_demo_rows, DB_NOARGS);
	waiting = rt_count(t, &q_demo_waiting, DB_NOARGS);
	assert_true(rows >= 1);
	assert_true(waiting >= rows);
	assert_int_equal(rt_mail_all(t), 0);
	arena_init(&a);
	assert_int_equal(person_find_email(rt_db(t), &a, "coordinator@demo.kith.test", &p), ERR_OK);
	rt_sign_in(t, p.id, &coord);
	arena_release(&a);
	rt_browser_get_is(t, &coord, "/organisations/to-bring-on", 200, "Referrals waiting",
			  "Not sent", "Send a claim link", NULL);
	run_demo(t, now + 7 * DAY);
	assert_int_equal(rt_count(t, &q_demo_rows, DB_NOARGS), rows);
	assert_int_equal(rt_count(t, &q_demo_waiting, DB_NOARGS), waiting);
	assert_int_equal(rt_mail_all(t), 0);
	log_set_quiet(0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, rt_fixture_free)
	const struct CMUnitTest tests[] = {
		T(referral_to_nobody_goes_on_the_list),
		T(only_coordinators_see_the_list),
		T(coordinator_records_an_address_and_sends),
		T(claim_happy_path),
		T(new_account_comes_back_and_claims),
		T(expired_and_cancelled_links),
		cmocka_unit_test_setup_teardown(the_setting_sets_how_long_links_work, setup_three_days,
						rt_fixture_free),
		T(organiser_elsewhere_cannot_claim),
		T(links_keep_to_their_purpose),
		T(unknown_links),
		cmocka_unit_test_setup_teardown(demo_town_has_organisations_to_bring_on, rt_setup,
						rt_teardown),
	};
#undef T

	return testdb_run_groups("claim", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
