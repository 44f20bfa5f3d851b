/*
 * groups_web.c - the groups pages (groups.h): the list of groups, a
 * group's page and its sessions, "I'm going", joining, the host's tools
 * (what the group says, its hosts, its sessions, a message to everyone),
 * and the feature's settings and job.
 *
 * A group's id is its service's. Everyone may read a published group's
 * page and sessions; members-only details and messages are for members,
 * hosts, the organisation's organisers and coordinators; saying "I'm
 * going" needs an account with a confirmed email.
 */
#include "core/common.h"
#include "groups/groups_int.h"

#include "app/app.h"
#include "app/config.h"
#include "app/features.h"
#include "audit/audit.h"
#include "core/fields.h"
#include "core/str.h"
#include "core/uktime.h"
#include "directory/directory.h"
#include "groups/groups_policy.h"
#include "groups/groups_web.h"
#include "store/store.h"
#include "web/errors.h"
#include "web/form.h"
#include "web/url.h"
#include "web/view.h"

#include <stdio.h>
#include <stdlib.h>

#define FORM (RF_FORM | RF_CSRF)
#define SHOW_WEEKS 8              /* sessions shown on a group's page */

/* ---------------------------------------------------------------- shared */

struct group_env group_env_of_app(struct app *app)
{
	return (struct group_env){
		.settings = app->cfg ? SETTINGS_OF(app->cfg, struct group_settings, group_settings) : NULL,
		.mailer = &app->mailer, .links = &app->links, .bus = &app->events,
	};
}

const struct group_env *group_env_of(struct request *req)
{
	struct group_env *env = arena_zalloc(&req->arena, sizeof(*env));

	if (env)
		*env = group_env_of_app(req->app);
	return env;
}

static const char *param(struct request *req, const char *name)
{
	const struct param *p = req_param(req, name);

	return p ? p->val : NULL;
}

/* The group of the path's {id} as the actor may see it, and may they act:
 * 404 for a group they may not see, 403 for one they may see but not do
 * this to. */
static enum err load(struct request *req, const struct action *act, struct group_meta *m)
{
	enum err e = group_load(req->db, req->actor, param(req, "id"), m);

	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no group here. It may have closed.");
	if (e == ERR_OK && act && !policy_can(req->actor, act, m))
		return req_fail(req, ERR_FORBIDDEN, act == &act_group_join ?
				"Sign in with a confirmed email address to say you are going." :
				"Only the group's hosts and its organisation's organisers can do that.");
	return e;
}

/* The session of the path's {day}, 404 when the group has none. */
static enum err load_session(struct request *req, const char *id, struct group_session *s)
{
	enum err e = group_session_get(req->db, &req->arena, id, param(req, "day"), uk_local_day(req->now), s);

	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "The group has no session on that day.");
	return e;
}

/* Text as paragraphs (split at blank lines). */
static json_t *paragraphs(const char *text)
{
	json_t *a = json_array();
	const char *p = text ? text : "";

	while (a && *p) {
		const char *end = strstr(p, "\n\n");
		const char *crend = strstr(p, "\r\n\r\n");
		size_t skip = 2;
		if (crend && (!end || crend < end)) {
			end = crend;
			skip = 4;
		}
		size_t n = end ? (size_t)(end - p) : strlen(p);
		while (n && (p[0] == '\n' || p[0] == '\r' || p[0] == ' ')) {
			p++;
			n--;
		}
		if (n)
			json_array_append_new(a, json_stringn(p, n));
		p += n + (end ? skip : 0);
	}
	return a;
}

static bool is_staff(const struct actor *a)
{
	return a->roles & (ROLE_BIT(ROLE_COORDINATOR) | ROLE_BIT(ROLE_ADMIN));
}

/* "Is there any" flags for lists the template wraps (has_<name>). */
static void has_flags(json_t *o, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char key[40];
		snprintf(key, sizeof(key), "has_%s", names[i]);
		json_object_set_new(o, key, json_boolean(json_array_size(json_object_get(o, names[i])) > 0));
	}
}

/* ---------------------------------------------------------------- a session as pages show it */

static json_t *session_json(struct request *req, const struct group_meta *m, const struct group_session *s,
		bool host)
{
	struct rsvp_count c;
	json_t *o;

	if (group_rsvp_count(req->db, m->id, s->skey, req->actor->id, &c) != ERR_OK)
		memset(&c, 0, sizeof(c));
	/* A cancelled session has nobody going to it, whatever they said. */
	o = json_pack("{s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:b}",
		      "skey", s->skey, "words", group_session_words(&req->arena, s),
		      "href", web_url(req, "groups.session", m->id, s->skey, NULL),
		      "cancelled", s->cancelled, "changed", s->changed, "one_off", s->one_off,
		      "going", c.mine == RSVP_GOING && !s->cancelled, "waiting", c.mine == RSVP_WAITING && !s->cancelled,
		      "today", s->day == uk_local_day(req->now));
	if (!o)
		return NULL;
	if (s->title)
		json_object_set_new(o, "title", json_string(s->title));
	if (s->place)
		json_object_set_new(o, "place", json_string(s->place));
	if (s->postcode)
		json_object_set_new(o, "postcode", json_string(s->postcode));
	if (s->note)
		json_object_set_new(o, "note", json_string(s->note));
	if (s->key_day != s->day) {
		char from[UK_FORMAT_MAX];
		uk_format_day(s->key_day, from, sizeof(from));
		json_object_set_new(o, "moved_from", json_string(from));
	}
	if ((host || m->show_count) && !s->cancelled) {
		json_object_set_new(o, "count_words", json_string(
			c.going == 0 ? "Nobody has said they are going yet" :
			arena_printf(&req->arena, "%d %s going%s", c.going, c.going == 1 ? "person is" : "people are",
				     m->capacity > 0 && c.going >= m->capacity ? " (full)" : "")));
		if (c.waiting)
			json_object_set_new(o, "waiting_words", json_string(arena_printf(&req->arena,
				"%d waiting for a place", c.waiting)));
	}
	if (m->capacity > 0 && c.going >= m->capacity && c.mine == RSVP_NONE)
		json_object_set_new(o, "full", json_true());
	json_object_set_new(o, "going_action", json_string(web_url(req, "groups.going", m->id, s->skey, NULL)));
	json_object_set_new(o, "not_going_action", json_string(web_url(req, "groups.not_going", m->id, s->skey,
									NULL)));
	json_object_set_new(o, "past", json_boolean(s->day < uk_local_day(req->now)));
	return o;
}

static bool may(struct request *req, const struct action *act, const struct group_meta *m)
{
	return req->actor->id && policy_can(req->actor, act, m);
}

/* ---------------------------------------------------------------- the list */

static const struct sql q_groups = { "group.list",
	"SELECT g.service_id, s.name, o.name, g.state, "
	"(SELECT count(*) FROM group_member m WHERE m.service_id = g.service_id AND m.person_id = $1) "
	"FROM community_group g JOIN service s ON s.id = g.service_id "
	"JOIN organisation o ON o.id = g.organisation_id "
	"WHERE s.state = 'published' OR g.service_id IN (SELECT service_id FROM group_member WHERE person_id = $1) "
	"OR g.service_id IN (SELECT service_id FROM group_host WHERE person_id = $1) "
	"OR ($2 <> '' AND g.organisation_id = $2) OR $3 = 1 "
	"ORDER BY s.name, g.service_id LIMIT 500", NULL };
static const struct sql q_my_sessions = { "group.my_sessions",
	"SELECT r.service_id, r.skey, s.name, r.state FROM group_rsvp r JOIN service s ON s.id = r.service_id "
	"WHERE r.person_id = $1 AND r.skey >= $2 AND r.skey <= $3 ORDER BY r.skey, s.name LIMIT 50", NULL };

static enum err index_get(struct request *req, struct response *resp)
{
	struct db_res *r;
	json_t *mine = json_array(), *all = json_array(), *going = json_array(), *data;
	int64_t today = uk_local_day(req->now);
	enum err e;

	if (!mine || !all || !going) {
		json_decref(mine);
		json_decref(all);
		json_decref(going);
		return ERR_NOMEM;
	}
	e = db_query(req->db, &q_groups, DB_ARGS(DB_INT(req->actor->id),
		DB_TEXT(req->actor->org_id ? req->actor->org_id : ""), DB_INT(is_staff(req->actor))), &r);
	while (e == ERR_OK && (e = db_next(r)) == ERR_OK && db_row(r)) {
		json_t *g = json_pack("{s:s, s:s, s:s, s:b}", "name", db_text(r, 1), "org", db_text(r, 2),
				      "href", web_url(req, "groups.show", db_text(r, 0), NULL),
				      "closed", strcmp(db_text(r, 3), "open") != 0);
		json_array_append_new(db_int(r, 4) > 0 ? mine : all, g);
	}
	if (r)
		db_res_free(r);
	if (e == ERR_OK && req->actor->id) {
		char from[GROUP_SKEY], to[GROUP_SKEY];
		group_skey(today - 31, from);
		group_skey(today + 7 * SHOW_WEEKS, to);
		e = db_query(req->db, &q_my_sessions, DB_ARGS(DB_INT(req->actor->id), DB_TEXT(from), DB_TEXT(to)), &r);
		json_t *keys = json_array();
		while (e == ERR_OK && (e = db_next(r)) == ERR_OK && db_row(r))
			json_array_append_new(keys, json_pack("[s, s, s, s]", db_text(r, 0), db_text(r, 1),
							      db_text(r, 2), db_text(r, 3)));
		if (r)
			db_res_free(r);
		for (size_t i = 0; e == ERR_OK && i < json_array_size(keys); i++) {
			json_t *k = json_array_get(keys, i);
			struct group_session s;
			const char *id = json_string_value(json_array_get(k, 0));
			if (group_session_get(req->db, &req->arena, id, json_string_value(json_array_get(k, 1)),
					      today, &s) != ERR_OK || s.day < today)
				continue;
			json_array_append_new(going, json_pack("{s:s, s:s, s:s, s:b, s:b}",
				"name", json_string_value(json_array_get(k, 2)),
				"words", group_session_words(&req->arena, &s),
				"href", web_url(req, "groups.session", id, s.skey, NULL),
				"waiting", strcmp(json_string_value(json_array_get(k, 3)), "waiting") == 0,
				"cancelled", s.cancelled));
		}
		json_decref(keys);
	}
	if (e) {
		json_decref(mine);
		json_decref(all);
		json_decref(going);
		return e;
	}
	data = json_pack("{s:o, s:o, s:o, s:b, s:b, s:s?, s:s?}", "mine", mine, "groups", all, "going", going,
			 "signed_in", req->actor->id != 0, "any_mine", json_array_size(mine) > 0,
			 "calendar_href", web_url(req, "groups.my_calendar", NULL),
			 "find_href", web_url(req, "directory.find", NULL));
	json_object_set_new(data, "any_going", json_boolean(json_array_size(json_object_get(data, "going")) > 0));
	return web_page(req, resp, 200, "groups/index.html", "Groups", data);
}

/* ---------------------------------------------------------------- a group's page */

static const struct sql q_messages = { "group.messages",
	"SELECT m.body, m.sent_at, p.name FROM group_message m LEFT JOIN person p ON p.id = m.author_id "
	"WHERE m.service_id = $1 ORDER BY m.sent_at DESC, m.id DESC LIMIT 20", NULL };
static const struct sql q_hosts = { "group.hosts",
	"SELECT h.person_id, p.name FROM group_host h JOIN person p ON p.id = h.person_id "
	"WHERE h.service_id = $1 ORDER BY p.name, h.person_id", NULL };
static const struct sql q_fields = { "group.fields",
	"SELECT welcome, who_for, members_only, coalesce(capacity, 0), show_count, sensitive, state "
	"FROM community_group WHERE service_id = $1", NULL };

static json_t *message_row(struct db_res *r, void *ctx)
{
	struct request *req = ctx;
	char when[UK_FORMAT_MAX];

	uk_format_date(db_int(r, 1), when, sizeof(when));
	return json_pack("{s:o, s:s, s:s}", "body", paragraphs(db_text(r, 0)), "when", arena_strdup(&req->arena, when),
			 "from", db_text(r, 2) ? db_text(r, 2) : "A host");
}

static json_t *host_row(struct db_res *r, void *ctx)
{
	struct request *req = ctx;
	char pid[24];

	snprintf(pid, sizeof(pid), "%lld", (long long)db_int(r, 0));
	return json_pack("{s:s, s:s}", "name", db_text(r, 1) ? db_text(r, 1) : "",
			 "remove_action", web_url(req, "groups.host_remove", param(req, "id"), pid, NULL));
}

static enum err sessions_json(struct request *req, const struct group_meta *m, bool host, json_t **out)
{
	int64_t today = uk_local_day(req->now);
	json_t *a = json_array();
	enum err e = a ? ERR_OK : ERR_NOMEM;

	for (int64_t from = today; e == ERR_OK && from < today + 7 * SHOW_WEEKS; from += 28) {
		struct group_session *v;
		size_t n;
		e = group_sessions(req->db, &req->arena, m->id, from, from + 27, today, &v, &n);
		for (size_t i = 0; e == ERR_OK && i < n; i++)
			json_array_append_new(a, session_json(req, m, &v[i], host));
	}
	if (e) {
		json_decref(a);
		a = NULL;
	}
	*out = a;
	return e;
}

static enum err show_get(struct request *req, struct response *resp)
{
	static const struct done_word words[] = {
		{ "joined", true, "You have joined the group." },
		{ "left", true, "You have left the group." },
		{ "series", true, "You are going to every session. We will remind you the day before each one." },
		{ "series_stopped", true, "You are no longer going to every session." },
		{ "sent", true, "Your message is sent to everyone in the group." },
		{ "saved", true, "The group is saved." },
		{ "added", true, "The session is added." },
	};
	struct group_meta m;
	json_t *service = NULL, *data, *sessions = NULL;
	struct db_res *r;
	enum err e = load(req, NULL, &m);
	bool inside, host;

	if (e)
		return e;
	inside = may(req, &act_group_inside, &m);
	host = may(req, &act_group_host, &m);
	if ((e = directory_service_view(&req->app->links, req->db, m.id, req->now, &service)) != ERR_OK)
		return e;
	if ((e = db_query_one(req->db, &q_fields, DB_ARGS(DB_TEXT(m.id)), &r)) != ERR_OK) {
		json_decref(service);
		return e;
	}
	data = json_pack("{s:o, s:o, s:o, s:b, s:b, s:b, s:b, s:b}",
			 "service", service, "welcome", paragraphs(db_text(r, 0)), "who_for", paragraphs(db_text(r, 1)),
			 "inside", inside, "host", host, "member", m.member, "open", m.open,
			 "signed_in", req->actor->id != 0);
	if (data && inside && db_text(r, 2) && *db_text(r, 2))
		json_object_set_new(data, "members_only", paragraphs(db_text(r, 2)));
	db_res_free(r);
	if (!data)
		return ERR_NOMEM;
	if ((e = sessions_json(req, &m, host, &sessions)) != ERR_OK) {
		json_decref(data);
		return e;
	}
	json_object_set_new(data, "sessions", sessions);
	json_object_set_new(data, "any_sessions", json_boolean(json_array_size(sessions) > 0));
	static const char *const service_lists[] = { "when", "where" }, *const lists[] = { "who_for", "members_only" };
	has_flags(service, service_lists, ARRAY_LEN(service_lists));
	has_flags(data, lists, ARRAY_LEN(lists));
	if (req->actor->id) {
		struct rsvp_count c;
		if (group_rsvp_count(req->db, m.id, "", req->actor->id, &c) == ERR_OK)
			json_object_set_new(data, "series", json_boolean(c.series));
	}
	if (inside) {
		json_t *msgs = NULL;
		if ((e = db_rows_json(req->db, &q_messages, DB_ARGS(DB_TEXT(m.id)), message_row, req, &msgs)) != ERR_OK) {
			json_decref(data);
			return e;
		}
		json_object_set_new(data, "messages", msgs);
		json_object_set_new(data, "any_messages", json_boolean(json_array_size(msgs) > 0));
	}
	if (m.turn_up)
		json_object_set_new(data, "turn_up", json_true());
	json_object_set_new(data, "join_action", json_string(web_url(req, "groups.join", m.id, NULL)));
	json_object_set_new(data, "leave_action", json_string(web_url(req, "groups.leave", m.id, NULL)));
	json_object_set_new(data, "series_action", json_string(web_url(req, "groups.series", m.id, NULL)));
	json_object_set_new(data, "login_href", json_string(arena_printf(&req->arena, "%s?next=%s",
		web_url(req, "account.login", NULL), web_url(req, "groups.show", m.id, NULL))));
	json_object_set_new(data, "calendar_href", json_string(web_url(req, "groups.calendar", m.id, NULL)));
	if (host) {
		json_object_set_new(data, "members_href", json_string(web_url(req, "groups.members", m.id, NULL)));
		json_object_set_new(data, "one_off_href", json_string(web_url(req, "groups.one_off", m.id, NULL)));
		json_object_set_new(data, "message_action", json_string(web_url(req, "groups.message", m.id, NULL)));
		json_object_set_new(data, "participation_href", json_string(web_url(req, "groups.participation",
											m.id, NULL)));
	}
	if (may(req, &act_group_manage, &m))
		json_object_set_new(data, "edit_href", json_string(web_url(req, "groups.edit", m.id, NULL)));
	web_done(req, data, words, ARRAY_LEN(words), NULL);
	return web_page(req, resp, 200, "groups/group.html",
			json_string_value(json_object_get(service, "name")), data);
}

/* ---------------------------------------------------------------- a session's page */

static enum err session_get(struct request *req, struct response *resp)
{
	static const struct done_word words[] = {
		{ "going", true, "You are going. We will remind you the day before." },
		{ "going_today", true, "You are going. See you there." },
		{ "waiting", true, "The session is full. You are on the waiting list: we will email you if a "
		  "place comes free." },
		{ "not_going", true, "You are no longer going to this session." },
		{ "changed", true, "The session is changed. Everyone going has been told." },
		{ "cancelled", true, "The session is cancelled. Everyone going has been told." },
		{ "restored", true, "The session is back on. Everyone going has been told." },
	};
	struct group_meta m;
	struct group_session s;
	json_t *data, *service = NULL, *people = NULL;
	enum err e = load(req, NULL, &m);
	bool host;

	if (e || (e = load_session(req, m.id, &s)) != ERR_OK)
		return e;
	host = may(req, &act_group_host, &m);
	if ((e = directory_service_view(&req->app->links, req->db, m.id, req->now, &service)) != ERR_OK)
		return e;
	data = json_pack("{s:o, s:o?, s:b, s:b, s:b, s:s, s:s?}", "service", service,
			 "session", session_json(req, &m, &s, host), "host", host,
			 "signed_in", req->actor->id != 0, "open", m.open,
			 "group_href", web_url(req, "groups.show", m.id, NULL),
			 "ics_href", web_url(req, "groups.session_ics", m.id, s.skey, NULL));
	if (!data)
		return ERR_NOMEM;
	json_object_set_new(data, "login_href", json_string(arena_printf(&req->arena, "%s?next=%s",
		web_url(req, "account.login", NULL), web_url(req, "groups.session", m.id, s.skey, NULL))));
	if (m.turn_up)
		json_object_set_new(data, "turn_up", json_true());
	if (host) {
		if ((e = group_rsvp_list(req->db, m.id, s.skey, &people)) != ERR_OK) {
			json_decref(data);
			return e;
		}
		json_object_set_new(data, "people", people);
		json_object_set_new(data, "any_people", json_boolean(json_array_size(people) > 0));
		json_object_set_new(data, "change_href", json_string(web_url(req, "groups.session_change", m.id,
									     s.skey, NULL)));
		json_object_set_new(data, "cancel_action", json_string(web_url(req, "groups.session_cancel", m.id,
									       s.skey, NULL)));
		json_object_set_new(data, "restore_action", json_string(web_url(req, "groups.session_restore", m.id,
										s.skey, NULL)));
		json_object_set_new(data, "register_href", json_string(web_url(req, "groups.register", m.id, s.skey,
									       NULL)));
		if (s.day <= uk_local_day(req->now))
			json_object_set_new(data, "register_due", json_true());
		if ((e = audit_log(req->db, req->now, req->actor->id, "group.going_list.read", 0,
				   arena_printf(&req->arena, "group=%.36s session=%s", m.id, s.skey),
				   req->client_ip, req->id)) != ERR_OK) {
			json_decref(data);
			return e;
		}
	}
	web_done(req, data, words, ARRAY_LEN(words), NULL);
	return web_page(req, resp, 200, "groups/session.html", group_session_words(&req->arena, &s), data);
}

/* ---------------------------------------------------------------- going, joining */

/* The buttons a person presses for themself: one form, what it does. */
enum go_what { GO_GOING, GO_NOT_GOING, GO_SERIES, GO_JOIN, GO_LEAVE };

struct go_ctx {
	struct group_meta m;
	char skey[GROUP_SKEY];
	const char *done;
	enum go_what what;
};

static const char *go_done(struct request *req, void *ctx)
{
	const struct go_ctx *g = ctx;

	if (g->skey[0])
		return arena_printf(&req->arena, "%s?done=%s", web_url(req, "groups.session", g->m.id, g->skey, NULL),
				    g->done);
	return arena_printf(&req->arena, "%s?done=%s", web_url(req, "groups.show", g->m.id, NULL), g->done);
}

static const struct field_def go_fields[] = {
	{ .name = "every", .label = "Every session", .kind = FIELD_TEXT, .max = 8 },
};

static enum err go_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	static const char *const full = "This group is not taking anyone new.";
	struct go_ctx *g = ctx;
	const struct group_env *env = group_env_of(req);
	struct group_session s;
	enum rsvp_state st;
	const char *why = NULL, *every = web_bound(b, "every")->text;
	int64_t me = req->actor->id;
	enum err e = load(req, &act_group_join, &g->m);

	UNUSED(resp);
	UNUSED(errors);
	if (e == ERR_OK && (g->what == GO_GOING || g->what == GO_NOT_GOING) &&
	    (e = load_session(req, g->m.id, &s)) == ERR_OK)
		str_copy(g->skey, sizeof(g->skey), s.skey);
	if (e)
		return e;
	switch (g->what) {
	case GO_GOING:
		e = group_rsvp(env, req->db, g->m.id, s.skey, me, req->now, &st, &why);
		g->done = st == RSVP_WAITING ? "waiting" : s.day == uk_local_day(req->now) ? "going_today" : "going";
		return e == ERR_CONFLICT ? req_fail(req, e, why ? why : full) : e;
	case GO_NOT_GOING:
		g->done = "not_going";
		return group_unrsvp(env, req->db, g->m.id, s.skey, me, req->now);
	case GO_SERIES:
		if (!every || strcmp(every, "yes") != 0) {
			g->done = "series_stopped";
			return group_series_leave(env, req->db, g->m.id, me, req->now);
		}
		g->done = "series";
		e = group_series_join(env, req->db, g->m.id, me, req->now);
		return e == ERR_CONFLICT ? req_fail(req, e, full) : e;
	case GO_JOIN:
		g->done = "joined";
		e = group_join(env, req->db, g->m.id, me, req->now);
		return e == ERR_CONFLICT ? req_fail(req, e, "This group is not taking new members just now.") : e;
	case GO_LEAVE:
		g->done = "left";
		return group_leave(env, req->db, g->m.id, me, req->now);
	}
	return ERR_INTERNAL;
}

static const struct form_post go_form = { .fields = go_fields, .nfields = ARRAY_LEN(go_fields),
	.act = go_act, .done = go_done };

static enum err go_post(struct request *req, struct response *resp, enum go_what what)
{
	struct go_ctx g;

	memset(&g, 0, sizeof(g));
	g.what = what;
	return web_form_post(req, resp, &go_form, &g);
}

static enum err going_post(struct request *req, struct response *resp)
{
	return go_post(req, resp, GO_GOING);
}

static enum err not_going_post(struct request *req, struct response *resp)
{
	return go_post(req, resp, GO_NOT_GOING);
}

static enum err series_post(struct request *req, struct response *resp)
{
	return go_post(req, resp, GO_SERIES);
}

static enum err join_post(struct request *req, struct response *resp)
{
	return go_post(req, resp, GO_JOIN);
}

static enum err leave_post(struct request *req, struct response *resp)
{
	return go_post(req, resp, GO_LEAVE);
}

/* ---------------------------------------------------------------- making and editing a group */

static const struct field_choice yes_no[] = { { "yes", "Yes" }, { "no", "No" } };

static const struct field_def edit_fields[] = {
	{ .name = "welcome", .label = "A welcome", .rows = 5, .kind = FIELD_TEXT, .max = GROUP_TEXT_MAX,
	  .hint = "What someone thinking of coming would like to know: what happens, who they will meet, "
		  "that they are welcome to just come along" },
	{ .name = "who_for", .label = "Who it is for", .rows = 3, .kind = FIELD_TEXT, .max = GROUP_TEXT_MAX,
	  .hint = "For example: people living with a lung condition, and the people who care for them" },
	{ .name = "members_only", .label = "Details only members see", .rows = 4, .kind = FIELD_TEXT,
	  .max = GROUP_TEXT_MAX,
	  .hint = "For example: the door code, a host's phone number, a meeting room in someone's home" },
	{ .name = "capacity", .label = "How many people can come to a session", .kind = FIELD_TEXT, .max = 5,
	  .width = "govuk-input--width-4", .check = field_domain_judges,
	  .hint = "Leave it empty for no limit. When a session is full, people can wait for a place" },
	{ .name = "show_count", .label = "Show everyone how many are going", .kind = FIELD_BOOL,
	  .hint = "Yes, show how many people are going to each session (never who)" },
	{ .name = "sensitive", .label = "Emails about this group", .kind = FIELD_ONE_OF, .required = true,
	  .choices = yes_no, .nchoices = 2, .missing = "Choose whether emails should leave out the group's name",
	  .hint = "Choose Yes if the group's name or messages could tell someone about a person's health: "
		  "emails will then only say there is a message or a reminder, and people sign in to read it" },
	{ .name = "open", .label = "Taking new members", .kind = FIELD_BOOL,
	  .hint = "Yes, people can join and say they are going" },
};

static enum err edit_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	struct group_meta *m = ctx;
	struct svc_meta sm;
	json_t *data;
	enum err e = directory_meta(req->db, &req->arena, param(req, "id"), &sm);
	bool exists = m->id[0] != 0;

	if (e) {
		json_decref(values);
		json_decref(errors);
		return e == ERR_NOT_FOUND ? req_fail(req, e, "There is no service here.") : e;
	}
	if (!values && exists) {
		struct db_res *r;
		if ((e = db_query_one(req->db, &q_fields, DB_ARGS(DB_TEXT(m->id)), &r)) != ERR_OK) {
			json_decref(errors);
			return e;
		}
		values = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "welcome", db_text(r, 0),
				   "who_for", db_text(r, 1), "members_only", db_text(r, 2),
				   "capacity", db_int(r, 3) ? arena_printf(&req->arena, "%lld", (long long)db_int(r, 3)) : "",
				   "show_count", db_int(r, 4) ? "yes" : "", "sensitive", db_int(r, 5) ? "yes" : "no",
				   "open", strcmp(db_text(r, 6), "open") == 0 ? "yes" : "");
		db_res_free(r);
	} else if (!values) {
		values = json_pack("{s:s, s:s}", "sensitive", "yes", "open", "yes");
	}
	data = json_pack("{s:o, s:s, s:b, s:s}", "form",
			 web_form_full(web_url(req, "groups.edit", param(req, "id"), NULL),
				       exists ? "Save the group" : "Make the group", false, edit_fields,
				       ARRAY_LEN(edit_fields), values, errors),
			 "name", sm.name ? sm.name : "", "exists", exists,
			 "back_href", exists ? web_url(req, "groups.show", param(req, "id"), NULL) :
				      web_url(req, "directory.service", param(req, "id"), NULL));
	json_decref(values);
	web_set_errors(data, errors);
	return web_page(req, resp, status, "groups/edit.html", exists ? "Change the group" : "Make a group", data);
}

/* May the actor make a group of the path's service, or edit its group?
 * Fills m when the group exists (m->id empty when not). */
static enum err load_for_edit(struct request *req, struct group_meta *m)
{
	struct svc_meta sm;
	enum err e = group_load(req->db, req->actor, param(req, "id"), m);

	if (e == ERR_OK)
		return policy_can(req->actor, &act_group_manage, m) ? ERR_OK :
		       req_fail(req, ERR_FORBIDDEN, "Only the organisation's organisers and coordinators can "
				"change the group.");
	if (e != ERR_NOT_FOUND)
		return e;
	memset(m, 0, sizeof(*m));
	if ((e = directory_meta(req->db, &req->arena, param(req, "id"), &sm)) == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no service here.");
	if (e)
		return e;
	/* A group that exists but is hidden from this actor is not theirs to make again. */
	struct group_meta probe = { 0 };
	str_copy(probe.org_id, sizeof(probe.org_id), sm.org_id);
	if (!policy_can(req->actor, &act_group_manage, &probe))
		return req_fail(req, ERR_FORBIDDEN, "Only the organisation's organisers and coordinators can "
				"make a group of its service.");
	return ERR_OK;
}

static enum err edit_get(struct request *req, struct response *resp)
{
	struct group_meta m;
	enum err e = load_for_edit(req, &m);

	return e ? e : edit_page(req, resp, 200, NULL, NULL, &m);
}

static enum err edit_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct group_meta *m = ctx;
	const struct field_value *cap = web_bound(b, "capacity");
	struct group_fields f = {
		.welcome = web_bound(b, "welcome")->text, .who_for = web_bound(b, "who_for")->text,
		.members_only = web_bound(b, "members_only")->text,
		.show_count = web_bound(b, "show_count")->on,
		.sensitive = web_bound(b, "sensitive")->choice != 1, .open = web_bound(b, "open")->on,
	};
	char *end = NULL;
	enum err e;

	UNUSED(resp);
	if (cap->text) {
		long v = strtol(cap->text, &end, 10);
		f.capacity = end && !*end && v >= 1 && v <= GROUP_CAPACITY_MAX ? (int)v : -1;
	}
	if (m->id[0])
		e = group_update(group_env_of(req), req->db, m->id, &f, req->actor->id, req->now, errors);
	else
		e = group_create(req->db, param(req, "id"), &f, req->actor->id, req->now, errors);
	if (e == ERR_CONFLICT)
		return req_fail(req, e, "This service has a group already.");
	if (e == ERR_OK)
		str_copy(m->id, sizeof(m->id), param(req, "id"));
	return e;
}

static enum err edit_before(struct request *req, const struct bound *b, json_t *errors, void *ctx)
{
	UNUSED(b);
	UNUSED(errors);
	return load_for_edit(req, ctx);
}

static const char *edit_done(struct request *req, void *ctx)
{
	const struct group_meta *m = ctx;

	return arena_printf(&req->arena, "%s?done=saved", web_url(req, "groups.show", m->id, NULL));
}

static const struct form_post edit_form = { .fields = edit_fields, .nfields = ARRAY_LEN(edit_fields),
	.before = edit_before, .act = edit_act, .page = edit_page, .done = edit_done, .check_all = true };

static enum err edit_post(struct request *req, struct response *resp)
{
	struct group_meta m;

	memset(&m, 0, sizeof(m));
	return web_form_post(req, resp, &edit_form, &m);
}

/* ---------------------------------------------------------------- hosts and members */

static const struct sql q_members = { "group.members",
	"SELECT p.name, m.joined_at FROM group_member m JOIN person p ON p.id = m.person_id "
	"WHERE m.service_id = $1 ORDER BY p.name, m.person_id LIMIT 1000", NULL };

static json_t *member_row(struct db_res *r, void *ctx)
{
	struct request *req = ctx;
	char when[UK_FORMAT_MAX];

	uk_format_date(db_int(r, 1), when, sizeof(when));
	return json_pack("{s:s, s:s}", "name", db_text(r, 0) ? db_text(r, 0) : "",
			 "joined", arena_strdup(&req->arena, when));
}

static const struct field_def host_fields[] = {
	{ .name = "email", .label = "Their email address", .type = "email", .autocomplete = "off",
	  .nospell = true, .kind = FIELD_EMAIL, .required = true,
	  .missing = "Enter the email address of the host's kith account",
	  .hint = "A peer supporter or volunteer who will run sessions and take the register. They need a kith "
		  "account with a confirmed email address" },
};

static enum err members_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	static const struct done_word words[] = {
		{ "host_added", true, "The host is added." },
		{ "host_removed", true, "The host is removed." },
	};
	struct group_meta *m = ctx;
	json_t *members = NULL, *hosts = NULL, *data;
	enum err e;

	if ((e = db_rows_json(req->db, &q_members, DB_ARGS(DB_TEXT(m->id)), member_row, req, &members)) ||
	    (e = db_rows_json(req->db, &q_hosts, DB_ARGS(DB_TEXT(m->id)), host_row, req, &hosts))) {
		json_decref(members);
		json_decref(values);
		json_decref(errors);
		return e;
	}
	data = json_pack("{s:o, s:o, s:b, s:b, s:s, s:s?}", "members", members, "hosts", hosts,
			 "any_members", json_array_size(members) > 0, "any_hosts", json_array_size(hosts) > 0,
			 "back_href", web_url(req, "groups.show", m->id, NULL),
			 "name", group_name(req->db, &req->arena, m->id));
	json_object_set_new(data, "can_manage", json_boolean(may(req, &act_group_manage, m)));
	if (may(req, &act_group_manage, m))
		json_object_set_new(data, "host_form", web_form_full(web_url(req, "groups.hosts", m->id, NULL),
			"Add the host", false, host_fields, ARRAY_LEN(host_fields), values, errors));
	json_decref(values);
	web_set_errors(data, errors);
	web_done(req, data, words, ARRAY_LEN(words), NULL);
	if ((e = audit_log(req->db, req->now, req->actor->id, "group.members.read", 0,
			   arena_printf(&req->arena, "group=%.36s", m->id), req->client_ip, req->id)) != ERR_OK) {
		json_decref(data);
		return e;
	}
	return web_page(req, resp, status, "groups/members.html", "Members and hosts", data);
}

static enum err members_get(struct request *req, struct response *resp)
{
	struct group_meta m;
	enum err e = load(req, &act_group_host, &m);

	return e ? e : members_page(req, resp, 200, NULL, NULL, &m);
}

static enum err host_before(struct request *req, const struct bound *b, json_t *errors, void *ctx)
{
	UNUSED(b);
	UNUSED(errors);
	return load(req, &act_group_manage, ctx);
}

static enum err host_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct group_meta *m = ctx;

	UNUSED(resp);
	return group_host_add(req->db, m->id, web_bound(b, "email")->text, req->actor->id, req->now, errors);
}

static const char *members_done(struct request *req, const struct group_meta *m, const char *word)
{
	return arena_printf(&req->arena, "%s?done=%s", web_url(req, "groups.members", m->id, NULL), word);
}

static const char *host_done(struct request *req, void *ctx)
{
	return members_done(req, ctx, "host_added");
}

static const struct form_post host_form = { .fields = host_fields, .nfields = ARRAY_LEN(host_fields),
	.before = host_before, .act = host_act, .page = members_page, .done = host_done, .check_all = true };

static enum err host_post(struct request *req, struct response *resp)
{
	struct group_meta m;

	memset(&m, 0, sizeof(m));
	return web_form_post(req, resp, &host_form, &m);
}

static enum err host_remove_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct group_meta *m = ctx;
	const struct param *p = req_param(req, "pid");
	enum err e = load(req, &act_group_manage, m);

	UNUSED(resp);
	UNUSED(b);
	UNUSED(errors);
	if (e)
		return e;
	e = group_host_remove(req->db, m->id, p ? p->i : 0, req->actor->id, req->now);
	return e == ERR_NOT_FOUND ? req_fail(req, e, "That person is not a host of this group.") : e;
}

static const char *host_remove_done(struct request *req, void *ctx)
{
	return members_done(req, ctx, "host_removed");
}

static const struct form_post host_remove_form = { .act = host_remove_act, .done = host_remove_done };

static enum err host_remove_post(struct request *req, struct response *resp)
{
	struct group_meta m;

	memset(&m, 0, sizeof(m));
	return web_form_post(req, resp, &host_remove_form, &m);
}

/* ---------------------------------------------------------------- a message to everyone */

static const struct field_def message_fields[] = {
	{ .name = "body", .label = "Your message to everyone in the group", .rows = 6, .kind = FIELD_TEXT,
	  .max = GROUP_MESSAGE_MAX, .check = field_domain_judges },
};

static enum err message_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct go_ctx *g = ctx;
	enum err e = load(req, &act_group_host, &g->m);

	UNUSED(resp);
	if (e)
		return e;
	g->done = "sent";
	e = group_message_send(group_env_of(req), req->db, g->m.id, req->actor->id, web_bound(b, "body")->text,
			       req->now, errors);
	if (e == ERR_INVALID)
		return req_fail(req, e, json_string_value(json_object_get(json_array_get(errors, 0), "detail")));
	return e;
}

static const struct form_post message_form = { .fields = message_fields, .nfields = ARRAY_LEN(message_fields),
	.act = message_act, .done = go_done };

static enum err message_post(struct request *req, struct response *resp)
{
	struct go_ctx g;

	memset(&g, 0, sizeof(g));
	return web_form_post(req, resp, &message_form, &g);
}

/* ---------------------------------------------------------------- changing sessions */

static const struct field_def change_fields[] = {
	{ .name = "title", .label = "Name of the session", .kind = FIELD_TEXT, .max = 120,
	  .check = field_domain_judges, .hint = "For example: Christmas lunch" },
	{ .name = "day", .label = "Date", .kind = FIELD_DATE, .hint = "For example, 10 12 2026" },
	{ .name = "opens", .label = "Starts at", .kind = FIELD_TEXT, .max = 5, .width = "govuk-input--width-5",
	  .check = field_domain_judges, .hint = "For example, 10:00" },
	{ .name = "closes", .label = "Ends at", .kind = FIELD_TEXT, .max = 5, .width = "govuk-input--width-5",
	  .check = field_domain_judges, .hint = "For example, 11:30" },
	{ .name = "place", .label = "Somewhere else (optional)", .rows = 3, .kind = FIELD_TEXT, .max = 300,
	  .check = field_domain_judges, .hint = "The address, if it is not where the group usually meets" },
	{ .name = "postcode", .label = "Postcode of that place (optional)", .kind = FIELD_TEXT, .max = 10,
	  .width = "govuk-input--width-10", .check = field_domain_judges },
	{ .name = "note", .label = "What people need to know (optional)", .rows = 3, .kind = FIELD_TEXT,
	  .max = GROUP_NOTE_MAX, .check = field_domain_judges,
	  .hint = "We send this to everyone going. For example: we are in the small hall this week" },
};

struct change_ctx {
	struct group_meta m;
	struct group_session s;
	bool one_off;
	char skey[GROUP_SKEY];
};

static enum err change_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	struct change_ctx *c = ctx;
	const struct field_def *defs = c->one_off ? change_fields : change_fields + 1;
	size_t n = ARRAY_LEN(change_fields) - (c->one_off ? 0 : 1);
	json_t *data;

	if (!values && !c->one_off) {
		char opens[6], closes[6];
		int y, mo, d;

		uk_date(c->s.day, &y, &mo, &d);
		group_time_text(c->s.opens, opens);
		group_time_text(c->s.closes, closes);
		values = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
				   "day-day", arena_printf(&req->arena, "%d", d),
				   "day-month", arena_printf(&req->arena, "%d", mo),
				   "day-year", arena_printf(&req->arena, "%d", y),
				   "opens", opens, "closes", closes,
				   "place", c->s.place ? c->s.place : "", "postcode", c->s.postcode ? c->s.postcode : "",
				   "note", c->s.note ? c->s.note : "");
	}
	data = json_pack("{s:o, s:b, s:s, s:s?}", "form",
			 web_form_full(c->one_off ? web_url(req, "groups.one_off", c->m.id, NULL) :
				       web_url(req, "groups.session_change", c->m.id, c->s.skey, NULL),
				       c->one_off ? "Add the session" : "Change the session", false, defs, n, values,
				       errors),
			 "one_off", c->one_off,
			 "back_href", c->one_off ? web_url(req, "groups.show", c->m.id, NULL) :
				      web_url(req, "groups.session", c->m.id, c->s.skey, NULL),
			 "when", c->one_off ? NULL : group_session_words(&req->arena, &c->s));
	json_decref(values);
	web_set_errors(data, errors);
	return web_page(req, resp, status, "groups/change.html",
			c->one_off ? "Add a session" : "Change a session", data);
}

static enum err change_load(struct request *req, struct change_ctx *c)
{
	enum err e = load(req, &act_group_host, &c->m);

	if (e || c->one_off)
		return e;
	return load_session(req, c->m.id, &c->s);
}

static enum err change_get(struct request *req, struct response *resp)
{
	struct change_ctx c;
	enum err e;

	memset(&c, 0, sizeof(c));
	if ((e = change_load(req, &c)) != ERR_OK)
		return e;
	return change_page(req, resp, 200, NULL, NULL, &c);
}

static enum err one_off_get(struct request *req, struct response *resp)
{
	struct change_ctx c;
	enum err e;

	memset(&c, 0, sizeof(c));
	c.one_off = true;
	if ((e = change_load(req, &c)) != ERR_OK)
		return e;
	return change_page(req, resp, 200, NULL, NULL, &c);
}

static enum err change_before(struct request *req, const struct bound *b, json_t *errors, void *ctx)
{
	UNUSED(b);
	UNUSED(errors);
	return change_load(req, ctx);
}

static enum err change_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct change_ctx *c = ctx;
	const struct field_value *day = web_bound(b, "day");
	char dtext[GROUP_SKEY];
	struct group_change ch = {
		.day = NULL, .title = c->one_off ? web_bound(b, "title")->text : NULL,
		.opens = group_time_parse(web_bound(b, "opens")->text),
		.closes = group_time_parse(web_bound(b, "closes")->text),
		.place = web_bound(b, "place")->text, .postcode = web_bound(b, "postcode")->text,
		.note = web_bound(b, "note")->text,
	};
	enum err e;

	UNUSED(resp);
	if (day && day->day) {
		group_skey(day->day, dtext);
		ch.day = dtext;
	}
	if (ch.opens == -2)
		field_err(errors, "opens", "Enter the time it starts like 10:00");
	if (ch.closes == -2)
		field_err(errors, "closes", "Enter the time it ends like 11:30");
	if (json_array_size(errors))
		return ERR_INVALID;
	if (c->one_off)
		e = group_one_off_add(group_env_of(req), req->db, c->m.id, &ch, req->actor->id, req->now, c->skey, errors);
	else
		e = group_session_change(group_env_of(req), req->db, c->m.id, c->s.skey, &ch, req->actor->id, req->now,
					 errors);
	if (e == ERR_CONFLICT)
		return req_fail(req, e, json_string_value(json_object_get(json_array_get(errors, 0), "detail")));
	if (e == ERR_OK && !c->one_off)
		str_copy(c->skey, sizeof(c->skey), c->s.skey);
	return e;
}

static const char *change_done(struct request *req, void *ctx)
{
	const struct change_ctx *c = ctx;

	return arena_printf(&req->arena, "%s?done=%s", web_url(req, "groups.session", c->m.id, c->skey, NULL),
			    c->one_off ? "changed" : "changed");
}

static const struct form_post change_form = { .fields = change_fields + 1,
	.nfields = ARRAY_LEN(change_fields) - 1, .before = change_before, .act = change_act,
	.page = change_page, .done = change_done, .check_all = true };
static const struct form_post one_off_form = { .fields = change_fields, .nfields = ARRAY_LEN(change_fields),
	.before = change_before, .act = change_act, .page = change_page, .done = change_done,
	.check_all = true };

static enum err change_post(struct request *req, struct response *resp)
{
	struct change_ctx c;

	memset(&c, 0, sizeof(c));
	return web_form_post(req, resp, &change_form, &c);
}

static enum err one_off_post(struct request *req, struct response *resp)
{
	struct change_ctx c;

	memset(&c, 0, sizeof(c));
	c.one_off = true;
	return web_form_post(req, resp, &one_off_form, &c);
}

static const struct field_def cancel_fields[] = {
	{ .name = "note", .label = "Why it is cancelled (optional)", .rows = 2, .kind = FIELD_TEXT,
	  .max = GROUP_NOTE_MAX, .check = field_domain_judges },
};

static enum err cancel_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct change_ctx *c = ctx;
	enum err e = change_load(req, c);

	UNUSED(resp);
	if (e)
		return e;
	str_copy(c->skey, sizeof(c->skey), c->s.skey);
	e = group_session_cancel(group_env_of(req), req->db, c->m.id, c->s.skey, web_bound(b, "note")->text,
				 req->actor->id, req->now, errors);
	if (e == ERR_CONFLICT || e == ERR_INVALID)
		return req_fail(req, e, json_string_value(json_object_get(json_array_get(errors, 0), "detail")));
	return e;
}

static const char *cancel_done(struct request *req, void *ctx)
{
	const struct change_ctx *c = ctx;

	return arena_printf(&req->arena, "%s?done=cancelled", web_url(req, "groups.session", c->m.id, c->skey, NULL));
}

static const struct form_post cancel_form = { .fields = cancel_fields, .nfields = ARRAY_LEN(cancel_fields),
	.act = cancel_act, .done = cancel_done };

static enum err cancel_post(struct request *req, struct response *resp)
{
	struct change_ctx c;

	memset(&c, 0, sizeof(c));
	return web_form_post(req, resp, &cancel_form, &c);
}

static enum err restore_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct change_ctx *c = ctx;
	enum err e = change_load(req, c);

	UNUSED(resp);
	UNUSED(b);
	UNUSED(errors);
	if (e)
		return e;
	str_copy(c->skey, sizeof(c->skey), c->s.skey);
	e = group_session_restore(group_env_of(req), req->db, c->m.id, c->s.skey, req->actor->id, req->now);
	if (e == ERR_CONFLICT)
		return req_fail(req, e, "Only a cancelled session that is still to come can be put back on.");
	return e;
}

static const char *restore_done(struct request *req, void *ctx)
{
	const struct change_ctx *c = ctx;

	return arena_printf(&req->arena, "%s?done=restored", web_url(req, "groups.session", c->m.id, c->skey, NULL));
}

static const struct form_post restore_form = { .act = restore_act, .done = restore_done };

static enum err restore_post(struct request *req, struct response *resp)
{
	struct change_ctx c;

	memset(&c, 0, sizeof(c));
	return web_form_post(req, resp, &restore_form, &c);
}

/* ---------------------------------------------------------------- the feature */

static const struct route routes[] = {
	{ M_GET,  "/groups", index_get, &act_public, 0, "groups.index" },
	{ M_GET,  "/groups/{id:uuid}", show_get, &act_public, 0, "groups.show" },
	{ M_GET,  "/groups/{id:uuid}/settings", edit_get, &act_group_manage, 0, "groups.edit" },
	{ M_POST, "/groups/{id:uuid}/settings", edit_post, &act_group_manage, FORM, "groups.edit" },
	{ M_POST, "/groups/{id:uuid}/join", join_post, &act_group_join, FORM, "groups.join" },
	{ M_POST, "/groups/{id:uuid}/leave", leave_post, &act_group_join, FORM, "groups.leave" },
	{ M_POST, "/groups/{id:uuid}/every-session", series_post, &act_group_join, FORM, "groups.series" },
	{ M_GET,  "/groups/{id:uuid}/members", members_get, &act_group_host, RF_WRITE_TX, "groups.members" },
	{ M_POST, "/groups/{id:uuid}/hosts", host_post, &act_group_manage, FORM, "groups.hosts" },
	{ M_POST, "/groups/{id:uuid}/hosts/{pid:int}/remove", host_remove_post, &act_group_manage, FORM,
	  "groups.host_remove" },
	{ M_POST, "/groups/{id:uuid}/messages", message_post, &act_group_host, FORM, "groups.message" },
	{ M_GET,  "/groups/{id:uuid}/sessions/new", one_off_get, &act_group_host, 0, "groups.one_off" },
	{ M_POST, "/groups/{id:uuid}/sessions/new", one_off_post, &act_group_host, FORM, "groups.one_off" },
	{ M_GET,  "/groups/{id:uuid}/sessions/{day:slug}", session_get, &act_public, RF_WRITE_TX, "groups.session" },
	{ M_POST, "/groups/{id:uuid}/sessions/{day:slug}/going", going_post, &act_group_join, FORM, "groups.going" },
	{ M_POST, "/groups/{id:uuid}/sessions/{day:slug}/not-going", not_going_post, &act_group_join, FORM,
	  "groups.not_going" },
	{ M_GET,  "/groups/{id:uuid}/sessions/{day:slug}/change", change_get, &act_group_host, 0,
	  "groups.session_change" },
	{ M_POST, "/groups/{id:uuid}/sessions/{day:slug}/change", change_post, &act_group_host, FORM,
	  "groups.session_change" },
	{ M_POST, "/groups/{id:uuid}/sessions/{day:slug}/cancel", cancel_post, &act_group_host, FORM,
	  "groups.session_cancel" },
	{ M_POST, "/groups/{id:uuid}/sessions/{day:slug}/restore", restore_post, &act_group_host, FORM,
	  "groups.session_restore" },
};

static enum err job_run(struct app *app, struct db *db, int64_t now)
{
	struct group_env env = group_env_of_app(app);
	enum err e = db_begin(db);

	if (e)
		return e;
	e = group_job(&env, db, now, NULL);
	if (e == ERR_OK)
		return db_commit(db);
	db_rollback(db);
	return e;
}

static const struct job jobs[] = {
	{ "groups", 900, job_run },
};

static const char *channel_check(const char *v)
{
	return strcmp(v, "email") == 0 || strcmp(v, "none") == 0 ? NULL :
	       "must be email or none (text messages are not sent yet)";
}

#define GS(field) CFG(struct group_settings, field)

static const struct config_key keys[] = {
	{ "group_series_weeks", CT_INT, GS(group_series_weeks), 1, 52, "8",
	  "weeks ahead that \"I'm going to every session\" holds a place at each session (the groups job "
	  "keeps it that far ahead)", NULL },
	{ "group_reminder_hour", CT_INT, GS(group_reminder_hour), 0, 23, "10",
	  "hour of the day (UK time) from which reminders of tomorrow's sessions are sent", NULL },
	{ "group_reminder_channel", CT_STR, GS(group_reminder_channel), 0, 0, "email",
	  "how people going to a session are reminded the day before: email, or none", channel_check },
	{ 0 },
};

const struct settings group_settings = { "Groups and events", keys, sizeof(struct group_settings) };

static enum err on_person_erasing(const struct event *ev)
{
	return group_erase_person(ev->db, ev->person_id, ev->now);
}

static const struct subscription subscriptions[] = {
	{ EV_PERSON_ERASING, on_person_erasing },
	{ 0 },
};

const struct feature groups_feature = {
	.name = "groups",
	.routes = routes,
	.nroutes = ARRAY_LEN(routes),
	.actions = group_actions,
	.settings = &group_settings,
	.jobs = jobs,
	.njobs = ARRAY_LEN(jobs),
	.export_person = group_export_person,
	.demo = group_demo,
	.subscriptions = subscriptions,
};
