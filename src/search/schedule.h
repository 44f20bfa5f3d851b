/*
 * schedule.h - when a service happens: the compact form of an Open
 * Referral UK schedule (iCalendar RRULE-style: weekly, monthly by
 * weekday or date, daily, or one date), put into words, stepped to the
 * next session, and encoded for a database column. Everything is UK
 * local time (uktime.h). oruk/sched_oruk.h reads one from ORUK JSON.
 *
 * Part of src/search/ (search.h says what the layer may include): no
 * JSON, no I/O, no clock.
 */
#ifndef KITH_SCHEDULE_H
#define KITH_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
 * the exact text sched_encode writes for a canonical struct (one
 * sched_from_oruk could have made). */
void sched_encode(const struct sched *s, struct buf *out);
bool sched_decode(const char *p, size_t n, struct sched *out);
/* Field by field (padding ignored). */
bool sched_equal(const struct sched *a, const struct sched *b);
/* ---------------------------------------------------------------- the canonical form
 * For code that builds a struct sched (oruk/sched_oruk.c reads one from a
 * feed): the rules that make two schedules meaning the same thing equal. */

#define SCHED_DAY_MAX INT64_C(2932896)   /* 9999-12-31: the last day a schedule may name */

/* "MO" for 0 (Monday) ... "SU" for 6; wday is taken modulo 7. */
const char *sched_day_code(int wday);
/* Adds a monthly day (nth 1..5 or -1 for last, wday 0..6) keeping byday
 * sorted (by weekday, then position, last after fifth) and unique: a day
 * already there is not added again. false when s already has
 * SCHED_MAX_BYDAY other days. */
bool sched_add_byday(struct sched *s, int nth, int wday);
/* s's monthly days as ORUK writes them, appended to out: "1TU,-1FR". */
void sched_byday_text(const struct sched *s, struct buf *out);
/* The first day on or after min (min >= anchor) whose week, day or month
 * (by s->freq) is one the interval runs in, counting from anchor's: the
 * start day of an "every other week" that a later valid_from moved on,
 * in step with its dtstart. */
int64_t sched_align(const struct sched *s, int64_t anchor, int64_t min);

#endif
