/*
 * reqtest.c - see reqtest.h.
 *
 * The app and request parts report failure by return value (they run in
 * fixtures too); the helpers that check what they did (people, sessions,
 * counts) use cmocka's assertions, so a failure names the test it broke.
 */
#include "core/common.h"

#include <dirent.h>
#include <stdarg.h>
#include <setjmp.h>
#include <unistd.h>
#include <cmocka.h>
#include <zlib.h>

#include "app/features.h"
#include "auth/password.h"
#include "auth/person.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "directory/directory.h"
#include "directory/vocab.h"
#include "support/reqtest.h"

const char *const rt_settings[] = { "rate_limit=0", "dev_mode=true", NULL };

bool rt_start_extra(struct rt *t, const char *backend, const char *const *settings,
		const struct feature *const *extra, size_t nextra)
{
	char err[512];
	const struct feature *all[64];
	size_t nall = 0;

	memset(t, 0, sizeof(*t));
	/* Migrations and start-up are logged at info; tests only want
	 * warnings and errors. */
	log_set_level(LOG_WARN);
	config_defaults(&t->cfg);
	t->cfg.access_log = false;
	t->cfg.db[0] = '\0';
	if (backend) {
		if (!testdb_create(&t->db, backend))
			return false;
		if (config_set(&t->cfg, "db", t->db.url, err, sizeof(err)) != ERR_OK) {
			fprintf(stderr, "rt_start: %s\n", err);
			return false;
		}
	}
	for (size_t i = 0; settings && settings[i]; i++) {
		char key[64];
		const char *eq = strchr(settings[i], '=');

		if (!eq || (size_t)(eq - settings[i]) >= sizeof(key))
			return false;
		memcpy(key, settings[i], (size_t)(eq - settings[i]));
		key[eq - settings[i]] = '\0';
		if (config_set(&t->cfg, key, eq + 1, err, sizeof(err)) != ERR_OK) {
			fprintf(stderr, "rt_start: %s\n", err);
			return false;
		}
	}
	for (size_t i = 0; i < features_n && nall < ARRAY_LEN(all); i++)
		all[nall++] = features[i];
	for (size_t i = 0; i < nextra && nall < ARRAY_LEN(all); i++)
		all[nall++] = extra[i];
	if (app_init_features(&t->app, &t->cfg, true, all, nall, err, sizeof(err)) != ERR_OK) {
		fprintf(stderr, "rt_start: %s\n", err);
		testdb_drop(&t->db);
		return false;
	}
	t->started = true;
	return true;
}

bool rt_start_with(struct rt *t, const char *backend, const char *const *settings)
{
	return rt_start_extra(t, backend, settings, NULL, 0);
}

bool rt_start(struct rt *t, const char *backend)
{
	return rt_start_with(t, backend, NULL);
}

void rt_stop(struct rt *t)
{
	if (t->started)
		app_release(&t->app);
	testdb_drop(&t->db);
	t->started = false;
}

struct rt *rt_new_extra(const char *backend, const char *const *settings,
		const struct feature *const *extra, size_t nextra)
{
	struct rt *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (!rt_start_extra(t, backend, settings, extra, nextra)) {
		rt_stop(t);
		free(t);
		return NULL;
	}
	return t;
}

struct rt *rt_new(const char *backend, const char *const *settings)
{
	return rt_new_extra(backend, settings, NULL, 0);
}

void rt_free(struct rt *t)
{
	if (!t)
		return;
	rt_stop(t);
	free(t);
}

struct rt *rt_new_like(const struct rt *t, const char *const *settings)
{
	struct rt *t2 = rt_new(rt_backend(t), settings);

	assert_non_null(t2);
	return t2;
}

const char *rt_backend(const struct rt *t)
{
	return t->db.pg ? "postgresql" : "sqlite";
}

struct db *rt_db(struct rt *t)
{
	return store_db(t->app.store);
}

int rt_setup_with(void **state, const char *const *settings)
{
	struct rt *t = rt_new(*state, settings);

	if (!t)
		return -1;
	*state = t;
	return 0;
}

int rt_setup(void **state)
{
	return rt_setup_with(state, rt_settings);
}

int rt_teardown(void **state)
{
	time_set_fake(0);
	log_set_quiet(0);
	rt_free(*state);
	*state = NULL;
	return 0;
}

void rt_request(struct rt *t, const char *method, const char *target,
		const char *const *headers, const char *body, size_t body_len,
		const char *client_ip, struct rt_resp *out)
{
	struct request *req = malloc(sizeof(*req));
	struct response resp;
	const char *q = strchr(target, '?');
	char *bodycopy = NULL;

	memset(out, 0, sizeof(*out));
	if (!req)
		abort();
	req_init(req, &t->app);
	resp_init(&resp);
	req->method_raw = method;
	req->method = method_parse(method);
	req->raw_path = q ? arena_strndup(&req->arena, target, (size_t)(q - target))
			  : arena_strdup(&req->arena, target);
	req->path = req->raw_path;
	req->query_raw = q ? arena_strdup(&req->arena, q + 1) : "";
	req->client_ip = client_ip ? client_ip : "127.0.0.1";
	for (size_t i = 0; headers && headers[i]; i++) {
		const char *colon = strchr(headers[i], ':');
		const char *v;

		if (!colon)
			continue;
		v = colon + 1;
		while (*v == ' ')
			v++;
		kv_add(&req->arena, &req->headers,
		       arena_strndup(&req->arena, headers[i], (size_t)(colon - headers[i])),
		       arena_strdup(&req->arena, v), strlen(v));
	}
	if (body) {
		bodycopy = arena_strndup(&req->arena, body, body_len);
		req->body = bodycopy;
		req->body_len = body_len;
	}
	app_handle(&t->app, req, &resp);

	out->status = resp.status;
	if (resp.static_body) {
		out->body = malloc(resp.static_len + 1);
		memcpy(out->body, resp.static_body, resp.static_len);
		out->body[resp.static_len] = '\0';
		out->len = resp.static_len;
	} else {
		/* memcpy, not strndup: a gzipped body holds NUL bytes. */
		out->body = malloc(resp.body.len + 1);
		memcpy(out->body, resp.body.p, resp.body.len);
		out->body[resp.body.len] = '\0';
		out->len = resp.body.len;
	}
	out->content_type = resp.content_type ? strdup(resp.content_type) : NULL;
	for (size_t i = 0; i < resp.nheaders && i < ARRAY_LEN(out->headers); i++) {
		out->headers[i][0] = strdup(resp.headers[i].name);
		out->headers[i][1] = strdup(resp.headers[i].val);
		out->nheaders++;
	}
	resp_release(&resp);
	req_release(req);
	free(req);
}

void rt_get(struct rt *t, const char *target, struct rt_resp *out)
{
	rt_request(t, "GET", target, NULL, NULL, 0, NULL, out);
}

void rt_post(struct rt *t, const char *target, const char *ctype, const char *body,
		struct rt_resp *out)
{
	char h[256];
	const char *headers[] = { h, NULL };

	snprintf(h, sizeof(h), "Content-Type: %s", ctype);
	rt_request(t, "POST", target, headers, body, body ? strlen(body) : 0, NULL, out);
}

void rt_get_bearer(struct rt *t, const char *target, const char *token, struct rt_resp *out)
{
	char auth[128];
	const char *headers[] = { auth, NULL };

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token ? token : "");
	rt_request(t, "GET", target, token ? headers : NULL, NULL, 0, NULL, out);
}

/* The problem's first error is about name, and its detail says so. */
static void names_param(const struct rt_resp *r, const char *target, const char *name)
{
	json_t *j = r->body ? json_loads(r->body, 0, NULL) : NULL;
	const char *field = json_string_value(json_object_get(json_array_get(json_object_get(j, "errors"), 0),
								"field"));
	const char *detail = json_string_value(json_object_get(j, "detail"));
	char want[96];

	snprintf(want, sizeof(want), "The %s parameter", name);
	if (r->status != 400 || !r->content_type || strcmp(r->content_type, "application/problem+json") != 0 ||
	    !field || strcmp(field, name) != 0 || !detail || !strstr(detail, want))
		fail_msg("%s: %d %s", target, r->status, r->body ? r->body : "");
	json_decref(j);
}

void rt_api_list_rule(struct rt *t, const char *path, const char *token, int64_t per_page_max)
{
	char over[48], target[256];
	const struct { const char *query, *param; } bad[] = {
		{ "page=0", "page" }, { "page=abc", "page" }, { over, "per_page" },
		{ "colour=blue", "colour" },
	};
	struct rt_resp r;
	json_t *j;

	snprintf(over, sizeof(over), "per_page=%lld", (long long)per_page_max + 1);

	snprintf(target, sizeof(target), "%s?page=", path);
	rt_get_bearer(t, target, token, &r);
	j = r.body ? json_loads(r.body, 0, NULL) : NULL;
	if (r.status != 200 || json_integer_value(json_object_get(j, "page")) != 1)
		fail_msg("%s: %d %s", target, r.status, r.body ? r.body : "");
	json_decref(j);
	rt_resp_free(&r);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(target, sizeof(target), "%s?%s", path, bad[i].query);
		rt_get_bearer(t, target, token, &r);
		names_param(&r, target, bad[i].param);
		rt_resp_free(&r);
	}
	snprintf(target, sizeof(target), "%s?page=1&per_page=1", path);
	rt_get_bearer(t, target, token, &r);
	j = r.body ? json_loads(r.body, 0, NULL) : NULL;
	if (r.status != 200 || json_integer_value(json_object_get(j, "per_page")) != 1 ||
	    json_array_size(json_object_get(j, "items")) + json_array_size(json_object_get(j, "entries")) > 1)
		fail_msg("%s: %d %s", target, r.status, r.body ? r.body : "");
	json_decref(j);
	rt_resp_free(&r);
}

void rt_get_want(struct rt *t, const char *target, const char *const *headers, int want,
		struct rt_resp *out)
{
	rt_request(t, "GET", target, headers, NULL, 0, NULL, out);
	if (out->status != want)
		fail_msg("GET %s: %d, wanted %d: %s", target, out->status, want, out->body ? out->body : "");
}

char *rt_gunzip(const struct rt_resp *r, size_t *n)
{
	size_t cap = 1 << 20;
	char *out = malloc(cap + 1);
	z_stream z;

	assert_non_null(out);
	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)r->body;
	z.avail_in = (uInt)r->len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	*n = z.total_out;
	out[*n] = '\0';
	inflateEnd(&z);
	return out;
}

bool rt_has(const struct rt_resp *r, const char *needle)
{
	return r->body && strstr(r->body, needle) != NULL;
}

const char *rt_header(const struct rt_resp *r, const char *name)
{
	for (size_t i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i][0], name) == 0)
			return r->headers[i][1];
	return NULL;
}

void rt_resp_free(struct rt_resp *r)
{
	free(r->body);
	free(r->content_type);
	for (size_t i = 0; i < r->nheaders; i++) {
		free(r->headers[i][0]);
		free(r->headers[i][1]);
	}
	memset(r, 0, sizeof(*r));
}

/* ---------------------------------------------------------------- people */

static int64_t make_person(struct rt *t, const char *name, const char *email, const char *password,
		unsigned roles_mask, const char *org_id, bool verified)
{
	struct db *db = rt_db(t);
	char hash[PASSWORD_HASH_MAX];
	int64_t id = 0, now = time_now();

	if (password)
		assert_int_equal(password_hash(password, hash), ERR_OK);
	assert_int_equal(person_create(db, name, email, NULL, password ? hash : NULL, now, &id), ERR_OK);
	assert_true(id > 0);
	for (int r = 0; r < ROLE__MAX; r++)
		if (roles_mask & ROLE_BIT(r))
			assert_int_equal(person_grant(db, id, (enum role)r, r == ROLE_ORGANISER ? org_id : NULL,
						      0, now), ERR_OK);
	if (verified)
		assert_int_equal(person_mark_verified(db, id, email, now), ERR_OK);
	return id;
}

int64_t rt_person(struct rt *t, const char *name, const char *email, const char *password,
		unsigned roles_mask, const char *org_id)
{
	return make_person(t, name, email, password, roles_mask, org_id, true);
}

int64_t rt_person_unverified(struct rt *t, const char *name, const char *email,
		const char *password, unsigned roles_mask, const char *org_id)
{
	return make_person(t, name, email, password, roles_mask, org_id, false);
}

/* ---------------------------------------------------------------- a browser */

void rt_sign_in(struct rt *t, int64_t person_id, struct rt_browser *b)
{
	struct session_new s;
	int64_t now = time_now();

	assert_int_equal(session_create(rt_db(t), person_id, SESSION_BROWSER, NULL, NULL, now, now + 3600, &s),
			 ERR_OK);
	memset(b, 0, sizeof(*b));
	snprintf(b->session, sizeof(b->session), "%s", s.token);
	snprintf(b->csrf, sizeof(b->csrf), "%s", s.csrf);
}

/* Copies the value of "name=" from a Set-Cookie header into out (empty
 * when the cookie is being cleared); other cookies leave out alone. */
static void take_cookie(const char *hdr, const char *name, char *out, size_t n)
{
	size_t nl = strlen(name);
	const char *end;

	if (strncmp(hdr, name, nl) != 0 || hdr[nl] != '=')
		return;
	hdr += nl + 1;
	end = strchr(hdr, ';');
	if (!end)
		end = hdr + strlen(hdr);
	snprintf(out, n, "%.*s", (int)(end - hdr), hdr);
	if (strstr(hdr, "Max-Age=0"))
		out[0] = '\0';
}

/* What a browser keeps from a response: cookies, and a page's form token. */
static void browser_take(struct rt_browser *b, const struct rt_resp *r)
{
	static const char field[] = "name=\"csrf_token\" value=\"";
	const char *p;

	for (size_t i = 0; i < r->nheaders; i++) {
		if (strcasecmp(r->headers[i][0], "Set-Cookie") != 0)
			continue;
		take_cookie(r->headers[i][1], "kith_session", b->session, sizeof(b->session));
		take_cookie(r->headers[i][1], "kith_visitor", b->visitor, sizeof(b->visitor));
	}
	if (r->body && (p = strstr(r->body, field)) != NULL) {
		p += strlen(field);
		snprintf(b->csrf, sizeof(b->csrf), "%.*s", (int)strcspn(p, "\""), p);
	}
}

void rt_browser_request(struct rt *t, struct rt_browser *b, const char *method,
		const char *target, const char *const *headers, const char *body,
		struct rt_resp *out)
{
	char cookie[256];
	const char *h[16];
	size_t nh = 0;

	if (b->visitor[0] || b->session[0]) {
		snprintf(cookie, sizeof(cookie), "Cookie: %s%s%s%s%s",
			 b->visitor[0] ? "kith_visitor=" : "", b->visitor,
			 b->visitor[0] && b->session[0] ? "; " : "",
			 b->session[0] ? "kith_session=" : "", b->session);
		h[nh++] = cookie;
	}
	if (body)
		h[nh++] = "Content-Type: application/x-www-form-urlencoded";
	for (size_t i = 0; headers && headers[i]; i++) {
		assert_true(nh + 1 < ARRAY_LEN(h));
		h[nh++] = headers[i];
	}
	h[nh] = NULL;
	rt_request(t, method, target, h, body, body ? strlen(body) : 0, b->ip, out);
	browser_take(b, out);
}

void rt_browser_get(struct rt *t, struct rt_browser *b, const char *target, struct rt_resp *out)
{
	rt_browser_request(t, b, "GET", target, NULL, NULL, out);
}

void rt_browser_post(struct rt *t, struct rt_browser *b, const char *target, const char *fields,
		struct rt_resp *out)
{
	char body[2200];
	int w = snprintf(body, sizeof(body), "csrf_token=%s%s%s", b->csrf, fields && fields[0] ? "&" : "",
			 fields ? fields : "");

	assert_true(w > 0 && (size_t)w < sizeof(body));
	rt_browser_request(t, b, "POST", target, NULL, body, out);
}

/* Fails the test unless r has status and each needle in ap (to a NULL). */
static void expect(const struct rt_resp *r, const char *target, int status, va_list ap)
{
	const char *needle;

	if (r->status != status)
		fail_msg("%s: status %d, expected %d", target, r->status, status);
	while ((needle = va_arg(ap, const char *)))
		if (!rt_has(r, needle))
			fail_msg("%s: the page has no \"%s\"", target, needle);
}

void rt_browser_get_is(struct rt *t, struct rt_browser *b, const char *target, int status, ...)
{
	struct rt_resp r;
	va_list ap;

	rt_browser_get(t, b, target, &r);
	va_start(ap, status);
	expect(&r, target, status, ap);
	va_end(ap);
	rt_resp_free(&r);
}

void rt_browser_post_is(struct rt *t, struct rt_browser *b, const char *target, const char *fields,
		int status, ...)
{
	struct rt_resp r;
	va_list ap;

	rt_browser_post(t, b, target, fields, &r);
	va_start(ap, status);
	expect(&r, target, status, ap);
	va_end(ap);
	rt_resp_free(&r);
}

void rt_browser_post_to(struct rt *t, struct rt_browser *b, const char *target, const char *fields,
		const char *location)
{
	struct rt_resp r;
	const char *l;

	rt_browser_post(t, b, target, fields, &r);
	l = rt_header(&r, "Location");
	if (r.status != 303 || !l || strcmp(l, location) != 0)
		fail_msg("%s: status %d to %s, expected 303 to %s", target, r.status, l ? l : "(none)",
			 location);
	rt_resp_free(&r);
}

/* ---------------------------------------------------------------- API credentials */

int64_t rt_bearer(struct rt *t, int64_t person_id, enum rt_bearer_kind kind, char out[TOKEN_LEN + 1])
{
	int64_t now = time_now();

	if (kind == RT_API_SESSION) {
		struct session_new s;

		assert_int_equal(session_create(rt_db(t), person_id, SESSION_API, NULL, NULL, now, now + 3600, &s),
				 ERR_OK);
		memcpy(out, s.token, TOKEN_LEN + 1);
		return s.id;
	} else {
		struct token_new k;

		assert_int_equal(apitoken_create(rt_db(t), person_id, "Tests", person_id, now, 90 * 86400, &k), ERR_OK);
		memcpy(out, k.token, TOKEN_LEN + 1);
		return k.id;
	}
}

/* ---------------------------------------------------------------- the database */

static const struct sql q_audit_n = { "rt.audit_n",
	"SELECT count(*) FROM audit WHERE action = $1", NULL };
static const struct sql q_audit_about = { "rt.audit_about",
	"SELECT count(*) FROM audit WHERE action = $1 AND subject_id = $2", NULL };
static const struct sql q_mail_n = { "rt.mail_n",
	"SELECT count(*) FROM outbox WHERE to_addr = $1 AND template = $2", NULL };
static const struct sql q_mail_all = { "rt.mail_all", "SELECT count(*) FROM outbox", NULL };
static const struct sql q_mail_text = { "rt.mail_text",
	"SELECT subject || ' ' || body_text || ' ' || coalesce(body_html, '') FROM outbox "
	"WHERE to_addr = $1 AND template = $2 ORDER BY id DESC", NULL };

int64_t rt_count(struct rt *t, const struct sql *q, const struct db_val *args, size_t nargs)
{
	int64_t n = -1;

	assert_int_equal(db_query_int(rt_db(t), q, args, nargs, &n), ERR_OK);
	return n;
}

int64_t rt_audit_n(struct rt *t, const char *action)
{
	return rt_count(t, &q_audit_n, DB_ARGS(DB_TEXT(action)));
}

int64_t rt_audit_about(struct rt *t, const char *action, int64_t subject_id)
{
	return rt_count(t, &q_audit_about, DB_ARGS(DB_TEXT(action), DB_INT(subject_id)));
}

int64_t rt_mail_n(struct rt *t, const char *to, const char *tmpl)
{
	return rt_count(t, &q_mail_n, DB_ARGS(DB_TEXT(to), DB_TEXT(tmpl)));
}

int64_t rt_mail_all(struct rt *t)
{
	return rt_count(t, &q_mail_all, DB_NOARGS);
}

char *rt_mail_text(struct rt *t, const char *to, const char *tmpl)
{
	struct db_res *res;
	char *out = NULL;

	assert_int_equal(db_query(rt_db(t), &q_mail_text, DB_ARGS(DB_TEXT(to), DB_TEXT(tmpl)), &res), ERR_OK);
	if (db_next(res) == ERR_OK && db_row(res))
		out = strdup(db_text(res, 0));
	db_res_free(res);
	assert_non_null(out);
	return out;
}

/* Quoted-printable is not used in the outbox table, so the link is there
 * as it was written. */
char *rt_mail_link(struct rt *t, const char *to, const char *tmpl, const char *prefix)
{
	char *text = rt_mail_text(t, to, tmpl), *p, *out;
	size_t n;

	p = strstr(text, prefix);
	assert_non_null(p);
	n = strspn(p + strlen(prefix), "0123456789abcdef");
	assert_int_equal(n, 64);
	out = strndup(p, strlen(prefix) + n);
	free(text);
	assert_non_null(out);
	return out;
}

/* ---------------------------------------------------------------- files */

void rt_rm_rf(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[600];

	while (d && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) != 0)
			rt_rm_rf(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

void rt_service_at(struct rt *t, const char *org, const char *name, int state,
		const char *category, int64_t now, char out[37])
{
	int k = vocab_find(vocab_categories, vocab_categories_n, category);
	struct svc_form f = {
		.org_id = org, .name = name, .description = "A walk round the park.",
		.join = JOIN_TURN_UP, .categories = k >= 0 ? UINT64_C(1) << k : 0, .free = true,
		.in_person = true, .address_1 = "1 Park Road", .town = "Scunthorpe",
		.postcode = "DN15 6XX",
		.scheds = { { .kind = "weekly", .weekday = 1, .opens = "10:00", .closes = "11:30" } },
	};

	rt_service_form(t, &f, state, now, out);
}

void rt_service_form(struct rt *t, const struct svc_form *f, int state, int64_t now, char out[37])
{
	struct save_opts o = { .source = SRC_FORM, .state = (enum svc_state)state,
			       .now = now ? now : time_now(), .assure = true };
	struct save_report rep;
	json_t *fields = NULL;

	memset(&rep, 0, sizeof(rep));
	assert_int_equal(db_begin(rt_db(t)), ERR_OK);
	assert_int_equal(directory_save_form(rt_db(t), f, &o, &rep, &fields), ERR_OK);
	json_decref(fields);
	assert_int_equal(db_commit(rt_db(t)), ERR_OK);
	assert_int_equal(directory_apply_changes(t->app.directory, rt_db(t)), ERR_OK);
	snprintf(out, 37, "%s", rep.id);
}

void rt_service(struct rt *t, const char *org, const char *name, int state, char out[37])
{
	rt_service_at(t, org, name, state, "walking", 0, out);
}

const char *rt_at(const char *fmt, ...)
{
	static char bufs[8][512];
	static unsigned k;
	char *b = bufs[k++ % ARRAY_LEN(bufs)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, sizeof(bufs[0]), fmt, ap);
	va_end(ap);
	return b;
}

bool rt_walk_step(struct rt *t, struct rt_browser *b, const char *method, const char *pattern,
		const char *path, const char *body, int want, const char *who, struct rt_resp *r, int *got)
{
	const char *loc;

	if (strcmp(method, "GET") == 0)
		rt_browser_get(t, b, path, r);
	else
		rt_browser_post(t, b, path, body, r);
	loc = rt_header(r, "Location");
	*got = r->status == 303 && loc && strncmp(loc, "/login", 6) == 0 ? RT_TO_LOGIN : r->status;
	if (r->status < 500 && *got == want)
		return true;
	print_error("%s %s as %s: %d%s, wanted %d%s\n", method, pattern, who, r->status,
		    *got == RT_TO_LOGIN ? " (to sign in)" : "", want == RT_TO_LOGIN ? 303 : want,
		    want == RT_TO_LOGIN ? " (to sign in)" : "");
	return false;
}
