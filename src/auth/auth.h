/*
 * auth.h - who is asking: sessions, bearer tokens, visitors, CSRF, and
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
#ifndef KITH_AUTH_H
#define KITH_AUTH_H

#include <stdbool.h>

#include "core/err.h"
#include "http/request.h"

#define SESSION_COOKIE "kith_session"
#define VISITOR_COOKIE "kith_visitor"
#define TOKEN_HEX 64
#define TOKEN_LEN (3 + TOKEN_HEX)      /* "ks_" + hex */

struct app;

/* Loads the CSRF signing key from the meta table, creating it once (the
 * first process to start writes it; the others read it). */
enum err auth_init(struct app *app);

/* Sets req->actor. A bad or expired bearer token is ERR_UNAUTHORIZED (the
 * caller said who they are and it is not true); a bad or expired cookie
 * just makes a visitor (and clears the cookie on resp). Touches the
 * session's last_seen_at at most once a minute. req->db may be NULL (a
 * RF_NODB route): then only the visitor and local-operator facts are set. */
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

/* Is addr a loopback address (127.0.0.0/8, ::1)? */
bool auth_is_loopback(const char *addr);

/* Signs person_id in on this browser: a new session (new token, new form
 * token), the cookie on resp, the person's failed-attempt counters
 * cleared, a "login" audit entry, and a pending deletion or deactivation
 * cancelled (audited). Inside the caller's transaction. */
enum err auth_login(struct request *req, struct response *resp, int64_t person_id);

/* Ends this browser session (revokes the row, clears the cookie, audits
 * "logout"). Inside the caller's transaction. */
enum err auth_logout(struct request *req, struct response *resp);

#endif
