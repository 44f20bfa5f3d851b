/*
 * test_session.c - sessions, API tokens, one-time links and attempt
 * counters, on SQLite and (with KITH_TEST_PG_URL) PostgreSQL. Time is
 * passed in, never slept through.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "auth/attempts.h"
#include "auth/auth_web.h"
#include "auth/auth_int.h"
#include "auth/onetime.h"
#include "auth/person.h"
#include "auth/session.h"
#include "core/log.h"
#include "core/str.h"
#include "store/store.h"
#include "support/storetest.h"

#define NOW INT64_C(1790000000)
#define IDLE 7200

struct fx {
	struct storetest st;
	struct db *db;
	struct arena a;
	int64_t ann, bob;
};

static const struct sql q_session_hash = { "t.session_hash",
	"SELECT token_hash, csrf_token FROM session WHERE id = $1", NULL };
static const struct sql q_token_count = { "t.token_count",
	"SELECT count(*) FROM api_token WHERE token_hash = $1 OR prefix = $1 OR name = $1", NULL };
static const struct sql q_sessions = { "t.sessions", "SELECT count(*) FROM session", NULL };
static const struct sql q_onetime = { "t.onetime", "SELECT count(*) FROM onetime", NULL };
static const struct sql q_attempts = { "t.attempts", "SELECT count(*) FROM auth_attempt", NULL };
static const struct sql q_last_used = { "t.last_used",
	"SELECT last_used_at FROM api_token WHERE id = $1", NULL };
static const struct sql q_last_seen = { "t.last_seen",
	"SELECT last_seen_at FROM session WHERE id = $1", NULL };

static int setup(void **state)
{
	struct fx *f = storetest_fixture(state, sizeof(*f));

	if (!f)
		return -1;
	f->db = f->st.db;
	arena_init(&f->a);
	if (person_create(f->db, "Ann", "ann@example.org", NULL, NULL, NOW, &f->ann) != ERR_OK ||
	    person_create(f->db, "Bob", "bob@example.org", NULL, NULL, NOW, &f->bob) != ERR_OK ||
	    person_grant(f->db, f->ann, ROLE_MEMBER, NULL, 0, NOW) != ERR_OK ||
	    person_grant(f->db, f->ann, ROLE_COORDINATOR, NULL, 0, NOW) != ERR_OK ||
	    person_mark_verified(f->db, f->ann, "ann@example.org", NOW) != ERR_OK)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	arena_release(&f->a);
	return storetest_fixture_free(state);
}

static int64_t count(struct fx *f, const struct sql *q)
{
	int64_t n = -1;

	assert_int_equal(db_query_int(f->db, q, DB_NOARGS, &n), ERR_OK);
	return n;
}

/* ---------------------------------------------------------------- token shape (no database) */

static void token_shapes(void **state)
{
	char k = 0;
	char good[TOKEN_LEN + 2];

	UNUSED(state);
	memcpy(good, "ks_", 3);
	memset(good + 3, 'a', TOKEN_HEX);
	good[TOKEN_LEN] = '\0';
	assert_true(token_well_formed(good, &k));
	assert_int_equal(k, 's');
	good[1] = 't';
	assert_true(token_well_formed(good, &k));
	assert_int_equal(k, 't');
	assert_true(token_well_formed(good, NULL));

	good[1] = 'x';
	assert_false(token_well_formed(good, &k));                 /* unknown kind */
	good[1] = 's';
	good[10] = 'A';
	assert_false(token_well_formed(good, &k));                 /* uppercase hex */
	good[10] = 'g';
	assert_false(token_well_formed(good, &k));                 /* not hex */
	good[10] = 'a';
	good[TOKEN_LEN - 1] = '\0';
	assert_false(token_well_formed(good, &k));                 /* one short */
	good[TOKEN_LEN - 1] = 'a';
	good[TOKEN_LEN] = 'a';
	good[TOKEN_LEN + 1] = '\0';
	assert_false(token_well_formed(good, &k));                 /* one long */
	assert_false(token_well_formed(NULL, &k));
	assert_false(token_well_formed("", &k));
	assert_false(token_well_formed("ks_", &k));
	good[TOKEN_LEN] = '\0';
	good[0] = 'K';
	assert_false(token_well_formed(good, &k));                 /* prefix is lowercase */
}

/* ---------------------------------------------------------------- sessions */

static void session_lifecycle(void **state)
{
	struct fx *f = *state;
	struct session_new s;
	struct actor a = { 0 };
	struct db_res *r;
	char expected[TOKEN_HEX + 1];
	bool touch = true;

	assert_int_equal(session_create(f->db, f->ann, SESSION_BROWSER, "192.0.2.7",
					"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
					NOW, NOW + 43200, &s), ERR_OK);
	assert_true(s.id > 0);
	assert_int_equal(strncmp(s.token, "ks_", 3), 0);
	assert_true(token_well_formed(s.token, NULL));
	assert_int_equal(strlen(s.csrf), TOKEN_HEX);
	assert_int_equal(s.expires_at, NOW + 43200);

	/* Only the hash is stored. */
	assert_int_equal(db_query(f->db, &q_session_hash, DB_ARGS(DB_INT(s.id)), &r), ERR_OK);
	assert_int_equal(db_next(r), ERR_OK);
	assert_true(db_row(r));
	assert_string_not_equal(db_text(r, 0), s.token);
	assert_null(strstr(db_text(r, 0), s.token + 3));
	assert_int_equal(strlen(db_text(r, 0)), TOKEN_HEX);
	assert_string_equal(db_text(r, 1), s.csrf);
	str_copy(expected, sizeof(expected), db_text(r, 0));
	db_res_free(r);

	assert_int_equal(session_lookup(f->db, &f->a, s.token, NOW + 30, IDLE, &a, &touch), ERR_OK);
	assert_false(touch);                                       /* seen 30 s ago */
	assert_int_equal(a.id, f->ann);
	assert_string_equal(a.name, "Ann");
	assert_string_equal(a.email, "ann@example.org");
	assert_true(a.verified);
	assert_int_equal(a.roles, ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_COORDINATOR));
	assert_int_equal(a.session_id, s.id);
	assert_string_equal(a.csrf_token, s.csrf);
	assert_false(a.via_token);
	assert_int_equal(a.token_id, 0);

	/* A wrong or malformed token finds nothing. */
	char wrong[TOKEN_LEN + 1];
	memcpy(wrong, s.token, sizeof(wrong));
	wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
	assert_int_equal(session_lookup(f->db, &f->a, wrong, NOW + 30, IDLE, &a, NULL), ERR_NOT_FOUND);
	assert_int_equal(session_lookup(f->db, &f->a, "ks_short", NOW, IDLE, &a, NULL), ERR_NOT_FOUND);
	wrong[1] = 't';
	memcpy(wrong + 3, s.token + 3, TOKEN_HEX);
	assert_int_equal(session_lookup(f->db, &f->a, wrong, NOW, IDLE, &a, NULL), ERR_NOT_FOUND);

	/* Idle: a minute later a touch is due; after touching, the idle
	 * clock restarts. */
	assert_int_equal(session_lookup(f->db, &f->a, s.token, NOW + 61, IDLE, &a, &touch), ERR_OK);
	assert_true(touch);
	assert_int_equal(session_touch(f->db, s.id, NOW + 5000), ERR_OK);
	assert_int_equal(session_touch(f->db, s.id, NOW + 4000), ERR_OK);     /* never backwards */
	int64_t seen = 0;
	assert_int_equal(db_query_int(f->db, &q_last_seen, DB_ARGS(DB_INT(s.id)), &seen), ERR_OK);
	assert_int_equal(seen, NOW + 5000);
	assert_int_equal(session_lookup(f->db, &f->a, s.token, NOW + 5000 + IDLE, IDLE, &a, NULL), ERR_OK);
	assert_int_equal(session_lookup(f->db, &f->a, s.token, NOW + 5000 + IDLE + 1, IDLE, &a, NULL),
			 ERR_NOT_FOUND);
	/* Absolute end, however active. */
	assert_int_equal(session_touch(f->db, s.id, NOW + 43199), ERR_OK);
	assert_int_equal(session_lookup(f->db, &f->a, s.token, NOW + 43199, IDLE, &a, NULL), ERR_OK);
	assert_int_equal(session_lookup(f->db, &f->a, s.token, NOW + 43200, IDLE, &a, NULL), ERR_NOT_FOUND);
}

static void api_sessions_ignore_idle(void **state)
{
	struct fx *f = *state;
	struct session_new s;
	struct actor a = { 0 };

	assert_int_equal(session_create(f->db, f->ann, SESSION_API, NULL, NULL, NOW, NOW + 86400 * 30, &s),
			 ERR_OK);
	assert_int_equal(session_lookup(f->db, &f->a, s.token, NOW + 86400 * 10, IDLE, &a, NULL), ERR_OK);
	assert_true(a.via_token);
	assert_int_equal(session_lookup(f->db, &f->a, s.token, NOW + 86400 * 30, IDLE, &a, NULL),
			 ERR_NOT_FOUND);
}

static void inactive_people_have_no_sessions(void **state)
{
	struct fx *f = *state;
	struct session_new s;
	struct actor a = { 0 };
	static const struct sql q_deact = { "t.deact",
		"UPDATE person SET deactivated_at = $2 WHERE id = $1", NULL };

	assert_int_equal(session_create(f->db, f->bob, SESSION_BROWSER, NULL, NULL, NOW, NOW + 3600, &s),
			 ERR_OK);
	assert_int_equal(session_lookup(f->db, &f->a, s.token, NOW, IDLE, &a, NULL), ERR_OK);
	assert_int_equal(a.roles, 0);
	/* Deactivated behind the module's back (no revocation): the lookup
	 * still refuses, because it checks the person every time. */
	assert_int_equal(db_exec(f->db, &q_deact, DB_ARGS(DB_INT(f->bob), DB_INT(NOW)), NULL), ERR_OK);
	assert_int_equal(session_lookup(f->db, &f->a, s.token, NOW + 1, IDLE, &a, NULL), ERR_NOT_FOUND);
}

static void revoking(void **state)
{
	struct fx *f = *state;
	struct session_new s1, s2, s3, sb;
	struct actor a = { 0 };
	json_t *list;
	int64_t n = -1;

	assert_int_equal(session_create(f->db, f->ann, SESSION_BROWSER, "192.0.2.1",
					"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1",
					NOW, NOW + 3600, &s1), ERR_OK);
	assert_int_equal(session_create(f->db, f->ann, SESSION_BROWSER, "192.0.2.2", NULL, NOW + 1, NOW + 3600,
					&s2), ERR_OK);
	assert_int_equal(session_create(f->db, f->ann, SESSION_API, "192.0.2.3", "curl/8.0", NOW + 2,
					NOW + 3600, &s3), ERR_OK);
	assert_int_equal(session_create(f->db, f->bob, SESSION_BROWSER, NULL, NULL, NOW, NOW + 3600, &sb),
			 ERR_OK);

	assert_int_equal(session_list(f->db, f->ann, s1.id, NOW + 10, IDLE, &list), ERR_OK);
	assert_int_equal(json_array_size(list), 3);
	for (size_t i = 0; i < 3; i++) {
		json_t *o = json_array_get(list, i);
		int64_t id = json_integer_value(json_object_get(o, "id"));

		assert_true(json_boolean_value(json_object_get(o, "current")) == (id == s1.id));
		assert_non_null(json_string_value(json_object_get(o, "created_at")));
		assert_non_null(json_string_value(json_object_get(o, "expires_at")));
		assert_null(json_object_get(o, "token"));
		assert_null(json_object_get(o, "csrf_token"));
		if (id == s1.id)
			assert_string_equal(json_string_value(json_object_get(o, "device")), "Safari on iPhone");
		if (id == s2.id)
			assert_string_equal(json_string_value(json_object_get(o, "device")), "Unknown device");
		if (id == s3.id)
			assert_string_equal(json_string_value(json_object_get(o, "kind")), "api");
	}
	json_decref(list);

	/* Not Bob's to revoke; Ann's own once only. */
	assert_int_equal(session_revoke(f->db, f->bob, s1.id, NOW + 20), ERR_NOT_FOUND);
	assert_int_equal(session_revoke(f->db, f->ann, s2.id, NOW + 20), ERR_OK);
	assert_int_equal(session_revoke(f->db, f->ann, s2.id, NOW + 21), ERR_NOT_FOUND);
	assert_int_equal(session_lookup(f->db, &f->a, s2.token, NOW + 22, IDLE, &a, NULL), ERR_NOT_FOUND);

	/* All but the current one (s2 is already ended: not counted). */
	assert_int_equal(session_revoke_all(f->db, f->ann, s1.id, NOW + 30, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(session_lookup(f->db, &f->a, s3.token, NOW + 31, IDLE, &a, NULL), ERR_NOT_FOUND);
	assert_int_equal(session_lookup(f->db, &f->a, s1.token, NOW + 31, IDLE, &a, NULL), ERR_OK);
	assert_int_equal(session_lookup(f->db, &f->a, sb.token, NOW + 31, IDLE, &a, NULL), ERR_OK);
	assert_int_equal(session_list(f->db, f->ann, s1.id, NOW + 32, IDLE, &list), ERR_OK);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	assert_int_equal(session_revoke_all(f->db, f->ann, 0, NOW + 40, NULL), ERR_OK);
	assert_int_equal(session_lookup(f->db, &f->a, s1.token, NOW + 41, IDLE, &a, NULL), ERR_NOT_FOUND);

	/* Cleanup: ended before the cut-off go; Bob's live one stays. */
	assert_int_equal(count(f, &q_sessions), 4);
	assert_int_equal(session_expire(f->db, NOW + 35), ERR_OK);
	assert_int_equal(count(f, &q_sessions), 2);     /* s2, s3 were revoked before; s1 at NOW + 40 */
	assert_int_equal(session_expire(f->db, NOW + 41), ERR_OK);
	assert_int_equal(count(f, &q_sessions), 1);
	assert_int_equal(session_expire_idle(f->db, NOW), ERR_OK);
	assert_int_equal(count(f, &q_sessions), 1);
	assert_int_equal(session_expire_idle(f->db, NOW + 1), ERR_OK);
	assert_int_equal(count(f, &q_sessions), 0);
}

static void export_has_no_secrets(void **state)
{
	struct fx *f = *state;
	struct session_new s;
	json_t *list;
	char *dump;

	assert_int_equal(session_create(f->db, f->ann, SESSION_BROWSER, "192.0.2.9", "Firefox/128", NOW,
					NOW + 3600, &s), ERR_OK);
	assert_int_equal(session_revoke(f->db, f->ann, s.id, NOW + 5), ERR_OK);
	assert_int_equal(session_export(f->db, f->ann, &list), ERR_OK);
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "ip")), "192.0.2.9");
	assert_non_null(json_string_value(json_object_get(json_array_get(list, 0), "revoked_at")));
	dump = json_dumps(list, 0);
	assert_null(strstr(dump, s.token + 3));
	assert_null(strstr(dump, s.csrf));
	free(dump);
	json_decref(list);
}

/* ---------------------------------------------------------------- API tokens */

static void api_tokens(void **state)
{
	struct fx *f = *state;
	struct token_new t1, t2;
	struct actor a = { 0 };
	json_t *list;
	char hash[TOKEN_HEX + 1];
	int64_t n = 0, used = 0;
	char *dump;

	assert_non_null(apitoken_check_name(""));
	assert_non_null(apitoken_check_name("two\nlines"));
	assert_null(apitoken_check_name("GP practice system"));
	assert_int_equal(apitoken_create(f->db, f->ann, "", f->ann, NOW, 90 * 86400, &t1), ERR_INVALID);
	assert_int_equal(apitoken_create(f->db, f->ann, "GP practice system", f->ann, NOW, 90 * 86400, &t1), ERR_OK);
	assert_int_equal(strncmp(t1.token, "kt_", 3), 0);
	assert_true(token_well_formed(t1.token, NULL));
	assert_int_equal(apitoken_create(f->db, f->bob, "Bob's script", 0, NOW, 90 * 86400, &t2), ERR_OK);

	/* The token is in no column; its first characters are. */
	assert_int_equal(db_query_int(f->db, &q_token_count, DB_ARGS(DB_TEXT(t1.token)), &n), ERR_OK);
	assert_int_equal(n, 0);
	memcpy(hash, t1.token, 7);
	hash[7] = '\0';
	assert_int_equal(db_query_int(f->db, &q_token_count, DB_ARGS(DB_TEXT(hash)), &n), ERR_OK);
	assert_int_equal(n, 1);

	assert_int_equal(apitoken_lookup(f->db, &f->a, t1.token, NOW + 10, &a), ERR_OK);
	assert_int_equal(a.id, f->ann);
	assert_true(a.via_token);
	assert_int_equal(a.token_id, t1.id);
	assert_int_equal(a.session_id, 0);
	assert_null(a.csrf_token);
	assert_int_equal(a.roles, ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_COORDINATOR));
	/* last_used_at: written on first use, then at most once a minute. */
	assert_int_equal(db_query_int(f->db, &q_last_used, DB_ARGS(DB_INT(t1.id)), &used), ERR_OK);
	assert_int_equal(used, NOW + 10);
	assert_int_equal(apitoken_lookup(f->db, &f->a, t1.token, NOW + 30, &a), ERR_OK);
	assert_int_equal(db_query_int(f->db, &q_last_used, DB_ARGS(DB_INT(t1.id)), &used), ERR_OK);
	assert_int_equal(used, NOW + 10);
	assert_int_equal(apitoken_lookup(f->db, &f->a, t1.token, NOW + 100, &a), ERR_OK);
	assert_int_equal(db_query_int(f->db, &q_last_used, DB_ARGS(DB_INT(t1.id)), &used), ERR_OK);
	assert_int_equal(used, NOW + 100);
	/* A session token is not an API token, nor the reverse. */
	struct session_new s;
	assert_int_equal(session_create(f->db, f->ann, SESSION_API, NULL, NULL, NOW, NOW + 60, &s), ERR_OK);
	assert_int_equal(apitoken_lookup(f->db, &f->a, s.token, NOW, &a), ERR_NOT_FOUND);
	assert_int_equal(session_lookup(f->db, &f->a, t1.token, NOW, IDLE, &a, NULL), ERR_NOT_FOUND);

	assert_int_equal(apitoken_list(f->db, f->ann, &list), ERR_OK);
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "name")),
			    "GP practice system");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "person_name")), "Ann");
	assert_int_equal(strncmp(json_string_value(json_object_get(json_array_get(list, 0), "prefix")),
				 t1.token, 7), 0);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(list, 0), "prefix")),
			       "\u2026"));
	dump = json_dumps(list, 0);
	assert_null(strstr(dump, t1.token + 7));
	free(dump);
	json_decref(list);
	assert_int_equal(apitoken_list(f->db, 0, &list), ERR_OK);
	assert_int_equal(json_array_size(list), 2);
	json_decref(list);

	/* Bob cannot revoke Ann's; Ann can, once; an admin (0) can any. */
	assert_int_equal(apitoken_revoke(f->db, f->bob, t1.id, NOW + 200), ERR_NOT_FOUND);
	assert_int_equal(apitoken_revoke(f->db, f->ann, t1.id, NOW + 200), ERR_OK);
	assert_int_equal(apitoken_revoke(f->db, f->ann, t1.id, NOW + 201), ERR_NOT_FOUND);
	assert_int_equal(apitoken_lookup(f->db, &f->a, t1.token, NOW + 202, &a), ERR_NOT_FOUND);
	assert_int_equal(apitoken_revoke(f->db, 0, t2.id, NOW + 203), ERR_OK);
	assert_int_equal(apitoken_lookup(f->db, &f->a, t2.token, NOW + 204, &a), ERR_NOT_FOUND);
	assert_int_equal(apitoken_list(f->db, f->ann, &list), ERR_OK);
	assert_true(json_boolean_value(json_object_get(json_array_get(list, 0), "revoked")));
	json_decref(list);
}

/* ---------------------------------------------------------------- one-time links */

/* A token works until its time is up, and a password change (revoke_all)
 * ends every live one at once, counting them; one already expired or
 * revoked is not counted again. */
static void api_tokens_expire_and_go_with_the_password(void **state)
{
	struct fx *f = *state;
	struct token_new t1, t2, t3;
	struct actor a = { 0 };
	int64_t n = -1;

	assert_int_equal(apitoken_create(f->db, f->ann, "Short", f->ann, NOW, 3600, &t1), ERR_OK);
	assert_int_equal(apitoken_create(f->db, f->ann, "Long", f->ann, NOW, 86400, &t2), ERR_OK);
	assert_int_equal(apitoken_create(f->db, f->bob, "Bob's", f->bob, NOW, 86400, &t3), ERR_OK);
	assert_int_equal(apitoken_create(f->db, f->ann, "None", f->ann, NOW, 0, &t3), ERR_INVALID);
	assert_int_equal(apitoken_lookup(f->db, &f->a, t1.token, NOW + 3599, &a), ERR_OK);
	assert_int_equal(apitoken_lookup(f->db, &f->a, t1.token, NOW + 3600, &a), ERR_NOT_FOUND);
	assert_int_equal(apitoken_lookup(f->db, &f->a, t2.token, NOW + 3600, &a), ERR_OK);
	/* Ann changes her password an hour on: the expired one is not counted. */
	assert_int_equal(apitoken_revoke_all(f->db, f->ann, NOW + 3600, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(apitoken_lookup(f->db, &f->a, t2.token, NOW + 3601, &a), ERR_NOT_FOUND);
	assert_int_equal(apitoken_revoke_all(f->db, f->ann, NOW + 3602, &n), ERR_OK);
	assert_int_equal(n, 0);
	/* Bob's is his own. */
	assert_int_equal(apitoken_create(f->db, f->bob, "Bob's", f->bob, NOW, 86400, &t3), ERR_OK);
	assert_int_equal(apitoken_lookup(f->db, &f->a, t3.token, NOW + 3603, &a), ERR_OK);
}

static void onetime_links(void **state)
{
	struct fx *f = *state;
	char t1[TOKEN_HEX + 1], t2[TOKEN_HEX + 1], t3[TOKEN_HEX + 1];
	const char *email = NULL;
	int64_t pid = 0;

	assert_int_equal(onetime_create(f->db, OT_VERIFY_EMAIL, f->ann, "ann@example.org", NOW, 3600, t1),
			 ERR_OK);
	assert_true(str_is_lower_hex(t1, TOKEN_HEX));
	assert_int_equal(onetime_peek(f->db, OT_VERIFY_EMAIL, t1, NOW + 10), ERR_OK);
	/* Another purpose does not take it, and does not use it up. */
	assert_int_equal(onetime_peek(f->db, OT_RESET_PASSWORD, t1, NOW + 10), ERR_NOT_FOUND);
	assert_int_equal(onetime_consume(f->db, &f->a, OT_RESET_PASSWORD, t1, NOW + 10, &pid, &email),
			 ERR_NOT_FOUND);
	assert_int_equal(pid, 0);
	/* Once. */
	assert_int_equal(onetime_consume(f->db, &f->a, OT_VERIFY_EMAIL, t1, NOW + 20, &pid, &email), ERR_OK);
	assert_int_equal(pid, f->ann);
	assert_string_equal(email, "ann@example.org");
	assert_int_equal(onetime_consume(f->db, &f->a, OT_VERIFY_EMAIL, t1, NOW + 21, &pid, &email),
			 ERR_NOT_FOUND);
	assert_int_equal(onetime_peek(f->db, OT_VERIFY_EMAIL, t1, NOW + 21), ERR_NOT_FOUND);

	/* Expiry, exactly at the end. */
	assert_int_equal(onetime_create(f->db, OT_RESET_PASSWORD, f->ann, "ignored@example.org", NOW, 600, t2),
			 ERR_OK);
	assert_int_equal(onetime_peek(f->db, OT_RESET_PASSWORD, t2, NOW + 599), ERR_OK);
	assert_int_equal(onetime_consume(f->db, &f->a, OT_RESET_PASSWORD, t2, NOW + 600, &pid, &email),
			 ERR_NOT_FOUND);

	/* A new one for the same person and purpose cancels the old. */
	assert_int_equal(onetime_create(f->db, OT_RESET_PASSWORD, f->ann, NULL, NOW + 700, 600, t3), ERR_OK);
	assert_string_not_equal(t2, t3);
	assert_int_equal(onetime_peek(f->db, OT_RESET_PASSWORD, t2, NOW + 701), ERR_NOT_FOUND);
	assert_int_equal(onetime_consume(f->db, &f->a, OT_RESET_PASSWORD, t3, NOW + 701, &pid, &email), ERR_OK);
	assert_null(email);                      /* only email verification keeps an address */

	/* Malformed tokens are refused before any query. */
	assert_int_equal(onetime_peek(f->db, OT_SET_PASSWORD, "nothex", NOW), ERR_NOT_FOUND);
	assert_int_equal(onetime_peek(f->db, OT__MAX, t3, NOW), ERR_NOT_FOUND);
	assert_int_equal(onetime_create(f->db, OT__MAX, f->ann, NULL, NOW, 600, t3), ERR_INVALID);

	/* Cleanup: used and expired go, live ones stay. */
	assert_int_equal(onetime_create(f->db, OT_SET_PASSWORD, f->bob, NULL, NOW, 86400, t1), ERR_OK);
	assert_int_equal(onetime_expire(f->db, NOW + 1000), ERR_OK);
	assert_int_equal(count(f, &q_onetime), 1);
	assert_int_equal(onetime_peek(f->db, OT_SET_PASSWORD, t1, NOW + 1000), ERR_OK);
}

/* ---------------------------------------------------------------- attempts */

static void attempt_limits(void **state)
{
	struct fx *f = *state;
	char k1[ATTEMPT_KEY_MAX], k2[ATTEMPT_KEY_MAX], k3[ATTEMPT_KEY_MAX], longp[200];
	int retry = -1;

	attempts_key(k1, ATTEMPT_LOGIN_ACCOUNT, "ann@example.org");
	attempts_key(k2, ATTEMPT_LOGIN_ACCOUNT, "bob@example.org");
	attempts_key(k3, "login:ip", "ann@example.org");
	assert_int_equal(strncmp(k1, "login:acct:", 11), 0);
	assert_int_equal(strlen(k1), 11 + 32);
	assert_null(strstr(k1, "ann"));
	assert_string_not_equal(k1, k2);
	assert_string_not_equal(k1, k3);
	memset(longp, 'p', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	attempts_key(k3, longp, "x");
	assert_int_equal(strlen(k3), ATTEMPT_KEY_MAX - 1);

	/* 3 in 900 s: the fourth is refused until the first leaves. */
	assert_int_equal(attempts_check(f->db, k1, 900, 3, NOW, &retry), ERR_OK);
	assert_int_equal(attempts_add(f->db, k1, NOW), ERR_OK);
	assert_int_equal(attempts_add(f->db, k1, NOW + 100), ERR_OK);
	assert_int_equal(attempts_check(f->db, k1, 900, 3, NOW + 150, &retry), ERR_OK);
	assert_int_equal(attempts_add(f->db, k1, NOW + 200), ERR_OK);
	assert_int_equal(attempts_check(f->db, k1, 900, 3, NOW + 300, &retry), ERR_RATE_LIMITED);
	assert_int_equal(retry, 600);                                      /* NOW + 900 - (NOW + 300) */
	assert_int_equal(attempts_check(f->db, k2, 900, 3, NOW + 300, &retry), ERR_OK);   /* another key */
	assert_int_equal(attempts_check(f->db, k1, 900, 3, NOW + 899, &retry), ERR_RATE_LIMITED);
	assert_int_equal(retry, 1);
	assert_int_equal(attempts_check(f->db, k1, 900, 3, NOW + 900, &retry), ERR_OK);
	/* Over the limit (concurrent adds): wait until enough have left. */
	assert_int_equal(attempts_add(f->db, k1, NOW + 300), ERR_OK);
	assert_int_equal(attempts_check(f->db, k1, 900, 3, NOW + 400, &retry), ERR_RATE_LIMITED);
	assert_int_equal(retry, 600);                                      /* NOW+100 leaves at NOW+1000 */
	assert_int_equal(attempts_check(f->db, k1, 900, 0, NOW + 400, &retry), ERR_OK);    /* no limit */

	assert_int_equal(attempts_clear(f->db, k1), ERR_OK);
	assert_int_equal(attempts_check(f->db, k1, 900, 1, NOW + 400, &retry), ERR_OK);
	assert_int_equal(attempts_add(f->db, k1, NOW), ERR_OK);
	assert_int_equal(attempts_add(f->db, k2, NOW + 5000), ERR_OK);
	assert_int_equal(attempts_expire(f->db, NOW + 1), ERR_OK);
	assert_int_equal(count(f, &q_attempts), 1);
}

/* attempts_take: every limit checked before any is counted; counted in a
 * transaction of its own, so the caller's rollback leaves it standing. */
static void attempts_taken(void **state)
{
	struct fx *f = *state;
	char ka[ATTEMPT_KEY_MAX], kb[ATTEMPT_KEY_MAX];
	const struct attempt_limit both[] = { { ka, 2 }, { kb, 5 } }, only_a[] = { { ka, 2 }, { NULL, 1 } };
	int retry = -1;

	attempts_key(ka, "take:ip", "192.0.2.1");
	attempts_key(kb, "take:acct", "7");
	assert_int_equal(attempts_take(f->db, both, 2, 3600, NOW, &retry), ERR_OK);
	/* The caller's own work fails and rolls back: the attempt stays. */
	assert_int_equal(db_begin(f->db), ERR_OK);
	assert_int_equal(db_rollback(f->db), ERR_OK);
	assert_int_equal(count(f, &q_attempts), 2);
	/* A NULL key is skipped: only ka counts. */
	assert_int_equal(attempts_take(f->db, only_a, 2, 3600, NOW + 1, &retry), ERR_OK);
	assert_int_equal(count(f, &q_attempts), 3);
	/* ka is at its 2: refused, and kb is not counted either. */
	assert_int_equal(attempts_take(f->db, both, 2, 3600, NOW + 2, &retry), ERR_RATE_LIMITED);
	assert_int_equal(retry, 3598);
	assert_int_equal(count(f, &q_attempts), 3);
	/* Once the window has passed, both count again. */
	assert_int_equal(attempts_take(f->db, both, 2, 3600, NOW + 3601, &retry), ERR_OK);
	assert_int_equal(count(f, &q_attempts), 5);
}

int main(void)
{
	int failed = 0;
	const struct CMUnitTest shapes[] = { cmocka_unit_test(token_shapes) };
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(session_lifecycle),
		T(api_sessions_ignore_idle),
		T(inactive_people_have_no_sessions),
		T(revoking),
		T(export_has_no_secrets),
		T(api_tokens),
		T(api_tokens_expire_and_go_with_the_password),
		T(onetime_links),
		T(attempt_limits),
		T(attempts_taken),
	};
#undef T

	failed += cmocka_run_group_tests_name("token shapes", shapes, NULL, NULL);
	failed += testdb_run_groups("session", tests, ARRAY_LEN(tests));
	return failed ? 1 : 0;
}
