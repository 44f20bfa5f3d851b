/*
 * fields.c - checks of what people type (fields.h).
 */
#include "core/common.h"
#include "core/fields.h"
#include "core/str.h"

#include <stdio.h>

void field_err(json_t *errors, const char *field, const char *detail)
{
	if (errors)
		json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "detail", detail));
}

size_t field_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

bool field_text_ok(json_t *errors, const char *field, const char *what, const char *s, size_t max,
		bool one_line)
{
	char msg[160];

	if (!s || !*s)
		return true;
	if (strlen(s) > max * 4 || !str_is_clean_utf8(s, strlen(s))) {
		snprintf(msg, sizeof(msg), "%s has characters we cannot read: remove them and try again", what);
		field_err(errors, field, msg);
		return false;
	}
	if (one_line && strpbrk(s, "\r\n\t")) {
		snprintf(msg, sizeof(msg), "%s must be on one line", what);
		field_err(errors, field, msg);
		return false;
	}
	if (field_chars(s) > max) {
		snprintf(msg, sizeof(msg), "%s must be %zu characters or fewer", what, max);
		field_err(errors, field, msg);
		return false;
	}
	return true;
}
