/*
 * auth_web.h - who is asking: sessions, bearer tokens, visitors, CSRF, and
 * signing in and out.
 *
 * Credentials a request may carry, checked in this order:
 *   Authorization: Bearer ks_...   an API session (POST /api/v1/sessions)
 *   Authorization: Bearer kt_...   an API token (kith token create, /account/tokens)
 *   Cookie: kith_session=ks_...    a browser session
 * None of these: a visitor. Visitors get a kith_visitor cookie (random, not
 * stored) and their form token is HMAC(app->csrf_key, cookie), so forms
 * they post (sign in, register) are CSRF-protected without a database row.
 *
 * Tokens are "ks_" or "kt_" followed by 64 lowercase hex digits (256
 * bits); only their SHA-256 is stored. Cookies are HttpOnly, SameSite=Lax,
 * Path=/, and Secure unless dev_mode.
 */
#ifndef KITH_AUTH_WEB_H
#define KITH_AUTH_WEB_H

#include <stdbool.h>

#include "auth/token.h"
#include "core/err.h"
#include "http/request.h"

#define SESSION_COOKIE "kith_session"
#define VISITOR_COOKIE "kith_visitor"

struct app;

/* Loads the CSRF signing key from the meta table, creating it once (the
 * first process to start writes it; the others read it). */
enum err auth_init(struct app *app);

/* Sets req->actor. A bad or expired bearer token is ERR_UNAUTHORIZED (the
 * caller said who they are and it is not true); a bad or expired cookie
 * just makes a visitor (and clears the cookie on resp). Touches the
 * session's last_seen_at at most once a minute. req->db may be NULL (a
 * RF_NODB route): see below.
 *
 * Details: a request with no credential costs no database query. With
 * one and req->db NULL, the thread's connection from app->store is used
 * when there is a store (so RF_NODB pages show who is signed in); if it
 * cannot be had, a cookie makes a visitor and a bearer token is
 * ERR_UNAVAILABLE. A browser session works only as the cookie and an API
 * session (kind "api") only as a bearer token. 401s carry
 * WWW-Authenticate: Bearer error="invalid_token". */
enum err auth_resolve(struct request *req, struct response *resp);

/* The form token for this request's actor. Signed-in people have their
 * session's; a visitor gets HMAC(csrf_key, kith_visitor cookie), and a
 * visitor without that cookie gets a new one set on resp (so only pages
 * with forms set a cookie). Sets req->actor->csrf_token, which
 * view_page() puts in the layout as csrf_token. Handlers of pages with a
 * POST form call this before view_page(). NULL only when out of memory. */
const char *auth_form_token(struct request *req, struct response *resp);

/* For RF_CSRF routes: the form's csrf_token must equal the actor's, in
 * constant time. Bearer-token requests are exempt. ERR_CSRF otherwise. */
enum err auth_check_csrf(struct request *req);

/* The credential a request carries, read from its headers alone (no
 * database, no app): what auth_resolve() does first, and what
 * fuzz/fuzz_token.c exercises.
 *
 * authorization is the Authorization header (NULL if none). The scheme
 * "Bearer" is matched case-insensitively, then spaces or tabs, the token,
 * optional trailing spaces or tabs and nothing else. A Bearer credential
 * that is not one well-formed token is AUTH_CRED_BAD_BEARER. Other
 * schemes (Basic from a password-protected proxy) are not ours and are
 * ignored. session_cookie is the kith_session cookie's value (NULL or ""
 * if none): a well-formed "ks_" token is AUTH_CRED_COOKIE, anything else
 * AUTH_CRED_BAD_COOKIE. A bearer credential, good or bad, wins over the
 * cookie. token is NUL-terminated and set only for AUTH_CRED_BEARER and
 * AUTH_CRED_COOKIE. */
enum auth_cred_kind {
	AUTH_CRED_NONE,         /* a visitor */
	AUTH_CRED_BEARER,       /* token is "ks_..." or "kt_..." (type 's' or 't') */
	AUTH_CRED_BAD_BEARER,   /* 401 */
	AUTH_CRED_COOKIE,       /* token is "ks_..." (type 's') */
	AUTH_CRED_BAD_COOKIE,   /* a visitor, and the cookie is cleared */
};

struct auth_cred {
	enum auth_cred_kind kind;
	char type;                      /* 's' or 't'; 0 when there is no token */
	char token[TOKEN_LEN + 1];
};

void auth_parse_credential(const char *authorization, const char *session_cookie,
		struct auth_cred *out);

/* Is addr a loopback address (127.0.0.0/8, ::1)? */
bool auth_is_loopback(const char *addr);

/* Signs person_id in on this browser: a new session (new token, new form
 * token), the cookie on resp, the person's failed-attempt counters
 * cleared, a "login" audit entry, and a pending deletion or deactivation
 * cancelled (audited). Inside the caller's transaction.
 *
 * Details: the browser's previous session, if any, is revoked. The
 * counter cleared is attempts_key(ATTEMPT_LOGIN_ACCOUNT, the person's
 * email in lowercase); per-address counters are left alone (one good
 * account must not reset an address's budget). req->actor becomes the
 * person (with the new form token), so a page rendered after it shows
 * them signed in. ERR_NOT_FOUND for no such (or an erased) person. */
enum err auth_login(struct request *req, struct response *resp, int64_t person_id);

/* Ends this browser session (revokes the row, clears the cookie, audits
 * "logout"). Inside the caller's transaction.
 *
 * Details: a session that already ended is not an error. For a bearer
 * API session it revokes that session and sets no cookie. req->actor
 * becomes a visitor afterwards. */
enum err auth_logout(struct request *req, struct response *resp);

#endif
