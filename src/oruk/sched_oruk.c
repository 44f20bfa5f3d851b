/*
 * sched_oruk.c - schedules in and out of ORUK JSON: the lenient reading of
 * a feed's schedule object into a canonical struct sched, and back.
 *
 * Parsing is lenient where real feeds are sloppy (lowercase or spaced
 * byday, "10:00:00", "10.00", "2pm", "" for "not given", numbers as
 * strings, bymonthday on a weekly schedule as in ORUK's own example) and
 * strict where a guess would mislead people (several days of the month,
 * counting back from the month's end, byday mixing "TU" and "1TU"). Every
 * refusal is a static sentence naming the field.
 *
 * sched_from_oruk_field is a table of steps: each reads one field (or
 * settles one question: what kind of schedule, which days, when it
 * starts) into struct sched_read or the struct being built, and the first
 * refusal ends it. The canonical rules the struct must keep (byday
 * order, whole-period starts) are search/schedule.c's: sched_add_byday
 * and sched_align.
 *
 * Time zone suffixes in feeds ("10:00Z") are ignored: feeds mean the
 * time on the clock in the hall.
 */
#include "core/common.h"
#include "oruk/sched_oruk.h"

#include <strings.h>

#include "core/str.h"
#include "core/uktime.h"

/* ---------------------------------------------------------------- reading fields */

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

		if (s.n == 2 && str_ieqc(s, sched_day_code(d)))
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

/* What the fields say before they are combined into a struct sched. */
struct sched_read {
	struct dayspec ds[MAX_TOKENS];
	int nds, nth_count;            /* byday entries; how many have a position */
	int mday;                      /* bymonthday, 0 none */
	int date_opens;                /* dtstart's time, -1 none */
	bool has_freq, has_dtstart, has_from, has_to;
	int64_t dtstart, vfrom, vto;
};

static enum err read_freq(struct pctx *c, const json_t *o, struct sched *out, struct sched_read *r)
{
	struct str v;
	int got = field_str(o, "freq", &v, NULL, 0);

	if (got < 0 || (got > 0 && !str_ieqc(v, "WEEKLY") && !str_ieqc(v, "MONTHLY") &&
	                !str_ieqc(v, "DAILY")))
		return refuse(c, "freq", "freq must be WEEKLY, MONTHLY or DAILY.");
	if (got > 0) {
		r->has_freq = true;
		out->freq = str_ieqc(v, "WEEKLY") ? SCHED_WEEKLY :
			str_ieqc(v, "MONTHLY") ? SCHED_MONTHLY : SCHED_DAILY;
	}
	return ERR_OK;
}

/* interval: a number, or a number in a string. */
static enum err read_interval(struct pctx *c, const json_t *o, struct sched *out,
		struct sched_read *r)
{
	const json_t *iv = json_object_get(o, "interval");
	int64_t n = 1;
	bool ok = true;

	(void)r;
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
	if (!ok || n < 1 || n > SCHED_MAX_INTERVAL)
		return refuse(c, "interval", "interval must be a whole number from 1 to 366.");
	out->interval = (int)n;
	return ERR_OK;
}

static enum err read_byday(struct pctx *c, const json_t *o, struct sched *out, struct sched_read *r)
{
	enum err e = parse_byday(c, o, r->ds, &r->nds);

	(void)out;
	if (e)
		return e;
	for (int i = 0; i < r->nds; i++)
		r->nth_count += r->ds[i].nth != 0;
	if (r->nth_count && r->nth_count != r->nds)
		return refuse(c, "byday", "byday mixes days with and without a position (like TU and 1TU).");
	return ERR_OK;
}

/* bymonthday: one day of the month. */
static enum err read_bymonthday(struct pctx *c, const json_t *o, struct sched *out,
		struct sched_read *r)
{
	struct str v;
	char num[32];
	int64_t md;
	int got = field_str(o, "bymonthday", &v, num, sizeof(num));

	if (got < 0)
		return refuse(c, "bymonthday", "bymonthday must be one day of the month from 1 to 31.");
	if (got == 0)
		return ERR_OK;
	if (str_to_i64(v, 1, 31, &md)) {
		r->mday = (int)md;
		return ERR_OK;
	}
	/* Ignored where it has no meaning (ORUK's own example puts "2,3,4"
	 * on a weekly schedule). */
	if (r->has_freq && out->freq != SCHED_MONTHLY)
		return ERR_OK;
	return refuse(c, "bymonthday", "bymonthday must be one day of the month from 1 to 31.");
}

static enum err read_times(struct pctx *c, const json_t *o, struct sched *out, struct sched_read *r)
{
	struct str v;
	int t, got;

	(void)r;
	got = field_str(o, "opens_at", &v, NULL, 0);
	if (got < 0 || (got > 0 && (!parse_time(v, &t) || t >= 1440)))
		return refuse(c, "opens_at", "opens_at is not a time like 10:00.");
	if (got > 0)
		out->opens = t;
	got = field_str(o, "closes_at", &v, NULL, 0);
	if (got < 0 || (got > 0 && !parse_time(v, &t)))
		return refuse(c, "closes_at", "closes_at is not a time like 17:30.");
	if (got > 0)
		out->closes = t;
	return ERR_OK;
}

/* One date field: *has says whether it was given. */
static enum err read_date(struct pctx *c, const json_t *o, const char *key, const char *why,
		bool *has, int64_t *day, int *minutes)
{
	struct str v;
	int got = field_str(o, key, &v, NULL, 0);

	if (got < 0 || (got > 0 && !parse_date(v, day, minutes)))
		return refuse(c, key, why);
	*has = got > 0;
	return ERR_OK;
}

static enum err read_dates(struct pctx *c, const json_t *o, struct sched *out, struct sched_read *r)
{
	int t;
	enum err e;

	if ((e = read_date(c, o, "dtstart", "dtstart is not a date like 2026-11-24.",
			   &r->has_dtstart, &r->dtstart, &r->date_opens)) ||
	    (e = read_date(c, o, "valid_from", "valid_from is not a date like 2026-11-24.",
			   &r->has_from, &r->vfrom, &t)) ||
	    (e = read_date(c, o, "valid_to", "valid_to is not a date like 2026-11-24.",
			   &r->has_to, &r->vto, &t)))
		return e;
	if (r->has_to && r->vto < 1)
		return refuse(c, "valid_to", "valid_to is before 1970.");
	if (r->has_dtstart && out->opens < 0 && r->date_opens > 0)
		out->opens = r->date_opens;     /* "dtstart": "2026-12-03T10:00:00" */
	return ERR_OK;
}

/* ---------------------------------------------------------------- settling */

/* What kind of schedule is it? */
static enum err settle_freq(struct pctx *c, const json_t *o, struct sched *out, struct sched_read *r)
{
	(void)o;
	if (!r->has_freq) {
		if (r->nds)
			out->freq = r->nth_count ? SCHED_MONTHLY : SCHED_WEEKLY;
		else if (r->mday)
			out->freq = SCHED_MONTHLY;
		else
			out->freq = SCHED_ONCE;
	} else if (out->freq == SCHED_WEEKLY && r->nth_count) {
		out->freq = SCHED_MONTHLY;   /* "WEEKLY" with "1MO": the author meant monthly */
	} else if (out->freq == SCHED_MONTHLY && r->nds && !r->nth_count) {
		if (out->interval != 1)
			return refuse(c, "byday", "byday without a position (like TU rather than 1TU) "
				"on a monthly schedule can only repeat every month.");
		out->freq = SCHED_WEEKLY;    /* every Tuesday of every month */
	}
	return ERR_OK;
}

static enum err settle_once(struct pctx *c, struct sched *out, const struct sched_read *r)
{
	out->interval = 1;
	if (r->has_dtstart)
		out->start_day = r->dtstart;
	else if (r->has_from && r->has_to && r->vto == r->vfrom)
		out->start_day = r->vfrom;
	else
		return refuse(c, "freq", "The schedule does not say when: give freq and byday, "
			"or dtstart for a single date.");
	if (out->start_day < 1)
		return refuse(c, r->has_dtstart ? "dtstart" : "valid_from",
			r->has_dtstart ? "dtstart is before 1970." : "valid_from is before 1970.");
	return ERR_OK;
}

static enum err settle_daily(struct pctx *c, struct sched *out, const struct sched_read *r)
{
	if (r->nth_count)
		return refuse(c, "byday", "byday positions (like 1MO) only make sense on a monthly schedule.");
	for (int i = 0; i < r->nds; i++)
		out->weekdays |= (uint8_t)(1u << r->ds[i].wday);
	if (!r->nds)
		out->weekdays = 0x7f;
	return ERR_OK;
}

static enum err settle_weekly(struct pctx *c, struct sched *out, const struct sched_read *r)
{
	for (int i = 0; i < r->nds; i++)
		out->weekdays |= (uint8_t)(1u << r->ds[i].wday);
	if (!r->nds) {
		if (!r->has_dtstart && !r->has_from)
			return refuse(c, "byday", "A weekly schedule needs byday (like TU) or dtstart.");
		out->weekdays = (uint8_t)(1u << uk_weekday(r->has_dtstart ? r->dtstart : r->vfrom));
	}
	return ERR_OK;
}

static enum err settle_monthly(struct pctx *c, struct sched *out, const struct sched_read *r)
{
	if (r->nds && r->mday)
		return refuse(c, "bymonthday", "A monthly schedule gives both byday and bymonthday: "
			"kith needs one of them.");
	if (r->nds) {
		for (int i = 0; i < r->nds; i++)
			if (!sched_add_byday(out, r->ds[i].nth, r->ds[i].wday))
				return refuse(c, "byday", "byday names more than 7 days of the month.");
	} else if (r->mday) {
		out->monthday = r->mday;
	} else if (r->has_dtstart || r->has_from) {
		int y, m, d;

		uk_date(r->has_dtstart ? r->dtstart : r->vfrom, &y, &m, &d);
		out->monthday = d;
	} else {
		return refuse(c, "byday", "A monthly schedule needs byday (like 1MO) or bymonthday (like 15).");
	}
	return ERR_OK;
}

/* Which days: one settler per kind. */
static enum err settle_days(struct pctx *c, const json_t *o, struct sched *out, struct sched_read *r)
{
	(void)o;
	switch (out->freq) {
	case SCHED_ONCE: return settle_once(c, out, r);
	case SCHED_DAILY: return settle_daily(c, out, r);
	case SCHED_WEEKLY: return settle_weekly(c, out, r);
	case SCHED_MONTHLY: return settle_monthly(c, out, r);
	}
	return ERR_OK;
}

/* Start: dtstart anchors the interval; valid_from moves the start on by
 * whole periods so "every other week" keeps its weeks. */
static enum err settle_start(struct pctx *c, const json_t *o, struct sched *out, struct sched_read *r)
{
	(void)o;
	if (out->freq == SCHED_ONCE)
		return ERR_OK;
	int64_t anchor = r->has_dtstart ? r->dtstart : r->has_from ? r->vfrom : 0;
	int64_t min = anchor;

	if (r->has_from && r->vfrom > min)
		min = r->vfrom;
	if (r->has_dtstart || r->has_from) {
		if (out->interval == 1)
			out->start_day = min >= 1 ? min : 0;
		else
			out->start_day = sched_align(out, anchor, min >= 1 ? min : 1);
	}
	/* Moving on by whole periods can pass the end of 9999. */
	if (out->start_day > SCHED_DAY_MAX)
		return refuse(c, r->has_dtstart ? "dtstart" : "valid_from", r->has_dtstart ?
			"dtstart is too far in the future." : "valid_from is too far in the future.");
	return ERR_OK;
}

static enum err settle_end(struct pctx *c, const json_t *o, struct sched *out, struct sched_read *r)
{
	(void)o;
	if (r->has_to) {
		out->end_day = r->vto;
		if (out->start_day && r->vto < out->start_day)
			return refuse(c, "valid_to", "valid_to is before the schedule starts.");
	}
	/* 00:00 to 00:00 (or to 23:59) is how some feeds say "all day". */
	if (out->opens == 0 && (out->closes == 0 || out->closes >= 1439))
		out->opens = out->closes = -1;
	return ERR_OK;
}

/* In this order: a later step reads what an earlier one settled
 * (bymonthday is only forgiven on a schedule that says it is weekly). */
static enum err (*const sched_steps[])(struct pctx *c, const json_t *o, struct sched *out,
		struct sched_read *r) = {
	read_freq, read_interval, read_byday, read_bymonthday, read_times, read_dates,
	settle_freq, settle_days, settle_start, settle_end,
};

static void sched_blank(struct sched *s)
{
	memset(s, 0, sizeof(*s));
	s->freq = SCHED_ONCE;
	s->interval = 1;
	s->opens = s->closes = -1;
}

enum err sched_from_oruk_field(const json_t *o, struct sched *out, const char **why,
		const char **field)
{
	struct pctx c = { NULL, NULL };
	struct sched_read r = { .date_opens = -1 };
	enum err e = ERR_OK;

	sched_blank(out);
	if (!json_is_object(o))
		e = refuse(&c, "", "The schedule is not an object.");
	for (size_t i = 0; !e && i < ARRAY_LEN(sched_steps); i++)
		e = sched_steps[i](&c, o, out, &r);
	if (e)
		sched_blank(out);
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

/* ---------------------------------------------------------------- back to ORUK */

static void set_day(json_t *o, const char *key, int64_t day)
{
	char tmp[UK_ISO_DAY];

	uk_format_iso_day(day, tmp);
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
				buf_addf(&b, "%s%s", b.len ? "," : "", sched_day_code(d));
	} else if (s->freq == SCHED_MONTHLY && s->nbyday > 0) {
		sched_byday_text(s, &b);
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
