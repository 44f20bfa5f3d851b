/*
 * recur.c - RFC 5545 recurrence rules to and from struct sched, and lists
 * of dates (recur.h). The days themselves are stepped by sched_on_day and
 * sched_days in schedule.c, beside sched_next.
 *
 * The reader is strict: every part is known, said once and in range, or
 * the rule is refused with the reason in words; what it builds is checked
 * by encoding and decoding it (sched_decode accepts only the canonical
 * form), so a rule never becomes a schedule the rest of kith would read
 * differently.
 */
#include "core/common.h"
#include "search/recur.h"

#include "core/str.h"
#include "core/uktime.h"

#include <stdio.h>
#include <stdlib.h>

/* ---------------------------------------------------------------- reading */

static int day_of(const char *p, size_t n)
{
	if (n != 2)
		return -1;
	for (int w = 0; w < 7; w++)
		if (p[0] == sched_day_code(w)[0] && p[1] == sched_day_code(w)[1])
			return w;
	return -1;
}

/* A whole number in [min, max] filling p..p+n (a sign allowed when min < 0). */
static bool number(const char *p, size_t n, int64_t min, int64_t max, int64_t *v)
{
	return n > 0 && n <= 6 && str_to_i64((struct str){ p, n }, min, max, v);
}

/* UNTIL: YYYYMMDD, or YYYYMMDDTHHMMSS with an optional Z (the day counts:
 * sessions are whole days here). */
static bool until_day(const char *p, size_t n, int64_t *day)
{
	int64_t y, m, d;

	if (n != 8 && n != 15 && n != 16)
		return false;
	if (n >= 15) {
		if (p[8] != 'T')
			return false;
		for (size_t i = 9; i < 15; i++)
			if (p[i] < '0' || p[i] > '9')
				return false;
		if (n == 16 && p[15] != 'Z')
			return false;
	}
	if (!number(p, 4, 1, 9999, &y) || !number(p + 4, 2, 1, 12, &m) || !number(p + 6, 2, 1, 31, &d) ||
	    d > uk_days_in_month((int)y, (int)m))
		return false;
	*day = uk_days((int)y, (int)m, (int)d);
	return true;
}

/* BYDAY's list into s: plain days for DAILY and WEEKLY, nth days for
 * MONTHLY. */
static bool read_byday(const char *p, size_t n, struct sched *s, const char **why)
{
	size_t i = 0;

	while (i <= n) {
		size_t j = i;
		int64_t nth = 0;
		int w;

		while (j < n && p[j] != ',')
			j++;
		if (j - i < 2) {
			*why = "BYDAY needs days like MO or 1TU, with commas between";
			return false;
		}
		w = day_of(p + j - 2, 2);
		if (w < 0) {
			*why = "BYDAY has something that is not a day: use MO, TU, WE, TH, FR, SA or SU";
			return false;
		}
		if (j - i > 2 && !number(p + i, j - i - 2, -5, 5, &nth)) {
			*why = "BYDAY's position must be 1 to 5, or -1 for the last";
			return false;
		}
		if (s->freq == SCHED_MONTHLY) {
			if (nth == 0 || (nth < 0 && nth != -1)) {
				*why = "A monthly rule needs the day's place in the month, like 1TU or -1FR "
				       "(every Tuesday of a month is a weekly rule)";
				return false;
			}
			if (!sched_add_byday(s, (int)nth, w)) {
				*why = "A monthly rule has at most 7 days";
				return false;
			}
		} else {
			if (nth != 0) {
				*why = "A day's place in the month (like 1TU) is only for a monthly rule";
				return false;
			}
			s->weekdays |= (uint8_t)(1u << w);
		}
		i = j + 1;
	}
	return true;
}

enum err sched_from_rrule(const char *rule, int64_t dtstart, int opens, int closes,
		struct sched *out, const char **why)
{
	const char *p = rule;
	size_t len;
	bool seen_freq = false, seen_interval = false, seen_byday = false, seen_monthday = false,
	     seen_until = false;
	struct sched s = { .interval = 1, .opens = opens, .closes = closes, .start_day = dtstart };
	const char *byday = NULL, *monthday = NULL;
	size_t byday_n = 0, monthday_n = 0;
	struct buf b;
	bool ok;

	*why = NULL;
	if (!rule || (len = strlen(rule)) == 0 || len > RECUR_RULE_MAX) {
		*why = "Give a rule like FREQ=WEEKLY;BYDAY=TU";
		return ERR_INVALID;
	}
	if (len >= 6 && strncmp(p, "RRULE:", 6) == 0)
		p += 6;
	if (dtstart <= 0 || dtstart > SCHED_DAY_MAX) {
		*why = "The rule needs the day of the first session";
		return ERR_INVALID;
	}
	while (*p) {
		const char *eq = strchr(p, '='), *end = strchr(p, ';');
		size_t kn, vn;
		const char *v;

		if (!end)
			end = p + strlen(p);
		else if (end[1] == '\0') {
			*why = "Each part of the rule is NAME=VALUE, with ; between and none at the end";
			return ERR_INVALID;
		}
		if (!eq || eq > end) {
			*why = "Each part of the rule is NAME=VALUE, with ; between";
			return ERR_INVALID;
		}
		kn = (size_t)(eq - p);
		v = eq + 1;
		vn = (size_t)(end - v);
#define KEY(k) (kn == sizeof(k) - 1 && memcmp(p, k, kn) == 0)
		if (KEY("FREQ")) {
			if (seen_freq) {
				*why = "FREQ is given twice";
				return ERR_INVALID;
			}
			seen_freq = true;
			if (vn == 5 && memcmp(v, "DAILY", 5) == 0)
				s.freq = SCHED_DAILY;
			else if (vn == 6 && memcmp(v, "WEEKLY", 6) == 0)
				s.freq = SCHED_WEEKLY;
			else if (vn == 7 && memcmp(v, "MONTHLY", 7) == 0)
				s.freq = SCHED_MONTHLY;
			else {
				*why = "FREQ must be DAILY, WEEKLY or MONTHLY";
				return ERR_INVALID;
			}
		} else if (KEY("INTERVAL")) {
			int64_t n;

			if (seen_interval || !number(v, vn, 1, SCHED_MAX_INTERVAL, &n)) {
				*why = "INTERVAL must be given once, a whole number from 1 to 366";
				return ERR_INVALID;
			}
			seen_interval = true;
			s.interval = (int)n;
		} else if (KEY("BYDAY")) {
			if (seen_byday) {
				*why = "BYDAY is given twice";
				return ERR_INVALID;
			}
			seen_byday = true;
			byday = v;
			byday_n = vn;
		} else if (KEY("BYMONTHDAY")) {
			if (seen_monthday) {
				*why = "BYMONTHDAY is given twice";
				return ERR_INVALID;
			}
			seen_monthday = true;
			monthday = v;
			monthday_n = vn;
		} else if (KEY("UNTIL")) {
			if (seen_until || !until_day(v, vn, &s.end_day)) {
				*why = "UNTIL must be given once, a date like 20270331";
				return ERR_INVALID;
			}
			seen_until = true;
		} else if (KEY("WKST")) {
			if (vn != 2 || memcmp(v, "MO", 2) != 0) {
				*why = "Weeks start on Monday here: WKST may only be MO";
				return ERR_INVALID;
			}
		} else if (KEY("COUNT")) {
			*why = "COUNT is not supported: give UNTIL, the last day";
			return ERR_INVALID;
		} else {
			*why = "The rule has a part that is not supported: use FREQ, INTERVAL, BYDAY, "
			       "BYMONTHDAY, UNTIL and WKST";
			return ERR_INVALID;
		}
#undef KEY
		p = *end ? end + 1 : end;
	}
	if (!seen_freq) {
		*why = "The rule needs FREQ: DAILY, WEEKLY or MONTHLY";
		return ERR_INVALID;
	}
	if (byday && !read_byday(byday, byday_n, &s, why))
		return ERR_INVALID;
	if (monthday) {
		int64_t d;

		if (s.freq != SCHED_MONTHLY || byday) {
			*why = "BYMONTHDAY is for a monthly rule without BYDAY";
			return ERR_INVALID;
		}
		if (!number(monthday, monthday_n, 1, 31, &d)) {
			*why = "BYMONTHDAY must be one day of the month, 1 to 31";
			return ERR_INVALID;
		}
		s.monthday = (int)d;
	}
	/* What the rule leaves to DTSTART, RFC 5545 3.3.10: its weekday, or
	 * its day of the month. */
	if (s.freq != SCHED_MONTHLY && !s.weekdays)
		s.weekdays = s.freq == SCHED_DAILY ? 0x7f : (uint8_t)(1u << uk_weekday(dtstart));
	if (s.freq == SCHED_MONTHLY && !s.nbyday && !s.monthday) {
		int y, m, d;

		uk_date(dtstart, &y, &m, &d);
		s.monthday = d;
	}
	if (s.end_day && s.end_day < dtstart) {
		*why = "UNTIL is before the first session";
		return ERR_INVALID;
	}
	/* The canonical form is what the decoder takes back. */
	buf_init(&b, SCHED_ENCODED_MAX + 16);
	sched_encode(&s, &b);
	ok = buf_ok(&b) && sched_decode(b.p, b.len, out) && sched_equal(out, &s);
	buf_release(&b);
	if (!ok) {
		*why = "The times or days do not make a schedule: check the start and end times";
		return ERR_INVALID;
	}
	return ERR_OK;
}

/* ---------------------------------------------------------------- writing */

void sched_rrule(const struct sched *s, struct buf *out)
{
	static const char *const freq[] = { [SCHED_DAILY] = "DAILY", [SCHED_WEEKLY] = "WEEKLY",
					    [SCHED_MONTHLY] = "MONTHLY" };

	if (s->freq == SCHED_ONCE || (unsigned)s->freq > SCHED_MONTHLY)
		return;
	buf_addf(out, "FREQ=%s", freq[s->freq]);
	if (s->interval > 1)
		buf_addf(out, ";INTERVAL=%d", s->interval);
	if (s->freq == SCHED_MONTHLY && s->nbyday > 0) {
		buf_adds(out, ";BYDAY=");
		sched_byday_text(s, out);
	} else if (s->freq == SCHED_MONTHLY) {
		buf_addf(out, ";BYMONTHDAY=%d", s->monthday);
	} else if (s->weekdays && !(s->freq == SCHED_DAILY && (s->weekdays & 0x7f) == 0x7f)) {
		const char *sep = ";BYDAY=";

		for (int w = 0; w < 7; w++)
			if (s->weekdays & (1u << w)) {
				buf_addf(out, "%s%s", sep, sched_day_code(w));
				sep = ",";
			}
	}
	if (s->end_day > 0) {
		int y, m, d;

		uk_date(s->end_day, &y, &m, &d);
		buf_addf(out, ";UNTIL=%04d%02d%02d", y, m, d);
	}
}

/* ---------------------------------------------------------------- dates */

static int cmp_day(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

enum err recur_dates_parse(const char *text, int64_t *days, size_t max, size_t *n, const char **why)
{
	const char *p = text;
	size_t k = 0;

	*n = 0;
	*why = NULL;
	while (p && *p) {
		char day[11];
		size_t len;
		int64_t d;

		while (*p == ',' || *p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
			p++;
		if (!*p)
			break;
		len = strcspn(p, ", \n\r\t");
		if (len != 10 || (memcpy(day, p, 10), day[10] = 0, !uk_parse_day(day, &d)) ||
		    d < 1 || d > SCHED_DAY_MAX) {
			*why = "Give each date like 2026-12-25";
			return ERR_INVALID;
		}
		if (k == max) {
			*why = "There are too many dates: a series may skip at most 366";
			return ERR_INVALID;
		}
		days[k++] = d;
		p += len;
	}
	if (k > 1) {
		size_t w = 1;

		qsort(days, k, sizeof(*days), cmp_day);
		for (size_t i = 1; i < k; i++)
			if (days[i] != days[w - 1])
				days[w++] = days[i];
		k = w;
	}
	*n = k;
	return ERR_OK;
}
