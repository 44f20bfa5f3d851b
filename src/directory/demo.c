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
#include "app/features.h"
#include "core/buf.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/uktime.h"
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

/* The demo town's sectors. The sectors are real (checked against the
 * shipped centroids when the demo runs); which neighbourhood each is
 * named after is approximate, as is fitting for invented venues. DN15 2
 * (a single postcode) is left out. */
static const struct town_sector {
	const char *sector, *local;
	int weight;                    /* how many services it gets, relatively */
	bool village;
	const char *const *streets;
} town_sectors[] = {
	{ "DN15 0", "Roxby", 1, true, (const char *const[]){ "Church Lane", "Station Road", "Main Street", NULL } },
	{ "DN15 5", "Berkeley", 3, false, (const char *const[]){ "Berkeley Road", "Kingsway", "Rowland Road", "Queensway", NULL } },
	{ "DN15 6", "Scunthorpe", 5, false, (const char *const[]){ "High Street", "Oswald Road", "Cole Street", "Wells Street", "Doncaster Road", NULL } },
	{ "DN15 7", "Crosby", 4, false, (const char *const[]){ "Frodingham Road", "Crosby Road", "Normanby Road", "Diana Street", NULL } },
	{ "DN15 8", "Skippingdale", 2, false, (const char *const[]){ "Ferry Road", "Winterton Road", "Skippingdale Road", NULL } },
	{ "DN15 9", "Winterton", 2, true, (const char *const[]){ "Market Street", "King Street", "West Street", NULL } },
	{ "DN16 1", "Frodingham", 3, false, (const char *const[]){ "Church Lane", "Brigg Road", "Station Road", NULL } },
	{ "DN16 2", "Ashby", 4, false, (const char *const[]){ "Ashby High Street", "Collum Lane", "Grange Lane North", "Messingham Road", NULL } },
	{ "DN16 3", "Bottesford", 3, false, (const char *const[]){ "Bottesford Road", "Manor Road", "Yaddlethorpe Lane", NULL } },
	{ "DN17 1", "Brumby", 3, false, (const char *const[]){ "Brumby Wood Lane", "Old Brumby Street", "Ashby Road", NULL } },
	{ "DN17 2", "Westcliff", 3, false, (const char *const[]){ "Westcliff Drive", "Enderby Road", "Burringham Road", NULL } },
	{ "DN17 3", "Messingham", 2, true, (const char *const[]){ "High Street", "Brigg Road", "East Common Lane", NULL } },
	{ "DN17 4", "Crowle", 1, true, (const char *const[]){ "Market Place", "Godnow Road", "High Street", NULL } },
};

#define TOWN_NAME   "Scunthorpe"
#define TOWN_AREA   "North Lincs"
#define TOWN_COUNTY "North Lincolnshire"
#define TOWN_VALLEY "Trent Valley"

static const char *const uk_streets[] = {   /* most common first (Zipf) */
	"High Street", "Station Road", "Church Road", "Main Street", "Park Road",
	"Church Street", "London Road", "Victoria Road", "Green Lane", "Manor Road",
	"Church Lane", "Park Avenue", "The Avenue", "Queens Road", "New Road",
	"Grange Road", "Kings Road", "Mill Lane", "School Lane", "North Street",
	"Chapel Street", "Albert Road", "Market Place", "Market Street", "Stanley Road",
	"Alexandra Road", "Springfield Road", "George Street", "York Road", "West Street",
	"Broadway", "Highfield Road", "Queen Street", "King Street", "The Crescent",
	"Mill Road", "Oak Avenue", "Windsor Road", "Elm Grove", "Bridge Street", NULL,
};

/* Syllables for the names of synthetic towns (one per postcode district). */
static const char *const town_heads[] = {
	"Ash", "Brad", "Thorn", "King", "Mar", "Wes", "Nor", "Sut", "Brook", "Hol",
	"Har", "Hen", "Stan", "Wal", "Whit", "Mill", "Oak", "Elm", "Bur", "Chel",
	"Dun", "Fair", "Glen", "Hay", "Lang", "Long", "Red", "Rom", "Sand", "Shep",
	"Stow", "Tad", "Wick", "Ald", "Bex", "Cal", "Dal", "Ever", "Fen", "Gold",
	"Hart", "Ick", "Kel", "Lin", "Mel", "New", "Over", "Pen", "Rad", "Sel", NULL,
};
static const char *const town_tails[] = {
	"ton", "ley", "ford", "bury", "field", "ham", "wick", "by", "thorpe", "bridge",
	"well", "combe", "stead", "worth", "den", "holme", "moor", "hurst", "cliffe", "minster",
	"mouth", "borough", "dale", "gate", "hill", NULL,
};
static const char *const local_forms[] = {   /* the town's own name most often */
	"{town}", "{town}", "{town}", "North {town}", "South {town}", "East {town}", "West {town}",
	"{town} Green", "{town} Park", "Old {town}", "Upper {town}", "Lower {town}", "{town} Vale", NULL,
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
static bool synthetic_place(size_t i, struct place *pl)
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
	snprintf(pl->town, sizeof(pl->town), "%s%s", pick(&r, town_heads), pick(&r, town_tails));
	snprintf(pl->area, sizeof(pl->area), "%s and District", pl->town);
	snprintf(pl->valley, sizeof(pl->valley), "%s Vale", pl->town);
	str_copy(pl->county, sizeof(pl->county), nation_of(pl->sector));
	rng_seed(&r, pl->sector);
	local_name(pick(&r, local_forms), pl);
	pl->streets = uk_streets;
	pl->village = rng_pct(&r, 20);
	return true;
}

/* ---------------------------------------------------------------- kinds of support */

struct org_tmpl {
	const char *name;              /* "{place} Health Walks", or fixed */
	const char *desc;
};

struct cost {
	double amount;
	const char *words;
};

/* Time slots, grouped by the part of the day. */
enum { SL_MORNING = 1, SL_LUNCH = 2, SL_AFTERNOON = 4, SL_EVENING = 8, SL_OFFICE = 16 };

static const struct slot {
	unsigned group;
	const char *opens, *closes;
} slots[] = {
	{ SL_MORNING, "09:30", "11:00" }, { SL_MORNING, "10:00", "11:30" },
	{ SL_MORNING, "10:00", "12:00" }, { SL_MORNING, "10:30", "12:00" },
	{ SL_MORNING, "11:00", "12:30" },
	{ SL_LUNCH, "11:30", "13:30" }, { SL_LUNCH, "12:00", "14:00" }, { SL_LUNCH, "12:00", "13:30" },
	{ SL_AFTERNOON, "13:30", "15:00" }, { SL_AFTERNOON, "14:00", "16:00" },
	{ SL_AFTERNOON, "13:00", "15:00" }, { SL_AFTERNOON, "14:30", "16:00" },
	{ SL_EVENING, "18:00", "19:30" }, { SL_EVENING, "18:30", "20:00" }, { SL_EVENING, "19:00", "21:00" },
	{ SL_OFFICE, "09:00", "17:00" }, { SL_OFFICE, "09:30", "16:30" }, { SL_OFFICE, "10:00", "14:00" },
};

struct kind {
	const char *code;              /* part of every key: "walk" */
	int town;                      /* services in the demo town */
	int weight;                    /* per 1000 synthetic services */
	const char *const *cats;       /* category codes */
	const char *const *conds;      /* conditions one of which may be named */
	int cond_pct;
	const char *const *names;      /* "{place} Health Walk" */
	const struct org_tmpl *orgs;   /* ended by a NULL name */
	const char *const *open;       /* the first sentence */
	const char *const *detail;     /* what happens */
	const char *const *who;        /* who it is for */
	const char *const *venues;     /* where */
	enum join_how join;            /* the usual way in */
	int join_other_pct;
	enum join_how join_other;
	int peer_pct;
	int paid_pct;
	const struct cost *costs;      /* ended by words == NULL */
	int online_pct;                /* also online or by phone */
	unsigned slots;                /* SL_* */
	int weekly_pct, fortnightly_pct;   /* the rest monthly */
	int min_age;                   /* 0: none */
	bool weekends;                 /* may be on a Saturday or Sunday */
};

#define L(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const char *const venues_hall[] = {
	"{place} Community Centre", "{place} Library", "St {saint}'s Church Hall",
	"{place} Methodist Church", "{place} Baptist Church Hall", "The {place} Centre",
	"{place} Scout Hut", "{place} Medical Centre, community room", NULL,
};
static const char *const venues_social[] = {
	"{place} Community Centre", "St {saint}'s Church Hall", "{place} Methodist Church",
	"{place} Working Men's Club", "{place} Bowls Club", "The {place} Centre",
	"{place} Library", "The Royal Oak, function room", NULL,
};
static const char *const venues_walk[] = {
	"{place} Library (meet outside)", "{place} Park, the main gates",
	"{place} Community Centre car park", "{place} Leisure Centre (meet in the foyer)",
	"The café at {place} Park", NULL,
};
static const char *const venues_office[] = {
	"{place} Advice Centre", "{place} Community Hub", "{place} Library",
	"{place} Community Centre", "The {place} Centre", NULL,
};
static const char *const venues_sport[] = {
	"{place} Leisure Centre", "{place} Sports Hall", "{place} Community Centre",
	"{place} Park Pavilion", NULL,
};
static const char *const farms[] = {
	"Westfield", "Manor", "Oakwood", "Hill Top", "Brookside", "Glebe", "Home", "Grange", NULL,
};
static const char *const saints[] = {
	"Mary", "John", "Lawrence", "Hugh", "Peter", "Paul", "Barnabas", "Andrew",
	"Margaret", "George", "Michael", "Luke", NULL,
};

static const struct cost costs_session[] = {
	{ 2, "£2 a session, pay on the day" }, { 2.5, "£2.50 a session, including a drink" },
	{ 3, "£3 a session; your first one is free" }, { 1, "£1 towards tea and room hire" },
	{ 0, NULL },
};
static const struct cost costs_lunch[] = {
	{ 4.5, "£4.50 for a two-course lunch" }, { 5, "£5 for lunch, tea and cake" },
	{ 3.5, "£3.50 a meal" }, { 4, "£4 for a hot lunch and a pudding" }, { 0, NULL },
};
static const struct cost costs_transport[] = {
	{ 0.45, "45p a mile, paid to the driver" }, { 3, "£3 for a return trip in town" },
	{ 4, "£4 return; more for trips out of town" }, { 0, NULL },
};
static const struct cost costs_pantry[] = {
	{ 3.5, "£3.50 a visit for a bag of about £15 of food" }, { 0, NULL },
};
static const struct cost costs_sport[] = {
	{ 5, "£5 a session, kit provided" }, { 10, "£10 a session; ask about help with costs" },
	{ 3, "£3 a session" }, { 0, NULL },
};

/* Conditions a peer support group can be about. */
static const struct cond_text {
	const char *code, *title, *phrase;
} cond_text[] = {
	{ "copd", "Lung Health", "COPD or another lung condition" },
	{ "asthma", "Asthma", "asthma" },
	{ "diabetes", "Diabetes", "diabetes" },
	{ "heart", "Heart", "a heart condition" },
	{ "stroke", "Stroke", "the effects of a stroke" },
	{ "cancer", "Cancer", "cancer" },
	{ "arthritis", "Arthritis", "arthritis or joint pain" },
	{ "chronic-pain", "Pain", "long-term pain" },
	{ "dementia", "Memory", "dementia or memory loss" },
	{ "mental-health", "Mental Health", "anxiety, depression or another mental health condition" },
	{ "parkinsons", "Parkinson's", "Parkinson's" },
	{ "ms", "MS", "multiple sclerosis" },
	{ "long-covid", "Long COVID", "long COVID" },
	{ "sight-loss", "Sight Loss", "sight loss" },
	{ "hearing-loss", "Hearing Loss", "hearing loss" },
	{ "learning-disability", "Learning Disability", "a learning disability" },
	{ "autism", "Autism", "autism" },
	{ "kidney", "Kidney", "kidney disease" },
	{ "frailty", "Steady Steps", "frailty or a fear of falling" },
};

#define ORGS(...) ((const struct org_tmpl[]){ __VA_ARGS__, { NULL, NULL } })

/* Organisations more than one kind of service uses. */
#define ORG_AGE_WELL { "{area} Age Well", "A local charity for older people in {area}: lunch clubs, befriending and advice." }
#define ORG_NEIGHBOURS { "{place} Good Neighbours", "Neighbours helping neighbours in {place}: lunches, lifts and a friendly face." }
#define ORG_ADVICE { "{place} Advice Centre", "A friendly advice centre in {place}: money, benefits, housing and forms." }
#define ORG_NETWORK { "{area} {Cond} Network", "A peer network for people living with {cond} in {area}, run by its members." }
#define ORG_ACTIVE { "{area} Active Ageing", "Gentle, safe exercise classes for older people across {area}." }
#define ORG_LEISURE { "{place} Leisure Trust", "Affordable sport and exercise for everyone in {place}." }
#define ORG_MIND { "{area} Mind Matters", "A local mental health charity: peer support, wellbeing groups and a listening line." }

/* The kinds of support. Each kind's names, organisations and sentences
 * describe the same thing, so any combination reads true. town: how many
 * the demo town has; weight: the share of synthetic services (per about
 * 400), set so that, as in real directories, walking groups are a few
 * percent of everything. Templates name no real charity: the fixed
 * organisation names (no {place}) are invented, and are used in the demo
 * town only. */
static const struct kind kinds[] = {
	{
		.code = "walk", .town = 40, .weight = 10, .cats = L("walking"),
		.conds = L("frailty", "heart", "diabetes", "mental-health"), .cond_pct = 15,
		.names = L("{place} Health Walk", "{place} Health Walks", "{place} Walking Group",
			   "{place} Strollers", "{place} Nordic Walking", "{place} Walk and Talk",
			   "{place} {day} Walkers", "{place} Buggy Walk", "{place} Heritage Walk"),
		.orgs = ORGS({ "{place} Health Walks", "Volunteer-led health walks around {place}, for anyone who wants to get a bit more active." },
			     { "{valley} Walkers", "A small charity running friendly, free walks across {area}, led by trained volunteers." },
			     { "{area} Walking for Wellbeing", "Free short walks and walk leader training across {area}." }),
		.open = L("A free, friendly walk of about an hour around {place}, led by trained volunteers.",
			  "Short, gentle walks on flat paths for people who want to get moving again.",
			  "A brisk walk with a friendly group, starting from {venue}.",
			  "We walk together {when}, whatever the weather.",
			  "Our walks go at the pace of the slowest walker, so nobody is left behind."),
		.detail = L("Routes are between one and three miles, mostly on paths and pavements.",
			    "Most walks finish at a café, where you can stay for a drink and a chat.",
			    "Walking poles are available to borrow if you want to try Nordic walking.",
			    "Bring a coat and comfortable shoes; we go out in all but the worst weather.",
			    "Every walk has a leader at the front and a back marker, so nobody walks alone.",
			    "Pushchairs are welcome, and the route avoids stiles."),
		.who = L("Anyone who wants to be a bit more active, whatever their fitness.",
			 "Adults of any age, especially if you are recovering from illness or have not exercised for a while.",
			 "People who would like some gentle exercise and company."),
		.venues = venues_walk, .join = JOIN_TURN_UP, .join_other_pct = 10, .join_other = JOIN_SELF_REFER,
		.peer_pct = 20, .slots = SL_MORNING | SL_AFTERNOON, .weekly_pct = 80, .fortnightly_pct = 10, .weekends = true,
	},
	{
		.code = "breathe", .town = 7, .weight = 4, .cats = L("breathing", "peer-support"),
		.conds = L("copd", "asthma"), .cond_pct = 100,
		.names = L("{place} Better Breathing Group", "{place} Lung Friends", "Breathe Easier {place}",
			   "{place} Lung Support Group"),
		.orgs = ORGS({ "{area} Better Breathing", "A patient-led charity supporting people with lung conditions across {area}." },
			     { "{place} Lung Friends", "A self-help group for people with lung conditions in and around {place}, and their families." }),
		.open = L("A support group for people living with {cond}, run by people who know what it is like.",
			  "A friendly meeting for people with {cond}, their families and carers.",
			  "We meet {when} at {venue} for a talk, a chat and a cup of tea.",
			  "Living with a lung condition is easier with people who understand."),
		.detail = L("Guest speakers include respiratory nurses, physiotherapists and pharmacists.",
			    "Meetings start with ten minutes of breathing exercises you can do sitting down.",
			    "We share tips on inhalers, pacing yourself and getting through the winter.",
			    "Oxygen users are very welcome, and there is space for mobility scooters."),
		.who = L("Adults living with COPD, asthma or another lung condition, and the people close to them.",
			 "Anyone with a long-term lung condition who would like support from others who understand."),
		.venues = venues_hall, .join = JOIN_TURN_UP, .join_other_pct = 20, .join_other = JOIN_SELF_REFER,
		.peer_pct = 80, .online_pct = 20, .slots = SL_AFTERNOON | SL_MORNING,
		.weekly_pct = 30, .fortnightly_pct = 10,
	},
	{
		.code = "lungsing", .town = 3, .weight = 2, .cats = L("breathing", "music"),
		.conds = L("copd", "asthma", "long-covid"), .cond_pct = 60,
		.names = L("Singing for Lung Health, {place}", "{place} Singing for Better Breathing",
			   "Breath and Song, {place}"),
		.orgs = ORGS({ "{area} Better Breathing", "A patient-led charity supporting people with lung conditions across {area}." },
			     { "{area} Arts for Health", "Creative activities that support health and wellbeing across {area}." }),
		.open = L("Gentle singing and breathing exercises that help you make the most of your lungs.",
			  "Singing together {when}, led by a singing leader trained in lung health.",
			  "A singing group for people with {cond}: good for your breathing and your mood."),
		.detail = L("Most of the session is done sitting down, and you can rest whenever you need to.",
			    "You do not need to be able to sing well, or read music.",
			    "Many members say they feel less breathless and more confident afterwards."),
		.who = L("Adults with COPD, asthma, long COVID or another lung condition.",
			 "Anyone living with a lung condition, and the people who care for them."),
		.venues = venues_hall, .join = JOIN_TURN_UP, .join_other_pct = 40, .join_other = JOIN_REFERRAL,
		.peer_pct = 20, .paid_pct = 30, .costs = costs_session, .online_pct = 30,
		.slots = SL_MORNING | SL_AFTERNOON, .weekly_pct = 90,
	},
	{
		.code = "lunch", .town = 34, .weight = 40, .cats = L("lunch-club", "befriending"),
		.names = L("{place} Lunch Club", "{place} Friendship Lunch", "{place} Community Café",
			   "{place} Over 60s Lunch", "{place} Luncheon Club", "Soup and Sociable, {place}",
			   "{day} Table, {place}", "{venue} Lunch Club"),
		.orgs = ORGS({ "{place} Friendship Club", "A volunteer-run club that brings older neighbours in {place} together over good food." },
			     ORG_NEIGHBOURS,
			     { "St {saint}'s Church, {place}", "A parish church that opens its hall to the whole community." },
			     ORG_AGE_WELL),
		.open = L("A hot two-course lunch and good company {when}.",
			  "A warm welcome, a home-cooked meal and a chance to catch up with friends.",
			  "Our lunch club has been feeding {place} for years, and there is always room for one more.",
			  "Come for lunch, stay for the quiz: a sociable few hours at {venue}."),
		.detail = L("Meals are cooked fresh on the day, and we can cater for diabetic and vegetarian diets.",
			    "After lunch there is usually bingo, a quiz or a singalong.",
			    "Volunteers can collect you from home if getting here is hard.",
			    "Tea, coffee and a slice of cake are included.",
			    "Many people come on their own the first time and soon know everyone."),
		.who = L("Older people in {place} and the surrounding area, and anyone who would enjoy the company.",
			 "Anyone over 60 who would like a good meal and a chat.",
			 "Everyone is welcome, especially people who live alone."),
		.venues = venues_social, .join = JOIN_TURN_UP, .join_other_pct = 40, .join_other = JOIN_SELF_REFER,
		.paid_pct = 90, .costs = costs_lunch, .slots = SL_LUNCH, .weekly_pct = 70, .fortnightly_pct = 15,
	},
	{
		.code = "foodbank", .town = 7, .weight = 8, .cats = L("food"),
		.names = L("{place} Food Bank", "{venue} Food Bank", "{place} Emergency Food Parcels"),
		.orgs = ORGS({ "Frodingham Food Bank", "An independent food bank run by local churches and volunteers, serving {area} since 2012." },
			     { "{place} Churches Together", "Churches in {place} working together on food, warmth and friendship." },
			     { "{area} Food Bank", "An independent food bank with distribution centres across {area}." }),
		.open = L("Emergency food parcels for people in crisis, with a friendly chat and a hot drink while you wait.",
			  "If you are struggling to afford food, we can help, without judgement.",
			  "Three days of emergency food for you and your family, given out {when} at {venue}."),
		.detail = L("Parcels hold at least three days of nutritious food, and we can include toiletries.",
			    "We can also help with fuel vouchers and point you to debt and benefits advice.",
			    "There is a separate quiet room if you would rather talk in private.",
			    "Volunteers can deliver parcels to people who cannot get out."),
		.who = L("Anyone in {place} who is struggling to afford food.",
			 "People and families facing hardship; you do not need to be on benefits."),
		.venues = venues_hall, .join = JOIN_REFERRAL, .join_other_pct = 20, .join_other = JOIN_SELF_REFER,
		.slots = SL_MORNING | SL_AFTERNOON, .weekly_pct = 90,
	},
	{
		.code = "pantry", .town = 5, .weight = 7, .cats = L("food"),
		.names = L("{place} Community Pantry", "{place} Food Larder", "{place} Social Supermarket"),
		.orgs = ORGS({ "{place} Community Pantry", "A members' pantry in {place}: good food at a fraction of the price, with no referral needed." },
			     { "{place} Churches Together", "Churches in {place} working together on food, warmth and friendship." }),
		.open = L("A community pantry where members choose their own shopping for a small weekly fee.",
			  "Good food at a fraction of the shop price: fresh fruit and vegetables, bread and store-cupboard basics.",
			  "Join the pantry and shop with us {when} at {venue}."),
		.detail = L("Membership is open to anyone living locally; there are no forms beyond your name and address.",
			    "Much of the food would otherwise go to waste, so the pantry is good for the planet too.",
			    "Volunteers run a café alongside, with soup and a sandwich for a pound."),
		.who = L("Anyone living in {place} who wants to make their money go further.",
			 "Households on a low income, whether working or not."),
		.venues = venues_hall, .join = JOIN_TURN_UP, .paid_pct = 100, .costs = costs_pantry,
		.slots = SL_MORNING | SL_AFTERNOON, .weekly_pct = 95,
	},
	{
		.code = "debt", .town = 12, .weight = 20, .cats = L("money"),
		.names = L("{place} Money Advice", "Debt Advice Drop-in, {place}", "{place} Benefits Help Desk",
			   "Help with Bills, {place}", "{place} Money Matters"),
		.orgs = ORGS({ "Riverside Money Advice", "Free, confidential and independent money advice for {area}." },
			     { "{area} Debt Advice Service", "A charity giving free debt and benefits advice across {area}." },
			     ORG_ADVICE),
		.open = L("Free, confidential advice on debt, benefits and bills from trained advisers.",
			  "Worried about money? Talk it through with someone who will not judge you.",
			  "Help checking you get every benefit you are entitled to, and with the forms.",
			  "A drop-in {when} at {venue} for help with debts, bills and benefits."),
		.detail = L("We can talk to the people you owe and help you set up a budget that works.",
			    "Bring any letters and bills you have, even the ones you have not opened.",
			    "Appointments can be by phone if you cannot get to us.",
			    "We help with Personal Independence Payment and Attendance Allowance claims."),
		.who = L("Anyone living in {area} who is worried about money.",
			 "Adults with debts, benefit problems or bills they cannot pay."),
		.venues = venues_office, .join = JOIN_SELF_REFER, .join_other_pct = 40, .join_other = JOIN_TURN_UP,
		.online_pct = 60, .slots = SL_OFFICE | SL_MORNING, .weekly_pct = 95, .min_age = 18,
	},
	{
		.code = "car", .town = 5, .weight = 5, .cats = L("transport"),
		.names = L("{place} Community Car Scheme", "Volunteer Drivers, {place}", "Hospital Lifts, {place}"),
		.orgs = ORGS({ "{area} Community Transport", "Accessible minibuses and volunteer drivers for people who cannot use ordinary buses." },
			     ORG_NEIGHBOURS),
		.open = L("Volunteer drivers take you to medical appointments, the shops or to see friends.",
			  "Lifts to hospital and GP appointments when there is no other way to get there.",
			  "A friendly volunteer driver, in their own car, from your door to where you need to be."),
		.detail = L("Book at least two working days ahead by phone.",
			    "Drivers can wait with you, or come back when your appointment is over.",
			    "You pay a mileage charge to cover the driver's fuel.",
			    "Drivers are checked and trained, and will help you in and out of the car."),
		.who = L("People who cannot use public transport because of age, illness or disability.",
			 "Anyone in {area} without their own transport who needs to get to an appointment."),
		.venues = venues_office, .join = JOIN_SELF_REFER, .paid_pct = 90, .costs = costs_transport,
		.slots = SL_OFFICE, .weekly_pct = 100,
	},
	{
		.code = "bus", .town = 3, .weight = 3, .cats = L("transport"),
		.names = L("Dial-a-Ride {area}", "Shopper Bus, {place}", "{place} Community Minibus"),
		.orgs = ORGS({ "{area} Community Transport", "Accessible minibuses and volunteer drivers for people who cannot use ordinary buses." }),
		.open = L("A door-to-door minibus for people who find ordinary buses hard to use.",
			  "A shopper bus from your door to the supermarket and back, {when}.",
			  "Accessible minibus trips for shopping, appointments and days out."),
		.detail = L("Our minibuses have wheelchair lifts, and drivers will help you on and off.",
			    "Book by phone; regular journeys can be booked once for the whole year.",
			    "Bus passes are not accepted, but fares are kept low."),
		.who = L("People who find it hard to use ordinary buses because of age, illness or disability.",
			 "Older and disabled people in {area}."),
		.venues = venues_office, .join = JOIN_SELF_REFER, .paid_pct = 100, .costs = costs_transport,
		.slots = SL_OFFICE, .weekly_pct = 100,
	},
	{
		.code = "it", .town = 14, .weight = 15, .cats = L("learning"),
		.names = L("{place} Digital Drop-in", "Computer Club, {place}", "Tablet Help for Beginners, {place}",
			   "Get Online at {venue}", "{place} Silver Surfers", "Smartphone Surgery, {place}"),
		.orgs = ORGS({ "{area} Digital Champions", "Volunteers helping people in {area} get online, one step at a time." },
			     { "{place} Learning Hub", "Free and low-cost learning for adults in {place}." }),
		.open = L("Patient, one-to-one help with computers, tablets and smartphones.",
			  "Learn to video call your family, shop online or book a GP appointment on the NHS App.",
			  "A relaxed class for complete beginners: no question is too basic.",
			  "Bring your phone or tablet {when} and we will help you get the most out of it."),
		.detail = L("Laptops and tablets are available to use if you do not have your own.",
			    "We can help you stay safe online and spot scams.",
			    "Courses run for six weeks, and you can join the drop-in at any time.",
			    "Free data SIM cards are available for people who cannot afford internet access."),
		.who = L("Adults who want to feel more confident online, whatever their starting point.",
			 "Older people and anyone new to computers."),
		.venues = venues_hall, .join = JOIN_TURN_UP, .join_other_pct = 40, .join_other = JOIN_SELF_REFER,
		.peer_pct = 10, .online_pct = 20, .slots = SL_MORNING | SL_AFTERNOON,
		.weekly_pct = 85, .fortnightly_pct = 10, .min_age = 16,
	},
	{
		.code = "book", .town = 12, .weight = 10, .cats = L("reading", "befriending"),
		.conds = L("sight-loss", "dementia", "mental-health"), .cond_pct = 15,
		.names = L("{place} Book Club", "{venue} Reading Group", "Shared Reading, {place}",
			   "{place} Large Print Book Club", "{place} Readers"),
		.orgs = ORGS({ "Friends of {place} Library", "Volunteers who support {place} Library and run its groups." },
			     { "Read Together {area}", "Shared reading groups in libraries, cafés and care homes across {area}." }),
		.open = L("A friendly book group that reads one book a month and talks about it over tea.",
			  "We read short stories and poems aloud together, so there is nothing to prepare.",
			  "A reading group with large print and audio copies of every book.",
			  "Readers of all kinds meet {when} at {venue}."),
		.detail = L("Copies of the book are provided free by the library.",
			    "You do not have to finish the book to come along.",
			    "We choose the books together, and the list is always varied.",
			    "Some members listen to the audiobook instead of reading."),
		.who = L("Anyone who enjoys books, or would like to get back into reading.",
			 "Adults who would like a sociable, low-pressure group."),
		.venues = venues_hall, .join = JOIN_TURN_UP, .join_other_pct = 30, .join_other = JOIN_SELF_REFER,
		.peer_pct = 10, .online_pct = 15, .slots = SL_AFTERNOON | SL_EVENING | SL_MORNING,
		.weekly_pct = 10, .fortnightly_pct = 20,
	},
	{
		.code = "carers", .town = 14, .weight = 15, .cats = L("carers", "peer-support"),
		.conds = L("dementia", "stroke", "learning-disability", "autism", "mental-health", "parkinsons"), .cond_pct = 35,
		.names = L("{place} Carers' Group", "Carers' Coffee Morning, {place}", "{place} Carers' Cuppa",
			   "Carers' Time Out, {place}", "{place} Carers' Circle"),
		.orgs = ORGS({ "Riverside Carers Centre", "Information, advice and breaks for unpaid carers across {area}." },
			     { "{place} Carers Together", "A peer group of carers in {place}, supporting one another since 2015." },
			     { "{area} Carers' Network", "Support, information and a voice for unpaid carers in {area}." }),
		.open = L("Time out for unpaid carers: a cuppa, a chat and people who understand.",
			  "A support group for people caring for someone with {cond}.",
			  "Caring can be lonely; here you can talk freely with others who are doing it too.",
			  "A relaxed get-together for carers {when} at {venue}."),
		.detail = L("Staff from the carers centre can help with a carer's assessment and breaks.",
			    "The person you care for is welcome to come with you; there is a separate activity for them.",
			    "We sometimes have speakers on benefits, legal matters and looking after yourself.",
			    "Some members also keep in touch between meetings by phone."),
		.who = L("Unpaid carers of any age looking after a family member or friend.",
			 "Anyone who cares for someone with {cond}."),
		.venues = venues_hall, .join = JOIN_TURN_UP, .join_other_pct = 35, .join_other = JOIN_SELF_REFER,
		.peer_pct = 70, .online_pct = 30, .slots = SL_MORNING | SL_AFTERNOON | SL_EVENING,
		.weekly_pct = 30, .fortnightly_pct = 20,
	},
	{
		.code = "dementia", .town = 12, .weight = 8, .cats = L("dementia", "befriending"),
		.conds = L("dementia"), .cond_pct = 100,
		.names = L("{place} Memory Café", "{place} Dementia Café", "Songs and Memories, {place}",
			   "{place} Forget-Me-Not Club", "Reminiscence Afternoon, {place}"),
		.orgs = ORGS({ "Trentside Dementia Support", "A local charity supporting people with dementia and their families across {area}." },
			     { "{place} Memory Café", "A volunteer-run memory café in {place}." },
			     { "{area} Memory Matters", "Memory cafés, advice and activities for people affected by dementia in {area}." }),
		.open = L("A memory café for people living with dementia and the people who care for them.",
			  "Songs from the fifties and sixties, tea and cake, for people with memory problems and their families.",
			  "A warm, relaxed place to meet others affected by dementia {when}.",
			  "Reminiscence, games and friendly faces for people with dementia and their carers."),
		.detail = L("A dementia adviser is usually there if you want to ask something in private.",
			    "Activities change every time: music, old photographs, crafts and gentle exercise.",
			    "Come together or on your own; nobody has to join in.",
			    "The room is quiet and well lit, with clear signs to the toilets."),
		.who = L("People living with dementia or memory loss, with a family member, friend or carer.",
			 "Anyone affected by dementia, whether or not there is a diagnosis."),
		.venues = venues_social, .join = JOIN_TURN_UP, .join_other_pct = 20, .join_other = JOIN_SELF_REFER,
		.peer_pct = 20, .slots = SL_AFTERNOON | SL_MORNING, .weekly_pct = 30, .fortnightly_pct = 20,
	},
	{
		.code = "choir", .town = 10, .weight = 9, .cats = L("music"),
		.conds = L("parkinsons", "mental-health", "stroke"), .cond_pct = 10,
		.names = L("{place} Community Choir", "Sing Together, {place}", "{place} Singers",
			   "{place} Ukulele Group", "{place} Drumming Circle", "{place} Rock Choir"),
		.orgs = ORGS({ "{place} Community Choir", "A choir for everyone in {place}: no auditions and no need to read music." },
			     { "{area} Arts for Health", "Creative activities that support health and wellbeing across {area}." }),
		.open = L("Make music with other people, whatever your experience.",
			  "No auditions, no need to read music: just come and join in {when}.",
			  "Making music together is good for your breathing, your mood and your week.",
			  "A friendly music group at {venue}, for beginners and old hands alike."),
		.detail = L("We play and sing pop, folk and musicals, learned by ear.",
			    "Instruments are available to borrow while you decide whether it is for you.",
			    "Once or twice a year we perform for local care homes and events.",
			    "The first half hour is gentle warm-ups, so nobody is put on the spot."),
		.who = L("Anyone who enjoys music, whatever their voice.",
			 "Adults of all abilities, including people with long-term conditions and their carers.",
			 "Beginners are especially welcome."),
		.venues = venues_hall, .join = JOIN_TURN_UP, .join_other_pct = 20, .join_other = JOIN_SELF_REFER,
		.peer_pct = 10, .paid_pct = 60, .costs = costs_session, .online_pct = 10,
		.slots = SL_EVENING | SL_AFTERNOON, .weekly_pct = 90,
	},
	{
		.code = "crafts", .town = 8, .weight = 8, .cats = L("music"),
		.conds = L("mental-health", "dementia", "stroke"), .cond_pct = 10,
		.names = L("{place} Art Club", "Crafts and Chat, {place}", "{place} Knit and Natter",
			   "{place} Craft Café", "Painting for Pleasure, {place}"),
		.orgs = ORGS({ "{place} Arts Collective", "Local artists and makers running creative groups in {place}." },
			     { "{area} Arts for Health", "Creative activities that support health and wellbeing across {area}." }),
		.open = L("Make something, chat and have a cup of tea with others {when}.",
			  "A relaxed creative group: knitting, painting, card-making or whatever you fancy.",
			  "Bring your own project or try something new, with friendly help on hand."),
		.detail = L("All materials are provided, and you can take home what you make.",
			    "Some members make blankets and hats for the local hospital.",
			    "Nobody minds if you come just for the company."),
		.who = L("Anyone who likes making things, whatever their skill.",
			 "Adults who would enjoy a sociable, creative couple of hours."),
		.venues = venues_hall, .join = JOIN_TURN_UP, .join_other_pct = 10, .join_other = JOIN_SELF_REFER,
		.peer_pct = 10, .paid_pct = 50, .costs = costs_session, .slots = SL_MORNING | SL_AFTERNOON,
		.weekly_pct = 80, .fortnightly_pct = 10,
	},
	{
		.code = "sailing", .town = 1, .weight = 1, .cats = L("adapted-sport"),
		.conds = L("learning-disability", "ms", "stroke", "sight-loss"), .cond_pct = 20,
		.names = L("{valley} Sailability", "Sailability at {place} Lakes"),
		.orgs = ORGS({ "{valley} Sailability", "Sailing for disabled people on the lakes and rivers of {area}, with adapted boats and trained volunteers." }),
		.open = L("Sailing for disabled people in stable, adapted boats, with a volunteer alongside.",
			  "Get out on the water {when}: adapted dinghies, hoists and trained volunteers."),
		.detail = L("Wheelchair users can be transferred into the boat with a hoist.",
			    "All equipment, buoyancy aids and waterproofs are provided.",
			    "Carers can sail too, or watch from the clubhouse."),
		.who = L("Disabled children and adults, whatever their ability.",
			 "People with physical, sensory or learning disabilities, and their families."),
		.venues = (const char *const[]){ "{place} Lakes Sailing Club", "{place} Water Park, the clubhouse", NULL },
		.join = JOIN_SELF_REFER, .paid_pct = 60, .costs = costs_sport,
		.slots = SL_MORNING | SL_AFTERNOON, .weekly_pct = 90, .weekends = true,
	},
	{
		.code = "riding", .town = 1, .weight = 1, .cats = L("adapted-sport"),
		.conds = L("learning-disability", "autism", "ms"), .cond_pct = 30,
		.names = L("{farm} Farm Adapted Riding", "Riding for Disabled People, {place}"),
		.orgs = ORGS({ "{farm} Farm Riding Centre", "A riding centre offering riding and carriage driving for disabled children and adults." }),
		.open = L("Riding sessions for disabled children and adults, with side-walkers and a mounting ramp.",
			  "Therapeutic riding {when} with calm, well-schooled ponies and trained volunteers."),
		.detail = L("Riders are helped on and off with a hoist or ramp.",
			    "Carriage driving is available for people who cannot ride.",
			    "Hats and body protectors are provided."),
		.who = L("Disabled children and adults, from five years old.",
			 "People with physical or learning disabilities, and autistic people."),
		.venues = (const char *const[]){ "{farm} Farm, the riding school", NULL },
		.join = JOIN_SELF_REFER, .join_other_pct = 30, .join_other = JOIN_REFERRAL,
		.paid_pct = 70, .costs = costs_sport, .slots = SL_MORNING | SL_AFTERNOON, .weekly_pct = 90, .weekends = true,
	},
	{
		.code = "sport", .town = 6, .weight = 3, .cats = L("adapted-sport"),
		.conds = L("learning-disability", "autism", "ms", "stroke", "sight-loss", "parkinsons"), .cond_pct = 30,
		.names = L("Adapted Cycling, {place}", "{place} Boccia Club", "Inclusive Swimming, {place}",
			   "Wheelchair Basketball, {place}", "Accessible Angling, {place}", "{place} Inclusive Sports Club"),
		.orgs = ORGS({ "{area} Inclusive Sport", "Sport and outdoor activity adapted for disabled people across {area}." },
			     ORG_LEISURE),
		.open = L("Sport adapted to you, with specialist equipment and trained coaches.",
			  "A friendly, inclusive session {when}: come and try it.",
			  "Disabled and non-disabled people playing side by side, at their own level."),
		.detail = L("Adapted equipment is provided, and you can try several kinds before you choose.",
			    "Sessions are in small groups, so everyone goes at their own pace.",
			    "Carers can join in or watch."),
		.who = L("Disabled children and adults, whatever their ability.",
			 "People with physical, sensory or learning disabilities, and their families."),
		.venues = venues_sport, .join = JOIN_TURN_UP, .join_other_pct = 40, .join_other = JOIN_SELF_REFER,
		.paid_pct = 60, .costs = costs_sport, .slots = SL_MORNING | SL_AFTERNOON | SL_EVENING, .weekly_pct = 85, .weekends = true,
	},
	{
		.code = "shed", .town = 4, .weight = 6, .cats = L("mental-wellbeing", "befriending"),
		.names = L("{place} Men's Shed", "{place} Community Shed", "The {place} Workshop"),
		.orgs = ORGS({ "{place} Men's Shed", "A workshop in {place} where men make things, mend things and talk." },
			     { "{area} Sheds Network", "Community workshops across {area}, open to anyone who likes to make and mend." }),
		.open = L("Make, mend and chat in a workshop where shoulder to shoulder is easier than face to face.",
			  "A community workshop open {when}: woodwork, repairs and a brew.",
			  "Somewhere to go, something to do and people to do it with."),
		.detail = L("Tools and materials are provided, and no experience is needed.",
			    "Members repair bikes and furniture for local families.",
			    "There is always someone to show you how."),
		.who = L("Men of any age, especially those who find it hard to talk, and anyone who likes making things.",
			 "Adults who would like company and a purpose."),
		.venues = (const char *const[]){ "The Shed, {place} Community Centre", "{place} Allotments, the workshop",
						 "Unit 4, {place} Business Park", NULL },
		.join = JOIN_TURN_UP, .join_other_pct = 30, .join_other = JOIN_SELF_REFER, .peer_pct = 60,
		.paid_pct = 30, .costs = costs_session, .slots = SL_MORNING | SL_AFTERNOON, .weekly_pct = 100, .min_age = 18,
	},
	{
		.code = "talk", .town = 10, .weight = 18, .cats = L("mental-wellbeing", "peer-support"),
		.conds = L("mental-health"), .cond_pct = 60,
		.names = L("Talk Club, {place}", "{place} Wellbeing Café", "Anxiety Peer Support, {place}",
			   "Mood Matters, {place}", "Mindful Mornings, {place}", "{place} Women's Wellbeing Group"),
		.orgs = ORGS(ORG_MIND, { "Riverside Wellbeing Collective", "Peer-led groups for mental wellbeing in {area}." }),
		.open = L("A safe, friendly space to talk about how you are really feeling.",
			  "A peer support group run by people who have lived with anxiety and depression.",
			  "A relaxed get-together {when} for anyone whose mental health is getting them down."),
		.detail = L("Nobody has to talk: you are welcome just to listen.",
			    "What is said in the group stays in the group.",
			    "We can point you to other support if you need more than the group offers.",
			    "Each session ends with something calming: a gentle stretch, a breathing exercise or just a cuppa."),
		.who = L("Adults who are struggling with their mental health or just feeling low.",
			 "Anyone who would like some company and support from people who understand."),
		.venues = venues_hall, .join = JOIN_TURN_UP, .join_other_pct = 35, .join_other = JOIN_SELF_REFER,
		.peer_pct = 80, .online_pct = 40, .slots = SL_MORNING | SL_AFTERNOON | SL_EVENING,
		.weekly_pct = 80, .fortnightly_pct = 10, .min_age = 18,
	},
	{
		.code = "garden", .town = 4, .weight = 6, .cats = L("mental-wellbeing"),
		.conds = L("mental-health", "learning-disability"), .cond_pct = 20,
		.names = L("{place} Allotment Group", "Growing Together, {place}", "{place} Community Garden"),
		.orgs = ORGS({ "{place} Growing Project", "A community food-growing project in {place}." }, ORG_MIND),
		.open = L("Gardening together {when}: fresh air, growing food and good company.",
			  "A community garden where anyone can help grow fruit, vegetables and flowers.",
			  "Get your hands in the soil with a friendly group, whatever your experience."),
		.detail = L("Tools, gloves and seeds are provided.",
			    "Raised beds mean you can garden from a chair.",
			    "What we grow goes home with the growers and to the local food bank."),
		.who = L("Anyone who would like to garden with others, from complete beginners to old hands.",
			 "Adults whose wellbeing would benefit from time outdoors."),
		.venues = (const char *const[]){ "{place} Allotments", "{place} Community Garden", "{place} Park, the walled garden", NULL },
		.join = JOIN_TURN_UP, .join_other_pct = 30, .join_other = JOIN_REFERRAL, .peer_pct = 30,
		.slots = SL_MORNING | SL_AFTERNOON, .weekly_pct = 90, .weekends = true,
	},
	{
		.code = "peer", .town = 44, .weight = 60, .cats = L("peer-support", "health-self-management"),
		.conds = L("diabetes", "heart", "stroke", "cancer", "arthritis", "chronic-pain", "ms", "parkinsons",
			   "long-covid", "sight-loss", "hearing-loss", "kidney", "autism", "mental-health"), .cond_pct = 100,
		.names = L("{place} {Cond} Support Group", "{Cond} Peer Support, {place}", "{place} {Cond} Friends",
			   "{Cond} Café, {place}", "{place} {Cond} Self-help Group"),
		.orgs = ORGS(ORG_NETWORK, { "{place} {Cond} Support Group", "A self-help group in {place} for people living with {cond}." }),
		.open = L("A peer support group for people living with {cond}, run by people who live with it too.",
			  "Meet others who understand life with {cond}, share what helps and have a laugh.",
			  "A friendly group for anyone affected by {cond}, {when} at {venue}.",
			  "Living with {cond} is easier when you are not doing it alone."),
		.detail = L("Some meetings have a guest speaker, such as a specialist nurse or a dietitian.",
			    "We share practical tips on medication, appointments and the everyday things.",
			    "Family members and partners are welcome too.",
			    "Between meetings, members keep in touch through a phone tree."),
		.who = L("Adults living with {cond}, and the people close to them.",
			 "Anyone affected by {cond}, at any stage."),
		.venues = venues_hall, .join = JOIN_TURN_UP, .join_other_pct = 35, .join_other = JOIN_SELF_REFER,
		.peer_pct = 90, .online_pct = 30, .slots = SL_MORNING | SL_AFTERNOON | SL_EVENING,
		.weekly_pct = 20, .fortnightly_pct = 20,
	},
	{
		.code = "befriend", .town = 6, .weight = 10, .cats = L("befriending"),
		.names = L("Telephone Friends, {place}", "{place} Befriending", "Friendly Visits, {place}"),
		.orgs = ORGS(ORG_AGE_WELL, ORG_NEIGHBOURS),
		.open = L("A friendly volunteer who phones you for a chat at the same time each week.",
			  "A volunteer visitor for people who are lonely or cannot get out much.",
			  "A weekly chat with someone who is interested in you."),
		.detail = L("We match you with a volunteer who shares some of your interests.",
			    "Volunteers are checked and trained before they start.",
			    "Once you feel ready, a volunteer can come with you to a local group.",
			    "It is free, and you can stop at any time."),
		.who = L("Older people and anyone who feels lonely or isolated.",
			 "Adults who live alone and would like more company."),
		.venues = venues_office, .join = JOIN_SELF_REFER, .join_other_pct = 30, .join_other = JOIN_REFERRAL,
		.peer_pct = 10, .online_pct = 100, .slots = SL_OFFICE, .weekly_pct = 100,
	},
	{
		.code = "coffee", .town = 6, .weight = 10, .cats = L("befriending"),
		.names = L("Chat and Cuppa, {place}", "{place} Coffee Morning", "{place} Friendship Café"),
		.orgs = ORGS(ORG_AGE_WELL, ORG_NEIGHBOURS,
			     { "St {saint}'s Church, {place}", "A parish church that opens its hall to the whole community." }),
		.open = L("A coffee morning where nobody is a stranger for long, {when} at {venue}.",
			  "Tea, cake and a natter with friendly people.",
			  "A warm room, a hot drink and good company for anyone who fancies a chat."),
		.detail = L("There is a raffle and a bring-and-buy table.",
			    "Volunteers look out for new faces and will introduce you around.",
			    "Local services sometimes drop in to say what they offer."),
		.who = L("Everyone, especially people who live alone or are new to the area.",
			 "Anyone who would like a friendly chat."),
		.venues = venues_social, .join = JOIN_TURN_UP, .paid_pct = 40, .costs = costs_session,
		.slots = SL_MORNING, .weekly_pct = 80, .fortnightly_pct = 10,
	},
	{
		.code = "handyperson", .town = 3, .weight = 5, .cats = L("practical-help"),
		.names = L("{place} Handyperson Scheme", "{place} Small Repairs Service"),
		.orgs = ORGS(ORG_AGE_WELL, ORG_NEIGHBOURS),
		.open = L("Small jobs around the home done by vetted volunteers: curtain rails, grab rails, smoke alarms.",
			  "Help with the little repairs that make a home safe and comfortable."),
		.detail = L("You pay only for materials.",
			    "Ring us to arrange a visit; we aim to come within a week.",
			    "Volunteers carry identity cards, so you always know who is at the door."),
		.who = L("Older and disabled people living in {place}.",
			 "Anyone who cannot do small jobs at home themselves and has nobody to ask."),
		.venues = venues_office, .join = JOIN_SELF_REFER, .join_other_pct = 30, .join_other = JOIN_REFERRAL,
		.slots = SL_OFFICE, .weekly_pct = 100,
	},
	{
		.code = "helpers", .town = 3, .weight = 5, .cats = L("practical-help"),
		.names = L("Garden Helpers, {place}", "Shopping Buddies, {place}", "Home from Hospital, {place}"),
		.orgs = ORGS(ORG_AGE_WELL, ORG_NEIGHBOURS),
		.open = L("A little practical help from a friendly volunteer.",
			  "Volunteers who will help with the jobs that have got too much.",
			  "Help with the shopping, the garden or collecting prescriptions."),
		.detail = L("Help is free; a donation is welcome but never expected.",
			    "We can usually start within a week of your call.",
			    "Volunteers carry identity cards, so you always know who is at the door."),
		.who = L("Older and disabled people living in {place}.",
			 "Anyone leaving hospital who needs a little help to settle back at home."),
		.venues = venues_office, .join = JOIN_SELF_REFER, .join_other_pct = 30, .join_other = JOIN_REFERRAL,
		.slots = SL_OFFICE, .weekly_pct = 100,
	},
	{
		.code = "housing", .town = 3, .weight = 6, .cats = L("housing"),
		.names = L("{place} Housing Advice Drop-in", "Tenancy Support, {place}"),
		.orgs = ORGS({ "{area} Housing Advice", "Free, independent housing advice for tenants and homeowners in {area}." }, ORG_ADVICE),
		.open = L("Free advice if you are worried about losing your home, repairs or your tenancy.",
			  "A housing adviser at {venue} {when}."),
		.detail = L("We can talk to your landlord or the council for you.",
			    "Bring your tenancy agreement and any letters.",
			    "If you have nowhere to stay tonight, call us and we will help straight away."),
		.who = L("Tenants, homeowners and anyone at risk of homelessness in {area}.",
			 "Anyone with a problem with their home."),
		.venues = venues_office, .join = JOIN_SELF_REFER, .join_other_pct = 40, .join_other = JOIN_TURN_UP,
		.online_pct = 60, .slots = SL_OFFICE | SL_MORNING, .weekly_pct = 100, .min_age = 16,
	},
	{
		.code = "energy", .town = 2, .weight = 4, .cats = L("housing", "money"),
		.names = L("{place} Home Energy Advice", "Warm Homes Advice, {place}"),
		.orgs = ORGS({ "{area} Warm Homes", "Free advice and grants to help people in {area} keep warm for less." }, ORG_ADVICE),
		.open = L("Help to keep your home warm for less: energy advice, grants and switching.",
			  "Free, friendly advice on energy bills, draughts and damp, {when} at {venue}."),
		.detail = L("We can check whether you can get a grant for insulation or a new boiler.",
			    "Bring a recent energy bill if you have one.",
			    "Home visits are available for people who cannot get out."),
		.who = L("Anyone struggling with heating bills or a cold, damp home.",
			 "Households in {area}, especially older people and families with young children."),
		.venues = venues_office, .join = JOIN_TURN_UP, .join_other_pct = 50, .join_other = JOIN_SELF_REFER,
		.online_pct = 60, .slots = SL_OFFICE | SL_MORNING, .weekly_pct = 80,
	},
	{
		.code = "living-well", .town = 8, .weight = 10, .cats = L("health-self-management", "learning"),
		.conds = L("diabetes", "heart", "chronic-pain", "arthritis", "copd", "long-covid"), .cond_pct = 100,
		.names = L("Living Well with {Cond}, {place}", "Self-management Course, {place}",
			   "{place} Living Well Group", "Taking Charge, {place}"),
		.orgs = ORGS({ "{area} Living Well", "Courses and groups that help people manage long-term conditions, led by people who have them." },
			     ORG_NETWORK),
		.open = L("A free six-week course on living well with {cond}, led by tutors who live with a condition themselves.",
			  "Learn practical ways to manage pain, tiredness and low mood.",
			  "A course that helps you take charge of your health, one small goal at a time.",
			  "Weekly sessions {when} at {venue} for people managing {cond}."),
		.detail = L("Each week you set yourself a small goal and report back the next week.",
			    "Topics include pacing, sleep, healthy eating, medication and talking to your doctor.",
			    "Courses run in small groups of up to twelve people.",
			    "You get a free book to keep."),
		.who = L("Adults living with {cond}.",
			 "Anyone with a long-term health condition, and carers too."),
		.venues = venues_hall, .join = JOIN_REFERRAL, .join_other_pct = 50, .join_other = JOIN_SELF_REFER,
		.peer_pct = 70, .online_pct = 40, .slots = SL_MORNING | SL_AFTERNOON, .weekly_pct = 100, .min_age = 18,
	},
	{
		.code = "chair", .town = 6, .weight = 3, .cats = L("walking"),
		.conds = L("frailty", "arthritis", "copd", "parkinsons"), .cond_pct = 30,
		.names = L("{place} Chair Exercise", "{place} Seated Exercise", "Move More, {place}",
			   "{place} Armchair Aerobics"),
		.orgs = ORGS(ORG_ACTIVE, ORG_LEISURE),
		.open = L("Gentle exercise you can do sitting down, to music, with a qualified instructor.",
			  "A seated exercise class {when} at {venue}, at your own pace.",
			  "Keep moving with gentle, seated exercises that loosen stiff joints."),
		.detail = L("The instructor adapts every exercise, so you can join in whatever your mobility.",
			    "Wear comfortable clothes and bring a bottle of water.",
			    "Classes are followed by tea and a chat."),
		.who = L("Older adults, and anyone who finds standing exercise hard.",
			 "People with long-term conditions who want safe, gentle exercise."),
		.venues = venues_sport, .join = JOIN_TURN_UP, .join_other_pct = 20, .join_other = JOIN_REFERRAL,
		.paid_pct = 70, .costs = costs_session, .online_pct = 20, .slots = SL_MORNING | SL_AFTERNOON, .weekly_pct = 95,
	},
	{
		.code = "balance", .town = 5, .weight = 3, .cats = L("walking", "health-self-management"),
		.conds = L("frailty"), .cond_pct = 70,
		.names = L("Strength and Balance, {place}", "Falls Prevention Class, {place}", "Steady Steps, {place}"),
		.orgs = ORGS(ORG_ACTIVE, { "{area} Falls Service", "Strength and balance programmes that help people in {area} stay on their feet." }),
		.open = L("Strength and balance exercises that make falls less likely and everyday life easier.",
			  "A twelve-week programme to help you feel steadier on your feet, {when} at {venue}."),
		.detail = L("Each class builds on the last, with exercises to practise at home.",
			    "An instructor checks your balance at the start and the end, so you can see the difference.",
			    "Chairs are always to hand, and nobody is pushed further than they want to go."),
		.who = L("Older adults who have had a fall, or are worried about falling.",
			 "Anyone who wants to feel steadier on their feet."),
		.venues = venues_sport, .join = JOIN_REFERRAL, .join_other_pct = 50, .join_other = JOIN_SELF_REFER,
		.paid_pct = 40, .costs = costs_session, .slots = SL_MORNING | SL_AFTERNOON, .weekly_pct = 100, .min_age = 50,
	},
	{
		.code = "taichi", .town = 4, .weight = 2, .cats = L("walking", "mental-wellbeing"),
		.conds = L("arthritis", "chronic-pain", "parkinsons", "mental-health"), .cond_pct = 20,
		.names = L("{place} Tai Chi", "Gentle Yoga, {place}", "{place} Qigong"),
		.orgs = ORGS(ORG_ACTIVE, ORG_LEISURE),
		.open = L("Slow, flowing movements that build balance, strength and calm.",
			  "A gentle class {when} at {venue}, suitable for complete beginners."),
		.detail = L("Every movement can be done sitting or standing.",
			    "Classes end with a few minutes of quiet breathing.",
			    "Wear loose clothes and flat shoes."),
		.who = L("Adults of any age and ability.",
			 "People with stiff joints or long-term pain who want gentle exercise."),
		.venues = venues_sport, .join = JOIN_TURN_UP, .join_other_pct = 20, .join_other = JOIN_SELF_REFER,
		.paid_pct = 80, .costs = costs_session, .online_pct = 20, .slots = SL_MORNING | SL_EVENING, .weekly_pct = 100,
	},
	/* Synthetic services only: the rest of what a real directory holds,
	 * so kith's own kinds are the share they are in life. */
	{
		.code = "toddler", .town = 0, .weight = 30, .cats = L("peer-support"),
		.names = L("Stay and Play, {place}", "{place} Parent and Toddler Group", "Baby Bounce and Rhyme, {place}",
			   "{place} Little Explorers"),
		.orgs = ORGS({ "{place} Family Hub", "Support, activities and advice for families with children in {place}." },
			     { "St {saint}'s Church, {place}", "A parish church that opens its hall to the whole community." }),
		.open = L("Songs, stories and messy play for babies and toddlers, and a cup of tea for the grown-ups.",
			  "A friendly stay-and-play session {when} at {venue}.",
			  "Meet other parents and carers while the little ones play."),
		.detail = L("Health visitors drop in once a month to answer questions.",
			    "There is a quiet corner for feeding.",
			    "Toys are cleaned after every session."),
		.who = L("Parents, grandparents and carers with children under five.",
			 "Families with babies and toddlers."),
		.venues = venues_hall, .join = JOIN_TURN_UP, .paid_pct = 50, .costs = costs_session,
		.slots = SL_MORNING, .weekly_pct = 90, .weekends = true,
	},
	{
		.code = "youth", .town = 0, .weight = 15,
		.names = L("{place} Youth Club", "{place} Junior Youth Club", "Friday Night Project, {place}"),
		.orgs = ORGS({ "{place} Youth Project", "Youth work and activities for young people in {place}." }),
		.open = L("A youth club with games, sport, music and trained youth workers.",
			  "Somewhere to hang out with friends {when}, with activities and trips.",
			  "A safe, free place for young people to meet, relax and try new things."),
		.detail = L("Youth workers can also help with school, home or money worries.",
			    "There is a tuck shop and a games room.",
			    "Trips in the holidays are planned by the young people themselves."),
		.who = L("Young people aged 11 to 18.", "Young people aged 8 to 13."),
		.venues = venues_hall, .join = JOIN_TURN_UP, .paid_pct = 30, .costs = costs_session,
		.slots = SL_EVENING, .weekly_pct = 100,
	},
	{
		.code = "jobs", .town = 0, .weight = 15, .cats = L("learning", "money"),
		.names = L("{place} Job Club", "Work Ready, {place}", "CV and Interview Help, {place}"),
		.orgs = ORGS({ "{place} Learning Hub", "Free and low-cost learning for adults in {place}." },
			     { "{area} Employment Support", "Free help into work for people across {area}." }),
		.open = L("Help finding work: CVs, applications, interviews and confidence.",
			  "A friendly job club {when} with computers, advisers and the local vacancies."),
		.detail = L("One-to-one support is available for people with health conditions.",
			    "We can help with the cost of travel to interviews.",
			    "Local employers come in to talk about their vacancies."),
		.who = L("Adults looking for work, or for a better job.", "Anyone out of work, whether or not they claim benefits."),
		.venues = venues_office, .join = JOIN_TURN_UP, .join_other_pct = 40, .join_other = JOIN_SELF_REFER,
		.online_pct = 30, .slots = SL_MORNING | SL_AFTERNOON, .weekly_pct = 100, .min_age = 16,
	},
	{
		.code = "esol", .town = 0, .weight = 10, .cats = L("learning"),
		.names = L("English Conversation Club, {place}", "ESOL Classes, {place}", "{place} Language Café"),
		.orgs = ORGS({ "{place} Learning Hub", "Free and low-cost learning for adults in {place}." },
			     { "{area} Welcome Network", "Friendship and practical help for people new to {area}." }),
		.open = L("Practise your English in a friendly, relaxed group.",
			  "English classes for speakers of other languages, from beginners to advanced.",
			  "A conversation club {when} for people learning English."),
		.detail = L("Volunteers also help with letters, forms and finding your way around services.",
			    "Childcare is available for some sessions.",
			    "Classes lead to a recognised qualification if you want one."),
		.who = L("Adults whose first language is not English.", "Anyone who wants to improve their spoken English."),
		.venues = venues_hall, .join = JOIN_TURN_UP, .join_other_pct = 50, .join_other = JOIN_SELF_REFER,
		.slots = SL_MORNING | SL_EVENING, .weekly_pct = 100, .min_age = 16,
	},
	{
		.code = "counselling", .town = 0, .weight = 15, .cats = L("mental-wellbeing"),
		.conds = L("mental-health"), .cond_pct = 40,
		.names = L("{place} Counselling Service", "Low-cost Counselling, {place}", "Bereavement Support, {place}"),
		.orgs = ORGS(ORG_MIND, { "{place} Counselling Centre", "Affordable counselling for adults in {place}." }),
		.open = L("One-to-one counselling with a qualified counsellor, for up to twelve weeks.",
			  "Space to talk through loss, worry or low mood with someone trained to listen."),
		.detail = L("Fees are on a sliding scale, and nobody is turned away for lack of money.",
			    "Sessions can be in person, by video or by phone.",
			    "The waiting list is usually a few weeks."),
		.who = L("Adults who would like to talk something through in confidence.", "Anyone who has lost someone close to them."),
		.venues = venues_office, .join = JOIN_SELF_REFER, .join_other_pct = 30, .join_other = JOIN_REFERRAL,
		.paid_pct = 40, .costs = costs_session, .online_pct = 70, .slots = SL_OFFICE | SL_EVENING,
		.weekly_pct = 100, .min_age = 18,
	},
	{
		.code = "volunteer", .town = 0, .weight = 10, .cats = L("practical-help"),
		.names = L("{place} Volunteer Centre", "Volunteering Drop-in, {place}"),
		.orgs = ORGS({ "{area} Volunteer Centre", "Helping people in {area} find volunteering that suits them." }),
		.open = L("Find volunteering that suits you, from a few hours a year to a few days a week.",
			  "Drop in {when} to talk about volunteering with local groups."),
		.detail = L("Volunteering can help with confidence, skills and getting back to work.",
			    "We can support you through your first weeks.",
			    "Expenses are paid by most of the groups we work with."),
		.who = L("Anyone over 16 who would like to volunteer.", "Adults looking for something worthwhile to do."),
		.venues = venues_office, .join = JOIN_TURN_UP, .join_other_pct = 40, .join_other = JOIN_SELF_REFER,
		.online_pct = 50, .slots = SL_OFFICE, .weekly_pct = 100, .min_age = 16,
	},
};

/* Sentences every kind may use, chosen by how people join. */
static const char *const join_lines[JOIN__MAX][5] = {
	[JOIN_UNKNOWN] = { "Get in touch to find out more.", NULL },
	[JOIN_TURN_UP] = { "There is no need to book: just come along.",
			   "Just turn up on the day; newcomers are always welcome.",
			   "Drop in at any time during the session.",
			   "You do not need to book, and you can come as often as you like.", NULL },
	[JOIN_SELF_REFER] = { "Please ring or email before your first visit so we can say hello.",
			      "Get in touch to book your place, as numbers are limited.",
			      "Contact us and we will talk you through what happens.", NULL },
	[JOIN_REFERRAL] = { "You need a referral from your GP, a link worker or another professional.",
			    "Ask your GP practice or social prescriber to refer you.",
			    "Referrals come from GPs, link workers, health visitors and advice services.", NULL },
};
static const char *const how_words[JOIN__MAX] = {
	[JOIN_UNKNOWN] = "Contact the organiser to find out how to join.",
	[JOIN_TURN_UP] = "Just turn up. You do not need to book.",
	[JOIN_SELF_REFER] = "Contact them by phone or email to book a place.",
	[JOIN_REFERRAL] = "Ask your GP, link worker or another professional to refer you.",
};
static const char *const peer_lines[] = {
	"The group is run by people with lived experience, so you will be among people who understand.",
	"Everyone who runs it has been through it themselves.",
	"It is run by its members, for its members.", NULL,
};
static const char *const online_lines[] = {
	"If you cannot get there, you can join by video call or phone.",
	"There is also a phone line for people who cannot get out.",
	"You can take part online too.", NULL,
};
static const char *const extra_lines[] = {   /* Zipf: the first ones are common */
	"Tea and coffee are always on.",
	"You are welcome to bring a friend or carer.",
	"The room is warm and quiet, with comfortable chairs.",
	"Parking is free, and the bus stops outside.",
	"Everyone is welcome, whatever their background.",
	"We are a small, informal group and we like it that way.",
	"There is a lift and an accessible toilet.",
	"Refreshments are provided by volunteers.",
	"New volunteers are always welcome too.",
	"It is a short walk from the bus station.", NULL,
};

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

static const struct slot *pick_slot(struct rng *r, unsigned groups)
{
	const struct slot *c[ARRAY_LEN(slots)];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_LEN(slots); i++)
		if (slots[i].group & groups)
			c[n++] = &slots[i];
	return n ? c[rng_below(r, n)] : &slots[0];
}

static void pick_when(struct rng *r, const struct kind *k, struct when *w)
{
	size_t x = rng_below(r, 100);
	unsigned groups = k->slots;

	memset(w, 0, sizeof(*w));
	w->wday2 = -1;
	if ((k->slots & SL_OFFICE) && (k->slots == SL_OFFICE || rng_pct(r, 60))) {
		w->kind = 3;
		w->slot = pick_slot(r, SL_OFFICE);
		return;
	}
	groups &= ~(unsigned)SL_OFFICE;
	w->wday = pick_weekday(r, k->weekends);
	w->slot = pick_slot(r, groups ? groups : SL_MORNING);
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
	int y, m, d;

	uk_date(uk_days(2026, 1, 5) + wday + (odd ? 7 : 0), &y, &m, &d);
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
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

static int find_cond_text(const char *code)
{
	for (size_t i = 0; i < ARRAY_LEN(cond_text); i++)
		if (strcmp(cond_text[i].code, code) == 0)
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
		buf_adds(b, pick(r, peer_lines));
	} else if (s->online && k->online_pct < 100 && rng_pct(r, 60)) {
		buf_addc(b, ' ');
		buf_adds(b, pick(r, online_lines));
	} else if (rng_pct(r, 45)) {
		buf_addc(b, ' ');
		buf_adds(b, extra_lines[rng_zipf(r, list_len(extra_lines))]);
	}
	if (rng_pct(r, 70)) {
		buf_addc(b, ' ');
		buf_adds(b, join_lines[s->join][rng_below(r, list_len(join_lines[s->join]))]);
	}
}

/* Makes every choice about a service. false when out of memory. */
static bool choose(const struct svc_in *in, struct svc *s)
{
	const struct kind *k = in->k;
	const struct place *pl = in->pl;
	const struct org_tmpl *cand[8], *ot;
	struct rng r;
	struct buf b;
	size_t norgs = 0;
	int y, m, d;
	char slugbuf[96];

	memset(s, 0, sizeof(*s));
	buf_init(&s->desc, 4096);
	s->cond = -1;
	rng_seed(&r, in->key);
	demo_uuid(in->id_key, s->id);

	/* When, first: names and sentences may mention the day. */
	pick_when(&r, k, &s->w);
	s->two_scheds = s->w.kind == 0 && s->w.wday2 < 0 && rng_pct(&r, 8);
	if (s->two_scheds) {
		unsigned groups = k->slots & ~(unsigned)SL_OFFICE;

		s->w2 = s->w;
		s->w2.wday = (s->w.wday + 2) % 5;
		s->w2.slot = pick_slot(&r, groups ? groups : SL_MORNING);
	}

	/* The condition it is about, if any. */
	if (k->conds && rng_pct(&r, k->cond_pct))
		s->cond = find_cond_text(pick(&r, k->conds));
	s->wd.cond = s->cond >= 0 ? cond_text[s->cond].phrase : "a long-term condition";
	s->wd.cond_title = s->cond >= 0 ? cond_text[s->cond].title : "Long-term Conditions";
	s->wd.place = pl->local;
	s->wd.area = pl->area;
	s->wd.town = pl->town;
	s->wd.valley = pl->valley;
	s->wd.saint = pick(&r, saints);
	s->wd.farm = pick(&r, farms);
	s->wd.day = day_name[s->w.wday];

	/* Where: the venue, its street and a postcode in the real sector. The
	 * unit letters are invented (so the full postcode may not exist);
	 * search works by sector, which is real. */
	snprintf(s->postcode, sizeof(s->postcode), "%s%c%c", pl->sector,
		 unit_letters[rng_below(&r, sizeof(unit_letters) - 1)],
		 unit_letters[rng_below(&r, sizeof(unit_letters) - 1)]);
	snprintf(s->street, sizeof(s->street), "%u %s", (unsigned)(1 + rng_below(&r, 140)),
		 pl->streets[pl->streets == uk_streets ? rng_zipf(&r, list_len(pl->streets))
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
	uk_date(in->today - 3 - (int64_t)rng_below(&r, 240), &y, &m, &d);
	snprintf(s->assured, sizeof(s->assured), "%04d-%02d-%02d", y, m, d);
	return true;
}

/* The place (and, online too, a virtual one beside it). */
static json_t *places_json(const struct svc *s, const struct kind *k, const struct place *pl,
			   struct rng *r)
{
	static const char *const step_free_words[] = {
		"Step-free access from the car park, and an accessible toilet.",
		"Level access throughout, with an accessible toilet and space for wheelchairs.",
		"Ramp at the main entrance for wheelchair users; the hall is on the ground floor.", NULL,
	};
	static const char *const steps_words[] = {
		"There are three steps at the entrance; ring ahead and we will help.",
		"The room is up one flight of stairs; there is no lift.", NULL,
	};
	char loc_id[37], sal_id[37], addr_id[37], acc_id[37];
	struct buf ab;
	json_t *acc, *loc, *sals;

	sub_uuid(s->id, "loc", loc_id);
	sub_uuid(s->id, "sal", sal_id);
	sub_uuid(s->id, "addr", addr_id);
	sub_uuid(s->id, "acc", acc_id);
	buf_init(&ab, 1024);
	buf_adds(&ab, pick(r, s->step_free ? step_free_words : steps_words));
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
	static const struct { const char *code, *name; int pct; } extra[] = {
		{ "pl", "Polish", 6 }, { "ur", "Urdu", 4 }, { "bsl", "British Sign Language", 3 },
		{ "pa", "Punjabi", 2 }, { "ro", "Romanian", 2 }, { "lt", "Lithuanian", 1 },
	};
	json_t *langs = json_array();
	char lid[37], what[16];

	sub_uuid(s->id, "lang:en", lid);
	json_array_append_new(langs, json_pack("{s:s, s:s, s:s, s:s}", "id", lid,
		"service_id", s->id, "name", "English", "code", "en"));
	for (size_t i = 0; i < ARRAY_LEN(extra); i++) {
		if (!rng_pct(r, extra[i].pct))
			continue;
		snprintf(what, sizeof(what), "lang:%s", extra[i].code);
		sub_uuid(s->id, what, lid);
		json_array_append_new(langs, json_pack("{s:s, s:s, s:s, s:s}", "id", lid,
			"service_id", s->id, "name", extra[i].name, "code", extra[i].code));
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
		int i = vocab_find(vocab_conditions, vocab_conditions_n, cond_text[s->cond].code);

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
	json_object_set_new(doc, "application_process", json_string(how_words[s.join]));
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
 * one, is off. directory_save needs no app (it keeps no per-process state;
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
	e = directory_save(NULL, db, doc, &so, &rep, &fields);
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

static bool town_places(struct town *t)
{
	char name[9];
	double lat, lon;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; postcode_sector_at(i, name, &lat, &lon); i++) {
		if (strncmp(name, "DN15 ", 5) != 0 && strncmp(name, "DN16 ", 5) != 0 &&
		    strncmp(name, "DN17 ", 5) != 0)
			continue;
		for (size_t j = 0; j < ARRAY_LEN(town_sectors); j++) {
			struct place *pl;

			if (strcmp(town_sectors[j].sector, name) != 0 || t->n == TOWN_MAX_SECTORS)
				continue;
			pl = &t->places[t->n];
			str_copy(pl->sector, sizeof(pl->sector), name);
			pl->lat = lat;
			pl->lon = lon;
			str_copy(pl->local, sizeof(pl->local), town_sectors[j].local);
			str_copy(pl->town, sizeof(pl->town), TOWN_NAME);
			str_copy(pl->area, sizeof(pl->area), TOWN_AREA);
			str_copy(pl->county, sizeof(pl->county), TOWN_COUNTY);
			str_copy(pl->valley, sizeof(pl->valley), TOWN_VALLEY);
			pl->streets = town_sectors[j].streets;
			pl->village = town_sectors[j].village;
			t->weights[t->n] = town_sectors[j].weight;
			t->total += town_sectors[j].weight;
			t->n++;
		}
	}
	return t->n > 0;
}

/* Names already given in the town: two services of one name would be
 * flagged as likely duplicates. */
struct nameset {
	char **v;
	size_t n, cap;
};

static bool nameset_has(const struct nameset *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return true;
	return false;
}

static bool nameset_add(struct nameset *s, const char *name)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		char **v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return false;
		s->v = v;
		s->cap = cap;
	}
	if (!(s->v[s->n] = strdup(name)))
		return false;
	s->n++;
	return true;
}

static void nameset_free(struct nameset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* How many of the town's walks the demo organiser's organisation runs. */
#define DEMO_ORG_WALKS 6

static enum err demo_town(struct db *db, const struct demo_opts *opts, int64_t today,
			  struct tally *t, size_t *n_out)
{
	struct town town;
	struct nameset names = { 0 };
	enum err e = ERR_OK;
	size_t n = 0;

	if (!town_places(&town))
		return ERR_INTERNAL;
	for (size_t ki = 0; ki < ARRAY_LEN(kinds) && e == ERR_OK; ki++) {
		const struct kind *k = &kinds[ki];

		for (int i = 0; i < k->town && e == ERR_OK; i++) {
			char key[64], *name = NULL;
			struct svc_in in = { .k = k, .today = today };
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
				in.org_name = "Kith Town Walking for Health";
				in.org_desc = "Free, friendly health walks around Scunthorpe, led by trained volunteers.";
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
					return ERR_NOMEM;
				}
				if (!nameset_has(&names, name))
					break;
				json_decref(doc);
				doc = NULL;
				free(name);
				name = NULL;
			}
			if (!doc) {
				fprintf(stderr, "kith: no unused name for demo service %s\n", key);
				return ERR_INTERNAL;
			}
			if (!nameset_add(&names, name))
				e = ERR_NOMEM;
			if (e == ERR_OK)
				e = save(db, doc, opts, t, in.key);
			json_decref(doc);
			free(name);
			n++;
		}
	}
	nameset_free(&names);
	*n_out = n;
	return e;
}

/* ---------------------------------------------------------------- synthetic */

static const struct kind *pick_kind(struct rng *r)
{
	int total = 0, x;

	for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
		total += kinds[i].weight;
	x = (int)rng_below(r, (size_t)total);
	for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
		if (x < kinds[i].weight)
			return &kinds[i];
		x -= kinds[i].weight;
	}
	return &kinds[0];
}

static enum err demo_synthetic(struct db *db, const struct demo_opts *opts, int64_t today,
			       struct tally *t)
{
	size_t nsectors = postcode_sector_count();
	enum err e = ERR_OK;

	if (nsectors == 0)
		return ERR_INTERNAL;
	for (long i = 0; i < opts->services && e == ERR_OK; i++) {
		char key[48];
		struct rng r;
		struct place pl;
		struct svc_in in = { .today = today };
		json_t *doc;

		snprintf(key, sizeof(key), "synthetic:%ld", i);
		rng_seed(&r, key);
		/* Uniform over the sectors that can hold a postcode. */
		for (int tries = 0; !synthetic_place(rng_below(&r, nsectors), &pl); tries++)
			if (tries == 100)
				return ERR_INTERNAL;
		in.id_key = key;
		in.key = key;
		in.synthetic = true;
		in.k = pick_kind(&r);
		in.pl = &pl;
		doc = build_service(&in, NULL);
		e = save(db, doc, opts, t, key);
		json_decref(doc);
	}
	return e;
}

/* ---------------------------------------------------------------- the hook */

static enum err demo(struct db *db, const struct demo_opts *opts)
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
	if ((e = demo_town(db, opts, today, &town, &n)) != ERR_OK)
		return e;
	if (opts->out)
		fprintf(opts->out, "\nDirectory: %zu services in " TOWN_NAME " (DN15, DN16, DN17): "
			"%zu new, %zu updated, %zu unchanged.\n", n, town.created, town.updated, town.unchanged);
	if (opts->services > 0) {
		if ((e = demo_synthetic(db, opts, today, &synth)) != ERR_OK)
			return e;
		if (opts->out)
			fprintf(opts->out, "Directory: %ld synthetic services across the UK: %zu new, "
				"%zu updated, %zu unchanged (%.1f s).\n", opts->services, synth.created,
				synth.updated, synth.unchanged, (double)(time_mono_us() - t0) / 1e6);
	}
	return ERR_OK;
}

const struct feature directory_demo_feature = {
	.name = "directory-demo",
	.demo = demo,
};
