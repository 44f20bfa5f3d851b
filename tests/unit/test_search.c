/*
 * test_search.c - the search index: words and stems, AND semantics, BM25
 * on cases worked by hand, every filter and its facet counts, distance,
 * radius, sorts, pages, replacing and removing, readers beside a writer,
 * and a randomized comparison with a brute-force reference written from
 * the header's definitions (not from search.c's code).
 */
#include "core/common.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/buf.h"
#include "search/postcode.h"
#include "search/schedule.h"
#include "search/search.h"

/* ---------------------------------------------------------------- helpers */

static char *words(const char *text)
{
	static char out[1024];
	struct buf b;

	buf_init(&b, 4096);
	search_words(text, &b);
	assert_true(buf_ok(&b));
	snprintf(out, sizeof(out), "%s", b.p);
	buf_release(&b);
	return out;
}

static struct search_doc doc(const char *id, const char *name, const char *body)
{
	struct search_doc d;

	memset(&d, 0, sizeof(d));
	d.id = id;
	d.org_id = "org-1";
	d.name = name;
	d.body = body;
	return d;
}

static void put(struct search_index *ix, struct search_doc d)
{
	assert_int_equal(search_put(ix, &d), ERR_OK);
}

static struct search_query query(const char *text)
{
	struct search_query q;

	memset(&q, 0, sizeof(q));
	q.text = text;
	q.limit = 20;
	q.now = 1800000000;
	return q;
}

/* Runs q; the hit ids joined with spaces. */
static const char *run(struct search_index *ix, const struct search_query *q, struct search_result *r,
		struct arena *a)
{
	static char ids[4096];
	size_t o = 0;

	assert_int_equal(search_run(ix, q, a, r), ERR_OK);
	ids[0] = '\0';
	for (size_t i = 0; i < r->n; i++)
		o += (size_t)snprintf(ids + o, sizeof(ids) - o, "%s%s", i ? " " : "", r->hits[i].id);
	return ids;
}

/* The first word of a space-separated list. */
static const char *first_id(const char *ids)
{
	static char first[64];
	size_t n = strcspn(ids, " ");

	snprintf(first, sizeof(first), "%.*s", (int)n, ids);
	return first;
}

static struct sched weekly(int wday, int opens)
{
	struct sched s;

	memset(&s, 0, sizeof(s));
	s.freq = SCHED_WEEKLY;
	s.interval = 1;
	s.weekdays = (uint8_t)(1u << wday);
	s.opens = opens;
	s.closes = opens >= 0 ? opens + 90 : -1;
	return s;
}

/* ---------------------------------------------------------------- words */

static void words_are_stemmed_folded_and_filtered(void **state)
{
	UNUSED(state);
	assert_string_equal(words("Walking walks WALKED walk"), "walk walk walk walk");
	assert_string_equal(words("the and of a I"), "");
	assert_string_equal(words("Support for carers"), "support carer");
	/* UTF-8: accents fold, so either spelling finds the other. */
	assert_string_equal(words("Café CAFÉ cafe"), "cafe cafe cafe");
	assert_string_equal(words("cafe\xcc\x81"), "cafe");               /* decomposed é */
	assert_string_equal(words("\xc5\x81\xc3\xb3\x64\xc5\xba"), "lodz");  /* Łódź */
	assert_string_equal(words("Stra\xc3\x9f" "e"), "strass");          /* ß */
	/* Other scripts are kept as they are. */
	assert_string_equal(words("\xd0\xbf\xd0\xbe\xd0\xbc\xd0\xbe\xd1\x89\xd1\x8c"), "\xd0\xbf\xd0\xbe\xd0\xbc\xd0\xbe\xd1\x89\xd1\x8c");
	/* Punctuation, typographic quotes, emoji and invalid bytes split words. */
	assert_string_equal(words("St Mary\xe2\x80\x99s lunch-club"), "st mari lunch club");
	assert_string_equal(words("tea\xf0\x9f\x98\x80" "cake"), "tea cake");
	assert_string_equal(words("ab\xff" "cd\xc3"), "ab cd");
	/* Numbers stay; one-character words go. */
	assert_string_equal(words("Over 50s club 2024 x 7"), "50s club 2024");
	assert_string_equal(words(""), "");
	/* Very long words are cut, the same way for documents and queries. */
	char longw[200];
	memset(longw, 'q', sizeof(longw) - 1);
	longw[sizeof(longw) - 1] = '\0';
	assert_int_equal(strlen(words(longw)), 64);
}

/* ---------------------------------------------------------------- text */

static void and_semantics_and_nothing_matched(void **state)
{
	struct search_index *ix = search_new();
	struct search_result r;
	struct search_query q;
	struct arena a;

	UNUSED(state);
	arena_init(&a);
	put(ix, doc("a", "Riverside Walking Group", "A gentle walk by the river"));
	put(ix, doc("b", "Tuesday Lunch Club", "Hot lunches and company"));
	put(ix, doc("c", "Walk and Lunch", "We walk, then have lunch together"));

	q = query("walks");
	q.sort = SORT_NAME;
	assert_string_equal(run(ix, &q, &r, &a), "a c");
	assert_int_equal(r.total, 2);
	assert_false(r.text_matched_nothing);
	/* Both words first; then, as the two are as common as each other,
	 * the services with one of them. */
	q = query("walking lunch");
	assert_string_equal(first_id(run(ix, &q, &r, &a)), "c");
	assert_int_equal(r.total, 3);
	q = query("lunch zebra");
	assert_string_equal(run(ix, &q, &r, &a), "");
	assert_true(r.text_matched_nothing);
	assert_int_equal(r.total, 0);
	/* Words that exist, in no document together: each one's services,
	 * and not "nothing matched". */
	q = query("river hot");
	q.sort = SORT_NAME;
	assert_string_equal(run(ix, &q, &r, &a), "a b");
	assert_false(r.text_matched_nothing);
	/* Only stopwords: as no text at all (every document, by name). */
	q = query("the and");
	assert_string_equal(run(ix, &q, &r, &a), "a b c");
	assert_int_equal(r.total, 3);
	assert_int_equal(search_count(ix), 3);
	assert_true(search_bytes(ix) > 0);
	arena_release(&a);
	search_free(ix);
}

/* A small directory like a town's: walking groups, other groups that
 * mention a walk, health walks that are not called groups, and many
 * groups of other kinds. */
static void walking_group_directory(struct search_index *ix)
{
	static const char *const others[] = { "Carers", "Stroke", "Parents", "Knit and Natter",
		"Mens Shed", "Bereavement", "Craft", "Singing", "Book", "Chess", "Veterans", "Hearing",
		"Autism", "Sight Loss", "Gardening", "Youth", "Writing", "Pilates", "Bingo", "Choir" };
	static char ids[40][16], names[40][64];
	size_t n = 0;

	put(ix, doc("walk-1", "Riverside Walking Group", "Gentle walks along the river, then tea."));
	put(ix, doc("walk-2", "Ashby Walking Group", "We walk for an hour, at the pace of the slowest."));
	put(ix, doc("walk-3", "Brigg Walking Group for Health", "Short walks for people getting active again."));
	/* "group" and "walk" both, but not walking groups. */
	put(ix, doc("both-1", "Carers Cafe", "A support group for carers, a short walk from the bus station."));
	put(ix, doc("both-2", "Debt Advice Drop-in", "One to one advice, and a group session. A short walk from the library."));
	put(ix, doc("both-3", "Lunch Club", "A hot lunch for our group, five minutes' walk from the market."));
	/* Walks that are not called groups. */
	put(ix, doc("only-1", "Bottesford Health Walk", "A free, friendly walk of about an hour."));
	put(ix, doc("only-2", "Nordic Walking", "Walking with poles, led by trained volunteers."));
	put(ix, doc("only-3", "Buggy Walk", "A walk with pushchairs around the park."));
	/* Groups of every other kind: "group" is the common word. */
	for (size_t i = 0; i < ARRAY_LEN(others); i++, n++) {
		snprintf(ids[n], sizeof(ids[n]), "group-%02zu", i);
		snprintf(names[n], sizeof(names[n]), "%s Group", others[i]);
		put(ix, doc(ids[n], names[n], "A friendly group that meets every week in the community centre."));
	}
}

static void all_words_rank_first(void **state)
{
	struct search_index *ix = search_new();
	struct search_result r;
	struct search_query q;
	struct arena a;
	char got[4096];

	UNUSED(state);
	arena_init(&a);
	walking_group_directory(ix);

	/* The walking groups (every word, in the name), then the services
	 * with both words, then the walks; never a group of another kind. */
	q = query("walking group");
	snprintf(got, sizeof(got), "%s", run(ix, &q, &r, &a));
	assert_int_equal(r.total, 9);
	assert_int_equal(r.n, 9);
	for (size_t i = 0; i < 3; i++)
		assert_true(strncmp(r.hits[i].id, "walk-", 5) == 0);
	for (size_t i = 3; i < 6; i++)
		assert_true(strncmp(r.hits[i].id, "both-", 5) == 0);
	for (size_t i = 6; i < 9; i++)
		assert_true(strncmp(r.hits[i].id, "only-", 5) == 0);
	assert_null(strstr(got, "group-"));
	/* The same words the other way round, and another form of them. */
	q = query("groups walk");
	assert_string_equal(run(ix, &q, &r, &a), got);

	/* A page of them: the ranks carry across pages. */
	q = query("walking group");
	q.limit = 4;
	q.offset = 4;
	run(ix, &q, &r, &a);
	assert_int_equal(r.n, 4);
	assert_true(strncmp(r.hits[0].id, "both-", 5) == 0);
	assert_true(strncmp(r.hits[2].id, "only-", 5) == 0);

	/* With filters and facets (the full path, not the plain one): the
	 * same order, and the counts are of the same matches. */
	q = query("walking group");
	q.facets = true;
	assert_string_equal(run(ix, &q, &r, &a), got);
	assert_int_equal(r.total, 9);

	/* By name, the same nine (partial matches are not dropped). */
	q = query("walking group");
	q.sort = SORT_NAME;
	run(ix, &q, &r, &a);
	assert_int_equal(r.total, 9);

	/* One rare word and one common one: the rare word's services, those
	 * with both first. */
	q = query("nordic group");
	assert_string_equal(run(ix, &q, &r, &a), "only-2");
	q = query("river group");
	assert_string_equal(run(ix, &q, &r, &a), "walk-1");
	q = query("carers walk");
	assert_string_equal(first_id(run(ix, &q, &r, &a)), "both-1");
	/* "carers" is rarer than "walk": Carers Group comes, after. */
	assert_non_null(strstr(run(ix, &q, &r, &a), "group-00"));
	arena_release(&a);
	search_free(ix);
}

static void bm25_orders_known_cases(void **state)
{
	struct search_index *ix = search_new();
	struct search_result r;
	struct search_query q;
	struct arena a;
	char id[16];

	UNUSED(state);
	arena_init(&a);
	/* A name hit beats a body hit (same lengths). */
	put(ix, doc("name", "Walking friends", "meet every week"));
	put(ix, doc("body", "Friendly friends", "walking every week"));
	/* Filler so that "support" is common and "choir" is rare. */
	for (int i = 0; i < 20; i++) {
		snprintf(id, sizeof(id), "f%d", i);
		put(ix, doc(id, "Filler", "support group meeting"));
	}
	put(ix, doc("rare2", "Together", "support choir choir"));
	put(ix, doc("common2", "Together", "support support choir"));

	q = query("walking");
	assert_string_equal(run(ix, &q, &r, &a), "name body");
	assert_true(r.hits[0].score > r.hits[1].score);
	/* Same length, one more of the rarer word beats one more of the
	 * common word. */
	q = query("support choir");
	assert_string_equal(run(ix, &q, &r, &a), "rare2 common2");
	/* BM25 by hand for the single-word case: N = 24, df("walk") = 2,
	 * name doc: tf 3, dl 3*2+3 = 9; avgdl = (9 + 9 + 20*(3+3) + 2*(3+3))/24. */
	q = query("walking");
	run(ix, &q, &r, &a);
	double N = 24, df = 2, avgdl = (9 + 9 + 20 * 6 + 2 * 6) / 24.0;
	double idf = log(1 + (N - df + 0.5) / (df + 0.5));
	double K = 1.2 * (1 - 0.75 + 0.75 * 9 / avgdl);
	assert_true(fabs(r.hits[0].score - idf * 3 * 2.2 / (3 + K)) < 1e-12);
	assert_true(fabs(r.hits[1].score - idf * 1 * 2.2 / (1 + K)) < 1e-12);
	arena_release(&a);
	search_free(ix);
}

/* ---------------------------------------------------------------- filters */

static void filters_and_multi_select_facets(void **state)
{
	struct search_index *ix = search_new();
	struct search_result r;
	struct search_query q;
	struct arena a;
	static const char *terms1[] = { "t-walk", "t-peer" }, *taxes1[] = { "tax-cat", "tax-kith" };
	static const char *terms2[] = { "t-lunch" }, *taxes2[] = { "tax-cat" };

	UNUSED(state);
	arena_init(&a);
	struct search_doc d = doc("1", "One", "club");
	d.categories = 1u << 0 | 1u << 2;
	d.conditions = 1u << 1;
	d.languages = 1u << 0;
	d.flags = SF_FREE | SF_WHEELCHAIR;
	d.scheds[0] = weekly(0, 10 * 60);          /* Monday morning */
	d.nscheds = 1;
	d.terms = terms1;
	d.taxonomies = taxes1;
	d.nterms = 2;
	d.modified = 1000;
	put(ix, d);
	d = doc("2", "Two", "club");
	d.categories = 1u << 2;
	d.languages = 1u << 0 | 1u << 3;
	d.flags = SF_FREE | SF_ONLINE;
	d.scheds[0] = weekly(1, 19 * 60);          /* Tuesday evening */
	d.nscheds = 1;
	d.terms = terms2;
	d.taxonomies = taxes2;
	d.nterms = 1;
	d.org_id = "org-2";
	d.modified = 2000;
	put(ix, d);
	d = doc("3", "Three", "club");
	d.categories = 1u << 5;
	d.conditions = 1u << 1;
	d.languages = 1u << 0;
	d.flags = SF_PEER_LED | SF_TURN_UP;
	d.scheds[0] = weekly(0, 14 * 60);          /* Monday afternoon */
	d.nscheds = 1;
	d.modified = 3000;
	put(ix, d);

	q = query("club");
	q.facets = true;
	q.sort = SORT_NAME;
	run(ix, &q, &r, &a);
	assert_int_equal(r.total, 3);
	assert_int_equal(r.facets.categories[0], 1);
	assert_int_equal(r.facets.categories[2], 2);
	assert_int_equal(r.facets.categories[5], 1);
	assert_int_equal(r.facets.conditions[1], 2);
	assert_int_equal(r.facets.languages[0], 3);
	assert_int_equal(r.facets.languages[3], 1);
	assert_int_equal(r.facets.free, 2);
	assert_int_equal(r.facets.wheelchair, 1);
	assert_int_equal(r.facets.online, 1);
	assert_int_equal(r.facets.peer_led, 1);
	assert_int_equal(r.facets.turn_up, 1);
	assert_int_equal(r.facets.in_person, 0);
	assert_int_equal(r.facets.days[0], 2);
	assert_int_equal(r.facets.days[1], 1);
	assert_int_equal(r.facets.days[2], 0);
	assert_int_equal(r.facets.parts[0], 1);
	assert_int_equal(r.facets.parts[1], 1);
	assert_int_equal(r.facets.parts[2], 1);

	/* Choosing category 2 leaves the category counts as they were
	 * (multi-select) but narrows every other dimension. */
	q.categories_any = 1u << 2;
	assert_string_equal(run(ix, &q, &r, &a), "1 2");   /* by name: "One" < "Two" */
	assert_int_equal(r.total, 2);
	assert_int_equal(r.facets.categories[0], 1);
	assert_int_equal(r.facets.categories[2], 2);
	assert_int_equal(r.facets.categories[5], 1);
	assert_int_equal(r.facets.conditions[1], 1);
	assert_int_equal(r.facets.free, 2);
	assert_int_equal(r.facets.peer_led, 0);
	assert_int_equal(r.facets.days[0], 1);

	/* Free chosen: free still counts what it would be (2), wheelchair
	 * counts free and wheelchair (1). */
	q.categories_any = 0;
	q.flags_all = SF_FREE;
	run(ix, &q, &r, &a);
	assert_int_equal(r.total, 2);
	assert_int_equal(r.facets.free, 2);
	assert_int_equal(r.facets.wheelchair, 1);
	assert_int_equal(r.facets.turn_up, 0);
	assert_int_equal(r.facets.categories[5], 0);

	/* Day and time: Monday chosen; Monday's count and the other days'
	 * counts both stay; parts count within Monday. */
	q.flags_all = 0;
	q.daytime_any = 7u;                        /* Monday, any part */
	run(ix, &q, &r, &a);
	assert_int_equal(r.total, 2);
	assert_int_equal(r.facets.days[0], 2);
	assert_int_equal(r.facets.days[1], 1);
	assert_int_equal(r.facets.parts[0], 1);
	assert_int_equal(r.facets.parts[1], 1);
	assert_int_equal(r.facets.parts[2], 0);    /* the evening one is Tuesday */
	/* Evenings chosen too: Monday's evening has nothing. */
	q.daytime_any = 1u << 2;                   /* Monday evening */
	run(ix, &q, &r, &a);
	assert_int_equal(r.total, 0);
	assert_int_equal(r.facets.days[1], 1);     /* Tuesday evening would find one */
	assert_int_equal(r.facets.parts[0], 1);    /* Monday morning would */

	/* The other filters. */
	q = query("club");
	q.sort = SORT_NAME;
	q.conditions_any = 1u << 1;
	assert_string_equal(run(ix, &q, &r, &a), "1 3");
	q = query("club");
	q.sort = SORT_NAME;
	q.languages_any = 1u << 3;
	assert_string_equal(run(ix, &q, &r, &a), "2");
	q = query(NULL);
	q.org_id = "org-2";
	assert_string_equal(run(ix, &q, &r, &a), "2");
	q.org_id = "org-nobody";
	assert_string_equal(run(ix, &q, &r, &a), "");
	assert_false(r.text_matched_nothing);
	q = query(NULL);
	q.term_id = "t-peer";
	assert_string_equal(run(ix, &q, &r, &a), "1");
	q.term_id = NULL;
	q.taxonomy_id = "tax-cat";
	assert_string_equal(run(ix, &q, &r, &a), "1 2");
	q.term_id = "t-lunch";
	assert_string_equal(run(ix, &q, &r, &a), "2");
	q = query(NULL);
	q.modified_after = 1500;
	assert_string_equal(run(ix, &q, &r, &a), "3 2");   /* Three < Two */
	q = query(NULL);
	q.flags_all = SF_FREE | SF_ONLINE;
	assert_string_equal(run(ix, &q, &r, &a), "2");
	arena_release(&a);
	search_free(ix);
}

/* ---------------------------------------------------------------- geo */

static void distance_radius_and_sort(void **state)
{
	struct search_index *ix = search_new();
	struct search_result r;
	struct search_query q;
	struct postcode_place scun, grim, york, lond;
	const char *why;
	struct arena a;

	UNUSED(state);
	arena_init(&a);
	assert_int_equal(postcode_locate("DN15", &scun, &why), ERR_OK);
	assert_int_equal(postcode_locate("DN31", &grim, &why), ERR_OK);
	assert_int_equal(postcode_locate("YO1", &york, &why), ERR_OK);
	assert_int_equal(postcode_locate("SW1A", &lond, &why), ERR_OK);
	struct search_doc d = doc("grimsby", "Grimsby Choir", "choir");
	d.points[0] = (struct search_point){ grim.lat, grim.lon };
	d.npoints = 1;
	put(ix, d);
	d = doc("two-places", "London and York Choir", "choir");
	d.points[0] = (struct search_point){ lond.lat, lond.lon };
	d.points[1] = (struct search_point){ york.lat, york.lon };
	d.npoints = 2;
	put(ix, d);
	d = doc("scunthorpe", "Scunthorpe Choir", "choir");
	d.points[0] = (struct search_point){ scun.lat, scun.lon };
	d.npoints = 1;
	put(ix, d);
	put(ix, doc("online", "Online Choir", "choir"));

	q = query("choir");
	q.near = true;
	q.lat = scun.lat;
	q.lon = scun.lon;
	q.sort = SORT_DISTANCE;
	assert_string_equal(run(ix, &q, &r, &a), "scunthorpe grimsby two-places online");
	assert_true(r.hits[0].distance_m < 1);
	double dg = geo_distance_m(scun.lat, scun.lon, grim.lat, grim.lon);
	double dh = geo_distance_m(scun.lat, scun.lon, york.lat, york.lon);
	assert_true(fabs(r.hits[1].distance_m - dg) < 1);  /* places are kept to about a metre */
	assert_true(fabs(r.hits[2].distance_m - dh) < 1);  /* the nearer of its two places */
	assert_true(r.hits[3].distance_m == -1);
	/* Within 37.7 km: Scunthorpe and Grimsby; York is further. */
	q.radius_m = dg + 10;
	assert_true(dh > dg + 10 && dh < 60000);
	assert_string_equal(run(ix, &q, &r, &a), "scunthorpe grimsby");
	assert_int_equal(r.total, 2);
	/* The same without text (the grid path), and sorted by name. */
	q.text = NULL;
	q.sort = SORT_NAME;
	assert_string_equal(run(ix, &q, &r, &a), "grimsby scunthorpe");
	q.radius_m = 60000;
	assert_string_equal(run(ix, &q, &r, &a), "grimsby two-places scunthorpe");
	assert_true(fabs(r.hits[1].distance_m - dh) < 1);
	/* Near London, 10 km: only the two-place choir, by its London place. */
	q.lat = lond.lat;
	q.lon = lond.lon;
	q.radius_m = 10000;
	assert_string_equal(run(ix, &q, &r, &a), "two-places");
	assert_true(r.hits[0].distance_m < 1);
	/* Without near, no distances. */
	q = query("choir");
	q.sort = SORT_NAME;
	run(ix, &q, &r, &a);
	for (size_t i = 0; i < r.n; i++)
		assert_true(r.hits[i].distance_m == -1);
	/* Distance sort needs a point. */
	q.sort = SORT_DISTANCE;
	assert_int_equal(search_run(ix, &q, &a, &r), ERR_INVALID);
	q = query("choir");
	q.limit = 0;
	assert_int_equal(search_run(ix, &q, &a, &r), ERR_INVALID);
	arena_release(&a);
	search_free(ix);
}

/* ---------------------------------------------------------------- sorts */

static void sort_by_next_and_name(void **state)
{
	struct search_index *ix = search_new();
	struct search_result r;
	struct search_query q;
	struct arena a;

	UNUSED(state);
	arena_init(&a);
	struct search_doc d = doc("tue", "banana club", "club");
	d.scheds[0] = weekly(1, 10 * 60);
	d.nscheds = 1;
	put(ix, d);
	d = doc("none", "Apple club", "club");
	put(ix, d);
	d = doc("mon", "cherry club", "club");
	d.scheds[0] = weekly(3, 10 * 60);         /* Thursday... */
	d.scheds[1] = weekly(0, 10 * 60);         /* ...and Monday: the sooner counts */
	d.nscheds = 2;
	put(ix, d);

	q = query("club");
	q.sort = SORT_NAME;
	assert_string_equal(run(ix, &q, &r, &a), "none tue mon");
	/* 2027-01-03 12:00 UTC is a Sunday. */
	q.now = 1798977600;
	q.sort = SORT_NEXT;
	assert_string_equal(run(ix, &q, &r, &a), "mon tue none");
	assert_true(r.hits[0].next_session > q.now && r.hits[0].next_session < q.now + 86400);
	assert_true(r.hits[1].next_session > r.hits[0].next_session);
	assert_int_equal(r.hits[2].next_session, 0);
	/* The next session is reported whatever the sort, and the cache
	 * follows the clock: on Monday noon, Tuesday comes first. */
	q.now += 86400;
	assert_string_equal(run(ix, &q, &r, &a), "tue mon none");
	q.sort = SORT_NAME;
	run(ix, &q, &r, &a);
	assert_true(r.hits[2].next_session > q.now);
	assert_int_equal(r.hits[2].next_session, sched_next(&d.scheds[0], q.now) <
		sched_next(&d.scheds[1], q.now) ? sched_next(&d.scheds[0], q.now) :
		sched_next(&d.scheds[1], q.now));
	/* A caller that does not read it (the ORUK API) is not given it,
	 * by name or by relevance (the one-word cache too), but sorting by
	 * it still works. */
	q.no_next = true;
	run(ix, &q, &r, &a);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.hits[2].next_session, 0);
	q.sort = SORT_RELEVANCE;
	run(ix, &q, &r, &a);
	run(ix, &q, &r, &a);
	for (size_t i = 0; i < r.n; i++)
		assert_int_equal(r.hits[i].next_session, 0);
	q.sort = SORT_NEXT;
	assert_string_equal(run(ix, &q, &r, &a), "tue mon none");
	q.no_next = false;
	/* Relevance without words falls back to name. */
	q = query(NULL);
	assert_string_equal(run(ix, &q, &r, &a), "none tue mon");
	arena_release(&a);
	search_free(ix);
}

static void pages(void **state)
{
	struct search_index *ix = search_new();
	struct search_result r;
	struct search_query q;
	struct arena a;
	char id[16], name[32], all[4096] = "", joined[4096] = "";

	UNUSED(state);
	arena_init(&a);
	for (int i = 0; i < 25; i++) {
		snprintf(id, sizeof(id), "s%02d", i);
		snprintf(name, sizeof(name), "Group %02d", (i * 7) % 25);
		put(ix, doc(id, name, "group"));
	}
	q = query("group");
	q.sort = SORT_NAME;
	q.limit = 25;
	snprintf(all, sizeof(all), "%s", run(ix, &q, &r, &a));
	assert_int_equal(r.n, 25);
	q.limit = 10;
	for (size_t off = 0; off < 30; off += 10) {
		q.offset = off;
		const char *got = run(ix, &q, &r, &a);
		assert_int_equal(r.total, 25);
		assert_int_equal(r.n, off < 20 ? 10 : 5);
		size_t l = strlen(joined);
		snprintf(joined + l, sizeof(joined) - l, "%s%s", l ? " " : "", got);
	}
	assert_string_equal(joined, all);
	q.offset = 25;
	run(ix, &q, &r, &a);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.total, 25);
	q.offset = (size_t)-1;     /* no overflow */
	run(ix, &q, &r, &a);
	assert_int_equal(r.n, 0);
	q.offset = 0;
	q.limit = 1001;
	assert_int_equal(search_run(ix, &q, &a, &r), ERR_INVALID);
	arena_release(&a);
	search_free(ix);
}

static void put_replaces_and_remove_removes(void **state)
{
	struct search_index *ix = search_new();
	struct search_result r;
	struct search_query q;
	struct arena a;

	UNUSED(state);
	arena_init(&a);
	put(ix, doc("5e0f6a1c-1b2d-4c3e-8f40-123456789abc", "Walking group", "walk"));
	put(ix, doc("5E0F6A1C-1B2D-4C3E-8F40-123456789ABC", "Upper-case id", "walk"));  /* another id */
	put(ix, doc("5e0f6a1c-1b2d-4c3e-8f40-123456789abc", "Lunch club", "lunch"));
	assert_int_equal(search_count(ix), 2);
	q = query("walking");
	assert_string_equal(run(ix, &q, &r, &a), "5E0F6A1C-1B2D-4C3E-8F40-123456789ABC");
	q = query("lunch");
	assert_string_equal(run(ix, &q, &r, &a), "5e0f6a1c-1b2d-4c3e-8f40-123456789abc");
	assert_int_equal(search_remove(ix, "5e0f6a1c-1b2d-4c3e-8f40-123456789abc"), ERR_OK);
	assert_int_equal(search_remove(ix, "5e0f6a1c-1b2d-4c3e-8f40-123456789abc"), ERR_NOT_FOUND);
	assert_int_equal(search_count(ix), 1);
	assert_string_equal(run(ix, &q, &r, &a), "");
	/* After compaction the removed words are gone entirely. */
	assert_int_equal(search_compact(ix), ERR_OK);
	assert_string_equal(run(ix, &q, &r, &a), "");
	assert_true(r.text_matched_nothing);
	q = query("walk");
	assert_string_equal(run(ix, &q, &r, &a), "5E0F6A1C-1B2D-4C3E-8F40-123456789ABC");
	assert_int_equal(search_remove(ix, "5E0F6A1C-1B2D-4C3E-8F40-123456789ABC"), ERR_OK);
	assert_int_equal(search_count(ix), 0);
	q = query(NULL);
	assert_string_equal(run(ix, &q, &r, &a), "");
	/* Bad documents. */
	struct search_doc d = doc(NULL, "x", "y");
	assert_int_equal(search_put(ix, &d), ERR_INVALID);
	d.id = "";
	assert_int_equal(search_put(ix, &d), ERR_INVALID);
	arena_release(&a);
	search_free(ix);
}

/* ---------------------------------------------------------------- threads */

struct thr {
	struct search_index *ix;
	atomic_bool *stop;
	size_t runs;
	atomic_bool started;    /* has finished one query (the writer waits for it) */
	bool bad;
};

/* A plain one-word query is answered from a cache of its best results:
 * a change between two identical queries must show in the second, and
 * paging within and beyond the cached entries must agree with a fresh
 * index. */
static void repeated_queries_see_changes(void **state)
{
	struct search_index *ix = search_new();
	struct search_result r;
	struct search_query q = query("walking");
	struct arena a;
	char id[16];

	UNUSED(state);
	arena_init(&a);
	for (int i = 0; i < 150; i++) {
		snprintf(id, sizeof(id), "w%03d", i);
		put(ix, doc(id, "Group", i % 2 ? "walking walking club" : "walking club and tea"));
	}
	put(ix, doc("other", "Lunch", "lunch club"));
	run(ix, &q, &r, &a);
	assert_int_equal(r.total, 150);
	assert_int_equal(r.n, 20);
	run(ix, &q, &r, &a);                       /* the cached answer: the same */
	assert_int_equal(r.total, 150);
	/* A new best match: its name says it. */
	put(ix, doc("best", "Walking Walking Walking", "walking"));
	assert_string_equal(first_id(run(ix, &q, &r, &a)), "best");
	assert_int_equal(r.total, 151);
	/* Removed: gone from the next answer. */
	assert_int_equal(search_remove(ix, "best"), ERR_OK);
	assert_null(strstr(run(ix, &q, &r, &a), "best"));
	assert_int_equal(r.total, 150);
	/* Pages inside the cached hundred, across its end, and beyond it. */
	q.offset = 80;
	q.limit = 20;
	run(ix, &q, &r, &a);
	assert_int_equal(r.n, 20);
	q.offset = 90;
	run(ix, &q, &r, &a);
	assert_int_equal(r.n, 20);
	assert_int_equal(r.total, 150);
	q.offset = 140;
	run(ix, &q, &r, &a);
	assert_int_equal(r.n, 10);
	arena_release(&a);
	search_free(ix);
}

static void *reader(void *arg)
{
	struct thr *t = arg;
	static const char *texts[] = { "walking", "group", "walking group", NULL, "zebra" };

	while (!atomic_load(t->stop)) {
		struct arena a;
		struct search_result r;
		struct search_query q = query(texts[t->runs % 5]);
		arena_init(&a);
		q.near = t->runs % 2;
		q.lat = 53.6;
		q.lon = -0.65;
		q.radius_m = t->runs % 4 ? 50000 : 0;
		q.facets = true;
		q.sort = t->runs % 3 ? SORT_NAME : SORT_NEXT;
		if (search_run(t->ix, &q, &a, &r) != ERR_OK || r.n > r.total || r.n > q.limit)
			t->bad = true;
		for (size_t i = 0; i < r.n; i++)
			if (!r.hits[i].id || strncmp(r.hits[i].id, "doc", 3) != 0)
				t->bad = true;
		arena_release(&a);
		t->runs++;
		atomic_store(&t->started, true);
	}
	return NULL;
}

static struct search_doc churn_doc(int i, char *id, char *name)
{
	struct search_doc d;

	snprintf(id, 16, "doc%d", i % 300);
	snprintf(name, 64, "%s group %d", i % 2 ? "Walking" : "Lunch", i);
	d = doc(id, name, i % 3 ? "walk together" : "group lunch");
	d.points[0] = (struct search_point){ 53.0 + (i % 100) * 0.01, -1.0 + (i % 70) * 0.01 };
	d.npoints = i % 5 ? 1 : 0;
	d.scheds[0] = weekly(i % 7, 600);
	d.nscheds = 1;
	return d;
}

static void readers_beside_a_writer(void **state)
{
	struct search_index *ix = search_new();
	atomic_bool stop = false;
	struct thr t[3];
	pthread_t th[3];
	char id[16], name[64];

	UNUSED(state);
	for (int i = 0; i < 300; i++) {
		struct search_doc d = churn_doc(i, id, name);
		put(ix, d);
	}
	for (int i = 0; i < 3; i++) {
		t[i] = (struct thr){ ix, &stop, 0, false, false };
		assert_int_equal(pthread_create(&th[i], NULL, reader, &t[i]), 0);
	}
	/* Every reader is running before the writer starts (on a loaded
	 * machine a thread may otherwise not be scheduled until the writes
	 * are over, and the test would prove nothing). */
	for (int i = 0; i < 3; i++)
		while (!atomic_load(&t[i].started))
			sched_yield();
	/* Enough changes for several compactions while readers run. */
	for (int i = 300; i < 6000; i++) {
		struct search_doc d = churn_doc(i, id, name);
		if (i % 7 == 0)
			search_remove(ix, id);
		else
			put(ix, d);
	}
	atomic_store(&stop, true);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_false(t[i].bad);
		assert_true(t[i].runs > 0);
	}
	assert_true(search_count(ix) <= 300);
	search_free(ix);
}

/* ---------------------------------------------------------------- reference */

/* A brute-force reference built from the header's definitions. */

#define RN 1200
#define RVOCAB 40

static const char *const rvocab[RVOCAB] = {
	"walk", "walking", "walks", "lunch", "lunches", "club", "clubs", "support", "supporting",
	"group", "groups", "choir", "singing", "carers", "carer", "dementia", "food", "bank",
	"debt", "advice", "transport", "café", "cafe", "breathe", "breathing", "friendly",
	"garden", "gardening", "art", "craft", "music", "tea", "the", "and", "for", "with",
	"over", "50s", "Riverside", "Łódź",
};

struct rdoc {
	bool live;
	char id[40];
	char name[128], body[512];
	struct search_doc d;
	const char *terms[3], *taxes[3];
	/* stems: name words then body words */
	char stems[64][65];
	size_t nname, nstems;
	uint32_t daytime;
};

static struct rdoc *R;
static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int rndn(int n)
{
	return (int)(rnd() % (uint64_t)n);
}

static const char *const rterms[] = { "term-a", "term-b", "term-c", "term-d", "term-e", "term-f" };
static const char *const rtaxes[] = { "tax-1", "tax-1", "tax-1", "tax-2", "tax-2", "tax-3" };
static const char *const rorgs[] = { "org-a", "org-b", "org-c", "org-d", "org-e" };

static void split_stems(struct rdoc *d, const char *text, bool name)
{
	struct buf b;
	char *p, *save = NULL;

	buf_init(&b, 8192);
	search_words(text, &b);
	p = b.p;
	for (char *w = strtok_r(p, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (d->nstems < 64)
			snprintf(d->stems[d->nstems++], 65, "%s", w);
		if (name)
			d->nname = d->nstems;
	}
	buf_release(&b);
}

static uint32_t rdaytime(const struct rdoc *d);

static void rdoc_make(struct rdoc *d, int idx)
{
	size_t o;

	memset(d, 0, sizeof(*d));
	d->live = true;
	if (idx % 3 == 0)
		snprintf(d->id, sizeof(d->id), "svc-%04d", idx);
	else
		snprintf(d->id, sizeof(d->id), "%08x-%04x-4%03x-8%03x-%012llx", (unsigned)rnd(),
			(unsigned)rndn(65536), (unsigned)rndn(4096), (unsigned)rndn(4096),
			(unsigned long long)(rnd() & 0xffffffffffffULL));
	o = 0;
	for (int i = 0, n = 1 + rndn(3); i < n; i++)
		o += (size_t)snprintf(d->name + o, sizeof(d->name) - o, "%s%s", i ? " " : "", rvocab[rndn(RVOCAB)]);
	o = 0;
	for (int i = 0, n = rndn(25); i < n; i++)
		o += (size_t)snprintf(d->body + o, sizeof(d->body) - o, "%s%s", i ? " " : "",
			rvocab[rndn(rndn(2) ? 12 : RVOCAB)]);
	split_stems(d, d->name, true);
	d->nname = d->nstems;
	split_stems(d, d->body, false);

	struct search_doc *s = &d->d;
	s->id = d->id;
	s->org_id = rndn(10) ? rorgs[rndn(5)] : NULL;
	s->name = d->name;
	s->body = d->body;
	s->categories = rnd() & rnd() & 0xFFull;
	if (rndn(20) == 0)
		s->categories |= 1ull << 63;
	s->conditions = rnd() & rnd() & rnd() & 0x3Full;
	s->languages = (uint32_t)(rnd() & 0xF) | 1u;
	s->flags = (uint32_t)(rnd() & 0xFF);
	for (size_t i = 0, n = (size_t)rndn(4); i < n; i++) {
		int t = rndn(6);
		d->terms[i] = rterms[t];
		d->taxes[i] = rtaxes[t];
		s->nterms = i + 1;
	}
	s->terms = d->terms;
	s->taxonomies = d->taxes;
	/* Places: mostly around the Humber, some far, a few outside the grid. */
	s->npoints = (size_t)(rndn(6) == 0 ? 0 : rndn(4) == 0 ? 1 + rndn(3) : 1);
	for (size_t i = 0; i < s->npoints; i++) {
		double lat, lon;
		int k = rndn(20);
		if (k == 0) {
			lat = 40 + rndn(1000) * 0.001;          /* outside the grid */
			lon = -3 + rndn(1000) * 0.001;
		} else if (k < 4) {
			lat = 50 + rndn(100000) * 0.0001;
			lon = -5 + rndn(100000) * 0.00007;
		} else {
			lat = 53.3 + rndn(100000) * 0.000006;
			lon = -1.2 + rndn(100000) * 0.000012;
		}
		s->points[i].lat = (float)lat;
		s->points[i].lon = (float)lon;
	}
	s->nscheds = (size_t)rndn(3);
	for (size_t i = 0; i < s->nscheds; i++)
		s->scheds[i] = weekly(rndn(7), rndn(3) == 0 ? -1 : 6 * 60 + rndn(15) * 60 + rndn(4) * 15);
	s->modified = 1700000000 + rndn(1000) * 1000;
	d->daytime = rdaytime(d);
}

struct rq {
	char words[8][65];
	size_t nw;
};

static void rq_words(const char *text, struct rq *w)
{
	struct buf b;
	char *save = NULL;

	w->nw = 0;
	if (!text)
		return;
	buf_init(&b, 8192);
	search_words(text, &b);
	for (char *t = strtok_r(b.p, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		bool dup = false;
		for (size_t i = 0; i < w->nw; i++)
			dup |= strcmp(w->words[i], t) == 0;
		if (!dup && w->nw < 8)
			snprintf(w->words[w->nw++], 65, "%s", t);
	}
	buf_release(&b);
}

static uint32_t rtf(const struct rdoc *d, const char *w)
{
	uint32_t tf = 0;

	for (size_t i = 0; i < d->nstems; i++)
		if (strcmp(d->stems[i], w) == 0)
			tf += i < d->nname ? 3 : 1;
	return tf;
}

static double rdist(const struct search_query *q, const struct rdoc *d)
{
	double best = INFINITY;

	for (size_t i = 0; i < d->d.npoints; i++) {
		double x = geo_distance_m(q->lat, q->lon, (float)d->d.points[i].lat, (float)d->d.points[i].lon);
		if (x < best)
			best = x;
	}
	return best;
}

static uint32_t rdaytime(const struct rdoc *d)
{
	uint32_t m = 0;

	for (size_t i = 0; i < d->d.nscheds; i++)
		m |= sched_daytime(&d->d.scheds[i]);
	return m;
}

/* Per query, per document: has every word; distance. */
static bool *r_text;
static double *r_dist;

static bool rmatch(const struct search_query *q, const struct rq *w, const struct rdoc *d)
{
	const struct search_doc *s = &d->d;

	UNUSED(w);
	if (!d->live || !r_text[d - R])
		return false;
	if (q->categories_any && !(s->categories & q->categories_any))
		return false;
	if (q->conditions_any && !(s->conditions & q->conditions_any))
		return false;
	if (q->languages_any && !(s->languages & q->languages_any))
		return false;
	if ((s->flags & q->flags_all) != q->flags_all)
		return false;
	if (q->daytime_any && !(d->daytime & q->daytime_any))
		return false;
	if (q->org_id && (!s->org_id || strcmp(q->org_id, s->org_id) != 0))
		return false;
	if (q->modified_after && s->modified <= q->modified_after)
		return false;
	if (q->term_id || q->taxonomy_id) {
		bool t = !q->term_id, x = !q->taxonomy_id;
		for (size_t i = 0; i < s->nterms; i++) {
			t |= q->term_id && strcmp(s->terms[i], q->term_id) == 0;
			x |= q->taxonomy_id && strcmp(s->taxonomies[i], q->taxonomy_id) == 0;
		}
		if (!t || !x)
			return false;
	}
	if (q->near && q->radius_m > 0 && !(r_dist[d - R] <= q->radius_m))
		return false;
	return true;
}

static size_t rcount(const struct search_query *q, const struct rq *w)
{
	size_t n = 0;

	for (size_t i = 0; i < RN; i++)
		n += rmatch(q, w, &R[i]);
	return n;
}

struct rhit {
	size_t i;
	int rank;                 /* 0 some words, 1 all, 2 all in the name */
	double score, dist;
	int64_t next;
};

static const struct search_query *cmp_q;
static enum search_sort cmp_sort;

static int rname_cmp(const char *a, const char *b)
{
	int c = strcasecmp(a, b);   /* ASCII folding, as the header of search.c says */
	return c ? c : strcmp(a, b);
}

static int rhit_cmp(const void *pa, const void *pb)
{
	const struct rhit *a = pa, *b = pb;

	switch (cmp_sort) {
	case SORT_NAME: {
		int c = rname_cmp(R[a->i].name, R[b->i].name);
		if (c)
			return c;
		break;
	}
	case SORT_RELEVANCE:
		if (a->rank != b->rank)
			return a->rank > b->rank ? -1 : 1;
		if (a->score != b->score)
			return a->score > b->score ? -1 : 1;
		break;
	case SORT_DISTANCE:
		if (a->dist != b->dist)
			return a->dist < b->dist ? -1 : 1;
		if (a->rank != b->rank)
			return a->rank > b->rank ? -1 : 1;
		if (a->score != b->score)
			return a->score > b->score ? -1 : 1;
		break;
	case SORT_NEXT: {
		int64_t x = a->next ? a->next : INT64_MAX, y = b->next ? b->next : INT64_MAX;
		if (x != y)
			return x < y ? -1 : 1;
		if (a->rank != b->rank)
			return a->rank > b->rank ? -1 : 1;
		if (a->score != b->score)
			return a->score > b->score ? -1 : 1;
		break;
	}
	}
	return strcmp(R[a->i].id, R[b->i].id);
}

static int64_t rnext(const struct rdoc *d, int64_t now)
{
	int64_t best = 0;

	for (size_t i = 0; i < d->d.nscheds; i++) {
		int64_t n = sched_next(&d->d.scheds[i], now);
		if (n > 0 && (!best || n < best))
			best = n;
	}
	return best;
}

/* search.c's name_sig: one bit of 64 per word, from the same hash. */
static uint64_t rsig(const char *w)
{
	uint64_t h = 1469598103934665603ULL;

	for (const unsigned char *p = (const unsigned char *)w; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return UINT64_C(1) << (h & 63);
}

/* 2: every word, and all of them in the name (by their bits, as the
 * index checks it); 1: every word; 0: some. */
static int rrank(const struct rdoc *d, const struct rq *w)
{
	uint64_t name = 0, qs = 0;

	for (size_t k = 0; k < w->nw; k++) {
		if (rtf(d, w->words[k]) == 0)
			return 0;
		qs |= rsig(w->words[k]);
	}
	for (size_t i = 0; i < d->nname; i++)
		name |= rsig(d->stems[i]);
	return (name & qs) == qs ? 2 : 1;
}

static void compare(struct search_index *ix, const struct search_query *q, bool exact_scores)
{
	struct rq w;
	struct search_result r;
	struct arena a;
	struct rhit *hits = calloc(RN, sizeof(*hits));
	size_t nh = 0, live = 0;
	uint64_t sum_dl = 0;

	assert_non_null(hits);
	rq_words(q->text, &w);
	r_text = calloc(RN, sizeof(*r_text));
	r_dist = calloc(RN, sizeof(*r_dist));
	assert_true(r_text && r_dist);
	arena_init(&a);
	assert_int_equal(search_run(ix, q, &a, &r), ERR_OK);

	/* Statistics over live documents (the index is compacted). */
	for (size_t i = 0; i < RN; i++)
		if (R[i].live) {
			live++;
			sum_dl += 3 * R[i].nname + (R[i].nstems - R[i].nname);
		}
	double avgdl = live ? (double)sum_dl / (double)live : 1;
	double idf[8];
	bool nothing = false;
	for (size_t k = 0; k < w.nw; k++) {
		size_t df = 0;
		for (size_t i = 0; i < RN; i++)
			df += R[i].live && rtf(&R[i], w.words[k]) > 0;
		if (!df)
			nothing = true;
		idf[k] = log(1.0 + ((double)live - (double)df + 0.5) / ((double)df + 0.5));
	}
	/* A match holds at least half of the words' idf (search.c's
	 * PARTIAL_SHARE, a hair under it). */
	double all_idf = 0;
	for (size_t k = 0; k < w.nw; k++)
		all_idf += idf[k];
	for (size_t i = 0; i < RN; i++) {
		double held = 0;
		for (size_t k = 0; k < w.nw; k++)
			if (rtf(&R[i], w.words[k]) > 0)
				held += idf[k];
		r_text[i] = nothing ? false : w.nw == 0 || held >= all_idf * 0.5 * (1 - 1e-9);
		r_dist[i] = q->near ? rdist(q, &R[i]) : INFINITY;
	}
	if (exact_scores)
		assert_int_equal(r.text_matched_nothing, nothing);
	for (size_t i = 0; i < RN; i++) {
		if (!rmatch(q, &w, &R[i]))
			continue;
		struct rhit *h = &hits[nh++];
		h->i = i;
		h->score = 0;
		double dl = 3.0 * (double)R[i].nname + (double)(R[i].nstems - R[i].nname);
		/* K = k1 (1 - b + b dl / avgdl), multiplied out as search.c does
		 * so that scores compare exactly. */
		double K = 1.2 * (1.0 - 0.75) + (1.2 * 0.75 / avgdl) * dl;
		for (size_t k = 0; k < w.nw; k++) {
			double tf = rtf(&R[i], w.words[k]);
			h->score += idf[k] * (tf * (1.2 + 1.0)) / (tf + K);
		}
		h->rank = rrank(&R[i], &w);
		h->dist = q->near && R[i].d.npoints ? rdist(q, &R[i]) : INFINITY;
		h->next = rnext(&R[i], q->now);
	}
	assert_int_equal(r.total, nh);
	cmp_q = q;
	cmp_sort = q->sort == SORT_RELEVANCE && w.nw == 0 ? SORT_NAME : q->sort;
	bool check_order = exact_scores || cmp_sort == SORT_NAME;
	if (!check_order && w.nw == 0)
		check_order = true;                /* no scores involved */
	qsort(hits, nh, sizeof(*hits), rhit_cmp);
	size_t want = nh > q->offset ? nh - q->offset : 0;
	if (want > q->limit)
		want = q->limit;
	assert_int_equal(r.n, want);
	for (size_t j = 0; j < r.n && check_order; j++) {
		const struct rhit *h = &hits[q->offset + j];
		if (strcmp(r.hits[j].id, R[h->i].id) != 0)
			fail_msg("sort %d offset %zu hit %zu: got %s want %s (text %s)", cmp_sort, q->offset, j,
				r.hits[j].id, R[h->i].id, q->text ? q->text : "-");
		if (exact_scores)
			assert_true(r.hits[j].score == h->score);
		if (q->near && R[h->i].d.npoints)
			assert_true(r.hits[j].distance_m == h->dist);
		else
			assert_true(r.hits[j].distance_m == -1);
		assert_true(r.hits[j].next_session == h->next);
	}
	/* Facets, each value by its definition: the query with that
	 * dimension's filter replaced by the value. */
	if (q->facets) {
		struct search_query f = *q;
		for (int i = 0; i < 64; i++) {
			f = *q;
			f.categories_any = 1ull << i;
			assert_int_equal(r.facets.categories[i], rcount(&f, &w));
			f = *q;
			f.conditions_any = 1ull << i;
			assert_int_equal(r.facets.conditions[i], rcount(&f, &w));
		}
		for (int i = 0; i < 32; i++) {
			f = *q;
			f.languages_any = 1u << i;
			assert_int_equal(r.facets.languages[i], rcount(&f, &w));
		}
		static const uint32_t fl[] = { SF_FREE, SF_WHEELCHAIR, SF_ONLINE, SF_IN_PERSON, SF_PEER_LED, SF_TURN_UP };
		const size_t *got[] = { &r.facets.free, &r.facets.wheelchair, &r.facets.online,
			&r.facets.in_person, &r.facets.peer_led, &r.facets.turn_up };
		for (size_t i = 0; i < ARRAY_LEN(fl); i++) {
			f = *q;
			f.flags_all |= fl[i];
			assert_int_equal(*got[i], rcount(&f, &w));
		}
		uint32_t D = 0, P = 0;
		for (int d = 0; d < 7; d++)
			if (!q->daytime_any || ((q->daytime_any >> (3 * d)) & 7))
				D |= 1u << d;
		for (int p = 0; p < 3; p++)
			if (!q->daytime_any || (q->daytime_any & (0x49249u << p)))
				P |= 1u << p;
		for (int d = 0; d < 7; d++) {
			f = *q;
			f.daytime_any = 0;
			for (int p = 0; p < 3; p++)
				if (P & (1u << p))
					f.daytime_any |= 1u << (3 * d + p);
			assert_int_equal(r.facets.days[d], rcount(&f, &w));
		}
		for (int p = 0; p < 3; p++) {
			f = *q;
			f.daytime_any = 0;
			for (int d = 0; d < 7; d++)
				if (D & (1u << d))
					f.daytime_any |= 1u << (3 * d + p);
			assert_int_equal(r.facets.parts[p], rcount(&f, &w));
		}
	}
	arena_release(&a);
	free(hits);
	free(r_text);
	free(r_dist);
}

/* A random query of up to maxw words. */
static struct search_query random_query(char *textbuf, int maxw)
{
	struct search_query q;
	static const double radii[] = { 0, 3000, 20000, 150000, 3000000 };

	memset(&q, 0, sizeof(q));
	q.now = 1798977600 + rndn(14 * 24) * 3600;
	int nw = rndn(maxw + 1);
	textbuf[0] = '\0';
	for (int i = 0; i < nw; i++) {
		size_t l = strlen(textbuf);
		const char *w = rndn(30) == 0 ? "zebra" : rvocab[rndn(rndn(3) ? 12 : RVOCAB)];
		snprintf(textbuf + l, 200 - l, "%s%s", i ? " " : "", w);
	}
	q.text = nw ? textbuf : NULL;
	if (rndn(3) == 0) {
		q.near = true;
		if (rndn(4)) {
			q.lat = 53.3 + rndn(1000) * 0.0006;
			q.lon = -1.2 + rndn(1000) * 0.0012;
		} else {
			q.lat = 40.5;
			q.lon = -2.5;
		}
		q.radius_m = radii[rndn(5)];
	}
	if (rndn(4) == 0)
		q.categories_any = rnd() & 0xFF;
	if (rndn(6) == 0)
		q.conditions_any = rnd() & 0x3F;
	if (rndn(6) == 0)
		q.languages_any = (uint32_t)(rnd() & 0xE);
	if (rndn(4) == 0)
		q.flags_all = (uint32_t)(1u << rndn(8)) | (rndn(3) == 0 ? (uint32_t)(1u << rndn(8)) : 0);
	if (rndn(5) == 0) {
		uint32_t days = (uint32_t)rnd() & 0x7F, parts = (uint32_t)rnd() & 7;
		if (!days)
			days = 1;
		if (!parts)
			parts = 4;
		for (int d = 0; d < 7; d++)
			if (days & (1u << d))
				q.daytime_any |= parts << (3 * d);
	}
	if (rndn(10) == 0)
		q.org_id = rorgs[rndn(5)];
	if (rndn(10) == 0)
		q.term_id = rterms[rndn(6)];
	if (rndn(10) == 0)
		q.taxonomy_id = rndn(5) ? rtaxes[rndn(6)] : "tax-none";
	if (rndn(8) == 0)
		q.modified_after = 1700000000 + rndn(1000) * 1000;
	q.sort = (enum search_sort)rndn(4);
	if (q.sort == SORT_DISTANCE && !q.near)
		q.sort = SORT_NAME;
	q.offset = rndn(4) ? (size_t)rndn(15) : (size_t)rndn(1300);
	q.limit = 1 + (size_t)rndn(rndn(5) ? 20 : 1000);
	q.facets = rndn(2);
	return q;
}

static void matches_a_brute_force_reference(void **state)
{
	struct search_index *ix = search_new();
	char text[200];

	UNUSED(state);
	rng_state = 42;
	R = calloc(RN, sizeof(*R));
	assert_non_null(R);
	for (int i = 0; i < RN; i++) {
		rdoc_make(&R[i], i);
		put(ix, R[i].d);
	}
	for (int k = 0; k < 250; k++) {
		struct search_query q = random_query(text, 3);
		compare(ix, &q, true);
	}
	/* Churn: replace and remove a third, then compare what does not
	 * depend on BM25 statistics (they count leftovers until compaction). */
	for (int i = 0; i < RN; i++) {
		int op = rndn(6);
		if (op == 0) {
			assert_int_equal(search_remove(ix, R[i].id), ERR_OK);
			R[i].live = false;
		} else if (op == 1) {
			char keep[40];
			snprintf(keep, sizeof(keep), "%s", R[i].id);
			rdoc_make(&R[i], i);
			snprintf(R[i].id, sizeof(R[i].id), "%s", keep);
			put(ix, R[i].d);
		}
	}
	size_t live = 0;
	for (int i = 0; i < RN; i++)
		live += R[i].live;
	assert_int_equal(search_count(ix), live);
	/* (One word at most: which partial matches hold half of several
	 * words' idf depends on those statistics too.) */
	for (int k = 0; k < 150; k++) {
		struct search_query q = random_query(text, 1);
		compare(ix, &q, false);
	}
	assert_int_equal(search_compact(ix), ERR_OK);
	for (int k = 0; k < 250; k++) {
		struct search_query q = random_query(text, 3);
		compare(ix, &q, true);
	}
	free(R);
	search_free(ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(words_are_stemmed_folded_and_filtered),
		cmocka_unit_test(and_semantics_and_nothing_matched),
		cmocka_unit_test(all_words_rank_first),
		cmocka_unit_test(bm25_orders_known_cases),
		cmocka_unit_test(filters_and_multi_select_facets),
		cmocka_unit_test(distance_radius_and_sort),
		cmocka_unit_test(sort_by_next_and_name),
		cmocka_unit_test(pages),
		cmocka_unit_test(put_replaces_and_remove_removes),
		cmocka_unit_test(readers_beside_a_writer),
		cmocka_unit_test(repeated_queries_see_changes),
		cmocka_unit_test(matches_a_brute_force_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
