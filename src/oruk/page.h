/*
 * page.h - one page of a live ORUK API's services list, and the URLs
 * `kith directory pull` asks for (pull.c). Pure: no I/O, no clock, no
 * database; unit-tested (tests/unit/test_pull.c) and fuzzed
 * (fuzz/fuzz_oruk_page.c).
 *
 * Two envelopes are read:
 *   ORUK 3.0  {"contents": [...], "total_pages": N, "page_number": N,
 *             "total_items": N, "first_page": b, "last_page": b, "size": N}
 *   ORUK v1   {"content": [...], "totalPages": N, "number": N,
 *             "totalElements": N, "first": b, "last": b, "size": N}
 * and a bare JSON array, taken as the whole list on one page. Whatever
 * else an envelope holds is ignored; what it holds is not trusted: a page
 * that says it is page 7 when page 2 was asked for, or contradicts
 * itself, is refused with a sentence saying so.
 */
#ifndef KITH_ORUK_PAGE_H
#define KITH_ORUK_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"

#define ORUK_PAGE_ITEMS_MAX 10000     /* services on one page */
#define ORUK_URL_MAX 2000             /* bytes of a feed's URL */

enum oruk_api { ORUK_API_ARRAY, ORUK_API_3, ORUK_API_V1 };
const char *oruk_api_name(enum oruk_api a);   /* "ORUK 3.0", "ORUK v1", "a JSON array" */

struct oruk_page {
	enum oruk_api api;
	json_t *items;          /* the services on the page (an array; new reference) */
	int64_t number;         /* the page number it gave, -1 none */
	int64_t total_pages;    /* -1 not given */
	int64_t total_items;    /* -1 not given */
	int last;               /* 1 it says it is the last page, 0 it says not, -1 not given */
};

/* Reads the response to page `asked` (1-based). ERR_INVALID with why (a
 * sentence: "page 2 is not JSON: ...", "page 2 has no \"contents\" list")
 * when it is not a list page in one of the envelopes, or says it is
 * another page; ERR_TOO_LARGE with more than ORUK_PAGE_ITEMS_MAX
 * services. A refused page has no items (and no next page). Release
 * with oruk_page_release (also after a failure). */
enum err oruk_page_read(const char *data, size_t len, int64_t asked, struct oruk_page *out,
		char *why, size_t whylen);
void oruk_page_release(struct oruk_page *p);

/* Is there a page after `asked`, by what page `asked` said? An empty page,
 * "last", or asked >= total_pages ends the list; so does a bare array. */
bool oruk_page_more(const struct oruk_page *p, int64_t asked);

/* Is this list entry only a summary, so the full record should be
 * fetched (/services/{id})? ORUK 3.0's list gives only one-to-one
 * fields; v1 lists often leave out places and times. True when it has
 * none of the nested lists a full service carries (service_at_locations,
 * schedules, locations, contacts, phones, cost_options, and v1's
 * regular_schedules, physical_addresses, service_taxonomys). */
bool oruk_page_is_summary(const json_t *item);

/* An entry's id, lowercased, when it is a UUID (the only ids kith puts in
 * a URL or keeps); false otherwise. */
bool oruk_page_item_id(const json_t *item, char out[37]);

/* SHA-256 (hex) of an entry as given (keys sorted): the same entry on the
 * next pull has the same hash. */
void oruk_page_item_hash(const json_t *item, char out[65]);

/* URLs. base is what the operator gave: an http(s) URL of the API's root
 * ("https://api.example.org/oruk") or of its services list (".../services").
 * oruk_list_url checks it (why: "the feed's URL must start with http://
 * or https://", ...) and writes the list's URL without a query's page
 * parameters; oruk_page_url adds page=N&per_page=M (keeping any query the
 * operator gave, say a taxonomy filter); oruk_record_url is one service's
 * (list path + "/" + id, no query). ERR_INVALID for a bad base. */
enum err oruk_list_url(const char *base, struct buf *out, char *why, size_t whylen);
enum err oruk_page_url(const char *list, int64_t page, int per_page, struct buf *out);
enum err oruk_record_url(const char *list, const char *id, struct buf *out);

#endif
