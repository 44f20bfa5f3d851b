/*
 * find.h - what a person asked /find for, read from the address bar.
 *
 * /find is a GET form, so a search is a URL people can bookmark, share and
 * reload. find_parse() turns its query parameters into struct find_params
 * (bounded, normalised, every unknown value dropped), find_query() turns
 * that into a struct search_query, and find_href() writes it back as a
 * canonical /find URL for the page's links (pages, sort, "remove this
 * filter"). Pure functions: no I/O, no allocation, no clock; the handler
 * locates the postcode and runs the search. fuzz/fuzz_find_params.c
 * checks that parse(href(parse(x))) == parse(x) for any query string.
 *
 * Parameters (all optional; a repeated single-valued one: the first wins):
 *   q          the search words (FIND_TEXT_MAX bytes, cut at a character)
 *   postcode   a postcode or a town, as typed (FIND_POSTCODE_MAX bytes);
 *              the handler locates it (directory_locate)
 *   category   vocab_categories code, repeatable ("walking")
 *   condition  vocab_conditions code, repeatable
 *   language   vocab_languages code, repeatable
 *   day        mon tue wed thu fri sat sun, repeatable
 *   time       morning afternoon evening, repeatable
 *   free, step_free, peer_led, turn_up    "1" (or "on", "true", "yes")
 *   attend     in-person | online
 *   sort       relevance | distance | next | name
 *   miles      1..FIND_MILES_MAX: how far from the postcode
 *   page       1..FIND_PAGE_MAX
 * Only words, a postcode and vocabulary codes travel in the URL: never a
 * name, an email address or anything else about a person.
 */
#ifndef KITH_FIND_H
#define KITH_FIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/kv.h"
#include "search/search.h"

#define FIND_TEXT_MAX 100        /* bytes of search words kept */
#define FIND_POSTCODE_MAX 64     /* bytes of a postcode or place name kept ("DN15 6XX"
                                    is 8, "Barton-upon-Humber" 18) */
#define FIND_PER_PAGE 20
#define FIND_PAGE_MAX 500        /* 10,000 results is more than anyone reads */
#define FIND_MILES_MAX 100
#define FIND_HREF_MAX 3072       /* longer than any URL find_href writes */

enum find_attend { FIND_ATTEND_ANY, FIND_ATTEND_IN_PERSON, FIND_ATTEND_ONLINE };

enum find_sort {
	FIND_SORT_AUTO,          /* relevance with words, else distance with a
	                            postcode, else name */
	FIND_SORT_RELEVANCE,
	FIND_SORT_DISTANCE,
	FIND_SORT_NEXT,
	FIND_SORT_NAME,
	FIND_SORT__MAX
};

/* Notes for the page about what was not used. */
enum {
	FIND_NOTE_TEXT_CUT = 1u << 0,    /* the words were longer than FIND_TEXT_MAX */
	FIND_NOTE_IGNORED  = 1u << 1,    /* a value was not understood and dropped */
};

#define FIND_PARTS 3                 /* morning, afternoon, evening */

struct find_params {
	char text[FIND_TEXT_MAX + 1];          /* trimmed, spaces collapsed; "" none */
	char postcode[FIND_POSTCODE_MAX + 1];  /* trimmed, spaces collapsed; "" none */
	uint64_t categories;                   /* vocab bits */
	uint64_t conditions;
	uint32_t languages;
	uint8_t days;                          /* bit d: 0 = Monday .. 6 = Sunday */
	uint8_t parts;                         /* bit p: 0 morning, 1 afternoon, 2 evening */
	bool free, step_free, peer_led, turn_up;
	enum find_attend attend;
	enum find_sort sort;
	int miles;                             /* 0: the default radius */
	int page;                              /* 1.. */
	unsigned notes;                        /* FIND_NOTE_* */
};

/* Reads q (the request's query list; borrowed) into out. Never fails:
 * what cannot be used is dropped and noted. */
void find_parse(const struct kvlist *q, struct find_params *out);

/* The resolved sort: AUTO and impossible choices (distance without a
 * place, relevance without words) become what AUTO would choose. */
enum search_sort find_sort_for(const struct find_params *p, bool near);

/* Fills q from p: text (pointing into p), filters, sort, the page
 * (offset/limit) and facets = true. near, lat, lon, radius_m and now are
 * the caller's (radius from find_miles()). */
void find_query(const struct find_params *p, bool near, struct search_query *q);

/* The radius in miles: p->miles, or default_miles when not given. */
int find_miles(const struct find_params *p, int default_miles);

/* Is anything asked for (words, a postcode, a filter)? How many filters
 * (not words, postcode, sort, miles or page) are set? */
bool find_any(const struct find_params *p);
size_t find_nfilters(const struct find_params *p);

/* The canonical URL for p: path (the search page's, from its route) then
 * "?" and the parameters in the order above, each percent-encoded,
 * defaults (page 1, sort auto, default miles) left out. Appends to out;
 * false when out is in error. */
bool find_href(const char *path, const struct find_params *p, struct buf *out);

/* day=weekdays: Monday to Friday (the page's first day choice). */
#define FIND_WEEKDAYS 0x1Fu

/* Codes used in URLs, for the page's filter lists. */
extern const char *const find_day_codes[7];      /* "mon" .. "sun" */
extern const char *const find_day_names[7];      /* "Monday" .. */
extern const char *const find_part_codes[FIND_PARTS];
extern const char *const find_part_names[FIND_PARTS]; /* "Morning (before 12pm)" */
extern const char *const find_sort_codes[FIND_SORT__MAX]; /* [AUTO] "" */

#endif
