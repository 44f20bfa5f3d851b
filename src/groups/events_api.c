/*
 * events_api.c - sessions for other systems: /api/v1/events.
 *
 *   GET    /api/v1/events?from=&to=&postcode=&proximity=&page=&per_page=
 *          what is on: each session of a published service in the window
 *          (recurring ones expanded, groups' changes laid over them:
 *          calendar_events), public, CORS "*"
 *   POST   /api/v1/events/{id}/rsvp     "I'm going" (or waiting, when full)
 *   DELETE /api/v1/events/{id}/rsvp     not going any more
 *
 * An event's id is its service's and the day it has in the schedule,
 * "<service-id>-<YYYYMMDD>", so it stays the same when the session moves.
 *
 * The window: from and to are UK days (YYYY-MM-DD); from defaults to
 * today and to to six days after from (a week); at most
 * CALENDAR_EVENTS_DAYS days. postcode is a postcode or a place name
 * (directory_locate, as /find reads it); proximity is metres from it,
 * written plainly ("8047", "1609.34"), 1..EVENTS_PROXIMITY_MAX,
 * EVENTS_PROXIMITY_DEFAULT (5 miles) when a postcode comes without one. Paging as every /api/v1 list (web/api.h),
 * deep pages bounded by what search_sessions gives at once.
 *
 * Saying "I'm going" needs an account with a confirmed email address
 * (act_group_join) and the rules are the group's (group_rsvp: capacity,
 * the waiting list, a cancelled or past session). With a bearer token the
 * body may be empty. A browser session's cookie would ride along on a
 * request another site makes, so with one the POST must carry a JSON body
 * ({} will do): a cross-site form cannot send Content-Type:
 * application/json, and a script must ask first (CORS preflight), which
 * only the GET answers. A DELETE from another site is asked about first
 * as well.
 */
#include "core/common.h"
#include "groups/groups_web.h"
#include "groups/calendar.h"

#include "app/app.h"
#include "app/config.h"
#include "app/features.h"
#include "auth/policy.h"
#include "core/geo.h"
#include "core/uktime.h"
#include "directory/directory.h"
#include "directory/directory_feature.h"
#include "groups/groups_policy.h"
#include "http/request.h"
#include "store/store.h"
#include "search/search.h"
#include "web/api.h"
#include "web/cached.h"
#include "web/url.h"
#include "web/view.h"

#include <math.h>

#define EVENTS_DAY_MIN "2000-01-01"          /* dates asked about, inclusive */
#define EVENTS_DAY_MAX "2099-12-31"
#define EVENTS_PATH "/api/v1/events"

/* ---------------------------------------------------------------- reading the query
 *
 * events_params_parse (calendar.h) reads a query with web/api.h's
 * readers and no request: the clock comes in as today and place names
 * from d, so fuzz/fuzz_events_params.c calls it with a kvlist and NULL
 * (postcodes only). The handler's parse() adds what needs the request:
 * API_STRICT's refusal of a name nobody read, and the 400 itself. */

/* A day parameter: *day unchanged when absent. */
static void day_param(struct api_query *q, const char *name, int64_t *day)
{
	int64_t lo, hi, d;
	const char *v = api_value(q, name);

	if (!v)
		return;
	uk_parse_day(EVENTS_DAY_MIN, &lo);
	uk_parse_day(EVENTS_DAY_MAX, &hi);
	if (strlen(v) != 10 || !uk_parse_day(v, &d) || d < lo || d > hi)
		api_refuse(q, name, "The %s parameter must be a date like 2026-12-10 (year, month, day), "
			   "from 2000 to 2099.", name);
	else
		*day = d;
}

/* Plain decimal metres, from 1 to max: digits, then optionally a point
 * and more digits ("8047", "1609.34"). Not strtod's wider language: no
 * sign, space, exponent ("1e3"), hex ("0x10"), "inf" or bare point. The
 * bounds are judged on the digits, so "200000.0001" is past 200000
 * however a double rounds it. */
static bool metres(const char *s, long max, double *out)
{
	const char *p = s;
	long whole = 0;
	bool frac = false;    /* a digit after the point that is not 0 */

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++)
		if (whole <= max)   /* stops growing once past max: no overflow */
			whole = whole * 10 + (*p - '0');
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return false;
		for (p++; *p >= '0' && *p <= '9'; p++)
			frac |= *p != '0';
	}
	if (*p || whole < 1 || whole > max || (whole == max && frac))
		return false;
	*out = strtod(s, NULL);
	return true;
}

enum err events_params_parse(struct api_query *q, struct directory *d, int64_t today,
		struct events_params *out)
{
	struct calendar_window *w = &out->w;
	const char *pc = NULL, *prox;
	struct api_page pg;
	int64_t from, to;
	bool has_to;

	memset(out, 0, sizeof(*out));
	w->today = today;
	from = today;
	day_param(q, "from", &from);
	to = from + 6;
	has_to = api_value(q, "to") != NULL;
	day_param(q, "to", &to);
	if (api_ok(q) && to < from)
		api_refuse(q, "to", has_to && api_value(q, "from") ? "The to parameter must be the same day "
			   "as from or later." : "The to parameter must be today or later, or give from as well.");
	else if (api_ok(q) && to - from >= CALENDAR_EVENTS_DAYS)
		api_refuse(q, "to", "The to parameter must be at most %d days after from: ask for %d days "
			   "at a time at most.", CALENDAR_EVENTS_DAYS - 1, CALENDAR_EVENTS_DAYS);
	api_text(q, "postcode", PLACE_NAME_MAX, &pc);
	if (pc && api_ok(q)) {
		struct dir_place pl;
		char why[512];
		enum err e = directory_locate(d, pc, &pl, why, sizeof(why));

		if (e == ERR_INVALID || e == ERR_NOT_FOUND)
			api_refuse(q, "postcode", "The postcode parameter must be a UK postcode or a place we "
				   "know. %s", why);
		else if (e)
			return e;
		else {
			w->near = true;
			w->lat = pl.lat;
			w->lon = pl.lon;
			w->radius_m = EVENTS_PROXIMITY_DEFAULT;
			snprintf(out->postcode, sizeof(out->postcode), "%s", pl.name);
		}
	}
	if ((prox = api_value(q, "proximity")) != NULL) {
		double m;

		if (!metres(prox, EVENTS_PROXIMITY_MAX, &m))
			api_refuse(q, "proximity", "The proximity parameter must be a distance in metres from "
				   "1 to %d.", EVENTS_PROXIMITY_MAX);
		else if (!pc)
			api_refuse(q, "proximity", "The proximity parameter needs a postcode to measure from.");
		else
			w->radius_m = m;
	}
	api_paging(q, API_PER_PAGE, API_PER_PAGE_MAX, &pg);
	if (api_ok(q) && api_offset(&pg) + pg.per_page > SEARCH_SESSIONS_MAX)
		api_refuse(q, "page", "The page parameter goes too deep: at most %d events can be paged "
			   "through. Ask for fewer days, or give a postcode.", SEARCH_SESSIONS_MAX);
	out->page = pg.page;
	out->per_page = pg.per_page;
	w->from = from;
	w->to = to;
	w->offset = (size_t)api_offset(&pg);
	w->limit = (size_t)pg.per_page;
	return api_ok(q) ? ERR_OK : ERR_BAD_REQUEST;
}

/* The request's query: events_params_parse, then API_STRICT. */
static enum err parse(struct request *req, struct events_params *p)
{
	struct api_query q;
	enum err e;

	api_query_of(&q, req);
	e = events_params_parse(&q, directory_of(req->app), uk_local_day(req->now), p);
	if (e != ERR_OK && e != ERR_BAD_REQUEST)
		return e;
	return api_done(req, &q, API_STRICT);
}

/* ---------------------------------------------------------------- an event as JSON */

/* Day and minutes as UK local time with its offset, ISO 8601:
 * "2026-12-10T10:00:00+00:00" ("+01:00" in summer). */
static const char *iso_local(struct arena *a, int64_t day, int minutes)
{
	int y, m, d, off;
	int64_t utc;

	day += minutes / 1440;
	minutes %= 1440;
	uk_date(day, &y, &m, &d);
	utc = uk_to_utc(y, m, d, minutes / 60, minutes % 60);
	off = (int)((day * 86400 + minutes * 60 - utc) / 60);
	return arena_printf(a, "%04d-%02d-%02dT%02d:%02d:00%c%02d:%02d", y, m, d, minutes / 60, minutes % 60,
			    off < 0 ? '-' : '+', abs(off) / 60, abs(off) % 60);
}

static const char *abs_url(struct request *req, const char *path)
{
	return arena_printf(&req->arena, "%s%s", req->app->links.base_url ? req->app->links.base_url : "", path);
}

static json_t *event_json(struct request *req, const struct calendar_event *v, int64_t today)
{
	char id[CALENDAR_EVENT_ID], iso[UK_ISO_DAY];
	json_t *o;

	calendar_event_id(v->service_id, v->skey, id);
	o = json_pack("{s:s, s:s, s:s?, s:b, s:b, s:b, s:b}", "id", id, "service_id", v->service_id,
		      "name", v->name, "cancelled", v->cancelled, "changed", v->changed, "one_off", v->one_off,
		      "rsvp", v->group && !v->cancelled && v->day >= today);
	if (!o)
		return NULL;
	if (v->org_id)
		json_object_set_new(o, "organisation", json_pack("{s:s, s:s?}", "id", v->org_id, "name",
								   v->org_name));
	if (v->title)
		json_object_set_new(o, "title", json_string(v->title));
	if (v->opens >= 0) {
		json_object_set_new(o, "start", json_string(iso_local(&req->arena, v->day, v->opens)));
		if (v->closes > v->opens)
			json_object_set_new(o, "end", json_string(iso_local(&req->arena, v->day, v->closes)));
	} else {
		uk_format_iso_day(v->day, iso);
		json_object_set_new(o, "date", json_string(iso));
	}
	if (v->distance_m >= 0)
		json_object_set_new(o, "distance", json_integer((json_int_t)lround(v->distance_m)));
	if (v->place)
		json_object_set_new(o, "place", json_pack("{s:s, s:s?}", "address", v->place, "postcode",
							    v->postcode));
	if (v->note)
		json_object_set_new(o, "note", json_string(v->note));
	if (v->going >= 0)
		json_object_set_new(o, "going", json_integer(v->going));
	json_object_set_new(o, "url", json_string(abs_url(req, v->group
		? web_url(req, "groups.session", v->service_id, v->skey, NULL)
		: web_url(req, "directory.service", v->service_id, NULL))));
	json_object_set_new(o, "calendar", json_string(abs_url(req, web_url(req, "groups.session_ics",
		v->service_id, v->skey, NULL))));
	return o;
}

/* ---------------------------------------------------------------- the answer cache
 *
 * A page of events is kept as the finished bytes (app->events_cache),
 * keyed on the query as parsed (the window, today, the point and radius,
 * the page), under a version made of the search index's (a service
 * published, changed or hidden) and group_version() (a session
 * cancelled, moved or added, someone going), both read before the answer
 * is made: a change made in this process is seen by the next request.
 * events_cache_seconds bounds what the versions do not see: other kith
 * processes' changes to groups (theirs to the directory reach the index
 * within directory_sync seconds). Nothing here depends on who asks. */

static const struct events_settings *events_cfg(const struct app *app)
{
	return app->cfg ? SETTINGS_OF(app->cfg, struct events_settings, events_settings) : NULL;
}

static struct cached events_cached(struct request *req, const struct events_params *eq)
{
	const struct events_settings *es = events_cfg(req->app);
	struct cached c = { .flags = CACHED_ETAG };
	struct {
		int64_t from, to, today, page, per_page;
		double lat, lon, radius;
		char near, pad[7];
	} k;

	if (!req->app->events_cache || !es || !directory_index(req->app))
		return c;
	memset(&k, 0, sizeof(k));
	k.from = eq->w.from;
	k.to = eq->w.to;
	k.today = eq->w.today;
	k.page = eq->page;
	k.per_page = eq->per_page;
	k.near = eq->w.near ? 'p' : '-';
	if (eq->w.near) {
		k.lat = eq->w.lat;
		k.lon = eq->w.lon;
		k.radius = eq->w.radius_m;
	}
	c.cache = req->app->events_cache;
	/* Two counters that only grow, mixed so that neither's step can
	 * cancel the other's. */
	c.version = search_version(directory_index(req->app)) * UINT64_C(0x9e3779b97f4a7c15) ^ group_version();
	c.ttl_s = es->events_cache_seconds;
	char *key = arena_alloc(&req->arena, sizeof(k));
	if (key) {
		memcpy(key, &k, sizeof(k));
		c.key = key;
		c.klen = sizeof(k);
	}
	return c;
}

/* GET /api/v1/events */
static enum err events_page(struct request *req, struct response *resp, const struct events_params *q);

static enum err events_list(struct request *req, struct response *resp)
{
	struct events_params eq;
	struct cached c;
	enum err e;

	if ((e = parse(req, &eq)) != ERR_OK)
		return e;
	if (!directory_index(req->app))
		return req_fail(req, ERR_UNAVAILABLE, "The directory is starting up. Try again in a minute.");
	c = events_cached(req, &eq);
	if (cached_answer(req, resp, &c))
		return ERR_OK;
	return cached_keep(req, resp, events_page(req, resp, &eq), &c);
}

static enum err events_page(struct request *req, struct response *resp, const struct events_params *q)
{
	struct search_index *ix = directory_index(req->app);
	struct events_params eq = *q;
	struct api_page pg = { eq.page, eq.per_page };
	struct calendar_event *v;
	size_t n, total;
	char f[UK_ISO_DAY], t[UK_ISO_DAY];
	json_t *items, *data;
	enum err e;

	e = calendar_events(ix, req->db, &req->arena, &eq.w, &v, &n, &total);
	if (e == ERR_TOO_LARGE)
		return req_fail(req, ERR_BAD_REQUEST, "The page parameter goes past the events that can be "
				"listed at once. Ask for fewer days, or give a postcode.");
	if (e)
		return e;
	if (!(items = json_array()))
		return ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(items, event_json(req, &v[i], eq.w.today)) != 0) {
			json_decref(items);
			return ERR_NOMEM;
		}
	uk_format_iso_day(eq.w.from, f);
	uk_format_iso_day(eq.w.to, t);
	data = json_pack("{s:s, s:s, s:o}", "from", f, "to", t, "items", items);
	if (!data)
		return ERR_NOMEM;
	if (eq.w.near) {
		json_object_set_new(data, "postcode", json_string(eq.postcode));
		json_object_set_new(data, "proximity", json_integer((json_int_t)lround(eq.w.radius_m)));
	}
	api_paging_json(req, data, EVENTS_PATH, &pg, (int64_t)total);
	return view_json(req, resp, 200, data);
}

/* ---------------------------------------------------------------- "I'm going" */

static const char *state_name(enum rsvp_state s)
{
	return s == RSVP_GOING ? "going" : s == RSVP_WAITING ? "waiting" : "none";
}

/* The event of the path, upcoming and not cancelled, in a group the
 * caller may see: 404 or 409 in words otherwise. */
static enum err load_event(struct request *req, char id[37], char skey[GROUP_SKEY])
{
	struct group_session s;
	struct group_meta m;
	struct svc_meta sm;
	enum err e;

	if (!calendar_event_id_parse(req_param(req, "id")->val, id, skey))
		return req_fail(req, ERR_NOT_FOUND, "There is no event with that id. An event's id is its "
				"service's id and its day, like <service-id>-20261210.");
	e = group_load(req->db, req->actor, id, &m);
	if (e == ERR_NOT_FOUND) {
		e = directory_meta(req->db, &req->arena, id, &sm);
		if (e == ERR_OK && sm.state == SVC_PUBLISHED)
			return req_fail(req, ERR_NOT_FOUND, "This service has no group, so there is nothing to say "
					"you are going to. Its page says how to join it.");
		if (e && e != ERR_NOT_FOUND)
			return e;
		return req_fail(req, ERR_NOT_FOUND, "There is no event with that id.");
	}
	if (e)
		return e;
	e = group_session_get(req->db, &req->arena, id, skey, uk_local_day(req->now), &s);
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "The group has no session on that day.");
	if (e)
		return e;
	if (s.cancelled)
		return req_fail(req, ERR_CONFLICT, "This session is cancelled.");
	if (s.day < uk_local_day(req->now))
		return req_fail(req, ERR_CONFLICT, "This session has already happened.");
	return ERR_OK;
}

/* Commits, then answers where the caller now stands. */
static enum err answer(struct request *req, struct response *resp, const char *id, const char *skey)
{
	char eid[CALENDAR_EVENT_ID];
	struct rsvp_count c;
	enum err e;

	if ((e = group_rsvp_count(req->db, id, skey, req->actor->id, &c)) != ERR_OK ||
	    (e = db_commit(req->db)) != ERR_OK)
		return e;
	calendar_event_id(id, skey, eid);
	return view_json(req, resp, 200, json_pack("{s:s, s:s, s:i, s:i}", "id", eid, "state",
						    state_name(c.mine), "going", c.going, "waiting", c.waiting));
}

/* POST /api/v1/events/{id}/rsvp */
static enum err rsvp_post(struct request *req, struct response *resp)
{
	char id[37], skey[GROUP_SKEY];
	enum rsvp_state st = RSVP_NONE;
	const char *why = NULL;
	enum err e;

	if ((e = api_none(req)) != ERR_OK)
		return e;
	if (!req->actor->via_token && !req->json)
		return req_fail(req, ERR_MEDIA_TYPE, "Send a JSON body ({} will do) with Content-Type: "
				"application/json.");
	if (req->json && !json_is_object(req->json))
		return req_fail(req, ERR_BAD_REQUEST, "Send a JSON object ({} will do).");
	if ((e = db_begin(req->db)) != ERR_OK || (e = load_event(req, id, skey)) != ERR_OK)
		return e;
	e = group_rsvp(group_env_of(req), req->db, id, skey, req->actor->id, req->now, &st, &why);
	if (e == ERR_CONFLICT)
		return req_fail(req, e, why ? why : "You cannot say you are going to this session.");
	if (e)
		return e;
	return answer(req, resp, id, skey);
}

/* DELETE /api/v1/events/{id}/rsvp */
static enum err rsvp_delete(struct request *req, struct response *resp)
{
	char id[37], skey[GROUP_SKEY];
	enum err e;

	if ((e = api_none(req)) != ERR_OK || (e = db_begin(req->db)) != ERR_OK ||
	    (e = load_event(req, id, skey)) != ERR_OK)
		return e;
	e = group_unrsvp(group_env_of(req), req->db, id, skey, req->actor->id, req->now);
	if (e == ERR_NOT_FOUND)
		e = ERR_OK;   /* not going already: nothing to undo */
	if (e)
		return e;
	return answer(req, resp, id, skey);
}

static const struct route routes[] = {
	{ M_GET,    EVENTS_PATH, events_list, &act_public, RF_CORS, "api.events" },
	{ M_POST,   EVENTS_PATH "/{id:slug}/rsvp", rsvp_post, &act_group_join, RF_JSON, "api.event_rsvp" },
	{ M_DELETE, EVENTS_PATH "/{id:slug}/rsvp", rsvp_delete, &act_group_join, 0, "api.event_unrsvp" },
};

#define ES(field) CFG(struct events_settings, field)

static const struct config_key keys[] = {
	{ "events_cache_mb", CT_INT, ES(events_cache_mb), 0, 1024, "4",
	  "megabytes of finished /api/v1/events answers kept to answer the same request again; 0 turns "
	  "the cache off", NULL },
	{ "events_cache_entries", CT_INT, ES(events_cache_entries), 0, 1000000, "1000",
	  "most /api/v1/events answers kept; 0 turns the cache off", NULL },
	{ "events_cache_seconds", CT_INT, ES(events_cache_seconds), 1, 3600, "30",
	  "longest a kept /api/v1/events answer is reused; a change in this process ends it at once, so "
	  "this bounds only other kith processes' changes to groups (a cancelled session, the count going)",
	  NULL },
	{ 0 },
};

const struct settings events_settings = { "Events API", keys, sizeof(struct events_settings) };

static enum err events_init(struct app *app)
{
	const struct events_settings *es = events_cfg(app);

	return directory_init_cached(app, &app->events_cache, es ? es->events_cache_mb : 0,
				     es ? es->events_cache_entries : 0);
}

static void events_release(struct app *app)
{
	directory_release_cached(app, &app->events_cache);
}

const struct feature group_events_api_feature = {
	.name = "group_events_api",
	.routes = routes,
	.nroutes = ARRAY_LEN(routes),
	.actions = group_actions,
	.settings = &events_settings,
	.init = events_init,
	.release = events_release,
};
