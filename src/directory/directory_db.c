/*
 * directory_db.c - every SQL statement of the directory, and the
 * functions that run them.
 *
 * The statements are written once for both backends. Lists of ids (a page
 * of search hits) travel as one JSON array parameter, expanded by
 * json_each() on SQLite and json_array_elements_text() on PostgreSQL, so
 * a page of 10 or 1,000 services is one statement and one round trip.
 * Optional filters use '' and 0 for "not given" rather than NULL, so
 * PostgreSQL can always infer a parameter's type.
 *
 * The change feed (directory_change) is written under a transaction-scoped
 * advisory lock on PostgreSQL: a change's sequence number is then taken
 * in commit order, so a process that has read up to seq N never misses a
 * change committed later with a smaller number. SQLite has one writer at
 * a time anyway.
 */
#include "core/common.h"
#include "core/buf.h"
#include "core/str.h"
#include "directory/directory_db.h"
#include "store/store.h"

/* ---------------------------------------------------------------- statements */

static const struct sql q_existing = {
	"dir.existing", "SELECT doc_hash, state, organisation_id FROM service WHERE id = $1", NULL };

static const struct sql q_insert = {
	"dir.insert",
	"INSERT INTO service (id, organisation_id, name, status, state, source, doc, flat, doc_hash, "
	"body, categories, conditions, languages, flags, scheds, terms, postcode, dupe_key, "
	"duplicate_of, assured_at, last_modified, created_at, updated_at, created_by) VALUES "
	"($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, "
	"$20, $21, $22, $23, $24)", NULL };

static const struct sql q_update = {
	"dir.update",
	"UPDATE service SET organisation_id = $2, name = $3, status = $4, state = $5, doc = $6, "
	"flat = $7, doc_hash = $8, body = $9, categories = $10, conditions = $11, languages = $12, "
	"flags = $13, scheds = $14, terms = $15, postcode = $16, dupe_key = $17, duplicate_of = $18, "
	"assured_at = $19, last_modified = $20, updated_at = $21 WHERE id = $1", NULL };

/* The ready list item (0005_service_list): the list form with the
 * organisation spliced in before its closing brace, written with every
 * insert and update of a service, and re-spliced for every service of an
 * organisation whose details change. One splicing expression, in SQL both
 * backends accept, so the migration, the save and the refresh agree. */
#define SPLICE(flat, orgdoc) "CASE WHEN " orgdoc " IS NULL THEN " flat \
	" ELSE substr(" flat ", 1, length(" flat ") - 1) || ',\"organization\":' || " orgdoc " || '}' END"
static const struct sql q_list_upsert = {
	"dir.list_upsert",
	"INSERT INTO service_list (id, organisation_id, item) "
	"SELECT $1, $2, " SPLICE("CAST($3 AS TEXT)", "o.doc") " "
	"FROM organisation o WHERE o.id = $2 "
	"ON CONFLICT (id) DO UPDATE SET organisation_id = excluded.organisation_id, "
	"item = excluded.item",
	NULL };
static const struct sql q_list_refresh_org = {
	"dir.list_refresh_org",
	"UPDATE service_list SET item = "
	SPLICE("(SELECT s.flat FROM service s WHERE s.id = service_list.id)",
	       "(SELECT doc FROM organisation WHERE id = $1)") " "
	"WHERE organisation_id = $1",
	NULL };
/* A page's list items in one statement (on PostgreSQL one round trip, not
 * one per item). On SQLite the CROSS JOIN keeps json_each as the outer
 * loop, so each id is one primary-key lookup rather than an IN list,
 * which would build a temporary index first; on PostgreSQL = ANY of an
 * array keeps to the primary key where IN (SELECT ...) hashes the ids and
 * scans the table. */
static const struct sql q_list_items = {
	"dir.list_items",
	"SELECT l.id, l.item FROM json_each($1) j CROSS JOIN service_list l ON l.id = j.value",
	"SELECT l.id, l.item FROM service_list l "
	"WHERE l.id = ANY(ARRAY(SELECT json_array_elements_text($1::json)))" };

static const struct sql q_sal_owner = {
	"dir.sal_owner", "SELECT service_id FROM service_at_location WHERE id = $1", NULL };
static const struct sql q_sal_delete = {
	"dir.sal_delete", "DELETE FROM service_at_location WHERE service_id = $1", NULL };
static const struct sql q_sal_insert = {
	"dir.sal_insert",
	"INSERT INTO service_at_location (id, service_id, location_id, doc, latitude, longitude, "
	"postcode) VALUES ($1, $2, $3, $4, $5, $6, $7)", NULL };

static const struct sql q_change_lock = {
	"dir.change_lock", "SELECT 1", "SELECT pg_advisory_xact_lock(7303010301)" };
static const struct sql q_change = {
	"dir.change", "INSERT INTO directory_change (service_id, at) VALUES ($1, $2)", NULL };
static const struct sql q_last_change = {
	"dir.last_change", "SELECT coalesce(max(seq), 0) FROM directory_change", NULL };

static const struct sql q_dupes = {
	"dir.dupes",
	"SELECT s.id FROM service s JOIN organisation o ON o.id = s.organisation_id "
	"WHERE s.dupe_key = $1 AND s.id <> $2 AND s.state <> 'archived' AND ("
	" s.postcode = $3"
	" OR (s.postcode IS NULL AND $3 = '' AND s.organisation_id = $4)"
	" OR ($5 <> '' AND o.charity_number = $5 AND s.organisation_id <> $4)) "
	"ORDER BY s.created_at, s.id LIMIT 4", NULL };


static const struct sql q_taxonomy_put = {
	"dir.taxonomy_put",
	"INSERT INTO taxonomy (id, name, description, uri, version) VALUES ($1, $2, $3, $4, $5) "
	"ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, "
	"uri = excluded.uri, version = excluded.version", NULL };
static const struct sql q_taxonomy_exists = {
	"dir.taxonomy_exists", "SELECT count(*) FROM taxonomy WHERE id = $1", NULL };
static const struct sql q_term_get = {
	"dir.term_get",
	"SELECT coalesce(taxonomy_id, ''), coalesce(parent_id, ''), coalesce(code, ''), name, "
	"description, coalesce(term_uri, '') FROM taxonomy_term WHERE id = $1", NULL };
static const struct sql q_term_insert = {
	"dir.term_insert",
	"INSERT INTO taxonomy_term (id, taxonomy_id, parent_id, code, name, description, term_uri) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7)", NULL };
static const struct sql q_term_update = {
	"dir.term_update",
	"UPDATE taxonomy_term SET taxonomy_id = $2, parent_id = $3, code = $4, name = $5, "
	"description = $6, term_uri = $7 WHERE id = $1", NULL };

/* "Published", written so SQLite's planner does not pick the (state, ...)
 * indexes for it: with 100,000 published services that index matches them
 * all, and a statement that should look up ten ids by primary key (or
 * walk the primary key from a cursor) scanned and sorted every row
 * instead (200 ms a page). tests/request/test_directory_data.c asserts
 * the plans. PostgreSQL plans these well either way. */
#define PUBLISHED "coalesce(s.state, '') = 'published'"

#define INDEX_COLS "s.id, s.organisation_id, s.name, s.body, s.scheds, s.terms, s.categories, " \
	"s.conditions, s.languages, s.flags, s.last_modified"

#define SQL_INDEX_BATCH "SELECT " INDEX_COLS " FROM service s WHERE " PUBLISHED \
	" AND s.stale_hidden_at IS NULL AND s.id > $1 ORDER BY s.id LIMIT $2"
static const struct sql q_index_batch = { "dir.index_batch", SQL_INDEX_BATCH, NULL };
static const struct sql q_index_points = {
	"dir.index_points",
	"SELECT service_id, latitude, longitude FROM service_at_location "
	"WHERE service_id >= $1 AND service_id <= $2 AND latitude IS NOT NULL "
	"AND longitude IS NOT NULL ORDER BY service_id, id", NULL };
static const struct sql q_changes = {
	"dir.changes",
	"SELECT c.seq, c.service_id, s.id, s.organisation_id, s.name, s.body, s.scheds, s.terms, "
	"s.categories, s.conditions, s.languages, s.flags, s.last_modified, s.state, "
	"s.stale_hidden_at FROM directory_change c LEFT JOIN service s ON s.id = c.service_id "
	"WHERE c.seq > $1 ORDER BY c.seq LIMIT $2", NULL };
/* The address is read from the stored JSON: only here, when the place
 * names are rebuilt (start-up, new search words, and after changes at
 * most once a minute), never on a request. */
static const struct sql q_places = {
	"dir.places",
	"SELECT json_extract(l.doc, '$.location.addresses[0].city'), "
	"json_extract(l.doc, '$.location.addresses[0].address_2'), coalesce(l.postcode, ''), "
	"l.latitude, l.longitude FROM service_at_location l JOIN service s ON s.id = l.service_id "
	"WHERE " PUBLISHED " AND s.stale_hidden_at IS NULL",
	"SELECT l.doc::jsonb #>> '{location,addresses,0,city}', "
	"l.doc::jsonb #>> '{location,addresses,0,address_2}', coalesce(l.postcode, ''), "
	"l.latitude, l.longitude FROM service_at_location l JOIN service s ON s.id = l.service_id "
	"WHERE " PUBLISHED " AND s.stale_hidden_at IS NULL" };
static const struct sql q_points_one = {
	"dir.points_one",
	"SELECT latitude, longitude FROM service_at_location WHERE service_id = $1 "
	"AND latitude IS NOT NULL AND longitude IS NOT NULL ORDER BY id", NULL };

/* ---------------------------------------------------------------- helpers */

/* A JSON array of ids for json_each / json_array_elements_text. Ids are
 * UUIDs (the index and the router only hold those), but anything else is
 * escaped all the same. */
bool dir_ids_json(const char *const *ids, size_t n, struct buf *out)
{
	buf_reset(out);
	buf_addc(out, '[');
	for (size_t i = 0; i < n; i++) {
		const char *id = ids[i] ? ids[i] : "";
		size_t len = strlen(id), plain = 0;

		if (i)
			buf_addc(out, ',');
		buf_addc(out, '"');
		/* The usual case, a UUID, goes in one copy. */
		while (plain < len && id[plain] != '"' && id[plain] != '\\' &&
		       (unsigned char)id[plain] >= 0x20)
			plain++;
		buf_add(out, id, plain);
		for (const char *p = id + plain; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_addc(out, '\\');
			if ((unsigned char)*p < 0x20)
				continue;
			buf_addc(out, *p);
		}
		buf_addc(out, '"');
	}
	buf_addc(out, ']');
	return buf_ok(out);
}

/* ---------------------------------------------------------------- services */

enum err dir_db_existing(struct db *db, struct arena *a, const char *id, const char **hash,
		const char **state, const char **org_id)
{
	struct db_res *r;
	enum err e = db_query_one(db, &q_existing, DB_ARGS(DB_TEXT(id)), &r);

	if (e)
		return e;
	*hash = db_dup(a, r, 0, NULL);
	*state = db_dup(a, r, 1, NULL);
	if (org_id)
		*org_id = db_dup(a, r, 2, NULL);
	if (!*hash || !*state)
		e = ERR_NOMEM;
	db_res_free(r);
	return e;
}

static struct db_val opt_int(int64_t v)
{
	return v ? DB_INT(v) : DB_NULL;
}

static enum err list_upsert(struct db *db, const struct dir_row *r)
{
	return db_exec(db, &q_list_upsert, DB_ARGS(DB_TEXT(r->id), DB_TEXT(r->org_id), DB_TEXT(r->flat)),
		       NULL);
}

enum err dir_db_insert(struct db *db, const struct dir_row *r)
{
	enum err e = db_exec(db, &q_insert, DB_ARGS(DB_TEXT(r->id), DB_TEXT(r->org_id), DB_TEXT(r->name),
		DB_TEXT(r->status), DB_TEXT(r->state), DB_TEXT(r->source), DB_TEXT(r->doc),
		DB_TEXT(r->flat), DB_TEXT(r->doc_hash), DB_TEXT(r->body), DB_INT(r->categories),
		DB_INT(r->conditions), DB_INT(r->languages), DB_INT(r->flags), DB_TEXT(r->scheds),
		DB_TEXT(r->terms), db_text_or_null(r->postcode), DB_TEXT(r->dupe_key), db_text_or_null(r->duplicate_of),
		opt_int(r->assured_at), DB_INT(r->last_modified), DB_INT(r->created_at),
		DB_INT(r->updated_at), opt_int(r->created_by)), NULL);

	return e ? e : list_upsert(db, r);
}

enum err dir_db_update(struct db *db, const struct dir_row *r)
{
	enum err e = db_exec(db, &q_update, DB_ARGS(DB_TEXT(r->id), DB_TEXT(r->org_id), DB_TEXT(r->name),
		DB_TEXT(r->status), DB_TEXT(r->state), DB_TEXT(r->doc), DB_TEXT(r->flat),
		DB_TEXT(r->doc_hash), DB_TEXT(r->body), DB_INT(r->categories), DB_INT(r->conditions),
		DB_INT(r->languages), DB_INT(r->flags), DB_TEXT(r->scheds), DB_TEXT(r->terms),
		db_text_or_null(r->postcode), DB_TEXT(r->dupe_key), db_text_or_null(r->duplicate_of),
		opt_int(r->assured_at), DB_INT(r->last_modified), DB_INT(r->updated_at)), NULL);

	return e ? e : list_upsert(db, r);
}

enum err dir_db_places(struct db *db, const char *service_id, const struct oruk_place *p,
		char *const *sal_docs, size_t n, size_t *which)
{
	enum err e;

	for (size_t i = 0; i < n; i++) {
		struct db_res *r;

		if ((e = db_query(db, &q_sal_owner, DB_ARGS(DB_TEXT(p[i].sal_id)), &r)) != ERR_OK)
			return e;
		if ((e = db_next(r)) == ERR_OK && db_row(r) && strcmp(db_text(r, 0), service_id) != 0)
			e = ERR_CONFLICT;
		db_res_free(r);
		if (e) {
			*which = i;
			return e;
		}
	}
	if ((e = db_exec(db, &q_sal_delete, DB_ARGS(DB_TEXT(service_id)), NULL)) != ERR_OK)
		return e;
	for (size_t i = 0; i < n; i++) {
		e = db_exec(db, &q_sal_insert, DB_ARGS(DB_TEXT(p[i].sal_id), DB_TEXT(service_id),
			DB_TEXT(p[i].location_id), DB_TEXT(sal_docs[i]),
			p[i].has_point ? DB_REAL(p[i].lat) : DB_NULL,
			p[i].has_point ? DB_REAL(p[i].lon) : DB_NULL, db_text_or_null(p[i].postcode)), NULL);
		if (e) {
			*which = i;
			return e;
		}
	}
	return ERR_OK;
}

enum err dir_db_change(struct db *db, const char *service_id, int64_t now)
{
	enum err e = db_exec(db, &q_change_lock, DB_NOARGS, NULL);

	return e ? e : db_exec(db, &q_change, DB_ARGS(DB_TEXT(service_id), DB_INT(now)), NULL);
}

enum err dir_db_last_change(struct db *db, int64_t *seq)
{
	return db_query_int(db, &q_last_change, DB_NOARGS, seq);
}

enum err dir_db_duplicates(struct db *db, const char *id, const char *dupe_key,
		const char *postcode, const char *org_id, const char *charity,
		char (*out)[37], size_t max, size_t *n)
{
	struct db_res *r;
	enum err e;

	*n = 0;
	if (!dupe_key || !dupe_key[0])
		return ERR_OK;
	e = db_query(db, &q_dupes, DB_ARGS(DB_TEXT(dupe_key), DB_TEXT(id), DB_TEXT(postcode ? postcode : ""),
		DB_TEXT(org_id), DB_TEXT(charity ? charity : "")), &r);
	if (e)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r))
		if (*n < max)
			str_copy(out[(*n)++], 37, db_text(r, 0));
	db_res_free(r);
	return e;
}

/* ---------------------------------------------------------------- organisations */

enum err dir_db_org_refresh(struct db *db, const char *org_id)
{
	return db_exec(db, &q_list_refresh_org, DB_ARGS(DB_TEXT(org_id)), NULL);
}

/* ---------------------------------------------------------------- taxonomies */

enum err dir_db_taxonomy_put(struct db *db, const char *id, const char *name,
		const char *description, const char *uri, const char *version)
{
	return db_exec(db, &q_taxonomy_put, DB_ARGS(DB_TEXT(id), DB_TEXT(name), DB_TEXT(description),
		db_text_or_null(uri), db_text_or_null(version)), NULL);
}

bool dir_db_taxonomy_exists(struct db *db, const char *id)
{
	int64_t n = 0;

	return db_query_int(db, &q_taxonomy_exists, DB_ARGS(DB_TEXT(id)), &n) == ERR_OK && n > 0;
}

static bool same(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

enum err dir_db_term_put(struct db *db, const char *id, const char *taxonomy_id,
		const char *parent_id, const char *code, const char *name,
		const char *description, const char *term_uri)
{
	struct db_res *r;
	enum err e = db_query(db, &q_term_get, DB_ARGS(DB_TEXT(id)), &r);
	bool found = false, changed = true;

	if (e)
		return e;
	if ((e = db_next(r)) == ERR_OK && db_row(r)) {
		found = true;
		changed = !same(db_text(r, 0), taxonomy_id) || !same(db_text(r, 1), parent_id) ||
			  !same(db_text(r, 2), code) || !same(db_text(r, 3), name) ||
			  !same(db_text(r, 4), description) || !same(db_text(r, 5), term_uri);
	}
	db_res_free(r);
	if (e || !changed)
		return e;
	return db_exec(db, found ? &q_term_update : &q_term_insert, DB_ARGS(DB_TEXT(id),
		db_text_or_null(taxonomy_id), db_text_or_null(parent_id), db_text_or_null(code), DB_TEXT(name),
		DB_TEXT(description), db_text_or_null(term_uri)), NULL);
}

/* ---------------------------------------------------------------- the index */

static void index_row(struct db_res *r, int off, struct arena *a, struct dir_index_row *out)
{
	out->id = db_dup(a, r, off + 0, NULL);
	out->org_id = db_dup(a, r, off + 1, NULL);
	out->name = db_dup(a, r, off + 2, NULL);
	out->body = db_dup(a, r, off + 3, NULL);
	out->scheds = db_dup(a, r, off + 4, NULL);
	out->terms = db_dup(a, r, off + 5, NULL);
	out->categories = (uint64_t)db_int(r, off + 6);
	out->conditions = (uint64_t)db_int(r, off + 7);
	out->languages = (uint32_t)db_int(r, off + 8);
	out->flags = (uint32_t)db_int(r, off + 9);
	out->modified = db_int(r, off + 10);
}

#define INDEX_BATCH 500

enum err dir_db_index_all(struct db *db,
		enum err (*fn)(void *ctx, const struct dir_index_row *r,
			       const struct search_point *pts, size_t npts),
		void *ctx)
{
	char after[64] = "";
	enum err e = ERR_OK;

	for (;;) {
		struct arena a;
		struct dir_index_row *rows;
		struct db_res *r;
		size_t n = 0, k = 0;
		struct search_point (*pts)[SEARCH_MAX_POINTS];
		size_t *npts;

		arena_init(&a);
		rows = arena_calloc(&a, INDEX_BATCH, sizeof(*rows));
		pts = arena_calloc(&a, INDEX_BATCH, sizeof(*pts));
		npts = arena_calloc(&a, INDEX_BATCH, sizeof(*npts));
		if (!rows || !pts || !npts) {
			arena_release(&a);
			return ERR_NOMEM;
		}
		e = db_query(db, &q_index_batch, DB_ARGS(DB_TEXT(after), DB_INT(INDEX_BATCH)), &r);
		if (e) {
			arena_release(&a);
			return e;
		}
		while ((e = db_next(r)) == ERR_OK && db_row(r) && n < INDEX_BATCH) {
			index_row(r, 0, &a, &rows[n]);
			rows[n].visible = true;
			if (!rows[n].id) {
				e = ERR_NOMEM;
				break;
			}
			n++;
		}
		db_res_free(r);
		if (e || n == 0) {
			arena_release(&a);
			return e;
		}
		/* The batch's points, in the same order (service id). */
		e = db_query(db, &q_index_points, DB_ARGS(DB_TEXT(rows[0].id), DB_TEXT(rows[n - 1].id)), &r);
		if (e) {
			arena_release(&a);
			return e;
		}
		while ((e = db_next(r)) == ERR_OK && db_row(r)) {
			const char *sid = db_text(r, 0);

			while (k < n && strcmp(rows[k].id, sid) < 0)
				k++;
			if (k < n && strcmp(rows[k].id, sid) == 0 && npts[k] < SEARCH_MAX_POINTS) {
				pts[k][npts[k]].lat = db_real(r, 1);
				pts[k][npts[k]].lon = db_real(r, 2);
				npts[k]++;
			}
		}
		db_res_free(r);
		for (size_t i = 0; i < n && e == ERR_OK; i++)
			e = fn(ctx, &rows[i], pts[i], npts[i]);
		str_copy(after, sizeof(after), rows[n - 1].id);
		arena_release(&a);
		if (e || n < INDEX_BATCH)
			return e;
	}
}

enum err dir_db_place_names(struct db *db, enum err (*fn)(void *ctx, const struct dir_place_row *r), void *ctx)
{
	struct db_res *r;
	enum err e = db_query(db, &q_places, DB_NOARGS, &r);

	if (e)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		struct dir_place_row p = {
			.city = db_isnull(r, 0) ? NULL : db_text(r, 0),
			.line2 = db_isnull(r, 1) ? NULL : db_text(r, 1),
			.postcode = db_text(r, 2),
			.has_point = !db_isnull(r, 3) && !db_isnull(r, 4),
		};

		if (p.has_point) {
			p.lat = db_real(r, 3);
			p.lon = db_real(r, 4);
		}
		if ((e = fn(ctx, &p)) != ERR_OK)
			break;
	}
	db_res_free(r);
	return e;
}

enum err dir_db_changes(struct db *db, int64_t *cursor, size_t limit,
		enum err (*fn)(void *ctx, const struct dir_index_row *r,
			       const struct search_point *pts, size_t npts),
		void *ctx, size_t *seen)
{
	struct arena a;
	struct dir_index_row *rows;
	struct db_res *r;
	size_t n = 0;
	enum err e;

	*seen = 0;
	arena_init(&a);
	rows = arena_calloc(&a, limit ? limit : 1, sizeof(*rows));
	if (!rows) {
		arena_release(&a);
		return ERR_NOMEM;
	}
	e = db_query(db, &q_changes, DB_ARGS(DB_INT(*cursor), DB_INT((int64_t)limit)), &r);
	if (e) {
		arena_release(&a);
		return e;
	}
	while ((e = db_next(r)) == ERR_OK && db_row(r) && n < limit) {
		struct dir_index_row *x = &rows[n];

		x->seq = db_int(r, 0);
		if (db_isnull(r, 2)) {
			x->id = db_dup(&a, r, 1, NULL);
			x->visible = false;
		} else {
			index_row(r, 2, &a, x);
			x->visible = strcmp(db_text(r, 13), "published") == 0 && db_isnull(r, 14);
		}
		if (!x->id) {
			e = ERR_NOMEM;
			break;
		}
		n++;
	}
	db_res_free(r);
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		struct search_point pts[SEARCH_MAX_POINTS];
		size_t np = 0;

		if (rows[i].visible) {
			if ((e = db_query(db, &q_points_one, DB_ARGS(DB_TEXT(rows[i].id)), &r)) != ERR_OK)
				break;
			while ((e = db_next(r)) == ERR_OK && db_row(r))
				if (np < SEARCH_MAX_POINTS) {
					pts[np].lat = db_real(r, 0);
					pts[np].lon = db_real(r, 1);
					np++;
				}
			db_res_free(r);
			if (e)
				break;
		}
		if ((e = fn(ctx, &rows[i], pts, np)) != ERR_OK)
			break;
		*cursor = rows[i].seq;
		(*seen)++;
	}
	arena_release(&a);
	return e;
}

/* ---------------------------------------------------------------- pages */

#define SVC_COLS "s.id, s.organisation_id, o.name, s.name, s.state, s.flat, s.scheds, " \
	"s.duplicate_of, s.source, s.flags, s.categories, s.conditions, s.languages, " \
	"coalesce(s.assured_at, 0), s.last_modified, s.updated_at, coalesce(s.stale_flagged_at, 0), " \
	"coalesce(s.stale_hidden_at, 0), s.created_at, o.doc, coalesce(s.feed_gone_at, 0)"

static const struct sql q_service = {
	"dir.service",
	"SELECT " SVC_COLS ", s.doc FROM service s JOIN organisation o ON o.id = s.organisation_id "
	"WHERE s.id = $1", NULL };
static const struct sql q_services_ids = {
	"dir.services_ids",
	"SELECT " SVC_COLS ", '' FROM service s JOIN organisation o ON o.id = s.organisation_id "
	"WHERE s.id IN (SELECT value FROM json_each($1))",
	"SELECT " SVC_COLS ", '' FROM service s JOIN organisation o ON o.id = s.organisation_id "
	"WHERE s.id IN (SELECT json_array_elements_text($1::json))" };
static const struct sql q_services_docs = {
	"dir.services_docs",
	"SELECT " SVC_COLS ", s.doc FROM service s JOIN organisation o ON o.id = s.organisation_id "
	"WHERE s.id IN (SELECT value FROM json_each($1))",
	"SELECT " SVC_COLS ", s.doc FROM service s JOIN organisation o ON o.id = s.organisation_id "
	"WHERE s.id IN (SELECT json_array_elements_text($1::json))" };
static const struct sql q_org_services_pub = {
	"dir.org_services_pub",
	"SELECT " SVC_COLS ", '' FROM service s JOIN organisation o ON o.id = s.organisation_id "
	"WHERE s.organisation_id = $1 AND " PUBLISHED " AND s.stale_hidden_at IS NULL "
	"ORDER BY s.name, s.id", NULL };
static const struct sql q_org_services_all = {
	"dir.org_services_all",
	"SELECT " SVC_COLS ", '' FROM service s JOIN organisation o ON o.id = s.organisation_id "
	"WHERE s.organisation_id = $1 ORDER BY s.name, s.id", NULL };

#define REVIEW_WHERE "WHERE s.state = 'draft' OR s.duplicate_of IS NOT NULL " \
	"OR s.stale_flagged_at IS NOT NULL OR s.stale_hidden_at IS NOT NULL " \
	"OR (s.feed_gone_at IS NOT NULL AND s.state <> 'archived') " \
	"OR (s.state = 'published' AND (s.assured_at IS NULL OR s.assured_at < $1))"

static const struct sql q_review = {
	"dir.review",
	"SELECT " SVC_COLS ", '' FROM service s JOIN organisation o ON o.id = s.organisation_id "
	REVIEW_WHERE " ORDER BY s.updated_at DESC, s.id LIMIT $2 OFFSET $3", NULL };
static const struct sql q_review_n = {
	"dir.review_n",
	"SELECT count(*) FROM service s " REVIEW_WHERE, NULL };

static const struct sql q_set_state = {
	"dir.set_state", "UPDATE service SET state = $2, updated_at = $3 WHERE id = $1", NULL };
static const struct sql q_assured = {
	"dir.assured",
	"UPDATE service SET assured_at = $2, updated_at = $2 WHERE id = $1", NULL };

/* What the freshness job asked, flagged or hid, and its links. */
static const struct sql q_stale_marks = { "fresh.marks",
	"SELECT stale_asked_at, stale_flagged_at, stale_hidden_at, feed_gone_at FROM service WHERE id = $1", NULL };
static const struct sql q_stale_clear = { "fresh.clear",
	"UPDATE service SET stale_asked_at = NULL, stale_flagged_at = NULL, stale_hidden_at = NULL, "
	"feed_gone_at = NULL WHERE id = $1", NULL };
static const struct sql q_checks_cancel = { "fresh.check_cancel",
	"UPDATE service_check SET used_at = $2 WHERE service_id = $1 AND used_at IS NULL", NULL };

static void svc_row(struct db_res *r, struct arena *a, struct dir_service *s)
{
	s->id = db_dup(a, r, 0, NULL);
	s->org_id = db_dup(a, r, 1, NULL);
	s->org_name = db_dup(a, r, 2, NULL);
	s->name = db_dup(a, r, 3, NULL);
	s->state = db_dup(a, r, 4, NULL);
	s->flat = db_dup(a, r, 5, NULL);
	s->scheds = db_dup(a, r, 6, NULL);
	s->duplicate_of = db_dup(a, r, 7, NULL);
	s->source = db_dup(a, r, 8, NULL);
	s->flags = db_int(r, 9);
	s->categories = db_int(r, 10);
	s->conditions = db_int(r, 11);
	s->languages = db_int(r, 12);
	s->assured_at = db_int(r, 13);
	s->last_modified = db_int(r, 14);
	s->updated_at = db_int(r, 15);
	s->stale_flagged_at = db_int(r, 16);
	s->stale_hidden_at = db_int(r, 17);
	s->created_at = db_int(r, 18);
	s->org_doc = db_dup(a, r, 19, NULL);
	s->feed_gone_at = db_int(r, 20);
	s->doc = db_len(r, 21) ? db_dup(a, r, 21, NULL) : NULL;
}

static bool svc_ok(const struct dir_service *s)
{
	return s->id && s->org_id && s->name && s->state && s->flat && s->scheds && s->source;
}

/* The service page reads its service twice in one read transaction (its
 * state for the policy, then its view): the second read is a copy of the
 * first, kept by the store until the transaction ends (db_tx_memo), so
 * the page is one round trip on PostgreSQL. */
struct svc_memo {
	struct arena a;
	struct dir_service s;
};

static void svc_memo_free(void *p)
{
	struct svc_memo *m = p;

	arena_release(&m->a);
	free(m);
}

/* *to = *from with every string copied into a; false when out of memory. */
static bool svc_copy(struct arena *a, const struct dir_service *from, struct dir_service *to)
{
	const char *const *src[] = { &from->id, &from->org_id, &from->org_name, &from->org_doc,
		&from->name, &from->state, &from->flat, &from->doc, &from->scheds,
		&from->duplicate_of, &from->source };
	const char **dst[] = { &to->id, &to->org_id, &to->org_name, &to->org_doc,
		&to->name, &to->state, &to->flat, &to->doc, &to->scheds,
		&to->duplicate_of, &to->source };

	*to = *from;
	for (size_t i = 0; i < ARRAY_LEN(src); i++)
		if (*src[i] && !(*dst[i] = arena_strdup(a, *src[i])))
			return false;
	return true;
}

enum err dir_db_service(struct db *db, struct arena *a, const char *id, struct dir_service *out)
{
	struct svc_memo *m = db_tx_memo(db, &q_service);
	struct db_res *r;
	enum err e;

	memset(out, 0, sizeof(*out));
	if (m && strcmp(m->s.id, id) == 0)
		return svc_copy(a, &m->s, out) ? ERR_OK : ERR_NOMEM;
	if ((e = db_query_one(db, &q_service, DB_ARGS(DB_TEXT(id)), &r)) != ERR_OK)
		return e;
	svc_row(r, a, out);
	if (!svc_ok(out) || !out->doc)
		e = ERR_NOMEM;
	db_res_free(r);
	if (e == ERR_OK && db_in_read_tx(db) && (m = malloc(sizeof(*m))) != NULL) {
		arena_init(&m->a);
		if (svc_copy(&m->a, out, &m->s))
			db_tx_memo_put(db, &q_service, m, svc_memo_free);
		else
			svc_memo_free(m);
	}
	return e;
}

enum err dir_db_services(struct db *db, struct arena *a, const char *const *ids, size_t n,
		bool with_doc, struct dir_service *out)
{
	struct buf arr;
	struct db_res *r;
	enum err e;

	memset(out, 0, n * sizeof(*out));
	if (n == 0)
		return ERR_OK;
	buf_init(&arr, (size_t)n * 40 + 16);
	if (!dir_ids_json(ids, n, &arr)) {
		buf_release(&arr);
		return ERR_NOMEM;
	}
	e = db_query(db, with_doc ? &q_services_docs : &q_services_ids, DB_ARGS(DB_TEXTN(arr.p, arr.len)), &r);
	buf_release(&arr);
	if (e)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		const char *id = db_text(r, 0);

		/* Put the row where its id was asked for (a page's order). */
		for (size_t i = 0; i < n; i++)
			if (!out[i].id && ids[i] && strcmp(ids[i], id) == 0) {
				svc_row(r, a, &out[i]);
				if (!svc_ok(&out[i]))
					e = ERR_NOMEM;
				break;
			}
		if (e)
			break;
	}
	db_res_free(r);
	return e;
}

static enum err svc_list(struct db *db, struct arena *a, const struct sql *q,
		const struct db_val *args, size_t nargs, struct dir_service **out, size_t *n)
{
	struct db_res *r;
	size_t cap = 16;
	enum err e;

	*n = 0;
	*out = arena_calloc(a, cap, sizeof(**out));
	if (!*out)
		return ERR_NOMEM;
	if ((e = db_query(db, q, args, nargs, &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		if (*n == cap) {
			struct dir_service *bigger = arena_calloc(a, cap * 2, sizeof(*bigger));

			if (!bigger) {
				e = ERR_NOMEM;
				break;
			}
			memcpy(bigger, *out, cap * sizeof(*bigger));
			*out = bigger;
			cap *= 2;
		}
		svc_row(r, a, &(*out)[*n]);
		if (!svc_ok(&(*out)[*n])) {
			e = ERR_NOMEM;
			break;
		}
		(*n)++;
	}
	db_res_free(r);
	return e;
}

enum err dir_db_org_services(struct db *db, struct arena *a, const char *org_id, bool published_only,
		struct dir_service **out, size_t *n)
{
	return svc_list(db, a, published_only ? &q_org_services_pub : &q_org_services_all,
			DB_ARGS(DB_TEXT(org_id)), out, n);
}

enum err dir_db_review(struct db *db, struct arena *a, int64_t overdue_before, int limit, int offset,
		struct dir_service **out, size_t *n, int64_t *total)
{
	enum err e = db_query_int(db, &q_review_n, DB_ARGS(DB_INT(overdue_before)), total);

	if (e)
		return e;
	return svc_list(db, a, &q_review, DB_ARGS(DB_INT(overdue_before), DB_INT(limit), DB_INT(offset)),
			out, n);
}

enum err dir_db_set_state(struct db *db, const char *id, const char *state, int64_t now)
{
	int64_t changed = 0;
	enum err e = db_exec(db, &q_set_state, DB_ARGS(DB_TEXT(id), DB_TEXT(state), DB_INT(now)), &changed);

	return e ? e : changed ? ERR_OK : ERR_NOT_FOUND;
}

enum err dir_db_assured(struct db *db, const char *id, int64_t now)
{
	int64_t changed = 0;
	enum err e = db_exec(db, &q_assured, DB_ARGS(DB_TEXT(id), DB_INT(now)), &changed);

	return e ? e : changed ? ERR_OK : ERR_NOT_FOUND;
}

enum err dir_db_checks_cancel(struct db *db, const char *id, int64_t now)
{
	return db_exec(db, &q_checks_cancel, DB_ARGS(DB_TEXT(id), DB_INT(now)), NULL);
}

enum err dir_db_stale_clear(struct db *db, const char *id, int64_t now, bool *was_hidden)
{
	struct db_res *r;
	bool marked = false, hidden = false;
	enum err e;

	if (was_hidden)
		*was_hidden = false;
	if ((e = db_query(db, &q_stale_marks, DB_ARGS(DB_TEXT(id)), &r)) != ERR_OK)
		return e;
	if ((e = db_next(r)) == ERR_OK && db_row(r)) {
		/* A person's confirmation also answers "gone from its feed?". */
		marked = !db_isnull(r, 0) || !db_isnull(r, 1) || !db_isnull(r, 2) || !db_isnull(r, 3);
		hidden = !db_isnull(r, 2);
	}
	db_res_free(r);
	if (e)
		return e;
	if ((e = dir_db_checks_cancel(db, id, now)) != ERR_OK)
		return e;
	if (!marked)
		return ERR_OK;
	if ((e = db_exec(db, &q_stale_clear, DB_ARGS(DB_TEXT(id)), NULL)) != ERR_OK)
		return e;
	if (hidden && (e = dir_db_change(db, id, now)) != ERR_OK)
		return e;
	if (was_hidden)
		*was_hidden = hidden;
	return ERR_OK;
}

/* ---------------------------------------------------------------- the ORUK API and export */

enum err dir_db_rows(struct db *db, struct arena *a, const struct sql *q, const struct db_val *args,
		size_t nargs, struct dir_rows *out)
{
	struct db_res *r;
	size_t cap = 0;
	enum err e;

	memset(out, 0, sizeof(*out));
	if ((e = db_query(db, q, args, nargs, &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		int nc = db_ncols(r);

		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			const char **v = arena_calloc(a, ncap * (size_t)nc, sizeof(*v));

			if (!v) {
				e = ERR_NOMEM;
				break;
			}
			if (out->v)
				memcpy(v, out->v, out->n * (size_t)nc * sizeof(*v));
			out->v = v;
			cap = ncap;
		}
		out->ncols = nc;
		for (int c = 0; c < nc; c++) {
			const char *s = db_dup(a, r, c, NULL);

			if (!s && !db_isnull(r, c)) {
				e = ERR_NOMEM;
				break;
			}
			out->v[out->n * (size_t)nc + (size_t)c] = s;
		}
		if (e)
			break;
		out->n++;
	}
	db_res_free(r);
	return e;
}

#define VISIBLE PUBLISHED " AND s.stale_hidden_at IS NULL"

/* The plan test reads how the list item is found. */
#define SQL_API_FLATS "SELECT item FROM service_list WHERE id = $1"
static const struct sql q_api_docs = {
	"dir.api_docs",
	"SELECT s.id, s.doc, o.doc FROM service s "
	"JOIN organisation o ON o.id = s.organisation_id "
	"WHERE s.id IN (SELECT value FROM json_each($1)) AND " VISIBLE,
	"SELECT s.id, s.doc, o.doc FROM service s "
	"JOIN organisation o ON o.id = s.organisation_id "
	"WHERE s.id IN (SELECT json_array_elements_text($1::json)) AND " VISIBLE };
static const struct sql q_api_minimal = {
	"dir.api_minimal",
	"SELECT s.id, s.name, s.status, s.last_modified FROM service s "
	"WHERE s.id IN (SELECT value FROM json_each($1)) AND " VISIBLE,
	"SELECT s.id, s.name, s.status, s.last_modified FROM service s "
	"WHERE s.id IN (SELECT json_array_elements_text($1::json)) AND " VISIBLE };

static enum err api_list_items(struct db *db, struct arena *a, const char *const *ids, size_t n,
		struct dir_api_service *out)
{
	struct buf arr;
	struct db_res *r;
	enum err e;

	buf_init(&arr, (size_t)n * 40 + 16);
	if (!dir_ids_json(ids, n, &arr)) {
		buf_release(&arr);
		return ERR_NOMEM;
	}
	e = db_query(db, &q_list_items, DB_ARGS(DB_TEXTN(arr.p, arr.len)), &r);
	buf_release(&arr);
	if (e)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		const char *id = db_text(r, 0);

		/* Put the row where its id was asked for (the page's order). */
		for (size_t i = 0; i < n; i++)
			if (!out[i].found && strcmp(ids[i], id) == 0) {
				out[i].found = true;
				out[i].json = db_dup(a, r, 1, NULL);
				out[i].json_len = db_len(r, 1);
				if (!out[i].json)
					e = ERR_NOMEM;
				break;
			}
		if (e)
			break;
	}
	db_res_free(r);
	return e;
}

enum err dir_db_api_services(struct db *db, struct arena *a, const char *const *ids, size_t n,
		enum dir_api_form form, struct dir_api_service *out)
{
	struct buf arr;
	struct db_res *r;
	enum err e;

	memset(out, 0, n * sizeof(*out));
	if (!n)
		return ERR_OK;
	if (form == DIR_API_FLAT)
		return api_list_items(db, a, ids, n, out);
	buf_init(&arr, (size_t)n * 40 + 16);
	if (!dir_ids_json(ids, n, &arr)) {
		buf_release(&arr);
		return ERR_NOMEM;
	}
	e = db_query(db, form == DIR_API_FULL ? &q_api_docs : &q_api_minimal,
		     DB_ARGS(DB_TEXTN(arr.p, arr.len)), &r);
	buf_release(&arr);
	if (e)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		const char *id = db_text(r, 0);

		for (size_t i = 0; i < n; i++)
			if (!out[i].found && strcmp(ids[i], id) == 0) {
				struct dir_api_service *o = &out[i];

				o->found = true;
				if (form == DIR_API_MINIMAL) {
					o->name = db_dup(a, r, 1, NULL);
					o->status = db_dup(a, r, 2, NULL);
					o->modified = db_int(r, 3);
					if (!o->name || !o->status)
						e = ERR_NOMEM;
				} else {
					o->json = db_dup(a, r, 1, NULL);
					o->json_len = db_len(r, 1);
					o->org = db_dup(a, r, 2, NULL);
					o->org_len = o->org ? db_len(r, 2) : 0;
					if (!o->json)
						e = ERR_NOMEM;
				}
				break;
			}
		if (e)
			break;
	}
	db_res_free(r);
	return e;
}

static const struct sql q_api_service = {
	"dir.api_service",
	"SELECT s.doc, o.doc FROM service s JOIN organisation o ON o.id = s.organisation_id "
	"WHERE s.id = $1 AND " VISIBLE, NULL };

enum err dir_db_api_service(struct db *db, struct arena *a, const char *id, struct dir_rows *out)
{
	return dir_db_rows(db, a, &q_api_service, DB_ARGS(DB_TEXT(id)), out);
}

static const struct sql q_sal_count = {
	"dir.sal_count",
	"SELECT count(*) FROM service_at_location a JOIN service s ON s.id = a.service_id WHERE " VISIBLE,
	NULL };
static const struct sql q_sal_page = {
	"dir.sal_page",
	"SELECT a.id, a.service_id, a.location_id FROM service_at_location a "
	"JOIN service s ON s.id = a.service_id WHERE " VISIBLE " ORDER BY a.id LIMIT $1 OFFSET $2", NULL };
static const struct sql q_sal_of = {
	"dir.sal_of",
	"SELECT a.id, a.service_id, a.location_id, a.latitude, a.longitude FROM service_at_location a "
	"JOIN service s ON s.id = a.service_id WHERE a.service_id IN (SELECT value FROM json_each($1)) "
	"AND " VISIBLE " ORDER BY a.service_id, a.id",
	"SELECT a.id, a.service_id, a.location_id, a.latitude, a.longitude FROM service_at_location a "
	"JOIN service s ON s.id = a.service_id WHERE a.service_id IN "
	"(SELECT json_array_elements_text($1::json)) AND " VISIBLE " ORDER BY a.service_id, a.id" };
static const struct sql q_sal_docs = {
	"dir.sal_docs",
	"SELECT a.id, a.doc, s.flat, o.doc FROM service_at_location a JOIN service s ON s.id = a.service_id "
	"JOIN organisation o ON o.id = s.organisation_id WHERE a.id IN (SELECT value FROM json_each($1)) "
	"AND " VISIBLE,
	"SELECT a.id, a.doc, s.flat, o.doc FROM service_at_location a JOIN service s ON s.id = a.service_id "
	"JOIN organisation o ON o.id = s.organisation_id WHERE a.id IN "
	"(SELECT json_array_elements_text($1::json)) AND " VISIBLE };

enum err dir_db_sal_count(struct db *db, int64_t *n)
{
	return db_query_int(db, &q_sal_count, DB_NOARGS, n);
}

enum err dir_db_sal_page(struct db *db, struct arena *a, int64_t limit, int64_t offset, struct dir_rows *out)
{
	return dir_db_rows(db, a, &q_sal_page, DB_ARGS(DB_INT(limit), DB_INT(offset)), out);
}

static enum err rows_by_ids(struct db *db, struct arena *a, const struct sql *q, const char *const *ids,
		size_t n, struct dir_rows *out)
{
	struct buf arr;
	enum err e;

	memset(out, 0, sizeof(*out));
	if (!n)
		return ERR_OK;
	buf_init(&arr, (size_t)n * 40 + 16);
	if (!dir_ids_json(ids, n, &arr)) {
		buf_release(&arr);
		return ERR_NOMEM;
	}
	e = dir_db_rows(db, a, q, DB_ARGS(DB_TEXTN(arr.p, arr.len)), out);
	buf_release(&arr);
	return e;
}

enum err dir_db_sal_of(struct db *db, struct arena *a, const char *const *service_ids, size_t n,
		struct dir_rows *out)
{
	return rows_by_ids(db, a, &q_sal_of, service_ids, n, out);
}

enum err dir_db_sal_docs(struct db *db, struct arena *a, const char *const *ids, size_t n,
		struct dir_rows *out)
{
	return rows_by_ids(db, a, &q_sal_docs, ids, n, out);
}

#define PUBLIC_ORG "EXISTS (SELECT 1 FROM service s WHERE s.organisation_id = o.id AND " VISIBLE ")"

static const struct sql q_orgs = {
	"dir.orgs",
	"SELECT o.id, o.name, o.doc FROM organisation o WHERE " PUBLIC_ORG
	" AND ($1 = '' OR lower(o.name) LIKE $1 ESCAPE '\\') ORDER BY o.name, o.id LIMIT $2 OFFSET $3", NULL };
static const struct sql q_orgs_n = {
	"dir.orgs_n",
	"SELECT count(*) FROM organisation o WHERE " PUBLIC_ORG
	" AND ($1 = '' OR lower(o.name) LIKE $1 ESCAPE '\\')", NULL };
static const struct sql q_org_public = {
	"dir.org_public",
	"SELECT o.id, o.name, o.doc FROM organisation o WHERE o.id = $1 AND " PUBLIC_ORG, NULL };
static const struct sql q_org_flats = {
	"dir.org_flats",
	"SELECT s.id, s.flat FROM service s WHERE s.organisation_id = $1 AND " VISIBLE
	" ORDER BY s.name, s.id", NULL };
static const struct sql q_org_docs = {
	"dir.org_docs",
	"SELECT s.id, s.doc FROM service s WHERE s.organisation_id = $1 AND " VISIBLE
	" ORDER BY s.name, s.id", NULL };

/* "%words%" for LIKE, lowercased, with %, _ and \ escaped; "" for none. */
static const char *like_of(struct arena *a, const char *search)
{
	struct buf b;
	const char *out;

	if (!search || !search[0])
		return "";
	buf_init(&b, 1024);
	buf_addc(&b, '%');
	for (const char *p = search; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			buf_addc(&b, '\\');
		buf_addc(&b, (*p >= 'A' && *p <= 'Z') ? (char)(*p + 32) : *p);
	}
	buf_addc(&b, '%');
	out = buf_ok(&b) ? arena_strdup(a, b.p) : NULL;
	buf_release(&b);
	return out ? out : "";
}

enum err dir_db_orgs(struct db *db, struct arena *a, const char *search, int64_t limit, int64_t offset,
		struct dir_rows *out, int64_t *total)
{
	const char *like = like_of(a, search);
	enum err e = db_query_int(db, &q_orgs_n, DB_ARGS(DB_TEXT(like)), total);

	return e ? e : dir_db_rows(db, a, &q_orgs, DB_ARGS(DB_TEXT(like), DB_INT(limit), DB_INT(offset)), out);
}

enum err dir_db_org_public(struct db *db, struct arena *a, const char *id, struct dir_rows *out)
{
	return dir_db_rows(db, a, &q_org_public, DB_ARGS(DB_TEXT(id)), out);
}

enum err dir_db_org_service_texts(struct db *db, struct arena *a, const char *org_id, bool full,
		struct dir_rows *out)
{
	return dir_db_rows(db, a, full ? &q_org_docs : &q_org_flats, DB_ARGS(DB_TEXT(org_id)), out);
}

#define TAX_WHERE "WHERE ($1 = '' OR lower(name) LIKE $1 ESCAPE '\\')"

static const struct sql q_taxonomies = {
	"dir.taxonomies",
	"SELECT id, name, description, uri, version FROM taxonomy " TAX_WHERE
	" ORDER BY name, id LIMIT $2 OFFSET $3", NULL };
static const struct sql q_taxonomies_n = {
	"dir.taxonomies_n", "SELECT count(*) FROM taxonomy " TAX_WHERE, NULL };
static const struct sql q_taxonomy = {
	"dir.taxonomy", "SELECT id, name, description, uri, version FROM taxonomy WHERE id = $1", NULL };

#define TERM_COLS "t.id, t.name, t.description, t.parent_id, t.taxonomy_id, x.name, t.term_uri, t.code"
#define TERM_WHERE "WHERE ($1 = '' OR t.taxonomy_id = $1) AND ($2 = '' OR t.parent_id = $2) " \
	"AND ($3 = 0 OR t.parent_id IS NULL) AND ($4 = '' OR lower(t.name) LIKE $4 ESCAPE '\\')"

static const struct sql q_terms = {
	"dir.terms",
	"SELECT " TERM_COLS " FROM taxonomy_term t LEFT JOIN taxonomy x ON x.id = t.taxonomy_id "
	TERM_WHERE " ORDER BY x.name, t.name, t.id LIMIT $5 OFFSET $6", NULL };
static const struct sql q_terms_n = {
	"dir.terms_n", "SELECT count(*) FROM taxonomy_term t " TERM_WHERE, NULL };
static const struct sql q_term = {
	"dir.term",
	"SELECT " TERM_COLS " FROM taxonomy_term t LEFT JOIN taxonomy x ON x.id = t.taxonomy_id "
	"WHERE t.id = $1", NULL };
static const struct sql q_terms_of = {
	"dir.terms_of",
	"SELECT " TERM_COLS " FROM taxonomy_term t LEFT JOIN taxonomy x ON x.id = t.taxonomy_id "
	"WHERE t.taxonomy_id = $1 ORDER BY t.name, t.id", NULL };

enum err dir_db_taxonomies(struct db *db, struct arena *a, const char *search, int64_t limit,
		int64_t offset, struct dir_rows *out, int64_t *total)
{
	const char *like = like_of(a, search);
	enum err e = db_query_int(db, &q_taxonomies_n, DB_ARGS(DB_TEXT(like)), total);

	return e ? e : dir_db_rows(db, a, &q_taxonomies, DB_ARGS(DB_TEXT(like), DB_INT(limit), DB_INT(offset)),
				   out);
}

enum err dir_db_taxonomy(struct db *db, struct arena *a, const char *id, struct dir_rows *out)
{
	return dir_db_rows(db, a, &q_taxonomy, DB_ARGS(DB_TEXT(id)), out);
}

enum err dir_db_terms(struct db *db, struct arena *a, const char *taxonomy_id, const char *parent_id,
		bool top_only, const char *search, int64_t limit, int64_t offset, struct dir_rows *out,
		int64_t *total)
{
	const char *like = like_of(a, search);
	enum err e = db_query_int(db, &q_terms_n, DB_ARGS(DB_TEXT(taxonomy_id), DB_TEXT(parent_id),
		DB_INT(top_only), DB_TEXT(like)), total);

	return e ? e : dir_db_rows(db, a, &q_terms, DB_ARGS(DB_TEXT(taxonomy_id), DB_TEXT(parent_id),
		DB_INT(top_only), DB_TEXT(like), DB_INT(limit), DB_INT(offset)), out);
}

enum err dir_db_term(struct db *db, struct arena *a, const char *id, struct dir_rows *out)
{
	return dir_db_rows(db, a, &q_term, DB_ARGS(DB_TEXT(id)), out);
}

enum err dir_db_terms_of(struct db *db, struct arena *a, const char *taxonomy_id, struct dir_rows *out)
{
	return dir_db_rows(db, a, &q_terms_of, DB_ARGS(DB_TEXT(taxonomy_id)), out);
}

#define SQL_EXPORT "SELECT s.id, s.doc, o.doc, o.name FROM service s " \
	"JOIN organisation o ON o.id = s.organisation_id " \
	"WHERE " PUBLISHED " AND s.id > $1 ORDER BY s.id LIMIT $2"
static const struct sql q_export = { "dir.export", SQL_EXPORT, NULL };

enum err dir_db_export_batch(struct db *db, struct arena *a, const char *after, int64_t limit,
		struct dir_rows *out)
{
	return dir_db_rows(db, a, &q_export, DB_ARGS(DB_TEXT(after), DB_INT(limit)), out);
}

/* ---------------------------------------------------------------- plans (tests) */

static const struct sql q_plan_api = { "dir.plan_api", "EXPLAIN QUERY PLAN " SQL_API_FLATS, NULL };
static const struct sql q_plan_index = { "dir.plan_index", "EXPLAIN QUERY PLAN " SQL_INDEX_BATCH, NULL };
static const struct sql q_plan_export = { "dir.plan_export", "EXPLAIN QUERY PLAN " SQL_EXPORT, NULL };

enum err dir_db_plans(struct db *db, json_t *out)
{
	static const struct {
		const char *name;
		const struct sql *q;
		size_t nargs;
	} plans[] = { { "api_flats", &q_plan_api, 1 }, { "index_batch", &q_plan_index, 2 },
		      { "export", &q_plan_export, 2 } };
	const struct db_val args[2] = { DB_TEXT("[]"), DB_INT(10) };

	if (db_backend(db) != DB_SQLITE)
		return ERR_INVALID;
	for (size_t i = 0; i < ARRAY_LEN(plans); i++) {
		struct db_res *r;
		struct buf b;
		enum err e = db_query(db, plans[i].q, args, plans[i].nargs, &r);

		if (e)
			return e;
		buf_init(&b, 4096);
		while ((e = db_next(r)) == ERR_OK && db_row(r)) {
			buf_adds(&b, db_text(r, db_ncols(r) - 1));
			buf_addc(&b, '\n');
		}
		db_res_free(r);
		if (!e)
			json_object_set_new(out, plans[i].name, json_string(b.p));
		buf_release(&b);
		if (e)
			return e;
	}
	return ERR_OK;
}
