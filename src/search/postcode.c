/*
 * postcode.c - UK postcodes to points, offline.
 *
 * The two centroid tables (sectors "DN15 6", districts "DN15") are CSV
 * files compiled into the binary. postcode_init() parses each once
 * (pthread_once) into an array sorted by name; a lookup is a binary search
 * over ~12k or ~3k fixed-size rows, so locating a postcode costs well
 * under a microsecond and nothing is read from disk.
 *
 * Normalising is deliberately forgiving about case and spaces ("dn156xx",
 * " DN15  6XX ") and strict about shape: outward code = area (one or two
 * letters) + district (a digit, then an optional digit or letter); inward
 * code = a digit and two letters other than C I K M O V. Anything else gets
 * a sentence saying what a postcode looks like.
 */
#include "core/common.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>

#include "core/embedded.h"
#include "search/postcode.h"

#define PC_INPUT_MAX 32            /* longer input is not a postcode */

struct pc_row {
	char name[8];                  /* "DN15 6" or "DN15", NUL-terminated */
	double lat, lon;
};

struct pc_table {
	struct pc_row *rows;
	size_t n;
};

static struct pc_table sectors, districts;
static enum err load_err = ERR_OK;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/* A decimal like "-2.25814": locale-independent (strtod follows
 * LC_NUMERIC) and strict. */
static bool parse_decimal(const char *p, size_t n, double *out)
{
	size_t i = 0;
	bool neg = false, digits = false;
	double v = 0, scale = 1;

	if (i < n && (p[i] == '-' || p[i] == '+'))
		neg = p[i++] == '-';
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++, digits = true)
		v = v * 10 + (p[i] - '0');
	if (i < n && p[i] == '.') {
		for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++, digits = true) {
			scale /= 10;
			v += (p[i] - '0') * scale;
		}
	}
	if (!digits || i != n)
		return false;
	*out = neg ? -v : v;
	return true;
}

static int row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pc_row *)a)->name, ((const struct pc_row *)b)->name);
}

/* Parses "name,lat,lng,count" rows after a header line. */
static enum err load_table(const char *file, struct pc_table *t)
{
	const struct embedded_file *f = embedded_find(embedded_data, embedded_data_n, file);
	const char *p, *end;
	size_t cap = 0;

	if (!f)
		return ERR_INTERNAL;
	p = (const char *)f->data;
	end = p + f->len;
	for (const char *q = p; q < end; q++)
		cap += *q == '\n';
	t->rows = calloc(cap + 1, sizeof(*t->rows));
	if (!t->rows)
		return ERR_NOMEM;
	p = memchr(p, '\n', (size_t)(end - p));   /* skip the header */
	if (!p)
		return ERR_INTERNAL;
	for (p++; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *c[4];
		size_t nc = 0;

		if (!eol)
			eol = end;
		if (eol > p && eol[-1] == '\r')
			eol--;
		if (eol == p) {
			p = eol + 1;
			continue;
		}
		c[nc++] = p;
		for (const char *q = p; q < eol && nc < 4; q++)
			if (*q == ',')
				c[nc++] = q + 1;
		if (nc < 4 || t->n >= cap + 1)
			return ERR_INTERNAL;
		struct pc_row *r = &t->rows[t->n];
		size_t nl = (size_t)(c[1] - 1 - c[0]);
		if (nl == 0 || nl >= sizeof(r->name))
			return ERR_INTERNAL;
		memcpy(r->name, c[0], nl);
		r->name[nl] = '\0';
		if (!parse_decimal(c[1], (size_t)(c[2] - 1 - c[1]), &r->lat) ||
		    !parse_decimal(c[2], (size_t)(c[3] - 1 - c[2]), &r->lon) ||
		    r->lat < -90 || r->lat > 90 || r->lon < -180 || r->lon > 180)
			return ERR_INTERNAL;
		t->n++;
		p = (eol < end && *eol == '\r') ? eol + 2 : eol + 1;
	}
	qsort(t->rows, t->n, sizeof(*t->rows), row_cmp);
	return t->n > 0 ? ERR_OK : ERR_INTERNAL;
}

static void load(void)
{
	load_err = load_table("postcodes/uk_postcode_sectors.csv", &sectors);
	if (load_err == ERR_OK)
		load_err = load_table("postcodes/uk_postcode_districts.csv", &districts);
	if (load_err != ERR_OK) {
		free(sectors.rows);
		free(districts.rows);
		sectors = (struct pc_table){ 0 };
		districts = (struct pc_table){ 0 };
	}
}

enum err postcode_init(void)
{
	pthread_once(&load_once, load);
	return load_err;
}

static const struct pc_row *find(const struct pc_table *t, const char *name)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->rows[mid].name, name);
		if (c == 0)
			return &t->rows[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---------------------------------------------------------------- shape */

static bool is_up(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_dig(char c) { return c >= '0' && c <= '9'; }

/* A9, A9A, A99, AA9, AA9A, AA99. */
static bool outward_ok(const char *p, size_t n)
{
	size_t i = 0;

	if (n < 2 || n > 4)
		return false;
	while (i < n && i < 2 && is_up(p[i]))
		i++;
	if (i == 0 || i >= n || !is_dig(p[i]))
		return false;
	i++;
	if (i < n && (is_dig(p[i]) || is_up(p[i])))
		i++;
	return i == n;
}

static bool unit_letter(char c)
{
	return is_up(c) && !strchr("CIKMOV", c);
}

static bool inward_ok(const char *p)
{
	return is_dig(p[0]) && unit_letter(p[1]) && unit_letter(p[2]);
}

static const char msg_empty[] = "Enter a postcode, like DN15 6XX.";
static const char msg_long[] = "That is too long for a postcode. Enter one like DN15 6XX.";
static const char msg_chars[] = "A postcode has only letters, numbers and a space, like DN15 6XX.";
static const char msg_outward[] = "The first half of a postcode is one or two letters and then a "
	"number, like DN15 or M1. Check the postcode and try again.";
static const char msg_inward[] = "The second half of a postcode is a number and two letters, "
	"like 6XX in DN15 6XX. Check the postcode and try again.";
static const char msg_shape[] = "Enter a real postcode, like DN15 6XX, or the first half, like DN15.";
static const char msg_gir[] = "GIR 0AA is not a place we can search near. "
	"Enter the postcode where you are, like DN15 6XX.";

bool postcode_normalise(const char *in, char out[9], const char **why)
{
	char c[PC_INPUT_MAX];
	size_t n = 0, len, last_space = (size_t)-1;   /* compact index where the last gap was */
	int gaps = 0;
	const char *w = NULL;

	out[0] = '\0';
	if (!in)
		in = "";
	len = strnlen(in, PC_INPUT_MAX + 1);
	if (len > PC_INPUT_MAX) {
		w = msg_long;
		goto bad;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)in[i];
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			if (n > 0 && last_space != n) {
				gaps++;
				last_space = n;
			}
			continue;
		}
		if (!isalnum(ch) || ch >= 0x80) {
			w = msg_chars;
			goto bad;
		}
		c[n++] = (char)toupper(ch);
	}
	if (last_space == n) {
		last_space = (size_t)-1;           /* trailing spaces only */
		gaps--;
	}
	if (n == 0) {
		w = msg_empty;
		goto bad;
	}
	if (n > 7) {
		w = msg_long;
		goto bad;
	}
	if (n == 6 && memcmp(c, "GIR0AA", 6) == 0) {
		w = msg_gir;
		goto bad;
	}
	if (last_space != (size_t)-1) {
		/* The person put a space: it separates the halves. */
		size_t tail = n - last_space;
		if (!outward_ok(c, last_space)) {
			if (gaps < 2) {
				w = msg_outward;
				goto bad;
			}
			tail = 0;                  /* try it without the spaces */
		}
		if (tail == 3) {
			if (!inward_ok(c + last_space)) {
				w = msg_inward;
				goto bad;
			}
			memcpy(out, c, last_space);
			out[last_space] = ' ';
			memcpy(out + last_space + 1, c + last_space, 3);
			out[last_space + 4] = '\0';
			goto ok;
		}
		if (tail == 1 && is_dig(c[last_space])) {
			memcpy(out, c, last_space);
			out[last_space] = ' ';
			out[last_space + 1] = c[last_space];
			out[last_space + 2] = '\0';
			goto ok;
		}
		w = msg_inward;
		if (gaps < 2)
			goto bad;
		/* Spaces all over ("d n 1 5 6 x x"): read it without them. */
	}
	/* No space: a whole postcode, an outward code, or outward + sector digit. */
	if (n >= 5 && outward_ok(c, n - 3)) {
		if (!inward_ok(c + n - 3)) {
			w = msg_inward;
			goto bad;
		}
		memcpy(out, c, n - 3);
		out[n - 3] = ' ';
		memcpy(out + n - 2, c + n - 3, 3);
		out[n + 1] = '\0';
		goto ok;
	}
	if (outward_ok(c, n)) {
		memcpy(out, c, n);
		out[n] = '\0';
		goto ok;
	}
	if (n >= 3 && is_dig(c[n - 1]) && outward_ok(c, n - 1)) {
		memcpy(out, c, n - 1);
		out[n - 1] = ' ';
		out[n] = c[n - 1];
		out[n + 1] = '\0';
		goto ok;
	}
	if (n >= 5 && is_dig(c[n - 3]) && is_up(c[n - 2]) && is_up(c[n - 1]))
		w = outward_ok(c, n - 3) ? msg_inward : msg_outward;   /* halves are there */
	else if (n <= 4)
		w = msg_outward;
	else
		w = msg_shape;
bad:
	out[0] = '\0';
	if (why)
		*why = w;
	return false;
ok:
	if (why)
		*why = NULL;
	return true;
}

/* The sentence for an unknown postcode names it, so it is built per call
 * in a buffer of the calling thread. */
static _Thread_local char notfound_msg[160];

enum err postcode_locate(const char *in, struct postcode_place *out, const char **why)
{
	char norm[9], key[9];
	const char *sp;
	const struct pc_row *r = NULL;
	enum err e;

	memset(out, 0, sizeof(*out));
	if (why)
		*why = NULL;
	if (!postcode_normalise(in, norm, why))
		return ERR_INVALID;
	e = postcode_init();
	if (e != ERR_OK) {
		if (why)
			*why = "Postcode search is not working at the moment. Try again later.";
		return e;
	}
	sp = strchr(norm, ' ');
	if (sp) {
		/* Full postcode or sector: look the sector up first. */
		size_t ol = (size_t)(sp - norm);
		memcpy(key, norm, ol + 2);
		key[ol + 2] = '\0';
		r = find(&sectors, key);
		if (r) {
			out->precision = PC_SECTOR;
		} else {
			memcpy(key, norm, ol);
			key[ol] = '\0';
			r = find(&districts, key);
			out->precision = PC_DISTRICT;
		}
	} else {
		r = find(&districts, norm);
		out->precision = PC_DISTRICT;
	}
	if (!r) {
		if (sp && strlen(norm) > (size_t)(sp - norm) + 2)
			snprintf(notfound_msg, sizeof(notfound_msg), "We could not find the postcode %s. "
				"Check it, or try the first half of a postcode near you, like DN15.", norm);
		else
			snprintf(notfound_msg, sizeof(notfound_msg), "We could not find %s. Check it, "
				"or try a whole postcode near you, like DN15 6XX.", norm);
		if (why)
			*why = notfound_msg;
		return ERR_NOT_FOUND;
	}
	memcpy(out->normal, norm, sizeof(out->normal));
	out->lat = r->lat;
	out->lon = r->lon;
	return ERR_OK;
}


size_t postcode_sector_count(void)
{
	return postcode_init() == ERR_OK ? sectors.n : 0;
}

size_t postcode_district_count(void)
{
	return postcode_init() == ERR_OK ? districts.n : 0;
}

bool postcode_sector_at(size_t i, char name[9], double *lat, double *lon)
{
	if (postcode_init() != ERR_OK || i >= sectors.n)
		return false;
	memcpy(name, sectors.rows[i].name, sizeof(sectors.rows[i].name));
	name[8] = '\0';
	*lat = sectors.rows[i].lat;
	*lon = sectors.rows[i].lon;
	return true;
}
