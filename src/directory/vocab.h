/*
 * vocab.h - kith's own controlled vocabularies for the directory: the
 * categories of support, the long-term conditions a service is for, the
 * languages people ask for, and how to join. Each is a const table in
 * vocab.c, and each entry has a fixed bit position (its index), so the
 * search index keeps them as bitmasks and a filter is one AND.
 *
 * In Open Referral UK terms, categories and conditions are two taxonomies
 * of kith's (ids and term ids below are fixed UUIDs, the same in every
 * kith), and a service's categories, conditions, "peer-led" and "how to
 * join" travel in the feed as attributes linking those terms. Imported
 * feeds keep their own taxonomies too; only kith's are filterable by
 * bitmask.
 */
#ifndef KITH_VOCAB_H
#define KITH_VOCAB_H

#include <stddef.h>
#include <stdint.h>

struct vocab_term {
	const char *code;      /* stable short name used in URLs and forms: "walking" */
	const char *name;      /* what people read: "Walking and exercise" */
	const char *id;        /* the ORUK taxonomy_term id (UUID) */
	const char *keywords;  /* extra words that find it: "walk rambling stroll" */
};

#define VOCAB_MAX 64       /* entries per vocabulary: one bit each in a uint64_t */

/* The taxonomies themselves (ORUK taxonomy ids and names). */
extern const char *const vocab_category_taxonomy_id;
extern const char *const vocab_condition_taxonomy_id;
extern const char *const vocab_kith_taxonomy_id;   /* peer-led, how to join */
/* The three, with the names and descriptions the feed and the database
 * give them, in that order (categories, conditions, how it runs). */
struct vocab_taxonomy {
	const char *const *id;
	const char *name, *description;
};
extern const struct vocab_taxonomy vocab_taxonomies[3];

extern const struct vocab_term vocab_categories[];
extern const size_t vocab_categories_n;
extern const struct vocab_term vocab_conditions[];
extern const size_t vocab_conditions_n;
/* Languages: code is ISO 639-1 ("en", "pl", "ur", "bsl" for British Sign
 * Language), id is NULL. */
extern const struct vocab_term vocab_languages[];
extern const size_t vocab_languages_n;

/* How to join. */
enum join_how { JOIN_UNKNOWN, JOIN_TURN_UP, JOIN_SELF_REFER, JOIN_REFERRAL, JOIN__MAX };
extern const struct vocab_term vocab_join[JOIN__MAX];      /* [JOIN_UNKNOWN] has code "" */
/* The "peer-led" term (an attribute under vocab_kith_taxonomy_id). */
extern const struct vocab_term vocab_peer_led;

/* Index of code in table, or -1. */
int vocab_find(const struct vocab_term *table, size_t n, const char *code);
/* Index of the entry whose id is id, or -1. */
int vocab_find_id(const struct vocab_term *table, size_t n, const char *id);

#endif
