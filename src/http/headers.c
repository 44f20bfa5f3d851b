/*
 * headers.c - security headers for every response, from one place.
 *
 * The CSP allows nothing inline and nothing from elsewhere: styles, images
 * and fonts come from kith itself, and forms may only post back to kith.
 * kith's one script (assets/js/kith.js, on the referral forms) is in the
 * asset set and 'self' covers it.
 */
#include "core/common.h"
#include "http/headers.h"

static const char csp[] =
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	"font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
	"frame-ancestors 'none'";

void http_security_headers(struct response *resp, bool hsts)
{
	resp_header(resp, "Content-Security-Policy", csp);
	resp_header(resp, "X-Content-Type-Options", "nosniff");
	resp_header(resp, "X-Frame-Options", "DENY");
	resp_header(resp, "Referrer-Policy", "no-referrer");
	resp_header(resp, "Permissions-Policy",
		    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()");
	resp_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	if (hsts)
		resp_header(resp, "Strict-Transport-Security", "max-age=31536000; includeSubDomains");
	if (resp->no_store && !resp_get_header(resp, "Cache-Control"))
		resp_header(resp, "Cache-Control", "no-store");
	if (resp->cors)
		resp_header(resp, "Access-Control-Allow-Origin", "*");
}
