/*
 * store_sqlite.c - the SQLite backend.
 *
 * One sqlite3 handle per thread, opened SQLITE_OPEN_NOMUTEX (the store never
 * shares a connection between threads, so SQLite's per-connection mutex is
 * pure cost), in WAL mode so readers never block the writer, with a busy
 * timeout so writers queue for the lock instead of failing. A lock still
 * held after the timeout is ERR_UNAVAILABLE.
 *
 * Statements are prepared once per connection and cached by struct sql
 * address. A cursor holds its statement until db_res_free(); a second use of
 * the same struct sql while a cursor is open (a nested loop) gets a fresh,
 * uncached statement that dies with its cursor.
 *
 * "$N" placeholders are named parameters to SQLite, numbered by first
 * appearance, so each is bound by parsing N out of its name: any order and
 * repeats work, as on PostgreSQL.
 */
#include "core/common.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <unistd.h>

#include "core/log.h"
#include "core/str.h"
#include "store/store_int.h"

struct sdb {
	struct db base;
	sqlite3 *h;
};

struct sres {
	struct db_res base;
	sqlite3_stmt *st;
	struct stmt_entry *e;      /* NULL: st is uncached, finalize it */
	const struct sql *q;
};

static const struct sql q_begin_write = { "store.begin", "BEGIN IMMEDIATE", NULL };
static const struct sql q_begin_read = { "store.begin_read", "BEGIN DEFERRED", NULL };
static const struct sql q_commit = { "store.commit", "COMMIT", NULL };
static const struct sql q_rollback = { "store.rollback", "ROLLBACK", NULL };

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

/* SQLite's memory statistics take a global mutex on every allocation; kith
 * does not read them. This must run before sqlite3_initialize(). */
static void global_init(void)
{
	if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
		log_debug("store: sqlite was initialised before kith could configure it");
	sqlite3_initialize();
}

/* Maps a result code to an enum err and logs the detail. SQLite's messages
 * name tables and columns, never values. */
static enum err sq_err(struct sdb *d, int rc, const char *what)
{
	enum log_level lvl = LOG_ERROR;
	enum err e;

	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		e = (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			? ERR_CONFLICT : ERR_INVALID;
		/* A duplicate is an answer callers expect ("that email is
		 * taken"), not a fault. */
		lvl = e == ERR_CONFLICT ? LOG_DEBUG : LOG_WARN;
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_CANTOPEN:
		e = ERR_UNAVAILABLE;
		break;
	case SQLITE_NOMEM:
		e = ERR_NOMEM;
		break;
	default:
		e = ERR_INTERNAL;
		break;
	}
	log_msg(lvl, NULL, "store: sqlite: %s: %s (%s)", what,
		d->h ? sqlite3_errmsg(d->h) : "-", sqlite3_errstr(rc));
	return e;
}

static void drop_stmt(void *ctx, struct stmt_entry *e)
{
	UNUSED(ctx);
	sqlite3_finalize(e->stmt);
}

static int pragma_row(void *arg, int ncols, char **vals, char **names)
{
	UNUSED(names);
	if (ncols > 0 && vals[0])
		str_copy(arg, 16, vals[0]);
	return 0;
}

static enum err sq_open(struct store *s, struct db **out, char *errbuf, size_t errlen)
{
	struct sdb *d;
	char pragma[64], mode[16] = "";
	int rc;
	bool memory = strcmp(s->path, ":memory:") == 0;

	pthread_once(&global_once, global_init);
	if (!memory && store_mkdir_parent(s->path) != 0) {
		store_errf(errbuf, errlen, "cannot create the directory for %s: %s",
			s->path, strerror(errno));
		return ERR_UNAVAILABLE;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return ERR_NOMEM;
	rc = sqlite3_open_v2(s->path, &d->h,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		store_errf(errbuf, errlen, "cannot open the database %s: %s", s->path,
			d->h ? sqlite3_errmsg(d->h) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(d->h, 1);
	/* The timeout first: switching to WAL needs a lock another process
	 * opening the same file may hold for a moment. */
	sqlite3_busy_timeout(d->h, s->opts.busy_timeout_ms);
	rc = sqlite3_exec(d->h, "PRAGMA journal_mode=WAL", pragma_row, mode, NULL);
	if (rc != SQLITE_OK)
		goto pragma_fail;
	if (strcmp(mode, "wal") != 0 && !memory)
		log_warn("store: sqlite: %s is in journal mode %s, not WAL", s->path, mode);
	snprintf(pragma, sizeof(pragma), "PRAGMA foreign_keys=ON; PRAGMA synchronous=%d",
		s->opts.synchronous);
	rc = sqlite3_exec(d->h, pragma, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		goto pragma_fail;
	if (!stmt_cache_init(&d->base.cache, (size_t)s->opts.stmt_cache, drop_stmt, d)) {
		store_errf(errbuf, errlen, "out of memory");
		sqlite3_close(d->h);
		free(d);
		return ERR_NOMEM;
	}
	*out = &d->base;
	return ERR_OK;
pragma_fail:
	store_errf(errbuf, errlen, "cannot set up the database %s: %s", s->path,
		sqlite3_errmsg(d->h));
fail:
	sqlite3_close(d->h);
	free(d);
	return ERR_UNAVAILABLE;
}

static void sq_close(struct db *db)
{
	struct sdb *d = (struct sdb *)db;

	stmt_cache_clear(&db->cache, true);
	stmt_cache_release(&db->cache);
	/* close_v2: a statement still held by a cursor someone forgot to free
	 * does not keep the file open forever. */
	if (sqlite3_close_v2(d->h) != SQLITE_OK)
		log_warn("store: sqlite: close: %s", sqlite3_errmsg(d->h));
	free(d);
}

static enum err sq_prepare(struct sdb *d, const struct sql *q, bool persistent,
		sqlite3_stmt **st)
{
	const char *tail = NULL;
	int rc;

	*st = NULL;
	rc = sqlite3_prepare_v3(d->h, q->text, -1,
		persistent ? SQLITE_PREPARE_PERSISTENT : 0, st, &tail);
	if (rc != SQLITE_OK)
		return sq_err(d, rc, q->name);
	if (!*st) {
		log_error("store: sqlite: %s: the statement is empty", q->name);
		return ERR_INTERNAL;
	}
	while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' ||
			*tail == '\r' || *tail == ';'))
		tail++;
	if (tail && *tail) {
		/* Only the first would run: a mistake, caught on first use. */
		log_error("store: sqlite: %s: holds more than one statement", q->name);
		sqlite3_finalize(*st);
		*st = NULL;
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

/* The statement for q: the cached one when it is idle, else a fresh one.
 * *ent is the cache entry now marked busy, or NULL for an uncached one. */
static enum err sq_stmt(struct sdb *d, const struct sql *q, sqlite3_stmt **st,
		struct stmt_entry **ent)
{
	struct stmt_entry *e = stmt_cache_get(&d->base.cache, q);
	enum err err;

	*ent = NULL;
	if (e && !e->busy) {
		e->busy++;
		*st = e->stmt;
		*ent = e;
		return ERR_OK;
	}
	if (e)          /* held by an open cursor: a nested use */
		return sq_prepare(d, q, false, st);
	err = sq_prepare(d, q, true, st);
	if (err)
		return err;
	e = stmt_cache_put(&d->base.cache, q, *st, 0);
	if (e) {
		e->busy++;
		*ent = e;
	}
	return ERR_OK;
}

static void sq_unstmt(sqlite3_stmt *st, struct stmt_entry *e)
{
	if (e) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		e->busy--;
	} else {
		sqlite3_finalize(st);
	}
}

static int bind_one(sqlite3_stmt *st, int i, const struct db_val *v)
{
	switch (v->t) {
	case DBV_INT:
		return sqlite3_bind_int64(st, i, v->i);
	case DBV_REAL:
		return sqlite3_bind_double(st, i, v->d);
	case DBV_TEXT:
		/* A NULL pointer would bind SQL NULL: empty text is not NULL. */
		return sqlite3_bind_text64(st, i, v->n ? v->p : "", v->n,
			SQLITE_TRANSIENT, SQLITE_UTF8);
	case DBV_BLOB:
		if (v->n == 0)
			return sqlite3_bind_zeroblob(st, i, 0);
		return sqlite3_bind_blob64(st, i, v->p, v->n, SQLITE_TRANSIENT);
	case DBV_NULL:
	default:
		return sqlite3_bind_null(st, i);
	}
}

static enum err sq_bind(struct sdb *d, const struct sql *q, sqlite3_stmt *st,
		const struct db_val *args, size_t nargs)
{
	int np = sqlite3_bind_parameter_count(st);
	int64_t maxn = 0;

	for (int i = 1; i <= np; i++) {
		const char *name = sqlite3_bind_parameter_name(st, i);
		int64_t n;
		int rc;

		if (!name || name[0] != '$' ||
		    !str_to_i64(str_c(name + 1), 1, STORE_MAX_ARGS, &n)) {
			log_error("store: sqlite: %s: parameter %d is not $N", q->name, i);
			return ERR_INTERNAL;
		}
		if ((size_t)n > nargs) {
			log_error("store: sqlite: %s: uses $%lld but was given %zu arguments",
				q->name, (long long)n, nargs);
			return ERR_INTERNAL;
		}
		if (n > maxn)
			maxn = n;
		rc = bind_one(st, i, &args[n - 1]);
		if (rc != SQLITE_OK)
			return sq_err(d, rc, q->name);
	}
	/* PostgreSQL refuses a count that does not match; so do we, so that a
	 * mistake shows up on either backend. */
	if ((size_t)maxn != nargs) {
		log_error("store: sqlite: %s: was given %zu arguments for %lld parameters",
			q->name, nargs, (long long)maxn);
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

static enum err sq_exec(struct db *db, const struct sql *q,
		const struct db_val *args, size_t nargs, int64_t *changes)
{
	struct sdb *d = (struct sdb *)db;
	struct stmt_entry *ent;
	sqlite3_stmt *st;
	sqlite3_int64 before;
	enum err e;
	int rc;

	e = sq_stmt(d, q, &st, &ent);
	if (e)
		return e;
	e = sq_bind(d, q, st, args, nargs);
	if (e == ERR_OK) {
		before = sqlite3_total_changes64(d->h);
		/* Rows from a RETURNING clause or a SELECT are read and dropped. */
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
		if (rc != SQLITE_DONE)
			e = sq_err(d, rc, q->name);
		else if (changes)
			/* sqlite3_changes() keeps the count of the last statement
			 * that changed rows, so ask only when this one did. */
			*changes = sqlite3_total_changes64(d->h) != before
				? sqlite3_changes64(d->h) : 0;
	}
	sq_unstmt(st, ent);
	return e;
}

static enum err sq_query(struct db *db, const struct sql *q,
		const struct db_val *args, size_t nargs, struct db_res **out)
{
	struct sdb *d = (struct sdb *)db;
	struct sres *r;
	enum err e;

	r = calloc(1, sizeof(*r));
	if (!r)
		return ERR_NOMEM;
	e = sq_stmt(d, q, &r->st, &r->e);
	if (e) {
		free(r);
		return e;
	}
	e = sq_bind(d, q, r->st, args, nargs);
	if (e) {
		sq_unstmt(r->st, r->e);
		free(r);
		return e;
	}
	r->base.db = db;
	r->base.ncols = sqlite3_column_count(r->st);
	r->q = q;
	*out = &r->base;
	return ERR_OK;
}

static enum err sq_next(struct db_res *res)
{
	struct sres *r = (struct sres *)res;
	int rc = sqlite3_step(r->st);
	enum err e;

	if (rc == SQLITE_ROW) {
		res->row = true;
		return ERR_OK;
	}
	res->row = false;
	res->done = true;
	e = rc == SQLITE_DONE ? ERR_OK : sq_err((struct sdb *)res->db, rc, r->q->name);
	/* Reset now, not at db_res_free: a finished statement should not
	 * keep its read snapshot while the caller works on. */
	sqlite3_reset(r->st);
	return e;
}

static bool sq_isnull(const struct db_res *res, int col)
{
	return sqlite3_column_type(((const struct sres *)res)->st, col) == SQLITE_NULL;
}

static const char *sq_text(const struct db_res *res, int col)
{
	sqlite3_stmt *st = ((const struct sres *)res)->st;

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return NULL;
	return (const char *)sqlite3_column_text(st, col);
}

static size_t sq_len(const struct db_res *res, int col)
{
	sqlite3_stmt *st = ((const struct sres *)res)->st;

	switch (sqlite3_column_type(st, col)) {
	case SQLITE_NULL:
		return 0;
	case SQLITE_BLOB:
		sqlite3_column_blob(st, col);
		break;
	default:
		/* Convert first: the length is that of the text form. */
		sqlite3_column_text(st, col);
		break;
	}
	return (size_t)sqlite3_column_bytes(st, col);
}

static int64_t sq_i64(const struct db_res *res, int col)
{
	return sqlite3_column_int64(((const struct sres *)res)->st, col);
}

static double sq_real(const struct db_res *res, int col)
{
	return sqlite3_column_double(((const struct sres *)res)->st, col);
}

static const void *sq_blob(struct db_res *res, int col, size_t *n)
{
	sqlite3_stmt *st = ((struct sres *)res)->st;
	const void *p;

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return NULL;
	p = sqlite3_column_blob(st, col);
	*n = (size_t)sqlite3_column_bytes(st, col);
	/* SQLite gives NULL for an empty blob; an empty blob is not NULL. */
	return p ? p : "";
}

static const char *sq_colname(const struct db_res *res, int col)
{
	return sqlite3_column_name(((const struct sres *)res)->st, col);
}

static void sq_res_free(struct db_res *res)
{
	struct sres *r = (struct sres *)res;

	sq_unstmt(r->st, r->e);
	free(r);
}

static enum err sq_begin(struct db *db, bool write)
{
	return sq_exec(db, write ? &q_begin_write : &q_begin_read, NULL, 0, NULL);
}

static enum err sq_rollback(struct db *db)
{
	struct sdb *d = (struct sdb *)db;

	/* Some errors (SQLITE_FULL, IOERR, NOMEM, BUSY in places) roll the
	 * transaction back by themselves. */
	if (sqlite3_get_autocommit(d->h))
		return ERR_OK;
	return sq_exec(db, &q_rollback, NULL, 0, NULL);
}

static enum err sq_commit(struct db *db)
{
	struct sdb *d = (struct sdb *)db;
	enum err e = sq_exec(db, &q_commit, NULL, 0, NULL);

	if (e && !sqlite3_get_autocommit(d->h))
		sq_rollback(db);
	return e;
}

static enum err sq_exec_script(struct db *db, const char *sql)
{
	struct sdb *d = (struct sdb *)db;
	int rc = sqlite3_exec(d->h, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? ERR_OK : sq_err(d, rc, "script");
}

/* Copies the database page by page into a new file. Each step holds the
 * source's read lock only briefly, and in WAL mode readers never block the
 * writer anyway; a write by another connection meanwhile makes SQLite
 * restart the copy, so what lands in the file is one consistent snapshot. */
static enum err sq_backup(struct db *db, const char *path, char *errbuf, size_t errlen)
{
	struct sdb *d = (struct sdb *)db;
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	char why[512] = "";
	enum err e = ERR_OK;
	int fd, rc, waited = 0;

	/* O_EXCL: never overwrite, not even a file created a moment ago. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST) {
			store_errf(errbuf, errlen,
				"%s already exists: choose a new file name for the backup", path);
			return ERR_CONFLICT;
		}
		store_errf(errbuf, errlen, "cannot create %s: %s", path, strerror(errno));
		return ERR_INVALID;
	}
	close(fd);
	rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		store_errf(why, sizeof(why), "cannot open %s: %s", path,
			dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
		e = ERR_INTERNAL;
		goto out;
	}
	b = sqlite3_backup_init(dst, "main", d->h, "main");
	if (!b) {
		store_errf(why, sizeof(why), "cannot start the backup: %s", sqlite3_errmsg(dst));
		e = ERR_INTERNAL;
		goto out;
	}
	for (;;) {
		rc = sqlite3_backup_step(b, 256);
		if (rc == SQLITE_DONE)
			break;
		if (rc == SQLITE_OK) {
			sqlite3_sleep(1);       /* let the server's writers in */
			continue;
		}
		if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) &&
		    waited < d->base.s->opts.busy_timeout_ms) {
			sqlite3_sleep(20);
			waited += 20;
			continue;
		}
		break;
	}
	if (sqlite3_backup_finish(b) != SQLITE_OK || rc != SQLITE_DONE) {
		store_errf(why, sizeof(why), "the backup to %s failed: %s", path,
			sqlite3_errstr(rc == SQLITE_DONE ? sqlite3_errcode(dst) : rc));
		e = (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) ? ERR_UNAVAILABLE : ERR_INTERNAL;
	}
out:
	if (dst && sqlite3_close(dst) != SQLITE_OK && e == ERR_OK) {
		store_errf(why, sizeof(why), "cannot close %s", path);
		e = ERR_INTERNAL;
	}
	if (e) {
		unlink(path);
		log_error("store: sqlite: %s", why);
		store_errf(errbuf, errlen, "%s", why);
	} else {
		log_info("store: sqlite: backed up to %s", path);
	}
	return e;
}

const struct db_ops store_sqlite_ops = {
	.open = sq_open,
	.close = sq_close,
	.exec = sq_exec,
	.query = sq_query,
	.next = sq_next,
	.isnull = sq_isnull,
	.text = sq_text,
	.len = sq_len,
	.i64 = sq_i64,
	.real = sq_real,
	.blob = sq_blob,
	.colname = sq_colname,
	.res_free = sq_res_free,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.exec_script = sq_exec_script,
	.backup = sq_backup,
};
