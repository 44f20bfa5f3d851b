/*
 * referral_attend.c - the loop closed: a group's register says someone
 * came (EV_ATTENDANCE_RECORDED, from src/groups/register.c), and their
 * open referral to that group's service moves on, with the day they
 * came.
 *
 * A person who came was accepted and met in person whatever the
 * referral said, so a referral still sent, accepted or contacted walks
 * the steps to attended: accepted and contacted quietly (an audit entry
 * each, no email: the person was there), then attended with its email
 * to the referrer (when the person agreed to share how it went). One
 * already attended moves to sustained once the day is
 * referral_sustained_weeks after the day they first attended. Each step
 * is ref_move's, taken by kith itself (actor id 0) as the receiving
 * side, so the history, the figures and the audit read as any step's.
 *
 * A referral whose state or dates do not allow the step (it was sent
 * after the day they came, say) is left as it is: the register never
 * fails because of a referral. Only a database error goes back to the
 * publisher, which then rolls the register back.
 *
 * The subscription is the feature's (referral_web.c): it builds the
 * struct referral_env (the sustained weeks, the mailer, the links) from
 * the app that owns the event's bus and calls referral_attendance.
 */
#include "core/common.h"
#include "referral/referral_int.h"

#include "audit/audit.h"
#include "auth/policy.h"
#include "core/str.h"
#include "core/uktime.h"
#include "store/store.h"

/* The open referrals of a person (their account, through the client
 * record they claimed) or of a client record to a group's service, not
 * folded into another, oldest first. Kept beside its one caller: the
 * loop is this file's. */
static const struct sql q_confirmed = { "ref.attend_confirmed",
	"SELECT email FROM person WHERE id = $1 AND email_verified_at IS NOT NULL "
	"AND deactivated_at IS NULL AND erased_at IS NULL", NULL };
static const struct sql q_open_to = { "ref.open_to_group",
	"SELECT r.id, r.status, r.sent_at, coalesce(r.contacted_at, 0), coalesce(r.attended_at, 0) "
	"FROM referral r JOIN client c ON c.id = r.client_id "
	"WHERE r.target_id = $1 AND r.target_type IN ('service', 'group') "
	"AND r.status IN ('sent', 'accepted', 'contacted', 'attended') AND r.folded_into IS NULL "
	"AND (c.account_id = $2 OR r.client_id = $3) ORDER BY r.sent_at, r.id", NULL };

#define ATTEND_NOTE "Ticked as there in the group's register"
#define ATTEND_MAX 16             /* open referrals of one person to one place (one, really) */

/* Kith itself, as the receiving side. */
static const struct actor kith_itself = { .id = 0 };

struct open_ref {
	char id[37];
	enum ref_status status;
	int64_t sent_at, contacted_at, attended_at;
};

static enum err open_refs(struct db *db, const char *service_id, int64_t person_id,
		const char *client_id, struct open_ref *out, size_t *n)
{
	struct db_res *r;
	enum err e;

	*n = 0;
	if ((e = db_query(db, &q_open_to, DB_ARGS(DB_TEXT(service_id),
			  person_id > 0 ? DB_INT(person_id) : DB_NULL, DB_TEXT(client_id)), &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r) && *n < ATTEND_MAX) {
		struct open_ref *o = &out[*n];

		if (!ref_status_parse(db_text(r, 1), &o->status) || !str_copy(o->id, sizeof(o->id),
									      db_text(r, 0)))
			continue;
		o->sent_at = db_int(r, 2);
		o->contacted_at = db_int(r, 3);
		o->attended_at = db_int(r, 4);
		(*n)++;
	}
	db_res_free(r);
	return e;
}

/* One step by kith itself. quiet: no email, and the audit entry written
 * here (ref_move writes none when quiet). *moved says whether it was
 * taken; a step the referral does not allow is not an error. */
static enum err step(const struct referral_env *env, struct db *db, const char *id, enum ref_status to,
		const char *day, bool quiet, int64_t person, int64_t now, bool *moved)
{
	const bool dated = ref_status_dated(to);
	const struct ref_step s = { .to = ref_status_name(to), .note = ATTEND_NOTE,
		.happened_on = dated ? day : NULL, .method = dated ? step_method_name(STEP_IN_PERSON) : NULL };
	char detail[80];
	enum err e = ref_move(env, db, &kith_itself, PARTY_RECEIVER, id, &s, now, quiet, NULL);

	*moved = e == ERR_OK;
	if (e == ERR_INVALID || e == ERR_CONFLICT || e == ERR_FORBIDDEN)
		return ERR_OK;
	if (e || !quiet)
		return e;
	snprintf(detail, sizeof(detail), "referral=%.36s to=%s", id, ref_status_name(to));
	return audit_log(db, now, 0, "referral.status", person, detail, NULL, NULL);
}

/* One referral: on to attended, or on to sustained. */
static enum err move_on(const struct referral_env *env, struct db *db, const struct open_ref *o,
		int64_t person, const char *day, int64_t came, int64_t now)
{
	enum ref_status at = o->status;
	bool moved = true;
	enum err e = ERR_OK;

	if (at == REF_ATTENDED) {
		if (came < uk_local_day(o->attended_at) + 7 * (int64_t)ref_sustained_weeks(env))
			return ERR_OK;
		return step(env, db, o->id, REF_SUSTAINED, day, false, person, now, &moved);
	}
	/* Not before they were referred, nor before the contact it records. */
	if (came < uk_local_day(o->sent_at) || (at == REF_CONTACTED && came < uk_local_day(o->contacted_at)))
		return ERR_OK;
	if (at == REF_SENT && (e = step(env, db, o->id, REF_ACCEPTED, day, true, person, now, &moved)) == ERR_OK &&
	    moved)
		at = REF_ACCEPTED;
	if (e == ERR_OK && moved && at == REF_ACCEPTED &&
	    (e = step(env, db, o->id, REF_CONTACTED, day, true, person, now, &moved)) == ERR_OK && moved)
		at = REF_CONTACTED;
	if (e == ERR_OK && moved && at == REF_CONTACTED)
		e = step(env, db, o->id, REF_ATTENDED, day, false, person, now, &moved);
	return e;
}

enum err referral_attendance(const struct referral_env *env, struct db *db, const char *service_id,
		int64_t person_id, const char *client_id, const char *day, int64_t now)
{
	struct open_ref refs[ATTEND_MAX];
	struct ref_meta m;
	int64_t came;
	size_t n;
	enum err e;

	if (!service_id || !day || !uk_parse_day(day, &came) || (person_id <= 0 && !client_id))
		return ERR_OK;
	/* Someone referred by their confirmed account's address who has not
	 * opened their referrals yet: the records made for that address are
	 * theirs now (as confirming the address would have made them), so
	 * the referral is found by their account. */
	if (person_id > 0) {
		struct db_res *r;

		e = db_query_one(db, &q_confirmed, DB_ARGS(DB_INT(person_id)), &r);
		if (e == ERR_OK) {
			struct actor who = { .id = person_id, .email = db_text(r, 0), .verified = true };
			e = referral_claim(db, &who, now, NULL);
			db_res_free(r);
		}
		if (e != ERR_OK && e != ERR_NOT_FOUND)
			return e;
	}
	if ((e = open_refs(db, service_id, person_id, client_id, refs, &n)) != ERR_OK)
		return e;
	for (size_t i = 0; i < n; i++) {
		/* The audit entry's subject: the person the referral is about. */
		if ((e = ref_db_meta(db, refs[i].id, &m)) != ERR_OK ||
		    (e = move_on(env, db, &refs[i], m.person_account, day, came, now)) != ERR_OK)
			return e;
	}
	return ERR_OK;
}
