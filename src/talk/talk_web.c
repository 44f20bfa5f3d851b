/*
 * talk_web.c - the conversations pages people use (talk.h): the list of
 * spaces, a space's topics and its search, starting a topic, a topic's
 * posts with "me too", "thank you", quoting, reporting, editing and the
 * reply box, following, notices, messages to the moderators and the
 * display name; and the feature's settings, job and data hooks.
 *
 * Every page needs someone signed in. A space is read through
 * talk_space_load, which says how the actor stands to it; the policy
 * (talk_policy.c) then decides. A group's space refuses a non-member with
 * a page that says how to join. Ids only ever go in addresses: never a
 * post's words, a display name or a condition (a search's words are the
 * searcher's own).
 *
 * Safety shows here: a post the crisis classifier signposted shows its
 * writer, on the page and at once, where to get help now
 * (talk/help.html), and after posting the page opens with it too; a held
 * post tells its writer it is waiting; a hidden one tells its writer a
 * moderator hid it, with the moderator's note.
 */
#include "core/common.h"
#include "talk/talk_int.h"

#include "app/app.h"
#include "app/config.h"
#include "app/features.h"
#include "core/limits.h"
#include "core/str.h"
#include "core/uktime.h"
#include "store/store.h"
#include "talk/talk_feature.h"
#include "talk/talk_policy.h"
#include "talk/talk_web.h"
#include "talk/topic_cache_web.h"
#include "view/tmpl.h"
#include "view/escape.h"
#include "web/errors.h"
#include "web/form.h"
#include "web/url.h"
#include "web/view.h"

#include <stdio.h>
#include <stdlib.h>

#define FORM (RF_FORM | RF_CSRF)
#define TOPICS_PER_PAGE 20
#define SEARCH_PER_PAGE 20
#define MODMAIL_MAX 4000          /* bytes of a message to the moderators (talk_modmail_send) */
#define PAGES_SCANNED 200         /* pages looked through for a post's page */

/* ---------------------------------------------------------------- shared */

struct talk_env talk_env_of_app(struct app *app)
{
	return (struct talk_env){
		.settings = app->cfg ? SETTINGS_OF(app->cfg, struct talk_settings, talk_settings) : NULL,
		.mailer = &app->mailer, .links = &app->links,
	};
}

const struct talk_env *talk_env_of(struct request *req)
{
	struct talk_env *env = arena_zalloc(&req->arena, sizeof(*env));

	if (env)
		*env = talk_env_of_app(req->app);
	return env;
}

const char *talk_web_when(struct request *req, int64_t t)
{
	char day[UK_FORMAT_MAX], at[UK_FORMAT_MAX];

	if (t <= 0)
		return "";
	uk_format_date(t, day, sizeof(day));
	uk_format_time(t, at, sizeof(at));
	return arena_printf(&req->arena, "%s at %s", day, at);
}

enum err talk_web_form_page(struct request *req, struct response *resp, int status, const char *tmpl,
		const char *title, json_t *data, json_t *errors, const struct done_word *words, size_t nwords)
{
	if (!data) {
		json_decref(errors);
		return ERR_NOMEM;
	}
	web_set_errors(data, errors);
	web_done(req, data, words, nwords, NULL);
	return web_page(req, resp, status, tmpl, title, data);
}

const char *talk_web_num(struct request *req, int64_t v)
{
	const char *s = arena_printf(&req->arena, "%lld", (long long)v);

	return s ? s : "0";
}

int64_t talk_jint(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

const char *talk_jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

bool talk_jtrue(const json_t *o, const char *k)
{
	return json_is_true(json_object_get(o, k));
}

const char *talk_first_detail(const json_t *errors, const char *fallback)
{
	const char *d = json_string_value(json_object_get(json_array_get(errors, 0), "detail"));

	return d && *d ? d : fallback;
}

json_t *talk_web_lines(const char *text)
{
	json_t *out = json_array();
	const char *p = text;

	while (out && p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n && p[n - 1] == '\r')
			n--;
		json_array_append_new(out, json_pack("{s:s%, s:b}", "text", p, n, "br", nl && nl[1]));
		p = nl ? nl + 1 : NULL;
	}
	return out;
}

int talk_web_page(struct request *req)
{
	const char *s = req_query(req, "page");
	int64_t page = 1;

	if (s && !str_to_i64(str_c(s), 1, 100000, &page))
		page = 1;
	return (int)page;
}

int64_t talk_web_id(const struct request *req, const char *name)
{
	const struct param *p = req_param(req, name);

	return p ? p->i : 0;
}

void talk_web_add_when(struct request *req, json_t *arr, const char *at)
{
	size_t i;
	json_t *o;

	if (json_is_object(arr)) {
		json_object_set_new(arr, "when", json_string(talk_web_when(req,
			json_integer_value(json_object_get(arr, at)))));
		return;
	}
	json_array_foreach(arr, i, o)
		talk_web_add_when(req, o, at);
}

static const char *param(struct request *req, const char *name)
{
	const struct param *p = req_param(req, name);

	return p ? p->val : NULL;
}


/* ---------------------------------------------------------------- spaces, topics, posts as the actor may see them */

static const char *const refused_group =
	"This space is for members of the group. Join the group to read it.";
static const char *const refused_unverified =
	"Confirm your email address to read and write in conversations. Use the link we emailed you, or ask "
	"for a new one on your account page.";

static bool readable(struct request *req, const struct talk_space *s)
{
	return policy_can(req->actor, &act_talk_read, s);
}

/* The refusal of a space the actor may not read, in words (for a POST). */
static enum err refuse(struct request *req, const struct talk_space *s)
{
	if (s->kind == TALK_GROUP)
		return req_fail(req, ERR_FORBIDDEN, refused_group);
	return req_fail(req, ERR_FORBIDDEN, req->actor->verified ? "You cannot read this space." :
			refused_unverified);
}

/* The same as a page (for a GET): a group's space says how to join. */
static enum err refused_page(struct request *req, struct response *resp, const struct talk_space *s)
{
	json_t *data;

	if (s->kind != TALK_GROUP)
		return refuse(req, s);
	data = json_pack("{s:s, s:s, s:s, s:s}", "words", refused_group, "name", s->name ? s->name : "",
			 "group_href", web_url(req, "groups.show", s->service_id, NULL),
			 "index_href", web_url(req, "talk.index", NULL));
	if (!data)
		return ERR_NOMEM;
	return web_page(req, resp, 403, "talk/refused.html", "This space is for the group's members", data);
}

static enum err space_by_slug(struct request *req, struct talk_space *s)
{
	enum err e = talk_space_load(req->db, &req->arena, req->actor, param(req, "slug"), s);

	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no space here. It may have closed: see all the spaces on the "
				"Conversations page.");
	return e;
}

/* The topic of id and its space, and (p, own: may be NULL) the actor's
 * profile and whether they have anything of their own in it: one
 * statement (talk_topic_open). A hidden topic is there only for the
 * space's moderators. The caller asks whether the actor may read it. */
static enum err topic_and_space(struct request *req, int64_t id, struct talk_topic *t, struct talk_space *s,
		struct talk_profile *p, bool *own)
{
	const struct talk_env *env = talk_env_of(req);
	struct talk_topic_view v;
	enum err e = env ? talk_topic_open(env, req->db, &req->arena, req->actor, id, req->now, &v) : ERR_NOMEM;

	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no topic here. It may have been removed.");
	if (e)
		return e;
	*t = v.t;
	*s = v.s;
	if (p)
		*p = v.p;
	if (own)
		*own = v.own;
	return ERR_OK;
}

/* The post of the path's {id} as the actor sees it (talk_post_get) and
 * its space. ERR_NOT_FOUND, in words, for a post the actor may not see. */
static enum err post_and_space(struct request *req, json_t **post, struct talk_space *s)
{
	static const char *const gone = "There is no post here. It may have been removed.";
	const struct talk_env *env = talk_env_of(req);
	enum err e;

	*post = NULL;
	if (!env)
		return ERR_NOMEM;
	e = talk_post_get(req->db, &req->arena, req->actor, talk_web_id(req, "id"), req->now,
			  talk_edit_minutes(env), post);
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, gone);
	if (e)
		return e;
	e = talk_space_load_id(req->db, &req->arena, req->actor, talk_jint(*post, "space_id"), s);
	if (e == ERR_NOT_FOUND)
		e = req_fail(req, e, gone);
	if (e) {
		json_decref(*post);
		*post = NULL;
	}
	return e;
}

/* Which page of its topic post_id is on for the actor (1 when it is on
 * none): the last page first, where a new post is. */
static int page_of_post(struct request *req, int64_t topic_id, int64_t post_id)
{
	const struct talk_env *env = talk_env_of(req);
	struct talk_topic t;
	struct talk_space s;
	json_t *o = NULL;
	int pages, found = 0;

	if (!env || talk_topic_load(req->db, &req->arena, req->actor, topic_id, true, &t) != ERR_OK ||
	    talk_space_load_id(req->db, &req->arena, req->actor, t.space_id, &s) != ERR_OK)
		return 1;
	for (int page = 1, tries = 0; !found && page >= 1 && tries < PAGES_SCANNED; tries++) {
		size_t i;
		json_t *p;

		if (talk_posts(req->db, &req->arena, &t, req->actor, s.moderator, page, talk_per_page(env), req->now,
			       talk_edit_minutes(env), &o) != ERR_OK)
			break;
		json_array_foreach(json_object_get(o, "posts"), i, p)
			if (talk_jint(p, "id") == post_id)
				found = page;
		pages = (int)talk_jint(o, "pages");
		json_decref(o);
		o = NULL;
		/* 1, then pages, pages - 1, ... 2 */
		page = page == 1 ? (pages > 1 ? pages : 0) : page - 1;
		if (page == 1)
			break;
	}
	return found ? found : 1;
}

/* /talk/topics/T?page=N&extra#post-P (no page when it is the first). */
static const char *post_href(struct request *req, int64_t topic_id, int64_t post_id, const char *extra)
{
	int page = page_of_post(req, topic_id, post_id);
	const char *topic = web_url(req, "talk.topic", talk_web_num(req, topic_id), NULL);
	const char *q = page > 1 ? arena_printf(&req->arena, "?page=%d%s%s", page, extra ? "&" : "",
						extra ? extra : "") :
			extra ? arena_printf(&req->arena, "?%s", extra) : "";
	const char *href = arena_printf(&req->arena, "%s%s#post-%lld", topic, q ? q : "", (long long)post_id);

	return href ? href : topic;
}

static const char *kind_words(const char *kind)
{
	if (strcmp(kind, "condition") == 0)
		return "Living with a condition";
	if (strcmp(kind, "carers") == 0)
		return "For carers";
	if (strcmp(kind, "group") == 0)
		return "Your groups";
	return "For everyone";
}

/* Does the person follow the space (talk_following has the list)? */
static const struct sql q_follows_space = { "talk.web.follows_space",
	"SELECT count(*) FROM talk_follow WHERE person_id = $1 AND space_id = $2", NULL };

static bool follows_space(struct request *req, int64_t space_id)
{
	struct db_res *r;
	bool on = false;

	if (db_query_one(req->db, &q_follows_space, DB_ARGS(DB_INT(req->actor->id), DB_INT(space_id)), &r) ==
	    ERR_OK) {
		on = db_int(r, 0) > 0;
		db_res_free(r);
	}
	return on;
}

/* Why the actor may not write now, in words, or NULL (the domain checks
 * again when they post). */
static const char *cannot_write(struct request *req, const struct talk_profile *p, const struct talk_space *s,
		const struct talk_topic *t)
{
	if (!s->open)
		return "This space is closed. You can read it, but nobody can write in it now.";
	if (t && t->locked)
		return "This topic is closed to new replies.";
	if (p->suspended)
		return "Your account cannot write in conversations just now. Write to the moderators to talk about it.";
	if (p->muted_until > req->now)
		return arena_printf(&req->arena, "A moderator has paused your posting until %s.",
				    talk_web_when(req, p->muted_until));
	return NULL;
}

/* What the page says about writing, from the actor's profile (known, or
 * NULL to read it): can_write, cannot_write (words), needs_name (with the
 * link to choose one). */
static void writing_facts(struct request *req, const struct talk_space *s, const struct talk_topic *t,
		const struct talk_profile *known, json_t *data)
{
	const struct talk_env *env = talk_env_of(req);
	struct talk_profile p;
	const char *why;

	if (known)
		p = *known;
	else if (!env || talk_profile_get(env, req->db, req->actor->id, req->now, &p) != ERR_OK) {
		json_object_set_new(data, "can_write", json_false());
		return;
	}
	why = cannot_write(req, &p, s, t);
	json_object_set_new(data, "cannot_write", why ? json_string(why) : json_null());
	json_object_set_new(data, "needs_name", json_boolean(!why && !p.display_name[0]));
	json_object_set_new(data, "can_write", json_boolean(!why && p.display_name[0]));
	json_object_set_new(data, "profile_href", json_string(web_url(req, "talk.profile", NULL)));
	if (p.display_name[0])
		json_object_set_new(data, "my_name", json_string(p.display_name));
}

/* ---------------------------------------------------------------- the list of spaces */

static enum err index_get(struct request *req, struct response *resp)
{
	static const struct done_word words[] = {
		{ "profile", true, "Your conversations settings are saved." },
	};
	static const char *const kinds[] = { "condition", "carers", "general", "group" };
	const struct talk_env *env = talk_env_of(req);
	struct talk_profile p;
	json_t *spaces = NULL, *following = NULL, *notices = NULL, *sections, *data, *sp;
	size_t i;
	enum err e;

	if (!env)
		return ERR_NOMEM;
	if ((e = talk_profile_get(env, req->db, req->actor->id, req->now, &p)) ||
	    (e = talk_spaces(req->db, req->actor, &spaces)) ||
	    (e = talk_following(req->db, req->actor->id, &following)) ||
	    (e = talk_notices(req->db, req->actor->id, false, req->now, &notices))) {
		json_decref(spaces);
		json_decref(following);
		return e;
	}
	sections = json_array();
	for (size_t k = 0; sections && k < ARRAY_LEN(kinds); k++) {
		json_t *list = json_array();

		json_array_foreach(spaces, i, sp) {
			if (strcmp(talk_jstr(sp, "kind"), kinds[k]) != 0)
				continue;
			json_object_set_new(sp, "href", json_string(web_url(req, "talk.space", talk_jstr(sp, "slug"), NULL)));
			json_object_set_new(sp, "one_topic", json_boolean(talk_jint(sp, "topics") == 1));
			if (talk_jint(sp, "last_post_at"))
				json_object_set_new(sp, "last_words", json_string(talk_web_when(req, talk_jint(sp, "last_post_at"))));
			json_array_append(list, sp);
		}
		if (json_array_size(list))
			json_array_append_new(sections, json_pack("{s:s, s:o}", "heading", kind_words(kinds[k]),
								  "spaces", list));
		else
			json_decref(list);
	}
	json_array_foreach(json_object_get(following, "spaces"), i, sp)
		json_object_set_new(sp, "href", json_string(web_url(req, "talk.space", talk_jstr(sp, "slug"), NULL)));
	json_array_foreach(json_object_get(following, "topics"), i, sp)
		json_object_set_new(sp, "href", json_string(web_url(req, "talk.topic", talk_web_num(req, talk_jint(sp, "id")), NULL)));
	data = json_pack("{s:o, s:b, s:o, s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:b}",
			 "sections", sections, "any_spaces", json_array_size(spaces) > 0,
			 "following", following, "unread", (json_int_t)talk_jint(notices, "unread"),
			 "notices_href", web_url(req, "talk.notices", NULL),
			 "following_href", web_url(req, "talk.following", NULL),
			 "messages_href", web_url(req, "talk.messages", NULL),
			 "profile_href", web_url(req, "talk.profile", NULL),
			 "queue_href", web_url(req, "talk.queue", NULL),
			 "moderator", talk_moderates_any(req->db, req->actor),
			 "admin", policy_can(req->actor, &act_talk_admin, NULL));
	json_decref(spaces);
	json_decref(notices);
	if (!data)
		return ERR_NOMEM;
	json_object_set_new(data, "any_following",
		json_boolean(json_array_size(json_object_get(following, "spaces")) +
			     json_array_size(json_object_get(following, "topics")) > 0));
	if (p.display_name[0])
		json_object_set_new(data, "my_name", json_string(p.display_name));
	json_object_set_new(data, "spaces_admin_href", json_string(web_url(req, "talk.spaces_admin", NULL)));
	json_object_set_new(data, "words_href", json_string(web_url(req, "talk.words", NULL)));
	web_done(req, data, words, ARRAY_LEN(words), NULL);
	return web_page(req, resp, 200, "talk/index.html", "Conversations", data);
}

/* ---------------------------------------------------------------- display name and emails */

static const struct field_choice notify_choices[] = {
	{ "instant", "Straight away: an email when there are new replies" },
	{ "daily", "Once a day: one email with everything new" },
	{ "off", "Never: I will look for myself" },
};

static const struct field_def profile_fields[] = {
	{ .name = "display_name", .label = "Your display name", .autocomplete = "nickname", .nospell = true,
	  .width = "govuk-input--width-20", .kind = FIELD_TEXT, .required = true, .max = TALK_NAME_MAX,
	  .missing = "Enter a display name", .check = field_domain_judges,
	  .hint = "3 to 30 letters or numbers. Not your email address or phone number. You can use your first "
		  "name, or make one up, like Walker22" },
	{ .name = "notify", .label = "When there are new replies in topics or spaces you follow",
	  .kind = FIELD_ONE_OF, .required = true, .choices = notify_choices, .nchoices = ARRAY_LEN(notify_choices),
	  .missing = "Choose when we should email you about new replies",
	  .hint = "The email only says there is something new. It never has what people wrote, in case someone "
		  "else reads your email" },
};

static enum err profile_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	const struct talk_env *env = talk_env_of(req);
	struct talk_profile p;
	json_t *data;
	enum err e = env ? talk_profile_get(env, req->db, req->actor->id, req->now, &p) : ERR_NOMEM;

	UNUSED(ctx);
	if (e) {
		json_decref(values);
		json_decref(errors);
		return e;
	}
	if (!values)
		values = json_pack("{s:s, s:s}", "display_name", p.display_name, "notify", p.notify[0] ? p.notify : "daily");
	data = json_pack("{s:o, s:b, s:s}", "form",
			 web_form_full(web_url(req, "talk.profile", NULL), "Save", false, profile_fields,
				       ARRAY_LEN(profile_fields), values, errors),
			 "has_name", p.display_name[0] != 0, "back_href", web_url(req, "talk.index", NULL));
	json_decref(values);
	return talk_web_form_page(req, resp, status, "talk/profile.html", "Your name in conversations", data, errors, NULL, 0);
}

static enum err profile_get(struct request *req, struct response *resp)
{
	return profile_page(req, resp, 200, NULL, NULL, NULL);
}

static enum err profile_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	enum err e;

	UNUSED(resp);
	UNUSED(ctx);
	e = talk_profile_set(req->db, req->actor->id, web_bound(b, "display_name")->text,
			     notify_choices[web_bound(b, "notify")->choice].value, req->now, errors);
	if (e == ERR_CONFLICT || e == ERR_INVALID) {
		if (!json_array_size(errors))
			web_error(errors, "display_name", "Choose another display name: someone already has that one");
		return ERR_INVALID;
	}
	return e;
}

static const struct form_post profile_form = { .fields = profile_fields, .nfields = ARRAY_LEN(profile_fields),
	.act = profile_act, .page = profile_page, .done_route = "talk.index", .done_word = "profile" };

static enum err profile_post(struct request *req, struct response *resp)
{
	return web_form_post(req, resp, &profile_form, NULL);
}

/* ---------------------------------------------------------------- a space */

static enum err space_get(struct request *req, struct response *resp)
{
	static const struct done_word words[] = {
		{ "followed", true, "You are following this space. We will tell you when there are new topics and replies." },
		{ "unfollowed", true, "You are no longer following this space." },
	};
	struct talk_space s;
	json_t *o = NULL, *data, *topic;
	size_t i;
	int page = talk_web_page(req);
	enum err e = space_by_slug(req, &s);

	if (e)
		return e;
	if (!readable(req, &s))
		return refused_page(req, resp, &s);
	if ((e = talk_topics(req->db, &s, page, TOPICS_PER_PAGE, &o)) != ERR_OK)
		return e;
	json_array_foreach(json_object_get(o, "topics"), i, topic) {
		json_object_set_new(topic, "href", json_string(web_url(req, "talk.topic", talk_web_num(req, talk_jint(topic, "id")), NULL)));
		json_object_set_new(topic, "last_words", json_string(talk_web_when(req, talk_jint(topic, "last_post_at"))));
		json_object_set_new(topic, "one_reply", json_boolean(talk_jint(topic, "replies") == 1));
	}
	data = json_pack("{s:s, s:s, s:O, s:b, s:b, s:b, s:s, s:s, s:s, s:s}",
			 "name", s.name ? s.name : "", "about", s.about ? s.about : "",
			 "topics", json_object_get(o, "topics") ? json_object_get(o, "topics") : json_null(),
			 "any_topics", json_array_size(json_object_get(o, "topics")) > 0,
			 "following", follows_space(req, s.id), "open", s.open,
			 "follow_action", web_url(req, "talk.follow_space", s.slug, NULL),
			 "search_action", web_url(req, "talk.search", s.slug, NULL),
			 "new_topic_href", web_url(req, "talk.new_topic", s.slug, NULL),
			 "index_href", web_url(req, "talk.index", NULL));
	if (!data) {
		json_decref(o);
		return ERR_NOMEM;
	}
	if (s.moderator)
		json_object_set_new(data, "queue_href", json_string(web_url(req, "talk.queue", NULL)));
	writing_facts(req, &s, NULL, NULL, data);
	view_paging(&req->arena, data, arena_printf(&req->arena, "%s?", web_url(req, "talk.space", s.slug, NULL)),
		    page, TOPICS_PER_PAGE, talk_jint(o, "total"), json_array_size(json_object_get(o, "topics")));
	json_decref(o);
	web_done(req, data, words, ARRAY_LEN(words), NULL);
	return web_page(req, resp, 200, "talk/space.html", s.name ? s.name : "A space", data);
}

/* /talk/spaces/S/search?q=...& for view_paging, q encoded. */
static const char *search_base(struct request *req, const char *slug, const char *q)
{
	struct buf b;
	const char *out = NULL;

	buf_init(&b, LIMIT_URL_BYTES);
	buf_adds(&b, web_url(req, "talk.search", slug, NULL));
	buf_adds(&b, "?q=");
	esc_url_component(&b, q, strlen(q));
	buf_addc(&b, '&');
	if (buf_ok(&b))
		out = arena_strdup(&req->arena, b.p);
	buf_release(&b);
	return out ? out : "?";
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static enum err search_get(struct request *req, struct response *resp)
{
	struct talk_space s;
	const char *raw = req_query(req, "q");
	struct str qs = str_trim(str_c(raw ? raw : ""));
	const char *q = arena_strndup(&req->arena, qs.p, qs.n);
	json_t *o = NULL, *data, *errors = json_array(), *res;
	size_t i;
	int page = talk_web_page(req);
	enum err e = space_by_slug(req, &s);

	if (e || !q || !errors) {
		json_decref(errors);
		return e ? e : ERR_NOMEM;
	}
	if (!readable(req, &s)) {
		json_decref(errors);
		return refused_page(req, resp, &s);
	}
	if (raw && !*q)
		web_error(errors, "q", "Enter a word or words to search for");
	else if (utf8_chars(q) > TALK_SEARCH_MAX)
		web_error(errors, "q", "Search for 100 characters or fewer");
	if (*q && !json_array_size(errors) && (e = talk_search(req->db, &req->arena, &s, q, page, SEARCH_PER_PAGE, &o))) {
		json_decref(errors);
		return e;
	}
	json_array_foreach(json_object_get(o, "results"), i, res) {
		json_object_set_new(res, "href", json_string(web_url(req, "talk.post", talk_web_num(req, talk_jint(res, "post_id")), NULL)));
		json_object_set_new(res, "when", json_string(talk_web_when(req, talk_jint(res, "created_at"))));
	}
	data = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:O?, s:s}",
			 "name", s.name ? s.name : "", "q", q, "action", web_url(req, "talk.search", s.slug, NULL),
			 "space_href", web_url(req, "talk.space", s.slug, NULL),
			 "searched", o != NULL, "any", json_array_size(json_object_get(o, "results")) > 0,
			 "results", json_object_get(o, "results"),
			 "error", web_error_for(errors, "q") ? web_error_for(errors, "q") : "");
	if (!data) {
		json_decref(o);
		json_decref(errors);
		return ERR_NOMEM;
	}
	json_object_set_new(data, "total", json_integer(talk_jint(o, "total")));
	if (o)
		view_paging(&req->arena, data, search_base(req, s.slug, q), page, SEARCH_PER_PAGE, talk_jint(o, "total"),
			    json_array_size(json_object_get(o, "results")));
	json_decref(o);
	web_set_errors(data, errors);
	return web_page(req, resp, json_array_size(json_object_get(data, "errors")) ? 422 : 200, "talk/search.html",
			*q ? "Search results" : "Search", data);
}

/* Following a space, or a topic: one button, on or off. */
static const struct field_choice on_off[] = { { "1", "On" }, { "0", "Off" } };

static const struct field_def follow_fields[] = {
	{ .name = "on", .label = "Follow", .kind = FIELD_ONE_OF, .required = true, .choices = on_off, .nchoices = 2,
	  .missing = "Choose whether to follow" },
};

struct follow_ctx {
	struct talk_space s;
	struct talk_topic t;
	bool topic, on;
};

static enum err follow_before(struct request *req, const struct bound *b, json_t *errors, void *ctx)
{
	struct follow_ctx *f = ctx;
	enum err e = f->topic ? topic_and_space(req, talk_web_id(req, "id"), &f->t, &f->s, NULL, NULL) : space_by_slug(req, &f->s);

	UNUSED(b);
	UNUSED(errors);
	if (e)
		return e;
	return readable(req, &f->s) ? ERR_OK : refuse(req, &f->s);
}

static enum err follow_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct follow_ctx *f = ctx;

	UNUSED(resp);
	UNUSED(errors);
	f->on = web_bound(b, "on")->choice == 0;
	return talk_follow(req->db, req->actor->id, f->topic ? 0 : f->s.id, f->topic ? f->t.id : 0, f->on, req->now);
}

static const char *follow_done(struct request *req, void *ctx)
{
	const struct follow_ctx *f = ctx;
	const char *to = f->topic ? web_url(req, "talk.topic", talk_web_num(req, f->t.id), NULL) :
			 web_url(req, "talk.space", f->s.slug, NULL);

	return arena_printf(&req->arena, "%s?done=%s", to, f->on ? "followed" : "unfollowed");
}

static const struct form_post follow_form = { .fields = follow_fields, .nfields = ARRAY_LEN(follow_fields),
	.before = follow_before, .act = follow_act, .done = follow_done, .check_all = true };

static enum err follow_space_post(struct request *req, struct response *resp)
{
	struct follow_ctx f;

	memset(&f, 0, sizeof(f));
	return web_form_post(req, resp, &follow_form, &f);
}

static enum err follow_topic_post(struct request *req, struct response *resp)
{
	struct follow_ctx f;

	memset(&f, 0, sizeof(f));
	f.topic = true;
	return web_form_post(req, resp, &follow_form, &f);
}

/* ---------------------------------------------------------------- writing: a topic, a reply, an edit */

static const char *const body_hint =
	"Write as you would to a friend. Leave an empty line between paragraphs. Do not put anyone's address, "
	"phone number or email here";

static const struct field_def topic_fields[] = {
	{ .name = "title", .label = "Title", .kind = FIELD_TEXT, .required = true, .max = TALK_TITLE_MAX,
	  .missing = "Enter a title for your topic", .check = field_domain_judges,
	  .hint = "A few words about what you would like to talk about. For example: Getting out in the cold weather" },
	{ .name = "body", .label = "What you would like to say", .rows = 8, .kind = FIELD_TEXT, .required = true,
	  .max = TALK_BODY_MAX, .missing = "Enter what you would like to say", .check = field_domain_judges,
	  .hint = body_hint },
};

/* The reply box, and the post it quotes (a hidden field). */
static const struct field_def reply_fields[] = {
	{ .name = "body", .label = "Your reply", .rows = 6, .kind = FIELD_TEXT, .required = true,
	  .max = TALK_BODY_MAX, .missing = "Enter your reply", .check = field_domain_judges, .hint = body_hint },
	{ .name = "quote", .label = "Quoting", .kind = FIELD_TEXT, .max = 20, .check = field_domain_judges },
};

static const struct field_def edit_fields[] = {
	{ .name = "body", .label = "Your post", .rows = 8, .kind = FIELD_TEXT, .required = true,
	  .max = TALK_BODY_MAX, .missing = "Enter your post", .check = field_domain_judges,
	  .hint = "Moderators can see what your post said before you changed it" },
};

/* What writing something comes to: the domain's ERR_FORBIDDEN (muted,
 * the day's posts used, no display name) is shown on the form, with what
 * was typed kept, as a 403. */
struct write_ctx {
	struct talk_space s;
	struct talk_topic t;
	struct talk_profile p;        /* the actor's, as the topic was loaded */
	bool own;                     /* the actor has something of their own in the topic */
	json_t *post;                 /* talk.edit: the post (owned) */
	struct talk_posted posted;
	bool loaded, forbidden;
};

static enum err written(struct request *req, struct write_ctx *w, enum err e, json_t *errors, const char *field)
{
	if (e == ERR_FORBIDDEN) {
		w->forbidden = true;
		if (!json_array_size(errors))
			web_error(errors, field, "You cannot write here just now.");
		return ERR_INVALID;
	}
	if (e == ERR_INVALID && !json_array_size(errors))
		web_error(errors, field, "Check what you wrote and try again");
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no topic here. It may have been removed.");
	return e;
}

static int write_status(const struct write_ctx *w, int status)
{
	return status == 422 && w->forbidden ? 403 : status;
}

/* ---- a new topic */

static enum err new_topic_load(struct request *req, struct write_ctx *w)
{
	enum err e;

	if (w->loaded)
		return ERR_OK;
	if ((e = space_by_slug(req, &w->s)) != ERR_OK)
		return e;
	w->loaded = true;
	return ERR_OK;
}

static enum err new_topic_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	struct write_ctx *w = ctx;
	json_t *data;
	enum err e = new_topic_load(req, w);

	if (e || !readable(req, &w->s)) {
		json_decref(values);
		json_decref(errors);
		return e ? e : refused_page(req, resp, &w->s);
	}
	data = json_pack("{s:o, s:s, s:s}", "form",
			 web_form_full(web_url(req, "talk.new_topic", w->s.slug, NULL), "Post your topic", false,
				       topic_fields, ARRAY_LEN(topic_fields), values, errors),
			 "name", w->s.name ? w->s.name : "", "back_href", web_url(req, "talk.space", w->s.slug, NULL));
	json_decref(values);
	if (!data) {
		json_decref(errors);
		return ERR_NOMEM;
	}
	writing_facts(req, &w->s, NULL, NULL, data);
	web_set_errors(data, errors);
	return web_page(req, resp, write_status(w, status), "talk/new_topic.html", "Start a topic", data);
}

static enum err new_topic_get(struct request *req, struct response *resp)
{
	struct write_ctx w;

	memset(&w, 0, sizeof(w));
	return new_topic_page(req, resp, 200, NULL, NULL, &w);
}

/* A write's check before its form is read: what it writes in was
 * loaded (e) and the actor may read the space, else refused in words. */
static enum err write_allowed(struct request *req, struct write_ctx *w, enum err e)
{
	if (e)
		return e;
	return readable(req, &w->s) ? ERR_OK : refuse(req, &w->s);
}

static enum err new_topic_before(struct request *req, const struct bound *b, json_t *errors, void *ctx)
{
	UNUSED(b);
	UNUSED(errors);
	return write_allowed(req, ctx, new_topic_load(req, ctx));
}

static enum err new_topic_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct write_ctx *w = ctx;
	const struct talk_env *env = talk_env_of(req);
	enum err e;

	UNUSED(resp);
	if (!env)
		return ERR_NOMEM;
	e = talk_topic_create(env, req->db, &w->s, req->actor, web_bound(b, "title")->text,
			      web_bound(b, "body")->text, req->now, errors, &w->posted);
	return written(req, w, e, errors, "body");
}

/* The topic's page, at the new post; but a post that reads as someone at
 * risk opens the page at its top, where the help panel is (the first
 * thing seen and read), so the help never waits below a long post. */
static const char *posted_done(struct request *req, void *ctx)
{
	const struct write_ctx *w = ctx;
	const char *href = post_href(req, w->posted.topic_id, w->posted.id,
				     arena_printf(&req->arena, "posted=%lld", (long long)w->posted.id));
	const char *hash = w->posted.signposted ? strchr(href, '#') : NULL;
	const char *top = hash ? arena_strndup(&req->arena, href, (size_t)(hash - href)) : NULL;

	return top ? top : href;
}

static const struct form_post new_topic_form = { .fields = topic_fields, .nfields = ARRAY_LEN(topic_fields),
	.before = new_topic_before, .act = new_topic_act, .page = new_topic_page, .done = posted_done,
	.check_all = true };

static enum err new_topic_post(struct request *req, struct response *resp)
{
	struct write_ctx w;

	memset(&w, 0, sizeof(w));
	return web_form_post(req, resp, &new_topic_form, &w);
}

/* ---- a topic's page */

/* What the page adds to each post of talk_posts for the actor. */
static void decorate_post(struct request *req, json_t *p, const struct talk_topic *t, const struct talk_space *s,
		bool can_write, int page)
{
	int64_t id = talk_jint(p, "id");
	const char *sid = talk_web_num(req, id), *state = talk_jstr(p, "state");
	bool mine = talk_jtrue(p, "mine");
	/* A post its writer's erasure emptied is only a place in the topic. */
	bool visible = strcmp(state, "visible") == 0 && !talk_jtrue(p, "removed");

	json_object_set_new(p, "anchor", json_string(arena_printf(&req->arena, "post-%lld", (long long)id)));
	json_object_set_new(p, "when", json_string(talk_web_when(req, talk_jint(p, "created_at"))));
	json_object_set_new(p, "held", json_boolean(strcmp(state, "held") == 0));
	json_object_set_new(p, "is_hidden", json_boolean(strcmp(state, "hidden") == 0));
	json_object_set_new(p, "help", json_boolean(mine && talk_jtrue(p, "signposted")));
	json_object_set_new(p, "help_id", json_string(arena_printf(&req->arena, "help-%lld", (long long)id)));
	json_object_set_new(p, "moderator_view", json_boolean(s->moderator && !mine));
	if (mine) {
		int64_t metoo = talk_jint(p, "metoo"), thanks = talk_jint(p, "thanks");
		const char *said = NULL;

		if (metoo && thanks)
			said = arena_printf(&req->arena, "%lld %s “me too” and %lld said “thank you” to your post.",
					    (long long)metoo, metoo == 1 ? "person said" : "people said", (long long)thanks);
		else if (metoo)
			said = arena_printf(&req->arena, "%lld %s “me too” to your post.", (long long)metoo,
					    metoo == 1 ? "person said" : "people said");
		else if (thanks)
			said = arena_printf(&req->arena, "%lld %s “thank you” for your post.", (long long)thanks,
					    thanks == 1 ? "person said" : "people said");
		json_object_set_new(p, "said", said ? json_string(said) : json_null());
	} else {
		json_object_set_new(p, "said", json_null());
	}
	if (visible && !mine) {
		json_object_set_new(p, "react_action", json_string(web_url(req, "talk.react", sid, NULL)));
		json_object_set_new(p, "metoo_on", json_string(talk_jtrue(p, "metoo_mine") ? "0" : "1"));
		json_object_set_new(p, "thanks_on", json_string(talk_jtrue(p, "thanks_mine") ? "0" : "1"));
		json_object_set_new(p, "flag_href", json_string(web_url(req, "talk.flag", sid, NULL)));
		json_object_set_new(p, "pm_href", json_string(web_url(req, "talk.pm", sid, NULL)));
	}
	if (visible && can_write) {
		const char *topic = web_url(req, "talk.topic", talk_web_num(req, t->id), NULL);
		json_object_set_new(p, "quote_href", json_string(page > 1 ?
			arena_printf(&req->arena, "%s?page=%d&quote=%lld#reply", topic, page, (long long)id) :
			arena_printf(&req->arena, "%s?quote=%lld#reply", topic, (long long)id)));
	}
	if (mine && talk_jtrue(p, "can_edit"))
		json_object_set_new(p, "edit_href", json_string(web_url(req, "talk.edit", sid, NULL)));
	if (s->moderator)
		json_object_set_new(p, "mod_href", json_string(web_url(req, "talk.mod_post", sid, NULL)));
	if (json_is_object(json_object_get(p, "quote")))
		json_object_set_new(json_object_get(p, "quote"), "href",
			json_string(web_url(req, "talk.post", talk_web_num(req, talk_jint(json_object_get(p, "quote"), "id")), NULL)));
}

/* The post ?quote= names, when it is one of this topic's the actor may
 * read: {id, by, html}. */
static json_t *quoting(struct request *req, const struct talk_topic *t, const char *q)
{
	const struct talk_env *env = talk_env_of(req);
	int64_t id = 0;
	json_t *p = NULL, *out = NULL;

	if (!env || !q || !str_to_i64(str_c(q), 1, INT64_C(1) << 53, &id) ||
	    talk_post_get(req->db, &req->arena, req->actor, id, req->now, talk_edit_minutes(env), &p) != ERR_OK)
		return NULL;
	if (talk_jint(p, "topic_id") == t->id && strcmp(talk_jstr(p, "state"), "visible") == 0)
		out = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "by", talk_jstr(p, "by"), "html", talk_jstr(p, "body_html"));
	json_decref(p);
	return out;
}

static enum err topic_load(struct request *req, struct write_ctx *w)
{
	enum err e;

	if (w->loaded)
		return ERR_OK;
	if ((e = topic_and_space(req, talk_web_id(req, "id"), &w->t, &w->s, &w->p, &w->own)) != ERR_OK)
		return e;
	w->loaded = true;
	return ERR_OK;
}

/* May this reader be given the kept posts of the page
 * (topic_cache_web.h)? Not a moderator (they see more), and nothing of
 * their own in the topic. */
static bool keepable(struct request *req, const struct write_ctx *w)
{
	return req->app->talk_cache && !w->s.moderator && req->actor && req->actor->id && !w->own;
}

/* The posts part of the page (talk/posts.html) appended to out, with
 * token in its forms. */
static enum err posts_render(struct request *req, json_t *posts, const char *token, struct buf *out)
{
	json_t *ctx = json_pack("{s:O, s:s}", "posts", posts, "csrf_token", token ? token : "");
	enum err e = ctx ? tmpl_render(req->app->views, "talk/posts.html", ctx, out) : ERR_NOMEM;

	json_decref(ctx);
	return e == ERR_OK && !buf_ok(out) ? ERR_NOMEM : e;
}

/* Where a topic's page has its posts put in (nothing anyone types can
 * be it: a post's "<" is written "&lt;"). */
#define POSTS_MARK "<!--kith:posts-->"

/* page with POSTS_MARK replaced by posts. */
static enum err posts_into(struct buf *page, const struct buf *posts)
{
	const size_t ml = sizeof(POSTS_MARK) - 1;
	char *at = page->p ? memmem(page->p, page->len, POSTS_MARK, ml) : NULL;
	size_t off, tail;

	if (!at)
		return ERR_INTERNAL;
	off = (size_t)(at - page->p);
	tail = page->len - off - ml;
	if (posts->len > ml && !buf_grow(page, posts->len - ml))
		return ERR_NOMEM;
	memmove(page->p + off + posts->len, page->p + off + ml, tail);
	memcpy(page->p + off, posts->p, posts->len);
	page->len = off + posts->len + tail;
	page->p[page->len] = '\0';
	return ERR_OK;
}

/* What a page of a topic says around its posts. */
struct topic_view {
	int page;
	int64_t total, newest;
	size_t shown;
	const struct buf *posts;      /* talk/posts.html, made */
};

/* The page around its posts: following, the reply box (values and
 * errors: a reply sent back), paging; a follower's reading noted. Takes
 * data, values and errors. */
static enum err topic_page_finish(struct request *req, struct response *resp, struct write_ctx *w, int status,
		json_t *data, json_t *values, json_t *errors, const struct topic_view *v)
{
	static const struct done_word words[] = {
		{ "followed", true, "You are following this topic. We will tell you when there are new replies." },
		{ "unfollowed", true, "You are no longer following this topic." },
		{ "flagged", true, "Thank you for telling us. A moderator will look at the post." },
		{ "flagged_crisis", true, "Thank you for telling us. A moderator will look at the post soon. If "
		  "someone is in danger now, call 999." },
		{ "edited", true, "Your post is changed." },
	};
	const struct talk_env *env = talk_env_of(req);
	const char *topic = web_url(req, "talk.topic", talk_web_num(req, w->t.id), NULL), *quote_q;
	json_t *form, *quote = NULL;
	enum err e;

	/* The posts go in after the page is made (posts_into): a megabyte
	 * of them copied into the page's data and again by the template was
	 * a third of a kept page's time. */
	json_object_set_new(data, "posts_html", json_string(POSTS_MARK));
	json_object_set_new(data, "follow_action", json_string(web_url(req, "talk.follow_topic", talk_web_num(req, w->t.id), NULL)));
	if (talk_jtrue(data, "can_write")) {
		quote_q = values ? json_string_value(json_object_get(values, "quote")) : req_query(req, "quote");
		if (quote_q && *quote_q)
			quote = quoting(req, &w->t, quote_q);
		form = web_form_full(web_url(req, "talk.reply", talk_web_num(req, w->t.id), NULL), "Post your reply", false,
				     reply_fields, 1, values, errors);
		if (quote) {
			web_form_hidden(form, "quote", talk_web_num(req, talk_jint(quote, "id")));
			json_object_set_new(data, "quoting", quote);
			json_object_set_new(data, "unquote_href", json_string(arena_printf(&req->arena, "%s#reply", topic)));
		}
		json_object_set_new(data, "reply_form", form);
	}
	json_decref(values);
	view_paging(&req->arena, data, arena_printf(&req->arena, "%s?", topic), v->page, env ? talk_per_page(env) :
		    TALK_DEFAULT_PER_PAGE, v->total, v->shown);
	web_set_errors(data, errors);
	web_done(req, data, words, ARRAY_LEN(words), NULL);
	/* Read this far: what the person follows tells them only of newer
	 * posts. A GET reads in a read transaction; a follower's page is the
	 * one that writes, so only they pay for a write. */
	if (v->newest && status == 200 && (w->t.following || w->t.following_space) && db_in_read_tx(req->db)) {
		if ((e = db_commit(req->db)) != ERR_OK || (e = db_begin(req->db)) != ERR_OK ||
		    (e = talk_seen(req->db, req->actor->id, w->t.id, v->newest)) != ERR_OK) {
			json_decref(data);
			return e;
		}
	}
	e = web_page(req, resp, write_status(w, status), "talk/topic.html", w->t.title ? w->t.title : "A topic",
		     data);
	return e == ERR_OK ? posts_into(&resp->body, v->posts) : e;
}

/* The page's posts for this reader, as talk_posts gives them, each with
 * what the page adds (decorate_post); page moves to the last when it
 * is past the end. Just after the reader posted, data says how it went. */
static enum err topic_posts(struct request *req, struct write_ctx *w, json_t *data, int64_t posted,
		struct topic_view *v, json_t **out)
{
	const struct talk_env *env = talk_env_of(req);
	bool can_write = talk_jtrue(data, "can_write");
	json_t *o = NULL, *p, *posts;
	size_t i;
	enum err e = talk_posts(req->db, &req->arena, &w->t, req->actor, w->s.moderator, v->page, talk_per_page(env),
				req->now, talk_edit_minutes(env), &o);

	if (e == ERR_OK && v->page > 1 && !json_array_size(json_object_get(o, "posts")) && talk_jint(o, "pages") >= 1) {
		/* Past the end (a post went): the last page. */
		v->page = (int)talk_jint(o, "pages");
		json_decref(o);
		o = NULL;
		e = talk_posts(req->db, &req->arena, &w->t, req->actor, w->s.moderator, v->page, talk_per_page(env),
			       req->now, talk_edit_minutes(env), &o);
	}
	if (e)
		return e;
	posts = json_object_get(o, "posts");
	json_array_foreach(posts, i, p) {
		decorate_post(req, p, &w->t, &w->s, can_write, v->page);
		if (talk_jint(p, "id") > v->newest)
			v->newest = talk_jint(p, "id");
		if (posted && talk_jint(p, "id") == posted && talk_jtrue(p, "mine")) {
			if (talk_jtrue(p, "signposted")) {
				/* The help at the top of the page; the post points up to it. */
				json_object_set_new(data, "help_top", json_pack("{s:s}", "help_id", "help-top"));
				json_object_set_new(p, "help", json_false());
				json_object_set_new(p, "help_above", json_true());
			} else if (talk_jtrue(p, "held"))
				web_set_banner(data, false, "Your post is waiting for a moderator to check it. Others will "
					       "see it once they have.");
			else
				web_set_banner(data, true, "Your post is published.");
		}
	}
	v->total = talk_jint(o, "total");
	v->shown = json_array_size(posts);
	*out = json_incref(posts ? posts : json_array());
	json_decref(o);
	return *out ? ERR_OK : ERR_NOMEM;
}

static enum err topic_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	struct write_ctx *w = ctx;
	const struct talk_env *env = talk_env_of(req);
	const char *posted_q = req_query(req, "posted");
	struct topic_view v = { .page = talk_web_page(req) };
	struct talk_page_key k;
	struct buf ph;
	json_t *data, *posts = NULL;
	int64_t posted = 0, before;
	bool keep;
	enum err e = env ? topic_load(req, w) : ERR_NOMEM;

	if (e || !readable(req, &w->s)) {
		json_decref(values);
		json_decref(errors);
		return e ? e : refused_page(req, resp, &w->s);
	}
	if (posted_q && !str_to_i64(str_c(posted_q), 1, INT64_C(1) << 53, &posted))
		posted = 0;
	data = json_pack("{s:s, s:s, s:s, s:b, s:b, s:b}", "title", w->t.title ? w->t.title : "",
			 "space", w->s.name ? w->s.name : "", "space_href", web_url(req, "talk.space", w->s.slug, NULL),
			 "following", w->t.following, "locked", w->t.locked, "hidden", w->t.hidden);
	if (!data) {
		json_decref(values);
		json_decref(errors);
		return ERR_NOMEM;
	}
	writing_facts(req, &w->s, &w->t, &w->p, data);
	memset(&k, 0, sizeof(k));
	k.topic = w->t.id;
	k.version = w->t.version;
	k.page = v.page;
	k.per_page = talk_per_page(env);
	k.can_write = talk_jtrue(data, "can_write") ? 'w' : '-';
	/* What a reader with nothing of their own sees: the visible posts,
	 * which the topic counts. */
	before = (int64_t)(v.page - 1) * k.per_page;
	k.shown = w->t.posts_n <= before ? 0 : w->t.posts_n - before < k.per_page ? w->t.posts_n - before : k.per_page;
	keep = status == 200 && !values && !posted && keepable(req, w);
	buf_init(&ph, LIMIT_PAGE_BYTES);
	v.posts = &ph;
	if (keep && k.shown && talk_page_get(req, &k, &ph, &v.newest, &v.total)) {
		v.total = w->t.posts_n;
		v.shown = (size_t)k.shown;
	} else if ((e = topic_posts(req, w, data, posted, &v, &posts)) == ERR_OK) {
		/* Kept only as asked for (not moved past the end), and only
		 * when the topic's count agrees with what was read. */
		keep = keep && v.page == k.page && v.total == w->t.posts_n && (int64_t)v.shown == k.shown;
		e = posts_render(req, posts, keep ? TALK_CSRF_MARK : req->actor->csrf_token, &ph);
		if (e == ERR_OK && keep) {
			struct buf spliced;
			talk_page_put(req, &k, ph.p, ph.len, v.newest, v.total);
			buf_init(&spliced, LIMIT_PAGE_BYTES);
			talk_page_splice(&spliced, ph.p, ph.len, req->actor->csrf_token);
			buf_release(&ph);
			ph = spliced;
			e = buf_ok(&ph) ? ERR_OK : ERR_NOMEM;
		}
		json_decref(posts);
	}
	if (e) {
		buf_release(&ph);
		json_decref(data);
		json_decref(values);
		json_decref(errors);
		return e;
	}
	e = topic_page_finish(req, resp, w, status, data, values, errors, &v);
	buf_release(&ph);
	return e;
}

static enum err topic_get(struct request *req, struct response *resp)
{
	struct write_ctx w;

	memset(&w, 0, sizeof(w));
	return topic_page(req, resp, 200, NULL, NULL, &w);
}

static enum err reply_before(struct request *req, const struct bound *b, json_t *errors, void *ctx)
{
	UNUSED(b);
	UNUSED(errors);
	return write_allowed(req, ctx, topic_load(req, ctx));
}

static enum err reply_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct write_ctx *w = ctx;
	const struct talk_env *env = talk_env_of(req);
	const char *q = web_bound(b, "quote")->text;
	int64_t quote_of = 0;
	enum err e;

	UNUSED(resp);
	if (!env)
		return ERR_NOMEM;
	if (q && !str_to_i64(str_c(q), 1, INT64_C(1) << 53, &quote_of))
		quote_of = 0;
	e = talk_post_create(env, req->db, w->t.id, req->actor, web_bound(b, "body")->text, quote_of, req->now,
			     errors, &w->posted);
	/* The quote has no box of its own: its error goes with the reply. */
	for (size_t i = 0; i < json_array_size(errors); i++) {
		json_t *err = json_array_get(errors, i);
		if (strcmp(talk_jstr(err, "field"), "quote") == 0)
			json_object_set_new(err, "field", json_string("body"));
	}
	return written(req, w, e, errors, "body");
}

static const struct form_post reply_form = { .fields = reply_fields, .nfields = ARRAY_LEN(reply_fields),
	.before = reply_before, .act = reply_act, .page = topic_page, .done = posted_done, .check_all = true };

static enum err reply_post(struct request *req, struct response *resp)
{
	struct write_ctx w;

	memset(&w, 0, sizeof(w));
	return web_form_post(req, resp, &reply_form, &w);
}

/* ---- one post: its link, changing it, reacting, reporting */

static enum err post_get(struct request *req, struct response *resp)
{
	struct talk_space s;
	json_t *p;
	enum err e = post_and_space(req, &p, &s);
	int64_t topic_id, id;

	if (e)
		return e;
	topic_id = talk_jint(p, "topic_id");
	id = talk_jint(p, "id");
	json_decref(p);
	if (!readable(req, &s))
		return refused_page(req, resp, &s);
	resp_redirect(req, resp, post_href(req, topic_id, id, NULL));
	return ERR_OK;
}

/* "Message privately" on a post: to the moderators when its writer is
 * one, to the pair's peer match when they are matched; else refused in
 * words (private messages are only inside a peer match, and not yet from
 * a new account). */
static enum err pm_get(struct request *req, struct response *resp)
{
	const struct talk_env *env = talk_env_of(req);
	struct talk_pm pm;
	const char *why = NULL;
	enum err e = env ? talk_pm_to_writer(env, req->db, req->actor, talk_web_id(req, "id"), req->now, &pm, &why) :
		     ERR_NOMEM;

	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no post here. It may have been removed.");
	if (e == ERR_FORBIDDEN)
		return req_fail(req, e, why ? why : "You cannot send that person a private message.");
	if (e)
		return e;
	resp_redirect(req, resp, pm.to_moderators ? web_url(req, "talk.messages", NULL) :
			     web_url(req, "peer.match", pm.match_id, NULL));
	return ERR_OK;
}

static enum err edit_load(struct request *req, struct write_ctx *w)
{
	const struct talk_env *env = talk_env_of(req);
	enum err e;

	if (w->loaded)
		return ERR_OK;
	if (!env)
		return ERR_NOMEM;
	if ((e = post_and_space(req, &w->post, &w->s)) != ERR_OK)
		return e;
	w->loaded = true;
	if (!readable(req, &w->s))
		return refuse(req, &w->s);
	if (!talk_jtrue(w->post, "mine"))
		return req_fail(req, ERR_FORBIDDEN, "You can only change your own posts.");
	if (!talk_jtrue(w->post, "can_edit"))
		return req_fail(req, ERR_FORBIDDEN, arena_printf(&req->arena, "You can change a post only in the "
				"first %d minutes after you write it. Write a reply instead.", talk_edit_minutes(env)));
	return ERR_OK;
}

static enum err edit_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	struct write_ctx *w = ctx;
	json_t *data;
	enum err e = edit_load(req, w);

	if (e) {
		json_decref(values);
		json_decref(errors);
		return e;
	}
	if (!values)
		values = json_pack("{s:s}", "body", talk_jstr(w->post, "body"));
	data = json_pack("{s:o, s:s}", "form",
			 web_form_full(web_url(req, "talk.edit", talk_web_num(req, talk_jint(w->post, "id")), NULL), "Save the change",
				       false, edit_fields, ARRAY_LEN(edit_fields), values, errors),
			 "back_href", arena_printf(&req->arena, "%s#post-%lld",
				web_url(req, "talk.topic", talk_web_num(req, talk_jint(w->post, "topic_id")), NULL),
				(long long)talk_jint(w->post, "id")));
	json_decref(values);
	return talk_web_form_page(req, resp, write_status(w, status), "talk/edit.html", "Change your post", data, errors, NULL, 0);
}

static enum err edit_get(struct request *req, struct response *resp)
{
	struct write_ctx w;
	enum err e;

	memset(&w, 0, sizeof(w));
	e = edit_page(req, resp, 200, NULL, NULL, &w);
	json_decref(w.post);
	return e;
}

static enum err edit_before(struct request *req, const struct bound *b, json_t *errors, void *ctx)
{
	UNUSED(b);
	UNUSED(errors);
	return edit_load(req, ctx);
}

static enum err edit_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct write_ctx *w = ctx;
	const struct talk_env *env = talk_env_of(req);
	enum err e;

	UNUSED(resp);
	if (!env)
		return ERR_NOMEM;
	e = talk_post_edit(env, req->db, talk_jint(w->post, "id"), req->actor, web_bound(b, "body")->text, req->now,
			   errors, &w->posted);
	w->posted.id = talk_jint(w->post, "id");
	w->posted.topic_id = talk_jint(w->post, "topic_id");
	return written(req, w, e, errors, "body");
}

static const char *edit_done(struct request *req, void *ctx)
{
	const struct write_ctx *w = ctx;

	return post_href(req, w->posted.topic_id, w->posted.id,
			 arena_printf(&req->arena, "posted=%lld&done=edited", (long long)w->posted.id));
}

static const struct form_post edit_form = { .fields = edit_fields, .nfields = ARRAY_LEN(edit_fields),
	.before = edit_before, .act = edit_act, .page = edit_page, .done = edit_done, .check_all = true };

static enum err edit_post(struct request *req, struct response *resp)
{
	struct write_ctx w;
	enum err e;

	memset(&w, 0, sizeof(w));
	e = web_form_post(req, resp, &edit_form, &w);
	json_decref(w.post);
	return e;
}

/* "Me too" and "thank you". */
static const struct field_choice react_kinds[] = { { "metoo", "Me too" }, { "thanks", "Thank you" } };

static const struct field_def react_fields[] = {
	{ .name = "kind", .label = "Say", .kind = FIELD_ONE_OF, .required = true, .choices = react_kinds,
	  .nchoices = 2, .missing = "Choose “me too” or “thank you”" },
	{ .name = "on", .label = "On", .kind = FIELD_ONE_OF, .required = true, .choices = on_off, .nchoices = 2,
	  .missing = "Choose whether to say it or take it back" },
};

struct post_ctx {
	struct talk_space s;
	json_t *post;                 /* owned */
	bool crisis;
};

static enum err post_ctx_load(struct request *req, struct post_ctx *c)
{
	enum err e;

	if (c->post)
		return ERR_OK;
	if ((e = post_and_space(req, &c->post, &c->s)) != ERR_OK)
		return e;
	return readable(req, &c->s) ? ERR_OK : refuse(req, &c->s);
}

static enum err react_before(struct request *req, const struct bound *b, json_t *errors, void *ctx)
{
	UNUSED(b);
	UNUSED(errors);
	return post_ctx_load(req, ctx);
}

static enum err react_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct post_ctx *c = ctx;
	enum err e;

	UNUSED(resp);
	UNUSED(errors);
	e = talk_react(req->db, talk_jint(c->post, "id"), req->actor, react_kinds[web_bound(b, "kind")->choice].value,
		       web_bound(b, "on")->choice == 0, req->now);
	if (e == ERR_FORBIDDEN)
		return req_fail(req, e, "You cannot say “me too” or “thank you” to your own post.");
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no post here. It may have been removed.");
	return e;
}

static const char *to_post_done(struct request *req, void *ctx)
{
	const struct post_ctx *c = ctx;

	return post_href(req, talk_jint(c->post, "topic_id"), talk_jint(c->post, "id"), NULL);
}

static const struct form_post react_form = { .fields = react_fields, .nfields = ARRAY_LEN(react_fields),
	.before = react_before, .act = react_act, .done = to_post_done, .check_all = true };

static enum err react_post(struct request *req, struct response *resp)
{
	struct post_ctx c;
	enum err e;

	memset(&c, 0, sizeof(c));
	e = web_form_post(req, resp, &react_form, &c);
	json_decref(c.post);
	return e;
}

/* Reporting a post: the reasons people may choose, in the domain's words. */
static const struct field_def *flag_fields(struct request *req, size_t *n)
{
	struct field_choice *reasons = arena_calloc(&req->arena, TALK_R_OTHER + 1, sizeof(*reasons));
	struct field_def *defs = arena_calloc(&req->arena, 2, sizeof(*defs));

	*n = 0;
	if (!reasons || !defs)
		return NULL;
	for (int r = TALK_R_CRISIS; r <= TALK_R_OTHER; r++)
		reasons[r - TALK_R_CRISIS] = (struct field_choice){ talk_reason_code((enum talk_reason)r),
			talk_reason_words((enum talk_reason)r) };
	defs[0] = (struct field_def){ .name = "reason", .label = "What is wrong with this post?",
		.kind = FIELD_ONE_OF, .required = true, .choices = reasons, .nchoices = TALK_R_OTHER - TALK_R_CRISIS + 1,
		.missing = "Choose what is wrong with the post",
		.hint = "Choose the first one if you think the person who wrote it may be at risk. A moderator will "
			"look at it first" };
	defs[1] = (struct field_def){ .name = "note", .label = "Anything else a moderator should know (optional)",
		.rows = 3, .kind = FIELD_TEXT, .max = TALK_REASON_NOTE_MAX, .check = field_domain_judges,
		.hint = "Only moderators see this. The person who wrote the post is not told who reported it" };
	*n = 2;
	return defs;
}

static enum err flag_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	struct post_ctx *c = ctx;
	const struct field_def *defs;
	size_t n;
	json_t *data;
	enum err e = post_ctx_load(req, c);

	if (e || !(defs = flag_fields(req, &n))) {
		json_decref(values);
		json_decref(errors);
		return e ? e : ERR_NOMEM;
	}
	data = json_pack("{s:o, s:s, s:s, s:s, s:s}", "form",
			 web_form_full(web_url(req, "talk.flag", talk_web_num(req, talk_jint(c->post, "id")), NULL), "Send the report",
				       false, defs, n, values, errors),
			 "by", talk_jstr(c->post, "by"), "body_html", talk_jstr(c->post, "body_html"),
			 "when", talk_web_when(req, talk_jint(c->post, "created_at")),
			 "back_href", arena_printf(&req->arena, "%s#post-%lld",
				web_url(req, "talk.topic", talk_web_num(req, talk_jint(c->post, "topic_id")), NULL),
				(long long)talk_jint(c->post, "id")));
	json_decref(values);
	return talk_web_form_page(req, resp, status, "talk/flag.html", "Report a post", data, errors, NULL, 0);
}

static enum err flag_get(struct request *req, struct response *resp)
{
	struct post_ctx c;
	enum err e;

	memset(&c, 0, sizeof(c));
	e = flag_page(req, resp, 200, NULL, NULL, &c);
	json_decref(c.post);
	return e;
}

static enum err flag_before(struct request *req, const struct bound *b, json_t *errors, void *ctx)
{
	UNUSED(b);
	UNUSED(errors);
	return post_ctx_load(req, ctx);
}

static enum err flag_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct post_ctx *c = ctx;
	const struct talk_env *env = talk_env_of(req);
	const struct field_value *reason = web_bound(b, "reason");
	const char *code = talk_reason_code((enum talk_reason)(TALK_R_CRISIS + reason->choice));
	int64_t id = 0;
	enum err e;

	UNUSED(resp);
	if (!env)
		return ERR_NOMEM;
	c->crisis = reason->choice == 0;
	e = talk_flag_post(env, req->db, talk_jint(c->post, "id"), req->actor, code, web_bound(b, "note")->text,
			   req->now, errors, &id);
	if (e == ERR_CONFLICT) {
		web_error(errors, "reason", "You have already reported this post for that reason. A moderator will "
			  "look at it");
		return ERR_INVALID;
	}
	if (e == ERR_INVALID && !json_array_size(errors))
		web_error(errors, "reason", "Choose what is wrong with the post");
	if (e == ERR_FORBIDDEN)
		return req_fail(req, e, talk_first_detail(errors, "You cannot report this post."));
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no post here. It may have been removed.");
	return e;
}

static const char *flag_done(struct request *req, void *ctx)
{
	const struct post_ctx *c = ctx;

	return post_href(req, talk_jint(c->post, "topic_id"), talk_jint(c->post, "id"),
			 c->crisis ? "done=flagged_crisis" : "done=flagged");
}

static enum err flag_post(struct request *req, struct response *resp)
{
	struct post_ctx c;
	struct form_post f = { .before = flag_before, .act = flag_act, .page = flag_page, .done = flag_done,
		.check_all = true };
	enum err e;

	memset(&c, 0, sizeof(c));
	if (!(f.fields = flag_fields(req, &f.nfields)))
		return ERR_NOMEM;
	e = web_form_post(req, resp, &f, &c);
	json_decref(c.post);
	return e;
}

/* ---------------------------------------------------------------- notices, following */

static enum err notices_get(struct request *req, struct response *resp)
{
	json_t *o = NULL, *n, *data;
	size_t i;
	enum err e = talk_notices(req->db, req->actor->id, true, req->now, &o);

	if (e)
		return e;
	json_array_foreach(json_object_get(o, "notices"), i, n) {
		json_object_set_new(n, "when", json_string(talk_web_when(req, talk_jint(n, "created_at"))));
		json_object_set_new(n, "lines", talk_web_lines(talk_jstr(n, "words")));
		/* To the topic, not the post: a hidden post is not there to
		 * link to, and its writer sees why on the topic's page. */
		if (talk_jint(n, "topic_id"))
			json_object_set_new(n, "href", json_string(talk_jint(n, "post_id") ?
				arena_printf(&req->arena, "%s#post-%lld", web_url(req, "talk.topic",
					     talk_web_num(req, talk_jint(n, "topic_id")), NULL), (long long)talk_jint(n, "post_id")) :
				web_url(req, "talk.topic", talk_web_num(req, talk_jint(n, "topic_id")), NULL)));
	}
	data = json_pack("{s:O, s:b, s:s, s:s}", "notices", json_object_get(o, "notices"),
			 "any", json_array_size(json_object_get(o, "notices")) > 0,
			 "messages_href", web_url(req, "talk.messages", NULL), "index_href", web_url(req, "talk.index", NULL));
	json_decref(o);
	if (!data)
		return ERR_NOMEM;
	return web_page(req, resp, 200, "talk/notices.html", "Messages from the moderators", data);
}

static enum err following_get(struct request *req, struct response *resp)
{
	json_t *o = NULL, *x, *data;
	size_t i;
	enum err e = talk_following(req->db, req->actor->id, &o);

	if (e)
		return e;
	json_array_foreach(json_object_get(o, "spaces"), i, x)
		json_object_set_new(x, "href", json_string(web_url(req, "talk.space", talk_jstr(x, "slug"), NULL)));
	json_array_foreach(json_object_get(o, "topics"), i, x)
		json_object_set_new(x, "href", json_string(web_url(req, "talk.topic", talk_web_num(req, talk_jint(x, "id")), NULL)));
	data = json_pack("{s:O, s:O, s:b, s:b, s:s, s:s}", "spaces", json_object_get(o, "spaces"),
			 "topics", json_object_get(o, "topics"),
			 "any_spaces", json_array_size(json_object_get(o, "spaces")) > 0,
			 "any_topics", json_array_size(json_object_get(o, "topics")) > 0,
			 "profile_href", web_url(req, "talk.profile", NULL), "index_href", web_url(req, "talk.index", NULL));
	json_decref(o);
	if (!data)
		return ERR_NOMEM;
	return web_page(req, resp, 200, "talk/following.html", "What you follow", data);
}

/* ---------------------------------------------------------------- writing to the moderators */

static const struct field_def message_fields[] = {
	{ .name = "body", .label = "Your message to the moderators", .rows = 6, .kind = FIELD_TEXT, .required = true,
	  .max = MODMAIL_MAX, .missing = "Write your message to the moderators", .check = field_domain_judges,
	  .hint = "Only the moderators read it. We email you when they answer" },
};

static enum err messages_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	static const struct done_word words[] = {
		{ "sent", true, "Your message is sent. A moderator will answer here, and we will email you when they do." },
	};
	json_t *o = NULL, *m, *data;
	size_t i;
	enum err e = talk_modmail_thread(req->db, req->actor->id, &o);

	UNUSED(ctx);
	if (e) {
		json_decref(values);
		json_decref(errors);
		return e;
	}
	json_array_foreach(json_object_get(o, "messages"), i, m) {
		json_object_set_new(m, "when", json_string(talk_web_when(req, talk_jint(m, "created_at"))));
		json_object_set_new(m, "lines", talk_web_lines(talk_jstr(m, "body")));
		json_object_set_new(m, "from", json_string(talk_jtrue(m, "from_moderator") ? "A moderator" : "You"));
	}
	data = json_pack("{s:O, s:b, s:o, s:s}", "messages", json_object_get(o, "messages"),
			 "any", json_array_size(json_object_get(o, "messages")) > 0,
			 "form", web_form_full(web_url(req, "talk.messages", NULL), "Send the message", false,
					       message_fields, ARRAY_LEN(message_fields), values, errors),
			 "index_href", web_url(req, "talk.index", NULL));
	json_decref(o);
	json_decref(values);
	return talk_web_form_page(req, resp, status, "talk/messages.html", "Write to the moderators", data, errors, words, ARRAY_LEN(words));
}

static enum err messages_get(struct request *req, struct response *resp)
{
	return messages_page(req, resp, 200, NULL, NULL, NULL);
}

static enum err messages_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	const struct talk_env *env = talk_env_of(req);
	enum err e;

	UNUSED(resp);
	UNUSED(ctx);
	if (!env)
		return ERR_NOMEM;
	e = talk_modmail_send(env, req->db, req->actor->id, web_bound(b, "body")->text, req->now, errors);
	if (e == ERR_INVALID && !json_array_size(errors))
		web_error(errors, "body", "Write your message to the moderators");
	if (e == ERR_FORBIDDEN)
		return req_fail(req, e, talk_first_detail(errors, "You cannot send a message just now."));
	return e;
}

static const struct form_post messages_form = { .fields = message_fields, .nfields = ARRAY_LEN(message_fields),
	.act = messages_act, .page = messages_page, .done_route = "talk.messages", .done_word = "sent" };

static enum err messages_post(struct request *req, struct response *resp)
{
	return web_form_post(req, resp, &messages_form, NULL);
}

/* ---------------------------------------------------------------- the feature */

static const struct route routes[] = {
	{ M_GET,  "/talk", index_get, &act_talk_self, 0, "talk.index" },
	{ M_GET,  "/talk/profile", profile_get, &act_talk_self, 0, "talk.profile" },
	{ M_POST, "/talk/profile", profile_post, &act_talk_self, FORM, "talk.profile" },
	{ M_GET,  "/talk/spaces/{slug:slug}", space_get, &act_talk_read, 0, "talk.space" },
	{ M_GET,  "/talk/spaces/{slug:slug}/search", search_get, &act_talk_read, 0, "talk.search" },
	{ M_POST, "/talk/spaces/{slug:slug}/follow", follow_space_post, &act_talk_read, FORM, "talk.follow_space" },
	{ M_GET,  "/talk/spaces/{slug:slug}/topics", new_topic_get, &act_talk_read, 0, "talk.new_topic" },
	{ M_POST, "/talk/spaces/{slug:slug}/topics", new_topic_post, &act_talk_read, FORM, "talk.new_topic" },
	{ M_GET,  "/talk/topics/{id:int}", topic_get, &act_talk_read, 0, "talk.topic" },
	{ M_POST, "/talk/topics/{id:int}/posts", reply_post, &act_talk_read, FORM, "talk.reply" },
	{ M_POST, "/talk/topics/{id:int}/follow", follow_topic_post, &act_talk_read, FORM, "talk.follow_topic" },
	{ M_GET,  "/talk/posts/{id:int}", post_get, &act_talk_read, 0, "talk.post" },
	{ M_POST, "/talk/posts/{id:int}/react", react_post, &act_talk_read, FORM, "talk.react" },
	{ M_GET,  "/talk/posts/{id:int}/message", pm_get, &act_talk_read, 0, "talk.pm" },
	{ M_GET,  "/talk/posts/{id:int}/flag", flag_get, &act_talk_read, 0, "talk.flag" },
	{ M_POST, "/talk/posts/{id:int}/flag", flag_post, &act_talk_read, FORM, "talk.flag" },
	{ M_GET,  "/talk/posts/{id:int}/edit", edit_get, &act_talk_read, 0, "talk.edit" },
	{ M_POST, "/talk/posts/{id:int}/edit", edit_post, &act_talk_read, FORM, "talk.edit" },
	{ M_GET,  "/talk/notices", notices_get, &act_talk_self, RF_WRITE_TX, "talk.notices" },
	{ M_GET,  "/talk/following", following_get, &act_talk_self, 0, "talk.following" },
	{ M_GET,  "/talk/messages", messages_get, &act_talk_self, 0, "talk.messages" },
	{ M_POST, "/talk/messages", messages_post, &act_talk_self, FORM, "talk.messages" },
};

/* talk_job opens its own transactions: each email is queued with the
 * marker that says it was sent (a flag alerted, a follow told), so two
 * workers never send one twice. */
static enum err job_run(struct app *app, struct db *db, int64_t now)
{
	struct talk_env env = talk_env_of_app(app);

	return talk_job(&env, db, now, NULL);
}

static const struct job jobs[] = {
	{ "talk", 60, job_run },
};

#define TS(field) CFG(struct talk_settings, field)

static const struct config_key keys[] = {
	{ "talk_edit_minutes", CT_INT, TS(talk_edit_minutes), 1, 1440, "30",
	  "minutes after writing a post that its writer may still change it (what it said before is kept for "
	  "moderators)", NULL },
	{ "talk_new_posts_per_day", CT_INT, TS(talk_new_posts_per_day), 1, 100, "5",
	  "posts a day an account not yet trusted may write in conversations", NULL },
	{ "talk_trust_days", CT_INT, TS(talk_trust_days), 0, 365, "7",
	  "days after an account is made before it is trusted in conversations (more posts a day, links not "
	  "held for review); a moderator may trust one sooner", NULL },
	{ "talk_digest_hour", CT_INT, TS(talk_digest_hour), 0, 23, "18",
	  "hour of the day (UK time) from which the daily \"new replies\" emails are sent", NULL },
	{ "talk_posts_per_page", CT_INT, TS(talk_posts_per_page), 10, 1000, "100",
	  "posts on one page of a topic", NULL },
	{ "talk_cache_mb", CT_INT, TS(talk_cache_mb), 0, 1024, "32",
	  "megabytes of topics' pages each kith process keeps, as read by someone with nothing of their own in "
	  "the topic (0: none; a kept page is used only while the topic is unchanged)", NULL },
	{ 0 },
};

const struct settings talk_settings = { "Conversations", keys, sizeof(struct talk_settings) };

static enum err on_person_erasing(const struct event *ev)
{
	return talk_erase_person(ev->db, ev->person_id, ev->now);
}

static const struct subscription subscriptions[] = {
	{ EV_PERSON_ERASING, on_person_erasing },
	{ 0 },
};

static enum err talk_init(struct app *app)
{
	const struct talk_settings *ts = app->cfg ? SETTINGS_OF(app->cfg, struct talk_settings, talk_settings) : NULL;

	talk_cache_init(app, ts ? ts->talk_cache_mb : 0);
	return ERR_OK;
}

const struct feature talk_feature = {
	.name = "talk",
	.routes = routes,
	.nroutes = ARRAY_LEN(routes),
	.actions = talk_actions,
	.settings = &talk_settings,
	.jobs = jobs,
	.njobs = ARRAY_LEN(jobs),
	.export_person = talk_export_person,
	.demo = talk_demo,
	.init = talk_init,
	.release = talk_cache_release,
	.subscriptions = subscriptions,
};
