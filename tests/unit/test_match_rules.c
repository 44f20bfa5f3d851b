/*
 * test_match_rules.c - who may be offered to whom (src/match/rules.c):
 * each hard rule refuses on its own, the tier decides the ways, the costs
 * order pairs as a person would, the reasons say only what is true of
 * both, and "why nobody fits" names the rule that took the last peer away.
 * Then the built problem through the engine: the best pairs come out.
 */
#include "core/common.h"

#include <math.h>
#include <setjmp.h>
#include <cmocka.h>

#include "match/match.h"
#include "match/rules.h"

enum { COPD, ASTHMA, DIABETES };
enum { BREATH, WORK, CARING };
enum { ENGLISH, POLISH, URDU };

static const char *const conditions[] = { "COPD", "asthma", "diabetes" };
static const char *const topics[] = { "breathlessness", "work", "caring" };
static const char *const languages[] = { "English", "Polish", "Urdu" };
static const struct match_names names = { conditions, 3, topics, 3, languages, 3 };

#define B(x) (UINT64_C(1) << (x))
#define ALL_WAYS (MATCH_WAY_BIT(MATCH_PHONE) | MATCH_WAY_BIT(MATCH_VIDEO) | \
		  MATCH_WAY_BIT(MATCH_MESSAGE) | MATCH_WAY_BIT(MATCH_IN_PERSON))

/* The person is in Scunthorpe, the peer in Brigg (about 7 miles);
 * Leeds is about 45 miles away. */
static struct match_ask ask(void)
{
	return (struct match_ask){ .conditions = B(COPD), .topics = B(BREATH), .language = -1,
		.ways = MATCH_WAY_BIT(MATCH_PHONE) | MATCH_WAY_BIT(MATCH_IN_PERSON),
		.slots = MATCH_SLOT(1, 0), .lat = 53.5896, .lon = -0.6544, .max_miles = 10 };
}

static struct match_offer offer(void)
{
	return (struct match_offer){ .conditions = B(COPD), .topics = B(BREATH) | B(WORK),
		.languages = B(ENGLISH), .ways = ALL_WAYS, .tier = MATCH_TIER_DBS,
		.slots = MATCH_SLOT(1, 0) | MATCH_SLOT(3, 2), .lat = 53.5527, .lon = -0.4856,
		.gender = MATCH_GENDER_WOMAN, .room = 2, .available = true };
}

static void each_hard_rule_refuses_on_its_own(void **state)
{
	struct match_ask a = ask();
	struct match_offer o = offer();
	int32_t c;

	UNUSED(state);
	assert_true(match_allowed(&a, &o, &c));
	o.available = false;                           /* paused or not approved */
	assert_false(match_allowed(&a, &o, &c));
	o = offer();
	o.room = 0;                                    /* full */
	assert_false(match_allowed(&a, &o, &c));
	o = offer();
	a.language = POLISH;                           /* asked for Polish */
	assert_false(match_allowed(&a, &o, &c));
	o.languages |= B(POLISH);
	assert_true(match_allowed(&a, &o, &c));
	a = ask();
	o = offer();
	a.wants = MATCH_GENDER_MAN;                    /* would prefer a man */
	assert_false(match_allowed(&a, &o, &c));
	a.wants = MATCH_GENDER_WOMAN;
	assert_true(match_allowed(&a, &o, &c));
	a = ask();
	o.ways = MATCH_WAY_BIT(MATCH_MESSAGE);         /* no way in common */
	assert_false(match_allowed(&a, &o, &c));
}

static void the_tier_decides_the_ways(void **state)
{
	struct match_ask a = ask();
	struct match_offer o = offer();

	UNUSED(state);
	assert_int_equal(match_tier_ways(MATCH_TIER_NONE), 0);
	assert_int_equal(match_tier_ways(MATCH_TIER_IDENTITY), MATCH_WAY_BIT(MATCH_MESSAGE));
	assert_false(match_tier_ways(MATCH_TIER_TRAINED) & MATCH_WAY_BIT(MATCH_IN_PERSON));
	assert_true(match_tier_ways(MATCH_TIER_TRAINED) & MATCH_WAY_BIT(MATCH_PHONE));
	assert_true(match_tier_ways(MATCH_TIER_DBS) & MATCH_WAY_BIT(MATCH_IN_PERSON));
	/* In person only: a trained peer without a DBS check may not. */
	a.ways = MATCH_WAY_BIT(MATCH_IN_PERSON);
	o.tier = MATCH_TIER_TRAINED;
	assert_false(match_allowed(&a, &o, NULL));
	o.tier = MATCH_TIER_DBS;
	assert_true(match_allowed(&a, &o, NULL));
	/* Nobody unchecked is offered at all. */
	a.ways = ALL_WAYS;
	o.tier = MATCH_TIER_NONE;
	assert_false(match_allowed(&a, &o, NULL));
}

static void in_person_needs_both_places_and_the_distance(void **state)
{
	struct match_ask a = ask();
	struct match_offer o = offer();

	UNUSED(state);
	a.ways = MATCH_WAY_BIT(MATCH_IN_PERSON);
	assert_true(match_allowed(&a, &o, NULL));      /* Brigg is 7 miles away */
	a.max_miles = 5;
	assert_false(match_allowed(&a, &o, NULL));
	a.max_miles = 10;
	o.lat = 53.8008, o.lon = -1.5491;              /* Leeds */
	assert_false(match_allowed(&a, &o, NULL));
	o = offer();
	o.lat = NAN;                                   /* the peer's district not known */
	assert_false(match_allowed(&a, &o, NULL));
	/* By phone, distance is no bar. */
	a.ways |= MATCH_WAY_BIT(MATCH_PHONE);
	assert_true(match_allowed(&a, &o, NULL));
}

static void costs_order_pairs_as_a_person_would(void **state)
{
	struct match_ask a = ask();
	struct match_offer best = offer(), other = offer(), far = offer(), busy = offer();
	int32_t cb, co, cf, cbusy;

	UNUSED(state);
	other.conditions = B(DIABETES);                /* nothing in common */
	far.lat = 53.8008, far.lon = -1.5491;          /* Leeds: phone only */
	busy.slots = MATCH_SLOT(5, 2);                 /* Saturday evenings only */
	assert_true(match_allowed(&a, &best, &cb));
	assert_true(match_allowed(&a, &other, &co));
	assert_true(match_allowed(&a, &far, &cf));
	assert_true(match_allowed(&a, &busy, &cbusy));
	assert_true(cb < co);
	assert_true(cb < cbusy);
	assert_true(cb >= 0 && co <= 1000 && cf <= 1000 && cbusy <= 1000);
	/* A shared condition outweighs a free morning. */
	assert_true(cbusy < co);
}

static void reasons_say_only_what_both_share(void **state)
{
	struct match_ask a = ask();
	struct match_offer o = offer();
	char why[256];

	UNUSED(state);
	match_reasons(&a, &o, &names, why, sizeof(why));
	assert_string_equal(why, "both live with COPD; can talk about breathlessness; "
			    "both free on Tuesday mornings; 7 miles apart");
	a.language = POLISH;
	o.languages = B(POLISH);
	o.conditions = B(ASTHMA);
	a.topics = 0;
	o.lat = 53.5900, o.lon = -0.6550;
	match_reasons(&a, &o, &names, why, sizeof(why));
	assert_string_equal(why, "both speak Polish; both free on Tuesday mornings; under a mile apart");
	/* Nothing shared and no places: nothing said. */
	a = ask();
	a.conditions = B(DIABETES), a.topics = 0, a.slots = 0, a.lat = NAN;
	match_reasons(&a, &o, &names, why, sizeof(why));
	assert_string_equal(why, "");
	/* A small buffer is cut, never overrun. */
	a = ask();
	o = offer();
	match_reasons(&a, &o, &names, why, 12);
	assert_int_equal(strlen(why), 11);
}

static void why_nobody_fits_names_the_rule(void **state)
{
	struct match_ask a = ask();
	struct match_offer peers[2] = { offer(), offer() };
	bool ended[2] = { false, false };
	char why[256];

	UNUSED(state);
	match_why_none(&a, peers, 2, NULL, &names, why, sizeof(why));
	assert_string_equal(why, "");                  /* someone fits */
	peers[0].available = peers[1].available = false;
	match_why_none(&a, peers, 2, NULL, &names, why, sizeof(why));
	assert_string_equal(why, "No peer supporter is free to take someone new.");
	peers[0] = offer(), peers[1] = offer();
	a.language = POLISH;
	match_why_none(&a, peers, 2, NULL, &names, why, sizeof(why));
	assert_string_equal(why, "No peer supporter who is free speaks Polish.");
	peers[1].languages |= B(POLISH);
	peers[1].tier = MATCH_TIER_IDENTITY;           /* messages only */
	match_why_none(&a, peers, 2, NULL, &names, why, sizeof(why));
	assert_string_equal(why, "No peer supporter who is free and speaks Polish can meet by phone "
			    "or in person.");
	peers[1].tier = MATCH_TIER_DBS;
	a.ways = MATCH_WAY_BIT(MATCH_IN_PERSON);
	a.max_miles = 3;
	match_why_none(&a, peers, 2, NULL, &names, why, sizeof(why));
	assert_string_equal(why, "No peer supporter who can meet in person is within 3 miles.");
	a.max_miles = 10;
	a.wants = MATCH_GENDER_MAN;
	match_why_none(&a, peers, 2, NULL, &names, why, sizeof(why));
	assert_string_equal(why, "No peer supporter who fits is a man.");
	a.wants = MATCH_GENDER_UNSAID;
	ended[1] = true;
	match_why_none(&a, peers, 2, ended, &names, why, sizeof(why));
	assert_string_equal(why, "The only peer supporters who fit have said no to them, or ended a match with them, before.");
}

/* Three people, two peers with one place each: the built problem through
 * the engine gives the place to whom it fits best, leaves out the pair
 * that ended, and explains the one left over. */
static void built_and_solved(void **state)
{
	struct match_ask asks[3] = { ask(), ask(), ask() };
	struct match_offer offers[2] = { offer(), offer() };
	static const struct match_pair ended[] = { { 1, 0 } };
	struct match_owned b;
	struct match_result r;
	int64_t pair_of[3];

	UNUSED(state);
	offers[0].room = offers[1].room = 1;
	offers[1].conditions = B(ASTHMA);
	asks[1].conditions = B(ASTHMA);                /* fits peer 1 better; ended with peer 0 */
	asks[2].ways = MATCH_WAY_BIT(MATCH_IN_PERSON);
	asks[2].max_miles = 1;                         /* too far from both */
	assert_int_equal(match_build(asks, 3, offers, 2, ended, 1, &b), ERR_OK);
	assert_int_equal(b.prob.start[1] - b.prob.start[0], 2);   /* person 0: both */
	assert_int_equal(b.prob.start[2] - b.prob.start[1], 1);   /* person 1: peer 1 only */
	assert_int_equal(b.prob.start[3] - b.prob.start[2], 0);   /* person 2: nobody */
	assert_int_equal(match_solve(&b.prob, pair_of, &r), ERR_OK);
	assert_int_equal(r.matched, 2);
	assert_int_equal(b.prob.peer[pair_of[0]], 0);
	assert_int_equal(b.prob.peer[pair_of[1]], 1);
	assert_int_equal(pair_of[2], -1);
	match_owned_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_hard_rule_refuses_on_its_own),
		cmocka_unit_test(the_tier_decides_the_ways),
		cmocka_unit_test(in_person_needs_both_places_and_the_distance),
		cmocka_unit_test(costs_order_pairs_as_a_person_would),
		cmocka_unit_test(reasons_say_only_what_both_share),
		cmocka_unit_test(why_nobody_fits_names_the_rule),
		cmocka_unit_test(built_and_solved),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
