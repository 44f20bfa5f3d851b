/*
 * ical.h (src/cal/) - iCalendar (RFC 5545) files of kith's sessions:
 * "Add to calendar" for one session and the feeds of a group's or a
 * person's sessions, written with libical.
 *
 * Times are UK local time with TZID=Europe/London and a VTIMEZONE of the
 * UK's rules (the last Sunday of March and of October, since 1996), which
 * calendar programs take as they are; a series is one VEVENT with its
 * RRULE (search/recur.h's sched_rrule) and an EXDATE for each session
 * cancelled or moved (a moved one is its own VEVENT, with
 * RECURRENCE-ID). A schedule with no time is all-day events (VALUE=DATE).
 */
#ifndef KITH_ICAL_H
#define KITH_ICAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "search/schedule.h"

#define ICAL_TZID "Europe/London"

/* One event or series. Text is UTF-8 and may be NULL (left out). */
struct ical_event {
	const char *uid;               /* stable and unique: "series-42@kith.example.org" */
	const char *summary, *location, *description, *url;
	const struct sched *sched;     /* SCHED_ONCE for a single event; start_day its day */
	const int64_t *exdates;        /* days of the series with no session (sorted or not) */
	size_t nexdates;
	int64_t recurrence_id;         /* > 0: this VEVENT replaces the series' session of that
	                                  day (a moved session); its own day is sched->start_day */
	const struct sched *recurrence_of; /* with recurrence_id: the series it replaces a session
	                                  of, whose time that day is the RECURRENCE-ID (a date when
	                                  the series has no time); NULL: this event's own time */
	int sequence;                  /* SEQUENCE: 0, then 1 more each change people should see */
};

/* A VCALENDAR of n events named name (X-WR-CALNAME; may be NULL),
 * appended to out. now is DTSTAMP. ERR_INVALID for an event without a
 * uid or sched, or a sched with no start day; ERR_NOMEM. */
enum err ical_calendar(const char *name, const struct ical_event *ev, size_t n, int64_t now,
		struct buf *out);

#endif
