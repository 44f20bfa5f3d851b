/*
 * test_timebank_ledger.c - the timebank's ledger (timebank/ledger.h) on a
 * real database: accounts made once, a transfer's two movements and
 * balances, the floor (refused with a sentence, nothing written), a
 * repeated idempotency key, reversals (once, with a reason, never of a
 * reversal), the database refusing to change or remove a transfer or a
 * movement, `tb_check` naming the first inconsistency after tampering, a
 * person's export and erasure, many transfers at once on their own
 * connections never taking an account below its floor, and a property
 * test: thousands of random transfers, repeats, refusals and reversals
 * against a model, the invariants checked all along.
 * SQLite and, with KITH_TEST_PG_URL, PostgreSQL.
 */
#include "core/common.h"

#include <pthread.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "store/store.h"
#include "support/cast.h"
#include "support/reqtest.h"
#include "support/testdb.h"
#include "timebank/ledger.h"

/* 15 January 2026, 10:00 UTC. */
#define T0 INT64_C(1768471200)
#define R(x) ROLE_BIT(ROLE_##x)

static const struct tb_limits LIM = { .person = 600, .organisation = 600, .pot = 3000 };

static const struct sql q_transfers = { "ttb.transfers", "SELECT count(*) FROM timebank_transfer", NULL };
static const struct sql q_movements = { "ttb.movements", "SELECT count(*) FROM timebank_movement", NULL };
static const struct sql q_notes = { "ttb.notes", "SELECT count(*) FROM timebank_note", NULL };
static const struct sql q_upd_transfer = { "ttb.upd_transfer",
	"UPDATE timebank_transfer SET minutes = 1 WHERE id = $1", NULL };
static const struct sql q_del_transfer = { "ttb.del_transfer", "DELETE FROM timebank_transfer WHERE id = $1", NULL };
static const struct sql q_upd_movement = { "ttb.upd_movement",
	"UPDATE timebank_movement SET minutes = 1 WHERE transfer_id = $1", NULL };
static const struct sql q_del_movement = { "ttb.del_movement",
	"DELETE FROM timebank_movement WHERE transfer_id = $1", NULL };
static const struct sql q_tamper_balance = { "ttb.tamper_balance",
	"UPDATE timebank_account SET balance = balance + 5 WHERE id = $1", NULL };
static const struct sql q_tamper_movement = { "ttb.tamper_movement",
	"INSERT INTO timebank_movement (transfer_id, account_id, minutes, created_at) VALUES ($1, $2, 5, 0)", NULL };

struct fx {
	struct rt *t;                  /* first, for rt_fixture() */
	RT_CAST_MEMBERS;               /* cora (coordinator), mo (member) */
	int64_t ann, ben;              /* two more members */
	int64_t a_ann, a_ben, a_mo, a_org, a_pot;
};

static int setup(void **state)
{
	struct fx *x;
	struct db *db;

	time_set_fake(T0);
	if (!(x = rt_fixture(state, sizeof(*x), NULL)))
		return -1;
	rt_cast(x->t, &x->cast, RT_CAST_CORA | RT_CAST_MO);
	x->ann = rt_person(x->t, "Ann Giver", "ann@example.org", NULL, R(MEMBER), NULL);
	x->ben = rt_person(x->t, "Ben Helped", "ben@example.org", NULL, R(MEMBER), NULL);
	db = rt_db(x->t);
	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(tb_account_of_person(db, x->ann, T0, &x->a_ann), ERR_OK);
	assert_int_equal(tb_account_of_person(db, x->ben, T0, &x->a_ben), ERR_OK);
	assert_int_equal(tb_account_of_person(db, x->mo, T0, &x->a_mo), ERR_OK);
	assert_int_equal(tb_account_of_organisation(db, RT_ORG_A, T0, &x->a_org), ERR_OK);
	assert_int_equal(tb_account_pot(db, T0, &x->a_pot), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	return 0;
}

static int teardown(void **state)
{
	return rt_fixture_free(state);
}

/* ---------------------------------------------------------------- helpers */

static int64_t balance(struct fx *x, int64_t account)
{
	struct tb_account a;

	assert_int_equal(tb_account_get(rt_db(x->t), &LIM, account, &a), ERR_OK);
	return a.balance;
}

static void whole(struct fx *x)
{
	struct tb_check_counts n;
	char why[512];
	enum err e = tb_check(rt_db(x->t), &n, why, sizeof(why));

	if (e != ERR_OK)
		fail_msg("the ledger is not whole: %s", why);
}

/* Commits when e is ERR_OK, else rolls back; errors' first detail into
 * why (may be NULL); errors freed. Returns e, or the commit's error. */
static enum err ended(struct db *db, enum err e, json_t *errors, char *why, size_t len)
{
	if (e == ERR_OK)
		e = db_commit(db);
	else
		db_rollback(db);
	if (why && len)
		snprintf(why, len, "%s", json_array_size(errors) ?
			 json_string_value(json_object_get(json_array_get(errors, 0), "detail")) : "");
	json_decref(errors);
	return e;
}

/* A transfer in its own transaction, committed when it succeeds; errors'
 * first detail into why (may be NULL). */
static enum err move(struct fx *x, const struct tb_request *rq, struct tb_transfer *out, char *why, size_t len)
{
	struct db *db = rt_db(x->t);
	json_t *errors = json_array();
	enum err e = db_begin(db);

	if (e == ERR_OK)
		e = tb_transfer_make(db, &LIM, rq, T0, errors, out);
	return ended(db, e, errors, why, len);
}

static enum err give(struct fx *x, int64_t from, int64_t to, int64_t minutes, const char *key,
		struct tb_transfer *out)
{
	struct tb_request rq = { .from = from, .to = to, .minutes = minutes, .kind = TB_HELP, .key = key,
				 .recorded_by = x->cora, .note = "Shopping on Friday" };

	return move(x, &rq, out, NULL, 0);
}

static enum err reverse(struct fx *x, int64_t id, const char *reason, const char *key, struct tb_transfer *out,
		char *why, size_t len)
{
	struct db *db = rt_db(x->t);
	json_t *errors = json_array();
	enum err e = db_begin(db);

	if (e == ERR_OK)
		e = tb_reverse(db, id, reason, x->cora, key, T0, errors, out);
	return ended(db, e, errors, why, len);
}

/* ---------------------------------------------------------------- tests */

static void accounts_made_once(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	struct tb_account a;
	int64_t again;

	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(tb_account_of_person(db, x->ann, T0, &again), ERR_OK);
	assert_int_equal(again, x->a_ann);
	assert_int_equal(tb_account_of_organisation(db, RT_ORG_A, T0, &again), ERR_OK);
	assert_int_equal(again, x->a_org);
	assert_int_equal(tb_account_pot(db, T0, &again), ERR_OK);
	assert_int_equal(again, x->a_pot);
	assert_int_equal(db_commit(db), ERR_OK);
	assert_int_equal(tb_account_get(db, &LIM, x->a_ann, &a), ERR_OK);
	assert_int_equal(a.kind, TB_PERSON);
	assert_int_equal(a.person_id, x->ann);
	assert_int_equal(a.lowest, -600);
	assert_int_equal(tb_account_get(db, &LIM, x->a_pot, &a), ERR_OK);
	assert_int_equal(a.kind, TB_POT);
	assert_int_equal(a.lowest, -3000);
	assert_int_equal(tb_account_get(db, &LIM, x->a_org, &a), ERR_OK);
	assert_string_equal(a.organisation_id, RT_ORG_A);
	assert_int_equal(tb_account_get(db, &LIM, 999999, &a), ERR_NOT_FOUND);
	whole(x);
}

static void transfer_two_movements(void **state)
{
	struct fx *x = *state;
	struct tb_transfer t, got;
	char *note = NULL;

	assert_int_equal(give(x, x->a_ben, x->a_ann, 90, NULL, &t), ERR_OK);
	assert_true(t.id > 0);
	assert_int_equal(t.from, x->a_ben);
	assert_int_equal(t.to, x->a_ann);
	assert_int_equal(t.minutes, 90);
	assert_int_equal(t.kind, TB_HELP);
	assert_false(t.repeated);
	assert_int_equal(balance(x, x->a_ann), 90);
	assert_int_equal(balance(x, x->a_ben), -90);
	assert_int_equal(rt_count(x->t, &q_movements, DB_NOARGS), 2);
	assert_int_equal(tb_transfer_get(rt_db(x->t), t.id, &got), ERR_OK);
	assert_int_equal(got.minutes, 90);
	assert_int_equal(got.recorded_by, x->cora);
	assert_int_equal(tb_transfer_note(rt_db(x->t), t.id, &note), ERR_OK);
	assert_string_equal(note, "Shopping on Friday");
	free(note);
	assert_int_equal(tb_transfer_get(rt_db(x->t), t.id + 1000, &got), ERR_NOT_FOUND);
	whole(x);
}

static void bad_requests_say_what_to_fix(void **state)
{
	struct fx *x = *state;
	struct tb_transfer t;
	char why[300], long_note[TB_NOTE_MAX + 2];
	static const struct {
		int64_t minutes;
		bool same;
		const char *key, *words;
	} cases[] = {
		{ 0, false, NULL, "whole number of minutes" },
		{ -5, false, NULL, "whole number of minutes" },
		{ TB_MINUTES_MAX + 1, false, NULL, "at most 1,000 hours" },
		{ 30, true, NULL, "different account" },
		{ 30, false, "has space", "idempotency key" },
		{ 30, false, "", "idempotency key" },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct tb_request rq = { .from = x->a_ben, .to = cases[i].same ? x->a_ben : x->a_ann,
					 .minutes = cases[i].minutes, .kind = TB_HELP, .key = cases[i].key,
					 .recorded_by = x->cora };

		assert_int_equal(move(x, &rq, &t, why, sizeof(why)), ERR_INVALID);
		if (!strstr(why, cases[i].words))
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i, why, cases[i].words);
	}
	memset(long_note, 'a', sizeof(long_note) - 1);
	long_note[sizeof(long_note) - 1] = '\0';
	struct tb_request rq = { .from = x->a_ben, .to = x->a_ann, .minutes = 30, .kind = TB_HELP, .note = long_note,
				 .recorded_by = x->cora };
	assert_int_equal(move(x, &rq, &t, why, sizeof(why)), ERR_INVALID);
	rq.note = NULL;
	rq.to = 424242;
	assert_int_equal(move(x, &rq, &t, why, sizeof(why)), ERR_NOT_FOUND);
	rq.kind = TB_REVERSAL;
	rq.to = x->a_ann;
	assert_int_equal(move(x, &rq, &t, why, sizeof(why)), ERR_INVALID);
	assert_int_equal(rt_count(x->t, &q_transfers, DB_NOARGS), 0);
	whole(x);
}

static void floor_refused_in_words(void **state)
{
	struct fx *x = *state;
	struct tb_transfer t;
	char why[300];
	struct tb_request rq = { .from = x->a_ben, .to = x->a_ann, .minutes = 601, .kind = TB_HELP,
				 .recorded_by = x->cora };

	/* 10 hours below zero at most: 601 minutes is one too many. */
	assert_int_equal(move(x, &rq, &t, why, sizeof(why)), ERR_CONFLICT);
	assert_non_null(strstr(why, "minus 10 hours 1 minute"));
	assert_non_null(strstr(why, "the lowest it can go is minus 10 hours"));
	assert_non_null(strstr(why, "It has no time now, so it can give 10 hours at most"));
	assert_int_equal(rt_count(x->t, &q_transfers, DB_NOARGS), 0);
	assert_int_equal(balance(x, x->a_ben), 0);
	rq.minutes = 600;
	assert_int_equal(move(x, &rq, &t, why, sizeof(why)), ERR_OK);
	rq.minutes = 1;
	assert_int_equal(move(x, &rq, &t, why, sizeof(why)), ERR_CONFLICT);
	/* A floor of its own (a coordinator's choice), and back to the setting. */
	assert_int_equal(tb_account_set_floor(rt_db(x->t), x->a_ben, 660), ERR_OK);
	assert_int_equal(move(x, &rq, &t, why, sizeof(why)), ERR_OK);
	assert_int_equal(tb_account_set_floor(rt_db(x->t), x->a_ben, -1), ERR_OK);
	assert_int_equal(move(x, &rq, &t, why, sizeof(why)), ERR_CONFLICT);
	assert_non_null(strstr(why, "It has minus 10 hours 1 minute now, so it can give no time at most"));
	assert_int_equal(tb_account_set_floor(rt_db(x->t), 999999, 10), ERR_NOT_FOUND);
	/* The pot has its own. */
	rq.from = x->a_pot;
	rq.minutes = 3000;
	assert_int_equal(move(x, &rq, &t, why, sizeof(why)), ERR_OK);
	assert_int_equal(move(x, &rq, &t, why, sizeof(why)), ERR_CONFLICT);
	assert_int_equal(balance(x, x->a_pot), -3000);
	whole(x);
}

static void idempotency_key_repeats(void **state)
{
	struct fx *x = *state;
	struct tb_transfer first, again;
	char why[300];

	assert_int_equal(give(x, x->a_ben, x->a_ann, 60, "walk-2026-01-15", &first), ERR_OK);
	assert_false(first.repeated);
	assert_int_equal(give(x, x->a_ben, x->a_ann, 60, "walk-2026-01-15", &again), ERR_OK);
	assert_true(again.repeated);
	assert_int_equal(again.id, first.id);
	assert_int_equal(rt_count(x->t, &q_transfers, DB_NOARGS), 1);
	assert_int_equal(balance(x, x->a_ann), 60);
	/* The same key for another transfer is a mistake, said so. */
	struct tb_request rq = { .from = x->a_ben, .to = x->a_ann, .minutes = 45, .kind = TB_HELP,
				 .key = "walk-2026-01-15", .recorded_by = x->cora };
	assert_int_equal(move(x, &rq, &again, why, sizeof(why)), ERR_CONFLICT);
	assert_non_null(strstr(why, "used for a different transfer"));
	/* Keys are each caller's own. */
	rq.minutes = 60;
	rq.recorded_by = x->mo;
	assert_int_equal(move(x, &rq, &again, why, sizeof(why)), ERR_OK);
	assert_false(again.repeated);
	assert_int_equal(rt_count(x->t, &q_transfers, DB_NOARGS), 2);
	/* A repeat is the first even when the balance no longer allows it. */
	rq.minutes = 480;
	rq.key = "big";
	assert_int_equal(move(x, &rq, &again, why, sizeof(why)), ERR_OK);
	assert_int_equal(balance(x, x->a_ben), -600);
	assert_int_equal(move(x, &rq, &again, why, sizeof(why)), ERR_OK);
	assert_true(again.repeated);
	whole(x);
}

static void reversals(void **state)
{
	struct fx *x = *state;
	struct tb_transfer t, r, r2;
	char why[300];

	assert_int_equal(give(x, x->a_ben, x->a_ann, 120, NULL, &t), ERR_OK);
	assert_int_equal(reverse(x, t.id, "  ", NULL, &r, why, sizeof(why)), ERR_INVALID);
	assert_non_null(strstr(why, "Say why"));
	assert_int_equal(reverse(x, t.id, "Entered twice by mistake", "undo-1", &r, why, sizeof(why)), ERR_OK);
	assert_int_equal(r.kind, TB_REVERSAL);
	assert_int_equal(r.reverses, t.id);
	assert_int_equal(r.from, x->a_ann);
	assert_int_equal(r.to, x->a_ben);
	assert_int_equal(balance(x, x->a_ann), 0);
	assert_int_equal(balance(x, x->a_ben), 0);
	assert_int_equal(tb_transfer_get(rt_db(x->t), t.id, &t), ERR_OK);
	assert_int_equal(t.reversed_by, r.id);
	/* The same request again is the same reversal; another is refused. */
	assert_int_equal(reverse(x, t.id, "Entered twice by mistake", "undo-1", &r2, why, sizeof(why)), ERR_OK);
	assert_true(r2.repeated);
	assert_int_equal(r2.id, r.id);
	assert_int_equal(reverse(x, t.id, "Again", NULL, &r2, why, sizeof(why)), ERR_CONFLICT);
	assert_non_null(strstr(why, "already been reversed"));
	assert_int_equal(reverse(x, r.id, "Undo the undo", NULL, &r2, why, sizeof(why)), ERR_CONFLICT);
	assert_non_null(strstr(why, "itself a reversal"));
	assert_int_equal(reverse(x, 999999, "Nothing", NULL, &r2, why, sizeof(why)), ERR_NOT_FOUND);
	/* Undoing a mistake may go below the floor: what was spent since is spent. */
	assert_int_equal(give(x, x->a_ben, x->a_ann, 600, NULL, &t), ERR_OK);
	assert_int_equal(give(x, x->a_ann, x->a_mo, 600, NULL, &r2), ERR_OK);
	assert_int_equal(give(x, x->a_ann, x->a_mo, 600, NULL, &r2), ERR_OK);
	assert_int_equal(balance(x, x->a_ann), -600);
	assert_int_equal(reverse(x, t.id, "Ben was not helped that day", NULL, &r, why, sizeof(why)), ERR_OK);
	assert_int_equal(balance(x, x->a_ann), -1200);
	assert_int_equal(balance(x, x->a_ben), 0);
	whole(x);
}

static void append_only(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	struct tb_transfer t;
	const struct sql *const refused[] = { &q_upd_transfer, &q_del_transfer, &q_upd_movement, &q_del_movement };

	assert_int_equal(give(x, x->a_ben, x->a_ann, 30, NULL, &t), ERR_OK);
	for (size_t i = 0; i < ARRAY_LEN(refused); i++) {
		assert_int_equal(db_begin(db), ERR_OK);
		assert_int_not_equal(db_exec(db, refused[i], DB_ARGS(DB_INT(t.id)), NULL), ERR_OK);
		db_rollback(db);
	}
	assert_int_equal(rt_count(x->t, &q_transfers, DB_NOARGS), 1);
	assert_int_equal(rt_count(x->t, &q_movements, DB_NOARGS), 2);
	whole(x);
}

static void check_names_first_inconsistency(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	struct tb_transfer t;
	struct tb_check_counts n;
	char why[512];

	assert_int_equal(give(x, x->a_ben, x->a_ann, 30, NULL, &t), ERR_OK);
	assert_int_equal(tb_check(db, &n, why, sizeof(why)), ERR_OK);
	assert_int_equal(n.accounts, 5);
	assert_int_equal(n.transfers, 1);
	assert_int_equal(n.movements, 2);
	/* A balance changed by hand. */
	assert_int_equal(db_exec(db, &q_tamper_balance, DB_ARGS(DB_INT(x->a_mo)), NULL), ERR_OK);
	assert_int_equal(tb_check(db, &n, why, sizeof(why)), ERR_INVALID);
	char want[160];
	snprintf(want, sizeof(want), "account %lld has a balance of 5 minutes, but its movements sum to 0",
		 (long long)x->a_mo);
	assert_string_equal(why, want);
	/* A third movement on a transfer comes first. */
	assert_int_equal(db_exec(db, &q_tamper_movement, DB_ARGS(DB_INT(t.id), DB_INT(x->a_mo)), NULL), ERR_OK);
	assert_int_equal(tb_check(db, &n, why, sizeof(why)), ERR_INVALID);
	snprintf(want, sizeof(want), "transfer %lld (30 minutes from account %lld", (long long)t.id, (long long)x->a_ben);
	assert_memory_equal(why, want, strlen(want));
	assert_non_null(strstr(why, "has 3 movement(s) summing to 5"));
}

static void export_and_erase(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	struct tb_transfer t;
	json_t *out = json_object(), *tb, *list;

	assert_int_equal(give(x, x->a_ben, x->a_ann, 45, NULL, &t), ERR_OK);
	assert_int_equal(tb_export_person(db, x->ann, out), ERR_OK);
	tb = json_object_get(out, "timebank");
	assert_non_null(tb);
	assert_int_equal(json_integer_value(json_object_get(tb, "balance_minutes")), 45);
	list = json_object_get(tb, "transfers");
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "direction")), "received");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "note")), "Shopping on Friday");
	json_decref(out);
	/* Someone never in the timebank has nothing. */
	out = json_object();
	assert_int_equal(tb_export_person(db, x->cora, out), ERR_OK);
	assert_null(json_object_get(out, "timebank"));
	json_decref(out);
	/* Erasure takes the words; the hours stay, for the other side. */
	assert_int_equal(rt_count(x->t, &q_notes, DB_NOARGS), 1);
	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(tb_erase_person(db, x->ann), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	assert_int_equal(rt_count(x->t, &q_notes, DB_NOARGS), 0);
	assert_int_equal(balance(x, x->a_ben), -45);
	whole(x);
}

/* Many transfers at once from one account, each on its own connection
 * and in its own transaction: the floor holds. */
#define RUSH 8

struct rush {
	struct fx *x;
	int64_t from, to;
	enum err e;
};

static void *rush_one(void *arg)
{
	struct rush *r = arg;
	struct store *store = r->x->t->app.store;
	struct db *db = store_db(store);
	struct tb_request rq = { .from = r->from, .to = r->to, .minutes = 200, .kind = TB_TRANSFER,
				 .recorded_by = r->x->cora };
	struct tb_transfer t;
	json_t *errors = json_array();

	r->e = db ? db_begin(db) : ERR_UNAVAILABLE;
	if (r->e == ERR_OK) {
		r->e = tb_transfer_make(db, &LIM, &rq, T0, errors, &t);
		if (r->e == ERR_OK)
			r->e = db_commit(db);
		else
			db_rollback(db);
	}
	json_decref(errors);
	store_db_release(store);
	return NULL;
}

static void never_below_floor_at_once(void **state)
{
	struct fx *x = *state;
	struct rush r[RUSH];
	pthread_t th[RUSH];
	int ok = 0, refused = 0;

	for (int i = 0; i < RUSH; i++) {
		r[i] = (struct rush){ .x = x, .from = x->a_ben, .to = i % 2 ? x->a_ann : x->a_mo };
		assert_int_equal(pthread_create(&th[i], NULL, rush_one, &r[i]), 0);
	}
	for (int i = 0; i < RUSH; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < RUSH; i++) {
		ok += r[i].e == ERR_OK;
		refused += r[i].e == ERR_CONFLICT;
	}
	/* 600 minutes below zero at most: three of 200. */
	assert_int_equal(ok, 3);
	assert_int_equal(refused, RUSH - 3);
	assert_int_equal(balance(x, x->a_ben), -600);
	whole(x);
}

/* ---------------------------------------------------------------- the property test */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

#define STEPS 1500
#define NACC 5

/* A transfer the property test made: between acc[fi] and acc[ti]; step:
 * its key was "s<step>" (-1: a reversal, which has none). */
struct made {
	int64_t id, minutes;
	int fi, ti, step;
	bool reversed, reversal;
};

/* Random transfers between the five accounts (some with keys used
 * before, some beyond the floor) and reversals of random earlier ones,
 * each checked against a model of the balances; the ledger is checked
 * whole every 100 steps and at the end. */
static void random_transfers_keep_invariants(void **state)
{
	struct fx *x = *state;
	int64_t acc[NACC] = { x->a_ann, x->a_ben, x->a_mo, x->a_org, x->a_pot };
	int64_t lowest[NACC] = { -600, -600, -600, -600, -3000 };
	int64_t model[NACC] = { 0 };
	struct made *made = calloc(STEPS, sizeof(*made));
	size_t nmade = 0;
	int repeats = 0, refusals = 0, reversals_n = 0;
	const char *seed_env = getenv("KITH_TEST_SEED");
	uint64_t seed = seed_env ? strtoull(seed_env, NULL, 10) : UINT64_C(20261208);

	assert_non_null(made);
	rng_state = seed ? seed : 1;
	printf("  %s: seed %llu (KITH_TEST_SEED)\n", rt_backend(x->t), (unsigned long long)seed);
	for (int step = 0; step < STEPS; step++) {
		struct tb_transfer t;
		char why[300];
		enum err e;

		if (nmade && rnd() % 6 == 0) {
			size_t k = rnd() % nmade;
			bool expect_ok = !made[k].reversed && !made[k].reversal;

			e = reverse(x, made[k].id, "Put right in the property test", NULL, &t, why, sizeof(why));
			assert_int_equal(e, expect_ok ? ERR_OK : ERR_CONFLICT);
			if (e == ERR_OK) {
				made[k].reversed = true;
				reversals_n++;
				model[made[k].fi] += made[k].minutes;
				model[made[k].ti] -= made[k].minutes;
				made[nmade++] = (struct made){ .id = t.id, .fi = made[k].ti, .ti = made[k].fi,
								 .minutes = made[k].minutes, .reversal = true, .step = -1 };
			}
		} else if (nmade && rnd() % 8 == 0) {
			/* A repeat of an earlier request, by its key: the same transfer, nothing moved,
			 * whatever happened since (even when it was reversed, or would not fit now). */
			size_t k = rnd() % nmade;
			char key[32];

			if (made[k].reversal)
				continue;
			snprintf(key, sizeof(key), "s%d", made[k].step);
			struct tb_request rq = { .from = acc[made[k].fi], .to = acc[made[k].ti], .minutes = made[k].minutes,
						 .kind = TB_HELP, .key = key, .recorded_by = x->cora };
			assert_int_equal(move(x, &rq, &t, why, sizeof(why)), ERR_OK);
			assert_true(t.repeated);
			assert_int_equal(t.id, made[k].id);
			repeats++;
		} else {
			int fi = (int)(rnd() % NACC), ti = (int)(rnd() % (NACC - 1));
			int64_t minutes = 1 + (int64_t)(rnd() % 400);
			char key[32];
			bool fits;

			ti += ti >= fi;
			fits = model[fi] - minutes >= lowest[fi];
			snprintf(key, sizeof(key), "s%d", step);
			struct tb_request rq = { .from = acc[fi], .to = acc[ti], .minutes = minutes,
						 .kind = rnd() % 2 ? TB_HELP : TB_TRANSFER, .key = key, .recorded_by = x->cora };
			e = move(x, &rq, &t, why, sizeof(why));
			assert_int_equal(e, fits ? ERR_OK : ERR_CONFLICT);
			if (e == ERR_OK) {
				assert_false(t.repeated);
				model[fi] -= minutes;
				model[ti] += minutes;
				made[nmade++] = (struct made){ .id = t.id, .fi = fi, .ti = ti, .minutes = minutes,
								 .step = step };
			} else {
				assert_non_null(strstr(why, "the lowest it can go is"));
				refusals++;
			}
		}
		for (int i = 0; i < NACC; i++)
			assert_int_equal(balance(x, acc[i]), model[i]);
		if (step % 100 == 99)
			whole(x);
	}
	int64_t sum = 0;
	for (int i = 0; i < NACC; i++)
		sum += model[i];
	assert_int_equal(sum, 0);
	whole(x);
	printf("  %s: %zu transfers made (%d of them reversals), %d refused at the floor, %d repeats; the ledger "
	       "whole\n", rt_backend(x->t), nmade, reversals_n, refusals, repeats);
	assert_true(reversals_n > 50 && refusals > 10 && repeats > 50);
	free(made);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(accounts_made_once),
		T(transfer_two_movements),
		T(bad_requests_say_what_to_fix),
		T(floor_refused_in_words),
		T(idempotency_key_repeats),
		T(reversals),
		T(append_only),
		T(check_names_first_inconsistency),
		T(export_and_erase),
		T(never_below_floor_at_once),
		T(random_transfers_keep_invariants),
	};
#undef T

	return testdb_run_groups("timebank_ledger", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
