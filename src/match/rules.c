/*
 * rules.c - the hard rules, costs, reasons and "why nobody fits" of peer
 * matching (rules.h). Every candidate is tested pair by pair: a town has
 * tens of people waiting and tens of peers, a region thousands of each,
 * and a test is a few bit operations and, for in person, one distance.
 */
#include "core/common.h"
#include "core/geo.h"
#include "match/rules.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned match_tier_ways(enum match_tier t)
{
	switch (t) {
	case MATCH_TIER_IDENTITY:
		return MATCH_WAY_BIT(MATCH_MESSAGE);
	case MATCH_TIER_TRAINED:
		return MATCH_WAY_BIT(MATCH_MESSAGE) | MATCH_WAY_BIT(MATCH_PHONE) | MATCH_WAY_BIT(MATCH_VIDEO);
	case MATCH_TIER_DBS:
		return MATCH_WAY_BIT(MATCH_MESSAGE) | MATCH_WAY_BIT(MATCH_PHONE) | MATCH_WAY_BIT(MATCH_VIDEO) |
		       MATCH_WAY_BIT(MATCH_IN_PERSON);
	default:
		return 0;
	}
}

/* Miles between them, or NAN when either place is not known. */
static double miles_apart(const struct match_ask *a, const struct match_offer *o)
{
	if (isnan(a->lat) || isnan(a->lon) || isnan(o->lat) || isnan(o->lon))
		return NAN;
	return geo_miles(geo_distance_m(a->lat, a->lon, o->lat, o->lon));
}

/* The ways both want that the peer's tier allows, in person only when
 * near enough. */
static unsigned ways_open(const struct match_ask *a, const struct match_offer *o, double miles)
{
	unsigned w = a->ways & o->ways & match_tier_ways(o->tier);

	if ((w & MATCH_WAY_BIT(MATCH_IN_PERSON)) && (isnan(miles) || miles > a->max_miles))
		w &= ~MATCH_WAY_BIT(MATCH_IN_PERSON);
	return w;
}

static bool speaks(const struct match_ask *a, const struct match_offer *o)
{
	return a->language < 0 || (a->language < 64 && ((o->languages >> a->language) & 1));
}

static bool preferred(const struct match_ask *a, const struct match_offer *o)
{
	return a->wants == MATCH_GENDER_UNSAID || o->gender == a->wants;
}

static int32_t cost_of(const struct match_ask *a, const struct match_offer *o, unsigned ways,
		double miles)
{
	int32_t c = 0;
	int missing = __builtin_popcountll(a->topics & ~o->topics);

	if (a->conditions && !(a->conditions & o->conditions))
		c += 300;
	c += missing * 40 > 200 ? 200 : missing * 40;
	if (!a->slots || !o->slots)
		c += 50;
	else if (!(a->slots & o->slots))
		c += 150;
	if (isnan(miles))
		c += 25;
	else if (ways & MATCH_WAY_BIT(MATCH_IN_PERSON))
		c += miles * 10 > 300 ? 300 : (int32_t)(miles * 10);
	else
		c += miles > 50 ? 50 : (int32_t)miles;
	return c;
}

bool match_allowed(const struct match_ask *a, const struct match_offer *o, int32_t *cost)
{
	double miles;
	unsigned ways;

	if (!o->available || o->room == 0 || !speaks(a, o) || !preferred(a, o))
		return false;
	miles = miles_apart(a, o);
	if (!(ways = ways_open(a, o, miles)))
		return false;
	if (cost)
		*cost = cost_of(a, o, ways, miles);
	return true;
}

/* ---------------------------------------------------------------- the problem */

static bool ended_pair(const struct match_pair *ended, size_t nended, uint32_t person, uint32_t peer)
{
	size_t lo = 0, hi = nended;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct match_pair *m = &ended[mid];

		if (m->person < person || (m->person == person && m->peer < peer))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nended && ended[lo].person == person && ended[lo].peer == peer;
}

/* Two passes over asks x offers: count each person's candidates, then
 * fill them in (the rules are cheap; no array is grown). */
enum err match_build(const struct match_ask *asks, uint32_t nasks, const struct match_offer *offers,
		uint32_t noffers, const struct match_pair *ended, size_t nended, struct match_owned *out)
{
	uint64_t total = 0;

	memset(out, 0, sizeof(*out));
	if (nasks > MATCH_PEOPLE_MAX || noffers > MATCH_PEERS_MAX)
		return ERR_INVALID;
	out->capacity = calloc(noffers ? noffers : 1, sizeof(*out->capacity));
	out->start = calloc((size_t)nasks + 1, sizeof(*out->start));
	if (!out->capacity || !out->start)
		goto nomem;
	for (uint32_t j = 0; j < noffers; j++)
		out->capacity[j] = offers[j].room > MATCH_CAPACITY_MAX ? MATCH_CAPACITY_MAX : offers[j].room;
	for (uint32_t i = 0; i < nasks; i++) {
		for (uint32_t j = 0; j < noffers; j++)
			if (match_allowed(&asks[i], &offers[j], NULL) && !ended_pair(ended, nended, i, j))
				total++;
		if (total > MATCH_PAIRS_MAX) {
			match_owned_release(out);
			return ERR_INVALID;
		}
		out->start[i + 1] = (uint32_t)total;
	}
	out->peer = malloc((total ? total : 1) * sizeof(*out->peer));
	out->cost = malloc((total ? total : 1) * sizeof(*out->cost));
	if (!out->peer || !out->cost)
		goto nomem;
	for (uint32_t i = 0; i < nasks; i++) {
		uint32_t k = out->start[i];

		for (uint32_t j = 0; j < noffers; j++) {
			int32_t c;

			if (match_allowed(&asks[i], &offers[j], &c) && !ended_pair(ended, nended, i, j)) {
				out->peer[k] = j;
				out->cost[k++] = c;
			}
		}
	}
	out->prob = (struct match_problem){
		.people = nasks, .peers = noffers, .capacity = out->capacity, .start = out->start,
		.peer = out->peer, .cost = out->cost, .unmatched_cost = MATCH_UNMATCHED_PAGES,
	};
	return ERR_OK;
nomem:
	match_owned_release(out);
	return ERR_NOMEM;
}

/* ---------------------------------------------------------------- words */

/* Appends to out[0..n) at *at, keeping it terminated. */
static void put(char *out, size_t n, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*at >= n)
		return;
	va_start(ap, fmt);
	k = vsnprintf(out + *at, n - *at, fmt, ap);
	va_end(ap);
	if (k > 0)
		*at = *at + (size_t)k < n ? *at + (size_t)k : n - 1;
}

static const char *name_of(const char *const *names, size_t nnames, int bit)
{
	return names && bit >= 0 && (size_t)bit < nnames ? names[bit] : NULL;
}

/* The named bits of mask as "A", "A and B" or "A, B and C" (at most three). */
static void put_names(char *out, size_t n, size_t *at, uint64_t mask, const char *const *names,
		size_t nnames)
{
	const char *picked[3];
	int k = 0;

	for (int b = 0; b < 64 && k < 3; b++)
		if (((mask >> b) & 1) && name_of(names, nnames, b))
			picked[k++] = name_of(names, nnames, b);
	for (int i = 0; i < k; i++)
		put(out, n, at, "%s%s", i == 0 ? "" : i + 1 == k ? " and " : ", ", picked[i]);
}

static bool any_named(uint64_t mask, const char *const *names, size_t nnames)
{
	for (int b = 0; b < 64; b++)
		if (((mask >> b) & 1) && name_of(names, nnames, b))
			return true;
	return false;
}

static const char *const day_names[7] = { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
					  "Saturday", "Sunday" };
static const char *const part_names[3] = { "mornings", "afternoons", "evenings" };

void match_reasons(const struct match_ask *a, const struct match_offer *o, const struct match_names *names,
		char *out, size_t n)
{
	static const struct match_names none;
	const struct match_names *nm = names ? names : &none;
	uint64_t shared = a->conditions & o->conditions, topics = a->topics & o->topics;
	uint32_t slots = a->slots & o->slots;
	double miles = miles_apart(a, o);
	size_t at = 0;
	const char *sep = "";

	if (!out || !n)
		return;
	out[0] = '\0';
	if (any_named(shared, nm->conditions, nm->nconditions)) {
		put(out, n, &at, "both live with ");
		put_names(out, n, &at, shared, nm->conditions, nm->nconditions);
		sep = "; ";
	}
	if (a->language >= 0 && name_of(nm->languages, nm->nlanguages, a->language)) {
		put(out, n, &at, "%sboth speak %s", sep, name_of(nm->languages, nm->nlanguages, a->language));
		sep = "; ";
	}
	if (any_named(topics, nm->topics, nm->ntopics)) {
		put(out, n, &at, "%scan talk about ", sep);
		put_names(out, n, &at, topics, nm->topics, nm->ntopics);
		sep = "; ";
	}
	if (slots) {
		int b = __builtin_ctz(slots);

		put(out, n, &at, "%sboth free on %s %s", sep, day_names[b / 3], part_names[b % 3]);
		sep = "; ";
	}
	if (!isnan(miles)) {
		if (miles < 1)
			put(out, n, &at, "%sunder a mile apart", sep);
		else
			put(out, n, &at, "%s%.0f %s apart", sep, floor(miles + 0.5),
			    floor(miles + 0.5) == 1 ? "mile" : "miles");
	}
}

/* "by phone, by video or in person" for the ways in w. */
static void put_ways(char *out, size_t n, size_t *at, unsigned w)
{
	static const char *const words[MATCH_WAY__MAX] = { "by phone", "by video", "by message",
							  "in person" };
	int k = 0, total = __builtin_popcount(w & ((1u << MATCH_WAY__MAX) - 1));

	for (int i = 0; i < MATCH_WAY__MAX; i++)
		if (w & MATCH_WAY_BIT(i)) {
			put(out, n, at, "%s%s", k == 0 ? "" : k + 1 == total ? " or " : ", ", words[i]);
			k++;
		}
}

void match_why_none(const struct match_ask *a, const struct match_offer *offers, uint32_t noffers,
		const bool *ended_with, const struct match_names *names, char *out, size_t n)
{
	static const struct match_names none;
	const struct match_names *nm = names ? names : &none;
	const char *lang = a->language >= 0 ? name_of(nm->languages, nm->nlanguages, a->language) : NULL;
	uint32_t free_n = 0, speak_n = 0, ways_n = 0, near_n = 0, pref_n = 0, fit_n = 0;
	size_t at = 0;

	if (!out || !n)
		return;
	out[0] = '\0';
	for (uint32_t j = 0; j < noffers; j++) {
		const struct match_offer *o = &offers[j];
		double miles;

		if (!o->available || !o->room)
			continue;
		free_n++;
		if (!speaks(a, o))
			continue;
		speak_n++;
		if (!(a->ways & o->ways & match_tier_ways(o->tier)))
			continue;
		ways_n++;
		miles = miles_apart(a, o);
		if (!ways_open(a, o, miles))
			continue;
		near_n++;
		if (!preferred(a, o))
			continue;
		pref_n++;
		if (!ended_with || !ended_with[j])
			fit_n++;
	}
	if (fit_n)
		return;
	if (!free_n) {
		put(out, n, &at, "No peer supporter is free to take someone new.");
	} else if (!speak_n) {
		put(out, n, &at, "No peer supporter who is free speaks %s.", lang ? lang : "the language asked for");
	} else if (!ways_n) {
		put(out, n, &at, "No peer supporter who is free%s%s can meet ", lang ? " and speaks " : "",
		    lang ? lang : "");
		put_ways(out, n, &at, a->ways);
		put(out, n, &at, ".");
	} else if (!near_n) {
		if (isnan(a->lat) || isnan(a->lon))
			put(out, n, &at, "Meeting in person needs their postcode district, which is not known.");
		else
			put(out, n, &at, "No peer supporter who can meet in person is within %d miles.",
			    a->max_miles);
	} else if (!pref_n) {
		put(out, n, &at, "No peer supporter who fits is %s.",
		    a->wants == MATCH_GENDER_WOMAN ? "a woman" : a->wants == MATCH_GENDER_MAN ? "a man" :
		    "of the gender asked for");
	} else {
		put(out, n, &at, "The only peer supporters who fit have said no to them, or ended a match with them, before.");
	}
}
