/*
 * common.h - included first by every kith .c file: feature-test macros,
 * the standard headers nearly every file uses, and banned.h.
 */
#ifndef KITH_COMMON_H
#define KITH_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

/* Every header that declares a banned function is included here, before
 * banned.h, so that a later #include of it is a no-op rather than a clash
 * with the macros. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/limits.h"
#include "core/err.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define UNUSED(x) ((void)(x))

#include "core/banned.h"

#endif
