/*
 * test_migrate.c - schema migrations on both backends: applying, running
 * again, dialect tokens, backend-specific files, pending counts, and the
 * refusals (changed checksum, newer database, unknown migration, bad file
 * names), a failed migration leaving nothing behind, and several
 * processes' worth of stores migrating one database at once.
 *
 * Like test_store.c, every test in backend_tests[] runs on SQLite (a new
 * file per test) and, when KITH_TEST_PG_URL is set, on PostgreSQL (a new
 * database kith_unit_<pid>_migrate for the run, dropped after, with a new
 * schema per test as its search_path).
 */
#include "core/common.h"

#include <pthread.h>
#include <setjmp.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "core/embedded.h"
#include "core/log.h"
#include "core/rand.h"
#include "store/store.h"
#include "store/store_int.h"
#include "support/testdb.h"

/* ---------------------------------------------------------------- fixture */

struct fx {
	struct store *s;
	struct db *db;
	enum db_backend backend;
	struct testdb t;     /* url, dir, path (SQLite) or schema (PostgreSQL) */
	char err[512];
};

static enum db_backend group_backend;

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[512];

	if (!f)
		return -1;
	f->backend = group_backend;
	if (!testdb_create(&f->t, f->backend == DB_POSTGRES ? "postgresql" : "sqlite")) {
		free(f);
		return -1;
	}
	if (store_open(f->t.url, NULL, &f->s, err, sizeof(err)) != ERR_OK) {
		print_error("store_open %s: %s\n", f->t.url, err);
		testdb_drop(&f->t);
		free(f);
		return -1;
	}
	f->db = store_db(f->s);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	log_set_quiet(0);
	store_close(f->s);
	testdb_drop(&f->t);
	free(f);
	return 0;
}

#define FILE_(name, text) { name, (const unsigned char *)(text), sizeof(text) - 1 }

static int64_t query_int(struct db *db, const struct sql *q, int64_t arg)
{
	int64_t v = -1;

	assert_int_equal(db_query_int(db, q, DB_ARGS(DB_INT(arg)), &v), ERR_OK);
	return v;
}

static const struct sql q_versions = { "t.versions",
	"SELECT count(*) FROM schema_migrations WHERE version <= $1", NULL };
static const struct sql q_max = { "t.max",
	"SELECT max(version) FROM schema_migrations WHERE version > $1", NULL };

/* Three ordinary migrations. */
static const struct embedded_file three[] = {
	FILE_("0001_one.sql", "CREATE TABLE one (id ID_PK, x BIGINT);"),
	FILE_("0002_two.sql", "CREATE TABLE two (id ID_PK);\nINSERT INTO two (id) VALUES (7);"),
	FILE_("0010_ten.sql", "CREATE TABLE ten (id ID_PK, b BYTES)"),
};

/* ---------------------------------------------------------------- tests */

static void test_embedded(void **state)
{
	struct fx *f = *state;
	int pending = -1, applied = -1, again = -1;

	assert_int_equal(store_migrations_pending(f->s, &pending, f->err, sizeof(f->err)), ERR_OK);
	assert_true(pending > 0);
	assert_true((size_t)pending <= embedded_migrations_n);
	assert_int_equal(store_migrate(f->s, &applied, f->err, sizeof(f->err)), ERR_OK);
	assert_int_equal(applied, pending);
	assert_int_equal(query_int(f->db, &q_versions, INT64_MAX), applied);
	assert_int_equal(store_migrations_pending(f->s, &pending, f->err, sizeof(f->err)), ERR_OK);
	assert_int_equal(pending, 0);
	assert_int_equal(store_migrate(f->s, &again, f->err, sizeof(f->err)), ERR_OK);
	assert_int_equal(again, 0);
}

static void test_apply_and_pending(void **state)
{
	struct fx *f = *state;
	static const struct sql q_two = { "t.two", "SELECT id FROM two WHERE id = $1", NULL };
	int n = -1;

	/* A new database: everything is pending, nothing is created. */
	assert_int_equal(store_migrations_pending_files(f->s, three, 3, &n, f->err, sizeof(f->err)), ERR_OK);
	assert_int_equal(n, 3);
	assert_int_equal(store_migrate_files(f->s, three, 2, &n, f->err, sizeof(f->err)), ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(query_int(f->db, &q_two, 7), 7);
	assert_int_equal(store_migrations_pending_files(f->s, three, 3, &n, f->err, sizeof(f->err)), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_migrate_files(f->s, three, 3, &n, f->err, sizeof(f->err)), ERR_OK);
	assert_int_equal(n, 1);
	/* Idempotent. */
	assert_int_equal(store_migrate_files(f->s, three, 3, &n, f->err, sizeof(f->err)), ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_migrations_pending_files(f->s, three, 3, &n, f->err, sizeof(f->err)), ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(query_int(f->db, &q_versions, INT64_MAX), 3);
	assert_int_equal(query_int(f->db, &q_max, 0), 10);
	/* Order of the list does not matter. */
	const struct embedded_file shuffled[] = { three[2], three[0], three[1] };
	assert_int_equal(store_migrate_files(f->s, shuffled, 3, &n, f->err, sizeof(f->err)), ERR_OK);
	assert_int_equal(n, 0);
}

static void test_record(void **state)
{
	struct fx *f = *state;
	static const struct sql q_row = { "t.row",
		"SELECT name, checksum, applied_at FROM schema_migrations WHERE version = $1", NULL };
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[sizeof(h) * 2 + 1];
	struct db_res *r;
	int n = -1;

	assert_int_equal(store_migrate_files(f->s, three, 1, &n, f->err, sizeof(f->err)), ERR_OK);
	assert_int_equal(sodium_init() >= 0, 1);
	crypto_hash_sha256(h, three[0].data, three[0].len);
	hex_encode(h, sizeof(h), hex);
	assert_int_equal(db_query(f->db, &q_row, DB_ARGS(DB_INT(1)), &r), ERR_OK);
	assert_int_equal(db_next(r), ERR_OK);
	assert_true(db_row(r));
	assert_string_equal(db_text(r, 0), "0001_one.sql");
	assert_string_equal(db_text(r, 1), hex);
	assert_true(db_int(r, 2) > 1600000000);
	db_res_free(r);
}

static void test_dialect_tokens(void **state)
{
	struct fx *f = *state;
	static const struct embedded_file files[] = {
		FILE_("0001_tokens.sql",
			"-- ID_PK and BYTES in a comment stay as they are\n"
			"CREATE TABLE tok (\n"
			"\tid ID_PK,\n"
			"\tdata BYTES NOT NULL,\n"
			"\tnote TEXT NOT NULL DEFAULT 'ID_PK BYTES',\n"
			"\tXBYTES BIGINT, BYTES_n BIGINT, \"BYTES\" TEXT /* BYTES */\n"
			");"),
	};
	static const struct sql q_ins = { "t.tok_ins",
		"INSERT INTO tok (data, XBYTES, BYTES_n) VALUES ($1, 1, 2)", NULL };
	static const struct sql q_get = { "t.tok_get",
		"SELECT id, data, note FROM tok ORDER BY id", NULL };
	static const unsigned char bytes[] = { 0, 1, 2, 0xfe, 0xff };
	struct db_res *r;
	const void *p;
	size_t len;
	int n;

	assert_int_equal(store_migrate_files(f->s, files, 1, &n, f->err, sizeof(f->err)), ERR_OK);
	assert_int_equal(n, 1);
	/* ID_PK numbers rows by itself; BYTES holds bytes. */
	assert_int_equal(db_exec(f->db, &q_ins, DB_ARGS(DB_BLOB(bytes, sizeof(bytes))), NULL), ERR_OK);
	assert_int_equal(db_exec(f->db, &q_ins, DB_ARGS(DB_BLOB(bytes, 2)), NULL), ERR_OK);
	assert_int_equal(db_query(f->db, &q_get, DB_NOARGS, &r), ERR_OK);
	assert_int_equal(db_next(r), ERR_OK);
	assert_int_equal(db_int(r, 0), 1);
	p = db_blob(r, 1, &len);
	assert_int_equal(len, sizeof(bytes));
	assert_memory_equal(p, bytes, sizeof(bytes));
	assert_string_equal(db_text(r, 2), "ID_PK BYTES");   /* literal untouched */
	assert_int_equal(db_next(r), ERR_OK);
	assert_int_equal(db_int(r, 0), 2);
	db_res_free(r);
}

static void test_dialect_text(void **state)
{
	static const char in[] = "a ID_PK, b BYTES, c 'BYTES', d XID_PK, -- BYTES\n"
		"e BYTES/* ID_PK */, f \"ID_PK\", g id_pk, h BYTES";
	char *s, *p;

	UNUSED(state);
	s = migrate_dialect(DB_SQLITE, in, sizeof(in) - 1);
	assert_string_equal(s, "a INTEGER PRIMARY KEY, b BLOB, c 'BYTES', d XID_PK, -- BYTES\n"
		"e BLOB/* ID_PK */, f \"ID_PK\", g id_pk, h BLOB");
	p = migrate_dialect(DB_POSTGRES, in, sizeof(in) - 1);
	assert_string_equal(p, "a BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, b BYTEA, "
		"c 'BYTES', d XID_PK, -- BYTES\n"
		"e BYTEA/* ID_PK */, f \"ID_PK\", g id_pk, h BYTEA");
	free(s);
	free(p);
	/* Unterminated quote and comment: copied through, no overrun. */
	s = migrate_dialect(DB_SQLITE, "x 'BYTES", 8);
	assert_string_equal(s, "x 'BYTES");
	free(s);
	s = migrate_dialect(DB_SQLITE, "BYTES /* x", 10);
	assert_string_equal(s, "BLOB /* x");
	free(s);
}

static void test_backend_files(void **state)
{
	struct fx *f = *state;
	static const struct embedded_file files[] = {
		FILE_("0001_base.sql", "CREATE TABLE base (id ID_PK);"),
		FILE_("0002_which.pg.sql", "CREATE TABLE which (v TEXT DEFAULT 'pg');"),
		FILE_("0002_which.sql", "CREATE TABLE which (v TEXT DEFAULT 'common');"),
		FILE_("0002_which.sqlite.sql", "CREATE TABLE which (v TEXT DEFAULT 'sqlite');"),
		FILE_("0003_half.pg.sql", "CREATE TABLE half (v TEXT DEFAULT 'pg');"),
		FILE_("0003_half.sql", "CREATE TABLE half (v TEXT DEFAULT 'common');"),
	};
	static const struct sql q_ins = { "t.which_ins",
		"INSERT INTO which DEFAULT VALUES", NULL };
	static const struct sql q_ins2 = { "t.half_ins", "INSERT INTO half DEFAULT VALUES", NULL };
	static const struct sql q_which = { "t.which", "SELECT v FROM which", NULL };
	static const struct sql q_half = { "t.half", "SELECT v FROM half", NULL };
	static const struct sql q_name = { "t.name",
		"SELECT name FROM schema_migrations WHERE version = $1", NULL };
	bool pg = f->backend == DB_POSTGRES;
	struct db_res *r;
	int n;

	assert_int_equal(store_migrate_files(f->s, files, ARRAY_LEN(files), &n,
		f->err, sizeof(f->err)), ERR_OK);
	assert_int_equal(n, 3);
	assert_int_equal(db_exec(f->db, &q_ins, DB_NOARGS, NULL), ERR_OK);
	assert_int_equal(db_exec(f->db, &q_ins2, DB_NOARGS, NULL), ERR_OK);
	assert_int_equal(db_query(f->db, &q_which, DB_NOARGS, &r), ERR_OK);
	assert_int_equal(db_next(r), ERR_OK);
	assert_string_equal(db_text(r, 0), pg ? "pg" : "sqlite");
	db_res_free(r);
	assert_int_equal(db_query(f->db, &q_half, DB_NOARGS, &r), ERR_OK);
	assert_int_equal(db_next(r), ERR_OK);
	assert_string_equal(db_text(r, 0), pg ? "pg" : "common");
	db_res_free(r);
	assert_int_equal(db_query(f->db, &q_name, DB_ARGS(DB_INT(2)), &r), ERR_OK);
	assert_int_equal(db_next(r), ERR_OK);
	assert_string_equal(db_text(r, 0), pg ? "0002_which.pg.sql" : "0002_which.sqlite.sql");
	db_res_free(r);
}

static void test_checksum_mismatch(void **state)
{
	struct fx *f = *state;
	const struct embedded_file changed[] = {
		FILE_("0001_one.sql", "CREATE TABLE one (id ID_PK, x BIGINT, y BIGINT);"),
		three[1],
	};
	int n = -1;

	assert_int_equal(store_migrate_files(f->s, three, 1, &n, f->err, sizeof(f->err)), ERR_OK);
	assert_int_equal(store_migrate_files(f->s, changed, 2, &n, f->err, sizeof(f->err)), ERR_INVALID);
	assert_int_equal(n, 0);
	assert_non_null(strstr(f->err, "checksum"));
	assert_non_null(strstr(f->err, "0001_one.sql"));
	/* Nothing after it ran either. */
	assert_int_equal(query_int(f->db, &q_versions, INT64_MAX), 1);
	f->err[0] = '\0';
	assert_int_equal(store_migrations_pending_files(f->s, changed, 2, &n, f->err, sizeof(f->err)),
		ERR_INVALID);
	assert_non_null(strstr(f->err, "checksum"));
}

static void test_newer_database(void **state)
{
	struct fx *f = *state;
	int n = -1;

	assert_int_equal(store_migrate_files(f->s, three, 3, &n, f->err, sizeof(f->err)), ERR_OK);
	assert_int_equal(store_migrate_files(f->s, three, 2, &n, f->err, sizeof(f->err)), ERR_INVALID);
	assert_non_null(strstr(f->err, "this database was created by a newer kith (migration 10); "
		"upgrade kith or restore a backup"));
	assert_int_equal(store_migrations_pending_files(f->s, three, 2, &n, f->err, sizeof(f->err)),
		ERR_INVALID);
	assert_non_null(strstr(f->err, "newer kith"));
	/* The binary that made it is still accepted. */
	assert_int_equal(store_migrate_files(f->s, three, 3, &n, f->err, sizeof(f->err)), ERR_OK);
}

static void test_unknown_applied(void **state)
{
	struct fx *f = *state;
	const struct embedded_file gap[] = { three[0], three[2] };
	int n = -1;

	assert_int_equal(store_migrate_files(f->s, three, 3, &n, f->err, sizeof(f->err)), ERR_OK);
	assert_int_equal(store_migrate_files(f->s, gap, 2, &n, f->err, sizeof(f->err)), ERR_INVALID);
	assert_non_null(strstr(f->err, "migration 2"));
}

static void test_failed_migration(void **state)
{
	struct fx *f = *state;
	static const struct sql q_t2 = { "t.t2", "SELECT count(*) FROM t2 WHERE x = $1", NULL };
	const struct embedded_file bad[] = {
		three[0],
		FILE_("0002_bad.sql", "CREATE TABLE t2 (x BIGINT);\nINSERT INTO nope VALUES (1);"),
	};
	const struct embedded_file fixed[] = {
		three[0],
		FILE_("0002_bad.sql", "CREATE TABLE t2 (x BIGINT);\nINSERT INTO t2 VALUES (1);"),
	};
	int64_t v;
	int n = -1;

	log_set_quiet(1);
	assert_int_equal(store_migrate_files(f->s, bad, 2, &n, f->err, sizeof(f->err)), ERR_INTERNAL);
	assert_int_equal(n, 1);                  /* the first one did apply */
	assert_non_null(strstr(f->err, "0002_bad.sql"));
	/* The failed one left nothing: no table, no row. */
	assert_int_equal(db_query_int(f->db, &q_t2, DB_ARGS(DB_INT(1)), &v), ERR_INTERNAL);
	log_set_quiet(0);
	assert_false(db_in_tx(f->db));
	assert_int_equal(query_int(f->db, &q_versions, INT64_MAX), 1);
	/* Never applied, so it may still change. */
	assert_int_equal(store_migrate_files(f->s, fixed, 2, &n, f->err, sizeof(f->err)), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(query_int(f->db, &q_t2, 1), 1);
}

static void test_bad_files(void **state)
{
	struct fx *f = *state;
	static const struct embedded_file noname[] = { FILE_("one.sql", "SELECT 1") };
	static const struct embedded_file nonum[] = { FILE_("0001.sql", "SELECT 1") };
	static const struct embedded_file noext[] = { FILE_("0001_a.txt", "SELECT 1") };
	static const struct embedded_file dup[] = {
		FILE_("0001_a.sql", "SELECT 1"), FILE_("0001_b.sql", "SELECT 1") };
	static const struct embedded_file dup2[] = {
		FILE_("0001_a.sql", "SELECT 1"), FILE_("01_a.sql", "SELECT 1") };
	static const struct embedded_file lonely[] = {
		FILE_("0001_a.sql", "SELECT 1"), FILE_("0002_b.sqlite.sql", "SELECT 1") };
	static const struct { const struct embedded_file *f; size_t n; const char *msg; } cases[] = {
		{ noname, 1, "one.sql is not named" },
		{ nonum, 1, "0001.sql is not named" },
		{ noext, 1, "0001_a.txt is not named" },
		{ dup, 2, "share the number 1" },
		{ dup2, 2, "share the number 1" },
		{ lonely, 2, "0002_b.sqlite.sql has no PostgreSQL version" },
	};
	int n;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		f->err[0] = '\0';
		assert_int_equal(store_migrate_files(f->s, cases[i].f, cases[i].n, &n,
			f->err, sizeof(f->err)), ERR_INTERNAL);
		if (!strstr(f->err, cases[i].msg))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, f->err, cases[i].msg);
	}
	/* None of them touched the database. */
	assert_int_equal(store_migrations_pending_files(f->s, three, 3, &n, f->err, sizeof(f->err)), ERR_OK);
	assert_int_equal(n, 3);
}

/* Several stores (as several kith processes would) migrate one database at
 * the same moment: each migration runs exactly once, nobody fails. */
#define RACERS 4

static const struct embedded_file race_files[] = {
	FILE_("0001_r1.sql", "CREATE TABLE r1 (id ID_PK);"),
	FILE_("0002_r2.sql", "CREATE TABLE r2 (id ID_PK);"),
	FILE_("0003_r3.sql", "CREATE TABLE r3 (id ID_PK);"),
	FILE_("0004_r4.sql", "CREATE TABLE r4 (id ID_PK);"),
	FILE_("0005_r5.sql", "CREATE TABLE r5 (id ID_PK); INSERT INTO r5 (id) VALUES (1);"),
};

struct racer {
	const char *url;
	pthread_barrier_t *go;
	enum err e;
	int applied;
	char err[512];
};

static void *racer_main(void *arg)
{
	struct racer *r = arg;
	struct store *s = NULL;

	r->e = store_open(r->url, NULL, &s, r->err, sizeof(r->err));
	pthread_barrier_wait(r->go);
	if (r->e == ERR_OK)
		r->e = store_migrate_files(s, race_files, ARRAY_LEN(race_files), &r->applied,
			r->err, sizeof(r->err));
	store_close(s);
	return NULL;
}

static void test_concurrent(void **state)
{
	struct fx *f = *state;
	static const struct sql q_r5 = { "t.r5", "SELECT count(*) FROM r5 WHERE id = $1", NULL };
	struct racer r[RACERS];
	pthread_t t[RACERS];
	pthread_barrier_t go;
	int total = 0;

	pthread_barrier_init(&go, NULL, RACERS);
	for (int i = 0; i < RACERS; i++) {
		r[i] = (struct racer){ .url = f->t.url, .go = &go };
		assert_int_equal(pthread_create(&t[i], NULL, racer_main, &r[i]), 0);
	}
	for (int i = 0; i < RACERS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	for (int i = 0; i < RACERS; i++) {
		if (r[i].e != ERR_OK)
			fail_msg("racer %d: %s: %s", i, err_name(r[i].e), r[i].err);
		total += r[i].applied;
	}
	assert_int_equal(total, (int)ARRAY_LEN(race_files));
	assert_int_equal(query_int(f->db, &q_versions, INT64_MAX), ARRAY_LEN(race_files));
	assert_int_equal(query_int(f->db, &q_r5, 1), 1);
}

static void test_in_transaction(void **state)
{
	struct fx *f = *state;
	int n;

	assert_int_equal(db_begin(f->db), ERR_OK);
	assert_int_equal(store_migrate_files(f->s, three, 1, &n, f->err, sizeof(f->err)), ERR_INTERNAL);
	assert_non_null(strstr(f->err, "transaction"));
	assert_int_equal(db_rollback(f->db), ERR_OK);
}

/* ---------------------------------------------------------------- main */

int main(void)
{
	const struct CMUnitTest backend_tests[] = {
		cmocka_unit_test_setup_teardown(test_embedded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_and_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dialect_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backend_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checksum_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_applied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_migration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_transaction, setup, teardown),
	};
	const struct CMUnitTest misc_tests[] = {
		cmocka_unit_test(test_dialect_text),
	};
	int failed = 0;

	log_set_level(LOG_WARN);
	failed += cmocka_run_group_tests_name("migrate misc", misc_tests, NULL, NULL);
	group_backend = DB_SQLITE;
	failed += cmocka_run_group_tests_name("migrate sqlite", backend_tests, NULL, NULL);
	if (getenv("KITH_TEST_PG_URL") && *getenv("KITH_TEST_PG_URL")) {
		group_backend = DB_POSTGRES;
		failed += cmocka_run_group_tests_name("migrate postgresql", backend_tests, NULL, NULL);
	} else {
		printf("test_migrate: PostgreSQL tests skipped (KITH_TEST_PG_URL is not set)\n");
	}
	return failed ? 1 : 0;
}
