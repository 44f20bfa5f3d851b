/*
 * calendar_web.c - groups' calendar files and a person's private feed
 * link (calendar.h), and the feature that serves them:
 *
 *   /groups/{id}/calendar.ics                   a group's feed (public for a
 *                                               published group)
 *   /groups/{id}/sessions/{day}/calendar.ics    "Add to calendar": one session
 *                                               (a service without a group too)
 *   /calendar                                   your private feed's link: made on
 *                                               the first visit and shown then; a
 *                                               new one by the button
 *   /calendar/new                               (POST) a new link; the old stops
 *   /calendar/{token}.ics                       your feed, for calendar programs
 *
 * The private feed's URL is the only key to it (a calendar program sends
 * no cookie): "/calendar/" and 64 lowercase hex digits (256 random bits)
 * and ".ics", which programs expect of a calendar's address. Only its
 * SHA-256 is stored, so the page shows a link once, when it is made, as
 * the API tokens page does; a lost link is replaced with a new one. A
 * token that is not one, was replaced, or belongs to a deactivated
 * account is a 404 like any other address, in the same time.
 */
#include "core/common.h"
#include "groups/calendar.h"

#include "app/app.h"
#include "app/features.h"
#include "auth/policy.h"
#include "core/uktime.h"
#include "groups/groups_policy.h"
#include "http/request.h"
#include "web/form.h"
#include "web/url.h"
#include "web/view.h"

#include <sodium.h>

#define ICS_MIME "text/calendar; charset=utf-8"
#define ICS_SUFFIX ".ics"

/* The file in out as the response: text/calendar, its bytes moved. */
static enum err send_ics(struct request *req, struct response *resp, struct buf *out,
		const char *filename)
{
	if (!buf_ok(out))
		return ERR_NOMEM;
	resp->status = 200;
	resp->content_type = ICS_MIME;
	buf_release(&resp->body);
	resp->body = *out;
	buf_init(out, 0);
	if (filename)
		resp_header(resp, "Content-Disposition",
			    arena_printf(&req->arena, "attachment; filename=\"%s\"", filename));
	return ERR_OK;
}

/* GET /groups/{id}/calendar.ics */
static enum err group_ics(struct request *req, struct response *resp)
{
	const char *id = req_param(req, "id")->val;
	struct buf out;
	enum err e;

	buf_init(&out, CALENDAR_BYTES_MAX);
	e = calendar_group(&req->app->links, req->db, &req->arena, req->actor, id, req->now, &out);
	if (e == ERR_OK)
		e = send_ics(req, resp, &out, NULL);
	else if (e == ERR_NOT_FOUND)
		e = req_fail(req, e, "There is no group with that address. Check the link you were given.");
	buf_release(&out);
	return e;
}

/* GET /groups/{id}/sessions/{day}/calendar.ics */
static enum err session_ics(struct request *req, struct response *resp)
{
	const char *id = req_param(req, "id")->val, *skey = req_param(req, "day")->val;
	struct buf out;
	enum err e;

	buf_init(&out, CALENDAR_BYTES_MAX);
	e = calendar_session(&req->app->links, req->db, &req->arena, req->actor, id, skey, req->now, &out);
	if (e == ERR_OK)
		e = send_ics(req, resp, &out, arena_printf(&req->arena, "session-%s.ics", skey));
	else if (e == ERR_NOT_FOUND)
		e = req_fail(req, e, "There is no session on that day. Check the group's page for when it meets.");
	else if (e == ERR_GONE)
		e = req_fail(req, e, "This session is cancelled, so there is nothing to add to your calendar. "
			     "The group's page says when it meets next.");
	buf_release(&out);
	return e;
}

/* GET /calendar/{token}.ics */
static enum err person_ics(struct request *req, struct response *resp)
{
	const char *file = req_param(req, "token")->val;
	size_t n = strlen(file), sn = strlen(ICS_SUFFIX);
	char token[CALENDAR_TOKEN_HEX + 1] = "";
	int64_t person = 0;
	struct buf out;
	enum err e = ERR_NOT_FOUND;

	if (n == CALENDAR_TOKEN_HEX + sn && strcmp(file + CALENDAR_TOKEN_HEX, ICS_SUFFIX) == 0) {
		memcpy(token, file, CALENDAR_TOKEN_HEX);
		e = calendar_feed_person(req->db, token, &person);
		sodium_memzero(token, sizeof(token));
	}
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "This calendar link does not work. It may have been replaced by a new "
				"one: sign in and open Your calendar link for the new link.");
	if (e)
		return e;
	buf_init(&out, CALENDAR_BYTES_MAX);
	e = calendar_person(&req->app->links, req->db, &req->arena, person, req->now, &out);
	if (e == ERR_OK)
		e = send_ics(req, resp, &out, NULL);
	buf_release(&out);
	return e;
}

/* ---------------------------------------------------------------- the page */

/* The feed's address for calendar programs. */
static const char *feed_url(struct request *req, const char *token)
{
	return arena_printf(&req->arena, "%s%s", req->app->links.base_url ? req->app->links.base_url : "",
			    web_url(req, "groups.calendar_feed", arena_printf(&req->arena, "%s%s", token,
									      ICS_SUFFIX), NULL));
}

/* The page: the link when one was just made (token), else when the
 * current one was made. */
static enum err page(struct request *req, struct response *resp, const char *token, int64_t made,
		bool replaced)
{
	char date[UK_FORMAT_MAX];
	json_t *data = json_pack("{s:s, s:b}", "new_action", web_url(req, "groups.calendar_new", NULL),
				 "replaced", replaced);

	if (!data)
		return ERR_NOMEM;
	if (token) {
		json_object_set_new(data, "feed_url", json_string(feed_url(req, token)));
	} else if (made) {
		uk_format_date(made, date, sizeof(date));
		json_object_set_new(data, "made", json_string(date));
	}
	if (replaced)
		web_set_banner(data, true, "You have a new calendar link. The old one no longer works.");
	return web_page(req, resp, 200, "groups/calendar.html", "Your calendar link", data);
}

/* GET /calendar: the first visit makes the link (the route writes). */
static enum err my_calendar_get(struct request *req, struct response *resp)
{
	char token[CALENDAR_TOKEN_HEX + 1];
	int64_t made = 0;
	enum err e;

	if ((e = calendar_feed_made(req->db, req->actor->id, &made)) != ERR_OK)
		return e;
	if (made)
		return page(req, resp, NULL, made, false);
	if ((e = calendar_feed_new(req->db, req->actor->id, req->now, token)) != ERR_OK)
		return e;
	e = page(req, resp, token, req->now, false);
	sodium_memzero(token, sizeof(token));
	return e;
}

struct new_ctx {
	char token[CALENDAR_TOKEN_HEX + 1];
};

static enum err new_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct new_ctx *c = ctx;

	UNUSED(resp);
	UNUSED(b);
	UNUSED(errors);
	return calendar_feed_new(req->db, req->actor->id, req->now, c->token);
}

/* Shown once, on this page only: never in a URL. */
static enum err new_shown(struct request *req, struct response *resp, void *ctx)
{
	struct new_ctx *c = ctx;
	enum err e = page(req, resp, c->token, req->now, true);

	sodium_memzero(c->token, sizeof(c->token));
	return e;
}

static const struct form_post new_form = { .act = new_act, .shown = new_shown };

/* POST /calendar/new */
static enum err calendar_new_post(struct request *req, struct response *resp)
{
	struct new_ctx c = { "" };

	return web_form_post(req, resp, &new_form, &c);
}

#define FORM (RF_FORM | RF_CSRF)

static const struct route routes[] = {
	{ M_GET,  "/groups/{id:uuid}/calendar.ics", group_ics, &act_public, 0, "groups.calendar" },
	{ M_GET,  "/groups/{id:uuid}/sessions/{day:slug}/calendar.ics", session_ics, &act_public, 0,
	  "groups.session_ics" },
	{ M_GET,  "/calendar", my_calendar_get, &act_group_feed, RF_WRITE_TX, "groups.my_calendar" },
	{ M_POST, "/calendar/new", calendar_new_post, &act_group_feed, FORM, "groups.calendar_new" },
	{ M_GET,  "/calendar/{token:file}", person_ics, &act_public, 0, "groups.calendar_feed" },
};

const struct feature group_calendar_feature = {
	.name = "group_calendar",
	.routes = routes,
	.nroutes = ARRAY_LEN(routes),
	.actions = group_actions,
};
