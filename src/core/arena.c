/*
 * arena.c - bump allocation in blocks. The first ARENA_INLINE_BYTES come
 * from inside struct arena, so most requests never call malloc for their
 * own bookkeeping. Larger allocations get a block of their own sized to fit,
 * which keeps the waste per block under ARENA_BLOCK_BYTES.
 */
#include "core/common.h"
#include "core/arena.h"
#include "core/checked.h"

struct arena_block {
	struct arena_block *next;
	size_t size;
	_Alignas(16) char data[];
};

#define ALIGN 16u

static size_t align_up(size_t n)
{
	return (n + (ALIGN - 1)) & ~(size_t)(ALIGN - 1);
}

void arena_init(struct arena *a)
{
	a->blocks = NULL;
	a->cur = a->inline_buf;
	a->end = a->inline_buf + sizeof(a->inline_buf);
	a->total = 0;
}

void arena_release(struct arena *a)
{
	struct arena_block *b = a->blocks, *next;

	while (b) {
		next = b->next;
		free(b);
		b = next;
	}
	arena_init(a);
}

void *arena_alloc(struct arena *a, size_t n)
{
	size_t need, bsize;
	struct arena_block *b;
	char *p;

	if (n == 0)
		n = 1;
	if (n > ARENA_MAX_ALLOC)
		return NULL;
	need = align_up(n);
	if ((size_t)(a->end - a->cur) >= need) {
		p = a->cur;
		a->cur += need;
		a->total += need;
		return p;
	}
	bsize = need > ARENA_BLOCK_BYTES / 4 ? need : ARENA_BLOCK_BYTES;
	b = malloc(sizeof(*b) + bsize);
	if (!b)
		return NULL;
	b->size = bsize;
	b->next = a->blocks;
	a->blocks = b;
	a->total += need;
	if (bsize == need) {
		/* A dedicated block: keep bump-allocating from the old one. */
		return b->data;
	}
	a->cur = b->data + need;
	a->end = b->data + bsize;
	return b->data;
}

void *arena_zalloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);

	if (p)
		memset(p, 0, n);
	return p;
}

void *arena_calloc(struct arena *a, size_t count, size_t size)
{
	size_t n;

	if (!size_mul(count, size, &n))
		return NULL;
	return arena_zalloc(a, n);
}

char *arena_strndup(struct arena *a, const char *p, size_t n)
{
	size_t total;
	char *s;

	if (!size_add(n, 1, &total))
		return NULL;
	s = arena_alloc(a, total);
	if (!s)
		return NULL;
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *s;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	s = arena_alloc(a, (size_t)n + 1);
	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}
