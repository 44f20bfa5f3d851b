/*
 * test_talk_web.c - the conversations pages through app_handle(), on both
 * backends, with the clock pinned (NOW; the cast and the people below are
 * made a month before, so their accounts are trusted, except Nell's, made
 * at NOW): coordinators making spaces, naming moderators and watched
 * words; choosing a display name (its errors); the whole flow (a topic, a
 * reply, "me too", a report, a moderator hides it and its writer is told,
 * in words and by an email without the post's words); a crisis post shows
 * its writer where to get help now, at once, and is first in the queue,
 * marked urgent; a new account's link waits for a moderator; quoting,
 * changing a post, search, following, notices, messages with the
 * moderators, seeing who wrote a post (audited); and the refusals: a
 * visitor sent to sign in, a non-member of a group's space (403, with
 * how to join), a peer opening the queue, a peer moderator acting on
 * another space's post, a member reading a hidden post. Every route is
 * asked at least once.
 */
#include "core/common.h"

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/timeutil.h"
#include "core/uktime.h"
#include "directory/directory.h"
#include "store/store.h"
#include "support/cast.h"
#include "support/reqtest.h"

#define MEMBER ROLE_BIT(ROLE_MEMBER)
/* Wednesday 13 January 2027, 14:00 GMT. */
#define NOW uk_to_utc(2027, 1, 13, 14, 0)
#define DAY INT64_C(86400)

static const struct sql q_space_id = { "ttw.space_id", "SELECT id FROM talk_space WHERE slug = $1", NULL };
static const struct sql q_spaces = { "ttw.spaces", "SELECT count(*) FROM talk_space", NULL };
static const struct sql q_last_post = { "ttw.last_post", "SELECT max(id) FROM talk_post", NULL };
static const struct sql q_post_state = { "ttw.post_state",
	"SELECT count(*) FROM talk_post WHERE id = $1 AND state = $2", NULL };
static const struct sql q_reactions = { "ttw.reactions",
	"SELECT count(*) FROM talk_reaction WHERE post_id = $1 AND kind = $2", NULL };
static const struct sql q_flags = { "ttw.flags",
	"SELECT count(*) FROM talk_flag WHERE post_id = $1 AND state = 'open'", NULL };
static const struct sql q_moderators = { "ttw.moderators",
	"SELECT count(*) FROM talk_moderator WHERE space_id = $1", NULL };
static const struct sql q_mail_to = { "ttw.mail_to",
	"SELECT count(*) FROM outbox WHERE to_addr = $1", NULL };
static const struct sql q_mail_with = { "ttw.mail_with",
	"SELECT count(*) FROM outbox WHERE subject LIKE $1 OR body_text LIKE $1 OR coalesce(body_html, '') LIKE $1",
	NULL };
static const struct sql q_follows = { "ttw.follows",
	"SELECT count(*) FROM talk_follow WHERE person_id = $1", NULL };
static const struct sql q_watched = { "ttw.watched", "SELECT count(*) FROM talk_watched", NULL };
static const struct sql q_on_duty = { "ttw.on_duty",
	"SELECT count(*) FROM talk_profile WHERE person_id = $1 AND on_duty = 1", NULL };

struct fx {
	struct rt *t;
	RT_CAST_MEMBERS;        /* olu, bea, lin, cora, tom, mo; own, other, link, coord, comm, member */
	int64_t ada, pat, pia, una, nell;
	struct rt_browser ada_b, pat_b, pia_b, una_b, nell_b;
	char svc[37];
	int64_t copd, carers, group;   /* spaces */
};

/* A Location's number after prefix ("/talk/topics/"), 0 when none. */
static int64_t loc_num(const struct rt_resp *r, const char *prefix)
{
	const char *loc = rt_header(r, "Location");

	if (!loc || strncmp(loc, prefix, strlen(prefix)) != 0)
		return 0;
	return strtoll(loc + strlen(prefix), NULL, 10);
}

static int64_t space_id(struct fx *x, const char *slug)
{
	return rt_count(x->t, &q_space_id, DB_ARGS(DB_TEXT(slug)));
}

static int64_t last_post(struct fx *x)
{
	return rt_count(x->t, &q_last_post, DB_NOARGS);
}

/* The coordinator makes a space from a form; its id. */
static int64_t make_space(struct fx *x, const char *fields, const char *slug)
{
	struct rt_resp r;
	int64_t id;

	rt_browser_post(x->t, &x->coord, "/talk/moderate/spaces", fields, &r);
	assert_int_equal(r.status, 303);
	id = space_id(x, slug);
	assert_true(id > 0);
	assert_string_equal(rt_header(&r, "Location"), rt_at("/talk/moderate/spaces/%lld?done=made", (long long)id));
	rt_resp_free(&r);
	return id;
}

static void choose_name(struct fx *x, struct rt_browser *b, const char *name)
{
	rt_browser_post_to(x->t, b, "/talk/profile", rt_at("display_name=%s&notify=instant", name),
			   "/talk?done=profile");
}

/* b starts a topic in the space; the topic's id (the new post is last_post). */
static int64_t start_topic(struct fx *x, struct rt_browser *b, const char *slug, const char *fields)
{
	struct rt_resp r;
	int64_t id;

	rt_browser_post(x->t, b, rt_at("/talk/spaces/%s/topics", slug), fields, &r);
	assert_int_equal(r.status, 303);
	id = loc_num(&r, "/talk/topics/");
	assert_true(id > 0);
	assert_non_null(strstr(rt_header(&r, "Location"), rt_at("posted=%lld#post-%lld", (long long)last_post(x),
								 (long long)last_post(x))));
	rt_resp_free(&r);
	return id;
}

static int64_t reply(struct fx *x, struct rt_browser *b, int64_t topic, const char *fields)
{
	struct rt_resp r;

	rt_browser_post(x->t, b, rt_at("/talk/topics/%lld/posts", (long long)topic), fields, &r);
	assert_int_equal(r.status, 303);
	assert_int_equal(loc_num(&r, "/talk/topics/"), topic);
	assert_non_null(strstr(rt_header(&r, "Location"), rt_at("posted=%lld", (long long)last_post(x))));
	rt_resp_free(&r);
	return last_post(x);
}

#define OPEN_GROUP "welcome=Come+along&who_for=Anyone&members_only=&capacity=&show_count=yes&sensitive=no&open=yes"

static int setup(void **state)
{
	struct fx *x;

	time_set_fake(NOW - 30 * DAY);
	if (!(x = rt_fixture(state, sizeof(*x), NULL)))
		return -1;
	rt_cast(x->t, &x->cast, RT_CAST_EVERYONE);
	x->ada = rt_person(x->t, "Ada Walker", "ada@example.org", NULL, MEMBER, NULL);
	x->pat = rt_person(x->t, "Pat Moderator", "pat@example.org", NULL, MEMBER | ROLE_BIT(ROLE_PEER_SUPPORTER), NULL);
	x->pia = rt_person(x->t, "Pia Reader", "pia@example.org", NULL, MEMBER, NULL);
	x->una = rt_person_unverified(x->t, "Una Unconfirmed", "una@example.org", NULL, MEMBER, NULL);
	time_set_fake(NOW);
	x->nell = rt_person(x->t, "Nell Newcomer", "nell@example.org", NULL, MEMBER, NULL);
	rt_sign_in(x->t, x->olu, &x->own);
	rt_sign_in(x->t, x->cora, &x->coord);
	rt_sign_in(x->t, x->mo, &x->member);
	rt_sign_in(x->t, x->ada, &x->ada_b);
	rt_sign_in(x->t, x->pat, &x->pat_b);
	rt_sign_in(x->t, x->pia, &x->pia_b);
	rt_sign_in(x->t, x->una, &x->una_b);
	rt_sign_in(x->t, x->nell, &x->nell_b);
	x->copd = make_space(x, "kind=condition&name=Living+with+COPD&slug=living-with-copd&about=For+people+with+"
			     "COPD&condition=copd&service_id=&open=yes", "living-with-copd");
	x->carers = make_space(x, "kind=carers&name=Carers+together&slug=carers&about=For+carers&condition=&"
			       "service_id=&open=yes", "carers");
	/* Pat moderates the carers' space only. */
	rt_browser_post_to(x->t, &x->coord, rt_at("/talk/moderate/spaces/%lld", (long long)x->carers),
			   "what=moderator&email=pat@example.org",
			   rt_at("/talk/moderate/spaces/%lld?done=moderator_added", (long long)x->carers));
	return 0;
}

static int teardown(void **state)
{
	return rt_fixture_free(state);
}

/* ---------------------------------------------------------------- spaces, names */

static void coordinators_make_spaces(void **state)
{
	struct fx *x = *state;
	struct rt_browser visitor = { 0 };
	struct rt_resp r;

	/* Their errors say what to fix; nothing is made. */
	rt_browser_post_is(x->t, &x->coord, "/talk/moderate/spaces", "kind=general&name=&slug=&open=yes", 422,
			   "There is a problem", "Enter the space&#39;s name", "Enter the end of the space&#39;s web address",
			   NULL);
	rt_browser_post_is(x->t, &x->coord, "/talk/moderate/spaces", "name=Chat&slug=chat&open=yes", 422,
			   "Choose what kind of space it is", NULL);
	rt_browser_post_is(x->t, &x->coord, "/talk/moderate/spaces",
			   "kind=general&name=Another+one&slug=carers&about=&open=yes", 422, "There is a problem", NULL);
	assert_int_equal(rt_count(x->t, &q_spaces, DB_NOARGS), 2);
	/* The list, a space's page, saving it. */
	rt_browser_get_is(x->t, &x->coord, "/talk/moderate/spaces", 200, "Living with COPD", "Carers together",
			  "Make a space", NULL);
	rt_browser_get_is(x->t, &x->coord, rt_at("/talk/moderate/spaces/%lld", (long long)x->carers), 200,
			  "Change a space", "pat@example.org", "Add a moderator", NULL);
	rt_browser_post_to(x->t, &x->coord, rt_at("/talk/moderate/spaces/%lld", (long long)x->carers),
			   "what=space&kind=carers&name=Carers+together&slug=carers&about=For+people+who+care&condition=&"
			   "service_id=&open=yes", rt_at("/talk/moderate/spaces/%lld?done=saved", (long long)x->carers));
	rt_browser_get_is(x->t, &x->ada_b, "/talk/spaces/carers", 200, "For people who care", NULL);
	/* A moderator needs an account. */
	rt_browser_post_is(x->t, &x->coord, rt_at("/talk/moderate/spaces/%lld", (long long)x->copd),
			   "what=moderator&email=nobody@example.org", 422, "There is a problem", NULL);
	assert_int_equal(rt_count(x->t, &q_moderators, DB_ARGS(DB_INT(x->copd))), 0);
	/* Naming and removing one. */
	rt_browser_post_to(x->t, &x->coord, rt_at("/talk/moderate/spaces/%lld", (long long)x->copd),
			   "what=moderator&email=pia@example.org",
			   rt_at("/talk/moderate/spaces/%lld?done=moderator_added", (long long)x->copd));
	assert_int_equal(rt_count(x->t, &q_moderators, DB_ARGS(DB_INT(x->copd))), 1);
	rt_browser_post_to(x->t, &x->coord, rt_at("/talk/moderate/spaces/%lld/moderators/%lld/remove",
						   (long long)x->copd, (long long)x->pia), NULL,
			   rt_at("/talk/moderate/spaces/%lld?done=moderator_removed", (long long)x->copd));
	assert_int_equal(rt_count(x->t, &q_moderators, DB_ARGS(DB_INT(x->copd))), 0);
	/* Only coordinators. */
	rt_browser_get_is(x->t, &x->pat_b, "/talk/moderate/spaces", 403, NULL);
	rt_browser_post_is(x->t, &x->pat_b, "/talk/moderate/spaces", "kind=general&name=Mine&slug=mine&open=yes", 403,
			   NULL);
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/talk/moderate/spaces/%lld", (long long)x->copd), 403, NULL);
	/* A visitor is asked to sign in, everywhere. */
	rt_browser_get(x->t, &visitor, "/talk", &r);
	assert_int_equal(r.status, 303);
	assert_non_null(strstr(rt_header(&r, "Location"), "/login"));
	rt_resp_free(&r);
	rt_browser_get(x->t, &visitor, "/talk/spaces/carers", &r);
	assert_int_equal(r.status, 303);
	assert_non_null(strstr(rt_header(&r, "Location"), "/login"));
	rt_resp_free(&r);
	/* The list of spaces, for people. */
	rt_browser_get_is(x->t, &x->ada_b, "/talk", 200, "Conversations", "Living with COPD", "Carers together",
			  "Choose a display name", "Write to the moderators", NULL);
	rt_browser_get_is(x->t, &x->ada_b, "/talk/spaces/no-such-space", 404, NULL);
}

static void choosing_a_display_name(void **state)
{
	struct fx *x = *state;

	rt_browser_get_is(x->t, &x->ada_b, "/talk/profile", 200, "Other people in conversations see only this name",
			  "Moderators can see who you are", NULL);
	rt_browser_post_is(x->t, &x->ada_b, "/talk/profile", "display_name=&notify=daily", 422, "There is a problem",
			   "Enter a display name", NULL);
	rt_browser_post_is(x->t, &x->ada_b, "/talk/profile", "display_name=Walker22", 422,
			   "Choose when we should email you about new replies", NULL);
	rt_browser_post_is(x->t, &x->ada_b, "/talk/profile", "display_name=ada%40example.org&notify=daily", 422,
			   "There is a problem", NULL);
	choose_name(x, &x->ada_b, "Walker22");
	rt_browser_get_is(x->t, &x->ada_b, "/talk?done=profile", 200, "Walker22", NULL);
	/* Taken, compared without case. */
	rt_browser_post_is(x->t, &x->pia_b, "/talk/profile", "display_name=walker22&notify=daily", 422,
			   "There is a problem", NULL);
	/* Without a name, writing waits for one. */
	rt_browser_get_is(x->t, &x->pia_b, "/talk/spaces/living-with-copd/topics", 200, "Choose a display name", NULL);
}

/* ---------------------------------------------------------------- the whole flow */

static void topic_reply_metoo_flag_hide(void **state)
{
	struct fx *x = *state;
	int64_t topic, first, second;
	struct rt_resp r;

	choose_name(x, &x->ada_b, "Walker22");
	choose_name(x, &x->pia_b, "Breather");
	/* Starting a topic: its errors, then the topic. */
	rt_browser_get_is(x->t, &x->ada_b, "/talk/spaces/living-with-copd/topics", 200, "Start a topic", "Walker22",
			  NULL);
	rt_browser_post_is(x->t, &x->ada_b, "/talk/spaces/living-with-copd/topics", "title=&body=", 422,
			   "Enter a title for your topic", "Enter what you would like to say", NULL);
	topic = start_topic(x, &x->ada_b, "living-with-copd",
			    "title=Cold+mornings&body=I+make+marmalade+toast+and+wait+for+the+inhaler+to+work.");
	first = last_post(x);
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/talk/topics/%lld?posted=%lld", (long long)topic, (long long)first),
			  200, "Cold mornings", "marmalade toast", "Your post is published.", "Walker22 (you)",
			  "Change your post", NULL);
	/* The space lists it; a reader sees the display name, never the person's name. */
	rt_browser_get_is(x->t, &x->pia_b, "/talk/spaces/living-with-copd", 200, "Cold mornings", "Started by Walker22",
			  "Follow this space", NULL);
	rt_browser_get(x->t, &x->pia_b, rt_at("/talk/topics/%lld", (long long)topic), &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Walker22"));
	assert_false(rt_has(&r, "Ada Walker"));
	assert_true(rt_has(&r, "Me too"));
	assert_true(rt_has(&r, "Report"));
	assert_false(rt_has(&r, "Your post has been published"));
	rt_resp_free(&r);
	/* A reply: its error, then the reply. */
	rt_browser_post_is(x->t, &x->pia_b, rt_at("/talk/topics/%lld/posts", (long long)topic), "body=", 422,
			   "Enter your reply", NULL);
	second = reply(x, &x->pia_b, topic, rt_at("body=Same+here.+A+scarf+over+my+mouth+helps.&quote=%lld",
						   (long long)first));
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/talk/topics/%lld", (long long)topic), 200, "A scarf over my mouth",
			  "Walker22 wrote", NULL);
	/* Me too: on, and the writer sees the count; not on one's own. */
	rt_browser_post(x->t, &x->pia_b, rt_at("/talk/posts/%lld/react", (long long)first), "kind=metoo&on=1", &r);
	assert_int_equal(r.status, 303);
	assert_non_null(strstr(rt_header(&r, "Location"), rt_at("#post-%lld", (long long)first)));
	rt_resp_free(&r);
	assert_int_equal(rt_count(x->t, &q_reactions, DB_ARGS(DB_INT(first), DB_TEXT("metoo"))), 1);
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/talk/topics/%lld", (long long)topic), 200,
			  "1 person said “me too” to your post.", NULL);
	rt_browser_get_is(x->t, &x->pia_b, rt_at("/talk/topics/%lld", (long long)topic), 200, "You said “Me too”", NULL);
	rt_browser_post_is(x->t, &x->ada_b, rt_at("/talk/posts/%lld/react", (long long)first), "kind=metoo&on=1", 403,
			   NULL);
	rt_browser_post_is(x->t, &x->pia_b, rt_at("/talk/posts/%lld/react", (long long)first), "kind=hug&on=1", 422,
			   NULL);
	/* Reporting Pia's reply: the form, its error, then the report. */
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/talk/posts/%lld/flag", (long long)second), 200, "Report a post",
			  "A scarf over my mouth", NULL);
	rt_browser_post_is(x->t, &x->ada_b, rt_at("/talk/posts/%lld/flag", (long long)second), "note=hmm", 422,
			   "Choose what is wrong with the post", NULL);
	rt_browser_post(x->t, &x->ada_b, rt_at("/talk/posts/%lld/flag", (long long)second), "reason=unkind&note=Rude",
			&r);
	assert_int_equal(r.status, 303);
	assert_non_null(strstr(rt_header(&r, "Location"), "done=flagged"));
	rt_resp_free(&r);
	assert_int_equal(rt_count(x->t, &q_flags, DB_ARGS(DB_INT(second))), 1);
	rt_browser_post_is(x->t, &x->ada_b, rt_at("/talk/posts/%lld/flag", (long long)second), "reason=unkind", 422,
			   "already reported", NULL);
	/* The coordinator sees it in the queue and hides it, with a note. */
	rt_browser_get_is(x->t, &x->coord, "/talk/moderate", 200, "Posts to look at", "Cold mornings", NULL);
	rt_browser_get_is(x->t, &x->coord, rt_at("/talk/moderate/posts/%lld", (long long)second), 200,
			  "A post to look at", "Rude", "Breather", "Show who wrote it", NULL);
	rt_browser_post_is(x->t, &x->coord, rt_at("/talk/moderate/posts/%lld/act", (long long)second), "action=hide", 422,
			   "There is a problem", NULL);
	rt_browser_post_is(x->t, &x->coord, rt_at("/talk/moderate/posts/%lld/act", (long long)second),
			   "action=mute&days=500&note=x", 422, "from 1 to 90", NULL);
	assert_int_equal(rt_count(x->t, &q_post_state, DB_ARGS(DB_INT(second), DB_TEXT("visible"))), 1);
	rt_browser_post_to(x->t, &x->coord, rt_at("/talk/moderate/posts/%lld/act", (long long)second),
			   "action=hide&note=Please+keep+replies+kind.",
			   rt_at("/talk/moderate/posts/%lld?done=hide", (long long)second));
	assert_int_equal(rt_count(x->t, &q_post_state, DB_ARGS(DB_INT(second), DB_TEXT("hidden"))), 1);
	assert_int_equal(rt_audit_n(x->t, "talk.hide"), 1);
	/* The writer is told, in words, on their notices and on the page. */
	rt_browser_get_is(x->t, &x->pia_b, "/talk", 200, "New messages from the moderators: 1", NULL);
	rt_browser_get_is(x->t, &x->pia_b, "/talk/notices", 200, "Messages from the moderators",
			  "Please keep replies kind.", NULL);
	rt_browser_get_is(x->t, &x->pia_b, rt_at("/talk/topics/%lld", (long long)topic), 200,
			  "A moderator hid this post", "Please keep replies kind.", NULL);
	/* Nobody else sees it: not on the page, not by its link. */
	rt_browser_get(x->t, &x->ada_b, rt_at("/talk/topics/%lld", (long long)topic), &r);
	assert_int_equal(r.status, 200);
	assert_false(rt_has(&r, "A scarf over my mouth helps"));
	rt_resp_free(&r);
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/talk/posts/%lld", (long long)second), 404, NULL);
	rt_browser_get_is(x->t, &x->member, rt_at("/talk/posts/%lld/flag", (long long)second), 404, NULL);
	/* Its link, for a visible post, goes to its place on the topic's page. */
	rt_browser_get(x->t, &x->pia_b, rt_at("/talk/posts/%lld", (long long)first), &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(rt_header(&r, "Location"), rt_at("/talk/topics/%lld#post-%lld", (long long)topic,
							     (long long)first));
	rt_resp_free(&r);
	/* The emails never carry what anyone wrote. */
	assert_true(rt_count(x->t, &q_mail_to, DB_ARGS(DB_TEXT("pia@example.org"))) >= 1);
	assert_int_equal(rt_count(x->t, &q_mail_with, DB_ARGS(DB_TEXT("%scarf%"))), 0);
	assert_int_equal(rt_count(x->t, &q_mail_with, DB_ARGS(DB_TEXT("%marmalade%"))), 0);
	/* Restoring it. */
	rt_browser_post_to(x->t, &x->coord, rt_at("/talk/moderate/posts/%lld/act", (long long)second), "action=restore",
			   rt_at("/talk/moderate/posts/%lld?done=restore", (long long)second));
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/talk/topics/%lld", (long long)topic), 200, "A scarf over my mouth", NULL);
}

/* ---------------------------------------------------------------- crisis */

static void a_crisis_post_shows_help_and_tops_the_queue(void **state)
{
	struct fx *x = *state;
	int64_t topic, crisis;
	struct rt_resp r;
	const char *loc;

	choose_name(x, &x->ada_b, "Walker22");
	choose_name(x, &x->pia_b, "Breather");
	topic = start_topic(x, &x->ada_b, "living-with-copd", "title=Stairs&body=The+stairs+are+hard+today.");
	/* An ordinary report first, so the urgent one must jump it. */
	rt_browser_post(x->t, &x->pia_b, rt_at("/talk/posts/%lld/flag", (long long)last_post(x)), "reason=spam", &r);
	assert_int_equal(r.status, 303);
	rt_resp_free(&r);
	rt_browser_post(x->t, &x->pia_b, rt_at("/talk/topics/%lld/posts", (long long)topic),
			"body=I+don%27t+want+to+be+here+any+more.+I+can%27t+go+on.", &r);
	assert_int_equal(r.status, 303);
	crisis = last_post(x);
	loc = rt_header(&r, "Location");
	assert_non_null(strstr(loc, rt_at("posted=%lld", (long long)crisis)));
	/* The page it goes to opens with where to get help now (a browser
	 * keeps the #fragment to itself). */
	{
		struct rt_resp p;
		char path[256];
		snprintf(path, sizeof(path), "%.*s", (int)strcspn(loc, "#"), loc);
		rt_browser_get(x->t, &x->pia_b, path, &p);
		assert_int_equal(p.status, 200);
		assert_true(rt_has(&p, "If you need help now"));
		assert_true(rt_has(&p, "href=\"tel:116123\""));
		assert_true(rt_has(&p, "116 123"));
		assert_true(rt_has(&p, "option 2"));
		assert_true(rt_has(&p, "href=\"sms:85258\""));
		assert_true(rt_has(&p, "href=\"tel:999\""));
		assert_true(rt_has(&p, "Your post has been published"));
		assert_true(rt_has(&p, "id=\"help-top\""));
		rt_resp_free(&p);
	}
	rt_resp_free(&r);
	assert_int_equal(rt_count(x->t, &q_post_state, DB_ARGS(DB_INT(crisis), DB_TEXT("visible"))), 1);
	/* Later, the post itself still shows its writer the help; nobody else. */
	rt_browser_get_is(x->t, &x->pia_b, rt_at("/talk/topics/%lld", (long long)topic), 200,
			  rt_at("id=\"help-%lld\"", (long long)crisis), NULL);
	rt_browser_get(x->t, &x->ada_b, rt_at("/talk/topics/%lld", (long long)topic), &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "I can&#39;t go on") || rt_has(&r, "I can't go on") || rt_has(&r, "I can’t go on"));
	assert_false(rt_has(&r, "Your post has been published"));
	rt_resp_free(&r);
	/* First in the queue, marked in words. */
	rt_browser_get(x->t, &x->coord, "/talk/moderate", &r);
	assert_int_equal(r.status, 200);
	{
		const char *urgent = strstr(r.body, "Urgent: someone may be at risk");
		const char *first = strstr(r.body, rt_at("/talk/moderate/posts/%lld\"", (long long)crisis));
		const char *other = strstr(r.body, rt_at("/talk/moderate/posts/%lld\"", (long long)crisis - 1));
		assert_non_null(urgent);
		assert_non_null(first);
		assert_non_null(other);
		assert_true(urgent < first && first < other);
	}
	rt_resp_free(&r);
	/* A peer moderator of another space does not see it. */
	rt_browser_get(x->t, &x->pat_b, "/talk/moderate", &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, rt_at("/talk/moderate/posts/%lld\"", (long long)crisis)));
	rt_resp_free(&r);
	/* No email carries the post's words. */
	assert_int_equal(rt_count(x->t, &q_mail_with, DB_ARGS(DB_TEXT("%want to be here%"))), 0);
}

/* ---------------------------------------------------------------- refusals */

static void refusals(void **state)
{
	struct fx *x = *state;
	int64_t topic, carers_post, copd_post;
	struct rt_resp r;

	/* A group's space: its members read it; others are told how to join. */
	rt_service(x->t, RT_ORG_A, "Tuesday Breathe Easy", SVC_PUBLISHED, x->svc);
	rt_browser_post_to(x->t, &x->own, rt_at("/groups/%s/settings", x->svc), OPEN_GROUP,
			   rt_at("/groups/%s?done=saved", x->svc));
	rt_browser_post_to(x->t, &x->ada_b, rt_at("/groups/%s/join", x->svc), NULL, rt_at("/groups/%s?done=joined", x->svc));
	x->group = make_space(x, rt_at("kind=group&name=Breathe+Easy+members&slug=breathe-easy&about=&condition=&"
				       "service_id=%s&open=yes", x->svc), "breathe-easy");
	choose_name(x, &x->ada_b, "Walker22");
	choose_name(x, &x->pia_b, "Breather");
	choose_name(x, &x->pat_b, "PatM");
	topic = start_topic(x, &x->ada_b, "breathe-easy", "title=Thursday&body=See+you+all+on+Thursday.");
	rt_browser_get_is(x->t, &x->ada_b, "/talk/spaces/breathe-easy", 200, "Thursday", NULL);
	rt_browser_get(x->t, &x->pia_b, "/talk/spaces/breathe-easy", &r);
	assert_int_equal(r.status, 403);
	assert_true(rt_has(&r, "This space is for members of the group. Join the group to read it."));
	assert_true(rt_has(&r, rt_at("href=\"/groups/%s\"", x->svc)));
	assert_false(rt_has(&r, "Thursday"));
	rt_resp_free(&r);
	rt_browser_get_is(x->t, &x->pia_b, rt_at("/talk/topics/%lld", (long long)topic), 403, "Join the group", NULL);
	rt_browser_get_is(x->t, &x->pia_b, rt_at("/talk/posts/%lld", (long long)last_post(x)), 404, NULL);
	rt_browser_post_is(x->t, &x->pia_b, rt_at("/talk/topics/%lld/posts", (long long)topic), "body=Hello", 403, NULL);
	rt_browser_post_is(x->t, &x->pia_b, "/talk/spaces/breathe-easy/topics", "title=Hi&body=Hello", 403, NULL);
	rt_browser_get_is(x->t, &x->pia_b, "/talk/spaces/breathe-easy/search?q=thursday", 403, NULL);
	/* The group's space is not on their list either. */
	rt_browser_get(x->t, &x->pia_b, "/talk", &r);
	assert_false(rt_has(&r, "Breathe Easy members"));
	rt_resp_free(&r);
	/* An unconfirmed email reads nothing. */
	rt_browser_get_is(x->t, &x->una_b, "/talk/spaces/carers", 403, "Confirm your email address", NULL);
	/* A peer opening the queue, or any moderator's page. */
	rt_browser_get_is(x->t, &x->member, "/talk/moderate", 403, "Only moderators", NULL);
	rt_browser_get_is(x->t, &x->ada_b, "/talk/moderate/messages", 403, NULL);
	rt_browser_post_is(x->t, &x->ada_b, "/talk/moderate/duty", "on=1", 403, NULL);
	/* A peer moderator of the carers' space acts there, not in COPD's. */
	start_topic(x, &x->ada_b, "carers", "title=Respite&body=Any+tips+for+a+break%3F");
	carers_post = last_post(x);
	start_topic(x, &x->ada_b, "living-with-copd", "title=Damp&body=Damp+weather+is+the+worst.");
	copd_post = last_post(x);
	rt_browser_get_is(x->t, &x->pat_b, "/talk/moderate", 200, "Posts to look at", NULL);
	rt_browser_get_is(x->t, &x->pat_b, rt_at("/talk/moderate/posts/%lld", (long long)carers_post), 200, "Any tips for a break", NULL);
	rt_browser_get_is(x->t, &x->pat_b, rt_at("/talk/moderate/posts/%lld", (long long)copd_post), 403, NULL);
	rt_browser_post_is(x->t, &x->pat_b, rt_at("/talk/moderate/posts/%lld/act", (long long)copd_post),
			   "action=hide&note=No", 403, NULL);
	rt_browser_post_is(x->t, &x->pat_b, rt_at("/talk/moderate/posts/%lld/reveal", (long long)copd_post), NULL, 403,
			   NULL);
	assert_int_equal(rt_count(x->t, &q_post_state, DB_ARGS(DB_INT(copd_post), DB_TEXT("visible"))), 1);
	assert_int_equal(rt_audit_n(x->t, "talk.revealed"), 0);
	/* Pat hides the carers' post; a member then cannot read it. */
	rt_browser_post_to(x->t, &x->pat_b, rt_at("/talk/moderate/posts/%lld/act", (long long)carers_post),
			   "action=hide&note=Moved+to+another+topic.",
			   rt_at("/talk/moderate/posts/%lld?done=hide", (long long)carers_post));
	rt_browser_get_is(x->t, &x->pia_b, rt_at("/talk/posts/%lld", (long long)carers_post), 404, NULL);
	rt_browser_post_is(x->t, &x->pia_b, rt_at("/talk/posts/%lld/react", (long long)carers_post), "kind=thanks&on=1",
			   404, NULL);
	/* The space's moderator still sees it. */
	rt_browser_get_is(x->t, &x->pat_b, rt_at("/talk/moderate/posts/%lld", (long long)carers_post), 200,
			  "Any tips for a break", NULL);
	/* Nobody else's post is theirs to change. */
	rt_browser_get_is(x->t, &x->pia_b, rt_at("/talk/posts/%lld/edit", (long long)copd_post), 403, NULL);
	rt_browser_post_is(x->t, &x->pia_b, rt_at("/talk/posts/%lld/edit", (long long)copd_post), "body=Mine+now", 403,
			   NULL);
}

/* ---------------------------------------------------------------- new accounts */

static void a_new_accounts_link_waits(void **state)
{
	struct fx *x = *state;
	int64_t topic, held;
	struct rt_resp r;

	choose_name(x, &x->ada_b, "Walker22");
	choose_name(x, &x->nell_b, "NewNell");
	topic = start_topic(x, &x->ada_b, "living-with-copd", "title=Pulmonary+rehab&body=Has+anyone+done+it%3F");
	rt_browser_post(x->t, &x->nell_b, rt_at("/talk/topics/%lld/posts", (long long)topic),
			"body=Yes%21+See+https%3A%2F%2Fexample.org%2Frehab+for+the+course.", &r);
	assert_int_equal(r.status, 303);
	held = last_post(x);
	assert_int_equal(rt_count(x->t, &q_post_state, DB_ARGS(DB_INT(held), DB_TEXT("held"))), 1);
	rt_browser_get_is(x->t, &x->nell_b, rt_header(&r, "Location"), 200, "Waiting for a moderator to check it",
			  "example.org/rehab", NULL);
	rt_resp_free(&r);
	rt_browser_get(x->t, &x->ada_b, rt_at("/talk/topics/%lld", (long long)topic), &r);
	assert_int_equal(r.status, 200);
	assert_false(rt_has(&r, "example.org/rehab"));
	rt_resp_free(&r);
	/* A moderator approves it; then everyone sees it. */
	rt_browser_get_is(x->t, &x->coord, "/talk/moderate", 200, "Waiting to be approved", NULL);
	rt_browser_post_to(x->t, &x->coord, rt_at("/talk/moderate/posts/%lld/act", (long long)held), "action=approve",
			   rt_at("/talk/moderate/posts/%lld?done=approve", (long long)held));
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/talk/topics/%lld", (long long)topic), 200, "example.org/rehab", NULL);
	/* A new account may still write to the moderators. */
	rt_browser_post_to(x->t, &x->nell_b, "/talk/messages", "body=Why+was+my+post+held%3F", "/talk/messages?done=sent");
}

/* ---------------------------------------------------------------- the rest of a topic */

static void quote_edit_search_follow(void **state)
{
	struct fx *x = *state;
	int64_t topic, first, mine;
	struct rt_resp r;

	choose_name(x, &x->ada_b, "Walker22");
	choose_name(x, &x->pia_b, "Breather");
	topic = start_topic(x, &x->ada_b, "living-with-copd", "title=Oxygen+on+holiday&body=Taking+oxygen+to+Whitby.");
	first = last_post(x);
	/* Quoting: the reply box says what it will quote. */
	rt_browser_get(x->t, &x->pia_b, rt_at("/talk/topics/%lld?quote=%lld", (long long)topic, (long long)first), &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Your reply will quote Walker22"));
	assert_true(rt_has(&r, rt_at("name=\"quote\" value=\"%lld\"", (long long)first)));
	rt_resp_free(&r);
	mine = reply(x, &x->pia_b, topic, rt_at("body=Whitby+is+lovely.&quote=%lld", (long long)first));
	/* Changing one's post, in time. */
	rt_browser_get_is(x->t, &x->pia_b, rt_at("/talk/posts/%lld/edit", (long long)mine), 200, "Change your post",
			  "Whitby is lovely.", NULL);
	rt_browser_post_is(x->t, &x->pia_b, rt_at("/talk/posts/%lld/edit", (long long)mine), "body=", 422,
			   "Enter your post", NULL);
	rt_browser_post(x->t, &x->pia_b, rt_at("/talk/posts/%lld/edit", (long long)mine), "body=Whitby+is+very+windy.", &r);
	assert_int_equal(r.status, 303);
	assert_non_null(strstr(rt_header(&r, "Location"), "done=edited"));
	rt_resp_free(&r);
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/talk/topics/%lld", (long long)topic), 200, "Whitby is very windy",
			  "changed since", NULL);
	/* The moderator sees what it said before. */
	rt_browser_get_is(x->t, &x->coord, rt_at("/talk/moderate/posts/%lld", (long long)mine), 200,
			  "What it said before", "Whitby is lovely.", NULL);
	/* Too late to change it after the window (30 minutes). */
	time_set_fake(NOW + 40 * 60);
	rt_browser_get_is(x->t, &x->pia_b, rt_at("/talk/posts/%lld/edit", (long long)mine), 403, "first 30 minutes", NULL);
	rt_browser_post_is(x->t, &x->pia_b, rt_at("/talk/posts/%lld/edit", (long long)mine), "body=Later", 403, NULL);
	time_set_fake(NOW);
	/* Search within the space. */
	rt_browser_get_is(x->t, &x->pia_b, "/talk/spaces/living-with-copd/search?q=whitby", 200, "Oxygen on holiday",
			  "Posts found", NULL);
	rt_browser_get_is(x->t, &x->pia_b, "/talk/spaces/living-with-copd/search?q=penguins", 200,
			  "No posts have all those words", NULL);
	rt_browser_get_is(x->t, &x->pia_b, "/talk/spaces/living-with-copd/search?q=+", 422, "There is a problem",
			  "Enter a word or words to search for", NULL);
	/* Following a topic and a space, and the list of both. */
	rt_browser_post_to(x->t, &x->ada_b, rt_at("/talk/topics/%lld/follow", (long long)topic), "on=1",
			   rt_at("/talk/topics/%lld?done=followed", (long long)topic));
	rt_browser_post_to(x->t, &x->ada_b, "/talk/spaces/carers/follow", "on=1", "/talk/spaces/carers?done=followed");
	assert_int_equal(rt_count(x->t, &q_follows, DB_ARGS(DB_INT(x->ada))), 2);
	rt_browser_get_is(x->t, &x->ada_b, "/talk/following", 200, "What you follow", "Oxygen on holiday",
			  "Carers together", NULL);
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/talk/topics/%lld", (long long)topic), 200, "Stop following this topic",
			  NULL);
	rt_browser_post_to(x->t, &x->ada_b, "/talk/spaces/carers/follow", "on=0", "/talk/spaces/carers?done=unfollowed");
	assert_int_equal(rt_count(x->t, &q_follows, DB_ARGS(DB_INT(x->ada))), 1);
	/* A reply to a followed topic: the email says there is something new, not what. */
	reply(x, &x->pia_b, topic, "body=Bring+a+spare+battery+for+the+concentrator.");
	rt_browser_get_is(x->t, &x->ada_b, "/talk", 200, "Oxygen on holiday", "1 new", NULL);
	assert_int_equal(rt_count(x->t, &q_mail_with, DB_ARGS(DB_TEXT("%concentrator%"))), 0);
	/* Reading the topic is being told: nothing is new after. */
	rt_browser_get_is(x->t, &x->ada_b, rt_at("/talk/topics/%lld", (long long)topic), 200, "concentrator", NULL);
	rt_browser_get(x->t, &x->ada_b, "/talk/following", &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Oxygen on holiday"));
	assert_false(rt_has(&r, " new</strong>"));
	rt_resp_free(&r);
}

/* ---------------------------------------------------------------- moderators: messages, duty, reveal, words */

static void moderators_tools(void **state)
{
	struct fx *x = *state;
	int64_t topic, post;
	struct rt_resp r;

	choose_name(x, &x->ada_b, "Walker22");
	/* Writing to the moderators, and their answer. */
	rt_browser_get_is(x->t, &x->ada_b, "/talk/messages", 200, "Write to the moderators", NULL);
	rt_browser_post_is(x->t, &x->ada_b, "/talk/messages", "body=", 422, "Write your message to the moderators", NULL);
	rt_browser_post_to(x->t, &x->ada_b, "/talk/messages", "body=Can+I+change+my+name%3F", "/talk/messages?done=sent");
	rt_browser_get_is(x->t, &x->coord, "/talk/moderate/messages", 200, "Walker22", NULL);
	rt_browser_get_is(x->t, &x->coord, rt_at("/talk/moderate/messages/%lld", (long long)x->ada), 200,
			  "Can I change my name?", NULL);
	rt_browser_post_is(x->t, &x->coord, rt_at("/talk/moderate/messages/%lld", (long long)x->ada), "body=", 422,
			   "Write your answer", NULL);
	rt_browser_post_to(x->t, &x->coord, rt_at("/talk/moderate/messages/%lld", (long long)x->ada),
			   "body=Yes%2C+on+your+name+page.",
			   rt_at("/talk/moderate/messages/%lld?done=sent", (long long)x->ada));
	rt_browser_get_is(x->t, &x->ada_b, "/talk/messages", 200, "Yes, on your name page.", "A moderator", NULL);
	assert_int_equal(rt_count(x->t, &q_mail_with, DB_ARGS(DB_TEXT("%your name page%"))), 0);
	/* On duty, and off. */
	rt_browser_post_to(x->t, &x->coord, "/talk/moderate/duty", "on=1", "/talk/moderate?done=on_duty");
	assert_int_equal(rt_count(x->t, &q_on_duty, DB_ARGS(DB_INT(x->cora))), 1);
	rt_browser_get_is(x->t, &x->coord, "/talk/moderate?done=on_duty", 200, "Go off duty", NULL);
	rt_browser_post_to(x->t, &x->coord, "/talk/moderate/duty", "on=0", "/talk/moderate?done=off_duty");
	assert_int_equal(rt_count(x->t, &q_on_duty, DB_ARGS(DB_INT(x->cora))), 0);
	/* Who wrote a post: shown in the answer, recorded. */
	topic = start_topic(x, &x->ada_b, "carers", "title=Night+shifts&body=Up+all+night+again.");
	post = last_post(x);
	assert_true(topic > 0);
	rt_browser_get(x->t, &x->coord, rt_at("/talk/moderate/posts/%lld", (long long)post), &r);
	assert_int_equal(r.status, 200);
	assert_false(rt_has(&r, "Ada Walker"));
	assert_true(rt_has(&r, "recorded in the audit log"));
	rt_resp_free(&r);
	rt_browser_post(x->t, &x->coord, rt_at("/talk/moderate/posts/%lld/reveal", (long long)post), NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(rt_has(&r, "Ada Walker"));
	assert_true(rt_has(&r, "ada@example.org"));
	assert_null(rt_header(&r, "Location"));
	rt_resp_free(&r);
	assert_int_equal(rt_audit_n(x->t, "talk.revealed"), 1);
	/* Warning and trusting the writer. */
	rt_browser_post_is(x->t, &x->coord, rt_at("/talk/moderate/posts/%lld/act", (long long)post), "action=warn", 422,
			   "There is a problem", NULL);
	rt_browser_post_to(x->t, &x->coord, rt_at("/talk/moderate/posts/%lld/act", (long long)post),
			   "action=warn&note=Please+take+care+of+yourself+too.",
			   rt_at("/talk/moderate/posts/%lld?done=warn", (long long)post));
	rt_browser_get_is(x->t, &x->ada_b, "/talk/notices", 200, "Please take care of yourself too.", NULL);
	/* Watched words: added, its errors, removed. */
	rt_browser_get_is(x->t, &x->coord, "/talk/moderate/words", 200, "Watched words", "No words are watched for", NULL);
	rt_browser_post_is(x->t, &x->coord, "/talk/moderate/words", "word=&action=hold", 422, "Enter the word to watch for",
			   NULL);
	rt_browser_post_to(x->t, &x->coord, "/talk/moderate/words", "word=miracle+cure&action=hold",
			   "/talk/moderate/words?done=added");
	assert_int_equal(rt_count(x->t, &q_watched, DB_NOARGS), 1);
	rt_browser_get_is(x->t, &x->coord, "/talk/moderate/words", 200, "miracle cure", "Held for a moderator", NULL);
	reply(x, &x->ada_b, topic, "body=Someone+sold+me+a+miracle+cure.");
	assert_int_equal(rt_count(x->t, &q_post_state, DB_ARGS(DB_INT(last_post(x)), DB_TEXT("held"))), 1);
	rt_browser_post_to(x->t, &x->coord, "/talk/moderate/words/remove", "word=miracle+cure",
			   "/talk/moderate/words?done=removed");
	assert_int_equal(rt_count(x->t, &q_watched, DB_NOARGS), 0);
	rt_browser_get_is(x->t, &x->pat_b, "/talk/moderate/words", 403, NULL);
	rt_browser_post_is(x->t, &x->pat_b, "/talk/moderate/words/remove", "word=x", 403, NULL);
}

static const struct sql q_request_ins = { "ttw.request_ins",
	"INSERT INTO peer_request (id, person_id, conditions, topics, wants, ways, slots, max_miles, prefers, state, "
	"created_at, waiting_since, updated_at) VALUES ($1, $2, 0, 0, 1, 1, 0, 10, '', 'matched', $3, $3, $3)", NULL };
static const struct sql q_match_ins = { "ttw.match_ins",
	"INSERT INTO peer_match (id, request_id, person_id, peer_id, state, cost, reasons, offered_at, expires_at) "
	"VALUES ($1, $2, $3, $4, 'accepted', 0, '', $5, $5)", NULL };

/* "Message privately" on a post: only inside a peer match (and not yet
 * from a new account), or to a moderator (the messages with the
 * moderators). */
static void private_messages_only_in_a_match(void **state)
{
	struct fx *x = *state;
	int64_t topic, ada_post, nell_post, coord_post;
	struct rt_resp r;

	choose_name(x, &x->ada_b, "Ada+W");
	choose_name(x, &x->pia_b, "Pia+R");
	choose_name(x, &x->nell_b, "Nell+N");
	choose_name(x, &x->coord, "Cora+from+the+team");
	topic = start_topic(x, &x->ada_b, "living-with-copd", "title=Stairs&body=How+do+you+manage+stairs%3F");
	ada_post = last_post(x);
	nell_post = reply(x, &x->nell_b, topic, "body=One+at+a+time%2C+resting+halfway.");
	coord_post = reply(x, &x->coord, topic, "body=Welcome+both.");
	/* Nell and Ada are matched; Nell's account is new. */
	assert_int_equal(db_exec(rt_db(x->t), &q_request_ins, DB_ARGS(DB_TEXT("10000000-0000-4000-8000-00000000000a"),
		DB_INT(x->nell), DB_INT(NOW)), NULL), ERR_OK);
	assert_int_equal(db_exec(rt_db(x->t), &q_match_ins, DB_ARGS(DB_TEXT("20000000-0000-4000-8000-00000000000a"),
		DB_TEXT("10000000-0000-4000-8000-00000000000a"), DB_INT(x->nell), DB_INT(x->ada), DB_INT(NOW)), NULL),
		ERR_OK);
	rt_browser_get_is(x->t, &x->pia_b, rt_at("/talk/topics/%lld", (long long)topic), 200, "Message", "privately",
			  NULL);
	rt_browser_get_is(x->t, &x->nell_b, rt_at("/talk/posts/%lld/message", (long long)ada_post), 403,
			  "New accounts cannot send private messages yet", NULL);
	rt_browser_get_is(x->t, &x->pia_b, rt_at("/talk/posts/%lld/message", (long long)ada_post), 403,
			  "only to a peer you are matched with", NULL);
	rt_browser_get(x->t, &x->ada_b, rt_at("/talk/posts/%lld/message", (long long)nell_post), &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(rt_header(&r, "Location"), "/peer-support/matches/20000000-0000-4000-8000-00000000000a");
	rt_resp_free(&r);
	rt_browser_get(x->t, &x->nell_b, rt_at("/talk/posts/%lld/message", (long long)coord_post), &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(rt_header(&r, "Location"), "/talk/messages");
	rt_resp_free(&r);
	/* A post nobody may read is not there; a visitor signs in first. */
	rt_browser_get_is(x->t, &x->pia_b, "/talk/posts/999999/message", 404, NULL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(coordinators_make_spaces),
		T(choosing_a_display_name),
		T(topic_reply_metoo_flag_hide),
		T(a_crisis_post_shows_help_and_tops_the_queue),
		T(refusals),
		T(a_new_accounts_link_waits),
		T(quote_edit_search_follow),
		T(moderators_tools),
		T(private_messages_only_in_a_match),
	};
#undef T

	return testdb_run_groups("conversations pages", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
