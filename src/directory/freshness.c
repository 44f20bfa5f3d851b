/*
 * freshness.c - is it still running? The job that asks, flags and hides,
 * and the one-click link organisers answer with.
 *
 * Every step is a guarded UPDATE (... AND stale_asked_at IS NULL), so two
 * kith processes running the job at once cannot both ask: the second
 * finds nothing changed and rolls its transaction (and its email) back.
 * The link works like the account links (src/auth/onetime.c): 64 hex
 * digits in the URL, their SHA-256 in service_check, used by one atomic
 * UPDATE ... RETURNING, and the GET only shows a page (mail scanners that
 * follow links answer nothing). Emails name the service, which is public,
 * and nothing about any person.
 */
#include "core/common.h"
#include "audit/audit.h"
#include "core/links.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "directory/directory.h"
#include "directory/directory_db.h"
#include "directory/freshness.h"
#include "mail/mail.h"
#include "store/store.h"

#include <sodium.h>

#define FRESH_BATCH 100           /* services per query */
#define FRESH_MAX_PER_RUN 2000    /* asked or hidden per run; the rest next hour */
#define DAY 86400
/* A link outlives the flag and hide periods by this much, so an organiser
 * back from a long holiday can still bring a hidden service back. */
#define CHECK_GRACE_DAYS 60
#define TOKEN_BYTES 32

static const struct sql q_due_ask = { "fresh.due_ask",
	"SELECT s.id, s.organisation_id, s.name, o.name FROM service s "
	"JOIN organisation o ON o.id = s.organisation_id "
	"WHERE s.state = 'published' AND s.stale_asked_at IS NULL "
	"AND COALESCE(s.assured_at, s.created_at) <= $1 ORDER BY s.id LIMIT $2", NULL };
static const struct sql q_mark_asked = { "fresh.mark_asked",
	"UPDATE service SET stale_asked_at = $2 WHERE id = $1 AND state = 'published' "
	"AND stale_asked_at IS NULL", NULL };
static const struct sql q_mark_asked_flagged = { "fresh.mark_asked_flagged",
	"UPDATE service SET stale_asked_at = $2, stale_flagged_at = $2 WHERE id = $1 "
	"AND state = 'published' AND stale_asked_at IS NULL", NULL };
static const struct sql q_organisers = { "fresh.organisers",
	"SELECT p.id, p.name, p.email FROM person_role r JOIN person p ON p.id = r.person_id "
	"WHERE r.role = 'organiser' AND r.org_id = $1 AND p.email IS NOT NULL "
	"AND p.deactivated_at IS NULL AND p.erased_at IS NULL ORDER BY p.id", NULL };
static const struct sql q_check_insert = { "fresh.check_insert",
	"INSERT INTO service_check (token_hash, service_id, created_at, expires_at) "
	"VALUES ($1, $2, $3, $4)", NULL };
static const struct sql q_flag = { "fresh.flag",
	"UPDATE service SET stale_flagged_at = $1 WHERE state = 'published' "
	"AND stale_asked_at IS NOT NULL AND stale_asked_at <= $2 AND stale_flagged_at IS NULL", NULL };
static const struct sql q_due_hide = { "fresh.due_hide",
	"SELECT id FROM service WHERE state = 'published' AND stale_flagged_at IS NOT NULL "
	"AND stale_flagged_at <= $1 AND stale_hidden_at IS NULL ORDER BY id LIMIT $2", NULL };
static const struct sql q_hide = { "fresh.hide",
	"UPDATE service SET stale_hidden_at = $2 WHERE id = $1 AND state = 'published' "
	"AND stale_flagged_at IS NOT NULL AND stale_hidden_at IS NULL", NULL };

/* ---------------------------------------------------------------- helpers */

int64_t freshness_cutoff(int64_t now, int months)
{
	struct uk_tm t;
	int y, m, d;

	uk_from_utc(now, &t);
	y = t.year;
	m = t.month - months;
	while (m < 1) {
		m += 12;
		y--;
	}
	d = t.day;
	if (d > uk_days_in_month(y, m))
		d = uk_days_in_month(y, m);
	return uk_to_utc(y, m, d, t.hour, t.min) + t.sec;
}

void freshness_token_hash(const char *token, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	hex_encode(h, sizeof(h), out);
	sodium_memzero(h, sizeof(h));
}

/* A directory_change row, through the directory's own writer: on
 * PostgreSQL it takes the lock that keeps the feed in commit order. */
static enum err change(struct db *db, const char *id, int64_t now)
{
	return dir_db_change(db, id, now);
}

enum err freshness_clear(struct db *db, const char *service_id, int64_t now, bool *was_hidden)
{
	return dir_db_stale_clear(db, service_id, now, was_hidden);
}

/* ---------------------------------------------------------------- the job */

struct due {
	char id[37], org_id[37];
	char *name, *org_name;
};

static void due_free(struct due *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(d[i].name);
		free(d[i].org_name);
	}
}

/* Asks about one service in a transaction of its own: a new link, an
 * email to each organiser, the mark. true in *asked when it was ours to
 * ask (another process may have got there first). */
static enum err ask_one(const struct freshness_env *env, struct db *db, const struct due *d,
		int64_t now, bool *mailed)
{
	const struct directory_settings *ds = env->settings;
	unsigned char raw[TOKEN_BYTES];
	char token[TOKEN_BYTES * 2 + 1], hash[65], detail[64];
	struct db_res *r = NULL;
	int64_t changes = 0, expires;
	size_t sent = 0;
	const char *link, *manage;
	struct arena a;
	enum err e;

	*mailed = false;
	if (!rand_bytes(raw, sizeof(raw)))
		return ERR_INTERNAL;
	hex_encode(raw, sizeof(raw), token);
	sodium_memzero(raw, sizeof(raw));
	freshness_token_hash(token, hash);
	expires = now + (int64_t)(ds->stale_flag_days + ds->stale_hide_days + CHECK_GRACE_DAYS) * DAY;
	arena_init(&a);
	link = link_abs(env->links, &a, "manage.check", token, NULL);
	manage = link_abs(env->links, &a, "manage.home", NULL);
	if (!link || !manage) {
		e = ERR_NOMEM;
		goto out;
	}
	if ((e = db_begin(db)) != ERR_OK)
		goto out;
	if ((e = dir_db_checks_cancel(db, d->id, now)) != ERR_OK)
		goto out;
	if ((e = db_query(db, &q_organisers, DB_ARGS(DB_TEXT(d->org_id)), &r)) != ERR_OK)
		goto out;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		json_t *ctx = json_pack("{s:s, s:s, s:s, s:s, s:s}",
			"name", db_text(r, 1), "service_name", d->name, "org_name", d->org_name,
			"link", link, "manage_link", manage);
		enum err me;

		if (!ctx) {
			e = ERR_NOMEM;
			break;
		}
		me = mail_enqueue(env->mailer, db, db_text(r, 2), db_int(r, 0), "service_check", ctx, now);
		json_decref(ctx);
		if (me == ERR_INVALID) {
			/* An address that cannot be mailed: the others still
			 * are, and with none the coordinators hear of it. */
			log_warn("freshness: organiser %lld has an address we cannot mail",
				 (long long)db_int(r, 0));
			continue;
		}
		if (me) {
			e = me;
			break;
		}
		sent++;
	}
	db_res_free(r);
	if (e)
		goto out;
	/* The link is stored only when someone was sent it. */
	if (sent && (e = db_exec(db, &q_check_insert, DB_ARGS(DB_TEXT(hash), DB_TEXT(d->id),
			DB_INT(now), DB_INT(expires)), NULL)) != ERR_OK)
		goto out;
	/* No one to ask: straight to the coordinators. */
	e = db_exec(db, sent ? &q_mark_asked : &q_mark_asked_flagged,
		    DB_ARGS(DB_TEXT(d->id), DB_INT(now)), &changes);
	if (e)
		goto out;
	if (changes != 1) {
		/* Someone else asked, or it changed state meanwhile. */
		db_rollback(db);
		goto out;
	}
	snprintf(detail, sizeof(detail), "service=%.36s", d->id);
	if ((e = audit_log(db, now, 0, sent ? "service.check_asked" : "service.check_flagged", 0,
			   detail, NULL, NULL)) != ERR_OK)
		goto out;
	if ((e = db_commit(db)) == ERR_OK)
		*mailed = sent > 0;
out:
	if (e && db_in_tx(db))
		db_rollback(db);
	sodium_memzero(token, sizeof(token));
	if (link)
		sodium_memzero((char *)link, strlen(link));
	arena_release(&a);
	return e;
}

static enum err ask_due(const struct freshness_env *env, struct db *db, int64_t now, bool *any_mail)
{
	int64_t cutoff = freshness_cutoff(now, env->settings->stale_months);
	struct due batch[FRESH_BATCH];
	size_t done = 0;
	enum err e = ERR_OK;

	while (done < FRESH_MAX_PER_RUN) {
		struct db_res *r;
		size_t n = 0;

		if ((e = db_query(db, &q_due_ask, DB_ARGS(DB_INT(cutoff), DB_INT(FRESH_BATCH)), &r)) != ERR_OK)
			return e;
		while ((e = db_next(r)) == ERR_OK && db_row(r) && n < FRESH_BATCH) {
			struct due *d = &batch[n];

			snprintf(d->id, sizeof(d->id), "%s", db_text(r, 0));
			snprintf(d->org_id, sizeof(d->org_id), "%s", db_text(r, 1));
			d->name = strdup(db_text(r, 2) ? db_text(r, 2) : "");
			d->org_name = strdup(db_text(r, 3) ? db_text(r, 3) : "");
			n++;
			if (!d->name || !d->org_name) {
				e = ERR_NOMEM;
				break;
			}
		}
		db_res_free(r);
		for (size_t i = 0; e == ERR_OK && i < n; i++) {
			bool mailed = false;

			e = ask_one(env, db, &batch[i], now, &mailed);
			*any_mail = *any_mail || mailed;
		}
		due_free(batch, n);
		if (e || n < FRESH_BATCH)
			break;
		done += n;
	}
	return e;
}

static enum err hide_due(const struct freshness_env *env, struct db *db, int64_t now, bool *any_hidden)
{
	int64_t before = now - (int64_t)env->settings->stale_hide_days * DAY;
	size_t done = 0;
	enum err e = ERR_OK;

	while (done < FRESH_MAX_PER_RUN) {
		char ids[FRESH_BATCH][37];
		struct db_res *r;
		size_t n = 0;

		if ((e = db_begin(db)) != ERR_OK)
			return e;
		if ((e = db_query(db, &q_due_hide, DB_ARGS(DB_INT(before), DB_INT(FRESH_BATCH)), &r)) != ERR_OK)
			break;
		while ((e = db_next(r)) == ERR_OK && db_row(r) && n < FRESH_BATCH)
			snprintf(ids[n++], sizeof(ids[0]), "%s", db_text(r, 0));
		db_res_free(r);
		for (size_t i = 0; e == ERR_OK && i < n; i++) {
			int64_t changes = 0;

			e = db_exec(db, &q_hide, DB_ARGS(DB_TEXT(ids[i]), DB_INT(now)), &changes);
			if (e == ERR_OK && changes == 1) {
				char detail[64];

				snprintf(detail, sizeof(detail), "service=%.36s", ids[i]);
				e = change(db, ids[i], now);
				if (e == ERR_OK)
					e = audit_log(db, now, 0, "service.hidden_stale", 0, detail, NULL, NULL);
				*any_hidden = true;
			}
		}
		if (e || (e = db_commit(db)) != ERR_OK)
			break;
		if (n < FRESH_BATCH)
			break;
		done += n;
	}
	if (e && db_in_tx(db))
		db_rollback(db);
	return e;
}

enum err freshness_run(const struct freshness_env *env, struct db *db, int64_t now)
{
	bool mail = false, hidden = false;
	enum err e, e2;

	/* Hide before flagging and flag before asking, so one run moves a
	 * service one step at most. */
	e = hide_due(env, db, now, &hidden);
	e2 = db_exec(db, &q_flag, DB_ARGS(DB_INT(now),
		     DB_INT(now - (int64_t)env->settings->stale_flag_days * DAY)), NULL);
	if (!e)
		e = e2;
	e2 = ask_due(env, db, now, &mail);
	if (!e)
		e = e2;
	if (hidden && (e2 = directory_apply_changes(env->directory, db)) != ERR_OK && !e)
		e = e2;
	return e;
}
