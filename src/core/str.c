/*
 * str.c - string views and strict little parsers. Strict means: the whole
 * input must be consumed, so "12abc" is not 12.
 */
#include "core/common.h"
#include "core/str.h"

bool str_eq(struct str a, struct str b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

bool str_eqc(struct str a, const char *c)
{
	return str_eq(a, str_c(c));
}

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

bool str_ieqc(struct str a, const char *c)
{
	size_t n = strlen(c);

	if (a.n != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)a.p[i]) != lower((unsigned char)c[i]))
			return false;
	return true;
}

bool str_startswith(struct str a, const char *prefix)
{
	size_t n = strlen(prefix);

	return a.n >= n && memcmp(a.p, prefix, n) == 0;
}

struct str str_trim(struct str a)
{
	while (a.n && (a.p[0] == ' ' || a.p[0] == '\t')) {
		a.p++;
		a.n--;
	}
	while (a.n && (a.p[a.n - 1] == ' ' || a.p[a.n - 1] == '\t'))
		a.n--;
	return a;
}

bool str_to_i64(struct str s, int64_t min, int64_t max, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	uint64_t v = 0, limit;

	if (s.n == 0)
		return false;
	if (s.p[0] == '-') {
		neg = true;
		i = 1;
		if (s.n == 1)
			return false;
	}
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < s.n; i++) {
		unsigned d = (unsigned char)s.p[i] - '0';

		if (d > 9)
			return false;
		if (v > (limit - d) / 10)
			return false;
		v = v * 10 + d;
	}
	int64_t r;
	if (neg)
		r = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	else
		r = (int64_t)v;
	if (r < min || r > max)
		return false;
	*out = r;
	return true;
}

bool str_is_clean_utf8(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];

		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
				return false;
			i++;
			continue;
		}
		size_t len;
		uint32_t cp, min;

		if (c >= 0xc2 && c <= 0xdf) {
			len = 2; cp = c & 0x1f; min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3; cp = c & 0x0f; min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4; cp = c & 0x07; min = 0x10000;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		/* C1 controls are not text either. */
		if (cp >= 0x80 && cp <= 0x9f)
			return false;
		i += len;
	}
	return true;
}

static bool is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool str_is_uuid(struct str s)
{
	if (s.n != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s.p[i] != '-')
				return false;
		} else if (!is_hex((unsigned char)s.p[i])) {
			return false;
		}
	}
	return true;
}

bool str_copy(char *dst, size_t dstsize, const char *src)
{
	size_t n;

	if (dstsize == 0)
		return false;
	n = strlen(src);
	if (n >= dstsize) {
		memcpy(dst, src, dstsize - 1);
		dst[dstsize - 1] = '\0';
		return false;
	}
	memcpy(dst, src, n + 1);
	return true;
}

void str_lower_ascii(char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (char)lower((unsigned char)p[i]);
}
