/*
 * test_account.c - the account pages through the dispatcher, as a browser
 * uses them: cookies, form tokens, redirects. Register, confirm the email
 * address, sign in and out, forgotten passwords and set-password links,
 * /account and each of its pages, and the header's navigation.
 *
 * Every test checks what a person would notice (the status, where they
 * are sent, what the page says) and what must never happen: a password in
 * a response or an email, a health word in an email, a link used twice.
 * Emails are read from the outbox table, audit rows from the audit table.
 * Each runs on SQLite and, with KITH_TEST_PG_URL, on PostgreSQL.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "account/account.h"
#include "auth/onetime.h"
#include "auth/person.h"
#include "auth/session.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "store/store.h"
#include "org/org.h"
#include "support/reqtest.h"

/* Passwords that pass the weakness check, as typed and form-encoded. */
#define PW1 "purple kettle orbit 42"
#define PW1_F "purple+kettle+orbit+42"
#define PW2 "lantern meadow quartz 17"
#define PW2_F "lantern+meadow+quartz+17"

/* ---------------------------------------------------------------- helpers */

static const char *loc(const struct rt_resp *r)
{
	const char *l = rt_header(r, "Location");

	return l ? l : "(none)";
}

/* ---------------------------------------------------------------- the database */

/* Every audit row's detail: checked after each test. */
static const struct sql q_audit_all = { "t.audit_all", "SELECT detail FROM audit", NULL };

/* Emails carry no health detail and never a password. */
static void assert_mail_clean(const char *text)
{
	static const char *const words[] = {
		"diabetes", "cancer", "depress", "asthma", "copd", "dementia", "condition",
		"diagnos", "medic", "referral", "lonely", "wellbeing", PW1, PW2, "kettle", "meadow",
	};
	char *low = strdup(text);

	str_lower_ascii(low, strlen(low));
	for (size_t i = 0; i < ARRAY_LEN(words); i++)
		if (strstr(low, words[i]))
			fail_msg("an email contains \"%s\":\n%s", words[i], text);
	free(low);
}

/* Audit details are short facts: never a password. */
static void assert_audit_clean(struct rt *t)
{
	struct db_res *res;

	assert_int_equal(db_query(rt_db(t), &q_audit_all, DB_NOARGS, &res), ERR_OK);
	while (db_next(res) == ERR_OK && db_row(res)) {
		const char *d = db_text(res, 0);

		assert_true(!d || (!strstr(d, PW1) && !strstr(d, PW2)));
	}
	db_res_free(res);
}

static void get_person(struct rt *t, int64_t id, struct arena *a, struct person *p)
{
	assert_int_equal(person_get(rt_db(t), a, id, p), ERR_OK);
}

/* Signs c in through the pages; asserts it worked. */
static void sign_in(struct rt *t, struct rt_browser *c, const char *email_f, const char *pw_f)
{
	struct rt_resp r;
	char fields[512];

	rt_browser_get_is(t, c, "/login", 200, NULL);
	snprintf(fields, sizeof(fields), "email=%s&password=%s", email_f, pw_f);
	rt_browser_post(t, c, "/login", fields, &r);
	assert_int_equal(r.status, 303);
	assert_true(c->session[0] != '\0');
	rt_resp_free(&r);
}

/* The page a signed-in browser sees at target; c's form token follows it. */
static int status_of(struct rt *t, struct rt_browser *c, const char *target)
{
	struct rt_resp r;
	int s;

	rt_browser_get(t, c, target, &r);
	s = r.status;
	rt_resp_free(&r);
	return s;
}

/* ---------------------------------------------------------------- fixtures */

static int teardown(void **state)
{
	assert_audit_clean(*state);
	return rt_teardown(state);
}

/* ---------------------------------------------------------------- register */

static void register_page_is_a_form(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 };
	struct rt_resp r;

	rt_browser_get(t, &c, "/register", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "<title>Create an account"));
	assert_true(rt_has(&r, "action=\"/register\""));
	assert_true(rt_has(&r, "id=\"name\" name=\"name\" type=\"text\" value=\"\" autocomplete=\"name\""));
	assert_true(rt_has(&r, "type=\"email\" value=\"\" autocomplete=\"email\" spellcheck=\"false\""));
	assert_true(rt_has(&r, "type=\"password\" value=\"\" autocomplete=\"new-password\""));
	assert_true(rt_has(&r, "autocomplete=\"tel\""));
	assert_true(rt_has(&r, "for=\"email\""));
	/* A visitor gets a form token tied to a cookie. */
	assert_true(c.visitor[0] != '\0');
	assert_int_equal(strlen(c.csrf), 64);
	/* The navigation offers signing in and creating an account. */
	assert_true(rt_has(&r, "href=\"/login\">Sign in</a>"));
	assert_true(rt_has(&r, "href=\"/register\">Create an account</a>"));
	assert_false(rt_has(&r, "Sign out"));
	rt_resp_free(&r);
}

static void register_errors_keep_what_was_typed(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 };
	struct rt_resp r;

	rt_browser_get(t, &c, "/register", &r);
	rt_resp_free(&r);
	rt_browser_post(t, &c, "/register", "name=Dot+Cotton&email=dot%40&phone=call+me&password=short+pw", &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "<title>Error: Create an account"));
	assert_true(rt_has(&r, "There is a problem"));
	assert_true(rt_has(&r, "govuk-error-summary"));
	assert_true(rt_has(&r, "href=\"#email\""));
	assert_true(rt_has(&r, "href=\"#phone\""));
	assert_true(rt_has(&r, "href=\"#password\""));
	assert_false(rt_has(&r, "href=\"#name\""));
	assert_true(rt_has(&r, "govuk-form-group--error"));
	assert_true(rt_has(&r, "id=\"password-error\""));
	assert_true(rt_has(&r, "at least 10 characters"));
	assert_true(rt_has(&r, "aria-describedby=\"email-hint email-error\""));
	/* What was typed stays, except the password. */
	assert_true(rt_has(&r, "value=\"Dot Cotton\""));
	assert_true(rt_has(&r, "value=\"dot@\""));
	assert_true(rt_has(&r, "value=\"call me\""));
	assert_false(rt_has(&r, "short pw"));
	rt_resp_free(&r);
	/* A weak password is refused, in words. */
	rt_browser_post(t, &c, "/register", "name=Dot+Cotton&email=dot%40example.org&password=password123", &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "href=\"#password\""));
	assert_false(rt_has(&r, "password123"));
	rt_resp_free(&r);
	assert_int_equal(rt_mail_all(t), 0);
	assert_int_equal(rt_audit_n(t, "register"), 0);
}

static void register_needs_form_token(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 };
	struct rt_resp r;

	rt_browser_get(t, &c, "/register", &r);
	rt_resp_free(&r);
	snprintf(c.csrf, sizeof(c.csrf), "%s", "0000000000000000000000000000000000000000000000000000000000000000");
	rt_browser_post_is(t, &c, "/register", "name=Dot+Cotton&email=dot%40example.org&password=" PW1_F,
			403, NULL);
	rt_browser_request(t, &c, "POST", "/register", NULL,
			   "name=Dot+Cotton&email=dot%40example.org&password=" PW1_F, &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);
	assert_int_equal(rt_audit_n(t, "register"), 0);
}

static void register_signs_in_and_sends_link(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 };
	struct rt_resp r;
	struct person p;
	struct arena a;
	char *text;

	rt_browser_get(t, &c, "/register", &r);
	rt_resp_free(&r);
	rt_browser_post(t, &c, "/register", "name=Dot+Cotton&email=Dot.Cotton%40Example.org&phone=01632+960123&password="
		PW1_F, &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(loc(&r), "/account?done=registered");
	assert_false(rt_has(&r, PW1));
	assert_true(strncmp(c.session, "ks_", 3) == 0);
	rt_resp_free(&r);

	rt_browser_get(t, &c, "/account?done=registered", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "We have sent a link to Dot.Cotton@Example.org"));
	assert_true(rt_has(&r, "Not confirmed yet"));
	assert_true(rt_has(&r, "01632 960123"));
	assert_true(rt_has(&r, "<li>Member</li>"));
	assert_true(rt_has(&r, "Signed in as Dot Cotton"));
	assert_true(rt_has(&r, "action=\"/logout\""));
	assert_true(rt_has(&r, "href=\"/account\">Your account</a>"));
	assert_false(rt_has(&r, "href=\"/people\""));
	assert_false(rt_has(&r, PW1));
	rt_resp_free(&r);

	/* One email, with a link and nothing it should not have. */
	assert_int_equal(rt_mail_n(t, "Dot.Cotton@Example.org", "verify_email"), 1);
	text = rt_mail_text(t, "Dot.Cotton@Example.org", "verify_email");
	assert_non_null(strstr(text, "http://localhost:8080/verify-email/"));
	assert_mail_clean(text);
	free(text);
	assert_int_equal(rt_audit_n(t, "register"), 1);

	/* The record: a member, not yet verified, with a hashed password. */
	arena_init(&a);
	assert_int_equal(person_find_email(rt_db(t), &a, "dot.cotton@example.org", &p), ERR_OK);
	assert_true(p.roles & ROLE_BIT(ROLE_MEMBER));
	assert_false(p.verified);
	assert_non_null(p.password_hash);
	assert_null(strstr(p.password_hash, PW1));
	arena_release(&a);
}

static void register_same_email_any_case(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 };
	struct rt_resp r;

	rt_person(t, "Pat Butcher", "pat@example.org", NULL, ROLE_BIT(ROLE_MEMBER), NULL);
	rt_browser_get(t, &c, "/register", &r);
	rt_resp_free(&r);
	rt_browser_post(t, &c, "/register", "name=Someone+Else&email=PAT%40example.ORG&password=" PW1_F, &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "An account with this email address already exists. Sign in or reset your password."));
	assert_true(rt_has(&r, "href=\"/password-reset\""));
	assert_true(rt_has(&r, "value=\"Someone Else\""));
	assert_false(rt_has(&r, PW1));
	rt_resp_free(&r);
	assert_true(c.session[0] == '\0');
	assert_int_equal(rt_mail_all(t), 0);
	assert_int_equal(rt_audit_n(t, "register"), 0);
}

static void register_rate_limited_per_address(void **state)
{
	const char *const settings[] = { "rate_limit=0", "register_limit_ip=1", NULL };
	struct rt *t2 = rt_new_like(*state, settings);
	struct rt_browser a = { .ip = "192.0.2.10" }, b = { .ip = "192.0.2.10" }, other = { .ip = "192.0.2.11" };
	struct rt_resp r;

	rt_browser_get(t2, &a, "/register", &r);
	rt_resp_free(&r);
	rt_browser_post_is(t2, &a, "/register", "name=Ann+One&email=ann1%40example.org&password=" PW1_F,
			303, NULL);
	rt_browser_get(t2, &b, "/register", &r);
	rt_resp_free(&r);
	rt_browser_post(t2, &b, "/register", "name=Ann+Two&email=ann2%40example.org&password=" PW1_F, &r);
	assert_int_equal(r.status, 429);
	assert_non_null(rt_header(&r, "Retry-After"));
	assert_true(strtoll(rt_header(&r, "Retry-After"), NULL, 10) > 0);
	assert_true(rt_has(&r, "Wait an hour"));
	rt_resp_free(&r);
	assert_int_equal(rt_audit_n(t2, "register.rate_limited"), 1);
	assert_int_equal(rt_mail_n(t2, "ann2@example.org", "verify_email"), 0);
	/* Another address has its own budget. */
	rt_browser_get(t2, &other, "/register", &r);
	rt_resp_free(&r);
	rt_browser_post_is(t2, &other, "/register", "name=Ann+Three&email=ann3%40example.org&password=" PW1_F,
			303, NULL);
	rt_free(t2);
}

/* ---------------------------------------------------------------- confirm email */

static void verify_link_needs_a_post_and_works_once(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 }, other = { 0 };
	struct rt_resp r;
	struct person p;
	struct arena a;
	char *link;
	int64_t id;

	rt_browser_get(t, &c, "/register", &r);
	rt_resp_free(&r);
	rt_browser_post_is(t, &c, "/register", "name=Ian+Beale&email=ian%40example.org&password=" PW1_F,
			303, NULL);
	link = rt_mail_link(t, "ian@example.org", "verify_email", "/verify-email/");
	arena_init(&a);
	assert_int_equal(person_find_email(rt_db(t), &a, "ian@example.org", &p), ERR_OK);
	id = p.id;

	/* Opening the link (as a mail scanner would) changes nothing. */
	rt_browser_get_is(t, &other, link, 200, "Confirm your email address",
			"<form method=\"post\" action=\"/verify-email/", NULL);
	get_person(t, id, &a, &p);
	assert_false(p.verified);

	/* The button confirms it, signed in or not. */
	rt_browser_post_to(t, &other, link, NULL, "/login?done=verified");
	get_person(t, id, &a, &p);
	assert_true(p.verified);
	assert_int_equal(rt_audit_about(t, "email.verified", id), 1);
	rt_browser_get(t, &other, "/login?done=verified", &r);
	assert_true(rt_has(&r, "Your email address is confirmed"));
	rt_resp_free(&r);

	/* Once. */
	rt_browser_get_is(t, &c, link, 404, "This link has expired or has already been used", NULL);
	rt_browser_post_is(t, &c, link, NULL, 404, NULL);
	assert_int_equal(rt_audit_about(t, "email.verified", id), 1);

	/* Nonsense tokens get the same page. */
	rt_browser_get_is(t, &c, "/verify-email/nonsense", 404, "has expired", NULL);
	free(link);
	arena_release(&a);
}

static void verify_resend_when_signed_in(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 };
	struct rt_resp r;
	char *first, *second;

	rt_person_unverified(t, "Sonia Fowler", "sonia@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);
	sign_in(t, &c, "sonia%40example.org", PW1_F);
	rt_browser_get(t, &c, "/account", &r);
	assert_true(rt_has(&r, "action=\"/account/verify-email\""));
	rt_resp_free(&r);
	rt_browser_post_to(t, &c, "/account/verify-email", NULL, "/account?done=verify_sent");
	assert_int_equal(rt_mail_n(t, "sonia@example.org", "verify_email"), 1);
	first = rt_mail_link(t, "sonia@example.org", "verify_email", "/verify-email/");
	rt_browser_post_is(t, &c, "/account/verify-email", NULL, 303, NULL);
	assert_int_equal(rt_mail_n(t, "sonia@example.org", "verify_email"), 2);
	second = rt_mail_link(t, "sonia@example.org", "verify_email", "/verify-email/");
	assert_string_not_equal(first, second);
	/* A new link cancels the older one. */
	assert_int_equal(status_of(t, &c, first), 404);
	assert_int_equal(status_of(t, &c, second), 200);
	rt_browser_post(t, &c, second, NULL, &r);
	assert_string_equal(loc(&r), "/account?done=verified");
	rt_resp_free(&r);
	rt_browser_get(t, &c, "/account?done=verified", &r);
	assert_true(rt_has(&r, "Your email address is confirmed."));
	assert_false(rt_has(&r, "Not confirmed yet"));
	assert_false(rt_has(&r, "action=\"/account/verify-email\""));
	rt_resp_free(&r);
	free(first);
	free(second);
}

/* ---------------------------------------------------------------- sign in and out */

static void visitors_are_sent_to_sign_in(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 };
	struct rt_resp r;
	const char *pages[] = { "/account", "/account/details", "/account/email", "/account/password",
				"/account/sessions", "/account/tokens", "/account/data", "/account/data.json",
				"/account/deactivate", "/account/delete" };

	for (size_t i = 0; i < ARRAY_LEN(pages); i++) {
		char want[128] = "/login?next=";
		size_t n = strlen(want);

		/* The page to come back to, its slashes escaped. */
		for (const char *p = pages[i]; *p && n + 4 < sizeof(want); p++) {
			if (*p == '/') {
				memcpy(want + n, "%2F", 3);
				n += 3;
			} else {
				want[n++] = *p;
			}
		}
		want[n] = '\0';
		rt_browser_get(t, &c, pages[i], &r);
		assert_int_equal(r.status, 303);
		assert_string_equal(loc(&r), want);
		rt_resp_free(&r);
	}
	rt_browser_get(t, &c, "/login", &r);
	rt_resp_free(&r);
	/* A form posted after the session ended goes to sign in (without a
	 * "next": the post itself cannot be replayed). */
	rt_browser_post_to(t, &c, "/logout", NULL, "/login");
}

static void login_wrong_then_right(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 };
	struct rt_resp r;
	int64_t id = rt_person(t, "Kat Slater", "kat@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);

	rt_browser_get_is(t, &c, "/login", 200, "autocomplete=\"current-password\"",
			"href=\"/password-reset\"", NULL);

	/* Empty fields: say which. */
	rt_browser_post_is(t, &c, "/login", "email=&password=", 422, "Enter your email address",
			"Enter your password", NULL);

	/* Wrong password, or no such account: the same words, the email kept. */
	rt_browser_post(t, &c, "/login", "email=kat%40example.org&password=" PW2_F, &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "Enter a correct email address and password"));
	assert_true(rt_has(&r, "value=\"kat@example.org\""));
	assert_false(rt_has(&r, PW2));
	assert_true(c.session[0] == '\0');
	rt_resp_free(&r);
	rt_browser_post_is(t, &c, "/login", "email=nobody%40example.org&password=" PW2_F, 422,
			"Enter a correct email address and password", NULL);
	assert_int_equal(rt_audit_about(t, "login.failed", id), 1);
	assert_int_equal(rt_audit_n(t, "login.failed"), 2);

	/* Right, in any case. */
	rt_browser_post(t, &c, "/login", "email=KAT%40Example.org&password=" PW1_F, &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(loc(&r), "/account");
	assert_true(strncmp(c.session, "ks_", 3) == 0);
	assert_false(rt_has(&r, PW1));
	rt_resp_free(&r);
	assert_int_equal(status_of(t, &c, "/account"), 200);
	assert_int_equal(rt_audit_about(t, "login", id), 1);
	/* Signed in, the sign-in page sends you on. */
	rt_browser_get_is(t, &c, "/login", 303, NULL);
}

static void login_returns_to_local_pages_only(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 }, d = { 0 };
	struct rt_resp r;

	rt_person(t, "Kat Slater", "kat@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);
	rt_browser_get(t, &c, "/login?next=%2Faccount%2Fsessions", &r);
	assert_true(rt_has(&r, "name=\"next\" value=\"/account/sessions\""));
	rt_resp_free(&r);
	rt_browser_post_to(t, &c, "/login", "next=%2Faccount%2Fsessions&email=kat%40example.org&password=" PW1_F,
			"/account/sessions");

	rt_browser_get(t, &d, "/login?next=%2F%2Fevil.example", &r);
	assert_false(rt_has(&r, "evil.example"));
	rt_resp_free(&r);
	rt_browser_post_to(t, &d, "/login", "next=%2F%2Fevil.example&email=kat%40example.org&password=" PW1_F,
			"/account");
}

static void login_rate_limited_per_account(void **state)
{
	const char *const settings[] = { "rate_limit=0", "login_limit=2", NULL };
	struct rt *t2 = rt_new_like(*state, settings);
	struct rt_browser c = { .ip = "198.51.100.1" }, d = { .ip = "198.51.100.2" };
	struct rt_resp r;
	int64_t id = rt_person(t2, "Kat Slater", "kat@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);

	rt_browser_get(t2, &c, "/login", &r);
	rt_resp_free(&r);
	for (int i = 0; i < 2; i++) {
		rt_browser_post_is(t2, &c, "/login", "email=kat%40example.org&password=" PW2_F, 422,
				NULL);
	}
	/* Over the limit: even the right password waits, from anywhere. */
	rt_browser_get(t2, &d, "/login", &r);
	rt_resp_free(&r);
	rt_browser_post(t2, &d, "/login", "email=KAT%40example.org&password=" PW1_F, &r);
	assert_int_equal(r.status, 429);
	assert_non_null(rt_header(&r, "Retry-After"));
	assert_true(strtoll(rt_header(&r, "Retry-After"), NULL, 10) > 0);
	assert_true(strtoll(rt_header(&r, "Retry-After"), NULL, 10) <= 900);
	assert_true(rt_has(&r, "too many times"));
	assert_true(d.session[0] == '\0');
	rt_resp_free(&r);
	assert_int_equal(rt_audit_about(t2, "login.rate_limited", id), 1);
	/* Other accounts are not affected. */
	rt_person(t2, "Sharon Watts", "sharon@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);
	rt_browser_post_is(t2, &d, "/login", "email=sharon%40example.org&password=" PW1_F, 303,
			NULL);
	/* After the window, the account can sign in again. */
	time_set_fake(time_now() + 901);
	rt_browser_get(t2, &c, "/login", &r);
	rt_resp_free(&r);
	rt_browser_post_is(t2, &c, "/login", "email=kat%40example.org&password=" PW1_F, 303, NULL);
	time_set_fake(0);
	rt_free(t2);
}

static void login_rate_limited_per_address(void **state)
{
	const char *const settings[] = { "rate_limit=0", "login_limit_ip=2", NULL };
	struct rt *t2 = rt_new_like(*state, settings);
	struct rt_browser c = { .ip = "198.51.100.7" }, d = { .ip = "198.51.100.8" };
	struct rt_resp r;

	rt_person(t2, "Kat Slater", "kat@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);
	rt_browser_get(t2, &c, "/login", &r);
	rt_resp_free(&r);
	rt_browser_post(t2, &c, "/login", "email=a%40example.org&password=" PW2_F, &r);
	rt_resp_free(&r);
	rt_browser_post(t2, &c, "/login", "email=b%40example.org&password=" PW2_F, &r);
	rt_resp_free(&r);
	rt_browser_post(t2, &c, "/login", "email=kat%40example.org&password=" PW1_F, &r);
	assert_int_equal(r.status, 429);
	assert_non_null(rt_header(&r, "Retry-After"));
	rt_resp_free(&r);
	assert_int_equal(rt_audit_n(t2, "login.rate_limited"), 1);
	rt_browser_get(t2, &d, "/login", &r);
	rt_resp_free(&r);
	rt_browser_post_is(t2, &d, "/login", "email=kat%40example.org&password=" PW1_F, 303, NULL);
	rt_free(t2);
}

static void logout_ends_the_session(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 };
	struct rt_resp r;
	char old[96];

	rt_person(t, "Kat Slater", "kat@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);
	sign_in(t, &c, "kat%40example.org", PW1_F);
	assert_int_equal(status_of(t, &c, "/account"), 200);
	snprintf(old, sizeof(old), "%s", c.session);
	/* Without the form token: refused, still signed in. */
	rt_browser_request(t, &c, "POST", "/logout", NULL, "csrf_token=wrong", &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);
	assert_int_equal(status_of(t, &c, "/account"), 200);
	rt_browser_post(t, &c, "/logout", NULL, &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(loc(&r), "/signed-out");
	assert_true(c.session[0] == '\0');
	rt_resp_free(&r);
	rt_browser_get_is(t, &c, "/signed-out", 200, "You have signed out",
			"href=\"/login\">Sign in</a>", NULL);
	/* The old cookie no longer works. */
	snprintf(c.session, sizeof(c.session), "%s", old);
	assert_int_equal(status_of(t, &c, "/account"), 303);
	assert_int_equal(rt_audit_n(t, "logout"), 1);
}

/* ---------------------------------------------------------------- forgotten password */

static void password_reset_by_email(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 }, old = { 0 };
	struct rt_resp r;
	char *link, *text;
	int64_t id = rt_person(t, "Phil Mitchell", "phil@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);

	sign_in(t, &old, "phil%40example.org", PW1_F);
	rt_browser_get_is(t, &c, "/password-reset", 200, "Reset your password", NULL);
	rt_browser_post_is(t, &c, "/password-reset", "email=not-an-email", 422, "href=\"#email\"",
			"value=\"not-an-email\"", NULL);

	/* Known and unknown addresses get the same answer. */
	rt_browser_post_to(t, &c, "/password-reset", "email=nobody%40example.org",
			"/password-reset/sent");
	rt_browser_post_to(t, &c, "/password-reset", "email=Phil%40Example.org",
			"/password-reset/sent");
	rt_browser_get(t, &c, "/password-reset/sent", &r);
	assert_true(rt_has(&r, "If there is an account for that email address"));
	assert_true(rt_has(&r, "60 minutes"));
	rt_resp_free(&r);
	assert_int_equal(rt_mail_all(t), 1);
	assert_int_equal(rt_mail_n(t, "phil@example.org", "reset_password"), 1);
	text = rt_mail_text(t, "phil@example.org", "reset_password");
	assert_mail_clean(text);
	assert_non_null(strstr(text, "60 minutes"));
	free(text);
	assert_int_equal(rt_audit_about(t, "password_reset.requested", id), 1);
	link = rt_mail_link(t, "phil@example.org", "reset_password", "/password-reset/");

	/* The link shows a form; a mismatch or a weak password is said. */
	rt_browser_get_is(t, &c, link, 200, "Choose a new password",
			"autocomplete=\"new-password\"", NULL);
	rt_browser_post(t, &c, link, "password=" PW2_F "&password_confirm=something+else+entirely", &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "href=\"#password_confirm\""));
	assert_false(rt_has(&r, PW2));
	rt_resp_free(&r);
	rt_browser_post_is(t, &c, link, "password=phil+mitchell+99&password_confirm=phil+mitchell+99",
			422, "href=\"#password\"", NULL);

	/* A good one: saved, signed in here, signed out everywhere else. */
	rt_browser_post(t, &c, link, "password=" PW2_F "&password_confirm=" PW2_F, &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(loc(&r), "/account?done=password_reset");
	assert_true(strncmp(c.session, "ks_", 3) == 0);
	rt_resp_free(&r);
	assert_int_equal(status_of(t, &c, "/account"), 200);
	assert_int_equal(status_of(t, &old, "/account"), 303);
	assert_int_equal(rt_audit_about(t, "password.reset", id), 1);
	assert_int_equal(rt_mail_n(t, "phil@example.org", "password_changed"), 1);
	text = rt_mail_text(t, "phil@example.org", "password_changed");
	assert_mail_clean(text);
	free(text);

	/* Once only. */
	rt_browser_get_is(t, &c, link, 404, NULL);
	rt_browser_post_is(t, &c, link, "password=" PW1_F "&password_confirm=" PW1_F, 404, NULL);

	/* The new password works; the old one does not. */
	{
		struct rt_browser e = { 0 };

		rt_browser_get(t, &e, "/login", &r);
		rt_resp_free(&r);
		rt_browser_post_is(t, &e, "/login", "email=phil%40example.org&password=" PW1_F, 422,
				NULL);
		rt_browser_post_is(t, &e, "/login", "email=phil%40example.org&password=" PW2_F, 303,
				NULL);
	}
	free(link);
}

static void password_reset_link_expires_in_an_hour(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 };
	struct rt_resp r;
	char *link;
	int64_t start = time_now();

	rt_person(t, "Phil Mitchell", "phil@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);
	rt_browser_get(t, &c, "/password-reset", &r);
	rt_resp_free(&r);
	rt_browser_post(t, &c, "/password-reset", "email=phil%40example.org", &r);
	rt_resp_free(&r);
	link = rt_mail_link(t, "phil@example.org", "reset_password", "/password-reset/");
	time_set_fake(start + 3590);
	assert_int_equal(status_of(t, &c, link), 200);
	time_set_fake(start + 3601);
	assert_int_equal(status_of(t, &c, link), 404);
	rt_browser_post_is(t, &c, link, "password=" PW2_F "&password_confirm=" PW2_F, 404,
			"Ask for a new link", NULL);
	time_set_fake(0);
	free(link);
}

static void password_reset_rate_limited(void **state)
{
	const char *const settings[] = { "rate_limit=0", "reset_limit=2", NULL };
	struct rt *t2 = rt_new_like(*state, settings);
	struct rt_browser c = { .ip = "203.0.113.5" };
	struct rt_resp r;

	rt_person(t2, "Phil Mitchell", "phil@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);
	rt_browser_get(t2, &c, "/password-reset", &r);
	rt_resp_free(&r);
	for (int i = 0; i < 2; i++) {
		rt_browser_post_is(t2, &c, "/password-reset", "email=phil%40example.org", 303,
				NULL);
	}
	rt_browser_post(t2, &c, "/password-reset", "email=phil%40example.org", &r);
	assert_int_equal(r.status, 429);
	assert_non_null(rt_header(&r, "Retry-After"));
	rt_resp_free(&r);
	assert_int_equal(rt_mail_n(t2, "phil@example.org", "reset_password"), 2);
	assert_int_equal(rt_audit_n(t2, "password_reset.rate_limited"), 1);
	rt_free(t2);
}

static void set_password_link(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 };
	char token[TOKEN_HEX + 1], path[128];
	int64_t id = rt_person(t, "Denise Fox", "denise@example.org", NULL, ROLE_BIT(ROLE_MEMBER), NULL);

	assert_int_equal(onetime_create(rt_db(t), OT_SET_PASSWORD, id, NULL, time_now(), 86400, token), ERR_OK);
	snprintf(path, sizeof(path), "/set-password/%s", token);
	rt_browser_get_is(t, &c, path, 200, "Choose a password", NULL);
	/* A reset link is not a set-password link. */
	snprintf(path, sizeof(path), "/password-reset/%s", token);
	assert_int_equal(status_of(t, &c, path), 404);
	snprintf(path, sizeof(path), "/set-password/%s", token);
	rt_browser_post_to(t, &c, path, "password=" PW1_F "&password_confirm=" PW1_F,
			"/account?done=password_reset");
	assert_int_equal(status_of(t, &c, "/account"), 200);
	assert_int_equal(status_of(t, &c, path), 404);
}

/* ---------------------------------------------------------------- your account */

static void details_change(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 };
	struct rt_resp r;
	struct person p;
	struct arena a;
	int64_t id = rt_person(t, "Kat Slater", "kat@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);

	sign_in(t, &c, "kat%40example.org", PW1_F);
	rt_browser_get_is(t, &c, "/account/details", 200, "value=\"Kat Slater\"", NULL);
	rt_browser_post_is(t, &c, "/account/details", "name=&phone=not+a+phone", 422,
			"href=\"#name\"", "href=\"#phone\"", "value=\"not a phone\"", NULL);
	rt_browser_post_to(t, &c, "/account/details", "name=Kat+Moon&phone=%2B44+1632+960000",
			"/account?done=details");
	arena_init(&a);
	get_person(t, id, &a, &p);
	assert_string_equal(p.name, "Kat Moon");
	assert_string_equal(p.phone, "+44 1632 960000");
	rt_browser_get(t, &c, "/account?done=details", &r);
	assert_true(rt_has(&r, "Your details are saved."));
	assert_true(rt_has(&r, "Kat Moon"));
	rt_resp_free(&r);
	/* An empty phone removes it. */
	rt_browser_get(t, &c, "/account/details", &r);
	rt_resp_free(&r);
	rt_browser_post_is(t, &c, "/account/details", "name=Kat+Moon&phone=", 303, NULL);
	get_person(t, id, &a, &p);
	assert_null(p.phone);
	arena_release(&a);
}

static void email_change(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 };
	struct rt_resp r;
	struct person p;
	struct arena a;
	char *text, *link;
	int64_t id = rt_person(t, "Kat Slater", "kat@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);

	rt_person(t, "Zoe Slater", "zoe@example.org", NULL, ROLE_BIT(ROLE_MEMBER), NULL);
	sign_in(t, &c, "kat%40example.org", PW1_F);
	rt_browser_get_is(t, &c, "/account/email", 200, "kat@example.org",
			"autocomplete=\"current-password\"", NULL);
	/* Wrong password. */
	rt_browser_post(t, &c, "/account/email", "email=kat.new%40example.org&current_password=" PW2_F, &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "href=\"#current_password\""));
	assert_true(rt_has(&r, "value=\"kat.new@example.org\""));
	assert_false(rt_has(&r, PW2));
	rt_resp_free(&r);
	/* Someone else's. */
	rt_browser_post_is(t, &c, "/account/email", "email=ZOE%40example.org&current_password=" PW1_F,
			422, "Another account uses this email address", NULL);
	assert_int_equal(rt_mail_all(t), 0);
	/* Right. */
	rt_browser_post_to(t, &c, "/account/email", "email=kat.new%40example.org&current_password=" PW1_F,
			"/account?done=email");
	arena_init(&a);
	get_person(t, id, &a, &p);
	assert_string_equal(p.email, "kat.new@example.org");
	assert_false(p.verified);
	assert_int_equal(rt_mail_n(t, "kat@example.org", "email_changed"), 1);
	assert_int_equal(rt_mail_n(t, "kat.new@example.org", "verify_email"), 1);
	text = rt_mail_text(t, "kat@example.org", "email_changed");
	assert_mail_clean(text);
	assert_null(strstr(text, "kat.new@"));
	free(text);
	assert_int_equal(rt_audit_about(t, "email.changed", id), 1);
	rt_browser_get(t, &c, "/account?done=email", &r);
	assert_true(rt_has(&r, "Your email address is now kat.new@example.org"));
	assert_true(rt_has(&r, "Not confirmed yet"));
	rt_resp_free(&r);
	/* The new address is confirmed by its link. */
	link = rt_mail_link(t, "kat.new@example.org", "verify_email", "/verify-email/");
	assert_int_equal(status_of(t, &c, link), 200);
	rt_browser_post_is(t, &c, link, NULL, 303, NULL);
	get_person(t, id, &a, &p);
	assert_true(p.verified);
	free(link);
	arena_release(&a);
}

static void password_change(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 }, other = { 0 };
	struct rt_resp r;
	int64_t id = rt_person(t, "Kat Slater", "kat@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);

	sign_in(t, &c, "kat%40example.org", PW1_F);
	sign_in(t, &other, "kat%40example.org", PW1_F);
	rt_browser_get_is(t, &c, "/account/password", 200, "id=\"current_password\"",
			"id=\"password_confirm\"", NULL);
	rt_browser_post(t, &c, "/account/password", "current_password=" PW2_F "&password=" PW2_F
		"&password_confirm=" PW2_F, &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "href=\"#current_password\""));
	assert_false(rt_has(&r, PW2));
	rt_resp_free(&r);
	rt_browser_post_is(t, &c, "/account/password", "current_password=" PW1_F "&password=short&password_confirm=short",
			422, "at least 10 characters", NULL);
	rt_browser_post(t, &c, "/account/password", "current_password=" PW1_F "&password=" PW2_F
		"&password_confirm=" PW2_F, &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(loc(&r), "/account?done=password");
	rt_resp_free(&r);
	/* This browser stays signed in; the other is signed out. */
	assert_int_equal(status_of(t, &c, "/account"), 200);
	assert_int_equal(status_of(t, &other, "/account"), 303);
	assert_int_equal(rt_mail_n(t, "kat@example.org", "password_changed"), 1);
	assert_int_equal(rt_audit_about(t, "password.changed", id), 1);
}

/* Signing in with nowhere else to go lands on the person's work; with a
 * page to go back to, there. The account page offers API tokens only to
 * roles other systems connect to. */
static void sign_in_lands_on_work(void **state)
{
	static const struct { const char *email, *email_f; unsigned roles; const char *lands; } who[] = {
		{ "mem@example.org", "mem%40example.org", ROLE_BIT(ROLE_MEMBER), "/account" },
		{ "org@example.org", "org%40example.org", ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_ORGANISER),
		  "/referrals/inbox" },
		{ "lw@example.org", "lw%40example.org", ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_LINK_WORKER),
		  "/referrals/caseload" },
		{ "co@example.org", "co%40example.org", ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_COORDINATOR),
		  "/review" },
		{ "cm@example.org", "cm%40example.org", ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_COMMISSIONER),
		  "/referrals/overview" },
	};
	struct rt *t = *state;
	char fields[256];

	assert_int_equal(org_create(rt_db(t), "a0000000-0000-4000-8000-00000000000a", "Walkers",
				    time_now()), ERR_OK);
	for (size_t i = 0; i < ARRAY_LEN(who); i++) {
		struct rt_browser b = { 0 };

		rt_person(t, "Some One", who[i].email, PW1, who[i].roles,
			  (who[i].roles & ROLE_BIT(ROLE_ORGANISER)) ? "a0000000-0000-4000-8000-00000000000a" : NULL);
		rt_browser_get_is(t, &b, "/login", 200, NULL);
		snprintf(fields, sizeof(fields), "email=%s&password=" PW1_F, who[i].email_f);
		rt_browser_post_to(t, &b, "/login", fields, who[i].lands);
		rt_browser_get_is(t, &b, who[i].lands, 200, NULL);
		if (i == 0)
			rt_browser_get_is(t, &b, "/account", 200, "Download your data", NULL);
		{
			struct rt_resp r;

			rt_browser_get(t, &b, "/account", &r);
			assert_int_equal(rt_has(&r, "href=\"/account/tokens\""), i != 0);
			rt_resp_free(&r);
		}
	}
	/* Going somewhere: back there. */
	{
		struct rt_browser b = { 0 };

		rt_browser_get_is(t, &b, "/login?next=%2Faccount%2Fdetails", 200, NULL);
		rt_browser_post_to(t, &b, "/login", "email=lw%40example.org&password=" PW1_F
				   "&next=%2Faccount%2Fdetails", "/account/details");
	}
}

/* A personal API token stands in for the password: a change of password
 * revokes every one, the owner is told in the same email, and the page
 * says how long a new one works. */
static void password_change_revokes_api_tokens(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 };
	struct rt_resp r;
	char tok[TOKEN_LEN + 1];
	char *mail;
	int64_t id = rt_person(t, "Kat Slater", "kat@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);

	rt_bearer(t, id, RT_API_TOKEN, tok);
	rt_get_bearer(t, "/api/v1/me", tok, &r);
	assert_int_equal(r.status, 200);
	rt_resp_free(&r);
	sign_in(t, &c, "kat%40example.org", PW1_F);
	rt_browser_get_is(t, &c, "/account/tokens", 200, "Works until", "or you change your password",
			  NULL);
	rt_browser_post_to(t, &c, "/account/password", "current_password=" PW1_F "&password=" PW2_F
			   "&password_confirm=" PW2_F, "/account?done=password");
	rt_get_bearer(t, "/api/v1/me", tok, &r);
	assert_int_equal(r.status, 401);
	rt_resp_free(&r);
	mail = rt_mail_text(t, "kat@example.org", "password_changed");
	assert_non_null(mail);
	assert_non_null(strstr(mail, "API tokens were turned off too"));
	free(mail);
	assert_int_equal(rt_audit_about(t, "token.revoked", id), 1);
	rt_browser_get_is(t, &c, "/account/tokens", 200, "You have no API tokens.", NULL);
}

static void sessions_list_and_revoke(void **state)
{
	struct rt *t = *state;
	struct rt_browser a = { 0 }, b = { 0 }, c = { 0 };
	struct rt_resp r;
	const char *p;
	char path[96];

	rt_person(t, "Kat Slater", "kat@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);
	sign_in(t, &a, "kat%40example.org", PW1_F);
	sign_in(t, &b, "kat%40example.org", PW1_F);
	sign_in(t, &c, "kat%40example.org", PW1_F);
	rt_browser_get(t, &a, "/account/sessions", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "This device"));
	assert_true(rt_has(&r, "Sign out everywhere else"));
	/* Two other devices, each with its own button. */
	p = r.body;
	int buttons = 0;
	while ((p = strstr(p, "/revoke\">")) != NULL) {
		buttons++;
		p++;
	}
	assert_int_equal(buttons, 2);
	/* The first revoke form: sign that device out. */
	p = strstr(r.body, "action=\"/account/sessions/");
	assert_non_null(p);
	p += strlen("action=\"");
	snprintf(path, sizeof(path), "%.*s", (int)strcspn(p, "\""), p);
	rt_resp_free(&r);
	rt_browser_post_to(t, &a, path, NULL, "/account/sessions?done=revoked");
	assert_int_equal(status_of(t, &a, "/account"), 200);
	assert_int_equal((status_of(t, &b, "/account") == 303) + (status_of(t, &c, "/account") == 303), 1);
	/* Someone else's session cannot be revoked. */
	rt_browser_get(t, &a, "/account", &r);
	rt_resp_free(&r);
	rt_browser_post_is(t, &a, "/account/sessions/999999/revoke", NULL, 404, NULL);
	/* Everywhere else. */
	rt_browser_get(t, &a, "/account/sessions", &r);
	rt_resp_free(&r);
	rt_browser_post_is(t, &a, "/account/sessions/revoke-others", NULL, 303, NULL);
	assert_int_equal(status_of(t, &a, "/account"), 200);
	assert_int_equal(status_of(t, &b, "/account"), 303);
	assert_int_equal(status_of(t, &c, "/account"), 303);
	rt_browser_get(t, &a, "/account/sessions?done=others", &r);
	assert_true(rt_has(&r, "You are signed out everywhere else."));
	assert_false(rt_has(&r, "Sign out everywhere else</button>"));
	rt_resp_free(&r);
	assert_int_equal(rt_audit_n(t, "session.revoked"), 2);
}

static void api_tokens_shown_once(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 };
	struct rt_resp r;
	char token[80], path[96];
	const char *p;

	rt_person(t, "Kat Slater", "kat@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);
	sign_in(t, &c, "kat%40example.org", PW1_F);
	rt_browser_get_is(t, &c, "/account/tokens", 200, "You have no API tokens.", NULL);
	rt_browser_post_is(t, &c, "/account/tokens", "token_name=", 422, "href=\"#token_name\"",
			NULL);
	rt_browser_post(t, &c, "/account/tokens", "token_name=GP+practice+system", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "You will not be able to see it again"));
	p = strstr(r.body, "value=\"kt_");
	assert_non_null(p);
	p += strlen("value=\"");
	snprintf(token, sizeof(token), "%.*s", (int)strcspn(p, "\""), p);
	assert_int_equal(strlen(token), 67);
	rt_resp_free(&r);
	/* Listed by name and prefix, never in full. */
	rt_browser_get(t, &c, "/account/tokens", &r);
	assert_true(rt_has(&r, "GP practice system"));
	assert_false(rt_has(&r, token));
	p = strstr(r.body, "action=\"/account/tokens/");
	assert_non_null(p);
	p += strlen("action=\"");
	snprintf(path, sizeof(path), "%.*s", (int)strcspn(p, "\""), p);
	rt_resp_free(&r);
	/* It works as a bearer token. */
	rt_get_bearer(t, "/api/v1/me", token, &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "kat@example.org"));
	rt_resp_free(&r);
	rt_browser_post_to(t, &c, path, NULL, "/account/tokens?done=revoked");
	rt_get_bearer(t, "/api/v1/me", token, &r);
	assert_int_equal(r.status, 401);
	rt_resp_free(&r);
	assert_int_equal(rt_audit_n(t, "token.created"), 1);
	assert_int_equal(rt_audit_n(t, "token.revoked"), 1);
}

static void download_my_data(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 };
	struct rt_resp r;
	json_t *doc;
	int64_t id = rt_person(t, "Kat Slater", "kat@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);

	sign_in(t, &c, "kat%40example.org", PW1_F);
	rt_browser_get_is(t, &c, "/account/data", 200, "href=\"/account/data.json\"", NULL);
	rt_browser_get(t, &c, "/account/data.json", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "application/json");
	assert_non_null(strstr(rt_header(&r, "Content-Disposition"), "attachment"));
	assert_non_null(strstr(rt_header(&r, "Cache-Control"), "no-store"));
	doc = json_loads(r.body, 0, NULL);
	assert_non_null(doc);
	assert_non_null(json_object_get(doc, "person"));
	assert_true(rt_has(&r, "kat@example.org"));
	assert_false(rt_has(&r, "$argon2"));
	assert_false(rt_has(&r, c.session));
	json_decref(doc);
	rt_resp_free(&r);
	assert_int_equal(rt_audit_about(t, "data.downloaded", id), 1);
}

static void deactivate_and_come_back(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 }, other = { 0 };
	struct rt_resp r;
	struct person p;
	struct arena a;
	int64_t id = rt_person(t, "Kat Slater", "kat@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);

	sign_in(t, &c, "kat%40example.org", PW1_F);
	sign_in(t, &other, "kat%40example.org", PW1_F);
	rt_browser_get_is(t, &c, "/account/deactivate", 200, "Deactivate my account", NULL);
	rt_browser_post(t, &c, "/account/deactivate", NULL, &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(loc(&r), "/signed-out?reason=deactivated");
	assert_true(c.session[0] == '\0');
	rt_resp_free(&r);
	rt_browser_get(t, &c, "/signed-out?reason=deactivated", &r);
	assert_true(rt_has(&r, "Your account is deactivated"));
	rt_resp_free(&r);
	assert_int_equal(status_of(t, &other, "/account"), 303);
	arena_init(&a);
	get_person(t, id, &a, &p);
	assert_true(p.deactivated_at != 0);
	assert_int_equal(rt_audit_about(t, "account.deactivated", id), 1);
	/* Signing in brings it back, and says so. */
	rt_browser_get(t, &c, "/login", &r);
	rt_resp_free(&r);
	rt_browser_post_to(t, &c, "/login", "next=%2Faccount%2Fdata&email=kat%40example.org&password=" PW1_F,
			"/account?done=reactivated");
	rt_browser_get(t, &c, "/account?done=reactivated", &r);
	assert_true(rt_has(&r, "Your account is active again"));
	rt_resp_free(&r);
	get_person(t, id, &a, &p);
	assert_int_equal(p.deactivated_at, 0);
	arena_release(&a);
}

static void delete_with_grace_period(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 };
	struct rt_resp r;
	struct person p;
	struct arena a;
	char *text;
	int64_t now = time_now();
	int64_t id = rt_person(t, "Kat Slater", "kat@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);

	sign_in(t, &c, "kat%40example.org", PW1_F);
	rt_browser_get_is(t, &c, "/account/delete", 200, "7 days after you ask",
			"govuk-button--warning", NULL);
	rt_browser_post_is(t, &c, "/account/delete", "current_password=" PW2_F, 422,
			"href=\"#current_password\"", NULL);
	arena_init(&a);
	get_person(t, id, &a, &p);
	assert_int_equal(p.erase_after, 0);
	rt_browser_post(t, &c, "/account/delete", "current_password=" PW1_F, &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(loc(&r), "/signed-out?reason=deleting");
	assert_true(c.session[0] == '\0');
	rt_resp_free(&r);
	get_person(t, id, &a, &p);
	assert_true(p.erase_after >= now + 7 * 86400 - 5 && p.erase_after <= now + 7 * 86400 + 60);
	assert_int_equal(rt_mail_n(t, "kat@example.org", "delete_scheduled"), 1);
	text = rt_mail_text(t, "kat@example.org", "delete_scheduled");
	assert_mail_clean(text);
	free(text);
	assert_int_equal(rt_audit_about(t, "account.delete_requested", id), 1);
	rt_browser_get(t, &c, "/signed-out?reason=deleting", &r);
	assert_true(rt_has(&r, "Your account will be deleted"));
	assert_true(rt_has(&r, "in 7 days"));
	rt_resp_free(&r);
	/* Signing in before the date keeps the account. */
	rt_browser_get(t, &c, "/login", &r);
	rt_resp_free(&r);
	rt_browser_post_to(t, &c, "/login", "email=kat%40example.org&password=" PW1_F,
			"/account?done=delete_cancelled");
	get_person(t, id, &a, &p);
	assert_int_equal(p.erase_after, 0);
	arena_release(&a);
}

static void navigation_by_role(void **state)
{
	struct rt *t = *state;
	struct rt_browser m = { 0 }, co = { 0 }, ad = { 0 };
	struct rt_resp r;

	rt_person(t, "Mo Member", "mo@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);
	rt_person(t, "Cora Coord", "cora@example.org", PW1, ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_COORDINATOR), NULL);
	rt_person(t, "Ada Admin", "ada@example.org", PW1,
		  ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_COORDINATOR) | ROLE_BIT(ROLE_ADMIN), NULL);
	sign_in(t, &m, "mo%40example.org", PW1_F);
	sign_in(t, &co, "cora%40example.org", PW1_F);
	sign_in(t, &ad, "ada%40example.org", PW1_F);

	rt_browser_get(t, &m, "/account", &r);
	assert_true(rt_has(&r, "href=\"/account\">Your account</a>"));
	assert_true(rt_has(&r, "Sign out</button>"));
	assert_false(rt_has(&r, "href=\"/login\">Sign in"));
	assert_false(rt_has(&r, "href=\"/people\""));
	assert_false(rt_has(&r, "href=\"/admin/audit\""));
	/* The sign-out form carries this session's form token. */
	assert_true(rt_has(&r, "action=\"/logout\""));
	assert_int_equal(strlen(m.csrf), 64);
	assert_true(rt_has(&r, m.csrf));
	rt_resp_free(&r);
	rt_browser_get(t, &co, "/account", &r);
	assert_true(rt_has(&r, "href=\"/people\">People</a>"));
	assert_false(rt_has(&r, "href=\"/admin/audit\""));
	rt_resp_free(&r);
	rt_browser_get(t, &ad, "/account", &r);
	assert_true(rt_has(&r, "href=\"/admin/audit\">Audit log</a>"));
	assert_true(rt_has(&r, "href=\"/admin/outbox\">Emails</a>"));
	/* Once, although an admin here is a coordinator too. */
	assert_non_null(strstr(r.body, "href=\"/people\">People</a>"));
	assert_null(strstr(strstr(r.body, "href=\"/people\">People</a>") + 1, "href=\"/people\">People</a>"));
	rt_resp_free(&r);
}

/* ---------------------------------------------------------------- rules (no database) */

static void rule_next_is_local_only(void **state)
{
	UNUSED(state);
	assert_true(account_next_ok("/account"));
	assert_true(account_next_ok("/people/5?done=role_granted"));
	assert_false(account_next_ok(NULL));
	assert_false(account_next_ok(""));
	assert_false(account_next_ok("account"));
	assert_false(account_next_ok("//evil.example/x"));
	assert_false(account_next_ok("/\\evil.example"));
	assert_false(account_next_ok("/a\\b"));
	assert_false(account_next_ok("https://evil.example/"));
	assert_false(account_next_ok("/a b"));
	assert_false(account_next_ok("/a\nLocation: x"));
	assert_false(account_next_ok("/caf\xc3\xa9"));
}

static void rule_when_in_uk_time(void **state)
{
	char out[64];

	UNUSED(state);
	/* 2026-01-15 09:05 UTC: GMT. */
	assert_true(account_when(1768467900, false, out, sizeof(out)));
	assert_string_equal(out, "15 January 2026 at 9:05am");
	/* 2026-07-01 12:30 UTC: BST, 1:30pm in London. */
	assert_true(account_when(1782909000, false, out, sizeof(out)));
	assert_string_equal(out, "1 July 2026 at 1:30pm");
	/* Clocks go forward at 01:00 UTC on Sunday 29 March 2026. */
	assert_true(account_when(1774745940, false, out, sizeof(out)));   /* 00:59 UTC */
	assert_string_equal(out, "29 March 2026 at 12:59am");
	assert_true(account_when(1774746000, false, out, sizeof(out)));   /* 01:00 UTC */
	assert_string_equal(out, "29 March 2026 at 2:00am");
	/* ... and back at 01:00 UTC on Sunday 25 October 2026. */
	assert_true(account_when(1792889940, false, out, sizeof(out)));   /* 00:59 UTC */
	assert_string_equal(out, "25 October 2026 at 1:59am");
	assert_true(account_when(1792890000, false, out, sizeof(out)));   /* 01:00 UTC */
	assert_string_equal(out, "25 October 2026 at 1:00am");
	/* Midnight is 12am; a date alone. */
	assert_true(account_when(1768435200, false, out, sizeof(out)));
	assert_string_equal(out, "15 January 2026 at 12:00am");
	assert_true(account_when(1782909000, true, out, sizeof(out)));
	assert_string_equal(out, "1 July 2026");
	assert_false(account_when(1782909000, false, out, 8));
}

static void rule_forms(void **state)
{
	json_t *e;
	enum role r = ROLE__MAX;

	UNUSED(state);
	e = account_check_new_password(PW1, PW2, NULL, false, NULL, NULL);
	assert_int_equal(json_array_size(e), 1);
	assert_non_null(web_error_for(e, "password_confirm"));
	json_decref(e);
	e = account_check_new_password(PW1, PW1, "", true, NULL, NULL);
	assert_int_equal(json_array_size(e), 1);
	assert_string_equal(web_error_for(e, "current_password"), "Enter your current password");
	json_decref(e);
	e = account_check_new_password(PW1, PW1, "x", true, NULL, NULL);
	assert_int_equal(json_array_size(e), 0);
	json_decref(e);
	e = account_check_login("  ", NULL);
	assert_int_equal(json_array_size(e), 2);
	json_decref(e);
	e = account_check_grant("peer_supporter", NULL, &r);
	assert_int_equal(json_array_size(e), 0);
	assert_int_equal(r, ROLE_PEER_SUPPORTER);
	json_decref(e);
	e = account_check_grant("organiser", "not-a-uuid", &r);
	assert_non_null(web_error_for(e, "org_id"));
	json_decref(e);
	e = account_check_grant("", NULL, &r);
	assert_string_equal(web_error_for(e, "role"), "Choose a role");
	json_decref(e);
	e = account_check_token_name("");
	assert_non_null(web_error_for(e, "token_name"));
	json_decref(e);
	assert_true(account_role_parse("peer-supporter", &r) && r == ROLE_PEER_SUPPORTER);
	assert_true(account_role_parse("link_worker", &r) && r == ROLE_LINK_WORKER);
	assert_false(account_role_parse("wizard", &r));
	assert_false(account_role_parse("", &r));
	assert_string_equal(account_role_words(ROLE_LINK_WORKER), "Link worker");
}

/* ---------------------------------------------------------------- forms on the one POST path */

static void email_change_keeps_what_was_typed(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 };
	struct rt_resp r;

	rt_person(t, "Kat Slater", "kat@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);
	rt_person(t, "Zoe Slater", "zoe@example.org", NULL, ROLE_BIT(ROLE_MEMBER), NULL);
	sign_in(t, &c, "kat%40example.org", PW1_F);
	rt_browser_get(t, &c, "/account/email", &r);
	rt_resp_free(&r);
	/* Both fields wrong: both said, the address kept. */
	rt_browser_post(t, &c, "/account/email", "email=kat.new%40&current_password=", &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "<title>Error: Change your email address"));
	assert_true(rt_has(&r, "href=\"#email\""));
	assert_true(rt_has(&r, "Enter your current password"));
	assert_true(rt_has(&r, "value=\"kat.new@\""));
	rt_resp_free(&r);
	/* The address they have already, in other letters. */
	rt_browser_post(t, &c, "/account/email", "email=KAT%40example.org&current_password=" PW1_F, &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "That is already your email address"));
	assert_true(rt_has(&r, "value=\"KAT@example.org\""));
	assert_false(rt_has(&r, PW1));
	rt_resp_free(&r);
	/* Someone else's: rolled back, what was typed kept, the password not. */
	rt_browser_post(t, &c, "/account/email", "email=Zoe%40example.org&current_password=" PW1_F, &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "Another account uses this email address"));
	assert_true(rt_has(&r, "value=\"Zoe@example.org\""));
	assert_false(rt_has(&r, PW1));
	rt_resp_free(&r);
	assert_int_equal(rt_mail_all(t), 0);
	assert_int_equal(rt_audit_n(t, "email.changed"), 0);
	assert_int_equal(rt_audit_n(t, "login.failed"), 0);
}

static void register_taken_address_counts_against_limit(void **state)
{
	const char *const settings[] = { "rate_limit=0", "register_limit_ip=1", NULL };
	struct rt *t2 = rt_new_like(*state, settings);
	struct rt_browser a = { .ip = "192.0.2.20" };
	struct rt_resp r;

	rt_person(t2, "Pat Butcher", "pat@example.org", NULL, ROLE_BIT(ROLE_MEMBER), NULL);
	rt_browser_get(t2, &a, "/register", &r);
	rt_resp_free(&r);
	/* A form with field errors is not an attempt. */
	rt_browser_post(t2, &a, "/register", "name=&email=pat%40example.org&password=" PW1_F, &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "href=\"#name\""));
	rt_resp_free(&r);
	/* An address with an account is: the attempt stays counted although
	 * the form fails and the account's write is rolled back. */
	rt_browser_post(t2, &a, "/register", "name=Someone+Else&email=pat%40example.org&password=" PW1_F, &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "An account with this email address already exists"));
	rt_resp_free(&r);
	rt_browser_post(t2, &a, "/register", "name=Ann+One&email=ann1%40example.org&password=" PW1_F, &r);
	assert_int_equal(r.status, 429);
	assert_true(rt_has(&r, "Wait an hour"));
	rt_resp_free(&r);
	assert_int_equal(rt_audit_n(t2, "register.rate_limited"), 1);
	assert_int_equal(rt_audit_n(t2, "register"), 0);
	assert_int_equal(rt_mail_all(t2), 0);
	rt_free(t2);
}

static void wrong_current_password_counts_against_sign_in(void **state)
{
	const char *const settings[] = { "rate_limit=0", "login_limit=1", NULL };
	struct rt *t2 = rt_new_like(*state, settings);
	struct rt_browser c = { .ip = "198.51.100.30" };
	struct rt_resp r;
	int64_t id = rt_person(t2, "Kat Slater", "kat@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);

	sign_in(t2, &c, "kat%40example.org", PW1_F);
	rt_browser_get(t2, &c, "/account/email", &r);
	rt_resp_free(&r);
	rt_browser_post(t2, &c, "/account/email", "email=kat.new%40example.org&current_password=" PW2_F, &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "The password is not right"));
	rt_resp_free(&r);
	assert_int_equal(rt_audit_about(t2, "login.failed", id), 1);
	/* The same counter as signing in: the next form waits, right or not. */
	rt_browser_post(t2, &c, "/account/password", "current_password=" PW1_F "&password=" PW2_F
		"&password_confirm=" PW2_F, &r);
	assert_int_equal(r.status, 429);
	assert_true(rt_has(&r, "too many times"));
	rt_resp_free(&r);
	rt_browser_post(t2, &c, "/account/delete", "current_password=" PW1_F, &r);
	assert_int_equal(r.status, 429);
	rt_resp_free(&r);
	assert_int_equal(rt_audit_about(t2, "login.rate_limited", id), 2);
	assert_int_equal(rt_audit_about(t2, "password.changed", id), 0);
	assert_int_equal(rt_audit_about(t2, "account.delete_requested", id), 0);
	rt_free(t2);
}

static void password_change_rules_across_fields(void **state)
{
	const char *const settings[] = { "rate_limit=0", "login_limit=1", NULL };
	struct rt *t2 = rt_new_like(*state, settings);
	struct rt_browser c = { .ip = "198.51.100.31" };
	struct rt_resp r;
	int64_t id = rt_person(t2, "Kat Slater", "kat@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);

	sign_in(t2, &c, "kat%40example.org", PW1_F);
	rt_browser_get(t2, &c, "/account/password", &r);
	rt_resp_free(&r);
	/* Two boxes that differ: said before the current password is tried,
	 * so a wrong one is not counted. */
	rt_browser_post(t2, &c, "/account/password", "current_password=" PW2_F "&password=" PW2_F
		"&password_confirm=something+else+entirely", &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "The passwords do not match"));
	assert_true(rt_has(&r, "href=\"#password_confirm\""));
	assert_false(rt_has(&r, "href=\"#current_password\""));
	assert_false(rt_has(&r, PW2));
	rt_resp_free(&r);
	/* Their own name in it. */
	rt_browser_post(t2, &c, "/account/password", "current_password=" PW1_F
		"&password=kat+slater+rocks+99&password_confirm=kat+slater+rocks+99", &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "it must not contain your name"));
	rt_resp_free(&r);
	assert_int_equal(rt_audit_about(t2, "login.failed", id), 0);
	rt_browser_post(t2, &c, "/account/password", "current_password=" PW1_F "&password=" PW2_F
		"&password_confirm=" PW2_F, &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(loc(&r), "/account?done=password");
	rt_resp_free(&r);
	rt_free(t2);
}

static void token_name_kept_when_refused(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 };
	struct rt_resp r;
	char fields[256] = "token_name=";

	rt_person(t, "Kat Slater", "kat@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);
	sign_in(t, &c, "kat%40example.org", PW1_F);
	rt_browser_get(t, &c, "/account/tokens", &r);
	rt_resp_free(&r);
	memset(fields + strlen(fields), 'x', 101);
	rt_browser_post(t, &c, "/account/tokens", fields, &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "<title>Error: API tokens"));
	assert_true(rt_has(&r, "The name must be 100 characters or fewer"));
	assert_true(rt_has(&r, fields + strlen("token_name=")));
	assert_true(rt_has(&r, "You have no API tokens."));
	rt_resp_free(&r);
	assert_int_equal(rt_audit_n(t, "token.created"), 0);
}

static void login_keeps_next_when_wrong(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 };
	struct rt_resp r;

	rt_person(t, "Kat Slater", "kat@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);
	rt_browser_get(t, &c, "/login?next=%2Faccount%2Ftokens", &r);
	rt_resp_free(&r);
	rt_browser_post(t, &c, "/login", "next=%2Faccount%2Ftokens&email=kat%40example.org&password=" PW2_F, &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "name=\"next\" value=\"/account/tokens\""));
	assert_true(rt_has(&r, "value=\"kat@example.org\""));
	rt_resp_free(&r);
	rt_browser_post(t, &c, "/login", "next=%2Faccount%2Ftokens&email=kat%40example.org&password=" PW1_F, &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(loc(&r), "/account/tokens");
	rt_resp_free(&r);
}

static void set_link_refuses_name_and_stays_usable(void **state)
{
	struct rt *t = *state;
	struct rt_browser c = { 0 };
	struct rt_resp r;
	char path[160], token[TOKEN_HEX + 1];
	int64_t id = rt_person(t, "Phil Mitchell", "phil@example.org", NULL, ROLE_BIT(ROLE_MEMBER), NULL);

	assert_int_equal(onetime_create(rt_db(t), OT_SET_PASSWORD, id, NULL, time_now(),
					ACCOUNT_SET_TTL, token), ERR_OK);
	snprintf(path, sizeof(path), "/set-password/%s", token);
	assert_int_equal(status_of(t, &c, path), 200);
	rt_browser_post(t, &c, path, "password=" PW1_F "&password_confirm=", &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "Enter the new password again"));
	assert_true(rt_has(&r, "<title>Error: Choose a password"));
	rt_resp_free(&r);
	rt_browser_post(t, &c, path, "password=phil+mitchell+99&password_confirm=phil+mitchell+99", &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "must not contain your name"));
	assert_true(rt_has(&r, "action=\"/set-password/"));
	rt_resp_free(&r);
	rt_browser_post(t, &c, path, "password=" PW1_F "&password_confirm=" PW1_F, &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(loc(&r), "/account?done=password_reset");
	rt_resp_free(&r);
	/* Used: gone. */
	assert_int_equal(status_of(t, &c, path), 404);
	assert_int_equal(rt_audit_about(t, "password.reset", id), 1);
}

int main(void)
{
	int failed = 0;
	const struct CMUnitTest rules[] = {
		cmocka_unit_test(rule_next_is_local_only),
		cmocka_unit_test(rule_when_in_uk_time),
		cmocka_unit_test(rule_forms),
	};
#define T(fn) cmocka_unit_test_setup_teardown(fn, rt_setup, teardown)
	const struct CMUnitTest tests[] = {
		T(register_page_is_a_form),
		T(register_errors_keep_what_was_typed),
		T(register_needs_form_token),
		T(register_signs_in_and_sends_link),
		T(register_same_email_any_case),
		T(register_rate_limited_per_address),
		T(verify_link_needs_a_post_and_works_once),
		T(verify_resend_when_signed_in),
		T(visitors_are_sent_to_sign_in),
		T(login_wrong_then_right),
		T(login_returns_to_local_pages_only),
		T(login_rate_limited_per_account),
		T(login_rate_limited_per_address),
		T(logout_ends_the_session),
		T(password_reset_by_email),
		T(password_reset_link_expires_in_an_hour),
		T(password_reset_rate_limited),
		T(set_password_link),
		T(details_change),
		T(email_change),
		T(password_change),
		T(password_change_revokes_api_tokens),
		T(sign_in_lands_on_work),
		T(sessions_list_and_revoke),
		T(api_tokens_shown_once),
		T(download_my_data),
		T(deactivate_and_come_back),
		T(delete_with_grace_period),
		T(navigation_by_role),
		T(email_change_keeps_what_was_typed),
		T(register_taken_address_counts_against_limit),
		T(wrong_current_password_counts_against_sign_in),
		T(password_change_rules_across_fields),
		T(token_name_kept_when_refused),
		T(login_keeps_next_when_wrong),
		T(set_link_refuses_name_and_stays_usable),
	};
#undef T

	failed += _cmocka_run_group_tests("account/rules", rules, ARRAY_LEN(rules), NULL, NULL);
	failed += testdb_run_groups("account", tests, ARRAY_LEN(tests));
	return failed ? 1 : 0;
}
