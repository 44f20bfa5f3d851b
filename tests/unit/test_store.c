/*
 * test_store.c - the store API on both backends.
 *
 * Every test in backend_tests[] runs twice: on SQLite (a new file in a new
 * directory under /tmp per test, removed after) and on PostgreSQL when
 * KITH_TEST_PG_URL names a server (a new database kith_unit_<pid>_store for
 * the run, dropped after, with a new schema per test as its search_path).
 * Tests that only make sense on one backend skip()
 * on the other. misc_tests[] need no server: URL handling, open errors and
 * the SQLite connection settings.
 */
#include "core/common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/log.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "store/store.h"
#include "store/store_int.h"
#include "support/testdb.h"

/* ---------------------------------------------------------------- fixture */

struct fx {
	struct store *s;
	struct db *db;
	enum db_backend backend;
	struct testdb t;     /* url, dir, path (SQLite) or schema (PostgreSQL) */
};

static enum db_backend group_backend;

static const struct store_opts test_opts = {
	.busy_timeout_ms = 5000, .synchronous = 1, .connect_timeout_s = 5, .stmt_cache = 256,
};

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
	if (store_open(f->t.url, &test_opts, &f->s, err, sizeof(err)) != ERR_OK) {
		print_error("store_open %s: %s\n", f->t.url, err);
		testdb_drop(&f->t);
		free(f);
		return -1;
	}
	f->db = store_db(f->s);
	*state = f;
	return 0;
}

static void relay_stop_if_running(void);

static int teardown(void **state)
{
	struct fx *f = *state;

	log_set_quiet(0);
	relay_stop_if_running();
	store_close(f->s);
	testdb_drop(&f->t);
	free(f);
	return 0;
}

static void script(struct fx *f, const char *sqlite, const char *pg)
{
	assert_int_equal(db_exec_script(f->db, f->backend == DB_POSTGRES ? pg : sqlite), ERR_OK);
}

static int64_t count_rows(struct db *db, const struct sql *q)
{
	int64_t n = -1;

	assert_int_equal(db_query_int(db, q, DB_NOARGS, &n), ERR_OK);
	return n;
}

/* The table most tests use. */
static void make_v(struct fx *f)
{
	script(f,
		"CREATE TABLE v (id BIGINT PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, "
		"t TEXT, b BLOB, n BIGINT)",
		"CREATE TABLE v (id BIGINT PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, "
		"t TEXT, b BYTEA, n BIGINT)");
}

static const struct sql q_v_insert = { "t.v_insert",
	/* Odd order on purpose: $6 first, $1 third. */
	"INSERT INTO v (id, i, r, t, b, n) VALUES ($6, $3, $1, $2, $5, $4)", NULL };
static const struct sql q_v_get = { "t.v_get",
	"SELECT id, i, r, t, b, n FROM v WHERE id = $1", NULL };
static const struct sql q_v_count = { "t.v_count", "SELECT count(*) FROM v", NULL };
static const struct sql q_v_ids = { "t.v_ids", "SELECT id FROM v ORDER BY id", NULL };
static const struct sql q_v_add = { "t.v_add",
	"INSERT INTO v (id, i) VALUES ($1, $2)", NULL };

/* ---------------------------------------------------------------- values */

static void test_values(void **state)
{
	struct fx *f = *state;
	static const char uni[] = "Zo\xc3\xab \xe2\x80\x94 \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x8c\xbf";
	static const unsigned char blob[] = { 0x00, 0xff, 0x10, 0x00, 0x7f };
	const char *longer = "slice-of-a-longer-string";
	struct db_res *r;
	const void *p;
	size_t n;

	make_v(f);
	assert_int_equal(db_exec(f->db, &q_v_insert,
		DB_ARGS(DB_REAL(3.25), DB_TEXT(uni), DB_INT(INT64_MIN), DB_NULL,
			DB_BLOB(blob, sizeof(blob)), DB_INT(1)), NULL), ERR_OK);
	assert_int_equal(db_exec(f->db, &q_v_insert,
		DB_ARGS(DB_REAL(-1.5e-300), DB_TEXTN(longer, 5), DB_INT(INT64_MAX), DB_INT(7),
			DB_BLOB(NULL, 0), DB_INT(2)), NULL), ERR_OK);
	assert_int_equal(db_exec(f->db, &q_v_insert,
		DB_ARGS(DB_NULL, DB_TEXT(""), DB_NULL, DB_TEXT(NULL), DB_NULL, DB_INT(3)),
		NULL), ERR_OK);

	assert_int_equal(db_query(f->db, &q_v_get, DB_ARGS(DB_INT(1)), &r), ERR_OK);
	assert_false(db_row(r));
	assert_int_equal(db_ncols(r), 6);
	assert_string_equal(db_colname(r, 0), "id");
	assert_string_equal(db_colname(r, 5), "n");
	assert_null(db_colname(r, 6));
	assert_int_equal(db_next(r), ERR_OK);
	assert_true(db_row(r));
	assert_int_equal(db_int(r, 0), 1);
	assert_int_equal(db_int(r, 1), INT64_MIN);
	assert_string_equal(db_text(r, 1), "-9223372036854775808");
	assert_true(db_real(r, 2) == 3.25);
	assert_string_equal(db_text(r, 3), uni);
	assert_int_equal(db_len(r, 3), strlen(uni));
	p = db_blob(r, 4, &n);
	assert_int_equal(n, sizeof(blob));
	assert_memory_equal(p, blob, sizeof(blob));
	assert_int_equal(db_len(r, 4), sizeof(blob));
	assert_true(db_isnull(r, 5));
	assert_false(db_isnull(r, 4));
	assert_null(db_text(r, 5));
	assert_int_equal(db_len(r, 5), 0);
	assert_int_equal(db_int(r, 5), 0);
	assert_null(db_blob(r, 5, &n));
	assert_int_equal(n, 0);
	/* Out of range is NULL, not a crash. */
	assert_null(db_text(r, 6));
	assert_null(db_text(r, -1));
	assert_int_equal(db_next(r), ERR_OK);
	assert_false(db_row(r));
	assert_null(db_text(r, 0));
	assert_int_equal(db_next(r), ERR_OK);   /* past the end stays there */
	assert_false(db_row(r));
	db_res_free(r);

	assert_int_equal(db_query(f->db, &q_v_get, DB_ARGS(DB_INT(2)), &r), ERR_OK);
	assert_int_equal(db_next(r), ERR_OK);
	assert_true(db_row(r));
	assert_int_equal(db_int(r, 1), INT64_MAX);
	assert_true(db_real(r, 2) == -1.5e-300);
	assert_string_equal(db_text(r, 3), "slice");
	p = db_blob(r, 4, &n);        /* an empty blob is not NULL */
	assert_non_null(p);
	assert_int_equal(n, 0);
	assert_false(db_isnull(r, 4));
	assert_int_equal(db_int(r, 5), 7);
	db_res_free(r);

	assert_int_equal(db_query(f->db, &q_v_get, DB_ARGS(DB_INT(3)), &r), ERR_OK);
	assert_int_equal(db_next(r), ERR_OK);
	assert_true(db_isnull(r, 1));
	assert_true(db_isnull(r, 2));
	assert_false(db_isnull(r, 3));  /* empty text is not NULL */
	assert_string_equal(db_text(r, 3), "");
	assert_true(db_isnull(r, 4));
	assert_true(db_isnull(r, 5));   /* DB_TEXT(NULL) is NULL */
	db_res_free(r);
}

static void test_params_repeated(void **state)
{
	struct fx *f = *state;
	static const struct sql q_rep = { "t.rep",
		"INSERT INTO v (id, i, n, t) VALUES ($2, $1, $1, $3)", NULL };
	static const struct sql q_sum = { "t.sum",
		"SELECT i + n FROM v WHERE id = $1 AND t = $2 AND i = $3", NULL };
	int64_t v = 0;

	make_v(f);
	assert_int_equal(db_exec(f->db, &q_rep,
		DB_ARGS(DB_INT(42), DB_INT(3), DB_TEXT("x")), NULL), ERR_OK);
	assert_int_equal(db_query_int(f->db, &q_sum,
		DB_ARGS(DB_INT(3), DB_TEXT("x"), DB_INT(42)), &v), ERR_OK);
	assert_int_equal(v, 84);
}

static void test_booleans_and_reals(void **state)
{
	struct fx *f = *state;
	static const struct sql q_bool = { "t.bool", "SELECT 1 = 1, 1 = 0", NULL };
	static const struct sql q_real = { "t.real",
		"SELECT CAST($1 AS DOUBLE PRECISION) * 2", NULL };
	struct db_res *r;

	assert_int_equal(db_query(f->db, &q_bool, DB_NOARGS, &r), ERR_OK);
	assert_int_equal(db_next(r), ERR_OK);
	assert_true(db_row(r));
	/* PostgreSQL says "t" and "f"; db_int makes both backends 1 and 0. */
	assert_int_equal(db_int(r, 0), 1);
	assert_int_equal(db_int(r, 1), 0);
	db_res_free(r);

	assert_int_equal(db_query(f->db, &q_real, DB_ARGS(DB_REAL(0.1)), &r), ERR_OK);
	assert_int_equal(db_next(r), ERR_OK);
	assert_true(db_real(r, 0) == 0.2);
	db_res_free(r);
}

static void test_query_int(void **state)
{
	struct fx *f = *state;
	static const struct sql q_i = { "t.i", "SELECT i FROM v WHERE id = $1", NULL };
	static const struct sql q_max = { "t.max", "SELECT max(i) FROM v WHERE id < 0", NULL };
	int64_t v = 99;

	make_v(f);
	assert_int_equal(db_exec(f->db, &q_v_add, DB_ARGS(DB_INT(1), DB_INT(-5)), NULL), ERR_OK);
	assert_int_equal(db_query_int(f->db, &q_i, DB_ARGS(DB_INT(1)), &v), ERR_OK);
	assert_int_equal(v, -5);
	assert_int_equal(db_query_int(f->db, &q_i, DB_ARGS(DB_INT(999)), &v), ERR_NOT_FOUND);
	assert_int_equal(v, 0);
	assert_int_equal(db_query_int(f->db, &q_max, DB_NOARGS, &v), ERR_NOT_FOUND);
	assert_int_equal(count_rows(f->db, &q_v_count), 1);
	/* db_query_one: on the row, or ERR_NOT_FOUND with nothing to free. */
	{
		struct db_res *r = (struct db_res *)1;

		assert_int_equal(db_query_one(f->db, &q_i, DB_ARGS(DB_INT(1)), &r), ERR_OK);
		assert_true(db_row(r));
		assert_int_equal(db_int(r, 0), -5);
		db_res_free(r);
		assert_int_equal(db_query_one(f->db, &q_i, DB_ARGS(DB_INT(999)), &r), ERR_NOT_FOUND);
		assert_null(r);
	}
}

static void test_changes(void **state)
{
	struct fx *f = *state;
	static const struct sql q_up = { "t.up", "UPDATE v SET i = i + 1 WHERE id <= $1", NULL };
	static const struct sql q_del = { "t.del", "DELETE FROM v WHERE id > $1", NULL };
	int64_t changes = -1;

	make_v(f);
	for (int i = 1; i <= 5; i++)
		assert_int_equal(db_exec(f->db, &q_v_add, DB_ARGS(DB_INT(i), DB_INT(0)),
			&changes), ERR_OK);
	assert_int_equal(changes, 1);
	assert_int_equal(db_exec(f->db, &q_up, DB_ARGS(DB_INT(3)), &changes), ERR_OK);
	assert_int_equal(changes, 3);
	/* A statement that changes nothing reports 0, not the last count. */
	assert_int_equal(db_exec(f->db, &q_v_count, DB_NOARGS, &changes), ERR_OK);
	assert_int_equal(changes, 0);
	assert_int_equal(db_exec(f->db, &q_del, DB_ARGS(DB_INT(100)), &changes), ERR_OK);
	assert_int_equal(changes, 0);
	assert_int_equal(db_exec(f->db, &q_del, DB_ARGS(DB_INT(1)), &changes), ERR_OK);
	assert_int_equal(changes, 4);
}

/* ---------------------------------------------------------------- errors */

static void test_constraints(void **state)
{
	struct fx *f = *state;
	static const struct sql q_parent = { "t.parent", "INSERT INTO parent (id) VALUES ($1)", NULL };
	static const struct sql q_child = { "t.child",
		"INSERT INTO child (id, parent_id, qty) VALUES ($1, $2, $3)", NULL };
	static const struct sql q_email = { "t.email", "INSERT INTO person (email) VALUES ($1)", NULL };
	static const struct sql q_children = { "t.children", "SELECT count(*) FROM child", NULL };

	script(f,
		"CREATE TABLE parent (id BIGINT PRIMARY KEY);"
		"CREATE TABLE child (id BIGINT PRIMARY KEY, parent_id BIGINT NOT NULL "
		"REFERENCES parent (id), qty BIGINT CHECK (qty >= 0));"
		"CREATE TABLE person (email TEXT UNIQUE)",
		"CREATE TABLE parent (id BIGINT PRIMARY KEY);"
		"CREATE TABLE child (id BIGINT PRIMARY KEY, parent_id BIGINT NOT NULL "
		"REFERENCES parent (id), qty BIGINT CHECK (qty >= 0));"
		"CREATE TABLE person (email TEXT UNIQUE)");
	assert_int_equal(db_exec(f->db, &q_parent, DB_ARGS(DB_INT(1)), NULL), ERR_OK);
	assert_int_equal(db_exec(f->db, &q_child, DB_ARGS(DB_INT(1), DB_INT(1), DB_INT(2)), NULL), ERR_OK);
	assert_int_equal(db_exec(f->db, &q_email, DB_ARGS(DB_TEXT("a@example.org")), NULL), ERR_OK);

	log_set_quiet(1);
	/* Primary key and unique: a conflict. */
	assert_int_equal(db_exec(f->db, &q_parent, DB_ARGS(DB_INT(1)), NULL), ERR_CONFLICT);
	assert_int_equal(db_exec(f->db, &q_email, DB_ARGS(DB_TEXT("a@example.org")), NULL), ERR_CONFLICT);
	/* Foreign key (SQLite: only because foreign_keys=ON), not null, check. */
	assert_int_equal(db_exec(f->db, &q_child, DB_ARGS(DB_INT(2), DB_INT(99), DB_INT(1)), NULL), ERR_INVALID);
	assert_int_equal(db_exec(f->db, &q_child, DB_ARGS(DB_INT(3), DB_NULL, DB_INT(1)), NULL), ERR_INVALID);
	assert_int_equal(db_exec(f->db, &q_child, DB_ARGS(DB_INT(4), DB_INT(1), DB_INT(-1)), NULL), ERR_INVALID);
	log_set_quiet(0);
	/* The connection is fine afterwards and nothing was written. */
	assert_int_equal(count_rows(f->db, &q_children), 1);
	assert_int_equal(db_exec(f->db, &q_email, DB_ARGS(DB_TEXT("b@example.org")), NULL), ERR_OK);
}

static void test_bad_statements(void **state)
{
	struct fx *f = *state;
	static const struct sql q_syntax = { "t.syntax", "SELEKT 1", NULL };
	static const struct sql q_notable = { "t.notable", "SELECT * FROM nope", NULL };
	static const struct sql q_two = { "t.two", "SELECT 1; SELECT 2", NULL };
	static const struct sql q_args = { "t.args", "SELECT id FROM v WHERE id = $1 AND i = $2", NULL };
	static const struct sql q_text = { "t.text", "INSERT INTO v (id, t) VALUES ($1, $2)", NULL };
	struct db_res *r = (struct db_res *)&r;

	make_v(f);
	log_set_quiet(1);
	assert_int_equal(db_exec(f->db, &q_syntax, DB_NOARGS, NULL), ERR_INTERNAL);
	assert_int_equal(db_query(f->db, &q_notable, DB_NOARGS, &r), ERR_INTERNAL);
	assert_null(r);
	assert_int_equal(db_exec(f->db, &q_two, DB_NOARGS, NULL), ERR_INTERNAL);
	/* Too few and too many arguments fail on both backends alike. */
	assert_int_equal(db_exec(f->db, &q_args, DB_ARGS(DB_INT(1)), NULL), ERR_INTERNAL);
	assert_int_equal(db_exec(f->db, &q_args,
		DB_ARGS(DB_INT(1), DB_INT(2), DB_INT(3)), NULL), ERR_INTERNAL);
	/* Text holding a NUL byte. */
	assert_int_equal(db_exec(f->db, &q_text, DB_ARGS(DB_INT(1), DB_TEXTN("a\0b", 3)), NULL),
		ERR_INVALID);
	assert_int_equal(db_exec(NULL, &q_text, DB_NOARGS, NULL), ERR_UNAVAILABLE);
	log_set_quiet(0);
	assert_int_equal(db_exec(f->db, &q_args, DB_ARGS(DB_INT(1), DB_INT(2)), NULL), ERR_OK);
	assert_int_equal(db_exec(f->db, &q_text, DB_ARGS(DB_INT(1), DB_TEXT("ok")), NULL), ERR_OK);
}

static void test_script(void **state)
{
	struct fx *f = *state;
	static const struct sql q_both = { "t.both",
		"SELECT (SELECT count(*) FROM s1) + (SELECT count(*) FROM s2)", NULL };

	assert_int_equal(db_exec_script(f->db,
		"CREATE TABLE s1 (x BIGINT); CREATE TABLE s2 (y BIGINT);\n"
		"INSERT INTO s1 VALUES (1); INSERT INTO s2 VALUES (2);"), ERR_OK);
	assert_int_equal(count_rows(f->db, &q_both), 2);
	log_set_quiet(1);
	assert_int_equal(db_exec_script(f->db, "CREATE TABLE s1 (x BIGINT)"), ERR_INTERNAL);
	log_set_quiet(0);
}

/* ---------------------------------------------------------------- transactions */

static void test_transactions(void **state)
{
	struct fx *f = *state;

	make_v(f);
	assert_false(db_in_tx(f->db));
	assert_int_equal(db_rollback(f->db), ERR_OK);        /* none open: no-op */
	log_set_quiet(1);
	assert_int_equal(db_commit(f->db), ERR_INTERNAL);    /* none open */
	log_set_quiet(0);

	/* Rollback discards. */
	assert_int_equal(db_begin(f->db), ERR_OK);
	assert_true(db_in_tx(f->db));
	assert_int_equal(db_exec(f->db, &q_v_add, DB_ARGS(DB_INT(1), DB_INT(1)), NULL), ERR_OK);
	assert_int_equal(count_rows(f->db, &q_v_count), 1);
	assert_int_equal(db_rollback(f->db), ERR_OK);
	assert_false(db_in_tx(f->db));
	assert_int_equal(count_rows(f->db, &q_v_count), 0);

	/* Commit keeps; a nested begin is refused and leaves the outer one. */
	assert_int_equal(db_begin(f->db), ERR_OK);
	assert_int_equal(db_exec(f->db, &q_v_add, DB_ARGS(DB_INT(2), DB_INT(1)), NULL), ERR_OK);
	log_set_quiet(1);
	assert_int_equal(db_begin(f->db), ERR_INTERNAL);
	assert_int_equal(db_begin_read(f->db), ERR_INTERNAL);
	log_set_quiet(0);
	assert_true(db_in_tx(f->db));
	assert_int_equal(db_exec(f->db, &q_v_add, DB_ARGS(DB_INT(3), DB_INT(1)), NULL), ERR_OK);
	assert_int_equal(db_commit(f->db), ERR_OK);
	assert_false(db_in_tx(f->db));
	assert_int_equal(count_rows(f->db, &q_v_count), 2);

	/* A read transaction sees the data and ends cleanly. */
	assert_int_equal(db_begin_read(f->db), ERR_OK);
	assert_true(db_in_tx(f->db));
	assert_int_equal(count_rows(f->db, &q_v_count), 2);
	assert_int_equal(db_commit(f->db), ERR_OK);

	/* A failed statement inside a transaction, then rollback: the
	 * connection is usable and nothing of it was kept. */
	assert_int_equal(db_begin(f->db), ERR_OK);
	assert_int_equal(db_exec(f->db, &q_v_add, DB_ARGS(DB_INT(4), DB_INT(1)), NULL), ERR_OK);
	log_set_quiet(1);
	assert_int_equal(db_exec(f->db, &q_v_add, DB_ARGS(DB_INT(2), DB_INT(1)), NULL), ERR_CONFLICT);
	log_set_quiet(0);
	assert_int_equal(db_rollback(f->db), ERR_OK);
	assert_int_equal(count_rows(f->db, &q_v_count), 2);
}

static int after_runs;

static void count_after(void *arg)
{
	after_runs += *(int *)arg;
}

/* What must follow a commit runs after it, once, and never after a
 * rollback. */
static void test_after_commit(void **state)
{
	struct fx *f = *state;
	int one = 1, ten = 10;

	after_runs = 0;
	assert_int_equal(db_after_commit(f->db, count_after, &one), ERR_OK);   /* no tx: now */
	assert_int_equal(after_runs, 1);

	assert_int_equal(db_begin(f->db), ERR_OK);
	assert_int_equal(db_after_commit(f->db, count_after, &one), ERR_OK);
	assert_int_equal(db_after_commit(f->db, count_after, &one), ERR_OK);   /* once */
	assert_int_equal(db_after_commit(f->db, count_after, &ten), ERR_OK);
	assert_int_equal(after_runs, 1);                                       /* not yet */
	assert_int_equal(db_commit(f->db), ERR_OK);
	assert_int_equal(after_runs, 12);

	assert_int_equal(db_begin(f->db), ERR_OK);
	assert_int_equal(db_after_commit(f->db, count_after, &ten), ERR_OK);
	assert_int_equal(db_rollback(f->db), ERR_OK);
	assert_int_equal(after_runs, 12);                                      /* forgotten */
	assert_int_equal(db_begin(f->db), ERR_OK);
	assert_int_equal(db_commit(f->db), ERR_OK);
	assert_int_equal(after_runs, 12);

	/* A bounded list: past the limit the caller hears of it. */
	{
		int v[DB_AFTER_COMMIT_MAX + 1];

		assert_int_equal(db_begin(f->db), ERR_OK);
		for (int i = 0; i < DB_AFTER_COMMIT_MAX; i++) {
			v[i] = 0;
			assert_int_equal(db_after_commit(f->db, count_after, &v[i]), ERR_OK);
		}
		assert_int_equal(db_after_commit(f->db, count_after, &v[DB_AFTER_COMMIT_MAX]), ERR_NOMEM);
		assert_int_equal(db_rollback(f->db), ERR_OK);
	}
}

static void test_tx_isolation(void **state)
{
	struct fx *f = *state;
	struct store *s2;
	struct db *db2;
	char err[256];

	make_v(f);
	/* A second store gives this thread a second connection. */
	assert_int_equal(store_open(f->t.url, &test_opts, &s2, err, sizeof(err)), ERR_OK);
	db2 = store_db(s2);
	assert_non_null(db2);
	assert_ptr_not_equal(db2, f->db);
	assert_int_equal(db_begin(f->db), ERR_OK);
	assert_int_equal(db_exec(f->db, &q_v_add, DB_ARGS(DB_INT(1), DB_INT(1)), NULL), ERR_OK);
	/* Not visible to the other connection before commit... */
	assert_int_equal(count_rows(db2, &q_v_count), 0);
	assert_int_equal(db_commit(f->db), ERR_OK);
	/* ...and visible after. */
	assert_int_equal(count_rows(db2, &q_v_count), 1);
	store_close(s2);
}

/* ---------------------------------------------------------------- statement cache */

static const struct sql q_pg_prepared = { "t.prepared",
	"SELECT count(*) FROM pg_prepared_statements", NULL };

static void test_stmt_cache(void **state)
{
	struct fx *f = *state;
	struct db_res *outer, *inner;
	size_t cached;
	int rows = 0;

	make_v(f);
	for (int i = 1; i <= 4; i++)
		assert_int_equal(db_exec(f->db, &q_v_add, DB_ARGS(DB_INT(i), DB_INT(i)), NULL), ERR_OK);
	cached = db_stmt_cached(f->db);
	/* Reuse: running a statement again adds nothing to the cache. */
	for (int i = 0; i < 10; i++)
		assert_int_equal(count_rows(f->db, &q_v_count), 4);
	assert_int_equal(db_stmt_cached(f->db), cached + 1);
	if (f->backend == DB_POSTGRES) {
		/* The server holds exactly what the cache says, this query too. */
		int64_t on_server = count_rows(f->db, &q_pg_prepared);
		assert_int_equal(on_server, (int64_t)db_stmt_cached(f->db));
	}

	/* Nested use of one statement: the inner gets its own. */
	cached = db_stmt_cached(f->db);
	assert_int_equal(db_query(f->db, &q_v_ids, DB_NOARGS, &outer), ERR_OK);
	while (db_next(outer) == ERR_OK && db_row(outer)) {
		int inner_rows = 0;
		int64_t want = 1;
		assert_int_equal(db_query(f->db, &q_v_ids, DB_NOARGS, &inner), ERR_OK);
		while (db_next(inner) == ERR_OK && db_row(inner)) {
			assert_int_equal(db_int(inner, 0), want);
			want++;
			inner_rows++;
		}
		db_res_free(inner);
		assert_int_equal(inner_rows, 4);
		rows++;
		assert_int_equal(db_int(outer, 0), rows);
	}
	db_res_free(outer);
	assert_int_equal(rows, 4);
	assert_int_equal(db_stmt_cached(f->db), cached + 1);
	/* And the cached one still works afterwards. */
	assert_int_equal(db_query(f->db, &q_v_ids, DB_NOARGS, &outer), ERR_OK);
	assert_int_equal(db_next(outer), ERR_OK);
	assert_int_equal(db_int(outer, 0), 1);
	db_res_free(outer);
}

static const struct sql q_many[] = {
	{ "t.m0", "SELECT 0 + $1", NULL }, { "t.m1", "SELECT 1 + $1", NULL },
	{ "t.m2", "SELECT 2 + $1", NULL }, { "t.m3", "SELECT 3 + $1", NULL },
	{ "t.m4", "SELECT 4 + $1", NULL }, { "t.m5", "SELECT 5 + $1", NULL },
	{ "t.m6", "SELECT 6 + $1", NULL }, { "t.m7", "SELECT 7 + $1", NULL },
};

static void test_stmt_cache_eviction(void **state)
{
	struct fx *f = *state;
	struct store_opts o = test_opts;
	struct store *s;
	struct db *db, *held;
	struct db_res *r;
	char err[256];
	int64_t v;

	o.stmt_cache = 3;
	assert_int_equal(store_open(f->t.url, &o, &s, err, sizeof(err)), ERR_OK);
	db = store_db(s);
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < ARRAY_LEN(q_many); i++) {
			assert_int_equal(db_query_int(db, &q_many[i], DB_ARGS(DB_INT(100)), &v), ERR_OK);
			assert_int_equal(v, 100 + (int64_t)i);
			assert_true(db_stmt_cached(db) <= 3);
		}
	}
	assert_int_equal(db_stmt_cached(db), 3);
	if (f->backend == DB_POSTGRES) {   /* evicted ones were deallocated */
		int64_t on_server = count_rows(db, &q_pg_prepared);
		assert_int_equal(on_server, 3);
		assert_int_equal(db_stmt_cached(db), 3);
	}

	/* A statement held by an open cursor survives the churn. */
	held = db;
	assert_int_equal(db_query(held, &q_many[0], DB_ARGS(DB_INT(1)), &r), ERR_OK);
	for (size_t i = 1; i < ARRAY_LEN(q_many); i++) {
		assert_int_equal(db_query_int(db, &q_many[i], DB_ARGS(DB_INT(1)), &v), ERR_OK);
		assert_int_equal(v, 1 + (int64_t)i);
	}
	assert_int_equal(db_next(r), ERR_OK);
	assert_true(db_row(r));
	assert_int_equal(db_int(r, 0), 1);
	db_res_free(r);
	assert_true(db_stmt_cached(db) <= 3);
	store_close(s);
}

/* ---------------------------------------------------------------- threads */

#define NTHREADS 8
#define NROWS 60

struct worker {
	struct store *s;
	pthread_barrier_t *start;
	int n;
	struct db *db;
	int errors;
	int64_t mine;
};

static const struct sql q_th_add = { "t.th_add",
	"INSERT INTO th (worker, n) VALUES ($1, $2)", NULL };
static const struct sql q_th_mine = { "t.th_mine",
	"SELECT count(*) FROM th WHERE worker = $1", NULL };
static const struct sql q_th_all = { "t.th_all", "SELECT count(*) FROM th", NULL };

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct db *db = store_db(w->s);

	w->db = db;
	pthread_barrier_wait(w->start);
	if (!db) {
		w->errors++;
		return NULL;
	}
	for (int i = 0; i < NROWS; i++) {
		/* Every tenth row in a write transaction of three rows. */
		if (i % 10 == 0) {
			bool ok = db_begin(db) == ERR_OK;
			for (int k = 0; k < 3 && ok; k++)
				ok = db_exec(db, &q_th_add, DB_ARGS(DB_INT(w->n), DB_INT(i)), NULL) == ERR_OK;
			if (!ok || db_commit(db) != ERR_OK) {
				db_rollback(db);
				w->errors++;
			}
			i += 2;
			continue;
		}
		if (db_exec(db, &q_th_add, DB_ARGS(DB_INT(w->n), DB_INT(i)), NULL) != ERR_OK)
			w->errors++;
	}
	if (db_query_int(db, &q_th_mine, DB_ARGS(DB_INT(w->n)), &w->mine) != ERR_OK)
		w->errors++;
	/* Half close their connection themselves; the others leave it to the
	 * thread-exit destructor. */
	if (w->n % 2)
		store_db_release(w->s);
	return NULL;
}

static void test_threads(void **state)
{
	struct fx *f = *state;
	static const struct sql q_conns = { "t.conns",
		"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()", NULL };
	struct worker w[NTHREADS];
	pthread_t t[NTHREADS];
	pthread_barrier_t start;

	script(f, "CREATE TABLE th (id INTEGER PRIMARY KEY, worker BIGINT, n BIGINT)",
		"CREATE TABLE th (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
		"worker BIGINT, n BIGINT)");
	pthread_barrier_init(&start, NULL, NTHREADS);
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ .s = f->s, .start = &start, .n = i };
		assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	for (int i = 0; i < NTHREADS; i++) {
		assert_int_equal(w[i].errors, 0);
		assert_int_equal(w[i].mine, NROWS);
		assert_non_null(w[i].db);
		assert_ptr_not_equal(w[i].db, f->db);
		for (int j = 0; j < i; j++)       /* all alive at once: all distinct */
			assert_ptr_not_equal(w[i].db, w[j].db);
	}
	assert_int_equal(count_rows(f->db, &q_th_all), NTHREADS * NROWS);
	/* Every worker's connection is closed, by hand or at thread exit. */
	if (f->backend == DB_POSTGRES) {
		int64_t n = -1;
		for (int tries = 0; tries < 100; tries++) {
			n = count_rows(f->db, &q_conns);
			if (n == 1)
				break;
			usleep(20000);
		}
		assert_int_equal(n, 1);
	} else {
		pthread_mutex_lock(&f->s->mu);
		assert_ptr_equal(f->s->conns, f->db);
		assert_null(f->db->next);
		pthread_mutex_unlock(&f->s->mu);
	}
}

static void test_release(void **state)
{
	struct fx *f = *state;
	struct db *db;

	make_v(f);
	assert_int_equal(db_exec(f->db, &q_v_add, DB_ARGS(DB_INT(1), DB_INT(1)), NULL), ERR_OK);
	assert_true(db_stmt_cached(f->db) > 0);
	store_db_release(f->s);
	store_db_release(f->s);               /* twice is harmless */
	db = store_db(f->s);
	assert_non_null(db);
	assert_int_equal(db_stmt_cached(db), 0);    /* a new connection */
	assert_int_equal(count_rows(db, &q_v_count), 1);
	assert_int_equal(store_ping(f->s), ERR_OK);
	f->db = db;
}

/* ---------------------------------------------------------------- backup */

static void test_backup(void **state)
{
	struct fx *f = *state;
	char err[512], path[400], url[420], bad[300];
	struct store *copy;
	struct db_res *r;
	int64_t sum = 0;

	make_v(f);
	for (int i = 1; i <= 300; i++)
		assert_int_equal(db_exec(f->db, &q_v_add, DB_ARGS(DB_INT(i), DB_INT(i)), NULL), ERR_OK);
	if (f->backend == DB_POSTGRES) {
		snprintf(path, sizeof(path), "/tmp/kith-test-store-%d-pg.bak", (int)getpid());
		assert_int_equal(store_backup(f->s, path, err, sizeof(err)), ERR_INVALID);
		assert_non_null(strstr(err, "pg_dump"));
		assert_int_equal(access(path, F_OK), -1);
		return;
	}
	snprintf(path, sizeof(path), "%s.bak", f->t.path);
	assert_int_equal(store_backup(f->s, path, err, sizeof(err)), ERR_OK);
	snprintf(url, sizeof(url), "sqlite:%s", path);
	assert_int_equal(store_open(url, &test_opts, &copy, err, sizeof(err)), ERR_OK);
	assert_int_equal(db_query(store_db(copy), &q_v_ids, DB_NOARGS, &r), ERR_OK);
	int n = 0;
	while (db_next(r) == ERR_OK && db_row(r)) {
		sum += db_int(r, 0);
		n++;
	}
	db_res_free(r);
	assert_int_equal(n, 300);
	assert_int_equal(sum, 300 * 301 / 2);
	store_close(copy);

	/* Never overwrite. */
	log_set_quiet(1);
	err[0] = '\0';
	assert_int_equal(store_backup(f->s, path, err, sizeof(err)), ERR_CONFLICT);
	assert_non_null(strstr(err, "already exists"));
	snprintf(bad, sizeof(bad), "%s/no/such/dir/x.db", f->t.dir);
	assert_int_equal(store_backup(f->s, bad, err, sizeof(err)), ERR_INVALID);
	log_set_quiet(0);
	/* The original is untouched and still writable. */
	assert_int_equal(db_exec(f->db, &q_v_add, DB_ARGS(DB_INT(301), DB_INT(1)), NULL), ERR_OK);
}

/* ---------------------------------------------------------------- reconnect */

static const struct sql q_pid = { "t.pid", "SELECT pg_backend_pid()", NULL };
static const struct sql q_kill = { "t.kill", "SELECT pg_terminate_backend($1)", NULL };
static const struct sql q_alive = { "t.alive",
	"SELECT count(*) FROM pg_stat_activity WHERE pid = $1", NULL };

/* Terminates db's backend from a second connection and waits until the
 * server has let it go. */
static void kill_backend(struct fx *f, struct db *db)
{
	struct store *killer;
	struct db *kdb;
	char err[256];
	int64_t pid = 0, v = 0;

	assert_int_equal(db_query_int(db, &q_pid, DB_NOARGS, &pid), ERR_OK);
	assert_int_equal(store_open(f->t.url, &test_opts, &killer, err, sizeof(err)), ERR_OK);
	kdb = store_db(killer);
	assert_int_equal(db_query_int(kdb, &q_kill, DB_ARGS(DB_INT(pid)), &v), ERR_OK);
	assert_int_equal(v, 1);
	for (int tries = 0; tries < 250; tries++) {
		assert_int_equal(db_query_int(kdb, &q_alive, DB_ARGS(DB_INT(pid)), &v), ERR_OK);
		if (v == 0)
			break;
		usleep(20000);
	}
	assert_int_equal(v, 0);
	store_close(killer);
}

static void test_pg_reconnect(void **state)
{
	struct fx *f = *state;
	int64_t before = 0, after = 0, n = 0;
	enum err e;

	if (f->backend != DB_POSTGRES)
		skip();
	make_v(f);
	assert_int_equal(db_exec(f->db, &q_v_add, DB_ARGS(DB_INT(1), DB_INT(1)), NULL), ERR_OK);
	assert_int_equal(count_rows(f->db, &q_v_count), 1);   /* prepared and cached */
	assert_int_equal(db_query_int(f->db, &q_pid, DB_NOARGS, &before), ERR_OK);

	kill_backend(f, f->db);
	log_set_quiet(1);
	e = db_query_int(f->db, &q_v_count, DB_NOARGS, &n);
	log_set_quiet(0);
	assert_true(e == ERR_UNAVAILABLE || (e == ERR_OK && n == 1));
	/* The call after that works, on a new backend, re-preparing. */
	assert_int_equal(count_rows(f->db, &q_v_count), 1);
	assert_int_equal(db_query_int(f->db, &q_pid, DB_NOARGS, &after), ERR_OK);
	assert_int_not_equal(before, after);

	/* Lost inside a transaction: nothing of it is committed, and nothing
	 * runs on the new connection until the caller rolls back. */
	assert_int_equal(db_begin(f->db), ERR_OK);
	assert_int_equal(db_exec(f->db, &q_v_add, DB_ARGS(DB_INT(2), DB_INT(1)), NULL), ERR_OK);
	kill_backend(f, f->db);
	log_set_quiet(1);
	assert_int_equal(db_exec(f->db, &q_v_add, DB_ARGS(DB_INT(3), DB_INT(1)), NULL), ERR_UNAVAILABLE);
	assert_int_equal(db_exec(f->db, &q_v_add, DB_ARGS(DB_INT(4), DB_INT(1)), NULL), ERR_UNAVAILABLE);
	assert_int_equal(db_commit(f->db), ERR_UNAVAILABLE);
	log_set_quiet(0);
	assert_false(db_in_tx(f->db));
	assert_int_equal(count_rows(f->db, &q_v_count), 1);

	/* store_ping reconnects by itself. */
	kill_backend(f, f->db);
	log_set_quiet(1);
	assert_int_equal(store_ping(f->s), ERR_OK);
	log_set_quiet(0);
	assert_int_equal(count_rows(f->db, &q_v_count), 1);
}

/* A TCP relay between the store and the server that the test can take
 * down and bring back: an outage, without touching the real server. */
struct relay {
	int listen_fd;
	int port;
	struct sockaddr_in upstream;
	_Atomic bool down;
	_Atomic bool stop;
	pthread_t thread;
	int fds[32][2];          /* client, server; -1 when free */
	int held[32];            /* down: accepted and never answered */
};

static void relay_close_all(struct relay *r)
{
	for (size_t i = 0; i < ARRAY_LEN(r->held); i++) {
		if (r->held[i] >= 0)
			close(r->held[i]);
		r->held[i] = -1;
	}
	for (size_t i = 0; i < ARRAY_LEN(r->fds); i++) {
		if (r->fds[i][0] >= 0) {
			close(r->fds[i][0]);
			close(r->fds[i][1]);
			r->fds[i][0] = r->fds[i][1] = -1;
		}
	}
}

static bool pump(int from, int to)
{
	char buf[16384];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n <= 0)
		return false;
	for (ssize_t off = 0; off < n; ) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w <= 0)
			return false;
		off += w;
	}
	return true;
}

static void *relay_main(void *arg)
{
	struct relay *r = arg;

	while (!r->stop) {
		struct pollfd p[1 + 2 * ARRAY_LEN(r->fds)];
		int idx[ARRAY_LEN(p)];
		nfds_t n = 0;

		/* Down: connections are dropped, and new ones are accepted but
		 * never answered, like a server that hangs. Up: those go. */
		if (r->down) {
			for (size_t i = 0; i < ARRAY_LEN(r->fds); i++) {
				if (r->fds[i][0] >= 0) {
					close(r->fds[i][0]);
					close(r->fds[i][1]);
					r->fds[i][0] = r->fds[i][1] = -1;
				}
			}
		} else {
			for (size_t i = 0; i < ARRAY_LEN(r->held); i++) {
				if (r->held[i] >= 0)
					close(r->held[i]);
				r->held[i] = -1;
			}
		}
		p[n].fd = r->listen_fd;
		p[n].events = POLLIN;
		idx[n++] = -1;
		for (size_t i = 0; i < ARRAY_LEN(r->fds); i++) {
			for (int side = 0; side < 2 && r->fds[i][0] >= 0; side++) {
				p[n].fd = r->fds[i][side];
				p[n].events = POLLIN;
				idx[n++] = (int)i * 2 + side;
			}
		}
		if (poll(p, n, 20) <= 0)
			continue;
		for (nfds_t k = 0; k < n; k++) {
			if (!p[k].revents)
				continue;
			if (idx[k] < 0) {
				int c = accept(r->listen_fd, NULL, NULL), u;
				size_t slot;
				if (c < 0)
					continue;
				if (r->down) {
					for (slot = 0; slot < ARRAY_LEN(r->held) && r->held[slot] >= 0; slot++)
						;
					if (slot < ARRAY_LEN(r->held))
						r->held[slot] = c;
					else
						close(c);
					continue;
				}
				for (slot = 0; slot < ARRAY_LEN(r->fds) && r->fds[slot][0] >= 0; slot++)
					;
				u = slot == ARRAY_LEN(r->fds) ? -1
					: socket(AF_INET, SOCK_STREAM, 0);
				if (u < 0 || connect(u, (struct sockaddr *)&r->upstream,
						sizeof(r->upstream)) != 0) {
					close(c);
					if (u >= 0)
						close(u);
					continue;
				}
				r->fds[slot][0] = c;
				r->fds[slot][1] = u;
				continue;
			}
			int i = idx[k] / 2, side = idx[k] % 2;
			if (r->fds[i][0] < 0)
				continue;
			if (!pump(r->fds[i][side], r->fds[i][!side])) {
				close(r->fds[i][0]);
				close(r->fds[i][1]);
				r->fds[i][0] = r->fds[i][1] = -1;
			}
		}
	}
	relay_close_all(r);
	return NULL;
}

/* Parses host:port out of a postgresql://[user@]HOST:PORT/... URL. */
static bool url_host_port(const char *url, char *host, size_t hn, int *port)
{
	const char *a = strstr(url, "://"), *end, *at, *colon;
	int64_t p;

	if (!a)
		return false;
	a += 3;
	end = a + strcspn(a, "/?");
	at = memchr(a, '@', (size_t)(end - a));
	if (at)
		a = at + 1;
	colon = memchr(a, ':', (size_t)(end - a));
	if (!colon || (size_t)(colon - a) >= hn ||
	    !str_to_i64((struct str){ colon + 1, (size_t)(end - colon - 1) }, 1, 65535, &p))
		return false;
	memcpy(host, a, (size_t)(colon - a));
	host[colon - a] = '\0';
	*port = (int)p;
	return true;
}

/* Static, not on a test's stack: a failing assertion leaves the test by
 * longjmp, and the teardown must still stop the thread. */
static struct relay the_relay;
static bool relay_running;

static bool relay_start(struct relay *r, const char *url)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	char host[64];
	int port;

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < ARRAY_LEN(r->fds); i++)
		r->fds[i][0] = r->fds[i][1] = -1;
	for (size_t i = 0; i < ARRAY_LEN(r->held); i++)
		r->held[i] = -1;
	if (!url_host_port(url, host, sizeof(host), &port))
		return false;
	r->upstream.sin_family = AF_INET;
	r->upstream.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &r->upstream.sin_addr) != 1)
		return false;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (r->listen_fd < 0)
		return false;
	if (bind(r->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(r->listen_fd, 16) != 0 ||
	    getsockname(r->listen_fd, (struct sockaddr *)&sa, &len) != 0) {
		close(r->listen_fd);
		return false;
	}
	r->port = ntohs(sa.sin_port);
	relay_running = pthread_create(&r->thread, NULL, relay_main, r) == 0;
	return relay_running;
}

static void relay_stop(struct relay *r)
{
	if (!relay_running)
		return;
	r->stop = true;
	pthread_join(r->thread, NULL);
	close(r->listen_fd);
	relay_running = false;
}

static void relay_stop_if_running(void)
{
	relay_stop(&the_relay);
}

static void test_pg_outage(void **state)
{
	struct fx *f = *state;
	struct store_opts o = test_opts;
	struct relay *relay = &the_relay;
	struct store *s;
	struct db *db;
	char url[600], err[512];
	const char *path;
	uint64_t t0;
	int64_t n;

	if (f->backend != DB_POSTGRES)
		skip();
	/* The test database's URL, through the relay. */
	path = strstr(f->t.url, "://") + 3;
	path += strcspn(path, "/?");
	if (!relay_start(relay, f->t.url))
		skip();      /* a unix-socket URL: no TCP to relay */
	snprintf(url, sizeof(url), "postgresql://postgres@127.0.0.1:%d%s", relay->port, path);
	o.connect_timeout_s = 2;         /* libpq's minimum */
	assert_int_equal(store_open(url, &o, &s, err, sizeof(err)), ERR_OK);
	db = store_db(s);
	make_v(f);
	assert_int_equal(count_rows(db, &q_v_count), 0);

	/* The server "goes away": calls fail with ERR_UNAVAILABLE. The first
	 * reconnect waits out connect_timeout; after it failed, calls fail
	 * fast for a while rather than each waiting as long again. */
	relay->down = true;
	usleep(100000);
	log_set_quiet(1);
	assert_int_equal(db_query_int(db, &q_v_count, DB_NOARGS, &n), ERR_UNAVAILABLE);
	t0 = time_mono_us();
	assert_int_equal(db_query_int(db, &q_v_count, DB_NOARGS, &n), ERR_UNAVAILABLE);
	assert_true(time_mono_us() - t0 >= 1500000);
	t0 = time_mono_us();
	for (int i = 0; i < 50; i++)
		assert_int_equal(db_exec(db, &q_v_add, DB_ARGS(DB_INT(i), DB_INT(i)), NULL),
			ERR_UNAVAILABLE);
	assert_true(time_mono_us() - t0 < 500000);
	assert_int_equal(db_begin(db), ERR_UNAVAILABLE);
	assert_false(db_in_tx(db));
	assert_int_equal(store_ping(s), ERR_UNAVAILABLE);
	log_set_quiet(0);

	/* It comes back: after the back-off the same connection works. */
	relay->down = false;
	usleep(1100000);
	assert_int_equal(store_ping(s), ERR_OK);
	assert_int_equal(db_exec(db, &q_v_add, DB_ARGS(DB_INT(1), DB_INT(1)), NULL), ERR_OK);
	assert_int_equal(count_rows(db, &q_v_count), 1);
	store_close(s);
	relay_stop(relay);
}

/* ---------------------------------------------------------------- misc (no server) */

static void test_redact(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "postgresql://kith:s3cret@db.example:5432/kith",
		  "postgresql://kith:***@db.example:5432/kith" },
		{ "postgres://kith@db/kith", "postgres://kith@db/kith" },
		{ "postgresql://u:p%40ss@h/d?sslmode=require",
		  "postgresql://u:***@h/d?sslmode=require" },
		{ "postgresql://u@h/d?password=hunter2&sslmode=require",
		  "postgresql://u@h/d?password=***&sslmode=require" },
		{ "postgresql://h/d?sslmode=require&password=x",
		  "postgresql://h/d?sslmode=require&password=***" },
		{ "postgresql:///d?host=/run/pg", "postgresql:///d?host=/run/pg" },
		{ "sqlite:/var/lib/kith/kith.db", "sqlite:/var/lib/kith/kith.db" },
		{ "host=h password=pw dbname=d", "host=h password=*** dbname=d" },
		{ "postgresql://u@h/d?mypassword=x", "postgresql://u@h/d?mypassword=x" },
		{ "postgresql://a:b@c@h/d", "postgresql://a:***@h/d" },
	};
	UNUSED(state);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *got = store_redact_url(cases[i].in);
		assert_non_null(got);
		assert_string_equal(got, cases[i].out);
		free(got);
	}
}

static void test_open_errors(void **state)
{
	struct store *s = (struct store *)&s;
	char err[512];

	UNUSED(state);
	err[0] = '\0';
	assert_int_equal(store_open("mysql://x", NULL, &s, err, sizeof(err)), ERR_INVALID);
	assert_null(s);
	assert_non_null(strstr(err, "sqlite:PATH"));
	assert_int_equal(store_open("sqlite:", NULL, &s, err, sizeof(err)), ERR_INVALID);
	assert_int_equal(store_open(NULL, NULL, &s, err, sizeof(err)), ERR_INVALID);
	/* Nothing listens on port 1: unreachable, reported without the
	 * password, and the process carries on. */
	err[0] = '\0';
	assert_int_equal(store_open("postgresql://kith:s3cret@127.0.0.1:1/kith", NULL, &s,
		err, sizeof(err)), ERR_UNAVAILABLE);
	assert_null(s);
	assert_null(strstr(err, "s3cret"));
	assert_non_null(strstr(err, "kith:***@127.0.0.1:1"));
	assert_null(strchr(err, '\n'));
	/* A file that cannot be created. */
	assert_int_equal(store_open("sqlite:/proc/kith-no/x.db", NULL, &s, err, sizeof(err)),
		ERR_UNAVAILABLE);
	assert_null(s);
}

static const struct sql q_journal = { "t.journal", "PRAGMA journal_mode", NULL };
static const struct sql q_fk = { "t.fk", "PRAGMA foreign_keys", NULL };
static const struct sql q_sync = { "t.sync", "PRAGMA synchronous", NULL };
static const struct sql q_busy = { "t.busy", "PRAGMA busy_timeout", NULL };

static void test_sqlite_settings(void **state)
{
	char dir[256], path[300], url[320], err[256];
	struct store_opts o = { .busy_timeout_ms = 1234, .synchronous = 1 };
	struct store *s;
	struct db *db;
	struct db_res *r;
	int64_t v = 0;

	UNUSED(state);
	/* Two missing directory levels: both are created. */
	snprintf(dir, sizeof(dir), "/tmp/kith-test-store-%d-settings", (int)getpid());
	snprintf(path, sizeof(path), "%s/sub/kith.db", dir);
	snprintf(url, sizeof(url), "sqlite:%s", path);
	assert_int_equal(store_open(url, &o, &s, err, sizeof(err)), ERR_OK);
	assert_int_equal(store_backend(s), DB_SQLITE);
	assert_string_equal(store_url_redacted(s), url);
	db = store_db(s);
	assert_int_equal(db_backend(db), DB_SQLITE);
	assert_int_equal(db_query(db, &q_journal, DB_NOARGS, &r), ERR_OK);
	assert_int_equal(db_next(r), ERR_OK);
	assert_string_equal(db_text(r, 0), "wal");
	db_res_free(r);
	assert_int_equal(db_query_int(db, &q_fk, DB_NOARGS, &v), ERR_OK);
	assert_int_equal(v, 1);
	assert_int_equal(db_query_int(db, &q_sync, DB_NOARGS, &v), ERR_OK);
	assert_int_equal(v, 1);
	assert_int_equal(db_query_int(db, &q_busy, DB_NOARGS, &v), ERR_OK);
	assert_int_equal(v, 1234);
	assert_int_equal(store_ping(s), ERR_OK);
	store_close(s);

	/* Defaults: synchronous FULL, busy timeout 5 s. */
	assert_int_equal(store_open(url, NULL, &s, err, sizeof(err)), ERR_OK);
	db = store_db(s);
	assert_int_equal(db_query_int(db, &q_sync, DB_NOARGS, &v), ERR_OK);
	assert_int_equal(v, 2);
	assert_int_equal(db_query_int(db, &q_busy, DB_NOARGS, &v), ERR_OK);
	assert_int_equal(v, 5000);
	store_close(s);

	char p[400];
	static const char *const files[] = { "kith.db", "kith.db-wal", "kith.db-shm" };
	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		snprintf(p, sizeof(p), "%s/sub/%s", dir, files[i]);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/sub", dir);
	assert_int_equal(rmdir(p), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_sqlite_memory(void **state)
{
	static const struct sql q_mem = { "t.mem", "SELECT count(*) FROM m", NULL };
	struct store *s;
	struct db *db;
	char err[256];

	UNUSED(state);
	assert_int_equal(store_open("sqlite::memory:", NULL, &s, err, sizeof(err)), ERR_OK);
	db = store_db(s);
	assert_int_equal(db_exec_script(db, "CREATE TABLE m (x BIGINT); INSERT INTO m VALUES (1)"),
		ERR_OK);
	assert_int_equal(count_rows(db, &q_mem), 1);
	/* Each connection is its own memory database: a new one is empty. */
	store_db_release(s);
	db = store_db(s);
	log_set_quiet(1);
	int64_t v;
	assert_int_equal(db_query_int(db, &q_mem, DB_NOARGS, &v), ERR_INTERNAL);
	log_set_quiet(0);
	store_close(s);
}

/* ---------------------------------------------------------------- main */

int main(void)
{
	const struct CMUnitTest backend_tests[] = {
		cmocka_unit_test_setup_teardown(test_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_params_repeated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_booleans_and_reals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_int, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_constraints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_statements, setup, teardown),
		cmocka_unit_test_setup_teardown(test_script, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_after_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_isolation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stmt_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stmt_cache_eviction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pg_reconnect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pg_outage, setup, teardown),
	};
	const struct CMUnitTest misc_tests[] = {
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_sqlite_settings),
		cmocka_unit_test(test_sqlite_memory),
	};
	int failed = 0;

	log_set_level(LOG_WARN);
	failed += cmocka_run_group_tests_name("store misc", misc_tests, NULL, NULL);
	group_backend = DB_SQLITE;
	failed += cmocka_run_group_tests_name("store sqlite", backend_tests, NULL, NULL);
	if (getenv("KITH_TEST_PG_URL") && *getenv("KITH_TEST_PG_URL")) {
		group_backend = DB_POSTGRES;
		failed += cmocka_run_group_tests_name("store postgresql", backend_tests, NULL, NULL);
	} else {
		printf("test_store: PostgreSQL tests skipped (KITH_TEST_PG_URL is not set)\n");
	}
	return failed ? 1 : 0;
}
