/*
 * site_web.c - pages about the service. Their words live in the templates;
 * the handlers only name the template and title, so the JSON form of each
 * page is small and the same data drives both.
 */
#include "core/common.h"
#include "app/features.h"
#include "app/app.h"
#include "site/site.h"
#include "web/view.h"

static enum err home(struct request *req, struct response *resp)
{
	return view_page(req, resp, 200, "home.html", NULL,
			 json_pack("{s:s}", "site_name", req->app->cfg->site_name));
}

static enum err accessibility(struct request *req, struct response *resp)
{
	return view_page(req, resp, 200, "accessibility.html", "Accessibility statement", NULL);
}

static enum err privacy(struct request *req, struct response *resp)
{
	return view_page(req, resp, 200, "privacy.html", "Privacy notice", NULL);
}

/* RFC 9457 "type" URIs resolve here: what the problem means and what to
 * do about it, for the developer who meets it. */
static enum err problem(struct request *req, struct response *resp)
{
	const char *name = req_param(req, "name")->val;

	for (int e = 1; e < ERR__MAX; e++) {
		if (strcmp(err_name((enum err)e), name) != 0)
			continue;
		return view_page(req, resp, 200, "problem.html", err_title((enum err)e),
				 json_pack("{s:s, s:s, s:i}", "name", name,
					   "title", err_title((enum err)e),
					   "status", err_status((enum err)e)));
	}
	return req_fail(req, ERR_NOT_FOUND, "There is no problem type with that name.");
}

static const struct route routes[] = {
	{ M_GET, "/", home, &act_public, RF_NODB | RF_PAGE_JSON, "site.home" },
	{ M_GET, "/accessibility", accessibility, &act_public, RF_NODB, "site.accessibility" },
	{ M_GET, "/privacy", privacy, &act_public, RF_NODB, "site.privacy" },
	{ M_GET, "/problems/{name:slug}", problem, &act_public, RF_NODB | RF_PAGE_JSON, "site.problem" },
};
const struct feature site_feature = {
	.name = "site", .routes = routes, .nroutes = ARRAY_LEN(routes),
};
