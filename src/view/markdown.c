/*
 * markdown.c - posts' Markdown through cmark, rendered by walking its tree.
 *
 * cmark parses; this file writes. cmark's own HTML renderer is not used:
 * its safe mode drops raw HTML and blanks unsafe hrefs, but it writes
 * <img>, <h1>, titles and no classes, and adjusting its HTML afterwards
 * would mean reading HTML with patterns. Walking the tree (cmark_iter, an
 * explicit stack: no recursion however deep the post nests) and writing
 * each node from a short list of known tags keeps the whole output
 * language in this file: every tag, attribute and class appears below as a
 * literal, and every byte of the post goes through esc_html or href().
 *
 * A link's decision (an <a> or plain text) is made when it is entered and
 * must be the same when it is left; the href budget changes in between, so
 * the decision is kept on the node (cmark_node_set_user_data). Depth
 * counters for quotes, lists and emphasis are symmetric and need no memory.
 */
#include "core/common.h"

#include <cmark.h>

#include "core/checked.h"
#include "view/escape.h"
#include "view/markdown.h"

static const struct markdown_opts defaults = { 0 };

/* What the hrefs of one post may add together: see markdown.h. */
#define HREF_BUDGET(n) (4 * (size_t)(n) + 256)

/* The mark on a link node for which an <a> was opened. */
static char opened;

struct render {
	struct buf *b;
	size_t href_budget;     /* bytes of href (and URL as text) left */
	int heading_level;
	int nest;               /* block quotes and lists around the node */
	int emph;               /* <em>/<strong> around the node */
	int in_link;            /* an <a> we wrote is open */
};

static cmark_node *parse(const char *src, size_t n, bool smart)
{
	/* CMARK_OPT_SAFE has no effect in cmark 0.30 (safe is the default)
	 * and none at all on parsing; it is here so that the intent reads in
	 * the options. CMARK_OPT_UNSAFE is never passed. The safety of the
	 * output does not rest on either: nothing below writes raw HTML or
	 * an unchecked URL. */
	int options = CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8;

	if (smart)
		options |= CMARK_OPT_SMART;
	return cmark_parse_document(n ? src : "", n, options);
}

/* The length of the control character at p[i] (C0 other than tab and
 * newline, DEL, or C1: U+0080-U+009F, 0xC2 0x80-0x9F in UTF-8), or 0 when
 * there is none. cmark has already made the text valid UTF-8, so 0xC2
 * always starts a character. */
static size_t control_at(const char *p, size_t n, size_t i)
{
	unsigned char c = (unsigned char)p[i];

	if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
		return 1;
	if (c == 0xC2 && i + 1 < n && (unsigned char)p[i + 1] >= 0x80 &&
			(unsigned char)p[i + 1] <= 0x9F)
		return 2;
	return 0;
}

/* Text as text: escaped (for HTML), with control characters dropped, so
 * that what is written is clean UTF-8 (str_is_clean_utf8). */
static void emit_text(struct buf *b, const char *p, size_t n, bool html)
{
	size_t start = 0, i = 0, k = 0;

	while (i <= n) {
		if (i < n && !(k = control_at(p, n, i))) {
			i++;
			continue;
		}
		if (html)
			esc_html(b, p + start, i - start);
		else
			buf_add(b, p + start, i - start);
		if (i == n)
			break;
		i += k;
		start = i;
	}
}

static void emit_literal(struct buf *b, cmark_node *node, bool html)
{
	const char *s = cmark_node_get_literal(node);

	if (s)
		emit_text(b, s, strlen(s), html);
}

/* ---------------------------------------------------------------- URLs */

static bool has_prefix_ci(const char *u, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && strncasecmp(u, prefix, k) == 0;
}

/* Only absolute http(s) URLs with something after the "//", and mailto:
 * with something after the colon. The check is on the bytes as they will
 * be written: a URL that starts "http://" is read by every browser as
 * http, whatever follows. */
static bool url_allowed(const char *u, size_t n)
{
	if (has_prefix_ci(u, n, "http://"))
		return n > 7;
	if (has_prefix_ci(u, n, "https://"))
		return n > 8;
	if (has_prefix_ci(u, n, "mailto:"))
		return n > 7;
	return false;
}

/* Bytes written as they are in an href: RFC 3986's unreserved and
 * reserved characters and '%' (a URL already encoded stays as it is).
 * '&' and '\'' are written as references. Anything else (controls,
 * space, '"', '<', '>', '\\', '^', '`', '{', '|', '}', non-ASCII) is
 * percent-encoded. */
static const unsigned char href_keep[256] = {
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['-'] = 1, ['.'] = 1, ['_'] = 1, ['~'] = 1, [':'] = 1, ['/'] = 1,
	['?'] = 1, ['#'] = 1, ['['] = 1, [']'] = 1, ['@'] = 1, ['!'] = 1,
	['$'] = 1, ['('] = 1, [')'] = 1, ['*'] = 1, ['+'] = 1, [','] = 1,
	[';'] = 1, ['='] = 1, ['%'] = 1,
};

static size_t href_len(const char *u, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)u[i];

		k += href_keep[c] ? 1 : c == '&' ? 5 : c == '\'' ? 5 : 3;
	}
	return k;
}

static void href(struct buf *b, const char *u, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)u[i];

		if (href_keep[c]) {
			buf_addc(b, (char)c);
		} else if (c == '&') {
			buf_adds(b, "&amp;");
		} else if (c == '\'') {
			buf_adds(b, "&#39;");
		} else {
			buf_addc(b, '%');
			buf_addc(b, hex[c >> 4]);
			buf_addc(b, hex[c & 15]);
		}
	}
}

/* ---------------------------------------------------------------- HTML */

/* Enter a link or an image: open an <a> when its URL is allowed, no link
 * is open already and the budget has room. Returns whether it did. */
static bool link_open(struct render *r, cmark_node *node)
{
	const char *u = cmark_node_get_url(node);
	size_t n = u ? strlen(u) : 0, k;
	bool shows_url = cmark_node_get_type(node) == CMARK_NODE_LINK &&
		!cmark_node_first_child(node);

	if (r->in_link || !u || !url_allowed(u, n))
		return false;
	k = href_len(u, n);
	if (shows_url && !size_add(k, k, &k))
		return false;
	if (k > r->href_budget)
		return false;
	r->href_budget -= k;
	buf_adds(r->b, "<a href=\"");
	href(r->b, u, n);
	buf_adds(r->b, "\" class=\"govuk-link\" rel=\"nofollow ugc\">");
	if (shows_url)
		href(r->b, u, n);
	cmark_node_set_user_data(node, &opened);
	r->in_link++;
	return true;
}

static void link_close(struct render *r, cmark_node *node)
{
	if (cmark_node_get_user_data(node) != &opened)
		return;
	if (cmark_node_get_type(node) == CMARK_NODE_IMAGE)
		buf_adds(r->b, cmark_node_first_child(node) ? " (image)" : "image");
	buf_adds(r->b, "</a>");
	r->in_link--;
}

/* A paragraph in a tight list's item holds its text without <p>, as
 * cmark's renderer does, unless the list is too deep to be drawn. */
static bool paragraph_bare(const struct render *r, cmark_node *node)
{
	cmark_node *item = cmark_node_parent(node);
	cmark_node *list = item ? cmark_node_parent(item) : NULL;

	return r->nest <= MARKDOWN_DEPTH_MAX && list &&
		cmark_node_get_type(list) == CMARK_NODE_LIST &&
		cmark_node_get_list_tight(list);
}

static void html_block(struct render *r, cmark_node *node, bool entering)
{
	struct buf *b = r->b;

	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_BLOCK_QUOTE:
		if (entering)
			r->nest++;
		if (r->nest <= MARKDOWN_DEPTH_MAX)
			buf_adds(b, entering ? "<blockquote class=\"govuk-inset-text\">\n" : "</blockquote>\n");
		if (!entering)
			r->nest--;
		break;
	case CMARK_NODE_LIST: {
		bool ordered = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST;

		if (entering)
			r->nest++;
		if (r->nest <= MARKDOWN_DEPTH_MAX) {
			if (!entering) {
				buf_adds(b, ordered ? "</ol>\n" : "</ul>\n");
			} else if (!ordered) {
				buf_adds(b, "<ul class=\"govuk-list govuk-list--bullet\">\n");
			} else {
				int start = cmark_node_get_list_start(node);

				buf_adds(b, "<ol class=\"govuk-list govuk-list--number\"");
				if (start != 1)
					buf_addf(b, " start=\"%d\"", start);
				buf_adds(b, ">\n");
			}
		}
		if (!entering)
			r->nest--;
		break;
	}
	case CMARK_NODE_ITEM:
		/* An item is as deep as its list: r->nest is the list's. */
		if (r->nest <= MARKDOWN_DEPTH_MAX)
			buf_adds(b, entering ? "<li>" : "</li>\n");
		break;
	case CMARK_NODE_PARAGRAPH:
		if (!paragraph_bare(r, node))
			buf_adds(b, entering ? "<p class=\"govuk-body\">" : "</p>\n");
		else if (!entering && cmark_node_next(node))
			buf_addc(b, '\n');
		break;
	case CMARK_NODE_HEADING: {
		int level = r->heading_level + cmark_node_get_heading_level(node) - 1;

		if (level > 6)
			level = 6;
		if (entering)
			buf_addf(b, "<h%d class=\"govuk-heading-s\">", level);
		else
			buf_addf(b, "</h%d>\n", level);
		break;
	}
	case CMARK_NODE_CODE_BLOCK:
		buf_adds(b, "<pre class=\"kith-pre\"><code>");
		emit_literal(b, node, true);
		buf_adds(b, "</code></pre>\n");
		break;
	case CMARK_NODE_HTML_BLOCK: {
		/* Raw HTML is shown as what it is: text. Its trailing line
		 * break would sit before </p>. */
		const char *s = cmark_node_get_literal(node);
		size_t n = s ? strlen(s) : 0;

		while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
			n--;
		buf_adds(b, "<p class=\"govuk-body\">");
		emit_text(b, s, n, true);
		buf_adds(b, "</p>\n");
		break;
	}
	case CMARK_NODE_THEMATIC_BREAK:
		buf_adds(b, "<hr class=\"govuk-section-break govuk-section-break--m govuk-section-break--visible\">\n");
		break;
	default:
		/* The document and custom blocks (the parser makes none)
		 * write nothing of their own; their children are walked. */
		break;
	}
}

static void html_inline(struct render *r, cmark_node *node, bool entering)
{
	struct buf *b = r->b;

	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_TEXT:
	case CMARK_NODE_HTML_INLINE:
		emit_literal(b, node, true);
		break;
	case CMARK_NODE_CODE:
		buf_adds(b, "<code>");
		emit_literal(b, node, true);
		buf_adds(b, "</code>");
		break;
	case CMARK_NODE_SOFTBREAK:
		buf_addc(b, '\n');
		break;
	case CMARK_NODE_LINEBREAK:
		buf_adds(b, "<br>\n");
		break;
	case CMARK_NODE_EMPH:
	case CMARK_NODE_STRONG: {
		bool em = cmark_node_get_type(node) == CMARK_NODE_EMPH;

		if (entering)
			r->emph++;
		if (r->emph <= MARKDOWN_EMPH_DEPTH_MAX) {
			if (entering)
				buf_adds(b, em ? "<em>" : "<strong>");
			else
				buf_adds(b, em ? "</em>" : "</strong>");
		}
		if (!entering)
			r->emph--;
		break;
	}
	case CMARK_NODE_LINK:
	case CMARK_NODE_IMAGE:
		if (entering)
			link_open(r, node);
		else
			link_close(r, node);
		break;
	default:
		/* Custom inlines (the parser makes none): children only. */
		break;
	}
}

/* The input's size, for markdown_html and markdown_text. A caller may
 * allow more than MARKDOWN_MAX, but not so much that the output bounds
 * would wrap. */
static enum err check_input(size_t n, const struct markdown_opts *o)
{
	size_t max = o->max ? o->max : MARKDOWN_MAX;

	return n > max || n > SIZE_MAX / 128 ? ERR_TOO_LARGE : ERR_OK;
}

/* Appends tmp to out, or reports why not. */
static enum err finish(struct buf *tmp, struct buf *out)
{
	if (!buf_ok(tmp))
		return ERR_TOO_LARGE;
	buf_add(out, tmp->p, tmp->len);
	return buf_ok(out) ? ERR_OK : ERR_TOO_LARGE;
}

enum err markdown_html(const char *src, size_t n, struct buf *out,
		const struct markdown_opts *o)
{
	struct render r = { 0 };
	struct buf tmp;
	cmark_node *doc;
	cmark_iter *it;
	cmark_event_type ev;
	enum err e;

	if (!o)
		o = &defaults;
	if ((e = check_input(n, o)) != ERR_OK)
		return e;
	doc = parse(src, n, o->smart);
	if (!doc)
		return ERR_NOMEM;
	buf_init(&tmp, MARKDOWN_HTML_BOUND(n));
	r.b = &tmp;
	r.href_budget = HREF_BUDGET(n);
	r.heading_level = o->heading_level == 0 ? 3 :
		o->heading_level < 2 ? 2 : o->heading_level > 6 ? 6 : o->heading_level;
	it = cmark_iter_new(doc);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE && buf_ok(&tmp)) {
		cmark_node *node = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(node);
		bool entering = ev == CMARK_EVENT_ENTER;

		if (t >= CMARK_NODE_FIRST_INLINE && t <= CMARK_NODE_LAST_INLINE)
			html_inline(&r, node, entering);
		else
			html_block(&r, node, entering);
	}
	cmark_iter_free(it);
	cmark_node_free(doc);
	e = finish(&tmp, out);
	buf_release(&tmp);
	return e;
}

/* ---------------------------------------------------------------- text */

/* What goes between the text already written and a leaf block about to
 * start: a line break between the items of a tight list (and before a
 * tight list nested in an item), a blank line otherwise. */
static const char *text_separator(cmark_node *leaf)
{
	cmark_node *item = cmark_node_parent(leaf);
	cmark_node *list = item ? cmark_node_parent(item) : NULL;

	if (!list || cmark_node_get_type(item) != CMARK_NODE_ITEM ||
			!cmark_node_get_list_tight(list) ||
			cmark_node_first_child(item) != leaf)
		return "\n\n";
	if (cmark_node_previous(item))
		return "\n";
	/* The first item of a tight list inside another tight list's item
	 * follows that item's text on the next line. */
	item = cmark_node_parent(list);
	list = item ? cmark_node_parent(item) : NULL;
	if (list && cmark_node_get_type(item) == CMARK_NODE_ITEM &&
			cmark_node_get_list_tight(list))
		return "\n";
	return "\n\n";
}

static bool is_leaf_block(cmark_node_type t)
{
	return t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING ||
		t == CMARK_NODE_CODE_BLOCK || t == CMARK_NODE_HTML_BLOCK;
}

/* Trailing line breaks (a code block's literal ends with one) go, so the
 * separators alone decide the spacing. */
static void trim_breaks(struct buf *b, size_t floor)
{
	size_t len = b->len;

	while (len > floor && b->p[len - 1] == '\n')
		len--;
	buf_truncate(b, len);
}

enum err markdown_text(const char *src, size_t n, struct buf *out,
		const struct markdown_opts *o)
{
	struct buf tmp;
	cmark_node *doc;
	cmark_iter *it;
	cmark_event_type ev;
	enum err e;

	if (!o)
		o = &defaults;
	if ((e = check_input(n, o)) != ERR_OK)
		return e;
	doc = parse(src, n, false);
	if (!doc)
		return ERR_NOMEM;
	buf_init(&tmp, MARKDOWN_TEXT_BOUND(n));
	it = cmark_iter_new(doc);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE && buf_ok(&tmp)) {
		cmark_node *node = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(node);

		if (ev != CMARK_EVENT_ENTER)
			continue;
		if (t == CMARK_NODE_BLOCK_QUOTE && o->skip_quotes) {
			/* Skip its subtree: resume at its exit. */
			cmark_iter_reset(it, node, CMARK_EVENT_EXIT);
			continue;
		}
		if (is_leaf_block(t)) {
			size_t before;

			trim_breaks(&tmp, 0);
			if (tmp.len)
				buf_adds(&tmp, text_separator(node));
			before = tmp.len;
			if (t == CMARK_NODE_CODE_BLOCK || t == CMARK_NODE_HTML_BLOCK) {
				emit_literal(&tmp, node, false);
				trim_breaks(&tmp, before);
				/* A blank code block leaves no separator
				 * behind. */
				if (tmp.len == before)
					trim_breaks(&tmp, 0);
			}
			continue;
		}
		switch (t) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
		case CMARK_NODE_HTML_INLINE:
			emit_literal(&tmp, node, false);
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			buf_addc(&tmp, '\n');
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
	cmark_node_free(doc);
	/* A paragraph may end in a hard break's line break, or the text may
	 * start with one (a post that starts with a soft break is not
	 * possible, but a code block of blank lines is). */
	trim_breaks(&tmp, 0);
	{
		size_t lead = 0;

		while (lead < tmp.len && tmp.p[lead] == '\n')
			lead++;
		if (lead) {
			memmove(tmp.p, tmp.p + lead, tmp.len - lead);
			buf_truncate(&tmp, tmp.len - lead);
		}
	}
	e = finish(&tmp, out);
	buf_release(&tmp);
	return e;
}

/* ---------------------------------------------------------------- quote */

/* The end of the line starting at i (the index of its '\r' or '\n', or n)
 * and, in *next, where the following line starts. */
static size_t line_end(const char *s, size_t n, size_t i, size_t *next)
{
	size_t j = i;

	while (j < n && s[j] != '\n' && s[j] != '\r')
		j++;
	*next = j;
	if (j < n) {
		(*next)++;
		if (s[j] == '\r' && j + 1 < n && s[j + 1] == '\n')
			(*next)++;
	}
	return j;
}

static bool line_blank(const char *s, size_t a, size_t z)
{
	for (size_t i = a; i < z; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* Bytes of one line quoted: "> " (or ">" alone), its indentation with
 * tabs expanded to the next multiple of 4 columns, its rest, "\n". When
 * out is not NULL the line is written, cut to at most cap bytes of its
 * own text on a character boundary. */
static size_t quote_line(const char *s, size_t a, size_t z, size_t cap, struct buf *out)
{
	size_t col = 0, i = a, k;

	if (line_blank(s, a, z)) {
		if (out)
			buf_adds(out, ">\n");
		return 2;
	}
	while (i < z && (s[i] == ' ' || s[i] == '\t')) {
		col = s[i] == '\t' ? (col / 4 + 1) * 4 : col + 1;
		i++;
	}
	k = col + (z - i);
	if (out) {
		size_t rest = z - i;

		if (k > cap) {
			/* Cut on a character boundary (never before a UTF-8
			 * continuation byte). */
			rest = cap > col ? cap - col : 0;
			while (rest && ((unsigned char)s[i + rest] & 0xC0) == 0x80)
				rest--;
			if (col > cap)
				col = cap;
		}
		buf_adds(out, "> ");
		for (size_t c = 0; c < col; c++)
			buf_addc(out, ' ');
		buf_add(out, s + i, rest);
		buf_addc(out, '\n');
	}
	return 2 + k + 1;
}

enum err markdown_quote(const char *src, size_t n, size_t max, struct buf *out)
{
	static const char more[] = "> \xE2\x80\xA6\n";   /* "> …" */
	size_t a = 0, z = 0, i, next, total = 0;

	if (!src)
		n = 0;
	/* Blank lines at either end go: [a, z) runs from the first line
	 * that is not blank to the end of the last. */
	for (i = 0; i < n; i = next) {
		size_t e = line_end(src, n, i, &next);

		if (line_blank(src, i, e))
			continue;
		if (z == 0)
			a = i;
		z = e;
	}
	if (z == 0)
		return ERR_OK;

	for (i = a; i < z; i = next) {
		size_t k = quote_line(src, i, line_end(src, z, i, &next), 0, NULL);

		if (!size_add(total, k, &total))
			return ERR_TOO_LARGE;
	}
	if (total + 1 <= max) {
		for (i = a; i < z; i = next)
			quote_line(src, i, line_end(src, z, i, &next), SIZE_MAX, out);
	} else {
		/* The lines that fit, keeping room for "> …" and the empty
		 * line after it. */
		size_t room, used = 0;

		if (max < sizeof(more))
			return ERR_OK;
		room = max - sizeof(more);
		for (i = a; i < z; i = next) {
			size_t e = line_end(src, z, i, &next);
			size_t k = quote_line(src, i, e, 0, NULL);

			if (used + k > room)
				break;
			quote_line(src, i, e, SIZE_MAX, out);
			used += k;
		}
		/* Not even the first line: as much of it as fits, after
		 * "> " and before its "\n". */
		if (used == 0 && room > 3)
			quote_line(src, a, line_end(src, z, a, &next), room - 3, out);
		buf_add(out, more, sizeof(more) - 1);
	}
	buf_addc(out, '\n');
	return buf_ok(out) ? ERR_OK : ERR_TOO_LARGE;
}
