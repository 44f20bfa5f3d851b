/*
 * ical.c - iCalendar files of kith's sessions (ical.h), built as libical
 * components and serialised by libical, so folding, escaping and the
 * grammar are the well-kept library's, not ours.
 */
#include "core/common.h"
#include "cal/ical.h"

#include "core/uktime.h"
#include "search/recur.h"

#include <libical/ical.h>
#include <stdlib.h>

/* One observance of a zone: its name, offsets, first start and rule. */
static icalcomponent *observance(icalcomponent_kind kind, const char *name, int from, int to,
		const char *start, const char *rule)
{
	icalcomponent *c = icalcomponent_new(kind);

	if (c) {
		icalcomponent_add_property(c, icalproperty_new_tzname(name));
		icalcomponent_add_property(c, icalproperty_new_tzoffsetfrom(from));
		icalcomponent_add_property(c, icalproperty_new_tzoffsetto(to));
		icalcomponent_add_property(c, icalproperty_new_dtstart(icaltime_from_string(start)));
		icalcomponent_add_property(c, icalproperty_new_rrule(icalrecurrencetype_from_string(rule)));
	}
	return c;
}

/* The UK's rules since 1996: BST from 01:00 UTC on the last Sunday of
 * March, GMT from 01:00 UTC on the last Sunday of October. */
static icalcomponent *london(void)
{
	icalcomponent *tz = icalcomponent_new(ICAL_VTIMEZONE_COMPONENT);
	icalcomponent *summer = observance(ICAL_XDAYLIGHT_COMPONENT, "BST", 0, 3600, "19960331T010000",
					   "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU");
	icalcomponent *winter = observance(ICAL_XSTANDARD_COMPONENT, "GMT", 3600, 0, "19961027T020000",
					   "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU");

	if (!tz || !summer || !winter) {
		icalcomponent_free(tz);
		icalcomponent_free(summer);
		icalcomponent_free(winter);
		return NULL;
	}
	icalcomponent_add_property(tz, icalproperty_new_tzid(ICAL_TZID));
	icalcomponent_add_component(tz, summer);
	icalcomponent_add_component(tz, winter);
	return tz;
}

/* A local time (or a date, when minutes < 0) of day as libical's. */
static struct icaltimetype local(int64_t day, int minutes)
{
	struct icaltimetype t = icaltime_null_time();
	int y, m, d;

	uk_date(day, &y, &m, &d);
	t.year = y;
	t.month = m;
	t.day = d;
	if (minutes < 0) {
		t.is_date = 1;
		return t;
	}
	if (minutes >= 1440) {   /* 24:00 is the next day's 00:00 */
		uk_date(day + 1, &y, &m, &d);
		t.year = y;
		t.month = m;
		t.day = d;
		minutes = 0;
	}
	t.hour = minutes / 60;
	t.minute = minutes % 60;
	return t;
}

/* A DTSTART, DTEND, EXDATE or RECURRENCE-ID in London time. */
static icalproperty *with_tz(icalproperty *p, bool timed)
{
	if (p && timed)
		icalproperty_add_parameter(p, icalparameter_new_tzid(ICAL_TZID));
	return p;
}

static void text(icalcomponent *c, icalproperty *(*make)(const char *), const char *v)
{
	if (v && *v)
		icalcomponent_add_property(c, make(v));
}

static enum err event(icalcomponent *cal, const struct ical_event *e, int64_t now)
{
	const struct sched *s = e->sched;
	bool timed = s->opens >= 0;
	icalcomponent *ev;
	struct buf rule;

	if (!e->uid || !*e->uid || !s || s->start_day <= 0)
		return ERR_INVALID;
	if (!(ev = icalcomponent_new(ICAL_VEVENT_COMPONENT)))
		return ERR_NOMEM;
	icalcomponent_add_property(ev, icalproperty_new_uid(e->uid));
	icalcomponent_add_property(ev, icalproperty_new_dtstamp(
		icaltime_from_timet_with_zone((time_t)now, 0, icaltimezone_get_utc_timezone())));
	if (e->sequence > 0)
		icalcomponent_add_property(ev, icalproperty_new_sequence(e->sequence));
	icalcomponent_add_property(ev, with_tz(icalproperty_new_dtstart(local(s->start_day, s->opens)), timed));
	if (timed && s->closes > s->opens)
		icalcomponent_add_property(ev, with_tz(icalproperty_new_dtend(local(s->start_day, s->closes)),
						       true));
	else if (!timed)
		icalcomponent_add_property(ev, icalproperty_new_dtend(local(s->start_day + 1, -1)));
	if (e->recurrence_id > 0) {
		int at = e->recurrence_of ? e->recurrence_of->opens : s->opens;

		icalcomponent_add_property(ev, with_tz(icalproperty_new_recurrenceid(
			local(e->recurrence_id, at)), at >= 0));
	}
	buf_init(&rule, 512);
	sched_rrule(s, &rule);
	if (!buf_ok(&rule)) {
		buf_release(&rule);
		icalcomponent_free(ev);
		return ERR_NOMEM;
	}
	if (rule.len > 0 && e->recurrence_id <= 0) {
		struct icalrecurrencetype r = icalrecurrencetype_from_string(rule.p);

		/* UNTIL takes DTSTART's type (RFC 5545 3.3.10): with a time,
		 * the end of the last day in UTC. */
		if (timed && s->end_day > 0) {
			int y, m, d;

			uk_date(s->end_day, &y, &m, &d);
			r.until = icaltime_from_timet_with_zone((time_t)(uk_to_utc(y, m, d, 23, 59) + 59), 0,
								icaltimezone_get_utc_timezone());
		}
		icalcomponent_add_property(ev, icalproperty_new_rrule(r));
		for (size_t i = 0; i < e->nexdates; i++)
			icalcomponent_add_property(ev, with_tz(icalproperty_new_exdate(
				local(e->exdates[i], s->opens)), timed));
	}
	buf_release(&rule);
	text(ev, icalproperty_new_summary, e->summary);
	text(ev, icalproperty_new_location, e->location);
	text(ev, icalproperty_new_description, e->description);
	text(ev, icalproperty_new_url, e->url);
	icalcomponent_add_component(cal, ev);
	return ERR_OK;
}

enum err ical_calendar(const char *name, const struct ical_event *ev, size_t n, int64_t now,
		struct buf *out)
{
	icalcomponent *cal = icalcomponent_vanew(ICAL_VCALENDAR_COMPONENT,
		icalproperty_new_version("2.0"), icalproperty_new_prodid("-//kith//kith//EN"),
		icalproperty_new_calscale("GREGORIAN"), icalproperty_new_method(ICAL_METHOD_PUBLISH),
		(void *)0);
	icalcomponent *tz = london();
	enum err e = cal && tz ? ERR_OK : ERR_NOMEM;
	char *s;

	if (e) {
		icalcomponent_free(cal);
		icalcomponent_free(tz);
		return e;
	}
	if (name && *name) {
		icalproperty *p = icalproperty_new_x(name);

		icalproperty_set_x_name(p, "X-WR-CALNAME");
		icalcomponent_add_property(cal, p);
		p = icalproperty_new_x(ICAL_TZID);
		icalproperty_set_x_name(p, "X-WR-TIMEZONE");
		icalcomponent_add_property(cal, p);
	}
	icalcomponent_add_component(cal, tz);
	for (size_t i = 0; i < n && !e; i++)
		e = event(cal, &ev[i], now);
	if (e == ERR_OK) {
		if ((s = icalcomponent_as_ical_string_r(cal)) != NULL) {
			buf_adds(out, s);
			free(s);
			e = buf_ok(out) ? ERR_OK : ERR_NOMEM;
		} else {
			e = ERR_NOMEM;
		}
	}
	icalcomponent_free(cal);
	return e;
}
