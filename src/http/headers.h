/*
 * headers.h - the one function that sets security headers.
 */
#ifndef KITH_HEADERS_H
#define KITH_HEADERS_H

#include <stdbool.h>

#include "http/request.h"

/* Adds Content-Security-Policy (no inline script or style), nosniff,
 * frame-ancestors/X-Frame-Options, Referrer-Policy, Permissions-Policy,
 * Cross-Origin-Opener-Policy, and HSTS when hsts is true. Also
 * Cache-Control: no-store when resp->no_store, and CORS when resp->cors. */
void http_security_headers(struct response *resp, bool hsts);

#endif
