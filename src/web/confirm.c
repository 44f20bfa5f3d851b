/*
 * confirm.c - the confirmation step: ask once, then do.
 */
#include "core/common.h"
#include "web/confirm.h"

#include "core/str.h"
#include "http/request.h"
#include "web/errors.h"
#include "web/form.h"

/* Every field of the original form except the token and our own, to
 * send again. */
static json_t *carried(const struct request *req)
{
	json_t *list = json_array();

	for (size_t i = 0; list && i < req->form.n; i++) {
		const struct kv *kv = &req->form.v[i];

		if (strcmp(kv->name, "csrf_token") == 0 || strcmp(kv->name, "confirm") == 0 ||
		    strcmp(kv->name, "confirm_reason") == 0 || strlen(kv->val) != kv->vlen)
			continue;
		json_array_append_new(list, json_pack("{s:s, s:s}", "name", kv->name, "value", kv->val));
	}
	return list;
}

/* UTF-8 code points in s (already known to be clean). */
static size_t chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* The paragraphs of happens, split at blank lines. */
static json_t *paragraphs(const char *s)
{
	json_t *list = json_array();

	while (list && s && *s) {
		const char *end = strstr(s, "\n\n");
		size_t n = end ? (size_t)(end - s) : strlen(s);

		json_array_append_new(list, json_stringn(s, n));
		s = end ? end + 2 : s + n;
	}
	return list;
}

bool web_confirmed(struct request *req, struct response *resp, const struct confirm *c,
		const char **reason, enum err *e)
{
	const char *yes = req_form(req, "confirm");
	const char *why = c->reason_label ? web_form_text(req, "confirm_reason") : NULL;
	const char *problem = NULL;
	json_t *data, *errors = json_array();

	*reason = NULL;
	if (why && !why[0])
		why = NULL;
	if (yes && strcmp(yes, "yes") == 0) {
		if (c->reason_required && !why)
			problem = "Say why, so the record shows it";
		else if (why && !str_is_clean_utf8(why, strlen(why)))
			problem = "The reason has characters that cannot be read: type it again";
		else if (why && chars(why) > CONFIRM_REASON_MAX)
			problem = "Keep the reason to 500 characters or fewer";
		if (!problem) {
			json_decref(errors);
			*reason = why;
			return true;
		}
		web_error(errors, "confirm_reason", problem);
	}
	data = json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:o}", "heading", c->heading,
			 "happens", paragraphs(c->happens), "warning", c->warning ? c->warning : "",
			 "button", c->button, "action", req->path, "cancel_href", c->cancel_href,
			 "hidden", carried(req));
	if (!data) {
		json_decref(errors);
		*e = ERR_NOMEM;
		return false;
	}
	json_object_set_new(data, "cancel", json_string(c->cancel ? c->cancel : "No, go back"));
	if (c->reason_label)
		json_object_set_new(data, "reason", json_pack("{s:s, s:s?, s:s?, s:s, s:s?}",
			"label", c->reason_label, "hint", c->reason_hint, "error", problem,
			"value", why ? why : "",
			"described", problem ? (c->reason_hint ? "confirm_reason-hint confirm_reason-error"
						 : "confirm_reason-error")
					     : (c->reason_hint ? "confirm_reason-hint" : NULL)));
	web_set_errors(data, errors);
	*e = web_page(req, resp, problem ? 422 : 200, "confirm.html", c->heading, data);
	return false;
}
