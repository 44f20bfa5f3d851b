/*
 * fuzz_event_id.c - an event's id in URLs, "<service-uuid>-<YYYYMMDD>"
 * (calendar_event_id_parse in src/groups/calendar.c: the {id} of
 * /api/v1/events/{id}/rsvp and /attendance), the writer beside it
 * (calendar_event_id), and the session key it carries (group_skey_parse,
 * which also reads the register's held_on).
 *
 * The input is read two ways. As text (up to its first NUL): parsed as an
 * event id and as a session key. As material for an id: its first 16
 * bytes a UUID (hex digits in either case, as a client may send them) and
 * the next three a day from the year 1 to 9999, written with
 * calendar_event_id and read back.
 *
 * Invariants: the parser accepts exactly what an independent reading of
 * the format accepts (45 bytes; 8-4-4-4-12 hex digits; '-'; eight digits
 * that are a real Gregorian day, year 1 or later); what it gives back is
 * a lowercase UUID equal to the text's first 36 bytes lowercased and a
 * YYYY-MM-DD key that is a real day written canonically (group_skey of
 * its day), within the arrays' bounds (exactly sized, so ASan sees a byte
 * past); writing them again gives the text lowercased, and that reads back
 * to the same. Every id written from any UUID and day reads back to that
 * UUID lowercased and that day. A session key reads exactly when it is a
 * real day written YYYY-MM-DD, and then writes back to itself.
 */
#include "core/common.h"

#include "core/str.h"
#include "core/uktime.h"
#include "groups/calendar.h"
#include "groups/groups_int.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

#define TEXT_MAX 128

/* ---------------------------------------------------------------- the format, read independently */

static bool ref_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* A real day: year 1 or later, month 1..12, day within the month. */
static bool ref_day(int y, int m, int d)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (y < 1 || m < 1 || m > 12 || d < 1)
		return false;
	return d <= len[m - 1] + (m == 2 && ref_leap(y));
}

static bool ref_digits(const char *s, size_t n, int *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

static bool ref_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool ref_event_id(const char *s)
{
	int y, m, d;

	if (strlen(s) != 45 || s[36] != '-')
		return false;
	for (int i = 0; i < 36; i++)
		if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' : !ref_hex(s[i]))
			return false;
	return ref_digits(s + 37, 4, &y) && ref_digits(s + 41, 2, &m) && ref_digits(s + 43, 2, &d) &&
	       ref_day(y, m, d);
}

static bool ref_skey(const char *s)
{
	int y, m, d;

	return strlen(s) == 10 && s[4] == '-' && s[7] == '-' && ref_digits(s, 4, &y) &&
	       ref_digits(s + 5, 2, &m) && ref_digits(s + 8, 2, &d) && ref_day(y, m, d);
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ---------------------------------------------------------------- checks */

/* What the parser gave: a lowercase UUID and a canonical real day. */
static void check_parts(const char *sid, const char *skey, int64_t *day)
{
	char back[GROUP_SKEY];

	CHECK(strlen(sid) == 36 && str_is_uuid(str_c(sid)));
	for (const char *p = sid; *p; p++)
		CHECK(!(*p >= 'A' && *p <= 'Z'));
	CHECK(strlen(skey) == 10 && ref_skey(skey));
	CHECK(group_skey_parse(skey, day));
	group_skey(*day, back);
	CHECK(strcmp(back, skey) == 0);
}

static void check_text(const char *text)
{
	char *sid = malloc(37), *skey = malloc(GROUP_SKEY), *sid2 = malloc(37), *skey2 = malloc(GROUP_SKEY);
	char out[CALENDAR_EVENT_ID], want[CALENDAR_EVENT_ID];
	bool ok;
	int64_t day, day2;

	CHECK(sid && skey && sid2 && skey2);
	ok = calendar_event_id_parse(text, sid, skey);
	CHECK(ok == ref_event_id(text));
	if (ok) {
		check_parts(sid, skey, &day);
		for (int i = 0; i < 36; i++)
			CHECK(sid[i] == lower(text[i]));
		/* Written again: the text, lowercased; and that reads the same. */
		calendar_event_id(sid, skey, out);
		for (int i = 0; i < 45; i++)
			want[i] = lower(text[i]);
		want[45] = '\0';
		CHECK(strcmp(out, want) == 0);
		CHECK(calendar_event_id_parse(out, sid2, skey2));
		CHECK(strcmp(sid2, sid) == 0 && strcmp(skey2, skey) == 0);
		CHECK(group_skey_parse(skey2, &day2) && day2 == day);
	}
	free(sid);
	free(skey);
	free(sid2);
	free(skey2);

	/* The same text as a session key (a path's {day}, the register's held_on). */
	ok = group_skey_parse(text, &day);
	CHECK(ok == ref_skey(text));
	if (ok) {
		char back[GROUP_SKEY];

		group_skey(day, back);
		CHECK(strcmp(back, text) == 0);
	}
}

/* An id written from 16 bytes of UUID and a day, read back. */
static void check_written(const uint8_t *b)
{
	static const char hex[] = "0123456789abcdef", HEX[] = "0123456789ABCDEF";
	static int64_t first, last;
	char uuid[37], skey[GROUP_SKEY], id[CALENDAR_EVENT_ID], sid[37], skey2[GROUP_SKEY];
	int64_t day, day2;
	size_t k = 0;

	if (!last) {
		first = uk_days(1, 1, 1);
		last = uk_days(9999, 12, 31);
	}
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			uuid[i] = '-';
			continue;
		}
		unsigned nib = (k & 1) ? b[k / 2] & 15 : b[k / 2] >> 4;

		/* Byte 16's bits say which digits are capitals. */
		uuid[i] = ((b[16] >> (k % 8)) & 1) ? HEX[nib] : hex[nib];
		k++;
	}
	uuid[36] = '\0';
	day = first + (int64_t)(((uint32_t)b[17] << 16 | (uint32_t)b[18] << 8 | b[19]) % (uint32_t)(last - first + 1));
	group_skey(day, skey);
	calendar_event_id(uuid, skey, id);
	CHECK(strlen(id) == 45);
	CHECK(calendar_event_id_parse(id, sid, skey2));
	for (int i = 0; i < 36; i++)
		CHECK(sid[i] == lower(uuid[i]));
	CHECK(strcmp(skey2, skey) == 0 && group_skey_parse(skey2, &day2) && day2 == day);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[TEXT_MAX + 1];
	size_t n = size < TEXT_MAX ? size : TEXT_MAX;

	memcpy(text, data, n);
	text[n] = '\0';
	check_text(text);
	CHECK(!calendar_event_id_parse(NULL, text, text));
	if (size >= 20)
		check_written(data);
	return 0;
}
