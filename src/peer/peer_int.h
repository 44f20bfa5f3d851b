/*
 * peer_int.h - what the peer feature's files share and nobody else sees.
 */
#ifndef KITH_PEER_INT_H
#define KITH_PEER_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "peer/peer.h"

struct db;
struct db_res;
struct sql;

#define PEER_DAY INT64_C(86400)

int peer_request_state_parse(const char *s);   /* -1 when unknown */
int peer_match_state_parse(const char *s);

/* The four columns a peer's tier is counted from (their identity,
 * reference, training and DBS checks), for the peer whose id is the SQL
 * expression who; peer_tier_at reads them back from column col on. */
#define PEER_CHECK_COUNTS(who) \
	"(SELECT count(*) FROM peer_check c WHERE c.person_id = " who " AND c.kind = 'identity'), " \
	"(SELECT count(*) FROM peer_check c WHERE c.person_id = " who " AND c.kind = 'reference'), " \
	"(SELECT count(*) FROM peer_check c WHERE c.person_id = " who " AND c.kind = 'training'), " \
	"(SELECT count(*) FROM peer_check c WHERE c.person_id = " who " AND c.kind = 'dbs')"
enum match_tier peer_tier_at(struct db_res *r, int col);

int peer_offer_days(const struct peer_env *env);
int peer_pause_after(const struct peer_env *env);

/* A district from what was typed (a full postcode or its first half):
 * out "DN15", with its centre. false with *why when it is not a UK
 * postcode or not known. "" or NULL: true, out "", lat/lon NaN. */
bool peer_district(const char *in, char out[5], double *lat, double *lon, const char **why);

/* Runs q (one row by a UUID id, $1) for id: ERR_NOT_FOUND for an id that
 * is not a UUID or has no row; else *r is on the row (db_res_free it). */
enum err peer_row_by_id(struct db *db, const struct sql *q, const char *id, struct db_res **r);

/* The first word of a name ("Sam" of "Sam Taylor"), in a. */
const char *peer_first_name(struct arena *a, const char *name);

/* Emails person_id (when they have a confirmed, active address) template
 * tmpl with ctx (borrowed; "name" and "link" added: link to route with
 * arg, which may be NULL). Nothing when env has no mailer. */
enum err peer_mail(const struct peer_env *env, struct db *db, int64_t person_id, const char *tmpl,
		json_t *ctx, const char *route, const char *arg, int64_t now);

/* Audits a peer.* action with a short detail. */
enum err peer_audit(struct db *db, int64_t now, int64_t actor, const char *action, int64_t subject,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Ends every accepted match of a peer who stands down (at most 100),
 * each person told, as peer_end but with no feedback. */
enum err peer_end_all_of(const struct peer_env *env, struct db *db, int64_t peer_id, int64_t by,
		int64_t now);

/* Withdraws every offer a peer holds (paused, stood down): their
 * requests go back to the pool. */
enum err peer_withdraw_offers_of(struct db *db, int64_t peer_id, int64_t now);

#endif
