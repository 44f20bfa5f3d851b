/*
 * fuzz_schedule.c - ORUK schedules from anything.
 *
 * The input is a JSON object, or (to reach the parser's corners faster)
 * lines that become the fields freq, interval, byday, bymonthday,
 * opens_at, closes_at, dtstart, valid_from and valid_to in that order.
 * Invariants:
 *   - a refusal has a sentence (ending in '.') and a field name, and
 *     leaves a blank struct;
 *   - an accepted schedule has words (one clean line, capitalised), a
 *     daytime with at least one bit and none past bit 20, an encoding of
 *     at most SCHED_ENCODED_MAX bytes starting with 'A' that decodes to
 *     an equal struct, and an ORUK form that parses back to an equal
 *     struct;
 *   - every next session is at or after now, within two years, on a day
 *     the daytime bits allow, inside the validity dates, at the opening
 *     time on the clock; asking again at that instant gives it again,
 *     and a second later gives a later one or none;
 *   - sched_decode on the raw input accepts only text sched_encode would
 *     write for the struct it returns.
 */
#include "core/common.h"

#include "core/buf.h"
#include "core/str.h"
#include "core/uktime.h"
#include "oruk/sched_oruk.h"
#include "search/schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static const char *const fields[] = {
	"freq", "interval", "byday", "bymonthday", "opens_at", "closes_at",
	"dtstart", "valid_from", "valid_to",
};

static json_t *from_lines(const char *p, size_t n)
{
	json_t *o = json_object();
	size_t f = 0, i = 0;

	while (i <= n && f < ARRAY_LEN(fields)) {
		size_t j = i;

		while (j < n && p[j] != '\n')
			j++;
		if (j > i) {
			json_t *v;

			/* "interval" as a number when it reads as one. */
			int64_t num;
			if (f == 1 && str_to_i64((struct str){ p + i, j - i }, -1000, 1000, &num))
				v = json_integer(num);
			else
				v = json_stringn(p + i, j - i);   /* NULL for invalid UTF-8 */
			if (v)
				json_object_set_new(o, fields[f], v);
		}
		f++;
		i = j + 1;
	}
	return o;
}

static void check_next(const struct sched *s, int64_t now)
{
	int64_t t = sched_next(s, now);
	uint32_t dt = sched_daytime(s);
	struct uk_tm tm;

	if (!t)
		return;
	CHECK(t >= now);
	CHECK(t - now <= (int64_t)733 * 86400);
	uk_from_utc(t, &tm);
	int64_t day = uk_days(tm.year, tm.month, tm.day);
	CHECK((dt >> (tm.wday * 3) & 7) != 0);
	if (s->freq == SCHED_ONCE)
		CHECK(day == s->start_day);
	if (s->start_day)
		CHECK(day >= s->start_day);
	if (s->end_day && s->freq != SCHED_ONCE)
		CHECK(day <= s->end_day);
	if (s->freq == SCHED_WEEKLY)
		CHECK(s->weekdays >> tm.wday & 1);
	int open = s->opens >= 0 ? s->opens : 0;
	CHECK(uk_to_utc(tm.year, tm.month, tm.day, open / 60, open % 60) == t);
	CHECK(sched_next(s, t) == t);
	int64_t t2 = sched_next(s, t + 1);
	CHECK(t2 == 0 || t2 > t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	json_t *o = json_loadb(p, size, JSON_DECODE_ANY, NULL);
	struct sched s, d;
	const char *why = NULL, *field = NULL;
	struct buf b, b2;

	/* The raw input as an encoding. */
	if (sched_decode(p, size, &d)) {
		buf_init(&b, 256);
		sched_encode(&d, &b);
		CHECK(buf_ok(&b) && b.len == size && memcmp(b.p, p, size) == 0);
		buf_release(&b);
		check_next(&d, INT64_C(1795510800));
	}

	if (!o)
		o = from_lines(p, size);
	if (!o)
		return 0;
	if (sched_from_oruk_field(o, &s, &why, &field) != ERR_OK) {
		CHECK(why && strlen(why) > 10 && why[strlen(why) - 1] == '.');
		CHECK(field != NULL);
		CHECK(s.freq == SCHED_ONCE && s.start_day == 0 && s.opens == -1 && s.nbyday == 0);
		json_decref(o);
		return 0;
	}
	CHECK(why == NULL && field == NULL);

	buf_init(&b, 4096);
	sched_words(&s, &b);
	CHECK(buf_ok(&b) && b.len > 0);
	CHECK(str_is_clean_utf8(b.p, b.len) && !memchr(b.p, '\n', b.len));
	CHECK(b.p[0] >= 'A' && b.p[0] <= 'Z');
	buf_release(&b);

	uint32_t dt = sched_daytime(&s);
	CHECK(dt != 0 && dt < (1u << 21));

	buf_init(&b, 4096);
	sched_encode(&s, &b);
	CHECK(buf_ok(&b) && b.len <= SCHED_ENCODED_MAX && b.p[0] == 'A');
	memset(&d, 0x5a, sizeof(d));
	CHECK(sched_decode(b.p, b.len, &d));
	CHECK(sched_equal(&s, &d));
	buf_init(&b2, 4096);
	sched_encode(&d, &b2);
	CHECK(b2.len == b.len && memcmp(b.p, b2.p, b.len) == 0);
	buf_release(&b);
	buf_release(&b2);

	json_t *back = sched_to_oruk(&s);
	CHECK(back);
	CHECK(sched_from_oruk(back, &d, &why) == ERR_OK);
	CHECK(sched_equal(&s, &d));
	json_decref(back);

	/* Around both summer-time changes of 2026, a year end, and an
	 * instant the input chooses. */
	static const int64_t nows[] = {
		INT64_C(1774699200),     /* 2026-03-28 12:00 UTC */
		INT64_C(1792888200),     /* 2026-10-25 00:30 UTC */
		INT64_C(1795510800),     /* 2026-11-24 09:00 UTC */
		INT64_C(1830295800),     /* 2027-12-31 23:30 UTC */
	};
	for (size_t i = 0; i < ARRAY_LEN(nows); i++)
		check_next(&s, nows[i]);
	uint64_t h = 1469598103934665603u;
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 1099511628211u;
	check_next(&s, INT64_C(1577836800) + (int64_t)(h % (20u * 366 * 86400)));

	json_decref(o);
	return 0;
}
