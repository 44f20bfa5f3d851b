/*
 * test_referral.c - the rules of referrals without a database: the
 * vocabularies round-trip, NHS numbers (check digit, the impossible check
 * digit 10, spaces and hyphens forgiven), who is which party, every
 * step of the lifecycle for every party against a table written out by
 * hand, the "still attending" wait, and what referral_check says about
 * each bad field.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/timeutil.h"
#include "core/uktime.h"
#include "referral/referral.h"

#define DAY INT64_C(86400)

/* ---------------------------------------------------------------- vocabularies */

static void vocab_round_trips(void **state)
{
	UNUSED(state);
	for (int i = 0; i < REF__MAX; i++) {
		enum ref_status s;

		assert_true(ref_status_parse(ref_status_name((enum ref_status)i), &s));
		assert_int_equal(s, i);
		assert_true(*ref_status_words((enum ref_status)i));
	}
	for (int i = 0; i < REF_SRC__MAX; i++) {
		enum ref_source s;

		assert_true(ref_source_parse(ref_source_name((enum ref_source)i), &s));
		assert_int_equal(s, i);
		assert_true(*ref_source_words((enum ref_source)i));
	}
	for (int i = 0; i < REF_TARGET__MAX; i++) {
		enum ref_target t;

		assert_true(ref_target_parse(ref_target_name((enum ref_target)i), &t));
		assert_int_equal(t, i);
	}
	for (int i = 0; i < CONTACT__MAX; i++) {
		enum contact_by c;

		assert_true(contact_by_parse(contact_by_name((enum contact_by)i), &c));
		assert_int_equal(c, i);
		assert_true(*contact_by_words((enum contact_by)i));
	}
	for (int i = 0; i < CONSENT__MAX; i++) {
		enum consent_purpose p;

		assert_true(consent_purpose_parse(consent_purpose_name((enum consent_purpose)i), &p));
		assert_int_equal(p, i);
		assert_true(*consent_purpose_words((enum consent_purpose)i));
	}
	for (int i = 0; i < CONSENT_METHOD__MAX; i++) {
		enum consent_method m;

		assert_true(consent_method_parse(consent_method_name((enum consent_method)i), &m));
		assert_int_equal(m, i);
	}
	/* The stored names the schema's CHECK constraints list. */
	assert_string_equal(ref_status_name(REF_SUSTAINED), "sustained");
	assert_string_equal(ref_source_name(REF_SRC_GP_PRACTICE), "gp_practice");
	assert_string_equal(ref_target_name(REF_TARGET_HELP), "help_request");
	assert_string_equal(contact_by_name(CONTACT_LINK_WORKER), "link_worker");
	assert_string_equal(contact_by_words(CONTACT_LINK_WORKER), "Through their link worker");
}

static void vocab_refuses_unknown(void **state)
{
	enum ref_status s;
	enum ref_source src;
	enum ref_target t;
	enum contact_by c;
	enum consent_purpose p;
	enum consent_method m;

	UNUSED(state);
	assert_false(ref_status_parse("Sent", &s));
	assert_false(ref_status_parse("", &s));
	assert_false(ref_status_parse(NULL, &s));
	assert_false(ref_source_parse("gp", &src));
	assert_false(ref_target_parse("services", &t));
	assert_false(contact_by_parse("sms", &c));
	assert_false(consent_purpose_parse("everything", &p));
	assert_false(consent_method_parse("telepathy", &m));
	assert_string_equal(ref_status_name((enum ref_status)99), "");
	assert_false(ref_status_open(REF_DECLINED));
	assert_false(ref_status_open(REF_CLOSED));
	assert_false(ref_status_open(REF_WITHDRAWN));
	assert_true(ref_status_open(REF_SENT));
	assert_true(ref_status_open(REF_SUSTAINED));
}

static void code_lists(void **state)
{
	static const char *const decline[] = { "full", "not_suitable", "outside_area",
					       "person_declined", "other" };
	static const char *const close[] = { "completed", "stopped_attending", "could_not_contact",
					     "person_declined", "moved_away", "service_ended", "other" };

	UNUSED(state);
	assert_int_equal(ref_decline_reasons_n, ARRAY_LEN(decline));
	for (size_t i = 0; i < ARRAY_LEN(decline); i++)
		assert_int_equal(ref_code_find(ref_decline_reasons, ref_decline_reasons_n, decline[i]), i);
	assert_int_equal(ref_close_reasons_n, ARRAY_LEN(close));
	for (size_t i = 0; i < ARRAY_LEN(close); i++)
		assert_int_equal(ref_code_find(ref_close_reasons, ref_close_reasons_n, close[i]), i);
	assert_int_equal(ref_code_find(ref_close_reasons, ref_close_reasons_n, "full"), -1);
	assert_int_equal(ref_code_find(ref_needs, ref_needs_n, NULL), -1);
	/* One bit each in a BIGINT; codes unique. */
	assert_true(ref_needs_n >= 8 && ref_needs_n <= 63);
	for (size_t i = 0; i < ref_needs_n; i++) {
		assert_int_equal(ref_code_find(ref_needs, ref_needs_n, ref_needs[i].code), i);
		assert_true(*ref_needs[i].name);
	}
	assert_true(ref_code_find(ref_needs, ref_needs_n, "loneliness") >= 0);
	assert_true(ref_code_find(ref_needs, ref_needs_n, "housing") >= 0);
}

/* ---------------------------------------------------------------- NHS numbers */

static void nhs_numbers(void **state)
{
	char out[11];

	UNUSED(state);
	assert_true(nhs_number_valid("9434765919", out));
	assert_string_equal(out, "9434765919");
	assert_true(nhs_number_valid("943 476 5919", out));
	assert_string_equal(out, "9434765919");
	assert_true(nhs_number_valid("943-476-5919", out));
	assert_true(nhs_number_valid("4010232137", out));
	assert_string_equal(out, "4010232137");
	/* Remainder 0: the check digit is 0 (11 becomes 0). */
	assert_true(nhs_number_valid("0000000000", NULL));

	/* Each wrong final digit. */
	for (char d = '0'; d <= '9'; d++) {
		char s[11] = "943476591";

		s[9] = d;
		s[10] = '\0';
		assert_int_equal(nhs_number_valid(s, out), d == '9');
		if (d != '9')
			assert_string_equal(out, "");
	}
	/* 0,0,0,0,0,0,0,0,6 weighs 12: remainder 1, check digit 10, so no
	 * final digit makes it valid. */
	for (char d = '0'; d <= '9'; d++) {
		char s[11] = "000000006";

		s[9] = d;
		s[10] = '\0';
		assert_false(nhs_number_valid(s, NULL));
	}
	assert_false(nhs_number_valid("943476591", NULL));      /* nine digits */
	assert_false(nhs_number_valid("94347659190", NULL));    /* eleven */
	assert_false(nhs_number_valid("943476591X", NULL));
	assert_false(nhs_number_valid("943.476.5919", NULL));
	assert_false(nhs_number_valid("", NULL));
	assert_false(nhs_number_valid(NULL, NULL));
	assert_false(nhs_number_valid("9434765919                                    ", NULL));
}

/* ---------------------------------------------------------------- parties */

static void parties(void **state)
{
	struct ref_meta m = { .person_account = 7, .referrer_id = 8, .target_org_id = "org-a" };
	struct actor person = { .id = 7, .roles = ROLE_BIT(ROLE_MEMBER) };
	struct actor lw = { .id = 8, .roles = ROLE_BIT(ROLE_LINK_WORKER) };
	struct actor org = { .id = 9, .roles = ROLE_BIT(ROLE_ORGANISER), .org_id = "org-a" };
	struct actor other_org = { .id = 10, .roles = ROLE_BIT(ROLE_ORGANISER), .org_id = "org-b" };
	struct actor coord = { .id = 11, .roles = ROLE_BIT(ROLE_COORDINATOR) };
	struct actor admin = { .id = 12, .roles = ROLE_BIT(ROLE_ADMIN) };
	struct actor comm = { .id = 13, .roles = ROLE_BIT(ROLE_COMMISSIONER) };
	struct actor visitor = { 0 };
	struct actor not_organiser = { .id = 14, .roles = ROLE_BIT(ROLE_MEMBER), .org_id = "org-a" };
	struct ref_meta visitor_self = { .person_account = 0, .referrer_id = 0, .target_org_id = "" };

	UNUSED(state);
	assert_int_equal(referral_parties(&person, &m), PARTY_PERSON);
	assert_int_equal(referral_parties(&lw, &m), PARTY_REFERRER);
	assert_int_equal(referral_parties(&org, &m), PARTY_RECEIVER);
	assert_int_equal(referral_parties(&other_org, &m), PARTY_NONE);
	assert_int_equal(referral_parties(&coord, &m), PARTY_STAFF | PARTY_COORDINATOR);
	assert_int_equal(referral_parties(&admin, &m), PARTY_STAFF);
	assert_int_equal(referral_parties(&comm, &m), PARTY_NONE);
	assert_int_equal(referral_parties(&visitor, &m), PARTY_NONE);
	assert_int_equal(referral_parties(&not_organiser, &m), PARTY_NONE);
	/* A visitor's self-referral has no account and no referrer: a
	 * visitor (id 0) is never its person or referrer. */
	assert_int_equal(referral_parties(&visitor, &visitor_self), PARTY_NONE);
	m.referrer_id = 7;
	assert_int_equal(referral_parties(&person, &m), PARTY_PERSON | PARTY_REFERRER);
}

/* ---------------------------------------------------------------- the lifecycle */

/* Which steps make sense, by hand: row from, column to, in enum order
 * (sent accepted declined contacted attended sustained closed withdrawn). */
static const char *const sense[REF__MAX] = {
	/*               s a d c A S x w */
	[REF_SENT] =      "-YY----Y",
	[REF_ACCEPTED] =  "---Y--YY",
	[REF_DECLINED] =  "--------",
	[REF_CONTACTED] = "----Y-YY",
	[REF_ATTENDED] =  "-----YYY",
	[REF_SUSTAINED] = "------YY",
	[REF_CLOSED] =    "--------",
	[REF_WITHDRAWN] = "--------",
};

/* Who may take a step into each status, by hand: R receiver, F referrer,
 * P person, S staff. Nobody may step into "sent" (it makes no sense for
 * every party; only someone who is no party at all is told no first). */
static const char *const who[REF__MAX] = {
	[REF_SENT] = "RFPS",
	[REF_ACCEPTED] = "RS", [REF_DECLINED] = "RS", [REF_CONTACTED] = "RS",
	[REF_ATTENDED] = "RS", [REF_SUSTAINED] = "RS",
	[REF_CLOSED] = "RFS",
	[REF_WITHDRAWN] = "FPS",
};

static bool may(unsigned parties, enum ref_status to)
{
	return ((parties & PARTY_RECEIVER) && strchr(who[to], 'R')) ||
	       ((parties & PARTY_REFERRER) && strchr(who[to], 'F')) ||
	       ((parties & PARTY_PERSON) && strchr(who[to], 'P')) ||
	       ((parties & PARTY_STAFF) && strchr(who[to], 'S'));
}

static void lifecycle_matrix(void **state)
{
	static const unsigned party_sets[] = {
		PARTY_NONE, PARTY_RECEIVER, PARTY_REFERRER, PARTY_PERSON, PARTY_STAFF,
		PARTY_RECEIVER | PARTY_REFERRER, PARTY_PERSON | PARTY_REFERRER,
		PARTY_RECEIVER | PARTY_STAFF,
	};
	int64_t now = INT64_C(1768471200);
	int64_t attended = now - 60 * DAY;   /* long enough ago for "still attending" */
	size_t checked = 0;

	UNUSED(state);
	for (size_t p = 0; p < ARRAY_LEN(party_sets); p++)
		for (int from = 0; from < REF__MAX; from++)
			for (int to = 0; to < REF__MAX; to++) {
				char why[256];
				enum err want, got;

				if (!may(party_sets[p], (enum ref_status)to))
					want = ERR_FORBIDDEN;
				else if (sense[from][to] == 'Y')
					want = ERR_OK;
				else
					want = ERR_CONFLICT;
				got = referral_can_move(party_sets[p], (enum ref_status)from,
							(enum ref_status)to, attended, 6, now,
							why, sizeof(why));
				if (got != want)
					fail_msg("parties %u, %s -> %s: got %s, want %s (%s)",
						 party_sets[p], ref_status_name((enum ref_status)from),
						 ref_status_name((enum ref_status)to), err_name(got),
						 err_name(want), why);
				/* A refusal always says why, in a sentence. */
				if (got != ERR_OK)
					assert_true(strlen(why) > 10 && why[strlen(why) - 1] == '.');
				else
					assert_string_equal(why, "");
				checked++;
			}
	assert_int_equal(checked, ARRAY_LEN(party_sets) * REF__MAX * REF__MAX);
}

static void lifecycle_words(void **state)
{
	int64_t now = INT64_C(1768471200);
	char why[256];

	UNUSED(state);
	assert_int_equal(referral_can_move(PARTY_RECEIVER, REF_SENT, REF_ATTENDED, 0, 6, now,
					   why, sizeof(why)), ERR_CONFLICT);
	assert_non_null(strstr(why, "has not been accepted yet"));
	assert_int_equal(referral_can_move(PARTY_RECEIVER, REF_ACCEPTED, REF_ATTENDED, 0, 6, now,
					   why, sizeof(why)), ERR_CONFLICT);
	assert_non_null(strstr(why, "has not been contacted yet"));
	assert_int_equal(referral_can_move(PARTY_STAFF, REF_CLOSED, REF_ACCEPTED, 0, 6, now,
					   why, sizeof(why)), ERR_CONFLICT);
	assert_non_null(strstr(why, "already been closed"));
	assert_int_equal(referral_can_move(PARTY_RECEIVER, REF_SENT, REF_WITHDRAWN, 0, 6, now,
					   why, sizeof(why)), ERR_FORBIDDEN);
	assert_non_null(strstr(why, "withdraw"));
	/* No buffer for the reason is allowed. */
	assert_int_equal(referral_can_move(PARTY_RECEIVER, REF_SENT, REF_ACCEPTED, 0, 6, now,
					   NULL, 0), ERR_OK);
}

static void still_attending_waits(void **state)
{
	int64_t now = uk_to_utc(2026, 3, 10, 12, 0);
	int64_t six_weeks = 6 * 7 * DAY;
	char why[256], date[UK_FORMAT_MAX];

	UNUSED(state);
	/* One second early: refused, naming the date it becomes possible. */
	assert_int_equal(referral_can_move(PARTY_RECEIVER, REF_ATTENDED, REF_SUSTAINED,
					   now - six_weeks + 1, 6, now, why, sizeof(why)),
			 ERR_CONFLICT);
	uk_format_date(now + 1, date, sizeof(date));
	assert_non_null(strstr(why, date));
	assert_non_null(strstr(why, "6 weeks"));
	/* On the dot, and with another setting. */
	assert_int_equal(referral_can_move(PARTY_RECEIVER, REF_ATTENDED, REF_SUSTAINED,
					   now - six_weeks, 6, now, why, sizeof(why)), ERR_OK);
	assert_int_equal(referral_can_move(PARTY_STAFF, REF_ATTENDED, REF_SUSTAINED,
					   now - six_weeks, 8, now, why, sizeof(why)), ERR_CONFLICT);
	assert_non_null(strstr(why, "8 weeks"));
	/* Never attended (no time): refused. */
	assert_int_equal(referral_can_move(PARTY_STAFF, REF_ATTENDED, REF_SUSTAINED, 0, 6, now,
					   why, sizeof(why)), ERR_CONFLICT);
}

/* ---------------------------------------------------------------- referral_check */

static const char *good_needs[] = { "loneliness", "physical_activity" };

static struct ref_new good(void)
{
	return (struct ref_new){
		.person = { .name = "Kwame Mensah", .email = "kwame@example.net",
			    .phone = "07700 900101", .contact_by = "phone", .language = "en",
			    .birth_date = "1956-03-27", .nhs_number = "943 476 5919" },
		.consent_share = true, .consent_contact = true, .consent_method = "verbal",
		.target_type = "service", .target_id = "5e0f3c7a-1d2b-4c3d-8e9f-0a1b2c3d4e5f",
		.reason = "I'd like to meet people.", .needs = good_needs, .nneeds = 2,
	};
}

/* The fields errors names, as one "a,b," string. */
static char *fields_of(json_t *errors)
{
	static char out[512];
	size_t i;
	json_t *e;

	out[0] = '\0';
	json_array_foreach(errors, i, e) {
		const char *f = json_string_value(json_object_get(e, "field"));
		const char *d = json_string_value(json_object_get(e, "detail"));

		assert_non_null(f);
		assert_non_null(d);
		assert_true(strlen(d) > 10);
		strncat(out, f, sizeof(out) - strlen(out) - 2);
		strncat(out, ",", sizeof(out) - strlen(out) - 1);
	}
	return out;
}

/* The day the field checks run on: a birth date in 2027 is in the future. */
#define CHECK_NOW uk_to_utc(2026, 1, 15, 10, 0)

/* referral_check's fields for n. */
static const char *check(const struct ref_new *n)
{
	json_t *errors = json_array();
	bool ok = referral_check(n, CHECK_NOW, errors);
	const char *f = fields_of(errors);

	assert_int_equal(ok, json_array_size(errors) == 0);
	json_decref(errors);
	return f;
}

static void check_accepts_good(void **state)
{
	struct ref_new n = good();

	UNUSED(state);
	assert_string_equal(check(&n), "");
	/* Only words, no needs; only needs, no words. */
	n.nneeds = 0;
	assert_string_equal(check(&n), "");
	n = good();
	n.reason = NULL;
	assert_string_equal(check(&n), "");
	/* Optional details left out. */
	n = good();
	n.person.email = n.person.language = n.person.birth_date = n.person.nhs_number = "";
	assert_string_equal(check(&n), "");
	/* Someone on the caseload: no person needed. */
	n = good();
	memset(&n.person, 0, sizeof(n.person));
	n.client_id = "6a1f3c7a-1d2b-4c3d-8e9f-0a1b2c3d4e5f";
	assert_string_equal(check(&n), "");
	/* A self-referral gives consent online: no method to choose. */
	n = good();
	n.consent_method = NULL;
	n.source = "self";
	assert_string_equal(check(&n), "");
}

static void check_fields(void **state)
{
	static char long_reason[2100];
	struct ref_new n;

	UNUSED(state);
#define EXPECT(change, fields) do { n = good(); change; assert_string_equal(check(&n), fields); } while (0)
	EXPECT(n.person.name = "", "person.name,");
	EXPECT(n.person.name = "   ", "person.name,");
	EXPECT(n.person.name = "Two\nlines", "person.name,");
	EXPECT(n.person.email = "not-an-email", "person.email,");
	EXPECT((n.person.contact_by = "email", n.person.email = NULL), "person.email,");
	EXPECT((n.person.contact_by = "phone", n.person.phone = ""), "person.phone,");
	EXPECT(n.person.phone = "call me maybe", "person.phone,");
	EXPECT(n.person.contact_by = "post", "person.address,");
	EXPECT((n.person.contact_by = "post", n.person.address = "1 High Street\nScunthorpe"), "");
	EXPECT(n.person.contact_by = NULL, "person.contact_by,");
	EXPECT(n.person.contact_by = "pigeon", "person.contact_by,");
	EXPECT((n.person.contact_by = "link_worker", n.person.phone = NULL, n.person.email = NULL), "");
	EXPECT(n.person.language = "klingon", "person.language,");
	EXPECT(n.person.birth_date = "27/03/1956", "person.birth_date,");
	EXPECT(n.person.birth_date = "1956-02-30", "person.birth_date,");
	EXPECT(n.person.birth_date = "2027-01-01", "person.birth_date,");     /* the future */
	EXPECT(n.person.birth_date = "1850-01-01", "person.birth_date,");
	EXPECT(n.person.nhs_number = "943 476 5918", "person.nhs_number,");  /* check digit */
	EXPECT(n.person.nhs_number = "0000000060", "person.nhs_number,");    /* check digit 10 */
	EXPECT(n.consent_share = false, "consent.share,");
	EXPECT(n.consent_method = NULL, "consent.method,");
	EXPECT(n.consent_method = "shrug", "consent.method,");
	EXPECT(n.target_type = "spaceship", "target.type,");
	EXPECT(n.target_type = NULL, "target.type,");
	EXPECT(n.target_id = "not-a-uuid", "target.id,");
	EXPECT(n.target_id = NULL, "target.id,");
	memset(long_reason, 'a', 2001);
	EXPECT(n.reason = long_reason, "reason,");
	EXPECT(n.reason = "bad \xff byte", "reason,");
	{
		static const char *bad[] = { "loneliness", "unicorns" };

		EXPECT((n.needs = bad, n.nneeds = 2), "needs,");
	}
	EXPECT((n.needs = NULL, n.nneeds = 0, n.reason = " "), "needs,");
	EXPECT(n.source = "rumour", "source,");
	EXPECT((memset(&n.person, 0, sizeof(n.person)), n.client_id = "nope"), "client_id,");
	/* Everything at once: each field named once, in form order. */
	EXPECT((n.person.name = NULL, n.consent_share = false, n.target_id = "x"),
	       "person.name,consent.share,target.id,");
#undef EXPECT
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vocab_round_trips),
		cmocka_unit_test(vocab_refuses_unknown),
		cmocka_unit_test(code_lists),
		cmocka_unit_test(nhs_numbers),
		cmocka_unit_test(parties),
		cmocka_unit_test(lifecycle_matrix),
		cmocka_unit_test(lifecycle_words),
		cmocka_unit_test(still_attending_waits),
		cmocka_unit_test(check_accepts_good),
		cmocka_unit_test(check_fields),
	};

	return cmocka_run_group_tests_name("referral", tests, NULL, NULL);
}
