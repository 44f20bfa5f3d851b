/*
 * test_directory_data.c - the directory's data layer through a running
 * app, on SQLite and (with KITH_TEST_PG_URL) PostgreSQL: saving (created,
 * updated, unchanged with nothing written, refused with reasons, likely
 * duplicates flagged), the organisation upserted from the document, the
 * search index following saves and state changes (and the sync job's
 * interval), the view models the pages render, the organiser's form
 * (messages, values, merging into a richer document), and importing the
 * real North Lincolnshire feed (every one of its 738 records counted,
 * a second import all unchanged, an export that imports unchanged).
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/timeutil.h"
#include "directory/directory.h"
#include "directory/directory_feature.h"
#include "directory/directory_db.h"
#include "directory/vocab.h"
#include "oruk/import.h"
#include "oruk/oruk.h"
#include "search/search.h"
#include "store/store.h"
#include "support/reqtest.h"

#define FEED "tests/data/oruk-feeds/north-lincolnshire-2024-12.json"
#define ORG "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
#define ORG2 "e1d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c611"
#define SVC1 "ac148810-d857-441c-9679-408f346de14b"
#define SVC2 "bc148810-d857-441c-9679-408f346de14c"
#define SVC3 "cc148810-d857-441c-9679-408f346de14d"
/* Tuesday 24 November 2026, 09:00 UTC (GMT). */
#define NOW INT64_C(1795510800)

static const struct sql q_changes = { "test.dir_changes", "SELECT count(*) FROM directory_change", NULL };
static const struct sql q_updated = {
	"test.dir_updated", "SELECT updated_at FROM service WHERE id = $1", NULL };
static const struct sql q_dup = {
	"test.dir_dup", "SELECT count(*) FROM service WHERE id = $1 AND duplicate_of = $2", NULL };
static const struct sql q_state = {
	"test.dir_state", "SELECT count(*) FROM service WHERE id = $1 AND state = $2", NULL };
static const struct sql q_sal = {
	"test.dir_sal", "SELECT count(*) FROM service_at_location WHERE service_id = $1 AND latitude IS NOT NULL", NULL };
static const struct sql q_org_named = {
	"test.dir_org_named", "SELECT count(*) FROM organisation WHERE id = $1 AND name = $2 AND charity_number = $3",
	NULL };
static const struct sql q_published = {
	"test.dir_published", "SELECT count(*) FROM service WHERE state = 'published'", NULL };
static const struct sql q_stale = {
	"test.dir_stale", "UPDATE service SET stale_flagged_at = $2, stale_hidden_at = $2 WHERE id = $1", NULL };

/* ---------------------------------------------------------------- helpers */

static json_t *doc_of(const char *id, const char *name, const char *extra)
{
	char text[8192];
	json_error_t je;
	json_t *j;

	snprintf(text, sizeof(text),
		 "{\"id\":\"%s\",\"name\":\"%s\",\"description\":\"<p>A gentle walk &amp; a chat.</p><p>All welcome.</p>\","
		 "\"email\":\"Walks@Example.org\",\"organization\":{\"id\":\"" ORG "\",\"name\":\"Walkers Trust\","
		 "\"organization_identifiers\":[{\"identifier_scheme\":\"GB-CHC\",\"identifier\":\"1234567\"}]},"
		 "\"service_at_locations\":[{\"location\":{\"name\":\"Church Hall\",\"addresses\":[{\"address_1\":"
		 "\"1 High Street\",\"city\":\"Scunthorpe\",\"postal_code\":\"DN15 6XX\"}],\"accessibility\":"
		 "[{\"description\":\"Step-free access\"}]}}],"
		 "\"schedules\":[{\"freq\":\"WEEKLY\",\"byday\":\"TU\",\"opens_at\":\"10:00\",\"closes_at\":\"11:30\"}],"
		 "\"cost_options\":[{\"option\":\"Free\",\"amount\":0}],"
		 "\"attributes\":[{\"taxonomy_term_id\":\"%s\"},{\"taxonomy_term_id\":\"%s\"},{\"taxonomy_term_id\":\"%s\"}]%s}",
		 id, name, vocab_categories[0].id, vocab_conditions[0].id, vocab_join[JOIN_TURN_UP].id, extra ? extra : "");
	j = json_loads(text, 0, &je);
	if (!j)
		fail_msg("bad test document: %s", je.text);
	return j;
}

/* Saves in its own transaction; returns the error and fills rep/fields. */
static enum err save_doc(struct rt *t, json_t *doc, enum svc_state state, int64_t now,
		struct save_report *rep, json_t **fields)
{
	struct save_opts o = { .source = SRC_IMPORT, .state = state, .now = now };
	struct db *db = rt_db(t);
	enum err e;

	assert_int_equal(db_begin(db), ERR_OK);
	e = directory_save(db, doc, &o, rep, fields);
	if (e)
		db_rollback(db);
	else
		assert_int_equal(db_commit(db), ERR_OK);
	json_decref(doc);
	return e;
}

static void save_ok(struct rt *t, json_t *doc, enum svc_state state, enum save_outcome want)
{
	struct save_report rep;
	json_t *fields = NULL;
	enum err e = save_doc(t, doc, state, NOW, &rep, &fields);

	if (e)
		fail_msg("save failed: %s %s", err_name(e), fields ? json_dumps(fields, 0) : "");
	assert_int_equal(rep.outcome, want);
	assert_int_equal(directory_apply_changes(t->app.directory, rt_db(t)), ERR_OK);
}

static size_t found(struct rt *t, const char *words)
{
	struct search_query q = { .text = words, .limit = 100, .now = NOW };
	struct search_result res;
	struct arena a;
	size_t n;

	arena_init(&a);
	assert_int_equal(search_run(directory_search_index(t->app.directory), &q, &a, &res), ERR_OK);
	n = res.total;
	arena_release(&a);
	return n;
}

static const char *reason0(const json_t *fields)
{
	return oruk_error_reason(json_array_get(fields, 0));
}

/* ---------------------------------------------------------------- saving */

static void save_create_update_unchanged(void **state)
{
	struct rt *t = *state;
	struct save_report rep;
	json_t *fields = NULL;
	int64_t changes, updated;

	assert_int_equal(save_doc(t, doc_of(SVC1, "Wednesday Walk", NULL), SVC_PUBLISHED, NOW, &rep, &fields),
			 ERR_OK);
	assert_int_equal(rep.outcome, SAVE_CREATED);
	assert_string_equal(rep.id, SVC1);
	/* The organisation came with it, its charity number too. */
	assert_int_equal(rt_count(t, &q_org_named, DB_ARGS(DB_TEXT(ORG), DB_TEXT("Walkers Trust"),
							  DB_TEXT("1234567"))), 1);
	/* Its place has a point (from the postcode). */
	assert_int_equal(rt_count(t, &q_sal, DB_ARGS(DB_TEXT(SVC1))), 1);
	changes = rt_count(t, &q_changes, DB_NOARGS);
	updated = rt_count(t, &q_updated, DB_ARGS(DB_TEXT(SVC1)));

	/* The same again, a day later: unchanged, nothing written. */
	assert_int_equal(save_doc(t, doc_of(SVC1, "Wednesday Walk", NULL), SVC_PUBLISHED, NOW + 86400, &rep, &fields),
			 ERR_OK);
	assert_int_equal(rep.outcome, SAVE_UNCHANGED);
	assert_int_equal(rt_count(t, &q_changes, DB_NOARGS), changes);
	assert_int_equal(rt_count(t, &q_updated, DB_ARGS(DB_TEXT(SVC1))), updated);

	/* A new name: updated, one more change. */
	assert_int_equal(save_doc(t, doc_of(SVC1, "Tuesday Walk", NULL), SVC_DRAFT, NOW + 86400, &rep, &fields),
			 ERR_OK);
	assert_int_equal(rep.outcome, SAVE_UPDATED);
	assert_int_equal(rt_count(t, &q_changes, DB_NOARGS), changes + 1);
	assert_int_equal(rt_count(t, &q_updated, DB_ARGS(DB_TEXT(SVC1))), NOW + 86400);
	/* An existing service keeps its state unless asked. */
	assert_int_equal(rt_count(t, &q_state, DB_ARGS(DB_TEXT(SVC1), DB_TEXT("published"))), 1);
}

static void save_refused(void **state)
{
	struct rt *t = *state;
	struct save_report rep;
	json_t *fields = NULL, *d;

	/* No organisation at all. */
	d = json_pack("{s:s, s:s}", "id", SVC1, "name", "Walk");
	assert_int_equal(save_doc(t, d, SVC_PUBLISHED, NOW, &rep, &fields), ERR_INVALID);
	assert_string_equal(reason0(fields), "has no organisation");
	json_decref(fields);
	/* An organisation kith does not know. */
	d = json_pack("{s:s, s:s, s:s}", "id", SVC1, "name", "Walk", "organization_id", ORG2);
	assert_int_equal(save_doc(t, d, SVC_PUBLISHED, NOW, &rep, &fields), ERR_INVALID);
	assert_string_equal(reason0(fields), "its organisation is not in kith and not in the record");
	assert_string_equal(json_string_value(json_object_get(json_array_get(fields, 0), "field")), "organization_id");
	json_decref(fields);
	/* No name. */
	d = doc_of(SVC1, "  ", NULL);
	assert_int_equal(save_doc(t, d, SVC_PUBLISHED, NOW, &rep, &fields), ERR_INVALID);
	assert_string_equal(reason0(fields), "has no name");
	json_decref(fields);
	/* A place whose id another service already uses. */
	save_ok(t, doc_of(SVC1, "Walk", NULL), SVC_PUBLISHED, SAVE_CREATED);
	{
		char sal[37];

		oruk_derived_id(SVC1, "service_at_locations[0]", sal);
		d = json_pack("{s:s, s:s, s:s, s:[{s:s, s:{s:s}}]}", "id", SVC2, "name", "Other",
			      "organization_id", ORG, "service_at_locations", "id", sal, "location", "name", "Hall");
	}
	assert_int_equal(save_doc(t, d, SVC_PUBLISHED, NOW, &rep, &fields), ERR_INVALID);
	assert_string_equal(reason0(fields), "one of its places has an id another service uses");
	json_decref(fields);
	assert_int_equal(rt_count(t, &q_state, DB_ARGS(DB_TEXT(SVC2), DB_TEXT("published"))), 0);
}

static void save_flags_duplicates(void **state)
{
	struct rt *t = *state;
	struct save_report rep;
	json_t *fields = NULL, *d;

	save_ok(t, doc_of(SVC1, "St. Mary's Lunch Club", NULL), SVC_PUBLISHED, SAVE_CREATED);
	/* The same name (punctuation aside) at the same postcode. */
	assert_int_equal(save_doc(t, doc_of(SVC2, "St Marys lunch club!", NULL), SVC_PUBLISHED, NOW, &rep, &fields),
			 ERR_OK);
	assert_int_equal(rep.nduplicates, 1);
	assert_string_equal(rep.duplicates[0], SVC1);
	assert_int_equal(rt_count(t, &q_dup, DB_ARGS(DB_TEXT(SVC2), DB_TEXT(SVC1))), 1);
	/* The same charity under another organisation id, no postcode. */
	d = json_pack("{s:s, s:s, s:{s:s, s:s, s:[{s:s, s:s}]}}", "id", SVC3, "name", "St Mary's Lunch Club",
		      "organization", "id", ORG2, "name", "Walkers Trust (copy)", "organization_identifiers",
		      "identifier_scheme", "GB-CHC", "identifier", "1234567");
	assert_int_equal(save_doc(t, d, SVC_PUBLISHED, NOW, &rep, &fields), ERR_OK);
	assert_true(rep.nduplicates >= 1);
	assert_int_equal(rt_count(t, &q_dup, DB_ARGS(DB_TEXT(SVC3), DB_TEXT(SVC1))), 1);
	/* Renamed: no longer flagged. */
	assert_int_equal(save_doc(t, doc_of(SVC2, "Thursday Lunch", NULL), SVC_PUBLISHED, NOW, &rep, &fields), ERR_OK);
	assert_int_equal(rep.nduplicates, 0);
	assert_int_equal(rt_count(t, &q_dup, DB_ARGS(DB_TEXT(SVC2), DB_TEXT(SVC1))), 0);
}

/* ---------------------------------------------------------------- the index */

static void sync_follows_saves(void **state)
{
	struct rt *t = *state;
	struct db *db = rt_db(t);
	size_t before = search_count(directory_search_index(t->app.directory));

	save_ok(t, doc_of(SVC1, "Nordic Pole Walking", NULL), SVC_PUBLISHED, SAVE_CREATED);
	assert_int_equal(found(t, "nordic"), 1);
	assert_int_equal(search_count(directory_search_index(t->app.directory)), before + 1);
	/* A draft is not searchable. */
	save_ok(t, doc_of(SVC2, "Nordic Draft", NULL), SVC_DRAFT, SAVE_CREATED);
	assert_int_equal(found(t, "nordic"), 1);
	/* Archived: gone from search once synced. */
	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(directory_set_state(db, SVC1, SVC_ARCHIVED, 0, NOW), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	assert_int_equal(found(t, "nordic"), 1);          /* not yet synced */
	assert_int_equal(directory_apply_changes(t->app.directory, db), ERR_OK);
	assert_int_equal(found(t, "nordic"), 0);
	/* Published again (a coordinator): back. */
	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(directory_set_state(db, SVC2, SVC_PUBLISHED, 0, NOW), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	assert_int_equal(directory_apply_changes(t->app.directory, db), ERR_OK);
	assert_int_equal(found(t, "nordic draft"), 1);
	assert_int_equal(directory_set_state(db, "0f8fad5b-d9cb-469f-a165-70867728950e", SVC_PUBLISHED, 0,
					     NOW), ERR_NOT_FOUND);
	/* Hidden as stale: out of search. */
	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(db_exec(db, &q_stale, DB_ARGS(DB_TEXT(SVC2), DB_INT(NOW)), NULL), ERR_OK);
	assert_int_equal(dir_db_change(db, SVC2, NOW), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	assert_int_equal(directory_apply_changes(t->app.directory, db), ERR_OK);
	assert_int_equal(found(t, "nordic"), 0);
	/* Checked by a person: visible again, checked today. */
	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(directory_assure(db, SVC2, 0, NOW), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	assert_int_equal(directory_apply_changes(t->app.directory, db), ERR_OK);
	assert_int_equal(found(t, "nordic"), 1);
}

/* Another process's save reaches this one through the job, at the
 * setting's interval. */
static void sync_job_interval(void **state)
{
	struct rt *t = *state;
	struct db *db = rt_db(t);
	struct save_report rep;
	json_t *fields = NULL;

	assert_int_equal(directory_sync_job(&t->app, db, NOW), ERR_OK);
	assert_int_equal(save_doc(t, doc_of(SVC1, "Zumba Gold", NULL), SVC_PUBLISHED, NOW, &rep, &fields), ERR_OK);
	assert_int_equal(found(t, "zumba"), 0);          /* nobody synced */
	assert_int_equal(directory_sync_job(&t->app, db, NOW + 1), ERR_OK);
	assert_int_equal(found(t, "zumba"), 0);          /* directory_sync = 2: not yet */
	assert_int_equal(directory_sync_job(&t->app, db, NOW + 2), ERR_OK);
	assert_int_equal(found(t, "zumba"), 1);
}

/* A fresh app on the same database builds its index from it. */
static void init_builds_index(void **state)
{
	struct rt *t = *state;
	struct app second;
	char err[256];

	save_ok(t, doc_of(SVC1, "Chair Yoga", NULL), SVC_PUBLISHED, SAVE_CREATED);
	save_ok(t, doc_of(SVC2, "Chair Yoga Draft", NULL), SVC_DRAFT, SAVE_CREATED);
	assert_int_equal(app_init(&second, &t->cfg, false, err, sizeof(err)), ERR_OK);
	assert_int_equal(search_count(directory_search_index(second.directory)), 1);
	{
		struct search_query q = { .text = "yoga", .limit = 10, .now = NOW };
		struct search_result res;
		struct arena a;

		arena_init(&a);
		assert_int_equal(search_run(directory_search_index(second.directory), &q, &a, &res), ERR_OK);
		assert_int_equal(res.total, 1);
		assert_string_equal(res.hits[0].id, SVC1);
		assert_true(res.hits[0].next_session > NOW);
		arena_release(&a);
	}
	app_release(&second);
}

/* ---------------------------------------------------------------- views */

static const char *vs(const json_t *v, const char *path)
{
	json_t *cur = (json_t *)v;
	char buf[128];
	char *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && cur; tok = strtok_r(NULL, ".", &save)) {
		if (tok[0] >= '0' && tok[0] <= '9')
			cur = json_array_get(cur, (size_t)(tok[0] - '0'));
		else
			cur = json_object_get(cur, tok);
	}
	return json_string_value(cur);
}

static void views(void **state)
{
	struct rt *t = *state;
	struct db *db = rt_db(t);
	json_t *v = NULL, *list = NULL;
	struct search_hit hits[2] = { { .id = SVC2, .distance_m = 1287.5, .next_session = NOW + 3600 },
				      { .id = SVC1, .distance_m = -1 } };
	int64_t total = 0;

	/* Checked today; and one checked eight months ago. */
	{
		struct save_report rep;
		json_t *fields = NULL;
		struct save_opts o = { .source = SRC_FORM, .state = SVC_PUBLISHED, .now = NOW, .assure = true };

		assert_int_equal(db_begin(db), ERR_OK);
		v = doc_of(SVC1, "Tuesday Walk", ",\"eligibility_description\":\"Adults living with COPD\","
			   "\"application_process\":\"Just come along.\",\"url\":\"walks.example.org\","
			   "\"phones\":[{\"number\":\"01724 123456\"}]");
		assert_int_equal(directory_save(db, v, &o, &rep, &fields), ERR_OK);
		json_decref(v);
		assert_int_equal(db_commit(db), ERR_OK);
	}
	save_ok(t, doc_of(SVC2, "Old Walk", ",\"assured_date\":\"2026-03-20\""), SVC_PUBLISHED, SAVE_CREATED);

	assert_int_equal(directory_service_view(&t->app.links, db, SVC1, NOW, &v), ERR_OK);
	assert_string_equal(vs(v, "name"), "Tuesday Walk");
	assert_string_equal(vs(v, "org.name"), "Walkers Trust");
	assert_string_equal(vs(v, "org.href"), "/organisations/" ORG);
	assert_string_equal(vs(v, "description.0"), "A gentle walk & a chat.");
	assert_string_equal(vs(v, "description.1"), "All welcome.");
	assert_string_equal(vs(v, "who_for"), "Adults living with COPD");
	assert_string_equal(vs(v, "categories.0.name"), vocab_categories[0].name);
	assert_string_equal(vs(v, "conditions.0.name"), vocab_conditions[0].name);
	assert_string_equal(vs(v, "when.0"), "Every Tuesday, 10:00 to 11:30");
	assert_string_equal(vs(v, "next_session.words"), "Next: Tuesday 24 November, 10:00");
	assert_string_equal(vs(v, "next_session.iso"), "2026-11-24T10:00:00Z");
	assert_string_equal(vs(v, "where.0.name"), "Church Hall");
	assert_string_equal(vs(v, "where.0.lines.0"), "1 High Street");
	assert_string_equal(vs(v, "where.0.lines.1"), "Scunthorpe");
	assert_string_equal(vs(v, "where.0.postcode"), "DN15 6XX");
	assert_string_equal(vs(v, "where.0.accessibility.0"), "Step-free access");
	assert_true(json_is_true(json_object_get(v, "step_free")));
	assert_true(json_is_true(json_object_get(v, "in_person")));
	assert_true(json_is_false(json_object_get(v, "online")));
	assert_string_equal(vs(v, "cost.words"), "Free");
	assert_true(json_is_true(json_object_get(json_object_get(v, "cost"), "free")));
	assert_string_equal(vs(v, "join.code"), "turn-up");
	assert_string_equal(vs(v, "join.words"), vocab_join[JOIN_TURN_UP].name);
	assert_string_equal(vs(v, "join.how.0"), "Just come along.");
	assert_string_equal(vs(v, "contact.email"), "walks@example.org");
	assert_string_equal(vs(v, "contact.phone"), "01724 123456");
	assert_string_equal(vs(v, "contact.url"), "https://walks.example.org");
	assert_string_equal(vs(v, "checked.words"), "Checked today (24 November 2026)");
	assert_true(json_is_false(json_object_get(v, "check_overdue")));
	assert_string_equal(vs(v, "state"), "published");
	json_decref(v);

	assert_int_equal(directory_service_view(&t->app.links, db, SVC2, NOW, &v), ERR_OK);
	assert_string_equal(vs(v, "checked.words"), "Checked 8 months ago (20 March 2026)");
	assert_true(json_is_true(json_object_get(v, "check_overdue")));
	json_decref(v);
	assert_int_equal(directory_service_view(&t->app.links, db, "0f8fad5b-d9cb-469f-a165-70867728950e", NOW, &v), ERR_NOT_FOUND);

	/* Summaries: one query, in the hits' order. */
	assert_int_equal(directory_summaries(&t->app.links, db, hits, 2, NOW, &list), ERR_OK);
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(vs(list, "0.id"), SVC2);
	assert_string_equal(vs(list, "0.name"), "Old Walk");
	assert_string_equal(vs(list, "0.org_name"), "Walkers Trust");
	assert_string_equal(vs(list, "0.what"), "A gentle walk & a chat.");
	assert_string_equal(vs(list, "0.distance"), "0.8 miles");
	assert_string_equal(vs(list, "0.next"), "Tuesday 24 November, 10:00");
	assert_string_equal(vs(list, "0.cost"), "Free");
	assert_string_equal(vs(list, "0.access.0"), "Step-free");
	assert_string_equal(vs(list, "0.categories.0"), vocab_categories[0].name);
	assert_string_equal(vs(list, "1.id"), SVC1);
	assert_null(json_object_get(json_array_get(list, 1), "distance"));
	json_decref(list);

	/* The organisation's page and its organisers' list. */
	assert_int_equal(directory_org_view(&t->app.links, db, ORG, NOW, &v), ERR_OK);
	assert_string_equal(vs(v, "name"), "Walkers Trust");
	assert_int_equal(json_integer_value(json_object_get(v, "count")), 2);
	assert_string_equal(vs(v, "services.0.name"), "Old Walk");
	assert_string_equal(vs(v, "charity_number"), "1234567");
	json_decref(v);
	assert_int_equal(directory_org_services(&t->app.links, db, ORG, NOW, &list), ERR_OK);
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(vs(list, "1.name"), "Tuesday Walk");
	assert_string_equal(vs(list, "1.state"), "published");
	assert_string_equal(vs(list, "1.assured"), "Checked today (24 November 2026)");
	assert_true(json_is_true(json_object_get(json_array_get(list, 0), "overdue")));
	json_decref(list);

	/* The review list: the overdue one, with its reason. */
	assert_int_equal(directory_review_list(&t->app.links, db, 10, 0, NOW, &list, &total), ERR_OK);
	assert_int_equal(total, 1);
	assert_string_equal(vs(list, "0.id"), SVC2);
	assert_string_equal(vs(list, "0.reasons.0"), "Not checked for over 6 months");
	json_decref(list);

	{
		struct svc_meta m;
		struct arena a;

		arena_init(&a);
		assert_int_equal(directory_meta(db, &a, SVC1, &m), ERR_OK);
		assert_string_equal(m.org_id, ORG);
		assert_string_equal(m.name, "Tuesday Walk");
		assert_int_equal(m.state, SVC_PUBLISHED);
		assert_int_equal(directory_meta(db, &a, "0f8fad5b-d9cb-469f-a165-70867728950e", &m), ERR_NOT_FOUND);
		arena_release(&a);
	}
}

/* ---------------------------------------------------------------- forms */

static void form_checks(void **state)
{
	struct svc_form f = { .org_id = ORG, .name = " ", .description = "x", .in_person = true,
			      .address_1 = "1 High St", .town = "Brigg", .postcode = "ZZZ", .free = true,
			      .email = "not an email",
			      .scheds = { { .kind = "weekly", .weekday = 1, .opens = "25:00" },
					  { .kind = "weekly", .weekday = 2, .opens = "10:00", .closes = "09:00" } } };
	json_t *errors = json_array();
	bool ok;

	UNUSED(state);
	ok = directory_check_form(&f, errors);
	assert_false(ok);
#define HAS(field, detail) do { \
		bool seen = false; json_t *e_; size_t i_; \
		json_array_foreach(errors, i_, e_) \
			if (strcmp(json_string_value(json_object_get(e_, "field")), field) == 0 && \
			    strcmp(json_string_value(json_object_get(e_, "detail")), detail) == 0) seen = true; \
		assert_true(seen); } while (0)
	HAS("name", "Enter the name of the service");
	HAS("postcode", "Enter a real postcode, like DN15 6XX");
	HAS("email", "Enter an email address like name@example.org");
	HAS("scheds[0].opens", "Enter a start time like 10:00");
	HAS("scheds[1].closes", "The end time must be after the start time");
	json_decref(errors);
	errors = json_array();
	f.name = "Walk";
	f.postcode = "dn15 6xx";
	f.email = NULL;
	f.scheds[0].opens = "10:00";
	f.scheds[1].closes = "11:00";
	assert_true(directory_check_form(&f, errors));
	assert_int_equal(json_array_size(errors), 0);
	json_decref(errors);
}

static void form_round_trip(void **state)
{
	struct rt *t = *state;
	struct db *db = rt_db(t);
	struct save_report rep;
	json_t *fields = NULL, *v = NULL;
	struct save_opts o = { .source = SRC_FORM, .state = SVC_DRAFT, .now = NOW };
	int cat = vocab_find(vocab_categories, vocab_categories_n, "lunch-club");
	struct svc_form f = {
		.id = SVC1, .org_id = ORG, .name = "Lunch Club", .description = "Soup and a chat.\n\nEvery week.",
		.who_for = "Older people", .how_to_join = "Ring first", .join = JOIN_SELF_REFER, .peer_led = true,
		.categories = UINT64_C(1) << cat, .languages = 1u << 3, .free = false, .cost = "£3 a meal",
		.in_person = true, .online = true, .wheelchair = true, .access_notes = "Hearing loop",
		.place_name = "Village Hall", .address_1 = "2 Main Road", .town = "Brigg", .postcode = "DN20 8AA",
		.email = "lunch@example.org", .phone = "01652 123456", .url = "https://example.org/lunch",
		.scheds = { { .kind = "monthly", .weekday = 3, .nth = -1, .opens = "12:00", .closes = "13:30" },
			    { .kind = "fortnightly", .weekday = 0, .opens = "18:00" } },
	};

	/* An imported service with more than the form shows. */
	save_ok(t, doc_of(SVC1, "Lunch", ",\"schedules\":[{\"freq\":\"WEEKLY\",\"byday\":\"MO,WE\",\"opens_at\":\"09:00\"}],"
			  "\"contacts\":[{\"phones\":[{\"number\":\"0800 111 222\"}]}],"
			  "\"funding\":[{\"source\":\"The council\"}]"), SVC_PUBLISHED, SAVE_CREATED);
	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(directory_save_form(db, &f, &o, &rep, &fields), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	assert_int_equal(rep.outcome, SAVE_UPDATED);
	assert_int_equal(directory_form_values(db, SVC1, &v), ERR_OK);
	assert_string_equal(vs(v, "name"), "Lunch Club");
	assert_string_equal(vs(v, "description"), "Soup and a chat.\n\nEvery week.");
	assert_string_equal(vs(v, "who_for"), "Older people");
	assert_string_equal(vs(v, "join"), "self-refer");
	assert_true(json_is_true(json_object_get(v, "peer_led")));
	assert_string_equal(vs(v, "categories.0"), "lunch-club");
	assert_int_equal(json_array_size(json_object_get(v, "categories")), 1);
	assert_string_equal(vs(v, "languages.0"), vocab_languages[3].code);
	assert_true(json_is_false(json_object_get(v, "free")));
	assert_string_equal(vs(v, "cost"), "£3 a meal");
	assert_true(json_is_true(json_object_get(v, "online")));
	assert_true(json_is_true(json_object_get(v, "in_person")));
	assert_true(json_is_true(json_object_get(v, "wheelchair")));
	assert_string_equal(vs(v, "access_notes"), "Hearing loop");
	assert_string_equal(vs(v, "place_name"), "Village Hall");
	assert_string_equal(vs(v, "postcode"), "DN20 8AA");
	assert_string_equal(vs(v, "town"), "Brigg");
	assert_string_equal(vs(v, "phone"), "01652 123456");
	assert_string_equal(vs(v, "scheds.0.kind"), "monthly");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(v, "scheds"), 0), "nth")), -1);
	assert_string_equal(vs(v, "scheds.1.kind"), "fortnightly");
	assert_string_equal(vs(v, "scheds.2.kind"), "");
	json_decref(v);
	/* What the form does not show is still there. */
	assert_int_equal(directory_service_view(&t->app.links, db, SVC1, NOW, &v), ERR_OK);
	assert_int_equal(json_array_size(json_object_get(v, "when")), 3);
	assert_string_equal(vs(v, "when.0"), "Last Thursday of the month, 12:00 to 13:30");
	assert_string_equal(vs(v, "cost.words"), "£3 a meal");
	assert_true(json_is_true(json_object_get(v, "peer_led")));
	json_decref(v);
	{
		struct arena a;
		struct dir_service s;

		arena_init(&a);
		assert_int_equal(dir_db_service(db, &a, SVC1, &s), ERR_OK);
		assert_non_null(strstr(s.doc, "The council"));
		assert_non_null(strstr(s.doc, "0800 111 222"));
		assert_non_null(strstr(s.doc, "\"byday\":\"MO,WE\""));
		arena_release(&a);
	}
	/* The same form again: unchanged. */
	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(directory_save_form(db, &f, &o, &rep, &fields), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	assert_int_equal(rep.outcome, SAVE_UNCHANGED);
	/* A new service from the form: a draft with a new id. */
	f.id = NULL;
	f.name = "Supper Club";
	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(directory_save_form(db, &f, &o, &rep, &fields), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	assert_int_equal(rep.outcome, SAVE_CREATED);
	assert_int_equal(rt_count(t, &q_state, DB_ARGS(DB_TEXT(rep.id), DB_TEXT("draft"))), 1);
	/* An organisation kith does not know: named as the form names it. */
	f.org_id = ORG2;
	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(directory_save_form(db, &f, &o, &rep, &fields), ERR_INVALID);
	db_rollback(db);
	assert_string_equal(vs(fields, "0.field"), "org_id");
	assert_string_equal(vs(fields, "0.detail"), "Choose the organisation that runs the service");
	json_decref(fields);
	f.org_id = ORG;
	/* A bad form: 422-style fields, nothing saved. */
	f.name = "";
	assert_int_equal(directory_save_form(db, &f, &o, &rep, &fields), ERR_INVALID);
	assert_string_equal(vs(fields, "0.field"), "name");
	json_decref(fields);
}

/* ---------------------------------------------------------------- import and export */

static char *read_feed(size_t *len)
{
	FILE *f = fopen(FEED, "rb");
	char *p;
	long n;

	if (!f)
		fail_msg("cannot open %s (run from the repository root)", FEED);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return p;
}

static void import_council_feed(void **state)
{
	struct rt *t = *state;
	struct db *db = rt_db(t);
	struct import_report rep;
	size_t len, n;
	char *data = read_feed(&len), *out = NULL;
	size_t outlen = 0;
	FILE *mem;
	json_t *r;
	size_t i;

	assert_int_equal(directory_import(t->app.directory, db, data, len, NOW, &rep), ERR_OK);
	/* Every record counted once: 738. */
	assert_int_equal(rep.imported + rep.updated + rep.unchanged + rep.rejected, 738);
	assert_int_equal(rep.rejected, json_array_size(rep.rejections));
	json_array_foreach(rep.rejections, i, r) {
		assert_non_null(json_string_value(json_object_get(r, "service")));
		assert_true(strlen(json_string_value(json_object_get(r, "reason"))) > 5);
	}
	assert_int_equal(rep.imported, 738);
	assert_true(rep.flagged > 0);
	assert_string_equal(rep.shape, "a JSON array of services");
	import_report_release(&rep);
	assert_int_equal(rt_count(t, &q_published, DB_NOARGS), 738);
	/* Synced: searchable at once. */
	assert_int_equal(search_count(directory_search_index(t->app.directory)), 738);
	assert_true(found(t, "walking") > 0);

	/* Again: all unchanged. */
	assert_int_equal(directory_import(t->app.directory, db, data, len, NOW + 86400, &rep), ERR_OK);
	assert_int_equal(rep.unchanged, 738);
	assert_int_equal(rep.imported + rep.updated + rep.rejected, 0);
	import_report_release(&rep);
	free(data);

	/* Exported as ndjson and imported again: unchanged. */
	mem = open_memstream(&out, &outlen);
	assert_int_equal(directory_export(db, mem, &n), ERR_OK);
	fclose(mem);
	assert_int_equal(n, 738);
	{
		size_t lines = 0;
		char prev[37] = "";

		for (char *p = out; *p; p++)
			if (*p == '\n')
				lines++;
		assert_int_equal(lines, 738);
		/* Ordered by id, each with its organisation. */
		for (char *p = out; p && *p;) {
			json_t *j = json_loadb(p, strcspn(p, "\n"), 0, NULL);
			const char *id;

			assert_non_null(j);
			assert_non_null(json_object_get(j, "organization"));
			id = json_string_value(json_object_get(j, "id"));
			assert_true(strcmp(prev, id) < 0);
			snprintf(prev, sizeof(prev), "%s", id);
			json_decref(j);
			p = strchr(p, '\n');
			p = p ? p + 1 : NULL;
		}
	}
	assert_int_equal(directory_import(t->app.directory, db, out, outlen, NOW + 2 * 86400, &rep), ERR_OK);
	assert_string_equal(rep.shape, "newline-delimited JSON");
	assert_int_equal(rep.unchanged, 738);
	assert_int_equal(rep.imported + rep.updated + rep.rejected, 0);
	import_report_release(&rep);
	free(out);
}

static const struct sql q_placeholder = { "t.placeholder",
	"SELECT count(*) FROM service s JOIN organisation o ON o.id = s.organisation_id "
	"WHERE s.id = $1 AND s.state = 'draft' "
	"AND o.name = 'Organisation to confirm (from council.json)'", NULL };

static void import_reports_rejections(void **state)
{
	struct rt *t = *state;
	struct import_report rep;
	static const char feed[] =
		"{\"id\":\"" SVC1 "\",\"name\":\"Good\",\"organization\":{\"id\":\"" ORG "\",\"name\":\"Org\"}}\n"
		"{\"id\":\"" SVC2 "\",\"name\":\"\",\"organization\":{\"id\":\"" ORG "\",\"name\":\"Org\"}}\n"
		"{broken\n"
		"{\"id\":\"42\",\"name\":\"Bad Id\",\"organization\":{\"id\":\"" ORG "\",\"name\":\"Org\"}}\n"
		"[1]\n"
		"{\"name\":\"No Id\"}\n"
		"{\"id\":\"" SVC3 "\",\"name\":\"No org\"}\n";
	const char *want[][2] = {
		{ SVC2, "has no name" },
		{ "line 3", "is not valid JSON" },
		{ "42 \"Bad Id\"", "its id is not a UUID" },
		{ "line 5", "is not a JSON object" },
		{ "line 6 \"No Id\"", "has no id" },
	};
	json_t *r;
	size_t i;

	assert_int_equal(directory_import_feed(t->app.directory, rt_db(t), "council.json", feed,
					       sizeof(feed) - 1, NOW, &rep), ERR_OK);
	/* A service without its organisation is kept, as a draft under the
	 * feed's placeholder, for a coordinator to put right. */
	assert_int_equal(rep.imported, 2);
	assert_int_equal(rep.placeholder, 1);
	assert_int_equal(rep.rejected, 5);
	assert_int_equal(rt_count(t, &q_placeholder, DB_ARGS(DB_TEXT(SVC3))), 1);
	json_array_foreach(rep.rejections, i, r) {
		assert_string_equal(json_string_value(json_object_get(r, "service")), want[i][0]);
		assert_string_equal(json_string_value(json_object_get(r, "reason")), want[i][1]);
	}
	import_report_release(&rep);
	/* A file that is not JSON at all: nothing imported, the reason. */
	assert_int_equal(directory_import(t->app.directory, rt_db(t), "<html>", 6, NOW, &rep), ERR_INVALID);
	assert_non_null(strstr(rep.problem, "not JSON"));
	import_report_release(&rep);
}

/* The statements that must use the primary key do (SQLite). */
static void query_plans(void **state)
{
	struct rt *t = *state;
	json_t *plans = json_object();
	const char *p;

	if (db_backend(rt_db(t)) != DB_SQLITE) {
		json_decref(plans);
		skip();
	}
	assert_int_equal(dir_db_plans(rt_db(t), plans), ERR_OK);
	p = json_string_value(json_object_get(plans, "api_flats"));
	assert_non_null(strstr(p, "SEARCH service_list USING INDEX sqlite_autoindex_service_list_1 (id=?)"));
	p = json_string_value(json_object_get(plans, "index_batch"));
	assert_non_null(strstr(p, "sqlite_autoindex_service_1 (id>?)"));
	assert_null(strstr(p, "TEMP B-TREE"));
	p = json_string_value(json_object_get(plans, "export"));
	assert_non_null(strstr(p, "sqlite_autoindex_service_1 (id>?)"));
	assert_null(strstr(p, "TEMP B-TREE"));
	for (const char *k = "api_flats"; k; k = strcmp(k, "api_flats") == 0 ? "index_batch" : NULL)
		assert_null(strstr(json_string_value(json_object_get(plans, k)), "service_assured"));
	json_decref(plans);
}

static int setup(void **state)
{
	static const char *const settings[] = { "rate_limit=0", "dev_mode=true", "directory_sync=2", NULL };

	return rt_setup_with(state, settings);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(save_create_update_unchanged, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(save_refused, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(save_flags_duplicates, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(sync_follows_saves, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(sync_job_interval, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(init_builds_index, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(views, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(form_checks, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(form_round_trip, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(import_council_feed, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(import_reports_rejections, setup, rt_teardown),
		cmocka_unit_test_setup_teardown(query_plans, setup, rt_teardown),
	};

	return testdb_run_groups("directory data", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
