/*
 * errors.c - per-field errors: a JSON array of {field, detail} that a
 * form's checks fill, a page shows beside each field and in the error
 * summary, and the API returns as a 422 problem's "errors".
 */
#include "core/common.h"
#include "web/errors.h"

void web_error(json_t *errors, const char *field, const char *detail)
{
	if (errors)
		json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field,
							"detail", detail));
}

const char *web_error_for(const json_t *errors, const char *field)
{
	size_t i;
	const json_t *e;

	json_array_foreach(errors, i, e) {
		const char *f = json_string_value(json_object_get(e, "field"));

		if (f && strcmp(f, field) == 0)
			return json_string_value(json_object_get(e, "detail"));
	}
	return NULL;
}

void web_error_once(json_t *errors, const char *field, const char *detail)
{
	if (field && detail && !web_error_for(errors, field))
		web_error(errors, field, detail);
}

void web_errors_merge(json_t *errors, const json_t *from)
{
	size_t i;
	const json_t *x;

	json_array_foreach(from, i, x)
		web_error_once(errors, json_string_value(json_object_get(x, "field")),
			       json_string_value(json_object_get(x, "detail")));
}

static size_t order_of(const char *f, const char *const *order, size_t n)
{
	for (size_t i = 0; f && i < n; i++)
		if (strncmp(f, order[i], strlen(order[i])) == 0)
			return i;
	return n;
}

void web_errors_sort(json_t *errors, const char *const *order, size_t n)
{
	size_t len = json_array_size(errors);

	for (size_t i = 1; i < len; i++)
		for (size_t j = i; j > 0; j--) {
			json_t *a = json_array_get(errors, j - 1), *b = json_array_get(errors, j);

			if (order_of(json_string_value(json_object_get(a, "field")), order, n) <=
			    order_of(json_string_value(json_object_get(b, "field")), order, n))
				break;
			json_incref(a);
			json_array_set(errors, j - 1, b);
			json_array_set_new(errors, j, a);
		}
}
