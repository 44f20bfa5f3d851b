/*
 * router.c - matching paths against the route tables.
 *
 * Patterns are split into segments once, at start-up. Routes are kept
 * sorted by specificity (literal segments before typed parameters before
 * free parameters, position by position), so the first route that matches
 * a path for the method is the most specific one. Matching splits and
 * decodes the request path once, then compares segments; with a few
 * hundred routes this is a few microseconds, well under the cost of the
 * database call that follows. A path segment is percent-decoded on its
 * own, so "%2F" can never create a segment boundary.
 */
#include "core/common.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/str.h"
#include "http/parse.h"
#include "http/router.h"

enum seg_kind { SEG_LIT, SEG_INT, SEG_UUID, SEG_SLUG, SEG_FILE, SEG_ANY };

struct seg {
	enum seg_kind kind;
	char *text;      /* literal text, or parameter name */
	size_t len;
};

struct croute {
	const struct route *route;
	size_t index;    /* position in the concatenated tables */
	size_t nsegs;
	struct seg segs[LIMIT_PATH_SEGMENTS];
};

struct router {
	struct croute *routes;     /* sorted by specificity */
	size_t n;
	const struct route **by_index;
};

static void free_segs(struct croute *c)
{
	for (size_t i = 0; i < c->nsegs; i++)
		free(c->segs[i].text);
}

void router_free(struct router *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		free_segs(&r->routes[i]);
	free(r->routes);
	free(r->by_index);
	free(r);
}

static bool valid_name(const char *p, size_t n)
{
	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || p[i] == '_' || (i && p[i] >= '0' && p[i] <= '9')))
			return false;
	return true;
}

static const char *compile(const struct route *rt, struct croute *c)
{
	const char *p = rt->pattern;
	size_t nparams = 0;

	c->nsegs = 0;
	if (!p || p[0] != '/')
		return "a pattern must start with /";
	if (strcmp(p, "/") == 0)
		return NULL;
	p++;
	for (;;) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		struct seg *s;

		if (n == 0)
			return "empty segment (double or trailing slash)";
		if (c->nsegs == LIMIT_PATH_SEGMENTS)
			return "too many segments";
		s = &c->segs[c->nsegs];
		if (p[0] == '{') {
			const char *colon = memchr(p, ':', n);
			size_t nl;
			struct { const char *name; enum seg_kind k; } types[] = {
				{ "int", SEG_INT }, { "uuid", SEG_UUID }, { "slug", SEG_SLUG },
				{ "file", SEG_FILE },
			};

			if (p[n - 1] != '}')
				return "a parameter must be a whole segment: {name} or {name:type}";
			nl = colon ? (size_t)(colon - p - 1) : n - 2;
			if (!valid_name(p + 1, nl))
				return "parameter names are lowercase letters, digits and _";
			s->kind = SEG_ANY;
			if (colon) {
				size_t tl = (size_t)(p + n - 1 - colon - 1);
				bool found = false;

				for (size_t i = 0; i < ARRAY_LEN(types); i++) {
					if (strlen(types[i].name) == tl && memcmp(colon + 1, types[i].name, tl) == 0) {
						s->kind = types[i].k;
						found = true;
					}
				}
				if (!found)
					return "unknown parameter type (int, uuid, slug, file)";
			}
			if (++nparams > LIMIT_ROUTE_PARAMS)
				return "too many parameters";
			s->text = strndup(p + 1, nl);
			s->len = nl;
		} else {
			if (memchr(p, '{', n) || memchr(p, '}', n))
				return "braces must enclose a whole segment";
			s->kind = SEG_LIT;
			s->text = strndup(p, n);
			s->len = n;
		}
		if (!s->text)
			return "out of memory";
		c->nsegs++;
		if (!end)
			break;
		p = end + 1;
	}
	return NULL;
}

/* Sort: fewer segments first (irrelevant to matching, keeps groups
 * together), then by segment kind position by position (literal first). */
static int cmp_routes(const void *a, const void *b)
{
	const struct croute *x = a, *y = b;

	if (x->nsegs != y->nsegs)
		return x->nsegs < y->nsegs ? -1 : 1;
	for (size_t i = 0; i < x->nsegs; i++) {
		if (x->segs[i].kind != y->segs[i].kind)
			return x->segs[i].kind < y->segs[i].kind ? -1 : 1;
	}
	return x->index < y->index ? -1 : x->index > y->index;
}

static bool same_shape(const struct croute *x, const struct croute *y)
{
	if (x->route->method != y->route->method || x->nsegs != y->nsegs)
		return false;
	for (size_t i = 0; i < x->nsegs; i++) {
		bool xl = x->segs[i].kind == SEG_LIT, yl = y->segs[i].kind == SEG_LIT;

		if (xl != yl)
			return false;
		if (xl && strcmp(x->segs[i].text, y->segs[i].text) != 0)
			return false;
	}
	return true;
}

enum err router_new(const struct route_table *tables, size_t ntables,
		struct router **out, char *errbuf, size_t errlen)
{
	struct router *r = calloc(1, sizeof(*r));
	size_t total = 0, k = 0;
	const char *why = NULL;
	const char *feature = "";
	const struct route *bad = NULL;

	if (!r)
		return ERR_NOMEM;
	for (size_t t = 0; t < ntables; t++)
		total += tables[t].n;
	r->routes = calloc(total ? total : 1, sizeof(*r->routes));
	r->by_index = calloc(total ? total : 1, sizeof(*r->by_index));
	if (!r->routes || !r->by_index) {
		router_free(r);
		return ERR_NOMEM;
	}
	for (size_t t = 0; t < ntables && !why; t++) {
		for (size_t i = 0; i < tables[t].n; i++) {
			const struct route *rt = &tables[t].routes[i];
			struct croute *c = &r->routes[k];

			c->route = rt;
			c->index = k;
			r->by_index[k] = rt;
			k++;
			r->n = k;
			if (!rt->handler)
				why = "no handler";
			else if (rt->method == M_HEAD || rt->method == M_OPTIONS || rt->method >= M__MAX)
				why = "HEAD and OPTIONS are answered by the router; use GET or another method";
			else
				why = compile(rt, c);
			if (!why && !rt->action)
				why = "no policy action";
			if (!why && (rt->flags & RF_CSRF) && !(rt->flags & RF_FORM))
				why = "RF_CSRF needs RF_FORM (the token travels in the form)";
			if (why) {
				feature = tables[t].feature;
				bad = rt;
				break;
			}
		}
	}
	if (!why) {
		for (size_t i = 0; i < r->n && !why; i++) {
			for (size_t j = i + 1; j < r->n; j++) {
				const struct route *a = r->routes[i].route, *b = r->routes[j].route;

				if (a->name && b->name && strcmp(a->name, b->name) == 0 &&
				    strcmp(a->pattern, b->pattern) != 0) {
					why = "its name is another path's: a name is one path";
					bad = b;
					feature = "";
					break;
				}
				if (same_shape(&r->routes[i], &r->routes[j])) {
					why = "duplicates another route with the same method and shape";
					bad = r->routes[j].route;
					feature = "";
					for (size_t t = 0, acc = 0; t < ntables; acc += tables[t].n, t++)
						if (j >= acc && j < acc + tables[t].n)
							feature = tables[t].feature;
					break;
				}
			}
		}
	}
	if (why) {
		snprintf(errbuf, errlen, "%s: %s %s: %s", feature ? feature : "?",
			 bad ? method_name(bad->method) : "?",
			 bad && bad->pattern ? bad->pattern : "?", why);
		router_free(r);
		return ERR_INVALID;
	}
	qsort(r->routes, r->n, sizeof(*r->routes), cmp_routes);
	*out = r;
	return ERR_OK;
}

size_t router_count(const struct router *r) { return r->n; }

/* A path segment, percent-encoded: unreserved characters as they are. */
static void segment_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			buf_add(b, s, 1);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };

			buf_add(b, e, 3);
		}
	}
}

static size_t params_in(const char *pattern)
{
	size_t n = 0;

	for (; *pattern; pattern++)
		n += *pattern == '{';
	return n;
}

const char *router_url(const struct router *r, struct arena *a, const char *name,
		const char *const *args, size_t nargs)
{
	const struct route *rt = NULL;
	struct buf b;
	size_t used = 0;
	const char *out = NULL;

	for (size_t i = 0; r && name && i < r->n && !rt; i++)
		if (r->by_index[i]->name && strcmp(r->by_index[i]->name, name) == 0)
			rt = r->by_index[i];
	if (!rt) {
		log_error("router_url: no route is named %s", name ? name : "(null)");
		return NULL;
	}
	buf_init(&b, LIMIT_URL_BYTES);
	for (const char *p = rt->pattern; *p;) {
		const char *close;

		if (*p != '{') {
			buf_add(&b, p, 1);
			p++;
			continue;
		}
		close = strchr(p, '}');
		if (!close || used == nargs || !args[used])
			break;
		segment_encode(&b, args[used]);
		used++;
		p = close + 1;
	}
	/* Every parameter filled, and none left over. */
	if (used == nargs && params_in(rt->pattern) == nargs)
		out = buf_ok(&b) ? arena_strndup(a, b.p, b.len) : NULL;
	if (!out)
		log_error("router_url: %s takes other parameters than the %zu given", name, nargs);
	buf_release(&b);
	return out;
}

const struct route *router_at(const struct router *r, size_t i)
{
	return i < r->n ? r->by_index[i] : NULL;
}

static bool seg_ok(enum seg_kind k, const char *p, size_t n, int64_t *iv)
{
	switch (k) {
	case SEG_LIT:
		return false;
	case SEG_INT:
		if (n == 0 || n > 16 || p[0] == '0')
			return false;
		return str_to_i64((struct str){ p, n }, 1, (int64_t)1 << 53, iv);
	case SEG_UUID:
		return str_is_uuid((struct str){ p, n });
	case SEG_SLUG:
		if (n == 0 || n > 64)
			return false;
		for (size_t i = 0; i < n; i++)
			if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '-'))
				return false;
		return true;
	case SEG_FILE:
		if (n == 0 || n > 128 || p[0] == '.')
			return false;
		for (size_t i = 0; i < n; i++)
			if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
			      (p[i] >= '0' && p[i] <= '9') || p[i] == '-' || p[i] == '_' || p[i] == '.'))
				return false;
		return true;
	case SEG_ANY:
		return n > 0 && n <= 256 && !memchr(p, '/', n) && str_is_clean_utf8(p, n) &&
		       !memchr(p, '\n', n) && !memchr(p, '\r', n) && !memchr(p, '\t', n);
	}
	return false;
}

enum err router_match(const struct router *r, struct arena *a, enum method m,
		const char *path, struct route_match *out)
{
	struct { char *p; size_t n; } segs[LIMIT_PATH_SEGMENTS];
	size_t nsegs = 0;
	const char *p = path;
	enum method want = m == M_HEAD ? M_GET : m;

	memset(out, 0, sizeof(*out));
	if (!path || path[0] != '/')
		return ERR_BAD_REQUEST;
	p++;
	while (*p) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char *d;
		size_t dn;

		if (n == 0)
			return ERR_OK;   /* empty segment: nothing matches (404) */
		if (nsegs == LIMIT_PATH_SEGMENTS)
			return ERR_OK;
		d = arena_alloc(a, n + 1);
		if (!d)
			return ERR_NOMEM;
		dn = parse_pct_decode(p, n, d, false);
		if (dn == (size_t)-1)
			return ERR_BAD_REQUEST;
		d[dn] = '\0';
		segs[nsegs].p = d;
		segs[nsegs].n = dn;
		nsegs++;
		if (!end)
			break;
		p = end + 1;
		if (!*p)
			return ERR_OK;   /* trailing slash: only "/" has one */
	}

	for (size_t i = 0; i < r->n; i++) {
		const struct croute *c = &r->routes[i];
		struct param params[LIMIT_ROUTE_PARAMS];
		size_t np = 0;
		bool ok = true;

		if (c->nsegs != nsegs)
			continue;
		for (size_t s = 0; s < nsegs && ok; s++) {
			const struct seg *sg = &c->segs[s];

			if (sg->kind == SEG_LIT) {
				ok = sg->len == segs[s].n && memcmp(sg->text, segs[s].p, sg->len) == 0;
			} else {
				int64_t iv = 0;

				ok = seg_ok(sg->kind, segs[s].p, segs[s].n, &iv);
				/* One spelling of an id for every handler and query. */
				if (ok && sg->kind == SEG_UUID)
					str_lower_ascii(segs[s].p, segs[s].n);
				if (ok) {
					params[np].name = sg->text;
					params[np].val = segs[s].p;
					params[np].i = iv;
					np++;
				}
			}
		}
		if (!ok)
			continue;
		out->allowed |= 1u << c->route->method;
		if (c->route->method == want && !out->route) {
			out->route = c->route;
			out->index = c->index;
			memcpy(out->params, params, np * sizeof(params[0]));
			out->nparams = np;
		}
	}
	return ERR_OK;
}

const char *router_allow_header(struct arena *a, unsigned allowed)
{
	char tmp[96];
	size_t n = 0;

	tmp[0] = '\0';
	for (int m = 0; m < M__MAX; m++) {
		bool has = allowed & (1u << m);

		if (m == M_HEAD)
			has = allowed & (1u << M_GET);
		if (m == M_OPTIONS)
			has = false;
		if (!has)
			continue;
		n += (size_t)snprintf(tmp + n, sizeof(tmp) - n, "%s%s", n ? ", " : "", method_name((enum method)m));
	}
	return arena_strdup(a, tmp);
}
