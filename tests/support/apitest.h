/*
 * apitest.h - calling the JSON API from request tests: a request with a
 * bearer token and a JSON body, its answer parsed, and the checks every
 * API test makes (the status wanted; a refusal's problem document saying
 * what it should, naming the field). test_account_api keeps its own: it
 * also sends from other addresses and checks no password comes back.
 */
#ifndef KITH_APITEST_H
#define KITH_APITEST_H

#include <stdint.h>

#include <jansson.h>

#include "support/reqtest.h"

struct rt_json {
	struct rt_resp r;
	json_t *j;                    /* the body parsed, or NULL */
};

void rt_json_free(struct rt_json *r);

/* method target with body (JSON text, or NULL) as token's holder (NULL:
 * a visitor), from 192.0.2.7. */
void rt_api(struct rt *t, const char *method, const char *target, const char *body, const char *token,
		struct rt_json *out);

/* The same, which must answer status with a JSON body: the answer is
 * printed otherwise. */
void rt_api_want(struct rt *t, const char *method, const char *target, const char *body, const char *token,
		int status, struct rt_json *out);

/* A refusal: status, a problem document whose detail holds words (NULL:
 * any), and (field not NULL) an error naming field. */
void rt_api_refused(struct rt *t, const char *method, const char *target, const char *body, const char *token,
		int status, const char *words, const char *field);

const char *rt_jstr(const json_t *j, const char *key);
int64_t rt_jint(const json_t *j, const char *key);

#endif
