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

#include "auth/auth.h"
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
 * for browser sessions, used within idle_s. Fills actor (id, name, email,
 * verified, roles, org_id, session_id, csrf_token; via_token for API
 * sessions) from the person, who must be active (not deactivated, not
 * pending deletion, not erased). *touch is set when last_seen_at is more
 * than a minute old. ERR_NOT_FOUND when there is no such live session. */
enum err session_lookup(struct db *db, struct arena *a, const char *token, int64_t now,
		int idle_s, struct actor *actor, bool *touch);
enum err session_touch(struct db *db, int64_t session_id, int64_t now);
/* Revokes one of person_id's sessions (ERR_NOT_FOUND if it is not theirs
 * or already ended). */
enum err session_revoke(struct db *db, int64_t person_id, int64_t session_id, int64_t now);
/* Revokes all of person_id's sessions except keep_id (0: all). *n receives
 * how many. Used on password change, role change, deactivation. */
enum err session_revoke_all(struct db *db, int64_t person_id, int64_t keep_id, int64_t now,
		int64_t *n);
/* [{id, kind, created_at, last_seen_at, expires_at (ISO 8601), ip,
 * device (the user agent, shortened), current: bool}] of live sessions. */
enum err session_list(struct db *db, int64_t person_id, int64_t current_id, int64_t now,
		int idle_s, json_t **out);
/* Deletes sessions that ended before `before` (the cleanup job). */
enum err session_expire(struct db *db, int64_t before);

/* API tokens. */
struct token_new {
	int64_t id;
	char token[TOKEN_LEN + 1];      /* "kt_" + 64 hex: shown once */
};
/* name: 1..100 characters, what the token is for ("GP practice system"). */
enum err apitoken_create(struct db *db, int64_t person_id, const char *name,
		int64_t created_by, int64_t now, struct token_new *out);
/* Fills actor (via_token, token_id) for a live token whose person is
 * active; records last_used_at at most once a minute. ERR_NOT_FOUND. */
enum err apitoken_lookup(struct db *db, struct arena *a, const char *token, int64_t now,
		struct actor *actor);
/* person_id 0: any person's (admins). ERR_NOT_FOUND if not theirs or
 * already revoked. */
enum err apitoken_revoke(struct db *db, int64_t person_id, int64_t token_id, int64_t now);
/* [{id, name, prefix ("kt_1a2b…"), person_id, person_name, created_at,
 * last_used_at, revoked}] for person_id, or every token when 0. */
enum err apitoken_list(struct db *db, int64_t person_id, json_t **out);

/* Is s shaped like one of our tokens ("ks_"/"kt_" + 64 lowercase hex)?
 * kind receives 's' or 't'. Cheap; run before any database lookup. */
bool token_well_formed(const char *s, char *kind);

#endif
