/*
 * referral_feature.c - where the referral rules meet the running app:
 * its settings, the site's address and the event bus. The rules
 * (referral.c, referral_view.c) call these instead of opening the app.
 */
#include "core/common.h"
#include "app/app.h"
#include "referral/referral.h"
#include "referral/referral_int.h"

static const struct referral_settings *settings(const struct app *app)
{
	return app && app->cfg ? SETTINGS_OF(app->cfg, struct referral_settings, referral_settings) : NULL;
}

int ref_follow_up_days(const struct app *app)
{
	const struct referral_settings *rs = settings(app);

	return rs ? rs->referral_follow_up_days : REF_DEFAULT_FOLLOW_UP_DAYS;
}

int ref_sustained_weeks(const struct app *app)
{
	const struct referral_settings *rs = settings(app);

	return rs ? rs->referral_sustained_weeks : REF_DEFAULT_SUSTAINED_WEEKS;
}

const char *ref_base_url(const struct app *app)
{
	return app && app->cfg ? app->cfg->base_url : "";
}

enum err ref_publish(const struct app *app, const struct event *ev)
{
	return app ? event_publish(&app->events, ev) : ERR_OK;
}
