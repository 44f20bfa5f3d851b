/*
 * search_bench.c - the directory's search index in process, against the
 * naive SQLite plan on the same corpus and the same queries.
 *
 *   search_bench [--n N] [--naive M] [--queries Q] [--seed S]
 *
 * Generates N synthetic services deterministically (document i depends
 * only on the seed and i, so any prefix is the same corpus): names like
 * "Riverside Walking Group", descriptions of 40-80 words drawn with a
 * Zipf-like law from ~3,000 words (real service words near the top),
 * stopwords, categories, conditions, languages, flags, one or two places
 * at postcode sector centroids picked by population (the shipped table),
 * weekly and monthly schedules. Builds the index (time, search_bytes and
 * resident memory), then runs a fixed mix of Q queries (default 1,000):
 * common words, rarer words, two words, a postcode alone (10 miles), words
 * and a postcode, filters with facets, sorts by distance, next session and
 * name. Prints median, p95, p99 and max per class and overall.
 *
 * With --naive M (default 100,000; 0 skips) it also builds the naive plan
 * for the first M documents in a scratch SQLite file - FTS5 over name and
 * body (porter stemming) and an R*Tree of each service's first place - and
 * runs the same mix on both at M: MATCH joined to the R*Tree box, ORDER BY
 * bm25 LIMIT 20; the same filters as bitmask columns; no facets and no
 * totals (which favours the naive plan). Prints both and the ratio.
 */
#include "core/common.h"

#include <math.h>
#include <sqlite3.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/embedded.h"
#include "directory/vocab.h"
#include "search/postcode.h"
#include "search/schedule.h"
#include "search/search.h"

#include "bench_gen.h"

/* ---------------------------------------------------------------- words */

/* Real words first (the commonest ranks), then made-up ones. */
static const char real_words[] =
	"support group people local community help week free welcome meet friendly "
	"health time home service people family activities social day new care "
	"centre session sessions volunteers volunteer lunch club "
	"advice information together carers older adults young place hall church "
	"library park garden tea coffee chat company friends month morning afternoon "
	"evening monday tuesday wednesday thursday friday saturday sunday "
	"wellbeing mental physical exercise gentle easy breathe breathing lungs "
	"dementia memory cafe food bank parcel debt money benefits transport lift "
	"choir singing music art craft painting knitting reading book books computer "
	"digital skills learning course class classes yoga tai chi dance dancing "
	"swimming cycling football bowls gardening allotment cooking meal meals hot "
	"bereavement loss grief stroke diabetes arthritis heart cancer parkinsons "
	"autism anxiety depression loneliness isolation befriending phone call visit "
	"visits housing homeless tenancy bills energy warm space spaces refreshments "
	"parking accessible wheelchair step toilet hearing loop sign language "
	"english conversation refugees asylum women men shed tools woodwork repair "
	"bike bikes recycling environment nature wildlife conservation outdoor "
	"outdoors fresh air ramble route routes miles mile paced pace led leaders "
	"trained staff nurse doctor gp practice surgery hospital discharge recovery "
	"rehabilitation pulmonary cardiac fitness strength balance falls prevention "
	"chair based seated stretching relaxation mindfulness meditation calm peer "
	"lived experience listen listening talk talking share sharing stories games "
	"quiz bingo cards puzzles trips outings holiday events event celebrate "
	"christmas summer spring autumn winter weekly fortnightly monthly daily "
	"drop turn referral refer self contact email ring text booking book needed "
	"cost pay donation contribution session small charge suggested funded grant "
	"council charity trust foundation association network partnership project "
	"programme scheme initiative hub base venue building room rooms upstairs "
	"downstairs ground floor lift ramp entrance door main road street lane avenue "
	"village town city north south east west central upper lower old new great "
	"little green hill valley river bridge market station school college "
	"university students families children parents grandparents babies toddlers "
	"teenagers youth elders seniors pensioners retired working unemployed "
	"jobs job work employment volunteering training qualification certificate "
	"confidence independence independent living daily tasks shopping cleaning "
	"cooking laundry errands prescriptions collection delivery deliver delivered "
	"emergency crisis urgent immediate practical emotional financial legal "
	"guidance signposting navigation forms applications appeals tribunal "
	"understanding condition conditions diagnosis diagnosed living long term "
	"chronic pain fatigue sleep diet nutrition weight healthy eating smoking "
	"alcohol drugs addiction recovery sober safe space women only men only "
	"lgbtq inclusive everyone anyone all ages abilities backgrounds cultures "
	"faith multi languages spoken interpreter translation urdu polish punjabi "
	"bengali arabic romanian portuguese somali tamil gujarati chinese hindi";

static const char *const syll[] = {
	"ba", "be", "bi", "bo", "ca", "ce", "co", "da", "de", "di", "do", "fa", "fe", "fi", "ga",
	"go", "ha", "he", "hi", "ja", "ka", "ke", "la", "le", "li", "lo", "lu", "ma", "me", "mi",
	"mo", "na", "ne", "ni", "no", "pa", "pe", "pi", "po", "ra", "re", "ri", "ro", "ru", "sa",
	"se", "si", "so", "ta", "te", "ti", "to", "va", "ve", "vi", "wa", "we", "wi", "ya", "za",
	"ston", "ley", "ford", "ham", "ing", "ment", "ness", "ble", "ter", "ver", "ous", "ite",
};

#define VOCAB 3000
static char *vocab[VOCAB];
static size_t nvocab;
static double zipf_cdf[VOCAB];

static const char *const stop[] = { "the", "and", "of", "to", "for", "with", "a", "in", "on",
	"is", "are", "we", "you", "our", "your", "at", "by", "from", "or", "it", "be", "this" };

static void vocab_init(void)
{
	char buf[sizeof(real_words)];
	char *save = NULL;
	struct rng r = { 12345 };

	memcpy(buf, real_words, sizeof(buf));
	for (char *w = strtok_r(buf, " ", &save); w && nvocab < VOCAB; w = strtok_r(NULL, " ", &save)) {
		bool dup = false;
		for (size_t i = 0; i < nvocab && !dup; i++)
			dup = strcmp(vocab[i], w) == 0;
		if (!dup)
			vocab[nvocab++] = strdup(w);
	}
	while (nvocab < VOCAB) {
		char w[32] = "";
		int n = 2 + (int)rbelow(&r, 3);
		for (int i = 0; i < n; i++)
			strncat(w, syll[rbelow(&r, ARRAY_LEN(syll))], sizeof(w) - strlen(w) - 1);
		bool dup = false;
		for (size_t i = 0; i < nvocab && !dup; i++)
			dup = strcmp(vocab[i], w) == 0;
		if (!dup)
			vocab[nvocab++] = strdup(w);
	}
	double sum = 0;
	for (size_t i = 0; i < VOCAB; i++)
		sum += 1.0 / ((double)i + 30.0);
	double acc = 0;
	for (size_t i = 0; i < VOCAB; i++) {
		acc += 1.0 / ((double)i + 30.0) / sum;
		zipf_cdf[i] = acc;
	}
}

static const char *zipf_word(struct rng *r)
{
	double u = runit(r);
	size_t lo = 0, hi = VOCAB - 1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (zipf_cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return vocab[lo];
}

/* Activities: the name's middle, a category, and words for the text. */
static const struct activity {
	const char *name, *cat, *words;
} acts[] = {
	{ "Walking", "walking", "walk walks walking ramble stroll health walk" },
	{ "Nordic Walking", "walking", "walk poles nordic exercise fitness" },
	{ "Breathe Easy", "breathing", "breathe breathing lungs copd singing" },
	{ "Lunch", "lunch-club", "lunch meal hot dinner company" },
	{ "Food Bank", "food", "food bank parcel pantry referral" },
	{ "Debt Advice", "money", "debt advice money benefits bills budgeting" },
	{ "Community Transport", "transport", "transport lift driver car hospital appointments" },
	{ "Computer Help", "learning", "computer digital skills tablet internet class" },
	{ "Book", "reading", "book reading library stories chat" },
	{ "Carers", "carers", "carers caring respite support break" },
	{ "Dementia", "dementia", "dementia memory cafe carers singing" },
	{ "Singing", "music", "choir singing music songs voice" },
	{ "Art", "music", "art craft painting creative drawing" },
	{ "Sailability", "adapted-sport", "sailing disabled adapted water outdoor" },
	{ "Wellbeing", "mental-wellbeing", "mental health wellbeing anxiety talking" },
	{ "Peer Support", "peer-support", "peer support group lived experience sharing" },
	{ "Befriending", "befriending", "befriending friend phone call loneliness visits" },
	{ "Handyperson", "practical-help", "practical help home repairs gardening jobs" },
	{ "Housing Advice", "housing", "housing tenancy homeless advice rent" },
	{ "Living Well", "health-self-management", "living well condition course self management" },
	{ "Knit and Natter", "music", "knitting craft chat tea company" },
	{ "Men's Shed", "peer-support", "men shed woodwork tools company" },
	{ "Bereavement", "mental-wellbeing", "bereavement loss grief support listening" },
	{ "Chair Exercise", "health-self-management", "chair based exercise gentle strength balance" },
	{ "Stroke Survivors", "peer-support", "stroke recovery peer support carers" },
	{ "Diabetes", "health-self-management", "diabetes diet healthy eating education" },
	{ "Parkinson's", "peer-support", "parkinsons exercise speech support" },
	{ "Cancer Support", "peer-support", "cancer support listening drop" },
	{ "Pantry", "food", "pantry food membership shop" },
	{ "Warm Space", "befriending", "warm space tea company heating" },
	{ "Digital Drop-in", "learning", "digital phone tablet help online" },
	{ "Citizens Advice", "money", "benefits debt advice forms" },
	{ "Hospital Lifts", "transport", "transport hospital appointments volunteer drivers" },
	{ "Memory Cafe", "dementia", "memory cafe dementia carers music" },
	{ "Gardening", "practical-help", "gardening garden allotment outdoor" },
};
static const char *const places[] = {
	"Riverside", "Ashby", "Bottesford", "Brumby", "Kingsway", "Westcliff", "St Mary's", "Trinity",
	"Oakwood", "Hillside", "Meadow", "Parkside", "Northfield", "Southgate", "Eastfield", "Westgate",
	"Victoria", "Albert", "Crosby", "Frodingham", "Brigg", "Barton", "Winterton", "Epworth",
	"Crowle", "Kirton", "Messingham", "Burton", "Broughton", "Scawby", "Appleby", "Ulceby",
	"Greenway", "Old Town", "New Town", "Market", "Church", "Chapel", "Station", "Harbour",
};
static const char *const kinds[] = {
	"Group", "Club", "Cafe", "Circle", "Project", "Network", "Service", "Hub", "Society", "Friends",
};



struct gdoc {
	struct search_doc d;
	char id[37], org[37];
	char name[128];
	char body[2048];
	const char *terms[4], *taxes[4];
	int64_t next;                      /* for the naive table */
};

static int64_t bench_now;

static void gen_doc(uint64_t seed, size_t i, struct gdoc *g)
{
	struct rng r = { seed * 0x100000001b3ULL + i * 0x9e3779b97f4a7c15ULL };
	const struct activity *act = &acts[rbelow(&r, ARRAY_LEN(acts))];
	size_t o = 0;

	memset(&g->d, 0, sizeof(g->d));
	uuid_of(rnext(&r), rnext(&r), g->id);
	uuid_of(i / 3 * 7919 + seed, 0xabcdefULL ^ (i / 3), g->org);
	snprintf(g->name, sizeof(g->name), "%s %s %s", places[rbelow(&r, ARRAY_LEN(places))], act->name,
		kinds[rbelow(&r, ARRAY_LEN(kinds))]);
	/* 40-80 words: the activity's words, Zipf draws and stopwords. */
	int n = 40 + (int)rbelow(&r, 41);
	for (int k = 0; k < n && o < sizeof(g->body) - 64; k++) {
		const char *w;
		uint32_t x = rbelow(&r, 100);
		if (x < 25)
			w = stop[rbelow(&r, ARRAY_LEN(stop))];
		else if (x < 35) {
			/* one of the activity's words */
			const char *p = act->words;
			int pick = (int)rbelow(&r, 5), at = 0;
			static char tmp[32];
			while (*p && at < pick) {
				if (*p++ == ' ')
					at++;
			}
			size_t l = strcspn(p, " ");
			snprintf(tmp, sizeof(tmp), "%.*s", (int)l, p);
			w = tmp;
		} else
			w = zipf_word(&r);
		o += (size_t)snprintf(g->body + o, sizeof(g->body) - o, "%s%s", k ? " " : "", w);
		if (rbelow(&r, 12) == 0 && o < sizeof(g->body) - 2)
			g->body[o++] = '.', g->body[o] = '\0';
	}
	int cat = vocab_find(vocab_categories, vocab_categories_n, act->cat);
	g->d.categories = cat >= 0 ? 1ull << cat : 0;
	if (rbelow(&r, 10) < 3)
		g->d.categories |= 1ull << rbelow(&r, (uint32_t)vocab_categories_n);
	/* The category names as words, as directory.c adds them. */
	for (size_t c = 0; c < vocab_categories_n; c++)
		if (g->d.categories & (1ull << c))
			o += (size_t)snprintf(g->body + o, sizeof(g->body) - o, " %s", vocab_categories[c].name);
	if (rbelow(&r, 10) < 3)
		g->d.conditions = 1ull << rbelow(&r, (uint32_t)vocab_conditions_n);
	g->d.languages = 1u;
	if (rbelow(&r, 10) == 0)
		g->d.languages |= 1u << (1 + rbelow(&r, (uint32_t)vocab_languages_n - 1));
	uint32_t fl = 0;
	fl |= rbelow(&r, 10) < 7 ? SF_FREE : 0;
	fl |= rbelow(&r, 10) < 5 ? SF_WHEELCHAIR : 0;
	fl |= rbelow(&r, 100) < 15 ? SF_ONLINE : 0;
	fl |= rbelow(&r, 10) < 9 ? SF_IN_PERSON : 0;
	fl |= rbelow(&r, 10) < 3 ? SF_PEER_LED : 0;
	uint32_t join = rbelow(&r, 10);
	fl |= join < 5 ? SF_TURN_UP : join < 9 ? SF_SELF_REFER : SF_REFERRAL;
	g->d.flags = fl;
	size_t nt = 0;
	for (size_t c = 0; c < vocab_categories_n && nt < 4; c++)
		if (g->d.categories & (1ull << c)) {
			g->terms[nt] = vocab_categories[c].id;
			g->taxes[nt++] = vocab_category_taxonomy_id;
		}
	g->d.terms = g->terms;
	g->d.taxonomies = g->taxes;
	g->d.nterms = nt;
	uint32_t pk = rbelow(&r, 100);
	g->d.npoints = pk < 5 ? 0 : pk < 10 ? 2 : 1;
	for (size_t p = 0; p < g->d.npoints; p++)
		sector_point(&r, &g->d.points[p].lat, &g->d.points[p].lon);
	uint32_t sk = rbelow(&r, 100);
	if (sk < 85) {
		struct sched *s = &g->d.scheds[g->d.nscheds++];
		memset(s, 0, sizeof(*s));
		s->freq = SCHED_WEEKLY;
		s->interval = 1;
		s->weekdays = (uint8_t)(1u << rbelow(&r, 7));
		s->opens = 9 * 60 + (int)rbelow(&r, 21) * 30;
		s->closes = s->opens + 90;
		if (rbelow(&r, 10) == 0) {
			struct sched *t = &g->d.scheds[g->d.nscheds++];
			*t = *s;
			t->weekdays = (uint8_t)(1u << rbelow(&r, 7));
		}
	} else if (sk < 95) {
		struct sched *s = &g->d.scheds[g->d.nscheds++];
		memset(s, 0, sizeof(*s));
		s->freq = SCHED_MONTHLY;
		s->interval = 1;
		s->byday[0].nth = rbelow(&r, 2) ? 1 : -1;
		s->byday[0].wday = (int8_t)rbelow(&r, 7);
		s->nbyday = 1;
		s->opens = 10 * 60 + (int)rbelow(&r, 16) * 30;
		s->closes = s->opens + 120;
	}
	g->d.modified = bench_now - (int64_t)rbelow(&r, 730) * 86400;
	g->d.id = g->id;
	g->d.org_id = g->org;
	g->d.name = g->name;
	g->d.body = g->body;
}

/* ---------------------------------------------------------------- queries */

enum qclass { Q_COMMON, Q_RARE, Q_TWO, Q_PC, Q_TEXT_PC, Q_FACETS, Q_SORT, Q__MAX };
static const char *const qclass_name[Q__MAX] = {
	"common word", "rarer word", "two words", "postcode only (10 mi)", "words + postcode (10 mi)",
	"filters + facets", "sort by distance/next/name",
};

struct bq {
	enum qclass cls;
	struct search_query q;
	char text[64];
};

#define TEN_MILES 16093.44

static void gen_queries(struct bq *qs, size_t n, uint64_t seed)
{
	static const char *const common[] = { "support", "group", "walking", "club", "help", "community",
		"free", "people", "lunch", "health" };
	static const char *const rare[] = { "dementia", "choir", "bereavement", "sailing", "allotment",
		"tribunal", "woodwork", "parkinsons", "nordic", "pulmonary", "tamil", "bingo" };
	static const char *const two[] = { "walking group", "lunch club", "debt advice", "food bank",
		"carers support", "breathe easy", "mental health", "men shed", "memory cafe", "peer support",
		"book club", "community transport" };
	struct rng r = { seed ^ 0x5151 };

	for (size_t i = 0; i < n; i++) {
		struct bq *b = &qs[i];
		struct search_query *q = &b->q;
		uint32_t x = rbelow(&r, 100);

		memset(b, 0, sizeof(*b));
		q->limit = 20;
		q->now = bench_now;
		b->cls = x < 20 ? Q_COMMON : x < 35 ? Q_RARE : x < 50 ? Q_TWO : x < 65 ? Q_PC :
			x < 80 ? Q_TEXT_PC : x < 90 ? Q_FACETS : Q_SORT;
		switch (b->cls) {
		case Q_COMMON:
			snprintf(b->text, sizeof(b->text), "%s", common[rbelow(&r, ARRAY_LEN(common))]);
			break;
		case Q_RARE:
			if (rbelow(&r, 2))
				snprintf(b->text, sizeof(b->text), "%s", rare[rbelow(&r, ARRAY_LEN(rare))]);
			else
				snprintf(b->text, sizeof(b->text), "%s", vocab[300 + rbelow(&r, VOCAB - 300)]);
			break;
		case Q_TWO:
			snprintf(b->text, sizeof(b->text), "%s", two[rbelow(&r, ARRAY_LEN(two))]);
			break;
		case Q_PC:
			q->near = true;
			q->radius_m = TEN_MILES;
			q->sort = rbelow(&r, 2) ? SORT_DISTANCE : SORT_NAME;
			break;
		case Q_TEXT_PC:
			q->near = true;
			q->radius_m = TEN_MILES;
			snprintf(b->text, sizeof(b->text), "%s", rbelow(&r, 2) ? common[rbelow(&r, ARRAY_LEN(common))] :
				two[rbelow(&r, ARRAY_LEN(two))]);
			q->sort = rbelow(&r, 2) ? SORT_DISTANCE : SORT_RELEVANCE;
			break;
		case Q_FACETS: {
			uint32_t k = rbelow(&r, 3);
			q->facets = true;
			q->categories_any = 1ull << rbelow(&r, (uint32_t)vocab_categories_n);
			if (rbelow(&r, 2))
				q->flags_all = SF_FREE;
			if (k == 0)
				snprintf(b->text, sizeof(b->text), "%s", common[rbelow(&r, ARRAY_LEN(common))]);
			else if (k == 1) {
				q->near = true;
				q->radius_m = TEN_MILES;
			} /* k == 2: neither: every document is a candidate */
			break;
		}
		case Q_SORT: {
			uint32_t k = rbelow(&r, 3);
			snprintf(b->text, sizeof(b->text), "%s", common[rbelow(&r, ARRAY_LEN(common))]);
			if (k == 0) {
				q->near = true;
				q->sort = SORT_DISTANCE;    /* no radius: the nearest anywhere */
			} else if (k == 1) {
				q->sort = SORT_NEXT;
			} else {
				q->sort = SORT_NAME;
			}
			break;
		}
		default:
			break;
		}
		if (q->near)
			sector_point(&r, &q->lat, &q->lon);
		if (b->text[0])
			q->text = b->text;
		if (rbelow(&r, 10) == 0)
			q->offset = 20 * (1 + rbelow(&r, 3));
	}
}


/* Runs the mix on the index; times in ms per query into t. */
static void run_ours(struct search_index *ix, struct bq *qs, size_t n, double *t, double *tc, size_t *hits)
{
	*hits = 0;
	for (size_t i = 0; i < n; i++) {
		struct arena a;
		struct search_result r;
		arena_init(&a);
		double c0 = cpu_s(), t0 = now_s();
		enum err e = search_run(ix, &qs[i].q, &a, &r);
		t[i] = (now_s() - t0) * 1000;
		tc[i] = (cpu_s() - c0) * 1000;
		if (e != ERR_OK) {
			fprintf(stderr, "query %zu failed: %d\n", i, e);
			exit(1);
		}
		*hits += r.total;
		arena_release(&a);
	}
}

static void print_table(const char *title, struct bq *qs, size_t n, const double *t, const double *tc)
{
	double *v = malloc(n * sizeof(*v));

	printf("%s\n", title);
	printf("  %-28s %5s %9s %9s %9s %9s | CPU: %8s %9s\n", "class", "n", "median", "p95", "p99", "max",
		"median", "p99");
	for (int c = 0; c <= Q__MAX; c++) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (c == Q__MAX || qs[i].cls == (enum qclass)c)
				v[k++] = t[i];
		struct stat4 s = stats(v, k), sc = { 0 };
		k = 0;
		for (size_t i = 0; i < n; i++)
			if (c == Q__MAX || qs[i].cls == (enum qclass)c)
				v[k++] = tc[i];
		sc = stats(v, k);
		printf("  %-28s %5zu %7.3fms %7.3fms %7.3fms %7.3fms |    %7.3fms %7.3fms\n",
			c == Q__MAX ? "all" : qclass_name[c], s.n, s.p50, s.p95, s.p99, s.max, sc.p50, sc.p99);
	}
	free(v);
}

static struct search_index *build(uint64_t seed, size_t n, double *secs, size_t *bytes, long *rss)
{
	struct search_index *ix = search_new();
	struct gdoc *g = malloc(sizeof(*g));
	long r0 = rss_kb();
	double t = 0;

	for (size_t i = 0; i < n; i++) {
		gen_doc(seed, i, g);
		double t0 = now_s();
		if (search_put(ix, &g->d) != ERR_OK) {
			fprintf(stderr, "put failed\n");
			exit(1);
		}
		t += now_s() - t0;
	}
	free(g);
	*secs = t;
	*bytes = search_bytes(ix);
	*rss = rss_kb() - r0;
	return ix;
}

/* ---------------------------------------------------------------- naive */

static void die_sql(sqlite3 *db, const char *what)
{
	fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", sql, err);
		exit(1);
	}
}

static sqlite3 *naive_build(uint64_t seed, size_t n, const char *path, double *secs)
{
	sqlite3 *db;
	sqlite3_stmt *f, *g, *d;
	struct gdoc *doc = malloc(sizeof(*doc));
	double t0 = now_s();

	if (sqlite3_open(path, &db) != SQLITE_OK)
		die_sql(db, "open");
	exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;"
		"CREATE VIRTUAL TABLE fts USING fts5(name, body, tokenize='porter unicode61');"
		"CREATE VIRTUAL TABLE geo USING rtree(id, minlat, maxlat, minlon, maxlon);"
		"CREATE TABLE facts(id INTEGER PRIMARY KEY, name TEXT, cats INT, conds INT, langs INT,"
		" flags INT, nxt INT, lat REAL, lon REAL);"
		"BEGIN;");
	if (sqlite3_prepare_v2(db, "INSERT INTO fts(rowid, name, body) VALUES (?, ?, ?)", -1, &f, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO geo VALUES (?, ?, ?, ?, ?)", -1, &g, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &d, NULL))
		die_sql(db, "prepare");
	for (size_t i = 0; i < n; i++) {
		gen_doc(seed, i, doc);
		sqlite3_int64 id = (sqlite3_int64)i + 1;
		sqlite3_bind_int64(f, 1, id);
		sqlite3_bind_text(f, 2, doc->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(f, 3, doc->body, -1, SQLITE_STATIC);
		if (sqlite3_step(f) != SQLITE_DONE)
			die_sql(db, "fts insert");
		sqlite3_reset(f);
		if (doc->d.npoints) {
			float la = (float)doc->d.points[0].lat, lo = (float)doc->d.points[0].lon;
			sqlite3_bind_int64(g, 1, id);
			sqlite3_bind_double(g, 2, la);
			sqlite3_bind_double(g, 3, la);
			sqlite3_bind_double(g, 4, lo);
			sqlite3_bind_double(g, 5, lo);
			if (sqlite3_step(g) != SQLITE_DONE)
				die_sql(db, "geo insert");
			sqlite3_reset(g);
		}
		int64_t nx = 0;
		for (size_t k = 0; k < doc->d.nscheds; k++) {
			int64_t t = sched_next(&doc->d.scheds[k], bench_now);
			if (t > 0 && (!nx || t < nx))
				nx = t;
		}
		sqlite3_bind_int64(d, 1, id);
		sqlite3_bind_text(d, 2, doc->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(d, 3, (sqlite3_int64)doc->d.categories);
		sqlite3_bind_int64(d, 4, (sqlite3_int64)doc->d.conditions);
		sqlite3_bind_int64(d, 5, doc->d.languages);
		sqlite3_bind_int64(d, 6, doc->d.flags);
		sqlite3_bind_int64(d, 7, nx ? nx : INT64_MAX);
		if (doc->d.npoints) {
			sqlite3_bind_double(d, 8, doc->d.points[0].lat);
			sqlite3_bind_double(d, 9, doc->d.points[0].lon);
		} else {
			sqlite3_bind_null(d, 8);
			sqlite3_bind_null(d, 9);
		}
		if (sqlite3_step(d) != SQLITE_DONE)
			die_sql(db, "facts insert");
		sqlite3_reset(d);
	}
	exec(db, "COMMIT; INSERT INTO fts(fts) VALUES('optimize');");
	sqlite3_finalize(f);
	sqlite3_finalize(g);
	sqlite3_finalize(d);
	free(doc);
	*secs = now_s() - t0;
	return db;
}

/* The naive plan for one query: FTS5 MATCH, joined to the R*Tree box when
 * there is a radius, filters as bitmask columns, ORDER BY bm25 (or the
 * sort asked for) LIMIT. */
static double naive_run(sqlite3 *db, const struct bq *b, size_t *rows)
{
	const struct search_query *q = &b->q;
	char sql[2048], match[256] = "";
	size_t o = 0;
	sqlite3_stmt *st;
	bool text = q->text && q->text[0];
	double dlat = 0, dlon = 0;

	if (text) {
		/* Each word quoted: AND of the words. */
		char tmp[64], *save = NULL;
		snprintf(tmp, sizeof(tmp), "%s", q->text);
		size_t m = 0;
		for (char *w = strtok_r(tmp, " ", &save); w; w = strtok_r(NULL, " ", &save))
			m += (size_t)snprintf(match + m, sizeof(match) - m, "%s\"%s\"", m ? " " : "", w);
	}
	if (q->near && q->radius_m > 0) {
		dlat = q->radius_m / 111195.0;
		dlon = dlat / cos(q->lat * M_PI / 180);
	}
	o += (size_t)snprintf(sql + o, sizeof(sql) - o, "SELECT d.id FROM %s",
		text ? "fts JOIN facts d ON d.id = fts.rowid" : "facts d");
	if (q->near && q->radius_m > 0)
		o += (size_t)snprintf(sql + o, sizeof(sql) - o, " JOIN geo g ON g.id = d.id");
	o += (size_t)snprintf(sql + o, sizeof(sql) - o, " WHERE 1");
	if (text)
		o += (size_t)snprintf(sql + o, sizeof(sql) - o, " AND fts MATCH ?1");
	if (q->near && q->radius_m > 0)
		o += (size_t)snprintf(sql + o, sizeof(sql) - o,
			" AND g.minlat >= %.6f AND g.maxlat <= %.6f AND g.minlon >= %.6f AND g.maxlon <= %.6f",
			q->lat - dlat, q->lat + dlat, q->lon - dlon, q->lon + dlon);
	if (q->categories_any)
		o += (size_t)snprintf(sql + o, sizeof(sql) - o, " AND (d.cats & %llu) != 0",
			(unsigned long long)q->categories_any);
	if (q->flags_all)
		o += (size_t)snprintf(sql + o, sizeof(sql) - o, " AND (d.flags & %u) = %u", q->flags_all, q->flags_all);
	enum search_sort sort = q->sort == SORT_RELEVANCE && !text ? SORT_NAME : q->sort;
	double k = cos(q->lat * M_PI / 180);
	switch (sort) {
	case SORT_RELEVANCE:
		o += (size_t)snprintf(sql + o, sizeof(sql) - o, " ORDER BY bm25(fts, 3.0, 1.0)");
		break;
	case SORT_DISTANCE:
		o += (size_t)snprintf(sql + o, sizeof(sql) - o,
			" ORDER BY (d.lat - %.6f) * (d.lat - %.6f) + (d.lon - %.6f) * (d.lon - %.6f) * %.6f NULLS LAST",
			q->lat, q->lat, q->lon, q->lon, k * k);
		break;
	case SORT_NEXT:
		o += (size_t)snprintf(sql + o, sizeof(sql) - o, " ORDER BY d.nxt");
		break;
	case SORT_NAME:
		o += (size_t)snprintf(sql + o, sizeof(sql) - o, " ORDER BY d.name COLLATE NOCASE");
		break;
	}
	snprintf(sql + o, sizeof(sql) - o, " LIMIT %zu OFFSET %zu", q->limit, q->offset);
	double t0 = now_s();
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		die_sql(db, sql);
	if (text)
		sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		(*rows)++;
	sqlite3_finalize(st);
	return (now_s() - t0) * 1000;
}

/* ---------------------------------------------------------------- main */

static size_t arg_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end == 'k' || *end == 'K')
		v *= 1000, end++;
	else if (*end == 'm' || *end == 'M')
		v *= 1000000, end++;
	if (*end) {
		fprintf(stderr, "not a number: %s\n", s);
		exit(2);
	}
	return (size_t)v;
}

int main(int argc, char **argv)
{
	size_t n = 1000000, naive = 100000, nq = 1000;
	uint64_t seed = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--n") && i + 1 < argc)
			n = arg_size(argv[++i]);
		else if (!strcmp(argv[i], "--naive") && i + 1 < argc)
			naive = arg_size(argv[++i]);
		else if (!strcmp(argv[i], "--queries") && i + 1 < argc)
			nq = arg_size(argv[++i]);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = arg_size(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--n N] [--naive M] [--queries Q] [--seed S]\n", argv[0]);
			return 2;
		}
	}
	/* A fixed clock, so every run asks the same questions: Wednesday
	 * 2026-11-25 09:00 UTC. */
	bench_now = 1795597200;
	vocab_init();
	sectors_init();
	struct bq *qs = calloc(nq, sizeof(*qs));
	double *t = calloc(nq, sizeof(*t)), *tn = calloc(nq, sizeof(*tn));
	double *tc = calloc(nq, sizeof(*tc)), *tnc = calloc(nq, sizeof(*tnc));
	gen_queries(qs, nq, seed);

	double secs;
	size_t bytes, total;
	long rss;
	struct search_index *ix = NULL;
	/* One line for scripts: key=value. */
	char result[1024];
	size_t ro = (size_t)snprintf(result, sizeof(result), "RESULT");

	if (n) {
		ix = build(seed, n, &secs, &bytes, &rss);
		printf("index: %zu services built in %.2f s (%.1f us each); search_bytes %.1f MB "
			"(%.0f bytes a service); resident memory +%.1f MB\n", n, secs, secs * 1e6 / (double)n,
			(double)bytes / 1048576, (double)bytes / (double)n, (double)rss / 1024);
		run_ours(ix, qs, nq, t, tc, &total);   /* warm up */
		run_ours(ix, qs, nq, t, tc, &total);
		char title[128];
		snprintf(title, sizeof(title), "ours at %zu services, %zu queries (mean %.0f matches):", n, nq,
			(double)total / (double)nq);
		print_table(title, qs, nq, t, tc);
		struct stat4 s = stats(t, nq), sc = stats(tc, nq);
		ro += (size_t)snprintf(result + ro, sizeof(result) - ro, " n=%zu build_s=%.2f bytes=%zu rss_kb=%ld"
			" med=%.3f p95=%.3f p99=%.3f max=%.3f cpu_med=%.3f cpu_p99=%.3f", n, secs, bytes, rss,
			s.p50, s.p95, s.p99, s.max, sc.p50, sc.p99);
	}
	if (naive) {
		if (n != naive) {
			search_free(ix);
			ix = build(seed, naive, &secs, &bytes, &rss);
			printf("index: %zu services built in %.2f s; search_bytes %.1f MB (%.0f bytes a service)\n",
				naive, secs, (double)bytes / 1048576, (double)bytes / (double)naive);
			run_ours(ix, qs, nq, t, tc, &total);
			run_ours(ix, qs, nq, t, tc, &total);
			char title[128];
			snprintf(title, sizeof(title), "ours at %zu services:", naive);
			print_table(title, qs, nq, t, tc);
		}
		char path[] = "/tmp/kith-search-naive.XXXXXX";
		int fd = mkstemp(path);
		if (fd < 0) {
			perror("mkstemp");
			return 1;
		}
		close(fd);
		unlink(path);
		sqlite3 *db = naive_build(seed, naive, path, &secs);
		printf("naive: %zu services into FTS5 + R*Tree in %.1f s\n", naive, secs);
		size_t rows = 0;
		for (size_t i = 0; i < nq && i < 100; i++)     /* warm up */
			naive_run(db, &qs[i], &rows);
		rows = 0;
		for (size_t i = 0; i < nq; i++) {
			double c0 = cpu_s();
			tn[i] = naive_run(db, &qs[i], &rows);
			tnc[i] = (cpu_s() - c0) * 1000;
		}
		char title[128];
		snprintf(title, sizeof(title), "naive plan at %zu services (FTS5 MATCH + R*Tree, bm25, LIMIT):", naive);
		print_table(title, qs, nq, tn, tnc);
		struct stat4 so = stats(t, nq), sn = stats(tn, nq), soc = stats(tc, nq), snc = stats(tnc, nq);
		printf("ratio naive/ours at %zu: median %.0fx, p95 %.0fx, p99 %.0fx, max %.0fx "
			"(CPU time: median %.0fx, p99 %.0fx)\n", naive, sn.p50 / so.p50, sn.p95 / so.p95,
			sn.p99 / so.p99, sn.max / so.max, snc.p50 / soc.p50, snc.p99 / soc.p99);
		ro += (size_t)snprintf(result + ro, sizeof(result) - ro, " at=%zu ours_med=%.3f ours_p99=%.3f"
			" naive_med=%.3f naive_p99=%.3f naive_build_s=%.1f ours_cpu_med=%.3f ours_cpu_p99=%.3f"
			" naive_cpu_med=%.3f naive_cpu_p99=%.3f", naive, so.p50, so.p99, sn.p50, sn.p99, secs,
			soc.p50, soc.p99, snc.p50, snc.p99);
		sqlite3_close(db);
		unlink(path);
	}
	printf("%s\n", result);
	search_free(ix);
	free(qs);
	free(t);
	free(tn);
	free(tc);
	free(tnc);
	for (size_t i = 0; i < nvocab; i++)
		free(vocab[i]);
	free(sector_cdf);
	free(sector_lat);
	free(sector_lon);
	return 0;
}
