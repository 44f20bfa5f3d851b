/*
 * store.h - the one database interface, over SQLite and PostgreSQL.
 *
 * A struct store is the process-wide handle (backend, location, options); a
 * struct db is one connection, used by one thread at a time. Each thread
 * that touches the database gets its own connection from store_db(), opened
 * on first use and closed when the thread exits or the store is closed, so
 * handlers never share a connection and never lock around one.
 *
 * SQL is written once, in the subset both backends accept, with $1, $2, ...
 * placeholders (SQLite binds "$N" by name, so any order and repeats work).
 * Where the backends truly differ, a struct sql carries a PostgreSQL
 * override. Each feature keeps its statements in one const table in x_db.c:
 *
 *   static const struct sql q_find = {
 *       "service.find", "SELECT id, name FROM service WHERE id = $1", NULL };
 *
 *   struct db_res *r;
 *   enum err e = db_query(db, &q_find, DB_ARGS(DB_TEXT(id)), &r);
 *   if (e) return e;
 *   while ((e = db_next(r)) == ERR_OK && db_row(r)) {
 *       const char *name = db_text(r, 1);
 *   }
 *   db_res_free(r);
 *
 * Statements are prepared once per connection and cached, keyed by the
 * address of the struct sql (so struct sql must have static storage).
 *
 * Values: integers are int64, booleans are integers 0/1, times are Unix
 * seconds (int64) computed in C (never now() in SQL, so tests can pin the
 * clock), ids are integers or UUID text. Text is UTF-8.
 *
 * Errors: ERR_CONFLICT for a unique or primary-key violation, ERR_INVALID
 * for other constraint violations (foreign key, check, not null),
 * ERR_UNAVAILABLE when the database cannot be reached (the connection is
 * reset and the next call tries again; the process never exits),
 * ERR_INTERNAL for anything else (bad SQL). Details go to the log, never
 * to the caller.
 */
#ifndef KITH_STORE_H
#define KITH_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/err.h"

enum db_backend { DB_SQLITE, DB_POSTGRES };

struct store_opts {
	int busy_timeout_ms;     /* SQLite: wait this long for a lock (default 5000) */
	int synchronous;         /* SQLite PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL (default) */
	int connect_timeout_s;   /* PostgreSQL connect_timeout (default 5) */
	int stmt_cache;          /* prepared statements kept per connection (default 256) */
};

struct store;
struct db;
struct db_res;

/* A statement. name is for logs and the PostgreSQL prepared-statement name;
 * pg, when not NULL, replaces text on PostgreSQL. */
struct sql {
	const char *name;
	const char *text;
	const char *pg;
};

enum db_type { DBV_NULL, DBV_INT, DBV_REAL, DBV_TEXT, DBV_BLOB };

struct db_val {
	enum db_type t;
	int64_t i;
	double d;
	const void *p;   /* TEXT and BLOB; TEXT need not be NUL-terminated */
	size_t n;
};

#define DB_NULL         ((struct db_val){ .t = DBV_NULL })
#define DB_INT(x)       ((struct db_val){ .t = DBV_INT, .i = (int64_t)(x) })
#define DB_REAL(x)      ((struct db_val){ .t = DBV_REAL, .d = (double)(x) })
#define DB_BOOL(x)      ((struct db_val){ .t = DBV_INT, .i = (x) ? 1 : 0 })
#define DB_TEXTN(s, len) ((struct db_val){ .t = DBV_TEXT, .p = (s), .n = (len) })
/* NULL when s is NULL. */
#define DB_TEXT(s)      db_text_val(s)
#define DB_BLOB(s, len) ((struct db_val){ .t = DBV_BLOB, .p = (s), .n = (len) })
/* An argument list: DB_ARGS(DB_INT(1), DB_TEXT("x")) expands to the pointer
 * and the count db_exec and db_query take. DB_NOARGS for none. */
#define DB_ARGS(...) (const struct db_val[]){ __VA_ARGS__ }, \
	(sizeof((const struct db_val[]){ __VA_ARGS__ }) / sizeof(struct db_val))
#define DB_NOARGS NULL, 0

struct db_val db_text_val(const char *s);
/* "" and NULL both as SQL NULL (optional text columns). */
struct db_val db_text_or_null(const char *s);

/* Opens a store from a URL: "sqlite:PATH" (the file and its directory are
 * created if missing), "sqlite::memory:" (tests), or "postgresql://..." /
 * "postgres://..." (libpq conninfo URL). opts may be NULL for defaults.
 * Checks that the database is reachable by opening the calling thread's
 * connection; on failure writes a one-line reason (no password) to errbuf. */
enum err store_open(const char *url, const struct store_opts *opts,
		struct store **out, char *errbuf, size_t errlen);
/* Closes every connection this store opened, on every thread. Call after
 * the threads that used it have stopped. */
void store_close(struct store *s);
enum db_backend store_backend(const struct store *s);
/* The URL with any password replaced by "***", for logs. */
const char *store_url_redacted(const struct store *s);

/* The calling thread's connection, opened on first use. NULL when the
 * database cannot be reached (logged); callers return ERR_UNAVAILABLE. */
struct db *store_db(struct store *s);
/* Closes the calling thread's connection now (before a thread exits, or
 * in tests). */
void store_db_release(struct store *s);
/* Is the database reachable? Runs "SELECT 1" on this thread's connection,
 * reconnecting if needed. For /healthz. */
enum err store_ping(struct store *s);

enum db_backend db_backend(const struct db *db);

/* Runs a statement that returns no rows. changes, when not NULL, receives
 * the number of rows inserted, updated or deleted. */
enum err db_exec(struct db *db, const struct sql *q,
		const struct db_val *args, size_t nargs, int64_t *changes);
/* Runs a query. *out is a cursor positioned before the first row; call
 * db_next() to advance. Free it with db_res_free() before the next
 * statement on this connection that uses the same struct sql. */
enum err db_query(struct db *db, const struct sql *q,
		const struct db_val *args, size_t nargs, struct db_res **out);
/* Advances to the next row. Returns ERR_OK with db_row() true when there is
 * a row, ERR_OK with db_row() false at the end, or an error. */
enum err db_next(struct db_res *r);
bool db_row(const struct db_res *r);
int db_ncols(const struct db_res *r);
/* Column values of the current row, by 0-based index. Pointers are valid
 * until the next db_next() or db_res_free(). db_text of NULL is NULL. */
bool db_isnull(const struct db_res *r, int col);
const char *db_text(const struct db_res *r, int col);
size_t db_len(const struct db_res *r, int col);
/* A copy of column col in a (all db_len bytes), NULL for SQL NULL; when a
 * is out of memory also NULL, with *oom set (oom may be NULL). */
char *db_dup(struct arena *a, const struct db_res *r, int col, bool *oom);
int64_t db_int(const struct db_res *r, int col);
double db_real(const struct db_res *r, int col);
/* Bytes of a BLOB/BYTEA column; *n receives the length. */
const void *db_blob(struct db_res *r, int col, size_t *n);
const char *db_colname(const struct db_res *r, int col);
void db_res_free(struct db_res *r);

/* Runs a query that finds one row: *out is on that row (read it, then
 * db_res_free). ERR_NOT_FOUND when there is none, or another error; *out
 * is then NULL and there is nothing to free. */
enum err db_query_one(struct db *db, const struct sql *q,
		const struct db_val *args, size_t nargs, struct db_res **out);
/* Convenience: runs q and reads the first column of the first row as an
 * integer. ERR_NOT_FOUND when there is no row (or the value is NULL, as
 * from max() over no rows). */
enum err db_query_int(struct db *db, const struct sql *q,
		const struct db_val *args, size_t nargs, int64_t *out);

/* A list for the API and pages: runs q and collects row(r, ctx) for each
 * row (NULL from row means out of memory) into a new array that *out then
 * owns. On any error *out is NULL and nothing is kept. */
typedef json_t *db_row_json_fn(struct db_res *r, void *ctx);
enum err db_rows_json(struct db *db, const struct sql *q, const struct db_val *args,
		size_t nargs, db_row_json_fn *row, void *ctx, json_t **out);
/* A column as JSON, null when the column is NULL (new references). */
json_t *db_json_text(const struct db_res *r, int col);
json_t *db_json_int(const struct db_res *r, int col);

/* Transactions. db_begin() starts a write transaction (SQLite: BEGIN
 * IMMEDIATE, so a writer waits for the lock up front rather than failing at
 * commit). db_begin_read() starts a read transaction (SQLite: BEGIN DEFERRED;
 * PostgreSQL: BEGIN READ ONLY), sending its BEGIN only with the first
 * statement, so one that runs none costs nothing; on PostgreSQL under
 * READ COMMITTED (the default) plain SELECTs run on their own until a
 * statement that is not one needs the transaction. Nesting is not supported: a second begin is
 * ERR_INTERNAL. db_rollback() is safe to call when no transaction is open. */
enum err db_begin(struct db *db);
enum err db_begin_read(struct db *db);
enum err db_commit(struct db *db);
enum err db_rollback(struct db *db);
bool db_in_tx(const struct db *db);

/* Statements this connection has sent to the database so far: each
 * db_exec, db_query and db_exec_script, and each BEGIN, COMMIT and
 * ROLLBACK actually sent (on PostgreSQL each is one round trip). Read it
 * before and after a request to count that request's round trips. */
uint64_t db_stmt_count(const struct db *db);

/* Is the open transaction a read transaction (db_begin_read)? */
bool db_in_read_tx(const struct db *db);
/* One value kept for the rest of the open read transaction, for a read a
 * request makes twice (the service page reads its service for the policy,
 * then for the view). db_tx_memo() returns what was put under key (a
 * static address), or NULL. db_tx_memo_put() keeps p in place of what was
 * kept before (freed with its free_fn); the store calls free_fn(p) when
 * the transaction ends, when any db_exec runs in it (a write could change
 * what was read), or at once when no read transaction is open. */
void *db_tx_memo(struct db *db, const void *key);
void db_tx_memo_put(struct db *db, const void *key, void *p, void (*free_fn)(void *));

/* Runs fn(arg) once the open transaction has committed, or at once when
 * none is open; a rollback forgets it. The same fn and arg asked for twice
 * in one transaction run once. For what must follow a commit and never
 * precede it (waking the worker to send the email a transaction queued).
 * ERR_NOMEM past DB_AFTER_COMMIT_MAX different ones in one transaction. */
#define DB_AFTER_COMMIT_MAX 8
enum err db_after_commit(struct db *db, void (*fn)(void *arg), void *arg);

/* Runs SQL text with no parameters and no results, possibly several
 * statements separated by semicolons (migrations). Not cached. */
enum err db_exec_script(struct db *db, const char *sql);

/* Migrations: the numbered SQL files under migrations/, compiled into the
 * binary (see migrate.c for the dialect tokens). store_migrate applies the
 * ones not yet applied, each in its own transaction, recording version,
 * name and SHA-256 checksum in schema_migrations. It refuses, with a message
 * in errbuf, a database whose newest migration is newer than this binary's,
 * or one where an applied migration's checksum differs. applied (may be
 * NULL) receives how many were applied. */
enum err store_migrate(struct store *s, int *applied, char *errbuf, size_t errlen);
/* Number of migrations pending (0 when up to date); errors as above. */
enum err store_migrations_pending(struct store *s, int *pending, char *errbuf, size_t errlen);

/* The same over an explicit list of files (names and text as they would be
 * in migrations/) instead of the embedded ones: for tests. A badly named
 * file, two files with one number, or a backend-specific file without a
 * counterpart for the other backend is ERR_INTERNAL with a message. */
struct embedded_file;
enum err store_migrate_files(struct store *s, const struct embedded_file *files,
		size_t n, int *applied, char *errbuf, size_t errlen);
enum err store_migrations_pending_files(struct store *s,
		const struct embedded_file *files, size_t n, int *pending,
		char *errbuf, size_t errlen);

/* Online backup to a new SQLite file (SQLite backup API), consistent while
 * the server runs. On PostgreSQL returns ERR_INVALID with a message naming
 * pg_dump. */
enum err store_backup(struct store *s, const char *path, char *errbuf, size_t errlen);

#endif
