/*
 * search.h - the directory's search index: free text with stemming and
 * ranking, distance from a point, filters with counts, sorting and pages,
 * kept in memory and in step with the database.
 *
 * Why in memory: a plan over the database (FTS5 MATCH joined to an R*Tree
 * box, ranked by bm25) costs about 1.2 microseconds per matching document,
 * and common words match much of the directory; at 100,000 services that
 * was a 68 ms median. Here a document is a few dozen bytes of facts plus
 * its postings, scoring a posting is a few nanoseconds, and filters are
 * bitmask ANDs, so one query visits every candidate and still finishes in
 * milliseconds at a million services. docs/ARCHITECTURE.md says more.
 *
 * The index holds published services only, as struct search_doc facts
 * derived when a service is saved (directory.c); the documents themselves
 * stay in the database. Readers share the index under a read lock; a
 * change takes the write lock for microseconds.
 *
 * Text: lowercase, split on anything but letters and digits (UTF-8 letters
 * kept as they are), English stopwords dropped, each word stemmed with the
 * Snowball English stemmer (libstemmer), so "walks", "walking" and
 * "walked" meet. A query matches documents that contain every query word
 * (AND); ranking is BM25 (k1 = 1.2, b = 0.75) with words in the name
 * counted three times. Accented Latin letters fold to ASCII ("Café"
 * finds "cafe", "Łódź" finds "lodz"); other scripts are kept as they
 * are; words of one character are dropped and words are cut at 64 bytes.
 * A query of only stopwords counts as no text. A query uses its first 32
 * distinct words.
 *
 * Order: relevance = score, then id; distance = distance (services
 * without a place last), then score, then id; next = next session (none
 * last), then score, then id; name = name with ASCII letters folded, then
 * as bytes, then id. Ids compare as strings, so every sort is total and a
 * page never repeats or skips a service.
 *
 * Until compaction (search_compact) a removed or replaced document still
 * counts in the BM25 statistics (as Lucene's deleted documents do);
 * matches, totals and facets are always exact.
 *
 * src/search/ is a library: this index, text analysis (text.h),
 * postcodes (postcode.h) and schedules (schedule.h). Its files include
 * only core/ and search/ of kith's (and libc, pthreads, libstemmer): no
 * store, HTTP, application or JSON, no I/O, and no clock — the time is
 * always an argument (search_query.now, sched_next's now). The postcode
 * tables are compiled in (core/embedded.h). scripts/check-layers.sh
 * checks the includes.
 */
#ifndef KITH_SEARCH_H
#define KITH_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "search/schedule.h"

/* Facts about a service, as the index needs them. Flags: */
enum {
	SF_FREE       = 1u << 0,   /* no cost */
	SF_WHEELCHAIR = 1u << 1,   /* step-free / wheelchair accessible */
	SF_ONLINE     = 1u << 2,   /* can be attended online or by phone */
	SF_IN_PERSON  = 1u << 3,   /* happens in a place */
	SF_PEER_LED   = 1u << 4,
	SF_TURN_UP    = 1u << 5,   /* join by turning up */
	SF_SELF_REFER = 1u << 6,
	SF_REFERRAL   = 1u << 7,   /* needs a referral */
};

#define SEARCH_MAX_POINTS 8
#define SEARCH_MAX_SCHEDS 8

struct search_point {
	double lat, lon;
};

/* Places are kept as floats (about a metre). Points that are not finite
 * latitudes and longitudes are dropped; more than the maxima are ignored,
 * as are taxonomy terms past 255. */
struct search_doc {
	const char *id;                   /* service UUID (copied; returned as given) */
	const char *org_id;               /* organisation UUID (copied) */
	const char *name;                 /* weighted x3 */
	const char *body;                 /* description, organisation name, category
	                                     and condition words, town: one text */
	uint64_t categories;              /* bit i = vocab_categories[i] */
	uint64_t conditions;              /* bit i = vocab_conditions[i] */
	uint32_t languages;               /* bit i = vocab_languages[i] */
	uint32_t flags;                   /* SF_* */
	const char *const *terms;         /* every taxonomy term id it has (ORUK filter) */
	size_t nterms;
	const char *const *taxonomies;    /* the taxonomy id of each of those terms */
	struct search_point points[SEARCH_MAX_POINTS];   /* its places (none: online only) */
	size_t npoints;
	struct sched scheds[SEARCH_MAX_SCHEDS];
	size_t nscheds;
	int64_t modified;                 /* last_modified, Unix seconds */
};

struct search_index;

struct search_index *search_new(void);
void search_free(struct search_index *ix);
/* Compounds and synonyms (lexicon.h) for the documents put from now on
 * (ownership taken; NULL for none). Set it before the first put: what was
 * indexed before keeps the words it had. */
struct lexicon;
void search_set_lexicon(struct search_index *ix, struct lexicon *lx);
/* Adds or replaces the document with doc->id. ERR_INVALID without an id
 * (or one longer than 255 bytes); ERR_NOMEM leaves the index as it was. */
enum err search_put(struct search_index *ix, const struct search_doc *doc);
/* Removes it (ERR_NOT_FOUND if absent). */
enum err search_remove(struct search_index *ix, const char *id);
size_t search_count(const struct search_index *ix);
/* Changes with every put, remove and compaction, and is set (under the
 * write lock) before a query can see the change: an answer made after
 * reading version v reflects at least the index at v, so keying a cached
 * answer on it makes the answer unreachable once the index changes
 * (0 for NULL). Lock-free. */
uint64_t search_version(const struct search_index *ix);
/* Rebuilds the index without what removed and replaced documents left
 * behind (their postings, and their weight in the BM25 statistics).
 * put and remove do it by themselves when a quarter of the slots are
 * leftovers; the new structure is built while readers go on, then swapped
 * in. For tests and maintenance. ERR_NOMEM leaves the index as it was. */
enum err search_compact(struct search_index *ix);
/* Resident bytes the index holds (for metrics and the benchmark). */
size_t search_bytes(const struct search_index *ix);

enum search_sort { SORT_RELEVANCE, SORT_DISTANCE, SORT_NEXT, SORT_NAME };

struct search_query {
	const char *text;                 /* NULL or "": every document */
	bool near;                        /* lat/lon given */
	double lat, lon;
	double radius_m;                  /* with near: only within this (0: no limit);
	                                     services without a place are then left out */
	uint64_t categories_any;          /* 0: any */
	uint64_t conditions_any;          /* 0: any */
	uint32_t languages_any;           /* 0: any */
	uint32_t flags_all;               /* every SF_ bit set here must be set */
	uint32_t daytime_any;             /* sched_daytime bits; 0: any */
	const char *term_id;              /* has this taxonomy term (ORUK taxonomy_term_id) */
	const char *taxonomy_id;          /* has a term of this taxonomy */
	const char *org_id;               /* of this organisation */
	int64_t modified_after;           /* 0: any */
	enum search_sort sort;            /* distance needs near; relevance needs text
	                                     (else falls back to name) */
	int64_t now;                      /* when it is asked (required: the index reads no clock),
	                                     for SORT_NEXT and next_session */
	size_t offset, limit;             /* the page; limit 1..1000 */
	bool facets;                      /* count matches per filter value */
	bool no_next;                     /* the caller does not read hits' next_session
	                                     (left 0): the ORUK API, which has no such field */
};

struct search_hit {
	const char *id;                   /* valid until search_result_free */
	double score;                     /* BM25, 0 without text */
	double distance_m;                /* to the nearest point; -1 without near or points */
	int64_t next_session;             /* UTC, 0 when none */
};

struct search_facets {
	/* Multi-select counts, so a page can show "Free (12)" and choosing one
	 * value does not zero the others. For categories, conditions and
	 * languages: the matches of the query with that dimension's own
	 * filter replaced by the one value (the other dimensions' filters as
	 * given). For each flag: the matches with that flag also required.
	 * For days and parts: daytime_any is read as the chosen days x the
	 * chosen parts; days[d] counts the matches on day d in the chosen
	 * parts (any part when none is chosen), parts[p] the matches in part p
	 * on the chosen days. Non-facet filters (text, place, organisation,
	 * taxonomy, modified_after) always apply. */
	size_t categories[64], conditions[64], languages[32];
	size_t free, wheelchair, online, in_person, peer_led, turn_up;
	size_t days[7];                   /* runs on that weekday */
	size_t parts[3];                  /* morning, afternoon, evening */
};

struct search_result {
	struct search_hit *hits;          /* in the arena */
	size_t n;                         /* hits on this page */
	size_t total;                     /* every match */
	struct search_facets facets;      /* when asked */
	bool text_matched_nothing;        /* some word is in no document at all: the page
	                                     can say "no results for X" */
};

/* Runs a query under the read lock. Hit ids and the hits array live in a
 * (the request arena), so they stay valid after the lock is released.
 * ERR_INVALID for a query that cannot be run (limit 0 or over 1000,
 * SORT_DISTANCE without near, a point that is not a latitude and
 * longitude, a negative radius). Deep pages cost offset + limit entries of
 * the arena (40 bytes each). */
enum err search_run(struct search_index *ix, const struct search_query *q, struct arena *a,
		struct search_result *out);

/* ---------------------------------------------------------------- sessions
 * What is on near a place in the next days (the events API): each
 * session (occurrence) of the services a query matches, from their
 * schedules. */

#define SEARCH_SESSIONS_DAYS_MAX 62       /* days a window may span */
#define SEARCH_SESSIONS_MAX 10000         /* sessions returned at most */

/* One session of a service: the day it falls on (a uk_days number, see
 * core/uktime.h), its times (minutes after midnight, -1 when not known),
 * which of the service's schedules made it, and the distance from the
 * query's point to the service's nearest place (-1 without near, or for a
 * service without places when there is no radius). */
struct search_session {
	const char *id;                   /* service UUID, in the arena (shared by the
	                                     sessions of one service) */
	int64_t day;
	int opens, closes;
	int sched;                        /* index in the document's scheds */
	double distance_m;
};

/* The sessions on days from..to (inclusive) of the documents q matches:
 * its text, filters, organisation, taxonomy, near and radius apply as in
 * search_run; its sort, offset, limit, facets, now and no_next are not
 * read. A schedule has a session on each day sched_on_day (recur.h)
 * says it does, the days sched_days lists; today (a day number) anchors
 * an interval without a start day, as sched_next's now does. Two
 * schedules of a service that meet on a day make two sessions.
 *
 * Order: day, then opening time (unknown first), then distance (services
 * without a place last), then id (as a string), then schedule index: a
 * total order, so the same query cut at any max gives a prefix of the
 * same list. The first max (1..SEARCH_SESSIONS_MAX) go to *out (an array
 * in a, NULL when none); *n is how many were written and *total how many
 * there are in all (exact: the ones past max cost a comparison each, not
 * memory). a holds under 200 bytes for each session returned, and each
 * service's id once.
 *
 * Runs under the read lock, like search_run, and reads no clock.
 * ERR_INVALID for a window that is empty, longer than
 * SEARCH_SESSIONS_DAYS_MAX days or outside 1..SCHED_DAY_MAX, a today
 * outside that range too, a max of 0 or over SEARCH_SESSIONS_MAX, or a
 * query point or radius search_run would refuse; ERR_NOMEM. On error
 * *out is NULL and *n and *total are 0. */
enum err search_sessions(struct search_index *ix, const struct search_query *q, int64_t from,
		int64_t to, int64_t today, size_t max, struct arena *a, struct search_session **out,
		size_t *n, size_t *total);

/* The stemmed, stopword-free words of text (for tests and for showing
 * which words were searched): appends each to out, space-separated.
 * Thread-safe (one Snowball stemmer per thread). */
void search_words(const char *text, struct buf *out);
/* Each word of text as the index sees it (lowercased, folded, stemmed; a
 * stopword as itself, which the index then drops): fn(ctx, form, raw),
 * raw being the word lowercased and folded before stemming. */
void search_forms(const char *text, size_t n, void (*fn)(void *ctx, const char *form, const char *raw),
		void *ctx);

#endif
