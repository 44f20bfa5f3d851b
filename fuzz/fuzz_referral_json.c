/*
 * fuzz_referral_json.c - the body of POST /api/v1/referrals: parse_json
 * as the server does, then referral_api_parse (src/referral/referral_api.c)
 * and referral_check (src/referral/referral.c), neither touching a
 * database.
 *
 * Invariants:
 *   - referral_api_parse is ERR_OK exactly when it appended no error and
 *     ERR_INVALID exactly when it did; every error names a field (one of
 *     the API's paths) and says in a sentence what to fix;
 *   - what it fills is trimmed text with no NUL, at most
 *     REF_API_NEEDS_MAX needs each a string, source NULL or non-empty;
 *   - a wrong type is never silently accepted: a present person.name
 *     that is not a string (or null) is an error for person.name;
 *   - referral_check answers true exactly when it appended nothing, and
 *     each of its errors is a {field, detail} pair too.
 * Everything is freed, so LeakSanitizer sees any leak.
 */
#include "core/common.h"

/* A fixed day, so a birth date in the future is the same input on any date. */
#define FUZZ_NOW INT64_C(1795510800)

#include "core/arena.h"
#include "http/parse.h"
#include "referral/referral.h"
#include "referral/referral_api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static void check_text(const char *s)
{
	size_t n;

	if (!s)
		return;
	n = strlen(s);
	if (n == 0)
		return;
	CHECK(s[0] != ' ' && s[0] != '\t' && s[0] != '\n' && s[0] != '\r');
	CHECK(s[n - 1] != ' ' && s[n - 1] != '\t' && s[n - 1] != '\n' && s[n - 1] != '\r');
}

static void check_errors(const json_t *errors, size_t from)
{
	for (size_t i = from; i < json_array_size(errors); i++) {
		const json_t *e = json_array_get(errors, i);
		const char *f = json_string_value(json_object_get(e, "field"));
		const char *d = json_string_value(json_object_get(e, "detail"));

		CHECK(f && f[0]);
		CHECK(d && strlen(d) > 10);
	}
}

static bool has_field(const json_t *errors, const char *field)
{
	for (size_t i = 0; i < json_array_size(errors); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(errors, i), "field")), field) == 0)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *body = NULL, *errors, *errors2;
	const json_t *name;
	const char *why;
	struct ref_new n;
	struct arena a;
	enum err e;
	bool ok;

	if (parse_json((const char *)data, size, LIMIT_JSON_DEPTH, &body, &why) != ERR_OK)
		return 0;
	errors = json_array();
	errors2 = json_array();
	CHECK(errors && errors2);
	arena_init(&a);

	e = referral_api_parse(body, &a, &n, errors);
	CHECK(e == ERR_OK || e == ERR_INVALID);
	CHECK((e == ERR_OK) == (json_array_size(errors) == 0));
	check_errors(errors, 0);
	if (!json_is_object(body))
		CHECK(e == ERR_INVALID);
	name = json_object_get(json_object_get(body, "person"), "name");
	if (json_is_object(json_object_get(body, "person")) && name && !json_is_string(name) &&
	    !json_is_null(name))
		CHECK(has_field(errors, "person.name"));

	check_text(n.person.name);
	check_text(n.person.email);
	check_text(n.person.phone);
	check_text(n.person.address);
	check_text(n.person.contact_by);
	check_text(n.person.access_needs);
	check_text(n.person.language);
	check_text(n.person.birth_date);
	check_text(n.person.nhs_number);
	check_text(n.client_id);
	check_text(n.consent_method);
	check_text(n.target_type);
	check_text(n.target_id);
	check_text(n.reason);
	CHECK(!n.source || n.source[0]);
	CHECK(n.nneeds <= REF_API_NEEDS_MAX);
	CHECK(n.nneeds == 0 || n.needs);
	for (size_t i = 0; i < n.nneeds; i++)
		CHECK(n.needs[i] != NULL);

	if (e == ERR_OK) {
		ok = referral_check(&n, FUZZ_NOW, errors2);
		CHECK(ok == (json_array_size(errors2) == 0));
		check_errors(errors2, 0);
	}

	arena_release(&a);
	json_decref(errors);
	json_decref(errors2);
	json_decref(body);
	return 0;
}
