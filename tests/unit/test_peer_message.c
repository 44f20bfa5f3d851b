/*
 * test_peer_message.c - a message between a matched pair
 * (peer_message_clean, src/peer/peer_message.c): fine text goes through
 * as it was written; line ends, blank lines and whitespace at the ends
 * are tidied; the length is counted in characters after tidying; and
 * every kind of byte that cannot be sent is refused with the body left
 * as it came.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "peer/peer.h"

#define EMPTY "Enter a message"
#define TOO_LONG "The message must be 4,000 characters or fewer"
#define BAD "The message has characters that cannot be sent. Remove them and try again"

/* Cleans a copy of in; the copy is what the caller would store. */
static const char *clean(const char *in, char *out, size_t n)
{
	assert_true(strlen(in) < n);
	memcpy(out, in, strlen(in) + 1);
	return peer_message_clean(out);
}

/* in is accepted and tidied to want. */
static void tidies_to(const char *in, const char *want)
{
	char b[256];
	const char *why = clean(in, b, sizeof(b));

	if (why)
		fail_msg("peer_message_clean(\"%s\") refused: %s", in, why);
	if (strcmp(b, want) != 0)
		fail_msg("peer_message_clean(\"%s\")\n  gave \"%s\"\n  want \"%s\"", in, b, want);
}

/* in is refused with why and left as it came. */
static void refused(const char *in, const char *want_why)
{
	char b[256];
	const char *why = clean(in, b, sizeof(b));

	if (!why || strcmp(why, want_why) != 0)
		fail_msg("peer_message_clean(\"%s\")\n  said \"%s\"\n  want \"%s\"", in,
			 why ? why : "(accepted)", want_why);
	if (strcmp(want_why, BAD) == 0)
		assert_string_equal(b, in);
}

static void fine_text_goes_through_unchanged(void **state)
{
	UNUSED(state);
	tidies_to("Hello", "Hello");
	tidies_to("Hi Sam,\n\nThursday at 2 suits me.\n\nSee you then,\nAnn",
		  "Hi Sam,\n\nThursday at 2 suits me.\n\nSee you then,\nAnn");
	tidies_to("Caf\xc3\xa9 \xe2\x82\xac""5 \xf0\x9f\x98\x80 \xd8\xb3\xd9\x84\xd8\xa7\xd9\x85",
		  "Caf\xc3\xa9 \xe2\x82\xac""5 \xf0\x9f\x98\x80 \xd8\xb3\xd9\x84\xd8\xa7\xd9\x85");
	tidies_to("two  spaces stay", "two  spaces stay");
	tidies_to("x", "x");
	/* No-break space (U+00A0), just past the C1 controls. */
	tidies_to("10\xc2\xa0km", "10\xc2\xa0km");
	/* Neighbours of the refused separators and bidi controls: U+2019 ',
	 * U+2027, U+202F narrow no-break space, U+2065, U+206A, U+2070. */
	tidies_to("it\xe2\x80\x99s \xe2\x80\xa7 \xe2\x80\xaf \xe2\x81\xa5 \xe2\x81\xaa \xe2\x81\xb0",
		  "it\xe2\x80\x99s \xe2\x80\xa7 \xe2\x80\xaf \xe2\x81\xa5 \xe2\x81\xaa \xe2\x81\xb0");
}

static void whitespace_at_the_ends_is_trimmed(void **state)
{
	UNUSED(state);
	tidies_to("  Hello", "Hello");
	tidies_to("Hello  ", "Hello");
	tidies_to("\n\n\t Hello there \t\n\n", "Hello there");
	tidies_to("\r\n\r\nHello\r\n\r\n", "Hello");
	/* Spaces ending a line go too: invisible, and they would hide
	 * blank lines from the squeeze. */
	tidies_to("one  \ntwo\t\nthree", "one\ntwo\nthree");
}

static void line_ends_become_newlines(void **state)
{
	UNUSED(state);
	tidies_to("one\r\ntwo\r\nthree", "one\ntwo\nthree");
	tidies_to("one\rtwo\rthree", "one\ntwo\nthree");            /* old Mac */
	tidies_to("one\r\rtwo", "one\n\ntwo");
	tidies_to("one\n\rtwo", "one\n\ntwo");                      /* LF CR is two */
	tidies_to("one\r\n\r\ntwo", "one\n\ntwo");
}

static void more_than_three_blank_lines_are_squeezed(void **state)
{
	UNUSED(state);
	tidies_to("a\n\n\n\nb", "a\n\n\n\nb");                        /* three: kept */
	tidies_to("a\n\n\n\n\nb", "a\n\n\n\nb");                      /* four */
	tidies_to("a\n\n\n\n\n\n\n\n\n\n\n\nb", "a\n\n\n\nb");
	tidies_to("a\r\n\r\n\r\n\r\n\r\n\r\nb", "a\n\n\n\nb");
	tidies_to("a\r\r\r\r\r\r\rb", "a\n\n\n\nb");
	/* A line of spaces and tabs is a blank line. */
	tidies_to("a\n \n\t\n  \n \t \n\nb", "a\n\n\n\nb");
	/* Each run is squeezed on its own. */
	tidies_to("a\n\n\n\n\n\nb\n\n\n\n\n\nc", "a\n\n\n\nb\n\n\n\nc");
	/* Two newlines with a letter between are two runs, not one. */
	tidies_to("a\n\n\nb\n\n\nc", "a\n\n\nb\n\n\nc");
}

static void tabs_are_kept(void **state)
{
	UNUSED(state);
	tidies_to("Name:\tAnn\n\tindented", "Name:\tAnn\n\tindented");
	tidies_to("a\n\n\tb", "a\n\n\tb");
}

static void empty_is_refused(void **state)
{
	char b[8];

	UNUSED(state);
	refused("", EMPTY);
	refused(" ", EMPTY);
	refused(" \t\r\n \r \n\n\t", EMPTY);
	assert_string_equal(peer_message_clean(NULL), EMPTY);
	/* The tidy ran: what is left is empty, not the spaces. */
	assert_string_equal(clean("  \n ", b, sizeof(b)), EMPTY);
	assert_string_equal(b, "");
}

/* A body of n copies of the UTF-8 character c between before and after. */
static char *repeat(const char *before, const char *c, size_t n, const char *after)
{
	size_t lb = strlen(before), lc = strlen(c), la = strlen(after);
	char *s = malloc(lb + lc * n + la + 1), *p = s;

	assert_non_null(s);
	memcpy(p, before, lb);
	p += lb;
	for (size_t i = 0; i < n; i++, p += lc)
		memcpy(p, c, lc);
	memcpy(p, after, la + 1);
	return s;
}

static void long_is_counted_in_characters(void **state)
{
	char *s;

	UNUSED(state);
	/* 4,000 two-byte characters (8,000 bytes) are fine; one more is not. */
	s = repeat("", "\xc3\xa9", PEER_MESSAGE_MAX, "");
	assert_null(peer_message_clean(s));
	assert_int_equal(strlen(s), 2 * PEER_MESSAGE_MAX);
	free(s);
	s = repeat("", "\xc3\xa9", PEER_MESSAGE_MAX + 1, "");
	assert_string_equal(peer_message_clean(s), TOO_LONG);
	free(s);
	/* Four-byte characters: 16,000 bytes is still 4,000. */
	s = repeat("", "\xf0\x9f\x98\x80", PEER_MESSAGE_MAX, "");
	assert_null(peer_message_clean(s));
	free(s);
	s = repeat("x", "\xf0\x9f\x98\x80", PEER_MESSAGE_MAX, "");
	assert_string_equal(peer_message_clean(s), TOO_LONG);
	free(s);
	/* Counted after tidying: the spaces at the ends and the CR of a
	 * CRLF are not characters the reader gets. */
	s = repeat("   \r\n", "\xe2\x82\xac", PEER_MESSAGE_MAX, "\r\n\t ");
	assert_null(peer_message_clean(s));
	assert_int_equal(strlen(s), 3 * PEER_MESSAGE_MAX);
	free(s);
	s = repeat("\xe2\x82\xac\r\n", "\xe2\x82\xac", PEER_MESSAGE_MAX - 2, "");
	assert_null(peer_message_clean(s));                         /* 1 + LF + 3,998 */
	free(s);
	s = repeat("\xe2\x82\xac\r\n", "\xe2\x82\xac", PEER_MESSAGE_MAX - 1, "");
	assert_string_equal(peer_message_clean(s), TOO_LONG);
	free(s);
	/* Squeezed newlines do not count either. */
	s = repeat("a\n\n\n\n\n\n\n\n\n\n", "b", PEER_MESSAGE_MAX - 5, "");
	assert_null(peer_message_clean(s));                         /* a + 4 LF + 3,995 */
	free(s);
}

static void bytes_that_are_not_utf8_are_refused(void **state)
{
	UNUSED(state);
	refused("a\x80z", BAD);                            /* lone continuation byte */
	refused("\xbf", BAD);
	refused("a\xc0\x80z", BAD);                        /* overlong NUL */
	refused("a\xc1\xbfz", BAD);                        /* overlong DEL */
	refused("a\xe0\x80\xafz", BAD);                    /* overlong '/' in three */
	refused("a\xf0\x80\x80\xafz", BAD);                /* overlong '/' in four */
	refused("a\xed\xa0\x80z", BAD);                    /* U+D800, a surrogate */
	refused("a\xed\xbf\xbfz", BAD);                    /* U+DFFF */
	refused("a\xf4\x90\x80\x80z", BAD);                /* U+110000 */
	refused("a\xf5\x80\x80\x80z", BAD);                /* F5: no such lead byte */
	refused("a\xff", BAD);
	refused("abc\xe2\x82", BAD);                       /* cut short at the end */
	refused("abc\xf0\x9f\x98", BAD);
	refused("abc\xc3", BAD);
	refused("a\xc3z", BAD);                            /* lead byte, no continuation */
	/* Trimming must not hide them. */
	refused("Hello \x80", BAD);
	refused("\xc3 Hello", BAD);
	/* The highest code point and the ones either side of the
	 * surrogates are fine. */
	tidies_to("\xf4\x8f\xbf\xbf \xed\x9f\xbf \xee\x80\x80", "\xf4\x8f\xbf\xbf \xed\x9f\xbf \xee\x80\x80");
}

static void control_characters_are_refused(void **state)
{
	UNUSED(state);
	refused("a\x01z", BAD);
	refused("a\x1b[31mred", BAD);                      /* a terminal escape */
	refused("a\x7fz", BAD);                            /* DEL */
	refused("a\x0bz", BAD);                            /* vertical tab */
	refused("a\x0cz", BAD);                            /* form feed */
	refused("a\xc2\x80z", BAD);                        /* U+0080, first C1 control */
	refused("a\xc2\x85z", BAD);                        /* U+0085, next line */
	refused("a\xc2\x9fz", BAD);                        /* U+009F, last C1 control */
	refused("\x01", BAD);                              /* not "Enter a message" */
	refused("   \x01   ", BAD);
}

static void bidi_controls_are_refused(void **state)
{
	static const char *const bidi[] = {
		"\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac",   /* LRE RLE PDF */
		"\xe2\x80\xad", "\xe2\x80\xae",                   /* LRO RLO */
		"\xe2\x81\xa6", "\xe2\x81\xa7", "\xe2\x81\xa8",   /* LRI RLI FSI */
		"\xe2\x81\xa9",                                   /* PDI */
		"\xe2\x80\xa8", "\xe2\x80\xa9",                   /* line and paragraph separators */
	};
	char in[32];

	UNUSED(state);
	for (size_t i = 0; i < ARRAY_LEN(bidi); i++) {
		snprintf(in, sizeof(in), "invoice%s4pm.exe", bidi[i]);
		refused(in, BAD);
		snprintf(in, sizeof(in), "%s", bidi[i]);         /* alone, at the start */
		refused(in, BAD);
		snprintf(in, sizeof(in), "end%s", bidi[i]);      /* the last bytes */
		refused(in, BAD);
	}
}

static void tidied_text_is_a_fixed_point(void **state)
{
	static const char *const in[] = {
		"  Hi\r\n\r\n\r\n\r\n\r\n\r\nthere  \t\n",
		"a \n \n \n \n \n b",
		"\tindented\r\rx\r",
	};
	char b[64];
	char again[64];

	UNUSED(state);
	for (size_t i = 0; i < ARRAY_LEN(in); i++) {
		assert_null(clean(in[i], b, sizeof(b)));
		assert_null(clean(b, again, sizeof(again)));
		assert_string_equal(again, b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fine_text_goes_through_unchanged),
		cmocka_unit_test(whitespace_at_the_ends_is_trimmed),
		cmocka_unit_test(line_ends_become_newlines),
		cmocka_unit_test(more_than_three_blank_lines_are_squeezed),
		cmocka_unit_test(tabs_are_kept),
		cmocka_unit_test(empty_is_refused),
		cmocka_unit_test(long_is_counted_in_characters),
		cmocka_unit_test(bytes_that_are_not_utf8_are_refused),
		cmocka_unit_test(control_characters_are_refused),
		cmocka_unit_test(bidi_controls_are_refused),
		cmocka_unit_test(tidied_text_is_a_fixed_point),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
