/*
 * schedule.h - when a service happens: Open Referral UK schedules
 * (iCalendar RRULE-style fields) parsed into a compact form, put into
 * words, and stepped to the next session.
 *
 * ORUK schedule fields used: freq (WEEKLY, MONTHLY, DAILY; none = one
 * date), interval, byday ("TU", "MO,WE", "1MO" first Monday, "-1FR" last
 * Friday, "2TU,4TU"), bymonthday ("15"), opens_at/closes_at ("10:00" or
 * "10:00:00"), valid_from/valid_to/dtstart (dates), description, notes,
 * attending_type. Everything is UK local time (uktime.h).
 */
#ifndef KITH_SCHEDULE_H
#define KITH_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"

enum sched_freq { SCHED_ONCE, SCHED_DAILY, SCHED_WEEKLY, SCHED_MONTHLY };

#define SCHED_MAX_BYDAY 7
#define SCHED_MAX_INTERVAL 366           /* "every 366 days" at most */
#define SCHED_ENCODED_MAX 96             /* longest sched_encode text */

struct sched {
	enum sched_freq freq;
	int interval;                    /* 1 = every, 2 = every other, ... */
	uint8_t weekdays;                /* WEEKLY/DAILY: bit d (0 = Monday) */
	struct { int8_t nth; int8_t wday; } byday[SCHED_MAX_BYDAY];
	                                 /* MONTHLY by weekday: nth 1..5 or -1 (last) */
	int nbyday;
	int monthday;                    /* MONTHLY by date: 1..31, 0 none */
	int opens, closes;               /* minutes after midnight; -1 when not given */
	int64_t start_day;               /* dtstart or valid_from as a day number, 0 none */
	int64_t end_day;                 /* valid_to as a day number, 0 none */
};

/* Parses one ORUK schedule object. ERR_INVALID with *why (a static
 * sentence naming the field: "byday \"XX\" is not a day like MO or 1MO")
 * for fields it cannot use; unknown fields are ignored. A schedule with
 * nothing usable (no freq, no dates) is ERR_INVALID. */
enum err sched_from_oruk(const json_t *schedule, struct sched *out, const char **why);
/* The same, also giving the ORUK field to blame ("byday", "opens_at", ...;
 * "" when the value is not an object), for per-field errors like
 * "schedules[0].byday". field may be NULL.
 *
 * What parsing settles (so every later function sees a canonical struct):
 *   - "" and null are "not given"; freq is case-insensitive; byday takes
 *     commas or spaces, any case, MO/Mon/Monday; times take 10:00,
 *     10:00:00, 10.00, 1000, 2pm, and ignore a zone suffix ("Z",
 *     "+01:00": feeds mean the clock in the hall); dates are YYYY-MM-DD
 *     with anything after a 'T' ignored, except that a dtstart time
 *     stands in for a missing opens_at.
 *   - No freq: byday makes it WEEKLY (MONTHLY when positioned, "1MO"),
 *     bymonthday MONTHLY, else one date (dtstart, or valid_from equal to
 *     valid_to). WEEKLY with positioned byday is taken as MONTHLY;
 *     MONTHLY with plain byday ("TU") as WEEKLY (interval 1 only);
 *     WEEKLY without byday runs on dtstart's (or valid_from's) weekday,
 *     MONTHLY without either on its day of the month. bymonthday on a
 *     WEEKLY/DAILY schedule is ignored (ORUK's own example has one).
 *   - Refused: several or negative bymonthday values, byday and
 *     bymonthday together on a monthly schedule, positions other than
 *     1..5 and -1, byday mixing "TU" and "1TU", more than 7 monthly days,
 *     interval outside 1..366 (0 is read as 1), valid_to before the
 *     start, a one-off before 1970.
 *   - start_day: dtstart anchors the interval; a later valid_from moves
 *     the start forward by whole periods (weeks, days, months) so an
 *     "every other week" keeps its weeks. A start before 1970 is moved
 *     the same way (or dropped when interval is 1).
 *   - Monthly byday entries are sorted (weekday, then position, last
 *     after fifth) and unique; fields a frequency does not use are zero;
 *     "00:00 to 00:00" (or to 23:59) means no time is known. */
enum err sched_from_oruk_field(const json_t *schedule, struct sched *out, const char **why,
		const char **field);

/* Plain English, appended to out: "Every Tuesday, 10:00 to 11:30",
 * "Every other Wednesday, from 14:00", "First Monday of the month, 14:00
 * to 16:00", "Last Friday of the month", "On the 15th of every month",
 * "Every day", "Monday to Friday, 09:00 to 17:00", "On 3 December 2026,
 * 10:00 to 12:00", and ", until 31 March 2027" when it ends. Also
 * "Every Tuesday and Thursday", "Every 3 weeks on Monday", "Every other
 * week, Monday to Friday" (three or more days in a row are a range),
 * "First and third Tuesday of the month", "First Monday of every other
 * month", "On the 15th of every 3 months", "Every other day", ",
 * closing at 16:00" (no opening time), "18:00 to midnight" (24:00). */
void sched_words(const struct sched *s, struct buf *out);

/* The start (UTC) of the first session that starts at or after now, or 0
 * when there is none (ended, or no time known: then the day's start at
 * 00:00 is used when opens is -1, so a day-only schedule still has a next
 * day). Looks at most two years ahead. A session under way at now is
 * not next (it started before now); the one after it is. An interval
 * counts weeks (days, months) from start_day's week (day, month); without
 * a start_day, from the week (day, month) of now, so "every other
 * Tuesday" with no date given runs this week. */
int64_t sched_next(const struct sched *s, int64_t now);

/* Parts of the week it runs in, for the "day and time" filter: bit
 * (day * 3 + part), day 0 = Monday, part 0 morning (before 12:00), 1
 * afternoon (12:00-17:00), 2 evening (17:00 on). A schedule with no time
 * sets all three parts of its days. Monthly schedules set their weekday
 * (or every day for by-date). One-off dates set their weekday. */
uint32_t sched_daytime(const struct sched *s);

/* A compact text form for a database column, and back (the search index
 * is built from it without parsing JSON). sched_decode returns false on
 * text it did not write. The text starts with a version letter ("A")
 * and is at most SCHED_ENCODED_MAX bytes: "AW1;20;;0;600;690;0;0" is
 * every Tuesday and Thursday, 10:00 to 11:30. sched_decode only accepts
 * the exact text sched_encode writes for a struct sched_from_oruk could
 * have made. */
void sched_encode(const struct sched *s, struct buf *out);
bool sched_decode(const char *p, size_t n, struct sched *out);
/* Field by field (padding ignored). */
bool sched_equal(const struct sched *a, const struct sched *b);
/* The ORUK fields for s (freq, interval, byday, bymonthday, opens_at,
 * closes_at as "10:00", dtstart and valid_from as the start day,
 * valid_to): a new object that sched_from_oruk reads back to an equal
 * struct. NULL when out of memory. */
json_t *sched_to_oruk(const struct sched *s);

#endif
