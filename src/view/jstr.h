/*
 * jstr.h - reading a string member of a JSON object, the way every
 * reader of documents in kith wants it: "not given" is one answer,
 * whether the member is absent, null, not a string or "".
 *
 * Here, in the layer of core and jansson and nothing else, because its
 * callers are rules and models that do no I/O (the ORUK model and
 * import, the directory's rules, the FHIR reader): src/web/ is the HTTP
 * edge they must not lean on, and src/store/ would tie a model to the
 * database.
 */
#ifndef KITH_JSTR_H
#define KITH_JSTR_H

#include <jansson.h>

/* o's member key when it is a non-empty string (borrowed from o), else
 * NULL. o may be NULL or not an object. */
const char *jstr(const json_t *o, const char *key);

#endif
