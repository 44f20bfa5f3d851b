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

#include "core/demo.h"
#include "core/err.h"
#include "core/event.h"
#include "http/router.h"

struct db;
struct config;
struct settings;

/* A command-line command a feature adds ("kith user add ..."). argv[0] is
 * the command word. Returns the process exit status. */
struct command {
	const char *name;             /* "user" */
	const char *usage;            /* "user add --email E --name N --role ROLE" */
	const char *summary;
	int (*run)(const struct config *cfg, int argc, char **argv);
};

struct app;

/* Background work a feature needs done (src/app/worker.c runs it): sending
 * email, expiring sessions, erasing accounts whose grace period is over.
 * run() gets the worker's own connection and no open transaction. */
struct job {
	const char *name;
	int every_s;          /* at most this long between runs; worker_wake() runs it sooner */
	enum err (*run)(struct app *app, struct db *db, int64_t now);
};

struct feature {
	const char *name;
	const struct route *routes;
	size_t nroutes;
	/* The policy actions this feature defines (its routes name these or
	 * the platform's: act_public, act_signed_in, act_contact, act_metrics;
	 * app_init refuses a route that names another feature's). */
	const struct action *const *actions;   /* NULL-terminated, or NULL */
	/* The feature's settings: their keys, defaults and help, filling a
	 * struct of its own (config_settings() finds it); may be NULL. */
	const struct settings *settings;
	/* Adds demo data inside the caller's transaction; may be NULL. */
	enum err (*demo)(struct db *db, const struct demo_opts *opts);
	const struct command *commands;
	size_t ncommands;
	const struct job *jobs;
	size_t njobs;
	/* "Download my data": adds this feature's data about the person to
	 * out, under keys of its own. May be NULL. */
	enum err (*export_person)(struct db *db, int64_t person_id, int64_t now, json_t *out);
	/* Start-up and shutdown of per-process state (caches, indexes),
	 * after the database is open and migrated. May be NULL. */
	enum err (*init)(struct app *app);
	void (*release)(struct app *app);
	/* What this feature listens for (core/event.h): erasure of a person
	 * (EV_PERSON_ERASING), a confirmed email address, a role changed, a
	 * referral moved. Ends with fn NULL; may be NULL. */
	const struct subscription *subscriptions;
};

extern const struct feature *const features[];
extern const size_t features_n;

#endif
