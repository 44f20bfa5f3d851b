/*
 * bench_gen.h - what the benchmarks that generate a synthetic directory
 * share (search_bench.c, events_bench.c): a seeded random stream, clocks,
 * points at postcode sectors picked by how many postcodes each has (so
 * services crowd into towns as people do), ids, and percentiles of timings. A header of static
 * inline functions, because bench/bench.mk makes a program of every
 * bench/NAME.c.
 */
#ifndef KITH_BENCH_GEN_H
#define KITH_BENCH_GEN_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>

#include "core/embedded.h"
#include "search/postcode.h"

/* ---------------------------------------------------------------- random */

struct rng {
	uint64_t s;
};

static inline uint64_t rnext(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint32_t rbelow(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rnext(r) >> 32) * (uint64_t)n) >> 32);
}

static inline double runit(struct rng *r)
{
	return (double)(rnext(r) >> 11) / 9007199254740992.0;
}

static inline double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- places */

/* Sectors picked by population (their postcode counts), or uniformly. */
static double *sector_cdf, *sector_lat, *sector_lon;
static size_t nsectors;

static inline void sectors_init(void)
{
	const struct embedded_file *f = embedded_find(embedded_data, embedded_data_n,
		"postcodes/uk_postcode_sectors.csv");
	const char *p, *end;
	double acc = 0;

	if (!f || postcode_init() != ERR_OK) {
		fprintf(stderr, "postcode tables did not load\n");
		exit(1);
	}
	size_t cap = postcode_sector_count() + 1;
	sector_cdf = calloc(cap, sizeof(double));
	sector_lat = calloc(cap, sizeof(double));
	sector_lon = calloc(cap, sizeof(double));
	p = (const char *)f->data;
	end = p + f->len;
	p = memchr(p, '\n', (size_t)(end - p)) + 1;      /* header */
	while (p < end && nsectors < cap) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		const char *c1 = memchr(p, ',', (size_t)(eol - p));
		if (!c1)
			break;
		char *e;
		double lat = strtod(c1 + 1, &e), lon = strtod(e + 1, &e), cnt = strtod(e + 1, &e);
		sector_lat[nsectors] = lat;
		sector_lon[nsectors] = lon;
		acc += cnt > 0 ? cnt : 1;
		sector_cdf[nsectors++] = acc;
		p = eol + 1;
	}
	for (size_t i = 0; i < nsectors; i++)
		sector_cdf[i] /= acc;
}

/* A point near a sector picked by population (a few hundred metres off
 * its centroid). */
static inline void sector_point(struct rng *r, double *lat, double *lon)
{
	double u = runit(r);
	size_t lo = 0, hi = nsectors - 1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (sector_cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	*lat = sector_lat[lo] + (runit(r) - 0.5) * 0.01;
	*lon = sector_lon[lo] + (runit(r) - 0.5) * 0.015;
}

static inline void uuid_of(uint64_t a, uint64_t b, char out[37])
{
	snprintf(out, 37, "%08x-%04x-4%03x-8%03x-%012llx", (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
		(unsigned)a & 0xfff, (unsigned)(b >> 48) & 0xfff, (unsigned long long)(b & 0xffffffffffffULL));
}

/* ---------------------------------------------------------------- stats: percentiles of timings, resident memory */

static inline int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct stat4 {
	double p50, p95, p99, max;
	size_t n;
};

static inline struct stat4 stats(const double *v, size_t n)
{
	struct stat4 s = { 0 };
	double *c;

	if (!n)
		return s;
	c = malloc(n * sizeof(*c));
	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), dcmp);
	s.n = n;
	s.p50 = c[(n - 1) / 2];
	s.p95 = c[(size_t)ceil(0.95 * (double)n) - 1];
	s.p99 = c[(size_t)ceil(0.99 * (double)n) - 1];
	s.max = c[n - 1];
	free(c);
	return s;
}

static inline long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

#endif
