/*
 * markdown.h - posts' Markdown (CommonMark, parsed by cmark) as safe HTML,
 * as plain text and as a quote. Conversations (issue 13) write posts in
 * Markdown; nothing a post says can become markup, a script, a tracking
 * image or a link that passes on the site's reputation.
 *
 *   struct buf html;
 *   buf_init(&html, LIMIT_PAGE_BYTES);
 *   if (markdown_html(body, len, &html, NULL) != ERR_OK) ...;
 *   // html.p goes into a template as {{raw_html body}}
 *
 * What a post may say, and what it becomes (markdown_html):
 *   - paragraphs        <p class="govuk-body">
 *   - lists             <ul class="govuk-list govuk-list--bullet">,
 *                       <ol class="govuk-list govuk-list--number" start="N">;
 *                       a tight list's items hold their text without <p>
 *   - block quotes      <blockquote class="govuk-inset-text"> (a reply's
 *                       quote of another post)
 *   - headings          demoted: a post's "#" is never the page's <h1>.
 *                       "#" is <h3> (opts.heading_level), "##" one lower,
 *                       and so on to <h6>; all class="govuk-heading-s"
 *   - code              <code>; blocks <pre class="kith-pre"><code>
 *   - emphasis          <em>, <strong>; hard line breaks <br>; thematic
 *                       breaks <hr class="govuk-section-break ...">
 *   - links             <a href="URL" class="govuk-link" rel="nofollow ugc">
 *                       only for http://, https:// and mailto: URLs (any
 *                       case). Any other URL - javascript:, data:, file:,
 *                       relative ("/account/delete": a post is no place
 *                       for a link that hides where it goes) - leaves the
 *                       link's text as plain text. The href is percent-
 *                       encoded (spaces, quotes, non-ASCII) and escaped, so
 *                       it can never end the attribute. Titles are dropped.
 *                       A link with no text shows its URL.
 *   - images            never embedded (a remote image tells its owner who
 *                       read the post, and when): an image with an allowed
 *                       URL is a link to it whose text is its alt text and
 *                       " (image)", or "image" when it has none; otherwise
 *                       its alt text.
 *   - raw HTML          shown as the text it is, escaped: "<script>" reads
 *                       "<script>" on the page and runs nothing. It is not
 *                       dropped (cmark's safe mode drops it) because people
 *                       write "<hugs>" and "<sigh>", which CommonMark reads
 *                       as HTML tags, and a post that loses them says less
 *                       than its writer meant.
 * Every piece of text goes through esc_html; control characters (C0 other
 * than tab and newline, DEL, C1) are dropped. No other tag or attribute
 * is written: no id, style, on*, src or target. Links inside links (an
 * image inside a link) are text.
 *
 * Limits and failures (the same for all three functions):
 *   - Input: at most opts.max bytes (MARKDOWN_MAX when 0). A longer text is
 *     refused with ERR_TOO_LARGE, not cut: cutting Markdown can change what
 *     the rest means, and the form that takes a post refuses the same
 *     length, so a stored post always renders.
 *   - Invalid UTF-8 is replaced with U+FFFD (cmark's CMARK_OPT_VALIDATE_UTF8),
 *     and so are NUL and references to surrogates or past U+10FFFF: the
 *     output is always valid UTF-8. The form should still refuse bytes that
 *     are not clean UTF-8 (str_is_clean_utf8) so that what is stored is what
 *     was meant.
 *   - Nesting: block quotes and lists nested deeper than MARKDOWN_DEPTH_MAX
 *     keep their content but lose their own tags; emphasis deeper than
 *     MARKDOWN_EMPH_DEPTH_MAX likewise. cmark's own parsing has no recursion,
 *     and neither has this walk.
 *   - Output: markdown_html writes at most MARKDOWN_HTML_BOUND(n) bytes.
 *     A reference definition can give many links one long URL ("[x]: http://
 *     ...10 KB..." then "[x][x][x]..."), so the hrefs of one post together
 *     may use at most 4n + 256 bytes; a link past that budget is its text.
 *     The other constructs write at most a fixed number of bytes per byte
 *     of input (the worst is a deep block quote, ">>>>>>" at about 40 bytes
 *     per byte), which the bound covers; fuzz/fuzz_markdown.c checks it.
 *     markdown_text writes at most MARKDOWN_TEXT_BOUND(n) bytes.
 *   - Errors: ERR_TOO_LARGE for input over the maximum, for output that
 *     would pass its bound, or when out cannot grow (its own maximum, or
 *     no memory); ERR_NOMEM when cmark gives no tree. Out then has nothing
 *     new and is unchanged, unless out itself failed, when it is in error
 *     (buf's sticky error). cmark aborts the process when malloc fails:
 *     the input limit keeps its memory to a few megabytes.
 *   - Time: about 0.1 ms for an ordinary 2 KB post; the slowest input known
 *     for the Debian cmark (0.30.2, before 0.30.3's fixes of its quadratic
 *     cases) takes about 12 ms at 20,000 bytes ("![[]()" repeated). Render
 *     a post once, when it is written or edited, and keep the HTML, rather
 *     than on every view of a topic page.
 *
 * Thread-safe: no state outside the call.
 */
#ifndef KITH_MARKDOWN_H
#define KITH_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

#define MARKDOWN_MAX             20000  /* bytes of Markdown in one post */
#define MARKDOWN_DEPTH_MAX       6      /* block quotes and lists drawn nested */
#define MARKDOWN_EMPH_DEPTH_MAX  8      /* <em>/<strong> drawn nested */
/* The most markdown_html and markdown_text write for n bytes of input. */
#define MARKDOWN_HTML_BOUND(n)   (64 * (size_t)(n) + 1024)
#define MARKDOWN_TEXT_BOUND(n)   (4 * (size_t)(n) + 16)

struct markdown_opts {
	size_t max;             /* input bytes accepted; 0: MARKDOWN_MAX */
	int heading_level;      /* the <hN> a "#" heading becomes, 2..6; 0: 3 */
	bool smart;             /* markdown_html: curly quotes, en and em
	                           dashes (CMARK_OPT_SMART) */
	bool skip_quotes;       /* markdown_text: leave out block quotes, so a
	                           reply is not indexed or classified by the
	                           words of the post it quotes */
};

/* Appends the HTML of the Markdown src[0..n) to out (see above). o may be
 * NULL for the defaults. */
enum err markdown_html(const char *src, size_t n, struct buf *out,
		const struct markdown_opts *o);

/* Appends the plain text of src[0..n) to out, for search indexing, the
 * crisis classifier and short quotations in notices: the words as the
 * reader sees them, no markup. Blocks are separated by a blank line,
 * the items of a tight list by a line break; a line break in a paragraph
 * stays a line break. A link is its text (not its URL), an image its alt
 * text, code and raw HTML their literal text ("<hugs>" stays). Clean
 * UTF-8 (str_is_clean_utf8), never starting or ending with a line break.
 * Only o->max and o->skip_quotes are read. */
enum err markdown_text(const char *src, size_t n, struct buf *out,
		const struct markdown_opts *o);

/* Appends src[0..n), a post's Markdown, quoted for a reply: every line
 * with "> " before it (">" before an empty one), then an empty line, so
 * that what the replier writes after it starts a paragraph of its own
 * rather than continuing the quote. Line endings become "\n"; blank lines
 * at either end are left out; tabs in a line's indentation become spaces
 * (a tab after "> " would count as fewer columns, and an indented code
 * block would stop being one). At most max bytes are appended: a longer
 * quote keeps the lines that fit and ends with a "> …" line (a single line
 * longer than that is cut on a character boundary). Nothing (ERR_OK) for
 * a blank post or a max too small for "> …". ERR_TOO_LARGE when out cannot
 * grow. */
enum err markdown_quote(const char *src, size_t n, size_t max, struct buf *out);

#endif
