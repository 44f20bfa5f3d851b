/*
 * moderate_web.c - the conversations pages for moderators and
 * coordinators (talk.h): the queue (urgent first, marked in words), being
 * on duty, a post with its reports, history and its writer's standing,
 * acting on it, seeing who wrote it (audited, and the page says so),
 * messages to the moderators, and, for coordinators, the spaces, their
 * moderators and the watched words.
 *
 * The routes let anyone signed in through (act_talk_moderate at the
 * route level, as talk_policy.h says); every handler here asks
 * talk_moderates_any first, so someone who moderates nothing is refused
 * with a 403 in words, and the domain refuses a moderator of one space a
 * post of another (ERR_FORBIDDEN). Who wrote a post is shown only in the
 * answer to the POST that looked (never in an address).
 */
#include "core/common.h"
#include "talk/talk_int.h"

#include "app/app.h"
#include "app/features.h"
#include "core/str.h"
#include "directory/vocab.h"
#include "store/store.h"
#include "talk/talk_feature.h"
#include "talk/talk_policy.h"
#include "talk/talk_web.h"
#include "web/errors.h"
#include "web/form.h"
#include "web/url.h"
#include "web/view.h"

#include <stdio.h>
#include <stdlib.h>

#define FORM (RF_FORM | RF_CSRF)
#define QUEUE_PER_PAGE 50
#define MODMAIL_MAX 4000
#define SPACE_NAME_MAX 100
#define SPACE_ABOUT_MAX 1000


/* Someone who moderates no space is refused every page here. */
static enum err must_moderate(struct request *req)
{
	return talk_moderates_any(req->db, req->actor) ? ERR_OK :
	       req_fail(req, ERR_FORBIDDEN, "Only moderators can see this page. If you would like to help look "
			"after a space, ask a coordinator.");
}

static enum err mod_before(struct request *req, const struct bound *b, json_t *errors, void *ctx)
{
	UNUSED(b);
	UNUSED(errors);
	UNUSED(ctx);
	return must_moderate(req);
}

/* ---------------------------------------------------------------- the queue and being on duty */

static enum err queue_get(struct request *req, struct response *resp)
{
	static const struct done_word words[] = {
		{ "on_duty", true, "You are on duty. We will email you at once when someone may be at risk." },
		{ "off_duty", true, "You are off duty. Other moderators on duty will be told of urgent reports." },
	};
	const struct talk_env *env = talk_env_of(req);
	struct talk_profile p;
	json_t *o = NULL, *it, *data;
	size_t i;
	int page = talk_web_page(req);
	enum err e = env ? must_moderate(req) : ERR_NOMEM;

	if (e || (e = talk_profile_get(env, req->db, req->actor->id, req->now, &p)) ||
	    (e = talk_queue(req->db, &req->arena, req->actor, page, QUEUE_PER_PAGE, &o)))
		return e;
	json_array_foreach(json_object_get(o, "items"), i, it) {
		json_object_set_new(it, "href", json_string(web_url(req, "talk.mod_post", talk_web_num(req, talk_jint(it, "post_id")), NULL)));
		json_object_set_new(it, "urgent", json_boolean(strcmp(talk_jstr(it, "urgency"), "urgent") == 0));
		json_object_set_new(it, "when", json_string(talk_web_when(req, talk_jint(it, "oldest_at"))));
		json_object_set_new(it, "held", json_boolean(strcmp(talk_jstr(it, "state"), "held") == 0));
		json_object_set_new(it, "is_hidden", json_boolean(strcmp(talk_jstr(it, "state"), "hidden") == 0));
	}
	data = json_pack("{s:O, s:b, s:I, s:I, s:b, s:s, s:s, s:b}", "items", json_object_get(o, "items"),
			 "any", json_array_size(json_object_get(o, "items")) > 0,
			 "urgent", (json_int_t)talk_jint(o, "urgent"), "modmail", (json_int_t)talk_jint(o, "modmail"),
			 "on_duty", p.on_duty, "duty_action", web_url(req, "talk.duty", NULL),
			 "messages_href", web_url(req, "talk.mod_messages", NULL),
			 "admin", policy_can(req->actor, &act_talk_admin, NULL));
	if (!data) {
		json_decref(o);
		return ERR_NOMEM;
	}
	json_object_set_new(data, "spaces_href", json_string(web_url(req, "talk.spaces_admin", NULL)));
	json_object_set_new(data, "words_href", json_string(web_url(req, "talk.words", NULL)));
	view_paging(&req->arena, data, arena_printf(&req->arena, "%s?", web_url(req, "talk.queue", NULL)), page,
		    QUEUE_PER_PAGE, talk_jint(o, "total"), json_array_size(json_object_get(o, "items")));
	json_decref(o);
	web_done(req, data, words, ARRAY_LEN(words), NULL);
	return web_page(req, resp, 200, "talk/queue.html", "Moderation", data);
}

static const struct field_choice on_off[] = { { "1", "On" }, { "0", "Off" } };

static const struct field_def duty_fields[] = {
	{ .name = "on", .label = "On duty", .kind = FIELD_ONE_OF, .required = true, .choices = on_off, .nchoices = 2,
	  .missing = "Choose whether you are on duty" },
};

static enum err duty_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	bool *on = ctx;

	UNUSED(resp);
	UNUSED(errors);
	*on = web_bound(b, "on")->choice == 0;
	return talk_duty_set(req->db, req->actor->id, *on, req->now);
}

static const char *duty_done(struct request *req, void *ctx)
{
	const bool *on = ctx;

	return arena_printf(&req->arena, "%s?done=%s", web_url(req, "talk.queue", NULL), *on ? "on_duty" : "off_duty");
}

static const struct form_post duty_form = { .fields = duty_fields, .nfields = ARRAY_LEN(duty_fields),
	.before = mod_before, .act = duty_act, .done = duty_done, .check_all = true };

static enum err duty_post(struct request *req, struct response *resp)
{
	bool on = false;

	return web_form_post(req, resp, &duty_form, &on);
}

/* ---------------------------------------------------------------- a post, and acting on it */

/* In the order of enum talk_action (talk_action_code's). */
static const struct field_choice action_choices[TALK_ACTION__MAX] = {
	{ "hide", "Hide the post" },
	{ "restore", "Show the post again" },
	{ "approve", "Approve the post: everyone can see it" },
	{ "edit", "Change the post's words" },
	{ "warn", "Warn the writer" },
	{ "mute", "Pause the writer's posting for some days" },
	{ "suspend", "Suspend the writer: no more posting" },
	{ "unsuspend", "Lift the writer's suspension" },
	{ "trust", "Trust the writer: more posts a day, links not held" },
	{ "dismiss", "Nothing is wrong: close the reports" },
};

static const struct field_def act_fields[] = {
	{ .name = "action", .label = "What do you want to do?", .kind = FIELD_ONE_OF, .required = true,
	  .choices = action_choices, .nchoices = TALK_ACTION__MAX, .missing = "Choose what to do" },
	{ .name = "note", .label = "What to tell the writer", .rows = 3, .kind = FIELD_TEXT,
	  .max = TALK_REASON_NOTE_MAX, .check = field_domain_judges,
	  .hint = "We send the writer these words. Needed to hide, change or warn. Be kind and plain: say what "
		  "was wrong and what they can do" },
	{ .name = "body", .label = "The post's new words", .rows = 8, .kind = FIELD_TEXT, .max = TALK_BODY_MAX,
	  .check = field_domain_judges, .hint = "Only when you change the post's words. What it said before is kept" },
	{ .name = "days", .label = "For how many days", .kind = FIELD_TEXT, .max = 3, .width = "govuk-input--width-3",
	  .check = field_domain_judges, .hint = "Only when you pause posting: 1 to 90 days" },
};

struct mod_ctx {
	json_t *post;                 /* talk_mod_post's (owned) */
	json_t *revealed;             /* talk_reveal's (owned), after the POST that looked */
	const char *done;
};

static enum err mod_load(struct request *req, struct mod_ctx *c)
{
	enum err e;

	if (c->post)
		return ERR_OK;
	if ((e = must_moderate(req)) != ERR_OK)
		return e;
	e = talk_mod_post(req->db, &req->arena, req->actor, talk_web_id(req, "id"), req->now, &c->post);
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no post here. It may have been removed.");
	if (e == ERR_FORBIDDEN)
		return req_fail(req, e, "You do not moderate the space this post is in.");
	return e;
}

/* The actions that apply to the post as it is now, for the radios. */
static const struct field_def *act_fields_now(struct request *req, const json_t *post)
{
	struct field_def *defs = arena_alloc(&req->arena, sizeof(act_fields));
	struct field_choice *ch = arena_calloc(&req->arena, TALK_ACTION__MAX, sizeof(*ch));
	const char *state = talk_jstr(post, "state");
	const json_t *writer = json_object_get(post, "writer"), *f;
	bool open_flags = false;
	size_t n = 0, i;

	if (!defs || !ch)
		return act_fields;
	json_array_foreach(json_object_get(post, "flags"), i, f)
		open_flags |= talk_jtrue(f, "open");
	for (int a = 0; a < TALK_ACTION__MAX; a++) {
		bool ok = true;
		switch ((enum talk_action)a) {
		case TALK_HIDE: ok = strcmp(state, "hidden") != 0; break;
		case TALK_RESTORE: ok = strcmp(state, "hidden") == 0; break;
		case TALK_APPROVE: ok = strcmp(state, "held") == 0; break;
		case TALK_SUSPEND: ok = !talk_jtrue(writer, "suspended"); break;
		case TALK_UNSUSPEND: ok = talk_jtrue(writer, "suspended"); break;
		case TALK_TRUST: ok = !talk_jtrue(writer, "trusted"); break;
		case TALK_DISMISS: ok = open_flags; break;
		default: break;
		}
		if (ok)
			ch[n++] = action_choices[a];
	}
	memcpy(defs, act_fields, sizeof(act_fields));
	defs[0].choices = ch;
	defs[0].nchoices = n;
	return defs;
}

static enum err mod_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	static const struct done_word words[] = {
		{ "hide", true, "The post is hidden. The writer has been told why." },
		{ "restore", true, "The post is showing again. The writer has been told." },
		{ "approve", true, "The post is approved: everyone can see it. The writer has been told." },
		{ "edit", true, "The post's words are changed. The writer has been told why." },
		{ "warn", true, "The writer has been warned." },
		{ "mute", true, "The writer's posting is paused. They have been told until when." },
		{ "suspend", true, "The writer is suspended. They have been told." },
		{ "unsuspend", true, "The writer's suspension is lifted. They have been told." },
		{ "trust", true, "The writer is trusted." },
		{ "dismiss", true, "The reports are closed." },
	};
	struct mod_ctx *c = ctx;
	json_t *data, *x, *form, *post;
	size_t i;
	enum err e = mod_load(req, c);

	if (e) {
		json_decref(values);
		json_decref(errors);
		return e;
	}
	post = c->post;
	json_object_set_new(post, "when", json_string(talk_web_when(req, talk_jint(post, "created_at"))));
	json_array_foreach(json_object_get(post, "flags"), i, x) {
		json_object_set_new(x, "when", json_string(talk_web_when(req, talk_jint(x, "created_at"))));
		json_object_set_new(x, "urgent", json_boolean(strcmp(talk_jstr(x, "urgency"), "urgent") == 0));
	}
	json_array_foreach(json_object_get(post, "history"), i, x)
		json_object_set_new(x, "when", json_string(talk_web_when(req, talk_jint(x, "edited_at"))));
	x = json_object_get(post, "writer");
	if (talk_jint(x, "muted_until") > req->now)
		json_object_set_new(x, "muted_words", json_string(talk_web_when(req, talk_jint(x, "muted_until"))));
	if (!values)
		values = json_pack("{s:s}", "body", talk_jstr(post, "body"));
	form = web_form_full(web_url(req, "talk.mod_act", talk_web_num(req, talk_jint(post, "id")), NULL), "Do it", false,
			     act_fields_now(req, post), ARRAY_LEN(act_fields), values, errors);
	json_decref(values);
	data = json_pack("{s:O, s:o, s:s, s:s, s:s, s:b, s:b, s:b}", "post", post, "form", form,
			 "reveal_action", web_url(req, "talk.reveal", talk_web_num(req, talk_jint(post, "id")), NULL),
			 "topic_href", arena_printf(&req->arena, "%s#post-%lld",
				web_url(req, "talk.topic", talk_web_num(req, talk_jint(post, "topic_id")), NULL), (long long)talk_jint(post, "id")),
			 "queue_href", web_url(req, "talk.queue", NULL),
			 "held", strcmp(talk_jstr(post, "state"), "held") == 0, "is_hidden", strcmp(talk_jstr(post, "state"), "hidden") == 0,
			 "any_history", json_array_size(json_object_get(post, "history")) > 0);
	if (!data) {
		json_decref(errors);
		return ERR_NOMEM;
	}
	json_object_set_new(data, "any_flags", json_boolean(json_array_size(json_object_get(post, "flags")) > 0));
	if (c->revealed)
		json_object_set_new(data, "revealed", json_incref(c->revealed));
	web_set_errors(data, errors);
	web_done(req, data, words, ARRAY_LEN(words), NULL);
	return web_page(req, resp, status, "talk/mod_post.html", "A post to look at", data);
}

static enum err mod_post_get(struct request *req, struct response *resp)
{
	struct mod_ctx c = { 0 };
	enum err e = mod_page(req, resp, 200, NULL, NULL, &c);

	json_decref(c.post);
	return e;
}

static enum err mod_act_before(struct request *req, const struct bound *b, json_t *errors, void *ctx)
{
	UNUSED(b);
	UNUSED(errors);
	return mod_load(req, ctx);
}

static enum err mod_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct mod_ctx *c = ctx;
	const struct talk_env *env = talk_env_of(req);
	const char *code = action_choices[web_bound(b, "action")->choice].value, *days_text = web_bound(b, "days")->text;
	enum talk_action action;
	int64_t days = 0;
	enum err e;

	UNUSED(resp);
	if (!env)
		return ERR_NOMEM;
	if (!talk_action_parse(code, &action)) {
		web_error(errors, "action", "Choose what to do");
		return ERR_INVALID;
	}
	if (days_text && !str_to_i64(str_c(days_text), 1, TALK_MUTE_DAYS_MAX, &days)) {
		web_error(errors, "days", "Enter the number of days as a number from 1 to 90");
		return ERR_INVALID;
	}
	if (action == TALK_MUTE && !days) {
		web_error(errors, "days", "Enter for how many days to pause their posting, from 1 to 90");
		return ERR_INVALID;
	}
	e = talk_moderate(env, req->db, req->actor, talk_jint(c->post, "id"), action, web_bound(b, "note")->text,
			  web_bound(b, "body")->text, (int)days, req->now, errors);
	if (e == ERR_FORBIDDEN)
		return req_fail(req, e, "You do not moderate the space this post is in.");
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no post here. It may have been removed.");
	if (e == ERR_CONFLICT) {
		web_error(errors, "action", talk_first_detail(errors, "That does not apply to this post as it is now: "
							 "choose something else"));
		return ERR_INVALID;
	}
	if (e == ERR_INVALID && !json_array_size(errors))
		web_error(errors, "action", "Check the form and try again");
	c->done = code;
	return e;
}

static const char *mod_act_done(struct request *req, void *ctx)
{
	const struct mod_ctx *c = ctx;

	return arena_printf(&req->arena, "%s?done=%s", web_url(req, "talk.mod_post", talk_web_num(req, talk_jint(c->post, "id")), NULL),
			    c->done);
}

static const struct form_post mod_act_form = { .fields = act_fields, .nfields = ARRAY_LEN(act_fields),
	.before = mod_act_before, .act = mod_act, .page = mod_page, .done = mod_act_done, .check_all = true };

static enum err mod_act_post(struct request *req, struct response *resp)
{
	struct mod_ctx c = { 0 };
	enum err e = web_form_post(req, resp, &mod_act_form, &c);

	json_decref(c.post);
	return e;
}

/* Who wrote it: looked up in the POST (audited), shown in its answer. */
static enum err reveal_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct mod_ctx *c = ctx;
	enum err e;

	UNUSED(resp);
	UNUSED(b);
	UNUSED(errors);
	e = talk_reveal(req->db, req->actor, talk_jint(c->post, "id"), req->now, &c->revealed);
	if (e == ERR_FORBIDDEN)
		return req_fail(req, e, "You do not moderate the space this post is in.");
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no post here, or its writer's account has gone.");
	return e;
}

static enum err reveal_shown(struct request *req, struct response *resp, void *ctx)
{
	return mod_page(req, resp, 200, NULL, NULL, ctx);
}

static const struct form_post reveal_form = { .before = mod_act_before, .act = reveal_act, .shown = reveal_shown };

static enum err reveal_post(struct request *req, struct response *resp)
{
	struct mod_ctx c = { 0 };
	enum err e = web_form_post(req, resp, &reveal_form, &c);

	json_decref(c.post);
	json_decref(c.revealed);
	return e;
}

/* ---------------------------------------------------------------- messages to the moderators */

static enum err mod_messages_get(struct request *req, struct response *resp)
{
	json_t *o = NULL, *m, *data;
	size_t i;
	enum err e = must_moderate(req);

	if (e || (e = talk_modmail_open(req->db, &o)) != ERR_OK)
		return e;
	json_array_foreach(o, i, m) {
		json_object_set_new(m, "href", json_string(web_url(req, "talk.mod_thread", talk_web_num(req, talk_jint(m, "person_id")), NULL)));
		json_object_set_new(m, "when", json_string(talk_web_when(req, talk_jint(m, "waiting_since"))));
	}
	data = json_pack("{s:o, s:b, s:s}", "waiting", o, "any", json_array_size(o) > 0,
			 "queue_href", web_url(req, "talk.queue", NULL));
	if (!data)
		return ERR_NOMEM;
	return web_page(req, resp, 200, "talk/mod_messages.html", "Messages to the moderators", data);
}

static const struct field_def answer_fields[] = {
	{ .name = "body", .label = "Your answer", .rows = 6, .kind = FIELD_TEXT, .required = true, .max = MODMAIL_MAX,
	  .missing = "Write your answer", .check = field_domain_judges,
	  .hint = "They see it as from “a moderator”, not from you by name. We email them to say there is an answer" },
};

static enum err thread_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	static const struct done_word words[] = {
		{ "sent", true, "Your answer is sent. They have been emailed to say so." },
	};
	int64_t pid = talk_web_id(req, "pid");
	json_t *o = NULL, *m, *data;
	const char *name;
	size_t i;
	enum err e = must_moderate(req);

	UNUSED(ctx);
	if (e || (e = talk_modmail_thread(req->db, pid, &o)) != ERR_OK) {
		json_decref(values);
		json_decref(errors);
		return e;
	}
	name = talk_display_name(req->db, &req->arena, pid);
	json_array_foreach(json_object_get(o, "messages"), i, m) {
		json_object_set_new(m, "when", json_string(talk_web_when(req, talk_jint(m, "created_at"))));
		json_object_set_new(m, "lines", talk_web_lines(talk_jstr(m, "body")));
		json_object_set_new(m, "from", json_string(talk_jtrue(m, "from_moderator") ? "Moderators" : name ? name : "They"));
	}
	data = json_pack("{s:O, s:b, s:s, s:o, s:s}", "messages", json_object_get(o, "messages"),
			 "any", json_array_size(json_object_get(o, "messages")) > 0, "name", name ? name : "Someone",
			 "form", web_form_full(web_url(req, "talk.mod_thread", talk_web_num(req, pid), NULL), "Send the answer",
					       false, answer_fields, ARRAY_LEN(answer_fields), values, errors),
			 "back_href", web_url(req, "talk.mod_messages", NULL));
	json_decref(o);
	json_decref(values);
	return talk_web_form_page(req, resp, status, "talk/mod_thread.html", "A conversation with the moderators", data, errors, words, ARRAY_LEN(words));
}

static enum err thread_get(struct request *req, struct response *resp)
{
	return thread_page(req, resp, 200, NULL, NULL, NULL);
}

static enum err thread_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	const struct talk_env *env = talk_env_of(req);
	enum err e;

	UNUSED(resp);
	UNUSED(ctx);
	if (!env)
		return ERR_NOMEM;
	e = talk_modmail_answer(env, req->db, req->actor, talk_web_id(req, "pid"), web_bound(b, "body")->text,
				req->now, errors);
	if (e == ERR_INVALID && !json_array_size(errors))
		web_error(errors, "body", "Write your answer");
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is nobody to answer here.");
	if (e == ERR_FORBIDDEN)
		return req_fail(req, e, talk_first_detail(errors, "You cannot answer this conversation."));
	return e;
}

static const char *thread_done(struct request *req, void *ctx)
{
	UNUSED(ctx);
	return arena_printf(&req->arena, "%s?done=sent",
			    web_url(req, "talk.mod_thread", talk_web_num(req, talk_web_id(req, "pid")), NULL));
}

static const struct form_post thread_form = { .fields = answer_fields, .nfields = ARRAY_LEN(answer_fields),
	.before = mod_before, .act = thread_act, .page = thread_page, .done = thread_done, .check_all = true };

static enum err thread_post(struct request *req, struct response *resp)
{
	return web_form_post(req, resp, &thread_form, NULL);
}

/* ---------------------------------------------------------------- spaces (coordinators) */

static const struct field_choice kind_choices[] = {
	{ "condition", "Living with a condition" },
	{ "carers", "For carers" },
	{ "general", "For everyone" },
	{ "group", "For a group's members only" },
};

/* The space fields, with the conditions from the directory's vocabulary. */
static const struct field_def *space_fields(struct request *req, size_t *n)
{
	struct field_def *d = arena_calloc(&req->arena, 7, sizeof(*d));
	struct field_choice *conds = arena_calloc(&req->arena, vocab_conditions_n, sizeof(*conds));

	*n = 0;
	if (!d || !conds)
		return NULL;
	for (size_t i = 0; i < vocab_conditions_n; i++)
		conds[i] = (struct field_choice){ vocab_conditions[i].code, vocab_conditions[i].name };
	d[0] = (struct field_def){ .name = "kind", .label = "What kind of space is it?", .kind = FIELD_ONE_OF,
		.required = true, .choices = kind_choices, .nchoices = ARRAY_LEN(kind_choices),
		.missing = "Choose what kind of space it is" };
	d[1] = (struct field_def){ .name = "name", .label = "Name", .kind = FIELD_TEXT, .required = true,
		.max = SPACE_NAME_MAX, .missing = "Enter the space's name", .check = field_domain_judges,
		.hint = "For example: Living with COPD" };
	d[2] = (struct field_def){ .name = "slug", .label = "Its web address", .kind = FIELD_TEXT, .required = true,
		.max = TALK_SLUG_MAX, .nospell = true, .width = "govuk-input--width-20",
		.missing = "Enter the end of the space's web address", .check = field_domain_judges,
		.hint = "Lowercase letters, numbers and dashes, like living-with-copd. Do not use a person's name" };
	d[3] = (struct field_def){ .name = "about", .label = "What it is for", .rows = 4, .kind = FIELD_TEXT,
		.max = SPACE_ABOUT_MAX, .check = field_domain_judges,
		.hint = "A sentence or two people read before they join in" };
	d[4] = (struct field_def){ .name = "condition", .label = "The condition (for a condition's space)",
		.kind = FIELD_ONE_OF, .choices = conds, .nchoices = vocab_conditions_n,
		.select_first = "Not a condition's space" };
	d[5] = (struct field_def){ .name = "service_id", .label = "The group (for a group's space)",
		.kind = FIELD_TEXT, .max = 36, .nospell = true, .width = "govuk-input--width-30",
		.check = field_domain_judges,
		.hint = "The group's number, from the end of its page's address: /groups/…" };
	d[6] = (struct field_def){ .name = "open", .label = "Open", .kind = FIELD_BOOL,
		.hint = "Yes, people can write in it (when not, they can only read it)" };
	*n = 7;
	return d;
}

static struct talk_space_fields space_fields_bound(const struct bound *b)
{
	const struct field_value *kind = web_bound(b, "kind"), *cond = web_bound(b, "condition");

	return (struct talk_space_fields){
		.slug = web_bound(b, "slug")->text, .name = web_bound(b, "name")->text,
		.about = web_bound(b, "about")->text ? web_bound(b, "about")->text : "",
		.kind = kind->choice >= 0 ? kind_choices[kind->choice].value : NULL,
		.condition = cond->choice >= 0 ? vocab_conditions[cond->choice].code : NULL,
		.service_id = web_bound(b, "service_id")->text, .open = web_bound(b, "open")->on,
	};
}

static enum err spaces_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	json_t *o = NULL, *s, *data;
	const struct field_def *defs;
	size_t i, n;
	enum err e = talk_spaces(req->db, req->actor, &o);

	UNUSED(ctx);
	if (e || !(defs = space_fields(req, &n))) {
		json_decref(o);
		json_decref(values);
		json_decref(errors);
		return e ? e : ERR_NOMEM;
	}
	json_array_foreach(o, i, s) {
		json_object_set_new(s, "href", json_string(web_url(req, "talk.space_admin", talk_web_num(req, talk_jint(s, "id")), NULL)));
		json_object_set_new(s, "page_href", json_string(web_url(req, "talk.space", talk_jstr(s, "slug"), NULL)));
	}
	if (!values)
		values = json_pack("{s:s}", "open", "yes");
	data = json_pack("{s:o, s:b, s:o, s:s}", "spaces", o, "any", json_array_size(o) > 0,
			 "form", web_form_full(web_url(req, "talk.spaces_admin", NULL), "Make the space", false, defs, n,
					       values, errors),
			 "queue_href", web_url(req, "talk.queue", NULL));
	json_decref(values);
	return talk_web_form_page(req, resp, status, "talk/spaces_admin.html", "Spaces", data, errors, NULL, 0);
}

static enum err spaces_get(struct request *req, struct response *resp)
{
	return spaces_page(req, resp, 200, NULL, NULL, NULL);
}

static enum err space_create_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct talk_space_fields f = space_fields_bound(b);
	int64_t *id = ctx;
	enum err e;

	UNUSED(resp);
	e = talk_space_create(req->db, &f, req->actor->id, req->now, errors, id);
	if ((e == ERR_INVALID || e == ERR_CONFLICT) && !json_array_size(errors))
		web_error(errors, "slug", "Choose another web address: a space has that one");
	return e == ERR_CONFLICT ? ERR_INVALID : e;
}

static const char *space_made_done(struct request *req, void *ctx)
{
	const int64_t *id = ctx;

	return arena_printf(&req->arena, "%s?done=made", web_url(req, "talk.space_admin", talk_web_num(req, *id), NULL));
}

static enum err spaces_post(struct request *req, struct response *resp)
{
	struct form_post f = { .act = space_create_act, .page = spaces_page, .done = space_made_done };
	int64_t id = 0;

	if (!(f.fields = space_fields(req, &f.nfields)))
		return ERR_NOMEM;
	return web_form_post(req, resp, &f, &id);
}

/* ---- one space: what it says, and its moderators */

static const struct field_def moderator_fields[] = {
	{ .name = "email", .label = "Their email address", .type = "email", .autocomplete = "off", .nospell = true,
	  .kind = FIELD_EMAIL, .required = true, .missing = "Enter the email address of the moderator's kith account",
	  .hint = "Someone who has agreed to look after this space. They need a kith account with a confirmed email "
		  "address" },
};

struct space_ctx {
	struct talk_space s;
	bool moderator_form;          /* the values and errors are the moderator form's */
};

static enum err space_load(struct request *req, struct space_ctx *c)
{
	enum err e;

	if (c->s.id)
		return ERR_OK;
	e = talk_space_load_id(req->db, &req->arena, req->actor, talk_web_id(req, "id"), &c->s);
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no space here.");
	return e;
}

static json_t *space_values(const struct talk_space *s)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kind", talk_space_kind_name(s->kind),
			 "name", s->name ? s->name : "", "slug", s->slug, "about", s->about ? s->about : "",
			 "condition", s->condition ? s->condition : "", "service_id", s->service_id,
			 "open", s->open ? "yes" : "");
}

static enum err space_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	static const struct done_word words[] = {
		{ "made", true, "The space is made." },
		{ "saved", true, "The space is saved." },
		{ "moderator_added", true, "The moderator is added. They can now see this space's reports." },
		{ "moderator_removed", true, "The moderator is removed." },
	};
	struct space_ctx *c = ctx;
	const struct field_def *defs;
	json_t *mods = NULL, *m, *data, *sv;
	const char *sid;
	size_t i, n;
	enum err e = space_load(req, c);

	if (e || (e = talk_moderators(req->db, c->s.id, &mods)) != ERR_OK || !(defs = space_fields(req, &n))) {
		json_decref(values);
		json_decref(errors);
		return e ? e : ERR_NOMEM;
	}
	sid = talk_web_num(req, c->s.id);
	json_array_foreach(mods, i, m)
		json_object_set_new(m, "remove_action", json_string(web_url(req, "talk.moderator_remove", sid,
			talk_web_num(req, talk_jint(m, "person_id")), NULL)));
	sv = c->moderator_form || !values ? space_values(&c->s) : json_incref(values);
	data = json_pack("{s:o, s:o, s:o, s:b, s:s, s:s, s:s}",
			 "form", web_form_full(web_url(req, "talk.space_admin", sid, NULL), "Save the space", false, defs, n,
					       sv, c->moderator_form ? NULL : errors),
			 "moderator_form", web_form_full(web_url(req, "talk.space_admin", sid, NULL), "Add the moderator",
							 false, moderator_fields, ARRAY_LEN(moderator_fields),
							 c->moderator_form ? values : NULL, c->moderator_form ? errors : NULL),
			 "moderators", mods, "any_moderators", json_array_size(mods) > 0,
			 "name", c->s.name ? c->s.name : "", "page_href", web_url(req, "talk.space", c->s.slug, NULL),
			 "back_href", web_url(req, "talk.spaces_admin", NULL));
	json_decref(sv);
	json_decref(values);
	if (!data) {
		json_decref(errors);
		return ERR_NOMEM;
	}
	web_form_hidden(json_object_get(data, "form"), "what", "space");
	web_form_hidden(json_object_get(data, "moderator_form"), "what", "moderator");
	web_set_errors(data, errors);
	web_done(req, data, words, ARRAY_LEN(words), NULL);
	return web_page(req, resp, status, "talk/space_admin.html", "Change a space", data);
}

static enum err space_get(struct request *req, struct response *resp)
{
	struct space_ctx c;

	memset(&c, 0, sizeof(c));
	return space_page(req, resp, 200, NULL, NULL, &c);
}

static enum err space_before(struct request *req, const struct bound *b, json_t *errors, void *ctx)
{
	UNUSED(b);
	UNUSED(errors);
	return space_load(req, ctx);
}

static enum err space_update_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct space_ctx *c = ctx;
	struct talk_space_fields f = space_fields_bound(b);
	enum err e;

	UNUSED(resp);
	e = talk_space_update(req->db, c->s.id, &f, req->actor->id, req->now, errors);
	if ((e == ERR_INVALID || e == ERR_CONFLICT) && !json_array_size(errors))
		web_error(errors, "slug", "Choose another web address: a space has that one");
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no space here.");
	return e == ERR_CONFLICT ? ERR_INVALID : e;
}

static enum err moderator_add_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct space_ctx *c = ctx;
	enum err e;

	UNUSED(resp);
	e = talk_moderator_add(req->db, c->s.id, web_bound(b, "email")->text, req->actor->id, req->now, errors);
	if ((e == ERR_INVALID || e == ERR_NOT_FOUND || e == ERR_CONFLICT) && !json_array_size(errors))
		web_error(errors, "email", "There is no kith account with a confirmed email address like that");
	if (e == ERR_NOT_FOUND || e == ERR_CONFLICT)
		return ERR_INVALID;
	return e;
}

static const char *space_done(struct request *req, struct space_ctx *c, const char *word)
{
	return arena_printf(&req->arena, "%s?done=%s", web_url(req, "talk.space_admin", talk_web_num(req, c->s.id), NULL), word);
}

static const char *space_saved_done(struct request *req, void *ctx)
{
	return space_done(req, ctx, "saved");
}

static const char *moderator_added_done(struct request *req, void *ctx)
{
	return space_done(req, ctx, "moderator_added");
}

static const char *moderator_removed_done(struct request *req, void *ctx)
{
	return space_done(req, ctx, "moderator_removed");
}

static const struct form_post moderator_form = { .fields = moderator_fields,
	.nfields = ARRAY_LEN(moderator_fields), .before = space_before, .act = moderator_add_act, .page = space_page,
	.done = moderator_added_done, .check_all = true };

static enum err space_post(struct request *req, struct response *resp)
{
	struct space_ctx c;
	const char *what = req_form(req, "what");
	struct form_post f = { .before = space_before, .act = space_update_act, .page = space_page,
		.done = space_saved_done, .check_all = true };

	memset(&c, 0, sizeof(c));
	if (what && strcmp(what, "moderator") == 0) {
		c.moderator_form = true;
		return web_form_post(req, resp, &moderator_form, &c);
	}
	if (!(f.fields = space_fields(req, &f.nfields)))
		return ERR_NOMEM;
	return web_form_post(req, resp, &f, &c);
}

static enum err moderator_remove_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct space_ctx *c = ctx;
	enum err e;

	UNUSED(resp);
	UNUSED(b);
	UNUSED(errors);
	e = talk_moderator_remove(req->db, c->s.id, talk_web_id(req, "pid"), req->actor->id, req->now);
	return e == ERR_NOT_FOUND ? req_fail(req, e, "That person does not moderate this space.") : e;
}

static const struct form_post moderator_remove_form = { .before = space_before, .act = moderator_remove_act,
	.done = moderator_removed_done };

static enum err moderator_remove_post(struct request *req, struct response *resp)
{
	struct space_ctx c;

	memset(&c, 0, sizeof(c));
	return web_form_post(req, resp, &moderator_remove_form, &c);
}

/* ---------------------------------------------------------------- watched words (coordinators) */

static const struct field_choice word_actions[] = {
	{ "hold", "Hold the post until a moderator checks it" },
	{ "replace", "Replace the word and publish the post" },
};

static const struct field_def word_fields[] = {
	{ .name = "word", .label = "Word or words", .kind = FIELD_TEXT, .required = true, .max = TALK_WORD_MAX,
	  .width = "govuk-input--width-20", .missing = "Enter the word to watch for", .check = field_domain_judges },
	{ .name = "action", .label = "When a post has it", .kind = FIELD_ONE_OF, .required = true,
	  .choices = word_actions, .nchoices = ARRAY_LEN(word_actions), .missing = "Choose what happens to a post with it" },
	{ .name = "replacement", .label = "Replace it with (optional)", .kind = FIELD_TEXT, .max = TALK_WORD_MAX,
	  .width = "govuk-input--width-20", .check = field_domain_judges,
	  .hint = "Only when it is replaced. Leave it empty for ***" },
};

static const struct field_def word_remove_fields[] = {
	{ .name = "word", .label = "Word", .kind = FIELD_TEXT, .required = true, .max = TALK_WORD_MAX,
	  .missing = "Choose the word to stop watching for" },
};

static enum err words_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	static const struct done_word words[] = {
		{ "added", true, "The word is watched for in new posts and changes." },
		{ "removed", true, "The word is no longer watched for." },
	};
	json_t *o = NULL, *w, *data;
	size_t i;
	enum err e = talk_watched_list(req->db, &o);

	UNUSED(ctx);
	if (e) {
		json_decref(values);
		json_decref(errors);
		return e;
	}
	json_array_foreach(o, i, w)
		json_object_set_new(w, "hold", json_boolean(strcmp(talk_jstr(w, "action"), "hold") == 0));
	data = json_pack("{s:o, s:b, s:o, s:s, s:s}", "words", o, "any", json_array_size(o) > 0,
			 "form", web_form_full(web_url(req, "talk.words", NULL), "Add the word", false, word_fields,
					       ARRAY_LEN(word_fields), values, errors),
			 "remove_action", web_url(req, "talk.word_remove", NULL), "queue_href", web_url(req, "talk.queue", NULL));
	json_decref(values);
	return talk_web_form_page(req, resp, status, "talk/words.html", "Watched words", data, errors, words, ARRAY_LEN(words));
}

static enum err words_get(struct request *req, struct response *resp)
{
	return words_page(req, resp, 200, NULL, NULL, NULL);
}

static enum err word_add_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	enum err e;

	UNUSED(resp);
	UNUSED(ctx);
	e = talk_watched_add(req->db, web_bound(b, "word")->text, word_actions[web_bound(b, "action")->choice].value,
			     web_bound(b, "replacement")->text, req->actor->id, req->now, errors);
	if ((e == ERR_INVALID || e == ERR_CONFLICT) && !json_array_size(errors))
		web_error(errors, "word", "That word is watched for already");
	return e == ERR_CONFLICT ? ERR_INVALID : e;
}

static const struct form_post word_form = { .fields = word_fields, .nfields = ARRAY_LEN(word_fields),
	.act = word_add_act, .page = words_page, .done_route = "talk.words", .done_word = "added" };

static enum err words_post(struct request *req, struct response *resp)
{
	return web_form_post(req, resp, &word_form, NULL);
}

static enum err word_remove_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	enum err e;

	UNUSED(resp);
	UNUSED(errors);
	UNUSED(ctx);
	e = talk_watched_remove(req->db, web_bound(b, "word")->text, req->actor->id, req->now);
	return e == ERR_NOT_FOUND ? req_fail(req, e, "That word is not on the list.") : e;
}

static const struct form_post word_remove_form = { .fields = word_remove_fields,
	.nfields = ARRAY_LEN(word_remove_fields), .act = word_remove_act, .done_route = "talk.words",
	.done_word = "removed" };

static enum err word_remove_post(struct request *req, struct response *resp)
{
	return web_form_post(req, resp, &word_remove_form, NULL);
}

/* ---------------------------------------------------------------- the feature */

static const struct route routes[] = {
	{ M_GET,  "/talk/moderate", queue_get, &act_talk_moderate, 0, "talk.queue" },
	{ M_POST, "/talk/moderate/duty", duty_post, &act_talk_moderate, FORM, "talk.duty" },
	{ M_GET,  "/talk/moderate/posts/{id:int}", mod_post_get, &act_talk_moderate, 0, "talk.mod_post" },
	{ M_POST, "/talk/moderate/posts/{id:int}/act", mod_act_post, &act_talk_moderate, FORM, "talk.mod_act" },
	{ M_POST, "/talk/moderate/posts/{id:int}/reveal", reveal_post, &act_talk_moderate, FORM, "talk.reveal" },
	{ M_GET,  "/talk/moderate/messages", mod_messages_get, &act_talk_moderate, 0, "talk.mod_messages" },
	{ M_GET,  "/talk/moderate/messages/{pid:int}", thread_get, &act_talk_moderate, 0, "talk.mod_thread" },
	{ M_POST, "/talk/moderate/messages/{pid:int}", thread_post, &act_talk_moderate, FORM, "talk.mod_thread" },
	{ M_GET,  "/talk/moderate/spaces", spaces_get, &act_talk_admin, 0, "talk.spaces_admin" },
	{ M_POST, "/talk/moderate/spaces", spaces_post, &act_talk_admin, FORM, "talk.spaces_admin" },
	{ M_GET,  "/talk/moderate/spaces/{id:int}", space_get, &act_talk_admin, 0, "talk.space_admin" },
	{ M_POST, "/talk/moderate/spaces/{id:int}", space_post, &act_talk_admin, FORM, "talk.space_admin" },
	{ M_POST, "/talk/moderate/spaces/{id:int}/moderators/{pid:int}/remove", moderator_remove_post, &act_talk_admin,
	  FORM, "talk.moderator_remove" },
	{ M_GET,  "/talk/moderate/words", words_get, &act_talk_admin, 0, "talk.words" },
	{ M_POST, "/talk/moderate/words", words_post, &act_talk_admin, FORM, "talk.words" },
	{ M_POST, "/talk/moderate/words/remove", word_remove_post, &act_talk_admin, FORM, "talk.word_remove" },
};

const struct feature talk_moderate_feature = {
	.name = "talk_moderate",
	.routes = routes,
	.nroutes = ARRAY_LEN(routes),
	.actions = talk_actions,
};
