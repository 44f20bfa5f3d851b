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
 */
#ifndef KITH_REQTEST_H
#define KITH_REQTEST_H

#include <stdbool.h>
#include <stddef.h>

#include "app/app.h"
#include "app/config.h"
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

/* Starts an app on a fresh database of backend ("sqlite", "postgresql",
 * or NULL for no database). settings: NULL-terminated "key=value"
 * overrides, may be NULL. Returns false on failure (printed). */
bool rt_start_with(struct rt *t, const char *backend, const char *const *settings);
bool rt_start(struct rt *t, const char *backend);
/* With extra features (test-only routes) added after the real ones. */
bool rt_start_extra(struct rt *t, const char *backend, const char *const *settings,
		const struct feature *const *extra, size_t nextra);
void rt_stop(struct rt *t);

/* Runs one request. target is "/path?query". headers: NULL-terminated
 * "Name: value" strings, may be NULL. client_ip NULL means 127.0.0.1. */
void rt_request(struct rt *t, const char *method, const char *target,
		const char *const *headers, const char *body, size_t body_len,
		const char *client_ip, struct rt_resp *out);
void rt_get(struct rt *t, const char *target, struct rt_resp *out);
/* POST with a body and content type. */
void rt_post(struct rt *t, const char *target, const char *ctype, const char *body,
		struct rt_resp *out);

const char *rt_header(const struct rt_resp *r, const char *name);
void rt_resp_free(struct rt_resp *r);

#endif
