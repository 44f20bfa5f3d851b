/*
 * fuzz_rrule.c - the iCalendar recurrence rule reader and the date list
 * reader (src/search/recur.c), which take what people and feeds type.
 *
 * The first two bytes pick the first session's day (within about 180
 * years of 2000) and whether times are known; the rest is the rule, and
 * the same text is read as a list of dates.
 *
 * Invariants: a rule that reads gives a schedule that encodes and
 * decodes to itself, whose RRULE written back reads to the same
 * schedule, whose days in any window are in order and each on the
 * schedule, and whose first day is not before the first session; a rule
 * that does not read says why. Dates that read are sorted, each once,
 * within the bound.
 */
#include "core/common.h"

#include "core/uktime.h"
#include "search/recur.h"
#include "search/schedule.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[RECUR_RULE_MAX * 2 + 1];
	int64_t dtstart, days[64], dates[RECUR_EXDATES_MAX];
	struct sched s, back, dec;
	const char *why = NULL;
	struct buf b;
	size_t n, k;

	if (size < 2 || size - 2 > sizeof(text) - 1)
		return 0;
	dtstart = uk_days(2000, 1, 1) + (int64_t)((data[0] << 8 | data[1]) % 65000) - 32000;
	memcpy(text, data + 2, size - 2);
	text[size - 2] = '\0';

	if (recur_dates_parse(text, dates, RECUR_EXDATES_MAX, &n, &why) == ERR_OK) {
		CHECK(n <= RECUR_EXDATES_MAX);
		for (size_t i = 1; i < n; i++)
			CHECK(dates[i - 1] < dates[i]);
	} else {
		CHECK(why && why[0]);
	}

	if (sched_from_rrule(text, dtstart, data[0] & 1 ? 600 : -1, data[0] & 1 ? 690 : -1, &s, &why) != ERR_OK) {
		CHECK(why && why[0]);
		return 0;
	}
	buf_init(&b, 512);
	sched_encode(&s, &b);
	CHECK(buf_ok(&b) && sched_decode(b.p, b.len, &dec) && sched_equal(&dec, &s));
	buf_reset(&b);
	sched_rrule(&s, &b);
	CHECK(buf_ok(&b));
	if (s.freq != SCHED_ONCE) {
		CHECK(sched_from_rrule(b.p, dtstart, s.opens, s.closes, &back, &why) == ERR_OK);
		CHECK(sched_equal(&back, &s));
	}
	buf_release(&b);
	k = sched_days(&s, dtstart - 10, dtstart + 400, 0, days, 64);
	for (size_t i = 0; i < k && i < 64; i++) {
		CHECK(days[i] >= dtstart);
		CHECK(i == 0 || days[i - 1] < days[i]);
		CHECK(sched_on_day(&s, days[i], 0));
	}
	return 0;
}
