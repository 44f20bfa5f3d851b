/*
 * auth_feature.c - the authentication module as a feature: its cleanup
 * job and its share of "download my data". It has no routes: the pages
 * for signing in, sessions and tokens belong to the account feature.
 *
 * The job deletes what can no longer be used: sessions past their end or
 * revoked, browser sessions idle past session_idle, one-time links used
 * or expired, and attempt counters older than a day (the longest window
 * any limit uses is an hour). Each is one autocommit DELETE, safe to run
 * in several processes at once.
 */
#include "core/common.h"
#include "app/features.h"
#include "app/app.h"
#include "auth/attempts.h"
#include "auth/auth_feature.h"
#include "auth/onetime.h"
#include "auth/session.h"

#define ATTEMPTS_KEEP_S 86400

static enum err cleanup(struct app *app, struct db *db, int64_t now)
{
	enum err e;

	if ((e = session_expire(db, now)) != ERR_OK)
		return e;
	if (app && app->cfg && (e = session_expire_idle(db, now - SETTINGS_OF(app->cfg, struct auth_settings, auth_settings)->session_idle)) != ERR_OK)
		return e;
	if ((e = onetime_expire(db, now)) != ERR_OK)
		return e;
	return attempts_expire(db, now - ATTEMPTS_KEEP_S);
}

static const struct job jobs[] = {
	{ "auth.cleanup", 600, cleanup },
};

/* Sessions and API tokens, never a token, a token's prefix or a form
 * token. */
static enum err export_person(struct db *db, int64_t person_id, int64_t now, json_t *out)
{
	json_t *sessions, *tokens, *t;
	size_t i;
	enum err e;
	UNUSED(now);

	if ((e = session_export(db, person_id, &sessions)) != ERR_OK)
		return e;
	if ((e = apitoken_list(db, person_id, &tokens)) != ERR_OK) {
		json_decref(sessions);
		return e;
	}
	json_array_foreach(tokens, i, t)
		json_object_del(t, "prefix");
	if (json_object_set_new(out, "sessions", sessions) != 0 ||
	    json_object_set_new(out, "api_tokens", tokens) != 0)
		return ERR_NOMEM;
	return ERR_OK;
}

#define AS(field) CFG(struct auth_settings, field)

static const struct config_key keys[] = {
	{ "session_idle", CT_INT, AS(session_idle), 60, 31536000, "7200",
	  "seconds without activity after which a browser session ends", NULL },
	{ "session_lifetime", CT_INT, AS(session_lifetime), 300, 31536000, "43200",
	  "seconds after which a browser session ends however active", NULL },
	{ "api_token_days", CT_INT, AS(api_token_days), 1, 3650, "90",
	  "days a personal API token works before its owner must make a new one (a password "
	  "change revokes them all at once)", NULL },
	{ 0 },
};

const struct settings auth_settings = { "Sessions", keys, sizeof(struct auth_settings) };

const struct feature auth_feature = {
	.settings = &auth_settings,
	.name = "auth", .jobs = jobs, .njobs = ARRAY_LEN(jobs), .export_person = export_person,
};
