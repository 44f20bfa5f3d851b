/*
 * ratelimit.c - token buckets in an open-addressed table.
 *
 * Each slot holds a key hash, its token count (in millitokens, so refill
 * needs no floating point) and when it was last refilled. A key probes up
 * to PROBE slots from its hash; a slot idle long enough to be full again is
 * as good as empty and is taken over. Locks are striped by slot.
 */
#include "core/common.h"
#include "core/ratelimit.h"

#include <pthread.h>

#define PROBE 8
#define STRIPES 64

struct slot {
	uint64_t key;       /* 0 = empty */
	uint64_t last_us;
	uint64_t milli;     /* tokens * 1000 */
};

struct ratelimit {
	struct slot *slots;
	size_t mask;
	uint64_t cap_milli;
	unsigned per_minute;
	pthread_mutex_t locks[STRIPES];
};

static uint64_t hash_key(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	return h ? h : 1;
}

struct ratelimit *ratelimit_new(unsigned per_minute, unsigned burst, size_t slots)
{
	struct ratelimit *rl;
	size_t n = 64;

	if (per_minute == 0 || burst == 0)
		return NULL;
	while (n < slots && n < ((size_t)1 << 24))
		n <<= 1;
	rl = calloc(1, sizeof(*rl));
	if (!rl)
		return NULL;
	rl->slots = calloc(n, sizeof(*rl->slots));
	if (!rl->slots) {
		free(rl);
		return NULL;
	}
	rl->mask = n - 1;
	rl->cap_milli = (uint64_t)burst * 1000;
	rl->per_minute = per_minute;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&rl->locks[i], NULL);
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&rl->locks[i]);
	free(rl->slots);
	free(rl);
}

/* Millitokens earned in dt microseconds: per_minute tokens per 60e6 us. */
static uint64_t earned(const struct ratelimit *rl, uint64_t dt)
{
	/* per_minute * 1000 millitokens / 60e6 us; dt is bounded by the time
	 * to fill the bucket below, so this cannot overflow. */
	return dt * rl->per_minute / 60000u;
}

bool ratelimit_take(struct ratelimit *rl, const char *key, size_t keylen,
		uint64_t now_us, int *retry_after_s)
{
	uint64_t h = hash_key(key, keylen);
	size_t base = (size_t)h & rl->mask;
	/* Time for an empty bucket to fill: after that, a slot is idle. */
	uint64_t fill_us = rl->cap_milli * 60000u / rl->per_minute + 1;

	for (size_t i = 0; i < PROBE; i++) {
		size_t idx = (base + i) & rl->mask;
		pthread_mutex_t *lk = &rl->locks[idx % STRIPES];
		struct slot *s = &rl->slots[idx];
		bool ok;

		pthread_mutex_lock(lk);
		if (s->key != h) {
			if (s->key != 0 && now_us - s->last_us < fill_us) {
				pthread_mutex_unlock(lk);
				continue;   /* someone else's, still in use */
			}
			s->key = h;
			s->last_us = now_us;
			s->milli = rl->cap_milli;
		} else {
			uint64_t dt = now_us > s->last_us ? now_us - s->last_us : 0;

			if (dt > fill_us)
				dt = fill_us;
			s->milli += earned(rl, dt);
			if (s->milli > rl->cap_milli)
				s->milli = rl->cap_milli;
			s->last_us = now_us;
		}
		ok = s->milli >= 1000;
		if (ok) {
			s->milli -= 1000;
		} else {
			uint64_t need = 1000 - s->milli;
			uint64_t us = need * 60000u / rl->per_minute + 1;

			*retry_after_s = (int)(us / 1000000u) + 1;
		}
		pthread_mutex_unlock(lk);
		return ok;
	}
	return true;
}
