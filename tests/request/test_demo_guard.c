/*
 * test_demo_guard.c - `kith demo` adds accounts whose password it prints
 * for anyone to read, so it refuses a database that has real people in
 * it (anyone whose email is outside demo.kith.test) and changes nothing
 * there; a new database, or one with only the demo's own accounts, it
 * fills as before.
 *
 * The demo runs as `kith demo` runs it: every feature's demo hook, in
 * order, inside one transaction that a failing hook rolls back (and then
 * `kith demo` exits 1).
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "app/features.h"
#include "auth/person.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "store/store.h"
#include "support/reqtest.h"

static const struct sql q_demo_people = {
	"t.demo_people", "SELECT count(*) FROM person WHERE email LIKE '%@demo.kith.test'", NULL };
static const struct sql q_people = {
	"t.people", "SELECT count(*) FROM person", NULL };
/* The seven sign-in accounts, and the peer support demo's five people
 * with no password (src/peer/peer_data.c). */
#define DEMO_PEOPLE 12

static const struct sql q_services = {
	"t.services", "SELECT count(*) FROM service", NULL };
static const struct sql q_named = {
	"t.named", "SELECT count(*) FROM person WHERE email = $1 AND name = $2", NULL };

/* Every feature's demo hook as `kith demo` runs them; the first failure
 * rolls everything back. Returns it, and the feature that failed. */
static enum err run_demo(struct rt *t, const char **failed)
{
	struct db *db = rt_db(t);
	char *printed = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&printed, &len);
	struct demo_opts o = { .now = uk_to_utc(2026, 11, 23, 12, 0), .out = out };
	enum err e = ERR_OK;

	*failed = NULL;
	assert_non_null(out);
	assert_int_equal(db_begin(db), ERR_OK);
	for (size_t i = 0; i < features_n && e == ERR_OK; i++)
		if (features[i]->demo && (e = features[i]->demo(db, &o)) != ERR_OK)
			*failed = features[i]->name;
	if (e == ERR_OK)
		assert_int_equal(db_commit(db), ERR_OK);
	else
		db_rollback(db);
	fclose(out);
	free(printed);
	return e;
}

static void runs_on_a_new_database_and_again(void **state)
{
	struct rt *t = *state;
	const char *failed;

	assert_int_equal(run_demo(t, &failed), ERR_OK);
	assert_int_equal(rt_count(t, &q_demo_people, DB_NOARGS), DEMO_PEOPLE);
	assert_true(rt_count(t, &q_services, DB_NOARGS) > 0);
	/* Only the demo's own accounts: refreshing is allowed. */
	assert_int_equal(run_demo(t, &failed), ERR_OK);
	assert_int_equal(rt_count(t, &q_demo_people, DB_NOARGS), DEMO_PEOPLE);
}

static void refuses_a_database_with_real_people(void **state)
{
	struct rt *t = *state;
	const char *failed;

	rt_person(t, "Cora Lindqvist", "cora@example.org", NULL, ROLE_BIT(ROLE_MEMBER), NULL);
	assert_int_equal(run_demo(t, &failed), ERR_FORBIDDEN);
	assert_string_equal(failed, "people");
	/* Nothing was added, and Cora is as she was. */
	assert_int_equal(rt_count(t, &q_demo_people, DB_NOARGS), 0);
	assert_int_equal(rt_count(t, &q_people, DB_NOARGS), 1);
	assert_int_equal(rt_count(t, &q_services, DB_NOARGS), 0);
	assert_int_equal(rt_count(t, &q_named, DB_ARGS(DB_TEXT("cora@example.org"),
			 DB_TEXT("Cora Lindqvist"))), 1);
}

static void refuses_a_demo_database_a_real_person_joined(void **state)
{
	struct rt *t = *state;
	const char *failed;
	int64_t services;

	assert_int_equal(run_demo(t, &failed), ERR_OK);
	services = rt_count(t, &q_services, DB_NOARGS);
	rt_person(t, "Joe Bloggs", "joe@example.org", NULL, ROLE_BIT(ROLE_MEMBER), NULL);
	assert_int_equal(run_demo(t, &failed), ERR_FORBIDDEN);
	assert_int_equal(rt_count(t, &q_people, DB_NOARGS), DEMO_PEOPLE + 1);
	assert_int_equal(rt_count(t, &q_services, DB_NOARGS), services);
}

/* The domain is the whole of what follows the @: look-alikes are real
 * people's addresses. */
static void only_the_demo_domain_counts(void **state)
{
	static const char *const lookalikes[] = {
		"x@evil.demo.kith.test", "demo.kith.test@example.org", "x@demo.kith.test.example.org",
	};
	const char *failed;

	for (size_t i = 0; i < ARRAY_LEN(lookalikes); i++) {
		struct rt *t = rt_new_like(*state, NULL);

		rt_person(t, "Look Alike", lookalikes[i], NULL, ROLE_BIT(ROLE_MEMBER), NULL);
		assert_int_equal(run_demo(t, &failed), ERR_FORBIDDEN);
		rt_free(t);
	}
	/* Any address in the domain is the demo's (any case). */
	{
		struct rt *t = *state;

		rt_person(t, "Extra Demo", "Extra@Demo.Kith.Test", NULL, ROLE_BIT(ROLE_MEMBER), NULL);
		assert_int_equal(run_demo(t, &failed), ERR_OK);
	}
}

/* An erased account keeps its row but no email: it holds no one's
 * details, so it does not stop a demo (a demo's own account may have been
 * erased). */
static void erased_people_do_not_count(void **state)
{
	struct rt *t = *state;
	const char *failed;
	int64_t id = rt_person(t, "Gone Away", "gone@example.org", NULL, ROLE_BIT(ROLE_MEMBER), NULL);

	assert_int_equal(db_begin(rt_db(t)), ERR_OK);
	assert_int_equal(person_erase(rt_db(t), id, time_now()), ERR_OK);
	assert_int_equal(db_commit(rt_db(t)), ERR_OK);
	assert_int_equal(run_demo(t, &failed), ERR_OK);
	assert_int_equal(rt_count(t, &q_demo_people, DB_NOARGS), DEMO_PEOPLE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(runs_on_a_new_database_and_again, rt_setup, rt_teardown),
		cmocka_unit_test_setup_teardown(refuses_a_database_with_real_people, rt_setup, rt_teardown),
		cmocka_unit_test_setup_teardown(refuses_a_demo_database_a_real_person_joined, rt_setup, rt_teardown),
		cmocka_unit_test_setup_teardown(only_the_demo_domain_counts, rt_setup, rt_teardown),
		cmocka_unit_test_setup_teardown(erased_people_do_not_count, rt_setup, rt_teardown),
	};

	return testdb_run_groups("demo_guard", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
