/*
 * store.c - the backend-neutral half of the store: the URL, one connection
 * per thread, argument checks, transaction bookkeeping and the
 * prepared-statement cache. Everything that talks to SQLite or libpq is in
 * store_sqlite.c / store_pg.c behind struct db_ops (store_int.h).
 *
 * Connections: each store has a pthread key whose value is the calling
 * thread's struct db. store_db() opens it on first use; the key's
 * destructor closes it when the thread exits; store->conns (under a mutex)
 * lists every live connection so store_close() can close those of threads
 * that are still alive (the main thread's, typically). Nothing else is
 * shared between threads, so statements never take a lock here.
 *
 * With "sqlite::memory:" every connection is its own private, empty
 * database: that is what SQLite does with ":memory:", and it is only meant
 * for single-threaded tests.
 */
#include "core/common.h"

#include <sys/stat.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/str.h"
#include "store/store_int.h"

/* ---------------------------------------------------------------- helpers */

static void memo_clear(struct db *db);

void store_errf(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!errbuf || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
	for (char *p = errbuf; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
}

int store_mkdir_parent(const char *path)
{
	char dir[4096];
	char *slash;
	struct stat st;

	if (!str_copy(dir, sizeof(dir), path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	slash = strrchr(dir, '/');
	if (!slash)
		return 0;               /* relative to the working directory */
	if (slash == dir)
		return 0;               /* a file in / */
	*slash = '\0';
	/* Create each missing component in turn (mkdir -p). */
	for (char *p = dir + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(dir, 0700) != 0 && errno != EEXIST)
				return -1;
			*p = c;
			if (c == '\0')
				break;
		}
	}
	if (stat(dir, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

struct db_val db_text_val(const char *s)
{
	if (!s)
		return DB_NULL;
	return DB_TEXTN(s, strlen(s));
}

/* ---------------------------------------------------------------- URLs */

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Copies url with the password of a "scheme://user:password@host" URL and
 * the value of every "password=" parameter replaced by "***". */
char *store_redact_url(const char *url)
{
	struct buf b;
	const char *p = url, *end;

	buf_init(&b, 16384);
	end = url + strlen(url);
	if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://")) {
		const char *auth = strstr(url, "://") + 3;
		const char *aend = auth + strcspn(auth, "/?#");
		const char *at = NULL, *colon;

		for (const char *q = auth; q < aend; q++)
			if (*q == '@')
				at = q;
		if (at) {
			colon = memchr(auth, ':', (size_t)(at - auth));
			if (colon) {
				buf_add(&b, url, (size_t)(colon + 1 - url));
				buf_adds(&b, "***");
				p = at;
			}
		}
	}
	/* password=VALUE anywhere after that, as a URL parameter or a
	 * conninfo keyword; VALUE runs to the next '&', space or the end. */
	while (p < end) {
		const char *hit = strstr(p, "password=");
		if (!hit) {
			buf_add(&b, p, (size_t)(end - p));
			break;
		}
		bool word_start = hit == url || hit[-1] == '?' || hit[-1] == '&' ||
			hit[-1] == ' ' || hit[-1] == '\t';
		const char *val = hit + strlen("password=");
		buf_add(&b, p, (size_t)(val - p));
		if (word_start) {
			buf_adds(&b, "***");
			p = val + strcspn(val, "& \t");
		} else {
			p = val;
		}
	}
	return buf_ok(&b) ? buf_detach(&b, NULL) : (buf_release(&b), NULL);
}

static enum err parse_url(struct store *s, const char *url, char *errbuf, size_t errlen)
{
	if (has_prefix(url, "sqlite:")) {
		const char *path = url + strlen("sqlite:");
		/* sqlite:///abs/path is the common spelling of sqlite:/abs/path. */
		if (has_prefix(path, "//"))
			path += 2;
		if (*path == '\0') {
			store_errf(errbuf, errlen, "the database URL names no file: use sqlite:PATH");
			return ERR_INVALID;
		}
		s->backend = DB_SQLITE;
		s->ops = &store_sqlite_ops;
		s->path = strdup(path);
		return s->path ? ERR_OK : ERR_NOMEM;
	}
	if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://")) {
		s->backend = DB_POSTGRES;
		s->ops = &store_pg_ops;
		return ERR_OK;
	}
	store_errf(errbuf, errlen,
		"unknown database URL: use sqlite:PATH or postgresql://USER@HOST/DB");
	return ERR_INVALID;
}

/* ---------------------------------------------------------------- connections */

static void conn_link(struct store *s, struct db *db)
{
	pthread_mutex_lock(&s->mu);
	db->prev = NULL;
	db->next = s->conns;
	if (s->conns)
		s->conns->prev = db;
	s->conns = db;
	pthread_mutex_unlock(&s->mu);
}

static void conn_unlink(struct store *s, struct db *db)
{
	pthread_mutex_lock(&s->mu);
	if (db->prev)
		db->prev->next = db->next;
	else
		s->conns = db->next;
	if (db->next)
		db->next->prev = db->prev;
	db->prev = db->next = NULL;
	pthread_mutex_unlock(&s->mu);
}

static void conn_close(struct db *db)
{
	struct store *s = db->s;

	if (db->in_tx)
		log_warn("store: closing a connection with a transaction open; it is rolled back");
	memo_clear(db);
	conn_unlink(s, db);
	s->ops->close(db);
}

/* The key's destructor: the thread is exiting with a connection open. */
static void thread_exit(void *p)
{
	if (p)
		conn_close(p);
}

static enum err conn_open(struct store *s, struct db **out, char *errbuf, size_t errlen)
{
	struct db *db = NULL;
	enum err e;

	*out = NULL;
	e = s->ops->open(s, &db, errbuf, errlen);
	if (e)
		return e;
	db->s = s;
	if (pthread_setspecific(s->key, db) != 0) {
		s->ops->close(db);
		store_errf(errbuf, errlen, "out of memory");
		return ERR_NOMEM;
	}
	conn_link(s, db);
	*out = db;
	return ERR_OK;
}

enum err store_open(const char *url, const struct store_opts *opts,
		struct store **out, char *errbuf, size_t errlen)
{
	struct store *s;
	struct db *db;
	enum err e;

	*out = NULL;
	if (errbuf && errlen)
		errbuf[0] = '\0';
	if (!url) {
		store_errf(errbuf, errlen, "no database URL");
		return ERR_INVALID;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return ERR_NOMEM;
	if (pthread_key_create(&s->key, thread_exit) != 0) {
		free(s);
		store_errf(errbuf, errlen, "out of thread-local keys");
		return ERR_INTERNAL;
	}
	pthread_mutex_init(&s->mu, NULL);
	if (opts)
		s->opts = *opts;
	if (s->opts.busy_timeout_ms <= 0)
		s->opts.busy_timeout_ms = STORE_DEFAULT_BUSY_MS;
	/* 0 is a real setting (OFF) for synchronous, so only NULL opts or an
	 * out-of-range value means the default. */
	if (!opts || s->opts.synchronous < 0 || s->opts.synchronous > 3)
		s->opts.synchronous = STORE_DEFAULT_SYNCHRONOUS;
	if (s->opts.connect_timeout_s <= 0)
		s->opts.connect_timeout_s = STORE_DEFAULT_CONNECT_S;
	if (s->opts.stmt_cache <= 0)
		s->opts.stmt_cache = STORE_DEFAULT_STMT_CACHE;
	if (s->opts.stmt_cache > STORE_MAX_STMT_CACHE)
		s->opts.stmt_cache = STORE_MAX_STMT_CACHE;

	s->url = strdup(url);
	s->redacted = store_redact_url(url);
	if (!s->url || !s->redacted) {
		e = ERR_NOMEM;
		goto fail;
	}
	e = parse_url(s, url, errbuf, errlen);
	if (e)
		goto fail;
	/* Open this thread's connection now so a bad URL or a database that
	 * is down is reported at startup, not at the first request. */
	e = conn_open(s, &db, errbuf, errlen);
	if (e)
		goto fail;
	*out = s;
	return ERR_OK;
fail:
	if (e == ERR_NOMEM)
		store_errf(errbuf, errlen, "out of memory");
	store_close(s);
	return e;
}

void store_close(struct store *s)
{
	struct db *db;

	if (!s)
		return;
	/* After this no thread's exit runs the destructor for this store. */
	pthread_key_delete(s->key);
	for (;;) {
		pthread_mutex_lock(&s->mu);
		db = s->conns;
		pthread_mutex_unlock(&s->mu);
		if (!db)
			break;
		conn_close(db);
	}
	pthread_mutex_destroy(&s->mu);
	free(s->url);
	free(s->redacted);
	free(s->path);
	free(s);
}

enum db_backend store_backend(const struct store *s)
{
	return s->backend;
}

const char *store_url_redacted(const struct store *s)
{
	return s->redacted;
}

struct db *store_db(struct store *s)
{
	struct db *db;
	char why[512];

	if (!s)
		return NULL;
	db = pthread_getspecific(s->key);
	if (db)
		return db;
	if (conn_open(s, &db, why, sizeof(why)) != ERR_OK) {
		log_error("store: %s", why);
		return NULL;
	}
	return db;
}

void store_db_release(struct store *s)
{
	struct db *db;

	if (!s)
		return;
	db = pthread_getspecific(s->key);
	if (!db)
		return;
	pthread_setspecific(s->key, NULL);
	conn_close(db);
}

enum err store_ping(struct store *s)
{
	static const struct sql q_ping = { "store.ping", "SELECT 1", NULL };
	struct db *db = store_db(s);
	int64_t one = 0;
	enum err e;

	if (!db)
		return ERR_UNAVAILABLE;
	e = db_query_int(db, &q_ping, DB_NOARGS, &one);
	/* A PostgreSQL connection that dropped reports the loss once, and
	 * reconnects on the next call: make that next call now. */
	if (e == ERR_UNAVAILABLE && !db->in_tx)
		e = db_query_int(db, &q_ping, DB_NOARGS, &one);
	if (e == ERR_OK && one != 1)
		e = ERR_INTERNAL;
	return e;
}

enum db_backend db_backend(const struct db *db)
{
	return db->s->backend;
}

/* ---------------------------------------------------------------- statements */

static enum err check_call(const struct db *db, const struct sql *q,
		const struct db_val *args, size_t nargs)
{
	if (!db)
		return ERR_UNAVAILABLE;
	if (!q || !q->name || !q->text) {
		log_error("store: a statement without a name or text");
		return ERR_INTERNAL;
	}
	if (nargs > STORE_MAX_ARGS || (nargs && !args)) {
		log_error("store: %s: bad argument list", q->name);
		return ERR_INTERNAL;
	}
	for (size_t i = 0; i < nargs; i++) {
		const struct db_val *v = &args[i];
		switch (v->t) {
		case DBV_NULL:
		case DBV_INT:
		case DBV_REAL:
			break;
		case DBV_TEXT:
			if (!v->p && v->n) {
				log_error("store: %s: $%zu is text without a pointer", q->name, i + 1);
				return ERR_INTERNAL;
			}
			/* PostgreSQL cannot store NUL in text; refuse it on both
			 * backends so the behaviour does not depend on which. */
			if (v->n && memchr(v->p, '\0', v->n)) {
				log_warn("store: %s: $%zu is text holding a NUL byte", q->name, i + 1);
				return ERR_INVALID;
			}
			break;
		case DBV_BLOB:
			if (!v->p && v->n) {
				log_error("store: %s: $%zu is a blob without a pointer", q->name, i + 1);
				return ERR_INTERNAL;
			}
			break;
		default:
			log_error("store: %s: $%zu has an unknown type", q->name, i + 1);
			return ERR_INTERNAL;
		}
	}
	if (db->tx_lost) {
		log_warn("store: %s: the connection was lost inside this transaction; roll it back",
			q->name);
		return ERR_UNAVAILABLE;
	}
	return ERR_OK;
}

static void memo_clear(struct db *db)
{
	if (db->memo && db->memo_free)
		db->memo_free(db->memo);
	db->memo = NULL;
	db->memo_key = NULL;
	db->memo_free = NULL;
}

void *db_tx_memo(struct db *db, const void *key)
{
	return db && db->read_tx && db->memo && db->memo_key == key ? db->memo : NULL;
}

void db_tx_memo_put(struct db *db, const void *key, void *p, void (*free_fn)(void *))
{
	if (!db || !db->read_tx) {
		if (p && free_fn)
			free_fn(p);
		return;
	}
	memo_clear(db);
	db->memo_key = key;
	db->memo = p;
	db->memo_free = free_fn;
}

bool db_in_read_tx(const struct db *db)
{
	return db && db->read_tx;
}

/* The first statement of a read transaction whose BEGIN is still
 * unsent: send it now unless q may run on its own (q NULL: a script,
 * always sent). A BEGIN that fails leaves it unsent, so the rollback
 * that follows sends nothing either. */
static enum err tx_send_begin(struct db *db, const struct sql *q)
{
	enum err e;

	if (q && db->s->ops->outside_tx && db->s->ops->outside_tx(db, q))
		return ERR_OK;
	db->nstmt++;
	e = db->s->ops->begin(db, false);
	if (e == ERR_OK)
		db->tx_deferred = false;
	return e;
}

enum err db_exec(struct db *db, const struct sql *q,
		const struct db_val *args, size_t nargs, int64_t *changes)
{
	enum err e = check_call(db, q, args, nargs);

	if (changes)
		*changes = 0;
	if (e)
		return e;
	if (db->memo)
		memo_clear(db);
	if (db->tx_deferred && (e = tx_send_begin(db, q)) != ERR_OK)
		return e;
	db->nstmt++;
	return db->s->ops->exec(db, q, args, nargs, changes);
}

enum err db_query(struct db *db, const struct sql *q,
		const struct db_val *args, size_t nargs, struct db_res **out)
{
	enum err e = check_call(db, q, args, nargs);

	*out = NULL;
	if (e)
		return e;
	if (db->tx_deferred && (e = tx_send_begin(db, q)) != ERR_OK)
		return e;
	db->nstmt++;
	e = db->s->ops->query(db, q, args, nargs, out);
	if (e)
		*out = NULL;
	return e;
}

enum err db_next(struct db_res *r)
{
	if (!r)
		return ERR_INTERNAL;
	if (r->done) {
		r->row = false;
		return ERR_OK;
	}
	return r->db->s->ops->next(r);
}

bool db_row(const struct db_res *r)
{
	return r && r->row;
}

int db_ncols(const struct db_res *r)
{
	return r ? r->ncols : 0;
}

static bool col_ok(const struct db_res *r, int col)
{
	return r && r->row && col >= 0 && col < r->ncols;
}

struct db_val db_text_or_null(const char *s)
{
	return s && s[0] ? DB_TEXT(s) : DB_NULL;
}

char *db_dup(struct arena *a, const struct db_res *r, int col, bool *oom)
{
	char *s;

	if (db_isnull(r, col))
		return NULL;
	s = arena_strndup(a, db_text(r, col), db_len(r, col));
	if (!s && oom)
		*oom = true;
	return s;
}

bool db_isnull(const struct db_res *r, int col)
{
	return !col_ok(r, col) || r->db->s->ops->isnull(r, col);
}

const char *db_text(const struct db_res *r, int col)
{
	return col_ok(r, col) ? r->db->s->ops->text(r, col) : NULL;
}

size_t db_len(const struct db_res *r, int col)
{
	return col_ok(r, col) ? r->db->s->ops->len(r, col) : 0;
}

int64_t db_int(const struct db_res *r, int col)
{
	return col_ok(r, col) ? r->db->s->ops->i64(r, col) : 0;
}

double db_real(const struct db_res *r, int col)
{
	return col_ok(r, col) ? r->db->s->ops->real(r, col) : 0.0;
}

const void *db_blob(struct db_res *r, int col, size_t *n)
{
	*n = 0;
	return col_ok(r, col) ? r->db->s->ops->blob(r, col, n) : NULL;
}

const char *db_colname(const struct db_res *r, int col)
{
	if (!r || col < 0 || col >= r->ncols)
		return NULL;
	return r->db->s->ops->colname(r, col);
}

void db_res_free(struct db_res *r)
{
	if (r)
		r->db->s->ops->res_free(r);
}

enum err db_rows_json(struct db *db, const struct sql *q, const struct db_val *args,
		size_t nargs, db_row_json_fn *row, void *ctx, json_t **out)
{
	struct db_res *r;
	json_t *list = json_array();
	enum err e;

	*out = NULL;
	if (!list)
		return ERR_NOMEM;
	if ((e = db_query(db, q, args, nargs, &r)) != ERR_OK) {
		json_decref(list);
		return e;
	}
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		json_t *o = row(r, ctx);

		if (!o || json_array_append_new(list, o) != 0) {
			e = ERR_NOMEM;
			break;
		}
	}
	db_res_free(r);
	if (e) {
		json_decref(list);
		return e;
	}
	*out = list;
	return ERR_OK;
}

json_t *db_json_text(const struct db_res *r, int col)
{
	return db_isnull(r, col) ? json_null() : json_string(db_text(r, col));
}

json_t *db_json_int(const struct db_res *r, int col)
{
	return db_isnull(r, col) ? json_null() : json_integer(db_int(r, col));
}

enum err db_query_one(struct db *db, const struct sql *q,
		const struct db_val *args, size_t nargs, struct db_res **out)
{
	struct db_res *r;
	enum err e;

	*out = NULL;
	if ((e = db_query(db, q, args, nargs, &r)) != ERR_OK)
		return e;
	if ((e = db_next(r)) == ERR_OK && !db_row(r))
		e = ERR_NOT_FOUND;
	if (e)
		db_res_free(r);
	else
		*out = r;
	return e;
}

enum err db_query_int(struct db *db, const struct sql *q,
		const struct db_val *args, size_t nargs, int64_t *out)
{
	struct db_res *r;
	enum err e;

	*out = 0;
	if ((e = db_query_one(db, q, args, nargs, &r)) != ERR_OK)
		return e;
	if (db_ncols(r) < 1 || db_isnull(r, 0))
		e = ERR_NOT_FOUND;
	else
		*out = db_int(r, 0);
	db_res_free(r);
	return e;
}

/* ---------------------------------------------------------------- transactions */

static enum err begin(struct db *db, bool write)
{
	enum err e;

	if (!db)
		return ERR_UNAVAILABLE;
	if (db->in_tx) {
		log_error("store: a transaction is already open (nesting is not supported)");
		return ERR_INTERNAL;
	}
	if (!write) {
		/* Sent with the first statement that needs it: a page the
		 * search index answers makes no round trip at all. */
		db->in_tx = db->tx_deferred = db->read_tx = true;
		db->tx_lost = false;
		return ERR_OK;
	}
	db->nstmt++;
	e = db->s->ops->begin(db, write);
	if (e == ERR_OK) {
		db->in_tx = true;
		db->tx_lost = false;
	}
	return e;
}

enum err db_begin(struct db *db)
{
	return begin(db, true);
}

enum err db_begin_read(struct db *db)
{
	return begin(db, false);
}

/* Runs (committed) or forgets what db_after_commit() asked for. */
static void run_after(struct db *db, bool committed)
{
	size_t n = db->nafter;

	db->nafter = 0;
	for (size_t i = 0; committed && i < n; i++)
		db->after[i].fn(db->after[i].arg);
}

enum err db_commit(struct db *db)
{
	enum err e;

	if (!db)
		return ERR_UNAVAILABLE;
	if (!db->in_tx) {
		log_error("store: commit without a transaction");
		return ERR_INTERNAL;
	}
	if (db->tx_lost) {
		db->in_tx = db->tx_lost = db->tx_deferred = db->read_tx = false;
		memo_clear(db);
		run_after(db, false);
		log_warn("store: commit after the connection was lost: nothing was committed");
		return ERR_UNAVAILABLE;
	}
	db->read_tx = false;
	memo_clear(db);
	if (db->tx_deferred) {
		db->in_tx = db->tx_lost = db->tx_deferred = false;
		run_after(db, true);
		return ERR_OK;
	}
	db->nstmt++;
	e = db->s->ops->commit(db);
	db->in_tx = db->tx_lost = false;
	run_after(db, e == ERR_OK);
	return e;
}

enum err db_rollback(struct db *db)
{
	enum err e = ERR_OK;

	if (!db || !db->in_tx)
		return ERR_OK;
	if (!db->tx_lost && !db->tx_deferred) {
		db->nstmt++;
		e = db->s->ops->rollback(db);
	}
	db->in_tx = db->tx_lost = db->tx_deferred = db->read_tx = false;
	memo_clear(db);
	run_after(db, false);
	return e;
}

enum err db_after_commit(struct db *db, void (*fn)(void *arg), void *arg)
{
	if (!db || !fn)
		return ERR_INVALID;
	if (!db->in_tx) {
		fn(arg);
		return ERR_OK;
	}
	for (size_t i = 0; i < db->nafter; i++)
		if (db->after[i].fn == fn && db->after[i].arg == arg)
			return ERR_OK;
	if (db->nafter == DB_AFTER_COMMIT_MAX)
		return ERR_NOMEM;
	db->after[db->nafter].fn = fn;
	db->after[db->nafter].arg = arg;
	db->nafter++;
	return ERR_OK;
}

uint64_t db_stmt_count(const struct db *db)
{
	return db ? db->nstmt : 0;
}

bool db_in_tx(const struct db *db)
{
	return db && db->in_tx;
}

enum err db_exec_script(struct db *db, const char *sql)
{
	if (!db)
		return ERR_UNAVAILABLE;
	if (!sql)
		return ERR_INTERNAL;
	if (db->tx_lost)
		return ERR_UNAVAILABLE;
	if (db->tx_deferred) {
		enum err e = tx_send_begin(db, NULL);
		if (e)
			return e;
	}
	db->nstmt++;
	return db->s->ops->exec_script(db, sql);
}

enum err store_backup(struct store *s, const char *path, char *errbuf, size_t errlen)
{
	struct db *db;

	if (errbuf && errlen)
		errbuf[0] = '\0';
	if (!path || !*path) {
		store_errf(errbuf, errlen, "no backup file name given");
		return ERR_INVALID;
	}
	db = store_db(s);
	if (!db) {
		store_errf(errbuf, errlen, "cannot reach the database %s", s ? s->redacted : "");
		return ERR_UNAVAILABLE;
	}
	return s->ops->backup(db, path, errbuf, errlen);
}

/* ---------------------------------------------------------------- statement cache */

static size_t hash_ptr(const void *p, size_t nbuckets)
{
	uint64_t h = (uint64_t)(uintptr_t)p;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (size_t)h & (nbuckets - 1);
}

bool stmt_cache_init(struct stmt_cache *c, size_t cap,
		void (*drop)(void *ctx, struct stmt_entry *e), void *ctx)
{
	size_t nb = 16;

	memset(c, 0, sizeof(*c));
	while (nb < cap)
		nb *= 2;
	c->buckets = calloc(nb, sizeof(*c->buckets));
	if (!c->buckets)
		return false;
	c->nbuckets = nb;
	c->cap = cap ? cap : 1;
	c->drop = drop;
	c->ctx = ctx;
	return true;
}

static void lru_unlink(struct stmt_cache *c, struct stmt_entry *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void lru_push(struct stmt_cache *c, struct stmt_entry *e)
{
	e->newer = NULL;
	e->older = c->newest;
	if (c->newest)
		c->newest->newer = e;
	c->newest = e;
	if (!c->oldest)
		c->oldest = e;
}

struct stmt_entry *stmt_cache_get(struct stmt_cache *c, const struct sql *q)
{
	struct stmt_entry *e;

	if (!c->buckets)
		return NULL;
	for (e = c->buckets[hash_ptr(q, c->nbuckets)]; e; e = e->hnext) {
		if (e->key == q) {
			if (c->newest != e) {
				lru_unlink(c, e);
				lru_push(c, e);
			}
			return e;
		}
	}
	return NULL;
}

static void entry_remove(struct stmt_cache *c, struct stmt_entry *e, bool call_drop)
{
	struct stmt_entry **pp = &c->buckets[hash_ptr(e->key, c->nbuckets)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	lru_unlink(c, e);
	c->count--;
	if (call_drop && c->drop)
		c->drop(c->ctx, e);
	free(e);
}

struct stmt_entry *stmt_cache_put(struct stmt_cache *c, const struct sql *q,
		void *stmt, unsigned id)
{
	struct stmt_entry *e;
	size_t h;

	if (!c->buckets)
		return NULL;
	if (c->count >= c->cap) {
		/* Evict the least recently used statement no cursor holds. */
		for (e = c->oldest; e && e->busy; e = e->newer)
			;
		if (!e)
			return NULL;
		entry_remove(c, e, true);
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->key = q;
	e->stmt = stmt;
	e->id = id;
	h = hash_ptr(q, c->nbuckets);
	e->hnext = c->buckets[h];
	c->buckets[h] = e;
	lru_push(c, e);
	c->count++;
	return e;
}

void stmt_cache_remove(struct stmt_cache *c, const struct sql *q)
{
	struct stmt_entry *e = stmt_cache_get(c, q);

	if (e && !e->busy)
		entry_remove(c, e, true);
}

void stmt_cache_clear(struct stmt_cache *c, bool call_drop)
{
	while (c->oldest)
		entry_remove(c, c->oldest, call_drop);
}

void stmt_cache_release(struct stmt_cache *c)
{
	if (c->buckets)
		stmt_cache_clear(c, false);
	free(c->buckets);
	c->buckets = NULL;
}

size_t db_stmt_cached(const struct db *db)
{
	return db ? db->cache.count : 0;
}
