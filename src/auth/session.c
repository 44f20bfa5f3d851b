/*
 * session.c - browser and API sessions and API tokens. The token
 * helpers it shares with the rest of src/auth are in auth_shared.c.
 *
 * A token is 32 bytes from the kernel as 64 lowercase hex digits behind a
 * prefix that says what it is ("ks_" session, "kt_" API token). The
 * database keeps only the hex SHA-256 of the whole token in a UNIQUE
 * column, so a lookup is an index probe on the hash: nothing secret is
 * compared in C, and a copy of the database lets nobody sign in.
 *
 * Lookups join the person and their roles, so a role removed or an
 * account deactivated takes effect on the very next request: nothing
 * about the person is cached in the session row.
 */
#include "core/common.h"
#include "core/str.h"
#include "auth/auth_int.h"
#include "auth/person.h"
#include "auth/session.h"
#include "core/log.h"
#include "core/rand.h"

#include <sodium.h>

/* last_seen_at and last_used_at are written at most this often. */
#define TOUCH_EVERY_S 60
#define UA_KEEP 200

/* ---------------------------------------------------------------- tokens */

bool token_well_formed(const char *s, char *kind)
{
	if (!s || strnlen(s, TOKEN_LEN + 1) != TOKEN_LEN)
		return false;
	if (s[0] != 'k' || (s[1] != 's' && s[1] != 't') || s[2] != '_')
		return false;
	if (!str_is_lower_hex(s + 3, TOKEN_HEX))
		return false;
	if (kind)
		*kind = s[1];
	return true;
}

/* "Firefox on Linux" from a user agent, or its first 60 bytes: enough for
 * a person to recognise a device in their list of sessions. */
static const char *ua_device(struct arena *a, const char *ua)
{
	static const struct { const char *needle, *name; } browsers[] = {
		{ "Edg/", "Edge" }, { "OPR/", "Opera" }, { "SamsungBrowser", "Samsung Internet" },
		{ "Firefox/", "Firefox" }, { "FxiOS", "Firefox" }, { "CriOS", "Chrome" },
		{ "Chrome/", "Chrome" }, { "Safari/", "Safari" }, { "curl/", "curl" },
	};
	static const struct { const char *needle, *name; } systems[] = {
		{ "Android", "Android" }, { "iPhone", "iPhone" }, { "iPad", "iPad" },
		{ "Windows", "Windows" }, { "CrOS", "ChromeOS" }, { "Mac OS X", "macOS" },
		{ "Linux", "Linux" },
	};
	const char *b = NULL, *o = NULL;

	if (!ua || !*ua)
		return "Unknown device";
	for (size_t i = 0; i < ARRAY_LEN(browsers) && !b; i++)
		if (strstr(ua, browsers[i].needle))
			b = browsers[i].name;
	for (size_t i = 0; i < ARRAY_LEN(systems) && !o; i++)
		if (strstr(ua, systems[i].needle))
			o = systems[i].name;
	if (b && o)
		return arena_printf(a, "%s on %s", b, o);
	if (b || o)
		return b ? b : o;
	if (strlen(ua) <= 60)
		return ua;
	return arena_printf(a, "%.60s\u2026", ua);
}

/* ---------------------------------------------------------------- sessions */

enum err session_create(struct db *db, int64_t person_id, enum session_kind kind,
		const char *ip, const char *user_agent, int64_t now, int64_t expires_at,
		struct session_new *out)
{
	char hash[TOKEN_HEX + 1], ipbuf[64], uabuf[UA_KEEP + 1];
	enum err e;

	memset(out, 0, sizeof(*out));
	if (!auth_token_new("ks_", out->token, sizeof(out->token)) ||
	    !auth_token_new("", out->csrf, sizeof(out->csrf)))
		return ERR_INTERNAL;
	auth_token_hash(out->token, hash);
	e = db_query_int(db, AQ(SESSION_INSERT),
			 DB_ARGS(DB_INT(person_id), DB_TEXT(kind == SESSION_API ? "api" : "browser"),
				 DB_TEXT(hash), DB_TEXT(out->csrf), DB_INT(now), DB_INT(expires_at),
				 DB_TEXT(auth_clean_ascii(ipbuf, sizeof(ipbuf), ip)),
				 DB_TEXT(auth_clean_ascii(uabuf, sizeof(uabuf), user_agent))),
			 &out->id);
	if (e) {
		sodium_memzero(out, sizeof(*out));
		return e;
	}
	out->expires_at = expires_at;
	return ERR_OK;
}

/* The person's columns col..col+3 of a lookup's row (id, name, email,
 * verified) into actor. False when out of memory. */
static bool actor_person(struct arena *a, struct db_res *r, int col, struct actor *actor)
{
	actor->id = db_int(r, col);
	actor->name = arena_strdup(a, db_text(r, col + 1));
	actor->email = db_isnull(r, col + 2) ? NULL : arena_strdup(a, db_text(r, col + 2));
	actor->verified = !db_isnull(r, col + 3);
	return actor->name != NULL;
}

/* The end of a lookup: its rows freed, its roles (one a row) given to
 * actor. e is the loop's. */
static enum err actor_done(struct db_res *r, enum err e, bool found, unsigned roles,
		const char *org, struct actor *actor)
{
	db_res_free(r);
	if (e)
		return e;
	if (!found)
		return ERR_NOT_FOUND;
	actor->roles = roles;
	actor->org_id = org;
	return ERR_OK;
}

enum err session_lookup(struct db *db, struct arena *a, const char *token, int64_t now,
		int idle_s, struct actor *actor, bool *touch)
{
	char hash[TOKEN_HEX + 1], kind;
	struct db_res *r;
	bool found = false;
	unsigned roles = 0;
	const char *org = NULL;
	enum err e;

	if (touch)
		*touch = false;
	if (!token_well_formed(token, &kind) || kind != 's')
		return ERR_NOT_FOUND;
	auth_token_hash(token, hash);
	e = db_query(db, AQ(SESSION_LOOKUP),
		     DB_ARGS(DB_TEXT(hash), DB_INT(now), DB_INT(now - idle_s)), &r);
	if (e)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		if (!found) {
			found = true;
			actor->session_id = db_int(r, 0);
			actor->via_token = strcmp(db_text(r, 1), "api") == 0;
			actor->token_id = 0;
			actor->csrf_token = arena_strdup(a, db_text(r, 2));
			if (touch)
				*touch = now - db_int(r, 3) >= TOUCH_EVERY_S;
			if (!actor_person(a, r, 4, actor) || !actor->csrf_token) {
				e = ERR_NOMEM;
				break;
			}
		}
		auth_add_role(a, r, 8, 9, &roles, &org);
	}
	return actor_done(r, e, found, roles, org, actor);
}

enum err session_touch(struct db *db, int64_t session_id, int64_t now)
{
	return db_exec(db, AQ(SESSION_TOUCH), DB_ARGS(DB_INT(session_id), DB_INT(now)), NULL);
}

enum err session_revoke(struct db *db, int64_t person_id, int64_t session_id, int64_t now)
{
	int64_t n = 0;
	enum err e = db_exec(db, AQ(SESSION_REVOKE),
			     DB_ARGS(DB_INT(session_id), DB_INT(person_id), DB_INT(now)), &n);

	if (e)
		return e;
	return n ? ERR_OK : ERR_NOT_FOUND;
}

enum err session_revoke_all(struct db *db, int64_t person_id, int64_t keep_id, int64_t now,
		int64_t *n)
{
	int64_t changes = 0;
	enum err e = db_exec(db, AQ(SESSION_REVOKE_ALL),
			     DB_ARGS(DB_INT(person_id), DB_INT(keep_id), DB_INT(now)), &changes);

	if (n)
		*n = e ? 0 : changes;
	return e;
}

enum err session_revoke_every(struct db *db, int64_t person_id, int64_t now)
{
	return db_exec(db, AQ(SESSION_REVOKE_EVERY), DB_ARGS(DB_INT(person_id), DB_INT(now)), NULL);
}

/* What list_row needs besides the row. */
struct list_ctx {
	struct arena a;          /* the device words */
	int64_t current_id;      /* the session asking: marked "current" */
};

/* One session of a person's list: what they need to recognise it. */
static json_t *list_row(struct db_res *r, void *ctx)
{
	struct list_ctx *c = ctx;

	return json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:s, s:b}",
			 "id", (json_int_t)db_int(r, 0),
			 "kind", db_text(r, 1),
			 "created_at", auth_json_time(r, 2),
			 "last_seen_at", auth_json_time(r, 3),
			 "expires_at", auth_json_time(r, 4),
			 "ip", db_json_text(r, 5),
			 "device", ua_device(&c->a, db_text(r, 6)),
			 "current", db_int(r, 0) == c->current_id);
}

enum err session_list(struct db *db, int64_t person_id, int64_t current_id, int64_t now,
		int idle_s, json_t **out)
{
	struct list_ctx c = { .current_id = current_id };
	enum err e;

	arena_init(&c.a);
	e = db_rows_json(db, AQ(SESSION_LIST), DB_ARGS(DB_INT(person_id), DB_INT(now), DB_INT(now - idle_s)),
		      list_row, &c, out);
	arena_release(&c.a);
	return e;
}

/* One session in "download my data": everything kept about it. */
static json_t *export_row(struct db_res *r, void *ctx)
{
	UNUSED(ctx);
	return json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "id", (json_int_t)db_int(r, 0),
			 "kind", db_text(r, 1),
			 "created_at", auth_json_time(r, 2),
			 "last_seen_at", auth_json_time(r, 3),
			 "expires_at", auth_json_time(r, 4),
			 "revoked_at", auth_json_time(r, 5),
			 "ip", db_json_text(r, 6),
			 "user_agent", db_json_text(r, 7));
}

enum err session_export(struct db *db, int64_t person_id, json_t **out)
{
	return db_rows_json(db, AQ(SESSION_EXPORT), DB_ARGS(DB_INT(person_id)), export_row, NULL, out);
}

enum err session_expire(struct db *db, int64_t before)
{
	return db_exec(db, AQ(SESSION_EXPIRE), DB_ARGS(DB_INT(before)), NULL);
}

enum err session_expire_idle(struct db *db, int64_t seen_before)
{
	return db_exec(db, AQ(SESSION_EXPIRE_IDLE), DB_ARGS(DB_INT(seen_before)), NULL);
}

/* ---------------------------------------------------------------- API tokens */

const char *apitoken_check_name(const char *name)
{
	return str_check_line(name, PERSON_NAME_MAX,
			       "Enter what the token is for, like \u201cGP practice system\u201d.",
			       "The token\u2019s name must be 100 characters or fewer.",
			       "The token\u2019s name must be on one line, without special characters.");
}

enum err apitoken_create(struct db *db, int64_t person_id, const char *name,
		int64_t created_by, int64_t now, int64_t ttl, struct token_new *out)
{
	char hash[TOKEN_HEX + 1], prefix[8];
	enum err e;

	memset(out, 0, sizeof(*out));
	if (apitoken_check_name(name) || ttl <= 0)
		return ERR_INVALID;
	if (!auth_token_new("kt_", out->token, sizeof(out->token)))
		return ERR_INTERNAL;
	auth_token_hash(out->token, hash);
	/* "kt_" and 4 hex digits: 16 of the 256 bits, enough to tell a
	 * person's tokens apart, far too few to help a guess. */
	memcpy(prefix, out->token, 7);
	prefix[7] = '\0';
	e = db_query_int(db, AQ(TOKEN_INSERT),
			 DB_ARGS(DB_INT(person_id), DB_TEXT(name), DB_TEXT(hash), DB_TEXT(prefix),
				 DB_INT(now), created_by ? DB_INT(created_by) : DB_NULL, DB_INT(now + ttl)),
			 &out->id);
	if (e)
		sodium_memzero(out, sizeof(*out));
	return e;
}

enum err apitoken_lookup(struct db *db, struct arena *a, const char *token, int64_t now,
		struct actor *actor)
{
	char hash[TOKEN_HEX + 1], kind;
	struct db_res *r;
	bool found = false, used = false;
	unsigned roles = 0;
	const char *org = NULL;
	enum err e;

	if (!token_well_formed(token, &kind) || kind != 't')
		return ERR_NOT_FOUND;
	auth_token_hash(token, hash);
	e = db_query(db, AQ(TOKEN_LOOKUP), DB_ARGS(DB_TEXT(hash), DB_INT(now)), &r);
	if (e)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		if (!found) {
			found = true;
			actor->token_id = db_int(r, 0);
			used = db_isnull(r, 1) || now - db_int(r, 1) >= TOUCH_EVERY_S;
			actor->via_token = true;
			actor->session_id = 0;
			actor->csrf_token = NULL;
			if (!actor_person(a, r, 2, actor)) {
				e = ERR_NOMEM;
				break;
			}
		}
		auth_add_role(a, r, 6, 7, &roles, &org);
	}
	if ((e = actor_done(r, e, found, roles, org, actor)) != ERR_OK)
		return e;
	if (used) {
		/* Bookkeeping: a failure must not refuse a valid token. */
		enum err ue = db_exec(db, AQ(TOKEN_USED),
				      DB_ARGS(DB_INT(actor->token_id), DB_INT(now)), NULL);

		if (ue)
			log_warn("session: could not record an API token's use: %s", err_name(ue));
	}
	return ERR_OK;
}

enum err apitoken_revoke(struct db *db, int64_t person_id, int64_t token_id, int64_t now)
{
	int64_t n = 0;
	enum err e = db_exec(db, AQ(TOKEN_REVOKE),
			     DB_ARGS(DB_INT(token_id), DB_INT(person_id), DB_INT(now)), &n);

	if (e)
		return e;
	return n ? ERR_OK : ERR_NOT_FOUND;
}

enum err apitoken_revoke_all(struct db *db, int64_t person_id, int64_t now, int64_t *n)
{
	int64_t changed = 0;
	enum err e = db_exec(db, AQ(TOKEN_REVOKE_ALL), DB_ARGS(DB_INT(person_id), DB_INT(now)),
			     &changed);

	if (n)
		*n = e ? 0 : changed;
	return e;
}

/* One token: its name and the start of it, never the whole. */
static json_t *token_row(struct db_res *r, void *ctx)
{
	UNUSED(ctx);
	return json_pack("{s:I, s:s, s:s+, s:I, s:s, s:o, s:o, s:b, s:o}",
			 "id", (json_int_t)db_int(r, 0),
			 "name", db_text(r, 1),
			 "prefix", db_text(r, 2), "\u2026",
			 "person_id", (json_int_t)db_int(r, 3),
			 "person_name", db_text(r, 4),
			 "created_at", auth_json_time(r, 5),
			 "last_used_at", auth_json_time(r, 6),
			 "revoked", !db_isnull(r, 7),
			 "expires_at", auth_json_time(r, 8));
}

enum err apitoken_list(struct db *db, int64_t person_id, json_t **out)
{
	return db_rows_json(db, AQ(TOKEN_LIST), DB_ARGS(DB_INT(person_id)), token_row, NULL, out);
}
