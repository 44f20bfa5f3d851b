/*
 * directory_feature.h - the directory in a running kith
 * (directory_feature.c): its per-process state in the app, the hooks that
 * start and stop it, the sync job, and the freshness job's handle. Only
 * edges (the directory's and ORUK's pages and API, their features) and
 * tests include this; the rules take struct directory,
 * struct directory_settings and struct freshness_env instead of the app.
 */
#ifndef KITH_DIRECTORY_FEATURE_H
#define KITH_DIRECTORY_FEATURE_H

#include <stdint.h>

#include "core/err.h"
#include "directory/directory.h"
#include "directory/freshness.h"

struct app;
struct db;

/* Feature hooks: at start-up loads the postcode tables, writes kith's
 * taxonomies and terms (when missing or different) and builds the index
 * from the derived columns of every published service not hidden as
 * stale. Both oruk_feature and directory_feature name these hooks; the
 * first call does the work and later ones return at once (and release
 * likewise). */
enum err directory_init(struct app *app);
void directory_release(struct app *app);
/* The same, with one of a feature's answer caches (web/cached.h) in
 * *cache: megabytes and entries from its settings (either 0: NULL, off). */
struct respcache;
enum err directory_init_cached(struct app *app, struct respcache **cache, int mb, int entries);
void directory_release_cached(struct app *app, struct respcache **cache);
/* This process's state and its index (NULL app or none started: NULL). */
struct directory *directory_of(struct app *app);
struct search_index *directory_index(struct app *app);
/* The background job (oruk_feature.jobs, run every second by the
 * worker): applies other processes' changes when the directory_sync
 * setting's seconds have passed since it last did. */
enum err directory_sync_job(struct app *app, struct db *db, int64_t now);

/* The freshness job's handle from app: its settings, index, mailer and
 * links. FRESHNESS_ENV(app) is one that lasts to the end of the block. */
struct freshness_env *freshness_env_fill(struct freshness_env *env, struct app *app);
#define FRESHNESS_ENV(app) freshness_env_fill(&(struct freshness_env){ 0 }, (app))

extern const struct feature directory_words_feature;   /* words_web.c */
extern const struct feature claim_feature;             /* claim_web.c: organisations to bring on */
struct settings;
extern const struct settings claim_settings;

#endif
