/*
 * kv.c - name=value lists, grown in an arena.
 */
#include "core/common.h"
#include "core/kv.h"

#include <strings.h>

bool kv_add(struct arena *a, struct kvlist *l, const char *name, const char *val, size_t vlen)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct kv *v = arena_calloc(a, cap, sizeof(*v));

		if (!v)
			return false;
		if (l->n)
			memcpy(v, l->v, l->n * sizeof(*v));
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].name = name;
	l->v[l->n].val = val;
	l->v[l->n].vlen = vlen;
	l->n++;
	return true;
}

const char *kv_get(const struct kvlist *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return l->v[i].val;
	return NULL;
}

const char *kv_iget(const struct kvlist *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i].name, name) == 0)
			return l->v[i].val;
	return NULL;
}

size_t kv_count(const struct kvlist *l, const char *name)
{
	size_t c = 0;

	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			c++;
	return c;
}
