/*
 * jcache.c - parsed JSON kept between requests (jcache.h).
 */
#include "core/common.h"

#include "view/jcache.h"

/* Slots are in sets of JCACHE_WAYS: a key may sit in any slot of its set,
 * so a few keys that hash alike (20 results on a page) do not evict each
 * other on every request. */
static size_t set_of(const char *key)
{
	uint64_t h = 14695981039346656037ULL;  /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return (size_t)(h % (JCACHE_SLOTS / JCACHE_WAYS)) * JCACHE_WAYS;
}

static void slot_clear(struct jcache_slot *s)
{
	free(s->key);
	free(s->text);
	json_decref(s->v);
	memset(s, 0, sizeof(*s));
}

json_t *jcache_loads(struct jcache *c, const char *key, const char *text)
{
	size_t len = strlen(text), set = set_of(key), victim;
	struct jcache_slot *s;
	char *k2, *t2;
	json_t *v;

	if (len > JCACHE_MAX_TEXT)
		return json_loads(text, 0, NULL);
	pthread_mutex_lock(&c->mu);
	for (size_t w = 0; w < JCACHE_WAYS; w++) {
		s = &c->slot[set + w];
		if (s->v && s->len == len && strcmp(s->key, key) == 0 && memcmp(s->text, text, len) == 0) {
			v = json_incref(s->v);
			s->used = ++c->clock;
			c->hits++;
			pthread_mutex_unlock(&c->mu);
			return v;
		}
	}
	c->misses++;
	pthread_mutex_unlock(&c->mu);

	/* Parsed outside the lock: other threads' hits need not wait. */
	if (!(v = json_loads(text, 0, NULL)))
		return NULL;
	k2 = strdup(key);
	t2 = malloc(len + 1);
	if (!k2 || !t2) {
		free(k2);
		free(t2);
		return v;
	}
	memcpy(t2, text, len + 1);
	pthread_mutex_lock(&c->mu);
	/* The key's old text if it is there, else the least lately used. */
	victim = set;
	for (size_t w = 0; w < JCACHE_WAYS; w++) {
		s = &c->slot[set + w];
		if (s->key && strcmp(s->key, key) == 0) {
			victim = set + w;
			break;
		}
		if (s->used < c->slot[victim].used)
			victim = set + w;
	}
	s = &c->slot[victim];
	slot_clear(s);
	s->key = k2;
	s->text = t2;
	s->len = len;
	s->v = json_incref(v);
	s->used = ++c->clock;
	pthread_mutex_unlock(&c->mu);
	return v;
}

void jcache_clear(struct jcache *c)
{
	pthread_mutex_lock(&c->mu);
	for (size_t i = 0; i < JCACHE_SLOTS; i++)
		slot_clear(&c->slot[i]);
	c->hits = c->misses = 0;
	c->clock = 0;
	pthread_mutex_unlock(&c->mu);
}
