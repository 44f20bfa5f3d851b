/*
 * arena.h - a bump allocator that dies all at once.
 *
 * Everything that hangs off one request lives in that request's arena and is
 * freed by one arena_release(): no free() on request paths. The first block
 * lives inside struct arena itself, so a small request makes no malloc call.
 *
 *   struct arena a;
 *   arena_init(&a);
 *   char *s = arena_strndup(&a, p, n);   // NULL only when out of memory
 *   arena_release(&a);                   // frees every allocation at once
 *
 * Allocations are aligned to 16 bytes. A single allocation larger than
 * ARENA_MAX_ALLOC fails (returns NULL): callers bound their inputs first.
 * Not thread-safe: one arena, one thread at a time.
 */
#ifndef KITH_ARENA_H
#define KITH_ARENA_H

#include <stddef.h>

#define ARENA_INLINE_BYTES 4096
#define ARENA_BLOCK_BYTES  (32 * 1024)
#define ARENA_MAX_ALLOC    ((size_t)256 * 1024 * 1024)

struct arena_block;

struct arena {
	struct arena_block *blocks;   /* heap blocks, newest first */
	char *cur;                    /* next free byte in the current block */
	char *end;                    /* end of the current block */
	size_t total;                 /* bytes handed out, for metrics and tests */
	_Alignas(16) char inline_buf[ARENA_INLINE_BYTES];
};

void arena_init(struct arena *a);
/* Frees every block. The arena may be reused after arena_init(). */
void arena_release(struct arena *a);

/* n bytes, uninitialised; NULL on overflow or out of memory. */
void *arena_alloc(struct arena *a, size_t n);
/* n bytes, zeroed. */
void *arena_zalloc(struct arena *a, size_t n);
/* count * size bytes, zeroed, with the multiplication checked. */
void *arena_calloc(struct arena *a, size_t count, size_t size);
/* A NUL-terminated copy of p[0..n). */
char *arena_strndup(struct arena *a, const char *p, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* printf into the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
