/*
 * test_crisis.c - the crisis classifier (src/safety/crisis.c): its recall
 * and precision on the labelled sets in tests/data/crisis/ (failing below
 * floors set from the measured figures), the issue's own examples one by
 * one, the span shown to moderators, normalisation, empty, huge and
 * invalid input, long sentences, and that it gives the same answer from
 * many threads at once.
 *
 * Run from the repository root (the sets are read from tests/data/).
 * It prints the figures and every line it gets wrong, for the report.
 */
#include "core/common.h"

#include <pthread.h>
#include <setjmp.h>
#include <cmocka.h>

#include "safety/crisis.h"

#define LABELLED "tests/data/crisis/labelled.tsv"
#define HELD_OUT "tests/data/crisis/held_out.tsv"
#define LINES_MAX 2000
#define LINE_MAX_BYTES 4096

/* Floors, from the figures measured when the sets were written (the
 * commit that added this test): labelled.tsv is the set the patterns were
 * tuned on, so its floors are near what it scores; held_out.tsv was never
 * tuned on, and its figures are the honest estimate. Recall first: a
 * missed person at risk costs more than a help panel shown to someone
 * who did not need it. */
static const struct floors {
	const char *path;
	double recall, precision;          /* signposting: urgent + concern against none */
	double urgent_recall, urgent_precision;
	size_t min_lines;
} floors[] = {
	{ LABELLED, 0.97, 0.99, 0.95, 0.99, 300 },
	{ HELD_OUT, 0.75, 0.96, 0.78, 0.97, 100 },
};

struct item {
	enum crisis_level want;
	char text[LINE_MAX_BYTES];
	size_t len;
};

static struct item items[LINES_MAX];

/* Reads "label<TAB>text" lines ("\n" in text is a line break); returns
 * how many. */
static size_t read_set(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[LINE_MAX_BYTES];
	size_t n = 0;

	if (!f)
		fail_msg("cannot read %s (run from the repository root)", path);
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		char *tab;

		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		tab = strchr(line, '\t');
		if (!tab)
			fail_msg("%s: a line with no tab: %s", path, line);
		*tab = '\0';
		assert_true(n < LINES_MAX);
		if (strcmp(line, "urgent") == 0)
			items[n].want = CRISIS_URGENT;
		else if (strcmp(line, "concern") == 0)
			items[n].want = CRISIS_CONCERN;
		else if (strcmp(line, "none") == 0)
			items[n].want = CRISIS_NONE;
		else
			fail_msg("%s: unknown label \"%s\"", path, line);
		size_t o = 0;
		for (const char *p = tab + 1; *p; p++) {
			if (p[0] == '\\' && p[1] == 'n') {
				items[n].text[o++] = '\n';
				p++;
			} else
				items[n].text[o++] = *p;
		}
		items[n].text[o] = '\0';
		items[n].len = o;
		n++;
	}
	fclose(f);
	return n;
}

static double ratio(size_t a, size_t b)
{
	return b ? (double)a / (double)b : 1.0;
}

static void measure(const struct floors *fl)
{
	size_t n = read_set(fl->path), tp = 0, fp = 0, fn = 0, utp = 0, ufp = 0, ufn = 0;
	size_t positives = 0;

	assert_true(n >= fl->min_lines);
	for (size_t i = 0; i < n; i++) {
		struct crisis_result r;
		bool want = items[i].want != CRISIS_NONE, got;

		crisis_classify(items[i].text, items[i].len, &r);
		got = r.signpost;
		positives += want;
		tp += want && got;
		fp += !want && got;
		fn += want && !got;
		utp += items[i].want == CRISIS_URGENT && r.urgent;
		ufp += items[i].want != CRISIS_URGENT && r.urgent;
		ufn += items[i].want == CRISIS_URGENT && !r.urgent;
		if (want != got || (items[i].want == CRISIS_URGENT) != r.urgent)
			printf("  %s: want %s, got %s: %s\n", fl->path, crisis_level_name(items[i].want),
				crisis_level_name(r.level), items[i].text);
	}
	double rec = ratio(tp, tp + fn), prec = ratio(tp, tp + fp);
	double urec = ratio(utp, utp + ufn), uprec = ratio(utp, utp + ufp);
	printf("%s: %zu lines (%zu to signpost): signposting recall %.3f precision %.3f; "
		"urgent flag recall %.3f precision %.3f\n", fl->path, n, positives, rec, prec, urec, uprec);
	/* About half harmless, as the issue asks. */
	assert_true(positives * 10 >= n * 4 && positives * 10 <= n * 6);
	assert_true(rec >= fl->recall - 1e-9);
	assert_true(prec >= fl->precision - 1e-9);
	assert_true(urec >= fl->urgent_recall - 1e-9);
	assert_true(uprec >= fl->urgent_precision - 1e-9);
}

static void tables_compile(void **state)
{
	UNUSED(state);
	const char *problem = crisis_tables_problem();
	if (problem)
		fail_msg("crisis tables: %s", problem);
}

static void labelled_set(void **state)
{
	UNUSED(state);
	measure(&floors[0]);
}

static void held_out_set(void **state)
{
	UNUSED(state);
	measure(&floors[1]);
}

static struct crisis_result classify(const char *s)
{
	struct crisis_result r;

	crisis_classify(s, strlen(s), &r);
	return r;
}

static void is_level(const char *s, enum crisis_level want)
{
	struct crisis_result r = classify(s);

	if (r.level != want)
		fail_msg("\"%s\": want %s, got %s (\"%.*s\": %s)", s, crisis_level_name(want),
			crisis_level_name(r.level), (int)(r.end - r.start), s + r.start, r.why);
	assert_int_equal(r.signpost, want != CRISIS_NONE);
	assert_int_equal(r.urgent, want == CRISIS_URGENT);
}

/* The examples and the brief's list, each on its own. */
static void must_catch(void **state)
{
	static const char *const urgent[] = {
		"I don't want to be here any more",
		"I'm going to kill myself.",
		"I think I'll just end it all.",
		"I want to end my life.",
		"I'm going to take my own life.",
		"I don't want to be alive any more.",
		"I don't want to be around any more.",
		"I want to die.",
		"Everyone would be better off without me.",
		"I'd be better off dead.",
		"I have no reason to live.",
		"There's no point living like this.",
		"There's no point going on.",
		"I can't go on.",
		"I want to hurt myself.",
		"I keep harming myself.",
		"I cut myself again last night.",
		"I'm going to overdose.",
		"I took all my tablets.",
		"This is my last post, goodbye forever.",
		"I'm planning to kill myself on Friday.",
		"I'm suicidal.",
		"I've been thinking about suicide.",
		"I wish I wasn't here.",
		"I wish I could go to sleep and not wake up.",
		"Nobody would miss me.",
		"He is going to hurt me.",
		"She said she's going to kill me.",
		"I'm not safe at home.",
		"I'm scared for my life.",
		"Someone is threatening me.",
		"My son says he wants to kill himself.",
	};
	static const char *const concern[] = {
		"I'm a burden.",
		"I feel hopeless.",
		"I can't cope any more.",
		"I can't do this any more.",
		/* Past, and better now: a gentle signpost, no urgent flag
		 * (crisis.h says why). */
		"I used to feel I wanted to die but I'm much better now.",
		"I tried to kill myself years ago.",
	};
	UNUSED(state);
	for (size_t i = 0; i < ARRAY_LEN(urgent); i++)
		is_level(urgent[i], CRISIS_URGENT);
	for (size_t i = 0; i < ARRAY_LEN(concern); i++)
		is_level(concern[i], CRISIS_CONCERN);
}

static void must_not_catch(void **state)
{
	static const char *const none[] = {
		"this hill is killing me",
		"My feet are killing me.",
		"I could kill for a cup of tea.",
		"I'm dying to see the new garden.",
		"We died laughing.",
		"Just killing time before my appointment.",
		"The batteries died.",
		"My mum died last year.",
		"I'm not suicidal.",
		"The film was about suicide.",
		"I did suicide prevention training.",
		"We need to kill the weeds.",
		"I'm dead tired.",
		"Over my dead body.",
		"I'd die of embarrassment.",
		"I would never kill myself.",
		"If you ever feel suicidal, call the Samaritans on 116 123.",
		"My GP asked if I'd thought about ending my life and I said no.",
		"My wife is going to kill me when she sees the bill.",
		"I cut myself chopping onions.",
		"I took all my tablets this morning like the pharmacist said.",
		"\"I want to die\" is the first line of the novel.",
		"My brother took his own life in 2009.",
		"",
	};
	UNUSED(state);
	for (size_t i = 0; i < ARRAY_LEN(none); i++)
		is_level(none[i], CRISIS_NONE);
}

/* The phrase a moderator sees, and what it says it is. */
static void span_points_at_the_phrase(void **state)
{
	static const struct {
		const char *text, *phrase;
		enum crisis_kind kind;
	} cases[] = {
		{ "Lovely walk today. Honestly I don't want to be here anymore. See you Thursday x",
			"don't want to be here anymore", CRISIS_SUICIDE },
		{ "Had my review. I have been cutting myself again. The nurse was nice.",
			"cutting myself", CRISIS_SELF_HARM },
		{ "He said he\xe2\x80\x99s going to kill me if I leave.", "going to kill me", CRISIS_DANGER },
		{ "my dad keeps saying he wants to die", "wants to die", CRISIS_OTHER },
		{ "I feel completely hopeless.", "hopeless", CRISIS_DESPAIR },
		/* The urgent one wins over an earlier concern. */
		{ "I can't cope. I want to die.", "want to die", CRISIS_SUICIDE },
		/* Of two urgent ones, the first. */
		{ "I want to die. I took all my pills.", "want to die", CRISIS_SUICIDE },
	};
	UNUSED(state);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct crisis_result r = classify(cases[i].text);
		size_t n = strlen(cases[i].phrase);

		assert_true(r.signpost);
		assert_true(r.start < r.end && r.end <= strlen(cases[i].text));
		if (r.end - r.start != n || memcmp(cases[i].text + r.start, cases[i].phrase, n) != 0)
			fail_msg("\"%s\": span \"%.*s\", want \"%s\"", cases[i].text, (int)(r.end - r.start),
				cases[i].text + r.start, cases[i].phrase);
		assert_int_equal(r.kind, cases[i].kind);
		assert_true(r.why && r.why[0]);
	}
	struct crisis_result r = classify("Nothing to see here.");
	assert_int_equal(r.start, 0);
	assert_int_equal(r.end, 0);
	assert_string_equal(r.why, "");
	assert_int_equal(r.kind, CRISIS_KIND_NONE);
}

/* One way of saying it, many ways of writing it. */
static void normalisation(void **state)
{
	static const char *const same[] = {
		"I don't want to be here any more.",
		"I DON'T WANT TO BE HERE ANY MORE",
		"I don\xe2\x80\x99t want to be here anymore",          /* curly apostrophe */
		"I dont want to be here any longer",
		"I do not want to be here anymore",
		"i dont wanna be here no more",
		"I   don't\twant to be\r\nhere",                          /* a line break ends a sentence... */
		"Im so done with liiiife",
		"i wanna dieeee",
		"I want to d\xc3\xadie",                                  /* "díe": accents fold */
		"i want to k\xe2\x80\x8bill myself",                      /* a zero-width space inside */
		"u r all better off without me",
		"cant go on",
		"im gonna kms",
		"i wnt to kill myslef",
		"Honestly... want to die",
	};
	UNUSED(state);
	for (size_t i = 0; i < ARRAY_LEN(same); i++) {
		struct crisis_result r = classify(same[i]);
		/* ...so the one split by a line break is not the phrase. */
		if (i == 6) {
			assert_false(r.signpost);
			continue;
		}
		if (!r.urgent)
			fail_msg("\"%s\" should be urgent, is %s", same[i], crisis_level_name(r.level));
	}
	/* Case never changes the answer or the span, for every labelled line. */
	size_t n = read_set(LABELLED);
	for (size_t i = 0; i < n; i++) {
		struct crisis_result a, b;
		char up[LINE_MAX_BYTES];
		for (size_t k = 0; k <= items[i].len; k++)
			up[k] = items[i].text[k] >= 'a' && items[i].text[k] <= 'z' ? (char)(items[i].text[k] - 32)
				: items[i].text[k];
		crisis_classify(items[i].text, items[i].len, &a);
		crisis_classify(up, items[i].len, &b);
		if (a.level != b.level || a.start != b.start || a.end != b.end)
			fail_msg("case changes the answer: %s", items[i].text);
	}
}

/* A span of whole characters in p[0..n): it starts where a character
 * starts and ends after a complete one (as fuzz/fuzz_crisis.c checks). */
static void assert_on_boundaries(const char *p, size_t n, const struct crisis_result *r)
{
	const unsigned char *u = (const unsigned char *)p;

	assert_true(r->start <= r->end && r->end <= n);
	if (r->start == r->end)
		return;
	assert_true((u[r->start] & 0xc0) != 0x80);
	size_t lead = r->end - 1, need = 1;
	while (lead > r->start && r->end - lead < 4 && (u[lead] & 0xc0) == 0x80)
		lead--;
	if (u[lead] >= 0xc2 && u[lead] <= 0xdf)
		need = 2;
	else if (u[lead] >= 0xe0 && u[lead] <= 0xef)
		need = 3;
	else if (u[lead] >= 0xf0 && u[lead] <= 0xf4)
		need = 4;
	else
		assert_true(u[lead] < 0x80);
	assert_int_equal(r->end - lead, need);
}

static void empty_huge_and_invalid(void **state)
{
	struct crisis_result r;
	static char big[CRISIS_TEXT_MAX * 5];
	const char risk[] = "I want to die.";
	UNUSED(state);

	crisis_classify(NULL, 0, &r);
	assert_false(r.signpost);
	assert_false(r.truncated);
	crisis_classify("", 0, &r);
	assert_false(r.signpost);
	crisis_classify("   \n\n ...  ", 11, &r);
	assert_false(r.signpost);

	/* A long harmless post with the risk sentence in the middle. */
	size_t o = 0;
	while (o + 64 < CRISIS_TEXT_MAX / 2)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "The walk was lovely and the tea was hot. ");
	size_t at = o;
	o += (size_t)snprintf(big + o, sizeof(big) - o, "%s ", risk);
	while (o + 64 < CRISIS_TEXT_MAX - 100)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "See you all on Thursday at the hall. ");
	crisis_classify(big, o, &r);
	assert_true(r.urgent);
	assert_false(r.truncated);
	assert_int_equal(r.start, at + 2);

	/* Past CRISIS_TEXT_MAX it is not read, and truncated says so. */
	o = 0;
	while (o + 64 < CRISIS_TEXT_MAX + 1000)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "The walk was lovely and the tea was hot. ");
	o += (size_t)snprintf(big + o, sizeof(big) - o, "%s", risk);
	crisis_classify(big, o, &r);
	assert_true(r.truncated);
	assert_false(r.signpost);

	/* Cut inside a character: the partial character is not read. */
	memset(big, 'a', CRISIS_TEXT_MAX - 1);
	memcpy(big + CRISIS_TEXT_MAX - 1, "\xc3\xa9 I want to die", 16);
	crisis_classify(big, CRISIS_TEXT_MAX + 15, &r);
	assert_true(r.truncated);
	assert_false(r.signpost);

	/* Invalid bytes are spaces; the span stays on character boundaries. */
	static const char *const bad[] = {
		"I want to die\xff\xfe",
		"\x80\x80I want\xc3 to die",
		"I want to\xed\xa0\x80 die",                      /* a surrogate */
		"\xf0\x9f\x98\x82I want to die\xe2\x80",          /* an emoji, then a cut character */
		"I w\xc0\xafnt to die",                           /* an overlong '/' splits the word */
		"I want to die\x80\x80",                          /* stray continuation bytes after it */
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		size_t n = strlen(bad[i]);
		crisis_classify(bad[i], n, &r);
		assert_on_boundaries(bad[i], n, &r);
		if (i != 4)
			assert_true(r.urgent);
		else
			assert_false(r.signpost);
	}
	/* NUL bytes are read as spaces too. */
	crisis_classify("I want\0to die", 13, &r);
	assert_true(r.urgent);
}

/* A sentence longer than one window, with the phrase across the seams. */
static void long_sentences(void **state)
{
	static char buf[8192];
	UNUSED(state);

	for (size_t before = 0; before < 260; before += 7) {
		size_t o = 0;
		for (size_t i = 0; i < before; i++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "word ");
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "and I honestly want to end it all ");
		for (size_t i = 0; i < 150; i++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "and more ");
		struct crisis_result r;
		crisis_classify(buf, o, &r);
		if (!r.urgent)
			fail_msg("missed after %zu words", before);
		assert_int_equal(r.end - r.start, strlen("end it all"));
	}
}

/* Appending harmless sentences never lowers the level. */
static void appending_keeps_it(void **state)
{
	size_t n = read_set(LABELLED);
	static char buf[LINE_MAX_BYTES + 256];
	UNUSED(state);

	for (size_t i = 0; i < n; i++) {
		struct crisis_result a, b;
		crisis_classify(items[i].text, items[i].len, &a);
		int len = snprintf(buf, sizeof(buf), "%s\nThe walk on Thursday was lovely and the tea was good.",
			items[i].text);
		crisis_classify(buf, (size_t)len, &b);
		if (b.level < a.level)
			fail_msg("appending lowered it: %s", items[i].text);
	}
}

struct worker {
	size_t from, to;
	int differ;
	enum crisis_level *want;
};

static void *work(void *arg)
{
	struct worker *w = arg;

	for (int round = 0; round < 20; round++)
		for (size_t i = w->from; i < w->to; i++) {
			struct crisis_result r;
			crisis_classify(items[i].text, items[i].len, &r);
			w->differ += r.level != w->want[i];
		}
	return NULL;
}

/* Many threads at once give the answers one thread gives. */
static void threads(void **state)
{
	static enum crisis_level want[LINES_MAX];
	struct worker w[8];
	pthread_t t[8];
	size_t n = read_set(LABELLED);
	UNUSED(state);

	for (size_t i = 0; i < n; i++) {
		struct crisis_result r;
		crisis_classify(items[i].text, items[i].len, &r);
		want[i] = r.level;
	}
	for (size_t k = 0; k < 8; k++) {
		w[k] = (struct worker){ k * n / 8 / 2, n - k * n / 8 / 2, 0, want };
		assert_int_equal(pthread_create(&t[k], NULL, work, &w[k]), 0);
	}
	for (size_t k = 0; k < 8; k++) {
		assert_int_equal(pthread_join(t[k], NULL), 0);
		assert_int_equal(w[k].differ, 0);
	}
}

static void names(void **state)
{
	UNUSED(state);
	assert_string_equal(crisis_level_name(CRISIS_URGENT), "urgent");
	assert_string_equal(crisis_level_name((enum crisis_level)99), "none");
	assert_string_equal(crisis_kind_name(CRISIS_DANGER), "danger");
	assert_string_equal(crisis_kind_name((enum crisis_kind)99), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tables_compile),
		cmocka_unit_test(labelled_set),
		cmocka_unit_test(held_out_set),
		cmocka_unit_test(must_catch),
		cmocka_unit_test(must_not_catch),
		cmocka_unit_test(span_points_at_the_phrase),
		cmocka_unit_test(normalisation),
		cmocka_unit_test(empty_huge_and_invalid),
		cmocka_unit_test(long_sentences),
		cmocka_unit_test(appending_keeps_it),
		cmocka_unit_test(threads),
		cmocka_unit_test(names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
