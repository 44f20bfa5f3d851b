/*
 * test_directory_demo.c - `kith demo` fills the directory with a real
 * town's worth of support (Scunthorpe: DN15, DN16, DN17), every service
 * valid and in the town's postcodes, of every kind the issue names; the
 * demo organiser's organisation has listings; running it again changes
 * nothing; and --services N adds N services spread across the UK.
 *
 * The demo runs as `kith demo` runs it: every feature's demo hook, in
 * order, inside one transaction.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "app/features.h"
#include "core/uktime.h"
#include "directory/vocab.h"
#include "people/people.h"
#include "search/search.h"
#include "store/store.h"
#include "support/reqtest.h"

static const struct sql q_demo = {
	"t.demo", "SELECT count(*) FROM service WHERE source = 'demo'", NULL };
static const struct sql q_published = {
	"t.published", "SELECT count(*) FROM service WHERE source = 'demo' AND state = 'published'", NULL };
/* Services with no place that has a postcode. */
static const struct sql q_placeless = {
	"t.placeless", "SELECT count(*) FROM service s WHERE s.source = 'demo' AND NOT EXISTS "
	"(SELECT 1 FROM service_at_location l WHERE l.service_id = s.id AND l.postcode IS NOT NULL "
	"AND l.latitude IS NOT NULL)", NULL };
static const struct sql q_postcodes = {
	"t.postcodes", "SELECT l.postcode FROM service_at_location l JOIN service s ON s.id = l.service_id "
	"WHERE s.source = 'demo' AND l.postcode IS NOT NULL", NULL };
static const struct sql q_category = {
	"t.category", "SELECT count(*) FROM service WHERE source = 'demo' AND (categories & $1) <> 0", NULL };
static const struct sql q_flag = {
	"t.flag", "SELECT count(*) FROM service WHERE source = 'demo' AND (flags & $1) <> 0", NULL };
static const struct sql q_language = {
	"t.language", "SELECT count(*) FROM service WHERE source = 'demo' AND (languages & $1) <> 0", NULL };
static const struct sql q_conditions = {
	"t.conditions", "SELECT conditions FROM service WHERE source = 'demo'", NULL };
static const struct sql q_named = {
	"t.named", "SELECT count(*) FROM service WHERE source = 'demo' AND name LIKE $1", NULL };
static const struct sql q_names = {
	"t.names", "SELECT count(DISTINCT name) FROM service WHERE source = 'demo'", NULL };
static const struct sql q_dupes = {
	"t.dupes", "SELECT count(*) FROM service WHERE source = 'demo' AND duplicate_of IS NOT NULL", NULL };
static const struct sql q_org = {
	"t.org", "SELECT count(*) FROM service WHERE organisation_id = $1", NULL };
static const struct sql q_orgs = {
	"t.orgs", "SELECT count(DISTINCT organisation_id) FROM service WHERE source = 'demo'", NULL };
static const struct sql q_assured_before = {
	"t.assured_before", "SELECT count(*) FROM service WHERE source = 'demo' AND assured_at < $1", NULL };
static const struct sql q_assured_since = {
	"t.assured_since", "SELECT count(*) FROM service WHERE source = 'demo' AND assured_at >= $1", NULL };
static const struct sql q_changes = {
	"t.changes", "SELECT count(*) FROM directory_change", NULL };
static const struct sql q_updated = {
	"t.updated", "SELECT max(updated_at) FROM service", NULL };

/* Noon on a fixed day, so "today" cannot change between two runs. */
static int64_t demo_now(void)
{
	return uk_to_utc(2026, 11, 23, 12, 0);
}

/* Runs every feature's demo as `kith demo --services n` does; returns what
 * it printed (free it). */
static char *run_demo(struct rt *t, long services, int64_t now)
{
	struct db *db = rt_db(t);
	char *printed = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&printed, &len);
	struct demo_opts o = { .now = now, .services = services, .out = out };

	assert_non_null(out);
	assert_int_equal(db_begin(db), ERR_OK);
	for (size_t i = 0; i < features_n; i++) {
		if (features[i]->demo) {
			enum err e = features[i]->demo(db, &o);

			if (e)
				fail_msg("demo data for %s failed: %s", features[i]->name, err_title(e));
		}
	}
	assert_int_equal(db_commit(db), ERR_OK);
	fclose(out);
	assert_non_null(printed);
	return printed;
}

static int64_t count1(struct rt *t, const struct sql *q, int64_t arg)
{
	return rt_count(t, q, DB_ARGS(DB_INT(arg)));
}

static uint64_t category_bit(const char *code)
{
	int i = vocab_find(vocab_categories, vocab_categories_n, code);

	assert_true(i >= 0);
	return 1ull << i;
}

/* "DN15 6AB" -> "DN" into area, "DN15" into district. */
static void outward(const char *pc, char area[3], char district[5])
{
	size_t i = 0;

	while (i < 2 && pc[i] >= 'A' && pc[i] <= 'Z') {
		area[i] = pc[i];
		i++;
	}
	area[i] = '\0';
	i = 0;
	while (i < 4 && pc[i] && pc[i] != ' ') {
		district[i] = pc[i];
		i++;
	}
	district[i] = '\0';
}

static void town_is_all_there(void **state)
{
	struct rt *t = *state;
	int64_t now = demo_now(), n;
	char *printed = run_demo(t, 0, now);
	static const char *const kinds[] = {
		"walking", "breathing", "lunch-club", "food", "money", "transport", "learning",
		"reading", "carers", "dementia", "music", "adapted-sport", "mental-wellbeing",
		"peer-support", "befriending", "practical-help", "housing", "health-self-management",
	};

	/* About 300 services, every one saved (the demo fails on a refusal)
	 * and published, with distinct names (none flagged as duplicates). */
	n = rt_count(t, &q_demo, DB_NOARGS);
	assert_in_range(n, 280, 320);
	assert_int_equal(rt_count(t, &q_published, DB_NOARGS), n);
	assert_int_equal(rt_count(t, &q_names, DB_NOARGS), n);
	assert_int_equal(rt_count(t, &q_dupes, DB_NOARGS), 0);
	assert_non_null(strstr(printed, "services in Scunthorpe"));
	assert_in_range(rt_count(t, &q_orgs, DB_NOARGS), 60, 250);

	/* Every service has a place, located, in DN15, DN16 or DN17. */
	assert_int_equal(rt_count(t, &q_placeless, DB_NOARGS), 0);
	{
		struct db_res *r;
		enum err e;
		size_t places = 0;

		assert_int_equal(db_query(rt_db(t), &q_postcodes, DB_NOARGS, &r), ERR_OK);
		while ((e = db_next(r)) == ERR_OK && db_row(r)) {
			const char *pc = db_text(r, 0);

			if (strncmp(pc, "DN15 ", 5) != 0 && strncmp(pc, "DN16 ", 5) != 0 &&
			    strncmp(pc, "DN17 ", 5) != 0)
				fail_msg("a demo service is at %s, outside DN15-DN17", pc);
			places++;
		}
		assert_int_equal(e, ERR_OK);
		db_res_free(r);
		assert_true(places >= (size_t)n);
	}

	/* Several of every kind of support, and the ones the issue names. */
	for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
		int64_t k = count1(t, &q_category, (int64_t)category_bit(kinds[i]));

		if (k < 3)
			fail_msg("only %lld demo services of category %s", (long long)k, kinds[i]);
	}
	assert_true(count1(t, &q_category, (int64_t)category_bit("walking")) >= 20);
	assert_true(count1(t, &q_category, (int64_t)category_bit("lunch-club")) >= 20);
	assert_true(count1(t, &q_category, (int64_t)category_bit("peer-support")) >= 40);
	assert_true(rt_count(t, &q_named, DB_ARGS(DB_TEXT("%Sailability%"))) >= 1);
	assert_true(rt_count(t, &q_named, DB_ARGS(DB_TEXT("%Riding%"))) >= 1);
	assert_true(rt_count(t, &q_named, DB_ARGS(DB_TEXT("%Choir%"))) >= 2);
	assert_true(rt_count(t, &q_named, DB_ARGS(DB_TEXT("%Food Bank%"))) >= 3);
	assert_true(rt_count(t, &q_named, DB_ARGS(DB_TEXT("%Lunch%"))) >= 10);
	assert_true(rt_count(t, &q_named, DB_ARGS(DB_TEXT("%Café%"))) >= 5);

	/* Conditions: many, as kith's attributes. */
	{
		struct db_res *r;
		uint64_t all = 0;

		assert_int_equal(db_query(rt_db(t), &q_conditions, DB_NOARGS, &r), ERR_OK);
		while (db_next(r) == ERR_OK && db_row(r))
			all |= (uint64_t)db_int(r, 0);
		db_res_free(r);
		assert_true(__builtin_popcountll(all) >= 12);
	}

	/* The facts kith derives from the documents: most free, some not;
	 * step-free or not; some online; some peer-led; every way to join;
	 * a few in Polish, Urdu or BSL. */
	{
		int64_t free_n = count1(t, &q_flag, SF_FREE);

		assert_in_range(free_n, n / 2, n - 20);
	}
	assert_in_range(count1(t, &q_flag, SF_WHEELCHAIR), n / 2, n - 20);
	assert_in_range(count1(t, &q_flag, SF_ONLINE), 10, n / 2);
	assert_in_range(count1(t, &q_flag, SF_PEER_LED), 30, n - 30);
	assert_true(count1(t, &q_flag, SF_TURN_UP) >= n / 3);
	assert_true(count1(t, &q_flag, SF_SELF_REFER) >= 20);
	assert_true(count1(t, &q_flag, SF_REFERRAL) >= 5);
	assert_true(count1(t, &q_language, 1 << vocab_find(vocab_languages, vocab_languages_n, "en")) == n);
	assert_true(count1(t, &q_language, (1 << vocab_find(vocab_languages, vocab_languages_n, "pl")) |
					   (1 << vocab_find(vocab_languages, vocab_languages_n, "ur")) |
					   (1 << vocab_find(vocab_languages, vocab_languages_n, "bsl"))) >= 10);

	/* Checked over the last eight months: some overdue (six months is
	 * the default), most not. */
	{
		int64_t overdue = count1(t, &q_assured_before, now - 183 * 86400);
		int64_t fresh = count1(t, &q_assured_since, now - 183 * 86400);

		assert_in_range(overdue, n / 10, n / 2);
		assert_int_equal(overdue + fresh, n);
		assert_int_equal(count1(t, &q_assured_before, now - 245 * 86400), 0);
	}

	/* The demo organiser has listings to manage. */
	assert_in_range(rt_count(t, &q_org, DB_ARGS(DB_TEXT(PEOPLE_DEMO_ORG))), 4, 20);
	free(printed);
}

static void second_run_changes_nothing(void **state)
{
	struct rt *t = *state;
	int64_t now = demo_now();
	int64_t n, changes, updated;
	char *printed;

	free(run_demo(t, 0, now));
	n = rt_count(t, &q_demo, DB_NOARGS);
	changes = rt_count(t, &q_changes, DB_NOARGS);
	updated = rt_count(t, &q_updated, DB_NOARGS);

	/* An hour later the same day. */
	printed = run_demo(t, 0, now + 3600);
	assert_int_equal(rt_count(t, &q_demo, DB_NOARGS), n);
	assert_int_equal(rt_count(t, &q_changes, DB_NOARGS), changes);
	assert_int_equal(rt_count(t, &q_updated, DB_NOARGS), updated);
	if (!strstr(printed, ": 0 new, 0 updated, "))
		fail_msg("the second demo changed something: %s", printed);
	free(printed);
}

static void synthetic_services_spread_across_the_uk(void **state)
{
	struct rt *t = *state;
	int64_t now = demo_now(), town;
	char *printed;
	char areas[200][3], districts[600][5];
	size_t nareas = 0, ndistricts = 0;
	struct db_res *r;

	free(run_demo(t, 0, now));
	town = rt_count(t, &q_demo, DB_NOARGS);
	printed = run_demo(t, 500, now);
	assert_non_null(strstr(printed, "500 synthetic services across the UK: 500 new"));
	assert_int_equal(rt_count(t, &q_demo, DB_NOARGS), town + 500);
	assert_int_equal(rt_count(t, &q_published, DB_NOARGS), town + 500);
	assert_int_equal(rt_count(t, &q_placeless, DB_NOARGS), 0);
	assert_int_equal(rt_count(t, &q_dupes, DB_NOARGS), 0);
	free(printed);

	/* Uniform over the UK's sectors: 500 services land in most postcode
	 * areas and hundreds of districts. */
	assert_int_equal(db_query(rt_db(t), &q_postcodes, DB_NOARGS, &r), ERR_OK);
	while (db_next(r) == ERR_OK && db_row(r)) {
		char area[3], district[5];
		size_t i;

		outward(db_text(r, 0), area, district);
		for (i = 0; i < nareas && strcmp(areas[i], area) != 0; i++)
			;
		if (i == nareas && nareas < ARRAY_LEN(areas))
			memcpy(areas[nareas++], area, sizeof(area));
		for (i = 0; i < ndistricts && strcmp(districts[i], district) != 0; i++)
			;
		if (i == ndistricts && ndistricts < ARRAY_LEN(districts))
			memcpy(districts[ndistricts++], district, sizeof(district));
	}
	db_res_free(r);
	assert_true(nareas >= 60);
	assert_true(ndistricts >= 250);

	/* The same again is unchanged: ids come from the index. */
	printed = run_demo(t, 500, now);
	assert_non_null(strstr(printed, "500 synthetic services across the UK: 0 new, 0 updated, 500 unchanged"));
	free(printed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(town_is_all_there, rt_setup, rt_teardown),
		cmocka_unit_test_setup_teardown(second_run_changes_nothing, rt_setup, rt_teardown),
		cmocka_unit_test_setup_teardown(synthetic_services_spread_across_the_uk, rt_setup, rt_teardown),
	};

	return testdb_run_groups("directory_demo", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
