/*
 * uktime.c - UK civil time from arithmetic alone.
 *
 * Dates are day numbers (days since 1970-01-01, proleptic Gregorian) by
 * Howard Hinnant's days_from_civil / civil_from_days, so there is no
 * gmtime, no localtime and no TZ database. The UK rule since 1996 is the
 * EU one: summer time from 01:00 UTC on the last Sunday of March to 01:00
 * UTC on the last Sunday of October; we apply it to every year (earlier
 * history does not matter to a directory of future sessions).
 *
 * Instants are clamped to years 1..9999 so that every int64 input is
 * defined behaviour and fits an int year.
 */
#include "core/common.h"
#include "core/uktime.h"

#define DAY_S 86400
/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
#define T_MIN INT64_C(-62135596800)
#define T_MAX INT64_C(253402300799)

static const char *const weekday_names[7] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
};

static const char *const month_names[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};

const char *uk_weekday_name(int wday)
{
	return wday >= 0 && wday < 7 ? weekday_names[wday] : "";
}

const char *uk_month_name(int month)
{
	return month >= 1 && month <= 12 ? month_names[month - 1] : "";
}

bool uk_is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int uk_days_in_month(int year, int month)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (month < 1 || month > 12)
		return 0;
	return month == 2 && uk_is_leap(year) ? 29 : dm[month - 1];
}

int64_t uk_days(int year, int month, int day)
{
	int64_t y = year;
	unsigned m = (unsigned)month, d = (unsigned)day;

	/* Out-of-range months would index past the formula's table of month
	 * lengths; callers pass valid dates, this only keeps garbage defined. */
	if (month < 1 || month > 12)
		m = 1;
	if (day < 1 || day > 31)
		d = 1;
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void uk_date(int64_t days, int *year, int *month, int *day)
{
	/* civil_from_days; days is clamped like instants are. */
	if (days < T_MIN / DAY_S)
		days = T_MIN / DAY_S;
	if (days > T_MAX / DAY_S)
		days = T_MAX / DAY_S;
	const int64_t z = days + 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	const unsigned d = doy - (153 * mp + 2) / 5 + 1;
	const unsigned m = mp < 10 ? mp + 3 : mp - 9;

	*year = (int)((int64_t)yoe + era * 400 + (m <= 2));
	*month = (int)m;
	*day = (int)d;
}

int uk_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday (3). */
	int64_t w = (days + 3) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Day number of the last Sunday of a month. */
static int64_t last_sunday(int year, int month)
{
	int64_t last = uk_days(year, month, uk_days_in_month(year, month));

	return last - (uk_weekday(last) + 1) % 7;
}

bool uk_is_bst(int64_t t)
{
	int y, m, d;

	if (t < T_MIN)
		t = T_MIN;
	if (t > T_MAX)
		t = T_MAX;
	uk_date(floor_div(t, DAY_S), &y, &m, &d);
	if (m < 3 || m > 10)
		return false;
	if (m > 3 && m < 10)
		return true;
	int64_t start = last_sunday(y, 3) * DAY_S + 3600;
	int64_t end = last_sunday(y, 10) * DAY_S + 3600;
	return t >= start && t < end;
}

void uk_from_utc(int64_t t, struct uk_tm *out)
{
	int64_t local, days, secs;

	if (t < T_MIN)
		t = T_MIN;
	if (t > T_MAX)
		t = T_MAX;
	out->bst = uk_is_bst(t);
	local = t + (out->bst ? 3600 : 0);
	days = floor_div(local, DAY_S);
	secs = local - days * DAY_S;
	uk_date(days, &out->year, &out->month, &out->day);
	out->hour = (int)(secs / 3600);
	out->min = (int)(secs / 60 % 60);
	out->sec = (int)(secs % 60);
	out->wday = uk_weekday(days);
}

int64_t uk_local_day(int64_t t)
{
	struct uk_tm tm;

	uk_from_utc(t, &tm);
	return uk_days(tm.year, tm.month, tm.day);
}

int64_t uk_to_utc(int year, int month, int day, int hour, int min)
{
	int64_t local = uk_days(year, month, day) * DAY_S + (int64_t)hour * 3600 + (int64_t)min * 60;

	/* Try summer time first: that is the answer in summer, the first of
	 * the autumn's repeated hour, and (when neither reading is
	 * consistent) the spring's missing hour. */
	if (uk_is_bst(local - 3600))
		return local - 3600;
	if (!uk_is_bst(local))
		return local;
	return local - 3600;
}

void uk_format_date(int64_t t, char *out, size_t n)
{
	struct uk_tm tm;

	uk_from_utc(t, &tm);
	snprintf(out, n, "%d %s %d", tm.day, uk_month_name(tm.month), tm.year);
}

void uk_format_day_date(int64_t t, char *out, size_t n)
{
	struct uk_tm tm;

	uk_from_utc(t, &tm);
	snprintf(out, n, "%s %d %s %d", uk_weekday_name(tm.wday), tm.day,
		uk_month_name(tm.month), tm.year);
}

void uk_format_time(int64_t t, char *out, size_t n)
{
	struct uk_tm tm;

	uk_from_utc(t, &tm);
	snprintf(out, n, "%02d:%02d", tm.hour, tm.min);
}

void uk_ago_words(int64_t day, int64_t today, char *out, size_t n)
{
	int64_t d = today - day;

	if (d <= 0)
		snprintf(out, n, "today");
	else if (d == 1)
		snprintf(out, n, "yesterday");
	else if (d < 7)
		snprintf(out, n, "%d days ago", (int)d);
	else if (d < 31)
		snprintf(out, n, "%d week%s ago", (int)(d / 7), d / 7 == 1 ? "" : "s");
	else if (d < 365) {
		int m = (int)(d * 12 / 365);

		m = m < 1 ? 1 : m;
		snprintf(out, n, "%d month%s ago", m, m == 1 ? "" : "s");
	} else {
		int y = (int)(d / 365);

		snprintf(out, n, "%d year%s ago", y, y == 1 ? "" : "s");
	}
}

void uk_format_iso_day(int64_t days, char out[UK_ISO_DAY])
{
	int y, m, d;

	uk_date(days, &y, &m, &d);
	y = y < 1 ? 1 : y > 9999 ? 9999 : y;
	m = m < 1 ? 1 : m > 12 ? 12 : m;
	d = d < 1 ? 1 : d > 31 ? 31 : d;
	snprintf(out, UK_ISO_DAY, "%04d-%02d-%02d", y, m, d);
}

void uk_format_day(int64_t days, char *out, size_t n)
{
	int y, m, d;

	uk_date(days, &y, &m, &d);
	snprintf(out, n, "%d %s %d", d, uk_month_name(m), y);
}

bool uk_parse_day(const char *s, int64_t *days)
{
	int v[3] = { 0, 0, 0 };
	static const int at[3] = { 0, 5, 8 }, len[3] = { 4, 2, 2 };

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int k = 0; k < 3; k++)
		for (int i = at[k]; i < at[k] + len[k]; i++) {
			if (s[i] < '0' || s[i] > '9')
				return false;
			v[k] = v[k] * 10 + (s[i] - '0');
		}
	if (v[0] < 1 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > uk_days_in_month(v[0], v[1]))
		return false;
	*days = uk_days(v[0], v[1], v[2]);
	return true;
}
