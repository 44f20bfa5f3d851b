/*
 * groups_web.h - what the groups feature's web files share
 * (groups_web.c, register_web.c, calendar_web.c, events_api.c): the
 * domain's env built from the app, for a request or a job.
 */
#ifndef KITH_GROUPS_WEB_H
#define KITH_GROUPS_WEB_H

#include "groups/groups.h"

struct app;
struct request;

/* The app's settings, mailer, links and event bus. */
struct group_env group_env_of_app(struct app *app);
/* The same for a request, in its arena (NULL when out of memory). */
const struct group_env *group_env_of(struct request *req);

#endif
