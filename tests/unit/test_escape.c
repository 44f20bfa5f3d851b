/*
 * test_escape.c - the output escapers: every special byte, runs between
 * them, the buf's ceiling, and url_is_safe against the tricks browsers
 * fall for (case, leading controls, tabs inside the scheme, "//host").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/common.h"
#include "core/buf.h"
#include "view/escape.h"

static void check_html(const char *in, size_t n, const char *want, size_t wn)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	esc_html(&b, in, n);
	assert_true(buf_ok(&b));
	assert_int_equal(b.len, wn);
	assert_memory_equal(b.p, want, wn + 1);
	buf_release(&b);
}

static void check_url(const char *in, const char *want)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	esc_url_component(&b, in, strlen(in));
	assert_true(buf_ok(&b));
	assert_string_equal(b.p, want);
	buf_release(&b);
}

#define HTML(in, want) check_html((in), sizeof(in) - 1, (want), sizeof(want) - 1)

static void test_html_each_special(void **state)
{
	UNUSED(state);
	HTML("&", "&amp;");
	HTML("<", "&lt;");
	HTML(">", "&gt;");
	HTML("\"", "&quot;");
	HTML("'", "&#39;");
	HTML("<script>alert('x')</script>",
		"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
	HTML("a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e&#39;f");
	HTML("&amp;", "&amp;amp;");
}

static void test_html_passthrough(void **state)
{
	UNUSED(state);
	HTML("", "");
	HTML("plain text, nothing to do = ` / ;", "plain text, nothing to do = ` / ;");
	/* UTF-8 is copied byte for byte. */
	HTML("Caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x8c\xb1 <b>",
		"Caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x8c\xb1 &lt;b&gt;");
	/* An embedded NUL does not end the value. */
	HTML("a\0<", "a\0&lt;");
}

static void test_html_appends(void **state)
{
	struct buf b;

	UNUSED(state);
	buf_init(&b, 1024);
	buf_adds(&b, "<p>");
	esc_html(&b, "1 < 2", 5);
	esc_html(&b, "ok", 2);
	buf_adds(&b, "</p>");
	assert_string_equal(b.p, "<p>1 &lt; 2ok</p>");
	buf_release(&b);
}

static void test_html_long_runs(void **state)
{
	struct buf b;
	char in[5000], want[5000 * 5 + 1];
	size_t w = 0;

	UNUSED(state);
	for (size_t i = 0; i < sizeof(in); i++) {
		in[i] = (i % 97 == 0) ? '&' : (char)('a' + i % 26);
		if (in[i] == '&') {
			memcpy(want + w, "&amp;", 5);
			w += 5;
		} else {
			want[w++] = in[i];
		}
	}
	want[w] = '\0';
	buf_init(&b, 1 << 20);
	esc_html(&b, in, sizeof(in));
	assert_true(buf_ok(&b));
	assert_int_equal(b.len, w);
	assert_memory_equal(b.p, want, w + 1);
	buf_release(&b);
}

static void test_html_over_max(void **state)
{
	struct buf b;

	UNUSED(state);
	/* 3 bytes would fit, the escaped 6 do not: the error sticks. */
	buf_init(&b, 5);
	esc_html(&b, "a<b", 3);
	assert_false(buf_ok(&b));
	buf_release(&b);

	buf_init(&b, 6);
	esc_html(&b, "abcdefg", 7);
	assert_false(buf_ok(&b));
	esc_html(&b, "a", 1);
	assert_false(buf_ok(&b));
	assert_int_equal(b.len, 0);
	buf_release(&b);

	buf_init(&b, 6);
	esc_html(&b, "<>", 2);     /* exactly "&lt;&gt;" is 8 */
	assert_false(buf_ok(&b));
	buf_release(&b);

	buf_init(&b, 8);
	esc_html(&b, "<>", 2);
	assert_true(buf_ok(&b));
	assert_string_equal(b.p, "&lt;&gt;");
	buf_release(&b);
}

static void test_url_component(void **state)
{
	UNUSED(state);
	check_url("", "");
	check_url("AZaz09-._~", "AZaz09-._~");
	check_url("a b", "a%20b");
	check_url("a/b?c=d&e#f", "a%2Fb%3Fc%3Dd%26e%23f");
	check_url("javascript:alert(1)", "javascript%3Aalert%281%29");
	check_url("100%", "100%25");
	check_url("+", "%2B");
	check_url("\"'<>", "%22%27%3C%3E");
	check_url("caf\xc3\xa9", "caf%C3%A9");
	check_url("\n\x7f\xff", "%0A%7F%FF");
}

static void test_url_component_over_max(void **state)
{
	struct buf b;

	UNUSED(state);
	buf_init(&b, 5);
	esc_url_component(&b, "a b", 3);   /* "a%20b" is 5: fits */
	assert_true(buf_ok(&b));
	assert_string_equal(b.p, "a%20b");
	esc_url_component(&b, "c", 1);
	assert_false(buf_ok(&b));
	buf_release(&b);
}

#define SAFE(s) assert_true(url_is_safe((s), sizeof(s) - 1))
#define UNSAFE(s) assert_false(url_is_safe((s), sizeof(s) - 1))

static void test_url_safe_allowed(void **state)
{
	UNUSED(state);
	SAFE("");
	SAFE("/");
	SAFE("/services/12?q=1");
	SAFE("?q=1");
	SAFE("#frag");
	SAFE("./x");
	SAFE("../x");
	SAFE("services/12");
	SAFE("https://example.org/");
	SAFE("http://example.org/");
	SAFE("HTTPS://EXAMPLE.ORG/");
	SAFE("HtTp://example.org");
	SAFE("mailto:someone@example.org");
	SAFE("MAILTO:someone@example.org");
	SAFE("tel:+441234567890");
	/* No scheme: a colon after a '/', '?' or '#' is not one. */
	SAFE("/a:b");
	SAFE("?next=javascript:alert(1)");
	SAFE("#javascript:x");
	SAFE("a/javascript:x");
	/* A scheme starts with a letter; ":x" and "1a:" are paths. */
	SAFE(":x");
	SAFE("1javascript:alert(1)");
	SAFE("java script:x");
	SAFE("javascript");
	SAFE("/\x01/evil");
}

static void test_url_safe_refused(void **state)
{
	UNUSED(state);
	UNSAFE("javascript:alert(1)");
	UNSAFE("JaVaScRiPt:alert(1)");
	UNSAFE("JAVASCRIPT:alert(1)");
	UNSAFE("  javascript:alert(1)");
	UNSAFE("\x01\x02\x1f javascript:alert(1)");
	UNSAFE("\t\njavascript:alert(1)");
	UNSAFE("java\tscript:alert(1)");
	UNSAFE("java\nscript:alert(1)");
	UNSAFE("java\rscript:alert(1)");
	UNSAFE("javascript\n:alert(1)");
	UNSAFE("vbscript:msgbox(1)");
	UNSAFE("data:text/html,<script>alert(1)</script>");
	UNSAFE("DATA:text/html;base64,PHNjcmlwdD4=");
	UNSAFE("file:///etc/passwd");
	UNSAFE("ftp://example.org/");
	UNSAFE("x-custom:thing");
	UNSAFE("httpsx://example.org");
	UNSAFE("averyveryverylongscheme:x");
	/* Protocol-relative and its backslash spellings leave the site. */
	UNSAFE("//evil.example");
	UNSAFE("  //evil.example");
	UNSAFE("\\\\evil.example");
	UNSAFE("/\\evil.example");
	UNSAFE("\\/evil.example");
	UNSAFE("/\t/evil.example");
	UNSAFE("/\n/evil.example");
}

static void test_url_safe_bounded(void **state)
{
	UNUSED(state);
	/* Length comes from n, not from a NUL. */
	assert_true(url_is_safe("javascript:x", 10));   /* "javascript" */
	assert_false(url_is_safe("javascript:x", 11));
	assert_true(url_is_safe("//", 1));
	assert_false(url_is_safe("//", 2));
	assert_true(url_is_safe(NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_each_special),
		cmocka_unit_test(test_html_passthrough),
		cmocka_unit_test(test_html_appends),
		cmocka_unit_test(test_html_long_runs),
		cmocka_unit_test(test_html_over_max),
		cmocka_unit_test(test_url_component),
		cmocka_unit_test(test_url_component_over_max),
		cmocka_unit_test(test_url_safe_allowed),
		cmocka_unit_test(test_url_safe_refused),
		cmocka_unit_test(test_url_safe_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
