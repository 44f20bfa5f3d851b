/*
 * oruk.h - Open Referral UK 3.0 documents: reading feeds, converting the
 * older v1 shape, validating and normalising a full service, the flat
 * (list) form, and the facts kith derives from a service for its pages
 * and search index. The first half is pure (no database, no clock, no
 * I/O), so it is unit-tested and fuzzed on its own (fuzz/fuzz_import.c).
 * The second half declares the directory's storage (directory_db.c) and
 * the ORUK API's query parameters (oruk_web.c), for the directory's own
 * files only: other features use directory.h.
 *
 * What "normalised" means (oruk_normalise):
 *   - Only fields kith knows are kept: ORUK 3.0's, plus the HSDS 3.0 ones
 *     ORUK lacks (eligibility_description, application_process, phones,
 *     language name/code, address_2, ...). Unknown fields are dropped, so
 *     every document is bounded and valid against the ORUK schemas by
 *     construction.
 *   - No field is null, "", [] or {}: a field with no value is removed.
 *   - Long texts (description, eligibility, notes, ...) become plain text:
 *     HTML through text_from_html, then each line cleaned; one-line fields
 *     (names, towns) through text_clean_line. Emails are trimmed and
 *     lowercased; URLs are http(s) only ("www.x.org" gains https://,
 *     anything else is dropped); UK postcodes are normalised ("dn156xx" ->
 *     "DN15 6XX"); dates are YYYY-MM-DD; last_modified is
 *     YYYY-MM-DDTHH:MM:SSZ (UTC); times are HH:MM; ids are lowercase.
 *   - Every nested object has an id. One without an id gets a
 *     deterministic one (oruk_derived_id: SHA-256 of the service id, or
 *     the organisation's, and the object's path), so importing the same
 *     feed twice changes nothing.
 *   - Fields that could carry a person's details are not republished:
 *     assurer_email, contacts' name, title and email, an address's
 *     "attention". A service's own email and phone are kept.
 *   - ORUK-required fields kith can fill without guessing are filled: an
 *     organisation or taxonomy term with no description gets its name, an
 *     address with no state_province its region or town, no country "GB",
 *     no address_type its location's type; a service with no status is
 *     "active". A location with no location_type is "physical".
 *   - A schedule with freq DAILY becomes WEEKLY on every day (ORUK allows
 *     only WEEKLY and MONTHLY).
 * Structural problems are errors, each {field, detail, reason}: field the
 * ORUK path ("service_at_locations[0].location.addresses[0].city"),
 * detail a sentence for people ("The address has no town or city."),
 * reason the words an import report prints after the service ("has no
 * name", "its id is not a UUID").
 */
#ifndef KITH_ORUK_H
#define KITH_ORUK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "app/features.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "directory/vocab.h"
#include "search/search.h"

/* Limits (every input is bounded). */
#define ORUK_FEED_MAX   ((size_t)512 * 1024 * 1024)  /* an import file */
#define ORUK_RECORDS_MAX 1000000                      /* services in one import */
#define ORUK_DOC_MAX    ((size_t)1024 * 1024)        /* one service, serialised */
#define ORUK_ARRAY_MAX  200                           /* items in any one array */
#define ORUK_LINE_MAX   1000                          /* bytes of a one-line field */
#define ORUK_TEXT_MAX   32768                         /* bytes of a long text */
#define ORUK_BODY_MAX   (64 * 1024)                   /* search words of one service */
#define ORUK_PLACES_MAX 64                            /* service_at_locations kept as rows */
#define ORUK_TERMS_MAX  200                           /* taxonomy terms of one service */

/* ---------------------------------------------------------------- feeds */

/* The shapes an import file can have. */
enum oruk_shape {
	ORUK_SHAPE_ARRAY,      /* [service, ...] */
	ORUK_SHAPE_PAGE,       /* {"contents": [service, ...], ...} (a list response) */
	ORUK_SHAPE_ONE,        /* {service} */
	ORUK_SHAPE_NDJSON,     /* one JSON service per line */
};
const char *oruk_shape_name(enum oruk_shape s);      /* "a JSON array", ... */

struct oruk_record {
	json_t *value;         /* the record as found (any JSON value); NULL when the
	                          line could not be read */
	const char *problem;   /* NULL, or why the line could not be read (static) */
	size_t line;           /* ndjson: its line number; else 0 */
};

struct oruk_feed {
	enum oruk_shape shape;
	struct oruk_record *recs;
	size_t n;
};

/* Splits an import file into records. ERR_INVALID with why (a sentence,
 * naming the line) when the file as a whole is not JSON in any of the
 * shapes; ERR_TOO_LARGE past ORUK_FEED_MAX or ORUK_RECORDS_MAX. A bad
 * ndjson line does not fail the file: it becomes a record with problem
 * set. Release with oruk_feed_release (also after a failure). */
enum err oruk_feed_read(const char *data, size_t len, struct oruk_feed *out,
		char *why, size_t whylen);
void oruk_feed_release(struct oruk_feed *f);

/* Is this record in the older ORUK v1 shape (pc_* fields, regular_schedules,
 * physical_addresses, service_taxonomys, ...)? */
bool oruk_is_v1(const json_t *svc);
/* Converts a v1 service to the 3.0 shape (not yet normalised): description
 * HTML is kept for the normaliser; organization url -> website;
 * regular_schedules -> schedules; physical_addresses -> addresses;
 * accessibility_for_disabilities -> accessibility; service_taxonomys ->
 * attributes; eligibilitys and pc_targetAudience -> eligibility_description
 * ("Parents>Grandparents" is "Grandparents"); attending_access and
 * pc_attendingAccess_additionalInfo -> application_process, with "Drop-in"
 * -> kith's "just turn up" and "Self referral" -> "contact them to join";
 * attending_type "Online" or "Phone" -> a virtual location;
 * pc_metadata.date_modified -> last_modified; assured_date or
 * pc_metadata.date_assured -> assured_date. pc_metadata.assured_by (a
 * person's email) is not carried over. New reference, never NULL but on
 * out of memory. */
json_t *oruk_from_v1(const json_t *v1);

/* One record of a feed, ready to save: converted when v1, then
 * normalised. NULL with errors appended when it cannot be used (errors
 * gets {field, detail, reason}; "is not a JSON object" for a non-object).
 * *was_v1 may be NULL. New reference. */
json_t *oruk_import_record(const json_t *rec, json_t *errors, bool *was_v1);

/* ---------------------------------------------------------------- documents */

/* Validates and normalises one ORUK 3.0 full service (borrowed) into a new
 * document, as described at the top. organization, when present, is
 * normalised as an organisation (without services). NULL when errors were
 * appended. */
json_t *oruk_normalise(const json_t *doc, json_t *errors);
/* An organisation on its own (the same rules; no "services"). path is the
 * error-path prefix ("organization"; "" for none). */
json_t *oruk_org_normalise(const json_t *org, const char *path, json_t *errors);

/* Sets (value a new reference) or, with value NULL, removes one member of
 * a normalised service, keeping the members in the normaliser's order
 * (so the document's text, and its hash, do not depend on who set what
 * last). Only fields the normaliser keeps. */
void oruk_service_set(json_t *doc, const char *key, json_t *value);

/* The flat form for lists: the document's members that are neither arrays
 * nor objects (ORUK's "one-to-one fields"), in order. New reference. */
json_t *oruk_flat(const json_t *doc);

/* The canonical text of a document: compact, members in the order the
 * normaliser wrote them, reals with 12 significant digits. malloc'd; NULL
 * on out of memory. */
char *oruk_dump(const json_t *doc, size_t *len);
/* SHA-256 (hex) of the canonical text without last_modified, so saving the
 * same content again is recognised whatever the clock says. */
void oruk_hash(const json_t *doc, char out[65]);

/* The id of a nested object that came without one: a UUID (version 8,
 * RFC 9562) from SHA-256(base ":" path). Lowercase. */
void oruk_derived_id(const char *base, const char *path, char out[37]);

/* The "reason" of an error object, or its detail when it has none. */
const char *oruk_error_reason(const json_t *error);
/* Appends {field, detail, reason} to errors. */
void oruk_error_add(json_t *errors, const char *field, const char *detail, const char *reason);

/* ORUK dates: "YYYY-MM-DD" -> Unix seconds of 00:00 UTC that day, and
 * "YYYY-MM-DD" or an RFC 3339 date-time -> Unix seconds. false when it
 * is not one. */
bool oruk_parse_date(const char *s, int64_t *out);
bool oruk_parse_datetime(const char *s, int64_t *out);
/* Unix seconds -> "YYYY-MM-DDTHH:MM:SSZ" (21 bytes) / "YYYY-MM-DD" (11). */
void oruk_format_datetime(int64_t t, char out[21]);
void oruk_format_date(int64_t t, char out[11]);

/* ---------------------------------------------------------------- derived facts */

struct oruk_place {
	char sal_id[37];
	char location_id[37];
	bool physical;              /* location_type physical (or postal) */
	bool has_point;
	double lat, lon;            /* the location's own, else its postcode's centroid */
	char postcode[9];           /* normalised, "" when none */
};

/* What kith derives from a normalised service (oruk_derive). Flags:
 *   SF_FREE       a cost option with amount 0 and none above 0; or, with no
 *                 amounts given, fees (or fees_description) that begin with
 *                 "free" or say "none", "no charge", "no cost" or "nil".
 *   SF_WHEELCHAIR a physical location's accessibility text mentions
 *                 wheelchair, step-free or level access (not after "no" or
 *                 "not").
 *   SF_ONLINE     a virtual location, or a schedule whose attending_type
 *                 mentions online, phone, telephone, video or virtual.
 *   SF_IN_PERSON  a physical location.
 *   SF_PEER_LED, SF_TURN_UP, SF_SELF_REFER, SF_REFERRAL: kith's attributes.
 * Categories and conditions: kith's attributes, and any attribute whose
 * term name is exactly a category's name or code (an imported feed's own
 * "Dementia support"). Nothing is guessed from free text. */
struct oruk_facts {
	char id[37];
	char org_id[37];            /* "" when the document has none */
	const char *name;           /* borrowed from the document */
	const char *status;         /* borrowed */
	struct buf body;            /* search words besides the name */
	uint64_t categories, conditions;
	uint32_t languages, flags;
	enum join_how join;
	struct buf scheds;          /* sched_encode() of each usable schedule, one per line */
	size_t nscheds;
	struct buf terms;           /* "taxonomy_id term_id" per line (taxonomy_id "-" unknown) */
	size_t nterms;
	char postcode[9];           /* the first place's, "" none */
	struct buf dupe_key;
	struct oruk_place places[ORUK_PLACES_MAX];
	size_t nplaces;
	int64_t last_modified;      /* 0 when the document has none */
	int64_t assured_at;         /* 0 when none */
};

/* Derives the facts of a normalised document. Places are located from
 * their postcode (postcode_init must have run) when they have no
 * latitude and longitude. ERR_NOMEM. Release with oruk_facts_release
 * (also after a failure). */
enum err oruk_derive(const json_t *doc, struct oruk_facts *f);
void oruk_facts_release(struct oruk_facts *f);

/* The charity number in an organisation's organization_identifiers
 * (scheme GB-CHC, GB-SC or GB-NIC, or a type mentioning "charity"), or
 * NULL. Borrowed. */
const char *oruk_org_charity(const json_t *org);

/* Is this attribute one of kith's vocabulary terms? */
bool oruk_is_kith_term(const char *term_id);

/* ---------------------------------------------------------------- storage (directory_db.c) */

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
struct dir_org {
	const char *id, *name, *description, *email, *url, *charity, *doc;
	int64_t last_modified;
};
/* ERR_NOT_FOUND when there is none. Strings copied into a. */
enum err dir_db_org_get(struct db *db, struct arena *a, const char *id, struct dir_org *out);
/* Inserts, or updates when anything differs. */
enum err dir_db_org_upsert(struct db *db, const struct dir_org *o, int64_t now, bool exists);

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
/* Checked now: assured_at set, the freshness flags cleared. */
enum err dir_db_assured(struct db *db, const char *id, int64_t now);


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

/* ---------------------------------------------------------------- commands (import.c) */

/* "kith directory import FILE | export [--out FILE]" (oruk_feature's). */
extern const struct command directory_commands[1];

/* ---------------------------------------------------------------- the API's parameters (oruk_web.c) */

struct kvlist;

/* Which parameters an endpoint takes (others are ignored). */
enum {
	OP_SEARCH = 1u << 0, OP_PAGE = 1u << 1, OP_FORMAT = 1u << 2,
	OP_TAXONOMY_TERM = 1u << 3, OP_TAXONOMY = 1u << 4, OP_ORGANIZATION = 1u << 5,
	OP_MODIFIED_AFTER = 1u << 6, OP_MINIMAL = 1u << 7, OP_FULL = 1u << 8,
	OP_POSTCODE = 1u << 9, OP_TOP_ONLY = 1u << 10, OP_PARENT = 1u << 11,
	OP_FULL_SERVICE = 1u << 12,
};

#define ORUK_PER_PAGE_DEFAULT 50
#define ORUK_PER_PAGE_MAX 100          /* json pages */
#define ORUK_PER_PAGE_MAX_LINES 1000   /* ndjson, and minimal=true */
#define ORUK_PAGE_MAX 1000000
#define ORUK_SEARCH_MAX 200            /* bytes of search words */
#define ORUK_PROXIMITY_MAX 1000000.0   /* metres (1,000 km) */

struct oruk_params {
	const char *search;                /* NULL or the words (trimmed, non-empty) */
	int64_t page, per_page;            /* page >= 1 */
	bool per_page_given;
	bool ndjson, minimal, full, full_service, top_only;
	char taxonomy_term_id[37], taxonomy_id[37], organization_id[37], parent_id[37];  /* "" none */
	int64_t modified_after;            /* with has_modified_after */
	bool has_modified_after;
	bool near;                         /* a postcode was given and located */
	char postcode[9];
	double lat, lon;
	double proximity_m;                /* 0: none */
};

/* Parses an endpoint's query parameters (accept: OP_* bits). Bad values
 * are ERR_BAD_REQUEST with *why a sentence naming the parameter ("per_page
 * must be a whole number from 1 to 100"). postcode is located (postcode.h);
 * one that cannot be is ERR_BAD_REQUEST with postcode_locate's words. */
enum err oruk_params_parse(const struct kvlist *q, unsigned accept, struct oruk_params *out,
		const char **why);

#endif
