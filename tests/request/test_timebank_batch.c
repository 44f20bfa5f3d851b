/*
 * test_timebank_batch.c - group commit for the timebank (timebank/batch.h):
 * a list made as one batch keeps each transfer's own outcome (made, at
 * the floor, a repeat of a key used earlier in the same batch, a bad
 * request); a failure part way makes each again on its own, so the
 * others are made; and sixteen threads on their own connections giving
 * at once are all made, in fewer commits than transfers when they
 * overlap, with the ledger whole. SQLite and, with KITH_TEST_PG_URL,
 * PostgreSQL.
 */
#include "core/common.h"

#include <pthread.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "store/store.h"
#include "support/cast.h"
#include "support/reqtest.h"
#include "support/testdb.h"
#include "timebank/batch.h"
#include "timebank/ledger.h"

/* 15 January 2026, 10:00 UTC. */
#define T0 INT64_C(1768471200)
#define R(x) ROLE_BIT(ROLE_##x)

static const struct tb_limits LIM = { .person = 600, .organisation = 600, .pot = 3000 };

static const struct sql q_transfers = { "ttbb.transfers", "SELECT count(*) FROM timebank_transfer", NULL };
static const struct sql q_audit = { "ttbb.audit",
	"SELECT count(*) FROM audit WHERE action = 'timebank.transfer'", NULL };

#define PEOPLE 4

struct fx {
	struct rt *t;                  /* first, for rt_fixture() */
	RT_CAST_MEMBERS;               /* cora (coordinator) */
	int64_t person[PEOPLE], acct[PEOPLE];
};

static int setup(void **state)
{
	struct fx *x;
	struct db *db;

	time_set_fake(T0);
	if (!(x = rt_fixture(state, sizeof(*x), NULL)))
		return -1;
	rt_cast(x->t, &x->cast, RT_CAST_CORA);
	for (int i = 0; i < PEOPLE; i++) {
		char email[40];

		snprintf(email, sizeof(email), "p%d@example.org", i);
		x->person[i] = rt_person(x->t, "Giver", email, NULL, R(MEMBER), NULL);
	}
	db = rt_db(x->t);
	assert_int_equal(db_begin(db), ERR_OK);
	for (int i = 0; i < PEOPLE; i++)
		assert_int_equal(tb_account_of_person(db, x->person[i], T0, &x->acct[i]), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	return 0;
}

static int teardown(void **state)
{
	return rt_fixture_free(state);
}

static void whole(struct fx *x)
{
	struct tb_check_counts n;
	char why[512];

	if (tb_check(rt_db(x->t), &n, why, sizeof(why)) != ERR_OK)
		fail_msg("the ledger is not whole: %s", why);
}

static struct tb_job job(struct fx *x, int from, int to, int64_t minutes, const char *key)
{
	return (struct tb_job){
		.rq = { .from = x->acct[from], .to = x->acct[to], .minutes = minutes, .kind = TB_HELP, .key = key,
			.recorded_by = x->cora },
		.now = T0, .errors = json_array(), .audit_action = "timebank.transfer", .audit_detail = "test",
	};
}

static void link_jobs(struct tb_job *j, size_t n)
{
	for (size_t i = 0; i < n; i++)
		j[i].next = i + 1 < n ? &j[i + 1] : NULL;
}

static void free_jobs(struct tb_job *j, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref(j[i].errors);
}

static void each_keeps_its_outcome(void **state)
{
	struct fx *x = *state;
	struct tb_job j[5] = {
		job(x, 0, 1, 60, NULL),
		job(x, 2, 1, 700, NULL),         /* beyond the floor */
		job(x, 3, 0, 30, "k-1"),
		job(x, 3, 0, 30, "k-1"),         /* the same request again, in the same batch */
		job(x, 1, 2, 0, NULL),           /* no time at all */
	};

	link_jobs(j, ARRAY_LEN(j));
	tb_batch_run(rt_db(x->t), &LIM, j);
	assert_int_equal(j[0].e, ERR_OK);
	assert_int_equal(j[1].e, ERR_CONFLICT);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(j[1].errors, 0), "detail")),
			       "the lowest it can go is minus 10 hours"));
	assert_int_equal(j[2].e, ERR_OK);
	assert_false(j[2].out.repeated);
	assert_int_equal(j[3].e, ERR_OK);
	assert_true(j[3].out.repeated);
	assert_int_equal(j[3].out.id, j[2].out.id);
	assert_int_equal(j[4].e, ERR_INVALID);
	assert_int_equal(rt_count(x->t, &q_transfers, DB_NOARGS), 2);
	assert_int_equal(rt_count(x->t, &q_audit, DB_NOARGS), 2);   /* a repeat is not audited again */
	whole(x);
	free_jobs(j, ARRAY_LEN(j));
}

static void a_failure_part_way_fails_only_its_own(void **state)
{
	struct fx *x = *state;
	struct tb_job j[3] = { job(x, 0, 1, 60, NULL), job(x, 1, 2, 45, NULL), job(x, 2, 3, 30, NULL) };

	j[1].audit_action = "Not An Action";   /* the audit refuses it: the transaction cannot go on */
	link_jobs(j, ARRAY_LEN(j));
	tb_batch_run(rt_db(x->t), &LIM, j);
	assert_int_equal(j[0].e, ERR_OK);
	assert_int_not_equal(j[1].e, ERR_OK);
	assert_int_equal(j[2].e, ERR_OK);
	assert_int_equal(rt_count(x->t, &q_transfers, DB_NOARGS), 2);
	whole(x);
	free_jobs(j, ARRAY_LEN(j));
}

#define THREADS 16
#define EACH 40

struct giver {
	struct fx *x;
	struct tb_batcher *b;
	int from, to, ok;
};

static void *give_many(void *arg)
{
	struct giver *g = arg;
	struct store *store = g->x->t->app.store;
	struct db *db = store_db(store);

	for (int i = 0; db && i < EACH; i++) {
		struct tb_job j = job(g->x, g->from, g->to, 1, NULL);

		g->ok += tb_batch_make(g->b, db, &LIM, &j) == ERR_OK && j.out.id > 0;
		json_decref(j.errors);
	}
	store_db_release(store);
	return NULL;
}

static void many_threads_at_once(void **state)
{
	struct fx *x = *state;
	struct tb_batcher *b = tb_batcher_new();
	struct giver g[THREADS];
	pthread_t th[THREADS];
	int64_t batches, jobs;
	int ok = 0;

	assert_non_null(b);
	for (int i = 0; i < THREADS; i++) {
		g[i] = (struct giver){ .x = x, .b = b, .from = i % PEOPLE, .to = (i + 1) % PEOPLE };
		assert_int_equal(pthread_create(&th[i], NULL, give_many, &g[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		ok += g[i].ok;
	}
	tb_batcher_counts(b, &batches, &jobs);
	printf("  %s: %lld transfers in %lld commits\n", rt_backend(x->t), (long long)jobs, (long long)batches);
	assert_int_equal(ok, THREADS * EACH);
	assert_int_equal(jobs, THREADS * EACH);
	assert_true(batches >= 1 && batches <= jobs);
	assert_int_equal(rt_count(x->t, &q_transfers, DB_NOARGS), THREADS * EACH);
	whole(x);
	tb_batcher_free(b);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(each_keeps_its_outcome),
		T(a_failure_part_way_fails_only_its_own),
		T(many_threads_at_once),
	};
#undef T

	return testdb_run_groups("timebank_batch", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
