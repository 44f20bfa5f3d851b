/*
 * store_pg.c - the PostgreSQL backend (libpq).
 *
 * One PGconn per thread. Each struct sql is prepared once per connection
 * under a name unique to that connection ("k1", "k2", ...) and remembered in
 * the connection's statement cache, keyed by the struct sql address.
 * Parameters go in text format (the server parses them by the parameter's
 * inferred type) except blobs, which go in binary so no escaping is needed;
 * results come back as text, with BYTEA decoded by PQunescapeBytea.
 *
 * A lost connection never ends the process: the call that finds it returns
 * ERR_UNAVAILABLE and forgets the prepared statements (the server forgot
 * them too), and the next call PQreset()s it. A loss inside a transaction
 * makes every statement fail until the caller rolls back (store.c), so no
 * half of a transaction is ever autocommitted on the new connection.
 *
 * Logs carry the statement name, SQLSTATE and the server's primary message
 * only: the DETAIL field can quote the values of a row, and data errors
 * (class 22) quote the offending input, so neither is logged.
 */
#include "core/common.h"

#include <libpq-fe.h>
#include <math.h>

#include "core/checked.h"
#include "core/log.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "store/store_int.h"

#define BYTEAOID 17
#define BOOLOID 16

struct pdb {
	struct db base;
	PGconn *c;
	unsigned next_id;      /* for prepared-statement names */
	bool broken;           /* reset before the next statement */
	/* The session's default isolation is READ COMMITTED, where every
	 * statement takes its own snapshot inside a transaction or not. */
	bool read_committed;
	uint64_t retry_at;     /* after a failed reset, no new try before this */
};

struct pres {
	struct db_res base;
	PGresult *r;
	int nrows;
	int cur;
	unsigned char **bytea;  /* decoded BYTEA of the current row, per column */
	size_t *bytea_n;
};

static void notice_ignore(void *arg, const char *msg)
{
	UNUSED(arg);
	UNUSED(msg);
}

/* libpq's messages end in a newline and may span lines. */
static const char *conn_msg(PGconn *c, char *out, size_t n)
{
	const char *m = c ? PQerrorMessage(c) : "out of memory";
	size_t o = 0;
	bool space = true;           /* drops leading blanks too */

	if (!m || !*m)
		m = "unknown error";
	/* One line: each run of blanks and newlines becomes one space. */
	for (; *m && o + 1 < n; m++) {
		bool blank = *m == ' ' || *m == '\n' || *m == '\r' || *m == '\t';
		if (blank && space)
			continue;
		out[o++] = blank ? ' ' : *m;
		space = blank;
	}
	while (o && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return out;
}

/* Settings every session needs, after connecting and after each reset.
 * hex is PostgreSQL's default bytea_output; a server configured otherwise
 * must not change what db_len() reports. */
static bool session_setup(struct pdb *d)
{
	PGresult *r;
	bool ok;

	PQsetNoticeProcessor(d->c, notice_ignore, NULL);
	r = PQexec(d->c, "SET bytea_output = 'hex'");
	ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	if (!ok)
		return false;
	r = PQexec(d->c, "SHOW default_transaction_isolation");
	ok = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
	d->read_committed = ok && strcmp(PQgetvalue(r, 0, 0), "read committed") == 0;
	PQclear(r);
	return ok;
}

static void drop_stmt(void *ctx, struct stmt_entry *e)
{
	struct pdb *d = ctx;
	char sql[32];

	/* An aborted transaction refuses even DEALLOCATE: the statement then
	 * stays on the server until the connection closes, under a name that
	 * is never reused. */
	if (PQstatus(d->c) != CONNECTION_OK || PQtransactionStatus(d->c) == PQTRANS_INERROR)
		return;
	snprintf(sql, sizeof(sql), "DEALLOCATE k%u", e->id);
	PQclear(PQexec(d->c, sql));
}

static enum err pg_open(struct store *s, struct db **out, char *errbuf, size_t errlen)
{
	/* The URL comes last so that its own settings win over ours. */
	const char *keys[] = { "connect_timeout", "application_name",
		"client_encoding", "dbname", NULL };
	const char *vals[] = { NULL, "kith", "UTF8", s->url, NULL };
	char timeout[16], msg[512];
	struct pdb *d;

	snprintf(timeout, sizeof(timeout), "%d", s->opts.connect_timeout_s);
	vals[0] = timeout;
	d = calloc(1, sizeof(*d));
	if (!d)
		return ERR_NOMEM;
	d->c = PQconnectdbParams(keys, vals, 1);
	if (!d->c || PQstatus(d->c) != CONNECTION_OK) {
		/* libpq's message names host and port, never the password. */
		store_errf(errbuf, errlen, "cannot connect to %s: %s", s->redacted,
			conn_msg(d->c, msg, sizeof(msg)));
		PQfinish(d->c);
		free(d);
		return ERR_UNAVAILABLE;
	}
	if (!session_setup(d)) {
		store_errf(errbuf, errlen, "cannot set up the session on %s: %s",
			s->redacted, conn_msg(d->c, msg, sizeof(msg)));
		PQfinish(d->c);
		free(d);
		return ERR_UNAVAILABLE;
	}
	if (!stmt_cache_init(&d->base.cache, (size_t)s->opts.stmt_cache, drop_stmt, d)) {
		PQfinish(d->c);
		free(d);
		return ERR_NOMEM;
	}
	*out = &d->base;
	return ERR_OK;
}

static void pg_close(struct db *db)
{
	struct pdb *d = (struct pdb *)db;

	/* Closing the connection deallocates its statements. */
	stmt_cache_clear(&db->cache, false);
	stmt_cache_release(&db->cache);
	PQfinish(d->c);
	free(d);
}

/* The connection is gone or must go: forget what was prepared on it. */
static void conn_lost(struct pdb *d)
{
	d->broken = true;
	stmt_cache_clear(&d->base.cache, false);
	/* A read transaction that has not sent its BEGIN lost nothing. */
	if (d->base.in_tx && !d->base.tx_deferred)
		d->base.tx_lost = true;
}

/* Before each statement: reconnect when the last call found the
 * connection lost. */
static enum err pg_ready(struct pdb *d)
{
	char msg[512];

	if (!d->broken && PQstatus(d->c) == CONNECTION_OK)
		return ERR_OK;
	conn_lost(d);
	if (d->base.in_tx && !d->base.tx_deferred)
		return ERR_UNAVAILABLE;
	/* While the server is down each try can take connect_timeout: fail
	 * fast for a second after a failed one instead of stalling every
	 * request on this thread. */
	if (time_mono_us() < d->retry_at)
		return ERR_UNAVAILABLE;
	PQreset(d->c);
	if (PQstatus(d->c) != CONNECTION_OK || !session_setup(d)) {
		log_warn("store: postgresql: cannot reconnect to %s: %s",
			d->base.s->redacted, conn_msg(d->c, msg, sizeof(msg)));
		d->retry_at = time_mono_us() + 1000000;
		return ERR_UNAVAILABLE;
	}
	d->broken = false;
	d->retry_at = 0;
	log_info("store: postgresql: reconnected to %s", d->base.s->redacted);
	return ERR_OK;
}

static bool has_prefix(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool state_is(const char *state, const char *prefix)
{
	return has_prefix(state, prefix);
}

/* Maps a failed result (r may be NULL) to an enum err and logs it. */
static enum err pg_err(struct pdb *d, PGresult *r, const char *what)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char msg[512];
	enum log_level lvl = LOG_ERROR;
	enum err e;

	if (!primary)
		primary = conn_msg(d->c, msg, sizeof(msg));
	if (PQstatus(d->c) != CONNECTION_OK ||
	    (state_is(state, "08") && !state_is(state, "08P01")) ||
	    state_is(state, "57P0")) {
		/* Connection exceptions (but 08P01, a protocol violation, is
		 * what a wrong argument count gets); 57P01-03: the server is
		 * shutting down or the backend was terminated. */
		conn_lost(d);
		e = ERR_UNAVAILABLE;
	} else if (state_is(state, "53")) {
		e = ERR_UNAVAILABLE;        /* too many connections, out of disk */
	} else if (state_is(state, "23505")) {
		e = ERR_CONFLICT;
		lvl = LOG_DEBUG;            /* a duplicate callers expect, not a fault */
	} else if (state_is(state, "23")) {
		e = ERR_INVALID;
		lvl = LOG_WARN;
	} else {
		e = ERR_INTERNAL;
	}
	if (state_is(state, "22"))
		primary = "data exception (message withheld: it may quote a value)";
	log_msg(lvl, NULL, "store: postgresql: %s: %s (SQLSTATE %s)", what, primary,
		state ? state : "none");
	return e;
}

static bool res_ok(PGresult *r)
{
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;

	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
}

/* Parameter arrays for PQexecPrepared, in one allocation. */
struct params {
	const char **vals;
	int *lens;
	int *fmts;
	char *mem;
};

static enum err params_build(const struct sql *q, const struct db_val *args,
		size_t nargs, struct params *p)
{
	size_t need = 0, off;
	char *text;

	memset(p, 0, sizeof(*p));
	if (nargs == 0)
		return ERR_OK;
	/* nargs <= STORE_MAX_ARGS (checked by store.c), so the arrays cannot
	 * overflow; the text sizes are summed with checks. */
	need = nargs * (sizeof(char *) + 2 * sizeof(int));
	for (size_t i = 0; i < nargs; i++) {
		size_t n = 0;
		switch (args[i].t) {
		case DBV_INT: n = 24; break;
		case DBV_REAL: n = 32; break;
		case DBV_TEXT:
			if (args[i].n > INT32_MAX - 1 || !size_add(args[i].n, 1, &n))
				goto too_big;
			break;
		case DBV_BLOB:
			if (args[i].n > INT32_MAX)
				goto too_big;
			break;
		default: break;
		}
		if (!size_add(need, n, &need))
			goto too_big;
	}
	p->mem = malloc(need);
	if (!p->mem)
		return ERR_NOMEM;
	p->vals = (const char **)(void *)p->mem;
	p->lens = (int *)(void *)(p->mem + nargs * sizeof(char *));
	p->fmts = p->lens + nargs;
	text = (char *)(p->fmts + nargs);
	off = 0;
	for (size_t i = 0; i < nargs; i++) {
		const struct db_val *v = &args[i];
		char *t = text + off;

		p->lens[i] = 0;
		p->fmts[i] = 0;
		switch (v->t) {
		case DBV_NULL:
			p->vals[i] = NULL;
			break;
		case DBV_INT:
			off += (size_t)snprintf(t, 24, "%lld", (long long)v->i) + 1;
			p->vals[i] = t;
			break;
		case DBV_REAL:
			if (isnan(v->d))
				str_copy(t, 32, "NaN");
			else if (isinf(v->d))
				str_copy(t, 32, v->d > 0 ? "Infinity" : "-Infinity");
			else
				snprintf(t, 32, "%.17g", v->d);
			off += strlen(t) + 1;
			p->vals[i] = t;
			break;
		case DBV_TEXT:
			if (v->n)
				memcpy(t, v->p, v->n);
			t[v->n] = '\0';
			off += v->n + 1;
			p->vals[i] = t;
			break;
		case DBV_BLOB:
			/* Binary format: a bytea's binary form is its bytes. */
			p->vals[i] = v->n ? v->p : "";
			p->lens[i] = (int)v->n;
			p->fmts[i] = 1;
			break;
		}
	}
	return ERR_OK;
too_big:
	log_error("store: postgresql: %s: an argument is too large", q->name);
	return ERR_TOO_LARGE;
}

/* Runs q, prepared on first use; *out receives the successful result. */
static enum err pg_run(struct pdb *d, const struct sql *q,
		const struct db_val *args, size_t nargs, PGresult **out)
{
	const char *text = q->pg ? q->pg : q->text;
	struct stmt_entry *e;
	struct params p;
	PGresult *r;
	char name[24];
	enum err err;

	*out = NULL;
	err = pg_ready(d);
	if (err)
		return err;
	err = params_build(q, args, nargs, &p);
	if (err)
		return err;
	e = stmt_cache_get(&d->base.cache, q);
	if (!e) {
		unsigned id = ++d->next_id;

		snprintf(name, sizeof(name), "k%u", id);
		r = PQprepare(d->c, name, text, 0, NULL);
		if (!res_ok(r)) {
			err = pg_err(d, r, q->name);
			PQclear(r);
			goto out;
		}
		PQclear(r);
		e = stmt_cache_put(&d->base.cache, q, NULL, id);
		if (!e) {
			/* Out of memory for the cache: run it this once. */
			r = PQexecPrepared(d->c, name, (int)nargs, p.vals, p.lens, p.fmts, 0);
			snprintf(name, sizeof(name), "DEALLOCATE k%u", id);
			PQclear(PQexec(d->c, name));
			goto result;
		}
	}
	snprintf(name, sizeof(name), "k%u", e->id);
	r = PQexecPrepared(d->c, name, (int)nargs, p.vals, p.lens, p.fmts, 0);
result:
	if (res_ok(r)) {
		*out = r;
	} else {
		const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
		/* 26000: the statement is gone (someone ran DEALLOCATE ALL);
		 * 0A000 here is "cached plan must not change result type" after
		 * a table changed. Either way prepare it afresh next time. */
		if (state_is(state, "26000") || state_is(state, "0A000"))
			stmt_cache_remove(&d->base.cache, q);
		err = pg_err(d, r, q->name);
		PQclear(r);
	}
out:
	free(p.mem);
	return err;
}

static enum err pg_exec(struct db *db, const struct sql *q,
		const struct db_val *args, size_t nargs, int64_t *changes)
{
	PGresult *r;
	enum err e = pg_run((struct pdb *)db, q, args, nargs, &r);

	if (e)
		return e;
	if (changes) {
		/* PQcmdTuples counts a SELECT's rows too; only writes count
		 * here, as on SQLite. */
		const char *tag = PQcmdStatus(r), *n = PQcmdTuples(r);
		int64_t v = 0;
		if ((has_prefix(tag, "INSERT ") || has_prefix(tag, "UPDATE ") ||
		     has_prefix(tag, "DELETE ") || has_prefix(tag, "MERGE ")) &&
		    n && *n && str_to_i64(str_c(n), 0, INT64_MAX, &v))
			*changes = v;
	}
	PQclear(r);
	return ERR_OK;
}

static enum err pg_query(struct db *db, const struct sql *q,
		const struct db_val *args, size_t nargs, struct db_res **out)
{
	struct pres *res;
	PGresult *r;
	enum err e;

	res = calloc(1, sizeof(*res));
	if (!res)
		return ERR_NOMEM;
	e = pg_run((struct pdb *)db, q, args, nargs, &r);
	if (e) {
		free(res);
		return e;
	}
	res->base.db = db;
	res->base.ncols = PQnfields(r);
	res->r = r;
	res->nrows = PQntuples(r);
	res->cur = -1;
	*out = &res->base;
	return ERR_OK;
}

static void bytea_clear(struct pres *r)
{
	if (!r->bytea)
		return;
	for (int i = 0; i < r->base.ncols; i++) {
		if (r->bytea[i])
			PQfreemem(r->bytea[i]);
		r->bytea[i] = NULL;
	}
}

static enum err pg_next(struct db_res *res)
{
	struct pres *r = (struct pres *)res;

	bytea_clear(r);
	if (r->cur + 1 < r->nrows) {
		r->cur++;
		res->row = true;
	} else {
		res->row = false;
		res->done = true;
	}
	return ERR_OK;
}

static bool pg_isnull(const struct db_res *res, int col)
{
	const struct pres *r = (const struct pres *)res;

	return PQgetisnull(r->r, r->cur, col);
}

static const char *pg_text(const struct db_res *res, int col)
{
	const struct pres *r = (const struct pres *)res;

	if (PQgetisnull(r->r, r->cur, col))
		return NULL;
	return PQgetvalue(r->r, r->cur, col);
}

static size_t pg_len(const struct db_res *res, int col)
{
	const struct pres *r = (const struct pres *)res;
	size_t n;

	if (PQgetisnull(r->r, r->cur, col))
		return 0;
	n = (size_t)PQgetlength(r->r, r->cur, col);
	/* BYTEA arrives as "\x" and two hex digits a byte (session_setup). */
	if (PQftype(r->r, col) == BYTEAOID && n >= 2)
		return (n - 2) / 2;
	return n;
}

static int64_t pg_i64(const struct db_res *res, int col)
{
	const struct pres *r = (const struct pres *)res;
	const char *v;
	int64_t i;
	double d;

	if (PQgetisnull(r->r, r->cur, col))
		return 0;
	v = PQgetvalue(r->r, r->cur, col);
	if (v[0] == 't' && v[1] == '\0')
		return 1;
	if (v[0] == 'f' && v[1] == '\0')
		return 0;
	if (str_to_i64(str_c(v), INT64_MIN, INT64_MAX, &i))
		return i;
	/* NUMERIC or a float: truncate, as SQLite does. */
	d = strtod(v, NULL);
	if (isnan(d))
		return 0;
	if (d >= 9223372036854775807.0)
		return INT64_MAX;
	if (d <= -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)d;
}

static double pg_real(const struct db_res *res, int col)
{
	const struct pres *r = (const struct pres *)res;

	if (PQgetisnull(r->r, r->cur, col))
		return 0.0;
	return strtod(PQgetvalue(r->r, r->cur, col), NULL);
}

static const void *pg_blob(struct db_res *res, int col, size_t *n)
{
	struct pres *r = (struct pres *)res;
	const char *v;

	if (PQgetisnull(r->r, r->cur, col))
		return NULL;
	v = PQgetvalue(r->r, r->cur, col);
	if (PQftype(r->r, col) != BYTEAOID) {
		*n = (size_t)PQgetlength(r->r, r->cur, col);
		return v;
	}
	if (!r->bytea) {
		r->bytea = calloc((size_t)res->ncols, sizeof(*r->bytea));
		r->bytea_n = calloc((size_t)res->ncols, sizeof(*r->bytea_n));
		if (!r->bytea || !r->bytea_n) {
			free(r->bytea);
			free(r->bytea_n);
			r->bytea = NULL;
			r->bytea_n = NULL;
			return NULL;
		}
	}
	if (!r->bytea[col]) {
		r->bytea[col] = PQunescapeBytea((const unsigned char *)v, &r->bytea_n[col]);
		if (!r->bytea[col])
			return NULL;
	}
	*n = r->bytea_n[col];
	return r->bytea[col];
}

static const char *pg_colname(const struct db_res *res, int col)
{
	return PQfname(((const struct pres *)res)->r, col);
}

static void pg_res_free(struct db_res *res)
{
	struct pres *r = (struct pres *)res;

	bytea_clear(r);
	free(r->bytea);
	free(r->bytea_n);
	PQclear(r->r);
	free(r);
}

/* Transaction control and scripts go through the simple protocol. */
static enum err pg_simple(struct pdb *d, const char *sql, const char *what, PGresult **keep)
{
	PGresult *r = PQexec(d->c, sql);
	enum err e = ERR_OK;

	if (!res_ok(r))
		e = pg_err(d, r, what);
	if (keep && e == ERR_OK)
		*keep = r;
	else
		PQclear(r);
	return e;
}

static enum err pg_begin(struct db *db, bool write)
{
	struct pdb *d = (struct pdb *)db;
	enum err e = pg_ready(d);

	if (e)
		return e;
	return pg_simple(d, write ? "BEGIN" : "BEGIN READ ONLY", "begin", NULL);
}

static enum err pg_commit(struct db *db)
{
	struct pdb *d = (struct pdb *)db;
	PGresult *r = NULL;
	enum err e;

	if (d->broken || PQstatus(d->c) != CONNECTION_OK) {
		conn_lost(d);
		return ERR_UNAVAILABLE;
	}
	/* A failed COMMIT (a deferred constraint) ends the transaction too. */
	e = pg_simple(d, "COMMIT", "commit", &r);
	if (e)
		return e;
	/* COMMIT of a transaction an earlier error aborted succeeds, says
	 * ROLLBACK, and commits nothing. */
	if (strcmp(PQcmdStatus(r), "ROLLBACK") == 0) {
		log_error("store: postgresql: commit: an earlier statement failed, "
			"so the transaction was rolled back");
		e = ERR_INTERNAL;
	}
	PQclear(r);
	return e;
}

static enum err pg_rollback(struct db *db)
{
	struct pdb *d = (struct pdb *)db;

	if (d->broken || PQstatus(d->c) != CONNECTION_OK) {
		conn_lost(d);
		return ERR_OK;      /* the server rolled it back when we went */
	}
	return pg_simple(d, "ROLLBACK", "rollback", NULL);
}

/* Under READ COMMITTED a plain SELECT sees the same inside BEGIN READ
 * ONLY as on its own, so one that opens a read transaction is sent
 * alone, saving the BEGIN and COMMIT round trips. A later statement that
 * is not a plain SELECT (a write, which READ ONLY must refuse; a lock or
 * a sequence) sends the BEGIN first. Other isolation levels share one
 * snapshot across the transaction's statements, so they always BEGIN. */
static bool pg_outside_tx(struct db *db, const struct sql *q)
{
	static const char *const unsafe[] = { "for update", "for share", "for no key",
		"for key", "pg_", "nextval", "setval", "set_config" };
	const char *text = q->pg ? q->pg : q->text;

	if (!((struct pdb *)db)->read_committed)
		return false;
	while (*text == ' ' || *text == '\n' || *text == '\t' || *text == '(')
		text++;
	if (strncasecmp(text, "SELECT", 6) != 0)
		return false;
	for (size_t i = 0; i < ARRAY_LEN(unsafe); i++)
		if (strcasestr(text, unsafe[i]))
			return false;
	return true;
}

static enum err pg_exec_script(struct db *db, const char *sql)
{
	struct pdb *d = (struct pdb *)db;
	enum err e = pg_ready(d);

	if (e)
		return e;
	return pg_simple(d, sql, "script", NULL);
}

static enum err pg_backup(struct db *db, const char *path, char *errbuf, size_t errlen)
{
	UNUSED(db);
	UNUSED(path);
	store_errf(errbuf, errlen,
		"PostgreSQL databases are backed up with pg_dump, e.g. "
		"pg_dump --format=custom --file=kith.dump DBNAME");
	return ERR_INVALID;
}

const struct db_ops store_pg_ops = {
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.query = pg_query,
	.next = pg_next,
	.isnull = pg_isnull,
	.text = pg_text,
	.len = pg_len,
	.i64 = pg_i64,
	.real = pg_real,
	.blob = pg_blob,
	.colname = pg_colname,
	.res_free = pg_res_free,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.exec_script = pg_exec_script,
	.outside_tx = pg_outside_tx,
	.backup = pg_backup,
};
