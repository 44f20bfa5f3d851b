/*
 * talk_api.c - conversations for apps: a JSON API under /api/v1 (issue 13).
 *
 *   GET  /api/v1/spaces                        the spaces the caller may read
 *   GET  /api/v1/spaces/{id}/topics?page=      a page of a space's topics
 *   POST /api/v1/spaces/{id}/topics            {title, body}: a new topic
 *   GET  /api/v1/topics/{id}?page=             a topic and a page of its posts
 *   POST /api/v1/topics/{id}/posts             {body, quote_of?}: a reply
 *   POST /api/v1/posts/{id}/flags              {reason, note?}: a flag
 *
 * Thin, like referral_api.c: the rules (who may write, the crisis
 * classifier, new accounts' limits, held links, watched words, flags)
 * are talk.c's and moderate.c's, so an app and a page are refused the
 * same things in the same words. Handlers go parse -> check -> act ->
 * render; a write is one transaction the handler opens and commits
 * before it answers.
 *
 * Who may: act_talk_read at the route level lets anyone signed in through
 * (talk_policy.c); the handler then loads the space for the caller and
 * asks policy_can(&act_talk_read, &space) again. A group's space read by
 * someone outside the group is 403 with words (the space's name is no
 * secret: the group's page shows it has one); a topic or post the caller
 * may not see (hidden, held for someone else, none) is 404.
 *
 * A created post answers 201 {id, signposted, held} (a topic adds
 * topic_id). When signposted, help carries where to get help now, so an
 * app can show it at once without a second request; when held,
 * held_reason says why in words for the writer.
 *
 * Bodies: a JSON object (400 otherwise), each member of the type and
 * length the field table says (422 naming the field and what to fix),
 * and no member the endpoint does not take (422 naming it: a typo such
 * as "text" for "body" is an error, not an empty post). A browser
 * session may call the POSTs too: only with a JSON body, which no
 * cross-site form can send.
 */
#include "core/common.h"
#include "talk/talk.h"

#include "app/features.h"
#include "auth/policy.h"
#include "core/str.h"
#include "http/request.h"
#include "store/store.h"
#include "talk/talk_api.h"
#include "talk/talk_feature.h"
#include "talk/talk_int.h"
#include "talk/talk_policy.h"
#include "talk/talk_web.h"
#include "web/api.h"
#include "web/url.h"
#include "web/view.h"

#include <stdarg.h>

/* ---------------------------------------------------------------- where to get help now */

/* The help panel's numbers, as the pages show them (issue 13). */
static json_t *help_json(void)
{
	return json_pack("[{s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s}, {s:s, s:s}]",
			 "name", "Samaritans", "call", "116 123",
			 "name", "NHS 111", "call", "111", "option", "2",
			 "name", "Shout", "text", "SHOUT to 85258",
			 "name", "Emergency", "call", "999");
}

/* ---------------------------------------------------------------- reading the body */

enum bf_kind { BF_TEXT, BF_ID };

/* One member of a request body: its name, kind and limits. */
struct body_field {
	const char *name;
	enum bf_kind kind;
	bool required;
	size_t max;                  /* BF_TEXT: at most this many characters, or bytes */
	bool bytes;                  /* max counts bytes (a post's Markdown), not characters */
	const char *missing;         /* what to say when a required one is absent or blank */
};

static const struct body_field topic_fields[] = {
	{ "title", BF_TEXT, true, TALK_TITLE_MAX, false,
	  "Give the topic a title: a few words saying what it is about." },
	{ "body", BF_TEXT, true, TALK_BODY_MAX, true,
	  "Write the opening post in body." },
};

static const struct body_field post_fields[] = {
	{ "body", BF_TEXT, true, TALK_BODY_MAX, true, "Write the reply in body." },
	{ "quote_of", BF_ID, false, 0, false, NULL },
};

static const struct body_field flag_fields[] = {
	{ "reason", BF_TEXT, true, TALK_API_REASON_MAX, false, NULL },   /* the words list the reasons */
	{ "note", BF_TEXT, false, TALK_REASON_NOTE_MAX, false, NULL },
};

/* The tables by enum talk_api_body. */
static const struct {
	const struct body_field *f;
	size_t n;
} bodies[] = {
	[TALK_API_TOPIC] = { topic_fields, ARRAY_LEN(topic_fields) },
	[TALK_API_POST] = { post_fields, ARRAY_LEN(post_fields) },
	[TALK_API_FLAG] = { flag_fields, ARRAY_LEN(flag_fields) },
};

_Static_assert(ARRAY_LEN(topic_fields) <= TALK_API_FIELDS_MAX && ARRAY_LEN(post_fields) <= TALK_API_FIELDS_MAX &&
	       ARRAY_LEN(flag_fields) <= TALK_API_FIELDS_MAX, "a body's members fit struct talk_api_in");

static size_t utf8_chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

static bool blank_text(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

/* e (422, 403, ...) with errors as the problem's (taken). The detail is
 * the error's own sentence when there is one error (or e is not 422),
 * so the problem itself says what to fix; else a pointer to errors. */
static enum err fail_with(struct request *req, enum err e, const char *def, json_t *errors)
{
	const char *d;

	if (!errors)
		return ERR_NOMEM;
	d = e == ERR_INVALID && json_array_size(errors) != 1 ? "Some fields need changing: see errors." :
	    talk_first_detail(errors, def ? def : "Some fields need changing: see errors.");
	/* d may live in errors, which req_fail_fields takes: copy it first. */
	d = arena_strdup(&req->arena, d);
	req_fail_fields(req, d ? d : "Some fields need changing: see errors.", errors);
	return e;
}

/* Appends {field, detail}; false when out of memory. */
static bool err_add(json_t *errors, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool err_add(json_t *errors, const char *field, const char *fmt, ...)
{
	char detail[API_DETAIL_MAX];
	va_list ap;
	json_t *o;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	o = json_pack("{s:s, s:s}", "field", field, "detail", detail);
	return o && json_array_append_new(errors, o) == 0;
}

/* "title and body", "body and quote_of", for the words about a member
 * the endpoint does not take. */
static const char *field_names(struct arena *a, const struct body_field *f, size_t n)
{
	const char *s = "";

	for (size_t i = 0; s && i < n; i++)
		s = arena_printf(a, "%s%s%s", s, i == 0 ? "" : i + 1 == n ? " and " : ", ", f[i].name);
	return s;
}

static void read_text(json_t *errors, const struct body_field *f, const json_t *v, const char **out)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);

	if (!s) {
		err_add(errors, f->name, "Give %s as text (a JSON string).", f->name);
		return;
	}
	if (strlen(s) != n || !str_is_clean_utf8(s, n)) {
		err_add(errors, f->name, "The %s must be plain text: no control characters other than tabs "
			"and line breaks.", f->name);
		return;
	}
	if (f->bytes && n > f->max) {
		err_add(errors, f->name, "The %s is %zu bytes long: make it at most %zu bytes (about %zu "
			"words).", f->name, n, f->max, f->max / 6);
		return;
	}
	if (!f->bytes && utf8_chars(s, n) > f->max) {
		err_add(errors, f->name, "The %s is %zu characters long: make it at most %zu characters.",
			f->name, utf8_chars(s, n), f->max);
		return;
	}
	if (f->required && blank_text(s)) {
		if (f->missing)
			err_add(errors, f->name, "%s", f->missing);
		return;
	}
	*out = s;
}

static void read_id(json_t *errors, const struct body_field *f, const json_t *v, int64_t *out)
{
	json_int_t i = json_integer_value(v);

	if (!json_is_integer(v) || i < 1 || i > API_ID_MAX) {
		err_add(errors, f->name, "Give %s as the id of a post (a whole number), or leave it out.", f->name);
		return;
	}
	*out = (int64_t)i;
}

enum err talk_api_body_parse(struct arena *a, const json_t *body, enum talk_api_body kind,
		struct talk_api_in *out, json_t *errors)
{
	const struct body_field *f = bodies[kind].f;
	size_t n = bodies[kind].n;
	const char *key;
	json_t *v;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(body)) {
		const char *d = arena_printf(a, "Send a JSON object with Content-Type: application/json, like "
					     "{\"%s\": \"...\"}.", f[0].name);

		err_add(errors, "body", "%s", d ? d : "Send a JSON object with Content-Type: application/json.");
		return ERR_BAD_REQUEST;
	}
	json_object_foreach((json_t *)body, key, v) {
		size_t i;

		for (i = 0; i < n && strcmp(f[i].name, key) != 0; i++)
			;
		if (i == n)
			err_add(errors, key, "This endpoint does not take %s: send only %s.",
				strlen(key) <= 40 ? key : "that member", field_names(a, f, n));
	}
	for (size_t i = 0; i < n; i++) {
		v = json_object_get(body, f[i].name);
		if (!v || json_is_null(v)) {
			if (f[i].required && f[i].missing)
				err_add(errors, f[i].name, "%s", f[i].missing);
			continue;
		}
		if (f[i].kind == BF_TEXT)
			read_text(errors, &f[i], v, &out->text[i]);
		else
			read_id(errors, &f[i], v, &out->id[i]);
	}
	return json_array_size(errors) == 0 ? ERR_OK : ERR_INVALID;
}

/* Reads req's JSON body as kind (talk_api_body_parse): 400 when it is
 * not an object; 422 with every field's error (a member of the wrong
 * type, too long, blank when needed, one the endpoint does not take). A
 * required member left out is an error only when the table has words for
 * it (flag reasons list the reasons themselves). The texts are borrowed
 * from req->json. */
static enum err body_read(struct request *req, enum talk_api_body kind, struct talk_api_in *out)
{
	json_t *errors = json_array();
	enum err e;

	if (!errors) {
		memset(out, 0, sizeof(*out));
		return ERR_NOMEM;
	}
	e = talk_api_body_parse(&req->arena, req->json, kind, out, errors);
	if (e == ERR_OK) {
		json_decref(errors);
		return ERR_OK;
	}
	if (e == ERR_BAD_REQUEST) {
		const char *d = arena_strdup(&req->arena, talk_first_detail(errors, "Send a JSON object with "
					     "Content-Type: application/json."));

		json_decref(errors);
		return req_fail(req, ERR_BAD_REQUEST, d);
	}
	return fail_with(req, ERR_INVALID, NULL, errors);
}

/* ---------------------------------------------------------------- shared */

static int64_t id_param(const struct request *req)
{
	return req_param(req, "id")->i;
}

/* The space id for the caller: 404 when there is none, 403 in words
 * when they may not read it. */
static enum err space_for(struct request *req, int64_t id, struct talk_space *s)
{
	enum err e = talk_space_load_id(req->db, &req->arena, req->actor, id, s);

	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no space with that id. GET /api/v1/spaces lists the "
				"spaces you may read.");
	if (e)
		return e;
	if (policy_can(req->actor, &act_talk_read, s))
		return ERR_OK;
	if (s->kind == TALK_GROUP)
		return req_fail(req, ERR_FORBIDDEN, "This space is for the members of its group. Join the "
				"group to read and write here.");
	if (!req->actor->verified)
		return req_fail(req, ERR_FORBIDDEN, "Confirm your email address first: open the link we "
				"sent you. You can get a new link from your account page.");
	return req_fail(req, ERR_FORBIDDEN, "You may not read this space.");
}

/* The topic id and its space for the caller: 404 when there is none or
 * it is hidden from them, 403 as space_for. The topic is loaded as a
 * moderator would see it (to find its space), then judged by what the
 * caller is in that space. */
static enum err topic_for(struct request *req, int64_t id, struct talk_topic *t, struct talk_space *s)
{
	enum err e = talk_topic_load(req->db, &req->arena, req->actor, id, true, t);

	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no topic with that id that you may see.");
	if (e || (e = space_for(req, t->space_id, s)) != ERR_OK)
		return e;
	if (t->hidden && !s->moderator)
		return req_fail(req, ERR_NOT_FOUND, "There is no topic with that id that you may see.");
	return ERR_OK;
}

/* Times are Unix seconds, as in talk_posts' posts. */
static json_t *topic_json(const struct talk_topic *t, const struct talk_space *s)
{
	json_t *o = json_pack("{s:I, s:s, s:I, s:{s:I, s:s, s:s, s:s}, s:b, s:I, s:I, s:I, s:I, s:b}",
			      "id", (json_int_t)t->id, "title", t->title ? t->title : "",
			      "space_id", (json_int_t)t->space_id,
			      "space", "id", (json_int_t)s->id, "slug", s->slug, "name", s->name ? s->name : "",
			      "kind", talk_space_kind_name(s->kind),
			      "locked", t->locked, "posts", (json_int_t)t->posts_n,
			      "replies", (json_int_t)(t->posts_n > 0 ? t->posts_n - 1 : 0),
			      "created_at", (json_int_t)t->created_at, "last_post_at", (json_int_t)t->last_post_at,
			      "following", t->following);

	if (o && s->moderator)
		json_object_set_new(o, "hidden", json_boolean(t->hidden));
	return o;
}

/* 201 for a post written: {id, signposted, held} (+ topic_id for a new
 * topic, help when signposted, held_reason when held). Commits first. */
static enum err posted(struct request *req, struct response *resp, const struct talk_posted *p, bool topic)
{
	const char *tid = arena_printf(&req->arena, "%lld", (long long)p->topic_id), *loc;
	json_t *o;
	enum err e;

	if ((e = db_commit(req->db)) != ERR_OK)
		return e;
	o = json_pack("{s:I, s:b, s:b}", "id", (json_int_t)p->id, "signposted", p->signposted, "held", p->held);
	if (!o)
		return ERR_NOMEM;
	if (topic)
		json_object_set_new(o, "topic_id", json_integer((json_int_t)p->topic_id));
	if (p->signposted)
		json_object_set_new(o, "help", help_json());
	if (p->held)
		json_object_set_new(o, "held_reason", json_string(p->held_why[0] ? p->held_why :
			"Your post is waiting for a moderator to look at it."));
	if (tid && (loc = web_url(req, "talk_api.topic", tid, NULL)) != NULL)
		resp_header(resp, "Location", loc);
	return view_json(req, resp, 201, o);
}

/* After talk_topic_create or talk_post_create refused: 422, 403, 404 in
 * words. Takes errors. */
static enum err write_refused(struct request *req, enum err e, json_t *errors)
{
	switch (e) {
	case ERR_INVALID:
		return fail_with(req, e, NULL, errors);
	case ERR_FORBIDDEN:
		return fail_with(req, e, "You cannot post here just now.", errors);
	case ERR_NOT_FOUND:
		json_decref(errors);
		return req_fail(req, e, "There is no topic with that id that you may write in.");
	default:
		json_decref(errors);
		return e;
	}
}

/* ---------------------------------------------------------------- the routes */

/* GET /api/v1/spaces */
static enum err api_spaces(struct request *req, struct response *resp)
{
	json_t *spaces = NULL;
	enum err e;

	if ((e = api_none(req)) != ERR_OK || (e = talk_spaces(req->db, req->actor, &spaces)) != ERR_OK)
		return e;
	return view_json(req, resp, 200, json_pack("{s:o}", "spaces", spaces));
}

/* GET /api/v1/spaces/{id}/topics?page=&per_page= */
static enum err api_topics(struct request *req, struct response *resp)
{
	struct talk_space s;
	struct api_query q;
	struct api_page pg;
	json_t *data = NULL;
	enum err e;

	api_query_of(&q, req);
	api_paging(&q, API_PER_PAGE, API_PER_PAGE_MAX, &pg);
	if ((e = api_done(req, &q, API_STRICT)) != ERR_OK || (e = space_for(req, id_param(req), &s)) != ERR_OK ||
	    (e = talk_topics(req->db, &s, (int)pg.page, (int)pg.per_page, &data)) != ERR_OK)
		return e;
	api_paging_json(req, data, arena_printf(&req->arena, "/api/v1/spaces/%lld/topics", (long long)s.id), &pg,
			json_integer_value(json_object_get(data, "total")));
	return view_json(req, resp, 200, data);
}

/* POST /api/v1/spaces/{id}/topics {title, body} */
static enum err api_topic_create(struct request *req, struct response *resp)
{
	const struct talk_env *te;
	struct talk_posted p;
	struct talk_space s;
	struct talk_api_in b;
	json_t *errors;
	enum err e;

	if ((e = api_none(req)) != ERR_OK || (e = db_begin(req->db)) != ERR_OK ||
	    (e = space_for(req, id_param(req), &s)) != ERR_OK ||
	    (e = body_read(req, TALK_API_TOPIC, &b)) != ERR_OK)
		return e;
	if (!(te = talk_env_of(req)) || !(errors = json_array()))
		return ERR_NOMEM;
	memset(&p, 0, sizeof(p));
	e = talk_topic_create(te, req->db, &s, req->actor, b.text[0], b.text[1], req->now, errors, &p);
	if (e)
		return write_refused(req, e, errors);
	json_decref(errors);
	return posted(req, resp, &p, true);
}

/* GET /api/v1/topics/{id}?page=&per_page= */
static enum err api_topic(struct request *req, struct response *resp)
{
	const struct talk_env *te = talk_env_of(req);
	int64_t per = te ? talk_per_page(te) : API_PER_PAGE;
	struct talk_topic t;
	struct talk_space s;
	struct api_query q;
	struct api_page pg;
	json_t *data = NULL, *topic;
	enum err e;

	if (!te)
		return ERR_NOMEM;
	api_query_of(&q, req);
	api_paging(&q, per, per > API_PER_PAGE_MAX ? per : API_PER_PAGE_MAX, &pg);
	if ((e = api_done(req, &q, API_STRICT)) != ERR_OK || (e = topic_for(req, id_param(req), &t, &s)) != ERR_OK ||
	    (e = talk_posts(req->db, &req->arena, &t, req->actor, s.moderator, (int)pg.page, (int)pg.per_page,
			    req->now, talk_edit_minutes(te), &data)) != ERR_OK)
		return e;
	if (!(topic = topic_json(&t, &s)) || json_object_set_new(data, "topic", topic) != 0) {
		json_decref(data);
		return ERR_NOMEM;
	}
	api_paging_json(req, data, arena_printf(&req->arena, "/api/v1/topics/%lld", (long long)t.id), &pg,
			json_integer_value(json_object_get(data, "total")));
	return view_json(req, resp, 200, data);
}

/* POST /api/v1/topics/{id}/posts {body, quote_of?} */
static enum err api_post_create(struct request *req, struct response *resp)
{
	const struct talk_env *te;
	struct talk_posted p;
	struct talk_topic t;
	struct talk_space s;
	struct talk_api_in b;
	json_t *errors;
	enum err e;

	if ((e = api_none(req)) != ERR_OK || (e = db_begin(req->db)) != ERR_OK ||
	    (e = topic_for(req, id_param(req), &t, &s)) != ERR_OK ||
	    (e = body_read(req, TALK_API_POST, &b)) != ERR_OK)
		return e;
	if (!(te = talk_env_of(req)) || !(errors = json_array()))
		return ERR_NOMEM;
	memset(&p, 0, sizeof(p));
	e = talk_post_create(te, req->db, t.id, req->actor, b.text[0], b.id[1], req->now, errors, &p);
	if (e)
		return write_refused(req, e, errors);
	json_decref(errors);
	if (!p.topic_id)
		p.topic_id = t.id;
	return posted(req, resp, &p, false);
}

/* "crisis, unkind, ..." : the reasons people may choose. */
static const char *reason_codes(struct arena *a)
{
	const char *s = "";

	for (int r = TALK_R_CRISIS; s && r <= TALK_R_OTHER; r++)
		s = arena_printf(a, "%s%s%s", s, r == TALK_R_CRISIS ? "" : r == TALK_R_OTHER ? " or " : ", ",
				 talk_reason_code((enum talk_reason)r));
	return s;
}

/* POST /api/v1/posts/{id}/flags {reason, note?} */
static enum err api_flag(struct request *req, struct response *resp)
{
	const struct talk_env *te = talk_env_of(req);
	enum talk_reason r;
	struct talk_space s;
	struct talk_api_in b;
	json_t *post = NULL, *errors;
	int64_t space_id, flag = 0;
	enum err e;

	if (!te)
		return ERR_NOMEM;
	if ((e = api_none(req)) != ERR_OK || (e = db_begin(req->db)) != ERR_OK)
		return e;
	e = talk_post_get(req->db, &req->arena, req->actor, id_param(req), req->now, talk_edit_minutes(te), &post);
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no post with that id that you may see.");
	if (e)
		return e;
	space_id = (int64_t)json_integer_value(json_object_get(post, "space_id"));
	json_decref(post);
	if ((e = space_for(req, space_id, &s)) != ERR_OK ||
	    (e = body_read(req, TALK_API_FLAG, &b)) != ERR_OK)
		return e;
	if (!b.text[0] || !talk_reason_parse(b.text[0], &r) || r > TALK_R_OTHER) {
		if (!(errors = json_array()))
			return ERR_NOMEM;
		err_add(errors, "reason", "Say why you are flagging this post: reason is one of %s.",
			reason_codes(&req->arena));
		return fail_with(req, ERR_INVALID, NULL, errors);
	}
	if (!(errors = json_array()))
		return ERR_NOMEM;
	e = talk_flag_post(te, req->db, id_param(req), req->actor, b.text[0], b.text[1], req->now, errors, &flag);
	switch (e) {
	case ERR_OK:
		break;
	case ERR_CONFLICT:
		json_decref(errors);
		return req_fail(req, e, "You have already flagged this post for that reason. Thank you: a "
				"moderator will look at it.");
	case ERR_NOT_FOUND:
		json_decref(errors);
		return req_fail(req, e, "There is no post with that id that you may see.");
	case ERR_INVALID:
	case ERR_FORBIDDEN:
		return fail_with(req, e, "You cannot flag this post.", errors);
	default:
		json_decref(errors);
		return e;
	}
	json_decref(errors);
	if ((e = db_commit(req->db)) != ERR_OK)
		return e;
	return view_json(req, resp, 201, json_pack("{s:I}", "id", (json_int_t)flag));
}

static const struct route routes[] = {
	{ M_GET,  "/api/v1/spaces", api_spaces, &act_talk_read, 0, "talk_api.spaces" },
	{ M_GET,  "/api/v1/spaces/{id:int}/topics", api_topics, &act_talk_read, 0, "talk_api.topics" },
	{ M_POST, "/api/v1/spaces/{id:int}/topics", api_topic_create, &act_talk_read, RF_JSON, "talk_api.topics" },
	{ M_GET,  "/api/v1/topics/{id:int}", api_topic, &act_talk_read, 0, "talk_api.topic" },
	{ M_POST, "/api/v1/topics/{id:int}/posts", api_post_create, &act_talk_read, RF_JSON, "talk_api.posts" },
	{ M_POST, "/api/v1/posts/{id:int}/flags", api_flag, &act_talk_read, RF_JSON, "talk_api.flags" },
};

/* The routes name talk's own actions, which app_init requires a feature
 * to list (app.c, action_owned), as group_events_api_feature lists
 * group_actions; the rows themselves are talk_policy.c's. */
const struct feature talk_api_feature = {
	.name = "talk_api",
	.routes = routes,
	.nroutes = ARRAY_LEN(routes),
	.actions = talk_actions,
};
