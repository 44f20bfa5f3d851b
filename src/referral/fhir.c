/*
 * fhir.c - referrals as UK Core ServiceRequest and Task resources, the
 * CapabilityStatement, and a received ServiceRequest read into a
 * struct ref_new.
 *
 * Output is built from referral_view()'s object, never from rows: what
 * the view leaves out for this caller (the person's details when consent
 * to share is withdrawn or the caller is not entitled, the reason, the
 * NHS number) cannot appear here because it is not in the input.
 *
 * Input is read strictly where a mistake would lose meaning (an unknown
 * need code, a consent purpose, a target system) and leniently elsewhere
 * (unknown elements are ignored, as FHIR servers do). Every array is
 * bounded (FHIR_LIST_MAX) and every problem names its element with a
 * FHIRPath so the sender can find it.
 */
#include "core/common.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "referral/fhir.h"
#include "view/jstr.h"

#include <strings.h>

#define URN_UUID_SYSTEM "urn:ietf:rfc:3986"
#define BCP47 "urn:ietf:bcp:47"
/* ServiceRequest.category: SNOMED CT 3457005 "Patient referral". */
#define CATEGORY_CODE "3457005"
#define CATEGORY_DISPLAY "Patient referral"
#define ACCESS_PREFIX "Accessibility needs: "

/* ---------------------------------------------------------------- status maps */

const char *fhir_request_status(enum ref_status s)
{
	switch (s) {
	case REF_CLOSED:
		return "completed";
	case REF_DECLINED:
	case REF_WITHDRAWN:
		return "revoked";
	default:
		return "active";
	}
}

const char *fhir_task_status(enum ref_status s)
{
	static const char *const map[REF__MAX] = {
		[REF_SENT] = "requested", [REF_ACCEPTED] = "accepted", [REF_DECLINED] = "rejected",
		[REF_CONTACTED] = "in-progress", [REF_ATTENDED] = "in-progress",
		[REF_SUSTAINED] = "in-progress", [REF_CLOSED] = "completed",
		[REF_WITHDRAWN] = "cancelled",
	};

	return (unsigned)s < REF__MAX ? map[s] : "requested";
}

/* ---------------------------------------------------------------- small helpers */

static json_t *url(const char *base, const char *path)
{
	return json_sprintf("%s%s", base, path);
}

static json_t *coding(json_t *system, const char *code, const char *display)
{
	if (!system)
		return NULL;
	return json_pack("{s:o, s:s, s:s*}", "system", system, "code", code, "display", display);
}

/* Appends v (taken) to the array o[key], making it when absent. */
static void push(json_t *o, const char *key, json_t *v)
{
	json_t *arr = json_object_get(o, key);

	if (!v)
		return;
	if (!arr) {
		arr = json_array();
		if (json_object_set_new(o, key, arr) != 0) {
			json_decref(v);
			return;
		}
	}
	json_array_append_new(arr, v);
}

static const struct ref_code *need_by_code(const char *code)
{
	int i = code ? ref_code_find(ref_needs, ref_needs_n, code) : -1;

	return i >= 0 ? &ref_needs[i] : NULL;
}

static const struct ref_code *need_by_snomed(const char *snomed)
{
	for (size_t i = 0; snomed && i < ref_needs_n; i++)
		if (ref_needs[i].snomed && strcmp(ref_needs[i].snomed, snomed) == 0)
			return &ref_needs[i];
	return NULL;
}

/* ---------------------------------------------------------------- CapabilityStatement */

json_t *fhir_capability(const char *base, const char *version, int64_t now)
{
	char date[32];
	json_t *doc;
	char *how = NULL;

	if (!time_iso8601(now, date, sizeof(date)))
		return NULL;
	if (asprintf(&how,
		     "Receive a referral (create): a ServiceRequest with status active, intent order, "
		     "the person as a contained Patient referenced by subject (name; an NHS number with "
		     "system " FHIR_NHS_NUMBER "; telecom, the one ranked first being how to contact "
		     "them; address; birthDate; communication.language), as a logical reference "
		     "{identifier (NHS number), display}, or as kith's record of someone referred "
		     "before {identifier: {system %s" FHIR_SID_CLIENT ", value}}; the target in "
		     "performer as an identifier with system %s" FHIR_SID "service and the "
		     "service's id as value; needs in reasonCode, coded "
		     "in %s" FHIR_CS_NEED " or SNOMED CT; the person's words in note; and consent as "
		     "extensions %s" FHIR_EXT_CONSENT " (valueCode share, contact or outcome; share "
		     "is required) and %s" FHIR_EXT_CONSENT_METHOD " (valueCode verbal, written or "
		     "online); access needs in a note starting \"" ACCESS_PREFIX "\". The first "
		     "identifier is kept as the sender's reference. Answers 201 with Location, or "
		     "an OperationOutcome naming each element to fix.",
		     base, base, base, base, base) < 0)
		return NULL;
	doc = json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s,"
			" s:{s:s, s:s}, s:{s:s, s:o}, s:s, s:s, s:[s], s:["
			"{s:s, s:s, s:{s:b, s:[{s:s}], s:s},"
			" s:[{s:s, s:s, s:s, s:[{s:s}, {s:s}]}, {s:s, s:s, s:[{s:s}]}]}]}",
			"resourceType", "CapabilityStatement",
			"id", "kith",
			"url", url(base, "/fhir/metadata"),
			"version", version,
			"name", "KithReferrals",
			"title", "kith social prescribing referrals",
			"status", "active",
			"experimental", 0,
			"date", date,
			"publisher", "kith",
			"description", "Referrals to community and peer support services: read a referral "
				"as a UK Core ServiceRequest and its progress as a UK Core Task, and receive "
				"referrals from other systems.",
			"software", "name", "kith", "version", version,
			"implementation", "description", "kith FHIR R4 endpoint",
			"url", url(base, "/fhir"),
			"kind", "instance",
			"fhirVersion", FHIR_VERSION,
			"format", "json",
			"rest",
			"mode", "server",
			"documentation", "Every interaction but this one needs a bearer token "
				"(Authorization: Bearer ...): an API token, or an API session from "
				"POST /api/v1/sessions. A referral the caller may not see is 404.",
			"security", "cors", 0,
			"service", "text", "Bearer",
			"description", "Send Authorization: Bearer <token>. Without it, or with a token "
				"that is not valid, the answer is 401.",
			"resource",
			"type", "ServiceRequest",
			"profile", FHIR_SR_PROFILE,
			"documentation", how,
			"interaction", "code", "read", "code", "create",
			"type", "Task",
			"profile", FHIR_TASK_PROFILE,
			"interaction", "code", "read");
	free(how);
	return doc;
}

/* ---------------------------------------------------------------- resources out */

static json_t *identifier_ref(const char *type, json_t *system, const char *value, const char *display)
{
	if (!system || !value) {
		json_decref(system);
		return NULL;
	}
	return json_pack("{s:s*, s:{s:o, s:s}, s:s*}", "type", type, "identifier",
			 "system", system, "value", value, "display", display);
}

/* The Patient for a person the caller may see (name present). */
static json_t *patient(const json_t *person, const char *base)
{
	const char *contact_by = jstr(person, "contact_by");
	const char *email = jstr(person, "email"), *phone = jstr(person, "phone");
	const char *lang = jstr(person, "language"), *nhs = jstr(person, "nhs_number");
	const char *addr = jstr(person, "address"), *birth = jstr(person, "birth_date");
	json_t *p = json_pack("{s:s, s:s, s:{s:[s]}, s:[{s:o, s:s?}], s:[{s:s}]}",
			      "resourceType", "Patient", "id", "patient",
			      "meta", "profile", FHIR_PATIENT_PROFILE,
			      "identifier", "system", url(base, FHIR_SID_CLIENT), "value", json_string_value(json_object_get(person, "id")),
			      "name", "text", jstr(person, "name"));

	if (!p)
		return NULL;
	if (nhs)
		push(p, "identifier", json_pack("{s:s, s:s}", "system", FHIR_NHS_NUMBER, "value", nhs));
	if (email) {
		json_t *t = json_pack("{s:s, s:s}", "system", "email", "value", email);

		if (t && contact_by && strcmp(contact_by, "email") == 0)
			json_object_set_new(t, "rank", json_integer(1));
		push(p, "telecom", t);
	}
	if (phone) {
		json_t *t = json_pack("{s:s, s:s}", "system", "phone", "value", phone);

		if (t && contact_by && strcmp(contact_by, "phone") == 0)
			json_object_set_new(t, "rank", json_integer(1));
		push(p, "telecom", t);
	}
	if (addr)
		push(p, "address", json_pack("{s:s}", "text", addr));
	if (birth)
		json_object_set_new(p, "birthDate", json_string(birth));
	if (lang)
		push(p, "communication", json_pack("{s:{s:[{s:s, s:s}], s:s*}, s:b}", "language",
			"coding", "system", BCP47, "code", lang, "text", jstr(person, "language_name"),
			"preferred", 1));
	return p;
}

/* The consents standing now, as kith's extensions. */
static void consent_extensions(json_t *sr, const json_t *view, const char *base)
{
	const json_t *c;
	const char *method = NULL;
	size_t i;

	json_array_foreach(json_object_get(view, "consent"), i, c) {
		const char *purpose = jstr(c, "purpose");

		if (!purpose || !json_is_true(json_object_get(c, "given")))
			continue;
		push(sr, "extension", json_pack("{s:o, s:s}", "url", url(base, FHIR_EXT_CONSENT),
						"valueCode", purpose));
		if (strcmp(purpose, "share") == 0)
			method = jstr(c, "method");
	}
	if (method)
		push(sr, "extension", json_pack("{s:o, s:s}", "url", url(base, FHIR_EXT_CONSENT_METHOD),
						"valueCode", method));
}

/* performer / owner: the target, then its organisation. */
static void performers(json_t *sr, const char *key, const json_t *target, const char *base,
		bool with_target)
{
	const char *type = jstr(target, "type"), *id = jstr(target, "id");
	const char *org = jstr(target, "org_id");

	if (with_target && type && id)
		push(sr, key, identifier_ref(strcmp(type, "service") == 0 ? "HealthcareService" : NULL,
					     json_sprintf("%s" FHIR_SID "%s", base, type), id,
					     jstr(target, "name")));
	if (org) {
		json_t *o = identifier_ref("Organization", url(base, FHIR_SID_ORG), org,
					   jstr(target, "org_name"));

		if (with_target)
			push(sr, key, o);
		else
			json_object_set_new(sr, key, o);
	}
}

/* The subject: the contained Patient when the caller may see who it is,
 * else a reference by kith's opaque record id alone. */
static json_t *subject_of(const json_t *person, const char *base, json_t **contained)
{
	*contained = NULL;
	if (jstr(person, "name")) {
		*contained = patient(person, base);
		if (*contained)
			return json_pack("{s:s, s:s}", "reference", "#patient", "type", "Patient");
	}
	return identifier_ref("Patient", url(base, FHIR_SID_CLIENT), jstr(person, "id"), NULL);
}

static json_t *requester_of(const json_t *view, bool contained)
{
	const char *source = jstr(view, "source");
	const json_t *ref = json_object_get(view, "referrer");

	if (source && strcmp(source, "self") == 0 && contained)
		return json_pack("{s:s, s:s}", "reference", "#patient", "type", "Patient");
	if (jstr(ref, "name"))
		return json_pack("{s:s, s:s}", "type", "Practitioner", "display", jstr(ref, "name"));
	return NULL;
}

static bool status_of(const json_t *view, enum ref_status *st)
{
	const char *s = jstr(view, "status");

	return s && ref_status_parse(s, st);
}

json_t *fhir_service_request(const json_t *view, const char *base, const char *external_id)
{
	const char *id = jstr(view, "id"), *sent = jstr(view, "sent_at");
	const char *updated = jstr(view, "updated_at");
	const char *reason = jstr(view, "reason");
	const json_t *person = json_object_get(view, "person"), *n;
	json_t *sr, *contained = NULL, *subject;
	enum ref_status st;
	size_t i;

	if (!id || !sent || !status_of(view, &st))
		return NULL;
	sr = json_pack("{s:s, s:s, s:{s:[s], s:s*}, s:[{s:s, s:o}], s:s, s:s,"
		       " s:[{s:[{s:s, s:s, s:s}]}], s:s, s:{s:[{s:s, s:s, s:s}], s:s}, s:s}",
		       "resourceType", "ServiceRequest", "id", id,
		       "meta", "profile", FHIR_SR_PROFILE, "lastUpdated", updated,
		       "identifier", "system", URN_UUID_SYSTEM, "value", json_sprintf("urn:uuid:%s", id),
		       "status", fhir_request_status(st), "intent", "order",
		       "category", "coding", "system", FHIR_SNOMED, "code", CATEGORY_CODE,
		       "display", CATEGORY_DISPLAY,
		       "priority", "routine",
		       "code", "coding", "system", FHIR_SNOMED, "code", FHIR_SP_CODE,
		       "display", FHIR_SP_DISPLAY, "text", FHIR_SP_DISPLAY,
		       "authoredOn", sent);
	if (!sr)
		return NULL;
	if (external_id && external_id[0]) {
		const char *bar = strchr(external_id, '|');

		push(sr, "identifier", bar
		     ? json_pack("{s:s%, s:s}", "system", external_id, (size_t)(bar - external_id),
				 "value", bar + 1)
		     : json_pack("{s:s}", "value", external_id));
	}
	subject = subject_of(person, base, &contained);
	if (contained)
		push(sr, "contained", contained);
	if (subject)
		json_object_set_new(sr, "subject", subject);
	json_object_set_new(sr, "requester", requester_of(view, contained != NULL));
	if (!json_object_get(sr, "requester"))
		json_object_del(sr, "requester");
	performers(sr, "performer", json_object_get(view, "target"), base, true);
	json_array_foreach(json_object_get(view, "needs"), i, n) {
		const char *code = jstr(n, "code"), *name = jstr(n, "name");
		const struct ref_code *rc = need_by_code(code);
		json_t *cc;

		if (!code)
			continue;
		cc = json_pack("{s:[], s:s*}", "coding", "text", name);
		if (!cc)
			continue;
		if (rc && rc->snomed)
			json_array_append_new(json_object_get(cc, "coding"),
					      coding(json_string(FHIR_SNOMED), rc->snomed, name));
		json_array_append_new(json_object_get(cc, "coding"),
				      coding(url(base, FHIR_CS_NEED), code, name));
		push(sr, "reasonCode", cc);
	}
	if (reason)
		push(sr, "note", json_pack("{s:s}", "text", reason));
	if (jstr(person, "access_needs"))
		push(sr, "note", json_pack("{s:o}", "text", json_sprintf("%s%s", ACCESS_PREFIX,
					   jstr(person, "access_needs"))));
	consent_extensions(sr, view, base);
	return sr;
}

json_t *fhir_task(const json_t *view, const char *base)
{
	const char *id = jstr(view, "id"), *sent = jstr(view, "sent_at");
	const char *updated = jstr(view, "updated_at"), *end = jstr(view, "end_reason");
	const json_t *person = json_object_get(view, "person"), *ev;
	const char *started = NULL, *ended = NULL;
	json_t *task, *who;
	enum ref_status st;
	size_t i;

	if (!id || !sent || !status_of(view, &st))
		return NULL;
	task = json_pack("{s:s, s:s, s:{s:[s], s:s*}, s:[{s:s, s:o}], s:[{s:o}], s:s,"
			 " s:{s:[{s:o, s:s, s:s}], s:s}, s:s, s:s, s:{s:[{s:s, s:s, s:s}]},"
			 " s:{s:o}, s:s, s:s*}",
			 "resourceType", "Task", "id", id,
			 "meta", "profile", FHIR_TASK_PROFILE, "lastUpdated", updated,
			 "identifier", "system", URN_UUID_SYSTEM, "value", json_sprintf("urn:uuid:%s", id),
			 "basedOn", "reference", json_sprintf("ServiceRequest/%s", id),
			 "status", fhir_task_status(st),
			 "businessStatus", "coding", "system", url(base, FHIR_CS_STATUS),
			 "code", ref_status_name(st), "display", ref_status_words(st),
			 "text", ref_status_name(st),
			 "intent", "order", "priority", "routine",
			 "code", "coding", "system", "http://hl7.org/fhir/CodeSystem/task-code",
			 "code", "fulfill", "display", "Fulfill the focal request",
			 "focus", "reference", json_sprintf("ServiceRequest/%s", id),
			 "authoredOn", sent, "lastModified", updated);
	if (!task)
		return NULL;
	who = identifier_ref("Patient", url(base, FHIR_SID_CLIENT), jstr(person, "id"), NULL);
	if (who)
		json_object_set_new(task, "for", who);
	if ((who = requester_of(view, false)) != NULL)
		json_object_set_new(task, "requester", who);
	performers(task, "owner", json_object_get(view, "target"), base, false);
	if (end && (st == REF_DECLINED || st == REF_CLOSED)) {
		const char *words = jstr(view, "end_reason_words");

		json_object_set_new(task, "statusReason", json_pack("{s:[o], s:s*}", "coding",
			coding(url(base, st == REF_DECLINED ? FHIR_CS_DECLINE : FHIR_CS_CLOSE), end, words),
			"text", words ? words : end));
	}
	/* The history: each step this caller may see, as an output naming the
	 * status reached and when. */
	json_array_foreach(json_object_get(view, "events"), i, ev) {
		const char *to = jstr(ev, "to"), *at = jstr(ev, "at");
		enum ref_status ts;

		if (!to || !at || !ref_status_parse(to, &ts))
			continue;
		push(task, "output", json_pack("{s:{s:[o], s:s}, s:s}", "type", "coding",
			coding(url(base, FHIR_CS_STATUS), to, ref_status_words(ts)),
			"text", ref_status_words(ts), "valueDateTime", at));
		if (!started && ts != REF_SENT && ts != REF_DECLINED && ts != REF_WITHDRAWN)
			started = at;
		if (!ref_status_open(ts))
			ended = at;
	}
	if (started || ended)
		json_object_set_new(task, "executionPeriod", json_pack("{s:s*, s:s*}", "start", started,
								       "end", ended));
	return task;
}

/* ---------------------------------------------------------------- a received ServiceRequest */

struct rd {
	const char *base;
	struct arena *a;
	json_t *issues;
	bool nomem;
};

static void issue(struct rd *r, const char *field, const char *detail)
{
	json_t *o = json_pack("{s:s, s:s}", "field", field, "detail", detail);

	if (!o || json_array_append_new(r->issues, o) != 0)
		r->nomem = true;
}

/* A string member: NULL when absent; when present but not a non-empty
 * string without NULs, an issue and NULL. */
static const char *str_at(struct rd *r, const json_t *o, const char *key, const char *path)
{
	const json_t *v = json_object_get(o, key);
	const char *s;

	if (!v)
		return NULL;
	s = json_string_value(v);
	if (!s || strlen(s) != json_string_length(v)) {
		issue(r, path, "Give this element as a string.");
		return NULL;
	}
	return s[0] ? s : NULL;
}

/* An array member, bounded: NULL when absent or wrong (an issue). */
static const json_t *arr_at(struct rd *r, const json_t *o, const char *key, const char *path)
{
	const json_t *v = json_object_get(o, key);

	if (!v)
		return NULL;
	if (!json_is_array(v)) {
		issue(r, path, "Give this element as an array.");
		return NULL;
	}
	if (json_array_size(v) > FHIR_LIST_MAX) {
		issue(r, path, "This array is too long: send 32 items at most.");
		return NULL;
	}
	return v;
}

static bool streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static bool eq_url(const char *s, const char *base, const char *path)
{
	size_t n = strlen(base);

	return s && strncmp(s, base, n) == 0 && strcmp(s + n, path) == 0;
}

static const char *join(struct rd *r, const char *a, const char *sep, const char *b)
{
	char *s;

	if (!a)
		return b;
	if (!b)
		return a;
	s = arena_printf(r->a, "%s%s%s", a, sep, b);
	if (!s)
		r->nomem = true;
	return s;
}

/* Patient.name[0]: text, else the given names and the family name. */
static const char *patient_name(struct rd *r, const json_t *p, const char *path)
{
	const json_t *names = arr_at(r, p, "name", path), *n, *g;
	const char *text, *out = NULL;
	size_t i;

	n = json_array_get(names, 0);
	if (!n)
		return NULL;
	if (!json_is_object(n)) {
		issue(r, path, "Give each name as a HumanName object.");
		return NULL;
	}
	if ((text = str_at(r, n, "text", path)) != NULL)
		return text;
	json_array_foreach(arr_at(r, n, "given", path), i, g) {
		const char *s = json_string_value(g);

		if (!s || strlen(s) != json_string_length(g)) {
			issue(r, path, "Give each given name as a string.");
			return NULL;
		}
		if (s[0])
			out = join(r, out, " ", s);
	}
	return join(r, out, " ", str_at(r, n, "family", path));
}

/* Patient.address[0]: text, else its lines, city, district and postcode. */
static const char *patient_address(struct rd *r, const json_t *p, const char *path)
{
	const json_t *ad = json_array_get(arr_at(r, p, "address", path), 0), *l;
	const char *text, *out = NULL;
	size_t i;

	if (!ad)
		return NULL;
	if (!json_is_object(ad)) {
		issue(r, path, "Give each address as an Address object.");
		return NULL;
	}
	if ((text = str_at(r, ad, "text", path)) != NULL)
		return text;
	json_array_foreach(arr_at(r, ad, "line", path), i, l) {
		const char *s = json_string_value(l);

		if (!s || strlen(s) != json_string_length(l)) {
			issue(r, path, "Give each address line as a string.");
			return NULL;
		}
		if (s[0])
			out = join(r, out, ", ", s);
	}
	out = join(r, out, ", ", str_at(r, ad, "city", path));
	out = join(r, out, ", ", str_at(r, ad, "district", path));
	return join(r, out, ", ", str_at(r, ad, "postalCode", path));
}

/* identifier[] with the NHS number system. */
static const char *nhs_of(struct rd *r, const json_t *ids, const char *path)
{
	const json_t *id;
	size_t i;

	json_array_foreach(ids, i, id) {
		if (!json_is_object(id)) {
			issue(r, path, "Give each identifier as an Identifier object.");
			return NULL;
		}
		if (streq(str_at(r, id, "system", path), FHIR_NHS_NUMBER))
			return str_at(r, id, "value", path);
	}
	return NULL;
}

static bool ascii_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Patient.communication[0].language: an ISO 639-1 code ("en", "en-GB"
 * -> "en"), lowercased. */
static const char *patient_language(struct rd *r, const json_t *p, const char *path)
{
	const json_t *c = json_array_get(arr_at(r, p, "communication", path), 0), *cd;
	const char *code = NULL;
	size_t i;
	char *out;

	if (!c)
		return NULL;
	json_array_foreach(json_object_get(json_object_get(c, "language"), "coding"), i, cd) {
		if ((code = json_string_value(json_object_get(cd, "code"))) != NULL)
			break;
	}
	if (!code)
		return NULL;
	if (strlen(code) < 2 || !ascii_letter(code[0]) || !ascii_letter(code[1]) ||
	    (code[2] != '\0' && code[2] != '-')) {
		issue(r, path, "Give the language as a two-letter code such as \"en\" or \"pl\".");
		return NULL;
	}
	if (!(out = arena_strndup(r->a, code, 2))) {
		r->nomem = true;
		return NULL;
	}
	str_lower_ascii(out, 2);
	return out;
}

static void read_patient(struct rd *r, const json_t *p, struct ref_person *out)
{
	const json_t *t;
	const char *ranked = NULL;
	int64_t best = INT64_MAX;
	size_t i;

	out->name = patient_name(r, p, "ServiceRequest.contained.name");
	out->nhs_number = nhs_of(r, arr_at(r, p, "identifier", "ServiceRequest.contained.identifier"),
				 "ServiceRequest.contained.identifier");
	json_array_foreach(arr_at(r, p, "telecom", "ServiceRequest.contained.telecom"), i, t) {
		const char *sys, *val;
		const json_t *rank;

		if (!json_is_object(t)) {
			issue(r, "ServiceRequest.contained.telecom", "Give each telecom as a ContactPoint object.");
			return;
		}
		sys = str_at(r, t, "system", "ServiceRequest.contained.telecom");
		val = str_at(r, t, "value", "ServiceRequest.contained.telecom");
		if (!sys || !val)
			continue;
		if (strcmp(sys, "email") == 0 && !out->email)
			out->email = val;
		else if ((strcmp(sys, "phone") == 0 || strcmp(sys, "sms") == 0) && !out->phone)
			out->phone = val;
		else
			continue;
		rank = json_object_get(t, "rank");
		if (json_is_integer(rank) && json_integer_value(rank) > 0 && json_integer_value(rank) < best) {
			best = json_integer_value(rank);
			ranked = strcmp(sys, "email") == 0 ? "email" : "phone";
		}
	}
	out->address = patient_address(r, p, "ServiceRequest.contained.address");
	out->birth_date = str_at(r, p, "birthDate", "ServiceRequest.contained.birthDate");
	out->language = patient_language(r, p, "ServiceRequest.contained.communication");
	out->contact_by = ranked ? ranked : out->email ? "email" : out->phone ? "phone"
			: out->address ? "post" : "link_worker";
}

static void read_subject(struct rd *r, const json_t *doc, struct ref_new *n)
{
	struct ref_person *out = &n->person;
	const json_t *subj = json_object_get(doc, "subject"), *c;
	const char *ref;
	size_t i;

	if (!subj) {
		issue(r, "ServiceRequest.subject", "Say who is referred: a subject referencing a "
		      "contained Patient (\"#id\") or with an identifier and a display name.");
		return;
	}
	if (!json_is_object(subj)) {
		issue(r, "ServiceRequest.subject", "Give the subject as a Reference object.");
		return;
	}
	ref = str_at(r, subj, "reference", "ServiceRequest.subject.reference");
	if (ref) {
		if (ref[0] != '#') {
			issue(r, "ServiceRequest.subject.reference", "kith cannot fetch other servers' "
			      "records: send the Patient as a contained resource and reference it as "
			      "\"#id\".");
			return;
		}
		json_array_foreach(arr_at(r, doc, "contained", "ServiceRequest.contained"), i, c) {
			const char *id = json_string_value(json_object_get(c, "id"));

			if (id && strcmp(id, ref + 1) == 0 &&
			    json_is_string(json_object_get(c, "resourceType")) &&
			    strcmp(json_string_value(json_object_get(c, "resourceType")), "Patient") == 0) {
				read_patient(r, c, out);
				return;
			}
		}
		issue(r, "ServiceRequest.subject.reference", "No contained Patient has that id: "
		      "add the Patient to contained with the id the reference names.");
		return;
	}
	/* A logical reference: kith's own record of the person (from an
	 * earlier answer), or the name as display and the NHS number as
	 * identifier, contact going through the referrer. */
	if ((c = json_object_get(subj, "identifier")) != NULL) {
		const char *sys;

		if (!json_is_object(c)) {
			issue(r, "ServiceRequest.subject.identifier", "Give the identifier as an Identifier object.");
			return;
		}
		sys = str_at(r, c, "system", "ServiceRequest.subject.identifier.system");
		if (eq_url(sys, r->base, FHIR_SID_CLIENT)) {
			n->client_id = str_at(r, c, "value", "ServiceRequest.subject.identifier.value");
			if (!n->client_id)
				issue(r, "ServiceRequest.subject.identifier.value", "Give the id of the "
				      "person's record.");
			return;
		}
		if (streq(sys, FHIR_NHS_NUMBER))
			out->nhs_number = str_at(r, c, "value", "ServiceRequest.subject.identifier.value");
	}
	out->name = str_at(r, subj, "display", "ServiceRequest.subject.display");
	out->contact_by = "link_worker";
}

/* performer[]: the first with an identifier in one of kith's target
 * systems. */
static void read_performer(struct rd *r, const json_t *doc, struct ref_new *out)
{
	const json_t *p;
	size_t i, n = strlen(r->base) + strlen(FHIR_SID);
	char want[1024];

	if ((size_t)snprintf(want, sizeof(want), "%s" FHIR_SID, r->base) >= sizeof(want))
		want[0] = '\0';
	json_array_foreach(arr_at(r, doc, "performer", "ServiceRequest.performer"), i, p) {
		const json_t *id = json_object_get(p, "identifier");
		const char *sys = json_string_value(json_object_get(id, "system"));
		const char *val = json_string_value(json_object_get(id, "value"));
		enum ref_target t;

		if (!sys || !val || !want[0] || strncmp(sys, want, n) != 0 || !ref_target_parse(sys + n, &t))
			continue;
		if (strlen(val) != json_string_length(json_object_get(id, "value"))) {
			issue(r, "ServiceRequest.performer.identifier.value", "Give the id as a string.");
			return;
		}
		out->target_type = ref_target_name(t);
		out->target_id = val;
		return;
	}
	issue(r, "ServiceRequest.performer", "Say where the person is referred: a performer "
	      "with identifier {\"system\": \"<this site>" FHIR_SID "service\", \"value\": "
	      "\"<the service's id>\"} (GET /fhir/metadata shows the exact system).");
}

static void read_needs(struct rd *r, const json_t *doc, struct ref_new *out)
{
	const json_t *arr = arr_at(r, doc, "reasonCode", "ServiceRequest.reasonCode"), *cc, *cd;
	size_t i, j, n = 0;
	const char **needs;

	if (!arr || json_array_size(arr) == 0)
		return;
	needs = arena_calloc(r->a, json_array_size(arr), sizeof(*needs));
	if (!needs) {
		r->nomem = true;
		return;
	}
	json_array_foreach(arr, i, cc) {
		const struct ref_code *found = NULL;

		json_array_foreach(json_object_get(cc, "coding"), j, cd) {
			const char *sys = json_string_value(json_object_get(cd, "system"));
			const char *code = json_string_value(json_object_get(cd, "code"));

			if (!sys || !code)
				continue;
			if (strcmp(sys, FHIR_SNOMED) == 0)
				found = need_by_snomed(code);
			else if (eq_url(sys, r->base, FHIR_CS_NEED))
				found = need_by_code(code);
			if (found)
				break;
		}
		if (!found) {
			char *path = arena_printf(r->a, "ServiceRequest.reasonCode[%zu]", i);

			issue(r, path ? path : "ServiceRequest.reasonCode", "kith does not know this need. "
			      "Code it in the need code system (GET /fhir/metadata names it) or with "
			      "one of its SNOMED CT codes, or put it in words in a note.");
			continue;
		}
		needs[n++] = found->code;
	}
	out->needs = needs;
	out->nneeds = n;
}

/* note[]: the person's words (joined by blank lines), and access needs
 * in a note of their own starting "Accessibility needs: ". */
static void read_notes(struct rd *r, const json_t *doc, struct ref_new *out)
{
	const json_t *nt;
	size_t i;

	json_array_foreach(arr_at(r, doc, "note", "ServiceRequest.note"), i, nt) {
		const char *s = str_at(r, nt, "text", "ServiceRequest.note.text");

		if (!s)
			continue;
		if (strncmp(s, ACCESS_PREFIX, strlen(ACCESS_PREFIX)) == 0) {
			out->person.access_needs = join(r, out->person.access_needs, "\n",
							s + strlen(ACCESS_PREFIX));
			continue;
		}
		out->reason = join(r, out->reason, "\n\n", s);
	}
}

static void read_consent(struct rd *r, const json_t *doc, struct ref_new *out)
{
	const json_t *ext;
	size_t i;

	json_array_foreach(arr_at(r, doc, "extension", "ServiceRequest.extension"), i, ext) {
		const char *u = json_string_value(json_object_get(ext, "url"));
		const char *code = json_string_value(json_object_get(ext, "valueCode"));
		enum consent_purpose p;
		enum consent_method m;

		if (eq_url(u, r->base, FHIR_EXT_CONSENT)) {
			if (!code || !consent_purpose_parse(code, &p)) {
				issue(r, "ServiceRequest.extension", "The consent extension's valueCode "
				      "must be share, contact or outcome.");
				continue;
			}
			if (p == CONSENT_SHARE)
				out->consent_share = true;
			else if (p == CONSENT_CONTACT)
				out->consent_contact = true;
			else
				out->consent_outcome = true;
		} else if (eq_url(u, r->base, FHIR_EXT_CONSENT_METHOD)) {
			if (!code || !consent_method_parse(code, &m)) {
				issue(r, "ServiceRequest.extension", "The consent-method extension's "
				      "valueCode must be verbal, written or online.");
				continue;
			}
			out->consent_method = consent_method_name(m);
		}
	}
	if (!out->consent_share)
		issue(r, "ServiceRequest.extension", "The person's consent to share their details "
		      "with the service is missing. Record it with an extension {\"url\": \"<this "
		      "site>" FHIR_EXT_CONSENT "\", \"valueCode\": \"share\"} (GET /fhir/metadata "
		      "shows the exact url); without it kith cannot take the referral.");
	else if (!out->consent_method)
		issue(r, "ServiceRequest.extension", "Say how consent was given: an extension "
		      "{\"url\": \"<this site>" FHIR_EXT_CONSENT_METHOD "\", \"valueCode\": "
		      "\"verbal\", \"written\" or \"online\"}.");
}

static void read_identifier(struct rd *r, const json_t *doc, struct ref_new *out)
{
	const json_t *id = json_array_get(arr_at(r, doc, "identifier", "ServiceRequest.identifier"), 0);
	const char *sys, *val;

	if (!id)
		return;
	if (!json_is_object(id)) {
		issue(r, "ServiceRequest.identifier", "Give each identifier as an Identifier object.");
		return;
	}
	sys = str_at(r, id, "system", "ServiceRequest.identifier.system");
	val = str_at(r, id, "value", "ServiceRequest.identifier.value");
	if (!val)
		return;
	if (strchr(val, '|') || (sys && strchr(sys, '|')) ||
	    strlen(val) + (sys ? strlen(sys) + 1 : 0) > FHIR_EXTERNAL_ID_MAX) {
		issue(r, "ServiceRequest.identifier", "The identifier is too long or holds a \"|\": "
		      "send a system and value of 200 characters or fewer together.");
		return;
	}
	out->external_id = sys ? join(r, sys, "|", val) : val;
}

enum err fhir_parse_service_request(const json_t *doc, const char *base, struct arena *a,
		struct ref_new *out, json_t *issues)
{
	struct rd r = { .base = base, .a = a, .issues = issues };
	size_t before = json_array_size(issues);
	const char *rt = jstr(doc, "resourceType"), *s;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(doc) || !rt || strcmp(rt, "ServiceRequest") != 0) {
		issue(&r, "ServiceRequest", "Send a FHIR ServiceRequest resource: a JSON object with "
		      "\"resourceType\": \"ServiceRequest\".");
		return r.nomem ? ERR_NOMEM : ERR_BAD_REQUEST;
	}
	out->source = ref_source_name(REF_SRC_EXTERNAL);
	s = str_at(&r, doc, "status", "ServiceRequest.status");
	if (!s || strcmp(s, "active") != 0)
		issue(&r, "ServiceRequest.status", "Send status \"active\": kith takes referrals that "
		      "are ready to act on.");
	s = str_at(&r, doc, "intent", "ServiceRequest.intent");
	if (!s || (strcmp(s, "order") != 0 && strcmp(s, "original-order") != 0))
		issue(&r, "ServiceRequest.intent", "Send intent \"order\".");
	read_identifier(&r, doc, out);
	read_subject(&r, doc, out);
	read_performer(&r, doc, out);
	read_needs(&r, doc, out);
	read_notes(&r, doc, out);
	read_consent(&r, doc, out);
	if (r.nomem)
		return ERR_NOMEM;
	return json_array_size(issues) > before ? ERR_INVALID : ERR_OK;
}

/* ---------------------------------------------------------------- field names */

static const struct {
	const char *field, *path;
} paths[] = {
	{ "person.name", "ServiceRequest.contained.name" },
	{ "person.email", "ServiceRequest.contained.telecom" },
	{ "person.phone", "ServiceRequest.contained.telecom" },
	{ "person.address", "ServiceRequest.contained.address" },
	{ "person.contact_by", "ServiceRequest.contained.telecom" },
	{ "person.access_needs", "ServiceRequest.note" },
	{ "person.language", "ServiceRequest.contained.communication" },
	{ "person.birth_date", "ServiceRequest.contained.birthDate" },
	{ "person.nhs_number", "ServiceRequest.contained.identifier" },
	{ "consent.share", "ServiceRequest.extension" },
	{ "consent.method", "ServiceRequest.extension" },
	{ "target.type", "ServiceRequest.performer" },
	{ "target.id", "ServiceRequest.performer" },
	{ "reason", "ServiceRequest.note" },
	{ "needs", "ServiceRequest.reasonCode" },
	{ "source", "ServiceRequest" },
	{ "client_id", "ServiceRequest.subject" },
};

const char *fhir_expression(const char *field)
{
	for (size_t i = 0; field && i < ARRAY_LEN(paths); i++)
		if (strcmp(paths[i].field, field) == 0)
			return paths[i].path;
	return "ServiceRequest";
}
