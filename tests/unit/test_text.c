/*
 * test_text.c - HTML to text as real council feeds need it, one-line and
 * block cleaning, and duplicate keys.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "search/text.h"

/* Every result must be clean UTF-8 with no space at the end of a line
 * and no line break at either end. */
static void check_shape(const struct buf *b)
{
	assert_true(str_is_clean_utf8(b->p, b->len));
	assert_null(memchr(b->p, '\r', b->len));
	assert_null(memchr(b->p, '\t', b->len));
	assert_null(strstr(b->p, " \n"));
	assert_null(strstr(b->p, "\n "));
	assert_null(strstr(b->p, "\n\n\n"));
	assert_null(strstr(b->p, "  "));
	if (b->len) {
		assert_true(b->p[0] != '\n' && b->p[0] != ' ');
		assert_true(b->p[b->len - 1] != '\n' && b->p[b->len - 1] != ' ');
	}
}

static void html_is(const char *in, size_t n, const char *want)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	text_from_html(in, n, &b);
	assert_true(buf_ok(&b));
	if (strcmp(b.p, want) != 0)
		fail_msg("text_from_html(\"%s\")\n  gave \"%s\"\n  want \"%s\"", in, b.p, want);
	check_shape(&b);
	buf_release(&b);
}

#define HTML(in, want) html_is((in), sizeof(in) - 1, (want))

static void council_feed_samples(void **state)
{
	UNUSED(state);
	/* North Lincolnshire's shape: paragraphs, entities, an empty
	 * paragraph of &nbsp;. */
	HTML("<p>Struggling with Drug &amp; Alcohol Addiction?</p><p>We can help.&nbsp;</p><p>&nbsp;</p>"
	     "<p>Call us on 01724 000000.</p>",
	     "Struggling with Drug & Alcohol Addiction?\n\nWe can help.\n\nCall us on 01724 000000.");
	HTML("<p><strong>Who is it for?</strong><br />Adults aged 18+ living in North Lincolnshire.</p>\r\n"
	     "<p><strong>What happens?</strong><br />\r\nInformal chat,&nbsp;tea &amp; biscuits.</p>",
	     "Who is it for?\nAdults aged 18+ living in North Lincolnshire.\n\n"
	     "What happens?\nInformal chat, tea & biscuits.");
	HTML("<div><span style=\"font-family: Arial;\">Open to all.</span></div><div><br></div>"
	     "<div>No need to book.</div>",
	     "Open to all.\n\nNo need to book.");
	HTML("<p>We offer:</p><ul><li>Peer support</li><li>Walks &amp; talks</li></ul><p>It&#39;s free.</p>",
	     "We offer:\n\n- Peer support\n- Walks & talks\n\nIt's free.");
	HTML("<html><head><meta charset=\"utf-8\"><title>Service</title><style>p{color:red}</style></head>"
	     "<body><h1>Men&rsquo;s Shed</h1><p>Tools, tea and talk.</p></body></html>",
	     "Men\u2019s Shed\n\nTools, tea and talk.");
}

static void entities(void **state)
{
	UNUSED(state);
	HTML("&amp; &lt; &gt; &quot; &apos; a&nbsp;b", "& < > \" ' a b");
	HTML("&ndash; &mdash; &lsquo;a&rsquo; &ldquo;b&rdquo; &hellip;",
	     "\u2013 \u2014 \u2018a\u2019 \u201cb\u201d \u2026");
	HTML("&pound;5 &euro;3 &copy; &reg; &trade; &bull; &middot;",
	     "\u00a35 \u20ac3 \u00a9 \u00ae \u2122 \u2022 \u00b7");
	HTML("&eacute;&egrave;&agrave;&ccedil;&uuml;&ouml;&auml;&szlig;", "\u00e9\u00e8\u00e0\u00e7\u00fc\u00f6\u00e4\u00df");
	HTML("&frac12; 20&deg; 2&times;3 6&divide;2 &Eacute; &wcirc;", "\u00bd 20\u00b0 2\u00d73 6\u00f72 \u00c9 \u0175");
	/* Numeric: decimal and hex, Windows-1252 for 128-159, refusals. */
	HTML("&#163;&#xA3;&#X20ac;&#8211;&#150;&#65", "\u00a3\u00a3\u20ac\u2013\u2013A");
	HTML("[&#0;][&#xD800;][&#x110000;][&#1;][&#x7f;][&#129;][&#99999999999999999999;]",
	     "[\ufffd][\ufffd][\ufffd][\ufffd][\ufffd][\ufffd][\ufffd]");
	HTML("a&#10;b&#9;c&#32;&#32;d&#xA0;e", "a b c d e");
	/* What is not a reference stays as written. */
	HTML("&foo; AT&T &amp &#; &#x; & a&b;", "&foo; AT&T & &#; &#x; & a&b;");
	HTML("&ampx; &copy2024", "&ampx; &copy2024");
	HTML("&nbspx", "&nbspx");
	/* The soft hyphen and byte-order mark are invisible: dropped. */
	HTML("co&shy;operative \xef\xbb\xbfok", "cooperative ok");
	/* Case matters for names. */
	HTML("&AMP; &Amp;", "&AMP; &Amp;");
}

static void lists_and_blocks(void **state)
{
	UNUSED(state);
	HTML("<ul><li>One</li><li>Two <b>bold</b></li></ul>", "- One\n- Two bold");
	HTML("<ol><li>First</li><li>Second</ol>", "- First\n- Second");
	HTML("Bring:<ul><li>ID</li><li></li><li> proof of address </li></ul>Thanks",
	     "Bring:\n\n- ID\n- proof of address\n\nThanks");
	/* Nested lists: no blank lines inside, no indent. */
	HTML("<ul><li>A<ul><li>B</li><li>C</li></ul></li><li>D</li></ul><p>E</p>", "- A\n- B\n- C\n- D\n\nE");
	HTML("<li>stray item", "- stray item");
	HTML("<h2>Who</h2>Everyone<h3>When</h3><p>Now</p>", "Who\n\nEveryone\n\nWhen\n\nNow");
	HTML("<table><tr><td>Mon</td><td>10:00</td></tr><tr><th>Tue</th><td>11:00</td></tr></table>after",
	     "Mon 10:00\nTue 11:00\n\nafter");
	HTML("<P>a</P><BR>b", "a\n\nb");
	HTML("a<br>b<br/><br />c", "a\nb\n\nc");
	HTML("a</br>b", "a\nb");
	HTML("<p>a<br></p><p>b</p>", "a\n\nb");
	HTML("<div>a<br></div><div>b</div>", "a\nb");
	HTML("one<hr>two", "one\n\ntwo");
	HTML("<blockquote>q</blockquote>x<section>s</section>", "q\n\nx\ns");
	/* Inline tags join words as the page shows them. */
	HTML("un<b>believ</b>able <i>really</i>", "unbelievable really");
}

static void blank_lines_collapse(void **state)
{
	UNUSED(state);
	HTML("<p>a</p><p></p><p>&nbsp;</p><div><br></div><p> </p><p>b</p>", "a\n\nb");
	HTML("<br><br><p></p>&nbsp;<p>a</p><br><br><br>", "a");
	HTML("a<br><br><br><br>b", "a\n\nb");
	HTML("<p>   lots    of\n\n  space\t\there  </p>", "lots of space here");
	HTML("<b>a</b> \n\t b", "a b");
	HTML("", "");
	HTML("<p></p>", "");
	HTML("&nbsp;&nbsp; ", "");
}

static void script_style_and_hidden(void **state)
{
	UNUSED(state);
	HTML("a<script>if (x < 1) { document.write('<p>no</p>') }</script>b<style>p{}</style>c", "abc");
	HTML("<SCRIPT type=x>bad()</SCRIPT >ok", "ok");
	HTML("<script>var s = '</scr' + 'ipt>'; </script>ok", "ok");
	HTML("<script>a</scriptx>still script</script>ok", "ok");
	HTML("before<script>never closed <p>text", "before");
	HTML("<noscript>Enable JavaScript</noscript>x<template><p>t</p></template>y", "xy");
	HTML("<svg><text>label</text></svg>z<svg/>w", "zw");
	HTML("<html><head><title>x</title>junk text<body>Hello", "Hello");
	HTML("<textarea><p>raw</p></textarea>after<iframe src=x>fallback</iframe>", "after");
	HTML("<title>T</title>x<TITLE>u</title>", "x");
}

static void attributes_never_leak(void **state)
{
	UNUSED(state);
	HTML("<a href=\"http://x/?a=1&b=2\" title='>'>link</a> <img src=x alt=\"Picture of a cat\">", "link");
	HTML("<p class=\"x\" data-x='a>b'>t</p>", "t");
	HTML("<a href=x\"y>t</a>", "t");
	HTML("<a \"quoted\" name=>t</a>", "t");
	HTML("<p title = \"spaced\" >t</p>", "t");
	HTML("<a onclick=\"alert('<b>hi</b>')\">t</a>", "t");
	HTML("<img alt=\"<script>x</script>\">ok", "ok");
	/* A quote left open swallows the rest, as in a browser. */
	HTML("a<p title=\"open>b</p>c", "a");
}

static void broken_markup(void **state)
{
	UNUSED(state);
	HTML("a <b", "a");
	HTML("a <p class=", "a");
	HTML("x < y and y > z", "x < y and y > z");
	HTML("<3 you", "<3 you");
	HTML("1<2", "1<2");
	HTML("a</>b", "ab");
	HTML("a<!-- comment <p> -->b", "ab");
	HTML("a<!-->b<!--->c<!-- x --!>d", "abcd");
	HTML("a<!--b", "a");
	HTML("<!DOCTYPE html>ok<![CDATA[x]]>", "ok");
	HTML("a<?php echo 1 ?>b", "ab");
	HTML("a </ b> c", "a c");
	HTML("a </", "a </");
	HTML("a <", "a <");
	HTML("<<b>x", "<x");
	HTML("<p>unclosed <b>bold <i>both", "unclosed bold both");
	HTML("</p></div>text</li>", "text");
	HTML("<verylongtagnamethatnobodyknows>t</verylongtagnamethatnobodyknows>", "t");
}

static void invalid_utf8_and_controls(void **state)
{
	UNUSED(state);
	HTML("caf\xe9 ok", "caf\ufffd ok");
	HTML("<p>\xe2\x82</p>", "\ufffd");                 /* truncated: one */
	HTML("\xc0\xaf", "\ufffd\ufffd");                  /* overlong */
	HTML("\xed\xa0\x80", "\ufffd\ufffd\ufffd");        /* surrogate */
	HTML("\xf4\x90\x80\x80", "\ufffd\ufffd\ufffd\ufffd");   /* above U+10FFFF */
	HTML("\xff\xfe", "\ufffd\ufffd");
	HTML("na\xc3\xafve \xe2\x80\x93 \xf0\x9f\x99\x82", "na\u00efve \u2013 \U0001F642");
	/* C0 and C1 controls are dropped; NEL and no-break space are spaces. */
	HTML("<b>a\x01\x1b\x7f" "b\xc2\x80" "c\xc2\x85" "d\xc2\xa0" "e</b>", "abc d e");
	/* NUL inside. */
	html_is("a\0b<b>c\0</b>", 12, "abc");
}

static void plain_text_with_entities_keeps_lines(void **state)
{
	UNUSED(state);
	HTML("Tea &amp; chat\n\nFree\r\nEvery week", "Tea & chat\n\nFree\nEvery week");
	HTML("  a  \n\t b  ", "a\nb");
	HTML("one\n\n\n\ntwo\n", "one\n\ntwo");
	HTML("x < y\nz", "x < y\nz");
}

static void output_is_a_fixed_point(void **state)
{
	/* Escaping the text back into HTML (newlines as <br>) gives the same
	 * text: the output is already in normal form. */
	static const char *const in[] = {
		"<p>Struggling with Drug &amp; Alcohol Addiction?</p><p>...&nbsp;</p>",
		"<ul><li>A<ul><li>B &lt;tag&gt;</li></ul></li></ul><p>x</p><br><br>y",
		"a &amp;amp; b\n\nc",
	};
	UNUSED(state);
	for (size_t i = 0; i < ARRAY_LEN(in); i++) {
		struct buf a, esc, b;

		buf_init(&a, 4096);
		buf_init(&esc, 4096);
		buf_init(&b, 4096);
		text_from_html(in[i], strlen(in[i]), &a);
		for (size_t k = 0; k < a.len; k++) {
			switch (a.p[k]) {
			case '&': buf_adds(&esc, "&amp;"); break;
			case '<': buf_adds(&esc, "&lt;"); break;
			case '>': buf_adds(&esc, "&gt;"); break;
			case '\n': buf_adds(&esc, "<br>"); break;
			default: buf_addc(&esc, a.p[k]);
			}
		}
		text_from_html(esc.p, esc.len, &b);
		assert_string_equal(a.p, b.p);
		buf_reset(&b);
		text_clean_block(a.p, a.len, &b);
		assert_string_equal(a.p, b.p);
		buf_release(&a);
		buf_release(&esc);
		buf_release(&b);
	}
}

static void appends_and_respects_the_maximum(void **state)
{
	struct buf b;

	UNUSED(state);
	buf_init(&b, 1 << 10);
	buf_adds(&b, "Before: ");
	text_from_html("<p>a</p><p>b</p>", strlen("<p>a</p><p>b</p>"), &b);
	assert_string_equal(b.p, "Before: a\n\nb");
	buf_release(&b);

	buf_init(&b, 10);
	const char *in = "<p>a long paragraph that does not fit</p>";
	text_from_html(in, strlen(in), &b);
	assert_false(buf_ok(&b));
	assert_true(b.len <= 10);
	buf_release(&b);
}

static void linear_on_hostile_input(void **state)
{
	/* Each is 4 MB; anything quadratic would take hours. */
	static const char *const units[] = {
		"<a ", "<!--", "&amp", "<div>", "<script>", "</scrip", "<a b='", "<li><ul>", "\xe2\x82",
		"&#x1", "<svg>", "<p", "-->",
	};
	size_t n = 4u << 20;
	char *big = malloc(n);
	struct buf b;

	UNUSED(state);
	assert_non_null(big);
	buf_init(&b, 64u << 20);
	uint64_t t0 = time_mono_us();
	for (size_t u = 0; u < ARRAY_LEN(units); u++) {
		size_t ul = strlen(units[u]);

		for (size_t i = 0; i < n; i++)
			big[i] = units[u][i % ul];
		buf_reset(&b);
		text_from_html(big, n, &b);
		assert_true(buf_ok(&b));
		assert_true(str_is_clean_utf8(b.p, b.len));
		buf_reset(&b);
		text_clean_line(big, n, &b);
		buf_reset(&b);
		text_dupe_key(big, n, &b);
		(void)text_has_html(big, n);
	}
	uint64_t us = time_mono_us() - t0;
	/* Generous for sanitizer builds; about 0.3 s in a release build. */
	assert_true(us < 30u * 1000 * 1000);
	buf_release(&b);
	free(big);
}

static void has_html(void **state)
{
	UNUSED(state);
	assert_true(text_has_html("<p>x</p>", 8));
	assert_true(text_has_html("a<br>b", 6));
	assert_true(text_has_html("x</b>", 5));
	assert_true(text_has_html("<!-- c -->", 10));
	assert_true(text_has_html("Fish &amp; chips", 16));
	assert_true(text_has_html("it&#39;s", 8));
	assert_true(text_has_html("&nbsp", 5));
	assert_false(text_has_html("Fish & chips", 12));
	assert_false(text_has_html("AT&T", 4));
	assert_false(text_has_html("a < b", 5));
	assert_false(text_has_html("<3", 2));
	assert_false(text_has_html("&foo;", 5));
	assert_false(text_has_html("", 0));
	assert_false(text_has_html("a <p>", 2));    /* length, not NUL, ends it */
}

static void clean_line_is(const char *in, size_t n, const char *want)
{
	struct buf b;

	buf_init(&b, 4096);
	text_clean_line(in, n, &b);
	assert_true(buf_ok(&b));
	if (strcmp(b.p, want) != 0)
		fail_msg("text_clean_line(\"%s\") gave \"%s\"", in, b.p);
	check_shape(&b);
	assert_null(memchr(b.p, '\n', b.len));
	buf_release(&b);
}

#define LINE(in, want) clean_line_is((in), sizeof(in) - 1, (want))

static void clean_line(void **state)
{
	UNUSED(state);
	LINE("  St.  Mary's\tLunch \n Club\x01 ", "St. Mary's Lunch Club");
	LINE("caf\xe9", "caf\ufffd");
	LINE("a\xc2\xa0\xc2\xa0" "b\xe2\x80\x83" "c", "a b c");
	LINE("\r\n\t ", "");
	LINE("", "");
	LINE("a\0b", "ab");
	LINE("Tea &amp; <b>talk</b>", "Tea &amp; <b>talk</b>");    /* not HTML */
	LINE("x\xc2\x9fy", "xy");
}

static void clean_block(void **state)
{
	struct buf b;

	UNUSED(state);
	buf_init(&b, 4096);
	const char *in = "  Line one  \r\n\r\n\r\n  Line two\t\n\n";
	text_clean_block(in, strlen(in), &b);
	assert_string_equal(b.p, "Line one\n\nLine two");
	check_shape(&b);
	buf_reset(&b);
	in = "a\rb\r\rc\n \n \nd";
	text_clean_block(in, strlen(in), &b);
	assert_string_equal(b.p, "a\nb\n\nc\n\nd");
	buf_reset(&b);
	in = "<p>kept &amp; as is</p>";
	text_clean_block(in, strlen(in), &b);
	assert_string_equal(b.p, "<p>kept &amp; as is</p>");
	buf_release(&b);
}

static void dupe_is(const char *in, const char *want)
{
	struct buf b;

	buf_init(&b, 4096);
	text_dupe_key(in, strlen(in), &b);
	assert_true(buf_ok(&b));
	if (strcmp(b.p, want) != 0)
		fail_msg("text_dupe_key(\"%s\") gave \"%s\"", in, b.p);
	buf_release(&b);
}

static void dupe_keys(void **state)
{
	UNUSED(state);
	dupe_is("St. Mary's Lunch Club!", "stmaryslunchclub");
	dupe_is("ST MARYS LUNCH CLUB", "stmaryslunchclub");
	dupe_is("St Mary\xe2\x80\x99s  Lunch-Club", "stmaryslunchclub");
	dupe_is("Caf\xc3\xa9 \xc5\xb4yl \xc3\x86sir Stra\xc3\x9f" "e", "cafewylaesirstrasse");
	dupe_is("ABC 123", "abc123");
	dupe_is("caf\xe9\xff", "caf");
	dupe_is("   ", "");
	dupe_is("\xe5\xa4\xa7\xe9\x98\xaa", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(council_feed_samples),
		cmocka_unit_test(entities),
		cmocka_unit_test(lists_and_blocks),
		cmocka_unit_test(blank_lines_collapse),
		cmocka_unit_test(script_style_and_hidden),
		cmocka_unit_test(attributes_never_leak),
		cmocka_unit_test(broken_markup),
		cmocka_unit_test(invalid_utf8_and_controls),
		cmocka_unit_test(plain_text_with_entities_keeps_lines),
		cmocka_unit_test(output_is_a_fixed_point),
		cmocka_unit_test(appends_and_respects_the_maximum),
		cmocka_unit_test(linear_on_hostile_input),
		cmocka_unit_test(has_html),
		cmocka_unit_test(clean_line),
		cmocka_unit_test(clean_block),
		cmocka_unit_test(dupe_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
