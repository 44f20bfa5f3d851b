/*
 * audit_db.c - the audit log's statements and the functions that run
 * them.
 *
 * One filter serves every reader (the admin page, the API, "who has
 * looked at my record", "download my data"): each condition is switched
 * off by a zero or NULL parameter, so there is one statement to read and
 * test rather than one per combination. Names come from LEFT JOINs on
 * person, so an erased person reads "Deleted person" and an entry about
 * no one still shows.
 *
 * SQL only: what an entry may hold, and which filters are allowed, is
 * decided in audit.c before these run.
 */
#include "core/common.h"
#include "audit/audit_int.h"
#include "core/timeutil.h"
#include "store/store.h"

/* $1 actor (0 any), $2 subject (0 any), $3 action (NULL any), $4 action
 * + "." and $5 its length (prefix match), $6 since, $7 until (0
 * unbounded), $8 not this actor (0 any). */
#define AUDIT_WHERE \
	"WHERE (CAST($1 AS BIGINT) = 0 OR a.actor_id = $1) " \
	"AND (CAST($2 AS BIGINT) = 0 OR a.subject_id = $2) " \
	"AND (CAST($3 AS TEXT) IS NULL OR a.action = $3 OR substr(a.action, 1, $5) = $4) " \
	"AND (CAST($6 AS BIGINT) = 0 OR a.at >= $6) " \
	"AND (CAST($7 AS BIGINT) = 0 OR a.at <= $7) " \
	"AND (CAST($8 AS BIGINT) = 0 OR (a.actor_id IS NOT NULL AND a.actor_id <> $8)) "

static const struct sql q_insert = { "audit.insert",
	"INSERT INTO audit (at, actor_id, action, subject_id, detail, ip, request_id) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7)", NULL };

static const struct sql q_seen = { "audit.seen",
	"SELECT count(*) FROM (SELECT 1 FROM audit WHERE actor_id = $1 AND action = $2 AND at >= $5 "
	"AND coalesce(subject_id, 0) = $3 AND coalesce(detail, '') = $4 LIMIT 1) x", NULL };

static const struct sql q_purge_open = { "audit.purge_open",
	"UPDATE audit_purge SET before_at = $1 WHERE id = 1", NULL };
static const struct sql q_purge = { "audit.purge",
	"DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE at < $1 ORDER BY at, id LIMIT $2)",
	NULL };
static const struct sql q_purge_close = { "audit.purge_close",
	"UPDATE audit_purge SET before_at = 0 WHERE id = 1", NULL };

static const struct sql q_count = { "audit.count",
	"SELECT count(*) FROM audit a " AUDIT_WHERE, NULL };

static const struct sql q_list = { "audit.list",
	"SELECT a.id, a.at, a.actor_id, pa.name, a.action, a.subject_id, ps.name, a.detail, "
	"a.ip, a.request_id FROM audit a "
	"LEFT JOIN person pa ON pa.id = a.actor_id "
	"LEFT JOIN person ps ON ps.id = a.subject_id "
	AUDIT_WHERE "ORDER BY a.at DESC, a.id DESC LIMIT $9 OFFSET $10", NULL };

enum err audit_db_insert(struct db *db, int64_t now, int64_t actor_id, const char *action,
		int64_t subject_id, const char *detail, const char *ip, const char *request_id)
{
	return db_exec(db, &q_insert,
		       DB_ARGS(DB_INT(now), actor_id ? DB_INT(actor_id) : DB_NULL, DB_TEXT(action),
			       subject_id ? DB_INT(subject_id) : DB_NULL, DB_TEXT(detail), DB_TEXT(ip),
			       DB_TEXT(request_id)),
		       NULL);
}

enum err audit_db_seen(struct db *db, int64_t actor_id, const char *action, int64_t subject_id,
		const char *detail, int64_t since, bool *seen)
{
	int64_t n = 0;
	enum err e = db_query_int(db, &q_seen, DB_ARGS(DB_INT(actor_id), DB_TEXT(action),
			       DB_INT(subject_id), DB_TEXT(detail ? detail : ""), DB_INT(since)), &n);

	*seen = e == ERR_OK && n > 0;
	return e;
}

enum err audit_db_purge(struct db *db, int64_t before, int64_t max, int64_t *n)
{
	enum err e;

	if ((e = db_exec(db, &q_purge_open, DB_ARGS(DB_INT(before)), NULL)) != ERR_OK ||
	    (e = db_exec(db, &q_purge, DB_ARGS(DB_INT(before), DB_INT(max)), n)) != ERR_OK)
		return e;
	return db_exec(db, &q_purge_close, DB_NOARGS, NULL);
}

static json_t *iso(int64_t t)
{
	char s[32];

	return time_iso8601(t, s, sizeof(s)) ? json_string(s) : json_null();
}

static json_t *entry_row(struct db_res *r, void *ctx)
{
	UNUSED(ctx);
	return json_pack("{s:I, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o}",
			 "id", (json_int_t)db_int(r, 0),
			 "at", iso(db_int(r, 1)),
			 "actor_id", db_json_int(r, 2),
			 "actor_name", db_json_text(r, 3),
			 "action", db_text(r, 4),
			 "subject_id", db_json_int(r, 5),
			 "subject_name", db_json_text(r, 6),
			 "detail", db_json_text(r, 7),
			 "ip", db_json_text(r, 8),
			 "request_id", db_json_text(r, 9));
}

enum err audit_db_query(struct db *db, const struct audit_filter *f, const char *prefix,
		size_t plen, json_t **out, int64_t *total)
{
	enum err e;

#define FILTER_ARGS \
	DB_INT(f->actor_id), DB_INT(f->subject_id), DB_TEXT(f->action), \
	DB_TEXT(prefix), DB_INT((int64_t)plen), DB_INT(f->since), \
	DB_INT(f->until), DB_INT(f->not_actor_id)
	e = db_query_int(db, &q_count, DB_ARGS(FILTER_ARGS), total);
	if (e == ERR_OK)
		e = db_rows_json(db, &q_list, DB_ARGS(FILTER_ARGS, DB_INT(f->limit), DB_INT(f->offset)),
				 entry_row, NULL, out);
#undef FILTER_ARGS
	return e;
}
