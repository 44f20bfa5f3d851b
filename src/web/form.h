/*
 * form.h - the web layer's page helpers (src/web/), for every feature.
 */
#ifndef KITH_WEB_FORM_H
#define KITH_WEB_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"

/*
 * Page helpers for every feature's pages.
 *
 * A form is described by a table of field_def and rendered by
 * templates/partials/form.html: each field through form-input.html
 * (label, hint, error message, the typed value kept unless it is a
 * password), then the button. Values and errors come as JSON objects so
 * a GET (values from the record) and a failed POST (values as typed, with
 * errors) build the same form.
 */
struct request;
struct response;

struct field_def {
	const char *name;          /* FLD_...: form field, JSON member, HTML id */
	const char *label;
	const char *hint;          /* NULL for none */
	const char *type;          /* "text", "email", "password", "tel" */
	const char *autocomplete;  /* NULL for none */
	const char *width;         /* extra class, e.g. "govuk-input--width-20", or NULL */
	bool secret;               /* never written back into the page (passwords) */
	bool nospell;              /* spellcheck="false" (emails, passwords, ids) */
};

/* {action, button, warning, fields: [...], hidden: []} for form.html.
 * values (may be NULL) holds what to show in each field; errors (may be
 * NULL) the [{field, detail}] array. NULL when out of memory. */
json_t *web_form(const char *action, const char *button, bool warning,
		const struct field_def *defs, size_t n, const json_t *values,
		const json_t *errors);
/* Adds a hidden field to a form object. */
void web_form_hidden(json_t *form, const char *name, const char *value);
/* Sets data.errors (ownership taken; NULL or empty for none) and
 * data.has_errors, for partials/form-error-summary.html. */
void web_set_errors(json_t *data, json_t *errors);
/* data.banner for partials/form-banner.html: a success (green) or an
 * important (blue) notification. text is copied. */
void web_set_banner(json_t *data, bool success, const char *text);
/* Renders a page that may hold a POST form: makes sure there is a form
 * token (auth_form_token), prefixes the title with "Error: " when
 * data.has_errors, then view_page(). */
enum err web_page(struct request *req, struct response *resp, int status,
		const char *tmpl, const char *title, json_t *data);
/* A form field with spaces trimmed at both ends, copied into the request
 * arena; NULL when absent or when the value holds a NUL byte. */
const char *web_form_text(struct request *req, const char *name);
/* The same without trimming (passwords). */
const char *web_form_raw(struct request *req, const char *name);
/* Audits action (a *.rate_limited) in a transaction of its own and fails
 * the request with 429, Retry-After: retry and detail. */
enum err web_limited(struct request *req, const char *action, int64_t subject_id,
		int retry, const char *detail);

#endif
