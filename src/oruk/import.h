/*
 * import.h - ORUK feeds into the directory and back out
 * (`kith directory import FILE` and `kith directory export`, oruk_feature.c;
 * the tests call these directly). import.c says how.
 */
#ifndef KITH_IMPORT_H
#define KITH_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "core/err.h"

struct db;
struct directory;

struct import_report {
	size_t imported, updated, unchanged, rejected;
	json_t *rejections;            /* [{service: id or name or "#N", reason}] */
	/* Added: what the report also needs. */
	size_t flagged;                /* saved, and flagged as likely duplicates */
	size_t placeholder;            /* saved as drafts under the feed's placeholder
	                                  organisation: theirs was missing */
	const char *shape;             /* "a JSON array of services", ... (static) */
	char problem[256];             /* why the whole file could not be read, when
	                                  directory_import fails with ERR_INVALID */
};
/* Reads ORUK 3.0 (a JSON array of services, a paginated response with
 * "contents", one full service, or ndjson) or the older ORUK v1 shape
 * (services with organization nested and pc_* fields). Each service is
 * saved in its own transaction (one bad record never loses the others);
 * out receives counts and every rejection with its reason. Afterwards d's
 * index (this process's; NULL for none, as in `kith directory import`)
 * has the changes.
 *
 * Real feeds hold services whose organisation is missing (none at all, or
 * an organization_id the feed does not describe and kith does not know).
 * They are not rejected: they are saved as drafts under a placeholder
 * organisation named after the feed ("Organisation to confirm (from
 * FEED)"), so they wait on the coordinators' review list with a reason to
 * act on, and nothing is lost. feed names the feed (a file name, a URL);
 * directory_import calls it "the imported feed". */
enum err directory_import_feed(struct directory *d, struct db *db, const char *feed,
		const char *data, size_t len, int64_t now, struct import_report *out);
/* The same for records already in hand (the pages of a live feed, pull.c):
 * each recs[i].value is saved as above; shape names where they came from
 * (static). saved, when not NULL, receives id -> true for every service
 * saved (imported, updated or unchanged). */
struct oruk_record;
enum err directory_import_records(struct directory *d, struct db *db, const char *feed,
		const struct oruk_record *recs, size_t n, const char *shape, int64_t now,
		struct import_report *out, json_t *saved);
enum err directory_import(struct directory *d, struct db *db, const char *data, size_t len,
		int64_t now, struct import_report *out);
void import_report_release(struct import_report *r);
/* Writes every published service as ORUK 3.0 full service ndjson, one per
 * line, ordered by id. */
enum err directory_export(struct db *db, FILE *out, size_t *count);

#endif
