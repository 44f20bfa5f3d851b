/*
 * fuzz_events_params.c - the events API's query parameters
 * (events_params_parse in src/groups/events_api.c: from, to, postcode,
 * proximity, page, per_page of GET /api/v1/events) on any query string,
 * as the server hands it over: parse_urlencoded with the default limits,
 * then the parser with no directory (postcodes only), once with a fixed
 * today and once with a today the first byte picks (1999 to 2112, so
 * from's default falls outside 2000..2099 too).
 *
 * Invariants: the parser agrees with an independent reading of the rules
 * on which parameter, if any, is refused (the first one wrong, in the
 * order from, to, postcode, proximity, per_page, page: a day is
 * YYYY-MM-DD, a real day from 2000 to 2099; to is from..from+61; a
 * postcode is located as directory_locate(NULL) locates it, trimmed;
 * proximity is digits with at most one point followed by digits, from 1
 * to EVENTS_PROXIMITY_MAX judged on the digits, and needs a postcode;
 * per_page 1..100, page 1..1000000 and no deeper than
 * SEARCH_SESSIONS_MAX), and a refusal's sentence names that parameter.
 * An acceptance has exactly the reference's window (from, to, today),
 * point and postcode (EVENTS_PROXIMITY_DEFAULT without a proximity;
 * otherwise its value, to a part in 10^12), and page, with offset and
 * limit from it. Whatever happens, all six names are recorded, so the
 * handler's API_STRICT refuses only others. A fresh arena per input.
 */
#include "core/common.h"

#include "core/arena.h"
#include "core/kv.h"
#include "core/str.h"
#include "core/uktime.h"
#include "directory/directory.h"
#include "groups/calendar.h"
#include "http/parse.h"
#include "search/postcode.h"
#include "search/search.h"
#include "web/api.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static const char *const names[] = { "from", "to", "postcode", "proximity", "per_page", "page" };

/* ---------------------------------------------------------------- the rules, read independently */

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Empty is absent; the first of a repeat counts. */
static const char *given(const struct kvlist *kv, const char *name)
{
	const char *v = kv_get(kv, name);

	return v && v[0] ? v : NULL;
}

/* YYYY-MM-DD, a real day in 2000..2099. */
static bool ref_day(const char *s, int64_t *day)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !digit(s[i]))
			return false;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 2000 || y > 2099 || m < 1 || m > 12 || d < 1 ||
	    d > len[m - 1] + (m == 2 && y % 4 == 0))   /* 2000 is a leap year; 2100 is not reached */
		return false;
	*day = uk_days(y, m, d);
	return true;
}

/* Digits only, lo..hi (lo >= 1: a sign never helps). */
static bool ref_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	int64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (!digit(*s))
			return false;
		if (v <= hi)
			v = v * 10 + (*s - '0');
	}
	*out = v;
	return v >= lo && v <= hi;
}

/* Plain decimal metres in 1..EVENTS_PROXIMITY_MAX, compared as text:
 * the whole part without leading zeros against "200000". */
static bool ref_metres(const char *s)
{
	char max[16];
	const char *w = s, *point = strchr(s, '.');
	size_t wn, mn;
	bool frac = false;

	if (strspn(s, "0123456789.") != strlen(s) || (point && strchr(point + 1, '.')))
		return false;
	wn = point ? (size_t)(point - s) : strlen(s);
	if (wn == 0 || (point && !point[1]))
		return false;
	for (const char *p = point ? point + 1 : ""; *p; p++)
		frac |= *p != '0';
	while (wn > 1 && *w == '0')
		w++, wn--;
	if (wn == 1 && *w == '0')
		return false;                          /* below 1 */
	mn = (size_t)snprintf(max, sizeof(max), "%d", EVENTS_PROXIMITY_MAX);
	if (wn != mn)
		return wn < mn;
	int c = strncmp(w, max, wn);

	return c < 0 || (c == 0 && !frac);
}

/* Code points of clean UTF-8. */
static size_t chars(const char *p, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)p[i] & 0xc0) != 0x80;
	return c;
}

struct ref {
	const char *bad;              /* the parameter refused, or NULL */
	int64_t from, to, page, per_page;
	bool near;
	struct dir_place pl;
	double radius;
};

/* What the parser should make of kv, the first refusal winning. */
static void reference(const struct kvlist *kv, int64_t today, struct ref *r)
{
	const char *v, *pc = NULL;
	char trimmed[1024];

	memset(r, 0, sizeof(*r));
	r->from = today;
	if ((v = given(kv, "from")) && !ref_day(v, &r->from)) {
		r->bad = "from";
		return;
	}
	r->to = r->from + 6;
	if ((v = given(kv, "to")) && !ref_day(v, &r->to)) {
		r->bad = "to";
		return;
	}
	if (r->to < r->from || r->to - r->from > 61) {
		r->bad = "to";
		return;
	}
	if ((v = given(kv, "postcode"))) {
		size_t a = 0, b = strlen(v);

		while (a < b && (v[a] == ' ' || v[a] == '\t'))
			a++;
		while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'))
			b--;
		if (!str_is_clean_utf8(v + a, b - a) || chars(v + a, b - a) > PLACE_NAME_MAX) {
			r->bad = "postcode";
			return;
		}
		if (b > a) {
			char why[512];

			CHECK(b - a < sizeof(trimmed));
			memcpy(trimmed, v + a, b - a);
			trimmed[b - a] = '\0';
			pc = trimmed;
			if (directory_locate(NULL, pc, &r->pl, why, sizeof(why)) != ERR_OK) {
				r->bad = "postcode";
				return;
			}
			r->near = true;
			r->radius = EVENTS_PROXIMITY_DEFAULT;
		}
	}
	if ((v = given(kv, "proximity"))) {
		if (!ref_metres(v) || !pc) {
			r->bad = "proximity";
			return;
		}
		r->radius = strtod(v, NULL);
	}
	r->per_page = 25;
	if ((v = given(kv, "per_page")) && !ref_int(v, 1, 100, &r->per_page)) {
		r->bad = "per_page";
		return;
	}
	r->page = 1;
	if ((v = given(kv, "page")) && !ref_int(v, 1, 1000000, &r->page)) {
		r->bad = "page";
		return;
	}
	if (r->page * r->per_page > SEARCH_SESSIONS_MAX)
		r->bad = "page";
}

/* ---------------------------------------------------------------- checks */

static void check(const struct kvlist *kv, struct arena *a, int64_t today)
{
	struct events_params p;
	struct api_query q;
	struct ref r;
	enum err e;

	api_query_init(&q, kv, a);
	e = events_params_parse(&q, NULL, today, &p);
	reference(kv, today, &r);

	/* Every name read, whatever happened. */
	CHECK(q.nnames == ARRAY_LEN(names));
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		bool seen = false;

		for (size_t k = 0; k < q.nnames; k++)
			seen |= strcmp(q.names[k], names[i]) == 0;
		CHECK(seen);
	}
	if (r.bad) {
		char says[64];

		CHECK(e == ERR_BAD_REQUEST);
		CHECK(q.bad && strcmp(q.bad, r.bad) == 0);
		snprintf(says, sizeof(says), "The %s parameter ", r.bad);
		CHECK(strncmp(q.detail, says, strlen(says)) == 0 && strlen(q.detail) > strlen(says) + 10);
		return;
	}
	CHECK(e == ERR_OK && q.bad == NULL);
	CHECK(p.w.today == today && p.w.from == r.from && p.w.to == r.to);
	CHECK(p.w.from <= p.w.to && p.w.to - p.w.from < CALENDAR_EVENTS_DAYS);
	CHECK(p.page == r.page && p.per_page == r.per_page);
	CHECK(p.page >= 1 && p.per_page >= 1 && p.per_page <= API_PER_PAGE_MAX);
	CHECK(p.w.offset == (size_t)((p.page - 1) * p.per_page) && p.w.limit == (size_t)p.per_page);
	CHECK(p.w.offset + p.w.limit <= SEARCH_SESSIONS_MAX);
	CHECK(p.w.near == r.near);
	if (p.w.near) {
		CHECK(strcmp(p.postcode, r.pl.name) == 0 && p.postcode[0]);
		CHECK(p.w.lat == r.pl.lat && p.w.lon == r.pl.lon);
		CHECK(p.w.radius_m >= 1 && p.w.radius_m <= EVENTS_PROXIMITY_MAX);
		CHECK(fabs(p.w.radius_m - r.radius) <= r.radius * 1e-12);
	} else {
		CHECK(p.postcode[0] == '\0' && p.w.radius_m == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	static int64_t fixed, first;
	struct arena a;
	struct kvlist q = { 0 };
	const char *why;

	if (!ready) {
		CHECK(postcode_init() == ERR_OK);
		fixed = uk_days(2026, 11, 30);
		first = uk_days(1999, 12, 25);
		ready = true;
	}
	arena_init(&a);
	if (parse_urlencoded(&a, (const char *)data, size, &parse_default_limits, &q, &why) == ERR_OK) {
		check(&q, &a, fixed);
		if (size)
			check(&q, &a, first + (int64_t)data[0] * 161);
	}
	arena_release(&a);
	return 0;
}
