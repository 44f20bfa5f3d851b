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

/* What a field holds, so binding knows how to read and check it. */
enum field_kind {
	FIELD_TEXT,        /* one line of text */
	FIELD_EMAIL,       /* an email address, kept as typed */
	FIELD_PHONE,       /* a telephone number: digits, spaces, + ( ) - */
	FIELD_PASSWORD,    /* not trimmed, never shown again */
	FIELD_BOOL,        /* a checkbox: on when its value is "yes" */
	FIELD_ONE_OF,      /* one value from choices */
	FIELD_MANY_OF,     /* any number of values from choices (up to 64) */
	FIELD_DATE,        /* three boxes, NAME-day, NAME-month and NAME-year */
	FIELD_NHS,         /* an NHS number, its check digit right (normalised to 10 digits) */
	FIELD_POSTCODE,    /* a UK postcode in its usual form (normalised: "DN15 6XX") */
};

struct field_choice {
	const char *value;         /* what the form sends */
	const char *label;         /* what people read */
};

#define FIELD_TEXT_MAX 200     /* characters, when a field names no max */

struct field_def {
	const char *name;          /* FLD_...: form field, JSON member, HTML id */
	const char *label;
	const char *hint;          /* NULL for none */
	const char *type;          /* "text", "email", "password", "tel" */
	const char *autocomplete;  /* NULL for none */
	const char *width;         /* extra class, e.g. "govuk-input--width-20", or NULL */
	bool secret;               /* never written back into the page (passwords) */
	bool nospell;              /* spellcheck="false" (emails, passwords, ids) */
	int rows;                  /* a textarea of so many rows; 0 for one line */
	/* Binding (web_bind); a table used only to draw a form may leave these. */
	enum field_kind kind;
	bool required;
	const char *missing;       /* said when required and empty: "Enter your name" */
	size_t max;                /* characters; 0 means FIELD_TEXT_MAX */
	const struct field_choice *choices;   /* FIELD_ONE_OF and FIELD_MANY_OF */
	size_t nchoices;
	/* FIELD_ONE_OF drawn as a select (a long list) rather than radios:
	 * the words of its empty first choice ("Not given"). */
	const char *select_first;
	/* A rule beyond the kind's (a feature's own, e.g. person_check_name):
	 * NULL when v is acceptable, else the sentence to show. */
	const char *(*check)(const char *v);
};

/* The check for a field the feature's domain judges (referral_check(),
 * directory_check_form()): the binder reads it, trims it and keeps what
 * was typed, and leaves what is wrong with it to the domain's words. */
const char *field_domain_judges(const char *v);

/* One field as bound: what it holds in its kind's terms. */
struct field_value {
	const char *text;          /* trimmed as typed (normalised for NHS and postcode; the
	                              "YYYY-MM-DD" of a date); NULL when empty or absent */
	bool on;                   /* FIELD_BOOL */
	int choice;                /* FIELD_ONE_OF: index into choices, -1 for none */
	uint64_t chosen;           /* FIELD_MANY_OF: bit i for choices[i] */
	int64_t day;               /* FIELD_DATE: UK days since 1970-01-01, 0 for none */
};

/* A request's form bound to a table of fields. */
struct bound {
	const struct field_def *defs;
	size_t n;
	struct field_value *v;     /* one per field, in the request arena */
	json_t *values;            /* what was typed, to show again (never secrets); owned */
	json_t *errors;            /* [{field, detail}] in the table's order; owned */
};

/* Binds req's form to defs: each field read and checked by its kind, its
 * required flag, max and check, in table order. True when there is no
 * error. b->values and b->errors are new references the caller releases
 * (web_bound_release) or hands on. */
bool web_bind(struct request *req, const struct field_def *defs, size_t n, struct bound *b);
/* The value of the field named name (NULL when defs has none). */
const struct field_value *web_bound(const struct bound *b, const char *name);
void web_bound_release(struct bound *b);

/* "YYYY-MM-DD" (in the request arena) from three date boxes; NULL with no
 * error when all three are empty; NULL with an error (field err_field,
 * "<what> must ...") when they do not make a real date. */
const char *web_date_parts(struct request *req, const char *d, const char *m, const char *y,
		const char *what, const char *err_field, json_t *errors);

/*
 * The one POST path. A page's form is a struct form_post: its fields, how
 * to draw its page again, and what to do. web_form_post() binds; with
 * errors it draws the page again (422) keeping what was typed. Then
 * before() (optional) runs outside any transaction, for what must not sit
 * inside the write or must stay when the form fails: hashing a password,
 * checking a limit and counting the attempt in a transaction of its own,
 * a check across fields. Then the path opens the write transaction and
 * calls act(). Each of before() and act() returns ERR_OK (go on; after
 * act, commit and answer 303 to the page done names), ERR_INVALID with
 * errors added (act's writes rolled back, the page drawn again with them)
 * or another error (the dispatcher answers it and rolls back).
 *
 * Where to go after: done(req, ctx) when set (the page depends on what
 * act made, e.g. the new referral's), else the route done_route with
 * ?done=done_word (web_done names the change on that page). Or no
 * redirect at all: shown(req, resp, ctx), after the commit, draws the
 * page that shows what act made when that must never sit in a URL (a new
 * API token, shown once). ctx is the handler's own (values act leaves
 * for page, done or shown, flags for page).
 */
struct form_post {
	const struct field_def *fields;
	size_t nfields;
	enum err (*before)(struct request *req, const struct bound *b, json_t *errors, void *ctx);
	enum err (*act)(struct request *req, struct response *resp, const struct bound *b,
			json_t *errors, void *ctx);
	/* Draws the form's page: status, the values to show and the errors
	 * (ownership of both taken). NULL for a form with nothing to type
	 * (a button): errors are then answered in words, 422. */
	enum err (*page)(struct request *req, struct response *resp, int status, json_t *values,
			json_t *errors, void *ctx);
	/* The domain checks the rest of the form: before() runs even when
	 * binding found errors, so the page names every problem at once
	 * (the act still does not run). */
	bool check_all;
	const char *done_route;    /* a route name: "account.home" */
	const char *done_word;     /* NULL for none */
	const char *(*done)(struct request *req, void *ctx);
	enum err (*shown)(struct request *req, struct response *resp, void *ctx);
};
enum err web_form_post(struct request *req, struct response *resp, const struct form_post *f,
		void *ctx);

/* The banner for a page's ?done= word: the first row of words whose word
 * it is; text may hold one %s, filled with arg. Nothing for an unknown
 * word (someone typed it). */
struct done_word {
	const char *word;
	bool success;              /* green (a change made) or blue (something to know) */
	const char *text;
};
void web_done(struct request *req, json_t *data, const struct done_word *words, size_t n,
		const char *arg);

/* {action, button, warning, fields: [...], hidden: []} for form.html.
 * values (may be NULL) holds what to show in each field; errors (may be
 * NULL) the [{field, detail}] array. NULL when out of memory. */
json_t *web_form(const char *action, const char *button, bool warning,
		const struct field_def *defs, size_t n, const json_t *values,
		const json_t *errors);
/* One field of such a form, for partials/form-input.html (an input, or a
 * textarea when the field has rows): every key set, null when unused. */
json_t *web_field(const struct field_def *d, const json_t *values, const json_t *errors);
/* aria-describedby of a field or group: "id-hint id-error", "id-hint",
 * "id-error" or null. */
json_t *web_described(const char *id, bool hint, bool err);
/* A group of radios for partials/radios.html: name is the group's (its
 * ids and its error's field); input the radios' own name in the form
 * (NULL: the same); values and labels n long; chosen the value ticked. */
json_t *web_radios(const char *name, const char *input, const char *legend, const char *hint,
		const char *const *values, const char *const *labels, size_t n, const char *chosen,
		const json_t *errors);
/* A group of checkboxes for directory/checkboxes.html, of items [{id,
 * name, value, label, checked}] (ownership of items taken). */
json_t *web_checks(const char *group, const char *legend, const char *hint, json_t *items,
		const json_t *errors);
/* Such items from choices, ticked where chosen (a JSON array of values)
 * holds them; the first box's id is name, so the error summary links to
 * it. */
json_t *web_check_items(const char *name, const struct field_choice *c, size_t n, const json_t *chosen);
/* A date's three boxes for referral/date.html: the day box's id is id. */
json_t *web_date_boxes(const char *id, const char *legend, const char *hint, const char *day,
		const char *month, const char *year, const json_t *errors);
/* One field of any kind for partials/form-full.html: {input: web_field},
 * {checks: ...} (FIELD_MANY_OF; FIELD_BOOL as one box whose words are the
 * hint, under the label as its legend), {radios: ...} (FIELD_ONE_OF;
 * {select: ...} when it has select_first) or {date:
 * ...} (FIELD_DATE, its boxes' values from values' NAME-day, -month,
 * -year). */
json_t *web_field_full(const struct field_def *d, const json_t *values, const json_t *errors);
/* web_form() with every field through web_field_full, for
 * partials/form-full.html. */
json_t *web_form_full(const char *action, const char *button, bool warning,
		const struct field_def *defs, size_t n, const json_t *values, const json_t *errors);
/* Does a JSON array of strings (a many-of field's values as typed) hold
 * value? For ticking the boxes again. */
bool web_has_value(const json_t *arr, const char *value);
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
