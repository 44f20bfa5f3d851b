/*
 * onetime.c - single-use links (verify an email address, reset or set a
 * password).
 *
 * The link carries 64 hex digits; the table keeps their SHA-256. Using a
 * token is one UPDATE ... RETURNING that marks it used only if it is
 * unused, unexpired and of the right purpose, so two clicks racing on the
 * same link cannot both succeed, and every kind of failure looks the same
 * to whoever is guessing.
 */
#include "core/common.h"
#include "auth/auth_int.h"
#include "auth/onetime.h"
#include "core/str.h"

#include <sodium.h>

static const char *const purpose_names[OT__MAX] = {
	[OT_VERIFY_EMAIL] = "verify_email",
	[OT_RESET_PASSWORD] = "reset_password",
	[OT_SET_PASSWORD] = "set_password",
};

static const char *purpose_name(enum onetime_purpose p)
{
	return (unsigned)p < OT__MAX ? purpose_names[p] : NULL;
}

enum err onetime_create(struct db *db, enum onetime_purpose purpose, int64_t person_id,
		const char *email, int64_t now, int64_t ttl_s, char token[TOKEN_HEX + 1])
{
	const char *pn = purpose_name(purpose);
	char hash[TOKEN_HEX + 1];
	enum err e;

	token[0] = '\0';
	if (!pn || ttl_s <= 0)
		return ERR_INVALID;
	if (!auth_token_new("", token, TOKEN_HEX + 1))
		return ERR_INTERNAL;
	auth_token_hash(token, hash);
	e = db_exec(db, AQ(OT_CANCEL), DB_ARGS(DB_INT(person_id), DB_TEXT(pn)), NULL);
	if (!e)
		e = db_exec(db, AQ(OT_INSERT),
			    DB_ARGS(DB_INT(person_id), DB_TEXT(pn), DB_TEXT(hash),
				    DB_TEXT(purpose == OT_VERIFY_EMAIL ? email : NULL), DB_INT(now),
				    DB_INT(now + ttl_s)), NULL);
	if (e)
		sodium_memzero(token, TOKEN_HEX + 1);
	return e;
}

enum err onetime_consume(struct db *db, struct arena *a, enum onetime_purpose purpose,
		const char *token, int64_t now, int64_t *person_id, const char **email)
{
	const char *pn = purpose_name(purpose);
	char hash[TOKEN_HEX + 1];
	struct db_res *r;
	enum err e;

	*person_id = 0;
	if (email)
		*email = NULL;
	if (!pn || !str_is_lower_hex(token, TOKEN_HEX))
		return ERR_NOT_FOUND;
	auth_token_hash(token, hash);
	e = db_query_one(db, AQ(OT_CONSUME), DB_ARGS(DB_TEXT(hash), DB_TEXT(pn), DB_INT(now)), &r);
	if (e)
		return e;
	*person_id = db_int(r, 0);
	if (email && !db_isnull(r, 1) && !(*email = arena_strdup(a, db_text(r, 1))))
		e = ERR_NOMEM;
	db_res_free(r);
	return e;
}

enum err onetime_peek(struct db *db, enum onetime_purpose purpose, const char *token, int64_t now)
{
	const char *pn = purpose_name(purpose);
	char hash[TOKEN_HEX + 1];
	int64_t n = 0;
	enum err e;

	if (!pn || !str_is_lower_hex(token, TOKEN_HEX))
		return ERR_NOT_FOUND;
	auth_token_hash(token, hash);
	e = db_query_int(db, AQ(OT_PEEK), DB_ARGS(DB_TEXT(hash), DB_TEXT(pn), DB_INT(now)), &n);
	if (e)
		return e;
	return n ? ERR_OK : ERR_NOT_FOUND;
}

enum err onetime_expire(struct db *db, int64_t now)
{
	return db_exec(db, AQ(OT_EXPIRE), DB_ARGS(DB_INT(now)), NULL);
}
