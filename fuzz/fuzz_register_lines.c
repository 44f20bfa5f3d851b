/*
 * fuzz_register_lines.c - the register's box of walk-ins' names, one a
 * line (register_lines in src/groups/register.c, which reads the
 * "walk_ins" text a host types or copies from a paper register).
 *
 * The input is the box's text (up to its first NUL); its first byte also
 * picks a small limit, so both the register's own limit
 * (REGISTER_WALK_INS_MAX) and the "one more than max: too many" edge are
 * reached.
 *
 * Invariants: the lines are exactly those of an independent reading: the
 * text split at '\n', each line without leading spaces and tabs and
 * without trailing spaces, tabs and carriage returns, blank ones left out,
 * in the order typed, at most max + 1 of them (the caller's sign of too
 * many), the array NULL after the last when there are max or fewer. No
 * line is empty or holds a newline. A NULL text gives none. A fresh arena
 * per input (ASan sees a byte past any line).
 */
#include "core/common.h"

#include "core/arena.h"
#include "groups/register.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static bool lead(char c)
{
	return c == ' ' || c == '\t';
}

static bool trail(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The non-blank lines of text, read independently: where each of the
 * first cap starts and how long it is; returns how many there are. */
static size_t ref_lines(const char *text, const char **at, size_t *len, size_t cap)
{
	size_t k = 0;

	for (const char *s = text; ; ) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s), a = 0, b = n;

		while (a < b && lead(s[a]))
			a++;
		while (b > a && trail(s[b - 1]))
			b--;
		if (b > a) {
			if (k < cap) {
				at[k] = s + a;
				len[k] = b - a;
			}
			k++;
		}
		if (!nl)
			return k;
		s = nl + 1;
	}
}

static void check(const char *text, size_t max)
{
	const char *at[REGISTER_WALK_INS_MAX + 1];
	size_t len[REGISTER_WALK_INS_MAX + 1];
	size_t n = 12345, want = ref_lines(text, at, len, max + 1);
	struct arena a;
	const char **lines;

	arena_init(&a);
	lines = register_lines(&a, text, max, &n);
	CHECK(lines != NULL);
	CHECK(n == (want < max + 1 ? want : max + 1));
	for (size_t i = 0; i < n; i++) {
		CHECK(lines[i] && strlen(lines[i]) == len[i] && memcmp(lines[i], at[i], len[i]) == 0);
		CHECK(len[i] > 0 && !strchr(lines[i], '\n') && !lead(lines[i][0]) &&
		      !trail(lines[i][len[i] - 1]));
	}
	if (n <= max)
		CHECK(lines[n] == NULL);
	arena_release(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct arena a;
	size_t n = 1;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	check(text, REGISTER_WALK_INS_MAX);
	check(text, size ? data[0] % 8 : 0);
	free(text);

	arena_init(&a);
	CHECK(register_lines(&a, NULL, 3, &n) != NULL && n == 0);
	arena_release(&a);
	return 0;
}
