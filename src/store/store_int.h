/*
 * store_int.h - what store.c shares with its two backends (store_sqlite.c,
 * store_pg.c) and with migrate.c. Not part of the public API: feature code
 * includes store/store.h only. Tests may include this for the cache hooks.
 *
 * store.c owns everything that does not depend on the backend: the URL,
 * the per-thread connections, argument checks, transaction bookkeeping and
 * the prepared-statement cache. A backend is a table of functions
 * (struct db_ops); its connection and cursor structs start with struct db
 * and struct db_res so store.c can reach the common fields.
 */
#ifndef KITH_STORE_INT_H
#define KITH_STORE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define STORE_DEFAULT_BUSY_MS     5000
#define STORE_DEFAULT_SYNCHRONOUS 2
#define STORE_DEFAULT_CONNECT_S   5
#define STORE_DEFAULT_STMT_CACHE  256
#define STORE_MAX_STMT_CACHE      65536
/* PostgreSQL's limit on bind parameters; SQLite's default is lower still
 * (32766) but no kith statement comes near either. */
#define STORE_MAX_ARGS            65535

struct db_ops;

struct store {
	enum db_backend backend;
	const struct db_ops *ops;
	char *url;             /* as given; may hold a password: never log it */
	char *redacted;        /* url with the password replaced by "***" */
	char *path;            /* SQLite: the file name passed to sqlite3_open_v2 */
	struct store_opts opts;
	pthread_key_t key;     /* this thread's struct db */
	pthread_mutex_t mu;    /* guards conns */
	struct db *conns;      /* every live connection, for store_close */
};

/* One cached prepared statement. stmt is the sqlite3_stmt; PostgreSQL uses
 * id for the statement's server-side name ("k<id>"). */
struct stmt_entry {
	const struct sql *key;
	void *stmt;
	unsigned id;
	int busy;                          /* open cursors using stmt */
	struct stmt_entry *hnext;          /* hash chain */
	struct stmt_entry *newer, *older;  /* LRU list */
};

/* A bounded map from struct sql address to prepared statement, evicting the
 * least recently used entry that no open cursor is using. drop() releases a
 * statement's backend resources when it is evicted or cleared. */
struct stmt_cache {
	struct stmt_entry **buckets;
	size_t nbuckets;        /* power of two */
	size_t count, cap;
	struct stmt_entry *newest, *oldest;
	void (*drop)(void *ctx, struct stmt_entry *e);
	void *ctx;
};

/* Common head of a backend's connection struct. */
struct db {
	struct store *s;
	struct db *prev, *next;   /* in s->conns, under s->mu */
	bool in_tx;
	/* The connection was lost (and re-made) inside a transaction: every
	 * statement fails with ERR_UNAVAILABLE until the caller rolls back,
	 * so nothing half of a transaction is autocommitted on the new one. */
	bool tx_lost;
	/* A read transaction begun (in_tx) whose BEGIN has not been sent
	 * yet: it is sent before the first statement that needs it (see
	 * db_ops.outside_tx), and commit or rollback of a transaction that
	 * never sent it sends nothing. */
	bool tx_deferred;
	bool read_tx;             /* the open transaction is db_begin_read's */
	/* db_tx_memo(): one value kept until the read transaction ends. */
	const void *memo_key;
	void *memo;
	void (*memo_free)(void *);
	struct stmt_cache cache;
	/* db_after_commit(): what to run when the transaction commits. */
	struct { void (*fn)(void *); void *arg; } after[DB_AFTER_COMMIT_MAX];
	size_t nafter;
	/* Statements sent to the database (db_stmt_count). */
	uint64_t nstmt;
};

/* Common head of a backend's cursor struct. */
struct db_res {
	struct db *db;
	bool row;       /* positioned on a row */
	bool done;      /* past the last row, or failed */
	int ncols;
};

struct db_ops {
	enum err (*open)(struct store *s, struct db **out, char *errbuf, size_t errlen);
	void (*close)(struct db *db);
	enum err (*exec)(struct db *db, const struct sql *q,
			const struct db_val *args, size_t nargs, int64_t *changes);
	enum err (*query)(struct db *db, const struct sql *q,
			const struct db_val *args, size_t nargs, struct db_res **out);
	enum err (*next)(struct db_res *r);
	bool (*isnull)(const struct db_res *r, int col);
	const char *(*text)(const struct db_res *r, int col);
	size_t (*len)(const struct db_res *r, int col);
	int64_t (*i64)(const struct db_res *r, int col);
	double (*real)(const struct db_res *r, int col);
	const void *(*blob)(struct db_res *r, int col, size_t *n);
	const char *(*colname)(const struct db_res *r, int col);
	void (*res_free)(struct db_res *r);
	/* begin: write true for db_begin. commit: leaves no transaction open,
	 * rolling back itself when the commit fails. */
	enum err (*begin)(struct db *db, bool write);
	enum err (*commit)(struct db *db);
	enum err (*rollback)(struct db *db);
	enum err (*exec_script)(struct db *db, const char *sql);
	/* May q, in a read transaction whose BEGIN is not yet sent, run on
	 * its own instead, seeing exactly what it would have seen inside?
	 * NULL: never (every read transaction sends BEGIN before its first
	 * statement). */
	bool (*outside_tx)(struct db *db, const struct sql *q);
	enum err (*backup)(struct db *db, const char *path, char *errbuf, size_t errlen);
};

extern const struct db_ops store_sqlite_ops;
extern const struct db_ops store_pg_ops;

/* The prepared-statement cache (store.c). */
bool stmt_cache_init(struct stmt_cache *c, size_t cap,
		void (*drop)(void *ctx, struct stmt_entry *e), void *ctx);
/* The entry for q, made most recently used; NULL when not cached. */
struct stmt_entry *stmt_cache_get(struct stmt_cache *c, const struct sql *q);
/* Adds q (not yet cached) with its statement, evicting the least recently
 * used idle entry when full. NULL when every entry is busy or memory is
 * short: the caller then uses stmt uncached and frees it itself. */
struct stmt_entry *stmt_cache_put(struct stmt_cache *c, const struct sql *q,
		void *stmt, unsigned id);
/* Removes every entry; call_drop false forgets them without calling drop
 * (PostgreSQL after a reconnect: the server already forgot them). */
void stmt_cache_clear(struct stmt_cache *c, bool call_drop);
/* Removes q's entry (when cached and idle), calling drop. */
void stmt_cache_remove(struct stmt_cache *c, const struct sql *q);
void stmt_cache_release(struct stmt_cache *c);
/* Test hook: statements cached on this connection. */
size_t db_stmt_cached(const struct db *db);

/* url with any password replaced by "***" (malloc'd; NULL when out of
 * memory). Exposed for tests. */
char *store_redact_url(const char *url);
/* Writes a formatted one-line message to errbuf (may be NULL). */
void store_errf(char *errbuf, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* mkdir -p of the directory part of path (mode 0700 for new ones). */
int store_mkdir_parent(const char *path);

/* Migrations (migrate.c): the dialect tokens substituted for backend. The
 * result is malloc'd; NULL when out of memory. */
char *migrate_dialect(enum db_backend backend, const char *sql, size_t len);

#endif
