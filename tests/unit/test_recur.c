/*
 * test_recur.c - a schedule's days (sched_on_day, sched_days), RFC 5545
 * recurrence rules to and from struct sched (sched_from_rrule,
 * sched_rrule) and lists of dates (recur_dates_parse).
 *
 * The days are checked three ways: against kith's own next-session code
 * (sched_next, stepped), against libical's RRULE expansion (the
 * well-kept implementation of RFC 5545, an independent reading of the
 * rule) on a few hundred random schedules over two years, and by hand on
 * the cases people meet: every other Thursday, the first Monday, the last
 * Friday, the 31st in a short month, a series that ends.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>
#include <libical/ical.h>
#include <stdio.h>

#include "core/buf.h"
#include "core/uktime.h"
#include "search/recur.h"
#include "search/schedule.h"

#define D(y, m, d) uk_days((y), (m), (d))

static struct sched weekly(unsigned mask, int interval, int64_t start, int64_t end)
{
	return (struct sched){ .freq = SCHED_WEEKLY, .interval = interval, .weekdays = (uint8_t)mask,
			       .opens = 600, .closes = 690, .start_day = start, .end_day = end };
}

/* ---------------------------------------------------------------- by hand */

static void every_other_thursday(void **state)
{
	/* Thursday 3 December 2026, then every other Thursday. */
	struct sched s = weekly(1u << 3, 2, D(2026, 12, 3), 0);
	int64_t out[8];
	size_t n = sched_days(&s, D(2026, 12, 1), D(2027, 1, 31), 0, out, 8);

	UNUSED(state);
	assert_int_equal(n, 5);
	assert_int_equal(out[0], D(2026, 12, 3));
	assert_int_equal(out[1], D(2026, 12, 17));
	assert_int_equal(out[2], D(2026, 12, 31));
	assert_int_equal(out[3], D(2027, 1, 14));
	assert_int_equal(out[4], D(2027, 1, 28));
	assert_false(sched_on_day(&s, D(2026, 12, 10), 0));
	/* Before the start: nothing. */
	assert_int_equal(sched_days(&s, D(2026, 11, 1), D(2026, 12, 2), 0, out, 8), 0);
	/* Every other Sunday from Monday 1 February 2027: the Sunday of that
	 * week, 7 February, as RFC 5545 (weeks from Monday) and
	 * python-dateutil say; libical 3.0.16 says 14 February. */
	s = weekly(1u << 6, 2, D(2027, 2, 1), 0);
	assert_int_equal(sched_days(&s, D(2027, 2, 1), D(2027, 3, 1), 0, out, 8), 2);
	assert_int_equal(out[0], D(2027, 2, 7));
	assert_int_equal(out[1], D(2027, 2, 21));
}

static void monthly_by_place_and_date(void **state)
{
	struct sched first_monday = { .freq = SCHED_MONTHLY, .interval = 1, .opens = -1, .closes = -1,
				      .start_day = D(2026, 1, 1) };
	struct sched the_31st = { .freq = SCHED_MONTHLY, .interval = 1, .monthday = 31, .opens = -1,
				  .closes = -1, .start_day = D(2026, 1, 1) };
	int64_t out[16];
	size_t n;

	UNUSED(state);
	assert_true(sched_add_byday(&first_monday, 1, 0));
	assert_true(sched_add_byday(&first_monday, -1, 4));   /* and the last Friday */
	n = sched_days(&first_monday, D(2027, 2, 1), D(2027, 3, 31), 0, out, 16);
	assert_int_equal(n, 4);
	assert_int_equal(out[0], D(2027, 2, 1));
	assert_int_equal(out[1], D(2027, 2, 26));
	assert_int_equal(out[2], D(2027, 3, 1));
	assert_int_equal(out[3], D(2027, 3, 26));
	/* The 31st skips the short months. */
	n = sched_days(&the_31st, D(2027, 1, 1), D(2027, 6, 30), 0, out, 16);
	assert_int_equal(n, 3);
	assert_int_equal(out[0], D(2027, 1, 31));
	assert_int_equal(out[1], D(2027, 3, 31));
	assert_int_equal(out[2], D(2027, 5, 31));
	/* max bounds what is written, not what is counted. */
	assert_int_equal(sched_days(&the_31st, D(2027, 1, 1), D(2027, 12, 31), 0, out, 2), 7);
}

static void a_series_that_ends_and_one_date(void **state)
{
	struct sched s = weekly(1u << 0, 1, D(2026, 12, 7), D(2026, 12, 21));
	struct sched once = { .freq = SCHED_ONCE, .interval = 1, .opens = 600, .closes = 720,
			      .start_day = D(2026, 12, 12) };
	int64_t out[8];

	UNUSED(state);
	assert_int_equal(sched_days(&s, D(2026, 12, 1), D(2027, 12, 31), 0, out, 8), 3);
	assert_int_equal(out[2], D(2026, 12, 21));
	assert_int_equal(sched_days(&once, D(2026, 12, 1), D(2026, 12, 31), 0, out, 8), 1);
	assert_int_equal(out[0], D(2026, 12, 12));
	assert_int_equal(sched_days(&once, D(2026, 12, 13), D(2026, 12, 31), 0, out, 8), 0);
}

/* ---------------------------------------------------------------- RRULE */

static void reads_rules_people_write(void **state)
{
	struct sched s;
	const char *why = NULL;
	struct buf b;

	UNUSED(state);
	assert_int_equal(sched_from_rrule("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", D(2026, 12, 3), 600, 690,
					  &s, &why), ERR_OK);
	assert_int_equal(s.freq, SCHED_WEEKLY);
	assert_int_equal(s.interval, 2);
	assert_int_equal(s.weekdays, 1u << 3);
	/* Without BYDAY a weekly rule takes DTSTART's weekday; a monthly one
	 * its day of the month (RFC 5545 3.3.10). */
	assert_int_equal(sched_from_rrule("FREQ=WEEKLY", D(2026, 12, 8), -1, -1, &s, &why), ERR_OK);
	assert_int_equal(s.weekdays, 1u << 1);
	assert_int_equal(sched_from_rrule("FREQ=MONTHLY;UNTIL=20270630T235959Z", D(2026, 12, 15), -1, -1,
					  &s, &why), ERR_OK);
	assert_int_equal(s.monthday, 15);
	assert_int_equal(s.end_day, D(2027, 6, 30));
	assert_int_equal(sched_from_rrule("FREQ=MONTHLY;BYDAY=1MO,-1FR;WKST=MO", D(2026, 12, 1), 840, 960,
					  &s, &why), ERR_OK);
	assert_int_equal(s.nbyday, 2);
	/* And back. */
	buf_init(&b, 256);
	sched_rrule(&s, &b);
	assert_string_equal(b.p, "FREQ=MONTHLY;BYDAY=1MO,-1FR");
	buf_reset(&b);
	s = weekly(0x1f, 1, D(2026, 12, 7), D(2027, 3, 31));
	sched_rrule(&s, &b);
	assert_string_equal(b.p, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20270331");
	buf_release(&b);
}

static void refuses_what_it_cannot_hold_in_words(void **state)
{
	static const struct { const char *rule, *words; } bad[] = {
		{ "FREQ=WEEKLY;COUNT=10", "COUNT is not supported" },
		{ "FREQ=YEARLY", "FREQ must be DAILY, WEEKLY or MONTHLY" },
		{ "INTERVAL=2", "needs FREQ" },
		{ "FREQ=WEEKLY;BYDAY=XX", "not a day" },
		{ "FREQ=WEEKLY;BYDAY=1TU", "only for a monthly rule" },
		{ "FREQ=MONTHLY;BYDAY=TU", "place in the month" },
		{ "FREQ=MONTHLY;BYDAY=6TU", "1 to 5" },
		{ "FREQ=WEEKLY;INTERVAL=0", "INTERVAL" },
		{ "FREQ=WEEKLY;FREQ=DAILY", "twice" },
		{ "FREQ=WEEKLY;UNTIL=20270231", "UNTIL" },
		{ "FREQ=WEEKLY;UNTIL=20261101", "before the first" },
		{ "FREQ=WEEKLY;BYMONTH=3", "not supported" },
		{ "FREQ=WEEKLY;WKST=SU", "Monday" },
		{ "FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY" },
		{ "FREQ=WEEKLY;BYMONTHDAY=3", "monthly rule" },
		{ "FREQ=WEEKLY;", "NAME=VALUE" },
		{ "", "Give a rule" },
	};
	struct sched s;

	UNUSED(state);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		const char *why = NULL;

		if (sched_from_rrule(bad[i].rule, D(2026, 12, 3), -1, -1, &s, &why) != ERR_INVALID)
			fail_msg("%s was read", bad[i].rule);
		assert_non_null(why);
		if (!strstr(why, bad[i].words))
			fail_msg("%s: \"%s\" does not say \"%s\"", bad[i].rule, why, bad[i].words);
	}
}

static void dates_people_type(void **state)
{
	int64_t days[4];
	size_t n = 0;
	const char *why = NULL;

	UNUSED(state);
	assert_int_equal(recur_dates_parse(" 2027-01-01, 2026-12-25\n2026-12-25 ", days, 4, &n, &why), ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(days[0], D(2026, 12, 25));
	assert_int_equal(days[1], D(2027, 1, 1));
	assert_int_equal(recur_dates_parse("", days, 4, &n, &why), ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(recur_dates_parse("25/12/2026", days, 4, &n, &why), ERR_INVALID);
	assert_non_null(strstr(why, "2026-12-25"));
	assert_int_equal(recur_dates_parse("2026-02-30", days, 4, &n, &why), ERR_INVALID);
	assert_int_equal(recur_dates_parse("2026-12-01 2026-12-02 2026-12-03 2026-12-04 2026-12-05",
					   days, 4, &n, &why), ERR_INVALID);
	assert_non_null(strstr(why, "too many"));
}

/* ---------------------------------------------------------------- random, against libical and sched_next */

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* A random canonical repeating schedule starting on dtstart. */
static void random_sched(struct sched *s, int64_t dtstart)
{
	*s = (struct sched){ .interval = 1 + (int)rnd(rnd(4) == 0 ? 5 : 2), .opens = -1, .closes = -1,
			     .start_day = dtstart };
	switch (rnd(3)) {
	case 0:
		s->freq = SCHED_DAILY;
		s->weekdays = rnd(2) ? 0x7f : (uint8_t)(1 + rnd(127));
		break;
	case 1:
		s->freq = SCHED_WEEKLY;
		s->weekdays = (uint8_t)(1 + rnd(127));
		break;
	default:
		s->freq = SCHED_MONTHLY;
		if (rnd(3) == 0) {
			s->monthday = 1 + (int)rnd(31);
		} else {
			int k = 1 + (int)rnd(3);

			for (int i = 0; i < k; i++) {
				int nth = (int)rnd(6);

				sched_add_byday(s, nth == 0 ? -1 : nth, (int)rnd(7));
			}
		}
	}
	if (rnd(3) == 0)
		s->end_day = dtstart + 30 + rnd(600);
}

/* libical's days for rule from dtstart to last, dtstart itself left out
 * (RFC 5545 counts DTSTART as the first instance whether or not the rule
 * would make it; kith's series start on a day of their own). */
static size_t libical_days(const char *rule, int64_t dtstart, int64_t last, int64_t *out, size_t max)
{
	struct icalrecurrencetype r = icalrecurrencetype_from_string(rule);
	struct icaltimetype start, t;
	icalrecur_iterator *it;
	char text[16];
	size_t n = 0;
	int y, m, d;

	/* A DATE value as libical reads one (a struct filled by hand from
	 * icaltime_null_date() never ends its iteration). */
	uk_date(dtstart, &y, &m, &d);
	snprintf(text, sizeof(text), "%04d%02d%02d", y, m, d);
	start = icaltime_from_string(text);
	it = icalrecur_iterator_new(r, start);
	assert_non_null(it);
	while (!icaltime_is_null_time(t = icalrecur_iterator_next(it))) {
		int64_t day = uk_days(t.year, t.month, t.day);

		if (day > last)
			break;
		if (day != dtstart && n < max)
			out[n++] = day;
	}
	icalrecur_iterator_free(it);
	return n;
}

static void equals_libical_and_sched_next(void **state)
{
	enum { CASES = 600, MAX = 800 };
	static int64_t ours[MAX], theirs[MAX];
	int compared = 0;

	UNUSED(state);
	for (int c = 0; c < CASES; c++) {
		int64_t dtstart = D(2026, 1, 1) + rnd(900), last = dtstart + 731;
		struct sched s, back;
		struct buf rule;
		const char *why = NULL;
		size_t n, k, m = 0;
		int64_t t, now;

		random_sched(&s, dtstart);
		buf_init(&rule, 256);
		sched_rrule(&s, &rule);
		assert_true(buf_ok(&rule));
		/* The rule reads back as the schedule it came from. */
		if (sched_from_rrule(rule.p, dtstart, -1, -1, &back, &why) != ERR_OK)
			fail_msg("case %d: %s refused: %s", c, rule.p, why);
		assert_true(sched_equal(&s, &back));
		n = sched_days(&s, dtstart, last, 0, ours, MAX);
		assert_true(n <= MAX);
		/* Against libical, leaving DTSTART out of both, for series whose
		 * first session is DTSTART, as kith's are. (libical 3.0.16 counts
		 * an "every other week" from the week after DTSTART when DTSTART
		 * is not one of BYDAY's days: FREQ=WEEKLY;INTERVAL=2;BYDAY=SU from
		 * Monday 1 February 2027 gives it 14 February, where RFC 5545 and
		 * python-dateutil give 7 February. kith agrees with the RFC.) */
		if (n > 0 && ours[0] == dtstart) {
			memmove(ours, ours + 1, (n - 1) * sizeof(*ours));
			n--;
			k = libical_days(rule.p, dtstart, last, theirs, MAX);
			if (k != n || memcmp(ours, theirs, n * sizeof(*ours)) != 0)
				fail_msg("case %d: %s from %lld: kith %zu days, libical %zu", c, rule.p,
					 (long long)dtstart, n, k);
			compared++;
		}
		/* Against sched_next, stepped from the day before dtstart. */
		now = uk_to_utc(2000, 1, 1, 0, 0) + (dtstart - 1 - D(2000, 1, 1)) * 86400;
		n = sched_days(&s, dtstart, dtstart + 700, 0, ours, MAX);
		while ((t = sched_next(&s, now)) != 0 && uk_local_day(t) <= dtstart + 700) {
			assert_true(m < n);
			assert_int_equal(uk_local_day(t), ours[m]);
			m++;
			now = t + 1;
		}
		assert_int_equal(m, n);
		buf_release(&rule);
	}
	/* Enough of them met libical to mean something. */
	assert_true(compared >= 150);
	print_message("%d of %d random series compared with libical\n", compared, CASES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_other_thursday),
		cmocka_unit_test(monthly_by_place_and_date),
		cmocka_unit_test(a_series_that_ends_and_one_date),
		cmocka_unit_test(reads_rules_people_write),
		cmocka_unit_test(refuses_what_it_cannot_hold_in_words),
		cmocka_unit_test(dates_people_type),
		cmocka_unit_test(equals_libical_and_sched_next),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
