/*
 * fuzz_lexicon.c - the lexicon's lines (coordinators type them) on
 * arbitrary bytes, and an index using what was read.
 *
 * Invariants: a line that is refused says why (a non-empty sentence) and
 * adds no rule; whatever was accepted seals and indexes without error; a
 * document whose name is the input is still found by the input as its
 * query (expansion only adds words, never takes one away). Everything is
 * freed, so LeakSanitizer sees any leak.
 */
#include "core/common.h"

#include "core/arena.h"
#include "search/lexicon.h"
#include "search/search.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), why[200];
	struct lexicon *lx = lexicon_new();
	struct search_index *ix = search_new();
	struct search_result r;
	struct arena a;
	size_t before;
	enum err e;

	CHECK(text && lx && ix);
	memcpy(text, data, size);
	text[size] = '\0';
	/* Line by line: a refusal leaves the rules as they were. */
	for (char *line = text, *nl; line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		before = lexicon_rules(lx);
		e = lexicon_add_line(lx, line, why, sizeof(why));
		CHECK(e == ERR_OK || e == ERR_INVALID || e == ERR_NOMEM);
		if (e == ERR_INVALID)
			CHECK(why[0] != '\0');
		if (e != ERR_OK)
			CHECK(lexicon_rules(lx) == before);
		if (nl)
			*nl = '\n';
	}
	search_set_lexicon(ix, lx);
	struct search_doc d = { .id = "fuzz-doc", .name = text, .body = text };
	CHECK(search_put(ix, &d) == ERR_OK);
	arena_init(&a);
	struct search_query q = { .text = text, .limit = 10, .now = 1800000000 };
	CHECK(search_run(ix, &q, &a, &r) == ERR_OK);
	if (!r.text_matched_nothing)
		CHECK(r.n == 1 && strcmp(r.hits[0].id, "fuzz-doc") == 0);
	arena_release(&a);
	search_free(ix);
	free(text);
	return 0;
}
