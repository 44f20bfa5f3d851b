/*
 * fuzz_postcode.c - postcode_normalise and postcode_locate on arbitrary
 * bytes, and geo_distance_m on arbitrary finite coordinates.
 *
 * Invariants: a normalised postcode is 2..8 bytes of capitals, digits and
 * at most one space, normalises to itself, and has no why; a refusal has
 * a sentence and an empty out. postcode_locate agrees with normalise
 * (ERR_INVALID exactly when it refuses), places what it finds in or near
 * the British Isles, and says why when it cannot. Distances are finite,
 * non-negative, at most half the Earth's circumference and symmetric.
 */
#include "core/common.h"

#include <math.h>

#include "search/postcode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), out[9], again[9];
	const char *why = (const char *)1;
	struct postcode_place p;

	CHECK(in);
	memcpy(in, data, size);
	in[size] = '\0';

	bool ok = postcode_normalise(in, out, &why);
	if (ok) {
		size_t n = strlen(out), spaces = 0;
		CHECK(why == NULL);
		CHECK(n >= 2 && n <= 8);
		for (size_t i = 0; i < n; i++) {
			CHECK((out[i] >= 'A' && out[i] <= 'Z') || (out[i] >= '0' && out[i] <= '9') || out[i] == ' ');
			spaces += out[i] == ' ';
		}
		CHECK(spaces <= 1);
		CHECK(postcode_normalise(out, again, &why));
		CHECK(strcmp(out, again) == 0);
	} else {
		CHECK(why != NULL && why != (const char *)1 && strlen(why) > 20);
		CHECK(out[0] == '\0');
	}

	why = (const char *)1;
	enum err e = postcode_locate(in, &p, &why);
	if (e == ERR_OK) {
		CHECK(ok);
		CHECK(strcmp(p.normal, out) == 0);
		CHECK(p.lat > 49 && p.lat < 61.5 && p.lon > -9 && p.lon < 2.5);
		CHECK(p.precision == PC_SECTOR || p.precision == PC_DISTRICT);
	} else {
		CHECK(e == (ok ? ERR_NOT_FOUND : ERR_INVALID));
		CHECK(why != NULL && why != (const char *)1 && strlen(why) > 20);
		if (e == ERR_NOT_FOUND)
			CHECK(strstr(why, out) != NULL);
	}

	if (size >= 32) {
		double v[4];
		memcpy(v, data, sizeof(v));
		for (int i = 0; i < 4; i++)
			if (!isfinite(v[i]))
				v[i] = 0;
		v[0] = fmod(v[0], 90);
		v[2] = fmod(v[2], 90);
		v[1] = fmod(v[1], 180);
		v[3] = fmod(v[3], 180);
		double d1 = geo_distance_m(v[0], v[1], v[2], v[3]), d2 = geo_distance_m(v[2], v[3], v[0], v[1]);
		CHECK(isfinite(d1) && d1 >= 0 && d1 <= M_PI * 6371008.8 + 1e-6);
		CHECK(fabs(d1 - d2) <= 1e-6 * (1 + d1));
	}
	free(in);
	return 0;
}
