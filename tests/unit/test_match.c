/*
 * test_match.c - the matching engine (src/match/) against an independent
 * exact solver, and its text instance reader.
 *
 * The reference here is the textbook one: successive shortest paths with
 * Bellman-Ford on the explicit network (source -> person -> peer -> sink,
 * and person -> sink for "unmatched"), a different algorithm sharing no
 * code with the engine. On a few hundred seeded random instances (capacity
 * 1 everywhere, capacity 0 peers, people with no candidates, repeated
 * pairs, ties, all-equal costs, cheap and dear "unmatched") the engine's
 * answer must be feasible, and its total (matched costs plus unmatched
 * people's) must equal the reference's; where unmatched is dear enough
 * that the most people must be matched, the count must equal too.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "match/instance.h"
#include "match/match.h"

/* ---------------------------------------------------------------- the reference */

#define RMAX_NODES 64
#define RMAX_ARCS 2048

struct ref {
	int n, m;
	int head[RMAX_ARCS], next[RMAX_ARCS], cap[RMAX_ARCS];
	int64_t cost[RMAX_ARCS];
	int first[RMAX_NODES];
};

static void ref_arc(struct ref *g, int u, int v, int cap, int64_t cost)
{
	assert_true(g->m + 2 <= RMAX_ARCS);
	g->head[g->m] = v, g->cap[g->m] = cap, g->cost[g->m] = cost;
	g->next[g->m] = g->first[u], g->first[u] = g->m++;
	g->head[g->m] = u, g->cap[g->m] = 0, g->cost[g->m] = -cost;
	g->next[g->m] = g->first[v], g->first[v] = g->m++;
}

/* Minimum total of p, by pushing each person's unit along a shortest path. */
static int64_t ref_solve(const struct match_problem *p)
{
	struct ref g;
	int s = (int)(p->people + p->peers), t = s + 1;
	int64_t total = 0;

	memset(&g, 0, sizeof(g));
	g.n = t + 1;
	assert_true(g.n <= RMAX_NODES);
	for (int i = 0; i < g.n; i++)
		g.first[i] = -1;
	for (uint32_t i = 0; i < p->people; i++) {
		ref_arc(&g, s, (int)i, 1, 0);
		ref_arc(&g, (int)i, t, 1, p->unmatched_cost);
		for (uint32_t k = p->start[i]; k < p->start[i + 1]; k++)
			ref_arc(&g, (int)i, (int)(p->people + p->peer[k]), 1, p->cost[k]);
	}
	for (uint32_t j = 0; j < p->peers; j++)
		ref_arc(&g, (int)(p->people + j), t, (int)p->capacity[j], 0);
	for (uint32_t unit = 0; unit < p->people; unit++) {
		int64_t dist[RMAX_NODES];
		int via[RMAX_NODES];

		for (int v = 0; v < g.n; v++)
			dist[v] = INT64_MAX, via[v] = -1;
		dist[s] = 0;
		for (int round = 0; round < g.n; round++) {
			bool changed = false;

			for (int u = 0; u < g.n; u++) {
				if (dist[u] == INT64_MAX)
					continue;
				for (int a = g.first[u]; a >= 0; a = g.next[a])
					if (g.cap[a] > 0 && dist[u] + g.cost[a] < dist[g.head[a]]) {
						dist[g.head[a]] = dist[u] + g.cost[a];
						via[g.head[a]] = a;
						changed = true;
					}
			}
			if (!changed)
				break;
		}
		assert_true(dist[t] != INT64_MAX);   /* "unmatched" is always a way */
		for (int v = t; v != s; v = g.head[via[v] ^ 1]) {
			g.cap[via[v]]--;
			g.cap[via[v] ^ 1]++;
		}
		total += dist[t];
	}
	return total;
}

/* ---------------------------------------------------------------- random instances */

struct inst {
	struct match_problem p;
	uint32_t capacity[16], start[33], peer[400];
	int32_t cost[400];
};

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

enum kind { K_MIXED, K_CAP1, K_TIES, K_EQUAL, K_CHEAP_UNMATCHED, K_SPARSE, K__MAX };

static void make(struct inst *x, enum kind kind)
{
	uint32_t people = 1 + rnd(14), peers = 1 + rnd(6), k = 0;
	int32_t maxc = kind == K_TIES ? 2 : 40;

	memset(x, 0, sizeof(*x));
	for (uint32_t j = 0; j < peers; j++)
		x->capacity[j] = kind == K_CAP1 ? 1 : rnd(4);      /* 0 to 3 */
	for (uint32_t i = 0; i < people; i++) {
		uint32_t n = kind == K_SPARSE ? rnd(2) : rnd(peers + 2);   /* 0: no candidates */

		x->start[i] = k;
		for (uint32_t c = 0; c < n && k < 400; c++) {
			x->peer[k] = rnd(peers);                   /* repeats allowed */
			x->cost[k] = kind == K_EQUAL ? 7 : (int32_t)rnd((uint32_t)maxc);
			k++;
		}
	}
	x->start[people] = k;
	x->p = (struct match_problem){ .people = people, .peers = peers, .capacity = x->capacity,
		.start = x->start, .peer = x->peer, .cost = x->cost,
		/* Dear: 1000 > any saving a chain of 15 reassignments of costs
		 * under 40 could make, so the most people must be matched. */
		.unmatched_cost = kind == K_CHEAP_UNMATCHED ? (int64_t)rnd(30) : 1000 };
}

/* The engine's answer, checked for feasibility; its total. */
static int64_t engine_total(const struct match_problem *p, uint64_t *matched)
{
	int64_t pair_of[32], total = 0;
	uint32_t used[16] = { 0 };
	struct match_result res;

	assert_int_equal(match_solve(p, pair_of, &res), ERR_OK);
	*matched = 0;
	for (uint32_t i = 0; i < p->people; i++) {
		if (pair_of[i] < 0) {
			total += p->unmatched_cost;
			continue;
		}
		assert_true(pair_of[i] >= p->start[i] && pair_of[i] < p->start[i + 1]);
		used[p->peer[pair_of[i]]]++;
		total += p->cost[pair_of[i]];
		(*matched)++;
	}
	for (uint32_t j = 0; j < p->peers; j++)
		assert_true(used[j] <= p->capacity[j]);
	assert_int_equal(res.matched, *matched);
	assert_int_equal(res.cost, total - (int64_t)(p->people - *matched) * p->unmatched_cost);
	return total;
}

/* Most people matchable: a maximum matching by augmenting paths (Kuhn's,
 * with peer j's capacity as slots j * per ... j * per + capacity - 1). */
static bool kuhn(const struct match_problem *p, uint32_t i, int *slot_of, bool *seen, uint32_t per)
{
	for (uint32_t k = p->start[i]; k < p->start[i + 1]; k++) {
		uint32_t j = p->peer[k];

		for (uint32_t c = 0; c < p->capacity[j]; c++) {
			int s = (int)(j * per + c);

			if (seen[s])
				continue;
			seen[s] = true;
			if (slot_of[s] < 0 || kuhn(p, (uint32_t)slot_of[s], slot_of, seen, per)) {
				slot_of[s] = (int)i;
				return true;
			}
		}
	}
	return false;
}

static uint64_t most_matchable(const struct match_problem *p)
{
	int slot_of[64];
	uint64_t n = 0;

	for (int s = 0; s < 64; s++)
		slot_of[s] = -1;
	for (uint32_t i = 0; i < p->people; i++) {
		bool seen[64] = { false };

		n += kuhn(p, i, slot_of, seen, 4);
	}
	return n;
}

static void random_instances_match_the_reference(void **state)
{
	static const char *const names[K__MAX] = { "mixed", "capacity 1", "ties", "all-equal costs",
						   "cheap unmatched", "sparse" };
	int n = 0;

	UNUSED(state);
	for (int round = 0; round < 60; round++)
		for (int kind = 0; kind < K__MAX; kind++) {
			struct inst x;
			uint64_t matched;
			int64_t got, want;

			make(&x, (enum kind)kind);
			got = engine_total(&x.p, &matched);
			want = ref_solve(&x.p);
			if (got != want)
				fail_msg("instance %d (%s): engine %lld, reference %lld", n, names[kind],
					 (long long)got, (long long)want);
			if (kind != K_CHEAP_UNMATCHED && matched != most_matchable(&x.p))
				fail_msg("instance %d (%s): %llu matched, %llu possible", n, names[kind],
					 (unsigned long long)matched,
					 (unsigned long long)most_matchable(&x.p));
			n++;
		}
	assert_int_equal(n, 360);
}

/* Greedy would give A its cheapest peer and leave B with nobody. */
static void the_greedy_trap(void **state)
{
	/* A: X at 1, Y at 2; B: X at 1. One place each. */
	static const uint32_t cap[] = { 1, 1 }, start[] = { 0, 2, 3 }, peer[] = { 0, 1, 0 };
	static const int32_t cost[] = { 1, 2, 1 };
	struct match_problem p = { .people = 2, .peers = 2, .capacity = cap, .start = start,
		.peer = peer, .cost = cost, .unmatched_cost = MATCH_UNMATCHED_SOLVE };
	int64_t pair_of[2];
	struct match_result r;

	UNUSED(state);
	assert_int_equal(match_solve(&p, pair_of, &r), ERR_OK);
	assert_int_equal(pair_of[0], 1);     /* A goes to Y */
	assert_int_equal(pair_of[1], 2);     /* B to X */
	assert_int_equal(r.matched, 2);
	assert_int_equal(r.cost, 3);
}

static void empty_and_refused_problems(void **state)
{
	static const uint32_t cap[] = { 1 }, start[] = { 0, 1 }, bad_peer[] = { 5 }, bad_start[] = { 0, 2, 1 };
	static const int32_t cost[] = { 3 }, neg[] = { -1 };
	struct match_problem p = { 0 };
	int64_t pair_of[2];
	struct match_result r;

	UNUSED(state);
	/* Nobody at all; nobody waiting with peers free. */
	assert_int_equal(match_solve(&p, NULL, &r), ERR_OK);
	assert_int_equal(r.matched, 0);
	p = (struct match_problem){ .peers = 1, .capacity = cap };
	assert_int_equal(match_solve(&p, NULL, &r), ERR_OK);
	/* A person with no candidates is unmatched. */
	p = (struct match_problem){ .people = 1, .peers = 1, .capacity = cap, .start = (const uint32_t[]){ 0, 0 },
		.unmatched_cost = 10 };
	assert_int_equal(match_solve(&p, pair_of, &r), ERR_OK);
	assert_int_equal(pair_of[0], -1);
	/* Inconsistent problems. */
	p = (struct match_problem){ .people = 1, .peers = 1, .capacity = cap, .start = start,
		.peer = bad_peer, .cost = cost };
	assert_int_equal(match_solve(&p, pair_of, &r), ERR_INVALID);
	p.peer = (const uint32_t[]){ 0 };
	p.cost = neg;
	assert_int_equal(match_solve(&p, pair_of, &r), ERR_INVALID);
	p = (struct match_problem){ .people = 2, .peers = 1, .capacity = cap, .start = bad_start,
		.peer = (const uint32_t[]){ 0, 0 }, .cost = (const int32_t[]){ 1, 1 } };
	assert_int_equal(match_solve(&p, pair_of, &r), ERR_INVALID);
	p = (struct match_problem){ .people = 1, .peers = 1, .capacity = cap, .start = start,
		.peer = (const uint32_t[]){ 0 }, .cost = cost, .unmatched_cost = -1 };
	assert_int_equal(match_solve(&p, pair_of, &r), ERR_INVALID);
	assert_int_equal(match_solve(NULL, pair_of, &r), ERR_INVALID);
}

/* A bigger instance, still checkable: the most matched, by Kuhn's. */
static void a_thousand_people(void **state)
{
	enum { P = 1000, M = 120, D = 6 };
	static uint32_t cap[M], start[P + 1], peer[P * D];
	static int32_t cost[P * D];
	static int64_t pair_of[P];
	struct match_problem p;
	struct match_result r;
	uint64_t slots = 0;

	UNUSED(state);
	for (uint32_t j = 0; j < M; j++)
		slots += cap[j] = 1 + rnd(9);
	for (uint32_t i = 0; i < P; i++) {
		start[i] = i * D;
		for (uint32_t d = 0; d < D; d++) {
			peer[i * D + d] = rnd(M);
			cost[i * D + d] = (int32_t)rnd(500);
		}
	}
	start[P] = P * D;
	p = (struct match_problem){ .people = P, .peers = M, .capacity = cap, .start = start,
		.peer = peer, .cost = cost, .unmatched_cost = MATCH_UNMATCHED_SOLVE };
	assert_int_equal(match_solve(&p, pair_of, &r), ERR_OK);
	assert_true(r.matched <= slots);
	assert_true(r.phases >= 2);
	/* The most that can be matched (Kuhn's, slots as above). */
	{
		static int owner[M * 10];
		uint64_t most = 0;

		for (size_t s = 0; s < ARRAY_LEN(owner); s++)
			owner[s] = -1;
		for (uint32_t i = 0; i < P; i++) {
			static bool seen[M * 10];

			memset(seen, 0, sizeof(seen));
			most += kuhn(&p, i, owner, seen, 10);
		}
		assert_int_equal(r.matched, most);
	}
}

/* ---------------------------------------------------------------- the text form */

static enum err parse(const char *text, struct match_owned *in, char *why)
{
	return match_instance_parse(text, strlen(text), in, why, 160);
}

static void reads_an_instance(void **state)
{
	struct match_owned in;
	char why[160];
	int64_t pair_of[3];
	struct match_result r;

	UNUSED(state);
	/* Pairs in any order, CRLF, tabs, a trailing newline. */
	assert_int_equal(parse("3 2 4\r\n1 2\r\n2 1 7\n0 0 5\n0\t1 9\n1 1 4\n", &in, why), ERR_OK);
	assert_int_equal(in.prob.people, 3);
	assert_int_equal(in.prob.peers, 2);
	assert_int_equal(in.prob.start[0], 0);
	assert_int_equal(in.prob.start[1], 2);    /* person 0: two pairs */
	assert_int_equal(in.prob.start[2], 3);
	assert_int_equal(in.prob.start[3], 4);
	assert_int_equal(in.prob.unmatched_cost, MATCH_UNMATCHED_SOLVE);
	assert_int_equal(match_solve(&in.prob, pair_of, &r), ERR_OK);
	/* People 1 and 2 have only peer 1, which takes two; person 0 goes to
	 * peer 0: 5 + 4 + 7. */
	assert_int_equal(r.matched, 3);
	assert_int_equal(r.cost, 16);
	match_owned_release(&in);
	/* Nothing to match. */
	assert_int_equal(parse("0 0 0", &in, why), ERR_OK);
	match_owned_release(&in);
}

static void refuses_bad_text_saying_where(void **state)
{
	static const struct {
		const char *text, *says;
	} bad[] = {
		{ "", "P M E" },
		{ "3 2", "pairs" },
		{ "x 2 1\n1 1\n0 0 1", "P M E" },
		{ "2 2 1\n1", "capacity 2 of 2" },
		{ "2 2 1\n1 -1\n0 0 1", "capacity 2 of 2" },
		{ "2 2 1\n1 1\n0 5 1", "pair 1: peer 5 is not below M = 2" },
		{ "2 2 1\n1 1\n7 0 1", "pair 1: person 7 is not below P = 2" },
		{ "2 2 2\n1 1\n0 0 1\n1 1", "pair 2 of 2" },
		{ "2 2 1\n1 1\n0 0 1\n9", "text after the last" },
		{ "2 2 1\n1 1\n0 0 1000001", "the cost at most 1000000" },
		{ "2 2 1\n1 1\n0 0 1x", "pair 1 of 1" },
		{ "2 2 1\n1 1\n0 0 99999999999999999999999", "pair 1 of 1" },
		{ "99999999 2 1\n1 1\n0 0 1", "people (at most" },
		{ "2 2 1000000\n1 1\n0 0 1", "too short" },
		{ "2 2000000 1\n1 1\n0 0 1", "at most" },
	};
	char why[160];

	UNUSED(state);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct match_owned in;
		enum err e = parse(bad[i].text, &in, why);

		if (e != ERR_INVALID || !strstr(why, bad[i].says))
			fail_msg("\"%s\": %s, \"%s\" (wanted \"%s\")", bad[i].text, err_name(e), why, bad[i].says);
		match_owned_release(&in);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_instances_match_the_reference),
		cmocka_unit_test(the_greedy_trap),
		cmocka_unit_test(empty_and_refused_problems),
		cmocka_unit_test(a_thousand_people),
		cmocka_unit_test(reads_an_instance),
		cmocka_unit_test(refuses_bad_text_saying_where),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
