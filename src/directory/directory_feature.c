/*
 * directory_feature.c - the directory in a running kith: its per-process
 * state (the search index and the change feed's position) lives in the
 * app, started and stopped with it, and synced by a job. Edges that
 * hold the app reach the state through directory_of() and build the
 * freshness job's handle here; the rules in directory.c and freshness.c
 * are handed the state, settings, mailer and links themselves and never
 * call back up into this file.
 */
#include "core/common.h"
#include "app/app.h"
#include "app/features.h"
#include "directory/directory.h"
#include "directory/directory_feature.h"
#include "store/store.h"
#include "web/respcache.h"

static const struct directory_settings *settings(const struct app *app)
{
	return app->cfg ? SETTINGS_OF(app->cfg, struct directory_settings, directory_settings) : NULL;
}

struct directory *directory_of(struct app *app)
{
	return app ? app->directory : NULL;
}

struct search_index *directory_index(struct app *app)
{
	return directory_search_index(directory_of(app));
}

struct freshness_env *freshness_env_fill(struct freshness_env *env, struct app *app)
{
	*env = (struct freshness_env){
		.settings = settings(app),
		.directory = app->directory,
		.mailer = &app->mailer,
		.links = &app->links,
	};
	return env;
}

enum err directory_init(struct app *app)
{
	const struct directory_settings *ds = settings(app);
	struct db *db = NULL;

	/* Both the pages and the API name this hook: the first call does it. */
	if (app->directory)
		return ERR_OK;
	if (app->store && !(db = store_db(app->store)))
		return ERR_UNAVAILABLE;
	return directory_open(db, ds ? ds->stale_months : 0, &app->directory);
}

void directory_release(struct app *app)
{
	directory_close(app->directory);
	app->directory = NULL;
}

enum err directory_init_cached(struct app *app, struct respcache **cache, int mb, int entries)
{
	enum err e = directory_init(app);

	if (e == ERR_OK && !*cache && mb > 0 && entries > 0)
		*cache = respcache_new((size_t)mb << 20, (size_t)entries, 16);
	return e;
}

void directory_release_cached(struct app *app, struct respcache **cache)
{
	respcache_free(*cache);
	*cache = NULL;
	directory_release(app);
}

/* The job runs every second; it looks only when directory_sync seconds
 * have passed (the setting may be changed without a new binary). */
enum err directory_sync_job(struct app *app, struct db *db, int64_t now)
{
	const struct directory_settings *ds = settings(app);
	int every = ds ? ds->directory_sync : 2;

	enum err e;

	if (!directory_sync_due(directory_of(app), now, every))
		return ERR_OK;
	if ((e = directory_apply_changes(directory_of(app), db)) != ERR_OK)
		return e;
	return directory_places_refresh(directory_of(app), db, now);
}

const struct feature directory_demo_feature = {
	.name = "directory-demo",
	.demo = directory_demo,
};
