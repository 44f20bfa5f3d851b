/*
 * reqtest.c - see reqtest.h.
 */
#include "core/common.h"
#include "core/log.h"
#include "app/features.h"
#include "support/reqtest.h"

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
		out->body = strndup(resp.body.p, resp.body.len);
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
