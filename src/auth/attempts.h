/*
 * attempts.h - limits on sign-in, registration and password-reset
 * attempts that hold across every kith process sharing the database.
 *
 * A key names what is limited and whom: attempts_key("login:acct",
 * email_lower). The subject is stored only as a truncated SHA-256, so the
 * table holds no email addresses or client addresses in clear.
 */
#ifndef KITH_ATTEMPTS_H
#define KITH_ATTEMPTS_H

#include <stdint.h>

#include "core/err.h"

struct db;

#define ATTEMPT_KEY_MAX 96

/* The per-account sign-in counter: attempts_key(k, ATTEMPT_LOGIN_ACCOUNT,
 * email in lowercase). auth_login() clears it, person_erase() too. */
#define ATTEMPT_LOGIN_ACCOUNT "login:acct"

/* out = purpose + ":" + the first 32 hex digits of SHA-256(subject).
 * purpose is cut to 62 bytes; subject NULL counts as "". */
void attempts_key(char out[ATTEMPT_KEY_MAX], const char *purpose, const char *subject);
/* ERR_RATE_LIMITED when key has max or more attempts in the last window_s
 * seconds; *retry_after is then the seconds until one of them leaves the
 * window (at least 1). ERR_OK otherwise.
 *
 * Details: "in the last window_s seconds" is at > now - window_s. With
 * more than max attempts counted (concurrent requests), retry_after is
 * when enough have left for one more to be allowed. max <= 0 or
 * window_s <= 0 means no limit. retry_after may be NULL. */
enum err attempts_check(struct db *db, const char *key, int window_s, int max, int64_t now,
		int *retry_after);
enum err attempts_add(struct db *db, const char *key, int64_t now);

/* One limited thing: its key (attempts_key) and the most it allows in the
 * window; a NULL key is skipped. */
struct attempt_limit {
	const char *key;
	int max;
};
/* Check, then count: ERR_RATE_LIMITED (with *retry_after, and nothing
 * counted) when any of the n limits is reached; otherwise one attempt is
 * counted against each in a transaction of its own (the caller holds
 * none), so it stands even when what the caller does next fails or rolls
 * back, and a failed try can never be a free probe. */
enum err attempts_take(struct db *db, const struct attempt_limit *limits, size_t n, int window_s,
		int64_t now, int *retry_after);
enum err attempts_clear(struct db *db, const char *key);
/* Deletes attempts older than before (cleanup job). */
enum err attempts_expire(struct db *db, int64_t before);

#endif
