/*
 * account_web.c - the account pages: register, sign in and out, confirm an
 * email address, reset or set a password, and /account with its pages
 * (details, email, password, sessions, API tokens, download my data,
 * deactivate, delete).
 *
 * Handlers go parse -> check -> act -> render. Every form's rules are in
 * account.c, shared with the JSON API; a form that fails comes back with
 * status 422, an error summary, each message by its field and what was
 * typed kept (never a password). Writes happen in one transaction, after
 * every check; email is queued in that transaction and the worker woken
 * after the commit. After a change the page redirects (303) to a page
 * that says what happened, named by a fixed word in ?done= (never text
 * someone typed, never an email address: URLs end up in logs and
 * histories).
 *
 * Single-use links (verify, reset, set password) are opened with GET,
 * which only shows a form; the POST uses them. Mail scanners that follow
 * links therefore cannot use them up.
 */
#include "core/common.h"
#include "web/errors.h"
#include "web/form.h"
#include "web/url.h"
#include "account/account.h"
#include "app/app.h"
#include "app/features.h"
#include "app/worker.h"
#include "audit/audit.h"
#include "audit/audit_web.h"
#include "auth/attempts.h"
#include "auth/auth_web.h"
#include "auth/auth_feature.h"
#include "auth/onetime.h"
#include "auth/password.h"
#include "auth/person.h"
#include "auth/session.h"
#include "core/log.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "mail/mail.h"
#include "privacy/privacy.h"
#include "store/store.h"
#include "web/view.h"

#include <sodium.h>

/* ---------------------------------------------------------------- helpers */

static const struct account_settings *cfg(const struct request *req)
{
	return SETTINGS_OF(req->app->cfg, struct account_settings, account_settings);
}

/* A one-time token from the path: 64 lowercase hex digits, or NULL. */
static const char *path_token(const struct request *req)
{
	const struct param *p = req_param(req, "token");

	if (!p || strlen(p->val) != TOKEN_HEX)
		return NULL;
	for (const char *c = p->val; *c; c++)
		if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
			return NULL;
	return p->val;
}

/* Per-account and per-address sign-in attempt keys. */
static void login_keys(const struct request *req, const char *email,
		char acct[ATTEMPT_KEY_MAX], char ip[ATTEMPT_KEY_MAX])
{
	char lower[PERSON_EMAIL_MAX + 1];

	str_lower_email(email, lower, sizeof(lower));
	attempts_key(acct, ATTEMPT_LOGIN_ACCOUNT, lower);
	attempts_key(ip, "login:ip", req->client_ip ? req->client_ip : "");
}

/* Checks the sign-in limits for an email address (and, when ip is not
 * NULL, the client address). ERR_RATE_LIMITED with *retry set. */
static enum err login_limits(struct request *req, const char *acct_key, const char *ip_key,
		int64_t now, int *retry)
{
	enum err e = attempts_check(req->db, acct_key, ACCOUNT_LOGIN_WINDOW, cfg(req)->login_limit,
				    now, retry);

	if (e == ERR_OK && ip_key)
		e = attempts_check(req->db, ip_key, ACCOUNT_LOGIN_WINDOW, cfg(req)->login_limit_ip,
				   now, retry);
	return e;
}

static const char *const login_limited_detail =
	"You have tried to sign in too many times. Wait 15 minutes and try again, "
	"or reset your password.";

enum err account_send_verify(struct request *req, int64_t id, const char *name,
		const char *email, int64_t now)
{
	char token[TOKEN_HEX + 1];
	json_t *ctx;
	enum err e;

	e = onetime_create(req->db, OT_VERIFY_EMAIL, id, email, now,
			   (int64_t)cfg(req)->verify_link_hours * 3600, token);
	if (e)
		return e;
	ctx = json_pack("{s:s, s:s+}", "name", name, "link", req->app->cfg->base_url,
			web_url(req, "account.verify", token, NULL));
	sodium_memzero(token, sizeof(token));
	if (!ctx)
		return ERR_NOMEM;
	e = mail_enqueue(&req->app->mailer, req->db, email, id, "verify_email", ctx, now);
	json_decref(ctx);
	return e;
}

/* A short email that needs only the person's name. */
static enum err send_simple(struct request *req, const char *to, int64_t id, const char *name,
		const char *tmpl, int64_t now)
{
	json_t *ctx = json_pack("{s:s}", "name", name ? name : "");
	enum err e;

	if (!ctx)
		return ERR_NOMEM;
	e = mail_enqueue(&req->app->mailer, req->db, to, id, tmpl, ctx, now);
	json_decref(ctx);
	return e;
}

static enum err load_me(struct request *req, struct person *p)
{
	enum err e = person_get(req->db, &req->arena, req->actor->id, p);

	return e == ERR_NOT_FOUND ? req_fail(req, ERR_UNAUTHORIZED, "Sign in again.") : e;
}

/* ---------------------------------------------------------------- fields */

/* Written out in place (not copied from named constants): a struct
 * variable is not a constant initialiser in C, and clang (the fuzz build)
 * refuses what gcc allows. */
static const struct field_def register_fields[] = {
	{ .name = FLD_NAME, .label = "Your name", .hint = "The name other people on this service will see.",
	  .type = "text", .autocomplete = "name" },
	{ .name = FLD_EMAIL, .label = "Email address",
	  .hint = "We will send you a link to confirm it. We will not share it.", .type = "email",
	  .autocomplete = "email", .nospell = true },
	{ .name = FLD_PHONE, .label = "Phone number (optional)", .hint = "Only if you would like a "
	  "coordinator to be able to call you.", .type = "tel", .autocomplete = "tel",
	  .width = "govuk-input--width-20" },
	{ .name = FLD_PASSWORD, .label = "Create a password", .hint = "At least 10 characters. Three or "
	  "four words you will remember, with spaces between them, make a good password.",
	  .type = "password", .autocomplete = "new-password", .secret = true, .nospell = true },
};

static const struct field_def login_fields[] = {
	{ .name = FLD_EMAIL, .label = "Email address", .type = "email", .autocomplete = "email",
	  .nospell = true },
	{ .name = FLD_PASSWORD, .label = "Password", .type = "password",
	  .autocomplete = "current-password", .secret = true, .nospell = true },
};

/* Bound by web_form_post: the person's own rules for names and phones. */
static const struct field_def details_fields[] = {
	{ .name = FLD_NAME, .label = "Your name", .type = "text", .autocomplete = "name",
	  .kind = FIELD_TEXT, .required = true, .check = person_check_name },
	{ .name = FLD_PHONE, .label = "Phone number (optional)",
	  .hint = "Leave this empty to remove your phone number.", .type = "tel", .autocomplete = "tel",
	  .width = "govuk-input--width-20", .kind = FIELD_TEXT, .check = person_check_phone },
};

static const struct field_def email_fields[] = {
	{ .name = FLD_EMAIL, .label = "New email address",
	  .hint = "We will send a link to this address to confirm it.", .type = "email",
	  .autocomplete = "email", .nospell = true },
	{ .name = FLD_CURRENT, .label = "Your password", .hint = "To check it is you.",
	  .type = "password", .autocomplete = "current-password", .secret = true, .nospell = true },
};

static const struct field_def password_fields[] = {
	{ .name = FLD_CURRENT, .label = "Current password", .type = "password",
	  .autocomplete = "current-password", .secret = true, .nospell = true },
	{ .name = FLD_PASSWORD, .label = "New password", .hint = "At least 10 characters. Three or four "
	  "words you will remember, with spaces between them, make a good password.",
	  .type = "password", .autocomplete = "new-password", .secret = true, .nospell = true },
	{ .name = FLD_CONFIRM, .label = "Confirm new password", .type = "password",
	  .autocomplete = "new-password", .secret = true, .nospell = true },
};

/* The same without the current password (reset and set links). */
static const struct field_def *const new_password_fields = password_fields + 1;

static const struct field_def reset_fields[] = {
	{ .name = FLD_EMAIL, .label = "Email address", .hint = "The address you use to sign in.",
	  .type = "email", .autocomplete = "email", .nospell = true },
};

static const struct field_def delete_fields[] = {
	{ .name = FLD_CURRENT, .label = "Your password", .hint = "To check it is you.",
	  .type = "password", .autocomplete = "current-password", .secret = true, .nospell = true },
};

static const struct field_def token_fields[] = {
	{ .name = FLD_TOKEN_NAME, .label = "What is the token for?", .hint = "For example, \"GP practice "
	  "system\". It helps you tell your tokens apart.", .type = "text", .autocomplete = "off" },
};

/* The values typed into a form, for showing it again. */
static json_t *typed(struct request *req, const struct field_def *defs, size_t n)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < n; i++) {
		const char *v;

		if (defs[i].secret)
			continue;
		v = web_form_text(req, defs[i].name);
		if (v)
			json_object_set_new(o, defs[i].name, json_string(v));
	}
	return o;
}

/* ---------------------------------------------------------------- register */

static enum err register_page(struct request *req, struct response *resp, int status,
		json_t *values, json_t *errors, bool exists)
{
	json_t *data = json_object();

	json_object_set_new(data, "form", web_form(web_url(req, "account.register", NULL), "Create account", false,
		register_fields, ARRAY_LEN(register_fields), values, errors));
	json_object_set_new(data, "exists", json_boolean(exists));
	web_set_errors(data, errors);
	json_decref(values);
	return web_page(req, resp, status, "account/register.html", "Create an account", data);
}

static enum err register_get(struct request *req, struct response *resp)
{
	if (req->actor->id) {
		resp_redirect(req, resp, web_url(req, "account.home", NULL));
		return ERR_OK;
	}
	return register_page(req, resp, 200, NULL, NULL, false);
}

enum err account_register(struct request *req, struct response *resp, const char *name,
		const char *email, const char *phone, const char *password, bool sign_in,
		int64_t *id)
{
	char key[ATTEMPT_KEY_MAX], hash[PASSWORD_HASH_MAX];
	int64_t now = req->now;
	int retry = 0;
	enum err e;

	attempts_key(key, "register:ip", req->client_ip ? req->client_ip : "");
	e = attempts_check(req->db, key, ACCOUNT_HOUR, cfg(req)->register_limit_ip, now, &retry);
	if (e == ERR_RATE_LIMITED)
		return web_limited(req, "register.rate_limited", 0, retry,
			"Too many accounts have been created from this connection in the last hour. "
			"Wait an hour and try again.");
	if (e)
		return e;
	/* Argon2id takes a while: not inside the transaction. */
	if ((e = password_hash(password, hash)) != ERR_OK)
		return e;
	if ((e = db_begin(req->db)) != ERR_OK ||
	    (e = attempts_add(req->db, key, now)) != ERR_OK)
		goto out;
	e = person_create(req->db, name, email, phone && phone[0] ? phone : NULL, hash, now, id);
	if (e == ERR_CONFLICT) {
		/* The attempt still counts: registration must not become a
		 * free way to test which addresses have accounts. On
		 * PostgreSQL the violation aborted the transaction, so the
		 * attempt is recorded in a new one. */
		db_rollback(req->db);
		if ((e = db_begin(req->db)) == ERR_OK && (e = attempts_add(req->db, key, now)) == ERR_OK &&
		    (e = db_commit(req->db)) == ERR_OK)
			e = req_fail(req, ERR_CONFLICT, "An account with this email address already "
				     "exists. Sign in or reset your password.");
		goto out;
	}
	if (e ||
	    (e = person_grant(req->db, *id, ROLE_MEMBER, NULL, *id, now)) != ERR_OK ||
	    (e = account_send_verify(req, *id, name, email, now)) != ERR_OK ||
	    (sign_in && (e = auth_login(req, resp, *id)) != ERR_OK) ||
	    (e = audit_req(req, "register", *id, NULL)) != ERR_OK)
		goto out;
	e = db_commit(req->db);
out:
	sodium_memzero(hash, sizeof(hash));
	return e;
}

static enum err register_post(struct request *req, struct response *resp)
{
	const char *name = web_form_text(req, FLD_NAME);
	const char *email = web_form_text(req, FLD_EMAIL);
	const char *phone = web_form_text(req, FLD_PHONE);
	const char *pw = web_form_raw(req, FLD_PASSWORD);
	json_t *errors = account_check_register(name, email, phone, pw);
	int64_t id = 0;
	enum err e;

	if (!errors)
		return ERR_NOMEM;
	if (json_array_size(errors))
		return register_page(req, resp, 422, typed(req, register_fields,
				     ARRAY_LEN(register_fields)), errors, false);
	e = account_register(req, resp, name, email, phone, pw, true, &id);
	if (e == ERR_CONFLICT) {
		web_error(errors, FLD_EMAIL, "An account with this email address already "
			      "exists. Sign in or reset your password.");
		return register_page(req, resp, 422, typed(req, register_fields,
				     ARRAY_LEN(register_fields)), errors, true);
	}
	json_decref(errors);
	if (e)
		return e;
	web_redirect_done(req, resp, "account.home", "registered");
	return ERR_OK;
}

/* ---------------------------------------------------------------- sign in */

static enum err login_page(struct request *req, struct response *resp, int status,
		json_t *values, json_t *errors, const char *next)
{
	json_t *data = json_object();
	json_t *form = web_form(web_url(req, "account.login", NULL), "Sign in", false, login_fields,
				    ARRAY_LEN(login_fields), values, errors);

	if (next && account_next_ok(next))
		web_form_hidden(form, "next", next);
	json_object_set_new(data, "form", form);
	web_set_errors(data, errors);
	if (req->method == M_GET) {
		static const struct done_word words[] = {
			{ "verified", true, "Your email address is confirmed. Sign in to continue." },
		};
		web_done(req, data, words, ARRAY_LEN(words), NULL);
	}
	json_decref(values);
	return web_page(req, resp, status, "account/login.html", "Sign in", data);
}

static enum err login_get(struct request *req, struct response *resp)
{
	const char *next = req_query(req, "next");

	if (req->actor->id) {
		resp_redirect(req, resp, account_next_ok(next) ? next : web_url(req, "account.home", NULL));
		return ERR_OK;
	}
	return login_page(req, resp, 200, NULL, NULL, next);
}

enum err account_authenticate(struct request *req, const char *email, const char *password,
		struct person *p)
{
	char acct_key[ATTEMPT_KEY_MAX], ip_key[ATTEMPT_KEY_MAX];
	int64_t now = req->now;
	int retry = 0;
	bool found;
	enum err e;

	memset(p, 0, sizeof(*p));
	login_keys(req, email, acct_key, ip_key);
	e = person_find_email(req->db, &req->arena, email, p);
	if (e && e != ERR_NOT_FOUND)
		return e;
	found = e == ERR_OK;
	e = login_limits(req, acct_key, ip_key, now, &retry);
	if (e == ERR_RATE_LIMITED)
		return web_limited(req, "login.rate_limited", found ? p->id : 0, retry,
				       login_limited_detail);
	if (e)
		return e;
	/* Always spends the time a real check takes (password.h), so the
	 * answer's timing does not say whether the account exists. */
	if (password_verify(found ? p->password_hash : NULL, password) && found)
		return ERR_OK;
	if ((e = db_begin(req->db)) != ERR_OK ||
	    (e = attempts_add(req->db, acct_key, now)) != ERR_OK ||
	    (e = attempts_add(req->db, ip_key, now)) != ERR_OK ||
	    (e = audit_req(req, "login.failed", found ? p->id : 0,
			   found ? "reason=bad-password" : "reason=no-account")) != ERR_OK ||
	    (e = db_commit(req->db)) != ERR_OK)
		return e;
	return req_fail(req, ERR_UNAUTHORIZED, "The email address or password is not right.");
}

static enum err login_post(struct request *req, struct response *resp)
{
	const char *email = web_form_text(req, FLD_EMAIL);
	const char *pw = web_form_raw(req, FLD_PASSWORD);
	const char *next = web_form_text(req, "next");
	json_t *errors = account_check_login(email, pw);
	struct person p;
	bool was_away, was_deleting;
	enum err e;

	if (!errors)
		return ERR_NOMEM;
	if (json_array_size(errors))
		return login_page(req, resp, 422, typed(req, login_fields, ARRAY_LEN(login_fields)),
				  errors, next);
	e = account_authenticate(req, email, pw, &p);
	if (e == ERR_UNAUTHORIZED) {
		/* Which of the two was wrong is not said. */
		web_error(errors, FLD_EMAIL, "Enter a correct email address and password");
		return login_page(req, resp, 422, typed(req, login_fields, ARRAY_LEN(login_fields)),
				  errors, next);
	}
	json_decref(errors);
	if (e)
		return e;
	was_away = p.deactivated_at != 0;
	was_deleting = p.delete_requested_at != 0 || p.erase_after != 0;
	if ((e = db_begin(req->db)) != ERR_OK ||
	    (e = auth_login(req, resp, p.id)) != ERR_OK ||
	    (e = db_commit(req->db)) != ERR_OK)
		return e;
	if (was_deleting)
		web_redirect_done(req, resp, "account.home", "delete_cancelled");
	else if (was_away)
		web_redirect_done(req, resp, "account.home", "reactivated");
	else
		resp_redirect(req, resp, account_next_ok(next) ? next : web_url(req, "account.home", NULL));
	return ERR_OK;
}

static enum err logout_post(struct request *req, struct response *resp)
{
	enum err e = db_begin(req->db);

	if (e == ERR_OK)
		e = auth_logout(req, resp);
	if (e == ERR_OK)
		e = db_commit(req->db);
	if (e == ERR_OK)
		resp_redirect(req, resp, web_url(req, "account.signed_out", NULL));
	return e;
}

static enum err signed_out(struct request *req, struct response *resp)
{
	const char *reason = req_query(req, "reason");
	bool deactivated = reason && strcmp(reason, "deactivated") == 0;
	bool deleting = reason && strcmp(reason, "deleting") == 0;
	json_t *data = json_pack("{s:b, s:b, s:i}", "deactivated", deactivated,
				 "deleting", deleting, "grace_days", cfg(req)->delete_grace_days);

	return web_page(req, resp, 200, "account/signed-out.html",
			    deactivated ? "Your account is deactivated" :
			    deleting ? "Your account will be deleted" : "You have signed out", data);
}

/* ---------------------------------------------------------------- email links */

static enum err link_expired(struct request *req, struct response *resp, const char *what)
{
	json_t *data = json_pack("{s:b, s:b, s:b, s:b}",
		"verify", strcmp(what, "verify") == 0,
		"reset", strcmp(what, "reset") == 0,
		"set", strcmp(what, "set") == 0,
		"signed_in", req->actor->id != 0);

	return web_page(req, resp, 404, "account/link-expired.html",
			    "This link has expired or has already been used", data);
}

static enum err verify_get(struct request *req, struct response *resp)
{
	const char *token = path_token(req);
	json_t *data;
	enum err e;

	if (!token)
		return link_expired(req, resp, "verify");
	e = onetime_peek(req->db, OT_VERIFY_EMAIL, token, req->now);
	if (e == ERR_NOT_FOUND)
		return link_expired(req, resp, "verify");
	if (e)
		return e;
	data = json_pack("{s:s}", "action", web_url(req, "account.verify", token, NULL));
	return web_page(req, resp, 200, "account/verify.html", "Confirm your email address", data);
}

static enum err verify_post(struct request *req, struct response *resp)
{
	const char *token = path_token(req);
	const char *email = NULL;
	int64_t id = 0, now = req->now;
	enum err e;

	if (!token)
		return link_expired(req, resp, "verify");
	if ((e = db_begin(req->db)) != ERR_OK)
		return e;
	e = onetime_consume(req->db, &req->arena, OT_VERIFY_EMAIL, token, now, &id, &email);
	if (e == ERR_OK)
		e = person_mark_verified(req->db, id, email, now);
	if (e == ERR_NOT_FOUND || e == ERR_CONFLICT) {
		/* Unknown, used, expired, or for an address that is no longer
		 * theirs: one answer. */
		db_rollback(req->db);
		return link_expired(req, resp, "verify");
	}
	if (e)
		return e;
	if ((e = audit_req(req, "email.verified", id, NULL)) != ERR_OK)
		return e;
	if ((e = event_publish(&req->app->events, &(struct event){ .kind = EV_EMAIL_VERIFIED,
			.db = req->db, .now = now, .person_id = id, .actor_id = req->actor->id,
			.email = email })) != ERR_OK)
		return e;
	if ((e = db_commit(req->db)) != ERR_OK)
		return e;
	web_redirect_done(req, resp, req->actor->id == id ? "account.home" : "account.login", "verified");
	return ERR_OK;
}

static enum err verify_resend(struct request *req, struct response *resp)
{
	struct person p;
	char key[ATTEMPT_KEY_MAX], subject[32];
	int64_t now = req->now;
	int retry = 0;
	enum err e;

	if ((e = load_me(req, &p)) != ERR_OK)
		return e;
	if (p.verified) {
		resp_redirect(req, resp, web_url(req, "account.home", NULL));
		return ERR_OK;
	}
	snprintf(subject, sizeof(subject), "%lld", (long long)p.id);
	attempts_key(key, "verify:acct", subject);
	e = attempts_check(req->db, key, ACCOUNT_HOUR, cfg(req)->reset_limit, now, &retry);
	if (e == ERR_RATE_LIMITED) {
		req->retry_after = retry;
		return req_fail(req, ERR_RATE_LIMITED, "We have sent you several links in the last "
				"hour. Check your email, including any spam or junk folder, or try "
				"again later.");
	}
	if (e)
		return e;
	if ((e = db_begin(req->db)) != ERR_OK)
		return e;
	if ((e = attempts_add(req->db, key, now)) != ERR_OK ||
	    (e = account_send_verify(req, p.id, p.name, p.email, now)) != ERR_OK ||
	    (e = db_commit(req->db)) != ERR_OK)
		return e;
	web_redirect_done(req, resp, "account.home", "verify_sent");
	return ERR_OK;
}

/* ---------------------------------------------------------------- forgotten password */

static enum err reset_page(struct request *req, struct response *resp, int status,
		json_t *values, json_t *errors)
{
	json_t *data = json_object();

	json_object_set_new(data, "form", web_form(web_url(req, "account.reset", NULL), "Send the link", false,
		reset_fields, ARRAY_LEN(reset_fields), values, errors));
	web_set_errors(data, errors);
	json_decref(values);
	return web_page(req, resp, status, "account/password-reset.html",
			    "Reset your password", data);
}

static enum err reset_get(struct request *req, struct response *resp)
{
	return reset_page(req, resp, 200, NULL, NULL);
}

enum err account_request_reset(struct request *req, const char *email)
{
	char ip_key[ATTEMPT_KEY_MAX], acct_key[ATTEMPT_KEY_MAX], lower[PERSON_EMAIL_MAX + 1];
	struct person p;
	int64_t now = req->now;
	int retry = 0;
	enum err e;

	str_lower_email(email, lower, sizeof(lower));
	attempts_key(acct_key, "reset:acct", lower);
	attempts_key(ip_key, "reset:ip", req->client_ip ? req->client_ip : "");
	e = attempts_check(req->db, ip_key, ACCOUNT_HOUR, cfg(req)->reset_limit, now, &retry);
	if (e == ERR_OK)
		e = attempts_check(req->db, acct_key, ACCOUNT_HOUR, cfg(req)->reset_limit, now, &retry);
	if (e == ERR_RATE_LIMITED)
		return web_limited(req, "password_reset.rate_limited", 0, retry,
			"There have been too many requests to reset a password. Wait an hour and "
			"try again. Check your email first: we may already have sent you a link.");
	if (e)
		return e;
	/* Counted whether or not the account exists, so the limit says
	 * nothing about which addresses have accounts. */
	if ((e = db_begin(req->db)) != ERR_OK ||
	    (e = attempts_add(req->db, ip_key, now)) != ERR_OK ||
	    (e = attempts_add(req->db, acct_key, now)) != ERR_OK)
		return e;
	e = person_find_email(req->db, &req->arena, email, &p);
	if (e == ERR_OK) {
		char token[TOKEN_HEX + 1];
		json_t *ctx;

		if ((e = onetime_create(req->db, OT_RESET_PASSWORD, p.id, NULL, now,
					ACCOUNT_RESET_TTL, token)) != ERR_OK)
			return e;
		ctx = json_pack("{s:s, s:s+, s:i}", "name", p.name, "link", req->app->cfg->base_url,
				web_url(req, "account.reset_link", token, NULL), "minutes", ACCOUNT_RESET_TTL / 60);
		sodium_memzero(token, sizeof(token));
		if (!ctx)
			return ERR_NOMEM;
		e = mail_enqueue(&req->app->mailer, req->db, p.email, p.id, "reset_password", ctx, now);
		json_decref(ctx);
		if (e == ERR_OK)
			e = audit_req(req, "password_reset.requested", p.id, NULL);
	} else if (e == ERR_NOT_FOUND) {
		e = audit_req(req, "password_reset.requested", 0, "no-account");
	}
	if (e)
		return e;
	return db_commit(req->db);
}

static enum err reset_post(struct request *req, struct response *resp)
{
	const char *email = web_form_text(req, FLD_EMAIL);
	json_t *errors = account_check_reset(email);
	enum err e;

	if (!errors)
		return ERR_NOMEM;
	if (json_array_size(errors))
		return reset_page(req, resp, 422, typed(req, reset_fields, ARRAY_LEN(reset_fields)),
				  errors);
	json_decref(errors);
	if ((e = account_request_reset(req, email)) != ERR_OK)
		return e;
	resp_redirect(req, resp, web_url(req, "account.reset_sent", NULL));
	return ERR_OK;
}

static enum err reset_sent(struct request *req, struct response *resp)
{
	return web_page(req, resp, 200, "account/password-reset-sent.html", "Check your email",
			    json_pack("{s:i}", "minutes", ACCOUNT_RESET_TTL / 60));
}

/* The reset and set-password links share their pages. */
struct link_kind {
	enum onetime_purpose purpose;
	const char *route;        /* the link's page: "account.reset_link" */
	const char *what;         /* for link_expired */
	const char *title;
	const char *button;
	const char *audit_detail;
};

static const struct link_kind reset_link = {
	OT_RESET_PASSWORD, "account.reset_link", "reset", "Choose a new password",
	"Save new password", NULL,
};
static const struct link_kind set_link = {
	OT_SET_PASSWORD, "account.set_link", "set", "Choose a password", "Save password",
	"first-password",
};

static enum err newpw_page(struct request *req, struct response *resp, int status,
		const struct link_kind *k, const char *token, json_t *errors)
{
	json_t *data = json_pack("{s:b}", "first", k->purpose == OT_SET_PASSWORD);

	json_object_set_new(data, "form", web_form(web_url(req, k->route, token, NULL), k->button, false, new_password_fields, 2, NULL, errors));
	web_set_errors(data, errors);
	return web_page(req, resp, status, "account/password-new.html", k->title, data);
}

static enum err newpw_get(struct request *req, struct response *resp, const struct link_kind *k)
{
	const char *token = path_token(req);
	enum err e;

	if (!token)
		return link_expired(req, resp, k->what);
	e = onetime_peek(req->db, k->purpose, token, req->now);
	if (e == ERR_NOT_FOUND)
		return link_expired(req, resp, k->what);
	if (e)
		return e;
	return newpw_page(req, resp, 200, k, token, NULL);
}

static enum err newpw_post(struct request *req, struct response *resp, const struct link_kind *k)
{
	const char *token = path_token(req);
	const char *pw = web_form_raw(req, FLD_PASSWORD);
	const char *confirm = web_form_raw(req, FLD_CONFIRM);
	char hash[PASSWORD_HASH_MAX];
	struct person p;
	json_t *errors;
	const char *why;
	int64_t id = 0, now = req->now;
	enum err e;

	if (!token)
		return link_expired(req, resp, k->what);
	e = onetime_peek(req->db, k->purpose, token, now);
	if (e == ERR_NOT_FOUND)
		return link_expired(req, resp, k->what);
	if (e)
		return e;
	if (!(errors = account_check_new_password(pw, confirm, NULL, false, NULL, NULL)))
		return ERR_NOMEM;
	if (json_array_size(errors))
		return newpw_page(req, resp, 422, k, token, errors);
	json_decref(errors);
	if ((e = password_hash(pw, hash)) != ERR_OK)
		return e;

	if ((e = db_begin(req->db)) != ERR_OK)
		goto out;
	e = onetime_consume(req->db, &req->arena, k->purpose, token, now, &id, NULL);
	if (e == ERR_NOT_FOUND) {
		db_rollback(req->db);
		sodium_memzero(hash, sizeof(hash));
		return link_expired(req, resp, k->what);
	}
	if (e || (e = person_get(req->db, &req->arena, id, &p)) != ERR_OK)
		goto out;
	/* Only now do we know whose password it is: it must not contain
	 * their name or email either. Rolling back keeps the link usable. */
	if ((why = password_weakness(pw, p.name, p.email)) != NULL) {
		db_rollback(req->db);
		sodium_memzero(hash, sizeof(hash));
		errors = json_array();
		web_error(errors, FLD_PASSWORD, why);
		return newpw_page(req, resp, 422, k, token, errors);
	}
	if ((e = person_set_password(req->db, id, hash, now)) != ERR_OK ||
	    (e = session_revoke_all(req->db, id, 0, now, NULL)) != ERR_OK ||
	    (p.email && (e = send_simple(req, p.email, id, p.name, "password_changed", now)) != ERR_OK) ||
	    (e = audit_req(req, "password.reset", id, k->audit_detail)) != ERR_OK ||
	    (e = auth_login(req, resp, id)) != ERR_OK ||
	    (e = db_commit(req->db)) != ERR_OK)
		goto out;
	web_redirect_done(req, resp, "account.home", "password_reset");
out:
	sodium_memzero(hash, sizeof(hash));
	return e;
}

static enum err reset_link_get(struct request *req, struct response *resp)
{
	return newpw_get(req, resp, &reset_link);
}

static enum err reset_link_post(struct request *req, struct response *resp)
{
	return newpw_post(req, resp, &reset_link);
}

static enum err set_link_get(struct request *req, struct response *resp)
{
	return newpw_get(req, resp, &set_link);
}

static enum err set_link_post(struct request *req, struct response *resp)
{
	return newpw_post(req, resp, &set_link);
}

/* ---------------------------------------------------------------- your account */

static json_t *roles_words(unsigned roles)
{
	json_t *a = json_array();

	for (int r = 0; a && r < ROLE__MAX; r++)
		if (roles & ROLE_BIT(r))
			json_array_append_new(a, json_string(account_role_words((enum role)r)));
	return a;
}

static enum err account_home(struct request *req, struct response *resp)
{
	static const struct done_word words[] = {
		{ "registered", true, "Your account is ready. We have sent a link to %s. "
		  "Open it to confirm your email address." },
		{ "verified", true, "Your email address is confirmed." },
		{ "verify_sent", true, "We have sent a new link to %s." },
		{ "details", true, "Your details are saved." },
		{ "email", true, "Your email address is now %s. We have sent a link to it: "
		  "open it to confirm the address." },
		{ "password", true, "Your password is changed. We have signed you out on your "
		  "other devices." },
		{ "password_reset", true, "Your password is changed and you are signed in. We "
		  "have signed you out everywhere else." },
		{ "reactivated", true, "Welcome back. Your account is active again." },
		{ "delete_cancelled", true, "Welcome back. We will not delete your account." },
	};
	struct person p;
	json_t *data;
	enum err e;

	if ((e = load_me(req, &p)) != ERR_OK)
		return e;
	data = json_pack("{s:s, s:s?, s:s?, s:b, s:o, s:b}", "name", p.name, "email", p.email,
			 "phone", p.phone, "verified", p.verified, "roles", roles_words(p.roles),
			 "has_password", p.password_hash != NULL);
	web_done(req, data, words, ARRAY_LEN(words), p.email);
	return web_page(req, resp, 200, "account/index.html", "Your account", data);
}

/* Details: the model of a form on the one POST path (web_form_post):
 * the field table says what is read and checked, details_act() does the
 * work inside the path's transaction, details_page() draws the form. */
static enum err details_page(struct request *req, struct response *resp, int status,
		json_t *values, json_t *errors, void *ctx)
{
	json_t *data = json_object();

	UNUSED(ctx);

	json_object_set_new(data, "form", web_form(web_url(req, "account.details", NULL), "Save", false,
		details_fields, ARRAY_LEN(details_fields), values, errors));
	web_set_errors(data, errors);
	json_decref(values);
	return web_page(req, resp, status, "account/details.html", "Your details", data);
}

static enum err details_get(struct request *req, struct response *resp)
{
	struct person p;
	enum err e;

	if ((e = load_me(req, &p)) != ERR_OK)
		return e;
	return details_page(req, resp, 200, json_pack("{s:s, s:s?}", FLD_NAME, p.name,
			    FLD_PHONE, p.phone), NULL, NULL);
}

static enum err details_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	enum err e;

	UNUSED(resp);
	UNUSED(errors);
	UNUSED(ctx);
	if ((e = person_set_details(req->db, req->actor->id, web_bound(b, FLD_NAME)->text,
				    web_bound(b, FLD_PHONE)->text, req->now)) != ERR_OK)
		return e;
	return audit_req(req, "account.details_changed", req->actor->id, NULL);
}

static const struct form_post details_form = {
	.fields = details_fields, .nfields = ARRAY_LEN(details_fields),
	.act = details_act, .page = details_page, .done_route = "account.home", .done_word = "details",
};

static enum err details_post(struct request *req, struct response *resp)
{
	return web_form_post(req, resp, &details_form, NULL);
}

/* Checks the current password typed into a form, counting wrong guesses
 * against the same per-account limit as signing in (someone at an
 * unlocked computer must not get unlimited tries). ERR_OK when right;
 * ERR_INVALID (with *errors filled) when wrong; ERR_RATE_LIMITED. */
static enum err check_current(struct request *req, const struct person *p, const char *pw,
		json_t *errors)
{
	char acct_key[ATTEMPT_KEY_MAX], ip_key[ATTEMPT_KEY_MAX];
	int64_t now = req->now;
	int retry = 0;
	enum err e;

	login_keys(req, p->email, acct_key, ip_key);
	e = login_limits(req, acct_key, NULL, now, &retry);
	if (e == ERR_RATE_LIMITED)
		return web_limited(req, "login.rate_limited", p->id, retry, login_limited_detail);
	if (e)
		return e;
	if (password_verify(p->password_hash, pw))
		return ERR_OK;
	if ((e = db_begin(req->db)) != ERR_OK ||
	    (e = attempts_add(req->db, acct_key, now)) != ERR_OK ||
	    (e = audit_req(req, "login.failed", p->id, "reason=bad-current-password")) != ERR_OK ||
	    (e = db_commit(req->db)) != ERR_OK)
		return e;
	web_error(errors, FLD_CURRENT, "The password is not right. Check it and try again");
	return ERR_INVALID;
}

/* Email. */
static enum err email_page(struct request *req, struct response *resp, int status,
		json_t *values, json_t *errors)
{
	json_t *data = json_object();

	json_object_set_new(data, "form", web_form(web_url(req, "account.email", NULL), "Change email address",
		false, email_fields, ARRAY_LEN(email_fields), values, errors));
	json_object_set_new(data, "current", json_string(req->actor->email ? req->actor->email : ""));
	web_set_errors(data, errors);
	json_decref(values);
	return web_page(req, resp, status, "account/email.html", "Change your email address", data);
}

static enum err email_get(struct request *req, struct response *resp)
{
	return email_page(req, resp, 200, NULL, NULL);
}

static enum err email_post(struct request *req, struct response *resp)
{
	const char *email = web_form_text(req, FLD_EMAIL);
	const char *current = web_form_raw(req, FLD_CURRENT);
	json_t *errors = account_check_email(email, current);
	struct person p;
	int64_t now = req->now;
	enum err e;

	if (!errors)
		return ERR_NOMEM;
	if (json_array_size(errors))
		goto invalid;
	if ((e = load_me(req, &p)) != ERR_OK)
		goto fail;
	if (p.email && strcasecmp(p.email, email) == 0) {
		web_error(errors, FLD_EMAIL, "That is already your email address. Enter a "
			      "different one");
		goto invalid;
	}
	e = check_current(req, &p, current, errors);
	if (e == ERR_INVALID)
		goto invalid;
	if (e)
		goto fail;
	if ((e = db_begin(req->db)) != ERR_OK)
		goto fail;
	e = person_set_email(req->db, p.id, email, now);
	if (e == ERR_CONFLICT) {
		db_rollback(req->db);
		web_error(errors, FLD_EMAIL, "Another account uses this email address. Enter a "
			      "different one");
		goto invalid;
	}
	if (e ||
	    (p.email && (e = send_simple(req, p.email, p.id, p.name, "email_changed", now)) != ERR_OK) ||
	    (e = account_send_verify(req, p.id, p.name, email, now)) != ERR_OK ||
	    (e = audit_req(req, "email.changed", p.id, NULL)) != ERR_OK ||
	    (e = db_commit(req->db)) != ERR_OK)
		goto fail;
	json_decref(errors);
	web_redirect_done(req, resp, "account.home", "email");
	return ERR_OK;
invalid:
	return email_page(req, resp, 422, typed(req, email_fields, ARRAY_LEN(email_fields)), errors);
fail:
	json_decref(errors);
	return e;
}

/* Password. */
static enum err password_page(struct request *req, struct response *resp, int status,
		json_t *errors)
{
	json_t *data = json_object();

	json_object_set_new(data, "form", web_form(web_url(req, "account.password", NULL), "Change password",
		false, password_fields, ARRAY_LEN(password_fields), NULL, errors));
	web_set_errors(data, errors);
	return web_page(req, resp, status, "account/password.html", "Change your password", data);
}

static enum err password_get(struct request *req, struct response *resp)
{
	return password_page(req, resp, 200, NULL);
}

static enum err password_post(struct request *req, struct response *resp)
{
	const char *current = web_form_raw(req, FLD_CURRENT);
	const char *pw = web_form_raw(req, FLD_PASSWORD);
	const char *confirm = web_form_raw(req, FLD_CONFIRM);
	char hash[PASSWORD_HASH_MAX];
	struct person p;
	json_t *errors;
	int64_t now = req->now;
	enum err e;

	if ((e = load_me(req, &p)) != ERR_OK)
		return e;
	if (!(errors = account_check_new_password(pw, confirm, current, true, p.name, p.email)))
		return ERR_NOMEM;
	if (json_array_size(errors))
		return password_page(req, resp, 422, errors);
	e = check_current(req, &p, current, errors);
	if (e == ERR_INVALID)
		return password_page(req, resp, 422, errors);
	json_decref(errors);
	if (e)
		return e;
	if ((e = password_hash(pw, hash)) != ERR_OK)
		return e;
	if ((e = db_begin(req->db)) != ERR_OK ||
	    (e = person_set_password(req->db, p.id, hash, now)) != ERR_OK ||
	    (e = session_revoke_all(req->db, p.id, req->actor->session_id, now, NULL)) != ERR_OK ||
	    (p.email && (e = send_simple(req, p.email, p.id, p.name, "password_changed", now)) != ERR_OK) ||
	    (e = audit_req(req, "password.changed", p.id, NULL)) != ERR_OK ||
	    (e = db_commit(req->db)) != ERR_OK)
		goto out;
	web_redirect_done(req, resp, "account.home", "password");
out:
	sodium_memzero(hash, sizeof(hash));
	return e;
}

/* "2026-11-23T14:05:09Z" -> "23 November 2026 at 2:05pm" into o[key_out]. */
static void humanise(json_t *o, const char *key_in, const char *key_out)
{
	const char *iso = json_string_value(json_object_get(o, key_in));
	int64_t t;
	char buf[64];

	if (iso && time_parse_iso8601(iso, strlen(iso), &t) && account_when(t, false, buf, sizeof(buf)))
		json_object_set_new(o, key_out, json_string(buf));
	else
		json_object_set_new(o, key_out, json_null());
}

/* Sessions. */
static enum err sessions_get(struct request *req, struct response *resp)
{
	static const struct done_word words[] = {
		{ "revoked", true, "That device is signed out." },
		{ "others", true, "You are signed out everywhere else." },
	};
	json_t *list = NULL, *data, *s;
	size_t i;
	bool others = false;
	enum err e;

	e = session_list(req->db, req->actor->id, req->actor->session_id, req->now,
			 SETTINGS_OF(req->app->cfg, struct auth_settings, auth_settings)->session_idle, &list);
	if (e)
		return e;
	json_array_foreach(list, i, s) {
		humanise(s, "last_seen_at", "last_used");
		humanise(s, "created_at", "started");
		json_object_set_new(s, "is_api", json_boolean(strcmp(json_string_value(
			json_object_get(s, "kind")) ? json_string_value(json_object_get(s, "kind")) : "",
			"api") == 0));
		if (!json_is_true(json_object_get(s, "current")))
			others = true;
	}
	data = json_pack("{s:o, s:b}", "sessions", list, "others", others);
	web_done(req, data, words, ARRAY_LEN(words), NULL);
	return web_page(req, resp, 200, "account/sessions.html", "Where you are signed in", data);
}

static enum err session_revoke_post(struct request *req, struct response *resp)
{
	int64_t sid = req_param(req, "id")->i;
	enum err e;

	if ((e = db_begin(req->db)) != ERR_OK)
		return e;
	if (sid == req->actor->session_id && !req->actor->via_token) {
		if ((e = auth_logout(req, resp)) != ERR_OK || (e = db_commit(req->db)) != ERR_OK)
			return e;
		resp_redirect(req, resp, web_url(req, "account.signed_out", NULL));
		return ERR_OK;
	}
	e = session_revoke(req->db, req->actor->id, sid, req->now);
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "That device is already signed out.");
	if (e || (e = audit_req(req, "session.revoked", req->actor->id, "one")) != ERR_OK ||
	    (e = db_commit(req->db)) != ERR_OK)
		return e;
	web_redirect_done(req, resp, "account.sessions", "revoked");
	return ERR_OK;
}

static enum err sessions_revoke_others(struct request *req, struct response *resp)
{
	int64_t n = 0;
	enum err e;

	if ((e = db_begin(req->db)) != ERR_OK ||
	    (e = session_revoke_all(req->db, req->actor->id, req->actor->session_id, req->now,
				    &n)) != ERR_OK ||
	    (e = audit_req(req, "session.revoked", req->actor->id,
			   arena_printf(&req->arena, "others=%lld", (long long)n))) != ERR_OK ||
	    (e = db_commit(req->db)) != ERR_OK)
		return e;
	web_redirect_done(req, resp, "account.sessions", "others");
	return ERR_OK;
}

/* API tokens. */
static enum err tokens_page(struct request *req, struct response *resp, int status,
		json_t *values, json_t *errors)
{
	static const struct done_word words[] = {
		{ "revoked", true, "The token is revoked. Anything using it can no longer reach "
		  "this service." },
	};
	json_t *list = NULL, *live, *t, *data;
	size_t i;
	enum err e;

	if ((e = apitoken_list(req->db, req->actor->id, &list)) != ERR_OK) {
		json_decref(values);
		json_decref(errors);
		return e;
	}
	live = json_array();
	json_array_foreach(list, i, t) {
		if (json_is_true(json_object_get(t, "revoked")))
			continue;
		humanise(t, "created_at", "created");
		humanise(t, "last_used_at", "last_used");
		json_array_append(live, t);
	}
	json_decref(list);
	data = json_pack("{s:o, s:b}", "tokens", live, "any", json_array_size(live) > 0);
	json_object_set_new(data, "form", web_form(web_url(req, "account.tokens", NULL), "Create token", false,
		token_fields, ARRAY_LEN(token_fields), values, errors));
	web_set_errors(data, errors);
	if (req->method == M_GET)
		web_done(req, data, words, ARRAY_LEN(words), NULL);
	json_decref(values);
	return web_page(req, resp, status, "account/tokens.html", "API tokens", data);
}

static enum err tokens_get(struct request *req, struct response *resp)
{
	return tokens_page(req, resp, 200, NULL, NULL);
}

static enum err tokens_post(struct request *req, struct response *resp)
{
	const char *name = web_form_text(req, FLD_TOKEN_NAME);
	json_t *errors = account_check_token_name(name);
	struct token_new tn;
	json_t *data;
	enum err e;

	if (!errors)
		return ERR_NOMEM;
	if (json_array_size(errors))
		return tokens_page(req, resp, 422, typed(req, token_fields, ARRAY_LEN(token_fields)),
				   errors);
	json_decref(errors);
	if ((e = db_begin(req->db)) != ERR_OK ||
	    (e = apitoken_create(req->db, req->actor->id, name, req->actor->id, req->now,
				 &tn)) != ERR_OK ||
	    (e = audit_req(req, "token.created", req->actor->id,
			   arena_printf(&req->arena, "token=%lld", (long long)tn.id))) != ERR_OK ||
	    (e = db_commit(req->db)) != ERR_OK)
		return e;
	/* Shown once, on this page only: never in a URL, never again. */
	data = json_pack("{s:s, s:s}", "name", name, "token", tn.token);
	sodium_memzero(tn.token, sizeof(tn.token));
	return web_page(req, resp, 200, "account/token-created.html", "Your new API token", data);
}

static enum err token_revoke_post(struct request *req, struct response *resp)
{
	int64_t tid = req_param(req, "id")->i;
	enum err e;

	if ((e = db_begin(req->db)) != ERR_OK)
		return e;
	e = apitoken_revoke(req->db, req->actor->id, tid, req->now);
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "You have no token with that number, or it is already revoked.");
	if (e || (e = audit_req(req, "token.revoked", req->actor->id,
				arena_printf(&req->arena, "token=%lld", (long long)tid))) != ERR_OK ||
	    (e = db_commit(req->db)) != ERR_OK)
		return e;
	web_redirect_done(req, resp, "account.tokens", "revoked");
	return ERR_OK;
}

/* Download my data. */
static enum err data_get(struct request *req, struct response *resp)
{
	return web_page(req, resp, 200, "account/data.html", "Download your data", NULL);
}

static enum err data_json(struct request *req, struct response *resp)
{
	json_t *doc = NULL;
	enum err e;

	/* A GET that writes its audit row: RF_WRITE_TX. */
	if ((e = privacy_export(req->db, req->actor->id, req->now, &doc)) != ERR_OK)
		return e;
	if (!req->is_head && (e = audit_req(req, "data.downloaded", req->actor->id, NULL)) != ERR_OK) {
		json_decref(doc);
		return e;
	}
	e = resp_json(resp, 200, "application/json", doc);
	json_decref(doc);
	resp_header(resp, "Content-Disposition", "attachment; filename=\"my-data.json\"");
	return e;
}

/* Deactivate. */
static enum err deactivate_get(struct request *req, struct response *resp)
{
	return web_page(req, resp, 200, "account/deactivate.html", "Deactivate your account", NULL);
}

static enum err deactivate_post(struct request *req, struct response *resp)
{
	int64_t id = req->actor->id, now = req->now;
	enum err e;

	if ((e = db_begin(req->db)) != ERR_OK ||
	    (e = person_set_deactivated(req->db, id, true, now)) != ERR_OK ||
	    (e = session_revoke_all(req->db, id, req->actor->session_id, now, NULL)) != ERR_OK ||
	    (e = audit_req(req, "account.deactivated", id, NULL)) != ERR_OK ||
	    (e = auth_logout(req, resp)) != ERR_OK ||
	    (e = db_commit(req->db)) != ERR_OK)
		return e;
	resp_redirect(req, resp, arena_printf(&req->arena, "%s?reason=deactivated", web_url(req, "account.signed_out", NULL)));
	return ERR_OK;
}

/* Delete. */
static enum err delete_page(struct request *req, struct response *resp, int status,
		json_t *errors)
{
	json_t *data = json_pack("{s:i}", "grace_days", cfg(req)->delete_grace_days);

	json_object_set_new(data, "form", web_form(web_url(req, "account.delete", NULL), "Delete my account", true,
		delete_fields, ARRAY_LEN(delete_fields), NULL, errors));
	web_set_errors(data, errors);
	return web_page(req, resp, status, "account/delete.html", "Delete your account", data);
}

static enum err delete_get(struct request *req, struct response *resp)
{
	return delete_page(req, resp, 200, NULL);
}

static enum err delete_post(struct request *req, struct response *resp)
{
	const char *current = web_form_raw(req, FLD_CURRENT);
	json_t *errors = account_check_delete(current), *ctx;
	struct person p;
	int64_t now = req->now, when;
	char date[64];
	enum err e;

	if (!errors)
		return ERR_NOMEM;
	if (json_array_size(errors))
		return delete_page(req, resp, 422, errors);
	if ((e = load_me(req, &p)) != ERR_OK) {
		json_decref(errors);
		return e;
	}
	e = check_current(req, &p, current, errors);
	if (e == ERR_INVALID)
		return delete_page(req, resp, 422, errors);
	json_decref(errors);
	if (e)
		return e;
	when = now + (int64_t)cfg(req)->delete_grace_days * 86400;
	if (!account_when(when, true, date, sizeof(date)))
		return ERR_INTERNAL;
	if (!(ctx = json_pack("{s:s, s:s}", "name", p.name, "date", date)))
		return ERR_NOMEM;
	if ((e = db_begin(req->db)) == ERR_OK &&
	    (e = person_set_delete(req->db, p.id, when, now)) == ERR_OK &&
	    (e = session_revoke_all(req->db, p.id, req->actor->session_id, now, NULL)) == ERR_OK &&
	    (!p.email || (e = mail_enqueue(&req->app->mailer, req->db, p.email, p.id, "delete_scheduled", ctx,
					   now)) == ERR_OK) &&
	    (e = audit_req(req, "account.delete_requested", p.id, NULL)) == ERR_OK &&
	    (e = auth_logout(req, resp)) == ERR_OK)
		e = db_commit(req->db);
	json_decref(ctx);
	if (e)
		return e;
	resp_redirect(req, resp, arena_printf(&req->arena, "%s?reason=deleting", web_url(req, "account.signed_out", NULL)));
	return ERR_OK;
}

/* ---------------------------------------------------------------- routes */

#define FORM (RF_FORM | RF_CSRF)

/* POST and DELETE handlers open their own transactions. */

static const struct route routes[] = {
	{ M_GET,  "/register", register_get, &act_public, 0, "account.register" },
	{ M_POST, "/register", register_post, &act_public, FORM, "account.register" },
	{ M_GET,  "/login", login_get, &act_public, 0, "account.login" },
	{ M_POST, "/login", login_post, &act_public, FORM, "account.login" },
	{ M_POST, "/logout", logout_post, &act_signed_in, FORM, "account.logout" },
	{ M_GET,  "/signed-out", signed_out, &act_public, 0, "account.signed_out" },
	{ M_GET,  "/verify-email/{token}", verify_get, &act_public, 0, "account.verify" },
	{ M_POST, "/verify-email/{token}", verify_post, &act_public, FORM, "account.verify" },
	{ M_GET,  "/password-reset", reset_get, &act_public, 0, "account.reset" },
	{ M_POST, "/password-reset", reset_post, &act_public, FORM, "account.reset" },
	{ M_GET,  "/password-reset/sent", reset_sent, &act_public, 0, "account.reset_sent" },
	{ M_GET,  "/password-reset/{token}", reset_link_get, &act_public, 0, "account.reset_link" },
	{ M_POST, "/password-reset/{token}", reset_link_post, &act_public, FORM, "account.reset_link" },
	{ M_GET,  "/set-password/{token}", set_link_get, &act_public, 0, "account.set_link" },
	{ M_POST, "/set-password/{token}", set_link_post, &act_public, FORM, "account.set_link" },
	{ M_GET,  "/account", account_home, &act_signed_in, 0, "account.home" },
	{ M_POST, "/account/verify-email", verify_resend, &act_signed_in, FORM, "account.verify_resend" },
	{ M_GET,  "/account/details", details_get, &act_signed_in, 0, "account.details" },
	{ M_POST, "/account/details", details_post, &act_signed_in, FORM, "account.details" },
	{ M_GET,  "/account/email", email_get, &act_signed_in, 0, "account.email" },
	{ M_POST, "/account/email", email_post, &act_signed_in, FORM, "account.email" },
	{ M_GET,  "/account/password", password_get, &act_signed_in, 0, "account.password" },
	{ M_POST, "/account/password", password_post, &act_signed_in, FORM, "account.password" },
	{ M_GET,  "/account/sessions", sessions_get, &act_signed_in, 0, "account.sessions" },
	{ M_POST, "/account/sessions/{id:int}/revoke", session_revoke_post, &act_signed_in, FORM, "account.session_revoke" },
	{ M_POST, "/account/sessions/revoke-others", sessions_revoke_others, &act_signed_in, FORM, "account.sessions_revoke_others" },
	{ M_GET,  "/account/tokens", tokens_get, &act_signed_in, 0, "account.tokens" },
	{ M_POST, "/account/tokens", tokens_post, &act_signed_in, FORM, "account.tokens" },
	{ M_POST, "/account/tokens/{id:int}/revoke", token_revoke_post, &act_signed_in, FORM, "account.token_revoke" },
	{ M_GET,  "/account/data", data_get, &act_signed_in, 0, "account.data" },
	{ M_GET,  "/account/data.json", data_json, &act_signed_in, RF_WRITE_TX, "account.data_json" },
	{ M_GET,  "/account/deactivate", deactivate_get, &act_signed_in, 0, "account.deactivate" },
	{ M_POST, "/account/deactivate", deactivate_post, &act_signed_in, FORM, "account.deactivate" },
	{ M_GET,  "/account/delete", delete_get, &act_signed_in, 0, "account.delete" },
	{ M_POST, "/account/delete", delete_post, &act_signed_in, FORM, "account.delete" },
};

/* ---------------------------------------------------------------- settings */

#define AS(field) CFG(struct account_settings, field)

static const struct config_key keys[] = {
	{ "api_session_lifetime", CT_INT, AS(api_session_lifetime), 300, 31536000, "2592000",
	  "seconds a token from POST /api/v1/sessions lasts", NULL },
	{ "verify_link_hours", CT_INT, AS(verify_link_hours), 1, 720, "48",
	  "hours an email verification link works", NULL },
	{ "delete_grace_days", CT_INT, AS(delete_grace_days), 0, 90, "7",
	  "days between asking to delete an account and its erasure (signing in cancels)", NULL },
	{ "login_limit", CT_INT, AS(login_limit), 1, 10000, "10",
	  "failed sign-ins allowed per account in 15 minutes", NULL },
	{ "login_limit_ip", CT_INT, AS(login_limit_ip), 1, 100000, "50",
	  "failed sign-ins allowed per client address in 15 minutes", NULL },
	{ "register_limit_ip", CT_INT, AS(register_limit_ip), 1, 100000, "20",
	  "registrations allowed per client address in an hour", NULL },
	{ "reset_limit", CT_INT, AS(reset_limit), 1, 10000, "5",
	  "password-reset emails per account, and per client address, in an hour", NULL },
	{ 0 },
};

const struct settings account_settings = { "Accounts", keys, sizeof(struct account_settings) };

const struct feature account_feature = {
	.settings = &account_settings,
	.actions = account_actions,
	.name = "account", .routes = routes, .nroutes = ARRAY_LEN(routes),
};
