/*
 * auth_web.c - resolving the actor, form tokens, signing in and out.
 *
 * Every request gets an actor: a visitor unless a session or token says
 * otherwise. The "local operator" is the person at the machine itself (a
 * request over loopback that no proxy forwarded): they may read /metrics
 * without an account, as Prometheus scrapes do.
 *
 * Reading the credential out of the headers is a pure function
 * (auth_parse_credential, fuzzed by fuzz/fuzz_token.c); only a
 * well-formed token costs a database query, so visitors, and whatever
 * junk a scanner sends, cost none. A bearer token that does not work is
 * an error (the caller claimed an identity); a cookie that does not work
 * is quietly forgotten (browsers keep cookies after sessions end).
 *
 * Form tokens: a session's is random and stored with it. A visitor's is
 * HMAC-SHA256(csrf_key, kith_visitor cookie), so the sign-in and register
 * forms are protected without a database row per visitor, and only pages
 * with a form set that cookie.
 */
#include "core/common.h"
#include "auth/auth_web.h"
#include "auth/auth_feature.h"
#include "auth/attempts.h"
#include "auth/auth_int.h"
#include "auth/person.h"
#include "auth/policy.h"
#include "auth/session.h"
#include "app/app.h"
#include "audit/audit.h"
#include "audit/audit_web.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "ops/ops.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <sodium.h>

bool auth_is_loopback(const char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (!addr)
		return false;
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &a6) == 1) {
		if (IN6_IS_ADDR_LOOPBACK(&a6))
			return true;
		if (IN6_IS_ADDR_V4MAPPED(&a6))
			return a6.s6_addr[12] == 127;
	}
	return false;
}

enum err auth_init(struct app *app)
{
	struct db *db = app->store ? store_db(app->store) : NULL;
	char hex[2 * sizeof(app->csrf_key) + 1];
	enum err e;

	if (!db) {
		/* No database (request tests of RF_NODB routes): a key for this
		 * process alone is enough. */
		return rand_bytes(app->csrf_key, sizeof(app->csrf_key)) ? ERR_OK : ERR_INTERNAL;
	}
	e = ops_meta_get(db, "csrf_key", hex, sizeof(hex));
	if (e == ERR_NOT_FOUND) {
		unsigned char k[sizeof(app->csrf_key)];

		if (!rand_bytes(k, sizeof(k)))
			return ERR_INTERNAL;
		hex_encode(k, sizeof(k), hex);
		/* Two processes starting together: the first insert wins and
		 * both read back the same key. */
		e = ops_meta_insert(db, "csrf_key", hex, time_now());
		if (e == ERR_OK || e == ERR_CONFLICT)
			e = ops_meta_get(db, "csrf_key", hex, sizeof(hex));
	}
	if (e)
		return e;
	if (!hex_decode(hex, strlen(hex), app->csrf_key, sizeof(app->csrf_key)))
		return ERR_INTERNAL;
	return ERR_OK;
}

/* ---------------------------------------------------------------- credentials */

static bool ows(char c)
{
	return c == ' ' || c == '\t';
}

void auth_parse_credential(const char *authorization, const char *session_cookie,
		struct auth_cred *out)
{
	memset(out, 0, sizeof(*out));
	if (authorization) {
		const char *p = authorization, *tok;
		size_t n;

		while (ows(*p))
			p++;
		/* Only the Bearer scheme is ours. Another scheme (Basic, from
		 * a password-protected staging proxy) is not a claim to be
		 * anyone here, so it is ignored rather than refused. */
		if (strncasecmp(p, "Bearer", 6) == 0 && (p[6] == '\0' || ows(p[6]))) {
			p += 6;
			while (ows(*p))
				p++;
			tok = p;
			while (*p && !ows(*p))
				p++;
			n = (size_t)(p - tok);
			while (ows(*p))
				p++;
			out->kind = AUTH_CRED_BAD_BEARER;
			if (*p == '\0' && n == TOKEN_LEN) {
				memcpy(out->token, tok, n);
				out->token[n] = '\0';
				if (token_well_formed(out->token, &out->type)) {
					out->kind = AUTH_CRED_BEARER;
					return;
				}
			}
			memset(out->token, 0, sizeof(out->token));
			out->type = 0;
			return;
		}
	}
	if (!session_cookie || !*session_cookie)
		return;
	out->kind = AUTH_CRED_BAD_COOKIE;
	if (strnlen(session_cookie, TOKEN_LEN + 1) == TOKEN_LEN) {
		char type;

		memcpy(out->token, session_cookie, TOKEN_LEN + 1);
		if (token_well_formed(out->token, &type) && type == 's') {
			out->kind = AUTH_CRED_COOKIE;
			out->type = type;
			return;
		}
	}
	memset(out->token, 0, sizeof(out->token));
}

static const char *secure_attr(const struct request *req)
{
	return req->app && req->app->cfg && req->app->cfg->dev_mode ? "" : "; Secure";
}

static void clear_session_cookie(struct request *req, struct response *resp)
{
	resp_header(resp, "Set-Cookie", *secure_attr(req)
		    ? SESSION_COOKIE "=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure"
		    : SESSION_COOKIE "=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax");
}

static enum err bearer_refused(struct request *req, struct response *resp)
{
	/* RFC 6750: say which scheme and why, not which part was wrong. */
	resp_header(resp, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
	return req_fail(req, ERR_UNAUTHORIZED,
			"The bearer token is not valid or has expired. Get a new one from "
			"POST /api/v1/sessions.");
}

static enum err bearer_unavailable(struct request *req)
{
	req->retry_after = 30;
	return req_fail(req, ERR_UNAVAILABLE,
			"The service cannot reach its database just now. Try again in a few minutes.");
}

enum err auth_resolve(struct request *req, struct response *resp)
{
	struct actor *a = arena_zalloc(&req->arena, sizeof(*a)), found;
	struct auth_cred c;
	struct db *db;
	bool touch = false;
	int64_t now;
	enum err e;

	if (!a)
		return ERR_NOMEM;
	/* A forwarded request came through a proxy: whoever sent it is not
	 * at this machine, whatever address the proxy connected from. */
	a->local_operator = auth_is_loopback(req->client_ip) &&
			    !req_header(req, "X-Forwarded-For") && !req_header(req, "Forwarded");
	req->actor = a;

	auth_parse_credential(req_header(req, "Authorization"), req_cookie(req, SESSION_COOKIE), &c);
	switch (c.kind) {
	case AUTH_CRED_NONE:
		return ERR_OK;
	case AUTH_CRED_BAD_BEARER:
		return bearer_refused(req, resp);
	case AUTH_CRED_BAD_COOKIE:
		clear_session_cookie(req, resp);
		return ERR_OK;
	case AUTH_CRED_BEARER:
	case AUTH_CRED_COOKIE:
		break;
	}

	/* RF_NODB routes (the home page) still show who is signed in when
	 * the database is there. */
	db = req->db;
	if (!db && req->app && req->app->store)
		db = store_db(req->app->store);
	if (!db) {
		sodium_memzero(c.token, sizeof(c.token));
		return c.kind == AUTH_CRED_BEARER ? bearer_unavailable(req) : ERR_OK;
	}

	now = req->now;
	found = *a;
	if (c.type == 's') {
		e = session_lookup(db, &req->arena, c.token, now, SETTINGS_OF(req->app->cfg, struct auth_settings, auth_settings)->session_idle,
				   &found, &touch);
		/* A browser session works only from its cookie and an API
		 * session only as a bearer token: an API token in a cookie
		 * would be an ambient credential exempt from CSRF checks. */
		if (e == ERR_OK && found.via_token != (c.kind == AUTH_CRED_BEARER))
			e = ERR_NOT_FOUND;
	} else {
		e = apitoken_lookup(db, &req->arena, c.token, now, &found);
	}
	sodium_memzero(c.token, sizeof(c.token));
	if (e == ERR_NOT_FOUND) {
		if (c.kind == AUTH_CRED_BEARER)
			return bearer_refused(req, resp);
		clear_session_cookie(req, resp);
		return ERR_OK;
	}
	if (e) {
		log_msg(LOG_WARN, req->id, "auth: cannot check a %s: %s",
			c.kind == AUTH_CRED_BEARER ? "bearer token" : "session cookie", err_name(e));
		if (c.kind == AUTH_CRED_BEARER)
			return e == ERR_UNAVAILABLE ? bearer_unavailable(req) : e;
		return ERR_OK;
	}
	*a = found;
	if (touch) {
		/* Before the handler's transaction: an autocommit write. */
		e = session_touch(db, a->session_id, now);
		if (e)
			log_msg(LOG_WARN, req->id, "auth: cannot record session use: %s", err_name(e));
	}
	return ERR_OK;
}

/* ---------------------------------------------------------------- form tokens */

static bool visitor_cookie_ok(const char *v)
{
	return str_is_lower_hex(v, TOKEN_HEX);
}

/* HMAC-SHA256(csrf_key, "kith visitor form:" + cookie) in hex. */
static const char *visitor_token(struct request *req, const char *cookie)
{
	static const char label[] = "kith visitor form:";
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char *out = arena_alloc(&req->arena, 2 * sizeof(mac) + 1);

	if (!out || !req->app)
		return NULL;
	crypto_auth_hmacsha256_init(&st, req->app->csrf_key, sizeof(req->app->csrf_key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)label, sizeof(label) - 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)cookie, strlen(cookie));
	crypto_auth_hmacsha256_final(&st, mac);
	hex_encode(mac, sizeof(mac), out);
	return out;
}

const char *auth_form_token(struct request *req, struct response *resp)
{
	struct actor *a = req->actor;
	const char *v;

	if (!a) {
		a = arena_zalloc(&req->arena, sizeof(*a));
		if (!a)
			return NULL;
		req->actor = a;
	}
	if (a->csrf_token)
		return a->csrf_token;
	v = req_cookie(req, VISITOR_COOKIE);
	if (!visitor_cookie_ok(v)) {
		char *nv = arena_alloc(&req->arena, TOKEN_HEX + 1);
		const char *cookie;

		if (!nv || !auth_token_new("", nv, TOKEN_HEX + 1))
			return NULL;
		/* No Max-Age: it only has to last while a form is open. */
		cookie = arena_printf(&req->arena, VISITOR_COOKIE "=%s; Path=/; HttpOnly; SameSite=Lax%s",
				      nv, secure_attr(req));
		if (!cookie)
			return NULL;
		resp_header(resp, "Set-Cookie", cookie);
		v = nv;
	}
	a->csrf_token = visitor_token(req, v);
	return a->csrf_token;
}

enum err auth_check_csrf(struct request *req)
{
	struct actor *a = req->actor;
	const char *sent = req_form(req, "csrf_token");
	size_t n;

	if (a && a->via_token)
		return ERR_OK;
	if (!a || !sent)
		return ERR_CSRF;
	if (!a->csrf_token && a->id == 0) {
		const char *v = req_cookie(req, VISITOR_COOKIE);

		if (visitor_cookie_ok(v))
			a->csrf_token = visitor_token(req, v);
	}
	if (!a->csrf_token)
		return ERR_CSRF;
	n = strlen(a->csrf_token);
	if (strlen(sent) != n || sodium_memcmp(sent, a->csrf_token, n) != 0)
		return ERR_CSRF;
	return ERR_OK;
}

/* ---------------------------------------------------------------- signing in and out */

enum err auth_login(struct request *req, struct response *resp, int64_t person_id)
{
	const struct config *cfg = req->app->cfg;
	struct db *db = req->db;
	struct actor *a = req->actor;
	struct session_new sn;
	struct person p;
	char lower[PERSON_EMAIL_MAX + 1], key[ATTEMPT_KEY_MAX];
	const char *cookie;
	int64_t now = req->now;
	enum err e;

	if (!db || !a)
		return ERR_INTERNAL;
	if ((e = person_get(db, &req->arena, person_id, &p)) != ERR_OK)
		return e;
	if (p.erased_at)
		return ERR_NOT_FOUND;
	/* Whatever session this browser had ends: the new one has a new
	 * token, so a token planted before sign-in (fixation) is useless. */
	if (a->session_id && !a->via_token) {
		e = session_revoke(db, a->id, a->session_id, now);
		if (e && e != ERR_NOT_FOUND)
			return e;
	}
	e = session_create(db, person_id, SESSION_BROWSER, req->client_ip,
			   req_header(req, "User-Agent"), now, now + SETTINGS_OF(cfg, struct auth_settings, auth_settings)->session_lifetime, &sn);
	if (e)
		return e;
	cookie = arena_printf(&req->arena, SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d%s",
			      sn.token, SETTINGS_OF(cfg, struct auth_settings, auth_settings)->session_lifetime, secure_attr(req));
	a->csrf_token = arena_strdup(&req->arena, sn.csrf);
	a->session_id = sn.id;
	sodium_memzero(&sn, sizeof(sn));
	if (!cookie || !a->csrf_token)
		return ERR_NOMEM;
	resp_header(resp, "Set-Cookie", cookie);

	a->id = p.id;
	a->name = p.name;
	a->email = p.email;
	a->verified = p.verified;
	a->roles = p.roles;
	a->org_id = p.org_id;
	a->via_token = false;
	a->token_id = 0;

	if (p.email) {
		str_lower_email(p.email, lower, sizeof(lower));
		attempts_key(key, ATTEMPT_LOGIN_ACCOUNT, lower);
		if ((e = attempts_clear(db, key)) != ERR_OK)
			return e;
	}
	if (p.delete_requested_at || p.erase_after) {
		if ((e = person_set_delete(db, p.id, 0, now)) != ERR_OK ||
		    (e = audit_req(req, "account.delete_cancelled", p.id, NULL)) != ERR_OK)
			return e;
	}
	if (p.deactivated_at) {
		if ((e = person_set_deactivated(db, p.id, false, now)) != ERR_OK ||
		    (e = audit_req(req, "account.reactivated", p.id, NULL)) != ERR_OK)
			return e;
	}
	return audit_req(req, "login", p.id, NULL);
}

enum err auth_logout(struct request *req, struct response *resp)
{
	struct actor *a = req->actor;
	bool local;
	enum err e;

	if (!a)
		return ERR_OK;
	if (a->session_id && req->db) {
		e = session_revoke(req->db, a->id, a->session_id, req->now);
		/* Already ended (deleting an account ends every session
		 * first): signing out is still done. */
		if (e && e != ERR_NOT_FOUND)
			return e;
		if ((e = audit_req(req, "logout", a->id, NULL)) != ERR_OK)
			return e;
	}
	if (!a->via_token)
		clear_session_cookie(req, resp);
	local = a->local_operator;
	memset(a, 0, sizeof(*a));
	a->local_operator = local;
	return ERR_OK;
}
