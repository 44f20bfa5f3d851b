/*
 * session.h - browser and API sessions, and long-lived API tokens.
 *
 * A session is a row keyed by the SHA-256 of its token. Browser sessions
 * end after session_idle seconds without use or session_lifetime seconds
 * in all; API sessions (POST /api/v1/sessions) after api_session_lifetime.
 * API tokens (kt_...) last until revoked.
 */
#ifndef KITH_SESSION_H
#define KITH_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "auth/token.h"
#include "auth/policy.h"
#include "core/arena.h"
#include "core/err.h"

struct db;

enum session_kind { SESSION_BROWSER, SESSION_API };

struct session_new {
	int64_t id;
	char token[TOKEN_LEN + 1];      /* "ks_" + 64 hex: give to the client once */
	char csrf[TOKEN_HEX + 1];       /* form token (browser sessions) */
	int64_t expires_at;
};

/* Creates a session for person_id. ip and user_agent may be NULL (the user
 * agent is kept to 200 bytes, to help people recognise their devices). */
enum err session_create(struct db *db, int64_t person_id, enum session_kind kind,
		const char *ip, const char *user_agent, int64_t now, int64_t expires_at,
		struct session_new *out);

/* Finds a live session by token: not revoked, not past expires_at and,
 * for browser sessions, used within idle_s (last_seen_at >= now -
 * idle_s). Fills actor (id, name, email, verified, roles, org_id,
 * session_id, csrf_token; via_token for API sessions) from the person, who must be active (not deactivated, not
 * pending deletion, not erased). *touch is set when last_seen_at is more
 * than a minute old. ERR_NOT_FOUND when there is no such live session.
 * Roles are read afresh on every lookup: a role removed takes effect on
 * the next request. touch may be NULL. */
enum err session_lookup(struct db *db, struct arena *a, const char *token, int64_t now,
		int idle_s, struct actor *actor, bool *touch);
enum err session_touch(struct db *db, int64_t session_id, int64_t now);
/* Revokes one of person_id's sessions (ERR_NOT_FOUND if it is not theirs
 * or already ended). */
enum err session_revoke(struct db *db, int64_t person_id, int64_t session_id, int64_t now);
/* Revokes all of person_id's live sessions except keep_id (0: all). *n
 * (may be NULL) receives how many. Used on password change. (Role
 * changes, deactivation and scheduled deletion revoke sessions inside
 * person.c already; calling this as well is harmless.) */
enum err session_revoke_all(struct db *db, int64_t person_id, int64_t keep_id, int64_t now,
		int64_t *n);
/* [{id, kind, created_at, last_seen_at, expires_at (ISO 8601), ip,
 * device (the user agent, shortened), current: bool}] of live sessions. */
enum err session_list(struct db *db, int64_t person_id, int64_t current_id, int64_t now,
		int idle_s, json_t **out);
/* Deletes sessions that ended before `before` (the cleanup job): past
 * expires_at or revoked before it. */
enum err session_expire(struct db *db, int64_t before);
/* Deletes browser sessions not used since seen_before (idle-ended; the
 * cleanup job passes now - session_idle). */
enum err session_expire_idle(struct db *db, int64_t seen_before);
/* Every session row of person_id, live or ended, for "download my data":
 * [{id, kind, created_at, last_seen_at, expires_at, revoked_at (ISO or
 * null), ip, user_agent}]. Never a token or form token. */
enum err session_export(struct db *db, int64_t person_id, json_t **out);

/* API tokens. */
struct token_new {
	int64_t id;
	char token[TOKEN_LEN + 1];      /* "kt_" + 64 hex: shown once */
};
/* NULL when name is acceptable for a token, else a sentence saying what
 * to fix. */
const char *apitoken_check_name(const char *name);
/* name: 1..100 characters, what the token is for ("GP practice system");
 * ERR_INVALID otherwise. created_by 0: nobody (the command line). It
 * works for ttl seconds (api_token_days), then stops. */
enum err apitoken_create(struct db *db, int64_t person_id, const char *name,
		int64_t created_by, int64_t now, int64_t ttl, struct token_new *out);
/* Fills actor (via_token, token_id) for a live token whose person is
 * active; records last_used_at at most once a minute. ERR_NOT_FOUND.
 * The last_used_at write needs a connection that is not in a read-only
 * transaction (auth_resolve calls it before the handler's opens). */
enum err apitoken_lookup(struct db *db, struct arena *a, const char *token, int64_t now,
		struct actor *actor);
/* person_id 0: any person's (admins). ERR_NOT_FOUND if not theirs or
 * already revoked. */
enum err apitoken_revoke(struct db *db, int64_t person_id, int64_t token_id, int64_t now);
/* Every live token of the person's, revoked (a password change: a token
 * is the password's stand-in). *n (may be NULL): how many. */
enum err apitoken_revoke_all(struct db *db, int64_t person_id, int64_t now, int64_t *n);
/* [{id, name, prefix ("kt_1a2b…"), person_id, person_name, created_at,
 * last_used_at, revoked, expires_at}] for person_id, or every token when 0, newest
 * first, revoked ones included. */
enum err apitoken_list(struct db *db, int64_t person_id, json_t **out);

/* Is s shaped like one of our tokens ("ks_"/"kt_" + 64 lowercase hex)?
 * kind receives 's' or 't'. Cheap; run before any database lookup. */
bool token_well_formed(const char *s, char *kind);

#endif
