/*
 * buf.c - growable strings with a ceiling. Growth doubles, so appending n
 * bytes one at a time is O(n); the ceiling turns runaway output into one
 * sticky error rather than unbounded memory.
 */
#include "core/common.h"
#include "core/buf.h"
#include "core/checked.h"

static char empty_buf[1];

void buf_init(struct buf *b, size_t max)
{
	b->p = empty_buf;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->err = false;
}

void buf_release(struct buf *b)
{
	if (b->cap)
		free(b->p);
	buf_init(b, b->max);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->err = false;
	if (b->cap)
		b->p[0] = '\0';
}

bool buf_grow(struct buf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (b->err)
		return false;
	if (!size_add(b->len, n, &need) || need > b->max) {
		b->err = true;
		return false;
	}
	if (need + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 64;
	while (cap < need + 1) {
		if (!size_mul(cap, 2, &cap)) {
			b->err = true;
			return false;
		}
	}
	if (cap > b->max + 1)
		cap = b->max + 1;
	p = b->cap ? realloc(b->p, cap) : malloc(cap);
	if (!p) {
		b->err = true;
		return false;
	}
	if (!b->cap)
		p[0] = '\0';
	b->p = p;
	b->cap = cap;
	return true;
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	if (n == 0 || !buf_grow(b, n))
		return;
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addc(struct buf *b, char c)
{
	if (!buf_grow(b, 1))
		return;
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (b->err)
		return;
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		b->err = true;
		return;
	}
	if (!buf_grow(b, (size_t)n))
		return;
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void buf_truncate(struct buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->p[len] = '\0';
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *p;

	if (b->err) {
		buf_release(b);
		return NULL;
	}
	if (!b->cap) {
		p = malloc(1);
		if (!p)
			return NULL;
		p[0] = '\0';
	} else {
		p = b->p;
	}
	if (len)
		*len = b->len;
	buf_init(b, b->max);
	return p;
}
