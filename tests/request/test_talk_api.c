/*
 * test_talk_api.c - conversations through /api/v1 (src/talk/talk_api.c)
 * through app_handle(), on both backends, with the clock pinned: the
 * spaces a caller may read, a space's topics, a new topic and a reply
 * (201 {id, signposted, held} with booleans, and help with the crisis
 * numbers when signposted: "I don't want to be here any more" is,
 * "this hill is killing me" is not), a topic with its posts (a hidden
 * post is not among a peer's, and is among a moderator's), a flag (201,
 * then 409 from the same person for the same reason). Refusals: a
 * visitor (401), someone outside a group reading or writing its space
 * (403 in words), a post in it flagged by them (404), a writer without a
 * display name (403 in words), a topic that is not there (404), a body
 * that is not JSON or not an object (400), members of the wrong type,
 * too long, missing or unknown (422 naming the field), a query parameter
 * the endpoint does not take (400), and a browser session's form post
 * (415). A new account's post with a link is held (201, held true).
 *
 * And the demo (talk_data.c): five spaces with kind talk, the COPD space's
 * moderator, one gentle flag, nothing signposted or held; the demo
 * member reads them all through the API; a second run starts over.
 *
 * The cast (support/cast.h) is made a month before NOW, so it is trusted
 * by time; Nell is made at NOW, a new account. Olu organises the
 * group's organisation and Lin is a member of the group; Mo is not.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "app/features.h"
#include "auth/policy.h"
#include "core/demo.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "directory/directory.h"
#include "groups/groups.h"
#include "store/store.h"
#include "support/apitest.h"
#include "support/cast.h"
#include "support/reqtest.h"
#include "talk/talk.h"
#include "web/api.h"

/* Monday 30 November 2026, 09:00 GMT. */
#define NOW uk_to_utc(2026, 11, 30, 9, 0)
#define DAY INT64_C(86400)
#define MEMBER ROLE_BIT(ROLE_MEMBER)
#define CRISIS "I don't want to be here any more."
#define HILL "This hill is killing me, but I made it to the top in the end."

struct fx {
	struct rt *t;
	RT_CAST_MEMBERS;
	char walk[37];
	int64_t copd, group;           /* the spaces */
	int64_t nell, nobody;          /* a new account; someone with no display name */
	char tnell[TOKEN_LEN + 1], tnobody[TOKEN_LEN + 1];
};

static const struct talk_env *env(void)
{
	static const struct talk_env e = { 0 };

	return &e;
}

static void display_name(struct rt *t, int64_t person, const char *name)
{
	json_t *errors = json_array();
	enum err e;

	assert_int_equal(db_begin(rt_db(t)), ERR_OK);
	e = talk_profile_set(rt_db(t), person, name, "off", NOW - DAY, errors);
	if (e)
		fail_msg("display name %s: %s %s", name, err_name(e), json_dumps(errors, 0));
	assert_int_equal(db_commit(rt_db(t)), ERR_OK);
	json_decref(errors);
}

static int64_t space(struct rt *t, int64_t by, const struct talk_space_fields *f)
{
	json_t *errors = json_array();
	int64_t id = 0;
	enum err e;

	assert_int_equal(db_begin(rt_db(t)), ERR_OK);
	e = talk_space_create(rt_db(t), f, by, NOW - DAY, errors, &id);
	if (e)
		fail_msg("space %s: %s %s", f->slug, err_name(e), json_dumps(errors, 0));
	assert_int_equal(db_commit(rt_db(t)), ERR_OK);
	json_decref(errors);
	return id;
}

static int setup(void **state)
{
	struct fx *x;
	json_t *errors = json_array();
	struct group_fields gf = { .welcome = "Welcome", .open = true };

	/* The cast a month ago: trusted by time at NOW. */
	time_set_fake(NOW - 30 * DAY);
	if (!(x = rt_fixture(state, sizeof(*x), NULL)))
		return -1;
	rt_cast(x->t, &x->cast, RT_CAST_EVERYONE);
	rt_service(x->t, RT_ORG_A, "Tuesday Health Walk", SVC_PUBLISHED, x->walk);
	/* Their credentials now: Mo's bearer is an API session, the others'
	 * API tokens; Mo has a browser too. */
	time_set_fake(NOW);
	rt_bearer(x->t, x->olu, RT_API_TOKEN, x->torga);
	rt_bearer(x->t, x->lin, RT_API_TOKEN, x->tlw);
	rt_bearer(x->t, x->cora, RT_API_TOKEN, x->tcoord);
	rt_bearer(x->t, x->mo, RT_API_SESSION, x->tmem);
	rt_sign_in(x->t, x->mo, &x->member);
	x->nell = rt_person(x->t, "Nell Newcomer", "nell@example.org", NULL, MEMBER, NULL);
	rt_bearer(x->t, x->nell, RT_API_TOKEN, x->tnell);
	x->nobody = rt_person(x->t, "Nobody Named", "nobody@example.org", NULL, MEMBER, NULL);
	rt_bearer(x->t, x->nobody, RT_API_TOKEN, x->tnobody);

	assert_int_equal(db_begin(rt_db(x->t)), ERR_OK);
	assert_int_equal(group_create(rt_db(x->t), x->walk, &gf, x->olu, NOW - 2 * DAY, errors), ERR_OK);
	assert_int_equal(group_join(NULL, rt_db(x->t), x->walk, x->lin, NOW - 2 * DAY), ERR_OK);
	assert_int_equal(db_commit(rt_db(x->t)), ERR_OK);
	json_decref(errors);

	display_name(x->t, x->mo, "Mo M");
	display_name(x->t, x->lin, "Lin L");
	display_name(x->t, x->olu, "Olu O");
	display_name(x->t, x->cora, "Cora C");
	display_name(x->t, x->nell, "Nell N");
	x->copd = space(x->t, x->cora, &(struct talk_space_fields){ .slug = "living-with-copd",
		.name = "Living with COPD", .about = "Breathing, together.", .kind = "condition",
		.condition = "copd", .open = true });
	x->group = space(x->t, x->cora, &(struct talk_space_fields){ .slug = "walkers",
		.name = "Tuesday walkers", .about = "For the walk's members.", .kind = "group",
		.service_id = x->walk, .open = true });
	return 0;
}

static int teardown(void **state)
{
	return rt_fixture_free(state);
}

/* ---------------------------------------------------------------- helpers */

/* A 201 answer for a post: exactly the keys a post's answer has, id an
 * integer and the flags booleans; help (the crisis numbers) when
 * signposted, never otherwise. Returns the id. */
static int64_t post_answer(const struct rt_json *r, bool topic, bool signposted, bool held)
{
	const json_t *help = json_object_get(r->j, "help");
	size_t keys = 3 + topic + signposted + held;

	if (r->r.status != 201)
		fail_msg("wanted 201: %d %s", r->r.status, r->r.body);
	assert_true(json_is_integer(json_object_get(r->j, "id")));
	assert_true(rt_jint(r->j, "id") > 0);
	assert_true(json_is_boolean(json_object_get(r->j, "signposted")));
	assert_true(json_is_boolean(json_object_get(r->j, "held")));
	if (json_is_true(json_object_get(r->j, "signposted")) != signposted ||
	    json_is_true(json_object_get(r->j, "held")) != held)
		fail_msg("wanted signposted %d, held %d: %s", signposted, held, r->r.body);
	if (topic)
		assert_true(rt_jint(r->j, "topic_id") > 0);
	if (signposted) {
		const json_t *sam = json_array_get(help, 0), *nhs = json_array_get(help, 1);

		assert_int_equal(json_array_size(help), 4);
		assert_string_equal(rt_jstr(sam, "name"), "Samaritans");
		assert_string_equal(rt_jstr(sam, "call"), "116 123");
		assert_string_equal(rt_jstr(nhs, "call"), "111");
		assert_string_equal(rt_jstr(nhs, "option"), "2");
		assert_string_equal(rt_jstr(json_array_get(help, 2), "text"), "SHOUT to 85258");
		assert_string_equal(rt_jstr(json_array_get(help, 3), "call"), "999");
	} else {
		assert_null(help);
	}
	if (held)
		assert_non_null(rt_jstr(r->j, "held_reason"));
	assert_int_equal(json_object_size(r->j), keys);
	return rt_jint(r->j, "id");
}

/* A new topic in space by token's holder: its answer checked; the topic's
 * id in *topic_id and the opening post's returned. */
static int64_t new_topic(struct rt *t, int64_t space_id, const char *token, const char *title, const char *body,
		bool signposted, bool held, int64_t *topic_id)
{
	json_t *b = json_pack("{s:s, s:s}", "title", title, "body", body);
	char *s = json_dumps(b, 0);
	struct rt_json r;
	int64_t id;

	rt_api(t, "POST", rt_at("/api/v1/spaces/%lld/topics", (long long)space_id), s, token, &r);
	id = post_answer(&r, true, signposted, held);
	if (topic_id)
		*topic_id = rt_jint(r.j, "topic_id");
	assert_non_null(rt_header(&r.r, "Location"));
	assert_string_equal(rt_header(&r.r, "Location"), rt_at("/api/v1/topics/%lld", (long long)rt_jint(r.j, "topic_id")));
	rt_json_free(&r);
	free(s);
	json_decref(b);
	return id;
}

static int64_t reply(struct rt *t, int64_t topic_id, const char *token, const char *body, bool signposted,
		bool held)
{
	json_t *b = json_pack("{s:s}", "body", body);
	char *s = json_dumps(b, 0);
	struct rt_json r;
	int64_t id;

	rt_api(t, "POST", rt_at("/api/v1/topics/%lld/posts", (long long)topic_id), s, token, &r);
	id = post_answer(&r, false, signposted, held);
	rt_json_free(&r);
	free(s);
	json_decref(b);
	return id;
}

/* Is there a post with id among a topic page's? */
static bool has_post(const struct rt_json *r, int64_t id)
{
	const json_t *p;
	size_t i;

	json_array_foreach(json_object_get(r->j, "posts"), i, p)
		if (rt_jint(p, "id") == id)
			return true;
	return false;
}

/* Is there a space with id among /api/v1/spaces? */
static bool has_space(const struct rt_json *r, int64_t id)
{
	const json_t *s;
	size_t i;

	json_array_foreach(json_object_get(r->j, "spaces"), i, s)
		if (rt_jint(s, "id") == id)
			return true;
	return false;
}

/* ---------------------------------------------------------------- reading */

static void spaces_are_those_one_may_read(void **state)
{
	struct fx *x = *state;
	struct rt_json r;

	rt_api_want(x->t, "GET", "/api/v1/spaces", NULL, x->tmem, 200, &r);
	assert_true(json_is_array(json_object_get(r.j, "spaces")));
	assert_true(has_space(&r, x->copd));
	assert_false(has_space(&r, x->group));    /* Mo is not in the group */
	rt_json_free(&r);

	rt_api_want(x->t, "GET", "/api/v1/spaces", NULL, x->tlw, 200, &r);   /* Lin is */
	assert_true(has_space(&r, x->copd));
	assert_true(has_space(&r, x->group));
	rt_json_free(&r);

	rt_api_want(x->t, "GET", "/api/v1/spaces", NULL, x->tcoord, 200, &r);
	assert_true(has_space(&r, x->group));
	rt_json_free(&r);

	rt_api_refused(x->t, "GET", "/api/v1/spaces?x=1", NULL, x->tmem, 400, "x", "x");
}

static void visitors_are_asked_to_sign_in(void **state)
{
	struct fx *x = *state;
	const char *copd = rt_at("/api/v1/spaces/%lld/topics", (long long)x->copd);

	rt_api_refused(x->t, "GET", "/api/v1/spaces", NULL, NULL, 401, "Sign in", NULL);
	rt_api_refused(x->t, "GET", copd, NULL, NULL, 401, "Sign in", NULL);
	rt_api_refused(x->t, "POST", copd, "{\"title\": \"Hello\", \"body\": \"Hi all\"}", NULL, 401, "Sign in", NULL);
	rt_api_refused(x->t, "GET", "/api/v1/topics/1", NULL, NULL, 401, "Sign in", NULL);
	rt_api_refused(x->t, "POST", "/api/v1/topics/1/posts", "{\"body\": \"Hi\"}", NULL, 401, "Sign in", NULL);
	rt_api_refused(x->t, "POST", "/api/v1/posts/1/flags", "{\"reason\": \"spam\"}", NULL, 401, "Sign in", NULL);
}

static void a_topic_and_its_replies(void **state)
{
	struct fx *x = *state;
	int64_t topic, first, second, quoting;
	const json_t *tj, *posts;
	struct rt_json r;
	char body[128];

	first = new_topic(x->t, x->copd, x->tmem, "Hills", HILL, false, false, &topic);
	second = reply(x->t, topic, x->tlw, "Slow down before the hill, not halfway up it.", false, false);
	snprintf(body, sizeof(body), "{\"body\": \"Good tip, thank you.\", \"quote_of\": %lld}", (long long)second);
	rt_api_want(x->t, "POST", rt_at("/api/v1/topics/%lld/posts", (long long)topic), body, x->tmem, 201, &r);
	quoting = post_answer(&r, false, false, false);
	rt_json_free(&r);

	/* The space's topics: the new one, paged like every /api/v1 list. */
	rt_api_want(x->t, "GET", rt_at("/api/v1/spaces/%lld/topics?page=", (long long)x->copd), NULL, x->tlw, 200, &r);
	tj = json_array_get(json_object_get(r.j, "topics"), 0);
	assert_int_equal(rt_jint(tj, "id"), topic);
	assert_string_equal(rt_jstr(tj, "title"), "Hills");
	assert_int_equal(rt_jint(r.j, "total"), 1);
	assert_int_equal(rt_jint(r.j, "page"), 1);
	assert_int_equal(rt_jint(r.j, "pages"), 1);
	assert_true(rt_jint(r.j, "per_page") > 0);
	rt_json_free(&r);
	rt_api_list_rule(x->t, rt_at("/api/v1/spaces/%lld/topics", (long long)x->copd), x->tlw, API_PER_PAGE_MAX);

	/* The topic and its posts, oldest first. */
	rt_api_want(x->t, "GET", rt_at("/api/v1/topics/%lld", (long long)topic), NULL, x->tcoord, 200, &r);
	tj = json_object_get(r.j, "topic");
	posts = json_object_get(r.j, "posts");
	assert_int_equal(rt_jint(tj, "id"), topic);
	assert_string_equal(rt_jstr(tj, "title"), "Hills");
	assert_int_equal(rt_jint(tj, "space_id"), x->copd);
	assert_string_equal(rt_jstr(json_object_get(tj, "space"), "name"), "Living with COPD");
	assert_int_equal(json_array_size(posts), 3);
	assert_int_equal(rt_jint(json_array_get(posts, 0), "id"), first);
	assert_int_equal(rt_jint(json_array_get(posts, 1), "id"), second);
	assert_int_equal(rt_jint(json_array_get(posts, 2), "id"), quoting);
	assert_string_equal(rt_jstr(json_array_get(posts, 0), "by"), "Mo M");
	assert_int_equal(rt_jint(json_object_get(json_array_get(posts, 2), "quote"), "id"), second);
	assert_int_equal(rt_jint(r.j, "total"), 3);
	rt_json_free(&r);

	rt_api_refused(x->t, "GET", "/api/v1/topics/999999", NULL, x->tmem, 404, "no topic", NULL);
	rt_api_refused(x->t, "POST", "/api/v1/topics/999999/posts", "{\"body\": \"Hi\"}", x->tmem, 404, "no topic", NULL);
	rt_api_refused(x->t, "GET", "/api/v1/spaces/999999/topics", NULL, x->tmem, 404, "no space", NULL);
	rt_api_refused(x->t, "GET", rt_at("/api/v1/topics/%lld?sort=new", (long long)topic), NULL, x->tmem, 400, "sort",
		"sort");
}

/* ---------------------------------------------------------------- crisis signposting */

static void a_crisis_post_is_signposted(void **state)
{
	struct fx *x = *state;
	int64_t topic;

	new_topic(x->t, x->copd, x->tmem, "A bad week", CRISIS, true, false, &topic);
	reply(x->t, topic, x->tlw, "I'm here for you. Please ring the Samaritans.", false, false);
	reply(x->t, topic, x->tlw, CRISIS, true, false);
	reply(x->t, topic, x->tcoord, HILL, false, false);
}

/* ---------------------------------------------------------------- groups */

static void a_groups_space_is_for_its_members(void **state)
{
	struct fx *x = *state;
	const char *topics = rt_at("/api/v1/spaces/%lld/topics", (long long)x->group);
	char path[64];
	int64_t topic, post;
	struct rt_json r;

	post = new_topic(x->t, x->group, x->tlw, "Lifts on Tuesday", "Anyone passing the library?", false, false,
			 &topic);
	rt_api_want(x->t, "GET", topics, NULL, x->torga, 200, &r);   /* the organiser of its organisation */
	rt_json_free(&r);

	rt_api_refused(x->t, "GET", topics, NULL, x->tmem, 403, "members of its group", NULL);
	rt_api_refused(x->t, "POST", topics, "{\"title\": \"Hello\", \"body\": \"Hi all\"}", x->tmem, 403,
		"members of its group", NULL);
	snprintf(path, sizeof(path), "/api/v1/topics/%lld", (long long)topic);
	rt_api_refused(x->t, "GET", path, NULL, x->tmem, 403, "members of its group", NULL);
	snprintf(path, sizeof(path), "/api/v1/topics/%lld/posts", (long long)topic);
	rt_api_refused(x->t, "POST", path, "{\"body\": \"Hi\"}", x->tmem, 403, "members of its group", NULL);
	snprintf(path, sizeof(path), "/api/v1/posts/%lld/flags", (long long)post);
	rt_api_refused(x->t, "POST", path, "{\"reason\": \"spam\"}", x->tmem, 404, "no post", NULL);
}

/* ---------------------------------------------------------------- bodies */

static void bodies_say_what_to_fix(void **state)
{
	struct fx *x = *state;
	const char *topics = rt_at("/api/v1/spaces/%lld/topics", (long long)x->copd);
	char *long_title = malloc(TALK_TITLE_MAX + 64), *big;
	size_t n;

	rt_api_refused(x->t, "POST", topics, "{\"title\": \"Hi\", ", x->tmem, 400, "JSON", NULL);
	rt_api_refused(x->t, "POST", topics, "[\"Hi\", \"there\"]", x->tmem, 400, "JSON object", NULL);
	rt_api_refused(x->t, "POST", topics, "\"Hi\"", x->tmem, 400, "object", NULL);
	rt_api_refused(x->t, "POST", topics, "{\"title\": 5, \"body\": \"Hi\"}", x->tmem, 422, "Give title as text", "title");
	rt_api_refused(x->t, "POST", topics, "{\"title\": \"Hi\", \"body\": [\"Hi\"]}", x->tmem, 422, NULL, "body");
	rt_api_refused(x->t, "POST", topics, "{\"title\": \"Hi\"}", x->tmem, 422, NULL, "body");
	rt_api_refused(x->t, "POST", topics, "{\"title\": \"Hi\", \"body\": \"   \"}", x->tmem, 422, NULL, "body");
	rt_api_refused(x->t, "POST", topics, "{\"title\": \"Hi\", \"text\": \"Hello\"}", x->tmem, 422, "see errors", "text");
	rt_api_refused(x->t, "POST", topics, "{\"title\": \"Hi\", \"body\": \"a\\u0007b\"}", x->tmem, 422, NULL, "body");

	snprintf(long_title, TALK_TITLE_MAX + 64, "{\"title\": \"");
	n = strlen(long_title);
	memset(long_title + n, 'a', TALK_TITLE_MAX + 1);
	snprintf(long_title + n + TALK_TITLE_MAX + 1, 32, "\", \"body\": \"Hi\"}");
	rt_api_refused(x->t, "POST", topics, long_title, x->tmem, 422, "at most 120 characters", "title");
	free(long_title);

	big = malloc(TALK_BODY_MAX + 64);
	snprintf(big, 32, "{\"title\": \"Hi\", \"body\": \"");
	n = strlen(big);
	memset(big + n, 'b', TALK_BODY_MAX + 1);
	snprintf(big + n + TALK_BODY_MAX + 1, 8, "\"}");
	rt_api_refused(x->t, "POST", topics, big, x->tmem, 422, "at most 20000 bytes", "body");
	free(big);

	/* A form from a browser session: only JSON is taken. */
	{
		struct rt_resp r;

		rt_browser_request(x->t, &x->member, "POST", topics, NULL, "title=Hi&body=Hello", &r);
		assert_int_equal(r.status, 415);
		rt_resp_free(&r);
	}
	/* Nothing was written. */
	{
		struct rt_json r;

		rt_api_want(x->t, "GET", topics, NULL, x->tmem, 200, &r);
		assert_int_equal(rt_jint(r.j, "total"), 0);
		rt_json_free(&r);
	}
}

static void a_browser_session_may_post_json(void **state)
{
	struct fx *x = *state;
	const char *topics = rt_at("/api/v1/spaces/%lld/topics", (long long)x->copd);
	const char *body = "{\"title\": \"From the app\", \"body\": \"Hello everyone\"}";
	char cookie[160];
	const char *h[] = { cookie, "Content-Type: application/json", NULL };
	struct rt_resp r;

	snprintf(cookie, sizeof(cookie), "Cookie: kith_session=%s", x->member.session);
	rt_request(x->t, "POST", topics, h, body, strlen(body), NULL, &r);
	if (r.status != 201)
		fail_msg("%d %s", r.status, r.body);
	rt_resp_free(&r);
}

/* ---------------------------------------------------------------- who may write */

static void writers_who_may_not_post_are_told_why(void **state)
{
	struct fx *x = *state;
	const char *topics = rt_at("/api/v1/spaces/%lld/topics", (long long)x->copd);

	struct actor cora = { .id = x->cora, .roles = ROLE_BIT(ROLE_COORDINATOR) | MEMBER, .verified = true };
	json_t *errors = json_array();
	int64_t post;
	enum err e;

	/* No display name yet. */
	rt_api_refused(x->t, "POST", topics, "{\"title\": \"Hello\", \"body\": \"Hi all\"}", x->tnobody, 403, NULL, NULL);

	/* Muted for three days. */
	post = new_topic(x->t, x->copd, x->tmem, "Hello", "Hi all", false, false, NULL);
	assert_int_equal(db_begin(rt_db(x->t)), ERR_OK);
	e = talk_moderate(env(), rt_db(x->t), &cora, post, TALK_MUTE, "Please take a short break.", NULL, 3, NOW,
			  errors);
	if (e)
		fail_msg("mute: %s %s", err_name(e), json_dumps(errors, 0));
	assert_int_equal(db_commit(rt_db(x->t)), ERR_OK);
	json_decref(errors);
	rt_api_refused(x->t, "POST", topics, "{\"title\": \"Hello again\", \"body\": \"Hi all\"}", x->tmem, 403, NULL,
		NULL);
}

static void a_new_accounts_link_is_held(void **state)
{
	struct fx *x = *state;
	int64_t topic, held;
	struct rt_json r;

	new_topic(x->t, x->copd, x->tmem, "Useful sites", "What do you read?", false, false, &topic);
	held = reply(x->t, topic, x->tnell, "I like https://example.org/breathing for exercises.", false, true);
	/* Another member does not see it; its writer does. */
	rt_api_want(x->t, "GET", rt_at("/api/v1/topics/%lld", (long long)topic), NULL, x->tlw, 200, &r);
	assert_false(has_post(&r, held));
	rt_json_free(&r);
	rt_api_want(x->t, "GET", rt_at("/api/v1/topics/%lld", (long long)topic), NULL, x->tnell, 200, &r);
	assert_true(has_post(&r, held));
	rt_json_free(&r);
}

/* ---------------------------------------------------------------- flags and hiding */

static void flags_once_per_reason(void **state)
{
	struct fx *x = *state;
	int64_t topic, post;
	const char *flags;
	struct rt_json r;

	new_topic(x->t, x->copd, x->tmem, "Supplements", "Anyone tried turmeric?", false, false, &topic);
	post = reply(x->t, topic, x->tcoord, "My neighbour sells a cure for COPD, ask me.", false, false);
	flags = rt_at("/api/v1/posts/%lld/flags", (long long)post);

	rt_api_want(x->t, "POST", flags, "{\"reason\": \"unsafe_advice\", \"note\": \"Selling a cure\"}", x->tlw, 201, &r);
	assert_true(json_is_integer(json_object_get(r.j, "id")));
	assert_true(rt_jint(r.j, "id") > 0);
	assert_int_equal(json_object_size(r.j), 1);
	rt_json_free(&r);
	rt_api_refused(x->t, "POST", flags, "{\"reason\": \"unsafe_advice\"}", x->tlw, 409, "already flagged", NULL);
	/* Another reason, or another person, is another flag. */
	rt_api_want(x->t, "POST", flags, "{\"reason\": \"spam\"}", x->tlw, 201, &r);
	rt_json_free(&r);
	rt_api_want(x->t, "POST", flags, "{\"reason\": \"unsafe_advice\"}", x->tmem, 201, &r);
	rt_json_free(&r);

	rt_api_refused(x->t, "POST", flags, "{\"reason\": \"rude\"}", x->tlw, 422, "unkind", "reason");
	rt_api_refused(x->t, "POST", flags, "{}", x->tlw, 422, "reason is one of", "reason");
	rt_api_refused(x->t, "POST", flags, "{\"reason\": \"spam\", \"why\": \"x\"}", x->tlw, 422, NULL, "why");
	rt_api_refused(x->t, "POST", "/api/v1/posts/999999/flags", "{\"reason\": \"spam\"}", x->tlw, 404, "no post", NULL);
}

static void a_hidden_post_is_not_shown_to_peers(void **state)
{
	struct fx *x = *state;
	struct actor cora = { .id = x->cora, .roles = ROLE_BIT(ROLE_COORDINATOR) | MEMBER, .verified = true };
	json_t *errors = json_array();
	int64_t topic, post;
	struct rt_json r;
	enum err e;

	new_topic(x->t, x->copd, x->tmem, "Inhalers", "Which spacer do you use?", false, false, &topic);
	post = reply(x->t, topic, x->tlw, "Only an idiot would use that one.", false, false);
	assert_int_equal(db_begin(rt_db(x->t)), ERR_OK);
	e = talk_moderate(env(), rt_db(x->t), &cora, post, TALK_HIDE, "Please be kind to each other.", NULL, 0, NOW,
			  errors);
	if (e)
		fail_msg("hide: %s %s", err_name(e), json_dumps(errors, 0));
	assert_int_equal(db_commit(rt_db(x->t)), ERR_OK);
	json_decref(errors);

	rt_api_want(x->t, "GET", rt_at("/api/v1/topics/%lld", (long long)topic), NULL, x->tmem, 200, &r);
	assert_false(has_post(&r, post));
	assert_int_equal(json_array_size(json_object_get(r.j, "posts")), 1);
	rt_json_free(&r);
	rt_api_want(x->t, "GET", rt_at("/api/v1/topics/%lld", (long long)topic), NULL, x->tcoord, 200, &r);
	assert_true(has_post(&r, post));
	rt_json_free(&r);
	/* Nor may it be flagged by one. */
	rt_api_refused(x->t, "POST", rt_at("/api/v1/posts/%lld/flags", (long long)post), "{\"reason\": \"spam\"}", x->tmem,
		404, "no post", NULL);
}

/* ---------------------------------------------------------------- the demo */

static const struct sql q_spaces = { "t.talk_spaces", "SELECT count(*) FROM talk_space", NULL };
static const struct sql q_topics = { "t.talk_topics", "SELECT count(*) FROM talk_topic", NULL };
static const struct sql q_posts = { "t.talk_posts", "SELECT count(*) FROM talk_post", NULL };
static const struct sql q_reactions = { "t.talk_reactions", "SELECT count(*) FROM talk_reaction", NULL };
static const struct sql q_open_flags = { "t.talk_open_flags",
	"SELECT count(*) FROM talk_flag WHERE state = 'open' AND reason = 'unsafe_advice' AND urgency = 1", NULL };
static const struct sql q_flags = { "t.talk_flags", "SELECT count(*) FROM talk_flag", NULL };
static const struct sql q_ungentle = { "t.talk_ungentle",
	"SELECT count(*) FROM talk_post WHERE signposted <> 0 OR state <> 'visible'", NULL };
static const struct sql q_copd_mod = { "t.talk_copd_mod",
	"SELECT count(*) FROM talk_moderator m JOIN talk_space s ON s.id = m.space_id "
	"JOIN person p ON p.id = m.person_id WHERE s.slug = 'living-with-copd' AND s.condition = 'copd' "
	"AND p.email = 'peer@demo.kith.test'", NULL };
static const struct sql q_kinds = { "t.talk_kinds",
	"SELECT count(DISTINCT kind) FROM talk_space", NULL };
static const struct sql q_named = { "t.talk_named",
	"SELECT count(*) FROM talk_profile p JOIN person x ON x.id = p.person_id "
	"WHERE x.email LIKE '%@demo.kith.test' AND p.trusted = 1", NULL };
static const struct sql q_member = { "t.demo_member",
	"SELECT id FROM person WHERE email = 'member@demo.kith.test'", NULL };
static const struct sql q_copd = { "t.demo_copd",
	"SELECT id FROM talk_space WHERE slug = 'living-with-copd'", NULL };

/* Every feature's demo hook as `kith demo` runs them, at NOW; what they
 * printed (the caller frees it). */
static char *run_demo(struct rt *t)
{
	struct db *db = rt_db(t);
	char *printed = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&printed, &len);
	struct demo_opts o = { .now = NOW, .out = out };

	assert_non_null(out);
	assert_int_equal(db_begin(db), ERR_OK);
	for (size_t i = 0; i < features_n; i++) {
		enum err e = features[i]->demo ? features[i]->demo(db, &o) : ERR_OK;

		if (e) {
			fclose(out);
			fail_msg("demo data for %s failed: %s: %s", features[i]->name, err_name(e), printed);
		}
	}
	assert_int_equal(db_commit(db), ERR_OK);
	fclose(out);
	return printed;
}

static void the_demo_has_conversations(void **state)
{
	struct rt *t = *state;
	int64_t topics, posts, member;
	char token[TOKEN_LEN + 1];
	bool registered = false;
	char *printed;
	struct rt_json r;

	for (size_t i = 0; i < features_n; i++)
		registered |= features[i]->demo == talk_demo;
	assert_true(registered);
	time_set_fake(NOW);
	printed = run_demo(t);
	if (!strstr(printed, "Conversations: 5 spaces"))
		fail_msg("the demo said: %s", printed);
	free(printed);

	/* A space per condition, carers, general and the group's. */
	assert_int_equal(rt_count(t, &q_spaces, DB_NOARGS), 5);
	assert_int_equal(rt_count(t, &q_kinds, DB_NOARGS), 4);
	assert_int_equal(rt_count(t, &q_copd_mod, DB_NOARGS), 1);
	topics = rt_count(t, &q_topics, DB_NOARGS);
	posts = rt_count(t, &q_posts, DB_NOARGS);
	assert_true(topics >= 6);
	assert_true(posts >= 2 * topics);
	assert_true(rt_count(t, &q_reactions, DB_NOARGS) >= 10);
	assert_int_equal(rt_count(t, &q_named, DB_NOARGS), 8);
	/* Gentle: one flag, not a crisis, and nothing signposted or held. */
	assert_int_equal(rt_count(t, &q_flags, DB_NOARGS), 1);
	assert_int_equal(rt_count(t, &q_open_flags, DB_NOARGS), 1);
	assert_int_equal(rt_count(t, &q_ungentle, DB_NOARGS), 0);

	/* The demo member reads every space, the group's too, through the API. */
	member = rt_count(t, &q_member, DB_NOARGS);
	rt_bearer(t, member, RT_API_TOKEN, token);
	rt_api_want(t, "GET", "/api/v1/spaces", NULL, token, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.j, "spaces")), 5);
	rt_json_free(&r);
	rt_api_want(t, "GET", rt_at("/api/v1/spaces/%lld/topics", (long long)rt_count(t, &q_copd, DB_NOARGS)), NULL, token,
	     200, &r);
	assert_int_equal(rt_jint(r.j, "total"), 2);
	rt_json_free(&r);

	/* Again: the same again, not twice over. */
	free(run_demo(t));
	assert_int_equal(rt_count(t, &q_spaces, DB_NOARGS), 5);
	assert_int_equal(rt_count(t, &q_topics, DB_NOARGS), topics);
	assert_int_equal(rt_count(t, &q_posts, DB_NOARGS), posts);
	assert_int_equal(rt_count(t, &q_flags, DB_NOARGS), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(spaces_are_those_one_may_read, setup, teardown),
		cmocka_unit_test_setup_teardown(visitors_are_asked_to_sign_in, setup, teardown),
		cmocka_unit_test_setup_teardown(a_topic_and_its_replies, setup, teardown),
		cmocka_unit_test_setup_teardown(a_crisis_post_is_signposted, setup, teardown),
		cmocka_unit_test_setup_teardown(a_groups_space_is_for_its_members, setup, teardown),
		cmocka_unit_test_setup_teardown(bodies_say_what_to_fix, setup, teardown),
		cmocka_unit_test_setup_teardown(a_browser_session_may_post_json, setup, teardown),
		cmocka_unit_test_setup_teardown(writers_who_may_not_post_are_told_why, setup, teardown),
		cmocka_unit_test_setup_teardown(a_new_accounts_link_is_held, setup, teardown),
		cmocka_unit_test_setup_teardown(flags_once_per_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(a_hidden_post_is_not_shown_to_peers, setup, teardown),
		cmocka_unit_test_setup_teardown(the_demo_has_conversations, rt_setup, rt_teardown),
	};

	return testdb_run_groups("talk API", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
