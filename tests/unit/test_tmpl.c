/*
 * test_tmpl.c - the template engine: values and their escaping in each
 * HTML context, sections, partials, standalone lines, text mode, every
 * compile error (with its line), and the render limits.
 *
 * Most tests are one line: a template, a JSON context and the exact
 * output, or a template and the error message it must produce.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/common.h"
#include "core/buf.h"
#include "core/log.h"
#include "view/jstr.h"
#include "view/tmpl.h"

static json_t *ctx_of(const char *json)
{
	json_error_t jerr;
	json_t *v;

	if (!json)
		return NULL;
	v = json_loads(json, JSON_DECODE_ANY, &jerr);
	if (!v)
		fail_msg("bad test JSON: %s: %s", jerr.text, json);
	return v;
}

static struct tmpl_set *compile_n(const struct tmpl_src *srcs, size_t n)
{
	struct tmpl_set *set = NULL;
	char err[256];
	enum err e = tmpl_compile(srcs, n, &set, err, sizeof(err));

	if (e != ERR_OK)
		fail_msg("compile failed: %s", err);
	assert_non_null(set);
	return set;
}

/* Renders name from set with json as the context into a fresh buf. */
static enum err render_into(const struct tmpl_set *set, const char *name,
		const char *json, struct buf *out, size_t max)
{
	json_t *ctx = ctx_of(json);
	enum err e;

	buf_init(out, max);
	e = tmpl_render(set, name, ctx, out);
	json_decref(ctx);
	return e;
}

static void expect_set(const struct tmpl_set *set, const char *name,
		const char *json, const char *want)
{
	struct buf out;
	enum err e = render_into(set, name, json, &out, 1 << 20);

	if (e != ERR_OK)
		fail_msg("render %s failed: %s", name, err_name(e));
	assert_string_equal(out.p, want);
	buf_release(&out);
}

/* One template named name (".html" or ".txt" decides the mode). */
static void expect_named(const char *name, const char *text, const char *json,
		const char *want)
{
	struct tmpl_src src = { name, text, strlen(text) };
	struct tmpl_set *set = compile_n(&src, 1);

	expect_set(set, name, json, want);
	tmpl_free(set);
}

static void expect(const char *text, const char *json, const char *want)
{
	expect_named("t.html", text, json, want);
}

/* Compiling must fail with ERR_INVALID and exactly this message. */
static void expect_error_n(const struct tmpl_src *srcs, size_t n,
		const char *want)
{
	struct tmpl_set *set = (struct tmpl_set *)1;
	char err[512];

	memset(err, 'x', sizeof(err));
	assert_int_equal(tmpl_compile(srcs, n, &set, err, sizeof(err)),
		ERR_INVALID);
	assert_null(set);
	assert_string_equal(err, want);
}

static void expect_error(const char *text, const char *want)
{
	struct tmpl_src src = { "t.html", text, strlen(text) };

	expect_error_n(&src, 1, want);
}

/* Compiles (the template must be valid) and returns the set. */
static struct tmpl_set *compile1(const char *name, const char *text)
{
	struct tmpl_src src = { name, text, strlen(text) };

	return compile_n(&src, 1);
}

/* ----------------------------------------------------------- values */

static void test_text_escapes_each_char(void **state)
{
	UNUSED(state);
	expect("<p>{{x}}</p>", "{\"x\": \"&\"}", "<p>&amp;</p>");
	expect("<p>{{x}}</p>", "{\"x\": \"<\"}", "<p>&lt;</p>");
	expect("<p>{{x}}</p>", "{\"x\": \">\"}", "<p>&gt;</p>");
	expect("<p>{{x}}</p>", "{\"x\": \"\\\"\"}", "<p>&quot;</p>");
	expect("<p>{{x}}</p>", "{\"x\": \"'\"}", "<p>&#39;</p>");
	expect("<p>{{x}}</p>", "{\"x\": \"<script>alert(1)</script>\"}",
		"<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
	expect("{{ x }}|{{x}}", "{\"x\": \"a<b\"}", "a&lt;b|a&lt;b");
}

static void test_attribute_escapes(void **state)
{
	UNUSED(state);
	expect("<a title=\"{{x}}\">", "{\"x\": \"\\\" onmouseover=\\\"x\"}",
		"<a title=\"&quot; onmouseover=&quot;x\">");
	expect("<a title='{{x}}'>", "{\"x\": \"' onmouseover='x\"}",
		"<a title='&#39; onmouseover=&#39;x'>");
	expect("<input value=\"{{v}}\" name=\"n\">", "{\"v\": \"a&b<>\"}",
		"<input value=\"a&amp;b&lt;&gt;\" name=\"n\">");
	/* An attribute named like a URL one only by its suffix is not. */
	expect("<a data-href=\"{{u}}\">", "{\"u\": \"javascript:x\"}",
		"<a data-href=\"javascript:x\">");
}

static void test_values_of_each_type(void **state)
{
	UNUSED(state);
	expect("{{i}} {{n}} {{big}}", "{\"i\": 42, \"n\": -7, "
		"\"big\": 9007199254740993}", "42 -7 9007199254740993");
	expect("{{z}} {{min}} {{max}}", "{\"z\": 0, \"min\": -9223372036854775808, "
		"\"max\": 9223372036854775807}",
		"0 -9223372036854775808 9223372036854775807");
	expect("{{r}} {{s}} {{e}} {{z}}", "{\"r\": 3.14159265, \"s\": 0.5, "
		"\"e\": 1e20, \"z\": 0.0}", "3.14159 0.5 1e+20 0");
	expect("{{t}} {{f}}", "{\"t\": true, \"f\": false}", "true false");
	expect("[{{nul}}][{{missing}}][{{arr}}][{{obj}}]",
		"{\"nul\": null, \"arr\": [1, 2], \"obj\": {\"a\": \"<b>\"}}",
		"[][][][]");
	/* A NULL or non-object root context is just empty. */
	expect("[{{x}}]", NULL, "[]");
	expect("[{{x}}][{{.}}]", "\"root <\"", "[][root &lt;]");
}

static void test_unicode_intact(void **state)
{
	UNUSED(state);
	expect("<p>Caf\xc3\xa9 {{x}}</p>",
		"{\"x\": \"\xe2\x80\x94 na\xc3\xafve \xf0\x9f\x8c\xb1 <\"}",
		"<p>Caf\xc3\xa9 \xe2\x80\x94 na\xc3\xafve \xf0\x9f\x8c\xb1 &lt;</p>");
	expect_named("t.txt", "{{x}}", "{\"x\": \"\xe6\x97\xa5\xe6\x9c\xac <>\"}",
		"\xe6\x97\xa5\xe6\x9c\xac <>");
	/* Percent-encoding works on bytes. */
	expect("<a href=\"/s/{{x}}\">", "{\"x\": \"caf\xc3\xa9\"}",
		"<a href=\"/s/caf%C3%A9\">");
}

static void test_dotted_names(void **state)
{
	UNUSED(state);
	expect("{{a.b.c}}", "{\"a\": {\"b\": {\"c\": \"deep\"}}}", "deep");
	expect("[{{a.x}}]", "{\"a\": {\"b\": 1}}", "[]");
	expect("[{{a.b.c}}]", "{\"a\": {\"b\": \"str\"}}", "[]");
	/* The first part resolves outwards; the rest only inside it. */
	expect("{{#item}}{{page.title}}|[{{item2.b}}]{{/item}}",
		"{\"page\": {\"title\": \"T\"}, \"b\": \"outer\", "
		"\"item\": {\"item2\": {}}, \"item2\": {\"b\": \"no\"}}",
		"T|[]");
}

static void test_raw_html(void **state)
{
	UNUSED(state);
	expect("<div>{{raw_html body}}</div>", "{\"body\": \"<p>Hi &amp; bye</p>\"}",
		"<div><p>Hi &amp; bye</p></div>");
	expect("<div>{{ raw_html  a.b }}</div>", "{\"a\": {\"b\": \"<i>x</i>\"}}",
		"<div><i>x</i></div>");
	/* A variable merely named raw_html... is a variable. */
	expect("{{raw_htmlx}}", "{\"raw_htmlx\": \"<\"}", "&lt;");
}

/* ------------------------------------------------------------- URLs */

static void check_href(const char *url, const char *want)
{
	json_t *ctx = json_pack("{s:s}", "u", url);
	struct tmpl_set *set = compile1("t.html", "<a href=\"{{u}}\">x</a>");
	struct buf out;
	char expected[512];

	buf_init(&out, 4096);
	assert_int_equal(tmpl_render(set, "t.html", ctx, &out), ERR_OK);
	snprintf(expected, sizeof(expected), "<a href=\"%s\">x</a>", want);
	assert_string_equal(out.p, expected);
	buf_release(&out);
	json_decref(ctx);
	tmpl_free(set);
}

static void test_url_start_unsafe_becomes_hash(void **state)
{
	UNUSED(state);
	check_href("javascript:alert(1)", "#");
	check_href("JaVaScRiPt:alert(1)", "#");
	check_href("  javascript:alert(1)", "#");
	check_href("\x01javascript:alert(1)", "#");
	check_href("java\nscript:alert(1)", "#");
	check_href("java\tscript:alert(1)", "#");
	check_href("vbscript:x", "#");
	check_href("data:text/html,<script>alert(1)</script>", "#");
	check_href("//evil.example/", "#");
	check_href("\\\\evil.example/", "#");
}

static void test_url_start_safe_kept(void **state)
{
	UNUSED(state);
	check_href("https://example.org/a?b=1&c=2", "https://example.org/a?b=1&amp;c=2");
	check_href("http://example.org/", "http://example.org/");
	check_href("mailto:help@example.org", "mailto:help@example.org");
	check_href("tel:+441234567890", "tel:+441234567890");
	check_href("/relative/path", "/relative/path");
	check_href("?q=1", "?q=1");
	check_href("#frag", "#frag");
	check_href("./x", "./x");
	check_href("/x\"onclick=\"alert(1)", "/x&quot;onclick=&quot;alert(1)");
	check_href("", "");
}

static void test_url_attributes(void **state)
{
	UNUSED(state);
	expect("<img src=\"{{u}}\"><form action='{{u}}'><button formaction=\"{{u}}\">"
		"<q cite=\"{{u}}\"><video poster=\"{{u}}\"></video>",
		"{\"u\": \"javascript:x\"}",
		"<img src=\"#\"><form action='#'><button formaction=\"#\">"
		"<q cite=\"#\"><video poster=\"#\"></video>");
	/* Attribute names are case-insensitive; leading space is stripped
	 * by browsers so the tag is still the start of the URL. */
	expect("<a HREF=\"{{u}}\"><a href=\" {{u}}\">", "{\"u\": \"javascript:x\"}",
		"<a HREF=\"#\"><a href=\" #\">");
	/* A number or boolean is a (relative) URL too. */
	expect("<a href=\"{{n}}\">", "{\"n\": 12}", "<a href=\"12\">");
}

static void test_url_component_later_in_value(void **state)
{
	UNUSED(state);
	expect("<a href=\"/services/{{id}}?q={{q}}\">",
		"{\"id\": \"a b/../c\", \"q\": \"x&y=z#\"}",
		"<a href=\"/services/a%20b%2F..%2Fc?q=x%26y%3Dz%23\">");
	expect("<a href=\"/services/{{id}}\">", "{\"id\": 17}",
		"<a href=\"/services/17\">");
	/* A later value cannot become a scheme either. */
	expect("<a href=\"/{{u}}\">", "{\"u\": \"javascript:alert(1)\"}",
		"<a href=\"/javascript%3Aalert%281%29\">");
	/* Two tags: the first is checked, the second encoded. */
	expect("<a href=\"{{base}}{{path}}\">",
		"{\"base\": \"https://x.example/\", \"path\": \"a b\"}",
		"<a href=\"https://x.example/a%20b\">");
	expect("<a href=\"mailto:{{to}}\">", "{\"to\": \"a@b.example\"}",
		"<a href=\"mailto:a%40b.example\">");
}

static void test_url_start_then_slash(void **state)
{
	UNUSED(state);
	/* "/" + "/x" would be "//x", another host. */
	expect("<a href=\"{{base}}/x\">", "{\"base\": \"/\"}", "<a href=\"#/x\">");
	expect("<a href=\"{{base}}/x\">", "{\"base\": \"/app\"}",
		"<a href=\"/app/x\">");
	expect("<a href=\"{{base}}\">", "{\"base\": \"/\"}", "<a href=\"/\">");
	expect("<a href=\"{{base}}?x\">", "{\"base\": \"/\"}", "<a href=\"/?x\">");
}

static void test_url_section_inside_value_encodes(void **state)
{
	UNUSED(state);
	/* Inside a section a tag is never "the start": parts of one URL
	 * split over an array cannot combine into a scheme. */
	expect("<a href=\"{{#parts}}{{.}}{{/parts}}\">",
		"{\"parts\": [\"javascript\", \":alert(1)\"]}",
		"<a href=\"javascript%3Aalert%281%29\">");
	expect("<a{{#u}} href=\"{{u}}\"{{/u}}>", "{\"u\": \"javascript:x\"}",
		"<a href=\"#\">");
	expect("<a{{#u}} href=\"{{u}}\"{{/u}}>", "{\"u\": \"https://ok/\"}",
		"<a href=\"https://ok/\">");
	expect("<a{{#u}} href=\"{{u}}\"{{/u}}>", "{}", "<a>");
}

static void test_url_compile_errors(void **state)
{
	UNUSED(state);
	expect_error("<a href=\"javascript:{{x}}\">",
		"t.html:1: {{x}} cannot follow a URL scheme other than http, "
		"https, mailto or tel (or a character reference)");
	expect_error("<a href=\"data:text/html,{{x}}\">",
		"t.html:1: {{x}} cannot follow a URL scheme other than http, "
		"https, mailto or tel (or a character reference)");
	expect_error("<a href=\"&#106;avascript:{{x}}\">",
		"t.html:1: {{x}} cannot follow a URL scheme other than http, "
		"https, mailto or tel (or a character reference)");
	expect_error("<a href=\"{{x}}:alert(1)\">",
		"t.html:1: a ':' after a {{tag}} in a URL could make a scheme; "
		"write the scheme before the tag");
	expect_error("<a href=\"java{{x}}script:\">",
		"t.html:1: a ':' after a {{tag}} in a URL could make a scheme; "
		"write the scheme before the tag");
	expect_error("<a href=\"{{x}}&#58;alert(1)\">",
		"t.html:1: a character reference after a {{tag}} in a URL could "
		"make a scheme; write the scheme before the tag");
	expect_error("<a href=\"{{#a}}ht{{/a}}tp:{{x}}\">",
		"t.html:1: {{x}} cannot follow a URL scheme other than http, "
		"https, mailto or tel (or a character reference)");
	/* A colon after the scheme is decided is fine. */
	expect("<a href=\"https://{{host}}:8080/{{x}}\">",
		"{\"host\": \"h\", \"x\": \"y\"}", "<a href=\"https://h:8080/y\">");
	expect("<a href=\"{{base}}/a:b\">", "{\"base\": \"/p\"}",
		"<a href=\"/p/a:b\">");
}

/* --------------------------------------------------------- sections */

static void test_section_truthiness(void **state)
{
	static const struct {
		const char *json;
		const char *want;
	} cases[] = {
		{ "{\"s\": [1, 2, 3]}", "[yes][yes][yes]" },
		{ "{\"s\": {\"a\": 1}}", "[yes]" },
		{ "{\"s\": {}}", "[yes]" },
		{ "{\"s\": true}", "[yes]" },
		{ "{\"s\": \"x\"}", "[yes]" },
		{ "{\"s\": 1}", "[yes]" },
		{ "{\"s\": -1}", "[yes]" },
		{ "{\"s\": 0.5}", "[yes]" },
		{ "{\"s\": false}", "(no)" },
		{ "{\"s\": 0}", "(no)" },
		{ "{\"s\": 0.0}", "(no)" },
		{ "{\"s\": \"\"}", "(no)" },
		{ "{\"s\": []}", "(no)" },
		{ "{\"s\": null}", "(no)" },
		{ "{}", "(no)" },
	};

	UNUSED(state);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		expect("{{#s}}[yes]{{/s}}{{^s}}(no){{/s}}", cases[i].json,
			cases[i].want);
}

static void test_section_contexts(void **state)
{
	UNUSED(state);
	expect("<ul>{{#items}}<li>{{name}}</li>{{/items}}</ul>",
		"{\"items\": [{\"name\": \"a<\"}, {\"name\": \"b\"}]}",
		"<ul><li>a&lt;</li><li>b</li></ul>");
	expect("{{#user}}{{name}} ({{role}}){{/user}}",
		"{\"user\": {\"name\": \"Sam\", \"role\": \"peer\"}}", "Sam (peer)");
	/* {{.}} over an array of strings, and over a truthy scalar. */
	expect("{{#tags}}<b>{{.}}</b>{{/tags}}", "{\"tags\": [\"x\", \"<y>\"]}",
		"<b>x</b><b>&lt;y&gt;</b>");
	expect("{{#email}}<a href=\"mailto:{{.}}\">{{.}}</a>{{/email}}",
		"{\"email\": \"a@b.example\"}",
		"<a href=\"mailto:a%40b.example\">a@b.example</a>");
	/* Inverted sections do not push anything. */
	expect("{{^items}}none {{title}}{{/items}}",
		"{\"items\": [], \"title\": \"T\"}", "none T");
}

static void test_nested_sections_outer_lookup(void **state)
{
	UNUSED(state);
	expect("{{#groups}}{{name}}:{{#members}}[{{name}}@{{site}}/{{group_id}}]"
		"{{/members}};{{/groups}}",
		"{\"site\": \"kith\", \"groups\": ["
		"{\"name\": \"G1\", \"group_id\": 1, \"members\": [{\"name\": \"a\"},"
		" {\"name\": \"b\"}]},"
		"{\"name\": \"G2\", \"group_id\": 2, \"members\": []}]}",
		"G1:[a@kith/1][b@kith/1];G2:;");
	/* An inner value shadows an outer one of the same name. */
	expect("{{x}}{{#o}}{{x}}{{#p}}{{x}}{{/p}}{{/o}}{{x}}",
		"{\"x\": 1, \"o\": {\"x\": 2, \"p\": {\"q\": 0}}}", "1221");
	expect("{{#a}}{{#b}}{{#c}}{{v}}{{/c}}{{/b}}{{/a}}",
		"{\"v\": \"top\", \"a\": {\"b\": [{\"c\": true}]}}", "top");
	/* Sections may repeat a name already open. */
	expect("{{#a}}{{#a}}x{{/a}}{{/a}}", "{\"a\": [1, 2]}", "xxxx");
}

/* --------------------------------------------------------- partials */

static void test_partials(void **state)
{
	static const char layout[] =
		"<html><title>{{page.title}}</title>\n"
		"{{>partials/nav.html}}\n"
		"<main>{{#data}}{{>*page.template}}{{/data}}</main></html>";
	static const char nav[] = "<nav>{{#actor}}{{name}}{{/actor}}{{^actor}}"
		"Sign in{{/actor}}</nav>\n";
	static const char home[] = "<h1>{{heading}}</h1><p>{{site.name}}</p>";
	static const char other[] = "<h1>other</h1>";
	struct tmpl_src srcs[] = {
		{ "layout.html", layout, sizeof(layout) - 1 },
		{ "partials/nav.html", nav, sizeof(nav) - 1 },
		{ "home.html", home, sizeof(home) - 1 },
		{ "other.html", other, sizeof(other) - 1 },
	};
	struct tmpl_set *set = compile_n(srcs, ARRAY_LEN(srcs));

	UNUSED(state);
	assert_true(tmpl_has(set, "layout.html"));
	assert_true(tmpl_has(set, "partials/nav.html"));
	assert_false(tmpl_has(set, "partials"));
	assert_false(tmpl_has(set, "layout"));
	assert_false(tmpl_has(set, "nope.html"));
	assert_int_equal(tmpl_count(set), 4);
	assert_string_equal(tmpl_name(set, 0), "home.html");
	assert_string_equal(tmpl_name(set, 3), "partials/nav.html");
	assert_null(tmpl_name(set, 4));
	expect_set(set, "layout.html",
		"{\"page\": {\"title\": \"Home\", \"template\": \"home.html\"},"
		" \"site\": {\"name\": \"Kith & Co\"},"
		" \"actor\": {\"name\": \"Ann\"},"
		" \"data\": {\"heading\": \"<Hi>\"}}",
		"<html><title>Home</title>\n<nav>Ann</nav>\n"
		"<main><h1>&lt;Hi&gt;</h1><p>Kith &amp; Co</p></main></html>");
	expect_set(set, "layout.html",
		"{\"page\": {\"title\": \"O\", \"template\": \"other.html\"},"
		" \"data\": {}}",
		"<html><title>O</title>\n<nav>Sign in</nav>\n"
		"<main><h1>other</h1></main></html>");
	tmpl_free(set);
}

static void test_dynamic_partial_missing(void **state)
{
	static const char page[] = "<p>before</p>{{>*which}}<p>after</p>";
	struct tmpl_src srcs[] = {
		{ "page.html", page, sizeof(page) - 1 },
		{ "mail.txt", "hi", 2 },
	};
	struct tmpl_set *set = compile_n(srcs, 2);
	struct buf out;

	UNUSED(state);
	log_set_quiet(1);
	/* Unknown name, a non-string and a missing value are all 404s, and
	 * the output goes back to what it was. */
	buf_init(&out, 4096);
	buf_adds(&out, "keep");
	json_t *ctx = json_pack("{s:s}", "which", "nope.html");
	assert_int_equal(tmpl_render(set, "page.html", ctx, &out), ERR_NOT_FOUND);
	assert_string_equal(out.p, "keep");
	assert_true(buf_ok(&out));
	json_decref(ctx);
	ctx = json_pack("{s:i}", "which", 3);
	assert_int_equal(tmpl_render(set, "page.html", ctx, &out), ERR_NOT_FOUND);
	json_decref(ctx);
	ctx = json_object();
	assert_int_equal(tmpl_render(set, "page.html", ctx, &out), ERR_NOT_FOUND);
	/* A name with a NUL in it names no template. */
	json_object_set_new(ctx, "which", json_stringn("page.html\0x", 11));
	assert_int_equal(tmpl_render(set, "page.html", ctx, &out), ERR_NOT_FOUND);
	json_decref(ctx);
	assert_string_equal(out.p, "keep");
	/* HTML cannot pull in a text template at render time either. */
	ctx = json_pack("{s:s}", "which", "mail.txt");
	assert_int_equal(tmpl_render(set, "page.html", ctx, &out), ERR_INTERNAL);
	json_decref(ctx);
	assert_string_equal(out.p, "keep");
	/* An unknown template at the top is a 404 too. */
	assert_int_equal(tmpl_render(set, "missing.html", NULL, &out),
		ERR_NOT_FOUND);
	log_set_quiet(0);
	buf_release(&out);
	tmpl_free(set);
}

static void test_partial_in_section_sees_context(void **state)
{
	static const char list[] = "<ul>{{#people}}{{>row.html}}{{/people}}</ul>";
	static const char row[] = "<li>{{name}} of {{org}}</li>";
	struct tmpl_src srcs[] = {
		{ "list.html", list, sizeof(list) - 1 },
		{ "row.html", row, sizeof(row) - 1 },
	};
	struct tmpl_set *set = compile_n(srcs, 2);

	UNUSED(state);
	expect_set(set, "list.html",
		"{\"org\": \"K\", \"people\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}",
		"<ul><li>a of K</li><li>b of K</li></ul>");
	tmpl_free(set);
}

/* ------------------------------------------------------ whitespace */

static void test_standalone_lines(void **state)
{
	UNUSED(state);
	expect("<ul>\n"
		"  {{#items}}\n"
		"  <li>{{.}}</li>\n"
		"  {{/items}}\n"
		"</ul>\n", "{\"items\": [\"a\", \"b\"]}",
		"<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n");
	expect("a\n  {{! a comment }}  \nb\n", "{}", "a\nb\n");
	expect("a\r\n\t{{^x}}\r\nno\r\n{{/x}}\r\nb", "{}", "a\r\nno\r\nb");
	/* First and last line of the template. */
	expect("{{#x}}\nin\n{{/x}}", "{\"x\": true}", "in\n");
	/* Not standalone: other text or a second tag on the line. */
	expect("  {{#x}}y\n{{/x}}", "{\"x\": true}", "  y\n");
	expect("a {{#x}}\nb{{/x}} c\n", "{\"x\": true}", "a \nb c\n");
	expect("{{#x}}{{/x}}\nz", "{\"x\": true}", "\nz");
	expect("  {{v}}\n", "{\"v\": 1}", "  1\n");
}

static void test_standalone_partial(void **state)
{
	static const char outer[] = "<div>\n  {{>inner.html}}\n</div>\n";
	static const char inner[] = "<p>{{x}}</p>\n";
	struct tmpl_src srcs[] = {
		{ "outer.html", outer, sizeof(outer) - 1 },
		{ "inner.html", inner, sizeof(inner) - 1 },
	};
	struct tmpl_set *set = compile_n(srcs, 2);

	UNUSED(state);
	expect_set(set, "outer.html", "{\"x\": 1}", "<div>\n<p>1</p>\n</div>\n");
	tmpl_free(set);
}

/* -------------------------------------------------------- text mode */

static void test_text_mode(void **state)
{
	static const char mail[] =
		"Hello {{name}},\n"
		"\n"
		"{{#items}}\n"
		"- {{title}} <{{url}}>\n"
		"{{/items}}\n"
		"{{>emails/footer.txt}}\n";
	static const char footer[] = "-- \n{{site}} & friends\n";
	struct tmpl_src srcs[] = {
		{ "emails/verify.txt", mail, sizeof(mail) - 1 },
		{ "emails/footer.txt", footer, sizeof(footer) - 1 },
	};
	struct tmpl_set *set = compile_n(srcs, 2);

	UNUSED(state);
	expect_set(set, "emails/verify.txt",
		"{\"name\": \"O'Brien <ob@x>\", \"site\": \"Kith\", \"items\": ["
		"{\"title\": \"A & B\", \"url\": \"javascript:x\"}]}",
		"Hello O'Brien <ob@x>,\n\n- A & B <javascript:x>\n"
		"-- \nKith & friends\n");
	tmpl_free(set);
	/* No HTML context in text mode: a tag in what looks like <script>
	 * is fine. */
	expect_named("a.txt", "<script>{{x}}</script>", "{\"x\": \"<\"}",
		"<script><</script>");
}

static void test_text_mode_errors(void **state)
{
	static const char html[] = "<p>{{>b.txt}}</p>";
	static const char txt[] = "{{x}}";
	struct tmpl_src srcs[] = {
		{ "a.html", html, sizeof(html) - 1 },
		{ "b.txt", txt, sizeof(txt) - 1 },
	};
	struct tmpl_src mail = { "m.txt", "Hi\n{{raw_html x}}", 17 };

	UNUSED(state);
	expect_error_n(&mail, 1, "m.txt:2: {{raw_html x}} is not allowed in a "
		"text template");
	expect_error_n(srcs, 2, "a.html:1: {{>b.txt}}: HTML and text templates "
		"cannot include each other");
}

/* ------------------------------------------------- context checks */

static void test_contexts_refused(void **state)
{
	UNUSED(state);
	expect_error("<p>ok</p>\n<script>\nvar x = {{x}};\n</script>",
		"t.html:3: {{x}} cannot go inside <script>");
	expect_error("<STYLE>p { color: {{c}} }</STYLE>",
		"t.html:1: {{c}} cannot go inside <style>");
	expect_error("<!-- {{x}} -->",
		"t.html:1: {{x}} cannot go inside an HTML comment");
	expect_error("<!DOCTYPE {{x}}>",
		"t.html:1: {{x}} cannot go inside a <!...> declaration");
	expect_error("<a onclick=\"go('{{x}}')\">",
		"t.html:1: {{x}} cannot go inside an on* event attribute");
	expect_error("<a ONMOUSEOVER='{{x}}'>",
		"t.html:1: {{x}} cannot go inside an on* event attribute");
	expect_error("<p style=\"color: {{c}}\">",
		"t.html:1: {{c}} cannot go inside a style attribute");
	expect_error("<iframe srcdoc=\"{{h}}\"></iframe>",
		"t.html:1: {{h}} cannot go inside a srcdoc attribute");
	expect_error("<a title={{x}}>",
		"t.html:1: {{x}} is in an unquoted attribute value; put quotes "
		"around the value");
	expect_error("<a title=x{{x}}>",
		"t.html:1: {{x}} is in an unquoted attribute value; put quotes "
		"around the value");
	expect_error("<{{tag}}>",
		"t.html:1: {{tag}} cannot go inside a tag name");
	expect_error("<h{{n}}>",
		"t.html:1: {{n}} cannot go inside a tag name");
	expect_error("<input {{attrs}}>",
		"t.html:1: {{attrs}} cannot go between attributes or in an "
		"attribute name; put a literal attribute inside a section instead");
	expect_error("<input data-{{x}}=\"1\">",
		"t.html:1: {{x}} cannot go between attributes or in an "
		"attribute name; put a literal attribute inside a section instead");
	expect_error("<p title=\"{{raw_html x}}\">",
		"t.html:1: {{raw_html x}} can only go in element text, not in an "
		"attribute value");
	expect_error("<title>{{raw_html x}}</title>",
		"t.html:1: {{raw_html x}} cannot go inside <title>");
	expect_error("<p title=\"{{>p.html}}\">",
		"t.html:1: a partial {{>p.html}} can only go in element text, not in "
		"an attribute value");
	expect_error("<p title=\"{{>*tpl}}\">",
		"t.html:1: a partial {{>*tpl}} can only go in element text, not in "
		"an attribute value");
	expect_error("<script>{{>*tpl}}</script>",
		"t.html:1: {{>*tpl}} cannot go inside <script>");
	expect_error("<xmp>{{x}}</xmp>", "t.html:1: {{x}} cannot go inside <xmp>");
	expect_error("<noscript>{{x}}</noscript>",
		"t.html:1: {{x}} cannot go inside <noscript>");
	expect_error("<p>\n<a href=\"x\n", "t.html:3: the template ends inside "
		"an attribute value");
	expect_error("<script>", "t.html:1: the template ends inside <script>");
	expect_error("<!-- open", "t.html:1: the template ends inside an HTML "
		"comment");
}

static void test_contexts_allowed(void **state)
{
	UNUSED(state);
	/* RCDATA elements hold escaped text. */
	expect("<title>{{t}}</title><textarea name=\"b\">{{b}}</textarea>",
		"{\"t\": \"</title><script>\", \"b\": \"</textarea>\"}",
		"<title>&lt;/title&gt;&lt;script&gt;</title>"
		"<textarea name=\"b\">&lt;/textarea&gt;</textarea>");
	/* Script ends at its end tag, whatever the case and trailing space;
	 * a string that only looks like one does not end it. */
	expect("<script>var a = \"</scr\" + \"ipt>\";</script ><p>{{x}}</p>",
		"{\"x\": 1}",
		"<script>var a = \"</scr\" + \"ipt>\";</script ><p>1</p>");
	expect("<SCRIPT src=\"/a.js\"></Script>{{x}}", "{\"x\": 2}",
		"<SCRIPT src=\"/a.js\"></Script>2");
	expect("<script type=\"module\">if (a < b) {}</script>{{x}}", "{\"x\": 3}",
		"<script type=\"module\">if (a < b) {}</script>3");
	/* Comments end at "-->", "--!>" and the abrupt "<!-->". */
	expect("<!-- c -->{{x}}<!-->{{x}}<!--->{{x}}<!-- a --!>{{x}}", "{\"x\": 1}",
		"<!-- c -->1<!-->1<!--->1<!-- a --!>1");
	expect("<!DOCTYPE html>\n<p>{{x}}</p>", "{\"x\": 1}",
		"<!DOCTYPE html>\n<p>1</p>");
	/* A '<' that starts no tag, and attributes that hold '>' */
	expect("a < b {{x}} <p title=\"a>b\">{{x}}</p>", "{\"x\": 1}",
		"a < b 1 <p title=\"a>b\">1</p>");
	/* Sections between attributes, holding whole attributes. */
	expect("<option value=\"{{id}}\"{{#sel}} selected{{/sel}}>{{name}}</option>",
		"{\"id\": 3, \"sel\": true, \"name\": \"x\"}",
		"<option value=\"3\" selected>x</option>");
	expect("<input{{#req}} required{{/req}}>", "{\"req\": true}",
		"<input required>");
	expect("<input{{#req}} required{{/req}}>", "{}", "<input>");
	expect("<input {{#req}}required {{/req}}name=\"{{n}}\">",
		"{\"req\": false, \"n\": \"a\"}", "<input name=\"a\">");
	expect("<a {{#u}}href=\"{{u}}\" {{/u}}class=\"c\">", "{\"u\": \"/x\"}",
		"<a href=\"/x\" class=\"c\">");
	/* Sections inside attribute values and text inside raw text. */
	expect("<p class=\"a{{#b}} b{{/b}}\">", "{\"b\": 1}", "<p class=\"a b\">");
	expect("<script>{{#dbg}}var debug = 1;{{/dbg}}</script>", "{\"dbg\": 1}",
		"<script>var debug = 1;</script>");
}

static void test_section_must_keep_context(void **state)
{
	UNUSED(state);
	expect_error("{{#a}}<script>{{/a}}{{^a}}</script>{{/a}}{{x}}",
		"t.html:1: the section {{#a}} from line 1 starts in element text "
		"but ends in <script>; open and close it in the same place");
	expect_error("<p>\n{{#a}}<a href=\"{{/a}}\n",
		"t.html:2: the section {{#a}} from line 2 starts in element text "
		"but ends in an attribute value; open and close it in the same place");
	expect_error("{{#a}}<p{{/a}}>",
		"t.html:1: a section cannot end inside a tag name");
	expect_error("<{{#a}}p{{/a}}>",
		"t.html:1: a section tag cannot go right after '<', '</' or '<!'");
	/* <scr{{#a}} x{{/a}}ipt> is <script> when a is false. */
	expect_error("<scr{{#a}} x{{/a}}ipt>",
		"t.html:1: after a tag name, a section must start and be followed "
		"by a space, '/' or '>'");
	expect_error("<a{{#b}}bbr{{/b}}>",
		"t.html:1: after a tag name, a section must start and be followed "
		"by a space, '/' or '>'");
	/* Which attribute a value belongs to must not depend on a section. */
	expect_error("<a {{#x}}x{{/x}}href=\"{{u}}\">",
		"t.html:1: an attribute name is split by a section; put the whole "
		"attribute inside the section");
	expect_error("<a href{{#s}}=\"{{u}}\"{{/s}}>",
		"t.html:1: an attribute name is split by a section; put the whole "
		"attribute inside the section");
	expect_error("<script>{{#a}}</scr{{/a}}ipt>",
		"t.html:1: the section {{#a}} from line 1 starts in <script> but "
		"ends in <script>; open and close it in the same place");
}

/* ---------------------------------------------------- syntax errors */

static void test_syntax_errors(void **state)
{
	static const char a[] = "{{>b.html}}", b[] = "{{#x}}";
	struct tmpl_src two[] = {
		{ "a.html", a, sizeof(a) - 1 },
		{ "b.html", b, sizeof(b) - 1 },
	};
	struct tmpl_src dup[] = {
		{ "a.html", a, sizeof(a) - 1 },
		{ "a.html", a, sizeof(a) - 1 },
	};

	UNUSED(state);
	expect_error("line one\nline two {{x\n", "t.html:2: a tag opened with "
		"{{ is not closed with }}");
	expect_error("a\n\n{{#x}}\nb\n", "t.html:3: {{#x}} is never closed "
		"with {{/x}}");
	expect_error("{{#a}}\n{{^b}}\n", "t.html:2: {{^b}} is never closed "
		"with {{/b}}");
	expect_error("a\n{{/x}}", "t.html:2: {{/x}} closes a section that was "
		"never opened");
	expect_error("{{#a}}\n{{#b}}\n{{/a}}\n{{/b}}",
		"t.html:3: {{/a}} does not match {{#b}} from line 2");
	expect_error("x\n{{>nope.html}}", "t.html:2: {{>nope.html}} names no "
		"template");
	expect_error("{{}}", "t.html:1: {{}} is an empty tag");
	expect_error("{{  }}", "t.html:1: a tag needs a name");
	expect_error("{{#}}{{/}}", "t.html:1: a tag needs a name");
	expect_error("{{>}}", "t.html:1: a tag needs a name");
	expect_error("{{>*}}", "t.html:1: a tag needs a name");
	expect_error("{{raw_html}}", "t.html:1: {{raw_html}} needs a name: "
		"{{raw_html name}}");
	expect_error("{{{x}}}", "t.html:1: {{{name}}} and {{&name}} are not "
		"supported; use {{raw_html name}} for trusted HTML");
	expect_error("{{&x}}", "t.html:1: {{{name}}} and {{&name}} are not "
		"supported; use {{raw_html name}} for trusted HTML");
	expect_error("{{=<% %>=}}", "t.html:1: set-delimiter tags {{=...=}} are "
		"not supported");
	expect_error("{{a..b}}", "t.html:1: {{a..b}} has an empty part in its "
		"dotted name");
	expect_error("{{.a}}", "t.html:1: {{.a}} has an empty part in its "
		"dotted name");
	expect_error("{{a b}}", "t.html:1: names use letters, digits, '_', '-' "
		"and '.' only: {{a b}}");
	expect_error("{{>a b}}", "t.html:1: a partial's name cannot hold spaces "
		"or control characters");
	expect_error_n(two, 2, "b.html:1: {{#x}} is never closed with {{/x}}");
	expect_error_n(dup, 2, "a.html:1: two templates have this name");
}

static void test_section_depth_limit_at_compile(void **state)
{
	char text[2048];
	size_t n = 0;

	UNUSED(state);
	for (int i = 0; i <= LIMIT_TEMPLATE_DEPTH; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "{{#a}}");
	expect_error(text, "t.html:1: sections are nested more than 16 deep");
}

static void test_errbuf_optional(void **state)
{
	struct tmpl_src src = { "t.html", "{{#x}}", 6 };
	struct tmpl_set *set = NULL;
	char small[8];

	UNUSED(state);
	assert_int_equal(tmpl_compile(&src, 1, &set, NULL, 0), ERR_INVALID);
	assert_null(set);
	assert_int_equal(tmpl_compile(&src, 1, &set, small, sizeof(small)),
		ERR_INVALID);
	assert_string_equal(small, "t.html:");
	/* No templates is a valid, empty set. */
	assert_int_equal(tmpl_compile(NULL, 0, &set, small, sizeof(small)), ERR_OK);
	assert_int_equal(tmpl_count(set), 0);
	assert_false(tmpl_has(set, "t.html"));
	tmpl_free(set);
	tmpl_free(NULL);
}

/* --------------------------------------------------------- limits */

static void test_depth_limit(void **state)
{
	static const char self[] = "<i>{{#next}}{{>self.html}}{{/next}}</i>";
	struct tmpl_src src = { "self.html", self, sizeof(self) - 1 };
	struct tmpl_set *set = compile_n(&src, 1);
	json_t *ctx = json_object(), *cur = ctx;
	struct buf out;

	UNUSED(state);
	/* Each level is a section and a partial: 8 levels make exactly 16.
	 * The innermost says next: false, or the lookup would find an outer
	 * "next" and recurse. */
	for (int i = 0; i < 8; i++) {
		json_t *n = json_object();

		json_object_set_new(cur, "next", n);
		cur = n;
	}
	json_object_set_new(cur, "next", json_false());
	buf_init(&out, 1 << 16);
	assert_int_equal(tmpl_render(set, "self.html", ctx, &out), ERR_OK);
	assert_string_equal(out.p, "<i><i><i><i><i><i><i><i><i></i></i></i></i>"
		"</i></i></i></i></i>");
	buf_reset(&out);
	/* One level more is refused, and nothing is written. */
	json_object_set_new(cur, "next", json_pack("{s:b}", "next", 0));
	log_set_quiet(1);
	assert_int_equal(tmpl_render(set, "self.html", ctx, &out), ERR_INTERNAL);
	assert_int_equal(out.len, 0);
	/* A value that is its own "next" recurses until the limit. */
	json_object_set_new(cur, "next", json_true());
	assert_int_equal(tmpl_render(set, "self.html", ctx, &out), ERR_INTERNAL);
	log_set_quiet(0);
	buf_release(&out);
	json_decref(ctx);
	tmpl_free(set);
}

static void test_output_limit(void **state)
{
	struct tmpl_set *set = compile1("t.html",
		"{{#rows}}<tr><td>{{name}}</td></tr>\n{{/rows}}");
	json_t *ctx = json_pack("{s:[{s:s},{s:s},{s:s}]}", "rows",
		"name", "aaaa", "name", "bbbb", "name", "cccc");
	struct buf out;

	UNUSED(state);
	/* Each row is 23 bytes: three fit in exactly 69, not in 68. */
	buf_init(&out, 69);
	assert_int_equal(tmpl_render(set, "t.html", ctx, &out), ERR_OK);
	assert_int_equal(out.len, 69);
	buf_release(&out);
	buf_init(&out, 68);
	assert_int_equal(tmpl_render(set, "t.html", ctx, &out), ERR_TOO_LARGE);
	assert_false(buf_ok(&out));
	assert_int_equal(out.len, 0);
	/* A buf already over its limit fails at once. */
	assert_int_equal(tmpl_render(set, "t.html", ctx, &out), ERR_TOO_LARGE);
	buf_release(&out);
	json_decref(ctx);
	tmpl_free(set);
}

static void test_step_limit(void **state)
{
	/* 200^4 iterations that write nothing would never hit the buf
	 * maximum; the step bound stops them. */
	struct tmpl_set *set = compile1("t.html",
		"{{#a}}{{#a}}{{#a}}{{#a}}{{/a}}{{/a}}{{/a}}{{/a}}done");
	json_t *ctx = json_object(), *arr = json_array();
	struct buf out;

	UNUSED(state);
	for (int i = 0; i < 200; i++)
		json_array_append_new(arr, json_integer(i));
	json_object_set_new(ctx, "a", arr);
	buf_init(&out, 1 << 20);
	log_set_quiet(1);
	assert_int_equal(tmpl_render(set, "t.html", ctx, &out), ERR_TOO_LARGE);
	log_set_quiet(0);
	buf_release(&out);
	json_decref(ctx);
	tmpl_free(set);
}

/* The view layer's other reader of JSON: jstr() says "not given" for an
 * absent, null, non-string or empty member alike. */
static void test_jstr(void **state)
{
	static const struct { const char *key, *want; } cases[] = {
		{ "name", "Walk" }, { "empty", NULL }, { "none", NULL }, { "n", NULL }, { "absent", NULL },
	};
	json_t *o = json_pack("{s:s, s:s, s:n, s:i}", "name", "Walk", "empty", "", "none", "n", 3);

	UNUSED(state);
	assert_non_null(o);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const char *got = jstr(o, cases[i].key);

		if (cases[i].want)
			assert_string_equal(got, cases[i].want);
		else
			assert_null(got);
	}
	assert_null(jstr(NULL, "name"));
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_escapes_each_char),
		cmocka_unit_test(test_attribute_escapes),
		cmocka_unit_test(test_values_of_each_type),
		cmocka_unit_test(test_unicode_intact),
		cmocka_unit_test(test_dotted_names),
		cmocka_unit_test(test_raw_html),
		cmocka_unit_test(test_url_start_unsafe_becomes_hash),
		cmocka_unit_test(test_url_start_safe_kept),
		cmocka_unit_test(test_url_attributes),
		cmocka_unit_test(test_url_component_later_in_value),
		cmocka_unit_test(test_url_start_then_slash),
		cmocka_unit_test(test_url_section_inside_value_encodes),
		cmocka_unit_test(test_url_compile_errors),
		cmocka_unit_test(test_section_truthiness),
		cmocka_unit_test(test_section_contexts),
		cmocka_unit_test(test_nested_sections_outer_lookup),
		cmocka_unit_test(test_partials),
		cmocka_unit_test(test_dynamic_partial_missing),
		cmocka_unit_test(test_partial_in_section_sees_context),
		cmocka_unit_test(test_standalone_lines),
		cmocka_unit_test(test_standalone_partial),
		cmocka_unit_test(test_text_mode),
		cmocka_unit_test(test_text_mode_errors),
		cmocka_unit_test(test_contexts_refused),
		cmocka_unit_test(test_contexts_allowed),
		cmocka_unit_test(test_section_must_keep_context),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_section_depth_limit_at_compile),
		cmocka_unit_test(test_errbuf_optional),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_output_limit),
		cmocka_unit_test(test_step_limit),
		cmocka_unit_test(test_jstr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
