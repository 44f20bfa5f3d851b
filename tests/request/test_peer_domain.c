/*
 * test_peer_domain.c - peer support below the pages, on a real app and
 * database: applying and the checks' tier, approving (the role granted),
 * a request matched at once to the peer who fits, the offer's time limit
 * (a reminder half way, expiry back to the pool and to the next peer, the
 * quiet peer paused after two), declining, re-optimising (an unanswered
 * offer moves so that two people are matched instead of one; an accepted
 * pair never moves), pairs never offered again, a paused or away peer
 * offered nobody, messages (the email never carries the text or the
 * condition, one email for a run), sharing contact details by mutual
 * choice, contacts and the time given, ending, concerns to every
 * coordinator, the export and erasure.
 * SQLite and, with KITH_TEST_PG_URL, PostgreSQL.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "auth/person.h"
#include "core/uktime.h"
#include "directory/vocab.h"
#include "peer/peer.h"
#include "store/store.h"
#include "support/cast.h"
#include "support/reqtest.h"
#include "support/testdb.h"

#define DAY INT64_C(86400)
/* 15 January 2026, 10:00 UTC. */
#define T0 INT64_C(1768471200)
#define R(x) ROLE_BIT(ROLE_##x)

static const struct sql q_match_state = { "tpd.match_state",
	"SELECT count(*) FROM peer_match WHERE request_id = $1 AND peer_id = $2 AND state = $3", NULL };
static const struct sql q_live_peer = { "tpd.live_peer",
	"SELECT coalesce(max(peer_id), 0) FROM peer_match WHERE request_id = $1 AND state IN ('offered', 'accepted')",
	NULL };
static const struct sql q_live_id = { "tpd.live_id",
	"SELECT id FROM peer_match WHERE request_id = $1 AND state IN ('offered', 'accepted')", NULL };
static const struct sql q_req_state = { "tpd.req_state",
	"SELECT count(*) FROM peer_request WHERE id = $1 AND state = $2", NULL };
static const struct sql q_peer_state = { "tpd.peer_state",
	"SELECT count(*) FROM peer_supporter WHERE person_id = $1 AND state = $2", NULL };
static const struct sql q_mail_leak = { "tpd.mail_leak",
	"SELECT count(*) FROM outbox WHERE template LIKE 'peer%' AND (body_text LIKE $1 OR "
	"coalesce(body_html, '') LIKE $1 OR subject LIKE $1)", NULL };
static const struct sql q_role = { "tpd.role",
	"SELECT count(*) FROM person_role WHERE person_id = $1 AND role = 'peer_supporter'", NULL };
static const struct sql q_messages_of = { "tpd.messages_of",
	"SELECT count(*) FROM peer_message WHERE sender_id = $1", NULL };
static const struct sql q_why = { "tpd.why",
	"SELECT count(*) FROM peer_request WHERE id = $1 AND why_none LIKE $2", NULL };

struct fx {
	struct rt *t;                  /* first, for rt_fixture() */
	struct peer_env env;
	int64_t coord, coord2;
};

static int setup(void **state)
{
	struct fx *x = rt_fixture(state, sizeof(*x), NULL);
	struct rt *t;

	if (!x)
		return -1;
	t = x->t;
	x->env = (struct peer_env){ .mailer = &t->app.mailer, .links = &t->app.links };
	x->coord = rt_person(t, "Cora Ordinator", "cora@example.org", NULL, R(COORDINATOR), NULL);
	x->coord2 = rt_person(t, "Colm Ordinator", "colm@example.org", NULL, R(COORDINATOR), NULL);
	return 0;
}

static int teardown(void **state)
{
	return rt_fixture_free(state);
}

static int bit(const struct vocab_term *t, size_t n, const char *code)
{
	int i = vocab_find(t, n, code);

	assert_true(i >= 0);
	return i;
}

#define COND(c) (UINT64_C(1) << bit(vocab_conditions, vocab_conditions_n, (c)))
#define LANG(c) (UINT64_C(1) << bit(vocab_languages, vocab_languages_n, (c)))
#define PHONE MATCH_WAY_BIT(MATCH_PHONE)
#define INPERSON MATCH_WAY_BIT(MATCH_IN_PERSON)

/* An approved peer with identity, two references and training (phone,
 * video and messages), and a DBS check when dbs. */
static int64_t peer_speaking(struct rt *t, struct fx *x, const char *name, const char *email,
		uint64_t cond, uint64_t langs, const char *district, int capacity, bool dbs, int64_t now)
{
	int64_t id = rt_person(t, name, email, NULL, R(MEMBER), NULL);
	struct peer_profile p = {
		.conditions = cond, .languages = langs, .ways = PHONE | (dbs ? INPERSON : 0),
		.district = district, .capacity = capacity, .gender = "", .intro = "I have been there.",
	};
	char day[11];
	const char *why = NULL;
	struct db *db = rt_db(t);

	uk_format_iso_day(uk_local_day(now - 10 * DAY), day);
	assert_int_equal(peer_apply(&x->env, db, id, &p, now), ERR_OK);
	assert_int_equal(peer_check_add(db, id, PEER_CHECK_IDENTITY, day, NULL, x->coord, now, NULL), ERR_OK);
	assert_int_equal(peer_check_add(db, id, PEER_CHECK_REFERENCE, day, "Manager", x->coord, now, NULL), ERR_OK);
	assert_int_equal(peer_check_add(db, id, PEER_CHECK_REFERENCE, day, "Friend", x->coord, now, NULL), ERR_OK);
	assert_int_equal(peer_check_add(db, id, PEER_CHECK_TRAINING, day, "Essentials", x->coord, now, NULL), ERR_OK);
	if (dbs)
		assert_int_equal(peer_check_add(db, id, PEER_CHECK_DBS, day, "enhanced", x->coord, now, NULL), ERR_OK);
	assert_int_equal(peer_decide(&x->env, db, id, PEER_APPROVE, x->coord, now, &why), ERR_OK);
	return id;
}

/* The same, speaking English. */
static int64_t peer(struct rt *t, struct fx *x, const char *name, const char *email, uint64_t cond,
		const char *district, int capacity, bool dbs, int64_t now)
{
	return peer_speaking(t, x, name, email, cond, LANG("en"), district, capacity, dbs, now);
}

static void ask(struct rt *t, struct fx *x, int64_t person, uint64_t cond, unsigned ways,
		const char *district, const char *lang, int64_t now, char id[37])
{
	struct peer_ask a = { .conditions = cond, .wants = 1, .ways = ways, .district = district,
			      .max_miles = 10, .prefers = "", .language = lang };

	assert_int_equal(peer_request_add(&x->env, rt_db(t), person, person, &a, now, id), ERR_OK);
}

static int64_t live_peer(struct rt *t, const char *req)
{
	return rt_count(t, &q_live_peer, DB_ARGS(DB_TEXT(req)));
}

static void live_meta(struct rt *t, const char *req, struct peer_match_meta *m)
{
	struct db_res *r;

	assert_int_equal(db_query_one(rt_db(t), &q_live_id, DB_ARGS(DB_TEXT(req)), &r), ERR_OK);
	assert_int_equal(peer_match_meta(rt_db(t), db_text(r, 0), m), ERR_OK);
	db_res_free(r);
}

static bool req_is(struct rt *t, const char *req, const char *state)
{
	return rt_count(t, &q_req_state, DB_ARGS(DB_TEXT(req), DB_TEXT(state))) == 1;
}

static bool peer_is(struct rt *t, int64_t id, const char *state)
{
	return rt_count(t, &q_peer_state, DB_ARGS(DB_INT(id), DB_TEXT(state))) == 1;
}

/* ---------------------------------------------------------------- tests */

static void tier_follows_checks(void **state)
{
	assert_int_equal(peer_tier_of(0, 2, 1, 1), MATCH_TIER_NONE);
	assert_int_equal(peer_tier_of(1, 0, 0, 0), MATCH_TIER_IDENTITY);
	assert_int_equal(peer_tier_of(1, 1, 1, 1), MATCH_TIER_IDENTITY);
	assert_int_equal(peer_tier_of(1, 2, 0, 1), MATCH_TIER_IDENTITY);
	assert_int_equal(peer_tier_of(1, 2, 1, 0), MATCH_TIER_TRAINED);
	assert_int_equal(peer_tier_of(1, 3, 2, 1), MATCH_TIER_DBS);
	UNUSED(state);
}

static void applying_and_approving(void **state)
{
	struct fx *x = *state;
	struct rt *t = x->t;
	struct db *db = rt_db(t);
	int64_t id = rt_person(t, "Pat Peer", "pat@example.org", NULL, R(MEMBER), NULL);
	struct peer_profile p = { .conditions = COND("stroke"), .languages = LANG("en"), .ways = PHONE,
				  .district = "DN15 6AA", .capacity = 2, .gender = "", .intro = "Hello." };
	struct peer_row row;
	struct arena a;
	json_t *errors = json_array();
	const char *why = NULL;
	char day[11];

	/* The profile's checks name each field. */
	struct peer_profile bad = { .ways = INPERSON, .capacity = 11, .gender = "x", .intro = " " };
	assert_int_equal(peer_profile_check(&bad, errors), ERR_INVALID);
	assert_int_equal(json_array_size(errors), 6);   /* conditions languages ways? no: district capacity gender intro */
	json_decref(errors);

	assert_int_equal(peer_apply(&x->env, db, id, &p, T0), ERR_OK);
	arena_init(&a);
	assert_int_equal(peer_get(db, &a, id, T0, &row), ERR_OK);
	assert_int_equal(row.state, PEER_APPLIED);
	assert_string_equal(row.district, "DN15");
	assert_int_equal(row.tier, MATCH_TIER_NONE);
	/* No identity check: not approved, in words. */
	assert_int_equal(peer_decide(&x->env, db, id, PEER_APPROVE, x->coord, T0, &why), ERR_INVALID);
	assert_non_null(why);
	/* A future check, a DBS check with no level: refused. */
	errors = json_array();
	uk_format_iso_day(uk_local_day(T0 + 2 * DAY), day);
	assert_int_equal(peer_check_add(db, id, PEER_CHECK_IDENTITY, day, NULL, x->coord, T0, errors), ERR_INVALID);
	uk_format_iso_day(uk_local_day(T0), day);
	assert_int_equal(peer_check_add(db, id, PEER_CHECK_DBS, day, "1234567890", x->coord, T0, errors),
			 ERR_INVALID);
	assert_int_equal(json_array_size(errors), 2);
	json_decref(errors);
	assert_int_equal(peer_check_add(db, id, PEER_CHECK_IDENTITY, day, NULL, x->coord, T0, NULL), ERR_OK);
	assert_int_equal(peer_decide(&x->env, db, id, PEER_APPROVE, x->coord, T0, &why), ERR_OK);
	assert_int_equal(rt_count(t, &q_role, DB_ARGS(DB_INT(id))), 1);
	assert_int_equal(rt_mail_n(t, "pat@example.org", "peer_approved"), 1);
	assert_int_equal(rt_audit_about(t, "peer.approved", id), 1);
	assert_int_equal(rt_audit_about(t, "peer.check.recorded", id), 1);
	/* Approving twice is a conflict; standing down takes the role. */
	assert_int_equal(peer_decide(&x->env, db, id, PEER_APPROVE, x->coord, T0, &why), ERR_CONFLICT);
	assert_int_equal(peer_decide(&x->env, db, id, PEER_STAND_DOWN, x->coord, T0, &why), ERR_OK);
	assert_int_equal(rt_count(t, &q_role, DB_ARGS(DB_INT(id))), 0);
	assert_int_equal(peer_apply(&x->env, db, id, &p, T0), ERR_CONFLICT);
	arena_release(&a);
}

static void matched_at_once_to_who_fits(void **state)
{
	struct fx *x = *state;
	struct rt *t = x->t;
	int64_t copd = peer(t, x, "Cal Copd", "cal@example.org", COND("copd"), "DN15", 1, false, T0);
	int64_t stroke = peer(t, x, "Sam Stroke", "sam@example.org", COND("stroke"), "DN15", 1, false, T0);
	int64_t person = rt_person(t, "Robin Asker", "robin@example.org", NULL, R(MEMBER), NULL);
	char req[37], again[37];
	struct peer_match_meta m;
	json_t *view = NULL;
	struct arena a;

	ask(t, x, person, COND("stroke"), PHONE, "DN15", NULL, T0, req);
	assert_int_equal(live_peer(t, req), stroke);
	assert_true(req_is(t, req, "offered"));
	assert_int_equal(rt_mail_n(t, "sam@example.org", "peer_offer"), 1);
	assert_int_equal(rt_mail_n(t, "cal@example.org", "peer_offer"), 0);
	/* A second request while one is open: the first's id. */
	{
		struct peer_ask a2 = { .conditions = COND("copd"), .wants = 1, .ways = PHONE, .prefers = "" };

		assert_int_equal(peer_request_add(&x->env, rt_db(t), person, person, &a2, T0, again), ERR_CONFLICT);
		assert_string_equal(again, req);
	}
	/* The offer shows the peer the first name and what they would like,
	 * nothing of the condition. */
	live_meta(t, req, &m);
	arena_init(&a);
	assert_int_equal(peer_match_view(rt_db(t), &a, &m, stroke, false, T0, &view), ERR_OK);
	assert_string_equal(json_string_value(json_object_get(view, "other_first")), "Robin");
	assert_null(json_object_get(view, "conditions_words"));
	assert_null(json_object_get(view, "reasons"));
	json_decref(view);
	/* Yes: matched; the person is told the peer's first name. */
	assert_int_equal(peer_answer(&x->env, rt_db(t), &m, true, T0 + DAY), ERR_OK);
	assert_true(req_is(t, req, "matched"));
	assert_int_equal(rt_mail_n(t, "robin@example.org", "peer_matched"), 1);
	live_meta(t, req, &m);
	assert_int_equal(peer_match_view(rt_db(t), &a, &m, person, false, T0, &view), ERR_OK);
	assert_string_equal(json_string_value(json_object_get(view, "other_first")), "Sam");
	assert_non_null(strstr(json_string_value(json_object_get(view, "reasons")), "stroke"));
	json_decref(view);
	/* Answering again: over. */
	assert_int_equal(peer_answer(&x->env, rt_db(t), &m, true, T0 + DAY), ERR_CONFLICT);
	UNUSED(copd);
	arena_release(&a);
}

static void offers_run_out_go_on_and_pause_the_quiet(void **state)
{
	struct fx *x = *state;
	struct rt *t = x->t;
	int64_t p1 = peer(t, x, "Ann One", "ann@example.org", COND("stroke"), "DN15", 3, false, T0);
	int64_t p2 = peer(t, x, "Ben Two", "ben@example.org", COND("stroke"), "DN16", 3, false, T0);
	int64_t a = rt_person(t, "Ada Asker", "ada@example.org", NULL, R(MEMBER), NULL);
	int64_t b = rt_person(t, "Bo Asker", "bo@example.org", NULL, R(MEMBER), NULL);
	char ra[37], rb[37];
	int64_t first, second;

	ask(t, x, a, COND("stroke"), PHONE, "DN15", NULL, T0, ra);
	first = live_peer(t, ra);
	assert_true(first == p1 || first == p2);
	/* Half way: one reminder, once. */
	assert_int_equal(peer_job(&x->env, rt_db(t), T0 + 3 * DAY + 13 * 3600, NULL), ERR_OK);
	assert_int_equal(peer_job(&x->env, rt_db(t), T0 + 4 * DAY, NULL), ERR_OK);
	assert_int_equal(rt_mail_n(t, first == p1 ? "ann@example.org" : "ben@example.org", "peer_reminder"), 1);
	assert_int_equal(live_peer(t, ra), first);
	/* Day 8: run out; the other peer is offered it, never the first again. */
	assert_int_equal(peer_job(&x->env, rt_db(t), T0 + 8 * DAY, NULL), ERR_OK);
	assert_int_equal(rt_count(t, &q_match_state, DB_ARGS(DB_TEXT(ra), DB_INT(first), DB_TEXT("expired"))), 1);
	second = live_peer(t, ra);
	assert_true(second != 0 && second != first);
	assert_true(peer_is(t, first, "approved"));
	/* The first lets a second offer run out: paused, emailed, and offered
	 * nobody; their request goes elsewhere. */
	ask(t, x, b, COND("stroke"), PHONE, "DN15", NULL, T0 + 8 * DAY, rb);
	if (live_peer(t, rb) != first) {
		/* b went to the second peer, who has room: make the first the
		 * only choice by letting the second decline. */
		struct peer_match_meta m;

		live_meta(t, rb, &m);
		assert_int_equal(peer_answer(&x->env, rt_db(t), &m, false, T0 + 8 * DAY + 60), ERR_OK);
	}
	assert_int_equal(live_peer(t, rb), first);
	assert_int_equal(peer_job(&x->env, rt_db(t), T0 + 17 * DAY, NULL), ERR_OK);
	assert_true(peer_is(t, first, "paused"));
	assert_int_equal(rt_mail_n(t, first == p1 ? "ann@example.org" : "ben@example.org", "peer_paused"), 1);
	/* Bo's request never goes back to the paused peer: to the other, or
	 * (when the other declined it) nobody, with the reason kept. */
	assert_true(live_peer(t, rb) != first);
	if (live_peer(t, rb) == 0) {
		assert_true(req_is(t, rb, "waiting"));
		assert_int_equal(rt_count(t, &q_why, DB_ARGS(DB_TEXT(rb), DB_TEXT("%_%"))), 1);
	}
}

static void reoptimising_matches_more_and_never_moves_accepted(void **state)
{
	struct fx *x = *state;
	struct rt *t = x->t;
	/* Both peers live with stroke; only Bea speaks Polish. */
	int64_t both = peer_speaking(t, x, "Bea Both", "bea@example.org", COND("stroke"),
				     LANG("en") | LANG("pl"), "DN15", 1, false, T0);
	int64_t one = peer(t, x, "Oli One", "oli@example.org", COND("stroke"), "DN15", 1, false, T0);
	int64_t s = rt_person(t, "Sid Stroke", "sid@example.org", NULL, R(MEMBER), NULL);
	int64_t c = rt_person(t, "Cy Copd", "cy@example.org", NULL, R(MEMBER), NULL);
	struct peer_run_result run;
	char rs[37], rc[37];

	/* Sid asks first, alone: either fits; the run picks one. Make it Bea
	 * by pausing Oli for the first run. */
	assert_int_equal(peer_away(rt_db(t), one, "2026-01-20", T0), ERR_OK);
	ask(t, x, s, COND("stroke"), PHONE, "DN15", NULL, T0, rs);
	assert_int_equal(live_peer(t, rs), both);
	assert_int_equal(peer_away(rt_db(t), one, NULL, T0), ERR_OK);
	/* Cy asks for someone speaking Polish: only Bea fits, and she is
	 * offered Sid. At once, nothing moves (PEER_RUN_NEW keeps offers). */
	ask(t, x, c, COND("stroke"), PHONE, "DN15", "pl", T0 + 60, rc);
	assert_int_equal(live_peer(t, rc), 0);
	/* The re-optimising run moves Sid's unanswered offer to Oli so that
	 * both are matched. */
	assert_int_equal(peer_run(&x->env, rt_db(t), PEER_RUN_ALL, T0 + 120, &run), ERR_OK);
	assert_int_equal(run.moved, 1);
	assert_int_equal(live_peer(t, rs), one);
	assert_int_equal(live_peer(t, rc), both);
	assert_int_equal(rt_count(t, &q_match_state, DB_ARGS(DB_TEXT(rs), DB_INT(both), DB_TEXT("withdrawn"))), 1);
	/* Accepted pairs never move; running again changes nothing. */
	{
		struct peer_match_meta m;

		live_meta(t, rs, &m);
		assert_int_equal(peer_answer(&x->env, rt_db(t), &m, true, T0 + 200), ERR_OK);
	}
	assert_int_equal(peer_run(&x->env, rt_db(t), PEER_RUN_ALL, T0 + 300, &run), ERR_OK);
	assert_int_equal(run.moved, 0);
	assert_int_equal(live_peer(t, rs), one);
	assert_int_equal(live_peer(t, rc), both);
}

static void nobody_fits_in_words_and_paused_peers_get_nobody(void **state)
{
	struct fx *x = *state;
	struct rt *t = x->t;
	int64_t p = peer(t, x, "Pia Peer", "pia@example.org", COND("copd"), "DN15", 2, false, T0);
	int64_t a = rt_person(t, "Ala Asker", "ala@example.org", NULL, R(MEMBER), NULL);
	int64_t b = rt_person(t, "Bob Asker", "bob@example.org", NULL, R(MEMBER), NULL);
	const char *why = NULL;
	char ra[37], rb[37];

	ask(t, x, a, COND("copd"), PHONE, "DN15", "pl", T0, ra);
	assert_int_equal(live_peer(t, ra), 0);
	assert_int_equal(rt_count(t, &q_why, DB_ARGS(DB_TEXT(ra), DB_TEXT("%Polish%"))), 1);
	/* In person needs a DBS check Pia does not have. */
	assert_int_equal(peer_decide(&x->env, rt_db(t), p, PEER_PAUSE, x->coord, T0, &why), ERR_OK);
	assert_int_equal(peer_decide(&x->env, rt_db(t), p, PEER_PAUSE, x->coord, T0, &why), ERR_CONFLICT);
	/* A coordinator's pause is not the peer's to lift, by "back" or by
	 * an away day that would end it. */
	assert_int_equal(peer_away(rt_db(t), p, NULL, T0), ERR_CONFLICT);
	assert_int_equal(peer_away(rt_db(t), p, "2026-01-17", T0), ERR_CONFLICT);
	ask(t, x, b, COND("copd"), PHONE, "DN15", NULL, T0, rb);
	assert_int_equal(live_peer(t, rb), 0);
	assert_int_equal(peer_decide(&x->env, rt_db(t), p, PEER_APPROVE, x->coord, T0, &why), ERR_OK);
	assert_int_equal(peer_job(&x->env, rt_db(t), T0 + 60, NULL), ERR_OK);
	assert_int_equal(live_peer(t, rb), p);
	/* Away: offers withdrawn and back to the pool. */
	assert_int_equal(peer_away(rt_db(t), p, "2026-01-10", T0), ERR_INVALID);   /* in the past */
	assert_int_equal(peer_away(rt_db(t), p, "2026-01-25", T0 + 120), ERR_OK);
	assert_int_equal(live_peer(t, rb), 0);
	assert_true(req_is(t, rb, "waiting"));
	/* The away day passes: the job brings them back and offers again. */
	assert_int_equal(peer_job(&x->env, rt_db(t), T0 + 11 * DAY, NULL), ERR_OK);
	assert_true(peer_is(t, p, "approved"));
	assert_int_equal(live_peer(t, rb), p);
}

static void declined_pairs_are_not_offered_again(void **state)
{
	struct fx *x = *state;
	struct rt *t = x->t;
	int64_t p = peer(t, x, "Dee Peer", "dee@example.org", COND("copd"), "DN15", 2, false, T0);
	int64_t a = rt_person(t, "Al Asker", "al@example.org", NULL, R(MEMBER), NULL);
	struct peer_match_meta m;
	char ra[37];

	ask(t, x, a, COND("copd"), PHONE, "DN15", NULL, T0, ra);
	live_meta(t, ra, &m);
	assert_int_equal(peer_answer(&x->env, rt_db(t), &m, false, T0 + 60), ERR_OK);
	assert_int_equal(live_peer(t, ra), 0);
	assert_true(req_is(t, ra, "waiting"));
	assert_int_equal(peer_job(&x->env, rt_db(t), T0 + DAY, NULL), ERR_OK);
	assert_int_equal(live_peer(t, ra), 0);
	/* A peer is never offered their own request. */
	{
		char own[37];

		ask(t, x, p, COND("copd"), PHONE, "DN15", NULL, T0 + DAY, own);
		assert_int_equal(live_peer(t, own), 0);
	}
}

/* A matched pair, for the tests that follow: returns the meta. */
static void matched_pair(struct rt *t, struct fx *x, int64_t *peer_id, int64_t *person,
		struct peer_match_meta *m)
{
	char req[37];

	*peer_id = peer(t, x, "Mo Peer", "mo@example.org", COND("copd"), "DN15", 2, false, T0);
	*person = rt_person(t, "Jo Asker", "jo@example.org", NULL, R(MEMBER), NULL);
	ask(t, x, *person, COND("copd"), PHONE, "DN15", NULL, T0, req);
	live_meta(t, req, m);
	assert_int_equal(peer_answer(&x->env, rt_db(t), m, true, T0 + 60), ERR_OK);
	live_meta(t, req, m);
}

static void messages_never_in_email(void **state)
{
	struct fx *x = *state;
	struct rt *t = x->t;
	int64_t p, person;
	struct peer_match_meta m;
	json_t *view = NULL;
	struct arena a;

	matched_pair(t, x, &p, &person, &m);
	assert_int_equal(peer_message_add(&x->env, rt_db(t), &m, person, "My inhaler secret words", T0 + 100), ERR_OK);
	assert_int_equal(peer_message_add(&x->env, rt_db(t), &m, person, "And more", T0 + 200), ERR_OK);
	/* One email for a run of messages. */
	assert_int_equal(rt_mail_n(t, "mo@example.org", "peer_message"), 1);
	assert_int_equal(rt_count(t, &q_mail_leak, DB_ARGS(DB_TEXT("%secret%"))), 0);
	assert_int_equal(rt_count(t, &q_mail_leak, DB_ARGS(DB_TEXT("%COPD%"))), 0);
	assert_int_equal(rt_count(t, &q_mail_leak, DB_ARGS(DB_TEXT("%lung%"))), 0);
	/* An hour later, the next one is told again. */
	assert_int_equal(peer_message_add(&x->env, rt_db(t), &m, person, "Later", T0 + 3600), ERR_OK);
	assert_int_equal(rt_mail_n(t, "mo@example.org", "peer_message"), 2);
	/* Bad bodies refused. */
	assert_int_equal(peer_message_add(&x->env, rt_db(t), &m, person, "   ", T0 + 3700), ERR_INVALID);
	/* Both see them; coordinators do not. */
	arena_init(&a);
	assert_int_equal(peer_match_view(rt_db(t), &a, &m, p, false, T0, &view), ERR_OK);
	assert_int_equal(json_array_size(json_object_get(view, "messages")), 3);
	json_decref(view);
	assert_int_equal(peer_match_view(rt_db(t), &a, &m, x->coord, true, T0, &view), ERR_OK);
	assert_null(json_object_get(view, "messages"));
	json_decref(view);
	arena_release(&a);
}

static void contact_details_by_mutual_choice(void **state)
{
	struct fx *x = *state;
	struct rt *t = x->t;
	int64_t p, person;
	struct peer_match_meta m;
	json_t *view = NULL;
	struct arena a;

	matched_pair(t, x, &p, &person, &m);
	arena_init(&a);
	assert_int_equal(peer_share(rt_db(t), &m, person, true, T0), ERR_OK);
	assert_int_equal(peer_match_view(rt_db(t), &a, &m, p, false, T0, &view), ERR_OK);
	assert_null(json_object_get(view, "other_email"));
	assert_true(json_is_true(json_object_get(view, "they_share")));
	json_decref(view);
	assert_int_equal(peer_share(rt_db(t), &m, p, true, T0), ERR_OK);
	assert_int_equal(peer_match_view(rt_db(t), &a, &m, p, false, T0, &view), ERR_OK);
	assert_string_equal(json_string_value(json_object_get(view, "other_email")), "jo@example.org");
	json_decref(view);
	assert_int_equal(peer_match_view(rt_db(t), &a, &m, person, false, T0, &view), ERR_OK);
	assert_string_equal(json_string_value(json_object_get(view, "other_email")), "mo@example.org");
	json_decref(view);
	/* A coordinator never gets them. */
	assert_int_equal(peer_match_view(rt_db(t), &a, &m, x->coord, true, T0, &view), ERR_OK);
	assert_null(json_object_get(view, "other_email"));
	json_decref(view);
	/* Nobody else may choose for them. */
	assert_int_equal(peer_share(rt_db(t), &m, x->coord, true, T0), ERR_FORBIDDEN);
	arena_release(&a);
}

static void contacts_end_and_concerns(void **state)
{
	struct fx *x = *state;
	struct rt *t = x->t;
	int64_t p, person, minutes = 0;
	struct peer_match_meta m;
	json_t *errors = json_array(), *concerns = NULL;
	char day[11];

	matched_pair(t, x, &p, &person, &m);
	uk_format_iso_day(uk_local_day(T0), day);
	assert_int_equal(peer_contact_add(rt_db(t), &m, day, "phone", 45, "Went well", T0, errors), ERR_OK);
	assert_int_equal(peer_contact_add(rt_db(t), &m, day, "phone", 0, NULL, T0, errors), ERR_INVALID);
	assert_int_equal(peer_contact_add(rt_db(t), &m, day, "carrier-pigeon", 10, NULL, T0, errors), ERR_INVALID);
	uk_format_iso_day(uk_local_day(T0 + 3 * DAY), day);
	assert_int_equal(peer_contact_add(rt_db(t), &m, day, "phone", 10, NULL, T0, errors), ERR_INVALID);
	assert_int_equal(json_array_size(errors), 3);
	json_decref(errors);
	assert_int_equal(peer_minutes(rt_db(t), p, 0, &minutes), ERR_OK);
	assert_int_equal(minutes, 45);
	/* A concern goes to every coordinator at once. */
	assert_int_equal(peer_concern_add(&x->env, rt_db(t), &m, person, "I am worried", T0), ERR_OK);
	assert_int_equal(rt_mail_n(t, "cora@example.org", "peer_concern"), 1);
	assert_int_equal(rt_mail_n(t, "colm@example.org", "peer_concern"), 1);
	assert_int_equal(rt_count(t, &q_mail_leak, DB_ARGS(DB_TEXT("%worried%"))), 0);
	assert_int_equal(peer_concerns_open(rt_db(t), &concerns), ERR_OK);
	assert_int_equal(json_array_size(concerns), 1);
	assert_int_equal(peer_concern_seen(rt_db(t), json_integer_value(json_object_get(json_array_get(concerns, 0),
			 "id")), x->coord, T0), ERR_OK);
	json_decref(concerns);
	assert_int_equal(peer_concerns_open(rt_db(t), &concerns), ERR_OK);
	assert_int_equal(json_array_size(concerns), 0);
	json_decref(concerns);
	/* Ending: the other side is told; nothing more can be added. */
	assert_int_equal(peer_end(&x->env, rt_db(t), &m, person, 4, "Thank you", T0 + DAY), ERR_OK);
	assert_int_equal(rt_mail_n(t, "mo@example.org", "peer_ended"), 1);
	assert_true(req_is(t, m.request_id, "ended"));
	assert_int_equal(peer_message_add(&x->env, rt_db(t), &m, person, "Still there?", T0 + 2 * DAY),
			 ERR_CONFLICT);
}

static void export_and_erasure(void **state)
{
	struct fx *x = *state;
	struct rt *t = x->t;
	int64_t p, person;
	struct peer_match_meta m;
	json_t *out = json_object(), *ps;

	matched_pair(t, x, &p, &person, &m);
	assert_int_equal(peer_message_add(&x->env, rt_db(t), &m, person, "Hello Mo", T0 + 100), ERR_OK);
	assert_int_equal(peer_message_add(&x->env, rt_db(t), &m, p, "Hello Jo", T0 + 200), ERR_OK);
	assert_int_equal(peer_export_person(rt_db(t), person, T0, out), ERR_OK);
	ps = json_object_get(out, "peer_support");
	assert_non_null(ps);
	assert_int_equal(json_array_size(json_object_get(ps, "requests")), 1);
	assert_int_equal(json_array_size(json_object_get(ps, "matches")), 1);
	assert_int_equal(json_array_size(json_object_get(ps, "messages")), 2);
	json_decref(out);
	out = json_object();
	assert_int_equal(peer_export_person(rt_db(t), p, T0, out), ERR_OK);
	assert_non_null(json_object_get(json_object_get(out, "peer_support"), "supporter"));
	json_decref(out);
	/* The person's account is erased: their words go, the match ends,
	 * the peer's own words stay. */
	assert_int_equal(peer_erase_person(rt_db(t), person, T0 + DAY), ERR_OK);
	assert_int_equal(rt_count(t, &q_messages_of, DB_ARGS(DB_INT(person))), 0);
	assert_int_equal(rt_count(t, &q_messages_of, DB_ARGS(DB_INT(p))), 1);
	assert_true(req_is(t, m.request_id, "ended"));
	/* The peer erased: their application goes. */
	assert_int_equal(peer_erase_person(rt_db(t), p, T0 + DAY), ERR_OK);
	assert_false(peer_is(t, p, "approved"));
}

static void standing_down_and_erasure_leave_nobody_stranded(void **state)
{
	struct fx *x = *state;
	struct rt *t = x->t;
	int64_t p, person, other = peer(t, x, "Oz Other", "oz@example.org", COND("stroke"), "DN15", 1, false, T0);
	int64_t b = rt_person(t, "Bea Asker", "bea@example.org", NULL, R(MEMBER), NULL);
	struct peer_match_meta m;
	json_t *errors = json_array(), *view = NULL;
	const char *why = NULL;
	struct arena a;
	char rb[37], day[11];

	matched_pair(t, x, &p, &person, &m);
	/* In person needs a DBS check: Mo (trained) cannot log one. */
	uk_format_iso_day(uk_local_day(T0), day);
	assert_int_equal(peer_contact_add(rt_db(t), &m, day, "in_person", 30, NULL, T0, errors), ERR_INVALID);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(errors, 0), "detail")), "DBS"));
	json_decref(errors);
	/* Feedback words never reach the pair, JSON included. */
	assert_int_equal(peer_end(&x->env, rt_db(t), &m, person, 2, "Too far away", T0 + 60), ERR_OK);
	arena_init(&a);
	{
		char id[37];

		memcpy(id, m.id, sizeof(id));
		assert_int_equal(peer_match_meta(rt_db(t), id, &m), ERR_OK);
	}
	assert_int_equal(peer_match_view(rt_db(t), &a, &m, p, false, T0, &view), ERR_OK);
	assert_null(json_object_get(view, "person_words"));
	json_decref(view);
	assert_int_equal(peer_match_view(rt_db(t), &a, &m, x->coord, true, T0, &view), ERR_OK);
	assert_string_equal(json_string_value(json_object_get(view, "person_words")), "Too far away");
	json_decref(view);
	arena_release(&a);

	/* A peer who stands down ends their matches: the person is told and
	 * may ask again. */
	{
		int64_t kit = rt_person(t, "Kit Asker", "kit@example.org", NULL, R(MEMBER), NULL);
		char req[37];
		struct peer_match_meta m2;

		/* Jo ended with Mo, so is never offered Mo again; Kit is. */
		ask(t, x, kit, COND("copd"), PHONE, "DN15", NULL, T0 + 120, req);
		live_meta(t, req, &m2);
		assert_int_equal(m2.peer_id, p);
		assert_int_equal(peer_answer(&x->env, rt_db(t), &m2, true, T0 + 180), ERR_OK);
		assert_int_equal(peer_decide(&x->env, rt_db(t), p, PEER_STAND_DOWN, x->coord, T0 + 240, &why), ERR_OK);
		assert_true(req_is(t, req, "ended"));
		assert_int_equal(rt_mail_n(t, "kit@example.org", "peer_ended"), 1);
	}
	/* A peer who erases their account while holding an offer: the
	 * request goes back to the pool, not to "ended". */
	ask(t, x, b, COND("stroke"), PHONE, "DN15", NULL, T0 + 300, rb);
	assert_int_equal(live_peer(t, rb), other);
	assert_int_equal(peer_erase_person(rt_db(t), other, T0 + 360), ERR_OK);
	assert_true(req_is(t, rb, "waiting"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tier_follows_checks),
		cmocka_unit_test_setup_teardown(applying_and_approving, setup, teardown),
		cmocka_unit_test_setup_teardown(matched_at_once_to_who_fits, setup, teardown),
		cmocka_unit_test_setup_teardown(offers_run_out_go_on_and_pause_the_quiet, setup, teardown),
		cmocka_unit_test_setup_teardown(reoptimising_matches_more_and_never_moves_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(nobody_fits_in_words_and_paused_peers_get_nobody, setup, teardown),
		cmocka_unit_test_setup_teardown(declined_pairs_are_not_offered_again, setup, teardown),
		cmocka_unit_test_setup_teardown(messages_never_in_email, setup, teardown),
		cmocka_unit_test_setup_teardown(contact_details_by_mutual_choice, setup, teardown),
		cmocka_unit_test_setup_teardown(contacts_end_and_concerns, setup, teardown),
		cmocka_unit_test_setup_teardown(export_and_erasure, setup, teardown),
		cmocka_unit_test_setup_teardown(standing_down_and_erasure_leave_nobody_stranded, setup, teardown),
	};

	return testdb_run_groups("peer_domain", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
