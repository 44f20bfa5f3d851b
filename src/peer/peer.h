/*
 * peer.h (src/peer/) - peer support: people who have lived with the same
 * condition, matched by the engine in src/match/.
 *
 *   kith match solve FILE    the engine alone on a text instance
 *                            (src/match/instance.h), for benchmarks and for
 *                            checking it against other solvers; prints
 *                            "matched N cost C solve_s T"
 */
#ifndef KITH_PEER_H
#define KITH_PEER_H

struct feature;

/* The largest instance file `kith match solve` reads. */
#define PEER_SOLVE_FILE_MAX ((size_t)1 << 30)

extern const struct feature peer_feature;

#endif
