/*
 * test_postcode.c - normalising what people type, refusing what is not a
 * postcode with a sentence that says what one looks like, locating
 * sectors and districts from the embedded tables, and distances.
 */
#include "core/common.h"

#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <cmocka.h>

#include "search/postcode.h"

static void normalises_many_spellings(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "dn156xx", "DN15 6XX" },
		{ " DN15  6XX ", "DN15 6XX" },
		{ "DN15 6XX", "DN15 6XX" },
		{ "dn15\t6xx", "DN15 6XX" },
		{ "dn15", "DN15" },
		{ "  Dn15  ", "DN15" },
		{ "DN15 6", "DN15 6" },
		{ "dn156", "DN15 6" },          /* cannot be an outward code: a sector */
		{ "m1 1ae", "M1 1AE" },
		{ "M11AE", "M1 1AE" },
		{ "m1", "M1" },
		{ "M16", "M16" },              /* without a space, an outward code wins */
		{ "M1 6", "M1 6" },            /* with one, a sector */
		{ "sw1a1aa", "SW1A 1AA" },
		{ "SW1A", "SW1A" },
		{ "b33 8th", "B33 8TH" },
		{ "W1A 0AX", "W1A 0AX" },
		{ "ec1a1bb", "EC1A 1BB" },
		{ "CR2 6XH", "CR2 6XH" },
		{ "d n 1 5 6 x x", "DN15 6XX" },
	};
	char out[9];
	const char *why;

	UNUSED(state);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		why = "unset";
		if (!postcode_normalise(cases[i].in, out, &why))
			fail_msg("refused \"%s\": %s", cases[i].in, why);
		assert_string_equal(out, cases[i].out);
		assert_null(why);
	}
}

static void refuses_bad_shapes_with_the_right_words(void **state)
{
	static const struct { const char *in, *says; } cases[] = {
		{ "", "Enter a postcode" },
		{ "   ", "Enter a postcode" },
		{ "DN15-6XX", "only letters, numbers and a space" },
		{ "DN15 6XX!", "only letters, numbers and a space" },
		{ "caf\xc3\xa9", "only letters, numbers and a space" },
		{ "DN15 6CX", "second half" },        /* C is never a unit letter */
		{ "DN15 6XI", "second half" },
		{ "DN15 XX", "second half" },
		{ "DN15 66", "second half" },
		{ "ABCD 1AA", "first half" },
		{ "1DN 6XX", "first half" },
		{ "D", "first half" },
		{ "DN", "first half" },
		{ "12345", "real postcode" },
		{ "DN156XXX", "too long" },
		{ "DN15 6XX and more", "too long" },
		{ "GIR 0AA", "GIR 0AA" },
		{ "gir0aa", "GIR 0AA" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "too long" },
	};
	char out[9];
	const char *why;

	UNUSED(state);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		why = NULL;
		if (postcode_normalise(cases[i].in, out, &why))
			fail_msg("accepted \"%s\" as %s", cases[i].in, out);
		assert_non_null(why);
		if (!strstr(why, cases[i].says))
			fail_msg("\"%s\": \"%s\" does not say \"%s\"", cases[i].in, why, cases[i].says);
		assert_string_equal(out, "");
	}
	assert_false(postcode_normalise(NULL, out, &why));
}

static void loads_the_tables(void **state)
{
	char name[9];
	double lat, lon;

	UNUSED(state);
	assert_int_equal(postcode_init(), ERR_OK);
	assert_int_equal(postcode_sector_count(), 12269);
	assert_int_equal(postcode_district_count(), 3077);
	assert_true(postcode_sector_at(0, name, &lat, &lon));
	assert_string_equal(name, "AB1 0");
	assert_true(fabs(lat - 57.10023) < 1e-9 && fabs(lon + 2.25814) < 1e-9);
	assert_true(postcode_sector_at(postcode_sector_count() - 1, name, &lat, &lon));
	assert_false(postcode_sector_at(postcode_sector_count(), name, &lat, &lon));
	/* Every sector is somewhere in or near the British Isles. */
	for (size_t i = 0; i < postcode_sector_count(); i++) {
		assert_true(postcode_sector_at(i, name, &lat, &lon));
		assert_true(lat > 49 && lat < 61.5 && lon > -9 && lon < 2.5);
	}
}

static void locates_sector_then_district(void **state)
{
	struct postcode_place p;
	const char *why;

	UNUSED(state);
	assert_int_equal(postcode_locate("dn15 6xx", &p, &why), ERR_OK);
	assert_string_equal(p.normal, "DN15 6XX");
	assert_int_equal(p.precision, PC_SECTOR);
	assert_true(fabs(p.lat - 53.59155) < 1e-9 && fabs(p.lon + 0.64836) < 1e-9);

	/* A sector on its own. */
	assert_int_equal(postcode_locate("DN15 6", &p, &why), ERR_OK);
	assert_int_equal(p.precision, PC_SECTOR);
	assert_true(fabs(p.lat - 53.59155) < 1e-9);

	/* No sector DN15 1 in the table: the district's centroid. */
	assert_int_equal(postcode_locate("DN15 1AB", &p, &why), ERR_OK);
	assert_string_equal(p.normal, "DN15 1AB");
	assert_int_equal(p.precision, PC_DISTRICT);
	assert_true(fabs(p.lat - 53.60941) < 1e-9 && fabs(p.lon + 0.65233) < 1e-9);

	/* An outward code alone. */
	assert_int_equal(postcode_locate("sw1a", &p, &why), ERR_OK);
	assert_string_equal(p.normal, "SW1A");
	assert_int_equal(p.precision, PC_DISTRICT);
	assert_true(fabs(p.lat - 51.50197) < 1e-9);

	assert_int_equal(postcode_locate("M1 1AE", &p, &why), ERR_OK);
	assert_int_equal(p.precision, PC_SECTOR);
	assert_true(fabs(p.lat - 53.48236) < 1e-9);
}

static void unknown_and_invalid_say_so(void **state)
{
	struct postcode_place p;
	const char *why = NULL;

	UNUSED(state);
	assert_int_equal(postcode_locate("zz99 9zz", &p, &why), ERR_NOT_FOUND);
	assert_non_null(why);
	assert_non_null(strstr(why, "We could not find the postcode ZZ99 9ZZ"));
	assert_non_null(strstr(why, "DN15"));
	assert_int_equal(postcode_locate("ZZ99", &p, &why), ERR_NOT_FOUND);
	assert_non_null(strstr(why, "ZZ99"));
	why = NULL;
	assert_int_equal(postcode_locate("not a postcode", &p, &why), ERR_INVALID);
	assert_non_null(why);
	assert_non_null(strstr(why, "DN15 6XX"));
	assert_int_equal(postcode_locate("", &p, &why), ERR_INVALID);
}

static void distances(void **state)
{
	struct postcode_place a, b;
	const char *why;
	double d;

	UNUSED(state);
	/* Scunthorpe to Grimsby: about 40 km, from the tables. */
	assert_int_equal(postcode_locate("DN15", &a, &why), ERR_OK);
	assert_int_equal(postcode_locate("DN31", &b, &why), ERR_OK);
	d = geo_distance_m(a.lat, a.lon, b.lat, b.lon);
	assert_true(d > 37000 && d < 40000);
	/* By hand: dlat = -0.03839 deg, dlon = 0.56788 deg at ~53.59 N:
	 * sqrt((0.03839 * 111195)^2 + (0.56788 * 111195 * cos 53.59)^2)
	 * = sqrt(4269^2 + 37494^2) = 37736 m. */
	assert_true(fabs(d - 37736) < 60);
	assert_true(fabs(geo_distance_m(b.lat, b.lon, a.lat, a.lon) - d) < 1e-6);
	assert_true(geo_distance_m(a.lat, a.lon, a.lat, a.lon) == 0);
	/* London to Paris: 343.6 km on the mean sphere. */
	d = geo_distance_m(51.5074, -0.1278, 48.8566, 2.3522);
	assert_true(fabs(d - 343560) < 300);
	/* Antipodes: half the circumference. */
	d = geo_distance_m(0, 0, 0, 180);
	assert_true(fabs(d - M_PI * 6371008.8) < 1);
	assert_true(fabs(geo_miles(1609.344) - 1.0) < 1e-12);
	assert_true(fabs(geo_miles(16093.44) - 10.0) < 1e-9);
}

static void *init_thread(void *arg)
{
	UNUSED(arg);
	return (void *)(intptr_t)(postcode_init() == ERR_OK && postcode_sector_count() == 12269);
}

static void init_once_from_many_threads(void **state)
{
	pthread_t t[4];
	void *r;

	UNUSED(state);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, init_thread, NULL), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &r), 0);
		assert_true(r != NULL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_once_from_many_threads),
		cmocka_unit_test(normalises_many_spellings),
		cmocka_unit_test(refuses_bad_shapes_with_the_right_words),
		cmocka_unit_test(loads_the_tables),
		cmocka_unit_test(locates_sector_then_district),
		cmocka_unit_test(unknown_and_invalid_say_so),
		cmocka_unit_test(distances),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
