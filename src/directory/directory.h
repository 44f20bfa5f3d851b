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
 * After the caller commits, directory_apply_changes() brings this process's
 * search index (struct directory) up to date; a background job does the same for changes made by
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

#include "auth/policy.h"
#include "core/arena.h"
#include "core/err.h"
#include "directory/vocab.h"
#include "search/places.h"
#include "search/search.h"

struct db;
struct links;

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
	bool assure;                   /* a person checked it: assured_date today, assured_at
	                                  now, freshness marks and check links cleared */
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
 * into a copy, oruk.h says how). The organisation (doc.organization or
 * organization_id) must exist or be in the document (then it is upserted
 * too, written only when its document changed). In the caller's
 * transaction; on an error the caller rolls back. app may be NULL (demo
 * data, commands): saving needs only the database.
 *
 * Unchanged: the SHA-256 of the normalised document without
 * last_modified equals the stored one: SAVE_UNCHANGED and nothing is
 * written (with set_state and another state: only the state, UPDATED).
 * Otherwise last_modified is now for SRC_FORM (and when the document has
 * none), else the feed's own; the derived columns, the places and a
 * directory_change row are written. A new service takes opts->state; an
 * existing one keeps its state unless set_state. assure sets
 * assured_date to today (UK) and assured_at to now, and clears what
 * freshness had asked, flagged or hidden (freshness_clear), even when
 * nothing else changed. Likely duplicates (same text_dupe_key name
 * and postcode; both without a postcode in the same organisation; or an
 * organisation with the same charity number) are reported and the first
 * is stored as duplicate_of; they are never refused.
 *
 * ERR_INVALID with fields = [{field, detail, reason}] (new reference, may
 * be NULL) saying what is wrong, e.g. {"field": "name", "detail": "The
 * service has no name.", "reason": "has no name"}; field names are ORUK
 * paths ("name", "schedules[0].id",
 * "service_at_locations[0].location.addresses[0].postal_code"), and
 * "organization_id" when the organisation is unknown. Afterwards the
 * caller commits and calls directory_apply_changes() so this process's
 * search sees the change at once. */
enum err directory_save(struct db *db, const json_t *doc, const struct save_opts *opts,
		struct save_report *report, json_t **fields);

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
 * f->id names a service; a new one gets a random UUID) and saves it
 * through directory_save (checking the form first: ERR_INVALID with the
 * form's fields). What the form owns and replaces: name, description,
 * eligibility (who_for), application_process (how_to_join), kith's
 * attributes (categories, conditions, peer-led, join; other taxonomies'
 * are kept), kith's languages (others kept), the cost (free: one cost
 * option of 0 and no fees; else fees = cost and no cost options), the
 * first physical place (its name, first address, and its accessibility:
 * the step-free entry and the notes), the virtual place ("Online or by
 * phone") when online, the schedules the form showed (the first three it
 * can show; any others are kept after them; fortnightly ones get a
 * dtstart: the one they had, else the next such day), email, url (https://
 * added to "www.x.org") and the first service phone. Objects the form
 * makes have ids derived from the service id, so saving the same form
 * twice is SAVE_UNCHANGED. */
enum err directory_save_form(struct db *db, const struct svc_form *f,
		const struct save_opts *opts, struct save_report *report, json_t **fields);
/* The form's values for an existing service (for the edit page), as a
 * JSON object keyed like struct svc_form: id, org_id, name, description,
 * who_for, how_to_join, cost, access_notes (every accessibility entry's
 * words but the step-free one's, one per line), place_name, address_1,
 * address_2, town, postcode, email, phone, url (strings, "" when none);
 * join (code, "" unknown); peer_led, free, online, in_person, wheelchair
 * (booleans); categories, conditions, languages (arrays of vocab codes);
 * scheds: always SVC_FORM_SCHEDS objects {kind ("" for an empty row),
 * weekday, nth, monthday, opens, closes, notes}. ERR_NOT_FOUND. */
enum err directory_form_values(struct db *db, const char *id, json_t **out);

/* State changes (coordinators; organisers may publish their own drafts if
 * the policy says so). assure marks it checked today. */
enum err directory_set_state(struct db *db, const char *id, enum svc_state state, int64_t actor,
		int64_t now);
enum err directory_assure(struct db *db, const char *id, int64_t actor, int64_t now);

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
	uint32_t flags;                /* SF_* (search.h): how to join (SF_TURN_UP, ...), cost, places */
};
/* ERR_NOT_FOUND when there is no such service (any state). */
enum err directory_meta(struct db *db, struct arena *a, const char *id, struct svc_meta *out);

/* View models: JSON objects ready for templates and for the pages' JSON
 * form. New references. Links (href) are built from route names through
 * links (the app's; NULL in tests of the rules alone: "/"). Keys are stable; a key marked "?" is absent when
 * there is nothing to show (templates test for it), every other key is
 * always there. Words are plain text (templates escape them).
 *
 *   directory_service_view (any state; ERR_NOT_FOUND when there is none):
 *     id, name, href "/services/<id>", state "draft|published|archived",
 *     status (ORUK: "active", ...),
 *     org {id, name, href "/organisations/<id>"},
 *     description [paragraphs], summary? (its first sentence),
 *     who_for? (eligibility, words), ages? ("Ages 18 and over"), alert?,
 *     categories [{code, name}], conditions [{code, name}],
 *     when ["Every Tuesday, 10:00 to 11:30", ...] (each usable schedule;
 *       a schedule kith cannot read shows its description), when_notes [words],
 *     next_session? {words "Next: Tuesday 24 November, 10:00", short
 *       "Tuesday 24 November, 10:00", iso (UTC), date "Tuesday 24 November
 *       2026", time? "10:00" (absent when the schedule has no time)},
 *     where [{name?, lines ["1 High Street", "Scunthorpe"], town?,
 *       postcode?, accessibility [words], description?}] (physical places),
 *     online, in_person, step_free (booleans, the search flags),
 *     cost {free (bool), words ("Free", the fees, the cost options, or
 *       "Ask the organiser about cost"), known (false for that last one)},
 *     languages [names], join {code ("" unknown, "turn-up", "self-refer",
 *       "referral"), words (vocab_join name), how [paragraphs of the
 *       application process]}, peer_led,
 *     contact {email?, phone?, url?}, has_contact,
 *     service_areas [names],
 *     checked {words "Checked 3 months ago (24 August 2026)" or "Not
 *       checked yet", ago?, date?, iso? "2026-08-24", overdue},
 *     check_overdue (not checked for stale_months),
 *     updated {words "Updated 24 November 2026", iso}.
 *   directory_summaries: for search hits, in the hits' order (a hit whose
 *     service has gone since is left out), one statement for all of them:
 *     [{id, name, href, org_id, org_name, what? (first sentence of the
 *     description, at most 160 bytes, else the first category), cost?
 *     ("Free" or the start of the fees), access ["Step-free", "Online
 *     too" | "Online or by phone", "Peer-led"], categories [names], free,
 *     next? ("Tuesday 24 November, 10:00"), next_iso?, distance? ("0.8
 *     miles", with the hit's distance), distance_m?}]
 *   directory_org_view (ERR_NOT_FOUND when no such organisation): {id,
 *     name, href, description [paragraphs] (empty when it is only the
 *     name), email?, website?, charity_number?, services [summaries as
 *     above, of its published, visible services, by name], count} */
enum err directory_service_view(const struct links *links, struct db *db, const char *id, int64_t now,
		json_t **out);
enum err directory_org_view(const struct links *links, struct db *db, const char *org_id, int64_t now,
		json_t **out);
enum err directory_summaries(const struct links *links, struct db *db, const struct search_hit *hits,
		size_t n, int64_t now, json_t **out);

/* The organisation's services (any state) for its organisers' list page,
 * by name: [{id, name, href, state, assured ("Checked today (24 November
 * 2026)" or "Never checked"), overdue (published and not checked for
 * stale_months), stale (flagged or hidden), hidden, duplicate}]. */
enum err directory_org_services(const struct links *links, struct db *db, const char *org_id, int64_t now,
		json_t **out);

/* Coordinators' review list: services needing attention (drafts, flagged
 * duplicates, overdue checks, hidden as stale), most recently updated
 * first, a page at a time (limit 1..1000, else ERR_INVALID): [{id, name,
 * href, org_id, org_name, reasons ["Draft: waiting to be published", "May
 * be a duplicate of another service", "Hidden from search until someone
 * checks it" | "The organiser has not confirmed it is still running" |
 * "Not checked for over 6 months"], state, assured (words as above),
 * duplicate_of? (id)}]; *total counts them all. */
enum err directory_review_list(const struct links *links, struct db *db, int limit, int offset,
		int64_t now, json_t **out, int64_t *total);

/* This process's directory state (search index, change-feed position).
 * The app holds one (directory_feature.h: started and stopped with it,
 * synced by a job); rules that change what search sees are handed it. */
struct directory;
/* directory_open() loads the postcode tables, writes kith's taxonomies
 * and terms and builds the index from db (NULL: an empty index); stale is
 * the stale_months setting. directory_close() frees it. */
enum err directory_open(struct db *db, int stale, struct directory **out);
void directory_close(struct directory *d);
struct search_index *directory_search_index(struct directory *d);
/* Applies the changes recorded since d last looked to its index (NULL d
 * or db: nothing to do): after committing a save, and from the sync job. */
enum err directory_apply_changes(struct directory *d, struct db *db);
/* Should the sync job look now, every seconds after it last did? */
bool directory_sync_due(struct directory *d, int64_t now, int every);

/* Place names: what a person may type in a postcode box instead of a
 * postcode. The towns (address city) and villages or parts of town
 * (address_2, when it reads like one) of published services' addresses,
 * each centred on its postcodes (search/places.h). Built when d opens
 * and when the index is built again for new search words; after
 * services change (directory_apply_changes), the sync job rebuilds them
 * at most every DIRECTORY_PLACES_EVERY seconds (directory_places_refresh,
 * with the job's now). */
#define DIRECTORY_PLACES_EVERY 60
#define DIRECTORY_PLACES_OFFERED 8     /* names offered when one is not known */
struct dir_place {
	char name[PLACE_NAME_MAX + 1];    /* "DN15 6XX", "Scunthorpe" */
	double lat, lon;
	bool town;                        /* a place name, not a postcode */
};
/* Locates text: a postcode (postcode_locate), else a place name (case,
 * punctuation and "St"/"Saint" aside). ERR_INVALID or ERR_NOT_FOUND with
 * why (whylen bytes) saying what to do: postcode_locate's sentences for
 * what has a digit in it; for a name, "We could not find “Scuntorpe”.
 * Try a postcode, like DN15 6XX, or one of: Scunthorpe, Ashby, Brigg."
 * (the nearest spellings, then the places most services are in,
 * alphabetically; DIRECTORY_PLACES_OFFERED at most). NULL d: postcodes
 * only. Thread-safe. */
enum err directory_locate(struct directory *d, const char *text, struct dir_place *out,
		char *why, size_t whylen);
/* The place named by most services (for a hint): false when none. */
bool directory_place_example(struct directory *d, char *out, size_t cap);
size_t directory_places_count(struct directory *d);
/* Rebuilds the place names if services changed and they were last built
 * DIRECTORY_PLACES_EVERY seconds before now or more (the sync job). */
enum err directory_places_refresh(struct directory *d, struct db *db, int64_t now);

extern const struct feature directory_feature;       /* pages: /find, /services, /organisations */
extern const struct feature directory_manage_feature; /* organiser and coordinator pages */
extern const struct feature oruk_feature;            /* /api/oruk */
extern const struct feature directory_demo_feature;  /* the demo town and synthetic services */
/* The demo town (and opts->services synthetic services), in the caller's
 * transaction (demo.c; directory_demo_feature's demo hook). */
struct demo_opts;
enum err directory_demo(struct db *db, const struct demo_opts *opts);

/* Policy (directory_policy.c). */
extern const struct action act_service_edit;   /* add and edit services: coordinators, admins;
                                                  organisers for their organisation's (res: org id) */
extern const struct action act_search_words;    /* the words search treats as the same */
extern const struct action act_service_review;  /* verify, publish, archive any service; the review list */

/* Every directory action, NULL-terminated, for the directory features' lists. */
extern const struct action *const directory_actions[];

/* The directory's settings (kith.conf keys of the same names). */
struct directory_settings {
	int stale_months;          /* not checked for this long: ask the organiser */
	int stale_flag_days;       /* no answer this many days after asking: flag to coordinators */
	int stale_hide_days;       /* flagged this many days: hide from search */
	int directory_sync;        /* seconds between looks for other processes' changes */
	int search_radius_miles;   /* "near" means within this, unless asked otherwise */
	int page_cache_mb;         /* visitors' finished pages kept (0: off) */
	int page_cache_entries;
	int page_cache_seconds;    /* longest one is reused */
};
struct settings;
extern const struct settings directory_settings;

#endif
