/*
 * fields.h - the domain's checks of what people type, shared by every
 * feature's rules: a problem is {field, detail} appended to a JSON array,
 * which the web layer shows beside the field and the API returns as a
 * problem document.
 */
#ifndef KITH_FIELDS_H
#define KITH_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Appends {field, detail} to errors (nothing when errors is NULL). */
void field_err(json_t *errors, const char *field, const char *detail);

/* Characters (code points) of clean UTF-8. */
size_t field_chars(const char *s);

/* A free-text field: readable, within max characters, on one line when
 * asked. what starts the sentence ("The address"). NULL and "" pass. */
bool field_text_ok(json_t *errors, const char *field, const char *what, const char *s, size_t max,
		bool one_line);

#endif
