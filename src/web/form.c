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
#include "core/nhs.h"
#include "core/str.h"
#include "core/uktime.h"
#include "http/request.h"
#include "search/postcode.h"
#include "store/store.h"
#include "web/errors.h"
#include "web/url.h"
#include "web/view.h"

json_t *web_field(const struct field_def *d, const json_t *values, const json_t *errors)
{
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
	return json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s?, s:s?, s:b, s:s, s:s?, s:s?, s:i}",
		"id", d->name, "name", d->name, "label", d->label, "hint", d->hint,
		"type", d->type ? d->type : "text", "autocomplete", d->autocomplete, "width", d->width,
		"nospell", d->nospell, "value", val ? val : "", "error", err,
		"describedby", described[0] ? described : NULL, "rows", d->rows);
}


/* A new JSON string, or null for NULL. */
static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *web_described(const char *id, bool hint, bool err)
{
	if (hint && err)
		return json_sprintf("%s-hint %s-error", id, id);
	if (hint)
		return json_sprintf("%s-hint", id);
	if (err)
		return json_sprintf("%s-error", id);
	return json_null();
}

/* A group of radios (partials/radios.html): the first one's id is the
 * group's, so the error summary can link to it. name is the group's (its
 * ids and its error's field); input the radios' own name in the form, NULL
 * for the same (a referral step's "method" radios share one input name
 * while each step's group has its own ids). */
json_t *web_radios(const char *name, const char *input, const char *legend,
		const char *hint, const char *const *values, const char *const *labels, size_t n,
		const char *chosen, const json_t *errors)
{
	json_t *items = json_array();
	const char *err = web_error_for(errors, name);

	for (size_t i = 0; i < n; i++)
		/* reveal and reveal_id are set (null) on every item so the
		 * partial never finds an outer context's; contact_by_model fills
		 * them where a box shows under a choice. */
		json_array_append_new(items, json_pack("{s:o, s:s, s:s, s:s, s:b, s:n, s:n}",
			"id", i == 0 ? json_string(name) : json_sprintf("%s-%s", name, values[i]),
			"name", input ? input : name, "value", values[i], "label", labels[i],
			"checked", chosen && strcmp(chosen, values[i]) == 0,
			"reveal", "reveal_id"));
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "name", name, "legend", legend,
		"hint", str_or_null(hint), "error", str_or_null(err),
		"describedby", web_described(name, hint != NULL, err != NULL), "items", items);
}

/* Checkboxes in directory/checkboxes.html's shape. */
json_t *web_checks(const char *group, const char *legend, const char *hint,
		json_t *items, const json_t *errors)
{
	const char *err = web_error_for(errors, group);

	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "group", group, "legend", legend,
		"hint", str_or_null(hint), "error", str_or_null(err),
		"describedby", web_described(group, hint != NULL, err != NULL), "items", items);
}

/* A date's three boxes (referral/date.html): the day box's id is the
 * date's own, so the error summary links to it. */
json_t *web_date_boxes(const char *id, const char *legend, const char *hint,
		const char *day, const char *month, const char *year, const json_t *errors)
{
	const char *err = web_error_for(errors, id);
	const char *const value[3] = { day, month, year };
	static const char *const part[3] = { "day", "month", "year" };
	static const char *const label[3] = { "Day", "Month", "Year" };
	json_t *boxes = json_array();

	for (int k = 0; k < 3; k++)
		json_array_append_new(boxes, json_pack("{s:o, s:o, s:s, s:s, s:s}",
			"box_id", k ? json_sprintf("%s-%s", id, part[k]) : json_string(id),
			"box_name", json_sprintf("%s-%s", id, part[k]), "label", label[k],
			"width", k == 2 ? "govuk-input--width-4" : "govuk-input--width-2",
			"value", value[k] ? value[k] : ""));
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "id", id, "legend", legend,
		"hint", str_or_null(hint), "error", str_or_null(err),
		"describedby", web_described(id, hint != NULL, err != NULL), "boxes", boxes);
}


json_t *web_check_items(const char *name, const struct field_choice *c, size_t n, const json_t *chosen)
{
	json_t *items = json_array();

	for (size_t i = 0; items && i < n; i++)
		json_array_append_new(items, json_pack("{s:o, s:s, s:s, s:s, s:b}",
			"id", i == 0 ? json_string(name) : json_sprintf("%s-%s", name, c[i].value),
			"name", name, "value", c[i].value, "label", c[i].label,
			"checked", web_has_value(chosen, c[i].value)));
	return items;
}

/* Every kind's key on a field of form-full.html, null but the one it is,
 * so the partial never reads a page's own "checks" or "date". */
static json_t *full_keys(json_t *o)
{
	static const char *const keys[] = { "input", "checks", "radios", "select", "date" };

	for (size_t i = 0; o && i < ARRAY_LEN(keys); i++)
		if (!json_object_get(o, keys[i]))
			json_object_set_new(o, keys[i], json_null());
	return o;
}

static json_t *field_any(const struct field_def *d, const json_t *values, const json_t *errors);

json_t *web_field_full(const struct field_def *d, const json_t *values, const json_t *errors)
{
	return full_keys(field_any(d, values, errors));
}

static json_t *field_any(const struct field_def *d, const json_t *values, const json_t *errors)
{
	const char *vals[64], *labels[64];
	size_t n = d->nchoices < 64 ? d->nchoices : 64;

	switch (d->kind) {
	case FIELD_MANY_OF:
		return json_pack("{s:o}", "checks", web_checks(d->name, d->label, d->hint,
			web_check_items(d->name, d->choices, n, json_object_get(values, d->name)), errors));
	case FIELD_BOOL: {
		/* One box, its words the hint or the label: "I agree ..." */
		const struct field_choice yes = { "yes", d->hint ? d->hint : d->label };
		json_t *items = web_check_items(d->name, &yes, 1, NULL);
		const char *v = json_string_value(json_object_get(values, d->name));

		json_object_set_new(json_array_get(items, 0), "checked", json_boolean(v && strcmp(v, "yes") == 0));
		return json_pack("{s:o}", "checks", web_checks(d->name, d->label, NULL, items, errors));
	}
	case FIELD_ONE_OF:
		if (d->select_first) {
			const char *chosen = json_string_value(json_object_get(values, d->name));
			const char *err = web_error_for(errors, d->name);
			json_t *items = json_array();

			for (size_t i = 0; items && i < n; i++)
				json_array_append_new(items, json_pack("{s:s, s:s, s:b}", "value",
					d->choices[i].value, "label", d->choices[i].label,
					"selected", chosen && strcmp(chosen, d->choices[i].value) == 0));
			return json_pack("{s:{s:s, s:s, s:s, s:o, s:o, s:o}}", "select", "id", d->name,
				"label", d->label, "first", d->select_first, "error", str_or_null(err),
				"describedby", web_described(d->name, false, err != NULL), "items", items);
		}
		for (size_t i = 0; i < n; i++) {
			vals[i] = d->choices[i].value;
			labels[i] = d->choices[i].label;
		}
		return json_pack("{s:o}", "radios", web_radios(d->name, NULL, d->label, d->hint, vals,
			labels, n, json_string_value(json_object_get(values, d->name)), errors));
	case FIELD_DATE: {
		char k[3][80];

		snprintf(k[0], sizeof(k[0]), "%s-day", d->name);
		snprintf(k[1], sizeof(k[1]), "%s-month", d->name);
		snprintf(k[2], sizeof(k[2]), "%s-year", d->name);
		return json_pack("{s:o}", "date", web_date_boxes(d->name, d->label, d->hint,
			json_string_value(json_object_get(values, k[0])),
			json_string_value(json_object_get(values, k[1])),
			json_string_value(json_object_get(values, k[2])), errors));
	}
	default:
		return json_pack("{s:o}", "input", web_field(d, values, errors));
	}
}

json_t *web_form_full(const char *action, const char *button, bool warning,
		const struct field_def *defs, size_t n, const json_t *values, const json_t *errors)
{
	json_t *form = web_form(action, button, warning, NULL, 0, NULL, NULL);
	json_t *fields = json_object_get(form, "fields");

	for (size_t i = 0; fields && i < n; i++)
		json_array_append_new(fields, web_field_full(&defs[i], values, errors));
	return form;
}

json_t *web_form(const char *action, const char *button, bool warning,
		const struct field_def *defs, size_t n, const json_t *values,
		const json_t *errors)
{
	json_t *fields = json_array();
	json_t *form = json_pack("{s:s, s:s, s:b, s:o, s:[]}", "action", action, "button", button,
				 "warning", warning, "fields", fields, "hidden");

	if (!form)
		return NULL;
	for (size_t i = 0; i < n; i++)
		json_array_append_new(fields, web_field(&defs[i], values, errors));
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

/* ---------------------------------------------------------------- binding */

const char *web_date_parts(struct request *req, const char *d, const char *m, const char *y,
		const char *what, const char *err_field, json_t *errors)
{
	int64_t day, month, year;

	d = d ? d : "";
	m = m ? m : "";
	y = y ? y : "";
	if (!d[0] && !m[0] && !y[0])
		return NULL;
	if (!d[0] || !m[0] || !y[0]) {
		web_error_once(errors, err_field, arena_printf(&req->arena, "%s must include a day, month "
			  "and year", what));
		return NULL;
	}
	if (!str_to_i64(str_c(d), 1, 31, &day) || !str_to_i64(str_c(m), 1, 12, &month) ||
	    !str_to_i64(str_c(y), 1000, 9999, &year) || strlen(y) != 4 ||
	    day > uk_days_in_month((int)year, (int)month)) {
		web_error_once(errors, err_field, arena_printf(&req->arena, "%s must be a real date, like "
			  "27 3 2026", what));
		return NULL;
	}
	return arena_printf(&req->arena, "%04d-%02d-%02d", (int)year, (int)month, (int)day);
}

static int choice_of(const struct field_def *d, const char *v)
{
	for (size_t i = 0; v && i < d->nchoices; i++)
		if (strcmp(d->choices[i].value, v) == 0)
			return (int)i;
	return -1;
}

/* A phone number as people write one: 7 to 20 digits, with spaces, +,
 * brackets and hyphens between. */
static bool phone_ok(const char *s)
{
	size_t digits = 0;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (!strchr(" +()-", *s))
			return false;
	}
	return digits >= 7 && digits <= 20;
}

/* Reads the boxes of a date field; the values shown again are the boxes. */
static const char *bind_date(struct request *req, const struct field_def *d, struct field_value *v,
		json_t *values, json_t *errors)
{
	const char *part[3];
	static const char *const suffix[3] = { "-day", "-month", "-year" };
	const char *iso;

	for (int k = 0; k < 3; k++) {
		const char *key = arena_printf(&req->arena, "%s%s", d->name, suffix[k]);

		part[k] = web_form_text(req, key);
		if (part[k])
			json_object_set_new(values, key, json_string(part[k]));
	}
	iso = web_date_parts(req, part[0], part[1], part[2], d->label, d->name, errors);
	if (iso) {
		int64_t y, m, dd;

		if (str_to_i64((struct str){ iso, 4 }, 1000, 9999, &y) &&
		    str_to_i64((struct str){ iso + 5, 2 }, 1, 12, &m) &&
		    str_to_i64((struct str){ iso + 8, 2 }, 1, 31, &dd))
			v->day = uk_days((int)y, (int)m, (int)dd);
	}
	return iso;
}

/* What is wrong with one field's text, by its kind, or NULL. */
static const char *kind_problem(struct request *req, const struct field_def *d, struct field_value *v)
{
	char nhs[11], pc[9];
	const char *why = NULL;
	size_t max = d->max ? d->max : FIELD_TEXT_MAX;

	/* A text field with a rule of its own is that rule's to judge. */
	if (d->kind == FIELD_TEXT && d->check)
		return NULL;
	if (d->kind != FIELD_PASSWORD && str_check_line(v->text, max, "", "long", "bad")) {
		const char *p = str_check_line(v->text, max, "", "long", "bad");

		if (p[0] == 'l')
			return arena_printf(&req->arena, "%s must be %zu characters or fewer", d->label, max);
		return arena_printf(&req->arena, "%s must be plain text on one line", d->label);
	}
	switch (d->kind) {
	case FIELD_EMAIL:
		return str_email_ok(v->text) ? NULL :
		       "Enter an email address in the right format, like name@example.com";
	case FIELD_PHONE:
		return phone_ok(v->text) ? NULL :
		       "Enter a telephone number, like 01632 960 001 or +44 7700 900 982";
	case FIELD_NHS:
		if (!nhs_number_valid(v->text, nhs))
			return "Enter a 10-digit NHS number, like 943 476 5919";
		v->text = arena_strdup(&req->arena, nhs);
		return NULL;
	case FIELD_POSTCODE:
		if (!postcode_normalise(v->text, pc, &why))
			return why ? why : "Enter a full UK postcode, like DN15 6XX";
		v->text = arena_strdup(&req->arena, pc);
		return NULL;
	case FIELD_ONE_OF:
		v->choice = choice_of(d, v->text);
		return v->choice < 0 ? arena_printf(&req->arena, "Choose %s from the list",
						    d->label) : NULL;
	default:
		return NULL;
	}
}

/* Reads every value a many-of field sent; one not in its list is an error. */
static const char *bind_many(struct request *req, const struct field_def *d, struct field_value *v,
		json_t *values)
{
	json_t *list = json_array();
	const char *bad = NULL;

	for (size_t i = 0; i < req->form.n; i++) {
		const struct kv *kv = &req->form.v[i];
		int c;

		if (strcmp(kv->name, d->name) != 0 || !kv->val[0])
			continue;
		c = choice_of(d, kv->val);
		if (c < 0 || c >= 64)
			bad = arena_printf(&req->arena, "Choose %s from the list", d->label);
		else
			v->chosen |= UINT64_C(1) << c;
		json_array_append_new(list, json_string(kv->val));
	}
	json_object_set_new(values, d->name, list);
	return bad;
}

const char *field_domain_judges(const char *v)
{
	UNUSED(v);
	return NULL;
}

bool web_bind(struct request *req, const struct field_def *defs, size_t n, struct bound *b)
{
	memset(b, 0, sizeof(*b));
	b->defs = defs;
	b->n = n;
	b->v = arena_calloc(&req->arena, n ? n : 1, sizeof(*b->v));
	b->values = json_object();
	b->errors = json_array();
	if (!b->v || !b->values || !b->errors)
		return false;
	for (size_t i = 0; i < n; i++) {
		const struct field_def *d = &defs[i];
		struct field_value *v = &b->v[i];
		const char *problem = NULL;
		bool empty;

		v->choice = -1;
		if (d->kind == FIELD_DATE) {
			size_t before = json_array_size(b->errors);

			v->text = bind_date(req, d, v, b->values, b->errors);
			if (json_array_size(b->errors) > before)
				continue;
		} else if (d->kind == FIELD_MANY_OF) {
			problem = bind_many(req, d, v, b->values);
		} else {
			v->text = d->kind == FIELD_PASSWORD ? web_form_raw(req, d->name) :
				  web_form_text(req, d->name);
			if (v->text && !d->secret)
				json_object_set_new(b->values, d->name, json_string(v->text));
			if (d->kind == FIELD_BOOL) {
				v->on = v->text && strcmp(v->text, "yes") == 0;
				if (v->on)
					continue;
			}
		}
		if (v->text && !v->text[0])
			v->text = NULL;
		empty = d->kind == FIELD_MANY_OF ? v->chosen == 0 && !problem :
			d->kind == FIELD_BOOL ? !v->on : !v->text;
		/* A feature's own rule may have its own words for "empty". */
		if (!problem && empty && d->required && d->check && d->kind == FIELD_TEXT)
			problem = d->check("");
		if (!problem && empty && d->required)
			problem = d->missing ? d->missing : arena_printf(&req->arena, "Enter %s", d->label);
		if (!problem && !empty && d->kind != FIELD_DATE && d->kind != FIELD_MANY_OF &&
		    d->kind != FIELD_BOOL)
			problem = kind_problem(req, d, v);
		if (!problem && !empty && d->check)
			problem = d->check(d->kind == FIELD_MANY_OF || d->kind == FIELD_BOOL ? "" : v->text);
		if (problem)
			web_error_once(b->errors, d->name, problem);
	}
	return json_array_size(b->errors) == 0;
}

const struct field_value *web_bound(const struct bound *b, const char *name)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->defs[i].name, name) == 0)
			return &b->v[i];
	return NULL;
}

void web_bound_release(struct bound *b)
{
	json_decref(b->values);
	json_decref(b->errors);
	b->values = b->errors = NULL;
}

/* ---------------------------------------------------------------- the POST path */

static const char *done_href(struct request *req, const struct form_post *f, void *ctx)
{
	const char *path;

	if (f->done)
		return f->done(req, ctx);
	path = web_url(req, f->done_route, NULL);
	return f->done_word ? arena_printf(&req->arena, "%s?done=%s", path, f->done_word) : path;
}

enum err web_form_post(struct request *req, struct response *resp, const struct form_post *f,
		void *ctx)
{
	struct bound b;
	json_t *values, *errors;
	bool bound = web_bind(req, f->fields, f->nfields, &b);
	enum err e;

	if (!b.values || !b.errors) {
		web_bound_release(&b);
		return ERR_NOMEM;
	}
	if (!bound && !f->check_all)
		goto again;
	e = f->before ? f->before(req, &b, b.errors, ctx) : ERR_OK;
	if (e == ERR_OK && json_array_size(b.errors))
		e = ERR_INVALID;   /* binding's errors, when before() ran anyway */
	if (e == ERR_OK && (e = db_begin(req->db)) == ERR_OK) {
		e = f->act(req, resp, &b, b.errors, ctx);
		if (e == ERR_OK)
			e = db_commit(req->db);
		if (e == ERR_INVALID)
			db_rollback(req->db);
	}
	if (e == ERR_OK) {
		web_bound_release(&b);
		if (f->shown)
			return f->shown(req, resp, ctx);
		resp_redirect(req, resp, done_href(req, f, ctx));
		return ERR_OK;
	}
	if (e != ERR_INVALID || json_array_size(b.errors) == 0) {
		web_bound_release(&b);
		return e;          /* the dispatcher rolls back and answers it */
	}
again:
	values = b.values;
	errors = b.errors;
	b.values = b.errors = NULL;
	if (!f->page) {
		json_decref(values);
		return req_fail_fields(req, "Check the form and try again.", errors);
	}
	return f->page(req, resp, 422, values, errors, ctx);
}

void web_done(struct request *req, json_t *data, const struct done_word *words, size_t n,
		const char *arg)
{
	const char *done = req_query(req, "done");

	for (size_t i = 0; done && i < n; i++) {
		const char *at;

		if (strcmp(done, words[i].word) != 0)
			continue;
		at = strstr(words[i].text, "%s");
		if (at)
			web_set_banner(data, words[i].success, arena_printf(&req->arena, "%.*s%s%s",
				(int)(at - words[i].text), words[i].text, arg ? arg : "", at + 2));
		else
			web_set_banner(data, words[i].success, words[i].text);
		return;
	}
}

bool web_has_value(const json_t *arr, const char *value)
{
	size_t i;
	const json_t *x;

	json_array_foreach(arr, i, x)
		if (json_is_string(x) && strcmp(json_string_value(x), value) == 0)
			return true;
	return false;
}
