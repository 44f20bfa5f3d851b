/*
 * test_account_api.c - the account JSON API through the dispatcher:
 * accounts, sessions, me, password resets, people and roles, API tokens.
 * Status codes exactly as documented (201, 202, 204, 400, 401, 403, 404,
 * 409, 422, 429), problem+json errors with the same [{field, detail}]
 * the pages show, no password ever in a response, emails in the outbox,
 * audit rows written. On SQLite and, with KITH_TEST_PG_URL, PostgreSQL.
 */
#include "core/common.h"
#include "org/org.h"

#include <setjmp.h>
#include <cmocka.h>

#include "auth/person.h"
#include "auth/session.h"
#include "core/timeutil.h"
#include "store/store.h"
#include "support/reqtest.h"

#define PW1 "purple kettle orbit 42"
#define PW2 "lantern meadow quartz 17"
#define ORG "3f2504e0-4f89-41d3-9a0c-0305e82c3301"

/* ---------------------------------------------------------------- helpers */

struct res {
	struct rt_resp r;
	json_t *j;        /* the body parsed, or NULL */
};

static void res_free(struct res *x)
{
	json_decref(x->j);
	rt_resp_free(&x->r);
}

/* One API request: method, target, JSON body (may be NULL), bearer token
 * (may be NULL), client address (may be NULL). */
static void api(struct rt *t, const char *method, const char *target, const char *body,
		const char *token, const char *ip, struct res *out)
{
	char auth[128], ctype[] = "Content-Type: application/json";
	const char *h[3] = { NULL };
	size_t n = 0;

	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h[n++] = auth;
	}
	if (body)
		h[n++] = ctype;
	rt_request(t, method, target, h, body, body ? strlen(body) : 0, ip, &out->r);
	out->j = out->r.body && out->r.len ? json_loads(out->r.body, 0, NULL) : NULL;
	/* No password ever comes back. */
	assert_true(!out->r.body || (!strstr(out->r.body, PW1) && !strstr(out->r.body, PW2)));
	assert_true(!out->r.body || !strstr(out->r.body, "$argon2"));
}

static const char *jstr(const json_t *j, const char *key)
{
	return json_string_value(json_object_get(j, key));
}

/* The field named by the first error of a 422/400 problem. */
static const char *first_field(const json_t *j)
{
	return jstr(json_array_get(json_object_get(j, "errors"), 0), "field");
}

/* A GET answers want. */
static void get_status(struct rt *t, const char *target, const char *token, int want)
{
	struct res x;

	api(t, "GET", target, NULL, token, NULL, &x);
	assert_int_equal(x.r.status, want);
	res_free(&x);
}

/* A 200 page of a list: n items of total, prev_href prev (NULL: none). */
static void list_page(const struct res *x, size_t n, int64_t total, const char *prev)
{
	assert_int_equal(x->r.status, 200);
	assert_int_equal(json_array_size(json_object_get(x->j, "items")), n);
	assert_int_equal(json_integer_value(json_object_get(x->j, "total")), total);
	if (prev)
		assert_string_equal(jstr(x->j, "prev_href"), prev);
	else
		assert_null(json_object_get(x->j, "prev_href"));
}

static bool has_error_for(const json_t *j, const char *field)
{
	size_t i;
	const json_t *e;

	json_array_foreach(json_object_get(j, "errors"), i, e)
		if (jstr(e, "field") && strcmp(jstr(e, "field"), field) == 0)
			return true;
	return false;
}

static const struct sql q_audit_detail = { "ta.audit_detail",
	"SELECT count(*) FROM audit WHERE action = $1 AND subject_id = $2 AND detail = $3", NULL };

static int setup(void **state)
{
	const char *const settings[] = { "rate_limit=0", NULL };

	if (rt_setup_with(state, settings))
		return -1;
	assert_int_equal(org_create(rt_db(*state), ORG, "Breathe Easy Northtown", time_now()), ERR_OK);
	return 0;
}

/* ---------------------------------------------------------------- accounts */

static void create_account(void **state)
{
	struct rt *t = *state;
	struct res x;

	api(t, "POST", "/api/v1/accounts",
	    "{\"name\":\"Dot Cotton\",\"email\":\"dot@example.org\",\"password\":\"" PW1 "\"}", NULL, NULL, &x);
	assert_int_equal(x.r.status, 201);
	assert_string_equal(x.r.content_type, "application/json");
	assert_non_null(x.j);
	assert_true(json_integer_value(json_object_get(x.j, "id")) > 0);
	assert_string_equal(jstr(x.j, "name"), "Dot Cotton");
	assert_string_equal(jstr(x.j, "email"), "dot@example.org");
	assert_true(json_is_false(json_object_get(x.j, "email_verified")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(x.j, "roles"), 0)), "member");
	/* No session for the API: it signs in with POST /api/v1/sessions. */
	assert_null(rt_header(&x.r, "Set-Cookie"));
	res_free(&x);
	assert_int_equal(rt_mail_n(t, "dot@example.org", "verify_email"), 1);
	assert_int_equal(rt_audit_n(t, "register"), 1);

	/* The same email again, in any case: 409. */
	api(t, "POST", "/api/v1/accounts",
	    "{\"name\":\"Dot Two\",\"email\":\"DOT@Example.org\",\"password\":\"" PW2 "\"}", NULL, NULL, &x);
	assert_int_equal(x.r.status, 409);
	assert_string_equal(x.r.content_type, "application/problem+json");
	assert_int_equal(json_integer_value(json_object_get(x.j, "status")), 409);
	assert_non_null(strstr(jstr(x.j, "detail"), "already exists"));
	res_free(&x);
	assert_int_equal(rt_mail_all(t), 1);
}

static void create_account_refusals(void **state)
{
	struct rt *t = *state;
	struct res x;

	/* A weak password: 422 naming the field, saying why in words. */
	api(t, "POST", "/api/v1/accounts",
	    "{\"name\":\"Dot Cotton\",\"email\":\"dot@example.org\",\"password\":\"password\"}", NULL, NULL, &x);
	assert_int_equal(x.r.status, 422);
	assert_string_equal(x.r.content_type, "application/problem+json");
	assert_string_equal(first_field(x.j), "password");
	assert_true(strlen(jstr(json_array_get(json_object_get(x.j, "errors"), 0), "detail")) > 10);
	assert_null(strstr(x.r.body, "\"password\":\"password\""));
	res_free(&x);
	/* Every field at once, in the page's order. */
	api(t, "POST", "/api/v1/accounts", "{\"name\":\"\",\"email\":\"nope\",\"phone\":\"abc\"}", NULL, NULL, &x);
	assert_int_equal(x.r.status, 422);
	assert_true(has_error_for(x.j, "name"));
	assert_true(has_error_for(x.j, "email"));
	assert_true(has_error_for(x.j, "phone"));
	assert_true(has_error_for(x.j, "password"));
	assert_string_equal(first_field(x.j), "name");
	res_free(&x);
	/* Not a JSON object; not JSON at all. */
	api(t, "POST", "/api/v1/accounts", "[1,2]", NULL, NULL, &x);
	assert_int_equal(x.r.status, 400);
	res_free(&x);
	rt_post(t, "/api/v1/accounts", "application/x-www-form-urlencoded", "name=x", &x.r);
	assert_int_equal(x.r.status, 415);
	rt_resp_free(&x.r);
	assert_int_equal(rt_mail_all(t), 0);
}

static void create_account_rate_limited(void **state)
{
	const char *const settings[] = { "rate_limit=0", "register_limit_ip=1", NULL };
	struct rt *t2 = rt_new_like(*state, settings);
	struct res x;

	api(t2, "POST", "/api/v1/accounts",
	    "{\"name\":\"Ann One\",\"email\":\"ann1@example.org\",\"password\":\"" PW1 "\"}", NULL, "192.0.2.50", &x);
	assert_int_equal(x.r.status, 201);
	res_free(&x);
	api(t2, "POST", "/api/v1/accounts",
	    "{\"name\":\"Ann Two\",\"email\":\"ann2@example.org\",\"password\":\"" PW1 "\"}", NULL, "192.0.2.50", &x);
	assert_int_equal(x.r.status, 429);
	assert_non_null(rt_header(&x.r, "Retry-After"));
	assert_true(json_integer_value(json_object_get(x.j, "retry_after")) > 0);
	res_free(&x);
	assert_int_equal(rt_audit_n(t2, "register.rate_limited"), 1);
	rt_free(t2);
}

/* ---------------------------------------------------------------- sessions */

static void sign_in_use_and_sign_out(void **state)
{
	struct rt *t = *state;
	struct res x;
	char token[TOKEN_LEN + 1];
	int64_t id = rt_person(t, "Kat Slater", "kat@example.org", PW1,
			       ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_PEER_SUPPORTER), NULL);
	int64_t exp = 0;
	const char *e;

	api(t, "POST", "/api/v1/sessions", "{\"email\":\"kat@example.org\",\"password\":\"" PW2 "\"}", NULL, NULL, &x);
	assert_int_equal(x.r.status, 401);
	assert_string_equal(x.r.content_type, "application/problem+json");
	res_free(&x);
	api(t, "POST", "/api/v1/sessions", "{\"email\":\"nobody@example.org\",\"password\":\"" PW1 "\"}", NULL, NULL, &x);
	assert_int_equal(x.r.status, 401);
	res_free(&x);
	api(t, "POST", "/api/v1/sessions", "{\"email\":\"kat@example.org\"}", NULL, NULL, &x);
	assert_int_equal(x.r.status, 422);
	assert_string_equal(first_field(x.j), "password");
	res_free(&x);

	api(t, "POST", "/api/v1/sessions", "{\"email\":\"KAT@example.org\",\"password\":\"" PW1 "\"}", NULL, NULL, &x);
	assert_int_equal(x.r.status, 201);
	assert_non_null(jstr(x.j, "token"));
	assert_int_equal(strlen(jstr(x.j, "token")), TOKEN_LEN);
	assert_true(strncmp(jstr(x.j, "token"), "ks_", 3) == 0);
	snprintf(token, sizeof(token), "%s", jstr(x.j, "token"));
	e = jstr(x.j, "expires_at");
	assert_non_null(e);
	assert_int_equal(strlen(e), 20);
	assert_true(time_parse_iso8601(e, strlen(e), &exp));
	assert_true(exp > time_now() + 2592000 - 60);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(x.j, "person"), "id")), id);
	assert_string_equal(jstr(json_object_get(x.j, "person"), "name"), "Kat Slater");
	assert_null(rt_header(&x.r, "Set-Cookie"));
	res_free(&x);

	api(t, "GET", "/api/v1/me", NULL, token, NULL, &x);
	assert_int_equal(x.r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(x.j, "id")), id);
	assert_string_equal(jstr(x.j, "name"), "Kat Slater");
	assert_string_equal(jstr(x.j, "email"), "kat@example.org");
	assert_int_equal(json_array_size(json_object_get(x.j, "roles")), 2);
	res_free(&x);

	api(t, "DELETE", "/api/v1/sessions/current", NULL, token, NULL, &x);
	assert_int_equal(x.r.status, 204);
	assert_int_equal(x.r.len, 0);
	res_free(&x);
	api(t, "GET", "/api/v1/me", NULL, token, NULL, &x);
	assert_int_equal(x.r.status, 401);
	res_free(&x);
	api(t, "GET", "/api/v1/me", NULL, NULL, NULL, &x);
	assert_int_equal(x.r.status, 401);
	res_free(&x);
	api(t, "DELETE", "/api/v1/sessions/current", NULL, NULL, NULL, &x);
	assert_int_equal(x.r.status, 401);
	res_free(&x);
	assert_int_equal(rt_audit_about(t, "login", id), 1);
	assert_int_equal(rt_audit_about(t, "login.failed", id), 1);
}

static void sign_in_rate_limited(void **state)
{
	const char *const settings[] = { "rate_limit=0", "login_limit=2", NULL };
	struct rt *t2 = rt_new_like(*state, settings);
	struct res x;

	rt_person(t2, "Kat Slater", "kat@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);
	for (int i = 0; i < 2; i++) {
		api(t2, "POST", "/api/v1/sessions", "{\"email\":\"kat@example.org\",\"password\":\"" PW2 "\"}",
		    NULL, NULL, &x);
		assert_int_equal(x.r.status, 401);
		res_free(&x);
	}
	api(t2, "POST", "/api/v1/sessions", "{\"email\":\"kat@example.org\",\"password\":\"" PW1 "\"}", NULL, NULL, &x);
	assert_int_equal(x.r.status, 429);
	assert_non_null(rt_header(&x.r, "Retry-After"));
	assert_null(jstr(x.j, "token"));
	res_free(&x);
	assert_int_equal(rt_audit_n(t2, "login.rate_limited"), 1);
	rt_free(t2);
}

static void sign_in_reactivates(void **state)
{
	struct rt *t = *state;
	struct res x;
	struct person p;
	struct arena a;
	int64_t id = rt_person(t, "Kat Slater", "kat@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);

	assert_int_equal(person_set_deactivated(rt_db(t), id, true, time_now()), ERR_OK);
	api(t, "POST", "/api/v1/sessions", "{\"email\":\"kat@example.org\",\"password\":\"" PW1 "\"}", NULL, NULL, &x);
	assert_int_equal(x.r.status, 201);
	{
		struct res me;
		char token[TOKEN_LEN + 1];

		snprintf(token, sizeof(token), "%s", jstr(x.j, "token"));
		api(t, "GET", "/api/v1/me", NULL, token, NULL, &me);
		assert_int_equal(me.r.status, 200);
		res_free(&me);
	}
	res_free(&x);
	arena_init(&a);
	assert_int_equal(person_get(rt_db(t), &a, id, &p), ERR_OK);
	assert_int_equal(p.deactivated_at, 0);
	arena_release(&a);
	assert_int_equal(rt_audit_about(t, "account.reactivated", id), 1);
}

/* ---------------------------------------------------------------- password resets */

static void password_resets_say_nothing_about_accounts(void **state)
{
	struct rt *t = *state;
	struct res a, b;

	rt_person(t, "Phil Mitchell", "phil@example.org", PW1, ROLE_BIT(ROLE_MEMBER), NULL);
	api(t, "POST", "/api/v1/password-resets", "{\"email\":\"phil@example.org\"}", NULL, NULL, &a);
	api(t, "POST", "/api/v1/password-resets", "{\"email\":\"nobody@example.org\"}", NULL, NULL, &b);
	assert_int_equal(a.r.status, 202);
	assert_int_equal(b.r.status, 202);
	assert_string_equal(a.r.body, b.r.body);
	res_free(&a);
	res_free(&b);
	assert_int_equal(rt_mail_n(t, "phil@example.org", "reset_password"), 1);
	assert_int_equal(rt_mail_all(t), 1);
	api(t, "POST", "/api/v1/password-resets", "{\"email\":\"not an email\"}", NULL, NULL, &a);
	assert_int_equal(a.r.status, 422);
	assert_string_equal(first_field(a.j), "email");
	res_free(&a);
}

static void password_resets_rate_limited(void **state)
{
	const char *const settings[] = { "rate_limit=0", "reset_limit=1", NULL };
	struct rt *t2 = rt_new_like(*state, settings);
	struct res x;

	api(t2, "POST", "/api/v1/password-resets", "{\"email\":\"a@example.org\"}", NULL, "203.0.113.9", &x);
	assert_int_equal(x.r.status, 202);
	res_free(&x);
	/* Per address... */
	api(t2, "POST", "/api/v1/password-resets", "{\"email\":\"b@example.org\"}", NULL, "203.0.113.9", &x);
	assert_int_equal(x.r.status, 429);
	assert_non_null(rt_header(&x.r, "Retry-After"));
	res_free(&x);
	/* ... and per account, whether or not it exists. */
	api(t2, "POST", "/api/v1/password-resets", "{\"email\":\"A@example.org\"}", NULL, "203.0.113.10", &x);
	assert_int_equal(x.r.status, 429);
	res_free(&x);
	assert_int_equal(rt_audit_n(t2, "password_reset.rate_limited"), 2);
	rt_free(t2);
}

/* ---------------------------------------------------------------- people */

static void people_list_for_coordinators(void **state)
{
	struct rt *t = *state;
	struct res x;
	char member[TOKEN_LEN + 1], coord[TOKEN_LEN + 1];
	int64_t m = rt_person(t, "Mo Member", "mo@example.org", NULL, ROLE_BIT(ROLE_MEMBER), NULL);
	int64_t c = rt_person(t, "Cora Coord", "cora@example.org", NULL,
			      ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_COORDINATOR), NULL);

	rt_person(t, "Pete Peer", "pete@example.org", NULL, ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_PEER_SUPPORTER),
		  NULL);
	rt_bearer(t, m, RT_API_SESSION, member);
	rt_bearer(t, c, RT_API_SESSION, coord);

	api(t, "GET", "/api/v1/people", NULL, NULL, NULL, &x);
	assert_int_equal(x.r.status, 401);
	res_free(&x);
	api(t, "GET", "/api/v1/people", NULL, member, NULL, &x);
	assert_int_equal(x.r.status, 403);
	res_free(&x);

	api(t, "GET", "/api/v1/people", NULL, coord, NULL, &x);
	assert_int_equal(x.r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(x.j, "total")), 3);
	assert_int_equal(json_array_size(json_object_get(x.j, "items")), 3);
	assert_int_equal(json_integer_value(json_object_get(x.j, "page")), 1);
	assert_int_equal(json_integer_value(json_object_get(x.j, "per_page")), 25);
	/* Ordered by name. */
	assert_string_equal(jstr(json_array_get(json_object_get(x.j, "items"), 0), "name"), "Cora Coord");
	res_free(&x);

	api(t, "GET", "/api/v1/people?q=PETE", NULL, coord, NULL, &x);
	assert_int_equal(x.r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(x.j, "total")), 1);
	res_free(&x);
	api(t, "GET", "/api/v1/people?role=coordinator", NULL, coord, NULL, &x);
	assert_int_equal(json_integer_value(json_object_get(x.j, "total")), 1);
	res_free(&x);
	api(t, "GET", "/api/v1/people?per_page=2&page=2", NULL, coord, NULL, &x);
	list_page(&x, 1, 3, "/api/v1/people?per_page=2&page=1");
	assert_int_equal(json_integer_value(json_object_get(x.j, "page")), 2);
	assert_int_equal(json_integer_value(json_object_get(x.j, "pages")), 2);
	assert_null(json_object_get(x.j, "next_href"));
	res_free(&x);
	/* Empty filters are absent too. */
	api(t, "GET", "/api/v1/people?q=&role=&per_page=", NULL, coord, NULL, &x);
	assert_int_equal(x.r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(x.j, "total")), 3);
	res_free(&x);

	/* Bad parameters: 400 naming the parameter. */
	rt_api_list_rule(t, "/api/v1/people", coord, 100);
	const char *bad[][2] = {
		{ "/api/v1/people?per_page=0", "per_page" },
		{ "/api/v1/people?role=wizard", "role" },
		{ "/api/v1/people?role=Admin", "role" },
		{ "/api/v1/people?search=mo", "search" },
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		api(t, "GET", bad[i][0], NULL, coord, NULL, &x);
		assert_int_equal(x.r.status, 400);
		assert_string_equal(x.r.content_type, "application/problem+json");
		assert_string_equal(first_field(x.j), bad[i][1]);
		assert_non_null(strstr(jstr(x.j, "detail"), bad[i][1]));
		res_free(&x);
	}
	/* What is allowed, in words. */
	api(t, "GET", "/api/v1/people?role=wizard", NULL, coord, NULL, &x);
	assert_string_equal(jstr(x.j, "detail"), "The role parameter must be one of member, peer_supporter, "
			    "organiser, link_worker, coordinator, commissioner or admin.");
	res_free(&x);
	api(t, "GET", "/api/v1/people?search=mo", NULL, coord, NULL, &x);
	assert_string_equal(jstr(x.j, "detail"), "The search parameter is not one this address takes. "
			    "It takes q, role, per_page and page.");
	res_free(&x);
}

/* Endpoints that take no parameters refuse them, after sign-in. */
static void unknown_parameters_refused(void **state)
{
	struct rt *t = *state;
	struct res x;
	char member[TOKEN_LEN + 1], path[64];
	int64_t m = rt_person(t, "Mo Member", "mo@example.org", NULL, ROLE_BIT(ROLE_MEMBER), NULL);

	rt_bearer(t, m, RT_API_SESSION, member);
	get_status(t, "/api/v1/me?fields=name", NULL, 401);
	api(t, "GET", "/api/v1/me?fields=name", NULL, member, NULL, &x);
	assert_int_equal(x.r.status, 400);
	assert_string_equal(first_field(x.j), "fields");
	assert_string_equal(jstr(x.j, "detail"), "The fields parameter is not one this address takes. "
			    "It takes none.");
	res_free(&x);
	/* Empty is absent. */
	get_status(t, "/api/v1/me?fields=", member, 200);
	snprintf(path, sizeof(path), "/api/v1/people/%lld?full=1", (long long)m);
	api(t, "GET", path, NULL, member, NULL, &x);
	assert_int_equal(x.r.status, 400);
	assert_string_equal(first_field(x.j), "full");
	res_free(&x);
	/* A write with a stray parameter writes nothing. */
	api(t, "POST", "/api/v1/accounts?role=admin", "{\"name\": \"Ann\", \"email\": \"ann@example.org\", "
	    "\"password\": \"" PW1 "\"}", NULL, NULL, &x);
	assert_int_equal(x.r.status, 400);
	assert_string_equal(first_field(x.j), "role");
	res_free(&x);
	assert_int_equal(rt_mail_n(t, "ann@example.org", "verify_email"), 0);
}

static void person_record_and_its_audit(void **state)
{
	struct rt *t = *state;
	struct res x;
	char member[TOKEN_LEN + 1], coord[TOKEN_LEN + 1], path[64];
	int64_t m = rt_person(t, "Mo Member", "mo@example.org", NULL, ROLE_BIT(ROLE_MEMBER), NULL);
	int64_t o = rt_person(t, "Olly Other", "olly@example.org", NULL, ROLE_BIT(ROLE_MEMBER), NULL);
	int64_t c = rt_person(t, "Cora Coord", "cora@example.org", NULL,
			      ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_COORDINATOR), NULL);

	rt_bearer(t, m, RT_API_SESSION, member);
	rt_bearer(t, c, RT_API_SESSION, coord);
	/* Their own: no audit row. */
	snprintf(path, sizeof(path), "/api/v1/people/%lld", (long long)m);
	api(t, "GET", path, NULL, member, NULL, &x);
	assert_int_equal(x.r.status, 200);
	assert_string_equal(jstr(x.j, "email"), "mo@example.org");
	res_free(&x);
	assert_int_equal(rt_audit_about(t, "person.read", m), 0);
	/* Someone else's: refused for a member, before saying whether it exists. */
	snprintf(path, sizeof(path), "/api/v1/people/%lld", (long long)o);
	api(t, "GET", path, NULL, member, NULL, &x);
	assert_int_equal(x.r.status, 403);
	res_free(&x);
	api(t, "GET", "/api/v1/people/999999", NULL, member, NULL, &x);
	assert_int_equal(x.r.status, 403);
	res_free(&x);
	/* A coordinator may, and it is written down. */
	api(t, "GET", path, NULL, coord, NULL, &x);
	assert_int_equal(x.r.status, 200);
	assert_string_equal(jstr(x.j, "name"), "Olly Other");
	res_free(&x);
	assert_int_equal(rt_audit_about(t, "person.read", o), 1);
	api(t, "GET", "/api/v1/people/999999", NULL, coord, NULL, &x);
	assert_int_equal(x.r.status, 404);
	res_free(&x);
	api(t, "GET", path, NULL, NULL, NULL, &x);
	assert_int_equal(x.r.status, 401);
	res_free(&x);
}

static void roles_granted_and_removed(void **state)
{
	struct rt *t = *state;
	struct res x;
	char coord[TOKEN_LEN + 1], admin[TOKEN_LEN + 1], member[TOKEN_LEN + 1], path[96];
	int64_t m = rt_person(t, "Mo Member", "mo@example.org", NULL, ROLE_BIT(ROLE_MEMBER), NULL);
	int64_t c = rt_person(t, "Cora Coord", "cora@example.org", NULL,
			      ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_COORDINATOR), NULL);
	int64_t a = rt_person(t, "Ada Admin", "ada@example.org", NULL, ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_ADMIN),
			      NULL);

	rt_bearer(t, c, RT_API_SESSION, coord);
	rt_bearer(t, a, RT_API_SESSION, admin);
	rt_bearer(t, m, RT_API_SESSION, member);
	snprintf(path, sizeof(path), "/api/v1/people/%lld/roles", (long long)m);

	/* A member may not grant anything. */
	api(t, "POST", path, "{\"role\":\"peer_supporter\"}", member, NULL, &x);
	assert_int_equal(x.r.status, 403);
	res_free(&x);
	/* A coordinator may grant peer_supporter... */
	api(t, "POST", path, "{\"role\":\"peer_supporter\"}", coord, NULL, &x);
	assert_int_equal(x.r.status, 201);
	assert_string_equal(jstr(x.j, "role"), "peer_supporter");
	res_free(&x);
	assert_int_equal(rt_count(t, &q_audit_detail, DB_ARGS(DB_TEXT("role.granted"), DB_INT(m),
							      DB_TEXT("role=peer_supporter"))), 1);
	/* ... which ends the person's sessions: a new token for new privileges. */
	api(t, "GET", "/api/v1/me", NULL, member, NULL, &x);
	assert_int_equal(x.r.status, 401);
	res_free(&x);
	/* Twice is a conflict. */
	api(t, "POST", path, "{\"role\":\"peer-supporter\"}", coord, NULL, &x);
	assert_int_equal(x.r.status, 409);
	res_free(&x);
	/* ... but not admin, or coordinator. */
	api(t, "POST", path, "{\"role\":\"admin\"}", coord, NULL, &x);
	assert_int_equal(x.r.status, 403);
	res_free(&x);
	api(t, "POST", path, "{\"role\":\"coordinator\"}", coord, NULL, &x);
	assert_int_equal(x.r.status, 403);
	res_free(&x);
	/* Field errors. */
	api(t, "POST", path, "{\"role\":\"wizard\"}", coord, NULL, &x);
	assert_int_equal(x.r.status, 422);
	assert_string_equal(first_field(x.j), "role");
	res_free(&x);
	api(t, "POST", path, "{\"role\":\"organiser\"}", coord, NULL, &x);
	assert_int_equal(x.r.status, 422);
	assert_string_equal(first_field(x.j), "org_id");
	res_free(&x);
	api(t, "POST", path, "{\"role\":\"organiser\",\"org_id\":\"00000000-0000-4000-8000-000000000000\"}",
	    coord, NULL, &x);
	assert_int_equal(x.r.status, 422);
	assert_string_equal(first_field(x.j), "org_id");
	res_free(&x);
	api(t, "POST", path, "{\"role\":\"organiser\",\"org_id\":\"" ORG "\"}", coord, NULL, &x);
	assert_int_equal(x.r.status, 201);
	assert_string_equal(jstr(x.j, "org_id"), ORG);
	res_free(&x);
	api(t, "POST", "/api/v1/people/999999/roles", "{\"role\":\"peer_supporter\"}", coord, NULL, &x);
	assert_int_equal(x.r.status, 404);
	res_free(&x);
	/* An admin may grant admin. */
	rt_bearer(t, c, RT_API_SESSION, coord);
	api(t, "POST", path, "{\"role\":\"admin\"}", admin, NULL, &x);
	assert_int_equal(x.r.status, 201);
	res_free(&x);

	/* Removing. */
	snprintf(path, sizeof(path), "/api/v1/people/%lld/roles/peer_supporter", (long long)m);
	api(t, "DELETE", path, NULL, coord, NULL, &x);
	assert_int_equal(x.r.status, 204);
	res_free(&x);
	api(t, "DELETE", path, NULL, coord, NULL, &x);
	assert_int_equal(x.r.status, 404);
	res_free(&x);
	assert_int_equal(rt_count(t, &q_audit_detail, DB_ARGS(DB_TEXT("role.removed"), DB_INT(m),
							      DB_TEXT("role=peer_supporter"))), 1);
	snprintf(path, sizeof(path), "/api/v1/people/%lld/roles/admin", (long long)m);
	rt_bearer(t, c, RT_API_SESSION, coord);
	api(t, "DELETE", path, NULL, coord, NULL, &x);
	assert_int_equal(x.r.status, 403);
	res_free(&x);
	snprintf(path, sizeof(path), "/api/v1/people/%lld/roles/wizard", (long long)m);
	api(t, "DELETE", path, NULL, coord, NULL, &x);
	assert_int_equal(x.r.status, 404);
	res_free(&x);
	/* The last admin cannot go: Mo is an admin now, so Ada can, then
	 * Mo cannot. */
	rt_bearer(t, a, RT_API_SESSION, admin);
	snprintf(path, sizeof(path), "/api/v1/people/%lld/roles/admin", (long long)a);
	api(t, "DELETE", path, NULL, admin, NULL, &x);
	assert_int_equal(x.r.status, 204);
	res_free(&x);
	rt_bearer(t, m, RT_API_SESSION, member);
	snprintf(path, sizeof(path), "/api/v1/people/%lld/roles/admin", (long long)m);
	api(t, "DELETE", path, NULL, member, NULL, &x);
	assert_int_equal(x.r.status, 409);
	assert_non_null(strstr(jstr(x.j, "detail"), "only admin"));
	res_free(&x);
}

/* ---------------------------------------------------------------- tokens */

static void tokens_listed_and_revoked(void **state)
{
	struct rt *t = *state;
	struct res x;
	struct token_new k1, k2;
	char member[TOKEN_LEN + 1], admin[TOKEN_LEN + 1], path[64];
	int64_t m = rt_person(t, "Mo Member", "mo@example.org", NULL, ROLE_BIT(ROLE_MEMBER), NULL);
	int64_t o = rt_person(t, "Olly Other", "olly@example.org", NULL, ROLE_BIT(ROLE_MEMBER), NULL);
	int64_t a = rt_person(t, "Ada Admin", "ada@example.org", NULL, ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_ADMIN),
			      NULL);

	assert_int_equal(apitoken_create(rt_db(t), m, "Mo's script", m, time_now(), 90 * 86400, &k1), ERR_OK);
	assert_int_equal(apitoken_create(rt_db(t), o, "Olly's system", o, time_now(), 90 * 86400, &k2), ERR_OK);
	rt_bearer(t, m, RT_API_SESSION, member);
	rt_bearer(t, a, RT_API_SESSION, admin);

	api(t, "GET", "/api/v1/tokens", NULL, member, NULL, &x);
	assert_int_equal(x.r.status, 200);
	assert_int_equal(json_array_size(json_object_get(x.j, "items")), 1);
	assert_string_equal(jstr(json_array_get(json_object_get(x.j, "items"), 0), "name"), "Mo's script");
	assert_null(strstr(x.r.body, k1.token));
	res_free(&x);
	api(t, "GET", "/api/v1/tokens?all=1", NULL, member, NULL, &x);
	assert_int_equal(x.r.status, 403);
	res_free(&x);
	api(t, "GET", "/api/v1/tokens?all=1", NULL, admin, NULL, &x);
	list_page(&x, 2, 2, NULL);
	res_free(&x);
	/* Paged like every list: the second token of all, then none. */
	api(t, "GET", "/api/v1/tokens?all=true&per_page=1&page=2", NULL, admin, NULL, &x);
	list_page(&x, 1, 2, "/api/v1/tokens?all=true&per_page=1&page=1");
	res_free(&x);
	api(t, "GET", "/api/v1/tokens?all=1&page=3&per_page=1", NULL, admin, NULL, &x);
	list_page(&x, 0, 2, "/api/v1/tokens?all=1&per_page=1&page=2");
	res_free(&x);
	api(t, "GET", "/api/v1/tokens?all=yes", NULL, admin, NULL, &x);
	assert_int_equal(x.r.status, 400);
	assert_string_equal(first_field(x.j), "all");
	res_free(&x);
	rt_api_list_rule(t, "/api/v1/tokens", member, 100);

	/* Someone else's token: not found for a member. */
	snprintf(path, sizeof(path), "/api/v1/tokens/%lld", (long long)k2.id);
	api(t, "DELETE", path, NULL, member, NULL, &x);
	assert_int_equal(x.r.status, 404);
	res_free(&x);
	/* Their own: 204, and it stops working. */
	snprintf(path, sizeof(path), "/api/v1/tokens/%lld", (long long)k1.id);
	api(t, "GET", "/api/v1/me", NULL, k1.token, NULL, &x);
	assert_int_equal(x.r.status, 200);
	res_free(&x);
	api(t, "DELETE", path, NULL, member, NULL, &x);
	assert_int_equal(x.r.status, 204);
	res_free(&x);
	api(t, "GET", "/api/v1/me", NULL, k1.token, NULL, &x);
	assert_int_equal(x.r.status, 401);
	res_free(&x);
	/* An admin may revoke anyone's; audited about its owner. */
	snprintf(path, sizeof(path), "/api/v1/tokens/%lld", (long long)k2.id);
	api(t, "DELETE", path, NULL, admin, NULL, &x);
	assert_int_equal(x.r.status, 204);
	res_free(&x);
	assert_int_equal(rt_audit_about(t, "token.revoked", o), 1);
	/* DELETE sessions/current with an API token: there is no session. */
	assert_int_equal(apitoken_create(rt_db(t), m, "Another", m, time_now(), 90 * 86400, &k1), ERR_OK);
	api(t, "DELETE", "/api/v1/sessions/current", NULL, k1.token, NULL, &x);
	assert_int_equal(x.r.status, 404);
	res_free(&x);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, rt_teardown)
	const struct CMUnitTest tests[] = {
		T(create_account),
		T(create_account_refusals),
		T(create_account_rate_limited),
		T(sign_in_use_and_sign_out),
		T(sign_in_rate_limited),
		T(sign_in_reactivates),
		T(password_resets_say_nothing_about_accounts),
		T(password_resets_rate_limited),
		T(people_list_for_coordinators),
		T(unknown_parameters_refused),
		T(person_record_and_its_audit),
		T(roles_granted_and_removed),
		T(tokens_listed_and_revoked),
	};
#undef T

	return testdb_run_groups("account_api", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
