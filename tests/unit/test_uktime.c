/*
 * test_uktime.c - UK civil time: the summer-time rule to the minute,
 * round trips, the missing and repeated hours, calendars and formatting.
 * The transition table was taken from the TZ database (Europe/London).
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/uktime.h"

/* UTC instant of a civil time, independent of uktime (days from 1970 by
 * counting). */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t days = 0;

	for (int yy = 1970; yy < y; yy++)
		days += ((yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0) ? 366 : 365;
	for (int m = 1; m < mo; m++)
		days += dm[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	days += d - 1;
	return days * 86400 + h * 3600 + mi * 60;
}

static const struct { int year; int64_t start, end; } transitions[] = {
	{ 2020, 1585443600, 1603587600 }, { 2021, 1616893200, 1635642000 },
	{ 2022, 1648342800, 1667091600 }, { 2023, 1679792400, 1698541200 },
	{ 2024, 1711846800, 1729990800 }, { 2025, 1743296400, 1761440400 },
	{ 2026, 1774746000, 1792890000 }, { 2027, 1806195600, 1824944400 },
	{ 2028, 1837645200, 1856394000 }, { 2029, 1869094800, 1887843600 },
	{ 2030, 1901149200, 1919293200 }, { 2031, 1932598800, 1950742800 },
	{ 2032, 1964048400, 1982797200 }, { 2033, 1995498000, 2014246800 },
	{ 2034, 2026947600, 2045696400 }, { 2035, 2058397200, 2077146000 },
	{ 2036, 2090451600, 2108595600 }, { 2037, 2121901200, 2140045200 },
	{ 2038, 2153350800, 2172099600 }, { 2039, 2184800400, 2203549200 },
	{ 2040, 2216250000, 2234998800 },
};

static void expect_local(int64_t t, int y, int mo, int d, int h, int mi, bool bst)
{
	struct uk_tm tm;

	uk_from_utc(t, &tm);
	assert_int_equal(tm.year, y);
	assert_int_equal(tm.month, mo);
	assert_int_equal(tm.day, d);
	assert_int_equal(tm.hour, h);
	assert_int_equal(tm.min, mi);
	assert_int_equal(tm.bst, bst);
}

static void transitions_2026_2027_to_the_minute(void **state)
{
	UNUSED(state);
	/* 2026: last Sundays are 29 March and 25 October. */
	expect_local(utc(2026, 3, 29, 0, 59), 2026, 3, 29, 0, 59, false);
	expect_local(utc(2026, 3, 29, 1, 0), 2026, 3, 29, 2, 0, true);
	expect_local(utc(2026, 10, 25, 0, 59), 2026, 10, 25, 1, 59, true);
	expect_local(utc(2026, 10, 25, 1, 0), 2026, 10, 25, 1, 0, false);
	/* 2027: 28 March and 31 October. */
	expect_local(utc(2027, 3, 28, 0, 59), 2027, 3, 28, 0, 59, false);
	expect_local(utc(2027, 3, 28, 1, 0), 2027, 3, 28, 2, 0, true);
	expect_local(utc(2027, 10, 31, 0, 59), 2027, 10, 31, 1, 59, true);
	expect_local(utc(2027, 10, 31, 1, 0), 2027, 10, 31, 1, 0, false);
	/* The second before each change. */
	assert_false(uk_is_bst(utc(2026, 3, 29, 1, 0) - 1));
	assert_true(uk_is_bst(utc(2026, 3, 29, 1, 0)));
	assert_true(uk_is_bst(utc(2026, 10, 25, 1, 0) - 1));
	assert_false(uk_is_bst(utc(2026, 10, 25, 1, 0)));
	/* Not on the last Sunday of another month, nor a week early. */
	assert_false(uk_is_bst(utc(2026, 3, 22, 12, 0)));
	assert_true(uk_is_bst(utc(2026, 10, 18, 12, 0)));
	assert_false(uk_is_bst(utc(2026, 1, 15, 12, 0)));
	assert_true(uk_is_bst(utc(2026, 7, 15, 12, 0)));
}

static void matches_tz_database_2020_2040(void **state)
{
	UNUSED(state);
	for (size_t i = 0; i < ARRAY_LEN(transitions); i++) {
		int64_t y0 = utc(transitions[i].year, 1, 1, 0, 0);
		int64_t y1 = utc(transitions[i].year + 1, 1, 1, 0, 0);

		assert_int_equal(transitions[i].start, utc(transitions[i].year, 1, 1, 0, 0) +
			(transitions[i].start - y0));
		for (int64_t t = y0; t < y1; t += 1800) {
			bool want = t >= transitions[i].start && t < transitions[i].end;

			if (uk_is_bst(t) != want)
				fail_msg("year %d t %lld", transitions[i].year, (long long)t);
		}
		assert_false(uk_is_bst(transitions[i].start - 60));
		assert_true(uk_is_bst(transitions[i].start));
		assert_true(uk_is_bst(transitions[i].end - 60));
		assert_false(uk_is_bst(transitions[i].end));
	}
}

static void round_trips_across_a_year(void **state)
{
	int repeated = 0;

	UNUSED(state);
	/* Every 10 minutes of 2026: local and back is the same instant,
	 * except the second pass through the repeated autumn hour, which
	 * comes back as the first (BST) pass, an hour earlier. */
	for (int64_t t = utc(2026, 1, 1, 0, 0); t < utc(2027, 1, 1, 0, 0); t += 600) {
		struct uk_tm tm;
		int64_t back;

		uk_from_utc(t, &tm);
		assert_int_equal(tm.sec, 0);
		back = uk_to_utc(tm.year, tm.month, tm.day, tm.hour, tm.min);
		if (back != t) {
			assert_int_equal(back, t - 3600);
			assert_false(tm.bst);
			assert_int_equal(tm.hour, 1);
			repeated++;
		}
		/* The local clock is UTC, or UTC + 1 in summer. */
		int64_t local = uk_days(tm.year, tm.month, tm.day) * 86400 + tm.hour * 3600 + tm.min * 60;
		assert_int_equal(local - t, tm.bst ? 3600 : 0);
		assert_int_equal(tm.wday, uk_weekday(uk_days(tm.year, tm.month, tm.day)));
		assert_int_equal(uk_local_day(t), uk_days(tm.year, tm.month, tm.day));
	}
	assert_int_equal(repeated, 6);
}

static void missing_and_repeated_hours(void **state)
{
	UNUSED(state);
	/* Spring: 01:00-01:59 local never happens on 29 March 2026; it is
	 * read as BST (01:30 -> 00:30 UTC). */
	assert_int_equal(uk_to_utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 0, 30));
	assert_int_equal(uk_to_utc(2026, 3, 29, 0, 59), utc(2026, 3, 29, 0, 59));
	assert_int_equal(uk_to_utc(2026, 3, 29, 2, 0), utc(2026, 3, 29, 1, 0));
	assert_int_equal(uk_to_utc(2026, 3, 29, 10, 0), utc(2026, 3, 29, 9, 0));
	/* Autumn: 01:00-01:59 local happens twice on 25 October 2026; the
	 * first (BST) is chosen. */
	assert_int_equal(uk_to_utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 0, 30));
	assert_int_equal(uk_to_utc(2026, 10, 25, 0, 59), utc(2026, 10, 24, 23, 59));
	assert_int_equal(uk_to_utc(2026, 10, 25, 2, 0), utc(2026, 10, 25, 2, 0));
	assert_int_equal(uk_to_utc(2026, 10, 25, 10, 0), utc(2026, 10, 25, 10, 0));
	/* Both 00:30 and 01:30 UTC read 01:30 on the clock. */
	expect_local(utc(2026, 10, 25, 0, 30), 2026, 10, 25, 1, 30, true);
	expect_local(utc(2026, 10, 25, 1, 30), 2026, 10, 25, 1, 30, false);
	/* Winter and summer. */
	assert_int_equal(uk_to_utc(2026, 11, 24, 10, 0), utc(2026, 11, 24, 10, 0));
	assert_int_equal(uk_to_utc(2026, 6, 1, 10, 0), utc(2026, 6, 1, 9, 0));
	/* Midnight in summer is 23:00 UTC the day before. */
	expect_local(utc(2026, 6, 30, 23, 0), 2026, 7, 1, 0, 0, true);
	assert_int_equal(uk_local_day(utc(2026, 6, 30, 23, 0)), uk_days(2026, 7, 1));
	assert_int_equal(uk_local_day(utc(2026, 12, 31, 23, 0)), uk_days(2026, 12, 31));
}

static void calendar_and_leap_years(void **state)
{
	int y, m, d;

	UNUSED(state);
	assert_int_equal(uk_days(1970, 1, 1), 0);
	assert_int_equal(uk_days(2000, 3, 1), 11017);
	assert_int_equal(uk_days(2100, 3, 1), 47541);
	assert_int_equal(uk_days(1969, 12, 31), -1);
	assert_true(uk_is_leap(2000));
	assert_true(uk_is_leap(2024));
	assert_true(uk_is_leap(2028));
	assert_false(uk_is_leap(1900));
	assert_false(uk_is_leap(2100));
	assert_false(uk_is_leap(2026));
	assert_int_equal(uk_days_in_month(2024, 2), 29);
	assert_int_equal(uk_days_in_month(2026, 2), 28);
	assert_int_equal(uk_days_in_month(2000, 2), 29);
	assert_int_equal(uk_days_in_month(2100, 2), 28);
	assert_int_equal(uk_days_in_month(2026, 4), 30);
	assert_int_equal(uk_days_in_month(2026, 12), 31);
	assert_int_equal(uk_days_in_month(2026, 13), 0);
	assert_int_equal(uk_days(2024, 3, 1) - uk_days(2024, 2, 28), 2);
	assert_int_equal(uk_days(2026, 3, 1) - uk_days(2026, 2, 28), 1);
	/* Every day from 1900 to 2400 goes there and back. */
	for (int64_t day = uk_days(1900, 1, 1); day <= uk_days(2400, 12, 31); day++) {
		uk_date(day, &y, &m, &d);
		if (uk_days(y, m, d) != day)
			fail_msg("day %lld", (long long)day);
		assert_true(d >= 1 && d <= uk_days_in_month(y, m));
	}
	uk_date(uk_days(2024, 2, 29), &y, &m, &d);
	assert_int_equal(y, 2024);
	assert_int_equal(m, 2);
	assert_int_equal(d, 29);
	uk_date(-1, &y, &m, &d);
	assert_int_equal(y, 1969);
	assert_int_equal(m, 12);
	assert_int_equal(d, 31);
}

static void weekdays_of_known_dates(void **state)
{
	UNUSED(state);
	assert_int_equal(uk_weekday(uk_days(1970, 1, 1)), 3);     /* Thursday */
	assert_int_equal(uk_weekday(uk_days(2000, 2, 29)), 1);    /* Tuesday */
	assert_int_equal(uk_weekday(uk_days(2024, 2, 29)), 3);    /* Thursday */
	assert_int_equal(uk_weekday(uk_days(2026, 11, 24)), 1);   /* Tuesday */
	assert_int_equal(uk_weekday(uk_days(2026, 3, 29)), 6);    /* Sunday */
	assert_int_equal(uk_weekday(uk_days(2027, 10, 31)), 6);   /* Sunday */
	assert_int_equal(uk_weekday(uk_days(2026, 1, 5)), 0);     /* Monday */
	assert_int_equal(uk_weekday(uk_days(1969, 12, 31)), 2);   /* Wednesday */
	assert_int_equal(uk_weekday(uk_days(1900, 1, 1)), 0);     /* Monday */
	assert_string_equal(uk_weekday_name(0), "Monday");
	assert_string_equal(uk_weekday_name(6), "Sunday");
	assert_string_equal(uk_weekday_name(7), "");
	assert_string_equal(uk_month_name(1), "January");
	assert_string_equal(uk_month_name(12), "December");
	assert_string_equal(uk_month_name(0), "");
}

static void formatting_in_plain_english(void **state)
{
	char out[UK_FORMAT_MAX];

	UNUSED(state);
	uk_format_date(utc(2026, 11, 24, 10, 0), out, sizeof(out));
	assert_string_equal(out, "24 November 2026");
	uk_format_day_date(utc(2026, 11, 24, 10, 0), out, sizeof(out));
	assert_string_equal(out, "Tuesday 24 November 2026");
	uk_format_time(utc(2026, 11, 24, 10, 0), out, sizeof(out));
	assert_string_equal(out, "10:00");
	/* Summer: 09:05 UTC is 10:05 on the clock. */
	uk_format_time(utc(2026, 7, 1, 9, 5), out, sizeof(out));
	assert_string_equal(out, "10:05");
	/* 23:30 UTC on 30 June is already 1 July in the UK. */
	uk_format_day_date(utc(2026, 6, 30, 23, 30), out, sizeof(out));
	assert_string_equal(out, "Wednesday 1 July 2026");
	uk_format_time(utc(2026, 6, 30, 23, 30), out, sizeof(out));
	assert_string_equal(out, "00:30");
	uk_format_day(uk_days(2027, 3, 31), out, sizeof(out));
	assert_string_equal(out, "31 March 2027");
	/* The longest result fits, and a short buffer truncates safely. */
	uk_format_day_date(utc(9999, 9, 29, 12, 0), out, sizeof(out));
	assert_string_equal(out, "Wednesday 29 September 9999");
	char tiny[6];
	uk_format_date(utc(2026, 11, 24, 10, 0), tiny, sizeof(tiny));
	assert_string_equal(tiny, "24 No");
	/* Absurd instants are clamped, not undefined. */
	uk_format_date(INT64_MAX, out, sizeof(out));
	assert_string_equal(out, "31 December 9999");
	uk_format_date(INT64_MIN, out, sizeof(out));
	assert_string_equal(out, "1 January 1");
}

/* "YYYY-MM-DD" that is a real date, and nothing else. */
static void parsing_a_day(void **state)
{
	static const char *const bad[] = { "", "2026-2-07", "2026-02-30", "2025-02-29", "2026-13-01",
		"0000-01-01", "2026-00-10", "2026/02/07", "2026-02-07T", " 2026-02-07", "2026-0a-07" };
	int64_t d = 0;

	UNUSED(state);
	assert_true(uk_parse_day("2026-12-07", &d));
	assert_int_equal(d, uk_days(2026, 12, 7));
	assert_true(uk_parse_day("2024-02-29", &d));
	assert_int_equal(d, uk_days(2024, 2, 29));
	assert_true(uk_parse_day("1951-02-14", &d));
	assert_int_equal(d, uk_days(1951, 2, 14));
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		if (uk_parse_day(bad[i], &d))
			fail_msg("\"%s\" read as a day", bad[i]);
	assert_false(uk_parse_day(NULL, &d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(transitions_2026_2027_to_the_minute),
		cmocka_unit_test(matches_tz_database_2020_2040),
		cmocka_unit_test(round_trips_across_a_year),
		cmocka_unit_test(missing_and_repeated_hours),
		cmocka_unit_test(calendar_and_leap_years),
		cmocka_unit_test(weekdays_of_known_dates),
		cmocka_unit_test(formatting_in_plain_english),
		cmocka_unit_test(parsing_a_day),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
