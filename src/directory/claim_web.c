/*
 * claim_web.c - the pages for bringing organisations on (claim.h).
 *
 * /organisations/to-bring-on is the coordinators' list: each organisation
 * with nobody on kith that a referral has needed, its contact address (or
 * a box to record one), how many referrals are waiting and when a claim
 * link last went, with a button that sends a new one. Both forms post
 * through web_form_post and come back to the list (303, ?done=).
 *
 * /claim/{token} is the link in the email. The GET only shows what
 * claiming means (mail scanners that follow links use nothing up); a
 * visitor is asked to sign in or to create an account, and either way
 * comes back here (?next=, which both take). The POST, signed in, uses the link: the account becomes
 * the organisation's organiser, is signed in again (a role change ends
 * every session) and is shown where the referrals are. The token is in
 * the path only: the access log writes the route's pattern, never the
 * path, and pages are sent with Referrer-Policy: no-referrer.
 */
#include "core/common.h"
#include "app/app.h"
#include "app/features.h"
#include "audit/audit_web.h"
#include "auth/auth_web.h"
#include "core/event.h"
#include "core/log.h"
#include "core/str.h"
#include "core/uktime.h"
#include "directory/claim.h"
#include "directory/directory.h"
#include "directory/directory_feature.h"
#include "org/org.h"
#include "store/store.h"
#include "web/errors.h"
#include "web/form.h"
#include "web/url.h"
#include "web/view.h"

/* org_claim_days: how long a link works. */
static int claim_days(const struct request *req)
{
	return req->app->cfg ? SETTINGS_OF(req->app->cfg, struct claim_settings,
			claim_settings)->org_claim_days : CLAIM_DEFAULT_DAYS;
}

static struct claim_env *env_of(struct request *req)
{
	struct claim_env *env = arena_zalloc(&req->arena, sizeof(*env));

	if (env)
		*env = (struct claim_env){ .mailer = &req->app->mailer, .links = &req->app->links,
					   .days = claim_days(req) };
	return env;
}

#define R(x) ROLE_BIT(ROLE_##x)

/* The list and its buttons: coordinators, whose work bringing local
 * organisations on is. */
const struct action act_org_bring_on = { .name = "org_bring_on", .roles = R(COORDINATOR) };

static const struct action *const claim_actions[] = { &act_org_bring_on, NULL };

/* ---------------------------------------------------------------- the list */

#define FLD_EMAIL "email"

static const struct field_def email_fields[] = {
	{ .name = FLD_EMAIL, .label = "The organisation's email address", .type = "email",
	  .hint = "Where the link to claim the organisation is sent. It is shown on the "
		  "organisation's page in the directory too.",
	  .autocomplete = "off", .nospell = true, .kind = FIELD_EMAIL, .required = true,
	  .missing = "Enter the organisation's email address", .max = 254 },
};

/* Which organisation a form on the list is about. */
struct list_ctx {
	const char *org_id;
};

static const char *org_param(struct request *req)
{
	const struct param *p = req_param(req, "id");

	return p ? p->val : NULL;
}

/* "7 December 2026", or NULL for never. */
static json_t *day_words(int64_t t)
{
	char d[UK_FORMAT_MAX];

	if (t <= 0)
		return json_null();
	uk_format_date(t, d, sizeof(d));
	return json_string(d);
}

/* Each row's links, button and words. */
static void decorate(struct request *req, json_t *list)
{
	size_t i;
	json_t *o;

	json_array_foreach(list, i, o) {
		const char *id = json_string_value(json_object_get(o, "org_id"));
		int64_t sent = json_integer_value(json_object_get(o, "sent_at"));

		json_object_set_new(o, "org_href", json_string(web_url(req, "directory.organisation", id, NULL)));
		json_object_set_new(o, "needed_words", day_words(json_integer_value(
			json_object_get(o, "first_needed_at"))));
		json_object_set_new(o, "sent_words", day_words(sent));
		json_object_set_new(o, "one_waiting", json_boolean(
			json_integer_value(json_object_get(o, "waiting")) == 1));
		json_object_set_new(o, "send_action", json_string(web_url(req, "claim.send", id, NULL)));
		json_object_set_new(o, "send_words", json_string(sent ? "Send a new claim link"
							       : "Send a claim link"));
		json_object_set_new(o, "email_href", json_string(web_url(req, "claim.email", id, NULL)));
	}
}

static enum err list_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	static const struct done_word words[] = {
		{ "sent", true, "The claim link is sent. It works for %s days." },
		{ "email-saved", true, "The address is saved. You can send the claim link to it now." },
	};
	json_t *data, *list = NULL;
	enum err e = claim_list(req->db, req->now, &list);

	UNUSED(ctx);
	if (e) {
		json_decref(list);
		json_decref(values);
		json_decref(errors);
		return e;
	}
	decorate(req, list);
	data = json_pack("{s:o, s:b, s:i}", "items", list, "any", json_array_size(list) > 0,
			 "days", claim_days(req));
	web_set_errors(data, errors);
	web_done(req, data, words, ARRAY_LEN(words),
		 arena_printf(&req->arena, "%d", claim_days(req)));
	json_decref(values);
	return web_page(req, resp, status, "directory/to-bring-on.html", "Organisations to bring on",
			data);
}

static enum err list_get(struct request *req, struct response *resp)
{
	return list_page(req, resp, 200, NULL, NULL, NULL);
}

static enum err send_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	const struct list_ctx *c = ctx;
	const struct claim_env *env = env_of(req);
	enum err e;

	UNUSED(resp);
	UNUSED(b);
	UNUSED(errors);
	if (!env)
		return ERR_NOMEM;
	e = claim_send(env, req->db, c->org_id, req->actor->id, req->now);
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no such organisation. It may have been removed.");
	if (e == ERR_INVALID)
		return req_fail(req, ERR_CONFLICT, "The organisation has no email address to send the "
				"link to. Record its address on the list first.");
	if (e == ERR_CONFLICT)
		return req_fail(req, e, "Somebody from this organisation is on kith already, so it "
				"needs no claim link.");
	return e;
}

static const struct form_post send_form = {
	.act = send_act, .done_route = "claim.list", .done_word = "sent",
};

static enum err send_post(struct request *req, struct response *resp)
{
	struct list_ctx c = { .org_id = org_param(req) };

	return web_form_post(req, resp, &send_form, &c);
}

/* /organisations/to-bring-on/{id}/email: the address to send the link
 * to, when the directory has none (or the wrong one). */
static enum err email_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	const struct list_ctx *c = ctx;
	struct org_record o;
	json_t *data;
	enum err e = c->org_id ? org_get(req->db, &req->arena, c->org_id, &o) : ERR_NOT_FOUND;

	if (e) {
		json_decref(values);
		json_decref(errors);
		return e == ERR_NOT_FOUND ? req_fail(req, e, "There is no such organisation. It may "
						     "have been removed.") : e;
	}
	if (!values)
		values = json_pack("{s:s}", FLD_EMAIL, o.email ? o.email : "");
	data = json_pack("{s:s, s:o, s:s}", "org_name", o.name,
			 "form", web_form(web_url(req, "claim.email", c->org_id, NULL), "Save the address",
					  false, email_fields, ARRAY_LEN(email_fields), values, errors),
			 "back_href", web_url(req, "claim.list", NULL));
	web_set_errors(data, errors);
	json_decref(values);
	return web_page(req, resp, status, "directory/bring-on-email.html",
			arena_printf(&req->arena, "Email address for %s", o.name), data);
}

static enum err email_get(struct request *req, struct response *resp)
{
	struct list_ctx c = { .org_id = org_param(req) };

	return email_page(req, resp, 200, NULL, NULL, &c);
}

static enum err email_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	const struct list_ctx *c = ctx;
	enum err e = claim_set_email(req->db, c->org_id, web_bound(b, FLD_EMAIL)->text,
				     req->actor->id, req->now);

	UNUSED(resp);
	if (e == ERR_INVALID) {
		web_error(errors, FLD_EMAIL, "Enter an email address in the right format, like "
			  "name@example.com");
		return ERR_INVALID;
	}
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no such organisation. It may have been removed.");
	return e;
}

static const struct form_post email_form = {
	.fields = email_fields, .nfields = ARRAY_LEN(email_fields),
	.act = email_act, .page = email_page, .done_route = "claim.list", .done_word = "email-saved",
};

static enum err email_post(struct request *req, struct response *resp)
{
	struct list_ctx c = { .org_id = org_param(req) };

	return web_form_post(req, resp, &email_form, &c);
}

/* ---------------------------------------------------------------- the link */

static enum err link_gone(struct request *req, struct response *resp)
{
	return web_page(req, resp, 404, "directory/claim.html",
			"This link has expired or has already been used",
			json_pack("{s:b}", "gone", true));
}

static enum err claim_get(struct request *req, struct response *resp)
{
	const char *token = web_path_token(req), *org_id = NULL, *name = NULL, *here;
	bool elsewhere = false, already = false;
	enum err e = token ? claim_peek(req->db, &req->arena, token, req->now, &org_id, &name)
			   : ERR_NOT_FOUND;

	if (e == ERR_NOT_FOUND)
		return link_gone(req, resp);
	if (e)
		return e;
	if (req->actor->id && (req->actor->roles & ROLE_BIT(ROLE_ORGANISER))) {
		already = req->actor->org_id && strcmp(req->actor->org_id, org_id) == 0;
		elsewhere = !already;
	}
	here = web_url(req, "claim.page", token, NULL);
	return web_page(req, resp, 200, "directory/claim.html",
			arena_printf(&req->arena, "Claim %s on %s", name, req->app->cfg->site_name),
			json_pack("{s:s, s:s, s:b, s:b, s:b, s:s++, s:s, s:i}",
				  "org_name", name, "action", here,
				  "signed_in", req->actor->id != 0, "elsewhere", elsewhere,
				  "already", already, "login_href", web_url(req, "account.login", NULL),
				  "?next=", here,
				  "register_href", arena_printf(&req->arena, "%s?next=%s",
					web_url(req, "account.register", NULL), here),
				  "days", claim_days(req)));
}

/* What the claim's post leaves its shown(). */
struct claim_ctx {
	const char *token;
	const char *org_id;
};

static enum err claim_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct claim_ctx *c = ctx;
	int64_t person = req->actor->id;
	bool granted = !(req->actor->roles & ROLE_BIT(ROLE_ORGANISER));
	enum err e;

	UNUSED(b);
	UNUSED(errors);
	e = !person ? ERR_NOT_FOUND : c->token ? claim_take(req->db, &req->arena, c->token, person, req->now, &c->org_id)
		     : ERR_NOT_FOUND;
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "This link has expired or has already been used. Ask the "
				"coordinators for a new one.");
	if (e == ERR_CONFLICT)
		return req_fail(req, e, "Your account is already the organiser for another "
				"organisation, and an account can act for one. Sign out and claim "
				"with another account, or ask the coordinators.");
	if (e)
		return e;
	/* Other features hear of the new role, as of any grant. */
	if (granted && (e = event_publish(&req->app->events, &(struct event){
			.kind = EV_ROLE_CHANGED, .db = req->db, .now = req->now, .person_id = person,
			.actor_id = person, .role = ROLE_ORGANISER, .granted = 1 })) != ERR_OK)
		return e;
	/* The new role ended every session of theirs: this browser's
	 * starts again, with it. */
	return auth_login(req, resp, person);
}

static enum err claim_shown(struct request *req, struct response *resp, void *ctx)
{
	const struct claim_ctx *c = ctx;
	const char *name = NULL;
	enum err e = org_name(req->db, &req->arena, c->org_id, &name);

	if (e)
		return e;
	if (!name)
		name = "your organisation";
	return web_page(req, resp, 200, "directory/claim.html",
			arena_printf(&req->arena, "You are now the organiser for %s", name),
			json_pack("{s:b, s:s, s:s, s:s}", "claimed", true, "org_name", name,
				  "inbox_href", web_url(req, "referral.inbox", NULL),
				  "manage_href", web_url(req, "manage.home", NULL)));
}

static const struct form_post claim_form = {
	.act = claim_act, .shown = claim_shown,
};

static enum err claim_post(struct request *req, struct response *resp)
{
	struct claim_ctx c = { .token = web_path_token(req) };

	/* Not signed in (a form kept from before signing out): back to the
	 * page, which says to sign in first. */
	if (!req->actor->id && c.token) {
		resp_redirect(req, resp, web_url(req, "claim.page", c.token, NULL));
		return ERR_OK;
	}
	return web_form_post(req, resp, &claim_form, &c);
}

/* ---------------------------------------------------------------- the feature */

#define FORM (RF_FORM | RF_CSRF)

static const struct route routes[] = {
	{ M_GET,  "/organisations/to-bring-on", list_get, &act_org_bring_on, 0, "claim.list" },
	{ M_POST, "/organisations/to-bring-on/{id:uuid}/send", send_post, &act_org_bring_on, FORM,
	  "claim.send" },
	{ M_GET,  "/organisations/to-bring-on/{id:uuid}/email", email_get, &act_org_bring_on, 0,
	  "claim.email" },
	{ M_POST, "/organisations/to-bring-on/{id:uuid}/email", email_post, &act_org_bring_on, FORM,
	  "claim.email" },
	{ M_GET,  "/claim/{token}", claim_get, &act_public, 0, "claim.page" },
	{ M_POST, "/claim/{token}", claim_post, &act_public, FORM, "claim.page" },
};

#define CS(field) CFG(struct claim_settings, field)

static const struct config_key keys[] = {
	{ "org_claim_days", CT_INT, CS(org_claim_days), 1, 90, "14",
	  "days a link to claim an organisation with nobody on kith works (sent to its contact "
	  "address when a referral finds nobody, or by a coordinator)", NULL },
	{ 0 },
};

const struct settings claim_settings = { "Bringing organisations on", keys,
	sizeof(struct claim_settings) };

const struct feature claim_feature = {
	.name = "claim",
	.settings = &claim_settings,
	.actions = claim_actions,
	.routes = routes,
	.nroutes = ARRAY_LEN(routes),
};
