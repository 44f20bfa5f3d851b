/*
 * test_places.c - towns and villages from addresses (search/places.h):
 * names compared without case, punctuation or "St"/"Saint"; one place per
 * name under its usual spelling, centred on its distinct postcodes near
 * their median; names to suggest for one that is not known.
 */
#include "core/common.h"

#include <math.h>
#include <setjmp.h>
#include <cmocka.h>

#include "search/places.h"
#include "search/postcode.h"

/* The key of s, in one of a few buffers (two keys compare in one call). */
static const char *key(const char *s)
{
	static char out[4][128];
	static int k;
	char *o = out[k++ % 4];

	assert_true(places_key(s, o, 128));
	return o;
}

static void keys_ignore_case_punctuation_and_saint(void **state)
{
	UNUSED(state);
	assert_string_equal(key("Scunthorpe"), key("SCUNTHORPE"));
	assert_string_equal(key("Scunthorpe"), key("  scunthorpe. "));
	assert_string_equal(key("Barton-upon-Humber"), key("barton upon humber"));
	assert_string_equal(key("St Ives"), key("Saint Ives"));
	assert_string_equal(key("St. Ives"), key("saint ives"));
	assert_string_equal(key("St Mary's"), key("St Marys"));
	assert_string_equal(key("St Mary’s"), key("Saint Marys"));
	assert_string_equal(key("Bishop's Stortford"), key("Bishops Stortford"));
	assert_string_equal(key("Ynys Môn"), key("ynys mon"));
	assert_string_not_equal(key("Brigg"), key("Scunthorpe"));
	/* "St" only as a word of its own: Stow is not Saintow. */
	assert_string_not_equal(key("Stow"), key("Saint ow"));
	assert_string_equal(key(""), "");
	assert_string_equal(key("  -- "), "");
	/* A buffer too small says so. */
	char tiny[4];
	assert_false(places_key("Scunthorpe", tiny, sizeof(tiny)));
}

/* Scunthorpe-ish points, Brigg, and a mistyped postcode in London. */
#define SCUN_LAT 53.59
#define SCUN_LON -0.65

static struct places *town(void)
{
	struct places *pl = places_new();

	assert_non_null(pl);
	assert_int_equal(places_add(pl, "Scunthorpe", "DN15 6", SCUN_LAT - 0.01, SCUN_LON), ERR_OK);
	assert_int_equal(places_add(pl, "Scunthorpe", "DN16 2", SCUN_LAT + 0.01, SCUN_LON), ERR_OK);
	/* The same postcode again: counts as an address, not again in the centre. */
	for (int i = 0; i < 5; i++)
		assert_int_equal(places_add(pl, "Scunthorpe", "DN16 2", SCUN_LAT + 0.01, SCUN_LON), ERR_OK);
	assert_int_equal(places_add(pl, "SCUNTHORPE", "DN17 1", SCUN_LAT, SCUN_LON - 0.02), ERR_OK);
	assert_int_equal(places_add(pl, "scunthorpe", "DN15 8", SCUN_LAT, SCUN_LON + 0.02), ERR_OK);
	/* A postcode far away (a mistake in a feed): left out of the centre. */
	assert_int_equal(places_add(pl, "Scunthorpe", "SW1A 1", 51.5, -0.14), ERR_OK);
	assert_int_equal(places_add(pl, "Brigg", "DN20 8", 53.55, -0.49), ERR_OK);
	assert_int_equal(places_add(pl, "brigg", "DN20 9", 53.57, -0.49), ERR_OK);
	assert_int_equal(places_add(pl, "St Ives", "", 50.21, -5.48), ERR_OK);
	assert_int_equal(places_add(pl, "Saint Ives", "", 50.21, -5.48), ERR_OK);
	assert_int_equal(places_add(pl, "Barton-upon-Humber", "DN18 5", 53.68, -0.44), ERR_OK);
	assert_int_equal(places_add(pl, "Crowle", "DN17 4", 53.61, -0.82), ERR_OK);
	assert_int_equal(places_add(pl, "Winterton", "DN15 9", 53.65, -0.60), ERR_OK);
	/* Not names: skipped without an error. */
	assert_int_equal(places_add(pl, NULL, "DN15 6", SCUN_LAT, SCUN_LON), ERR_OK);
	assert_int_equal(places_add(pl, "   ", "DN15 6", SCUN_LAT, SCUN_LON), ERR_OK);
	assert_int_equal(places_add(pl, "12", "DN15 6", SCUN_LAT, SCUN_LON), ERR_OK);
	/* Not a point: refused. */
	assert_int_equal(places_add(pl, "Nowhere", "", NAN, 0), ERR_INVALID);
	assert_int_equal(places_add(pl, "Nowhere", "", 91, 0), ERR_INVALID);
	assert_int_equal(places_count(pl), 0);       /* nothing until sealed */
	assert_int_equal(places_seal(pl), ERR_OK);
	return pl;
}

static void builds_places_from_addresses(void **state)
{
	struct places *pl = town();
	const struct place_name *p;

	UNUSED(state);
	assert_int_equal(places_count(pl), 6);
	/* One Scunthorpe, spelt as most addresses spell it, centred on its
	 * four distinct nearby postcodes (not London, not weighted by the
	 * repeated one). */
	p = places_find(pl, "SCUNTHORPE");
	assert_non_null(p);
	assert_string_equal(p->name, "Scunthorpe");
	assert_int_equal(p->n, 10);
	assert_true(fabs(p->lat - SCUN_LAT) < 1e-9);
	assert_true(fabs(p->lon - SCUN_LON) < 1e-9);
	assert_ptr_equal(places_find(pl, "scunthorpe"), p);
	assert_ptr_equal(places_find(pl, " Scunthorpe! "), p);
	/* Brigg: the mean of its two postcodes, as the addresses wrote it. */
	p = places_find(pl, "brigg");
	assert_non_null(p);
	assert_string_equal(p->name, "Brigg");
	assert_true(fabs(p->lat - 53.56) < 1e-9);
	/* St and Saint, hyphens and spaces. */
	assert_ptr_equal(places_find(pl, "st ives"), places_find(pl, "Saint Ives"));
	assert_non_null(places_find(pl, "St. Ives"));
	assert_string_equal(places_find(pl, "barton upon humber")->name, "Barton-upon-Humber");
	/* Unknown names, and not names. */
	assert_null(places_find(pl, "Scuntorpe"));
	assert_null(places_find(pl, "Brig"));
	assert_null(places_find(pl, ""));
	assert_null(places_find(pl, NULL));
	/* In order of their keys, every one once. */
	for (size_t i = 1; i < places_count(pl); i++)
		assert_true(strcmp(places_at(pl, i - 1)->name, places_at(pl, i)->name) != 0);
	assert_null(places_at(pl, places_count(pl)));
	/* Sealed: no more addresses. */
	assert_int_equal(places_add(pl, "Epworth", "", 53.5, -0.8), ERR_INVALID);
	places_free(pl);
}

static void suggests_near_spellings_then_the_usual_places(void **state)
{
	struct places *pl = town();
	const struct place_name *out[8];
	size_t n;

	UNUSED(state);
	/* The nearest spelling first, then the others by how many addresses
	 * name them, shown alphabetically. */
	n = places_suggest(pl, "Scuntorpe", out, 4);
	assert_int_equal(n, 4);
	assert_string_equal(out[0]->name, "Scunthorpe");
	/* Brigg and St Ives (two addresses each: "Saint Ives" and "St Ives"
	 * tie, so the first in byte order), then the first of the ones. */
	assert_string_equal(out[1]->name, "Barton-upon-Humber");
	assert_string_equal(out[2]->name, "Brigg");
	assert_string_equal(out[3]->name, "Saint Ives");
	/* Every place at most once, and no more than asked. */
	n = places_suggest(pl, "Brig", out, 8);
	assert_int_equal(n, places_count(pl));
	assert_string_equal(out[0]->name, "Brigg");
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			assert_ptr_not_equal(out[i], out[j]);
	assert_int_equal(places_suggest(pl, "Brig", out, 1), 1);
	assert_string_equal(out[0]->name, "Brigg");
	/* Nothing close: the usual places only, alphabetically. */
	n = places_suggest(pl, "Zzzzzzzz", out, 3);
	assert_int_equal(n, 3);
	assert_true(strcmp(out[0]->name, out[1]->name) < 0 && strcmp(out[1]->name, out[2]->name) < 0);
	assert_non_null(places_find(pl, out[0]->name));
	/* An empty table suggests nothing. */
	struct places *none = places_new();
	assert_int_equal(places_seal(none), ERR_OK);
	assert_int_equal(places_suggest(none, "Brigg", out, 3), 0);
	assert_null(places_find(none, "Brigg"));
	places_free(none);
	places_free(pl);
}

/* Long and odd names are cut, at a character, and still found. */
static void long_and_odd_names(void **state)
{
	struct places *pl = places_new();
	char name[300];

	UNUSED(state);
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	name[70] = ' ';
	assert_int_equal(places_add(pl, name, "", 53, -1), ERR_OK);
	assert_int_equal(places_add(pl, "Llanfair\xc3\xa9\xc3\xa9", "", 53, -1), ERR_OK);
	assert_int_equal(places_add(pl, "Bad \xff\xfe bytes", "", 53, -1), ERR_OK);
	assert_int_equal(places_seal(pl), ERR_OK);
	for (size_t i = 0; i < places_count(pl); i++)
		assert_true(strlen(places_at(pl, i)->name) <= PLACE_NAME_MAX);
	assert_non_null(places_find(pl, "llanfairee"));
	places_free(pl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys_ignore_case_punctuation_and_saint),
		cmocka_unit_test(builds_places_from_addresses),
		cmocka_unit_test(suggests_near_spellings_then_the_usual_places),
		cmocka_unit_test(long_and_odd_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
