/*
 * fuzz_match_instance.c - the matching engine's text instance reader
 * (src/match/instance.c), and the engine on what it reads.
 *
 * Invariants: text that parses gives a consistent problem (people's pairs
 * in order, every peer index in range, costs and capacities within the
 * limits); text that does not is refused with a reason. A small problem
 * is solved: the answer respects every capacity, gives each person one of
 * their own pairs or none, and costs no more than leaving everyone
 * unmatched.
 */
#include "core/common.h"

#include "match/instance.h"
#include "match/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct match_owned in;
	char why[256];
	enum err e = match_instance_parse((const char *)data, size, &in, why, sizeof(why));
	const struct match_problem *p = &in.prob;

	if (e != ERR_OK) {
		CHECK(e == ERR_NOMEM || (e == ERR_INVALID && why[0]));
		return 0;
	}
	CHECK(p->start[0] == 0);
	for (uint32_t i = 0; i < p->people; i++)
		CHECK(p->start[i] <= p->start[i + 1]);
	for (uint32_t k = 0; k < p->start[p->people]; k++)
		CHECK(p->peer[k] < p->peers && p->cost[k] >= 0 && p->cost[k] <= MATCH_COST_MAX);
	if (p->people <= 300 && p->peers <= 300 && p->start[p->people] <= 3000) {
		int64_t *pair_of = calloc(p->people ? p->people : 1, sizeof(*pair_of));
		uint32_t *used = calloc(p->peers ? p->peers : 1, sizeof(*used));
		struct match_result r;
		int64_t total = 0;

		CHECK(pair_of && used);
		CHECK(match_solve(p, pair_of, &r) == ERR_OK);
		for (uint32_t i = 0; i < p->people; i++) {
			if (pair_of[i] < 0) {
				total += p->unmatched_cost;
				continue;
			}
			CHECK(pair_of[i] >= p->start[i] && pair_of[i] < p->start[i + 1]);
			CHECK(++used[p->peer[pair_of[i]]] <= p->capacity[p->peer[pair_of[i]]]);
			total += p->cost[pair_of[i]];
		}
		CHECK(total <= (int64_t)p->people * p->unmatched_cost);
		CHECK(r.cost == total - (int64_t)(p->people - r.matched) * p->unmatched_cost);
		free(pair_of);
		free(used);
	}
	match_owned_release(&in);
	return 0;
}
