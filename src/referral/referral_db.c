/*
 * referral_db.c - every SQL statement of referrals, and the functions
 * that run them. No rules here: referral.c decides when each runs.
 *
 * The statements are written once for both backends. Optional filters use
 * 0 and '' for "not given" and CAST the parameter where PostgreSQL could
 * not otherwise tell its type. Times are Unix seconds from C. A referral
 * is open exactly while open_key is set (client|type|target), and the
 * unique index on it refuses a second open referral of one person to one
 * place, whatever the race.
 */
#include "core/common.h"
#include "core/str.h"
#include "directory/claim.h"
#include "directory/vocab.h"
#include "referral/referral_int.h"
#include "store/store.h"

/* ---------------------------------------------------------------- statements */

#define META_COLS \
	"r.id, r.client_id, r.status, r.source, r.target_type, r.target_id, " \
	"coalesce(r.target_org_id, ''), coalesce(c.account_id, 0), coalesce(r.referrer_id, 0), " \
	"r.sent_at, r.updated_at"
#define META_N 11

static const struct sql q_meta = { "ref.meta",
	"SELECT " META_COLS " FROM referral r JOIN client c ON c.id = r.client_id WHERE r.id = $1",
	NULL };
static const struct sql q_row = { "ref.row",
	"SELECT " META_COLS ", r.target_name, o.name, p.name, r.reason, r.end_reason, r.external_id, "
	"r.needs, r.category, coalesce(r.accepted_at, 0), coalesce(r.contacted_at, 0), "
	"coalesce(r.attended_at, 0), coalesce(r.sustained_at, 0), coalesce(r.ended_at, 0), "
	"coalesce(r.follow_up_sent_at, 0), r.next_contact_on "
	"FROM referral r JOIN client c ON c.id = r.client_id "
	"LEFT JOIN organisation o ON o.id = r.target_org_id "
	"LEFT JOIN person p ON p.id = r.referrer_id WHERE r.id = $1", NULL };

static const struct sql q_client = { "ref.client",
	"SELECT id, coalesce(account_id, 0), name, email, phone, address, contact_by, access_needs, "
	"language, birth_date, nhs_number, coalesce(created_by, 0), created_at, "
	"coalesce(erased_at, 0) FROM client WHERE id = $1", NULL };
static const struct sql q_client_insert = { "ref.client_insert",
	"INSERT INTO client (id, account_id, name, email, email_lower, phone, address, contact_by, "
	"access_needs, language, birth_date, nhs_number, created_by, created_at, updated_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)", NULL };
/* What was not given this time is kept: a self-referral form asks less
 * than a link worker's. */
static const struct sql q_client_update = { "ref.client_update",
	"UPDATE client SET name = $2, email = COALESCE($3, email), "
	"email_lower = COALESCE($4, email_lower), phone = COALESCE($5, phone), "
	"address = COALESCE($6, address), contact_by = $7, "
	"access_needs = COALESCE($8, access_needs), language = COALESCE($9, language), "
	"birth_date = COALESCE($10, birth_date), nhs_number = COALESCE($11, nhs_number), "
	"updated_at = $12 WHERE id = $1 AND erased_at IS NULL", NULL };
static const struct sql q_client_of_account = { "ref.client_of_account",
	"SELECT id FROM client WHERE account_id = $1 AND erased_at IS NULL "
	"ORDER BY updated_at DESC, id LIMIT 1", NULL };
static const struct sql q_client_known = { "ref.client_known",
	"SELECT count(*) FROM client c WHERE c.id = $1 AND c.erased_at IS NULL AND "
	"(c.created_by = $2 OR EXISTS (SELECT 1 FROM referral r WHERE r.client_id = c.id "
	"AND r.referrer_id = $2))", NULL };
static const struct sql q_clients_known = { "ref.clients_known",
	"SELECT c.id, c.name FROM client c WHERE c.erased_at IS NULL AND (c.created_by = $1 OR "
	"EXISTS (SELECT 1 FROM referral r WHERE r.client_id = c.id AND r.referrer_id = $1)) "
	"ORDER BY c.name, c.id LIMIT 500", NULL };
static const struct sql q_client_delete = { "ref.client_delete",
	"DELETE FROM client WHERE id = $1", NULL };
static const struct sql q_clients_of_account = { "ref.clients_of_account",
	"SELECT id FROM client WHERE account_id = $1 ORDER BY created_at, id", NULL };

static const struct sql q_consents = { "ref.consents",
	"SELECT k.purpose, k.method, k.given_at, coalesce(k.withdrawn_at, 0), p.name "
	"FROM consent k LEFT JOIN person p ON p.id = k.recorded_by "
	"WHERE k.client_id = $1 ORDER BY k.given_at, k.id", NULL };
static const struct sql q_consent_give = { "ref.consent_give",
	"INSERT INTO consent (client_id, purpose, method, recorded_by, given_at) "
	"VALUES ($1, $2, $3, $4, $5)", NULL };
static const struct sql q_consent_withdraw = { "ref.consent_withdraw",
	"UPDATE consent SET withdrawn_at = $3, withdrawn_by = $4 "
	"WHERE client_id = $1 AND purpose = $2 AND withdrawn_at IS NULL", NULL };

static const struct sql q_open_id = { "ref.open_id",
	"SELECT id FROM referral WHERE open_key = $1", NULL };
static const struct sql q_insert = { "ref.insert",
	"INSERT INTO referral (id, client_id, source, referrer_id, target_type, target_id, "
	"target_name, target_org_id, category, status, open_key, reason, needs, external_id, "
	"sent_at, updated_at, folded_into) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'sent', $10, "
	"$11, $12, $13, $14, $14, $15)", NULL };
static const struct sql q_event = { "ref.event",
	"INSERT INTO referral_event (referral_id, at, actor_id, from_status, to_status, reason, note) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7)", NULL };
static const struct sql q_event_dated = { "ref.event_dated",
	"INSERT INTO referral_event (referral_id, at, actor_id, from_status, to_status, note, "
	"happened_on, method) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", NULL };
static const struct sql q_events = { "ref.events",
	"SELECT e.at, coalesce(e.actor_id, 0), p.name, e.from_status, e.to_status, e.reason, e.note, "
	"e.happened_on, e.method "
	"FROM referral_event e LEFT JOIN person p ON p.id = e.actor_id "
	"WHERE e.referral_id = $1 ORDER BY e.at, e.id", NULL };
static const struct sql q_notes = { "ref.notes",
	"SELECT n.at, p.name, n.body FROM referral_note n LEFT JOIN person p ON p.id = n.author_id "
	"WHERE n.referral_id = $1 ORDER BY n.at DESC, n.id DESC", NULL };
static const struct sql q_note_add = { "ref.note_add",
	"INSERT INTO referral_note (referral_id, at, author_id, body) VALUES ($1, $2, $3, $4)", NULL };
static const struct sql q_next_contact = { "ref.next_contact",
	"UPDATE referral SET next_contact_on = $2, updated_at = $3 WHERE id = $1", NULL };
/* The service chooser: published services by name or organisation. */
static const struct sql q_find_services = { "ref.find_services",
	"SELECT s.id, s.name, o.name FROM service s LEFT JOIN organisation o ON o.id = s.organisation_id "
	"WHERE s.state = 'published' AND (lower(s.name) LIKE $1 ESCAPE '!' "
	"OR lower(coalesce(o.name, '')) LIKE $1 ESCAPE '!') ORDER BY s.name, s.id LIMIT $2", NULL };
/* $6 = 1: the step ends the referral. $7: when the step happened. */
static const struct sql q_set_status = { "ref.set_status",
	"UPDATE referral SET status = $3, updated_at = $5, "
	"accepted_at = CASE WHEN $3 = 'accepted' THEN CAST($7 AS BIGINT) ELSE accepted_at END, "
	"contacted_at = CASE WHEN $3 = 'contacted' THEN CAST($7 AS BIGINT) ELSE contacted_at END, "
	"attended_at = CASE WHEN $3 = 'attended' THEN CAST($7 AS BIGINT) ELSE attended_at END, "
	"sustained_at = CASE WHEN $3 = 'sustained' THEN CAST($7 AS BIGINT) ELSE sustained_at END, "
	"ended_at = CASE WHEN CAST($6 AS BIGINT) = 1 THEN $5 ELSE ended_at END, "
	"end_reason = CASE WHEN CAST($6 AS BIGINT) = 1 THEN CAST($4 AS TEXT) ELSE end_reason END, "
	"next_contact_on = CASE WHEN CAST($6 AS BIGINT) = 1 THEN NULL ELSE next_contact_on END, "
	"open_key = CASE WHEN CAST($6 AS BIGINT) = 1 THEN NULL ELSE open_key END "
	"WHERE id = $1 AND status = $2", NULL };
static const struct sql q_open_of_client = { "ref.open_of_client",
	"SELECT id, status FROM referral WHERE client_id = $1 AND open_key IS NOT NULL "
	"ORDER BY sent_at, id", NULL };

static const struct sql q_organisers = { "ref.organisers",
	"SELECT p.id, p.email, p.name FROM person_role r JOIN person p ON p.id = r.person_id "
	"WHERE r.role = 'organiser' AND r.org_id = $1 AND p.email IS NOT NULL "
	"AND p.email_verified_at IS NOT NULL AND p.deactivated_at IS NULL "
	"AND p.erased_at IS NULL ORDER BY p.id", NULL };
static const struct sql q_org_email = { "ref.org_email",
	"SELECT email FROM organisation WHERE id = $1 AND email IS NOT NULL AND email <> ''", NULL };
static const struct sql q_person_email = { "ref.person_email",
	"SELECT email, name FROM person WHERE id = $1 AND email IS NOT NULL "
	"AND email_verified_at IS NOT NULL AND deactivated_at IS NULL AND erased_at IS NULL", NULL };
static const struct sql q_service_categories = { "ref.service_categories",
	"SELECT categories FROM service WHERE id = $1", NULL };

static const struct sql q_claimable = { "ref.claimable",
	"SELECT id FROM client WHERE email_lower = $1 AND account_id IS NULL AND erased_at IS NULL "
	"ORDER BY created_at, id", NULL };
static const struct sql q_claim = { "ref.claim",
	"UPDATE client SET account_id = $2, updated_at = $3 "
	"WHERE id = $1 AND account_id IS NULL AND erased_at IS NULL", NULL };

/* Self-referrals have no one else to remind. */
static const struct sql q_follow_due = { "ref.follow_due",
	"SELECT id, referrer_id FROM referral WHERE status IN ('sent', 'accepted') "
	"AND follow_up_sent_at IS NULL AND referrer_id IS NOT NULL AND source <> 'self' "
	"AND sent_at <= $1 ORDER BY sent_at, id LIMIT $2", NULL };
static const struct sql q_follow_mark = { "ref.follow_mark",
	"UPDATE referral SET follow_up_sent_at = $2 WHERE id = $1 AND follow_up_sent_at IS NULL "
	"AND status IN ('sent', 'accepted')", NULL };

#define STANDS(purpose) \
	"CASE WHEN EXISTS (SELECT 1 FROM consent k WHERE k.client_id = r.client_id " \
	"AND k.purpose = '" purpose "' AND k.withdrawn_at IS NULL) THEN 1 ELSE 0 END"
#define OPEN_STATUS "r.status IN ('sent', 'accepted', 'contacted', 'attended', 'sustained')"
/* A list: $1 everything; $2 about this account; $3 made by this person;
 * $4 sent to this organisation; $5 one status; $6 due for follow-up;
 * $7 open ones only; $8 next contact due by this day; $9 a LIKE pattern
 * for the person's or the target's name; $10 = 1: the person's name
 * only where consent to share stands. */
#define LIST_WHERE \
	"WHERE (CAST($1 AS BIGINT) = 1 " \
	"  OR (CAST($2 AS BIGINT) <> 0 AND c.account_id = $2) " \
	"  OR (CAST($3 AS BIGINT) <> 0 AND r.referrer_id = $3) " \
	"  OR (CAST($4 AS TEXT) <> '' AND r.target_org_id = $4)) " \
	"AND (CAST($5 AS TEXT) = '' OR r.status = $5) " \
	"AND (CAST($6 AS BIGINT) = 0 OR (r.status IN ('sent', 'accepted') AND r.sent_at <= $6)) " \
	"AND (CAST($7 AS BIGINT) = 0 OR " OPEN_STATUS ") " \
	"AND (CAST($8 AS TEXT) = '' OR (" OPEN_STATUS " AND r.next_contact_on IS NOT NULL " \
	"  AND r.next_contact_on <= $8)) " \
	"AND (CAST($9 AS TEXT) = '' OR lower(r.target_name) LIKE $9 ESCAPE '!' " \
	"  OR (lower(c.name) LIKE $9 ESCAPE '!' AND (CAST($10 AS BIGINT) = 0 OR " \
	STANDS("share") " = 1))) "
static const struct sql q_list = { "ref.list",
	"SELECT r.id, r.status, r.target_type, r.target_id, r.target_name, c.name, r.sent_at, "
	"coalesce(r.ended_at, 0), coalesce(r.referrer_id, 0), coalesce(c.account_id, 0), "
	"coalesce(r.target_org_id, ''), " STANDS("share") ", " STANDS("outcome") ", "
	"r.next_contact_on, " CLAIM_ORG_WAITING_SQL("r.target_org_id") " "
	"FROM referral r JOIN client c ON c.id = r.client_id " LIST_WHERE
	"ORDER BY CASE WHEN CAST($8 AS TEXT) = '' THEN '' ELSE r.next_contact_on END, "
	"r.sent_at DESC, r.id LIMIT $11 OFFSET $12", NULL };
static const struct sql q_list_count = { "ref.list_count",
	"SELECT count(*) FROM referral r JOIN client c ON c.id = r.client_id " LIST_WHERE, NULL };

static const struct sql q_readers = { "ref.readers",
	"SELECT a.at, p.name, "
	"(SELECT pr.role FROM person_role pr WHERE pr.person_id = a.actor_id AND pr.role <> 'member' "
	" ORDER BY CASE pr.role WHEN 'admin' THEN 1 WHEN 'coordinator' THEN 2 "
	" WHEN 'organiser' THEN 3 WHEN 'link_worker' THEN 4 ELSE 5 END LIMIT 1), "
	"(SELECT o.name FROM person_role pr JOIN organisation o ON o.id = pr.org_id "
	" WHERE pr.person_id = a.actor_id AND pr.role = 'organiser' LIMIT 1) "
	"FROM audit a LEFT JOIN person p ON p.id = a.actor_id "
	"WHERE a.action = 'referral.read' AND a.detail = $1 ORDER BY a.at DESC, a.id DESC LIMIT 200",
	NULL };

/* Reports: sent_at within [$1, $2], 0 unbounded. */
#define RANGE "(CAST($1 AS BIGINT) = 0 OR sent_at >= $1) AND (CAST($2 AS BIGINT) = 0 OR sent_at <= $2)"
static const struct sql q_count_status = { "ref.count_status",
	"SELECT status, count(*) FROM referral WHERE " RANGE " GROUP BY status", NULL };
static const struct sql q_count_source = { "ref.count_source",
	"SELECT source, count(*) FROM referral WHERE " RANGE " GROUP BY source", NULL };
static const struct sql q_count_category = { "ref.count_category",
	"SELECT category, count(*) FROM referral WHERE " RANGE " GROUP BY category", NULL };
static const struct sql q_count_reached = { "ref.count_reached",
	"SELECT count(attended_at), count(sustained_at) FROM referral WHERE " RANGE, NULL };
static const struct sql q_waits[3] = {
	{ "ref.wait_accept", "SELECT sent_at, accepted_at FROM referral WHERE accepted_at IS NOT NULL "
	  "AND " RANGE, NULL },
	{ "ref.wait_contact", "SELECT sent_at, contacted_at FROM referral WHERE contacted_at IS NOT NULL "
	  "AND " RANGE, NULL },
	{ "ref.wait_attend", "SELECT sent_at, attended_at FROM referral WHERE attended_at IS NOT NULL "
	  "AND " RANGE, NULL },
};
static const struct sql q_csv = { "ref.csv",
	"SELECT id, source, target_type, target_name, status, end_reason, category, sent_at, "
	"coalesce(accepted_at, 0), coalesce(contacted_at, 0), coalesce(attended_at, 0) "
	"FROM referral WHERE " RANGE " ORDER BY sent_at, id", NULL };

static const struct sql q_person_referrals = { "ref.person_referrals",
	"SELECT r.id FROM referral r JOIN client c ON c.id = r.client_id WHERE c.account_id = $1 "
	"ORDER BY r.sent_at, r.id", NULL };
static const struct sql q_erase_events = { "ref.erase_events",
	"UPDATE referral_event SET reason = NULL, note = NULL, actor_id = NULL, method = NULL "
	"WHERE referral_id IN (SELECT id FROM referral WHERE client_id = $1)", NULL };
static const struct sql q_erase_referrals = { "ref.erase_referrals",
	"UPDATE referral SET reason = NULL, needs = 0, external_id = NULL, next_contact_on = NULL, "
	"updated_at = $2 WHERE client_id = $1", NULL };
static const struct sql q_erase_notes = { "ref.erase_notes",
	"DELETE FROM referral_note WHERE referral_id IN (SELECT id FROM referral WHERE client_id = $1)",
	NULL };
static const struct sql q_erase_note_author = { "ref.erase_note_author",
	"UPDATE referral_note SET author_id = NULL WHERE author_id = $1", NULL };
static const struct sql q_erase_client = { "ref.erase_client",
	"UPDATE client SET account_id = NULL, name = 'Erased', email = NULL, email_lower = NULL, "
	"phone = NULL, address = NULL, access_needs = NULL, language = NULL, birth_date = NULL, "
	"nhs_number = NULL, created_by = NULL, erased_at = COALESCE(erased_at, $2), updated_at = $2 "
	"WHERE id = $1", NULL };
static const struct sql q_erase_referrer = { "ref.erase_referrer",
	"UPDATE referral SET referrer_id = NULL WHERE referrer_id = $1", NULL };
static const struct sql q_erase_creator = { "ref.erase_creator",
	"UPDATE client SET created_by = NULL WHERE created_by = $1", NULL };

static const struct sql q_org_services = { "ref.org_services",
	"SELECT id FROM service WHERE organisation_id = $1 AND state = 'published' "
	"ORDER BY name, id LIMIT $2", NULL };
/* The demo town's own services (DN15-DN17), not the synthetic ones. */
static const struct sql q_other_services = { "ref.other_services",
	"SELECT id FROM service WHERE organisation_id <> $1 AND state = 'published' "
	"AND source = 'demo' AND postcode LIKE 'DN1%' ORDER BY name, id LIMIT $2", NULL };

/* ---------------------------------------------------------------- helpers */

static struct db_val id_or_null(int64_t id)
{
	return id ? DB_INT(id) : DB_NULL;
}

/* A copy of column col in the arena (NULL for SQL NULL); *e = ERR_NOMEM
 * when the arena is out of memory. */
static const char *dup(struct arena *a, struct db_res *r, int col, enum err *e)
{
	bool oom = false;
	const char *s = db_dup(a, r, col, &oom);

	if (oom)
		*e = ERR_NOMEM;
	return s;
}

/* Room for one more element in an arena array. */
static void *grow(struct arena *a, void *p, size_t n, size_t *cap, size_t size)
{
	size_t nc;
	void *q;

	if (n < *cap)
		return p;
	nc = *cap ? *cap * 2 : 16;
	if (!(q = arena_calloc(a, nc, size)))
		return NULL;
	if (n)
		memcpy(q, p, n * size);
	*cap = nc;
	return q;
}

/* Ids (first column) of a query's rows into an arena array. */
static enum err ids_of(struct db *db, const struct sql *q, const struct db_val *args,
		size_t nargs, struct arena *a, char (**ids)[37], size_t *n)
{
	struct db_res *r;
	size_t cap = 0;
	enum err e;

	*ids = NULL;
	*n = 0;
	if ((e = db_query(db, q, args, nargs, &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		if (!(*ids = grow(a, *ids, *n, &cap, sizeof(**ids)))) {
			e = ERR_NOMEM;
			break;
		}
		snprintf((*ids)[(*n)++], 37, "%s", db_text(r, 0));
	}
	db_res_free(r);
	return e;
}

static enum err fill_meta(struct db_res *r, struct ref_meta *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->id, sizeof(m->id), "%s", db_text(r, 0));
	snprintf(m->client_id, sizeof(m->client_id), "%s", db_text(r, 1));
	snprintf(m->target_id, sizeof(m->target_id), "%s", db_text(r, 5));
	snprintf(m->target_org_id, sizeof(m->target_org_id), "%s", db_text(r, 6));
	m->person_account = db_int(r, 7);
	m->referrer_id = db_int(r, 8);
	m->sent_at = db_int(r, 9);
	m->updated_at = db_int(r, 10);
	if (!ref_status_parse(db_text(r, 2), &m->status) ||
	    !ref_source_parse(db_text(r, 3), &m->source) ||
	    !ref_target_parse(db_text(r, 4), &m->target_type))
		return ERR_INTERNAL;
	return ERR_OK;
}

/* ---------------------------------------------------------------- referrals */

enum err ref_db_meta(struct db *db, const char *id, struct ref_meta *out)
{
	struct db_res *r;
	enum err e;

	if ((e = db_query(db, &q_meta, DB_ARGS(DB_TEXT(id)), &r)) != ERR_OK)
		return e;
	if ((e = db_next(r)) == ERR_OK)
		e = db_row(r) ? fill_meta(r, out) : ERR_NOT_FOUND;
	db_res_free(r);
	return e;
}

enum err ref_db_row(struct db *db, struct arena *a, const char *id, struct ref_row *out)
{
	struct db_res *r;
	enum err e;
	int c = META_N;

	memset(out, 0, sizeof(*out));
	if ((e = db_query(db, &q_row, DB_ARGS(DB_TEXT(id)), &r)) != ERR_OK)
		return e;
	if ((e = db_next(r)) == ERR_OK && !db_row(r))
		e = ERR_NOT_FOUND;
	if (e == ERR_OK && (e = fill_meta(r, &out->m)) == ERR_OK) {
		out->target_name = dup(a, r, c++, &e);
		out->org_name = dup(a, r, c++, &e);
		out->referrer_name = dup(a, r, c++, &e);
		out->reason = dup(a, r, c++, &e);
		out->end_reason = dup(a, r, c++, &e);
		out->external_id = dup(a, r, c++, &e);
		out->needs = (uint64_t)db_int(r, c++);
		out->category = (uint64_t)db_int(r, c++);
		out->accepted_at = db_int(r, c++);
		out->contacted_at = db_int(r, c++);
		out->attended_at = db_int(r, c++);
		out->sustained_at = db_int(r, c++);
		out->ended_at = db_int(r, c++);
		out->follow_up_sent_at = db_int(r, c++);
		out->next_contact_on = dup(a, r, c++, &e);
	}
	db_res_free(r);
	return e;
}

enum err ref_db_open_id(struct db *db, const char *open_key, char id[37])
{
	struct db_res *r;
	enum err e = db_query_one(db, &q_open_id, DB_ARGS(DB_TEXT(open_key)), &r);

	id[0] = '\0';
	if (e == ERR_NOT_FOUND)
		return ERR_OK;
	if (e)
		return e;
	str_copy(id, 37, db_text(r, 0));
	db_res_free(r);
	return ERR_OK;
}

enum err ref_db_insert(struct db *db, const struct ref_ins *x)
{
	return db_exec(db, &q_insert, DB_ARGS(DB_TEXT(x->id), DB_TEXT(x->client_id),
		DB_TEXT(ref_source_name(x->source)), id_or_null(x->referrer_id),
		DB_TEXT(ref_target_name(x->target_type)), DB_TEXT(x->target_id),
		DB_TEXT(x->target_name), db_text_or_null(x->target_org_id), DB_INT((int64_t)x->category),
		db_text_or_null(x->open_key), db_text_or_null(x->reason), DB_INT((int64_t)x->needs),
		db_text_or_null(x->external_id), DB_INT(x->now), db_text_or_null(x->folded_into)), NULL);
}

enum err ref_db_event(struct db *db, const char *id, int64_t at, int64_t actor,
		const char *from, const char *to, const char *reason, const char *note)
{
	return db_exec(db, &q_event, DB_ARGS(DB_TEXT(id), DB_INT(at), id_or_null(actor),
		db_text_or_null(from), DB_TEXT(to), db_text_or_null(reason), db_text_or_null(note)), NULL);
}

enum err ref_db_event_dated(struct db *db, const char *id, int64_t at, int64_t actor,
		const char *from, const char *to, const char *note, const char *happened_on,
		const char *method)
{
	return db_exec(db, &q_event_dated, DB_ARGS(DB_TEXT(id), DB_INT(at), id_or_null(actor),
		db_text_or_null(from), DB_TEXT(to), db_text_or_null(note), db_text_or_null(happened_on),
		db_text_or_null(method)), NULL);
}

enum err ref_db_notes(struct db *db, struct arena *a, const char *id,
		struct ref_note **out, size_t *n)
{
	struct db_res *r;
	size_t cap = 0;
	enum err e;

	*out = NULL;
	*n = 0;
	if ((e = db_query(db, &q_notes, DB_ARGS(DB_TEXT(id)), &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		struct ref_note *x;

		if (!(*out = grow(a, *out, *n, &cap, sizeof(**out)))) {
			e = ERR_NOMEM;
			break;
		}
		x = &(*out)[(*n)++];
		x->at = db_int(r, 0);
		x->author_name = dup(a, r, 1, &e);
		x->body = dup(a, r, 2, &e);
		if (e)
			break;
	}
	db_res_free(r);
	return e;
}

enum err ref_db_note_add(struct db *db, const char *id, int64_t at, int64_t author, const char *body)
{
	return db_exec(db, &q_note_add, DB_ARGS(DB_TEXT(id), DB_INT(at), id_or_null(author),
		DB_TEXT(body)), NULL);
}

enum err ref_db_set_next_contact(struct db *db, const char *id, const char *next_on, int64_t now)
{
	return db_exec(db, &q_next_contact, DB_ARGS(DB_TEXT(id), db_text_or_null(next_on), DB_INT(now)),
		       NULL);
}

static json_t *service_choice(struct db_res *r, void *ctx)
{
	json_t *o = json_pack("{s:s, s:s}", "id", db_text(r, 0), "name", db_text(r, 1) ? db_text(r, 1) : "");

	UNUSED(ctx);
	if (o && db_text(r, 2))
		json_object_set_new(o, "org_name", json_string(db_text(r, 2)));
	return o;
}

enum err ref_db_find_services(struct db *db, const char *like, int max, json_t **out)
{
	return db_rows_json(db, &q_find_services, DB_ARGS(DB_TEXT(like), DB_INT(max)), service_choice,
			    NULL, out);
}

enum err ref_db_events(struct db *db, struct arena *a, const char *id,
		struct ref_event **out, size_t *n)
{
	struct db_res *r;
	size_t cap = 0;
	enum err e;

	*out = NULL;
	*n = 0;
	if ((e = db_query(db, &q_events, DB_ARGS(DB_TEXT(id)), &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		struct ref_event *ev;

		if (!(*out = grow(a, *out, *n, &cap, sizeof(**out)))) {
			e = ERR_NOMEM;
			break;
		}
		ev = &(*out)[(*n)++];
		ev->at = db_int(r, 0);
		ev->actor_id = db_int(r, 1);
		ev->actor_name = dup(a, r, 2, &e);
		ev->from = dup(a, r, 3, &e);
		ev->to = dup(a, r, 4, &e);
		ev->reason = dup(a, r, 5, &e);
		ev->note = dup(a, r, 6, &e);
		ev->happened_on = dup(a, r, 7, &e);
		ev->method = dup(a, r, 8, &e);
		if (e)
			break;
	}
	db_res_free(r);
	return e;
}

enum err ref_db_set_status(struct db *db, const char *id, enum ref_status from,
		enum ref_status to, const char *end_reason, int64_t at, int64_t now, int64_t *changes)
{
	bool ends = !ref_status_open(to);

	return db_exec(db, &q_set_status, DB_ARGS(DB_TEXT(id), DB_TEXT(ref_status_name(from)),
		DB_TEXT(ref_status_name(to)), ends ? db_text_or_null(end_reason) : DB_NULL,
		DB_INT(now), DB_INT(ends ? 1 : 0), DB_INT(at)), changes);
}

enum err ref_db_open_of_client(struct db *db, struct arena *a, const char *client_id,
		char (**ids)[37], enum ref_status **st, size_t *n)
{
	struct db_res *r;
	size_t cap = 0, scap = 0;
	enum err e;

	*ids = NULL;
	*st = NULL;
	*n = 0;
	if ((e = db_query(db, &q_open_of_client, DB_ARGS(DB_TEXT(client_id)), &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		if (!(*ids = grow(a, *ids, *n, &cap, sizeof(**ids))) ||
		    !(*st = grow(a, *st, *n, &scap, sizeof(**st)))) {
			e = ERR_NOMEM;
			break;
		}
		if (!ref_status_parse(db_text(r, 1), &(*st)[*n])) {
			e = ERR_INTERNAL;
			break;
		}
		snprintf((*ids)[(*n)++], 37, "%s", db_text(r, 0));
	}
	db_res_free(r);
	return e;
}

/* ---------------------------------------------------------------- clients */

enum err ref_db_client(struct db *db, struct arena *a, const char *id, struct ref_client *out)
{
	struct db_res *r;
	enum err e;

	memset(out, 0, sizeof(*out));
	if ((e = db_query(db, &q_client, DB_ARGS(DB_TEXT(id)), &r)) != ERR_OK)
		return e;
	if ((e = db_next(r)) == ERR_OK && !db_row(r))
		e = ERR_NOT_FOUND;
	if (e == ERR_OK) {
		snprintf(out->id, sizeof(out->id), "%s", db_text(r, 0));
		out->account_id = db_int(r, 1);
		out->name = dup(a, r, 2, &e);
		out->email = dup(a, r, 3, &e);
		out->phone = dup(a, r, 4, &e);
		out->address = dup(a, r, 5, &e);
		out->contact_by = dup(a, r, 6, &e);
		out->access_needs = dup(a, r, 7, &e);
		out->language = dup(a, r, 8, &e);
		out->birth_date = dup(a, r, 9, &e);
		out->nhs_number = dup(a, r, 10, &e);
		out->created_by = db_int(r, 11);
		out->created_at = db_int(r, 12);
		out->erased_at = db_int(r, 13);
	}
	db_res_free(r);
	return e;
}

enum err ref_db_client_insert(struct db *db, const struct ref_client *c, int64_t now)
{
	char lower[256];

	str_lower_email(c->email, lower, sizeof(lower));
	return db_exec(db, &q_client_insert, DB_ARGS(DB_TEXT(c->id), id_or_null(c->account_id),
		DB_TEXT(c->name), db_text_or_null(c->email), db_text_or_null(lower), db_text_or_null(c->phone),
		db_text_or_null(c->address), DB_TEXT(c->contact_by), db_text_or_null(c->access_needs),
		db_text_or_null(c->language), db_text_or_null(c->birth_date), db_text_or_null(c->nhs_number),
		id_or_null(c->created_by), DB_INT(now)), NULL);
}

enum err ref_db_client_update(struct db *db, const struct ref_client *c, int64_t now)
{
	char lower[256];

	str_lower_email(c->email, lower, sizeof(lower));
	return db_exec(db, &q_client_update, DB_ARGS(DB_TEXT(c->id), DB_TEXT(c->name),
		db_text_or_null(c->email), db_text_or_null(lower), db_text_or_null(c->phone),
		db_text_or_null(c->address), DB_TEXT(c->contact_by), db_text_or_null(c->access_needs),
		db_text_or_null(c->language), db_text_or_null(c->birth_date), db_text_or_null(c->nhs_number),
		DB_INT(now)), NULL);
}

enum err ref_db_client_of_account(struct db *db, int64_t account, char out[37])
{
	struct db_res *r;
	enum err e;

	if ((e = db_query(db, &q_client_of_account, DB_ARGS(DB_INT(account)), &r)) != ERR_OK)
		return e;
	if ((e = db_next(r)) == ERR_OK) {
		if (db_row(r))
			snprintf(out, 37, "%s", db_text(r, 0));
		else
			e = ERR_NOT_FOUND;
	}
	db_res_free(r);
	return e;
}

enum err ref_db_client_known(struct db *db, const char *client_id, int64_t person, bool *known)
{
	int64_t n = 0;
	enum err e = db_query_int(db, &q_client_known,
				  DB_ARGS(DB_TEXT(client_id), DB_INT(person)), &n);

	*known = n > 0;
	return e;
}

enum err ref_db_client_delete(struct db *db, const char *id)
{
	return db_exec(db, &q_client_delete, DB_ARGS(DB_TEXT(id)), NULL);
}

static json_t *client_choice(struct db_res *r, void *chosen)
{
	return json_pack("{s:s, s:s, s:b}", "value", db_text(r, 0),
			 "label", db_text(r, 1) ? db_text(r, 1) : "",
			 "selected", chosen && strcmp(chosen, db_text(r, 0)) == 0);
}

enum err referral_clients(struct db *db, const struct actor *actor, const char *chosen,
		json_t **out)
{
	return db_rows_json(db, &q_clients_known, DB_ARGS(DB_INT(actor->id)), client_choice,
			    (void *)chosen, out);
}

enum err ref_db_clients_of_account(struct db *db, struct arena *a, int64_t person,
		char (**ids)[37], size_t *n)
{
	return ids_of(db, &q_clients_of_account, DB_ARGS(DB_INT(person)), a, ids, n);
}

/* ---------------------------------------------------------------- consent */

enum err ref_db_consents(struct db *db, struct arena *a, const char *client_id,
		struct ref_consent out[CONSENT__MAX])
{
	struct db_res *r;
	enum err e;

	memset(out, 0, sizeof(struct ref_consent) * CONSENT__MAX);
	if ((e = db_query(db, &q_consents, DB_ARGS(DB_TEXT(client_id)), &r)) != ERR_OK)
		return e;
	/* Oldest first, so the newest row of each purpose is the one kept. */
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		enum consent_purpose p;
		struct ref_consent *k;

		if (!consent_purpose_parse(db_text(r, 0), &p))
			continue;
		k = &out[p];
		k->any = true;
		k->method = dup(a, r, 1, &e);
		k->given_at = db_int(r, 2);
		k->withdrawn_at = db_int(r, 3);
		k->given = k->withdrawn_at == 0;
		k->recorded_by = dup(a, r, 4, &e);
		if (e)
			break;
	}
	db_res_free(r);
	/* A standing consent beside a newer withdrawn one (given twice,
	 * withdrawn once) cannot happen: withdrawal covers every row. */
	return e;
}

enum err ref_db_consent_give(struct db *db, const char *client_id, enum consent_purpose p,
		enum consent_method m, int64_t by, int64_t now)
{
	return db_exec(db, &q_consent_give, DB_ARGS(DB_TEXT(client_id),
		DB_TEXT(consent_purpose_name(p)), DB_TEXT(consent_method_name(m)), id_or_null(by),
		DB_INT(now)), NULL);
}

enum err ref_db_consent_withdraw(struct db *db, const char *client_id, enum consent_purpose p,
		int64_t by, int64_t now, int64_t *changes)
{
	return db_exec(db, &q_consent_withdraw, DB_ARGS(DB_TEXT(client_id),
		DB_TEXT(consent_purpose_name(p)), DB_INT(now), id_or_null(by)), changes);
}

/* ---------------------------------------------------------------- people to tell */

static enum err one_text(struct db *db, const struct sql *q, const struct db_val *args,
		size_t nargs, struct arena *a, const char **out)
{
	struct db_res *r;
	enum err e;

	*out = NULL;
	if ((e = db_query(db, q, args, nargs, &r)) != ERR_OK)
		return e;
	if ((e = db_next(r)) == ERR_OK && db_row(r))
		*out = dup(a, r, 0, &e);
	db_res_free(r);
	return e;
}

enum err ref_db_org_recipients(struct db *db, struct arena *a, const char *org_id,
		struct ref_rcpt **out, size_t *n)
{
	struct db_res *r;
	const char *org_email = NULL;
	size_t cap = 0;
	enum err e;

	*out = NULL;
	*n = 0;
	if (!org_id || !*org_id)
		return ERR_OK;
	if ((e = db_query(db, &q_organisers, DB_ARGS(DB_TEXT(org_id)), &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		if (!(*out = grow(a, *out, *n, &cap, sizeof(**out)))) {
			e = ERR_NOMEM;
			break;
		}
		(*out)[*n].person_id = db_int(r, 0);
		(*out)[*n].email = dup(a, r, 1, &e);
		(*out)[*n].name = dup(a, r, 2, &e);
		(*n)++;
	}
	db_res_free(r);
	if (e || *n)
		return e;
	if ((e = one_text(db, &q_org_email, DB_ARGS(DB_TEXT(org_id)), a, &org_email)) != ERR_OK)
		return e;
	if (!org_email)
		return ERR_OK;
	if (!(*out = grow(a, *out, 0, &cap, sizeof(**out))))
		return ERR_NOMEM;
	(*out)[0].person_id = 0;
	(*out)[0].email = org_email;
	(*out)[0].name = NULL;
	*n = 1;
	return ERR_OK;
}

enum err ref_db_person_email(struct db *db, struct arena *a, int64_t id, const char **email,
		const char **name)
{
	struct db_res *r;
	enum err e;

	*email = *name = NULL;
	if (id <= 0)
		return ERR_OK;
	if ((e = db_query(db, &q_person_email, DB_ARGS(DB_INT(id)), &r)) != ERR_OK)
		return e;
	if ((e = db_next(r)) == ERR_OK && db_row(r)) {
		*email = dup(a, r, 0, &e);
		*name = dup(a, r, 1, &e);
	}
	db_res_free(r);
	return e;
}

enum err ref_db_service_categories(struct db *db, const char *id, uint64_t *cat)
{
	int64_t v = 0;
	enum err e = db_query_int(db, &q_service_categories, DB_ARGS(DB_TEXT(id)), &v);

	*cat = (uint64_t)v;
	return e;
}

/* ---------------------------------------------------------------- claiming */

enum err ref_db_claimable(struct db *db, struct arena *a, const char *email_lower,
		char (**ids)[37], size_t *n)
{
	return ids_of(db, &q_claimable, DB_ARGS(DB_TEXT(email_lower)), a, ids, n);
}

enum err ref_db_claim(struct db *db, const char *client_id, int64_t account, int64_t now,
		int64_t *changes)
{
	return db_exec(db, &q_claim, DB_ARGS(DB_TEXT(client_id), DB_INT(account), DB_INT(now)),
		       changes);
}

/* ---------------------------------------------------------------- follow-up */

enum err ref_db_follow_due(struct db *db, int64_t cutoff, size_t max, char (*ids)[37],
		int64_t *referrers, size_t *n)
{
	struct db_res *r;
	enum err e;

	*n = 0;
	if ((e = db_query(db, &q_follow_due, DB_ARGS(DB_INT(cutoff), DB_INT((int64_t)max)), &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r) && *n < max) {
		snprintf(ids[*n], 37, "%s", db_text(r, 0));
		referrers[(*n)++] = db_int(r, 1);
	}
	db_res_free(r);
	return e;
}

enum err ref_db_follow_mark(struct db *db, const char *id, int64_t now, int64_t *changes)
{
	return db_exec(db, &q_follow_mark, DB_ARGS(DB_TEXT(id), DB_INT(now)), changes);
}

/* ---------------------------------------------------------------- lists */

enum err ref_db_list(struct db *db, struct arena *a, const struct ref_list_q *q,
		struct ref_item **out, size_t *n, int64_t *total)
{
	const char *org = q->org_id ? q->org_id : "", *status = q->status ? q->status : "";
	const char *due = q->contact_due ? q->contact_due : "", *like = q->like ? q->like : "";
	struct db_res *r;
	size_t cap = 0;
	enum err e;

	*out = NULL;
	*n = 0;
	e = db_query_int(db, &q_list_count, DB_ARGS(DB_INT(q->all ? 1 : 0), DB_INT(q->mine),
		DB_INT(q->made_by), DB_TEXT(org), DB_TEXT(status), DB_INT(q->due_before),
		DB_INT(q->open_only ? 1 : 0), DB_TEXT(due), DB_TEXT(like),
		DB_INT(q->name_if_shared ? 1 : 0)), total);
	if (e)
		return e;
	e = db_query(db, &q_list, DB_ARGS(DB_INT(q->all ? 1 : 0), DB_INT(q->mine),
		DB_INT(q->made_by), DB_TEXT(org), DB_TEXT(status), DB_INT(q->due_before),
		DB_INT(q->open_only ? 1 : 0), DB_TEXT(due), DB_TEXT(like),
		DB_INT(q->name_if_shared ? 1 : 0), DB_INT(q->limit), DB_INT(q->offset)), &r);
	if (e)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		struct ref_item *it;

		if (!(*out = grow(a, *out, *n, &cap, sizeof(**out)))) {
			e = ERR_NOMEM;
			break;
		}
		it = &(*out)[(*n)++];
		it->id = dup(a, r, 0, &e);
		it->status = dup(a, r, 1, &e);
		it->target_type = dup(a, r, 2, &e);
		it->target_id = dup(a, r, 3, &e);
		it->target_name = dup(a, r, 4, &e);
		it->person_name = dup(a, r, 5, &e);
		it->sent_at = db_int(r, 6);
		it->ended_at = db_int(r, 7);
		it->referrer_id = db_int(r, 8);
		it->person_account = db_int(r, 9);
		it->target_org_id = dup(a, r, 10, &e);
		it->shared = db_int(r, 11) != 0;
		it->outcome = db_int(r, 12) != 0;
		it->next_contact_on = dup(a, r, 13, &e);
		it->not_on_kith = db_int(r, 14) != 0;
		if (e)
			break;
	}
	db_res_free(r);
	return e;
}

enum err ref_db_readers(struct db *db, struct arena *a, const char *id,
		struct ref_reader **out, size_t *n)
{
	char detail[64];
	struct db_res *r;
	size_t cap = 0;
	enum err e;

	*out = NULL;
	*n = 0;
	snprintf(detail, sizeof(detail), "referral=%.36s", id);
	if ((e = db_query(db, &q_readers, DB_ARGS(DB_TEXT(detail)), &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		struct ref_reader *x;

		if (!(*out = grow(a, *out, *n, &cap, sizeof(**out)))) {
			e = ERR_NOMEM;
			break;
		}
		x = &(*out)[(*n)++];
		x->at = db_int(r, 0);
		x->name = dup(a, r, 1, &e);
		x->role = dup(a, r, 2, &e);
		x->org_name = dup(a, r, 3, &e);
		if (e)
			break;
	}
	db_res_free(r);
	return e;
}

/* ---------------------------------------------------------------- reports */

enum err ref_db_count_status(struct db *db, int64_t since, int64_t until,
		int64_t counts[REF__MAX], int64_t *total)
{
	struct db_res *r;
	enum err e;

	memset(counts, 0, sizeof(int64_t) * REF__MAX);
	*total = 0;
	if ((e = db_query(db, &q_count_status, DB_ARGS(DB_INT(since), DB_INT(until)), &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		enum ref_status s;

		if (ref_status_parse(db_text(r, 0), &s))
			counts[s] += db_int(r, 1);
		*total += db_int(r, 1);
	}
	db_res_free(r);
	return e;
}

enum err ref_db_count_source(struct db *db, int64_t since, int64_t until,
		int64_t counts[REF_SRC__MAX])
{
	struct db_res *r;
	enum err e;

	memset(counts, 0, sizeof(int64_t) * REF_SRC__MAX);
	if ((e = db_query(db, &q_count_source, DB_ARGS(DB_INT(since), DB_INT(until)), &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		enum ref_source s;

		if (ref_source_parse(db_text(r, 0), &s))
			counts[s] += db_int(r, 1);
	}
	db_res_free(r);
	return e;
}

enum err ref_db_count_category(struct db *db, int64_t since, int64_t until, int64_t *counts)
{
	struct db_res *r;
	enum err e;

	memset(counts, 0, sizeof(int64_t) * VOCAB_MAX);
	if ((e = db_query(db, &q_count_category, DB_ARGS(DB_INT(since), DB_INT(until)), &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		uint64_t bits = (uint64_t)db_int(r, 0);

		for (int b = 0; b < VOCAB_MAX; b++)
			if (bits & (UINT64_C(1) << b))
				counts[b] += db_int(r, 1);
	}
	db_res_free(r);
	return e;
}

enum err ref_db_count_reached(struct db *db, int64_t since, int64_t until,
		int64_t *attended, int64_t *sustained)
{
	struct db_res *r;
	enum err e;

	*attended = *sustained = 0;
	if ((e = db_query(db, &q_count_reached, DB_ARGS(DB_INT(since), DB_INT(until)), &r)) != ERR_OK)
		return e;
	if ((e = db_next(r)) == ERR_OK && db_row(r)) {
		*attended = db_int(r, 0);
		*sustained = db_int(r, 1);
	}
	db_res_free(r);
	return e;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

enum err ref_db_waits(struct db *db, int which, int64_t since, int64_t until,
		int64_t **v, size_t *n)
{
	struct db_res *r;
	size_t cap = 0;
	enum err e;

	*v = NULL;
	*n = 0;
	if (which < 0 || which > 2)
		return ERR_INTERNAL;
	if ((e = db_query(db, &q_waits[which], DB_ARGS(DB_INT(since), DB_INT(until)), &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			int64_t *p = reallocarray(*v, nc, sizeof(*p));

			if (!p) {
				e = ERR_NOMEM;
				break;
			}
			*v = p;
			cap = nc;
		}
		if (ref_day_span(db_int(r, 0), db_int(r, 1)) >= 0)
			(*v)[(*n)++] = ref_day_span(db_int(r, 0), db_int(r, 1));
	}
	db_res_free(r);
	if (e == ERR_OK && *n > 1)
		qsort(*v, *n, sizeof(**v), cmp_i64);
	if (e) {
		free(*v);
		*v = NULL;
		*n = 0;
	}
	return e;
}

enum err ref_db_csv(struct db *db, int64_t since, int64_t until,
		enum err (*row)(const struct ref_csv_row *r, void *ctx), void *ctx)
{
	struct db_res *r;
	enum err e;

	if ((e = db_query(db, &q_csv, DB_ARGS(DB_INT(since), DB_INT(until)), &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		struct ref_csv_row x = {
			.id = db_text(r, 0), .source = db_text(r, 1), .target_type = db_text(r, 2),
			.target_name = db_text(r, 3), .status = db_text(r, 4),
			.end_reason = db_text(r, 5), .category = (uint64_t)db_int(r, 6),
			.sent_at = db_int(r, 7), .accepted_at = db_int(r, 8),
			.contacted_at = db_int(r, 9), .attended_at = db_int(r, 10),
		};

		if ((e = row(&x, ctx)) != ERR_OK)
			break;
	}
	db_res_free(r);
	return e;
}

/* ---------------------------------------------------------------- privacy */

enum err ref_db_person_referrals(struct db *db, struct arena *a, int64_t person,
		char (**ids)[37], size_t *n)
{
	return ids_of(db, &q_person_referrals, DB_ARGS(DB_INT(person)), a, ids, n);
}

/* Empties every client record of the person (their open referrals are
 * withdrawn first, by referral.c). */
enum err ref_db_erase_clients(struct db *db, int64_t person, int64_t now)
{
	struct arena a;
	char (*ids)[37];
	size_t n;
	enum err e;

	arena_init(&a);
	e = ref_db_clients_of_account(db, &a, person, &ids, &n);
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		e = db_exec(db, &q_erase_events, DB_ARGS(DB_TEXT(ids[i])), NULL);
		if (e == ERR_OK)
			e = db_exec(db, &q_erase_notes, DB_ARGS(DB_TEXT(ids[i])), NULL);
		if (e == ERR_OK)
			e = db_exec(db, &q_erase_referrals, DB_ARGS(DB_TEXT(ids[i]), DB_INT(now)), NULL);
		if (e == ERR_OK)
			e = db_exec(db, &q_erase_client, DB_ARGS(DB_TEXT(ids[i]), DB_INT(now)), NULL);
	}
	arena_release(&a);
	return e;
}

enum err ref_db_erase_referrer(struct db *db, int64_t person)
{
	enum err e = db_exec(db, &q_erase_referrer, DB_ARGS(DB_INT(person)), NULL);

	if (e == ERR_OK)
		e = db_exec(db, &q_erase_creator, DB_ARGS(DB_INT(person)), NULL);
	if (e == ERR_OK)
		e = db_exec(db, &q_erase_note_author, DB_ARGS(DB_INT(person)), NULL);
	return e;
}

/* ---------------------------------------------------------------- demo */

enum err ref_db_org_services(struct db *db, struct arena *a, const char *org_id, size_t max,
		char (**ids)[37], size_t *n)
{
	return ids_of(db, &q_org_services, DB_ARGS(DB_TEXT(org_id), DB_INT((int64_t)max)), a, ids, n);
}

enum err ref_db_other_services(struct db *db, struct arena *a, const char *org_id, size_t max,
		char (**ids)[37], size_t *n)
{
	return ids_of(db, &q_other_services, DB_ARGS(DB_TEXT(org_id), DB_INT((int64_t)max)), a, ids, n);
}
