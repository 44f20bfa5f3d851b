/*
 * sched_oruk.h - Open Referral UK schedule objects in and out of struct
 * sched (search/schedule.h): the lenient reading of what feeds write, and
 * the ORUK fields for a struct.
 *
 * ORUK schedule fields used: freq (WEEKLY, MONTHLY, DAILY; none = one
 * date), interval, byday ("TU", "MO,WE", "1MO" first Monday, "-1FR" last
 * Friday, "2TU,4TU"), bymonthday ("15"), opens_at/closes_at ("10:00" or
 * "10:00:00"), valid_from/valid_to/dtstart (dates). description, notes
 * and attending_type stay in the document. Everything is UK local time
 * (uktime.h).
 */
#ifndef KITH_SCHED_ORUK_H
#define KITH_SCHED_ORUK_H

#include <jansson.h>

#include "core/err.h"
#include "search/schedule.h"

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

/* The ORUK fields for s (freq, interval, byday, bymonthday, opens_at,
 * closes_at as "10:00", dtstart and valid_from as the start day,
 * valid_to): a new object that sched_from_oruk reads back to an equal
 * struct. NULL when out of memory. */
json_t *sched_to_oruk(const struct sched *s);

#endif
