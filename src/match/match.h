/*
 * match.h (src/match/) - the peer matching engine: the optimal assignment
 * of people asking for a peer to peer supporters, within every peer's
 * capacity. A library with no I/O and no clock: it is handed the
 * candidates and their costs and returns who goes with whom.
 *
 * The problem. P people, M peers; peer j may take capacity[j] people. The
 * candidates are the (person, peer) pairs that passed the hard rules
 * (language, tier, preferences: the caller's business), each with a cost
 * (distance, how little they share; lower is better), an integer >= 0 and
 * <= MATCH_COST_MAX. Each person is matched to at most one of their
 * candidates and each peer to at most its capacity; a person left
 * unmatched costs unmatched_cost. The engine minimises the total: the
 * costs of the matched pairs plus unmatched_cost for each person left
 * over. With unmatched_cost larger than any chain of reassignments could
 * save (the pages use MATCH_UNMATCHED_PAGES), that is: as many people
 * matched as possible, and then the lowest total cost.
 *
 * The answer is exact (an optimum, not an approximation): match.c is a
 * cost-scaling push-relabel algorithm on the transportation network
 * person -> peer -> sink, with each person's "unmatched" arc straight to
 * the sink. Time grows roughly with the number of candidate pairs times
 * the logarithm of the costs; memory is about 30 bytes a person, 50 a peer
 * and 8 a candidate pair on top of the caller's arrays.
 */
#ifndef KITH_MATCH_H
#define KITH_MATCH_H

#include <stdint.h>

#include "core/err.h"

/* Limits (the text instance reader enforces them too). */
#define MATCH_PEOPLE_MAX 5000000u
#define MATCH_PEERS_MAX 1000000u
#define MATCH_PAIRS_MAX 100000000u
#define MATCH_CAPACITY_MAX 1000000u
#define MATCH_COST_MAX 1000000
/* `kith match solve`'s price of a person left unmatched (issue 11). */
#define MATCH_UNMATCHED_SOLVE 100000

/* The candidates, grouped by person: person i's are pair indices
 * [start[i], start[i + 1]), each naming peer[k] at cost[k]. A person may
 * list a peer twice (the cheaper counts). */
struct match_problem {
	uint32_t people, peers;
	const uint32_t *capacity;      /* [peers] */
	const uint32_t *start;         /* [people + 1], start[0] = 0, nondecreasing */
	const uint32_t *peer;          /* [start[people]], each < peers */
	const int32_t *cost;           /* [start[people]], 0..MATCH_COST_MAX */
	int64_t unmatched_cost;        /* 0..MATCH_COST_MAX */
};

struct match_result {
	uint64_t matched;              /* people matched */
	int64_t cost;                  /* total cost of the matched pairs */
	unsigned phases;               /* scaling phases run (for benchmarks) */
	uint64_t pushes;               /* units moved (for benchmarks) */
};

/* A problem with the arrays it points into, which it owns: what the text
 * reader (instance.h) and match_build() (rules.h) return. */
struct match_owned {
	struct match_problem prob;
	uint32_t *capacity, *start, *peer;
	int32_t *cost;
};
/* Frees the arrays and zeroes m (safe on a zeroed one and on NULL). */
void match_owned_release(struct match_owned *m);

/* Solves p. pair_of[i] (an array of p->people the caller owns) becomes
 * the index of the candidate pair person i is matched by, or -1 when
 * unmatched; res (may be NULL) gets the totals. ERR_INVALID for a problem
 * outside the limits or inconsistent (a peer index out of range, start
 * not nondecreasing, a negative cost), or (never seen within the limits)
 * one whose prices would leave 64 bits; ERR_NOMEM. */
enum err match_solve(const struct match_problem *p, int64_t *pair_of, struct match_result *res);

#endif
