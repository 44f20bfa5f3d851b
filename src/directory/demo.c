/*
 * demo.c - the directory's demo data: a real town's worth of community
 * support, and as many synthetic services as a benchmark wants.
 *
 * `kith demo` puts about 300 services in Scunthorpe (postcode districts
 * DN15, DN16 and DN17, North Lincolnshire: the council whose real ORUK
 * feed is in tests/data/oruk-feeds, so the demo and an import of that feed
 * sit in the same place). The organisations, venues and people are
 * invented; the postcode sectors are real (postcode_sector_at), so
 * "near DN16 2" finds them. `kith demo --services N` adds N synthetic
 * services in sectors drawn uniformly from the whole UK, for benchmarks.
 *
 * Every service is an Open Referral UK 3.0 full service document saved
 * through directory_save(), the same door forms and imports use, so demo
 * data is exactly as valid as anything else. kith's own facts (categories,
 * conditions, peer-led, how to join) travel as ORUK attributes linking the
 * fixed term ids of vocab.h.
 *
 * The words are data: the town, its streets, the kinds of support with
 * their names, sentences and organisations, venues, costs, times,
 * conditions and languages are the CSV files of data/demo/ (its README
 * says what each holds), read by demo_data.c when the demo runs. This
 * file decides how they combine.
 *
 * Deterministic: every id is a UUID made from the SHA-256 of a stable key
 * ("town:walk:3", "synthetic:41"), and every choice comes from a generator
 * seeded by the same key, so one service's text never depends on another's
 * and a second `kith demo` saves the same documents (directory_save reports
 * them unchanged). Only the "last checked" dates follow the clock: they
 * are spread over the eight months before today, so some are overdue and
 * the freshness checks have something to do; a demo refreshed on a later
 * day moves them with it.
 */
#include "core/common.h"
#include "core/demo.h"
#include "core/buf.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "directory/demo_data.h"
#include "directory/directory.h"
#include "directory/vocab.h"
#include "people/people.h"
#include "search/postcode.h"

#include <math.h>

#include <sodium.h>

/* ---------------------------------------------------------------- randomness */

/* splitmix64: small, fast, and good enough to make text look varied. */
struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;   /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

static void rng_seed(struct rng *r, const char *key)
{
	r->s = hash_str(key);
	rng_next(r);
}

static size_t rng_below(struct rng *r, size_t n)
{
	return n ? (size_t)(rng_next(r) % n) : 0;
}

static bool rng_pct(struct rng *r, int pct)
{
	return (int)rng_below(r, 100) < pct;
}

/* A Zipf-like pick: item k is chosen with weight 1/(k+1), so the first few
 * words of a list are common and the tail is rare, as in real text. */
static size_t rng_zipf(struct rng *r, size_t n)
{
	double total = 0, u;

	for (size_t k = 0; k < n; k++)
		total += 1.0 / (double)(k + 1);
	u = (double)(rng_next(r) >> 11) / 9007199254740992.0 * total;
	for (size_t k = 0; k < n; k++) {
		u -= 1.0 / (double)(k + 1);
		if (u < 0)
			return k;
	}
	return n - 1;
}

static size_t list_len(const char *const *l)
{
	size_t n = 0;

	while (l && l[n])
		n++;
	return n;
}

static const char *pick(struct rng *r, const char *const *l)
{
	size_t n = list_len(l);

	return n ? l[rng_below(r, n)] : "";
}

/* A UUID from a stable key: the SHA-256 of "kith-demo:" key, shaped as a
 * version 5 (name-based) UUID. */
static void demo_uuid(const char *key, char out[37])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)"kith-demo:", 10);
	crypto_hash_sha256_update(&st, (const unsigned char *)key, strlen(key));
	crypto_hash_sha256_final(&st, h);
	h[6] = (unsigned char)((h[6] & 0x0f) | 0x50);
	h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[h[i] >> 4];
		out[o++] = hex[h[i] & 15];
	}
	out[o] = '\0';
}

static void sub_uuid(const char *id, const char *what, char out[37])
{
	char key[128];

	snprintf(key, sizeof(key), "%s/%s", id, what);
	demo_uuid(key, out);
}

/* ---------------------------------------------------------------- places */

/* Where a service is. For the town these come from the table below; for
 * synthetic services they are made up per postcode district. */
struct place {
	char sector[9];                /* "DN16 2" */
	double lat, lon;               /* the sector's centroid */
	char local[48];                /* neighbourhood or village: "Ashby" */
	char town[48];                 /* post town: "Scunthorpe" */
	char area[64];                 /* for area-wide organisations: "North Lincs" */
	char county[48];               /* ORUK state_province */
	char valley[64];               /* for a few names: "Trent Valley" */
	const char *const *streets;
	bool village;
};

static const char *nation_of(const char *sector)
{
	static const char *const scotland[] = { "AB", "DD", "DG", "EH", "FK", "G", "HS", "IV",
		"KA", "KW", "KY", "ML", "PA", "PH", "TD", "ZE", NULL };
	static const char *const wales[] = { "CF", "LD", "LL", "NP", "SA", NULL };
	char area[3] = { 0 };

	for (int i = 0; i < 2 && sector[i] >= 'A' && sector[i] <= 'Z'; i++)
		area[i] = sector[i];
	for (size_t i = 0; scotland[i]; i++)
		if (strcmp(area, scotland[i]) == 0)
			return "Scotland";
	for (size_t i = 0; wales[i]; i++)
		if (strcmp(area, wales[i]) == 0)
			return "Wales";
	if (strcmp(area, "BT") == 0)
		return "Northern Ireland";
	if (strcmp(area, "IM") == 0)
		return "Isle of Man";
	if (strcmp(area, "JE") == 0)
		return "Jersey";
	if (strcmp(area, "GY") == 0)
		return "Guernsey";
	return "England";
}

static void local_name(const char *form, struct place *pl);

/* A synthetic place in sector i: the town is named after the district,
 * so neighbouring services agree about where they are. false past the
 * end, or for the few sectors in the centroid tables that no postcode
 * can be in ("NPT 1", Newport's old pseudo-district). */
static bool synthetic_place(const struct demo_data *d, size_t i, struct place *pl)
{
	char district[9], full[12], normal[9];
	struct rng r;
	size_t n;
	const char *sp, *why;

	memset(pl, 0, sizeof(*pl));
	if (!postcode_sector_at(i, pl->sector, &pl->lat, &pl->lon))
		return false;
	snprintf(full, sizeof(full), "%sAA", pl->sector);
	if (!postcode_normalise(full, normal, &why))
		return false;
	sp = strchr(pl->sector, ' ');
	n = sp ? (size_t)(sp - pl->sector) : strlen(pl->sector);
	snprintf(district, sizeof(district), "%.*s", (int)n, pl->sector);
	rng_seed(&r, district);
	snprintf(pl->town, sizeof(pl->town), "%s%s", pick(&r, d->town_heads), pick(&r, d->town_tails));
	snprintf(pl->area, sizeof(pl->area), "%s and District", pl->town);
	snprintf(pl->valley, sizeof(pl->valley), "%s Vale", pl->town);
	str_copy(pl->county, sizeof(pl->county), nation_of(pl->sector));
	rng_seed(&r, pl->sector);
	local_name(pick(&r, d->local_forms), pl);
	pl->streets = d->uk_streets;
	pl->village = rng_pct(&r, 20);
	return true;
}

/* ---------------------------------------------------------------- schedules */

static const char *const day_code[7] = { "MO", "TU", "WE", "TH", "FR", "SA", "SU" };
static const char *const day_name[7] = { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
					 "Saturday", "Sunday" };
static const char *const nth_word[] = { "last", "", "first", "second", "third", "fourth" };

struct when {
	int kind;                      /* 0 weekly, 1 fortnightly, 2 monthly nth, 3 weekdays */
	int wday, wday2;               /* wday2: a second weekly day or -1 */
	int nth;                       /* monthly: 1..4, -1 last */
	const struct slot *slot;
};

static int pick_weekday(struct rng *r, bool weekend_ok)
{
	/* Mostly Monday to Friday; Saturday sometimes, Sunday rarely. */
	size_t x = rng_below(r, 100);

	if (weekend_ok && x >= 94)
		return x >= 98 ? 6 : 5;
	return (int)(x % 5);
}

static const struct slot *pick_slot(const struct demo_data *d, struct rng *r, unsigned groups)
{
	size_t n = 0, k;

	for (size_t i = 0; i < d->nslots; i++)
		n += (d->slots[i].group & groups) != 0;
	if (!n)
		return &d->slots[0];
	k = rng_below(r, n);
	for (size_t i = 0; i < d->nslots; i++)
		if ((d->slots[i].group & groups) && k-- == 0)
			return &d->slots[i];
	return &d->slots[0];
}

static void pick_when(const struct demo_data *d, struct rng *r, const struct kind *k, struct when *w)
{
	size_t x = rng_below(r, 100);
	unsigned groups = k->slots;

	memset(w, 0, sizeof(*w));
	w->wday2 = -1;
	if ((k->slots & SL_OFFICE) && (k->slots == SL_OFFICE || rng_pct(r, 60))) {
		w->kind = 3;
		w->slot = pick_slot(d, r, SL_OFFICE);
		return;
	}
	groups &= ~(unsigned)SL_OFFICE;
	w->wday = pick_weekday(r, k->weekends);
	w->slot = pick_slot(d, r, groups ? groups : SL_MORNING);
	if ((int)x < k->weekly_pct) {
		w->kind = 0;
		/* Now and then twice a week: Monday and Wednesday, Tuesday and Thursday... */
		if (rng_pct(r, 12) && w->wday <= 2)
			w->wday2 = w->wday + 2;
	} else if ((int)x < k->weekly_pct + k->fortnightly_pct) {
		w->kind = 1;
	} else {
		static const int nths[] = { 1, 1, 2, 3, -1, -1, 4 };

		w->kind = 2;
		w->nth = nths[rng_below(r, ARRAY_LEN(nths))];
	}
}

static const char *part_of_day(const struct slot *s)
{
	int h = (s->opens[0] - '0') * 10 + (s->opens[1] - '0');

	return h < 12 ? "morning" : h < 17 ? "afternoon" : "evening";
}

/* "every Tuesday morning", "on the first Monday of the month" */
static void when_words(const struct when *w, struct buf *b)
{
	switch (w->kind) {
	case 0:
		if (w->wday2 >= 0)
			buf_addf(b, "on %ss and %ss", day_name[w->wday], day_name[w->wday2]);
		else
			buf_addf(b, "every %s %s", day_name[w->wday], part_of_day(w->slot));
		break;
	case 1:
		buf_addf(b, "every other %s %s", day_name[w->wday], part_of_day(w->slot));
		break;
	case 2:
		buf_addf(b, "on the %s %s of the month", nth_word[w->nth + 1], day_name[w->wday]);
		break;
	default:
		buf_adds(b, "on weekdays");
		break;
	}
}

/* The first date on or after 5 January 2026 (a Monday) that is wday, plus a
 * week for half the fortnightly groups: the anchor of every other week. */
static void fortnight_start(int wday, bool odd, char out[11])
{
	uk_format_iso_day(uk_days(2026, 1, 5) + wday + (odd ? 7 : 0), out);
}

static json_t *schedule_json(const char *svc_id, const struct when *w, int i, bool odd,
			     const char *attending)
{
	char id[37], byday[32], dt[11], what[8];
	json_t *s;

	snprintf(what, sizeof(what), "sch%d", i);
	sub_uuid(svc_id, what, id);
	s = json_pack("{s:s, s:s}", "id", id, "service_id", svc_id);
	switch (w->kind) {
	case 0:
		if (w->wday2 >= 0)
			snprintf(byday, sizeof(byday), "%s,%s", day_code[w->wday], day_code[w->wday2]);
		else
			snprintf(byday, sizeof(byday), "%s", day_code[w->wday]);
		json_object_set_new(s, "freq", json_string("WEEKLY"));
		json_object_set_new(s, "interval", json_integer(1));
		json_object_set_new(s, "byday", json_string(byday));
		break;
	case 1:
		fortnight_start(w->wday, odd, dt);
		json_object_set_new(s, "freq", json_string("WEEKLY"));
		json_object_set_new(s, "interval", json_integer(2));
		json_object_set_new(s, "byday", json_string(day_code[w->wday]));
		json_object_set_new(s, "dtstart", json_string(dt));
		break;
	case 2:
		snprintf(byday, sizeof(byday), "%d%s", w->nth, day_code[w->wday]);
		json_object_set_new(s, "freq", json_string("MONTHLY"));
		json_object_set_new(s, "interval", json_integer(1));
		json_object_set_new(s, "byday", json_string(byday));
		break;
	default:
		json_object_set_new(s, "freq", json_string("WEEKLY"));
		json_object_set_new(s, "interval", json_integer(1));
		json_object_set_new(s, "byday", json_string("MO,TU,WE,TH,FR"));
		break;
	}
	json_object_set_new(s, "opens_at", json_string(w->slot->opens));
	json_object_set_new(s, "closes_at", json_string(w->slot->closes));
	if (attending)
		json_object_set_new(s, "attending_type", json_string(attending));
	return s;
}

/* ---------------------------------------------------------------- text */

/* What {placeholders} in a template stand for. */
struct words {
	const char *place, *area, *town, *valley, *venue, *saint, *farm, *day;
	const char *cond, *cond_title;
	const char *when;
};

static void fill(struct buf *b, const char *t, const struct words *w)
{
	static const struct {
		const char *tag;
		size_t off;
	} tags[] = {
		{ "{place}", offsetof(struct words, place) }, { "{area}", offsetof(struct words, area) },
		{ "{town}", offsetof(struct words, town) }, { "{venue}", offsetof(struct words, venue) },
		{ "{saint}", offsetof(struct words, saint) }, { "{day}", offsetof(struct words, day) },
		{ "{valley}", offsetof(struct words, valley) }, { "{farm}", offsetof(struct words, farm) },
		{ "{cond}", offsetof(struct words, cond) }, { "{Cond}", offsetof(struct words, cond_title) },
		{ "{when}", offsetof(struct words, when) },
	};

	while (*t) {
		const char *open = strchr(t, '{');
		size_t i;

		if (!open) {
			buf_adds(b, t);
			return;
		}
		buf_add(b, t, (size_t)(open - t));
		for (i = 0; i < ARRAY_LEN(tags); i++) {
			size_t n = strlen(tags[i].tag);

			if (strncmp(open, tags[i].tag, n) == 0) {
				const char *v = *(const char *const *)((const char *)w + tags[i].off);

				buf_adds(b, v ? v : "");
				t = open + n;
				break;
			}
		}
		if (i == ARRAY_LEN(tags)) {
			buf_addc(b, '{');
			t = open + 1;
		}
	}
}

static char *fill_dup(const char *t, const struct words *w)
{
	struct buf b;

	buf_init(&b, 4096);
	fill(&b, t, w);
	return buf_detach(&b, NULL);
}

static void local_name(const char *form, struct place *pl)
{
	struct words w = { .town = pl->town };
	struct buf b;

	buf_init(&b, sizeof(pl->local) - 1);
	fill(&b, form, &w);
	str_copy(pl->local, sizeof(pl->local), buf_ok(&b) ? b.p : pl->town);
	buf_release(&b);
}

/* "Ashby Health Walks" -> "ashby-health-walks" (for example.org addresses). */
static void slug(const char *s, char *out, size_t n)
{
	size_t o = 0;
	bool dash = false;

	for (; *s && o + 2 < n; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			out[o++] = (char)c;
			dash = false;
		} else if (c >= 'A' && c <= 'Z') {
			out[o++] = (char)(c - 'A' + 'a');
			dash = false;
		} else if (c == '\'' || c >= 0x80) {
			continue;
		} else if (o && !dash) {
			out[o++] = '-';
			dash = true;
		}
	}
	while (o && out[o - 1] == '-')
		o--;
	out[o] = '\0';
}

/* A phone number in Ofcom's range for drama (01632 960000-960999), so no
 * real person is ever rung. */
static void phone_for(const char *key, char out[16])
{
	snprintf(out, 16, "01632 960%03u", (unsigned)(hash_str(key) % 1000));
}

/* ---------------------------------------------------------------- one service */

/* The valid letters of the last two characters of a UK postcode. */
static const char unit_letters[] = "ABDEFGHJLNPQRSTUWXYZ";

struct svc_in {
	const struct demo_data *d;     /* the words it is made of */
	const char *id_key;            /* the id follows from it: "town:walk:3", "synthetic:41" */
	const char *key;               /* every choice follows from it (the id_key, or a
	                                  variant of it when a town name was taken) */
	const struct kind *k;
	const struct place *pl;
	bool synthetic;                /* not the town: organisations named after the place only */
	const char *org_id;            /* NULL: from the kind's organisations */
	const char *org_name, *org_desc;
	int64_t today;                 /* day number of today (uk_days) */
};

/* Everything chosen about one service, before it is written as ORUK. */
struct svc {
	const struct demo_data *d;
	char id[37], org_id[37];
	struct when w, w2;
	bool two_scheds;
	int cond;                      /* index in cond_text, -1 none */
	struct words wd;
	char postcode[12], street[96], venue[128], when[96];
	char *name, *who, *org_name, *org_desc;   /* malloc'd */
	struct buf desc;
	enum join_how join;
	bool peer, online, paid, step_free;
	const char *attending;         /* schedules' attending_type, NULL for in person only */
	char email[128], url[160], phone[16];
	char assured[11];
};

static void svc_release(struct svc *s)
{
	free(s->name);
	free(s->who);
	free(s->org_name);
	free(s->org_desc);
	buf_release(&s->desc);
}

static int find_cond_text(const struct demo_data *d, const char *code)
{
	for (size_t i = 0; i < d->nconds; i++)
		if (strcmp(d->conds[i].code, code) == 0)
			return (int)i;
	return -1;
}

/* Two to four sentences: what it is, what happens, sometimes one more
 * (peer-led, online, or something practical), and how to come. */
static void describe(struct svc *s, const struct kind *k, struct rng *r)
{
	struct buf *b = &s->desc;

	fill(b, pick(r, k->open), &s->wd);
	buf_addc(b, ' ');
	fill(b, pick(r, k->detail), &s->wd);
	if (s->peer && rng_pct(r, 50)) {
		buf_addc(b, ' ');
		buf_adds(b, pick(r, s->d->peer_lines));
	} else if (s->online && k->online_pct < 100 && rng_pct(r, 60)) {
		buf_addc(b, ' ');
		buf_adds(b, pick(r, s->d->online_lines));
	} else if (rng_pct(r, 45)) {
		buf_addc(b, ' ');
		buf_adds(b, s->d->extra_lines[rng_zipf(r, list_len(s->d->extra_lines))]);
	}
	if (rng_pct(r, 70)) {
		buf_addc(b, ' ');
		buf_adds(b, s->d->join_lines[s->join][rng_below(r, list_len(s->d->join_lines[s->join]))]);
	}
}

/* Makes every choice about a service. false when out of memory. */
static bool choose(const struct svc_in *in, struct svc *s)
{
	const struct demo_data *dd = in->d;
	const struct kind *k = in->k;
	const struct place *pl = in->pl;
	const struct org_tmpl *cand[8], *ot;
	struct rng r;
	struct buf b;
	size_t norgs = 0;
	char slugbuf[96];

	memset(s, 0, sizeof(*s));
	s->d = dd;
	buf_init(&s->desc, 4096);
	s->cond = -1;
	rng_seed(&r, in->key);
	demo_uuid(in->id_key, s->id);

	/* When, first: names and sentences may mention the day. */
	pick_when(dd, &r, k, &s->w);
	s->two_scheds = s->w.kind == 0 && s->w.wday2 < 0 && rng_pct(&r, 8);
	if (s->two_scheds) {
		unsigned groups = k->slots & ~(unsigned)SL_OFFICE;

		s->w2 = s->w;
		s->w2.wday = (s->w.wday + 2) % 5;
		s->w2.slot = pick_slot(dd, &r, groups ? groups : SL_MORNING);
	}

	/* The condition it is about, if any. */
	if (k->conds && rng_pct(&r, k->cond_pct))
		s->cond = find_cond_text(dd, pick(&r, k->conds));
	s->wd.cond = s->cond >= 0 ? dd->conds[s->cond].phrase : "a long-term condition";
	s->wd.cond_title = s->cond >= 0 ? dd->conds[s->cond].title : "Long-term Conditions";
	s->wd.place = pl->local;
	s->wd.area = pl->area;
	s->wd.town = pl->town;
	s->wd.valley = pl->valley;
	s->wd.saint = pick(&r, dd->saints);
	s->wd.farm = pick(&r, dd->farms);
	s->wd.day = day_name[s->w.wday];

	/* Where: the venue, its street and a postcode in the real sector. The
	 * unit letters are invented (so the full postcode may not exist);
	 * search works by sector, which is real. */
	snprintf(s->postcode, sizeof(s->postcode), "%s%c%c", pl->sector,
		 unit_letters[rng_below(&r, sizeof(unit_letters) - 1)],
		 unit_letters[rng_below(&r, sizeof(unit_letters) - 1)]);
	snprintf(s->street, sizeof(s->street), "%u %s", (unsigned)(1 + rng_below(&r, 140)),
		 pl->streets[pl->streets == dd->uk_streets ? rng_zipf(&r, list_len(pl->streets))
						    : rng_below(&r, list_len(pl->streets))]);
	/* The organisation (its template now: a church meets in its own hall).
	 * Organisations with a fixed name belong to the demo town; synthetic
	 * services take only those named after their place. */
	for (size_t i = 0; k->orgs[i].name && norgs < ARRAY_LEN(cand); i++)
		if (!in->synthetic || strchr(k->orgs[i].name, '{'))
			cand[norgs++] = &k->orgs[i];
	ot = norgs ? cand[rng_below(&r, norgs)] : &k->orgs[0];
	{
		char *v = !in->org_id && strncmp(ot->name, "St {saint}", 10) == 0
				  ? fill_dup("St {saint}'s Church Hall", &s->wd)
			  : pl->village && rng_pct(&r, 40) ? fill_dup("{place} Village Hall", &s->wd)
							   : fill_dup(pick(&r, k->venues), &s->wd);

		str_copy(s->venue, sizeof(s->venue), v ? v : pl->local);
		free(v);
	}
	s->wd.venue = s->venue;
	buf_init(&b, sizeof(s->when) - 1);
	when_words(&s->w, &b);
	str_copy(s->when, sizeof(s->when), buf_ok(&b) ? b.p : "");
	buf_release(&b);
	s->wd.when = s->when;

	/* Name and organisation. */
	s->name = fill_dup(pick(&r, k->names), &s->wd);
	if (in->org_id) {
		str_copy(s->org_id, sizeof(s->org_id), in->org_id);
		s->org_name = strdup(in->org_name);
		s->org_desc = strdup(in->org_desc);
	} else {
		char key[160];

		s->org_name = fill_dup(ot->name, &s->wd);
		s->org_desc = fill_dup(ot->desc, &s->wd);
		snprintf(key, sizeof(key), "org:%s", s->org_name ? s->org_name : "");
		demo_uuid(key, s->org_id);
	}

	/* How it runs. */
	s->join = rng_pct(&r, k->join_other_pct) ? k->join_other : k->join;
	s->peer = rng_pct(&r, k->peer_pct);
	s->online = rng_pct(&r, k->online_pct);
	s->paid = k->costs && rng_pct(&r, k->paid_pct);
	s->step_free = rng_pct(&r, 75);
	if (s->online)
		s->attending = k->online_pct == 100 ? "By phone, or a visit at home"
						    : "In person, or online by video call or phone";
	describe(s, k, &r);
	s->who = fill_dup(pick(&r, k->who), &s->wd);
	if (!s->name || !s->org_name || !s->org_desc || !s->who || !buf_ok(&s->desc))
		return false;

	/* Contact details: example.org and the drama phone range. */
	slug(s->org_name, slugbuf, sizeof(slugbuf));
	snprintf(s->email, sizeof(s->email), "%s@example.org", slugbuf);
	snprintf(s->url, sizeof(s->url), "https://example.org/%s", slugbuf);
	phone_for(in->key, s->phone);

	/* Checked by a person some time in the last eight months. */
	uk_format_iso_day(in->today - 3 - (int64_t)rng_below(&r, 240), s->assured);
	return true;
}

/* The place (and, online too, a virtual one beside it). */
static json_t *places_json(const struct svc *s, const struct kind *k, const struct place *pl,
			   struct rng *r)
{
	char loc_id[37], sal_id[37], addr_id[37], acc_id[37];
	struct buf ab;
	json_t *acc, *loc, *sals;

	sub_uuid(s->id, "loc", loc_id);
	sub_uuid(s->id, "sal", sal_id);
	sub_uuid(s->id, "addr", addr_id);
	sub_uuid(s->id, "acc", acc_id);
	buf_init(&ab, 1024);
	buf_adds(&ab, pick(r, s->step_free ? s->d->step_free_lines : s->d->steps_lines));
	if (rng_pct(r, 40))
		buf_adds(&ab, " Hearing loop in the main room.");
	if (rng_pct(r, 50))
		buf_adds(&ab, " Free parking, including disabled bays.");
	acc = json_pack("[{s:s, s:s, s:s}]", "id", acc_id, "location_id", loc_id, "description", ab.p);
	buf_release(&ab);
	/* Within a few hundred metres of the sector's centre. */
	loc = json_pack("{s:s, s:s, s:s, s:f, s:f, s:[{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}], s:o}",
		"id", loc_id, "location_type", "physical", "name", s->venue,
		"latitude", round((pl->lat + ((double)rng_below(r, 601) - 300.0) / 111000.0) * 1e5) / 1e5,
		"longitude", round((pl->lon + ((double)rng_below(r, 601) - 300.0) / 68000.0) * 1e5) / 1e5,
		"addresses", "id", addr_id, "location_id", loc_id, "address_1", s->street,
		"address_2", pl->village || strcmp(pl->local, pl->town) == 0 ? "" : pl->local,
		"city", pl->village ? pl->local : pl->town, "state_province", pl->county,
		"postal_code", s->postcode, "country", "GB", "address_type", "physical",
		"accessibility", acc);
	sals = json_pack("[{s:s, s:s, s:s, s:o}]", "id", sal_id, "service_id", s->id,
			 "location_id", loc_id, "location", loc);
	if (sals && s->online && k->online_pct < 100) {
		char vloc[37], vsal[37];

		sub_uuid(s->id, "vloc", vloc);
		sub_uuid(s->id, "vsal", vsal);
		json_array_append_new(sals, json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}}",
			"id", vsal, "service_id", s->id, "location_id", vloc, "location",
			"id", vloc, "location_type", "virtual", "name", "Online",
			"description", "Join by video call or phone; we send the details when you get in touch."));
	}
	return sals;
}

static json_t *cost_json(const struct svc *s, const struct kind *k, struct rng *r)
{
	char id[37];
	const struct cost *c;
	size_t n = 0;

	sub_uuid(s->id, "cost", id);
	if (!s->paid)
		return json_pack("[{s:s, s:s, s:s, s:i, s:s}]", "id", id, "service_id", s->id,
				 "option", "Free", "amount", 0, "amount_description", "Free");
	while (k->costs[n].words)
		n++;
	c = &k->costs[rng_below(r, n)];
	return json_pack("[{s:s, s:s, s:s, s:s, s:f, s:s}]", "id", id, "service_id", s->id,
			 "option", "Per session", "currency", "GBP", "amount", c->amount,
			 "amount_description", c->words);
}

/* English, and now and then another language too. */
static json_t *languages_json(const struct svc *s, struct rng *r)
{
	json_t *langs = json_array();
	char lid[37], what[16];

	sub_uuid(s->id, "lang:en", lid);
	json_array_append_new(langs, json_pack("{s:s, s:s, s:s, s:s}", "id", lid,
		"service_id", s->id, "name", "English", "code", "en"));
	for (size_t i = 0; i < s->d->nlanguages; i++) {
		const struct demo_language *extra = &s->d->languages[i];

		if (!rng_pct(r, extra->pct))
			continue;
		snprintf(what, sizeof(what), "lang:%s", extra->code);
		sub_uuid(s->id, what, lid);
		json_array_append_new(langs, json_pack("{s:s, s:s, s:s, s:s}", "id", lid,
			"service_id", s->id, "name", extra->name, "code", extra->code));
	}
	return langs;
}

static void add_attr(json_t *attrs, const char *svc_id, const char *taxonomy_id,
		     const char *taxonomy_name, const struct vocab_term *t)
{
	char id[37];

	sub_uuid(svc_id, t->id, id);
	json_array_append_new(attrs, json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s}}",
		"id", id, "link_id", svc_id, "link_type", "service", "link_entity", "service",
		"taxonomy_term_id", t->id,
		"taxonomy_term", "id", t->id, "name", t->name, "description", t->name,
		"taxonomy_id", taxonomy_id, "taxonomy", taxonomy_name));
}

/* kith's facts as attributes linking its own taxonomies' terms. */
static json_t *attributes_json(const struct svc *s, const struct kind *k)
{
	json_t *attrs = json_array();
	uint64_t seen = 0;

	for (size_t c = 0; k->cats && k->cats[c]; c++) {
		int i = vocab_find(vocab_categories, vocab_categories_n, k->cats[c]);

		if (i >= 0 && !(seen & (1ull << i))) {
			seen |= 1ull << i;
			add_attr(attrs, s->id, vocab_category_taxonomy_id, "Kith: type of support",
				 &vocab_categories[i]);
		}
	}
	if (s->cond >= 0) {
		int i = vocab_find(vocab_conditions, vocab_conditions_n, s->d->conds[s->cond].code);

		if (i >= 0)
			add_attr(attrs, s->id, vocab_condition_taxonomy_id, "Kith: long-term conditions",
				 &vocab_conditions[i]);
	}
	if (s->peer)
		add_attr(attrs, s->id, vocab_kith_taxonomy_id, "Kith: how it runs", &vocab_peer_led);
	if (s->join != JOIN_UNKNOWN)
		add_attr(attrs, s->id, vocab_kith_taxonomy_id, "Kith: how it runs", &vocab_join[s->join]);
	return attrs;
}

/* Builds one service: an ORUK 3.0 full service document with its
 * organisation. The caller owns the result; NULL when out of memory.
 * *name_out (may be NULL) receives the service's name (free it). */
static json_t *build_service(const struct svc_in *in, char **name_out)
{
	const struct kind *k = in->k;
	struct svc s;
	struct rng r;
	json_t *doc = NULL, *scheds, *phones;
	char pid[37];

	if (name_out)
		*name_out = NULL;
	if (!choose(in, &s))
		goto out;
	/* The parts below draw from their own generator, so adding a choice
	 * above does not reshuffle them. */
	{
		char k2[128];

		snprintf(k2, sizeof(k2), "%s/parts", in->key);
		rng_seed(&r, k2);
	}
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		"id", s.id, "name", s.name, "description", s.desc.p, "status", "active",
		"email", s.email, "assured_date", s.assured, "organization_id", s.org_id);
	if (!doc)
		goto out;
	if (rng_pct(&r, 60))
		json_object_set_new(doc, "url", json_string(s.url));
	json_object_set_new(doc, "eligibility_description", json_string(s.who));
	json_object_set_new(doc, "application_process", json_string(in->d->how_words[s.join]));
	if (k->min_age)
		json_object_set_new(doc, "minimum_age", json_integer(k->min_age));
	json_object_set_new(doc, "organization", json_pack("{s:s, s:s, s:s, s:s, s:s}",
		"id", s.org_id, "name", s.org_name, "description", s.org_desc, "email", s.email,
		"website", s.url));

	scheds = json_array();
	json_array_append_new(scheds, schedule_json(s.id, &s.w, 0, hash_str(in->key) & 1, s.attending));
	if (s.two_scheds)
		json_array_append_new(scheds, schedule_json(s.id, &s.w2, 1, false, s.attending));
	json_object_set_new(doc, "schedules", scheds);
	json_object_set_new(doc, "service_at_locations", places_json(&s, k, in->pl, &r));
	json_object_set_new(doc, "cost_options", cost_json(&s, k, &r));
	json_object_set_new(doc, "languages", languages_json(&s, &r));
	/* A phone number (HSDS 3.0's service phones; ORUK keeps them on contacts). */
	sub_uuid(s.id, "phone", pid);
	phones = json_pack("[{s:s, s:s, s:s}]", "id", pid, "number", s.phone,
			   "description", s.join == JOIN_TURN_UP ? "Enquiries" : "Enquiries and bookings");
	json_object_set_new(doc, "phones", phones);
	json_object_set_new(doc, "attributes", attributes_json(&s, k));
	if (name_out) {
		*name_out = s.name;
		s.name = NULL;
	}
out:
	svc_release(&s);
	return doc;
}

/* ---------------------------------------------------------------- saving */

struct tally {
	size_t created, updated, unchanged;
};

/* Saves one document through the same door as forms and imports. The
 * demo's documents carry their own assured_date (spread over months, so
 * freshness has work to do), so .assure, which would stamp today on every
 * one, is off. directory_save keeps no per-process state (it takes no index;
 * a running server's index catches up through the change feed). */
static enum err save(struct db *db, json_t *doc, const struct demo_opts *opts, struct tally *t,
		     const char *key)
{
	struct save_opts so = { .source = SRC_DEMO, .state = SVC_PUBLISHED, .now = opts->now,
				.assure = false };
	struct save_report rep;
	json_t *fields = NULL;
	enum err e;

	if (!doc)
		return ERR_NOMEM;
	e = directory_save(db, doc, &so, &rep, &fields);
	if (e == ERR_OK) {
		if (rep.outcome == SAVE_CREATED)
			t->created++;
		else if (rep.outcome == SAVE_UPDATED)
			t->updated++;
		else
			t->unchanged++;
	} else if (fields) {
		char *s = json_dumps(fields, JSON_COMPACT);

		fprintf(stderr, "kith: demo service %s was refused: %s\n", key, s ? s : "");
		free(s);
	}
	json_decref(fields);
	return e;
}

/* ---------------------------------------------------------------- the town */

#define TOWN_MAX_SECTORS 32

struct town {
	struct place places[TOWN_MAX_SECTORS];
	int weights[TOWN_MAX_SECTORS];
	size_t n;
	int total;
};

/* The town's sectors (town_sectors.csv) that the shipped centroids have,
 * in the centroids' order. */
static bool town_places(const struct demo_data *d, struct town *t)
{
	char name[9];
	double lat, lon;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; postcode_sector_at(i, name, &lat, &lon); i++) {
		for (size_t j = 0; j < d->nsectors; j++) {
			const struct town_sector *ts = &d->sectors[j];
			struct place *pl;

			if (strcmp(ts->sector, name) != 0 || t->n == TOWN_MAX_SECTORS)
				continue;
			pl = &t->places[t->n];
			str_copy(pl->sector, sizeof(pl->sector), name);
			pl->lat = lat;
			pl->lon = lon;
			str_copy(pl->local, sizeof(pl->local), ts->local);
			str_copy(pl->town, sizeof(pl->town), d->town_name);
			str_copy(pl->area, sizeof(pl->area), d->town_area);
			str_copy(pl->county, sizeof(pl->county), d->town_county);
			str_copy(pl->valley, sizeof(pl->valley), d->town_valley);
			pl->streets = ts->streets;
			pl->village = ts->village;
			t->weights[t->n] = ts->weight;
			t->total += ts->weight;
			t->n++;
		}
	}
	return t->n > 0;
}

/* Names already given in the town (keys of a JSON object, a set):
 * two services of one name would be flagged as likely duplicates. */

/* How many of the town's walks the demo organiser's organisation runs. */
#define DEMO_ORG_WALKS 6

static enum err demo_town(struct db *db, const struct demo_data *d, const struct demo_opts *opts,
			  int64_t today, struct tally *t, size_t *n_out)
{
	struct town town;
	json_t *names = json_object();
	enum err e = ERR_OK;
	size_t n = 0;

	if (!names || !town_places(d, &town)) {
		json_decref(names);
		return names ? ERR_INTERNAL : ERR_NOMEM;
	}
	for (size_t ki = 0; ki < d->nkinds && e == ERR_OK; ki++) {
		const struct kind *k = &d->kinds[ki];

		for (int i = 0; i < k->town && e == ERR_OK; i++) {
			char key[64], *name = NULL;
			struct svc_in in = { .d = d, .k = k, .today = today };
			struct rng r;
			json_t *doc;
			int x, attempt;
			size_t pi = 0;

			/* The place: weighted by the sectors' sizes. */
			snprintf(key, sizeof(key), "town:%s:%d", k->code, i);
			rng_seed(&r, key);
			x = (int)rng_below(&r, (size_t)town.total);
			while (pi + 1 < town.n && x >= town.weights[pi])
				x -= town.weights[pi++];
			in.pl = &town.places[pi];
			if (strcmp(k->code, "walk") == 0 && i < DEMO_ORG_WALKS) {
				in.org_id = PEOPLE_DEMO_ORG;
				in.org_name = d->organiser_org_name;
				in.org_desc = d->organiser_org_desc;
			}
			/* A name no other demo service has: try the key's own
			 * choice, then later variants of it. */
			for (attempt = 0; attempt < 24; attempt++) {
				char k2[80];

				if (attempt)
					snprintf(k2, sizeof(k2), "%s#%d", key, attempt);
				else
					str_copy(k2, sizeof(k2), key);
				in.id_key = key;
				in.key = k2;
				doc = build_service(&in, &name);
				if (!doc) {
					free(name);
					e = ERR_NOMEM;
					goto out;
				}
				if (!json_object_get(names, name))
					break;
				json_decref(doc);
				doc = NULL;
				free(name);
				name = NULL;
			}
			if (!doc) {
				fprintf(stderr, "kith: no unused name for demo service %s\n", key);
				e = ERR_INTERNAL;
				goto out;
			}
			if (json_object_set_new(names, name, json_true()) != 0)
				e = ERR_NOMEM;
			if (e == ERR_OK)
				e = save(db, doc, opts, t, in.key);
			json_decref(doc);
			free(name);
			n++;
		}
	}
out:
	json_decref(names);
	*n_out = n;
	return e;
}

/* ---------------------------------------------------------------- synthetic */

static const struct kind *pick_kind(const struct demo_data *d, struct rng *r)
{
	int total = 0, x;

	for (size_t i = 0; i < d->nkinds; i++)
		total += d->kinds[i].weight;
	x = (int)rng_below(r, (size_t)total);
	for (size_t i = 0; i < d->nkinds; i++) {
		if (x < d->kinds[i].weight)
			return &d->kinds[i];
		x -= d->kinds[i].weight;
	}
	return &d->kinds[0];
}

static enum err demo_synthetic(struct db *db, const struct demo_data *d, const struct demo_opts *opts,
			       int64_t today, struct tally *t)
{
	size_t nsectors = postcode_sector_count();
	enum err e = ERR_OK;

	if (nsectors == 0)
		return ERR_INTERNAL;
	for (long i = 0; i < opts->services && e == ERR_OK; i++) {
		char key[48];
		struct rng r;
		struct place pl;
		struct svc_in in = { .d = d, .today = today };
		json_t *doc;

		snprintf(key, sizeof(key), "synthetic:%ld", i);
		rng_seed(&r, key);
		/* Uniform over the sectors that can hold a postcode. */
		for (int tries = 0; !synthetic_place(d, rng_below(&r, nsectors), &pl); tries++)
			if (tries == 100)
				return ERR_INTERNAL;
		in.id_key = key;
		in.key = key;
		in.synthetic = true;
		in.k = pick_kind(d, &r);
		in.pl = &pl;
		doc = build_service(&in, NULL);
		e = save(db, doc, opts, t, key);
		json_decref(doc);
	}
	return e;
}

/* ---------------------------------------------------------------- the hook */

static enum err demo_with(struct db *db, const struct demo_data *d, const struct demo_opts *opts)
{
	struct tally town = { 0 }, synth = { 0 };
	struct uk_tm tm;
	int64_t today;
	uint64_t t0 = time_mono_us();
	size_t n = 0;
	enum err e;

	if (sodium_init() < 0 || (e = postcode_init()) != ERR_OK)
		return ERR_INTERNAL;
	uk_from_utc(opts->now, &tm);
	today = uk_days(tm.year, tm.month, tm.day);
	if ((e = demo_town(db, d, opts, today, &town, &n)) != ERR_OK)
		return e;
	if (opts->out)
		fprintf(opts->out, "\nDirectory: %zu services in %s (%s): %zu new, %zu updated, "
			"%zu unchanged.\n", n, d->town_name, d->town_districts, town.created, town.updated,
			town.unchanged);
	if (opts->services > 0) {
		if ((e = demo_synthetic(db, d, opts, today, &synth)) != ERR_OK)
			return e;
		if (opts->out)
			fprintf(opts->out, "Directory: %ld synthetic services across the UK: %zu new, "
				"%zu updated, %zu unchanged (%.1f s).\n", opts->services, synth.created,
				synth.updated, synth.unchanged, (double)(time_mono_us() - t0) / 1e6);
	}
	return ERR_OK;
}

enum err directory_demo(struct db *db, const struct demo_opts *opts)
{
	struct demo_data d;
	char why[256];
	enum err e = demo_data_load(&d, why, sizeof(why));

	if (e == ERR_OK)
		e = demo_with(db, &d, opts);
	else
		fprintf(stderr, "kith: the demo's words cannot be read: %s\n", why);
	demo_data_release(&d);
	return e;
}
