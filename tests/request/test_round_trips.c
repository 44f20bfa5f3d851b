/*
 * test_round_trips.c - the pages people and the ORUK API read most make a
 * fixed number of database statements, whatever the number of items on
 * them: on PostgreSQL each statement is a round trip, so a page that
 * loaded each item separately cost a round trip per item (issue 10).
 *
 * On the demo town, on SQLite and (with KITH_TEST_PG_URL) PostgreSQL:
 * each of the five benchmarked pages, and each list at 1 item and at 20,
 * is counted with db_stmt_count() around the request; the counts must be
 * at most the limits below and equal for 1 and 20 items.
 */
#include "core/common.h"

#include <ctype.h>
#include <setjmp.h>
#include <cmocka.h>

#include "app/features.h"
#include "core/demo.h"
#include "directory/directory.h"
#include "store/store.h"
#include "support/reqtest.h"

/* Tuesday 24 November 2026, 09:00 UTC (GMT). */
#define NOW INT64_C(1795510800)

static const struct sql q_some_service = {
	"t.rt_service", "SELECT s.id FROM service s WHERE s.source = 'demo' AND s.state = 'published' "
	"AND (SELECT count(*) FROM service_at_location l WHERE l.service_id = s.id) > 0 "
	"ORDER BY (SELECT count(*) FROM service_at_location l WHERE l.service_id = s.id) DESC, s.id LIMIT 1",
	NULL };

static const struct sql q_unique_name = {
	"t.rt_unique", "SELECT name FROM service WHERE source = 'demo' AND state = 'published' "
	"GROUP BY name HAVING count(*) = 1 ORDER BY length(name) DESC, name LIMIT 1", NULL };

static void run_demo(struct rt *t)
{
	struct db *db = rt_db(t);
	FILE *out = fopen("/dev/null", "w");
	struct demo_opts o = { .now = NOW, .services = 0, .out = out };

	assert_non_null(out);
	assert_int_equal(db_begin(db), ERR_OK);
	for (size_t i = 0; i < features_n; i++) {
		if (features[i]->demo) {
			enum err e = features[i]->demo(db, &o);

			if (e)
				fail_msg("demo data for %s failed: %s", features[i]->name, err_title(e));
		}
	}
	assert_int_equal(db_commit(db), ERR_OK);
	fclose(out);
	/* Into the search index, as the sync job would. */
	assert_int_equal(directory_apply_changes(t->app.directory, db), ERR_OK);
}

static int setup(void **state)
{
	/* The ORUK answer cache and the page cache off: what is counted is
	 * what a page asks of the database when it must (a cached answer
	 * asks nothing). */
	static const char *const settings[] = { "rate_limit=0", "dev_mode=true", "oruk_cache_mb=0",
						 "page_cache_mb=0", NULL };
	int rc = rt_setup_with(state, settings);

	if (rc == 0)
		run_demo(*state);
	return rc;
}

/* Statements target makes; fails unless it answers 200. */
static uint64_t count(struct rt *t, const char *target)
{
	struct db *db = rt_db(t);
	struct rt_resp r;
	uint64_t before = db_stmt_count(db), n;

	rt_get(t, target, &r);
	n = db_stmt_count(db) - before;
	if (r.status != 200)
		fail_msg("%s answered %d", target, r.status);
	rt_resp_free(&r);
	printf("  %s %s: %llu statements\n", rt_backend(t), target, (unsigned long long)n);
	return n;
}

static void service_id(struct rt *t, char *id, size_t n)
{
	struct db_res *r;

	assert_int_equal(db_query_one(rt_db(t), &q_some_service, DB_NOARGS, &r), ERR_OK);
	snprintf(id, n, "%s", db_text(r, 0));
	db_res_free(r);
}

/* "/find?q=NAME" for a service whose name no other service has. */
static void service_name_query(struct rt *t, char *out, size_t n)
{
	struct db_res *r;
	size_t o;

	assert_int_equal(db_query_one(rt_db(t), &q_unique_name, DB_NOARGS, &r), ERR_OK);
	o = (size_t)snprintf(out, n, "/find?q=");
	for (const char *p = db_text(r, 0); *p && o + 4 < n; p++)
		o += (size_t)snprintf(out + o, n - o, isalnum((unsigned char)*p) ? "%c" : "%%%02X",
				      (unsigned char)*p);
	db_res_free(r);
}

static void pages_make_few_statements(void **state)
{
	struct rt *t = *state;
	/* SQLite sends BEGIN and COMMIT around a read that runs a statement
	 * (in process, no round trip); PostgreSQL runs plain SELECTs on
	 * their own (store.h, db_begin_read). */
	uint64_t tx = strcmp(rt_backend(t), "sqlite") == 0 ? 2 : 0;
	char id[64], target[256];

	service_id(t, id, sizeof(id));
	/* Twice each: the first may warm per-process caches (vocabulary,
	 * settings); the second is what every later visitor costs. */
	count(t, "/");
	assert_true(count(t, "/") == 0);
	snprintf(target, sizeof(target), "/services/%s", id);
	count(t, target);
	/* The service's status, then its page: directory_meta and
	 * directory_service_view each ask for the row, the second from the
	 * read transaction's memo (dir_db_service); and whether it is run as
	 * a group (group_load: one row by its key). */
	assert_true(count(t, target) <= 2 + tx);
	count(t, "/find?q=walking&postcode=DN15+6AA");
	/* The search index finds the results; their summaries are one
	 * statement. */
	assert_true(count(t, "/find?q=walking&postcode=DN15+6AA") <= 1 + tx);
	snprintf(target, sizeof(target), "/api/oruk/services/%s", id);
	count(t, target);
	assert_true(count(t, target) <= 1 + tx);
	count(t, "/api/oruk/services?search=walking&per_page=10");
	/* The page's list items, ready to send, in one statement. */
	assert_true(count(t, "/api/oruk/services?search=walking&per_page=10") <= 1 + tx);
}

/* A page of 1 item and a page of 20 make the same statements. */
static void count_independent_of_items(void **state)
{
	struct rt *t = *state;
	char target[512];
	uint64_t one, twenty;

	count(t, "/api/oruk/services?per_page=1");
	one = count(t, "/api/oruk/services?per_page=1");
	twenty = count(t, "/api/oruk/services?per_page=20");
	assert_int_equal(one, twenty);
	count(t, "/api/oruk/services?search=walking&per_page=1");
	one = count(t, "/api/oruk/services?search=walking&per_page=1");
	twenty = count(t, "/api/oruk/services?search=walking&per_page=20");
	assert_int_equal(one, twenty);
	/* The find page shows 20 a page: a search for one service by its
	 * name against a full page of the town's. */
	service_name_query(t, target, sizeof(target));
	count(t, target);
	one = count(t, target);
	twenty = count(t, "/find?postcode=DN15+6AA");
	assert_int_equal(one, twenty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(pages_make_few_statements, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(count_independent_of_items, setup, rt_teardown),
	};

	return testdb_run_groups("round trips", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
