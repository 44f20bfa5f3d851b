/*
 * fuzz_oruk_params.c - the ORUK API's query parameters (oruk_params_parse
 * in src/oruk/oruk_web.c) on any query string, as the server hands
 * it over: parse_urlencoded with the default limits, then the parser with
 * every parameter accepted, and again with the set the first byte picks.
 *
 * Invariants: a refusal is ERR_BAD_REQUEST naming a parameter the
 * endpoint takes, in a sentence that names it too (postcode_locate's own
 * words for a postcode); an acceptance has page 1..API_PAGE_MAX, per_page
 * within the limit for its form (100 for JSON pages, 1,000 for ndjson or
 * minimal), ids empty or lowercase UUIDs, search non-empty, trimmed and
 * at most ORUK_SEARCH_MAX characters, proximity only with a located
 * postcode, and a parameter that was not accepted left at its default. A
 * fresh arena per input.
 */
#include "core/common.h"

#include "core/arena.h"
#include "core/str.h"
#include "http/parse.h"
#include "oruk/oruk.h"
#include "oruk/oruk_web.h"
#include "search/postcode.h"
#include "web/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static const char *const names[] = {
	"format", "minimal", "full", "full_service", "top_only", "per_page", "page", "search",
	"taxonomy_term_id", "taxonomy_id", "organization_id", "parent_id", "modified_after",
	"postcode", "proximity",
};

static void check_id(const char *id)
{
	if (!id[0])
		return;
	CHECK(str_is_uuid(str_c(id)));
	for (const char *p = id; *p; p++)
		CHECK(!(*p >= 'A' && *p <= 'Z'));
}

/* Code points of clean UTF-8. */
static size_t chars(struct str s)
{
	size_t c = 0;

	for (size_t i = 0; i < s.n; i++)
		c += ((unsigned char)s.p[i] & 0xc0) != 0x80;
	return c;
}

static void check(const struct kvlist *kv, struct arena *a, unsigned accept)
{
	struct oruk_params p;
	struct api_query q;
	enum err e;

	api_query_init(&q, kv, a);
	e = oruk_params_parse(&q, accept, &p);
	if (e) {
		bool named = false;
		char want[64];

		CHECK(e == ERR_BAD_REQUEST);
		CHECK(q.bad && strlen(q.detail) > 10);
		for (size_t i = 0; i < ARRAY_LEN(names); i++)
			if (strcmp(q.bad, names[i]) == 0)
				named = true;
		CHECK(named);
		snprintf(want, sizeof(want), "The %s parameter", q.bad);
		CHECK(strcmp(q.bad, "postcode") == 0 || strstr(q.detail, want));
		return;
	}
	CHECK(q.bad == NULL);
	CHECK(p.page >= 1 && p.page <= API_PAGE_MAX);
	if (accept & OP_PAGE)
		CHECK(p.per_page >= 1 && p.per_page <= ((p.ndjson || p.minimal) ? ORUK_PER_PAGE_MAX_LINES
										: ORUK_PER_PAGE_MAX));
	else
		CHECK(p.page == 1 && p.per_page == 0);
	check_id(p.taxonomy_term_id);
	check_id(p.taxonomy_id);
	check_id(p.organization_id);
	check_id(p.parent_id);
	if (p.search) {
		struct str s = str_c(p.search);

		CHECK(s.n > 0 && chars(s) <= ORUK_SEARCH_MAX && str_trim(s).n == s.n);
	}
	CHECK(p.proximity_m == 0 || (p.near && p.proximity_m >= 1 && p.proximity_m <= ORUK_PROXIMITY_MAX));
	if (p.near)
		CHECK(p.lat >= -90 && p.lat <= 90 && p.lon >= -180 && p.lon <= 180 && p.postcode[0]);
	if (!(accept & OP_FORMAT))
		CHECK(!p.ndjson);
	if (!(accept & OP_POSTCODE))
		CHECK(!p.near);
	if (!(accept & OP_SEARCH))
		CHECK(!p.search);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct arena a;
	struct kvlist q = { 0 };
	const char *why;

	if (!ready) {
		CHECK(postcode_init() == ERR_OK);
		ready = true;
	}
	arena_init(&a);
	if (parse_urlencoded(&a, (const char *)data, size, &parse_default_limits, &q, &why) == ERR_OK) {
		check(&q, &a, ~0u);
		check(&q, &a, size ? (unsigned)data[0] * 37u : 0u);
	}
	arena_release(&a);
	return 0;
}
