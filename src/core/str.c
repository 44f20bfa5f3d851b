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

int str_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool str_is_lower_hex(const char *s, size_t n)
{
	if (!s || strnlen(s, n + 1) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

bool str_is_uuid(struct str s)
{
	if (s.n != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s.p[i] != '-')
				return false;
		} else if (str_hex_digit((unsigned char)s.p[i]) < 0) {
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

bool str_lower_email(const char *email, char *out, size_t n)
{
	bool whole;

	if (!n)
		return false;
	whole = str_copy(out, n, email ? email : "");
	str_lower_ascii(out, strlen(out));
	return whole;
}

bool str_is_blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

/* Next code point of a string already known to be valid UTF-8. */
static uint32_t next_cp(const unsigned char **pp)
{
	const unsigned char *p = *pp;
	uint32_t c = *p;

	if (c < 0x80) {
		*pp = p + 1;
		return c;
	}
	if (c < 0xe0) {
		*pp = p + 2;
		return ((c & 0x1f) << 6) | (p[1] & 0x3f);
	}
	if (c < 0xf0) {
		*pp = p + 3;
		return ((c & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
	}
	*pp = p + 4;
	return ((c & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) |
	       ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
}

/* Characters that change how the text around them is laid out: line and
 * paragraph separators, and the bidirectional embeddings, overrides and
 * isolates that make a name display as something else. */
static bool layout_control(uint32_t c)
{
	return c == 0x2028 || c == 0x2029 || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
}

const char *str_check_line(const char *s, size_t max, const char *empty,
		const char *too_long, const char *bad)
{
	const unsigned char *p, *end;
	size_t n, chars = 0;
	bool blank = true;

	if (!s)
		return empty;
	n = strlen(s);
	if (!str_is_clean_utf8(s, n))
		return bad;
	p = (const unsigned char *)s;
	end = p + n;
	while (p < end) {
		uint32_t c = next_cp(&p);

		if (c == '\n' || c == '\r' || c == '\t' || layout_control(c))
			return bad;
		if (c != ' ')
			blank = false;
		chars++;
	}
	if (blank)
		return empty;
	if (chars > max)
		return too_long;
	return NULL;
}

bool str_email_ok(const char *s)
{
	const char *at = s ? strchr(s, '@') : NULL, *dot;

	if (!at || at == s || strchr(at + 1, '@') || strlen(s) > 254)
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || strchr("\"<>(),;:[]\\", *p))
			return false;
	dot = strrchr(at + 1, '.');
	return dot && dot > at + 1 && dot[1];
}
