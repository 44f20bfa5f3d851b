/*
 * lexicon.c - compounds and synonyms, as rules the indexer looks up.
 *
 * A rule says: when the word (an index form) is key, and the word before
 * it is key2 (or key2 is NULL), also index emit (raw words, one or two).
 *   "foodbank = food bank"  ->  (bank after food: foodbank)
 *                               (foodbank: food bank)
 *   "copd, lung"            ->  (copd: lung) (lung: copd)
 * A two-word member's rule is keyed on its second word and the first.
 * Rules are sorted by key once the lexicon is sealed and found by binary
 * search: a lookup a word indexed, a few hundred rules at most in
 * practice.
 */
#include "core/common.h"
#include "search/lexicon.h"

#include <stdarg.h>

#include "core/str.h"
#include "search/search.h"

#define MEMBER_WORDS 2
#define FORM_MAX     72

/* Offsets into the lexicon's pool of strings (0: none, for key2). */
struct rule {
	uint32_t key, key2, emit;
};

struct lexicon {
	struct rule *r;
	size_t n, cap;
	char *pool;                /* NUL-terminated strings, one after another */
	size_t plen, pcap;
	bool sealed;
};

/* One member (or side of a compound) as parsed: its words' index forms
 * and raw forms. */
struct member {
	size_t n;
	char form[MEMBER_WORDS][FORM_MAX];
	char raw[MEMBER_WORDS * FORM_MAX + 1];
	bool too_many, too_long;
};

struct lexicon *lexicon_new(void)
{
	return calloc(1, sizeof(struct lexicon));
}

void lexicon_free(struct lexicon *lx)
{
	if (!lx)
		return;
	free(lx->r);
	free(lx->pool);
	free(lx);
}

size_t lexicon_rules(const struct lexicon *lx)
{
	return lx ? lx->n : 0;
}

static void say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || !whylen)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

static void member_word(void *ctx, const char *form, const char *raw)
{
	struct member *m = ctx;
	size_t rl = strlen(m->raw);

	if (m->n == MEMBER_WORDS) {
		m->too_many = true;
		return;
	}
	if (!str_copy(m->form[m->n], sizeof(m->form[m->n]), form) ||
	    rl + strlen(raw) + 2 > sizeof(m->raw)) {
		m->too_long = true;
		return;
	}
	snprintf(m->raw + rl, sizeof(m->raw) - rl, "%s%s", rl ? " " : "", raw);
	m->n++;
}

/* Parses text[0..n) into m; false (why filled) when it cannot be a member. */
static bool member_parse(const char *text, size_t n, struct member *m, char *why, size_t whylen)
{
	memset(m, 0, sizeof(*m));
	search_forms(text, n, member_word, m);
	if (m->too_many || m->too_long) {
		say(why, whylen, "\"%.*s\" is too long: use one or two words", (int)(n > 60 ? 60 : n), text);
		return false;
	}
	if (m->n == 0) {
		say(why, whylen, "\"%.*s\" has no word the search can use (words need two letters "
		    "or more)", (int)(n > 60 ? 60 : n), text);
		return false;
	}
	return true;
}

/* s copied into the pool: its offset, 0 when out of memory. Offset 0
 * itself is a "" that no rule uses. */
static uint32_t pool_add(struct lexicon *lx, const char *s)
{
	size_t n = strlen(s) + 1;
	uint32_t at;

	if (!lx->plen)
		lx->plen = 1;          /* after the first allocation: pool[0] is "" */
	if (lx->plen + n > lx->pcap) {
		size_t nc = lx->pcap ? lx->pcap * 2 : 1024;
		char *p;

		while (nc < lx->plen + n)
			nc *= 2;
		if (nc > UINT32_MAX || !(p = realloc(lx->pool, nc)))
			return 0;
		p[0] = '\0';
		lx->pool = p;
		lx->pcap = nc;
	}
	at = (uint32_t)lx->plen;
	memcpy(lx->pool + at, s, n);
	lx->plen += n;
	return at;
}

static const char *str_of(const struct lexicon *lx, uint32_t off)
{
	return lx->pool + off;
}

static bool rule_add(struct lexicon *lx, const char *key, const char *key2, const char *emit)
{
	struct rule r;

	if (lx->n >= LEXICON_RULES_MAX)
		return false;
	if (lx->n == lx->cap) {
		size_t nc = lx->cap ? lx->cap * 2 : 64;
		struct rule *p = realloc(lx->r, nc * sizeof(*p));

		if (!p)
			return false;
		lx->r = p;
		lx->cap = nc;
	}
	r.key = pool_add(lx, key);
	r.key2 = key2 ? pool_add(lx, key2) : 0;
	r.emit = pool_add(lx, emit);
	if (!r.key || (key2 && !r.key2) || !r.emit)
		return false;
	lx->r[lx->n++] = r;
	lx->sealed = false;
	return true;
}

/* When m is seen in a text, also index emit. */
static bool rule_for(struct lexicon *lx, const struct member *m, const char *emit)
{
	return m->n == 1 ? rule_add(lx, m->form[0], NULL, emit)
			 : rule_add(lx, m->form[1], m->form[0], emit);
}

static enum err add_compound(struct lexicon *lx, const char *line, const char *eq, char *why,
		size_t whylen)
{
	struct member joined, spaced;

	if (!member_parse(line, (size_t)(eq - line), &joined, why, whylen) ||
	    !member_parse(eq + 1, strlen(eq + 1), &spaced, why, whylen))
		return ERR_INVALID;
	if (joined.n != 1 || spaced.n != 2) {
		say(why, whylen, "write a compound as one word, \"=\", then its two words: "
		    "\"foodbank = food bank\"");
		return ERR_INVALID;
	}
	if (!rule_for(lx, &spaced, joined.raw) || !rule_for(lx, &joined, spaced.raw))
		return ERR_NOMEM;
	return ERR_OK;
}

static enum err add_synonyms(struct lexicon *lx, const char *line, char *why, size_t whylen)
{
	struct member m[LEXICON_MEMBERS];
	size_t n = 0;
	const char *p = line;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (n == LEXICON_MEMBERS) {
			say(why, whylen, "a group of synonyms may have at most %d members", LEXICON_MEMBERS);
			return ERR_INVALID;
		}
		if (!member_parse(p, len, &m[n], why, whylen))
			return ERR_INVALID;
		n++;
		if (!comma)
			break;
		p = comma + 1;
	}
	if (n < 2) {
		say(why, whylen, "write synonyms as two or more words or phrases with commas between "
		    "them (\"copd, lung\"), or a compound as \"foodbank = food bank\"");
		return ERR_INVALID;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			if (i != j && !rule_for(lx, &m[i], m[j].raw))
				return ERR_NOMEM;
	return ERR_OK;
}

enum err lexicon_add_line(struct lexicon *lx, const char *line, char *why, size_t whylen)
{
	char buf[LEXICON_LINE_MAX + 1];
	const char *eq, *hash;
	size_t n;

	say(why, whylen, "%s", "");
	hash = strchr(line, '#');
	n = hash ? (size_t)(hash - line) : strlen(line);
	if (n > LEXICON_LINE_MAX) {
		say(why, whylen, "a line may be at most %d characters", LEXICON_LINE_MAX);
		return ERR_INVALID;
	}
	memcpy(buf, line, n);
	buf[n] = '\0';
	if (str_is_blank(buf))
		return ERR_OK;
	if (!str_is_clean_utf8(buf, n)) {
		say(why, whylen, "write the line as plain text");
		return ERR_INVALID;
	}
	eq = strchr(buf, '=');
	if (eq && strchr(buf, ',')) {
		say(why, whylen, "a line is either a compound (\"foodbank = food bank\") or synonyms "
		    "(\"copd, lung\"), not both");
		return ERR_INVALID;
	}
	return eq ? add_compound(lx, buf, eq, why, whylen) : add_synonyms(lx, buf, why, whylen);
}

enum err lexicon_add_text(struct lexicon *lx, const char *text, size_t n, char *why, size_t whylen)
{
	size_t at = 0, lineno = 0;

	while (at < n) {
		const char *nl = memchr(text + at, '\n', n - at);
		size_t len = nl ? (size_t)(nl - (text + at)) : n - at;
		char line[LEXICON_LINE_MAX + 2], one[160];
		enum err e;

		lineno++;
		if (len > LEXICON_LINE_MAX) {
			say(why, whylen, "line %zu: a line may be at most %d characters", lineno,
			    LEXICON_LINE_MAX);
			return ERR_INVALID;
		}
		memcpy(line, text + at, len);
		line[len] = '\0';
		if (len && line[len - 1] == '\r')
			line[len - 1] = '\0';
		if ((e = lexicon_add_line(lx, line, one, sizeof(one))) != ERR_OK) {
			say(why, whylen, "line %zu: %s", lineno, one);
			return e;
		}
		at += len + 1;
	}
	return ERR_OK;
}

static int rule_cmp(const void *a, const void *b, void *lx)
{
	return strcmp(str_of(lx, ((const struct rule *)a)->key), str_of(lx, ((const struct rule *)b)->key));
}

void lexicon_seal(struct lexicon *lx)
{
	if (lx && !lx->sealed) {
		if (lx->n > 1)
			qsort_r(lx->r, lx->n, sizeof(*lx->r), rule_cmp, lx);
		lx->sealed = true;
	}
}

void lexicon_expand(const struct lexicon *lx, const char *prev, const char *word,
		void (*emit)(void *ctx, const char *raw), void *ctx)
{
	size_t lo = 0, hi;

	if (!lx || !lx->sealed || !lx->n)
		return;
	/* The first rule whose key is not below word. */
	hi = lx->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(str_of(lx, lx->r[mid].key), word) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < lx->n && strcmp(str_of(lx, lx->r[i].key), word) == 0; i++) {
		const struct rule *r = &lx->r[i];

		if (!r->key2 || (prev && strcmp(str_of(lx, r->key2), prev) == 0))
			emit(ctx, str_of(lx, r->emit));
	}
}
