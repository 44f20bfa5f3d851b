/*
 * text.h - turning what other systems send into safe, plain text.
 *
 * Council feeds put HTML in descriptions ("<p>Struggling with Drug &amp;
 * Alcohol...</p>"). kith stores and shows text: tags are dropped, block
 * elements (p, div, br, li, h1-h6, tr) become line breaks (a blank line
 * between paragraphs, "- " before list items), entities are decoded
 * (named: the common HTML 4 set; numeric: decimal and hex, refusing NUL,
 * surrogates and C0/C1 controls), script/style/head contents are dropped,
 * runs of spaces collapse, and the result is clean UTF-8 (invalid bytes
 * become U+FFFD) with no more than one blank line in a row.
 */
#ifndef KITH_TEXT_H
#define KITH_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* Appends the text of HTML p[0..n) to out. Never fails; out's maximum
 * bounds the result (buf's sticky error). */
void text_from_html(const char *p, size_t n, struct buf *out);
/* Does p look like it has HTML markup or entities in it? */
bool text_has_html(const char *p, size_t n);
/* Trims spaces, collapses internal whitespace runs to one space, removes
 * control characters, and makes invalid UTF-8 into U+FFFD; for one-line
 * fields (names). */
void text_clean_line(const char *p, size_t n, struct buf *out);
/* A key for spotting duplicates: lowercase ASCII letters and digits only,
 * words in order ("St. Mary's Lunch Club!" -> "stmaryslunchclub"). */
void text_dupe_key(const char *p, size_t n, struct buf *out);

#endif
