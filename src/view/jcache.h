/*
 * jcache.h - parsed JSON documents kept between requests.
 *
 * The find and service pages read a service's stored JSON (its list form
 * or its whole ORUK document) on every request, and parsing it was the
 * largest cost of both pages (a third of their time). A jcache keeps the
 * parsed tree of the last text seen under each key in a fixed number of
 * slots (a key's hash picks a set of JCACHE_WAYS slots; the least lately
 * used one is replaced), so memory is bounded whatever the directory's
 * size. A hit needs the same key and byte-for-byte the same
 * text, so an edited service is parsed again and nothing stale is ever
 * returned; no invalidation is needed.
 *
 * The trees are shared between threads: callers must treat them as
 * read-only (jansson's reference counts are atomic).
 *
 *   static struct jcache c = JCACHE_INIT;
 *   json_t *doc = jcache_loads(&c, id, text);   // a new reference, or NULL
 *   ...
 *   json_decref(doc);
 */
#ifndef KITH_JCACHE_H
#define KITH_JCACHE_H

#include <pthread.h>
#include <stddef.h>

#include <jansson.h>

#define JCACHE_SLOTS 256
#define JCACHE_WAYS 4
/* Longer texts are parsed every time, not kept. */
#define JCACHE_MAX_TEXT 65536

struct jcache_slot {
	char *key;
	char *text;
	size_t len;
	json_t *v;
	unsigned long used;  /* c->clock when last read or written */
};

struct jcache {
	pthread_mutex_t mu;
	struct jcache_slot slot[JCACHE_SLOTS];
	unsigned long clock, hits, misses;
};

#define JCACHE_INIT { .mu = PTHREAD_MUTEX_INITIALIZER }

/* The parsed text (a new reference the caller must json_decref), from
 * the cache when key's slot holds the same key and text; NULL when the
 * text is not JSON (or memory ran out). */
json_t *jcache_loads(struct jcache *c, const char *key, const char *text);
/* Empties the cache (tests, shutdown). */
void jcache_clear(struct jcache *c);

#endif
