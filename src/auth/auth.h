/*
 * auth.h - who is asking. Resolves the actor for a request from its
 * session cookie or bearer token, and checks form tokens (CSRF).
 */
#ifndef KITH_AUTH_H
#define KITH_AUTH_H

#include "core/err.h"
#include "http/request.h"

/* Sets req->actor (a visitor when nothing identifies the person). Fails
 * only when the database cannot be reached (ERR_UNAVAILABLE) or for a
 * malformed Authorization header (ERR_UNAUTHORIZED). */
enum err auth_resolve(struct request *req);

/* For RF_CSRF routes: the form's csrf_token must equal the session's, in
 * constant time. Bearer-token requests are exempt. ERR_CSRF otherwise. */
enum err auth_check_csrf(struct request *req);

/* Is addr a loopback address (127.0.0.0/8, ::1)? */
bool auth_is_loopback(const char *addr);

#endif
