/*
 * test_oruk_api.c - the Open Referral UK 3.0 API (/api/oruk) through the
 * dispatcher, on SQLite and (with KITH_TEST_PG_URL) PostgreSQL: every
 * endpoint, every parameter and its 400 when bad, 404 for ids nobody
 * publishes (drafts included), the paging envelope's arithmetic, ndjson,
 * minimal and full forms, CORS on answers and errors, and that nothing
 * about people (a contact's name, the assurer's email) ever leaves.
 * Five services in three organisations are saved in setup: four
 * published (two in Scunthorpe and Brigg, one online only, one in
 * London) and one draft.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/timeutil.h"
#include "directory/directory.h"
#include "directory/vocab.h"
#include "oruk/import.h"
#include "store/store.h"
#include "support/reqtest.h"

#define ORG_A "a0000000-0000-4000-8000-00000000000a"
#define ORG_B "b0000000-0000-4000-8000-00000000000b"
#define ORG_C "c0000000-0000-4000-8000-00000000000c"
#define S1 "10000000-0000-4000-8000-000000000001"
#define S2 "20000000-0000-4000-8000-000000000002"
#define S3 "30000000-0000-4000-8000-000000000003"
#define S4 "40000000-0000-4000-8000-000000000004"
#define S5 "50000000-0000-4000-8000-000000000005"
#define SAL1 "11000000-0000-4000-8000-000000000001"
#define TAX_X "7a000000-0000-4000-8000-0000000000aa"
#define TERM_P "7b000000-0000-4000-8000-0000000000bb"
#define TERM_C "7c000000-0000-4000-8000-0000000000cc"
#define UNKNOWN "0f8fad5b-d9cb-469f-a165-70867728950e"
#define FEED "tests/data/oruk-feeds/north-lincolnshire-2024-12.json"

/* Replaces @CAT@ and @COND@ with kith's first category and condition. */
static void fill(const char *in, char *out, size_t n)
{
	size_t o = 0;

	while (*in && o + 40 < n) {
		if (strncmp(in, "@CAT@", 5) == 0) {
			o += (size_t)snprintf(out + o, n - o, "%s", vocab_categories[0].id);
			in += 5;
		} else if (strncmp(in, "@COND@", 6) == 0) {
			o += (size_t)snprintf(out + o, n - o, "%s", vocab_conditions[0].id);
			in += 6;
		} else {
			out[o++] = *in++;
		}
	}
	out[o] = '\0';
}

static void save(struct rt *t, const char *tmpl, enum svc_state state)
{
	char text[8192];
	json_error_t je;
	json_t *doc, *fields = NULL;
	struct save_report rep;
	struct save_opts o = { .source = SRC_IMPORT, .state = state, .now = time_now() };
	enum err e;

	fill(tmpl, text, sizeof(text));
	doc = json_loads(text, 0, &je);
	if (!doc)
		fail_msg("bad fixture: %s: %s", je.text, text);
	assert_int_equal(db_begin(rt_db(t)), ERR_OK);
	e = directory_save(rt_db(t), doc, &o, &rep, &fields);
	if (e)
		fail_msg("save: %s %s", err_name(e), fields ? json_dumps(fields, 0) : "");
	assert_int_equal(db_commit(rt_db(t)), ERR_OK);
	json_decref(doc);
}

#define ORG_A_JSON "\"organization\":{\"id\":\"" ORG_A "\",\"name\":\"Walkers Trust\",\"description\":\"Walks.\"," \
	"\"organization_identifiers\":[{\"identifier_scheme\":\"GB-CHC\",\"identifier\":\"1234567\"}]}"
#define ORG_B_JSON "\"organization\":{\"id\":\"" ORG_B "\",\"name\":\"Breathe North\"}"

static int setup(void **state)
{
	static const char *const settings[] = { "rate_limit=0", "dev_mode=true",
						"base_url=https://kith.example.org", NULL };
	struct rt *t;

	if (rt_setup_with(state, settings))
		return -1;
	t = *state;
	save(t, "{\"id\":\"" S1 "\",\"name\":\"Tuesday Walk\",\"description\":\"A gentle walk.\",\"status\":\"active\","
	     "\"assurer_email\":\"jane.checker@example.org\",\"email\":\"walks@example.org\"," ORG_A_JSON ","
	     "\"contacts\":[{\"name\":\"Ann Persona\",\"title\":\"Walk leader\",\"email\":\"ann@example.org\","
	     "\"phones\":[{\"number\":\"01724 000001\"}]}],"
	     "\"schedules\":[{\"freq\":\"WEEKLY\",\"byday\":\"TU\",\"opens_at\":\"10:00\"}],"
	     "\"service_at_locations\":[{\"id\":\"" SAL1 "\",\"location\":{\"name\":\"Church Hall\","
	     "\"addresses\":[{\"address_1\":\"1 High St\",\"city\":\"Scunthorpe\",\"postal_code\":\"DN15 6XX\"}]}}],"
	     "\"attributes\":[{\"taxonomy_term_id\":\"@CAT@\"},{\"taxonomy_term_id\":\"@COND@\"}],"
	     "\"cost_options\":[{\"amount\":0}]}", SVC_PUBLISHED);
	save(t, "{\"id\":\"" S2 "\",\"name\":\"Lunch Club\",\"last_modified\":\"2024-01-01T00:00:00Z\"," ORG_A_JSON ","
	     "\"service_at_locations\":[{\"location\":{\"name\":\"Village Hall\",\"addresses\":[{\"address_1\":"
	     "\"2 Main Rd\",\"city\":\"Brigg\",\"postal_code\":\"DN20 8AA\"}]}}],"
	     "\"attributes\":[{\"taxonomy_term_id\":\"@COND@\"}]}", SVC_PUBLISHED);
	save(t, "{\"id\":\"" S3 "\",\"name\":\"Breathe Easy Online\"," ORG_B_JSON ","
	     "\"service_at_locations\":[{\"location\":{\"location_type\":\"virtual\",\"name\":\"Zoom\"}}],"
	     "\"attributes\":[{\"taxonomy_term\":{\"id\":\"" TERM_P "\",\"name\":\"Lungs\",\"taxonomy\":\"Council terms\","
	     "\"taxonomy_id\":\"" TAX_X "\"}}]}", SVC_PUBLISHED);
	save(t, "{\"id\":\"" S4 "\",\"name\":\"Singing for the Brain\"," ORG_B_JSON ","
	     "\"service_at_locations\":[{\"location\":{\"name\":\"Westminster Hall\",\"addresses\":[{\"address_1\":"
	     "\"Parliament Sq\",\"city\":\"London\",\"postal_code\":\"SW1A 1AA\"}]}}],"
	     "\"attributes\":[{\"taxonomy_term\":{\"id\":\"" TERM_C "\",\"name\":\"Singing\",\"parent_id\":\"" TERM_P "\","
	     "\"taxonomy\":\"Council terms\",\"taxonomy_id\":\"" TAX_X "\"}}]}", SVC_PUBLISHED);
	save(t, "{\"id\":\"" S5 "\",\"name\":\"Draft Walk\",\"organization\":{\"id\":\"" ORG_C "\",\"name\":\"Drafts Ltd\"}"
	     "}", SVC_DRAFT);
	assert_int_equal(directory_apply_changes(t->app.directory, rt_db(t)), ERR_OK);
	return 0;
}

/* ---------------------------------------------------------------- helpers */

/* GETs target, checks the status and CORS, and parses the body (JSON, or
 * for ndjson an array of its lines). */
static json_t *get(struct rt *t, const char *target, int want)
{
	struct rt_resp r;
	json_t *j;

	rt_get(t, target, &r);
	if (r.status != want)
		fail_msg("GET %s: %d, wanted %d: %s", target, r.status, want, r.body);
	assert_string_equal(rt_header(&r, "Access-Control-Allow-Origin"), "*");
	if (strstr(r.content_type, "x-ndjson")) {
		j = json_array();
		for (char *p = r.body; *p;) {
			size_t n = strcspn(p, "\n");

			json_array_append_new(j, json_loadb(p, n, 0, NULL));
			assert_int_equal(p[n], '\n');
			p += n + 1;
		}
	} else {
		j = json_loads(r.body, 0, NULL);
		assert_non_null(j);
		if (want >= 400) {
			assert_string_equal(r.content_type, "application/problem+json");
		} else {
			assert_string_equal(r.content_type, "application/json");
			assert_null(strstr(r.body, ":null"));
			assert_null(strstr(r.body, ":\"\""));
		}
	}
	rt_resp_free(&r);
	return j;
}

static int64_t ji(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *js(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static bool jb(const json_t *o, const char *k)
{
	return json_is_true(json_object_get(o, k));
}

/* The ids in a list's contents, joined: "S1,S2". */
static char *ids_of(const json_t *list)
{
	static char buf[4096];
	json_t *c = json_is_array(list) ? (json_t *)list : json_object_get(list, "contents"), *it;
	size_t i, n = 0;

	buf[0] = '\0';
	json_array_foreach(c, i, it)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? "," : "", js(it, "id"));
	return buf;
}

static void bad(struct rt *t, const char *target, const char *detail)
{
	json_t *j = get(t, target, 400);

	if (!strstr(js(j, "detail"), detail))
		fail_msg("%s: detail \"%s\" lacks \"%s\"", target, js(j, "detail"), detail);
	assert_int_equal(ji(j, "status"), 400);
	json_decref(j);
}

/* ---------------------------------------------------------------- tests */

static void root_and_openapi(void **state)
{
	struct rt *t = *state;
	json_t *j = get(t, "/api/oruk", 200);

	assert_string_equal(js(j, "version"), "HSDS-UK-3.0");
	assert_string_equal(js(j, "profile"), "https://openreferraluk.org/specifications/3.0/");
	assert_string_equal(js(j, "openapi_url"), "https://kith.example.org/api/oruk/openapi.json");
	json_decref(j);
	j = get(t, "/api/oruk/openapi.json", 200);
	assert_string_equal(js(json_array_get(json_object_get(j, "servers"), 0), "url"),
			    "https://kith.example.org/api/oruk");
	assert_non_null(json_object_get(json_object_get(j, "paths"), "/services"));
	json_decref(j);
}

static void services_paging(void **state)
{
	struct rt *t = *state;
	json_t *j;

	j = get(t, "/api/oruk/services?per_page=3", 200);
	assert_int_equal(ji(j, "total_items"), 4);
	assert_int_equal(ji(j, "total_pages"), 2);
	assert_int_equal(ji(j, "page_number"), 1);
	assert_int_equal(ji(j, "size"), 3);
	assert_true(jb(j, "first_page"));
	assert_false(jb(j, "last_page"));
	assert_false(jb(j, "empty"));
	/* By name when nothing else orders them. */
	assert_string_equal(ids_of(j), S3 "," S2 "," S4);
	json_decref(j);
	j = get(t, "/api/oruk/services?per_page=3&page=2", 200);
	assert_int_equal(ji(j, "size"), 1);
	assert_false(jb(j, "first_page"));
	assert_true(jb(j, "last_page"));
	assert_string_equal(ids_of(j), S1);
	json_decref(j);
	j = get(t, "/api/oruk/services?per_page=3&page=9", 200);
	assert_int_equal(ji(j, "size"), 0);
	assert_true(jb(j, "empty"));
	assert_true(jb(j, "last_page"));
	assert_int_equal(json_array_size(json_object_get(j, "contents")), 0);
	json_decref(j);
	/* The default page is 50. */
	j = get(t, "/api/oruk/services", 200);
	assert_int_equal(ji(j, "total_pages"), 1);
	assert_int_equal(ji(j, "size"), 4);
	json_decref(j);
}

/* The list items carry their organisation: when the organisation's
 * details change (here by saving another of its services), every one of
 * its services lists the new details, not only the one saved. */
static void list_items_follow_their_organisation(void **state)
{
	struct rt *t = *state;
	json_t *j, *c;
	size_t i;
	int seen = 0;

	save(t, "{\"id\":\"" S2 "\",\"name\":\"Lunch Club\",\"last_modified\":\"2024-01-01T00:00:00Z\","
	     "\"organization\":{\"id\":\"" ORG_A "\",\"name\":\"Walkers Trust Renamed\",\"description\":\"Walks.\","
	     "\"organization_identifiers\":[{\"identifier_scheme\":\"GB-CHC\",\"identifier\":\"1234567\"}]},"
	     "\"service_at_locations\":[{\"location\":{\"name\":\"Village Hall\",\"addresses\":[{\"address_1\":"
	     "\"2 Main Rd\",\"city\":\"Brigg\",\"postal_code\":\"DN20 8AA\"}]}}],"
	     "\"attributes\":[{\"taxonomy_term_id\":\"@COND@\"}]}", SVC_PUBLISHED);
	assert_int_equal(directory_apply_changes(t->app.directory, rt_db(t)), ERR_OK);
	j = get(t, "/api/oruk/services?organization_id=" ORG_A, 200);
	json_array_foreach(json_object_get(j, "contents"), i, c) {
		assert_string_equal(js(json_object_get(c, "organization"), "name"), "Walkers Trust Renamed");
		seen++;
	}
	assert_int_equal(seen, 2);       /* S1 too, which was not saved again */
	json_decref(j);
}

static void services_forms(void **state)
{
	struct rt *t = *state;
	json_t *j, *it;
	struct rt_resp r;

	/* The list: one-to-one fields and the organisation. */
	j = get(t, "/api/oruk/services?search=tuesday", 200);
	it = json_array_get(json_object_get(j, "contents"), 0);
	assert_string_equal(js(it, "id"), S1);
	assert_string_equal(js(json_object_get(it, "organization"), "name"), "Walkers Trust");
	assert_null(json_object_get(it, "schedules"));
	assert_null(json_object_get(it, "service_at_locations"));
	json_decref(j);
	/* full: nested. */
	j = get(t, "/api/oruk/services?search=tuesday&full=true", 200);
	it = json_array_get(json_object_get(j, "contents"), 0);
	assert_string_equal(js(json_array_get(json_object_get(it, "schedules"), 0), "byday"), "TU");
	assert_non_null(json_object_get(it, "service_at_locations"));
	assert_non_null(json_object_get(it, "organization"));
	json_decref(j);
	/* minimal: id, name, status and when it changed. */
	j = get(t, "/api/oruk/services?minimal=true&per_page=1000", 200);
	assert_int_equal(ji(j, "size"), 4);
	it = json_array_get(json_object_get(j, "contents"), 1);
	assert_string_equal(js(it, "id"), S2);
	assert_string_equal(js(it, "last_modified"), "2024-01-01T00:00:00Z");
	assert_int_equal(json_object_size(it), 4);
	json_decref(j);
	/* ndjson: one object per line, the total in a header. */
	rt_get(t, "/api/oruk/services?format=ndjson", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "application/x-ndjson");
	assert_string_equal(rt_header(&r, "X-Total-Count"), "4");
	rt_resp_free(&r);
	j = get(t, "/api/oruk/services?format=ndjson&per_page=2&page=2", 200);
	assert_int_equal(json_array_size(j), 2);
	assert_string_equal(ids_of(j), S4 "," S1);
	assert_non_null(json_object_get(json_array_get(j, 0), "organization"));
	json_decref(j);
}

static void services_filters(void **state)
{
	struct rt *t = *state;
	char url[256];
	json_t *j;

	j = get(t, "/api/oruk/services?search=walk", 200);
	assert_string_equal(ids_of(j), S1);            /* the draft walk is not published */
	json_decref(j);
	snprintf(url, sizeof(url), "/api/oruk/services?taxonomy_term_id=%s", vocab_categories[0].id);
	j = get(t, url, 200);
	assert_string_equal(ids_of(j), S1);
	json_decref(j);
	snprintf(url, sizeof(url), "/api/oruk/services?taxonomy_id=%s", vocab_condition_taxonomy_id);
	j = get(t, url, 200);
	assert_string_equal(ids_of(j), S2 "," S1);
	json_decref(j);
	j = get(t, "/api/oruk/services?taxonomy_id=" TAX_X, 200);
	assert_string_equal(ids_of(j), S3 "," S4);
	json_decref(j);
	j = get(t, "/api/oruk/services?taxonomy_term_id=" TERM_C, 200);
	assert_string_equal(ids_of(j), S4);
	json_decref(j);
	j = get(t, "/api/oruk/services?organization_id=" ORG_B, 200);
	assert_string_equal(ids_of(j), S3 "," S4);
	json_decref(j);
	j = get(t, "/api/oruk/services?organization_id=" ORG_C, 200);
	assert_int_equal(ji(j, "total_items"), 0);
	json_decref(j);
	j = get(t, "/api/oruk/services?modified_after=2025-06-01", 200);
	assert_int_equal(ji(j, "total_items"), 3);     /* not the Lunch Club (2024) */
	json_decref(j);
	j = get(t, "/api/oruk/services?modified_after=2024-01-01T00:00:00Z", 200);
	assert_int_equal(ji(j, "total_items"), 4);     /* on or after */
	json_decref(j);
	/* Near a postcode: nearest first; within a distance. */
	j = get(t, "/api/oruk/services?postcode=DN15+6XX", 200);
	assert_true(strncmp(ids_of(j), S1 "," S2, strlen(S1 "," S2)) == 0);
	json_decref(j);
	j = get(t, "/api/oruk/services?postcode=dn156xx&proximity=5000", 200);
	assert_string_equal(ids_of(j), S1);
	json_decref(j);
	j = get(t, "/api/oruk/services?postcode=DN15%206XX&proximity=40000", 200);
	assert_string_equal(ids_of(j), S1 "," S2);
	json_decref(j);
}

static void bad_parameters(void **state)
{
	struct rt *t = *state;

	bad(t, "/api/oruk/services?per_page=0", "The per_page parameter must be a whole number from 1 to 100");
	bad(t, "/api/oruk/services?per_page=101", "The per_page parameter must be a whole number from 1 to 100");
	bad(t, "/api/oruk/services?per_page=ten", "per_page");
	bad(t, "/api/oruk/services?format=ndjson&per_page=1001", "The per_page parameter must be a whole number from 1 to 1000");
	bad(t, "/api/oruk/services?page=0", "The page parameter must be a whole number");
	bad(t, "/api/oruk/services?page=-2", "The page parameter must be a whole number");
	bad(t, "/api/oruk/services?format=xml", "The format parameter must be json or ndjson");
	bad(t, "/api/oruk/services?minimal=maybe", "The minimal parameter must be true or false");
	bad(t, "/api/oruk/services?full=2", "The full parameter must be true or false");
	bad(t, "/api/oruk/services?taxonomy_term_id=walking", "The taxonomy_term_id parameter must be a UUID");
	bad(t, "/api/oruk/services?taxonomy_id=1", "The taxonomy_id parameter must be a UUID");
	bad(t, "/api/oruk/services?organization_id=x", "The organization_id parameter must be a UUID");
	bad(t, "/api/oruk/services?modified_after=yesterday", "The modified_after parameter must be a date");
	bad(t, "/api/oruk/services?postcode=XYZ", "postcode");
	bad(t, "/api/oruk/services?postcode=ZZ99+9ZZ", "ZZ99 9ZZ");
	bad(t, "/api/oruk/services?proximity=500", "The proximity parameter needs a postcode");
	bad(t, "/api/oruk/services?postcode=DN15+6XX&proximity=far", "The proximity parameter must be a distance in metres");
	bad(t, "/api/oruk/service_at_locations?per_page=500", "per_page");
	bad(t, "/api/oruk/service_at_locations?postcode=nowhere", "postcode");
	bad(t, "/api/oruk/organizations?full_service=yes", "The full_service parameter must be true or false");
	bad(t, "/api/oruk/organizations/" ORG_A "?full_service=yes", "The full_service parameter must be true or false");
	bad(t, "/api/oruk/taxonomies?page=x", "page");
	bad(t, "/api/oruk/taxonomy_terms?top_only=1x", "The top_only parameter must be true or false");
	bad(t, "/api/oruk/taxonomy_terms?parent_id=x", "The parent_id parameter must be a UUID");
	bad(t, "/api/oruk/taxonomy_terms?taxonomy_id=x", "The taxonomy_id parameter must be a UUID");
	bad(t, "/api/oruk/services?page=1000001", "The page parameter must be a whole number from 1 to 1000000.");
}

/* The rule of every API (web/api.h), with ORUK's own: empty is absent, a
 * refusal names its parameter in errors too, and a parameter ORUK does
 * not list is ignored rather than refused. */
static void parameters_like_every_api(void **state)
{
	struct rt *t = *state;
	json_t *j = get(t, "/api/oruk/services?page=&per_page=&search=&format=&minimal=&taxonomy_id=", 200);

	assert_int_equal(ji(j, "page_number"), 1);
	json_decref(j);
	j = get(t, "/api/oruk/taxonomies?per_page=", 200);
	json_decref(j);
	j = get(t, "/api/oruk/services?colour=blue&per-page=2", 200);
	json_decref(j);
	j = get(t, "/api/oruk/services?page=0", 400);
	assert_string_equal(js(json_array_get(json_object_get(j, "errors"), 0), "field"), "page");
	json_decref(j);
}

static void service_by_id(void **state)
{
	struct rt *t = *state;
	struct rt_resp r;
	json_t *j = get(t, "/api/oruk/services/" S1, 200);

	assert_string_equal(js(j, "name"), "Tuesday Walk");
	assert_string_equal(js(json_object_get(j, "organization"), "id"), ORG_A);
	assert_string_equal(js(j, "organization_id"), ORG_A);
	assert_non_null(json_object_get(j, "schedules"));
	assert_string_equal(js(j, "email"), "walks@example.org");
	json_decref(j);
	/* Nothing about people: not the assurer, not a contact's name. */
	rt_get(t, "/api/oruk/services/" S1, &r);
	assert_null(strstr(r.body, "jane.checker"));
	assert_null(strstr(r.body, "Ann Persona"));
	assert_null(strstr(r.body, "ann@example.org"));
	assert_non_null(strstr(r.body, "01724 000001"));
	rt_resp_free(&r);
	/* Ids are matched whatever their case. */
	j = get(t, "/api/oruk/taxonomy_terms/7B000000-0000-4000-8000-0000000000BB", 200);
	assert_string_equal(js(j, "id"), TERM_P);
	json_decref(j);
	j = get(t, "/api/oruk/organizations/A0000000-0000-4000-8000-00000000000A", 200);
	json_decref(j);
	j = get(t, "/api/oruk/services/" S5, 404);     /* a draft */
	assert_int_equal(ji(j, "status"), 404);
	json_decref(j);
	j = get(t, "/api/oruk/services/" UNKNOWN, 404);
	json_decref(j);
	rt_get(t, "/api/oruk/services/not-a-uuid", &r);
	assert_int_equal(r.status, 404);
	rt_resp_free(&r);
}

static void service_at_locations(void **state)
{
	struct rt *t = *state;
	json_t *j, *it;

	j = get(t, "/api/oruk/service_at_locations?per_page=2", 200);
	assert_int_equal(ji(j, "total_items"), 4);     /* the draft's place is not public */
	assert_int_equal(ji(j, "total_pages"), 2);
	it = json_array_get(json_object_get(j, "contents"), 0);
	assert_non_null(js(it, "service_id"));
	assert_non_null(js(it, "location_id"));
	assert_null(json_object_get(it, "location"));
	json_decref(j);
	j = get(t, "/api/oruk/service_at_locations?full=true&organization_id=" ORG_A, 200);
	assert_int_equal(ji(j, "total_items"), 2);
	it = json_array_get(json_object_get(j, "contents"), 0);
	assert_non_null(json_object_get(it, "location"));
	assert_string_equal(js(json_object_get(json_object_get(it, "service"), "organization"), "id"), ORG_A);
	json_decref(j);
	j = get(t, "/api/oruk/service_at_locations?postcode=DN15+6XX&proximity=5000", 200);
	assert_string_equal(ids_of(j), SAL1);
	json_decref(j);
	j = get(t, "/api/oruk/service_at_locations?search=singing&format=ndjson", 200);
	assert_int_equal(json_array_size(j), 1);
	assert_string_equal(js(json_array_get(j, 0), "service_id"), S4);
	json_decref(j);
	j = get(t, "/api/oruk/service_at_locations/" SAL1, 200);
	assert_string_equal(js(j, "service_id"), S1);
	assert_string_equal(js(json_object_get(j, "location"), "name"), "Church Hall");
	assert_string_equal(js(json_object_get(j, "service"), "name"), "Tuesday Walk");
	json_decref(j);
	j = get(t, "/api/oruk/service_at_locations/" UNKNOWN, 404);
	json_decref(j);
}

static void organizations(void **state)
{
	struct rt *t = *state;
	json_t *j, *it;

	j = get(t, "/api/oruk/organizations", 200);
	assert_int_equal(ji(j, "total_items"), 2);     /* not the one with only a draft */
	assert_string_equal(ids_of(j), ORG_B "," ORG_A);
	it = json_array_get(json_object_get(j, "contents"), 0);
	assert_string_equal(js(it, "description"), "Breathe North");     /* ORUK needs one */
	json_decref(j);
	j = get(t, "/api/oruk/organizations?search=WALK", 200);
	assert_string_equal(ids_of(j), ORG_A);
	it = json_array_get(json_object_get(j, "contents"), 0);
	assert_null(json_object_get(it, "organization_identifiers"));   /* the list form */
	assert_null(json_object_get(it, "services"));
	json_decref(j);
	j = get(t, "/api/oruk/organizations?search=walk&full=true", 200);
	it = json_array_get(json_object_get(j, "contents"), 0);
	assert_non_null(json_object_get(it, "organization_identifiers"));
	assert_int_equal(json_array_size(json_object_get(it, "services")), 2);
	assert_null(json_object_get(json_array_get(json_object_get(it, "services"), 0), "schedules"));
	json_decref(j);
	j = get(t, "/api/oruk/organizations/" ORG_A "?full_service=true", 200);
	assert_string_equal(js(j, "name"), "Walkers Trust");
	assert_int_equal(json_array_size(json_object_get(j, "services")), 2);
	assert_non_null(json_object_get(json_array_get(json_object_get(j, "services"), 1), "schedules"));
	json_decref(j);
	j = get(t, "/api/oruk/organizations/" ORG_C, 404);
	json_decref(j);
	j = get(t, "/api/oruk/organizations/" UNKNOWN, 404);
	json_decref(j);
	j = get(t, "/api/oruk/organizations?per_page=1&page=2&format=ndjson", 200);
	assert_string_equal(ids_of(j), ORG_A);
	json_decref(j);
}

static void taxonomies(void **state)
{
	struct rt *t = *state;
	char url[256];
	json_t *j;

	j = get(t, "/api/oruk/taxonomies", 200);
	assert_int_equal(ji(j, "total_items"), 4);     /* kith's three and the council's */
	json_decref(j);
	j = get(t, "/api/oruk/taxonomies?search=council", 200);
	assert_string_equal(ids_of(j), TAX_X);
	json_decref(j);
	snprintf(url, sizeof(url), "/api/oruk/taxonomies/%s", vocab_category_taxonomy_id);
	j = get(t, url, 200);
	assert_string_equal(js(j, "name"), "Kith: type of support");
	assert_int_equal(json_array_size(json_object_get(j, "taxonomy_terms")), vocab_categories_n);
	json_decref(j);
	j = get(t, "/api/oruk/taxonomies/" UNKNOWN, 404);
	json_decref(j);
}

static void taxonomy_terms(void **state)
{
	struct rt *t = *state;
	size_t kith = vocab_categories_n + vocab_conditions_n + (JOIN__MAX - 1) + 1;
	char url[256];
	json_t *j, *it;

	j = get(t, "/api/oruk/taxonomy_terms?per_page=100", 200);
	assert_int_equal(ji(j, "total_items"), (int64_t)kith + 2);
	json_decref(j);
	snprintf(url, sizeof(url), "/api/oruk/taxonomy_terms?taxonomy_id=%s", vocab_condition_taxonomy_id);
	j = get(t, url, 200);
	assert_int_equal(ji(j, "total_items"), (int64_t)vocab_conditions_n);
	it = json_array_get(json_object_get(j, "contents"), 0);
	assert_string_equal(js(it, "taxonomy"), "Kith: long-term conditions");
	assert_string_equal(js(it, "taxonomy_id"), vocab_condition_taxonomy_id);
	json_decref(j);
	j = get(t, "/api/oruk/taxonomy_terms?parent_id=" TERM_P, 200);
	assert_string_equal(ids_of(j), TERM_C);
	assert_string_equal(js(json_array_get(json_object_get(j, "contents"), 0), "parent_id"), TERM_P);
	json_decref(j);
	j = get(t, "/api/oruk/taxonomy_terms?top_only=true&taxonomy_id=" TAX_X, 200);
	assert_string_equal(ids_of(j), TERM_P);
	json_decref(j);
	j = get(t, "/api/oruk/taxonomy_terms?search=walking", 200);
	assert_string_equal(ids_of(j), vocab_categories[0].id);
	json_decref(j);
	snprintf(url, sizeof(url), "/api/oruk/taxonomy_terms/%s", vocab_peer_led.id);
	j = get(t, url, 200);
	assert_string_equal(js(j, "name"), vocab_peer_led.name);
	assert_string_equal(js(j, "code"), "peer-led");
	json_decref(j);
	j = get(t, "/api/oruk/taxonomy_terms/" UNKNOWN, 404);
	json_decref(j);
}

static void cors_preflight(void **state)
{
	struct rt *t = *state;
	struct rt_resp r;

	rt_request(t, "OPTIONS", "/api/oruk/services", NULL, NULL, 0, NULL, &r);
	assert_int_equal(r.status, 204);
	assert_string_equal(rt_header(&r, "Access-Control-Allow-Origin"), "*");
	rt_resp_free(&r);
	rt_request(t, "POST", "/api/oruk/services", NULL, "{}", 2, NULL, &r);
	assert_int_equal(r.status, 405);
	rt_resp_free(&r);
}

/* The real feed through the API: every service, in pages and as one
 * ndjson answer. */
static void council_feed(void **state)
{
	struct rt *t = *state;
	struct import_report rep;
	FILE *f = fopen(FEED, "rb");
	char *data;
	long n;
	json_t *j;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = malloc((size_t)n);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	assert_int_equal(directory_import(t->app.directory, rt_db(t), data, (size_t)n, time_now(), &rep), ERR_OK);
	free(data);
	assert_int_equal(rep.imported, 738);
	import_report_release(&rep);
	j = get(t, "/api/oruk/services?per_page=100&page=8", 200);
	assert_int_equal(ji(j, "total_items"), 742);
	assert_int_equal(ji(j, "total_pages"), 8);
	assert_int_equal(ji(j, "size"), 42);
	assert_true(jb(j, "last_page"));
	json_decref(j);
	j = get(t, "/api/oruk/services?format=ndjson&full=true", 200);
	assert_int_equal(json_array_size(j), 742);
	json_decref(j);
	j = get(t, "/api/oruk/services/738f94e0-aa6c-6a5c-2395-7b64421ba2a5", 200);
	assert_string_equal(js(json_object_get(j, "organization"), "name"), "Victor House");
	assert_null(strchr(js(j, "description"), '<'));
	json_decref(j);
	j = get(t, "/api/oruk/organizations?per_page=1", 200);
	assert_int_equal(ji(j, "total_items"), 241);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(root_and_openapi, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(services_paging, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(list_items_follow_their_organisation, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(services_forms, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(services_filters, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(bad_parameters, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(parameters_like_every_api, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(service_by_id, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(service_at_locations, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(organizations, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(taxonomies, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(taxonomy_terms, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(cors_preflight, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(council_feed, setup, rt_teardown),
	};

	return testdb_run_groups("oruk api", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
