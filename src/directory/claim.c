/*
 * claim.c - bringing on organisations with nobody on kith (claim.h).
 *
 * The list is a row an organisation (org_bring_on), written when a
 * referral finds nobody and when a coordinator sends a link; the link is
 * a onetime row of the organisation's (auth/onetime.h), so it is made,
 * hashed, cancelled, used and cleaned up exactly as every other
 * single-use link. "Nobody on kith" is asked of person_role each time, so
 * an organiser added by an admin takes an organisation off the list
 * without anyone marking it.
 *
 * The email says only that someone has been referred to one of the
 * organisation's services and how to claim it: no name, no need.
 */
#include "core/common.h"
#include "directory/claim.h"

#include "audit/audit.h"
#include "auth/onetime.h"
#include "auth/person.h"
#include "core/links.h"
#include "core/log.h"
#include "core/str.h"
#include "directory/directory_db.h"
#include "mail/mail.h"
#include "org/org.h"
#include "oruk/oruk.h"
#include "store/store.h"

#include <sodium.h>

/* ---------------------------------------------------------------- SQL */

/* Anybody who can act for the organisation, whether or not their address
 * is confirmed: an unconfirmed organiser is still somebody on kith. */
static const struct sql q_has_people = { "claim.has_people",
	"SELECT count(*) FROM person_role r JOIN person p ON p.id = r.person_id "
	"WHERE r.role = 'organiser' AND r.org_id = $1 AND p.deactivated_at IS NULL "
	"AND p.erased_at IS NULL", NULL };
/* A referral found nobody: on the list, or one more waiting (a claimed
 * organisation whose people have all gone is waiting again). */
static const struct sql q_needed = { "claim.needed",
	"INSERT INTO org_bring_on (org_id, first_needed_at, last_needed_at, waiting, state) "
	"VALUES ($1, $2, $2, 1, 'waiting') ON CONFLICT (org_id) DO UPDATE SET "
	"waiting = CASE WHEN org_bring_on.state = 'claimed' THEN 1 ELSE org_bring_on.waiting + 1 END, "
	"first_needed_at = CASE WHEN org_bring_on.state = 'claimed' THEN $2 "
	"ELSE org_bring_on.first_needed_at END, "
	"state = CASE WHEN org_bring_on.state = 'claimed' THEN 'waiting' ELSE org_bring_on.state END, "
	"last_needed_at = $2", NULL };
/* A coordinator sends a link to an organisation no referral has found
 * yet: on the list with nothing waiting. */
static const struct sql q_listed = { "claim.listed",
	"INSERT INTO org_bring_on (org_id, first_needed_at, last_needed_at, waiting, state) "
	"VALUES ($1, $2, $2, 0, 'waiting') ON CONFLICT (org_id) DO NOTHING", NULL };
static const struct sql q_demo = { "claim.demo",
	"INSERT INTO org_bring_on (org_id, first_needed_at, last_needed_at, waiting, state) "
	"VALUES ($1, $2, $3, $4, 'waiting') ON CONFLICT (org_id) DO UPDATE SET "
	"first_needed_at = $2, last_needed_at = $3, waiting = $4 "
	"WHERE org_bring_on.state = 'waiting' AND org_bring_on.sends = 0", NULL };
static const struct sql q_sent = { "claim.sent",
	"UPDATE org_bring_on SET state = 'sent', sent_at = $2, sent_to = $3, sends = sends + 1 "
	"WHERE org_id = $1", NULL };
static const struct sql q_claimed = { "claim.claimed",
	"UPDATE org_bring_on SET state = 'claimed', claimed_at = $2, claimed_by = $3 "
	"WHERE org_id = $1", NULL };
static const struct sql q_waiting = { "claim.waiting",
	"SELECT " CLAIM_ORG_WAITING_SQL("$1"), NULL };
static const struct sql q_list = { "claim.list",
	"SELECT b.org_id, o.name, o.email, b.waiting, b.first_needed_at, coalesce(b.sent_at, 0), "
	"b.sent_to, (SELECT count(*) FROM onetime t WHERE t.org_id = b.org_id "
	"AND t.purpose = 'claim_org' AND t.used_at IS NULL AND t.expires_at > $1) "
	"FROM org_bring_on b JOIN organisation o ON o.id = b.org_id WHERE b.state <> 'claimed' "
	"AND NOT EXISTS (SELECT 1 FROM person_role r JOIN person p ON p.id = r.person_id "
	"WHERE r.role = 'organiser' AND r.org_id = b.org_id AND p.deactivated_at IS NULL "
	"AND p.erased_at IS NULL) ORDER BY b.first_needed_at, o.name, b.org_id LIMIT 500", NULL };

/* ---------------------------------------------------------------- the setting */

/* Set once at start-up by the claim feature, read by the referral rules,
 * which do not hold this feature's settings (as directory.c keeps
 * stale_months). */
static int env_days(const struct claim_env *env)
{
	return env && env->days > 0 ? env->days : CLAIM_DEFAULT_DAYS;
}

/* ---------------------------------------------------------------- rules */

enum err claim_org_has_people(struct db *db, const char *org_id, bool *has)
{
	int64_t n = 0;
	enum err e = db_query_int(db, &q_has_people, DB_ARGS(DB_TEXT(org_id)), &n);

	*has = e == ERR_OK && n > 0;
	return e;
}

/* A usable contact address of the organisation's, or NULL. */
static const char *contact_of(const struct org_record *o)
{
	return o->email && !str_is_blank(o->email) && str_email_ok(o->email) ? o->email : NULL;
}

/* Sends o's contact address a new link (cancelling the old) and notes it
 * on the list. by: the coordinator, 0 for a referral. */
static enum err send_link(const struct claim_env *env, struct db *db, struct arena *a,
		const struct org_record *o, const char *to, int64_t by, int64_t now)
{
	int days = env_days(env);
	char token[TOKEN_HEX + 1], detail[80];
	const char *link;
	json_t *ctx;
	enum err e;

	if ((e = onetime_org_create(db, OT_CLAIM_ORG, o->id, now, (int64_t)days * 86400, token)) != ERR_OK)
		return e;
	link = link_abs(env ? env->links : NULL, a, "claim.page", token, NULL);
	sodium_memzero(token, sizeof(token));
	if (!link)
		return ERR_NOMEM;
	if (env && env->mailer) {
		ctx = json_pack("{s:s, s:s, s:i}", "org_name", o->name, "link", link, "days", days);
		if (!ctx)
			return ERR_NOMEM;
		e = mail_enqueue(env->mailer, db, to, 0, "claim_org", ctx, now);
		json_decref(ctx);
		if (e)
			return e;
	}
	if ((e = db_exec(db, &q_sent, DB_ARGS(DB_TEXT(o->id), DB_INT(now), DB_TEXT(to)), NULL)) != ERR_OK)
		return e;
	snprintf(detail, sizeof(detail), "org=%.36s%s", o->id, by ? " by=coordinator" : " by=referral");
	return audit_log(db, now, by, "org.claim.sent", 0, detail, NULL, NULL);
}

enum err claim_referral_arrived(const struct claim_env *env, struct db *db, const char *org_id,
		int64_t now, bool *brought_on)
{
	struct org_record o;
	const char *to;
	struct arena a;
	bool has = false, live = false;
	enum err e;

	*brought_on = false;
	if (!org_id || !*org_id)
		return ERR_OK;
	if ((e = claim_org_has_people(db, org_id, &has)) != ERR_OK || has)
		return e;
	*brought_on = true;
	if ((e = db_exec(db, &q_needed, DB_ARGS(DB_TEXT(org_id), DB_INT(now)), NULL)) != ERR_OK)
		return e;
	arena_init(&a);
	if ((e = org_get(db, &a, org_id, &o)) != ERR_OK)
		goto out;
	if (!(to = contact_of(&o))) {
		log_info("claim: an organisation with nobody on kith has no contact address; "
			 "it waits on the coordinators' list");
		goto out;
	}
	/* At most one live link: another referral while one is out sends
	 * nothing more. */
	if ((e = onetime_org_live(db, OT_CLAIM_ORG, org_id, now, &live)) != ERR_OK || live)
		goto out;
	e = send_link(env, db, &a, &o, to, 0, now);
out:
	arena_release(&a);
	return e;
}

enum err claim_demo_note(struct db *db, const char *org_id, int64_t waiting, int64_t first,
		int64_t last)
{
	bool has = false;
	enum err e;

	if (!org_id || !*org_id || waiting <= 0)
		return ERR_OK;
	if ((e = claim_org_has_people(db, org_id, &has)) != ERR_OK || has)
		return e;
	return db_exec(db, &q_demo, DB_ARGS(DB_TEXT(org_id), DB_INT(first), DB_INT(last),
		       DB_INT(waiting)), NULL);
}

enum err claim_org_waiting(struct db *db, const char *org_id, bool *waiting)
{
	int64_t n = 0;
	enum err e;

	*waiting = false;
	if (!org_id || !*org_id)
		return ERR_OK;
	e = db_query_int(db, &q_waiting, DB_ARGS(DB_TEXT(org_id)), &n);
	*waiting = e == ERR_OK && n > 0;
	return e;
}

enum err claim_send(const struct claim_env *env, struct db *db, const char *org_id, int64_t by,
		int64_t now)
{
	struct org_record o;
	const char *to;
	struct arena a;
	bool has = false;
	enum err e;

	arena_init(&a);
	if ((e = org_get(db, &a, org_id, &o)) != ERR_OK)
		goto out;
	if ((e = claim_org_has_people(db, org_id, &has)) != ERR_OK)
		goto out;
	if (has) {
		e = ERR_CONFLICT;
		goto out;
	}
	if (!(to = contact_of(&o))) {
		e = ERR_INVALID;
		goto out;
	}
	if ((e = db_exec(db, &q_listed, DB_ARGS(DB_TEXT(org_id), DB_INT(now)), NULL)) == ERR_OK)
		e = send_link(env, db, &a, &o, to, by, now);
out:
	arena_release(&a);
	return e;
}

enum err claim_set_email(struct db *db, const char *org_id, const char *email, int64_t by,
		int64_t now)
{
	struct org_record o;
	json_t *doc = NULL;
	char *text = NULL, detail[64];
	struct arena a;
	enum err e;

	if (!email || !str_email_ok(email))
		return ERR_INVALID;
	arena_init(&a);
	if ((e = org_get(db, &a, org_id, &o)) != ERR_OK)
		goto out;
	/* The ORUK document says the same as the column. */
	doc = o.doc ? json_loads(o.doc, 0, NULL) : NULL;
	if (!doc)
		doc = json_pack("{s:s, s:s}", "id", o.id, "name", o.name);
	if (!doc || json_object_set_new(doc, "email", json_string(email)) != 0 ||
	    !(text = oruk_dump(doc, NULL))) {
		e = ERR_NOMEM;
		goto out;
	}
	o.email = email;
	o.doc = text;
	o.last_modified = now;
	if ((e = org_put(db, &o, now, true)) != ERR_OK ||
	    (e = dir_db_org_refresh(db, o.id)) != ERR_OK)
		goto out;
	snprintf(detail, sizeof(detail), "org=%.36s", o.id);
	e = audit_log(db, now, by, "org.email.changed", 0, detail, NULL, NULL);
out:
	free(text);
	json_decref(doc);
	arena_release(&a);
	return e;
}

enum err claim_list(struct db *db, int64_t now, json_t **out)
{
	struct db_res *r;
	enum err e;

	if (!(*out = json_array()))
		return ERR_NOMEM;
	if ((e = db_query(db, &q_list, DB_ARGS(DB_INT(now)), &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		const char *email = db_text(r, 2), *sent_to = db_text(r, 6);

		json_array_append_new(*out, json_pack("{s:s, s:s, s:o, s:I, s:I, s:I, s:o, s:b}",
			"org_id", db_text(r, 0), "name", db_text(r, 1) ? db_text(r, 1) : "",
			"email", email && *email ? json_string(email) : json_null(),
			"waiting", (json_int_t)db_int(r, 3), "first_needed_at", (json_int_t)db_int(r, 4),
			"sent_at", (json_int_t)db_int(r, 5),
			"sent_to", sent_to ? json_string(sent_to) : json_null(),
			"link_live", db_int(r, 7) > 0));
	}
	db_res_free(r);
	return e;
}

enum err claim_peek(struct db *db, struct arena *a, const char *token, int64_t now,
		const char **org_id, const char **name)
{
	enum err e = onetime_org_peek(db, a, OT_CLAIM_ORG, token, now, org_id);

	*name = NULL;
	if (e)
		return e;
	if ((e = org_name(db, a, *org_id, name)) == ERR_OK && !*name)
		e = ERR_NOT_FOUND;
	return e;
}

enum err claim_take(struct db *db, struct arena *a, const char *token, int64_t person,
		int64_t now, const char **org_id)
{
	struct person p;
	char detail[64];
	enum err e;

	*org_id = NULL;
	/* Which organisation, and whether this account may take it, before
	 * the link is used: a refusal leaves it for another account. */
	if ((e = onetime_org_peek(db, a, OT_CLAIM_ORG, token, now, org_id)) != ERR_OK)
		return e;
	if ((e = person_get(db, a, person, &p)) != ERR_OK)
		return e;
	if ((p.roles & ROLE_BIT(ROLE_ORGANISER)) && (!p.org_id || strcmp(p.org_id, *org_id) != 0))
		return ERR_CONFLICT;
	if ((e = onetime_org_consume(db, a, OT_CLAIM_ORG, token, now, org_id)) != ERR_OK)
		return e;
	if (!(p.roles & ROLE_BIT(ROLE_ORGANISER)) &&
	    (e = person_grant(db, person, ROLE_ORGANISER, *org_id, person, now)) != ERR_OK)
		return e;
	/* A coordinator's list reads claimed from now on; the row may be
	 * missing when the organisation came off it otherwise. */
	if ((e = db_exec(db, &q_claimed, DB_ARGS(DB_TEXT(*org_id), DB_INT(now), DB_INT(person)),
			 NULL)) != ERR_OK)
		return e;
	snprintf(detail, sizeof(detail), "org=%.36s", *org_id);
	return audit_log(db, now, person, "org.claimed", person, detail, NULL, NULL);
}
