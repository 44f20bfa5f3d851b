/*
 * mail_db.c - the outbox's statements.
 *
 * The claim is one UPDATE ... RETURNING, so taking a lease and reading
 * what was leased cannot be split by another process. On PostgreSQL the
 * subquery locks its rows FOR UPDATE SKIP LOCKED: two processes claiming
 * at once get different rows instead of waiting for each other. SQLite
 * has one writer at a time, so the plain form is already exclusive there.
 * Every outcome is written only WHERE lease_owner is ours: a process whose
 * lease ran out (it was stopped in a debugger, its clock jumped) cannot
 * overwrite what the new owner recorded.
 */
#include "core/common.h"
#include "mail/mail_int.h"
#include "core/timeutil.h"
#include "store/store.h"

static const struct sql q_insert = {
	"outbox.insert",
	"INSERT INTO outbox (to_addr, subject, body_text, body_html, template, person_id, "
	"created_at, not_before, attempts) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 0) RETURNING id",
	NULL,
};

static const struct sql q_claim = {
	"outbox.claim",
	"UPDATE outbox SET lease_until = $1, lease_owner = $2 WHERE id IN ("
	"SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND not_before <= $3 "
	"AND (lease_until IS NULL OR lease_until < $3) ORDER BY id LIMIT $4) "
	"RETURNING id, to_addr, subject, body_text, body_html, attempts, created_at",
	"UPDATE outbox SET lease_until = $1, lease_owner = $2 WHERE id IN ("
	"SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND not_before <= $3 "
	"AND (lease_until IS NULL OR lease_until < $3) ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED) "
	"RETURNING id, to_addr, subject, body_text, body_html, attempts, created_at",
};

/* The bodies go once sent: a set-password or reset link in a copy of the
 * database would be as good as the token that onetime stores hashed. */
static const struct sql q_sent = {
	"outbox.sent",
	"UPDATE outbox SET sent_at = $3, attempts = attempts + 1, last_error = NULL, "
	"lease_until = NULL, lease_owner = NULL, body_text = '', body_html = NULL "
	"WHERE id = $1 AND lease_owner = $2",
	NULL,
};

static const struct sql q_failed = {
	"outbox.failed",
	"UPDATE outbox SET attempts = $3, last_error = $4, not_before = $5, failed_at = $6, "
	"lease_until = NULL, lease_owner = NULL WHERE id = $1 AND lease_owner = $2",
	NULL,
};

static const struct sql q_release = {
	"outbox.release",
	"UPDATE outbox SET lease_until = NULL, lease_owner = NULL WHERE lease_owner = $1 "
	"AND sent_at IS NULL AND failed_at IS NULL",
	NULL,
};

static const struct sql q_next_due = {
	"outbox.next_due",
	"SELECT min(CASE WHEN lease_until > not_before THEN lease_until ELSE not_before END) "
	"FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL",
	NULL,
};

static const struct sql q_retry = {
	"outbox.retry",
	"UPDATE outbox SET failed_at = NULL, not_before = $2, attempts = 0, lease_until = NULL, "
	"lease_owner = NULL WHERE id = $1 AND failed_at IS NOT NULL AND sent_at IS NULL "
	"RETURNING person_id",
	NULL,
};

#define ADMIN_COLS "SELECT id, to_addr, template, attempts, last_error, created_at, not_before, " \
	"failed_at, lease_until FROM outbox "

static const struct sql q_admin_failed = {
	"outbox.admin_failed",
	ADMIN_COLS "WHERE sent_at IS NULL AND failed_at IS NOT NULL ORDER BY failed_at DESC, id DESC LIMIT $1",
	NULL,
};

static const struct sql q_admin_pending = {
	"outbox.admin_pending",
	ADMIN_COLS "WHERE sent_at IS NULL AND failed_at IS NULL ORDER BY not_before, id LIMIT $1",
	NULL,
};

static const struct sql q_admin_counts = {
	"outbox.admin_counts",
	"SELECT "
	"(SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NOT NULL), "
	"(SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL), "
	"(SELECT count(*) FROM outbox WHERE sent_at >= $1)",
	NULL,
};

static const struct sql q_export = {
	"outbox.export",
	"SELECT id, to_addr, subject, template, created_at, sent_at, failed_at, attempts, last_error "
	"FROM outbox WHERE person_id = $1 ORDER BY id LIMIT $2",
	NULL,
};

static const struct sql q_erase = {
	"outbox.erase", "DELETE FROM outbox WHERE person_id = $1", NULL,
};

enum err mail_db_insert(struct db *db, const char *to, const char *subject, const char *text,
		const char *html, const char *tmpl, int64_t person_id, int64_t now, int64_t *id)
{
	return db_query_int(db, &q_insert,
			    DB_ARGS(DB_TEXT(to), DB_TEXT(subject), DB_TEXT(text), DB_TEXT(html),
				    DB_TEXT(tmpl), person_id > 0 ? DB_INT(person_id) : DB_NULL,
				    DB_INT(now)),
			    id);
}

static char *dup_col(struct db_res *r, int col, bool *oom)
{
	const char *s = db_text(r, col);
	char *d;

	if (!s)
		return NULL;
	d = strndup(s, db_len(r, col));
	if (!d)
		*oom = true;
	return d;
}

void mail_claimed_free(struct mail_claimed *c, size_t n)
{
	if (!c)
		return;
	for (size_t i = 0; i < n; i++) {
		free(c[i].to);
		free(c[i].subject);
		free(c[i].text);
		free(c[i].html);
	}
	free(c);
}

enum err mail_db_claim(struct db *db, int64_t now, int64_t lease_until, const char *owner,
		int limit, struct mail_claimed **out, size_t *n)
{
	struct mail_claimed *c;
	struct db_res *r;
	bool oom = false;
	size_t k = 0;
	enum err e;

	*out = NULL;
	*n = 0;
	if (limit < 1 || limit > 1000)
		return ERR_INVALID;
	if (!(c = calloc((size_t)limit, sizeof(*c))))
		return ERR_NOMEM;
	e = db_query(db, &q_claim, DB_ARGS(DB_INT(lease_until), DB_TEXT(owner), DB_INT(now),
					   DB_INT(limit)), &r);
	if (e) {
		free(c);
		return e;
	}
	/* Read every row: on SQLite the UPDATE is done by the first step, but
	 * its transaction ends only when the statement is finished. */
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		if (k >= (size_t)limit)
			continue;
		c[k].id = db_int(r, 0);
		c[k].to = dup_col(r, 1, &oom);
		c[k].subject = dup_col(r, 2, &oom);
		c[k].text = dup_col(r, 3, &oom);
		c[k].html = dup_col(r, 4, &oom);
		c[k].attempts = db_int(r, 5);
		c[k].created_at = db_int(r, 6);
		k++;
	}
	db_res_free(r);
	if (e == ERR_OK && oom)
		e = ERR_NOMEM;
	if (e) {
		/* Leased rows come back when the lease ends. */
		mail_claimed_free(c, k);
		return e;
	}
	if (k == 0) {
		free(c);
		c = NULL;
	}
	*n = k;
	*out = c;
	return ERR_OK;
}

enum err mail_db_sent(struct db *db, int64_t id, const char *owner, int64_t now, int64_t *changes)
{
	return db_exec(db, &q_sent, DB_ARGS(DB_INT(id), DB_TEXT(owner), DB_INT(now)), changes);
}

enum err mail_db_attempt_failed(struct db *db, int64_t id, const char *owner, int64_t attempts,
		const char *why, int64_t not_before, int64_t failed_at, int64_t *changes)
{
	return db_exec(db, &q_failed,
		       DB_ARGS(DB_INT(id), DB_TEXT(owner), DB_INT(attempts), DB_TEXT(why),
			       DB_INT(not_before), failed_at ? DB_INT(failed_at) : DB_NULL),
		       changes);
}

enum err mail_db_release(struct db *db, const char *owner)
{
	return db_exec(db, &q_release, DB_ARGS(DB_TEXT(owner)), NULL);
}

enum err mail_db_next_due(struct db *db, int64_t *out)
{
	return db_query_int(db, &q_next_due, DB_NOARGS, out);
}

enum err mail_db_retry(struct db *db, int64_t id, int64_t now, int64_t *person_id)
{
	struct db_res *r;
	enum err e = db_query(db, &q_retry, DB_ARGS(DB_INT(id), DB_INT(now)), &r);
	bool found = false;

	if (e)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		found = true;
		if (person_id)
			*person_id = db_isnull(r, 0) ? 0 : db_int(r, 0);
	}
	db_res_free(r);
	if (e == ERR_OK && !found)
		e = ERR_NOT_FOUND;
	return e;
}

/* "2026-01-23 14:05 UTC": what an admin reads. */
static json_t *when(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[32];

	if (!gmtime_r(&tt, &tm) || !strftime(s, sizeof(s), "%Y-%m-%d %H:%M UTC", &tm))
		return json_string("");
	return json_string(s);
}

static json_t *iso(int64_t t)
{
	char s[32];

	if (!time_iso8601(t, s, sizeof(s)))
		return json_null();
	return json_string(s);
}

static enum err admin_rows(struct db *db, const struct sql *q, int64_t now, json_t *arr)
{
	struct db_res *r;
	enum err e = db_query(db, q, DB_ARGS(DB_INT(MAIL_ADMIN_LIST_MAX)), &r);

	if (e)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		json_t *o;

		o = json_pack("{s:I, s:s?, s:s?, s:I, s:s?, s:o, s:o}",
			      "id", (json_int_t)db_int(r, 0),
			      "to", db_text(r, 1),
			      "template", db_text(r, 2),
			      "attempts", (json_int_t)db_int(r, 3),
			      "last_error", db_text(r, 4),
			      "created_at", iso(db_int(r, 5)),
			      "created_text", when(db_int(r, 5)));
		if (!o) {
			e = ERR_NOMEM;
			break;
		}
		if (!db_isnull(r, 7)) {
			json_object_set_new(o, "failed_at", iso(db_int(r, 7)));
			json_object_set_new(o, "failed_text", when(db_int(r, 7)));
		} else {
			int64_t due = db_int(r, 6);
			bool leased = !db_isnull(r, 8) && db_int(r, 8) > now;

			json_object_set_new(o, "next_attempt_at", iso(due));
			json_object_set_new(o, "next_attempt_text", due <= now ? json_string("now") : when(due));
			json_object_set_new(o, "sending", json_boolean(leased));
		}
		json_array_append_new(arr, o);
	}
	db_res_free(r);
	return e;
}

enum err mail_db_admin(struct db *db, int64_t now, json_t **out)
{
	json_t *failed = json_array(), *pending = json_array(), *o;
	struct db_res *r = NULL;
	enum err e;
	int64_t c[3] = { 0, 0, 0 };

	*out = NULL;
	if (!failed || !pending) {
		e = ERR_NOMEM;
		goto fail;
	}
	if ((e = admin_rows(db, &q_admin_failed, now, failed)) != ERR_OK ||
	    (e = admin_rows(db, &q_admin_pending, now, pending)) != ERR_OK)
		goto fail;
	if ((e = db_query(db, &q_admin_counts, DB_ARGS(DB_INT(now - 86400)), &r)) != ERR_OK)
		goto fail;
	if ((e = db_next(r)) == ERR_OK && db_row(r))
		for (int i = 0; i < 3; i++)
			c[i] = db_int(r, i);
	db_res_free(r);
	if (e)
		goto fail;
	o = json_pack("{s:o, s:o, s:{s:I, s:I, s:I}}", "failed", failed, "pending", pending,
		      "counts", "failed", (json_int_t)c[0], "pending", (json_int_t)c[1],
		      "sent_day", (json_int_t)c[2]);
	if (!o)
		return ERR_NOMEM;   /* json_pack's "o" took failed and pending */
	*out = o;
	return ERR_OK;
fail:
	json_decref(failed);
	json_decref(pending);
	return e;
}

enum err mail_db_export(struct db *db, int64_t person_id, json_t **out)
{
	json_t *arr = json_array();
	struct db_res *r;
	enum err e;

	*out = NULL;
	if (!arr)
		return ERR_NOMEM;
	e = db_query(db, &q_export, DB_ARGS(DB_INT(person_id), DB_INT(MAIL_EXPORT_MAX)), &r);
	if (e) {
		json_decref(arr);
		return e;
	}
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		json_t *o = json_pack("{s:I, s:s?, s:s?, s:s?, s:o, s:I}",
				      "id", (json_int_t)db_int(r, 0),
				      "to", db_text(r, 1),
				      "subject", db_text(r, 2),
				      "template", db_text(r, 3),
				      "created_at", iso(db_int(r, 4)),
				      "attempts", (json_int_t)db_int(r, 7));

		if (!o) {
			e = ERR_NOMEM;
			break;
		}
		if (!db_isnull(r, 5))
			json_object_set_new(o, "sent_at", iso(db_int(r, 5)));
		if (!db_isnull(r, 6))
			json_object_set_new(o, "failed_at", iso(db_int(r, 6)));
		if (!db_isnull(r, 8))
			json_object_set_new(o, "last_error", json_string(db_text(r, 8)));
		json_array_append_new(arr, o);
	}
	db_res_free(r);
	if (e) {
		json_decref(arr);
		return e;
	}
	*out = arr;
	return ERR_OK;
}

enum err mail_db_erase_person(struct db *db, int64_t person_id)
{
	return db_exec(db, &q_erase, DB_ARGS(DB_INT(person_id)), NULL);
}
