/*
 * test_fhir.c - the FHIR R4 endpoints through the dispatcher, and the
 * mapping and parsing underneath them.
 *
 * /fhir/metadata: a CapabilityStatement with what a client needs (status,
 * kind, fhirVersion, format, ServiceRequest read and create, Task read,
 * security), content negotiation (406 for XML). ServiceRequest and Task
 * reads: the required elements of the UK Core profiles, the person shown
 * only to those who may see them, the lifecycle mapped onto Task.status,
 * 401/404 as OperationOutcome resources. POST /fhir/ServiceRequest: a
 * round trip (201, Location, read back the same), 422 naming the missing
 * consent, 400, 409, 415, 401, 403. The parser on its own: names, contact
 * preference, language, needs by either code system, identifiers, and an
 * issue with a FHIRPath for each thing wrong. On SQLite and, with
 * KITH_TEST_PG_URL, PostgreSQL.
 */
#include "core/common.h"
#include "org/org.h"

#include <setjmp.h>
#include <cmocka.h>

#include "auth/person.h"
#include "core/timeutil.h"
#include "directory/directory.h"
#include "directory/vocab.h"
#include "referral/fhir.h"
#include "referral/referral.h"
#include "store/store.h"
#include "support/cast.h"
#include "support/reqtest.h"

#define ORG_A RT_ORG_A
#define ORG_B RT_ORG_B
#define NOBODY "00000000-0000-4000-8000-000000000000"
#define NHS "9434765919"
#define BASE "https://kith.test"

struct fx {
	struct rt *t;
	RT_CAST_MEMBERS;        /* all but Cora, with bearers tlw, torga, torgb, tcomm, tmem */
	char svc_a[37], svc_b[37];
};

struct res {
	struct rt_resp r;
	json_t *j;
};

static void res_free(struct res *x)
{
	json_decref(x->j);
	x->j = NULL;
	rt_resp_free(&x->r);
}

static int setup(void **state)
{
	const char *const settings[] = { "rate_limit=0", "dev_mode=true", "base_url=" BASE, NULL };
	struct fx *x = rt_fixture(state, sizeof(*x), settings);

	if (!x)
		return -1;
	rt_cast(x->t, &x->cast, (RT_CAST_EVERYONE & ~RT_CAST_CORA) | RT_CAST_TOKENS);
	rt_service(x->t, ORG_A, "Tuesday Health Walk", SVC_PUBLISHED, x->svc_a);
	rt_service(x->t, ORG_B, "Singing for Breathing", SVC_PUBLISHED, x->svc_b);
	return 0;
}

static int teardown(void **state)
{
	return rt_fixture_free(state);
}

/* ---------------------------------------------------------------- helpers */

static void req(struct rt *t, const char *method, const char *target, const char *ctype,
		const char *body, const char *token, const char *accept, struct res *out)
{
	char auth[128], ct[96], acc[96];
	const char *h[4] = { NULL };
	size_t n = 0;

	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h[n++] = auth;
	}
	if (body) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", ctype ? ctype : FHIR_MIME);
		h[n++] = ct;
	}
	if (accept) {
		snprintf(acc, sizeof(acc), "Accept: %s", accept);
		h[n++] = acc;
	}
	rt_request(t, method, target, h, body, body ? strlen(body) : 0, "192.0.2.8", &out->r);
	out->j = out->r.body && out->r.len ? json_loads(out->r.body, 0, NULL) : NULL;
}

static void get(struct fx *x, const char *target, const char *token, struct res *out)
{
	req(x->t, "GET", target, NULL, NULL, token, FHIR_MIME, out);
}

static const char *jstr(const json_t *j, const char *key)
{
	return json_string_value(json_object_get(j, key));
}

/* j at a dotted path with array indexes as numbers: "code.coding.0.code". */
static const json_t *at(const json_t *j, const char *path)
{
	char buf[256], *save = NULL, *part;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part && j; part = strtok_r(NULL, ".", &save)) {
		if (json_is_array(j))
			j = json_array_get(j, strtoul(part, NULL, 10));
		else
			j = json_object_get(j, part);
	}
	return j;
}

static const char *sat(const json_t *j, const char *path)
{
	return json_string_value(at(j, path));
}

/* An OperationOutcome with an issue of this code (and this expression,
 * when given). */
static void outcome(const struct res *r, int status, const char *code, const char *expr)
{
	const json_t *i;
	size_t k;
	bool found = false;

	assert_int_equal(r->r.status, status);
	assert_string_equal(r->r.content_type, FHIR_MIME);
	assert_non_null(r->j);
	assert_string_equal(jstr(r->j, "resourceType"), "OperationOutcome");
	json_array_foreach(json_object_get(r->j, "issue"), k, i) {
		assert_non_null(jstr(i, "severity"));
		assert_true(strlen(sat(i, "details.text")) > 10);
		if (strcmp(jstr(i, "code"), code) != 0)
			continue;
		if (!expr || (sat(i, "expression.0") && strcmp(sat(i, "expression.0"), expr) == 0))
			found = true;
	}
	if (!found)
		fail_msg("no %s issue%s%s in %s", code, expr ? " at " : "", expr ? expr : "", r->r.body);
}

/* A referral made through the JSON API by the link worker. */
static void refer(struct fx *x, const char *target, char id[37])
{
	char b[1024];
	struct res r;

	snprintf(b, sizeof(b), "{\"person\": {\"name\": \"Annie Otterburn\", \"email\": "
		 "\"annie@example.org\", \"phone\": \"01632 960001\", \"contact_by\": \"phone\", "
		 "\"nhs_number\": \"" NHS "\", \"birth_date\": \"1950-02-01\", \"language\": \"en\", "
		 "\"access_needs\": \"Step-free access\"}, \"consent\": {\"share\": true, \"contact\": true, "
		 "\"outcome\": true, \"method\": \"verbal\"}, \"target\": {\"type\": \"service\", \"id\": "
		 "\"%s\"}, \"reason\": \"Lonely since moving\", \"needs\": [\"%s\", \"%s\"]}",
		 target, ref_needs[0].code, ref_needs[1].code);
	req(x->t, "POST", "/api/v1/referrals", "application/json", b, x->tlw, NULL, &r);
	assert_int_equal(r.r.status, 201);
	snprintf(id, 37, "%s", jstr(r.j, "id"));
	res_free(&r);
}

static void move(struct fx *x, const char *id, const char *b, const char *token)
{
	char p[128];
	struct res r;

	snprintf(p, sizeof(p), "/api/v1/referrals/%s/status", id);
	req(x->t, "POST", p, "application/json", b, token, NULL, &r);
	assert_int_equal(r.r.status, 200);
	res_free(&r);
}

static bool has_coding(const json_t *cc, const char *system, const char *code)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(cc, "coding"), i, c)
		if (strcmp(jstr(c, "system"), system) == 0 && strcmp(jstr(c, "code"), code) == 0)
			return true;
	return false;
}

/* ---------------------------------------------------------------- metadata */

static void metadata(void **state)
{
	struct fx *x = *state;
	const json_t *rs, *res;
	struct res r;
	size_t i;
	bool sr = false, task = false;

	get(x, "/fhir/metadata", NULL, &r);
	assert_int_equal(r.r.status, 200);
	assert_string_equal(r.r.content_type, FHIR_MIME);
	assert_string_equal(jstr(r.j, "resourceType"), "CapabilityStatement");
	assert_string_equal(jstr(r.j, "status"), "active");
	assert_string_equal(jstr(r.j, "kind"), "instance");
	assert_string_equal(jstr(r.j, "fhirVersion"), "4.0.1");
	assert_string_equal(sat(r.j, "format.0"), "json");
	assert_non_null(jstr(r.j, "date"));
	rs = at(r.j, "rest.0");
	assert_string_equal(jstr(rs, "mode"), "server");
	assert_string_equal(sat(rs, "security.service.0.text"), "Bearer");
	json_array_foreach(json_object_get(rs, "resource"), i, res) {
		const char *type = jstr(res, "type");

		if (strcmp(type, "ServiceRequest") == 0) {
			sr = strcmp(sat(res, "interaction.0.code"), "read") == 0 &&
			     strcmp(sat(res, "interaction.1.code"), "create") == 0;
			assert_string_equal(jstr(res, "profile"), FHIR_SR_PROFILE);
			/* The exact systems a sender needs, with this site's base. */
			assert_non_null(strstr(jstr(res, "documentation"), BASE "/fhir/sid/service"));
			assert_non_null(strstr(jstr(res, "documentation"), BASE FHIR_EXT_CONSENT));
		} else if (strcmp(type, "Task") == 0) {
			task = strcmp(sat(res, "interaction.0.code"), "read") == 0 &&
			       json_array_size(json_object_get(res, "interaction")) == 1;
		}
	}
	assert_true(sr);
	assert_true(task);
	res_free(&r);

	/* JSON by any name; nothing else. */
	req(x->t, "GET", "/fhir/metadata?_format=json", NULL, NULL, NULL, NULL, &r);
	assert_int_equal(r.r.status, 200);
	res_free(&r);
	req(x->t, "GET", "/fhir/metadata?_format=application/fhir%2Bjson", NULL, NULL, NULL, NULL, &r);
	assert_int_equal(r.r.status, 200);
	res_free(&r);
	req(x->t, "GET", "/fhir/metadata", NULL, NULL, NULL, "application/json", &r);
	assert_int_equal(r.r.status, 200);
	res_free(&r);
	req(x->t, "GET", "/fhir/metadata", NULL, NULL, NULL, "application/fhir+xml;q=1, application/fhir+json;q=0.9", &r);
	assert_int_equal(r.r.status, 200);
	res_free(&r);
	req(x->t, "GET", "/fhir/metadata?_format=xml", NULL, NULL, NULL, NULL, &r);
	outcome(&r, 406, "not-supported", NULL);
	res_free(&r);
	/* Parameters FHIR does not know are ignored (lenient, FHIR's default),
	 * unlike /api/v1's; an empty _format is no _format. */
	req(x->t, "GET", "/fhir/metadata?_pretty=true&_format=", NULL, NULL, NULL, NULL, &r);
	assert_int_equal(r.r.status, 200);
	res_free(&r);
	req(x->t, "GET", "/fhir/metadata", NULL, NULL, NULL, "application/fhir+xml", &r);
	outcome(&r, 406, "not-supported", NULL);
	res_free(&r);
	/* Unknown resources are FHIR 404s too. */
	get(x, "/fhir/Patient/" NOBODY, x->tlw, &r);
	outcome(&r, 404, "not-found", NULL);
	res_free(&r);
}

/* ---------------------------------------------------------------- reads */

static void service_request_read(void **state)
{
	struct fx *x = *state;
	char id[37], p[128];
	const json_t *pat, *perf, *ids;
	struct res r;
	bool org = false, svc = false, nhs = false;
	size_t i;

	refer(x, x->svc_a, id);
	snprintf(p, sizeof(p), "/fhir/ServiceRequest/%s", id);

	/* The referrer: everything the profile needs, and the person. */
	get(x, p, x->tlw, &r);
	assert_int_equal(r.r.status, 200);
	assert_string_equal(r.r.content_type, FHIR_MIME);
	assert_string_equal(jstr(r.j, "resourceType"), "ServiceRequest");
	assert_string_equal(jstr(r.j, "id"), id);
	assert_string_equal(sat(r.j, "meta.profile.0"), FHIR_SR_PROFILE);
	assert_string_equal(jstr(r.j, "status"), "active");
	assert_string_equal(jstr(r.j, "intent"), "order");
	assert_true(has_coding(at(r.j, "code"), FHIR_SNOMED, FHIR_SP_CODE));
	assert_string_equal(sat(r.j, "code.coding.0.display"), FHIR_SP_DISPLAY);
	assert_non_null(sat(r.j, "category.0.coding.0.code"));
	assert_non_null(jstr(r.j, "authoredOn"));
	assert_string_equal(sat(r.j, "identifier.0.system"), "urn:ietf:rfc:3986");
	assert_true(strstr(sat(r.j, "identifier.0.value"), id) != NULL);
	assert_string_equal(sat(r.j, "subject.reference"), "#patient");
	pat = at(r.j, "contained.0");
	assert_string_equal(jstr(pat, "resourceType"), "Patient");
	assert_string_equal(jstr(pat, "id"), "patient");
	assert_string_equal(sat(pat, "name.0.text"), "Annie Otterburn");
	json_array_foreach(json_object_get(pat, "identifier"), i, ids)
		if (strcmp(jstr(ids, "system"), FHIR_NHS_NUMBER) == 0 && strcmp(jstr(ids, "value"), NHS) == 0)
			nhs = true;
	assert_true(nhs);
	assert_string_equal(sat(r.j, "requester.display"), "Lin Linkworker");
	json_array_foreach(json_object_get(r.j, "performer"), i, perf) {
		if (jstr(perf, "type") && strcmp(jstr(perf, "type"), "Organization") == 0) {
			org = strcmp(jstr(perf, "display"), "Northtown Walkers") == 0 &&
			      strcmp(sat(perf, "identifier.value"), ORG_A) == 0 &&
			      strcmp(sat(perf, "identifier.system"), BASE FHIR_SID_ORG) == 0;
		} else if (jstr(perf, "type") && strcmp(jstr(perf, "type"), "HealthcareService") == 0) {
			svc = strcmp(sat(perf, "identifier.value"), x->svc_a) == 0;
		}
	}
	assert_true(org);
	assert_true(svc);
	assert_int_equal(json_array_size(json_object_get(r.j, "reasonCode")), 2);
	assert_true(has_coding(at(r.j, "reasonCode.0"), BASE FHIR_CS_NEED, ref_needs[0].code));
	if (ref_needs[0].snomed)
		assert_true(has_coding(at(r.j, "reasonCode.0"), FHIR_SNOMED, ref_needs[0].snomed));
	assert_string_equal(sat(r.j, "note.0.text"), "Lonely since moving");
	res_free(&r);

	/* The receiving organisation: the person, never their NHS number. */
	get(x, p, x->torga, &r);
	assert_int_equal(r.r.status, 200);
	assert_string_equal(sat(r.j, "contained.0.name.0.text"), "Annie Otterburn");
	assert_null(strstr(r.r.body, NHS));
	assert_null(strstr(r.r.body, "1950-02-01"));
	res_free(&r);

	/* Refusals, as OperationOutcome resources. */
	get(x, p, x->torgb, &r);
	outcome(&r, 404, "not-found", NULL);
	assert_null(strstr(r.r.body, "Annie"));
	res_free(&r);
	get(x, p, x->tcomm, &r);
	outcome(&r, 404, "not-found", NULL);
	res_free(&r);
	get(x, p, x->tmem, &r);
	outcome(&r, 404, "not-found", NULL);
	res_free(&r);
	get(x, p, NULL, &r);
	outcome(&r, 401, "login", NULL);
	res_free(&r);
	get(x, "/fhir/ServiceRequest/" NOBODY, x->tlw, &r);
	outcome(&r, 404, "not-found", NULL);
	res_free(&r);
	req(x->t, "GET", p, NULL, NULL, "kt_nonsense", FHIR_MIME, &r);
	outcome(&r, 401, "login", NULL);
	res_free(&r);

	/* Consent to share withdrawn: the receiver's subject names no one. */
	snprintf(p, sizeof(p), "/api/v1/referrals/%s/consent", id);
	req(x->t, "POST", p, "application/json", "{\"purpose\": \"share\", \"given\": false}", x->tlw, NULL, &r);
	assert_int_equal(r.r.status, 200);
	res_free(&r);
	snprintf(p, sizeof(p), "/fhir/ServiceRequest/%s", id);
	get(x, p, x->torga, &r);
	assert_int_equal(r.r.status, 200);
	assert_string_equal(jstr(r.j, "status"), "revoked");
	assert_null(json_object_get(r.j, "contained"));
	assert_null(sat(r.j, "subject.display"));
	assert_string_equal(sat(r.j, "subject.identifier.system"), BASE FHIR_SID_CLIENT);
	assert_null(strstr(r.r.body, "Annie"));
	assert_null(strstr(r.r.body, "Lonely"));
	res_free(&r);
}

static void task_read(void **state)
{
	struct fx *x = *state;
	char id[37], id2[37], p[128], based[96];
	struct res r;

	refer(x, x->svc_a, id);
	snprintf(p, sizeof(p), "/fhir/Task/%s", id);
	snprintf(based, sizeof(based), "ServiceRequest/%s", id);
	get(x, p, x->torga, &r);
	assert_int_equal(r.r.status, 200);
	assert_string_equal(r.r.content_type, FHIR_MIME);
	assert_string_equal(jstr(r.j, "resourceType"), "Task");
	assert_string_equal(jstr(r.j, "id"), id);
	assert_string_equal(sat(r.j, "meta.profile.0"), FHIR_TASK_PROFILE);
	assert_string_equal(sat(r.j, "basedOn.0.reference"), based);
	assert_string_equal(jstr(r.j, "status"), "requested");
	assert_string_equal(jstr(r.j, "intent"), "order");
	assert_string_equal(sat(r.j, "businessStatus.text"), "sent");
	assert_non_null(jstr(r.j, "authoredOn"));
	assert_non_null(jstr(r.j, "lastModified"));
	assert_string_equal(sat(r.j, "owner.identifier.value"), ORG_A);
	res_free(&r);

	move(x, id, "{\"status\": \"accepted\"}", x->torga);
	get(x, p, x->tlw, &r);
	assert_string_equal(jstr(r.j, "status"), "accepted");
	assert_string_equal(sat(r.j, "businessStatus.text"), "accepted");
	res_free(&r);
	move(x, id, "{\"status\": \"contacted\"}", x->torga);
	move(x, id, "{\"status\": \"attended\"}", x->torga);
	get(x, p, x->tlw, &r);
	assert_string_equal(jstr(r.j, "status"), "in-progress");
	assert_string_equal(sat(r.j, "businessStatus.text"), "attended");
	/* The history: sent, accepted, contacted, attended. */
	assert_int_equal(json_array_size(json_object_get(r.j, "output")), 4);
	assert_string_equal(sat(r.j, "output.3.type.coding.0.code"), "attended");
	assert_non_null(sat(r.j, "executionPeriod.start"));
	res_free(&r);
	move(x, id, "{\"status\": \"closed\", \"reason\": \"completed\"}", x->tlw);
	get(x, p, x->tlw, &r);
	assert_string_equal(jstr(r.j, "status"), "completed");
	assert_string_equal(sat(r.j, "statusReason.coding.0.code"), "completed");
	assert_non_null(sat(r.j, "executionPeriod.end"));
	res_free(&r);

	/* Declined: rejected, with the reason. */
	refer(x, x->svc_b, id2);
	move(x, id2, "{\"status\": \"declined\", \"reason\": \"full\", \"note\": \"No room\"}", x->torgb);
	snprintf(p, sizeof(p), "/fhir/Task/%s", id2);
	get(x, p, x->tlw, &r);
	assert_string_equal(jstr(r.j, "status"), "rejected");
	assert_string_equal(sat(r.j, "statusReason.coding.0.code"), "full");
	assert_string_equal(sat(r.j, "statusReason.coding.0.system"), BASE FHIR_CS_DECLINE);
	res_free(&r);
	snprintf(p, sizeof(p), "/fhir/ServiceRequest/%s", id2);
	get(x, p, x->tlw, &r);
	assert_string_equal(jstr(r.j, "status"), "revoked");
	res_free(&r);

	/* The organisation it was not sent to: 404. */
	snprintf(p, sizeof(p), "/fhir/Task/%s", id);
	get(x, p, x->torgb, &r);
	outcome(&r, 404, "not-found", NULL);
	res_free(&r);
	get(x, p, NULL, &r);
	outcome(&r, 401, "login", NULL);
	res_free(&r);
}

/* ---------------------------------------------------------------- receiving */

/* A ServiceRequest as another system sends it; consent may be left out. */
static char *incoming(const char *service, bool consent, const char *ext_value)
{
	json_t *sr = json_pack("{s:s, s:s, s:s, s:[{s:s, s:s}], s:[{s:s, s:s, s:[{s:s, s:s}],"
		" s:[{s:[s, s], s:s}], s:[{s:s, s:s}, {s:s, s:s, s:i}], s:s,"
		" s:[{s:{s:[{s:s, s:s}]}}]}], s:{s:s}, s:[{s:{s:o, s:s}}], s:[{s:[{s:s, s:s}]}],"
		" s:[{s:s}, {s:s}], s:{s:[{s:s, s:s}]}}",
		"resourceType", "ServiceRequest", "status", "active", "intent", "order",
		"identifier", "system", "https://gp.example/referrals", "value", ext_value,
		"contained", "resourceType", "Patient", "id", "p1",
		"identifier", "system", FHIR_NHS_NUMBER, "value", NHS,
		"name", "given", "Ruth", "Ann", "family", "Received",
		"telecom", "system", "email", "value", "ruth@example.org",
		"system", "phone", "value", "01632 960002", "rank", 1,
		"birthDate", "1948-03-04",
		"communication", "language", "coding", "system", "urn:ietf:bcp:47", "code", "en-GB",
		"subject", "reference", "#p1",
		"performer", "identifier", "system", json_string(BASE "/fhir/sid/service"), "value", service,
		"reasonCode", "coding", "system", BASE FHIR_CS_NEED, "code", ref_needs[0].code,
		"note", "text", "Would like to meet people", "text", "Accessibility needs: Hearing loop",
		"code", "coding", "system", FHIR_SNOMED, "code", FHIR_SP_CODE);
	char *s;

	assert_non_null(sr);
	if (consent) {
		json_object_set_new(sr, "extension", json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]",
			"url", BASE FHIR_EXT_CONSENT, "valueCode", "share",
			"url", BASE FHIR_EXT_CONSENT, "valueCode", "contact",
			"url", BASE FHIR_EXT_CONSENT_METHOD, "valueCode", "written"));
	}
	s = json_dumps(sr, JSON_COMPACT);
	json_decref(sr);
	assert_non_null(s);
	return s;
}

static void receive_round_trip(void **state)
{
	struct fx *x = *state;
	char *b = incoming(x->svc_a, true, "R-1001"), loc[128], api_path[128];
	const char *id;
	struct res r, g;

	req(x->t, "POST", "/fhir/ServiceRequest", FHIR_MIME, b, x->tlw, NULL, &r);
	free(b);
	assert_int_equal(r.r.status, 201);
	assert_string_equal(r.r.content_type, FHIR_MIME);
	id = jstr(r.j, "id");
	assert_non_null(id);
	snprintf(loc, sizeof(loc), "/fhir/ServiceRequest/%s", id);
	assert_string_equal(rt_header(&r.r, "Location"), loc);
	assert_string_equal(jstr(r.j, "resourceType"), "ServiceRequest");

	/* Read back: the same resource, with the sender's identifier. */
	get(x, loc, x->tlw, &g);
	assert_int_equal(g.r.status, 200);
	assert_string_equal(sat(g.j, "identifier.1.system"), "https://gp.example/referrals");
	assert_string_equal(sat(g.j, "identifier.1.value"), "R-1001");
	assert_string_equal(sat(g.j, "contained.0.name.0.text"), "Ruth Ann Received");
	assert_string_equal(sat(g.j, "subject.reference"), "#patient");
	assert_true(has_coding(at(g.j, "reasonCode.0"), BASE FHIR_CS_NEED, ref_needs[0].code));
	assert_string_equal(sat(g.j, "note.0.text"), "Would like to meet people");
	assert_string_equal(sat(g.j, "note.1.text"), "Accessibility needs: Hearing loop");
	assert_string_equal(jstr(g.j, "status"), "active");
	/* What came back at once is what a read gives. */
	json_object_del(r.j, "meta");
	json_object_del(g.j, "meta");
	assert_true(json_equal(r.j, g.j));
	res_free(&g);

	/* The same referral through the JSON API: external, the person's
	 * preferences as sent. */
	snprintf(api_path, sizeof(api_path), "/api/v1/referrals/%s", id);
	req(x->t, "GET", api_path, NULL, NULL, x->tlw, NULL, &g);
	assert_int_equal(g.r.status, 200);
	assert_string_equal(jstr(g.j, "source"), "external");
	assert_string_equal(sat(g.j, "person.contact_by"), "phone");
	assert_string_equal(sat(g.j, "person.language"), "en");
	assert_string_equal(sat(g.j, "person.nhs_number"), NHS);
	assert_string_equal(sat(g.j, "person.access_needs"), "Hearing loop");
	res_free(&g);

	/* The receiving organisation was told. */
	assert_int_equal(rt_mail_all(x->t) > 0, 1);

	/* The same person (kith's record of them, as the answer gave it) to
	 * the same place again: 409. */
	{
		char again[1024];
		const json_t *ids;
		const char *client = NULL;
		size_t i;

		json_array_foreach(at(r.j, "contained.0.identifier"), i, ids)
			if (strcmp(jstr(ids, "system"), BASE FHIR_SID_CLIENT) == 0)
				client = jstr(ids, "value");
		assert_non_null(client);
		snprintf(again, sizeof(again), "{\"resourceType\": \"ServiceRequest\", \"status\": "
			 "\"active\", \"intent\": \"order\", \"subject\": {\"identifier\": {\"system\": "
			 "\"" BASE FHIR_SID_CLIENT "\", \"value\": \"%s\"}}, \"performer\": [{\"identifier\": "
			 "{\"system\": \"" BASE "/fhir/sid/service\", \"value\": \"%s\"}}], \"note\": "
			 "[{\"text\": \"Again\"}], \"extension\": [{\"url\": \"" BASE FHIR_EXT_CONSENT "\", "
			 "\"valueCode\": \"share\"}, {\"url\": \"" BASE FHIR_EXT_CONSENT_METHOD "\", "
			 "\"valueCode\": \"verbal\"}]}", client, x->svc_a);
		req(x->t, "POST", "/fhir/ServiceRequest", FHIR_MIME, again, x->tlw, NULL, &g);
		outcome(&g, 409, "conflict", NULL);
		res_free(&g);
		/* Somewhere else, the same person: a referral for the same record. */
		memcpy(strstr(again, x->svc_a), x->svc_b, 36);
		req(x->t, "POST", "/fhir/ServiceRequest", FHIR_MIME, again, x->tlw, NULL, &g);
		assert_int_equal(g.r.status, 201);
		assert_string_equal(sat(g.j, "subject.reference"), "#patient");
		assert_string_equal(sat(g.j, "contained.0.name.0.text"), "Ruth Ann Received");
		res_free(&g);
	}
	res_free(&r);
}

static void receive_refusals(void **state)
{
	struct fx *x = *state;
	char *b;
	struct res r;

	/* No consent to share: 422 saying which extension is missing. */
	b = incoming(x->svc_a, false, "R-2001");
	req(x->t, "POST", "/fhir/ServiceRequest", FHIR_MIME, b, x->tlw, NULL, &r);
	outcome(&r, 422, "invalid", "ServiceRequest.extension");
	assert_non_null(strstr(r.r.body, "consent"));
	res_free(&r);
	/* No credentials: 401; a member: 403. */
	req(x->t, "POST", "/fhir/ServiceRequest", FHIR_MIME, b, NULL, NULL, &r);
	outcome(&r, 401, "login", NULL);
	res_free(&r);
	req(x->t, "POST", "/fhir/ServiceRequest", FHIR_MIME, b, x->tmem, NULL, &r);
	outcome(&r, 403, "forbidden", NULL);
	res_free(&r);
	free(b);
	/* An unknown service: 422 at performer. */
	b = incoming(NOBODY, true, "R-2002");
	req(x->t, "POST", "/fhir/ServiceRequest", "application/json", b, x->tlw, NULL, &r);
	outcome(&r, 422, "invalid", "ServiceRequest.performer");
	res_free(&r);
	free(b);
	/* Not a ServiceRequest: 400; not JSON: 415; broken JSON: 400. */
	req(x->t, "POST", "/fhir/ServiceRequest", FHIR_MIME, "{\"resourceType\": \"Patient\"}", x->tlw, NULL, &r);
	outcome(&r, 400, "structure", NULL);
	res_free(&r);
	req(x->t, "POST", "/fhir/ServiceRequest", "application/fhir+xml", "<ServiceRequest/>", x->tlw, NULL, &r);
	outcome(&r, 415, "not-supported", NULL);
	res_free(&r);
	req(x->t, "POST", "/fhir/ServiceRequest", FHIR_MIME, "{\"resourceType\": ", x->tlw, NULL, &r);
	outcome(&r, 400, "structure", NULL);
	res_free(&r);
	/* Several problems at once, each at its element. */
	req(x->t, "POST", "/fhir/ServiceRequest", FHIR_MIME,
	    "{\"resourceType\": \"ServiceRequest\", \"status\": \"draft\", \"intent\": \"plan\","
	    " \"subject\": {\"reference\": \"Patient/123\"}}", x->tlw, NULL, &r);
	outcome(&r, 422, "invalid", "ServiceRequest.status");
	outcome(&r, 422, "invalid", "ServiceRequest.intent");
	outcome(&r, 422, "invalid", "ServiceRequest.subject.reference");
	outcome(&r, 422, "invalid", "ServiceRequest.performer");
	outcome(&r, 422, "invalid", "ServiceRequest.extension");
	res_free(&r);
	assert_int_equal(rt_audit_n(x->t, "referral.created"), 0);
}

/* ---------------------------------------------------------------- pure functions */

/* The documents parsed, kept until the test ends: n borrows from them. */
static json_t *kept[8];
static size_t nkept;

static enum err parse(const char *doc, struct arena *a, struct ref_new *n, json_t *issues)
{
	json_t *j = json_loads(doc, 0, NULL);

	assert_non_null(j);
	assert_true(nkept < ARRAY_LEN(kept));
	kept[nkept++] = j;
	return fhir_parse_service_request(j, BASE, a, n, issues);
}

static bool issue_at(const json_t *issues, const char *field)
{
	const json_t *i;
	size_t k;

	json_array_foreach(issues, k, i)
		if (strcmp(jstr(i, "field"), field) == 0)
			return true;
	return false;
}

static void parser(void **state)
{
	struct arena a;
	struct ref_new n;
	json_t *issues = json_array();
	char doc[2048];
	const char *svc = "11111111-2222-4333-8444-555555555555";
	const struct ref_code *sn = NULL;

	UNUSED(state);
	arena_init(&a);
	for (size_t i = 0; i < ref_needs_n && !sn; i++)
		if (ref_needs[i].snomed)
			sn = &ref_needs[i];

	/* A logical subject; needs by SNOMED; contact through the referrer. */
	snprintf(doc, sizeof(doc), "{\"resourceType\": \"ServiceRequest\", \"status\": \"active\","
		 " \"intent\": \"order\", \"identifier\": [{\"value\": \"X-9\"}],"
		 " \"subject\": {\"display\": \"Jo Bloggs\", \"identifier\": {\"system\": \"" FHIR_NHS_NUMBER
		 "\", \"value\": \"" NHS "\"}},"
		 " \"performer\": [{\"display\": \"elsewhere\"}, {\"identifier\": {\"system\": \"" BASE
		 "/fhir/sid/service\", \"value\": \"%s\"}}],"
		 " \"reasonCode\": [{\"coding\": [{\"system\": \"" FHIR_SNOMED "\", \"code\": \"%s\"}]}],"
		 " \"extension\": [{\"url\": \"" BASE FHIR_EXT_CONSENT "\", \"valueCode\": \"share\"},"
		 " {\"url\": \"" BASE FHIR_EXT_CONSENT "\", \"valueCode\": \"outcome\"},"
		 " {\"url\": \"" BASE FHIR_EXT_CONSENT_METHOD "\", \"valueCode\": \"verbal\"}]}",
		 svc, sn ? sn->snomed : "0");
	assert_int_equal(parse(doc, &a, &n, issues), sn ? ERR_OK : ERR_INVALID);
	assert_string_equal(n.person.name, "Jo Bloggs");
	assert_string_equal(n.person.nhs_number, NHS);
	assert_string_equal(n.person.contact_by, "link_worker");
	assert_string_equal(n.target_type, "service");
	assert_string_equal(n.target_id, svc);
	assert_string_equal(n.external_id, "X-9");
	assert_string_equal(n.source, "external");
	assert_string_equal(n.consent_method, "verbal");
	assert_true(n.consent_share && n.consent_outcome && !n.consent_contact);
	if (sn) {
		assert_int_equal(n.nneeds, 1);
		assert_string_equal(n.needs[0], sn->code);
	}

	/* Contained Patient: email without rank wins over phone; address
	 * joined; an unknown need, a bad consent code, a foreign performer
	 * system, each an issue at its element. */
	json_array_clear(issues);
	assert_int_equal(parse("{\"resourceType\": \"ServiceRequest\", \"status\": \"active\","
		" \"intent\": \"original-order\", \"contained\": [{\"resourceType\": \"Patient\", \"id\": \"a\","
		" \"name\": [{\"text\": \"Al Text\"}], \"telecom\": [{\"system\": \"phone\", \"value\": \"0161\"},"
		" {\"system\": \"email\", \"value\": \"al@example.org\"}], \"address\": [{\"line\": [\"1 High St\","
		" \"Flat 2\"], \"city\": \"Northtown\", \"postalCode\": \"NT1 1AA\"}],"
		" \"communication\": [{\"language\": {\"coding\": [{\"code\": \"english\"}]}}]}],"
		" \"subject\": {\"reference\": \"#a\"},"
		" \"performer\": [{\"identifier\": {\"system\": \"https://other.example/fhir/sid/service\", \"value\": \"x\"}}],"
		" \"reasonCode\": [{\"coding\": [{\"system\": \"" FHIR_SNOMED "\", \"code\": \"1\"}]}],"
		" \"extension\": [{\"url\": \"" BASE FHIR_EXT_CONSENT "\", \"valueCode\": \"everything\"}]}",
		&a, &n, issues), ERR_INVALID);
	assert_string_equal(n.person.name, "Al Text");
	assert_string_equal(n.person.email, "al@example.org");
	assert_string_equal(n.person.phone, "0161");
	assert_string_equal(n.person.contact_by, "email");
	assert_string_equal(n.person.address, "1 High St, Flat 2, Northtown, NT1 1AA");
	assert_true(issue_at(issues, "ServiceRequest.contained.communication"));
	assert_true(issue_at(issues, "ServiceRequest.performer"));
	assert_true(issue_at(issues, "ServiceRequest.reasonCode[0]"));
	assert_true(issue_at(issues, "ServiceRequest.extension"));
	assert_false(issue_at(issues, "ServiceRequest.intent"));

	/* Not a ServiceRequest at all. */
	json_array_clear(issues);
	assert_int_equal(parse("[]", &a, &n, issues), ERR_BAD_REQUEST);
	assert_int_equal(json_array_size(issues), 1);
	json_array_clear(issues);
	assert_int_equal(parse("{\"resourceType\": \"Task\"}", &a, &n, issues), ERR_BAD_REQUEST);

	/* Wrong types are issues, not crashes. */
	json_array_clear(issues);
	assert_int_equal(parse("{\"resourceType\": \"ServiceRequest\", \"status\": 1, \"intent\": [],"
		" \"subject\": \"#p\", \"performer\": {}, \"reasonCode\": 3, \"note\": [7],"
		" \"extension\": \"share\", \"identifier\": [\"x\"]}", &a, &n, issues), ERR_INVALID);
	assert_true(issue_at(issues, "ServiceRequest.status"));
	assert_true(issue_at(issues, "ServiceRequest.subject"));
	assert_true(issue_at(issues, "ServiceRequest.performer"));
	assert_true(issue_at(issues, "ServiceRequest.reasonCode"));
	assert_true(issue_at(issues, "ServiceRequest.identifier"));

	/* referral_check's names map to FHIRPaths. */
	assert_string_equal(fhir_expression("person.nhs_number"), "ServiceRequest.contained.identifier");
	assert_string_equal(fhir_expression("target.id"), "ServiceRequest.performer");
	assert_string_equal(fhir_expression("consent.share"), "ServiceRequest.extension");
	assert_string_equal(fhir_expression("something.new"), "ServiceRequest");

	for (size_t i = 0; i < json_array_size(issues); i++)
		assert_true(strlen(jstr(json_array_get(issues, i), "detail")) > 10);
	json_decref(issues);
	while (nkept > 0)
		json_decref(kept[--nkept]);
	arena_release(&a);
}

static void status_maps(void **state)
{
	static const char *const task[REF__MAX] = {
		"requested", "accepted", "rejected", "in-progress", "in-progress", "in-progress",
		"completed", "cancelled",
	};
	static const char *const sr[REF__MAX] = {
		"active", "active", "revoked", "active", "active", "active", "completed", "revoked",
	};

	UNUSED(state);
	for (int s = 0; s < REF__MAX; s++) {
		assert_string_equal(fhir_task_status((enum ref_status)s), task[s]);
		assert_string_equal(fhir_request_status((enum ref_status)s), sr[s]);
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(parser),
		cmocka_unit_test(status_maps),
	};
	const struct CMUnitTest tests[] = {
		T(metadata),
		T(service_request_read),
		T(task_read),
		T(receive_round_trip),
		T(receive_refusals),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("fhir mapping", pure, NULL, NULL);
	failed += testdb_run_groups("fhir", tests, ARRAY_LEN(tests));
	return failed ? 1 : 0;
}
