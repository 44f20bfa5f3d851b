/*
 * fuzz_query.c - parse_urlencoded with the default limits, as for a query
 * string, checked against a deliberately naive byte-at-a-time reference.
 *
 * Invariants: on success every field has a non-empty name, names and values
 * are NUL-terminated, clean UTF-8 (str_is_clean_utf8) and within the limits,
 * and the list equals the reference's; on failure there is a why sentence
 * and the list is as it was. parse_pct_decode must also invert a full
 * percent-encoding of the input. A fresh arena per input, released at the
 * end, so LeakSanitizer sees any leak.
 */
#include "core/common.h"

#include "core/arena.h"
#include "core/str.h"
#include "http/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static int hexd(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* The reference decoder: one byte at a time, no memchr. */
static bool ref_decode(const char *p, size_t n, char *dst, size_t *len)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == '+') {
			dst[o++] = ' ';
		} else if (p[i] == '%') {
			if (i + 2 >= n)
				return false;
			int h = hexd((unsigned char)p[i + 1]), l = hexd((unsigned char)p[i + 2]);
			if (h < 0 || l < 0)
				return false;
			dst[o++] = (char)(h * 16 + l);
			i += 2;
		} else {
			dst[o++] = p[i];
		}
	}
	*len = o;
	return true;
}

/* Compares the parsed list with the reference, pair by pair. Only called
 * when the parse succeeded, so the reference must find every pair valid. */
static void check_against_reference(const char *p, size_t n, const struct kvlist *l)
{
	char *name = malloc(n + 1), *val = malloc(n + 1);
	size_t start = 0, k = 0;

	CHECK(name && val);
	for (size_t i = 0; i <= n; i++) {
		if (i < n && p[i] != '&')
			continue;
		size_t eq = start;
		while (eq < i && p[eq] != '=')
			eq++;
		size_t nl = 0, vl = 0;
		CHECK(ref_decode(p + start, eq - start, name, &nl));
		if (eq < i)
			CHECK(ref_decode(p + eq + 1, i - eq - 1, val, &vl));
		if (nl > 0) {
			CHECK(k < l->n);
			CHECK(strlen(l->v[k].name) == nl && memcmp(l->v[k].name, name, nl) == 0);
			CHECK(l->v[k].vlen == vl && memcmp(l->v[k].val, val, vl) == 0);
			k++;
		}
		start = i + 1;
	}
	CHECK(k == l->n);
	free(name);
	free(val);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	const struct parse_limits *lim = &parse_default_limits;
	struct arena a;
	struct kvlist l = { 0 };
	const char *why = (const char *)1;
	enum err e;

	arena_init(&a);
	e = parse_urlencoded(&a, p, size, lim, &l, &why);
	if (e == ERR_OK) {
		CHECK(why == NULL);
		CHECK(l.n <= lim->max_fields);
		for (size_t i = 0; i < l.n; i++) {
			size_t nl = strlen(l.v[i].name);

			CHECK(nl > 0 && nl <= lim->max_name);
			CHECK(str_is_clean_utf8(l.v[i].name, nl));
			CHECK(l.v[i].vlen <= lim->max_value);
			CHECK(l.v[i].val[l.v[i].vlen] == '\0');
			CHECK(strlen(l.v[i].val) == l.v[i].vlen);
			CHECK(str_is_clean_utf8(l.v[i].val, l.v[i].vlen));
		}
		check_against_reference(p, size, &l);
	} else {
		CHECK(e == ERR_BAD_REQUEST || e == ERR_TOO_LARGE);
		CHECK(why != NULL && why != (const char *)1 && strlen(why) > 10);
		CHECK(l.n == 0);
	}

	/* Full percent-encoding round trip. */
	char *enc = malloc(size * 3 + 1), *dec = malloc(size * 3 + 1);
	CHECK(enc && dec);
	for (size_t i = 0; i < size; i++) {
		static const char hx[] = "0123456789ABCDEF";
		enc[3 * i] = '%';
		enc[3 * i + 1] = hx[data[i] >> 4];
		enc[3 * i + 2] = (i & 1) ? hx[data[i] & 15] : (char)(hx[data[i] & 15] | 0x20);
	}
	CHECK(parse_pct_decode(enc, size * 3, dec, true) == size);
	CHECK(size == 0 || memcmp(dec, data, size) == 0);
	CHECK(dec[size] == '\0');
	/* Without plus_is_space, the raw input decodes to what the
	 * reference says, or both call it broken. */
	size_t rl = 0, got = parse_pct_decode(p, size, dec, false);
	bool ok = true;
	for (size_t i = 0; i < size && ok; i++) {
		if (p[i] != '%') {
			enc[rl++] = p[i];
		} else if (size - i < 3 || hexd((unsigned char)p[i + 1]) < 0 || hexd((unsigned char)p[i + 2]) < 0) {
			ok = false;
		} else {
			enc[rl++] = (char)(hexd((unsigned char)p[i + 1]) * 16 + hexd((unsigned char)p[i + 2]));
			i += 2;
		}
	}
	if (!ok)
		CHECK(got == (size_t)-1);
	else
		CHECK(got == rl && (rl == 0 || memcmp(dec, enc, rl) == 0));
	free(enc);
	free(dec);
	arena_release(&a);
	return 0;
}
