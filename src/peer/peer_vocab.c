/*
 * peer_vocab.c - the words of peer support (peer.h): topics a peer can
 * talk about, what someone would like, ways of meeting, days and parts of
 * the day, DBS levels; and the sets of them in words. Conditions and
 * languages are the directory's (directory/vocab.h), so a person finds a
 * COPD group and a peer who lives with COPD by the same word.
 *
 * Terms are stored as bits by their place in these tables: add new terms
 * at the end, never reorder.
 */
#include "core/common.h"
#include "core/buf.h"
#include "core/str.h"
#include "directory/vocab.h"
#include "peer/peer_int.h"

#include <stdio.h>

const struct vocab_term peer_topics[] = {
	{ "new-diagnosis", "A new diagnosis", NULL, NULL },
	{ "breathlessness", "Breathlessness", NULL, NULL },
	{ "pain", "Living with pain", NULL, NULL },
	{ "tiredness", "Tiredness and fatigue", NULL, NULL },
	{ "medication", "Medicines and treatment", NULL, NULL },
	{ "work", "Work", NULL, NULL },
	{ "benefits", "Money and benefits", NULL, NULL },
	{ "caring", "Caring for someone", NULL, NULL },
	{ "bereavement", "Bereavement", NULL, NULL },
	{ "loneliness", "Feeling lonely", NULL, NULL },
	{ "getting-active", "Getting active", NULL, NULL },
	{ "mood", "Low mood and worry", NULL, NULL },
	{ "hospital", "Going into or leaving hospital", NULL, NULL },
};
const size_t peer_topics_n = ARRAY_LEN(peer_topics);

const struct vocab_term peer_wants[] = {
	{ "talk", "Someone to talk to", NULL, NULL },
	{ "tips", "Practical tips", NULL, NULL },
	{ "walking", "A walking buddy", NULL, NULL },
	{ "going-along", "Someone to go along with me to a group", NULL, NULL },
};
const size_t peer_wants_n = ARRAY_LEN(peer_wants);

const struct vocab_term peer_ways[MATCH_WAY__MAX] = {
	[MATCH_PHONE] = { "phone", "By phone", NULL, NULL },
	[MATCH_VIDEO] = { "video", "By video call", NULL, NULL },
	[MATCH_MESSAGE] = { "message", "By messages on kith", NULL, NULL },
	[MATCH_IN_PERSON] = { "in_person", "In person, in a public place", NULL, NULL },
};

const struct vocab_term peer_parts[3] = {
	{ "morning", "Mornings", NULL, NULL },
	{ "afternoon", "Afternoons", NULL, NULL },
	{ "evening", "Evenings", NULL, NULL },
};

const struct vocab_term peer_days[7] = {
	{ "mon", "Monday", NULL, NULL },
	{ "tue", "Tuesday", NULL, NULL },
	{ "wed", "Wednesday", NULL, NULL },
	{ "thu", "Thursday", NULL, NULL },
	{ "fri", "Friday", NULL, NULL },
	{ "sat", "Saturday", NULL, NULL },
	{ "sun", "Sunday", NULL, NULL },
};

const struct vocab_term peer_dbs_levels[3] = {
	{ "basic", "Basic", NULL, NULL },
	{ "standard", "Standard", NULL, NULL },
	{ "enhanced", "Enhanced", NULL, NULL },
};

/* "a, b and c" of the chosen names, in the arena. */
static const char *listed(struct arena *a, const char *const *names, size_t n, const char *none)
{
	struct buf b;
	const char *s;

	if (n == 0)
		return none;
	buf_init(&b, 4096);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_adds(&b, i + 1 == n ? " and " : ", ");
		buf_adds(&b, names[i]);
	}
	s = buf_ok(&b) ? arena_strndup(a, b.p, b.len) : NULL;
	buf_release(&b);
	return s ? s : none;
}

const char *peer_terms_words(struct arena *a, const struct vocab_term *t, size_t n, uint64_t bits)
{
	const char *names[64];
	size_t k = 0;

	for (size_t i = 0; i < n && i < 64; i++)
		if (bits & (UINT64_C(1) << i))
			names[k++] = t[i].name;
	return listed(a, names, k, "");
}

const char *peer_ways_words(struct arena *a, unsigned ways)
{
	static const char *const phrase[MATCH_WAY__MAX] = {
		[MATCH_PHONE] = "by phone", [MATCH_VIDEO] = "by video call",
		[MATCH_MESSAGE] = "by messages on kith", [MATCH_IN_PERSON] = "in person",
	};
	const char *names[MATCH_WAY__MAX];
	char *s;
	size_t k = 0;

	for (int w = 0; w < MATCH_WAY__MAX; w++)
		if (ways & MATCH_WAY_BIT(w))
			names[k++] = phrase[w];
	if (k == 0)
		return "Not said";
	s = arena_strdup(a, listed(a, names, k, ""));
	if (s && s[0] >= 'a' && s[0] <= 'z')
		s[0] = (char)(s[0] - 'a' + 'A');
	return s ? s : "";
}

uint32_t peer_slots(unsigned days, unsigned parts)
{
	uint32_t s = 0;

	if (!days)
		days = 0x7f;
	if (!parts)
		parts = 0x7;
	if (days == 0x7f && parts == 0x7)
		return 0;
	for (int d = 0; d < 7; d++)
		for (int p = 0; p < 3; p++)
			if ((days & (1u << d)) && (parts & (1u << p)))
				s |= MATCH_SLOT(d, p);
	return s;
}

void peer_slots_split(uint32_t slots, unsigned *days, unsigned *parts)
{
	*days = *parts = 0;
	for (int d = 0; d < 7; d++)
		for (int p = 0; p < 3; p++)
			if (slots & MATCH_SLOT(d, p)) {
				*days |= 1u << d;
				*parts |= 1u << p;
			}
}

const char *peer_slots_words(struct arena *a, uint32_t slots)
{
	const char *dn[7], *pn[3], *days, *parts;
	unsigned dbits, pbits;
	size_t nd = 0, np = 0;

	if (!slots || slots == MATCH_SLOTS_ALL)
		return "Any time";
	peer_slots_split(slots, &dbits, &pbits);
	for (int d = 0; d < 7; d++)
		if (dbits & (1u << d))
			dn[nd++] = peer_days[d].name;
	for (int p = 0; p < 3; p++)
		if (pbits & (1u << p))
			pn[np++] = peer_parts[p].name;
	days = dbits == 0x7f ? "Any day" : dbits == 0x1f ? "Weekdays" : dbits == 0x60 ? "Weekends" :
	       listed(a, dn, nd, "");
	parts = pbits == 0x7 ? "any time of day" : listed(a, pn, np, "");
	if (pbits != 0x7) {
		/* "Mornings and Evenings" -> "mornings and evenings" */
		char *low = arena_strdup(a, parts);

		for (char *c = low; c && *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		parts = low ? low : parts;
	}
	return arena_printf(a, "%s, %s", days, parts);
}

/* Conditions as they read after "both live with": the directory's
 * names are headings ("Heart conditions"). A code not here keeps its
 * heading. */
static const struct vocab_term condition_phrases[] = {
	{ "copd", "COPD", NULL, NULL },
	{ "asthma", "asthma", NULL, NULL },
	{ "diabetes", "diabetes", NULL, NULL },
	{ "heart", "a heart condition", NULL, NULL },
	{ "stroke", "the effects of a stroke", NULL, NULL },
	{ "cancer", "cancer", NULL, NULL },
	{ "arthritis", "arthritis", NULL, NULL },
	{ "chronic-pain", "long-term pain", NULL, NULL },
	{ "dementia", "dementia", NULL, NULL },
	{ "mental-health", "a mental health condition", NULL, NULL },
	{ "parkinsons", "Parkinson's", NULL, NULL },
	{ "ms", "MS", NULL, NULL },
	{ "long-covid", "long COVID", NULL, NULL },
	{ "sight-loss", "sight loss", NULL, NULL },
	{ "hearing-loss", "hearing loss", NULL, NULL },
	{ "learning-disability", "a learning disability", NULL, NULL },
	{ "autism", "autism", NULL, NULL },
	{ "kidney", "kidney disease", NULL, NULL },
	{ "frailty", "frailty", NULL, NULL },
};

static const char *condition_phrase(const struct vocab_term *t)
{
	int i = vocab_find(condition_phrases, ARRAY_LEN(condition_phrases), t->code);

	return i >= 0 ? condition_phrases[i].name : t->name;
}

const char *peer_lower_first(struct arena *a, const char *s)
{
	char *c = s ? arena_strdup(a, s) : NULL;

	/* "Someone to talk to" -> "someone to talk to"; "COPD" stays. */
	if (c && c[0] >= 'A' && c[0] <= 'Z' && !(c[1] >= 'A' && c[1] <= 'Z'))
		c[0] = (char)(c[0] - 'A' + 'a');
	return c ? c : "";
}

const char *peer_minutes_words(struct arena *a, int64_t minutes)
{
	int64_t h = minutes / 60, m = minutes % 60;

	if (h == 0)
		return arena_printf(a, "%lld minute%s", (long long)m, m == 1 ? "" : "s");
	if (m == 0)
		return arena_printf(a, "%lld hour%s", (long long)h, h == 1 ? "" : "s");
	return arena_printf(a, "%lld hour%s %lld minute%s", (long long)h, h == 1 ? "" : "s", (long long)m,
			    m == 1 ? "" : "s");
}

const char *peer_state_words(enum peer_state s)
{
	static const char *const w[PEER_STATE__MAX] = {
		"Applied: waiting for checks", "Approved", "Paused", "Stood down",
	};
	return (unsigned)s < PEER_STATE__MAX ? w[s] : "";
}

const char *peer_match_state_words(enum peer_match_state s)
{
	static const char *const w[PM__MAX] = {
		"Offered: waiting for an answer", "Matched", "Said no", "The offer ran out",
		"The offer went to someone else", "Ended",
	};
	return (unsigned)s < PM__MAX ? w[s] : "";
}

const struct match_names *peer_match_names(void)
{
	static const char *conditions[VOCAB_MAX], *topics[64], *languages[VOCAB_MAX];
	static char topic_words[64][48];
	static struct match_names names;
	static int done;

	/* Filled once; the tables are constant, so two threads filling it
	 * at the same time write the same values. */
	if (!__atomic_load_n(&done, __ATOMIC_ACQUIRE)) {
		for (size_t i = 0; i < vocab_conditions_n && i < VOCAB_MAX; i++)
			conditions[i] = condition_phrase(&vocab_conditions[i]);
		for (size_t i = 0; i < peer_topics_n && i < 64; i++)
		{
			/* Mid-sentence: "can talk about work" */
			str_copy(topic_words[i], sizeof(topic_words[i]), peer_topics[i].name);
			if (topic_words[i][0] >= 'A' && topic_words[i][0] <= 'Z')
				topic_words[i][0] = (char)(topic_words[i][0] - 'A' + 'a');
			topics[i] = topic_words[i];
		}
		for (size_t i = 0; i < vocab_languages_n && i < VOCAB_MAX; i++)
			languages[i] = vocab_languages[i].name;
		names = (struct match_names){ conditions, vocab_conditions_n, topics, peer_topics_n,
					      languages, vocab_languages_n };
		__atomic_store_n(&done, 1, __ATOMIC_RELEASE);
	}
	return &names;
}

/* ---------------------------------------------------------------- states */

static const char *const state_names[PEER_STATE__MAX] = {
	"applied", "approved", "paused", "stood_down",
};
static const char *const check_names[PEER_CHECK__MAX] = {
	"identity", "reference", "training", "dbs",
};
static const char *const request_names[PREQ__MAX] = {
	"waiting", "offered", "matched", "ended", "withdrawn",
};
static const char *const match_names[PM__MAX] = {
	"offered", "accepted", "declined", "expired", "withdrawn", "ended",
};

static int find_name(const char *const *t, int n, const char *s)
{
	for (int i = 0; s && i < n; i++)
		if (strcmp(t[i], s) == 0)
			return i;
	return -1;
}

const char *peer_state_name(enum peer_state s)
{
	return (unsigned)s < PEER_STATE__MAX ? state_names[s] : "applied";
}

bool peer_state_parse(const char *s, enum peer_state *out)
{
	int i = find_name(state_names, PEER_STATE__MAX, s);

	if (i >= 0)
		*out = (enum peer_state)i;
	return i >= 0;
}

const char *peer_check_name(enum peer_check_kind k)
{
	return (unsigned)k < PEER_CHECK__MAX ? check_names[k] : "identity";
}

bool peer_check_parse(const char *s, enum peer_check_kind *out)
{
	int i = find_name(check_names, PEER_CHECK__MAX, s);

	if (i >= 0)
		*out = (enum peer_check_kind)i;
	return i >= 0;
}

const char *peer_request_state_name(enum peer_request_state s)
{
	return (unsigned)s < PREQ__MAX ? request_names[s] : "waiting";
}

const char *peer_match_state_name(enum peer_match_state s)
{
	return (unsigned)s < PM__MAX ? match_names[s] : "offered";
}

/* Parsing a state read back from the database (the CHECK constraints
 * keep them to these). */
int peer_request_state_parse(const char *s)
{
	return find_name(request_names, PREQ__MAX, s);
}

int peer_match_state_parse(const char *s)
{
	return find_name(match_names, PM__MAX, s);
}

enum match_tier peer_tier_of(int identity, int references, int training, int dbs)
{
	if (identity <= 0)
		return MATCH_TIER_NONE;
	if (references < 2 || training <= 0)
		return MATCH_TIER_IDENTITY;
	return dbs > 0 ? MATCH_TIER_DBS : MATCH_TIER_TRAINED;
}

const char *peer_tier_words(enum match_tier t)
{
	switch (t) {
	case MATCH_TIER_IDENTITY: return "Identity checked: messages on kith only";
	case MATCH_TIER_TRAINED: return "Trained: phone, video and messages";
	case MATCH_TIER_DBS: return "DBS checked: in person too";
	default: return "Not checked yet: cannot be offered anyone";
	}
}
