/*
 * fuzz_fhir_json.c - a ServiceRequest received at POST /fhir/ServiceRequest:
 * parse_json as the server does, then fhir_parse_service_request
 * (src/referral/fhir.c), then the resources kith would answer with,
 * built from a view made of what was read. No database.
 *
 * Invariants:
 *   - ERR_BAD_REQUEST exactly when the document is not an object whose
 *     resourceType is "ServiceRequest", with one issue; otherwise ERR_OK
 *     exactly when no issue was appended, else ERR_INVALID; every issue
 *     has a FHIRPath starting "ServiceRequest" and a sentence;
 *   - an accepted request has source "external", consent to share with a
 *     known method, a known target type and an id, a contact preference
 *     contact_by_parse() knows, needs that are all in ref_needs (at most
 *     FHIR_LIST_MAX), a language of two lowercase ASCII letters or none,
 *     an external id within FHIR_EXTERNAL_ID_MAX;
 *   - referral_check answers true exactly when it appended nothing;
 *   - the ServiceRequest and Task built from it have resourceType,
 *     status, intent and the SNOMED code, and fhir_expression() names a
 *     ServiceRequest path for every field referral_check used.
 */
#include "core/common.h"

/* A fixed day, so a birth date in the future is the same input on any date. */
#define FUZZ_NOW INT64_C(1795510800)

#include "core/arena.h"
#include "http/parse.h"
#include "referral/fhir.h"
#include "referral/referral.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

#define BASE "https://kith.example.org"

static void check_issues(const json_t *issues)
{
	for (size_t i = 0; i < json_array_size(issues); i++) {
		const json_t *e = json_array_get(issues, i);
		const char *f = json_string_value(json_object_get(e, "field"));
		const char *d = json_string_value(json_object_get(e, "detail"));

		CHECK(f && strncmp(f, "ServiceRequest", 14) == 0);
		CHECK(d && strlen(d) > 10);
	}
}

static void set(json_t *o, const char *key, const char *v)
{
	if (v)
		CHECK(json_object_set_new(o, key, json_string(v)) == 0);
}

/* A view as referral_view would give the referrer, from what was read. */
static json_t *view_of(const struct ref_new *n)
{
	json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s},"
			      " s:{s:s}, s:[], s:[{s:s, s:b, s:s}], s:[{s:s, s:s}], s:{s:I, s:s}}",
			      "id", "11111111-2222-4333-8444-555555555555", "status", "sent",
			      "source", "external", "sent_at", "2026-01-02T03:04:05Z",
			      "updated_at", "2026-01-02T03:04:05Z",
			      "target", "type", n->target_type, "id", n->target_id, "name", "A service",
			      "org_id", "aaaaaaaa-2222-4333-8444-555555555555", "org_name", "An organisation",
			      "person", "id", "cccccccc-2222-4333-8444-555555555555",
			      "needs",
			      "consent", "purpose", "share", "given", 1, "method", n->consent_method,
			      "events", "to", "sent", "at", "2026-01-02T03:04:05Z",
			      "referrer", "id", (json_int_t)1, "name", "A system");
	json_t *p = json_object_get(v, "person");

	CHECK(v);
	set(p, "name", n->person.name);
	set(p, "email", n->person.email);
	set(p, "phone", n->person.phone);
	set(p, "address", n->person.address);
	set(p, "contact_by", n->person.contact_by);
	set(p, "access_needs", n->person.access_needs);
	set(p, "language", n->person.language);
	set(p, "birth_date", n->person.birth_date);
	set(p, "nhs_number", n->person.nhs_number);
	set(v, "reason", n->reason);
	for (size_t i = 0; i < n->nneeds; i++) {
		int k = ref_code_find(ref_needs, ref_needs_n, n->needs[i]);

		CHECK(k >= 0);
		json_array_append_new(json_object_get(v, "needs"), json_pack("{s:s, s:s}", "code",
				      ref_needs[k].code, "name", ref_needs[k].name));
	}
	return v;
}

static void check_resources(const struct ref_new *n)
{
	json_t *view = view_of(n), *sr, *task;
	const json_t *coding;

	sr = fhir_service_request(view, BASE, n->external_id);
	task = fhir_task(view, BASE);
	CHECK(sr && task);
	CHECK(strcmp(json_string_value(json_object_get(sr, "resourceType")), "ServiceRequest") == 0);
	CHECK(strcmp(json_string_value(json_object_get(sr, "status")), "active") == 0);
	CHECK(strcmp(json_string_value(json_object_get(sr, "intent")), "order") == 0);
	CHECK(json_object_get(sr, "subject"));
	coding = json_array_get(json_object_get(json_object_get(sr, "code"), "coding"), 0);
	CHECK(strcmp(json_string_value(json_object_get(coding, "code")), FHIR_SP_CODE) == 0);
	CHECK(json_array_size(json_object_get(sr, "reasonCode")) == n->nneeds);
	CHECK(strcmp(json_string_value(json_object_get(task, "status")), "requested") == 0);
	CHECK(strcmp(json_string_value(json_object_get(task, "intent")), "order") == 0);
	json_decref(sr);
	json_decref(task);
	json_decref(view);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc = NULL, *issues, *errors;
	const char *why, *rt;
	struct ref_new n;
	struct arena a;
	enum contact_by cb;
	enum consent_method m;
	enum ref_target t;
	enum err e;
	bool is_sr;

	if (parse_json((const char *)data, size, LIMIT_JSON_DEPTH, &doc, &why) != ERR_OK)
		return 0;
	issues = json_array();
	errors = json_array();
	CHECK(issues && errors);
	arena_init(&a);

	e = fhir_parse_service_request(doc, BASE, &a, &n, issues);
	rt = json_string_value(json_object_get(doc, "resourceType"));
	is_sr = json_is_object(doc) && rt && strcmp(rt, "ServiceRequest") == 0;
	check_issues(issues);
	if (!is_sr) {
		CHECK(e == ERR_BAD_REQUEST && json_array_size(issues) == 1);
	} else {
		CHECK(e == ERR_OK || e == ERR_INVALID);
		CHECK((e == ERR_OK) == (json_array_size(issues) == 0));
	}
	if (e == ERR_OK) {
		CHECK(strcmp(n.source, "external") == 0);
		CHECK(n.consent_share && n.consent_method && consent_method_parse(n.consent_method, &m));
		CHECK(n.target_type && ref_target_parse(n.target_type, &t) && n.target_id);
		CHECK(n.client_id || (n.person.contact_by && contact_by_parse(n.person.contact_by, &cb)));
		CHECK(n.nneeds <= FHIR_LIST_MAX);
		for (size_t i = 0; i < n.nneeds; i++)
			CHECK(ref_code_find(ref_needs, ref_needs_n, n.needs[i]) >= 0);
		if (n.person.language)
			CHECK(strlen(n.person.language) == 2 &&
			      n.person.language[0] >= 'a' && n.person.language[0] <= 'z' &&
			      n.person.language[1] >= 'a' && n.person.language[1] <= 'z');
		CHECK(!n.external_id || (n.external_id[0] && strlen(n.external_id) <= FHIR_EXTERNAL_ID_MAX));

		CHECK(referral_check(&n, FUZZ_NOW, errors) == (json_array_size(errors) == 0));
		for (size_t i = 0; i < json_array_size(errors); i++) {
			const json_t *x = json_array_get(errors, i);

			CHECK(strncmp(fhir_expression(json_string_value(json_object_get(x, "field"))),
				      "ServiceRequest", 14) == 0);
			CHECK(strlen(json_string_value(json_object_get(x, "detail"))) > 10);
		}
		if (!n.client_id)
			check_resources(&n);
	}

	arena_release(&a);
	json_decref(issues);
	json_decref(errors);
	json_decref(doc);
	return 0;
}
