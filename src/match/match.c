/*
 * match.c - the optimal assignment of people to peers (match.h).
 *
 * The problem is a minimum-cost flow on a transportation network: each
 * person supplies one unit; it may flow to one of the person's candidate
 * peers (cost: the pair's) or straight to the sink t (cost: unmatched);
 * each peer passes at most its capacity on to t (cost 0). A flow of least
 * cost is the best assignment.
 *
 * It is solved by cost scaling (Goldberg and Tarjan; the "double push" of
 * Goldberg and Kennedy's CSA for assignment problems), with costs
 * multiplied by K = nodes + 1 so that a flow that is 1-optimal in scaled
 * units is exactly optimal (epsilon < 1/n in the original units). Every
 * node has a price p; an arc's reduced cost is c(u,v) + p(u) - p(v); a
 * flow is epsilon-optimal when no arc with room left has a reduced cost
 * below -epsilon. Each phase divides epsilon by ALPHA and restores
 * epsilon-optimality:
 *
 *   - start: every person is taken back (holds its unit, "active"); a peer
 *     that was full and whose price says it is in demand keeps its flow to
 *     t (it now misses those units, and the people will come back to it);
 *     any other peer starts empty with its price raised to within epsilon
 *     of t's (allowed: with no flow into it nothing else constrains it).
 *   - a person bids: of its options (each candidate peer: value p(peer) -
 *     cost; unmatched: p(t) - unmatched cost) it takes the best and lowers
 *     its own price to the second best's value - epsilon (a push and a
 *     relabel in one: every arc left with room stays epsilon-optimal).
 *   - a peer that now holds one more person than it passes on does the
 *     same among its options: pass the unit to t (while under capacity),
 *     or hand back one of the people it holds (value p(person) + cost);
 *     a person handed back bids again.
 *   - t, whose price is otherwise left alone, is discharged the same way
 *     when it receives more than it needs (peers kept full at the start
 *     that fewer people chose this time): it gives units back to the
 *     peers passing to it and the people left unmatched whose arcs can
 *     take them, best first. Those arcs are kept in a max-heap by value,
 *     entries made stale by a later price change dropped as they surface,
 *     so t's turn costs a logarithm, not a scan of everyone.
 *
 * Peers hold at most capacity + 1 people at once (a peer with one too
 * many is dealt with at once), so each peer's holders are a small array in
 * one pool, and a peer's bid scans only those. A person's bid scans its
 * candidates; peer prices are one array of 8 bytes a peer, which stays in
 * cache for tens of thousands of peers.
 */
#include "core/common.h"
#include "match/match.h"

#include <stdlib.h>
#include <string.h>

#define ALPHA 8
#define NEG_INF (INT64_MIN / 4)
/* A price below this means the costs are too large for 64-bit prices
 * (never seen within the limits): the solve stops. Every value computed
 * from prices above it (minus a scaled cost and epsilon, each under
 * 2^43) stays far above NEG_INF, so nothing can wrap before the check. */
#define PRICE_FLOOR (INT64_MIN / 8)
#define AT_NONE (-1)                   /* active: holding its own unit */
#define AT_SINK (-2)                   /* unmatched */

/* An arc out of t with room: back to a peer passing units to t (value:
 * the peer's price) or to an unmatched person (its price + unmatched). */
struct tarc {
	int64_t v;
	uint32_t id;
	bool person;
};

/* A person a peer holds, with its value to the peer (its price plus the
 * pair's cost), which cannot change while it is held: a person's price
 * moves only when it bids. */
struct held {
	int64_t v;
	uint32_t id;
};

struct solver {
	const struct match_problem *p;
	int64_t k, eps, unmatched_scaled;
	int64_t tp;                    /* t's price */
	int64_t tbal;                  /* t's balance: > 0 when it has too much */
	int64_t *pp, *qp;              /* people's and peers' prices */
	int64_t *at;                   /* a person's pair, AT_NONE or AT_SINK */
	struct held *hold;             /* the holders, peer j's from hoff[j] */
	uint64_t *hoff;
	uint32_t *hn, *tflow;          /* holders and units passed to t, per peer */
	uint32_t *stack;
	size_t sn;
	uint64_t unmatched, pushes;
	struct tarc *heap;             /* t's arcs, a max-heap on v, maybe stale */
	size_t hsize, hcap;
	bool broken;                   /* a price fell below PRICE_FLOOR, or memory ran out */
};

static bool valid(const struct match_problem *p)
{
	if (p->people > MATCH_PEOPLE_MAX || p->peers > MATCH_PEERS_MAX ||
	    p->unmatched_cost < 0 || p->unmatched_cost > MATCH_COST_MAX)
		return false;
	if (p->people && (!p->start || p->start[0] != 0))
		return false;
	if (p->peers && !p->capacity)
		return false;
	for (uint32_t j = 0; j < p->peers; j++)
		if (p->capacity[j] > MATCH_CAPACITY_MAX)
			return false;
	for (uint32_t i = 0; i < p->people; i++)
		if (p->start[i + 1] < p->start[i])
			return false;
	if (p->people && p->start[p->people] > MATCH_PAIRS_MAX)
		return false;
	if (p->people && p->start[p->people] && (!p->peer || !p->cost))
		return false;
	for (uint64_t k = 0; p->people && k < p->start[p->people]; k++)
		if (p->peer[k] >= p->peers || p->cost[k] < 0 || p->cost[k] > MATCH_COST_MAX)
			return false;
	return true;
}

static void solver_free(struct solver *s)
{
	free(s->pp);
	free(s->qp);
	free(s->at);
	free(s->hold);
	free(s->hoff);
	free(s->hn);
	free(s->tflow);
	free(s->stack);
	free(s->heap);
}

static enum err solver_init(struct solver *s, const struct match_problem *p)
{
	size_t np = p->people ? p->people : 1, nq = p->peers ? p->peers : 1;
	uint64_t room = 0;

	memset(s, 0, sizeof(*s));
	s->p = p;
	s->k = (int64_t)p->people + (int64_t)p->peers + 2;
	s->unmatched_scaled = p->unmatched_cost * s->k;
	for (uint32_t j = 0; j < p->peers; j++)
		room += (uint64_t)p->capacity[j] + 1;
	s->pp = calloc(np, sizeof(*s->pp));
	s->qp = calloc(nq, sizeof(*s->qp));
	s->at = calloc(np, sizeof(*s->at));
	s->hold = calloc(room ? room : 1, sizeof(*s->hold));
	s->hoff = calloc(nq + 1, sizeof(*s->hoff));
	s->hn = calloc(nq, sizeof(*s->hn));
	s->tflow = calloc(nq, sizeof(*s->tflow));
	s->stack = calloc(np, sizeof(*s->stack));
	if (!s->pp || !s->qp || !s->at || !s->hold || !s->hoff || !s->hn || !s->tflow ||
	    !s->stack) {
		solver_free(s);
		return ERR_NOMEM;
	}
	for (uint32_t j = 0; j < p->peers; j++)
		s->hoff[j + 1] = s->hoff[j] + p->capacity[j] + 1;
	return ERR_OK;
}

static void heap_push(struct solver *s, int64_t v, uint32_t id, bool person)
{
	size_t at;

	if (s->hsize == s->hcap) {
		size_t cap = s->hcap ? s->hcap * 2 : 1024;
		struct tarc *h = realloc(s->heap, cap * sizeof(*h));

		if (!h) {
			s->broken = true;
			return;
		}
		s->heap = h;
		s->hcap = cap;
	}
	at = s->hsize++;
	while (at > 0 && s->heap[(at - 1) / 2].v < v) {
		s->heap[at] = s->heap[(at - 1) / 2];
		at = (at - 1) / 2;
	}
	s->heap[at] = (struct tarc){ v, id, person };
}

static void heap_pop(struct solver *s)
{
	struct tarc last = s->heap[--s->hsize];
	size_t at = 0, n = s->hsize;

	for (;;) {
		size_t c = 2 * at + 1;

		if (c >= n)
			break;
		if (c + 1 < n && s->heap[c + 1].v > s->heap[c].v)
			c++;
		if (s->heap[c].v <= last.v)
			break;
		s->heap[at] = s->heap[c];
		at = c;
	}
	if (n)
		s->heap[at] = last;
}

/* Whether an entry still describes an arc out of t with room. */
static bool tarc_live(const struct solver *s, const struct tarc *a)
{
	if (a->person)
		return s->at[a->id] == AT_SINK && s->pp[a->id] + s->unmatched_scaled == a->v;
	return s->tflow[a->id] > 0 && s->qp[a->id] == a->v;
}

/* The best live arc out of t, or NULL. */
static const struct tarc *heap_top(struct solver *s)
{
	while (s->hsize && !tarc_live(s, &s->heap[0]))
		heap_pop(s);
	return s->hsize ? &s->heap[0] : NULL;
}

/* The best two of a node's options: v1 (at index *best) and v2. */
struct top2 {
	int64_t v1, v2, best;
};

static inline void top2_offer(struct top2 *t, int64_t v, int64_t idx)
{
	if (v > t->v1) {
		t->v2 = t->v1;
		t->v1 = v;
		t->best = idx;
	} else if (v > t->v2) {
		t->v2 = v;
	}
}

/* The price a node takes after moving its unit along the best option:
 * the second best's value less epsilon (the best's when it has no other). */
static inline int64_t top2_price(const struct top2 *t, int64_t eps)
{
	return (t->v2 == NEG_INF ? t->v1 : t->v2) - eps;
}

static int64_t pair_cost(const struct solver *s, int64_t k)
{
	return (int64_t)s->p->cost[k] * s->k;
}

static void hold_add(struct solver *s, uint32_t j, uint32_t i, int64_t v)
{
	s->hold[s->hoff[j] + s->hn[j]++] = (struct held){ v, i };
}

/* Takes the holder at place h out of peer j's (the last fills its place). */
static uint32_t hold_take(struct solver *s, uint32_t j, uint32_t h)
{
	struct held *hs = s->hold + s->hoff[j];
	uint32_t i = hs[h].id;

	hs[h] = hs[--s->hn[j]];
	return i;
}

/* Peer j holds one person more than it passes to t: it passes the unit on
 * to t or hands one person back, and lowers its price. */
static void peer_discharge(struct solver *s, uint32_t j)
{
	const struct held *hs = s->hold + s->hoff[j];
	struct top2 o = { NEG_INF, NEG_INF, -2 };   /* best: -1 is t, else a holder's place */
	int64_t best;

	if (s->tflow[j] < s->p->capacity[j])
		top2_offer(&o, s->tp, -1);
	for (uint32_t h = 0; h < s->hn[j]; h++)
		top2_offer(&o, hs[h].v, h);
	best = o.best;
	/* Passing to t uses one unit of room: with more left, t is still an
	 * option at the same value. */
	if (best == -1 && s->tflow[j] + 1 < s->p->capacity[j])
		o.v2 = o.v1;
	s->qp[j] = top2_price(&o, s->eps);
	s->broken |= s->qp[j] < PRICE_FLOOR;
	s->pushes++;
	if (best == -1)
		s->tflow[j]++, s->tbal++;
	if (s->tflow[j] > 0)
		heap_push(s, s->qp[j], j, false);
	if (best == -1)
		return;
	{
		uint32_t i = hold_take(s, j, (uint32_t)best);

		s->at[i] = AT_NONE;
		s->stack[s->sn++] = i;
	}
}

/* Person i holds its unit: it goes to its best option. */
static void person_bid(struct solver *s, uint32_t i)
{
	const struct match_problem *p = s->p;
	struct top2 o = { s->tp - s->unmatched_scaled, NEG_INF, -1 };   /* best: -1 is unmatched */
	int64_t best;

	for (uint32_t k = p->start[i]; k < p->start[i + 1]; k++)
		top2_offer(&o, s->qp[p->peer[k]] - pair_cost(s, k), k);
	best = o.best;
	s->pp[i] = top2_price(&o, s->eps);
	s->broken |= s->pp[i] < PRICE_FLOOR;
	s->pushes++;
	if (best < 0) {
		s->at[i] = AT_SINK;
		s->unmatched++;
		s->tbal++;
		heap_push(s, s->pp[i] + s->unmatched_scaled, i, true);
		return;
	}
	{
		uint32_t j = p->peer[best];

		s->at[i] = best;
		hold_add(s, j, i, s->pp[i] + pair_cost(s, best));
		if (s->hn[j] > s->tflow[j])
			peer_discharge(s, j);
	}
}

/* t has received more than it needs: relabel it when nothing can take the
 * excess back, and give units back, best arc first, while it has excess. */
static void sink_discharge(struct solver *s)
{
	while (s->tbal > 0 && !s->broken) {
		const struct tarc *a = heap_top(s);
		uint32_t id;

		if (!a)
			return;                /* cannot happen: the balance says otherwise */
		if (s->tp >= a->v) {
			s->tp = a->v - s->eps;
			s->broken |= s->tp < PRICE_FLOOR;
		}
		id = a->id;
		s->pushes++;
		s->tbal--;
		if (a->person) {
			heap_pop(s);
			s->at[id] = AT_NONE;
			s->unmatched--;
			s->stack[s->sn++] = id;
			continue;
		}
		/* Back to a peer: its entry stays while it passes units on. */
		s->tflow[id]--;
		/* Into a peer kept full at the start that fewer people chose:
		 * that settles it. Otherwise it has one too many. */
		if (s->hn[id] > s->tflow[id])
			peer_discharge(s, id);
	}
}

/* One phase: every person bids again at the new epsilon. */
static void refine(struct solver *s)
{
	const struct match_problem *p = s->p;
	int64_t bal = -(int64_t)p->people;

	for (uint32_t j = 0; j < p->peers; j++) {
		bool full = p->capacity[j] > 0 && s->hn[j] == p->capacity[j];

		if (full && s->qp[j] < s->tp - s->eps) {
			s->tflow[j] = p->capacity[j];
		} else {
			s->tflow[j] = 0;
			if (s->qp[j] < s->tp - s->eps)
				s->qp[j] = s->tp - s->eps;
		}
		s->hn[j] = 0;
		bal += s->tflow[j];
	}
	s->hsize = 0;
	for (uint32_t j = 0; j < p->peers; j++)
		if (s->tflow[j] > 0)
			heap_push(s, s->qp[j], j, false);
	s->tbal = bal;
	s->unmatched = 0;
	s->sn = 0;
	/* Last first, so person 0 bids first (the order only changes which
	 * of equally good answers comes out). */
	for (uint32_t i = p->people; i-- > 0;) {
		s->at[i] = AT_NONE;
		s->stack[s->sn++] = i;
	}
	while (!s->broken) {
		if (s->tbal > 0)
			sink_discharge(s);
		if (!s->sn || s->broken)
			break;
		person_bid(s, s->stack[--s->sn]);
	}
}

enum err match_solve(const struct match_problem *p, int64_t *pair_of, struct match_result *res)
{
	struct solver s;
	int64_t top;
	enum err e;

	if (!p || (p->people && !pair_of) || !valid(p))
		return ERR_INVALID;
	if ((e = solver_init(&s, p)) != ERR_OK)
		return e;
	top = p->unmatched_cost;
	for (uint64_t k = 0; p->people && k < p->start[p->people]; k++)
		if (p->cost[k] > top)
			top = p->cost[k];
	s.eps = top * s.k;
	if (res)
		memset(res, 0, sizeof(*res));
	do {
		s.eps = s.eps / ALPHA > 1 ? s.eps / ALPHA : 1;
		refine(&s);
		if (res)
			res->phases++;
		if (s.broken || s.tbal != 0 || s.sn) {
			e = s.broken ? ERR_INVALID : ERR_INTERNAL;
			solver_free(&s);
			return e;
		}
	} while (s.eps > 1);
	for (uint32_t i = 0; i < p->people; i++) {
		pair_of[i] = s.at[i] >= 0 ? s.at[i] : -1;
		if (res && s.at[i] >= 0) {
			res->matched++;
			res->cost += p->cost[s.at[i]];
		}
	}
	if (res)
		res->pushes = s.pushes;
	solver_free(&s);
	return ERR_OK;
}

void match_owned_release(struct match_owned *m)
{
	if (!m)
		return;
	free(m->capacity);
	free(m->start);
	free(m->peer);
	free(m->cost);
	memset(m, 0, sizeof(*m));
}
