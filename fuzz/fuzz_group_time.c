/*
 * fuzz_group_time.c - a session's time as a host types it, "10:00",
 * "9:30" or "10.00" (group_time_parse in src/groups/sessions.c, which
 * reads the opens and closes boxes of the session and one-off forms), and
 * its writer (group_time_text, which fills those boxes again).
 *
 * The input is read two ways. As text (up to its first NUL): parsed. As
 * a number: its first four bytes any int, written.
 *
 * Invariants: the parser's answer is exactly an independent reading's
 * (-1 for ""; one or two digits of hours, ':' or '.', exactly two of
 * minutes, from 0:00 to 24:00; -2 for anything else); an accepted time
 * is 0..1440 and writes as the text in its canonical form ("9.05" ->
 * "09:05"), five characters, which reads back to the same minutes. Any
 * int writes either "HH:MM" that reads back to it (0..1440) or "" that
 * reads as not given (anything else); the buffer is exactly six bytes,
 * so ASan sees a byte past. Once: every minute 0..1440 round-trips, and
 * NULL reads as not given.
 */
#include "core/common.h"

#include "groups/groups.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

#define TEXT_MAX 32

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The format, read independently: where the separator is decides the
 * hours' digits; the minutes are the two after it and nothing more. */
static int ref_time(const char *s)
{
	size_t n = strlen(s), sep;
	int h, m;

	if (n == 0)
		return -1;
	if (n == 4 && (s[1] == ':' || s[1] == '.'))
		sep = 1;
	else if (n == 5 && (s[2] == ':' || s[2] == '.'))
		sep = 2;
	else
		return -2;
	for (size_t i = 0; i < n; i++)
		if (i != sep && !digit(s[i]))
			return -2;
	h = sep == 1 ? s[0] - '0' : (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[sep + 1] - '0') * 10 + (s[sep + 2] - '0');
	if (m > 59 || h * 60 + m > 24 * 60)
		return -2;
	return h * 60 + m;
}

/* Writes minutes into an exactly sized buffer; returns the text (caller
 * frees). */
static char *written(int minutes)
{
	char *out = malloc(6);

	CHECK(out);
	group_time_text(minutes, out);
	return out;
}

static void check_round_trip(int minutes)
{
	char *t = written(minutes);

	CHECK(strlen(t) == 5 && digit(t[0]) && digit(t[1]) && t[2] == ':' && digit(t[3]) && digit(t[4]));
	CHECK(group_time_parse(t) == minutes);
	CHECK(ref_time(t) == minutes);
	free(t);
}

static void check_text(const char *text)
{
	int m = group_time_parse(text);

	CHECK(m == ref_time(text));
	CHECK(m >= -2 && m <= 24 * 60);
	if (m >= 0) {
		char *t = written(m), want[6];
		size_t n = strlen(text);

		/* The canonical form: hours to two digits, ':'. */
		snprintf(want, sizeof(want), "%s%.*s:%s", n == 4 ? "0" : "", n == 4 ? 1 : 2, text,
			 text + n - 2);
		CHECK(strcmp(t, want) == 0);
		CHECK(group_time_parse(t) == m);
		free(t);
	}
}

static void check_number(int minutes)
{
	if (minutes >= 0 && minutes <= 24 * 60) {
		check_round_trip(minutes);
	} else {
		char *t = written(minutes);

		CHECK(t[0] == '\0' && group_time_parse(t) == -1);
		free(t);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool once;
	char text[TEXT_MAX + 1];
	size_t n = size < TEXT_MAX ? size : TEXT_MAX;

	if (!once) {
		for (int m = 0; m <= 24 * 60; m++)
			check_round_trip(m);
		CHECK(group_time_parse(NULL) == -1);
		once = true;
	}
	memcpy(text, data, n);
	text[n] = '\0';
	check_text(text);
	if (size >= 4) {
		uint32_t u = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];

		check_number((int)u);
		check_number((int)(u % 1500) - 30);   /* near the range, often */
	}
	return 0;
}
