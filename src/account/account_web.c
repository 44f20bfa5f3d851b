/*
 * account_web.c - the account pages: register, sign in and out, confirm an
 * email address, reset or set a password, and /account with its pages
 * (details, email, password, sessions, API tokens, download my data,
 * deactivate, delete).
 *
 * Every page with a form posts through the one POST path, web_form_post:
 * a field table says what is read and checked (each field's rule is the
 * one the JSON API uses: person.h, password.h, account.h); before() does
 * what must not sit in the write (hashing a password, a limit whose
 * attempt counts even when the form fails, checks across fields); act()
 * writes, in the path's transaction. A form that fails comes back with
 * status 422, an error summary, each message by its field and what was
 * typed kept (never a password). Email is queued in the write and the
 * worker woken after the commit. After a change the page redirects (303)
 * to a page that says what happened, named by a fixed word in ?done=
 * (never text someone typed, never an email address: URLs end up in logs
 * and histories).
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
/* Is a one-time link still good, without using it? ERR_NOT_FOUND for a
 * token that is malformed (NULL), unknown, used or expired. */
static enum err link_live(struct request *req, enum onetime_purpose purpose, const char *token)
{
	return token ? onetime_peek(req->db, purpose, token, req->now) : ERR_NOT_FOUND;
}

/* The per-account and per-address attempt keys of a limit: "login" or
 * "reset" (kind:acct and kind:ip). */
static void limit_keys(struct request *req, const char *kind, const char *email,
		char acct[ATTEMPT_KEY_MAX], char ip[ATTEMPT_KEY_MAX])
{
	char lower[PERSON_EMAIL_MAX + 1];

	str_lower_email(email, lower, sizeof(lower));
	attempts_key(acct, arena_printf(&req->arena, "%s:acct", kind), lower);
	attempts_key(ip, arena_printf(&req->arena, "%s:ip", kind), req->client_ip ? req->client_ip : "");
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

/* Queues email tmpl to one address with ctx (taken; NULL when it could
 * not be made), in the caller's transaction. */
static enum err send_mail(struct request *req, const char *to, int64_t id, const char *tmpl,
		json_t *ctx)
{
	enum err e;

	if (!ctx)
		return ERR_NOMEM;
	e = mail_enqueue(&req->app->mailer, req->db, to, id, tmpl, ctx, req->now);
	json_decref(ctx);
	return e;
}

/* A short email that needs only the person's name. */
static enum err send_simple(struct request *req, const char *to, int64_t id, const char *name,
		const char *tmpl)
{
	return send_mail(req, to, id, tmpl, json_pack("{s:s}", "name", name ? name : ""));
}

/* A single-use link sent by email: which, its page and its email. */
struct link_mail {
	enum onetime_purpose purpose;
	const char *route;         /* the link's page: "account.verify" */
	const char *tmpl;          /* the email: "verify_email" */
	bool for_address;          /* it confirms the address it is sent to */
};

static const struct link_mail verify_mail = { OT_VERIFY_EMAIL, "account.verify", "verify_email", true };
static const struct link_mail reset_mail = { OT_RESET_PASSWORD, "account.reset_link", "reset_password",
					      false };

/* Sends person id (name, at address to) a new link of m's kind that
 * works for ttl seconds, in the caller's transaction. */
static enum err send_link(struct request *req, const struct link_mail *m, int64_t ttl, int64_t id,
		const char *name, const char *to)
{
	char token[TOKEN_HEX + 1];
	json_t *ctx;
	enum err e = onetime_create(req->db, m->purpose, id, m->for_address ? to : NULL, req->now, ttl,
				    token);

	if (e)
		return e;
	ctx = json_pack("{s:s, s:s+, s:I}", "name", name, "link", req->app->cfg->base_url,
			web_url(req, m->route, token, NULL), "minutes", (json_int_t)(ttl / 60));
	sodium_memzero(token, sizeof(token));
	return send_mail(req, to, id, m->tmpl, ctx);
}

enum err account_send_verify(struct request *req, int64_t id, const char *name, const char *email)
{
	return send_link(req, &verify_mail, (int64_t)cfg(req)->verify_link_hours * 3600, id, name,
			 email);
}

/* How long a new personal API token works (api_token_days). */
static int64_t token_ttl(const struct request *req)
{
	return (int64_t)SETTINGS_OF(req->app->cfg, struct auth_settings, auth_settings)->api_token_days *
	       86400;
}

static enum err load_me(struct request *req, struct person *p)
{
	enum err e = person_get(req->db, &req->arena, req->actor->id, p);

	return e == ERR_NOT_FOUND ? req_fail(req, ERR_UNAUTHORIZED, "Sign in again.") : e;
}

/* A page of ours with ?done=word, for a form's done(). */
static const char *done_at(struct request *req, const char *route, const char *word)
{
	return arena_printf(&req->arena, "%s?done=%s", web_url(req, route, NULL), word);
}

/* Checks the current password typed into a form, counting wrong guesses
 * against the same per-account limit as signing in (someone at an
 * unlocked computer must not get unlimited tries) in a transaction of
 * their own, so they count although the form fails. ERR_OK when right;
 * ERR_INVALID (with errors filled) when wrong; ERR_RATE_LIMITED. */
static enum err check_current(struct request *req, const struct person *p, const char *pw,
		json_t *errors)
{
	char acct_key[ATTEMPT_KEY_MAX], ip_key[ATTEMPT_KEY_MAX];
	int64_t now = req->now;
	int retry = 0;
	enum err e;

	limit_keys(req, "login", p->email, acct_key, ip_key);
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

/* ---------------------------------------------------------------- forms */

/* A page with one form: its template and title; the form's action (a
 * route) and button; how it posts (its fields and steps: the post's page
 * draws this page, with the acct_ctx below as ctx). */
struct acct_page {
	const char *tmpl;
	const char *title;
	const char *route;
	const char *button;
	bool warning;              /* a red button: the form ends something */
	struct form_post post;
};

/* The reset and set-password links, and the link that confirms an email
 * address: each a page with a form that posts back to the link. */
struct link_kind {
	enum onetime_purpose purpose;
	const char *what;          /* for link_expired */
	const char *audit_detail;  /* a new password's audit row */
	struct acct_page page;
};

/* What a form's steps leave each other (web_form_post's ctx). Each form
 * uses the members it needs. */
struct acct_ctx {
	const struct acct_page *page;  /* the page being drawn or posted */
	const struct link_kind *kind;  /* a single-use link's */
	const char *token;             /* that link's token */
	const char *next;              /* sign in: where to go after */
	const char *name;              /* a new API token's */
	struct person p;               /* who is signing in, or who is signed in */
	char hash[PASSWORD_HASH_MAX];  /* a new password, hashed before the transaction */
	struct token_new tn;           /* a new API token, shown once */
	int64_t id;                    /* the account act made or whose link it used */
	bool exists;                   /* register: the address has an account already */
	bool expired;                  /* the link was not good, or no longer is */
};

/* Wipes the secrets a form's steps left in c. */
static void acct_forget(struct acct_ctx *c)
{
	sodium_memzero(c->hash, sizeof(c->hash));
	sodium_memzero(c->tn.token, sizeof(c->tn.token));
}

/* The text of a bound field (NULL when it was left empty). */
static const char *val(const struct bound *b, const char *name)
{
	return web_bound(b, name)->text;
}

/* p's form, posting to action (NULL for p's route). */
static json_t *page_form(struct request *req, const struct acct_page *p, const char *action,
		const json_t *values, const json_t *errors)
{
	return web_form(action ? action : web_url(req, p->route, NULL), p->button, p->warning,
			p->post.fields, p->post.nfields, values, errors);
}

/* Draws p: data (NULL for nothing but the form), the form (NULL for p's
 * own with values and errors) and the errors; all four taken. */
static enum err page_draw(struct request *req, struct response *resp, int status,
		const struct acct_page *p, json_t *data, json_t *form, json_t *values, json_t *errors)
{
	if (!data)
		data = json_object();
	if (!form)
		form = page_form(req, p, NULL, values, errors);
	json_object_set_new(data, "form", form);
	web_set_errors(data, errors);
	json_decref(values);
	return web_page(req, resp, status, p->tmpl, p->title, data);
}

/* The post's page() of a page that is its form and its own words. */
static enum err plain_page(struct request *req, struct response *resp, int status,
		json_t *values, json_t *errors, void *ctx)
{
	const struct acct_ctx *c = ctx;

	return page_draw(req, resp, status, c->page, NULL, NULL, values, errors);
}

/* A GET of p: its form, empty. */
static enum err page_get(struct request *req, struct response *resp, const struct acct_page *p)
{
	struct acct_ctx c = { .page = p };

	return p->post.page(req, resp, 200, NULL, NULL, &c);
}

/* Posts p's form with a context of its own, wiped after. */
static enum err page_post(struct request *req, struct response *resp, const struct acct_page *p)
{
	struct acct_ctx c = { .page = p };
	enum err e = web_form_post(req, resp, &p->post, &c);

	acct_forget(&c);
	return e;
}

/* ---------------------------------------------------------------- fields */

/* Sign-in says nothing about an address's form: a malformed one is a
 * wrong one, counted against the limits like any other. */
static const char *any_address(const char *v)
{
	UNUSED(v);
	return NULL;
}

/* A new password on its own; against the person's name and address once
 * those are known (new_password_rules). */
static const char *new_password_rule(const char *pw)
{
	return password_weakness(pw, NULL, NULL);
}

/* Written out in place (not copied from named constants): a struct
 * variable is not a constant initialiser in C, and clang (the fuzz build)
 * refuses what gcc allows. Text fields with a rule of the person module's
 * take its words for "empty" too. */
static const struct field_def register_fields[] = {
	{ .name = FLD_NAME, .label = "Your name", .hint = "The name other people on this service will see.",
	  .type = "text", .autocomplete = "name", .kind = FIELD_TEXT, .required = true,
	  .check = person_check_name },
	{ .name = FLD_EMAIL, .label = "Email address",
	  .hint = "We will send you a link to confirm it. We will not share it.", .type = "email",
	  .autocomplete = "email", .nospell = true, .kind = FIELD_TEXT, .required = true,
	  .check = person_check_email },
	{ .name = FLD_PHONE, .label = "Phone number (optional)", .hint = "Only if you would like a "
	  "coordinator to be able to call you.", .type = "tel", .autocomplete = "tel",
	  .width = "govuk-input--width-20", .kind = FIELD_TEXT, .check = person_check_phone },
	{ .name = FLD_PASSWORD, .label = "Create a password", .hint = "At least 10 characters. Three or "
	  "four words you will remember, with spaces between them, make a good password.",
	  .type = "password", .autocomplete = "new-password", .secret = true, .nospell = true,
	  .kind = FIELD_PASSWORD, .required = true, .missing = "Enter a password",
	  .check = new_password_rule },
};

static const struct field_def login_fields[] = {
	{ .name = FLD_EMAIL, .label = "Email address", .type = "email", .autocomplete = "email",
	  .nospell = true, .kind = FIELD_TEXT, .required = true, .missing = "Enter your email address",
	  .check = any_address },
	{ .name = FLD_PASSWORD, .label = "Password", .type = "password",
	  .autocomplete = "current-password", .secret = true, .nospell = true,
	  .kind = FIELD_PASSWORD, .required = true, .missing = "Enter your password" },
};

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
	  .autocomplete = "email", .nospell = true, .kind = FIELD_TEXT, .required = true,
	  .check = person_check_email },
	{ .name = FLD_CURRENT, .label = "Your password", .hint = "To check it is you.",
	  .type = "password", .autocomplete = "current-password", .secret = true, .nospell = true,
	  .kind = FIELD_PASSWORD, .required = true, .missing = "Enter your current password" },
};

/* The reset and set links use the last two (password_fields + 1). */
static const struct field_def password_fields[] = {
	{ .name = FLD_CURRENT, .label = "Current password", .type = "password",
	  .autocomplete = "current-password", .secret = true, .nospell = true,
	  .kind = FIELD_PASSWORD, .required = true, .missing = "Enter your current password" },
	{ .name = FLD_PASSWORD, .label = "New password", .hint = "At least 10 characters. Three or four "
	  "words you will remember, with spaces between them, make a good password.",
	  .type = "password", .autocomplete = "new-password", .secret = true, .nospell = true,
	  .kind = FIELD_PASSWORD, .required = true, .missing = "Enter a new password",
	  .check = new_password_rule },
	{ .name = FLD_CONFIRM, .label = "Confirm new password", .type = "password",
	  .autocomplete = "new-password", .secret = true, .nospell = true,
	  .kind = FIELD_PASSWORD, .required = true, .missing = "Enter the new password again" },
};

static const struct field_def reset_fields[] = {
	{ .name = FLD_EMAIL, .label = "Email address", .hint = "The address you use to sign in.",
	  .type = "email", .autocomplete = "email", .nospell = true, .kind = FIELD_TEXT,
	  .required = true, .check = person_check_email },
};

static const struct field_def delete_fields[] = {
	{ .name = FLD_CURRENT, .label = "Your password", .hint = "To check it is you.",
	  .type = "password", .autocomplete = "current-password", .secret = true, .nospell = true,
	  .kind = FIELD_PASSWORD, .required = true, .missing = "Enter your password" },
};

static const struct field_def token_fields[] = {
	{ .name = FLD_TOKEN_NAME, .label = "What is the token for?", .hint = "For example, \"GP practice "
	  "system\". It helps you tell your tokens apart.", .type = "text", .autocomplete = "off",
	  .kind = FIELD_TEXT, .required = true, .check = account_token_name_rule },
};

/* The rules of a new password that need more than the password: not the
 * person's name or address (when known), and the same again in the
 * confirmation box (when the form has one). ERR_INVALID with errors
 * said. */
static enum err new_password_rules(const struct bound *b, const char *name, const char *email,
		json_t *errors)
{
	const char *pw = val(b, FLD_PASSWORD);
	const struct field_value *confirm = web_bound(b, FLD_CONFIRM);
	const char *why = name || email ? password_weakness(pw, name, email) : NULL;

	if (why)
		web_error(errors, FLD_PASSWORD, why);
	if (confirm && (why = account_confirm_rule(pw, confirm->text)))
		web_error(errors, FLD_CONFIRM, why);
	return json_array_size(errors) ? ERR_INVALID : ERR_OK;
}

/* ---------------------------------------------------------------- register */

static const char *const register_exists = "An account with this email address already "
	"exists. Sign in or reset your password.";

/* Registrations from one client address are limited. The attempt counts
 * in a transaction of its own, so one that fails (an address with an
 * account already) still counts: registering must not become a free way
 * to test which addresses have accounts. */
static enum err register_count(struct request *req)
{
	char key[ATTEMPT_KEY_MAX];
	int retry = 0;
	enum err e;

	attempts_key(key, "register:ip", req->client_ip ? req->client_ip : "");
	e = attempts_take(req->db, &(struct attempt_limit){ key, cfg(req)->register_limit_ip }, 1,
			  ACCOUNT_HOUR, req->now, &retry);
	if (e == ERR_RATE_LIMITED)
		return web_limited(req, "register.rate_limited", 0, retry,
			"Too many accounts have been created from this connection in the last hour. "
			"Wait an hour and try again.");
	return e;
}

/* The new account, in the caller's transaction: a member, sent the link
 * to confirm the address, and with sign_in this browser signed in.
 * ERR_CONFLICT when the address has an account. */
static enum err register_write(struct request *req, struct response *resp, const char *name,
		const char *email, const char *phone, const char *hash, bool sign_in, int64_t *id)
{
	enum err e = person_create(req->db, name, email, phone, hash, req->now, id);

	if (e ||
	    (e = person_grant(req->db, *id, ROLE_MEMBER, NULL, *id, req->now)) != ERR_OK ||
	    (e = account_send_verify(req, *id, name, email)) != ERR_OK ||
	    (sign_in && (e = auth_login(req, resp, *id)) != ERR_OK))
		return e;
	return audit_req(req, "register", *id, NULL);
}

enum err account_register(struct request *req, struct response *resp, const char *name,
		const char *email, const char *phone, const char *password, bool sign_in,
		int64_t *id)
{
	char hash[PASSWORD_HASH_MAX];
	enum err e;

	if ((e = register_count(req)) != ERR_OK)
		return e;
	/* Argon2id takes a while: not inside the transaction. */
	if ((e = password_hash(password, hash)) == ERR_OK && (e = db_begin(req->db)) == ERR_OK &&
	    (e = register_write(req, resp, name, email, phone && phone[0] ? phone : NULL, hash,
				sign_in, id)) == ERR_OK)
		e = db_commit(req->db);
	sodium_memzero(hash, sizeof(hash));
	return e == ERR_CONFLICT ? req_fail(req, e, register_exists) : e;
}

/* With ?next= (a page of ours, as signing in takes it: the link to claim
 * an organisation), the new account goes there instead of /account. */
static enum err register_page(struct request *req, struct response *resp, int status,
		json_t *values, json_t *errors, void *ctx)
{
	const struct acct_ctx *c = ctx;
	json_t *form = page_form(req, c->page, NULL, values, errors);

	if (c->next && account_next_ok(c->next))
		web_form_hidden(form, "next", c->next);
	return page_draw(req, resp, status, c->page, json_pack("{s:b}", "exists", c->exists), form,
			 values, errors);
}

/* The password must not hold the name or address typed beside it; then
 * the limit (this attempt counted) and the hash, outside the write. */
static enum err register_before(struct request *req, const struct bound *b, json_t *errors,
		void *ctx)
{
	struct acct_ctx *c = ctx;
	enum err e;

	if ((e = new_password_rules(b, val(b, FLD_NAME), val(b, FLD_EMAIL), errors)) != ERR_OK ||
	    (e = register_count(req)) != ERR_OK)
		return e;
	return password_hash(val(b, FLD_PASSWORD), c->hash);
}

static enum err register_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct acct_ctx *c = ctx;
	enum err e = register_write(req, resp, val(b, FLD_NAME), val(b, FLD_EMAIL), val(b, FLD_PHONE),
				    c->hash, true, &c->id);

	if (e != ERR_CONFLICT)
		return e;
	c->exists = true;
	web_error(errors, FLD_EMAIL, register_exists);
	return ERR_INVALID;
}

static const char *register_done(struct request *req, void *ctx)
{
	const struct acct_ctx *c = ctx;

	return account_next_ok(c->next) ? c->next : done_at(req, "account.home", "registered");
}

static const struct acct_page register_form = {
	"account/register.html", "Create an account", "account.register", "Create account", false,
	{ .fields = register_fields, .nfields = ARRAY_LEN(register_fields),
	  .before = register_before, .act = register_act, .page = register_page,
	  .done = register_done },
};

static enum err register_get(struct request *req, struct response *resp)
{
	struct acct_ctx c = { .page = &register_form, .next = req_query(req, "next") };

	if (req->actor->id) {
		resp_redirect(req, resp, account_next_ok(c.next) ? c.next :
			      web_url(req, "account.home", NULL));
		return ERR_OK;
	}
	return register_page(req, resp, 200, NULL, NULL, &c);
}

static enum err register_post(struct request *req, struct response *resp)
{
	struct acct_ctx c = { .page = &register_form, .next = web_form_text(req, "next") };
	enum err e = web_form_post(req, resp, &register_form.post, &c);

	acct_forget(&c);
	return e;
}

/* ---------------------------------------------------------------- sign in */

static enum err login_page(struct request *req, struct response *resp, int status,
		json_t *values, json_t *errors, void *ctx)
{
	static const struct done_word words[] = {
		{ "verified", true, "Your email address is confirmed. Sign in to continue." },
	};
	const struct acct_ctx *c = ctx;
	json_t *data = json_object();
	json_t *form = page_form(req, c->page, NULL, values, errors);

	if (c->next && account_next_ok(c->next))
		web_form_hidden(form, "next", c->next);
	if (req->method == M_GET)
		web_done(req, data, words, ARRAY_LEN(words), NULL);
	return page_draw(req, resp, status, c->page, data, form, values, errors);
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
	limit_keys(req, "login", email, acct_key, ip_key);
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

/* The password is checked outside the write: a wrong one is counted (and
 * audited) in a transaction of its own, so it stays when the form
 * fails. */
static enum err login_before(struct request *req, const struct bound *b, json_t *errors,
		void *ctx)
{
	struct acct_ctx *c = ctx;
	enum err e = account_authenticate(req, val(b, FLD_EMAIL), val(b, FLD_PASSWORD), &c->p);

	if (e != ERR_UNAUTHORIZED)
		return e;
	/* Which of the two was wrong is not said. */
	web_error(errors, FLD_EMAIL, "Enter a correct email address and password");
	return ERR_INVALID;
}

static enum err login_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	const struct acct_ctx *c = ctx;

	UNUSED(b);
	UNUSED(errors);
	return auth_login(req, resp, c->p.id);
}

/* Where each role's work is, for signing in with nowhere else to go: the
 * first row whose role the person has. */
static const struct { enum role role; const char *route; } landing[] = {
	{ ROLE_COORDINATOR, "manage.review" },        /* services to check and publish */
	{ ROLE_ORGANISER, "referral.inbox" },         /* referrals to their organisation */
	{ ROLE_LINK_WORKER, "referral.caseload" },    /* the people they support */
	{ ROLE_COMMISSIONER, "referral.overview" },   /* the figures */
};

static const char *landing_of(struct request *req, unsigned roles)
{
	for (size_t i = 0; i < ARRAY_LEN(landing); i++)
		if (roles & ROLE_BIT(landing[i].role))
			return web_url(req, landing[i].route, NULL);
	return web_url(req, "account.home", NULL);
}

/* Signing in brings back a deactivated account, or keeps one that was
 * to be deleted (c->p is as it was before): say so rather than go on.
 * Otherwise back where they were going, else to their work. */
static const char *login_done(struct request *req, void *ctx)
{
	const struct acct_ctx *c = ctx;

	if (c->p.delete_requested_at != 0 || c->p.erase_after != 0)
		return done_at(req, "account.home", "delete_cancelled");
	if (c->p.deactivated_at != 0)
		return done_at(req, "account.home", "reactivated");
	return account_next_ok(c->next) ? c->next : landing_of(req, c->p.roles);
}

static const struct acct_page login_form = {
	"account/login.html", "Sign in", "account.login", "Sign in", false,
	{ .fields = login_fields, .nfields = ARRAY_LEN(login_fields),
	  .before = login_before, .act = login_act, .page = login_page, .done = login_done },
};

static enum err login_get(struct request *req, struct response *resp)
{
	struct acct_ctx c = { .page = &login_form, .next = req_query(req, "next") };

	if (req->actor->id) {
		resp_redirect(req, resp, account_next_ok(c.next) ? c.next :
			      web_url(req, "account.home", NULL));
		return ERR_OK;
	}
	return login_page(req, resp, 200, NULL, NULL, &c);
}

static enum err login_post(struct request *req, struct response *resp)
{
	struct acct_ctx c = { .page = &login_form, .next = web_form_text(req, "next") };

	return web_form_post(req, resp, &login_form.post, &c);
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

/* ---------------------------------------------------------------- single-use links */

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

/* A link's page: its form posts back to the link. */
static enum err link_page(struct request *req, struct response *resp, int status,
		json_t *values, json_t *errors, void *ctx)
{
	const struct acct_ctx *c = ctx;
	const struct acct_page *p = &c->kind->page;
	json_t *form = page_form(req, p, web_url(req, p->route, c->token, NULL), values, errors);

	return page_draw(req, resp, status, p, json_pack("{s:b}", "first",
			 c->kind->purpose == OT_SET_PASSWORD), form, values, errors);
}

/* Opening a link only shows its form: mail scanners that follow links
 * cannot use them up. */
static enum err link_get(struct request *req, struct response *resp, const struct link_kind *k)
{
	struct acct_ctx c = { .kind = k, .token = web_path_token(req) };
	enum err e = link_live(req, k->purpose, c.token);

	if (e == ERR_NOT_FOUND)
		return link_expired(req, resp, k->what);
	return e ? e : link_page(req, resp, 200, NULL, NULL, &c);
}

/* Posts a link's form. A link that is not good, or is used up while its
 * form was open (the form's act sets c.expired), is rolled back and
 * answered with one page: unknown, used and expired look the same. */
static enum err link_post(struct request *req, struct response *resp, const struct link_kind *k)
{
	struct acct_ctx c = { .kind = k, .token = web_path_token(req) };
	enum err e = link_live(req, k->purpose, c.token);

	c.expired = e == ERR_NOT_FOUND;
	if (e == ERR_OK)
		e = web_form_post(req, resp, &k->page.post, &c);
	acct_forget(&c);
	if (!c.expired)
		return e;
	db_rollback(req->db);
	return link_expired(req, resp, k->what);
}

static enum err verify_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct acct_ctx *c = ctx;
	const char *email = NULL;
	enum err e = onetime_consume(req->db, &req->arena, OT_VERIFY_EMAIL, c->token, req->now,
				     &c->id, &email);

	UNUSED(resp);
	UNUSED(b);
	UNUSED(errors);
	if (e == ERR_OK)
		e = person_mark_verified(req->db, c->id, email, req->now);
	/* Unknown, used, expired, or for an address that is no longer
	 * theirs: one answer. */
	c->expired = e == ERR_NOT_FOUND || e == ERR_CONFLICT;
	if (e || (e = audit_req(req, "email.verified", c->id, NULL)) != ERR_OK)
		return e;
	return event_publish(&req->app->events, &(struct event){ .kind = EV_EMAIL_VERIFIED,
			.db = req->db, .now = req->now, .person_id = c->id, .actor_id = req->actor->id,
			.email = email });
}

static const char *verify_done(struct request *req, void *ctx)
{
	const struct acct_ctx *c = ctx;

	return done_at(req, req->actor->id == c->id ? "account.home" : "account.login", "verified");
}

/* Confirming an email address: a form that is only its button. */
static const struct link_kind verify_link = {
	OT_VERIFY_EMAIL, "verify", NULL,
	{ "account/verify.html", "Confirm your email address", "account.verify",
	  "Confirm my email address", false, { .act = verify_act, .page = link_page, .done = verify_done } },
};

static enum err verify_get(struct request *req, struct response *resp)
{
	return link_get(req, resp, &verify_link);
}

static enum err verify_post(struct request *req, struct response *resp)
{
	return link_post(req, resp, &verify_link);
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
	    (e = account_send_verify(req, p.id, p.name, p.email)) != ERR_OK ||
	    (e = db_commit(req->db)) != ERR_OK)
		return e;
	web_redirect_done(req, resp, "account.home", "verify_sent");
	return ERR_OK;
}


/* ---------------------------------------------------------------- forgotten password */

/* The reset limits, per client address and per account, before the
 * write. ERR_RATE_LIMITED (audited). */
static enum err reset_limits(struct request *req, const char *email)
{
	char ip_key[ATTEMPT_KEY_MAX], acct_key[ATTEMPT_KEY_MAX];
	int retry = 0;
	enum err e;

	limit_keys(req, "reset", email, acct_key, ip_key);
	e = attempts_check(req->db, ip_key, ACCOUNT_HOUR, cfg(req)->reset_limit, req->now, &retry);
	if (e == ERR_OK)
		e = attempts_check(req->db, acct_key, ACCOUNT_HOUR, cfg(req)->reset_limit, req->now,
				   &retry);
	if (e == ERR_RATE_LIMITED)
		return web_limited(req, "password_reset.rate_limited", 0, retry,
			"There have been too many requests to reset a password. Wait an hour and "
			"try again. Check your email first: we may already have sent you a link.");
	return e;
}

/* Counts the request and, when there is an account for email, sends it
 * a link; in the caller's transaction. Counted whether or not the
 * account exists, so the limit says nothing about which addresses have
 * accounts. */
static enum err reset_send(struct request *req, const char *email)
{
	char ip_key[ATTEMPT_KEY_MAX], acct_key[ATTEMPT_KEY_MAX];
	struct person p;
	enum err e;

	limit_keys(req, "reset", email, acct_key, ip_key);
	if ((e = attempts_add(req->db, ip_key, req->now)) != ERR_OK ||
	    (e = attempts_add(req->db, acct_key, req->now)) != ERR_OK)
		return e;
	e = person_find_email(req->db, &req->arena, email, &p);
	if (e == ERR_NOT_FOUND)
		return audit_req(req, "password_reset.requested", 0, "no-account");
	if (e || (e = send_link(req, &reset_mail, ACCOUNT_RESET_TTL, p.id, p.name, p.email)) != ERR_OK)
		return e;
	return audit_req(req, "password_reset.requested", p.id, NULL);
}

enum err account_request_reset(struct request *req, const char *email)
{
	enum err e;

	if ((e = reset_limits(req, email)) != ERR_OK || (e = db_begin(req->db)) != ERR_OK ||
	    (e = reset_send(req, email)) != ERR_OK)
		return e;
	return db_commit(req->db);
}

static enum err reset_before(struct request *req, const struct bound *b, json_t *errors,
		void *ctx)
{
	UNUSED(errors);
	UNUSED(ctx);
	return reset_limits(req, val(b, FLD_EMAIL));
}

static enum err reset_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	UNUSED(resp);
	UNUSED(errors);
	UNUSED(ctx);
	return reset_send(req, val(b, FLD_EMAIL));
}

static const struct acct_page reset_form = {
	"account/password-reset.html", "Reset your password", "account.reset", "Send the link", false,
	{ .fields = reset_fields, .nfields = ARRAY_LEN(reset_fields),
	  .before = reset_before, .act = reset_act, .page = plain_page,
	  .done_route = "account.reset_sent" },
};

static enum err reset_sent(struct request *req, struct response *resp)
{
	return web_page(req, resp, 200, "account/password-reset-sent.html", "Check your email",
			    json_pack("{s:i}", "minutes", ACCOUNT_RESET_TTL / 60));
}

/* ---------------------------------------------------------------- new password */

/* A new password saved for c->p (hashed in c): every other session
 * ended (keep: the one that stays, 0 for none), the person told by
 * email, action audited. In the caller's transaction. */
static enum err password_save(struct request *req, const struct acct_ctx *c, int64_t keep,
		const char *action, const char *detail)
{
	int64_t tokens = 0;
	enum err e;

	/* A token stands in for the password: it goes with it. */
	if ((e = person_set_password(req->db, c->p.id, c->hash, req->now)) != ERR_OK ||
	    (e = session_revoke_all(req->db, c->p.id, keep, req->now, NULL)) != ERR_OK ||
	    (e = apitoken_revoke_all(req->db, c->p.id, req->now, &tokens)) != ERR_OK ||
	    (c->p.email && (e = send_mail(req, c->p.email, c->p.id, "password_changed",
			json_pack("{s:s, s:I}", "name", c->p.name ? c->p.name : "",
				  "tokens", (json_int_t)tokens))) != ERR_OK))
		return e;
	if (tokens && (e = audit_req(req, "token.revoked", c->p.id,
			arena_printf(&req->arena, "reason=password-changed count=%lld",
				     (long long)tokens))) != ERR_OK)
		return e;
	return audit_req(req, action, c->p.id, detail);
}

/* The two boxes must agree; Argon2id takes a while: not inside the
 * transaction. */
static enum err newpw_before(struct request *req, const struct bound *b, json_t *errors,
		void *ctx)
{
	struct acct_ctx *c = ctx;
	enum err e = new_password_rules(b, NULL, NULL, errors);

	UNUSED(req);
	return e ? e : password_hash(val(b, FLD_PASSWORD), c->hash);
}

/* Uses the link. Only now is it known whose password it is: it must not
 * contain their name or email either (the rollback keeps the link
 * usable). Then this browser is signed in. */
static enum err newpw_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct acct_ctx *c = ctx;
	int64_t id = 0;
	enum err e = onetime_consume(req->db, &req->arena, c->kind->purpose, c->token, req->now, &id,
				     NULL);

	c->expired = e == ERR_NOT_FOUND;
	if (e || (e = person_get(req->db, &req->arena, id, &c->p)) != ERR_OK ||
	    (e = new_password_rules(b, c->p.name, c->p.email, errors)) != ERR_OK ||
	    (e = password_save(req, c, 0, "password.reset", c->kind->audit_detail)) != ERR_OK)
		return e;
	return auth_login(req, resp, id);
}

/* The reset and set links post the same way. */
#define NEWPW_POST { .fields = password_fields + 1, .nfields = 2, .before = newpw_before, \
	.act = newpw_act, .page = link_page, .done_route = "account.home", \
	.done_word = "password_reset" }

static const struct link_kind reset_link = {
	OT_RESET_PASSWORD, "reset", NULL,
	{ "account/password-new.html", "Choose a new password", "account.reset_link",
	  "Save new password", false, NEWPW_POST },
};
static const struct link_kind set_link = {
	OT_SET_PASSWORD, "set", "first-password",
	{ "account/password-new.html", "Choose a password", "account.set_link", "Save password",
	  false, NEWPW_POST },
};

static enum err reset_link_get(struct request *req, struct response *resp)
{
	return link_get(req, resp, &reset_link);
}

static enum err reset_link_post(struct request *req, struct response *resp)
{
	return link_post(req, resp, &reset_link);
}

static enum err set_link_get(struct request *req, struct response *resp)
{
	return link_get(req, resp, &set_link);
}

static enum err set_link_post(struct request *req, struct response *resp)
{
	return link_post(req, resp, &set_link);
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

/* The roles whose work other systems connect to (GP systems refer, an
 * organisation's records system reads its inbox, reports): only they are
 * offered API tokens on the account page. */
#define API_ROLES (ROLE_BIT(ROLE_LINK_WORKER) | ROLE_BIT(ROLE_ORGANISER) | \
		   ROLE_BIT(ROLE_COORDINATOR) | ROLE_BIT(ROLE_COMMISSIONER) | ROLE_BIT(ROLE_ADMIN))

/* Someone with a token from an earlier role still sees where to revoke it. */
static bool has_tokens(struct request *req, int64_t id)
{
	json_t *list = NULL, *t;
	size_t i;
	bool any = false;

	if (apitoken_list(req->db, id, &list) != ERR_OK)
		return true;
	json_array_foreach(list, i, t)
		any |= !json_is_true(json_object_get(t, "revoked"));
	json_decref(list);
	return any;
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
	data = json_pack("{s:s, s:s?, s:s?, s:b, s:o, s:b, s:b}", "name", p.name, "email", p.email,
			 "phone", p.phone, "verified", p.verified, "roles", roles_words(p.roles),
			 "has_password", p.password_hash != NULL,
			 "api", (p.roles & API_ROLES) || has_tokens(req, p.id));
	web_done(req, data, words, ARRAY_LEN(words), p.email);
	return web_page(req, resp, 200, "account/index.html", "Your account", data);
}

/* Details: the model of a form on the one POST path (web_form_post):
 * the field table says what is read and checked, details_act() does the
 * work inside the path's transaction, plain_page() draws the form. The
 * other forms add before() for what must happen outside the write. */
static enum err details_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	enum err e;

	UNUSED(resp);
	UNUSED(errors);
	UNUSED(ctx);
	if ((e = person_set_details(req->db, req->actor->id, val(b, FLD_NAME), val(b, FLD_PHONE),
				    req->now)) != ERR_OK)
		return e;
	return audit_req(req, "account.details_changed", req->actor->id, NULL);
}

static const struct acct_page details_form = {
	"account/details.html", "Your details", "account.details", "Save", false,
	{ .fields = details_fields, .nfields = ARRAY_LEN(details_fields), .act = details_act,
	  .page = plain_page, .done_route = "account.home", .done_word = "details" },
};

static enum err details_get(struct request *req, struct response *resp)
{
	struct acct_ctx c = { .page = &details_form };
	struct person p;
	enum err e;

	if ((e = load_me(req, &p)) != ERR_OK)
		return e;
	return plain_page(req, resp, 200, json_pack("{s:s, s:s?}", FLD_NAME, p.name,
			  FLD_PHONE, p.phone), NULL, &c);
}

/* Email. */
static enum err email_page(struct request *req, struct response *resp, int status,
		json_t *values, json_t *errors, void *ctx)
{
	const struct acct_ctx *c = ctx;

	return page_draw(req, resp, status, c->page, json_pack("{s:s}", "current",
			 req->actor->email ? req->actor->email : ""), NULL, values, errors);
}

/* A new address, not the one they have; the password is checked (a
 * wrong one counted) outside the write. */
static enum err email_before(struct request *req, const struct bound *b, json_t *errors,
		void *ctx)
{
	struct acct_ctx *c = ctx;
	enum err e = load_me(req, &c->p);

	if (e)
		return e;
	if (c->p.email && strcasecmp(c->p.email, val(b, FLD_EMAIL)) == 0) {
		web_error(errors, FLD_EMAIL, "That is already your email address. Enter a "
			      "different one");
		return ERR_INVALID;
	}
	return check_current(req, &c->p, val(b, FLD_CURRENT), errors);
}

/* The old address is told, the new one sent a link to confirm it. */
static enum err email_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	const struct acct_ctx *c = ctx;
	const char *email = val(b, FLD_EMAIL);
	enum err e = person_set_email(req->db, c->p.id, email, req->now);

	UNUSED(resp);
	if (e == ERR_CONFLICT) {
		web_error(errors, FLD_EMAIL, "Another account uses this email address. Enter a "
			      "different one");
		return ERR_INVALID;
	}
	if (e ||
	    (c->p.email && (e = send_simple(req, c->p.email, c->p.id, c->p.name,
					    "email_changed")) != ERR_OK) ||
	    (e = account_send_verify(req, c->p.id, c->p.name, email)) != ERR_OK)
		return e;
	return audit_req(req, "email.changed", c->p.id, NULL);
}

static const struct acct_page email_form = {
	"account/email.html", "Change your email address", "account.email", "Change email address",
	false, { .fields = email_fields, .nfields = ARRAY_LEN(email_fields),
	  .before = email_before, .act = email_act, .page = email_page,
	  .done_route = "account.home", .done_word = "email" },
};

/* Password: the new password's rules that need the person, then the current
 * password (a wrong one counted), then the hash: all outside the write. */
static enum err password_before(struct request *req, const struct bound *b, json_t *errors,
		void *ctx)
{
	struct acct_ctx *c = ctx;
	enum err e;

	if ((e = load_me(req, &c->p)) != ERR_OK ||
	    (e = new_password_rules(b, c->p.name, c->p.email, errors)) != ERR_OK ||
	    (e = check_current(req, &c->p, val(b, FLD_CURRENT), errors)) != ERR_OK)
		return e;
	return password_hash(val(b, FLD_PASSWORD), c->hash);
}

/* This browser stays signed in; every other session ends. */
static enum err password_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	UNUSED(resp);
	UNUSED(b);
	UNUSED(errors);
	return password_save(req, ctx, req->actor->session_id, "password.changed", NULL);
}

static const struct acct_page password_form = {
	"account/password.html", "Change your password", "account.password", "Change password",
	false, { .fields = password_fields, .nfields = ARRAY_LEN(password_fields),
	  .before = password_before, .act = password_act, .page = plain_page,
	  .done_route = "account.home", .done_word = "password" },
};

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
/* The person's tokens not revoked (expired ones too, marked, so their
 * owner sees why a system stopped), with their times in words. */
static enum err live_tokens(struct request *req, json_t **out)
{
	json_t *list = NULL, *t;
	size_t i;
	enum err e = apitoken_list(req->db, req->actor->id, &list);

	if (e)
		return e;
	*out = json_array();
	json_array_foreach(list, i, t) {
		if (json_is_true(json_object_get(t, "revoked")))
			continue;
		const char *exp = json_string_value(json_object_get(t, "expires_at"));
		int64_t until = 0;

		humanise(t, "created_at", "created");
		humanise(t, "last_used_at", "last_used");
		humanise(t, "expires_at", "expires");
		json_object_set_new(t, "expired", json_boolean(exp && time_parse_iso8601(exp,
			strlen(exp), &until) && until <= req->now));
		json_array_append(*out, t);
	}
	json_decref(list);
	return ERR_OK;
}

static enum err tokens_page(struct request *req, struct response *resp, int status,
		json_t *values, json_t *errors, void *ctx)
{
	static const struct done_word words[] = {
		{ "revoked", true, "The token is revoked. Anything using it can no longer reach "
		  "this service." },
	};
	const struct acct_ctx *c = ctx;
	json_t *live = NULL, *data;
	enum err e = live_tokens(req, &live);

	if (e) {
		json_decref(values);
		json_decref(errors);
		return e;
	}
	data = json_pack("{s:o, s:b}", "tokens", live, "any", json_array_size(live) > 0);
	if (req->method == M_GET)
		web_done(req, data, words, ARRAY_LEN(words), NULL);
	return page_draw(req, resp, status, c->page, data, NULL, values, errors);
}

static enum err tokens_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct acct_ctx *c = ctx;
	enum err e;

	UNUSED(resp);
	UNUSED(errors);
	c->name = val(b, FLD_TOKEN_NAME);
	if ((e = apitoken_create(req->db, req->actor->id, c->name, req->actor->id, req->now,
				 token_ttl(req), &c->tn)) != ERR_OK)
		return e;
	return audit_req(req, "token.created", req->actor->id,
			 arena_printf(&req->arena, "token=%lld", (long long)c->tn.id));
}

/* Shown once, on this page only: never in a URL, never again. */
static enum err tokens_shown(struct request *req, struct response *resp, void *ctx)
{
	struct acct_ctx *c = ctx;
	json_t *data = json_pack("{s:s, s:s}", "name", c->name, "token", c->tn.token);

	sodium_memzero(c->tn.token, sizeof(c->tn.token));
	return web_page(req, resp, 200, "account/token-created.html", "Your new API token", data);
}

static const struct acct_page tokens_form = {
	"account/tokens.html", "API tokens", "account.tokens", "Create token", false,
	{ .fields = token_fields, .nfields = ARRAY_LEN(token_fields),
	  .act = tokens_act, .page = tokens_page, .shown = tokens_shown },
};

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


/* Deactivate: a form that is only its button. */
/* Leaving (deactivate, delete): every session of the person signed in
 * ends, this one too, after the audit row action. In the path's
 * transaction. */
static enum err sign_out_everywhere(struct request *req, struct response *resp,
		const char *action)
{
	enum err e;

	if ((e = session_revoke_all(req->db, req->actor->id, req->actor->session_id, req->now,
				    NULL)) != ERR_OK ||
	    (e = audit_req(req, action, req->actor->id, NULL)) != ERR_OK)
		return e;
	return auth_logout(req, resp);
}

/* After leaving, the signed-out page says why: the page's done word, as
 * ?reason= (not ?done=: that page has no banners). */
static const char *left_done(struct request *req, void *ctx)
{
	const struct acct_ctx *c = ctx;

	return arena_printf(&req->arena, "%s?reason=%s", web_url(req, "account.signed_out", NULL),
			    c->page->post.done_word);
}

static enum err deactivate_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	enum err e;

	UNUSED(b);
	UNUSED(errors);
	UNUSED(ctx);
	if ((e = person_set_deactivated(req->db, req->actor->id, true, req->now)) != ERR_OK)
		return e;
	return sign_out_everywhere(req, resp, "account.deactivated");
}

static const struct acct_page deactivate_form = {
	"account/deactivate.html", "Deactivate your account", "account.deactivate",
	"Deactivate my account", true,
	{ .act = deactivate_act, .page = plain_page, .done = left_done, .done_word = "deactivated" },
};

/* Delete. */
static enum err delete_page(struct request *req, struct response *resp, int status,
		json_t *values, json_t *errors, void *ctx)
{
	const struct acct_ctx *c = ctx;

	return page_draw(req, resp, status, c->page, json_pack("{s:i}", "grace_days",
			 cfg(req)->delete_grace_days), NULL, values, errors);
}

/* The password is checked (a wrong one counted) outside the write. */
static enum err delete_before(struct request *req, const struct bound *b, json_t *errors,
		void *ctx)
{
	struct acct_ctx *c = ctx;
	enum err e = load_me(req, &c->p);

	return e ? e : check_current(req, &c->p, val(b, FLD_CURRENT), errors);
}

/* Erased after the grace days (signing in before then cancels); signed
 * out everywhere, and told by email when. */
static enum err delete_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	const struct acct_ctx *c = ctx;
	int64_t when = req->now + (int64_t)cfg(req)->delete_grace_days * 86400;
	char date[64];
	enum err e;

	UNUSED(b);
	UNUSED(errors);
	if (!account_when(when, true, date, sizeof(date)))
		return ERR_INTERNAL;
	if ((e = person_set_delete(req->db, c->p.id, when, req->now)) != ERR_OK ||
	    (c->p.email && (e = send_mail(req, c->p.email, c->p.id, "delete_scheduled",
			json_pack("{s:s, s:s}", "name", c->p.name, "date", date))) != ERR_OK))
		return e;
	return sign_out_everywhere(req, resp, "account.delete_requested");
}

static const struct acct_page delete_form = {
	"account/delete.html", "Delete your account", "account.delete", "Delete my account", true,
	{ .fields = delete_fields, .nfields = ARRAY_LEN(delete_fields),
	  .before = delete_before, .act = delete_act, .page = delete_page, .done = left_done,
	  .done_word = "deleting" },
};

/* ---------------------------------------------------------------- routes */

/* The pages whose GET and POST need nothing but the page: a route's name
 * is its page's action, so the route names the page. */
static const struct acct_page *const pages[] = {
	&register_form, &reset_form, &details_form, &email_form, &password_form, &tokens_form,
	&deactivate_form, &delete_form,
};

static const struct acct_page *page_of(const struct request *req)
{
	for (size_t i = 0; i < ARRAY_LEN(pages); i++)
		if (strcmp(pages[i]->route, req->route->name) == 0)
			return pages[i];
	return NULL;
}

static enum err form_get(struct request *req, struct response *resp)
{
	const struct acct_page *p = page_of(req);

	return p ? page_get(req, resp, p) : ERR_INTERNAL;
}

static enum err form_post(struct request *req, struct response *resp)
{
	const struct acct_page *p = page_of(req);

	return p ? page_post(req, resp, p) : ERR_INTERNAL;
}


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
	{ M_GET,  "/password-reset", form_get, &act_public, 0, "account.reset" },
	{ M_POST, "/password-reset", form_post, &act_public, FORM, "account.reset" },
	{ M_GET,  "/password-reset/sent", reset_sent, &act_public, 0, "account.reset_sent" },
	{ M_GET,  "/password-reset/{token}", reset_link_get, &act_public, 0, "account.reset_link" },
	{ M_POST, "/password-reset/{token}", reset_link_post, &act_public, FORM, "account.reset_link" },
	{ M_GET,  "/set-password/{token}", set_link_get, &act_public, 0, "account.set_link" },
	{ M_POST, "/set-password/{token}", set_link_post, &act_public, FORM, "account.set_link" },
	{ M_GET,  "/account", account_home, &act_signed_in, 0, "account.home" },
	{ M_POST, "/account/verify-email", verify_resend, &act_signed_in, FORM, "account.verify_resend" },
	{ M_GET,  "/account/details", details_get, &act_signed_in, 0, "account.details" },
	{ M_POST, "/account/details", form_post, &act_signed_in, FORM, "account.details" },
	{ M_GET,  "/account/email", form_get, &act_signed_in, 0, "account.email" },
	{ M_POST, "/account/email", form_post, &act_signed_in, FORM, "account.email" },
	{ M_GET,  "/account/password", form_get, &act_signed_in, 0, "account.password" },
	{ M_POST, "/account/password", form_post, &act_signed_in, FORM, "account.password" },
	{ M_GET,  "/account/sessions", sessions_get, &act_signed_in, 0, "account.sessions" },
	{ M_POST, "/account/sessions/{id:int}/revoke", session_revoke_post, &act_signed_in, FORM, "account.session_revoke" },
	{ M_POST, "/account/sessions/revoke-others", sessions_revoke_others, &act_signed_in, FORM, "account.sessions_revoke_others" },
	{ M_GET,  "/account/tokens", form_get, &act_signed_in, 0, "account.tokens" },
	{ M_POST, "/account/tokens", form_post, &act_signed_in, FORM, "account.tokens" },
	{ M_POST, "/account/tokens/{id:int}/revoke", token_revoke_post, &act_signed_in, FORM, "account.token_revoke" },
	{ M_GET,  "/account/data", data_get, &act_signed_in, 0, "account.data" },
	{ M_GET,  "/account/data.json", data_json, &act_signed_in, RF_WRITE_TX, "account.data_json" },
	{ M_GET,  "/account/deactivate", form_get, &act_signed_in, 0, "account.deactivate" },
	{ M_POST, "/account/deactivate", form_post, &act_signed_in, FORM, "account.deactivate" },
	{ M_GET,  "/account/delete", form_get, &act_signed_in, 0, "account.delete" },
	{ M_POST, "/account/delete", form_post, &act_signed_in, FORM, "account.delete" },
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
