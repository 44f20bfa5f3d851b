/*
 * html_shape.h - is this HTML of the shape markdown_html writes? For
 * tests/unit/test_markdown.c and fuzz/fuzz_markdown.c (which includes it
 * by path: the fuzz build links no test support), so header-only.
 *
 * Stricter than "no <script": the output language of src/view/markdown.c
 * written down a second time, independently of it. Text has no '<' or
 * '>', and every '&' starts one of the five references esc_html writes.
 * Tags are only p, h2-h6, ul, ol, li, blockquote, pre, code, em, strong,
 * a, br and hr, lowercase, with attributes only from {class, href, rel,
 * start} as name="value"; every <a> has an href starting http://,
 * https:// or mailto: (any case) with no space or control in it, class
 * "govuk-link" and rel "nofollow ugc"; no <a> inside an <a>; <li> only in
 * <ul> or <ol>; start only on <ol>, digits. Tags balance and nest: every
 * close matches the open before it, and nothing is left open.
 */
#ifndef KITH_TEST_HTML_SHAPE_H
#define KITH_TEST_HTML_SHAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#define HTML_SHAPE_DEPTH 4096

static inline bool html_shape_prefix_ci(const char *p, size_t n, const char *pre)
{
	size_t k = strlen(pre);

	return n >= k && strncasecmp(p, pre, k) == 0;
}

/* The reference at p (after '&'), or 0 when it is not one esc_html writes. */
static inline size_t html_shape_ref(const char *p, size_t n)
{
	static const char *const refs[] = { "amp;", "lt;", "gt;", "quot;", "#39;" };

	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		size_t k = strlen(refs[i]);

		if (n >= k && memcmp(p, refs[i], k) == 0)
			return k;
	}
	return 0;
}

static inline bool html_shape_ok(const char *p, size_t n, const char **why)
{
	static const char *const tags[] = {
		"p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li",
		"blockquote", "pre", "code", "em", "strong", "a", "br", "hr",
	};
	static char stack[HTML_SHAPE_DEPTH][16];
	size_t depth = 0, links = 0, i = 0;
	const char *dummy;

	if (!why)
		why = &dummy;
	*why = NULL;
	while (i < n) {
		char name[16];
		size_t k = 0;
		bool closing = false, known = false, has_href = false,
			has_rel = false, has_class = false;

		if (p[i] == '>') {
			*why = "'>' in text";
			return false;
		}
		if (p[i] == '&') {
			size_t r = html_shape_ref(p + i + 1, n - i - 1);

			if (!r) {
				*why = "'&' that is not &amp; &lt; &gt; &quot; or &#39;";
				return false;
			}
			i += 1 + r;
			continue;
		}
		if (p[i] != '<') {
			i++;
			continue;
		}
		i++;
		if (i < n && p[i] == '/') {
			closing = true;
			i++;
		}
		while (i < n && k < sizeof(name) - 1 &&
				((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9')))
			name[k++] = p[i++];
		name[k] = '\0';
		for (size_t t = 0; t < sizeof(tags) / sizeof(tags[0]); t++)
			known |= strcmp(name, tags[t]) == 0;
		if (!known) {
			*why = "a tag that markdown_html does not write";
			return false;
		}
		/* Attributes: ( ' ' name '="' value '"' )* */
		while (i < n && p[i] == ' ') {
			char attr[8];
			size_t a = 0, v;

			i++;
			while (i < n && a < sizeof(attr) - 1 && p[i] >= 'a' && p[i] <= 'z')
				attr[a++] = p[i++];
			attr[a] = '\0';
			if (closing || i + 1 >= n || p[i] != '=' || p[i + 1] != '"') {
				*why = "an attribute not written name=\"value\"";
				return false;
			}
			i += 2;
			v = i;
			while (i < n && p[i] != '"') {
				if (p[i] == '<' || p[i] == '>') {
					*why = "'<' or '>' in an attribute";
					return false;
				}
				if (p[i] == '&') {
					size_t r = html_shape_ref(p + i + 1, n - i - 1);

					if (!r) {
						*why = "a bare '&' in an attribute";
						return false;
					}
					i += r;
				}
				i++;
			}
			if (i >= n) {
				*why = "an attribute value left open";
				return false;
			}
			if (strcmp(attr, "class") == 0) {
				has_class = true;
				if (strcmp(name, "a") == 0 &&
						(i - v != 10 || memcmp(p + v, "govuk-link", 10) != 0)) {
					*why = "a link's class is not govuk-link";
					return false;
				}
				for (size_t c = v; c < i; c++)
					if (!((p[c] >= 'a' && p[c] <= 'z') || (p[c] >= '0' && p[c] <= '9') ||
							p[c] == '-' || p[c] == '_' || p[c] == ' ')) {
						*why = "a class with more than [a-z0-9 _-]";
						return false;
					}
			} else if (strcmp(attr, "href") == 0 && strcmp(name, "a") == 0) {
				has_href = true;
				if (!html_shape_prefix_ci(p + v, i - v, "http://") &&
						!html_shape_prefix_ci(p + v, i - v, "https://") &&
						!html_shape_prefix_ci(p + v, i - v, "mailto:")) {
					*why = "an href that is not http, https or mailto";
					return false;
				}
				for (size_t c = v; c < i; c++)
					if ((unsigned char)p[c] <= 0x20 || (unsigned char)p[c] >= 0x7f) {
						*why = "a space, control or non-ASCII byte in an href";
						return false;
					}
			} else if (strcmp(attr, "rel") == 0 && strcmp(name, "a") == 0) {
				has_rel = true;
				if (i - v != 12 || memcmp(p + v, "nofollow ugc", 12) != 0) {
					*why = "a link's rel is not \"nofollow ugc\"";
					return false;
				}
			} else if (strcmp(attr, "start") == 0 && strcmp(name, "ol") == 0) {
				if (i == v) {
					*why = "an empty start";
					return false;
				}
				for (size_t c = v; c < i; c++)
					if (p[c] < '0' || p[c] > '9') {
						*why = "a start that is not digits";
						return false;
					}
			} else {
				*why = "an attribute markdown_html does not write on this tag";
				return false;
			}
			i++;    /* the closing quote */
		}
		if (i >= n || p[i] != '>') {
			*why = "a tag not closed by '>'";
			return false;
		}
		i++;
		if (strcmp(name, "a") == 0 && !closing && !(has_href && has_rel && has_class)) {
			*why = "an <a> without href, class and rel";
			return false;
		}
		if (strcmp(name, "br") == 0 || strcmp(name, "hr") == 0) {
			if (closing) {
				*why = "a closing tag for a void element";
				return false;
			}
			continue;
		}
		if (closing) {
			if (depth == 0 || strcmp(stack[depth - 1], name) != 0) {
				*why = "a closing tag that does not match the open one";
				return false;
			}
			depth--;
			links -= strcmp(name, "a") == 0;
			continue;
		}
		if (strcmp(name, "a") == 0 && links) {
			*why = "a link inside a link";
			return false;
		}
		if (strcmp(name, "li") == 0 && (depth == 0 ||
				(strcmp(stack[depth - 1], "ul") != 0 && strcmp(stack[depth - 1], "ol") != 0))) {
			*why = "an <li> outside <ul> and <ol>";
			return false;
		}
		if (depth == HTML_SHAPE_DEPTH) {
			*why = "nested too deep to check";
			return false;
		}
		memcpy(stack[depth++], name, k + 1);
		links += strcmp(name, "a") == 0;
	}
	if (depth) {
		*why = "a tag left open";
		return false;
	}
	return true;
}

#endif
