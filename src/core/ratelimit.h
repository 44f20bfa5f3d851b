/*
 * ratelimit.h - an in-memory token bucket per key (a client address, an
 * account), for "too many requests" answers with a Retry-After.
 *
 * A fixed table of slots, striped locks, no allocation after creation. Two
 * keys that land in the same busy neighbourhood share nothing: a key that
 * finds no free slot is allowed (fail open), because the connection limits
 * still bound it and refusing strangers would be worse. State is per
 * process; limits that must hold across several kith processes live in the
 * database instead.
 */
#ifndef KITH_RATELIMIT_H
#define KITH_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ratelimit;

/* burst tokens, refilled at per_minute/60 per second. slots is rounded up
 * to a power of two. */
struct ratelimit *ratelimit_new(unsigned per_minute, unsigned burst, size_t slots);
void ratelimit_free(struct ratelimit *rl);

/* Takes one token for key at time now_us (monotonic microseconds). Returns
 * true when allowed; otherwise false and *retry_after_s (at least 1). */
bool ratelimit_take(struct ratelimit *rl, const char *key, size_t keylen,
		uint64_t now_us, int *retry_after_s);

#endif
