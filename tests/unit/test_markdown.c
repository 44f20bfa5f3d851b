/*
 * test_markdown.c - posts' Markdown (src/view/markdown.c): what a reader
 * sees for each construct, and that nothing a writer types becomes markup,
 * a script, an embedded image or a followed link. Every HTML result is
 * also read by tests/support/html_shape.h, which knows the output
 * language independently of the renderer.
 */
#include "core/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/str.h"
#include "view/markdown.h"

#include "support/html_shape.h"

static struct buf out;

static void check_safe(const char *html, size_t n)
{
	const char *why = NULL;

	if (!html_shape_ok(html, n, &why))
		fail_msg("%s in:\n%s", why, html);
	assert_true(str_is_clean_utf8(html, n));
	assert_null(strcasestr(html, "<script"));
	assert_null(strcasestr(html, "<img"));
	assert_null(strcasestr(html, "<h1"));
	assert_null(strcasestr(html, "href=\"javascript"));
	assert_null(strcasestr(html, "href=\"\""));
}

/* The HTML of md (NUL-terminated, or n bytes), checked safe. */
static const char *html_n(const char *md, size_t n, const struct markdown_opts *o)
{
	buf_reset(&out);
	assert_int_equal(markdown_html(md, n, &out, o), ERR_OK);
	assert_true(buf_ok(&out));
	assert_true(out.len <= MARKDOWN_HTML_BOUND(n));
	check_safe(out.p, out.len);
	return out.p;
}

static const char *html(const char *md)
{
	return html_n(md, strlen(md), NULL);
}

static const char *text_o(const char *md, const struct markdown_opts *o)
{
	size_t n = strlen(md);

	buf_reset(&out);
	assert_int_equal(markdown_text(md, n, &out, o), ERR_OK);
	assert_true(out.len <= MARKDOWN_TEXT_BOUND(n));
	assert_true(str_is_clean_utf8(out.p, out.len));
	if (out.len)
		assert_true(out.p[0] != '\n' && out.p[out.len - 1] != '\n');
	return out.p;
}

static const char *text(const char *md)
{
	return text_o(md, NULL);
}

static const char *quote(const char *md, size_t max)
{
	buf_reset(&out);
	assert_int_equal(markdown_quote(md, strlen(md), max, &out), ERR_OK);
	assert_true(out.len <= max);
	return out.p;
}

static int setup(void **state)
{
	UNUSED(state);
	buf_init(&out, 1 << 24);
	return 0;
}

static int teardown(void **state)
{
	UNUSED(state);
	buf_release(&out);
	return 0;
}

#define P(s) "<p class=\"govuk-body\">" s "</p>\n"
#define A(url, s) "<a href=\"" url "\" class=\"govuk-link\" rel=\"nofollow ugc\">" s "</a>"

static void test_paragraphs_and_emphasis(void **state)
{
	UNUSED(state);
	assert_string_equal(html(""), "");
	assert_string_equal(html("   \n\n  "), "");
	assert_string_equal(html("Hello"), P("Hello"));
	assert_string_equal(html("one\ntwo\n\nthree"), P("one\ntwo") P("three"));
	assert_string_equal(html("*a* **b** ***c***"),
		P("<em>a</em> <strong>b</strong> <em><strong>c</strong></em>"));
	assert_string_equal(html("a  \nb"), P("a<br>\nb"));
	assert_string_equal(html("a\\\nb"), P("a<br>\nb"));
	assert_string_equal(html("***"),
		"<hr class=\"govuk-section-break govuk-section-break--m govuk-section-break--visible\">\n");
	/* What a writer types as text is text, quotes and all. */
	assert_string_equal(html("Tom & Jerry's \"show\" 1 < 2 > 0"),
		P("Tom &amp; Jerry&#39;s &quot;show&quot; 1 &lt; 2 &gt; 0"));
}

static void test_raw_html_is_text(void **state)
{
	UNUSED(state);
	assert_string_equal(html("<script>alert(1)</script>"),
		P("&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_string_equal(html("hi <script>alert(1)</script> there"),
		P("hi &lt;script&gt;alert(1)&lt;/script&gt; there"));
	assert_string_equal(html("<img src=x onerror=alert(1)>"),
		P("&lt;img src=x onerror=alert(1)&gt;"));
	assert_string_equal(html("a <img src=x onerror=\"alert(1)\"> b"),
		P("a &lt;img src=x onerror=&quot;alert(1)&quot;&gt; b"));
	/* People write these as words; they stay, as text. */
	assert_string_equal(html("Sending <hugs> and <sigh>"),
		P("Sending &lt;hugs&gt; and &lt;sigh&gt;"));
	/* An HTML block, with its event handler, is a paragraph of text. */
	assert_string_equal(html("<div onclick=\"x()\">\nhi\n</div>"),
		P("&lt;div onclick=&quot;x()&quot;&gt;\nhi\n&lt;/div&gt;"));
	assert_string_equal(html("<!-- hidden -->"), P("&lt;!-- hidden --&gt;"));
	assert_string_equal(html("<iframe src=\"https://evil.example\"></iframe>"),
		P("&lt;iframe src=&quot;https://evil.example&quot;&gt;&lt;/iframe&gt;"));
	assert_string_equal(html("<style>body{display:none}</style>"),
		P("&lt;style&gt;body{display:none}&lt;/style&gt;"));
	/* Entities decode to characters, which are escaped again: a
	 * reference cannot smuggle a tag. */
	assert_string_equal(html("&lt;script&gt;alert(1)&lt;/script&gt;"),
		P("&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_string_equal(html("&#60;script&#62; &#x3C;b&#x3E;"),
		P("&lt;script&gt; &lt;b&gt;"));
	assert_string_equal(html("&amp;lt;script&amp;gt;"),
		P("&amp;lt;script&amp;gt;"));
	assert_string_equal(html("\\<script>"), P("&lt;script&gt;"));
}

static void test_links(void **state)
{
	UNUSED(state);
	assert_string_equal(html("[NHS 111](https://111.nhs.uk)"),
		P(A("https://111.nhs.uk", "NHS 111")));
	assert_string_equal(html("[x](http://example.org/a?b=1&c=2#d)"),
		P(A("http://example.org/a?b=1&amp;c=2#d", "x")));
	assert_string_equal(html("[x](HTTPS://EXAMPLE.ORG)"),
		P(A("HTTPS://EXAMPLE.ORG", "x")));
	assert_string_equal(html("<https://www.samaritans.org>"),
		P(A("https://www.samaritans.org", "https://www.samaritans.org")));
	assert_string_equal(html("<jo@example.org>"),
		P(A("mailto:jo@example.org", "jo@example.org")));
	assert_string_equal(html("[mail](MAILTO:jo@example.org)"),
		P(A("MAILTO:jo@example.org", "mail")));
	/* Titles are dropped; emphasis inside a link stays. */
	assert_string_equal(html("[*go*](https://x.org \"a title\")"),
		P(A("https://x.org", "<em>go</em>")));
	/* Reference links. */
	assert_string_equal(html("[site][s]\n\n[s]: https://x.org"),
		P(A("https://x.org", "site")));
	/* No text: the URL is the text. */
	assert_string_equal(html("[](https://x.org/a)"),
		P(A("https://x.org/a", "https://x.org/a")));
	/* The href cannot be left: quotes, spaces, angle brackets and
	 * non-ASCII are percent-encoded. */
	assert_string_equal(html("[x](<https://x.org/a b\"c>)"),
		P(A("https://x.org/a%20b%22c", "x")));
	assert_string_equal(html("[x](https://x.org/\"onmouseover=\"alert(1))"),
		P(A("https://x.org/%22onmouseover=%22alert(1)", "x")));
	assert_string_equal(html("[x](https://x.org/caf\xC3\xA9)"),
		P(A("https://x.org/caf%C3%A9", "x")));
	assert_string_equal(html("[x](https://x.org/it's)"),
		P(A("https://x.org/it&#39;s", "x")));
	assert_string_equal(html("[x](https://x.org/%41)"),
		P(A("https://x.org/%41", "x")));
	/* Not a link in a link: CommonMark's rule. */
	assert_string_equal(html("[a [b](https://b.org)](https://a.org)"),
		P("[a " A("https://b.org", "b") "](https://a.org)"));
}

static void test_unsafe_links_are_text(void **state)
{
	UNUSED(state);
	assert_string_equal(html("[a](javascript:alert(1))"), P("a"));
	assert_string_equal(html("[a](JaVaScRiPt:alert(1))"), P("a"));
	assert_string_equal(html("[a](<javascript:alert(1)>)"), P("a"));
	assert_string_equal(html("[a](java&#115;cript:alert(1))"), P("a"));
	assert_string_equal(html("[a](&#x6A;avascript:alert(1))"), P("a"));
	assert_string_equal(html("[a](java\\script:alert(1))"), P("a"));
	assert_string_equal(html("[a](vbscript:msgbox(1))"), P("a"));
	assert_string_equal(html("[a](data:text/html;base64,PHNjcmlwdD4=)"), P("a"));
	assert_string_equal(html("[a](file:///etc/passwd)"), P("a"));
	assert_string_equal(html("[a](/account/delete)"), P("a"));
	assert_string_equal(html("[a](//evil.example)"), P("a"));
	assert_string_equal(html("[a](http:evil.example)"), P("a"));
	assert_string_equal(html("[a](https://)"), P("a"));
	assert_string_equal(html("[a](mailto:)"), P("a"));
	assert_string_equal(html("[a](tel:999)"), P("a"));
	assert_string_equal(html("[a]( https://x.org)"), P(A("https://x.org", "a")));
	/* An autolink with a scheme CommonMark allows but kith does not: its
	 * text stays, as text. */
	assert_string_equal(html("<javascript:alert(1)>"), P("javascript:alert(1)"));
	assert_string_equal(html("<JAVASCRIPT:alert(1)>"), P("JAVASCRIPT:alert(1)"));
	assert_string_equal(html("<vbscript:x>"), P("vbscript:x"));
	assert_string_equal(html("[a][r]\n\n[r]: javascript:alert(1)"), P("a"));
}

static void test_images_are_links(void **state)
{
	UNUSED(state);
	assert_string_equal(html("![a cat](https://x.org/cat.png)"),
		P(A("https://x.org/cat.png", "a cat (image)")));
	assert_string_equal(html("![](https://x.org/cat.png)"),
		P(A("https://x.org/cat.png", "image")));
	assert_string_equal(html("![*bold* cat](https://x.org/c.png \"t\")"),
		P(A("https://x.org/c.png", "<em>bold</em> cat (image)")));
	/* Unsafe image URLs, data: ones included, leave the alt text. */
	assert_string_equal(html("![a cat](javascript:alert(1))"), P("a cat"));
	assert_string_equal(html("![a cat](data:image/png;base64,iVBORw0KGgo=)"), P("a cat"));
	assert_string_equal(html("![](data:image/png;base64,iVBORw0KGgo=)"), P(""));
	/* An image in a link is the link's text: no link in a link. */
	assert_string_equal(html("[![logo](https://x.org/l.png)](https://x.org)"),
		P(A("https://x.org", "logo")));
	/* A link in an image's alt text likewise. */
	assert_string_equal(html("![see [here](https://b.org)](https://x.org/i.png)"),
		P(A("https://x.org/i.png", "see here (image)")));
}

static void test_headings_demoted(void **state)
{
	struct markdown_opts o = { 0 };

	UNUSED(state);
	assert_string_equal(html("# Title"), "<h3 class=\"govuk-heading-s\">Title</h3>\n");
	assert_string_equal(html("## Sub"), "<h4 class=\"govuk-heading-s\">Sub</h4>\n");
	assert_string_equal(html("### Sub"), "<h5 class=\"govuk-heading-s\">Sub</h5>\n");
	assert_string_equal(html("###### Six"), "<h6 class=\"govuk-heading-s\">Six</h6>\n");
	assert_string_equal(html("Title\n====="), "<h3 class=\"govuk-heading-s\">Title</h3>\n");
	assert_string_equal(html("Sub\n---"), "<h4 class=\"govuk-heading-s\">Sub</h4>\n");
	o.heading_level = 2;
	assert_string_equal(html_n("# T", 3, &o), "<h2 class=\"govuk-heading-s\">T</h2>\n");
	/* Never h1, whatever is asked. */
	o.heading_level = 1;
	assert_string_equal(html_n("# T", 3, &o), "<h2 class=\"govuk-heading-s\">T</h2>\n");
	o.heading_level = -5;
	assert_string_equal(html_n("# T", 3, &o), "<h2 class=\"govuk-heading-s\">T</h2>\n");
	o.heading_level = 9;
	assert_string_equal(html_n("# T", 3, &o), "<h6 class=\"govuk-heading-s\">T</h6>\n");
}

#define UL "<ul class=\"govuk-list govuk-list--bullet\">\n"
#define OL "<ol class=\"govuk-list govuk-list--number\">\n"

static void test_lists(void **state)
{
	UNUSED(state);
	assert_string_equal(html("- a\n- b"), UL "<li>a</li>\n<li>b</li>\n</ul>\n");
	assert_string_equal(html("1. a\n2. b"), OL "<li>a</li>\n<li>b</li>\n</ol>\n");
	assert_string_equal(html("3) a\n4) b"),
		"<ol class=\"govuk-list govuk-list--number\" start=\"3\">\n<li>a</li>\n<li>b</li>\n</ol>\n");
	assert_string_equal(html("0. a"),
		"<ol class=\"govuk-list govuk-list--number\" start=\"0\">\n<li>a</li>\n</ol>\n");
	/* Loose: paragraphs in items. */
	assert_string_equal(html("- a\n\n- b"),
		UL "<li>" P("a") "</li>\n<li>" P("b") "</li>\n</ul>\n");
	/* Nested. */
	assert_string_equal(html("- a\n  - b\n    - c\n- d"),
		UL "<li>a\n" UL "<li>b\n" UL "<li>c</li>\n</ul>\n</li>\n</ul>\n</li>\n<li>d</li>\n</ul>\n");
	assert_string_equal(html("1. a\n   * b"),
		OL "<li>a\n" UL "<li>b</li>\n</ul>\n</li>\n</ol>\n");
	assert_string_equal(html("-"), UL "<li></li>\n</ul>\n");
	assert_string_equal(html("- [x](https://x.org)"),
		UL "<li>" A("https://x.org", "x") "</li>\n</ul>\n");
}

static void test_quotes_and_code(void **state)
{
	UNUSED(state);
	assert_string_equal(html("> said\n\nreply"),
		"<blockquote class=\"govuk-inset-text\">\n" P("said") "</blockquote>\n" P("reply"));
	assert_string_equal(html("`<b>` and `` a`b ``"),
		P("<code>&lt;b&gt;</code> and <code>a`b</code>"));
	assert_string_equal(html("```html\n<script>alert('x')</script>\n```"),
		"<pre class=\"kith-pre\"><code>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;\n</code></pre>\n");
	assert_string_equal(html("    if (a < b)\n      x = \"&\";"),
		"<pre class=\"kith-pre\"><code>if (a &lt; b)\n  x = &quot;&amp;&quot;;\n</code></pre>\n");
	/* The info string never reaches the output. */
	assert_null(strstr(html("``` \" onmouseover=alert(1)\nx\n```"), "onmouseover"));
	assert_string_equal(html("```\n```"), "<pre class=\"kith-pre\"><code></code></pre>\n");
}

/* n copies of s. */
static char *repeat(const char *s, size_t n)
{
	size_t k = strlen(s);
	char *p = malloc(k * n + 1);

	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		memcpy(p + i * k, s, k);
	p[k * n] = '\0';
	return p;
}

static size_t count(const char *hay, const char *needle)
{
	size_t k = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		k++;
	return k;
}

static void test_deep_nesting(void **state)
{
	char *md;
	size_t n = 0;

	UNUSED(state);
	/* Block quotes: drawn to MARKDOWN_DEPTH_MAX, the rest flattened;
	 * the text survives. */
	md = repeat(">", 5000);
	md[4999] = 'x';
	html(md);
	assert_int_equal(count(out.p, "<blockquote"), MARKDOWN_DEPTH_MAX);
	assert_non_null(strstr(out.p, P("x")));
	free(md);
	/* Lists nested 40 deep. */
	md = malloc(40 * 90);
	assert_non_null(md);
	for (int i = 0; i < 40; i++) {
		memset(md + n, ' ', (size_t)i * 2);
		n += (size_t)i * 2;
		n += (size_t)snprintf(md + n, 40, "- i%d\n", i);
	}
	html_n(md, n, NULL);
	assert_int_equal(count(out.p, "<ul"), MARKDOWN_DEPTH_MAX);
	assert_int_equal(count(out.p, "<li>"), MARKDOWN_DEPTH_MAX);
	/* Past the drawn depth an item's text stays a paragraph of its own. */
	assert_non_null(strstr(out.p, P("i39")));
	assert_non_null(strstr(out.p, "i0"));
	free(md);
	/* Quotes and lists mixed. */
	md = repeat("> - ", 3000);
	html(md);
	assert_true(count(out.p, "<blockquote") + count(out.p, "<ul") <= MARKDOWN_DEPTH_MAX);
	free(md);
	/* Emphasis. */
	md = malloc(15000);
	assert_non_null(md);
	n = 0;
	for (int i = 0; i < 1000; i++)
		n += (size_t)snprintf(md + n, 8, "*a **a ");
	md[n++] = 'b';
	for (int i = 0; i < 1000; i++)
		n += (size_t)snprintf(md + n, 8, " a** a*");
	html_n(md, n, NULL);
	assert_true(count(out.p, "<em>") + count(out.p, "<strong>") <= MARKDOWN_EMPH_DEPTH_MAX);
	free(md);
}

static void test_input_limit(void **state)
{
	struct markdown_opts o = { .max = 10 };
	char *md = repeat("a ", MARKDOWN_MAX / 2 + 1);

	UNUSED(state);
	html_n(md, MARKDOWN_MAX, NULL);
	assert_true(out.len > MARKDOWN_MAX);
	/* One byte more is refused, not cut, and out is left as it was. */
	buf_reset(&out);
	buf_adds(&out, "kept");
	assert_int_equal(markdown_html(md, MARKDOWN_MAX + 1, &out, NULL), ERR_TOO_LARGE);
	assert_int_equal(markdown_text(md, MARKDOWN_MAX + 1, &out, NULL), ERR_TOO_LARGE);
	assert_string_equal(out.p, "kept");
	assert_true(buf_ok(&out));
	assert_int_equal(markdown_html("0123456789", 10, &out, &o), ERR_OK);
	assert_int_equal(markdown_html("0123456789a", 11, &out, &o), ERR_TOO_LARGE);
	assert_string_equal(out.p, "kept" P("0123456789"));
	free(md);
}

static void test_appends_and_out_full(void **state)
{
	struct buf small;

	UNUSED(state);
	buf_reset(&out);
	buf_adds(&out, "<div>");
	assert_int_equal(markdown_html("*x*", 3, &out, NULL), ERR_OK);
	assert_string_equal(out.p, "<div>" P("<em>x</em>"));
	buf_init(&small, 16);
	assert_int_equal(markdown_html("a long enough paragraph", 23, &small, NULL), ERR_TOO_LARGE);
	assert_false(buf_ok(&small));
	buf_release(&small);
	/* NULL with no bytes is an empty post. */
	buf_reset(&out);
	assert_int_equal(markdown_html(NULL, 0, &out, NULL), ERR_OK);
	assert_int_equal(markdown_text(NULL, 0, &out, NULL), ERR_OK);
	assert_int_equal(markdown_quote(NULL, 0, 100, &out), ERR_OK);
	assert_string_equal(out.p, "");
}

/* A reference definition with a long URL used many times: the hrefs
 * together stay within the budget, the rest are text, and the output
 * stays within its bound. */
static void test_reference_amplification(void **state)
{
	char *md = malloc(MARKDOWN_MAX + 1);
	char *uses = repeat("[x]", 3000);
	size_t n;

	UNUSED(state);
	assert_non_null(md);
	n = (size_t)snprintf(md, MARKDOWN_MAX + 1, "[x]: https://example.org/");
	memset(md + n, 'a', 10000);
	n += 10000;
	n += (size_t)snprintf(md + n, MARKDOWN_MAX + 1 - n, "\n\n%s", uses);
	assert_true(n <= MARKDOWN_MAX);
	html_n(md, n, NULL);
	assert_true(count(out.p, "<a ") <= (4 * n + 256) / 10000);
	assert_true(count(out.p, "<a ") >= 1);
	assert_true(out.len < 5 * n + 20000);
	free(uses);
	free(md);
}

/* Inputs that are slow or deep for Markdown parsers (cmark's own
 * pathological tests, cut to MARKDOWN_MAX): each renders, well formed,
 * within its bound. */
static void test_pathological(void **state)
{
	static const char *const units[] = {
		"a_ ", "_a ", "a]", "[a", "*a_ ", "c* ", "[ a_", "[", "]",
		"> ", "`e", "[a](<b", "[a](b", "<!--", "![[]()", "<", "> - ",
		"*", "_", "`", "*a ", "![", "a<![CDATA[", "a<!A ", "a<?",
		"&#", "\\", "---\n", "***\n", "#\n", ">\n\n", "- \n", "1.\n",
		"<a>", "[x]: http://a\n", "<http://a>", "\t- ", "*\t", "\"",
		"&quot;", "\xff", "\0",
	};
	const char *why;

	UNUSED(state);
	for (size_t u = 0; u < ARRAY_LEN(units); u++) {
		size_t k = strlen(units[u]) ? strlen(units[u]) : 1;
		size_t times = MARKDOWN_MAX / k;
		char *md = malloc(times * k + 1);
		enum err e;

		assert_non_null(md);
		for (size_t i = 0; i < times; i++)
			memcpy(md + i * k, units[u], k);
		buf_reset(&out);
		e = markdown_html(md, times * k, &out, NULL);
		if (e != ERR_OK)
			fail_msg("unit %zu: %s", u, err_name(e));
		if (!html_shape_ok(out.p, out.len, &why))
			fail_msg("unit %zu: %s", u, why);
		assert_true(out.len <= MARKDOWN_HTML_BOUND(times * k));
		assert_true(str_is_clean_utf8(out.p, out.len));
		buf_reset(&out);
		assert_int_equal(markdown_text(md, times * k, &out, NULL), ERR_OK);
		assert_true(str_is_clean_utf8(out.p, out.len));
		free(md);
	}
}

static void test_invalid_utf8_replaced(void **state)
{
	UNUSED(state);
	assert_string_equal(html_n("a\xff" "b", 3, NULL), P("a\xEF\xBF\xBD" "b"));
	assert_string_equal(html_n("a\xC3", 2, NULL), P("a\xEF\xBF\xBD"));
	assert_string_equal(html_n("\xED\xA0\x80", 3, NULL),
		P("\xEF\xBF\xBD"));
	assert_string_equal(html_n("a\0b", 3, NULL), P("a\xEF\xBF\xBD" "b"));
	assert_string_equal(html("&#0; &#xD800; &#x110000;"),
		P("\xEF\xBF\xBD \xEF\xBF\xBD \xEF\xBF\xBD"));
	/* In a URL too: percent-encoded as the replacement character. */
	assert_string_equal(html("[x](https://x.org/\xff)"),
		P(A("https://x.org/%EF%BF%BD", "x")));
	/* Controls other than tab and newline are dropped, C1 ones too. */
	assert_string_equal(html("a\x01" "b\x7f" "c\td"), P("abc\td"));
	assert_string_equal(html("a\xC2\x9E" "b\xC2\x80" "c\xC2\xA0" "d\r\n"), P("abc\xC2\xA0" "d"));
	assert_string_equal(html("<b \xC2\x85>"), P("&lt;b &gt;"));
	assert_string_equal(html("a&#x90;b&#1;c"), P("abc"));
}

static void test_smart(void **state)
{
	struct markdown_opts o = { .smart = true };

	UNUSED(state);
	assert_string_equal(html("\"Hi\" -- it's"), P("&quot;Hi&quot; -- it&#39;s"));
	assert_string_equal(html_n("\"Hi\" -- it's", 12, &o),
		P("\xE2\x80\x9CHi\xE2\x80\x9D \xE2\x80\x93 it\xE2\x80\x99s"));
}

static void test_text(void **state)
{
	struct markdown_opts skip = { .skip_quotes = true };

	UNUSED(state);
	assert_string_equal(text(""), "");
	assert_string_equal(text("Hello *there*, **you**."), "Hello there, you.");
	assert_string_equal(text("# Title\n\nBody"), "Title\n\nBody");
	assert_string_equal(text("one\ntwo"), "one\ntwo");
	assert_string_equal(text("a  \nb"), "a\nb");
	assert_string_equal(text("See [the NHS](https://nhs.uk) or <https://x.org>."),
		"See the NHS or https://x.org.");
	assert_string_equal(text("![a cat](https://x.org/c.png)"), "a cat");
	assert_string_equal(text("- a\n- b\n\nafter"), "a\nb\n\nafter");
	assert_string_equal(text("- a\n  - b\n  - c\n- d"), "a\nb\nc\nd");
	assert_string_equal(text("- a\n\n- b"), "a\n\nb");
	assert_string_equal(text("before\n\n1. x\n2. y"), "before\n\nx\ny");
	assert_string_equal(text("`code` and\n\n```\nblock\n\n```\n\nend"),
		"code and\n\nblock\n\nend");
	assert_string_equal(text("```\n\n\n```\nafter"), "after");
	assert_string_equal(text("***\n\nx\n\n***"), "x");
	/* Raw HTML and entities are what the writer typed. */
	assert_string_equal(text("Sending <hugs> &amp; love"), "Sending <hugs> & love");
	assert_string_equal(text("<div>\nblock\n</div>"), "<div>\nblock\n</div>");
	assert_string_equal(text("a\x01" "b\xC2\x9F" "c"), "abc");
	/* Quotes: kept, or left out for a reply's own words. */
	assert_string_equal(text("> I want to give up\n\nYou are not alone"),
		"I want to give up\n\nYou are not alone");
	assert_string_equal(text_o("> I want to give up\n\nYou are not alone", &skip),
		"You are not alone");
	assert_string_equal(text_o("> > deep\n> mid\n\nmine", &skip), "mine");
	assert_string_equal(text_o("> only a quote", &skip), "");
	assert_string_equal(text_o("- > q\n- r", &skip), "r");
}

#define E6 "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"

static void test_quote(void **state)
{
	char *long_post;
	struct markdown_opts skip = { .skip_quotes = true };

	UNUSED(state);
	assert_string_equal(quote("Hello", 100), "> Hello\n\n");
	assert_string_equal(quote("a\nb", 100), "> a\n> b\n\n");
	assert_string_equal(quote("a\n\nb", 100), "> a\n>\n> b\n\n");
	assert_string_equal(quote("a\r\nb\rc", 100), "> a\n> b\n> c\n\n");
	assert_string_equal(quote("\n\n  \na\n\n \n", 100), "> a\n\n");
	assert_string_equal(quote("> earlier\n\nmine", 100), "> > earlier\n>\n> mine\n\n");
	assert_string_equal(quote("\tcode\n  \tx", 100), ">     code\n>     x\n\n");
	assert_string_equal(quote("", 100), "");
	assert_string_equal(quote(" \n\t\n", 100), "");
	/* Exactly the room it needs, and one byte less. */
	assert_string_equal(quote("ab\ncd", 11), "> ab\n> cd\n\n");
	assert_string_equal(quote("ab\ncd", 10), "> \xE2\x80\xA6\n\n");
	assert_string_equal(quote("ab\ncd\nef", 5 + 7), "> ab\n> \xE2\x80\xA6\n\n");
	assert_string_equal(quote("ab", 6), "> ab\n\n");
	assert_string_equal(quote("abc", 6), "");
	/* A single line too long is cut on a character boundary. */
	assert_string_equal(quote(E6, 14), "> \xC3\xA9\xC3\xA9\n> \xE2\x80\xA6\n\n");
	assert_string_equal(quote(E6, 13), "> \xC3\xA9\n> \xE2\x80\xA6\n\n");
	/* A long post quoted to fit a reply. */
	long_post = repeat("I walked to the shop today.\n", 800);
	quote(long_post, MARKDOWN_MAX / 2);
	assert_true(out.len <= MARKDOWN_MAX / 2);
	assert_true(out.len > MARKDOWN_MAX / 2 - 40);
	assert_non_null(strstr(out.p, "> \xE2\x80\xA6\n\n"));
	free(long_post);

	/* What it writes reads back as a block quote of the post, and the
	 * reply after it is not part of the quote. */
	quote("**I** said\n\n    code\n\n- one\n- two", 1000);
	buf_adds(&out, "My reply");
	{
		char *md = strdup(out.p);

		assert_non_null(md);
		assert_string_equal(html(md),
			"<blockquote class=\"govuk-inset-text\">\n" P("<strong>I</strong> said")
			"<pre class=\"kith-pre\"><code>code\n</code></pre>\n"
			UL "<li>one</li>\n<li>two</li>\n</ul>\n"
			"</blockquote>\n" P("My reply"));
		assert_string_equal(text_o(md, &skip), "My reply");
		free(md);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paragraphs_and_emphasis),
		cmocka_unit_test(test_raw_html_is_text),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_unsafe_links_are_text),
		cmocka_unit_test(test_images_are_links),
		cmocka_unit_test(test_headings_demoted),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_quotes_and_code),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_input_limit),
		cmocka_unit_test(test_appends_and_out_full),
		cmocka_unit_test(test_reference_amplification),
		cmocka_unit_test(test_pathological),
		cmocka_unit_test(test_invalid_utf8_replaced),
		cmocka_unit_test(test_smart),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_quote),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
