/*
 * oruk.h - Open Referral UK 3.0 documents: reading feeds, converting the
 * older v1 shape, validating and normalising a full service, the flat
 * (list) form, and the facts kith derives from a service for its pages
 * and search index. It is pure (no database, no clock, no I/O), so it
 * is unit-tested and fuzzed on its own (fuzz/fuzz_import.c).
 *
 * src/oruk/ is the ORUK layer: this model (oruk.c, sched_oruk.c), import
 * and export (import.h), the command (oruk_feature.c) and the API
 * (oruk_web.c). The model includes only core/, search/ and
 * directory/vocab.h (kith's taxonomy, which a document's attributes
 * link to) besides jansson; import and export add the directory and the
 * store; only oruk_feature.c and oruk_web.c know about app/ and http/.
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

#endif
