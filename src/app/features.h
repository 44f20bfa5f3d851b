/*
 * features.h - the list of features. Each feature is a folder under src/
 * with its rules (x.c), SQL (x_db.c), web handlers (x_web.c) and header
 * (x.h). Its x_web.c defines one const struct feature describing itself
 * (name, route table, demo data, commands); features.c lists them. Adding
 * a feature is adding a row to features.c.
 */
#ifndef KITH_FEATURES_H
#define KITH_FEATURES_H

#include <stddef.h>

#include <jansson.h>

#include "core/err.h"
#include "http/router.h"

struct db;
struct config;

struct demo_opts {
	int64_t now;            /* the clock demo data is relative to */
	long services;          /* synthetic directory services to add (0: none) */
	FILE *out;              /* where to print what was created (accounts, counts) */
};

/* A command-line command a feature adds ("kith user add ..."). argv[0] is
 * the command word. Returns the process exit status. */
struct command {
	const char *name;             /* "user" */
	const char *usage;            /* "user add --email E --name N --role ROLE" */
	const char *summary;
	int (*run)(const struct config *cfg, int argc, char **argv);
};

struct feature {
	const char *name;
	const struct route *routes;
	size_t nroutes;
	/* Adds demo data inside the caller's transaction; may be NULL. */
	enum err (*demo)(struct db *db, const struct demo_opts *opts);
	const struct command *commands;
	size_t ncommands;
};

extern const struct feature *const features[];
extern const size_t features_n;

#endif
