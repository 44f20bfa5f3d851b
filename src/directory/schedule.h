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

/* Plain English, appended to out: "Every Tuesday, 10:00 to 11:30",
 * "Every other Wednesday, from 14:00", "First Monday of the month, 14:00
 * to 16:00", "Last Friday of the month", "On the 15th of every month",
 * "Every day", "Monday to Friday, 09:00 to 17:00", "On 3 December 2026,
 * 10:00 to 12:00", and ", until 31 March 2027" when it ends. */
void sched_words(const struct sched *s, struct buf *out);

/* The start (UTC) of the first session that starts at or after now, or 0
 * when there is none (ended, or no time known: then the day's start at
 * 00:00 is used when opens is -1, so a day-only schedule still has a next
 * day). Looks at most two years ahead. */
int64_t sched_next(const struct sched *s, int64_t now);

/* Parts of the week it runs in, for the "day and time" filter: bit
 * (day * 3 + part), day 0 = Monday, part 0 morning (before 12:00), 1
 * afternoon (12:00-17:00), 2 evening (17:00 on). A schedule with no time
 * sets all three parts of its days. Monthly schedules set their weekday
 * (or every day for by-date). One-off dates set their weekday. */
uint32_t sched_daytime(const struct sched *s);

/* A compact text form for a database column, and back (the search index
 * is built from it without parsing JSON). sched_decode returns false on
 * text it did not write. */
void sched_encode(const struct sched *s, struct buf *out);
bool sched_decode(const char *p, size_t n, struct sched *out);

#endif
