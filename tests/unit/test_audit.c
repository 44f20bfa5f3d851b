/*
 * test_audit.c - the audit log: appending, reading with filters, and that
 * the database itself refuses to change or delete an entry, on SQLite and
 * (with KITH_TEST_PG_URL) PostgreSQL.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "audit/audit.h"
#include "audit/audit_web.h"
#include "http/request.h"
#include "auth/person.h"
#include "auth/policy.h"
#include "core/log.h"
#include "store/store.h"
#include "support/storetest.h"

#define NOW INT64_C(1790000000)     /* 2026-09-21T14:13:20Z */

struct fx {
	struct storetest st;
	struct db *db;
	int64_t ann, bob, cat;
};

static const struct sql q_update = { "t.audit_update", "UPDATE audit SET action = 'forged'", NULL };
static const struct sql q_update_one = { "t.audit_update_one",
	"UPDATE audit SET actor_id = NULL WHERE id = $1", NULL };
static const struct sql q_delete = { "t.audit_delete", "DELETE FROM audit", NULL };
static const struct sql q_count = { "t.audit_count", "SELECT count(*) FROM audit", NULL };
static const struct sql q_forged = { "t.audit_forged",
	"SELECT count(*) FROM audit WHERE action = 'forged' OR actor_id IS NULL", NULL };

static int setup(void **state)
{
	struct fx *f = storetest_fixture(state, sizeof(*f));

	if (!f)
		return -1;
	f->db = f->st.db;
	if (person_create(f->db, "Ann Admin", "ann@example.org", NULL, NULL, NOW, &f->ann) != ERR_OK ||
	    person_create(f->db, "Bob Member", "bob@example.org", NULL, NULL, NOW, &f->bob) != ERR_OK ||
	    person_create(f->db, "Cat Coordinator", "cat@example.org", NULL, NULL, NOW, &f->cat) != ERR_OK)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	return storetest_fixture_free(state);
}

static int64_t count_all(struct fx *f)
{
	int64_t n = -1;

	assert_int_equal(db_query_int(f->db, &q_count, DB_NOARGS, &n), ERR_OK);
	return n;
}

/* Runs f against the seeded log and returns the actions, newest first,
 * joined with spaces. */
static const char *actions(struct fx *f, struct audit_filter *flt, int64_t *total)
{
	static char out[512];
	json_t *list, *e;
	size_t i, n = 0;

	if (!flt->limit)
		flt->limit = 100;
	assert_int_equal(audit_query(f->db, flt, &list, total), ERR_OK);
	out[0] = '\0';
	json_array_foreach(list, i, e)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", i ? " " : "",
				      json_string_value(json_object_get(e, "action")));
	json_decref(list);
	return out;
}

static void seed(struct fx *f)
{
	/* Oldest first. */
	assert_int_equal(audit_log(f->db, NOW, 0, "login.failed", f->bob, "reason=bad-password",
				   "192.0.2.1", "aaaaaaaaaaaaaaaa"), ERR_OK);
	assert_int_equal(audit_log(f->db, NOW + 60, f->bob, "login", f->bob, NULL, "192.0.2.1", NULL), ERR_OK);
	assert_int_equal(audit_log(f->db, NOW + 86400, f->cat, "person.read", f->bob, NULL, "198.51.100.5",
				   NULL), ERR_OK);
	assert_int_equal(audit_log(f->db, NOW + 86400 + 60, f->ann, "role.granted", f->cat,
				   "role=coordinator", NULL, NULL), ERR_OK);
	assert_int_equal(audit_log(f->db, NOW + 2 * 86400, f->bob, "data.downloaded", f->bob, NULL, NULL, NULL),
			 ERR_OK);
	assert_int_equal(audit_log(f->db, NOW + 2 * 86400 + 1, f->ann, "loginx", 0, NULL, NULL, NULL), ERR_OK);
}

static void append_and_read(void **state)
{
	struct fx *f = *state;
	struct audit_filter flt = { .limit = 10 };
	json_t *list, *e;
	int64_t total;

	seed(f);
	assert_int_equal(audit_query(f->db, &flt, &list, &total), ERR_OK);
	assert_int_equal(total, 6);
	assert_int_equal(json_array_size(list), 6);
	/* Newest first, names joined, absent things null. */
	e = json_array_get(list, 0);
	assert_string_equal(json_string_value(json_object_get(e, "action")), "loginx");
	assert_true(json_is_null(json_object_get(e, "subject_id")));
	assert_true(json_is_null(json_object_get(e, "subject_name")));
	e = json_array_get(list, 2);
	assert_string_equal(json_string_value(json_object_get(e, "action")), "role.granted");
	assert_string_equal(json_string_value(json_object_get(e, "actor_name")), "Ann Admin");
	assert_string_equal(json_string_value(json_object_get(e, "subject_name")), "Cat Coordinator");
	assert_string_equal(json_string_value(json_object_get(e, "detail")), "role=coordinator");
	assert_string_equal(json_string_value(json_object_get(e, "at")), "2026-09-22T14:14:20Z");
	e = json_array_get(list, 5);
	assert_string_equal(json_string_value(json_object_get(e, "action")), "login.failed");
	assert_true(json_is_null(json_object_get(e, "actor_id")));
	assert_true(json_is_null(json_object_get(e, "actor_name")));
	assert_string_equal(json_string_value(json_object_get(e, "ip")), "192.0.2.1");
	assert_string_equal(json_string_value(json_object_get(e, "request_id")), "aaaaaaaaaaaaaaaa");
	json_decref(list);

	/* An erased person still shows, as "Deleted person". */
	assert_int_equal(person_erase(f->db, f->cat, NOW + 3 * 86400), ERR_OK);
	flt = (struct audit_filter){ .actor_id = f->cat, .limit = 10 };
	assert_int_equal(audit_query(f->db, &flt, &list, &total), ERR_OK);
	assert_int_equal(total, 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "actor_name")),
			    "Deleted person");
	json_decref(list);
}

static void bad_input(void **state)
{
	struct fx *f = *state;
	struct audit_filter flt = { .limit = 10 };
	json_t *list = NULL;
	int64_t total;
	char big[400];

	log_set_quiet(1);
	assert_int_equal(audit_log(f->db, NOW, 0, "Login", 0, NULL, NULL, NULL), ERR_INVALID);
	assert_int_equal(audit_log(f->db, NOW, 0, "login failed", 0, NULL, NULL, NULL), ERR_INVALID);
	assert_int_equal(audit_log(f->db, NOW, 0, "", 0, NULL, NULL, NULL), ERR_INVALID);
	assert_int_equal(audit_log(f->db, NOW, 0, NULL, 0, NULL, NULL, NULL), ERR_INVALID);
	assert_int_equal(audit_log(f->db, NOW, 0, ".login", 0, NULL, NULL, NULL), ERR_INVALID);
	log_set_quiet(0);
	assert_int_equal(count_all(f), 0);
	assert_true(audit_action_valid("password_reset.requested"));
	assert_false(audit_action_valid("login;drop"));

	/* Detail is cut at a character, and junk is not stored. */
	for (size_t i = 0; i + 2 < sizeof(big); i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[sizeof(big) - 2] = '\0';
	assert_int_equal(audit_log(f->db, NOW, 0, "test.long", 0, big, "192.0.2.1\r\nX: y", NULL), ERR_OK);
	assert_int_equal(audit_log(f->db, NOW, 0, "test.junk", 0, "bad \xff byte", NULL, NULL), ERR_OK);
	assert_int_equal(audit_query(f->db, &flt, &list, &total), ERR_OK);
	assert_int_equal(strlen(json_string_value(json_object_get(json_array_get(list, 1), "detail"))),
			 AUDIT_DETAIL_MAX);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "ip")), "192.0.2.1X:y");
	assert_null(strstr(json_string_value(json_object_get(json_array_get(list, 0), "detail")), "\xff"));
	json_decref(list);

	flt.limit = 0;
	assert_int_equal(audit_query(f->db, &flt, &list, &total), ERR_INVALID);
	flt.limit = 501;
	assert_int_equal(audit_query(f->db, &flt, &list, &total), ERR_INVALID);
	flt.limit = 10;
	flt.offset = -1;
	assert_int_equal(audit_query(f->db, &flt, &list, &total), ERR_INVALID);
	flt.offset = 0;
	flt.action = "x' OR 1=1";
	assert_int_equal(audit_query(f->db, &flt, &list, &total), ERR_INVALID);
}

static void filters(void **state)
{
	struct fx *f = *state;
	struct audit_filter flt;
	int64_t total;

	seed(f);
	flt = (struct audit_filter){ .actor_id = f->bob };
	assert_string_equal(actions(f, &flt, &total), "data.downloaded login");
	flt = (struct audit_filter){ .subject_id = f->bob };
	assert_string_equal(actions(f, &flt, &total), "data.downloaded person.read login login.failed");
	/* "login" is the login family, not every action starting "login". */
	flt = (struct audit_filter){ .action = "login" };
	assert_string_equal(actions(f, &flt, &total), "login login.failed");
	flt = (struct audit_filter){ .action = "login.failed" };
	assert_string_equal(actions(f, &flt, &total), "login.failed");
	flt = (struct audit_filter){ .action = "person" };
	assert_string_equal(actions(f, &flt, &total), "person.read");
	flt = (struct audit_filter){ .action = "person.rea" };
	assert_string_equal(actions(f, &flt, &total), "");
	/* since and until are inclusive. */
	flt = (struct audit_filter){ .since = NOW + 60, .until = NOW + 86400 };
	assert_string_equal(actions(f, &flt, &total), "person.read login");
	flt = (struct audit_filter){ .since = NOW + 86400 + 1 };
	assert_string_equal(actions(f, &flt, &total), "loginx data.downloaded role.granted");
	flt = (struct audit_filter){ .until = NOW + 59 };
	assert_string_equal(actions(f, &flt, &total), "login.failed");
	/* Who has looked at Bob's record: others, identified. */
	flt = (struct audit_filter){ .subject_id = f->bob, .not_actor_id = f->bob };
	assert_string_equal(actions(f, &flt, &total), "person.read");
	/* Combined, and paged with the total of all matches. */
	flt = (struct audit_filter){ .subject_id = f->bob, .action = "login", .since = NOW };
	assert_string_equal(actions(f, &flt, &total), "login login.failed");
	flt = (struct audit_filter){ .limit = 2, .offset = 2 };
	assert_string_equal(actions(f, &flt, &total), "role.granted person.read");
	assert_int_equal(total, 6);
	flt = (struct audit_filter){ .limit = 2, .offset = 10 };
	assert_string_equal(actions(f, &flt, &total), "");
	assert_int_equal(total, 6);
}

static void audit_req_uses_the_request(void **state)
{
	struct fx *f = *state;
	struct request req;
	struct actor me = { .id = 0 };
	struct audit_filter flt = { .limit = 10 };
	json_t *list, *e;
	int64_t total;

	me.id = f->cat;
	req_init(&req, NULL);
	req.db = f->db;
	req.actor = &me;
	req.client_ip = "203.0.113.8";
	memcpy(req.id, "0123456789abcdef", 17);
	assert_int_equal(audit_req(&req, "person.read", f->bob, "via=test"), ERR_OK);
	me.id = 0;
	assert_int_equal(audit_req(&req, "login.failed", 0, NULL), ERR_OK);
	req_release(&req);

	assert_int_equal(audit_query(f->db, &flt, &list, &total), ERR_OK);
	assert_int_equal(total, 2);
	e = json_array_get(list, 1);
	assert_int_equal(json_integer_value(json_object_get(e, "actor_id")), f->cat);
	assert_int_equal(json_integer_value(json_object_get(e, "subject_id")), f->bob);
	assert_string_equal(json_string_value(json_object_get(e, "ip")), "203.0.113.8");
	assert_string_equal(json_string_value(json_object_get(e, "request_id")), "0123456789abcdef");
	assert_string_equal(json_string_value(json_object_get(e, "detail")), "via=test");
	e = json_array_get(list, 0);
	assert_true(json_is_null(json_object_get(e, "actor_id")));
	json_decref(list);
}

static void append_only(void **state)
{
	struct fx *f = *state;
	int64_t forged = -1;

	seed(f);
	log_set_quiet(1);
	assert_int_not_equal(db_exec(f->db, &q_update, DB_NOARGS, NULL), ERR_OK);
	assert_int_not_equal(db_exec(f->db, &q_update_one, DB_ARGS(DB_INT(1)), NULL), ERR_OK);
	assert_int_not_equal(db_exec(f->db, &q_delete, DB_NOARGS, NULL), ERR_OK);
	/* Nor inside a transaction that then commits. */
	assert_int_equal(db_begin(f->db), ERR_OK);
	assert_int_not_equal(db_exec(f->db, &q_delete, DB_NOARGS, NULL), ERR_OK);
	db_rollback(f->db);
	log_set_quiet(0);
	assert_int_equal(count_all(f), 6);
	assert_int_equal(db_query_int(f->db, &q_forged, DB_NOARGS, &forged), ERR_OK);
	assert_int_equal(forged, 1);            /* the seeded visitor entry; nothing forged */
	/* Appending still works. */
	assert_int_equal(audit_log(f->db, NOW, f->ann, "login", f->ann, NULL, NULL, NULL), ERR_OK);
	assert_int_equal(count_all(f), 7);
}

/* Reloading a record does not grow the log: one person's reads of one
 * record fold into one entry for AUDIT_READ_FOLD_S; another record,
 * another reader, a later read or any other action each get their own. */
static void repeated_reads_fold(void **state)
{
	struct fx *f = *state;

	for (int i = 0; i < 20; i++)
		assert_int_equal(audit_log(f->db, NOW + i * 10, f->cat, "referral.read", f->bob,
					   "referral=r1", NULL, NULL), ERR_OK);
	assert_int_equal(count_all(f), 1);
	assert_int_equal(audit_log(f->db, NOW + 20, f->cat, "referral.read", f->bob, "referral=r2",
				   NULL, NULL), ERR_OK);
	assert_int_equal(audit_log(f->db, NOW + 20, f->ann, "referral.read", f->bob, "referral=r1",
				   NULL, NULL), ERR_OK);
	assert_int_equal(audit_log(f->db, NOW + 20, f->cat, "person.read", f->bob, NULL, NULL, NULL),
			 ERR_OK);
	assert_int_equal(count_all(f), 4);
	/* Past the window: a new entry (the window runs from the last kept). */
	assert_int_equal(audit_log(f->db, NOW + AUDIT_READ_FOLD_S + 1, f->cat, "referral.read", f->bob,
				   "referral=r1", NULL, NULL), ERR_OK);
	assert_int_equal(count_all(f), 5);
	/* Not reads: every one kept. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(audit_log(f->db, NOW + 30, f->cat, "role.granted", f->bob, "role=member",
					   NULL, NULL), ERR_OK);
	assert_int_equal(count_all(f), 8);
	assert_true(audit_is_read("goal.read"));
	assert_false(audit_is_read("read"));
	assert_false(audit_is_read("referral.reader"));
}

/* Retention: the purge deletes only entries older than its cutoff, and the
 * log refuses any other delete before, during and after it. */
static void retention_purges_only_old_entries(void **state)
{
	struct fx *f = *state;
	static const struct sql q_delete_new = { "t.audit_delete_new",
		"DELETE FROM audit WHERE at >= $1", NULL };
	int64_t n = -1;

	seed(f);                                  /* NOW .. NOW + 2 days */
	assert_int_equal(db_begin(f->db), ERR_OK);
	assert_int_equal(audit_purge(f->db, NOW + 86400, 100, &n), ERR_OK);
	assert_int_equal(db_commit(f->db), ERR_OK);
	assert_int_equal(n, 2);                   /* the two of the first day */
	assert_int_equal(count_all(f), 4);
	/* Batches: at most max a call. */
	assert_int_equal(db_begin(f->db), ERR_OK);
	assert_int_equal(audit_purge(f->db, NOW + 2 * 86400, 1, &n), ERR_OK);
	assert_int_equal(db_commit(f->db), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(count_all(f), 3);
	/* The guard is closed again: newer entries cannot be deleted. */
	log_set_quiet(1);
	assert_int_not_equal(db_exec(f->db, &q_delete, DB_NOARGS, NULL), ERR_OK);
	assert_int_equal(db_begin(f->db), ERR_OK);
	assert_int_equal(audit_purge(f->db, NOW + 86400 + 61, 100, &n), ERR_OK);
	assert_int_not_equal(db_exec(f->db, &q_delete_new, DB_ARGS(DB_INT(NOW + 86400 + 61)), NULL),
			     ERR_OK);
	db_rollback(f->db);
	log_set_quiet(0);
	assert_int_equal(count_all(f), 3);
	/* No cutoff, nothing goes. */
	assert_int_equal(audit_purge(f->db, 0, 100, &n), ERR_OK);
	assert_int_equal(n, 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(append_and_read),
		T(bad_input),
		T(filters),
		T(audit_req_uses_the_request),
		T(append_only),
		T(repeated_reads_fold),
		T(retention_purges_only_old_entries),
	};
#undef T

	return testdb_run_groups("audit", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
