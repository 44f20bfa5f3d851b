/*
 * referral_feature.c - where the referral rules meet the running app:
 * the edges build a struct referral_env here (its settings, mailer, event
 * bus and links) and hand the rules that instead of the app, so the rules
 * (referral.c, referral_view.c) see only what they use.
 */
#include "core/common.h"
#include "app/app.h"
#include "directory/claim.h"
#include "directory/directory_feature.h"
#include "referral/referral.h"
#include "referral/referral_feature.h"
#include "web/form.h"

struct referral_env *referral_env_fill(struct referral_env *env, struct app *app)
{
	*env = (struct referral_env){
		.settings = app->cfg ? SETTINGS_OF(app->cfg, struct referral_settings, referral_settings) : NULL,
		.mailer = &app->mailer,
		.events = &app->events,
		.links = &app->links,
		.claim_days = app->cfg ? SETTINGS_OF(app->cfg, struct claim_settings,
				claim_settings)->org_claim_days : 0,
	};
	return env;
}

const struct referral_env *ref_env(struct request *req)
{
	struct referral_env *env = arena_alloc(&req->arena, sizeof(*env));

	return env ? referral_env_fill(env, req->app) : NULL;
}

enum err ref_self_limit(struct request *req)
{
	int retry = 0;
	enum err e = referral_self_attempt(req->db, SETTINGS_OF(req->app->cfg, struct referral_settings,
			referral_settings), req->client_ip, req->actor->id, req->now, &retry);

	if (e == ERR_RATE_LIMITED)
		return web_limited(req, "referral.rate_limited", req->actor->id, retry,
			"Too many requests to join have been sent from this connection or account "
			"in the last hour. Wait an hour and try again, or contact the organisation "
			"directly.");
	return e;
}

enum err referral_follow_up_job(struct app *app, struct db *db, int64_t now)
{
	return referral_follow_up_run(REFERRAL_ENV(app), db, now);
}
