/*
 * peer_run.c - matching the pool (peer.h: peer_run) and the clock that
 * keeps it moving (peer_job).
 *
 * A run reads every request in the pool and every approved peer, turns
 * them into the engine's asks and offers (src/match/rules.h decides who
 * may be offered to whom and at what cost), solves, and writes the
 * answer: a new offer for each person given a peer, the words of why
 * nobody fits for each left over.
 *
 * PEER_RUN_NEW (a new request, an offer declined): only requests waiting,
 * and a peer's room is what their accepted matches and open offers leave.
 * Nothing already offered moves. PEER_RUN_ALL (the job, `kith match run`):
 * open offers are in the pool too, and a peer's room is what their
 * accepted matches leave, so an offer not yet answered may move to
 * another peer when that lets more people be matched or costs much less;
 * an offer keeps its peer unless moving saves more than PEER_STICK, so
 * peers are not offered and un-offered for small gains. Accepted pairs
 * never move.
 */
#include "core/common.h"
#include "peer/peer_int.h"

#include "core/rand.h"
#include "core/str.h"
#include "core/uktime.h"
#include "directory/vocab.h"
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* What an open offer is worth keeping, in the rules' cost units (a
 * topic is 40, a mile 10). */
#define PEER_STICK 60

static const struct sql q_peers = { "peer.run_peers",
	"SELECT p.person_id, p.conditions, p.topics, p.languages, p.district, p.ways, p.slots, "
	"p.capacity, p.gender, "
	PEER_CHECK_COUNTS("p.person_id") ", "
	"(SELECT count(*) FROM peer_match m WHERE m.peer_id = p.person_id AND m.state = 'accepted'), "
	"(SELECT count(*) FROM peer_match m WHERE m.peer_id = p.person_id AND m.state = 'offered') "
	"FROM peer_supporter p JOIN person pe ON pe.id = p.person_id "
	"WHERE p.state = 'approved' AND pe.deactivated_at IS NULL AND pe.erased_at IS NULL "
	"ORDER BY p.person_id", NULL };
static const struct sql q_asks = { "peer.run_asks",
	"SELECT r.id, r.person_id, r.conditions, r.topics, r.language, r.ways, r.slots, r.district, "
	"r.max_miles, r.prefers, r.state, m.peer_id, m.id FROM peer_request r "
	"LEFT JOIN peer_match m ON m.request_id = r.id AND m.state = 'offered' "
	"WHERE r.state = 'waiting' OR (r.state = 'offered' AND CAST($1 AS BIGINT) = 1) "
	"ORDER BY r.person_id, r.id", NULL };
static const struct sql q_ended = { "peer.run_ended",
	"SELECT m.person_id, m.peer_id FROM peer_match m WHERE m.state IN ('declined', 'expired', 'ended') "
	"AND m.person_id IN (SELECT person_id FROM peer_request WHERE state IN ('waiting', 'offered'))",
	NULL };
static const struct sql q_offer = { "peer.run_offer",
	"INSERT INTO peer_match (id, request_id, person_id, peer_id, state, cost, reasons, offered_at, "
	"expires_at) VALUES ($1, $2, $3, $4, 'offered', $5, $6, $7, $8)", NULL };
static const struct sql q_offered = { "peer.run_offered",
	"UPDATE peer_request SET state = 'offered', why_none = NULL, updated_at = $2 WHERE id = $1", NULL };
static const struct sql q_peer_offered = { "peer.run_peer_offered",
	"UPDATE peer_supporter SET last_offer_at = $2 WHERE person_id = $1", NULL };
/* One run at a time across processes (PostgreSQL; SQLite's write
 * transactions are one at a time already): two runs placing the same
 * room would offer a peer more people than they can take. */
static const struct sql q_lock = { "peer.run_lock", "SELECT 1", "SELECT pg_advisory_xact_lock(7303011101)" };
static const struct sql q_move = { "peer.run_move",
	"UPDATE peer_match SET state = 'withdrawn', answered_at = $2 WHERE id = $1 AND state = 'offered'",
	NULL };
static const struct sql q_back = { "peer.run_back",
	"UPDATE peer_request SET state = 'waiting', waiting_since = $2, updated_at = $2 WHERE id = $1 "
	"AND state = 'offered'", NULL };
static const struct sql q_why = { "peer.run_why",
	"UPDATE peer_request SET why_none = $2 WHERE id = $1", NULL };

struct ask_row {
	char id[37];
	char offer_id[37];
	int64_t person_id;
	int64_t offered_peer;          /* the peer of the open offer, 0: none */
	int cur;                       /* that peer's offer index, -1: none */
};

static enum match_gender gender_of(const char *g)
{
	if (!g)
		return MATCH_GENDER_UNSAID;
	if (strcmp(g, "woman") == 0)
		return MATCH_GENDER_WOMAN;
	if (strcmp(g, "man") == 0)
		return MATCH_GENDER_MAN;
	return strcmp(g, "other") == 0 ? MATCH_GENDER_OTHER : MATCH_GENDER_UNSAID;
}

static void place(const char *district, double *lat, double *lon)
{
	char d[5];
	const char *why;

	if (!peer_district(district, d, lat, lon, &why))
		*lat = *lon = NAN;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int cmp_pair(const void *a, const void *b)
{
	const struct match_pair *x = a, *y = b;

	if (x->person != y->person)
		return x->person < y->person ? -1 : 1;
	return (x->peer > y->peer) - (x->peer < y->peer);
}

/* Everything one run holds. */
struct run {
	struct match_offer *offers;
	int64_t *peer_ids;             /* [noffers], ascending */
	uint32_t noffers;
	struct match_ask *asks;
	struct ask_row *rows;
	int64_t *person_ids;           /* [nasks], ascending */
	uint32_t nasks;
	struct match_pair *ended;
	size_t nended;
};

/* Room for one more in *arr (elements of size bytes, *cap of them, n
 * used): doubled when full. false when out of memory (*arr unchanged). */
static bool grow(void *arr, size_t size, size_t n, size_t *cap)
{
	void **p = arr;
	size_t want = *cap ? *cap * 2 : 64;
	void *q;

	if (n < *cap)
		return true;
	if (!(q = realloc(*p, want * size)))
		return false;
	*p = q;
	*cap = want;
	return true;
}

static void run_free(struct run *r)
{
	free(r->offers);
	free(r->peer_ids);
	free(r->asks);
	free(r->rows);
	free(r->person_ids);
	free(r->ended);
}

static enum err load_peers(struct db *db, enum peer_run_mode mode, struct run *run)
{
	struct db_res *r;
	size_t cap = 0;
	enum err e = db_query(db, &q_peers, DB_NOARGS, &r);

	if (e)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		struct match_offer *o;
		int64_t room;

		size_t c2 = cap;

		if (!grow(&run->offers, sizeof(*run->offers), run->noffers, &c2) ||
		    !grow(&run->peer_ids, sizeof(*run->peer_ids), run->noffers, &cap)) {
			e = ERR_NOMEM;
			break;
		}
		o = &run->offers[run->noffers];
		run->peer_ids[run->noffers++] = db_int(r, 0);
		room = db_int(r, 7) - db_int(r, 13) - (mode == PEER_RUN_NEW ? db_int(r, 14) : 0);
		*o = (struct match_offer){
			.conditions = (uint64_t)db_int(r, 1), .topics = (uint64_t)db_int(r, 2),
			.languages = (uint64_t)db_int(r, 3), .ways = (unsigned)db_int(r, 5),
			.slots = (uint32_t)db_int(r, 6), .gender = gender_of(db_text(r, 8)),
			.tier = peer_tier_at(r, 9),
			.room = room > 0 ? (uint32_t)room : 0, .available = room > 0,
		};
		place(db_text(r, 4), &o->lat, &o->lon);
	}
	db_res_free(r);
	return e;
}

static int peer_index(const struct run *run, int64_t id)
{
	const int64_t *p = id && run->noffers ?
		bsearch(&id, run->peer_ids, run->noffers, sizeof(int64_t), cmp_i64) : NULL;

	return p ? (int)(p - run->peer_ids) : -1;
}

static int ask_index(const struct run *run, int64_t id)
{
	const int64_t *p = run->nasks ?
		bsearch(&id, run->person_ids, run->nasks, sizeof(int64_t), cmp_i64) : NULL;

	return p ? (int)(p - run->person_ids) : -1;
}

static enum err load_asks(struct db *db, enum peer_run_mode mode, struct run *run)
{
	struct db_res *r;
	size_t cap = 0;
	enum err e = db_query(db, &q_asks, DB_ARGS(DB_INT(mode == PEER_RUN_ALL)), &r);

	if (e)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		struct match_ask *a;
		struct ask_row *row;
		const char *lang = db_text(r, 4);

		size_t c2 = cap, c3 = cap;

		if (!grow(&run->asks, sizeof(*run->asks), run->nasks, &c2) ||
		    !grow(&run->rows, sizeof(*run->rows), run->nasks, &c3) ||
		    !grow(&run->person_ids, sizeof(*run->person_ids), run->nasks, &cap)) {
			e = ERR_NOMEM;
			break;
		}
		a = &run->asks[run->nasks];
		row = &run->rows[run->nasks];
		run->person_ids[run->nasks++] = db_int(r, 1);
		*a = (struct match_ask){
			.conditions = (uint64_t)db_int(r, 2), .topics = (uint64_t)db_int(r, 3),
			/* No language asked for is English ("No, English is fine"). */
			.language = vocab_find(vocab_languages, vocab_languages_n, lang ? lang : "en"),
			.ways = (unsigned)db_int(r, 5), .slots = (uint32_t)db_int(r, 6),
			.max_miles = (int)db_int(r, 8), .wants = gender_of(db_text(r, 9)),
		};
		place(db_text(r, 7), &a->lat, &a->lon);
		memset(row, 0, sizeof(*row));
		str_copy(row->id, sizeof(row->id), db_text(r, 0));
		row->person_id = db_int(r, 1);
		row->offered_peer = db_isnull(r, 11) ? 0 : db_int(r, 11);
		if (!db_isnull(r, 12))
			str_copy(row->offer_id, sizeof(row->offer_id), db_text(r, 12));
		row->cur = peer_index(run, row->offered_peer);
	}
	db_res_free(r);
	return e;
}

/* Pairs never offered: ended, declined or run out before, and a peer's
 * own request. */
static enum err load_ended(struct db *db, struct run *run)
{
	struct db_res *r;
	size_t cap = 0;
	enum err e;

	for (int pass = 0; pass < 2; pass++) {
		if (pass == 0) {
			for (uint32_t i = 0; i < run->nasks; i++) {
				int j = peer_index(run, run->rows[i].person_id);

				if (j < 0)
					continue;
				if (!grow(&run->ended, sizeof(*run->ended), run->nended, &cap))
					return ERR_NOMEM;
				run->ended[run->nended++] = (struct match_pair){ i, (uint32_t)j };
			}
			continue;
		}
		if ((e = db_query(db, &q_ended, DB_NOARGS, &r)) != ERR_OK)
			return e;
		while ((e = db_next(r)) == ERR_OK && db_row(r)) {
			int i = ask_index(run, db_int(r, 0)), j = peer_index(run, db_int(r, 1));

			if (i < 0 || j < 0)
				continue;
			if (!grow(&run->ended, sizeof(*run->ended), run->nended, &cap)) {
				e = ERR_NOMEM;
				break;
			}
			run->ended[run->nended++] = (struct match_pair){ (uint32_t)i, (uint32_t)j };
		}
		db_res_free(r);
		if (e)
			return e;
	}
	if (run->nended)
		qsort(run->ended, run->nended, sizeof(*run->ended), cmp_pair);
	return ERR_OK;
}

/* A new offer of request row to peer j. */
static enum err offer(const struct peer_env *env, struct db *db, const struct run *run,
		const struct ask_row *row, uint32_t i, uint32_t j, int32_t cost, int64_t now)
{
	char id[37], reasons[512];
	int64_t expires = now + (int64_t)peer_offer_days(env) * PEER_DAY;
	struct arena a;
	json_t *ctx;
	enum err e;

	if (!uuid_v4(id))
		return ERR_INTERNAL;
	match_reasons(&run->asks[i], &run->offers[j], peer_match_names(), reasons, sizeof(reasons));
	if ((e = db_exec(db, &q_offer, DB_ARGS(DB_TEXT(id), DB_TEXT(row->id), DB_INT(row->person_id),
			 DB_INT(run->peer_ids[j]), DB_INT(cost), DB_TEXT(reasons), DB_INT(now),
			 DB_INT(expires)), NULL)) != ERR_OK ||
	    (e = db_exec(db, &q_offered, DB_ARGS(DB_TEXT(row->id), DB_INT(now)), NULL)) != ERR_OK ||
	    (e = db_exec(db, &q_peer_offered, DB_ARGS(DB_INT(run->peer_ids[j]), DB_INT(now)), NULL)) != ERR_OK)
		return e;
	arena_init(&a);
	ctx = json_pack("{s:s}", "answer_by", peer_date_words(&a, expires));
	e = ctx ? peer_mail(env, db, run->peer_ids[j], "peer_offer", ctx, "peer.match", id, now) : ERR_NOMEM;
	json_decref(ctx);
	arena_release(&a);
	if (e == ERR_OK)
		e = peer_audit(db, now, 0, "peer.offered", run->peer_ids[j], "request=%.36s cost=%d",
			       row->id, (int)cost);
	return e;
}

/* Why nobody fits person i, into the request. */
static enum err why_none(struct db *db, const struct run *run, uint32_t i)
{
	bool *ended_with = calloc(run->noffers ? run->noffers : 1, sizeof(bool));
	char why[256];

	if (!ended_with)
		return ERR_NOMEM;
	for (size_t k = 0; k < run->nended; k++)
		if (run->ended[k].person == i)
			ended_with[run->ended[k].peer] = true;
	match_why_none(&run->asks[i], run->offers, run->noffers, ended_with, peer_match_names(), why,
		       sizeof(why));
	free(ended_with);
	if (!why[0])
		str_copy(why, sizeof(why), "Every peer supporter who fits is supporting as many "
			 "people as they can just now.");
	return db_exec(db, &q_why, DB_ARGS(DB_TEXT(run->rows[i].id), DB_TEXT(why)), NULL);
}

enum err peer_run(const struct peer_env *env, struct db *db, enum peer_run_mode mode, int64_t now,
		struct peer_run_result *out)
{
	struct run run = { 0 };
	struct match_owned prob = { 0 };
	int64_t *pair_of = NULL;
	enum err e;

	memset(out, 0, sizeof(*out));
	if ((e = db_exec(db, &q_lock, DB_NOARGS, NULL)) != ERR_OK)
		return e;
	if ((e = load_peers(db, mode, &run)) != ERR_OK || (e = load_asks(db, mode, &run)) != ERR_OK ||
	    (e = load_ended(db, &run)) != ERR_OK)
		goto out;
	out->people = run.nasks;
	out->peers = run.noffers;
	if (run.nasks == 0)
		goto out;
	if ((e = match_build(run.asks, run.nasks, run.offers, run.noffers, run.ended, run.nended,
			     &prob)) != ERR_OK)
		goto out;
	/* An open offer keeps its peer unless moving saves more than
	 * PEER_STICK: every other candidate of that person costs it more. */
	for (uint32_t i = 0; i < run.nasks; i++) {
		if (run.rows[i].cur < 0)
			continue;
		for (uint32_t k = prob.start[i]; k < prob.start[i + 1]; k++)
			if (prob.peer[k] != (uint32_t)run.rows[i].cur && prob.cost[k] <= MATCH_COST_MAX - PEER_STICK)
				prob.cost[k] += PEER_STICK;
	}
	if (!(pair_of = malloc(run.nasks * sizeof(*pair_of)))) {
		e = ERR_NOMEM;
		goto out;
	}
	if ((e = match_solve(&prob.prob, pair_of, NULL)) != ERR_OK)
		goto out;
	for (uint32_t i = 0; i < run.nasks && !e; i++) {
		const struct ask_row *row = &run.rows[i];
		int64_t k = pair_of[i];
		int j = k >= 0 ? (int)prob.peer[k] : -1;

		if (j >= 0 && j == row->cur) {
			out->kept++;
			continue;
		}
		if (row->offer_id[0]) {
			int64_t moved = 0;

			/* A better peer, or nobody: the offer goes (unless it was
			 * answered since it was read: then it stays as it is). */
			if ((e = db_exec(db, &q_move, DB_ARGS(DB_TEXT(row->offer_id), DB_INT(now)), &moved)) != ERR_OK)
				break;
			if (moved == 0)
				continue;
			if ((e = db_exec(db, &q_back, DB_ARGS(DB_TEXT(row->id), DB_INT(now)), NULL)) != ERR_OK)
				break;
			out->moved++;
		}
		if (j < 0) {
			out->unmatched++;
			e = why_none(db, &run, i);
			continue;
		}
		/* The cost as the rules gave it, without the stickiness. */
		e = offer(env, db, &run, row, i, (uint32_t)j, prob.cost[k] - (row->cur >= 0 ? PEER_STICK : 0), now);
		out->offered++;
	}
	if (e == ERR_OK && (out->offered || out->moved))
		e = peer_audit(db, now, 0, "peer.run", 0, "mode=%s people=%u offered=%u kept=%u moved=%u "
			       "unmatched=%u", mode == PEER_RUN_ALL ? "all" : "new", out->people,
			       out->offered, out->kept, out->moved, out->unmatched);
out:
	free(pair_of);
	match_owned_release(&prob);
	run_free(&run);
	return e;
}

/* ---------------------------------------------------------------- the clock */

static const struct sql q_due_reminders = { "peer.due_reminders",
	"SELECT id, peer_id, expires_at FROM peer_match WHERE state = 'offered' AND reminded_at IS NULL "
	"AND offered_at + (expires_at - offered_at) / 2 <= $1 AND expires_at > $1 LIMIT 500", NULL };
static const struct sql q_reminded = { "peer.reminded",
	"UPDATE peer_match SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL", NULL };
static const struct sql q_due_expiry = { "peer.due_expiry",
	"SELECT id, peer_id, request_id FROM peer_match WHERE state = 'offered' AND expires_at <= $1 "
	"ORDER BY expires_at LIMIT 500", NULL };
static const struct sql q_expire = { "peer.expire",
	"UPDATE peer_match SET state = 'expired', answered_at = $2 WHERE id = $1 AND state = 'offered'",
	NULL };
static const struct sql q_unanswered = { "peer.unanswered",
	"UPDATE peer_supporter SET unanswered = unanswered + 1, updated_at = $2 WHERE person_id = $1",
	NULL };
static const struct sql q_pause_quiet = { "peer.pause_quiet",
	"UPDATE peer_supporter SET state = 'paused', paused_why = 'unanswered', updated_at = $3 "
	"WHERE person_id = $1 AND state = 'approved' AND unanswered >= $2", NULL };
static const struct sql q_back_from_away = { "peer.back_from_away",
	"UPDATE peer_supporter SET state = 'approved', paused_why = NULL, away_until = NULL, "
	"updated_at = $2 WHERE state = 'paused' AND paused_why = 'self' AND away_until < $1", NULL };

struct due {
	char id[37];
	char request_id[37];
	int64_t peer_id, expires_at;
};

/* Up to 500 rows of q (its first column an offer id, the second the
 * peer, the third a request id or a time). */
static enum err load_due(struct db *db, const struct sql *q, int64_t now, struct due *out, size_t *n)
{
	struct db_res *r;
	enum err e = db_query(db, q, DB_ARGS(DB_INT(now)), &r);

	*n = 0;
	if (e)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r) && *n < 500) {
		struct due *d = &out[(*n)++];

		memset(d, 0, sizeof(*d));
		str_copy(d->id, sizeof(d->id), db_text(r, 0));
		d->peer_id = db_int(r, 1);
		if (q == &q_due_expiry)
			str_copy(d->request_id, sizeof(d->request_id), db_text(r, 2));
		else
			d->expires_at = db_int(r, 2);
	}
	db_res_free(r);
	return e;
}

static enum err remind(const struct peer_env *env, struct db *db, const struct due *d, int64_t now)
{
	struct arena a;
	json_t *ctx;
	int64_t n = 0;
	enum err e;

	/* Once: another process may have sent it since it was read. */
	if ((e = db_exec(db, &q_reminded, DB_ARGS(DB_TEXT(d->id), DB_INT(now)), &n)) != ERR_OK || n == 0)
		return e;
	arena_init(&a);
	ctx = json_pack("{s:s}", "answer_by", peer_date_words(&a, d->expires_at));
	e = ctx ? peer_mail(env, db, d->peer_id, "peer_reminder", ctx, "peer.match", d->id, now) : ERR_NOMEM;
	json_decref(ctx);
	arena_release(&a);
	return e;
}

/* An offer ran out: the request goes back to the pool, and the peer is
 * paused when it was the pause_after-th in a row. */
static enum err expire(const struct peer_env *env, struct db *db, const struct due *d, int64_t now)
{
	int64_t n = 0;
	json_t *ctx;
	enum err e;

	if ((e = db_exec(db, &q_expire, DB_ARGS(DB_TEXT(d->id), DB_INT(now)), &n)) != ERR_OK || n == 0)
		return e;
	if ((e = db_exec(db, &q_back, DB_ARGS(DB_TEXT(d->request_id), DB_INT(now)), NULL)) != ERR_OK ||
	    (e = db_exec(db, &q_unanswered, DB_ARGS(DB_INT(d->peer_id), DB_INT(now)), NULL)) != ERR_OK ||
	    (e = peer_audit(db, now, 0, "peer.offer.expired", d->peer_id, "request=%.36s", d->request_id)) != ERR_OK)
		return e;
	if ((e = db_exec(db, &q_pause_quiet, DB_ARGS(DB_INT(d->peer_id), DB_INT(peer_pause_after(env)),
			 DB_INT(now)), &n)) != ERR_OK || n == 0)
		return e;
	if ((e = peer_withdraw_offers_of(db, d->peer_id, now)) != ERR_OK)
		return e;
	if (!(ctx = json_pack("{s:i}", "count", peer_pause_after(env))))
		return ERR_NOMEM;
	e = peer_mail(env, db, d->peer_id, "peer_paused", ctx, "peer.mine", NULL, now);
	json_decref(ctx);
	if (e == ERR_OK)
		e = peer_audit(db, now, 0, "peer.paused", d->peer_id, "why=unanswered");
	return e;
}

enum err peer_job(const struct peer_env *env, struct db *db, int64_t now, struct peer_run_result *out)
{
	struct due *due = calloc(500, sizeof(*due));
	struct peer_run_result run;
	char today[11];
	size_t n = 0;
	enum err e;

	if (!due)
		return ERR_NOMEM;
	if ((e = db_exec(db, &q_lock, DB_NOARGS, NULL)) != ERR_OK)
		goto out;
	uk_format_iso_day(uk_local_day(now), today);
	if ((e = load_due(db, &q_due_reminders, now, due, &n)) != ERR_OK)
		goto out;
	for (size_t i = 0; i < n && !e; i++)
		e = remind(env, db, &due[i], now);
	if (e || (e = load_due(db, &q_due_expiry, now, due, &n)) != ERR_OK)
		goto out;
	for (size_t i = 0; i < n && !e; i++)
		e = expire(env, db, &due[i], now);
	if (e == ERR_OK)
		e = db_exec(db, &q_back_from_away, DB_ARGS(DB_TEXT(today), DB_INT(now)), NULL);
	if (e == ERR_OK)
		e = peer_run(env, db, PEER_RUN_ALL, now, out ? out : &run);
out:
	free(due);
	return e;
}
