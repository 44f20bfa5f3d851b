/*
 * demo_data.c - reads the CSV files of data/demo/ into the tables demo.c
 * draws from.
 *
 * The files are CSV (RFC 4180 quoting: a field with a comma or a quote is
 * quoted, a quote inside doubled), one record a line, with a header line
 * naming the columns; the header must be exactly the one expected, so a
 * column moved in a spreadsheet is an error, not a shuffled town. Lists
 * are rows sharing a key ("list", "kind", "sector"), in the order of the
 * file. Everything lives in the demo_data's arena; nothing here is on a
 * request path (only `kith demo` reads it).
 */
#include "core/common.h"
#include "directory/demo_data.h"

#include "core/embedded.h"
#include "core/str.h"

/* A file's records: v[row * ncols + col]. */
struct table {
	const char *file;
	const char **v;
	size_t n, ncols;
};
#define CELL(t, r, c) ((t)->v[(size_t)(r) * (t)->ncols + (size_t)(c)])

struct loader {
	struct demo_data *d;
	char *why;
	size_t whylen;
};

static enum err bad(struct loader *l, const char *file, size_t line, const char *what)
{
	if (line)
		snprintf(l->why, l->whylen, "data/demo/%s line %zu: %s", file, line, what);
	else
		snprintf(l->why, l->whylen, "data/demo/%s: %s", file, what);
	return ERR_INTERNAL;
}

/* One field at *p (up to eol), unquoted into the arena; *p moves to the
 * comma after it or to eol. NULL with *err set for a quote that does not
 * close its field, NULL alone when out of memory. */
static const char *csv_field(struct arena *a, const char **p, const char *eol, bool *err)
{
	const char *s = *p, *c;
	char *out, *o;

	if (s == eol || *s != '"') {
		c = memchr(s, ',', (size_t)(eol - s));
		*p = c ? c : eol;
		return arena_strndup(a, s, (size_t)(*p - s));
	}
	if (!(out = o = arena_alloc(a, (size_t)(eol - s))))
		return NULL;
	for (s++; s < eol; s++) {
		if (*s == '"' && s + 1 < eol && s[1] == '"') {
			*o++ = *s++;
		} else if (*s == '"') {
			*o = '\0';
			*p = s + 1;
			if (*p < eol && **p != ',')
				break;
			return out;
		} else {
			*o++ = *s;
		}
	}
	*err = true;
	return NULL;
}

/* Splits one line into exactly ncols fields (row of t). */
static enum err csv_line(struct loader *l, struct table *t, const char *p, const char *eol, size_t line)
{
	size_t nf = 0;

	for (;;) {
		bool err = false;
		const char *v;

		if (nf == t->ncols)
			return bad(l, t->file, line, arena_printf(&l->d->a, "has more than %zu fields", t->ncols));
		if (!(v = csv_field(&l->d->a, &p, eol, &err)))
			return err ? bad(l, t->file, line, "has a quote that does not close its field") : ERR_NOMEM;
		CELL(t, t->n, nf++) = v;
		if (p == eol)
			break;
		p++;     /* the comma */
	}
	if (nf != t->ncols)
		return bad(l, t->file, line, arena_printf(&l->d->a, "has %zu fields, not %zu", nf, t->ncols));
	t->n++;
	return ERR_OK;
}

/* Reads data/demo/file: its header must be header, every record as many
 * fields. Empty lines are skipped. */
static enum err table_load(struct loader *l, const char *file, const char *header, struct table *t)
{
	char name[64];
	const struct embedded_file *f;
	const char *p, *end;
	size_t cap = 1, line = 1;
	enum err e;

	memset(t, 0, sizeof(*t));
	t->file = file;
	t->ncols = 1;
	snprintf(name, sizeof(name), "demo/%s", file);
	if (!(f = embedded_find(embedded_data, embedded_data_n, name)))
		return bad(l, file, 0, "is not built into kith");
	p = (const char *)f->data;
	end = p + f->len;
	for (const char *h = header; *h; h++)
		t->ncols += *h == ',';
	for (const char *q = p; q < end; q++)
		cap += *q == '\n';
	if (!(t->v = arena_calloc(&l->d->a, cap * t->ncols, sizeof(*t->v))))
		return ERR_NOMEM;
	for (; p < end; line++) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *next;

		next = eol ? eol + 1 : end;
		if (!eol)
			eol = end;
		if (eol > p && eol[-1] == '\r')
			eol--;
		if (line == 1) {
			if ((size_t)(eol - p) != strlen(header) || memcmp(p, header, strlen(header)) != 0)
				return bad(l, file, 1, arena_printf(&l->d->a, "the header is not \"%s\"", header));
		} else if (eol > p && (e = csv_line(l, t, p, eol, line)) != ERR_OK) {
			return e;
		}
		p = next;
	}
	return ERR_OK;
}

/* The values of column col in the rows whose column keycol is key, in
 * file order, NULL-terminated (an empty list when there are none). */
static const char *const *list_of(struct loader *l, const struct table *t, size_t keycol,
		const char *key, size_t col)
{
	size_t n = 0;
	const char **out;

	for (size_t r = 0; r < t->n; r++)
		n += strcmp(CELL(t, r, keycol), key) == 0;
	if (!(out = arena_calloc(&l->d->a, n + 1, sizeof(*out))))
		return NULL;
	n = 0;
	for (size_t r = 0; r < t->n; r++)
		if (strcmp(CELL(t, r, keycol), key) == 0)
			out[n++] = CELL(t, r, col);
	return out;
}

/* A list that must have at least one entry. */
static enum err need_list(struct loader *l, const struct table *t, size_t keycol, const char *key,
		size_t col, const char *const **out)
{
	if (!(*out = list_of(l, t, keycol, key, col)))
		return ERR_NOMEM;
	if (!(*out)[0])
		return bad(l, t->file, 0, arena_printf(&l->d->a, "has no \"%s\" lines", key));
	return ERR_OK;
}

/* Space-separated words of a field; NULL for an empty field. */
static enum err words_of(struct loader *l, const char *s, const char *const **out)
{
	size_t n = 0;
	const char **v;
	char *copy, *p;

	*out = NULL;
	if (!s[0])
		return ERR_OK;
	for (const char *q = s; *q; q++)
		n += *q == ' ';
	if (!(v = arena_calloc(&l->d->a, n + 2, sizeof(*v))) || !(copy = arena_strdup(&l->d->a, s)))
		return ERR_NOMEM;
	n = 0;
	for (p = copy; p;) {
		char *sp = strchr(p, ' ');

		if (sp)
			*sp++ = '\0';
		if (*p)
			v[n++] = p;
		p = sp;
	}
	*out = v;
	return ERR_OK;
}

static bool int_of(const char *s, int max, int *out)
{
	int64_t v;

	if (!str_to_i64(str_c(s), 0, max, &v))
		return false;
	*out = (int)v;
	return true;
}

static bool yes_no(const char *s, bool *out)
{
	*out = strcmp(s, "yes") == 0;
	return *out || strcmp(s, "no") == 0;
}

static const char *const join_names[JOIN__MAX] = {
	[JOIN_UNKNOWN] = "unknown", [JOIN_TURN_UP] = "turn-up", [JOIN_SELF_REFER] = "self-refer",
	[JOIN_REFERRAL] = "referral",
};

/* "turn-up" -> JOIN_TURN_UP; "" is unknown. */
static bool join_of(const char *s, enum join_how *out)
{
	for (int j = 0; j < JOIN__MAX; j++)
		if (strcmp(s, join_names[j]) == 0 || (!s[0] && j == JOIN_UNKNOWN)) {
			*out = (enum join_how)j;
			return true;
		}
	return false;
}

static const char *const part_names[] = { "morning", "lunch", "afternoon", "evening", "office" };

/* "morning afternoon" -> SL_MORNING | SL_AFTERNOON; 0 for a word that is
 * not a part of the day. */
static unsigned parts_of(const char *s)
{
	unsigned bits = 0;

	while (*s) {
		size_t n = strcspn(s, " "), i;

		for (i = 0; i < ARRAY_LEN(part_names); i++)
			if (n == strlen(part_names[i]) && strncmp(s, part_names[i], n) == 0)
				break;
		if (i == ARRAY_LEN(part_names))
			return 0;
		bits |= 1u << i;
		s += n;
		while (*s == ' ')
			s++;
	}
	return bits;
}

/* "2.50" -> 2.5: whole pence, divided once, so the double is the one the
 * literal 2.50 would be. */
static bool pounds_of(const char *s, double *out)
{
	const char *dot = strchr(s, '.');
	int64_t pounds, pence = 0;

	if (!str_to_i64((struct str){ s, dot ? (size_t)(dot - s) : strlen(s) }, 0, 100000, &pounds))
		return false;
	if (dot && (strlen(dot + 1) != 2 || !str_to_i64(str_c(dot + 1), 0, 99, &pence)))
		return false;
	*out = (double)(pounds * 100 + pence) / 100.0;
	return true;
}

/* ---------------------------------------------------------------- the files */

static enum err load_town(struct loader *l)
{
	static const struct { const char *key; size_t off; } keys[] = {
		{ "name", offsetof(struct demo_data, town_name) },
		{ "districts", offsetof(struct demo_data, town_districts) },
		{ "area", offsetof(struct demo_data, town_area) },
		{ "county", offsetof(struct demo_data, town_county) },
		{ "valley", offsetof(struct demo_data, town_valley) },
		{ "organiser_org_name", offsetof(struct demo_data, organiser_org_name) },
		{ "organiser_org_description", offsetof(struct demo_data, organiser_org_desc) },
	};
	struct demo_data *d = l->d;
	struct table t, st, sec;
	struct town_sector *s;
	enum err e;

	if ((e = table_load(l, "town.csv", "key,value", &t)) != ERR_OK)
		return e;
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		const char *const *v = list_of(l, &t, 0, keys[i].key, 1);

		if (!v)
			return ERR_NOMEM;
		if (!v[0] || v[1])
			return bad(l, t.file, 0, arena_printf(&d->a, "needs one \"%s\" line", keys[i].key));
		*(const char **)((char *)d + keys[i].off) = v[0];
	}
	if ((e = table_load(l, "streets.csv", "list,street", &st)) != ERR_OK ||
	    (e = need_list(l, &st, 0, "uk", 1, &d->uk_streets)) != ERR_OK ||
	    (e = table_load(l, "town_sectors.csv", "sector,neighbourhood,weight,village", &sec)) != ERR_OK)
		return e;
	if (!(s = arena_calloc(&d->a, sec.n, sizeof(*s))))
		return ERR_NOMEM;
	for (size_t r = 0; r < sec.n; r++) {
		s[r].sector = CELL(&sec, r, 0);
		s[r].local = CELL(&sec, r, 1);
		if (!int_of(CELL(&sec, r, 2), 1000, &s[r].weight) || !yes_no(CELL(&sec, r, 3), &s[r].village))
			return bad(l, sec.file, r + 2, "weight must be a whole number and village yes or no");
		if ((e = need_list(l, &st, 0, s[r].sector, 1, &s[r].streets)) != ERR_OK)
			return e;
	}
	d->sectors = s;
	d->nsectors = sec.n;
	return ERR_OK;
}

static enum err load_words(struct loader *l)
{
	struct demo_data *d = l->d;
	struct table w, s;
	char key[32];
	enum err e;

	if ((e = table_load(l, "words.csv", "list,word", &w)) != ERR_OK ||
	    (e = need_list(l, &w, 0, "town-head", 1, &d->town_heads)) != ERR_OK ||
	    (e = need_list(l, &w, 0, "town-tail", 1, &d->town_tails)) != ERR_OK ||
	    (e = need_list(l, &w, 0, "local-form", 1, &d->local_forms)) != ERR_OK ||
	    (e = need_list(l, &w, 0, "farm", 1, &d->farms)) != ERR_OK ||
	    (e = need_list(l, &w, 0, "saint", 1, &d->saints)) != ERR_OK ||
	    (e = table_load(l, "sentences.csv", "list,text", &s)) != ERR_OK ||
	    (e = need_list(l, &s, 0, "peer", 1, &d->peer_lines)) != ERR_OK ||
	    (e = need_list(l, &s, 0, "online", 1, &d->online_lines)) != ERR_OK ||
	    (e = need_list(l, &s, 0, "extra", 1, &d->extra_lines)) != ERR_OK ||
	    (e = need_list(l, &s, 0, "step-free", 1, &d->step_free_lines)) != ERR_OK ||
	    (e = need_list(l, &s, 0, "steps", 1, &d->steps_lines)) != ERR_OK)
		return e;
	for (int j = 0; j < JOIN__MAX; j++) {
		const char *const *how;

		snprintf(key, sizeof(key), "join-%s", join_names[j]);
		if ((e = need_list(l, &s, 0, key, 1, &d->join_lines[j])) != ERR_OK)
			return e;
		snprintf(key, sizeof(key), "how-%s", join_names[j]);
		if ((e = need_list(l, &s, 0, key, 1, &how)) != ERR_OK)
			return e;
		d->how_words[j] = how[0];
	}
	return ERR_OK;
}

static enum err load_tables(struct loader *l)
{
	struct demo_data *d = l->d;
	struct table t;
	struct slot *sl;
	struct cond_text *c;
	struct demo_language *lang;
	enum err e;

	if ((e = table_load(l, "slots.csv", "part,opens,closes", &t)) != ERR_OK)
		return e;
	if (!(sl = arena_calloc(&d->a, t.n, sizeof(*sl))))
		return ERR_NOMEM;
	for (size_t r = 0; r < t.n; r++) {
		sl[r] = (struct slot){ parts_of(CELL(&t, r, 0)), CELL(&t, r, 1), CELL(&t, r, 2) };
		if (!sl[r].group || (sl[r].group & (sl[r].group - 1)) || strlen(sl[r].opens) != 5)
			return bad(l, t.file, r + 2, "needs one part of the day and a time like 09:30");
	}
	d->slots = sl;
	d->nslots = t.n;
	if ((e = table_load(l, "conditions.csv", "code,title,phrase", &t)) != ERR_OK)
		return e;
	if (!(c = arena_calloc(&d->a, t.n, sizeof(*c))))
		return ERR_NOMEM;
	for (size_t r = 0; r < t.n; r++)
		c[r] = (struct cond_text){ CELL(&t, r, 0), CELL(&t, r, 1), CELL(&t, r, 2) };
	d->conds = c;
	d->nconds = t.n;
	if ((e = table_load(l, "languages.csv", "code,name,percent", &t)) != ERR_OK)
		return e;
	if (!(lang = arena_calloc(&d->a, t.n, sizeof(*lang))))
		return ERR_NOMEM;
	for (size_t r = 0; r < t.n; r++) {
		lang[r] = (struct demo_language){ CELL(&t, r, 0), CELL(&t, r, 1), 0 };
		if (!int_of(CELL(&t, r, 2), 100, &lang[r].pct))
			return bad(l, t.file, r + 2, "percent must be a whole number from 0 to 100");
	}
	d->languages = lang;
	d->nlanguages = t.n;
	return ERR_OK;
}

/* What a kind's lines in the other files give it. */
struct kind_files {
	struct table text, orgs, venues, costs;
};

static enum err kind_costs(struct loader *l, const struct table *costs, const char *list,
		const struct cost **out)
{
	size_t n = 0;
	struct cost *c;

	*out = NULL;
	if (!list[0])
		return ERR_OK;
	for (size_t r = 0; r < costs->n; r++)
		n += strcmp(CELL(costs, r, 0), list) == 0;
	if (!n)
		return bad(l, "kinds.csv", 0, arena_printf(&l->d->a, "names costs \"%s\", which costs.csv has not", list));
	if (!(c = arena_calloc(&l->d->a, n + 1, sizeof(*c))))
		return ERR_NOMEM;
	n = 0;
	for (size_t r = 0; r < costs->n; r++) {
		if (strcmp(CELL(costs, r, 0), list) != 0)
			continue;
		if (!pounds_of(CELL(costs, r, 1), &c[n].amount))
			return bad(l, costs->file, r + 2, "amount must be pounds and pence, like 2.50");
		c[n++].words = CELL(costs, r, 2);
	}
	*out = c;
	return ERR_OK;
}

static enum err kind_orgs(struct loader *l, const struct table *orgs, const char *code,
		const struct org_tmpl **out)
{
	size_t n = 0;
	struct org_tmpl *o;

	for (size_t r = 0; r < orgs->n; r++)
		n += strcmp(CELL(orgs, r, 0), code) == 0;
	if (!n)
		return bad(l, orgs->file, 0, arena_printf(&l->d->a, "has no organisation for kind \"%s\"", code));
	if (!(o = arena_calloc(&l->d->a, n + 1, sizeof(*o))))
		return ERR_NOMEM;
	n = 0;
	for (size_t r = 0; r < orgs->n; r++)
		if (strcmp(CELL(orgs, r, 0), code) == 0)
			o[n++] = (struct org_tmpl){ CELL(orgs, r, 1), CELL(orgs, r, 2) };
	*out = o;
	return ERR_OK;
}

/* The sentences of one part ("name", "open", ...) of a kind. */
static enum err kind_text(struct loader *l, const struct table *text, const char *code,
		const char *part, const char *const **out)
{
	size_t n = 0;
	const char **v;

	for (size_t r = 0; r < text->n; r++)
		n += strcmp(CELL(text, r, 0), code) == 0 && strcmp(CELL(text, r, 1), part) == 0;
	if (!n)
		return bad(l, text->file, 0, arena_printf(&l->d->a, "has no %s for kind \"%s\"", part, code));
	if (!(v = arena_calloc(&l->d->a, n + 1, sizeof(*v))))
		return ERR_NOMEM;
	n = 0;
	for (size_t r = 0; r < text->n; r++)
		if (strcmp(CELL(text, r, 0), code) == 0 && strcmp(CELL(text, r, 1), part) == 0)
			v[n++] = CELL(text, r, 2);
	*out = v;
	return ERR_OK;
}

/* One line of kinds.csv (row r) and what the other files say about it. */
static enum err kind_of(struct loader *l, const struct table *t, size_t r, const struct kind_files *kf,
		struct kind *k)
{
	enum { C_CODE, C_TOWN, C_WEIGHT, C_CATS, C_CONDS, C_COND_PCT, C_VENUES, C_JOIN, C_JOIN_OTHER_PCT,
	       C_JOIN_OTHER, C_PEER_PCT, C_PAID_PCT, C_COSTS, C_ONLINE_PCT, C_SLOTS, C_WEEKLY_PCT,
	       C_FORTNIGHTLY_PCT, C_MIN_AGE, C_WEEKENDS };
	const char *code = CELL(t, r, C_CODE);
	enum err e;

	k->code = code;
	if (!int_of(CELL(t, r, C_TOWN), 1000, &k->town) || !int_of(CELL(t, r, C_WEIGHT), 1000, &k->weight) ||
	    !int_of(CELL(t, r, C_COND_PCT), 100, &k->cond_pct) ||
	    !int_of(CELL(t, r, C_JOIN_OTHER_PCT), 100, &k->join_other_pct) ||
	    !int_of(CELL(t, r, C_PEER_PCT), 100, &k->peer_pct) || !int_of(CELL(t, r, C_PAID_PCT), 100, &k->paid_pct) ||
	    !int_of(CELL(t, r, C_ONLINE_PCT), 100, &k->online_pct) ||
	    !int_of(CELL(t, r, C_WEEKLY_PCT), 100, &k->weekly_pct) ||
	    !int_of(CELL(t, r, C_FORTNIGHTLY_PCT), 100, &k->fortnightly_pct) ||
	    !int_of(CELL(t, r, C_MIN_AGE), 120, &k->min_age))
		return bad(l, t->file, r + 2, "its numbers must be whole numbers (percentages 0 to 100)");
	if (!join_of(CELL(t, r, C_JOIN), &k->join) || !join_of(CELL(t, r, C_JOIN_OTHER), &k->join_other))
		return bad(l, t->file, r + 2, "join must be unknown, turn-up, self-refer or referral");
	if (!(k->slots = parts_of(CELL(t, r, C_SLOTS))))
		return bad(l, t->file, r + 2, "slots must be parts of the day: morning lunch afternoon evening office");
	if (!yes_no(CELL(t, r, C_WEEKENDS), &k->weekends))
		return bad(l, t->file, r + 2, "weekends must be yes or no");
	if ((e = words_of(l, CELL(t, r, C_CATS), &k->cats)) != ERR_OK ||
	    (e = words_of(l, CELL(t, r, C_CONDS), &k->conds)) != ERR_OK ||
	    (e = need_list(l, &kf->venues, 0, CELL(t, r, C_VENUES), 1, &k->venues)) != ERR_OK ||
	    (e = kind_costs(l, &kf->costs, CELL(t, r, C_COSTS), &k->costs)) != ERR_OK ||
	    (e = kind_orgs(l, &kf->orgs, code, &k->orgs)) != ERR_OK ||
	    (e = kind_text(l, &kf->text, code, "name", &k->names)) != ERR_OK ||
	    (e = kind_text(l, &kf->text, code, "open", &k->open)) != ERR_OK ||
	    (e = kind_text(l, &kf->text, code, "detail", &k->detail)) != ERR_OK ||
	    (e = kind_text(l, &kf->text, code, "who", &k->who)) != ERR_OK)
		return e;
	return ERR_OK;
}

static enum err load_kinds(struct loader *l)
{
	struct demo_data *d = l->d;
	struct kind_files kf;
	struct table t;
	struct kind *k;
	enum err e;

	if ((e = table_load(l, "kind_text.csv", "kind,part,text", &kf.text)) != ERR_OK ||
	    (e = table_load(l, "kind_orgs.csv", "kind,name,description", &kf.orgs)) != ERR_OK ||
	    (e = table_load(l, "venues.csv", "list,venue", &kf.venues)) != ERR_OK ||
	    (e = table_load(l, "costs.csv", "list,amount,words", &kf.costs)) != ERR_OK ||
	    (e = table_load(l, "kinds.csv", "code,town,weight,categories,conditions,condition_pct,venues,"
			    "join,join_other_pct,join_other,peer_pct,paid_pct,costs,online_pct,slots,"
			    "weekly_pct,fortnightly_pct,minimum_age,weekends", &t)) != ERR_OK)
		return e;
	if (t.n == 0)
		return bad(l, t.file, 0, "has no kinds");
	if (!(k = arena_calloc(&d->a, t.n, sizeof(*k))))
		return ERR_NOMEM;
	for (size_t r = 0; r < t.n; r++)
		if ((e = kind_of(l, &t, r, &kf, &k[r])) != ERR_OK)
			return e;
	d->kinds = k;
	d->nkinds = t.n;
	return ERR_OK;
}

enum err demo_data_load(struct demo_data *d, char *why, size_t whylen)
{
	struct loader l = { d, why, whylen };
	enum err e;

	memset(d, 0, sizeof(*d));
	arena_init(&d->a);
	why[0] = '\0';
	if ((e = load_town(&l)) != ERR_OK || (e = load_words(&l)) != ERR_OK ||
	    (e = load_tables(&l)) != ERR_OK || (e = load_kinds(&l)) != ERR_OK) {
		if (e == ERR_NOMEM && !why[0])
			snprintf(why, whylen, "out of memory reading data/demo");
		return e;
	}
	return ERR_OK;
}

void demo_data_release(struct demo_data *d)
{
	arena_release(&d->a);
}
