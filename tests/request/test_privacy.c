/*
 * test_privacy.c - "download my data" gathers every feature's part, and
 * erasure after the grace period removes the person's data everywhere in
 * one go while the audit trail about them stays.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "app/worker.h"
#include "audit/audit.h"
#include "auth/person.h"
#include "auth/session.h"
#include "core/timeutil.h"
#include "mail/mail.h"
#include "privacy/privacy.h"
#include "store/store.h"
#include "support/reqtest.h"

static const struct sql q_count_sessions = {
	"t.sessions", "SELECT count(*) FROM session WHERE person_id = $1", NULL };
static const struct sql q_count_roles = {
	"t.roles", "SELECT count(*) FROM person_role WHERE person_id = $1", NULL };
static const struct sql q_count_outbox = {
	"t.outbox", "SELECT count(*) FROM outbox WHERE person_id = $1", NULL };
static const struct sql q_count_audit = {
	"t.audit", "SELECT count(*) FROM audit WHERE subject_id = $1", NULL };
static const struct sql q_erased = {
	"t.erased", "SELECT count(*) FROM person WHERE id = $1 AND erased_at IS NOT NULL "
	"AND email IS NULL AND phone IS NULL AND password_hash IS NULL AND name = 'Deleted person'", NULL };

/* The app as it is out of the box: the default settings. */
static int setup(void **state)
{
	return rt_setup_with(state, NULL);
}

/* Rows about person id that q counts. */
static int64_t count(struct rt *t, const struct sql *q, int64_t id)
{
	return rt_count(t, q, DB_ARGS(DB_INT(id)));
}

/* A person with a role, a session, an email and an audit trail. */
static int64_t make_person(struct rt *t, struct db *db, int64_t now)
{
	int64_t id;
	struct session_new s;
	json_t *ctx = json_pack("{s:s, s:s}", "name", "Rose Tyler", "link", "https://kith.example/x");

	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(person_create(db, "Rose Tyler", "rose@example.org", "01632 960123", NULL, now, &id), ERR_OK);
	assert_int_equal(person_grant(db, id, ROLE_MEMBER, NULL, 0, now), ERR_OK);
	assert_int_equal(session_create(db, id, SESSION_BROWSER, "192.0.2.1", "Firefox", now, now + 3600, &s), ERR_OK);
	assert_int_equal(mail_enqueue(&t->app.mailer, db, "rose@example.org", id, "verify_email", ctx, now), ERR_OK);
	assert_int_equal(audit_log(db, now, 0, "register", id, NULL, "192.0.2.1", NULL), ERR_OK);
	assert_int_equal(audit_log(db, now, 99, "person.read", id, NULL, "192.0.2.9", NULL), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	json_decref(ctx);
	return id;
}

static void export_has_every_part(void **state)
{
	struct rt *t = *state;
	struct db *db = rt_db(t);
	int64_t now = time_now(), id = make_person(t, db, now);
	json_t *doc = NULL;
	char *text;

	assert_int_equal(privacy_export(db, id, now, &doc), ERR_OK);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "person"), "email")),
			    "rose@example.org");
	assert_non_null(json_object_get(doc, "generated_at"));
	assert_int_equal(json_array_size(json_object_get(doc, "sessions")), 1);
	assert_int_equal(json_array_size(json_object_get(doc, "emails")), 1);
	assert_true(json_array_size(json_object_get(doc, "audit_about_me")) >= 1);
	text = json_dumps(doc, 0);
	/* Never a token or a hash, even of their own. */
	assert_null(strstr(text, "ks_"));
	assert_null(strstr(text, "token_hash"));
	assert_null(strstr(text, "password_hash"));
	free(text);
	json_decref(doc);
	assert_int_equal(privacy_export(db, 999999, now, &doc), ERR_NOT_FOUND);
}

static void erasure_after_grace(void **state)
{
	struct rt *t = *state;
	struct db *db = rt_db(t);
	int64_t now = time_now(), id = make_person(t, db, now), audit_before;
	struct arena a;
	struct person p;

	audit_before = count(t, &q_count_audit, id);
	assert_int_equal(person_set_delete(db, id, now + 7 * 86400, now), ERR_OK);

	/* Before the grace period ends, the job leaves them alone. */
	time_set_fake(now + 6 * 86400);
	assert_int_equal(worker_run_all(&t->app), ERR_OK);
	assert_int_equal(count(t, &q_erased, id), 0);
	assert_int_equal(count(t, &q_count_roles, id), 1);

	time_set_fake(now + 8 * 86400);
	assert_int_equal(worker_run_all(&t->app), ERR_OK);
	time_set_fake(0);
	assert_int_equal(count(t, &q_erased, id), 1);
	assert_int_equal(count(t, &q_count_sessions, id), 0);
	assert_int_equal(count(t, &q_count_roles, id), 0);
	assert_int_equal(count(t, &q_count_outbox, id), 0);
	/* The trail stays, and records the erasure. */
	assert_int_equal(count(t, &q_count_audit, id), audit_before + 1);
	arena_init(&a);
	assert_int_equal(person_find_email(db, &a, "rose@example.org", &p), ERR_NOT_FOUND);
	arena_release(&a);
	/* The address is free for a new account. */
	assert_int_equal(person_create(db, "Rose Again", "rose@example.org", NULL, NULL, now, &id), ERR_OK);
}

static void cancelled_deletion_is_not_erased(void **state)
{
	struct rt *t = *state;
	struct db *db = rt_db(t);
	int64_t now = time_now(), id = make_person(t, db, now);

	assert_int_equal(person_set_delete(db, id, now + 86400, now), ERR_OK);
	assert_int_equal(person_set_delete(db, id, 0, now), ERR_OK);
	time_set_fake(now + 30 * 86400);
	assert_int_equal(worker_run_all(&t->app), ERR_OK);
	time_set_fake(0);
	assert_int_equal(count(t, &q_erased, id), 0);
	assert_int_equal(count(t, &q_count_roles, id), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(export_has_every_part, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(erasure_after_grace, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(cancelled_deletion_is_not_erased, setup, rt_teardown),
	};

	return testdb_run_groups("privacy", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
