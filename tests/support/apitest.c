/*
 * apitest.c - calling the JSON API from request tests (apitest.h).
 */
#include "core/common.h"
#include "support/apitest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

void rt_json_free(struct rt_json *r)
{
	json_decref(r->j);
	r->j = NULL;
	rt_resp_free(&r->r);
}

void rt_api(struct rt *t, const char *method, const char *target, const char *body, const char *token,
		struct rt_json *out)
{
	char auth[160];
	const char *h[3] = { NULL };
	size_t n = 0;

	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h[n++] = auth;
	}
	if (body)
		h[n++] = "Content-Type: application/json";
	rt_request(t, method, target, h, body, body ? strlen(body) : 0, "192.0.2.7", &out->r);
	out->j = out->r.body && out->r.len ? json_loads(out->r.body, 0, NULL) : NULL;
}

void rt_api_want(struct rt *t, const char *method, const char *target, const char *body, const char *token,
		int status, struct rt_json *out)
{
	rt_api(t, method, target, body, token, out);
	if (out->r.status != status || !out->j)
		fail_msg("%s %s %s: %d %s (wanted %d)", method, target, body ? body : "", out->r.status,
			 out->r.body ? out->r.body : "", status);
}

const char *rt_jstr(const json_t *j, const char *key)
{
	return json_string_value(json_object_get(j, key));
}

int64_t rt_jint(const json_t *j, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(j, key));
}

void rt_api_refused(struct rt *t, const char *method, const char *target, const char *body, const char *token,
		int status, const char *words, const char *field)
{
	struct rt_json r;
	const json_t *e;
	size_t i;
	bool named = field == NULL;

	rt_api(t, method, target, body, token, &r);
	json_array_foreach(json_object_get(r.j, "errors"), i, e)
		if (field && rt_jstr(e, "field") && strcmp(rt_jstr(e, "field"), field) == 0 && rt_jstr(e, "detail"))
			named = true;
	if (r.r.status != status || !rt_jstr(r.j, "detail") || (words && !strstr(rt_jstr(r.j, "detail"), words)) ||
	    !named)
		fail_msg("%s %s %s: %d %s (wanted %d saying \"%s\"%s%s)", method, target, body ? body : "",
			 r.r.status, r.r.body ? r.r.body : "", status, words ? words : "", field ? " naming " : "",
			 field ? field : "");
	assert_non_null(strstr(r.r.content_type, "application/problem+json"));
	rt_json_free(&r);
}
