/*
 * fuzz_html.c - text_from_html, text_clean_line, text_clean_block and
 * text_dupe_key on anything.
 *
 * Invariants:
 *   - text_from_html's output is clean UTF-8 (str_is_clean_utf8) with no
 *     CR or tab, no space at either end of a line, no line break at
 *     either end and never three line breaks in a row;
 *   - no tag survives: every '<' in the output is a '<' the input had as
 *     text (one not starting markup) or came from a reference, so the
 *     output has at most that many;
 *   - the output is a fixed point: escaping it back into HTML (& < > as
 *     references, newlines as <br>) and converting again gives it back,
 *     and text_clean_block leaves it as it is;
 *   - a smaller maximum gives a prefix of the same text and sets the
 *     error, never more than the maximum;
 *   - text_clean_line gives one clean line and is idempotent;
 *     text_clean_block is idempotent and clean;
 *   - text_dupe_key gives only [a-z0-9] and ignores what clean_line
 *     changes.
 */
#include "core/common.h"

#include "core/buf.h"
#include "core/str.h"
#include "search/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void check_shape(const struct buf *b, bool one_line)
{
	CHECK(b->len == strlen(b->p));
	CHECK(str_is_clean_utf8(b->p, b->len));
	CHECK(!memchr(b->p, '\r', b->len) && !memchr(b->p, '\t', b->len));
	CHECK(!strstr(b->p, " \n") && !strstr(b->p, "\n ") && !strstr(b->p, "\n\n\n"));
	CHECK(!strstr(b->p, "  "));
	if (b->len) {
		CHECK(b->p[0] != ' ' && b->p[0] != '\n');
		CHECK(b->p[b->len - 1] != ' ' && b->p[b->len - 1] != '\n');
	}
	if (one_line)
		CHECK(!memchr(b->p, '\n', b->len));
}

static size_t count(const char *p, size_t n, char c)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += p[i] == c;
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct buf out, esc, again, small, line, line2, key, key2, blk, blk2;
	size_t text_lt = 0;

	buf_init(&out, 1 << 24);
	text_from_html(p, size, &out);
	CHECK(buf_ok(&out));
	check_shape(&out, false);

	/* No tag survives. */
	for (size_t i = 0; i < size; i++) {
		if (p[i] != '<')
			continue;
		if (i + 1 == size)
			text_lt++;
		else if (p[i + 1] == '/')
			text_lt += i + 2 == size;
		else if (!is_alpha((unsigned char)p[i + 1]) && p[i + 1] != '!' && p[i + 1] != '?')
			text_lt++;
	}
	CHECK(count(out.p, out.len, '<') <= text_lt + count(p, size, '&'));

	/* A fixed point. */
	buf_init(&esc, 1 << 26);
	for (size_t i = 0; i < out.len; i++) {
		switch (out.p[i]) {
		case '&': buf_adds(&esc, "&amp;"); break;
		case '<': buf_adds(&esc, "&lt;"); break;
		case '>': buf_adds(&esc, "&gt;"); break;
		case '\n': buf_adds(&esc, "<br>"); break;
		default: buf_addc(&esc, out.p[i]);
		}
	}
	CHECK(buf_ok(&esc));
	buf_init(&again, 1 << 24);
	text_from_html(esc.p, esc.len, &again);
	CHECK(again.len == out.len && memcmp(again.p, out.p, out.len) == 0);

	/* text_clean_block has nothing left to do to it. */
	buf_init(&blk, 1 << 24);
	text_clean_block(out.p, out.len, &blk);
	CHECK(blk.len == out.len && memcmp(blk.p, out.p, out.len) == 0);
	buf_release(&blk);

	/* A small maximum: a prefix, and the error. */
	buf_init(&small, 64);
	text_from_html(p, size, &small);
	CHECK(small.len <= 64 && small.len <= out.len);
	CHECK(memcmp(small.p, out.p, small.len) == 0);
	CHECK(buf_ok(&small) == (out.len <= 64));

	/* One line. */
	buf_init(&line, 1 << 24);
	text_clean_line(p, size, &line);
	CHECK(buf_ok(&line));
	check_shape(&line, true);
	buf_init(&line2, 1 << 24);
	text_clean_line(line.p, line.len, &line2);
	CHECK(line2.len == line.len && memcmp(line2.p, line.p, line.len) == 0);

	/* A block. */
	buf_init(&blk, 1 << 24);
	text_clean_block(p, size, &blk);
	CHECK(buf_ok(&blk));
	check_shape(&blk, false);
	buf_init(&blk2, 1 << 24);
	text_clean_block(blk.p, blk.len, &blk2);
	CHECK(blk2.len == blk.len && memcmp(blk2.p, blk.p, blk.len) == 0);

	/* Keys. */
	buf_init(&key, 1 << 24);
	text_dupe_key(p, size, &key);
	for (size_t i = 0; i < key.len; i++)
		CHECK((key.p[i] >= 'a' && key.p[i] <= 'z') || (key.p[i] >= '0' && key.p[i] <= '9'));
	buf_init(&key2, 1 << 24);
	text_dupe_key(line.p, line.len, &key2);
	CHECK(key2.len == key.len && memcmp(key2.p, key.p, key.len) == 0);

	(void)text_has_html(p, size);

	buf_release(&out);
	buf_release(&esc);
	buf_release(&again);
	buf_release(&small);
	buf_release(&line);
	buf_release(&line2);
	buf_release(&blk);
	buf_release(&blk2);
	buf_release(&key);
	buf_release(&key2);
	return 0;
}
