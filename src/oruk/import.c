/*
 * import.c - bringing a council's (or anyone's) Open Referral UK feed into
 * kith, and giving the directory back as a feed: `kith directory import
 * FILE` and `kith directory export [--out FILE]`.
 *
 * Import reads the whole file (ORUK_FEED_MAX), splits it into records
 * (oruk_feed_read: an array, a paginated list, one service, or ndjson),
 * converts v1 records and normalises each (oruk_import_record, the part
 * fuzz/fuzz_import.c exercises without a database), then saves each in
 * its own transaction through directory_save(), so one bad record never
 * costs the others and a second import of the same file changes nothing.
 * Every record ends up in exactly one of imported, updated, unchanged or
 * rejected, and every rejection is reported with the record's id and name
 * (or its position) and the reason in words. New services are published;
 * a service already in kith keeps its state (a coordinator's archiving is
 * not undone by the next import).
 *
 * Export writes every published service as one ORUK 3.0 full service per
 * line (organization nested), ordered by id, from one read snapshot; an
 * import of an export is all "unchanged".
 */
#include "core/common.h"
#include "app/app.h"
#include "app/cli.h"
#include "app/config.h"
#include "app/features.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "directory/directory.h"
#include "oruk/oruk.h"
#include "search/postcode.h"
#include "search/text.h"
#include "store/store.h"

#include <sys/stat.h>

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s && s[0] ? s : NULL;
}

/* A short, clean copy of text from a feed for the report. */
static void short_text(const char *s, size_t max, struct buf *out)
{
	struct buf tmp;
	size_t n;

	buf_reset(out);
	buf_init(&tmp, 64 * 1024);
	if (text_has_html(s, strlen(s))) {
		text_from_html(s, strlen(s), &tmp);
		text_clean_line(tmp.p, tmp.len, out);
	} else {
		text_clean_line(s, strlen(s), out);
	}
	buf_release(&tmp);
	if (out->len > max) {
		n = max;
		while (n > 0 && ((unsigned char)out->p[n] & 0xc0) == 0x80)
			n--;
		buf_truncate(out, n);
		buf_adds(out, "...");
	}
}

/* Who a record is, for its line in the report: its id and name, or its
 * position ("#312", or "line 312" in ndjson) when it lacks them. */
static char *who_of(const json_t *rec, size_t pos, size_t line)
{
	const char *id = jstr(rec, "id"), *name = jstr(rec, "name");
	struct buf b, part;
	char *out;

	buf_init(&b, 512);
	buf_init(&part, 512);
	if (id) {
		short_text(id, 60, &part);
		buf_add(&b, part.p, part.len);
	} else if (line) {
		buf_addf(&b, "line %zu", line);
	} else {
		buf_addf(&b, "#%zu", pos);
	}
	if (name) {
		short_text(name, 80, &part);
		if (part.len)
			buf_addf(&b, " \"%s\"", part.p);
	}
	out = buf_ok(&b) ? buf_detach(&b, NULL) : strdup("?");
	buf_release(&b);
	buf_release(&part);
	return out;
}

static void reject(struct import_report *out, const json_t *rec, size_t pos, size_t line, const char *reason)
{
	char *who = who_of(rec, pos, line);

	out->rejected++;
	json_array_append_new(out->rejections, json_pack("{s:s, s:s, s:I}", "service", who ? who : "?",
		"reason", reason, "position", (json_int_t)pos));
	free(who);
}

static const char *first_reason(const json_t *errors)
{
	const json_t *e = json_array_get(errors, 0);

	return e ? oruk_error_reason(e) : "could not be read";
}

void import_report_release(struct import_report *r)
{
	json_decref(r->rejections);
	r->rejections = NULL;
}

enum err directory_import(struct app *app, struct db *db, const char *data, size_t len,
		int64_t now, struct import_report *out)
{
	struct oruk_feed feed;
	struct save_opts opts = { .source = SRC_IMPORT, .state = SVC_PUBLISHED, .now = now };
	enum err e;

	memset(out, 0, sizeof(*out));
	if (!(out->rejections = json_array()))
		return ERR_NOMEM;
	e = oruk_feed_read(data, len, &feed, out->problem, sizeof(out->problem));
	if (e) {
		oruk_feed_release(&feed);
		return e;
	}
	out->shape = oruk_shape_name(feed.shape);
	for (size_t i = 0; i < feed.n; i++) {
		const struct oruk_record *rec = &feed.recs[i];
		struct save_report rep;
		json_t *errors, *doc, *fields = NULL;

		if (!rec->value) {
			reject(out, NULL, i + 1, rec->line, rec->problem ? rec->problem : "could not be read");
			continue;
		}
		if (!(errors = json_array())) {
			e = ERR_NOMEM;
			break;
		}
		doc = oruk_import_record(rec->value, errors, NULL);
		if (!doc) {
			reject(out, rec->value, i + 1, rec->line, first_reason(errors));
			json_decref(errors);
			continue;
		}
		json_decref(errors);
		if ((e = db_begin(db)) != ERR_OK) {
			json_decref(doc);
			break;
		}
		e = directory_save(app, db, doc, &opts, &rep, &fields);
		json_decref(doc);
		if (!e)
			e = db_commit(db);
		if (e) {
			db_rollback(db);
			if (e == ERR_INVALID) {
				reject(out, rec->value, i + 1, rec->line, first_reason(fields));
			} else if (e == ERR_UNAVAILABLE || e == ERR_NOMEM) {
				json_decref(fields);
				break;
			} else {
				char why[96];

				snprintf(why, sizeof(why), "could not be saved (%s)", err_title(e));
				reject(out, rec->value, i + 1, rec->line, why);
			}
			json_decref(fields);
			e = ERR_OK;
			continue;
		}
		json_decref(fields);
		switch (rep.outcome) {
		case SAVE_CREATED: out->imported++; break;
		case SAVE_UPDATED: out->updated++; break;
		case SAVE_UNCHANGED: out->unchanged++; break;
		}
		if (rep.outcome != SAVE_UNCHANGED && rep.nduplicates)
			out->flagged++;
	}
	oruk_feed_release(&feed);
	if (!e && app)
		e = directory_sync(app, db);
	return e;
}

/* One service as an export line: its document with its organisation. */
static bool export_line(FILE *out, const char *doc, const char *org, const char *org_id,
		const char *org_name)
{
	size_t n = strlen(doc);
	json_t *o = NULL;
	char *made = NULL;

	while (n && doc[n - 1] != '}')
		n--;
	if (!n)
		return true;
	if (!org) {
		o = json_pack("{s:s, s:s, s:s}", "id", org_id ? org_id : "", "name", org_name ? org_name : "",
			      "description", org_name ? org_name : "");
		org = made = o ? oruk_dump(o, NULL) : NULL;
		json_decref(o);
	}
	fwrite(doc, 1, n - 1, out);
	if (org)
		fprintf(out, "%s\"organization\":%s", n > 2 ? "," : "", org);
	fputs("}\n", out);
	free(made);
	return !ferror(out);
}

enum err directory_export(struct db *db, FILE *out, size_t *count)
{
	char after[64] = "";
	bool own_tx = !db_in_tx(db);
	enum err e = ERR_OK;

	*count = 0;
	if (own_tx && (e = db_begin_read(db)) != ERR_OK)
		return e;
	for (;;) {
		struct arena a;
		struct dir_rows r;

		arena_init(&a);
		if ((e = dir_db_export_batch(db, &a, after, 500, &r)) != ERR_OK) {
			arena_release(&a);
			break;
		}
		for (size_t i = 0; i < r.n; i++) {
			const char *id = DIR_ROW(&r, i, 0), *doc = DIR_ROW(&r, i, 1);

			if (!export_line(out, doc, DIR_ROW(&r, i, 2), NULL, DIR_ROW(&r, i, 3))) {
				e = ERR_INTERNAL;
				break;
			}
			(*count)++;
			str_copy(after, sizeof(after), id);
		}
		arena_release(&a);
		if (e || r.n < 500)
			break;
	}
	if (own_tx)
		db_rollback(db);
	if (!e && fflush(out) != 0)
		e = ERR_INTERNAL;
	return e;
}

/* ---------------------------------------------------------------- the command */

static int open_store(const struct config *cfg, struct store **s, struct db **db)
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

/* The whole file (or standard input for "-"), NUL-terminated. */
static char *read_all(const char *path, size_t *len, char *why, size_t whylen)
{
	bool own = strcmp(path, "-") != 0;
	FILE *f = own ? fopen(path, "rb") : stdin;
	struct buf b;
	char chunk[65536];
	size_t n;
	char *out;

	if (!f) {
		snprintf(why, whylen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	buf_init(&b, ORUK_FEED_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && buf_ok(&b))
		buf_add(&b, chunk, n);
	if (ferror(f))
		snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
	else if (!buf_ok(&b))
		snprintf(why, whylen, "%s is larger than %zu MiB", path, ORUK_FEED_MAX >> 20);
	out = !ferror(f) && buf_ok(&b) ? buf_detach(&b, len) : NULL;
	buf_release(&b);
	if (own)
		fclose(f);
	return out;
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
	if (!(data = read_all(pos[0], &len, why, sizeof(why)))) {
		fprintf(stderr, "kith: %s\n", why);
		return 1;
	}
	if (open_store(cfg, &s, &db)) {
		free(data);
		return 1;
	}
	e = directory_import(NULL, db, data, len, time_now(), &rep);
	free(data);
	if (e == ERR_INVALID || e == ERR_TOO_LARGE) {
		fprintf(stderr, "kith: %s: %s Nothing was imported.\n", pos[0], rep.problem);
		import_report_release(&rep);
		store_close(s);
		return 1;
	}
	printf("Imported %zu, updated %zu, unchanged %zu, rejected %zu.\n", rep.imported, rep.updated,
	       rep.unchanged, rep.rejected);
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
	if (open_store(cfg, &s, &db))
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
	fprintf(stderr, "kith: usage: kith directory import FILE | kith directory export [--out FILE]\n");
	return 2;
}

const struct command directory_commands[1] = {
	{ "directory", "directory import FILE | export [--out FILE]",
	  "import an Open Referral UK feed (v1 or 3.0, JSON or ndjson); export the directory as ORUK 3.0 ndjson",
	  cmd_directory },
};
