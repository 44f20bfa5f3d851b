/*
 * fuzz_xff.c - trusted-proxy lists and X-Forwarded-For on arbitrary input.
 *
 * Input: the first line is a trusted_proxies value, the rest an
 * X-Forwarded-For header. Invariants: a list that parses has at most
 * PROXIES_MAX entries with prefixes of at most 128 bits; a peer that is not
 * trusted is the client whatever the header says; and whatever a visitor
 * wrote, when a trusted proxy appends the visitor's real address (one it
 * does not trust) that address is the client - the header can never pick
 * another. An address the walk settles on prints and parses back to
 * itself.
 */
#include "core/common.h"

#include "http/peers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static struct peer_addr addr(const char *s)
{
	struct peer_addr a;

	CHECK(peer_parse(s, strlen(s), &a));
	return a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t speclen = nl ? (size_t)(nl - (const char *)data) : size;
	char *spec = strndup((const char *)data, speclen);
	char *xff = nl ? strndup(nl + 1, size - speclen - 1) : strdup("");
	char *appended = NULL;
	struct proxies p;
	struct peer_addr proxy = addr("127.0.0.1"), stranger = addr("203.0.113.1");
	struct peer_addr visitor = addr("198.51.100.9"), client, back;
	char text[PEER_TEXT_MAX];

	if (!spec || !xff)
		goto out;
	if (proxies_parse(spec, &p) != NULL)
		goto out;
	CHECK(p.n <= PROXIES_MAX);
	for (size_t i = 0; i < p.n; i++)
		CHECK(p.nets[i].prefix <= 128);

	if (!proxies_trust(&p, &stranger)) {
		CHECK(!peer_client(&p, &stranger, xff, &client));
		CHECK(memcmp(&client, &stranger, sizeof(client)) == 0);
	}
	if (peer_client(&p, &proxy, xff, &client)) {
		peer_format(&client, text);
		CHECK(peer_parse(text, strlen(text), &back));
		CHECK(memcmp(&client, &back, sizeof(back)) == 0);
	}
	if (proxies_trust(&p, &proxy) && !proxies_trust(&p, &visitor) &&
	    asprintf(&appended, "%s, 198.51.100.9", xff) > 0) {
		CHECK(peer_client(&p, &proxy, appended, &client));
		CHECK(memcmp(&client, &visitor, sizeof(client)) == 0);
	}
out:
	free(appended);
	free(spec);
	free(xff);
	return 0;
}
