/*
 * test_people.c - the people pages for coordinators and admins: the list
 * with search, filter and pages; a person's record (and the person.read
 * audit row a look at someone else's writes); granting and removing roles
 * through the forms, with every refusal the policy table makes. Browser
 * sessions are made in the database; the pages are used with their
 * cookies and form tokens. SQLite and, with KITH_TEST_PG_URL, PostgreSQL.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "auth/person.h"
#include "auth/session.h"
#include "core/timeutil.h"
#include "store/store.h"
#include "support/reqtest.h"

#define ORG "3f2504e0-4f89-41d3-9a0c-0305e82c3301"

/* ---------------------------------------------------------------- helpers */

struct who {
	int64_t id;
	char cookie[128];          /* "Cookie: kith_session=..." */
	char csrf[TOKEN_HEX + 1];
};

static struct db *tdb(struct rt *t)
{
	return store_db(t->app.store);
}

static bool has(const struct rt_resp *r, const char *needle)
{
	return r->body && strstr(r->body, needle) != NULL;
}

static int64_t make_person(struct rt *t, const char *name, const char *email, unsigned roles)
{
	int64_t id = 0, now = time_now();

	assert_int_equal(person_create(tdb(t), name, email, NULL, NULL, now, &id), ERR_OK);
	for (int r = 0; r < ROLE__MAX; r++)
		if (roles & ROLE_BIT(r))
			assert_int_equal(person_grant(tdb(t), id, (enum role)r, r == ROLE_ORGANISER ? ORG : NULL,
						      0, now), ERR_OK);
	assert_int_equal(person_mark_verified(tdb(t), id, email, now), ERR_OK);
	return id;
}

/* A browser signed in as a new person with roles. */
static void sign_in_as(struct rt *t, struct who *w, int64_t id)
{
	struct session_new s;
	int64_t now = time_now();

	assert_int_equal(session_create(tdb(t), id, SESSION_BROWSER, NULL, NULL, now, now + 3600, &s), ERR_OK);
	w->id = id;
	snprintf(w->cookie, sizeof(w->cookie), "Cookie: kith_session=%s", s.token);
	memcpy(w->csrf, s.csrf, sizeof(w->csrf));
}

static void page(struct rt *t, const struct who *w, const char *target, struct rt_resp *r)
{
	const char *h[] = { w ? w->cookie : NULL, NULL };

	rt_request(t, "GET", target, w ? h : NULL, NULL, 0, NULL, r);
}

/* POSTs fields with w's form token (csrf false: without it). */
static void post(struct rt *t, const struct who *w, const char *target, const char *fields, bool csrf,
		struct rt_resp *r)
{
	const char *h[] = { w->cookie, "Content-Type: application/x-www-form-urlencoded", NULL };
	char body[512];

	snprintf(body, sizeof(body), "%s%s%s%s", csrf ? "csrf_token=" : "", csrf ? w->csrf : "",
		 csrf && fields[0] ? "&" : "", fields);
	rt_request(t, "POST", target, h, body, strlen(body), NULL, r);
}

/* Signs in again from a Set-Cookie (after one's own role changed). */
static bool new_cookie(const struct rt_resp *r, struct who *w)
{
	for (size_t i = 0; i < r->nheaders; i++) {
		const char *v = r->headers[i][1];

		if (strcasecmp(r->headers[i][0], "Set-Cookie") == 0 && strncmp(v, "kith_session=ks_", 16) == 0) {
			snprintf(w->cookie, sizeof(w->cookie), "Cookie: %.*s", (int)strcspn(v, ";"), v);
			return true;
		}
	}
	return false;
}

static const struct sql q_audit_subj = { "tp.audit_subj",
	"SELECT count(*) FROM audit WHERE action = $1 AND subject_id = $2", NULL };
static const struct sql q_audit_full = { "tp.audit_full",
	"SELECT count(*) FROM audit WHERE action = $1 AND subject_id = $2 AND actor_id = $3 AND detail = $4",
	NULL };

static int64_t n_audit(struct rt *t, const char *action, int64_t subject)
{
	int64_t n = -1;

	assert_int_equal(db_query_int(tdb(t), &q_audit_subj, DB_ARGS(DB_TEXT(action), DB_INT(subject)), &n),
			 ERR_OK);
	return n;
}

static unsigned roles_of(struct rt *t, int64_t id)
{
	struct arena a;
	struct person p;
	unsigned roles;

	arena_init(&a);
	assert_int_equal(person_get(tdb(t), &a, id, &p), ERR_OK);
	roles = p.roles;
	arena_release(&a);
	return roles;
}

static int setup(void **state)
{
	struct rt *t = calloc(1, sizeof(*t));
	const char *const settings[] = { "rate_limit=0", "dev_mode=true", NULL };

	if (!t || !rt_start_with(t, *state, settings)) {
		free(t);
		return -1;
	}
	assert_int_equal(org_create(tdb(t), ORG, "Breathe Easy Northtown", time_now()), ERR_OK);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	rt_stop(*state);
	free(*state);
	return 0;
}

#define MEMBER ROLE_BIT(ROLE_MEMBER)
#define COORD (ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_COORDINATOR))
#define ADMIN (ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_ADMIN))

/* ---------------------------------------------------------------- tests */

static void list_only_for_coordinators_and_admins(void **state)
{
	struct rt *t = *state;
	struct who m, c, a;
	struct rt_resp r;

	sign_in_as(t, &m, make_person(t, "Mo Member", "mo@example.org", MEMBER));
	sign_in_as(t, &c, make_person(t, "Cora Coord", "cora@example.org", COORD));
	sign_in_as(t, &a, make_person(t, "Ada Admin", "ada@example.org", ADMIN));
	page(t, NULL, "/people", &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(rt_header(&r, "Location"), "/login?next=%2Fpeople");
	rt_resp_free(&r);
	page(t, &m, "/people", &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);
	page(t, &c, "/people", &r);
	assert_int_equal(r.status, 200);
	assert_true(has(&r, "<h1 class=\"govuk-heading-l\">People</h1>"));
	assert_true(has(&r, "Showing 1 to 3 of 3."));
	assert_true(has(&r, ">Mo Member</a>"));
	assert_true(has(&r, "mo@example.org"));
	assert_true(has(&r, "Member, Coordinator"));
	rt_resp_free(&r);
	page(t, &a, "/people", &r);
	assert_int_equal(r.status, 200);
	rt_resp_free(&r);
}

static void list_search_filter_and_pages(void **state)
{
	struct rt *t = *state;
	struct who c;
	struct rt_resp r;

	sign_in_as(t, &c, make_person(t, "Cora Coord", "cora@example.org", COORD));
	for (int i = 0; i < 30; i++) {
		char name[32], email[48];

		snprintf(name, sizeof(name), "Walker %02d", i);
		snprintf(email, sizeof(email), "walker%02d@example.org", i);
		make_person(t, name, email, i < 2 ? (MEMBER | ROLE_BIT(ROLE_PEER_SUPPORTER)) : MEMBER);
	}
	page(t, &c, "/people?q=walker", &r);
	assert_int_equal(r.status, 200);
	assert_true(has(&r, "Showing 1 to 25 of 30."));
	assert_true(has(&r, "value=\"walker\""));
	assert_true(has(&r, "href=\"/people?q=walker&amp;role=&amp;page=2\""));
	assert_false(has(&r, "rel=\"prev\""));
	assert_false(has(&r, "Cora Coord</a>"));
	rt_resp_free(&r);
	page(t, &c, "/people?q=walker&page=2", &r);
	assert_true(has(&r, "Showing 26 to 30 of 30."));
	assert_true(has(&r, "rel=\"prev\""));
	assert_false(has(&r, "rel=\"next\""));
	assert_true(has(&r, "Walker 29</a>"));
	rt_resp_free(&r);
	page(t, &c, "/people?role=peer_supporter", &r);
	assert_true(has(&r, "Showing 1 to 2 of 2."));
	assert_true(has(&r, "<option value=\"peer_supporter\" selected>"));
	rt_resp_free(&r);
	page(t, &c, "/people?q=nobody-at-all", &r);
	assert_int_equal(r.status, 200);
	assert_true(has(&r, "No one matches"));
	rt_resp_free(&r);
	/* Odd parameters do not break the page. */
	page(t, &c, "/people?page=-4&role=wizard", &r);
	assert_int_equal(r.status, 200);
	assert_true(has(&r, "Showing 1 to 25 of 31."));
	rt_resp_free(&r);
}

static void record_and_read_audit(void **state)
{
	struct rt *t = *state;
	struct who m, c;
	struct rt_resp r;
	char path[64];
	int64_t o = make_person(t, "Olly Other", "olly@example.org", MEMBER);

	sign_in_as(t, &m, make_person(t, "Mo Member", "mo@example.org", MEMBER));
	sign_in_as(t, &c, make_person(t, "Cora Coord", "cora@example.org", COORD));
	snprintf(path, sizeof(path), "/people/%lld", (long long)o);
	page(t, &c, path, &r);
	assert_int_equal(r.status, 200);
	assert_true(has(&r, "Olly Other"));
	assert_true(has(&r, "olly@example.org"));
	assert_true(has(&r, "Your look at this record has been noted"));
	/* A coordinator is offered only the roles they may give. */
	assert_true(has(&r, "value=\"peer_supporter\""));
	assert_true(has(&r, "value=\"organiser\""));
	assert_false(has(&r, "id=\"role-admin\""));
	assert_false(has(&r, "id=\"role-coordinator\""));
	rt_resp_free(&r);
	assert_int_equal(n_audit(t, "person.read", o), 1);
	/* A member sees their own record, without an audit row; not others'. */
	page(t, &m, path, &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);
	snprintf(path, sizeof(path), "/people/%lld", (long long)m.id);
	page(t, &m, path, &r);
	assert_int_equal(r.status, 200);
	assert_true(has(&r, "Your record"));
	assert_false(has(&r, "Give a role"));
	rt_resp_free(&r);
	assert_int_equal(n_audit(t, "person.read", m.id), 0);
	page(t, &c, "/people/999999", &r);
	assert_int_equal(r.status, 404);
	rt_resp_free(&r);
}

static void grant_and_remove_through_the_form(void **state)
{
	struct rt *t = *state;
	struct who c, target;
	struct rt_resp r;
	char path[96];
	int64_t o = make_person(t, "Olly Other", "olly@example.org", MEMBER);

	sign_in_as(t, &c, make_person(t, "Cora Coord", "cora@example.org", COORD));
	sign_in_as(t, &target, o);
	snprintf(path, sizeof(path), "/people/%lld/roles", (long long)o);

	/* Without the form token. */
	post(t, &c, path, "role=peer_supporter", false, &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);
	assert_false(roles_of(t, o) & ROLE_BIT(ROLE_PEER_SUPPORTER));
	/* Nothing chosen: the form again, with the error by its field. */
	post(t, &c, path, "org_id=", true, &r);
	assert_int_equal(r.status, 422);
	assert_true(has(&r, "<title>Error: Olly Other"));
	assert_true(has(&r, "href=\"#role\""));
	assert_true(has(&r, "id=\"role-error\""));
	assert_true(has(&r, "Choose a role"));
	rt_resp_free(&r);
	/* An organiser needs an organisation; the typed id is kept. */
	post(t, &c, path, "role=organiser&org_id=not-a-uuid", true, &r);
	assert_int_equal(r.status, 422);
	assert_true(has(&r, "href=\"#org_id\""));
	assert_true(has(&r, "value=\"not-a-uuid\""));
	assert_true(has(&r, "id=\"role-organiser\" name=\"role\" type=\"radio\" value=\"organiser\" checked"));
	rt_resp_free(&r);
	post(t, &c, path, "role=organiser&org_id=00000000-0000-4000-8000-000000000000", true, &r);
	assert_int_equal(r.status, 422);
	assert_true(has(&r, "No organisation has that id"));
	rt_resp_free(&r);
	/* A role they may not give, even with a hand-made form. */
	post(t, &c, path, "role=admin", true, &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);
	assert_false(roles_of(t, o) & ROLE_BIT(ROLE_ADMIN));

	/* Given. */
	post(t, &c, path, "role=peer_supporter", true, &r);
	assert_int_equal(r.status, 303);
	snprintf(path, sizeof(path), "/people/%lld?done=role_granted", (long long)o);
	assert_string_equal(rt_header(&r, "Location"), path);
	rt_resp_free(&r);
	assert_true(roles_of(t, o) & ROLE_BIT(ROLE_PEER_SUPPORTER));
	{
		int64_t n = -1;

		assert_int_equal(db_query_int(tdb(t), &q_audit_full, DB_ARGS(DB_TEXT("role.granted"), DB_INT(o),
				 DB_INT(c.id), DB_TEXT("role=peer_supporter")), &n), ERR_OK);
		assert_int_equal(n, 1);
	}
	/* Their sessions ended with the change. */
	page(t, &target, "/account", &r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	page(t, &c, path, &r);
	assert_true(has(&r, "Role given."));
	assert_true(has(&r, "Remove<span class=\"govuk-visually-hidden\"> the Peer supporter role"));
	rt_resp_free(&r);

	/* Removed. */
	snprintf(path, sizeof(path), "/people/%lld/roles/peer_supporter/remove", (long long)o);
	post(t, &c, path, "", false, &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);
	post(t, &c, path, "", true, &r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	assert_false(roles_of(t, o) & ROLE_BIT(ROLE_PEER_SUPPORTER));
	assert_int_equal(n_audit(t, "role.removed", o), 1);
	post(t, &c, path, "", true, &r);
	assert_int_equal(r.status, 404);
	rt_resp_free(&r);
	/* Coordinators cannot take away what they cannot give. */
	snprintf(path, sizeof(path), "/people/%lld/roles/member/remove", (long long)o);
	post(t, &c, path, "", true, &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);
	assert_true(roles_of(t, o) & ROLE_BIT(ROLE_MEMBER));
}

static void members_cannot_grant(void **state)
{
	struct rt *t = *state;
	struct who m;
	struct rt_resp r;
	char path[96];
	int64_t o = make_person(t, "Olly Other", "olly@example.org", MEMBER);

	sign_in_as(t, &m, make_person(t, "Mo Member", "mo@example.org", MEMBER));
	snprintf(path, sizeof(path), "/people/%lld/roles", (long long)o);
	post(t, &m, path, "role=peer_supporter", true, &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);
	snprintf(path, sizeof(path), "/people/%lld/roles", (long long)m.id);
	post(t, &m, path, "role=admin", true, &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);
	assert_int_equal(roles_of(t, m.id), MEMBER);
}

static void admins_and_the_last_admin(void **state)
{
	struct rt *t = *state;
	struct who a;
	struct rt_resp r;
	char path[96];
	int64_t o = make_person(t, "Olly Other", "olly@example.org", MEMBER);

	sign_in_as(t, &a, make_person(t, "Ada Admin", "ada@example.org", ADMIN));
	snprintf(path, sizeof(path), "/people/%lld", (long long)o);
	page(t, &a, path, &r);
	assert_true(has(&r, "id=\"role-admin\""));
	assert_true(has(&r, "id=\"role-coordinator\""));
	rt_resp_free(&r);
	/* The only admin cannot remove their own admin role. */
	snprintf(path, sizeof(path), "/people/%lld/roles/admin/remove", (long long)a.id);
	post(t, &a, path, "", true, &r);
	assert_int_equal(r.status, 409);
	assert_true(has(&r, "This is the only admin"));
	rt_resp_free(&r);
	assert_true(roles_of(t, a.id) & ROLE_BIT(ROLE_ADMIN));
	/* Make Olly an admin; then Ada may step down. Changing her own
	 * roles signs her in afresh on this browser. */
	snprintf(path, sizeof(path), "/people/%lld/roles", (long long)o);
	post(t, &a, path, "role=admin", true, &r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	snprintf(path, sizeof(path), "/people/%lld/roles/admin/remove", (long long)a.id);
	post(t, &a, path, "", true, &r);
	assert_int_equal(r.status, 303);
	{
		char old[128];

		snprintf(old, sizeof(old), "%s", a.cookie);
		assert_true(new_cookie(&r, &a));
		assert_string_not_equal(old, a.cookie);
	}
	rt_resp_free(&r);
	assert_false(roles_of(t, a.id) & ROLE_BIT(ROLE_ADMIN));
	/* The new session works and no longer has admin's pages. */
	page(t, &a, "/account", &r);
	assert_int_equal(r.status, 200);
	assert_false(has(&r, "href=\"/admin/audit\""));
	rt_resp_free(&r);
	page(t, &a, "/people", &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);
}

int main(void)
{
	const char *backends[2];
	int n = testdb_backends(backends), failed = 0;

	for (int b = 0; b < n; b++) {
		void *st = (void *)backends[b];
#define T(fn) cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, st)
		const struct CMUnitTest tests[] = {
			T(list_only_for_coordinators_and_admins),
			T(list_search_filter_and_pages),
			T(record_and_read_audit),
			T(grant_and_remove_through_the_form),
			T(members_cannot_grant),
			T(admins_and_the_last_admin),
		};
#undef T
		char name[64];

		snprintf(name, sizeof(name), "people/%s", backends[b]);
		failed += _cmocka_run_group_tests(name, tests, ARRAY_LEN(tests), NULL, NULL);
	}
	return failed ? 1 : 0;
}
