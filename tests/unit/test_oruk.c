/*
 * test_oruk.c - Open Referral UK documents without a database: the v1
 * converter on real council records (the first five of North
 * Lincolnshire's feed), the normaliser (HTML to text, empty fields gone,
 * derived ids that do not change, what is kept and what is dropped), its
 * error messages, the facts kith derives for search, the feed reader's
 * shapes, the hash, and the API's query parameters.
 *
 * Run from the repository root (the feed is read from tests/data/).
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/str.h"
#include "directory/vocab.h"
#include "http/request.h"
#include "oruk/oruk.h"
#include "oruk/oruk_web.h"
#include "web/api.h"
#include "search/postcode.h"
#include "search/schedule.h"
#include "search/search.h"

#define FEED "tests/data/oruk-feeds/north-lincolnshire-2024-12.json"

static json_t *feed_all(void)
{
	json_error_t je;
	json_t *j = json_load_file(FEED, 0, &je);

	if (!j)
		fail_msg("cannot read %s: %s (run from the repository root)", FEED, je.text);
	return j;
}

static const char *s_of(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* No null, "", [] or {} anywhere in a document. */
static void assert_no_empty(const json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		assert_true(json_object_size(j) > 0);
		json_object_foreach((json_t *)j, k, v)
			assert_no_empty(v);
	} else if (json_is_array(j)) {
		assert_true(json_array_size(j) > 0);
		json_array_foreach(j, i, v)
			assert_no_empty(v);
	} else {
		assert_false(json_is_null(j));
		if (json_is_string(j))
			assert_true(json_string_length(j) > 0);
	}
}

/* Every "id" in a document is a lowercase UUID. */
static void assert_ids(const json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		json_object_foreach((json_t *)j, k, v) {
			if (strcmp(k, "id") == 0 || (strlen(k) > 3 && strcmp(k + strlen(k) - 3, "_id") == 0)) {
				const char *s = json_string_value(v);

				assert_non_null(s);
				assert_true(str_is_uuid(str_c(s)));
				for (const char *p = s; *p; p++)
					assert_false(*p >= 'A' && *p <= 'F');
			}
			assert_ids(v);
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			assert_ids(v);
	}
}

static json_t *norm_ok(const char *text)
{
	json_error_t je;
	json_t *in = json_loads(text, 0, &je), *errors = json_array(), *out;

	if (!in)
		fail_msg("bad test JSON: %s", je.text);
	out = oruk_normalise(in, errors);
	if (!out)
		fail_msg("not normalised: %s", json_dumps(errors, 0));
	json_decref(in);
	json_decref(errors);
	return out;
}

/* The errors of a document that must not normalise. */
static json_t *norm_errors(const char *text)
{
	json_t *in = json_loads(text, 0, NULL), *errors = json_array(), *out;

	assert_non_null(in);
	out = oruk_normalise(in, errors);
	assert_null(out);
	assert_true(json_array_size(errors) > 0);
	json_decref(in);
	return errors;
}

static bool has_error(const json_t *errors, const char *field, const char *reason)
{
	json_t *e;
	size_t i;

	json_array_foreach(errors, i, e)
		if (strcmp(s_of(e, "field"), field) == 0 && (!reason || strcmp(oruk_error_reason(e), reason) == 0))
			return true;
	return false;
}

/* ---------------------------------------------------------------- v1 */

static void test_v1_first_record(void **state)
{
	json_t *feed = feed_all(), *errors = json_array(), *doc, *org;
	bool v1 = false;
	const char *d;

	UNUSED(state);
	doc = oruk_import_record(json_array_get(feed, 0), errors, &v1);
	assert_true(v1);
	assert_non_null(doc);
	assert_int_equal(json_array_size(errors), 0);
	assert_string_equal(s_of(doc, "id"), "738f94e0-aa6c-6a5c-2395-7b64421ba2a5");
	assert_string_equal(s_of(doc, "name"), "\"We are with You\" WAWY");
	/* HTML became two paragraphs of text: entities decoded, no tags, no
	 * trailing &nbsp;. */
	d = s_of(doc, "description");
	assert_string_equal(d, "Struggling with Drug & Alcohol Addiction? We Are With You provide free and "
		"confidential Services, without judgement, to people over the age of 18 facing challenges with "
		"drugs & alcohol.\n\nWe Are With You are now offering a drop in session at Victor House fourth "
		"Thursday of each month, please contact Victor House to make an appointment.");
	assert_string_equal(s_of(doc, "status"), "active");
	assert_string_equal(s_of(doc, "email"), "victorhouse@northlincs.gov.uk");
	assert_string_equal(s_of(doc, "assured_date"), "2024-12-10");
	assert_string_equal(s_of(doc, "last_modified"), "2024-12-10T00:00:00Z");
	/* "" fields and v1's own fields are gone; nothing about who assured it. */
	assert_null(json_object_get(doc, "fees"));
	assert_null(json_object_get(doc, "accreditations"));
	assert_null(json_object_get(doc, "attending_type"));
	assert_null(json_object_get(doc, "pc_metadata"));
	assert_null(json_object_get(doc, "pc_targetAudience"));
	assert_null(json_object_get(doc, "assurer_email"));
	{
		char *all = json_dumps(doc, 0);

		assert_null(strstr(all, "victoria.wall"));
		free(all);
	}
	/* The organisation: url is website; empty logo and uri are gone. */
	org = json_object_get(doc, "organization");
	assert_string_equal(s_of(org, "id"), "20da2f9a-59de-622c-3b63-78d899ba0d94");
	assert_string_equal(s_of(org, "name"), "Victor House");
	assert_string_equal(s_of(org, "website"), "https://www.northlincs.gov.uk/");
	assert_null(json_object_get(org, "url"));
	assert_null(json_object_get(org, "logo"));
	assert_string_equal(s_of(doc, "organization_id"), "20da2f9a-59de-622c-3b63-78d899ba0d94");
	assert_no_empty(doc);
	assert_ids(doc);
	json_decref(doc);
	json_decref(errors);
	json_decref(feed);
}

static void test_v1_records_two_to_five(void **state)
{
	json_t *feed = feed_all(), *doc, *errors;
	const char *d;

	UNUSED(state);
	/* #TalkSuicide: a list and a bold heading, an entity before an email. */
	errors = json_array();
	doc = oruk_import_record(json_array_get(feed, 1), errors, NULL);
	assert_non_null(doc);
	d = s_of(doc, "description");
	assert_null(strchr(d, '<'));
	assert_null(strstr(d, "&nbsp;"));
	assert_non_null(strstr(d, "Support can include:\n\n- talking with an experienced bereavement worker\n"
				  "- support creating memory boxes"));
	assert_non_null(strstr(d, "or email info@heymind.org.uk."));
	/* Its audience: "Bereaved". */
	assert_string_equal(s_of(doc, "eligibility_description"), "Bereaved");
	assert_no_empty(doc);
	json_decref(doc);
	json_decref(errors);

	/* Action Station: a link's text is kept, its attributes are not. */
	errors = json_array();
	doc = oruk_import_record(json_array_get(feed, 2), errors, NULL);
	assert_non_null(doc);
	d = s_of(doc, "description");
	assert_non_null(strstr(d, "please email action.station@northlincs.gov.uk or call 01724 296969."));
	assert_null(strstr(d, "data-cke"));
	assert_non_null(strstr(d, "- CV writing\n- Application form completion"));
	json_decref(doc);
	json_decref(errors);

	/* Active Circuits and Active Lincs: plain paragraphs, no &nbsp;. */
	for (int i = 3; i <= 4; i++) {
		errors = json_array();
		doc = oruk_import_record(json_array_get(feed, (size_t)i), errors, NULL);
		assert_non_null(doc);
		d = s_of(doc, "description");
		assert_null(strchr(d, '<'));
		assert_null(strchr(d, '&'));
		assert_true(d[strlen(d) - 1] != ' ');
		assert_non_null(json_object_get(doc, "organization"));
		assert_non_null(s_of(doc, "last_modified"));
		assert_no_empty(doc);
		assert_ids(doc);
		json_decref(doc);
		json_decref(errors);
	}
	d = NULL;
	json_decref(feed);
}

static void test_v1_access_and_audience(void **state)
{
	json_t *in = json_loads("{\"id\":\"3E2A543A-A615-67DF-319E-C6DD9D629E43\",\"name\":\"Stay &amp; Play\","
		"\"description\":\"<p>Fun</p>\",\"status\":\"Active\",\"attending_type\":\"Online\","
		"\"attending_access\":\"Drop-in\",\"pc_attendingAccess_additionalInfo\":\"Bring a drink\","
		"\"pc_targetAudience\":[{\"id\":\"1\",\"audienceType\":\"Parents \"},"
		"{\"id\":\"2\",\"audienceType\":\"Parents>Grandparents\"},{\"id\":\"3\",\"audienceType\":\"Carers\"},"
		"{\"id\":\"4\",\"audienceType\":\"parents\"}],"
		"\"organization\":{\"id\":\"20da2f9a-59de-622c-3b63-78d899ba0d94\",\"name\":\"Org\",\"url\":\"www.org.uk\"},"
		"\"regular_schedules\":[{\"weekday\":\"Tuesday\",\"opens_at\":\"10:00:00\",\"closes_at\":\"11:30:00\"}],"
		"\"service_taxonomys\":[{\"id\":\"aaaaaaaa-0000-4000-8000-000000000001\",\"taxonomy\":{"
		"\"id\":\"bbbbbbbb-0000-4000-8000-000000000001\",\"name\":\"Walking and exercise\",\"vocabulary\":\"Council\"}}]}",
		0, NULL);
	json_t *errors = json_array(), *doc, *attrs, *sal, *sched;
	struct oruk_facts f;

	UNUSED(state);
	assert_true(oruk_is_v1(in));
	doc = oruk_import_record(in, errors, NULL);
	assert_non_null(doc);
	assert_string_equal(s_of(doc, "id"), "3e2a543a-a615-67df-319e-c6dd9d629e43");
	assert_string_equal(s_of(doc, "name"), "Stay & Play");
	assert_string_equal(s_of(doc, "status"), "active");
	assert_string_equal(s_of(doc, "eligibility_description"), "Parents, Grandparents, Carers");
	assert_string_equal(s_of(doc, "application_process"), "Drop-in\n\nBring a drink");
	assert_string_equal(s_of(json_object_get(doc, "organization"), "website"), "https://www.org.uk");
	/* Online: a virtual location. */
	sal = json_array_get(json_object_get(doc, "service_at_locations"), 0);
	assert_string_equal(s_of(json_object_get(sal, "location"), "location_type"), "virtual");
	assert_string_equal(s_of(sal, "location_id"), s_of(json_object_get(sal, "location"), "id"));
	/* Tuesday's session: weekly on TU, 10:00 to 11:30. */
	sched = json_array_get(json_object_get(doc, "schedules"), 0);
	assert_string_equal(s_of(sched, "freq"), "WEEKLY");
	assert_string_equal(s_of(sched, "byday"), "TU");
	assert_string_equal(s_of(sched, "opens_at"), "10:00");
	assert_string_equal(s_of(sched, "closes_at"), "11:30");
	/* Drop-in is kith's "just turn up"; the council's taxonomy term is kept. */
	attrs = json_object_get(doc, "attributes");
	assert_int_equal(json_array_size(attrs), 2);
	assert_string_equal(s_of(json_array_get(attrs, 0), "taxonomy_term_id"), vocab_join[JOIN_TURN_UP].id);
	assert_string_equal(s_of(json_object_get(json_array_get(attrs, 1), "taxonomy_term"), "taxonomy"), "Council");
	assert_int_equal(oruk_derive(doc, &f), ERR_OK);
	assert_true(f.flags & SF_TURN_UP);
	assert_true(f.flags & SF_ONLINE);
	assert_false(f.flags & SF_IN_PERSON);
	/* Its term's name is exactly one of kith's categories. */
	assert_true(f.categories & (UINT64_C(1) << vocab_find(vocab_categories, vocab_categories_n, "walking")));
	assert_int_equal(f.nscheds, 1);
	assert_int_equal(f.nterms, 2);
	assert_non_null(strstr(f.terms.p, "- bbbbbbbb-0000-4000-8000-000000000001"));
	oruk_facts_release(&f);
	json_decref(doc);
	json_decref(errors);
	json_decref(in);
}

/* The whole feed: every record converts and normalises, and a second
 * normalisation changes nothing. */
static void test_v1_whole_feed(void **state)
{
	json_t *feed = feed_all(), *rec;
	size_t i, ok = 0;

	UNUSED(state);
	assert_int_equal(json_array_size(feed), 738);
	json_array_foreach(feed, i, rec) {
		json_t *errors = json_array(), *doc = oruk_import_record(rec, errors, NULL), *again, *e2;
		char *a, *b;

		if (!doc) {
			json_decref(errors);
			continue;
		}
		ok++;
		assert_no_empty(doc);
		assert_ids(doc);
		e2 = json_array();
		again = oruk_normalise(doc, e2);
		assert_non_null(again);
		a = oruk_dump(doc, NULL);
		b = oruk_dump(again, NULL);
		assert_string_equal(a, b);
		free(a);
		free(b);
		json_decref(again);
		json_decref(e2);
		json_decref(doc);
		json_decref(errors);
	}
	assert_int_equal(ok, 738);
	json_decref(feed);
}

/* ---------------------------------------------------------------- normalising */

#define SVC(rest) "{\"id\":\"ac148810-d857-441c-9679-408f346de14b\",\"name\":\"Walk\"," \
	"\"organization_id\":\"d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610\"" rest "}"

static void test_normalise_cleans(void **state)
{
	json_t *doc = norm_ok(SVC(",\"description\":\"<p>One &amp; two</p><p>Three</p>\","
		"\"email\":\"  Walks@Example.ORG \",\"url\":\"www.example.org/walks\",\"fees\":\"\","
		"\"alert\":null,\"accreditations\":\"   \",\"minimum_age\":\"18\",\"maximum_age\":-3,"
		"\"assured_date\":\"05/11/2024\",\"last_modified\":\"2024-11-05T10:30:45.123+01:00\","
		"\"languages\":[],\"funding\":[{}],\"service_areas\":[{\"id\":\"\"}],"
		"\"assurer_email\":\"jane@example.org\",\"unknown_field\":\"x\","
		"\"contacts\":[{\"name\":\"Ann Persona\",\"title\":\"Manager\",\"email\":\"ann@example.org\","
		"\"phones\":[{\"number\":\"01724 123456\"}]}]"));
	json_t *c;

	UNUSED(state);
	assert_string_equal(s_of(doc, "description"), "One & two\n\nThree");
	assert_string_equal(s_of(doc, "email"), "walks@example.org");
	assert_string_equal(s_of(doc, "url"), "https://www.example.org/walks");
	assert_string_equal(s_of(doc, "assured_date"), "2024-11-05");
	assert_string_equal(s_of(doc, "last_modified"), "2024-11-05T09:30:45Z");
	assert_int_equal(json_integer_value(json_object_get(doc, "minimum_age")), 18);
	assert_null(json_object_get(doc, "maximum_age"));
	assert_null(json_object_get(doc, "fees"));
	assert_null(json_object_get(doc, "alert"));
	assert_null(json_object_get(doc, "accreditations"));
	assert_null(json_object_get(doc, "languages"));
	assert_null(json_object_get(doc, "funding"));
	assert_null(json_object_get(doc, "service_areas"));
	assert_null(json_object_get(doc, "assurer_email"));
	assert_null(json_object_get(doc, "unknown_field"));
	assert_string_equal(s_of(doc, "status"), "active");
	/* A contact keeps its phone, not the person's name, title or email. */
	c = json_array_get(json_object_get(doc, "contacts"), 0);
	assert_null(json_object_get(c, "name"));
	assert_null(json_object_get(c, "title"));
	assert_null(json_object_get(c, "email"));
	assert_string_equal(s_of(json_array_get(json_object_get(c, "phones"), 0), "number"), "01724 123456");
	assert_no_empty(doc);
	assert_ids(doc);
	json_decref(doc);
}

static void test_normalise_urls_and_places(void **state)
{
	json_t *doc = norm_ok(SVC(",\"url\":\"javascript:alert(1)\","
		"\"schedules\":[{\"freq\":\"daily\",\"opens_at\":\"9.30\"},{\"freq\":\"YEARLY\",\"byday\":\"tu\"}],"
		"\"service_at_locations\":[{\"location\":{\"name\":\"Hall\",\"latitude\":100,\"longitude\":101,"
		"\"addresses\":[{\"address_1\":\"1 High St\",\"city\":\"Scunthorpe\",\"postal_code\":\"dn156xx\","
		"\"attention\":\"A. Persona\"}],"
		"\"accessibility\":[{\"description\":\"Level access and a hearing loop\"}]}}]"));
	json_t *loc, *addr, *s0, *s1;

	UNUSED(state);
	assert_null(json_object_get(doc, "url"));
	s0 = json_array_get(json_object_get(doc, "schedules"), 0);
	assert_string_equal(s_of(s0, "freq"), "WEEKLY");
	assert_string_equal(s_of(s0, "byday"), "MO,TU,WE,TH,FR,SA,SU");
	assert_string_equal(s_of(s0, "opens_at"), "09:30");
	s1 = json_array_get(json_object_get(doc, "schedules"), 1);
	assert_null(json_object_get(s1, "freq"));          /* not ORUK's: dropped, the rest kept */
	assert_string_equal(s_of(s1, "byday"), "TU");
	loc = json_object_get(json_array_get(json_object_get(doc, "service_at_locations"), 0), "location");
	assert_string_equal(s_of(loc, "location_type"), "physical");
	assert_null(json_object_get(loc, "latitude"));    /* 100 is not a latitude */
	assert_null(json_object_get(loc, "longitude"));
	addr = json_array_get(json_object_get(loc, "addresses"), 0);
	assert_string_equal(s_of(addr, "postal_code"), "DN15 6XX");
	assert_string_equal(s_of(addr, "state_province"), "Scunthorpe");
	assert_string_equal(s_of(addr, "country"), "GB");
	assert_string_equal(s_of(addr, "address_type"), "physical");
	assert_null(json_object_get(addr, "attention"));
	assert_ids(doc);
	json_decref(doc);
}

static void test_derived_ids(void **state)
{
	const char *text = SVC(",\"schedules\":[{\"freq\":\"WEEKLY\",\"byday\":\"TU\"},{\"freq\":\"WEEKLY\",\"byday\":\"WE\"}],"
		"\"service_at_locations\":[{\"location\":{\"name\":\"Hall\"}}]");
	json_t *a = norm_ok(text), *b = norm_ok(text), *again;
	json_t *e = json_array();
	const char *id0, *id1;
	char *da, *db, expect[37];

	UNUSED(state);
	da = oruk_dump(a, NULL);
	db = oruk_dump(b, NULL);
	assert_string_equal(da, db);                    /* the same ids every time */
	id0 = s_of(json_array_get(json_object_get(a, "schedules"), 0), "id");
	id1 = s_of(json_array_get(json_object_get(a, "schedules"), 1), "id");
	assert_string_not_equal(id0, id1);
	oruk_derived_id("ac148810-d857-441c-9679-408f346de14b", "schedules[0]", expect);
	assert_string_equal(id0, expect);
	assert_int_equal(expect[14], '8');               /* version 8 */
	again = oruk_normalise(a, e);
	free(db);
	db = oruk_dump(again, NULL);
	assert_string_equal(da, db);                    /* idempotent */
	free(da);
	free(db);
	json_decref(again);
	json_decref(e);
	json_decref(a);
	json_decref(b);
}

static void test_kith_attributes_canonical(void **state)
{
	char text[1024];
	json_t *doc, *a;

	UNUSED(state);
	snprintf(text, sizeof(text), SVC(",\"attributes\":[{\"taxonomy_term_id\":\"%s\"},"
		"{\"taxonomy_term\":{\"id\":\"%s\",\"name\":\"wrong name\"}},{\"link_type\":\"x\"}]"),
		vocab_categories[0].id, vocab_peer_led.id);
	doc = norm_ok(text);
	assert_int_equal(json_array_size(json_object_get(doc, "attributes")), 2);
	a = json_array_get(json_object_get(doc, "attributes"), 0);
	assert_string_equal(s_of(json_object_get(a, "taxonomy_term"), "name"), vocab_categories[0].name);
	assert_string_equal(s_of(json_object_get(a, "taxonomy_term"), "taxonomy_id"), vocab_category_taxonomy_id);
	assert_non_null(s_of(json_object_get(a, "taxonomy_term"), "description"));
	a = json_array_get(json_object_get(doc, "attributes"), 1);
	assert_string_equal(s_of(a, "taxonomy_term_id"), vocab_peer_led.id);
	assert_string_equal(s_of(json_object_get(a, "taxonomy_term"), "name"), vocab_peer_led.name);
	json_decref(doc);
}

static void test_organisation_rules(void **state)
{
	json_t *doc = norm_ok("{\"id\":\"ac148810-d857-441c-9679-408f346de14b\",\"name\":\"Walk\","
		"\"organization_id\":\"11111111-1111-4111-8111-111111111111\","
		"\"organization\":{\"id\":\"D9D5E0F5-D3CE-4F73-9A2F-4DD0ECC6C610\",\"name\":\"Walkers\","
		"\"organization_identifiers\":[{\"identifier_scheme\":\"GB-CHC\",\"identifier\":\"1234567\"},"
		"{\"identifier_type\":\"Company number\"}],\"services\":[{\"id\":\"x\"}]}}");
	json_t *org = json_object_get(doc, "organization");

	UNUSED(state);
	/* The nested organisation decides organization_id; ids lowercased. */
	assert_string_equal(s_of(doc, "organization_id"), "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610");
	assert_string_equal(s_of(org, "description"), "Walkers");      /* ORUK needs one */
	assert_null(json_object_get(org, "services"));
	assert_int_equal(json_array_size(json_object_get(org, "organization_identifiers")), 1);
	assert_string_equal(oruk_org_charity(org), "1234567");
	assert_string_equal(s_of(json_array_get(json_object_get(org, "organization_identifiers"), 0),
				 "identifier_type"), "Charity number");
	json_decref(doc);
}

/* ---------------------------------------------------------------- errors */

static void test_errors(void **state)
{
	json_t *e;

	UNUSED(state);
	e = norm_errors("{\"name\":\"x\"}");
	assert_true(has_error(e, "id", "has no id"));
	json_decref(e);
	e = norm_errors("{\"id\":\"42\",\"name\":\"x\"}");
	assert_true(has_error(e, "id", "its id is not a UUID"));
	json_decref(e);
	/* Ids that clean to nothing or are not text (found by fuzzing). */
	e = norm_errors("{\"id\":\"<b\",\"name\":\"x\"}");
	assert_true(has_error(e, "id", "its id is not a UUID"));
	json_decref(e);
	e = norm_errors("{\"id\":true,\"name\":\"x\"}");
	assert_true(has_error(e, "id", "its id is not a UUID"));
	json_decref(e);
	e = norm_errors(SVC(",\"languages\":[{\"id\":4.5,\"name\":\"Welsh\"}]"));
	assert_true(has_error(e, "languages[0].id", "a language has an id that is not a UUID"));
	json_decref(e);
	e = norm_errors("{\"id\":\"ac148810-d857-441c-9679-408f346de14b\",\"name\":\"  <p>&nbsp;</p> \"}");
	assert_true(has_error(e, "name", "has no name"));
	assert_string_equal(s_of(json_array_get(e, 0), "detail"), "The service has no name.");
	json_decref(e);
	e = norm_errors(SVC(",\"status\":\"open\""));
	assert_true(has_error(e, "status", "its status is not active, inactive, defunct or temporarily closed"));
	json_decref(e);
	e = norm_errors(SVC(",\"schedules\":[{\"freq\":\"WEEKLY\"},{\"id\":\"nope\"}]"));
	assert_true(has_error(e, "schedules[1].id", "a schedule has an id that is not a UUID"));
	json_decref(e);
	e = norm_errors(SVC(",\"service_at_locations\":[{\"location\":{\"addresses\":[{\"address_1\":\"1 High St\","
		"\"postal_code\":\"DN15 6XX\"}]}}]"));
	assert_true(has_error(e, "service_at_locations[0].location.addresses[0].city", "an address has no town or city"));
	json_decref(e);
	e = norm_errors("{\"id\":\"ac148810-d857-441c-9679-408f346de14b\",\"name\":\"x\",\"organization\":{\"name\":\"\"}}");
	assert_true(has_error(e, "organization.id", "its organisation has no id"));
	json_decref(e);
	e = norm_errors("[1,2]");
	assert_true(has_error(e, "service", "is not a JSON object"));
	json_decref(e);
	e = norm_errors(SVC(",\"service_at_locations\":[{\"id\":\"5c4d79d7-cc55-470e-9f1f-8cad074e4892\","
		"\"location\":{\"name\":\"A\"}},{\"id\":\"5c4d79d7-cc55-470e-9f1f-8cad074e4892\",\"location\":{\"name\":\"B\"}}]"));
	assert_true(has_error(e, "service_at_locations[1].id", "two of its places have the same id"));
	json_decref(e);
}

/* ---------------------------------------------------------------- facts */

static void test_facts(void **state)
{
	char text[4096];
	json_t *doc;
	struct oruk_facts f;

	UNUSED(state);
	assert_int_equal(postcode_init(), ERR_OK);
	snprintf(text, sizeof(text), SVC(",\"description\":\"Gentle walks\","
		"\"cost_options\":[{\"option\":\"Free\",\"amount\":0}],"
		"\"languages\":[{\"code\":\"pl\"},{\"name\":\"Urdu\"},{\"name\":\"Klingon\"}],"
		"\"schedules\":[{\"freq\":\"WEEKLY\",\"byday\":\"TU\",\"opens_at\":\"10:00\"},{\"description\":\"Most days\"}],"
		"\"attributes\":[{\"taxonomy_term_id\":\"%s\"},{\"taxonomy_term_id\":\"%s\"},{\"taxonomy_term_id\":\"%s\"}],"
		"\"service_at_locations\":[{\"location\":{\"name\":\"Hall\",\"addresses\":[{\"address_1\":\"1 High St\","
		"\"city\":\"Brigg\",\"postal_code\":\"DN20 8AA\"}],\"accessibility\":[{\"description\":\"Wheelchair accessible\"}]}},"
		"{\"location\":{\"location_type\":\"virtual\",\"name\":\"Zoom\"}}]"),
		vocab_categories[0].id, vocab_conditions[2].id, vocab_join[JOIN_REFERRAL].id);
	doc = norm_ok(text);
	assert_int_equal(oruk_derive(doc, &f), ERR_OK);
	assert_int_equal(f.flags, SF_FREE | SF_WHEELCHAIR | SF_ONLINE | SF_IN_PERSON | SF_REFERRAL);
	assert_true(f.categories == UINT64_C(1));
	assert_true(f.conditions == (UINT64_C(1) << 2));
	assert_int_equal(f.join, JOIN_REFERRAL);
	assert_int_equal(f.languages, (1u << vocab_find(vocab_languages, vocab_languages_n, "pl")) |
				      (1u << vocab_find(vocab_languages, vocab_languages_n, "ur")));
	assert_int_equal(f.nscheds, 1);
	{
		struct sched s;

		assert_true(sched_decode(f.scheds.p, f.scheds.len, &s));
		assert_int_equal(s.opens, 600);
	}
	assert_int_equal(f.nplaces, 2);
	assert_string_equal(f.postcode, "DN20 8AA");
	assert_true(f.places[0].has_point);              /* from the postcode */
	assert_true(f.places[0].lat > 53 && f.places[0].lat < 54);
	assert_false(f.places[1].has_point);
	assert_string_equal(f.dupe_key.p, "walk");
	assert_non_null(strstr(f.body.p, "Gentle walks"));
	assert_non_null(strstr(f.body.p, vocab_categories[0].name));
	assert_non_null(strstr(f.body.p, "Brigg"));
	assert_non_null(strstr(f.terms.p, vocab_category_taxonomy_id));
	oruk_facts_release(&f);
	json_decref(doc);

	/* Free from words; no step-free access; one place, in person only. */
	doc = norm_ok(SVC(",\"fees\":\"Free, donations welcome\",\"service_at_locations\":[{\"location\":{\"name\":\"Hall\","
		"\"accessibility\":[{\"description\":\"Sorry, no wheelchair access: three steps\"}]}}]"));
	assert_int_equal(oruk_derive(doc, &f), ERR_OK);
	assert_int_equal(f.flags, SF_FREE | SF_IN_PERSON);
	oruk_facts_release(&f);
	json_decref(doc);

	/* A price is not free; "Freedom Pass" is not free either. */
	doc = norm_ok(SVC(",\"fees\":\"Freedom Pass holders £1\",\"cost_options\":[{\"amount\":0},{\"amount\":2.5}]"));
	assert_int_equal(oruk_derive(doc, &f), ERR_OK);
	assert_false(f.flags & SF_FREE);
	oruk_facts_release(&f);
	json_decref(doc);
}

/* ---------------------------------------------------------------- feeds, flat, hash */

static void test_feed_shapes(void **state)
{
	struct oruk_feed f;
	char why[256];
	static const char ndjson[] = "{\"id\":\"a\"}\n\n{not json}\r\n{\"id\":\"b\"}\n";

	UNUSED(state);
	assert_int_equal(oruk_feed_read("[{\"a\":1},2]", strlen("[{\"a\":1},2]"), &f, why, sizeof(why)), ERR_OK);
	assert_int_equal(f.shape, ORUK_SHAPE_ARRAY);
	assert_int_equal(f.n, 2);
	oruk_feed_release(&f);
	assert_int_equal(oruk_feed_read("{\"total_items\":1,\"contents\":[{}]}", strlen("{\"total_items\":1,\"contents\":[{}]}"), &f, why, sizeof(why)), ERR_OK);
	assert_int_equal(f.shape, ORUK_SHAPE_PAGE);
	assert_int_equal(f.n, 1);
	oruk_feed_release(&f);
	assert_int_equal(oruk_feed_read("\xef\xbb\xbf{\"id\":\"x\"}", strlen("\xef\xbb\xbf{\"id\":\"x\"}"), &f, why, sizeof(why)), ERR_OK);
	assert_int_equal(f.shape, ORUK_SHAPE_ONE);
	oruk_feed_release(&f);
	assert_int_equal(oruk_feed_read(ndjson, sizeof(ndjson) - 1, &f, why, sizeof(why)), ERR_OK);
	assert_int_equal(f.shape, ORUK_SHAPE_NDJSON);
	assert_int_equal(f.n, 3);
	assert_null(f.recs[1].value);
	assert_int_equal(f.recs[1].line, 3);
	assert_string_equal(f.recs[1].problem, "is not valid JSON");
	assert_int_equal(f.recs[2].line, 4);
	oruk_feed_release(&f);
	assert_int_equal(oruk_feed_read("nonsense", 8, &f, why, sizeof(why)), ERR_INVALID);
	assert_non_null(strstr(why, "line 1"));
	oruk_feed_release(&f);
	assert_int_equal(oruk_feed_read("\"a string\"", 10, &f, why, sizeof(why)), ERR_INVALID);
	oruk_feed_release(&f);
	assert_int_equal(oruk_feed_read("  \n ", 4, &f, why, sizeof(why)), ERR_INVALID);
	assert_string_equal(why, "The file is empty.");
	oruk_feed_release(&f);
}

static void test_flat_and_hash(void **state)
{
	json_t *doc = norm_ok(SVC(",\"description\":\"x\",\"last_modified\":\"2024-01-01\","
		"\"schedules\":[{\"freq\":\"WEEKLY\",\"byday\":\"TU\"}]"));
	json_t *flat = oruk_flat(doc);
	char h1[65], h2[65];

	UNUSED(state);
	assert_non_null(json_object_get(flat, "name"));
	assert_non_null(json_object_get(flat, "last_modified"));
	assert_null(json_object_get(flat, "schedules"));
	oruk_hash(doc, h1);
	oruk_service_set(doc, "last_modified", json_string("2026-11-24T10:00:00Z"));
	oruk_hash(doc, h2);
	assert_string_equal(h1, h2);                     /* the clock does not count */
	oruk_service_set(doc, "description", json_string("y"));
	oruk_hash(doc, h2);
	assert_string_not_equal(h1, h2);
	/* oruk_service_set keeps the normaliser's order. */
	oruk_service_set(doc, "url", json_string("https://example.org"));
	{
		char *s = oruk_dump(doc, NULL);

		assert_true(strstr(s, "\"url\"") < strstr(s, "\"status\""));
		assert_true(strstr(s, "\"last_modified\"") < strstr(s, "\"schedules\""));
		free(s);
	}
	json_decref(flat);
	json_decref(doc);
}

static void test_dates(void **state)
{
	int64_t t;
	char s[21];

	UNUSED(state);
	assert_true(oruk_parse_datetime("2026-11-24", &t));
	oruk_format_datetime(t, s);
	assert_string_equal(s, "2026-11-24T00:00:00Z");
	assert_true(oruk_parse_datetime("2026-11-24T10:00:00.5Z", &t));
	oruk_format_datetime(t, s);
	assert_string_equal(s, "2026-11-24T10:00:00Z");
	assert_true(oruk_parse_datetime("2026-11-24T10:00+01:00", &t));
	oruk_format_datetime(t, s);
	assert_string_equal(s, "2026-11-24T09:00:00Z");
	assert_false(oruk_parse_datetime("2026-02-30", &t));
	assert_false(oruk_parse_datetime("24/11/2026", &t));
	assert_false(oruk_parse_datetime("2026-11-24T25:00", &t));
	assert_false(oruk_parse_date("2026-11-24T10:00", &t));
	assert_true(oruk_parse_date("2024-02-29", &t));
	oruk_format_date(t, s);
	assert_string_equal(s, "2024-02-29");
}

/* ---------------------------------------------------------------- parameters */

static void params(const char *query, unsigned accept, struct oruk_params *p, enum err want, const char *why_has)
{
	struct arena a;
	struct kvlist q = { 0 };
	char *copy;

	arena_init(&a);
	copy = arena_strdup(&a, query);
	for (char *s = copy; s && *s;) {
		char *amp = strchr(s, '&'), *eq;

		if (amp)
			*amp = '\0';
		eq = strchr(s, '=');
		if (eq) {
			*eq = '\0';
			kv_add(&a, &q, s, eq + 1, strlen(eq + 1));
		}
		s = amp ? amp + 1 : NULL;
	}
	{
		struct api_query aq;

		api_query_init(&aq, &q, &a);
		assert_int_equal(oruk_params_parse(&aq, accept, p), want);
		if (why_has && !strstr(aq.detail, why_has))
			fail_msg("\"%s\": \"%s\" does not say \"%s\"", query, aq.detail, why_has);
	}
	arena_release(&a);
}

static void test_params(void **state)
{
	struct oruk_params p;
	unsigned all = ~0u;

	UNUSED(state);
	assert_int_equal(postcode_init(), ERR_OK);
	params("", all, &p, ERR_OK, NULL);
	assert_int_equal(p.page, 1);
	assert_int_equal(p.per_page, ORUK_PER_PAGE_DEFAULT);
	params("per_page=100&page=3&format=json&minimal=true&full=FALSE", all, &p, ERR_OK, NULL);
	assert_int_equal(p.per_page, 100);
	assert_int_equal(p.page, 3);
	assert_true(p.minimal);
	assert_false(p.full);
	params("format=ndjson", all, &p, ERR_OK, NULL);
	assert_true(p.ndjson);
	assert_int_equal(p.per_page, ORUK_PER_PAGE_MAX_LINES);
	params("per_page=101", all, &p, ERR_BAD_REQUEST, "per_page parameter must be a whole number from 1 to 100");
	params("per_page=0", all, &p, ERR_BAD_REQUEST, "per_page");
	params("per_page=5x", all, &p, ERR_BAD_REQUEST, "per_page");
	params("per_page=1000&minimal=true", all, &p, ERR_OK, NULL);
	params("page=0", all, &p, ERR_BAD_REQUEST, "page parameter must be");
	params("format=xml", all, &p, ERR_BAD_REQUEST, "format parameter must be json or ndjson");
	params("full=yes", all, &p, ERR_BAD_REQUEST, "full parameter must be true or false");
	params("taxonomy_term_id=abc", all, &p, ERR_BAD_REQUEST, "taxonomy_term_id parameter must be a UUID");
	params("organization_id=D9D5E0F5-D3CE-4F73-9A2F-4DD0ECC6C610", all, &p, ERR_OK, NULL);
	assert_string_equal(p.organization_id, "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610");
	params("modified_after=2024-13-01", all, &p, ERR_BAD_REQUEST, "modified_after parameter must be a date");
	params("modified_after=2024-12-01T10:00:00Z", all, &p, ERR_OK, NULL);
	assert_true(p.has_modified_after);
	params("postcode=DN156XX&proximity=5000", all, &p, ERR_OK, NULL);
	assert_true(p.near);
	assert_string_equal(p.postcode, "DN15 6XX");
	assert_true(p.proximity_m == 5000);
	params("postcode=not-a-postcode", all, &p, ERR_BAD_REQUEST, "postcode");
	params("proximity=5000", all, &p, ERR_BAD_REQUEST, "proximity parameter needs a postcode");
	params("postcode=DN156XX&proximity=-1", all, &p, ERR_BAD_REQUEST, "proximity parameter must be");
	/* Parameters an endpoint does not take are ignored. */
	params("per_page=999&format=xml", OP_SEARCH, &p, ERR_OK, NULL);
	/* search: trimmed, bounded. */
	{
		char q[300];

		snprintf(q, sizeof(q), "search=%0250d", 0);
		params(q, all, &p, ERR_BAD_REQUEST, "search parameter must be plain text of 200 characters or fewer");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_first_record),
		cmocka_unit_test(test_v1_records_two_to_five),
		cmocka_unit_test(test_v1_access_and_audience),
		cmocka_unit_test(test_v1_whole_feed),
		cmocka_unit_test(test_normalise_cleans),
		cmocka_unit_test(test_normalise_urls_and_places),
		cmocka_unit_test(test_derived_ids),
		cmocka_unit_test(test_kith_attributes_canonical),
		cmocka_unit_test(test_organisation_rules),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_feed_shapes),
		cmocka_unit_test(test_flat_and_hash),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_params),
	};

	if (postcode_init() != ERR_OK)
		return 1;
	return cmocka_run_group_tests_name("oruk", tests, NULL, NULL);
}
