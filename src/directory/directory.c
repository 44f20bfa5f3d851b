/*
 * directory.c - the directory's rules: saving a service (from a form, an
 * import or demo data), the view models pages render, and this process's
 * search index kept in step with the database.
 *
 * Saving: oruk_normalise() makes the document canonical; its SHA-256
 * (without last_modified) is compared with the stored one, and an equal
 * hash is SAVE_UNCHANGED with nothing written at all, which is what makes
 * a second import of the same feed a no-op. Otherwise the derived columns
 * (body, bitmasks, flags, schedules, terms, postcode, dupe key) and the
 * service_at_location rows are written from oruk_derive(), likely
 * duplicates are flagged, and a row is appended to directory_change.
 *
 * The index: built at start-up from the derived columns of every
 * published, visible service (never from the JSON), then moved forward by
 * directory_apply_changes(), which applies directory_change rows after this
 * process's cursor: each row is "look at this service again", so applying
 * one twice is harmless and the current state of the service decides
 * between search_put and search_remove.
 *
 * View models are built here, not in the handlers, so the pages (another
 * file) and their JSON form share one definition; their keys are listed in
 * directory.h.
 */
#include "core/common.h"
#include "org/org.h"
#include "core/buf.h"
#include "core/links.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "directory/directory.h"
#include "directory/directory_db.h"
#include "directory/words.h"
#include "oruk/oruk.h"
#include "oruk/sched_oruk.h"
#include "search/lexicon.h"
#include "search/places.h"
#include "search/postcode.h"
#include "search/schedule.h"
#include "search/text.h"
#include "store/store.h"
#include "view/jstr.h"
#include "view/jcache.h"

#include <pthread.h>
#include <stdatomic.h>

struct directory {
	struct search_index *ix;
	pthread_mutex_t lock;      /* one sync at a time: the cursor only moves forward */
	int64_t cursor;            /* the last directory_change applied */
	int64_t words_version;     /* of the coordinators' search words the index was built with */
	_Atomic int64_t last_sync; /* when the job last ran (Unix seconds) */
	/* The towns and villages of the directory's addresses, for the
	 * postcode box: rebuilt whole (places_rebuild) and swapped in under
	 * places_lock, which readers hold for a lookup only. */
	struct places *places;
	pthread_rwlock_t places_lock;
	_Atomic bool places_dirty; /* services changed since they were built */
	_Atomic int64_t places_at; /* when they were last built (the sync job's now) */
};

/* "Not checked for this long" for pages and the review list; from the
 * stale_months setting when a directory starts. */
static atomic_int stale_months = 6;

static const char *const state_names[SVC__MAX] = { "draft", "published", "archived" };
static const char *const source_names[] = { "form", "import", "demo" };

const char *svc_state_name(enum svc_state s)
{
	return s >= 0 && s < SVC__MAX ? state_names[s] : "draft";
}

static enum svc_state state_parse(const char *s)
{
	for (int i = 0; i < SVC__MAX; i++)
		if (s && strcmp(s, state_names[i]) == 0)
			return (enum svc_state)i;
	return SVC_DRAFT;
}

/* ---------------------------------------------------------------- the index */

struct search_index *directory_search_index(struct directory *d)
{
	return d ? d->ix : NULL;
}

/* Puts (or removes) one service in the index from its derived columns. */
static enum err apply_row(void *ctx, const struct dir_index_row *r, const struct search_point *pts,
		size_t npts)
{
	struct search_index *ix = ctx;
	struct search_doc d;
	const char *terms[ORUK_TERMS_MAX], *taxes[ORUK_TERMS_MAX];
	char *tcopy = NULL;
	enum err e;

	if (!r->visible) {
		e = search_remove(ix, r->id);
		return e == ERR_NOT_FOUND ? ERR_OK : e;
	}
	memset(&d, 0, sizeof(d));
	d.id = r->id;
	d.org_id = r->org_id;
	d.name = r->name;
	d.body = r->body;
	d.categories = r->categories;
	d.conditions = r->conditions;
	d.languages = r->languages;
	d.flags = r->flags;
	d.modified = r->modified;
	for (size_t i = 0; i < npts && i < SEARCH_MAX_POINTS; i++)
		d.points[d.npoints++] = pts[i];
	/* scheds: one sched_encode() text per line. */
	for (const char *p = r->scheds; p && *p && d.nscheds < SEARCH_MAX_SCHEDS;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (sched_decode(p, n, &d.scheds[d.nscheds]))
			d.nscheds++;
		p = nl ? nl + 1 : p + n;
	}
	/* terms: "taxonomy_id term_id" per line. */
	if (r->terms && r->terms[0]) {
		tcopy = strdup(r->terms);
		if (!tcopy)
			return ERR_NOMEM;
		for (char *p = tcopy; p && *p && d.nterms < ORUK_TERMS_MAX;) {
			char *nl = strchr(p, '\n'), *sp;

			if (nl)
				*nl = '\0';
			sp = strchr(p, ' ');
			if (sp) {
				*sp = '\0';
				taxes[d.nterms] = strcmp(p, "-") == 0 ? "" : p;
				terms[d.nterms] = sp + 1;
				d.nterms++;
			}
			p = nl ? nl + 1 : NULL;
		}
		d.terms = terms;
		d.taxonomies = taxes;
	}
	e = search_put(ix, &d);
	free(tcopy);
	return e;
}

/* kith's taxonomies and terms, written when missing or different. */
static enum err seed_taxonomies(struct db *db)
{
	enum err e = ERR_OK;

	for (size_t i = 0; i < ARRAY_LEN(vocab_taxonomies) && !e; i++)
		e = dir_db_taxonomy_put(db, *vocab_taxonomies[i].id, vocab_taxonomies[i].name,
					vocab_taxonomies[i].description, NULL, NULL);
	for (size_t i = 0; i < vocab_categories_n && !e; i++)
		e = dir_db_term_put(db, vocab_categories[i].id, vocab_category_taxonomy_id, NULL,
				    vocab_categories[i].code, vocab_categories[i].name, vocab_categories[i].name, NULL);
	for (size_t i = 0; i < vocab_conditions_n && !e; i++)
		e = dir_db_term_put(db, vocab_conditions[i].id, vocab_condition_taxonomy_id, NULL,
				    vocab_conditions[i].code, vocab_conditions[i].name, vocab_conditions[i].name, NULL);
	for (int j = JOIN_TURN_UP; j < JOIN__MAX && !e; j++)
		e = dir_db_term_put(db, vocab_join[j].id, vocab_kith_taxonomy_id, NULL, vocab_join[j].code,
				    vocab_join[j].name, vocab_join[j].name, NULL);
	if (!e)
		e = dir_db_term_put(db, vocab_peer_led.id, vocab_kith_taxonomy_id, NULL, vocab_peer_led.code,
				    vocab_peer_led.name, vocab_peer_led.name, NULL);
	return e;
}

/* The lexicon (shipped words, then coordinators') for what is indexed from
 * now on. */
static enum err use_words(struct directory *d, struct db *db)
{
	struct lexicon *lx;
	enum err e = words_load(db, &lx, &d->words_version);

	if (e == ERR_OK)
		search_set_lexicon(d->ix, lx);
	return e;
}

static enum err places_rebuild(struct directory *d, struct db *db);

/* Coordinators changed the search words (here or in another process):
 * every service is indexed again with them. Under d->lock. */
static enum err words_changed(struct directory *d, struct db *db)
{
	int64_t v;
	enum err e = words_version(db, &v);

	if (e || v == d->words_version)
		return e;
	if ((e = use_words(d, db)) != ERR_OK || (e = dir_db_index_all(db, apply_row, d->ix)) != ERR_OK ||
	    (e = places_rebuild(d, db)) != ERR_OK)
		return e;
	log_info("directory: search words changed; %zu services indexed again", search_count(d->ix));
	return ERR_OK;
}

/* ---------------------------------------------------------------- place names */

/* Is an address's second line the name of a village or part of town
 * ("Bottesford"), rather than more of the street ("Unit 4", "High
 * Street", "Church Lane")? Words without digits, not ending in a word
 * streets and buildings end in. */
static bool locality_like(const char *s)
{
	static const char *const street[] = { "street", "st", "road", "rd", "lane", "ln", "avenue",
		"ave", "close", "drive", "dr", "way", "crescent", "court", "ct", "terrace", "square",
		"mews", "parade", "gardens", "grove", "place", "row", "walk", "precinct", "centre",
		"center", "estate", "house", "building", "buildings", "floor", "unit", "suite", "hall",
		"yard", "chambers", "arcade", "office", "offices", "works", "mill", "farm", "park" };
	const char *last;
	size_t n;

	if (!s || !s[0] || strlen(s) > PLACE_NAME_MAX)
		return false;
	for (const char *p = s; *p; p++)
		if ((*p >= '0' && *p <= '9') || *p == ',' || *p == '/')
			return false;
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		n--;
	last = s + n;
	while (last > s && last[-1] != ' ')
		last--;
	for (size_t i = 0; i < ARRAY_LEN(street); i++)
		if (strlen(street[i]) == (size_t)(s + n - last) && strncasecmp(last, street[i], strlen(street[i])) == 0)
			return false;
	return true;
}

/* One place of a service: its town, and its second line when that names
 * a village or part of town, each at the point of its postcode (its own
 * point when the postcode is unknown). */
static enum err place_row(void *ctx, const struct dir_place_row *r)
{
	struct places *pl = ctx;
	struct postcode_place pp;
	const char *why, *tag = "";
	double lat, lon;
	char a[PLACE_NAME_MAX * 2], b[PLACE_NAME_MAX * 2];
	enum err e;

	if (r->postcode[0] && postcode_locate(r->postcode, &pp, &why) == ERR_OK) {
		lat = pp.lat;
		lon = pp.lon;
		tag = r->postcode;
	} else if (r->has_point) {
		lat = r->lat;
		lon = r->lon;
	} else {
		return ERR_OK;
	}
	if (r->city && (e = places_add(pl, r->city, tag, lat, lon)) != ERR_OK)
		return e == ERR_INVALID ? ERR_OK : e;
	if (locality_like(r->line2) && !(r->city && places_key(r->city, a, sizeof(a)) &&
	    places_key(r->line2, b, sizeof(b)) && strcmp(a, b) == 0) &&
	    (e = places_add(pl, r->line2, tag, lat, lon)) != ERR_OK)
		return e == ERR_INVALID ? ERR_OK : e;
	return ERR_OK;
}

/* Builds the place names from db and swaps them in. */
static enum err places_rebuild(struct directory *d, struct db *db)
{
	struct places *pl = places_new(), *old;
	enum err e;

	if (!pl)
		return ERR_NOMEM;
	if ((e = dir_db_place_names(db, place_row, pl)) != ERR_OK || (e = places_seal(pl)) != ERR_OK) {
		places_free(pl);
		return e;
	}
	pthread_rwlock_wrlock(&d->places_lock);
	old = d->places;
	d->places = pl;
	pthread_rwlock_unlock(&d->places_lock);
	places_free(old);
	atomic_store(&d->places_dirty, false);
	return ERR_OK;
}

enum err directory_places_refresh(struct directory *d, struct db *db, int64_t now)
{
	enum err e;

	if (!d || !db || !atomic_load(&d->places_dirty) ||
	    now - atomic_load(&d->places_at) < DIRECTORY_PLACES_EVERY)
		return ERR_OK;
	pthread_mutex_lock(&d->lock);
	atomic_store(&d->places_at, now);
	e = places_rebuild(d, db);
	pthread_mutex_unlock(&d->lock);
	if (e == ERR_OK)
		log_info("directory: %zu place names", directory_places_count(d));
	return e;
}

size_t directory_places_count(struct directory *d)
{
	size_t n;

	if (!d)
		return 0;
	pthread_rwlock_rdlock(&d->places_lock);
	n = places_count(d->places);
	pthread_rwlock_unlock(&d->places_lock);
	return n;
}

bool directory_place_example(struct directory *d, char *out, size_t cap)
{
	const struct place_name *best[1];
	bool ok = false;

	if (!d || !cap)
		return false;
	pthread_rwlock_rdlock(&d->places_lock);
	if (places_suggest(d->places, NULL, best, 1) == 1) {
		str_copy(out, cap, best[0]->name);
		ok = true;
	}
	pthread_rwlock_unlock(&d->places_lock);
	return ok;
}

/* Does s hold a digit (so it was meant as a postcode)? */
static bool has_digit(const char *s)
{
	for (; *s; s++)
		if (*s >= '0' && *s <= '9')
			return true;
	return false;
}

/* "We could not find “Scuntorpe”. Try a postcode, like DN15 6XX, or one
 * of: Scunthorpe, Ashby, Brigg." */
static void unknown_place(const struct places *pl, const char *text, char *why, size_t whylen)
{
	const struct place_name *s[DIRECTORY_PLACES_OFFERED];
	size_t n = places_suggest(pl, text, s, ARRAY_LEN(s));
	struct buf b;

	buf_init(&b, whylen ? whylen - 1 : 0);
	buf_addf(&b, "We could not find “%s”. ", text);
	if (!n) {
		buf_adds(&b, "Enter a postcode, like DN15 6XX, or the first half, like DN15.");
	} else {
		buf_adds(&b, "Try a postcode, like DN15 6XX, or one of: ");
		for (size_t i = 0; i < n; i++) {
			if (i)
				buf_adds(&b, ", ");
			buf_adds(&b, s[i]->name);
		}
		buf_addc(&b, '.');
	}
	str_copy(why, whylen, buf_ok(&b) ? b.p : "We could not find that place. Try a postcode, like DN15 6XX.");
	buf_release(&b);
}

enum err directory_locate(struct directory *d, const char *text, struct dir_place *out,
		char *why, size_t whylen)
{
	struct postcode_place pp;
	const char *pwhy = NULL;
	char norm[9];
	enum err e;

	memset(out, 0, sizeof(*out));
	if (whylen)
		why[0] = '\0';
	/* Something shaped like a postcode is one (or a mistyped one). */
	if (postcode_normalise(text, norm, &pwhy) || !d || has_digit(text)) {
		e = postcode_locate(text, &pp, &pwhy);
		if (e == ERR_OK) {
			str_copy(out->name, sizeof(out->name), pp.normal);
			out->lat = pp.lat;
			out->lon = pp.lon;
		} else {
			str_copy(why, whylen, pwhy ? pwhy : "Enter a real postcode, like DN15 6XX.");
		}
		return e;
	}
	/* Else a town or village the directory's addresses name. */
	pthread_rwlock_rdlock(&d->places_lock);
	const struct place_name *p = places_find(d->places, text);
	if (p) {
		str_copy(out->name, sizeof(out->name), p->name);
		out->lat = p->lat;
		out->lon = p->lon;
		out->town = true;
		e = ERR_OK;
	} else {
		unknown_place(d->places, text, why, whylen);
		e = ERR_NOT_FOUND;
	}
	pthread_rwlock_unlock(&d->places_lock);
	return e;
}

enum err directory_open(struct db *db, int stale, struct directory **out)
{
	struct directory *d;
	enum err e;

	*out = NULL;
	if ((e = postcode_init()) != ERR_OK)
		return e;
	if (stale > 0)
		atomic_store(&stale_months, stale);
	d = calloc(1, sizeof(*d));
	if (!d)
		return ERR_NOMEM;
	d->ix = search_new();
	d->places = places_new();
	if (d->places && places_seal(d->places) != ERR_OK) {
		places_free(d->places);
		d->places = NULL;
	}
	if (!d->ix || !d->places || pthread_mutex_init(&d->lock, NULL) != 0) {
		search_free(d->ix);
		places_free(d->places);
		free(d);
		return ERR_NOMEM;
	}
	if (pthread_rwlock_init(&d->places_lock, NULL) != 0) {
		pthread_mutex_destroy(&d->lock);
		search_free(d->ix);
		places_free(d->places);
		free(d);
		return ERR_NOMEM;
	}
	*out = d;
	if ((e = use_words(d, db)) != ERR_OK || !db)
		return e;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = seed_taxonomies(db)) != ERR_OK || (e = db_commit(db)) != ERR_OK) {
		db_rollback(db);
		return e;
	}
	/* One snapshot: the cursor is the newest change it contains, so
	 * every later change is applied by directory_sync. */
	if ((e = db_begin_read(db)) != ERR_OK)
		return e;
	e = dir_db_last_change(db, &d->cursor);
	if (!e)
		e = dir_db_index_all(db, apply_row, d->ix);
	if (!e)
		e = places_rebuild(d, db);
	db_rollback(db);
	if (!e)
		log_info("directory: %zu services in the search index, %zu place names",
			 search_count(d->ix), directory_places_count(d));
	return e;
}

void directory_close(struct directory *d)
{
	if (!d)
		return;
	search_free(d->ix);
	places_free(d->places);
	pthread_rwlock_destroy(&d->places_lock);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

#define SYNC_BATCH 500

enum err directory_apply_changes(struct directory *d, struct db *db)
{
	size_t seen;
	enum err e;

	if (!d || !db)
		return ERR_OK;
	pthread_mutex_lock(&d->lock);
	e = words_changed(d, db);
	while (!e) {
		e = dir_db_changes(db, &d->cursor, SYNC_BATCH, apply_row, d->ix, &seen);
		if (seen)
			atomic_store(&d->places_dirty, true);
		if (seen < SYNC_BATCH)
			break;
	}
	pthread_mutex_unlock(&d->lock);
	return e;
}

bool directory_sync_due(struct directory *d, int64_t now, int every)
{
	if (!d || now - atomic_load(&d->last_sync) < every)
		return false;
	atomic_store(&d->last_sync, now);
	return true;
}

/* ---------------------------------------------------------------- saving */

static void today_date(int64_t now, char out[11])
{
	uk_format_iso_day(uk_local_day(now), out);
}

/* The row of one service_at_location: its ORUK object with service_id
 * and location_id, for /service_at_locations. malloc'd. */
static char *sal_doc(const json_t *sal, const char *service_id)
{
	json_t *o = json_object(), *v;
	const char *k;
	char *s;

	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_string(jstr(sal, "id")));
	json_object_set_new(o, "service_id", json_string(service_id));
	if (jstr(sal, "location_id"))
		json_object_set_new(o, "location_id", json_string(jstr(sal, "location_id")));
	json_object_foreach((json_t *)sal, k, v)
		if (strcmp(k, "id") && strcmp(k, "service_id") && strcmp(k, "location_id"))
			json_object_set(o, k, v);
	s = oruk_dump(o, NULL);
	json_decref(o);
	return s;
}

/* Upserts the organisation of a document (org normalised, borrowed). Writes
 * only when its text changed. */
static enum err save_org(struct db *db, struct arena *a, const json_t *org, int64_t now)
{
	struct org_record cur, o;
	char *doc;
	enum err e = org_get(db, a, jstr(org, "id"), &cur);
	bool exists = e == ERR_OK;

	if (e && e != ERR_NOT_FOUND)
		return e;
	doc = oruk_dump(org, NULL);
	if (!doc)
		return ERR_NOMEM;
	if (exists && cur.doc && strcmp(cur.doc, doc) == 0) {
		free(doc);
		return ERR_OK;
	}
	o = (struct org_record){
		.id = jstr(org, "id"), .name = jstr(org, "name"), .description = jstr(org, "description"),
		.email = jstr(org, "email"), .url = jstr(org, "website"), .charity = oruk_org_charity(org),
		.doc = doc, .last_modified = now,
	};
	e = org_put(db, &o, now, exists);
	if (e == ERR_OK && exists)
		e = dir_db_org_refresh(db, o.id);
	free(doc);
	return e;
}

/* Imported taxonomy terms go into taxonomy_term, so /taxonomy_terms lists
 * them; a term naming a taxonomy kith has not seen gets that taxonomy. */
static enum err save_terms(struct db *db, const json_t *doc)
{
	json_t *attrs = json_object_get(doc, "attributes"), *a;
	size_t i;
	enum err e = ERR_OK;

	json_array_foreach(attrs, i, a) {
		json_t *t = json_object_get(a, "taxonomy_term");
		const char *tid = jstr(t, "id"), *tax = jstr(t, "taxonomy_id");

		if (!tid || !jstr(t, "name") || oruk_is_kith_term(tid))
			continue;
		if (tax && !dir_db_taxonomy_exists(db, tax)) {
			const char *name = jstr(t, "taxonomy") ? jstr(t, "taxonomy") : "Imported taxonomy";

			if ((e = dir_db_taxonomy_put(db, tax, name, name, NULL, NULL)) != ERR_OK)
				return e;
		}
		e = dir_db_term_put(db, tid, tax, jstr(t, "parent_id"), jstr(t, "code"), jstr(t, "name"),
				    jstr(t, "description"), jstr(t, "term_uri"));
		if (e)
			return e;
	}
	return e;
}

/* A save under way (save_norm's steps). */
struct save_ctx {
	struct db *db;
	struct arena a;
	const struct save_opts *opts;
	struct save_report *report;
	json_t *errors;
	json_t *norm;                  /* the normalised document, without its organisation */
	json_t *org;                   /* the organisation it carried, or NULL */
	const char *id, *org_id, *charity, *org_name;
	const char *old_hash, *old_state;
	bool exists;
	char hash[65];
	char *doc_s, *flat_s;          /* the document and its flat form, as stored */
	struct oruk_facts f;
};

/* The organisation: in the document (upserted), or already known (given
 * its ORUK form when it was made with an account). */
static enum err save_org_of(struct save_ctx *sc)
{
	struct org_record o;
	enum err e;

	if (sc->org) {
		if ((e = save_org(sc->db, &sc->a, sc->org, sc->opts->now)) != ERR_OK)
			return e;
		sc->charity = oruk_org_charity(sc->org);
		sc->org_name = jstr(sc->org, "name");
		return ERR_OK;
	}
	if (!sc->org_id) {
		oruk_error_add(sc->errors, "organization", "The service has no organisation.", "has no organisation");
		return ERR_INVALID;
	}
	e = org_get(sc->db, &sc->a, sc->org_id, &o);
	if (e == ERR_NOT_FOUND) {
		oruk_error_add(sc->errors, "organization_id", "No organisation has this id.",
			       "its organisation is not in kith and not in the record");
		return ERR_INVALID;
	}
	if (e)
		return e;
	sc->charity = o.charity;
	sc->org_name = o.name;
	if (!o.doc) {
		json_t *od = json_pack("{s:s, s:s, s:s}", "id", o.id, "name", o.name,
				       "description", o.description ? o.description : o.name);

		e = od ? save_org(sc->db, &sc->a, od, sc->opts->now) : ERR_NOMEM;
		json_decref(od);
	}
	return e;
}

/* Is it already stored as it is now? Then only a state change is
 * written (*done is set either way). */
static enum err save_if_same(struct save_ctx *sc, bool *done)
{
	const struct save_opts *opts = sc->opts;
	char date[11];
	enum err e;

	if (opts->assure) {
		today_date(opts->now, date);
		oruk_service_set(sc->norm, "assured_date", json_string(date));
	}
	oruk_hash(sc->norm, sc->hash);
	e = dir_db_existing(sc->db, &sc->a, sc->id, &sc->old_hash, &sc->old_state, NULL);
	if (e && e != ERR_NOT_FOUND)
		return e;
	sc->exists = e == ERR_OK;
	if (!sc->exists || strcmp(sc->old_hash, sc->hash) != 0)
		return ERR_OK;
	*done = true;
	if (!opts->set_state || state_parse(sc->old_state) == opts->state) {
		sc->report->outcome = SAVE_UNCHANGED;
		return ERR_OK;
	}
	if ((e = dir_db_set_state(sc->db, sc->id, svc_state_name(opts->state), opts->now)) == ERR_OK &&
	    (e = dir_db_change(sc->db, sc->id, opts->now)) == ERR_OK)
		sc->report->outcome = SAVE_UPDATED;
	return e;
}

/* The stored texts and the derived facts (the organisation's name is
 * searched too). */
static enum err save_derive(struct save_ctx *sc)
{
	json_t *flat;
	char dt[21];
	enum err e = ERR_OK;

	/* A person changed it now; an import keeps the feed's date. */
	if (sc->opts->source == SRC_FORM || !jstr(sc->norm, "last_modified")) {
		oruk_format_datetime(sc->opts->now, dt);
		oruk_service_set(sc->norm, "last_modified", json_string(dt));
	}
	flat = oruk_flat(sc->norm);
	sc->doc_s = oruk_dump(sc->norm, NULL);
	sc->flat_s = flat ? oruk_dump(flat, NULL) : NULL;
	json_decref(flat);
	if (!sc->doc_s || !sc->flat_s || (e = oruk_derive(sc->norm, &sc->f)) != ERR_OK)
		return e ? e : ERR_NOMEM;
	if (sc->org_name) {
		buf_addc(&sc->f.body, '\n');
		buf_adds(&sc->f.body, sc->org_name);
		sc->f.body.err = false;
	}
	return ERR_OK;
}

/* Likely duplicates (flagged for coordinators, never refused), then the
 * service row. */
static enum err save_row(struct save_ctx *sc)
{
	const struct save_opts *opts = sc->opts;
	struct save_report *report = sc->report;
	const struct oruk_facts *f = &sc->f;
	struct dir_row row;
	enum err e;

	if ((e = dir_db_duplicates(sc->db, sc->id, f->dupe_key.p, f->postcode, sc->org_id, sc->charity,
				   report->duplicates, ARRAY_LEN(report->duplicates),
				   &report->nduplicates)) != ERR_OK)
		return e;
	row = (struct dir_row){
		.id = sc->id, .org_id = sc->org_id, .name = f->name, .status = f->status,
		.state = sc->exists && !opts->set_state ? sc->old_state : svc_state_name(opts->state),
		.source = source_names[opts->source <= SRC_DEMO ? opts->source : SRC_FORM],
		.doc = sc->doc_s, .flat = sc->flat_s, .doc_hash = sc->hash, .body = f->body.p,
		.categories = (int64_t)f->categories, .conditions = (int64_t)f->conditions,
		.languages = f->languages, .flags = f->flags, .scheds = f->scheds.p, .terms = f->terms.p,
		.postcode = f->postcode, .dupe_key = f->dupe_key.p,
		.duplicate_of = report->nduplicates ? report->duplicates[0] : NULL,
		.assured_at = f->assured_at, .last_modified = f->last_modified ? f->last_modified : opts->now,
		.created_at = opts->now, .updated_at = opts->now, .created_by = opts->actor,
	};
	return sc->exists ? dir_db_update(sc->db, &row) : dir_db_insert(sc->db, &row);
}

/* Its places, with points for distance. */
static enum err save_places(struct save_ctx *sc)
{
	const struct oruk_facts *f = &sc->f;
	char **sal_docs = arena_calloc(&sc->a, f->nplaces ? f->nplaces : 1, sizeof(*sal_docs));
	json_t *sals = json_object_get(sc->norm, "service_at_locations");
	size_t which = 0;
	enum err e = ERR_OK;

	if (!sal_docs)
		return ERR_NOMEM;
	for (size_t i = 0; i < f->nplaces && !e; i++) {
		json_t *s = NULL, *it;
		size_t j;

		json_array_foreach(sals, j, it)
			if (jstr(it, "id") && strcmp(jstr(it, "id"), f->places[i].sal_id) == 0) {
				s = it;
				break;
			}
		if (!s || !(sal_docs[i] = sal_doc(s, sc->id)))
			e = ERR_NOMEM;
	}
	if (!e)
		e = dir_db_places(sc->db, sc->id, f->places, sal_docs, f->nplaces, &which);
	if (e == ERR_CONFLICT) {
		char field[64];

		snprintf(field, sizeof(field), "service_at_locations[%zu].id", which);
		oruk_error_add(sc->errors, field, "Another service already has a place with this id.",
			       "one of its places has an id another service uses");
		e = ERR_INVALID;
	}
	for (size_t i = 0; i < f->nplaces; i++)
		free(sal_docs[i]);
	return e;
}

/* Saves a normalised document (owned: consumed): the organisation, then,
 * unless nothing changed, the row, its places and terms, and a change
 * for every process's index. */
static enum err save_norm(struct db *db, json_t *norm, const struct save_opts *opts,
		struct save_report *report, json_t *errors)
{
	struct save_ctx sc = {
		.db = db, .opts = opts, .report = report, .errors = errors, .norm = norm,
		.org = json_incref(json_object_get(norm, "organization")), .id = jstr(norm, "id"),
	};
	bool done = false;
	enum err e;

	arena_init(&sc.a);
	str_copy(report->id, sizeof(report->id), sc.id);
	if (sc.org)
		oruk_service_set(norm, "organization", NULL);
	sc.org_id = jstr(norm, "organization_id");
	if ((e = save_org_of(&sc)) == ERR_OK && (e = save_if_same(&sc, &done)) == ERR_OK && !done &&
	    (e = save_derive(&sc)) == ERR_OK && (e = save_row(&sc)) == ERR_OK &&
	    (e = save_places(&sc)) == ERR_OK && (e = save_terms(db, norm)) == ERR_OK &&
	    (e = dir_db_change(db, sc.id, opts->now)) == ERR_OK)
		report->outcome = sc.exists ? SAVE_UPDATED : SAVE_CREATED;
	oruk_facts_release(&sc.f);
	free(sc.doc_s);
	free(sc.flat_s);
	json_decref(sc.org);
	json_decref(norm);
	arena_release(&sc.a);
	return e;
}

enum err directory_save(struct db *db, const json_t *doc, const struct save_opts *opts,
		struct save_report *report, json_t **fields)
{
	json_t *errors = json_array(), *norm;
	enum err e;

	memset(report, 0, sizeof(*report));
	if (fields)
		*fields = NULL;
	if (!errors)
		return ERR_NOMEM;
	norm = oruk_normalise(doc, errors);
	if (!norm) {
		e = json_array_size(errors) ? ERR_INVALID : ERR_NOMEM;
		if (!json_array_size(errors) && errors)
			oruk_error_add(errors, "service", "The service could not be read.", "could not be read");
	} else {
		str_copy(report->id, sizeof(report->id), jstr(norm, "id"));
		e = save_norm(db, norm, opts, report, errors);
		/* A person checked it: checked now, and whatever freshness had
		 * asked, flagged or hidden is over (a change only if hidden). */
		if (e == ERR_OK && opts->assure &&
		    (e = dir_db_stale_clear(db, report->id, opts->now, NULL)) == ERR_OK)
			e = dir_db_assured(db, report->id, opts->now);
	}
	if (e == ERR_INVALID && fields)
		*fields = json_incref(errors);
	json_decref(errors);
	return e;
}

/* ---------------------------------------------------------------- forms */

/* "10:00" -> minutes; -1 when it is not a time on a 24-hour clock. */
static int form_minutes(const char *s)
{
	int h, m;

	if (!s || !s[0])
		return -1;
	if (!(s[0] >= '0' && s[0] <= '9'))
		return -1;
	h = s[0] - '0';
	s++;
	if (*s >= '0' && *s <= '9')
		h = h * 10 + (*s++ - '0');
	if ((*s != ':' && *s != '.') || !(s[1] >= '0' && s[1] <= '9') || !(s[2] >= '0' && s[2] <= '9') || s[3])
		return -1;
	m = (s[1] - '0') * 10 + (s[2] - '0');
	if (h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

static void ferr(json_t *errors, const char *field, const char *detail)
{
	json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "detail", detail));
}

static bool form_phone_ok(const char *s)
{
	int digits = 0;

	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (!strchr(" +()-", *p))
			return false;
	}
	return digits >= 6 && digits <= 15;
}

static bool form_url_ok(const char *s)
{
	if (strchr(s, ' ') || strlen(s) > 2000)
		return false;
	if (strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0)
		return strlen(s) > 10 && strchr(s + 8, '.') != NULL;
	/* "www.example.org": https:// is added on saving. */
	return strchr(s, '.') && !strstr(s, "://") && !strchr(s, '@');
}

static void check_len(json_t *errors, const char *field, const char *s, size_t max, const char *what)
{
	if (s && strlen(s) > max) {
		char detail[160];

		snprintf(detail, sizeof(detail), "%s must be %zu characters or fewer", what, max);
		ferr(errors, field, detail);
	}
}

bool directory_check_form(const struct svc_form *f, json_t *errors)
{
	size_t before = json_array_size(errors);
	char pc[9];
	const char *why;

	if (f->id && !str_is_uuid(str_c(f->id)))
		ferr(errors, "id", "The service's id is not valid");
	if (str_is_blank(f->org_id) || !str_is_uuid(str_c(f->org_id)))
		ferr(errors, "org_id", "Choose the organisation that runs the service");
	if (str_is_blank(f->name))
		ferr(errors, "name", "Enter the name of the service");
	check_len(errors, "name", f->name, 200, "The name");
	if (str_is_blank(f->description))
		ferr(errors, "description", "Describe what happens at the service");
	check_len(errors, "description", f->description, 10000, "The description");
	check_len(errors, "who_for", f->who_for, 2000, "Who it is for");
	check_len(errors, "how_to_join", f->how_to_join, 2000, "How to join");
	if ((int)f->join < 0 || f->join >= JOIN__MAX)
		ferr(errors, "join", "Choose how people join");
	if (!f->free && str_is_blank(f->cost))
		ferr(errors, "cost", "Say what it costs, or choose free");
	check_len(errors, "cost", f->cost, 500, "The cost");
	if (!f->online && !f->in_person)
		ferr(errors, "in_person", "Say whether people go in person, online or by phone");
	if (f->in_person) {
		if (str_is_blank(f->address_1))
			ferr(errors, "address_1", "Enter the first line of the address");
		if (str_is_blank(f->town))
			ferr(errors, "town", "Enter the town or city");
		if (str_is_blank(f->postcode))
			ferr(errors, "postcode", "Enter the postcode, like DN15 6XX");
		else if (!postcode_normalise(f->postcode, pc, &why) || strlen(pc) < 6 || !strchr(pc, ' ') ||
			 strlen(strchr(pc, ' ') + 1) != 3)
			ferr(errors, "postcode", "Enter a real postcode, like DN15 6XX");
		check_len(errors, "place_name", f->place_name, 200, "The name of the place");
		check_len(errors, "address_1", f->address_1, 200, "The address");
		check_len(errors, "address_2", f->address_2, 200, "The address");
		check_len(errors, "town", f->town, 100, "The town");
		check_len(errors, "access_notes", f->access_notes, 2000, "Access notes");
	}
	if (!str_is_blank(f->email) && !str_email_ok(f->email))
		ferr(errors, "email", "Enter an email address like name@example.org");
	if (!str_is_blank(f->phone) && !form_phone_ok(f->phone))
		ferr(errors, "phone", "Enter a phone number like 01724 123456");
	if (!str_is_blank(f->url) && !form_url_ok(f->url))
		ferr(errors, "url", "Enter a web address like https://www.example.org");
	for (int i = 0; i < SVC_FORM_SCHEDS; i++) {
		const struct svc_form_sched *s = &f->scheds[i];
		char field[48];
		int o, c;

		if (str_is_blank(s->kind))
			continue;
		if (strcmp(s->kind, "weekly") && strcmp(s->kind, "fortnightly") && strcmp(s->kind, "monthly") &&
		    strcmp(s->kind, "monthly-date")) {
			snprintf(field, sizeof(field), "scheds[%d].kind", i);
			ferr(errors, field, "Choose how often it happens");
			continue;
		}
		if (strcmp(s->kind, "monthly-date") != 0 && (s->weekday < 0 || s->weekday > 6)) {
			snprintf(field, sizeof(field), "scheds[%d].weekday", i);
			ferr(errors, field, "Choose the day of the week");
		}
		if (strcmp(s->kind, "monthly") == 0 && !((s->nth >= 1 && s->nth <= 4) || s->nth == -1)) {
			snprintf(field, sizeof(field), "scheds[%d].nth", i);
			ferr(errors, field, "Choose which week of the month");
		}
		if (strcmp(s->kind, "monthly-date") == 0 && (s->monthday < 1 || s->monthday > 31)) {
			snprintf(field, sizeof(field), "scheds[%d].monthday", i);
			ferr(errors, field, "Enter a day of the month from 1 to 31");
		}
		o = form_minutes(s->opens);
		c = form_minutes(s->closes);
		if (o < 0) {
			snprintf(field, sizeof(field), "scheds[%d].opens", i);
			ferr(errors, field, "Enter a start time like 10:00");
		}
		if (!str_is_blank(s->closes) && c < 0) {
			snprintf(field, sizeof(field), "scheds[%d].closes", i);
			ferr(errors, field, "Enter an end time like 11:30");
		} else if (o >= 0 && c >= 0 && c <= o) {
			snprintf(field, sizeof(field), "scheds[%d].closes", i);
			ferr(errors, field, "The end time must be after the start time");
		}
		snprintf(field, sizeof(field), "scheds[%d].notes", i);
		check_len(errors, field, s->notes, 500, "Notes");
	}
	return json_array_size(errors) == before;
}

/* The form's own objects have ids made from the service id and a name,
 * so saving the form again changes nothing. */
static json_t *kith_id(const char *svc, const char *what)
{
	char id[37];

	oruk_derived_id(svc, what, id);
	return json_string(id);
}

static void set_or_del(json_t *doc, const char *key, const char *v)
{
	oruk_service_set(doc, key, str_is_blank(v) ? NULL : json_string(v));
}

static const char *const day_codes[7] = { "MO", "TU", "WE", "TH", "FR", "SA", "SU" };

/* Which form row a schedule is, or false when the form cannot show it. */
static bool sched_row_of(const json_t *s, struct svc_form_sched *out, char kind[16])
{
	const char *freq = jstr(s, "freq"), *byday = jstr(s, "byday"), *bmd = jstr(s, "bymonthday");
	json_t *iv = json_object_get(s, "interval");
	int interval = json_is_integer(iv) ? (int)json_integer_value(iv) : 1;

	memset(out, 0, sizeof(*out));
	out->opens = jstr(s, "opens_at");
	out->closes = jstr(s, "closes_at");
	out->notes = jstr(s, "notes");
	if (!freq || form_minutes(out->opens) < 0)
		return false;
	if (strcmp(freq, "WEEKLY") == 0 && byday && strlen(byday) == 2 && !bmd && (interval == 1 || interval == 2)) {
		for (int d = 0; d < 7; d++)
			if (strcmp(byday, day_codes[d]) == 0) {
				out->weekday = d;
				snprintf(kind, 16, "%s", interval == 1 ? "weekly" : "fortnightly");
				out->kind = kind;
				return true;
			}
		return false;
	}
	if (strcmp(freq, "MONTHLY") == 0 && interval == 1 && byday && !bmd) {
		int nth = 0;
		const char *p = byday;

		if (*p == '-' && p[1] == '1') {
			nth = -1;
			p += 2;
		} else if (*p >= '1' && *p <= '4') {
			nth = *p - '0';
			p++;
		} else {
			return false;
		}
		for (int d = 0; d < 7; d++)
			if (strcmp(p, day_codes[d]) == 0) {
				out->weekday = d;
				out->nth = nth;
				snprintf(kind, 16, "monthly");
				out->kind = kind;
				return true;
			}
		return false;
	}
	if (strcmp(freq, "MONTHLY") == 0 && interval == 1 && bmd && !byday) {
		int v = 0;

		for (const char *p = bmd; *p; p++) {
			if (*p < '0' || *p > '9' || v > 31)
				return false;
			v = v * 10 + (*p - '0');
		}
		if (v < 1 || v > 31)
			return false;
		out->monthday = v;
		snprintf(kind, 16, "monthly-date");
		out->kind = kind;
		return true;
	}
	return false;
}

/* The form's schedule rows replace the schedules it showed; the rest
 * (ones it cannot show, and any past the third) stay. */
static void apply_scheds(json_t *doc, const struct svc_form *f, const char *id, int64_t now)
{
	json_t *old = json_object_get(doc, "schedules"), *keep = json_array(), *out = json_array(), *s;
	json_t *shown[SVC_FORM_SCHEDS] = { NULL };
	size_t i, nshown = 0;

	json_array_foreach(old, i, s) {
		struct svc_form_sched row;
		char kind[16];

		if (nshown < SVC_FORM_SCHEDS && sched_row_of(s, &row, kind))
			shown[nshown++] = s;
		else
			json_array_append(keep, s);
	}
	for (int r = 0; r < SVC_FORM_SCHEDS; r++) {
		const struct svc_form_sched *fs = &f->scheds[r];
		json_t *o;
		char what[32], byday[8];

		if (str_is_blank(fs->kind))
			continue;
		o = json_object();
		if (r < (int)nshown && jstr(shown[r], "id"))
			json_object_set_new(o, "id", json_string(jstr(shown[r], "id")));
		else {
			snprintf(what, sizeof(what), "kith:schedule:%d", r);
			json_object_set_new(o, "id", kith_id(id, what));
		}
		if (strcmp(fs->kind, "weekly") == 0 || strcmp(fs->kind, "fortnightly") == 0) {
			bool fortnightly = fs->kind[0] == 'f';

			json_object_set_new(o, "freq", json_string("WEEKLY"));
			json_object_set_new(o, "interval", json_integer(fortnightly ? 2 : 1));
			json_object_set_new(o, "byday", json_string(day_codes[fs->weekday]));
			if (fortnightly) {
				/* Every other week needs a first week: the one
				 * it had, or the next such day from today. */
				const char *dt = r < (int)nshown ? jstr(shown[r], "dtstart") : NULL;
				const char *bd = r < (int)nshown ? jstr(shown[r], "byday") : NULL;
				json_t *iv = r < (int)nshown ? json_object_get(shown[r], "interval") : NULL;

				if (dt && bd && strcmp(bd, day_codes[fs->weekday]) == 0 && json_integer_value(iv) == 2) {
					json_object_set_new(o, "dtstart", json_string(dt));
				} else {
					int64_t day = uk_local_day(now);
					char date[UK_ISO_DAY];

					while (uk_weekday(day) != fs->weekday)
						day++;
					uk_format_iso_day(day, date);
					json_object_set_new(o, "dtstart", json_string(date));
				}
			}
		} else if (strcmp(fs->kind, "monthly") == 0) {
			if (fs->nth == -1)
				snprintf(byday, sizeof(byday), "-1%s", day_codes[fs->weekday]);
			else
				snprintf(byday, sizeof(byday), "%d%s", fs->nth, day_codes[fs->weekday]);
			json_object_set_new(o, "freq", json_string("MONTHLY"));
			json_object_set_new(o, "interval", json_integer(1));
			json_object_set_new(o, "byday", json_string(byday));
		} else {
			json_object_set_new(o, "freq", json_string("MONTHLY"));
			json_object_set_new(o, "interval", json_integer(1));
			json_object_set_new(o, "bymonthday", json_sprintf("%d", fs->monthday));
		}
		json_object_set_new(o, "opens_at", json_string(fs->opens));
		if (!str_is_blank(fs->closes))
			json_object_set_new(o, "closes_at", json_string(fs->closes));
		if (!str_is_blank(fs->notes))
			json_object_set_new(o, "notes", json_string(fs->notes));
		json_array_append_new(out, o);
	}
	json_array_extend(out, keep);
	json_decref(keep);
	oruk_service_set(doc, "schedules", json_array_size(out) ? out : NULL);
	if (!json_array_size(out))
		json_decref(out);
}

static bool is_kith_attr(const json_t *a)
{
	return oruk_is_kith_term(jstr(a, "taxonomy_term_id"));
}

static void add_attr(json_t *attrs, const char *id, const struct vocab_term *t)
{
	char what[64];

	snprintf(what, sizeof(what), "kith:attribute:%s", t->id);
	json_array_append_new(attrs, json_pack("{s:o, s:s}", "id", kith_id(id, what), "taxonomy_term_id", t->id));
}

static void apply_attrs(json_t *doc, const struct svc_form *f, const char *id)
{
	json_t *old = json_object_get(doc, "attributes"), *out = json_array(), *a;
	size_t i;

	json_array_foreach(old, i, a)
		if (!is_kith_attr(a))
			json_array_append(out, a);
	for (size_t k = 0; k < vocab_categories_n && k < 64; k++)
		if (f->categories & (UINT64_C(1) << k))
			add_attr(out, id, &vocab_categories[k]);
	for (size_t k = 0; k < vocab_conditions_n && k < 64; k++)
		if (f->conditions & (UINT64_C(1) << k))
			add_attr(out, id, &vocab_conditions[k]);
	if (f->peer_led)
		add_attr(out, id, &vocab_peer_led);
	if (f->join > JOIN_UNKNOWN && f->join < JOIN__MAX)
		add_attr(out, id, &vocab_join[f->join]);
	oruk_service_set(doc, "attributes", json_array_size(out) ? out : NULL);
	if (!json_array_size(out))
		json_decref(out);
}

static void apply_languages(json_t *doc, const struct svc_form *f, const char *id)
{
	json_t *old = json_object_get(doc, "languages"), *out = json_array(), *l;
	size_t i;

	json_array_foreach(old, i, l) {
		const char *code = jstr(l, "code"), *name = jstr(l, "name");
		bool ours = vocab_find(vocab_languages, vocab_languages_n, code) >= 0;

		for (size_t k = 0; !ours && name && k < vocab_languages_n; k++)
			ours = strcasecmp(name, vocab_languages[k].name) == 0;
		if (!ours)
			json_array_append(out, l);
	}
	for (size_t k = 0; k < vocab_languages_n && k < 32; k++)
		if (f->languages & (UINT32_C(1) << k)) {
			char what[48];

			snprintf(what, sizeof(what), "kith:language:%s", vocab_languages[k].code);
			json_array_append_new(out, json_pack("{s:o, s:s, s:s}", "id", kith_id(id, what),
				"name", vocab_languages[k].name, "code", vocab_languages[k].code));
		}
	oruk_service_set(doc, "languages", json_array_size(out) ? out : NULL);
	if (!json_array_size(out))
		json_decref(out);
}

static void apply_places(json_t *doc, const struct svc_form *f, const char *id)
{
	json_t *old = json_object_get(doc, "service_at_locations"), *out = json_array(), *sal;
	bool done_physical = false;
	size_t i;
	char pc[9];
	const char *why;

	json_array_foreach(old, i, sal) {
		json_t *loc = json_object_get(sal, "location");
		const char *type = jstr(loc, "location_type");

		if (type && strcmp(type, "virtual") == 0) {
			if (f->online)
				json_array_append(out, sal);
			continue;
		}
		if (done_physical) {
			json_array_append(out, sal);
			continue;
		}
		done_physical = true;      /* the form's place: rebuilt below */
		if (!f->in_person)
			continue;
		{
			json_t *nsal = json_deep_copy(sal), *nloc, *addrs, *addr, *nacc;
			const char *oldpc;

			nloc = json_object_get(nsal, "location");
			if (!json_is_object(nloc)) {
				nloc = json_pack("{s:o, s:s}", "id", kith_id(id, "kith:location"), "location_type", "physical");
				json_object_set_new(nsal, "location", nloc);
			}
			if (str_is_blank(f->place_name))
				json_object_del(nloc, "name");
			else
				json_object_set_new(nloc, "name", json_string(f->place_name));
			addrs = json_object_get(nloc, "addresses");
			addr = json_array_get(addrs, 0);
			oldpc = jstr(addr, "postal_code");
			postcode_normalise(f->postcode, pc, &why);
			/* A new postcode makes an old point wrong. */
			if (!oldpc || strcmp(oldpc, pc) != 0) {
				json_object_del(nloc, "latitude");
				json_object_del(nloc, "longitude");
			}
			{
				json_t *na = json_pack("{s:o, s:s, s:s, s:s, s:s, s:s}",
					"id", addr && jstr(addr, "id") ? json_string(jstr(addr, "id"))
									: kith_id(id, "kith:address"),
					"address_1", f->address_1, "city", f->town, "postal_code", pc,
					"country", "GB", "address_type", "physical");

				if (!str_is_blank(f->address_2))
					json_object_set_new(na, "address_2", json_string(f->address_2));
				if (addr && jstr(addr, "region"))
					json_object_set_new(na, "region", json_string(jstr(addr, "region")));
				if (addr && jstr(addr, "state_province"))
					json_object_set_new(na, "state_province", json_string(jstr(addr, "state_province")));
				if (json_is_array(addrs) && json_array_size(addrs))
					json_array_set_new(addrs, 0, na);
				else
					json_object_set_new(nloc, "addresses", json_pack("[o]", na));
			}
			/* Accessibility is the form's: the step-free box and the
			 * notes (which showed every other entry's words). */
			nacc = json_array();
			{
				json_t *sf = kith_id(id, "kith:step-free"), *notes = kith_id(id, "kith:access-notes");

				if (f->wheelchair)
					json_array_append_new(nacc, json_pack("{s:O, s:s}", "id", sf, "description",
						"Step-free access for wheelchair users."));
				if (!str_is_blank(f->access_notes))
					json_array_append_new(nacc, json_pack("{s:O, s:s}", "id", notes, "description",
									      f->access_notes));
				json_decref(sf);
				json_decref(notes);
			}
			if (json_array_size(nacc))
				json_object_set_new(nloc, "accessibility", nacc);
			else {
				json_object_del(nloc, "accessibility");
				json_decref(nacc);
			}
			json_array_append_new(out, nsal);
		}
	}
	if (f->in_person && !done_physical) {
		json_t *na = json_pack("{s:o, s:s, s:s, s:s, s:s, s:s}", "id", kith_id(id, "kith:address"),
			"address_1", f->address_1, "city", f->town, "postal_code", "", "country", "GB",
			"address_type", "physical");
		json_t *loc, *nacc = json_array();

		postcode_normalise(f->postcode, pc, &why);
		json_object_set_new(na, "postal_code", json_string(pc));
		if (!str_is_blank(f->address_2))
			json_object_set_new(na, "address_2", json_string(f->address_2));
		loc = json_pack("{s:o, s:s, s:[o]}", "id", kith_id(id, "kith:location"), "location_type", "physical",
				"addresses", na);
		if (!str_is_blank(f->place_name))
			json_object_set_new(loc, "name", json_string(f->place_name));
		if (f->wheelchair)
			json_array_append_new(nacc, json_pack("{s:o, s:s}", "id", kith_id(id, "kith:step-free"),
				"description", "Step-free access for wheelchair users."));
		if (!str_is_blank(f->access_notes))
			json_array_append_new(nacc, json_pack("{s:o, s:s}", "id", kith_id(id, "kith:access-notes"),
				"description", f->access_notes));
		if (json_array_size(nacc))
			json_object_set_new(loc, "accessibility", nacc);
		else
			json_decref(nacc);
		/* The place comes first: it is the one pages show. */
		json_array_insert_new(out, 0, json_pack("{s:o, s:o}", "id", kith_id(id, "kith:place"), "location", loc));
	}
	if (f->online) {
		bool have = false;
		json_t *s;
		size_t j;

		json_array_foreach(out, j, s)
			if (jstr(json_object_get(s, "location"), "location_type") &&
			    strcmp(jstr(json_object_get(s, "location"), "location_type"), "virtual") == 0)
				have = true;
		if (!have)
			json_array_append_new(out, json_pack("{s:o, s:{s:o, s:s, s:s}}", "id", kith_id(id, "kith:online"),
				"location", "id", kith_id(id, "kith:online-location"), "location_type", "virtual",
				"name", "Online or by phone"));
	}
	oruk_service_set(doc, "service_at_locations", json_array_size(out) ? out : NULL);
	if (!json_array_size(out))
		json_decref(out);
}

static void apply_contact(json_t *doc, const struct svc_form *f, const char *id)
{
	json_t *old = json_object_get(doc, "phones"), *out = json_array(), *p;
	json_t *mine = kith_id(id, "kith:phone");
	size_t i;

	set_or_del(doc, "email", f->email);
	if (!str_is_blank(f->url)) {
		if (strncasecmp(f->url, "http://", 7) && strncasecmp(f->url, "https://", 8))
			oruk_service_set(doc, "url", json_sprintf("https://%s", f->url));
		else
			oruk_service_set(doc, "url", json_string(f->url));
	} else {
		oruk_service_set(doc, "url", NULL);
	}
	if (!str_is_blank(f->phone))
		json_array_append_new(out, json_pack("{s:O, s:s}", "id", mine, "number", f->phone));
	json_array_foreach(old, i, p)
		if (!jstr(p, "id") || strcmp(jstr(p, "id"), json_string_value(mine)) != 0)
			json_array_append(out, p);
	json_decref(mine);
	oruk_service_set(doc, "phones", json_array_size(out) ? out : NULL);
	if (!json_array_size(out))
		json_decref(out);
}

static void apply_cost(json_t *doc, const struct svc_form *f, const char *id)
{
	if (f->free) {
		oruk_service_set(doc, "fees", NULL);
		oruk_service_set(doc, "cost_options", json_pack("[{s:o, s:s, s:i, s:s}]", "id",
			kith_id(id, "kith:cost"), "option", "Free", "amount", 0, "amount_description", "Free"));
	} else {
		oruk_service_set(doc, "cost_options", NULL);
		set_or_del(doc, "fees", f->cost);
	}
}

/* Errors from saving, named as the form names its fields. */
static void form_fields(json_t *fields)
{
	static const struct {
		const char *suffix, *field, *detail;
	} map[] = {
		{ "organization_id", "org_id", "Choose the organisation that runs the service" },
		{ "organization", "org_id", "Choose the organisation that runs the service" },
		{ ".address_1", "address_1", NULL }, { ".city", "town", NULL },
		{ ".postal_code", "postcode", NULL }, { "name", "name", NULL },
	};
	json_t *e;
	size_t i;

	json_array_foreach(fields, i, e) {
		const char *f = jstr(e, "field");
		size_t n = f ? strlen(f) : 0;

		for (size_t k = 0; f && k < ARRAY_LEN(map); k++) {
			size_t m = strlen(map[k].suffix);

			if (n >= m && strcmp(f + n - m, map[k].suffix) == 0 &&
			    (map[k].suffix[0] == '.' || n == m)) {
				json_object_set_new(e, "field", json_string(map[k].field));
				if (map[k].detail)
					json_object_set_new(e, "detail", json_string(map[k].detail));
				break;
			}
		}
	}
}

/* The existing document (normalised) or a new one. */
static enum err form_doc(struct db *db, const struct svc_form *f, json_t **out)
{
	struct arena a;
	struct dir_service s;
	json_t *raw, *errors;
	enum err e;

	*out = NULL;
	if (!f->id) {
		char id[37];

		if (!uuid_v4(id))
			return ERR_INTERNAL;
		*out = json_pack("{s:s, s:s, s:s, s:s}", "id", id, "organization_id", f->org_id, "name", "-",
				 "status", "active");
		return *out ? ERR_OK : ERR_NOMEM;
	}
	arena_init(&a);
	e = dir_db_service(db, &a, f->id, &s);
	if (!e) {
		raw = json_loads(s.doc, 0, NULL);
		errors = json_array();
		*out = raw ? oruk_normalise(raw, errors) : NULL;
		json_decref(raw);
		json_decref(errors);
		if (!*out)
			e = ERR_INTERNAL;
	}
	arena_release(&a);
	return e;
}

enum err directory_save_form(struct db *db, const struct svc_form *f,
		const struct save_opts *opts, struct save_report *report, json_t **fields)
{
	json_t *errors = json_array(), *doc = NULL;
	char id[37];
	enum err e;

	memset(report, 0, sizeof(*report));
	if (fields)
		*fields = NULL;
	if (!errors)
		return ERR_NOMEM;
	if (!directory_check_form(f, errors)) {
		if (fields)
			*fields = errors;
		else
			json_decref(errors);
		return ERR_INVALID;
	}
	json_decref(errors);
	if ((e = form_doc(db, f, &doc)) != ERR_OK)
		return e;
	str_copy(id, sizeof(id), jstr(doc, "id"));
	str_lower_ascii(id, strlen(id));
	oruk_service_set(doc, "organization_id", json_string(f->org_id));
	set_or_del(doc, "name", f->name);
	set_or_del(doc, "description", f->description);
	set_or_del(doc, "eligibility_description", f->who_for);
	set_or_del(doc, "application_process", f->how_to_join);
	apply_attrs(doc, f, id);
	apply_languages(doc, f, id);
	apply_cost(doc, f, id);
	apply_places(doc, f, id);
	apply_scheds(doc, f, id, opts->now);
	apply_contact(doc, f, id);
	e = directory_save(db, doc, opts, report, fields);
	json_decref(doc);
	if (e == ERR_INVALID && fields && *fields)
		form_fields(*fields);
	return e;
}

static json_t *codes_of(const struct vocab_term *t, size_t n, uint64_t bits)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n && i < 64; i++)
		if (bits & (UINT64_C(1) << i))
			json_array_append_new(a, json_string(t[i].code));
	return a;
}

/* The doc's first phone number: the service's own, then a contact's. */
static const char *first_phone(const json_t *doc)
{
	json_t *p, *c;
	size_t i;

	if ((p = json_array_get(json_object_get(doc, "phones"), 0)) && jstr(p, "number"))
		return jstr(p, "number");
	json_array_foreach(json_object_get(doc, "contacts"), i, c)
		if ((p = json_array_get(json_object_get(c, "phones"), 0)) && jstr(p, "number"))
			return jstr(p, "number");
	return NULL;
}

enum err directory_form_values(struct db *db, const char *id, json_t **out)
{
	struct arena a;
	struct dir_service s;
	json_t *doc = NULL, *v, *scheds, *sal = NULL, *sc;
	char lid[37];
	size_t i;
	enum err e;
	bool online = false, wheelchair = false;
	struct oruk_facts f;

	*out = NULL;
	arena_init(&a);
	str_copy(lid, sizeof(lid), id);
	str_lower_ascii(lid, strlen(lid));
	if ((e = dir_db_service(db, &a, lid, &s)) != ERR_OK)
		goto out;
	if (!(doc = json_loads(s.doc, 0, NULL))) {
		e = ERR_INTERNAL;
		goto out;
	}
	if ((e = oruk_derive(doc, &f)) != ERR_OK) {
		oruk_facts_release(&f);
		goto out;
	}
	v = json_pack("{s:s, s:s, s:s}", "id", s.id, "org_id", s.org_id, "name", s.name);
	if (!v) {
		oruk_facts_release(&f);
		e = ERR_NOMEM;
		goto out;
	}
	json_object_set_new(v, "description", json_string(jstr(doc, "description") ? jstr(doc, "description") : ""));
	json_object_set_new(v, "who_for", json_string(jstr(doc, "eligibility_description") ?
						     jstr(doc, "eligibility_description") : ""));
	json_object_set_new(v, "how_to_join", json_string(jstr(doc, "application_process") ?
							 jstr(doc, "application_process") : ""));
	json_object_set_new(v, "join", json_string(vocab_join[f.join].code));
	json_object_set_new(v, "peer_led", json_boolean(f.flags & SF_PEER_LED));
	json_object_set_new(v, "categories", codes_of(vocab_categories, vocab_categories_n, f.categories));
	json_object_set_new(v, "conditions", codes_of(vocab_conditions, vocab_conditions_n, f.conditions));
	json_object_set_new(v, "languages", codes_of(vocab_languages, vocab_languages_n, f.languages));
	json_object_set_new(v, "free", json_boolean(f.flags & SF_FREE));
	json_object_set_new(v, "cost", json_string(jstr(doc, "fees") ? jstr(doc, "fees") : ""));
	json_array_foreach(json_object_get(doc, "service_at_locations"), i, sc) {
		const char *type = jstr(json_object_get(sc, "location"), "location_type");

		if (type && strcmp(type, "virtual") == 0)
			online = true;
		else if (!sal)
			sal = sc;
	}
	json_object_set_new(v, "online", json_boolean(online));
	json_object_set_new(v, "in_person", json_boolean(sal != NULL));
	{
		json_t *loc = json_object_get(sal, "location"), *addr = json_array_get(json_object_get(loc, "addresses"), 0);
		json_t *acc;
		struct buf notes;
		char sf[37], nid[37];

		oruk_derived_id(s.id, "kith:step-free", sf);
		oruk_derived_id(s.id, "kith:access-notes", nid);
		buf_init(&notes, 4096);
		json_array_foreach(json_object_get(loc, "accessibility"), i, acc) {
			const char *aid = jstr(acc, "id");
			const char *words[3] = { jstr(acc, "description"), jstr(acc, "accessibility"),
						 jstr(acc, "details") };

			if (aid && strcmp(aid, sf) == 0) {
				wheelchair = true;
				continue;
			}
			for (int w = 0; w < 3; w++)
				if (words[w] && !(w == 1 && words[0] && strcmp(words[0], words[1]) == 0)) {
					if (notes.len)
						buf_addc(&notes, '\n');
					buf_adds(&notes, words[w]);
				}
		}
		if (!wheelchair && (f.flags & SF_WHEELCHAIR))
			wheelchair = true;
		json_object_set_new(v, "wheelchair", json_boolean(wheelchair));
		json_object_set_new(v, "access_notes", json_string(buf_ok(&notes) ? notes.p : ""));
		buf_release(&notes);
		json_object_set_new(v, "place_name", json_string(jstr(loc, "name") ? jstr(loc, "name") : ""));
		json_object_set_new(v, "address_1", json_string(jstr(addr, "address_1") ? jstr(addr, "address_1") : ""));
		json_object_set_new(v, "address_2", json_string(jstr(addr, "address_2") ? jstr(addr, "address_2") : ""));
		json_object_set_new(v, "town", json_string(jstr(addr, "city") ? jstr(addr, "city") : ""));
		json_object_set_new(v, "postcode", json_string(jstr(addr, "postal_code") ? jstr(addr, "postal_code") : ""));
	}
	json_object_set_new(v, "email", json_string(jstr(doc, "email") ? jstr(doc, "email") : ""));
	json_object_set_new(v, "phone", json_string(first_phone(doc) ? first_phone(doc) : ""));
	json_object_set_new(v, "url", json_string(jstr(doc, "url") ? jstr(doc, "url") : ""));
	scheds = json_array();
	json_array_foreach(json_object_get(doc, "schedules"), i, sc) {
		struct svc_form_sched row;
		char kind[16];

		if (json_array_size(scheds) >= SVC_FORM_SCHEDS)
			break;
		if (!sched_row_of(sc, &row, kind))
			continue;
		json_array_append_new(scheds, json_pack("{s:s, s:i, s:i, s:i, s:s, s:s, s:s}", "kind", row.kind,
			"weekday", row.weekday, "nth", row.nth, "monthday", row.monthday, "opens", row.opens,
			"closes", row.closes ? row.closes : "", "notes", row.notes ? row.notes : ""));
	}
	while (json_array_size(scheds) < SVC_FORM_SCHEDS)
		json_array_append_new(scheds, json_pack("{s:s, s:i, s:i, s:i, s:s, s:s, s:s}", "kind", "",
			"weekday", 0, "nth", 0, "monthday", 0, "opens", "", "closes", "", "notes", ""));
	json_object_set_new(v, "scheds", scheds);
	oruk_facts_release(&f);
	*out = v;
out:
	json_decref(doc);
	arena_release(&a);
	return e;
}

/* ---------------------------------------------------------------- state changes */

enum err directory_set_state(struct db *db, const char *id, enum svc_state state, int64_t actor,
		int64_t now)
{
	char lid[37];
	enum err e;

	UNUSED(actor);
	if (state < 0 || state >= SVC__MAX || !str_copy(lid, sizeof(lid), id))
		return ERR_INVALID;
	str_lower_ascii(lid, strlen(lid));
	if ((e = dir_db_set_state(db, lid, svc_state_name(state), now)) != ERR_OK)
		return e;
	return dir_db_change(db, lid, now);
}

enum err directory_assure(struct db *db, const char *id, int64_t actor, int64_t now)
{
	struct arena a;
	struct dir_service s;
	struct save_report rep;
	json_t *doc = NULL, *fields = NULL;
	char lid[37];
	enum err e;

	if (!str_copy(lid, sizeof(lid), id))
		return ERR_NOT_FOUND;
	str_lower_ascii(lid, strlen(lid));
	arena_init(&a);
	if ((e = dir_db_service(db, &a, lid, &s)) != ERR_OK)
		goto out;
	if (!(doc = json_loads(s.doc, 0, NULL))) {
		e = ERR_INTERNAL;
		goto out;
	}
	{
		struct save_opts o = { .source = SRC_FORM, .actor = actor, .now = now, .assure = true };

		e = directory_save(db, doc, &o, &rep, &fields);
	}
out:
	json_decref(fields);
	json_decref(doc);
	arena_release(&a);
	return e;
}

enum err directory_meta(struct db *db, struct arena *a, const char *id, struct svc_meta *out)
{
	struct dir_service s;
	char lid[37];
	enum err e;

	memset(out, 0, sizeof(*out));
	if (!id || !str_copy(lid, sizeof(lid), id))
		return ERR_NOT_FOUND;
	str_lower_ascii(lid, strlen(lid));
	if ((e = dir_db_service(db, a, lid, &s)) != ERR_OK)
		return e;
	str_copy(out->id, sizeof(out->id), s.id);
	str_copy(out->org_id, sizeof(out->org_id), s.org_id);
	out->name = s.name;
	out->org_name = s.org_name;
	out->state = state_parse(s.state);
	out->assured_at = s.assured_at;
	out->last_modified = s.last_modified;
	out->stale_flagged = s.stale_flagged_at != 0;
	out->stale_hidden = s.stale_hidden_at != 0;
	out->duplicate_flagged = s.duplicate_of != NULL;
	out->flags = (uint32_t)s.flags;
	return ERR_OK;
}

/* ---------------------------------------------------------------- words */

/* Is a check on this day older than stale_months whole months today? */
static bool overdue(int64_t assured_at, int64_t now)
{
	int y, m, d, ty, tm, td;
	int months = atomic_load(&stale_months);

	if (!assured_at)
		return true;
	uk_date(assured_at / 86400, &y, &m, &d);
	uk_date(uk_local_day(now), &ty, &tm, &td);
	m += months;
	y += (m - 1) / 12;
	m = (m - 1) % 12 + 1;
	if (d > uk_days_in_month(y, m))
		d = uk_days_in_month(y, m);
	return uk_days(ty, tm, td) > uk_days(y, m, d);
}

static int64_t overdue_cutoff(int64_t now)
{
	int y, m, d;
	int months = atomic_load(&stale_months);

	uk_date(uk_local_day(now), &y, &m, &d);
	m -= months;
	while (m < 1) {
		m += 12;
		y--;
	}
	if (d > uk_days_in_month(y, m))
		d = uk_days_in_month(y, m);
	return uk_days(y, m, d) * 86400;
}

static json_t *checked_json(int64_t assured_at, int64_t now)
{
	char date[UK_FORMAT_MAX], ago[48], iso[11];

	if (!assured_at)
		return json_pack("{s:s, s:b}", "words", "Not checked yet", "overdue", true);
	uk_format_day(assured_at / 86400, date, sizeof(date));
	uk_ago_words(assured_at / 86400, uk_local_day(now), ago, sizeof(ago));
	oruk_format_date(assured_at, iso);
	return json_pack("{s:o, s:s, s:s, s:s, s:b}", "words", json_sprintf("Checked %s (%s)", ago, date),
			 "ago", ago, "date", date, "iso", iso, "overdue", overdue(assured_at, now));
}

/* "Tuesday 24 November, 10:00" (no time when the schedule has none). */
static void session_words(int64_t t, bool with_time, char *out, size_t n)
{
	struct uk_tm tm;

	uk_from_utc(t, &tm);
	if (with_time)
		snprintf(out, n, "%s %d %s, %02d:%02d", uk_weekday_name(tm.wday), tm.day,
			 uk_month_name(tm.month), tm.hour, tm.min);
	else
		snprintf(out, n, "%s %d %s", uk_weekday_name(tm.wday), tm.day, uk_month_name(tm.month));
}

static void distance_words(double metres, char *out, size_t n)
{
	double miles = geo_miles(metres);

	if (miles < 0.1)
		snprintf(out, n, "Less than 0.1 miles");
	else if (miles < 9.95) {
		snprintf(out, n, "%.1f miles", miles);
		if (strcmp(out, "1.0 miles") == 0)
			snprintf(out, n, "1 mile");
	} else
		snprintf(out, n, "%.0f miles", miles);
}

/* The first sentence (or line) of a text, at most max bytes, cut at a
 * space, into the arena. */
static const char *first_sentence(struct arena *a, const char *s, size_t max)
{
	size_t n = 0, cut;

	if (!s)
		return NULL;
	while (s[n] && s[n] != '\n') {
		if ((s[n] == '.' || s[n] == '!' || s[n] == '?') && (s[n + 1] == ' ' || s[n + 1] == '\n' || !s[n + 1])) {
			n++;
			break;
		}
		n++;
	}
	if (n <= max)
		return arena_strndup(a, s, n);
	cut = max;
	while (cut > 0 && s[cut] != ' ')
		cut--;
	if (cut == 0)
		cut = max;
	while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
		cut--;
	return arena_printf(a, "%.*s…", (int)cut, s);
}

static json_t *vocab_names(const struct vocab_term *t, size_t n, uint64_t bits, bool objects)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n && i < 64; i++)
		if (bits & (UINT64_C(1) << i))
			json_array_append_new(a, objects ? json_pack("{s:s, s:s}", "code", t[i].code, "name", t[i].name)
						      : json_string(t[i].name));
	return a;
}

/* Paragraphs: the text split at blank lines. */
static json_t *paragraphs(const char *s)
{
	json_t *a = json_array();

	while (s && *s) {
		const char *e = strstr(s, "\n\n");
		size_t n = e ? (size_t)(e - s) : strlen(s);

		if (n)
			json_array_append_new(a, json_stringn(s, n));
		s = e ? e + 2 : s + n;
	}
	return a;
}

/* The cost in words, from the flags, fees and cost options. */
static const char *cost_words(struct arena *a, const json_t *doc, int64_t flags)
{
	json_t *co;
	size_t i;
	struct buf b;
	const char *out;

	if (flags & SF_FREE)
		return "Free";
	if (jstr(doc, "fees"))
		return jstr(doc, "fees");
	if (jstr(doc, "fees_description"))
		return jstr(doc, "fees_description");
	buf_init(&b, 2048);
	json_array_foreach(json_object_get(doc, "cost_options"), i, co) {
		json_t *amt = json_object_get(co, "amount");
		const char *words = jstr(co, "amount_description"), *opt = jstr(co, "option");

		if (b.len)
			buf_adds(&b, "; ");
		if (opt && words && strcmp(opt, words) != 0)
			buf_addf(&b, "%s: ", opt);
		if (json_is_number(amt) && (!words || !strchr(words, '\xc2'))) {
			double v = json_number_value(amt);

			if (v == 0)
				buf_adds(&b, "free");
			else if (v == (double)(int64_t)v)
				buf_addf(&b, "£%lld", (long long)v);
			else
				buf_addf(&b, "£%.2f", v);
			if (words)
				buf_addf(&b, " %s", words);
		} else if (words) {
			buf_adds(&b, words);
		} else if (opt) {
			buf_adds(&b, opt);
		}
	}
	out = b.len && buf_ok(&b) ? arena_strndup(a, b.p, b.len) : NULL;
	buf_release(&b);
	return out;
}

/* ---------------------------------------------------------------- views */

struct when {
	json_t *words, *notes;
	int64_t next;
	bool next_timed;
	struct buf w;
};

static void when_one(struct when *wh, const json_t *sc, int64_t now)
{
	struct sched s;
	const char *why;
	int64_t t;

	if (sched_from_oruk(sc, &s, &why) == ERR_OK) {
		buf_reset(&wh->w);
		sched_words(&s, &wh->w);
		if (buf_ok(&wh->w) && wh->w.len)
			json_array_append_new(wh->words, json_stringn(wh->w.p, wh->w.len));
		t = sched_next(&s, now);
		if (t && (!wh->next || t < wh->next)) {
			wh->next = t;
			wh->next_timed = s.opens >= 0;
		}
	} else if (jstr(sc, "description")) {
		json_array_append_new(wh->words, json_string(jstr(sc, "description")));
	}
	if (jstr(sc, "notes"))
		json_array_append_new(wh->notes, json_string(jstr(sc, "notes")));
}

/* Schedules' words and the next session of all of them. */
static void when_json(const json_t *doc, int64_t now, json_t *view)
{
	struct when wh = { .words = json_array(), .notes = json_array() };
	json_t *sc, *sal;
	size_t i, j;

	buf_init(&wh.w, 1024);
	json_array_foreach(json_object_get(doc, "schedules"), i, sc)
		when_one(&wh, sc, now);
	json_array_foreach(json_object_get(doc, "service_at_locations"), j, sal)
		json_array_foreach(json_object_get(sal, "schedules"), i, sc)
			when_one(&wh, sc, now);
	buf_release(&wh.w);
	json_object_set_new(view, "when", wh.words);
	json_object_set_new(view, "when_notes", wh.notes);
	if (wh.next) {
		char words[96], iso[21], date[UK_FORMAT_MAX], tm[UK_FORMAT_MAX];

		session_words(wh.next, wh.next_timed, words, sizeof(words));
		oruk_format_datetime(wh.next, iso);
		uk_format_day_date(wh.next, date, sizeof(date));
		uk_format_time(wh.next, tm, sizeof(tm));
		json_object_set_new(view, "next_session", json_pack("{s:s+, s:s, s:s, s:s?, s:s}",
			"words", "Next: ", words, "short", words, "iso", iso,
			"time", wh.next_timed ? tm : NULL, "date", date));
	}
}

static json_t *where_json(const json_t *doc, bool *online)
{
	json_t *where = json_array(), *sal;
	size_t i;

	*online = false;
	json_array_foreach(json_object_get(doc, "service_at_locations"), i, sal) {
		json_t *loc = json_object_get(sal, "location"), *addr, *lines, *acc, *a, *place;
		const char *type = jstr(loc, "location_type");
		size_t j;

		if (!loc)
			continue;
		if (type && strcmp(type, "virtual") == 0) {
			*online = true;
			continue;
		}
		addr = json_array_get(json_object_get(loc, "addresses"), 0);
		lines = json_array();
		if (jstr(addr, "address_1"))
			json_array_append_new(lines, json_string(jstr(addr, "address_1")));
		if (jstr(addr, "address_2"))
			json_array_append_new(lines, json_string(jstr(addr, "address_2")));
		if (jstr(addr, "city"))
			json_array_append_new(lines, json_string(jstr(addr, "city")));
		acc = json_array();
		json_array_foreach(json_object_get(loc, "accessibility"), j, a) {
			const char *t = jstr(a, "description") ? jstr(a, "description") : jstr(a, "accessibility");

			if (t)
				json_array_append_new(acc, json_string(t));
			if (jstr(a, "details"))
				json_array_append_new(acc, json_string(jstr(a, "details")));
		}
		place = json_pack("{s:s?, s:o, s:s?, s:s?, s:o, s:s?}", "name", jstr(loc, "name"), "lines", lines,
				  "town", jstr(addr, "city"), "postcode", jstr(addr, "postal_code"),
				  "accessibility", acc, "description", jstr(loc, "description"));
		if (place)
			json_array_append_new(where, place);
	}
	return where;
}

/* The parsed documents of the service pages and the list forms of the
 * results lately shown: parsing them was a third of each page's time
 * (issue 10). Bounded, and never stale (jcache.h). */
static struct jcache doc_cache = JCACHE_INIT;
static struct jcache flat_cache = JCACHE_INIT;

enum err directory_service_view(const struct links *links, struct db *db, const char *id, int64_t now,
		json_t **out)
{
	struct arena a;
	struct dir_service s;
	json_t *doc = NULL, *v = NULL, *langs, *l, *contact;
	struct oruk_facts f;
	bool online, facts = false;
	char lid[37];
	size_t i;
	enum err e;
	const char *cost;

	*out = NULL;
	if (!id || !str_copy(lid, sizeof(lid), id))
		return ERR_NOT_FOUND;
	str_lower_ascii(lid, strlen(lid));
	arena_init(&a);
	if ((e = dir_db_service(db, &a, lid, &s)) != ERR_OK)
		goto out;
	/* Shared with other requests: read, never changed (jcache.h). */
	if (!(doc = jcache_loads(&doc_cache, s.id, s.doc))) {
		e = ERR_INTERNAL;
		goto out;
	}
	if ((e = oruk_derive(doc, &f)) != ERR_OK)
		goto out;
	facts = true;
	v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}}", "id", s.id, "name", s.name,
		      "href", link_path(links, &a, "directory.service", s.id, NULL),
		      "state", s.state, "status", jstr(doc, "status") ? jstr(doc, "status") : "active",
		      "org", "id", s.org_id, "name", s.org_name,
		      "href", link_path(links, &a, "directory.organisation", s.org_id, NULL));
	if (!v) {
		e = ERR_NOMEM;
		goto out;
	}
	json_object_set_new(v, "description", paragraphs(jstr(doc, "description")));
	if (jstr(doc, "description"))
		json_object_set_new(v, "summary", json_string(first_sentence(&a, jstr(doc, "description"), 200)));
	if (jstr(doc, "eligibility_description"))
		json_object_set_new(v, "who_for", json_string(jstr(doc, "eligibility_description")));
	{
		json_t *mn = json_object_get(doc, "minimum_age"), *mx = json_object_get(doc, "maximum_age");

		if (mn && mx)
			json_object_set_new(v, "ages", json_sprintf("Ages %g to %g", json_number_value(mn),
								    json_number_value(mx)));
		else if (mn)
			json_object_set_new(v, "ages", json_sprintf("Ages %g and over", json_number_value(mn)));
		else if (mx)
			json_object_set_new(v, "ages", json_sprintf("Up to age %g", json_number_value(mx)));
	}
	if (jstr(doc, "alert"))
		json_object_set_new(v, "alert", json_string(jstr(doc, "alert")));
	json_object_set_new(v, "categories", vocab_names(vocab_categories, vocab_categories_n, f.categories, true));
	json_object_set_new(v, "conditions", vocab_names(vocab_conditions, vocab_conditions_n, f.conditions, true));
	when_json(doc, now, v);
	json_object_set_new(v, "where", where_json(doc, &online));
	json_object_set_new(v, "online", json_boolean(f.flags & SF_ONLINE));
	json_object_set_new(v, "in_person", json_boolean(f.flags & SF_IN_PERSON));
	json_object_set_new(v, "step_free", json_boolean(f.flags & SF_WHEELCHAIR));
	cost = cost_words(&a, doc, f.flags);
	json_object_set_new(v, "cost", json_pack("{s:b, s:s?, s:b}", "free", (f.flags & SF_FREE) != 0,
		"words", cost ? cost : "Ask the organiser about cost", "known", cost != NULL));
	langs = json_array();
	json_array_foreach(json_object_get(doc, "languages"), i, l)
		if (jstr(l, "name") || jstr(l, "code"))
			json_array_append_new(langs, json_string(jstr(l, "name") ? jstr(l, "name") : jstr(l, "code")));
	json_object_set_new(v, "languages", langs);
	json_object_set_new(v, "join", json_pack("{s:s, s:s, s:o}", "code", vocab_join[f.join].code,
		"words", vocab_join[f.join].name, "how", paragraphs(jstr(doc, "application_process"))));
	json_object_set_new(v, "peer_led", json_boolean(f.flags & SF_PEER_LED));
	contact = json_object();
	if (jstr(doc, "email"))
		json_object_set_new(contact, "email", json_string(jstr(doc, "email")));
	if (first_phone(doc))
		json_object_set_new(contact, "phone", json_string(first_phone(doc)));
	if (jstr(doc, "url"))
		json_object_set_new(contact, "url", json_string(jstr(doc, "url")));
	json_object_set_new(v, "has_contact", json_boolean(json_object_size(contact) > 0));
	json_object_set_new(v, "contact", contact);
	{
		json_t *areas = json_array(), *ar;

		json_array_foreach(json_object_get(doc, "service_areas"), i, ar)
			if (jstr(ar, "name"))
				json_array_append_new(areas, json_string(jstr(ar, "name")));
		json_object_set_new(v, "service_areas", areas);
	}
	json_object_set_new(v, "checked", checked_json(s.assured_at, now));
	json_object_set_new(v, "check_overdue", json_boolean(overdue(s.assured_at, now)));
	{
		char date[UK_FORMAT_MAX], iso[21];

		uk_format_date(s.last_modified, date, sizeof(date));
		oruk_format_datetime(s.last_modified, iso);
		json_object_set_new(v, "updated", json_pack("{s:s+, s:s}", "words", "Updated ", date, "iso", iso));
	}
	*out = v;
	v = NULL;
out:
	if (facts)
		oruk_facts_release(&f);
	json_decref(v);
	json_decref(doc);
	arena_release(&a);
	return e;
}

/* One search-result or list entry from a service row (no document). */
static json_t *summary_json(const struct links *links, struct arena *a, const struct dir_service *s,
		const struct search_hit *hit, int64_t now)
{
	json_t *flat = jcache_loads(&flat_cache, s->id, s->flat), *o, *access = json_array();
	const char *what, *desc = jstr(flat, "description"), *cost = NULL;
	int64_t next = hit ? hit->next_session : 0;

	if (!next && s->scheds && s->scheds[0]) {
		/* Not from a search: the next session of its schedules. */
		for (const char *p = s->scheds; *p;) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			struct sched sc;
			int64_t t;

			if (sched_decode(p, n, &sc) && (t = sched_next(&sc, now)) && (!next || t < next))
				next = t;
			p = nl ? nl + 1 : p + n;
		}
	}
	what = first_sentence(a, desc, 160);
	if (!what)
		for (size_t i = 0; i < vocab_categories_n; i++)
			if (s->categories & (int64_t)(UINT64_C(1) << i)) {
				what = vocab_categories[i].name;
				break;
			}
	if (s->flags & SF_FREE)
		cost = "Free";
	else if (jstr(flat, "fees"))
		cost = first_sentence(a, jstr(flat, "fees"), 60);
	if (s->flags & SF_WHEELCHAIR)
		json_array_append_new(access, json_string("Step-free"));
	if ((s->flags & SF_ONLINE) && (s->flags & SF_IN_PERSON))
		json_array_append_new(access, json_string("Online too"));
	else if (s->flags & SF_ONLINE)
		json_array_append_new(access, json_string("Online or by phone"));
	if (s->flags & SF_PEER_LED)
		json_array_append_new(access, json_string("Peer-led"));
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:o, s:o, s:b}", "id", s->id, "name", s->name,
		      "href", link_path(links, a, "directory.service", s->id, NULL), "org_id", s->org_id, "org_name", s->org_name, "what", what,
		      "cost", cost, "access", access,
		      "categories", vocab_names(vocab_categories, vocab_categories_n, (uint64_t)s->categories, false),
		      "free", (s->flags & SF_FREE) != 0);
	if (o && next) {
		char words[96], iso[21];
		struct uk_tm tm;

		uk_from_utc(next, &tm);
		session_words(next, tm.hour || tm.min, words, sizeof(words));
		oruk_format_datetime(next, iso);
		json_object_set_new(o, "next", json_string(words));
		json_object_set_new(o, "next_iso", json_string(iso));
	}
	if (o && hit && hit->distance_m >= 0) {
		char d[48];

		distance_words(hit->distance_m, d, sizeof(d));
		json_object_set_new(o, "distance", json_string(d));
		json_object_set_new(o, "distance_m", json_real(hit->distance_m));
	}
	json_decref(flat);
	return o;
}

enum err directory_summaries(const struct links *links, struct db *db, const struct search_hit *hits,
		size_t n, int64_t now, json_t **out)
{
	struct arena a;
	struct dir_service *rows;
	const char **ids;
	json_t *list = json_array();
	enum err e = ERR_OK;

	*out = NULL;
	if (!list)
		return ERR_NOMEM;
	arena_init(&a);
	rows = arena_calloc(&a, n ? n : 1, sizeof(*rows));
	ids = arena_calloc(&a, n ? n : 1, sizeof(*ids));
	if (!rows || !ids) {
		e = ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		ids[i] = hits[i].id;
	if ((e = dir_db_services(db, &a, ids, n, false, rows)) != ERR_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		json_t *o;

		/* Gone since the index saw it: left out, not an error. */
		if (!rows[i].id)
			continue;
		if (!(o = summary_json(links, &a, &rows[i], &hits[i], now))) {
			e = ERR_NOMEM;
			goto out;
		}
		json_array_append_new(list, o);
	}
out:
	if (e)
		json_decref(list);
	else
		*out = list;
	arena_release(&a);
	return e;
}

enum err directory_org_view(const struct links *links, struct db *db, const char *org_id, int64_t now,
		json_t **out)
{
	struct arena a;
	struct org_record o;
	struct dir_service *rows;
	size_t n;
	json_t *v = NULL, *doc = NULL, *list;
	char lid[37];
	enum err e;

	*out = NULL;
	if (!org_id || !str_copy(lid, sizeof(lid), org_id))
		return ERR_NOT_FOUND;
	str_lower_ascii(lid, strlen(lid));
	arena_init(&a);
	if ((e = org_get(db, &a, lid, &o)) != ERR_OK)
		goto out;
	if ((e = dir_db_org_services(db, &a, lid, true, &rows, &n)) != ERR_OK)
		goto out;
	doc = o.doc ? json_loads(o.doc, 0, NULL) : NULL;
	v = json_pack("{s:s, s:s, s:s}", "id", o.id, "name", o.name,
		      "href", link_path(links, &a, "directory.organisation", o.id, NULL));
	list = json_array();
	if (!v || !list) {
		json_decref(list);
		e = ERR_NOMEM;
		goto out;
	}
	{
		const char *desc = jstr(doc, "description") ? jstr(doc, "description") : o.description;

		/* The name standing in for a missing description (ORUK needs
		 * one) says nothing on the page. */
		if (desc && strcmp(desc, o.name) != 0)
			json_object_set_new(v, "description", paragraphs(desc));
		else
			json_object_set_new(v, "description", json_array());
	}
	if (jstr(doc, "email") || o.email)
		json_object_set_new(v, "email", json_string(jstr(doc, "email") ? jstr(doc, "email") : o.email));
	if (jstr(doc, "website") || o.url)
		json_object_set_new(v, "website", json_string(jstr(doc, "website") ? jstr(doc, "website") : o.url));
	if (o.charity)
		json_object_set_new(v, "charity_number", json_string(o.charity));
	for (size_t i = 0; i < n; i++) {
		json_t *s = summary_json(links, &a, &rows[i], NULL, now);

		if (s)
			json_array_append_new(list, s);
	}
	json_object_set_new(v, "services", list);
	json_object_set_new(v, "count", json_integer((json_int_t)json_array_size(list)));
	*out = v;
	v = NULL;
out:
	json_decref(v);
	json_decref(doc);
	arena_release(&a);
	return e;
}

static json_t *assured_words(int64_t assured_at, int64_t now)
{
	char ago[48], date[UK_FORMAT_MAX];

	if (!assured_at)
		return json_string("Never checked");
	uk_ago_words(assured_at / 86400, uk_local_day(now), ago, sizeof(ago));
	uk_format_day(assured_at / 86400, date, sizeof(date));
	return json_sprintf("Checked %s (%s)", ago, date);
}

enum err directory_org_services(const struct links *links, struct db *db, const char *org_id, int64_t now,
		json_t **out)
{
	struct arena a;
	struct dir_service *rows;
	size_t n;
	json_t *list;
	char lid[37];
	enum err e;

	*out = NULL;
	if (!org_id || !str_copy(lid, sizeof(lid), org_id))
		return ERR_NOT_FOUND;
	str_lower_ascii(lid, strlen(lid));
	arena_init(&a);
	if ((e = dir_db_org_services(db, &a, lid, false, &rows, &n)) != ERR_OK) {
		arena_release(&a);
		return e;
	}
	list = json_array();
	for (size_t i = 0; list && i < n; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:o, s:b, s:b, s:b, s:b}",
			"id", rows[i].id, "name", rows[i].name, "state", rows[i].state,
			"href", link_path(links, &a, "directory.service", rows[i].id, NULL), "assured", assured_words(rows[i].assured_at, now),
			"overdue", rows[i].state[0] == 'p' && overdue(rows[i].assured_at, now),
			"stale", rows[i].stale_flagged_at || rows[i].stale_hidden_at,
			"hidden", rows[i].stale_hidden_at != 0, "duplicate", rows[i].duplicate_of != NULL));
	arena_release(&a);
	*out = list;
	return list ? ERR_OK : ERR_NOMEM;
}

enum err directory_review_list(const struct links *links, struct db *db, int limit, int offset,
		int64_t now, json_t **out, int64_t *total)
{
	struct arena a;
	struct dir_service *rows;
	size_t n;
	json_t *list;
	char months[64];
	enum err e;

	*out = NULL;
	if (limit < 1 || limit > 1000 || offset < 0)
		return ERR_INVALID;
	arena_init(&a);
	if ((e = dir_db_review(db, &a, overdue_cutoff(now), limit, offset, &rows, &n, total)) != ERR_OK) {
		arena_release(&a);
		return e;
	}
	snprintf(months, sizeof(months), "Not checked for over %d months", atomic_load(&stale_months));
	list = json_array();
	for (size_t i = 0; list && i < n; i++) {
		const struct dir_service *s = &rows[i];
		json_t *reasons = json_array(), *o;

		if (strcmp(s->state, "draft") == 0)
			json_array_append_new(reasons, json_string("Draft: waiting to be published"));
		if (s->duplicate_of)
			json_array_append_new(reasons, json_string("May be a duplicate of another service"));
		if (s->stale_hidden_at)
			json_array_append_new(reasons, json_string("Hidden from search until someone checks it"));
		else if (s->stale_flagged_at)
			json_array_append_new(reasons, json_string("The organiser has not confirmed it is still running"));
		else if (strcmp(s->state, "published") == 0 && overdue(s->assured_at, now))
			json_array_append_new(reasons, json_string(months));
		if (s->feed_gone_at) {
			char day[40];

			uk_format_date(s->feed_gone_at, day, sizeof(day));
			json_array_append_new(reasons, json_sprintf("No longer in the feed it was imported from "
				"(missing since %s): is it still running?", day));
		}
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o}", "id", s->id, "name", s->name,
			      "href", link_path(links, &a, "directory.service", s->id, NULL), "org_id", s->org_id, "org_name", s->org_name,
			      "reasons", reasons, "state", s->state, "assured", assured_words(s->assured_at, now));
		if (o && s->duplicate_of)
			json_object_set_new(o, "duplicate_of", json_string(s->duplicate_of));
		if (o)
			json_array_append_new(list, o);
	}
	arena_release(&a);
	*out = list;
	return list ? ERR_OK : ERR_NOMEM;
}
