/*
 * instance.c - reading a matching problem's text form (instance.h).
 *
 * One pass over the text: the header, the capacities, then the pairs as
 * (person, peer, cost) triples, which a counting sort by person turns into
 * the engine's grouped arrays. Every number is read with its own bound, so
 * no value wraps and no count allocates more than the limits allow.
 */
#include "core/common.h"
#include "match/instance.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reader {
	const char *p, *end;
	char *why;
	size_t whylen;
};

static enum err refuse(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->why && r->whylen) {
		va_start(ap, fmt);
		vsnprintf(r->why, r->whylen, fmt, ap);
		va_end(ap);
	}
	return ERR_INVALID;
}

static void skip_space(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

/* A decimal number from 0 to max; false (nothing consumed past it) when
 * there is none, it is too large, or a letter is stuck to it. */
static bool number(struct reader *r, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *s;

	skip_space(r);
	s = r->p;
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
		v = v * 10 + (uint64_t)(*r->p - '0');
		if (v > max)
			return false;
		r->p++;
	}
	if (r->p == s)
		return false;
	if (r->p < r->end && !(*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		return false;
	*out = v;
	return true;
}

/* Groups the triples by person into in's arrays. */
static enum err group(struct match_owned *in, uint64_t people, uint64_t pairs,
		const uint32_t *who, const uint32_t *peer, const int32_t *cost)
{
	uint32_t *next;

	in->start = calloc(people + 1, sizeof(*in->start));
	in->peer = malloc((pairs ? pairs : 1) * sizeof(*in->peer));
	in->cost = malloc((pairs ? pairs : 1) * sizeof(*in->cost));
	next = malloc((people ? people : 1) * sizeof(*next));
	if (!in->start || !in->peer || !in->cost || !next) {
		free(next);
		return ERR_NOMEM;
	}
	for (uint64_t k = 0; k < pairs; k++)
		in->start[who[k] + 1]++;
	for (uint64_t i = 0; i < people; i++)
		in->start[i + 1] += in->start[i];
	memcpy(next, in->start, people * sizeof(*next));
	for (uint64_t k = 0; k < pairs; k++) {
		uint32_t at = next[who[k]]++;

		in->peer[at] = peer[k];
		in->cost[at] = cost[k];
	}
	free(next);
	return ERR_OK;
}

enum err match_instance_parse(const char *text, size_t len, struct match_owned *out, char *why,
		size_t whylen)
{
	struct reader r = { text, text + len, why, whylen };
	uint64_t people, peers, pairs, v;
	uint32_t *who = NULL, *peer = NULL;
	int32_t *cost = NULL;
	enum err e = ERR_OK;

	memset(out, 0, sizeof(*out));
	if (why && whylen)
		why[0] = '\0';
	if (!number(&r, MATCH_PEOPLE_MAX, &people))
		return refuse(&r, "the first line must be P M E: people (at most %u), peers and pairs",
			      MATCH_PEOPLE_MAX);
	if (!number(&r, MATCH_PEERS_MAX, &peers))
		return refuse(&r, "the first line must be P M E: peers (the second number) must be at "
			      "most %u", MATCH_PEERS_MAX);
	if (!number(&r, MATCH_PAIRS_MAX, &pairs))
		return refuse(&r, "the first line must be P M E: pairs (the third number) must be at "
			      "most %u", MATCH_PAIRS_MAX);
	/* Each pair takes at least six bytes ("0 0 0\n", five for the last)
	 * and each capacity two: a count the text cannot hold is refused
	 * before anything is allocated for it. */
	if (pairs > len / 5 + 1 || peers > len / 2 + 1)
		return refuse(&r, "the text is too short for %llu peers and %llu pairs",
			      (unsigned long long)peers, (unsigned long long)pairs);
	out->capacity = malloc((peers ? peers : 1) * sizeof(*out->capacity));
	who = malloc((pairs ? pairs : 1) * sizeof(*who));
	peer = malloc((pairs ? pairs : 1) * sizeof(*peer));
	cost = malloc((pairs ? pairs : 1) * sizeof(*cost));
	if (!out->capacity || !who || !peer || !cost) {
		e = ERR_NOMEM;
		goto out;
	}
	for (uint64_t j = 0; j < peers; j++) {
		if (!number(&r, MATCH_CAPACITY_MAX, &v)) {
			e = refuse(&r, "capacity %llu of %llu: expected a whole number from 0 to %u",
				   (unsigned long long)j + 1, (unsigned long long)peers, MATCH_CAPACITY_MAX);
			goto out;
		}
		out->capacity[j] = (uint32_t)v;
	}
	for (uint64_t k = 0; k < pairs; k++) {
		uint64_t a, b, c;

		if (!number(&r, UINT32_MAX, &a) || !number(&r, UINT32_MAX, &b) ||
		    !number(&r, MATCH_COST_MAX, &c)) {
			e = refuse(&r, "pair %llu of %llu: expected \"person peer cost\", whole numbers, the "
				   "cost at most %d", (unsigned long long)k + 1, (unsigned long long)pairs,
				   MATCH_COST_MAX);
			goto out;
		}
		if (a >= people || b >= peers) {
			e = refuse(&r, "pair %llu: %s %llu is not below %s = %llu", (unsigned long long)k + 1,
				   a >= people ? "person" : "peer",
				   (unsigned long long)(a >= people ? a : b), a >= people ? "P" : "M",
				   (unsigned long long)(a >= people ? people : peers));
			goto out;
		}
		who[k] = (uint32_t)a;
		peer[k] = (uint32_t)b;
		cost[k] = (int32_t)c;
	}
	skip_space(&r);
	if (r.p != r.end) {
		e = refuse(&r, "text after the last of the %llu pairs", (unsigned long long)pairs);
		goto out;
	}
	if ((e = group(out, people, pairs, who, peer, cost)) != ERR_OK)
		goto out;
	out->prob = (struct match_problem){
		.people = (uint32_t)people, .peers = (uint32_t)peers, .capacity = out->capacity,
		.start = out->start, .peer = out->peer, .cost = out->cost,
		.unmatched_cost = MATCH_UNMATCHED_SOLVE,
	};
out:
	free(who);
	free(peer);
	free(cost);
	if (e)
		match_owned_release(out);
	return e;
}
