/*
 * tmpl.c - the template engine: compile once, render many times.
 *
 * Compiling turns each template into a flat array of ops: literal spans
 * (pointing into an arena copy of the source), values (a name split into
 * segments, plus the escaper chosen for where the tag sits), sections (with
 * the index just past their body, so skipping one is a jump) and partials
 * (resolved to a template index). Everything a set owns lives in one
 * arena, so tmpl_free is one call. Templates are kept sorted by name, so a
 * name is found by binary search.
 *
 * The escaper for each tag is chosen at compile time by running the literal
 * text, in order, through a small HTML tokenizer that follows the states a
 * browser goes through (text, tag, attribute name and value, comments,
 * raw-text elements such as <script>). To make that one linear pass true
 * for every way a template can render, a section must end in the state it
 * started in (then skipping or repeating it changes nothing), URL
 * attributes track whether a scheme could still be forming, and a section
 * boundary between attributes marks the attribute name as unclear. Where
 * the tokenizer cannot be sure, compilation fails with "name:line: what".
 *
 * Rendering walks the ops with a fixed context stack and recursion bounded
 * by LIMIT_TEMPLATE_DEPTH; it allocates nothing but the output's growth.
 */
#include "core/common.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "view/escape.h"
#include "view/tmpl.h"

/* Templates are trusted files, but a bound keeps offsets in 32 bits. */
#define TMPL_SOURCE_MAX   ((size_t)4 * 1024 * 1024)
#define TMPL_NAME_MAX     255   /* bytes in a {{name}} */
/* Ops executed per render, section iterations included. A large page is
 * tens of thousands; this only stops nested loops over big arrays that
 * would spin without writing (an empty body never reaches the buf max). */
#define TMPL_RENDER_STEPS ((size_t)1 << 22)

enum op_kind {
	OP_TEXT,
	OP_VAR,
	OP_SECTION,
	OP_INVERTED,
	OP_PARTIAL,
	OP_DPARTIAL,
};

enum esc {
	ESC_HTML,               /* element text, quoted attribute */
	ESC_URL_START,          /* checked with url_is_safe, then ESC_HTML */
	ESC_URL_START_SLASH,    /* same, and a '/' may follow: "/" alone is unsafe */
	ESC_URL_PART,           /* esc_url_component */
	ESC_RAW,                /* raw_html, and every value in text mode */
};

struct seg {
	const char *p;          /* NUL-terminated */
	uint32_t n;
};

struct op {
	const char *text;       /* OP_TEXT */
	const struct seg *seg;  /* names; NULL for "." */
	uint32_t n;             /* OP_TEXT: bytes; names: segments */
	uint32_t arg;           /* sections: index past the body; OP_PARTIAL: template */
	uint8_t kind;           /* enum op_kind */
	uint8_t esc;            /* enum esc */
};

struct tmpl {
	const char *name;
	size_t name_len;
	const struct op *ops;
	uint32_t nops;
	bool text_mode;
};

struct tmpl_set {
	struct tmpl *t;         /* sorted by name */
	size_t n;
	struct arena arena;
};

/* ------------------------------------------------------------------ HTML */

enum hstate {
	H_TEXT,
	H_RCDATA,               /* <title>, <textarea>: text up to the end tag */
	H_RAWTEXT,              /* <script>, <style>, ...: no tags inside */
	H_TAG_OPEN,             /* "<" */
	H_END_TAG_OPEN,         /* "</" */
	H_TAG_NAME,
	H_IN_TAG,               /* before an attribute name (or after a value) */
	H_ATTR_NAME,
	H_AFTER_ATTR_NAME,
	H_BEFORE_VALUE,         /* "=" */
	H_VALUE_DQ,
	H_VALUE_SQ,
	H_VALUE_UQ,
	H_MARKUP,               /* "<!" */
	H_MARKUP_DASH,          /* "<!-" */
	H_COMMENT,
	H_BOGUS,                /* <!DOCTYPE ...>, <?...>, </ ...> up to '>' */
};

enum elem_kind { EL_RAW, EL_RCDATA, EL_PLAIN };

/* Elements whose content is not parsed as HTML. Index 0 means "none". */
static const struct {
	const char *name;
	uint8_t len;
	uint8_t kind;
} elems[] = {
	{ "", 0, EL_RAW },
	{ "script", 6, EL_RAW },
	{ "style", 5, EL_RAW },
	{ "xmp", 3, EL_RAW },
	{ "iframe", 6, EL_RAW },
	{ "noembed", 7, EL_RAW },
	{ "noframes", 8, EL_RAW },
	{ "noscript", 8, EL_RAW },
	{ "plaintext", 9, EL_PLAIN },
	{ "title", 5, EL_RCDATA },
	{ "textarea", 8, EL_RCDATA },
};

enum attr_kind { A_OTHER, A_URL, A_JS, A_CSS, A_HTML };

/* Attributes whose value is a URL (or starts with one). */
static const char *const url_attrs[] = {
	"href", "src", "action", "formaction", "cite", "poster", "background",
	"data", "codebase", "longdesc", "usemap", "manifest", "icon",
	"xlink:href", "ping", "srcset", "lowsrc", "dynsrc", "classid",
	"archive", "profile",
};

#define HNAME_MAX 16

struct hctx {
	uint8_t st;             /* enum hstate */
	uint8_t elem;           /* tag being read, or RAWTEXT/RCDATA element */
	uint8_t n;              /* TAG_NAME, ATTR_NAME: name length (HNAME_MAX + 1:
	                         * longer); RAWTEXT/RCDATA: progress through
	                         * "</name"; COMMENT: trailing dashes */
	uint8_t attr;           /* enum attr_kind of the current value */
	bool end_tag;
	bool bang;              /* COMMENT: "--!" seen */
	bool ambiguous;         /* the attribute name may differ between renders */
	bool name_end;          /* a section opened right after a tag name: the
	                         * next byte must end that name */
	/* URL attribute values. */
	bool u_empty;           /* nothing significant yet: a tag is the start */
	bool u_pending;         /* the scheme may still be forming */
	bool u_bad;             /* a scheme that is not allowed (or unclear) */
	bool u_guard;           /* a value was output while the scheme was pending */
	uint8_t u_k;            /* scheme bytes so far (9: too long or unclear) */
	char u_scheme[8];
	char name[HNAME_MAX];
};

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static bool is_hspace(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static bool hname_is(const struct hctx *h, const char *s)
{
	size_t n = strlen(s);

	return h->n == n && memcmp(h->name, s, n) == 0;
}

static void hname_add(struct hctx *h, unsigned char c)
{
	if (h->n < HNAME_MAX)
		h->name[h->n] = (char)lower(c);
	if (h->n <= HNAME_MAX)
		h->n++;
}

static void tag_named(struct hctx *h)
{
	h->elem = 0;
	if (h->end_tag)
		return;
	for (uint8_t i = 1; i < ARRAY_LEN(elems); i++) {
		if (hname_is(h, elems[i].name)) {
			h->elem = i;
			return;
		}
	}
}

static void tag_end(struct hctx *h)
{
	h->ambiguous = false;
	h->n = 0;
	if (h->end_tag || h->elem == 0)
		h->st = H_TEXT;
	else
		h->st = elems[h->elem].kind == EL_RCDATA ? H_RCDATA : H_RAWTEXT;
}

static enum attr_kind attr_classify(const struct hctx *h)
{
	if (h->n >= 2 && h->name[0] == 'o' && h->name[1] == 'n')
		return A_JS;
	if (hname_is(h, "style"))
		return A_CSS;
	if (hname_is(h, "srcdoc"))
		return A_HTML;
	for (size_t i = 0; i < ARRAY_LEN(url_attrs); i++)
		if (hname_is(h, url_attrs[i]))
			return A_URL;
	return A_OTHER;
}

static void value_start(struct hctx *h, enum hstate st)
{
	h->st = st;
	h->u_empty = true;
	h->u_pending = true;
	h->u_bad = false;
	h->u_guard = false;
	h->u_k = 0;
}

static const char msg_split[] =
	"an attribute name is split by a section; put the whole attribute "
	"inside the section";

static const char *attr_equals(struct hctx *h)
{
	if (h->ambiguous)
		return msg_split;
	h->attr = (uint8_t)attr_classify(h);
	h->st = H_BEFORE_VALUE;
	return NULL;
}

static bool scheme_allowed(const struct hctx *h)
{
	static const char *const ok[] = { "http", "https", "mailto", "tel" };

	for (size_t i = 0; i < ARRAY_LEN(ok); i++)
		if (strlen(ok[i]) == h->u_k && memcmp(ok[i], h->u_scheme, h->u_k) == 0)
			return true;
	return false;
}

/* A literal byte inside an attribute value. Only URL values care: they
 * follow the scheme the way url_is_safe does, so that a value output at
 * the start of the URL, or a literal after it, cannot form one. */
static const char *url_feed(struct hctx *h, unsigned char c)
{
	if (h->attr != A_URL || !h->u_pending)
		return NULL;
	if (h->u_empty && c <= 0x20)
		return NULL;            /* browsers strip leading space */
	h->u_empty = false;
	if (c == '\t' || c == '\n' || c == '\r')
		return NULL;            /* and ignore these anywhere */
	if (c == ':') {
		if (h->u_guard)
			return "a ':' after a {{tag}} in a URL could make a scheme; "
				"write the scheme before the tag";
		h->u_pending = false;
		h->u_bad = h->u_k != 0 && !scheme_allowed(h);
		return NULL;
	}
	if (c == '&') {
		if (h->u_guard)
			return "a character reference after a {{tag}} in a URL could "
				"make a scheme; write the scheme before the tag";
		h->u_pending = false;
		h->u_bad = true;        /* "&#106;avascript:" hides a scheme */
		return NULL;
	}
	if ((h->u_k == 0 && !h->u_guard) ? is_alpha(c) :
			(is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.')) {
		if (h->u_k < sizeof(h->u_scheme))
			h->u_scheme[h->u_k] = (char)lower(c);
		if (h->u_k <= sizeof(h->u_scheme))
			h->u_k++;
		return NULL;
	}
	h->u_pending = false;           /* no scheme: a relative URL */
	return NULL;
}

/* Looks for "</name" followed by a space, '/' or '>' in raw text. */
static void raw_feed(struct hctx *h, unsigned char c)
{
	uint8_t len = elems[h->elem].len;

	if (elems[h->elem].kind == EL_PLAIN)
		return;                 /* <plaintext> never ends */
	if (h->n == 2 + len) {
		if (is_hspace(c) || c == '/') {
			h->st = H_IN_TAG;
			h->end_tag = true;
			h->elem = 0;
			h->ambiguous = false;
			return;
		}
		if (c == '>') {
			h->st = H_TEXT;
			return;
		}
	}
	if (c == '<')
		h->n = 1;
	else if (h->n == 1 && c == '/')
		h->n = 2;
	else if (h->n >= 2 && h->n < 2 + len &&
			lower(c) == (unsigned char)elems[h->elem].name[h->n - 2])
		h->n++;
	else
		h->n = 0;
}

/* Advances the tokenizer by one literal byte. Returns an error message
 * (without position) or NULL.
 * long: one switch over the HTML tokenizer's states, each case a few
 * lines, in the order the HTML standard lists them; split into functions
 * it would read worse, since each state hands over to the next. */
static const char *html_feed(struct hctx *h, unsigned char c)
{
	if (h->name_end) {
		/* Skipped or not, the section must not change the tag name. */
		h->name_end = false;
		if (!is_hspace(c) && c != '/' && c != '>')
			return "after a tag name, a section must start and be "
				"followed by a space, '/' or '>'";
	}
again:
	switch ((enum hstate)h->st) {
	case H_TEXT:
		if (c == '<')
			h->st = H_TAG_OPEN;
		return NULL;
	case H_RCDATA:
	case H_RAWTEXT:
		raw_feed(h, c);
		return NULL;
	case H_TAG_OPEN:
		if (is_alpha(c)) {
			h->st = H_TAG_NAME;
			h->end_tag = false;
			h->n = 0;
			goto again;
		}
		if (c == '!')
			h->st = H_MARKUP;
		else if (c == '/')
			h->st = H_END_TAG_OPEN;
		else if (c == '?')
			h->st = H_BOGUS;
		else {
			h->st = H_TEXT;
			goto again;
		}
		return NULL;
	case H_END_TAG_OPEN:
		if (is_alpha(c)) {
			h->st = H_TAG_NAME;
			h->end_tag = true;
			h->n = 0;
			goto again;
		}
		h->st = c == '>' ? H_TEXT : H_BOGUS;
		return NULL;
	case H_TAG_NAME:
		if (is_hspace(c) || c == '/') {
			tag_named(h);
			h->st = H_IN_TAG;
		} else if (c == '>') {
			tag_named(h);
			tag_end(h);
		} else {
			hname_add(h, c);
		}
		return NULL;
	case H_IN_TAG:
		if (is_hspace(c) || c == '/')
			return NULL;
		if (c == '>') {
			tag_end(h);
			return NULL;
		}
		/* '=' here starts an attribute *name*; after a split name it
		 * might instead start a value, so refuse it then. */
		if (c == '=' && h->ambiguous)
			return msg_split;
		h->ambiguous = false;
		h->st = H_ATTR_NAME;
		h->n = 0;
		hname_add(h, c);
		return NULL;
	case H_ATTR_NAME:
		if (is_hspace(c)) {
			h->st = H_AFTER_ATTR_NAME;
		} else if (c == '/') {
			h->st = H_IN_TAG;
			h->ambiguous = false;
		} else if (c == '>') {
			tag_end(h);
		} else if (c == '=') {
			return attr_equals(h);
		} else {
			hname_add(h, c);
		}
		return NULL;
	case H_AFTER_ATTR_NAME:
		if (is_hspace(c))
			return NULL;
		if (c == '/') {
			h->st = H_IN_TAG;
			h->ambiguous = false;
		} else if (c == '>') {
			tag_end(h);
		} else if (c == '=') {
			return attr_equals(h);
		} else {
			h->ambiguous = false;
			h->st = H_ATTR_NAME;
			h->n = 0;
			hname_add(h, c);
		}
		return NULL;
	case H_BEFORE_VALUE:
		if (is_hspace(c))
			return NULL;
		if (c == '"')
			value_start(h, H_VALUE_DQ);
		else if (c == '\'')
			value_start(h, H_VALUE_SQ);
		else if (c == '>')
			tag_end(h);
		else {
			value_start(h, H_VALUE_UQ);
			goto again;
		}
		return NULL;
	case H_VALUE_DQ:
		if (c == '"') {
			h->st = H_IN_TAG;
			return NULL;
		}
		return url_feed(h, c);
	case H_VALUE_SQ:
		if (c == '\'') {
			h->st = H_IN_TAG;
			return NULL;
		}
		return url_feed(h, c);
	case H_VALUE_UQ:
		if (is_hspace(c)) {
			h->st = H_IN_TAG;
			return NULL;
		}
		if (c == '>') {
			tag_end(h);
			return NULL;
		}
		return url_feed(h, c);
	case H_MARKUP:
		if (c == '-') {
			h->st = H_MARKUP_DASH;
			return NULL;
		}
		h->st = H_BOGUS;
		goto again;
	case H_MARKUP_DASH:
		if (c == '-') {
			/* Two dashes already: "<!-->" and "<!--->" close at once. */
			h->st = H_COMMENT;
			h->n = 2;
			h->bang = false;
			return NULL;
		}
		h->st = H_BOGUS;
		goto again;
	case H_COMMENT:
		if (c == '>' && (h->n >= 2 || h->bang)) {
			h->st = H_TEXT;
		} else if (c == '-') {
			if (h->n < 2)
				h->n++;
			h->bang = false;
		} else if (c == '!' && h->n >= 2) {
			h->bang = true;
			h->n = 0;
		} else {
			h->n = 0;
			h->bang = false;
		}
		return NULL;
	case H_BOGUS:
		if (c == '>')
			h->st = H_TEXT;
		return NULL;
	}
	return NULL;
}

/* Coarse classes of states: a section must end in the class it began in,
 * and for most classes in exactly the same state. */
enum hclass { HC_TEXT, HC_RAW, HC_NAME, HC_TAG, HC_BEFORE, HC_VALUE, HC_COMMENT, HC_BOGUS };

static enum hclass hclass(enum hstate st)
{
	switch (st) {
	case H_TEXT:
		return HC_TEXT;
	case H_RCDATA:
	case H_RAWTEXT:
		return HC_RAW;
	case H_TAG_OPEN:
	case H_END_TAG_OPEN:
	case H_TAG_NAME:
	case H_MARKUP:
	case H_MARKUP_DASH:
		return HC_NAME;
	case H_IN_TAG:
	case H_ATTR_NAME:
	case H_AFTER_ATTR_NAME:
		return HC_TAG;
	case H_BEFORE_VALUE:
		return HC_BEFORE;
	case H_VALUE_DQ:
	case H_VALUE_SQ:
	case H_VALUE_UQ:
		return HC_VALUE;
	case H_COMMENT:
		return HC_COMMENT;
	case H_BOGUS:
		return HC_BOGUS;
	}
	return HC_BOGUS;
}

/* Where a state is, for messages. */
static const char *hdescribe(const struct hctx *h, char *tmp, size_t n)
{
	switch (hclass((enum hstate)h->st)) {
	case HC_TEXT:
		return "element text";
	case HC_RAW:
		snprintf(tmp, n, "<%s>", elems[h->elem].name);
		return tmp;
	case HC_NAME:
		return "a tag name";
	case HC_TAG:
		return "a tag, between attributes";
	case HC_BEFORE:
		return "a tag, after '='";
	case HC_VALUE:
		return "an attribute value";
	case HC_COMMENT:
		return "an HTML comment";
	case HC_BOGUS:
		return "a <!...> declaration";
	}
	return "?";
}

/* ------------------------------------------------------------- compiling */

struct open_section {
	uint32_t op;
	uint32_t line;
	const char *name;
	size_t nlen;
	struct hctx h;
};

struct comp {
	struct tmpl_set *set;
	struct tmpl *t;
	const char *src;
	size_t len;
	struct op *ops;                 /* scratch, reused across templates */
	size_t nops, cap;
	struct open_section open[LIMIT_TEMPLATE_DEPTH];
	unsigned nopen;
	struct hctx h;
	long url_start_op;              /* a URL-start op whose next byte is unseen */
	size_t lc_pos;                  /* line_at() cache */
	uint32_t lc_line;
	char *errbuf;
	size_t errlen;
};

static uint32_t line_at(struct comp *c, size_t pos)
{
	const char *p, *end = c->src + pos;

	if (pos < c->lc_pos) {
		c->lc_pos = 0;
		c->lc_line = 1;
	}
	p = c->src + c->lc_pos;
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		c->lc_line++;
		p++;
	}
	c->lc_pos = pos;
	return c->lc_line;
}

static enum err cerr_v(struct comp *c, uint32_t line, const char *fmt,
		va_list ap) __attribute__((format(printf, 3, 0)));
static enum err cerr(struct comp *c, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static enum err cerr_line(struct comp *c, uint32_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "name:line: message" into the caller's errbuf; always ERR_INVALID. */
static enum err cerr_v(struct comp *c, uint32_t line, const char *fmt,
		va_list ap)
{
	int k;

	if (!c->errbuf || c->errlen == 0)
		return ERR_INVALID;
	k = snprintf(c->errbuf, c->errlen, "%s:%u: ", c->t->name,
		(unsigned)line);
	if (k >= 0 && (size_t)k < c->errlen)
		vsnprintf(c->errbuf + k, c->errlen - (size_t)k, fmt, ap);
	return ERR_INVALID;
}

static enum err cerr(struct comp *c, size_t pos, const char *fmt, ...)
{
	va_list ap;
	enum err e;

	va_start(ap, fmt);
	e = cerr_v(c, line_at(c, pos), fmt, ap);
	va_end(ap);
	return e;
}

static enum err cerr_line(struct comp *c, uint32_t line, const char *fmt, ...)
{
	va_list ap;
	enum err e;

	va_start(ap, fmt);
	e = cerr_v(c, line, fmt, ap);
	va_end(ap);
	return e;
}

static struct op *op_new(struct comp *c)
{
	struct op *op;

	if (c->nops == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct op *p = realloc(c->ops, cap * sizeof(*p));

		if (!p)
			return NULL;
		c->ops = p;
		c->cap = cap;
	}
	op = &c->ops[c->nops++];
	memset(op, 0, sizeof(*op));
	return op;
}

/* A URL-start op followed by '/' could form "//host" from a value "/". */
static void url_start_slash(struct comp *c)
{
	if (c->url_start_op >= 0)
		c->ops[c->url_start_op].esc = ESC_URL_START_SLASH;
	c->url_start_op = -1;
}

static enum err emit_literal(struct comp *c, size_t from, size_t to)
{
	struct op *op;

	if (to <= from)
		return ERR_OK;
	if (!c->t->text_mode) {
		for (size_t i = from; i < to; i++) {
			unsigned char ch = (unsigned char)c->src[i];
			const char *msg;

			if (c->url_start_op >= 0 && ch != '\t' && ch != '\n' &&
					ch != '\r') {
				if (ch == '/' || ch == '\\')
					url_start_slash(c);
				c->url_start_op = -1;
			}
			msg = html_feed(&c->h, ch);
			if (msg)
				return cerr(c, i, "%s", msg);
		}
	}
	op = op_new(c);
	if (!op)
		return ERR_NOMEM;
	op->kind = OP_TEXT;
	op->text = c->src + from;
	op->n = (uint32_t)(to - from);
	return ERR_OK;
}

static bool is_name_char(unsigned char ch)
{
	return is_alpha(ch) || is_digit(ch) || ch == '_' || ch == '-';
}

/* Splits a checked name into segments in the arena. "." has none. */
static enum err name_split(struct comp *c, size_t pos, const char *p, size_t n,
		const struct seg **out, uint32_t *nseg)
{
	struct seg *seg;
	size_t k = 1, i, start;

	*out = NULL;
	*nseg = 0;
	if (n == 0)
		return cerr(c, pos, "a tag needs a name");
	if (n > TMPL_NAME_MAX)
		return cerr(c, pos, "the name in this tag is longer than %d bytes",
			TMPL_NAME_MAX);
	if (n == 1 && p[0] == '.')
		return ERR_OK;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch == '.') {
			if (i == 0 || i == n - 1 || p[i - 1] == '.')
				return cerr(c, pos, "{{%.*s}} has an empty part in its "
					"dotted name", (int)n, p);
			k++;
		} else if (!is_name_char(ch)) {
			return cerr(c, pos, "names use letters, digits, '_', '-' and "
				"'.' only: {{%.*s}}", (int)n, p);
		}
	}
	seg = arena_calloc(&c->set->arena, k, sizeof(*seg));
	if (!seg)
		return ERR_NOMEM;
	k = 0;
	start = 0;
	for (i = 0; i <= n; i++) {
		if (i == n || p[i] == '.') {
			seg[k].p = arena_strndup(&c->set->arena, p + start, i - start);
			if (!seg[k].p)
				return ERR_NOMEM;
			seg[k].n = (uint32_t)(i - start);
			k++;
			start = i + 1;
		}
	}
	*out = seg;
	*nseg = (uint32_t)k;
	return ERR_OK;
}

static long find_tmpl(const struct tmpl_set *set, const char *name, size_t n)
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct tmpl *m = &set->t[mid];
		int cmp = memcmp(name, m->name, n < m->name_len ? n : m->name_len);

		/* Same order as strcmp, which sorted the set. */
		if (cmp == 0 && n != m->name_len)
			cmp = n < m->name_len ? -1 : 1;
		if (cmp == 0)
			return (long)mid;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

enum tag_kind {
	T_VAR, T_RAW, T_SECTION, T_INVERTED, T_CLOSE, T_PARTIAL, T_DPARTIAL,
	T_COMMENT,
};

static bool is_tspace(char ch)
{
	return ch == ' ' || ch == '\t';
}

static void trim(const char **p, size_t *n)
{
	while (*n && is_tspace((*p)[0])) {
		(*p)++;
		(*n)--;
	}
	while (*n && is_tspace((*p)[*n - 1]))
		(*n)--;
}

/* Reads the tag's content into a kind and a trimmed name. */
static enum err tag_parse(struct comp *c, size_t pos, const char *p, size_t n,
		enum tag_kind *kind, const char **name, size_t *nlen)
{
	static const char raw[] = "raw_html";

	if (n == 0)
		return cerr(c, pos, "{{}} is an empty tag");
	switch (p[0]) {
	case '!':
		*kind = T_COMMENT;
		break;
	case '#':
		*kind = T_SECTION;
		break;
	case '^':
		*kind = T_INVERTED;
		break;
	case '/':
		*kind = T_CLOSE;
		break;
	case '>':
		*kind = T_PARTIAL;
		break;
	case '{':
	case '&':
		return cerr(c, pos, "{{{name}}} and {{&name}} are not supported; "
			"use {{raw_html name}} for trusted HTML");
	case '=':
		return cerr(c, pos, "set-delimiter tags {{=...=}} are not supported");
	default:
		*kind = T_VAR;
		break;
	}
	if (*kind != T_VAR) {
		p++;
		n--;
	}
	trim(&p, &n);
	if (*kind == T_PARTIAL && n && p[0] == '*') {
		*kind = T_DPARTIAL;
		p++;
		n--;
		trim(&p, &n);
	}
	if (*kind == T_VAR && n >= sizeof(raw) - 1 &&
			memcmp(p, raw, sizeof(raw) - 1) == 0 &&
			(n == sizeof(raw) - 1 || is_tspace(p[sizeof(raw) - 1]))) {
		*kind = T_RAW;
		p += sizeof(raw) - 1;
		n -= sizeof(raw) - 1;
		trim(&p, &n);
		if (n == 0)
			return cerr(c, pos, "{{raw_html}} needs a name: "
				"{{raw_html name}}");
	}
	if (*kind != T_COMMENT && n == 0)
		return cerr(c, pos, "a tag needs a name");
	*name = p;
	*nlen = n;
	return ERR_OK;
}

/* Mustache's standalone rule: a tag alone on its line, but for spaces and
 * tabs, takes the whole line with it. */
static bool standalone(const struct comp *c, size_t pos, size_t ts, size_t te,
		size_t *lit_end, size_t *next)
{
	const char *s = c->src;
	size_t a = ts, b = te;

	while (a > pos && is_tspace(s[a - 1]))
		a--;
	if (a > 0 && s[a - 1] != '\n')
		return false;
	while (b < c->len && is_tspace(s[b]))
		b++;
	if (b + 1 < c->len && s[b] == '\r' && s[b + 1] == '\n')
		b += 2;
	else if (b < c->len && s[b] == '\n')
		b++;
	else if (b != c->len)
		return false;
	*lit_end = a;
	*next = b;
	return true;
}

/* Where a value-writing tag ({{x}}, raw_html, partials) may go, and how it
 * is escaped there. */
static enum err tag_context(struct comp *c, size_t pos, enum tag_kind kind,
		const char *name, size_t nlen, enum esc *esc)
{
	struct hctx *h = &c->h;
	const char *what = kind == T_RAW ? "raw_html " :
		kind == T_PARTIAL ? ">" : kind == T_DPARTIAL ? ">*" : "";
	char tmp[24];
	int nl = (int)(nlen > 60 ? 60 : nlen);

	if (c->t->text_mode) {
		if (kind == T_RAW)
			return cerr(c, pos, "{{raw_html %.*s}} is not allowed in a "
				"text template", nl, name);
		*esc = ESC_RAW;
		return ERR_OK;
	}
	*esc = ESC_HTML;
	switch (hclass((enum hstate)h->st)) {
	case HC_TEXT:
		if (kind == T_RAW)
			*esc = ESC_RAW;
		return ERR_OK;
	case HC_RAW:
		if (h->st == H_RCDATA && kind == T_VAR)
			return ERR_OK;
		return cerr(c, pos, "{{%s%.*s}} cannot go inside %s", what, nl,
			name, hdescribe(h, tmp, sizeof(tmp)));
	case HC_VALUE:
		if (kind != T_VAR)
			break;
		if (h->st == H_VALUE_UQ)
			return cerr(c, pos, "{{%.*s}} is in an unquoted attribute "
				"value; put quotes around the value", nl, name);
		switch ((enum attr_kind)h->attr) {
		case A_OTHER:
			return ERR_OK;
		case A_JS:
			return cerr(c, pos, "{{%.*s}} cannot go inside an on* event "
				"attribute", nl, name);
		case A_CSS:
			return cerr(c, pos, "{{%.*s}} cannot go inside a style "
				"attribute", nl, name);
		case A_HTML:
			return cerr(c, pos, "{{%.*s}} cannot go inside a srcdoc "
				"attribute", nl, name);
		case A_URL:
			break;
		}
		if (h->u_bad)
			return cerr(c, pos, "{{%.*s}} cannot follow a URL scheme other "
				"than http, https, mailto or tel (or a character "
				"reference)", nl, name);
		*esc = h->u_empty ? ESC_URL_START : ESC_URL_PART;
		h->u_empty = false;
		if (h->u_pending)
			h->u_guard = true;
		return ERR_OK;
	case HC_BEFORE:
		if (kind == T_VAR)
			return cerr(c, pos, "{{%.*s}} is in an unquoted attribute "
				"value; put quotes around the value", nl, name);
		break;
	case HC_TAG:
		if (kind == T_VAR)
			return cerr(c, pos, "{{%.*s}} cannot go between attributes or "
				"in an attribute name; put a literal attribute inside "
				"a section instead", nl, name);
		break;
	case HC_NAME:
		if (kind == T_VAR)
			return cerr(c, pos, "{{%.*s}} cannot go inside a tag name", nl,
				name);
		break;
	case HC_COMMENT:
	case HC_BOGUS:
		return cerr(c, pos, "{{%s%.*s}} cannot go inside %s", what, nl,
			name, hdescribe(h, tmp, sizeof(tmp)));
	}
	if (kind == T_RAW)
		return cerr(c, pos, "{{raw_html %.*s}} can only go in element text, "
			"not in %s", nl, name, hdescribe(h, tmp, sizeof(tmp)));
	return cerr(c, pos, "a partial {{%s%.*s}} can only go in element text, "
		"not in %s", what, nl, name, hdescribe(h, tmp, sizeof(tmp)));
}

/* Section tags (open or close) may not sit where the tokenizer's next
 * step would depend on whether the section rendered. */
static enum err section_boundary(struct comp *c, size_t pos)
{
	struct hctx *h = &c->h;

	if (c->t->text_mode)
		return ERR_OK;
	if (c->url_start_op >= 0)
		url_start_slash(c);
	switch (hclass((enum hstate)h->st)) {
	case HC_NAME:
		if (h->st != H_TAG_NAME)
			return cerr(c, pos, "a section tag cannot go right after "
				"'<', '</' or '<!'");
		/* <input{{#r}} required{{/r}}>: the name ends here, which
		 * html_feed checks with name_end. */
		tag_named(h);
		h->st = H_IN_TAG;
		h->name_end = true;
		h->ambiguous = true;
		break;
	case HC_TAG:
		/* Whether the section renders decides which attribute a
		 * following '=' belongs to. */
		h->ambiguous = true;
		break;
	case HC_VALUE:
		if (h->attr == A_URL) {
			/* A value inside may repeat or not be first: never
			 * treat it as the start of the URL, and forget a
			 * half-read scheme. */
			h->u_empty = false;
			if (h->u_pending && h->u_k > 0)
				h->u_k = sizeof(h->u_scheme) + 1;
		}
		break;
	default:
		break;
	}
	return ERR_OK;
}

/* At {{/name}}: the body must have left the tokenizer where it found it,
 * so that rendering it zero, one or many times gives the same context. */
static enum err section_close_check(struct comp *c, size_t pos,
		const struct open_section *os)
{
	const struct hctx *a = &os->h;
	struct hctx *b = &c->h;
	char t1[24], t2[24];
	bool same;

	if (c->t->text_mode)
		return ERR_OK;
	if (b->st == H_TAG_NAME)
		return cerr(c, pos, "a section cannot end inside a tag name");
	/* Only the fields a state uses are compared; the rest are stale. */
	same = hclass((enum hstate)a->st) == hclass((enum hstate)b->st);
	if (same) {
		switch (hclass((enum hstate)a->st)) {
		case HC_RAW:
			same = a->st == b->st && a->elem == b->elem && a->n == b->n;
			break;
		case HC_NAME:   /* refused at the open tag */
			same = false;
			break;
		case HC_TAG:
			same = a->elem == b->elem && a->end_tag == b->end_tag;
			break;
		case HC_BEFORE:
			same = a->elem == b->elem && a->end_tag == b->end_tag &&
				a->attr == b->attr;
			break;
		case HC_VALUE:
			same = a->st == b->st && a->elem == b->elem &&
				a->end_tag == b->end_tag && a->attr == b->attr;
			break;
		case HC_COMMENT:
			same = a->n == b->n && a->bang == b->bang;
			break;
		case HC_TEXT:
		case HC_BOGUS:
			break;
		}
	}
	if (!same)
		return cerr(c, pos, "the section {{#%.*s}} from line %u starts in "
			"%s but ends in %s; open and close it in the same place",
			(int)os->nlen, os->name, (unsigned)os->line,
			hdescribe(a, t1, sizeof(t1)), hdescribe(b, t2, sizeof(t2)));
	if (a->name_end)
		b->name_end = true;     /* for when the section is skipped */
	if (hclass((enum hstate)b->st) == HC_VALUE && b->attr == A_URL) {
		/* Either path may follow: keep the more careful of each. */
		b->u_pending = b->u_pending || a->u_pending;
		b->u_bad = b->u_bad || a->u_bad;
		b->u_guard = b->u_guard || a->u_guard;
		b->u_empty = b->u_empty && a->u_empty;
		if (a->u_k != b->u_k || memcmp(a->u_scheme, b->u_scheme,
				a->u_k < sizeof(a->u_scheme) ? a->u_k :
				sizeof(a->u_scheme)) != 0)
			b->u_k = sizeof(b->u_scheme) + 1;
	}
	return section_boundary(c, pos);
}

static enum err compile_tag(struct comp *c, size_t ts, enum tag_kind kind,
		const char *name, size_t nlen)
{
	struct op *op;
	enum esc esc = ESC_HTML;
	enum err e;
	int nl = (int)(nlen > 60 ? 60 : nlen);

	switch (kind) {
	case T_COMMENT:
		return ERR_OK;
	case T_VAR:
	case T_RAW:
		if (c->url_start_op >= 0)
			url_start_slash(c);
		if ((e = tag_context(c, ts, kind, name, nlen, &esc)))
			return e;
		if (!(op = op_new(c)))
			return ERR_NOMEM;
		op->kind = OP_VAR;
		op->esc = (uint8_t)esc;
		if (esc == ESC_URL_START)
			c->url_start_op = (long)(op - c->ops);
		return name_split(c, ts, name, nlen, &op->seg, &op->n);
	case T_SECTION:
	case T_INVERTED:
		if (c->nopen == LIMIT_TEMPLATE_DEPTH)
			return cerr(c, ts, "sections are nested more than %d deep",
				LIMIT_TEMPLATE_DEPTH);
		if ((e = section_boundary(c, ts)))
			return e;
		if (!(op = op_new(c)))
			return ERR_NOMEM;
		op->kind = kind == T_SECTION ? OP_SECTION : OP_INVERTED;
		c->open[c->nopen] = (struct open_section){
			.op = (uint32_t)(c->nops - 1), .line = line_at(c, ts),
			.name = name, .nlen = nlen, .h = c->h,
		};
		c->nopen++;
		return name_split(c, ts, name, nlen, &op->seg, &op->n);
	case T_CLOSE: {
		struct open_section *os;

		if (c->nopen == 0)
			return cerr(c, ts, "{{/%.*s}} closes a section that was never "
				"opened", nl, name);
		os = &c->open[c->nopen - 1];
		if (os->nlen != nlen || memcmp(os->name, name, nlen) != 0)
			return cerr(c, ts, "{{/%.*s}} does not match {{#%.*s}} from "
				"line %u", nl, name, (int)(os->nlen > 60 ? 60 : os->nlen),
				os->name, (unsigned)os->line);
		if ((e = section_close_check(c, ts, os)))
			return e;
		c->ops[os->op].arg = (uint32_t)c->nops;
		c->nopen--;
		return ERR_OK;
	}
	case T_PARTIAL: {
		long idx;

		if ((e = tag_context(c, ts, kind, name, nlen, &esc)))
			return e;
		for (size_t k = 0; k < nlen; k++)
			if ((unsigned char)name[k] <= 0x20 || name[k] == 0x7f)
				return cerr(c, ts, "a partial's name cannot hold spaces "
					"or control characters");
		idx = find_tmpl(c->set, name, nlen);
		if (idx < 0)
			return cerr(c, ts, "{{>%.*s}} names no template", nl, name);
		if (c->set->t[idx].text_mode != c->t->text_mode)
			return cerr(c, ts, "{{>%.*s}}: HTML and text templates cannot "
				"include each other", nl, name);
		if (!(op = op_new(c)))
			return ERR_NOMEM;
		op->kind = OP_PARTIAL;
		op->arg = (uint32_t)idx;
		return ERR_OK;
	}
	case T_DPARTIAL:
		if ((e = tag_context(c, ts, kind, name, nlen, &esc)))
			return e;
		if (!(op = op_new(c)))
			return ERR_NOMEM;
		op->kind = OP_DPARTIAL;
		return name_split(c, ts, name, nlen, &op->seg, &op->n);
	}
	return ERR_INTERNAL;
}

static enum err compile_one(struct comp *c)
{
	size_t pos = 0;
	enum err e;

	c->nops = 0;
	c->nopen = 0;
	memset(&c->h, 0, sizeof(c->h));
	c->h.st = H_TEXT;
	c->url_start_op = -1;
	c->lc_pos = 0;
	c->lc_line = 1;
	for (;;) {
		const char *o = memmem(c->src + pos, c->len - pos, "{{", 2);
		const char *cl, *name = NULL;
		size_t ts, cs, te, lit_end, next, nlen = 0;
		enum tag_kind kind = T_COMMENT;

		if (!o) {
			if ((e = emit_literal(c, pos, c->len)))
				return e;
			break;
		}
		ts = (size_t)(o - c->src);
		cs = ts + 2;
		cl = memmem(c->src + cs, c->len - cs, "}}", 2);
		if (!cl)
			return cerr(c, ts, "a tag opened with {{ is not closed with }}");
		te = (size_t)(cl - c->src) + 2;
		if ((e = tag_parse(c, ts, c->src + cs, te - 2 - cs, &kind, &name,
				&nlen)))
			return e;
		lit_end = ts;
		next = te;
		if (kind != T_VAR && kind != T_RAW)
			standalone(c, pos, ts, te, &lit_end, &next);
		if ((e = emit_literal(c, pos, lit_end)))
			return e;
		if ((e = compile_tag(c, ts, kind, name, nlen)))
			return e;
		pos = next;
	}
	if (c->nopen) {
		const struct open_section *os = &c->open[c->nopen - 1];
		int nl = (int)(os->nlen > 60 ? 60 : os->nlen);

		return cerr_line(c, os->line, "{{%c%.*s}} is never closed with "
			"{{/%.*s}}", c->ops[os->op].kind == OP_INVERTED ? '^' : '#',
			nl, os->name, nl, os->name);
	}
	if (!c->t->text_mode && c->h.st != H_TEXT) {
		char tmp[24];

		return cerr(c, c->len, "the template ends inside %s",
			hdescribe(&c->h, tmp, sizeof(tmp)));
	}
	if (c->nops) {
		struct op *ops = arena_calloc(&c->set->arena, c->nops, sizeof(*ops));

		if (!ops)
			return ERR_NOMEM;
		memcpy(ops, c->ops, c->nops * sizeof(*ops));
		c->t->ops = ops;
	}
	c->t->nops = (uint32_t)c->nops;
	return ERR_OK;
}

static int src_cmp(const void *a, const void *b)
{
	const struct tmpl_src *x = *(const struct tmpl_src *const *)a;
	const struct tmpl_src *y = *(const struct tmpl_src *const *)b;

	return strcmp(x->name, y->name);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

enum err tmpl_compile(const struct tmpl_src *srcs, size_t n,
		struct tmpl_set **out, char *errbuf, size_t errlen)
{
	struct tmpl_set *set;
	const struct tmpl_src **order = NULL;
	struct comp c;
	enum err e = ERR_OK;

	*out = NULL;
	if (errbuf && errlen)
		errbuf[0] = '\0';
	set = calloc(1, sizeof(*set));
	if (!set)
		return ERR_NOMEM;
	arena_init(&set->arena);
	memset(&c, 0, sizeof(c));
	c.set = set;
	c.errbuf = errbuf;
	c.errlen = errlen;
	if (n) {
		order = calloc(n, sizeof(*order));
		set->t = arena_calloc(&set->arena, n, sizeof(*set->t));
		if (!order || !set->t) {
			e = ERR_NOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!srcs[i].name || !srcs[i].name[0] ||
				(!srcs[i].text && srcs[i].len)) {
			if (errbuf && errlen)
				snprintf(errbuf, errlen, "template %zu: no name or text", i);
			e = ERR_INVALID;
			goto out;
		}
		order[i] = &srcs[i];
	}
	if (n)
		qsort(order, n, sizeof(*order), src_cmp);
	for (size_t i = 0; i < n; i++) {
		struct tmpl *t = &set->t[i];

		if (i && strcmp(order[i]->name, order[i - 1]->name) == 0) {
			if (errbuf && errlen)
				snprintf(errbuf, errlen, "%s:1: two templates have this "
					"name", order[i]->name);
			e = ERR_INVALID;
			goto out;
		}
		if (order[i]->len > TMPL_SOURCE_MAX) {
			if (errbuf && errlen)
				snprintf(errbuf, errlen, "%s:1: larger than %zu bytes",
					order[i]->name, TMPL_SOURCE_MAX);
			e = ERR_INVALID;
			goto out;
		}
		t->name = arena_strdup(&set->arena, order[i]->name);
		if (!t->name) {
			e = ERR_NOMEM;
			goto out;
		}
		t->name_len = strlen(t->name);
		t->text_mode = ends_with(t->name, ".txt");
	}
	set->n = n;
	for (size_t i = 0; i < n; i++) {
		char *copy = arena_alloc(&set->arena, order[i]->len + 1);

		if (!copy) {
			e = ERR_NOMEM;
			goto out;
		}
		if (order[i]->len)
			memcpy(copy, order[i]->text, order[i]->len);
		copy[order[i]->len] = '\0';
		c.t = &set->t[i];
		c.src = copy;
		c.len = order[i]->len;
		if ((e = compile_one(&c)))
			goto out;
	}
out:
	free(c.ops);
	free(order);
	if (e) {
		if (e == ERR_NOMEM && errbuf && errlen)
			snprintf(errbuf, errlen, "out of memory compiling templates");
		tmpl_free(set);
		return e;
	}
	*out = set;
	return ERR_OK;
}

void tmpl_free(struct tmpl_set *set)
{
	if (!set)
		return;
	arena_release(&set->arena);
	free(set);
}

bool tmpl_has(const struct tmpl_set *set, const char *name)
{
	return set && name && find_tmpl(set, name, strlen(name)) >= 0;
}

size_t tmpl_count(const struct tmpl_set *set)
{
	return set ? set->n : 0;
}

const char *tmpl_name(const struct tmpl_set *set, size_t i)
{
	return set && i < set->n ? set->t[i].name : NULL;
}

/* ------------------------------------------------------------- rendering */

struct render {
	const struct tmpl_set *set;
	struct buf *out;
	size_t steps;
	unsigned depth;         /* sections and partials entered */
	unsigned top;           /* entries in stack */
	const json_t *stack[LIMIT_TEMPLATE_DEPTH + 1];
};

/* The first segment resolves from the innermost context outwards; the rest
 * only inside what it found (Mustache's rule, so a.b never finds an outer
 * b by accident). */
static const json_t *lookup(const struct render *r, const struct op *op)
{
	const json_t *v = NULL;

	if (op->n == 0)
		return r->stack[r->top - 1];
	for (unsigned i = r->top; i-- > 0;) {
		if (json_is_object(r->stack[i]) &&
				(v = json_object_getn(r->stack[i], op->seg[0].p,
					op->seg[0].n)) != NULL)
			break;
	}
	for (uint32_t k = 1; v && k < op->n; k++)
		v = json_is_object(v) ?
			json_object_getn(v, op->seg[k].p, op->seg[k].n) : NULL;
	return v;
}

/* "/" (give or take what browsers strip) followed by a literal '/' would
 * make "//host". */
static bool only_slash(const char *p, size_t n)
{
	size_t i = 0, k = 0;

	while (i < n && (unsigned char)p[i] <= 0x20)
		i++;
	for (; i < n; i++) {
		if (p[i] == '\t' || p[i] == '\n' || p[i] == '\r')
			continue;
		if ((p[i] != '/' && p[i] != '\\') || ++k > 1)
			return false;
	}
	return k == 1;
}

/* Decimal digits of v, written backwards ending at end; returns the start.
 * Ids and counts are on every page: printf's machinery is a tenth of a
 * render. */
static char *fmt_int(char *end, json_int_t v)
{
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
		(unsigned long long)v;
	char *p = end;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return p;
}

static void emit_value(struct buf *out, const json_t *v, enum esc esc)
{
	char num[64];
	const char *p;
	size_t n;
	int k;

	if (!v)
		return;
	switch (json_typeof(v)) {
	case JSON_STRING:
		p = json_string_value(v);
		n = json_string_length(v);
		break;
	case JSON_INTEGER:
		p = fmt_int(num + sizeof(num), json_integer_value(v));
		n = (size_t)(num + sizeof(num) - p);
		break;
	case JSON_REAL:
		k = snprintf(num, sizeof(num), "%.6g", json_real_value(v));
		if (k <= 0 || (size_t)k >= sizeof(num))
			return;
		p = num;
		n = (size_t)k;
		break;
	case JSON_TRUE:
		p = "true";
		n = 4;
		break;
	case JSON_FALSE:
		p = "false";
		n = 5;
		break;
	default:
		return;         /* null, arrays and objects print nothing */
	}
	switch (esc) {
	case ESC_HTML:
		esc_html(out, p, n);
		break;
	case ESC_URL_START:
	case ESC_URL_START_SLASH:
		if (!url_is_safe(p, n) ||
				(esc == ESC_URL_START_SLASH && only_slash(p, n)))
			buf_addc(out, '#');
		else
			esc_html(out, p, n);
		break;
	case ESC_URL_PART:
		esc_url_component(out, p, n);
		break;
	case ESC_RAW:
		buf_add(out, p, n);
		break;
	}
}

static bool truthy(const json_t *v)
{
	if (!v)
		return false;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
	case JSON_TRUE:
		return true;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0.0;
	default:
		return false;
	}
}

static enum err render_ops(struct render *r, const struct tmpl *t, uint32_t i,
		uint32_t end);

static enum err enter(struct render *r, const struct tmpl *t)
{
	if (r->depth >= LIMIT_TEMPLATE_DEPTH) {
		log_error("template %s: sections and partials nested deeper than %d",
			t->name, LIMIT_TEMPLATE_DEPTH);
		return ERR_INTERNAL;
	}
	r->depth++;
	return ERR_OK;
}

/* Renders a body with v pushed as the innermost context. */
static enum err render_body(struct render *r, const struct tmpl *t,
		const struct op *op, const json_t *v)
{
	enum err e;

	r->stack[r->top++] = v;
	e = render_ops(r, t, (uint32_t)(op - t->ops) + 1, op->arg);
	r->top--;
	return e;
}

static enum err render_section(struct render *r, const struct tmpl *t,
		const struct op *op)
{
	const json_t *v = lookup(r, op);
	enum err e;

	if (op->kind == OP_INVERTED) {
		if (truthy(v))
			return ERR_OK;
		if ((e = enter(r, t)))
			return e;
		e = render_ops(r, t, (uint32_t)(op - t->ops) + 1, op->arg);
		r->depth--;
		return e;
	}
	if (!truthy(v))
		return ERR_OK;
	if ((e = enter(r, t)))
		return e;
	if (json_is_array(v)) {
		size_t n = json_array_size(v);

		for (size_t k = 0; k < n && !e; k++) {
			if (++r->steps > TMPL_RENDER_STEPS)
				break;
			e = render_body(r, t, op, json_array_get(v, k));
		}
	} else {
		e = render_body(r, t, op, v);
	}
	r->depth--;
	return e;
}

static enum err render_partial(struct render *r, const struct tmpl *t,
		const struct op *op)
{
	const struct tmpl *p;
	enum err e;

	if (op->kind == OP_PARTIAL) {
		p = &r->set->t[op->arg];
	} else {
		const json_t *v = lookup(r, op);
		const char *name = json_string_value(v);
		long idx;

		if (!name || strlen(name) != json_string_length(v) ||
				(idx = find_tmpl(r->set, name, strlen(name))) < 0) {
			log_warn("template %s: dynamic partial names no template",
				t->name);
			return ERR_NOT_FOUND;
		}
		p = &r->set->t[idx];
		if (p->text_mode != t->text_mode) {
			log_error("template %s: partial %s is of the other mode "
				"(HTML/text)", t->name, p->name);
			return ERR_INTERNAL;
		}
	}
	if ((e = enter(r, p)))
		return e;
	e = render_ops(r, p, 0, p->nops);
	r->depth--;
	return e;
}

static enum err render_ops(struct render *r, const struct tmpl *t, uint32_t i,
		uint32_t end)
{
	enum err e;

	while (i < end) {
		const struct op *op = &t->ops[i];

		if (r->out->err)
			return ERR_TOO_LARGE;
		if (++r->steps > TMPL_RENDER_STEPS)
			return ERR_TOO_LARGE;
		switch ((enum op_kind)op->kind) {
		case OP_TEXT:
			buf_add(r->out, op->text, op->n);
			i++;
			break;
		case OP_VAR:
			emit_value(r->out, lookup(r, op), (enum esc)op->esc);
			i++;
			break;
		case OP_SECTION:
		case OP_INVERTED:
			if ((e = render_section(r, t, op)))
				return e;
			i = op->arg;
			break;
		case OP_PARTIAL:
		case OP_DPARTIAL:
			if ((e = render_partial(r, t, op)))
				return e;
			i++;
			break;
		}
	}
	if (r->steps > TMPL_RENDER_STEPS)
		return ERR_TOO_LARGE;
	return r->out->err ? ERR_TOO_LARGE : ERR_OK;
}

enum err tmpl_render(const struct tmpl_set *set, const char *name,
		const json_t *ctx, struct buf *out)
{
	struct render r;
	size_t start = out->len;
	long idx;
	enum err e;

	if (!set || !name || (idx = find_tmpl(set, name, strlen(name))) < 0)
		return ERR_NOT_FOUND;
	if (out->err)
		return ERR_TOO_LARGE;
	r.set = set;
	r.out = out;
	r.steps = 0;
	r.depth = 0;
	r.top = 1;
	r.stack[0] = ctx;
	e = render_ops(&r, &set->t[idx], 0, set->t[idx].nops);
	if (e == ERR_TOO_LARGE && r.steps > TMPL_RENDER_STEPS)
		log_error("template %s: more than %zu steps", name, TMPL_RENDER_STEPS);
	if (e)
		buf_truncate(out, start);
	return e;
}
