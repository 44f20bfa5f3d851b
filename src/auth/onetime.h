/*
 * onetime.h - single-use links: verify an email address, reset a
 * forgotten password, set a first password (accounts made by an admin).
 *
 * The link carries a 256-bit token; the database keeps its hash. A token
 * works once, until it expires; making a new one for the same person and
 * purpose cancels the older ones.
 */
#ifndef KITH_ONETIME_H
#define KITH_ONETIME_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/token.h"
#include "core/arena.h"
#include "core/err.h"

struct db;

enum onetime_purpose {
	OT_VERIFY_EMAIL, OT_RESET_PASSWORD, OT_SET_PASSWORD,   /* a person's */
	OT_CLAIM_ORG,                                          /* an organisation's */
	OT__MAX
};

/* Creates a token valid for ttl_s seconds. email: the address being
 * verified (OT_VERIFY_EMAIL), else NULL. token receives 64 hex digits. */
enum err onetime_create(struct db *db, enum onetime_purpose purpose, int64_t person_id,
		const char *email, int64_t now, int64_t ttl_s, char token[TOKEN_HEX + 1]);
/* Uses a token: ERR_NOT_FOUND when unknown, used, expired or of another
 * purpose (one answer for all, so a guess learns nothing). email receives
 * the stored address (arena) or NULL. */
enum err onetime_consume(struct db *db, struct arena *a, enum onetime_purpose purpose,
		const char *token, int64_t now, int64_t *person_id, const char **email);
/* Is it usable (without using it)? For the page that shows the form. */
enum err onetime_peek(struct db *db, enum onetime_purpose purpose, const char *token, int64_t now);
/* An organisation's links (OT_CLAIM_ORG; the person functions above
 * refuse it, and these refuse the others, ERR_INVALID / ERR_NOT_FOUND).
 * org_id is the organisation's UUID. Create cancels the organisation's
 * older links of the purpose; consume and peek answer ERR_NOT_FOUND alike
 * for unknown, used, expired and another purpose's tokens, and give the
 * organisation's id (in a). */
enum err onetime_org_create(struct db *db, enum onetime_purpose purpose, const char *org_id,
		int64_t now, int64_t ttl_s, char token[TOKEN_HEX + 1]);
enum err onetime_org_consume(struct db *db, struct arena *a, enum onetime_purpose purpose,
		const char *token, int64_t now, const char **org_id);
enum err onetime_org_peek(struct db *db, struct arena *a, enum onetime_purpose purpose,
		const char *token, int64_t now, const char **org_id);
/* Does the organisation have a live (unused, unexpired) link of purpose? */
enum err onetime_org_live(struct db *db, enum onetime_purpose purpose, const char *org_id,
		int64_t now, bool *live);

/* Deletes used and expired tokens (cleanup job). */
enum err onetime_expire(struct db *db, int64_t now);

#endif
