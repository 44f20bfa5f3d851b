/*
 * err.c - the error table: one row per enum err, in enum order, checked at
 * compile time by the array size.
 */
#include "core/common.h"

static const struct {
	int status;
	const char *name;
	const char *title;
} errs[] = {
	[ERR_OK]                = { 200, "ok", "OK" },
	[ERR_BAD_REQUEST]       = { 400, "bad-request", "The request could not be understood" },
	[ERR_UNAUTHORIZED]      = { 401, "unauthorized", "You need to sign in" },
	[ERR_FORBIDDEN]         = { 403, "forbidden", "You do not have permission to do this" },
	[ERR_CSRF]              = { 403, "stale-form", "This form has expired" },
	[ERR_NOT_FOUND]         = { 404, "not-found", "Page not found" },
	[ERR_METHOD]            = { 405, "method-not-allowed", "That action is not available here" },
	[ERR_NOT_ACCEPTABLE]    = { 406, "not-acceptable", "That format is not available" },
	[ERR_CONFLICT]          = { 409, "conflict", "This clashes with something that already exists" },
	[ERR_GONE]              = { 410, "gone", "This is no longer available" },
	[ERR_TOO_LARGE]         = { 413, "too-large", "What you sent is too large" },
	[ERR_URI_TOO_LONG]      = { 414, "uri-too-long", "The web address is too long" },
	[ERR_MEDIA_TYPE]        = { 415, "unsupported-media-type", "That type of content is not accepted here" },
	[ERR_INVALID]           = { 422, "invalid", "There is a problem with what you entered" },
	[ERR_RATE_LIMITED]      = { 429, "rate-limited", "Too many requests" },
	[ERR_HEADERS_TOO_LARGE] = { 431, "headers-too-large", "The request headers are too large" },
	[ERR_INTERNAL]          = { 500, "internal", "Sorry, there is a problem with the service" },
	[ERR_NOMEM]             = { 500, "internal", "Sorry, there is a problem with the service" },
	[ERR_UNAVAILABLE]       = { 503, "unavailable", "Sorry, the service is unavailable" },
};

_Static_assert(sizeof(errs) / sizeof(errs[0]) == ERR__MAX, "one row per enum err");

int err_status(enum err e)
{
	return (unsigned)e < ERR__MAX ? errs[e].status : 500;
}

const char *err_title(enum err e)
{
	return (unsigned)e < ERR__MAX ? errs[e].title : errs[ERR_INTERNAL].title;
}

const char *err_name(enum err e)
{
	return (unsigned)e < ERR__MAX ? errs[e].name : "internal";
}
