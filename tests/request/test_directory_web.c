/*
 * test_directory_web.c - the directory's public pages: /find (words,
 * postcode, filters with counts, sorting, pages, the 422 for a postcode
 * that cannot be found, the ways out of an empty page), a service page
 * (published for everyone; drafts and archived 404 to the public and
 * shown with a banner to their organisation and coordinators; the same
 * data as JSON) and an organisation page. Services are saved through
 * directory_save_form() in each test's setup, exactly as the form does.
 * SQLite and, with KITH_TEST_PG_URL, PostgreSQL.
 */
#include "core/common.h"
#include "org/org.h"

#include <setjmp.h>
#include <cmocka.h>

#include "auth/person.h"
#include "core/timeutil.h"
#include "directory/directory.h"
#include "directory/find.h"
#include "directory/vocab.h"
#include "http/router.h"
#include "store/store.h"
#include "support/cast.h"
#include "support/reqtest.h"

#define ORG_A RT_ORG_A
#define ORG_B RT_ORG_B

/* ---------------------------------------------------------------- helpers */

static uint64_t cat(const char *code)
{
	int i = vocab_find(vocab_categories, vocab_categories_n, code);

	assert_true(i >= 0);
	return UINT64_C(1) << i;
}

struct svc {
	const char *org, *name, *description, *postcode, *town;
	uint64_t categories;
	bool free, wheelchair, online;
	enum svc_state state;
	int weekday;               /* 0 = Monday */
	const char *opens, *closes;
	const char *email, *phone;
};

/* Saves a service as the form does, commits, and syncs the index. The id
 * goes into out. */
static void save(struct rt *t, const struct svc *s, char out[37])
{
	struct svc_form f = {
		.org_id = s->org, .name = s->name,
		.description = s->description ? s->description : "A friendly group that meets every week.",
		.who_for = "Anyone who would like to come along", .join = JOIN_TURN_UP,
		.categories = s->categories ? s->categories : cat("walking"),
		.free = s->free, .cost = s->free ? NULL : "£2 a session",
		.in_person = true, .online = s->online, .wheelchair = s->wheelchair,
		.place_name = "Church Hall", .address_1 = "1 High Street",
		.town = s->town ? s->town : "Scunthorpe",
		.postcode = s->postcode ? s->postcode : "DN15 6XX",
		.email = s->email, .phone = s->phone,
		.scheds = { { .kind = "weekly", .weekday = s->weekday, .opens = s->opens ? s->opens : "10:00",
			      .closes = s->closes ? s->closes : "11:30" } },
	};
	struct save_opts o = { .source = SRC_FORM, .state = s->state, .now = time_now(), .assure = true };
	struct save_report rep;
	json_t *fields = NULL;
	enum err e;

	memset(&rep, 0, sizeof(rep));
	assert_int_equal(db_begin(rt_db(t)), ERR_OK);
	e = directory_save_form(rt_db(t), &f, &o, &rep, &fields);
	if (e) {
		char *dump = fields ? json_dumps(fields, 0) : NULL;

		print_error("directory_save_form(%s): %s %s\n", s->name, err_name(e), dump ? dump : "");
		free(dump);
	}
	json_decref(fields);
	assert_int_equal(e, ERR_OK);
	assert_int_equal(db_commit(rt_db(t)), ERR_OK);
	assert_int_equal(directory_apply_changes(t->app.directory, rt_db(t)), ERR_OK);
	snprintf(out, 37, "%s", rep.id);
}

static int setup(void **state)
{
	struct rt *t;

	if (rt_setup(state))
		return -1;
	t = *state;
	rt_cast_orgs(t);
	return 0;
}

/* Position of needle in the body, or -1. */
static long pos(const struct rt_resp *r, const char *needle)
{
	const char *p = r->body ? strstr(r->body, needle) : NULL;

	return p ? p - r->body : -1;
}

static size_t count(const struct rt_resp *r, const char *needle)
{
	size_t n = 0;

	for (const char *p = r->body; p && (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* ---------------------------------------------------------------- /find */

/* The place names are rebuilt by the sync job, at most once a minute:
 * each call here is an hour after the last. */
static void places_job(struct rt *t)
{
	static int64_t now = 1800000000;

	now += 3600;
	assert_int_equal(directory_places_refresh(t->app.directory, rt_db(t), now), ERR_OK);
}


static void find_page_without_a_search(void **state)
{
	struct rt *t = *state;
	struct rt_resp r;
	char id[37];

	save(t, &(struct svc){ .org = ORG_A, .name = "Tuesday Health Walk", .state = SVC_PUBLISHED,
			       .free = true }, id);
	places_job(t);
	rt_get(t, "/find", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "<form method=\"get\" action=\"/find\""));
	assert_true(rt_has(&r, ">What are you looking for?</label>"));
	assert_true(rt_has(&r, ">Postcode or town (optional)</label>"));
	/* The hint names a town the directory knows. */
	assert_true(rt_has(&r, "or a town or village, like Scunthorpe."));
	/* Browsing by type, with counts, and no results list yet. */
	assert_true(rt_has(&r, "href=\"/find?category=walking\">Walking and exercise</a>"));
	assert_true(rt_has(&r, "(1)"));
	assert_false(rt_has(&r, "kith-results"));
	/* A visitor's search page sets no cookie: it has no POST form. */
	assert_null(rt_header(&r, "Set-Cookie"));
	rt_resp_free(&r);
}

static void find_by_postcode_nearest_first(void **state)
{
	struct rt *t = *state;
	struct rt_resp r;
	char near[37], mid[37], far[37], leeds[37];
	long a, b, c;

	/* From DN15 6: DN15 7 is about 0.7 miles, DN16 2 about 1.5, DN21 1
	 * (Gainsborough) about 14, LS1 4 (Leeds) about 41. */
	save(t, &(struct svc){ .org = ORG_A, .name = "Gainsborough Walk", .postcode = "DN21 1AA",
			       .state = SVC_PUBLISHED }, far);
	save(t, &(struct svc){ .org = ORG_A, .name = "Ashby Walk", .postcode = "DN16 2AA",
			       .state = SVC_PUBLISHED }, mid);
	save(t, &(struct svc){ .org = ORG_A, .name = "Leeds Walk", .postcode = "LS1 4AA",
			       .state = SVC_PUBLISHED }, leeds);
	save(t, &(struct svc){ .org = ORG_A, .name = "Brumby Walk", .postcode = "DN15 7AA",
			       .state = SVC_PUBLISHED }, near);
	rt_get(t, "/find?postcode=dn15+6xx", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "3 results within 15 miles of DN15 6XX"));
	a = pos(&r, ">Brumby Walk</a>");
	b = pos(&r, ">Ashby Walk</a>");
	c = pos(&r, ">Gainsborough Walk</a>");
	assert_true(a > 0 && b > a && c > b);
	assert_false(rt_has(&r, ">Leeds Walk</a>"));
	assert_true(rt_has(&r, "0.7 miles away"));
	assert_true(rt_has(&r, "1.6 miles away"));
	assert_true(rt_has(&r, "14 miles away"));
	/* Sorting by distance is what happened, and the page says so. */
	assert_true(rt_has(&r, "aria-current=\"true\">Nearest</strong>"));
	/* What was typed stays in the box (normalised only in the heading). */
	assert_true(rt_has(&r, "value=\"dn15 6xx\""));
	rt_resp_free(&r);

	/* Further afield: Leeds too, still last. */
	rt_get(t, "/find?postcode=DN15+6XX&miles=50", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "4 results within 50 miles of DN15 6XX"));
	assert_true(pos(&r, ">Leeds Walk</a>") > pos(&r, ">Gainsborough Walk</a>"));
	rt_resp_free(&r);

	/* The first half of a postcode is enough. */
	rt_get(t, "/find?postcode=DN16", &r);
	assert_int_equal(r.status, 200);
	assert_true(pos(&r, ">Ashby Walk</a>") > 0);
	assert_true(pos(&r, ">Ashby Walk</a>") < pos(&r, ">Brumby Walk</a>"));
	rt_resp_free(&r);
}

/* Words and a postcode: the best match first, all of them near; nearest
 * first is one link away. */
static void find_words_near_best_match_first(void **state)
{
	struct rt *t = *state;
	struct rt_resp r;
	char id[37];

	save(t, &(struct svc){ .org = ORG_B, .name = "Brumby Food Bank", .postcode = "DN15 7AA",
			       .categories = cat("food"), .state = SVC_PUBLISHED,
			       .description = "Emergency food parcels. It is a short walk from the bus station." },
	     id);
	save(t, &(struct svc){ .org = ORG_A, .name = "Ashby Walk", .postcode = "DN16 2AA",
			       .state = SVC_PUBLISHED, .description = "A walk round the park." }, id);
	rt_get(t, "/find?q=walk&postcode=DN15+6XX", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "2 results within 15 miles of DN15 6XX"));
	assert_true(rt_has(&r, "<title>2 services for walk near DN15 6XX"));
	assert_true(pos(&r, ">Ashby Walk</a>") < pos(&r, ">Brumby Food Bank</a>"));
	assert_true(rt_has(&r, "aria-current=\"true\">Best match</strong>"));
	assert_true(rt_has(&r, "href=\"/find?q=walk&amp;postcode=DN15+6XX&amp;sort=distance\">Nearest</a>"));
	rt_resp_free(&r);
	rt_get(t, "/find?q=walk&postcode=DN15+6XX&sort=distance", &r);
	assert_true(pos(&r, ">Brumby Food Bank</a>") < pos(&r, ">Ashby Walk</a>"));
	/* The choice is kept for the next search from this page. */
	assert_true(rt_has(&r, "<input type=\"hidden\" name=\"sort\" value=\"distance\">"));
	rt_resp_free(&r);
}

static void find_bad_postcode_is_422(void **state)
{
	struct rt *t = *state;
	static const char *const bad[] = { "ZZ99+9ZZ", "hello" };
	struct rt_resp r;
	char id[37];

	save(t, &(struct svc){ .org = ORG_A, .name = "Tuesday Health Walk", .state = SVC_PUBLISHED }, id);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		char target[128];

		snprintf(target, sizeof(target), "/find?q=walk&postcode=%s", bad[i]);
		rt_get(t, target, &r);
		assert_int_equal(r.status, 422);
		assert_true(rt_has(&r, "<title>Error: Find support"));
		assert_true(rt_has(&r, "class=\"govuk-error-summary\""));
		assert_true(rt_has(&r, "<a href=\"#postcode\">"));
		assert_true(rt_has(&r, "id=\"postcode-error\""));
		assert_true(rt_has(&r, "govuk-input--error"));
		/* What was typed is kept, words and postcode. */
		assert_true(rt_has(&r, "value=\"walk\""));
		assert_true(rt_has(&r, i == 0 ? "value=\"ZZ99 9ZZ\"" : "value=\"hello\""));
		/* Never an empty list: no results section at all. */
		assert_false(rt_has(&r, "No results"));
		assert_false(rt_has(&r, ">Tuesday Health Walk</a>"));
		assert_null(rt_header(&r, "Set-Cookie"));
		rt_resp_free(&r);
	}
	/* The unknown one names itself; the malformed one says what a
	 * postcode looks like. */
	rt_get(t, "/find?postcode=ZZ99+9ZZ", &r);
	assert_true(rt_has(&r, "ZZ99 9ZZ"));
	rt_resp_free(&r);
	rt_get(t, "/find?postcode=hello", &r);
	assert_true(rt_has(&r, "like DN15 6XX"));
	rt_resp_free(&r);
}

static void find_by_town_or_village(void **state)
{
	struct rt *t = *state;
	struct rt_resp r;
	char id[37];

	save(t, &(struct svc){ .org = ORG_A, .name = "Brigg Health Walk", .state = SVC_PUBLISHED,
			       .town = "Brigg", .postcode = "DN20 8PH" }, id);
	save(t, &(struct svc){ .org = ORG_A, .name = "Ashby Lunch Club", .state = SVC_PUBLISHED,
			       .town = "Scunthorpe", .postcode = "DN16 2AB" }, id);
	save(t, &(struct svc){ .org = ORG_A, .name = "Crowle Coffee Morning", .state = SVC_PUBLISHED,
			       .town = "Crowle", .postcode = "DN17 4LA" }, id);
	/* Not known until the job has built the names again. */
	rt_get(t, "/find?postcode=Brigg", &r);
	assert_int_equal(r.status, 422);
	rt_resp_free(&r);
	places_job(t);
	assert_int_equal(directory_places_count(t->app.directory), 3);

	/* A town: the results near it, nearest first, and the page says
	 * where, under the town's own spelling. */
	rt_get(t, "/find?postcode=Brigg", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "results within 15 miles of Brigg</h2>"));
	assert_true(rt_has(&r, "<title>3 services near Brigg"));
	assert_true(pos(&r, ">Brigg Health Walk</a>") > 0);
	assert_true(pos(&r, ">Brigg Health Walk</a>") < pos(&r, ">Ashby Lunch Club</a>"));
	assert_true(pos(&r, ">Ashby Lunch Club</a>") < pos(&r, ">Crowle Coffee Morning</a>"));
	/* What was typed stays in the box. */
	assert_true(rt_has(&r, "id=\"postcode\" name=\"postcode\" type=\"text\" value=\"Brigg\""));
	rt_resp_free(&r);

	/* Case, spaces and punctuation do not matter; words work too. */
	rt_get(t, "/find?q=lunch&postcode=+sCUNTHORPE.+", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "within 15 miles of Scunthorpe</h2>"));
	assert_true(rt_has(&r, "<title>1 service for lunch near Scunthorpe"));
	assert_true(rt_has(&r, ">Ashby Lunch Club</a>"));
	rt_resp_free(&r);
	rt_get(t, "/find?postcode=crowle&miles=1", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "1 result within 1 miles of Crowle</h2>"));
	rt_resp_free(&r);

	/* A name not known: a 422 that says which places are, the nearest
	 * spelling first, with what was typed kept. */
	rt_get(t, "/find?q=walk&postcode=Scuntorpe", &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "<title>Error: Find support"));
	assert_true(rt_has(&r, "We could not find “Scuntorpe”. Try a postcode, like DN15 6XX, or one of: "
			   "Scunthorpe, Brigg, Crowle."));
	assert_true(rt_has(&r, "<a href=\"#postcode\">"));
	assert_true(rt_has(&r, "value=\"Scuntorpe\""));
	assert_true(rt_has(&r, "value=\"walk\""));
	assert_false(rt_has(&r, "Brigg Health Walk</a>"));
	rt_resp_free(&r);
	/* Something with a digit is read as a postcode, and told so. */
	rt_get(t, "/find?postcode=Brigg+2", &r);
	assert_int_equal(r.status, 422);
	assert_false(rt_has(&r, "or one of:"));
	rt_resp_free(&r);

	/* Archived services' towns go with them, when the job runs again. */
	assert_int_equal(directory_set_state(rt_db(t), id, SVC_ARCHIVED, 0, time_now()), ERR_OK);
	assert_int_equal(directory_apply_changes(t->app.directory, rt_db(t)), ERR_OK);
	places_job(t);
	assert_int_equal(directory_places_count(t->app.directory), 2);
	rt_get(t, "/find?postcode=Crowle", &r);
	assert_int_equal(r.status, 422);
	rt_resp_free(&r);
}

static void find_words_and_filters_with_counts(void **state)
{
	struct rt *t = *state;
	struct rt_resp r;
	char id[37];

	save(t, &(struct svc){ .org = ORG_A, .name = "Tuesday Health Walk", .state = SVC_PUBLISHED,
			       .free = true, .wheelchair = true, .weekday = 1 }, id);
	save(t, &(struct svc){ .org = ORG_A, .name = "Friday Nordic Walk", .state = SVC_PUBLISHED,
			       .free = false, .weekday = 4 }, id);
	save(t, &(struct svc){ .org = ORG_A, .name = "Evening Walking Group", .state = SVC_PUBLISHED,
			       .free = true, .weekday = 2, .opens = "18:30", .closes = "20:00" }, id);
	save(t, &(struct svc){ .org = ORG_B, .name = "Lunch Club", .state = SVC_PUBLISHED, .free = false,
			       .categories = cat("lunch-club"), .description = "A hot meal and good company." },
	     id);
	save(t, &(struct svc){ .org = ORG_A, .name = "Draft Walk", .state = SVC_DRAFT, .free = true }, id);

	/* Words: stemmed, so "walking" finds walks; drafts never appear. */
	rt_get(t, "/find?q=walking", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "3 results"));
	assert_false(rt_has(&r, "Lunch Club</a>"));
	assert_false(rt_has(&r, "Draft Walk"));
	/* Each filter says how many it would give. */
	assert_true(rt_has(&r, "Free of charge (2)"));
	assert_true(rt_has(&r, "Step-free or wheelchair accessible (1)"));
	assert_true(rt_has(&r, "Friday (1)"));
	assert_true(rt_has(&r, "Evening (after 5pm) (1)"));
	/* A filter that would give nothing is not offered. */
	assert_false(rt_has(&r, "Saturday ("));
	assert_false(rt_has(&r, "Lunch clubs and social meals ("));
	rt_resp_free(&r);

	/* Ticking "free" gives the number it promised. */
	rt_get(t, "/find?q=walking&free=1", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "2 results"));
	assert_false(rt_has(&r, "Friday Nordic Walk</a>"));
	/* It stays ticked, the filters are sent folded (a phone shows the
	 * results first; a wide screen opens them) with the count on their
	 * button, and it can be removed. */
	assert_true(rt_has(&r, "id=\"free-1\" name=\"free\" type=\"checkbox\" value=\"1\" checked"));
	assert_true(rt_has(&r, "<details class=\"govuk-details kith-filters\" id=\"filters\">"));
	assert_false(rt_has(&r, "kith-filters\" id=\"filters\" open"));
	assert_true(rt_has(&r, "Filter results (1 chosen)</span>"));
	assert_true(rt_has(&r, "formaction=\"/find#results\">Apply filters</button>"));
	assert_true(rt_has(&r, "href=\"/find?q=walking\">Remove<span class=\"govuk-visually-hidden\"> filter</span>: Free of charge</a>"));
	rt_resp_free(&r);

	/* Filters combine: free and on Wednesday evenings. */
	rt_get(t, "/find?free=1&day=wed&time=evening", &r);
	assert_true(rt_has(&r, "1 result<"));
	assert_true(rt_has(&r, ">Evening Walking Group</a>"));
	rt_resp_free(&r);

	/* "Weekdays": Monday to Friday in one box, with no count (a service on
	 * two weekdays would count twice); it stays ticked, and ticks the days. */
	rt_get(t, "/find?q=walking", &r);
	assert_true(rt_has(&r, ">Weekdays (Monday to Friday)</label>"));
	rt_resp_free(&r);
	rt_get(t, "/find?q=walking&day=weekdays", &r);
	assert_true(rt_has(&r, "3 results"));
	assert_true(rt_has(&r, "id=\"day-weekdays\" name=\"day\" type=\"checkbox\" value=\"weekdays\" checked"));
	rt_resp_free(&r);
	rt_get(t, "/find?day=sat", &r);
	assert_false(rt_has(&r, "Walk</a>"));
	rt_resp_free(&r);

	/* A category by itself. */
	rt_get(t, "/find?category=lunch-club", &r);
	assert_true(rt_has(&r, "1 result<"));
	assert_true(rt_has(&r, ">Lunch Club</a>"));
	rt_resp_free(&r);
}

static void find_no_results_suggests_ways_out(void **state)
{
	struct rt *t = *state;
	struct rt_resp r;
	char id[37];

	save(t, &(struct svc){ .org = ORG_A, .name = "Gainsborough Walk", .postcode = "DN21 1AA",
			       .state = SVC_PUBLISHED, .free = false }, id);
	/* Nothing free within 5 miles. */
	rt_get(t, "/find?postcode=DN15+6XX&miles=5&free=1", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "No results"));
	assert_true(rt_has(&r, "We could not find any support that matches your search."));
	assert_true(rt_has(&r, "href=\"/find?postcode=DN15+6XX&amp;miles=5\">search again without your filters</a>"));
	assert_true(rt_has(&r, "href=\"/find?postcode=DN15+6XX&amp;free=1&amp;miles=15\">look further away, up to 15 miles</a>"));
	rt_resp_free(&r);

	/* Words that match nothing at all say so. */
	rt_get(t, "/find?q=zebracrossingdancing", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "matches the words “zebracrossingdancing”"));
	rt_resp_free(&r);
}

static void find_pages_of_twenty(void **state)
{
	struct rt *t = *state;
	struct rt_resp r;
	char id[37], name[64];

	for (int i = 1; i <= 45; i++) {
		snprintf(name, sizeof(name), "Walk %02d", i);
		save(t, &(struct svc){ .org = ORG_A, .name = name, .state = SVC_PUBLISHED }, id);
	}
	rt_get(t, "/find?category=walking&sort=name", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "45 results"));
	assert_true(rt_has(&r, "<title>45 services"));
	assert_true(rt_has(&r, "Showing 1 to 20 of 45."));
	assert_int_equal(count(&r, "class=\"kith-result\""), 20);
	assert_true(rt_has(&r, ">Walk 01</a>"));
	assert_false(rt_has(&r, ">Walk 21</a>"));
	assert_true(rt_has(&r, "href=\"/find?category=walking&amp;sort=name&amp;page=2\" rel=\"next\""));
	assert_true(rt_has(&r, "aria-label=\"Page 1\" aria-current=\"page\""));
	assert_true(rt_has(&r, "aria-label=\"Page 3\""));
	rt_resp_free(&r);

	rt_get(t, "/find?category=walking&sort=name&page=3", &r);
	assert_true(rt_has(&r, "<title>45 services (page 3)"));
	assert_true(rt_has(&r, "Showing 41 to 45 of 45."));
	assert_int_equal(count(&r, "class=\"kith-result\""), 5);
	assert_true(rt_has(&r, ">Walk 45</a>"));
	assert_true(rt_has(&r, "rel=\"prev\""));
	assert_false(rt_has(&r, "rel=\"next\""));
	rt_resp_free(&r);

	/* An old link past the end shows the last page. */
	rt_get(t, "/find?category=walking&sort=name&page=9", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Showing 41 to 45 of 45."));
	rt_resp_free(&r);

	/* The same search as JSON. */
	{
		const char *h[] = { "Accept: application/json", NULL };
		json_t *j;

		rt_request(t, "GET", "/find?category=walking&sort=name&page=2", h, NULL, 0, NULL, &r);
		assert_int_equal(r.status, 200);
		j = json_loads(r.body, 0, NULL);
		assert_non_null(j);
		assert_int_equal(json_integer_value(json_object_get(j, "total")), 45);
		assert_int_equal(json_array_size(json_object_get(j, "results")), 20);
		assert_string_equal(json_string_value(json_object_get(json_array_get(
			json_object_get(j, "results"), 0), "name")), "Walk 21");
		json_decref(j);
		rt_resp_free(&r);
	}
}

/* ---------------------------------------------------------------- a service */

static void service_page_for_everyone(void **state)
{
	struct rt *t = *state;
	struct rt_resp r;
	char id[37], target[96];

	save(t, &(struct svc){ .org = ORG_A, .name = "Tuesday Health Walk", .state = SVC_PUBLISHED,
			       .free = true, .weekday = 1, .email = "walks@example.org",
			       .phone = "01724 123456" }, id);
	snprintf(target, sizeof(target), "/services/%s", id);
	rt_get(t, target, &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "<h1 class=\"govuk-heading-xl\">Tuesday Health Walk</h1>"));
	assert_true(rt_has(&r, "Every Tuesday, 10:00 to 11:30"));
	assert_true(rt_has(&r, "href=\"mailto:walks@example.org\""));
	assert_true(rt_has(&r, "href=\"tel:01724123456\""));
	assert_true(rt_has(&r, "href=\"/organisations/" ORG_A "\""));
	assert_true(rt_has(&r, "Just turn up"));
	assert_true(rt_has(&r, "Checked today"));
	assert_false(rt_has(&r, "Manage this listing"));
	assert_null(rt_header(&r, "Set-Cookie"));
	rt_resp_free(&r);

	/* The same as JSON. */
	{
		const char *h[] = { "Accept: application/json", NULL };
		json_t *j;

		rt_request(t, "GET", target, h, NULL, 0, NULL, &r);
		assert_int_equal(r.status, 200);
		assert_non_null(strstr(r.content_type, "application/json"));
		j = json_loads(r.body, 0, NULL);
		assert_non_null(j);
		assert_string_equal(json_string_value(json_object_get(j, "name")), "Tuesday Health Walk");
		json_decref(j);
		rt_resp_free(&r);
	}
	/* Nothing there. */
	rt_get(t, "/services/00000000-0000-4000-8000-000000000000", &r);
	assert_int_equal(r.status, 404);
	rt_resp_free(&r);
}

static void drafts_and_archived_only_for_their_organisation(void **state)
{
	struct rt *t = *state;
	struct rt_cast c;
	struct rt_resp r;
	char draft[37], target[96];

	rt_cast_people(t, &c, RT_CAST_OLU | RT_CAST_BEA | RT_CAST_CORA | RT_CAST_MO | RT_CAST_BROWSERS);
	save(t, &(struct svc){ .org = ORG_A, .name = "Secret Draft Walk", .state = SVC_DRAFT }, draft);
	snprintf(target, sizeof(target), "/services/%s", draft);

	rt_get(t, target, &r);
	assert_int_equal(r.status, 404);
	assert_false(rt_has(&r, "Secret Draft Walk"));
	rt_resp_free(&r);
	rt_browser_get_is(t, &c.member, target, 404, NULL);
	rt_browser_get(t, &c.other, target, &r);
	assert_int_equal(r.status, 404);
	assert_false(rt_has(&r, "Secret Draft Walk"));
	rt_resp_free(&r);

	rt_browser_get(t, &c.own, target, &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "This is a draft."));
	assert_true(rt_has(&r, "Secret Draft Walk"));
	assert_true(rt_has(&r, "Manage this listing"));
	assert_false(rt_has(&r, "/publish\""));       /* organisers do not publish */
	rt_resp_free(&r);
	rt_browser_get_is(t, &c.coord, target, 200, "This is a draft.",
			"action=\"/manage/services/", "/publish\"", NULL);

	/* Archived: the same. */
	assert_int_equal(db_begin(rt_db(t)), ERR_OK);
	assert_int_equal(directory_set_state(rt_db(t), draft, SVC_ARCHIVED, 0, time_now()), ERR_OK);
	assert_int_equal(db_commit(rt_db(t)), ERR_OK);
	rt_get(t, target, &r);
	assert_int_equal(r.status, 404);
	rt_resp_free(&r);
	rt_browser_get_is(t, &c.own, target, 200, "This listing is archived.", NULL);
}

static void organisation_page(void **state)
{
	struct rt *t = *state;
	struct rt_resp r;
	char id[37];

	save(t, &(struct svc){ .org = ORG_A, .name = "Tuesday Health Walk", .state = SVC_PUBLISHED }, id);
	save(t, &(struct svc){ .org = ORG_A, .name = "Hidden Draft Walk", .state = SVC_DRAFT }, id);
	save(t, &(struct svc){ .org = ORG_B, .name = "Lunch Club", .state = SVC_PUBLISHED,
			       .categories = cat("lunch-club") }, id);
	rt_get(t, "/organisations/" ORG_A, &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Northtown Walkers"));
	assert_true(rt_has(&r, ">Tuesday Health Walk</a>"));
	assert_false(rt_has(&r, "Hidden Draft Walk"));
	assert_false(rt_has(&r, "Lunch Club"));
	rt_resp_free(&r);
	rt_get(t, "/organisations/00000000-0000-4000-8000-000000000000", &r);
	assert_int_equal(r.status, 404);
	rt_resp_free(&r);
}

/* The public pages only read: no write transaction, and JSON too. */
static void public_routes_only_read(void **state)
{
	struct rt *t = *state;
	static const char *const patterns[] = { "/find", "/services/{id:uuid}", "/organisations/{id:uuid}" };
	size_t found = 0;

	for (size_t i = 0; i < router_count(t->app.router); i++) {
		const struct route *rt = router_at(t->app.router, i);

		for (size_t k = 0; k < ARRAY_LEN(patterns); k++) {
			if (rt->method != M_GET || strcmp(rt->pattern, patterns[k]) != 0)
				continue;
			found++;
			assert_int_equal(rt->action, &act_public);
			assert_false(rt->flags & RF_WRITE_TX);
			assert_true(rt->flags & RF_PAGE_JSON);
		}
	}
	assert_int_equal(found, ARRAY_LEN(patterns));
}

/* Only search words, a postcode and vocabulary codes go in /find's
 * links: a page's own links never carry anything else. */
static void find_links_carry_only_the_search(void **state)
{
	struct rt *t = *state;
	struct rt_resp r;
	char id[37];

	for (int i = 0; i < 25; i++)
		save(t, &(struct svc){ .org = ORG_A, .name = "Walk", .state = SVC_PUBLISHED }, id);
	rt_get(t, "/find?q=walk&postcode=DN15+6XX&condition=copd&utm_source=x&email=a%40b.c", &r);
	assert_int_equal(r.status, 200);
	assert_false(rt_has(&r, "utm_source"));
	assert_false(rt_has(&r, "a@b.c"));
	assert_false(rt_has(&r, "email="));
	rt_resp_free(&r);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, rt_teardown)
	const struct CMUnitTest tests[] = {
		T(find_page_without_a_search),
		T(find_by_postcode_nearest_first),
		T(find_words_near_best_match_first),
		T(find_bad_postcode_is_422),
		T(find_by_town_or_village),
		T(find_words_and_filters_with_counts),
		T(find_no_results_suggests_ways_out),
		T(find_pages_of_twenty),
		T(service_page_for_everyone),
		T(drafts_and_archived_only_for_their_organisation),
		T(organisation_page),
		T(public_routes_only_read),
		T(find_links_carry_only_the_search),
	};
#undef T

	return testdb_run_groups("directory_web", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
