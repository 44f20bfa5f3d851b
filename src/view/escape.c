/*
 * escape.c - the output escapers.
 *
 * esc_html and esc_url_component run on every value of every page, so they
 * are table-driven: one pass finds the first byte that needs work (most
 * values have none and become a single memcpy), then the exact output size
 * is counted, the buf grown once, and the rest written in place.
 *
 * url_is_safe decides what a browser would do with the start of a URL: it
 * strips leading C0 controls and spaces, drops tab/CR/LF anywhere, treats
 * '\' like '/' and reads a scheme as ALPHA *(ALPHA / DIGIT / + - .) ':'.
 * Only relative URLs and an allow-list of schemes pass.
 */
#include "core/common.h"
#include "view/escape.h"

/* Extra bytes each byte costs in HTML: "&amp;" replaces 1 byte with 5. */
static const unsigned char html_extra[256] = {
	['&'] = 4, ['<'] = 3, ['>'] = 3, ['"'] = 5, ['\''] = 4,
};

static const char *const html_entity[256] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;",
	['\''] = "&#39;",
};

/* 1 for RFC 3986 unreserved characters, which pass through unencoded. */
static const unsigned char url_keep[256] = {
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['-'] = 1, ['.'] = 1, ['_'] = 1, ['~'] = 1,
};

void esc_html(struct buf *b, const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, extra = 0;
	char *w;

	while (i < n && !html_extra[s[i]])
		i++;
	if (i == n) {
		buf_add(b, p, n);
		return;
	}
	/* extra <= 5 * n; the buf's maximum stops a huge value, but the
	 * addition is checked all the same. */
	for (size_t j = i; j < n; j++)
		extra += html_extra[s[j]];
	if (extra > SIZE_MAX - n || !buf_grow(b, n + extra))
		return;
	w = b->p + b->len;
	memcpy(w, p, i);
	w += i;
	for (; i < n; i++) {
		const char *e = html_entity[s[i]];

		if (e) {
			size_t k = (size_t)html_extra[s[i]] + 1;

			memcpy(w, e, k);
			w += k;
		} else {
			*w++ = (char)s[i];
		}
	}
	b->len += n + extra;
	b->p[b->len] = '\0';
}

void esc_url_component(struct buf *b, const char *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, enc = 0;
	char *w;

	while (i < n && url_keep[s[i]])
		i++;
	if (i == n) {
		buf_add(b, p, n);
		return;
	}
	for (size_t j = i; j < n; j++)
		enc += !url_keep[s[j]];
	/* Each encoded byte becomes three. */
	if (enc > (SIZE_MAX - n) / 2 || !buf_grow(b, n + 2 * enc))
		return;
	w = b->p + b->len;
	memcpy(w, p, i);
	w += i;
	for (; i < n; i++) {
		if (url_keep[s[i]]) {
			*w++ = (char)s[i];
		} else {
			*w++ = '%';
			*w++ = hex[s[i] >> 4];
			*w++ = hex[s[i] & 15];
		}
	}
	b->len += n + 2 * enc;
	b->p[b->len] = '\0';
}

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_scheme_char(unsigned char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
		c == '.';
}

/* Browsers remove these from anywhere in a URL before parsing it. */
static bool is_url_ignored(unsigned char c)
{
	return c == '\t' || c == '\n' || c == '\r';
}

bool url_is_safe(const char *p, size_t n)
{
	static const char *const allowed[] = { "http", "https", "mailto", "tel" };
	const unsigned char *s = (const unsigned char *)p;
	char scheme[8];
	size_t i = 0, k = 0, slashes = 0;

	while (i < n && s[i] <= 0x20)
		i++;
	/* "//host" and its backslash spellings borrow the page's scheme and
	 * leave the site. Tab and newline between the slashes are ignored. */
	for (size_t j = i; j < n && slashes < 2; j++) {
		if (is_url_ignored(s[j]))
			continue;
		if (s[j] != '/' && s[j] != '\\')
			break;
		slashes++;
	}
	if (slashes >= 2)
		return false;
	for (; i < n; i++) {
		unsigned char c = s[i];

		if (is_url_ignored(c))
			continue;
		if (c == ':')
			break;
		/* A scheme starts with a letter and holds only scheme
		 * characters; anything else first means a relative URL. */
		if (k == 0 ? !is_alpha(c) : !is_scheme_char(c))
			return true;
		/* Past the longest allowed scheme: keep reading only to
		 * learn whether a ':' makes it a scheme at all. */
		if (k < sizeof(scheme))
			scheme[k] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
		if (k <= sizeof(scheme))
			k++;
	}
	if (i == n)
		return true;    /* no ':': relative */
	if (k == 0)
		return true;    /* ":x" is a relative path */
	for (size_t a = 0; a < ARRAY_LEN(allowed); a++)
		if (strlen(allowed[a]) == k && memcmp(allowed[a], scheme, k) == 0)
			return true;
	return false;
}
