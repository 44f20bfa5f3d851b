/*
 * fuzz_accept_encoding.c - http_accepts_gzip() on arbitrary
 * Accept-Encoding values (src/http/compress.c).
 *
 * Input: the header's value (no NUL, CR or LF, as on the wire; inputs
 * holding one are skipped).
 *
 * Invariants: an acceptance means the value names gzip or "*" somewhere
 * (any case); an explicit refusal appended (", gzip;q=0") or put first
 * always wins; a value with no ';' that has a comma-separated element
 * exactly "gzip" is accepted; "gzip, " put first is accepted unless the
 * value itself refuses gzip (appending to an accepting value never
 * flips it unless what is added names gzip).
 */
#include "core/common.h"

#include "http/compress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

/* An element exactly "gzip" (OWS trimmed) in a value with no parameters. */
static bool plain_gzip_element(const char *s)
{
	const char *p = s;

	if (strchr(s, ';'))
		return false;
	for (;;) {
		const char *e = strchr(p, ','), *end = e ? e : p + strlen(p);
		const char *a = p, *b = end;

		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (b - a == 4 && strncasecmp(a, "gzip", 4) == 0)
			return true;
		if (!e)
			return false;
		p = e + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *more;
	bool yes;

	if (size > 4096)
		return 0;
	for (size_t i = 0; i < size; i++)
		if (data[i] == 0 || data[i] == '\r' || data[i] == '\n')
			return 0;
	s = malloc(size + 1);
	more = malloc(size + 32);
	if (!s || !more)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';

	yes = http_accepts_gzip(s);
	if (yes)
		CHECK(strcasestr(s, "gzip") || strchr(s, '*'));
	if (plain_gzip_element(s))
		CHECK(yes);

	snprintf(more, size + 32, "%s, gzip;q=0", s);
	CHECK(!http_accepts_gzip(more));
	snprintf(more, size + 32, "gzip;q=0, %s", s);
	CHECK(!http_accepts_gzip(more));
	snprintf(more, size + 32, "%s, br;q=0.5", s);
	CHECK(http_accepts_gzip(more) == yes || strcasestr(s, "gzip") || strchr(s, '*') ||
	      strchr(s, ';'));
	free(more);
	free(s);
	return 0;
}
