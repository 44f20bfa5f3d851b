/*
 * view.c - one handler's data, two representations.
 *
 * The page layout gets the site, the page, the asset URLs and the actor
 * around the handler's data; the JSON representation is the handler's data
 * alone. Error responses go through here too, so an error looks like the
 * rest of the site (or is a proper problem+json document for the API).
 */
#include "core/common.h"
#include "app/app.h"
#include "auth/policy.h"
#include "core/embedded.h"
#include "core/log.h"
#include "view/tmpl.h"
#include "web/view.h"

enum err view_init(struct tmpl_set **out, char *errbuf, size_t errlen)
{
	struct tmpl_src *srcs = calloc(embedded_templates_n + 1, sizeof(*srcs));
	enum err e;

	if (!srcs)
		return ERR_NOMEM;
	for (size_t i = 0; i < embedded_templates_n; i++) {
		srcs[i].name = embedded_templates[i].name;
		srcs[i].text = (const char *)embedded_templates[i].data;
		srcs[i].len = embedded_templates[i].len;
	}
	e = tmpl_compile(srcs, embedded_templates_n, out, errbuf, errlen);
	free(srcs);
	return e;
}

static json_t *actor_json(const struct actor *a)
{
	json_t *roles, *o;

	if (!a || a->id == 0)
		return NULL;
	roles = json_array();
	for (int r = 0; r < ROLE__MAX; r++)
		if (a->roles & ROLE_BIT(r))
			json_array_append_new(roles, json_string(role_name((enum role)r)));
	o = json_pack("{s:I, s:s?, s:o}", "id", (json_int_t)a->id, "name", a->name, "roles", roles);
	for (int r = 0; o && r < ROLE__MAX; r++) {
		char key[32];

		snprintf(key, sizeof(key), "is_%s", role_name((enum role)r));
		json_object_set_new(o, key, json_boolean(a->roles & ROLE_BIT(r)));
	}
	return o;
}

enum err view_json(struct request *req, struct response *resp, int status, json_t *data)
{
	enum err e;

	UNUSED(req);
	if (!data)
		data = json_object();
	if (!data)
		return ERR_NOMEM;
	e = resp_json(resp, status, "application/json", data);
	json_decref(data);
	return e;
}

enum err view_page(struct request *req, struct response *resp, int status,
		const char *tmpl, const char *title, json_t *data)
{
	const struct app *app = req->app;
	json_t *ctx;
	enum err e;

	if (req->wants_json)
		return view_json(req, resp, status, data);
	if (!data)
		data = json_object();
	ctx = json_pack("{s:{s:s, s:s, s:s*, s:s*}, s:{s:s, s:s}, s:O, s:o}",
			"site", "name", app->cfg->site_name, "base_url", app->cfg->base_url,
			"organisation", app->cfg->organisation_name[0] ? app->cfg->organisation_name : NULL,
			"contact_email", app->cfg->contact_email[0] ? app->cfg->contact_email : NULL,
			"layout_page", "title", title ? title : "", "template", tmpl,
			"asset", app->assets,
			"data", data);
	if (!ctx)
		return ERR_NOMEM;
	if (app->cfg->contact_email[0])
		json_object_set_new(json_object_get(ctx, "site"), "contact_href",
				    json_sprintf("mailto:%s", app->cfg->contact_email));
	json_object_set_new(ctx, "actor", actor_json(req->actor));
	if (req->actor && req->actor->csrf_token)
		json_object_set_new(ctx, "csrf_token", json_string(req->actor->csrf_token));
	resp->status = status;
	resp->content_type = "text/html; charset=utf-8";
	buf_reset(&resp->body);
	e = tmpl_render(app->views, "layout.html", ctx, &resp->body);
	json_decref(ctx);
	if (e)
		log_error("[%s] rendering %s failed: %s", req->id, tmpl, err_name(e));
	return e;
}

static const char *default_detail(enum err e)
{
	switch (e) {
	case ERR_NOT_FOUND:
		return "If you typed the web address, check it is correct.";
	case ERR_UNAVAILABLE:
		return "Try again in a few minutes.";
	case ERR_RATE_LIMITED:
		return "Wait a minute and try again.";
	case ERR_CSRF:
		return "Go back, reload the page and try again.";
	case ERR_UNAUTHORIZED:
		return "Sign in and try again.";
	case ERR_FORBIDDEN:
		return "Your account does not have permission to do this.";
	case ERR_INVALID:
		return "Check what you entered and try again.";
	default:
		return "Check the request and try again.";
	}
}

/* The FHIR endpoints (/fhir/...) answer errors as OperationOutcome
 * resources (FHIR R4 3.1.0.4): one issue per field, its FHIRPath in
 * expression, or one issue with the detail; the request id is the
 * resource's id, so a report can be matched to the log. */
static bool is_fhir(const struct request *req)
{
	return req->raw_path && (strncmp(req->raw_path, "/fhir/", 6) == 0 ||
				 strcmp(req->raw_path, "/fhir") == 0);
}

static const char *fhir_issue_type(enum err e)
{
	switch (e) {
	case ERR_BAD_REQUEST:
		return "structure";
	case ERR_UNAUTHORIZED:
		return "login";
	case ERR_FORBIDDEN:
	case ERR_CSRF:
		return "forbidden";
	case ERR_NOT_FOUND:
		return "not-found";
	case ERR_METHOD:
	case ERR_NOT_ACCEPTABLE:
	case ERR_MEDIA_TYPE:
		return "not-supported";
	case ERR_CONFLICT:
		return "conflict";
	case ERR_GONE:
		return "deleted";
	case ERR_TOO_LARGE:
		return "too-costly";
	case ERR_URI_TOO_LONG:
	case ERR_HEADERS_TOO_LARGE:
		return "too-long";
	case ERR_INVALID:
		return "invalid";
	case ERR_RATE_LIMITED:
		return "throttled";
	case ERR_UNAVAILABLE:
		return "transient";
	default:
		return "exception";
	}
}

static json_t *fhir_outcome(const struct request *req, enum err e, const char *detail,
		const json_t *fields)
{
	json_t *issues = json_array(), *f;
	size_t i;

	json_array_foreach(fields, i, f) {
		const char *fd = json_string_value(json_object_get(f, "detail"));
		const char *path = json_string_value(json_object_get(f, "field"));

		json_array_append_new(issues, json_pack("{s:s, s:s, s:s, s:{s:s}, s:[s]}",
			"severity", "error", "code", fhir_issue_type(e), "diagnostics", fd ? fd : detail,
			"details", "text", fd ? fd : detail, "expression", path ? path : "Resource"));
	}
	if (json_array_size(issues) == 0)
		json_array_append_new(issues, json_pack("{s:s, s:s, s:s, s:{s:s}}", "severity",
			err_status(e) >= 500 ? "fatal" : "error", "code", fhir_issue_type(e),
			"diagnostics", detail, "details", "text", detail));
	return json_pack("{s:s, s:s, s:o}", "resourceType", "OperationOutcome", "id", req->id,
			 "issue", issues);
}

void view_error(struct request *req, struct response *resp, enum err e,
		const char *detail, const json_t *fields)
{
	int status = err_status(e);
	json_t *doc;
	char type[64];

	/* Internal errors never describe themselves to the person: the
	 * reference ties their report to the log line. */
	if (status >= 500 && e != ERR_UNAVAILABLE)
		detail = "Something went wrong on our side. Try again later. If it keeps happening, "
			 "contact us and quote the reference below.";
	if (!detail)
		detail = default_detail(e);
	if (req->retry_after > 0)
		resp_header(resp, "Retry-After", arena_printf(&req->arena, "%d", req->retry_after));
	if (is_fhir(req) && (doc = fhir_outcome(req, e, detail, fields)) != NULL) {
		enum err je = resp_json(resp, status, "application/fhir+json", doc);

		json_decref(doc);
		if (je)
			goto plain;
		return;
	}
	snprintf(type, sizeof(type), "/problems/%s", err_name(e));
	doc = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", type, "title", err_title(e),
			"status", status, "detail", detail, "request_id", req->id);
	if (doc && fields && json_array_size(fields))
		json_object_set_new(doc, "errors", json_deep_copy(fields));
	if (doc && req->retry_after > 0) {
		int s = req->retry_after, m = (s + 59) / 60;

		json_object_set_new(doc, "retry_after", json_integer(s));
		json_object_set_new(doc, "retry_after_words",
				    s < 60 ? json_sprintf("%d second%s", s, s == 1 ? "" : "s")
					   : json_sprintf("%d minute%s", m, m == 1 ? "" : "s"));
	}
	if (!doc)
		goto plain;
	if (req->wants_json || !req->app->views) {
		enum err je = resp_json(resp, status, "application/problem+json", doc);

		json_decref(doc);
		if (je)
			goto plain;
		return;
	}
	if (view_page(req, resp, status, "error.html", err_title(e), doc) == ERR_OK)
		return;
plain:
	resp_text(resp, status, "text/plain; charset=utf-8", err_title(e), strlen(err_title(e)));
}

void view_paging(struct arena *a, json_t *data, const char *base, int64_t page,
		int64_t per_page, int64_t total, size_t shown)
{
	int64_t pages = total > 0 ? (total + per_page - 1) / per_page : 1;
	int64_t from = (page - 1) * per_page + 1;

	json_object_set_new(data, "total", json_integer((json_int_t)total));
	json_object_set_new(data, "page_number", json_integer((json_int_t)page));
	json_object_set_new(data, "pages", json_integer((json_int_t)pages));
	json_object_set_new(data, "several_pages", json_boolean(pages > 1));
	if (shown) {
		json_object_set_new(data, "from", json_integer((json_int_t)from));
		json_object_set_new(data, "to", json_integer((json_int_t)(from + (int64_t)shown - 1)));
	}
	if (page > 1)
		json_object_set_new(data, "prev_href", json_string(arena_printf(a, "%spage=%lld", base,
				    (long long)(page - 1))));
	if (page * per_page < total)
		json_object_set_new(data, "next_href", json_string(arena_printf(a, "%spage=%lld", base,
				    (long long)(page + 1))));
}
