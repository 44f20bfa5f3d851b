/*
 * places.h - towns and villages people can type instead of a postcode,
 * learnt from the directory's own addresses.
 *
 * A table is filled with one entry per address (its town as written, and
 * a point: its postcode's centroid), then sealed: entries whose names
 * read the same (places_key: case, accents, punctuation and "St" /
 * "Saint" aside) are one place, shown under its most common spelling and
 * centred on the mean of its distinct postcodes' points (leaving out any
 * more than PLACES_OUTLIER_M from their median, so one mistyped postcode
 * does not move a town). A sealed table is read-only: share it between
 * threads freely; build a new one to change it.
 *
 * A library with no I/O, like the rest of src/search/ (the caller reads
 * the addresses and locates their postcodes).
 */
#ifndef KITH_SEARCH_PLACES_H
#define KITH_SEARCH_PLACES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define PLACE_NAME_MAX     64        /* bytes of a place's name kept */
#define PLACES_ENTRIES_MAX 1000000   /* addresses a table takes; more are ignored */
#define PLACES_OUTLIER_M   30000.0   /* a point further than this from the median is left out */

struct place_name {
	const char *name;                /* "Barton-upon-Humber": the most common spelling */
	double lat, lon;                 /* the centre */
	size_t n;                        /* addresses that name it */
};

struct places;

struct places *places_new(void);
void places_free(struct places *pl);

/* Adds one address: name as written (a town or village; NULL, blank or
 * one without a letter is skipped, ERR_OK), the postcode it was located
 * by ("" when the point is the address's own) and the point. Entries of
 * one place with the same postcode count once in its centre. ERR_INVALID
 * once sealed or for a point that is not a latitude and longitude. */
enum err places_add(struct places *pl, const char *name, const char *postcode, double lat, double lon);

/* Groups the entries into places. ERR_NOMEM leaves the table empty. */
enum err places_seal(struct places *pl);

/* Places in the table (0 until sealed). */
size_t places_count(const struct places *pl);
/* Place i in alphabetical order of their keys; NULL past the end. */
const struct place_name *places_at(const struct places *pl, size_t i);

/* The place text names, or NULL. */
const struct place_name *places_find(const struct places *pl, const char *text);

/* Names to offer when text names no place: those spelt nearly like it
 * first (closest first), then the places most addresses name, in
 * alphabetical order; at most max, each once. Returns how many. */
size_t places_suggest(const struct places *pl, const char *text, const struct place_name **out, size_t max);

/* The form a name is compared in: lowercased and folded, punctuation
 * gone, "St" read as "Saint", each word in its search form (search.h);
 * "" for a name with no word. false when out (cap bytes) was too small. */
bool places_key(const char *text, char *out, size_t cap);

#endif
