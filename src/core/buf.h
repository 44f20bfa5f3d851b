/*
 * buf.h - a growable byte string with a hard maximum and a sticky error.
 *
 * Modelled on git's strbuf. The contents are always NUL-terminated, so
 * b->p can be passed to C string functions. Appends never fail loudly: once
 * an append would pass b->max or malloc fails, b->err is set, later appends
 * do nothing, and the caller checks buf_ok() once at the end.
 *
 *   struct buf b;
 *   buf_init(&b, LIMIT_PAGE_BYTES);
 *   buf_adds(&b, "<p>");
 *   buf_addf(&b, "%d items", n);
 *   if (!buf_ok(&b)) ...;          // too large or out of memory
 *   char *owned = buf_detach(&b, &len);   // caller now owns; free() it
 *   buf_release(&b);               // or free the storage
 *
 * Storage comes from malloc; a buf owns it until buf_detach().
 */
#ifndef KITH_BUF_H
#define KITH_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdarg.h>

struct buf {
	char *p;        /* contents, NUL-terminated; never NULL after buf_init */
	size_t len;     /* bytes used, not counting the NUL */
	size_t cap;     /* bytes allocated */
	size_t max;     /* hard maximum for len */
	bool err;       /* sticky: set by the first failed append */
};

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
/* Empties the buffer and clears the error; keeps the storage. */
void buf_reset(struct buf *b);
/* Make room for n more bytes; false (and err set) when it cannot. */
bool buf_grow(struct buf *b, size_t n);

void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Shorten to len (<= b->len). */
void buf_truncate(struct buf *b, size_t len);

static inline bool buf_ok(const struct buf *b) { return !b->err; }

/* Hands the storage to the caller (free() it) and leaves b empty but valid.
 * Returns NULL if the buffer is in error. */
char *buf_detach(struct buf *b, size_t *len);

#endif
