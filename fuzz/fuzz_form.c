/*
 * fuzz_form.c - parse_urlencoded with small limits, to drive every limit
 * path, checked against the same input parsed with the default limits.
 *
 * The parser checks each pair in order (escapes, text, then count, name and
 * value limits), so the two runs must agree exactly:
 *   - default ok: small is ok with the identical list when every field fits
 *     the small limits, else ERR_TOO_LARGE;
 *   - default ERR_TOO_LARGE: small fails at that pair or earlier, by a
 *     limit, so ERR_TOO_LARGE;
 *   - default ERR_BAD_REQUEST: small is ERR_BAD_REQUEST or ERR_TOO_LARGE.
 * A failure leaves the list as it was (one entry put there first). A fresh
 * arena per input.
 */
#include "core/common.h"

#include "core/arena.h"
#include "core/str.h"
#include "http/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static const struct parse_limits small = { 4, 8, 16 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct arena a;
	struct kvlist big = { 0 }, sm = { 0 };
	const char *why_big, *why_sm;
	enum err eb, es;

	arena_init(&a);
	eb = parse_urlencoded(&a, p, size, &parse_default_limits, &big, &why_big);
	CHECK(kv_add(&a, &sm, "pre", "existing", 8));
	es = parse_urlencoded(&a, p, size, &small, &sm, &why_sm);

	if (es == ERR_OK) {
		CHECK(why_sm == NULL);
		CHECK(sm.n >= 1 && sm.n - 1 <= small.max_fields);
		CHECK(strcmp(sm.v[0].name, "pre") == 0);
		for (size_t i = 1; i < sm.n; i++) {
			size_t nl = strlen(sm.v[i].name);

			CHECK(nl > 0 && nl <= small.max_name);
			CHECK(sm.v[i].vlen <= small.max_value);
			CHECK(sm.v[i].val[sm.v[i].vlen] == '\0');
			CHECK(strlen(sm.v[i].val) == sm.v[i].vlen);
			CHECK(str_is_clean_utf8(sm.v[i].name, nl));
			CHECK(str_is_clean_utf8(sm.v[i].val, sm.v[i].vlen));
		}
	} else {
		CHECK(why_sm != NULL && strlen(why_sm) > 10);
		CHECK(sm.n == 1);
	}

	switch (eb) {
	case ERR_OK: {
		bool fits = big.n <= small.max_fields;

		for (size_t i = 0; i < big.n && fits; i++)
			fits = strlen(big.v[i].name) <= small.max_name &&
				big.v[i].vlen <= small.max_value;
		if (!fits) {
			CHECK(es == ERR_TOO_LARGE);
			break;
		}
		CHECK(es == ERR_OK && sm.n == big.n + 1);
		for (size_t i = 0; i < big.n; i++) {
			CHECK(strcmp(big.v[i].name, sm.v[i + 1].name) == 0);
			CHECK(big.v[i].vlen == sm.v[i + 1].vlen);
			CHECK(memcmp(big.v[i].val, sm.v[i + 1].val, big.v[i].vlen + 1) == 0);
		}
		break;
	}
	case ERR_TOO_LARGE:
		CHECK(big.n == 0);
		CHECK(es == ERR_TOO_LARGE);
		break;
	case ERR_BAD_REQUEST:
		CHECK(big.n == 0);
		CHECK(es == ERR_BAD_REQUEST || es == ERR_TOO_LARGE);
		if (es == ERR_BAD_REQUEST)
			CHECK(why_sm == why_big);
		break;
	default:
		CHECK(!"unexpected error");
	}
	arena_release(&a);
	return 0;
}
