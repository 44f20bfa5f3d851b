/*
 * rules.h (src/match/) - who may be offered to whom, at what cost, and why,
 * in words: the other half of the matching engine (match.h), with no I/O.
 *
 * The peer feature fills a struct match_ask for each person waiting and a
 * struct match_offer for each peer supporter who is available, from its
 * tables; this file turns them into the engine's problem:
 *
 *   Hard rules (a pair breaking any is not a candidate):
 *     - the peer is available (approved, not paused, with room);
 *     - a language asked for is one the peer speaks;
 *     - there is a way of meeting both want that the peer's tier allows
 *       (match_tier_ways: in person needs more checks than a phone call);
 *       meeting in person also needs both places known and no further
 *       apart than the person will travel;
 *     - the person's preference (a woman, say) holds;
 *     - they have not ended a match together before.
 *   Cost (lower is better, 0 to about 1,000): no condition in common 300;
 *   each topic the person wants that the peer does not offer 40 (up to
 *   200); no time in common 150 (50 when either has not said); distance
 *   10 a mile when they would meet in person (up to 300), else 1 a mile
 *   (up to 50).
 *   Reasons: "both live with COPD; both free on Tuesday mornings; 2 miles
 *   apart" (match_reasons).
 *   Why nobody fits: the rule that took the last peer away, in words ("no
 *   peer supporter speaks Polish", "no peer supporter who can meet in
 *   person is within 10 miles") (match_why_none).
 */
#ifndef KITH_MATCH_RULES_H
#define KITH_MATCH_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "match/match.h"

/* Ways of meeting, as bits. */
enum match_way { MATCH_PHONE, MATCH_VIDEO, MATCH_MESSAGE, MATCH_IN_PERSON, MATCH_WAY__MAX };
#define MATCH_WAY_BIT(w) (1u << (w))

/* Trust tiers, from the checks a coordinator has recorded: identity
 * (MATCH_TIER_IDENTITY); with two references and training
 * (MATCH_TIER_TRAINED); with a DBS check too (MATCH_TIER_DBS). */
enum match_tier { MATCH_TIER_NONE, MATCH_TIER_IDENTITY, MATCH_TIER_TRAINED, MATCH_TIER_DBS,
		  MATCH_TIER__MAX };
/* The ways a tier may offer: none without identity; messages with it;
 * phone and video once trained; in person with a DBS check too. */
unsigned match_tier_ways(enum match_tier t);

/* Times: 7 days x 3 parts of the day (morning, afternoon, evening), as
 * bits day * 3 + part, Monday first. 0: not said. */
#define MATCH_SLOT(day, part) (UINT32_C(1) << ((day) * 3 + (part)))
#define MATCH_SLOTS_ALL ((UINT32_C(1) << 21) - 1)

enum match_gender { MATCH_GENDER_UNSAID, MATCH_GENDER_WOMAN, MATCH_GENDER_MAN, MATCH_GENDER_OTHER };

/* Conditions and topics are each at most 64 terms of the caller's
 * vocabularies, as bits; languages likewise (bit 0 is not special). */
struct match_ask {
	uint64_t conditions, topics;
	int language;              /* a language bit asked for, or -1 */
	unsigned ways;             /* MATCH_WAY_BITs they would like */
	uint32_t slots;            /* when they are free; 0: not said */
	double lat, lon;           /* their district's centre; NaN: not known */
	int max_miles;             /* how far they would go to meet in person */
	enum match_gender wants;   /* MATCH_GENDER_UNSAID: no preference */
};

struct match_offer {
	uint64_t conditions, topics, languages;
	unsigned ways;             /* what they offer */
	enum match_tier tier;
	uint32_t slots;
	double lat, lon;
	enum match_gender gender;
	uint32_t room;             /* how many more people they can take */
	bool available;            /* approved and not paused */
};

/* A pair that may not be offered again (they ended a match). */
struct match_pair {
	uint32_t person, peer;
};

/* Fills *out (match_owned_release() frees it) with every candidate pair
 * of asks x offers and its cost, the peers' room as capacities and
 * unmatched at MATCH_UNMATCHED_PAGES. ended (sorted by person then peer,
 * nended long) lists pairs never offered again. ERR_NOMEM; ERR_INVALID
 * when the counts are over match.h's limits. */
#define MATCH_UNMATCHED_PAGES 1000000
enum err match_build(const struct match_ask *asks, uint32_t nasks, const struct match_offer *offers,
		uint32_t noffers, const struct match_pair *ended, size_t nended, struct match_owned *out);

/* Whether the pair passes the hard rules, and at what cost. */
bool match_allowed(const struct match_ask *a, const struct match_offer *o, int32_t *cost);

/* Names for the words: conditions[bit] ("COPD"), topics[bit]
 * ("breathlessness"), languages[bit] ("Polish"); any may be NULL or have
 * NULL entries (then left out). */
struct match_names {
	const char *const *conditions;
	size_t nconditions;
	const char *const *topics;
	size_t ntopics;
	const char *const *languages;
	size_t nlanguages;
};

/* Why this pair fits, in words, into out (n bytes, always terminated):
 * "both live with COPD; both free on Tuesday mornings; 2 miles apart".
 * Only what is true of both; "" when nothing is (a fit by the rules
 * alone). */
void match_reasons(const struct match_ask *a, const struct match_offer *o, const struct match_names *names,
		char *out, size_t n);

/* Why no peer fits this person, in words, into out: the first rule, in
 * the order above, after which no peer is left ("No peer supporter is
 * free to take someone new.", "No peer supporter who is free speaks
 * Polish.", "No peer supporter who can meet in person is within 10
 * miles.", ...). ended_with (noffers flags, may be NULL) marks the peers
 * this person has ended a match with. "" when some peer does fit. */
void match_why_none(const struct match_ask *a, const struct match_offer *offers, uint32_t noffers,
		const bool *ended_with, const struct match_names *names, char *out, size_t n);

#endif
