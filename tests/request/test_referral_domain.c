/*
 * test_referral_domain.c - referrals below the pages and the API, on a
 * real app and database: making one (and the 409 for a second open one,
 * allowed again once it ends), every step and its event, who may take
 * it, consent and what withdrawing it stops, what each party may read
 * (the receiver never a date of birth or NHS number, commissioners
 * nothing), the audit of reads and "who has looked", claiming a record by
 * a verified email, the follow-up job, the emails each step owes (and
 * that none carries a name, a reason or a need), the overview's numbers
 * and medians, the CSV's quoting, download and erasure.
 * SQLite and, with KITH_TEST_PG_URL, PostgreSQL.
 */
#include "core/common.h"
#include "org/org.h"

#include <setjmp.h>
#include <cmocka.h>

#include "app/features.h"
#include "auth/person.h"
#include "core/uktime.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "directory/directory.h"
#include "directory/vocab.h"
#include "people/people.h"
#include "referral/referral.h"
#include "referral/referral_feature.h"
#include "store/store.h"
#include "support/cast.h"
#include "support/reqtest.h"

#define ORG_A "a0000000-0000-4000-8000-00000000000a"    /* two organisers, one unverified */
#define ORG_B "b0000000-0000-4000-8000-00000000000b"    /* one organiser */
#define ORG_C "c0000000-0000-4000-8000-00000000000c"    /* no organisers, its own email */
#define ORG_D "d0000000-0000-4000-8000-00000000000d"    /* nobody to tell */
#define DAY INT64_C(86400)
/* 15 January 2026, 10:00 UTC. */
#define T0 INT64_C(1768471200)

#define R(x) ROLE_BIT(ROLE_##x)

static const struct sql q_folded = { "t.ref_folded",
	"SELECT count(*) FROM referral WHERE id = $1 AND folded_into = $2 AND open_key IS NULL", NULL };
static const struct sql q_org_email = { "trd.org_email",
	"UPDATE organisation SET email = $2 WHERE id = $1", NULL };
static const struct sql q_events = { "trd.events",
	"SELECT count(*) FROM referral_event WHERE referral_id = $1", NULL };
static const struct sql q_events_note = { "trd.events_note",
	"SELECT count(*) FROM referral_event WHERE referral_id = $1 AND to_status = $2 AND note = $3", NULL };
static const struct sql q_status = { "trd.status",
	"SELECT count(*) FROM referral WHERE id = $1 AND status = $2", NULL };
static const struct sql q_open_key = { "trd.open_key",
	"SELECT count(*) FROM referral WHERE id = $1 AND open_key IS NOT NULL", NULL };
static const struct sql q_reads = { "trd.reads",
	"SELECT count(*) FROM audit WHERE action = 'referral.read' AND detail = $1", NULL };
static const struct sql q_reads_by = { "trd.reads_by",
	"SELECT count(*) FROM audit WHERE action = 'referral.read' AND detail = $1 AND actor_id = $2 "
	"AND subject_id = $3", NULL };
static const struct sql q_reads_nosubject = { "trd.reads_nosubject",
	"SELECT count(*) FROM audit WHERE action = 'referral.read' AND detail = $1 AND actor_id = $2 "
	"AND subject_id IS NULL", NULL };
static const struct sql q_client_account = { "trd.client_account",
	"SELECT coalesce(c.account_id, 0) FROM referral r JOIN client c ON c.id = r.client_id "
	"WHERE r.id = $1", NULL };
static const struct sql q_client_erased = { "trd.client_erased",
	"SELECT count(*) FROM referral r JOIN client c ON c.id = r.client_id WHERE r.id = $1 "
	"AND c.name = 'Erased' AND c.email IS NULL AND c.phone IS NULL AND c.nhs_number IS NULL "
	"AND c.birth_date IS NULL AND c.erased_at IS NOT NULL AND r.reason IS NULL AND r.needs = 0", NULL };
static const struct sql q_notes = { "trd.notes",
	"SELECT count(*) FROM referral_event WHERE referral_id = $1 AND (note IS NOT NULL OR "
	"reason IS NOT NULL OR actor_id IS NOT NULL)", NULL };
static const struct sql q_referrer_null = { "trd.referrer_null",
	"SELECT count(*) FROM referral WHERE id = $1 AND referrer_id IS NULL", NULL };
static const struct sql q_mail_all_ref = { "trd.mail_all_ref",
	"SELECT count(*) FROM outbox WHERE template LIKE 'referral%'", NULL };
static const struct sql q_mail_leak = { "trd.mail_leak",
	"SELECT count(*) FROM outbox WHERE template LIKE 'referral%' AND ("
	"body_text LIKE $1 OR coalesce(body_html, '') LIKE $1 OR subject LIKE $1)", NULL };
static const struct sql q_consent_rows = { "trd.consent_rows",
	"SELECT count(*) FROM consent k JOIN referral r ON r.client_id = k.client_id "
	"WHERE r.id = $1 AND k.purpose = $2 AND k.withdrawn_at IS NULL", NULL };
static const struct sql q_source = { "trd.source",
	"SELECT count(*) FROM referral r JOIN consent k ON k.client_id = r.client_id "
	"WHERE r.id = $1 AND r.source = $2 AND k.method = $3 AND k.purpose = 'share'", NULL };
static const struct sql q_keys_agree = { "trd.keys_agree",
	"SELECT count(*) FROM referral r JOIN client c ON c.id = r.client_id "
	"JOIN person p ON p.email_lower = c.email_lower WHERE r.id = $1 AND p.id = $2", NULL };

struct fx {
	struct rt *t;
	struct db *db;
	int64_t lw, lw2, olu, ola, una, bob, cora, tom, meg;
	struct actor a_lw, a_lw2, a_olu, a_una, a_bob, a_cora, a_tom, a_meg, a_visitor;
	char walk[37], walk2[37], draft[37], club[37], cafe[37], quiet[37];
};

static struct actor act(int64_t id, unsigned roles, const char *org, const char *email,
		bool verified)
{
	return (struct actor){ .id = id, .roles = roles, .org_id = org, .email = email,
			       .verified = verified, .name = "x" };
}

static int setup(void **state)
{
	struct fx *x = rt_fixture(state, sizeof(*x), NULL);
	struct rt *t;

	if (!x)
		return -1;
	t = x->t;
	x->db = rt_db(t);
	time_set_fake(T0);
	assert_int_equal(org_create(x->db, ORG_A, "Northtown Walkers", T0), ERR_OK);
	assert_int_equal(org_create(x->db, ORG_B, "Book Club Friends", T0), ERR_OK);
	assert_int_equal(org_create(x->db, ORG_C, "Cafe Collective", T0), ERR_OK);
	assert_int_equal(org_create(x->db, ORG_D, "Quiet Group", T0), ERR_OK);
	x->lw = rt_person(t, "Sam Linkworker", "sam@example.org", NULL, R(LINK_WORKER) | R(MEMBER), NULL);
	x->lw2 = rt_person(t, "Lou Linkworker", "lou@example.org", NULL, R(LINK_WORKER) | R(MEMBER), NULL);
	x->olu = rt_person(t, "Olu Organiser", "olu@example.org", NULL, R(ORGANISER) | R(MEMBER), ORG_A);
	x->ola = rt_person(t, "Ola Organiser", "ola@example.org", NULL, R(ORGANISER) | R(MEMBER), ORG_A);
	x->una = rt_person_unverified(t, "Una Unverified", "una@example.org", NULL,
				      R(ORGANISER) | R(MEMBER), ORG_A);
	x->bob = rt_person(t, "Bob Bookish", "bob@example.org", NULL, R(ORGANISER) | R(MEMBER), ORG_B);
	x->cora = rt_person(t, "Cora Coord", "cora@example.org", NULL, R(COORDINATOR) | R(MEMBER), NULL);
	x->tom = rt_person(t, "Tom Commissioner", "tom@example.org", NULL, R(COMMISSIONER) | R(MEMBER), NULL);
	x->meg = rt_person(t, "Meg Member", "meg@example.net", NULL, R(MEMBER), NULL);
	x->a_lw = act(x->lw, R(LINK_WORKER) | R(MEMBER), NULL, "sam@example.org", true);
	x->a_lw2 = act(x->lw2, R(LINK_WORKER) | R(MEMBER), NULL, "lou@example.org", true);
	x->a_olu = act(x->olu, R(ORGANISER) | R(MEMBER), ORG_A, "olu@example.org", true);
	x->a_una = act(x->una, R(ORGANISER) | R(MEMBER), ORG_A, "una@example.org", false);
	x->a_bob = act(x->bob, R(ORGANISER) | R(MEMBER), ORG_B, "bob@example.org", true);
	x->a_cora = act(x->cora, R(COORDINATOR) | R(MEMBER), NULL, "cora@example.org", true);
	x->a_tom = act(x->tom, R(COMMISSIONER) | R(MEMBER), NULL, "tom@example.org", true);
	x->a_meg = act(x->meg, R(MEMBER), NULL, "meg@example.net", true);
	rt_service_at(t, ORG_A, "Tuesday Health Walk", SVC_PUBLISHED, "walking", T0, x->walk);
	rt_service_at(t, ORG_A, "Thursday Nordic Walk", SVC_PUBLISHED, "walking", T0, x->walk2);
	rt_service_at(t, ORG_A, "Draft Walk", SVC_DRAFT, "walking", T0, x->draft);
	rt_service_at(t, ORG_B, "=Sum, \"Readers\" Club", SVC_PUBLISHED, "reading", T0, x->club);
	rt_service_at(t, ORG_C, "Community Cafe", SVC_PUBLISHED, "lunch-club", T0, x->cafe);
	rt_service_at(t, ORG_D, "Quiet Hour", SVC_PUBLISHED, "mental-wellbeing", T0, x->quiet);
	/* After the services: saving one writes its organisation. */
	assert_int_equal(db_exec(x->db, &q_org_email, DB_ARGS(DB_TEXT(ORG_C),
			 DB_TEXT("hello@cafe.example.org")), NULL), ERR_OK);
	return 0;
}

static int teardown(void **state)
{
	return rt_fixture_free(state);
}

/* ---------------------------------------------------------------- helpers */

static const char *needs_lonely[] = { "loneliness", "physical_activity" };

struct who {
	const char *name, *email, *nhs, *birth;
	bool contact, outcome;
};

static struct ref_new new_for(const struct who *w, const char *svc)
{
	return (struct ref_new){
		.person = { .name = w->name, .email = w->email, .phone = "07700 900101",
			    .contact_by = w->email ? "email" : "phone", .language = "pl",
			    .access_needs = "Step-free entrance please",
			    .nhs_number = w->nhs, .birth_date = w->birth },
		.consent_share = true, .consent_contact = w->contact, .consent_outcome = w->outcome,
		.consent_method = "verbal", .target_type = "service", .target_id = svc,
		.reason = "Hoping to feel less alone after the divorce", .needs = needs_lonely,
		.nneeds = 2,
	};
}

static const struct who kwame = { "Kwame Mensah", "kwame@example.net", "943 476 5919",
				  "1956-03-27", true, true };

/* referral_create in a transaction of its own; errors (may be NULL) gets
 * the field errors. */
static enum err create(struct fx *x, const struct actor *by, const struct ref_new *n,
		int64_t now, char id[37], json_t **errors)
{
	json_t *errs = json_array();
	enum err e;

	assert_int_equal(db_begin(x->db), ERR_OK);
	e = referral_create(REFERRAL_ENV(&x->t->app), x->db, by, n, now, id, errs);
	if (e == ERR_OK)
		assert_int_equal(db_commit(x->db), ERR_OK);
	else
		assert_int_equal(db_rollback(x->db), ERR_OK);
	if (errors)
		*errors = errs;
	else
		json_decref(errs);
	return e;
}

static void make(struct fx *x, const struct actor *by, const struct who *w, const char *svc,
		int64_t now, char id[37])
{
	struct ref_new n = new_for(w, svc);

	assert_int_equal(create(x, by, &n, now, id, NULL), ERR_OK);
}

static enum err move(struct fx *x, const struct actor *a, const char *id, const char *to,
		const char *reason, int64_t now, json_t **errors)
{
	struct ref_meta m;
	json_t *errs = json_array();
	enum err e;

	assert_int_equal(db_begin(x->db), ERR_OK);
	assert_int_equal(referral_meta(x->db, id, &m), ERR_OK);
	e = referral_move(REFERRAL_ENV(&x->t->app), x->db, a, &m, to, reason, NULL, now, errs);
	if (e == ERR_OK)
		assert_int_equal(db_commit(x->db), ERR_OK);
	else
		assert_int_equal(db_rollback(x->db), ERR_OK);
	if (errors)
		*errors = errs;
	else
		json_decref(errs);
	return e;
}

static void step(struct fx *x, const struct actor *a, const char *id, const char *to,
		const char *reason, int64_t now)
{
	json_t *errs = NULL;
	enum err e = move(x, a, id, to, reason, now, &errs);

	if (e != ERR_OK) {
		char *s = json_dumps(errs, 0);

		fail_msg("%s: %s %s", to, err_name(e), s);
	}
	json_decref(errs);
}

/* The view as a, committed (it audits). */
static json_t *view(struct fx *x, const struct actor *a, const char *id, int64_t now)
{
	struct ref_meta m;
	json_t *v = NULL;

	assert_int_equal(db_begin(x->db), ERR_OK);
	assert_int_equal(referral_meta(x->db, id, &m), ERR_OK);
	assert_int_equal(referral_view(REFERRAL_ENV(&x->t->app), x->db, a, &m, now, &v), ERR_OK);
	assert_int_equal(db_commit(x->db), ERR_OK);
	assert_non_null(v);
	return v;
}

static const char *field0(const json_t *errors)
{
	return json_string_value(json_object_get(json_array_get(errors, 0), "field"));
}

static int64_t count1(struct fx *x, const struct sql *q, const char *a)
{
	return rt_count(x->t, q, DB_ARGS(DB_TEXT(a)));
}

static int64_t count2(struct fx *x, const struct sql *q, const char *a, const char *b)
{
	return rt_count(x->t, q, DB_ARGS(DB_TEXT(a), DB_TEXT(b)));
}

static json_t *list(struct fx *x, const struct actor *a, enum ref_list_kind kind, int64_t now,
		int64_t *total)
{
	struct ref_list_opts o = { .kind = kind, .status = -1, .limit = 100 };
	json_t *items = NULL;
	int64_t tot = 0;

	assert_int_equal(referral_list(REFERRAL_ENV(&x->t->app), x->db, a, &o, now, &items, &tot), ERR_OK);
	if (total)
		*total = tot;
	return items;
}

static bool lists(const json_t *items, const char *id)
{
	size_t i;
	json_t *it;

	json_array_foreach(items, i, it)
		if (strcmp(json_string_value(json_object_get(it, "id")), id) == 0)
			return true;
	return false;
}

/* No referral email holds any of these. */
static void mails_clean(struct fx *x)
{
	static const char *const secrets[] = { "%Kwame%", "%Mensah%", "%divorce%", "%Loneliness%",
		"%loneliness%", "%Tuesday Health Walk%", "%Readers%", "%Community Cafe%", "%9434765919%",
		"%1956-03-27%", "%Step-free%", "%Meg Member%" };

	assert_true(rt_count(x->t, &q_mail_all_ref, DB_NOARGS) > 0);
	for (size_t i = 0; i < ARRAY_LEN(secrets); i++)
		if (count1(x, &q_mail_leak, secrets[i]) != 0)
			fail_msg("a referral email contains %s", secrets[i]);
}

/* ---------------------------------------------------------------- making and moving */

static void loop_with_events_and_emails(void **state)
{
	struct fx *x = *state;
	char id[37], link[80];
	json_t *errs = NULL, *v;
	char *mail;

	make(x, &x->a_lw, &kwame, x->walk, T0, id);
	assert_int_equal(count2(x, &q_status, id, "sent"), 1);
	assert_int_equal(count1(x, &q_events, id), 1);
	assert_int_equal(rt_audit_n(x->t, "referral.created"), 1);
	/* The organisation's verified organisers hear of it; the unverified
	 * one, and nobody else, does not. */
	assert_int_equal(rt_mail_n(x->t, "olu@example.org", "referral_new"), 1);
	assert_int_equal(rt_mail_n(x->t, "ola@example.org", "referral_new"), 1);
	assert_int_equal(rt_mail_n(x->t, "una@example.org", "referral_new"), 0);
	assert_int_equal(rt_mail_n(x->t, "bob@example.org", "referral_new"), 0);
	mail = rt_mail_text(x->t, "olu@example.org", "referral_new");
	snprintf(link, sizeof(link), "/referrals/%s", id);
	assert_non_null(strstr(mail, link));
	free(mail);

	/* Steps that make no sense: 409 with a sentence on "status". */
	assert_int_equal(move(x, &x->a_olu, id, "attended", NULL, T0 + DAY, &errs), ERR_CONFLICT);
	assert_string_equal(field0(errs), "status");
	json_decref(errs);
	/* Not theirs to take: the referrer cannot accept; the receiver cannot withdraw. */
	assert_int_equal(move(x, &x->a_lw, id, "accepted", NULL, T0 + DAY, NULL), ERR_FORBIDDEN);
	assert_int_equal(move(x, &x->a_olu, id, "withdrawn", NULL, T0 + DAY, NULL), ERR_FORBIDDEN);
	/* No such step, a decline without a reason. */
	assert_int_equal(move(x, &x->a_olu, id, "teleported", NULL, T0 + DAY, &errs), ERR_INVALID);
	assert_string_equal(field0(errs), "status");
	json_decref(errs);
	assert_int_equal(move(x, &x->a_olu, id, "declined", NULL, T0 + DAY, &errs), ERR_INVALID);
	assert_string_equal(field0(errs), "reason");
	json_decref(errs);
	assert_int_equal(count1(x, &q_events, id), 1);

	step(x, &x->a_olu, id, "accepted", NULL, T0 + 2 * DAY + 5);
	step(x, &x->a_olu, id, "contacted", NULL, T0 + 3 * DAY);
	step(x, &x->a_olu, id, "attended", NULL, T0 + 9 * DAY);
	/* Still attending only after referral_sustained_weeks (6). */
	assert_int_equal(move(x, &x->a_olu, id, "sustained", NULL, T0 + 30 * DAY, &errs), ERR_CONFLICT);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(errs, 0), "detail")),
			       "6 weeks"));
	json_decref(errs);
	step(x, &x->a_olu, id, "sustained", NULL, T0 + 9 * DAY + 42 * DAY);
	step(x, &x->a_lw, id, "closed", "completed", T0 + 60 * DAY);
	assert_int_equal(count1(x, &q_events, id), 6);
	assert_int_equal(count1(x, &q_open_key, id), 0);
	assert_int_equal(rt_audit_n(x->t, "referral.status"), 5);

	/* The person heard of accepted and contacted; the referrer of attended and sustained. */
	assert_int_equal(rt_mail_n(x->t, "kwame@example.net", "referral_update"), 2);
	assert_int_equal(rt_mail_n(x->t, "sam@example.org", "referral_outcome"), 2);
	mail = rt_mail_text(x->t, "kwame@example.net", "referral_update");
	assert_non_null(strstr(mail, "There is an update about a referral on kith"));
	assert_non_null(strstr(mail, link));
	free(mail);
	mails_clean(x);

	/* Measures in whole days; events in order with words. */
	v = view(x, &x->a_lw, id, T0 + 61 * DAY);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "measures"),
			 "days_to_accept")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "measures"),
			 "days_to_contact")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "measures"),
			 "days_to_attend")), 9);
	assert_string_equal(json_string_value(json_object_get(v, "status")), "closed");
	assert_string_equal(json_string_value(json_object_get(v, "end_reason")), "completed");
	assert_int_equal(json_array_size(json_object_get(v, "events")), 6);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
			    json_object_get(v, "events"), 5), "reason_words")),
			    "The person got what they needed");
	assert_int_equal(json_array_size(json_object_get(v, "moves")), 0);
	json_decref(v);
}

static void second_open_referral_conflicts(void **state)
{
	struct fx *x = *state;
	char id[37], id2[37], id3[37], client[37];
	struct ref_new n;
	json_t *errs = NULL, *v;

	make(x, &x->a_lw, &kwame, x->walk, T0, id);
	v = view(x, &x->a_lw, id, T0);
	snprintf(client, sizeof(client), "%s",
		 json_string_value(json_object_get(json_object_get(v, "person"), "id")));
	json_decref(v);
	/* The same person (from the caseload) to the same place: 409. */
	n = new_for(&kwame, x->walk);
	memset(&n.person, 0, sizeof(n.person));
	n.client_id = client;
	assert_int_equal(create(x, &x->a_lw, &n, T0 + DAY, id2, &errs), ERR_CONFLICT);
	assert_string_equal(field0(errs), "target.id");
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(errs, 0), "detail")),
			       "already has an open referral to Tuesday Health Walk"));
	json_decref(errs);
	/* Somewhere else is fine. */
	n.target_id = x->walk2;
	assert_int_equal(create(x, &x->a_lw, &n, T0 + DAY, id3, NULL), ERR_OK);
	/* Once the first has ended, the same place again is fine. */
	step(x, &x->a_olu, id, "declined", "full", T0 + 2 * DAY);
	n.target_id = x->walk;
	assert_int_equal(create(x, &x->a_lw, &n, T0 + 3 * DAY, id2, NULL), ERR_OK);
	assert_string_not_equal(id, id2);
	/* Someone else's caseload is not mine to use; a coordinator may. */
	n.target_id = x->cafe;
	assert_int_equal(create(x, &x->a_lw2, &n, T0 + 3 * DAY, id3, NULL), ERR_NOT_FOUND);
	assert_int_equal(create(x, &x->a_meg, &n, T0 + 3 * DAY, id3, NULL), ERR_NOT_FOUND);
	assert_int_equal(create(x, &x->a_cora, &n, T0 + 3 * DAY, id3, NULL), ERR_OK);
	/* Lou still has not referred them, so still may not. */
	n.target_id = x->quiet;
	assert_int_equal(create(x, &x->a_lw2, &n, T0 + 3 * DAY, id3, NULL), ERR_NOT_FOUND);
}

/* The same person typed in again (a second link worker, or the same one
 * without the caseload) is the same person: by NHS number, else by email. */
static void same_person_typed_again_conflicts(void **state)
{
	struct fx *x = *state;
	const struct who by_email = { "K. Mensah", "KWAME@example.net", NULL, NULL, true, true };
	const struct who other = { "Kwame Mensah", "someone.else@example.net", NULL, NULL, true, true };
	char id[37], id2[37];
	struct ref_new n;
	json_t *errs = NULL;

	make(x, &x->a_lw, &kwame, x->walk, T0, id);
	/* The same link worker again, the NHS number written differently:
	 * theirs is open, and saying so tells them nothing new. */
	n = new_for(&kwame, x->walk);
	n.person.nhs_number = "9434765919";
	n.person.email = NULL;
	n.person.contact_by = "phone";
	assert_int_equal(create(x, &x->a_lw, &n, T0 + DAY, id2, &errs), ERR_CONFLICT);
	assert_string_equal(field0(errs), "target.id");
	json_decref(errs);
	/* Another link worker cannot see that one: theirs is made like any
	 * other and folded into the open one, whose referrer is told. */
	assert_int_equal(create(x, &x->a_lw2, &n, T0 + DAY, id2, NULL), ERR_OK);
	assert_int_equal(rt_count(x->t, &q_folded, DB_ARGS(DB_TEXT(id2), DB_TEXT(id))), 1);
	assert_int_equal(rt_audit_n(x->t, "referral.folded"), 1);
	assert_int_equal(rt_mail_n(x->t, "sam@example.org", "referral_folded"), 1);
	/* Without an NHS number: the email, whatever its case. */
	make(x, &x->a_lw, &by_email, x->cafe, T0, id);
	n = new_for(&by_email, x->cafe);
	n.person.email = "kwame@EXAMPLE.net";
	assert_int_equal(create(x, &x->a_lw, &n, T0 + DAY, id2, NULL), ERR_CONFLICT);
	/* A different person with the same name is not a duplicate. */
	n = new_for(&other, x->cafe);
	assert_int_equal(create(x, &x->a_lw2, &n, T0 + DAY, id2, NULL), ERR_OK);
}

static void targets_must_be_listed(void **state)
{
	struct fx *x = *state;
	struct ref_new n = new_for(&kwame, x->draft);
	char id[37];
	json_t *errs = NULL;

	assert_int_equal(create(x, &x->a_lw, &n, T0, id, &errs), ERR_INVALID);
	assert_string_equal(field0(errs), "target.id");
	assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 0), "detail")),
			    "Choose a service that is listed in the directory");
	json_decref(errs);
	n.target_id = "5e0f3c7a-1d2b-4c3d-8e9f-0a1b2c3d4e5f";   /* no such service */
	assert_int_equal(create(x, &x->a_lw, &n, T0, id, &errs), ERR_INVALID);
	assert_string_equal(field0(errs), "target.id");
	json_decref(errs);
	n.target_type = "group";
	assert_int_equal(create(x, &x->a_lw, &n, T0, id, &errs), ERR_INVALID);
	assert_string_equal(field0(errs), "target.type");
	assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 0), "detail")),
			    "Referrals to groups are not open yet: choose a service");
	json_decref(errs);
	/* Nothing written, nobody told. */
	assert_int_equal(rt_audit_n(x->t, "referral.created"), 0);
	assert_int_equal(rt_mail_all(x->t), 0);
	/* Every bad field at once, with the target's. */
	n = new_for(&kwame, x->draft);
	n.person.name = "";
	n.consent_share = false;
	assert_int_equal(create(x, &x->a_lw, &n, T0, id, &errs), ERR_INVALID);
	assert_int_equal(json_array_size(errs), 3);
	json_decref(errs);
}

static void self_referrals(void **state)
{
	struct fx *x = *state;
	struct who me = { "Meg Member", "meg@example.net", NULL, NULL, true, false };
	struct ref_new n = new_for(&me, x->walk);
	char id[37], id2[37], id3[37];
	json_t *errs = NULL, *v;

	/* A member: source self, consent online whatever they said, the record theirs. */
	n.consent_method = "written";
	assert_int_equal(create(x, &x->a_meg, &n, T0, id, NULL), ERR_OK);
	assert_int_equal(rt_count(x->t, &q_source, DB_ARGS(DB_TEXT(id), DB_TEXT("self"),
			 DB_TEXT("online"))), 1);
	assert_int_equal(count1(x, &q_client_account, id), x->meg);
	/* Again elsewhere: the same record, updated. */
	n.target_id = x->cafe;
	n.person.phone = "07700 900999";
	assert_int_equal(create(x, &x->a_meg, &n, T0 + DAY, id2, NULL), ERR_OK);
	v = view(x, &x->a_meg, id, T0 + DAY);
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "person"), "phone")),
			    "07700 900999");
	json_decref(v);
	/* A member cannot say a GP practice referred them. */
	n.target_id = x->quiet;
	n.source = "gp_practice";
	assert_int_equal(create(x, &x->a_meg, &n, T0, id3, &errs), ERR_INVALID);
	assert_string_equal(field0(errs), "source");
	json_decref(errs);
	/* A visitor: a record with no account, claimable later. Not with an
	 * NHS number: anyone could ask in someone else's name. */
	n = new_for(&kwame, x->walk);
	n.consent_method = NULL;
	assert_int_equal(create(x, &x->a_visitor, &n, T0, id3, &errs), ERR_INVALID);
	assert_string_equal(field0(errs), "person.nhs_number");
	json_decref(errs);
	n.person.nhs_number = NULL;
	assert_int_equal(create(x, &x->a_visitor, &n, T0, id3, NULL), ERR_OK);
	assert_int_equal(count1(x, &q_client_account, id3), 0);
	assert_int_equal(count1(x, &q_referrer_null, id3), 1);
	assert_int_equal(rt_count(x->t, &q_source, DB_ARGS(DB_TEXT(id3), DB_TEXT("self"),
			 DB_TEXT("online"))), 1);
}

/* Where people can just turn up, what matters to them may be left out;
 * where a referral is needed, one need or some words are asked for. The
 * directory says which, not the caller. */
static void words_optional_where_people_turn_up(void **state)
{
	struct fx *x = *state;
	struct svc_form f = {
		.org_id = ORG_A, .name = "Memory Clinic", .description = "By referral.",
		.join = JOIN_REFERRAL, .free = true, .in_person = true, .address_1 = "1 Park Road",
		.town = "Scunthorpe", .postcode = "DN15 6XX",
	};
	struct ref_new n = new_for(&kwame, x->walk);
	char clinic[37], id[37];
	json_t *errs = NULL;

	rt_service_form(x->t, &f, SVC_PUBLISHED, T0, clinic);
	n.reason = "";
	n.needs = NULL;
	n.nneeds = 0;
	assert_int_equal(create(x, &x->a_lw, &n, T0, id, NULL), ERR_OK);
	n.target_id = clinic;
	assert_int_equal(create(x, &x->a_lw, &n, T0, id, &errs), ERR_INVALID);
	assert_int_equal(json_array_size(errs), 1);
	assert_string_equal(field0(errs), "needs");
	json_decref(errs);
	n.turn_up = true;
	assert_int_equal(create(x, &x->a_lw, &n, T0, id, &errs), ERR_INVALID);
	assert_string_equal(field0(errs), "needs");
	json_decref(errs);
	/* The check alone takes the caller's word (the forms know the
	 * service); an unknown service's errors come after the others'. */
	errs = json_array();
	assert_true(referral_check(&n, T0, errs));
	n.turn_up = false;
	assert_false(referral_check(&n, T0, errs));
	json_decref(errs);
	n.person.name = "";
	n.target_id = "5e0f3c7a-1d2b-4c3d-8e9f-0a1b2c3d4e5f";
	assert_int_equal(create(x, &x->a_lw, &n, T0, id, &errs), ERR_INVALID);
	assert_int_equal(json_array_size(errs), 3);
	assert_string_equal(field0(errs), "person.name");
	assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 2), "field")),
			    "target.id");
	json_decref(errs);
}

/* ---------------------------------------------------------------- consent */

static void withdrawing_share_ends_sharing(void **state)
{
	struct fx *x = *state;
	char id[37], id2[37], client[37];
	struct ref_meta m;
	struct ref_new n;
	json_t *v, *errs, *items;
	size_t i;
	json_t *it;

	make(x, &x->a_lw, &kwame, x->walk, T0, id);
	v = view(x, &x->a_lw, id, T0);
	snprintf(client, sizeof(client), "%s",
		 json_string_value(json_object_get(json_object_get(v, "person"), "id")));
	json_decref(v);
	n = new_for(&kwame, x->walk2);
	memset(&n.person, 0, sizeof(n.person));
	n.client_id = client;
	assert_int_equal(create(x, &x->a_lw, &n, T0, id2, NULL), ERR_OK);
	step(x, &x->a_olu, id2, "accepted", NULL, T0 + DAY);

	/* The receiver is no party to consent; an unknown purpose is 422. */
	assert_int_equal(referral_meta(x->db, id, &m), ERR_OK);
	errs = json_array();
	assert_int_equal(referral_consent(x->db, &x->a_olu, &m, "share", false, NULL,
					  T0 + DAY, errs), ERR_FORBIDDEN);
	assert_int_equal(referral_consent(x->db, &x->a_lw, &m, "gossip", false, NULL,
					  T0 + DAY, errs), ERR_INVALID);
	assert_string_equal(field0(errs), "purpose");
	json_decref(errs);

	errs = json_array();
	assert_int_equal(db_begin(x->db), ERR_OK);
	assert_int_equal(referral_consent(x->db, &x->a_lw, &m, "share", false, NULL,
					  T0 + 2 * DAY, errs), ERR_OK);
	assert_int_equal(db_commit(x->db), ERR_OK);
	json_decref(errs);
	assert_int_equal(rt_audit_n(x->t, "consent.withdrawn"), 1);
	/* Both open referrals of the person are withdrawn, with the reason. */
	assert_int_equal(count2(x, &q_status, id, "withdrawn"), 1);
	assert_int_equal(count2(x, &q_status, id2, "withdrawn"), 1);
	assert_int_equal(rt_count(x->t, &q_events_note, DB_ARGS(DB_TEXT(id2), DB_TEXT("withdrawn"),
			 DB_TEXT("Consent to share withdrawn"))), 1);
	assert_int_equal(count2(x, &q_consent_rows, id, "share"), 0);

	/* The receiver now sees only id, status and target. */
	v = view(x, &x->a_olu, id, T0 + 3 * DAY);
	assert_false(json_boolean_value(json_object_get(v, "shared")));
	assert_null(json_object_get(json_object_get(v, "person"), "name"));
	assert_null(json_object_get(json_object_get(v, "person"), "email"));
	assert_null(json_object_get(json_object_get(v, "person"), "phone"));
	assert_null(json_object_get(v, "reason"));
	assert_null(json_object_get(v, "referrer"));
	assert_int_equal(json_array_size(json_object_get(v, "needs")), 0);
	assert_int_equal(json_array_size(json_object_get(v, "events")), 0);
	assert_string_equal(json_string_value(json_object_get(v, "status")), "withdrawn");
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "target"), "name")),
			    "Tuesday Health Walk");
	json_decref(v);
	/* ... and its inbox has no name. */
	items = list(x, &x->a_olu, REF_LIST_INBOX, T0 + 3 * DAY, NULL);
	assert_int_equal(json_array_size(items), 2);
	json_array_foreach(items, i, it)
		assert_null(json_object_get(it, "person_name"));
	json_decref(items);
	/* The referrer still sees who it was. */
	v = view(x, &x->a_lw, id, T0 + 3 * DAY);
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "person"), "name")),
			    "Kwame Mensah");
	json_decref(v);

	/* Given again: a new row; the referrals stay withdrawn. */
	errs = json_array();
	assert_int_equal(referral_consent(x->db, &x->a_lw, &m, "share", true, NULL,
					  T0 + 4 * DAY, errs), ERR_INVALID);    /* no method */
	assert_string_equal(field0(errs), "method");
	assert_int_equal(referral_consent(x->db, &x->a_lw, &m, "share", true, "written",
					  T0 + 4 * DAY, errs), ERR_OK);
	json_decref(errs);
	assert_int_equal(count2(x, &q_consent_rows, id, "share"), 1);
	assert_int_equal(count2(x, &q_status, id, "withdrawn"), 1);
}

static void withdrawing_contact_and_outcome_stops_emails(void **state)
{
	struct fx *x = *state;
	char id[37];
	struct ref_meta m;
	json_t *errs = json_array(), *v;

	make(x, &x->a_lw, &kwame, x->walk, T0, id);
	assert_int_equal(referral_meta(x->db, id, &m), ERR_OK);
	assert_int_equal(referral_consent(x->db, &x->a_lw, &m, "contact", false, NULL,
					  T0, errs), ERR_OK);
	assert_int_equal(referral_consent(x->db, &x->a_cora, &m, "outcome", false, NULL,
					  T0, errs), ERR_OK);
	json_decref(errs);
	step(x, &x->a_olu, id, "accepted", NULL, T0 + DAY);
	step(x, &x->a_olu, id, "contacted", NULL, T0 + 2 * DAY);
	step(x, &x->a_olu, id, "attended", NULL, T0 + 3 * DAY);
	assert_int_equal(rt_mail_n(x->t, "kwame@example.net", "referral_update"), 0);
	assert_int_equal(rt_mail_n(x->t, "sam@example.org", "referral_outcome"), 0);
	/* The referrer no longer sees how it went. */
	v = view(x, &x->a_lw, id, T0 + 4 * DAY);
	assert_string_equal(json_string_value(json_object_get(v, "status")), "accepted");
	assert_int_equal(json_array_size(json_object_get(v, "events")), 2);
	assert_null(json_object_get(json_object_get(v, "measures"), "days_to_attend"));
	json_decref(v);
	/* The receiver does. */
	v = view(x, &x->a_olu, id, T0 + 4 * DAY);
	assert_string_equal(json_string_value(json_object_get(v, "status")), "attended");
	json_decref(v);
	/* Closed: the referrer sees that, but not why. */
	step(x, &x->a_olu, id, "closed", "stopped_attending", T0 + 5 * DAY);
	v = view(x, &x->a_lw, id, T0 + 6 * DAY);
	assert_string_equal(json_string_value(json_object_get(v, "status")), "closed");
	assert_null(json_object_get(v, "end_reason"));
	assert_int_equal(json_array_size(json_object_get(v, "events")), 3);
	assert_null(json_object_get(json_array_get(json_object_get(v, "events"), 2), "reason"));
	json_decref(v);
	v = view(x, &x->a_cora, id, T0 + 6 * DAY);
	assert_string_equal(json_string_value(json_object_get(v, "end_reason")), "stopped_attending");
	json_decref(v);
}

static void emails_per_step(void **state)
{
	struct fx *x = *state;
	struct who quiet_one = { "Quiet Person", "quiet@example.net", NULL, NULL, false, true };
	char id[37], id2[37], id3[37], id4[37];

	/* Declined: the person (who agreed) and the referrer (outcome shared). */
	make(x, &x->a_lw, &kwame, x->walk, T0, id);
	step(x, &x->a_olu, id, "declined", "outside_area", T0 + DAY);
	assert_int_equal(rt_mail_n(x->t, "kwame@example.net", "referral_update"), 1);
	assert_int_equal(rt_mail_n(x->t, "sam@example.org", "referral_outcome"), 1);
	/* No contact consent: no email to the person, ever. */
	make(x, &x->a_lw, &quiet_one, x->walk, T0, id2);
	step(x, &x->a_olu, id2, "accepted", NULL, T0 + DAY);
	step(x, &x->a_olu, id2, "contacted", NULL, T0 + DAY);
	assert_int_equal(rt_mail_n(x->t, "quiet@example.net", "referral_update"), 0);
	/* An organisation with nobody on kith: its own address gets a link
	 * to claim it, not "sign in to see it" (directory/claim.h); with no
	 * address either: nobody. */
	make(x, &x->a_lw, &kwame, x->cafe, T0, id3);
	assert_int_equal(rt_mail_n(x->t, "hello@cafe.example.org", "referral_new"), 0);
	assert_int_equal(rt_mail_n(x->t, "hello@cafe.example.org", "claim_org"), 1);
	int64_t before = rt_mail_all(x->t);
	make(x, &x->a_lw, &kwame, x->quiet, T0, id4);
	assert_int_equal(rt_mail_all(x->t), before);
	/* Nobody is emailed about what they did themselves: the referrer
	 * who withdraws gets nothing. */
	step(x, &x->a_lw, id4, "withdrawn", NULL, T0 + DAY);
	assert_int_equal(rt_mail_all(x->t), before);
	mails_clean(x);
}

/* ---------------------------------------------------------------- who sees what */

static void least_privilege(void **state)
{
	struct fx *x = *state;
	char id[37], detail[64];
	struct ref_meta m;
	json_t *v, *p, *items;

	make(x, &x->a_lw, &kwame, x->walk, T0, id);
	snprintf(detail, sizeof(detail), "referral=%s", id);

	/* The receiver: enough to make contact, never date of birth or NHS number. */
	v = view(x, &x->a_olu, id, T0);
	p = json_object_get(v, "person");
	assert_string_equal(json_string_value(json_object_get(p, "name")), "Kwame Mensah");
	assert_string_equal(json_string_value(json_object_get(p, "email")), "kwame@example.net");
	assert_string_equal(json_string_value(json_object_get(p, "access_needs")),
			    "Step-free entrance please");
	assert_string_equal(json_string_value(json_object_get(p, "language_name")), "Polish");
	assert_null(json_object_get(p, "birth_date"));
	assert_null(json_object_get(p, "nhs_number"));
	assert_true(json_boolean_value(json_object_get(v, "shared")));
	assert_string_equal(json_string_value(json_object_get(v, "reason")),
			    "Hoping to feel less alone after the divorce");
	assert_int_equal(json_array_size(json_object_get(v, "moves")), 2);   /* accept, decline */
	json_decref(v);
	/* The referrer and coordinators see all of it. */
	v = view(x, &x->a_lw, id, T0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "person"),
			    "nhs_number")), "9434765919");
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "person"),
			    "birth_date")), "1956-03-27");
	json_decref(v);
	v = view(x, &x->a_cora, id, T0);
	assert_non_null(json_object_get(json_object_get(v, "person"), "nhs_number"));
	json_decref(v);

	/* Commissioners, other organisations, unrelated link workers: nothing, as 404. */
	assert_int_equal(referral_load(x->db, &x->a_tom, &act_referral_view, id, &m), ERR_NOT_FOUND);
	assert_int_equal(referral_load(x->db, &x->a_bob, &act_referral_view, id, &m), ERR_NOT_FOUND);
	assert_int_equal(referral_load(x->db, &x->a_lw2, &act_referral_update, id, &m), ERR_NOT_FOUND);
	assert_int_equal(referral_load(x->db, &x->a_olu, &act_referral_view, id, &m), ERR_OK);
	assert_int_equal(referral_load(x->db, &x->a_olu, &act_referral_view,
				       "00000000-0000-4000-8000-000000000000", &m), ERR_NOT_FOUND);
	assert_int_equal(referral_load(x->db, &x->a_olu, &act_referral_view, "../etc", &m), ERR_NOT_FOUND);
	assert_int_equal(referral_meta(x->db, id, &m), ERR_OK);
	v = NULL;
	assert_int_equal(referral_view(REFERRAL_ENV(&x->t->app), x->db, &x->a_tom, &m, T0, &v), ERR_NOT_FOUND);
	assert_null(v);
	items = list(x, &x->a_tom, REF_LIST_VISIBLE, T0, NULL);
	assert_int_equal(json_array_size(items), 0);
	json_decref(items);
	{
		struct ref_list_opts o = { .kind = REF_LIST_ALL, .status = -1, .limit = 10 };
		int64_t total;

		assert_int_equal(referral_list(REFERRAL_ENV(&x->t->app), x->db, &x->a_tom, &o, T0, &items, &total),
				 ERR_FORBIDDEN);
		o.kind = REF_LIST_INBOX;
		o.org_id = ORG_A;
		assert_int_equal(referral_list(REFERRAL_ENV(&x->t->app), x->db, &x->a_bob, &o, T0, &items, &total),
				 ERR_FORBIDDEN);
		o.limit = 0;
		assert_int_equal(referral_list(REFERRAL_ENV(&x->t->app), x->db, &x->a_cora, &o, T0, &items, &total),
				 ERR_INVALID);
	}
	/* Who sees it in which list. */
	items = list(x, &x->a_lw, REF_LIST_CASELOAD, T0, NULL);
	assert_true(lists(items, id));
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "person_name")),
			    "Kwame Mensah");
	json_decref(items);
	items = list(x, &x->a_olu, REF_LIST_VISIBLE, T0, NULL);
	assert_true(lists(items, id));
	json_decref(items);
	items = list(x, &x->a_bob, REF_LIST_VISIBLE, T0, NULL);
	assert_false(lists(items, id));
	json_decref(items);
	items = list(x, &x->a_cora, REF_LIST_ALL, T0, NULL);
	assert_true(lists(items, id));
	json_decref(items);

	/* Reads by others are audited (no account yet: no subject). */
	assert_int_equal(rt_count(x->t, &q_reads_nosubject, DB_ARGS(DB_TEXT(detail), DB_INT(x->olu))), 1);
	assert_int_equal(count1(x, &q_reads, detail), 3);
}

static void claim_and_own_reads(void **state)
{
	struct fx *x = *state;
	struct who megw = { "Meg Member", "MEG@Example.NET", NULL, NULL, true, true };
	struct actor unverified = x->a_meg;
	char id[37], detail[64];
	json_t *v, *items, *readers;
	int claimed = -1;

	make(x, &x->a_lw, &megw, x->walk, T0, id);
	snprintf(detail, sizeof(detail), "referral=%s", id);
	/* An unverified address claims nothing. */
	unverified.verified = false;
	assert_int_equal(referral_claim(x->db, &unverified, T0, &claimed), ERR_OK);
	assert_int_equal(claimed, 0);
	/* Someone else's verified address claims nothing either. */
	assert_int_equal(referral_claim(x->db, &x->a_lw2, T0, &claimed), ERR_OK);
	assert_int_equal(claimed, 0);
	items = list(x, &x->a_meg, REF_LIST_MINE, T0, NULL);
	assert_int_equal(json_array_size(items), 0);
	json_decref(items);
	/* The verified owner (any case) does, once. */
	assert_int_equal(referral_claim(x->db, &x->a_meg, T0, &claimed), ERR_OK);
	assert_int_equal(claimed, 1);
	assert_int_equal(rt_audit_about(x->t, "client.claimed", x->meg), 1);
	assert_int_equal(referral_claim(x->db, &x->a_meg, T0, &claimed), ERR_OK);
	assert_int_equal(claimed, 0);
	items = list(x, &x->a_meg, REF_LIST_MINE, T0, NULL);
	assert_true(lists(items, id));
	json_decref(items);

	/* The person reads their own: not audited; others' reads are, about them. */
	v = view(x, &x->a_meg, id, T0);
	assert_true(json_boolean_value(json_object_get(json_object_get(v, "person"), "has_account")));
	assert_non_null(json_object_get(v, "moves"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(
			    json_object_get(v, "moves"), 0), "to")), "withdrawn");
	json_decref(v);
	assert_int_equal(count1(x, &q_reads, detail), 0);
	json_decref(view(x, &x->a_olu, id, T0 + 60));
	json_decref(view(x, &x->a_cora, id, T0 + 120));
	assert_int_equal(rt_count(x->t, &q_reads_by, DB_ARGS(DB_TEXT(detail), DB_INT(x->olu),
			 DB_INT(x->meg))), 1);
	assert_int_equal(count1(x, &q_reads, detail), 2);
	/* "Who has looked": newest first, with their role. */
	assert_int_equal(referral_readers(x->db, id, &readers), ERR_OK);
	assert_int_equal(json_array_size(readers), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(readers, 0), "actor_name")),
			    "Cora Coord");
	assert_string_equal(json_string_value(json_object_get(json_array_get(readers, 0), "role")),
			    "Coordinator");
	assert_string_equal(json_string_value(json_object_get(json_array_get(readers, 1), "role")),
			    "Organiser, Northtown Walkers");
	assert_non_null(json_object_get(json_array_get(readers, 1), "at_words"));
	json_decref(readers);
	/* The person may withdraw their own. */
	step(x, &x->a_meg, id, "withdrawn", NULL, T0 + DAY);
}

/* ---------------------------------------------------------------- follow-up */

static void follow_up_once_after_days(void **state)
{
	struct fx *x = *state;
	struct who w2 = { "Second Person", "two@example.net", NULL, NULL, true, true };
	struct who w3 = { "Third Person", "three@example.net", NULL, NULL, true, true };
	char id[37], id2[37], id3[37];
	json_t *items;

	make(x, &x->a_lw, &kwame, x->walk, T0, id);          /* stays sent */
	make(x, &x->a_lw, &w2, x->walk, T0, id2);            /* accepted: still due */
	make(x, &x->a_lw, &w3, x->walk, T0, id3);            /* contacted: not due */
	step(x, &x->a_olu, id2, "accepted", NULL, T0 + DAY);
	step(x, &x->a_olu, id3, "accepted", NULL, T0 + DAY);
	step(x, &x->a_olu, id3, "contacted", NULL, T0 + 2 * DAY);
	assert_int_equal(referral_follow_up_run(REFERRAL_ENV(&x->t->app), x->db, T0 + 14 * DAY - 1), ERR_OK);
	assert_int_equal(rt_mail_n(x->t, "sam@example.org", "referral_follow_up"), 0);
	items = list(x, &x->a_lw, REF_LIST_CASELOAD, T0 + 14 * DAY - 1, NULL);
	assert_false(json_boolean_value(json_object_get(json_array_get(items, 0), "follow_up_due")));
	json_decref(items);

	assert_int_equal(referral_follow_up_run(REFERRAL_ENV(&x->t->app), x->db, T0 + 14 * DAY), ERR_OK);
	assert_int_equal(rt_mail_n(x->t, "sam@example.org", "referral_follow_up"), 2);
	assert_int_equal(referral_follow_up_run(REFERRAL_ENV(&x->t->app), x->db, T0 + 20 * DAY), ERR_OK);
	assert_int_equal(rt_mail_n(x->t, "sam@example.org", "referral_follow_up"), 2);
	/* The "needs follow-up" list: sent or accepted, past the days. */
	{
		struct ref_list_opts o = { .kind = REF_LIST_CASELOAD, .status = -1, .limit = 10,
					   .follow_up_only = true };
		int64_t total;

		assert_int_equal(referral_list(REFERRAL_ENV(&x->t->app), x->db, &x->a_lw, &o, T0 + 14 * DAY,
					       &items, &total), ERR_OK);
		assert_int_equal(total, 2);
		assert_true(lists(items, id) && lists(items, id2) && !lists(items, id3));
		assert_true(json_boolean_value(json_object_get(json_array_get(items, 0), "follow_up_due")));
		json_decref(items);
		o.follow_up_only = false;
		o.status = REF_CONTACTED;
		assert_int_equal(referral_list(REFERRAL_ENV(&x->t->app), x->db, &x->a_lw, &o, T0 + 14 * DAY,
					       &items, &total), ERR_OK);
		assert_int_equal(total, 1);
		assert_true(lists(items, id3));
		json_decref(items);
	}
	mails_clean(x);
}

static void follow_up_days_setting(void **state)
{
	struct fx *x = *state;
	static const char *const settings[] = { "rate_limit=0", "dev_mode=true",
						"referral_follow_up_days=3", NULL };
	struct rt *t2 = rt_new_like(x->t, settings);
	char id[37];
	json_t *errs = json_array();
	struct ref_new n = new_for(&kwame, x->walk);

	/* Same database, another app: the job reads its own setting. */
	assert_int_equal(db_begin(x->db), ERR_OK);
	assert_int_equal(referral_create(REFERRAL_ENV(&t2->app), x->db, &x->a_lw, &n, T0, id, errs), ERR_OK);
	assert_int_equal(db_commit(x->db), ERR_OK);
	json_decref(errs);
	assert_int_equal(referral_follow_up_run(REFERRAL_ENV(&t2->app), x->db, T0 + 3 * DAY - 1), ERR_OK);
	assert_int_equal(rt_mail_n(x->t, "sam@example.org", "referral_follow_up"), 0);
	assert_int_equal(referral_follow_up_run(REFERRAL_ENV(&t2->app), x->db, T0 + 3 * DAY), ERR_OK);
	assert_int_equal(rt_mail_n(x->t, "sam@example.org", "referral_follow_up"), 1);
	rt_free(t2);
}

/* ---------------------------------------------------------------- reports */

static void overview_numbers(void **state)
{
	struct fx *x = *state;
	struct who p[5] = {
		{ "P One", "p1@example.net", NULL, NULL, true, true },
		{ "P Two", "p2@example.net", NULL, NULL, true, true },
		{ "P Three", "p3@example.net", NULL, NULL, true, true },
		{ "P Four", "p4@example.net", NULL, NULL, true, true },
		{ "P Five", "p5@example.net", NULL, NULL, true, true },
	};
	char id[5][37];
	json_t *o, *a;
	size_t i;
	json_t *it;
	int64_t by_walking = 0, by_link_worker = 0;

	for (int k = 0; k < 4; k++)
		make(x, &x->a_lw, &p[k], x->walk, T0, id[k]);
	make(x, &x->a_lw, &p[4], x->club, T0 + 100 * DAY, id[4]);   /* outside the period */
	/* Accepted after 1, 3 and 5 days (UK calendar days: 10:00 to 06:00
	 * three days later is 3); contacted after 3 and 6; one attended
	 * after 10, then still attending. */
	step(x, &x->a_olu, id[0], "accepted", NULL, T0 + DAY + 5);
	step(x, &x->a_olu, id[1], "accepted", NULL, T0 + 2 * DAY + 20 * 3600);
	step(x, &x->a_olu, id[2], "accepted", NULL, T0 + 5 * DAY);
	step(x, &x->a_olu, id[0], "contacted", NULL, T0 + 3 * DAY);
	step(x, &x->a_olu, id[1], "contacted", NULL, T0 + 6 * DAY);
	step(x, &x->a_olu, id[0], "attended", NULL, T0 + 10 * DAY);
	step(x, &x->a_olu, id[0], "sustained", NULL, T0 + 60 * DAY);
	step(x, &x->a_olu, id[3], "declined", "full", T0 + DAY);

	assert_int_equal(referral_overview(x->db, T0 - DAY, T0 + 50 * DAY, &o), ERR_OK);
	assert_int_equal(json_integer_value(json_object_get(o, "total")), 4);
	assert_int_equal(json_integer_value(json_object_get(o, "median_days_to_accept")), 3);
	assert_true(json_is_real(json_object_get(o, "median_days_to_contact")));
	assert_true(json_real_value(json_object_get(o, "median_days_to_contact")) == 4.5);
	assert_int_equal(json_integer_value(json_object_get(o, "median_days_to_attend")), 10);
	assert_true(json_real_value(json_object_get(o, "attended_share")) == 0.25);
	assert_true(json_real_value(json_object_get(o, "sustained_share")) == 0.25);
	assert_int_equal(json_integer_value(json_object_get(o, "attended_percent")), 25);
	a = json_object_get(o, "by_status");
	assert_int_equal(json_array_size(a), 8);
	json_array_foreach(a, i, it) {
		const char *c = json_string_value(json_object_get(it, "code"));
		int64_t want = strcmp(c, "accepted") == 0 || strcmp(c, "contacted") == 0 ||
			       strcmp(c, "sustained") == 0 || strcmp(c, "declined") == 0 ? 1 : 0;

		assert_int_equal(json_integer_value(json_object_get(it, "count")), want);
	}
	json_array_foreach(json_object_get(o, "by_source"), i, it)
		if (strcmp(json_string_value(json_object_get(it, "code")), "link_worker") == 0)
			by_link_worker = json_integer_value(json_object_get(it, "count"));
	assert_int_equal(by_link_worker, 4);   /* the row is there, and counts all four */
	json_array_foreach(json_object_get(o, "by_category"), i, it) {
		assert_string_not_equal(json_string_value(json_object_get(it, "code")), "reading");
		if (strcmp(json_string_value(json_object_get(it, "code")), "walking") == 0)
			by_walking = json_integer_value(json_object_get(it, "count"));
	}
	assert_int_equal(by_walking, 4);
	/* No names, contact details or words anywhere in it. */
	{
		char *s = json_dumps(o, 0);

		assert_null(strstr(s, "P One"));
		assert_null(strstr(s, "p1@example"));
		assert_null(strstr(s, "divorce"));
		free(s);
	}
	json_decref(o);
	/* Unbounded: all five. */
	assert_int_equal(referral_overview(x->db, 0, 0, &o), ERR_OK);
	assert_int_equal(json_integer_value(json_object_get(o, "total")), 5);
	json_decref(o);
	/* Nothing at all: zeros and no medians. */
	assert_int_equal(referral_overview(x->db, T0 + 500 * DAY, 0, &o), ERR_OK);
	assert_int_equal(json_integer_value(json_object_get(o, "total")), 0);
	assert_null(json_object_get(o, "median_days_to_accept"));
	assert_true(json_real_value(json_object_get(o, "attended_share")) == 0.0);
	json_decref(o);
}

static void csv_quotes_and_guards(void **state)
{
	struct fx *x = *state;
	char id[37], id2[37], row[400];
	const char *csv;
	size_t len;
	struct arena a;

	make(x, &x->a_lw, &kwame, x->club, T0, id);
	make(x, &x->a_lw, &kwame, x->walk, T0 + 60, id2);
	step(x, &x->a_olu, id2, "accepted", NULL, T0 + 2 * DAY);
	step(x, &x->a_olu, id2, "contacted", NULL, T0 + 3 * DAY);
	step(x, &x->a_olu, id2, "closed", "moved_away", T0 + 4 * DAY);
	arena_init(&a);
	assert_int_equal(referral_csv(x->db, 0, 0, &a, &csv, &len), ERR_OK);
	assert_int_equal(strlen(csv), len);
	assert_true(strncmp(csv, "id,sent_at,source,target_type,target_name,category,status,"
			    "days_to_accept,days_to_contact,days_to_attend,end_reason,source_words,"
			    "status_words,end_reason_words\r\n", 159) == 0);
	/* A name with a comma and quotes, starting with '=': quoted, doubled, guarded. */
	snprintf(row, sizeof(row), "%s,2026-01-15T10:00:00Z,link_worker,service,"
		 "\"'=Sum, \"\"Readers\"\" Club\",Book clubs and reading,sent,,,,,%s,%s,\r\n", id,
		 ref_source_words(REF_SRC_LINK_WORKER), ref_status_words(REF_SENT));
	assert_non_null(strstr(csv, row));
	snprintf(row, sizeof(row), "%s,2026-01-15T10:01:00Z,link_worker,service,"
		 "Tuesday Health Walk,Walking and exercise,closed,2,3,,moved_away,%s,%s,%s\r\n", id2,
		 ref_source_words(REF_SRC_LINK_WORKER), ref_status_words(REF_CLOSED),
		 ref_close_reasons[ref_code_find(ref_close_reasons, ref_close_reasons_n, "moved_away")].name);
	assert_non_null(strstr(csv, row));
	assert_null(strstr(csv, "Kwame"));
	assert_null(strstr(csv, "kwame@"));
	assert_null(strstr(csv, "divorce"));
	/* The period filters. */
	assert_int_equal(referral_csv(x->db, T0 + 30, 0, &a, &csv, &len), ERR_OK);
	assert_null(strstr(csv, id));
	assert_non_null(strstr(csv, id2));
	arena_release(&a);
}

/* Claiming keys an address exactly as accounts do (str_lower_email:
 * ASCII letters only). An address typed with other capitals claims the
 * record; one that accounts hold to be another address (a non-ASCII
 * letter in another case, which could be someone else's account) does
 * not. */
static void claim_keys_email_as_accounts_do(void **state)
{
	struct fx *x = *state;
	/* The account: "Émile.Dupont@Example.ORG". */
	int64_t emile = rt_person(x->t, "Emile Dupont", "\xc3\x89mile.Dupont@Example.ORG", NULL,
				  R(MEMBER), NULL);
	/* Typed by the link worker in capitals: the same address. */
	struct who caps = { "Emile Dupont", "\xc3\x89MILE.DUPONT@EXAMPLE.ORG", NULL, NULL, true, true };
	/* With a small é: another address, to accounts and so to claiming. */
	struct who small = { "Emile Dupont", "\xc3\xa9mile.dupont@example.org", NULL, NULL, true, true };
	struct person p;
	struct actor a;
	struct arena ar;
	char id[37], other[37];
	int claimed = -1;

	arena_init(&ar);
	assert_int_equal(person_get(x->db, &ar, emile, &p), ERR_OK);
	assert_int_equal(person_find_email(x->db, &ar, caps.email, &p), ERR_OK);
	assert_int_equal(p.id, emile);
	assert_int_equal(person_find_email(x->db, &ar, small.email, &p), ERR_NOT_FOUND);
	assert_int_equal(person_get(x->db, &ar, emile, &p), ERR_OK);
	a = act(emile, R(MEMBER), NULL, p.email, true);

	make(x, &x->a_lw, &caps, x->walk, T0, id);
	make(x, &x->a_lw, &small, x->club, T0, other);
	assert_int_equal(rt_count(x->t, &q_keys_agree, DB_ARGS(DB_TEXT(id), DB_INT(emile))), 1);
	assert_int_equal(rt_count(x->t, &q_keys_agree, DB_ARGS(DB_TEXT(other), DB_INT(emile))), 0);
	assert_int_equal(referral_claim(x->db, &a, T0, &claimed), ERR_OK);
	assert_int_equal(claimed, 1);
	assert_int_equal(rt_count(x->t, &q_client_account, DB_ARGS(DB_TEXT(id))), emile);
	assert_int_equal(rt_count(x->t, &q_client_account, DB_ARGS(DB_TEXT(other))), 0);
	arena_release(&ar);
}

/* ---------------------------------------------------------------- privacy */

static void export_and_erase(void **state)
{
	struct fx *x = *state;
	struct who megw = { "Meg Member", "meg@example.net", "943 476 5919", NULL, true, true };
	struct who other = { "Other Person", "other@example.net", NULL, NULL, true, true };
	char id[37], id2[37];
	json_t *out = json_object(), *refs;
	int claimed;

	make(x, &x->a_lw, &megw, x->walk, T0, id);
	step(x, &x->a_olu, id, "accepted", NULL, T0 + DAY);
	assert_int_equal(referral_claim(x->db, &x->a_meg, T0, &claimed), ERR_OK);
	assert_int_equal(claimed, 1);
	make(x, &x->a_lw, &other, x->walk, T0, id2);       /* not Meg's */
	assert_int_equal(referral_export_person(x->db, x->meg, T0, out), ERR_OK);
	refs = json_object_get(out, "referrals");
	assert_int_equal(json_array_size(refs), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(refs, 0), "id")), id);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(refs, 0),
			    "person"), "nhs_number")), "9434765919");
	assert_int_equal(json_array_size(json_object_get(json_array_get(refs, 0), "events")), 2);
	json_decref(out);

	/* Meg is erased: her record emptied, her open referral withdrawn,
	 * its events only statuses and times. */
	assert_int_equal(db_begin(x->db), ERR_OK);
	assert_int_equal(referral_erase_person(x->db, x->meg, T0 + 2 * DAY), ERR_OK);
	assert_int_equal(db_commit(x->db), ERR_OK);
	assert_int_equal(count2(x, &q_status, id, "withdrawn"), 1);
	assert_int_equal(count1(x, &q_client_erased, id), 1);
	assert_int_equal(count1(x, &q_notes, id), 0);
	assert_int_equal(count2(x, &q_status, id2, "sent"), 1);
	out = json_object();
	assert_int_equal(referral_export_person(x->db, x->meg, T0, out), ERR_OK);
	assert_int_equal(json_array_size(json_object_get(out, "referrals")), 0);
	json_decref(out);

	/* The link worker is erased: referrals they made stay, without them. */
	assert_int_equal(db_begin(x->db), ERR_OK);
	assert_int_equal(referral_erase_person(x->db, x->lw, T0 + 3 * DAY), ERR_OK);
	assert_int_equal(db_commit(x->db), ERR_OK);
	assert_int_equal(count1(x, &q_referrer_null, id2), 1);
	assert_int_equal(count2(x, &q_status, id2, "sent"), 1);
}

/* ---------------------------------------------------------------- when and how */

/* referral_step in a transaction of its own: ERR_OK, or the error with
 * its first field in *field (may be NULL). */
static enum err dated(struct fx *x, const struct actor *a, const char *id, const char *to,
		const char *on, const char *method, int64_t now, char field[32])
{
	struct ref_meta m;
	json_t *errs = json_array();
	enum err e;

	assert_int_equal(db_begin(x->db), ERR_OK);
	assert_int_equal(referral_meta(x->db, id, &m), ERR_OK);
	e = referral_step(REFERRAL_ENV(&x->t->app), x->db, a, &m, &(const struct ref_step){
		.to = to, .happened_on = on, .method = method }, now, errs);
	if (e == ERR_OK)
		assert_int_equal(db_commit(x->db), ERR_OK);
	else
		assert_int_equal(db_rollback(x->db), ERR_OK);
	if (field)
		snprintf(field, 32, "%s", json_string_value(json_object_get(json_array_get(errs, 0),
								      "field")) ?: "");
	json_decref(errs);
	return e;
}

static json_t *view_as(struct fx *x, const struct actor *a, const char *id, int64_t now)
{
	struct ref_meta m;
	json_t *v = NULL;

	assert_int_equal(db_begin(x->db), ERR_OK);
	assert_int_equal(referral_meta(x->db, id, &m), ERR_OK);
	assert_int_equal(referral_view(REFERRAL_ENV(&x->t->app), x->db, a, &m, now, &v), ERR_OK);
	assert_int_equal(db_commit(x->db), ERR_OK);
	return v;
}

static int64_t measure(const json_t *v, const char *key)
{
	const json_t *n = json_object_get(json_object_get(v, "measures"), key);

	return json_is_integer(n) ? json_integer_value(n) : -1;
}

/* Contact and attendance are recorded with the day they happened and
 * how; the measures, the overview and the CSV count from that day. */
static void dated_steps_count_from_the_day(void **state)
{
	struct fx *x = *state;
	char id[37], f[32];
	const char *csv;
	size_t len;
	struct arena a;
	json_t *v, *ev, *o;

	make(x, &x->a_lw, &kwame, x->walk, T0, id);      /* Thursday 15 January 2026 */
	step(x, &x->a_olu, id, "accepted", NULL, T0 + DAY);
	/* Before it was sent, in the future, not a day, an unknown way. */
	assert_int_equal(dated(x, &x->a_olu, id, "contacted", "2026-01-14", NULL, T0 + 5 * DAY, f),
			 ERR_INVALID);
	assert_string_equal(f, "happened_on");
	assert_int_equal(dated(x, &x->a_olu, id, "contacted", "2026-01-21", NULL, T0 + 5 * DAY, f),
			 ERR_INVALID);
	assert_string_equal(f, "happened_on");
	assert_int_equal(dated(x, &x->a_olu, id, "contacted", "2026-02-30", NULL, T0 + 5 * DAY, f),
			 ERR_INVALID);
	assert_string_equal(f, "happened_on");
	assert_int_equal(dated(x, &x->a_olu, id, "contacted", NULL, "pigeon", T0 + 5 * DAY, f),
			 ERR_INVALID);
	assert_string_equal(f, "method");
	/* Only contact and attendance take them. */
	assert_int_equal(dated(x, &x->a_cora, id, "withdrawn", "2026-01-16", NULL, T0 + 5 * DAY, f),
			 ERR_INVALID);
	assert_string_equal(f, "happened_on");
	/* A step that is not theirs is refused as before, whatever the date. */
	assert_int_equal(dated(x, &x->a_lw, id, "contacted", "2026-01-14", NULL, T0 + 5 * DAY, f),
			 ERR_FORBIDDEN);
	assert_int_equal(count2(x, &q_status, id, "accepted"), 1);

	/* Contacted on the 17th by phone, recorded on the 20th. */
	assert_int_equal(dated(x, &x->a_olu, id, "contacted", "2026-01-17", "phone", T0 + 5 * DAY, f),
			 ERR_OK);
	/* Attending before the contact: no. On the 18th, in person. */
	assert_int_equal(dated(x, &x->a_olu, id, "attended", "2026-01-16", NULL, T0 + 5 * DAY, f),
			 ERR_INVALID);
	assert_string_equal(f, "happened_on");
	assert_int_equal(dated(x, &x->a_olu, id, "attended", "2026-01-18", "in_person", T0 + 5 * DAY, f),
			 ERR_OK);
	v = view_as(x, &x->a_lw, id, T0 + 5 * DAY);
	assert_int_equal(measure(v, "days_to_accept"), 1);
	assert_int_equal(measure(v, "days_to_contact"), 2);
	assert_int_equal(measure(v, "days_to_attend"), 3);
	ev = json_array_get(json_object_get(v, "events"), 2);
	assert_string_equal(json_string_value(json_object_get(ev, "to")), "contacted");
	assert_string_equal(json_string_value(json_object_get(ev, "happened_on")), "2026-01-17");
	assert_string_equal(json_string_value(json_object_get(ev, "happened_words")), "17 January 2026");
	assert_string_equal(json_string_value(json_object_get(ev, "method")), "phone");
	assert_string_equal(json_string_value(json_object_get(ev, "method_words")), "By phone");
	/* The event itself is when it was recorded. */
	assert_string_equal(json_string_value(json_object_get(ev, "at")), "2026-01-20T10:00:00Z");
	json_decref(v);

	assert_int_equal(referral_overview(x->db, 0, 0, &o), ERR_OK);
	assert_int_equal(json_integer_value(json_object_get(o, "median_days_to_contact")), 2);
	assert_int_equal(json_integer_value(json_object_get(o, "median_days_to_attend")), 3);
	json_decref(o);
	arena_init(&a);
	assert_int_equal(referral_csv(x->db, 0, 0, &a, &csv, &len), ERR_OK);
	assert_non_null(strstr(csv, ",attended,1,2,3,,"));
	arena_release(&a);

	/* Still attending: six weeks from the day they first came (18
	 * January), so from 1 March, whenever it is recorded. */
	assert_int_equal(dated(x, &x->a_olu, id, "sustained", "2026-02-28", NULL, T0 + 50 * DAY, f),
			 ERR_INVALID);
	assert_string_equal(f, "happened_on");
	assert_int_equal(dated(x, &x->a_olu, id, "sustained", "2026-03-02", "in_person", T0 + 50 * DAY,
			       f), ERR_OK);
	assert_int_equal(count2(x, &q_status, id, "sustained"), 1);

	/* Today is the default, and the time of the click. */
	make(x, &x->a_lw, &kwame, x->walk2, T0, id);
	step(x, &x->a_olu, id, "accepted", NULL, T0 + DAY);
	assert_int_equal(dated(x, &x->a_olu, id, "contacted", NULL, NULL, T0 + 2 * DAY + 3600, f), ERR_OK);
	v = view_as(x, &x->a_cora, id, T0 + 3 * DAY);
	assert_int_equal(measure(v, "days_to_contact"), 2);
	ev = json_array_get(json_object_get(v, "events"), 2);
	assert_string_equal(json_string_value(json_object_get(ev, "happened_on")), "2026-01-17");
	assert_null(json_object_get(ev, "method"));
	json_decref(v);
}

static const struct sql q_note_rows = { "trd.note_rows",
	"SELECT count(*) FROM referral_note WHERE referral_id = $1", NULL };

static enum err casework(struct fx *x, const struct actor *a, const char *id, const char *note,
		const char *next, int64_t now, char field[32])
{
	struct ref_meta m;
	json_t *errs = json_array();
	enum err e;

	assert_int_equal(db_begin(x->db), ERR_OK);
	assert_int_equal(referral_meta(x->db, id, &m), ERR_OK);
	e = referral_casework(x->db, a, &m, note, next, now, errs);
	if (e == ERR_OK)
		assert_int_equal(db_commit(x->db), ERR_OK);
	else
		assert_int_equal(db_rollback(x->db), ERR_OK);
	if (field)
		snprintf(field, 32, "%s", json_string_value(json_object_get(json_array_get(errs, 0),
								      "field")) ?: "");
	json_decref(errs);
	return e;
}

static json_t *due_list(struct fx *x, const struct actor *a, enum ref_list_kind kind, int64_t now,
		enum err *e)
{
	struct ref_list_opts o = { .kind = kind, .status = -1, .limit = 100, .contact_due_only = true };
	json_t *items = NULL;
	int64_t total = 0;

	*e = referral_list(REFERRAL_ENV(&x->t->app), x->db, a, &o, now, &items, &total);
	return items;
}

/* Case notes and the next contact: the referrer and coordinators keep
 * them, nobody else reads or writes them; the person has them in their
 * export; erasing the person removes them. */
static void case_notes_and_next_contact(void **state)
{
	struct fx *x = *state;
	struct who megw = { "Meg Member", "meg@example.net", NULL, NULL, true, true };
	char id[37], f[32];
	json_t *v, *items, *out;
	int claimed;
	enum err e;

	make(x, &x->a_lw, &megw, x->walk, T0, id);
	assert_int_equal(casework(x, &x->a_olu, id, "Hello", NULL, T0, f), ERR_FORBIDDEN);
	assert_int_equal(casework(x, &x->a_lw2, id, "Hello", NULL, T0, f), ERR_FORBIDDEN);
	assert_int_equal(casework(x, &x->a_meg, id, "Hello", NULL, T0, f), ERR_FORBIDDEN);
	assert_int_equal(casework(x, &x->a_lw, id, NULL, NULL, T0, f), ERR_INVALID);
	assert_string_equal(f, "note");
	assert_int_equal(casework(x, &x->a_lw, id, NULL, "2026-01-14", T0, f), ERR_INVALID);
	assert_string_equal(f, "next_contact_on");
	assert_int_equal(casework(x, &x->a_lw, id, NULL, "soon", T0, f), ERR_INVALID);
	assert_string_equal(f, "next_contact_on");
	assert_int_equal(count1(x, &q_note_rows, id), 0);
	assert_int_equal(casework(x, &x->a_lw, id, "Rang Meg: she wants to try the walk.", "2026-01-20",
				  T0, f), ERR_OK);
	assert_int_equal(casework(x, &x->a_cora, id, "Checked there is room.", NULL, T0 + 60, f), ERR_OK);
	assert_int_equal(count1(x, &q_note_rows, id), 2);
	assert_int_equal(rt_audit_n(x->t, "referral.note"), 2);
	assert_int_equal(rt_audit_n(x->t, "referral.next_contact"), 1);

	/* The referrer sees them, newest first; the organisation does not. */
	v = view_as(x, &x->a_lw, id, T0);
	assert_int_equal(json_array_size(json_object_get(v, "notes")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(v, "notes"), 1),
			    "text")), "Rang Meg: she wants to try the walk.");
	assert_string_equal(json_string_value(json_object_get(v, "next_contact_on")), "2026-01-20");
	assert_false(json_is_true(json_object_get(v, "contact_due")));
	json_decref(v);
	v = view_as(x, &x->a_olu, id, T0);
	assert_null(json_object_get(v, "notes"));
	assert_null(json_object_get(v, "next_contact_on"));
	json_decref(v);

	/* Due on the day, in the referrer's list only. */
	items = due_list(x, &x->a_lw, REF_LIST_CASELOAD, T0 + 4 * DAY, &e);
	assert_int_equal(e, ERR_OK);
	assert_int_equal(json_array_size(items), 0);
	json_decref(items);
	items = due_list(x, &x->a_lw, REF_LIST_CASELOAD, T0 + 5 * DAY, &e);
	assert_int_equal(json_array_size(items), 1);
	assert_true(json_is_true(json_object_get(json_array_get(items, 0), "contact_due")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0),
			    "next_contact_words")), "20 January 2026");
	json_decref(items);
	items = due_list(x, &x->a_olu, REF_LIST_INBOX, T0 + 5 * DAY, &e);
	assert_int_equal(e, ERR_FORBIDDEN);
	json_decref(items);
	items = list(x, &x->a_olu, REF_LIST_INBOX, T0 + 5 * DAY, NULL);
	assert_null(json_object_get(json_array_get(items, 0), "next_contact_on"));
	json_decref(items);

	/* Meg's own export has them (her right of access); her page does not. */
	assert_int_equal(referral_claim(x->db, &x->a_meg, T0, &claimed), ERR_OK);
	v = view_as(x, &x->a_meg, id, T0);
	assert_null(json_object_get(v, "notes"));
	json_decref(v);
	out = json_object();
	assert_int_equal(referral_export_person(x->db, x->meg, T0, out), ERR_OK);
	assert_int_equal(json_array_size(json_object_get(json_array_get(json_object_get(out, "referrals"),
			 0), "notes")), 2);
	json_decref(out);

	/* Ended: no next contact to plan, and none due. */
	step(x, &x->a_olu, id, "accepted", NULL, T0 + DAY);
	step(x, &x->a_olu, id, "closed", "completed", T0 + 2 * DAY);
	assert_int_equal(casework(x, &x->a_lw, id, NULL, "2026-01-25", T0 + 2 * DAY, f), ERR_INVALID);
	assert_string_equal(f, "next_contact_on");
	items = due_list(x, &x->a_lw, REF_LIST_CASELOAD, T0 + 5 * DAY, &e);
	assert_int_equal(json_array_size(items), 0);
	json_decref(items);
	/* Erasing Meg removes what was written about her. */
	assert_int_equal(db_begin(x->db), ERR_OK);
	assert_int_equal(referral_erase_person(x->db, x->meg, T0 + 3 * DAY), ERR_OK);
	assert_int_equal(db_commit(x->db), ERR_OK);
	assert_int_equal(count1(x, &q_note_rows, id), 0);
}

/* Lists searched by name: the person's (where the viewer may see it)
 * or the service's, any case, % and _ as themselves. */
static void lists_search_by_name(void **state)
{
	struct fx *x = *state;
	struct who p = { "Zoë O'Brien_Smith", "zoe@example.net", NULL, NULL, true, true };
	char id[37], id2[37];
	struct ref_list_opts o = { .kind = REF_LIST_CASELOAD, .status = -1, .limit = 100 };
	json_t *items = NULL;
	int64_t total = 0;

	make(x, &x->a_lw, &p, x->walk, T0, id);
	make(x, &x->a_lw, &kwame, x->club, T0, id2);
	o.search = "o'brien";
	assert_int_equal(referral_list(REFERRAL_ENV(&x->t->app), x->db, &x->a_lw, &o, T0, &items, &total), ERR_OK);
	assert_int_equal(total, 1);
	assert_true(lists(items, id));
	json_decref(items);
	o.search = "n_s";
	assert_int_equal(referral_list(REFERRAL_ENV(&x->t->app), x->db, &x->a_lw, &o, T0, &items, &total), ERR_OK);
	assert_int_equal(total, 1);
	json_decref(items);
	o.search = "%";
	assert_int_equal(referral_list(REFERRAL_ENV(&x->t->app), x->db, &x->a_lw, &o, T0, &items, &total), ERR_OK);
	assert_int_equal(total, 0);
	json_decref(items);
	o.search = "READERS";     /* the service's name */
	assert_int_equal(referral_list(REFERRAL_ENV(&x->t->app), x->db, &x->a_lw, &o, T0, &items, &total), ERR_OK);
	assert_int_equal(total, 1);
	assert_true(lists(items, id2));
	json_decref(items);
	/* Open only, in the organisation's inbox. */
	o = (struct ref_list_opts){ .kind = REF_LIST_INBOX, .status = -1, .limit = 100, .open_only = true,
				    .search = "zo" };
	assert_int_equal(referral_list(REFERRAL_ENV(&x->t->app), x->db, &x->a_olu, &o, T0, &items, &total), ERR_OK);
	assert_int_equal(total, 1);
	json_decref(items);
	step(x, &x->a_olu, id, "declined", "full", T0 + DAY);
	assert_int_equal(referral_list(REFERRAL_ENV(&x->t->app), x->db, &x->a_olu, &o, T0, &items, &total), ERR_OK);
	assert_int_equal(total, 0);
	json_decref(items);
}

/* ---------------------------------------------------------------- demo */

static const struct sql q_demo_refs = { "trd.demo_refs",
	"SELECT count(*) FROM referral WHERE id LIKE 'd3e00000-%'", NULL };
static const struct sql q_demo_status = { "trd.demo_status",
	"SELECT count(DISTINCT status) FROM referral WHERE id LIKE 'd3e00000-%'", NULL };
static const struct sql q_demo_events = { "trd.demo_events",
	"SELECT count(*) FROM referral_event", NULL };
static const struct sql q_demo_clients = { "trd.demo_clients", "SELECT count(*) FROM client", NULL };
static const struct sql q_demo_future = { "trd.demo_future",
	"SELECT count(*) FROM referral_event WHERE at > $1", NULL };
static const struct sql q_demo_methods = { "trd.demo_methods",
	"SELECT count(*) FROM referral_event WHERE to_status IN ('contacted', 'attended', 'sustained') "
	"AND method IS NOT NULL AND happened_on IS NOT NULL", NULL };
static const struct sql q_demo_notes = { "trd.demo_notes",
	"SELECT count(*) FROM referral_note n JOIN referral r ON r.id = n.referral_id "
	"WHERE r.id LIKE 'd3e00000-%' AND r.next_contact_on IS NOT NULL", NULL };

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

static struct actor demo_actor(struct rt *t, const char *email)
{
	struct person p;
	struct arena a;
	struct actor out;
	static char org[37];

	arena_init(&a);
	assert_int_equal(person_find_email(rt_db(t), &a, email, &p), ERR_OK);
	out = act(p.id, p.roles, NULL, NULL, true);
	if (p.org_id) {
		snprintf(org, sizeof(org), "%s", p.org_id);
		out.org_id = org;
	}
	arena_release(&a);
	return out;
}

static void demo_referrals(void **state)
{
	struct rt *t = *state;
	int64_t now = uk_to_utc(2026, 11, 23, 12, 0);
	int64_t events, clients, total = 0;
	struct actor lw, org, mem;
	json_t *items;
	size_t i, due = 0;
	json_t *it;

	log_set_quiet(1);
	run_demo(t, now);
	assert_int_equal(rt_count(t, &q_demo_refs, DB_NOARGS), 31);
	assert_int_equal(rt_count(t, &q_demo_status, DB_NOARGS), REF__MAX);
	assert_int_equal(rt_count(t, &q_demo_future, DB_ARGS(DB_INT(now))), 0);
	events = rt_count(t, &q_demo_events, DB_NOARGS);
	clients = rt_count(t, &q_demo_clients, DB_NOARGS);
	/* Quiet: nobody emailed, nothing audited as if people had done it. */
	assert_int_equal(rt_mail_all(t), 0);
	assert_int_equal(rt_audit_n(t, "referral.created"), 0);

	lw = demo_actor(t, "linkworker@demo.kith.test");
	org = demo_actor(t, "organiser@demo.kith.test");
	mem = demo_actor(t, "member@demo.kith.test");
	items = list(&(struct fx){ .t = t, .db = rt_db(t) }, &lw, REF_LIST_CASELOAD, now, &total);
	assert_int_equal(total, 30);
	json_array_foreach(items, i, it)
		due += json_boolean_value(json_object_get(it, "follow_up_due"));
	assert_true(due >= 2);
	json_decref(items);
	items = list(&(struct fx){ .t = t, .db = rt_db(t) }, &org, REF_LIST_INBOX, now, &total);
	assert_true(total >= 20);
	json_decref(items);
	items = list(&(struct fx){ .t = t, .db = rt_db(t) }, &mem, REF_LIST_MINE, now, &total);
	assert_int_equal(total, 1);
	json_decref(items);
	/* Contact and attendance with their days and ways, case notes, and a
	 * next contact due today. */
	assert_true(rt_count(t, &q_demo_methods, DB_NOARGS) >= 10);
	assert_true(rt_count(t, &q_demo_notes, DB_NOARGS) >= 3);
	{
		enum err e;

		items = due_list(&(struct fx){ .t = t, .db = rt_db(t) }, &lw, REF_LIST_CASELOAD, now, &e);
		assert_int_equal(e, ERR_OK);
		assert_int_equal(json_array_size(items), 1);
		json_decref(items);
	}

	/* A refresh a week later replaces them: the same numbers, dated anew. */
	run_demo(t, now + 7 * DAY);
	assert_int_equal(rt_count(t, &q_demo_refs, DB_NOARGS), 31);
	assert_int_equal(rt_count(t, &q_demo_events, DB_NOARGS), events);
	assert_int_equal(rt_count(t, &q_demo_clients, DB_NOARGS), clients);
	assert_int_equal(rt_mail_all(t), 0);
	log_set_quiet(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(loop_with_events_and_emails, setup, teardown),
		cmocka_unit_test_setup_teardown(second_open_referral_conflicts, setup, teardown),
		cmocka_unit_test_setup_teardown(same_person_typed_again_conflicts, setup, teardown),
		cmocka_unit_test_setup_teardown(targets_must_be_listed, setup, teardown),
		cmocka_unit_test_setup_teardown(self_referrals, setup, teardown),
		cmocka_unit_test_setup_teardown(words_optional_where_people_turn_up, setup, teardown),
		cmocka_unit_test_setup_teardown(withdrawing_share_ends_sharing, setup, teardown),
		cmocka_unit_test_setup_teardown(withdrawing_contact_and_outcome_stops_emails, setup, teardown),
		cmocka_unit_test_setup_teardown(emails_per_step, setup, teardown),
		cmocka_unit_test_setup_teardown(least_privilege, setup, teardown),
		cmocka_unit_test_setup_teardown(claim_and_own_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(claim_keys_email_as_accounts_do, setup, teardown),
		cmocka_unit_test_setup_teardown(follow_up_once_after_days, setup, teardown),
		cmocka_unit_test_setup_teardown(follow_up_days_setting, setup, teardown),
		cmocka_unit_test_setup_teardown(overview_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(csv_quotes_and_guards, setup, teardown),
		cmocka_unit_test_setup_teardown(export_and_erase, setup, teardown),
		cmocka_unit_test_setup_teardown(dated_steps_count_from_the_day, setup, teardown),
		cmocka_unit_test_setup_teardown(case_notes_and_next_contact, setup, teardown),
		cmocka_unit_test_setup_teardown(lists_search_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(demo_referrals, rt_setup, rt_teardown),
	};

	return testdb_run_groups("referral_domain", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
