/*
 * test_people.c - the people pages for coordinators and admins: the list
 * with search, filter and pages; a person's record (and the person.read
 * audit row a look at someone else's writes); granting and removing roles
 * through the forms, with every refusal the policy table makes. Browser
 * sessions are made in the database; the pages are used with their
 * cookies and form tokens. SQLite and, with KITH_TEST_PG_URL, PostgreSQL.
 */
#include "core/common.h"
#include "org/org.h"

#include <setjmp.h>
#include <cmocka.h>

#include "auth/person.h"
#include "core/timeutil.h"
#include "store/store.h"
#include "support/reqtest.h"

#define ORG "3f2504e0-4f89-41d3-9a0c-0305e82c3301"

/* ---------------------------------------------------------------- helpers */

#define MEMBER ROLE_BIT(ROLE_MEMBER)
#define COORD (ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_COORDINATOR))
#define ADMIN (ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_ADMIN))

static const struct sql q_audit_full = { "tp.audit_full",
	"SELECT count(*) FROM audit WHERE action = $1 AND subject_id = $2 AND actor_id = $3 AND detail = $4",
	NULL };

static unsigned roles_of(struct rt *t, int64_t id)
{
	struct arena a;
	struct person p;
	unsigned roles;

	arena_init(&a);
	assert_int_equal(person_get(rt_db(t), &a, id, &p), ERR_OK);
	roles = p.roles;
	arena_release(&a);
	return roles;
}

static int setup(void **state)
{
	if (rt_setup(state))
		return -1;
	assert_int_equal(org_create(rt_db(*state), ORG, "Breathe Easy Northtown", time_now()), ERR_OK);
	return 0;
}

/* ---------------------------------------------------------------- tests */

static void list_only_for_coordinators_and_admins(void **state)
{
	struct rt *t = *state;
	struct rt_browser m, c, a;
	struct rt_resp r;

	rt_sign_in(t, rt_person(t, "Mo Member", "mo@example.org", NULL, MEMBER, NULL), &m);
	rt_sign_in(t, rt_person(t, "Cora Coord", "cora@example.org", NULL, COORD, NULL), &c);
	rt_sign_in(t, rt_person(t, "Ada Admin", "ada@example.org", NULL, ADMIN, NULL), &a);
	rt_get(t, "/people", &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(rt_header(&r, "Location"), "/login?next=%2Fpeople");
	rt_resp_free(&r);
	rt_browser_get_is(t, &m, "/people", 403, NULL);
	rt_browser_get_is(t, &c, "/people", 200, "<h1 class=\"govuk-heading-l\">People</h1>",
			"Showing 1 to 3 of 3.", ">Mo Member</a>", "mo@example.org",
			"Member, Coordinator", NULL);
	rt_browser_get_is(t, &a, "/people", 200, NULL);
}

static void list_search_filter_and_pages(void **state)
{
	struct rt *t = *state;
	struct rt_browser c;
	struct rt_resp r;

	rt_sign_in(t, rt_person(t, "Cora Coord", "cora@example.org", NULL, COORD, NULL), &c);
	for (int i = 0; i < 30; i++) {
		char name[32], email[48];

		snprintf(name, sizeof(name), "Walker %02d", i);
		snprintf(email, sizeof(email), "walker%02d@example.org", i);
		rt_person(t, name, email, NULL, i < 2 ? (MEMBER | ROLE_BIT(ROLE_PEER_SUPPORTER)) : MEMBER, NULL);
	}
	rt_browser_get(t, &c, "/people?q=walker", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Showing 1 to 25 of 30."));
	assert_true(rt_has(&r, "value=\"walker\""));
	assert_true(rt_has(&r, "href=\"/people?q=walker&amp;role=&amp;page=2\""));
	assert_false(rt_has(&r, "rel=\"prev\""));
	assert_false(rt_has(&r, "Cora Coord</a>"));
	rt_resp_free(&r);
	rt_browser_get(t, &c, "/people?q=walker&page=2", &r);
	assert_true(rt_has(&r, "Showing 26 to 30 of 30."));
	assert_true(rt_has(&r, "rel=\"prev\""));
	assert_false(rt_has(&r, "rel=\"next\""));
	assert_true(rt_has(&r, "Walker 29</a>"));
	rt_resp_free(&r);
	rt_browser_get(t, &c, "/people?role=peer_supporter", &r);
	assert_true(rt_has(&r, "Showing 1 to 2 of 2."));
	assert_true(rt_has(&r, "<option value=\"peer_supporter\" selected>"));
	rt_resp_free(&r);
	rt_browser_get_is(t, &c, "/people?q=nobody-at-all", 200, "No one matches", NULL);
	/* Odd parameters do not break the page. */
	rt_browser_get_is(t, &c, "/people?page=-4&role=wizard", 200, "Showing 1 to 25 of 31.",
			NULL);
}

static void record_and_read_audit(void **state)
{
	struct rt *t = *state;
	struct rt_browser m, c;
	struct rt_resp r;
	char path[64];
	int64_t o = rt_person(t, "Olly Other", "olly@example.org", NULL, MEMBER, NULL);
	int64_t mo = rt_person(t, "Mo Member", "mo@example.org", NULL, MEMBER, NULL);

	rt_sign_in(t, mo, &m);
	rt_sign_in(t, rt_person(t, "Cora Coord", "cora@example.org", NULL, COORD, NULL), &c);
	snprintf(path, sizeof(path), "/people/%lld", (long long)o);
	rt_browser_get(t, &c, path, &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Olly Other"));
	assert_true(rt_has(&r, "olly@example.org"));
	assert_true(rt_has(&r, "Your look at this record has been noted"));
	/* A coordinator is offered only the roles they may give. */
	assert_true(rt_has(&r, "value=\"peer_supporter\""));
	assert_true(rt_has(&r, "value=\"organiser\""));
	assert_false(rt_has(&r, "id=\"role-admin\""));
	assert_false(rt_has(&r, "id=\"role-coordinator\""));
	rt_resp_free(&r);
	assert_int_equal(rt_audit_about(t, "person.read", o), 1);
	/* A member sees their own record, without an audit row; not others'. */
	rt_browser_get_is(t, &m, path, 403, NULL);
	snprintf(path, sizeof(path), "/people/%lld", (long long)mo);
	rt_browser_get(t, &m, path, &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Your record"));
	assert_false(rt_has(&r, "Give a role"));
	rt_resp_free(&r);
	assert_int_equal(rt_audit_about(t, "person.read", mo), 0);
	rt_browser_get_is(t, &c, "/people/999999", 404, NULL);
}

static void grant_and_remove_through_the_form(void **state)
{
	struct rt *t = *state;
	struct rt_browser c, target;
	struct rt_resp r;
	char path[96];
	int64_t o = rt_person(t, "Olly Other", "olly@example.org", NULL, MEMBER, NULL);
	int64_t cora = rt_person(t, "Cora Coord", "cora@example.org", NULL, COORD, NULL);

	rt_sign_in(t, cora, &c);
	rt_sign_in(t, o, &target);
	snprintf(path, sizeof(path), "/people/%lld/roles", (long long)o);

	/* Without the form token. */
	rt_browser_request(t, &c, "POST", path, NULL, "role=peer_supporter", &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);
	assert_false(roles_of(t, o) & ROLE_BIT(ROLE_PEER_SUPPORTER));
	/* Nothing chosen: the form again, with the error by its field. */
	rt_browser_post_is(t, &c, path, "org_id=", 422, "<title>Error: Olly Other",
			"href=\"#role\"", "id=\"role-error\"", "Choose a role", NULL);
	/* An organiser needs an organisation; the typed id is kept. */
	rt_browser_post_is(t, &c, path, "role=organiser&org_id=not-a-uuid", 422, "href=\"#org_id\"",
			"value=\"not-a-uuid\"",
			"id=\"role-organiser\" name=\"role\" type=\"radio\" value=\"organiser\" checked",
			NULL);
	rt_browser_post_is(t, &c, path, "role=organiser&org_id=00000000-0000-4000-8000-000000000000",
			422, "No organisation has that id", NULL);
	/* A role they may not give, even with a hand-made form. */
	rt_browser_post_is(t, &c, path, "role=admin", 403, NULL);
	assert_false(roles_of(t, o) & ROLE_BIT(ROLE_ADMIN));

	/* Given. */
	rt_browser_post(t, &c, path, "role=peer_supporter", &r);
	assert_int_equal(r.status, 303);
	snprintf(path, sizeof(path), "/people/%lld?done=role_granted", (long long)o);
	assert_string_equal(rt_header(&r, "Location"), path);
	rt_resp_free(&r);
	assert_true(roles_of(t, o) & ROLE_BIT(ROLE_PEER_SUPPORTER));
	assert_int_equal(rt_count(t, &q_audit_full, DB_ARGS(DB_TEXT("role.granted"), DB_INT(o), DB_INT(cora),
						      DB_TEXT("role=peer_supporter"))), 1);
	/* Their sessions ended with the change. */
	rt_browser_get_is(t, &target, "/account", 303, NULL);
	rt_browser_get(t, &c, path, &r);
	assert_true(rt_has(&r, "Role given."));
	assert_true(rt_has(&r, "Remove<span class=\"govuk-visually-hidden\"> the Peer supporter role"));
	rt_resp_free(&r);

	/* Removed. */
	snprintf(path, sizeof(path), "/people/%lld/roles/peer_supporter/remove", (long long)o);
	rt_browser_request(t, &c, "POST", path, NULL, "", &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);
	rt_browser_post_is(t, &c, path, "", 303, NULL);
	assert_false(roles_of(t, o) & ROLE_BIT(ROLE_PEER_SUPPORTER));
	assert_int_equal(rt_audit_about(t, "role.removed", o), 1);
	rt_browser_post_is(t, &c, path, "", 404, NULL);
	/* Coordinators cannot take away what they cannot give. */
	snprintf(path, sizeof(path), "/people/%lld/roles/member/remove", (long long)o);
	rt_browser_post_is(t, &c, path, "", 403, NULL);
	assert_true(roles_of(t, o) & ROLE_BIT(ROLE_MEMBER));
}

static void members_cannot_grant(void **state)
{
	struct rt *t = *state;
	struct rt_browser m;
	char path[96];
	int64_t o = rt_person(t, "Olly Other", "olly@example.org", NULL, MEMBER, NULL);
	int64_t mo = rt_person(t, "Mo Member", "mo@example.org", NULL, MEMBER, NULL);

	rt_sign_in(t, mo, &m);
	snprintf(path, sizeof(path), "/people/%lld/roles", (long long)o);
	rt_browser_post_is(t, &m, path, "role=peer_supporter", 403, NULL);
	snprintf(path, sizeof(path), "/people/%lld/roles", (long long)mo);
	rt_browser_post_is(t, &m, path, "role=admin", 403, NULL);
	assert_int_equal(roles_of(t, mo), MEMBER);
}

static void admins_and_the_last_admin(void **state)
{
	struct rt *t = *state;
	struct rt_browser a;
	struct rt_resp r;
	char path[96];
	int64_t o = rt_person(t, "Olly Other", "olly@example.org", NULL, MEMBER, NULL);
	int64_t ada = rt_person(t, "Ada Admin", "ada@example.org", NULL, ADMIN, NULL);

	rt_sign_in(t, ada, &a);
	snprintf(path, sizeof(path), "/people/%lld", (long long)o);
	rt_browser_get(t, &a, path, &r);
	assert_true(rt_has(&r, "id=\"role-admin\""));
	assert_true(rt_has(&r, "id=\"role-coordinator\""));
	rt_resp_free(&r);
	/* The only admin cannot remove their own admin role. */
	snprintf(path, sizeof(path), "/people/%lld/roles/admin/remove", (long long)ada);
	rt_browser_post_is(t, &a, path, "", 409, "This is the only admin", NULL);
	assert_true(roles_of(t, ada) & ROLE_BIT(ROLE_ADMIN));
	/* Make Olly an admin; then Ada may step down. Changing her own
	 * roles signs her in afresh on this browser. */
	snprintf(path, sizeof(path), "/people/%lld/roles", (long long)o);
	rt_browser_post_is(t, &a, path, "role=admin", 303, NULL);
	snprintf(path, sizeof(path), "/people/%lld/roles/admin/remove", (long long)ada);
	{
		char old[sizeof(a.session)];

		snprintf(old, sizeof(old), "%s", a.session);
		rt_browser_post(t, &a, path, "", &r);
		assert_int_equal(r.status, 303);
		/* A new session cookie, set by this response. */
		assert_true(strncmp(a.session, "ks_", 3) == 0);
		assert_string_not_equal(old, a.session);
	}
	rt_resp_free(&r);
	assert_false(roles_of(t, ada) & ROLE_BIT(ROLE_ADMIN));
	/* The new session works and no longer has admin's pages. */
	rt_browser_get(t, &a, "/account", &r);
	assert_int_equal(r.status, 200);
	assert_false(rt_has(&r, "href=\"/admin/audit\""));
	rt_resp_free(&r);
	rt_browser_get_is(t, &a, "/people", 403, NULL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, rt_teardown)
	const struct CMUnitTest tests[] = {
		T(list_only_for_coordinators_and_admins),
		T(list_search_filter_and_pages),
		T(record_and_read_audit),
		T(grant_and_remove_through_the_form),
		T(members_cannot_grant),
		T(admins_and_the_last_admin),
	};
#undef T

	return testdb_run_groups("people", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
