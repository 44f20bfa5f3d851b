/*
 * oruk_web.h - the ORUK API's query parameters (oruk_web.c), for its
 * handlers and their tests and fuzz target (fuzz/fuzz_oruk_params.c).
 */
#ifndef KITH_ORUK_WEB_H
#define KITH_ORUK_WEB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

struct api_query;

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
#define ORUK_SEARCH_MAX 200            /* characters of search words */
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

/* Parses an endpoint's query parameters (accept: OP_* bits; page is 1 to
 * API_PAGE_MAX) from q (web/api.h). A bad value is ERR_BAD_REQUEST with
 * q->bad the parameter and q->detail a sentence naming it ("The per_page
 * parameter must be a whole number from 1 to 100."). postcode is located
 * (postcode.h); one that cannot be is ERR_BAD_REQUEST with
 * postcode_locate's words. Another error is postcode_locate's own. */
enum err oruk_params_parse(struct api_query *q, unsigned accept, struct oruk_params *out);

/* The API's settings (kith.conf keys of the same names): its answer cache. */
struct oruk_settings {
	int oruk_cache_mb;        /* bytes of kept answers, in MiB (0: off) */
	int oruk_cache_entries;   /* most answers kept (0: off) */
	int oruk_cache_seconds;   /* longest one is reused */
};
struct settings;
extern const struct settings oruk_settings;

#endif
