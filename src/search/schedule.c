/*
 * schedule.c - when a service happens: words, the next session,
 * day-and-time bits and a compact text form of a struct sched, and the
 * canonical rules every struct sched keeps (sched_add_byday, sched_align).
 * Reading a schedule from ORUK JSON, and writing it back, is
 * oruk/sched_oruk.c's.
 *
 * A struct sched is canonical: fields a frequency does not use are zero,
 * monthly byday entries are sorted and unique, and the start day is moved
 * (whole periods at a time, so fortnightly stays in step) to honour
 * valid_from. So two schedules meaning the same thing compare equal, and
 * the compact encoding can insist on being exactly what it would write.
 *
 * Everything is UK local dates and wall-clock times; uktime.c turns a
 * session into UTC. Nothing here reads the clock: sched_next takes now.
 */
#include "core/common.h"
#include "search/schedule.h"
#include "search/recur.h"

#include "core/str.h"
#include "core/uktime.h"

#define HORIZON_DAYS 731                 /* two years, with a leap day */

static const char day_codes[7][3] = { "MO", "TU", "WE", "TH", "FR", "SA", "SU" };
static const char *const ordinal_words[6] = { "", "first", "second", "third", "fourth", "fifth" };

const char *sched_day_code(int wday)
{
	return day_codes[((wday % 7) + 7) % 7];
}

/* ------------------------------------------------------------ canonical form */

static int byday_cmp(int8_t an, int8_t aw, int8_t bn, int8_t bw)
{
	/* By weekday, then position with "last" after the fifth. */
	int ka = aw * 8 + (an < 0 ? 7 : an), kb = bw * 8 + (bn < 0 ? 7 : bn);

	return ka - kb;
}

static int64_t month_index(int64_t day)
{
	int y, m, d;

	uk_date(day, &y, &m, &d);
	return (int64_t)y * 12 + (m - 1);
}

static int64_t month_first_day(int64_t mi)
{
	return uk_days((int)(mi / 12), (int)(mi % 12) + 1, 1);
}

static int64_t monday_of(int64_t day)
{
	return day - uk_weekday(day);
}

int64_t sched_align(const struct sched *s, int64_t anchor, int64_t min)
{
	int64_t n = s->interval, r;

	switch (s->freq) {
	case SCHED_WEEKLY:
		r = (monday_of(min) - monday_of(anchor)) / 7 % n;
		return r == 0 ? min : monday_of(min) + 7 * (n - r);
	case SCHED_DAILY:
		r = (min - anchor) % n;
		return r == 0 ? min : min + (n - r);
	case SCHED_MONTHLY:
		r = (month_index(min) - month_index(anchor)) % n;
		return r == 0 ? min : month_first_day(month_index(min) + (n - r));
	case SCHED_ONCE:
		break;
	}
	return min;
}

bool sched_add_byday(struct sched *s, int nth, int wday)
{
	int8_t n = (int8_t)nth, w = (int8_t)wday;
	int k = 0, cmp = 1;

	/* insertion into sorted, unique order */
	while (k < s->nbyday && (cmp = byday_cmp(s->byday[k].nth, s->byday[k].wday, n, w)) < 0)
		k++;
	if (k < s->nbyday && cmp == 0)
		return true;
	if (s->nbyday >= SCHED_MAX_BYDAY)
		return false;
	memmove(&s->byday[k + 1], &s->byday[k], (size_t)(s->nbyday - k) * sizeof(s->byday[0]));
	s->byday[k].nth = n;
	s->byday[k].wday = w;
	s->nbyday++;
	return true;
}

void sched_byday_text(const struct sched *s, struct buf *out)
{
	for (int i = 0; i < s->nbyday && i < SCHED_MAX_BYDAY; i++)
		buf_addf(out, "%s%d%s", i ? "," : "", s->byday[i].nth, day_codes[s->byday[i].wday % 7]);
}


/* ------------------------------------------------------------ words */

static void add_ordinal(struct buf *out, int n)
{
	const char *suf = "th";

	if (n % 100 < 11 || n % 100 > 13) {
		if (n % 10 == 1)
			suf = "st";
		else if (n % 10 == 2)
			suf = "nd";
		else if (n % 10 == 3)
			suf = "rd";
	}
	buf_addf(out, "%d%s", n, suf);
}

/* "Tuesday", "Tuesday and Thursday", "Monday, Wednesday and Friday". */
static void add_day_list(struct buf *out, unsigned mask)
{
	int n = 0, k = 0;

	for (int d = 0; d < 7; d++)
		n += (mask >> d) & 1;
	for (int d = 0; d < 7; d++) {
		if (!((mask >> d) & 1))
			continue;
		if (k > 0)
			buf_adds(out, k == n - 1 ? " and " : ", ");
		buf_adds(out, uk_weekday_name(d));
		k++;
	}
}

/* A run of three or more days in a row (Monday-first), as "Monday to
 * Friday"; false for any other set. */
static bool day_range(unsigned mask, int *first, int *last)
{
	int a = -1, b = -1;

	for (int d = 0; d < 7; d++) {
		if ((mask >> d) & 1) {
			if (a < 0)
				a = d;
			else if (b != d - 1)
				return false;
			b = d;
		}
	}
	if (a < 0 || b - a < 2)
		return false;
	*first = a;
	*last = b;
	return true;
}

static void add_clock(struct buf *out, int minutes)
{
	if (minutes >= 1440)
		buf_adds(out, "midnight");
	else
		buf_addf(out, "%02d:%02d", minutes / 60, minutes % 60);
}

static void add_weekly(struct buf *out, unsigned mask, int interval)
{
	int a, b;
	bool all = mask == 0x7f, range = !all && day_range(mask, &a, &b);

	if (interval <= 1) {
		if (all) {
			buf_adds(out, "Every day");
		} else if (range) {
			buf_addf(out, "%s to %s", uk_weekday_name(a), uk_weekday_name(b));
		} else {
			buf_adds(out, "Every ");
			add_day_list(out, mask);
		}
	} else if (interval == 2) {
		if (all) {
			buf_adds(out, "Every day, every other week");
		} else if (range) {
			buf_addf(out, "Every other week, %s to %s", uk_weekday_name(a), uk_weekday_name(b));
		} else {
			buf_adds(out, "Every other ");
			add_day_list(out, mask);
		}
	} else {
		if (all) {
			buf_addf(out, "Every day, every %d weeks", interval);
		} else if (range) {
			buf_addf(out, "Every %d weeks, %s to %s", interval, uk_weekday_name(a), uk_weekday_name(b));
		} else {
			buf_addf(out, "Every %d weeks on ", interval);
			add_day_list(out, mask);
		}
	}
}

static void add_monthly_days(struct buf *out, const struct sched *s)
{
	/* Group positions by weekday: "first and third Tuesday", joined as a
	 * list: "first Monday and last Friday". */
	int groups = 0, g = 0;
	size_t start = out->len;

	for (int d = 0; d < 7; d++)
		for (int i = 0; i < s->nbyday && i < SCHED_MAX_BYDAY; i++)
			if (s->byday[i].wday == d) {
				groups++;
				break;
			}
	for (int d = 0; d < 7; d++) {
		int n = 0, k = 0;

		for (int i = 0; i < s->nbyday && i < SCHED_MAX_BYDAY; i++)
			n += s->byday[i].wday == d;
		if (!n)
			continue;
		if (g > 0)
			buf_adds(out, g == groups - 1 ? " and " : ", ");
		for (int i = 0; i < s->nbyday && i < SCHED_MAX_BYDAY; i++) {
			int nth = s->byday[i].nth;

			if (s->byday[i].wday != d)
				continue;
			if (k > 0)
				buf_adds(out, k == n - 1 ? " and " : ", ");
			buf_adds(out, nth == -1 ? "last" : nth >= 1 && nth <= 5 ? ordinal_words[nth] : "every");
			k++;
		}
		buf_addf(out, " %s", uk_weekday_name(d));
		g++;
	}
	if (out->len > start && buf_ok(out))
		out->p[start] = (char)(out->p[start] - 32);    /* capital first letter */
}

static void add_every_month(struct buf *out, int interval, bool the)
{
	if (interval <= 1)
		buf_adds(out, the ? " of the month" : " of every month");
	else if (interval == 2)
		buf_adds(out, " of every other month");
	else
		buf_addf(out, " of every %d months", interval);
}

void sched_words(const struct sched *s, struct buf *out)
{
	char date[UK_FORMAT_MAX];
	unsigned mask = s->weekdays & 0x7f;

	switch (s->freq) {
	case SCHED_ONCE:
		uk_format_day(s->start_day, date, sizeof(date));
		buf_addf(out, "On %s", date);
		break;
	case SCHED_DAILY:
		if (s->interval <= 1) {
			add_weekly(out, mask ? mask : 0x7f, 1);
		} else {
			if (s->interval == 2)
				buf_adds(out, "Every other day");
			else
				buf_addf(out, "Every %d days", s->interval);
			if (mask && mask != 0x7f) {
				buf_adds(out, " (");
				add_day_list(out, mask);
				buf_adds(out, " only)");
			}
		}
		break;
	case SCHED_WEEKLY:
		add_weekly(out, mask, s->interval);
		break;
	case SCHED_MONTHLY:
		if (s->nbyday > 0) {
			add_monthly_days(out, s);
			add_every_month(out, s->interval, true);
		} else {
			buf_adds(out, "On the ");
			add_ordinal(out, s->monthday);
			add_every_month(out, s->interval, false);
		}
		break;
	}
	if (s->opens >= 0 && s->closes >= 0) {
		buf_adds(out, ", ");
		add_clock(out, s->opens);
		buf_adds(out, " to ");
		add_clock(out, s->closes);
	} else if (s->opens >= 0) {
		buf_adds(out, ", from ");
		add_clock(out, s->opens);
	} else if (s->closes >= 0) {
		buf_adds(out, ", closing at ");
		add_clock(out, s->closes);
	}
	if (s->freq != SCHED_ONCE && s->end_day > 0) {
		uk_format_day(s->end_day, date, sizeof(date));
		buf_addf(out, ", until %s", date);
	}
}

/* ------------------------------------------------------------ next session */

/* Day of the month of the nth (1..5, -1 last) wday in a month; 0 when
 * that month has none. */
static int nth_weekday(int y, int m, int nth, int wday)
{
	int dim = uk_days_in_month(y, m);

	if (nth > 0) {
		int w1 = uk_weekday(uk_days(y, m, 1));
		int d = 1 + (wday - w1 + 7) % 7 + 7 * (nth - 1);

		return d <= dim ? d : 0;
	}
	if (nth == -1) {
		int wl = uk_weekday(uk_days(y, m, dim));

		return dim - (wl - wday + 7) % 7;
	}
	return 0;
}

/* The session on day d, if it starts at or after now. */
static bool session_on(const struct sched *s, int64_t d, int64_t now, int64_t *t)
{
	int y, m, dd, mins = s->opens >= 0 && s->opens < 1440 ? s->opens : 0;

	uk_date(d, &y, &m, &dd);
	*t = uk_to_utc(y, m, dd, mins / 60, mins % 60);
	return *t >= now;
}

int64_t sched_next(const struct sched *s, int64_t now)
{
	int64_t today = uk_local_day(now), first = today, last = today + HORIZON_DAYS, t;
	int64_t interval = s->interval >= 1 ? s->interval : 1;

	if (s->freq == SCHED_ONCE) {
		if (s->start_day < today || s->start_day > last)
			return 0;
		return session_on(s, s->start_day, now, &t) ? t : 0;
	}
	if (s->start_day > first)
		first = s->start_day;
	if (s->end_day > 0 && s->end_day < last)
		last = s->end_day;
	if (first > last)
		return 0;

	if (s->freq == SCHED_WEEKLY || s->freq == SCHED_DAILY) {
		unsigned mask = s->weekdays & 0x7f;
		/* Without a start date the interval counts from this week (or
		 * today): the first run is the soonest one. */
		int64_t anchor = s->start_day > 0 ? s->start_day : today;

		if (s->freq == SCHED_DAILY && !mask)
			mask = 0x7f;
		if (!mask)
			return 0;
		for (int64_t d = first; d <= last; d++) {
			if (!((mask >> uk_weekday(d)) & 1))
				continue;
			if (interval > 1) {
				int64_t k = s->freq == SCHED_WEEKLY ?
					(monday_of(d) - monday_of(anchor)) / 7 : d - anchor;

				if (k % interval != 0)
					continue;
			}
			if (session_on(s, d, now, &t))
				return t;
		}
		return 0;
	}

	/* Monthly: step months, and the candidate days within each. */
	int64_t anchor_m = month_index(s->start_day > 0 ? s->start_day : today);
	int64_t m0 = month_index(first), m1 = month_index(last);

	for (int64_t mi = m0; mi <= m1; mi++) {
		int y = (int)(mi / 12), m = (int)(mi % 12) + 1;
		int days[SCHED_MAX_BYDAY + 1], nd = 0;

		if ((mi - anchor_m) % interval != 0)
			continue;
		if (s->nbyday > 0) {
			for (int i = 0; i < s->nbyday && i < SCHED_MAX_BYDAY; i++) {
				int dd = nth_weekday(y, m, s->byday[i].nth, s->byday[i].wday);

				if (dd)
					days[nd++] = dd;
			}
		} else if (s->monthday >= 1 && s->monthday <= uk_days_in_month(y, m)) {
			days[nd++] = s->monthday;
		}
		/* Earliest first (a handful of entries: insertion sort). */
		for (int i = 1; i < nd; i++)
			for (int j = i; j > 0 && days[j - 1] > days[j]; j--) {
				int x = days[j];

				days[j] = days[j - 1];
				days[j - 1] = x;
			}
		for (int i = 0; i < nd; i++) {
			int64_t d = uk_days(y, m, days[i]);

			if (d < first)
				continue;
			if (d > last)
				return 0;
			if (session_on(s, d, now, &t))
				return t;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ days in a window */

bool sched_on_day(const struct sched *s, int64_t day, int64_t today)
{
	int64_t interval = s->interval >= 1 ? s->interval : 1;
	int y, m, d;

	if (s->freq == SCHED_ONCE)
		return day == s->start_day;
	if ((s->start_day > 0 && day < s->start_day) || (s->end_day > 0 && day > s->end_day))
		return false;
	if (s->freq == SCHED_WEEKLY || s->freq == SCHED_DAILY) {
		unsigned mask = s->weekdays & 0x7f;
		int64_t anchor = s->start_day > 0 ? s->start_day : today, k;

		if (s->freq == SCHED_DAILY && !mask)
			mask = 0x7f;
		if (!((mask >> uk_weekday(day)) & 1))
			return false;
		k = s->freq == SCHED_WEEKLY ? (monday_of(day) - monday_of(anchor)) / 7 : day - anchor;
		return interval == 1 || ((k % interval) + interval) % interval == 0;
	}
	if ((((month_index(day) - month_index(s->start_day > 0 ? s->start_day : today)) % interval) +
	     interval) % interval != 0)
		return false;
	uk_date(day, &y, &m, &d);
	if (s->nbyday > 0) {
		for (int i = 0; i < s->nbyday && i < SCHED_MAX_BYDAY; i++)
			if (nth_weekday(y, m, s->byday[i].nth, s->byday[i].wday) == d)
				return true;
		return false;
	}
	return s->monthday == d;
}

size_t sched_days(const struct sched *s, int64_t from, int64_t to, int64_t today, int64_t *out,
		size_t max)
{
	size_t n = 0;

	if (s->freq == SCHED_ONCE) {
		if (s->start_day >= from && s->start_day <= to) {
			if (max > 0)
				out[0] = s->start_day;
			return 1;
		}
		return 0;
	}
	if (s->start_day > from)
		from = s->start_day;
	if (s->end_day > 0 && s->end_day < to)
		to = s->end_day;
	for (int64_t d = from; d <= to; d++)
		if (sched_on_day(s, d, today)) {
			if (n < max)
				out[n] = d;
			n++;
		}
	return n;
}

/* ------------------------------------------------------------ day and time */

static uint32_t parts_of(const struct sched *s)
{
	static const int bounds[4] = { 0, 12 * 60, 17 * 60, 24 * 60 };
	int a = s->opens, b = s->closes;
	uint32_t p = 0;

	if (a < 0 && b < 0)
		return 7;
	if (a < 0) {               /* only a closing time: the part it closes in */
		a = b > 0 ? b - 1 : 0;
		b = a + 1;
	} else if (b < 0 || b == a) {
		b = a + 1;
	} else if (b < a) {        /* past midnight: to the end of the day */
		b = 1440;
	}
	for (int i = 0; i < 3; i++)
		if (a < bounds[i + 1] && b > bounds[i])
			p |= 1u << i;
	return p;
}

uint32_t sched_daytime(const struct sched *s)
{
	unsigned days = 0;
	uint32_t parts = parts_of(s), bits = 0;

	switch (s->freq) {
	case SCHED_ONCE:
		days = 1u << uk_weekday(s->start_day);
		break;
	case SCHED_DAILY:
		days = s->weekdays & 0x7f ? s->weekdays & 0x7f : 0x7f;
		break;
	case SCHED_WEEKLY:
		days = s->weekdays & 0x7f;
		break;
	case SCHED_MONTHLY:
		if (s->nbyday > 0) {
			for (int i = 0; i < s->nbyday && i < SCHED_MAX_BYDAY; i++)
				if (s->byday[i].wday >= 0 && s->byday[i].wday < 7)
					days |= 1u << s->byday[i].wday;
		} else {
			days = 0x7f;
		}
		break;
	}
	for (int d = 0; d < 7; d++)
		if ((days >> d) & 1)
			bits |= parts << (d * 3);
	return bits;
}

/* ------------------------------------------------------------ compact form */

static const char freq_letters[4] = { 'O', 'D', 'W', 'M' };

/* A struct sched_from_oruk could have made (the decoder accepts nothing
 * else). */
static bool sched_valid(const struct sched *s)
{
	if ((unsigned)s->freq > SCHED_MONTHLY || s->interval < 1 || s->interval > SCHED_MAX_INTERVAL)
		return false;
	if (s->opens < -1 || s->opens > 1439 || s->closes < -1 || s->closes > 1440)
		return false;
	if (s->opens == 0 && (s->closes == 0 || s->closes >= 1439))
		return false;
	if (s->start_day < 0 || s->start_day > SCHED_DAY_MAX || s->end_day < 0 || s->end_day > SCHED_DAY_MAX)
		return false;
	if (s->start_day && s->end_day && s->end_day < s->start_day)
		return false;
	if (s->nbyday < 0 || s->nbyday > SCHED_MAX_BYDAY || s->weekdays > 0x7f)
		return false;
	for (int i = 0; i < SCHED_MAX_BYDAY; i++) {
		int n = s->byday[i].nth, w = s->byday[i].wday;

		if (i >= s->nbyday) {
			if (n || w)
				return false;
			continue;
		}
		if (w < 0 || w > 6 || !((n >= 1 && n <= 5) || n == -1))
			return false;
		if (i > 0 && byday_cmp(s->byday[i - 1].nth, s->byday[i - 1].wday, (int8_t)n, (int8_t)w) >= 0)
			return false;
	}
	switch (s->freq) {
	case SCHED_ONCE:
		return s->interval == 1 && s->start_day > 0 && !s->weekdays && !s->nbyday && !s->monthday;
	case SCHED_DAILY:
	case SCHED_WEEKLY:
		return s->weekdays && !s->nbyday && !s->monthday;
	case SCHED_MONTHLY:
		return !s->weekdays && ((s->nbyday > 0 && !s->monthday) ||
		                        (!s->nbyday && s->monthday >= 1 && s->monthday <= 31));
	}
	return false;
}

bool sched_equal(const struct sched *a, const struct sched *b)
{
	if (a->freq != b->freq || a->interval != b->interval || a->weekdays != b->weekdays ||
	    a->nbyday != b->nbyday || a->monthday != b->monthday || a->opens != b->opens ||
	    a->closes != b->closes || a->start_day != b->start_day || a->end_day != b->end_day)
		return false;
	for (int i = 0; i < SCHED_MAX_BYDAY; i++)
		if (a->byday[i].nth != b->byday[i].nth || a->byday[i].wday != b->byday[i].wday)
			return false;
	return true;
}

/* "AW1;20;;0;600;690;20500;0": version, frequency and interval; weekday
 * bits; monthly days ("1TU,-1FR"); day of the month; opens; closes; start
 * and end day numbers. */
void sched_encode(const struct sched *s, struct buf *out)
{
	buf_addf(out, "A%c%d;%u;", freq_letters[(unsigned)s->freq & 3], s->interval, (unsigned)s->weekdays);
	sched_byday_text(s, out);
	buf_addf(out, ";%d;%d;%d;%lld;%lld", s->monthday, s->opens, s->closes,
		(long long)s->start_day, (long long)s->end_day);
}

/* The next ';'-separated field of *p as an integer within [min, max]. */
static bool next_int(struct str *p, int64_t min, int64_t max, int64_t *v, bool last)
{
	size_t i = 0;

	while (i < p->n && p->p[i] != ';')
		i++;
	if (last != (i == p->n))
		return false;
	if (!str_to_i64((struct str){ p->p, i }, min, max, v))
		return false;
	p->p += i + (i < p->n);
	p->n -= i + (i < p->n);
	return true;
}

/* The weekday of the two letters at p exactly as sched_encode writes
 * them ("TU"), or -1. */
static int day_code_at(const char *p)
{
	for (int d = 0; d < 7; d++)
		if (memcmp(p, day_codes[d], 2) == 0)
			return d;
	return -1;
}

bool sched_decode(const char *p, size_t n, struct sched *out)
{
	struct sched s;
	struct str r = { p, n };
	int64_t v;
	bool ok = false;

	memset(&s, 0, sizeof(s));
	if (n < 3 || n > SCHED_ENCODED_MAX || p[0] != 'A')
		goto out;
	switch (p[1]) {
	case 'O': s.freq = SCHED_ONCE; break;
	case 'D': s.freq = SCHED_DAILY; break;
	case 'W': s.freq = SCHED_WEEKLY; break;
	case 'M': s.freq = SCHED_MONTHLY; break;
	default: goto out;
	}
	r.p += 2;
	r.n -= 2;
	if (!next_int(&r, 1, SCHED_MAX_INTERVAL, &v, false))
		goto out;
	s.interval = (int)v;
	if (!next_int(&r, 0, 127, &v, false))
		goto out;
	s.weekdays = (uint8_t)v;
	/* monthly days */
	{
		size_t i = 0;

		while (i < r.n && r.p[i] != ';')
			i++;
		if (i == r.n)
			goto out;
		struct str list = { r.p, i };
		size_t k = 0;

		while (k < list.n) {
			size_t b = k;

			while (k < list.n && list.p[k] != ',')
				k++;
			if (k - b < 3 || s.nbyday >= SCHED_MAX_BYDAY)
				goto out;
			int w = day_code_at(list.p + k - 2);
			int64_t nth;

			if (w < 0 ||
			    !str_to_i64((struct str){ list.p + b, k - b - 2 }, -1, 5, &nth))
				goto out;
			s.byday[s.nbyday].nth = (int8_t)nth;
			s.byday[s.nbyday].wday = (int8_t)w;
			s.nbyday++;
			if (k < list.n) {
				k++;
				if (k == list.n)
					goto out;
			}
		}
		r.p += i + 1;
		r.n -= i + 1;
	}
	if (!next_int(&r, 0, 31, &v, false))
		goto out;
	s.monthday = (int)v;
	if (!next_int(&r, -1, 1439, &v, false))
		goto out;
	s.opens = (int)v;
	if (!next_int(&r, -1, 1440, &v, false))
		goto out;
	s.closes = (int)v;
	if (!next_int(&r, 0, SCHED_DAY_MAX, &v, false))
		goto out;
	s.start_day = v;
	if (!next_int(&r, 0, SCHED_DAY_MAX, &v, true))
		goto out;
	s.end_day = v;
	if (!sched_valid(&s))
		goto out;
	/* Only the text sched_encode writes: "+5", "007", "-0" are refused. */
	{
		struct buf b;

		buf_init(&b, SCHED_ENCODED_MAX + 1);
		sched_encode(&s, &b);
		ok = buf_ok(&b) && b.len == n && memcmp(b.p, p, n) == 0;
		buf_release(&b);
	}
out:
	if (ok)
		*out = s;
	return ok;
}
