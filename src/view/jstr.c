/*
 * jstr.c - a string member of a JSON object, or NULL when there is none
 * worth reading. One copy: the ORUK model, its import, the directory and
 * the FHIR reader each kept their own.
 */
#include "core/common.h"
#include "view/jstr.h"

const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && s[0] ? s : NULL;
}
