/*
 * auth_int.h - what the files of src/auth/ share and nobody else uses:
 * the statement table (auth_db.c), and token making and hashing and
 * reading a person's roles out of joined rows (auth_shared.c).
 *
 * Not part of any contract: other features include auth.h, person.h,
 * session.h, onetime.h, attempts.h and password.h.
 */
#ifndef KITH_AUTH_INT_H
#define KITH_AUTH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "auth/policy.h"
#include "auth/token.h"
#include "core/arena.h"
#include "store/store.h"

/* Every statement of the authentication module, by name. The SQL is in
 * auth_db.c and nowhere else; the rules that run it are in person.c,
 * session.c, onetime.c and attempts.c. */
enum auth_q {
	/* person.c */
	AQ_PERSON_INSERT,
	AQ_PERSON_GET,
	AQ_PERSON_BY_EMAIL,
	AQ_PERSON_EXISTS,
	AQ_PERSON_SET_PASSWORD,
	AQ_PERSON_SET_EMAIL,
	AQ_PERSON_MARK_VERIFIED,
	AQ_PERSON_SET_DETAILS,
	AQ_PERSON_SET_DEACTIVATED,
	AQ_PERSON_SET_DELETE,
	AQ_PERSON_DUE_ERASURE,
	AQ_PERSON_ERASE,
	AQ_PERSON_COUNT,
	AQ_PERSON_LIST,
	AQ_PERSON_LIST_ROLES,
	AQ_ROLE_HAS,
	AQ_ROLE_INSERT,
	AQ_ROLE_DELETE,
	AQ_ROLE_DELETE_PERSON,
	/* session.c */
	AQ_SESSION_INSERT,
	AQ_SESSION_LOOKUP,
	AQ_SESSION_TOUCH,
	AQ_SESSION_REVOKE,
	AQ_SESSION_REVOKE_ALL,
	AQ_SESSION_REVOKE_EVERY,
	AQ_SESSION_LIST,
	AQ_SESSION_EXPORT,
	AQ_SESSION_EXPIRE,
	AQ_SESSION_EXPIRE_IDLE,
	AQ_SESSION_DELETE_PERSON,
	AQ_TOKEN_INSERT,
	AQ_TOKEN_LOOKUP,
	AQ_TOKEN_USED,
	AQ_TOKEN_REVOKE,
	AQ_TOKEN_REVOKE_ALL,
	AQ_TOKEN_LIST,
	AQ_TOKEN_DELETE_PERSON,
	/* onetime.c */
	AQ_OT_CANCEL,
	AQ_OT_INSERT,
	AQ_OT_CONSUME,
	AQ_OT_PEEK,
	AQ_OT_EXPIRE,
	AQ_OT_DELETE_PERSON,
	AQ_OT_ORG_CANCEL,
	AQ_OT_ORG_INSERT,
	AQ_OT_ORG_CONSUME,
	AQ_OT_ORG_PEEK,
	AQ_OT_ORG_LIVE,
	/* attempts.c */
	AQ_ATT_COUNT,
	AQ_ATT_NTH,
	AQ_ATT_ADD,
	AQ_ATT_CLEAR,
	AQ_ATT_EXPIRE,
	AQ__MAX
};

extern const struct sql auth_sql[AQ__MAX];

#define AQ(x) (&auth_sql[AQ_##x])

/* A new secret: 32 random bytes as 64 lowercase hex digits, after prefix
 * ("ks_", "kt_" or "" for one-time links). out holds TOKEN_LEN + 1 bytes.
 * False only when the kernel refuses randomness. */
bool auth_token_new(const char *prefix, char *out, size_t outlen);
/* The hex SHA-256 of s: what the database keeps instead of a token. */
void auth_token_hash(const char *s, char out[TOKEN_HEX + 1]);

/* Adds the role in column col (text, may be NULL) and, for organisers,
 * its org_id in column org_col to *roles / *org_id (arena copy). */
void auth_add_role(struct arena *a, struct db_res *r, int col, int org_col,
		unsigned *roles, const char **org_id);

/* ISO 8601 string for t, or JSON null when the column is NULL. */
json_t *auth_json_time(struct db_res *r, int col);
json_t *auth_json_iso(int64_t t);

/* A bounded, printable copy of a header kept in the database (the user
 * agent): printable ASCII only, other bytes dropped, at most outlen - 1
 * bytes. Returns out, or NULL when s is NULL or nothing is left. */
const char *auth_clean_ascii(char *out, size_t outlen, const char *s);


/* Revokes every session of person_id, whatever their state (role change,
 * deactivation, scheduled deletion). */
enum err session_revoke_every(struct db *db, int64_t person_id, int64_t now);

#endif
