/*
 * test_group_calendar.c - groups' calendar files (src/groups/calendar.c,
 * calendar_web.c) through app_handle(), on both backends, with the clock
 * pinned (NOW, a Monday), each file read by an independent iCalendar
 * parser: python-icalendar, with python-dateutil expanding RRULEs
 * (Debian's python3-icalendar and python3-dateutil, run as
 * /usr/bin/python3, as tests/unit/test_ical.c does).
 *
 * The group meets every Tuesday 10:00-11:30, every other Thursday
 * 14:00-15:00 and on the 15th of each month 18:00-19:00 (some 15ths are
 * a Tuesday or a fortnight's Thursday: one session that day, the
 * earlier). Its hosts cancelled, moved, re-placed and added sessions, in
 * the past and to come, up to four years ahead. The group's feed,
 * expanded by python-dateutil (each RRULE less its EXDATEs, plus every
 * event without a rule: the RECURRENCE-ID overrides and one-offs), must
 * give exactly the sessions group_sessions gives over five years, day and
 * time. One session's file: its day and time, place, page, UID and
 * SEQUENCE; moved, somewhere else, cancelled (410), not a session (404),
 * a service without a group. A person's feed: the sessions they are
 * going to from 90 days back, only theirs, cancelled ones gone; its
 * token (a wrong one 404, a replaced one 404, a deactivated account's
 * 404); the page that makes and replaces it, and its words.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>
#include <unistd.h>

#include "auth/person.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "directory/directory.h"
#include "groups/calendar.h"
#include "groups/groups.h"
#include "store/store.h"
#include "support/cast.h"
#include "support/reqtest.h"

/* Monday 30 November 2026, 09:00 GMT. */
#define NOW uk_to_utc(2026, 11, 30, 9, 0)
#define DAY INT64_C(86400)
#define BASE "https://kith.example.org"

struct fx {
	struct rt *t;
	RT_CAST_MEMBERS;
	char walk[37], club[37], draft[37];
};

static const struct group_env *env(struct rt *t)
{
	static struct group_env e;

	e = (struct group_env){ .links = &t->app.links };
	return &e;
}

/* ---------------------------------------------------------------- python */

/* "dump": one line per VEVENT, UID|DTSTART|DTEND|SUMMARY|LOCATION|URL|
 * RECURRENCE-ID|SEQUENCE|DESCRIPTION, then "NAME|<X-WR-CALNAME>".
 * "expand FIRST LAST": every session from FIRST to LAST, "YYYY-MM-DD
 * HH:MM" (or the day alone), sorted: each RRULE less its EXDATEs, and
 * every event without a rule. */
static const char *const calendar_py =
	"import sys, datetime\n"
	"from icalendar import Calendar\n"
	"from dateutil.rrule import rrulestr\n"
	"cal = Calendar.from_ical(open(sys.argv[1], 'rb').read())\n"
	"def fmt(v):\n"
	"    if isinstance(v, datetime.datetime): return v.strftime('%Y-%m-%d %H:%M')\n"
	"    return v.isoformat()\n"
	"def day(v): return v.date() if isinstance(v, datetime.datetime) else v\n"
	"def val(ev, k):\n"
	"    v = ev.get(k)\n"
	"    if v is None: return ''\n"
	"    if k in ('DTSTART', 'DTEND', 'RECURRENCE-ID'): return fmt(ev.decoded(k))\n"
	"    return str(v).replace('\\n', '\\\\n')\n"
	"if sys.argv[2] == 'dump':\n"
	"    for ev in cal.walk('VEVENT'):\n"
	"        print('|'.join(val(ev, k) for k in ('UID', 'DTSTART', 'DTEND', 'SUMMARY', 'LOCATION', 'URL',\n"
	"              'RECURRENCE-ID', 'SEQUENCE', 'DESCRIPTION')))\n"
	"    print('NAME|' + str(cal.get('X-WR-CALNAME', '')))\n"
	"    sys.exit(0)\n"
	"first = datetime.date.fromisoformat(sys.argv[3])\n"
	"last = datetime.date.fromisoformat(sys.argv[4])\n"
	"out = []\n"
	"for ev in cal.walk('VEVENT'):\n"
	"    start = ev.decoded('DTSTART')\n"
	"    rule = ev.get('RRULE')\n"
	"    if rule is None:\n"
	"        if first <= day(start) <= last: out.append(fmt(start))\n"
	"        continue\n"
	"    ex = set()\n"
	"    exd = ev.get('EXDATE')\n"
	"    for e in (exd if isinstance(exd, list) else [exd] if exd else []):\n"
	"        for d in e.dts: ex.add(day(d.dt))\n"
	"    for d in rrulestr(rule.to_ical().decode(), dtstart=start):\n"
	"        if day(d) > last: break\n"
	"        if day(d) >= first and day(d) not in ex: out.append(fmt(d))\n"
	"for s in sorted(out): print(s)\n";

static bool python_ready(void)
{
	static int ready = -1;

	if (ready < 0)
		ready = access("/usr/bin/python3", X_OK) == 0 &&
			system("/usr/bin/python3 -c 'import icalendar, dateutil' >/dev/null 2>&1") == 0;
	if (!ready)
		print_message("python3-icalendar or python3-dateutil is missing: files not cross-checked\n");
	return ready;
}

/* What python makes of an iCalendar file (args: "dump" or "expand FIRST
 * LAST"): its output, which the caller frees. */
static char *python(const char *ics, size_t len, const char *args)
{
	char dir[] = "/tmp/kith-cal-XXXXXX", path[64], script[64], cmd[256];
	size_t n = 0, cap = 1 << 16;
	char *out = malloc(cap);
	FILE *f;

	assert_non_null(out);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/feed.ics", dir);
	snprintf(script, sizeof(script), "%s/cal.py", dir);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(ics, 1, len, f), len);
	fclose(f);
	assert_non_null(f = fopen(script, "w"));
	fputs(calendar_py, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s %s %s", script, path, args);
	assert_non_null(f = popen(cmd, "r"));
	for (size_t k; (k = fread(out + n, 1, cap - n - 1, f)) > 0;) {
		n += k;
		if (n + 1 == cap) {
			cap *= 2;
			assert_non_null(out = realloc(out, cap));
		}
	}
	out[n] = '\0';
	if (pclose(f) != 0)
		fail_msg("python could not read the file:\n%.*s", (int)len, ics);
	unlink(path);
	unlink(script);
	rmdir(dir);
	return out;
}

/* GET target as a calendar program would (no cookie): 200 text/calendar. */
static void get_ics(struct rt *t, const char *target, struct rt_resp *r)
{
	rt_get(t, target, r);
	if (r->status != 200)
		fail_msg("GET %s: %d %s", target, r->status, r->body ? r->body : "");
	assert_string_equal(r->content_type, "text/calendar; charset=utf-8");
	assert_non_null(strstr(r->body, "BEGIN:VCALENDAR"));
}

/* The dump's line whose UID starts with uid (and, when rid is not NULL, with that
 * RECURRENCE-ID), or fail. A pointer into dump, to the line's end. */
static char *line_of(char *dump, const char *uid, const char *rid)
{
	for (char *p = dump; p && *p;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[4096];

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		if (strncmp(line, uid, strlen(uid)) == 0) {
			if (!rid || strstr(line, rid)) {
				static char copy[4096];

				memcpy(copy, line, sizeof(copy));
				return copy;
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	fail_msg("no VEVENT %s%s%s in:\n%s", uid, rid ? " at " : "", rid ? rid : "", dump);
	return NULL;
}

/* ---------------------------------------------------------------- the fixture */

static void session_do(struct fx *x, enum err want, enum err (*fn)(struct fx *, void *), void *arg)
{
	enum err e;

	assert_int_equal(db_begin(rt_db(x->t)), ERR_OK);
	e = fn(x, arg);
	if (e != want)
		fail_msg("wanted %s, got %s", err_name(want), err_name(e));
	assert_int_equal(e == ERR_OK ? db_commit(rt_db(x->t)) : db_rollback(rt_db(x->t)), ERR_OK);
}

struct op {
	const char *skey;
	struct group_change c;
	int64_t now;
	int64_t person;
};

static enum err do_cancel(struct fx *x, void *arg)
{
	struct op *o = arg;
	json_t *errors = json_array();
	enum err e = group_session_cancel(env(x->t), rt_db(x->t), x->walk, o->skey, o->c.note, x->olu, o->now,
					  errors);

	json_decref(errors);
	return e;
}

static enum err do_change(struct fx *x, void *arg)
{
	struct op *o = arg;
	json_t *errors = json_array();
	enum err e = group_session_change(env(x->t), rt_db(x->t), x->walk, o->skey, &o->c, x->olu, o->now,
					  errors);

	if (e)
		print_message("%s\n", json_dumps(errors, 0));
	json_decref(errors);
	return e;
}

static enum err do_one_off(struct fx *x, void *arg)
{
	struct op *o = arg;
	json_t *errors = json_array();
	char skey[GROUP_SKEY];
	enum err e = group_one_off_add(env(x->t), rt_db(x->t), x->walk, &o->c, x->olu, o->now, skey, errors);

	json_decref(errors);
	return e;
}

static enum err do_rsvp(struct fx *x, void *arg)
{
	struct op *o = arg;
	enum rsvp_state st;
	const char *why;

	return group_rsvp(env(x->t), rt_db(x->t), x->walk, o->skey, o->person, o->now, &st, &why);
}

#define CANCEL(k, when) session_do(x, ERR_OK, do_cancel, &(struct op){ .skey = (k), .now = (when) })
#define CHANGE(k, when, ...) session_do(x, ERR_OK, do_change, &(struct op){ .skey = (k), .now = (when), \
	.c = { __VA_ARGS__ } })
#define ONE_OFF(when, ...) session_do(x, ERR_OK, do_one_off, &(struct op){ .now = (when), \
	.c = { __VA_ARGS__ } })
#define AS_IT_WAS .opens = -1, .closes = -1
#define RSVP(k, who, when) session_do(x, ERR_OK, do_rsvp, &(struct op){ .skey = (k), .person = (who), \
	.now = (when) })

static int setup(void **state)
{
	static const char *const settings[] = { "rate_limit=0", "dev_mode=true", "base_url=" BASE, NULL };
	struct group_fields gf = { .welcome = "Welcome", .open = true };
	int64_t past = NOW - 300 * DAY;    /* Tuesday 3 February 2026 */
	json_t *errors = json_array();
	struct fx *x;
	struct svc_form f = {
		.org_id = RT_ORG_A, .name = "Breathe Easy Scunthorpe", .description = "Tea and talk.",
		.join = JOIN_TURN_UP, .free = true, .in_person = true, .place_name = "Church Hall",
		.address_1 = "1 Park Road", .town = "Scunthorpe", .postcode = "DN15 6XX",
		.access_notes = "Ramp at the side door",
		.scheds = {
			{ .kind = "weekly", .weekday = 1, .opens = "10:00", .closes = "11:30" },
			{ .kind = "fortnightly", .weekday = 3, .opens = "14:00", .closes = "15:00" },
			{ .kind = "monthly-date", .monthday = 15, .opens = "18:00", .closes = "19:00" },
		},
	};

	time_set_fake(NOW);
	if (!(x = rt_fixture(state, sizeof(*x), settings)))
		return -1;
	rt_cast(x->t, &x->cast, RT_CAST_EVERYONE | RT_CAST_BROWSERS);
	/* Made 400 days ago: its every other Thursday counts from then. */
	rt_service_form(x->t, &f, SVC_PUBLISHED, NOW - 400 * DAY, x->walk);
	rt_service_at(x->t, RT_ORG_B, "Brigg Lunch Club", SVC_PUBLISHED, "walking", NOW, x->club);
	rt_service_at(x->t, RT_ORG_A, "Draft Group", SVC_DRAFT, "walking", NOW, x->draft);
	assert_int_equal(db_begin(rt_db(x->t)), ERR_OK);
	assert_int_equal(group_create(rt_db(x->t), x->walk, &gf, x->olu, NOW, errors), ERR_OK);
	assert_int_equal(group_create(rt_db(x->t), x->draft, &gf, x->olu, NOW, errors), ERR_OK);
	assert_int_equal(db_commit(rt_db(x->t)), ERR_OK);
	json_decref(errors);

	/* Who is going, said before the changes below. */
	RSVP("2026-08-04", x->mo, uk_to_utc(2026, 8, 1, 9, 0));     /* past the feed's 90 days */
	RSVP("2026-10-06", x->mo, uk_to_utc(2026, 10, 1, 9, 0));    /* within them */
	RSVP("2026-12-01", x->mo, NOW);
	RSVP("2026-12-08", x->mo, NOW);                             /* cancelled below */
	RSVP("2026-12-15", x->mo, NOW);                             /* moved below */
	RSVP("2026-12-22", x->mo, NOW);                             /* elsewhere below */
	RSVP("2026-12-29", x->bea, NOW);

	/* Changes to sessions from before the feed starts (a year back),
	 * moved into it: one kept, one then cancelled. */
	CHANGE("2025-11-25", uk_to_utc(2025, 11, 3, 9, 0), AS_IT_WAS, .day = "2025-12-03");
	CHANGE("2025-11-18", uk_to_utc(2025, 11, 3, 9, 0), AS_IT_WAS, .day = "2025-12-10");
	CANCEL("2025-11-18", uk_to_utc(2025, 11, 3, 9, 0));
	/* Changes made in the past (now was 3 February 2026). */
	CANCEL("2026-03-10", past);
	CHANGE("2026-03-24", past, .day = "2026-03-25", .opens = 11 * 60, .closes = 12 * 60);
	CHANGE("2026-04-07", past, AS_IT_WAS, .place = "Scout Hut, Mill Lane", .postcode = "DN16 1AB");
	CHANGE("2026-03-15", past, AS_IT_WAS, .day = "2026-03-16");
	ONE_OFF(past, .day = "2026-04-08", .opens = 12 * 60, .closes = 15 * 60, .title = "Spring picnic");
	/* And now, for sessions to come. */
	CANCEL("2026-12-08", NOW);
	CHANGE("2026-12-15", NOW, .day = "2026-12-17", .opens = 14 * 60 + 30, .closes = 15 * 60 + 30,
	       .note = "At the library this week");
	CHANGE("2026-12-22", NOW, AS_IT_WAS, .place = "St John's Hall, Church Lane", .postcode = "DN15 7AA");
	CANCEL("2027-03-15", NOW);
	ONE_OFF(NOW, .day = "2027-01-06", .opens = 12 * 60, .closes = 14 * 60, .title = "New Year lunch");
	ONE_OFF(NOW, AS_IT_WAS, .day = "2027-02-03", .title = "Quiz night");
	CANCEL("2027-02-03", NOW);
	CHANGE("2027-02-02", NOW, AS_IT_WAS, .day = "2027-02-05");
	CHANGE("2027-04-13", NOW, AS_IT_WAS, .day = "2027-04-14");
	CANCEL("2027-04-13", NOW);
	CANCEL("2027-02-04", NOW);                                   /* a fortnight's Thursday */
	CANCEL("2030-06-04", NOW);                                   /* three and a half years on */
	return 0;
}

static int teardown(void **state)
{
	return rt_fixture_free(state);
}

/* ---------------------------------------------------------------- the group's feed */

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* group_sessions over first..last, 62 days at a time, as python prints
 * them: "YYYY-MM-DD HH:MM" a line, sorted. The caller frees it. */
static char *kith_sessions(struct fx *x, int64_t first, int64_t last, int64_t today, size_t *count)
{
	char **lines = NULL;
	size_t n = 0, cap = 0, len = 0;
	struct arena a;
	char *out;

	arena_init(&a);
	for (int64_t from = first; from <= last; from += GROUP_WINDOW_MAX) {
		int64_t to = from + GROUP_WINDOW_MAX - 1 < last ? from + GROUP_WINDOW_MAX - 1 : last;
		struct group_session *v;
		size_t nv;

		assert_int_equal(group_sessions(rt_db(x->t), &a, x->walk, from, to, today, &v, &nv), ERR_OK);
		for (size_t i = 0; i < nv; i++) {
			char day[UK_ISO_DAY], line[40];

			if (v[i].cancelled)
				continue;
			uk_format_iso_day(v[i].day, day);
			if (v[i].opens >= 0)
				snprintf(line, sizeof(line), "%s %02d:%02d", day, v[i].opens / 60, v[i].opens % 60);
			else
				snprintf(line, sizeof(line), "%s", day);
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				assert_non_null(lines = realloc(lines, cap * sizeof(*lines)));
			}
			assert_non_null(lines[n++] = strdup(line));
			len += strlen(line) + 1;
		}
	}
	arena_release(&a);
	qsort(lines, n, sizeof(*lines), str_cmp);
	assert_non_null(out = calloc(1, len + 1));
	for (size_t i = 0, o = 0; i < n; i++) {
		o += (size_t)snprintf(out + o, len + 1 - o, "%s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
	*count = n;
	return out;
}

static void group_feed_is_group_sessions(void **state)
{
	struct fx *x = *state;
	int64_t today = uk_local_day(NOW), first = today - CALENDAR_GROUP_PAST_DAYS, last = first + 5 * 365;
	char target[128], args[64], d1[UK_ISO_DAY], d2[UK_ISO_DAY];
	struct rt_resp r;
	char *ours, *theirs, *dump;
	size_t n;

	snprintf(target, sizeof(target), "/groups/%s/calendar.ics", x->walk);
	get_ics(x->t, target, &r);
	/* RFC 5545 as libical writes it: the zone, the rules, the changes. */
	assert_non_null(strstr(r.body, "BEGIN:VTIMEZONE"));
	assert_non_null(strstr(r.body, "TZID:Europe/London"));
	assert_non_null(strstr(r.body, "RRULE:FREQ=WEEKLY;BYDAY=TU"));
	assert_non_null(strstr(r.body, "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"));
	assert_non_null(strstr(r.body, "RRULE:FREQ=MONTHLY;BYMONTHDAY=15"));
	assert_non_null(strstr(r.body, "EXDATE;TZID=Europe/London:20261208T100000"));
	assert_non_null(strstr(r.body, "RECURRENCE-ID;TZID=Europe/London:"));
	assert_non_null(strstr(r.body, "X-WR-CALNAME:Breathe Easy Scunthorpe"));
	if (!python_ready()) {
		rt_resp_free(&r);
		return;
	}
	/* Five years of sessions, as python-dateutil expands the file, are
	 * exactly group_sessions'. */
	uk_format_iso_day(first, d1);
	uk_format_iso_day(last, d2);
	snprintf(args, sizeof(args), "expand %s %s", d1, d2);
	theirs = python(r.body, r.len, args);
	ours = kith_sessions(x, first, last, today, &n);
	if (strcmp(ours, theirs) != 0) {
		FILE *f = fopen("/tmp/kith-cal-ours.txt", "w"), *g = fopen("/tmp/kith-cal-theirs.txt", "w");

		if (f && g) {
			fputs(ours, f);
			fputs(theirs, g);
		}
		if (f)
			fclose(f);
		if (g)
			fclose(g);
		fail_msg("the feed's sessions differ from group_sessions' (%zu): diff /tmp/kith-cal-ours.txt "
			 "/tmp/kith-cal-theirs.txt", n);
	}
	assert_true(n > 5 * 52 + 5 * 26 + 5 * 12 - 40);
	/* Each change is where it should be. */
	assert_null(strstr(ours, "2026-12-08"));
	assert_null(strstr(ours, "2026-12-15"));          /* the Tuesday and the 15th: one, moved */
	assert_non_null(strstr(ours, "2026-12-17 14:30"));
	assert_non_null(strstr(ours, "2026-03-25 11:00"));
	assert_non_null(strstr(ours, "2026-03-16 18:00"));
	assert_non_null(strstr(ours, "2025-12-03 10:00"));   /* moved in from before the feed */
	assert_null(strstr(ours, "2025-12-10"));
	assert_non_null(strstr(ours, "2026-04-08 12:00"));   /* a one-off */
	assert_non_null(strstr(ours, "2027-01-06 12:00"));
	assert_null(strstr(ours, "2027-02-03"));            /* a one-off cancelled */
	assert_null(strstr(ours, "2027-04-13"));            /* moved, then cancelled */
	assert_null(strstr(ours, "2027-04-14"));
	assert_null(strstr(ours, "2030-06-04"));
	assert_non_null(strstr(ours, "2027-06-15 10:00"));  /* a 15th on a Tuesday: the earlier */
	assert_null(strstr(ours, "2027-06-15 18:00"));
	free(ours);
	free(theirs);

	/* The overrides: the series' UID, their own day, SEQUENCE 1. */
	dump = python(r.body, r.len, "dump");
	{
		char *moved = strdup(line_of(dump, x->walk, "|2026-12-17 14:30|"));

		assert_non_null(strstr(moved, "|2026-12-17 15:30|Breathe Easy Scunthorpe|"));
		assert_non_null(strstr(moved, "|1|At the library this week"));
		assert_non_null(strstr(moved, "@kith.example.org|"));
		assert_non_null(strstr(moved, BASE "/groups/"));
		free(moved);
	}
	{
		char *elsewhere = line_of(dump, x->walk, "|2026-12-22 10:00|");

		assert_non_null(strstr(elsewhere, "|St John's Hall, Church Lane, DN15 7AA|"));
	}
	{
		char *lunch = line_of(dump, x->walk, "|2027-01-06 12:00|");

		assert_non_null(strstr(lunch, "Breathe Easy Scunthorpe: New Year lunch"));
		assert_non_null(strstr(lunch, "-20270106@kith.example.org|"));
	}
	/* The series: where it meets and how to get there. */
	{
		char *series = line_of(dump, x->walk, "|2025-12-02 10:00|");

		assert_non_null(strstr(series, "|Church Hall, 1 Park Road, Scunthorpe, DN15 6XX|"));
		assert_non_null(strstr(series, "Ramp at the side door"));
	}
	assert_non_null(strstr(dump, "NAME|Breathe Easy Scunthorpe"));
	free(dump);
	rt_resp_free(&r);
}

static void group_feed_refusals(void **state)
{
	struct fx *x = *state;
	char target[128];
	struct rt_resp r;

	/* A draft's group: nobody outside sees it, its organisers do. */
	snprintf(target, sizeof(target), "/groups/%s/calendar.ics", x->draft);
	rt_get_want(x->t, target, NULL, 404, &r);
	rt_resp_free(&r);
	rt_browser_get(x->t, &x->own, target, &r);
	assert_int_equal(r.status, 200);
	rt_resp_free(&r);
	/* A service without a group has no feed. */
	snprintf(target, sizeof(target), "/groups/%s/calendar.ics", x->club);
	rt_get_want(x->t, target, NULL, 404, &r);
	rt_resp_free(&r);
	rt_get_want(x->t, "/groups/00000000-0000-4000-8000-000000000000/calendar.ics", NULL, 404, &r);
	rt_resp_free(&r);
}

/* ---------------------------------------------------------------- one session */

static void session_files(void **state)
{
	struct fx *x = *state;
	char target[160], uid[96];
	struct rt_resp r;
	char *dump, *line;

	snprintf(target, sizeof(target), "/groups/%s/sessions/2026-12-01/calendar.ics", x->walk);
	get_ics(x->t, target, &r);
	assert_string_equal(rt_header(&r, "Content-Disposition"), "attachment; filename=\"session-2026-12-01.ics\"");
	assert_null(strstr(r.body, "RRULE:FREQ=WEEKLY"));   /* the zone has rules; the event none */
	if (python_ready()) {
		dump = python(r.body, r.len, "dump");
		snprintf(uid, sizeof(uid), "%s-20261201@kith.example.org", x->walk);
		line = line_of(dump, uid, NULL);
		assert_non_null(strstr(line, "|2026-12-01 10:00|2026-12-01 11:30|Breathe Easy Scunthorpe|"
				       "Church Hall, 1 Park Road, Scunthorpe, DN15 6XX|"));
		snprintf(target, sizeof(target), "|" BASE "/groups/%s/sessions/2026-12-01|", x->walk);
		assert_non_null(strstr(line, target));
		assert_non_null(strstr(line, "Ramp at the side door"));
		free(dump);
	}
	rt_resp_free(&r);

	/* Moved: on its new day, the key's UID, SEQUENCE 1, the note. */
	snprintf(target, sizeof(target), "/groups/%s/sessions/2026-12-15/calendar.ics", x->walk);
	get_ics(x->t, target, &r);
	if (python_ready()) {
		dump = python(r.body, r.len, "dump");
		snprintf(uid, sizeof(uid), "%s-20261215@kith.example.org", x->walk);
		line = line_of(dump, uid, NULL);
		assert_non_null(strstr(line, "|2026-12-17 14:30|2026-12-17 15:30|"));
		assert_non_null(strstr(line, "|1|At the library this week"));
		free(dump);
	}
	rt_resp_free(&r);

	/* Somewhere else: that place. */
	snprintf(target, sizeof(target), "/groups/%s/sessions/2026-12-22/calendar.ics", x->walk);
	get_ics(x->t, target, &r);
	if (python_ready()) {
		dump = python(r.body, r.len, "dump");
		assert_non_null(strstr(dump, "|St John's Hall, Church Lane, DN15 7AA|"));
		free(dump);
	}
	rt_resp_free(&r);

	/* A one-off: its title. */
	snprintf(target, sizeof(target), "/groups/%s/sessions/2027-01-06/calendar.ics", x->walk);
	get_ics(x->t, target, &r);
	assert_non_null(strstr(r.body, "SUMMARY:Breathe Easy Scunthorpe: New Year lunch"));
	rt_resp_free(&r);

	/* A service without a group: its schedule's session, its page. */
	snprintf(target, sizeof(target), "/groups/%s/sessions/2026-12-01/calendar.ics", x->club);
	get_ics(x->t, target, &r);
	if (python_ready()) {
		dump = python(r.body, r.len, "dump");
		snprintf(uid, sizeof(uid), "%s-20261201@kith.example.org", x->club);
		line = line_of(dump, uid, NULL);
		assert_non_null(strstr(line, "|2026-12-01 10:00|2026-12-01 11:30|Brigg Lunch Club|"));
		snprintf(target, sizeof(target), "|" BASE "/services/%s|", x->club);
		assert_non_null(strstr(line, target));
		free(dump);
	}
	rt_resp_free(&r);

	/* Cancelled, not a session, not a date, a draft's. */
	snprintf(target, sizeof(target), "/groups/%s/sessions/2026-12-08/calendar.ics", x->walk);
	rt_get_want(x->t, target, NULL, 410, &r);
	assert_true(rt_has(&r, "cancelled"));
	rt_resp_free(&r);
	snprintf(target, sizeof(target), "/groups/%s/sessions/2026-12-02/calendar.ics", x->walk);
	rt_get_want(x->t, target, NULL, 404, &r);
	rt_resp_free(&r);
	snprintf(target, sizeof(target), "/groups/%s/sessions/tuesday/calendar.ics", x->walk);
	rt_get_want(x->t, target, NULL, 404, &r);
	rt_resp_free(&r);
	snprintf(target, sizeof(target), "/groups/%s/sessions/2026-12-01/calendar.ics", x->draft);
	rt_get_want(x->t, target, NULL, 404, &r);
	rt_resp_free(&r);
}

/* ---------------------------------------------------------------- a person's feed */

/* Opens /calendar as b and returns the feed's path from the page (the
 * caller frees it), or NULL when the page shows none. */
static char *feed_path(struct rt *t, struct rt_browser *b, const char *method, int status)
{
	struct rt_resp r;
	const char *p;
	char *path = NULL;

	if (strcmp(method, "GET") == 0)
		rt_browser_get(t, b, "/calendar", &r);
	else
		rt_browser_post(t, b, "/calendar/new", NULL, &r);
	assert_int_equal(r.status, status);
	if ((p = strstr(r.body, BASE "/calendar/")) != NULL) {
		p += strlen(BASE);
		assert_int_equal(strspn(p + 10, "0123456789abcdef"), CALENDAR_TOKEN_HEX);
		assert_int_equal(strncmp(p + 10 + CALENDAR_TOKEN_HEX, ".ics\"", 5), 0);
		path = strndup(p, 10 + CALENDAR_TOKEN_HEX + 4);
	}
	rt_resp_free(&r);
	return path;
}

static void person_feed(void **state)
{
	struct fx *x = *state;
	char uid[96], *mo, *bea, *dump;
	struct rt_resp r;

	assert_non_null(mo = feed_path(x->t, &x->member, "GET", 200));
	get_ics(x->t, mo, &r);
	assert_null(rt_header(&r, "Content-Disposition"));
	if (python_ready()) {
		dump = python(r.body, r.len, "dump");
		/* Within 90 days back, to come, moved, elsewhere. */
		snprintf(uid, sizeof(uid), "%s-20261006@kith.example.org", x->walk);
		line_of(dump, uid, "|2026-10-06 10:00|");
		snprintf(uid, sizeof(uid), "%s-20261201@kith.example.org", x->walk);
		line_of(dump, uid, "|2026-12-01 10:00|");
		snprintf(uid, sizeof(uid), "%s-20261215@kith.example.org", x->walk);
		line_of(dump, uid, "|2026-12-17 14:30|");
		snprintf(uid, sizeof(uid), "%s-20261222@kith.example.org", x->walk);
		assert_non_null(strstr(line_of(dump, uid, NULL), "St John's Hall"));
		/* Too long ago, cancelled, and Bea's: not here. */
		assert_null(strstr(dump, "-20260804@"));
		assert_null(strstr(dump, "-20261208@"));
		assert_null(strstr(dump, "-20261229@"));
		assert_non_null(strstr(dump, "NAME|My groups"));
		free(dump);
	}
	rt_resp_free(&r);
	/* Bea's is hers alone. */
	assert_non_null(bea = feed_path(x->t, &x->other, "GET", 200));
	assert_string_not_equal(mo, bea);
	get_ics(x->t, bea, &r);
	assert_non_null(strstr(r.body, "-20261229@kith.example.org"));
	assert_null(strstr(r.body, "-20261201@"));
	rt_resp_free(&r);
	/* Only the hash is kept. */
	{
		static const struct sql q = { "tgc.feed_hash",
			"SELECT count(*) FROM calendar_feed WHERE token_hash = $1", NULL };
		char token[CALENDAR_TOKEN_HEX + 1];

		snprintf(token, sizeof(token), "%.*s", CALENDAR_TOKEN_HEX, mo + 10);
		assert_int_equal(rt_count(x->t, &q, DB_ARGS(DB_TEXT(token))), 0);
	}
	free(mo);
	free(bea);
}

static void feed_tokens(void **state)
{
	struct fx *x = *state;
	char *old, *again, *fresh, bad[128];
	struct rt_resp r;

	assert_non_null(old = feed_path(x->t, &x->member, "GET", 200));
	/* The second visit does not show it again (only its hash is kept). */
	again = feed_path(x->t, &x->member, "GET", 200);
	assert_null(again);
	rt_browser_get_is(x->t, &x->member, "/calendar", 200, "You made your calendar link on 30 November 2026",
			  "Make a new link", NULL);
	/* Wrong tokens, the same 404 as an address that is not there. */
	snprintf(bad, sizeof(bad), "/calendar/%064d.ics", 0);
	rt_get_want(x->t, bad, NULL, 404, &r);
	assert_true(rt_has(&r, "This calendar link does not work"));
	rt_resp_free(&r);
	snprintf(bad, sizeof(bad), "%.*s", (int)strlen(old) - 4, old);   /* without .ics */
	rt_get_want(x->t, bad, NULL, 404, &r);
	rt_resp_free(&r);
	snprintf(bad, sizeof(bad), "%s", old);
	for (char *c = bad + 10; *c != '.'; c++)
		*c = (char)(*c >= 'a' ? *c - 32 : *c);                    /* in capitals */
	rt_get_want(x->t, bad, NULL, 404, &r);
	rt_resp_free(&r);
	rt_get_want(x->t, "/calendar/walk.ics", NULL, 404, &r);
	rt_resp_free(&r);
	/* A new link: shown at once; the old stops working. */
	assert_non_null(fresh = feed_path(x->t, &x->member, "POST", 200));
	assert_string_not_equal(fresh, old);
	rt_get_want(x->t, old, NULL, 404, &r);
	rt_resp_free(&r);
	get_ics(x->t, fresh, &r);
	assert_non_null(strstr(r.body, "-20261201@kith.example.org"));
	rt_resp_free(&r);
	assert_int_equal(rt_audit_about(x->t, "group.calendar_feed_new", x->mo), 2);
	/* Without a form token, nothing changes. */
	rt_browser_request(x->t, &x->member, "POST", "/calendar/new", NULL, "", &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);
	get_ics(x->t, fresh, &r);
	rt_resp_free(&r);
	/* A deactivated account's feed goes quiet. */
	assert_int_equal(person_set_deactivated(rt_db(x->t), x->mo, true, NOW), ERR_OK);
	rt_get_want(x->t, fresh, NULL, 404, &r);
	rt_resp_free(&r);
	free(old);
	free(fresh);
}

static void the_page_says_what_it_is(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;

	rt_browser_get_is(x->t, &x->member, "/calendar", 200, "Your calendar link",
			  "This link is private", "Anyone who has it can see which sessions you are going to",
			  "we show it only once", "iPhone or iPad", "Add Subscribed Calendar", "Android phone",
			  "From URL", "Outlook", "Subscribe from web", "The old link stops working", NULL);
	/* Visitors are asked to sign in. */
	rt_get(x->t, "/calendar", &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(rt_header(&r, "Location"), "/login?next=%2Fcalendar");
	rt_resp_free(&r);
	rt_post(x->t, "/calendar/new", "application/x-www-form-urlencoded", "", &r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(group_feed_is_group_sessions),
		T(group_feed_refusals),
		T(session_files),
		T(person_feed),
		T(feed_tokens),
		T(the_page_says_what_it_is),
	};
#undef T

	return testdb_run_groups("group calendars", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
