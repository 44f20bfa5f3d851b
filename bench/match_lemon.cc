// match_lemon.cc - the reference for bench/match.sh: the same matching
// instance (src/match/instance.h's text form) solved as a minimum-cost
// flow by LEMON's NetworkSimplex (Debian's liblemon-dev), printing what
// `kith match solve` prints: "matched N cost C solve_s T".
//
//   build/bench/match_lemon FILE
//
// The network: each person supplies one unit, which flows to one of its
// candidate peers (the pair's cost) or straight to the sink (100000,
// unmatched); each peer passes at most its capacity on to the sink. Only
// NetworkSimplex::run() is timed, as only match_solve() is in kith. Not
// part of kith: a benchmark's yardstick, built for bench/ only.
#include <lemon/network_simplex.h>
#include <lemon/smart_graph.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace lemon;

static const char *cur, *fin;

static long long next_number()
{
	while (cur < fin && (*cur < '0' || *cur > '9'))
		cur++;
	if (cur == fin) {
		std::fprintf(stderr, "match_lemon: the file ends early\n");
		std::exit(1);
	}
	long long v = 0;
	while (cur < fin && *cur >= '0' && *cur <= '9')
		v = v * 10 + (*cur++ - '0');
	return v;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		std::fprintf(stderr, "usage: match_lemon FILE\n");
		return 2;
	}
	FILE *f = std::fopen(argv[1], "rb");
	if (!f) {
		std::perror(argv[1]);
		return 1;
	}
	std::vector<char> text;
	char chunk[1 << 16];
	size_t n;
	while ((n = std::fread(chunk, 1, sizeof(chunk), f)) > 0)
		text.insert(text.end(), chunk, chunk + n);
	std::fclose(f);
	cur = text.data();
	fin = cur + text.size();

	long long people = next_number(), peers = next_number(), pairs = next_number();
	SmartDigraph g;
	g.reserveNode((int)(people + peers + 1));
	g.reserveArc((int)(pairs + people + peers));
	std::vector<SmartDigraph::Node> pn(people), qn(peers);
	for (auto &v : pn)
		v = g.addNode();
	for (auto &v : qn)
		v = g.addNode();
	SmartDigraph::Node t = g.addNode();
	SmartDigraph::ArcMap<int> cap(g);
	SmartDigraph::ArcMap<long long> cost(g);
	SmartDigraph::NodeMap<int> supply(g, 0);
	std::vector<SmartDigraph::Arc> pair_arc;
	std::vector<long long> pair_cost;
	pair_arc.reserve(pairs);
	pair_cost.reserve(pairs);
	for (long long j = 0; j < peers; j++) {
		SmartDigraph::Arc a = g.addArc(qn[j], t);
		cap[a] = (int)next_number();
		cost[a] = 0;
	}
	for (long long k = 0; k < pairs; k++) {
		long long i = next_number(), j = next_number(), c = next_number();
		if (i >= people || j >= peers) {
			std::fprintf(stderr, "match_lemon: pair %lld is out of range\n", k + 1);
			return 1;
		}
		SmartDigraph::Arc a = g.addArc(pn[i], qn[j]);
		cap[a] = 1;
		cost[a] = c;
		pair_arc.push_back(a);
		pair_cost.push_back(c);
	}
	for (long long i = 0; i < people; i++) {
		SmartDigraph::Arc a = g.addArc(pn[i], t);
		cap[a] = 1;
		cost[a] = 100000;
		supply[pn[i]] = 1;
	}
	supply[t] = (int)-people;

	NetworkSimplex<SmartDigraph, int, long long> ns(g);
	ns.upperMap(cap).costMap(cost).supplyMap(supply);
	auto t0 = std::chrono::steady_clock::now();
	NetworkSimplex<SmartDigraph, int, long long>::ProblemType r = ns.run();
	double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	if (r != NetworkSimplex<SmartDigraph, int, long long>::OPTIMAL) {
		std::fprintf(stderr, "match_lemon: no optimal flow (%d)\n", (int)r);
		return 1;
	}
	long long matched = 0, total = 0;
	for (size_t k = 0; k < pair_arc.size(); k++)
		if (ns.flow(pair_arc[k]) > 0) {
			matched++;
			total += pair_cost[k];
		}
	std::printf("matched %lld cost %lld solve_s %.3f\n", matched, total, secs);
	return 0;
}
