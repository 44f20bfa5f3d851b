/*
 * places.c - towns and villages from addresses (places.h).
 *
 * Entries are kept as they come (name, key, postcode, point), their
 * strings in one pool that the places point into once sealed; sealing
 * sorts them by key and postcode and walks each run of one key: its
 * display name is the spelling most entries use, its centre the mean of
 * its distinct postcodes' points near their median. Lookups are a binary
 * search over the places sorted by key; suggestions measure the edit
 * distance to every key, which is only done for a name that is not known
 * (an error page), over a few thousand places at most.
 */
#include "core/common.h"

#include <math.h>

#include "core/buf.h"
#include "search/places.h"
#include "search/postcode.h"
#include "search/search.h"

#define KEY_MAX 128

/* An address: its strings are offsets into the pool while it grows,
 * and pointers into it from sealing on (the pool no longer moves). */
struct ent {
	size_t name_at, key_at, pc_at;
	const char *name, *key, *postcode;
	double lat, lon;
};

struct pl_place {
	struct place_name p;             /* p.name points into the pool */
	const char *key;                 /* so does this */
};

/* The pool's bound: every entry's three strings at their longest. */
#define POOL_MAX ((size_t)PLACES_ENTRIES_MAX * (PLACE_NAME_MAX + KEY_MAX + 32))

struct places {
	struct ent *e;
	size_t n, cap;
	struct buf pool;                 /* every string, NUL-separated */
	struct pl_place *p;              /* sealed: by key */
	size_t np;
	bool sealed;
};

struct places *places_new(void)
{
	struct places *pl = calloc(1, sizeof(struct places));

	if (pl)
		buf_init(&pl->pool, POOL_MAX);
	return pl;
}

static void free_entries(struct places *pl)
{
	free(pl->e);
	pl->e = NULL;
	pl->n = pl->cap = 0;
}

void places_free(struct places *pl)
{
	if (!pl)
		return;
	free_entries(pl);
	free(pl->p);
	buf_release(&pl->pool);
	free(pl);
}

/* s (with its NUL) added to the pool: its offset; false out of memory. */
static bool pool_add(struct places *pl, const char *s, size_t *at)
{
	*at = pl->pool.len;
	buf_add(&pl->pool, s, strlen(s) + 1);
	return buf_ok(&pl->pool);
}

/* ---------------------------------------------------------------- keys */

static bool is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

bool places_key(const char *text, char *out, size_t cap)
{
	struct buf pre, words;
	bool ok;

	if (cap == 0)
		return false;
	out[0] = '\0';
	if (!text)
		return true;
	/* Words as typed, apostrophes dropped ("Mary's" is "Marys"), any
	 * other punctuation a gap ("Barton-upon-Humber"), and "St" (or
	 * "St.") as "Saint". */
	buf_init(&pre, 4 * KEY_MAX);
	for (const unsigned char *p = (const unsigned char *)text; *p && pre.len < 2 * KEY_MAX;) {
		if (!is_word_byte(*p)) {
			p++;
			continue;
		}
		const unsigned char *w = p;
		size_t n = 0;
		char word[KEY_MAX];

		while (*p && n + 1 < sizeof(word)) {
			if (is_word_byte(*p))
				word[n++] = (char)*p++;
			else if (*p == '\'')
				p++;
			else if (p[0] == 0xe2 && p[1] == 0x80 && p[2] == 0x99)   /* ’ */
				p += 3;
			else
				break;
		}
		word[n] = '\0';
		if (pre.len)
			buf_addc(&pre, ' ');
		if (n == 2 && (w[0] | 0x20) == 's' && (w[1] | 0x20) == 't')
			buf_adds(&pre, "saint");
		else
			buf_adds(&pre, word);
		while (*p && is_word_byte(*p))   /* a word longer than we keep */
			p++;
	}
	buf_init(&words, 4 * KEY_MAX);
	if (pre.len && buf_ok(&pre))
		search_words(pre.p, &words);
	ok = buf_ok(&pre) && buf_ok(&words) && words.len < cap;
	if (ok && words.len)
		memcpy(out, words.p, words.len + 1);
	buf_release(&pre);
	buf_release(&words);
	return ok;
}

/* ---------------------------------------------------------------- building */

static bool has_letter(const char *s)
{
	for (; *s; s++)
		if (((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z') || (unsigned char)*s >= 0x80)
			return true;
	return false;
}

/* s into out trimmed, spaces collapsed, control characters dropped, cut
 * at PLACE_NAME_MAX bytes (between characters). */
static void clean_name(const char *s, char out[PLACE_NAME_MAX + 1])
{
	size_t n = 0;
	bool space = false;

	while (*s) {
		unsigned char c = (unsigned char)*s;
		size_t l = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			space = n > 0;
			s++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			s++;
			continue;
		}
		if (strnlen(s, l) < l)
			break;                       /* a character cut short at the end */
		if (n + (space ? 1 : 0) + l > PLACE_NAME_MAX)
			break;
		if (space)
			out[n++] = ' ';
		space = false;
		memcpy(out + n, s, l);
		n += l;
		s += l;
	}
	out[n] = '\0';
}

enum err places_add(struct places *pl, const char *name, const char *postcode, double lat, double lon)
{
	char key[KEY_MAX], clean[PLACE_NAME_MAX + 1];
	struct ent *e;
	size_t mark;

	if (!pl || pl->sealed || !isfinite(lat) || !isfinite(lon) || fabs(lat) > 90 || fabs(lon) > 180)
		return ERR_INVALID;
	if (!name || !has_letter(name) || pl->n >= PLACES_ENTRIES_MAX)
		return ERR_OK;
	/* The key of the name as kept, so the name shown always finds it. */
	clean_name(name, clean);
	if (!places_key(clean, key, sizeof(key)) || !key[0])
		return ERR_OK;
	if (pl->n == pl->cap) {
		size_t nc = pl->cap ? pl->cap * 2 : 64;
		struct ent *p = realloc(pl->e, nc * sizeof(*p));

		if (!p)
			return ERR_NOMEM;
		pl->e = p;
		pl->cap = nc;
	}
	e = &pl->e[pl->n];
	*e = (struct ent){ .lat = lat, .lon = lon };
	mark = pl->pool.len;
	if (!pool_add(pl, clean, &e->name_at) || !pool_add(pl, key, &e->key_at) ||
	    !pool_add(pl, postcode ? postcode : "", &e->pc_at)) {
		buf_truncate(&pl->pool, mark);
		return ERR_NOMEM;
	}
	pl->n++;
	return ERR_OK;
}

static int ent_cmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (!c)
		c = strcmp(x->postcode, y->postcode);
	if (!c)
		c = strcmp(x->name, y->name);
	return c;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), dbl_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The centre of entries e[0..n) (sorted by postcode): the mean of the
 * distinct postcodes' points within PLACES_OUTLIER_M of their median. */
static bool centre(const struct ent *e, size_t n, double *lat, double *lon)
{
	double *la = malloc(n * sizeof(*la)), *lo = malloc(n * sizeof(*lo));
	double *pla = calloc(n, sizeof(*pla)), *plo = calloc(n, sizeof(*plo));
	size_t m = 0, k = 0;
	double sla = 0, slo = 0, mla, mlo;

	if (!la || !lo || !pla || !plo) {
		free(la);
		free(lo);
		free(pla);
		free(plo);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && e[i].postcode[0] && strcmp(e[i].postcode, e[i - 1].postcode) == 0)
			continue;                /* that postcode once */
		pla[m] = la[m] = e[i].lat;
		plo[m] = lo[m] = e[i].lon;
		m++;
	}
	mla = median(la, m);
	mlo = median(lo, m);
	for (size_t i = 0; i < m; i++)
		if (geo_distance_m(mla, mlo, pla[i], plo[i]) <= PLACES_OUTLIER_M) {
			sla += pla[i];
			slo += plo[i];
			k++;
		}
	*lat = k ? sla / (double)k : mla;
	*lon = k ? slo / (double)k : mlo;
	free(la);
	free(lo);
	free(pla);
	free(plo);
	return true;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The spelling most of e[0..n) use (ties: the first in byte order, so
 * "Brigg" before "BRIGG" before "brigg"); NULL out of memory. */
static const char *usual_name(const struct ent *e, size_t n)
{
	const char **v = malloc(n * sizeof(*v)), *best = NULL;
	size_t bestn = 0;

	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++)
		v[i] = e[i].name;
	qsort(v, n, sizeof(*v), str_cmp);
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j < n && strcmp(v[j], v[i]) == 0)
			j++;
		if (j - i > bestn) {
			best = v[i];
			bestn = j - i;
		}
		i = j;
	}
	free(v);
	return best;
}

enum err places_seal(struct places *pl)
{
	size_t groups = 0;

	if (!pl || pl->sealed)
		return ERR_INVALID;
	pl->sealed = true;
	/* The pool stops growing here: the entries' strings become pointers. */
	for (size_t i = 0; i < pl->n; i++) {
		pl->e[i].name = pl->pool.p + pl->e[i].name_at;
		pl->e[i].key = pl->pool.p + pl->e[i].key_at;
		pl->e[i].postcode = pl->pool.p + pl->e[i].pc_at;
	}
	if (pl->n)
		qsort(pl->e, pl->n, sizeof(*pl->e), ent_cmp);
	for (size_t i = 0; i < pl->n; i++)
		groups += i == 0 || strcmp(pl->e[i].key, pl->e[i - 1].key) != 0;
	pl->p = calloc(groups ? groups : 1, sizeof(*pl->p));
	if (!pl->p) {
		free_entries(pl);
		return ERR_NOMEM;
	}
	for (size_t i = 0; i < pl->n;) {
		size_t j = i;
		struct pl_place *p = &pl->p[pl->np];

		while (j < pl->n && strcmp(pl->e[j].key, pl->e[i].key) == 0)
			j++;
		/* The usual spelling first: "BRIGG" in a feed of capitals
		 * is not how the town is written elsewhere. */
		const char *usual = usual_name(pl->e + i, j - i);

		p->p.name = usual;
		p->key = pl->e[i].key;
		p->p.n = j - i;
		if (!usual || !centre(pl->e + i, j - i, &p->p.lat, &p->p.lon)) {
			pl->np = 0;
			free_entries(pl);
			return ERR_NOMEM;
		}
		pl->np++;
		i = j;
	}
	free_entries(pl);
	return ERR_OK;
}

/* ---------------------------------------------------------------- reading */

size_t places_count(const struct places *pl)
{
	return pl && pl->sealed ? pl->np : 0;
}

const struct place_name *places_at(const struct places *pl, size_t i)
{
	return i < places_count(pl) ? &pl->p[i].p : NULL;
}

const struct place_name *places_find(const struct places *pl, const char *text)
{
	char key[KEY_MAX];
	size_t lo = 0, hi = places_count(pl);

	if (!hi || !places_key(text, key, sizeof(key)) || !key[0])
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(pl->p[mid].key, key);

		if (c == 0)
			return &pl->p[mid].p;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Levenshtein distance of a and b (bytes), or more than cap when it is
 * (the rows stop early). */
static size_t edit_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[KEY_MAX + 1];

	if (la > KEY_MAX || lb > KEY_MAX)
		return cap + 1;
	if ((la > lb ? la - lb : lb - la) > cap)
		return cap + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0], best;

		row[0] = i;
		best = row[0];
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t v = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > cap)
			return cap + 1;
	}
	return row[lb];
}

#define CLOSE_MAX 3            /* spellings offered as "did you mean" */

static int by_name(const void *a, const void *b)
{
	const struct place_name *x = *(const struct place_name *const *)a, *y = *(const struct place_name *const *)b;

	return strcmp(x->name, y->name);
}

size_t places_suggest(const struct places *pl, const char *text, const struct place_name **out, size_t max)
{
	char key[KEY_MAX];
	size_t np = places_count(pl), n = 0, nclose = 0;
	size_t dist[CLOSE_MAX];
	const struct place_name *close[CLOSE_MAX];

	if (!np || !max)
		return 0;
	/* Spelt nearly the same: within a fifth of the name's letters,
	 * and at least one; the closest first. */
	if (places_key(text, key, sizeof(key)) && key[0]) {
		size_t cap = 1 + strlen(key) / 5;

		for (size_t i = 0; i < np; i++) {
			size_t d = edit_distance(key, pl->p[i].key, cap), k;

			if (d > cap || (nclose == CLOSE_MAX && d >= dist[nclose - 1]))
				continue;
			k = nclose < CLOSE_MAX ? nclose++ : nclose - 1;
			while (k > 0 && dist[k - 1] > d) {
				dist[k] = dist[k - 1];
				close[k] = close[k - 1];
				k--;
			}
			dist[k] = d;
			close[k] = &pl->p[i].p;
		}
		for (size_t k = 0; k < nclose && n < max; k++)
			out[n++] = close[k];
		nclose = n;
	}
	/* Then the places most addresses name, alphabetically. */
	while (n < max) {
		const struct place_name *best = NULL;

		for (size_t i = 0; i < np; i++) {
			const struct place_name *c = &pl->p[i].p;
			bool taken = false;

			for (size_t k = 0; k < n && !taken; k++)
				taken = out[k] == c;
			if (!taken && (!best || c->n > best->n || (c->n == best->n && strcmp(c->name, best->name) < 0)))
				best = c;
		}
		if (!best)
			break;
		out[n++] = best;
	}
	qsort(out + nclose, n - nclose, sizeof(*out), by_name);
	return n;
}
