/*
 * words.h - the words search treats as the same: the compounds and
 * synonyms kith ships (data/search/words.txt) and the lines coordinators
 * add (/directory/words), read into one lexicon for the directory's index
 * (src/search/lexicon.h).
 *
 * Coordinators' lines are kept in search_word, in order, with a version
 * that every save raises: each kith process compares it with the one its
 * index was built with and, when it differs, indexes the directory again
 * (directory_apply_changes).
 */
#ifndef KITH_DIRECTORY_WORDS_H
#define KITH_DIRECTORY_WORDS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"

struct db;
struct lexicon;

#define WORDS_LINES_MAX 500       /* coordinators' lines */
#define WORDS_TEXT_MAX  40000     /* bytes of them all, as typed */

/* The shipped words and the coordinators' lines as one sealed lexicon
 * (*out, the caller's), and the version of the lines. A stored line that
 * no longer reads (the rules changed) is logged and left out. */
enum err words_load(struct db *db, struct lexicon **out, int64_t *version);
/* The version alone (cheap: for the sync job's look). */
enum err words_version(struct db *db, int64_t *version);
/* The coordinators' lines, one string each, in order (a new array). */
enum err words_lines(struct db *db, json_t **out);
/* Checks text (lines as typed): NULL when every line reads, else the
 * sentence that says which line and what to fix (in why). */
const char *words_check(const char *text, char *why, size_t whylen);
/* Replaces the coordinators' lines with text's (blank lines dropped) and
 * raises the version, in the caller's transaction. text must have passed
 * words_check. *n is how many lines were kept. */
enum err words_save(struct db *db, const char *text, int64_t by, int64_t now, size_t *n);
/* The shipped words, as text (compiled in). */
const char *words_shipped(size_t *len);

#endif
