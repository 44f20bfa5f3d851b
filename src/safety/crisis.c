/*
 * crisis.c - the crisis classifier's engine (crisis.h is the manual).
 *
 * Three steps, in one pass over the text and no allocation:
 *   1. Words. UTF-8 is decoded (invalid bytes are spaces), letters are
 *      lowercased and folded, contractions and texting forms rewritten
 *      (crisis_expands), pairs merged ("no one" -> "nobody"), and each
 *      word looked up to an id in a hash of the words the patterns use
 *      (unknown words are id 0 but still take a place). A word not found
 *      is tried again as an alias (a known misspelling) and then with
 *      doubled letters squeezed ("dieee", "kil", "pils"). Each token keeps
 *      the bytes it came from, for the span.
 *   2. Sentences. Tokens gather until . ! ? ; or a line break (96 at
 *      most: a longer run is read in windows that overlap by 24), with
 *      commas, colons and dashes marked as hard breaks inside. For each
 *      token the patterns that can start with its id are tried (an index
 *      built once); rules give candidate findings, marks give context.
 *   3. Judging each finding in its sentence: cancelled by an idiom it
 *      overlaps? whose is it (the subject before it)? negated? inside an
 *      if-clause? past, distant, recent? The best finding of the post
 *      wins; a few depend on the whole post (grief, recovery) and are
 *      settled at the end.
 *
 * The tables are compiled once under pthread_once into static arrays
 * that are only read afterwards, so classifying is thread-safe.
 */
#include "core/common.h"

#include <pthread.h>

#include "safety/crisis.h"
#include "safety/crisis_int.h"

#define WORD_MAX     24         /* bytes of a word we can match, with its NUL */
#define SENT_TOKENS  96         /* tokens read as one sentence at a time */
#define SENT_KEEP    24         /* ... of which a long sentence's next window repeats */
#define VOCAB_MAX    2048       /* distinct words of all the tables */
#define HASH_SIZE    8192       /* power of two, > 2 x the words it holds */
#define ELEMS_MAX    4096
#define IDS_MAX      8192
#define PATS_MAX     512
#define EXPANDS_MAX  256
#define PHRASES_MAX  512        /* phrases of all phrase classes */
#define PHRASE_CLASSES_MAX 32
#define FIRST_MAX    16384
#define HITS_MAX     32
#define MARKS_MAX    48
#define CANDS_MAX    16

enum { BRK_NONE, BRK_SOFT, BRK_HARD };

/* ---------------------------------------------------------------- tables */

enum op { OP_SET, OP_OPT, OP_NOT, OP_GAP, OP_END, OP_PHRASE, OP_OPTPHRASE };

struct elem {
	uint8_t op;
	uint8_t gap;               /* OP_GAP: up to this many words */
	uint16_t nids;             /* words; OP_*PHRASE: phrases */
	uint32_t ids;              /* offset in pat_ids; OP_*PHRASE: in phrase_at */
	uint64_t cls;              /* classes, 1 << enum crisis_class */
};

/* One phrase of a phrase class: words pat_ids[off .. off + len). */
struct phrase {
	uint16_t off, len;
};

struct pat {
	uint16_t el, nel;          /* elements, in elems */
};

static char vocab[VOCAB_MAX][WORD_MAX];
static uint64_t vocab_cls[VOCAB_MAX];
static size_t nvocab;                  /* ids are 1..nvocab; 0 is "not a word we know" */
static uint16_t hash_exact[HASH_SIZE];  /* vocabulary words */
static uint16_t hash_alias[HASH_SIZE];  /* aliases: id of the word they stand for */
static char alias_key[VOCAB_MAX][WORD_MAX];
static size_t nalias;
static uint16_t hash_squeeze[HASH_SIZE]; /* squeezed forms of both */
static char squeeze_key[VOCAB_MAX * 2][WORD_MAX];
static size_t nsqueeze;
static struct elem elems[ELEMS_MAX];
static size_t nelems;
static uint16_t pat_ids[IDS_MAX];
static size_t npat_ids;
static struct pat pats[PATS_MAX];      /* rules, then marks */
static struct phrase phrase_at[PHRASES_MAX];
static size_t nphrase_at;
static struct { uint16_t first, n; } phrase_class[PHRASE_CLASSES_MAX];
static bool pat_ok[PATS_MAX];
static uint32_t first_off[VOCAB_MAX + 2];
static uint16_t first_pat[FIRST_MAX];
static struct { uint16_t a, b, to; } merges[64];
static size_t nmerges;
static const char *problem;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* Ids of words the engine names. */
static uint16_t id_if, id_even, id_else, id_honest, id_truthful, id_own, id_my, id_our, id_lol,
	id_num, id_few, id_year, id_to, id_would, id_stop, id_help, id_no, id_more, id_taken;
static int tail_class = -1;             /* the phrase class "TAIL", if any */
static uint16_t id_know, id_me, id_us;
static uint16_t id_two_after[16];      /* "want 2 die": "2" is "to" after these */
static size_t nid_two_after;

static void set_problem(const char *why)
{
	if (!problem)
		problem = why;
}

static uint32_t hash_word(const char *w)
{
	uint32_t h = 2166136261u;

	for (; *w; w++)
		h = (h ^ (uint8_t)*w) * 16777619u;
	return h;
}

/* Looks w up in a hash table whose slots hold 1-based indexes into keys
 * (a table of WORD_MAX strings, keys_stride apart). */
static uint16_t hash_find(const uint16_t *table, const char (*keys)[WORD_MAX], const char *w,
		const uint16_t *vals)
{
	uint32_t h = hash_word(w) & (HASH_SIZE - 1);

	for (;;) {
		uint16_t k = table[h];
		if (!k)
			return 0;
		if (strcmp(keys[k - 1], w) == 0)
			return vals ? vals[k - 1] : k;
		h = (h + 1) & (HASH_SIZE - 1);
	}
}

static void hash_put(uint16_t *table, const char *w, uint16_t slot)
{
	uint32_t h = hash_word(w) & (HASH_SIZE - 1);

	while (table[h])
		h = (h + 1) & (HASH_SIZE - 1);
	table[h] = slot;
}

static uint16_t hash_expand[HASH_SIZE]; /* crisis_expands, by "from" */
static char expand_key[EXPANDS_MAX][WORD_MAX];
static uint16_t expand_idx[EXPANDS_MAX];
static size_t nexpand;
static uint16_t alias_to[VOCAB_MAX];
static uint16_t squeeze_to[VOCAB_MAX * 2];

static uint16_t vocab_id(const char *w)
{
	return hash_find(hash_exact, (const char (*)[WORD_MAX])vocab, w, NULL);
}

/* Doubled letters made single: "killl" -> "kil", "pills" -> "pils". */
static void squeeze(const char *w, char *out)
{
	size_t o = 0;

	for (size_t i = 0; w[i] && o < WORD_MAX - 1; i++)
		if (o == 0 || out[o - 1] != w[i])
			out[o++] = w[i];
	out[o] = '\0';
}

/* Calls fn for each space-separated word of s that is a word (not an
 * operator); used to gather the vocabulary. */
static void words_of(const char *s, void (*fn)(const char *w, size_t n))
{
	while (*s) {
		while (*s == ' ' || *s == '|' || *s == '?' || *s == '!')
			s++;
		const char *e = s;
		while (*e && *e != ' ' && *e != '|')
			e++;
		if (e > s && *s != '@' && *s != '*' && *s != '$')
			fn(s, (size_t)(e - s));
		s = e;
	}
}

/* Adds a word once (hash_exact holds what is gathered so far; it is
 * rebuilt once the words are sorted). */
static void gather(const char *w, size_t n)
{
	char word[WORD_MAX];

	if (n >= WORD_MAX) {
		set_problem("a pattern word is longer than WORD_MAX");
		return;
	}
	memcpy(word, w, n);
	word[n] = '\0';
	if (vocab_id(word))
		return;
	if (nvocab >= VOCAB_MAX) {
		set_problem("more words than VOCAB_MAX");
		return;
	}
	memcpy(vocab[nvocab], word, n + 1);
	nvocab++;
	hash_put(hash_exact, word, (uint16_t)nvocab);
}

static int cmp_word(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void vocab_build(void)
{
	size_t i;

	for (i = 0; i < C__MAX; i++)
		words_of(crisis_classes[i].words, gather);
	for (i = 0; i < crisis_nphrases; i++) {
		/* words_of splits at spaces and bars alike */
		words_of(crisis_phrases[i].phrases, gather);
	}
	for (i = 0; i < crisis_nrules; i++)
		words_of(crisis_rules[i].pat, gather);
	for (i = 0; i < crisis_nmarks; i++)
		words_of(crisis_marks[i].pat, gather);
	for (i = 0; i < crisis_nexpands; i++)
		words_of(crisis_expands[i].to, gather);
	for (i = 0; i < crisis_nmerges; i++) {
		words_of(crisis_merges[i].first, gather);
		words_of(crisis_merges[i].second, gather);
		words_of(crisis_merges[i].to, gather);
	}
	for (i = 0; i < crisis_naliases; i++)
		words_of(crisis_aliases[i].to, gather);
	for (i = 0; i < crisis_nengine_words; i++)
		words_of(crisis_engine_words[i], gather);
	/* Sorted, so ids do not depend on the order of the tables. */
	qsort(vocab, nvocab, WORD_MAX, cmp_word);
	memset(hash_exact, 0, sizeof(hash_exact));
	for (i = 0; i < nvocab; i++)
		hash_put(hash_exact, vocab[i], (uint16_t)(i + 1));

	for (i = 0; i < crisis_naliases && nalias < VOCAB_MAX; i++) {
		uint16_t to = vocab_id(crisis_aliases[i].to);
		if (!to || strlen(crisis_aliases[i].from) >= WORD_MAX) {
			set_problem("an alias names a word no pattern uses");
			continue;
		}
		if (vocab_id(crisis_aliases[i].from))
			continue;               /* a word in its own right */
		memcpy(alias_key[nalias], crisis_aliases[i].from, strlen(crisis_aliases[i].from) + 1);
		alias_to[nalias] = to;
		nalias++;
		hash_put(hash_alias, crisis_aliases[i].from, (uint16_t)nalias);
	}
	/* Squeezed forms: the first word to claim one keeps it. */
	for (i = 0; i < nvocab + nalias; i++) {
		char sq[WORD_MAX];
		const char *w = i < nvocab ? vocab[i] : alias_key[i - nvocab];
		uint16_t to = i < nvocab ? (uint16_t)(i + 1) : alias_to[i - nvocab];

		if (w[0] == '#')
			continue;
		squeeze(w, sq);
		if (hash_find(hash_squeeze, (const char (*)[WORD_MAX])squeeze_key, sq, NULL))
			continue;
		memcpy(squeeze_key[nsqueeze], sq, WORD_MAX);
		squeeze_to[nsqueeze] = to;
		nsqueeze++;
		hash_put(hash_squeeze, sq, (uint16_t)nsqueeze);
	}
}

static int class_index(const char *name, size_t n)
{
	for (int c = 0; c < C__MAX; c++)
		if (strlen(crisis_classes[c].name) == n && memcmp(crisis_classes[c].name, name, n) == 0)
			return c;
	return -1;
}

/* One element ("?a|b|@C", "*3", "$") into elems; false if it is wrong. */
static bool compile_elem(const char *s, size_t n)
{
	struct elem *e;

	if (nelems >= ELEMS_MAX) {
		set_problem("more pattern elements than ELEMS_MAX");
		return false;
	}
	e = &elems[nelems];
	memset(e, 0, sizeof(*e));
	if (n == 1 && s[0] == '$') {
		e->op = OP_END;
		nelems++;
		return true;
	}
	if (s[0] == '*') {
		e->op = OP_GAP;
		e->gap = (uint8_t)(n == 2 && s[1] >= '1' && s[1] <= '9' ? s[1] - '0' : 0);
		if (!e->gap) {
			set_problem("a gap is not *1 to *9");
			return false;
		}
		nelems++;
		return true;
	}
	e->op = OP_SET;
	if (s[0] == '?' || s[0] == '!') {
		e->op = s[0] == '?' ? OP_OPT : OP_NOT;
		s++, n--;
	}
	if (n > 2 && s[0] == '@' && s[1] == '@') {
		size_t c;
		for (c = 0; c < crisis_nphrases && c < PHRASE_CLASSES_MAX; c++)
			if (strlen(crisis_phrases[c].name) == n - 2 && memcmp(crisis_phrases[c].name, s + 2, n - 2) == 0)
				break;
		if (c == crisis_nphrases || c >= PHRASE_CLASSES_MAX || e->op == OP_NOT) {
			set_problem("a pattern names an unknown phrase class, or negates one");
			return false;
		}
		e->op = e->op == OP_OPT ? OP_OPTPHRASE : OP_PHRASE;
		e->ids = phrase_class[c].first;
		e->nids = phrase_class[c].n;
		nelems++;
		return true;
	}
	e->ids = (uint32_t)npat_ids;
	while (n) {
		size_t k = 0;
		while (k < n && s[k] != '|')
			k++;
		if (k == 0) {
			set_problem("an empty alternative");
			return false;
		}
		if (s[0] == '@') {
			int c = class_index(s + 1, k - 1);
			if (c < 0) {
				set_problem("a pattern names an unknown class");
				return false;
			}
			e->cls |= 1ull << c;
		} else {
			char w[WORD_MAX];
			uint16_t id;
			if (k >= WORD_MAX || npat_ids >= IDS_MAX) {
				set_problem("a word too long, or more words than IDS_MAX");
				return false;
			}
			memcpy(w, s, k);
			w[k] = '\0';
			id = vocab_id(w);
			if (!id) {
				set_problem("a pattern word is missing from the vocabulary");
				return false;
			}
			pat_ids[npat_ids++] = id;
			e->nids++;
		}
		s += k;
		n -= k;
		if (n) {
			s++;
			n--;
		}
	}
	nelems++;
	return true;
}

static bool compile_pat(const char *p, struct pat *out)
{
	size_t start = nelems;

	out->el = (uint16_t)nelems;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		if (e > p && !compile_elem(p, (size_t)(e - p))) {
			nelems = start;
			return false;
		}
		p = e;
	}
	out->nel = (uint16_t)(nelems - start);
	if (!out->nel || elems[start].op != OP_SET) {
		set_problem("a pattern must start with a word or an alternation");
		nelems = start;
		return false;
	}
	return true;
}

static bool elem_has(const struct elem *e, uint16_t id)
{
	if (!id)
		return false;
	if (vocab_cls[id - 1] & e->cls)
		return true;
	for (size_t i = 0; i < e->nids; i++)
		if (pat_ids[e->ids + i] == id)
			return true;
	return false;
}

static void classes_build(void)
{
	for (int c = 0; c < C__MAX; c++) {
		const char *s = crisis_classes[c].words;
		while (*s) {
			char w[WORD_MAX];
			size_t n = 0;
			while (*s == ' ')
				s++;
			while (s[n] && s[n] != ' ')
				n++;
			if (n && n < WORD_MAX) {
				memcpy(w, s, n);
				w[n] = '\0';
				uint16_t id = vocab_id(w);
				if (id)
					vocab_cls[id - 1] |= 1ull << c;
			}
			s += n;
		}
	}
}

/* The index from a word's id to the patterns whose first element it can
 * be: counted, then filled. */
static void first_build(size_t npats)
{
	size_t total = 0;

	for (uint16_t id = 1; id <= nvocab; id++) {
		first_off[id] = (uint32_t)total;
		for (size_t p = 0; p < npats; p++) {
			if (!pat_ok[p] || !elem_has(&elems[pats[p].el], id))
				continue;
			if (total >= FIRST_MAX) {
				set_problem("more first-word entries than FIRST_MAX");
				continue;
			}
			first_pat[total++] = (uint16_t)p;
		}
	}
	first_off[nvocab + 1] = (uint32_t)total;
	first_off[0] = 0;
}

/* Phrase classes: each phrase's words into pat_ids. */
static void phrases_build(void)
{
	for (size_t c = 0; c < crisis_nphrases && c < PHRASE_CLASSES_MAX; c++) {
		const char *s = crisis_phrases[c].phrases;
		phrase_class[c].first = (uint16_t)nphrase_at;
		while (*s) {
			struct phrase ph = { (uint16_t)npat_ids, 0 };
			while (*s && *s != '|') {
				char w[WORD_MAX];
				size_t n = 0;
				while (*s == ' ')
					s++;
				while (s[n] && s[n] != ' ' && s[n] != '|')
					n++;
				if (n && n < WORD_MAX && npat_ids < IDS_MAX) {
					memcpy(w, s, n);
					w[n] = '\0';
					pat_ids[npat_ids++] = vocab_id(w);
					ph.len++;
				} else if (n) {
					set_problem("a phrase word is too long, or more words than IDS_MAX");
				}
				s += n;
				while (*s == ' ')
					s++;
			}
			if (*s == '|')
				s++;
			if (!ph.len || nphrase_at >= PHRASES_MAX) {
				set_problem("an empty phrase, or more phrases than PHRASES_MAX");
				continue;
			}
			phrase_at[nphrase_at++] = ph;
			phrase_class[c].n++;
		}
	}
	if (crisis_nphrases > PHRASE_CLASSES_MAX)
		set_problem("more phrase classes than PHRASE_CLASSES_MAX");
}

static void tables_build(void)
{
	size_t npats = crisis_nrules + crisis_nmarks;

	if (npats > PATS_MAX) {
		set_problem("more patterns than PATS_MAX");
		npats = PATS_MAX;
	}
	vocab_build();
	classes_build();
	phrases_build();
	for (size_t i = 0; i < crisis_nexpands; i++) {
		size_t n = strlen(crisis_expands[i].from);
		if (nexpand >= EXPANDS_MAX || n >= WORD_MAX) {
			set_problem("more rewrites than EXPANDS_MAX, or one too long");
			break;
		}
		memcpy(expand_key[nexpand], crisis_expands[i].from, n + 1);
		expand_idx[nexpand] = (uint16_t)i;
		nexpand++;
		hash_put(hash_expand, crisis_expands[i].from, (uint16_t)nexpand);
	}
	for (size_t p = 0; p < npats; p++) {
		const char *s = p < crisis_nrules ? crisis_rules[p].pat : crisis_marks[p - crisis_nrules].pat;
		pat_ok[p] = compile_pat(s, &pats[p]);
	}
	first_build(npats);
	for (size_t i = 0; i < crisis_nmerges && nmerges < ARRAY_LEN(merges); i++) {
		merges[nmerges].a = vocab_id(crisis_merges[i].first);
		merges[nmerges].b = vocab_id(crisis_merges[i].second);
		merges[nmerges].to = vocab_id(crisis_merges[i].to);
		nmerges++;
	}
	id_if = vocab_id("if");
	id_even = vocab_id("even");
	id_else = vocab_id("else");
	id_honest = vocab_id("honest");
	id_truthful = vocab_id("truthful");
	id_own = vocab_id("own");
	id_my = vocab_id("my");
	id_our = vocab_id("our");
	id_lol = vocab_id("lol");
	id_num = vocab_id("#num");
	id_few = vocab_id("#few");
	id_stop = vocab_id("stop");
	id_help = vocab_id("help");
	id_no = vocab_id("no");
	id_more = vocab_id("more");
	id_taken = vocab_id("taken");
	id_know = vocab_id("know");
	id_me = vocab_id("me");
	id_us = vocab_id("us");
	for (size_t c = 0; c < crisis_nphrases && c < PHRASE_CLASSES_MAX; c++)
		if (strcmp(crisis_phrases[c].name, "TAIL") == 0)
			tail_class = (int)c;
	id_year = vocab_id("#year");
	id_to = vocab_id("to");
	id_would = vocab_id("would");
	static const char *const two_after[] = { "want", "going", "need", "wish", "ready", "trying",
		"try", "tried", "used", "able", "have" };
	for (size_t i = 0; i < ARRAY_LEN(two_after); i++)
		id_two_after[nid_two_after++] = vocab_id(two_after[i]);
}

const char *crisis_tables_problem(void)
{
	pthread_once(&tables_once, tables_build);
	return problem;
}

static bool in_class(uint16_t id, enum crisis_class c)
{
	return id && (vocab_cls[id - 1] & (1ull << c));
}

/* ---------------------------------------------------------------- words */

struct tok {
	uint16_t id;
	uint8_t brk;               /* the break before this token: BRK_* */
	bool quoted;               /* inside double quotation marks */
	uint32_t start, end;       /* bytes of the text it came from */
};

struct cand {
	uint8_t plain, recovered;  /* level, and level if the post says it is better now */
	uint8_t kind;
	bool need_death;           /* counts only if the post speaks of a death */
	uint32_t start, end;
	const char *why;
};

struct cx {
	const char *p;
	size_t n;
	struct tok t[SENT_TOKENS];
	size_t nt;
	uint8_t brk;               /* the break before the next token */
	bool quote;                /* inside double quotation marks */
	bool death, recovery;      /* what the post as a whole says */
	struct cand c[CANDS_MAX];
	size_t nc;
};

static uint16_t lookup(const char *w)
{
	char sq[WORD_MAX];
	uint16_t id;

	if (w[0] >= '0' && w[0] <= '9') {
		size_t n = strspn(w, "0123456789");
		if (!w[n]) {
			if (n == 4 && (memcmp(w, "19", 2) == 0 || memcmp(w, "20", 2) == 0))
				return id_year;
			/* "took 2 paracetamol" is a dose; "took 30" is not */
			return n == 1 ? id_few : id_num;
		}
	}
	if ((id = vocab_id(w)))
		return id;
	if ((id = hash_find(hash_alias, (const char (*)[WORD_MAX])alias_key, w, alias_to)))
		return id;
	squeeze(w, sq);
	return hash_find(hash_squeeze, (const char (*)[WORD_MAX])squeeze_key, sq, squeeze_to);
}

static void window_eval(struct cx *cx, bool cut);

static void push(struct cx *cx, uint16_t id, uint32_t start, uint32_t end)
{
	struct tok *t;

	if (cx->nt == SENT_TOKENS) {
		window_eval(cx, true);
		memmove(cx->t, cx->t + SENT_TOKENS - SENT_KEEP, SENT_KEEP * sizeof(cx->t[0]));
		cx->nt = SENT_KEEP;
	}
	t = &cx->t[cx->nt++];
	t->id = id;
	t->brk = cx->brk;
	t->quoted = cx->quote;
	t->start = start;
	t->end = end;
	cx->brk = BRK_NONE;
	/* Two words read as one: "no one", "self harm". */
	if (cx->nt >= 2 && t->brk == BRK_NONE && id && cx->t[cx->nt - 2].id) {
		struct tok *a = &cx->t[cx->nt - 2];
		for (size_t i = 0; i < nmerges; i++)
			if (merges[i].a == a->id && merges[i].b == id) {
				a->id = merges[i].to;
				a->end = end;
				cx->nt--;
				break;
			}
	}
}

/* Pushes each space-separated word of s (a rewrite), all with the
 * original word's bytes. */
static void push_words(struct cx *cx, const char *s, uint32_t start, uint32_t end)
{
	char w[WORD_MAX];

	while (*s) {
		size_t n = 0;
		while (s[n] && s[n] != ' ')
			n++;
		if (n && n < WORD_MAX) {
			memcpy(w, s, n);
			w[n] = '\0';
			push(cx, lookup(w), start, end);
		}
		s += n;
		while (*s == ' ')
			s++;
	}
}

static uint16_t prev_id(const struct cx *cx)
{
	return cx->nt ? cx->t[cx->nt - 1].id : 0;
}

/* A plain word (no apostrophe): rewritten, or looked up. Some texting
 * forms depend on the word before: "ill" is "I will" unless it follows
 * "feel", "am", "so"; "id" is "I would" unless it follows "my", "the";
 * "2" is "to" after "want", "going". */
static void word_plain(struct cx *cx, const char *w, uint32_t start, uint32_t end)
{
	uint16_t prev = prev_id(cx);

	if (w[0] == 'i' && strcmp(w, "ill") == 0) {
		static const char *const keep[] = { "am", "is", "are", "was", "were", "be", "been",
			"being", "feel", "feeling", "felt", "so", "very", "really", "too", "quite", "get",
			"got", "getting", "seriously", "terminally", "mentally", "chronically", "fell" };
		bool is_ill = false;
		for (size_t i = 0; i < ARRAY_LEN(keep) && prev; i++)
			is_ill |= strcmp(vocab[prev - 1], keep[i]) == 0;
		if (!is_ill) {
			push_words(cx, "i will", start, end);
			return;
		}
	}
	if (w[0] == 'i' && strcmp(w, "id") == 0) {
		static const char *const keep[] = { "my", "your", "the", "an", "a", "his", "her",
			"their", "our", "photo", "valid" };
		bool is_id = false;
		for (size_t i = 0; i < ARRAY_LEN(keep) && prev; i++)
			is_id |= strcmp(vocab[prev - 1], keep[i]) == 0;
		if (!is_id) {
			push_words(cx, "i would", start, end);
			return;
		}
	}
	if (strcmp(w, "2") == 0 && prev) {
		for (size_t i = 0; i < nid_two_after; i++)
			if (id_two_after[i] == prev) {
				push(cx, id_to, start, end);
				return;
			}
	}
	uint16_t e = hash_find(hash_expand, (const char (*)[WORD_MAX])expand_key, w, NULL);
	if (e) {
		push_words(cx, crisis_expands[expand_idx[e - 1]].to, start, end);
		return;
	}
	push(cx, lookup(w), start, end);
}

/* A word as typed, lowercased and folded, apostrophes kept ("don't",
 * "i'm", "mum's"): contractions split, then each part as a plain word. */
static void word_end(struct cx *cx, char *w, size_t n, bool too_long, bool apos, uint32_t start,
		uint32_t end)
{
	char *ap;

	if (!n)
		return;
	if (too_long) {
		push(cx, 0, start, end);
		return;
	}
	w[n] = '\0';
	ap = apos ? strchr(w, '\'') : NULL;
	if (ap) {
		const char *suf = ap + 1;
		const char *add = NULL;
		*ap = '\0';
		if (strcmp(suf, "t") == 0 && ap > w && ap[-1] == 'n') {
			/* n't: "can't", "won't", "don't" */
			ap[-1] = '\0';
			if (strcmp(w, "ca") == 0)
				memcpy(w, "can", 4);
			else if (strcmp(w, "wo") == 0)
				memcpy(w, "will", 5);
			else if (strcmp(w, "sha") == 0)
				memcpy(w, "shall", 6);
			else if (strcmp(w, "ai") == 0)
				memcpy(w, "is", 3);
			add = "not";
		} else if (strcmp(suf, "m") == 0)
			add = "am";
		else if (strcmp(suf, "re") == 0)
			add = "are";
		else if (strcmp(suf, "ve") == 0)
			add = "have";
		else if (strcmp(suf, "ll") == 0)
			add = "will";
		else if (strcmp(suf, "d") == 0)
			add = "would";
		else if (strcmp(suf, "s") == 0)
			add = "is";
		else {
			/* "o'clock", "rock'n'roll": the apostrophes go. */
			size_t o = 0;
			*ap = '\'';
			for (size_t i = 0; i < n; i++)
				if (w[i] != '\'')
					w[o++] = w[i];
			w[o] = '\0';
		}
		if (add) {
			if (w[0])
				word_plain(cx, w, start, end);
			push_words(cx, add, start, end);
			return;
		}
	}
	word_plain(cx, w, start, end);
}

/* ---------------------------------------------------------------- characters */

/* Latin-1 and Latin Extended-A letters to ASCII: one letter, or a digit
 * standing for two (1 ij, 2 oe, 3 ae, 4 th, 5 ss); '.' is not a letter. */
static const char fold_c0[] = "aaaaaa3ceeeeiiiidnooooo.ouuuuy45aaaaaa3ceeeeiiiidnooooo.ouuuuy4y";
static const char fold_100[] =
	"aaaaaaccccccccdd" "ddeeeeeeeeeegggg" "gggghhhhiiiiiiii" "ii11jjkkklllllll"
	"lllnnnnnnnnnoooo" "oo22rrrrrrssssss" "sstttttt" "uuuuuuuu" "uuuuwwyyyzzzzzzs";

/* Decodes one UTF-8 character at p[0..n): its code point, or -1 for an
 * invalid byte (length 1). */
static int32_t utf8_next(const unsigned char *p, size_t n, size_t *len)
{
	uint32_t c = p[0], min;
	size_t k;

	*len = 1;
	if (c < 0x80)
		return (int32_t)c;
	if (c >= 0xc2 && c <= 0xdf)
		k = 1, c &= 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		k = 2, c &= 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 3, c &= 0x07, min = 0x10000;
	else
		return -1;
	if (n < k + 1)
		return -1;
	for (size_t i = 1; i <= k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return -1;
	*len = k + 1;
	return (int32_t)c;
}

enum chr { CH_SEP, CH_LETTER, CH_APOS, CH_IGNORE, CH_SENT, CH_SOFT, CH_HARD, CH_LAUGH,
	CH_QUOTE, CH_QOPEN, CH_QCLOSE };

/* What a code point is to the tokenizer; letters are written to out
 * (one or two ASCII bytes, *nout). */
static enum chr classify_cp(int32_t c, char out[2], size_t *nout)
{
	*nout = 0;
	if (c < 0)
		return CH_SEP;
	if (c < 0x80) {
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			out[(*nout)++] = (char)c;
			return CH_LETTER;
		}
		if (c >= 'A' && c <= 'Z') {
			out[(*nout)++] = (char)(c - 'A' + 'a');
			return CH_LETTER;
		}
		switch (c) {
		case '\'': case '`':
			return CH_APOS;
		case '.': case '!': case '?': case ';': case '\n': case '\r':
			return CH_SENT;
		case ',': case ':':
			return CH_HARD;
		case '"':
			return CH_QUOTE;
		case '(': case ')': case '[': case ']':
			return CH_SOFT;
		default:
			return CH_SEP;
		}
	}
	if (c >= 0xc0 && c <= 0x17f) {
		char f = c < 0x100 ? fold_c0[c - 0xc0] : fold_100[c - 0x100];
		static const char *const two[] = { "ij", "oe", "ae", "th", "ss" };
		if (f == '.')
			return CH_SEP;
		if (f >= '1' && f <= '5') {
			out[0] = two[f - '1'][0];
			out[1] = two[f - '1'][1];
			*nout = 2;
		} else
			out[(*nout)++] = f;
		return CH_LETTER;
	}
	switch (c) {
	case 0x2018: case 0x2019: case 0x201b: case 0x02bc: case 0x2032: case 0xb4:
		return CH_APOS;
	case 0x201c: case 0x201e: case 0xab:
		return CH_QOPEN;
	case 0x201d: case 0xbb:
		return CH_QCLOSE;
	case 0x2026:
		return CH_SOFT;                /* an ellipsis: a pause, not a full stop */
	case 0x2013: case 0x2014: case 0x2015:
		return CH_HARD;
	case 0xad: case 0x200b: case 0x200c: case 0x200d: case 0x2060: case 0xfeff:
		return CH_IGNORE;              /* invisible: "k\u200bill" is "kill" */
	case 0x2028: case 0x2029:
		return CH_SENT;
	case 0x1f602: case 0x1f923: case 0x1f606: case 0x1f605: case 0x1f639:
		return CH_LAUGH;
	default:
		return CH_SEP;
	}
}

/* ---------------------------------------------------------------- matching */

struct win {
	const struct tok *t;
	size_t n;
	bool cut;                  /* a long sentence's window: its end is not the sentence's */
};

static bool is_boundary(const struct win *w, size_t k)
{
	if (k >= w->n)
		return !w->cut;
	return w->t[k].brk != BRK_NONE || in_class(w->t[k].id, C_CONJ) || in_class(w->t[k].id, C_IF);
}

/* How many tokens from k make one phrase of the TAIL phrase class (0 if
 * none): "at the moment", "for good". */
static size_t tail_phrase(const struct win *w, size_t k)
{
	if (tail_class < 0)
		return 0;
	for (size_t p = 0; p < phrase_class[tail_class].n; p++) {
		const struct phrase *ph = &phrase_at[phrase_class[tail_class].first + p];
		size_t j = 0;
		while (j < ph->len && k + j < w->n && w->t[k + j].brk != BRK_HARD &&
		       w->t[k + j].id == pat_ids[ph->off + j])
			j++;
		if (j == ph->len)
			return j;
	}
	return 0;
}

/* Does pattern element list e[0..ne) match from token k? *end: one past
 * the last token used. Shortest first; backtracks over ? and *. */
static bool match_at(const struct win *w, size_t k, const struct elem *e, size_t ne, bool first,
		size_t *end)
{
	if (!ne) {
		*end = k;
		return true;
	}
	/* Only the first element may follow a hard break (a comma). */
	bool ok_here = k < w->n && (first || w->t[k].brk != BRK_HARD);

	switch (e->op) {
	case OP_SET:
		return ok_here && elem_has(e, w->t[k].id) && match_at(w, k + 1, e + 1, ne - 1, false, end);
	case OP_NOT:
		return ok_here && !elem_has(e, w->t[k].id) && match_at(w, k + 1, e + 1, ne - 1, false, end);
	case OP_OPT:
		if (ok_here && elem_has(e, w->t[k].id) && match_at(w, k + 1, e + 1, ne - 1, false, end))
			return true;
		return match_at(w, k, e + 1, ne - 1, first, end);
	case OP_GAP:
		for (size_t g = 0; g <= e->gap; g++) {
			if (g > 0 && (k + g > w->n || w->t[k + g - 1].brk == BRK_HARD))
				break;
			if (match_at(w, k + g, e + 1, ne - 1, false, end))
				return true;
		}
		return false;
	case OP_PHRASE:
	case OP_OPTPHRASE:
		for (size_t p = 0; p < e->nids; p++) {
			const struct phrase *ph = &phrase_at[e->ids + p];
			size_t j = 0;
			for (; j < ph->len; j++) {
				size_t t = k + j;
				if (t >= w->n || (w->t[t].brk == BRK_HARD && !(first && j == 0)) ||
				    w->t[t].id != pat_ids[ph->off + j])
					break;
			}
			if (j == ph->len && match_at(w, k + j, e + 1, ne - 1, false, end))
				return true;
		}
		return e->op == OP_OPTPHRASE && match_at(w, k, e + 1, ne - 1, first, end);
	case OP_END: {
		size_t j = k;
		for (;;) {
			size_t tp;
			if (j < w->n && w->t[j].brk != BRK_HARD && in_class(w->t[j].id, C_TAIL))
				j++;
			else if ((tp = tail_phrase(w, j)) > 0)
				j += tp;
			else if (j + 1 < w->n && w->t[j].id == id_no && w->t[j + 1].id == id_more &&
				 w->t[j].brk != BRK_HARD && w->t[j + 1].brk == BRK_NONE)
				j += 2;
			else
				break;
		}
		if (j > k && !is_boundary(w, j))
			j = k;               /* the tail words were not a tail */
		if (!is_boundary(w, j))
			return false;
		return match_at(w, j, e + 1, ne - 1, false, end);
	}
	default:
		return false;
	}
}

/* ---------------------------------------------------------------- judging */

struct hit {
	uint16_t pat;              /* index into crisis_rules, or crisis_nrules + mark */
	uint8_t a, b;              /* tokens [a, b) */
};

struct sent {
	const struct win *w;
	struct hit rules[HITS_MAX];
	size_t nrules;
	struct hit marks[MARKS_MAX];
	size_t nmarks;
	uint32_t cancel_all;       /* groups cancelled in the whole sentence */
	bool distant, recent, media;
};

enum who { WHO_NONE, WHO_SELF, WHO_OTHER, WHO_GENERIC, WHO_SOMEONE, WHO_THING };

static const struct crisis_mark *mark_of(const struct hit *h)
{
	return &crisis_marks[h->pat - crisis_nrules];
}

/* The subject of the predicate at token a: the nearest person-word
 * before it, not across a comma; through "and"/"but" only to share a
 * subject ("I'm tired and want to die"). *at is its token (or SIZE_MAX). */
static enum who subject_of(const struct win *w, size_t a, size_t *at)
{
	*at = SIZE_MAX;
	for (size_t i = a; i-- > 0;) {
		uint16_t id = w->t[i].id;

		if (w->t[i + 1].brk == BRK_HARD)
			break;
		if (!id)
			continue;
		*at = i;
		if (id == id_my || id == id_our) {
			/* "my life", "my suicidal thoughts" are the writer's;
			 * "my dog is scared of him" is not; "(I) sorted out my will
			 * and said..." has "my will" as an object: look on. */
			if (i + 1 == a || in_class(w->t[i + 1].id, C_ADV) || w->t[i + 1].id == id_own)
				return WHO_SELF;
			if (i + 2 < a && (in_class(w->t[i + 2].id, C_BE) || in_class(w->t[i + 2].id, C_AUX) ||
					  in_class(w->t[i + 2].id, C_HAVE)))
				return WHO_THING;
			continue;
		}
		if (in_class(id, C_FIRST))
			return WHO_SELF;
		if (in_class(id, C_SECOND))
			return WHO_GENERIC;
		if (in_class(id, C_SOMEONE))
			return WHO_SOMEONE;
		if (in_class(id, C_GENERIC)) {
			if (i + 1 < w->n && w->t[i + 1].id == id_else)
				return WHO_SELF;      /* "anyone else": the writer too */
			return WHO_GENERIC;
		}
		if (in_class(id, C_PERSON))
			return WHO_OTHER;
		if (in_class(id, C_THIRD)) {
			/* "people who kill themselves", "if someone says they...":
			 * a pronoun for nobody in particular. */
			for (size_t j = i; j-- > 0;) {
				uint16_t jd = w->t[j].id;
				if (in_class(jd, C_FIRST) || in_class(jd, C_PERSON))
					break;
				if (in_class(jd, C_GENERIC) || in_class(jd, C_SECOND))
					return WHO_GENERIC;
			}
			return WHO_OTHER;
		}
	}
	*at = SIZE_MAX;
	return WHO_NONE;
}

/* Is everything before token a in its clause a filler ("Honestly, just
 * want to die")? */
static bool clause_start(const struct win *w, size_t a)
{
	for (size_t i = a; i-- > 0;) {
		if (w->t[i + 1].brk == BRK_HARD)
			return true;
		uint16_t id = w->t[i].id;
		if (in_class(id, C_CONJ) || in_class(id, C_IF))
			return true;
		if (!in_class(id, C_FILLER) && !in_class(id, C_ADV) && !in_class(id, C_AUX) && !in_class(id, C_BE))
			return false;
	}
	return true;
}

/* Where the clause of token a starts, for negation: a hard break or a
 * conjunction. */
static size_t clause_from(const struct win *w, size_t a)
{
	for (size_t i = a; i-- > 0;) {
		if (w->t[i + 1].brk != BRK_NONE)
			return i + 1;
		if (in_class(w->t[i].id, C_CONJ))
			return i + 1;
	}
	return 0;
}

static bool negated(const struct sent *s, size_t a, size_t subj)
{
	const struct win *w = s->w;
	size_t from = clause_from(w, a);

	/* "He never makes me feel like a burden": when the subject found is
	 * an object ("me"), the negation before it counts. */
	if (subj != SIZE_MAX && subj + 1 > from && w->t[subj].id != id_me && w->t[subj].id != id_us)
		from = subj + 1;
	/* "can't stop thinking about", "can't help", "don't know how much
	 * more I can take" do not negate what follows. */
	for (size_t i = from; i < a; i++)
		if (in_class(w->t[i].id, C_NEG) &&
		    !(i + 1 < a && (w->t[i + 1].id == id_stop || w->t[i + 1].id == id_help ||
				    w->t[i + 1].id == id_know)))
			return true;
	/* "There's no way I'd kill myself." */
	for (size_t m = 0; m < s->nmarks; m++)
		if (mark_of(&s->marks[m])->what == M_NEGFRAME && s->marks[m].b <= a &&
		    clause_from(w, a) <= s->marks[m].a)
			return true;
	return false;
}

/* Is the predicate at token a inside an if- or whether-clause? One
 * subject after "if" is the if-clause's own; a second starts the main
 * clause ("if I lose my job I will want to die" is not hypothetical,
 * and neither is "if I'm honest, I want to die" nor "I don't know if I
 * want to live"). */
static bool hypothetical(const struct win *w, size_t a)
{
	size_t j = SIZE_MAX, subjects = 0;

	for (size_t i = a; i-- > 0;) {
		if (w->t[i + 1].brk == BRK_HARD)
			break;
		if (in_class(w->t[i].id, C_IF)) {
			j = i;
			break;
		}
	}
	if (j == SIZE_MAX)
		return false;
	if (j > 0 && in_class(w->t[j - 1].id, C_NOTIF) && w->t[j - 1].id != id_even)
		return false;
	if (w->t[j].id == id_if) {
		/* "if I'm honest", "if I am being truthful" */
		for (size_t i = j + 1; i < a && i < j + 5; i++)
			if (w->t[i].id == id_honest || w->t[i].id == id_truthful)
				return false;
	}
	for (size_t i = j + 1; i < a; i++) {
		uint16_t id = w->t[i].id;
		bool person = in_class(id, C_FIRST) || in_class(id, C_SECOND) || in_class(id, C_THIRD) ||
			in_class(id, C_PERSON) || in_class(id, C_GENERIC);
		/* "if this pain doesn't stop I'll...": the if-clause's subject
		 * is not a person word, so the first person word starts the
		 * main clause. */
		if (i == j + 1 && !person)
			subjects++;
		if (person)
			subjects++;
	}
	return subjects <= 1;
}

/* Is there an "if" in the sentence outside tokens [a, b) (for "I'd ...
 * if ...")? */
static bool has_if(const struct win *w, size_t a, size_t b)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->t[i].id == id_if && (i < a || i >= b))
			return true;
	return false;
}

/* Past: the first tense-bearing word from the subject to the
 * predicate's first word is a past form, and not after "have" ("I have
 * wanted to die for years" is now). Words later in the predicate do not
 * count: "wish I was dead", "if I died" are not past. */
static bool past_tense(const struct win *w, size_t from, size_t a)
{
	for (size_t i = from; i <= a; i++) {
		uint16_t id = w->t[i].id;
		if (i == a && i > 0 && in_class(w->t[i - 1].id, C_DET))
			return false;     /* "the thought of": a noun */
		if (in_class(id, C_HAVE))
			return false;
		if (id == id_taken && i > 0 && in_class(w->t[i - 1].id, C_BE))
			return false;     /* "she's taken": 's is has */
		if (i < a ? in_class(id, C_PASTAUX) : in_class(id, C_PASTV))
			return true;
	}
	return false;
}

/* Only auxiliaries between subject and predicate? */
static bool tight(const struct win *w, size_t subj, size_t a)
{
	if (subj == SIZE_MAX)
		return false;
	for (size_t i = subj + 1; i < a; i++)
		if (!in_class(w->t[i].id, C_AUX) && !in_class(w->t[i].id, C_ADV) && !in_class(w->t[i].id, C_BE))
			return false;
	return true;
}

static bool has_mark_after(const struct sent *s, enum crisis_mark_what what, size_t b)
{
	for (size_t m = 0; m < s->nmarks; m++)
		if (mark_of(&s->marks[m])->what == what && s->marks[m].a >= b)
			return true;
	return false;
}

/* "Is it normal to...", "Does anyone else feel like they...": the writer. */
static bool framed(const struct sent *s, size_t a, enum who who, size_t subj)
{
	for (size_t m = 0; m < s->nmarks; m++) {
		const struct hit *h = &s->marks[m];
		if (mark_of(h)->what != M_FRAME || h->b > a)
			continue;
		if (who == WHO_NONE)
			return true;
		if (subj != SIZE_MAX && subj >= h->a && in_class(s->w->t[subj].id, C_FRAMEPRO))
			return true;
		if (subj != SIZE_MAX && subj >= h->a && subj < h->b)
			return true;          /* "anyone" of "anyone else" */
	}
	return false;
}

static bool cancelled(const struct sent *s, const struct hit *h, uint8_t group)
{
	if (s->cancel_all & (1u << group))
		return true;
	for (size_t m = 0; m < s->nmarks; m++) {
		const struct hit *k = &s->marks[m];
		const struct crisis_mark *mk = mark_of(k);
		if (mk->what == M_CANCEL && (mk->groups & (1u << group)) && k->a < h->b && h->a < k->b)
			return true;
	}
	return false;
}

static uint8_t min_level(uint8_t a, uint8_t b)
{
	return a < b ? a : b;
}

static void cand_add(struct cx *cx, const struct cand *c)
{
	size_t worst = 0;

	if (c->plain == CRISIS_NONE && c->recovered == CRISIS_NONE)
		return;
	if (cx->nc < CANDS_MAX) {
		cx->c[cx->nc++] = *c;
		return;
	}
	/* Full: the new one replaces the weakest if it is stronger. */
	for (size_t i = 1; i < CANDS_MAX; i++)
		if (cx->c[i].plain < cx->c[worst].plain)
			worst = i;
	if (c->plain > cx->c[worst].plain)
		cx->c[worst] = *c;
}

/* long: one decision with its reasons in order (who, negation, condition,
 * time); split, the order that matters would be spread over several
 * functions. */
static void judge(struct cx *cx, const struct sent *s, const struct hit *h)
{
	const struct crisis_rule *r = &crisis_rules[h->pat];
	const struct win *w = s->w;
	size_t subj = SIZE_MAX;
	enum who who;
	struct cand c = { 0 };
	bool past, modal_if = false, affirmed = false;

	if (cancelled(s, h, r->group))
		return;
	if ((r->flags & F_WHOLE) && (h->a != 0 || h->b != w->n))
		return;
	if ((r->flags & F_CUE) && s->media)
		return;
	/* A quotation in a sentence about a film, a book, a song: someone
	 * else's words ("I keep thinking 'I want to die'" stays the
	 * writer's). */
	if (w->t[h->a].quoted && s->media)
		return;
	who = subject_of(w, h->a, &subj);
	if (r->who == W_MINE)
		who = WHO_SELF;
	else if (r->who == W_THEIRS)
		who = who == WHO_GENERIC ? WHO_GENERIC : WHO_OTHER;
	else if (r->who == W_SUBJ && (r->flags & F_CUE)) {
		/* A cue is the writer's if the writer is in the sentence and
		 * nobody else is nearer, or if there is no subject at all. */
		bool first = false;
		for (size_t i = 0; i < w->n && !first; i++)
			first = in_class(w->t[i].id, C_FIRST) && in_class(w->t[i].id, C_SELFWORD);
		if (who == WHO_SELF || ((who == WHO_NONE || who == WHO_THING) && (first || clause_start(w, h->a))))
			who = WHO_SELF;
		else
			return;
	} else if (r->who == W_SUBJ) {
		if (framed(s, h->a, who, subj))
			who = WHO_SELF;
		else if (who == WHO_NONE && ((r->flags & F_DSELF) || ((r->flags & F_ELLIPT) && clause_start(w, h->a))))
			who = WHO_SELF;
		if ((r->flags & F_TIGHT) && who != WHO_NONE && subj != SIZE_MAX && !tight(w, subj, h->a))
			return;
	}
	if (negated(s, h->a, subj))
		return;
	if (!(r->flags & F_IFOK) && hypothetical(w, h->a)) {
		/* "My GP asked if I'd thought about it and I said yes": now. */
		if (!has_mark_after(s, M_AFFIRM, h->b))
			return;
		affirmed = true;
	}
	/* "I'd kill myself if...": a would with a condition. */
	for (size_t i = subj == SIZE_MAX ? clause_from(w, h->a) : subj; i < h->a; i++)
		if (w->t[i].id == id_would && r->who != W_AGENT && !(r->flags & F_IFOK) && !affirmed)
			modal_if = has_if(w, h->a, h->b);
	past = !affirmed && past_tense(w, subj == SIZE_MAX ? clause_from(w, h->a) : subj + 1, h->a);

	c.kind = r->kind;
	c.plain = r->level;
	switch (r->who == W_AGENT ? (who == WHO_OTHER || who == WHO_SOMEONE ? WHO_SELF : WHO_NONE) : who) {
	case WHO_SELF:
		if (r->who == W_AGENT)
			c.kind = CRISIS_DANGER;
		if (modal_if)
			c.plain = min_level(c.plain, CRISIS_CONCERN);
		if (s->distant && !s->recent)
			c.plain = min_level(c.plain, CRISIS_CONCERN);
		else if (past && !s->recent && !(r->flags & F_ACT))
			c.plain = min_level(c.plain, CRISIS_CONCERN);
		c.recovered = c.plain;
		if (past && !s->recent)
			c.recovered = min_level(c.plain, CRISIS_CONCERN);
		break;
	case WHO_OTHER:
		if (!(r->flags & F_OTHER) && r->who != W_THEIRS)
			return;
		if (r->kind == CRISIS_DESPAIR || r->kind == CRISIS_DANGER || s->media)
			return;
		c.kind = CRISIS_OTHER;
		if (past || s->distant)
			c.plain = s->recent ? CRISIS_CONCERN : CRISIS_NONE;
		c.recovered = c.plain;
		break;
	default:
		return;
	}
	c.need_death = (r->flags & F_DEATH) != 0;
	c.start = w->t[h->a].start;
	c.end = w->t[h->b - 1].end;
	c.why = c.kind == CRISIS_OTHER ? "someone else at risk" : r->why;
	cand_add(cx, &c);
}

static void window_eval(struct cx *cx, bool cut)
{
	struct win w = { cx->t, cx->nt, cut };
	struct sent s;

	if (!cx->nt)
		return;
	memset(&s, 0, sizeof(s));
	s.w = &w;
	for (size_t k = 0; k < w.n; k++) {
		uint16_t id = w.t[k].id;
		if (!id)
			continue;
		for (uint32_t f = first_off[id]; f < first_off[id + 1]; f++) {
			uint16_t p = first_pat[f];
			size_t end;
			if (!match_at(&w, k, &elems[pats[p].el], pats[p].nel, true, &end) || end <= k)
				continue;
			struct hit h = { p, (uint8_t)k, (uint8_t)end };
			if (p < crisis_nrules) {
				if (s.nrules < HITS_MAX)
					s.rules[s.nrules++] = h;
				continue;
			}
			const struct crisis_mark *mk = mark_of(&h);
			switch (mk->what) {
			case M_CANCEL_SENT: s.cancel_all |= mk->groups; break;
			case M_DISTANT: s.distant = true; break;
			case M_RECENT: s.recent = true; break;
			case M_MEDIA: s.media = true; break;
			case M_RECOVERY: cx->recovery = true; break;
			case M_DEATH: cx->death = true; break;
			default: break;
			}
			if (s.nmarks < MARKS_MAX)
				s.marks[s.nmarks++] = h;
		}
	}
	for (size_t i = 0; i < s.nrules; i++)
		judge(cx, &s, &s.rules[i]);
}

static void sentence_end(struct cx *cx)
{
	window_eval(cx, false);
	cx->nt = 0;
	cx->brk = BRK_NONE;
}

/* ---------------------------------------------------------------- the pass */

static void scan(struct cx *cx)
{
	const unsigned char *p = (const unsigned char *)cx->p;
	char w[WORD_MAX + 2];
	size_t wn = 0, i = 0;
	bool wlong = false, wapos = false;
	uint32_t ws = 0, we = 0;

	while (i < cx->n) {
		size_t len;
		int32_t c = utf8_next(p + i, cx->n - i, &len);
		char out[2];
		size_t nout;
		enum chr k = classify_cp(c, out, &nout);

		/* An apostrophe inside a word ("don't") is part of it; a full
		 * stop between digits ("2.5") is not a full stop. */
		if (k == CH_APOS && wn && i + len < cx->n) {
			size_t l2;
			char o2[2];
			size_t n2;
			if (classify_cp(utf8_next(p + i + len, cx->n - i - len, &l2), o2, &n2) == CH_LETTER) {
				k = CH_LETTER;
				out[0] = '\'';
				nout = 1;
			}
		}
		if (c == '.' && wn && w[wn - 1] >= '0' && w[wn - 1] <= '9' && i + 1 < cx->n &&
		    p[i + 1] >= '0' && p[i + 1] <= '9')
			k = CH_SEP;
		if (k == CH_IGNORE) {
			i += len;
			continue;
		}
		if (k == CH_LETTER) {
			if (!wn)
				ws = (uint32_t)i;
			for (size_t j = 0; j < nout; j++) {
				if (wn < WORD_MAX - 1)
					w[wn++] = out[j];
				else
					wlong = true;
			}
			wapos |= out[0] == '\'';
			we = (uint32_t)(i + len);
			i += len;
			continue;
		}
		word_end(cx, w, wn, wlong, wapos, ws, we);
		wn = 0;
		wlong = wapos = false;
		switch (k) {
		case CH_SENT:
			if (c == '.' && i + 1 < cx->n && p[i + 1] == '.') {
				/* "..." is a pause inside a sentence */
				while (i < cx->n && p[i] == '.')
					i++;
				if (cx->brk < BRK_SOFT)
					cx->brk = BRK_SOFT;
				continue;
			}
			sentence_end(cx);
			break;
		case CH_HARD:
			cx->brk = BRK_HARD;
			break;
		case CH_SOFT:
			if (cx->brk < BRK_SOFT)
				cx->brk = BRK_SOFT;
			break;
		case CH_LAUGH:
			push(cx, id_lol, (uint32_t)i, (uint32_t)(i + len));
			break;
		case CH_QUOTE: case CH_QOPEN: case CH_QCLOSE:
			cx->quote = k == CH_QUOTE ? !cx->quote : k == CH_QOPEN;
			if (cx->brk < BRK_SOFT)
				cx->brk = BRK_SOFT;
			break;
		default:
			break;
		}
		i += len;
	}
	word_end(cx, w, wn, wlong, wapos, ws, we);
	sentence_end(cx);
}

void crisis_classify(const char *p, size_t n, struct crisis_result *out)
{
	struct cx cx;
	const struct cand *best = NULL;
	uint8_t best_level = CRISIS_NONE;

	pthread_once(&tables_once, tables_build);
	memset(out, 0, sizeof(*out));
	out->why = "";
	if (!p)
		n = 0;
	if (n > CRISIS_TEXT_MAX) {
		out->truncated = true;
		n = CRISIS_TEXT_MAX;
		/* Not through a character: back to its first byte. */
		for (int k = 0; k < 3 && n > 0 && ((unsigned char)p[n] & 0xc0) == 0x80; k++)
			n--;
	}
	memset(&cx, 0, offsetof(struct cx, t));
	cx.p = p;
	cx.n = n;
	cx.nt = 0;
	cx.brk = BRK_NONE;
	cx.death = cx.recovery = cx.quote = false;
	cx.nc = 0;
	scan(&cx);

	for (size_t i = 0; i < cx.nc; i++) {
		const struct cand *c = &cx.c[i];
		uint8_t lv = c->need_death && !cx.death ? CRISIS_NONE : cx.recovery ? c->recovered : c->plain;
		/* The highest level, then the earliest, then the longest (a
		 * long sentence's windows may see the same phrase twice). */
		if (lv > best_level || (lv == best_level && best && lv && (c->start < best->start ||
		    (c->start == best->start && c->end > best->end)))) {
			best = c;
			best_level = lv;
		}
	}
	if (!best || best_level == CRISIS_NONE)
		return;
	out->level = (enum crisis_level)best_level;
	out->kind = (enum crisis_kind)best->kind;
	out->signpost = true;
	out->urgent = best_level == CRISIS_URGENT;
	out->start = best->start;
	out->end = best->end;
	out->why = best->why;
}

const char *crisis_level_name(enum crisis_level level)
{
	static const char *const names[CRISIS_LEVEL__MAX] = { "none", "concern", "urgent" };

	return (unsigned)level < CRISIS_LEVEL__MAX ? names[level] : "none";
}

const char *crisis_kind_name(enum crisis_kind kind)
{
	static const char *const names[CRISIS_KIND__MAX] = { "none", "suicide", "self-harm", "danger",
		"someone else", "despair" };

	return (unsigned)kind < CRISIS_KIND__MAX ? names[kind] : "none";
}
