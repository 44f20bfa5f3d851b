/*
 * search.c - the directory's in-memory search index.
 *
 * Layout. Documents live in dense arrays indexed by a slot (uint32): a
 * 64-byte struct of the facts every filtered query reads (bitmasks, flags,
 * the first place, doc length, a name sort key, day and time), two narrow
 * columns a plain text query reads instead (doc length as uint16, a dead
 * bit), a next-session cache, and a block in a slab with the rest (id,
 * name, other places, byte-encoded schedules, taxonomy terms). A new or
 * changed document always takes a new slot at the end; the old slot
 * becomes a tombstone. So every posting list only ever grows at its end,
 * which keeps it sorted by slot and lets it be delta-coded: a posting is a
 * varint of (slot gap << 3 | tf) (tf 7 and up escapes to a second varint),
 * about 1.3 bytes, with a skip entry every 64 postings for intersections.
 * When a quarter of the slots are tombstones, compaction renumbers the
 * live documents (keeping their order), rebuilds the lists without the
 * dead, and swaps the new structure in under the write lock; it is built
 * under the writers' mutex only, so readers are not held up meanwhile.
 *
 * BM25 statistics (N, document frequency, average length) count
 * tombstones until compaction, as Lucene's do: a removed document's words
 * still weigh a little until then. Totals, filters and facets are exact.
 *
 * A query. With words, their posting lists are intersected from the
 * rarest (the others seek with their skip tables). A plain text query
 * (relevance, no filter, no facet, no place) scores each match from the
 * narrow columns and touches a document's facts only when it can make the
 * page. Otherwise matches wait in a batch of 16 whose facts are
 * prefetched, then pass bitmask filters, facet counting (each dimension
 * counted with the other dimensions' filters only) and the place check;
 * with a radius, a bitmap of the slots in the box's grid cells first
 * turns away most postings. Without words the candidates are the
 * documents of the 0.1-degree grid cells around the point when there is a
 * radius (cells wholly inside the circle need no distance at all), else
 * every slot. Distances: a lat/lon box, then a flat-earth estimate with
 * an error margin for the clear cases, the haversine for the rest. The
 * page is a bounded heap of offset + limit entries.
 *
 * Sessions (search_sessions) take the same candidates through the same
 * filters (a document without schedules is turned away first). A match's
 * schedules are decoded there and then and asked (sched_on_day) only
 * about the days their weekdays or days of the month allow, from bitmaps
 * of the window's days made once per query: a weekly schedule in a week
 * is one question, not seven. Sessions gather in an array of at most max
 * that becomes a bounded heap once full, so a wide window costs
 * comparisons, not memory; the kept ones are merge-sorted at the end.
 *
 * Locking: a pthread rwlock that prefers writers (a stream of searches
 * must not hold off a sync for ever); queries read, a change writes for
 * microseconds. Writers are serialised by a mutex, under which a put
 * tokenises and stems (with a cache of word -> stem) before taking the
 * write lock. The next-session cache is written by readers with relaxed
 * atomics (any reader's answer is as good as another's).
 */
#include "core/common.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>

#include <libstemmer.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/checked.h"
#include "core/rand.h"
#include "core/str.h"
#include "core/uktime.h"
#include "search/lexicon.h"
#include "search/postcode.h"
#include "search/recur.h"
#include "search/search.h"

#define WORD_MAX        64        /* bytes of a word kept; longer ones are cut */
#define DOC_WORDS_MAX   20000     /* words of one document indexed */
#define QUERY_WORDS_MAX 32        /* distinct words of a query used */
#define ID_MAX          255       /* bytes of a non-UUID id */
#define NAME_MAX_BYTES  1024      /* bytes of a name kept for sorting */
#define TAX_MAX         255       /* taxonomy terms kept per document */
#define SKIP            64        /* postings per skip entry */
#define TERM_INLINE     16        /* postings bytes kept inside struct term */
#define LIMIT_MAX       1000
#define STEM_CACHE_MAX  (1u << 18)

#define BM25_K1 1.2
#define BM25_B  0.75
#define NAME_WEIGHT 3
/* A match of some of a query's words must hold at least this share of
 * their weight (idf): for "walking group", services that say "walk" but
 * not "group" still come (after those with both), those that only say
 * the common "group" do not. */
#define PARTIAL_SHARE 0.5

/* Grid over the UK and a margin; points elsewhere share one extra cell. */
#define GRID_LAT0  49.0
#define GRID_LON0  -9.0
#define GRID_STEP  0.1
#define GRID_ROWS  120            /* 49..61 N */
#define GRID_COLS  110            /* 9 W..2 E */
#define GRID_OTHER (GRID_ROWS * GRID_COLS)
#define GRID_CELLS (GRID_OTHER + 1)

#define EARTH_R 6371008.8

enum { D_DEAD = 1 };

/* What every query reads for a candidate: one cache line. */
struct dfact {
	uint64_t cats, conds;
	uint64_t namekey;          /* first 8 bytes of the folded name, big-endian */
	int64_t modified;
	uint32_t langs;
	uint32_t daytime;
	uint32_t dl;               /* weighted words */
	uint32_t org;              /* interned organisation + 1; 0 none */
	float lat, lon;            /* first place */
	uint8_t flags;
	uint8_t state;             /* D_DEAD */
	uint8_t npoints, nscheds;
	uint8_t ntax;
	uint8_t days, parts;       /* days (bit 0 Monday) and parts of day it runs in */
	uint8_t pad;
};

/* The rest of a document, in the core's slab: [taxonomy pairs u32 x 2]
 * [other points float x 2][id][name NUL][schedules, byte-encoded]. */
struct dblob {
	uint8_t idlen;             /* 0: a 16-byte binary lowercase UUID */
	uint8_t pad;
	uint16_t size;             /* bytes of this block */
	unsigned char data[];
};

#define SLAB_CHUNK (64 * 1024)

/* Blocks of document data, bump-allocated; freed all at once with their
 * core (a removed document's block is left until compaction). */
struct slab {
	char **chunks;
	uint32_t n, cap;
	size_t used;               /* in the last chunk */
	size_t bytes;              /* every chunk */
};

struct term {
	uint32_t n;                /* postings, tombstones included */
	uint32_t last;             /* last slot + 1; 0 when empty */
	uint32_t len;              /* encoded bytes */
	uint32_t cap;              /* bytes allocated; 0: the inline buffer */
	uint32_t str;              /* offset of the word in the pool */
	union {
		uint8_t in[TERM_INLINE];
		struct {
			uint8_t *p;
			uint32_t *skip;    /* pairs (slot+1 before the block, byte offset) */
		} h;
	} u;
};

struct cell {
	uint32_t *v;
	uint32_t n, cap;
};

/* A string -> u32 map over a pool of NUL-terminated strings. */
struct strmap {
	uint32_t *tab;             /* value + 1; 0 empty */
	uint32_t cap, n;
};

struct pool {
	char *p;
	size_t len, cap;
};

/* Everything compaction rebuilds. */
struct core {
	struct dfact *facts;
	struct dblob **blobs;
	_Atomic uint64_t *nextc;   /* (from_minute << 32 | next_minute); 0 unknown */
	/* Columns a plain text query reads instead of the facts: 2 MB and
	 * 125 KB at a million services, so they stay in cache. */
	uint16_t *dl16;            /* facts.dl (at most 3 x DOC_WORDS_MAX) */
	uint64_t *namekey;         /* facts.namekey, for sorting by name */
	uint64_t *namesig;         /* a bit per word of the name (name_sig): "are all
	                              the query's words in the name?" in one AND */
	uint64_t *dead;            /* bit per slot: D_DEAD */
	uint32_t nslots, cap;
	uint32_t nlive, ndead;
	uint64_t sum_dl;           /* over every slot, tombstones included */

	uint32_t *ids;             /* id -> slot + 1; UINT32_MAX tombstone */
	uint32_t ids_cap, ids_n, ids_tomb;

	struct term *terms;
	uint32_t nterms, terms_cap;
	struct strmap dict;        /* word -> term index */
	struct pool words;

	struct cell *grid;
	struct slab slab;
};

/* Intern tables for ids compared as numbers (organisations, taxonomy
 * terms and taxonomies). They only grow. */
struct intern {
	struct strmap map;
	struct pool pool;
	uint32_t *off;             /* index -> offset */
	uint32_t n, cap;
};

/* The writer's word -> stem cache. */
struct stemc {
	uint32_t *tab;             /* entry index + 1 */
	uint32_t cap;
	uint32_t *key, *val;       /* offsets into pool; val 0: a stopword */
	uint32_t n, ecap;
	struct pool pool;
};

struct wtok {
	uint32_t stem;             /* offset in the stem cache pool */
	uint32_t w;
};

struct tfpair {
	uint32_t term, tf;
};

/* Plain one-word queries (no filters, facets, place or other sort) are
 * the common case on a directory ("walking", "lunch"), and for a word in a
 * few percent of services scoring every posting to find ten costs tens of
 * microseconds. So the best PCACHE_K results and the total for a word are
 * kept until the index next changes (gen), in a small direct-mapped table
 * under striped locks; a query then costs a copy. The entries are exactly
 * what the full run keeps, so results do not depend on the cache. */
#define PCACHE_SLOTS 256
#define PCACHE_K 100
#define PCACHE_LOCKS 16

struct pcache_ent;

struct search_index {
	pthread_rwlock_t lock;
	pthread_mutex_t wmu;
	struct core *c;
	uint64_t gen;              /* bumped by every change, under the write lock */
	_Atomic uint64_t version;  /* gen, published for search_version() without the lock */
	struct pcache_ent *pcache; /* PCACHE_SLOTS entries, NULL when it could not be had */
	pthread_mutex_t pcmu[PCACHE_LOCKS];
	struct intern orgs, tax;
	/* writer scratch, under wmu */
	struct stemc sc;
	struct wtok *wt;
	size_t nwt, wtcap;
	struct tfpair *tp;
	size_t tpcap;
	struct lexicon *lx;        /* compounds and synonyms, or NULL; owned */
};

/* ---------------------------------------------------------------- helpers */

static uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return h;
}

/* One bit of 64 for a word (its index form): a document's name_sig ORs
 * its name's words, a query's ORs its words, and a name that holds every
 * query word has all the query's bits. A false "yes" (two words on one
 * bit) only lifts a match that has every word anyway. */
static inline uint64_t name_sig(const char *w)
{
	return UINT64_C(1) << (hash_bytes(w, strlen(w)) & 63);
}

static bool grow(void **p, uint32_t *cap, uint32_t need, size_t elem)
{
	uint32_t nc;
	void *q;
	size_t bytes;

	if (need <= *cap)
		return true;
	nc = *cap ? *cap : 8;
	while (nc < need) {
		if (nc > UINT32_MAX / 2)
			return false;
		nc *= 2;
	}
	if (!size_mul(nc, elem, &bytes))
		return false;
	q = realloc(*p, bytes);
	if (!q)
		return false;
	*p = q;
	*cap = nc;
	return true;
}

/* Appends s[0..n) and a NUL; returns its offset (never 0: offset 0 holds a
 * NUL so that 0 can mean "none"), or 0 when out of memory. */
static uint32_t pool_add(struct pool *pl, const char *s, size_t n)
{
	size_t need;

	if (pl->len == 0) {
		pl->cap = 256;
		pl->p = malloc(pl->cap);
		if (!pl->p)
			return 0;
		pl->p[0] = '\0';
		pl->len = 1;
	}
	if (!size_add(pl->len, n + 1, &need) || need > UINT32_MAX)
		return 0;
	if (need > pl->cap) {
		size_t nc = pl->cap;
		while (nc < need)
			nc *= 2;
		char *q = realloc(pl->p, nc);
		if (!q)
			return 0;
		pl->p = q;
		pl->cap = nc;
	}
	uint32_t off = (uint32_t)pl->len;
	memcpy(pl->p + off, s, n);
	pl->p[off + n] = '\0';
	pl->len = need;
	return off;
}

/* strmap: the strings themselves live in a pool; the caller supplies a
 * function from value to string. */
typedef const char *(*strmap_key_fn)(const void *ctx, uint32_t v);

static uint32_t strmap_find(const struct strmap *m, const char *s, size_t n, uint64_t h,
		strmap_key_fn key, const void *ctx)
{
	if (!m->cap)
		return UINT32_MAX;
	for (uint32_t i = (uint32_t)h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		uint32_t v = m->tab[i];
		if (!v)
			return UINT32_MAX;
		const char *k = key(ctx, v - 1);
		if (strncmp(k, s, n) == 0 && k[n] == '\0')
			return v - 1;
	}
}

static bool strmap_put(struct strmap *m, uint32_t v, uint64_t h, strmap_key_fn key, const void *ctx)
{
	if ((m->n + 1) * 2 > m->cap) {
		uint32_t nc = m->cap ? m->cap * 2 : 64;
		uint32_t *t = calloc(nc, sizeof(*t));
		if (!t)
			return false;
		for (uint32_t i = 0; i < m->cap; i++) {
			uint32_t x = m->tab[i];
			if (!x)
				continue;
			const char *k = key(ctx, x - 1);
			uint32_t j = (uint32_t)hash_bytes(k, strlen(k)) & (nc - 1);
			while (t[j])
				j = (j + 1) & (nc - 1);
			t[j] = x;
		}
		free(m->tab);
		m->tab = t;
		m->cap = nc;
	}
	uint32_t i = (uint32_t)h & (m->cap - 1);
	while (m->tab[i])
		i = (i + 1) & (m->cap - 1);
	m->tab[i] = v + 1;
	m->n++;
	return true;
}

/* ---------------------------------------------------------------- intern */

static const char *intern_key(const void *ctx, uint32_t v)
{
	const struct intern *t = ctx;
	return t->pool.p + t->off[v];
}

static uint32_t intern_find(const struct intern *t, const char *s)
{
	size_t n = strlen(s);
	return strmap_find(&t->map, s, n, hash_bytes(s, n), intern_key, t);
}

/* Index of s, added if new; UINT32_MAX when out of memory. */
static uint32_t intern_get(struct intern *t, const char *s)
{
	size_t n = strlen(s);
	uint64_t h = hash_bytes(s, n);
	uint32_t v = strmap_find(&t->map, s, n, h, intern_key, t);

	if (v != UINT32_MAX)
		return v;
	if (n > ID_MAX || !grow((void **)&t->off, &t->cap, t->n + 1, sizeof(*t->off)))
		return UINT32_MAX;
	uint32_t off = pool_add(&t->pool, s, n);
	if (!off)
		return UINT32_MAX;
	t->off[t->n] = off;
	if (!strmap_put(&t->map, t->n, h, intern_key, t))
		return UINT32_MAX;
	return t->n++;
}

static void intern_free(struct intern *t)
{
	free(t->map.tab);
	free(t->pool.p);
	free(t->off);
}

static size_t intern_bytes(const struct intern *t)
{
	return t->map.cap * sizeof(uint32_t) + t->pool.cap + t->cap * sizeof(uint32_t);
}

/* ---------------------------------------------------------------- text */

/* Stopwords: common English function words (Snowball's list, as split
 * by our tokenizer, plus a few), sorted for bsearch. */
static const char *const stopwords[] = {
	"about", "above", "after", "again", "against", "ain", "all", "also", "am", "an", "and",
	"any", "are", "aren", "as", "at", "be", "because", "been", "before", "being", "below",
	"between", "both", "but", "by", "can", "couldn", "did", "didn", "do", "does", "doesn",
	"doing", "don", "down", "during", "each", "etc", "few", "for", "from", "further", "had",
	"hadn", "has", "hasn", "have", "haven", "having", "he", "her", "here", "hers", "herself",
	"him", "himself", "his", "how", "if", "in", "into", "is", "isn", "it", "its", "itself",
	"just", "ll", "me", "mightn", "more", "most", "mustn", "my", "myself", "needn", "no",
	"nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours",
	"ourselves", "out", "over", "own", "re", "same", "shan", "she", "should", "shouldn",
	"so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves",
	"then", "there", "these", "they", "this", "those", "through", "to", "too", "under",
	"until", "up", "us", "ve", "very", "via", "was", "wasn", "we", "were", "weren", "what",
	"when", "where", "which", "while", "who", "whom", "why", "will", "with", "won",
	"wouldn", "yet", "you", "your", "yours", "yourself", "yourselves",
};

static int stop_cmp(const void *k, const void *e)
{
	return strcmp(k, *(const char *const *)e);
}

static bool is_stopword(const char *w, size_t n)
{
	char k[16];

	if (n >= sizeof(k))
		return false;
	memcpy(k, w, n);
	k[n] = '\0';
	return bsearch(k, stopwords, ARRAY_LEN(stopwords), sizeof(stopwords[0]), stop_cmp) != NULL;
}

/* Latin-1 Supplement and Latin Extended-A letters (U+00C0..U+017F) folded
 * to ASCII, so "Café" finds "cafe" and "Łódź" finds "lodz". '-' is a
 * separator (multiplication and division signs); digits stand for two
 * letters: 1 ae, 2 th, 3 ss, 4 ij, 5 oe. */
static const char fold_latin[] =
	"aaaaaa1ceeeeiiiidnooooo-ouuuuy23aaaaaa1ceeeeiiiidnooooo-ouuuuy2y"
	"aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii44jjkkkllllllllll"
	"nnnnnnnnnoooooo55rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
static const char *const fold_pairs[] = { "ae", "th", "ss", "ij", "oe" };

/* Decodes one UTF-8 sequence (strict: no overlongs, surrogates or values
 * past U+10FFFF). Returns its length, 0 when invalid. */
static size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned char c = p[0];
	size_t len;
	uint32_t v;

	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3F);
	}
	if ((len == 3 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) ||
	    (len == 4 && (v < 0x10000 || v > 0x10FFFF)))
		return 0;
	*cp = v;
	return len;
}

enum cls { C_SEP, C_SKIP, C_KEEP };

static enum cls classify(uint32_t cp)
{
	if (cp < 0xC0)
		return C_SEP;                            /* C1 controls, NBSP, Latin-1 symbols */
	if ((cp >= 0x300 && cp <= 0x36F) || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF ||
	    (cp >= 0xE0000 && cp <= 0xE007F) || cp == 0x200D)
		return C_SKIP;                           /* combining marks, selectors, joiners */
	if ((cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x20A0 && cp <= 0x20CF) ||
	    (cp >= 0x2190 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
	    (cp >= 0xFFF0 && cp <= 0xFFFF) || (cp >= 0x1F000 && cp <= 0x1FAFF))
		return C_SEP;                            /* punctuation, symbols, emoji */
	return C_KEEP;
}

typedef bool (*word_fn)(void *ctx, const char *w, size_t n);

/* Splits text into lowercased, folded words of at least two characters
 * and calls fn for each, until it returns false. Never reads past n. */
static void tokenize(const char *text, size_t n, word_fn fn, void *ctx)
{
	const unsigned char *p = (const unsigned char *)text;
	char w[WORD_MAX + 4];
	size_t wl = 0, i = 0;
	int chars = 0;

	while (i <= n) {
		char tmp[2];
		const char *app = NULL;
		size_t applen = 0;
		bool sep = false;

		if (i == n) {
			sep = true;
			i++;
		} else if (p[i] < 0x80) {
			unsigned char c = p[i++];
			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c + 32);
			if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
				tmp[0] = (char)c;
				app = tmp;
				applen = 1;
			} else {
				sep = true;
			}
		} else {
			uint32_t cp;
			size_t len = utf8_decode(p + i, n - i, &cp);
			if (len == 0) {
				sep = true;                  /* invalid byte: a separator */
				i++;
			} else {
				enum cls k = classify(cp);
				if (cp >= 0xC0 && cp <= 0x17F) {
					char f = fold_latin[cp - 0xC0];
					if (f == '-') {
						sep = true;
					} else if (f >= '1' && f <= '5') {
						app = fold_pairs[f - '1'];
						applen = 2;
					} else {
						tmp[0] = f;
						app = tmp;
						applen = 1;
					}
				} else if (k == C_SEP) {
					sep = true;
				} else if (k == C_KEEP) {
					app = text + i;
					applen = len;
				}
				i += len;
			}
		}
		if (sep) {
			if (chars >= 2 && !fn(ctx, w, wl))
				return;
			wl = 0;
			chars = 0;
		} else if (app) {
			if (wl + applen <= WORD_MAX) {
				memcpy(w + wl, app, applen);
				wl += applen;
				chars++;
			}
		}
	}
}

/* One stemmer per thread: Snowball's are not thread-safe. */
static pthread_key_t stem_key;
static pthread_once_t stem_once = PTHREAD_ONCE_INIT;
static bool stem_key_ok;

static void stem_free(void *p)
{
	sb_stemmer_delete(p);
}

static void stem_key_make(void)
{
	stem_key_ok = pthread_key_create(&stem_key, stem_free) == 0;
}

/* NULL (words then go unstemmed, the same for documents and queries) only
 * when the process is out of thread keys or memory. */
static struct sb_stemmer *stemmer(void)
{
	struct sb_stemmer *s;

	pthread_once(&stem_once, stem_key_make);
	if (!stem_key_ok)
		return NULL;
	s = pthread_getspecific(stem_key);
	if (!s) {
		s = sb_stemmer_new("english", NULL);
		if (s && pthread_setspecific(stem_key, s) != 0) {
			sb_stemmer_delete(s);
			s = NULL;
		}
	}
	return s;
}

/* The stem of a word (lowercase, folded): into out (>= WORD_MAX + 1
 * bytes). Numbers are kept as they are. Returns the length, 0 for a
 * stopword. */
static size_t stem_word(const char *w, size_t n, char *out)
{
	bool digits = true;

	if (is_stopword(w, n))
		return 0;
	for (size_t i = 0; i < n && digits; i++)
		digits = w[i] >= '0' && w[i] <= '9';
	if (!digits) {
		struct sb_stemmer *s = stemmer();
		const sb_symbol *r = s ? sb_stemmer_stem(s, (const sb_symbol *)w, (int)n) : NULL;
		if (r) {
			int rl = sb_stemmer_length(s);
			if (rl > 0 && (size_t)rl <= WORD_MAX) {
				memcpy(out, r, (size_t)rl);
				out[rl] = '\0';
				return (size_t)rl;
			}
		}
	}
	memcpy(out, w, n);
	out[n] = '\0';
	return n;
}

struct words_ctx {
	struct buf *out;
};

static bool words_cb(void *ctx, const char *w, size_t n)
{
	struct words_ctx *x = ctx;
	char s[WORD_MAX + 1];
	size_t sl = stem_word(w, n, s);

	if (sl) {
		if (x->out->len > 0)
			buf_addc(x->out, ' ');
		buf_add(x->out, s, sl);
	}
	return buf_ok(x->out);
}

void search_words(const char *text, struct buf *out)
{
	struct words_ctx x = { out };

	if (text)
		tokenize(text, strlen(text), words_cb, &x);
}

struct forms_ctx {
	void (*fn)(void *ctx, const char *form, const char *raw);
	void *ctx;
};

static bool forms_cb(void *ctx, const char *w, size_t n)
{
	struct forms_ctx *x = ctx;
	char raw[WORD_MAX + 1], s[WORD_MAX + 1];
	size_t sl = stem_word(w, n, s);

	memcpy(raw, w, n);
	raw[n] = '\0';
	x->fn(x->ctx, sl ? s : raw, raw);
	return true;
}

void search_forms(const char *text, size_t n, void (*fn)(void *ctx, const char *form, const char *raw),
		void *ctx)
{
	struct forms_ctx x = { fn, ctx };

	tokenize(text, n, forms_cb, &x);
}

/* ---------------------------------------------------------------- postings */

static inline uint8_t *term_data(struct term *t)
{
	return t->cap ? t->u.h.p : t->u.in;
}

static inline const uint8_t *term_cdata(const struct term *t)
{
	return t->cap ? t->u.h.p : t->u.in;
}

static inline size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t i = 0;

	while (v >= 0x80) {
		p[i++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[i++] = (uint8_t)v;
	return i;
}

static inline uint64_t get_varint(const uint8_t **pp)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;
	int sh = 0;

	while (*p & 0x80) {
		v |= (uint64_t)(*p++ & 0x7F) << sh;
		sh += 7;
	}
	v |= (uint64_t)*p++ << sh;
	*pp = p;
	return v;
}

static void term_release(struct term *t)
{
	if (t->cap) {
		free(t->u.h.p);
		free(t->u.h.skip);
	}
}

/* Appends (slot, tf); slot is greater than every slot in the list. */
static bool term_append(struct term *t, uint32_t slot, uint32_t tf)
{
	uint8_t enc[16];
	size_t el;
	uint32_t delta = slot + 1 - t->last;

	el = put_varint(enc, ((uint64_t)(delta - 1) << 3) | (tf < 7 ? tf : 7));
	if (tf >= 7)
		el += put_varint(enc + el, tf - 7);
	if (t->n > 0 && t->n % SKIP == 0) {
		/* A skip entry for the block that starts here; arrays grow at
		 * powers of two. */
		uint32_t k = t->n / SKIP;   /* entries after this one: k */
		if (!t->cap) {
			/* Cannot happen: SKIP postings take more than TERM_INLINE bytes. */
			return false;
		}
		if ((k & (k - 1)) == 0) {
			uint32_t *s = realloc(t->u.h.skip, (size_t)k * 2 * 2 * sizeof(uint32_t));
			if (!s)
				return false;
			t->u.h.skip = s;
		}
		t->u.h.skip[(k - 1) * 2] = t->last;
		t->u.h.skip[(k - 1) * 2 + 1] = t->len;
	}
	if (t->len + el > (t->cap ? t->cap : TERM_INLINE)) {
		size_t nc = t->cap ? (size_t)t->cap + t->cap / 2 + 16 : 48;
		if (nc > UINT32_MAX)
			return false;
		if (!t->cap) {
			uint8_t *p = malloc(nc);
			if (!p)
				return false;
			memcpy(p, t->u.in, t->len);
			t->u.h.p = p;
			t->u.h.skip = NULL;
		} else {
			uint8_t *p = realloc(t->u.h.p, nc);
			if (!p)
				return false;
			t->u.h.p = p;
		}
		t->cap = (uint32_t)nc;
	}
	memcpy(term_data(t) + t->len, enc, el);
	t->len += (uint32_t)el;
	t->n++;
	t->last = slot + 1;
	return true;
}

struct cur {
	const uint8_t *p, *end, *base;
	const uint32_t *skip;
	uint32_t nskip, ks;        /* skip entries; the first not yet passed */
	uint32_t slot1;            /* current slot + 1 */
	uint32_t tf;
};

static void cur_init(struct cur *c, const struct term *t)
{
	c->base = c->p = term_cdata(t);
	c->end = c->p + t->len;
	c->skip = t->cap ? t->u.h.skip : NULL;
	c->nskip = t->n / SKIP;
	if (c->nskip && t->n % SKIP == 0)
		c->nskip--;            /* the entry for a block not yet started is not written */
	if (!c->skip)
		c->nskip = 0;
	c->ks = 0;
	c->slot1 = 0;
	c->tf = 0;
}

static inline bool cur_next(struct cur *c)
{
	if (c->p >= c->end)
		return false;
	uint64_t v = get_varint(&c->p);
	c->slot1 += (uint32_t)(v >> 3) + 1;
	c->tf = (uint32_t)(v & 7);
	if (c->tf == 7)
		c->tf = 7 + (uint32_t)get_varint(&c->p);
	return true;
}

/* Moves to the first posting with slot + 1 >= target (never back). */
static inline bool cur_seek(struct cur *c, uint32_t target)
{
	if (c->slot1 >= target)
		return true;
	if (c->ks < c->nskip && c->skip[c->ks * 2] < target) {
		uint32_t lo = c->ks, hi = c->nskip;   /* last k with skip base < target */
		while (hi - lo > 1) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (c->skip[mid * 2] < target)
				lo = mid;
			else
				hi = mid;
		}
		if (c->skip[lo * 2] >= c->slot1) {
			c->slot1 = c->skip[lo * 2];
			c->p = c->base + c->skip[lo * 2 + 1];
		}
		c->ks = lo + 1;
	}
	while (c->slot1 < target)
		if (!cur_next(c))
			return false;
	return true;
}

/* ---------------------------------------------------------------- documents */

static inline bool slot_live(const struct core *c, uint32_t s)
{
	return !(c->facts[s].state & D_DEAD);
}

static inline bool bit_get(const uint64_t *b, uint32_t s)
{
	return (b[s >> 6] >> (s & 63)) & 1;
}

static inline void bit_set(uint64_t *b, uint32_t s, bool v)
{
	if (v)
		b[s >> 6] |= 1ull << (s & 63);
	else
		b[s >> 6] &= ~(1ull << (s & 63));
}

static inline const uint32_t *blob_tax(const struct dblob *b)
{
	return (const uint32_t *)(const void *)b->data;
}

static inline const float *blob_points(const struct dblob *b, const struct dfact *f)
{
	return (const float *)(const void *)(b->data + (size_t)f->ntax * 8);
}

static inline const unsigned char *blob_id(const struct dblob *b, const struct dfact *f)
{
	size_t np = f->npoints > 1 ? f->npoints - 1u : 0;
	return b->data + (size_t)f->ntax * 8 + np * 8;
}

static inline const char *blob_name(const struct dblob *b, const struct dfact *f)
{
	return (const char *)blob_id(b, f) + (b->idlen ? b->idlen + 1u : 16u);
}

static inline const uint8_t *blob_scheds(const struct dblob *b, const struct dfact *f)
{
	const char *name = blob_name(b, f);
	return (const uint8_t *)name + strlen(name) + 1;
}

/* n bytes (n < SLAB_CHUNK), 4-aligned. */
static void *slab_alloc(struct slab *sl, size_t n)
{
	n = (n + 3) & ~(size_t)3;
	if (!sl->n || sl->used + n > SLAB_CHUNK) {
		if (!grow((void **)&sl->chunks, &sl->cap, sl->n + 1, sizeof(*sl->chunks)))
			return NULL;
		char *ch = malloc(SLAB_CHUNK);
		if (!ch)
			return NULL;
		sl->chunks[sl->n++] = ch;
		sl->used = 0;
		sl->bytes += SLAB_CHUNK;
	}
	void *p = sl->chunks[sl->n - 1] + sl->used;
	sl->used += n;
	return p;
}

static void slab_free(struct slab *sl)
{
	for (uint32_t i = 0; i < sl->n; i++)
		free(sl->chunks[i]);
	free(sl->chunks);
	memset(sl, 0, sizeof(*sl));
}

/* A hex digit's value, lowercase only: an id written in capitals is not
 * one kith made, so it is kept as text rather than turned into bytes. */
static int hexv(int c)
{
	return c >= 'A' && c <= 'F' ? -1 : str_hex_digit(c);
}

/* A lowercase 8-4-4-4-12 UUID as 16 bytes. */
static bool uuid_parse(const char *s, unsigned char out[16])
{
	size_t k = 0;

	if (strlen(s) != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
			continue;
		}
		int h = hexv((unsigned char)s[i]), l;
		if (h < 0 || i + 1 >= 36 || (l = hexv((unsigned char)s[i + 1])) < 0)
			return false;
		out[k++] = (unsigned char)(h << 4 | l);
		i++;
	}
	return k == 16;
}

/* The id of a slot as text, in buf (>= ID_MAX + 1 bytes). */
static const char *slot_id(const struct core *c, uint32_t s, char *buf)
{
	const struct dblob *b = c->blobs[s];
	const unsigned char *id = blob_id(b, &c->facts[s]);

	if (b->idlen)
		return (const char *)id;
	uuid_format(id, buf);
	return buf;
}

static uint64_t id_hash(const char *id, const unsigned char *bin)
{
	return bin ? hash_bytes(bin, 16) : hash_bytes(id, strlen(id));
}

static uint64_t slot_id_hash(const struct core *c, uint32_t s)
{
	const struct dblob *b = c->blobs[s];
	const unsigned char *id = blob_id(b, &c->facts[s]);

	return b->idlen ? hash_bytes(id, b->idlen) : hash_bytes(id, 16);
}

static bool slot_id_eq(const struct core *c, uint32_t s, const char *id, const unsigned char *bin)
{
	const struct dblob *b = c->blobs[s];
	const unsigned char *sid = blob_id(b, &c->facts[s]);

	if (bin)
		return b->idlen == 0 && memcmp(sid, bin, 16) == 0;
	return b->idlen && strcmp((const char *)sid, id) == 0;
}

/* Slot of id, or UINT32_MAX; *pos is its table position. */
static uint32_t ids_find(const struct core *c, const char *id, uint32_t *pos)
{
	unsigned char bin[16];
	const unsigned char *bp = uuid_parse(id, bin) ? bin : NULL;

	if (!c->ids_cap)
		return UINT32_MAX;
	for (uint32_t i = (uint32_t)id_hash(id, bp) & (c->ids_cap - 1);; i = (i + 1) & (c->ids_cap - 1)) {
		uint32_t v = c->ids[i];
		if (v == 0)
			return UINT32_MAX;
		if (v != UINT32_MAX && slot_id_eq(c, v - 1, id, bp)) {
			if (pos)
				*pos = i;
			return v - 1;
		}
	}
}

static bool ids_rehash(struct core *c, uint32_t nc)
{
	uint32_t *t = calloc(nc, sizeof(*t));

	if (!t)
		return false;
	for (uint32_t i = 0; i < c->ids_cap; i++) {
		uint32_t v = c->ids[i];
		if (v == 0 || v == UINT32_MAX)
			continue;
		uint32_t j = (uint32_t)slot_id_hash(c, v - 1) & (nc - 1);
		while (t[j])
			j = (j + 1) & (nc - 1);
		t[j] = v;
	}
	free(c->ids);
	c->ids = t;
	c->ids_cap = nc;
	c->ids_tomb = 0;
	return true;
}

/* Room for one more id (call before anything is changed). */
static bool ids_reserve(struct core *c)
{
	uint32_t nc = 64;

	if ((uint64_t)(c->ids_n + c->ids_tomb + 1) * 2 <= c->ids_cap)
		return true;
	while (nc < (uint64_t)(c->ids_n + 1) * 4)
		nc *= 2;
	return ids_rehash(c, nc);
}

static void ids_insert(struct core *c, uint32_t s)
{
	uint32_t j = (uint32_t)slot_id_hash(c, s) & (c->ids_cap - 1);

	while (c->ids[j] && c->ids[j] != UINT32_MAX)
		j = (j + 1) & (c->ids_cap - 1);
	if (c->ids[j] == UINT32_MAX)
		c->ids_tomb--;
	c->ids[j] = s + 1;
	c->ids_n++;
}

static uint64_t name_key(const char *name)
{
	uint64_t k = 0;
	size_t i = 0;

	for (; i < 8 && name[i]; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (unsigned char)(ch + 32);
		k = (k << 8) | ch;
	}
	return i ? k << (8 * (8 - i)) : 0;    /* (a shift by 64 is undefined) */
}

/* Names compare with ASCII letters folded, then as bytes. */
static int name_cmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	for (;; x++, y++) {
		int cx = *x, cy = *y;
		if (cx >= 'A' && cx <= 'Z')
			cx += 32;
		if (cy >= 'A' && cy <= 'Z')
			cy += 32;
		if (cx != cy)
			return cx - cy;
		if (!cx)
			break;
	}
	return strcmp(a, b);
}

static uint32_t cell_of(double lat, double lon)
{
	double r = floor((lat - GRID_LAT0) / GRID_STEP), c = floor((lon - GRID_LON0) / GRID_STEP);

	if (!(r >= 0 && r < GRID_ROWS && c >= 0 && c < GRID_COLS))
		return GRID_OTHER;
	return (uint32_t)r * GRID_COLS + (uint32_t)c;
}

static bool cell_add(struct cell *cl, uint32_t s)
{
	if (cl->n && cl->v[cl->n - 1] == s)
		return true;
	if (!grow((void **)&cl->v, &cl->cap, cl->n + 1, sizeof(uint32_t)))
		return false;
	cl->v[cl->n++] = s;
	return true;
}

/* The distinct cells of a document's places, sorted; returns how many. */
static size_t doc_cells(const struct core *c, uint32_t s, uint32_t out[SEARCH_MAX_POINTS])
{
	const struct dfact *f = &c->facts[s];
	size_t n = 0;

	for (size_t i = 0; i < f->npoints; i++) {
		double la, lo;
		if (i == 0) {
			la = f->lat;
			lo = f->lon;
		} else {
			const float *pt = blob_points(c->blobs[s], f) + (i - 1) * 2;
			la = pt[0];
			lo = pt[1];
		}
		uint32_t cl = cell_of(la, lo);
		size_t j = 0;
		while (j < n && out[j] < cl)
			j++;
		if (j < n && out[j] == cl)
			continue;
		memmove(out + j + 1, out + j, (n - j) * sizeof(*out));
		out[j] = cl;
		n++;
	}
	return n;
}

static bool grid_add(struct core *c, uint32_t s)
{
	uint32_t cells[SEARCH_MAX_POINTS];
	size_t n = doc_cells(c, s, cells);

	for (size_t i = 0; i < n; i++)
		if (!cell_add(&c->grid[cells[i]], s))
			return false;
	return true;
}

static struct core *core_new(void)
{
	struct core *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->grid = calloc(GRID_CELLS, sizeof(*c->grid));
	if (!c->grid) {
		free(c);
		return NULL;
	}
	return c;
}

static void core_free(struct core *c)
{
	if (!c)
		return;
	slab_free(&c->slab);
	free(c->facts);
	free(c->dl16);
	free(c->namekey);
	free(c->namesig);
	free(c->dead);
	free(c->blobs);
	free((void *)c->nextc);
	free(c->ids);
	for (uint32_t t = 0; t < c->nterms; t++)
		term_release(&c->terms[t]);
	free(c->terms);
	free(c->dict.tab);
	free(c->words.p);
	for (uint32_t i = 0; i < GRID_CELLS; i++)
		free(c->grid[i].v);
	free(c->grid);
	free(c);
}

static bool slots_reserve(struct core *c, uint32_t need)
{
	uint32_t cap = c->cap, cap2 = c->cap, cap3 = c->cap, cap4 = c->cap, cap5 = c->cap, cap6 = c->cap;

	if (need <= c->cap)
		return true;
	if (!grow((void **)&c->facts, &cap, need, sizeof(*c->facts)) ||
	    !grow((void **)&c->blobs, &cap2, need, sizeof(*c->blobs)) ||
	    !grow((void **)&c->nextc, &cap3, need, sizeof(*c->nextc)) ||
	    !grow((void **)&c->dl16, &cap4, need, sizeof(*c->dl16)) ||
	    !grow((void **)&c->namekey, &cap5, need, sizeof(*c->namekey)) ||
	    !grow((void **)&c->namesig, &cap6, need, sizeof(*c->namesig)))
		return false;   /* the arrays that did grow keep their new size: harmless */
	uint64_t *d = realloc(c->dead, ((size_t)cap / 64 + 1) * sizeof(*d));
	if (!d)
		return false;
	memset(d + c->cap / 64 + (c->cap ? 1 : 0), 0,
		((size_t)cap / 64 + 1 - c->cap / 64 - (c->cap ? 1 : 0)) * sizeof(*d));
	c->dead = d;
	c->cap = cap;
	return true;
}

static const char *dict_key(const void *ctx, uint32_t v)
{
	const struct core *c = ctx;
	return c->words.p + c->terms[v].str;
}

static uint32_t term_find(const struct core *c, const char *w, size_t n)
{
	return strmap_find(&c->dict, w, n, hash_bytes(w, n), dict_key, c);
}

static uint32_t term_get(struct core *c, const char *w, size_t n)
{
	uint64_t h = hash_bytes(w, n);
	uint32_t v = strmap_find(&c->dict, w, n, h, dict_key, c);

	if (v != UINT32_MAX)
		return v;
	if (!grow((void **)&c->terms, &c->terms_cap, c->nterms + 1, sizeof(*c->terms)))
		return UINT32_MAX;
	uint32_t off = pool_add(&c->words, w, n);
	if (!off)
		return UINT32_MAX;
	memset(&c->terms[c->nterms], 0, sizeof(c->terms[0]));
	c->terms[c->nterms].str = off;
	if (!strmap_put(&c->dict, c->nterms, h, dict_key, c))
		return UINT32_MAX;
	return c->nterms++;
}

static void kill_slot(struct core *c, uint32_t s)
{
	c->facts[s].state |= D_DEAD;
	bit_set(c->dead, s, true);
	c->blobs[s] = NULL;     /* its block stays in the slab until compaction */
	c->nlive--;
	c->ndead++;
}

/* ---------------------------------------------------------------- schedules */

/* Schedules are byte-encoded in the document block: a head byte (freq
 * and which fields follow), the weekdays, then only the fields that are
 * not their default. A weekly session at a time is 6 bytes, not the 56
 * of struct sched. Round-trips every value in range. */
enum { SE_INTERVAL = 4, SE_BYDAY = 8, SE_MDAY = 16, SE_START = 32, SE_END = 64, SE_TIMES = 128 };
#define SCHED_ENC_MAX (2 + 2 + 1 + 2 * SCHED_MAX_BYDAY + 1 + 4 + 4 + 4)

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static size_t sched_enc(const struct sched *s, uint8_t *o)
{
	size_t n = 2;
	int nb = (int)clamp64(s->nbyday, 0, SCHED_MAX_BYDAY);
	uint8_t head = (uint8_t)(s->freq & 3);

	o[1] = s->weekdays;
	if (s->interval != 1) {
		uint16_t v = (uint16_t)clamp64(s->interval, 0, 65535);
		head |= SE_INTERVAL;
		memcpy(o + n, &v, 2);
		n += 2;
	}
	if (nb > 0) {
		head |= SE_BYDAY;
		o[n++] = (uint8_t)nb;
		for (int i = 0; i < nb; i++) {
			o[n++] = (uint8_t)s->byday[i].nth;
			o[n++] = (uint8_t)s->byday[i].wday;
		}
	}
	if (s->monthday) {
		head |= SE_MDAY;
		o[n++] = (uint8_t)clamp64(s->monthday, 0, 255);
	}
	if (s->start_day) {
		int32_t v = (int32_t)clamp64(s->start_day, INT32_MIN, INT32_MAX);
		head |= SE_START;
		memcpy(o + n, &v, 4);
		n += 4;
	}
	if (s->end_day) {
		int32_t v = (int32_t)clamp64(s->end_day, INT32_MIN, INT32_MAX);
		head |= SE_END;
		memcpy(o + n, &v, 4);
		n += 4;
	}
	if (s->opens != -1 || s->closes != -1) {
		int16_t t[2] = { (int16_t)clamp64(s->opens, -1, 32767), (int16_t)clamp64(s->closes, -1, 32767) };
		head |= SE_TIMES;
		memcpy(o + n, t, 4);
		n += 4;
	}
	o[0] = head;
	return n;
}

static size_t sched_dec(const uint8_t *p, struct sched *s)
{
	size_t n = 2;
	uint8_t head = p[0];

	memset(s, 0, sizeof(*s));
	s->freq = (enum sched_freq)(head & 3);
	s->weekdays = p[1];
	s->interval = 1;
	s->opens = s->closes = -1;
	if (head & SE_INTERVAL) {
		uint16_t v;
		memcpy(&v, p + n, 2);
		s->interval = v;
		n += 2;
	}
	if (head & SE_BYDAY) {
		s->nbyday = p[n++];
		for (int i = 0; i < s->nbyday; i++) {
			s->byday[i].nth = (int8_t)p[n++];
			s->byday[i].wday = (int8_t)p[n++];
		}
	}
	if (head & SE_MDAY)
		s->monthday = p[n++];
	if (head & SE_START) {
		int32_t v;
		memcpy(&v, p + n, 4);
		s->start_day = v;
		n += 4;
	}
	if (head & SE_END) {
		int32_t v;
		memcpy(&v, p + n, 4);
		s->end_day = v;
		n += 4;
	}
	if (head & SE_TIMES) {
		int16_t t[2];
		memcpy(t, p + n, 4);
		s->opens = t[0];
		s->closes = t[1];
		n += 4;
	}
	return n;
}

/* The next session of a document at now: the cached answer when it still
 * holds (computed at t, it stays right until that session starts), else
 * computed and cached. */
static int64_t doc_next(const struct core *c, uint32_t s, int64_t now)
{
	const struct dfact *f;
	uint64_t e;

	/* The cache first: it is a column, the facts are a cache miss. */
	e = atomic_load_explicit(&c->nextc[s], memory_order_relaxed);
	if (e) {
		int64_t from = (int64_t)(e >> 32) * 60, next = (int64_t)(uint32_t)e * 60;
		if (now >= from && now <= next)
			return next;
	}
	f = &c->facts[s];
	if (!f->nscheds)
		return 0;
	const uint8_t *ps = blob_scheds(c->blobs[s], f);
	int64_t best = 0;
	bool cacheable = true;
	for (size_t i = 0; i < f->nscheds; i++) {
		struct sched sc;
		ps += sched_dec(ps, &sc);
		int64_t n = sched_next(&sc, now);
		if (n > 0 && (best == 0 || n < best))
			best = n;
		/* "Every other week" with no start date counts from the week of
		 * now, so its answer is not the same for every now up to it. */
		if (sc.interval > 1 && sc.start_day <= 0)
			cacheable = false;
	}
	/* None is not kept: the look-ahead horizon moves with the day, and
	 * schedules that have ended answer at once anyway. */
	int64_t from_min = now > 0 ? (now + 59) / 60 : 0;
	if (cacheable && best > 0 && from_min > 0 && from_min <= UINT32_MAX && best % 60 == 0 &&
	    best / 60 <= UINT32_MAX)
		e = (uint64_t)from_min << 32 | (uint64_t)(best / 60);
	else
		e = 0;
	atomic_store_explicit(&c->nextc[s], e, memory_order_relaxed);
	return best;
}

/* ---------------------------------------------------------------- index */

static struct pcache_ent *pcache_new(void);

struct search_index *search_new(void)
{
	struct search_index *ix = calloc(1, sizeof(*ix));

	if (!ix)
		return NULL;
	/* Writers first: a steady stream of searches must not hold off
	 * directory_sync for ever (glibc prefers readers by default). Readers
	 * never take the lock twice, which this kind requires. */
	pthread_rwlockattr_t attr;
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	ix->c = core_new();
	int rc = ix->c ? pthread_rwlock_init(&ix->lock, &attr) : -1;
	pthread_rwlockattr_destroy(&attr);
	if (rc != 0) {
		core_free(ix->c);
		free(ix);
		return NULL;
	}
	if (pthread_mutex_init(&ix->wmu, NULL) != 0) {
		pthread_rwlock_destroy(&ix->lock);
		core_free(ix->c);
		free(ix);
		return NULL;
	}
	ix->gen = 1;
	atomic_init(&ix->version, 1);
	ix->pcache = pcache_new();
	for (int i = 0; i < PCACHE_LOCKS; i++)
		pthread_mutex_init(&ix->pcmu[i], NULL);
	return ix;
}

static void stemc_free(struct stemc *sc)
{
	free(sc->tab);
	free(sc->key);
	free(sc->val);
	free(sc->pool.p);
	memset(sc, 0, sizeof(*sc));
}

void search_set_lexicon(struct search_index *ix, struct lexicon *lx)
{
	pthread_mutex_lock(&ix->wmu);
	lexicon_free(ix->lx);
	lexicon_seal(lx);
	ix->lx = lx;
	pthread_mutex_unlock(&ix->wmu);
}

void search_free(struct search_index *ix)
{
	if (!ix)
		return;
	core_free(ix->c);
	intern_free(&ix->orgs);
	intern_free(&ix->tax);
	stemc_free(&ix->sc);
	lexicon_free(ix->lx);
	free(ix->wt);
	free(ix->tp);
	pthread_rwlock_destroy(&ix->lock);
	pthread_mutex_destroy(&ix->wmu);
	for (int i = 0; i < PCACHE_LOCKS; i++)
		pthread_mutex_destroy(&ix->pcmu[i]);
	free(ix->pcache);
	free(ix);
}

/* Writer: the stem (offset in the cache's pool) of a word, 0 for a
 * stopword, UINT32_MAX when out of memory. */
static uint32_t stemc_get(struct stemc *sc, const char *w, size_t n)
{
	uint64_t h = hash_bytes(w, n);

	if (sc->cap) {
		for (uint32_t i = (uint32_t)h & (sc->cap - 1);; i = (i + 1) & (sc->cap - 1)) {
			uint32_t e = sc->tab[i];
			if (!e)
				break;
			const char *k = sc->pool.p + sc->key[e - 1];
			if (strncmp(k, w, n) == 0 && k[n] == '\0')
				return sc->val[e - 1];
		}
	}
	if (sc->n >= STEM_CACHE_MAX)
		stemc_free(sc);        /* bounded: start again */
	char st[WORD_MAX + 1];
	size_t sl = stem_word(w, n, st);
	uint32_t ko = pool_add(&sc->pool, w, n), vo = 0;
	if (!ko || (sl && !(vo = pool_add(&sc->pool, st, sl))))
		return UINT32_MAX;
	if ((sc->n + 1) * 2 > sc->cap) {
		uint32_t nc = sc->cap ? sc->cap * 2 : 1024;
		uint32_t *t = calloc(nc, sizeof(*t));
		if (!t)
			return UINT32_MAX;
		for (uint32_t e = 0; e < sc->n; e++) {
			const char *k = sc->pool.p + sc->key[e];
			uint32_t j = (uint32_t)hash_bytes(k, strlen(k)) & (nc - 1);
			while (t[j])
				j = (j + 1) & (nc - 1);
			t[j] = e + 1;
		}
		free(sc->tab);
		sc->tab = t;
		sc->cap = nc;
	}
	uint32_t ecap = sc->ecap, ecap2 = sc->ecap;
	if (!grow((void **)&sc->key, &ecap, sc->n + 1, sizeof(uint32_t)) ||
	    !grow((void **)&sc->val, &ecap2, sc->n + 1, sizeof(uint32_t)))
		return UINT32_MAX;
	sc->ecap = ecap < ecap2 ? ecap : ecap2;
	sc->key[sc->n] = ko;
	sc->val[sc->n] = vo;
	uint32_t i = (uint32_t)h & (sc->cap - 1);
	while (sc->tab[i])
		i = (i + 1) & (sc->cap - 1);
	sc->tab[i] = ++sc->n;
	return vo;
}

struct put_ctx {
	struct search_index *ix;
	uint32_t weight;
	bool oom;
	bool expanding;            /* adding what the lexicon said: no further expansion */
	bool has_prev;
	char prev[WORD_MAX + 1];   /* the word before, as the lexicon sees it */
};

static bool put_cb(void *ctx, const char *w, size_t n);
static bool put_word(struct put_ctx *x, uint32_t st);

/* The lexicon's words for the word just added, as if the text had them. */
static void put_emit(void *ctx, const char *raw)
{
	struct put_ctx *x = ctx;

	x->expanding = true;
	tokenize(raw, strlen(raw), put_cb, x);
	x->expanding = false;
}

/* After w (stem offset st, 0 for a stopword): what the lexicon adds. */
static void put_expand(struct put_ctx *x, const char *w, size_t n, uint32_t st)
{
	struct search_index *ix = x->ix;
	char form[WORD_MAX + 1];

	if (st)
		str_copy(form, sizeof(form), ix->sc.pool.p + st);
	else {
		memcpy(form, w, n);
		form[n] = '\0';
	}
	lexicon_expand(ix->lx, x->has_prev ? x->prev : NULL, form, put_emit, x);
	memcpy(x->prev, form, strlen(form) + 1);
	x->has_prev = true;
}

static bool put_cb(void *ctx, const char *w, size_t n)
{
	struct put_ctx *x = ctx;
	struct search_index *ix = x->ix;
	uint32_t st;

	if (ix->nwt >= DOC_WORDS_MAX)
		return false;
	st = stemc_get(&ix->sc, w, n);
	if (st == UINT32_MAX) {
		x->oom = true;
		return false;
	}
	if (st != 0 && !put_word(x, st))
		return false;
	if (ix->lx && !x->expanding)
		put_expand(x, w, n, st);
	return !x->oom;
}

/* Adds the word whose stem is at st to the document's words. */
static bool put_word(struct put_ctx *x, uint32_t st)
{
	struct search_index *ix = x->ix;

	if (ix->nwt == ix->wtcap) {
		size_t nc = ix->wtcap ? ix->wtcap * 2 : 256;
		struct wtok *p = realloc(ix->wt, nc * sizeof(*p));
		if (!p) {
			x->oom = true;
			return false;
		}
		ix->wt = p;
		ix->wtcap = nc;
	}
	ix->wt[ix->nwt++] = (struct wtok){ st, x->weight };
	return true;
}

static int tp_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct tfpair *)a)->term, y = ((const struct tfpair *)b)->term;
	return (x > y) - (x < y);
}

static bool point_ok(const struct search_point *p)
{
	return isfinite(p->lat) && isfinite(p->lon) && p->lat >= -90 && p->lat <= 90 &&
		p->lon >= -180 && p->lon <= 180;
}

/* Builds slot s from doc (words already stemmed into ix->wt) and appends
 * its postings. On failure the slot is left dead. */
static enum err build_slot(struct search_index *ix, struct core *c, const struct search_doc *doc,
		uint32_t s, uint32_t dl, uint64_t namesig)
{
	struct dfact *f = &c->facts[s];
	struct search_point pts[SEARCH_MAX_POINTS];
	size_t np = 0, ns = doc->nscheds < SEARCH_MAX_SCHEDS ? doc->nscheds : SEARCH_MAX_SCHEDS;
	size_t nt = doc->nterms < TAX_MAX ? doc->nterms : TAX_MAX;
	const char *name = doc->name ? doc->name : "";
	size_t namelen = strnlen(name, NAME_MAX_BYTES), idlen, size;
	unsigned char bin[16];
	bool isbin = uuid_parse(doc->id, bin);
	uint32_t tax[2 * TAX_MAX];
	size_t ntax = 0;

	memset(f, 0, sizeof(*f));
	f->state = D_DEAD;
	bit_set(c->dead, s, true);
	c->dl16[s] = (uint16_t)(dl > 65535 ? 65535 : dl);
	c->namesig[s] = 0;
	c->blobs[s] = NULL;
	atomic_init(&c->nextc[s], 0);
	c->nslots = s + 1;
	c->ndead++;

	for (size_t i = 0; i < doc->npoints && i < SEARCH_MAX_POINTS; i++)
		if (point_ok(&doc->points[i]))
			pts[np++] = doc->points[i];
	for (size_t i = 0; i < nt; i++) {
		if (!doc->terms || !doc->terms[i])
			continue;
		uint32_t t = intern_get(&ix->tax, doc->terms[i]);
		uint32_t x = doc->taxonomies && doc->taxonomies[i] ?
			intern_get(&ix->tax, doc->taxonomies[i]) : UINT32_MAX - 1;
		if (t == UINT32_MAX || x == UINT32_MAX)
			return ERR_NOMEM;
		tax[ntax * 2] = t;
		tax[ntax * 2 + 1] = x;
		ntax++;
	}
	uint8_t senc[SEARCH_MAX_SCHEDS * SCHED_ENC_MAX];
	size_t sl = 0;
	uint32_t daytime = 0;
	for (size_t i = 0; i < ns; i++) {
		sl += sched_enc(&doc->scheds[i], senc + sl);
		daytime |= sched_daytime(&doc->scheds[i]);
	}
	idlen = isbin ? 16 : strlen(doc->id) + 1;
	size = sizeof(struct dblob) + ntax * 8 + (np > 1 ? np - 1 : 0) * 8 + idlen + namelen + 1 + sl;
	struct dblob *b = slab_alloc(&c->slab, size);
	if (!b)
		return ERR_NOMEM;
	b->idlen = isbin ? 0 : (uint8_t)(idlen - 1);
	b->pad = 0;
	b->size = (uint16_t)size;
	f->ntax = (uint8_t)ntax;
	f->npoints = (uint8_t)np;
	f->nscheds = (uint8_t)ns;
	memcpy(b->data, tax, ntax * 8);
	float *pp = (float *)(void *)(b->data + ntax * 8);
	for (size_t i = 1; i < np; i++) {
		pp[(i - 1) * 2] = (float)pts[i].lat;
		pp[(i - 1) * 2 + 1] = (float)pts[i].lon;
	}
	unsigned char *idp = b->data + ntax * 8 + (np > 1 ? np - 1 : 0) * 8;
	if (isbin)
		memcpy(idp, bin, 16);
	else
		memcpy(idp, doc->id, idlen);
	memcpy(idp + idlen, name, namelen);
	idp[idlen + namelen] = '\0';
	memcpy(idp + idlen + namelen + 1, senc, sl);
	c->blobs[s] = b;

	f->cats = doc->categories;
	f->conds = doc->conditions;
	f->langs = doc->languages;
	f->flags = (uint8_t)doc->flags;
	f->daytime = daytime & 0x1FFFFF;
	for (int d = 0; d < 7; d++)
		if ((f->daytime >> (3 * d)) & 7)
			f->days |= (uint8_t)(1u << d);
	for (int p = 0; p < 3; p++)
		if (f->daytime & (0x49249u << p))
			f->parts |= (uint8_t)(1u << p);
	f->modified = doc->modified;
	f->namekey = name_key(blob_name(b, f));
	c->namekey[s] = f->namekey;
	c->namesig[s] = namesig;
	f->dl = dl;
	if (np) {
		f->lat = (float)pts[0].lat;
		f->lon = (float)pts[0].lon;
	}
	if (doc->org_id && doc->org_id[0]) {
		uint32_t o = intern_get(&ix->orgs, doc->org_id);
		if (o == UINT32_MAX)
			return ERR_NOMEM;
		f->org = o + 1;
	}
	/* Words -> terms, merged per term. */
	if (ix->tpcap < ix->nwt) {
		struct tfpair *p = realloc(ix->tp, ix->nwt * sizeof(*p));
		if (!p)
			return ERR_NOMEM;
		ix->tp = p;
		ix->tpcap = ix->nwt;
	}
	for (size_t i = 0; i < ix->nwt; i++) {
		const char *w = ix->sc.pool.p + ix->wt[i].stem;
		uint32_t t = term_get(c, w, strlen(w));
		if (t == UINT32_MAX)
			return ERR_NOMEM;
		ix->tp[i] = (struct tfpair){ t, ix->wt[i].w };
	}
	if (ix->nwt)
		qsort(ix->tp, ix->nwt, sizeof(*ix->tp), tp_cmp);
	for (size_t i = 0; i < ix->nwt;) {
		uint32_t t = ix->tp[i].term, tf = 0;
		for (; i < ix->nwt && ix->tp[i].term == t; i++)
			tf += ix->tp[i].tf;
		if (!term_append(&c->terms[t], s, tf > 65535 ? 65535 : tf))
			return ERR_NOMEM;
	}
	if (!grid_add(c, s))
		return ERR_NOMEM;
	/* Live from here. */
	f->state = 0;
	bit_set(c->dead, s, false);
	c->ndead--;
	c->nlive++;
	c->sum_dl += dl;
	return ERR_OK;
}

static enum err compact_locked(struct search_index *ix);

enum err search_put(struct search_index *ix, const struct search_doc *doc)
{
	struct put_ctx pc = { .ix = ix, .weight = NAME_WEIGHT };
	uint32_t dl = 0, old;
	uint64_t namesig = 0;
	enum err e = ERR_OK;
	struct core *c;

	if (!ix || !doc || !doc->id || !doc->id[0] || strlen(doc->id) > ID_MAX)
		return ERR_INVALID;
	pthread_mutex_lock(&ix->wmu);
	ix->nwt = 0;
	if (doc->name)
		tokenize(doc->name, strlen(doc->name), put_cb, &pc);
	/* The name's words (and what the lexicon added to them). */
	for (size_t i = 0; i < ix->nwt; i++)
		namesig |= name_sig(ix->sc.pool.p + ix->wt[i].stem);
	pc.weight = 1;
	pc.has_prev = false;
	if (doc->body && !pc.oom)
		tokenize(doc->body, strlen(doc->body), put_cb, &pc);
	if (pc.oom) {
		pthread_mutex_unlock(&ix->wmu);
		return ERR_NOMEM;
	}
	for (size_t i = 0; i < ix->nwt; i++)
		dl += ix->wt[i].w;

	pthread_rwlock_wrlock(&ix->lock);
	c = ix->c;
	if (c->nslots >= UINT32_MAX - 2 || !slots_reserve(c, c->nslots + 1) || !ids_reserve(c)) {
		e = ERR_NOMEM;
	} else {
		uint32_t s = c->nslots, pos = 0;
		old = ids_find(c, doc->id, &pos);
		e = build_slot(ix, c, doc, s, dl, namesig);
		if (e == ERR_OK) {
			if (old != UINT32_MAX) {
				kill_slot(c, old);
				c->ids[pos] = UINT32_MAX;
				c->ids_n--;
				c->ids_tomb++;
			}
			ids_insert(c, s);
		} else {
			c->blobs[s] = NULL;    /* a dead slot; its block stays in the slab */
		}
	}
	ix->gen++;
	atomic_store_explicit(&ix->version, ix->gen, memory_order_release);
	pthread_rwlock_unlock(&ix->lock);
	if (e == ERR_OK && c->ndead >= 64 && (uint64_t)c->ndead * 4 > c->nslots)
		compact_locked(ix);    /* failure leaves the index as it was */
	pthread_mutex_unlock(&ix->wmu);
	return e;
}

enum err search_remove(struct search_index *ix, const char *id)
{
	uint32_t s, pos = 0;
	struct core *c;
	enum err e = ERR_OK;

	if (!ix || !id)
		return ERR_NOT_FOUND;
	pthread_mutex_lock(&ix->wmu);
	pthread_rwlock_wrlock(&ix->lock);
	c = ix->c;
	s = ids_find(c, id, &pos);
	if (s == UINT32_MAX) {
		e = ERR_NOT_FOUND;
	} else {
		kill_slot(c, s);
		c->ids[pos] = UINT32_MAX;
		c->ids_n--;
		c->ids_tomb++;
	}
	ix->gen++;
	atomic_store_explicit(&ix->version, ix->gen, memory_order_release);
	pthread_rwlock_unlock(&ix->lock);
	if (e == ERR_OK && c->ndead >= 64 && (uint64_t)c->ndead * 4 > c->nslots)
		compact_locked(ix);
	pthread_mutex_unlock(&ix->wmu);
	return e;
}

/* Builds a new core holding only the live documents (in the same order,
 * so posting lists stay sorted) while readers go on with the old one, then
 * swaps it in. Caller holds wmu. */
static enum err compact_locked(struct search_index *ix)
{
	struct core *o = ix->c, *n = core_new();
	uint32_t *remap = NULL;

	if (!n)
		return ERR_NOMEM;
	remap = malloc((o->nslots ? o->nslots : 1) * sizeof(*remap));
	if (!remap || !slots_reserve(n, o->nlive ? o->nlive : 1))
		goto oom;
	for (uint32_t s = 0; s < o->nslots; s++) {
		if (!slot_live(o, s)) {
			remap[s] = UINT32_MAX;
			continue;
		}
		uint32_t t = n->nslots++;
		remap[s] = t;
		n->facts[t] = o->facts[s];
		n->dl16[t] = o->dl16[s];
		n->namekey[t] = o->namekey[s];
		n->namesig[t] = o->namesig[s];
		bit_set(n->dead, t, false);
		const struct dblob *ob = o->blobs[s];
		struct dblob *nb = slab_alloc(&n->slab, ob->size);
		if (!nb)
			goto oom;
		memcpy(nb, ob, ob->size);
		n->blobs[t] = nb;
		atomic_init(&n->nextc[t], atomic_load_explicit(&o->nextc[s], memory_order_relaxed));
		n->sum_dl += o->facts[s].dl;
		n->nlive++;
	}
	/* Ids. */
	uint32_t icap = 64;
	while (icap < n->nlive * 2 + 2)
		icap *= 2;
	n->ids = calloc(icap * 2, sizeof(*n->ids));
	if (!n->ids)
		goto oom;
	n->ids_cap = icap * 2;
	for (uint32_t s = 0; s < n->nslots; s++)
		ids_insert(n, s);
	/* Postings, dropping the dead and terms left with none. */
	for (uint32_t t = 0; t < o->nterms; t++) {
		const struct term *ot = &o->terms[t];
		struct cur cu;
		uint32_t nt = UINT32_MAX;
		cur_init(&cu, ot);
		while (cur_next(&cu)) {
			uint32_t ns = remap[cu.slot1 - 1];
			if (ns == UINT32_MAX)
				continue;
			if (nt == UINT32_MAX) {
				const char *w = o->words.p + ot->str;
				nt = term_get(n, w, strlen(w));
				if (nt == UINT32_MAX)
					goto oom;
			}
			if (!term_append(&n->terms[nt], ns, cu.tf))
				goto oom;
		}
	}
	for (uint32_t s = 0; s < n->nslots; s++)
		if (!grid_add(n, s))
			goto oom;
	free(remap);
	pthread_rwlock_wrlock(&ix->lock);
	ix->c = n;
	ix->gen++;
	atomic_store_explicit(&ix->version, ix->gen, memory_order_release);
	pthread_rwlock_unlock(&ix->lock);
	core_free(o);
	return ERR_OK;
oom:
	free(remap);
	core_free(n);
	return ERR_NOMEM;
}

enum err search_compact(struct search_index *ix)
{
	enum err e;

	pthread_mutex_lock(&ix->wmu);
	e = compact_locked(ix);
	pthread_mutex_unlock(&ix->wmu);
	return e;
}

uint64_t search_version(const struct search_index *ix)
{
	struct search_index *m = (struct search_index *)ix;

	return m ? atomic_load_explicit(&m->version, memory_order_acquire) : 0;
}

size_t search_count(const struct search_index *ix)
{
	struct search_index *m = (struct search_index *)ix;   /* the lock is not the index */
	size_t n;

	pthread_rwlock_rdlock(&m->lock);
	n = m->c->nlive;
	pthread_rwlock_unlock(&m->lock);
	return n;
}

size_t search_bytes(const struct search_index *ix)
{
	struct search_index *m = (struct search_index *)ix;
	const struct core *c;
	size_t b = sizeof(*ix) + sizeof(*c);

	pthread_mutex_lock(&m->wmu);       /* the writer's scratch too */
	pthread_rwlock_rdlock(&m->lock);
	c = m->c;
	/* The per-slot arrays up to the slots in use: their growth room is
	 * address space the kernel has not given pages to. */
	b += (size_t)c->nslots * (sizeof(*c->facts) + sizeof(*c->blobs) + sizeof(*c->nextc) + sizeof(*c->dl16) +
		sizeof(*c->namekey) + sizeof(*c->namesig)) +
		((size_t)c->cap / 64 + 1) * sizeof(uint64_t);
	b += c->slab.bytes + c->slab.cap * sizeof(char *);
	b += (size_t)c->ids_cap * sizeof(uint32_t);
	b += (size_t)c->terms_cap * sizeof(struct term) + c->dict.cap * sizeof(uint32_t) + c->words.cap;
	for (uint32_t t = 0; t < c->nterms; t++) {
		const struct term *tm = &c->terms[t];
		if (tm->cap) {
			uint32_t k = tm->n / SKIP, sc = 1;
			while (sc < k)
				sc *= 2;
			b += tm->cap + (k ? (size_t)sc * 2 * 2 * sizeof(uint32_t) : 0);
		}
	}
	b += GRID_CELLS * sizeof(struct cell);
	for (uint32_t i = 0; i < GRID_CELLS; i++)
		b += (size_t)c->grid[i].cap * sizeof(uint32_t);
	b += intern_bytes(&ix->orgs) + intern_bytes(&ix->tax);
	b += ix->sc.cap * sizeof(uint32_t) + (size_t)ix->sc.ecap * 2 * sizeof(uint32_t) + ix->sc.pool.cap;
	b += ix->wtcap * sizeof(struct wtok) + ix->tpcap * sizeof(struct tfpair);
	pthread_rwlock_unlock(&m->lock);
	pthread_mutex_unlock(&m->wmu);
	return b;
}

/* ---------------------------------------------------------------- queries */

enum { F_CAT = 1, F_COND = 2, F_LANG = 4, F_FLAGS = 8, F_TIME = 16 };

/* How much of the query a match holds, ranked before its BM25 score. */
enum { R_SOME = 0, R_ALL = 1, R_NAME = 2 };

struct ent {
	double score, dist;
	int64_t next;
	uint64_t nk;
	uint32_t slot;
	uint8_t rank;              /* R_*: some words, all of them, all in the name */
};

struct pcache_ent {
	uint64_t gen;              /* 0: empty */
	uint32_t term;
	uint32_t n;                /* entries kept, best first */
	size_t total;
	struct ent e[PCACHE_K];
};

static struct pcache_ent *pcache_new(void)
{
	return calloc(PCACHE_SLOTS, sizeof(struct pcache_ent));
}

struct qctx {
	const struct core *c;
	const struct search_query *q;
	enum search_sort sort;
	int64_t now;
	/* words, in query order */
	size_t nw;
	const struct term *t[QUERY_WORDS_MAX];
	double idf[QUERY_WORDS_MAX];
	double need;               /* the idf a match must hold (PARTIAL_SHARE of the words') */
	uint64_t qsig;             /* name_sig of every word */
	double avgdl;
	double k0, kdl;            /* BM25's K = k0 + kdl * dl */
	/* filters */
	uint32_t org, term, tax;
	bool f_org, f_term, f_tax;
	uint32_t dfull, pfull;
	/* geo */
	bool near, radius, lonbound;
	double la0, la1, lo0, lo1;
	uint64_t *geo;             /* text + radius: slots with a place in the box's cells */
	/* A flat-earth shortcut for the clear cases (radius up to 100 km):
	 * squared angular distance dlat^2 + (cosq dlon)^2 against the radius
	 * shrunk or grown by a margin that bounds the approximation's error;
	 * the cases in between get the haversine. */
	bool approx;
	double cosq, rin2, rout2, margin;
	bool inside;               /* the grid cell being read is wholly within the radius */
	/* a plain text query (not by distance; no filters, facets or place):
	 * scored from the columns, the facts only for entries kept */
	bool plain;
	/* output */
	struct ent *heap;
	size_t hn, k;
	size_t total;
	struct search_facets *fc;
	bool facets;
	struct sessq *ss;          /* search_sessions: matches become sessions here */
	char idbuf[2][ID_MAX + 1];
};

static int id_cmp(struct qctx *x, uint32_t a, uint32_t b)
{
	const struct core *c = x->c;
	const struct dblob *ba = c->blobs[a], *bb = c->blobs[b];

	if (!ba->idlen && !bb->idlen)
		return memcmp(blob_id(ba, &c->facts[a]), blob_id(bb, &c->facts[b]), 16);
	return strcmp(slot_id(c, a, x->idbuf[0]), slot_id(c, b, x->idbuf[1]));
}

/* < 0 when a ranks before b. */
static int ent_cmp(struct qctx *x, const struct ent *a, const struct ent *b)
{
	switch (x->sort) {
	case SORT_NAME:
		if (a->nk != b->nk)
			return a->nk < b->nk ? -1 : 1;
		{
			const struct core *c = x->c;
			int r = name_cmp(blob_name(c->blobs[a->slot], &c->facts[a->slot]),
				blob_name(c->blobs[b->slot], &c->facts[b->slot]));
			if (r)
				return r;
		}
		break;
	case SORT_RELEVANCE:
		if (a->rank != b->rank)
			return a->rank > b->rank ? -1 : 1;
		if (a->score != b->score)
			return a->score > b->score ? -1 : 1;
		break;
	case SORT_DISTANCE:
		if (a->dist != b->dist)
			return a->dist < b->dist ? -1 : 1;
		if (a->rank != b->rank)
			return a->rank > b->rank ? -1 : 1;
		if (a->score != b->score)
			return a->score > b->score ? -1 : 1;
		break;
	case SORT_NEXT: {
		int64_t na = a->next ? a->next : INT64_MAX, nb = b->next ? b->next : INT64_MAX;
		if (na != nb)
			return na < nb ? -1 : 1;
		if (a->rank != b->rank)
			return a->rank > b->rank ? -1 : 1;
		if (a->score != b->score)
			return a->score > b->score ? -1 : 1;
		break;
	}
	}
	return id_cmp(x, a->slot, b->slot);
}

/* Max-heap on rank: the top is the worst entry kept. */
static void heap_up(struct qctx *x, size_t i)
{
	struct ent e = x->heap[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (ent_cmp(x, &x->heap[p], &e) >= 0)
			break;
		x->heap[i] = x->heap[p];
		i = p;
	}
	x->heap[i] = e;
}

static void heap_down(struct qctx *x, size_t i)
{
	struct ent e = x->heap[i];

	for (;;) {
		size_t l = 2 * i + 1, m = i;
		const struct ent *best = &e;
		if (l < x->hn && ent_cmp(x, &x->heap[l], best) > 0) {
			m = l;
			best = &x->heap[l];
		}
		if (l + 1 < x->hn && ent_cmp(x, &x->heap[l + 1], best) > 0)
			m = l + 1;
		if (m == i)
			break;
		x->heap[i] = x->heap[m];
		i = m;
	}
	x->heap[i] = e;
}

static void heap_offer(struct qctx *x, const struct ent *e)
{
	if (x->hn < x->k) {
		x->heap[x->hn++] = *e;
		heap_up(x, x->hn - 1);
	} else if (x->k && ent_cmp(x, e, &x->heap[0]) < 0) {
		x->heap[0] = *e;
		heap_down(x, 0);
	}
}

static inline void point_at(const struct core *c, uint32_t s, size_t i, double *la, double *lo)
{
	const struct dfact *f = &c->facts[s];

	if (i == 0) {
		*la = f->lat;
		*lo = f->lon;
	} else {
		const float *p = blob_points(c->blobs[s], f) + (i - 1) * 2;
		*la = p[0];
		*lo = p[1];
	}
}

/* Distance to the nearest place (INFINITY with none); with a radius only
 * places inside the box are measured (the others are further anyway). */
/* With a radius: is some place of s within it? *dist gets the exact
 * distance when it was measured (the nearest place inside), else NAN. */
static bool doc_within(const struct qctx *x, uint32_t s, double *dist)
{
	const struct dfact *f = &x->c->facts[s];
	const double rad = M_PI / 180.0;
	bool in = false;
	double best = INFINITY;

	*dist = NAN;
	for (size_t i = 0; i < f->npoints; i++) {
		double la, lo;
		point_at(x->c, s, i, &la, &lo);
		if (la < x->la0 || la > x->la1 || (x->lonbound && (lo < x->lo0 || lo > x->lo1)))
			continue;
		if (x->approx) {
			double dy = (la - x->q->lat) * rad, dx = (lo - x->q->lon) * rad * x->cosq;
			double a2 = dy * dy + dx * dx;
			if (a2 > x->rout2)
				continue;
			if (a2 <= x->rin2 && isinf(best)) {
				in = true;       /* surely inside; measured later if needed */
				continue;
			}
		}
		double d = geo_distance_m(x->q->lat, x->q->lon, la, lo);
		if (d <= x->q->radius_m && d < best)
			best = d;
	}
	if (!isinf(best) && !in)
		*dist = best;
	return in || !isinf(best);
}

static double doc_dist(const struct qctx *x, uint32_t s, bool boxed)
{
	const struct dfact *f = &x->c->facts[s];
	double best = INFINITY;

	for (size_t i = 0; i < f->npoints; i++) {
		double la, lo;
		point_at(x->c, s, i, &la, &lo);
		if (boxed && (la < x->la0 || la > x->la1 || (x->lonbound && (lo < x->lo0 || lo > x->lo1))))
			continue;
		double d = geo_distance_m(x->q->lat, x->q->lon, la, lo);
		if (d < best)
			best = d;
	}
	return best;
}

static inline void count_bits64(size_t *out, uint64_t m)
{
	while (m) {
		out[__builtin_ctzll(m)]++;
		m &= m - 1;
	}
}

static bool tax_match(const struct qctx *x, uint32_t s)
{
	const struct dfact *f = &x->c->facts[s];
	const uint32_t *t = blob_tax(x->c->blobs[s]);
	bool term = !x->f_term, tax = !x->f_tax;

	for (size_t i = 0; i < f->ntax && !(term && tax); i++) {
		if (x->f_term && t[i * 2] == x->term)
			term = true;
		if (x->f_tax && t[i * 2 + 1] == x->tax)
			tax = true;
	}
	return term && tax;
}

/* Does entry e rank below the worst kept (the heap is full)? By
 * relevance: its rank, then its score (ties go on to the id). */
static inline bool below_worst(const struct qctx *x, const struct ent *e)
{
	const struct ent *w = &x->heap[0];

	return e->rank < w->rank || (e->rank == w->rank && e->score < w->score);
}

/* The rank of a match with every word (R_ALL, or R_NAME when its name
 * has them all) or some (R_SOME). */
static inline uint8_t rank_of(const struct qctx *x, uint32_t s, bool all)
{
	if (!all)
		return R_SOME;
	return (x->c->namesig[s] & x->qsig) == x->qsig ? R_NAME : R_ALL;
}

/* ---------------------------------------------------------------- sessions */

_Static_assert(SEARCH_SESSIONS_DAYS_MAX < 64, "a window's days are the bits of a uint64_t");

/* A session while a query gathers them. */
struct sent {
	uint32_t key;              /* (day - from) << 16 | (opens + 1): day, then time */
	uint32_t slot;
	double dist;               /* INFINITY without a place, -1 without near */
	int16_t closes;
	uint8_t sched;
};

/* search_sessions' window, and the first k sessions: an array that grows
 * in the arena up to k entries, then becomes a max-heap (the root is the
 * last one kept) that a later session enters only by beating the root. */
struct sessq {
	int64_t from, to, today;
	/* The window's days as bits (bit i: from + i), to step a schedule
	 * only on the days it could fall on: those of each weekday (bit 0
	 * Monday), of each weekday's place in its month (0..4: the first to
	 * fifth, 5: the last), of each day of the month. */
	uint64_t wday[7];
	uint64_t nth[7][6];
	uint64_t mday[32];
	struct sent *v;
	size_t n, cap, k;
	bool heap;
	size_t total;
	struct arena *a;
	bool oom;
};

/* < 0 when a comes before b: key, distance, id, schedule. */
static inline int sent_cmp(struct qctx *x, const struct sent *a, const struct sent *b)
{
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->dist != b->dist)
		return a->dist < b->dist ? -1 : 1;
	if (a->slot != b->slot)
		return id_cmp(x, a->slot, b->slot);
	return (a->sched > b->sched) - (a->sched < b->sched);
}

static void sent_down(struct qctx *x, size_t i)
{
	struct sessq *ss = x->ss;
	struct sent e = ss->v[i];

	for (;;) {
		size_t l = 2 * i + 1, m = i;
		const struct sent *best = &e;
		if (l < ss->n && sent_cmp(x, &ss->v[l], best) > 0) {
			m = l;
			best = &ss->v[l];
		}
		if (l + 1 < ss->n && sent_cmp(x, &ss->v[l + 1], best) > 0)
			m = l + 1;
		if (m == i)
			break;
		ss->v[i] = ss->v[m];
		i = m;
	}
	ss->v[i] = e;
}

static void sent_offer(struct qctx *x, const struct sent *e)
{
	struct sessq *ss = x->ss;

	ss->total++;
	if (ss->n < ss->k) {
		if (ss->n == ss->cap) {
			size_t nc = ss->cap ? ss->cap * 2 : 256;
			if (nc > ss->k)
				nc = ss->k;
			struct sent *v = arena_alloc(ss->a, nc * sizeof(*v));
			if (!v) {
				ss->oom = true;
				return;
			}
			if (ss->n)
				memcpy(v, ss->v, ss->n * sizeof(*v));
			ss->v = v;
			ss->cap = nc;
		}
		ss->v[ss->n++] = *e;
		return;
	}
	if (!ss->heap) {
		for (size_t i = ss->n / 2; i-- > 0;)
			sent_down(x, i);
		ss->heap = true;
	}
	if (sent_cmp(x, e, &ss->v[0]) < 0) {
		ss->v[0] = *e;
		sent_down(x, 0);
	}
}

/* The days of the window s could fall on, from its days alone: a
 * superset (sched_on_day, which also knows the interval, the start and
 * the end, decides each). All of them for values sched_on_day would read
 * in its own way. */
static uint64_t sess_cands(const struct sessq *ss, const struct sched *s)
{
	uint64_t all = (UINT64_C(1) << (ss->to - ss->from + 1)) - 1;
	uint64_t m = 0;
	unsigned days;

	switch (s->freq) {
	case SCHED_ONCE:
		return s->start_day >= ss->from && s->start_day <= ss->to ?
			UINT64_C(1) << (s->start_day - ss->from) : 0;
	case SCHED_WEEKLY:
	case SCHED_DAILY:
		days = s->weekdays & 0x7f;
		if (s->freq == SCHED_DAILY && !days)
			days = 0x7f;
		for (int w = 0; w < 7; w++)
			if ((days >> w) & 1)
				m |= ss->wday[w];
		return m;
	case SCHED_MONTHLY:
		if (s->nbyday <= 0)
			return s->monthday >= 1 && s->monthday <= 31 ? ss->mday[s->monthday] : 0;
		for (int i = 0; i < s->nbyday && i < SCHED_MAX_BYDAY; i++) {
			int w = s->byday[i].wday, nth = s->byday[i].nth;
			if (w < 0 || w > 6)
				return all;
			if (nth == -1)
				m |= ss->nth[w][5];
			else if (nth >= 1 && nth <= 5)
				m |= ss->nth[w][nth - 1];
		}
		return m;
	}
	return all;
}

/* The window's days for sess_cands. */
static void sess_window(struct sessq *ss)
{
	for (int64_t d = ss->from; d <= ss->to; d++) {
		uint64_t bit = UINT64_C(1) << (d - ss->from);
		int y, m, dd, w = uk_weekday(d);
		uk_date(d, &y, &m, &dd);
		ss->wday[w] |= bit;
		ss->nth[w][(dd - 1) / 7] |= bit;
		if (dd + 7 > uk_days_in_month(y, m))
			ss->nth[w][5] |= bit;
		ss->mday[dd] |= bit;
	}
}

/* A match's sessions in the window (dist: as consider() measured it, NAN
 * when it did not). The distance is measured once it has one. */
static void sess_doc(struct qctx *x, uint32_t s, double dist)
{
	const struct sessq *ss = x->ss;
	const struct dfact *f = &x->c->facts[s];
	const uint8_t *ps = blob_scheds(x->c->blobs[s], f);
	bool measured = false;

	for (size_t i = 0; i < f->nscheds; i++) {
		struct sched sc;
		ps += sched_dec(ps, &sc);
		for (uint64_t m = sess_cands(ss, &sc); m; m &= m - 1) {
			int64_t day = ss->from + __builtin_ctzll(m);
			if (!sched_on_day(&sc, day, ss->today))
				continue;
			if (!measured) {
				if (!x->near)
					dist = -1;
				else if (!f->npoints)
					dist = INFINITY;
				else if (isnan(dist))
					dist = doc_dist(x, s, false);
				measured = true;
			}
			struct sent e = {
				.key = (uint32_t)(day - ss->from) << 16 | (uint32_t)(uint16_t)(sc.opens + 1),
				.slot = s, .dist = dist, .closes = (int16_t)sc.closes, .sched = (uint8_t)i,
			};
			sent_offer(x, &e);
		}
	}
}

/* One candidate (tfs: per query word, in query order; all: it has every
 * word). */
static void consider(struct qctx *x, uint32_t s, const uint32_t *tfs, bool all)
{
	const struct core *c = x->c;
	const struct dfact *f = &c->facts[s];
	const struct search_query *q = x->q;
	unsigned fail = 0;
	struct ent e;

	if (f->state & D_DEAD)
		return;
	if (x->ss && !f->nscheds)
		return;                /* no sessions to list: not worth a filter */
	/* Filters that are not facets. */
	if ((x->f_org && f->org != x->org) || (q->modified_after && f->modified <= q->modified_after))
		return;
	if ((x->f_term || x->f_tax) && !tax_match(x, s))
		return;
	e.dist = NAN;                /* not measured yet */
	if (x->radius && !x->inside) {
		if (!f->npoints || !doc_within(x, s, &e.dist))
			return;
	}
	/* Facet dimensions. */
	if (q->categories_any && !(f->cats & q->categories_any))
		fail |= F_CAT;
	if (q->conditions_any && !(f->conds & q->conditions_any))
		fail |= F_COND;
	if (q->languages_any && !(f->langs & q->languages_any))
		fail |= F_LANG;
	if (q->flags_all & ~(uint32_t)f->flags)
		fail |= F_FLAGS;
	if (q->daytime_any && !(f->daytime & q->daytime_any))
		fail |= F_TIME;
	if (x->facets && !(fail & (fail - 1))) {
		struct search_facets *fc = x->fc;
		if (!(fail & ~F_CAT))
			count_bits64(fc->categories, f->cats);
		if (!(fail & ~F_COND))
			count_bits64(fc->conditions, f->conds);
		if (!(fail & ~F_LANG))
			count_bits64(fc->languages, f->langs);
		if (!fail) {
			fc->free += !!(f->flags & SF_FREE);
			fc->wheelchair += !!(f->flags & SF_WHEELCHAIR);
			fc->online += !!(f->flags & SF_ONLINE);
			fc->in_person += !!(f->flags & SF_IN_PERSON);
			fc->peer_led += !!(f->flags & SF_PEER_LED);
			fc->turn_up += !!(f->flags & SF_TURN_UP);
		}
		if (!(fail & ~F_TIME) && f->daytime) {
			if (!q->daytime_any) {
				count_bits64(fc->days, f->days);
				count_bits64(fc->parts, f->parts);
			} else {
				uint32_t dm = f->daytime & x->pfull, pm = f->daytime & x->dfull;
				for (int d = 0; d < 7; d++)
					fc->days[d] += ((dm >> (3 * d)) & 7) != 0;
				for (int p = 0; p < 3; p++)
					fc->parts[p] += (pm & (0x49249u << p)) != 0;
			}
		}
	}
	if (fail)
		return;
	x->total++;
	if (x->ss) {
		sess_doc(x, s, e.dist);
		return;
	}
	if (x->k == 0)
		return;
	e.slot = s;
	e.score = 0;
	e.rank = R_SOME;
	if (x->nw) {
		double K = x->k0 + x->kdl * (double)f->dl;
		for (size_t i = 0; i < x->nw; i++) {
			double tf = tfs[i];
			if (tf)
				e.score += x->idf[i] * (tf * (BM25_K1 + 1.0)) / (tf + K);
		}
		/* Most candidates of a common word cannot make the page: say so
		 * before building an entry, and before reading the name's
		 * signature (at its best rank first). */
		e.rank = all ? R_NAME : R_SOME;
		if (x->sort == SORT_RELEVANCE && x->hn == x->k && below_worst(x, &e))
			return;
		if (x->sort != SORT_NAME)      /* (by name, ranks play no part) */
			e.rank = rank_of(x, s, all);
		if (x->sort == SORT_RELEVANCE && x->hn == x->k && below_worst(x, &e))
			return;
	}
	e.next = 0;
	e.nk = f->namekey;
	if (x->sort == SORT_DISTANCE) {
		if (isnan(e.dist)) {
			if (!f->npoints) {
				e.dist = INFINITY;
			} else {
				/* A cheap lower bound first: the latitude difference
				 * alone (which never exceeds the distance), or the
				 * flat-earth distance less its margin. */
				if (x->hn == x->k) {
					double lb = INFINITY;
					for (size_t i = 0; i < f->npoints; i++) {
						double la, lo;
						point_at(c, s, i, &la, &lo);
						double dy = (la - q->lat) * (M_PI / 180.0), d = fabs(dy) * EARTH_R;
						if (x->approx) {
							double dx = (lo - q->lon) * (M_PI / 180.0) * x->cosq;
							double fl = sqrt(dy * dy + dx * dx) * EARTH_R * (1 - x->margin) - 1.0;
							if (fl > d)
								d = fl;
						}
						if (d < lb)
							lb = d;
					}
					if (lb * (1 - 1e-9) - 1e-3 > x->heap[0].dist)
						return;
				}
				e.dist = doc_dist(x, s, false);
			}
		}
	} else if (x->sort == SORT_NEXT) {
		e.next = doc_next(c, s, x->now);
	}
	heap_offer(x, &e);
}

#define PREFETCH 16

static inline void prefetch_slot(const struct qctx *x, uint32_t s)
{
	__builtin_prefetch(&x->c->facts[s]);
	if (x->sort == SORT_NEXT)
		__builtin_prefetch((const void *)&x->c->nextc[s]);
	if (x->ss)
		__builtin_prefetch(&x->c->blobs[s]);
}

/* consider() for a plain text query (no filters, facets or place; sorted
 * by relevance, name or next session): the columns decide, and only
 * entries good enough for the page touch the document. */
static void consider_plain(struct qctx *x, uint32_t s, const uint32_t *tfs, bool all)
{
	const struct core *c = x->c;
	struct ent e;

	if (bit_get(c->dead, s))
		return;
	x->total++;
	if (x->k == 0)
		return;
	double K = x->k0 + x->kdl * (double)c->dl16[s];
	e.score = 0;
	for (size_t i = 0; i < x->nw; i++) {
		double tf = tfs[i];
		if (tf)
			e.score += x->idf[i] * (tf * (BM25_K1 + 1.0)) / (tf + K);
	}
	e.rank = all ? R_NAME : R_SOME;     /* at best; read only if it may count */
	e.dist = NAN;
	e.next = 0;
	e.nk = 0;
	bool full = x->hn == x->k;
	switch (x->sort) {
	case SORT_RELEVANCE:
		if (full && below_worst(x, &e))
			return;
		e.rank = rank_of(x, s, all);
		if (full && below_worst(x, &e))
			return;
		break;
	case SORT_NAME:
		e.nk = c->namekey[s];
		if (full && e.nk > x->heap[0].nk)
			return;
		break;
	case SORT_NEXT:
		e.next = doc_next(c, s, x->now);
		if (full) {
			int64_t a = e.next ? e.next : INT64_MAX, w = x->heap[0].next ? x->heap[0].next : INT64_MAX;
			if (a > w)
				return;
		}
		break;
	case SORT_DISTANCE:
		break;                 /* never plain */
	}
	if (x->sort == SORT_NEXT)
		e.rank = rank_of(x, s, all);
	e.slot = s;
	heap_offer(x, &e);
}

/* The matches of the words, each with its term frequencies. A match
 * holds at least x->need of the words' idf, so the candidates are the
 * postings of the rarest words up to where the commoner ones left could
 * not make up that much on their own ("required"); those lists are
 * merged, and each of the others is sought (with its skip table) at each
 * candidate. For "walking group" with "group" the commoner word that is
 * the postings of "walk" alone, as a strict AND of both was; for two
 * words about as common, their union. */
static void run_text(struct qctx *x)
{
	struct cur cur[QUERY_WORDS_MAX];
	size_t order[QUERY_WORDS_MAX] = { 0 };   /* all set below; the analyzer cannot see n <= QUERY_WORDS_MAX */
	bool live[QUERY_WORDS_MAX];
	uint32_t tfs[QUERY_WORDS_MAX];
	size_t n = x->nw, nreq = n;
	double rest = 0;

	for (size_t i = 0; i < n; i++) {
		cur_init(&cur[i], x->t[i]);
		order[i] = i;
	}
	/* Rarest first. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && x->t[order[j]]->n < x->t[order[j - 1]]->n; j--) {
			size_t tmp = order[j];
			order[j] = order[j - 1];
			order[j - 1] = tmp;
		}
	/* The fewest rarest words that a match must have one of. */
	for (size_t r = n; r > 1; r--) {
		if (rest + x->idf[order[r - 1]] >= x->need)
			break;
		rest += x->idf[order[r - 1]];
		nreq = r - 1;
	}
	size_t nlive = 0;
	for (size_t i = 0; i < n; i++) {
		live[order[i]] = i < nreq ? cur_next(&cur[order[i]]) : true;
		nlive += i < nreq && live[order[i]];
	}
	uint32_t bs[PREFETCH], btf[PREFETCH][QUERY_WORDS_MAX];
	bool ball[PREFETCH];
	size_t nb = 0;
	while (nlive) {
		uint32_t target = UINT32_MAX;
		double held = 0;
		size_t nm = 0;

		for (size_t i = 0; i < nreq; i++)
			if (live[order[i]] && cur[order[i]].slot1 < target)
				target = cur[order[i]].slot1;
		for (size_t i = 0; i < n; i++) {
			size_t w = order[i];
			struct cur *cw = &cur[w];

			tfs[w] = 0;
			if (!live[w])
				continue;
			if (i >= nreq && !cur_seek(cw, target)) {
				live[w] = false;
				continue;
			}
			if (cw->slot1 != target)
				continue;
			tfs[w] = cw->tf;
			held += x->idf[w];
			nm++;
			if (i < nreq && !cur_next(cw)) {
				live[w] = false;
				nlive--;
			}
		}
		if (held < x->need)
			continue;
		uint32_t s = target - 1;
		bool all = nm == n;
		if (x->plain) {
			consider_plain(x, s, tfs, all);
		} else if (!x->geo || bit_get(x->geo, s)) {
			/* Matches wait in a small batch whose facts are
			 * being fetched, so the misses overlap. */
			prefetch_slot(x, s);
			bs[nb] = s;
			ball[nb] = all;
			memcpy(btf[nb], tfs, n * sizeof(*tfs));
			if (++nb == PREFETCH) {
				for (size_t k = 0; k < nb; k++)
					consider(x, bs[k], btf[k], ball[k]);
				nb = 0;
			}
		}
	}
	for (size_t k = 0; k < nb; k++)
		consider(x, bs[k], btf[k], ball[k]);
}

/* Is cell cl (listed for slot s) the first of s's cells inside the
 * query's cells? Documents with places in several cells are in each. */
static bool cell_owner(const struct qctx *x, uint32_t s, uint32_t cl, uint32_t r0, uint32_t r1,
		uint32_t c0, uint32_t c1, bool other)
{
	uint32_t cells[SEARCH_MAX_POINTS];
	size_t n = doc_cells(x->c, s, cells);

	for (size_t i = 0; i < n; i++) {
		uint32_t k = cells[i];
		bool in = k == GRID_OTHER ? other :
			(k / GRID_COLS >= r0 && k / GRID_COLS <= r1 && k % GRID_COLS >= c0 && k % GRID_COLS <= c1);
		if (in)
			return k == cl;
	}
	return false;
}

/* Is every point of grid cell (r, cc) within the radius? The farthest
 * point of a small lat/lon rectangle is one of its corners. */
static bool cell_inside(const struct qctx *x, uint32_t r, uint32_t cc)
{
	double la = GRID_LAT0 + r * GRID_STEP, lo = GRID_LON0 + cc * GRID_STEP;
	double lim = x->q->radius_m * (1 - 1e-9) - 1.0;

	for (int i = 0; i < 4; i++) {
		double cla = la + (i & 1) * GRID_STEP, clo = lo + (i >> 1) * GRID_STEP;
		if (!(geo_distance_m(x->q->lat, x->q->lon, cla, clo) <= lim))
			return false;
	}
	return true;
}

/* Cell range of the query's box; false when the box misses the grid.
 * *other: the box reaches outside the grid. */
static bool grid_range(const struct qctx *x, uint32_t *r0, uint32_t *r1, uint32_t *c0, uint32_t *c1,
		bool *other)
{
	double fr0 = floor((x->la0 - GRID_LAT0) / GRID_STEP), fr1 = floor((x->la1 - GRID_LAT0) / GRID_STEP);
	double fc0 = floor((x->lo0 - GRID_LON0) / GRID_STEP), fc1 = floor((x->lo1 - GRID_LON0) / GRID_STEP);

	*other = fr0 < 0 || fr1 >= GRID_ROWS || fc0 < 0 || fc1 >= GRID_COLS;
	if (fr1 < 0 || fr0 >= GRID_ROWS || fc1 < 0 || fc0 >= GRID_COLS)
		return false;
	*r0 = fr0 < 0 ? 0 : (uint32_t)fr0;
	*r1 = fr1 >= GRID_ROWS ? GRID_ROWS - 1 : (uint32_t)fr1;
	*c0 = fc0 < 0 ? 0 : (uint32_t)fc0;
	*c1 = fc1 >= GRID_COLS ? GRID_COLS - 1 : (uint32_t)fc1;
	return true;
}

/* For words and a radius: a bitmap of the slots listed in the box's
 * cells, so that most postings are turned away without reading their
 * facts. Worth it only when the box holds fewer documents than the
 * rarest word; NULL otherwise (or out of memory: the slow way works). */
static uint64_t *geo_bitmap(struct qctx *x, struct arena *a)
{
	const struct core *c = x->c;
	uint32_t r0, r1, c0, c1;
	bool other;
	size_t in = 0, rarest = UINT32_MAX;

	if (!x->lonbound)
		return NULL;
	for (size_t i = 0; i < x->nw; i++)
		if (x->t[i]->n < rarest)
			rarest = x->t[i]->n;
	bool any = grid_range(x, &r0, &r1, &c0, &c1, &other);
	if (any)
		for (uint32_t r = r0; r <= r1; r++)
			for (uint32_t cc = c0; cc <= c1; cc++)
				in += c->grid[r * GRID_COLS + cc].n;
	if (other)
		in += c->grid[GRID_OTHER].n;
	if (in * 2 > rarest)
		return NULL;
	uint64_t *b = arena_calloc(a, (size_t)c->nslots / 64 + 1, sizeof(uint64_t));
	if (!b)
		return NULL;
	if (any)
		for (uint32_t r = r0; r <= r1; r++)
			for (uint32_t cc = c0; cc <= c1; cc++) {
				const struct cell *ce = &c->grid[r * GRID_COLS + cc];
				for (uint32_t i = 0; i < ce->n; i++)
					bit_set(b, ce->v[i], true);
			}
	if (other) {
		const struct cell *ce = &c->grid[GRID_OTHER];
		for (uint32_t i = 0; i < ce->n; i++)
			bit_set(b, ce->v[i], true);
	}
	return b;
}

static void run_grid(struct qctx *x)
{
	const struct core *c = x->c;
	uint32_t r0 = 0, r1 = 0, c0 = 0, c1 = 0;
	bool other;
	bool any = grid_range(x, &r0, &r1, &c0, &c1, &other);

	if (any) {
		for (uint32_t r = r0; r <= r1; r++)
			for (uint32_t cc = c0; cc <= c1; cc++) {
				uint32_t cl = r * GRID_COLS + cc;
				const struct cell *ce = &c->grid[cl];
				x->inside = cell_inside(x, r, cc);
				for (uint32_t i = 0; i < ce->n; i++) {
					uint32_t s = ce->v[i];
					/* A cell's documents are spread over the slots:
					 * ask for the facts a few ahead. */
					if (i + PREFETCH < ce->n)
						prefetch_slot(x, ce->v[i + PREFETCH]);
					/* Sessions read the block too (its schedules):
					 * its address is in cache by now. */
					if (x->ss && i + PREFETCH / 2 < ce->n)
						__builtin_prefetch(c->blobs[ce->v[i + PREFETCH / 2]]);
					if (c->facts[s].npoints > 1 && !(c->facts[s].state & D_DEAD) &&
					    !cell_owner(x, s, cl, r0, r1, c0, c1, other))
						continue;
					consider(x, s, NULL, false);
				}
			}
	} else {
		r0 = 1;   /* an empty range: nothing is inside */
		r1 = 0;
	}
	x->inside = false;
	if (other) {
		const struct cell *ce = &c->grid[GRID_OTHER];
		for (uint32_t i = 0; i < ce->n; i++) {
			uint32_t s = ce->v[i];
			if (c->facts[s].npoints > 1 && !(c->facts[s].state & D_DEAD) &&
			    !cell_owner(x, s, GRID_OTHER, r0, r1, c0, c1, other))
				continue;
			consider(x, s, NULL, false);
		}
	}
}

struct qwords {
	size_t n;
	char w[QUERY_WORDS_MAX][WORD_MAX + 1];
};

static bool query_cb(void *ctx, const char *w, size_t n)
{
	struct qwords *qw = ctx;
	char s[WORD_MAX + 1];
	size_t sl = stem_word(w, n, s);

	if (!sl)
		return true;
	for (size_t i = 0; i < qw->n; i++)
		if (strcmp(qw->w[i], s) == 0)
			return true;
	memcpy(qw->w[qw->n++], s, sl + 1);
	return qw->n < QUERY_WORDS_MAX;
}

static bool lookup(const struct intern *t, const char *s, uint32_t *out)
{
	*out = intern_find(t, s);
	return *out != UINT32_MAX;
}

/* One hit of the page: the id copied into the arena, the distance when
 * there is a point (computed now unless the run kept it), the next
 * session (kept when sorting by it, else computed unless not wanted). */
static enum err hit_of(struct qctx *x, const struct ent *en, struct arena *a, struct search_hit *h)
{
	const struct search_query *q = x->q;

	h->id = arena_strdup(a, slot_id(x->c, en->slot, x->idbuf[0]));
	if (!h->id)
		return ERR_NOMEM;
	h->score = en->score;
	h->distance_m = -1;
	if (q->near && x->c->facts[en->slot].npoints)
		h->distance_m = isnan(en->dist) ? doc_dist(x, en->slot, false) : en->dist;
	h->next_session = x->sort == SORT_NEXT ? en->next :
			  q->no_next ? 0 : doc_next(x->c, en->slot, x->now);
	return ERR_OK;
}

/* The page of hits from the page's entries ents[0..m) (best first). */
static enum err page_from(struct qctx *x, const struct ent *ents, size_t m, struct arena *a,
		struct search_result *out)
{
	if (!m)
		return ERR_OK;
	out->hits = arena_calloc(a, m, sizeof(*out->hits));
	if (!out->hits)
		return ERR_NOMEM;
	for (size_t i = 0; i < m; i++)
		if (hit_of(x, &ents[i], a, &out->hits[i]) != ERR_OK)
			return ERR_NOMEM;
	out->n = m;
	return ERR_OK;
}

/* A plain one-word query, from the cache or by a full run that fills it
 * (see PCACHE_K). The caller holds the read lock, so ix->gen is stable. */
static enum err run_cached(struct search_index *ix, struct qctx *x, struct arena *a,
		struct search_result *out)
{
	const struct core *c = x->c;
	uint32_t ti = (uint32_t)(x->t[0] - c->terms);
	struct pcache_ent *pe = &ix->pcache[ti % PCACHE_SLOTS];
	pthread_mutex_t *mu = &ix->pcmu[(ti % PCACHE_SLOTS) % PCACHE_LOCKS];
	const struct search_query *q = x->q;
	struct ent *ents;
	size_t n, total, m = 0;

	pthread_mutex_lock(mu);
	if (pe->gen == ix->gen && pe->term == ti) {
		/* Only the page's entries are copied out. */
		n = pe->n;
		total = pe->total;
		m = q->offset < n ? (n - q->offset < q->limit ? n - q->offset : q->limit) : 0;
		ents = arena_alloc(a, (m ? m : 1) * sizeof(*ents));
		if (ents && m)
			memcpy(ents, pe->e + q->offset, m * sizeof(*ents));
		pthread_mutex_unlock(mu);
		if (!ents)
			return ERR_NOMEM;
		out->total = total;
		return page_from(x, ents, m, a, out);
	} else {
		pthread_mutex_unlock(mu);
		x->k = c->nlive < PCACHE_K ? c->nlive : PCACHE_K;
		x->heap = x->k ? arena_alloc(a, x->k * sizeof(*x->heap)) : NULL;
		if (x->k && !x->heap)
			return ERR_NOMEM;
		run_text(x);
		n = x->hn;
		total = x->total;
		ents = arena_alloc(a, (n ? n : 1) * sizeof(*ents));
		if (!ents)
			return ERR_NOMEM;
		/* The heap's root is the worst kept: pop into place from the end. */
		for (size_t i = n; i-- > 0;) {
			ents[i] = x->heap[0];
			x->heap[0] = x->heap[--x->hn];
			if (x->hn)
				heap_down(x, 0);
		}
		pthread_mutex_lock(mu);
		pe->gen = ix->gen;
		pe->term = ti;
		pe->n = (uint32_t)n;
		pe->total = total;
		memcpy(pe->e, ents, n * sizeof(*ents));
		pthread_mutex_unlock(mu);
	}
	out->total = total;
	m = q->offset < n ? (n - q->offset < q->limit ? n - q->offset : q->limit) : 0;
	return page_from(x, ents + (m ? q->offset : 0), m, a, out);
}

/* The query's point and radius, when near. */
static bool place_ok(const struct search_query *q)
{
	return !(q->near && (!isfinite(q->lat) || !isfinite(q->lon) || fabs(q->lat) > 90 ||
		 fabs(q->lon) > 180 || !(q->radius_m >= 0) || !isfinite(q->radius_m)));
}

static bool query_ok(const struct search_query *q)
{
	if (q->limit == 0 || q->limit > LIMIT_MAX || q->now <= 0 ||
	    (q->sort == SORT_DISTANCE && !q->near) || (unsigned)q->sort > SORT_NAME)
		return false;
	return place_ok(q);
}

/* Day and part filters, for the day and time facets. */
static void plan_daytime(struct qctx *x, const struct search_query *q)
{
	uint32_t dmask = 0, pmask = 0;

	if (!q->daytime_any) {
		x->dfull = x->pfull = 0x1FFFFF;
		return;
	}
	for (int d = 0; d < 7; d++)
		if ((q->daytime_any >> (3 * d)) & 7)
			dmask |= 7u << (3 * d);
	for (int p = 0; p < 3; p++)
		if (q->daytime_any & (0x49249u << p))
			pmask |= 0x49249u << p;
	x->dfull = dmask;
	x->pfull = pmask;
}

/* The box around a point and radius, and the flat-earth shortcut. */
static void plan_box(struct qctx *x, const struct search_query *q)
{
	x->near = q->near;
	if (!q->near || q->radius_m <= 0)
		return;
	double dr = q->radius_m / EARTH_R, dlat = dr * 180.0 / M_PI + 1e-7;
	x->radius = true;
	x->la0 = q->lat - dlat;
	x->la1 = q->lat + dlat;
	x->lonbound = false;
	if (x->la0 > -90 && x->la1 < 90 && dr < M_PI / 2) {
		double sx = sin(dr) / cos(q->lat * M_PI / 180.0);
		if (sx < 1) {
			double dlon = asin(sx) * 180.0 / M_PI + 1e-7;
			x->lo0 = q->lon - dlon;
			x->lo1 = q->lon + dlon;
			x->lonbound = x->lo0 >= -180 && x->lo1 <= 180;
		}
	}
	/* The shortcut's error: cos(lat) over the box differs from
	 * cos(qlat) by at most tan(max |lat|) * dlat (relative), and
	 * the flat earth by (r/R)^2, well under 1e-3 at 100 km. */
	double phimax = (fabs(q->lat) + dlat) * M_PI / 180.0;
	if (q->radius_m <= 100000 && x->lonbound && phimax < 80 * M_PI / 180.0) {
		double m = tan(phimax) * dr + 1e-3;
		double rin = (q->radius_m * (1 - m) - 1.0) / EARTH_R, rout = (q->radius_m * (1 + m) + 1.0) / EARTH_R;
		x->approx = rin > 0;
		x->cosq = cos(q->lat * M_PI / 180.0);
		x->rin2 = rin * rin;
		x->rout2 = rout * rout;
		x->margin = m;
	}
}

/* The words' terms and BM25 weights (under the read lock). false when a
 * word is in no document: nothing can match. */
static bool plan_words(struct qctx *x, const struct qwords *qw, struct search_result *out)
{
	const struct core *c = x->c;
	bool any = true;

	double all = 0;

	x->nw = qw->n;
	for (size_t i = 0; i < qw->n; i++) {
		uint32_t t = term_find(c, qw->w[i], strlen(qw->w[i]));
		if (t == UINT32_MAX || c->terms[t].n == 0) {
			out->text_matched_nothing = true;
			any = false;
			break;
		}
		x->t[i] = &c->terms[t];
		double df = c->terms[t].n, N = c->nslots;
		x->idf[i] = log(1.0 + (N - df + 0.5) / (df + 0.5));
		all += x->idf[i];
		x->qsig |= name_sig(qw->w[i]);
	}
	/* A hair under the share, so that a word holding exactly half of
	 * two equal ones is enough whatever the rounding. */
	x->need = all * PARTIAL_SHARE * (1 - 1e-9);
	x->avgdl = c->nslots ? (double)c->sum_dl / c->nslots : 1.0;
	if (x->avgdl <= 0)
		x->avgdl = 1.0;
	x->k0 = BM25_K1 * (1.0 - BM25_B);
	x->kdl = BM25_K1 * BM25_B / x->avgdl;
	return any;
}

/* The organisation and taxonomy filters as interned ids (under the read
 * lock). false when one names nothing the index has. */
static bool plan_filters(struct search_index *ix, struct qctx *x, const struct search_query *q)
{
	bool any = true;

	if (q->org_id && q->org_id[0]) {
		x->f_org = true;
		if (!lookup(&ix->orgs, q->org_id, &x->org))
			any = false;
		x->org++;
	}
	if (q->term_id && q->term_id[0]) {
		x->f_term = true;
		if (!lookup(&ix->tax, q->term_id, &x->term))
			any = false;
	}
	if (q->taxonomy_id && q->taxonomy_id[0]) {
		x->f_tax = true;
		if (!lookup(&ix->tax, q->taxonomy_id, &x->tax))
			any = false;
	}
	return any;
}

/* Every candidate through consider(): words by their postings (with a
 * radius, only those in the box's cells), a radius by its grid cells,
 * else every slot. */
static void run_candidates(struct qctx *x, struct arena *a)
{
	if (x->nw && x->radius)
		x->geo = geo_bitmap(x, a);
	if (x->nw)
		run_text(x);
	else if (x->radius && x->lonbound)
		run_grid(x);
	else
		for (uint32_t s = 0; s < x->c->nslots; s++)
			consider(x, s, NULL, false);
}

/* Every candidate through consider(), keeping the best offset + limit in
 * the heap: a plain one-word query from the cache, else run_candidates. */
static enum err run_matches(struct search_index *ix, struct qctx *x, struct arena *a,
		struct search_result *out, bool *done)
{
	const struct search_query *q = x->q;
	const struct core *c = x->c;
	size_t k = q->offset + q->limit;

	if (k < q->offset || k > c->nlive)
		k = c->nlive;
	x->k = q->offset < c->nlive ? k : 0;
	x->heap = x->k ? arena_alloc(a, x->k * sizeof(*x->heap)) : NULL;
	if (x->k && !x->heap)
		return ERR_NOMEM;
	x->plain = x->nw && x->sort != SORT_DISTANCE && !q->facets && !x->radius &&
		!q->categories_any && !q->conditions_any && !q->languages_any && !q->flags_all &&
		!q->daytime_any && !x->f_org && !x->f_term && !x->f_tax && !q->modified_after;
	if (x->plain && x->nw == 1 && x->sort == SORT_RELEVANCE && !q->near && ix->pcache &&
	    q->offset + q->limit <= PCACHE_K) {
		*done = true;
		return run_cached(ix, x, a, out);
	}
	run_candidates(x, a);
	return ERR_OK;
}

/* The page: the heap holds ranks 0..hn-1; pop the worst first. */
static enum err page_from_heap(struct qctx *x, struct arena *a, struct search_result *out)
{
	size_t m;

	if (x->hn <= x->q->offset)
		return ERR_OK;
	m = x->hn - x->q->offset;
	out->hits = arena_calloc(a, m, sizeof(*out->hits));
	if (!out->hits)
		return ERR_NOMEM;
	for (size_t i = m; i-- > 0;) {
		struct ent en = x->heap[0];

		x->heap[0] = x->heap[--x->hn];
		if (x->hn)
			heap_down(x, 0);
		if (hit_of(x, &en, a, &out->hits[i]) != ERR_OK)
			return ERR_NOMEM;
	}
	out->n = m;
	return ERR_OK;
}

enum err search_run(struct search_index *ix, const struct search_query *q, struct arena *a,
		struct search_result *out)
{
	struct qwords qw;
	struct qctx *x;
	enum err e = ERR_OK;
	bool done = false;

	memset(out, 0, sizeof(*out));
	if (!ix || !q || !a || !query_ok(q))
		return ERR_INVALID;
	qw.n = 0;
	if (q->text)
		tokenize(q->text, strlen(q->text), query_cb, &qw);
	x = arena_zalloc(a, sizeof(*x));
	if (!x)
		return ERR_NOMEM;
	x->q = q;
	x->fc = &out->facets;
	x->facets = q->facets;
	x->sort = q->sort == SORT_RELEVANCE && qw.n == 0 ? SORT_NAME : q->sort;
	x->now = q->now;
	plan_daytime(x, q);
	plan_box(x, q);

	pthread_rwlock_rdlock(&ix->lock);
	x->c = ix->c;
	/* (Both run: a filter's flag is set even when the words found nothing.) */
	bool words = plan_words(x, &qw, out), filters = plan_filters(ix, x, q);
	if (words && filters)
		e = run_matches(ix, x, a, out, &done);
	if (!e && !done) {
		out->total = x->total;
		e = page_from_heap(x, a, out);
	}
	pthread_rwlock_unlock(&ix->lock);
	if (e != ERR_OK)
		memset(out, 0, sizeof(*out));
	return e;
}

/* The id of slot s in a, once per service: an open-addressed map of
 * slot -> id over the n sessions written. */
struct idmap {
	uint32_t *slot1;           /* slot + 1; 0 empty */
	const char **id;
	size_t mask;
};

static const char *idmap_get(const struct core *c, struct idmap *m, uint32_t s, struct arena *a)
{
	size_t i = (size_t)(s * 0x9E3779B1u) & m->mask;

	while (m->slot1[i] && m->slot1[i] != s + 1)
		i = (i + 1) & m->mask;
	if (!m->slot1[i]) {
		const struct dblob *b = c->blobs[s];
		const unsigned char *id = blob_id(b, &c->facts[s]);
		char *p;
		if (b->idlen) {
			p = arena_strndup(a, (const char *)id, b->idlen);
		} else if ((p = arena_alloc(a, 37)) != NULL) {
			uuid_format(id, p);
		}
		if (!p)
			return NULL;
		m->id[i] = p;
		m->slot1[i] = s + 1;
	}
	return m->id[i];
}

/* v[0..n) sorted: runs of 16 by insertion, then merged bottom-up between
 * v and a scratch array. Returns whichever holds the result (NULL when out
 * of memory). */
static struct sent *sent_sort(struct qctx *x, struct sent *v, size_t n, struct arena *a)
{
	enum { RUN = 16 };
	struct sent *t = n > RUN ? arena_alloc(a, n * sizeof(*t)) : v;

	if (!t)
		return NULL;
	for (size_t lo = 0; lo < n; lo += RUN) {
		size_t hi = lo + RUN < n ? lo + RUN : n;
		for (size_t i = lo + 1; i < hi; i++) {
			struct sent e = v[i];
			size_t j = i;
			for (; j > lo && sent_cmp(x, &v[j - 1], &e) > 0; j--)
				v[j] = v[j - 1];
			v[j] = e;
		}
	}
	for (size_t w = RUN; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				t[k++] = sent_cmp(x, &v[j], &v[i]) < 0 ? v[j++] : v[i++];
			while (i < mid)
				t[k++] = v[i++];
			while (j < hi)
				t[k++] = v[j++];
		}
		struct sent *sw = v;
		v = t;
		t = sw;
	}
	return v;
}

/* The sessions kept, in order, into *out (under the read lock: the ids
 * are read from the index). */
static enum err sessions_out(struct qctx *x, struct arena *a, struct search_session **out, size_t *n)
{
	struct sessq *ss = x->ss;
	size_t m = ss->n, cap = 16;
	struct idmap map;
	struct search_session *v;

	if (!m)
		return ERR_OK;
	while (cap < m * 2)
		cap *= 2;
	v = arena_calloc(a, m, sizeof(*v));
	map.slot1 = arena_calloc(a, cap, sizeof(*map.slot1));
	map.id = arena_calloc(a, cap, sizeof(*map.id));
	map.mask = cap - 1;
	if (!v || !map.slot1 || !map.id)
		return ERR_NOMEM;
	struct sent *sorted = sent_sort(x, ss->v, m, a);
	if (!sorted)
		return ERR_NOMEM;
	for (size_t i = 0; i < m; i++) {
		const struct sent e = sorted[i];
		int opens = (int)(e.key & 0xFFFF) - 1;

		v[i] = (struct search_session){
			.id = idmap_get(x->c, &map, e.slot, a),
			.day = ss->from + (e.key >> 16),
			.opens = opens, .closes = e.closes, .sched = e.sched,
			.distance_m = isinf(e.dist) ? -1 : e.dist,
		};
		if (!v[i].id)
			return ERR_NOMEM;
	}
	*out = v;
	*n = m;
	return ERR_OK;
}

enum err search_sessions(struct search_index *ix, const struct search_query *q, int64_t from,
		int64_t to, int64_t today, size_t max, struct arena *a, struct search_session **out,
		size_t *n, size_t *total)
{
	struct search_result unused = { 0 };   /* (plan_words says there if a word is unknown) */
	struct qwords qw;
	struct qctx *x;
	struct sessq *ss;
	enum err e = ERR_OK;

	if (out)
		*out = NULL;
	if (n)
		*n = 0;
	if (total)
		*total = 0;
	if (!ix || !q || !a || !out || !n || !total || !place_ok(q) || from < 1 || to < from ||
	    to > SCHED_DAY_MAX || to - from >= SEARCH_SESSIONS_DAYS_MAX || today < 1 ||
	    today > SCHED_DAY_MAX || max == 0 || max > SEARCH_SESSIONS_MAX)
		return ERR_INVALID;
	qw.n = 0;
	if (q->text)
		tokenize(q->text, strlen(q->text), query_cb, &qw);
	x = arena_zalloc(a, sizeof(*x));
	ss = arena_zalloc(a, sizeof(*ss));
	if (!x || !ss)
		return ERR_NOMEM;
	ss->from = from;
	ss->to = to;
	ss->today = today;
	ss->k = max;
	ss->a = a;
	sess_window(ss);
	x->q = q;
	x->ss = ss;
	plan_daytime(x, q);
	plan_box(x, q);

	pthread_rwlock_rdlock(&ix->lock);
	x->c = ix->c;
	bool words = plan_words(x, &qw, &unused), filters = plan_filters(ix, x, q);
	if (words && filters)
		run_candidates(x, a);
	if (ss->oom)
		e = ERR_NOMEM;
	if (!e) {
		*total = ss->total;
		e = sessions_out(x, a, out, n);
	}
	pthread_rwlock_unlock(&ix->lock);
	if (e != ERR_OK) {
		*out = NULL;
		*n = 0;
		*total = 0;
	}
	return e;
}
