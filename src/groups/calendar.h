/*
 * calendar.h (src/groups/) - groups' sessions for calendars and for other
 * systems: iCalendar files (RFC 5545, written by cal/ical.h with libical)
 * and the sessions of a window near a place (the events API).
 *
 * Three calendar files:
 *   - one session ("Add to calendar"): a single VEVENT on the day it is
 *     on (a moved session on its new day), UID "<service-id>-<YYYYMMDD>@
 *     <host>" from its key, so the same session added twice is one event;
 *   - a group's feed: one VEVENT per schedule of its service with its
 *     RRULE and an EXDATE for each session cancelled or changed, a VEVENT
 *     with RECURRENCE-ID (the same UID) for each session changed or moved,
 *     and one VEVENT per one-off. Changes are read from a year back with
 *     no end, so every change a host made to a session to come is in it;
 *   - a person's private feed: the sessions they said they are going to,
 *     from CALENDAR_PERSON_DAYS back, as single events (the UIDs of the
 *     session files). The feed's URL holds a random token; calendar_feed
 *     keeps its SHA-256. A new token replaces the old (its URL stops).
 * Each event's summary is the group's name (a one-off's: the group's and
 * its title), its location the session's other place when it has one,
 * else the service's first place (name, address lines, postcode), its
 * description what the host says is different and how to get there, its
 * URL the session's page (groups.session), SEQUENCE the session row's.
 *
 * The events (calendar_events): the search index's sessions of published
 * services near a point in a window (search_sessions), with each group's
 * changes laid over them from one statement over group_session: a
 * cancelled session kept and marked, a changed or moved one in its new
 * place in the order, and the one-offs of groups near the point added.
 *
 * Like the rest of the groups feature, nothing here knows HTTP: callers
 * pass now, the links and the database handle.
 */
#ifndef KITH_CALENDAR_H
#define KITH_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "groups/groups.h"

struct actor;
struct db;
struct links;
struct search_index;

#define CALENDAR_TOKEN_HEX 64          /* a feed token: 32 random bytes in lowercase hex */
#define CALENDAR_GROUP_PAST_DAYS 365   /* a group's feed starts a year back */
#define CALENDAR_GROUP_AHEAD_DAYS 1827 /* ... and two schedules meeting on one day are
                                          settled (the later left out) five years ahead */
#define CALENDAR_PERSON_DAYS 90        /* a person's feed: sessions from 90 days back */
#define CALENDAR_PERSON_MAX 500        /* ... at most this many */
#define CALENDAR_ONE_OFFS_MAX 2000     /* one-offs and changes a group's feed holds */
#define CALENDAR_BYTES_MAX (4u << 20)  /* the largest file written */
#define CALENDAR_DOMAIN "kith.invalid" /* UIDs' host when the links have no site address */

/* ---------------------------------------------------------------- calendar files */

/* The .ics of session skey (YYYY-MM-DD) of service id, appended to out:
 * a group's session as group_session_get has it, or for a published
 * service without a group, its schedules' session of that day.
 * ERR_NOT_FOUND when there is no such session the actor may see (group
 * rules: group_load); ERR_GONE when it is cancelled. */
enum err calendar_session(const struct links *links, struct db *db, struct arena *a,
		const struct actor *actor, const char *id, const char *skey, int64_t now, struct buf *out);

/* The group's feed (see above), appended to out. ERR_NOT_FOUND when there
 * is no group the actor may see (a visitor: published ones only). */
enum err calendar_group(const struct links *links, struct db *db, struct arena *a,
		const struct actor *actor, const char *id, int64_t now, struct buf *out);

/* The person's feed (see above), appended to out: sessions they are going
 * to (not waiting for) from CALENDAR_PERSON_DAYS before today, of groups
 * still published, cancelled ones left out, CALENDAR_PERSON_MAX at most. */
enum err calendar_person(const struct links *links, struct db *db, struct arena *a, int64_t person_id,
		int64_t now, struct buf *out);

/* ---------------------------------------------------------------- the private feed's token */

/* Makes the person's feed token (replacing any they had, whose URL then
 * stops working) into token: CALENDAR_TOKEN_HEX lowercase hex digits and
 * a NUL. Only its SHA-256 is kept. ERR_INTERNAL when the kernel gives no
 * randomness. */
enum err calendar_feed_new(struct db *db, int64_t person_id, int64_t now,
		char token[CALENDAR_TOKEN_HEX + 1]);
/* Whose feed token is (64 lowercase hex digits; anything else is not
 * found): ERR_NOT_FOUND when nobody's, or theirs was replaced, or their
 * account is deactivated or erased. */
enum err calendar_feed_person(struct db *db, const char *token, int64_t *person_id);
/* When the person's token was made (Unix seconds), 0 when they have none. */
enum err calendar_feed_made(struct db *db, int64_t person_id, int64_t *made_at);

/* ---------------------------------------------------------------- events near a place */

#define CALENDAR_EVENTS_DAYS 62        /* days a window may span (GROUP_WINDOW_MAX) */

/* What is asked: the days from..to (inclusive), today (anchors schedules
 * without a start day, and says what is past), near a point within
 * radius_m (0: any distance), and the page: offset and limit (limit
 * 1..1000, offset + limit at most SEARCH_SESSIONS_MAX). */
struct calendar_window {
	int64_t from, to, today;
	bool near;
	double lat, lon, radius_m;
	size_t offset, limit;
};

/* One session of the window. Strings are in the arena. */
struct calendar_event {
	const char *service_id;
	char skey[GROUP_SKEY];         /* its key: the day it has in the schedule */
	int64_t day;                   /* the day it is on */
	int opens, closes;             /* minutes after midnight, -1 when not known */
	double distance_m;             /* from the point, -1 without one (or no place) */
	bool cancelled, changed, one_off;
	const char *title, *place, *postcode, *note;   /* a group's words, or NULL */
	/* About its service: */
	const char *name, *org_id, *org_name;
	bool group;                    /* the service has a group: "I'm going" */
	bool group_open;               /* ... that takes people */
	int going;                     /* going, when the group shows it (else -1) */
};

/* The page of the window's sessions (order: day, time with unknown
 * times first, distance with no place last, service id, key) into *out
 * (in a), *n of them, and how many there are in all. Exact, but for a
 * service with two schedules on one day past the first
 * SEARCH_SESSIONS_MAX sessions (counted twice). ERR_INVALID for a window
 * or page that cannot be asked (see above); ERR_TOO_LARGE when the page
 * lies past what can be read exactly (a narrower window or a place). */
enum err calendar_events(struct search_index *ix, struct db *db, struct arena *a,
		const struct calendar_window *w, struct calendar_event **out, size_t *n, size_t *total);

/* An event's id, "<service-id>-<YYYYMMDD>" (46 bytes with the NUL), and
 * back: false for anything else. */
#define CALENDAR_EVENT_ID 46
void calendar_event_id(const char *service_id, const char *skey, char out[CALENDAR_EVENT_ID]);
bool calendar_event_id_parse(const char *id, char service_id[37], char skey[GROUP_SKEY]);

/* ---------------------------------------------------------------- the features */

struct feature;
/* SQLite's plan for the window's changes (EXPLAIN QUERY PLAN, one line a
 * step), for a test that it starts from group_session's indexes.
 * ERR_INVALID on PostgreSQL. */
enum err calendar_window_plan(struct db *db, struct buf *out);

extern const struct feature group_calendar_feature;    /* calendar_web.c: the files and the page */
extern const struct feature group_events_api_feature;  /* events_api.c: /api/v1/events */

/* The events API's settings (kith.conf keys of the same names): its
 * finished answers are kept (app->events_cache) under the search index's
 * version and group_version(), for at most events_cache_seconds (what
 * those do not see: other processes' changes to groups). */
struct events_settings {
	int events_cache_mb;
	int events_cache_entries;
	int events_cache_seconds;
};
struct settings;
extern const struct settings events_settings;

/* ---------------------------------------------------------------- the events API's query */

#include "search/places.h"

struct api_query;
struct directory;

#define EVENTS_PROXIMITY_MAX 200000          /* metres: about 124 miles */
#define EVENTS_PROXIMITY_DEFAULT 8047        /* 5 miles */

/* /api/v1/events's parameters as read (events_api.c). */
struct events_params {
	struct calendar_window w;            /* the window, point and page asked for */
	int64_t page, per_page;              /* the page as asked: w.offset is (page - 1) * per_page */
	char postcode[PLACE_NAME_MAX + 1];   /* with w.near: where, as located ("DN15 6XX",
	                                        "Scunthorpe"); else "" */
};

/* Reads the events API's query q (web/api.h) into out, with no request
 * or database, for the handler and fuzz/fuzz_events_params.c:
 *   from, to     YYYY-MM-DD in 2000..2099; from defaults to today, to to
 *                from + 6; to not before from, and at most
 *                CALENDAR_EVENTS_DAYS days in all;
 *   postcode     located by directory_locate(d, ...) (NULL d: postcodes
 *                only, no place names); then w.near, the point, and
 *                radius_m EVENTS_PROXIMITY_DEFAULT;
 *   proximity    metres, written plainly ("8047", "1609.34": no sign,
 *                space, exponent or hex), 1..EVENTS_PROXIMITY_MAX, and
 *                only with a postcode;
 *   page, per_page   as every /api/v1 list (api_paging: per_page up to
 *                API_PER_PAGE_MAX), no deeper than SEARCH_SESSIONS_MAX
 *                events.
 * Every name is read (api_value's record), so the caller's
 * api_done(API_STRICT) refuses any other. A value it cannot take is
 * ERR_BAD_REQUEST with q->bad the parameter and q->detail a sentence
 * that names it ("The proximity parameter must be a distance in metres
 * from 1 to 200000."); only the first is kept. Another error is
 * directory_locate's own. */
enum err events_params_parse(struct api_query *q, struct directory *d, int64_t today,
		struct events_params *out);

#endif
