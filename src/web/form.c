/*
 * form.c - what every feature's pages share: forms from a table of
 * fields, banners, error summaries, the page that holds a form, form
 * values, and the answer to a request over a limit.
 */
#include "core/common.h"
#include "web/form.h"

#include "audit/audit.h"
#include "audit/audit_web.h"
#include "auth/auth_web.h"
#include "core/str.h"
#include "store/store.h"
#include "web/errors.h"
#include "web/view.h"

json_t *web_form(const char *action, const char *button, bool warning,
		const struct field_def *defs, size_t n, const json_t *values,
		const json_t *errors)
{
	json_t *fields = json_array();
	json_t *form = json_pack("{s:s, s:s, s:b, s:o, s:[]}", "action", action, "button", button,
				 "warning", warning, "fields", fields, "hidden");

	if (!form)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct field_def *d = &defs[i];
		const char *val = d->secret ? NULL : json_string_value(json_object_get(values, d->name));
		const char *err = errors ? web_error_for(errors, d->name) : NULL;
		char described[160];
		int w = 0;

		described[0] = '\0';
		if (d->hint)
			w = snprintf(described, sizeof(described), "%s-hint", d->name);
		if (err && w >= 0 && (size_t)w < sizeof(described))
			snprintf(described + w, sizeof(described) - (size_t)w, "%s%s-error",
				 w ? " " : "", d->name);
		json_array_append_new(fields, json_pack(
			"{s:s, s:s, s:s, s:s?, s:s, s:s?, s:s?, s:b, s:s, s:s?, s:s?}",
			"id", d->name, "name", d->name, "label", d->label, "hint", d->hint,
			"type", d->type, "autocomplete", d->autocomplete, "width", d->width,
			"nospell", d->nospell, "value", val ? val : "", "error", err,
			"describedby", described[0] ? described : NULL));
	}
	return form;
}

void web_form_hidden(json_t *form, const char *name, const char *value)
{
	json_array_append_new(json_object_get(form, "hidden"),
			      json_pack("{s:s, s:s}", "name", name, "value", value ? value : ""));
}

void web_set_errors(json_t *data, json_t *errors)
{
	bool any = errors && json_array_size(errors) > 0;

	json_object_set_new(data, "has_errors", json_boolean(any));
	json_object_set_new(data, "errors", errors ? errors : json_array());
}

void web_set_banner(json_t *data, bool success, const char *text)
{
	json_object_set_new(data, "banner", json_pack("{s:b, s:s}", "success", success, "text", text));
}

enum err web_page(struct request *req, struct response *resp, int status,
		const char *tmpl, const char *title, json_t *data)
{
	if (!auth_form_token(req, resp)) {
		json_decref(data);
		return ERR_NOMEM;
	}
	if (data && json_is_true(json_object_get(data, "has_errors")))
		title = arena_printf(&req->arena, "Error: %s", title);
	return view_page(req, resp, status, tmpl, title, data);
}

const char *web_form_raw(struct request *req, const char *name)
{
	for (size_t i = 0; i < req->form.n; i++) {
		const struct kv *kv = &req->form.v[i];

		if (strcmp(kv->name, name) != 0)
			continue;
		return strlen(kv->val) == kv->vlen ? kv->val : NULL;
	}
	return NULL;
}

const char *web_form_text(struct request *req, const char *name)
{
	const char *v = web_form_raw(req, name);
	struct str s;

	if (!v)
		return NULL;
	s = str_trim(str_c(v));
	while (s.n && (s.p[s.n - 1] == '\r' || s.p[s.n - 1] == '\n'))
		s.n--;
	return arena_strndup(&req->arena, s.p, s.n);
}

enum err web_limited(struct request *req, const char *action, int64_t subject_id,
		int retry, const char *detail)
{
	enum err e = db_begin(req->db);

	if (e == ERR_OK)
		e = audit_req(req, action, subject_id, NULL);
	if (e == ERR_OK)
		e = db_commit(req->db);
	if (e)
		return e;
	req->retry_after = retry > 0 ? retry : 1;
	return req_fail(req, ERR_RATE_LIMITED, detail);
}
