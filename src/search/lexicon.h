/*
 * lexicon.h - words that should find each other in a search.
 *
 * Two kinds of line, one a line; '#' starts a comment:
 *
 *   foodbank = food bank        a compound and its spaced form: each finds
 *   dropin = drop in            the other ("drop-in" is "drop in": the
 *                               tokenizer splits at the hyphen)
 *   copd, lung, breathing       synonyms: any finds the others (a member
 *                               may be one word or two)
 *
 * The index applies it when a document is indexed, in both directions, so
 * a query needs no expansion: a service that says "food bank" is also
 * indexed under "foodbank", one that says "foodbank" under "food" and
 * "bank", one that says "lung" under "copd" and "breathing". Words are
 * matched by their index form (search_words: lowercased, folded,
 * stemmed; a stopword such as "in" as itself), so "food banks" is "food
 * bank" too. Changing the lexicon means indexing the documents again.
 *
 * A library with no I/O, like the rest of src/search/.
 */
#ifndef KITH_SEARCH_LEXICON_H
#define KITH_SEARCH_LEXICON_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define LEXICON_LINE_MAX   200   /* bytes of one line */
#define LEXICON_MEMBERS    16    /* members of one synonym group */
#define LEXICON_RULES_MAX  20000 /* rules a lexicon may hold */

struct lexicon;

struct lexicon *lexicon_new(void);
void lexicon_free(struct lexicon *lx);

/* Adds one line. ERR_INVALID with why filled (a sentence saying what to
 * fix) for a line that is neither kind, a member of more than two words,
 * or a word the index would drop; blank and comment lines are ERR_OK. */
enum err lexicon_add_line(struct lexicon *lx, const char *line, char *why, size_t whylen);
/* Adds every line of text (lines end with \n); stops at the first bad
 * one, saying which line in why. */
enum err lexicon_add_text(struct lexicon *lx, const char *text, size_t n, char *why, size_t whylen);
/* Sorts the rules for lookups: call after the last add, before expand. */
void lexicon_seal(struct lexicon *lx);
size_t lexicon_rules(const struct lexicon *lx);

/* What to index beside word (an index form), given the word before it (an
 * index form, or NULL at the start of a text): emit() gets raw words to
 * index as if the text had them. Never expands what it emits. */
void lexicon_expand(const struct lexicon *lx, const char *prev, const char *word,
		void (*emit)(void *ctx, const char *raw), void *ctx);

#endif
