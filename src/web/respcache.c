/*
 * respcache.c - finished responses kept for reuse (see respcache.h).
 *
 * Shards, each a chained hash table and a least-recently-used list under
 * one mutex, with its share of the byte and entry budgets. An entry is
 * one allocation (the item, the key, the content type, the extra header
 * and the body) with a reference count: the shard holds one reference
 * while the entry is linked, each reader one while it copies the bytes,
 * so an entry evicted or replaced meanwhile is freed by whoever lets go
 * last. Nothing is copied or freed under a shard's mutex.
 */
#include "core/common.h"
#include "web/respcache.h"

#include <pthread.h>
#include <stdatomic.h>


struct ent {
	struct respcache_item it;      /* first: a reader's pointer is the entry's */
	atomic_uint refs;
	struct ent *hnext;             /* hash chain; a free list once unlinked */
	struct ent *prev, *next;       /* recency, most recent first */
	uint64_t hash, version;
	int64_t expires;
	size_t klen, cost;
	char data[];                   /* key, then the strings */
};

struct shard {
	pthread_mutex_t mu;
	struct ent **tab;
	size_t mask;
	struct ent lru;                /* sentinel: lru.next is the most recent */
	size_t bytes, n, max_bytes, max_n;
	uint64_t hits, misses, evictions;
} __attribute__((aligned(64)));

struct respcache {
	unsigned nshards;
	struct shard *shards;
	struct ent **tabs;        /* every shard's hash table, one block */
};

static uint64_t key_hash(const char *k, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)k[i];
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 29);
}

struct respcache *respcache_new(size_t max_bytes, size_t max_entries, unsigned shards)
{
	struct respcache *c;
	size_t per_n, buckets = 8;

	if (!max_bytes || !max_entries)
		return NULL;
	if (shards < 1)
		shards = 1;
	if (shards > 64)
		shards = 64;
	if (shards > max_entries)
		shards = (unsigned)max_entries;
	per_n = max_entries / shards;
	while (buckets < per_n * 2)
		buckets *= 2;
	if (!(c = calloc(1, sizeof(*c))))
		return NULL;
	if (posix_memalign((void **)&c->shards, 64, shards * sizeof(struct shard)) != 0) {
		free(c);
		return NULL;
	}
	memset(c->shards, 0, shards * sizeof(struct shard));
	if (!(c->tabs = calloc((size_t)shards * buckets, sizeof(*c->tabs)))) {
		free(c->shards);
		free(c);
		return NULL;
	}
	c->nshards = shards;
	for (unsigned i = 0; i < shards; i++) {
		struct shard *s = &c->shards[i];

		pthread_mutex_init(&s->mu, NULL);
		s->lru.next = s->lru.prev = &s->lru;
		s->max_bytes = max_bytes / shards;
		s->max_n = per_n;
		s->mask = buckets - 1;
		s->tab = c->tabs + (size_t)i * buckets;
	}
	return c;
}

static void ent_unref(struct ent *e)
{
	if (atomic_fetch_sub_explicit(&e->refs, 1, memory_order_acq_rel) == 1)
		free(e);
}

void respcache_free(struct respcache *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->nshards; i++) {
		struct shard *s = &c->shards[i];

		for (struct ent *e = s->lru.next, *nx; e != &s->lru; e = nx) {
			nx = e->next;
			ent_unref(e);
		}
		pthread_mutex_destroy(&s->mu);
	}
	free(c->tabs);
	free(c->shards);
	free(c);
}

static struct shard *shard_of(struct respcache *c, uint64_t h)
{
	return &c->shards[(h >> 40) % c->nshards];
}

/* Takes e out of its shard's table and list (caller holds the mutex and
 * then owns the shard's reference). */
static void unlink_ent(struct shard *s, struct ent *e)
{
	struct ent **pp = &s->tab[e->hash & s->mask];

	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	e->prev->next = e->next;
	e->next->prev = e->prev;
	s->bytes -= e->cost;
	s->n--;
	e->hnext = NULL;
}

static void link_front(struct shard *s, struct ent *e)
{
	e->next = s->lru.next;
	e->prev = &s->lru;
	s->lru.next->prev = e;
	s->lru.next = e;
}

static struct ent *find(struct shard *s, uint64_t h, const char *key, size_t klen)
{
	for (struct ent *e = s->tab[h & s->mask]; e; e = e->hnext)
		if (e->hash == h && e->klen == klen && memcmp(e->data, key, klen) == 0)
			return e;
	return NULL;
}

const struct respcache_item *respcache_get(struct respcache *c, const char *key, size_t klen,
		uint64_t version, int64_t now)
{
	uint64_t h;
	struct shard *s;
	struct ent *e, *dead = NULL;

	if (!c)
		return NULL;
	h = key_hash(key, klen);
	s = shard_of(c, h);
	pthread_mutex_lock(&s->mu);
	e = find(s, h, key, klen);
	if (e && (e->version != version || now >= e->expires)) {
		unlink_ent(s, e);          /* out of date: nobody can use it */
		dead = e;
		e = NULL;
	}
	if (e) {
		if (s->lru.next != e) {
			e->prev->next = e->next;
			e->next->prev = e->prev;
			link_front(s, e);
		}
		atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed);
		s->hits++;
	} else {
		s->misses++;
	}
	pthread_mutex_unlock(&s->mu);
	if (dead)
		ent_unref(dead);
	return e ? &e->it : NULL;
}

void respcache_release(const struct respcache_item *it)
{
	if (it)
		ent_unref((struct ent *)(uintptr_t)it);
}

/* A 128-bit hash of the body for its ETag: not cryptographic (nothing is
 * kept secret and a collision could only fool the colliding client's own
 * cache), but wide and well mixed, at about a byte a cycle: BLAKE2b took
 * a fifth of a fresh answer's time. Two lanes of multiply-fold (as in
 * wyhash) over 16-byte blocks. */
static uint64_t fold(uint64_t a, uint64_t b)
{
	unsigned __int128 r = (unsigned __int128)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static uint64_t load64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

void respcache_etag(const char *body, size_t len, char out[36])
{
	static const uint64_t K[4] = { 0xa0761d6478bd642fULL, 0xe7037ed1a0b428dbULL,
				       0x8ebc6af09c88c6e3ULL, 0x589965cc75374cc3ULL };
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)body;
	uint64_t h1 = K[0] ^ len, h2 = K[1] ^ (len << 1), w[2];
	unsigned char last[16] = { 0 };
	size_t n = len;

	for (; n >= 16; p += 16, n -= 16) {
		uint64_t a = load64(p), b = load64(p + 8);

		h1 = fold(a ^ h1, b ^ K[2]);
		h2 = fold(b ^ h2, a ^ K[3]);
	}
	memcpy(last, p, n);
	last[15] = (unsigned char)(n + 1);
	h1 = fold(load64(last) ^ h1, load64(last + 8) ^ K[2]);
	h2 = fold(load64(last + 8) ^ h2, load64(last) ^ K[3]);
	w[0] = fold(h1 ^ K[0], h2 ^ K[3]);
	w[1] = fold(h2 ^ K[1], w[0] ^ K[2]);
	out[0] = '"';
	for (int i = 0; i < 16; i++) {
		unsigned v = (unsigned)(w[i / 8] >> (8 * (i % 8))) & 0xff;

		out[1 + 2 * i] = hex[v >> 4];
		out[2 + 2 * i] = hex[v & 15];
	}
	out[33] = '"';
	out[34] = '\0';
}

static char *put_str(char **at, const char *s, size_t n)
{
	char *p = *at;

	memcpy(p, s, n);
	p[n] = '\0';
	*at += n + 1;
	return p;
}

bool respcache_put(struct respcache *c, const char *key, size_t klen, uint64_t version, int64_t now,
		int ttl_s, const struct respcache_item *it)
{
	size_t ct = it->content_type ? strlen(it->content_type) : 0;
	size_t hn = it->hdr_name ? strlen(it->hdr_name) : 0, hv = it->hdr_val ? strlen(it->hdr_val) : 0;
	size_t gzn = it->gz ? it->gz_len : 0;
	size_t extra = klen + ct + hn + hv + it->len + gzn + 6, cost;
	uint64_t h;
	struct shard *s;
	struct ent *e, *old, *dead = NULL;
	char *at;

	if (!c || ttl_s <= 0)
		return false;
	cost = sizeof(struct ent) + extra;
	h = key_hash(key, klen);
	s = shard_of(c, h);
	if (cost > s->max_bytes || !(e = malloc(cost)))
		return false;
	memset(e, 0, sizeof(*e));
	atomic_init(&e->refs, 1);
	e->hash = h;
	e->version = version;
	e->expires = now + ttl_s;
	e->klen = klen;
	e->cost = cost;
	at = e->data;
	memcpy(at, key, klen);
	at += klen;
	*at++ = '\0';
	e->it.status = it->status;
	e->it.content_type = put_str(&at, it->content_type ? it->content_type : "", ct);
	if (it->hdr_name && it->hdr_val) {
		e->it.hdr_name = put_str(&at, it->hdr_name, hn);
		e->it.hdr_val = put_str(&at, it->hdr_val, hv);
	}
	e->it.body = put_str(&at, it->body ? it->body : "", it->len);
	e->it.len = it->len;
	if (gzn) {
		e->it.gz = put_str(&at, it->gz, gzn);
		e->it.gz_len = gzn;
	}
	if (it->etag[0])
		memcpy(e->it.etag, it->etag, sizeof(e->it.etag));
	else
		respcache_etag(e->it.body, e->it.len, e->it.etag);

	pthread_mutex_lock(&s->mu);
	if ((old = find(s, h, key, klen))) {
		unlink_ent(s, old);
		old->hnext = dead;
		dead = old;
	}
	while (s->n && (s->bytes + cost > s->max_bytes || s->n + 1 > s->max_n)) {
		struct ent *v = s->lru.prev;

		unlink_ent(s, v);
		v->hnext = dead;
		dead = v;
		s->evictions++;
	}
	e->hnext = s->tab[h & s->mask];
	s->tab[h & s->mask] = e;
	link_front(s, e);
	s->bytes += cost;
	s->n++;
	pthread_mutex_unlock(&s->mu);
	while (dead) {
		struct ent *nx = dead->hnext;

		ent_unref(dead);
		dead = nx;
	}
	return true;
}

/* RFC 9110 13.1.2: a list of entity tags or "*", compared weakly. */
bool respcache_etag_matches(const char *inm, const char *etag)
{
	size_t n = strlen(etag);

	if (!inm)
		return false;
	for (const char *p = inm; *p;) {
		const char *q;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		if (*p == '*')
			return true;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		q = p;
		if (*q == '"') {
			q = strchr(q + 1, '"');
			q = q ? q + 1 : p + strlen(p);
		} else {
			while (*q && *q != ',')
				q++;
		}
		if ((size_t)(q - p) == n && memcmp(p, etag, n) == 0)
			return true;
		p = q;
		while (*p && *p != ',')
			p++;
	}
	return false;
}

void respcache_stats(struct respcache *c, struct respcache_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; c && i < c->nshards; i++) {
		struct shard *s = &c->shards[i];

		pthread_mutex_lock(&s->mu);
		out->entries += s->n;
		out->bytes += s->bytes;
		out->hits += s->hits;
		out->misses += s->misses;
		out->evictions += s->evictions;
		pthread_mutex_unlock(&s->mu);
	}
}
