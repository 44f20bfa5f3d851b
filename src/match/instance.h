/*
 * instance.h (src/match/) - the text form of a matching problem, for
 * `kith match solve FILE` (benchmarks, and checking the engine against
 * other solvers):
 *
 *   P M E                      people, peers, candidate pairs
 *   c_0 c_1 ... c_{M-1}        each peer's capacity
 *   person peer cost           E lines: 0-based indices, an integer cost
 *
 * Numbers are decimal and separated by spaces, tabs or line ends (the
 * lines are a convention, not a rule); nothing may follow the last pair.
 * A person left unmatched costs MATCH_UNMATCHED_SOLVE. Everything is
 * checked against match.h's limits: an instance that breaks one is
 * refused with the place and the reason, never half-read.
 */
#ifndef KITH_MATCH_INSTANCE_H
#define KITH_MATCH_INSTANCE_H

#include <stddef.h>

#include "core/err.h"
#include "match/match.h"

/* Parses text[0..len) into *out (unmatched at MATCH_UNMATCHED_SOLVE). On
 * ERR_INVALID, why (whylen bytes) says what is wrong and where ("pair 3:
 * peer 12 is not below M = 10"); ERR_NOMEM. Free the result with
 * match_owned_release() (also safe after a failure). */
enum err match_instance_parse(const char *text, size_t len, struct match_owned *out, char *why,
		size_t whylen);

#endif
