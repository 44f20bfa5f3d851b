/*
 * calendar.c - groups' sessions as iCalendar files and as the events of a
 * window near a place (calendar.h).
 *
 * The files are events handed to cal/ical.c, which writes them with
 * libical. A group's feed is its service's schedules as they are (one
 * RRULE each) plus what hosts changed, read with one statement: a changed
 * or cancelled session is an EXDATE of the schedule whose session it is
 * (the earliest on its day, as group_sessions has it), a changed one is
 * also an override with RECURRENCE-ID, and a one-off is an event of its
 * own. So a feed costs a handful of statements however far it reaches,
 * and a calendar program expands it the way group_sessions does
 * (tests/request/test_group_calendar.c checks that with python-dateutil).
 *
 * The events are the search index's sessions (search_sessions) with the
 * groups' changes laid over them. The index knows only schedules; one
 * statement reads every group_session row whose key or day is in the
 * window: a row whose key is in the window takes its session out of the
 * index's list, and every row whose day is in the window (and whose
 * place is near enough) goes back in where it now falls. The index is
 * asked for more sessions than the page needs (the page, plus one for
 * each session taken out), and again for twice as many while the page
 * could hold sessions it has not given yet.
 */
#include "core/common.h"
#include "groups/calendar.h"

#include "auth/policy.h"
#include "cal/ical.h"
#include "core/geo.h"
#include "core/links.h"
#include "core/rand.h"
#include "core/str.h"
#include "core/uktime.h"
#include "directory/directory.h"
#include "groups/groups_int.h"
#include "search/recur.h"
#include "search/search.h"
#include "store/store.h"

#include <ctype.h>
#include <sodium.h>

/* ---------------------------------------------------------------- SQL */

static const struct sql q_feed_rows = { "calendar.feed_rows",
	"SELECT " GROUP_SESSION_COLS("") "FROM group_session WHERE service_id = $1 AND (day >= $2 OR skey >= $2) "
	"ORDER BY skey LIMIT $3", NULL };
static const struct sql q_service = { "calendar.service",
	"SELECT name, scheds FROM service WHERE id = $1 AND state = 'published' "
	"AND stale_hidden_at IS NULL", NULL };
static const struct sql q_going_to = { "calendar.going_to",
	"SELECT r.service_id, r.skey FROM group_rsvp r JOIN person p ON p.id = r.person_id "
	"WHERE r.person_id = $1 AND r.state = 'going' AND r.skey >= $2 AND p.deactivated_at IS NULL "
	"AND p.erased_at IS NULL ORDER BY r.skey, r.service_id LIMIT $3", NULL };
static const struct sql q_feed_put = { "calendar.feed_put",
	"INSERT INTO calendar_feed (person_id, token_hash, created_at) VALUES ($1, $2, $3) "
	"ON CONFLICT (person_id) DO UPDATE SET token_hash = $2, created_at = $3", NULL };
static const struct sql q_feed_who = { "calendar.feed_who",
	"SELECT f.person_id FROM calendar_feed f JOIN person p ON p.id = f.person_id "
	"WHERE f.token_hash = $1 AND p.deactivated_at IS NULL AND p.erased_at IS NULL", NULL };
static const struct sql q_feed_made = { "calendar.feed_made",
	"SELECT created_at FROM calendar_feed WHERE person_id = $1", NULL };
/* The window's changes: every row whose key or day is in it, of services
 * search can show. CROSS JOIN: from the window's few changed sessions
 * (their day and key indexes) to their services, never the other way
 * round (SQLite without statistics otherwise reads every service:
 * calendar_window_plan lets a test see which). */
#define WINDOW_ROWS_SQL \
	"SELECT g.service_id, " GROUP_SESSION_COLS("g.") ", g.latitude, g.longitude, s.scheds " \
	"FROM group_session g " \
	"CROSS JOIN service s WHERE s.id = g.service_id AND s.state = 'published' AND s.stale_hidden_at IS NULL " \
	"AND ((g.skey >= $1 AND g.skey <= $2) OR (g.day >= $1 AND g.day <= $2)) " \
	"ORDER BY g.service_id, g.skey LIMIT $3"
static const struct sql q_window_rows = { "calendar.window_rows", WINDOW_ROWS_SQL, NULL };
static const struct sql q_window_plan = { "calendar.window_plan", "EXPLAIN QUERY PLAN " WINDOW_ROWS_SQL, NULL };
static const struct sql q_places = { "calendar.places",
	"SELECT service_id, latitude, longitude FROM service_at_location "
	"WHERE service_id IN (SELECT value FROM json_each($1)) "
	"AND latitude IS NOT NULL AND longitude IS NOT NULL",
	"SELECT service_id, latitude, longitude FROM service_at_location "
	"WHERE service_id IN (SELECT json_array_elements_text($1::json)) "
	"AND latitude IS NOT NULL AND longitude IS NOT NULL" };
static const struct sql q_about = { "calendar.about",
	"SELECT s.id, s.name, o.id, o.name, CASE WHEN g.service_id IS NULL THEN 0 ELSE 1 END, "
	"coalesce(g.show_count, 0), coalesce(g.state, '') FROM service s "
	"JOIN organisation o ON o.id = s.organisation_id "
	"LEFT JOIN community_group g ON g.service_id = s.id "
	"WHERE s.id IN (SELECT value FROM json_each($1))",
	"SELECT s.id, s.name, o.id, o.name, CASE WHEN g.service_id IS NULL THEN 0 ELSE 1 END, "
	"coalesce(g.show_count, 0), coalesce(g.state, '') FROM service s "
	"JOIN organisation o ON o.id = s.organisation_id "
	"LEFT JOIN community_group g ON g.service_id = s.id "
	"WHERE s.id IN (SELECT json_array_elements_text($1::json))" };
static const struct sql q_going_counts = { "calendar.going_counts",
	"SELECT service_id, skey, count(*) FROM group_rsvp WHERE state = 'going' "
	"AND service_id IN (SELECT value FROM json_each($1)) AND skey >= $2 AND skey <= $3 "
	"GROUP BY service_id, skey",
	"SELECT service_id, skey, count(*) FROM group_rsvp WHERE state = 'going' "
	"AND service_id IN (SELECT json_array_elements_text($1::json)) AND skey >= $2 AND skey <= $3 "
	"GROUP BY service_id, skey" };

/* Rows of the window's changes read at most. */
#define WINDOW_ROWS_MAX 5000

/* ---------------------------------------------------------------- small things */

/* The host of the site's address, for UIDs: "kith.example.org". */
static const char *uid_host(const struct links *links, struct arena *a)
{
	const char *b = links && links->base_url ? links->base_url : "", *p = strstr(b, "://");
	size_t n;
	char *h;

	p = p ? p + 3 : b;
	n = strcspn(p, "/:?#");
	if (n == 0 || !(h = arena_strndup(a, p, n)))
		return CALENDAR_DOMAIN;
	for (char *c = h; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return h;
}

/* "<service-id>-<YYYYMMDD>@host": one session, whichever file it is in. */
static const char *session_uid(struct arena *a, const char *host, const char *id, const char *skey)
{
	return arena_printf(a, "%s-%.4s%.2s%.2s@%s", id, skey, skey + 5, skey + 8, host);
}

/* A schedule's UID: its service and what it is (FNV-1a of its encoded
 * form), so editing the schedule makes a new series. */
static const char *series_uid(struct arena *a, const char *host, const char *id, const struct sched *s)
{
	struct buf b;
	uint32_t h = 2166136261u;

	buf_init(&b, SCHED_ENCODED_MAX + 1);
	sched_encode(s, &b);
	for (size_t i = 0; buf_ok(&b) && i < b.len; i++)
		h = (h ^ (unsigned char)b.p[i]) * 16777619u;
	buf_release(&b);
	return arena_printf(a, "%s-r%08x@%s", id, (unsigned)h, host);
}


/* The location of a session: its own place when it has one. */
static const char *session_location(struct arena *a, const struct group_session *s,
		const struct group_place *pw)
{
	if (s->place && *s->place)
		return s->postcode && *s->postcode ? arena_printf(a, "%s, %s", s->place, s->postcode) : s->place;
	return pw->location;
}

/* What is different (the host's note), then how to get there. */
static const char *session_description(struct arena *a, const struct group_session *s,
		const struct group_place *pw)
{
	const char *how = s->place && *s->place ? NULL : pw->how;

	if (s->note && *s->note && how)
		return arena_printf(a, "%s\n\n%s", s->note, how);
	return s->note && *s->note ? s->note : how;
}

static const char *session_summary(struct arena *a, const char *name, const struct group_session *s)
{
	if (s->one_off && s->title && *s->title)
		return name && *name ? arena_printf(a, "%s: %s", name, s->title) : s->title;
	return name;
}

/* A single event of s (which is on s->day) into ev; sc holds its sched. */
static void single_event(struct arena *a, const char *uid, const char *name, const char *url,
		const struct group_session *s, const struct group_place *pw, struct sched *sc,
		struct ical_event *ev)
{
	memset(sc, 0, sizeof(*sc));
	sc->freq = SCHED_ONCE;
	sc->interval = 1;
	sc->start_day = s->day;
	sc->opens = s->opens;
	sc->closes = s->opens >= 0 ? s->closes : -1;
	memset(ev, 0, sizeof(*ev));
	ev->uid = uid;
	ev->summary = session_summary(a, name, s);
	ev->location = session_location(a, s, pw);
	ev->description = session_description(a, s, pw);
	ev->url = url;
	ev->sched = sc;
	ev->sequence = s->sequence;
}

/* ---------------------------------------------------------------- one session */

/* A published service without a group: its schedules' session of skey. */
static enum err service_session(struct db *db, struct arena *a, const char *id, const char *skey,
		int64_t today, const char **name, struct group_session *out)
{
	struct sched sc[SEARCH_MAX_SCHEDS];
	struct db_res *r;
	int64_t day;
	size_t ns;
	int k;
	enum err e;

	memset(out, 0, sizeof(*out));
	if (!group_skey_parse(skey, &day))
		return ERR_NOT_FOUND;
	if ((e = db_query_one(db, &q_service, DB_ARGS(DB_TEXT(id)), &r)) != ERR_OK)
		return e;
	*name = db_dup(a, r, 0, NULL);
	ns = group_decode_scheds(db_text(r, 1), sc, SEARCH_MAX_SCHEDS);
	db_res_free(r);
	if ((k = group_sched_on(sc, ns, day, today)) < 0)
		return ERR_NOT_FOUND;
	group_skey(day, out->skey);
	out->key_day = out->day = day;
	out->opens = sc[k].opens;
	out->closes = sc[k].closes;
	return ERR_OK;
}

enum err calendar_session(const struct links *links, struct db *db, struct arena *a,
		const struct actor *actor, const char *id, const char *skey, int64_t now, struct buf *out)
{
	int64_t today = uk_local_day(now);
	struct group_session s;
	struct group_meta m;
	struct group_place pw;
	struct ical_event ev;
	struct sched sc;
	const char *name = NULL, *url;
	enum err e = group_load(db, actor, id, &m);

	if (e == ERR_OK) {
		if ((e = group_session_get(db, a, id, skey, today, &s)) != ERR_OK)
			return e;
		name = group_name(db, a, id);
		url = link_abs(links, a, "groups.session", id, s.skey, NULL);
	} else if (e == ERR_NOT_FOUND) {
		if ((e = service_session(db, a, id, skey, today, &name, &s)) != ERR_OK)
			return e;
		url = link_abs(links, a, "directory.service", id, NULL);
	} else {
		return e;
	}
	if (s.cancelled)
		return ERR_GONE;
	group_place(links, db, a, id, now, &pw);
	single_event(a, session_uid(a, uid_host(links, a), id, s.skey), name, url, &s, &pw, &sc, &ev);
	return ical_calendar(name, &ev, 1, now, out);
}

/* ---------------------------------------------------------------- a group's feed */

/* A row of group_session as a session (opens and closes as stored). */
static bool row_session(struct arena *a, struct db_res *r, struct group_session *s)
{
	memset(s, 0, sizeof(*s));
	s->opens = s->closes = -1;
	return group_session_read(a, r, 0, s);
}

static enum err feed_rows(struct db *db, struct arena *a, const char *id, int64_t from,
		struct group_session **out, size_t *n)
{
	char f[GROUP_SKEY];
	struct db_res *r;
	struct group_session *v = arena_calloc(a, CALENDAR_ONE_OFFS_MAX, sizeof(*v));
	enum err e;

	*out = v;
	*n = 0;
	if (!v)
		return ERR_NOMEM;
	group_skey(from, f);
	if ((e = db_query(db, &q_feed_rows, DB_ARGS(DB_TEXT(id), DB_TEXT(f), DB_INT(CALENDAR_ONE_OFFS_MAX)),
			  &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r) && *n < CALENDAR_ONE_OFFS_MAX)
		if (row_session(a, r, &v[*n]))
			(*n)++;
	db_res_free(r);
	return e;
}

/* One schedule of the feed: its series event and the days it skips. */
struct series {
	struct sched sc;              /* start_day: its first session in the feed */
	const char *uid;
	int64_t *ex;
	size_t nex, cap;
	int sequence;
	bool live;                    /* has a session in the feed */
	bool replaced;                /* a one-date schedule whose session changed */
};

static void series_skip(struct series *s, int64_t day)
{
	if (s->nex < s->cap)
		s->ex[s->nex++] = day;
}

enum err calendar_group(const struct links *links, struct db *db, struct arena *a,
		const struct actor *actor, const char *id, int64_t now, struct buf *out)
{
	int64_t today = uk_local_day(now), from = today - CALENDAR_GROUP_PAST_DAYS;
	int64_t horizon = today + CALENDAR_GROUP_AHEAD_DAYS;
	struct sched raw[SEARCH_MAX_SCHEDS];
	struct series sr[SEARCH_MAX_SCHEDS];
	struct group_session *rows;
	struct ical_event *ev;
	struct sched *singles;
	struct group_place pw;
	struct group_meta m;
	const char *name, *host;
	size_t ns, nrows, nev = 0, nsingle = 0;
	enum err e;

	if ((e = group_load(db, actor, id, &m)) != ERR_OK)
		return e;
	if ((e = group_scheds(db, id, raw, SEARCH_MAX_SCHEDS, &ns)) != ERR_OK ||
	    (e = feed_rows(db, a, id, from, &rows, &nrows)) != ERR_OK)
		return e;
	name = group_name(db, a, id);
	host = uid_host(links, a);
	group_place(links, db, a, id, now, &pw);
	/* Each schedule starts at its first session in the feed, so DTSTART
	 * is always one of its sessions (RFC 5545 counts DTSTART as one;
	 * python-dateutil only when the rule has it). */
	memset(sr, 0, sizeof(sr));
	for (size_t i = 0; i < ns; i++) {
		int64_t first;

		sr[i].sc = raw[i];
		if (sched_days(&raw[i], from, horizon, today, &first, 1) == 0)
			continue;
		sr[i].sc.start_day = first;
		sr[i].live = true;
		sr[i].uid = series_uid(a, host, id, &raw[i]);
		sr[i].cap = nrows + (ns > 1 ? (size_t)(horizon - from + 1) : 0);
		if (!(sr[i].ex = arena_calloc(a, sr[i].cap ? sr[i].cap : 1, sizeof(int64_t))))
			return ERR_NOMEM;
	}
	/* Two schedules on one day make one session, the earlier: the other
	 * skips it. */
	for (int64_t d = from; ns > 1 && d <= horizon; d++) {
		int k = group_sched_on(raw, ns, d, today);

		for (size_t i = 0; k >= 0 && i < ns; i++)
			if ((int)i != k && sr[i].live && d >= sr[i].sc.start_day && sched_on_day(&raw[i], d, today))
				series_skip(&sr[i], d);
	}
	ev = arena_calloc(a, ns + nrows + 1, sizeof(*ev));
	singles = arena_calloc(a, nrows + 1, sizeof(*singles));
	if (!ev || !singles)
		return ERR_NOMEM;
	/* Changes: an EXDATE of the session's series, and the session as it
	 * is now (RECURRENCE-ID) unless cancelled. */
	for (size_t i = 0; i < nrows; i++) {
		struct group_session *s = &rows[i];
		int k = s->one_off ? -1 : group_sched_on(raw, ns, s->key_day, today);
		const char *uid, *url = link_abs(links, a, "groups.session", id, s->skey, NULL);

		if (s->one_off || k < 0 || !sr[k].live || s->key_day < sr[k].sc.start_day) {
			/* A one-off, or a change to a session before its series
			 * starts in the feed: a session of its own (none when
			 * cancelled, or when the schedule no longer has it). */
			if (s->cancelled || (!s->one_off && k < 0))
				continue;
			uid = session_uid(a, host, id, s->skey);
			single_event(a, uid, name, url, s, &pw, &singles[nsingle], &ev[nev]);
			nsingle++;
			nev++;
			continue;
		}
		if (sr[k].sequence < s->sequence)
			sr[k].sequence = s->sequence;
		if (sr[k].sc.freq == SCHED_ONCE)
			sr[k].replaced = true;
		else
			series_skip(&sr[k], s->key_day);
		if (s->cancelled)
			continue;
		single_event(a, sr[k].uid, name, url, s, &pw, &singles[nsingle], &ev[nev]);
		if (sr[k].sc.freq != SCHED_ONCE) {
			ev[nev].recurrence_id = s->key_day;
			ev[nev].recurrence_of = &sr[k].sc;
		}
		nsingle++;
		nev++;
	}
	/* The series first (in the schedules' order), then what changed. */
	for (size_t i = ns; i-- > 0;) {
		struct ical_event se;

		if (!sr[i].live || sr[i].replaced)
			continue;
		memset(&se, 0, sizeof(se));
		se.uid = sr[i].uid;
		se.summary = name;
		se.location = pw.location;
		se.description = pw.how;
		se.url = link_abs(links, a, "groups.show", id, NULL);
		se.sched = &sr[i].sc;
		se.exdates = sr[i].ex;
		se.nexdates = sr[i].nex;
		se.sequence = sr[i].sequence;
		memmove(&ev[1], &ev[0], nev * sizeof(*ev));
		ev[0] = se;
		nev++;
	}
	return ical_calendar(name, ev, nev, now, out);
}

/* ---------------------------------------------------------------- a person's feed */

struct going_row {
	const char *id;
	char skey[GROUP_SKEY];
};

/* What a person's feed knows about one group (several sessions share it). */
struct group_seen {
	const char *id, *name;
	struct group_place pw;
	bool visible;
};

enum err calendar_person(const struct links *links, struct db *db, struct arena *a, int64_t person_id,
		int64_t now, struct buf *out)
{
	int64_t today = uk_local_day(now);
	struct going_row *rows = arena_calloc(a, CALENDAR_PERSON_MAX, sizeof(*rows));
	struct group_seen *seen = arena_calloc(a, CALENDAR_PERSON_MAX, sizeof(*seen));
	struct ical_event *ev = arena_calloc(a, CALENDAR_PERSON_MAX, sizeof(*ev));
	struct sched *sc = arena_calloc(a, CALENDAR_PERSON_MAX, sizeof(*sc));
	const char *host = uid_host(links, a);
	char f[GROUP_SKEY];
	size_t nrows = 0, nseen = 0, nev = 0;
	struct db_res *r;
	enum err e;

	if (!rows || !seen || !ev || !sc)
		return ERR_NOMEM;
	group_skey(today - CALENDAR_PERSON_DAYS, f);
	if ((e = db_query(db, &q_going_to, DB_ARGS(DB_INT(person_id), DB_TEXT(f), DB_INT(CALENDAR_PERSON_MAX)),
			  &r)) != ERR_OK)
		return e;
	/* Read them all first: each then takes statements of its own. */
	while ((e = db_next(r)) == ERR_OK && db_row(r) && nrows < CALENDAR_PERSON_MAX) {
		rows[nrows].id = db_dup(a, r, 0, NULL);
		if (rows[nrows].id && str_copy(rows[nrows].skey, GROUP_SKEY, db_text(r, 1)))
			nrows++;
	}
	db_res_free(r);
	if (e)
		return e;
	for (size_t i = 0; i < nrows; i++) {
		struct group_seen *g = NULL;
		struct group_session s;
		struct group_meta m;

		for (size_t j = 0; j < nseen && !g; j++)
			if (strcmp(seen[j].id, rows[i].id) == 0)
				g = &seen[j];
		if (!g) {
			g = &seen[nseen++];
			g->id = rows[i].id;
			e = group_load(db, NULL, g->id, &m);
			if (e && e != ERR_NOT_FOUND)
				return e;
			g->visible = e == ERR_OK;
			if (g->visible) {
				g->name = group_name(db, a, g->id);
				group_place(links, db, a, g->id, now, &g->pw);
			}
		}
		if (!g->visible)
			continue;
		e = group_session_get(db, a, g->id, rows[i].skey, today, &s);
		if (e == ERR_NOT_FOUND || (e == ERR_OK && s.cancelled))
			continue;
		if (e)
			return e;
		single_event(a, session_uid(a, host, g->id, s.skey), g->name,
			     link_abs(links, a, "groups.session", g->id, s.skey, NULL), &s, &g->pw, &sc[nev],
			     &ev[nev]);
		nev++;
	}
	return ical_calendar("My groups", ev, nev, now, out);
}

/* ---------------------------------------------------------------- the feed's token */

static void token_hash(const char *token, char out[CALENDAR_TOKEN_HEX + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	hex_encode(h, sizeof(h), out);
}

enum err calendar_feed_new(struct db *db, int64_t person_id, int64_t now,
		char token[CALENDAR_TOKEN_HEX + 1])
{
	unsigned char raw[CALENDAR_TOKEN_HEX / 2];
	char hash[CALENDAR_TOKEN_HEX + 1];
	enum err e;

	token[0] = '\0';
	if (!rand_bytes(raw, sizeof(raw)))
		return ERR_INTERNAL;
	hex_encode(raw, sizeof(raw), token);
	sodium_memzero(raw, sizeof(raw));
	token_hash(token, hash);
	e = db_exec(db, &q_feed_put, DB_ARGS(DB_INT(person_id), DB_TEXT(hash), DB_INT(now)), NULL);
	if (e == ERR_OK)
		e = group_audit(db, now, person_id, "group.calendar_feed_new", person_id, "person=%lld",
				(long long)person_id);
	if (e)
		sodium_memzero(token, CALENDAR_TOKEN_HEX + 1);
	return e;
}

enum err calendar_feed_person(struct db *db, const char *token, int64_t *person_id)
{
	char hash[CALENDAR_TOKEN_HEX + 1];

	*person_id = 0;
	if (!token || strlen(token) != CALENDAR_TOKEN_HEX || !str_is_lower_hex(token, CALENDAR_TOKEN_HEX))
		return ERR_NOT_FOUND;
	token_hash(token, hash);
	return db_query_int(db, &q_feed_who, DB_ARGS(DB_TEXT(hash)), person_id);
}

enum err calendar_feed_made(struct db *db, int64_t person_id, int64_t *made_at)
{
	enum err e = db_query_int(db, &q_feed_made, DB_ARGS(DB_INT(person_id)), made_at);

	if (e == ERR_NOT_FOUND) {
		*made_at = 0;
		return ERR_OK;
	}
	return e;
}

/* ---------------------------------------------------------------- event ids */

void calendar_event_id(const char *service_id, const char *skey, char out[CALENDAR_EVENT_ID])
{
	snprintf(out, CALENDAR_EVENT_ID, "%.36s-%.4s%.2s%.2s", service_id, skey, skey + 5, skey + 8);
}

bool calendar_event_id_parse(const char *id, char service_id[37], char skey[GROUP_SKEY])
{
	int64_t day;

	if (!id || strlen(id) != CALENDAR_EVENT_ID - 1 || id[36] != '-' ||
	    !str_is_uuid((struct str){ id, 36 }))
		return false;
	for (int i = 37; i < 45; i++)
		if (!isdigit((unsigned char)id[i]))
			return false;
	snprintf(skey, GROUP_SKEY, "%.4s-%.2s-%.2s", id + 37, id + 41, id + 43);
	if (!uk_parse_day(skey, &day))
		return false;
	memcpy(service_id, id, 36);
	service_id[36] = '\0';
	str_lower_ascii(service_id, 36);
	return true;
}

/* ---------------------------------------------------------------- events near a place */

static int event_cmp(const void *pa, const void *pb)
{
	const struct calendar_event *a = pa, *b = pb;
	int c;

	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	if (a->opens != b->opens)
		return a->opens < b->opens ? -1 : 1;
	if (a->distance_m != b->distance_m) {
		if (a->distance_m < 0 || b->distance_m < 0)
			return a->distance_m < 0 ? 1 : -1;
		return a->distance_m < b->distance_m ? -1 : 1;
	}
	if ((c = strcmp(a->service_id, b->service_id)) != 0)
		return c;
	return strcmp(a->skey, b->skey);
}

/* A session taken out of the index's list: its service and key. */
struct taken {
	const char *id;
	char skey[GROUP_SKEY];
	bool in_index;                /* its service is near enough to be in the index's answer */
	bool found;                   /* ... and it was among the sessions read */
};

static int taken_cmp(const void *pa, const void *pb)
{
	const struct taken *a = pa, *b = pb;
	int c = strcmp(a->id, b->id);

	return c ? c : strcmp(a->skey, b->skey);
}

/* A place of a service (service_at_location). */
struct svc_point {
	const char *id;
	double lat, lon;
};

/* The window's changes, read once: what they take out, and what they put
 * back (extras). */
struct overlay {
	struct taken *taken;
	size_t ntaken;
	struct calendar_event *extra;
	size_t nextra;
};

/* A JSON array of the distinct strings in ids (UUIDs: nothing to escape). */
static bool ids_json(const char *const *ids, size_t n, struct buf *out)
{
	buf_addc(out, '[');
	for (size_t i = 0, k = 0; i < n; i++) {
		bool dup = false;

		for (size_t j = 0; j < i && !dup; j++)
			dup = strcmp(ids[i], ids[j]) == 0;
		if (dup || !str_is_uuid(str_c(ids[i])))
			continue;
		buf_addf(out, "%s\"%s\"", k++ ? "," : "", ids[i]);
	}
	buf_addc(out, ']');
	return buf_ok(out);
}

/* The nearest place of service id to the window's point, -1 when none. */
static double nearest(const struct svc_point *pts, size_t n, const char *id,
		const struct calendar_window *w)
{
	double best = -1;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(pts[i].id, id) != 0)
			continue;
		double d = geo_distance_m(w->lat, w->lon, pts[i].lat, pts[i].lon);

		if (best < 0 || d < best)
			best = d;
	}
	return best;
}

static bool near_enough(const struct calendar_window *w, double d)
{
	return !w->near || w->radius_m <= 0 || (d >= 0 && d <= w->radius_m);
}

/* One change row, read. */
struct change_row {
	struct group_session s;
	const char *id;
	double lat, lon;
	bool has_point;
	int owner;                    /* its schedule's index, -1: none (or a one-off) */
};

/* The places of the rows' services (service_at_location) into *out. */
static enum err read_places(struct db *db, struct arena *a, const struct change_row *rows, size_t nrows,
		struct svc_point **out, size_t *n)
{
	const char **ids = arena_calloc(a, nrows, sizeof(*ids));
	struct svc_point *pts = NULL;
	size_t cap = 0;
	struct db_res *r;
	struct buf b;
	enum err e;

	*out = NULL;
	*n = 0;
	if (!ids)
		return ERR_NOMEM;
	for (size_t i = 0; i < nrows; i++)
		ids[i] = rows[i].id;
	buf_init(&b, nrows * 40 + 16);
	if (!ids_json(ids, nrows, &b)) {
		buf_release(&b);
		return ERR_NOMEM;
	}
	e = db_query(db, &q_places, DB_ARGS(DB_TEXT(b.p)), &r);
	buf_release(&b);
	if (e)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct svc_point *p = arena_calloc(a, nc, sizeof(*p));

			if (!p) {
				e = ERR_NOMEM;
				break;
			}
			if (*n)
				memcpy(p, pts, *n * sizeof(*p));
			pts = p;
			cap = nc;
		}
		pts[*n].id = db_dup(a, r, 0, NULL);
		pts[*n].lat = db_real(r, 1);
		pts[*n].lon = db_real(r, 2);
		if (pts[*n].id)
			(*n)++;
	}
	db_res_free(r);
	*out = pts;
	return e;
}

static enum err read_overlay(struct db *db, struct arena *a, const struct calendar_window *w,
		struct overlay *ov)
{
	char f[GROUP_SKEY], t[GROUP_SKEY];
	struct change_row *rows = NULL;
	struct svc_point *pts = NULL;
	size_t nrows = 0, cap = 0, npts = 0;
	struct db_res *r;
	enum err e;

	memset(ov, 0, sizeof(*ov));
	group_skey(w->from, f);
	group_skey(w->to, t);
	if ((e = db_query(db, &q_window_rows, DB_ARGS(DB_TEXT(f), DB_TEXT(t), DB_INT(WINDOW_ROWS_MAX)),
			  &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		struct change_row *c;
		struct sched sc[SEARCH_MAX_SCHEDS];
		size_t ns;

		if (nrows == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct change_row *p = arena_calloc(a, nc, sizeof(*p));

			if (!p) {
				e = ERR_NOMEM;
				break;
			}
			if (nrows)
				memcpy(p, rows, nrows * sizeof(*p));
			rows = p;
			cap = nc;
		}
		c = &rows[nrows];
		memset(c, 0, sizeof(*c));
		/* Columns 1..11 are a row as feed_rows reads it; then the point
		 * and the service's schedules. */
		c->s.opens = c->s.closes = -1;
		if (!group_session_read(a, r, 1, &c->s))
			continue;
		c->id = db_dup(a, r, 0, NULL);
		c->has_point = !db_isnull(r, 12) && !db_isnull(r, 13);
		c->lat = db_real(r, 12);
		c->lon = db_real(r, 13);
		ns = group_decode_scheds(db_text(r, 14), sc, SEARCH_MAX_SCHEDS);
		c->owner = c->s.one_off ? -1 : group_sched_on(sc, ns, c->s.key_day, w->today);
		/* A change to a day its schedule no longer has is gone with it. */
		if (!c->id || (!c->s.one_off && c->owner < 0))
			continue;
		nrows++;
	}
	db_res_free(r);
	if (e)
		return e;
	if (nrows == 0)
		return ERR_OK;
	/* The services' places, to measure the changes' distance as the
	 * index measures its sessions'. */
	if (w->near && (e = read_places(db, a, rows, nrows, &pts, &npts)) != ERR_OK)
		return e;
	ov->taken = arena_calloc(a, nrows, sizeof(*ov->taken));
	ov->extra = arena_calloc(a, nrows, sizeof(*ov->extra));
	if (!ov->taken || !ov->extra)
		return ERR_NOMEM;
	for (size_t i = 0; i < nrows; i++) {
		struct change_row *c = &rows[i];
		double svc_d = w->near ? nearest(pts, npts, c->id, w) : -1;
		double d = c->has_point && w->near ? geo_distance_m(w->lat, w->lon, c->lat, c->lon) : svc_d;

		if (!c->s.one_off && c->s.key_day >= w->from && c->s.key_day <= w->to) {
			struct taken *tk = &ov->taken[ov->ntaken++];

			tk->id = c->id;
			str_copy(tk->skey, sizeof(tk->skey), c->s.skey);
			tk->in_index = near_enough(w, svc_d);
		}
		if (c->s.day < w->from || c->s.day > w->to || !near_enough(w, d))
			continue;
		struct calendar_event *x = &ov->extra[ov->nextra++];

		x->service_id = c->id;
		str_copy(x->skey, sizeof(x->skey), c->s.skey);
		x->day = c->s.day;
		x->opens = c->s.opens;
		x->closes = c->s.opens >= 0 ? c->s.closes : -1;
		x->distance_m = d;
		x->cancelled = c->s.cancelled;
		x->changed = !c->s.one_off && !c->s.cancelled;
		x->one_off = c->s.one_off;
		x->title = c->s.title;
		x->place = c->s.place;
		x->postcode = c->s.postcode;
		x->note = c->s.note;
		x->going = -1;
	}
	qsort(ov->taken, ov->ntaken, sizeof(*ov->taken), taken_cmp);
	return ERR_OK;
}

/* Events by service, day, then time (unknown last): where two sessions
 * of one service on one day meet. */
static int by_service_day(const void *pa, const void *pb)
{
	const struct calendar_event *a = pa, *b = pb;
	int c = strcmp(a->service_id, b->service_id);

	if (c)
		return c;
	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	return a->opens == b->opens ? 0 : a->opens < 0 ? 1 : b->opens < 0 ? -1 : a->opens < b->opens ? -1 : 1;
}

/* The index's sessions as events, less those the changes took out and
 * the later of two of one service on one day; then the extras; sorted.
 * *unfound: sessions taken out that were not among those read. */
static enum err merge(struct arena *a, const struct search_session *ss, size_t n, struct overlay *ov,
		struct calendar_event **out, size_t *nout, size_t *unfound)
{
	struct calendar_event *v = arena_calloc(a, n + ov->nextra + 1, sizeof(*v));
	size_t k = 0;

	*unfound = 0;
	if (!v)
		return ERR_NOMEM;
	for (size_t i = 0; i < ov->ntaken; i++)
		ov->taken[i].found = false;
	for (size_t i = 0; i < n; i++) {
		struct taken key = { .id = ss[i].id };
		struct taken *tk;

		group_skey(ss[i].day, key.skey);
		if (ov->ntaken && (tk = bsearch(&key, ov->taken, ov->ntaken, sizeof(key), taken_cmp)) != NULL) {
			tk->found = true;
			continue;
		}
		v[k] = (struct calendar_event){ .service_id = ss[i].id, .day = ss[i].day, .opens = ss[i].opens,
			.closes = ss[i].opens >= 0 ? ss[i].closes : -1, .distance_m = ss[i].distance_m,
			.going = -1 };
		memcpy(v[k].skey, key.skey, sizeof(key.skey));
		k++;
	}
	for (size_t i = 0; i < ov->ntaken; i++)
		if (ov->taken[i].in_index && !ov->taken[i].found)
			(*unfound)++;
	/* One session a service a day: the earliest with a time (as
	 * group_sessions has it). Sorted by service and key, the two meet. */
	qsort(v, k, sizeof(*v), by_service_day);
	size_t m = 0;
	for (size_t i = 0; i < k; i++)
		if (m == 0 || strcmp(v[m - 1].service_id, v[i].service_id) != 0 || v[m - 1].day != v[i].day)
			v[m++] = v[i];
	if (ov->nextra)
		memcpy(&v[m], ov->extra, ov->nextra * sizeof(*v));
	m += ov->nextra;
	qsort(v, m, sizeof(*v), event_cmp);
	*out = v;
	*nout = m;
	return ERR_OK;
}

/* What the page's events need of their services: names, organisations,
 * whether each has a group, and how many are going where the group shows
 * it. Two statements for the whole page. */
static enum err about(struct db *db, struct arena *a, struct calendar_event *v, size_t n)
{
	const char **ids = arena_calloc(a, n + 1, sizeof(*ids));
	char lo[GROUP_SKEY] = "9999-12-31", hi[GROUP_SKEY] = "0000-01-01";
	bool counts = false;
	struct db_res *r;
	struct buf b;
	enum err e;

	if (!ids)
		return ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		ids[i] = v[i].service_id;
	buf_init(&b, n * 40 + 16);
	if (!ids_json(ids, n, &b)) {
		buf_release(&b);
		return ERR_NOMEM;
	}
	if ((e = db_query(db, &q_about, DB_ARGS(DB_TEXT(b.p)), &r)) != ERR_OK)
		goto out;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		const char *id = db_text(r, 0), *name = db_dup(a, r, 1, NULL), *oid = db_dup(a, r, 2, NULL);
		const char *oname = db_dup(a, r, 3, NULL);
		bool group = db_int(r, 4) != 0, show = db_int(r, 5) != 0;
		bool open = db_text(r, 6) && strcmp(db_text(r, 6), "open") == 0;

		for (size_t i = 0; i < n; i++) {
			if (strcmp(v[i].service_id, id) != 0)
				continue;
			v[i].name = name;
			v[i].org_id = oid;
			v[i].org_name = oname;
			v[i].group = group;
			v[i].group_open = open;
			if (group && show) {
				v[i].going = 0;
				counts = true;
				if (strcmp(v[i].skey, lo) < 0)
					memcpy(lo, v[i].skey, sizeof(lo));
				if (strcmp(v[i].skey, hi) > 0)
					memcpy(hi, v[i].skey, sizeof(hi));
			}
		}
	}
	db_res_free(r);
	if (e || !counts)
		goto out;
	if ((e = db_query(db, &q_going_counts, DB_ARGS(DB_TEXT(b.p), DB_TEXT(lo), DB_TEXT(hi)), &r)) != ERR_OK)
		goto out;
	while ((e = db_next(r)) == ERR_OK && db_row(r))
		for (size_t i = 0; i < n; i++)
			if (v[i].going >= 0 && strcmp(v[i].service_id, db_text(r, 0)) == 0 &&
			    strcmp(v[i].skey, db_text(r, 1)) == 0)
				v[i].going = (int)db_int(r, 2);
	db_res_free(r);
out:
	buf_release(&b);
	return e;
}

enum err calendar_events(struct search_index *ix, struct db *db, struct arena *a,
		const struct calendar_window *w, struct calendar_event **out, size_t *n, size_t *total)
{
	struct search_query q = { .near = w->near, .lat = w->lat, .lon = w->lon,
				  .radius_m = w->near ? w->radius_m : 0 };
	struct calendar_event *v = NULL;
	struct overlay ov;
	size_t want = w->offset + w->limit, k, nv = 0, exact = 0;
	enum err e;

	*out = NULL;
	*n = 0;
	*total = 0;
	if (!ix || w->to < w->from || w->to - w->from >= CALENDAR_EVENTS_DAYS || w->limit == 0 ||
	    w->limit > 1000 || want > SEARCH_SESSIONS_MAX)
		return ERR_INVALID;
	if ((e = read_overlay(db, a, w, &ov)) != ERR_OK)
		return e;
	k = want + ov.ntaken + 32;
	for (;;) {
		struct search_session *ss;
		size_t got, all, unfound;

		if (k > SEARCH_SESSIONS_MAX)
			k = SEARCH_SESSIONS_MAX;
		if ((e = search_sessions(ix, &q, w->from, w->to, w->today, k, a, &ss, &got, &all)) != ERR_OK ||
		    (e = merge(a, ss, got, &ov, &v, &nv, &unfound)) != ERR_OK)
			return e;
		if (got == all) {
			exact = nv;
			*total = nv;
			break;
		}
		/* Past the last session read, the index may hold ones that come
		 * before the extras there: only what sorts up to it is sure. */
		struct calendar_event last = { .service_id = ss[got - 1].id, .day = ss[got - 1].day,
					       .opens = ss[got - 1].opens, .distance_m = ss[got - 1].distance_m };
		group_skey(ss[got - 1].day, last.skey);
		for (exact = 0; exact < nv && event_cmp(&v[exact], &last) <= 0; exact++)
			;
		*total = nv + (all - got) - (unfound < all - got ? unfound : all - got);
		if (exact >= want || k == SEARCH_SESSIONS_MAX)
			break;
		k *= 2;
	}
	if (w->offset >= exact)
		return w->offset < *total ? ERR_TOO_LARGE : ERR_OK;
	*out = v + w->offset;
	*n = exact - w->offset < w->limit ? exact - w->offset : w->limit;
	return about(db, a, *out, *n);
}

enum err calendar_window_plan(struct db *db, struct buf *out)
{
	struct db_res *r;
	enum err e;

	if (db_backend(db) != DB_SQLITE)
		return ERR_INVALID;
	if ((e = db_query(db, &q_window_plan, DB_ARGS(DB_TEXT("2026-12-07"), DB_TEXT("2026-12-13"), DB_INT(10)),
			  &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		buf_adds(out, db_text(r, db_ncols(r) - 1));
		buf_addc(out, '\n');
	}
	db_res_free(r);
	return e;
}
