/*
 * test_lexicon.c - compounds and synonyms: "foodbank" and "food bank",
 * "dropin", "drop-in" and "drop in", "timebank" and "time bank" find each
 * other; a synonym group finds any member from any other; the lexicon's
 * lines say what to fix when they are wrong; and search without a
 * lexicon is unchanged.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/embedded.h"
#include "search/lexicon.h"
#include "search/search.h"

static const char words[] =
	"# compounds and their spaced forms\n"
	"foodbank = food bank\n"
	"timebank = time bank\n"
	"dropin = drop in\n"
	"\n"
	"copd, lung, breathing problems   # synonyms\n"
	"memory, dementia\n";

static struct search_index *index_with(const char *lexicon)
{
	struct search_index *ix = search_new();
	char why[160];

	assert_non_null(ix);
	if (lexicon) {
		struct lexicon *lx = lexicon_new();

		assert_non_null(lx);
		assert_int_equal(lexicon_add_text(lx, lexicon, strlen(lexicon), why, sizeof(why)), ERR_OK);
		search_set_lexicon(ix, lx);
	}
	return ix;
}

static void put(struct search_index *ix, const char *id, const char *name, const char *body)
{
	struct search_doc d;

	memset(&d, 0, sizeof(d));
	d.id = id;
	d.org_id = "org-1";
	d.name = name;
	d.body = body;
	assert_int_equal(search_put(ix, &d), ERR_OK);
}

/* The ids a text search finds, sorted by id, joined with spaces. */
static const char *found(struct search_index *ix, const char *text)
{
	static char out[256];
	struct search_query q;
	struct search_result r;
	struct arena a;
	const char *ids[16];
	size_t n = 0, o = 0;

	memset(&q, 0, sizeof(q));
	q.text = text;
	q.limit = 16;
	q.now = 1800000000;
	arena_init(&a);
	assert_int_equal(search_run(ix, &q, &a, &r), ERR_OK);
	for (size_t i = 0; i < r.n && n < 16; i++)
		ids[n++] = r.hits[i].id;
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
			const char *t = ids[j];

			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", i ? " " : "", ids[i]);
	arena_release(&a);
	return out;
}

/* The best match for text. */
static const char *first_found(struct search_index *ix, const char *text)
{
	static char out[64];
	struct search_query q;
	struct search_result r;
	struct arena a;

	memset(&q, 0, sizeof(q));
	q.text = text;
	q.limit = 1;
	q.now = 1800000000;
	arena_init(&a);
	assert_int_equal(search_run(ix, &q, &a, &r), ERR_OK);
	snprintf(out, sizeof(out), "%s", r.n ? r.hits[0].id : "");
	arena_release(&a);
	return out;
}

static struct search_index *town(const char *lexicon)
{
	struct search_index *ix = index_with(lexicon);

	put(ix, "a", "Brigg Foodbank", "Emergency food parcels.");
	put(ix, "b", "Ashby Food Bank", "Food parcels on Fridays.");
	put(ix, "c", "Scunthorpe Time Bank", "Swap an hour of help for an hour of help.");
	put(ix, "d", "Bottesford Timebank", "Give and get help in hours.");
	put(ix, "e", "Drop-in advice", "Turn up without an appointment.");
	put(ix, "f", "Dropin cafe", "Tea and a chat.");
	put(ix, "g", "Breathe Easy", "A support group for people with lung conditions.");
	put(ix, "h", "Singing for COPD", "Songs that help breathing.");
	put(ix, "i", "Memory cafe", "For people living with dementia and carers.");
	put(ix, "j", "Walking group", "A gentle walk in the park.");
	return ix;
}

static void compounds_find_their_spaced_forms(void **state)
{
	struct search_index *ix = town(words);

	UNUSED(state);
	assert_string_equal(found(ix, "foodbank"), "a b");
	assert_string_equal(found(ix, "food bank"), "a b");
	assert_string_equal(found(ix, "food banks"), "a b");
	assert_string_equal(found(ix, "timebank"), "c d");
	assert_string_equal(found(ix, "time bank"), "c d");
	assert_string_equal(found(ix, "dropin"), "e f");
	assert_string_equal(found(ix, "drop-in"), "e f");
	/* Each word alone still finds what it did. */
	assert_string_equal(found(ix, "parcels"), "a b");
	search_free(ix);
}

static void synonyms_find_each_other(void **state)
{
	struct search_index *ix = town(words);

	UNUSED(state);
	assert_string_equal(found(ix, "copd"), "g h");
	assert_string_equal(found(ix, "lung"), "g h");
	assert_string_equal(found(ix, "breathing problems"), "g h");
	assert_string_equal(found(ix, "dementia"), "i");
	assert_string_equal(found(ix, "memory"), "i");
	/* Words in no group are as they were. */
	assert_string_equal(found(ix, "walking"), "j");
	search_free(ix);
}

static void without_a_lexicon_nothing_changes(void **state)
{
	struct search_index *ix = town(NULL);

	UNUSED(state);
	assert_string_equal(found(ix, "foodbank"), "a");
	/* "food bank" is not "foodbank" without the lexicon: Ashby Food
	 * Bank alone has both words (the others, with one of two words as
	 * common as each other, come after it: search.h). */
	assert_string_equal(first_found(ix, "food bank"), "b");
	assert_string_equal(found(ix, "food bank"), "a b c");
	assert_string_equal(found(ix, "copd"), "h");
	search_free(ix);
}

static void bad_lines_say_what_to_fix(void **state)
{
	static const struct { const char *line, *says; } bad[] = {
		{ "foodbank", "two or more words" },
		{ "foodbank = food", "foodbank = food bank" },
		{ "food bank = foodbank", "foodbank = food bank" },
		{ "a = b c", "no word the search can use" },
		{ "copd, lung = x", "not both" },
		{ "copd, chronic obstructive pulmonary", "one or two words" },
		{ "copd,", "no word the search can use" },
	};
	struct lexicon *lx = lexicon_new();
	char why[200];

	UNUSED(state);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		assert_int_equal(lexicon_add_line(lx, bad[i].line, why, sizeof(why)), ERR_INVALID);
		if (!strstr(why, bad[i].says))
			fail_msg("\"%s\": said \"%s\", not \"%s\"", bad[i].line, why, bad[i].says);
	}
	assert_int_equal(lexicon_rules(lx), 0);
	assert_int_equal(lexicon_add_line(lx, "   # only a comment", why, sizeof(why)), ERR_OK);
	assert_int_equal(lexicon_add_text(lx, "copd, lung\nnonsense\n", 20, why, sizeof(why)), ERR_INVALID);
	assert_non_null(strstr(why, "line 2:"));
	lexicon_free(lx);
}

/* The compounds and synonyms kith ships all read, and work. */
static void shipped_words_read(void **state)
{
	const struct embedded_file *f = embedded_find(embedded_data, embedded_data_n, "search/words.txt");
	struct lexicon *lx = lexicon_new();
	struct search_index *ix = search_new();
	char why[200] = "";

	UNUSED(state);
	assert_non_null(f);
	if (lexicon_add_text(lx, (const char *)f->data, f->len, why, sizeof(why)) != ERR_OK)
		fail_msg("data/search/words.txt: %s", why);
	assert_true(lexicon_rules(lx) > 40);
	search_set_lexicon(ix, lx);
	put(ix, "a", "Ashby Baby Bank", "Prams and clothes.");
	put(ix, "b", "Carers' cafe", "For caregivers.");
	assert_string_equal(found(ix, "babybank"), "a");
	assert_string_equal(found(ix, "caregiver"), "b");
	assert_string_equal(found(ix, "carer"), "b");
	search_free(ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(compounds_find_their_spaced_forms),
		cmocka_unit_test(synonyms_find_each_other),
		cmocka_unit_test(without_a_lexicon_nothing_changes),
		cmocka_unit_test(bad_lines_say_what_to_fix),
		cmocka_unit_test(shipped_words_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
