/*
 * peer_message.c - a message body between a matched pair, checked and
 * tidied before it is stored (peer_message_clean).
 *
 * Check first, then tidy: a body with characters that cannot be sent is
 * refused as it came, untouched. The byte rules are str_is_clean_utf8's
 * (core/str.c: no overlongs, surrogates, code points past U+10FFFF, C0
 * controls but tab, LF and CR, DEL or C1 controls), so messages and
 * one-line fields agree on what text is. On top of them a message
 * refuses the bidi embeddings, overrides and isolates, which make text
 * display as something it is not, and the Unicode line and paragraph
 * separators (a line break is a newline). A NUL cannot be seen here (it ends
 * the string); the readers of forms (web_form_raw) and JSON (jansson,
 * without JSON_ALLOW_NUL) do not pass a value with one inside.
 *
 * The tidy is one pass that only ever deletes bytes or swaps CR for LF,
 * so it works in place, like git's stripspace: line ends become LF,
 * spaces and tabs at the end of each line go (so a line of spaces is a
 * blank line, and counts as one), blank lines beyond three in a row go,
 * and so does whitespace at both ends. Characters are counted after it,
 * as the reader will see them (field_chars, core/fields.c).
 */
#include "core/common.h"

#include "peer/peer.h"
#include "core/fields.h"
#include "core/str.h"

/* The sentence names the number; the check uses the constant. */
_Static_assert(PEER_MESSAGE_MAX == 4000, "say the new limit in TOO_LONG");

#define EMPTY "Enter a message"
#define TOO_LONG "The message must be 4,000 characters or fewer"
#define BAD "The message has characters that cannot be sent. Remove them and try again"

/* At most this many newlines in a row: three blank lines. */
#define NEWLINES_MAX 4

/* U+2028 and U+2029 (line and paragraph separators, which break lines
 * past the blank-line limit and the page's own line handling) are
 * E2 80 A8..A9; U+202A..U+202E (LRE, RLE, PDF, LRO, RLO) are
 * E2 80 AA..AE and U+2066..U+2069 (LRI, RLI, FSI, PDI) are E2 81 A6..A9.
 * s is valid UTF-8, so an E2 is always a lead byte with two bytes after
 * it. */
static bool has_bidi_control(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i + 2 < n; i++) {
		if (s[i] != 0xe2)
			continue;
		if (s[i + 1] == 0x80 && s[i + 2] >= 0xa8 && s[i + 2] <= 0xae)
			return true;
		if (s[i + 1] == 0x81 && s[i + 2] >= 0xa6 && s[i + 2] <= 0xa9)
			return true;
	}
	return false;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The tidy described above; returns the new length. */
static size_t tidy(char *s)
{
	size_t r = 0, w = 0, newlines = 0;   /* newlines: at the end of s[0..w) */

	while (blank(s[r]))
		r++;
	while (s[r]) {
		char c = s[r++];

		if (c == '\r') {
			if (s[r] == '\n')
				continue;             /* CRLF: the LF follows */
			c = '\n';
		}
		if (c == '\n') {
			while (w > 0 && (s[w - 1] == ' ' || s[w - 1] == '\t'))
				w--;
			if (newlines < NEWLINES_MAX) {
				s[w++] = '\n';
				newlines++;
			}
			continue;
		}
		/* Spaces after a newline may yet be trailing: they do not
		 * end the run until something else comes. */
		if (c != ' ' && c != '\t')
			newlines = 0;
		s[w++] = c;
	}
	while (w > 0 && blank(s[w - 1]))
		w--;
	s[w] = '\0';
	return w;
}

const char *peer_message_clean(char *body)
{
	size_t n;

	if (!body)
		return EMPTY;
	n = strlen(body);
	if (!str_is_clean_utf8(body, n) || has_bidi_control((const unsigned char *)body, n))
		return BAD;
	n = tidy(body);
	if (n == 0)
		return EMPTY;
	if (field_chars(body) > PEER_MESSAGE_MAX)
		return TOO_LONG;
	return NULL;
}
