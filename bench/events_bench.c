/*
 * events_bench.c - search_sessions, the events API's query: "what is on
 * in the next 7 days within 5 miles of here", in process.
 *
 *   events_bench [--n N] [--queries Q] [--seed S]
 *
 * Generates N synthetic services (default 100,000) deterministically, as
 * search_bench does: each at one place (some two) at a postcode sector
 * centroid picked by its number of postcodes (the shipped table), so
 * there are many more around towns than in the hills; each with a
 * schedule: every week on one day or two, every other week (most with a
 * start day), the first Monday or another weekday of the month, a day
 * of the month, weekdays, or a one-off date; most with times, some with a
 * second schedule, a few that have ended. Builds the index, counts the
 * sessions the schedules make in a year (six windows of at most 62 days
 * over all of them), then runs Q queries (default 2,000) for the next 7
 * days within 5 miles: half at points picked by population (where
 * services are dense), half at points picked by area (anywhere within
 * 5 km of a postcode sector: mostly countryside, sparse), and one in 50
 * at five city centres (the densest). Each query asks
 * for every session (max SEARCH_SESSIONS_MAX) and, in a second pass, a
 * page of 100. Prints p50, p95, p99 and max in microseconds (wall and
 * this thread's CPU) per class, sessions per query (mean, max), and a
 * RESULT line of key=value for bench/events_bench.sh.
 */
#include "core/common.h"

#include <math.h>

#include "core/arena.h"
#include "core/embedded.h"
#include "core/uktime.h"
#include "search/postcode.h"
#include "search/schedule.h"
#include "search/search.h"

#include "bench_gen.h"

#define FIVE_MILES 8046.72


/* A point picked by area: anywhere in the UK's box that is within 5 km
 * of some sector's centroid (on land where someone lives), so mostly
 * countryside and small towns. */
static void area_point(struct rng *r, double *lat, double *lon)
{
	for (;;) {
		double la = 49.9 + runit(r) * 8.8, lo = -8.2 + runit(r) * 10.0;
		double k = cos(la * M_PI / 180.0);
		for (size_t i = 0; i < nsectors; i++) {
			double dy = (sector_lat[i] - la) * 111.2, dx = (sector_lon[i] - lo) * 111.2 * k;
			if (dy * dy + dx * dx < 25.0) {
				*lat = la;
				*lon = lo;
				return;
			}
		}
	}
}

/* ---------------------------------------------------------------- services */


static const char *const acts[] = { "Walking Group", "Lunch Club", "Memory Cafe", "Breathe Easy",
	"Knit and Natter", "Men's Shed", "Chair Exercise", "Peer Support", "Food Bank", "Warm Space",
	"Book Club", "Carers Cafe", "Digital Drop-in", "Singing for the Brain", "Bereavement Group" };

struct gdoc {
	struct search_doc d;
	char id[37], org[37];
	char name[96];
};

static int64_t bench_today;

/* Times: most have them (09:00 to 19:30, on the half hour), some not. */
static void times(struct rng *r, struct sched *s)
{
	if (rbelow(r, 10) < 7) {
		s->opens = 9 * 60 + (int)rbelow(r, 22) * 30;
		s->closes = s->opens + 60 + (int)rbelow(r, 5) * 30;
	} else {
		s->opens = s->closes = -1;
	}
}

static void gen_sched(struct rng *r, struct sched *s)
{
	uint32_t x = rbelow(r, 100);

	memset(s, 0, sizeof(*s));
	s->interval = 1;
	times(r, s);
	if (x < 40) {                                     /* every week, one day */
		s->freq = SCHED_WEEKLY;
		s->weekdays = (uint8_t)(1u << rbelow(r, 7));
	} else if (x < 55) {                              /* two days a week */
		s->freq = SCHED_WEEKLY;
		s->weekdays = (uint8_t)(1u << rbelow(r, 5) | 1u << (2 + rbelow(r, 5)));
	} else if (x < 70) {                              /* every other week */
		s->freq = SCHED_WEEKLY;
		s->interval = 2;
		s->weekdays = (uint8_t)(1u << rbelow(r, 7));
		if (rbelow(r, 5))
			s->start_day = bench_today - 1 - rbelow(r, 365);
	} else if (x < 82) {                              /* first Monday */
		s->freq = SCHED_MONTHLY;
		sched_add_byday(s, 1, 0);
	} else if (x < 90) {                              /* another weekday of the month */
		s->freq = SCHED_MONTHLY;
		sched_add_byday(s, rbelow(r, 4) ? 1 + (int)rbelow(r, 4) : -1, (int)rbelow(r, 7));
	} else if (x < 93) {                              /* a day of the month */
		s->freq = SCHED_MONTHLY;
		s->monthday = 1 + (int)rbelow(r, 28);
	} else if (x < 97) {                              /* weekdays */
		s->freq = SCHED_DAILY;
		s->weekdays = 0x1f;
	} else {                                          /* one date */
		s->freq = SCHED_ONCE;
		s->start_day = bench_today - 60 + rbelow(r, 180);
	}
	if (s->freq != SCHED_ONCE && rbelow(r, 20) == 0)  /* ended */
		s->end_day = bench_today - 1 - rbelow(r, 200);
}

static void gen_doc(uint64_t seed, size_t i, struct gdoc *g)
{
	struct rng r = { seed * 0x100000001b3ULL + i * 0x9e3779b97f4a7c15ULL };

	memset(&g->d, 0, sizeof(g->d));
	uuid_of(rnext(&r), rnext(&r), g->id);
	uuid_of(i / 3 * 7919 + seed, 0xabcdefULL ^ (i / 3), g->org);
	snprintf(g->name, sizeof(g->name), "%s", acts[rbelow(&r, ARRAY_LEN(acts))]);
	g->d.id = g->id;
	g->d.org_id = g->org;
	g->d.name = g->name;
	g->d.body = "community group welcome";
	g->d.categories = 1ull << rbelow(&r, 20);
	g->d.flags = rbelow(&r, 10) < 7 ? SF_FREE | SF_IN_PERSON : SF_IN_PERSON;
	g->d.npoints = rbelow(&r, 10) == 0 ? 2 : 1;
	for (size_t p = 0; p < g->d.npoints; p++)
		sector_point(&r, &g->d.points[p].lat, &g->d.points[p].lon);
	g->d.nscheds = rbelow(&r, 10) == 0 ? 2 : 1;
	for (size_t k = 0; k < g->d.nscheds; k++)
		gen_sched(&r, &g->d.scheds[k]);
	g->d.modified = 1795597200 - (int64_t)rbelow(&r, 730) * 86400;
}

/* ---------------------------------------------------------------- queries */

enum qclass { Q_DENSE, Q_SPARSE, Q_CITY, Q__MAX };
static const char *const qclass_name[Q__MAX] = {
	"point by population", "point by area", "city centre",
};

struct bq {
	enum qclass cls;
	struct search_query q;
};

static const double cities[][2] = {
	{ 51.5080, -0.1281 },      /* London, Trafalgar Square */
	{ 52.4796, -1.9026 },      /* Birmingham */
	{ 53.4794, -2.2453 },      /* Manchester */
	{ 55.8609, -4.2514 },      /* Glasgow */
	{ 53.7960, -1.5479 },      /* Leeds */
};

static void gen_queries(struct bq *qs, size_t n, uint64_t seed)
{
	struct rng r = { seed ^ 0xe7e7 };

	for (size_t i = 0; i < n; i++) {
		struct bq *b = &qs[i];
		struct search_query *q = &b->q;

		memset(b, 0, sizeof(*b));
		q->near = true;
		q->radius_m = FIVE_MILES;
		if (i % 50 == 49) {
			const double *c = cities[(i / 50) % ARRAY_LEN(cities)];
			b->cls = Q_CITY;
			q->lat = c[0] + (runit(&r) - 0.5) * 0.004;
			q->lon = c[1] + (runit(&r) - 0.5) * 0.006;
		} else if (i % 2 == 0) {
			b->cls = Q_DENSE;
			sector_point(&r, &q->lat, &q->lon);
		} else {
			b->cls = Q_SPARSE;
			area_point(&r, &q->lat, &q->lon);
		}
	}
}


/* One pass of the queries, max sessions each: microseconds into t (wall)
 * and tc (CPU), sessions (total) into ns. */
static void run_pass(struct search_index *ix, const struct bq *qs, size_t n, size_t max, double *t,
		double *tc, double *ns)
{
	for (size_t i = 0; i < n; i++) {
		struct arena a;
		struct search_session *out;
		size_t got, total;

		arena_init(&a);
		double c0 = cpu_s(), t0 = now_s();
		enum err e = search_sessions(ix, &qs[i].q, bench_today, bench_today + 6, bench_today, max, &a,
			&out, &got, &total);
		t[i] = (now_s() - t0) * 1e6;
		tc[i] = (cpu_s() - c0) * 1e6;
		if (e != ERR_OK) {
			fprintf(stderr, "query %zu failed: %d\n", i, e);
			exit(1);
		}
		ns[i] = (double)total;
		arena_release(&a);
	}
}

static void print_table(const char *title, const struct bq *qs, size_t n, const double *t, const double *tc,
		const double *ns)
{
	double *v = malloc(n * sizeof(*v));

	printf("%s\n", title);
	printf("  %-20s %5s %9s %9s %9s %9s | CPU: %8s %9s | sessions: %7s %6s\n", "class", "n", "p50", "p95",
		"p99", "max", "p50", "p99", "mean", "max");
	for (int c = 0; c <= Q__MAX; c++) {
		size_t k = 0;
		double sum = 0, smax = 0;
		for (size_t i = 0; i < n; i++)
			if (c == Q__MAX || qs[i].cls == (enum qclass)c) {
				v[k++] = t[i];
				sum += ns[i];
				if (ns[i] > smax)
					smax = ns[i];
			}
		struct stat4 s = stats(v, k);
		k = 0;
		for (size_t i = 0; i < n; i++)
			if (c == Q__MAX || qs[i].cls == (enum qclass)c)
				v[k++] = tc[i];
		struct stat4 sc = stats(v, k);
		printf("  %-20s %5zu %7.0fus %7.0fus %7.0fus %7.0fus |    %7.0fus %7.0fus |        %7.0f %6.0f\n",
			c == Q__MAX ? "all" : qclass_name[c], s.n, s.p50, s.p95, s.p99, s.max, sc.p50, sc.p99,
			k ? sum / (double)k : 0, smax);
	}
	free(v);
}

/* ---------------------------------------------------------------- main */

static size_t arg_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end == 'k' || *end == 'K')
		v *= 1000, end++;
	else if (*end == 'm' || *end == 'M')
		v *= 1000000, end++;
	if (*end) {
		fprintf(stderr, "not a number: %s\n", s);
		exit(2);
	}
	return (size_t)v;
}

int main(int argc, char **argv)
{
	size_t n = 100000, nq = 2000;
	uint64_t seed = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--n") && i + 1 < argc)
			n = arg_size(argv[++i]);
		else if (!strcmp(argv[i], "--queries") && i + 1 < argc)
			nq = arg_size(argv[++i]);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = arg_size(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--n N] [--queries Q] [--seed S]\n", argv[0]);
			return 2;
		}
	}
	if (!nq) {
		fprintf(stderr, "--queries must be at least 1\n");
		return 2;
	}
	/* A fixed day, so every run asks the same: Wednesday 25 November 2026. */
	bench_today = uk_days(2026, 11, 25);
	sectors_init();

	/* The index. */
	struct search_index *ix = search_new();
	struct gdoc *g = malloc(sizeof(*g));
	long r0 = rss_kb();
	double build = 0;
	size_t nsched = 0;
	for (size_t i = 0; i < n; i++) {
		gen_doc(seed, i, g);
		nsched += g->d.nscheds;
		double t0 = now_s();
		if (search_put(ix, &g->d) != ERR_OK) {
			fprintf(stderr, "put failed\n");
			return 1;
		}
		build += now_s() - t0;
	}
	free(g);
	size_t bytes = search_bytes(ix);
	printf("index: %zu services, %zu schedules, built in %.2f s; search_bytes %.1f MB; resident memory +%.1f MB\n",
		n, nsched, build, (double)bytes / 1048576, (double)(rss_kb() - r0) / 1024);

	/* Sessions in a year, from today: windows of at most 62 days. */
	struct search_query all;
	memset(&all, 0, sizeof(all));
	size_t year = 0;
	double ty = now_s(), tmax = 0;
	for (int64_t from = bench_today; from < bench_today + 365; from += SEARCH_SESSIONS_DAYS_MAX) {
		int64_t to = from + SEARCH_SESSIONS_DAYS_MAX - 1;
		struct arena a;
		struct search_session *out;
		size_t got, total;
		if (to > bench_today + 364)
			to = bench_today + 364;
		arena_init(&a);
		double t0 = now_s();
		if (search_sessions(ix, &all, from, to, bench_today, 100, &a, &out, &got, &total) != ERR_OK) {
			fprintf(stderr, "year query failed\n");
			return 1;
		}
		if (now_s() - t0 > tmax)
			tmax = now_s() - t0;
		year += total;
		arena_release(&a);
	}
	ty = now_s() - ty;
	printf("a year from %s: %zu sessions (%.1f a service), counted in %.0f ms "
		"(six windows over every service, the slowest %.0f ms)\n", "25 November 2026", year,
		(double)year / (double)(n ? n : 1), ty * 1000, tmax * 1000);

	/* The queries. */
	struct bq *qs = calloc(nq, sizeof(*qs));
	double *t = calloc(nq, sizeof(*t)), *tc = calloc(nq, sizeof(*tc)), *ns = calloc(nq, sizeof(*ns));
	char title[160];
	gen_queries(qs, nq, seed);
	run_pass(ix, qs, nq, SEARCH_SESSIONS_MAX, t, tc, ns);    /* warm up */
	run_pass(ix, qs, nq, SEARCH_SESSIONS_MAX, t, tc, ns);
	snprintf(title, sizeof(title), "next 7 days within 5 miles, every session (max %d), %zu queries:",
		SEARCH_SESSIONS_MAX, nq);
	print_table(title, qs, nq, t, tc, ns);
	struct stat4 s = stats(t, nq), sc = stats(tc, nq);
	double sum = 0, smax = 0;
	for (size_t i = 0; i < nq; i++) {
		sum += ns[i];
		if (ns[i] > smax)
			smax = ns[i];
	}
	char result[1024];
	size_t ro = (size_t)snprintf(result, sizeof(result), "RESULT n=%zu scheds=%zu build_s=%.2f year=%zu"
		" p50=%.1f p95=%.1f p99=%.1f max=%.1f cpu_p50=%.1f cpu_p99=%.1f sess_mean=%.1f sess_max=%.0f",
		n, nsched, build, year, s.p50, s.p95, s.p99, s.max, sc.p50, sc.p99, sum / (double)nq, smax);

	run_pass(ix, qs, nq, 100, t, tc, ns);
	snprintf(title, sizeof(title), "the same, a page of the first 100:");
	print_table(title, qs, nq, t, tc, ns);
	s = stats(t, nq);
	sc = stats(tc, nq);
	snprintf(result + ro, sizeof(result) - ro, " page_p50=%.1f page_p99=%.1f page_cpu_p99=%.1f", s.p50, s.p99,
		sc.p99);
	printf("%s\n", result);

	search_free(ix);
	free(qs);
	free(t);
	free(tc);
	free(ns);
	free(sector_cdf);
	free(sector_lat);
	free(sector_lon);
	return 0;
}
