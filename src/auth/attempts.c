/*
 * attempts.c - counters of sign-in, registration and reset attempts in
 * the database, so the limits hold across every kith process.
 *
 * One row per attempt; a check counts the rows of a key inside the
 * window. Keys hold the purpose in clear and the subject (an email, an
 * address) only as the first 128 bits of its SHA-256: the table can be
 * read without learning who tried what. Old rows are deleted by the
 * cleanup job (auth_feature.c).
 */
#include "core/common.h"
#include "auth/attempts.h"
#include "auth/auth_int.h"
#include "core/rand.h"

#include <sodium.h>

void attempts_key(char out[ATTEMPT_KEY_MAX], const char *purpose, const char *subject)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof(h) + 1];

	if (!subject)
		subject = "";
	crypto_hash_sha256(h, (const unsigned char *)subject, strlen(subject));
	hex_encode(h, sizeof(h), hex);
	/* 32 hex digits are kept; a long purpose is cut to leave room for
	 * them, so two subjects never share a key by truncation. */
	snprintf(out, ATTEMPT_KEY_MAX, "%.*s:%.32s", ATTEMPT_KEY_MAX - 34, purpose ? purpose : "", hex);
}

enum err attempts_check(struct db *db, const char *key, int window_s, int max, int64_t now,
		int *retry_after)
{
	int64_t count = 0, at = 0, since = now - window_s;
	enum err e;

	if (retry_after)
		*retry_after = 0;
	if (max <= 0 || window_s <= 0)
		return ERR_OK;
	e = db_query_int(db, AQ(ATT_COUNT), DB_ARGS(DB_TEXT(key), DB_INT(since)), &count);
	if (e)
		return e;
	if (count < max)
		return ERR_OK;
	/* Allowed again when all but max - 1 of the counted attempts have
	 * left the window: when the (count - max + 1)th oldest does. */
	e = db_query_int(db, AQ(ATT_NTH), DB_ARGS(DB_TEXT(key), DB_INT(since), DB_INT(count - max)), &at);
	if (e && e != ERR_NOT_FOUND)
		return e;
	if (retry_after) {
		int64_t wait = e ? window_s : at + window_s - now;

		*retry_after = wait < 1 ? 1 : wait > window_s ? window_s : (int)wait;
	}
	return ERR_RATE_LIMITED;
}

enum err attempts_add(struct db *db, const char *key, int64_t now)
{
	return db_exec(db, AQ(ATT_ADD), DB_ARGS(DB_TEXT(key), DB_INT(now)), NULL);
}

enum err attempts_take(struct db *db, const struct attempt_limit *limits, size_t n, int window_s,
		int64_t now, int *retry_after)
{
	enum err e = ERR_OK;

	for (size_t i = 0; i < n && e == ERR_OK; i++)
		if (limits[i].key)
			e = attempts_check(db, limits[i].key, window_s, limits[i].max, now, retry_after);
	if (e != ERR_OK || (e = db_begin(db)) != ERR_OK)
		return e;
	for (size_t i = 0; i < n && e == ERR_OK; i++)
		if (limits[i].key)
			e = attempts_add(db, limits[i].key, now);
	if (e == ERR_OK)
		e = db_commit(db);
	if (e != ERR_OK)
		db_rollback(db);
	return e;
}

enum err attempts_clear(struct db *db, const char *key)
{
	return db_exec(db, AQ(ATT_CLEAR), DB_ARGS(DB_TEXT(key)), NULL);
}

enum err attempts_expire(struct db *db, int64_t before)
{
	return db_exec(db, AQ(ATT_EXPIRE), DB_ARGS(DB_INT(before)), NULL);
}
