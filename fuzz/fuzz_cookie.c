/*
 * fuzz_cookie.c - parse_cookies on arbitrary Cookie headers.
 *
 * Invariants: a header within LIMIT_COOKIE_BYTES never fails except by
 * having too many cookies (malformed pairs are skipped, never fatal); a
 * longer one is ERR_TOO_LARGE. Every kept cookie has a non-empty,
 * untrimmed-free, printable-ASCII name with no space or quote, a printable
 * ASCII value that is NUL-terminated at vlen, and both come from the input
 * (the name verbatim, the value verbatim or inside one pair of quotes). A
 * fresh arena per input.
 */
#include "core/common.h"

#include "core/arena.h"
#include "http/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct arena a;
	struct kvlist l = { 0 };
	const char *why = (const char *)1;
	enum err e;
	size_t eqs = 0;

	arena_init(&a);
	e = parse_cookies(&a, p, size, &l, &why);
	for (size_t i = 0; i < size; i++)
		eqs += p[i] == '=';

	if (size > LIMIT_COOKIE_BYTES) {
		CHECK(e == ERR_TOO_LARGE && l.n == 0 && why);
	} else if (e != ERR_OK) {
		CHECK(e == ERR_TOO_LARGE && l.n == 0 && why && strlen(why) > 10);
		CHECK(eqs > LIMIT_COOKIES);
	} else {
		CHECK(why == NULL);
		CHECK(l.n <= LIMIT_COOKIES && l.n <= eqs);
		for (size_t i = 0; i < l.n; i++) {
			const char *nm = l.v[i].name, *v = l.v[i].val;
			size_t nl = strlen(nm), vl = l.v[i].vlen;

			CHECK(nl > 0);
			for (size_t k = 0; k < nl; k++)
				CHECK(nm[k] > 0x20 && nm[k] < 0x7f && nm[k] != '"' &&
					nm[k] != ';' && nm[k] != '=');
			CHECK(v[vl] == '\0' && strlen(v) == vl);
			for (size_t k = 0; k < vl; k++)
				CHECK(v[k] >= 0x20 && v[k] < 0x7f && v[k] != ';');
			CHECK(memmem(p, size, nm, nl) != NULL);
			CHECK(vl == 0 || memmem(p, size, v, vl) != NULL);
		}
	}
	arena_release(&a);
	return 0;
}
