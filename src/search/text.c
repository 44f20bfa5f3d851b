/*
 * text.c - HTML to plain text, one-line cleaning and duplicate keys.
 *
 * One pass over the input, no tree: a small tokenizer that follows the
 * HTML5 rules where they decide what is text (a '<' starts markup only
 * before a letter, '/', '!' or '?'; quotes matter only at the start of an
 * attribute value; an unfinished tag at the end is dropped; script and
 * style run to their end tag) and an emitter that holds back spaces and
 * line breaks until the next visible character, so the result never has
 * trailing spaces, leading or trailing blank lines, or more than one
 * blank line in a row. Every search forward (end of a comment, a quote,
 * a raw-text end tag) starts where the last stopped, so the work is
 * linear in the input.
 *
 * Input with no markup at all (only entities: "Tea &amp; chat\n\nFree")
 * keeps its line breaks: it is plain text with escapes, not a page.
 */
#include "core/common.h"
#include "core/str.h"
#include "search/text.h"

#include <strings.h>

/* ------------------------------------------------------------ UTF-8 */

/* Decodes one character at s (n >= 1). Invalid input gives U+FFFD for
 * its longest valid-looking prefix (at least one byte), as WHATWG
 * decoders do. Returns the bytes used. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned c = s[0], lo = 0x80, hi = 0xbf;
	size_t len;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;         /* no overlongs */
		if (c == 0xed)
			hi = 0x9f;         /* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		if (c == 0xf4)
			hi = 0x8f;         /* nothing above U+10FFFF */
	} else {
		*cp = 0xfffd;
		return 1;
	}
	for (size_t k = 1; k < len; k++) {
		if (k >= n || s[k] < lo || s[k] > hi) {
			*cp = 0xfffd;
			return k;
		}
		v = v << 6 | (s[k] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return len;
}

static size_t utf8_put(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* What a character is to the cleaners. */
enum cclass { C_TEXT, C_SPACE, C_NEWLINE, C_DROP };

static enum cclass classify(uint32_t cp)
{
	if (cp == '\n')
		return C_NEWLINE;
	if (cp == ' ' || cp == '\t' || cp == '\r' || cp == '\f' || cp == '\v')
		return C_SPACE;
	if (cp < 0x20 || cp == 0x7f)
		return C_DROP;
	if (cp < 0x80)
		return C_TEXT;
	if (cp == 0x85 || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
	    cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000)
		return C_SPACE;
	/* C1 controls, the soft hyphen (invisible unless a line breaks at
	 * it) and the byte-order mark. */
	if (cp <= 0x9f || cp == 0xad || cp == 0xfeff)
		return C_DROP;
	return C_TEXT;
}

/* ------------------------------------------------------------ entities */

struct entity {
	const char *name;
	uint32_t cp;
};

/* The HTML 4 set, apos, and the Welsh circumflexed w and y; sorted by
 * strcmp for bsearch. */
static const struct entity entity_table[] = {
	{ "AElig", 0xc6 }, { "Aacute", 0xc1 }, { "Acirc", 0xc2 }, { "Agrave", 0xc0 },
	{ "Alpha", 0x391 }, { "Aring", 0xc5 }, { "Atilde", 0xc3 }, { "Auml", 0xc4 },
	{ "Beta", 0x392 }, { "Ccedil", 0xc7 }, { "Chi", 0x3a7 }, { "Dagger", 0x2021 },
	{ "Delta", 0x394 }, { "ETH", 0xd0 }, { "Eacute", 0xc9 }, { "Ecirc", 0xca },
	{ "Egrave", 0xc8 }, { "Epsilon", 0x395 }, { "Eta", 0x397 }, { "Euml", 0xcb },
	{ "Gamma", 0x393 }, { "Iacute", 0xcd }, { "Icirc", 0xce }, { "Igrave", 0xcc },
	{ "Iota", 0x399 }, { "Iuml", 0xcf }, { "Kappa", 0x39a }, { "Lambda", 0x39b },
	{ "Mu", 0x39c }, { "Ntilde", 0xd1 }, { "Nu", 0x39d }, { "OElig", 0x152 },
	{ "Oacute", 0xd3 }, { "Ocirc", 0xd4 }, { "Ograve", 0xd2 }, { "Omega", 0x3a9 },
	{ "Omicron", 0x39f }, { "Oslash", 0xd8 }, { "Otilde", 0xd5 }, { "Ouml", 0xd6 },
	{ "Phi", 0x3a6 }, { "Pi", 0x3a0 }, { "Prime", 0x2033 }, { "Psi", 0x3a8 },
	{ "Rho", 0x3a1 }, { "Scaron", 0x160 }, { "Sigma", 0x3a3 }, { "THORN", 0xde },
	{ "Tau", 0x3a4 }, { "Theta", 0x398 }, { "Uacute", 0xda }, { "Ucirc", 0xdb },
	{ "Ugrave", 0xd9 }, { "Upsilon", 0x3a5 }, { "Uuml", 0xdc }, { "Wcirc", 0x174 },
	{ "Xi", 0x39e }, { "Yacute", 0xdd }, { "Ycirc", 0x176 }, { "Yuml", 0x178 },
	{ "Zeta", 0x396 }, { "aacute", 0xe1 }, { "acirc", 0xe2 }, { "acute", 0xb4 },
	{ "aelig", 0xe6 }, { "agrave", 0xe0 }, { "alefsym", 0x2135 }, { "alpha", 0x3b1 },
	{ "amp", 0x26 }, { "and", 0x2227 }, { "ang", 0x2220 }, { "apos", 0x27 },
	{ "aring", 0xe5 }, { "asymp", 0x2248 }, { "atilde", 0xe3 }, { "auml", 0xe4 },
	{ "bdquo", 0x201e }, { "beta", 0x3b2 }, { "brvbar", 0xa6 }, { "bull", 0x2022 },
	{ "cap", 0x2229 }, { "ccedil", 0xe7 }, { "cedil", 0xb8 }, { "cent", 0xa2 },
	{ "chi", 0x3c7 }, { "circ", 0x2c6 }, { "clubs", 0x2663 }, { "cong", 0x2245 },
	{ "copy", 0xa9 }, { "crarr", 0x21b5 }, { "cup", 0x222a }, { "curren", 0xa4 },
	{ "dArr", 0x21d3 }, { "dagger", 0x2020 }, { "darr", 0x2193 }, { "deg", 0xb0 },
	{ "delta", 0x3b4 }, { "diams", 0x2666 }, { "divide", 0xf7 }, { "eacute", 0xe9 },
	{ "ecirc", 0xea }, { "egrave", 0xe8 }, { "empty", 0x2205 }, { "emsp", 0x2003 },
	{ "ensp", 0x2002 }, { "epsilon", 0x3b5 }, { "equiv", 0x2261 }, { "eta", 0x3b7 },
	{ "eth", 0xf0 }, { "euml", 0xeb }, { "euro", 0x20ac }, { "exist", 0x2203 },
	{ "fnof", 0x192 }, { "forall", 0x2200 }, { "frac12", 0xbd }, { "frac14", 0xbc },
	{ "frac34", 0xbe }, { "frasl", 0x2044 }, { "gamma", 0x3b3 }, { "ge", 0x2265 },
	{ "gt", 0x3e }, { "hArr", 0x21d4 }, { "harr", 0x2194 }, { "hearts", 0x2665 },
	{ "hellip", 0x2026 }, { "iacute", 0xed }, { "icirc", 0xee }, { "iexcl", 0xa1 },
	{ "igrave", 0xec }, { "image", 0x2111 }, { "infin", 0x221e }, { "int", 0x222b },
	{ "iota", 0x3b9 }, { "iquest", 0xbf }, { "isin", 0x2208 }, { "iuml", 0xef },
	{ "kappa", 0x3ba }, { "lArr", 0x21d0 }, { "lambda", 0x3bb }, { "lang", 0x2329 },
	{ "laquo", 0xab }, { "larr", 0x2190 }, { "lceil", 0x2308 }, { "ldquo", 0x201c },
	{ "le", 0x2264 }, { "lfloor", 0x230a }, { "lowast", 0x2217 }, { "loz", 0x25ca },
	{ "lrm", 0x200e }, { "lsaquo", 0x2039 }, { "lsquo", 0x2018 }, { "lt", 0x3c },
	{ "macr", 0xaf }, { "mdash", 0x2014 }, { "micro", 0xb5 }, { "middot", 0xb7 },
	{ "minus", 0x2212 }, { "mu", 0x3bc }, { "nabla", 0x2207 }, { "nbsp", 0xa0 },
	{ "ndash", 0x2013 }, { "ne", 0x2260 }, { "ni", 0x220b }, { "not", 0xac },
	{ "notin", 0x2209 }, { "nsub", 0x2284 }, { "ntilde", 0xf1 }, { "nu", 0x3bd },
	{ "oacute", 0xf3 }, { "ocirc", 0xf4 }, { "oelig", 0x153 }, { "ograve", 0xf2 },
	{ "oline", 0x203e }, { "omega", 0x3c9 }, { "omicron", 0x3bf }, { "oplus", 0x2295 },
	{ "or", 0x2228 }, { "ordf", 0xaa }, { "ordm", 0xba }, { "oslash", 0xf8 },
	{ "otilde", 0xf5 }, { "otimes", 0x2297 }, { "ouml", 0xf6 }, { "para", 0xb6 },
	{ "part", 0x2202 }, { "permil", 0x2030 }, { "perp", 0x22a5 }, { "phi", 0x3c6 },
	{ "pi", 0x3c0 }, { "piv", 0x3d6 }, { "plusmn", 0xb1 }, { "pound", 0xa3 },
	{ "prime", 0x2032 }, { "prod", 0x220f }, { "prop", 0x221d }, { "psi", 0x3c8 },
	{ "quot", 0x22 }, { "rArr", 0x21d2 }, { "radic", 0x221a }, { "rang", 0x232a },
	{ "raquo", 0xbb }, { "rarr", 0x2192 }, { "rceil", 0x2309 }, { "rdquo", 0x201d },
	{ "real", 0x211c }, { "reg", 0xae }, { "rfloor", 0x230b }, { "rho", 0x3c1 },
	{ "rlm", 0x200f }, { "rsaquo", 0x203a }, { "rsquo", 0x2019 }, { "sbquo", 0x201a },
	{ "scaron", 0x161 }, { "sdot", 0x22c5 }, { "sect", 0xa7 }, { "shy", 0xad },
	{ "sigma", 0x3c3 }, { "sigmaf", 0x3c2 }, { "sim", 0x223c }, { "spades", 0x2660 },
	{ "sub", 0x2282 }, { "sube", 0x2286 }, { "sum", 0x2211 }, { "sup", 0x2283 },
	{ "sup1", 0xb9 }, { "sup2", 0xb2 }, { "sup3", 0xb3 }, { "supe", 0x2287 },
	{ "szlig", 0xdf }, { "tau", 0x3c4 }, { "there4", 0x2234 }, { "theta", 0x3b8 },
	{ "thetasym", 0x3d1 }, { "thinsp", 0x2009 }, { "thorn", 0xfe }, { "tilde", 0x2dc },
	{ "times", 0xd7 }, { "trade", 0x2122 }, { "uArr", 0x21d1 }, { "uacute", 0xfa },
	{ "uarr", 0x2191 }, { "ucirc", 0xfb }, { "ugrave", 0xf9 }, { "uml", 0xa8 },
	{ "upsih", 0x3d2 }, { "upsilon", 0x3c5 }, { "uuml", 0xfc }, { "wcirc", 0x175 },
	{ "weierp", 0x2118 }, { "xi", 0x3be }, { "yacute", 0xfd }, { "ycirc", 0x177 },
	{ "yen", 0xa5 }, { "yuml", 0xff }, { "zeta", 0x3b6 }, { "zwj", 0x200d },
	{ "zwnj", 0x200c },
};

/* Numeric references 128..159 mean Windows-1252, as browsers read them
 * ("&#150;" is an en dash); 0 marks the five holes. */
static const uint16_t cp1252[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

static int entity_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct entity *)elem)->name);
}

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(int c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

#define ENTITY_NAME_MAX 31

/* p[i] == '&'. A character reference: returns the index after it with
 * its code point in *cp, or i (and no *cp) when this '&' is just text.
 * Named references need their ';' except the few that old pages write
 * bare ("&amp", "&nbsp"), and only when no letter or digit follows. */
static size_t entity(const char *p, size_t n, size_t i, uint32_t *cp)
{
	size_t j = i + 1;

	if (j < n && p[j] == '#') {
		bool hex = j + 1 < n && (p[j + 1] == 'x' || p[j + 1] == 'X');
		uint32_t v = 0;
		size_t d0;
		int dv;

		j += hex ? 2 : 1;
		d0 = j;
		while (j < n && (dv = hex ? str_hex_digit((unsigned char)p[j]) :
		                 (p[j] >= '0' && p[j] <= '9' ? p[j] - '0' : -1)) >= 0) {
			v = v * (hex ? 16 : 10) + (uint32_t)dv;
			if (v > 0x10ffff)
				v = 0x110000;        /* saturate: stays out of range */
			j++;
		}
		if (j == d0)
			return i;
		if (j < n && p[j] == ';')
			j++;
		if (v >= 0x80 && v <= 0x9f)
			v = cp1252[v - 0x80] ? cp1252[v - 0x80] : 0xfffd;
		else if (v == 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
			v = 0xfffd;
		else if ((v < 0x20 && v != '\t' && v != '\n' && v != '\f' && v != '\r') || v == 0x7f)
			v = 0xfffd;
		*cp = v;
		return j;
	}

	char name[ENTITY_NAME_MAX + 1];
	size_t k = 0;

	while (j < n && is_alnum((unsigned char)p[j])) {
		if (k == ENTITY_NAME_MAX)
			return i;
		name[k++] = p[j++];
	}
	if (k == 0)
		return i;
	name[k] = '\0';
	const struct entity *e = bsearch(name, entity_table, ARRAY_LEN(entity_table), sizeof(entity_table[0]),
		entity_cmp);
	if (!e)
		return i;
	if (j < n && p[j] == ';') {
		*cp = e->cp;
		return j + 1;
	}
	if (strcmp(name, "amp") == 0 || strcmp(name, "lt") == 0 || strcmp(name, "gt") == 0 ||
	    strcmp(name, "quot") == 0 || strcmp(name, "nbsp") == 0 ||
	    strcmp(name, "copy") == 0 || strcmp(name, "reg") == 0) {
		*cp = e->cp;
		return j;
	}
	return i;
}

/* ------------------------------------------------------------ the emitter */

struct emit {
	struct buf *out;
	int nl;            /* line breaks waiting: 0, 1 (new line), 2 (blank line) */
	bool sp;           /* a space waiting */
	bool bullet;       /* "- " waiting for a list item's first text */
	bool any;          /* something written */
	bool bol;          /* at the start of a line */
};

static void emit_text(struct emit *e, const char *p, size_t n)
{
	if (e->any && e->nl) {
		buf_add(e->out, "\n\n", (size_t)e->nl);
		e->bol = true;
	} else if (e->sp && !e->bol) {
		buf_addc(e->out, ' ');
	}
	if (e->bullet && e->bol)
		buf_add(e->out, "- ", 2);
	e->nl = 0;
	e->sp = false;
	e->bullet = false;
	buf_add(e->out, p, n);
	e->any = true;
	e->bol = false;
}

static void emit_space(struct emit *e)
{
	e->sp = true;
}

static void emit_break(struct emit *e, int level)
{
	if (level > e->nl)
		e->nl = level;
	e->sp = false;
}

/* <br>, or a newline in plain text: each adds one, up to a blank line. */
static void emit_newline(struct emit *e)
{
	if (e->nl < 2)
		e->nl++;
	e->sp = false;
}

static void emit_cp(struct emit *e, uint32_t cp, bool newlines)
{
	char tmp[4];

	switch (classify(cp)) {
	case C_TEXT:
		emit_text(e, tmp, utf8_put(tmp, cp));
		break;
	case C_NEWLINE:
		if (newlines) {
			emit_newline(e);
			break;
		}
		emit_space(e);
		break;
	case C_SPACE:
		emit_space(e);
		break;
	case C_DROP:
		break;
	}
}

/* Plain text from p[i..n) up to (not including) the next '<' when html,
 * or the next '&' when entities. Returns where it stopped. */
static size_t emit_run(struct emit *e, const char *p, size_t n, size_t i, bool html,
		bool entities, bool newlines)
{
	while (i < n) {
		unsigned char c = (unsigned char)p[i];

		if ((c == '<' && html) || (c == '&' && entities))
			return i;
		if (c > 0x20 && c < 0x7f) {
			size_t j = i + 1;

			while (j < n && (unsigned char)p[j] > 0x20 && (unsigned char)p[j] < 0x7f &&
			       !((p[j] == '<' && html) || (p[j] == '&' && entities)))
				j++;
			emit_text(e, p + i, j - i);
			i = j;
			continue;
		}
		if (c == '\r' && newlines) {
			/* CRLF and a lone CR are one line break. */
			emit_newline(e);
			i += i + 1 < n && p[i + 1] == '\n' ? 2 : 1;
			continue;
		}
		if (c < 0x80) {
			emit_cp(e, c, newlines);
			i++;
			continue;
		}
		uint32_t cp;
		size_t len = utf8_next((const unsigned char *)p + i, n - i, &cp);

		if (cp != 0xfffd && classify(cp) == C_TEXT)
			emit_text(e, p + i, len);     /* valid: copy as it is */
		else
			emit_cp(e, cp, newlines);
		i += len;
	}
	return i;
}

/* ------------------------------------------------------------ markup */

enum tag_kind {
	TK_NONE,           /* inline or unknown: nothing */
	TK_BLOCK1,         /* a new line */
	TK_BLOCK2,         /* a blank line (paragraphs) */
	TK_BR,
	TK_LI,
	TK_LIST,           /* ul, ol: a blank line around the outermost */
	TK_CELL,           /* td, th: a space */
	TK_RAW,            /* contents dropped up to the end tag */
	TK_HIDE,           /* contents dropped, markup still read */
	TK_BODY,           /* ends any unclosed head */
};

struct tag_def {
	const char *name;
	enum tag_kind kind;
};

static const struct tag_def tag_defs[] = {   /* sorted by strcmp */
	{ "address", TK_BLOCK2 }, { "article", TK_BLOCK1 }, { "aside", TK_BLOCK1 },
	{ "blockquote", TK_BLOCK2 }, { "body", TK_BODY }, { "br", TK_BR },
	{ "caption", TK_BLOCK1 }, { "center", TK_BLOCK1 }, { "dd", TK_BLOCK1 },
	{ "details", TK_BLOCK1 }, { "dialog", TK_BLOCK1 }, { "dir", TK_LIST },
	{ "div", TK_BLOCK1 }, { "dl", TK_BLOCK2 }, { "dt", TK_BLOCK1 },
	{ "fieldset", TK_BLOCK1 }, { "figcaption", TK_BLOCK1 }, { "figure", TK_BLOCK2 },
	{ "footer", TK_BLOCK1 }, { "form", TK_BLOCK1 }, { "h1", TK_BLOCK2 },
	{ "h2", TK_BLOCK2 }, { "h3", TK_BLOCK2 }, { "h4", TK_BLOCK2 }, { "h5", TK_BLOCK2 },
	{ "h6", TK_BLOCK2 }, { "head", TK_HIDE }, { "header", TK_BLOCK1 },
	{ "hr", TK_BLOCK2 }, { "iframe", TK_RAW }, { "legend", TK_BLOCK1 },
	{ "li", TK_LI }, { "main", TK_BLOCK1 }, { "math", TK_HIDE }, { "menu", TK_LIST },
	{ "nav", TK_BLOCK1 }, { "noembed", TK_RAW }, { "noframes", TK_RAW },
	{ "noscript", TK_RAW }, { "object", TK_HIDE }, { "ol", TK_LIST }, { "p", TK_BLOCK2 },
	{ "pre", TK_BLOCK2 }, { "script", TK_RAW }, { "section", TK_BLOCK1 },
	{ "style", TK_RAW }, { "summary", TK_BLOCK1 }, { "svg", TK_HIDE },
	{ "table", TK_BLOCK2 }, { "td", TK_CELL }, { "template", TK_HIDE },
	{ "textarea", TK_RAW }, { "th", TK_CELL }, { "title", TK_RAW }, { "tr", TK_BLOCK1 },
	{ "ul", TK_LIST }, { "xmp", TK_RAW },
};

static int tag_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct tag_def *)elem)->name);
}

#define TAG_NAME_MAX 15

struct tag {
	enum { M_TEXT, M_START, M_END, M_OTHER } what;
	char name[TAG_NAME_MAX + 1];   /* lowercase; "" when longer than any we know */
	bool selfclose;
};

static bool is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Past the next '>' from j, or n. */
static size_t to_gt(const char *p, size_t n, size_t j)
{
	const char *g = j < n ? memchr(p + j, '>', n - j) : NULL;

	return g ? (size_t)(g - p) + 1 : n;
}

/* A tag's name and attributes from p[j] (the name's first letter) to
 * past its '>'; n when the input ends first (the tag is then dropped, as
 * browsers drop it). */
static size_t tag_body(const char *p, size_t n, size_t j, struct tag *t)
{
	size_t k = 0;

	while (j < n && !is_ws((unsigned char)p[j]) && p[j] != '/' && p[j] != '>') {
		if (k < TAG_NAME_MAX + 1) {
			char c = p[j];

			t->name[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		j++;
	}
	t->name[k > TAG_NAME_MAX ? 0 : k] = '\0';
	for (;;) {
		while (j < n && is_ws((unsigned char)p[j]))
			j++;
		if (j >= n)
			return n;
		if (p[j] == '>')
			return j + 1;
		if (p[j] == '/') {
			if (j + 1 < n && p[j + 1] == '>') {
				t->selfclose = true;
				return j + 2;
			}
			j++;
			continue;
		}
		/* An attribute name (its first character may be anything,
		 * even '=' or a quote), then perhaps a value. */
		j++;
		while (j < n && !is_ws((unsigned char)p[j]) && p[j] != '/' && p[j] != '>' && p[j] != '=')
			j++;
		while (j < n && is_ws((unsigned char)p[j]))
			j++;
		if (j < n && p[j] == '=') {
			j++;
			while (j < n && is_ws((unsigned char)p[j]))
				j++;
			if (j < n && (p[j] == '"' || p[j] == '\'')) {
				const char *q = memchr(p + j + 1, p[j], n - j - 1);

				if (!q)
					return n;
				j = (size_t)(q - p) + 1;
			} else {
				while (j < n && !is_ws((unsigned char)p[j]) && p[j] != '>')
					j++;
			}
		}
	}
}

/* p[i] == '<': what starts here, and the index after it (i + 1 when the
 * '<' is text). */
static size_t markup(const char *p, size_t n, size_t i, struct tag *t)
{
	size_t j = i + 1;

	t->what = M_OTHER;
	t->name[0] = '\0';
	t->selfclose = false;
	if (j >= n) {
		t->what = M_TEXT;
		return j;
	}
	if (is_alpha((unsigned char)p[j])) {
		t->what = M_START;
		return tag_body(p, n, j, t);
	}
	if (p[j] == '/') {
		if (j + 1 >= n) {
			t->what = M_TEXT;          /* "</" at the very end is text */
			return j;
		}
		if (is_alpha((unsigned char)p[j + 1])) {
			t->what = M_END;
			return tag_body(p, n, j + 1, t);
		}
		return to_gt(p, n, j + 1);     /* "</>" or a bogus comment */
	}
	if (p[j] == '!') {
		if (j + 2 < n && p[j + 1] == '-' && p[j + 2] == '-') {
			size_t k = j + 3;

			/* "<!-->" and "<!--->" are whole (empty) comments. */
			if (k < n && p[k] == '>')
				return k + 1;
			if (k + 1 < n && p[k] == '-' && p[k + 1] == '>')
				return k + 2;
			while (k < n) {
				const char *d = memchr(p + k, '-', n - k);

				if (!d)
					return n;
				k = (size_t)(d - p);
				if (k + 2 < n && p[k + 1] == '-' && p[k + 2] == '>')
					return k + 3;
				if (k + 3 < n && p[k + 1] == '-' && p[k + 2] == '!' && p[k + 3] == '>')
					return k + 4;
				k++;
			}
			return n;
		}
		return to_gt(p, n, j + 1);     /* <!DOCTYPE ...>, <![CDATA[...]]> */
	}
	if (p[j] == '?')
		return to_gt(p, n, j + 1);
	t->what = M_TEXT;
	return j;
}

/* After <script> and the like: past the matching end tag, or n. */
static size_t skip_raw(const char *p, size_t n, size_t j, const char *name)
{
	size_t len = strlen(name);

	while (j < n) {
		const char *lt = memchr(p + j, '<', n - j);
		size_t k;

		if (!lt)
			return n;
		k = (size_t)(lt - p);
		if (k + 2 + len <= n && p[k + 1] == '/' && strncasecmp(p + k + 2, name, len) == 0 &&
		    (k + 2 + len == n || is_ws((unsigned char)p[k + 2 + len]) ||
		     p[k + 2 + len] == '/' || p[k + 2 + len] == '>')) {
			struct tag t;

			return markup(p, n, k, &t);
		}
		j = k + 1;
	}
	return n;
}

static enum tag_kind tag_kind(const char *name)
{
	const struct tag_def *d;

	if (!name[0])
		return TK_NONE;
	d = bsearch(name, tag_defs, ARRAY_LEN(tag_defs), sizeof(tag_defs[0]), tag_cmp);
	return d ? d->kind : TK_NONE;
}

/* Is there anything a browser would read as markup? */
static bool has_markup(const char *p, size_t n)
{
	const char *s = p, *end = p + n;

	while ((s = memchr(s, '<', (size_t)(end - s))) != NULL) {
		if (s + 1 < end && (is_alpha((unsigned char)s[1]) || s[1] == '/' || s[1] == '!' || s[1] == '?'))
			return true;
		s++;
	}
	return false;
}

#define NEST_MAX 1000       /* list and hidden-element depths saturate here */

void text_from_html(const char *p, size_t n, struct buf *out)
{
	struct emit e = { .out = out, .bol = true };
	bool html = has_markup(p, n), newlines = !html;
	int hide = 0, lists = 0;
	size_t i = 0;

	while (i < n) {
		if (p[i] == '&') {
			uint32_t cp;
			size_t j = entity(p, n, i, &cp);

			if (j == i) {
				if (!hide)
					emit_text(&e, "&", 1);
				i++;
			} else {
				if (!hide)
					emit_cp(&e, cp, false);
				i = j;
			}
			continue;
		}
		if (p[i] != '<' || !html) {
			if (hide) {
				while (i < n && p[i] != '<' && p[i] != '&')
					i++;
				continue;
			}
			i = emit_run(&e, p, n, i, html, true, newlines);
			continue;
		}

		struct tag t;
		size_t j = markup(p, n, i, &t);

		if (t.what == M_TEXT) {
			if (!hide)
				emit_text(&e, "<", 1);
			i++;
			continue;
		}
		i = j;
		if (t.what != M_START && t.what != M_END)
			continue;
		enum tag_kind k = tag_kind(t.name);
		bool start = t.what == M_START;

		if (k == TK_RAW) {
			if (start)
				i = skip_raw(p, n, i, t.name);
			continue;
		}
		if (k == TK_HIDE) {
			if (start && !t.selfclose && hide < NEST_MAX)
				hide++;
			else if (!start && hide > 0)
				hide--;
			continue;
		}
		if (k == TK_BODY) {
			hide = 0;
			continue;
		}
		if (hide)
			continue;
		switch (k) {
		case TK_BLOCK1:
			emit_break(&e, 1);
			break;
		case TK_BLOCK2:
			emit_break(&e, 2);
			break;
		case TK_BR:
			emit_newline(&e);
			break;
		case TK_LI:
			emit_break(&e, 1);
			e.bullet = start;
			break;
		case TK_LIST:
			if (start) {
				emit_break(&e, lists == 0 ? 2 : 1);
				if (lists < NEST_MAX)
					lists++;
			} else {
				if (lists > 0)
					lists--;
				emit_break(&e, lists == 0 ? 2 : 1);
			}
			e.bullet = false;
			break;
		case TK_CELL:
			emit_space(&e);
			break;
		case TK_NONE:
		case TK_RAW:
		case TK_HIDE:
		case TK_BODY:
			break;
		}
	}
}

bool text_has_html(const char *p, size_t n)
{
	const char *s = p, *end = p + n;

	if (has_markup(p, n))
		return true;
	while ((s = memchr(s, '&', (size_t)(end - s))) != NULL) {
		uint32_t cp;
		size_t i = (size_t)(s - p);

		if (entity(p, n, i, &cp) != i)
			return true;
		s++;
	}
	return false;
}

void text_clean_line(const char *p, size_t n, struct buf *out)
{
	struct emit e = { .out = out, .bol = true };

	/* Newlines are spaces here: the emitter never sees a break. */
	emit_run(&e, p, n, 0, false, false, false);
}

void text_clean_block(const char *p, size_t n, struct buf *out)
{
	struct emit e = { .out = out, .bol = true };

	emit_run(&e, p, n, 0, false, false, true);
}

/* Latin-1 letters U+00C0..U+00FF as ASCII ("" for x and divide). */
static const char *const fold_latin1[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
};

void text_dupe_key(const char *p, size_t n, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0;

	while (i < n) {
		uint32_t cp;

		if (s[i] < 0x80) {
			size_t j = i;

			/* a run of ASCII at a time */
			while (j < n && s[j] < 0x80) {
				unsigned c = s[j];

				if (c >= 'A' && c <= 'Z')
					buf_addc(out, (char)(c + 32));
				else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
					buf_addc(out, (char)c);
				j++;
			}
			i = j;
			continue;
		}
		i += utf8_next(s + i, n - i, &cp);
		if (cp >= 0xc0 && cp <= 0xff)
			buf_adds(out, fold_latin1[cp - 0xc0]);
		else if (cp == 0x174 || cp == 0x175)
			buf_addc(out, 'w');           /* Welsh w and y with circumflex */
		else if (cp == 0x176 || cp == 0x177)
			buf_addc(out, 'y');
		else if (cp == 0x152 || cp == 0x153)
			buf_adds(out, "oe");
	}
}
