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
	[OT_CLAIM_ORG] = "claim_org",
};

/* Whose links a purpose makes: an organisation's, or a person's. */
static bool for_org(enum onetime_purpose p)
{
	return p == OT_CLAIM_ORG;
}

/* A person's purpose's name, or NULL (for the person functions). */
static const char *purpose_name(enum onetime_purpose p)
{
	return (unsigned)p < OT__MAX && !for_org(p) ? purpose_names[p] : NULL;
}

/* An organisation's purpose's name, or NULL. */
static const char *org_purpose_name(enum onetime_purpose p)
{
	return (unsigned)p < OT__MAX && for_org(p) ? purpose_names[p] : NULL;
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

enum err onetime_org_create(struct db *db, enum onetime_purpose purpose, const char *org_id,
		int64_t now, int64_t ttl_s, char token[TOKEN_HEX + 1])
{
	const char *pn = org_purpose_name(purpose);
	char hash[TOKEN_HEX + 1];
	enum err e;

	token[0] = '\0';
	if (!pn || ttl_s <= 0 || !org_id || !str_is_uuid(str_c(org_id)))
		return ERR_INVALID;
	if (!auth_token_new("", token, TOKEN_HEX + 1))
		return ERR_INTERNAL;
	auth_token_hash(token, hash);
	e = db_exec(db, AQ(OT_ORG_CANCEL), DB_ARGS(DB_TEXT(org_id), DB_TEXT(pn)), NULL);
	if (!e)
		e = db_exec(db, AQ(OT_ORG_INSERT), DB_ARGS(DB_TEXT(org_id), DB_TEXT(pn), DB_TEXT(hash),
			    DB_INT(now), DB_INT(now + ttl_s)), NULL);
	if (e)
		sodium_memzero(token, TOKEN_HEX + 1);
	return e;
}

/* consume and peek: one row (org_id) or none. */
static enum err org_token_query(struct db *db, struct arena *a, const struct sql *q,
		enum onetime_purpose purpose, const char *token, int64_t now, const char **org_id)
{
	const char *pn = org_purpose_name(purpose);
	char hash[TOKEN_HEX + 1];
	struct db_res *r;
	enum err e;

	*org_id = NULL;
	if (!pn || !token || !str_is_lower_hex(token, TOKEN_HEX))
		return ERR_NOT_FOUND;
	auth_token_hash(token, hash);
	if ((e = db_query_one(db, q, DB_ARGS(DB_TEXT(hash), DB_TEXT(pn), DB_INT(now)), &r)) != ERR_OK)
		return e;
	if (!(*org_id = arena_strdup(a, db_text(r, 0) ? db_text(r, 0) : "")))
		e = ERR_NOMEM;
	db_res_free(r);
	return e;
}

enum err onetime_org_consume(struct db *db, struct arena *a, enum onetime_purpose purpose,
		const char *token, int64_t now, const char **org_id)
{
	return org_token_query(db, a, AQ(OT_ORG_CONSUME), purpose, token, now, org_id);
}

enum err onetime_org_peek(struct db *db, struct arena *a, enum onetime_purpose purpose,
		const char *token, int64_t now, const char **org_id)
{
	return org_token_query(db, a, AQ(OT_ORG_PEEK), purpose, token, now, org_id);
}

enum err onetime_org_live(struct db *db, enum onetime_purpose purpose, const char *org_id,
		int64_t now, bool *live)
{
	const char *pn = org_purpose_name(purpose);
	int64_t n = 0;
	enum err e;

	*live = false;
	if (!pn || !org_id)
		return ERR_INVALID;
	e = db_query_int(db, AQ(OT_ORG_LIVE), DB_ARGS(DB_TEXT(org_id), DB_TEXT(pn), DB_INT(now)), &n);
	*live = e == ERR_OK && n > 0;
	return e;
}

enum err onetime_expire(struct db *db, int64_t now)
{
	return db_exec(db, AQ(OT_EXPIRE), DB_ARGS(DB_INT(now)), NULL);
}
