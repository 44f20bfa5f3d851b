/*
 * test_talk_cache.c - a topic's page as kept for readers with nothing of
 * their own in it (src/talk/topic_cache_web.c): each reader gets their
 * own form token in it, and every change a reader would see (a reply, an
 * edit, a post hidden, a writer's new display name) shows on the next
 * read; someone who said "me too", the writer and moderators get their
 * own page. The same run with the cache off (talk_cache_mb = 0) reads the
 * same.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "app/app.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "store/store.h"
#include "support/cast.h"
#include "support/reqtest.h"
#include "support/testdb.h"
#include "talk/talk.h"

#define MEMBER ROLE_BIT(ROLE_MEMBER)
#define NOW uk_to_utc(2027, 1, 13, 14, 0)
#define DAY INT64_C(86400)
/* The session; then the topic with whether the reader follows it or its
 * space, its space with the reader's standing, the reader's profile and
 * whether they have anything in the topic, in one (talk_topic_open);
 * BEGIN and COMMIT on SQLite. */
#define KEPT_PAGE_STATEMENTS 4

static const struct sql q_last_post = { "ttc.last_post", "SELECT max(id) FROM talk_post", NULL };

struct fx {
	struct rt *t;
	RT_CAST_MEMBERS;
	int64_t ada, pia;
	struct rt_browser ada_b, pia_b;
};

static const char *const ten_a_page[] = { "rate_limit=0", "dev_mode=true", "talk_posts_per_page=10", NULL };
static const char *const cache_off[] = { "rate_limit=0", "dev_mode=true", "talk_cache_mb=0", NULL };

static int setup_with(void **state, const char *const *settings)
{
	struct fx *x;
	struct rt_resp r0;

	time_set_fake(NOW - 30 * DAY);
	if (!(x = rt_fixture(state, sizeof(*x), settings)))
		return -1;
	rt_cast(x->t, &x->cast, RT_CAST_EVERYONE);
	x->ada = rt_person(x->t, "Ada Walker", "ada@example.org", NULL, MEMBER, NULL);
	x->pia = rt_person(x->t, "Pia Reader", "pia@example.org", NULL, MEMBER, NULL);
	time_set_fake(NOW);
	rt_sign_in(x->t, x->cora, &x->coord);
	rt_sign_in(x->t, x->mo, &x->member);
	rt_sign_in(x->t, x->ada, &x->ada_b);
	rt_sign_in(x->t, x->pia, &x->pia_b);
	rt_browser_post(x->t, &x->coord, "/talk/moderate/spaces", "kind=general&name=Tea+and+chat&slug=tea&about=&"
			"condition=&service_id=&open=yes", &r0);
	assert_int_equal(r0.status, 303);
	rt_resp_free(&r0);
	rt_browser_post_to(x->t, &x->ada_b, "/talk/profile", "display_name=Ada+W&notify=off", "/talk?done=profile");
	rt_browser_post_to(x->t, &x->pia_b, "/talk/profile", "display_name=Pia&notify=off", "/talk?done=profile");
	rt_browser_post_to(x->t, &x->member, "/talk/profile", "display_name=Mo+B&notify=off", "/talk?done=profile");
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, NULL);
}

static int setup_ten(void **state)
{
	return setup_with(state, ten_a_page);
}

static int setup_off(void **state)
{
	return setup_with(state, cache_off);
}

static int teardown(void **state)
{
	return rt_fixture_free(state);
}

static int64_t last_post(struct fx *x)
{
	return rt_count(x->t, &q_last_post, DB_NOARGS);
}

/* b's page of the topic: it has every one of has, none of not (each
 * NULL-ended or NULL), and never the token's placeholder. */
static void page_is(struct fx *x, struct rt_browser *b, int64_t topic, const char *const *has,
		const char *const *not)
{
	struct rt_resp r;

	rt_browser_get(x->t, b, rt_at("/talk/topics/%lld", (long long)topic), &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "@@csrf@@"));
	for (; has && *has; has++)
		if (!strstr(r.body, *has))
			fail_msg("the page has no \"%s\"", *has);
	for (; not && *not; not++)
		if (strstr(r.body, *not))
			fail_msg("the page has \"%s\"", *not);
	rt_resp_free(&r);
}

#define HAS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void readers_see_every_change(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	int64_t topic, reply;
	char pia_token[128], mo_token[128];

	rt_browser_post(x->t, &x->ada_b, "/talk/spaces/tea/topics", "title=Biscuits&body=Which+biscuits+do+you+like%3F",
			&r);
	assert_int_equal(r.status, 303);
	topic = strtoll(rt_header(&r, "Location") + strlen("/talk/topics/"), NULL, 10);
	rt_resp_free(&r);
	rt_browser_post(x->t, &x->ada_b, rt_at("/talk/topics/%lld/posts", (long long)topic), "body=Ginger+nuts+for+me",
			&r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	reply = last_post(x);
	/* Two readers with nothing of their own: the same posts, each with
	 * their own form token in the buttons. */
	snprintf(pia_token, sizeof(pia_token), "value=\"%s\"", x->pia_b.csrf);
	snprintf(mo_token, sizeof(mo_token), "value=\"%s\"", x->member.csrf);
	page_is(x, &x->pia_b, topic, HAS("Ginger nuts for me", "Ada W", pia_token), HAS(mo_token, "Moderate this"));
	page_is(x, &x->pia_b, topic, HAS("Ginger nuts for me", pia_token), HAS(mo_token));
	page_is(x, &x->member, topic, HAS("Ginger nuts for me", mo_token), HAS(pia_token));
	/* A new reply, an edit, a new display name: seen at once. */
	rt_browser_post(x->t, &x->ada_b, rt_at("/talk/topics/%lld/posts", (long long)topic), "body=Or+custard+creams",
			&r);
	rt_resp_free(&r);
	page_is(x, &x->pia_b, topic, HAS("Ginger nuts for me", "Or custard creams"), NULL);
	rt_browser_post(x->t, &x->ada_b, rt_at("/talk/posts/%lld/edit", (long long)reply), "body=Ginger+snaps+for+me",
			&r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	page_is(x, &x->pia_b, topic, HAS("Ginger snaps for me", "changed since"), HAS("Ginger nuts"));
	rt_browser_post_to(x->t, &x->ada_b, "/talk/profile", "display_name=Ada+the+Baker&notify=off",
			   "/talk?done=profile");
	page_is(x, &x->member, topic, HAS("Ada the Baker"), HAS("Ada W<"));
	/* Hidden by a moderator: gone for readers; the moderator's own page
	 * has their tools. */
	rt_browser_post(x->t, &x->coord, rt_at("/talk/moderate/posts/%lld/act", (long long)reply),
			"action=hide&note=Off+topic", &r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	page_is(x, &x->pia_b, topic, HAS("Or custard creams"), HAS("Ginger snaps"));
	page_is(x, &x->coord, topic, HAS("Ginger snaps", "Moderate this post"), NULL);
	/* Pia says "me too": her page is her own; Mo's still has no "You said". */
	rt_browser_post(x->t, &x->pia_b, rt_at("/talk/posts/%lld/react", (long long)reply + 1), "kind=metoo&on=1", &r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	page_is(x, &x->pia_b, topic, HAS("You said “Me too”"), NULL);
	page_is(x, &x->member, topic, HAS("Or custard creams", mo_token), HAS("You said"));
	/* The writer sees the count on her own post, and follows the topic
	 * she started. */
	page_is(x, &x->ada_b, topic, HAS("1 person said “me too”", "Stop following this topic"), NULL);
	/* Ada's account erased: her posts stay as places in the topic, with
	 * no words, no name and nothing to press. */
	assert_int_equal(talk_erase_person(rt_db(x->t), x->ada, NOW + 60), ERR_OK);
	page_is(x, &x->member, topic, HAS("removed at its writer", mo_token), HAS("Ada the Baker", "Or custard creams",
		rt_at("/talk/posts/%lld/flag", (long long)reply + 1)));
}

/* A page's body, or fail. */
static void page_n_is(struct fx *x, int64_t topic, int page, const char *has, const char *not)
{
	struct rt_resp r;

	rt_browser_get(x->t, &x->pia_b, rt_at("/talk/topics/%lld?page=%d", (long long)topic, page), &r);
	assert_int_equal(r.status, 200);
	if (has && !strstr(r.body, has))
		fail_msg("page %d has no \"%s\"", page, has);
	if (not && strstr(r.body, not))
		fail_msg("page %d has \"%s\"", page, not);
	rt_resp_free(&r);
}

/* Ten a page: a new post changes only the last page; a post hidden on
 * the first moves the next one up onto it. */
static void pages_move_with_posts(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	int64_t topic, third = 0;
	char body[64];

	rt_browser_post(x->t, &x->ada_b, "/talk/spaces/tea/topics", "title=Counting&body=Post+number+1.", &r);
	topic = strtoll(rt_header(&r, "Location") + strlen("/talk/topics/"), NULL, 10);
	rt_resp_free(&r);
	for (int i = 2; i <= 12; i++) {
		snprintf(body, sizeof(body), "body=Post+number+%d.", i);
		rt_browser_post(x->t, &x->ada_b, rt_at("/talk/topics/%lld/posts", (long long)topic), body, &r);
		assert_int_equal(r.status, 303);
		rt_resp_free(&r);
		if (i == 3)
			third = last_post(x);
	}
	page_n_is(x, topic, 1, "Post number 10.", "Post number 11.");
	page_n_is(x, topic, 1, "Post number 10.", "Post number 11.");
	page_n_is(x, topic, 2, "Post number 12.", "Post number 10.");
	rt_browser_post(x->t, &x->ada_b, rt_at("/talk/topics/%lld/posts", (long long)topic), "body=Post+number+13.", &r);
	rt_resp_free(&r);
	page_n_is(x, topic, 2, "Post number 13.", NULL);
	page_n_is(x, topic, 1, "Post number 10.", "Post number 13.");
	rt_browser_post(x->t, &x->coord, rt_at("/talk/moderate/posts/%lld/act", (long long)third),
			"action=hide&note=Off+topic", &r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	page_n_is(x, topic, 1, "Post number 11.", "Post number 3.");
	page_n_is(x, topic, 2, "Post number 13.", "Post number 11.");
}

/* A kept page asks the database only what decides who may read it and
 * whether the kept page is theirs (on PostgreSQL, each is a round trip). */
static void kept_page_statements(void **state)
{
	struct fx *x = *state;
	struct rt_resp r;
	int64_t topic;
	uint64_t before, n;

	rt_browser_post(x->t, &x->ada_b, "/talk/spaces/tea/topics", "title=Walks&body=Who+is+walking+on+Sunday%3F", &r);
	topic = strtoll(rt_header(&r, "Location") + strlen("/talk/topics/"), NULL, 10);
	rt_resp_free(&r);
	page_is(x, &x->pia_b, topic, HAS("Who is walking"), NULL);
	before = db_stmt_count(rt_db(x->t));
	page_is(x, &x->pia_b, topic, HAS("Who is walking"), NULL);
	n = db_stmt_count(rt_db(x->t)) - before;
	printf("  %s: a kept topic page: %llu statements\n", rt_backend(x->t), (unsigned long long)n);
	assert_true(n <= KEPT_PAGE_STATEMENTS);
	before = db_stmt_count(rt_db(x->t));
	rt_browser_post(x->t, &x->pia_b, rt_at("/talk/topics/%lld/posts", (long long)topic), "body=Me%2C+at+ten.", &r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	printf("  %s: a reply: %llu statements\n", rt_backend(x->t),
	       (unsigned long long)(db_stmt_count(rt_db(x->t)) - before));
}

static void cache_on_by_default(void **state)
{
	struct fx *x = *state;

	assert_non_null(x->t->app.talk_cache);
}

static void cache_off_reads_the_same(void **state)
{
	struct fx *x = *state;

	assert_null(x->t->app.talk_cache);
	readers_see_every_change(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(cache_on_by_default, setup, teardown),
		cmocka_unit_test_setup_teardown(readers_see_every_change, setup, teardown),
		cmocka_unit_test_setup_teardown(pages_move_with_posts, setup_ten, teardown),
		cmocka_unit_test_setup_teardown(kept_page_statements, setup, teardown),
		cmocka_unit_test_setup_teardown(cache_off_reads_the_same, setup_off, teardown),
	};

	return testdb_run_groups("conversations' kept pages", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
