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
 * bounds the result (buf's sticky error). More precisely:
 *   - ul/ol/p/h1-h6/table/blockquote/pre/hr/dl/figure/address make a
 *     blank line; div/li/tr/dt/dd/section/article/header/footer/nav/...
 *     a new line; each <br> one new line (two in a row: a blank line);
 *     td/th a space; other tags nothing; lists nest without indent.
 *   - Attributes never reach the output (alt text included).
 *   - Markup is what HTML5 says it is: '<' before a letter, '/', '!' or
 *     '?'; "a < b" keeps its '<'. An unfinished tag at the end is dropped.
 *   - Named references need their ';' except &amp &lt &gt &quot &nbsp
 *     &copy &reg; unknown ones stay as written ("&foo;"). &nbsp; and the
 *     Unicode spaces are spaces; the soft hyphen, the byte-order mark and
 *     control characters are dropped; numeric references 128-159 are
 *     read as Windows-1252 (as browsers do) and refused ones become
 *     U+FFFD.
 *   - Input with no markup at all (only entities) keeps its line breaks
 *     as text_clean_block does.
 * Lines never start or end with a space; the text never starts or ends
 * with a line break. */
void text_from_html(const char *p, size_t n, struct buf *out);
/* Does p look like it has HTML markup or entities in it? */
bool text_has_html(const char *p, size_t n);
/* Trims spaces, collapses internal whitespace runs to one space, removes
 * control characters, and makes invalid UTF-8 into U+FFFD; for one-line
 * fields (names). */
void text_clean_line(const char *p, size_t n, struct buf *out);
/* For multi-line plain text (a form's textarea): text_clean_line within
 * each line, CRLF and CR made LF, at most one blank line in a row, none at
 * the start or end. */
void text_clean_block(const char *p, size_t n, struct buf *out);
/* A key for spotting duplicates: lowercase ASCII letters and digits only,
 * words in order ("St. Mary's Lunch Club!" -> "stmaryslunchclub"). */
void text_dupe_key(const char *p, size_t n, struct buf *out);
/* (Latin-1 and Welsh accented letters fold to their base letters:
 * "Café Ŵyl" -> "cafewyl"; other characters are dropped.) */

#endif
