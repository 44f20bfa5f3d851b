/*
 * feed_feature.h - live ORUK feeds at the edge (feed_feature.c): the
 * settings, the `kith directory pull` and `kith directory feed` commands
 * (the `directory` command of oruk_feature.c hands them over) and the
 * feature whose job pulls feeds when due.
 */
#ifndef KITH_FEED_FEATURE_H
#define KITH_FEED_FEATURE_H

#include <stddef.h>
#include <stdint.h>

#include "app/features.h"

/* kith.conf keys of the same names (feed_delay_ms, ...). */
struct feed_settings {
	int delay_ms;              /* between requests */
	int timeout_s;             /* one request */
	int time_limit_s;          /* one pull */
	int max_pages;
	size_t max_bytes;          /* one answer */
	int per_page;
	int retries;
};
extern const struct settings feed_settings;

/* `kith directory pull ...` and `kith directory feed ...` (argv[1] is
 * "pull" or "feed"). Returns the exit status. */
int feed_cli(const struct config *cfg, int argc, char **argv);

/* The job: claims the feed due soonest and pulls it on a thread of its own
 * (one at a time in this process). */
struct app;
struct db;
struct store;
/* The directory commands' database: opened, migrated, with the postcode
 * tables ready; 1 (said on stderr) when it cannot be (oruk_feature.c). */
int directory_cli_store(const struct config *cfg, struct store **s, struct db **db);

enum err feeds_job(struct app *app, struct db *db, int64_t now);

/* /directory/feeds, the coordinators' read-only view (feed_web.c). */
#define FEED_NROUTES 1
struct route;
extern const struct route feed_routes[FEED_NROUTES];

extern const struct feature oruk_feeds_feature;

#endif
