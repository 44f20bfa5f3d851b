/*
 * reqtest.h - request tests without a socket.
 *
 * Starts a complete app (routes, views, a fresh migrated database) and
 * runs requests through app_handle(), exactly as the HTTP server does after
 * parsing. Responses are copied out so tests can inspect them freely.
 *
 *   struct rt t;
 *   rt_start(&t, "sqlite");
 *   struct rt_resp r;
 *   rt_get(&t, "/healthz", &r);
 *   assert_int_equal(r.status, 200);
 *   rt_resp_free(&r);
 *   rt_stop(&t);
 *
 * Most request tests want the same things around that, and get them from
 * the helpers below instead of each growing their own copy:
 *
 *   static void page_needs_coordinator(void **state)
 *   {
 *       struct rt *t = *state;                      // from rt_setup
 *       struct rt_browser b;
 *       struct rt_resp r;
 *       int64_t id = rt_person(t, "Cora", "cora@example.org", NULL,
 *                              ROLE_BIT(ROLE_COORDINATOR), NULL);
 *
 *       rt_sign_in(t, id, &b);
 *       rt_browser_post(t, &b, "/people/1/roles", "role=peer_supporter", &r);
 *       assert_int_equal(r.status, 303);
 *       rt_resp_free(&r);
 *       assert_int_equal(rt_audit_about(t, "role.granted", 1), 1);
 *   }
 *
 *   int main(void)
 *   {
 *       const struct CMUnitTest tests[] = {
 *           cmocka_unit_test_setup_teardown(page_needs_coordinator, rt_setup, rt_teardown),
 *       };
 *
 *       return testdb_run_groups("people", tests, ARRAY_LEN(tests)) ? 1 : 0;
 *   }
 *
 * Helpers that check something (a row written, a session made) fail the
 * running cmocka test when it goes wrong, so they are called from tests
 * and fixtures only.
 */
#ifndef KITH_REQTEST_H
#define KITH_REQTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "app/config.h"
#include "auth/session.h"
#include "store/store.h"
#include "support/testdb.h"

struct rt {
	struct config cfg;
	struct app app;
	struct testdb db;
	bool started;
};

struct rt_resp {
	int status;
	char *body;            /* NUL-terminated copy */
	size_t len;
	char *content_type;
	char *headers[32][2];  /* name, value copies */
	size_t nheaders;
};

/* ---------------------------------------------------------------- the app */

/* Starts an app on a fresh database of backend ("sqlite", "postgresql",
 * or NULL for no database). settings: NULL-terminated "key=value"
 * overrides, may be NULL. Returns false on failure (printed). */
bool rt_start_with(struct rt *t, const char *backend, const char *const *settings);
bool rt_start(struct rt *t, const char *backend);
/* With extra features (test-only routes) added after the real ones. */
bool rt_start_extra(struct rt *t, const char *backend, const char *const *settings,
		const struct feature *const *extra, size_t nextra);
void rt_stop(struct rt *t);

/* The same on the heap: NULL on failure (printed). The caller owns the
 * result and gives it back with rt_free() (NULL is fine). */
struct rt *rt_new(const char *backend, const char *const *settings);
struct rt *rt_new_extra(const char *backend, const char *const *settings,
		const struct feature *const *extra, size_t nextra);
void rt_free(struct rt *t);
/* A second app on t's backend with other settings (a lower limit, say),
 * for one test; fails the test if it cannot start. rt_free() it. */
struct rt *rt_new_like(const struct rt *t, const char *const *settings);
/* "postgresql" or "sqlite": the backend t runs on (t has a database). */
const char *rt_backend(const struct rt *t);
/* t's database connection. */
struct db *rt_db(struct rt *t);

/* The settings of the standard fixture: no rate limit (tests make many
 * requests from one address), dev_mode (cookies without Secure). */
extern const char *const rt_settings[];

/* cmocka fixtures. On entry *state is the backend's name (as
 * testdb_run_groups() passes it); rt_setup() replaces it with a struct rt *
 * started with rt_settings, rt_setup_with() with the settings given (for
 * a file's own setup, which may then add rows). rt_teardown() frees it and
 * undoes what tests commonly change: the fake clock and quiet logs. */
int rt_setup(void **state);
int rt_setup_with(void **state, const char *const *settings);
int rt_teardown(void **state);

/* ---------------------------------------------------------------- requests */

/* Runs one request. target is "/path?query". headers: NULL-terminated
 * "Name: value" strings, may be NULL. client_ip NULL means 127.0.0.1.
 * Every function here that fills a struct rt_resp leaves it to the caller
 * to free with rt_resp_free(). */
void rt_request(struct rt *t, const char *method, const char *target,
		const char *const *headers, const char *body, size_t body_len,
		const char *client_ip, struct rt_resp *out);
void rt_get(struct rt *t, const char *target, struct rt_resp *out);
/* GET with headers (may be NULL) that must answer want: anything else
 * fails the test, naming the target, the status and the body. */
void rt_get_want(struct rt *t, const char *target, const char *const *headers, int want,
		struct rt_resp *out);
/* POST with a body and content type. */
void rt_post(struct rt *t, const char *target, const char *ctype, const char *body,
		struct rt_resp *out);
/* GET with "Authorization: Bearer <token>" (token NULL: none). */
void rt_get_bearer(struct rt *t, const char *target, const char *token, struct rt_resp *out);

/* The JSON API's query rule (web/api.h) on the list at path (no query),
 * asked with a bearer token: ?page= is page 1; page=0, page=abc,
 * per_page=per_page_max+1 and a parameter the list does not take are
 * each a 400 problem whose errors name the parameter and whose detail
 * says "The <name> parameter"; page=1&per_page=1 is a page of at most one.
 * Fails the test otherwise. */
void rt_api_list_rule(struct rt *t, const char *path, const char *token, int64_t per_page_max);

const char *rt_header(const struct rt_resp *r, const char *name);
/* Whether the body contains needle. */
bool rt_has(const struct rt_resp *r, const char *needle);
/* gunzip of r's body (at most 1 MiB), NUL-terminated, its length in *n;
 * fails the test when it is not gzip. The caller frees it. */
char *rt_gunzip(const struct rt_resp *r, size_t *n);
void rt_resp_free(struct rt_resp *r);

/* ---------------------------------------------------------------- people */

/* A directory service of org, saved as the organisers' form saves it (a
 * weekly walk in Scunthorpe DN15, free, in person) in state, in the
 * category with that vocab code, at now (0: time_now()); the search index
 * is brought up to date. Writes its id to out; fails the test if it cannot. */
void rt_service(struct rt *t, const char *org, const char *name, int state, char out[37]);
void rt_service_at(struct rt *t, const char *org, const char *name, int state,
		const char *category, int64_t now, char out[37]);
/* The same from a whole form of the caller's (how people join, when it
 * meets, where), at now (0: time_now()). */
struct svc_form;
void rt_service_form(struct rt *t, const struct svc_form *f, int state, int64_t now, char out[37]);

/* A person made directly in the database (no hashing unless password is
 * given), with the roles in roles_mask (ROLE_BIT()s; 0 for none, not even
 * member). org_id is the organisation of ROLE_ORGANISER, which must exist
 * (org_create); NULL otherwise. password NULL: none. rt_person() marks the
 * email address confirmed; rt_person_unverified() leaves it unconfirmed.
 * Created now (time_now()). Returns the id; fails the test on any error. */
int64_t rt_person(struct rt *t, const char *name, const char *email, const char *password,
		unsigned roles_mask, const char *org_id);
int64_t rt_person_unverified(struct rt *t, const char *name, const char *email,
		const char *password, unsigned roles_mask, const char *org_id);

/* A path from a format, in one of eight buffers that take turns: good for
 * the arguments of one call; a path kept longer goes in the test's own
 * buffer. Not for threads. */
const char *rt_at(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---------------------------------------------------------------- a browser */

/* A browser's cookie jar and the newest form token it has seen. Zero it
 * for a visitor who has not been here yet ({ .ip = ... } for another
 * address). Every rt_browser_* request sends the cookies it holds and
 * then takes what the response sets: a Set-Cookie for kith_session or
 * kith_visitor replaces the value (Max-Age=0 clears it), and a page's
 * <input name="csrf_token"> replaces csrf. */
struct rt_browser {
	char visitor[96];     /* kith_visitor value; "" for none */
	char session[96];     /* kith_session value; "" when signed out */
	char csrf[96];        /* form token for the next rt_browser_post() */
	const char *ip;       /* client address; NULL: 127.0.0.1 */
};

/* Signs b in as person_id the quick way: a browser session made in the
 * database (an hour long). b need not be initialised: all of it is
 * overwritten (ip: 127.0.0.1, no visitor cookie), then the session's
 * cookie and form token put in it. Fails the test if the session cannot
 * be made. */
void rt_sign_in(struct rt *t, int64_t person_id, struct rt_browser *b);

/* One request with b's cookies. headers: more "Name: value" lines,
 * NULL-terminated, may be NULL. body, when not NULL, is sent as a form
 * (application/x-www-form-urlencoded) exactly as given: no form token is
 * added, for tests of what happens without one. */
void rt_browser_request(struct rt *t, struct rt_browser *b, const char *method,
		const char *target, const char *const *headers, const char *body,
		struct rt_resp *out);
void rt_browser_get(struct rt *t, struct rt_browser *b, const char *target, struct rt_resp *out);
/* POSTs "csrf_token=<b's form token>" and fields ("a=1&b=2"; NULL or ""
 * for none), as a form on a page would. fields: 2 KiB at most. */
void rt_browser_post(struct rt *t, struct rt_browser *b, const char *target, const char *fields,
		struct rt_resp *out);

/* The same, checked, for the many steps that only look at the answer:
 * fails the test unless the status is status and the body contains each
 * of the strings after it, up to a NULL. The response is freed (b keeps
 * the cookies and form token it set). */
void rt_browser_get_is(struct rt *t, struct rt_browser *b, const char *target, int status, ...)
	__attribute__((sentinel));
void rt_browser_post_is(struct rt *t, struct rt_browser *b, const char *target, const char *fields,
		int status, ...) __attribute__((sentinel));
/* A POST answered by a 303 to location (exactly). */
void rt_browser_post_to(struct rt *t, struct rt_browser *b, const char *target, const char *fields,
		const char *location);

/* One step of a walk over a feature's routes as many kinds of actor:
 * method (GET, or POST with body as a form) to path as b, into r (the
 * caller frees it). want is the status, or RT_TO_LOGIN for a visitor
 * sent to sign in (303 to /login). Prints "METHOD pattern as who: ..."
 * and returns false when the answer is not that, or is a 5xx. */
#define RT_TO_LOGIN 1
bool rt_walk_step(struct rt *t, struct rt_browser *b, const char *method, const char *pattern,
		const char *path, const char *body, int want, const char *who, struct rt_resp *r, int *got);

/* ---------------------------------------------------------------- API credentials */

enum rt_bearer_kind {
	RT_API_SESSION,       /* a ks_ API session, an hour long, as POST /api/v1/sessions makes */
	RT_API_TOKEN,         /* a kt_ API token named "Tests", for 90 days or until revoked */
};

/* Makes a bearer credential for person_id in the database and copies the
 * token into out. Returns the session's or token's id; fails the test on
 * an error. */
int64_t rt_bearer(struct rt *t, int64_t person_id, enum rt_bearer_kind kind,
		char out[TOKEN_LEN + 1]);

/* ---------------------------------------------------------------- the database */

/* The integer a query answers in its first row and column (count(*),
 * max(id)); args as DB_ARGS(...) or DB_NOARGS. q must have static storage:
 * the store caches prepared statements by its address. Fails the test on
 * a database error. */
int64_t rt_count(struct rt *t, const struct sql *q, const struct db_val *args, size_t nargs);
/* Audit rows with this action, and with this action about subject_id. */
int64_t rt_audit_n(struct rt *t, const char *action);
int64_t rt_audit_about(struct rt *t, const char *action, int64_t subject_id);
/* Outbox messages to an address from a template (its name, like
 * "verify_email"), and in all. */
int64_t rt_mail_n(struct rt *t, const char *to, const char *tmpl);
int64_t rt_mail_all(struct rt *t);
/* The newest outbox message to an address from a template: subject, text
 * and HTML joined with spaces. The caller frees it. Fails the test when
 * there is none. */
char *rt_mail_text(struct rt *t, const char *to, const char *tmpl);
/* The link in that message that starts with prefix ("/verify-email/"),
 * through the 64 hex digits of its token: a path the caller frees. Fails
 * the test when there is none. */
char *rt_mail_link(struct rt *t, const char *to, const char *tmpl, const char *prefix);

/* ---------------------------------------------------------------- files */

/* Removes dir and everything below it (a test's mail_dir), quietly. */
void rt_rm_rf(const char *dir);

#endif
