/*
 * test_search_sessions.c - search_sessions: the sessions of matching
 * services in a window of days. Each kind of schedule on dates worked by
 * hand (weekly, every other week with and without a start day, monthly
 * by weekday, one-off dates, ended ones), the radius at its edge, text and
 * filters, the order and its ties, max below total, the limits, services
 * without schedules and removed ones; then a randomised comparison with a
 * brute force that asks sched_on_day about every day of the window and
 * sorts by the header's order (written from the header, not search.c).
 */
#include "core/common.h"

#include <math.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/geo.h"
#include "core/uktime.h"
#include "search/recur.h"
#include "search/schedule.h"
#include "search/search.h"

#define FIVE_MILES 8046.72
#define LAT0 53.5880          /* Scunthorpe, about */
#define LON0 -0.6540

/* ---------------------------------------------------------------- helpers */

/* Monday 23 November 2026: the first day of most windows here. */
static int64_t base;

static int setup(void **state)
{
	UNUSED(state);
	base = uk_days(2026, 11, 23);
	return uk_weekday(base) == 0 ? 0 : -1;
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

static struct sched once(int64_t day, int opens)
{
	struct sched s = weekly(0, opens);

	s.freq = SCHED_ONCE;
	s.weekdays = 0;
	s.start_day = day;
	return s;
}

static struct sched monthly(int nth, int wday, int opens)
{
	struct sched s = weekly(0, opens);

	s.freq = SCHED_MONTHLY;
	s.weekdays = 0;
	assert_true(sched_add_byday(&s, nth, wday));
	return s;
}

static struct search_doc doc(const char *id)
{
	struct search_doc d;

	memset(&d, 0, sizeof(d));
	d.id = id;
	d.org_id = "org-1";
	d.name = id;
	d.body = "group";
	return d;
}

static void put(struct search_index *ix, struct search_doc d)
{
	assert_int_equal(search_put(ix, &d), ERR_OK);
}

static struct search_doc placed(const char *id, double lat, double lon)
{
	struct search_doc d = doc(id);

	d.points[0] = (struct search_point){ lat, lon };
	d.npoints = 1;
	return d;
}

static struct search_query query(const char *text)
{
	struct search_query q;

	memset(&q, 0, sizeof(q));
	q.text = text;
	return q;
}

static struct search_query near(double radius)
{
	struct search_query q = query(NULL);

	q.near = true;
	q.lat = LAT0;
	q.lon = LON0;
	q.radius_m = radius;
	return q;
}

/* Metres due north of the query's point, in degrees of latitude. */
static double north(double m)
{
	return LAT0 + m / (6371008.8 * M_PI / 180.0);
}

static struct search_session *last;
static size_t last_n, last_total;

/* The sessions as "id +day opens" joined by ", " (day counted from base),
 * kept in last, last_n and last_total. */
static const char *sessions(struct search_index *ix, const struct search_query *q, int64_t from,
		int64_t to, int64_t today, size_t max, struct arena *a)
{
	static char out[8192];
	size_t o = 0;

	assert_int_equal(search_sessions(ix, q, from, to, today, max, a, &last, &last_n, &last_total), ERR_OK);
	assert_true(last_n <= last_total && last_n <= max);
	assert_true(last_n == 0 || last != NULL);
	out[0] = '\0';
	for (size_t i = 0; i < last_n; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s +%lld %d", i ? ", " : "", last[i].id,
			(long long)(last[i].day - base), last[i].opens);
	return out;
}

/* The days (from base) of one schedule's sessions in from..to, alone in
 * an index: "1 8 15 22". */
static const char *days_of(const struct sched *s, int64_t from, int64_t to, int64_t today)
{
	static char out[1024];
	struct search_index *ix = search_new();
	struct search_query q = query(NULL);
	struct search_doc d = doc("only");
	struct arena a;
	size_t o = 0;

	arena_init(&a);
	d.scheds[0] = *s;
	d.nscheds = 1;
	put(ix, d);
	sessions(ix, &q, from, to, today, SEARCH_SESSIONS_MAX, &a);
	out[0] = '\0';
	for (size_t i = 0; i < last_n; i++) {
		assert_string_equal(last[i].id, "only");
		assert_int_equal(last[i].sched, 0);
		assert_int_equal(last[i].opens, s->opens);
		assert_int_equal(last[i].closes, s->closes);
		assert_true(last[i].distance_m == -1);
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%lld", i ? " " : "", (long long)(last[i].day - base));
	}
	arena_release(&a);
	search_free(ix);
	return out;
}

/* ---------------------------------------------------------------- schedules */

static void weekly_and_every_other_week(void **state)
{
	struct sched s;

	UNUSED(state);
	/* Every Tuesday, four weeks from a Monday. */
	s = weekly(1, 600);
	assert_string_equal(days_of(&s, base, base + 27, base), "1 8 15 22");
	/* A window of one day, and one that misses. */
	assert_string_equal(days_of(&s, base + 8, base + 8, base), "8");
	assert_string_equal(days_of(&s, base + 2, base + 7, base), "");
	/* Two days a week. */
	s.weekdays |= 1u << 5;
	assert_string_equal(days_of(&s, base, base + 13, base), "1 5 8 12");
	/* Every other Thursday from Thursday 26 November, and from 3 December. */
	s = weekly(3, 840);
	s.interval = 2;
	s.start_day = base + 3;
	assert_string_equal(days_of(&s, base, base + 27, base), "3 17");
	s.start_day = base + 10;
	assert_string_equal(days_of(&s, base, base + 27, base), "10 24");
	/* A start day in an earlier week keeps its step: from 12 November
	 * (two weeks before the 26th). */
	s.start_day = base - 11;
	assert_string_equal(days_of(&s, base, base + 27, base), "3 17");
	/* Without a start day, today's week runs (as sched_next has it). */
	s.start_day = 0;
	assert_string_equal(days_of(&s, base, base + 27, base + 2), "3 17");
	assert_string_equal(days_of(&s, base, base + 27, base + 9), "10 24");
	/* Every day but Sunday. */
	s = weekly(0, -1);
	s.freq = SCHED_DAILY;
	s.weekdays = 0x3f;
	assert_string_equal(days_of(&s, base + 4, base + 8, base), "4 5 7 8");
}

static void monthly_once_and_ended(void **state)
{
	struct sched s;

	UNUSED(state);
	/* First Monday: 7 December and 4 January (not 2 November, before). */
	s = monthly(1, 0, 600);
	assert_string_equal(days_of(&s, base, base + 61, base), "14 42");
	/* Last Friday: 27 November, 25 December, 29 January. */
	s = monthly(-1, 4, -1);
	assert_string_equal(days_of(&s, base, base + 61, base), "4 32");   /* (29 January is past it) */
	assert_string_equal(days_of(&s, base + 30, base + 61, base), "32");
	/* Every other month, first Monday, from December. */
	s = monthly(1, 0, 600);
	s.interval = 2;
	s.start_day = base + 14;
	assert_string_equal(days_of(&s, base, base + 61, base), "14");
	/* On the 1st of the month. */
	s = monthly(1, 0, 600);
	s.nbyday = 0;
	s.monthday = 1;
	assert_string_equal(days_of(&s, base, base + 61, base), "8 39");
	/* A one-off date inside the window and outside it. */
	s = once(base + 5, 1080);
	assert_string_equal(days_of(&s, base, base + 27, base), "5");
	s = once(base + 40, 1080);
	assert_string_equal(days_of(&s, base, base + 27, base), "");
	s = once(base - 1, 1080);
	assert_string_equal(days_of(&s, base, base + 27, base), "");
	/* Ended before the window; ending inside it (its last day counts);
	 * starting inside it. */
	s = weekly(2, 600);
	s.end_day = base - 1;
	assert_string_equal(days_of(&s, base, base + 27, base), "");
	s.end_day = base + 9;
	assert_string_equal(days_of(&s, base, base + 27, base), "2 9");
	s.end_day = 0;
	s.start_day = base + 16;
	assert_string_equal(days_of(&s, base, base + 27, base), "16 23");
}

/* ---------------------------------------------------------------- place */

static void radius_edge_and_nearest_place(void **state)
{
	struct search_index *ix = search_new();
	struct search_query q;
	struct search_doc d;
	struct arena a;

	UNUSED(state);
	arena_init(&a);
	d = placed("inside", north(FIVE_MILES - 8), LON0);
	d.scheds[0] = weekly(1, 600);
	d.nscheds = 1;
	put(ix, d);
	d = placed("outside", north(FIVE_MILES + 8), LON0);
	d.scheds[0] = weekly(1, 600);
	d.nscheds = 1;
	put(ix, d);
	/* Two places: far away (London), and 3 km south. */
	d = placed("two-places", 51.5010, -0.1416);
	d.points[1] = (struct search_point){ north(-3000), LON0 };
	d.npoints = 2;
	d.scheds[0] = weekly(1, 600);
	d.nscheds = 1;
	put(ix, d);
	d = doc("online");
	d.scheds[0] = weekly(1, 600);
	d.nscheds = 1;
	put(ix, d);

	q = near(FIVE_MILES);
	assert_string_equal(sessions(ix, &q, base, base + 6, base, 100, &a), "two-places +1 600, inside +1 600");
	assert_int_equal(last_total, 2);
	assert_true(fabs(last[0].distance_m - 3000) < 2);     /* its nearer place */
	assert_true(fabs(last[1].distance_m - (FIVE_MILES - 8)) < 2);
	/* With text, the same (the postings path with the box). */
	q.text = "group";
	assert_string_equal(sessions(ix, &q, base, base + 6, base, 100, &a), "two-places +1 600, inside +1 600");
	/* No radius: everything, by distance, the online one last (-1). */
	q = near(0);
	assert_string_equal(sessions(ix, &q, base, base + 6, base, 100, &a),
		"two-places +1 600, inside +1 600, outside +1 600, online +1 600");
	assert_true(last[3].distance_m == -1);
	assert_true(last[2].distance_m > FIVE_MILES);
	/* No point: no distances, ordered by id. */
	q = query(NULL);
	assert_string_equal(sessions(ix, &q, base, base + 6, base, 100, &a),
		"inside +1 600, online +1 600, outside +1 600, two-places +1 600");
	for (size_t i = 0; i < last_n; i++)
		assert_true(last[i].distance_m == -1);
	arena_release(&a);
	search_free(ix);
}

/* ---------------------------------------------------------------- filters */

static void text_and_filters_apply(void **state)
{
	struct search_index *ix = search_new();
	struct search_query q;
	struct search_doc d;
	struct arena a;

	UNUSED(state);
	arena_init(&a);
	d = doc("walk");
	d.name = "Riverside Walking Group";
	d.body = "a gentle walk";
	d.categories = 1u << 1;
	d.flags = SF_FREE;
	d.scheds[0] = weekly(1, 600);
	d.nscheds = 1;
	put(ix, d);
	d = doc("lunch");
	d.name = "Lunch Club";
	d.body = "hot lunch";
	d.categories = 1u << 2;
	d.org_id = "org-2";
	d.scheds[0] = weekly(1, 720);
	d.nscheds = 1;
	put(ix, d);
	d = doc("walk-no-times");
	d.name = "Walking Without A Schedule";
	d.body = "walk";
	put(ix, d);

	q = query(NULL);
	assert_string_equal(sessions(ix, &q, base, base + 6, base, 100, &a), "walk +1 600, lunch +1 720");
	q = query("walking");
	assert_string_equal(sessions(ix, &q, base, base + 6, base, 100, &a), "walk +1 600");
	q = query("swimming");
	assert_string_equal(sessions(ix, &q, base, base + 6, base, 100, &a), "");
	assert_int_equal(last_total, 0);
	assert_null(last);
	q = query(NULL);
	q.categories_any = 1u << 2;
	assert_string_equal(sessions(ix, &q, base, base + 6, base, 100, &a), "lunch +1 720");
	q = query(NULL);
	q.flags_all = SF_FREE;
	assert_string_equal(sessions(ix, &q, base, base + 6, base, 100, &a), "walk +1 600");
	q = query(NULL);
	q.org_id = "org-2";
	assert_string_equal(sessions(ix, &q, base, base + 6, base, 100, &a), "lunch +1 720");
	q.org_id = "org-nobody";
	assert_string_equal(sessions(ix, &q, base, base + 6, base, 100, &a), "");
	/* The page's fields are not read. */
	q = query(NULL);
	q.sort = SORT_NAME;
	q.limit = 1;
	q.offset = 5;
	q.facets = true;
	assert_string_equal(sessions(ix, &q, base, base + 6, base, 100, &a), "walk +1 600, lunch +1 720");
	arena_release(&a);
	search_free(ix);
}

/* ---------------------------------------------------------------- order */

static void order_and_its_ties(void **state)
{
	struct search_index *ix = search_new();
	struct search_query q;
	struct search_doc d;
	struct arena a;

	UNUSED(state);
	arena_init(&a);
	d = placed("b-far", north(5000), LON0);
	d.scheds[0] = weekly(1, 600);
	d.nscheds = 1;
	put(ix, d);
	d = placed("e-same-place", north(1000), LON0);
	d.scheds[0] = weekly(1, 600);
	d.nscheds = 1;
	put(ix, d);
	d = placed("a-near", north(1000), LON0);
	d.scheds[0] = weekly(1, 600);
	d.nscheds = 1;
	put(ix, d);
	d = placed("c-no-time", north(9000), LON0);
	d.scheds[0] = weekly(1, -1);
	d.nscheds = 1;
	put(ix, d);
	d = placed("d-early", north(9000), LON0);
	d.scheds[0] = weekly(1, 540);
	d.nscheds = 1;
	put(ix, d);
	/* Two schedules that meet on Tuesday at 10:00, a third on Wednesday. */
	d = placed("f-two", north(2000), LON0);
	d.scheds[0] = weekly(1, 600);
	d.scheds[1] = weekly(1, 600);
	d.scheds[1].weekdays |= 1u << 3;
	d.scheds[1].closes = 720;
	d.scheds[2] = weekly(2, 600);
	d.nscheds = 3;
	put(ix, d);
	d = doc("g-online");
	d.scheds[0] = weekly(1, 600);
	d.nscheds = 1;
	put(ix, d);

	q = near(0);
	assert_string_equal(sessions(ix, &q, base + 1, base + 3, base, 100, &a),
		"c-no-time +1 -1, d-early +1 540, a-near +1 600, e-same-place +1 600, f-two +1 600, "
		"f-two +1 600, b-far +1 600, g-online +1 600, f-two +2 600, f-two +3 600");
	assert_int_equal(last[4].sched, 0);
	assert_int_equal(last[4].closes, 690);
	assert_int_equal(last[5].sched, 1);
	assert_int_equal(last[5].closes, 720);
	assert_int_equal(last[8].sched, 2);
	assert_int_equal(last[9].sched, 1);
	assert_true(last[2].distance_m == last[3].distance_m);
	/* One service's sessions share its id. */
	assert_ptr_equal(last[4].id, last[5].id);
	assert_ptr_equal(last[4].id, last[9].id);
	assert_true(last[0].closes == -1 && last[1].closes == 630);
	arena_release(&a);
	search_free(ix);
}

/* Many sessions, the first few asked for: the same first few as the whole
 * list, and the total still exact. */
static void max_below_total(void **state)
{
	struct search_index *ix = search_new();
	struct search_query q = near(0);
	struct arena a;
	char ids[40][16];
	char all[8192];

	UNUSED(state);
	arena_init(&a);
	for (int i = 0; i < 40; i++) {
		snprintf(ids[i], sizeof(ids[i]), "svc-%02d", (i * 17) % 40);
		struct search_doc d = placed(ids[i], north(100.0 * (i % 7)), LON0);
		d.scheds[0] = weekly(0, 600 + 30 * (i % 3));
		d.scheds[0].freq = SCHED_DAILY;
		d.scheds[0].weekdays = 0x7f;
		d.nscheds = 1;
		put(ix, d);
	}
	snprintf(all, sizeof(all), "%s", sessions(ix, &q, base, base + 9, base, SEARCH_SESSIONS_MAX, &a));
	assert_int_equal(last_total, 400);
	assert_int_equal(last_n, 400);
	for (size_t max = 1; max <= 400; max = max * 3 + 1) {
		const char *got = sessions(ix, &q, base, base + 9, base, max, &a);
		assert_int_equal(last_total, 400);
		assert_int_equal(last_n, max);
		assert_int_equal(strncmp(all, got, strlen(got)), 0);
		assert_true(all[strlen(got)] == ',' || all[strlen(got)] == '\0');
	}
	arena_release(&a);
	search_free(ix);
}

/* ---------------------------------------------------------------- limits */

static void limits_are_refused(void **state)
{
	struct search_index *ix = search_new();
	struct search_query q = query(NULL);
	struct search_session dummy, *out = &dummy;
	struct search_doc d = doc("daily");
	size_t n = 7, total = 7;
	struct arena a;

	UNUSED(state);
	arena_init(&a);
	d.scheds[0] = weekly(0, 600);
	d.scheds[0].freq = SCHED_DAILY;
	d.scheds[0].weekdays = 0x7f;
	d.nscheds = 1;
	put(ix, d);
	/* 62 days are allowed, 63 are not. */
	assert_int_equal(search_sessions(ix, &q, base, base + 61, base, 100, &a, &out, &n, &total), ERR_OK);
	assert_int_equal(total, 62);
	assert_int_equal(search_sessions(ix, &q, base, base + 62, base, 100, &a, &out, &n, &total), ERR_INVALID);
	assert_null(out);
	assert_int_equal(n, 0);
	assert_int_equal(total, 0);
	assert_int_equal(search_sessions(ix, &q, base, base - 1, base, 100, &a, &out, &n, &total), ERR_INVALID);
	assert_int_equal(search_sessions(ix, &q, 0, 5, base, 100, &a, &out, &n, &total), ERR_INVALID);
	assert_int_equal(search_sessions(ix, &q, SCHED_DAY_MAX, SCHED_DAY_MAX + 1, base, 100, &a, &out, &n, &total),
		ERR_INVALID);
	assert_int_equal(search_sessions(ix, &q, base, base, 0, 100, &a, &out, &n, &total), ERR_INVALID);
	assert_int_equal(search_sessions(ix, &q, base, base, base, 0, &a, &out, &n, &total), ERR_INVALID);
	assert_int_equal(search_sessions(ix, &q, base, base, base, SEARCH_SESSIONS_MAX + 1, &a, &out, &n, &total),
		ERR_INVALID);
	assert_int_equal(search_sessions(ix, &q, base, base, base, SEARCH_SESSIONS_MAX, &a, &out, &n, &total),
		ERR_OK);
	assert_int_equal(n, 1);
	q = near(-1);
	assert_int_equal(search_sessions(ix, &q, base, base, base, 10, &a, &out, &n, &total), ERR_INVALID);
	q = near(1000);
	q.lat = NAN;
	assert_int_equal(search_sessions(ix, &q, base, base, base, 10, &a, &out, &n, &total), ERR_INVALID);
	q.lat = 91;
	assert_int_equal(search_sessions(ix, &q, base, base, base, 10, &a, &out, &n, &total), ERR_INVALID);
	assert_int_equal(search_sessions(NULL, &q, base, base, base, 10, &a, &out, &n, &total), ERR_INVALID);
	arena_release(&a);
	search_free(ix);
}

/* ---------------------------------------------------------------- changes */

static void without_schedules_and_removed(void **state)
{
	struct search_index *ix = search_new();
	struct search_query q = query(NULL);
	struct search_doc d;
	struct arena a;

	UNUSED(state);
	arena_init(&a);
	put(ix, doc("no-schedule"));
	d = doc("ended");
	d.scheds[0] = weekly(1, 600);
	d.scheds[0].end_day = base - 30;
	d.nscheds = 1;
	put(ix, d);
	d = doc("kept");
	d.scheds[0] = weekly(1, 600);
	d.nscheds = 1;
	put(ix, d);
	d = doc("removed");
	d.scheds[0] = weekly(1, 600);
	d.nscheds = 1;
	put(ix, d);
	d = doc("replaced");
	d.scheds[0] = weekly(1, 600);
	d.nscheds = 1;
	put(ix, d);
	d = doc("loses-its-schedule");
	d.scheds[0] = weekly(1, 600);
	d.nscheds = 1;
	put(ix, d);
	assert_string_equal(sessions(ix, &q, base, base + 6, base, 100, &a),
		"kept +1 600, loses-its-schedule +1 600, removed +1 600, replaced +1 600");

	assert_int_equal(search_remove(ix, "removed"), ERR_OK);
	d = doc("replaced");
	d.scheds[0] = weekly(3, 660);
	d.nscheds = 1;
	put(ix, d);
	put(ix, doc("loses-its-schedule"));
	assert_string_equal(sessions(ix, &q, base, base + 6, base, 100, &a), "kept +1 600, replaced +3 660");
	assert_int_equal(last_total, 2);
	/* The same after compaction renumbers the slots. */
	assert_int_equal(search_compact(ix), ERR_OK);
	assert_string_equal(sessions(ix, &q, base, base + 6, base, 100, &a), "kept +1 600, replaced +3 660");
	arena_release(&a);
	search_free(ix);
}

/* ---------------------------------------------------------------- reference */

#define RDOCS 300

struct rdoc {
	char id[40];
	bool live;
	uint64_t cats;
	double lat[3], lon[3];     /* as the index keeps them (floats) */
	size_t np;
	struct sched s[4];
	size_t ns;
};

struct rsess {
	const char *id;
	int64_t day;
	int opens, closes, sched;
	double dist;               /* INFINITY without a place, -1 without near */
};

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (uint32_t)((z >> 32) * n >> 32);
}

static struct sched rsched(int64_t from)
{
	struct sched s;

	memset(&s, 0, sizeof(s));
	s.interval = 1;
	s.opens = rnd(4) ? (int)rnd(1440) : -1;
	s.closes = s.opens >= 0 && rnd(4) ? s.opens + (int)rnd(1440 - (uint32_t)s.opens) + 1 : -1;
	switch (rnd(10)) {
	case 0:
		s.freq = SCHED_ONCE;
		s.start_day = from - 10 + rnd(80);
		return s;
	case 1:
		s.freq = SCHED_DAILY;
		s.weekdays = (uint8_t)rnd(128);
		s.interval = 1 + (int)rnd(3);
		break;
	case 2:
	case 3: {
		s.freq = SCHED_MONTHLY;
		s.interval = 1 + (int)rnd(2);
		if (rnd(3) == 0) {
			s.monthday = 1 + (int)rnd(31);
		} else {
			static const int nths[] = { 1, 2, 3, 4, 5, -1 };
			for (uint32_t k = 1 + rnd(3); k > 0; k--)
				sched_add_byday(&s, nths[rnd(6)], (int)rnd(7));
		}
		break;
	}
	default:
		s.freq = SCHED_WEEKLY;
		s.weekdays = (uint8_t)(1u << rnd(7));
		if (rnd(4) == 0)
			s.weekdays |= (uint8_t)(1u << rnd(7));
		s.interval = rnd(3) ? 1 : 2 + (int)rnd(2);
		break;
	}
	if (rnd(2))
		s.start_day = from - 100 + rnd(150);
	if (rnd(4) == 0)
		s.end_day = (s.start_day ? s.start_day : from - 60) + rnd(120);
	return s;
}

static void rdoc_make(struct rdoc *d, int i, int64_t from)
{
	static const char hex[] = "0123456789abcdef";

	memset(d, 0, sizeof(*d));
	if (rnd(5)) {
		/* A UUID, kept by the index as 16 bytes. */
		for (int k = 0; k < 36; k++)
			d->id[k] = k == 8 || k == 13 || k == 18 || k == 23 ? '-' : hex[rnd(16)];
		d->id[0] = hex[i % 3];     /* some share a first digit with text ids below */
	} else {
		snprintf(d->id, sizeof(d->id), "%x-svc-%d", i % 5, i);
	}
	d->live = true;
	d->cats = 1u << rnd(3);
	d->np = rnd(5) == 0 ? 0 : 1 + rnd(3);
	for (size_t p = 0; p < d->np; p++) {
		d->lat[p] = (float)(LAT0 + ((double)rnd(20001) - 10000) / 100000.0);
		d->lon[p] = (float)(LON0 + ((double)rnd(20001) - 10000) / 60000.0);
	}
	/* Points share places now and then, for ties in distance. */
	if (d->np && rnd(8) == 0) {
		d->lat[0] = (float)LAT0;
		d->lon[0] = (float)(LON0 + 0.01);
	}
	d->ns = rnd(5) == 0 ? 0 : 1 + rnd(4);
	for (size_t k = 0; k < d->ns; k++)
		d->s[k] = rsched(from);
}

static void rdoc_put(struct search_index *ix, const struct rdoc *d)
{
	struct search_doc sd = doc(d->id);

	sd.categories = d->cats;
	for (size_t p = 0; p < d->np; p++)
		sd.points[p] = (struct search_point){ d->lat[p], d->lon[p] };
	sd.npoints = d->np;
	memcpy(sd.scheds, d->s, d->ns * sizeof(d->s[0]));
	sd.nscheds = d->ns;
	put(ix, sd);
}

static int rsess_cmp(const void *pa, const void *pb)
{
	const struct rsess *a = pa, *b = pb;
	int r;

	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	if (a->opens != b->opens)
		return a->opens < b->opens ? -1 : 1;
	if (a->dist != b->dist)
		return a->dist < b->dist ? -1 : 1;
	if ((r = strcmp(a->id, b->id)) != 0)
		return r;
	return a->sched - b->sched;
}

/* Every session by brute force: each live document the query matches,
 * each schedule, each day of the window. */
static size_t reference(const struct rdoc *docs, size_t nd, const struct search_query *q, int64_t from,
		int64_t to, int64_t today, struct rsess *out)
{
	size_t n = 0;

	for (size_t i = 0; i < nd; i++) {
		const struct rdoc *d = &docs[i];
		double dist = q->near ? INFINITY : -1;

		if (!d->live || (q->categories_any && !(d->cats & q->categories_any)))
			continue;
		for (size_t p = 0; p < d->np && q->near; p++) {
			double m = geo_distance_m(q->lat, q->lon, d->lat[p], d->lon[p]);
			if (m < dist)
				dist = m;
		}
		if (q->near && q->radius_m > 0 && !(dist <= q->radius_m))
			continue;
		for (size_t k = 0; k < d->ns; k++)
			for (int64_t day = from; day <= to; day++)
				if (sched_on_day(&d->s[k], day, today))
					out[n++] = (struct rsess){ d->id, day, d->s[k].opens, d->s[k].closes, (int)k, dist };
	}
	qsort(out, n, sizeof(*out), rsess_cmp);
	return n;
}

/* One query against the reference; how many sessions it had. */
static size_t compare(struct search_index *ix, const struct rdoc *docs, size_t nd, const struct search_query *q,
		int64_t from, int64_t to, int64_t today, struct rsess *ref)
{
	size_t nr = reference(docs, nd, q, from, to, today, ref), n, total;
	size_t max = rnd(3) == 0 ? 1 + rnd(40) : SEARCH_SESSIONS_MAX;
	struct search_session *out;
	struct arena a;

	arena_init(&a);
	assert_int_equal(search_sessions(ix, q, from, to, today, max, &a, &out, &n, &total), ERR_OK);
	assert_int_equal(total, nr);
	assert_int_equal(n, nr < max ? nr : max);
	for (size_t i = 0; i < n; i++) {
		const struct rsess *r = &ref[i];
		if (strcmp(out[i].id, r->id) != 0 || out[i].day != r->day || out[i].sched != r->sched)
			fail_msg("session %zu of %zu: got %s day %lld sched %d, want %s day %lld sched %d", i, nr,
				out[i].id, (long long)out[i].day, out[i].sched, r->id, (long long)r->day, r->sched);
		assert_int_equal(out[i].opens, r->opens);
		assert_int_equal(out[i].closes, r->closes);
		if (isinf(r->dist))
			assert_true(out[i].distance_m == -1);
		else
			assert_true(fabs(out[i].distance_m - r->dist) <= 1e-6);
	}
	arena_release(&a);
	return nr;
}

static void matches_a_brute_force(void **state)
{
	struct search_index *ix = search_new();
	struct rdoc *docs = calloc(RDOCS, sizeof(*docs));
	struct rsess *ref = calloc(RDOCS * 4 * SEARCH_SESSIONS_DAYS_MAX, sizeof(*ref));
	size_t checked = 0, sessions_seen = 0;

	UNUSED(state);
	assert_non_null(docs);
	assert_non_null(ref);
	rng_state = 20261123;
	for (int i = 0; i < RDOCS; i++) {
		rdoc_make(&docs[i], i, base);
		rdoc_put(ix, &docs[i]);
	}
	for (int round = 0; round < 200; round++) {
		/* Now and then a document goes, or changes. */
		if (round % 10 == 5) {
			for (int k = 0; k < 15; k++) {
				struct rdoc *d = &docs[rnd(RDOCS)];
				if (!d->live)
					continue;
				if (rnd(2)) {
					assert_int_equal(search_remove(ix, d->id), ERR_OK);
					d->live = false;
				} else {
					char id[40];
					memcpy(id, d->id, sizeof(id));
					rdoc_make(d, (int)rnd(1000), base);
					memcpy(d->id, id, sizeof(id));
					rdoc_put(ix, d);
				}
			}
		}
		int64_t from = base - 40 + rnd(120), to = from + rnd(SEARCH_SESSIONS_DAYS_MAX);
		int64_t today = from - 20 + rnd(60);
		struct search_query q = query(NULL);
		switch (rnd(4)) {
		case 0:
			break;                 /* everything */
		case 1:
			q = near(0);
			break;
		default:
			q = near(1000.0 + rnd(15000));
			q.lat += ((double)rnd(2001) - 1000) / 20000.0;
			break;
		}
		if (rnd(4) == 0)
			q.categories_any = 1u << rnd(3);
		if (rnd(4) == 0)
			q.text = "group";      /* every document's body: the postings path */
		sessions_seen += compare(ix, docs, RDOCS, &q, from, to, today, ref);
		checked++;
	}
	/* Not a comparison of empty lists. */
	assert_int_equal(checked, 200);
	assert_true(sessions_seen > 20000);
	free(ref);
	free(docs);
	search_free(ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(weekly_and_every_other_week),
		cmocka_unit_test(monthly_once_and_ended),
		cmocka_unit_test(radius_edge_and_nearest_place),
		cmocka_unit_test(text_and_filters_apply),
		cmocka_unit_test(order_and_its_ties),
		cmocka_unit_test(max_below_total),
		cmocka_unit_test(limits_are_refused),
		cmocka_unit_test(without_schedules_and_removed),
		cmocka_unit_test(matches_a_brute_force),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
