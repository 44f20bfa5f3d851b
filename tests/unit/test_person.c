/*
 * test_person.c - people: field rules, the record, roles, erasure and the
 * list, on SQLite and (with KITH_TEST_PG_URL) PostgreSQL.
 */
#include "core/common.h"
#include "org/org.h"

#include <setjmp.h>
#include <cmocka.h>

#include "auth/attempts.h"
#include "auth/onetime.h"
#include "auth/person.h"
#include "auth/session.h"
#include "core/log.h"
#include "store/store.h"
#include "support/storetest.h"

#define NOW INT64_C(1790000000)
#define ORG "6f1c2b9e-3a4d-4c5e-8f70-1a2b3c4d5e6f"

struct fx {
	struct storetest st;
	struct db *db;
	struct arena a;
};

static int setup(void **state)
{
	struct fx *f = storetest_fixture(state, sizeof(*f));

	if (!f)
		return -1;
	f->db = f->st.db;
	arena_init(&f->a);
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	arena_release(&f->a);
	return storetest_fixture_free(state);
}

static int64_t make(struct fx *f, const char *name, const char *email)
{
	int64_t id = 0;

	assert_int_equal(person_create(f->db, name, email, NULL, NULL, NOW, &id), ERR_OK);
	assert_true(id > 0);
	return id;
}

/* ---------------------------------------------------------------- rules (no database) */

static void name_rules(void **state)
{
	char hundred[201], long_name[103];

	UNUSED(state);
	for (int i = 0; i < 100; i++)
		memcpy(hundred + 2 * i, "\xc3\xa9", 2);     /* é: 100 characters, 200 bytes */
	hundred[200] = '\0';
	memset(long_name, 'a', 101);
	long_name[101] = '\0';
	assert_null(person_check_name("Dorothy Smith"));
	assert_null(person_check_name("Siân O\u2019Brien-Jones"));
	assert_null(person_check_name(hundred));
	assert_string_equal(person_check_name(NULL), "Enter your name");
	assert_string_equal(person_check_name(""), "Enter your name");
	assert_string_equal(person_check_name("   "), "Enter your name");
	assert_non_null(strstr(person_check_name(long_name), "100 characters or fewer"));
	assert_non_null(strstr(person_check_name("Ann\nAdmin"), "one line"));
	assert_non_null(strstr(person_check_name("Ann\tLi"), "one line"));
	assert_non_null(strstr(person_check_name("Ann\r"), "one line"));
	assert_non_null(strstr(person_check_name("Ann \xe2\x80\xae" "nimda"), "one line")); /* U+202E */
	assert_non_null(strstr(person_check_name("Ann \xff"), "one line"));              /* not UTF-8 */
}

static void email_rules(void **state)
{
	char big[300];

	UNUSED(state);
	assert_null(person_check_email("dorothy@example.org"));
	assert_null(person_check_email("D.Smith+kith@mail.example.co.uk"));
	assert_string_equal(person_check_email(""), "Enter your email address");
	assert_string_equal(person_check_email(NULL), "Enter your email address");
	const char *bad[] = {
		"dorothy", "dorothy@", "@example.org", "a@b@example.org", "dorothy@example",
		"dorothy@.example.org", "dorothy@example.org.", "dorothy@example..org",
		"doro thy@example.org", "dorothy@example.org\n", "a,b@example.org",
		"<a@example.org>", "a@example.org\r\nBcc: x@example.org",
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		const char *why = person_check_email(bad[i]);

		if (!why || !strstr(why, "correct format"))
			fail_msg("%s: %s", bad[i], why ? why : "(accepted)");
	}
	memset(big, 'a', sizeof(big));
	memcpy(big + 250, "@x.org", 7);
	assert_non_null(strstr(person_check_email(big), "254 characters"));
}

static void phone_rules(void **state)
{
	UNUSED(state);
	assert_null(person_check_phone(NULL));
	assert_null(person_check_phone(""));
	assert_null(person_check_phone("01632 960 001"));
	assert_null(person_check_phone("+44 (0)7700-900982"));
	assert_non_null(person_check_phone("123456"));                   /* 6 digits */
	assert_non_null(person_check_phone("123456789012345678901"));    /* 21 digits */
	assert_non_null(person_check_phone("0800 FLOWERS"));
	assert_non_null(person_check_phone("1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7"));  /* > 32 bytes */
}

/* ---------------------------------------------------------------- records */

static void create_get_find(void **state)
{
	struct fx *f = *state;
	struct person p;
	int64_t id, other;

	assert_int_equal(person_create(f->db, "Dorothy Smith", "Dorothy.Smith@Example.org", "01632 960 001",
				       "$argon2id$fake", NOW, &id), ERR_OK);
	assert_int_equal(person_get(f->db, &f->a, id, &p), ERR_OK);
	assert_int_equal(p.id, id);
	assert_string_equal(p.name, "Dorothy Smith");
	assert_string_equal(p.email, "Dorothy.Smith@Example.org");   /* as typed */
	assert_string_equal(p.phone, "01632 960 001");
	assert_string_equal(p.password_hash, "$argon2id$fake");
	assert_false(p.verified);
	assert_int_equal(p.created_at, NOW);
	assert_int_equal(p.roles, 0);
	assert_null(p.org_id);

	/* Found in any case; a duplicate in another case is a conflict. */
	assert_int_equal(person_find_email(f->db, &f->a, "DOROTHY.SMITH@example.ORG", &p), ERR_OK);
	assert_int_equal(p.id, id);
	log_set_quiet(1);
	assert_int_equal(person_create(f->db, "Dot", "dorothy.smith@example.org", NULL, NULL, NOW, &other),
			 ERR_CONFLICT);
	log_set_quiet(0);
	assert_int_equal(person_find_email(f->db, &f->a, "nobody@example.org", &p), ERR_NOT_FOUND);
	assert_int_equal(person_get(f->db, &f->a, id + 1000, &p), ERR_NOT_FOUND);

	/* The rules hold at the database door too. */
	assert_int_equal(person_create(f->db, "Ann\nAdmin", "ann@example.org", NULL, NULL, NOW, &other),
			 ERR_INVALID);
	assert_int_equal(person_create(f->db, "Ann", "not-an-email", NULL, NULL, NOW, &other), ERR_INVALID);
	assert_int_equal(person_create(f->db, "Ann", "ann@example.org", "call me", NULL, NOW, &other),
			 ERR_INVALID);
}

static void setters(void **state)
{
	struct fx *f = *state;
	struct person p;
	int64_t id = make(f, "Ann Li", "ann@example.org"), bob = make(f, "Bob", "bob@example.org");

	assert_int_equal(person_mark_verified(f->db, id, "ANN@example.org", NOW + 1), ERR_OK);
	assert_int_equal(person_get(f->db, &f->a, id, &p), ERR_OK);
	assert_true(p.verified);

	assert_int_equal(person_set_password(f->db, id, "$argon2id$new", NOW + 2), ERR_OK);
	assert_int_equal(person_set_details(f->db, id, "Ann Li-Smith", "07700 900982", NOW + 3), ERR_OK);
	assert_int_equal(person_set_details(f->db, id, "", NULL, NOW + 3), ERR_INVALID);
	assert_int_equal(person_set_email(f->db, id, "ann.li@example.org", NOW + 4), ERR_OK);
	assert_int_equal(person_get(f->db, &f->a, id, &p), ERR_OK);
	assert_string_equal(p.name, "Ann Li-Smith");
	assert_string_equal(p.phone, "07700 900982");
	assert_string_equal(p.password_hash, "$argon2id$new");
	assert_string_equal(p.email, "ann.li@example.org");
	assert_false(p.verified);                       /* a new address is unverified */

	/* A link for the old address does nothing. */
	assert_int_equal(person_mark_verified(f->db, id, "ann@example.org", NOW + 5), ERR_CONFLICT);
	assert_int_equal(person_mark_verified(f->db, id + 1000, "ann@example.org", NOW + 5), ERR_NOT_FOUND);
	assert_int_equal(person_mark_verified(f->db, id, "ann.li@example.org", NOW + 5), ERR_OK);

	log_set_quiet(1);
	assert_int_equal(person_set_email(f->db, bob, "ANN.LI@example.org", NOW + 6), ERR_CONFLICT);
	log_set_quiet(0);
	assert_int_equal(person_set_email(f->db, bob, "bob at example", NOW + 6), ERR_INVALID);
	assert_int_equal(person_set_password(f->db, id + 1000, "x", NOW), ERR_NOT_FOUND);
}

static void deactivate_and_delete(void **state)
{
	struct fx *f = *state;
	struct person p;
	struct session_new s;
	struct actor a = { 0 };
	int64_t id = make(f, "Cath", "cath@example.org"), ids[4];
	size_t n;

	assert_int_equal(session_create(f->db, id, SESSION_BROWSER, NULL, NULL, NOW, NOW + 3600, &s), ERR_OK);
	assert_int_equal(person_set_deactivated(f->db, id, true, NOW + 10), ERR_OK);
	assert_int_equal(person_get(f->db, &f->a, id, &p), ERR_OK);
	assert_int_equal(p.deactivated_at, NOW + 10);
	/* Its sessions end, and reactivating does not bring them back. */
	assert_int_equal(person_set_deactivated(f->db, id, false, NOW + 20), ERR_OK);
	assert_int_equal(session_lookup(f->db, &f->a, s.token, NOW + 30, 7200, &a, NULL), ERR_NOT_FOUND);
	assert_int_equal(person_get(f->db, &f->a, id, &p), ERR_OK);
	assert_int_equal(p.deactivated_at, 0);

	assert_int_equal(session_create(f->db, id, SESSION_BROWSER, NULL, NULL, NOW, NOW + 3600, &s), ERR_OK);
	assert_int_equal(person_set_delete(f->db, id, NOW + 7 * 86400, NOW + 40), ERR_OK);
	assert_int_equal(person_get(f->db, &f->a, id, &p), ERR_OK);
	assert_int_equal(p.delete_requested_at, NOW + 40);
	assert_int_equal(p.erase_after, NOW + 7 * 86400);
	assert_int_equal(session_lookup(f->db, &f->a, s.token, NOW + 50, 7200, &a, NULL), ERR_NOT_FOUND);

	assert_int_equal(person_due_erasure(f->db, NOW + 86400, ids, 4, &n), ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(person_due_erasure(f->db, NOW + 7 * 86400, ids, 4, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], id);

	assert_int_equal(person_set_delete(f->db, id, 0, NOW + 60), ERR_OK);
	assert_int_equal(person_get(f->db, &f->a, id, &p), ERR_OK);
	assert_int_equal(p.delete_requested_at, 0);
	assert_int_equal(p.erase_after, 0);
	assert_int_equal(person_due_erasure(f->db, NOW + 8 * 86400, ids, 4, &n), ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(person_set_deactivated(f->db, id + 1000, true, NOW), ERR_NOT_FOUND);
}

static void roles(void **state)
{
	struct fx *f = *state;
	struct person p;
	struct session_new s;
	struct actor a = { 0 };
	int64_t id = make(f, "Dev", "dev@example.org"), admin = make(f, "Ada", "ada@example.org");

	assert_int_equal(person_grant(f->db, id, ROLE_MEMBER, NULL, 0, NOW), ERR_OK);
	assert_int_equal(person_grant(f->db, id, ROLE_MEMBER, NULL, 0, NOW), ERR_CONFLICT);
	assert_int_equal(person_grant(f->db, id, ROLE_ORGANISER, NULL, admin, NOW), ERR_INVALID);
	assert_int_equal(person_grant(f->db, id, ROLE_ORGANISER, "", admin, NOW), ERR_INVALID);
	assert_int_equal(person_grant(f->db, id, ROLE_ORGANISER, ORG, admin, NOW), ERR_NOT_FOUND);
	assert_int_equal(person_grant(f->db, id, ROLE__MAX, NULL, admin, NOW), ERR_INVALID);
	assert_int_equal(person_grant(f->db, id + 1000, ROLE_MEMBER, NULL, admin, NOW), ERR_NOT_FOUND);
	assert_int_equal(org_exists(f->db, ORG), ERR_NOT_FOUND);
	assert_int_equal(org_create(f->db, "not-a-uuid", "Breathe Easy", NOW), ERR_INVALID);
	assert_int_equal(org_create(f->db, ORG, "Breathe Easy Anytown", NOW), ERR_OK);
	assert_int_equal(org_exists(f->db, ORG), ERR_OK);
	log_set_quiet(1);
	assert_int_equal(org_create(f->db, ORG, "Again", NOW), ERR_CONFLICT);
	log_set_quiet(0);

	/* A role change ends the person's sessions. */
	assert_int_equal(session_create(f->db, id, SESSION_BROWSER, NULL, NULL, NOW, NOW + 3600, &s), ERR_OK);
	assert_int_equal(session_lookup(f->db, &f->a, s.token, NOW + 1, 7200, &a, NULL), ERR_OK);
	assert_int_equal(a.roles, ROLE_BIT(ROLE_MEMBER));
	assert_int_equal(person_grant(f->db, id, ROLE_ORGANISER, ORG, admin, NOW + 2), ERR_OK);
	assert_int_equal(session_lookup(f->db, &f->a, s.token, NOW + 3, 7200, &a, NULL), ERR_NOT_FOUND);

	assert_int_equal(person_get(f->db, &f->a, id, &p), ERR_OK);
	assert_int_equal(p.roles, ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_ORGANISER));
	assert_string_equal(p.org_id, ORG);

	assert_int_equal(session_create(f->db, id, SESSION_API, NULL, NULL, NOW, NOW + 3600, &s), ERR_OK);
	assert_int_equal(person_revoke_role(f->db, id, ROLE_ORGANISER, NOW + 2), ERR_OK);
	assert_int_equal(session_lookup(f->db, &f->a, s.token, NOW + 4, 7200, &a, NULL), ERR_NOT_FOUND);
	assert_int_equal(person_revoke_role(f->db, id, ROLE_ORGANISER, NOW + 5), ERR_NOT_FOUND);
	assert_int_equal(person_get(f->db, &f->a, id, &p), ERR_OK);
	assert_int_equal(p.roles, ROLE_BIT(ROLE_MEMBER));
	assert_null(p.org_id);
}

static void erase_keeps_only_the_id(void **state)
{
	struct fx *f = *state;
	struct person p;
	struct session_new s;
	struct token_new t;
	struct actor a = { 0 };
	char ot[TOKEN_HEX + 1], key[ATTEMPT_KEY_MAX];
	int64_t id, again;
	int retry;

	assert_int_equal(person_create(f->db, "Eve Example", "Eve@Example.org", "01632 960 002",
				       "$argon2id$x", NOW, &id), ERR_OK);
	assert_int_equal(person_grant(f->db, id, ROLE_MEMBER, NULL, 0, NOW), ERR_OK);
	assert_int_equal(person_mark_verified(f->db, id, "eve@example.org", NOW), ERR_OK);
	assert_int_equal(session_create(f->db, id, SESSION_BROWSER, "192.0.2.1", "Firefox", NOW, NOW + 3600, &s),
			 ERR_OK);
	assert_int_equal(apitoken_create(f->db, id, "Laptop", id, NOW, 90 * 86400, &t), ERR_OK);
	assert_int_equal(onetime_create(f->db, OT_RESET_PASSWORD, id, NULL, NOW, 3600, ot), ERR_OK);
	attempts_key(key, ATTEMPT_LOGIN_ACCOUNT, "eve@example.org");
	assert_int_equal(attempts_add(f->db, key, NOW), ERR_OK);

	assert_int_equal(person_erase(f->db, id, NOW + 100), ERR_OK);
	assert_int_equal(person_get(f->db, &f->a, id, &p), ERR_OK);
	assert_int_equal(p.id, id);
	assert_string_equal(p.name, "Deleted person");
	assert_null(p.email);
	assert_null(p.phone);
	assert_null(p.password_hash);
	assert_false(p.verified);
	assert_int_equal(p.roles, 0);
	assert_int_equal(p.erased_at, NOW + 100);
	assert_int_equal(person_find_email(f->db, &f->a, "eve@example.org", &p), ERR_NOT_FOUND);
	assert_int_equal(session_lookup(f->db, &f->a, s.token, NOW + 101, 7200, &a, NULL), ERR_NOT_FOUND);
	assert_int_equal(apitoken_lookup(f->db, &f->a, t.token, NOW + 101, &a), ERR_NOT_FOUND);
	assert_int_equal(onetime_peek(f->db, OT_RESET_PASSWORD, ot, NOW + 101), ERR_NOT_FOUND);
	assert_int_equal(attempts_check(f->db, key, 900, 1, NOW + 101, &retry), ERR_OK);
	/* The address is free again; erasing twice is harmless. */
	assert_int_equal(person_create(f->db, "Eve", "eve@example.org", NULL, NULL, NOW, &again), ERR_OK);
	assert_true(again != id);
	assert_int_equal(person_erase(f->db, id, NOW + 200), ERR_OK);
	assert_int_equal(person_get(f->db, &f->a, id, &p), ERR_OK);
	assert_int_equal(p.erased_at, NOW + 100);
	assert_int_equal(person_erase(f->db, id + 1000, NOW), ERR_NOT_FOUND);
}

static void list_and_search(void **state)
{
	struct fx *f = *state;
	json_t *list, *p0;
	int64_t total, ann, erased;

	ann = make(f, "Ann Archer", "ann@example.org");
	make(f, "bob Baker", "bob@example.org");
	make(f, "Cat Carter", "cat_100%@example.org");
	erased = make(f, "Annie Gone", "annie@example.org");
	assert_int_equal(person_grant(f->db, ann, ROLE_COORDINATOR, NULL, 0, NOW), ERR_OK);
	assert_int_equal(person_erase(f->db, erased, NOW), ERR_OK);

	assert_int_equal(person_list(f->db, NULL, ROLE__MAX, 10, 0, &list, &total), ERR_OK);
	assert_int_equal(total, 3);                              /* the erased one is not listed */
	assert_int_equal(json_array_size(list), 3);
	/* Ordered by name, any case. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "name")), "Ann Archer");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "name")), "bob Baker");
	json_decref(list);

	assert_int_equal(person_list(f->db, "ARCH", ROLE__MAX, 10, 0, &list, &total), ERR_OK);
	assert_int_equal(total, 1);
	p0 = json_array_get(list, 0);
	assert_int_equal(json_integer_value(json_object_get(p0, "id")), ann);
	assert_string_equal(json_string_value(json_array_get(json_object_get(p0, "roles"), 0)), "coordinator");
	assert_non_null(json_object_get(p0, "created_at"));
	assert_null(json_object_get(p0, "phone"));              /* not full */
	json_decref(list);

	assert_int_equal(person_list(f->db, "BOB@EXAMPLE", ROLE__MAX, 10, 0, &list, &total), ERR_OK);
	assert_int_equal(total, 1);
	json_decref(list);
	/* % and _ are literal. */
	assert_int_equal(person_list(f->db, "%", ROLE__MAX, 10, 0, &list, &total), ERR_OK);
	assert_int_equal(total, 1);
	json_decref(list);
	assert_int_equal(person_list(f->db, "t_1", ROLE__MAX, 10, 0, &list, &total), ERR_OK);
	assert_int_equal(total, 1);
	json_decref(list);
	assert_int_equal(person_list(f->db, "a_n", ROLE__MAX, 10, 0, &list, &total), ERR_OK);
	assert_int_equal(total, 0);
	json_decref(list);

	assert_int_equal(person_list(f->db, NULL, ROLE_COORDINATOR, 10, 0, &list, &total), ERR_OK);
	assert_int_equal(total, 1);
	json_decref(list);
	/* Paging: the total is of all matches. */
	assert_int_equal(person_list(f->db, NULL, ROLE__MAX, 2, 2, &list, &total), ERR_OK);
	assert_int_equal(total, 3);
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "name")), "Cat Carter");
	json_decref(list);
}

static void json_shape(void **state)
{
	struct fx *f = *state;
	struct person p;
	json_t *j;
	int64_t id;

	assert_int_equal(person_create(f->db, "Fay", "fay@example.org", "01632 960 003", NULL, NOW, &id), ERR_OK);
	assert_int_equal(person_grant(f->db, id, ROLE_MEMBER, NULL, 0, NOW), ERR_OK);
	assert_int_equal(person_set_delete(f->db, id, NOW + 86400, NOW), ERR_OK);
	assert_int_equal(person_get(f->db, &f->a, id, &p), ERR_OK);
	j = person_json(&p, false);
	assert_string_equal(json_string_value(json_object_get(j, "email")), "fay@example.org");
	assert_false(json_boolean_value(json_object_get(j, "email_verified")));
	assert_null(json_object_get(j, "phone"));
	assert_null(json_object_get(j, "password_hash"));
	json_decref(j);
	j = person_json(&p, true);
	assert_string_equal(json_string_value(json_object_get(j, "phone")), "01632 960 003");
	assert_false(json_boolean_value(json_object_get(j, "deactivated")));
	assert_string_equal(json_string_value(json_object_get(j, "deletion_due")), "2026-09-22T14:13:20Z");
	assert_null(json_object_get(j, "password_hash"));
	json_decref(j);
}

int main(void)
{
	int failed = 0;
	const struct CMUnitTest rules[] = {
		cmocka_unit_test(name_rules),
		cmocka_unit_test(email_rules),
		cmocka_unit_test(phone_rules),
	};
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(create_get_find),
		T(setters),
		T(deactivate_and_delete),
		T(roles),
		T(erase_keeps_only_the_id),
		T(list_and_search),
		T(json_shape),
	};
#undef T

	failed += cmocka_run_group_tests_name("person rules", rules, NULL, NULL);
	failed += testdb_run_groups("person", tests, ARRAY_LEN(tests));
	return failed ? 1 : 0;
}
