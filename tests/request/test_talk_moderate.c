/*
 * test_talk_moderate.c - conversations' safety below the pages, on a real
 * app and database: flags (a peer's, the same one twice, "other" with no
 * note), the queue's order (urgent first, then oldest) and reach (a peer
 * moderator sees only their space's), hiding (the post, its flags, the
 * topic's count, the audit, the writer's notice and an email without the
 * words), a moderator outside their space, seeing who wrote a post
 * (audited), a mute that stops posting, watched words held and replaced,
 * messages with the moderators (the email never carries the message),
 * private messages refused to a new account and outside a match, the job
 * (urgent flags to the moderators on duty, "new replies" without words
 * or titles, the daily digest once a day), export and erasure.
 * Spaces, topics and posts are written with SQL, so these tests depend
 * on talk.c only where they mean to (posting while muted).
 * SQLite and, with KITH_TEST_PG_URL, PostgreSQL.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "auth/policy.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "store/store.h"
#include "support/cast.h"
#include "support/reqtest.h"
#include "support/testdb.h"
#include "talk/talk.h"
#include "talk/talk_int.h"
#include "talk/talk_feature.h"
#include "app/features.h"

#define DAY INT64_C(86400)
#define R(x) ROLE_BIT(ROLE_##x)

static const struct sql q_space_ins = { "ttm.space_ins",
	"INSERT INTO talk_space (slug, kind, name, condition, state, created_at) VALUES ($1, $2, $3, $4, 'open', $5) "
	"RETURNING id", NULL };
static const struct sql q_topic_ins = { "ttm.topic_ins",
	"INSERT INTO talk_topic (space_id, person_id, title, state, posts_n, created_at, last_post_at) "
	"VALUES ($1, $2, $3, 'open', 0, $4, $4) RETURNING id", NULL };
static const struct sql q_post_ins = { "ttm.post_ins",
	"INSERT INTO talk_post (topic_id, space_id, person_id, body, state, created_at) "
	"VALUES ($1, $2, $3, $4, $5, $6) RETURNING id", NULL };
static const struct sql q_topic_bump = { "ttm.topic_bump",
	"UPDATE talk_topic SET posts_n = posts_n + 1 WHERE id = $1", NULL };
static const struct sql q_profile_ins = { "ttm.profile_ins",
	"INSERT INTO talk_profile (person_id, display_name, name_key, trusted, on_duty, notify, created_at, updated_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $7)", NULL };
static const struct sql q_mod_ins = { "ttm.mod_ins",
	"INSERT INTO talk_moderator (space_id, person_id, added_at) VALUES ($1, $2, $3)", NULL };
static const struct sql q_follow_ins = { "ttm.follow_ins",
	"INSERT INTO talk_follow (person_id, space_id, topic_id, seen_post, created_at) VALUES ($1, $2, $3, 0, $4)",
	NULL };
static const struct sql q_request_ins = { "ttm.request_ins",
	"INSERT INTO peer_request (id, person_id, conditions, topics, wants, ways, slots, max_miles, prefers, state, "
	"created_at, waiting_since, updated_at) VALUES ($1, $2, 0, 0, 1, 1, 0, 10, '', 'matched', $3, $3, $3)", NULL };
static const struct sql q_match_ins = { "ttm.match_ins",
	"INSERT INTO peer_match (id, request_id, person_id, peer_id, state, cost, reasons, offered_at, expires_at) "
	"VALUES ($1, $2, $3, $4, 'accepted', 0, '', $5, $5)", NULL };

static const struct sql q_post_state = { "ttm.post_state",
	"SELECT count(*) FROM talk_post WHERE id = $1 AND state = $2", NULL };
static const struct sql q_post_note = { "ttm.post_note",
	"SELECT count(*) FROM talk_post WHERE id = $1 AND hidden_note = $2", NULL };
static const struct sql q_topic_n = { "ttm.topic_n", "SELECT posts_n FROM talk_topic WHERE id = $1", NULL };
static const struct sql q_open_flags = { "ttm.open_flags",
	"SELECT count(*) FROM talk_flag WHERE post_id = $1 AND state = 'open'", NULL };
static const struct sql q_flag_urgency = { "ttm.flag_urgency",
	"SELECT urgency FROM talk_flag WHERE id = $1", NULL };
static const struct sql q_flag_alerted = { "ttm.flag_alerted",
	"SELECT count(*) FROM talk_flag WHERE id = $1 AND alerted_at IS NOT NULL", NULL };
static const struct sql q_notice_n = { "ttm.notice_n",
	"SELECT count(*) FROM talk_notice WHERE person_id = $1 AND kind = $2", NULL };
static const struct sql q_mail_has = { "ttm.mail_has",
	"SELECT count(*) FROM outbox WHERE body_text LIKE $1 OR coalesce(body_html, '') LIKE $1 OR subject LIKE $1",
	NULL };
static const struct sql q_mail_tmpl = { "ttm.mail_tmpl",
	"SELECT count(*) FROM outbox WHERE template = $1", NULL };
static const struct sql q_seen = { "ttm.seen",
	"SELECT min(seen_post) FROM talk_follow WHERE person_id = $1", NULL };
static const struct sql q_erased_posts = { "ttm.erased_posts",
	"SELECT count(*) FROM talk_post WHERE person_id IS NULL AND body = ''", NULL };
static const struct sql q_posts_of = { "ttm.posts_of", "SELECT count(*) FROM talk_post WHERE person_id = $1", NULL };
static const struct sql q_profile_n = { "ttm.profile_n",
	"SELECT count(*) FROM talk_profile WHERE person_id = $1", NULL };
static const struct sql q_edit_n = { "ttm.edit_n",
	"SELECT count(*) FROM talk_post_edit WHERE post_id = $1 AND body = $2", NULL };

struct fx {
	struct rt *t;                  /* first, for rt_fixture() */
	struct talk_env env;
	int64_t now;
	int64_t cora, pam, wes, fay, nia, ola;
	struct actor a_cora, a_pam, a_wes, a_fay, a_nia, a_ola;
	int64_t copd, carers;          /* spaces */
	int64_t topic, carers_topic;   /* a topic in each */
	int64_t post, carers_post;     /* wes's posts in them */
};

static struct actor actor_of(int64_t id, unsigned roles)
{
	return (struct actor){ .id = id, .roles = roles, .verified = true };
}

static void exec(struct rt *t, const struct sql *q, const struct db_val *args, size_t n)
{
	assert_int_equal(db_exec(rt_db(t), q, args, n, NULL), ERR_OK);
}

static void profile(struct fx *x, int64_t id, const char *name, bool trusted, bool on_duty, const char *notify)
{
	char key[64];

	snprintf(key, sizeof(key), "%s", name);
	for (char *p = key; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	exec(x->t, &q_profile_ins, DB_ARGS(DB_INT(id), DB_TEXT(name), DB_TEXT(key), DB_INT(trusted), DB_INT(on_duty),
		DB_TEXT(notify), DB_INT(x->now)));
}

static int64_t post_in(struct fx *x, int64_t topic, int64_t space, int64_t by, const char *body, int64_t at)
{
	int64_t id = rt_count(x->t, &q_post_ins, DB_ARGS(DB_INT(topic), DB_INT(space), by ? DB_INT(by) : DB_NULL,
		DB_TEXT(body), DB_TEXT("visible"), DB_INT(at)));

	exec(x->t, &q_topic_bump, DB_ARGS(DB_INT(topic)));
	return id;
}

static int setup(void **state)
{
	struct fx *x = rt_fixture(state, sizeof(*x), NULL);
	struct rt *t;

	if (!x)
		return -1;
	t = x->t;
	x->now = time_now();
	x->env = (struct talk_env){ .mailer = &t->app.mailer, .links = &t->app.links };
	x->cora = rt_person(t, "Cora Ordinator", "cora@example.org", NULL, R(MEMBER) | R(COORDINATOR), NULL);
	x->pam = rt_person(t, "Pam Peer", "pam@example.org", NULL, R(MEMBER), NULL);
	x->wes = rt_person(t, "Wes Writer", "wes@example.org", NULL, R(MEMBER), NULL);
	x->fay = rt_person(t, "Fay Flagger", "fay@example.org", NULL, R(MEMBER), NULL);
	x->nia = rt_person(t, "Nia New", "nia@example.org", NULL, R(MEMBER), NULL);
	x->ola = rt_person(t, "Ola Other", "ola@example.org", NULL, R(MEMBER), NULL);
	x->a_cora = actor_of(x->cora, R(MEMBER) | R(COORDINATOR));
	x->a_pam = actor_of(x->pam, R(MEMBER));
	x->a_wes = actor_of(x->wes, R(MEMBER));
	x->a_fay = actor_of(x->fay, R(MEMBER));
	x->a_nia = actor_of(x->nia, R(MEMBER));
	x->a_ola = actor_of(x->ola, R(MEMBER));
	/* Everyone but nia has been here a while (trusted); nia is new. */
	profile(x, x->cora, "Cora", true, false, "off");
	profile(x, x->pam, "Pam", true, true, "off");
	profile(x, x->wes, "Wes", true, false, "off");
	profile(x, x->fay, "Fay", true, false, "off");
	profile(x, x->nia, "Nia", false, false, "off");
	profile(x, x->ola, "Ola", true, false, "instant");

	x->copd = rt_count(t, &q_space_ins, DB_ARGS(DB_TEXT("living-with-copd"), DB_TEXT("condition"),
		DB_TEXT("Living with COPD"), DB_TEXT("copd"), DB_INT(x->now)));
	x->carers = rt_count(t, &q_space_ins, DB_ARGS(DB_TEXT("carers"), DB_TEXT("carers"), DB_TEXT("Carers' corner"),
		DB_NULL, DB_INT(x->now)));
	exec(t, &q_mod_ins, DB_ARGS(DB_INT(x->copd), DB_INT(x->pam), DB_INT(x->now)));
	x->topic = rt_count(t, &q_topic_ins, DB_ARGS(DB_INT(x->copd), DB_INT(x->wes),
		DB_TEXT("My secret diagnosis title"), DB_INT(x->now - 3600)));
	x->carers_topic = rt_count(t, &q_topic_ins, DB_ARGS(DB_INT(x->carers), DB_INT(x->wes),
		DB_TEXT("Caring secret title"), DB_INT(x->now - 3600)));
	x->post = post_in(x, x->topic, x->copd, x->wes, "My secret body words about my lungs", x->now - 3600);
	x->carers_post = post_in(x, x->carers_topic, x->carers, x->wes, "Caring secret body words", x->now - 3600);
	return 0;
}

static int teardown(void **state)
{
	return rt_fixture_free(state);
}

/* Does any queued email carry s (anywhere: subject, text or HTML)? */
static int64_t mail_has(struct rt *t, const char *s)
{
	char like[128];

	snprintf(like, sizeof(like), "%%%s%%", s);
	return rt_count(t, &q_mail_has, DB_ARGS(DB_TEXT(like)));
}

static bool errors_name(json_t *errors, const char *field)
{
	size_t i;
	json_t *v;

	json_array_foreach(errors, i, v)
		if (strcmp(json_string_value(json_object_get(v, "field")), field) == 0)
			return true;
	return false;
}

/* ---------------------------------------------------------------- flags */

static void test_flags(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	json_t *errors = json_array();
	int64_t id = 0, crisis = 0;

	assert_int_equal(talk_flag_post(&x->env, db, x->post, &x->a_fay, "unkind", NULL, x->now, errors, &id), ERR_OK);
	assert_true(id > 0);
	assert_int_equal(rt_count(x->t, &q_flag_urgency, DB_ARGS(DB_INT(id))), 1);
	assert_int_equal(rt_audit_about(x->t, "talk.flagged", x->wes), 1);
	/* The same person, post and reason again. */
	assert_int_equal(talk_flag_post(&x->env, db, x->post, &x->a_fay, "unkind", NULL, x->now, errors, &id),
			 ERR_CONFLICT);
	assert_true(errors_name(errors, "reason"));
	json_array_clear(errors);
	/* "Something else" needs words; "held" is not for people. */
	assert_int_equal(talk_flag_post(&x->env, db, x->post, &x->a_fay, "other", "  ", x->now, errors, &id),
			 ERR_INVALID);
	assert_true(errors_name(errors, "note"));
	json_array_clear(errors);
	assert_int_equal(talk_flag_post(&x->env, db, x->post, &x->a_fay, "held", NULL, x->now, errors, &id),
			 ERR_INVALID);
	assert_true(errors_name(errors, "reason"));
	json_array_clear(errors);
	assert_int_equal(talk_flag_post(&x->env, db, x->post, &x->a_fay, "other", "It names someone", x->now, errors,
					&id), ERR_OK);
	/* A crisis flag is urgent. */
	assert_int_equal(talk_flag_post(&x->env, db, x->post, &x->a_ola, "crisis", NULL, x->now, errors, &crisis),
			 ERR_OK);
	assert_int_equal(rt_count(x->t, &q_flag_urgency, DB_ARGS(DB_INT(crisis))), 2);
	/* A post nobody may see is not there to flag. */
	assert_int_equal(talk_flag_post(&x->env, db, 999999, &x->a_fay, "spam", NULL, x->now, errors, &id),
			 ERR_NOT_FOUND);
	json_decref(errors);
}

static int64_t item_post(json_t *q, size_t i)
{
	return json_integer_value(json_object_get(json_array_get(json_object_get(q, "items"), i), "post_id"));
}

static void test_queue(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	struct arena a;
	json_t *q = NULL;
	int64_t p1 = post_in(x, x->topic, x->copd, x->ola, "First reply", x->now - 500);
	int64_t p2 = post_in(x, x->topic, x->copd, x->ola, "Second reply", x->now - 400);
	int64_t p3 = post_in(x, x->topic, x->copd, x->ola, "Third reply", x->now - 300);

	/* p1 flagged last, p2 first, p3 urgent in between; and one in the
	 * carers' space, which pam does not moderate. */
	assert_int_equal(talk_flag_post(&x->env, db, p2, &x->a_fay, "spam", NULL, x->now - 200, NULL, NULL), ERR_OK);
	assert_int_equal(talk_flag_post(&x->env, db, p3, &x->a_fay, "crisis", NULL, x->now - 150, NULL, NULL), ERR_OK);
	assert_int_equal(talk_flag_post(&x->env, db, p1, &x->a_fay, "unkind", NULL, x->now - 100, NULL, NULL), ERR_OK);
	assert_int_equal(talk_flag_post(&x->env, db, p1, &x->a_wes, "spam", NULL, x->now - 50, NULL, NULL), ERR_OK);
	assert_int_equal(talk_flag_post(&x->env, db, x->carers_post, &x->a_fay, "spam", NULL, x->now - 250, NULL, NULL),
			 ERR_OK);

	arena_init(&a);
	assert_int_equal(talk_queue(db, &a, &x->a_cora, 1, 20, &q), ERR_OK);
	assert_int_equal(json_integer_value(json_object_get(q, "total")), 4);
	assert_int_equal(json_integer_value(json_object_get(q, "urgent")), 1);
	assert_int_equal(item_post(q, 0), p3);
	assert_int_equal(item_post(q, 1), x->carers_post);
	assert_int_equal(item_post(q, 2), p2);
	assert_int_equal(item_post(q, 3), p1);
	json_t *first = json_array_get(json_object_get(q, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(first, "urgency")), "urgent");
	assert_string_equal(json_string_value(json_object_get(first, "excerpt")), "Third reply");
	json_t *last = json_array_get(json_object_get(q, "items"), 3);
	assert_int_equal(json_integer_value(json_object_get(last, "flags")), 2);
	assert_int_equal(json_array_size(json_object_get(last, "reasons")), 2);
	json_decref(q);

	/* A peer moderator sees their space's flags only. */
	assert_int_equal(talk_queue(db, &a, &x->a_pam, 1, 20, &q), ERR_OK);
	assert_int_equal(json_integer_value(json_object_get(q, "total")), 3);
	for (size_t i = 0; i < 3; i++)
		assert_int_not_equal(item_post(q, i), x->carers_post);
	json_decref(q);
	/* Someone who moderates nothing has no queue. */
	assert_int_equal(talk_queue(db, &a, &x->a_ola, 1, 20, &q), ERR_FORBIDDEN);
	assert_null(q);
	arena_release(&a);
}

/* ---------------------------------------------------------------- acting */

static void test_hide(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	json_t *errors = json_array(), *n = NULL;
	int64_t before = rt_count(x->t, &q_topic_n, DB_ARGS(DB_INT(x->topic)));

	assert_int_equal(talk_flag_post(&x->env, db, x->post, &x->a_fay, "unkind", NULL, x->now, NULL, NULL), ERR_OK);
	/* A note is needed: the writer is shown why. */
	assert_int_equal(talk_moderate(&x->env, db, &x->a_pam, x->post, TALK_HIDE, "", NULL, 0, x->now, errors),
			 ERR_INVALID);
	assert_true(errors_name(errors, "note"));
	/* Not in a space pam moderates. */
	assert_int_equal(talk_moderate(&x->env, db, &x->a_pam, x->carers_post, TALK_HIDE, "Unkind words", NULL, 0,
				       x->now, NULL), ERR_FORBIDDEN);
	/* Nor by someone who moderates nothing. */
	assert_int_equal(talk_moderate(&x->env, db, &x->a_ola, x->post, TALK_HIDE, "Unkind words", NULL, 0, x->now,
				       NULL), ERR_FORBIDDEN);
	/* Restoring a post that is not hidden. */
	assert_int_equal(talk_moderate(&x->env, db, &x->a_pam, x->post, TALK_RESTORE, NULL, NULL, 0, x->now, NULL),
			 ERR_CONFLICT);

	assert_int_equal(talk_moderate(&x->env, db, &x->a_pam, x->post, TALK_HIDE, "Please be kind to Sam", NULL, 0,
				       x->now, NULL), ERR_OK);
	assert_int_equal(rt_count(x->t, &q_post_state, DB_ARGS(DB_INT(x->post), DB_TEXT("hidden"))), 1);
	assert_int_equal(rt_count(x->t, &q_post_note, DB_ARGS(DB_INT(x->post), DB_TEXT("Please be kind to Sam"))), 1);
	assert_int_equal(rt_count(x->t, &q_topic_n, DB_ARGS(DB_INT(x->topic))), before - 1);
	assert_int_equal(rt_count(x->t, &q_open_flags, DB_ARGS(DB_INT(x->post))), 0);
	assert_int_equal(rt_audit_about(x->t, "talk.hide", x->wes), 1);

	/* The writer is told in plain words, on their page; the email only
	 * says there is a notice. */
	assert_int_equal(talk_notices(db, x->wes, true, x->now, &n), ERR_OK);
	assert_int_equal(json_integer_value(json_object_get(n, "unread")), 1);
	const char *words = json_string_value(json_object_get(json_array_get(json_object_get(n, "notices"), 0), "words"));
	assert_non_null(strstr(words, "hid your post in Living with COPD"));
	assert_non_null(strstr(words, "Please be kind to Sam"));
	assert_non_null(strstr(words, "write to the moderators"));
	json_decref(n);
	assert_int_equal(talk_notices(db, x->wes, false, x->now, &n), ERR_OK);
	assert_int_equal(json_integer_value(json_object_get(n, "unread")), 0);
	json_decref(n);
	assert_int_equal(rt_mail_n(x->t, "wes@example.org", "talk_notice"), 1);
	assert_int_equal(mail_has(x->t, "kind to Sam"), 0);
	assert_int_equal(mail_has(x->t, "secret"), 0);

	/* Restored, it counts again; the notice says so. */
	assert_int_equal(talk_moderate(&x->env, db, &x->a_cora, x->post, TALK_RESTORE, NULL, NULL, 0, x->now, NULL),
			 ERR_OK);
	assert_int_equal(rt_count(x->t, &q_post_state, DB_ARGS(DB_INT(x->post), DB_TEXT("visible"))), 1);
	assert_int_equal(rt_count(x->t, &q_topic_n, DB_ARGS(DB_INT(x->topic))), before);
	assert_int_equal(rt_count(x->t, &q_notice_n, DB_ARGS(DB_INT(x->wes), DB_TEXT("restore"))), 1);

	/* A moderator's edit keeps the words before. */
	assert_int_equal(talk_moderate(&x->env, db, &x->a_pam, x->post, TALK_EDIT, "A name taken out",
				       "My body words", 0, x->now, NULL), ERR_OK);
	assert_int_equal(rt_count(x->t, &q_edit_n, DB_ARGS(DB_INT(x->post),
		DB_TEXT("My secret body words about my lungs"))), 1);

	/* The moderator's view: the flags (closed now), the history, the
	 * writer by display name only. */
	struct arena a;
	json_t *mp = NULL;

	arena_init(&a);
	assert_int_equal(talk_mod_post(db, &a, &x->a_ola, x->post, x->now, &mp), ERR_FORBIDDEN);
	assert_int_equal(talk_mod_post(db, &a, &x->a_pam, x->post, x->now, &mp), ERR_OK);
	json_t *flags = json_object_get(mp, "flags");
	assert_int_equal(json_array_size(flags), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(flags, 0), "by")), "Fay");
	assert_true(json_is_false(json_object_get(json_array_get(flags, 0), "open")));
	assert_int_equal(json_array_size(json_object_get(mp, "history")), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(mp, "writer"), "display_name")), "Wes");
	assert_null(json_object_get(json_object_get(mp, "writer"), "email"));
	json_decref(mp);
	arena_release(&a);

	/* Nobody moderates their own words. */
	int64_t own = post_in(x, x->topic, x->copd, x->pam, "Pam's own post", x->now);
	assert_int_equal(talk_moderate(&x->env, db, &x->a_pam, own, TALK_HIDE, "Mine", NULL, 0, x->now, NULL),
			 ERR_FORBIDDEN);
	json_decref(errors);
}

static void test_reveal(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	json_t *who = NULL;

	assert_int_equal(talk_reveal(db, &x->a_ola, x->post, x->now, &who), ERR_FORBIDDEN);
	assert_int_equal(talk_reveal(db, &x->a_pam, x->carers_post, x->now, &who), ERR_FORBIDDEN);
	assert_int_equal(rt_audit_n(x->t, "talk.revealed"), 0);
	assert_int_equal(talk_reveal(db, &x->a_pam, x->post, x->now, &who), ERR_OK);
	assert_int_equal(json_integer_value(json_object_get(who, "person_id")), x->wes);
	assert_string_equal(json_string_value(json_object_get(who, "email")), "wes@example.org");
	assert_string_equal(json_string_value(json_object_get(who, "name")), "Wes Writer");
	json_decref(who);
	assert_int_equal(rt_audit_about(x->t, "talk.revealed", x->wes), 1);
}

static void test_mute(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	struct talk_profile p;
	struct talk_posted posted;
	json_t *errors = json_array();

	assert_int_equal(talk_moderate(&x->env, db, &x->a_pam, x->post, TALK_MUTE, NULL, NULL, 0, x->now, errors),
			 ERR_INVALID);
	assert_true(errors_name(errors, "days"));
	assert_int_equal(talk_moderate(&x->env, db, &x->a_pam, x->post, TALK_MUTE, "Cooling off", NULL, 3, x->now,
				       NULL), ERR_OK);
	assert_int_equal(talk_profile_get(&x->env, db, x->wes, x->now, &p), ERR_OK);
	assert_true(p.muted_until == x->now + 3 * DAY);
	assert_int_equal(rt_audit_about(x->t, "talk.mute", x->wes), 1);
	assert_int_equal(rt_count(x->t, &q_notice_n, DB_ARGS(DB_INT(x->wes), DB_TEXT("mute"))), 1);
	/* Muted, wes cannot post. */
	json_array_clear(errors);
	assert_int_equal(talk_post_create(&x->env, db, x->topic, &x->a_wes, "Hello again", 0, x->now + 60, errors,
					  &posted), ERR_FORBIDDEN);

	/* Suspended and lifted; trusted (no notice). */
	assert_int_equal(talk_moderate(&x->env, db, &x->a_cora, x->post, TALK_SUSPEND, NULL, NULL, 0, x->now, NULL),
			 ERR_OK);
	assert_int_equal(talk_moderate(&x->env, db, &x->a_cora, x->post, TALK_SUSPEND, NULL, NULL, 0, x->now, NULL),
			 ERR_CONFLICT);
	assert_int_equal(talk_moderate(&x->env, db, &x->a_cora, x->post, TALK_UNSUSPEND, NULL, NULL, 0, x->now, NULL),
			 ERR_OK);
	int64_t nia_post = post_in(x, x->topic, x->copd, x->nia, "Hello from Nia", x->now);
	assert_int_equal(talk_moderate(&x->env, db, &x->a_cora, nia_post, TALK_TRUST, NULL, NULL, 0, x->now, NULL),
			 ERR_OK);
	assert_int_equal(talk_profile_get(&x->env, db, x->nia, x->now, &p), ERR_OK);
	assert_true(p.trusted);
	assert_int_equal(rt_count(x->t, &q_notice_n, DB_ARGS(DB_INT(x->nia), DB_TEXT("trust"))), 0);
	json_decref(errors);
}

/* ---------------------------------------------------------------- watched words */

static void test_watched(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	struct arena a;
	json_t *errors = json_array(), *list = NULL;
	const char *out = NULL;
	char why[160];
	bool hold = false;

	assert_int_equal(talk_watched_add(db, "Badword", "hold", NULL, x->cora, x->now, errors), ERR_OK);
	assert_int_equal(talk_watched_add(db, "darn", "replace", NULL, x->cora, x->now, errors), ERR_OK);
	assert_int_equal(talk_watched_add(db, "", "hold", NULL, x->cora, x->now, errors), ERR_INVALID);
	assert_true(errors_name(errors, "word"));
	assert_int_equal(talk_watched_add(db, "heck", "shout", NULL, x->cora, x->now, errors), ERR_INVALID);
	assert_true(errors_name(errors, "action"));
	assert_int_equal(rt_audit_n(x->t, "talk.watched_added"), 2);
	assert_int_equal(talk_watched_list(db, &list), ERR_OK);
	assert_int_equal(json_array_size(list), 2);
	json_decref(list);

	arena_init(&a);
	assert_int_equal(talk_watched_apply(db, &a, "Oh DARN it, darning socks.", &out, &hold, why, sizeof(why)), ERR_OK);
	assert_string_equal(out, "Oh *** it, darning socks.");
	assert_false(hold);
	assert_int_equal(talk_watched_apply(db, &a, "What a BadWord day", &out, &hold, why, sizeof(why)), ERR_OK);
	assert_true(hold);
	assert_non_null(strstr(why, "badword"));
	assert_string_equal(out, "What a BadWord day");
	assert_int_equal(talk_watched_apply(db, &a, "Badwords are fine", &out, &hold, why, sizeof(why)), ERR_OK);
	assert_false(hold);
	arena_release(&a);

	assert_int_equal(talk_watched_remove(db, "darn", x->cora, x->now), ERR_OK);
	assert_int_equal(talk_watched_remove(db, "darn", x->cora, x->now), ERR_NOT_FOUND);
	assert_int_equal(rt_audit_n(x->t, "talk.watched_removed"), 1);
	json_decref(errors);
}

/* ---------------------------------------------------------------- messages */

static void test_modmail(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	struct arena a;
	json_t *errors = json_array(), *q = NULL, *open = NULL, *thread = NULL;

	assert_int_equal(talk_modmail_send(&x->env, db, x->nia, "", x->now, errors), ERR_INVALID);
	assert_true(errors_name(errors, "body"));
	assert_int_equal(talk_modmail_send(&x->env, db, x->nia, "My inhaler secret question", x->now, NULL), ERR_OK);
	/* Nobody is emailed for it: the queue counts it. */
	assert_int_equal(rt_mail_all(x->t), 0);
	arena_init(&a);
	assert_int_equal(talk_queue(db, &a, &x->a_pam, 1, 20, &q), ERR_OK);
	assert_int_equal(json_integer_value(json_object_get(q, "modmail")), 1);
	json_decref(q);
	arena_release(&a);
	assert_int_equal(talk_modmail_open(db, &open), ERR_OK);
	assert_int_equal(json_array_size(open), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(open, 0), "display_name")), "Nia");
	json_decref(open);

	assert_int_equal(talk_modmail_answer(&x->env, db, &x->a_ola, x->nia, "Hi", x->now, NULL), ERR_FORBIDDEN);
	assert_int_equal(talk_modmail_answer(&x->env, db, &x->a_pam, x->nia, "Our secret answer", x->now + 60, NULL),
			 ERR_OK);
	assert_int_equal(rt_mail_n(x->t, "nia@example.org", "talk_modmail"), 1);
	assert_int_equal(mail_has(x->t, "secret"), 0);
	assert_int_equal(mail_has(x->t, "inhaler"), 0);
	assert_int_equal(rt_audit_about(x->t, "talk.modmail_answered", x->nia), 1);
	assert_int_equal(talk_modmail_open(db, &open), ERR_OK);
	assert_int_equal(json_array_size(open), 0);
	json_decref(open);
	assert_int_equal(talk_modmail_thread(db, x->nia, &thread), ERR_OK);
	json_t *m = json_object_get(thread, "messages");
	assert_int_equal(json_array_size(m), 2);
	assert_true(json_is_true(json_object_get(json_array_get(m, 1), "from_moderator")));
	json_decref(thread);
	json_decref(errors);
}

static void test_pm_allowed(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	const char *why = NULL;

	/* Anyone may write to a moderator, a new account too. */
	assert_int_equal(talk_pm_allowed(&x->env, db, x->nia, x->cora, x->now, &why), ERR_OK);
	assert_int_equal(talk_pm_allowed(&x->env, db, x->nia, x->pam, x->now, &why), ERR_OK);
	/* Not matched. */
	assert_int_equal(talk_pm_allowed(&x->env, db, x->ola, x->wes, x->now, &why), ERR_FORBIDDEN);
	assert_non_null(strstr(why, "only to a peer you are matched with"));
	/* Matched: nia with ola, wes with fay. */
	exec(x->t, &q_request_ins, DB_ARGS(DB_TEXT("10000000-0000-4000-8000-000000000001"), DB_INT(x->nia),
		DB_INT(x->now)));
	exec(x->t, &q_match_ins, DB_ARGS(DB_TEXT("20000000-0000-4000-8000-000000000001"),
		DB_TEXT("10000000-0000-4000-8000-000000000001"), DB_INT(x->nia), DB_INT(x->ola), DB_INT(x->now)));
	exec(x->t, &q_request_ins, DB_ARGS(DB_TEXT("10000000-0000-4000-8000-000000000002"), DB_INT(x->wes),
		DB_INT(x->now)));
	exec(x->t, &q_match_ins, DB_ARGS(DB_TEXT("20000000-0000-4000-8000-000000000002"),
		DB_TEXT("10000000-0000-4000-8000-000000000002"), DB_INT(x->wes), DB_INT(x->fay), DB_INT(x->now)));
	/* A new account, though matched. */
	assert_int_equal(talk_pm_allowed(&x->env, db, x->nia, x->ola, x->now, &why), ERR_FORBIDDEN);
	assert_non_null(strstr(why, "New accounts cannot send private messages yet"));
	/* The other way, and a trusted pair. */
	assert_int_equal(talk_pm_allowed(&x->env, db, x->ola, x->nia, x->now, &why), ERR_OK);
	assert_int_equal(talk_pm_allowed(&x->env, db, x->fay, x->wes, x->now, &why), ERR_OK);
	/* Time trusts a new account too. */
	assert_int_equal(talk_pm_allowed(&x->env, db, x->nia, x->ola, x->now + 8 * DAY, &why), ERR_OK);
}

/* ---------------------------------------------------------------- the job */

static void test_urgent_alert(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	struct talk_env quiet = { 0 };
	int64_t id = 0, id2 = 0;
	int sent = 0;

	/* pam is on duty for the COPD space; cora is not. */
	assert_int_equal(talk_flag_post(&x->env, db, x->post, &x->a_fay, "crisis", NULL, x->now, NULL, &id), ERR_OK);
	assert_int_equal(rt_mail_n(x->t, "pam@example.org", "talk_urgent"), 1);
	assert_int_equal(rt_mail_n(x->t, "cora@example.org", "talk_urgent"), 0);
	assert_int_equal(rt_count(x->t, &q_flag_alerted, DB_ARGS(DB_INT(id))), 1);
	assert_int_equal(mail_has(x->t, "secret"), 0);
	assert_int_equal(mail_has(x->t, "Wes"), 0);
	/* Nobody on duty for the carers' space: every coordinator is told. */
	assert_int_equal(talk_flag_post(&x->env, db, x->carers_post, &x->a_fay, "crisis", NULL, x->now, NULL, &id),
			 ERR_OK);
	assert_int_equal(rt_mail_n(x->t, "cora@example.org", "talk_urgent"), 1);
	assert_int_equal(rt_mail_n(x->t, "pam@example.org", "talk_urgent"), 1);

	/* Raised where no email could go: the job tells them. */
	assert_int_equal(talk_flag_raise(&quiet, db, x->post, x->copd, 0, TALK_R_CRISIS, NULL, 2, x->now, &id2), ERR_OK);
	assert_int_equal(rt_count(x->t, &q_flag_alerted, DB_ARGS(DB_INT(id2))), 0);
	assert_int_equal(talk_job(&x->env, db, x->now + 30, &sent), ERR_OK);
	assert_true(sent >= 1);
	assert_int_equal(rt_count(x->t, &q_flag_alerted, DB_ARGS(DB_INT(id2))), 1);
	assert_int_equal(rt_mail_n(x->t, "pam@example.org", "talk_urgent"), 2);
	/* Once. */
	assert_int_equal(talk_job(&x->env, db, x->now + 90, NULL), ERR_OK);
	assert_int_equal(rt_mail_n(x->t, "pam@example.org", "talk_urgent"), 2);
}

static void test_new_replies(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	int sent = 0;
	char *text;

	/* ola follows the COPD space and the carers' topic, at once. */
	exec(x->t, &q_follow_ins, DB_ARGS(DB_INT(x->ola), DB_INT(x->copd), DB_NULL, DB_INT(x->now)));
	exec(x->t, &q_follow_ins, DB_ARGS(DB_INT(x->ola), DB_NULL, DB_INT(x->carers_topic), DB_INT(x->now)));
	post_in(x, x->topic, x->copd, x->fay, "Another secret reply", x->now);
	post_in(x, x->carers_topic, x->carers, x->ola, "Ola's own words", x->now);
	assert_int_equal(talk_job(&x->env, db, x->now + 60, &sent), ERR_OK);
	assert_int_equal(sent, 1);
	assert_int_equal(rt_mail_n(x->t, "ola@example.org", "talk_new_replies"), 1);
	text = rt_mail_text(x->t, "ola@example.org", "talk_new_replies");
	/* Two new in the COPD space (wes's and fay's), unnamed; one in the
	 * carers' (wes's; not ola's own), named. */
	assert_non_null(strstr(text, "2 new replies in a space you follow"));
	assert_non_null(strstr(text, "1 new reply in Carers"));
	assert_null(strstr(text, "COPD"));
	assert_null(strstr(text, "secret"));
	assert_null(strstr(text, "diagnosis"));
	free(text);
	assert_true(rt_count(x->t, &q_seen, DB_ARGS(DB_INT(x->ola))) > 0);
	/* Told once; here through the feature's job, as the worker runs it
	 * (outside a transaction: talk_job opens its own). */
	assert_int_equal(talk_feature.jobs[0].run(&x->t->app, db, x->now + 120), ERR_OK);
	assert_int_equal(rt_mail_n(x->t, "ola@example.org", "talk_new_replies"), 1);
	/* A hidden post is no news. */
	int64_t p = post_in(x, x->topic, x->copd, x->fay, "Soon hidden", x->now + 130);
	assert_int_equal(talk_moderate(&x->env, db, &x->a_pam, p, TALK_HIDE, "Not kind", NULL, 0, x->now + 140, NULL),
			 ERR_OK);
	assert_int_equal(talk_job(&x->env, db, x->now + 180, NULL), ERR_OK);
	assert_int_equal(rt_mail_n(x->t, "ola@example.org", "talk_new_replies"), 1);
}

static const struct sql q_notify = { "ttm.notify",
	"UPDATE talk_profile SET notify = $2 WHERE person_id = $1", NULL };

static void test_digest(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	struct uk_tm tm;
	int64_t before, after;

	exec(x->t, &q_notify, DB_ARGS(DB_INT(x->ola), DB_TEXT("daily")));
	exec(x->t, &q_follow_ins, DB_ARGS(DB_INT(x->ola), DB_INT(x->copd), DB_NULL, DB_INT(x->now)));
	uk_from_utc(x->now + DAY, &tm);
	before = uk_to_utc(tm.year, tm.month, tm.day, TALK_DEFAULT_DIGEST_HOUR - 1, 0);
	after = uk_to_utc(tm.year, tm.month, tm.day, TALK_DEFAULT_DIGEST_HOUR, 5);
	assert_int_equal(talk_job(&x->env, db, before, NULL), ERR_OK);
	assert_int_equal(rt_mail_n(x->t, "ola@example.org", "talk_digest"), 0);
	assert_int_equal(talk_job(&x->env, db, after, NULL), ERR_OK);
	assert_int_equal(rt_mail_n(x->t, "ola@example.org", "talk_digest"), 1);
	assert_int_equal(mail_has(x->t, "secret"), 0);
	/* Once a day, however much more is written. */
	post_in(x, x->topic, x->copd, x->fay, "More words", after + 60);
	assert_int_equal(talk_job(&x->env, db, after + 3600, NULL), ERR_OK);
	assert_int_equal(rt_mail_n(x->t, "ola@example.org", "talk_digest"), 1);
	assert_int_equal(talk_job(&x->env, db, after + DAY, NULL), ERR_OK);
	assert_int_equal(rt_mail_n(x->t, "ola@example.org", "talk_digest"), 2);
	assert_int_equal(rt_count(x->t, &q_mail_tmpl, DB_ARGS(DB_TEXT("talk_new_replies"))), 0);
}

/* ---------------------------------------------------------------- data */

static void test_export_erase(void **state)
{
	struct fx *x = *state;
	struct db *db = rt_db(x->t);
	json_t *out = json_object();

	assert_int_equal(talk_flag_post(&x->env, db, x->carers_post, &x->a_wes, "spam", NULL, x->now, NULL, NULL),
			 ERR_OK);
	assert_int_equal(talk_modmail_send(&x->env, db, x->wes, "A question", x->now, NULL), ERR_OK);
	assert_int_equal(talk_export_person(db, x->wes, x->now, out), ERR_OK);
	json_t *talk = json_object_get(out, "talk");
	assert_string_equal(json_string_value(json_object_get(json_object_get(talk, "profile"), "display_name")), "Wes");
	assert_int_equal(json_array_size(json_object_get(talk, "posts")), 2);
	assert_int_equal(json_array_size(json_object_get(talk, "flags")), 1);
	assert_int_equal(json_array_size(json_object_get(talk, "messages")), 1);
	json_decref(out);

	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(talk_erase_person(db, x->wes, x->now), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	assert_int_equal(rt_count(x->t, &q_posts_of, DB_ARGS(DB_INT(x->wes))), 0);
	assert_int_equal(rt_count(x->t, &q_erased_posts, DB_NOARGS), 2);
	assert_int_equal(rt_count(x->t, &q_profile_n, DB_ARGS(DB_INT(x->wes))), 0);
	out = json_object();
	assert_int_equal(talk_export_person(db, x->wes, x->now, out), ERR_OK);
	talk = json_object_get(out, "talk");
	assert_true(json_is_null(json_object_get(talk, "profile")));
	assert_int_equal(json_array_size(json_object_get(talk, "flags")), 0);
	assert_int_equal(json_array_size(json_object_get(talk, "messages")), 0);
	json_decref(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hide, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reveal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mute, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modmail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pm_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_urgent_alert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_replies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_erase, setup, teardown),
	};

	return testdb_run_groups("talk_moderate", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
