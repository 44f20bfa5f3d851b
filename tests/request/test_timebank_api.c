/*
 * test_timebank_api.c - /api/v1/timebank (timebank_api.c): one's own
 * account opened once; a transfer answered 201 with its Location, and
 * the same idempotency key again the same transfer (Idempotent-Replayed),
 * never a second; both sides see it and their movements, nobody else
 * does; a coordinator gives from the pot and, "on behalf of", from a
 * member's account (audited); an organiser from their organisation's.
 * Every refusal in words: a member moving someone else's hours or the
 * pot's, an organiser another organisation's, an unconfirmed email, an
 * account that does not exist, beyond the floor (409), a key used for
 * another transfer (409), bodies that are not what the endpoint takes,
 * and a visitor. SQLite and, with KITH_TEST_PG_URL, PostgreSQL.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "auth/policy.h"
#include "core/timeutil.h"
#include "store/store.h"
#include "support/apitest.h"
#include "support/cast.h"
#include "support/reqtest.h"
#include "support/testdb.h"
#include "timebank/ledger.h"

/* 15 January 2026, 10:00 UTC. */
#define T0 INT64_C(1768471200)
#define MEMBER ROLE_BIT(ROLE_MEMBER)

static const struct sql q_audit = { "tta.audit",
	"SELECT count(*) FROM audit WHERE action = $1 AND actor_id = $2 AND subject_id = $3", NULL };
static const struct sql q_transfers = { "tta.transfers", "SELECT count(*) FROM timebank_transfer", NULL };

struct fx {
	struct rt *t;                  /* first, for rt_fixture() */
	RT_CAST_MEMBERS;               /* olu (organiser A), bea (organiser B), lin, cora (coordinator), mo */
	int64_t a_mo, a_lin, a_org_a, a_org_b, a_pot;
	int64_t una;                   /* a member who has not confirmed their email */
	char tuna[TOKEN_LEN + 1];
};

/* The caller's own account's id, through the API. */
static int64_t my_account(struct fx *x, const char *token)
{
	struct rt_json r;
	int64_t id;

	rt_api_want(x->t, "GET", "/api/v1/timebank/account", NULL, token, 200, &r);
	id = rt_jint(r.j, "id");
	rt_json_free(&r);
	return id;
}

static int setup(void **state)
{
	struct fx *x;
	struct db *db;

	time_set_fake(T0);
	if (!(x = rt_fixture(state, sizeof(*x), NULL)))
		return -1;
	rt_cast(x->t, &x->cast, RT_CAST_OLU | RT_CAST_BEA | RT_CAST_LIN | RT_CAST_CORA | RT_CAST_MO | RT_CAST_TOKENS);
	x->una = rt_person_unverified(x->t, "Una Unconfirmed", "una@example.org", NULL, MEMBER, NULL);
	rt_bearer(x->t, x->una, RT_API_TOKEN, x->tuna);
	x->a_mo = my_account(x, x->tmem);
	x->a_lin = my_account(x, x->tlw);
	db = rt_db(x->t);
	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(tb_account_of_organisation(db, RT_ORG_A, T0, &x->a_org_a), ERR_OK);
	assert_int_equal(tb_account_of_organisation(db, RT_ORG_B, T0, &x->a_org_b), ERR_OK);
	assert_int_equal(tb_account_pot(db, T0, &x->a_pot), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	return 0;
}

static int teardown(void **state)
{
	return rt_fixture_free(state);
}

static const char *body(int64_t from, int64_t to, int64_t minutes, const char *extra)
{
	return rt_at("{\"from\": %lld, \"to\": %lld, \"minutes\": %lld%s%s}", (long long)from, (long long)to,
		     (long long)minutes, extra ? ", " : "", extra ? extra : "");
}

/* ---------------------------------------------------------------- tests */

static void own_account_opened_once(void **state)
{
	struct fx *x = *state;
	struct rt_json r;

	assert_true(x->a_mo > 0);
	assert_int_equal(my_account(x, x->tmem), x->a_mo);
	rt_api_want(x->t, "GET", "/api/v1/timebank/account", NULL, x->tmem, 200, &r);
	assert_string_equal(rt_jstr(r.j, "kind"), "person");
	assert_int_equal(rt_jint(r.j, "person_id"), x->mo);
	assert_int_equal(rt_jint(r.j, "balance_minutes"), 0);
	assert_string_equal(rt_jstr(r.j, "balance"), "no time");
	assert_int_equal(rt_jint(r.j, "lowest_minutes"), -600);
	assert_int_equal(rt_jint(r.j, "can_give_minutes"), 600);
	assert_int_equal(json_array_size(json_object_get(r.j, "movements")), 0);
	rt_json_free(&r);
	rt_api_refused(x->t, "GET", "/api/v1/timebank/account", NULL, NULL, 401, NULL, NULL);
	rt_api_refused(x->t, "GET", "/api/v1/timebank/account?page=2", NULL, x->tmem, 400, "page", NULL);
}

static void transfer_and_its_repeat(void **state)
{
	struct fx *x = *state;
	struct rt_json r, again;
	int64_t id;
	const char *b = body(x->a_mo, x->a_lin, 90, "\"note\": \"Lift to the Tuesday walk\", "
			     "\"idempotency_key\": \"lift-2026-01-15\"");

	rt_api_want(x->t, "POST", "/api/v1/timebank/transfers", b, x->tmem, 201, &r);
	id = rt_jint(r.j, "id");
	assert_true(id > 0);
	assert_int_equal(rt_jint(r.j, "from"), x->a_mo);
	assert_int_equal(rt_jint(r.j, "to"), x->a_lin);
	assert_int_equal(rt_jint(r.j, "minutes"), 90);
	assert_string_equal(rt_jstr(r.j, "kind"), "transfer");
	assert_string_equal(rt_jstr(r.j, "note"), "Lift to the Tuesday walk");
	assert_false(json_is_true(json_object_get(r.j, "on_behalf")));
	assert_string_equal(rt_header(&r.r, "Location"), rt_at("/api/v1/timebank/transfers/%lld", (long long)id));
	assert_null(rt_header(&r.r, "Idempotent-Replayed"));
	/* Sent again (a lost answer): the first, not a second. */
	rt_api_want(x->t, "POST", "/api/v1/timebank/transfers", b, x->tmem, 201, &again);
	assert_int_equal(rt_jint(again.j, "id"), id);
	assert_string_equal(rt_header(&again.r, "Idempotent-Replayed"), "true");
	assert_int_equal(rt_count(x->t, &q_transfers, DB_NOARGS), 1);
	assert_int_equal(rt_count(x->t, &q_audit, DB_ARGS(DB_TEXT("timebank.transfer"), DB_INT(x->mo), DB_INT(x->mo))), 1);
	rt_json_free(&again);
	rt_json_free(&r);
	/* Both sides see it, and their movements; nobody else. */
	const char *path = rt_at("/api/v1/timebank/transfers/%lld", (long long)id);
	rt_api_want(x->t, "GET", path, NULL, x->tlw, 200, &r);
	assert_int_equal(rt_jint(r.j, "minutes"), 90);
	rt_json_free(&r);
	rt_api_want(x->t, "GET", path, NULL, x->tcoord, 200, &r);
	rt_json_free(&r);
	rt_api_refused(x->t, "GET", path, NULL, x->torga, 404, "no transfer", NULL);
	rt_api_refused(x->t, "GET", rt_at("/api/v1/timebank/transfers/%lld", (long long)id + 99), NULL, x->tmem, 404,
		       "no transfer", NULL);
	rt_api_want(x->t, "GET", rt_at("/api/v1/timebank/accounts/%lld", (long long)x->a_lin), NULL, x->tlw, 200, &r);
	assert_int_equal(rt_jint(r.j, "balance_minutes"), 90);
	assert_string_equal(rt_jstr(r.j, "balance"), "1 hour 30 minutes");
	json_t *m = json_array_get(json_object_get(r.j, "movements"), 0);
	assert_int_equal(rt_jint(m, "transfer_id"), id);
	assert_int_equal(rt_jint(m, "minutes"), 90);
	assert_int_equal(rt_jint(m, "with_account"), x->a_mo);
	rt_json_free(&r);
	rt_api_want(x->t, "GET", rt_at("/api/v1/timebank/accounts/%lld", (long long)x->a_mo), NULL, x->tmem, 200, &r);
	assert_int_equal(rt_jint(r.j, "balance_minutes"), -90);
	assert_int_equal(rt_jint(json_array_get(json_object_get(r.j, "movements"), 0), "minutes"), -90);
	rt_json_free(&r);
	rt_api_refused(x->t, "GET", rt_at("/api/v1/timebank/accounts/%lld", (long long)x->a_mo), NULL, x->tlw, 404,
		       "no timebank account", NULL);
	rt_api_refused(x->t, "GET", rt_at("/api/v1/timebank/accounts/%lld", (long long)x->a_pot), NULL, x->tmem, 404,
		       "no timebank account", NULL);
	rt_api_want(x->t, "GET", rt_at("/api/v1/timebank/accounts/%lld", (long long)x->a_mo), NULL, x->tcoord, 200, &r);
	rt_json_free(&r);
}

static void brokers_and_organisations(void **state)
{
	struct fx *x = *state;
	struct rt_json r;

	/* The pot pays for help to someone who cannot: a coordinator's. */
	rt_api_want(x->t, "POST", "/api/v1/timebank/transfers", body(x->a_pot, x->a_lin, 60, NULL), x->tcoord, 201, &r);
	assert_false(json_is_true(json_object_get(r.j, "on_behalf")));
	rt_json_free(&r);
	/* A broker records for a member without the internet. */
	rt_api_want(x->t, "POST", "/api/v1/timebank/transfers", body(x->a_mo, x->a_lin, 30, NULL), x->tcoord, 201, &r);
	assert_true(json_is_true(json_object_get(r.j, "on_behalf")));
	rt_json_free(&r);
	assert_int_equal(rt_count(x->t, &q_audit, DB_ARGS(DB_TEXT("timebank.transfer_on_behalf"), DB_INT(x->cora),
		DB_INT(x->mo))), 1);
	/* An organiser gives from their organisation's account, not another's. */
	rt_api_want(x->t, "POST", "/api/v1/timebank/transfers", body(x->a_org_a, x->a_mo, 120, NULL), x->torga, 201, &r);
	rt_json_free(&r);
	rt_api_refused(x->t, "POST", "/api/v1/timebank/transfers", body(x->a_org_b, x->a_mo, 10, NULL), x->torga, 403,
		       "your own account", NULL);
	rt_api_want(x->t, "GET", rt_at("/api/v1/timebank/accounts/%lld", (long long)x->a_org_a), NULL, x->torga, 200, &r);
	assert_int_equal(rt_jint(r.j, "balance_minutes"), -120);
	assert_string_equal(rt_jstr(r.j, "organisation_id"), RT_ORG_A);
	rt_json_free(&r);
	rt_api_refused(x->t, "GET", rt_at("/api/v1/timebank/accounts/%lld", (long long)x->a_org_b), NULL, x->torga, 404,
		       NULL, NULL);
}

static void refusals_in_words(void **state)
{
	struct fx *x = *state;
	struct rt_json r;
	const char *tr = "/api/v1/timebank/transfers";

	/* Someone else's hours, the pot's, without a confirmed email, as a visitor. */
	rt_api_refused(x->t, "POST", tr, body(x->a_lin, x->a_mo, 60, NULL), x->tmem, 403, "your own account", NULL);
	rt_api_refused(x->t, "POST", tr, body(x->a_pot, x->a_mo, 60, NULL), x->tmem, 403, "solidarity pot", NULL);
	int64_t a_una = my_account(x, x->tuna);
	rt_api_refused(x->t, "POST", tr, body(a_una, x->a_mo, 60, NULL), x->tuna, 403, "Confirm your email", NULL);
	rt_api_refused(x->t, "POST", tr, body(x->a_mo, x->a_lin, 60, NULL), NULL, 401, NULL, NULL);
	/* Accounts that do not exist. */
	rt_api_refused(x->t, "POST", tr, body(x->a_mo, 99999, 60, NULL), x->tmem, 422, "no timebank account", "to");
	rt_api_refused(x->t, "POST", tr, body(99999, x->a_mo, 60, NULL), x->tcoord, 422, "no timebank account", "from");
	rt_api_refused(x->t, "POST", tr, body(x->a_mo, x->a_mo, 60, NULL), x->tmem, 422, "different account", "to");
	/* Beyond the floor: 409 with what it can give. */
	rt_api_refused(x->t, "POST", tr, body(x->a_mo, x->a_lin, 601, NULL), x->tmem, 409,
		       "the lowest it can go is minus 10 hours. It has no time now, so it can give 10 hours at most",
		       "minutes");
	/* A key used for another transfer. */
	rt_api_want(x->t, "POST", tr, body(x->a_mo, x->a_lin, 15, "\"idempotency_key\": \"k1\""), x->tmem, 201, &r);
	rt_json_free(&r);
	rt_api_refused(x->t, "POST", tr, body(x->a_mo, x->a_lin, 16, "\"idempotency_key\": \"k1\""), x->tmem, 409,
		       "different transfer", "idempotency_key");
	/* Bodies. */
	rt_api_refused(x->t, "POST", tr, "[1, 2]", x->tmem, 400, "JSON object", NULL);
	rt_api_refused(x->t, "POST", tr, rt_at("{\"from\": %lld, \"to\": %lld}", (long long)x->a_mo, (long long)x->a_lin),
		       x->tmem, 422, "Give minutes", "minutes");
	rt_api_refused(x->t, "POST", tr, rt_at("{\"from\": %lld, \"to\": %lld, \"minutes\": \"60\"}", (long long)x->a_mo,
		       (long long)x->a_lin), x->tmem, 422, "whole number", "minutes");
	rt_api_refused(x->t, "POST", tr, body(x->a_mo, x->a_lin, 60, "\"hours\": 1"), x->tmem, 422, "does not take hours",
		       "hours");
	rt_api_refused(x->t, "POST", tr, body(x->a_mo, x->a_lin, 60, "\"idempotency_key\": \"has space\""), x->tmem,
		       422, "idempotency_key", "idempotency_key");
	rt_api_refused(x->t, "POST", tr, body(x->a_mo, x->a_lin, 60000 + 1, NULL), x->tmem, 422, "60000", "minutes");
	assert_int_equal(rt_count(x->t, &q_transfers, DB_NOARGS), 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(own_account_opened_once),
		T(transfer_and_its_repeat),
		T(brokers_and_organisations),
		T(refusals_in_words),
	};
#undef T

	return testdb_run_groups("timebank_api", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
