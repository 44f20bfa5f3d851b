/*
 * test_auth.c - who is asking, through the real dispatcher: session
 * cookies, bearer tokens (ks_ API sessions and kt_ API tokens), visitors,
 * expiry and idleness, deactivated people, CSRF for sessions and
 * visitors, signing in and out. Each runs on SQLite and, when
 * KITH_TEST_PG_URL is set, on PostgreSQL. The clock is pinned with
 * time_set_fake(), never slept through.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "app/features.h"
#include "audit/audit.h"
#include "auth/attempts.h"
#include "auth/auth_web.h"
#include "auth/auth_feature.h"
#include "auth/onetime.h"
#include "auth/person.h"
#include "auth/session.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "http/router.h"
#include "store/store.h"
#include "support/reqtest.h"
#include "web/view.h"

#define NOW INT64_C(1790000000)

/* ---- test-only routes ---- */

static enum err t_whoami(struct request *req, struct response *resp)
{
	const struct actor *a = req->actor;

	return view_json(req, resp, 200, json_pack("{s:I, s:I, s:I, s:b, s:s?, s:I, s:b}",
		"id", (json_int_t)a->id, "session_id", (json_int_t)a->session_id,
		"token_id", (json_int_t)a->token_id, "via_token", a->via_token, "name", a->name,
		"roles", (json_int_t)a->roles, "db", req->db != NULL));
}

static enum err t_form_page(struct request *req, struct response *resp)
{
	const char *tok = auth_form_token(req, resp);

	if (!tok)
		return ERR_NOMEM;
	/* Twice: the second call must not set a second cookie. */
	if (auth_form_token(req, resp) != tok)
		return ERR_INTERNAL;
	return view_json(req, resp, 200, json_pack("{s:s}", "csrf_token", tok));
}

static enum err t_form(struct request *req, struct response *resp)
{
	return view_json(req, resp, 200, json_pack("{s:b}", "ok", 1));
}

static enum err t_login(struct request *req, struct response *resp)
{
	const char *pid = req_form(req, "person_id");
	int64_t id = 0;
	enum err e;

	for (const char *p = pid; p && *p; p++)
		id = id * 10 + (*p - '0');
	if ((e = db_begin(req->db)) != ERR_OK || (e = auth_login(req, resp, id)) != ERR_OK ||
	    (e = db_commit(req->db)) != ERR_OK)
		return e;
	return view_json(req, resp, 200, json_pack("{s:I, s:I, s:s}", "id", (json_int_t)req->actor->id,
		"session_id", (json_int_t)req->actor->session_id, "csrf_token", req->actor->csrf_token));
}

static enum err t_logout(struct request *req, struct response *resp)
{
	enum err e;

	if ((e = db_begin(req->db)) != ERR_OK || (e = auth_logout(req, resp)) != ERR_OK ||
	    (e = db_commit(req->db)) != ERR_OK)
		return e;
	return view_json(req, resp, 200, json_pack("{s:I}", "id", (json_int_t)req->actor->id));
}

static const struct route test_routes[] = {
	{ M_GET, "/api/test/whoami", t_whoami, &act_public, 0, NULL },
	{ M_GET, "/test/whoami-nodb", t_whoami, &act_public, RF_NODB, NULL },
	{ M_GET, "/test/form-page", t_form_page, &act_public, 0, NULL },
	{ M_POST, "/test/form", t_form, &act_public, RF_FORM | RF_CSRF, NULL },
	{ M_POST, "/test/login", t_login, &act_public, RF_FORM | RF_CSRF, NULL },
	{ M_POST, "/test/logout", t_logout, &act_signed_in, RF_FORM | RF_CSRF, NULL },
};
static const struct feature test_feature = {
	.name = "authtest", .routes = test_routes, .nroutes = ARRAY_LEN(test_routes),
};
static const struct feature *const extra[] = { &test_feature };

/* ---- fixtures ---- */

struct fx {
	struct rt t;
	struct db *db;
	struct arena a;
	int64_t ann, bob;
};

static int start(void **state, const char *const *settings)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *backend = *state;

	time_set_fake(NOW);
	if (!f || !rt_start_extra(&f->t, backend, settings, extra, 1))
		return -1;
	f->db = rt_db(&f->t);
	arena_init(&f->a);
	f->ann = rt_person_unverified(&f->t, "Ann Archer", "Ann@Example.org", NULL,
				      ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_ADMIN), NULL);
	f->bob = rt_person_unverified(&f->t, "Bob Baker", "bob@example.org", NULL, ROLE_BIT(ROLE_MEMBER), NULL);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	const char *const settings[] = { "rate_limit=0", NULL };

	return start(state, settings);
}

static int setup_dev(void **state)
{
	const char *const settings[] = { "rate_limit=0", "dev_mode=true", NULL };

	return start(state, settings);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	time_set_fake(0);
	log_set_quiet(0);
	arena_release(&f->a);
	rt_stop(&f->t);
	free(f);
	return 0;
}

/* ---- helpers ---- */

/* The Set-Cookie header that sets name, or NULL. */
static const char *set_cookie(const struct rt_resp *r, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i][0], "Set-Cookie") == 0 &&
		    strncmp(r->headers[i][1], name, n) == 0 && r->headers[i][1][n] == '=')
			return r->headers[i][1];
	return NULL;
}

static size_t count_set_cookies(const struct rt_resp *r)
{
	size_t c = 0;

	for (size_t i = 0; i < r->nheaders; i++)
		c += strcasecmp(r->headers[i][0], "Set-Cookie") == 0;
	return c;
}

/* The value a Set-Cookie header sets, into out. */
static void cookie_value(const char *hdr, char *out, size_t n)
{
	const char *eq = strchr(hdr, '='), *end;

	assert_non_null(eq);
	end = strchr(eq, ';');
	if (!end)
		end = eq + strlen(eq);
	snprintf(out, n, "%.*s", (int)(end - eq - 1), eq + 1);
}

static void get(struct fx *f, const char *path, const char *h1, const char *h2, struct rt_resp *r)
{
	const char *headers[3] = { h1, h1 ? h2 : NULL, NULL };

	rt_request(&f->t, "GET", path, headers, NULL, 0, NULL, r);
}

static void post_form(struct fx *f, const char *path, const char *h1, const char *h2, const char *body,
		struct rt_resp *r)
{
	const char *headers[4] = { "Content-Type: application/x-www-form-urlencoded", h1, h1 ? h2 : NULL, NULL };

	rt_request(&f->t, "POST", path, headers, body, strlen(body), NULL, r);
}

static int64_t json_int(const struct rt_resp *r, const char *key)
{
	json_t *j = json_loads(r->body, 0, NULL);
	int64_t v;

	assert_non_null(j);
	v = json_integer_value(json_object_get(j, key));
	json_decref(j);
	return v;
}

static bool json_bool(const struct rt_resp *r, const char *key)
{
	json_t *j = json_loads(r->body, 0, NULL);
	bool v;

	assert_non_null(j);
	v = json_is_true(json_object_get(j, key));
	json_decref(j);
	return v;
}

/* The string at key of a JSON body, into out. */
static void json_str(const struct rt_resp *r, const char *key, char *out, size_t n)
{
	json_t *j = json_loads(r->body, 0, NULL);

	assert_non_null(j);
	snprintf(out, n, "%s", json_string_value(json_object_get(j, key)));
	json_decref(j);
}

/* What a visitor gets from a page with a form: the cookie to send back
 * ("Cookie: kith_visitor=...") and the form token. */
static void visitor_form(struct fx *f, char *cookie, size_t n, char *token, size_t tn)
{
	struct rt_resp r;
	char visitor[128];

	get(f, "/test/form-page", NULL, NULL, &r);
	cookie_value(set_cookie(&r, "kith_visitor"), visitor, sizeof(visitor));
	json_str(&r, "csrf_token", token, tn);
	rt_resp_free(&r);
	snprintf(cookie, n, "Cookie: kith_visitor=%s", visitor);
}

static void new_session(struct fx *f, int64_t person, enum session_kind kind, struct session_new *s)
{
	int64_t now = time_now();

	assert_int_equal(session_create(f->db, person, kind, "127.0.0.1", NULL, now,
					now + (kind == SESSION_API ? 86400 : 43200), s), ERR_OK);
}

/* ---- visitors ---- */

static void visitors_get_no_cookie(void **state)
{
	struct fx *f = *state;
	struct rt_resp r;

	get(f, "/api/test/whoami", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_int(&r, "id"), 0);
	assert_int_equal(count_set_cookies(&r), 0);
	rt_resp_free(&r);
	/* Nor does the home page: only pages with forms set one. */
	get(f, "/", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(count_set_cookies(&r), 0);
	rt_resp_free(&r);
}

static void no_database_for_visitors(void **state)
{
	struct rt t;
	struct rt_resp r;
	const char *cookie[] = { "Cookie: kith_session=ks_0000000000000000000000000000000000000000000000000000000000000000",
				 NULL };
	const char *bearer[] = { "Authorization: Bearer kt_0000000000000000000000000000000000000000000000000000000000000000",
				 NULL };

	UNUSED(state);
	assert_true(rt_start_extra(&t, NULL, NULL, extra, 1));
	/* Without a store a visitor is still served... */
	rt_request(&t, "GET", "/test/whoami-nodb", NULL, NULL, 0, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_int(&r, "id"), 0);
	rt_resp_free(&r);
	/* ...a cookie that cannot be checked is a visitor, and kept... */
	rt_request(&t, "GET", "/test/whoami-nodb", cookie, NULL, 0, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_int(&r, "id"), 0);
	assert_int_equal(count_set_cookies(&r), 0);
	rt_resp_free(&r);
	/* ...but a bearer token that cannot be checked is a 503. */
	rt_request(&t, "GET", "/test/whoami-nodb", bearer, NULL, 0, NULL, &r);
	assert_int_equal(r.status, 503);
	assert_non_null(rt_header(&r, "Retry-After"));
	rt_resp_free(&r);
	rt_stop(&t);
}

/* ---- session cookies ---- */

static void cookie_session(void **state)
{
	struct fx *f = *state;
	struct session_new s;
	struct rt_resp r;
	char cookie[128];

	new_session(f, f->ann, SESSION_BROWSER, &s);
	snprintf(cookie, sizeof(cookie), "Cookie: theme=dark; kith_session=%s; other=1", s.token);
	get(f, "/api/test/whoami", cookie, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_int(&r, "id"), f->ann);
	assert_int_equal(json_int(&r, "session_id"), s.id);
	assert_false(json_bool(&r, "via_token"));
	assert_int_equal(json_int(&r, "roles"), ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_ADMIN));
	assert_int_equal(count_set_cookies(&r), 0);
	rt_resp_free(&r);

	/* RF_NODB pages still know who is signed in. */
	get(f, "/test/whoami-nodb", cookie, NULL, &r);
	assert_int_equal(json_int(&r, "id"), f->ann);
	assert_false(json_bool(&r, "db"));
	rt_resp_free(&r);
	get(f, "/", cookie, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Ann Archer"));
	rt_resp_free(&r);
}

static void touch_at_most_once_a_minute(void **state)
{
	struct fx *f = *state;
	static const struct sql q_seen = { "t.seen", "SELECT last_seen_at FROM session WHERE id = $1", NULL };
	struct session_new s;
	struct rt_resp r;
	char cookie[128];
	int64_t seen = 0;

	new_session(f, f->ann, SESSION_BROWSER, &s);
	snprintf(cookie, sizeof(cookie), "Cookie: kith_session=%s", s.token);
	time_set_fake(NOW + 30);
	get(f, "/api/test/whoami", cookie, NULL, &r);
	rt_resp_free(&r);
	assert_int_equal(db_query_int(f->db, &q_seen, DB_ARGS(DB_INT(s.id)), &seen), ERR_OK);
	assert_int_equal(seen, NOW);
	time_set_fake(NOW + 61);
	get(f, "/api/test/whoami", cookie, NULL, &r);
	rt_resp_free(&r);
	assert_int_equal(db_query_int(f->db, &q_seen, DB_ARGS(DB_INT(s.id)), &seen), ERR_OK);
	assert_int_equal(seen, NOW + 61);
}

static void bad_cookies_make_visitors_and_are_cleared(void **state)
{
	struct fx *f = *state;
	struct session_new s;
	struct rt_resp r;
	char cookie[160];
	const char *clear;
	const char *cookies[] = {
		"Cookie: kith_session=nonsense",
		"Cookie: kith_session=ks_0000000000000000000000000000000000000000000000000000000000000000",
		"Cookie: kith_session=kt_0000000000000000000000000000000000000000000000000000000000000000",
		"Cookie: kith_session=KS_0000000000000000000000000000000000000000000000000000000000000000",
	};

	for (size_t i = 0; i < ARRAY_LEN(cookies); i++) {
		get(f, "/api/test/whoami", cookies[i], NULL, &r);
		assert_int_equal(r.status, 200);
		assert_int_equal(json_int(&r, "id"), 0);
		clear = set_cookie(&r, "kith_session");
		assert_non_null(clear);
		assert_string_equal(clear, "kith_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure");
		rt_resp_free(&r);
	}

	/* An API session is not a cookie. */
	new_session(f, f->ann, SESSION_API, &s);
	snprintf(cookie, sizeof(cookie), "Cookie: kith_session=%s", s.token);
	get(f, "/api/test/whoami", cookie, NULL, &r);
	assert_int_equal(json_int(&r, "id"), 0);
	assert_non_null(set_cookie(&r, "kith_session"));
	rt_resp_free(&r);
}

static void expired_and_idle_sessions(void **state)
{
	struct fx *f = *state;
	struct session_new s;
	struct rt_resp r;
	char cookie[128];
	int idle = SETTINGS_OF(&f->t.cfg, struct auth_settings, auth_settings)->session_idle, life = SETTINGS_OF(&f->t.cfg, struct auth_settings, auth_settings)->session_lifetime;

	assert_true(idle < life);
	new_session(f, f->ann, SESSION_BROWSER, &s);
	snprintf(cookie, sizeof(cookie), "Cookie: kith_session=%s", s.token);
	/* Just within the idle time: still signed in (and touched). */
	time_set_fake(NOW + idle);
	get(f, "/api/test/whoami", cookie, NULL, &r);
	assert_int_equal(json_int(&r, "id"), f->ann);
	rt_resp_free(&r);
	/* Used every so often, it lasts until its absolute end... */
	for (int64_t t = NOW + idle; t < NOW + life; t += idle - 60) {
		time_set_fake(t);
		get(f, "/api/test/whoami", cookie, NULL, &r);
		assert_int_equal(json_int(&r, "id"), f->ann);
		rt_resp_free(&r);
	}
	/* ...and not a second longer. */
	time_set_fake(NOW + life);
	get(f, "/api/test/whoami", cookie, NULL, &r);
	assert_int_equal(json_int(&r, "id"), 0);
	assert_non_null(set_cookie(&r, "kith_session"));
	rt_resp_free(&r);

	/* Idle for longer than session_idle: ended. */
	time_set_fake(NOW);
	new_session(f, f->ann, SESSION_BROWSER, &s);
	snprintf(cookie, sizeof(cookie), "Cookie: kith_session=%s", s.token);
	time_set_fake(NOW + idle + 1);
	get(f, "/api/test/whoami", cookie, NULL, &r);
	assert_int_equal(json_int(&r, "id"), 0);
	assert_non_null(set_cookie(&r, "kith_session"));
	rt_resp_free(&r);
}

static void deactivated_people_are_visitors(void **state)
{
	struct fx *f = *state;
	static const struct sql q_deact = { "t.deact2",
		"UPDATE person SET deactivated_at = $2 WHERE id = $1", NULL };
	struct session_new s, api;
	struct token_new tok;
	struct rt_resp r;
	char cookie[128], bearer[128];

	new_session(f, f->bob, SESSION_BROWSER, &s);
	new_session(f, f->bob, SESSION_API, &api);
	assert_int_equal(apitoken_create(f->db, f->bob, "Script", f->bob, NOW, 90 * 86400, &tok), ERR_OK);
	/* Deactivated without revoking anything: each lookup checks. */
	assert_int_equal(db_exec(f->db, &q_deact, DB_ARGS(DB_INT(f->bob), DB_INT(NOW)), NULL), ERR_OK);
	snprintf(cookie, sizeof(cookie), "Cookie: kith_session=%s", s.token);
	get(f, "/api/test/whoami", cookie, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_int(&r, "id"), 0);
	rt_resp_free(&r);
	snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s", api.token);
	get(f, "/api/test/whoami", bearer, NULL, &r);
	assert_int_equal(r.status, 401);
	rt_resp_free(&r);
	snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s", tok.token);
	get(f, "/api/test/whoami", bearer, NULL, &r);
	assert_int_equal(r.status, 401);
	rt_resp_free(&r);
}

/* ---- bearer tokens ---- */

static void bearer_tokens(void **state)
{
	struct fx *f = *state;
	struct session_new api, browser;
	struct token_new tok;
	struct rt_resp r;
	char h[160];

	new_session(f, f->ann, SESSION_API, &api);
	new_session(f, f->ann, SESSION_BROWSER, &browser);
	assert_int_equal(apitoken_create(f->db, f->ann, "GP system", f->ann, time_now(), 90 * 86400, &tok), ERR_OK);

	snprintf(h, sizeof(h), "Authorization: Bearer %s", api.token);
	get(f, "/api/test/whoami", h, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_int(&r, "id"), f->ann);
	assert_int_equal(json_int(&r, "session_id"), api.id);
	assert_true(json_bool(&r, "via_token"));
	rt_resp_free(&r);

	/* The scheme in any case, extra spaces around the token. */
	snprintf(h, sizeof(h), "Authorization: bEaReR   %s  ", tok.token);
	get(f, "/api/test/whoami", h, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_int(&r, "id"), f->ann);
	assert_int_equal(json_int(&r, "token_id"), tok.id);
	assert_true(json_bool(&r, "via_token"));
	rt_resp_free(&r);

	/* A bearer token wins over a cookie. */
	snprintf(h, sizeof(h), "Authorization: Bearer %s", tok.token);
	{
		char c[128];

		snprintf(c, sizeof(c), "Cookie: kith_session=%s", browser.token);
		get(f, "/api/test/whoami", h, c, &r);
		assert_int_equal(json_int(&r, "token_id"), tok.id);
		rt_resp_free(&r);
	}

	/* A browser session's token is no bearer token. */
	snprintf(h, sizeof(h), "Authorization: Bearer %s", browser.token);
	get(f, "/api/test/whoami", h, NULL, &r);
	assert_int_equal(r.status, 401);
	rt_resp_free(&r);

	/* Revoked: refused. */
	assert_int_equal(apitoken_revoke(f->db, f->ann, tok.id, NOW), ERR_OK);
	snprintf(h, sizeof(h), "Authorization: Bearer %s", tok.token);
	get(f, "/api/test/whoami", h, NULL, &r);
	assert_int_equal(r.status, 401);
	rt_resp_free(&r);
}

static void bad_bearers_are_401(void **state)
{
	struct fx *f = *state;
	struct rt_resp r;
	const char *bad[] = {
		"Authorization: Bearer",
		"Authorization: Bearer ",
		"Authorization: Bearer nope",
		"Authorization: Bearer ks_0000000000000000000000000000000000000000000000000000000000000000",
		"Authorization: Bearer kt_0000000000000000000000000000000000000000000000000000000000000000",
		"Authorization: Bearer ks_0000000000000000000000000000000000000000000000000000000000000000 extra",
		"Authorization: Bearer kx_0000000000000000000000000000000000000000000000000000000000000000",
	};

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		get(f, "/api/test/whoami", bad[i], NULL, &r);
		if (r.status != 401)
			fail_msg("%s: %d", bad[i], r.status);
		assert_string_equal(r.content_type, "application/problem+json");
		assert_true(rt_has(&r, "The bearer token is not valid or has expired. Get a new one from "
				     "POST /api/v1/sessions."));
		assert_string_equal(rt_header(&r, "WWW-Authenticate"), "Bearer error=\"invalid_token\"");
		rt_resp_free(&r);
	}
	/* Even on a public page: the caller claimed to be someone. */
	get(f, "/", bad[2], NULL, &r);
	assert_int_equal(r.status, 401);
	rt_resp_free(&r);
	/* Another scheme is not ours: a visitor. */
	get(f, "/api/test/whoami", "Authorization: Basic dXNlcjpwYXNz", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_int(&r, "id"), 0);
	rt_resp_free(&r);
}

/* ---- CSRF ---- */

static void csrf_for_sessions(void **state)
{
	struct fx *f = *state;
	struct session_new s, other;
	struct token_new tok;
	struct rt_resp r;
	char cookie[128], body[128], bearer[128];

	new_session(f, f->ann, SESSION_BROWSER, &s);
	new_session(f, f->bob, SESSION_BROWSER, &other);
	snprintf(cookie, sizeof(cookie), "Cookie: kith_session=%s", s.token);

	snprintf(body, sizeof(body), "csrf_token=%s", s.csrf);
	post_form(f, "/test/form", cookie, NULL, body, &r);
	assert_int_equal(r.status, 200);
	rt_resp_free(&r);
	/* Someone else's token, a changed one, none. */
	snprintf(body, sizeof(body), "csrf_token=%s", other.csrf);
	post_form(f, "/test/form", cookie, NULL, body, &r);
	assert_int_equal(r.status, 403);
	assert_true(rt_has(&r, "reload the page"));
	rt_resp_free(&r);
	snprintf(body, sizeof(body), "csrf_token=%.63s", s.csrf);
	post_form(f, "/test/form", cookie, NULL, body, &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);
	post_form(f, "/test/form", cookie, NULL, "x=1", &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);

	/* The page's form token is the session's. */
	get(f, "/test/form-page", cookie, NULL, &r);
	assert_true(rt_has(&r, s.csrf));
	assert_null(set_cookie(&r, "kith_visitor"));
	rt_resp_free(&r);

	/* Bearer requests carry no ambient credential: no token needed. */
	assert_int_equal(apitoken_create(f->db, f->ann, "Script", f->ann, time_now(), 90 * 86400, &tok), ERR_OK);
	snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s", tok.token);
	post_form(f, "/test/form", bearer, NULL, "x=1", &r);
	assert_int_equal(r.status, 200);
	rt_resp_free(&r);
}

static void csrf_for_visitors(void **state)
{
	struct fx *f = *state;
	struct rt_resp r;
	char visitor[128], cookie[160], token[80], body[128], other[160];
	const char *sc;

	/* Only a page with a form sets the visitor cookie. */
	get(f, "/test/form-page", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(count_set_cookies(&r), 1);
	sc = set_cookie(&r, "kith_visitor");
	assert_non_null(sc);
	assert_non_null(strstr(sc, "; Path=/"));
	assert_non_null(strstr(sc, "; HttpOnly"));
	assert_non_null(strstr(sc, "; SameSite=Lax"));
	assert_non_null(strstr(sc, "; Secure"));
	cookie_value(sc, visitor, sizeof(visitor));
	assert_int_equal(strlen(visitor), 64);
	json_str(&r, "csrf_token", token, sizeof(token));
	assert_int_equal(strlen(token), 64);
	assert_string_not_equal(token, visitor);      /* signed, not the cookie itself */
	rt_resp_free(&r);

	/* The same cookie gets the same token and no new cookie. */
	snprintf(cookie, sizeof(cookie), "Cookie: kith_visitor=%s", visitor);
	get(f, "/test/form-page", cookie, NULL, &r);
	assert_true(rt_has(&r, token));
	assert_int_equal(count_set_cookies(&r), 0);
	rt_resp_free(&r);

	snprintf(body, sizeof(body), "csrf_token=%s", token);
	post_form(f, "/test/form", cookie, NULL, body, &r);
	assert_int_equal(r.status, 200);
	rt_resp_free(&r);
	/* Without the cookie, with another cookie, with a wrong token. */
	post_form(f, "/test/form", NULL, NULL, body, &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);
	snprintf(other, sizeof(other), "Cookie: kith_visitor=%064d", 7);
	post_form(f, "/test/form", other, NULL, body, &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);
	post_form(f, "/test/form", cookie, NULL, "csrf_token=visitor", &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);
	/* A malformed visitor cookie is replaced when a form is shown. */
	get(f, "/test/form-page", "Cookie: kith_visitor=<script>", NULL, &r);
	assert_non_null(set_cookie(&r, "kith_visitor"));
	rt_resp_free(&r);
}

/* ---- signing in and out ---- */

static void login_and_logout(void **state)
{
	struct fx *f = *state;
	struct rt_resp r;
	char cookie[200], token[80], body[160], session[128], csrf[80];
	char key[ATTEMPT_KEY_MAX];
	const char *sc;
	int retry;

	/* A failed attempt on the account, to be cleared by signing in. */
	attempts_key(key, ATTEMPT_LOGIN_ACCOUNT, "ann@example.org");
	assert_int_equal(attempts_add(f->db, key, NOW), ERR_OK);

	visitor_form(f, cookie, sizeof(cookie), token, sizeof(token));
	snprintf(body, sizeof(body), "csrf_token=%s&person_id=%lld", token, (long long)f->ann);
	post_form(f, "/test/login", cookie, NULL, body, &r);
	assert_int_equal(r.status, 200);
	sc = set_cookie(&r, "kith_session");
	assert_non_null(sc);
	assert_non_null(strstr(sc, "; Path=/; HttpOnly; SameSite=Lax; Max-Age=43200; Secure"));
	cookie_value(sc, session, sizeof(session));
	assert_true(token_well_formed(session, NULL));
	assert_int_equal(json_int(&r, "id"), f->ann);
	json_str(&r, "csrf_token", csrf, sizeof(csrf));
	assert_string_not_equal(csrf, token);       /* a new form token with the session */
	rt_resp_free(&r);
	assert_int_equal(attempts_check(f->db, key, 900, 1, NOW, &retry), ERR_OK);
	assert_int_equal(rt_audit_about(&f->t, "login", f->ann), 1);

	/* Signed in with the new cookie. */
	snprintf(cookie, sizeof(cookie), "Cookie: kith_session=%s", session);
	get(f, "/api/test/whoami", cookie, NULL, &r);
	assert_int_equal(json_int(&r, "id"), f->ann);
	rt_resp_free(&r);

	/* Signing in again from a signed-in browser: the old session ends
	 * and the token changes (no fixation). */
	snprintf(body, sizeof(body), "csrf_token=%s&person_id=%lld", csrf, (long long)f->ann);
	post_form(f, "/test/login", cookie, NULL, body, &r);
	assert_int_equal(r.status, 200);
	{
		char again[128];

		cookie_value(set_cookie(&r, "kith_session"), again, sizeof(again));
		assert_string_not_equal(again, session);
		rt_resp_free(&r);
		get(f, "/api/test/whoami", cookie, NULL, &r);
		assert_int_equal(json_int(&r, "id"), 0);
		rt_resp_free(&r);
		snprintf(session, sizeof(session), "%s", again);
	}
	snprintf(cookie, sizeof(cookie), "Cookie: kith_session=%s", session);
	get(f, "/test/form-page", cookie, NULL, &r);
	json_str(&r, "csrf_token", csrf, sizeof(csrf));
	rt_resp_free(&r);

	/* Signing out: revoked, cleared, audited. */
	snprintf(body, sizeof(body), "csrf_token=%s", csrf);
	post_form(f, "/test/logout", cookie, NULL, body, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_int(&r, "id"), 0);
	assert_string_equal(set_cookie(&r, "kith_session"),
			    "kith_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure");
	rt_resp_free(&r);
	assert_int_equal(rt_audit_about(&f->t, "logout", f->ann), 1);
	get(f, "/api/test/whoami", cookie, NULL, &r);
	assert_int_equal(json_int(&r, "id"), 0);
	rt_resp_free(&r);
}

static void login_cancels_deletion_and_deactivation(void **state)
{
	struct fx *f = *state;
	struct rt_resp r;
	struct person p;
	char cookie[200], token[80], body[160];

	assert_int_equal(person_set_delete(f->db, f->bob, NOW + 7 * 86400, NOW), ERR_OK);
	assert_int_equal(person_set_deactivated(f->db, f->bob, true, NOW), ERR_OK);

	visitor_form(f, cookie, sizeof(cookie), token, sizeof(token));
	snprintf(body, sizeof(body), "csrf_token=%s&person_id=%lld", token, (long long)f->bob);
	post_form(f, "/test/login", cookie, NULL, body, &r);
	assert_int_equal(r.status, 200);
	rt_resp_free(&r);

	assert_int_equal(person_get(f->db, &f->a, f->bob, &p), ERR_OK);
	assert_int_equal(p.deactivated_at, 0);
	assert_int_equal(p.delete_requested_at, 0);
	assert_int_equal(p.erase_after, 0);
	assert_int_equal(rt_audit_about(&f->t, "account.delete_cancelled", f->bob), 1);
	assert_int_equal(rt_audit_about(&f->t, "account.reactivated", f->bob), 1);
	assert_int_equal(rt_audit_about(&f->t, "login", f->bob), 1);

	/* An unknown person cannot be signed in; nothing is written. */
	snprintf(body, sizeof(body), "csrf_token=%s&person_id=99999", token);
	log_set_quiet(1);
	post_form(f, "/test/login", cookie, NULL, body, &r);
	log_set_quiet(0);
	assert_int_equal(r.status, 404);
	assert_null(set_cookie(&r, "kith_session"));
	rt_resp_free(&r);
}

static void dev_mode_cookies_are_not_secure(void **state)
{
	struct fx *f = *state;
	struct rt_resp r;

	get(f, "/test/form-page", NULL, NULL, &r);
	assert_null(strstr(set_cookie(&r, "kith_visitor"), "Secure"));
	rt_resp_free(&r);
	get(f, "/api/test/whoami", "Cookie: kith_session=bad", NULL, &r);
	assert_string_equal(set_cookie(&r, "kith_session"),
			    "kith_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax");
	rt_resp_free(&r);
}

/* ---- the feature: cleanup job and "download my data" ---- */

static void cleanup_job_and_export(void **state)
{
	struct fx *f = *state;
	static const struct sql q_sessions = { "t.sessions", "SELECT count(*) FROM session", NULL };
	static const struct sql q_onetime = { "t.onetime", "SELECT count(*) FROM onetime", NULL };
	static const struct sql q_attempts = { "t.attempts", "SELECT count(*) FROM auth_attempt", NULL };
	struct session_new live, idle, revoked, ended;
	struct token_new tok;
	char ot_used[TOKEN_HEX + 1], ot_live[TOKEN_HEX + 1], key[ATTEMPT_KEY_MAX];
	int64_t n = -1, pid;
	json_t *out, *e;
	size_t i;
	char *dump;
	int64_t t = NOW + 100000;

	assert_int_equal(auth_feature.njobs, 1);
	assert_int_equal(auth_feature.jobs[0].every_s, 600);
	assert_int_equal(session_create(f->db, f->ann, SESSION_BROWSER, NULL, NULL, t - 60, t + 3600, &live),
			 ERR_OK);
	assert_int_equal(session_create(f->db, f->ann, SESSION_BROWSER, NULL, NULL,
					t - SETTINGS_OF(&f->t.cfg, struct auth_settings, auth_settings)->session_idle - 10, t + 3600, &idle), ERR_OK);
	assert_int_equal(session_create(f->db, f->ann, SESSION_API, NULL, NULL, t - 100, t + 3600, &revoked),
			 ERR_OK);
	assert_int_equal(session_revoke(f->db, f->ann, revoked.id, t - 50), ERR_OK);
	assert_int_equal(session_create(f->db, f->bob, SESSION_API, NULL, NULL, t - 500, t - 1, &ended), ERR_OK);
	assert_int_equal(onetime_create(f->db, OT_VERIFY_EMAIL, f->ann, "ann@example.org", t, 3600, ot_used),
			 ERR_OK);
	assert_int_equal(onetime_consume(f->db, &f->a, OT_VERIFY_EMAIL, ot_used, t, &pid, NULL), ERR_OK);
	assert_int_equal(onetime_create(f->db, OT_RESET_PASSWORD, f->ann, NULL, t, 3600, ot_live), ERR_OK);
	attempts_key(key, "login:ip", "192.0.2.1");
	assert_int_equal(attempts_add(f->db, key, t - 2 * 86400), ERR_OK);
	assert_int_equal(attempts_add(f->db, key, t - 60), ERR_OK);
	assert_int_equal(apitoken_create(f->db, f->ann, "Reporting", f->ann, t, 90 * 86400, &tok), ERR_OK);

	assert_int_equal(auth_feature.jobs[0].run(&f->t.app, f->db, t), ERR_OK);
	assert_int_equal(db_query_int(f->db, &q_sessions, DB_NOARGS, &n), ERR_OK);
	assert_int_equal(n, 1);                  /* only the live one */
	assert_int_equal(db_query_int(f->db, &q_onetime, DB_NOARGS, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(onetime_peek(f->db, OT_RESET_PASSWORD, ot_live, t), ERR_OK);
	assert_int_equal(db_query_int(f->db, &q_attempts, DB_NOARGS, &n), ERR_OK);
	assert_int_equal(n, 1);

	/* Download my data: sessions and tokens, never a token. */
	out = json_object();
	assert_int_equal(auth_feature.export_person(f->db, f->ann, NOW, out), ERR_OK);
	assert_int_equal(json_array_size(json_object_get(out, "sessions")), 1);
	assert_int_equal(json_array_size(json_object_get(out, "api_tokens")), 1);
	json_array_foreach(json_object_get(out, "api_tokens"), i, e) {
		assert_null(json_object_get(e, "prefix"));
		assert_string_equal(json_string_value(json_object_get(e, "name")), "Reporting");
	}
	dump = json_dumps(out, 0);
	assert_null(strstr(dump, live.token + 3));
	assert_null(strstr(dump, live.csrf));
	assert_null(strstr(dump, tok.token + 3));
	assert_null(strstr(dump, "kt_"));
	free(dump);
	json_decref(out);
	UNUSED(idle);
	UNUSED(ended);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(visitors_get_no_cookie),
		cmocka_unit_test(no_database_for_visitors),
		T(cookie_session),
		T(touch_at_most_once_a_minute),
		T(bad_cookies_make_visitors_and_are_cleared),
		T(expired_and_idle_sessions),
		T(deactivated_people_are_visitors),
		T(bearer_tokens),
		T(bad_bearers_are_401),
		T(csrf_for_sessions),
		T(csrf_for_visitors),
		T(login_and_logout),
		T(login_cancels_deletion_and_deactivation),
		T(cleanup_job_and_export),
		cmocka_unit_test_setup_teardown(dev_mode_cookies_are_not_secure, setup_dev, teardown),
	};
#undef T

	return testdb_run_groups("auth", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
