/*
 * test_ical.c - iCalendar files of sessions (src/cal/ical.c).
 *
 * What is written is read back twice: by libical's parser (the grammar,
 * the time zone, the properties), and by an independent reader,
 * python-icalendar with python-dateutil's RRULE expansion (Debian's
 * python3-icalendar and python3-dateutil, run as /usr/bin/python3), whose
 * sessions over five years of a weekly series with cancelled days must
 * be exactly kith's own (sched_days less the exceptions). A monthly and
 * an all-day series are checked the same way.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cal/ical.h"
#include "core/buf.h"
#include "core/uktime.h"
#include "search/recur.h"

#define D(y, m, d) uk_days((y), (m), (d))
#define NOW INT64_C(1796025600)   /* 1 December 2026, 08:00 UTC */

/* Expands the VEVENT whose UID is argv[3] (not its moved sessions, which
 * have a RECURRENCE-ID): its RRULE less its EXDATEs, with python-dateutil,
 * printing one local date a line, YYYY-MM-DD, up to argv[2]. */
static const char *const expand_py =
	"import sys, datetime\n"
	"from icalendar import Calendar\n"
	"from dateutil.rrule import rrulestr\n"
	"cal = Calendar.from_ical(open(sys.argv[1], 'rb').read())\n"
	"last = datetime.date.fromisoformat(sys.argv[2])\n"
	"out = set()\n"
	"for ev in cal.walk('VEVENT'):\n"
	"    if str(ev.get('UID')) != sys.argv[3] or ev.get('RECURRENCE-ID') is not None: continue\n"
	"    start = ev.decoded('DTSTART')\n"
	"    first = start if isinstance(start, datetime.datetime) else "
	"datetime.datetime.combine(start, datetime.time())\n"
	"    ex = set()\n"
	"    exd = ev.get('EXDATE')\n"
	"    for e in (exd if isinstance(exd, list) else [exd] if exd else []):\n"
	"        for d in e.dts:\n"
	"            v = d.dt\n"
	"            ex.add(v.date() if isinstance(v, datetime.datetime) else v)\n"
	"    rule = ev.get('RRULE')\n"
	"    if rule is None:\n"
	"        out.add(first.date())\n"
	"        continue\n"
	"    r = rrulestr(rule.to_ical().decode(), dtstart=first)\n"
	"    for d in r:\n"
	"        if d.date() > last: break\n"
	"        if d.date() not in ex: out.add(d.date())\n"
	"for d in sorted(out): print(d.isoformat())\n";

static bool python_ready(void)
{
	return access("/usr/bin/python3", X_OK) == 0 &&
	       system("/usr/bin/python3 -c 'import icalendar, dateutil' >/dev/null 2>&1") == 0;
}

/* The days python makes of the file, into out. */
static size_t python_days(const char *ics, const char *uid, int64_t last, int64_t *out, size_t max)
{
	char dir[] = "/tmp/kith-ical-XXXXXX", path[64], script[64], cmd[320], line[32];
	FILE *f;
	size_t n = 0;
	int y, m, d;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/feed.ics", dir);
	snprintf(script, sizeof(script), "%s/expand.py", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs(ics, f);
	fclose(f);
	assert_non_null(f = fopen(script, "w"));
	fputs(expand_py, f);
	fclose(f);
	uk_date(last, &y, &m, &d);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s %s %04d-%02d-%02d '%s'", script, path, y, m, d, uid);
	assert_non_null(f = popen(cmd, "r"));
	while (fgets(line, sizeof(line), f)) {
		int64_t day;

		line[strcspn(line, "\n")] = 0;
		assert_true(uk_parse_day(line, &day));
		if (n < max)
			out[n] = day;
		n++;
	}
	assert_int_equal(pclose(f), 0);
	unlink(path);
	unlink(script);
	rmdir(dir);
	return n;
}

/* kith's own: the schedule's days less the exceptions. */
static size_t kith_days(const struct sched *s, const int64_t *ex, size_t nex, int64_t last, int64_t *out,
		size_t max)
{
	size_t n = sched_days(s, s->start_day, last, 0, out, max), k = 0;

	assert_true(n <= max);
	for (size_t i = 0; i < n; i++) {
		bool skip = false;

		for (size_t j = 0; j < nex; j++)
			skip |= out[i] == ex[j];
		if (!skip)
			out[k++] = out[i];
	}
	return k;
}

static void same_days(const struct ical_event *ev, const char *ics, int64_t last)
{
	static int64_t ours[4000], theirs[4000];
	size_t n = kith_days(ev->sched, ev->exdates, ev->nexdates, last, ours, 4000);
	size_t k = python_days(ics, ev->uid, last, theirs, 4000);

	if (n != k || memcmp(ours, theirs, n * sizeof(*ours)) != 0)
		fail_msg("%s: kith %zu sessions, python-dateutil %zu", ev->uid, n, k);
}

static void a_weekly_series_with_exceptions(void **state)
{
	/* Every other Thursday, 14:00 to 16:00, for five years, with
	 * Christmas and two others off. */
	struct sched s = { .freq = SCHED_WEEKLY, .interval = 2, .weekdays = 1u << 3, .opens = 840,
			   .closes = 960, .start_day = D(2026, 12, 3), .end_day = D(2031, 12, 4) };
	const int64_t ex[] = { D(2026, 12, 31), D(2027, 3, 25), D(2029, 12, 27) };
	const struct ical_event ev = { .uid = "series-1@kith.test", .summary = "Breathe Easy, Brigg",
		.location = "Angel Suite, Market Place, Brigg DN20 8LD", .description = "Tea, talk; a",
		.url = "https://kith.test/groups/1", .sched = &s, .exdates = ex, .nexdates = ARRAY_LEN(ex) };
	icalcomponent *cal, *vev;
	icalproperty *p;
	struct buf b;
	int exdates = 0;

	UNUSED(state);
	buf_init(&b, 1 << 20);
	assert_int_equal(ical_calendar("Breathe Easy", &ev, 1, NOW, &b), ERR_OK);
	/* libical reads it back. */
	assert_non_null(cal = icalparser_parse_string(b.p));
	assert_non_null(icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT));
	assert_non_null(vev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT));
	assert_string_equal(icalcomponent_get_uid(vev), "series-1@kith.test");
	assert_string_equal(icalcomponent_get_summary(vev), "Breathe Easy, Brigg");
	p = icalcomponent_get_first_property(vev, ICAL_DTSTART_PROPERTY);
	assert_string_equal(icalparameter_get_tzid(icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER)),
			    "Europe/London");
	assert_int_equal(icalproperty_get_dtstart(p).hour, 14);
	assert_int_equal(icalproperty_get_dtend(icalcomponent_get_first_property(vev, ICAL_DTEND_PROPERTY)).hour,
			 16);
	for (p = icalcomponent_get_first_property(vev, ICAL_EXDATE_PROPERTY); p;
	     p = icalcomponent_get_next_property(vev, ICAL_EXDATE_PROPERTY))
		exdates++;
	assert_int_equal(exdates, 3);
	/* UNTIL is a UTC time, as DTSTART has a time: the end of 4 December
	 * 2031 in London (GMT) is 23:59:59Z. */
	assert_non_null(strstr(b.p, "UNTIL=20311204T235959Z"));
	/* Text is escaped as RFC 5545 says. */
	assert_non_null(strstr(b.p, "Tea\\, talk\\; a"));
	icalcomponent_free(cal);
	/* And an independent reader makes the same sessions. */
	if (python_ready())
		same_days(&ev, b.p, D(2031, 12, 31));
	else
		print_message("python3-icalendar or python3-dateutil is missing: not cross-checked\n");
	buf_release(&b);
}

static void monthly_all_day_and_a_moved_session(void **state)
{
	struct sched first_monday = { .freq = SCHED_MONTHLY, .interval = 1, .opens = 600, .closes = 720,
				      .start_day = D(2027, 1, 4) };
	struct sched walk = { .freq = SCHED_WEEKLY, .interval = 1, .weekdays = 1u << 5, .opens = -1,
			      .closes = -1, .start_day = D(2026, 12, 5), .end_day = D(2027, 6, 26) };
	struct sched moved = { .freq = SCHED_ONCE, .interval = 1, .opens = 840, .closes = 960,
			       .start_day = D(2027, 2, 2) };
	const int64_t ex[] = { D(2027, 2, 1) };
	struct ical_event ev[3] = {
		{ .uid = "series-2@kith.test", .summary = "Carers' cafe", .sched = &first_monday,
		  .exdates = ex, .nexdates = 1 },
		{ .uid = "series-3@kith.test", .summary = "Saturday walk", .sched = &walk },
		{ .uid = "series-2@kith.test", .summary = "Carers' cafe (Tuesday this month)",
		  .sched = &moved, .recurrence_id = D(2027, 2, 1), .recurrence_of = &first_monday, .sequence = 1 },
	};
	struct buf b;

	UNUSED(state);
	assert_true(sched_add_byday(&first_monday, 1, 0));
	buf_init(&b, 1 << 20);
	assert_int_equal(ical_calendar(NULL, ev, 3, NOW, &b), ERR_OK);
	assert_non_null(strstr(b.p, "RRULE:FREQ=MONTHLY;BYDAY=1MO"));
	assert_non_null(strstr(b.p, "DTSTART;VALUE=DATE:20261205"));
	/* Moved to Tuesday afternoon: RECURRENCE-ID is the series' time that
	 * day (10:00), DTSTART the new one. */
	assert_non_null(strstr(b.p, "RECURRENCE-ID;TZID=Europe/London:20270201T100000"));
	assert_non_null(strstr(b.p, "DTSTART;TZID=Europe/London:20270202T140000"));
	assert_non_null(strstr(b.p, "SEQUENCE:1"));
	assert_null(strstr(b.p, "X-WR-CALNAME"));
	/* The series less its moved session, which is its own event. */
	if (python_ready())
		same_days(&ev[0], b.p, D(2028, 12, 31));
	buf_reset(&b);
	assert_int_equal(ical_calendar("Walks", &ev[1], 1, NOW, &b), ERR_OK);
	if (python_ready())
		same_days(&ev[1], b.p, D(2027, 12, 31));
	buf_release(&b);
}

static void refuses_an_event_it_cannot_write(void **state)
{
	struct sched s = { .freq = SCHED_ONCE, .interval = 1, .opens = 600, .closes = 660 };
	const struct ical_event no_uid = { .sched = &s }, no_day = { .uid = "x@kith.test", .sched = &s };
	struct buf b;

	UNUSED(state);
	buf_init(&b, 4096);
	assert_int_equal(ical_calendar("x", &no_uid, 1, NOW, &b), ERR_INVALID);
	assert_int_equal(ical_calendar("x", &no_day, 1, NOW, &b), ERR_INVALID);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_weekly_series_with_exceptions),
		cmocka_unit_test(monthly_all_day_and_a_moved_session),
		cmocka_unit_test(refuses_an_event_it_cannot_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
