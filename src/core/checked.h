/*
 * checked.h - size arithmetic that cannot silently wrap.
 */
#ifndef KITH_CHECKED_H
#define KITH_CHECKED_H

#include <stdbool.h>
#include <stddef.h>

static inline bool size_add(size_t a, size_t b, size_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

static inline bool size_mul(size_t a, size_t b, size_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}

#endif
