/*
 * schedule.c - ORUK schedules: lenient parsing into struct sched, words,
 * the next session, day-and-time bits and a compact text form.
 *
 * Parsing is lenient where real feeds are sloppy (lowercase or spaced
 * byday, "10:00:00", "10.00", "2pm", "" for "not given", numbers as
 * strings, bymonthday on a weekly schedule as in ORUK's own example) and
 * strict where a guess would mislead people (several days of the month,
 * counting back from the month's end, byday mixing "TU" and "1TU"). Every
 * refusal is a static sentence naming the field.
 *
 * A parsed struct is canonical: fields a frequency does not use are zero,
 * monthly byday entries are sorted and unique, and the start day is moved
 * (whole periods at a time, so fortnightly stays in step) to honour
 * valid_from. So two schedules meaning the same thing compare equal, and
 * the compact encoding can insist on being exactly what it would write.
 *
 * Everything is UK local dates and wall-clock times; uktime.c turns a
 * session into UTC. Time zone suffixes in feeds ("10:00Z") are ignored:
 * feeds mean the time on the clock in the hall.
 */
#include "core/common.h"
#include "search/schedule.h"

#include <strings.h>

#include "core/str.h"
#include "core/uktime.h"

#define HORIZON_DAYS 731                 /* two years, with a leap day */
#define DAY_MAX INT64_C(2932896)         /* 9999-12-31 */

static const char day_codes[7][3] = { "MO", "TU", "WE", "TH", "FR", "SA", "SU" };
static const char *const ordinal_words[6] = { "", "first", "second", "third", "fourth", "fifth" };

/* ------------------------------------------------------------ parsing */

struct pctx {
	const char *why;
	const char *field;
};

static enum err refuse(struct pctx *c, const char *field, const char *why)
{
	c->field = field;
	c->why = why;
	return ERR_INVALID;
}

static int lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
}

static bool is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static struct str trim_all(struct str s)
{
	while (s.n && is_space((unsigned char)s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_space((unsigned char)s.p[s.n - 1]))
		s.n--;
	return s;
}

/* Reads n digits at p; false if any is not a digit. */
static bool digits(const char *p, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!is_digit((unsigned char)p[i]))
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return true;
}

/* A wall-clock time: H:MM, HH:MM, HH:MM:SS, HH.MM, HHMM, with an optional
 * fraction, "am"/"pm", "Z" or "+01:00" after it. Minutes after midnight;
 * 24:00 is 1440 (only closes_at takes it). */
static bool parse_time(struct str s, int *out)
{
	size_t i = 0, nh = 0;
	int h, m, sec;

	s = trim_all(s);
	while (nh < s.n && nh < 5 && is_digit((unsigned char)s.p[nh]))
		nh++;
	if (nh == 4) {
		/* "1000": HHMM */
		if (!digits(s.p, 2, &h) || !digits(s.p + 2, 2, &m))
			return false;
		i = 4;
	} else {
		if (nh < 1 || nh > 2 || !digits(s.p, nh, &h))
			return false;
		i = nh;
		if (i < s.n && (s.p[i] == ':' || s.p[i] == '.')) {
			if (s.n - i < 3 || !digits(s.p + i + 1, 2, &m))
				return false;
			i += 3;
			if (i < s.n && s.p[i] == ':') {
				if (s.n - i < 3 || !digits(s.p + i + 1, 2, &sec) || sec > 60)
					return false;
				i += 3;
				if (i < s.n && s.p[i] == '.') {
					i++;
					while (i < s.n && is_digit((unsigned char)s.p[i]))
						i++;
				}
			}
		} else {
			m = 0;        /* "2pm" */
			if (i == s.n)
				return false;
		}
	}
	while (i < s.n && s.p[i] == ' ')
		i++;
	struct str rest = { s.p + i, s.n - i };
	if (rest.n == 2 && (str_ieqc(rest, "am") || str_ieqc(rest, "pm"))) {
		if (h < 1 || h > 12 || m > 59)
			return false;
		h = h % 12 + (lower((unsigned char)rest.p[0]) == 'p' ? 12 : 0);
	} else if (rest.n == 0 || str_ieqc(rest, "z")) {
		/* nothing */
	} else if (rest.p[0] == '+' || rest.p[0] == '-') {
		int oh, om;

		if (!((rest.n == 3 && digits(rest.p + 1, 2, &oh)) ||
		      (rest.n == 5 && digits(rest.p + 1, 4, &oh)) ||
		      (rest.n == 6 && rest.p[3] == ':' && digits(rest.p + 1, 2, &oh) &&
		       digits(rest.p + 4, 2, &om))))
			return false;
	} else {
		return false;
	}
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return false;
	*out = h * 60 + m;
	return true;
}

/* "YYYY-MM-DD", optionally followed by "T..." or " ..." with a time
 * (whose minutes go to *minutes when it reads, else -1). */
static bool parse_date(struct str s, int64_t *day, int *minutes)
{
	int y, mo, d;

	s = trim_all(s);
	*minutes = -1;
	if (s.n < 10 || !digits(s.p, 4, &y) || s.p[4] != '-' || !digits(s.p + 5, 2, &mo) ||
	    s.p[7] != '-' || !digits(s.p + 8, 2, &d))
		return false;
	if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > uk_days_in_month(y, mo))
		return false;
	if (s.n > 10) {
		int t;

		if (s.p[10] != 'T' && s.p[10] != 't' && s.p[10] != ' ')
			return false;
		if (parse_time((struct str){ s.p + 11, s.n - 11 }, &t) && t < 1440)
			*minutes = t;
	}
	*day = uk_days(y, mo, d);
	return true;
}

/* A field's string value: 0 absent (missing, null or blank), 1 present,
 * -1 present but of the wrong type. Integers are accepted as their
 * decimal text (bymonthday: 15), into numbuf. */
static int field_str(const json_t *o, const char *key, struct str *out, char *numbuf, size_t nb)
{
	const json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		*out = trim_all((struct str){ json_string_value(v), json_string_length(v) });
		return out->n ? 1 : 0;
	}
	if (numbuf && json_is_integer(v)) {
		snprintf(numbuf, nb, "%lld", (long long)json_integer_value(v));
		*out = str_c(numbuf);
		return 1;
	}
	return -1;
}

static int day_from_name(struct str s)
{
	static const char *const full[7] = {
		"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
	};

	for (int d = 0; d < 7; d++) {
		size_t fl = strlen(full[d]);

		if (s.n == 2 && str_ieqc(s, day_codes[d]))
			return d;
		if (s.n == 3 && strncasecmp(s.p, full[d], 3) == 0)
			return d;
		if (s.n == fl && strncasecmp(s.p, full[d], fl) == 0)
			return d;
		/* "Tues", "Thurs", "Weds" */
		if (s.n == 4 && (d == 1 || d == 2 || d == 3) &&
		    (strncasecmp(s.p, d == 1 ? "tues" : d == 2 ? "weds" : "thur", 4) == 0))
			return d;
		if (s.n == 5 && d == 3 && strncasecmp(s.p, "thurs", 5) == 0)
			return d;
	}
	return -1;
}

struct dayspec {
	int nth;     /* 0: no position */
	int wday;
};

#define MAX_TOKENS 64

/* byday: tokens separated by commas, semicolons or spaces; each an
 * optional position (+1..5, -1) and a day. A JSON array of such strings
 * is read the same way. */
static enum err parse_byday_str(struct pctx *c, struct str s, struct dayspec *ds, int *nds)
{
	size_t i = 0;

	while (i < s.n) {
		while (i < s.n && (s.p[i] == ',' || s.p[i] == ';' || is_space((unsigned char)s.p[i])))
			i++;
		if (i == s.n)
			break;
		size_t b = i;
		while (i < s.n && s.p[i] != ',' && s.p[i] != ';' && !is_space((unsigned char)s.p[i]))
			i++;
		struct str t = { s.p + b, i - b };
		size_t k = 0;
		int sign = 1, nth = 0;

		if (t.p[0] == '+' || t.p[0] == '-') {
			sign = t.p[0] == '-' ? -1 : 1;
			k = 1;
		}
		size_t nd = 0;
		while (k + nd < t.n && is_digit((unsigned char)t.p[k + nd]))
			nd++;
		if (nd > 2)
			return refuse(c, "byday", "byday has a position (like 1MO or -1FR) that is not 1 to 5 or -1.");
		if (nd && !digits(t.p + k, nd, &nth))
			return refuse(c, "byday", "byday is not a list of days like MO or 1MO.");
		if (k && !nd)
			return refuse(c, "byday", "byday is not a list of days like MO or 1MO.");
		int wday = day_from_name((struct str){ t.p + k + nd, t.n - k - nd });
		if (wday < 0)
			return refuse(c, "byday", "byday is not a list of days like MO or 1MO.");
		if (nd) {
			nth *= sign;
			if (!((nth >= 1 && nth <= 5) || nth == -1))
				return refuse(c, "byday", "byday has a position (like 1MO or -1FR) that is not 1 to 5 or -1.");
		}
		if (*nds >= MAX_TOKENS)
			return refuse(c, "byday", "byday names too many days.");
		ds[(*nds)++] = (struct dayspec){ nth, wday };
	}
	return ERR_OK;
}

static enum err parse_byday(struct pctx *c, const json_t *o, struct dayspec *ds, int *nds)
{
	const json_t *v = json_object_get(o, "byday");
	enum err e;

	*nds = 0;
	if (!v || json_is_null(v))
		return ERR_OK;
	if (json_is_string(v))
		return parse_byday_str(c, (struct str){ json_string_value(v), json_string_length(v) }, ds, nds);
	if (json_is_array(v)) {
		size_t i;
		const json_t *it;

		json_array_foreach(v, i, it) {
			if (!json_is_string(it))
				return refuse(c, "byday", "byday is not a list of days like MO or 1MO.");
			e = parse_byday_str(c, (struct str){ json_string_value(it), json_string_length(it) }, ds, nds);
			if (e)
				return e;
		}
		return ERR_OK;
	}
	return refuse(c, "byday", "byday is not a list of days like MO or 1MO.");
}

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

/* The first day >= min (min >= anchor) whose week, day or month is one
 * the interval runs in, counting from anchor's. */
static int64_t first_on_day(const struct sched *s, int64_t anchor, int64_t min)
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

enum err sched_from_oruk_field(const json_t *o, struct sched *out, const char **why,
		const char **field)
{
	struct pctx c = { NULL, NULL };
	struct dayspec ds[MAX_TOKENS];
	int nds = 0, nth_count = 0, date_opens = -1, t, mday = 0;
	struct str v;
	char num[32];
	bool has_freq = false, has_dtstart = false, has_from = false, has_to = false;
	int64_t dtstart = 0, vfrom = 0, vto = 0;
	enum err e = ERR_OK;
	int r;

	memset(out, 0, sizeof(*out));
	out->freq = SCHED_ONCE;
	out->interval = 1;
	out->opens = out->closes = -1;

	if (!json_is_object(o)) {
		e = refuse(&c, "", "The schedule is not an object.");
		goto out;
	}

	/* freq */
	r = field_str(o, "freq", &v, NULL, 0);
	if (r < 0 || (r > 0 && !str_ieqc(v, "WEEKLY") && !str_ieqc(v, "MONTHLY") &&
	              !str_ieqc(v, "DAILY"))) {
		e = refuse(&c, "freq", "freq must be WEEKLY, MONTHLY or DAILY.");
		goto out;
	}
	if (r > 0) {
		has_freq = true;
		out->freq = str_ieqc(v, "WEEKLY") ? SCHED_WEEKLY :
			str_ieqc(v, "MONTHLY") ? SCHED_MONTHLY : SCHED_DAILY;
	}

	/* interval: a number, or a number in a string */
	{
		const json_t *iv = json_object_get(o, "interval");
		int64_t n = 1;
		bool ok = true;

		if (!iv || json_is_null(iv)) {
			n = 1;
		} else if (json_is_integer(iv)) {
			n = json_integer_value(iv);
		} else if (json_is_real(iv)) {
			double d = json_real_value(iv);

			ok = d >= 0 && d <= SCHED_MAX_INTERVAL && d == (double)(int)d;
			n = ok ? (int)d : 1;
		} else if (json_is_string(iv)) {
			struct str is = trim_all((struct str){ json_string_value(iv), json_string_length(iv) });

			if (is.n)
				ok = str_to_i64(is, 0, SCHED_MAX_INTERVAL, &n);
		} else {
			ok = false;
		}
		if (n == 0)
			n = 1;        /* 0 is what some feeds write for "not given" */
		if (!ok || n < 1 || n > SCHED_MAX_INTERVAL) {
			e = refuse(&c, "interval", "interval must be a whole number from 1 to 366.");
			goto out;
		}
		out->interval = (int)n;
	}

	e = parse_byday(&c, o, ds, &nds);
	if (e)
		goto out;
	for (int i = 0; i < nds; i++)
		nth_count += ds[i].nth != 0;
	if (nth_count && nth_count != nds) {
		e = refuse(&c, "byday", "byday mixes days with and without a position (like TU and 1TU).");
		goto out;
	}

	/* bymonthday: one day of the month */
	r = field_str(o, "bymonthday", &v, num, sizeof(num));
	if (r < 0) {
		e = refuse(&c, "bymonthday", "bymonthday must be one day of the month from 1 to 31.");
		goto out;
	}
	if (r > 0) {
		int64_t md;

		if (!str_to_i64(v, 1, 31, &md)) {
			bool weekly = has_freq && out->freq != SCHED_MONTHLY;

			/* Ignored where it has no meaning (ORUK's own example
			 * puts "2,3,4" on a weekly schedule). */
			if (!weekly) {
				e = refuse(&c, "bymonthday", "bymonthday must be one day of the month from 1 to 31.");
				goto out;
			}
		} else {
			mday = (int)md;
		}
	}

	/* times */
	r = field_str(o, "opens_at", &v, NULL, 0);
	if (r < 0 || (r > 0 && (!parse_time(v, &t) || t >= 1440))) {
		e = refuse(&c, "opens_at", "opens_at is not a time like 10:00.");
		goto out;
	}
	if (r > 0)
		out->opens = t;
	r = field_str(o, "closes_at", &v, NULL, 0);
	if (r < 0 || (r > 0 && !parse_time(v, &t))) {
		e = refuse(&c, "closes_at", "closes_at is not a time like 17:30.");
		goto out;
	}
	if (r > 0)
		out->closes = t;

	/* dates */
	r = field_str(o, "dtstart", &v, NULL, 0);
	if (r < 0 || (r > 0 && !parse_date(v, &dtstart, &date_opens))) {
		e = refuse(&c, "dtstart", "dtstart is not a date like 2026-11-24.");
		goto out;
	}
	has_dtstart = r > 0;
	r = field_str(o, "valid_from", &v, NULL, 0);
	if (r < 0 || (r > 0 && !parse_date(v, &vfrom, &t))) {
		e = refuse(&c, "valid_from", "valid_from is not a date like 2026-11-24.");
		goto out;
	}
	has_from = r > 0;
	r = field_str(o, "valid_to", &v, NULL, 0);
	if (r < 0 || (r > 0 && !parse_date(v, &vto, &t))) {
		e = refuse(&c, "valid_to", "valid_to is not a date like 2026-11-24.");
		goto out;
	}
	has_to = r > 0;
	if (has_to && vto < 1) {
		e = refuse(&c, "valid_to", "valid_to is before 1970.");
		goto out;
	}
	if (has_dtstart && out->opens < 0 && date_opens > 0)
		out->opens = date_opens;     /* "dtstart": "2026-12-03T10:00:00" */

	/* What kind of schedule is it? */
	if (!has_freq) {
		if (nds)
			out->freq = nth_count ? SCHED_MONTHLY : SCHED_WEEKLY;
		else if (mday)
			out->freq = SCHED_MONTHLY;
		else
			out->freq = SCHED_ONCE;
	} else if (out->freq == SCHED_WEEKLY && nth_count) {
		out->freq = SCHED_MONTHLY;   /* "WEEKLY" with "1MO": the author meant monthly */
	} else if (out->freq == SCHED_MONTHLY && nds && !nth_count) {
		if (out->interval != 1) {
			e = refuse(&c, "byday", "byday without a position (like TU rather than 1TU) "
				"on a monthly schedule can only repeat every month.");
			goto out;
		}
		out->freq = SCHED_WEEKLY;    /* every Tuesday of every month */
	}

	switch (out->freq) {
	case SCHED_ONCE:
		out->interval = 1;
		if (has_dtstart) {
			out->start_day = dtstart;
		} else if (has_from && has_to && vto == vfrom) {
			out->start_day = vfrom;
		} else {
			e = refuse(&c, "freq", "The schedule does not say when: give freq and byday, "
				"or dtstart for a single date.");
			goto out;
		}
		if (out->start_day < 1) {
			e = refuse(&c, has_dtstart ? "dtstart" : "valid_from",
				has_dtstart ? "dtstart is before 1970." : "valid_from is before 1970.");
			goto out;
		}
		break;
	case SCHED_DAILY:
		if (nth_count) {
			e = refuse(&c, "byday", "byday positions (like 1MO) only make sense on a monthly schedule.");
			goto out;
		}
		for (int i = 0; i < nds; i++)
			out->weekdays |= (uint8_t)(1u << ds[i].wday);
		if (!nds)
			out->weekdays = 0x7f;
		break;
	case SCHED_WEEKLY:
		for (int i = 0; i < nds; i++)
			out->weekdays |= (uint8_t)(1u << ds[i].wday);
		if (!nds) {
			if (!has_dtstart && !has_from) {
				e = refuse(&c, "byday", "A weekly schedule needs byday (like TU) or dtstart.");
				goto out;
			}
			out->weekdays = (uint8_t)(1u << uk_weekday(has_dtstart ? dtstart : vfrom));
		}
		break;
	case SCHED_MONTHLY:
		if (nds && mday) {
			e = refuse(&c, "bymonthday", "A monthly schedule gives both byday and bymonthday: "
				"kith needs one of them.");
			goto out;
		}
		if (nds) {
			for (int i = 0; i < nds; i++) {
				int8_t n = (int8_t)ds[i].nth, w = (int8_t)ds[i].wday;
				int k = 0, cmp = 1;

				/* insertion into sorted, unique order */
				while (k < out->nbyday &&
				       (cmp = byday_cmp(out->byday[k].nth, out->byday[k].wday, n, w)) < 0)
					k++;
				if (k < out->nbyday && cmp == 0)
					continue;
				if (out->nbyday >= SCHED_MAX_BYDAY) {
					e = refuse(&c, "byday", "byday names more than 7 days of the month.");
					goto out;
				}
				memmove(&out->byday[k + 1], &out->byday[k],
					(size_t)(out->nbyday - k) * sizeof(out->byday[0]));
				out->byday[k].nth = n;
				out->byday[k].wday = w;
				out->nbyday++;
			}
		} else if (mday) {
			out->monthday = mday;
		} else if (has_dtstart || has_from) {
			int y, m, d;

			uk_date(has_dtstart ? dtstart : vfrom, &y, &m, &d);
			out->monthday = d;
		} else {
			e = refuse(&c, "byday", "A monthly schedule needs byday (like 1MO) or bymonthday (like 15).");
			goto out;
		}
		break;
	}

	/* Start: dtstart anchors the interval; valid_from moves the start on
	 * by whole periods so "every other week" keeps its weeks. */
	if (out->freq != SCHED_ONCE) {
		int64_t anchor = has_dtstart ? dtstart : has_from ? vfrom : 0;
		int64_t min = anchor;

		if (has_from && vfrom > min)
			min = vfrom;
		if (has_dtstart || has_from) {
			if (out->interval == 1)
				out->start_day = min >= 1 ? min : 0;
			else
				out->start_day = first_on_day(out, anchor, min >= 1 ? min : 1);
		}
		/* Moving on by whole periods can pass the end of 9999. */
		if (out->start_day > DAY_MAX) {
			e = refuse(&c, has_dtstart ? "dtstart" : "valid_from", has_dtstart ?
				"dtstart is too far in the future." : "valid_from is too far in the future.");
			goto out;
		}
	}
	if (has_to) {
		out->end_day = vto;
		if (out->start_day && vto < out->start_day) {
			e = refuse(&c, "valid_to", "valid_to is before the schedule starts.");
			goto out;
		}
	}

	/* 00:00 to 00:00 (or to 23:59) is how some feeds say "all day". */
	if (out->opens == 0 && (out->closes == 0 || out->closes >= 1439))
		out->opens = out->closes = -1;
	e = ERR_OK;
out:
	if (e) {
		memset(out, 0, sizeof(*out));
		out->interval = 1;
		out->opens = out->closes = -1;
	}
	if (why)
		*why = e ? c.why : NULL;
	if (field)
		*field = e ? c.field : NULL;
	return e;
}

enum err sched_from_oruk(const json_t *schedule, struct sched *out, const char **why)
{
	return sched_from_oruk_field(schedule, out, why, NULL);
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
	if (s->start_day < 0 || s->start_day > DAY_MAX || s->end_day < 0 || s->end_day > DAY_MAX)
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
	for (int i = 0; i < s->nbyday && i < SCHED_MAX_BYDAY; i++)
		buf_addf(out, "%s%d%s", i ? "," : "", s->byday[i].nth, day_codes[s->byday[i].wday % 7]);
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
			int w = day_from_name((struct str){ list.p + k - 2, 2 });
			int64_t nth;

			if (w < 0 || memcmp(list.p + k - 2, day_codes[w], 2) != 0 ||
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
	if (!next_int(&r, 0, DAY_MAX, &v, false))
		goto out;
	s.start_day = v;
	if (!next_int(&r, 0, DAY_MAX, &v, true))
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

/* ------------------------------------------------------------ back to ORUK */

static void set_day(json_t *o, const char *key, int64_t day)
{
	int y, m, d;
	char tmp[16];

	uk_date(day, &y, &m, &d);
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", y, m, d);
	json_object_set_new(o, key, json_string(tmp));
}

static void set_time(json_t *o, const char *key, int minutes)
{
	char tmp[16];

	snprintf(tmp, sizeof(tmp), "%02d:%02d", minutes / 60 % 100, minutes % 60);
	json_object_set_new(o, key, json_string(tmp));
}

json_t *sched_to_oruk(const struct sched *s)
{
	static const char *const freqs[4] = { NULL, "DAILY", "WEEKLY", "MONTHLY" };
	json_t *o = json_object();
	struct buf b;

	if (!o)
		return NULL;
	buf_init(&b, 256);
	if (s->freq != SCHED_ONCE) {
		json_object_set_new(o, "freq", json_string(freqs[(unsigned)s->freq & 3]));
		json_object_set_new(o, "interval", json_integer(s->interval));
	}
	if (s->freq == SCHED_WEEKLY || (s->freq == SCHED_DAILY && (s->weekdays & 0x7f) != 0x7f)) {
		for (int d = 0; d < 7; d++)
			if ((s->weekdays >> d) & 1)
				buf_addf(&b, "%s%s", b.len ? "," : "", day_codes[d]);
	} else if (s->freq == SCHED_MONTHLY && s->nbyday > 0) {
		for (int i = 0; i < s->nbyday && i < SCHED_MAX_BYDAY; i++)
			buf_addf(&b, "%s%d%s", i ? "," : "", s->byday[i].nth, day_codes[s->byday[i].wday % 7]);
	}
	if (b.len && buf_ok(&b))
		json_object_set_new(o, "byday", json_string(b.p));
	buf_release(&b);
	if (s->freq == SCHED_MONTHLY && s->monthday > 0) {
		char tmp[16];

		snprintf(tmp, sizeof(tmp), "%d", s->monthday);
		json_object_set_new(o, "bymonthday", json_string(tmp));
	}
	if (s->opens >= 0)
		set_time(o, "opens_at", s->opens);
	if (s->closes >= 0)
		set_time(o, "closes_at", s->closes);
	if (s->start_day > 0) {
		set_day(o, "dtstart", s->start_day);
		set_day(o, "valid_from", s->start_day);
	}
	if (s->end_day > 0)
		set_day(o, "valid_to", s->end_day);
	return o;
}
