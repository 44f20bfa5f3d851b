/*
 * register_web.c - the register's pages and API (register.h), and its
 * feature:
 *
 *   /groups/{id}/sessions/{day}/register        the list to tick, walk-ins, and for a
 *                                               past session the day it was held
 *                                               (typing in a paper register)
 *   /groups/{id}/sessions/{day}/register/print  the paper register: names, a box each,
 *                                               blank rows for walk-ins
 *   /groups/{id}/participation                  this month's and the last 12 months'
 *                                               counts
 *   POST /api/v1/events/{id}/attendance         the register as JSON; an event's id is
 *                                               its group's id and its day,
 *                                               "<uuid>-YYYYMMDD"
 *
 * Every one needs act_group_host on the group: a group the asker may
 * not see is 404, one they may see but not host is 403. The form posts
 * through web_form_post (one transaction; on a problem the page again
 * with what was ticked and typed). The ticks are read from the form
 * here, not from the field table: the list is the session's, and may be
 * longer than a many-of field's 64 choices. The API's body is read by
 * register_body_parse (register.h), with no request, so
 * fuzz/fuzz_register_body.c reaches it.
 */
#include "core/common.h"
#include "groups/groups_web.h"
#include "groups/register.h"

#include "app/app.h"
#include "app/features.h"
#include "core/buf.h"
#include "core/fields.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "groups/calendar.h"
#include "groups/groups_int.h"
#include "groups/groups_policy.h"
#include "store/store.h"
#include "web/api.h"
#include "web/errors.h"
#include "web/form.h"
#include "web/url.h"
#include "web/view.h"

#define TICK "present"            /* the checkboxes' name, and their error's field */
#define WALK_INS "walk_ins"
#define HELD_ON "held_on"
#define PRINT_BLANK_ROWS 12       /* rows for walk-ins on the paper register */
#define STR_(x) #x
#define STR(x) STR_(x)

/* ---------------------------------------------------------------- shared */

/* The group of the path's {id}, which the asker must host. */
static enum err load_group(struct request *req, const char *id, struct group_meta *m)
{
	enum err e = id ? group_load(req->db, req->actor, id, m) : ERR_NOT_FOUND;

	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no group at this address. Check the link, or find the "
				"group in the directory.");
	if (e)
		return e;
	if (!policy_can(req->actor, &act_group_host, m))
		return req_fail(req, ERR_FORBIDDEN, "Only the group's hosts, its organisation's "
				"organisers and coordinators can see and take its register.");
	return ERR_OK;
}

static enum err no_session(struct request *req)
{
	return req_fail(req, ERR_NOT_FOUND, "This group has no session on that day. Check the date "
			"in the link, or choose the session from the group's page.");
}

/* The path's group and session key (its {day}, YYYY-MM-DD). */
static enum err load_path(struct request *req, struct group_meta *m, char skey[GROUP_SKEY])
{
	const struct param *id = req_param(req, "id"), *day = req_param(req, "day");
	int64_t d;
	enum err e;

	if ((e = load_group(req, id ? id->val : NULL, m)) != ERR_OK)
		return e;
	if (!day || !group_skey_parse(day->val, &d))
		return no_session(req);
	group_skey(d, skey);
	return ERR_OK;
}

/* "7 people", "1 person", "nobody". */
static const char *people_words(struct arena *a, int n)
{
	return n == 0 ? "nobody" : n == 1 ? "1 person" : arena_printf(a, "%d people", n);
}

/* "Going, member, referred": why someone is on the list. */
static const char *why_words(unsigned why)
{
	static const char *const words[8] = {
		NULL, "Said they are going", "Member", "Said they are going, member",
		"Referred", "Said they are going, referred", "Member, referred",
		"Said they are going, member, referred",
	};

	return why & 7 ? words[why & 7] : "On the register saved before";
}

static void day_words(int64_t day, char *out, size_t n)
{
	uk_format_day(day, out, n);
}

/* ---------------------------------------------------------------- the register page */

struct reg_ctx {
	struct group_meta m;
	char skey[GROUP_SKEY];
	struct group_register r;
	struct field_def defs[2];
	size_t ndefs;
	/* What the form ticked and typed, for register_save. */
	int64_t *people;
	size_t npeople;
	const char **clients;
	size_t nclients;
	const char **walk_ins;
	size_t nwalk_ins;
};

static const struct field_def walk_in_field = {
	.name = WALK_INS, .label = "Walk-ins (one name a line)",
	.hint = "People who came who are not on the list above. Their first name, or how the group "
		"knows them, is enough.",
	.rows = 5, .kind = FIELD_TEXT, .max = REGISTER_TEXT_MAX, .check = field_domain_judges,
};
static const struct field_def held_on_field = {
	.name = HELD_ON, .label = "When was it held?",
	.hint = "Typing in a paper register: the day the session was held, for example 5 1 2027.",
	.kind = FIELD_DATE, .required = true, .missing = "Enter the day the session was held",
};

static void reg_defs(struct reg_ctx *c)
{
	c->ndefs = 0;
	c->defs[c->ndefs++] = walk_in_field;
	if (c->r.past)
		c->defs[c->ndefs++] = held_on_field;
}

/* The checkbox's value for someone on the list. */
static const char *tick_value(struct arena *a, const struct register_person *p)
{
	return p->person_id ? arena_printf(a, "person-%lld", (long long)p->person_id) :
	       arena_printf(a, "client-%s", p->client_id);
}

/* The list as checkboxes: ticked as typed (values has "present"), else
 * as saved. */
static json_t *tick_items(struct request *req, const struct group_register *r, const json_t *values)
{
	const json_t *typed = json_object_get(values, TICK);
	json_t *items = json_array();

	for (size_t i = 0; items && i < r->npeople; i++) {
		const struct register_person *p = &r->people[i];
		const char *v = tick_value(&req->arena, p);

		json_array_append_new(items, json_pack("{s:o, s:s, s:s, s:s, s:s?, s:b}",
			"id", i == 0 ? json_string(TICK) : json_sprintf(TICK "-%zu", i),
			"name", TICK, "value", v ? v : "", "label", p->name, "hint", why_words(p->why),
			"checked", typed ? web_has_value(typed, v ? v : "") : p->present));
	}
	return items;
}

/* The walk-ins' box and the day's boxes as saved (or the session's day). */
static json_t *saved_values(const struct group_register *r)
{
	json_t *v = json_object();
	struct buf b;
	int y, m, d;

	buf_init(&b, REGISTER_TEXT_MAX + 1);
	for (size_t i = 0; i < r->nwalk_ins; i++)
		buf_addf(&b, "%s%s", i ? "\n" : "", r->walk_ins[i]);
	if (v && buf_ok(&b))
		json_object_set_new(v, WALK_INS, json_string(b.p));
	buf_release(&b);
	uk_date(r->held_on, &y, &m, &d);
	json_object_set_new(v, HELD_ON "-day", json_sprintf("%d", d));
	json_object_set_new(v, HELD_ON "-month", json_sprintf("%d", m));
	json_object_set_new(v, HELD_ON "-year", json_sprintf("%d", y));
	return v;
}

static enum err reg_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	static const struct done_word words[] = {
		{ "saved", true, "The register is saved: %s came." },
	};
	struct reg_ctx *c = ctx;
	const struct group_register *r = &c->r;
	char date[UK_FORMAT_MAX], held[UK_FORMAT_MAX], taken[UK_FORMAT_MAX];
	const char *why = NULL, *title;
	json_t *data, *form = NULL;

	if (!values)
		values = saved_values(r);
	register_open(&req->arena, &r->session, r->today, &why);
	day_words(r->session.day, date, sizeof(date));
	day_words(r->held_on, held, sizeof(held));
	taken[0] = '\0';
	if (r->saved)
		uk_format_date(r->taken_at, taken, sizeof(taken));
	title = arena_printf(&req->arena, "Register: %s, %s", r->group_name, date);
	if (!why) {
		form = json_pack("{s:s, s:o, s:o, s:o}", "action", web_url(req, "groups.register", c->m.id,
				 c->skey, NULL),
			"ticks", web_checks(TICK, "Who came?", r->npeople ? "Tick everyone who came." :
				NULL, tick_items(req, r, values), errors),
			"walk_ins", web_field(&walk_in_field, values, errors),
			"held_on", r->past ? web_date_boxes(HELD_ON, held_on_field.label, held_on_field.hint,
				json_string_value(json_object_get(values, HELD_ON "-day")),
				json_string_value(json_object_get(values, HELD_ON "-month")),
				json_string_value(json_object_get(values, HELD_ON "-year")), errors) : json_null());
	}
	data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:b, s:b, s:b, s:s, s:s, s:s}",
		"group_name", r->group_name, "when", group_session_words(&req->arena, &r->session),
		"date", date, "print_href", web_url(req, "groups.register_print", c->m.id, c->skey, NULL),
		"participation_href", web_url(req, "groups.participation", c->m.id, NULL),
		"back_href", web_url(req, "groups.session", c->m.id, c->skey, NULL),
		"why", why ? json_string(why) : json_null(), "form", form ? form : json_null(),
		"past", r->past, "saved", r->saved, "paper", r->paper, "held_words", held,
		"came_words", people_words(&req->arena, r->came), "taken_words", taken);
	if (!data) {
		json_decref(values);
		json_decref(errors);
		return ERR_NOMEM;
	}
	web_set_errors(data, errors);
	web_done(req, data, words, ARRAY_LEN(words), people_words(&req->arena, r->came));
	json_decref(values);
	return web_page(req, resp, status, "groups/register.html", title, data);
}

/* The path's group, session and register, and the form's fields. */
static enum err reg_load(struct request *req, struct reg_ctx *c)
{
	enum err e;

	if ((e = load_path(req, &c->m, c->skey)) != ERR_OK)
		return e;
	e = register_get(req->db, &req->arena, c->m.id, c->skey, req->now, &c->r);
	if (e == ERR_NOT_FOUND)
		return no_session(req);
	if (e)
		return e;
	reg_defs(c);
	return ERR_OK;
}

static enum err register_page_get(struct request *req, struct response *resp)
{
	struct reg_ctx c;
	enum err e;

	memset(&c, 0, sizeof(c));
	if ((e = reg_load(req, &c)) != ERR_OK)
		return e;
	return reg_page(req, resp, 200, NULL, NULL, &c);
}

/* One box's value: "person-<id>" or "client-<uuid>". */
static bool tick_parse(struct request *req, const char *v, struct reg_ctx *c)
{
	int64_t id;

	if (strncmp(v, "person-", 7) == 0 && str_to_i64(str_c(v + 7), 1, API_ID_MAX, &id)) {
		c->people[c->npeople++] = id;
		return true;
	}
	if (strncmp(v, "client-", 7) == 0 && str_is_uuid(str_c(v + 7))) {
		char *cid = arena_strdup(&req->arena, v + 7);

		if (!cid)
			return false;
		str_lower_ascii(cid, strlen(cid));
		c->clients[c->nclients++] = cid;
		return true;
	}
	return false;
}

/* The ticks and the walk-ins' lines, read and kept to show again. */
static enum err reg_before(struct request *req, const struct bound *b, json_t *errors, void *ctx)
{
	struct reg_ctx *c = ctx;
	const struct field_value *w = web_bound(b, WALK_INS);
	const char *text = w ? w->text : NULL, *why;
	size_t n = kv_count(&req->form, TICK);
	json_t *typed = json_array();
	bool bad = false;

	if (register_open(&req->arena, &c->r.session, c->r.today, &why) != ERR_OK) {
		json_decref(typed);
		return req_fail(req, ERR_CONFLICT, why);
	}
	c->people = arena_calloc(&req->arena, n + 1, sizeof(*c->people));
	c->clients = arena_calloc(&req->arena, n + 1, sizeof(*c->clients));
	if (!typed || !c->people || !c->clients) {
		json_decref(typed);
		return ERR_NOMEM;
	}
	for (size_t i = 0; i < req->form.n; i++) {
		const struct kv *kv = &req->form.v[i];

		if (strcmp(kv->name, TICK) != 0 || !kv->val[0] || strlen(kv->val) != kv->vlen)
			continue;
		json_array_append_new(typed, json_string(kv->val));
		bad = !tick_parse(req, kv->val, c) || bad;
	}
	json_object_set_new(b->values, TICK, typed);
	if (bad)
		web_error_once(errors, TICK, "Tick only the people on the list");
	if (text && field_chars(text) > REGISTER_TEXT_MAX)
		web_error_once(errors, WALK_INS, "The walk-ins box is too long: put one name on each line, "
			       "at most " STR(REGISTER_WALK_INS_MAX) " names");
	else if (text && (!(c->walk_ins = register_lines(&req->arena, text, REGISTER_WALK_INS_MAX,
								&c->nwalk_ins))))
		return ERR_NOMEM;
	else if (c->nwalk_ins > REGISTER_WALK_INS_MAX)
		web_error_once(errors, WALK_INS, "A register can have at most " STR(REGISTER_WALK_INS_MAX)
			       " walk-ins");
	return json_array_size(errors) ? ERR_INVALID : ERR_OK;
}

/* The first problem's words. */
static const char *first_detail(const json_t *errors, const char *def)
{
	const char *d = json_string_value(json_object_get(json_array_get(errors, 0), "detail"));

	return d ? d : def;
}

static enum err reg_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct reg_ctx *c = ctx;
	const struct field_value *held = web_bound(b, HELD_ON);
	const struct register_input in = {
		.people = c->people, .npeople = c->npeople, .clients = c->clients, .nclients = c->nclients,
		.walk_ins = c->walk_ins, .nwalk_ins = c->nwalk_ins, .held_on = held ? held->text : NULL,
	};
	json_t *problems = json_array();
	size_t i;
	json_t *it;
	enum err e;

	UNUSED(resp);
	if (!problems)
		return ERR_NOMEM;
	e = register_save(group_env_of(req), req->db, c->m.id, c->skey, &in, req->actor->id, req->now,
			  problems, NULL);
	if (e == ERR_INVALID) {
		/* The page has one list: a referred person's tick is one of its boxes. */
		json_array_foreach(problems, i, it) {
			const char *f = json_string_value(json_object_get(it, "field"));

			web_error_once(errors, f && strcmp(f, "clients") == 0 ? TICK : f,
				       json_string_value(json_object_get(it, "detail")));
		}
	} else if (e == ERR_CONFLICT) {
		e = req_fail(req, e, first_detail(problems, "This session cannot have a register."));
	} else if (e == ERR_NOT_FOUND) {
		e = no_session(req);
	}
	json_decref(problems);
	return e;
}

static const char *reg_done(struct request *req, void *ctx)
{
	const struct reg_ctx *c = ctx;

	return arena_printf(&req->arena, "%s?done=saved", web_url(req, "groups.register", c->m.id,
								   c->skey, NULL));
}

static enum err register_post(struct request *req, struct response *resp)
{
	struct reg_ctx c;
	struct form_post f = { .before = reg_before, .act = reg_act, .page = reg_page, .check_all = true,
			       .done = reg_done };
	enum err e;

	memset(&c, 0, sizeof(c));
	if ((e = reg_load(req, &c)) != ERR_OK)
		return e;
	f.fields = c.defs;
	f.nfields = c.ndefs;
	return web_form_post(req, resp, &f, &c);
}

/* ---------------------------------------------------------------- the paper register */

static enum err print_get(struct request *req, struct response *resp)
{
	struct reg_ctx c;
	char date[UK_FORMAT_MAX];
	json_t *names, *blank, *data;
	enum err e;

	memset(&c, 0, sizeof(c));
	if ((e = reg_load(req, &c)) != ERR_OK)
		return e;
	if (c.r.session.cancelled)
		return req_fail(req, ERR_CONFLICT, "This session was cancelled, so it has no register.");
	names = json_array();
	blank = json_array();
	for (size_t i = 0; names && i < c.r.npeople; i++)
		json_array_append_new(names, json_pack("{s:s}", "name", c.r.people[i].name));
	for (int i = 0; blank && i < PRINT_BLANK_ROWS; i++)
		json_array_append_new(blank, json_pack("{s:i}", "row", i + 1));
	day_words(c.r.session.day, date, sizeof(date));
	data = json_pack("{s:s, s:s, s:s, s:o, s:o, s:b, s:s}", "group_name", c.r.group_name,
		"when", group_session_words(&req->arena, &c.r.session), "date", date, "names", names,
		"blank", blank, "any_listed", c.r.npeople > 0,
		"back_href", web_url(req, "groups.register", c.m.id, c.skey, NULL));
	if (!data)
		return ERR_NOMEM;
	return web_page(req, resp, 200, "groups/register_print.html",
			arena_printf(&req->arena, "Paper register: %s, %s", c.r.group_name, date), data);
}

/* ---------------------------------------------------------------- participation */

/* One period's counts with its words. */
static enum err period(struct request *req, const char *id, int64_t from, int64_t to, json_t **out)
{
	struct group_participation p;
	char f[UK_FORMAT_MAX], t[UK_FORMAT_MAX];
	enum err e;

	*out = NULL;
	if ((e = register_participation(req->db, id, from, to, &p)) != ERR_OK)
		return e;
	day_words(from, f, sizeof(f));
	day_words(to, t, sizeof(t));
	if (!(*out = register_participation_json(&p)))
		return ERR_NOMEM;
	json_object_set_new(*out, "from_words", json_string(f));
	json_object_set_new(*out, "to_words", json_string(t));
	return ERR_OK;
}

static enum err participation_get(struct request *req, struct response *resp)
{
	const struct param *id = req_param(req, "id");
	struct group_meta m;
	json_t *month = NULL, *year = NULL, *data;
	int64_t today = uk_local_day(req->now), months;
	int y, mo, d;
	const char *name;
	enum err e;

	if ((e = load_group(req, id ? id->val : NULL, &m)) != ERR_OK)
		return e;
	uk_date(today, &y, &mo, &d);
	/* This month so far, and the twelve months that end with it. */
	months = (int64_t)y * 12 + (mo - 1) - 11;
	if ((e = period(req, m.id, uk_days(y, mo, 1), today, &month)) != ERR_OK ||
	    (e = period(req, m.id, uk_days((int)(months / 12), (int)(months % 12) + 1, 1), today,
			&year)) != ERR_OK) {
		json_decref(month);
		return e;
	}
	name = group_name(req->db, &req->arena, m.id);
	data = json_pack("{s:s, s:s, s:o, s:o, s:s}", "group_id", m.id, "group_name", name ? name : "",
			 "this_month", month, "last_12_months", year,
			 "back_href", web_url(req, "groups.show", m.id, NULL));
	if (!data)
		return ERR_NOMEM;
	return web_page(req, resp, 200, "groups/register_participation.html",
			arena_printf(&req->arena, "Who comes: %s", name ? name : "the group"), data);
}

/* ---------------------------------------------------------------- the API */

/* A member that is a list (absent or null: empty); *n its length, or
 * false with an error when it is not a list or is longer than max. */
static bool list_at(const json_t *o, const char *key, size_t max, const char *what, json_t *errors,
		const json_t **out)
{
	const json_t *v = json_object_get(o, key);
	char msg[200];

	*out = NULL;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_array(v)) {
		snprintf(msg, sizeof(msg), "Give %s as a list of %s", key, what);
		web_error(errors, key, msg);
		return false;
	}
	if (json_array_size(v) > max) {
		snprintf(msg, sizeof(msg), "Give at most %zu in %s", max, key);
		web_error(errors, key, msg);
		return false;
	}
	*out = v;
	return true;
}

/* long: one reader per member, each a few lines; apart they would each
 * repeat the loop over the list. */
enum err register_body_parse(struct arena *a, const json_t *body, struct register_input *out,
		json_t *errors)
{
	static const char *const known[] = { "present", "clients", "walk_ins", "held_on" };
	const json_t *pl, *cl, *wl, *v, *h = json_object_get(body, "held_on");
	int64_t *people = NULL;
	const char **clients = NULL, **walk_ins = NULL;
	const char *key;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(body)) {
		web_error(errors, "body", "Send a JSON object, like {\"present\": [12, 15]}");
		return ERR_INVALID;
	}
	json_object_foreach((json_t *)body, key, v) {
		bool ok = false;

		for (size_t k = 0; k < ARRAY_LEN(known) && !ok; k++)
			ok = strcmp(key, known[k]) == 0;
		if (!ok)
			web_error(errors, key, arena_printf(a, "This endpoint takes present, "
				  "clients, walk_ins and held_on: leave out %s", key));
	}
	if (list_at(body, "present", REGISTER_TICKS_MAX, "the ids of the people who came, like [12, 15]",
		    errors, &pl) && pl) {
		people = arena_calloc(a, json_array_size(pl) + 1, sizeof(*people));
		json_array_foreach(pl, i, v) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 ||
			    json_integer_value(v) > API_ID_MAX) {
				web_error(errors, "present", "Give present as a list of the ids of the people "
					  "who came, like [12, 15]");
				break;
			}
			if (people)
				people[out->npeople++] = json_integer_value(v);
		}
	}
	if (list_at(body, "clients", REGISTER_TICKS_MAX, "the ids of the referred people's records "
		    "(UUIDs)", errors, &cl) && cl) {
		clients = arena_calloc(a, json_array_size(cl) + 1, sizeof(*clients));
		json_array_foreach(cl, i, v) {
			/* Read as its length says, so "<uuid>\u0000..." is no UUID. */
			char *c = json_is_string(v) ? arena_strndup(a, json_string_value(v), json_string_length(v))
						    : NULL;

			if (!c || !str_is_uuid((struct str){ c, json_string_length(v) })) {
				web_error(errors, "clients", "Give clients as a list of the ids of the referred "
					  "people's records (UUIDs)");
				break;
			}
			str_lower_ascii(c, strlen(c));
			if (clients)
				clients[out->nclients++] = c;
		}
	}
	if (list_at(body, "walk_ins", REGISTER_WALK_INS_MAX, "names, like [\"Ann\"]", errors, &wl) && wl) {
		walk_ins = arena_calloc(a, json_array_size(wl) + 1, sizeof(*walk_ins));
		json_array_foreach(wl, i, v) {
			if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
				web_error(errors, "walk_ins", "Give walk_ins as a list of names, like [\"Ann\"]");
				break;
			}
			if (walk_ins)
				walk_ins[out->nwalk_ins++] = json_string_value(v);
		}
	}
	/* A string with a NUL in it (JSON's \u0000) is not a day either. */
	if (h && !json_is_null(h) &&
	    (!json_is_string(h) || strlen(json_string_value(h)) != json_string_length(h)))
		web_error(errors, "held_on", "Give held_on as the day the session was held, like "
			  "\"2027-01-12\", or leave it out when the register is taken on the day");
	else if (h && json_is_string(h))
		out->held_on = json_string_value(h);
	out->people = people;
	out->clients = clients;
	out->walk_ins = walk_ins;
	if ((pl && !people) || (cl && !clients) || (wl && !walk_ins))
		return ERR_NOMEM;
	return json_array_size(errors) ? ERR_INVALID : ERR_OK;
}

/* 422, 409 or another status with errors; takes errors. */
static enum err fail_fields(struct request *req, enum err e, const char *detail, json_t *errors)
{
	req_fail_fields(req, detail, errors);
	return e;
}

/* POST /api/v1/events/{id}/attendance {present, clients, walk_ins, held_on?} */
static enum err api_attendance(struct request *req, struct response *resp)
{
	const struct param *p = req_param(req, "id");
	char id[37], skey[GROUP_SKEY], eid[CALENDAR_EVENT_ID];
	struct group_meta m;
	struct group_register r;
	struct register_input in;
	json_t *errors, *out;
	enum err e;

	if ((e = api_none(req)) != ERR_OK)
		return e;
	if (!p || !calendar_event_id_parse(p->val, id, skey))
		return req_fail(req, ERR_NOT_FOUND, "There is no event with that id. An event's id is its "
				"group's id and its day, like 3f2504e0-4f89-41d3-9a0c-0305e82c3301-20270112.");
	if ((e = load_group(req, id, &m)) != ERR_OK)
		return e;
	if (!json_is_object(req->json))
		return req_fail(req, ERR_BAD_REQUEST, "Send a JSON object with Content-Type: application/json.");
	if (!(errors = json_array()))
		return ERR_NOMEM;
	if ((e = register_body_parse(&req->arena, req->json, &in, errors)) != ERR_OK) {
		if (e == ERR_INVALID)
			return fail_fields(req, e, "Some fields need changing: see errors.", errors);
		json_decref(errors);
		return e;
	}
	if ((e = db_begin(req->db)) != ERR_OK) {
		json_decref(errors);
		return e;
	}
	e = register_save(group_env_of(req), req->db, m.id, skey, &in, req->actor->id, req->now, errors,
			  NULL);
	switch (e) {
	case ERR_OK:
		json_decref(errors);
		break;
	case ERR_INVALID:
		return fail_fields(req, e, "Some fields need changing: see errors.", errors);
	case ERR_CONFLICT:
		return fail_fields(req, e, first_detail(errors, "This session cannot have a register."),
				   errors);
	case ERR_NOT_FOUND:
		json_decref(errors);
		return req_fail(req, e, "The group has no session on that day.");
	default:
		json_decref(errors);
		return e;
	}
	if ((e = register_get(req->db, &req->arena, m.id, skey, req->now, &r)) != ERR_OK)
		return e;
	if (!(out = register_json(&r)))
		return ERR_NOMEM;
	calendar_event_id(m.id, r.session.skey, eid);
	json_object_set_new(out, "event_id", json_string(eid));
	if ((e = db_commit(req->db)) != ERR_OK) {
		json_decref(out);
		return e;
	}
	return view_json(req, resp, 200, out);
}

/* ---------------------------------------------------------------- the feature */

/* "Download my data": the sessions they came to. */
static enum err export_person(struct db *db, int64_t person_id, int64_t now, json_t *out)
{
	json_t *j = NULL;
	enum err e = register_person_json(db, person_id, &j);

	UNUSED(now);
	if (e == ERR_OK && json_object_set_new(out, "group_attendance", j) != 0)
		e = ERR_NOMEM;
	return e;
}

#define FORM (RF_FORM | RF_CSRF)

static const struct route routes[] = {
	{ M_GET,  "/groups/{id:uuid}/sessions/{day:slug}/register", register_page_get, &act_group_host, 0,
	  "groups.register" },
	{ M_POST, "/groups/{id:uuid}/sessions/{day:slug}/register", register_post, &act_group_host, FORM,
	  "groups.register" },
	{ M_GET,  "/groups/{id:uuid}/sessions/{day:slug}/register/print", print_get, &act_group_host, 0,
	  "groups.register_print" },
	{ M_GET,  "/groups/{id:uuid}/participation", participation_get, &act_group_host, RF_PAGE_JSON,
	  "groups.participation" },
	{ M_POST, "/api/v1/events/{id:slug}/attendance", api_attendance, &act_group_host, RF_JSON,
	  "api.event_attendance" },
};

const struct feature group_register_feature = {
	.name = "group_register",
	.routes = routes,
	.nroutes = ARRAY_LEN(routes),
	.actions = group_actions,
	.export_person = export_person,
};
