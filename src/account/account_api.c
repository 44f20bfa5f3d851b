/*
 * account_api.c - the account JSON API under /api/v1: accounts, sessions,
 * me, password resets, people and their roles, API tokens.
 *
 * The same rules and actions as the pages (account.c, and the shared
 * actions in account_web.c and people_web.c), so a form and its endpoint
 * refuse the same things with the same words: 422 with
 * errors: [{field, detail}]. Other failures are problem+json documents
 * (req_fail). Bearer-token callers need no CSRF token; a browser's cookie
 * session can call these too, but only with a JSON body or a method a
 * cross-site form cannot send, so no other site can make it do so.
 *
 * Query parameters are read with web/api.h: empty is absent, a bad value
 * or a parameter an endpoint does not take is a 400 naming it, and the
 * lists (people, tokens) page the same way.
 */
#include "core/common.h"
#include "account/account.h"
#include "app/app.h"
#include "app/features.h"
#include "audit/audit.h"
#include "audit/audit_web.h"
#include "auth/attempts.h"
#include "auth/auth_web.h"
#include "auth/person.h"
#include "auth/session.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "store/store.h"
#include "web/api.h"
#include "web/view.h"

#include <sodium.h>

/* A string member of the JSON body, trimmed (arena copy), or NULL when
 * absent, not a string, or holding a NUL. */
static const char *body_str(struct request *req, const char *key, bool trim)
{
	const json_t *v = json_object_get(req->json, key);
	const char *s;
	struct str t;

	if (!json_is_string(v))
		return NULL;
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return NULL;
	if (!trim)
		return s;
	t = str_trim(str_c(s));
	return arena_strndup(&req->arena, t.p, t.n);
}

static enum err need_object(struct request *req)
{
	if (!json_is_object(req->json))
		return req_fail(req, ERR_BAD_REQUEST,
				"Send a JSON object with Content-Type: application/json.");
	return ERR_OK;
}

/* 422 with the form's errors, or ERR_OK when there are none. Takes
 * errors. */
static enum err field_errors(struct request *req, json_t *errors)
{
	if (!errors)
		return ERR_NOMEM;
	if (json_array_size(errors) == 0) {
		json_decref(errors);
		return ERR_OK;
	}
	return req_fail_fields(req, "Some fields need changing: see errors.", errors);
}

static void iso(int64_t t, char out[32])
{
	if (!time_iso8601(t, out, 32))
		out[0] = '\0';
}

/* POST /api/v1/accounts {name, email, password, phone?} */
static enum err api_register(struct request *req, struct response *resp)
{
	const char *name, *email, *phone, *pw;
	struct person p;
	int64_t id = 0;
	enum err e;

	if ((e = api_none(req)) != ERR_OK || (e = need_object(req)) != ERR_OK)
		return e;
	name = body_str(req, FLD_NAME, true);
	email = body_str(req, FLD_EMAIL, true);
	phone = body_str(req, FLD_PHONE, true);
	pw = body_str(req, FLD_PASSWORD, false);
	if ((e = field_errors(req, account_check_register(name, email, phone, pw))) != ERR_OK)
		return e;
	if ((e = account_register(req, resp, name, email, phone, pw, false, &id)) != ERR_OK)
		return e;
	if ((e = person_get(req->db, &req->arena, id, &p)) != ERR_OK)
		return e;
	resp_header(resp, "Location", "/api/v1/me");
	return view_json(req, resp, 201, person_json(&p, false));
}

/* POST /api/v1/sessions {email, password} */
static enum err api_login(struct request *req, struct response *resp)
{
	const char *email, *pw;
	struct person p;
	struct session_new sn;
	char acct_key[ATTEMPT_KEY_MAX], lower[PERSON_EMAIL_MAX + 1], when[32];
	int64_t now = req->now;
	json_t *out;
	enum err e;

	if ((e = api_none(req)) != ERR_OK || (e = need_object(req)) != ERR_OK)
		return e;
	email = body_str(req, FLD_EMAIL, true);
	pw = body_str(req, FLD_PASSWORD, false);
	if ((e = field_errors(req, account_check_login(email, pw))) != ERR_OK)
		return e;
	if ((e = account_authenticate(req, email, pw, &p)) != ERR_OK)
		return e;
	str_lower_email(email, lower, sizeof(lower));
	attempts_key(acct_key, ATTEMPT_LOGIN_ACCOUNT, lower);
	if ((e = db_begin(req->db)) != ERR_OK)
		return e;
	/* Signing in is how a deactivated account, or one waiting to be
	 * deleted, comes back (as auth_login does for browsers). */
	if (p.deactivated_at &&
	    ((e = person_set_deactivated(req->db, p.id, false, now)) != ERR_OK ||
	     (e = audit_req(req, "account.reactivated", p.id, NULL)) != ERR_OK))
		return e;
	if ((p.erase_after || p.delete_requested_at) &&
	    ((e = person_set_delete(req->db, p.id, 0, now)) != ERR_OK ||
	     (e = audit_req(req, "account.delete_cancelled", p.id, NULL)) != ERR_OK))
		return e;
	if ((e = session_create(req->db, p.id, SESSION_API, req->client_ip,
				req_header(req, "User-Agent"), now,
				now + SETTINGS_OF(req->app->cfg, struct account_settings, account_settings)->api_session_lifetime, &sn)) != ERR_OK ||
	    (e = attempts_clear(req->db, acct_key)) != ERR_OK ||
	    (e = audit_req(req, "login", p.id, "kind=api")) != ERR_OK ||
	    (e = db_commit(req->db)) != ERR_OK) {
		sodium_memzero(&sn, sizeof(sn));
		return e;
	}
	iso(sn.expires_at, when);
	out = json_pack("{s:s, s:s, s:{s:I, s:s}}", "token", sn.token, "expires_at", when,
			"person", "id", (json_int_t)p.id, "name", p.name);
	sodium_memzero(&sn, sizeof(sn));
	return view_json(req, resp, 201, out);
}

/* GET /api/v1/me */
static enum err api_me(struct request *req, struct response *resp)
{
	struct person p;
	enum err e;

	if ((e = api_none(req)) != ERR_OK)
		return e;
	e = person_get(req->db, &req->arena, req->actor->id, &p);
	if (e == ERR_NOT_FOUND)
		return req_fail(req, ERR_UNAUTHORIZED, "Sign in again.");
	if (e)
		return e;
	return view_json(req, resp, 200, person_json(&p, true));
}

/* DELETE /api/v1/sessions/current */
static enum err api_logout(struct request *req, struct response *resp)
{
	const struct actor *a = req->actor;
	enum err e;

	if ((e = api_none(req)) != ERR_OK)
		return e;
	if (!a->session_id)
		return req_fail(req, ERR_NOT_FOUND, "This request was made with an API token, not a "
				"session. Revoke tokens with DELETE /api/v1/tokens/{id}.");
	/* A bearer API session is revoked; a browser's cookie cleared too. */
	if ((e = db_begin(req->db)) != ERR_OK || (e = auth_logout(req, resp)) != ERR_OK ||
	    (e = db_commit(req->db)) != ERR_OK)
		return e;
	resp->status = 204;
	return ERR_OK;
}

/* POST /api/v1/password-resets {email} */
static enum err api_reset(struct request *req, struct response *resp)
{
	const char *email;
	enum err e;

	if ((e = api_none(req)) != ERR_OK || (e = need_object(req)) != ERR_OK)
		return e;
	email = body_str(req, FLD_EMAIL, true);
	if ((e = field_errors(req, account_check_reset(email))) != ERR_OK)
		return e;
	if ((e = account_request_reset(req, email)) != ERR_OK)
		return e;
	return view_json(req, resp, 202, json_pack("{s:s, s:i}", "detail",
		"If there is an account for that address, we have sent a link to reset its "
		"password.", "expires_in_minutes", ACCOUNT_RESET_TTL / 60));
}

static const char *role_at(int i)
{
	return role_name((enum role)i);
}

/* GET /api/v1/people?q=&role=&page=&per_page= */
static enum err api_people(struct request *req, struct response *resp)
{
	struct api_query q;
	struct api_page pg;
	const char *text;
	int role;
	int64_t total = 0;
	json_t *items = NULL;
	enum err e;

	api_query_of(&q, req);
	api_text(&q, "q", ACCOUNT_SEARCH_MAX, &text);
	api_enum(&q, "role", ROLE__MAX, role_at, ROLE__MAX, &role);
	api_paging(&q, API_PER_PAGE, ACCOUNT_PER_PAGE_MAX, &pg);
	if ((e = api_done(req, &q, API_STRICT)) != ERR_OK)
		return e;
	e = person_list(req->db, text, (enum role)role, (int)pg.per_page, (int)api_offset(&pg),
			&items, &total);
	if (e)
		return e;
	return api_send_page(req, resp, "/api/v1/people", "items", items, &pg, total);
}

/* GET /api/v1/people/{id} */
static enum err api_person(struct request *req, struct response *resp)
{
	int64_t id = req_param(req, "id")->i;
	struct person p;
	enum err e;

	if ((e = api_none(req)) != ERR_OK)
		return e;
	if (!policy_can(req->actor, &act_person_view,
			&id))
		return req_fail(req, ERR_FORBIDDEN, "You may only see your own record.");
	e = person_get(req->db, &req->arena, id, &p);
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no person with that id.");
	if (e || (e = people_audit_read(req, id)) != ERR_OK)
		return e;
	return view_json(req, resp, 200, person_json(&p, true));
}

/* POST /api/v1/people/{id}/roles {role, org_id?} */
static enum err api_grant(struct request *req, struct response *resp)
{
	int64_t id = req_param(req, "id")->i;
	json_t *errors = NULL;
	const char *role, *org;
	enum role r;
	enum err e;

	if ((e = api_none(req)) != ERR_OK || (e = need_object(req)) != ERR_OK)
		return e;
	role = body_str(req, FLD_ROLE, true);
	org = body_str(req, FLD_ORG, true);
	e = people_grant(req, resp, id, role, org, &errors);
	if (e == ERR_INVALID)
		return req_fail_fields(req, "Some fields need changing: see errors.", errors);
	json_decref(errors);
	if (e)
		return e;
	if (!account_role_parse(role, &r))
		return ERR_INTERNAL;
	return view_json(req, resp, 201, json_pack("{s:I, s:s, s:s?}", "person_id", (json_int_t)id,
		"role", role_name(r), "org_id", r == ROLE_ORGANISER ? org : NULL));
}

/* DELETE /api/v1/people/{id}/roles/{role} */
static enum err api_remove(struct request *req, struct response *resp)
{
	enum err e;

	if ((e = api_none(req)) != ERR_OK ||
	    (e = people_remove(req, resp, req_param(req, "id")->i, req_param(req, "role")->val)) != ERR_OK)
		return e;
	resp->status = 204;
	return ERR_OK;
}

/* GET /api/v1/tokens?all=&page=&per_page= (all=true for admins). A
 * person has a handful of tokens, so the page is cut from the whole list
 * here rather than in SQL. */
static enum err api_tokens(struct request *req, struct response *resp)
{
	struct api_query q;
	struct api_page pg;
	bool every;
	json_t *all = NULL, *items;
	int64_t total;
	enum err e;

	api_query_of(&q, req);
	api_bool(&q, "all", false, &every);
	api_paging(&q, API_PER_PAGE, API_PER_PAGE_MAX, &pg);
	if ((e = api_done(req, &q, API_STRICT)) != ERR_OK)
		return e;
	if (every && !policy_can(req->actor, &act_tokens_all, NULL))
		return req_fail(req, ERR_FORBIDDEN, "Only admins may list every token.");
	if ((e = apitoken_list(req->db, every ? 0 : req->actor->id, &all)) != ERR_OK)
		return e;
	total = (int64_t)json_array_size(all);
	items = json_array();
	for (int64_t i = api_offset(&pg); items && i < total && i < api_offset(&pg) + pg.per_page; i++)
		json_array_append(items, json_array_get(all, (size_t)i));
	json_decref(all);
	if (!items)
		return ERR_NOMEM;
	return api_send_page(req, resp, "/api/v1/tokens", "items", items, &pg, total);
}

/* The owner of token tid, from the full list (admins revoking). */
static int64_t token_owner(struct request *req, int64_t tid)
{
	json_t *all = NULL, *t;
	size_t i;
	int64_t owner = 0;

	if (apitoken_list(req->db, 0, &all) != ERR_OK)
		return 0;
	json_array_foreach(all, i, t) {
		if (json_integer_value(json_object_get(t, "id")) == tid) {
			owner = json_integer_value(json_object_get(t, "person_id"));
			break;
		}
	}
	json_decref(all);
	return owner;
}

/* DELETE /api/v1/tokens/{id} */
static enum err api_token_revoke(struct request *req, struct response *resp)
{
	int64_t tid = req_param(req, "id")->i, now = req->now, subject = req->actor->id;
	const char *detail = arena_printf(&req->arena, "token=%lld", (long long)tid);
	enum err e;

	if ((e = api_none(req)) != ERR_OK || (e = db_begin(req->db)) != ERR_OK)
		return e;
	e = apitoken_revoke(req->db, req->actor->id, tid, now);
	if (e == ERR_NOT_FOUND && policy_can(req->actor, &act_tokens_all, NULL)) {
		subject = token_owner(req, tid);
		e = apitoken_revoke(req->db, 0, tid, now);
	}
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no live token with that id that you may revoke.");
	if (e || (e = audit_req(req, "token.revoked", subject, detail)) != ERR_OK ||
	    (e = db_commit(req->db)) != ERR_OK)
		return e;
	resp->status = 204;
	return ERR_OK;
}

/* POST and DELETE handlers open their own transactions. */

static const struct route routes[] = {
	{ M_POST,   "/api/v1/accounts", api_register, &act_public, RF_JSON, "account_api.api_register" },
	{ M_POST,   "/api/v1/sessions", api_login, &act_public, RF_JSON, "account_api.api_login" },
	{ M_DELETE, "/api/v1/sessions/current", api_logout, &act_signed_in, 0, "account_api.api_logout" },
	{ M_GET,    "/api/v1/me", api_me, &act_signed_in, 0, "account_api.api_me" },
	{ M_POST,   "/api/v1/password-resets", api_reset, &act_public, RF_JSON, "account_api.api_reset" },
	{ M_GET,    "/api/v1/people", api_people, &act_people_list, 0, "account_api.api_people" },
	{ M_GET,    "/api/v1/people/{id:int}", api_person, &act_person_view, RF_WRITE_TX, "account_api.api_person" },
	{ M_POST,   "/api/v1/people/{id:int}/roles", api_grant, &act_role_grant, RF_JSON, "account_api.api_grant" },
	{ M_DELETE, "/api/v1/people/{id:int}/roles/{role}", api_remove, &act_role_grant, 0, "account_api.api_remove" },
	{ M_GET,    "/api/v1/tokens", api_tokens, &act_signed_in, 0, "account_api.api_tokens" },
	{ M_DELETE, "/api/v1/tokens/{id:int}", api_token_revoke, &act_signed_in, 0, "account_api.api_token_revoke" },
};

const struct feature account_api_feature = {
	.actions = account_actions,
	.name = "account_api", .routes = routes, .nroutes = ARRAY_LEN(routes),
};
