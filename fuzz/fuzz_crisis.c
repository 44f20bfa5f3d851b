/*
 * fuzz_crisis.c - the crisis classifier (src/safety/crisis.c), which reads
 * every post anyone writes.
 *
 * The input is a post's text, any bytes.
 *
 * Invariants: no crash, no read outside the text; the result is
 * consistent (signpost and urgent follow the level; no level, no span,
 * kind or why; truncated exactly when the text is longer than
 * CRISIS_TEXT_MAX); the span lies within the text and covers whole
 * characters (it starts where a character starts and ends after a
 * complete one); the same text gives the same result twice; changing the
 * case of ASCII letters changes nothing, span included; and a harmless
 * sentence appended on a new line never lowers the level (a line break
 * ends the last sentence, and the appended words say nothing about
 * recovery or death, the only things a later sentence may change).
 */
#include "core/common.h"

#include "safety/crisis.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static const char harmless[] = "\nThe walk on Thursday was lovely and the tea was good.";

/* Does p[0..n) hold a complete UTF-8 character ending at byte e? */
static bool ends_character(const uint8_t *p, size_t e)
{
	size_t lead = e - 1, need;

	if (p[lead] < 0x80)
		return true;
	while (lead > 0 && e - lead < 4 && (p[lead] & 0xc0) == 0x80)
		lead--;
	if (p[lead] >= 0xc2 && p[lead] <= 0xdf)
		need = 2;
	else if (p[lead] >= 0xe0 && p[lead] <= 0xef)
		need = 3;
	else if (p[lead] >= 0xf0 && p[lead] <= 0xf4)
		need = 4;
	else
		return false;
	return e - lead == need;
}

static void same(const struct crisis_result *a, const struct crisis_result *b)
{
	CHECK(a->level == b->level && a->kind == b->kind && a->start == b->start && a->end == b->end &&
		a->signpost == b->signpost && a->urgent == b->urgent && a->truncated == b->truncated &&
		strcmp(a->why, b->why) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crisis_result r, r2;
	char *copy;

	crisis_classify((const char *)data, size, &r);

	CHECK(r.level < CRISIS_LEVEL__MAX && r.kind < CRISIS_KIND__MAX && r.why);
	CHECK(r.signpost == (r.level != CRISIS_NONE));
	CHECK(r.urgent == (r.level == CRISIS_URGENT));
	CHECK(r.truncated == (size > CRISIS_TEXT_MAX));
	if (r.level == CRISIS_NONE) {
		CHECK(r.start == 0 && r.end == 0 && r.kind == CRISIS_KIND_NONE && r.why[0] == '\0');
	} else {
		CHECK(r.kind != CRISIS_KIND_NONE && r.why[0]);
		CHECK(r.start < r.end && r.end <= size && r.end <= CRISIS_TEXT_MAX);
		CHECK((data[r.start] & 0xc0) != 0x80);
		CHECK(ends_character(data, r.end));
	}

	crisis_classify((const char *)data, size, &r2);
	same(&r, &r2);

	copy = malloc(size + sizeof(harmless));
	if (!copy)
		return 0;
	for (size_t i = 0; i < size; i++)
		copy[i] = data[i] >= 'a' && data[i] <= 'z' ? (char)(data[i] - 32) : (char)data[i];
	crisis_classify(copy, size, &r2);
	same(&r, &r2);
	for (size_t i = 0; i < size; i++)
		copy[i] = data[i] >= 'A' && data[i] <= 'Z' ? (char)(data[i] + 32) : (char)data[i];
	crisis_classify(copy, size, &r2);
	same(&r, &r2);

	if (size + sizeof(harmless) - 1 <= CRISIS_TEXT_MAX) {
		memcpy(copy, data, size);
		memcpy(copy + size, harmless, sizeof(harmless) - 1);
		crisis_classify(copy, size + sizeof(harmless) - 1, &r2);
		CHECK(r2.level >= r.level);
	}
	free(copy);
	return 0;
}
