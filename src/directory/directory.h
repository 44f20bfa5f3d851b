/*
 * directory.h - the community directory: organisations, services, their
 * places and times, in the Open Referral UK 3.0 model.
 *
 * The canonical form of a service is its ORUK 3.0 "full service" JSON
 * document (service.json with schedules, service_at_locations → location
 * → address/accessibility, cost_options, contacts/phones, languages,
 * service_areas, funding, attributes). kith's own facts travel inside it
 * as ORUK attributes linking kith's taxonomy terms (vocab.h: categories,
 * conditions, peer-led, how to join); "last checked" is ORUK's
 * assured_date. The database keeps the document as text and, beside it,
 * the facts derived from it that pages, filters and the search index need,
 * so nothing on a hot path parses JSON.
 *
 * Every write, whatever its source (an organiser's form, an import, demo
 * data), goes through directory_save(): validate and normalise (HTML
 * becomes text), derive, flag likely duplicates, upsert, record a change.
 * After the caller commits, directory_sync() brings this process's search
 * index up to date; a background job does the same for changes made by
 * other kith processes sharing the database (every few seconds).
 *
 * Publishing: a service is a draft, published (in search, pages and the
 * feed) or archived. Freshness: a published service not checked
 * (assured) for directory_stale_months is asked about, then flagged to
 * coordinators, then hidden from search until someone confirms it.
 */
#ifndef KITH_DIRECTORY_H
#define KITH_DIRECTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "app/features.h"
#include "core/arena.h"
#include "core/err.h"
#include "directory/search.h"
#include "directory/vocab.h"

struct app;
struct db;

enum svc_state { SVC_DRAFT, SVC_PUBLISHED, SVC_ARCHIVED, SVC__MAX };
const char *svc_state_name(enum svc_state s);          /* "draft", ... */

/* Where a save comes from. */
enum svc_source { SRC_FORM, SRC_IMPORT, SRC_DEMO };

struct save_opts {
	enum svc_source source;
	enum svc_state state;          /* for a new service; an existing one keeps its
	                                  state unless set_state */
	bool set_state;
	int64_t actor;                 /* person id, 0 for kith itself / imports */
	int64_t now;
	bool assure;                   /* set assured_date = today (a person checked it) */
};

enum save_outcome { SAVE_CREATED, SAVE_UPDATED, SAVE_UNCHANGED };

struct save_report {
	enum save_outcome outcome;
	char id[37];
	/* Likely duplicates found (same name and postcode, or same charity
	 * number): up to 4 service ids, flagged for coordinators. */
	char duplicates[4][37];
	size_t nduplicates;
};

/* Saves one ORUK 3.0 full service document (borrowed; it is normalised
 * into a copy). The organisation (doc.organization or organization_id)
 * must exist or be in the document (then it is upserted too). In the
 * caller's transaction. ERR_INVALID with fields = [{field, detail}] (new
 * reference, may be NULL) saying what is wrong, e.g. {"field": "name",
 * "detail": "The service has no name"}; the field names are ORUK paths
 * ("name", "schedules[0].byday", "service_at_locations[0].location.address[0].postal_code"). */
enum err directory_save(struct app *app, struct db *db, const json_t *doc,
		const struct save_opts *opts, struct save_report *report, json_t **fields);

/* What an organiser's form edits. Strings may be NULL or "" (not given).
 * Everything else an existing document holds (more places, other
 * taxonomies, contacts) is kept as it was. */
#define SVC_FORM_SCHEDS 3
struct svc_form_sched {
	/* kind: "" none, "weekly", "fortnightly", "monthly" (nth weekday),
	 * "monthly-date" */
	const char *kind;
	int weekday;                   /* 0 = Monday .. 6 */
	int nth;                       /* monthly: 1..4, -1 last */
	int monthday;                  /* monthly-date: 1..31 */
	const char *opens, *closes;    /* "10:00" */
	const char *notes;
};

struct svc_form {
	const char *id;                /* NULL: a new service (a UUID is made) */
	const char *org_id;
	const char *name;
	const char *description;       /* plain text, paragraphs separated by blank lines */
	const char *who_for;           /* eligibility_description */
	const char *how_to_join;       /* application_process, in words */
	enum join_how join;
	bool peer_led;
	uint64_t categories;           /* vocab bits */
	uint64_t conditions;
	uint32_t languages;
	bool free;
	const char *cost;              /* when not free: "£2 a session, pay on the day" */
	bool online;                   /* also (or only) online or by phone */
	bool in_person;
	bool wheelchair;
	const char *access_notes;      /* accessibility, in words */
	const char *place_name;        /* "St Mary's Church Hall" */
	const char *address_1, *address_2, *town, *postcode;
	const char *email, *phone, *url;
	struct svc_form_sched scheds[SVC_FORM_SCHEDS];
};

/* Per-field checks of a form, before anything is saved: appends
 * {field, detail} objects to errors (field names are the struct's:
 * "name", "postcode", "scheds[1].opens", ...). True when none. */
bool directory_check_form(const struct svc_form *f, json_t *errors);
/* Builds the document from the form (merging into the existing one when
 * f->id names a service) and saves it. */
enum err directory_save_form(struct app *app, struct db *db, const struct svc_form *f,
		const struct save_opts *opts, struct save_report *report, json_t **fields);
/* The form's values for an existing service (for the edit page), as a
 * JSON object keyed like struct svc_form (strings, booleans, arrays of
 * vocab codes for categories/conditions/languages, scheds as objects). */
enum err directory_form_values(struct db *db, const char *id, json_t **out);

/* State changes (coordinators; organisers may publish their own drafts if
 * the policy says so). assure marks it checked today. */
enum err directory_set_state(struct app *app, struct db *db, const char *id,
		enum svc_state state, int64_t actor, int64_t now);
enum err directory_assure(struct app *app, struct db *db, const char *id, int64_t actor, int64_t now);

/* Facts about one service for permission checks and pages. */
struct svc_meta {
	char id[37];
	char org_id[37];
	const char *name;              /* arena */
	const char *org_name;          /* arena */
	enum svc_state state;
	int64_t assured_at;            /* 0 never */
	int64_t last_modified;
	bool stale_flagged, stale_hidden;
	bool duplicate_flagged;
};
/* ERR_NOT_FOUND when there is no such service (any state). */
enum err directory_meta(struct db *db, struct arena *a, const char *id, struct svc_meta *out);

/* View models: JSON objects ready for templates and for the pages' JSON
 * form. New references.
 *   directory_service_view: everything a person needs to go: name, org
 *     {id, name}, description paragraphs, who_for, categories/conditions
 *     (names), when: [words...], next_session (words and ISO), where:
 *     [{name, address lines, postcode, accessibility}], online, cost
 *     (words, free), languages, how to join (words + join code), peer_led,
 *     contact {email, phone, url}, last checked (words, ISO, and whether
 *     it is overdue), state.
 *   directory_summaries: for search hits, in order: [{id, name, org_name,
 *     what (first sentence or category), distance (words, "0.8 miles"),
 *     next (words), cost (words), access (short words: "Step-free",
 *     "Online too"), categories}] */
enum err directory_service_view(struct db *db, const char *id, int64_t now, json_t **out);
enum err directory_org_view(struct db *db, const char *org_id, int64_t now, json_t **out);
enum err directory_summaries(struct db *db, const struct search_hit *hits, size_t n,
		int64_t now, json_t **out);

/* The organisation's services (any state) for its organisers' list page:
 * [{id, name, state, assured (words), stale, duplicate}]. */
enum err directory_org_services(struct db *db, const char *org_id, json_t **out);

/* Coordinators' review list: services needing attention (drafts, flagged
 * duplicates, overdue checks, hidden as stale), newest first, a page at a
 * time: [{id, name, org_name, reasons: [...], state, assured}]. */
enum err directory_review_list(struct db *db, int limit, int offset, json_t **out, int64_t *total);

/* This process's directory state (search index, change-feed position). */
struct directory;
/* Feature hooks: builds the index from the database at start-up. */
enum err directory_init(struct app *app);
void directory_release(struct app *app);
struct search_index *directory_index(struct app *app);
/* Applies changes recorded since the last sync to the index (call after
 * committing a save; the sync job calls it too). */
enum err directory_sync(struct app *app, struct db *db);

/* Import and export (kith directory import FILE / export). */
struct import_report {
	size_t imported, updated, unchanged, rejected;
	json_t *rejections;            /* [{service: id or name or "#N", reason}] */
};
/* Reads ORUK 3.0 (a JSON array of services, a paginated response with
 * "contents", one full service, or ndjson) or the older ORUK v1 shape
 * (services with organization nested and pc_* fields). Each service is
 * saved in its own transaction (one bad record never loses the others);
 * out receives counts and every rejection with its reason. */
enum err directory_import(struct app *app, struct db *db, const char *data, size_t len,
		int64_t now, struct import_report *out);
void import_report_release(struct import_report *r);
/* Writes every published service as ORUK 3.0 full service ndjson, one per
 * line, ordered by id. */
enum err directory_export(struct db *db, FILE *out, size_t *count);

extern const struct feature directory_feature;       /* pages: /find, /services, /organisations */
extern const struct feature directory_manage_feature; /* organiser and coordinator pages */
extern const struct feature oruk_feature;            /* /api/oruk */

#endif
