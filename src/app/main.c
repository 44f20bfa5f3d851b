/*
 * main.c - the kith command.
 *
 *   kith serve | migrate | demo | backup FILE | check-config | version | help
 *
 * plus the commands features add (features.c). Settings come from
 * kith.conf, KITH_* environment variables and --flags, in that order of
 * precedence (config.h). Exit status: 0 done, 1 failed, 2 bad usage.
 */
#include "core/common.h"
#include "app/app.h"
#include "app/config.h"
#include "app/features.h"
#include "app/worker.h"
#include "core/log.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "http/server.h"
#include "ops/ops.h"
#include "store/store.h"

#include <malloc.h>
#include <sodium.h>

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kith: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nRun \"kith help\" to see the commands and settings.\n");
	return 2;
}

/* Memory. Start-up reads the whole directory through this thread's
 * database connection (the index, the places, the words), which leaves
 * SQLite's page cache for it full (up to 2 MiB) and the heap holding the
 * build's scratch; this thread then only waits for the server to stop.
 * Its connection is closed (reopened should it ever be needed) and the
 * freed heap handed back to the system, so serving starts from the
 * memory it needs rather than what starting needed. malloc's arenas:
 * glibc gives each thread that allocates an arena of its own, up to 8 per
 * core, and memory freed in one is not reused by another; two are plenty
 * for one request thread per core with short-lived allocations, and cut
 * the peak the request threads reach. */
static void settle_memory(struct app *app)
{
	/* An in-memory database lives only as long as its connection. */
	if (app->store && !strstr(store_url_redacted(app->store), ":memory:"))
		store_db_release(app->store);
	malloc_trim(0);
}

static int cmd_serve(const struct config *cfg, int argc, char **argv)
{
	struct app app;
	char err[512];
	int rc;

	UNUSED(argv);
	if (argc > 1)
		return usage_error("serve takes no arguments (got \"%s\")", argv[1]);
	if (app_init(&app, cfg, false, err, sizeof(err)) != ERR_OK) {
		log_error("cannot start: %s", err);
		return 1;
	}
	log_info("database %s", store_url_redacted(app.store));
	settle_memory(&app);
	if (worker_start(&app) != ERR_OK) {
		log_error("cannot start the background worker");
		app_release(&app);
		return 1;
	}
	rc = server_run(&app);
	worker_stop(&app);
	app_release(&app);
	return rc;
}

static int cmd_migrate(const struct config *cfg, int argc, char **argv)
{
	struct store *s;
	char err[512];
	int applied = 0;
	struct store_opts so = { .busy_timeout_ms = cfg->busy_timeout_ms,
				 .synchronous = cfg->synchronous };

	if (argc > 1)
		return usage_error("migrate takes no arguments (got \"%s\")", argv[1]);
	if (store_open(cfg->db, &so, &s, err, sizeof(err)) != ERR_OK) {
		fprintf(stderr, "kith: %s\n", err);
		return 1;
	}
	if (store_migrate(s, &applied, err, sizeof(err)) != ERR_OK) {
		fprintf(stderr, "kith: %s\n", err);
		store_close(s);
		return 1;
	}
	printf("%s: %d migration(s) applied; the database is up to date.\n",
	       store_url_redacted(s), applied);
	store_close(s);
	return 0;
}

static int cmd_demo(const struct config *cfg, int argc, char **argv)
{
	struct demo_opts opts = { .now = time_now(), .out = stdout };
	struct store *s;
	struct db *db;
	char err[512];
	enum err e = ERR_OK;
	struct store_opts so = { .busy_timeout_ms = cfg->busy_timeout_ms,
				 .synchronous = cfg->synchronous };

	for (int i = 1; i < argc; i++) {
		int64_t n;

		if (strcmp(argv[i], "--services") == 0 && i + 1 < argc &&
		    str_to_i64(str_c(argv[i + 1]), 0, 10000000, &n)) {
			opts.services = (long)n;
			i++;
		} else {
			return usage_error("demo: unexpected \"%s\" (use --services N)", argv[i]);
		}
	}
	if (store_open(cfg->db, &so, &s, err, sizeof(err)) != ERR_OK ||
	    store_migrate(s, NULL, err, sizeof(err)) != ERR_OK) {
		fprintf(stderr, "kith: %s\n", err);
		return 1;
	}
	db = store_db(s);
	if (!db || (e = db_begin(db)) != ERR_OK)
		goto out;
	for (size_t i = 0; i < features_n && e == ERR_OK; i++) {
		if (features[i]->demo) {
			e = features[i]->demo(db, &opts);
			if (e)
				fprintf(stderr, "kith: demo data for %s failed: %s\n", features[i]->name, err_title(e));
		}
	}
	e = e ? e : db_commit(db);
out:
	if (db && db_in_tx(db))
		db_rollback(db);
	if (!db || e) {
		fprintf(stderr, "kith: the demo database was not changed\n");
		store_close(s);
		return 1;
	}
	printf("Demo data is ready in %s.\n", store_url_redacted(s));
	store_close(s);
	return 0;
}

static int cmd_backup(const struct config *cfg, int argc, char **argv)
{
	struct store *s;
	char err[512];
	struct store_opts so = { .busy_timeout_ms = cfg->busy_timeout_ms,
				 .synchronous = cfg->synchronous };

	if (argc != 2)
		return usage_error("%s", "backup needs one argument: the file to write, e.g. kith backup kith-backup.db");
	if (store_open(cfg->db, &so, &s, err, sizeof(err)) != ERR_OK) {
		fprintf(stderr, "kith: %s\n", err);
		return 1;
	}
	if (store_backup(s, argv[1], err, sizeof(err)) != ERR_OK) {
		fprintf(stderr, "kith: %s\n", err);
		store_close(s);
		return 1;
	}
	printf("Backed up %s to %s.\n", store_url_redacted(s), argv[1]);
	store_close(s);
	return 0;
}

static int cmd_check_config(const struct config *cfg, int argc, char **argv)
{
	struct app app;
	struct config c = *cfg;
	char err[512], seeded[64];
	int pending = 0;
	struct db *db;

	if (argc > 1)
		return usage_error("check-config takes no arguments (got \"%s\")", argv[1]);
	config_dump(cfg, stdout);
	/* Build everything serve would, without migrating or listening. */
	c.migrate_on_start = false;
	c.db[0] = '\0';
	if (app_init(&app, &c, false, err, sizeof(err)) != ERR_OK) {
		fprintf(stderr, "kith: %s\n", err);
		return 1;
	}
	app_release(&app);
	{
		struct store *s;
		struct store_opts so = { .busy_timeout_ms = cfg->busy_timeout_ms,
					 .synchronous = cfg->synchronous };

		if (store_open(cfg->db, &so, &s, err, sizeof(err)) != ERR_OK ||
		    store_migrations_pending(s, &pending, err, sizeof(err)) != ERR_OK) {
			fprintf(stderr, "kith: %s\n", err);
			return 1;
		}
		printf("# database reachable; %d migration(s) pending\n", pending);
		db = store_db(s);
		if (db && pending == 0 && ops_meta_get(db, "demo_seeded_at", seeded, sizeof(seeded)) == ERR_OK)
			printf("# this is a demo database (seeded %s)\n", seeded);
		store_close(s);
	}
	printf("# configuration is valid\n");
	return 0;
}

static int cmd_version(const struct config *cfg, int argc, char **argv)
{
	UNUSED(cfg);
	UNUSED(argc);
	UNUSED(argv);
	printf("kith %s (%s)\n", KITH_VERSION, KITH_REVISION);
	return 0;
}

static int cmd_help(const struct config *cfg, int argc, char **argv);

static const struct command builtin[] = {
	{ "serve", "serve", "run the web server until SIGTERM or SIGINT", cmd_serve },
	{ "migrate", "migrate", "apply pending database migrations", cmd_migrate },
	{ "demo", "demo [--services N]", "create or refresh demo data (N synthetic services too)", cmd_demo },
	{ "backup", "backup FILE", "copy a SQLite database to FILE while kith runs", cmd_backup },
	{ "check-config", "check-config", "show the effective settings and check them", cmd_check_config },
	{ "version", "version", "print the version", cmd_version },
	{ "help", "help", "this help", cmd_help },
};

static int cmd_help(const struct config *cfg, int argc, char **argv)
{
	UNUSED(cfg);
	UNUSED(argc);
	UNUSED(argv);
	printf("kith - local peer and community support\n\nUsage: kith COMMAND [--setting VALUE ...]\n\nCommands:\n");
	for (size_t i = 0; i < ARRAY_LEN(builtin); i++)
		printf("  %-34s %s\n", builtin[i].usage, builtin[i].summary);
	for (size_t f = 0; f < features_n; f++)
		for (size_t i = 0; i < features[f]->ncommands; i++)
			printf("  %-34s %s\n", features[f]->commands[i].usage, features[f]->commands[i].summary);
	printf("\nSettings (kith.conf key, environment variable, flag; default):\n");
	for (size_t i = 0, n = config_key_count(); i < n; i++) {
		const struct config_key *k = config_key_at(i, NULL);
		char env[96], flag[96];

		if (!k)
			continue;
		config_env_name(k->name, env, sizeof(env));
		config_flag_name(k->name, flag, sizeof(flag));
		printf("  %s, %s, %s; default %s\n      %s\n", k->name, env, flag,
		       k->def[0] ? k->def : "(empty)", k->help);
	}
	printf("\nThe settings file is ./kith.conf, or --config FILE, or KITH_CONFIG.\n"
	       "See kith(1) and kith.conf(5).\n");
	return 0;
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(builtin); i++)
		if (strcmp(builtin[i].name, name) == 0)
			return &builtin[i];
	for (size_t f = 0; f < features_n; f++)
		for (size_t i = 0; i < features[f]->ncommands; i++)
			if (strcmp(features[f]->commands[i].name, name) == 0)
				return &features[f]->commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	struct config cfg;
	const struct command *cmd;
	char err[1024];
	int n = argc - 1;

	/* Before any thread starts: see settle_memory(). */
	mallopt(M_ARENA_MAX, 2);
	/* A large page (a topic of 500 replies is a megabyte, made into
	 * three buffers on its way out) was mapped fresh from the kernel
	 * each time and given back on free: a quarter of its time went on
	 * page faults. Blocks up to 8 MB (LIMIT_PAGE_BYTES) come from the
	 * heap instead, and up to 32 MB freed at its top stays for the next
	 * request (settle_memory() still trims after start-up). */
	mallopt(M_MMAP_THRESHOLD, 8 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024);
	if (sodium_init() < 0) {
		fprintf(stderr, "kith: libsodium failed to initialise\n");
		return 1;
	}
	if (n >= 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return cmd_help(NULL, 0, NULL);
	if (n >= 1 && strcmp(argv[1], "--version") == 0)
		return cmd_version(NULL, 0, NULL);
	if (config_load(&cfg, &n, argv + 1, err, sizeof(err)) != ERR_OK) {
		fprintf(stderr, "kith: %s\n", err);
		return 2;
	}
	log_set_level(cfg.log_level);
	if (n < 1)
		return usage_error("%s", "no command given");
	cmd = find_command(argv[1]);
	if (!cmd)
		return usage_error("unknown command \"%s\"", argv[1]);
	return cmd->run(&cfg, n, argv + 1);
}
