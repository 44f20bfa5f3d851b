/*
 * import.c - bringing a council's (or anyone's) Open Referral UK feed into
 * kith, and giving the directory back as a feed (the commands `kith
 * directory import FILE` and `kith directory export [--out FILE]` are
 * oruk_feature.c's).
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
#include "oruk/import.h"

#include "core/buf.h"
#include "core/str.h"
#include "directory/directory.h"
#include "directory/directory_db.h"
#include "oruk/oruk.h"
#include "org/org.h"
#include "search/text.h"
#include "store/store.h"
#include "view/jstr.h"


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

/* Gives doc a placeholder organisation when it has none kith can use
 * (none in the record, or an id neither in the record nor known): true
 * when it did. The one named by an unknown id keeps that id, so a later
 * feed that describes it fills it in. */
static bool give_placeholder(struct db *db, json_t *doc, const char *feed)
{
	const char *oid = json_string_value(json_object_get(doc, "organization_id"));
	char id[37];

	if (json_is_object(json_object_get(doc, "organization")))
		return false;
	if (oid && oid[0]) {
		if (org_exists(db, oid) != ERR_NOT_FOUND)
			return false;      /* known, or unknowable now: saving will say */
		str_copy(id, sizeof(id), oid);
	} else {
		/* The same for the same feed: a second import finds it again. */
		oruk_derived_id("kith-placeholder-organisation", feed, id);
	}
	json_object_set_new(doc, "organization", json_pack("{s:s, s:o, s:o}", "id", id,
		"name", json_sprintf("Organisation to confirm (from %.150s)", feed),
		"description", json_sprintf("Services from %.150s arrived without their organisation. "
			"A coordinator should find out who runs them and put them right.", feed)));
	json_object_set_new(doc, "organization_id", json_string(id));
	return true;
}

enum err directory_import(struct directory *d, struct db *db, const char *data, size_t len,
		int64_t now, struct import_report *out)
{
	return directory_import_feed(d, db, "the imported feed", data, len, now, out);
}

enum err directory_import_feed(struct directory *d, struct db *db, const char *feed_name,
		const char *data, size_t len, int64_t now, struct import_report *out)
{
	struct oruk_feed feed;
	enum err e;

	memset(out, 0, sizeof(*out));
	e = oruk_feed_read(data, len, &feed, out->problem, sizeof(out->problem));
	if (e) {
		oruk_feed_release(&feed);
		if (!(out->rejections = json_array()))
			return ERR_NOMEM;
		return e;
	}
	e = directory_import_records(d, db, feed_name, feed.recs, feed.n, oruk_shape_name(feed.shape), now,
				     out, NULL);
	oruk_feed_release(&feed);
	return e;
}

enum err directory_import_records(struct directory *d, struct db *db, const char *feed_name,
		const struct oruk_record *recs, size_t n, const char *shape, int64_t now,
		struct import_report *out, json_t *saved)
{
	struct save_opts opts = { .source = SRC_IMPORT, .state = SVC_PUBLISHED, .now = now };
	enum err e = ERR_OK;

	memset(out, 0, sizeof(*out));
	if (!(out->rejections = json_array()))
		return ERR_NOMEM;
	out->shape = shape;
	for (size_t i = 0; i < n; i++) {
		const struct oruk_record *rec = &recs[i];
		struct save_report rep;
		json_t *errors, *doc, *fields = NULL;
		bool placed;

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
		placed = give_placeholder(db, doc, feed_name);
		opts.state = placed ? SVC_DRAFT : SVC_PUBLISHED;
		e = directory_save(db, doc, &opts, &rep, &fields);
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
		if (saved)
			json_object_set_new(saved, rep.id, json_true());
		out->placeholder += placed;
		switch (rep.outcome) {
		case SAVE_CREATED: out->imported++; break;
		case SAVE_UPDATED: out->updated++; break;
		case SAVE_UNCHANGED: out->unchanged++; break;
		}
		if (rep.outcome != SAVE_UNCHANGED && rep.nduplicates)
			out->flagged++;
	}
	if (!e)
		e = directory_apply_changes(d, db);
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
