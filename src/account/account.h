/*
 * account.h - the rules behind the account forms, shared by the pages
 * (account_web.c, people_web.c) and the JSON API (account_api.c) so the
 * two always agree on what is wrong with what someone typed.
 *
 * Each JSON API form (register, sign in, forgotten password), and the
 * role grant, has one check function. It returns a new JSON array of
 * {"field": name, "detail": sentence} in the order the fields appear on
 * the page; an empty array means the form is acceptable. The API returns
 * it as the "errors" of a 422 problem document. The pages bind field
 * tables (web_bind) whose rules are the same functions, one value each
 * (person_check_*, password_weakness, account_token_name_rule,
 * account_confirm_rule), so the two agree. Details are plain English that
 * say what to do ("Enter your name"), never echo a password, and never
 * say whether an account exists.
 *
 * The checks take the values as the request gave them (NULL when absent)
 * and do no I/O: whether an email is taken, or a current password right,
 * is the handler's business.
 *
 * Functions return NULL only when out of memory.
 */
#ifndef KITH_ACCOUNT_H
#define KITH_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "auth/policy.h"
#include "core/err.h"
#include "web/errors.h"

#define ACCOUNT_TOKEN_NAME_MAX 100   /* characters, as apitoken_create allows */
#define ACCOUNT_SEARCH_MAX 100       /* bytes of a people search */
#define ACCOUNT_PER_PAGE_MAX 100     /* people per page (API) */
#define ACCOUNT_RESET_TTL 3600       /* a password-reset link lasts an hour */
#define ACCOUNT_SET_TTL (7 * 86400)  /* a set-password link, a week */
#define ACCOUNT_LOGIN_WINDOW 900     /* sign-in attempts are counted over 15 minutes */
#define ACCOUNT_HOUR 3600            /* registration and reset limits: per hour */

/* Field names: the form field, the JSON member and the HTML id. */
#define FLD_NAME "name"
#define FLD_EMAIL "email"
#define FLD_PHONE "phone"
#define FLD_PASSWORD "password"
#define FLD_CONFIRM "password_confirm"
#define FLD_CURRENT "current_password"
#define FLD_TOKEN_NAME "token_name"
#define FLD_ROLE "role"
#define FLD_ORG "org_id"

/* Register: name, email, phone (optional), password. The password must
 * pass password_weakness() against the name and email. */
json_t *account_check_register(const char *name, const char *email, const char *phone,
		const char *password);
/* Sign in: both fields present (whether they are right is not a field
 * error: the page says "Enter a correct email address and password"). */
json_t *account_check_login(const char *email, const char *password);
/* A new password and its confirmation (reset, set, change). current is
 * checked for presence when need_current. name and email feed the
 * weakness check (either may be NULL). The pages bind the same rules from
 * their field tables (password_weakness, account_confirm_rule). */
json_t *account_check_new_password(const char *password, const char *confirm,
		const char *current, bool need_current, const char *name, const char *email);
/* NULL when confirm repeats password, else the sentence to show. */
const char *account_confirm_rule(const char *password, const char *confirm);
/* Forgotten password: an email address in the right format. */
json_t *account_check_reset(const char *email);
/* A new API token: what it is for, 1..ACCOUNT_TOKEN_NAME_MAX characters. */
json_t *account_check_token_name(const char *name);
/* The same rule for one value (a field_def's check): NULL when name will
 * do, else the sentence to show (blank names included). */
const char *account_token_name_rule(const char *name);
/* Grant a role: a known role; an organisation id (UUID) for organisers.
 * *role receives the role when it is known. */
json_t *account_check_grant(const char *role, const char *org_id, enum role *out);

/* Is next a local path we may send someone back to after signing in:
 * starts with one "/" (not "//" or "/\"), printable ASCII, no control
 * characters, at most 1024 bytes? */
bool account_next_ok(const char *next);

/* A role by name: "peer_supporter", or as in a URL, "peer-supporter".
 * False when unknown. */
bool account_role_parse(const char *name, enum role *out);

/* A role as people say it: "Peer supporter", "Link worker". */
const char *account_role_words(enum role r);

/* A moment as people read it, in UK time (GMT or BST):
 * "23 November 2026 at 2:05pm". date_only: "23 November 2026". Returns
 * false when t cannot be formatted. */
bool account_when(int64_t t, bool date_only, char *out, size_t n);


struct request;
struct response;

/*
 * The actions behind the API's endpoints (account_api.c) and the people
 * pages (people_web.c), made of the same steps the account pages post
 * through web_form_post (account_web.c). Each runs its own checks,
 * writes in one transaction it opens and commits itself, wakes the worker
 * when it queued email, and on failure returns the error with req_fail()
 * already said (the transaction rolled back, except for attempt counters
 * and audit rows that must survive a failure, which are committed first).
 */

/* Creates an account with the member role and sends the confirmation
 * email; with sign_in, also signs this browser in (auth_login). The form
 * must already have passed account_check_register(). ERR_CONFLICT when
 * the email is taken (the attempt, committed before the write, still
 * counts against the per-address limit); ERR_RATE_LIMITED (audited). */
enum err account_register(struct request *req, struct response *resp, const char *name,
		const char *email, const char *phone, const char *password, bool sign_in,
		int64_t *id);
/* Checks an email and password against the sign-in limits (per account
 * and per client address) and the stored hash. ERR_OK with *p filled;
 * ERR_UNAUTHORIZED when wrong (the failure counted and audited);
 * ERR_RATE_LIMITED (audited). */
struct person;
enum err account_authenticate(struct request *req, const char *email, const char *password,
		struct person *p);
/* A forgotten password: when there is an account for email, a link that
 * lasts ACCOUNT_RESET_TTL is emailed to it. ERR_OK whether or not there
 * is one; ERR_RATE_LIMITED (audited) per address and per account. */
enum err account_request_reset(struct request *req, const char *email);
/* Queues the confirm-your-email-address email with a new link, inside the
 * caller's transaction. */
enum err account_send_verify(struct request *req, int64_t id, const char *name, const char *email);

/* Roles (people_web.c). role is a role name ("peer_supporter"; the
 * hyphenated spelling is accepted too). Checks the policy for that role
 * (403), that the person exists (404), then grants it, revokes the
 * person's sessions (a new token on a change of privilege: the actor, when
 * it is their own role, is signed in again on this browser) and audits
 * role.granted. Field problems are ERR_INVALID with *errors (a new array)
 * set; ERR_CONFLICT when they hold it already. */
enum err people_grant(struct request *req, struct response *resp, int64_t id,
		const char *role, const char *org_id, json_t **errors);
/* Removes a role the same way (audits role.removed). ERR_NOT_FOUND for no
 * such person, role, or a role they do not hold; ERR_CONFLICT when it
 * would remove the last admin. */
enum err people_remove(struct request *req, struct response *resp, int64_t id,
		const char *role);
/* Audits person.read when the actor is not the person (inside the
 * caller's write transaction or autocommit). */
enum err people_audit_read(struct request *req, int64_t id);

/* The features (src/app/features.c): the pages, the JSON API, and the
 * people pages for coordinators and admins. */
struct feature;
extern const struct feature account_feature;
extern const struct feature account_api_feature;
extern const struct feature people_admin_feature;

/* Policy (account_policy.c). The role kind: res is const enum role *,
 * the role being granted or removed; REL_GRANTOR for coordinators when it
 * is one they may hand out (peer supporter, organiser). */
extern const struct resource_kind role_kind;
extern const struct action act_people_list;  /* list and search people: coordinators, admins */
extern const struct action act_person_view;  /* one person's account record: coordinators,
                                                admins, the person (res: const int64_t *) */
extern const struct action act_role_grant;   /* grant or remove a role: admins any role,
                                                coordinators those role_kind allows */
extern const struct action act_tokens_all;   /* every API token, for integrations: admins */

/* Every action above, NULL-terminated, for the account features' lists. */
extern const struct action *const account_actions[];

/* The account feature's settings (kith.conf keys of the same names). */
struct account_settings {
	int api_session_lifetime;  /* seconds a POST /api/v1/sessions token lasts */
	int verify_link_hours;
	int delete_grace_days;
	int login_limit;           /* failed sign-ins per account per 15 minutes */
	int login_limit_ip;        /* failed sign-ins per address per 15 minutes */
	int register_limit_ip;     /* registrations per address per hour */
	int reset_limit;           /* password-reset requests per address, and per account, per hour */
};
struct settings;
extern const struct settings account_settings;

#endif
