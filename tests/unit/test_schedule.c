/*
 * test_schedule.c - ORUK schedules: lenient parsing, every refusal, the
 * words people read, the next session (across summer time, month ends,
 * intervals and validity), day-and-time bits and the compact form.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/str.h"
#include "core/uktime.h"
#include "oruk/sched_oruk.h"
#include "search/schedule.h"

/* Parses a JSON schedule that must be accepted. */
static struct sched parse(const char *json)
{
	json_error_t je;
	json_t *j = json_loads(json, 0, &je);
	struct sched s;
	const char *why = "unset";

	if (!j)
		fail_msg("bad test JSON %s: %s", json, je.text);
	if (sched_from_oruk(j, &s, &why) != ERR_OK)
		fail_msg("%s refused: %s", json, why);
	assert_null(why);
	json_decref(j);
	return s;
}

static char words_out[256];

static const char *words_of(const struct sched *s)
{
	struct buf b;

	buf_init(&b, 4096);
	sched_words(s, &b);
	assert_true(buf_ok(&b));
	assert_true(str_copy(words_out, sizeof(words_out), b.p));
	buf_release(&b);
	return words_out;
}

static const char *words(const char *json)
{
	struct sched s = parse(json);

	return words_of(&s);
}

/* UK local wall time as UTC. */
static int64_t at(int y, int mo, int d, int h, int mi)
{
	return uk_to_utc(y, mo, d, h, mi);
}

static int64_t next(const char *json, int64_t now)
{
	struct sched s = parse(json);

	return sched_next(&s, now);
}

/* ------------------------------------------------------------ words */

static void words_header_examples(void **state)
{
	UNUSED(state);
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"byday\":\"TU\",\"opens_at\":\"10:00\",\"closes_at\":\"11:30\"}"),
		"Every Tuesday, 10:00 to 11:30");
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"interval\":2,\"byday\":\"WE\",\"opens_at\":\"14:00\"}"),
		"Every other Wednesday, from 14:00");
	assert_string_equal(words("{\"freq\":\"MONTHLY\",\"byday\":\"1MO\",\"opens_at\":\"14:00\",\"closes_at\":\"16:00\"}"),
		"First Monday of the month, 14:00 to 16:00");
	assert_string_equal(words("{\"freq\":\"MONTHLY\",\"byday\":\"-1FR\"}"),
		"Last Friday of the month");
	assert_string_equal(words("{\"freq\":\"MONTHLY\",\"bymonthday\":\"15\"}"),
		"On the 15th of every month");
	assert_string_equal(words("{\"freq\":\"DAILY\"}"), "Every day");
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"byday\":\"MO,TU,WE,TH,FR\",\"opens_at\":\"09:00\",\"closes_at\":\"17:00\"}"),
		"Monday to Friday, 09:00 to 17:00");
	assert_string_equal(words("{\"dtstart\":\"2026-12-03\",\"opens_at\":\"10:00\",\"closes_at\":\"12:00\"}"),
		"On 3 December 2026, 10:00 to 12:00");
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"byday\":\"TU\",\"valid_to\":\"2027-03-31\"}"),
		"Every Tuesday, until 31 March 2027");
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"byday\":\"TU\",\"opens_at\":\"10:00\",\"closes_at\":\"11:30\",\"valid_to\":\"2027-03-31\"}"),
		"Every Tuesday, 10:00 to 11:30, until 31 March 2027");
}

static void words_weekly(void **state)
{
	UNUSED(state);
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"byday\":\"TU,TH\"}"), "Every Tuesday and Thursday");
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"byday\":\"TH,TU\"}"), "Every Tuesday and Thursday");
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"byday\":\"MO,WE,FR\"}"), "Every Monday, Wednesday and Friday");
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"byday\":\"SA,SU\"}"), "Every Saturday and Sunday");
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"byday\":\"MO,TU,WE,TH,FR,SA\"}"), "Monday to Saturday");
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"byday\":\"TU,WE,TH\"}"), "Tuesday to Thursday");
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"byday\":\"MO,TU,WE,TH,FR,SA,SU\"}"), "Every day");
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"interval\":2,\"byday\":\"WE\"}"), "Every other Wednesday");
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"interval\":2,\"byday\":\"TU,TH\"}"), "Every other Tuesday and Thursday");
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"interval\":3,\"byday\":\"MO\"}"), "Every 3 weeks on Monday");
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"interval\":3,\"byday\":\"MO,TH\"}"), "Every 3 weeks on Monday and Thursday");
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"interval\":2,\"byday\":\"MO,TU,WE,TH,FR\"}"),
		"Every other week, Monday to Friday");
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"interval\":4,\"byday\":\"MO,TU,WE,TH,FR\"}"),
		"Every 4 weeks, Monday to Friday");
	assert_string_equal(words("{\"freq\":\"DAILY\",\"interval\":2}"), "Every other day");
	assert_string_equal(words("{\"freq\":\"DAILY\",\"interval\":3}"), "Every 3 days");
	assert_string_equal(words("{\"freq\":\"DAILY\",\"byday\":\"MO,TU,WE,TH,FR\"}"), "Monday to Friday");
}

static void words_monthly_and_ordinals(void **state)
{
	UNUSED(state);
	assert_string_equal(words("{\"freq\":\"MONTHLY\",\"byday\":\"1TU,3TU\"}"), "First and third Tuesday of the month");
	assert_string_equal(words("{\"freq\":\"MONTHLY\",\"byday\":\"3TU,1TU\"}"), "First and third Tuesday of the month");
	assert_string_equal(words("{\"freq\":\"MONTHLY\",\"byday\":\"2TU,4TU\"}"), "Second and fourth Tuesday of the month");
	assert_string_equal(words("{\"freq\":\"MONTHLY\",\"byday\":\"1MO,-1FR\"}"), "First Monday and last Friday of the month");
	assert_string_equal(words("{\"freq\":\"MONTHLY\",\"byday\":\"-1WE,1WE,5WE\"}"), "First, fifth and last Wednesday of the month");
	assert_string_equal(words("{\"freq\":\"MONTHLY\",\"byday\":\"1MO\",\"interval\":2}"), "First Monday of every other month");
	assert_string_equal(words("{\"freq\":\"MONTHLY\",\"byday\":\"1MO\",\"interval\":3}"), "First Monday of every 3 months");
	assert_string_equal(words("{\"freq\":\"MONTHLY\",\"bymonthday\":\"15\",\"interval\":2}"), "On the 15th of every other month");
	assert_string_equal(words("{\"freq\":\"MONTHLY\",\"bymonthday\":15,\"interval\":6}"), "On the 15th of every 6 months");
	static const struct { int d; const char *w; } ord[] = {
		{ 1, "On the 1st of every month" }, { 2, "On the 2nd of every month" },
		{ 3, "On the 3rd of every month" }, { 4, "On the 4th of every month" },
		{ 11, "On the 11th of every month" }, { 12, "On the 12th of every month" },
		{ 13, "On the 13th of every month" }, { 15, "On the 15th of every month" },
		{ 21, "On the 21st of every month" }, { 22, "On the 22nd of every month" },
		{ 23, "On the 23rd of every month" }, { 31, "On the 31st of every month" },
	};
	for (size_t i = 0; i < ARRAY_LEN(ord); i++) {
		char json[96];

		snprintf(json, sizeof(json), "{\"freq\":\"MONTHLY\",\"bymonthday\":\"%d\"}", ord[i].d);
		assert_string_equal(words(json), ord[i].w);
	}
}

static void words_times(void **state)
{
	UNUSED(state);
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"byday\":\"FR\",\"closes_at\":\"16:00\"}"),
		"Every Friday, closing at 16:00");
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"byday\":\"FR\",\"opens_at\":\"18:00\",\"closes_at\":\"24:00\"}"),
		"Every Friday, 18:00 to midnight");
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"byday\":\"FR\",\"opens_at\":\"22:00\",\"closes_at\":\"02:00\"}"),
		"Every Friday, 22:00 to 02:00");
	/* "00:00 to 00:00" is how some feeds say no time is known. */
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"byday\":\"FR\",\"opens_at\":\"00:00\",\"closes_at\":\"00:00\"}"),
		"Every Friday");
	assert_string_equal(words("{\"freq\":\"WEEKLY\",\"byday\":\"FR\",\"opens_at\":\"00:00:00\",\"closes_at\":\"23:59:00\"}"),
		"Every Friday");
	/* A one-off with its end date says no "until". */
	assert_string_equal(words("{\"dtstart\":\"2026-12-03\",\"valid_to\":\"2026-12-03\"}"), "On 3 December 2026");
	/* The time in a dtstart stands in for a missing opens_at. */
	assert_string_equal(words("{\"dtstart\":\"2026-12-03T18:30:00Z\"}"), "On 3 December 2026, from 18:30");
}

/* ------------------------------------------------------------ parsing */

static void lenient_parsing_of_real_feeds(void **state)
{
	struct sched a, b;

	UNUSED(state);
	a = parse("{\"freq\":\"WEEKLY\",\"byday\":\"TU,TH\",\"opens_at\":\"10:00\",\"closes_at\":\"11:30\"}");
	assert_int_equal(a.freq, SCHED_WEEKLY);
	assert_int_equal(a.interval, 1);
	assert_int_equal(a.weekdays, (1 << 1) | (1 << 3));
	assert_int_equal(a.opens, 600);
	assert_int_equal(a.closes, 690);
	assert_int_equal(a.start_day, 0);
	assert_int_equal(a.end_day, 0);
	static const char *const same[] = {
		"{\"freq\":\"weekly\",\"byday\":\" tu , th \",\"opens_at\":\"10:00:00\",\"closes_at\":\"11:30:00\"}",
		"{\"freq\":\"Weekly\",\"byday\":\"Tuesday Thursday\",\"opens_at\":\"10.00\",\"closes_at\":\"11.30\"}",
		"{\"freq\":\"WEEKLY\",\"byday\":\"tue,thu\",\"opens_at\":\"10am\",\"closes_at\":\"11:30 am\"}",
		"{\"freq\":\"WEEKLY\",\"byday\":[\"TU\",\"TH\"],\"opens_at\":\"10:00Z\",\"closes_at\":\"11:30:00+01:00\"}",
		"{\"freq\":\"WEEKLY\",\"byday\":\"TU;TH;TU\",\"opens_at\":\"1000\",\"closes_at\":\"1130\",\"interval\":\"1\"}",
		"{\"freq\":\" WEEKLY \",\"byday\":\"TU,TH\",\"opens_at\":\"10:00\",\"closes_at\":\"11:30\",\"interval\":1.0,"
		"\"bymonthday\":\"\",\"valid_from\":\"\",\"valid_to\":null,\"description\":\"Drop in\",\"id\":\"x\"}",
		"{\"byday\":\"TU,TH\",\"opens_at\":\"10:00\",\"closes_at\":\"11:30\",\"interval\":0}",
	};
	for (size_t i = 0; i < ARRAY_LEN(same); i++) {
		b = parse(same[i]);
		if (!sched_equal(&a, &b))
			fail_msg("not the same: %s", same[i]);
	}
	/* 12-hour clock edges. */
	b = parse("{\"freq\":\"DAILY\",\"opens_at\":\"12am\",\"closes_at\":\"12pm\"}");
	assert_int_equal(b.opens, 0);
	assert_int_equal(b.closes, 720);
	b = parse("{\"freq\":\"DAILY\",\"opens_at\":\"12:30am\",\"closes_at\":\"12:15 PM\"}");
	assert_int_equal(b.opens, 30);
	assert_int_equal(b.closes, 735);
	b = parse("{\"freq\":\"DAILY\",\"opens_at\":\"2pm\",\"closes_at\":\"9:05\"}");
	assert_int_equal(b.opens, 840);
	assert_int_equal(b.closes, 545);

	/* ORUK's own example: WEEKLY TH,FR with a bymonthday that weekly
	 * schedules ignore, valid only on 1 January 2005. */
	a = parse("{\"id\":\"48102e86-bb50-41c4-8f1e-e269368c41d1\",\"valid_from\":\"2005-01-01\","
		"\"valid_to\":\"2005-01-01\",\"dtstart\":\"2005-01-01\",\"freq\":\"WEEKLY\",\"interval\":1,"
		"\"byday\":\"TH,FR\",\"bymonthday\":\"2,3,4\",\"description\":\"The service is available\","
		"\"opens_at\":\"10:00:00\",\"closes_at\":\"18:00:00\",\"schedule_link\":\"http://example.com\"}");
	assert_string_equal(words_of(&a), "Every Thursday and Friday, 10:00 to 18:00, until 1 January 2005");
	assert_int_equal(sched_next(&a, at(2026, 11, 24, 9, 0)), 0);

	/* Positioned days make a schedule monthly whatever freq says; plain
	 * days on a monthly schedule are every such day. */
	a = parse("{\"freq\":\"WEEKLY\",\"byday\":\"1MO\"}");
	assert_int_equal(a.freq, SCHED_MONTHLY);
	a = parse("{\"byday\":\"-1fr\"}");
	assert_int_equal(a.freq, SCHED_MONTHLY);
	assert_int_equal(a.nbyday, 1);
	assert_int_equal(a.byday[0].nth, -1);
	assert_int_equal(a.byday[0].wday, 4);
	a = parse("{\"freq\":\"MONTHLY\",\"byday\":\"TU\"}");
	assert_int_equal(a.freq, SCHED_WEEKLY);
	assert_int_equal(a.weekdays, 2);
	/* Monthly days are sorted and unique. */
	a = parse("{\"freq\":\"MONTHLY\",\"byday\":\"-1FR,3TU,1TU,+1TU,1MO\"}");
	assert_int_equal(a.nbyday, 4);
	assert_int_equal(a.byday[0].wday, 0);
	assert_int_equal(a.byday[1].nth, 1);
	assert_int_equal(a.byday[2].nth, 3);
	assert_int_equal(a.byday[3].nth, -1);
	/* Missing days come from the start date. */
	a = parse("{\"freq\":\"WEEKLY\",\"dtstart\":\"2026-11-24\"}");
	assert_int_equal(a.weekdays, 2);
	assert_string_equal(words_of(&a), "Every Tuesday");
	a = parse("{\"freq\":\"MONTHLY\",\"valid_from\":\"2026-11-24\"}");
	assert_int_equal(a.monthday, 24);
	/* A one-off from equal valid_from and valid_to. */
	a = parse("{\"valid_from\":\"2026-12-03\",\"valid_to\":\"2026-12-03\",\"opens_at\":\"10:00\"}");
	assert_int_equal(a.freq, SCHED_ONCE);
	assert_int_equal(a.start_day, uk_days(2026, 12, 3));
	/* A start before 1970 with interval 1 says nothing. */
	a = parse("{\"freq\":\"WEEKLY\",\"byday\":\"MO\",\"valid_from\":\"1900-01-01\"}");
	assert_int_equal(a.start_day, 0);
}

static void refusals_say_why(void **state)
{
	static const struct {
		const char *json, *field, *why;
	} cases[] = {
		{ "[]", "", "The schedule is not an object." },
		{ "{}", "freq", "The schedule does not say when: give freq and byday, or dtstart for a single date." },
		{ "{\"opens_at\":\"09:00\",\"valid_from\":\"2020-01-01\"}", "freq", NULL },
		{ "{\"freq\":\"YEARLY\",\"byday\":\"MO\"}", "freq", "freq must be WEEKLY, MONTHLY or DAILY." },
		{ "{\"freq\":7}", "freq", NULL },
		{ "{\"freq\":\"WEEKLY\",\"byday\":\"MO\",\"interval\":-1}", "interval", "interval must be a whole number from 1 to 366." },
		{ "{\"freq\":\"WEEKLY\",\"byday\":\"MO\",\"interval\":400}", "interval", NULL },
		{ "{\"freq\":\"WEEKLY\",\"byday\":\"MO\",\"interval\":1.5}", "interval", NULL },
		{ "{\"freq\":\"WEEKLY\",\"byday\":\"MO\",\"interval\":\"two\"}", "interval", NULL },
		{ "{\"freq\":\"WEEKLY\",\"byday\":\"MO\",\"interval\":true}", "interval", NULL },
		{ "{\"freq\":\"WEEKLY\",\"byday\":\"XX\"}", "byday", "byday is not a list of days like MO or 1MO." },
		{ "{\"freq\":\"WEEKLY\",\"byday\":\"MO,\"}", NULL, NULL },       /* accepted: see below */
		{ "{\"freq\":\"WEEKLY\",\"byday\":\"-MO\"}", "byday", NULL },
		{ "{\"freq\":\"WEEKLY\",\"byday\":5}", "byday", NULL },
		{ "{\"freq\":\"WEEKLY\",\"byday\":[\"MO\",5]}", "byday", NULL },
		{ "{\"freq\":\"MONTHLY\",\"byday\":\"6MO\"}", "byday", "byday has a position (like 1MO or -1FR) that is not 1 to 5 or -1." },
		{ "{\"freq\":\"MONTHLY\",\"byday\":\"-2FR\"}", "byday", NULL },
		{ "{\"freq\":\"MONTHLY\",\"byday\":\"0MO\"}", "byday", NULL },
		{ "{\"freq\":\"MONTHLY\",\"byday\":\"100MO\"}", "byday", NULL },
		{ "{\"freq\":\"WEEKLY\",\"byday\":\"TU,1TU\"}", "byday", "byday mixes days with and without a position (like TU and 1TU)." },
		{ "{\"freq\":\"MONTHLY\",\"byday\":\"1MO,2MO,3MO,4MO,5MO,-1MO,1TU,2TU\"}", "byday", "byday names more than 7 days of the month." },
		{ "{\"freq\":\"MONTHLY\",\"byday\":\"TU\",\"interval\":2}", "byday", NULL },
		{ "{\"freq\":\"DAILY\",\"byday\":\"1MO\"}", "byday", "byday positions (like 1MO) only make sense on a monthly schedule." },
		{ "{\"freq\":\"WEEKLY\"}", "byday", "A weekly schedule needs byday (like TU) or dtstart." },
		{ "{\"freq\":\"MONTHLY\"}", "byday", "A monthly schedule needs byday (like 1MO) or bymonthday (like 15)." },
		{ "{\"freq\":\"MONTHLY\",\"bymonthday\":\"2,3,4\"}", "bymonthday", "bymonthday must be one day of the month from 1 to 31." },
		{ "{\"freq\":\"MONTHLY\",\"bymonthday\":\"-1\"}", "bymonthday", NULL },
		{ "{\"freq\":\"MONTHLY\",\"bymonthday\":32}", "bymonthday", NULL },
		{ "{\"bymonthday\":\"0\"}", "bymonthday", NULL },
		{ "{\"freq\":\"MONTHLY\",\"bymonthday\":[15]}", "bymonthday", NULL },
		{ "{\"freq\":\"MONTHLY\",\"byday\":\"1MO\",\"bymonthday\":\"15\"}", "bymonthday",
		  "A monthly schedule gives both byday and bymonthday: kith needs one of them." },
		{ "{\"freq\":\"WEEKLY\",\"byday\":\"MO\",\"opens_at\":\"25:00\"}", "opens_at", "opens_at is not a time like 10:00." },
		{ "{\"freq\":\"WEEKLY\",\"byday\":\"MO\",\"opens_at\":\"24:00\"}", "opens_at", NULL },
		{ "{\"freq\":\"WEEKLY\",\"byday\":\"MO\",\"opens_at\":\"10:60\"}", "opens_at", NULL },
		{ "{\"freq\":\"WEEKLY\",\"byday\":\"MO\",\"opens_at\":\"morning\"}", "opens_at", NULL },
		{ "{\"freq\":\"WEEKLY\",\"byday\":\"MO\",\"opens_at\":\"10\"}", "opens_at", NULL },
		{ "{\"freq\":\"WEEKLY\",\"byday\":\"MO\",\"opens_at\":\"13pm\"}", "opens_at", NULL },
		{ "{\"freq\":\"WEEKLY\",\"byday\":\"MO\",\"opens_at\":600}", "opens_at", NULL },
		{ "{\"freq\":\"WEEKLY\",\"byday\":\"MO\",\"closes_at\":\"half past\"}", "closes_at", "closes_at is not a time like 17:30." },
		{ "{\"freq\":\"WEEKLY\",\"byday\":\"MO\",\"closes_at\":\"24:01\"}", "closes_at", NULL },
		{ "{\"dtstart\":\"2026-13-01\"}", "dtstart", "dtstart is not a date like 2026-11-24." },
		{ "{\"dtstart\":\"2026-02-29\"}", "dtstart", NULL },
		{ "{\"dtstart\":\"03/12/2026\"}", "dtstart", NULL },
		{ "{\"freq\":\"DAILY\",\"valid_from\":\"yesterday\"}", "valid_from", "valid_from is not a date like 2026-11-24." },
		{ "{\"freq\":\"DAILY\",\"valid_to\":\"2026-04-31\"}", "valid_to", "valid_to is not a date like 2026-11-24." },
		{ "{\"freq\":\"DAILY\",\"valid_to\":\"2026-04-30x\"}", "valid_to", NULL },
		{ "{\"freq\":\"DAILY\",\"valid_from\":\"2026-05-01\",\"valid_to\":\"2026-04-30\"}", "valid_to",
		  "valid_to is before the schedule starts." },
		{ "{\"dtstart\":\"2026-12-03\",\"valid_to\":\"2026-12-02\"}", "valid_to", NULL },
		{ "{\"freq\":\"DAILY\",\"valid_to\":\"1960-01-01\"}", "valid_to", "valid_to is before 1970." },
		{ "{\"dtstart\":\"1969-07-20\"}", "dtstart", "dtstart is before 1970." },
		{ "{\"freq\":\"DAILY\",\"interval\":366,\"dtstart\":\"9999-01-01\",\"valid_from\":\"9999-12-31\"}",
		  "dtstart", "dtstart is too far in the future." },
		{ "{\"freq\":\"MONTHLY\",\"interval\":12,\"bymonthday\":\"1\",\"valid_from\":\"1900-02-01\","
		  "\"dtstart\":\"9999-01-01\"}", NULL, NULL },
	};
	UNUSED(state);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		json_t *j = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
		struct sched s;
		const char *why = NULL, *field = NULL;
		enum err e;

		assert_non_null(j);
		e = sched_from_oruk_field(j, &s, &why, &field);
		if (!cases[i].field) {
			assert_int_equal(e, ERR_OK);
			json_decref(j);
			continue;
		}
		if (e != ERR_INVALID)
			fail_msg("accepted: %s", cases[i].json);
		assert_non_null(why);
		assert_true(strlen(why) > 10 && why[strlen(why) - 1] == '.');
		assert_string_equal(field, cases[i].field);
		if (cases[i].why && strcmp(why, cases[i].why) != 0)
			fail_msg("%s: why \"%s\"", cases[i].json, why);
		/* sched_from_oruk gives the same sentence and leaves a blank struct. */
		const char *why2 = NULL;
		assert_int_equal(sched_from_oruk(j, &s, &why2), ERR_INVALID);
		assert_ptr_equal(why, why2);
		assert_int_equal(s.freq, SCHED_ONCE);
		assert_int_equal(s.start_day, 0);
		assert_int_equal(s.opens, -1);
		json_decref(j);
	}
	/* NULL why and field are allowed. */
	json_t *j = json_loads("{}", 0, NULL);
	struct sched s;
	assert_int_equal(sched_from_oruk(j, &s, NULL), ERR_INVALID);
	json_decref(j);
}

/* ------------------------------------------------------------ next */

static void next_across_summer_time(void **state)
{
	const char *sun = "{\"freq\":\"WEEKLY\",\"byday\":\"SU\",\"opens_at\":\"10:00\"}";

	UNUSED(state);
	/* Spring: Sunday 29 March 2026 10:00 is BST, 09:00 UTC. */
	assert_int_equal(next(sun, at(2026, 3, 28, 12, 0)), at(2026, 3, 29, 10, 0));
	assert_int_equal(at(2026, 3, 29, 10, 0), 1774774800);
	/* The Sunday before was GMT. */
	assert_int_equal(next(sun, at(2026, 3, 21, 12, 0)), 1774173600);
	/* Autumn: Sunday 25 October 2026 10:00 is GMT, 10:00 UTC. */
	assert_int_equal(next(sun, at(2026, 10, 24, 12, 0)), 1792922400);
	/* A night session in the repeated hour takes its first (BST) pass. */
	assert_int_equal(next("{\"freq\":\"WEEKLY\",\"byday\":\"SU\",\"opens_at\":\"01:30\"}",
		at(2026, 10, 24, 12, 0)), 1792891800 - 3600);
	/* 00:30 on a summer Sunday is still Saturday in UTC: the day counted
	 * from is the UK one. */
	assert_int_equal(next("{\"freq\":\"WEEKLY\",\"byday\":\"SU\",\"opens_at\":\"00:15\"}",
		at(2026, 6, 28, 0, 30)), at(2026, 7, 5, 0, 15));
	assert_int_equal(next("{\"freq\":\"WEEKLY\",\"byday\":\"SA\",\"opens_at\":\"23:45\"}",
		at(2026, 6, 28, 0, 30)), at(2026, 7, 4, 23, 45));
	assert_int_equal(next(sun, at(2026, 6, 28, 0, 30)), at(2026, 6, 28, 10, 0));
}

static void next_across_month_and_year_ends(void **state)
{
	const char *d31 = "{\"freq\":\"MONTHLY\",\"bymonthday\":\"31\",\"opens_at\":\"10:00\"}";
	const char *d30 = "{\"freq\":\"MONTHLY\",\"bymonthday\":\"30\",\"opens_at\":\"10:00\"}";
	const char *d29 = "{\"freq\":\"MONTHLY\",\"bymonthday\":\"29\",\"opens_at\":\"10:00\"}";

	UNUSED(state);
	/* Months without that day are skipped. */
	assert_int_equal(next(d31, at(2026, 4, 1, 9, 0)), at(2026, 5, 31, 10, 0));
	assert_int_equal(next(d31, at(2026, 5, 31, 11, 0)), at(2026, 7, 31, 10, 0));
	assert_int_equal(next(d30, at(2027, 1, 31, 9, 0)), at(2027, 3, 30, 10, 0));
	assert_int_equal(next(d29, at(2027, 2, 1, 9, 0)), at(2027, 3, 29, 10, 0));
	assert_int_equal(next(d29, at(2028, 2, 1, 9, 0)), at(2028, 2, 29, 10, 0));   /* leap year */
	/* Weekly across the new year. */
	assert_int_equal(next("{\"freq\":\"WEEKLY\",\"byday\":\"TU\",\"opens_at\":\"10:00\"}",
		at(2026, 12, 30, 9, 0)), at(2027, 1, 5, 10, 0));
	/* Daily across a month end, at the same wall-clock time. */
	assert_int_equal(next("{\"freq\":\"DAILY\",\"opens_at\":\"10:00\"}", at(2026, 3, 31, 10, 1)),
		at(2026, 4, 1, 10, 0));
}

static void next_nth_weekday_of_month(void **state)
{
	const char *lastfri = "{\"freq\":\"MONTHLY\",\"byday\":\"-1FR\",\"opens_at\":\"19:00\"}";
	const char *firstmon = "{\"freq\":\"MONTHLY\",\"byday\":\"1MO\",\"opens_at\":\"14:00\"}";
	const char *fifthmon = "{\"freq\":\"MONTHLY\",\"byday\":\"5MO\",\"opens_at\":\"14:00\"}";
	const char *firstthird = "{\"freq\":\"MONTHLY\",\"byday\":\"1TU,3TU\",\"opens_at\":\"10:00\"}";

	UNUSED(state);
	assert_int_equal(next(lastfri, at(2026, 11, 24, 9, 0)), at(2026, 11, 27, 19, 0));
	assert_int_equal(next(lastfri, at(2026, 11, 27, 19, 1)), at(2026, 12, 25, 19, 0));
	assert_int_equal(next(lastfri, at(2027, 1, 1, 0, 0)), at(2027, 1, 29, 19, 0));
	assert_int_equal(next(lastfri, at(2027, 7, 1, 0, 0)), at(2027, 7, 30, 19, 0));
	assert_int_equal(next(firstmon, at(2026, 11, 24, 9, 0)), at(2026, 12, 7, 14, 0));
	assert_int_equal(next(firstmon, at(2026, 12, 7, 15, 0)), at(2027, 1, 4, 14, 0));
	assert_int_equal(next(firstmon, at(2027, 2, 1, 13, 59)), at(2027, 2, 1, 14, 0));
	/* Months with five Mondays only: after November 2026 (30th) comes
	 * March 2027 (29th). */
	assert_int_equal(next(fifthmon, at(2026, 11, 1, 0, 0)), at(2026, 11, 30, 14, 0));
	assert_int_equal(next(fifthmon, at(2026, 12, 1, 0, 0)), at(2027, 3, 29, 14, 0));
	/* Two a month, in order. */
	assert_int_equal(next(firstthird, at(2026, 11, 4, 0, 0)), at(2026, 11, 17, 10, 0));
	assert_int_equal(next(firstthird, at(2026, 11, 17, 11, 0)), at(2026, 12, 1, 10, 0));
	/* Every other month, counted from dtstart's month. */
	assert_int_equal(next("{\"freq\":\"MONTHLY\",\"interval\":2,\"byday\":\"1MO\",\"dtstart\":\"2026-10-05\"}",
		at(2026, 10, 6, 0, 0)), at(2026, 12, 7, 0, 0));
}

static void next_with_intervals(void **state)
{
	const char *fortnightly = "{\"freq\":\"WEEKLY\",\"interval\":2,\"byday\":\"TU\",\"opens_at\":\"10:00\","
		"\"dtstart\":\"2026-11-03\"}";

	UNUSED(state);
	/* Sessions 3 and 17 November, 1 December 2026. */
	assert_int_equal(next(fortnightly, at(2026, 10, 1, 0, 0)), at(2026, 11, 3, 10, 0));
	assert_int_equal(next(fortnightly, at(2026, 11, 10, 9, 0)), at(2026, 11, 17, 10, 0));
	assert_int_equal(next(fortnightly, at(2026, 11, 18, 9, 0)), at(2026, 12, 1, 10, 0));
	assert_int_equal(next(fortnightly, at(2026, 11, 24, 9, 0)), at(2026, 12, 1, 10, 0));
	/* A later valid_from keeps the same fortnights. */
	struct sched s = parse("{\"freq\":\"WEEKLY\",\"interval\":2,\"byday\":\"TU\",\"opens_at\":\"10:00\","
		"\"dtstart\":\"2026-11-03\",\"valid_from\":\"2026-11-10\"}");
	assert_int_equal(s.start_day, uk_days(2026, 11, 16));
	assert_int_equal(sched_next(&s, at(2026, 11, 1, 0, 0)), at(2026, 11, 17, 10, 0));
	s = parse("{\"freq\":\"WEEKLY\",\"interval\":2,\"byday\":\"TU\",\"dtstart\":\"2026-11-03\","
		"\"valid_from\":\"2026-11-18\"}");
	assert_int_equal(s.start_day, uk_days(2026, 11, 18));
	assert_int_equal(sched_next(&s, at(2026, 11, 1, 0, 0)), at(2026, 12, 1, 0, 0));
	/* A dtstart long ago still sets the fortnights. */
	s = parse("{\"freq\":\"WEEKLY\",\"interval\":2,\"byday\":\"TU\",\"opens_at\":\"10:00\","
		"\"dtstart\":\"1901-01-01\"}");
	assert_true(s.start_day > 0);
	int64_t n1 = sched_next(&s, at(2026, 11, 23, 0, 0));
	int64_t n2 = sched_next(&s, n1 + 1);
	assert_int_equal(n2 - n1, 14 * 86400);
	assert_int_equal((uk_local_day(n1) - uk_days(1901, 1, 1)) % 14, 0);
	/* Without a start date the fortnights count from this week. */
	assert_int_equal(next("{\"freq\":\"WEEKLY\",\"interval\":2,\"byday\":\"TU\",\"opens_at\":\"10:00\"}",
		at(2026, 11, 23, 9, 0)), at(2026, 11, 24, 10, 0));
	assert_int_equal(next("{\"freq\":\"WEEKLY\",\"interval\":2,\"byday\":\"MO\",\"opens_at\":\"10:00\"}",
		at(2026, 11, 24, 9, 0)), at(2026, 12, 7, 10, 0));
	/* Every 3 days from the start. */
	assert_int_equal(next("{\"freq\":\"DAILY\",\"interval\":3,\"dtstart\":\"2026-11-01\",\"opens_at\":\"08:00\"}",
		at(2026, 11, 5, 9, 0)), at(2026, 11, 7, 8, 0));
	/* Weekdays only, daily. */
	assert_int_equal(next("{\"freq\":\"DAILY\",\"byday\":\"MO,TU,WE,TH,FR\",\"opens_at\":\"09:00\"}",
		at(2026, 11, 27, 10, 0)), at(2026, 11, 30, 9, 0));
}

static void next_validity_and_one_offs(void **state)
{
	UNUSED(state);
	/* Ended. */
	assert_int_equal(next("{\"freq\":\"WEEKLY\",\"byday\":\"TU\",\"valid_to\":\"2026-11-01\"}",
		at(2026, 11, 24, 9, 0)), 0);
	/* Ends on the day of its last session: that one still counts. */
	assert_int_equal(next("{\"freq\":\"WEEKLY\",\"byday\":\"TU\",\"opens_at\":\"10:00\",\"valid_to\":\"2026-11-24\"}",
		at(2026, 11, 24, 9, 0)), at(2026, 11, 24, 10, 0));
	assert_int_equal(next("{\"freq\":\"WEEKLY\",\"byday\":\"TU\",\"opens_at\":\"10:00\",\"valid_to\":\"2026-11-24\"}",
		at(2026, 11, 24, 11, 0)), 0);
	/* Not started yet. */
	assert_int_equal(next("{\"freq\":\"WEEKLY\",\"byday\":\"TU\",\"opens_at\":\"10:00\",\"valid_from\":\"2027-01-01\"}",
		at(2026, 11, 24, 9, 0)), at(2027, 1, 5, 10, 0));
	/* One-off dates, future and past. */
	const char *once = "{\"dtstart\":\"2026-12-03\",\"opens_at\":\"10:00\",\"closes_at\":\"12:00\"}";
	assert_int_equal(next(once, at(2026, 11, 24, 9, 0)), at(2026, 12, 3, 10, 0));
	assert_int_equal(next(once, at(2026, 12, 3, 10, 0)), at(2026, 12, 3, 10, 0));
	assert_int_equal(next(once, at(2026, 12, 3, 10, 30)), 0);
	assert_int_equal(next(once, at(2026, 12, 4, 9, 0)), 0);
	/* More than two years ahead is out of sight. */
	assert_int_equal(next("{\"dtstart\":\"2029-06-01\"}", at(2026, 11, 24, 9, 0)), 0);
	assert_int_equal(next("{\"freq\":\"WEEKLY\",\"byday\":\"TU\",\"valid_from\":\"2029-06-01\"}",
		at(2026, 11, 24, 9, 0)), 0);
}

static void next_is_never_a_session_in_progress(void **state)
{
	const char *tue = "{\"freq\":\"WEEKLY\",\"byday\":\"TU,TH\",\"opens_at\":\"10:00\",\"closes_at\":\"12:00\"}";

	UNUSED(state);
	assert_int_equal(next(tue, at(2026, 11, 24, 9, 59)), at(2026, 11, 24, 10, 0));
	assert_int_equal(next(tue, at(2026, 11, 24, 10, 0)), at(2026, 11, 24, 10, 0));
	assert_int_equal(next(tue, at(2026, 11, 24, 10, 0) + 1), at(2026, 11, 26, 10, 0));
	assert_int_equal(next(tue, at(2026, 11, 24, 11, 0)), at(2026, 11, 26, 10, 0));
	/* A day-only schedule starts at 00:00: today's has begun. */
	assert_int_equal(next("{\"freq\":\"WEEKLY\",\"byday\":\"TU\"}", at(2026, 11, 24, 9, 0)),
		at(2026, 12, 1, 0, 0));
	assert_int_equal(next("{\"freq\":\"WEEKLY\",\"byday\":\"TU\"}", at(2026, 11, 23, 9, 0)),
		at(2026, 11, 24, 0, 0));
}

/* ------------------------------------------------------------ day and time */

#define BIT(day, part) (1u << ((day) * 3 + (part)))

static uint32_t daytime(const char *json)
{
	struct sched s = parse(json);

	return sched_daytime(&s);
}

static void daytime_bits(void **state)
{
	UNUSED(state);
	assert_int_equal(daytime("{\"byday\":\"TU\",\"opens_at\":\"10:00\",\"closes_at\":\"11:30\"}"), BIT(1, 0));
	assert_int_equal(daytime("{\"byday\":\"TU\",\"opens_at\":\"10:00\",\"closes_at\":\"14:00\"}"),
		BIT(1, 0) | BIT(1, 1));
	assert_int_equal(daytime("{\"byday\":\"TU\",\"opens_at\":\"11:00\",\"closes_at\":\"12:00\"}"), BIT(1, 0));
	assert_int_equal(daytime("{\"byday\":\"TU\",\"opens_at\":\"12:00\",\"closes_at\":\"17:00\"}"), BIT(1, 1));
	assert_int_equal(daytime("{\"byday\":\"TU\",\"opens_at\":\"09:00\",\"closes_at\":\"21:00\"}"),
		BIT(1, 0) | BIT(1, 1) | BIT(1, 2));
	assert_int_equal(daytime("{\"byday\":\"WE\",\"opens_at\":\"18:00\"}"), BIT(2, 2));
	assert_int_equal(daytime("{\"byday\":\"WE\",\"opens_at\":\"17:00\"}"), BIT(2, 2));
	assert_int_equal(daytime("{\"byday\":\"WE\",\"opens_at\":\"16:59\"}"), BIT(2, 1));
	assert_int_equal(daytime("{\"byday\":\"WE\",\"closes_at\":\"12:00\"}"), BIT(2, 0));
	assert_int_equal(daytime("{\"byday\":\"FR\",\"opens_at\":\"22:00\",\"closes_at\":\"02:00\"}"), BIT(4, 2));
	assert_int_equal(daytime("{\"byday\":\"MO\"}"), BIT(0, 0) | BIT(0, 1) | BIT(0, 2));
	assert_int_equal(daytime("{\"byday\":\"MO,SU\",\"opens_at\":\"19:00\"}"), BIT(0, 2) | BIT(6, 2));
	assert_int_equal(daytime("{\"byday\":\"1MO,-1FR\",\"opens_at\":\"14:00\",\"closes_at\":\"16:00\"}"),
		BIT(0, 1) | BIT(4, 1));
	uint32_t all_afternoons = 0;
	for (int d = 0; d < 7; d++)
		all_afternoons |= BIT(d, 1);
	assert_int_equal(daytime("{\"freq\":\"MONTHLY\",\"bymonthday\":\"15\",\"opens_at\":\"14:00\"}"), all_afternoons);
	assert_int_equal(daytime("{\"freq\":\"DAILY\",\"opens_at\":\"14:00\"}"), all_afternoons);
	assert_int_equal(daytime("{\"freq\":\"DAILY\"}"), (1u << 21) - 1);
	/* 3 December 2026 is a Thursday. */
	assert_int_equal(daytime("{\"dtstart\":\"2026-12-03\",\"opens_at\":\"10:00\"}"), BIT(3, 0));
}

/* ------------------------------------------------------------ compact form */

static const char *const samples[] = {
	"{\"freq\":\"WEEKLY\",\"byday\":\"TU,TH\",\"opens_at\":\"10:00\",\"closes_at\":\"11:30\"}",
	"{\"freq\":\"WEEKLY\",\"interval\":2,\"byday\":\"WE\",\"opens_at\":\"14:00\",\"dtstart\":\"2026-11-04\"}",
	"{\"freq\":\"MONTHLY\",\"byday\":\"1MO,3MO,-1FR,5SU\",\"closes_at\":\"24:00\",\"valid_to\":\"2027-03-31\"}",
	"{\"freq\":\"MONTHLY\",\"bymonthday\":\"31\",\"interval\":12,\"valid_from\":\"2026-01-31\"}",
	"{\"freq\":\"DAILY\",\"interval\":366}",
	"{\"freq\":\"DAILY\",\"byday\":\"SA,SU\",\"opens_at\":\"00:00\",\"closes_at\":\"10:00\"}",
	"{\"dtstart\":\"2026-12-03T18:30:00\",\"valid_to\":\"2026-12-04\"}",
	"{\"dtstart\":\"9999-12-31\",\"opens_at\":\"23:59\",\"closes_at\":\"00:00\"}",
	"{\"freq\":\"WEEKLY\",\"byday\":\"MO\",\"valid_to\":\"1970-01-02\"}",
};

static void encode_decode_round_trip(void **state)
{
	struct buf b, b2;

	UNUSED(state);
	buf_init(&b, 1024);
	buf_init(&b2, 1024);
	for (size_t i = 0; i < ARRAY_LEN(samples); i++) {
		struct sched s = parse(samples[i]), d;

		buf_reset(&b);
		sched_encode(&s, &b);
		assert_true(buf_ok(&b));
		assert_true(b.len <= SCHED_ENCODED_MAX);
		assert_int_equal(b.p[0], 'A');
		memset(&d, 0xa5, sizeof(d));
		if (!sched_decode(b.p, b.len, &d))
			fail_msg("did not decode its own %s", b.p);
		assert_true(sched_equal(&s, &d));
		buf_reset(&b2);
		sched_encode(&d, &b2);
		assert_string_equal(b.p, b2.p);
		/* Back to ORUK and in again: the same schedule. */
		json_t *o = sched_to_oruk(&s);
		const char *why;
		assert_non_null(o);
		assert_int_equal(sched_from_oruk(o, &d, &why), ERR_OK);
		if (!sched_equal(&s, &d))
			fail_msg("to_oruk round trip changed %s", samples[i]);
		json_decref(o);
	}
	/* The documented example. */
	struct sched s = parse(samples[0]);
	buf_reset(&b);
	sched_encode(&s, &b);
	assert_string_equal(b.p, "AW1;10;;0;600;690;0;0");
	s = parse(samples[2]);
	buf_reset(&b);
	sched_encode(&s, &b);
	assert_string_equal(b.p, "AM1;0;1MO,3MO,-1FR,5SU;0;-1;1440;0;20908");
	buf_release(&b);
	buf_release(&b2);
}

static void decode_refuses_what_it_did_not_write(void **state)
{
	static const char *const bad[] = {
		"", "A", "AW", "BW1;10;;0;600;690;0;0", "aW1;10;;0;600;690;0;0",
		"AX1;10;;0;600;690;0;0",
		"AW1;10;;0;600;690;0",             /* a field short */
		"AW1;10;;0;600;690;0;0;",          /* one too many */
		"AW1;10;;0;600;690;0;0x",
		"AW01;10;;0;600;690;0;0",          /* not canonical */
		"AW+1;10;;0;600;690;0;0",
		"AW1;10;;0;600;690;-0;0",
		"AW0;10;;0;600;690;0;0",           /* interval 0 */
		"AW1;0;;0;600;690;0;0",            /* weekly with no days */
		"AW1;128;;0;600;690;0;0",
		"AW1;10;1TU;0;600;690;0;0",        /* weekly with monthly days */
		"AW1;10;;0;1440;690;0;0",          /* opens at 24:00 */
		"AW1;10;;0;0;0;0;0",               /* "all day" is written -1;-1 */
		"AW1;10;;0;600;1441;0;0",
		"AW1;10;;0;600;690;20000;19999",   /* ends before it starts */
		"AM1;0;;0;-1;-1;0;0",              /* monthly with neither */
		"AM1;0;1TU;15;-1;-1;0;0",          /* monthly with both */
		"AM1;0;3TU,1TU;0;-1;-1;0;0",       /* unsorted */
		"AM1;0;1TU,1TU;0;-1;-1;0;0",       /* repeated */
		"AM1;0;1tu;0;-1;-1;0;0",
		"AM1;0;6TU;0;-1;-1;0;0",
		"AM1;0;-2TU;0;-1;-1;0;0",
		"AM1;0;0TU;0;-1;-1;0;0",
		"AM1;0;1TU,;0;-1;-1;0;0",
		"AM1;0;1TU,2TU,3TU,4TU,5TU,-1TU,1WE,2WE;0;-1;-1;0;0",
		"AM1;0;;32;-1;-1;0;0",
		"AO1;0;;0;-1;-1;0;0",              /* one-off with no date */
		"AO2;0;;0;-1;-1;20000;0",          /* one-off with an interval */
		"AO1;0;;0;-1;-1;9999999;0",        /* past 9999 */
	};
	struct sched s;

	UNUSED(state);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		if (sched_decode(bad[i], strlen(bad[i]), &s))
			fail_msg("decoded %s", bad[i]);
	assert_true(sched_decode("AO1;0;;0;-1;-1;20000;0", 22, &s));
	assert_int_equal(s.freq, SCHED_ONCE);
	assert_int_equal(s.start_day, 20000);
	/* Length is taken from n, not a NUL. */
	assert_false(sched_decode("AO1;0;;0;-1;-1;20000;0", 21, &s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(words_header_examples),
		cmocka_unit_test(words_weekly),
		cmocka_unit_test(words_monthly_and_ordinals),
		cmocka_unit_test(words_times),
		cmocka_unit_test(lenient_parsing_of_real_feeds),
		cmocka_unit_test(refusals_say_why),
		cmocka_unit_test(next_across_summer_time),
		cmocka_unit_test(next_across_month_and_year_ends),
		cmocka_unit_test(next_nth_weekday_of_month),
		cmocka_unit_test(next_with_intervals),
		cmocka_unit_test(next_validity_and_one_offs),
		cmocka_unit_test(next_is_never_a_session_in_progress),
		cmocka_unit_test(daytime_bits),
		cmocka_unit_test(encode_decode_round_trip),
		cmocka_unit_test(decode_refuses_what_it_did_not_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
