/*
 * respcache.h - finished responses kept for reuse (respcache.c): a
 * bounded, thread-safe map from a canonical request key to the bytes of
 * the answer, so a popular public read is answered without being made
 * again.
 *
 * An entry is stored with a version (the directory's, say) and an expiry;
 * a lookup names the version it expects, so when the data changes the old
 * entries can no longer be reached (they are freed when next touched or
 * pushed out). Bounded in bytes and in entries, least recently used out
 * first. Sharded by the key's hash, each shard under its own mutex held
 * only to find or link an entry: the bytes are copied outside it, the
 * entry held by a reference count.
 *
 * Only for answers that depend on nothing but the key: never put one that
 * depends on who asks.
 */
#ifndef KITH_RESPCACHE_H
#define KITH_RESPCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct respcache;

/* A stored answer; read-only while you hold it. */
struct respcache_item {
	int status;
	const char *content_type;
	const char *hdr_name, *hdr_val;    /* one more header, or NULLs */
	const char *body;
	size_t len;
	const char *gz;                    /* the body gzipped, or NULL (not worth it) */
	size_t gz_len;
	char etag[36];                     /* "\"<32 hex>\"": strong, from the body */
};

/* max_bytes (keys, bodies and bookkeeping) and max_entries bound it;
 * shards (1..64) split both. NULL when either maximum is 0 (caching
 * off) or out of memory. */
struct respcache *respcache_new(size_t max_bytes, size_t max_entries, unsigned shards);
void respcache_free(struct respcache *c);

/* The entry for key at version, not expired at now, with a reference the
 * caller gives back with respcache_release(); NULL when there is none. */
const struct respcache_item *respcache_get(struct respcache *c, const char *key, size_t klen,
		uint64_t version, int64_t now);
void respcache_release(const struct respcache_item *it);

/* Stores a copy of it (its etag, or one computed here when it->etag is
 * "") under key at version until
 * now + ttl_s, replacing any entry for key; evicts the least recently
 * used to make room. false when it is larger than a shard may hold or
 * memory ran out (nothing stored). */
bool respcache_put(struct respcache *c, const char *key, size_t klen, uint64_t version, int64_t now,
		int ttl_s, const struct respcache_item *it);

/* The strong ETag of body, as respcache_put computes it. */
void respcache_etag(const char *body, size_t len, char out[36]);
/* Whether an If-None-Match header value (NULL: absent) matches etag. */
bool respcache_etag_matches(const char *if_none_match, const char *etag);

struct respcache_stats {
	size_t entries, bytes;
	uint64_t hits, misses, evictions;
};
void respcache_stats(struct respcache *c, struct respcache_stats *out);

#endif
