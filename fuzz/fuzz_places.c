/*
 * fuzz_places.c - what a person types in the postcode box, read as a
 * place name (src/search/places.c): places_key, places_find and
 * places_suggest on arbitrary bytes, over a small table built once; and
 * the bytes as an address's town, into a table of their own.
 *
 * Invariants: a key fits its buffer, is "" or lowercase words with single
 * spaces and no space at either end, and a text with no letter or digit
 * has the key ""; places_find finds a place whose key is the text's, and
 * every known name finds itself; suggestions are at most the number
 * asked, each a place of the table, each once. A table of one address
 * named by the input finds it (when it has a key) under its own name cut
 * to PLACE_NAME_MAX bytes.
 */
#include "core/common.h"

#include "search/places.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static struct places *town;

static void build_town(void)
{
	static const char *const names[] = { "Scunthorpe", "Brigg", "Barton-upon-Humber", "St Ives",
		"Crowle", "Winterton", "Bottesford", "Ashby", "Messingham", "Kirton in Lindsey" };

	town = places_new();
	CHECK(town);
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		CHECK(places_add(town, names[i], "", 53.5 + (double)i / 100, -0.6) == ERR_OK);
	CHECK(places_seal(town) == ERR_OK);
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		CHECK(places_find(town, names[i]) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), key[128], key2[128];
	const struct place_name *out[5];
	bool any = false;

	CHECK(in);
	if (!town)
		build_town();
	memcpy(in, data, size);
	in[size] = '\0';
	for (size_t i = 0; i < size && in[i]; i++)
		any |= ((in[i] | 0x20) >= 'a' && (in[i] | 0x20) <= 'z') || (in[i] >= '0' && in[i] <= '9') ||
		       (unsigned char)in[i] >= 0x80;

	if (places_key(in, key, sizeof(key))) {
		size_t n = strlen(key);

		CHECK(n < sizeof(key));
		if (!any)
			CHECK(n == 0);
		if (n) {
			CHECK(key[0] != ' ' && key[n - 1] != ' ');
			CHECK(!strstr(key, "  "));
		}
		for (size_t i = 0; i < n; i++)
			CHECK(!(key[i] >= 'A' && key[i] <= 'Z'));
	}

	const struct place_name *p = places_find(town, in);
	if (p) {
		CHECK(places_key(in, key, sizeof(key)) && places_key(p->name, key2, sizeof(key2)));
		CHECK(strcmp(key, key2) == 0);
	}
	size_t ns = places_suggest(town, in, out, ARRAY_LEN(out));
	CHECK(ns <= ARRAY_LEN(out));
	for (size_t i = 0; i < ns; i++) {
		CHECK(places_find(town, out[i]->name) == out[i]);
		for (size_t j = i + 1; j < ns; j++)
			CHECK(out[i] != out[j]);
	}

	/* The input as an address's town. */
	struct places *one = places_new();
	CHECK(one);
	CHECK(places_add(one, in, in, 53, -1) == ERR_OK);
	CHECK(places_seal(one) == ERR_OK);
	CHECK(places_count(one) <= 1);
	if (places_count(one)) {
		const struct place_name *q = places_at(one, 0);

		CHECK(strlen(q->name) <= PLACE_NAME_MAX);
		CHECK(q->n == 1);
		CHECK(places_find(one, q->name) == q);
	}
	places_free(one);
	free(in);
	return 0;
}
