/*
 * claim.h - organisations with nobody on kith: bringing them on.
 *
 * A referral to a service whose organisation has nobody on kith (no
 * organiser account that is not deactivated or erased) would otherwise
 * send an email saying "sign in to see it" to an address with no account.
 * Instead the organisation goes on the coordinators' list of organisations
 * to bring on (org_bring_on: when it was first needed, how many referrals
 * have been made to it since, whether a claim link has gone out), and its
 * contact address from the directory gets a one-time link (auth/onetime.h,
 * purpose OT_CLAIM_ORG, valid org_claim_days) to claim the organisation:
 * whoever opens it, signed in, becomes the organisation's organiser and
 * sees the referrals waiting for it in their inbox.
 *
 * At most one link is live for an organisation at a time. A referral sends
 * one only when none is live (the first time, or after the last one
 * expired), so however many referrals arrive the address gets at most one
 * email every org_claim_days; a coordinator can send a new one at any time
 * (which cancels the old), or record an address when the directory has
 * none.
 *
 * One account acts for one organisation (person_role's key): someone who
 * is already another organisation's organiser cannot claim with that
 * account (ERR_CONFLICT), and the link stays usable for another account.
 *
 * Rules and SQL only: no HTTP. Every write is in the caller's transaction.
 */
#ifndef KITH_CLAIM_H
#define KITH_CLAIM_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "auth/token.h"
#include "core/arena.h"
#include "core/err.h"

struct db;
struct links;
struct mailer;

#define CLAIM_DEFAULT_DAYS 14    /* org_claim_days */

/* What sending a link needs of the running app. Any member may be NULL
 * (the tests of the rules): no email, links "/". */
struct claim_env {
	const struct mailer *mailer;   /* the claim email */
	const struct links *links;     /* the link's page (route "claim.page"), absolute */
	int days;                      /* how long a link works (org_claim_days); 0: the default */
};

/* The settings (kith.conf keys of the same names; claim_web.c lists them). */
struct claim_settings {
	int org_claim_days;        /* a claim link works this long */
};

/* Is anybody on kith for org_id: an organiser (any, verified or not) who
 * is neither deactivated nor erased? */
enum err claim_org_has_people(struct db *db, const char *org_id, bool *has);

/* A referral was made to org_id (NULL or "": no organisation: nothing to
 * do). When somebody is on kith for it, nothing changes and *brought_on is
 * false: tell them as usual. Otherwise *brought_on is true and the
 * organisation is on the list to bring on (first needed now, or one more
 * referral waiting), and its contact address, when it has one and has no
 * live link, is sent a claim link (audited "org.claim.sent", actor 0). */
enum err claim_referral_arrived(const struct claim_env *env, struct db *db, const char *org_id,
		int64_t now, bool *brought_on);

/* Demo data, which emails nobody: org_id (when nobody is on kith for it)
 * is on the list with waiting referrals since first, as referrals that
 * found nobody would leave it, but no link is sent. A refresh sets the
 * same row again rather than adding to it; a row a link was sent for, or
 * that was claimed, is left as it is. */
enum err claim_demo_note(struct db *db, const char *org_id, int64_t waiting, int64_t first,
		int64_t last);

/* Is org_id waiting to be brought on (on the list, not claimed, and still
 * nobody on kith)? For telling the referrer and the person. The same test
 * as SQL, 1 or 0, for lists that show it per row (org: an SQL expression
 * naming the organisation's id). */
#define CLAIM_ORG_WAITING_SQL(org) \
	"CASE WHEN EXISTS (SELECT 1 FROM org_bring_on b WHERE b.org_id = " org " " \
	"AND b.state <> 'claimed' AND NOT EXISTS (SELECT 1 FROM person_role pr " \
	"JOIN person p ON p.id = pr.person_id WHERE pr.role = 'organiser' " \
	"AND pr.org_id = b.org_id AND p.deactivated_at IS NULL AND p.erased_at IS NULL)) " \
	"THEN 1 ELSE 0 END"
enum err claim_org_waiting(struct db *db, const char *org_id, bool *waiting);

/* A coordinator (by) sends a new claim link to the organisation's contact
 * address, cancelling any older one; audited "org.claim.sent". The
 * organisation joins the list if it was not on it. ERR_NOT_FOUND: no such
 * organisation; ERR_INVALID: it has no contact address that can be
 * mailed; ERR_CONFLICT: somebody is on kith for it already. */
enum err claim_send(const struct claim_env *env, struct db *db, const char *org_id, int64_t by,
		int64_t now);

/* A coordinator records the organisation's contact address (the
 * directory's organisation email, as the organisation form would), and
 * audits "org.email.changed". ERR_INVALID: not an email address;
 * ERR_NOT_FOUND: no such organisation. */
enum err claim_set_email(struct db *db, const char *org_id, const char *email, int64_t by,
		int64_t now);

/* The list: organisations waiting to be brought on (not claimed and still
 * nobody on kith), longest waiting first, up to 500. *out is a new array of
 * {org_id, name, email (or null), waiting, first_needed_at, sent_at (0 if
 * never), sent_to (or null), link_live (bool)}. */
enum err claim_list(struct db *db, int64_t now, json_t **out);

/* The organisation a live claim link is for: its id and name (in a).
 * ERR_NOT_FOUND for a link that is malformed, unknown, used or expired. */
enum err claim_peek(struct db *db, struct arena *a, const char *token, int64_t now,
		const char **org_id, const char **name);

/* person claims with the link: it is used up, they become the
 * organisation's organiser, its row on the list is marked claimed, and
 * "org.claimed" is audited. Revokes the person's sessions (as every role
 * change does): the caller signs the browser in again. *org_id (in a) is
 * the organisation's. ERR_NOT_FOUND: the link is not good; ERR_CONFLICT:
 * the person is another organisation's organiser already (nothing is
 * written, the link still works); someone already this organisation's
 * organiser just uses up the link. */
enum err claim_take(struct db *db, struct arena *a, const char *token, int64_t person,
		int64_t now, const char **org_id);

#endif
