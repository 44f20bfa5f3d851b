/*
 * talk_web.h - what the conversations feature's web files share
 * (talk_web.c, moderate_web.c, talk_api.c): the domain's env built from
 * the app, and a few things every page of the feature shows the same way.
 */
#ifndef KITH_TALK_WEB_H
#define KITH_TALK_WEB_H

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

#endif
