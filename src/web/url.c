/*
 * url.c - route names to paths (router_url), for handlers.
 */
#include "core/common.h"
#include "web/url.h"

#include <stdarg.h>

#include "app/app.h"
#include "auth/token.h"
#include "core/str.h"
#include "http/request.h"
#include "http/router.h"

#define URL_ARGS_MAX 8

const char *web_url(struct request *req, const char *name, ...)
{
	const char *args[URL_ARGS_MAX];
	size_t n = 0;
	const char *a, *out;
	va_list ap;

	va_start(ap, name);
	while ((a = va_arg(ap, const char *)) != NULL && n < URL_ARGS_MAX)
		args[n++] = a;
	va_end(ap);
	out = req->app ? router_url(req->app->router, &req->arena, name, args, n) : NULL;
	return out ? out : "/";
}

void web_redirect_done(struct request *req, struct response *resp, const char *name,
		const char *word)
{
	resp_redirect(req, resp, arena_printf(&req->arena, "%s?done=%s", web_url(req, name, NULL), word));
}

const char *web_path_token(const struct request *req)
{
	const struct param *p = req_param(req, "token");

	return p && str_is_lower_hex(p->val, TOKEN_HEX) ? p->val : NULL;
}
