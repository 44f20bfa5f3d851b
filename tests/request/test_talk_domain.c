/*
 * test_talk_domain.c - conversations below the pages (talk.h), on a real
 * app and database: display names (taken, an email or a phone number
 * refused), a new account's posts a day and its links held, a trusted
 * account not limited, crisis signposting (published, an urgent flag, the
 * flag without the post's words) and an idiom left alone, a group's space
 * for its members, hosts and organisers only, hidden and held posts kept
 * from peers, editing within the window (the words before kept), "me
 * too" (not on one's own post; the count for the writer only), search,
 * following and what is new, and folding and links.
 * SQLite and, with KITH_TEST_PG_URL, PostgreSQL.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "auth/policy.h"
#include "core/arena.h"
#include "core/timeutil.h"
#include "directory/directory.h"
#include "groups/groups.h"
#include "store/store.h"
#include "support/cast.h"
#include "support/reqtest.h"
#include "support/testdb.h"
#include "talk/talk.h"
#include "talk/talk_int.h"

#define DAY INT64_C(86400)
/* 15 January 2026, 10:00 UTC. */
#define T0 INT64_C(1768471200)
#define R(x) ROLE_BIT(ROLE_##x)

static const struct sql q_flags = { "ttd.flags",
	"SELECT count(*) FROM talk_flag WHERE post_id = $1 AND reason = $2 AND urgency = $3 AND state = 'open' "
	"AND by_person IS NULL", NULL };
static const struct sql q_flags_all = { "ttd.flags_all",
	"SELECT count(*) FROM talk_flag WHERE post_id = $1", NULL };
static const struct sql q_flag_leak = { "ttd.flag_leak",
	"SELECT count(*) FROM talk_flag WHERE post_id = $1 AND note LIKE $2", NULL };
static const struct sql q_state = { "ttd.state",
	"SELECT count(*) FROM talk_post WHERE id = $1 AND state = $2", NULL };
static const struct sql q_signposted = { "ttd.signposted",
	"SELECT signposted FROM talk_post WHERE id = $1", NULL };
static const struct sql q_history = { "ttd.history",
	"SELECT count(*) FROM talk_post_edit WHERE post_id = $1 AND body = $2", NULL };
static const struct sql q_body_is = { "ttd.body_is",
	"SELECT count(*) FROM talk_post WHERE id = $1 AND body = $2", NULL };
static const struct sql q_topic_posts = { "ttd.topic_posts",
	"SELECT posts_n FROM talk_topic WHERE id = $1", NULL };
static const struct sql q_hide = { "ttd.hide",
	"UPDATE talk_post SET state = 'hidden', hidden_note = $2 WHERE id = $1", NULL };
static const struct sql q_audit_words = { "ttd.audit_words",
	"SELECT count(*) FROM audit WHERE action LIKE 'talk.%' AND detail LIKE $1", NULL };

struct fx {
	struct rt *t;                  /* first, for rt_fixture() */
	RT_CAST_MEMBERS;               /* olu (organiser A), bea (organiser B), cora, mo: made 30 days before */
	struct talk_env env;
	int64_t nia, pip, gus;         /* new accounts, made at T0 */
	struct actor a_nia, a_pip, a_gus, a_mo, a_cora, a_olu, a_bea;
	int64_t copd, general, group;  /* spaces */
	char svc[37];
	struct arena arena;
};

static struct actor actor_of(int64_t id, unsigned roles, const char *org)
{
	return (struct actor){ .id = id, .roles = roles, .org_id = org, .verified = true };
}

static void name(struct fx *x, int64_t id, const char *display)
{
	json_t *errors = json_array();

	assert_int_equal(talk_profile_set(rt_db(x->t), id, display, "daily", T0, errors), ERR_OK);
	json_decref(errors);
}

static int64_t space(struct fx *x, const char *slug, const char *kind, const char *cond, const char *svc)
{
	struct talk_space_fields f = { .slug = slug, .name = "A space to talk", .about = "", .kind = kind,
				       .condition = cond, .service_id = svc, .open = true };
	json_t *errors = json_array();
	int64_t id = 0;

	assert_int_equal(talk_space_create(rt_db(x->t), &f, x->cora, T0, errors, &id), ERR_OK);
	json_decref(errors);
	return id;
}

static int setup(void **state)
{
	struct fx *x;
	struct group_fields g = { .welcome = "Welcome", .open = true };
	json_t *errors;

	time_set_fake(T0 - 30 * DAY);
	if (!(x = rt_fixture(state, sizeof(*x), NULL)))
		return -1;
	rt_cast(x->t, &x->cast, RT_CAST_OLU | RT_CAST_BEA | RT_CAST_CORA | RT_CAST_MO);
	time_set_fake(T0);
	x->nia = rt_person(x->t, "Nia Newcomer", "nia@example.org", NULL, R(MEMBER), NULL);
	x->pip = rt_person(x->t, "Pip Peer", "pip@example.org", NULL, R(MEMBER), NULL);
	x->gus = rt_person(x->t, "Gus Groupie", "gus@example.org", NULL, R(MEMBER), NULL);
	x->a_nia = actor_of(x->nia, R(MEMBER), NULL);
	x->a_pip = actor_of(x->pip, R(MEMBER), NULL);
	x->a_gus = actor_of(x->gus, R(MEMBER), NULL);
	x->a_mo = actor_of(x->mo, R(MEMBER), NULL);
	x->a_cora = actor_of(x->cora, R(MEMBER) | R(COORDINATOR), NULL);
	x->a_olu = actor_of(x->olu, R(MEMBER) | R(ORGANISER), RT_ORG_A);
	x->a_bea = actor_of(x->bea, R(MEMBER) | R(ORGANISER), RT_ORG_B);
	x->env = (struct talk_env){ .settings = NULL, .mailer = NULL, .links = &x->t->app.links };
	name(x, x->nia, "Nia N");
	name(x, x->pip, "Pip");
	name(x, x->gus, "Gus G");
	name(x, x->mo, "Mo from Brigg");
	name(x, x->cora, "Cora Team");
	rt_service(x->t, RT_ORG_A, "Breathe Easy Brigg", SVC_PUBLISHED, x->svc);
	errors = json_array();
	assert_int_equal(group_create(rt_db(x->t), x->svc, &g, x->olu, T0, errors), ERR_OK);
	json_decref(errors);
	assert_int_equal(group_join(NULL, rt_db(x->t), x->svc, x->gus, T0), ERR_OK);
	x->copd = space(x, "living-with-copd", "condition", "copd", NULL);
	x->general = space(x, "general", "general", NULL, NULL);
	x->group = space(x, "breathe-easy-brigg", "group", NULL, x->svc);
	arena_init(&x->arena);
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	arena_release(&x->arena);
	return rt_fixture_free(state);
}

/* ---------------------------------------------------------------- helpers */

static struct talk_space load(struct fx *x, const struct actor *who, int64_t id)
{
	struct talk_space s;

	assert_int_equal(talk_space_load_id(rt_db(x->t), &x->arena, who, id, &s), ERR_OK);
	return s;
}

/* A topic by who in space id; the post's outcome in out. */
static enum err topic_as(struct fx *x, const struct actor *who, int64_t id, const char *title, const char *body,
		int64_t now, struct talk_posted *out)
{
	struct talk_space s = load(x, who, id);
	json_t *errors = json_array();
	enum err e = talk_topic_create(&x->env, rt_db(x->t), &s, who, title, body, now, errors, out);

	if (e == ERR_FORBIDDEN) {   /* the words the writer is shown */
		assert_int_equal(json_array_size(errors), 1);
		assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 0), "field")), "body");
	}
	json_decref(errors);
	return e;
}

static enum err reply_as(struct fx *x, const struct actor *who, int64_t topic, const char *body, int64_t now,
		struct talk_posted *out)
{
	json_t *errors = json_array();
	enum err e = talk_post_create(&x->env, rt_db(x->t), topic, who, body, 0, now, errors, out);

	json_decref(errors);
	return e;
}

static int64_t flags(struct fx *x, int64_t post, const char *reason, int urgency)
{
	return rt_count(x->t, &q_flags, DB_ARGS(DB_INT(post), DB_TEXT(reason), DB_INT(urgency)));
}

static bool state_is(struct fx *x, int64_t post, const char *state)
{
	return rt_count(x->t, &q_state, DB_ARGS(DB_INT(post), DB_TEXT(state))) == 1;
}

static json_t *post_as(struct fx *x, const struct actor *who, int64_t id, int64_t now, enum err want)
{
	json_t *p = NULL;

	assert_int_equal(talk_post_get(rt_db(x->t), &x->arena, who, id, now, TALK_DEFAULT_EDIT_MINUTES, &p), want);
	return p;
}

/* The posts of topic id as who sees them. */
static json_t *posts_as(struct fx *x, const struct actor *who, int64_t id, int64_t now)
{
	struct talk_topic t;
	struct talk_space s;
	json_t *out = NULL;

	assert_int_equal(talk_topic_load(rt_db(x->t), &x->arena, who, id, true, &t), ERR_OK);
	s = load(x, who, t.space_id);
	assert_int_equal(talk_posts(rt_db(x->t), &x->arena, &t, who, s.moderator, 1, 50, now,
				    TALK_DEFAULT_EDIT_MINUTES, &out), ERR_OK);
	return out;
}

static const char *first_field(json_t *errors)
{
	return json_string_value(json_object_get(json_array_get(errors, 0), "field"));
}

/* ---------------------------------------------------------------- people */

static void display_names(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	struct talk_profile p;
	json_t *errors = json_array();

	/* Taken, compared folded: "nia-n" looks like "Nia N". */
	assert_int_equal(talk_profile_set(db, x->pip, "nia-n", NULL, T0, errors), ERR_CONFLICT);
	assert_string_equal(first_field(errors), "display_name");
	json_array_clear(errors);
	/* An email address, a phone number, a web address, too short, kept for kith. */
	assert_int_equal(talk_profile_set(db, x->pip, "pip@example.org", NULL, T0, errors), ERR_INVALID);
	assert_string_equal(first_field(errors), "display_name");
	json_array_clear(errors);
	assert_int_equal(talk_profile_set(db, x->pip, "07700 900123", NULL, T0, errors), ERR_INVALID);
	json_array_clear(errors);
	assert_int_equal(talk_profile_set(db, x->pip, "pip.example.com", NULL, T0, errors), ERR_INVALID);
	json_array_clear(errors);
	assert_int_equal(talk_profile_set(db, x->pip, "Pi", NULL, T0, errors), ERR_INVALID);
	json_array_clear(errors);
	assert_int_equal(talk_profile_set(db, x->pip, "Moderator", NULL, T0, errors), ERR_INVALID);
	json_array_clear(errors);
	assert_int_equal(talk_profile_set(db, x->pip, "Pip <b>", NULL, T0, errors), ERR_INVALID);
	json_array_clear(errors);
	assert_int_equal(talk_profile_set(db, x->pip, "Pip Two", "weekly", T0, errors), ERR_INVALID);
	assert_string_equal(first_field(errors), "notify");
	json_array_clear(errors);
	/* Accents, apostrophes and one's own name again are fine. */
	assert_int_equal(talk_profile_set(db, x->pip, "  Zoë O'Brien ", "instant", T0, errors), ERR_OK);
	assert_int_equal(talk_profile_set(db, x->pip, "Zoë O'Brien", NULL, T0, errors), ERR_OK);
	assert_int_equal(json_array_size(errors), 0);
	assert_int_equal(talk_profile_get(&x->env, db, x->pip, T0, &p), ERR_OK);
	assert_string_equal(p.display_name, "Zoë O'Brien");
	assert_string_equal(p.notify, "instant");
	assert_false(p.trusted);
	/* Trusted by time (talk_trust_days). */
	assert_int_equal(talk_profile_get(&x->env, db, x->pip, T0 + 8 * DAY, &p), ERR_OK);
	assert_true(p.trusted);
	assert_int_equal(talk_profile_get(&x->env, db, x->mo, T0, &p), ERR_OK);
	assert_true(p.trusted);
	assert_string_equal(talk_display_name(db, &x->arena, x->pip), "Zoë O'Brien");
	assert_string_equal(talk_display_name(db, &x->arena, x->tom + 999), "Someone");
	json_decref(errors);
}

static void names_needed_to_post(void **state)
{
	struct fx *x = *state;
	int64_t who = rt_person(x->t, "No Name", "noname@example.org", NULL, R(MEMBER), NULL);
	struct actor a = actor_of(who, R(MEMBER), NULL);
	struct talk_space s = load(x, &a, x->copd);
	struct talk_posted out;
	json_t *errors = json_array();

	assert_int_equal(talk_topic_create(&x->env, rt_db(x->t), &s, &a, "Hello", "Hi all", T0, errors, &out),
			 ERR_FORBIDDEN);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(errors, 0), "detail")),
			       "/talk/profile"));
	json_decref(errors);
	/* A visitor may not write at all. */
	struct actor visitor = { 0 };
	s = load(x, &visitor, x->copd);
	assert_false(s.member);
	assert_int_equal(talk_topic_create(&x->env, rt_db(x->t), &s, &visitor, "Hello", "Hi", T0, NULL, &out),
			 ERR_NOT_FOUND);
}

/* ---------------------------------------------------------------- limits */

static void new_account_limited(void **state)
{
	struct fx *x = *state;
	struct talk_posted out;
	int64_t topic;

	assert_int_equal(topic_as(x, &x->a_nia, x->copd, "Hello", "New here, with COPD.", T0, &out), ERR_OK);
	topic = out.topic_id;
	for (int i = 1; i < TALK_DEFAULT_NEW_POSTS; i++)
		assert_int_equal(reply_as(x, &x->a_nia, topic, "Another thought.", T0 + i * 60, &out), ERR_OK);
	assert_int_equal(reply_as(x, &x->a_nia, topic, "One more.", T0 + 600, &out), ERR_FORBIDDEN);
	assert_int_equal(out.id, 0);
	assert_int_equal(topic_as(x, &x->a_nia, x->general, "A new one", "Hello.", T0 + 700, &out), ERR_FORBIDDEN);
	/* A day later there is room again. */
	assert_int_equal(reply_as(x, &x->a_nia, topic, "Back again.", T0 + DAY + 60, &out), ERR_OK);
	assert_int_equal(rt_count(x->t, &q_topic_posts, DB_ARGS(DB_INT(topic))), TALK_DEFAULT_NEW_POSTS + 1);
	assert_int_equal(rt_audit_n(x->t, "talk.posted"), TALK_DEFAULT_NEW_POSTS);
	assert_int_equal(rt_audit_n(x->t, "talk.topic_created"), 1);
	/* The audit has ids, never words. */
	assert_int_equal(rt_count(x->t, &q_audit_words, DB_ARGS(DB_TEXT("%thought%"))), 0);
}

static void trusted_not_limited(void **state)
{
	struct fx *x = *state;
	struct talk_posted out;
	int64_t topic;

	assert_int_equal(topic_as(x, &x->a_mo, x->copd, "Inhalers", "Which one works for you?", T0, &out), ERR_OK);
	topic = out.topic_id;
	for (int i = 1; i < 3 * TALK_DEFAULT_NEW_POSTS; i++)
		assert_int_equal(reply_as(x, &x->a_mo, topic, "And another thing.", T0 + i, &out), ERR_OK);
	/* A link from a trusted account goes straight up. */
	assert_int_equal(reply_as(x, &x->a_mo, topic, "See https://www.asthmaandlung.org.uk/", T0 + 100, &out),
			 ERR_OK);
	assert_false(out.held);
	assert_true(state_is(x, out.id, "visible"));
}

static void new_account_link_held(void **state)
{
	struct fx *x = *state;
	struct talk_posted out, reply;
	json_t *list;
	int64_t topic;

	assert_int_equal(topic_as(x, &x->a_mo, x->copd, "Rehab", "Has anyone done pulmonary rehab?", T0, &out),
			 ERR_OK);
	topic = out.topic_id;
	assert_int_equal(reply_as(x, &x->a_nia, topic, "Yes! Details at cheap-inhalers.com/deal", T0 + 60, &reply),
			 ERR_OK);
	assert_true(reply.held);
	assert_true(reply.held_why[0] != 0);
	assert_true(state_is(x, reply.id, "held"));
	assert_int_equal(flags(x, reply.id, "held", 0), 1);
	/* Not counted, not shown to peers; shown to its writer and moderators. */
	assert_int_equal(rt_count(x->t, &q_topic_posts, DB_ARGS(DB_INT(topic))), 1);
	list = posts_as(x, &x->a_pip, topic, T0 + 120);
	assert_int_equal(json_integer_value(json_object_get(list, "total")), 1);
	json_decref(list);
	list = posts_as(x, &x->a_nia, topic, T0 + 120);
	assert_int_equal(json_integer_value(json_object_get(list, "total")), 2);
	json_decref(list);
	list = posts_as(x, &x->a_cora, topic, T0 + 120);
	assert_int_equal(json_integer_value(json_object_get(list, "total")), 2);
	json_decref(list);
	json_decref(post_as(x, &x->a_pip, reply.id, T0, ERR_NOT_FOUND));
	json_decref(post_as(x, &x->a_nia, reply.id, T0, ERR_OK));
}

/* ---------------------------------------------------------------- crisis */

static void crisis_signposted_and_flagged(void **state)
{
	struct fx *x = *state;
	struct talk_posted out, idiom;
	json_t *p;

	assert_int_equal(topic_as(x, &x->a_nia, x->general, "Tonight",
				  "I don't want to be here any more. Nothing helps.", T0, &out), ERR_OK);
	assert_true(out.signposted);
	assert_true(out.urgent);
	assert_false(out.held);
	/* Published; an urgent flag at the top of the queue, without the words. */
	assert_true(state_is(x, out.id, "visible"));
	assert_int_equal(flags(x, out.id, "crisis", 2), 1);
	assert_int_equal(rt_count(x->t, &q_flag_leak, DB_ARGS(DB_INT(out.id), DB_TEXT("%here any more%"))), 0);
	assert_int_equal(rt_count(x->t, &q_signposted, DB_ARGS(DB_INT(out.id))), 1);
	/* The writer sees signposted; another peer is not told. */
	p = post_as(x, &x->a_nia, out.id, T0, ERR_OK);
	assert_true(json_is_true(json_object_get(p, "signposted")));
	json_decref(p);
	p = post_as(x, &x->a_pip, out.id, T0, ERR_OK);
	assert_null(json_object_get(p, "signposted"));
	json_decref(p);

	assert_int_equal(reply_as(x, &x->a_pip, out.topic_id, "This hill is killing me, but I made it up!",
				  T0 + 60, &idiom), ERR_OK);
	assert_false(idiom.signposted);
	assert_false(idiom.urgent);
	assert_int_equal(rt_count(x->t, &q_flags_all, DB_ARGS(DB_INT(idiom.id))), 0);
}

static void crisis_concern_and_held(void **state)
{
	struct fx *x = *state;
	struct talk_posted out, held;

	assert_int_equal(topic_as(x, &x->a_mo, x->general, "Coping", "I can't cope any more with all this.", T0,
				  &out), ERR_OK);
	assert_true(out.signposted);
	assert_false(out.urgent);
	assert_int_equal(flags(x, out.id, "crisis", 1), 1);
	/* Held for a link, and still signposted and flagged. */
	assert_int_equal(reply_as(x, &x->a_nia, out.topic_id, "I want to die. www.example.org", T0 + 60, &held),
			 ERR_OK);
	assert_true(held.held);
	assert_true(held.signposted);
	assert_int_equal(flags(x, held.id, "crisis", 2), 1);
	assert_int_equal(flags(x, held.id, "held", 0), 1);
}

/* ---------------------------------------------------------------- groups */

static void group_space_members_only(void **state)
{
	struct fx *x = *state;
	struct talk_space s;
	struct talk_posted out, other;
	json_t *list;
	size_t i;
	json_t *v;
	bool listed = false;

	s = load(x, &x->a_pip, x->group);
	assert_false(s.member);
	assert_false(s.moderator);
	s = load(x, &x->a_gus, x->group);
	assert_true(s.member);
	s = load(x, &x->a_olu, x->group);       /* the group's organisation's organiser */
	assert_true(s.member);
	s = load(x, &x->a_bea, x->group);       /* another organisation's */
	assert_false(s.member);
	s = load(x, &x->a_cora, x->group);
	assert_true(s.moderator);
	s = load(x, &x->a_pip, x->copd);
	assert_true(s.member);
	assert_string_equal(s.condition, "copd");
	struct actor unconfirmed = x->a_pip;
	unconfirmed.verified = false;
	s = load(x, &unconfirmed, x->copd);
	assert_false(s.member);

	/* The member writes; a non-member can neither write nor read it. */
	assert_int_equal(topic_as(x, &x->a_gus, x->group, "Tuesday", "See you all on Tuesday.", T0, &out), ERR_OK);
	assert_int_equal(reply_as(x, &x->a_pip, out.topic_id, "Me too", T0 + 1, &other), ERR_NOT_FOUND);
	json_decref(post_as(x, &x->a_pip, out.id, T0, ERR_NOT_FOUND));
	json_decref(post_as(x, &x->a_olu, out.id, T0, ERR_OK));

	assert_int_equal(talk_spaces(rt_db(x->t), &x->a_pip, &list), ERR_OK);
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "kind")), "condition");
	json_decref(list);
	assert_int_equal(talk_spaces(rt_db(x->t), &x->a_gus, &list), ERR_OK);
	json_array_foreach(list, i, v)
		listed = listed || json_integer_value(json_object_get(v, "id")) == x->group;
	assert_true(listed);
	assert_int_equal(json_array_size(list), 3);
	json_decref(list);
}

static void spaces_checked(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	struct talk_space_fields f = { .slug = "Living With COPD", .name = "x", .kind = "condition",
				       .condition = "nonsense", .open = true };
	json_t *errors = json_array();
	int64_t id = 0;

	assert_int_equal(talk_space_create(db, &f, x->cora, T0, errors, &id), ERR_INVALID);
	assert_int_equal(json_array_size(errors), 3);   /* slug, name, condition */
	json_array_clear(errors);
	f = (struct talk_space_fields){ .slug = "living-with-copd", .name = "COPD again", .kind = "carers",
					.open = true };
	assert_int_equal(talk_space_create(db, &f, x->cora, T0, errors, &id), ERR_CONFLICT);
	assert_string_equal(first_field(errors), "slug");
	json_array_clear(errors);
	f = (struct talk_space_fields){ .slug = "brigg-again", .name = "Brigg again", .kind = "group",
					.service_id = x->svc, .open = true };
	assert_int_equal(talk_space_create(db, &f, x->cora, T0, errors, &id), ERR_CONFLICT);
	assert_string_equal(first_field(errors), "service_id");
	json_array_clear(errors);
	/* Renamed and closed: no new topics from peers. */
	f = (struct talk_space_fields){ .slug = "carers", .name = "  Carers' corner ", .kind = "carers", .open = false };
	assert_int_equal(talk_space_update(db, x->general, &f, x->cora, T0, errors), ERR_OK);
	struct talk_space s = load(x, &x->a_mo, x->general);
	assert_string_equal(s.name, "Carers' corner");
	assert_string_equal(s.slug, "carers");
	assert_false(s.open);
	struct talk_posted out;
	assert_int_equal(topic_as(x, &x->a_mo, x->general, "Hello", "Anyone?", T0, &out), ERR_FORBIDDEN);
	/* A named moderator. */
	assert_int_equal(talk_moderator_add(db, x->copd, "MO@example.org", x->cora, T0, errors), ERR_OK);
	assert_true(load(x, &x->a_mo, x->copd).moderator);
	assert_false(load(x, &x->a_mo, x->group).moderator);
	assert_true(talk_moderates_any(db, &x->a_mo));
	assert_false(talk_moderates_any(db, &x->a_pip));
	assert_int_equal(talk_moderator_add(db, x->copd, "nobody@example.org", x->cora, T0, errors), ERR_INVALID);
	assert_int_equal(talk_moderator_remove(db, x->copd, x->mo, x->cora, T0), ERR_OK);
	assert_false(talk_is_moderator(db, &x->a_mo, x->copd));
	assert_int_equal(talk_duty_set(db, x->cora, true, T0), ERR_OK);
	json_decref(errors);
}

/* ---------------------------------------------------------------- hidden, editing, reactions */

static void hidden_post_kept_from_peers(void **state)
{
	struct fx *x = *state;
	struct talk_posted out, reply;
	json_t *list, *p;

	assert_int_equal(topic_as(x, &x->a_mo, x->copd, "Oxygen", "Tips for travelling with oxygen?", T0, &out),
			 ERR_OK);
	assert_int_equal(reply_as(x, &x->a_pip, out.topic_id, "Something unkind.", T0 + 60, &reply), ERR_OK);
	assert_int_equal(db_exec(rt_db(x->t), &q_hide, DB_ARGS(DB_INT(reply.id), DB_TEXT("It was unkind.")), NULL),
			 ERR_OK);
	json_decref(post_as(x, &x->a_nia, reply.id, T0, ERR_NOT_FOUND));
	json_decref(post_as(x, &x->a_pip, reply.id, T0, ERR_NOT_FOUND));
	p = post_as(x, &x->a_cora, reply.id, T0, ERR_OK);
	assert_string_equal(json_string_value(json_object_get(p, "body")), "Something unkind.");
	json_decref(p);
	/* In the topic: not there for peers; the writer sees the note, not the words. */
	list = posts_as(x, &x->a_nia, out.topic_id, T0 + 120);
	assert_int_equal(json_array_size(json_object_get(list, "posts")), 1);
	json_decref(list);
	list = posts_as(x, &x->a_pip, out.topic_id, T0 + 120);
	p = json_array_get(json_object_get(list, "posts"), 1);
	assert_string_equal(json_string_value(json_object_get(p, "state")), "hidden");
	assert_string_equal(json_string_value(json_object_get(p, "body_html")), "");
	assert_string_equal(json_string_value(json_object_get(p, "hidden_note")), "It was unkind.");
	assert_false(json_is_true(json_object_get(p, "can_edit")));
	json_decref(list);
	/* And it cannot be changed. */
	json_t *errors = json_array();
	assert_int_equal(talk_post_edit(&x->env, rt_db(x->t), reply.id, &x->a_pip, "Sorry.", T0 + 120, errors, &out),
			 ERR_FORBIDDEN);
	json_decref(errors);
}

static void editing_within_window(void **state)
{
	struct fx *x = *state;
	struct talk_posted out, ed;
	json_t *errors = json_array(), *p;

	assert_int_equal(topic_as(x, &x->a_mo, x->copd, "Walks", "Teh walk is on Tuesday.", T0, &out), ERR_OK);
	p = post_as(x, &x->a_mo, out.id, T0 + 60, ERR_OK);
	assert_true(json_is_true(json_object_get(p, "can_edit")));
	json_decref(p);
	assert_int_equal(talk_post_edit(&x->env, rt_db(x->t), out.id, &x->a_mo, "The walk is on Tuesday.", T0 + 600,
				       errors, &ed), ERR_OK);
	assert_int_equal(rt_count(x->t, &q_history, DB_ARGS(DB_INT(out.id), DB_TEXT("Teh walk is on Tuesday."))), 1);
	p = post_as(x, &x->a_pip, out.id, T0 + 700, ERR_OK);
	assert_true(json_is_true(json_object_get(p, "edited")));
	assert_false(json_is_true(json_object_get(p, "can_edit")));
	json_decref(p);
	/* Someone else's: refused; after the window: refused, nothing changed. */
	assert_int_equal(talk_post_edit(&x->env, rt_db(x->t), out.id, &x->a_pip, "Mine now.", T0 + 700, errors, &ed),
			 ERR_FORBIDDEN);
	json_array_clear(errors);
	assert_int_equal(talk_post_edit(&x->env, rt_db(x->t), out.id, &x->a_mo, "Wednesday now.",
				       T0 + (TALK_DEFAULT_EDIT_MINUTES + 1) * 60, errors, &ed), ERR_FORBIDDEN);
	assert_string_equal(first_field(errors), "body");
	assert_int_equal(rt_count(x->t, &q_body_is, DB_ARGS(DB_INT(out.id), DB_TEXT("The walk is on Tuesday."))), 1);
	assert_int_equal(rt_count(x->t, &q_history, DB_ARGS(DB_INT(out.id), DB_TEXT("Teh walk is on Tuesday."))), 1);
	assert_int_equal(rt_audit_n(x->t, "talk.edited"), 1);
	/* An edit is read again: a crisis written in later is flagged. */
	json_array_clear(errors);
	assert_int_equal(talk_post_edit(&x->env, rt_db(x->t), out.id, &x->a_mo, "Honestly I want to kill myself.",
				       T0 + 900, errors, &ed), ERR_OK);
	assert_true(ed.urgent);
	assert_int_equal(flags(x, out.id, "crisis", 2), 1);
	/* Edited again, still urgent: no second alert. */
	assert_int_equal(talk_post_edit(&x->env, rt_db(x->t), out.id, &x->a_mo, "Honestly, I want to kill myself.",
				       T0 + 960, errors, &ed), ERR_OK);
	assert_int_equal(rt_count(x->t, &q_flags_all, DB_ARGS(DB_INT(out.id))), 1);
	json_decref(errors);
}

static void reactions(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	struct talk_posted out;
	json_t *p;

	assert_int_equal(topic_as(x, &x->a_mo, x->copd, "Good day", "Walked a mile today!", T0, &out), ERR_OK);
	assert_int_equal(talk_react(db, out.id, &x->a_mo, "metoo", true, T0), ERR_FORBIDDEN);
	assert_int_equal(talk_react(db, out.id, &x->a_pip, "hug", true, T0), ERR_INVALID);
	assert_int_equal(talk_react(db, out.id, &x->a_pip, "thanks", true, T0), ERR_OK);
	assert_int_equal(talk_react(db, out.id, &x->a_pip, "thanks", true, T0), ERR_OK);   /* once each */
	assert_int_equal(talk_react(db, out.id, &x->a_nia, "thanks", true, T0), ERR_OK);
	assert_int_equal(talk_react(db, out.id, &x->a_nia, "metoo", true, T0), ERR_OK);
	assert_int_equal(talk_react(db, out.id, &x->a_gus, "metoo", true, T0), ERR_OK);
	assert_int_equal(talk_react(db, out.id, &x->a_gus, "metoo", false, T0), ERR_OK);
	/* The writer sees the counts. */
	p = post_as(x, &x->a_mo, out.id, T0, ERR_OK);
	assert_int_equal(json_integer_value(json_object_get(p, "thanks")), 2);
	assert_int_equal(json_integer_value(json_object_get(p, "metoo")), 1);
	json_decref(p);
	/* Another peer sees only their own. */
	p = post_as(x, &x->a_pip, out.id, T0, ERR_OK);
	assert_null(json_object_get(p, "thanks"));
	assert_null(json_object_get(p, "metoo"));
	assert_true(json_is_true(json_object_get(p, "thanks_mine")));
	assert_false(json_is_true(json_object_get(p, "metoo_mine")));
	assert_false(json_is_true(json_object_get(p, "mine")));
	assert_string_equal(json_string_value(json_object_get(p, "by")), "Mo from Brigg");
	char *dump = json_dumps(p, 0);
	assert_null(strstr(dump, "mo@example.org"));
	assert_null(strstr(dump, "Mo Member"));
	free(dump);
	json_decref(p);
}

/* ---------------------------------------------------------------- search and following */

static void search_in_space(void **state)
{
	struct fx *x = *state;
	struct talk_posted out;
	struct talk_space s = load(x, &x->a_pip, x->copd);
	json_t *r;

	assert_int_equal(topic_as(x, &x->a_mo, x->copd, "Rehab", "Pulmonary **rehab** at the Leisure Centre café "
				  "was brilliant.", T0, &out), ERR_OK);
	assert_int_equal(reply_as(x, &x->a_pip, out.topic_id, "I go swimming instead.", T0 + 60, &out), ERR_OK);
	assert_int_equal(talk_search(rt_db(x->t), &x->arena, &s, "REHAB leisure", 1, 20, &r), ERR_OK);
	assert_int_equal(json_integer_value(json_object_get(r, "total")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(r, "results"), 0),
					      "topic_title")), "Rehab");
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(json_object_get(r, "results"), 0),
						 "snippet")), "Pulmonary rehab"));
	json_decref(r);
	assert_int_equal(talk_search(rt_db(x->t), &x->arena, &s, "cafe", 1, 20, &r), ERR_OK);
	assert_int_equal(json_integer_value(json_object_get(r, "total")), 1);
	json_decref(r);
	assert_int_equal(talk_search(rt_db(x->t), &x->arena, &s, "rehab swimming", 1, 20, &r), ERR_OK);
	assert_int_equal(json_integer_value(json_object_get(r, "total")), 0);
	json_decref(r);
	assert_int_equal(talk_search(rt_db(x->t), &x->arena, &s, "swim", 1, 20, &r), ERR_OK);
	assert_int_equal(json_integer_value(json_object_get(r, "total")), 1);
	json_decref(r);
	assert_int_equal(talk_search(rt_db(x->t), &x->arena, &s, "100%_", 1, 20, &r), ERR_OK);
	assert_int_equal(json_integer_value(json_object_get(r, "total")), 0);
	json_decref(r);
	/* Another space has none of it. */
	s = load(x, &x->a_pip, x->general);
	assert_int_equal(talk_search(rt_db(x->t), &x->arena, &s, "rehab", 1, 20, &r), ERR_OK);
	assert_int_equal(json_integer_value(json_object_get(r, "total")), 0);
	json_decref(r);
}

static void following_counts_new(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	struct talk_posted out, last;
	json_t *f;
	int64_t topic;

	assert_int_equal(topic_as(x, &x->a_pip, x->copd, "Sleep", "How do you all sleep?", T0, &out), ERR_OK);
	topic = out.topic_id;
	assert_int_equal(talk_follow(db, x->pip, 0, topic, true, T0), ERR_OK);
	assert_int_equal(talk_follow(db, x->pip, 0, topic, true, T0), ERR_OK);   /* once */
	assert_int_equal(talk_follow(db, x->mo, x->copd, 0, true, T0), ERR_OK);
	assert_int_equal(talk_follow(db, x->mo, x->copd, topic, true, T0), ERR_INVALID);
	assert_int_equal(talk_follow(db, x->mo, 0, topic + 1000, true, T0), ERR_NOT_FOUND);
	assert_int_equal(reply_as(x, &x->a_mo, topic, "Propped up on pillows.", T0 + 60, &out), ERR_OK);
	assert_int_equal(reply_as(x, &x->a_nia, topic, "Badly!", T0 + 120, &last), ERR_OK);
	assert_int_equal(reply_as(x, &x->a_pip, topic, "Thank you both.", T0 + 180, &out), ERR_OK);

	assert_int_equal(talk_following(db, x->pip, &f), ERR_OK);
	assert_int_equal(json_array_size(json_object_get(f, "topics")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(f, "topics"), 0), "new")), 2);
	json_decref(f);
	assert_int_equal(talk_following(db, x->mo, &f), ERR_OK);   /* by others: Nia's and Pip's */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(f, "spaces"), 0), "new")), 2);
	json_decref(f);

	assert_int_equal(talk_seen(db, x->pip, topic, last.id), ERR_OK);
	assert_int_equal(talk_seen(db, x->mo, topic, out.id), ERR_OK);
	assert_int_equal(talk_following(db, x->pip, &f), ERR_OK);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(f, "topics"), 0), "new")), 0);
	json_decref(f);
	assert_int_equal(talk_following(db, x->mo, &f), ERR_OK);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(f, "spaces"), 0), "new")), 0);
	json_decref(f);
	assert_int_equal(talk_follow(db, x->pip, 0, topic, false, T0), ERR_OK);
	assert_int_equal(talk_following(db, x->pip, &f), ERR_OK);
	assert_int_equal(json_array_size(json_object_get(f, "topics")), 0);
	json_decref(f);
}

/* ---------------------------------------------------------------- watched words, quotes, standing */

static const struct sql q_history_note = { "ttd.history_note",
	"SELECT count(*) FROM talk_post_edit WHERE post_id = $1 AND body = $2 AND edited_by IS NULL AND note = $3",
	NULL };
static const struct sql q_mute = { "ttd.mute",
	"UPDATE talk_profile SET muted_until = $2, suspended = $3 WHERE person_id = $1", NULL };
static const struct sql q_lock = { "ttd.lock",
	"UPDATE talk_topic SET state = 'locked' WHERE id = $1", NULL };

static void watched_words(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	struct talk_posted out, held;
	json_t *errors = json_array();

	assert_int_equal(talk_watched_add(db, "rubbish", "replace", "***", x->cora, T0, errors), ERR_OK);
	assert_int_equal(talk_watched_add(db, "miracle", "hold", NULL, x->cora, T0, errors), ERR_OK);
	/* Replaced: the words before kept for moderators. */
	assert_int_equal(topic_as(x, &x->a_mo, x->copd, "Food", "The canteen food is rubbish.", T0, &out), ERR_OK);
	assert_false(out.held);
	assert_int_equal(rt_count(x->t, &q_body_is, DB_ARGS(DB_INT(out.id), DB_TEXT("The canteen food is ***."))), 1);
	assert_int_equal(rt_count(x->t, &q_history_note, DB_ARGS(DB_INT(out.id), DB_TEXT("The canteen food is rubbish."),
				  DB_TEXT("watched word replaced"))), 1);
	/* Held, even from a trusted account, with a flag naming the word. */
	assert_int_equal(reply_as(x, &x->a_mo, out.topic_id, "Try this miracle cure.", T0 + 60, &held), ERR_OK);
	assert_true(held.held);
	assert_true(state_is(x, held.id, "held"));
	assert_int_equal(flags(x, held.id, "held", 1), 1);
	assert_int_equal(rt_count(x->t, &q_flag_leak, DB_ARGS(DB_INT(held.id), DB_TEXT("%miracle%"))), 1);
	json_decref(errors);
}

static void quoting(void **state)
{
	struct fx *x = *state;
	struct talk_posted a, b, other;
	json_t *errors = json_array(), *list, *q;

	assert_int_equal(topic_as(x, &x->a_mo, x->copd, "Pacing", "Pace yourself: *little and often*.", T0, &a), ERR_OK);
	assert_int_equal(topic_as(x, &x->a_mo, x->copd, "Other", "Something else.", T0, &other), ERR_OK);
	/* Only a post of the same topic. */
	assert_int_equal(talk_post_create(&x->env, rt_db(x->t), a.topic_id, &x->a_pip, "Agreed", other.id, T0 + 60,
					  errors, &b), ERR_INVALID);
	assert_string_equal(first_field(errors), "quote");
	assert_int_equal(talk_post_create(&x->env, rt_db(x->t), a.topic_id, &x->a_pip,
					  "> Pace yourself\n\nAgreed, it works.", a.id, T0 + 60, errors, &b), ERR_OK);
	list = posts_as(x, &x->a_nia, a.topic_id, T0 + 120);
	q = json_object_get(json_array_get(json_object_get(list, "posts"), 1), "quote");
	assert_non_null(q);
	assert_int_equal(json_integer_value(json_object_get(q, "id")), a.id);
	assert_string_equal(json_string_value(json_object_get(q, "by")), "Mo from Brigg");
	assert_non_null(strstr(json_string_value(json_object_get(q, "html")), "<em>little and often</em>"));
	json_decref(list);
	/* The quoted words are not the reply's: searching finds the reply by its own. */
	struct talk_space s = load(x, &x->a_pip, x->copd);
	assert_int_equal(talk_search(rt_db(x->t), &x->arena, &s, "pace agreed", 1, 20, &list), ERR_OK);
	assert_int_equal(json_integer_value(json_object_get(list, "total")), 0);
	json_decref(list);
	json_decref(errors);
}

static void muted_suspended_locked(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	struct talk_posted out, r;
	json_t *errors = json_array();
	const char *detail;

	assert_int_equal(topic_as(x, &x->a_mo, x->copd, "Weather", "Cold air is hard.", T0, &out), ERR_OK);
	assert_int_equal(db_exec(db, &q_mute, DB_ARGS(DB_INT(x->pip), DB_INT(T0 + DAY), DB_INT(0)), NULL), ERR_OK);
	assert_int_equal(talk_post_create(&x->env, db, out.topic_id, &x->a_pip, "Yes", 0, T0, errors, &r),
			 ERR_FORBIDDEN);
	detail = json_string_value(json_object_get(json_array_get(errors, 0), "detail"));
	assert_non_null(strstr(detail, "paused your posting until Friday 16 January 2026"));
	json_array_clear(errors);
	/* The mute ends by itself. */
	assert_int_equal(reply_as(x, &x->a_pip, out.topic_id, "Yes", T0 + DAY + 1, &r), ERR_OK);
	assert_int_equal(db_exec(db, &q_mute, DB_ARGS(DB_INT(x->pip), DB_NULL, DB_INT(1)), NULL), ERR_OK);
	assert_int_equal(talk_post_create(&x->env, db, out.topic_id, &x->a_pip, "Yes", 0, T0 + DAY + 2, errors, &r),
			 ERR_FORBIDDEN);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(errors, 0), "detail")), "stopped"));
	json_array_clear(errors);
	/* A locked topic: no replies from peers; a moderator may still. */
	assert_int_equal(db_exec(db, &q_lock, DB_ARGS(DB_INT(out.topic_id)), NULL), ERR_OK);
	assert_int_equal(reply_as(x, &x->a_nia, out.topic_id, "Hello", T0 + 60, &r), ERR_FORBIDDEN);
	assert_int_equal(reply_as(x, &x->a_cora, out.topic_id, "Closing this now.", T0 + 60, &r), ERR_OK);
	json_decref(errors);
}

/* ---------------------------------------------------------------- text */

static void folding_and_links(void **state)
{
	struct arena a;

	arena_init(&a);
	assert_string_equal(talk_fold(&a, "  Café, CRÈME-brûlée!  Łódź  "), "cafe creme brulee lodz");
	assert_string_equal(talk_fold(&a, "don’t  stop_me"), "don t stop me");
	assert_string_equal(talk_fold(&a, "Straße Æther"), "strasse aether");
	assert_string_equal(talk_fold(&a, ""), "");
	assert_string_equal(talk_fold(&a, "...!"), "");
	arena_release(&a);
	assert_true(talk_has_link("see https://example.org"));
	assert_true(talk_has_link("WWW.example.org"));
	assert_true(talk_has_link("go to example.co.uk/page"));
	assert_true(talk_has_link("mail me: jo@example.com"));
	assert_false(talk_has_link("I felt fine.So I went"));
	assert_false(talk_has_link("It costs 2.50 and takes 1.5 hours"));
	assert_false(talk_has_link("e.g. a walk, i.e. outside"));
	assert_false(talk_has_link("my shttp: thing"));
	UNUSED(state);
}

static const struct sql q_html_is = { "ttd.html_is",
	"SELECT count(*) FROM talk_post WHERE id = $1 AND html = $2", NULL };
static const struct sql q_version = { "ttd.version", "SELECT version FROM talk_topic WHERE id = $1", NULL };

/* A post's HTML is made when it is written; the topic's version moves
 * with everything a reader sees of the posts it has, and not otherwise. */
static void html_kept_and_version_moves(void **state)
{
	struct fx *x = *state;
	struct talk_posted out, re, ed;
	json_t *errors = json_array();
	int64_t v0, v;

#define VERSION() rt_count(x->t, &q_version, DB_ARGS(DB_INT(out.topic_id)))
	assert_int_equal(topic_as(x, &x->a_mo, x->copd, "Pacing", "Take it *slowly*.", T0, &out), ERR_OK);
	assert_int_equal(rt_count(x->t, &q_html_is, DB_ARGS(DB_INT(out.id),
			 DB_TEXT("<p class=\"govuk-body\">Take it <em>slowly</em>.</p>\n"))), 1);
	v0 = VERSION();
	/* A reply comes after every post: pages before the last are
	 * unchanged, so only the count moves. */
	assert_int_equal(reply_as(x, &x->a_pip, out.topic_id, "Me too, on the hill.", T0 + 60, &re), ERR_OK);
	assert_int_equal((v = VERSION()), v0);
	assert_int_equal(rt_count(x->t, &q_topic_posts, DB_ARGS(DB_INT(out.topic_id))), 2);
	/* A reaction shows only in the writer's own count: no new version. */
	assert_int_equal(talk_react(rt_db(x->t), re.id, &x->a_mo, "thanks", true, T0 + 90), ERR_OK);
	assert_int_equal(VERSION(), v);
	assert_int_equal(talk_post_edit(&x->env, rt_db(x->t), re.id, &x->a_pip, "Me too, on the big hill.", T0 + 120,
				       errors, &ed), ERR_OK);
	assert_true(VERSION() > v);
	assert_int_equal(rt_count(x->t, &q_html_is, DB_ARGS(DB_INT(re.id),
			 DB_TEXT("<p class=\"govuk-body\">Me too, on the big hill.</p>\n"))), 1);
	v = VERSION();
	assert_int_equal(talk_moderate(&x->env, rt_db(x->t), &x->a_cora, re.id, TALK_HIDE, "Off topic", NULL, 0,
				       T0 + 180, errors), ERR_OK);
	assert_true(VERSION() > v);
	v = VERSION();
	name(x, x->pip, "Pip the Walker");
	assert_true(VERSION() > v);
#undef VERSION
	json_decref(errors);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(display_names),
		T(names_needed_to_post),
		T(new_account_limited),
		T(trusted_not_limited),
		T(new_account_link_held),
		T(crisis_signposted_and_flagged),
		T(crisis_concern_and_held),
		T(group_space_members_only),
		T(spaces_checked),
		T(hidden_post_kept_from_peers),
		T(editing_within_window),
		T(reactions),
		T(search_in_space),
		T(following_counts_new),
		T(watched_words),
		T(quoting),
		T(muted_suspended_locked),
		T(html_kept_and_version_moves),
		cmocka_unit_test(folding_and_links),
	};
#undef T

	return testdb_run_groups("talk_domain", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
