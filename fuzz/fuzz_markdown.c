/*
 * fuzz_markdown.c - posts' Markdown (src/view/markdown.c): cmark's parser
 * and kith's writer on anything a writer could post.
 *
 * The first byte chooses options: bit 0 smart punctuation, bits 1-3 the
 * heading level (0-7: out of range ones are clamped), bits 4-7 a maximum
 * for markdown_quote; 0xFF alone also makes the post the rest repeated to
 * MARKDOWN_MAX bytes (the bounds at full size from short inputs; rare,
 * because such a run takes about 100 ms under the sanitizers, and
 * tests/unit/test_markdown.c renders the slow and deep shapes at full
 * size). The rest is the post.
 *
 * Invariants:
 *   - markdown_html succeeds for every post up to MARKDOWN_MAX (its
 *     output bound is never reached) and refuses a longer one; its output
 *     is within MARKDOWN_HTML_BOUND, clean UTF-8, and of the shape
 *     tests/support/html_shape.h checks: only its tags and attributes,
 *     balanced, every <a> with an http(s)/mailto href, class govuk-link
 *     and rel="nofollow ugc", no link in a link, no "<script";
 *   - markdown_text succeeds, within MARKDOWN_TEXT_BOUND, clean UTF-8, no
 *     line break at either end, and every '<' in it was typed: there are
 *     at most as many as the post has '<' and '&' (a reference);
 *   - markdown_quote writes at most its maximum, every line starts with
 *     '>', and it ends with an empty line; all of it is quote: read back
 *     with skip_quotes it has no text, and a reply written after it is
 *     the only text that remains.
 */
#include "core/common.h"

#include "core/buf.h"
#include "core/str.h"
#include "view/markdown.h"

#include "../tests/support/html_shape.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static size_t count(const char *p, size_t n, char c)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += p[i] == c;
	return k;
}

static void check_html(const char *md, size_t n, const struct markdown_opts *o)
{
	struct buf a;
	const char *why = NULL;
	enum err e;

	buf_init(&a, LIMIT_PAGE_BYTES);
	e = markdown_html(md, n, &a, o);
	if (n > MARKDOWN_MAX) {
		CHECK(e == ERR_TOO_LARGE && a.len == 0 && buf_ok(&a));
		goto out;
	}
	CHECK(e == ERR_OK);
	CHECK(a.len <= MARKDOWN_HTML_BOUND(n));
	CHECK(a.len == strlen(a.p));
	CHECK(str_is_clean_utf8(a.p, a.len));
	if (!html_shape_ok(a.p, a.len, &why)) {
		fprintf(stderr, "html_shape: %s\n%s\n", why, a.p);
		CHECK(!"the HTML is of markdown_html's shape");
	}
	CHECK(!strcasestr(a.p, "<script"));
out:
	buf_release(&a);
}

static void check_text(const char *md, size_t n, bool skip)
{
	struct markdown_opts o = { .skip_quotes = skip };
	struct buf t;

	buf_init(&t, LIMIT_PAGE_BYTES);
	if (n > MARKDOWN_MAX) {
		CHECK(markdown_text(md, n, &t, &o) == ERR_TOO_LARGE);
		goto out;
	}
	CHECK(markdown_text(md, n, &t, &o) == ERR_OK);
	CHECK(t.len <= MARKDOWN_TEXT_BOUND(n));
	CHECK(str_is_clean_utf8(t.p, t.len));
	if (t.len)
		CHECK(t.p[0] != '\n' && t.p[t.len - 1] != '\n');
	CHECK(count(t.p, t.len, '<') <= count(md, n, '<') + count(md, n, '&'));
out:
	buf_release(&t);
}

static void check_quote(const char *md, size_t n, size_t max)
{
	static const char reply[] = "reply";
	struct markdown_opts skip = { .skip_quotes = true };
	struct buf q, t;

	buf_init(&q, LIMIT_PAGE_BYTES);
	buf_init(&t, LIMIT_PAGE_BYTES);
	CHECK(markdown_quote(md, n, max, &q) == ERR_OK);
	CHECK(q.len <= max);
	if (q.len == 0)
		goto out;
	CHECK(q.len >= 3 && q.p[q.len - 1] == '\n' && q.p[q.len - 2] == '\n');
	for (size_t i = 0; i + 1 < q.len; i++)
		CHECK((i > 0 && q.p[i - 1] != '\n') || q.p[i] == '>');
	if (q.len + sizeof(reply) - 1 > MARKDOWN_MAX)
		goto out;
	CHECK(markdown_text(q.p, q.len, &t, &skip) == ERR_OK);
	CHECK(t.len == 0);
	buf_add(&q, reply, sizeof(reply) - 1);
	CHECK(markdown_text(q.p, q.len, &t, &skip) == ERR_OK);
	CHECK(buf_ok(&t) && strcmp(t.p, reply) == 0);
out:
	buf_release(&q);
	buf_release(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t quote_max[16] = {
		MARKDOWN_MAX, 0, 6, 7, 8, 12, 20, 40, 100, 200, 1000, 5000,
		MARKDOWN_MAX / 2, MARKDOWN_MAX - 5, MARKDOWN_MAX + 100, MARKDOWN_MAX,
	};
	struct markdown_opts o = { 0 };
	const char *md;
	char *filled = NULL;
	size_t n;

	if (size < 1)
		return 0;
	o.smart = data[0] & 1;
	o.heading_level = (data[0] >> 1) & 7;
	md = (const char *)data + 1;
	n = size - 1;
	if (data[0] == 0xFF && n > 0) {
		filled = malloc(MARKDOWN_MAX);
		CHECK(filled);
		for (size_t i = 0; i < MARKDOWN_MAX; i++)
			filled[i] = md[i % n];
		md = filled;
		n = MARKDOWN_MAX;
	}
	check_html(md, n, &o);
	check_text(md, n, false);
	check_text(md, n, true);
	check_quote(md, n, quote_max[data[0] >> 4]);
	free(filled);
	return 0;
}
