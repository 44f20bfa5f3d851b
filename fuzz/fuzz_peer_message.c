/*
 * fuzz_peer_message.c - peer_message_clean (src/peer/peer_message.c) on
 * arbitrary bytes, up to the first NUL as a form value would be.
 *
 * Invariants: a refusal is one of the three sentences, and a body refused
 * for its characters is left as it came. An accepted body is clean UTF-8
 * with no control characters but newline and tab, no CR, no bidi
 * controls, no whitespace at either end, no five newlines in a row, never
 * longer than it came, 1..PEER_MESSAGE_MAX characters; and cleaning it
 * again accepts it unchanged.
 */
#include "core/common.h"

#include "core/str.h"
#include "peer/peer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

#define BAD "The message has characters that cannot be sent. Remove them and try again"

static bool space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), *body = malloc(size + 1), *again;
	const char *why;
	size_t n, before, chars = 0;

	CHECK(in && body);
	memcpy(in, data, size);
	in[size] = '\0';
	memcpy(body, in, size + 1);
	before = strlen(in);

	why = peer_message_clean(body);
	if (why) {
		CHECK(strcmp(why, "Enter a message") == 0 ||
		      strcmp(why, "The message must be 4,000 characters or fewer") == 0 ||
		      strcmp(why, BAD) == 0);
		if (strcmp(why, BAD) == 0)
			CHECK(strcmp(body, in) == 0);
		else
			CHECK(str_is_clean_utf8(in, before));
		goto out;
	}
	n = strlen(body);
	CHECK(n >= 1 && n <= before);
	CHECK(str_is_clean_utf8(body, n));
	CHECK(!strchr(body, '\r'));
	CHECK(!strstr(body, "\n\n\n\n\n"));
	CHECK(!space(body[0]) && !space(body[n - 1]));
	CHECK(!strstr(body, " \n") && !strstr(body, "\t\n"));
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)body[i];

		CHECK(c >= 0x20 || c == '\n' || c == '\t');
		CHECK(c != 0x7f);
		chars += (c & 0xc0) != 0x80;
		if (c == 0xe2 && i + 2 < n) {
			unsigned char c1 = (unsigned char)body[i + 1], c2 = (unsigned char)body[i + 2];

			CHECK(!(c1 == 0x80 && c2 >= 0xa8 && c2 <= 0xae));
			CHECK(!(c1 == 0x81 && c2 >= 0xa6 && c2 <= 0xa9));
		}
	}
	CHECK(chars >= 1 && chars <= PEER_MESSAGE_MAX);

	again = malloc(n + 1);
	CHECK(again);
	memcpy(again, body, n + 1);
	CHECK(peer_message_clean(again) == NULL);
	CHECK(strcmp(again, body) == 0);
	free(again);
out:
	free(in);
	free(body);
	return 0;
}
