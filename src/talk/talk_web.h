/*
 * talk_web.h - what the conversations feature's web files share
 * (talk_web.c, moderate_web.c, talk_api.c): the domain's env built from
 * the app, and a few things every page of the feature shows the same way.
 */
#ifndef KITH_TALK_WEB_H
#define KITH_TALK_WEB_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "talk/talk.h"

struct app;
struct request;

/* The app's settings, mailer and links. */
struct talk_env talk_env_of_app(struct app *app);
/* The same for a request, in its arena (NULL when out of memory). */
const struct talk_env *talk_env_of(struct request *req);

/* "12 January 2027 at 10:15" (UK time), in the request arena. */
const char *talk_web_when(struct request *req, int64_t t);
/* Plain text as lines for a template: [{text, br}] (br: a line follows),
 * so what someone typed keeps its line breaks and stays escaped. */
json_t *talk_web_lines(const char *text);
/* ?page=N, 1 when absent or not a number. */
int talk_web_page(struct request *req);
/* The path parameter name's number, 0 when absent. */
int64_t talk_web_id(const struct request *req, const char *name);
/* Adds "when" (talk_web_when of the integer member at) to each object of
 * arr, and to arr itself when it is an object. */
void talk_web_add_when(struct request *req, json_t *arr, const char *at);

/* A page with a form: web_set_errors (errors, taken), web_done (words:
 * the "?done=" banners), web_page. Takes data; ERR_NOMEM when it is
 * NULL. */
struct done_word;
struct response;
enum err talk_web_form_page(struct request *req, struct response *resp, int status, const char *tmpl,
		const char *title, json_t *data, json_t *errors, const struct done_word *words, size_t nwords);

/* v in decimal in the request arena, for a path ("0" when out of memory). */
const char *talk_web_num(struct request *req, int64_t v);
/* Members of the domain's JSON as the pages read them: 0, "" or false
 * when absent or of another type. */
int64_t talk_jint(const json_t *o, const char *k);
const char *talk_jstr(const json_t *o, const char *k);
bool talk_jtrue(const json_t *o, const char *k);
/* The first error's words (errors as the domain appends them), for a
 * refusal the domain explained; fallback when there are none. */
const char *talk_first_detail(const json_t *errors, const char *fallback);

#endif
