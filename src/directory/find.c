/*
 * find.c - /find's query parameters, in and out.
 *
 * Reading is forgiving: a person who edits the address bar, or follows an
 * old link after a vocabulary gained an entry, gets the search with what
 * can be understood and a note, never an error page. Writing is canonical
 * (fixed parameter order, defaults left out) so every link to one search
 * is one URL, and reading what was written gives back the same params.
 */
#include "core/common.h"
#include "core/str.h"
#include "directory/find.h"
#include "directory/vocab.h"

const char *const find_day_codes[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
const char *const find_day_names[7] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
};
const char *const find_part_codes[FIND_PARTS] = { "morning", "afternoon", "evening" };
const char *const find_part_names[FIND_PARTS] = {
	"Morning (before 12pm)", "Afternoon (12pm to 5pm)", "Evening (after 5pm)",
};
const char *const find_sort_codes[FIND_SORT__MAX] = {
	[FIND_SORT_AUTO] = "", [FIND_SORT_RELEVANCE] = "relevance",
	[FIND_SORT_DISTANCE] = "distance", [FIND_SORT_NEXT] = "next", [FIND_SORT_NAME] = "name",
};

/* Length of the UTF-8 sequence starting with byte c (1 for anything that
 * does not start one: the text was checked clean before). */
static size_t utf8_len(unsigned char c)
{
	if (c >= 0xf0)
		return 4;
	if (c >= 0xe0)
		return 3;
	if (c >= 0xc0)
		return 2;
	return 1;
}

/* Copies s into out (size cap+1): spaces, tabs and line breaks at the ends
 * dropped and runs of them made one space, other control characters
 * dropped, cut at a character boundary. Returns true when it had to cut.
 * Text that is not clean UTF-8 is refused (out = "") and *bad set. */
static bool copy_line(const char *s, size_t n, char *out, size_t cap, bool *bad)
{
	size_t o = 0, i = 0;
	bool space = false, cut = false;

	out[0] = '\0';
	if (!str_is_clean_utf8(s, n)) {
		*bad = true;
		return false;
	}
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t l;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			space = o > 0;
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			i++;
			continue;
		}
		l = utf8_len(c);
		if (l > n - i)
			l = n - i;
		if (o + (space ? 1 : 0) + l > cap) {
			cut = true;
			break;
		}
		if (space)
			out[o++] = ' ';
		space = false;
		memcpy(out + o, s + i, l);
		o += l;
		i += l;
	}
	out[o] = '\0';
	return cut;
}

static bool truthy(const char *v)
{
	return v && (strcmp(v, "1") == 0 || strcmp(v, "on") == 0 || strcmp(v, "true") == 0 ||
		     strcmp(v, "yes") == 0);
}

static int code_index(const char *const *codes, size_t n, const char *v)
{
	for (size_t i = 0; i < n; i++)
		if (codes[i] && codes[i][0] && strcmp(codes[i], v) == 0)
			return (int)i;
	return -1;
}

void find_parse(const struct kvlist *q, struct find_params *out)
{
	bool seen_q = false, seen_pc = false, seen_attend = false, seen_sort = false;
	bool seen_miles = false, seen_page = false;

	memset(out, 0, sizeof(*out));
	out->page = 1;
	if (!q)
		return;
	for (size_t i = 0; i < q->n; i++) {
		const struct kv *kv = &q->v[i];
		const char *n = kv->name, *v = kv->val;
		bool bad = false;
		int k;

		if (!n || !v)
			continue;
		/* A value with a NUL inside is not what it claims to be. */
		if (strlen(v) != kv->vlen) {
			out->notes |= FIND_NOTE_IGNORED;
			continue;
		}
		if (strcmp(n, "q") == 0) {
			if (seen_q)
				continue;
			seen_q = true;
			if (copy_line(v, kv->vlen, out->text, FIND_TEXT_MAX, &bad))
				out->notes |= FIND_NOTE_TEXT_CUT;
		} else if (strcmp(n, "postcode") == 0) {
			if (seen_pc)
				continue;
			seen_pc = true;
			/* A longer "postcode" is cut; locating it then fails
			 * and the person is told to check it. */
			copy_line(v, kv->vlen, out->postcode, FIND_POSTCODE_MAX, &bad);
		} else if (strcmp(n, "category") == 0) {
			if ((k = vocab_find(vocab_categories, vocab_categories_n, v)) >= 0 && k < 64)
				out->categories |= UINT64_C(1) << k;
			else
				bad = v[0] != '\0';
		} else if (strcmp(n, "condition") == 0) {
			if ((k = vocab_find(vocab_conditions, vocab_conditions_n, v)) >= 0 && k < 64)
				out->conditions |= UINT64_C(1) << k;
			else
				bad = v[0] != '\0';
		} else if (strcmp(n, "language") == 0) {
			if ((k = vocab_find(vocab_languages, vocab_languages_n, v)) >= 0 && k < 32)
				out->languages |= UINT32_C(1) << k;
			else
				bad = v[0] != '\0';
		} else if (strcmp(n, "day") == 0) {
			if ((k = code_index(find_day_codes, 7, v)) >= 0)
				out->days |= (uint8_t)(1u << k);
			else if (strcmp(v, "weekdays") == 0)
				out->days |= FIND_WEEKDAYS;
			else
				bad = v[0] != '\0';
		} else if (strcmp(n, "time") == 0) {
			if ((k = code_index(find_part_codes, FIND_PARTS, v)) >= 0)
				out->parts |= (uint8_t)(1u << k);
			else
				bad = v[0] != '\0';
		} else if (strcmp(n, "free") == 0) {
			out->free = out->free || truthy(v);
		} else if (strcmp(n, "step_free") == 0) {
			out->step_free = out->step_free || truthy(v);
		} else if (strcmp(n, "peer_led") == 0) {
			out->peer_led = out->peer_led || truthy(v);
		} else if (strcmp(n, "turn_up") == 0) {
			out->turn_up = out->turn_up || truthy(v);
		} else if (strcmp(n, "attend") == 0) {
			if (seen_attend)
				continue;
			seen_attend = true;
			if (strcmp(v, "in-person") == 0)
				out->attend = FIND_ATTEND_IN_PERSON;
			else if (strcmp(v, "online") == 0)
				out->attend = FIND_ATTEND_ONLINE;
			else
				bad = v[0] != '\0' && strcmp(v, "any") != 0;
		} else if (strcmp(n, "sort") == 0) {
			if (seen_sort)
				continue;
			seen_sort = true;
			if ((k = code_index(find_sort_codes, FIND_SORT__MAX, v)) >= 0)
				out->sort = (enum find_sort)k;
			else
				bad = v[0] != '\0';
		} else if (strcmp(n, "miles") == 0) {
			int64_t m;

			if (seen_miles)
				continue;
			seen_miles = true;
			if (str_to_i64(str_c(v), 1, FIND_MILES_MAX, &m))
				out->miles = (int)m;
			else
				bad = v[0] != '\0';
		} else if (strcmp(n, "page") == 0) {
			int64_t pg;

			if (seen_page)
				continue;
			seen_page = true;
			if (str_to_i64(str_c(v), 1, FIND_PAGE_MAX, &pg))
				out->page = (int)pg;
			else
				bad = v[0] != '\0';
		}
		/* Other names (utm_source, a form's button) are not ours:
		 * ignored without a note. */
		if (bad)
			out->notes |= FIND_NOTE_IGNORED;
	}
}

enum search_sort find_sort_for(const struct find_params *p, bool near)
{
	bool words = p->text[0] != '\0';

	switch (p->sort) {
	case FIND_SORT_RELEVANCE:
		if (words)
			return SORT_RELEVANCE;
		break;
	case FIND_SORT_DISTANCE:
		if (near)
			return SORT_DISTANCE;
		break;
	case FIND_SORT_NEXT:
		return SORT_NEXT;
	case FIND_SORT_NAME:
		return SORT_NAME;
	case FIND_SORT_AUTO:
	case FIND_SORT__MAX:
		break;
	}
	/* Words first: "walk" near DN15 should put walking groups before a
	 * food bank "a short walk from the bus station", and the radius
	 * keeps them all near. */
	if (words)
		return SORT_RELEVANCE;
	return near ? SORT_DISTANCE : SORT_NAME;
}

int find_miles(const struct find_params *p, int default_miles)
{
	if (p->miles >= 1 && p->miles <= FIND_MILES_MAX)
		return p->miles;
	return default_miles;
}

void find_query(const struct find_params *p, bool near, struct search_query *q)
{
	uint32_t daytime = 0;

	q->text = p->text[0] ? p->text : NULL;
	q->categories_any = p->categories;
	q->conditions_any = p->conditions;
	q->languages_any = p->languages;
	q->flags_all = 0;
	if (p->free)
		q->flags_all |= SF_FREE;
	if (p->step_free)
		q->flags_all |= SF_WHEELCHAIR;
	if (p->peer_led)
		q->flags_all |= SF_PEER_LED;
	if (p->turn_up)
		q->flags_all |= SF_TURN_UP;
	if (p->attend == FIND_ATTEND_IN_PERSON)
		q->flags_all |= SF_IN_PERSON;
	else if (p->attend == FIND_ATTEND_ONLINE)
		q->flags_all |= SF_ONLINE;
	/* Days and times: a day alone is all of that day, a time alone is
	 * that part of every day, both together are those parts of those
	 * days (schedule.h: bit day * 3 + part). */
	if (p->days || p->parts) {
		unsigned days = p->days ? p->days : 0x7f, parts = p->parts ? p->parts : 0x7;

		for (int d = 0; d < 7; d++)
			for (int t = 0; t < FIND_PARTS; t++)
				if ((days & (1u << d)) && (parts & (1u << t)))
					daytime |= UINT32_C(1) << (d * 3 + t);
	}
	q->daytime_any = daytime;
	q->sort = find_sort_for(p, near);
	q->offset = (size_t)(p->page > 0 ? p->page - 1 : 0) * FIND_PER_PAGE;
	q->limit = FIND_PER_PAGE;
	q->facets = true;
}

size_t find_nfilters(const struct find_params *p)
{
	size_t n = 0;

	n += (size_t)__builtin_popcountll(p->categories);
	n += (size_t)__builtin_popcountll(p->conditions);
	n += (size_t)__builtin_popcount(p->languages);
	n += (size_t)__builtin_popcount(p->days);
	n += (size_t)__builtin_popcount(p->parts);
	n += p->free + p->step_free + p->peer_led + p->turn_up;
	n += p->attend != FIND_ATTEND_ANY;
	return n;
}

bool find_any(const struct find_params *p)
{
	return p->text[0] || p->postcode[0] || find_nfilters(p) > 0;
}

/* Appends "&name=value" (or "?name=value" first), value percent-encoded
 * (unreserved characters as they are, space as "+"). */
static void add_param(struct buf *out, bool *first, const char *name, const char *v)
{
	static const char hex[] = "0123456789ABCDEF";

	buf_addc(out, *first ? '?' : '&');
	*first = false;
	buf_adds(out, name);
	buf_addc(out, '=');
	for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.' || *c == '~') {
			buf_addc(out, (char)*c);
		} else if (*c == ' ') {
			buf_addc(out, '+');
		} else {
			buf_addc(out, '%');
			buf_addc(out, hex[*c >> 4]);
			buf_addc(out, hex[*c & 15]);
		}
	}
}

bool find_href(const char *path, const struct find_params *p, struct buf *out)
{
	bool first = true;
	char num[24];

	buf_adds(out, path);
	if (p->text[0])
		add_param(out, &first, "q", p->text);
	if (p->postcode[0])
		add_param(out, &first, "postcode", p->postcode);
	for (size_t i = 0; i < vocab_categories_n && i < 64; i++)
		if (p->categories & (UINT64_C(1) << i))
			add_param(out, &first, "category", vocab_categories[i].code);
	for (size_t i = 0; i < vocab_conditions_n && i < 64; i++)
		if (p->conditions & (UINT64_C(1) << i))
			add_param(out, &first, "condition", vocab_conditions[i].code);
	for (size_t i = 0; i < vocab_languages_n && i < 32; i++)
		if (p->languages & (UINT32_C(1) << i))
			add_param(out, &first, "language", vocab_languages[i].code);
	for (int d = 0; d < 7; d++)
		if (p->days & (1u << d))
			add_param(out, &first, "day", find_day_codes[d]);
	for (int t = 0; t < FIND_PARTS; t++)
		if (p->parts & (1u << t))
			add_param(out, &first, "time", find_part_codes[t]);
	if (p->free)
		add_param(out, &first, "free", "1");
	if (p->step_free)
		add_param(out, &first, "step_free", "1");
	if (p->peer_led)
		add_param(out, &first, "peer_led", "1");
	if (p->turn_up)
		add_param(out, &first, "turn_up", "1");
	if (p->attend == FIND_ATTEND_IN_PERSON)
		add_param(out, &first, "attend", "in-person");
	else if (p->attend == FIND_ATTEND_ONLINE)
		add_param(out, &first, "attend", "online");
	if (p->sort > FIND_SORT_AUTO && p->sort < FIND_SORT__MAX)
		add_param(out, &first, "sort", find_sort_codes[p->sort]);
	if (p->miles >= 1 && p->miles <= FIND_MILES_MAX) {
		snprintf(num, sizeof(num), "%d", p->miles);
		add_param(out, &first, "miles", num);
	}
	if (p->page > 1) {
		snprintf(num, sizeof(num), "%d", p->page);
		add_param(out, &first, "page", num);
	}
	return buf_ok(out);
}
