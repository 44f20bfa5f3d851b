/*
 * recur.h - a schedule's sessions (schedule.h) as days in a window, and
 * the iCalendar recurrence rule (RFC 5545 RRULE) read into and written
 * from a struct sched, with the dates it skips (EXDATE). Groups' sessions,
 * the events API and calendar feeds all step a schedule through these.
 *
 * Part of src/search/: no I/O, no clock, no JSON. The RRULE subset is
 * what struct sched can hold: FREQ DAILY, WEEKLY or MONTHLY; INTERVAL;
 * BYDAY (weekdays, or for MONTHLY "1TU", "-1FR"); BYMONTHDAY (one day);
 * UNTIL; WKST=MO. COUNT, BYSETPOS, BYMONTH, YEARLY and the rest are
 * refused in words, never half-read.
 */
#ifndef KITH_RECUR_H
#define KITH_RECUR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "search/schedule.h"

#define RECUR_RULE_MAX 256      /* bytes of an RRULE we read */
#define RECUR_EXDATES_MAX 366   /* dates a series may skip */

/* Does s have a session on day (a uk_days number)? today anchors an
 * interval when s has no start day, as sched_next does ("every other
 * Tuesday" with no date runs this week). */
bool sched_on_day(const struct sched *s, int64_t day, int64_t today);

/* The days in [from, to] with a session, in order, into out (at most max;
 * the return is how many there are in all, which may be more). */
size_t sched_days(const struct sched *s, int64_t from, int64_t to, int64_t today, int64_t *out,
		size_t max);

/* Reads an RRULE value ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", an optional
 * "RRULE:" before it) starting on dtstart (a uk_days number, the first
 * session's day), with times opens and closes (minutes after midnight,
 * -1 when not known), into a canonical struct sched (sched_encode takes
 * it). ERR_INVALID with *why in words for anything else ("COUNT is not
 * supported: give UNTIL, the last day", "BYDAY=XX is not a day"). */
enum err sched_from_rrule(const char *rule, int64_t dtstart, int opens, int closes,
		struct sched *out, const char **why);

/* The RRULE value of s (no "RRULE:"), appended to out: the inverse of
 * sched_from_rrule for a repeating s ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;
 * UNTIL=20270331"). Nothing for SCHED_ONCE (a single event has none). */
void sched_rrule(const struct sched *s, struct buf *out);

/* Dates as people and forms give them, "2026-12-25, 2027-01-01" (commas,
 * spaces or newlines between), into days: sorted, each once, at most max.
 * ERR_INVALID with *why for a date that is not one, or too many. */
enum err recur_dates_parse(const char *text, int64_t *days, size_t max, size_t *n, const char **why);

#endif
