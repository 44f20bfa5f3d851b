/*
 * test_words.c - /directory/words on both backends: coordinators (and
 * admins) only; a line that does not read is refused with its number and
 * what to fix, what was typed kept and nothing saved; saved words change
 * what /find finds at once in this process, and in another process (a
 * second directory on the same database) at its next sync; the change is
 * audited; the words kith ships work with none saved.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/arena.h"
#include "directory/directory.h"
#include "directory/words.h"
#include "search/search.h"
#include "store/store.h"
#include "support/cast.h"
#include "support/reqtest.h"
#include "support/testdb.h"

struct fx {
	struct rt *t;
	RT_CAST_MEMBERS;
	char warm[37], lunch[37];
	struct rt_browser admin;
};

static int setup(void **state)
{
	struct fx *x = rt_fixture(state, sizeof(*x), NULL);

	if (!x)
		return -1;
	rt_cast(x->t, &x->cast, RT_CAST_CORA | RT_CAST_MO | RT_CAST_OLU | RT_CAST_BROWSERS);
	rt_service(x->t, RT_ORG_A, "Ashby Warm Space", SVC_PUBLISHED, x->warm);
	rt_service(x->t, RT_ORG_A, "Brigg Foodbank", SVC_PUBLISHED, x->lunch);
	rt_sign_in(x->t, rt_person(x->t, "Ada Admin", "ada@example.org", NULL,
				   ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_ADMIN), NULL), &x->admin);
	return 0;
}

/* Does /find?q=q list the service called name? */
static bool finds(struct fx *x, const char *q, const char *name)
{
	struct rt_resp r;
	char target[160];
	bool has;

	snprintf(target, sizeof(target), "/find?q=%s", q);
	rt_get(x->t, target, &r);
	assert_int_equal(r.status, 200);
	has = rt_has(&r, name);
	rt_resp_free(&r);
	return has;
}

static void only_coordinators_and_admins(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;

	rt_browser_get_is(x->t, &x->coord, "/directory/words", 200, "Words search treats as the same",
			  "foodbank = food bank", NULL);
	rt_browser_get_is(x->t, &x->admin, "/directory/words", 200, "Save words", NULL);
	rt_browser_get_is(x->t, &x->member, "/directory/words", 403, NULL);
	rt_browser_get_is(x->t, &x->own, "/directory/words", 403, NULL);
	rt_browser_post_is(x->t, &x->own, "/directory/words", "words=a%2C+b", 403, NULL);
	rt_get(x->t, "/directory/words", &r);
	assert_int_equal(r.status, 303);              /* to sign in */
	rt_resp_free(&r);
	/* The review page links to it. */
	rt_browser_get_is(x->t, &x->coord, "/review", 200, "href=\"/directory/words\"", NULL);
}

static void a_bad_line_saves_nothing(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;

	rt_browser_post(x->t, &x->coord, "/directory/words",
			"words=warmspace+%3D+warm+space%0Anonsense%0A", &r);
	assert_int_equal(r.status, 422);
	assert_true(rt_has(&r, "Line 2: write synonyms as two or more words"));
	assert_true(rt_has(&r, "warmspace = warm space"));      /* kept as typed */
	assert_true(rt_has(&r, "<title>Error: "));
	rt_resp_free(&r);
	assert_false(finds(x, "warmspace", "Ashby Warm Space"));
	assert_int_equal(rt_audit_n(x->t, "search_words.changed"), 0);
}

static void saved_words_find_at_once_here_and_soon_elsewhere(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	struct directory *other = NULL;
	struct search_query q = { .text = "warmspace", .limit = 5, .now = 1800000000 };
	struct search_result res;
	struct arena a;
	json_t *lines;

	/* Shipped words work with nothing saved. */
	assert_true(finds(x, "food+bank", "Brigg Foodbank"));
	assert_false(finds(x, "warmspace", "Ashby Warm Space"));
	/* Another process, started before the change. */
	assert_int_equal(directory_open(db, 0, &other), ERR_OK);

	rt_browser_post_to(x->t, &x->coord, "/directory/words",
			   "words=warmspace+%3D+warm+space%0A%0Ahot+meal%2C+lunch+%23+ours%0A",
			   "/directory/words?done=saved");
	rt_browser_get_is(x->t, &x->coord, "/directory/words?done=saved", 200,
			  "The words are saved", "warmspace = warm space", NULL);
	assert_true(finds(x, "warmspace", "Ashby Warm Space"));
	assert_true(finds(x, "warm+space", "Ashby Warm Space"));
	assert_int_equal(rt_audit_n(x->t, "search_words.changed"), 1);
	assert_int_equal(words_lines(db, &lines), ERR_OK);
	assert_int_equal(json_array_size(lines), 2);             /* the blank line dropped */
	json_decref(lines);

	/* The other process: not yet, then after its sync. */
	arena_init(&a);
	assert_int_equal(search_run(directory_search_index(other), &q, &a, &res), ERR_OK);
	assert_int_equal(res.total, 0);
	assert_int_equal(directory_apply_changes(other, db), ERR_OK);
	assert_int_equal(search_run(directory_search_index(other), &q, &a, &res), ERR_OK);
	assert_int_equal(res.total, 1);
	arena_release(&a);
	directory_close(other);

	/* Taking a line away takes its effect away. */
	rt_browser_post_to(x->t, &x->coord, "/directory/words", "words=hot+meal%2C+lunch",
			   "/directory/words?done=saved");
	assert_false(finds(x, "warmspace", "Ashby Warm Space"));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, rt_fixture_free)
	const struct CMUnitTest tests[] = {
		T(only_coordinators_and_admins),
		T(a_bad_line_saves_nothing),
		T(saved_words_find_at_once_here_and_soon_elsewhere),
	};
#undef T

	return testdb_run_groups("words", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
