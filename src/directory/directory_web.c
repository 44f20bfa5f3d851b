/*
 * directory_web.c - the directory's public pages: /find (search by words,
 * postcode and filters), a service, an organisation.
 *
 * /find is a GET form that works without JavaScript: the results page is
 * the same URL with parameters (find.c reads them and writes the links
 * back), so a search can be bookmarked, shared and reloaded. A postcode
 * is located from the centroids shipped in the binary (postcode.h), a
 * town or village from the directory's own addresses (directory_locate);
 * one that cannot be located is a 422 with the message by the postcode box
 * and what was typed kept, never an empty list. Filters show how many
 * results each would give (search_facets); an option that would give
 * none is left out unless it is ticked, in every group alike, so a
 * person on a small screen reads only choices that lead somewhere.
 *
 * A service or organisation page only reads (a GET in the dispatcher's
 * read transaction) and answers Accept: application/json with the same
 * object. Drafts and archived services are 404 to everyone but the
 * organisation's organisers and coordinators, who see them with a banner
 * saying so.
 *
 * What travels in /find's URL: the words, the postcode and vocabulary
 * codes (categories such as "dementia", never a person's name, email or
 * record). A person searching for "dementia" leaves that in their own
 * browser's history, as on any search site; pages are no-store.
 */
#include "core/common.h"
#include "web/form.h"
#include "web/url.h"
#include "account/account.h"
#include "app/app.h"
#include "app/features.h"
#include "auth/auth_web.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "directory/directory.h"
#include "groups/groups.h"
#include "groups/groups_policy.h"
#include "directory/directory_feature.h"
#include "web/cached.h"
#include "referral/referral.h"
#include "directory/find.h"
#include "directory/vocab.h"
#include "search/postcode.h"
#include "search/search.h"
#include "web/view.h"

/* The distances offered, in miles (the configured default joins them). */
static const int miles_choices[] = { 1, 3, 5, 10, 15, 25, 50, 100 };

/* ---------------------------------------------------------------- helpers */

static char *href_of(struct request *req, const struct find_params *p)
{
	struct buf b;
	char *s = NULL;

	buf_init(&b, FIND_HREF_MAX);
	if (find_href(web_url(req, "directory.find", NULL), p, &b))
		s = arena_strdup(&req->arena, b.p);
	buf_release(&b);
	return s;
}

static json_t *jstr(const char *s)
{
	return json_string(s ? s : "");
}

/* One checkbox or radio: {id, name, value, label, count, checked}. */
static json_t *option(const char *name, const char *value, const char *label, size_t count,
		bool checked)
{
	char id[96];

	snprintf(id, sizeof(id), "%s-%s", name, value);
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:b}", "id", id, "name", name, "value", value,
			 "label", label, "count", (json_int_t)count, "checked", checked);
}

/* Adds the option unless it would find nothing and is not ticked. */
static void add_option(json_t *items, const char *name, const char *value, const char *label,
		size_t count, bool checked)
{
	if (count == 0 && !checked)
		return;
	json_array_append_new(items, option(name, value, label, count, checked));
}

static void add_group(json_t *groups, const char *legend, const char *hint, json_t *items)
{
	if (json_array_size(items) == 0) {
		json_decref(items);
		return;
	}
	json_array_append_new(groups, json_pack("{s:s, s:s?, s:o}", "legend", legend, "hint", hint,
						"items", items));
}

/* The filter groups with their counts, in the order people think of them:
 * what kind of support, who it is for, when, the practical questions
 * (cost, access, how to go), then language. */
static json_t *filter_groups(const struct find_params *p, const struct search_facets *f)
{
	json_t *groups = json_array(), *items;

	items = json_array();
	for (size_t i = 0; i < vocab_categories_n && i < 64; i++)
		add_option(items, "category", vocab_categories[i].code, vocab_categories[i].name,
			   f->categories[i], p->categories & (UINT64_C(1) << i));
	add_group(groups, "Type of support", NULL, items);

	items = json_array();
	for (size_t i = 0; i < vocab_conditions_n && i < 64; i++)
		add_option(items, "condition", vocab_conditions[i].code, vocab_conditions[i].name,
			   f->conditions[i], p->conditions & (UINT64_C(1) << i));
	add_group(groups, "Who it's for", NULL, items);

	items = json_array();
	/* Many people mean "any weekday": one box for Monday to Friday (no
	 * count: a service on two of them would count twice). */
	if (f->days[0] + f->days[1] + f->days[2] + f->days[3] + f->days[4] > 0 ||
	    (p->days & FIND_WEEKDAYS) == FIND_WEEKDAYS) {
		json_t *o = option("day", "weekdays", "Weekdays (Monday to Friday)", 0,
				   (p->days & FIND_WEEKDAYS) == FIND_WEEKDAYS);

		json_object_set_new(o, "nocount", json_true());
		json_array_append_new(items, o);
	}
	for (int d = 0; d < 7; d++)
		add_option(items, "day", find_day_codes[d], find_day_names[d], f->days[d],
			   p->days & (1u << d));
	add_group(groups, "Day of the week", NULL, items);

	items = json_array();
	for (int t = 0; t < FIND_PARTS; t++)
		add_option(items, "time", find_part_codes[t], find_part_names[t], f->parts[t],
			   p->parts & (1u << t));
	add_group(groups, "Time of day", NULL, items);

	items = json_array();
	add_option(items, "free", "1", "Free of charge", f->free, p->free);
	add_option(items, "step_free", "1", "Step-free or wheelchair accessible", f->wheelchair,
		   p->step_free);
	add_option(items, "turn_up", "1", "Just turn up, no need to book", f->turn_up, p->turn_up);
	add_option(items, "peer_led", "1", "Run by people with lived experience", f->peer_led,
		   p->peer_led);
	add_group(groups, "Cost and access", NULL, items);

	items = json_array();
	for (size_t i = 0; i < vocab_languages_n && i < 32; i++)
		add_option(items, "language", vocab_languages[i].code, vocab_languages[i].name,
			   f->languages[i], p->languages & (UINT32_C(1) << i));
	add_group(groups, "Language", NULL, items);
	return groups;
}

/* "How to go": a radio group (one choice), with "Any way" first. */
static json_t *attend_options(const struct find_params *p, const struct search_facets *f)
{
	json_t *items = json_array();

	json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "id", "attend-any",
		"name", "attend", "value", "", "label", "In person or online",
		"checked", p->attend == FIND_ATTEND_ANY, "nocount", true));
	json_array_append_new(items, option("attend", "in-person", "In person",
					    f->in_person, p->attend == FIND_ATTEND_IN_PERSON));
	json_array_append_new(items, option("attend", "online", "Online or by phone",
					    f->online, p->attend == FIND_ATTEND_ONLINE));
	return items;
}

/* The filters that are set, each with a link that removes it. */
static json_t *chosen_filters(struct request *req, const struct find_params *p)
{
	json_t *out = json_array();
	struct find_params c;

#define CHOSEN(label, change) do { \
		c = *p; \
		c.page = 1; \
		change; \
		json_array_append_new(out, json_pack("{s:s, s:s?}", "label", (label), \
						     "remove_href", href_of(req, &c))); \
	} while (0)
	for (size_t i = 0; i < vocab_categories_n && i < 64; i++)
		if (p->categories & (UINT64_C(1) << i))
			CHOSEN(vocab_categories[i].name, c.categories &= ~(UINT64_C(1) << i));
	for (size_t i = 0; i < vocab_conditions_n && i < 64; i++)
		if (p->conditions & (UINT64_C(1) << i))
			CHOSEN(vocab_conditions[i].name, c.conditions &= ~(UINT64_C(1) << i));
	for (int d = 0; d < 7; d++)
		if (p->days & (1u << d))
			CHOSEN(find_day_names[d], c.days &= (uint8_t)~(1u << d));
	for (int t = 0; t < FIND_PARTS; t++)
		if (p->parts & (1u << t))
			CHOSEN(find_part_names[t], c.parts &= (uint8_t)~(1u << t));
	if (p->free)
		CHOSEN("Free of charge", c.free = false);
	if (p->step_free)
		CHOSEN("Step-free", c.step_free = false);
	if (p->turn_up)
		CHOSEN("Just turn up", c.turn_up = false);
	if (p->peer_led)
		CHOSEN("Run by people with lived experience", c.peer_led = false);
	if (p->attend == FIND_ATTEND_IN_PERSON)
		CHOSEN("In person", c.attend = FIND_ATTEND_ANY);
	if (p->attend == FIND_ATTEND_ONLINE)
		CHOSEN("Online or by phone", c.attend = FIND_ATTEND_ANY);
	for (size_t i = 0; i < vocab_languages_n && i < 32; i++)
		if (p->languages & (UINT32_C(1) << i))
			CHOSEN(vocab_languages[i].name, c.languages &= ~(UINT32_C(1) << i));
#undef CHOSEN
	return out;
}

static void clear_filters(struct find_params *c)
{
	c->categories = c->conditions = 0;
	c->languages = 0;
	c->days = c->parts = 0;
	c->free = c->step_free = c->turn_up = c->peer_led = false;
	c->attend = FIND_ATTEND_ANY;
	c->page = 1;
}

/* Sort links: the ones that make sense for this search. */
static json_t *sort_links(struct request *req, const struct find_params *p, bool near,
		enum search_sort current)
{
	static const struct {
		enum find_sort fs;
		enum search_sort ss;
		const char *words;
	} sorts[] = {
		{ FIND_SORT_RELEVANCE, SORT_RELEVANCE, "Best match" },
		{ FIND_SORT_DISTANCE, SORT_DISTANCE, "Nearest" },
		{ FIND_SORT_NEXT, SORT_NEXT, "Happening soonest" },
		{ FIND_SORT_NAME, SORT_NAME, "Name (A to Z)" },
	};
	json_t *out = json_array();

	for (size_t i = 0; i < ARRAY_LEN(sorts); i++) {
		struct find_params c = *p;

		if (sorts[i].ss == SORT_DISTANCE && !near)
			continue;
		if (sorts[i].ss == SORT_RELEVANCE && !p->text[0])
			continue;
		c.sort = sorts[i].fs;
		c.page = 1;
		json_array_append_new(out, json_pack("{s:s, s:s?, s:b}", "words", sorts[i].words,
			"href", href_of(req, &c), "current", sorts[i].ss == current));
	}
	return out;
}

/* The distance choices: the fixed ones, the configured default and the
 * one chosen (a hand-typed distance), in order, each once. */
static json_t *miles_options(int chosen, int def)
{
	int all[ARRAY_LEN(miles_choices) + 2];
	size_t n = 0;
	json_t *out = json_array();

	for (size_t i = 0; i < ARRAY_LEN(miles_choices); i++)
		all[n++] = miles_choices[i];
	all[n++] = def;
	all[n++] = chosen;
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && all[j - 1] > all[j]; j--) {
			int t = all[j];

			all[j] = all[j - 1];
			all[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++)
		if (i == 0 || all[i] != all[i - 1])
			json_array_append_new(out, json_pack("{s:i, s:b}", "value", all[i],
							     "selected", all[i] == chosen));
	return out;
}

/* govuk-pagination: previous, numbers around the current page with the
 * first and last, gaps as ellipses, next. */
static json_t *pagination(struct request *req, const struct find_params *p, size_t total)
{
	size_t pages = (total + FIND_PER_PAGE - 1) / FIND_PER_PAGE;
	struct find_params c = *p;
	json_t *o, *items;
	size_t cur = (size_t)p->page;
	bool gap = false;

	if (pages > FIND_PAGE_MAX)
		pages = FIND_PAGE_MAX;
	if (pages <= 1)
		return NULL;
	o = json_pack("{s:I, s:I}", "page_number", (json_int_t)cur, "pages", (json_int_t)pages);
	if (cur > 1) {
		c.page = (int)cur - 1;
		json_object_set_new(o, "prev_href", jstr(href_of(req, &c)));
	}
	if (cur < pages) {
		c.page = (int)cur + 1;
		json_object_set_new(o, "next_href", jstr(href_of(req, &c)));
	}
	items = json_array();
	for (size_t n = 1; n <= pages; n++) {
		if (n == 1 || n == pages || (n + 1 >= cur && n <= cur + 1)) {
			c.page = (int)n;
			json_array_append_new(items, json_pack("{s:I, s:s?, s:b}", "number", (json_int_t)n,
				"href", href_of(req, &c), "current", n == cur));
			gap = false;
		} else if (!gap) {
			json_array_append_new(items, json_pack("{s:b}", "ellipsis", true));
			gap = true;
		}
	}
	json_object_set_new(o, "items", items);
	return o;
}

/* "Walking and exercise (12)" links for browsing when nothing is asked. */
static json_t *browse_links(struct request *req, const struct search_facets *f)
{
	json_t *out = json_array();

	for (size_t i = 0; i < vocab_categories_n && i < 64; i++) {
		struct find_params c;

		if (!f->categories[i])
			continue;
		memset(&c, 0, sizeof(c));
		c.page = 1;
		c.categories = UINT64_C(1) << i;
		json_array_append_new(out, json_pack("{s:s, s:s?, s:I}", "name", vocab_categories[i].name,
			"href", href_of(req, &c), "count", (json_int_t)f->categories[i]));
	}
	return out;
}

/* ---------------------------------------------------------------- /find */

/* Runs p's search (near place, within miles, when place is given). */
static enum err run_search(struct request *req, struct search_index *ix,
		const struct find_params *p, const struct dir_place *place, int miles,
		int64_t now, struct search_query *q, struct search_result *res)
{
	memset(q, 0, sizeof(*q));
	find_query(p, place != NULL, q);
	q->now = now;
	if (place) {
		q->near = true;
		q->lat = place->lat;
		q->lon = place->lon;
		q->radius_m = miles * GEO_METRES_PER_MILE;
	}
	return search_run(ix, q, &req->arena, res);
}

/* What the find page was asked, once its query is read. */
struct find_ask {
	struct find_params p;
	struct dir_place place;           /* with near: a postcode's or a town's */
	bool near, searched;
	int miles, default_miles;
	size_t nfilters;
};

/* Locates the postcode or town asked for, if any. ERR_INVALID with why
 * (whylen bytes) when it is not one or is unknown (the page says so);
 * other errors end the page. */
static enum err find_locate(struct request *req, struct find_ask *k, char *why, size_t whylen)
{
	enum err e;

	if (!k->p.postcode[0])
		return ERR_OK;
	e = directory_locate(directory_of(req->app), k->p.postcode, &k->place, why, whylen);
	if (e == ERR_OK)
		k->near = true;
	else if (e == ERR_NOT_FOUND)
		e = ERR_INVALID;
	return e;
}

/* The page's data before any search: what was asked and notes on it. */
static json_t *find_data(const struct find_ask *k)
{
	const struct find_params *p = &k->p;
	json_t *data = json_pack("{s:s, s:s, s:b, s:b, s:i, s:i}", "q", p->text, "postcode", p->postcode,
				 "searched", k->searched, "near", k->near, "miles", k->miles,
				 "default_miles", k->default_miles);

	if (!data)
		return NULL;
	if (k->near)
		json_object_set_new(data, "place", json_string(k->place.name));
	/* The boxes' hints: on the first page; a page of results has no
	 * room for them above the first result on a phone. */
	json_object_set_new(data, "hints", json_boolean(!k->searched));
	if (p->sort != FIND_SORT_AUTO)
		json_object_set_new(data, "sort", json_string(find_sort_codes[p->sort]));
	if (p->notes & FIND_NOTE_TEXT_CUT)
		json_object_set_new(data, "note_cut", json_integer(FIND_TEXT_MAX));
	if (p->notes & FIND_NOTE_IGNORED)
		json_object_set_new(data, "note_ignored", json_true());
	return data;
}

/* The form again with the postcode's error (422). Takes data. */
static enum err find_postcode_error(struct request *req, struct response *resp, json_t *data,
		const char *why)
{
	json_t *errors = json_array();

	if (!errors) {
		json_decref(data);
		return ERR_NOMEM;
	}
	json_array_append_new(errors, json_pack("{s:s, s:s}", "field", "postcode",
		"detail", why ? why : "Enter a real postcode, like DN15 6XX"));
	web_set_errors(data, errors);
	json_object_set_new(data, "hints", json_true());
	json_object_set_new(data, "postcode_error", json_string(why ? why :
			    "Enter a real postcode, like DN15 6XX"));
	return view_page(req, resp, 422, "directory/find.html", "Error: Find support", data);
}

/* The search, and for a page past the end (an old link) the last page
 * instead. */
static enum err find_run(struct request *req, struct search_index *ix, struct find_ask *k,
		struct search_query *q, struct search_result *res)
{
	const struct dir_place *place = k->near ? &k->place : NULL;
	enum err e = run_search(req, ix, &k->p, place, k->miles, req->now, q, res);

	if (e || !(res->n == 0 && res->total > 0 && q->offset >= res->total))
		return e;
	k->p.page = (int)((res->total + FIND_PER_PAGE - 1) / FIND_PER_PAGE);
	if (k->p.page > FIND_PAGE_MAX)
		k->p.page = FIND_PAGE_MAX;
	return run_search(req, ix, &k->p, place, k->miles, req->now, q, res);
}

/* The results and everything around them: counts, filters with their
 * counts, sorts, distances, pages, browsing when nothing was asked. */
static enum err find_results(struct request *req, const struct find_ask *k,
		const struct search_query *q, struct search_result *res, json_t *data)
{
	const struct find_params *p = &k->p;
	json_t *results = NULL, *sorts;
	enum err e;

	if ((e = directory_summaries(&req->app->links, req->db, res->hits, res->n, req->now, &results)) != ERR_OK)
		return e;
	json_object_set_new(data, "results", results);
	json_object_set_new(data, "total", json_integer((json_int_t)res->total));
	json_object_set_new(data, "any", json_boolean(res->n > 0));
	json_object_set_new(data, "one", json_boolean(res->total == 1));
	json_object_set_new(data, "from", json_integer((json_int_t)(res->n ? q->offset + 1 : 0)));
	json_object_set_new(data, "to", json_integer((json_int_t)(q->offset + res->n)));
	json_object_set_new(data, "filter_groups", filter_groups(p, &res->facets));
	json_object_set_new(data, "attend", attend_options(p, &res->facets));
	json_object_set_new(data, "chosen", chosen_filters(req, p));
	json_object_set_new(data, "has_chosen", json_boolean(k->nfilters > 0));
	json_object_set_new(data, "nfilters", json_integer((json_int_t)k->nfilters));
	sorts = sort_links(req, p, k->near, q->sort);
	json_object_set_new(data, "several_sorts", json_boolean(json_array_size(sorts) > 1));
	json_object_set_new(data, "sorts", sorts);
	if (k->near)
		json_object_set_new(data, "miles_options", miles_options(k->miles, k->default_miles));
	json_object_set_new(data, "pagination", pagination(req, p, res->total));
	if (!k->searched) {
		json_t *browse = browse_links(req, &res->facets);

		json_object_set_new(data, "has_browse", json_boolean(json_array_size(browse) > 0));
		json_object_set_new(data, "browse", browse);
	}
	if (res->text_matched_nothing)
		json_object_set_new(data, "words_unknown", json_true());
	return ERR_OK;
}

/* Ways out of an empty page: fewer filters, further away, everything
 * near the postcode. */
static void find_ways_out(struct request *req, const struct find_ask *k, json_t *data)
{
	const struct find_params *p = &k->p;
	struct find_params c = *p;

	if (k->nfilters) {
		clear_filters(&c);
		json_object_set_new(data, "without_filters_href", jstr(href_of(req, &c)));
	}
	if (k->near && k->miles < FIND_MILES_MAX) {
		int wider = FIND_MILES_MAX;

		for (size_t i = 0; i < ARRAY_LEN(miles_choices); i++)
			if (miles_choices[i] > k->miles * 2 || miles_choices[i] == FIND_MILES_MAX) {
				wider = miles_choices[i];
				break;
			}
		c = *p;
		c.page = 1;
		c.miles = wider;
		json_object_set_new(data, "wider_href", jstr(href_of(req, &c)));
		json_object_set_new(data, "wider_miles", json_integer(wider));
	}
	if (p->text[0] && k->near) {
		c = *p;
		clear_filters(&c);
		c.text[0] = '\0';
		c.sort = FIND_SORT_AUTO;
		json_object_set_new(data, "everything_near_href", jstr(href_of(req, &c)));
	}
}

/* /find: read the query, locate the postcode, search, show the page. */
/* The title of a page of results says what was looked for and how much
 * was found, so a screen reader hears it first and a tab or bookmark
 * tells searches apart: "12 services for walking group near DN15 6XX
 * (page 2)". The page adds " – kith". */
static const char *find_title(struct request *req, const struct find_ask *k, size_t total)
{
	const struct find_params *p = &k->p;

	return arena_printf(&req->arena, "%zu %s%s%s%s%s%s",
		total, total == 1 ? "service" : "services",
		p->text[0] ? " for " : "", p->text,
		k->near ? " near " : "", k->near ? k->place.name : "",
		p->page > 1 ? arena_printf(&req->arena, " (page %d)", p->page) : "");
}

/* ---------------------------------------------------------------- visitors' pages kept
 *
 * A visitor who is not signed in sees the same find, service or
 * organisation page for the same address on the same day: it is kept
 * finished (app->page_cache, web/cached.h) under the search index's
 * version, which every publish, edit, archive, hide or import changes, as
 * the ORUK API's answers are (oruk_web.c). page_cache_seconds bounds what
 * the version does not see: an organisation's own details. Signed-in
 * people's pages hold their name, roles and form token: never kept. */

static bool page_from_cache(struct request *req, struct response *resp, struct cached *c)
{
	const struct directory_settings *ds = SETTINGS_OF(req->app->cfg, struct directory_settings,
			directory_settings);
	struct search_index *ix = directory_index(req->app);

	*c = (struct cached){ 0 };
	if (!req->app->page_cache || !ix || !cached_page_key(req, c))
		return false;
	c->cache = req->app->page_cache;
	/* Read before anything the page is made from: see search_version(). */
	c->version = search_version(ix);
	c->ttl_s = ds->page_cache_seconds;
	return cached_answer(req, resp, c);
}

/* A handler of a page a visitor may be shown from the cache. */
#define VISITORS_PAGE(name, make)						\
	static enum err name(struct request *req, struct response *resp)	\
	{									\
		struct cached c;						\
										\
		if (page_from_cache(req, resp, &c))				\
			return ERR_OK;						\
		return cached_keep(req, resp, make(req, resp), &c);		\
	}

static enum err find_make(struct request *req, struct response *resp)
{
	const struct directory_settings *cfg = SETTINGS_OF(req->app->cfg, struct directory_settings,
			directory_settings);
	struct search_index *ix = directory_index(req->app);
	struct find_ask k = { .default_miles = cfg->search_radius_miles };
	struct search_query q;
	struct search_result res;
	json_t *data;
	const char *title = "Find support";
	char why[512], example[PLACE_NAME_MAX + 1];
	enum err e, located;

	(void)req_query(req, "q");      /* parses req->query */
	find_parse(&req->query, &k.p);
	k.miles = find_miles(&k.p, k.default_miles);
	k.searched = find_any(&k.p);
	k.nfilters = find_nfilters(&k.p);
	located = find_locate(req, &k, why, sizeof(why));
	if (located != ERR_OK && located != ERR_INVALID)
		return located;
	if (!(data = find_data(&k)))
		return ERR_NOMEM;
	if (directory_place_example(directory_of(req->app), example, sizeof(example)))
		json_object_set_new(data, "example_place", json_string(example));
	if (located == ERR_INVALID)
		return find_postcode_error(req, resp, data, why[0] ? why : NULL);
	if (!ix) {
		json_decref(data);
		return req_fail(req, ERR_UNAVAILABLE, "The directory is starting up. Try again in a minute.");
	}
	if ((e = find_run(req, ix, &k, &q, &res)) != ERR_OK ||
	    (e = find_results(req, &k, &q, &res, data)) != ERR_OK) {
		json_decref(data);
		return e;
	}
	if (k.searched && res.total == 0)
		find_ways_out(req, &k, data);
	if (k.searched)
		title = find_title(req, &k, res.total);
	else if (k.p.page > 1)
		title = arena_printf(&req->arena, "Find support (page %d)", k.p.page);
	/* A GET form only: no form token, so a visitor gets no cookie. */
	return view_page(req, resp, 200, "directory/find.html", title, data);
}

/* ---------------------------------------------------------------- a service */

/* "Welsh, Polish and Urdu" from a list of names or of {name} objects. */
static json_t *names_text(const json_t *list)
{
	struct buf b;
	size_t i, n = json_array_size(list);
	const json_t *x;
	json_t *out;

	buf_init(&b, 4096);
	json_array_foreach(list, i, x) {
		const char *name = json_is_string(x) ? json_string_value(x) :
				   json_string_value(json_object_get(x, "name"));

		if (!name)
			continue;
		if (i > 0)
			buf_adds(&b, i + 1 == n ? " and " : ", ");
		buf_adds(&b, name);
	}
	out = buf_ok(&b) ? json_string(b.p) : json_string("");
	buf_release(&b);
	return out;
}

/* What the page needs beyond the view model: "is there any" flags the
 * template cannot work out from a list, and lists as one sentence. */
static void service_extras(json_t *view)
{
	static const char *const lists[] = { "categories", "conditions", "languages", "when",
					     "where", "when_notes", "service_areas" };

	for (size_t i = 0; i < ARRAY_LEN(lists); i++) {
		const json_t *l = json_object_get(view, lists[i]);
		char key[32];

		snprintf(key, sizeof(key), "has_%s", lists[i]);
		json_object_set_new(view, key, json_boolean(json_array_size(l) > 0));
		snprintf(key, sizeof(key), "%s_text", lists[i]);
		if (i < 3)
			json_object_set_new(view, key, names_text(l));
	}
}

/* The service's group (src/groups/), when it has one: a link to it, and
 * for a service people just turn up to, "Let them know you're coming"
 * on its next session instead of asking to be referred. Its editors
 * may make one. */
static enum err service_group(struct request *req, const struct svc_meta *meta, bool editor, json_t *view)
{
	struct group_meta gm;
	struct group_session s;
	enum err e = group_load(req->db, req->actor, meta->id, &gm);

	if (e == ERR_NOT_FOUND) {
		if (editor && policy_can(req->actor, &act_group_manage, NULL))
			json_object_set_new(view, "group_make_href", json_string(web_url(req, "groups.edit", meta->id, NULL)));
		return ERR_OK;
	}
	if (e)
		return e;
	json_object_set_new(view, "group_href", json_string(web_url(req, "groups.show", meta->id, NULL)));
	if (!gm.turn_up || !gm.open || meta->state != SVC_PUBLISHED)
		return ERR_OK;
	e = group_next_session(req->db, &req->arena, meta->id, uk_local_day(req->now), &s);
	if (e == ERR_NOT_FOUND)
		return ERR_OK;
	if (e == ERR_OK)
		json_object_set_new(view, "group_going", json_pack("{s:s?, s:s?}",
			"href", web_url(req, "groups.session", meta->id, s.skey, NULL),
			"words", group_session_words(&req->arena, &s)));
	return e;
}

static bool can_edit_org(const struct request *req, const char *org_id)
{
	return policy_can(req->actor, &act_service_edit,
			  org_id);
}

/* mailto: and tel: links from the contact details, built here so the
 * template puts a whole URL in the attribute (tmpl.h). */
static void contact_links(json_t *view)
{
	json_t *c = json_object_get(view, "contact");
	const char *email, *phone;

	if (!json_is_object(c))
		return;
	email = json_string_value(json_object_get(c, "email"));
	phone = json_string_value(json_object_get(c, "phone"));
	if (email && email[0] && !json_object_get(c, "email_href"))
		json_object_set_new(c, "email_href", json_sprintf("mailto:%s", email));
	if (phone && phone[0] && !json_object_get(c, "phone_href")) {
		char tel[40];
		size_t n = 0;

		/* Digits and a leading +: "01724 123456" -> tel:01724123456. */
		for (const char *s = phone; *s && n + 1 < sizeof(tel); s++)
			if ((*s >= '0' && *s <= '9') || (*s == '+' && n == 0))
				tel[n++] = *s;
		tel[n] = '\0';
		if (n >= 3)
			json_object_set_new(c, "phone_href", json_sprintf("tel:%s", tel));
	}
}

static const struct {
	const char *word, *text;
} service_done[] = {
	{ "created", "Your service is saved. A coordinator will check it and publish it." },
	{ "created-published", "The service is saved and published." },
	{ "saved", "Your changes are saved." },
	{ "published", "The service is published. People can find it now." },
	{ "archived", "The service is archived. People can no longer find it." },
	{ "verified", "Thank you. The service is marked as checked today." },
};

static enum err service_make(struct request *req, struct response *resp)
{
	const struct param *id = req_param(req, "id");
	const char *done = req_query(req, "done");
	struct svc_meta meta;
	json_t *view = NULL;
	int64_t now = req->now;
	bool editor, reviewer, hidden_public;
	enum err e;

	e = directory_meta(req->db, &req->arena, id->val, &meta);
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no service at this address. It may have been removed.");
	if (e)
		return e;
	editor = can_edit_org(req, meta.org_id);
	reviewer = policy_can(req->actor, &act_service_review, NULL);
	hidden_public = meta.state != SVC_PUBLISHED;
	/* Not a hint that it exists: the same 404 as no service at all. */
	if (hidden_public && !editor)
		return req_fail(req, ERR_NOT_FOUND, "There is no service at this address. It may have "
				"been removed.");
	if ((e = directory_service_view(&req->app->links, req->db, meta.id, now, &view)) != ERR_OK)
		return e;
	contact_links(view);
	service_extras(view);
	/* Referrals (src/referral/referral_web.c): anyone may ask to go to a
	 * published service, and referrers may refer someone to it. */
	if ((e = service_group(req, &meta, editor, view)) != ERR_OK) {
		json_decref(view);
		return e;
	}
	if (meta.state == SVC_PUBLISHED)
		json_object_set_new(view, "referral", json_pack("{s:o?, s:o?}",
			"me_href", json_object_get(view, "group_going") ? NULL :
				   json_string(web_url(req, "referral.referme", meta.id, NULL)),
			"refer_href", policy_can(req->actor, &act_refer, NULL) ?
				      json_sprintf("/referrals/new?service=%s", meta.id) : NULL));
	if (meta.state == SVC_DRAFT)
		json_object_set_new(view, "is_draft", json_true());
	if (meta.state == SVC_ARCHIVED)
		json_object_set_new(view, "is_archived", json_true());
	if (meta.stale_hidden)
		json_object_set_new(view, "is_stale_hidden", json_true());
	if (editor) {
		json_object_set_new(view, "manage", json_pack("{s:s, s:o, s:b, s:b, s:b, s:b}",
			"id", meta.id,
			"edit_href", json_string(web_url(req, "manage.edit", meta.id, NULL)),
			"can_review", reviewer,
			"can_publish", reviewer && meta.state != SVC_PUBLISHED,
			"can_archive", reviewer && meta.state != SVC_ARCHIVED,
			"can_verify", meta.state == SVC_PUBLISHED));
		if (done) {
			for (size_t i = 0; i < ARRAY_LEN(service_done); i++)
				if (strcmp(done, service_done[i].word) == 0)
					web_set_banner(view, true, service_done[i].text);
		}
		return web_page(req, resp, 200, "directory/service.html",
				    json_string_value(json_object_get(view, "name")), view);
	}
	return view_page(req, resp, 200, "directory/service.html",
			 json_string_value(json_object_get(view, "name")), view);
}

/* ---------------------------------------------------------------- an organisation */

static enum err organisation_make(struct request *req, struct response *resp)
{
	const struct param *id = req_param(req, "id");
	json_t *view = NULL;
	enum err e;

	e = directory_org_view(&req->app->links, req->db, id->val, req->now, &view);
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no organisation at this address. It may have been "
				"removed.");
	if (e)
		return e;
	if (can_edit_org(req, json_string_value(json_object_get(view, "id"))))
		json_object_set_new(view, "add_href", json_sprintf("/manage/services/new?org=%s",
				    json_string_value(json_object_get(view, "id"))));
	{
		const char *email = json_string_value(json_object_get(view, "email"));

		if (email)
			json_object_set_new(view, "email_href", json_sprintf("mailto:%s", email));
		json_object_set_new(view, "has_contact", json_boolean(email ||
				    json_object_get(view, "website")));
		json_object_set_new(view, "has_services", json_boolean(
				    json_array_size(json_object_get(view, "services")) > 0));
	}
	return view_page(req, resp, 200, "directory/organisation.html",
			 json_string_value(json_object_get(view, "name")), view);
}

VISITORS_PAGE(find_page, find_make)
VISITORS_PAGE(service_page, service_make)
VISITORS_PAGE(organisation_page, organisation_make)

/* ---------------------------------------------------------------- the feature */

static const struct route routes[] = {
	{ M_GET, "/find", find_page, &act_public, RF_PAGE_JSON, "directory.find" },
	{ M_GET, "/services/{id:uuid}", service_page, &act_public, RF_PAGE_JSON, "directory.service" },
	{ M_GET, "/organisations/{id:uuid}", organisation_page, &act_public, RF_PAGE_JSON, "directory.organisation" },
};

/* ---------------------------------------------------------------- settings */

#define DS(field) CFG(struct directory_settings, field)

static const struct config_key keys[] = {
	{ "stale_months", CT_INT, DS(stale_months), 1, 60, "6",
	  "months after its last check that a service's organiser is asked \"is this still running?\"", NULL },
	{ "stale_flag_days", CT_INT, DS(stale_flag_days), 1, 365, "14",
	  "days without an answer before a service is flagged to coordinators", NULL },
	{ "stale_hide_days", CT_INT, DS(stale_hide_days), 1, 730, "42",
	  "days flagged without an answer before a service is hidden from search", NULL },
	{ "directory_sync", CT_INT, DS(directory_sync), 1, 3600, "2",
	  "seconds between looks for directory changes made by other kith processes", NULL },
	{ "search_radius_miles", CT_INT, DS(search_radius_miles), 1, 500, "15",
	  "how far \"near a postcode\" reaches when the person does not choose", NULL },
	{ "page_cache_mb", CT_INT, DS(page_cache_mb), 0, 1024, "8",
	  "megabytes of finished find, service and organisation pages kept to show a visitor who is "
	  "not signed in the same page again; 0 turns the cache off", NULL },
	{ "page_cache_entries", CT_INT, DS(page_cache_entries), 0, 1000000, "2000",
	  "most finished pages kept for visitors; 0 turns the cache off", NULL },
	{ "page_cache_seconds", CT_INT, DS(page_cache_seconds), 1, 3600, "30",
	  "longest a kept page is shown again; a change to a service ends it at once, so this bounds "
	  "only an organisation's own details changing without a service changing", NULL },
	{ 0 },
};

const struct settings directory_settings = { "Directory", keys, sizeof(struct directory_settings) };

static enum err pages_init(struct app *app)
{
	const struct directory_settings *ds = app->cfg ? SETTINGS_OF(app->cfg, struct directory_settings,
			directory_settings) : NULL;

	return directory_init_cached(app, &app->page_cache, ds ? ds->page_cache_mb : 0,
				     ds ? ds->page_cache_entries : 0);
}

static void pages_release(struct app *app)
{
	directory_release_cached(app, &app->page_cache);
}

const struct feature directory_feature = {
	.settings = &directory_settings,
	.actions = directory_actions,
	.name = "directory",
	.routes = routes,
	.nroutes = ARRAY_LEN(routes),
	.init = pages_init,
	.release = pages_release,
};
