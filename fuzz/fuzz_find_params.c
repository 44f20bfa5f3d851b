/*
 * fuzz_find_params.c - /find's parameter reader (src/directory/find.c) on
 * any query string, as the server would hand it over: parse_urlencoded
 * with the default limits, then find_parse.
 *
 * Invariants: the words and the postcode are clean UTF-8 within their
 * limits, with no control characters, no spaces at either end and no two
 * in a row; every bit set names a vocabulary entry; page, miles, sort and
 * attend are in range; the canonical URL fits FIND_HREF_MAX and reading
 * it back gives the same search (parse(href(p)) == p, notes aside);
 * find_query's page and day/time bits agree with the params. A fresh
 * arena per input, released at the end, so LeakSanitizer sees any leak.
 */
#include "core/common.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/str.h"
#include "directory/find.h"
#include "directory/vocab.h"
#include "http/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static void check_line(const char *s, size_t max)
{
	size_t n = strlen(s);

	CHECK(n <= max);
	CHECK(str_is_clean_utf8(s, n));
	if (n) {
		CHECK(s[0] != ' ' && s[n - 1] != ' ');
		CHECK(!strstr(s, "  "));
	}
	for (size_t i = 0; i < n; i++)
		CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

static bool same(const struct find_params *a, const struct find_params *b)
{
	return strcmp(a->text, b->text) == 0 && strcmp(a->postcode, b->postcode) == 0 &&
	       a->categories == b->categories && a->conditions == b->conditions &&
	       a->languages == b->languages && a->days == b->days && a->parts == b->parts &&
	       a->free == b->free && a->step_free == b->step_free && a->peer_led == b->peer_led &&
	       a->turn_up == b->turn_up && a->attend == b->attend && a->sort == b->sort &&
	       a->miles == b->miles && a->page == b->page;
}

static void check_params(const struct find_params *p)
{
	check_line(p->text, FIND_TEXT_MAX);
	check_line(p->postcode, FIND_POSTCODE_MAX);
	CHECK(vocab_categories_n >= 64 || (p->categories >> vocab_categories_n) == 0);
	CHECK(vocab_conditions_n >= 64 || (p->conditions >> vocab_conditions_n) == 0);
	CHECK(vocab_languages_n >= 32 || (p->languages >> vocab_languages_n) == 0);
	CHECK(p->days < 0x80 && p->parts < 0x8);
	CHECK(p->page >= 1 && p->page <= FIND_PAGE_MAX);
	CHECK(p->miles == 0 || (p->miles >= 1 && p->miles <= FIND_MILES_MAX));
	CHECK(p->sort >= FIND_SORT_AUTO && p->sort < FIND_SORT__MAX);
	CHECK(p->attend == FIND_ATTEND_ANY || p->attend == FIND_ATTEND_IN_PERSON ||
	      p->attend == FIND_ATTEND_ONLINE);
	CHECK(find_any(p) == (p->text[0] || p->postcode[0] || find_nfilters(p) > 0));
}

static void check_query(const struct find_params *p)
{
	for (int near = 0; near < 2; near++) {
		struct search_query q = { 0 };

		find_query(p, near, &q);
		CHECK(q.limit == FIND_PER_PAGE && q.facets);
		CHECK(q.offset == (size_t)(p->page - 1) * FIND_PER_PAGE);
		CHECK((q.text == NULL) == (p->text[0] == '\0'));
		CHECK(q.sort != SORT_DISTANCE || near);
		CHECK(q.sort != SORT_RELEVANCE || p->text[0]);
		CHECK((q.daytime_any >> 21) == 0);
		CHECK((q.daytime_any == 0) == (p->days == 0 && p->parts == 0));
		for (int d = 0; d < 7; d++)
			for (int t = 0; t < 3; t++) {
				bool want = (p->days || p->parts) &&
					    (!p->days || (p->days & (1u << d))) &&
					    (!p->parts || (p->parts & (1u << t)));
				CHECK(!!(q.daytime_any & (UINT32_C(1) << (d * 3 + t))) == want);
			}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct kvlist l = { 0 }, l2 = { 0 };
	struct find_params p, p2;
	struct buf href;
	const char *why = NULL;

	arena_init(&a);
	buf_init(&href, FIND_HREF_MAX);
	if (parse_urlencoded(&a, (const char *)data, size, &parse_default_limits, &l, &why) != ERR_OK)
		goto out;
	find_parse(&l, &p);
	check_params(&p);
	check_query(&p);
	CHECK(find_href("/find", &p, &href));
	CHECK(strncmp(href.p, "/find", 5) == 0);
	CHECK(href.p[5] == '\0' || href.p[5] == '?');
	CHECK(str_is_clean_utf8(href.p, href.len));
	for (size_t i = 0; i < href.len; i++)
		CHECK(href.p[i] > 0x20 && href.p[i] < 0x7f && href.p[i] != '"' && href.p[i] != '<' &&
		      href.p[i] != '#');
	/* Reading the canonical URL back gives the same search. */
	CHECK(parse_urlencoded(&a, href.p + (href.p[5] ? 6 : 5), href.len - (href.p[5] ? 6 : 5),
			       &parse_default_limits, &l2, &why) == ERR_OK);
	find_parse(&l2, &p2);
	CHECK(same(&p, &p2));
	CHECK(p2.notes == 0);
out:
	buf_release(&href);
	arena_release(&a);
	return 0;
}
