/*
 * match_gen.c - a matching instance for bench/match.sh, in the text form
 * `kith match solve` reads (src/match/instance.h), on standard output.
 *
 *   build/bench/match_gen PEOPLE PEERS CANDIDATES [SEED]
 *
 * People and peers are scattered over a 200 km square; each person has
 * CANDIDATES distinct peers (as if the hard rules had left those), and a
 * pair costs its distance in tenths of a kilometre plus up to 200 for how
 * little they share. Peers take 1 to 15 people (8 on average), so about
 * 80% of people can be matched when there are ten of them to a peer. The
 * same arguments always give the same instance.
 */
#include "core/common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state;

static uint32_t rnd(uint32_t n)
{
	/* splitmix64: fast, and the same everywhere. */
	uint64_t z = (state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	z ^= z >> 31;
	return (uint32_t)(z % n);
}

static long arg(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "match_gen: %s must be a whole number from %ld to %ld\n", what, lo, hi);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	uint32_t people, peers, cands, *pick, *mark;
	float *px, *py, *qx, *qy;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: match_gen PEOPLE PEERS CANDIDATES [SEED]\n");
		return 2;
	}
	people = (uint32_t)arg(argv[1], 0, 5000000, "PEOPLE");
	peers = (uint32_t)arg(argv[2], 1, 1000000, "PEERS");
	cands = (uint32_t)arg(argv[3], 0, 1000, "CANDIDATES");
	state = argc == 5 ? (uint64_t)arg(argv[4], 0, 1L << 30, "SEED") : 11;
	if (cands > peers)
		cands = peers;
	px = malloc(people * sizeof(*px) + 1);
	py = malloc(people * sizeof(*py) + 1);
	qx = malloc(peers * sizeof(*qx));
	qy = malloc(peers * sizeof(*qy));
	pick = malloc(cands * sizeof(*pick) + 1);
	mark = calloc(peers, sizeof(*mark));
	if (!px || !py || !qx || !qy || !pick || !mark)
		return 1;
	for (uint32_t i = 0; i < people; i++) {
		px[i] = (float)rnd(200000) / 1000.0f;
		py[i] = (float)rnd(200000) / 1000.0f;
	}
	printf("%u %u %llu\n", people, peers, (unsigned long long)people * cands);
	for (uint32_t j = 0; j < peers; j++) {
		qx[j] = (float)rnd(200000) / 1000.0f;
		qy[j] = (float)rnd(200000) / 1000.0f;
		printf("%u%c", 1 + rnd(15), j + 1 < peers ? ' ' : '\n');
	}
	for (uint32_t i = 0; i < people; i++) {
		/* CANDIDATES distinct peers (mark holds the last person to pick each). */
		for (uint32_t c = 0; c < cands; c++) {
			uint32_t j;

			do
				j = rnd(peers);
			while (mark[j] == i + 1);
			mark[j] = i + 1;
			pick[c] = j;
		}
		for (uint32_t c = 0; c < cands; c++) {
			uint32_t j = pick[c];
			double d = hypot((double)(px[i] - qx[j]), (double)(py[i] - qy[j]));

			printf("%u %u %u\n", i, j, (unsigned)(d * 10.0) + rnd(201));
		}
	}
	free(px);
	free(py);
	free(qx);
	free(qy);
	free(pick);
	free(mark);
	return fflush(stdout) == 0 ? 0 : 1;
}
