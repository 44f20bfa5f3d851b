/*
 * directory_db.h - the directory's storage (directory_db.c): service
 * rows and the facts derived beside them, places, organisations,
 * taxonomies, the change feed the search indexes follow, and the ready
 * JSON the ORUK API splices into its responses. For the directory's own
 * files and the ORUK API (oruk/oruk_web.c, oruk/import.c) only: other
 * features use directory.h.
 */
#ifndef KITH_DIRECTORY_DB_H
#define KITH_DIRECTORY_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "oruk/oruk.h"
#include "search/search.h"

struct db;

/* A service row as directory_save compares and writes it. */
struct dir_row {
	const char *id, *org_id, *name, *status, *state, *source;
	const char *doc, *flat, *doc_hash, *body;
	int64_t categories, conditions, languages, flags;
	const char *scheds, *terms, *postcode, *dupe_key, *duplicate_of;
	int64_t assured_at;           /* 0: NULL */
	int64_t last_modified, created_at, updated_at;
	int64_t created_by;           /* 0: NULL */
};

/* The stored hash and state of a service: ERR_NOT_FOUND when absent.
 * hash and state are copied into the arena. */
enum err dir_db_existing(struct db *db, struct arena *a, const char *id, const char **hash,
		const char **state, const char **org_id);
enum err dir_db_insert(struct db *db, const struct dir_row *r);
enum err dir_db_update(struct db *db, const struct dir_row *r);
/* Replaces the service's service_at_location rows. sal_docs are the
 * rows' documents (one per place, in order). A place id that belongs to
 * another service is ERR_CONFLICT with *which its index. */
enum err dir_db_places(struct db *db, const char *service_id, const struct oruk_place *p,
		char *const *sal_docs, size_t n, size_t *which);
/* Records a change for every process's search index (serialised on
 * PostgreSQL with a transaction-scoped advisory lock, so sequence order
 * is commit order). */
enum err dir_db_change(struct db *db, const char *service_id, int64_t now);
/* Likely duplicates of a service: others (not archived) with the same
 * dupe_key and either the same postcode, or both without one and the same
 * organisation, or an organisation with the same charity number. Up to
 * max ids into out (37 bytes each). */
enum err dir_db_duplicates(struct db *db, const char *id, const char *dupe_key,
		const char *postcode, const char *org_id, const char *charity,
		char (*out)[37], size_t max, size_t *n);

/* Organisations. */
/* The organisation's name is spliced into its services' list items:
 * after it changes (org_put), re-splice them. */
enum err dir_db_org_refresh(struct db *db, const char *org_id);

/* Taxonomies: insert or update by id (kith's at start-up, imported terms
 * on save). taxonomy_id NULL for a term of an unknown taxonomy. */
enum err dir_db_taxonomy_put(struct db *db, const char *id, const char *name,
		const char *description, const char *uri, const char *version);
enum err dir_db_term_put(struct db *db, const char *id, const char *taxonomy_id,
		const char *parent_id, const char *code, const char *name,
		const char *description, const char *term_uri);
/* Is there a taxonomy with this id? */
bool dir_db_taxonomy_exists(struct db *db, const char *id);

/* The facts the index needs, for every published, visible service (by
 * id, in batches) or for those changed after a sequence number. */
struct dir_index_row {
	const char *id, *org_id, *name, *body, *scheds, *terms;
	uint64_t categories, conditions;
	uint32_t languages, flags;
	int64_t modified;
	bool visible;               /* published and not hidden as stale */
	int64_t seq;                /* the change's sequence number (sync) */
};
/* Calls fn for each published, visible service with its points. */
enum err dir_db_index_all(struct db *db,
		enum err (*fn)(void *ctx, const struct dir_index_row *r,
			       const struct search_point *pts, size_t npts),
		void *ctx);
/* Calls fn for each change after *cursor (at most limit), advancing it. A
 * row whose service is gone has visible false and only id set. */
enum err dir_db_changes(struct db *db, int64_t *cursor, size_t limit,
		enum err (*fn)(void *ctx, const struct dir_index_row *r,
			       const struct search_point *pts, size_t npts),
		void *ctx, size_t *seen);
/* Each place of a published, visible service: its first address's town
 * (city) and second line (address_2, often the village or part of town),
 * either NULL when missing, its postcode ("" none) and point (has_point
 * false when none). For the place names people may type instead of a
 * postcode (directory.c). */
struct dir_place_row {
	const char *city, *line2, *postcode;
	double lat, lon;
	bool has_point;
};
enum err dir_db_place_names(struct db *db, enum err (*fn)(void *ctx, const struct dir_place_row *r), void *ctx);
/* The newest change's sequence number (0 for none). */
enum err dir_db_last_change(struct db *db, int64_t *seq);


/* A JSON array of ids, the parameter of the statements that take many. */
bool dir_ids_json(const char *const *ids, size_t n, struct buf *out);

/* One service as the pages need it (strings in the arena). doc is only
 * read by dir_db_service and dir_db_services(with_doc). */
struct dir_service {
	const char *id, *org_id, *org_name, *org_doc, *name, *state, *flat, *doc, *scheds;
	const char *duplicate_of, *source;
	int64_t flags, categories, conditions, languages;
	int64_t assured_at, last_modified, updated_at, stale_flagged_at, stale_hidden_at, created_at;
	int64_t feed_gone_at;          /* missing from the feed it came from since (0: not) */
};
/* Any state; ERR_NOT_FOUND. */
enum err dir_db_service(struct db *db, struct arena *a, const char *id, struct dir_service *out);
/* Many at once (one statement): out[i] for ids[i], its id NULL when there
 * is no such service. */
enum err dir_db_services(struct db *db, struct arena *a, const char *const *ids, size_t n,
		bool with_doc, struct dir_service *out);
/* An organisation's services by name: published and visible, or all. */
enum err dir_db_org_services(struct db *db, struct arena *a, const char *org_id, bool published_only,
		struct dir_service **out, size_t *n);
/* Services needing a coordinator's attention (directory_review_list). */
enum err dir_db_review(struct db *db, struct arena *a, int64_t overdue_before, int limit, int offset,
		struct dir_service **out, size_t *n, int64_t *total);
/* ERR_NOT_FOUND when there is no such service. */
enum err dir_db_set_state(struct db *db, const char *id, const char *state, int64_t now);
/* Checked now: assured_at set (dir_db_stale_clear clears the freshness
 * marks). */
enum err dir_db_assured(struct db *db, const char *id, int64_t now);
/* Uses up the service's outstanding check links (service_check). */
enum err dir_db_checks_cancel(struct db *db, const char *id, int64_t now);
/* What freshness_clear() promises (freshness.h): the links used up, the
 * asked/flagged/hidden marks cleared, and a change recorded when it was
 * hidden. Here, below both the directory's rules and the freshness job,
 * because both clear them. */
enum err dir_db_stale_clear(struct db *db, const char *id, int64_t now, bool *was_hidden);


/* Rows of strings (NULL for SQL NULL), for the API's lists: v[row * ncols
 * + col], in the arena. Each function below says its columns. */
struct dir_rows {
	size_t n;
	int ncols;
	const char **v;
};
#define DIR_ROW(r, i, c) ((r)->v[(size_t)(i) * (size_t)(r)->ncols + (size_t)(c)])
struct sql;
struct db_val;
enum err dir_db_rows(struct db *db, struct arena *a, const struct sql *q, const struct db_val *args,
		size_t nargs, struct dir_rows *out);

/* The stored JSON of published, visible services, for splicing into API
 * responses without parsing: out[i] for ids[i] (found false when it is
 * not there): the flat form (json) and the organisation's document (org),
 * or the whole document and the organisation's, or for minimal lists
 * only name, status and modified. */
enum dir_api_form { DIR_API_FLAT, DIR_API_FULL, DIR_API_MINIMAL };
struct dir_api_service {
	bool found;
	const char *json, *org;
	size_t json_len, org_len;
	const char *name, *status;     /* DIR_API_MINIMAL */
	int64_t modified;
};
enum err dir_db_api_services(struct db *db, struct arena *a, const char *const *ids, size_t n,
		enum dir_api_form form, struct dir_api_service *out);
/* One published, visible service: (doc, org doc); no row when there is none. */
enum err dir_db_api_service(struct db *db, struct arena *a, const char *id, struct dir_rows *out);
/* service_at_locations of published, visible services: count; a page by
 * id (id, service_id, location_id); those of some services (id,
 * service_id, location_id, latitude, longitude); and documents by id (id,
 * doc, service flat, organisation doc). */
enum err dir_db_sal_count(struct db *db, int64_t *n);
enum err dir_db_sal_page(struct db *db, struct arena *a, int64_t limit, int64_t offset, struct dir_rows *out);
enum err dir_db_sal_of(struct db *db, struct arena *a, const char *const *service_ids, size_t n,
		struct dir_rows *out);
enum err dir_db_sal_docs(struct db *db, struct arena *a, const char *const *ids, size_t n,
		struct dir_rows *out);
/* Organisations with at least one published, visible service (id, name,
 * doc), by name; search is a case-insensitive part of the name. */
enum err dir_db_orgs(struct db *db, struct arena *a, const char *search, int64_t limit, int64_t offset,
		struct dir_rows *out, int64_t *total);
enum err dir_db_org_public(struct db *db, struct arena *a, const char *id, struct dir_rows *out);
/* Its published, visible services (id, flat or doc), by name. */
enum err dir_db_org_service_texts(struct db *db, struct arena *a, const char *org_id, bool full,
		struct dir_rows *out);
/* Taxonomies (id, name, description, uri, version) and terms (id, name,
 * description, parent_id, taxonomy_id, taxonomy name, term_uri, code).
 * Filters: "" and false for none. */
enum err dir_db_taxonomies(struct db *db, struct arena *a, const char *search, int64_t limit,
		int64_t offset, struct dir_rows *out, int64_t *total);
enum err dir_db_taxonomy(struct db *db, struct arena *a, const char *id, struct dir_rows *out);
enum err dir_db_terms(struct db *db, struct arena *a, const char *taxonomy_id, const char *parent_id,
		bool top_only, const char *search, int64_t limit, int64_t offset, struct dir_rows *out,
		int64_t *total);
enum err dir_db_term(struct db *db, struct arena *a, const char *id, struct dir_rows *out);
enum err dir_db_terms_of(struct db *db, struct arena *a, const char *taxonomy_id, struct dir_rows *out);
/* Published services after an id (id, doc, org doc, org name), by id. */
enum err dir_db_export_batch(struct db *db, struct arena *a, const char *after, int64_t limit,
		struct dir_rows *out);

/* SQLite's plans for the statements whose plan matters most (the API's
 * page fetch, the index build, export), {name: plan text}, for tests
 * (the plan is the difference between 15 microseconds and 200 ms at
 * 100,000 services). ERR_INVALID on PostgreSQL. */
enum err dir_db_plans(struct db *db, json_t *out);

#endif
