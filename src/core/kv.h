/*
 * kv.h - name=value lists: a request's query, form, cookies and headers,
 * and anything else that reads one (the find page's parameters) without
 * knowing about HTTP.
 */
#ifndef KITH_KV_H
#define KITH_KV_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

/* A name=value list (query, form, cookies, headers). Names and values are
 * decoded and NUL-terminated; vlen allows values with embedded NULs to be
 * rejected rather than truncated. */
struct kv {
	const char *name;
	const char *val;
	size_t vlen;
};

struct kvlist {
	struct kv *v;
	size_t n;
	size_t cap;
};

/* Appends (arena-allocated growth); false when out of memory. */
bool kv_add(struct arena *a, struct kvlist *l, const char *name, const char *val, size_t vlen);
/* First value for name (exact match), or NULL. */
const char *kv_get(const struct kvlist *l, const char *name);
/* Header lookup is ASCII case-insensitive. */
const char *kv_iget(const struct kvlist *l, const char *name);
size_t kv_count(const struct kvlist *l, const char *name);

#endif
