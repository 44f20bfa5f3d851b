/*
 * oruk_feature.c - the `kith directory` command: `import FILE` (an ORUK feed,
 * JSON or ndjson, v1 or 3.0; "-" reads standard input) and `export [--out
 * FILE]` (ORUK 3.0 ndjson). The work is import.c's; this opens the store
 * named by the configuration, reads the file and prints the report.
 * `pull` and `feed` (live ORUK APIs) are handed to feed_feature.c.
 */
#include "core/common.h"
#include "oruk/oruk_feature.h"

#include "app/cli.h"
#include "app/config.h"
#include "core/buf.h"
#include "core/timeutil.h"
#include "oruk/feed_feature.h"
#include "oruk/import.h"
#include "oruk/oruk.h"
#include "search/postcode.h"
#include "store/store.h"

int directory_cli_store(const struct config *cfg, struct store **s, struct db **db)
{
	char err[512];
	struct store_opts so = { .busy_timeout_ms = cfg->busy_timeout_ms, .synchronous = cfg->synchronous };

	if (store_open(cfg->db, &so, s, err, sizeof(err)) != ERR_OK ||
	    store_migrate(*s, NULL, err, sizeof(err)) != ERR_OK) {
		fprintf(stderr, "kith: %s\n", err);
		return 1;
	}
	if (postcode_init() != ERR_OK) {
		fprintf(stderr, "kith: the postcode tables built into kith are damaged\n");
		store_close(*s);
		return 1;
	}
	if (!(*db = store_db(*s))) {
		fprintf(stderr, "kith: cannot reach the database\n");
		store_close(*s);
		return 1;
	}
	return 0;
}

static int cmd_import(const struct config *cfg, int argc, char **argv)
{
	const char *pos[1];
	int npos;
	char why[512];
	char *data;
	size_t len;
	struct store *s;
	struct db *db;
	struct import_report rep;
	enum err e;
	json_t *r;
	size_t i;

	if (!cli_parse(argc, argv, 2, NULL, 0, pos, 1, &npos) || npos != 1) {
		fprintf(stderr, "kith: usage: kith directory import FILE (an ORUK feed: JSON or ndjson; - reads "
			"standard input)\n");
		return 2;
	}
	if (!(data = cli_read_file(pos[0], ORUK_FEED_MAX, &len, why, sizeof(why)))) {
		fprintf(stderr, "kith: %s\n", why);
		return 1;
	}
	if (directory_cli_store(cfg, &s, &db)) {
		free(data);
		return 1;
	}
	{
		const char *slash = strrchr(pos[0], '/');
		const char *name = strcmp(pos[0], "-") == 0 ? "standard input" : slash ? slash + 1 : pos[0];

		e = directory_import_feed(NULL, db, name, data, len, time_now(), &rep);
	}
	free(data);
	if (e == ERR_INVALID || e == ERR_TOO_LARGE) {
		fprintf(stderr, "kith: %s: %s Nothing was imported.\n", pos[0], rep.problem);
		import_report_release(&rep);
		store_close(s);
		return 1;
	}
	printf("Imported %zu, updated %zu, unchanged %zu, rejected %zu.\n", rep.imported, rep.updated,
	       rep.unchanged, rep.rejected);
	if (rep.placeholder)
		printf("%zu arrived without their organisation: they are drafts under \"Organisation to "
		       "confirm\", on the review list for a coordinator to put right.\n", rep.placeholder);
	json_array_foreach(rep.rejections, i, r)
		printf("  %s: %s\n", json_string_value(json_object_get(r, "service")),
		       json_string_value(json_object_get(r, "reason")));
	if (rep.flagged)
		printf("%zu look%s like duplicates of services already listed: coordinators will see %s "
		       "on the review list.\n", rep.flagged, rep.flagged == 1 ? "s" : "",
		       rep.flagged == 1 ? "it" : "them");
	if (e)
		fprintf(stderr, "kith: the import stopped: %s. The services counted above were saved.\n",
			err_title(e));
	import_report_release(&rep);
	store_close(s);
	return e ? 1 : 0;
}

static int cmd_export(const struct config *cfg, int argc, char **argv)
{
	struct cli_opt opts[] = { { .name = "--out", .takes_value = true } };
	const char *pos[1], *path;
	int npos;
	struct store *s;
	struct db *db;
	FILE *out;
	size_t n = 0;
	enum err e;

	if (!cli_parse(argc, argv, 2, opts, ARRAY_LEN(opts), pos, 0, &npos)) {
		fprintf(stderr, "kith: usage: kith directory export [--out FILE]\n");
		return 2;
	}
	path = cli_value(opts, ARRAY_LEN(opts), "--out");
	if (directory_cli_store(cfg, &s, &db))
		return 1;
	out = path ? fopen(path, "w") : stdout;
	if (!out) {
		fprintf(stderr, "kith: cannot write %s: %s\n", path, strerror(errno));
		store_close(s);
		return 1;
	}
	e = directory_export(db, out, &n);
	if (path && fclose(out) != 0 && !e)
		e = ERR_INTERNAL;
	store_close(s);
	if (e) {
		fprintf(stderr, "kith: the export failed (%s)\n", err_title(e));
		return 1;
	}
	fprintf(stderr, "Exported %zu service%s%s%s.\n", n, n == 1 ? "" : "s", path ? " to " : "",
		path ? path : "");
	return 0;
}

static int cmd_directory(const struct config *cfg, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return cmd_import(cfg, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "export") == 0)
		return cmd_export(cfg, argc, argv);
	if (argc >= 2 && (strcmp(argv[1], "pull") == 0 || strcmp(argv[1], "feed") == 0))
		return feed_cli(cfg, argc, argv);
	fprintf(stderr, "kith: usage: kith directory import FILE | export [--out FILE] | pull URL [--feed NAME] "
		"| feed add NAME URL [--every 24h | --daily HH:MM] | feed list | feed remove NAME\n");
	return 2;
}

const struct command directory_commands[1] = {
	{ "directory", "directory import FILE | export [--out FILE] | pull URL [--feed NAME] | feed add|list|remove",
	  "import an Open Referral UK feed (v1 or 3.0, JSON or ndjson) from a file or a council's live API, "
	  "by hand or on a schedule; export the directory as ORUK 3.0 ndjson",
	  cmd_directory },
};
