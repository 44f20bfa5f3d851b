/*
 * demo_data.h - the demo town's words, read from the CSV files of
 * data/demo/ (compiled into the binary; data/demo/README.md describes
 * each file): the town and its streets, the kinds of support with their
 * names, sentences and organisations, venues, costs, time slots,
 * conditions and languages. For demo.c only.
 *
 * Lists keep the order of their lines (the generator picks by position,
 * so the same files make the same town), and are NULL-terminated. A list
 * a kind does not have (no conditions, no costs) is NULL, not empty.
 */
#ifndef KITH_DEMO_DATA_H
#define KITH_DEMO_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"
#include "directory/vocab.h"

/* Time slots, grouped by the part of the day (slots.csv "part"). */
enum { SL_MORNING = 1, SL_LUNCH = 2, SL_AFTERNOON = 4, SL_EVENING = 8, SL_OFFICE = 16 };

struct slot {
	unsigned group;                /* one SL_* */
	const char *opens, *closes;    /* "09:30" */
};

struct cost {
	double amount;                 /* pounds */
	const char *words;             /* NULL ends a list */
};

struct org_tmpl {
	const char *name;              /* "{place} Health Walks", or fixed; NULL ends a list */
	const char *desc;
};

struct cond_text {
	const char *code, *title, *phrase;   /* "copd", "Lung Health", "COPD or another lung condition" */
};

struct town_sector {
	const char *sector, *local;    /* "DN16 2", "Ashby" */
	int weight;                    /* how many services it gets, relatively */
	bool village;
	const char *const *streets;
};

struct demo_language {
	const char *code, *name;       /* "pl", "Polish" */
	int pct;                       /* how often a service offers it */
};

struct kind {
	const char *code;              /* part of every key: "walk" */
	int town;                      /* services in the demo town */
	int weight;                    /* per 1000 synthetic services */
	const char *const *cats;       /* category codes */
	const char *const *conds;      /* conditions one of which may be named */
	int cond_pct;
	const char *const *names;      /* "{place} Health Walk" */
	const struct org_tmpl *orgs;   /* ended by a NULL name */
	const char *const *open;       /* the first sentence */
	const char *const *detail;     /* what happens */
	const char *const *who;        /* who it is for */
	const char *const *venues;     /* where */
	enum join_how join;            /* the usual way in */
	int join_other_pct;
	enum join_how join_other;
	int peer_pct;
	int paid_pct;
	const struct cost *costs;      /* ended by words == NULL */
	int online_pct;                /* also online or by phone */
	unsigned slots;                /* SL_* */
	int weekly_pct, fortnightly_pct;   /* the rest monthly */
	int min_age;                   /* 0: none */
	bool weekends;                 /* may be on a Saturday or Sunday */
};

struct demo_data {
	struct arena a;                /* everything below lives here */
	/* town.csv */
	const char *town_name, *town_districts, *town_area, *town_county, *town_valley;
	const char *organiser_org_name, *organiser_org_desc;
	const struct town_sector *sectors;     /* town_sectors.csv, streets.csv */
	size_t nsectors;
	/* streets.csv "uk" (most common first), words.csv */
	const char *const *uk_streets, *const *town_heads, *const *town_tails;
	const char *const *local_forms, *const *farms, *const *saints;
	/* sentences.csv */
	const char *const *join_lines[JOIN__MAX];
	const char *how_words[JOIN__MAX];
	const char *const *peer_lines, *const *online_lines, *const *extra_lines;
	const char *const *step_free_lines, *const *steps_lines;
	const struct slot *slots;              /* slots.csv */
	size_t nslots;
	const struct cond_text *conds;         /* conditions.csv */
	size_t nconds;
	const struct demo_language *languages; /* languages.csv */
	size_t nlanguages;
	const struct kind *kinds;              /* kinds.csv, kind_text.csv, kind_orgs.csv, venues.csv, costs.csv */
	size_t nkinds;
};

/* Reads every file. ERR_INTERNAL with why ("data/demo/kinds.csv line 4:
 * join \"maybe\" is not unknown, turn-up, self-refer or referral") when a
 * file is missing or a line cannot be used; ERR_NOMEM. Release with
 * demo_data_release (also after a failure). */
enum err demo_data_load(struct demo_data *d, char *why, size_t whylen);
void demo_data_release(struct demo_data *d);

#endif
