/*
 * moderate_mail.c - conversations telling people things (talk.h,
 * talk_int.h): raising flags and alerting moderators of urgent ones,
 * notices to writers, messages between a person and the moderators, who
 * may send a private message, and the talk job (alerts missed, "new
 * replies" at once, the daily digest).
 *
 * No email carries what anyone wrote, a topic's title or a name: each
 * says there is something to see and links to it (templates/emails/
 * talk_*). A space's name goes in only for carers' and general spaces,
 * whose names say nothing of anyone's health; a condition's or a group's
 * space is "a space you follow".
 *
 * The job may run in several processes at once: each email is sent by
 * whoever first moves its marker (a flag's alerted_at, a follow's
 * seen_post, a profile's digest_at) in the transaction that queues it,
 * so two workers never tell one thing twice.
 */
#include "core/common.h"
#include "talk/talk_int.h"

#include "auth/person.h"
#include "auth/policy.h"
#include "core/fields.h"
#include "core/str.h"
#include "core/uktime.h"
#include "mail/mail.h"
#include "store/store.h"

#define MODMAIL_MAX 4000       /* bytes of a message to or from the moderators */
#define JOB_ALERTS_MAX 100     /* urgent flags alerted in one run */
#define JOB_NEWS_MAX 2000      /* follows with news looked at in one run */
#define JOB_DIGESTS_MAX 500    /* daily digests in one run */
#define NOTICES_MAX 200        /* notices on the page */

_Static_assert(MODMAIL_MAX == 4000, "say the new limit in the message error");

/* ---------------------------------------------------------------- SQL */

static const struct sql q_flag_insert = { "talk.mm_flag_insert",
	"INSERT INTO talk_flag (post_id, space_id, by_person, reason, note, urgency, state, created_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) RETURNING id", NULL };
static const struct sql q_flag_claim = { "talk.mm_flag_claim",
	"UPDATE talk_flag SET alerted_at = $2 WHERE id = $1 AND alerted_at IS NULL AND state = 'open'", NULL };
static const struct sql q_post_writer = { "talk.mm_post_writer",
	"SELECT coalesce(person_id, 0) FROM talk_post WHERE id = $1", NULL };
/* Moderators of the space on duty (coordinators and admins moderate
 * every space), but not the post's writer. */
static const struct sql q_on_duty = { "talk.mm_on_duty",
	"SELECT pr.person_id FROM talk_profile pr WHERE pr.on_duty = 1 AND pr.person_id <> $2 AND "
	"(pr.person_id IN (SELECT person_id FROM talk_moderator WHERE space_id = $1) OR "
	"pr.person_id IN (SELECT person_id FROM person_role WHERE role IN ('coordinator', 'admin'))) "
	"ORDER BY pr.person_id", NULL };
/* Nobody on duty: every moderator of the space and every coordinator. */
static const struct sql q_all_mods = { "talk.mm_all_mods",
	"SELECT person_id FROM talk_moderator WHERE space_id = $1 AND person_id <> $2 UNION "
	"SELECT person_id FROM person_role WHERE role = 'coordinator' AND person_id <> $2 ORDER BY 1", NULL };
static const struct sql q_unalerted = { "talk.mm_unalerted",
	"SELECT id, post_id, space_id FROM talk_flag WHERE state = 'open' AND urgency = 2 AND alerted_at IS NULL "
	"ORDER BY id LIMIT 100", NULL };
_Static_assert(JOB_ALERTS_MAX == 100, "q_unalerted's LIMIT");

static const struct sql q_notice_insert = { "talk.mm_notice_insert",
	"INSERT INTO talk_notice (person_id, kind, post_id, by_person, words, until_at, created_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7)", NULL };
static const struct sql q_notices = { "talk.mm_notices",
	"SELECT n.id, n.kind, n.words, n.post_id, p.topic_id, n.created_at, n.read_at FROM talk_notice n "
	"LEFT JOIN talk_post p ON p.id = n.post_id WHERE n.person_id = $1 ORDER BY n.id DESC LIMIT 200", NULL };
_Static_assert(NOTICES_MAX == 200, "q_notices's LIMIT");
static const struct sql q_notices_unread = { "talk.mm_notices_unread",
	"SELECT count(*) FROM talk_notice WHERE person_id = $1 AND read_at IS NULL", NULL };
static const struct sql q_notices_read = { "talk.mm_notices_read",
	"UPDATE talk_notice SET read_at = $2 WHERE person_id = $1 AND read_at IS NULL", NULL };

static const struct sql q_person_live = { "talk.mm_person_live",
	"SELECT count(*) FROM person WHERE id = $1 AND erased_at IS NULL", NULL };
static const struct sql q_mm_insert = { "talk.mm_insert",
	"INSERT INTO talk_modmail (person_id, from_moderator, by_person, body, created_at) VALUES ($1, $2, $3, $4, $5)",
	NULL };
static const struct sql q_mm_answered = { "talk.mm_answered",
	"UPDATE talk_modmail SET answered = 1 WHERE person_id = $1 AND from_moderator = 0 AND answered = 0", NULL };
static const struct sql q_mm_thread = { "talk.mm_thread",
	"SELECT from_moderator, body, created_at FROM talk_modmail WHERE person_id = $1 ORDER BY id", NULL };
static const struct sql q_mm_open = { "talk.mm_open",
	"SELECT person_id, min(created_at), max(created_at) FROM talk_modmail WHERE from_moderator = 0 AND answered = 0 "
	"GROUP BY person_id ORDER BY min(created_at), person_id LIMIT 500", NULL };

static const struct sql q_is_mod = { "talk.mm_is_mod",
	"SELECT (SELECT count(*) FROM person_role WHERE person_id = $1 AND role IN ('coordinator', 'admin')) + "
	"(SELECT count(*) FROM talk_moderator WHERE person_id = $1)", NULL };
static const struct sql q_matched = { "talk.mm_matched",
	"SELECT count(*) FROM peer_match WHERE state = 'accepted' AND "
	"((person_id = $1 AND peer_id = $2) OR (person_id = $2 AND peer_id = $1))", NULL };

static const struct sql q_match_of = { "talk.mm_match_of",
	"SELECT id FROM peer_match WHERE state = 'accepted' AND "
	"((person_id = $1 AND peer_id = $2) OR (person_id = $2 AND peer_id = $1)) ORDER BY offered_at DESC LIMIT 1",
	NULL };
static const struct sql q_writer_of = { "talk.mm_writer_of",
	"SELECT coalesce(person_id, 0) FROM talk_post WHERE id = $1", NULL };

/* Follows with visible posts by others newer than what the person was
 * told of, per follow and space: the follow, the person, the space, how
 * many, the newest, and whether it is a space's follow. notify $1;
 * person $2 (0: everyone). */
static const struct sql q_news = { "talk.mm_news",
	"SELECT f.id, f.person_id, p.space_id, count(*), max(p.id), 0 FROM talk_follow f "
	"JOIN talk_profile pr ON pr.person_id = f.person_id "
	"JOIN talk_post p ON p.topic_id = f.topic_id AND p.id > f.seen_post "
	"JOIN talk_topic t ON t.id = p.topic_id "
	"WHERE pr.notify = $1 AND (CAST($2 AS BIGINT) = 0 OR f.person_id = $2) AND p.state = 'visible' "
	"AND t.state <> 'hidden' AND (p.person_id IS NULL OR p.person_id <> f.person_id) "
	"GROUP BY f.id, f.person_id, p.space_id "
	"UNION ALL "
	"SELECT f.id, f.person_id, p.space_id, count(*), max(p.id), 1 FROM talk_follow f "
	"JOIN talk_profile pr ON pr.person_id = f.person_id "
	"JOIN talk_post p ON p.space_id = f.space_id AND p.id > f.seen_post "
	"JOIN talk_topic t ON t.id = p.topic_id "
	"WHERE pr.notify = $1 AND (CAST($2 AS BIGINT) = 0 OR f.person_id = $2) AND p.state = 'visible' "
	"AND t.state <> 'hidden' AND (p.person_id IS NULL OR p.person_id <> f.person_id) "
	"GROUP BY f.id, f.person_id, p.space_id "
	"ORDER BY 2, 3, 1 LIMIT 2000", NULL };
_Static_assert(JOB_NEWS_MAX == 2000, "q_news's LIMIT");
static const struct sql q_follow_told = { "talk.mm_follow_told",
	"UPDATE talk_follow SET seen_post = $2 WHERE id = $1 AND seen_post < $2", NULL };
static const struct sql q_daily_people = { "talk.mm_daily_people",
	"SELECT pr.person_id FROM talk_profile pr WHERE pr.notify = 'daily' AND "
	"(pr.digest_at IS NULL OR pr.digest_at < $1) AND EXISTS "
	"(SELECT 1 FROM talk_follow f WHERE f.person_id = pr.person_id) ORDER BY pr.person_id LIMIT 500", NULL };
_Static_assert(JOB_DIGESTS_MAX == 500, "q_daily_people's LIMIT");
static const struct sql q_digest_claim = { "talk.mm_digest_claim",
	"UPDATE talk_profile SET digest_at = $2 WHERE person_id = $1 AND (digest_at IS NULL OR digest_at < $3)", NULL };

/* ---------------------------------------------------------------- small helpers */

static enum err tx_open(struct db *db, bool *mine)
{
	*mine = !db_in_tx(db);
	return *mine ? db_begin(db) : ERR_OK;
}

static enum err tx_close(struct db *db, bool mine, enum err e)
{
	if (!mine)
		return e;
	if (e) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}

/* The first column of q's rows (ids), appended to *ids (malloc'd, the
 * caller frees). */
static enum err ids_of(struct db *db, const struct sql *q, const struct db_val *args, size_t nargs,
		int64_t **ids, size_t *n, size_t *cap)
{
	struct db_res *r;
	enum err e = db_query(db, q, args, nargs, &r);

	if (e)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		if (*n == *cap) {
			size_t c = *cap ? *cap * 2 : 16;
			int64_t *more = realloc(*ids, c * sizeof(**ids));

			if (!more) {
				e = ERR_NOMEM;
				break;
			}
			*ids = more;
			*cap = c;
		}
		(*ids)[(*n)++] = db_int(r, 0);
	}
	db_res_free(r);
	return e;
}

static bool modmail_body_ok(const char *body, json_t *errors)
{
	if (str_is_blank(body)) {
		field_err(errors, "body", "Enter a message");
		return false;
	}
	if (strlen(body) > MODMAIL_MAX) {
		field_err(errors, "body", "The message must be 4,000 characters or fewer");
		return false;
	}
	if (!str_is_clean_utf8(body, strlen(body))) {
		field_err(errors, "body", "The message has characters that cannot be sent. Remove them and try again");
		return false;
	}
	return true;
}

/* ---------------------------------------------------------------- email */

enum err talk_mail(const struct talk_env *env, struct db *db, int64_t person_id, const char *tmpl, json_t *ctx,
		const char *route, const char *arg, int64_t now)
{
	if (!env || !env->mailer)
		return ERR_OK;
	return mail_person(env->mailer, env->links, db, person_id, tmpl, ctx, route, arg, now);
}

/* An email with nothing in it but the greeting and the link. */
static enum err mail_bare(const struct talk_env *env, struct db *db, int64_t person_id, const char *tmpl,
		const char *route, int64_t now)
{
	json_t *ctx;
	enum err e;

	if (!env || !env->mailer)
		return ERR_OK;
	if (!(ctx = json_object()))
		return ERR_NOMEM;
	e = talk_mail(env, db, person_id, tmpl, ctx, route, NULL, now);
	json_decref(ctx);
	return e;
}

/* ---------------------------------------------------------------- flags and alerts */

/* Tells the moderators on duty (or, with none, every moderator of the
 * space and every coordinator) of urgent flag id, once: whoever moves
 * alerted_at sends. Without a mailer nothing is marked, so the job
 * tells them once there is one. */
static enum err alert(const struct talk_env *env, struct db *db, int64_t flag_id, int64_t post_id,
		int64_t space_id, int64_t now, int *sent)
{
	int64_t *ids = NULL, writer = 0, claimed = 0;
	size_t n = 0, cap = 0;
	enum err e;

	if (!env || !env->mailer)
		return ERR_OK;
	if ((e = db_exec(db, &q_flag_claim, DB_ARGS(DB_INT(flag_id), DB_INT(now)), &claimed)) != ERR_OK ||
	    claimed == 0)
		return e;
	e = db_query_int(db, &q_post_writer, DB_ARGS(DB_INT(post_id)), &writer);
	if (e == ERR_OK)
		e = ids_of(db, &q_on_duty, DB_ARGS(DB_INT(space_id), DB_INT(writer)), &ids, &n, &cap);
	if (e == ERR_OK && n == 0)
		e = ids_of(db, &q_all_mods, DB_ARGS(DB_INT(space_id), DB_INT(writer)), &ids, &n, &cap);
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		e = mail_bare(env, db, ids[i], "talk_urgent", TALK_ROUTE_QUEUE, now);
		if (e == ERR_OK && sent)
			(*sent)++;
	}
	free(ids);
	if (e == ERR_OK)
		e = mail_wake_on_commit(env->mailer, db);
	return e;
}

enum err talk_flag_raise(const struct talk_env *env, struct db *db, int64_t post_id, int64_t space_id, int64_t by,
		enum talk_reason reason, const char *note, int urgency, int64_t now, int64_t *id)
{
	int64_t fid = 0;
	bool mine;
	enum err e;

	if (id)
		*id = 0;
	if ((unsigned)reason >= TALK_REASON__MAX || urgency < 0 || urgency > 2)
		return ERR_INVALID;
	if ((e = tx_open(db, &mine)) != ERR_OK)
		return e;
	e = db_query_int(db, &q_flag_insert, DB_ARGS(DB_INT(post_id), DB_INT(space_id), by ? DB_INT(by) : DB_NULL,
			DB_TEXT(talk_reason_code(reason)), db_text_or_null(note), DB_INT(urgency), DB_INT(now)), &fid);
	if (e == ERR_OK && urgency == 2)
		e = alert(env, db, fid, post_id, space_id, now, NULL);
	e = tx_close(db, mine, e);
	if (e == ERR_OK && id)
		*id = fid;
	return e;
}

/* ---------------------------------------------------------------- notices */

static enum err notice_insert(struct db *db, int64_t person_id, const char *kind, int64_t post_id, int64_t by,
		const char *words, int64_t until, int64_t now)
{
	return db_exec(db, &q_notice_insert, DB_ARGS(DB_INT(person_id), DB_TEXT(kind),
			post_id ? DB_INT(post_id) : DB_NULL, by ? DB_INT(by) : DB_NULL, DB_TEXT(words),
			until ? DB_INT(until) : DB_NULL, DB_INT(now)), NULL);
}

enum err talk_notice_add(const struct talk_env *env, struct db *db, int64_t person_id, const char *kind,
		int64_t post_id, int64_t by, const char *words, int64_t until, int64_t now)
{
	bool mine;
	enum err e;

	if (!person_id || !kind || !*kind || str_is_blank(words))
		return ERR_INVALID;
	if ((e = tx_open(db, &mine)) != ERR_OK)
		return e;
	e = notice_insert(db, person_id, kind, post_id, by, words, until, now);
	/* The email says there is a notice, never its words: a moderator's
	 * note may quote the post. */
	if (e == ERR_OK)
		e = mail_bare(env, db, person_id, "talk_notice", TALK_ROUTE_NOTICES, now);
	return tx_close(db, mine, e);
}

enum err talk_notices(struct db *db, int64_t person_id, bool mark_read, int64_t now, json_t **out)
{
	json_t *list = json_array(), *o;
	struct db_res *r;
	int64_t unread = 0;
	enum err e;

	*out = NULL;
	if (!list)
		return ERR_NOMEM;
	e = db_query_int(db, &q_notices_unread, DB_ARGS(DB_INT(person_id)), &unread);
	if (e == ERR_OK)
		e = db_query(db, &q_notices, DB_ARGS(DB_INT(person_id)), &r);
	if (e) {
		json_decref(list);
		return e;
	}
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		o = json_pack("{s:I, s:s, s:s, s:I, s:b}", "id", (json_int_t)db_int(r, 0), "kind", db_text(r, 1),
			      "words", db_text(r, 2), "created_at", (json_int_t)db_int(r, 5), "unread", db_isnull(r, 6));
		if (o && !db_isnull(r, 3))
			json_object_set_new(o, "post_id", json_integer(db_int(r, 3)));
		if (o && !db_isnull(r, 4))
			json_object_set_new(o, "topic_id", json_integer(db_int(r, 4)));
		if (!o || json_array_append_new(list, o) != 0) {
			e = ERR_NOMEM;
			break;
		}
	}
	db_res_free(r);
	if (e == ERR_OK && mark_read && unread > 0)
		e = db_exec(db, &q_notices_read, DB_ARGS(DB_INT(person_id), DB_INT(now)), NULL);
	if (e == ERR_OK && !(*out = json_pack("{s:o, s:I}", "notices", list, "unread", (json_int_t)unread)))
		return ERR_NOMEM;
	if (e)
		json_decref(list);
	return e;
}

/* ---------------------------------------------------------------- messages with the moderators */

static enum err person_live(struct db *db, int64_t person_id)
{
	int64_t n = 0;
	enum err e = db_query_int(db, &q_person_live, DB_ARGS(DB_INT(person_id)), &n);

	return e ? e : n ? ERR_OK : ERR_NOT_FOUND;
}

enum err talk_modmail_send(const struct talk_env *env, struct db *db, int64_t person_id, const char *body,
		int64_t now, json_t *errors)
{
	enum err e;

	/* The moderators see the count in their queue; nobody is emailed
	 * for each message. */
	UNUSED(env);
	if (!person_id)
		return ERR_FORBIDDEN;
	if ((e = person_live(db, person_id)) != ERR_OK)
		return e;
	if (!modmail_body_ok(body, errors))
		return ERR_INVALID;
	return db_exec(db, &q_mm_insert, DB_ARGS(DB_INT(person_id), DB_INT(0), DB_INT(person_id), DB_TEXT(body),
			DB_INT(now)), NULL);
}

enum err talk_modmail_answer(const struct talk_env *env, struct db *db, const struct actor *moderator,
		int64_t person_id, const char *body, int64_t now, json_t *errors)
{
	bool mine;
	enum err e;

	if (!moderator || !moderator->id || !talk_moderates_any(db, moderator))
		return ERR_FORBIDDEN;
	if ((e = person_live(db, person_id)) != ERR_OK)
		return e;
	if (!modmail_body_ok(body, errors))
		return ERR_INVALID;
	if ((e = tx_open(db, &mine)) != ERR_OK)
		return e;
	e = db_exec(db, &q_mm_insert, DB_ARGS(DB_INT(person_id), DB_INT(1), DB_INT(moderator->id), DB_TEXT(body),
			DB_INT(now)), NULL);
	if (e == ERR_OK)
		e = db_exec(db, &q_mm_answered, DB_ARGS(DB_INT(person_id)), NULL);
	if (e == ERR_OK)
		e = notice_insert(db, person_id, "reply", 0, moderator->id,
				  "The moderators have answered your message. You can read it on your messages page.",
				  0, now);
	if (e == ERR_OK)
		e = mail_bare(env, db, person_id, "talk_modmail", TALK_ROUTE_MESSAGES, now);
	if (e == ERR_OK)
		e = talk_audit(db, now, moderator->id, "talk.modmail_answered", person_id, "%s", "");
	return tx_close(db, mine, e);
}

static json_t *thread_row(struct db_res *r, void *ctx)
{
	UNUSED(ctx);
	return json_pack("{s:b, s:s, s:I}", "from_moderator", db_int(r, 0) != 0, "body", db_text(r, 1),
			 "created_at", (json_int_t)db_int(r, 2));
}

enum err talk_modmail_thread(struct db *db, int64_t person_id, json_t **out)
{
	json_t *messages = NULL;
	enum err e = db_rows_json(db, &q_mm_thread, DB_ARGS(DB_INT(person_id)), thread_row, NULL, &messages);

	*out = NULL;
	if (e)
		return e;
	*out = json_pack("{s:o}", "messages", messages);
	return *out ? ERR_OK : ERR_NOMEM;
}

struct open_ctx {
	struct db *db;
	struct arena *a;
};

static json_t *open_row(struct db_res *r, void *ctx)
{
	struct open_ctx *c = ctx;
	const char *name = talk_display_name(c->db, c->a, db_int(r, 0));

	return name ? json_pack("{s:I, s:s, s:I, s:I}", "person_id", (json_int_t)db_int(r, 0), "display_name", name,
				"waiting_since", (json_int_t)db_int(r, 1), "last_at", (json_int_t)db_int(r, 2)) : NULL;
}

enum err talk_modmail_open(struct db *db, json_t **out)
{
	struct arena a;
	struct open_ctx c = { db, &a };
	enum err e;

	arena_init(&a);
	e = db_rows_json(db, &q_mm_open, DB_NOARGS, open_row, &c, out);
	arena_release(&a);
	return e;
}

/* ---------------------------------------------------------------- private messages */

enum err talk_pm_allowed(const struct talk_env *env, struct db *db, int64_t from, int64_t to, int64_t now,
		const char **why)
{
	static const char not_matched[] =
		"You can send private messages only to a peer you are matched with, or to the moderators.";
	static const char too_new[] = "New accounts cannot send private messages yet. You can write to the moderators.";
	struct talk_profile p;
	int64_t n = 0;
	enum err e;

	*why = NULL;
	if (!from || !to || from == to) {
		*why = not_matched;
		return ERR_FORBIDDEN;
	}
	/* Anyone may write to the moderators, a new account too. */
	if ((e = db_query_int(db, &q_is_mod, DB_ARGS(DB_INT(to)), &n)) != ERR_OK)
		return e;
	if (n > 0)
		return ERR_OK;
	if ((e = db_query_int(db, &q_matched, DB_ARGS(DB_INT(from), DB_INT(to)), &n)) != ERR_OK)
		return e;
	if (n == 0) {
		*why = not_matched;
		return ERR_FORBIDDEN;
	}
	if ((e = talk_profile_get(env, db, from, now, &p)) != ERR_OK)
		return e;
	if (!p.trusted) {
		*why = too_new;
		return ERR_FORBIDDEN;
	}
	return ERR_OK;
}

enum err talk_pm_to_writer(const struct talk_env *env, struct db *db, const struct actor *actor, int64_t post_id,
		int64_t now, struct talk_pm *out, const char **why)
{
	struct arena a;
	struct db_res *r;
	json_t *post = NULL;
	int64_t writer = 0, mod = 0;
	enum err e;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	arena_init(&a);
	e = talk_post_get(db, &a, actor, post_id, now, 0, &post);
	arena_release(&a);
	json_decref(post);
	if (e == ERR_OK)
		e = db_query_int(db, &q_writer_of, DB_ARGS(DB_INT(post_id)), &writer);
	if (e == ERR_OK)
		e = talk_pm_allowed(env, db, actor->id, writer, now, why);
	if (e == ERR_OK)
		e = db_query_int(db, &q_is_mod, DB_ARGS(DB_INT(writer)), &mod);
	if (e != ERR_OK || (out->to_moderators = mod > 0))
		return e;
	if ((e = db_query_one(db, &q_match_of, DB_ARGS(DB_INT(actor->id), DB_INT(writer)), &r)) != ERR_OK)
		return e == ERR_NOT_FOUND ? ERR_INTERNAL : e;   /* talk_pm_allowed found it */
	str_copy(out->match_id, sizeof(out->match_id), db_text(r, 0));
	db_res_free(r);
	return ERR_OK;
}

/* ---------------------------------------------------------------- the job: new replies */

/* One follow with news (a row of q_news). */
struct news {
	int64_t follow, person, space, count, newest;
	bool space_follow;
};

static enum err news_of(struct db *db, const char *notify, int64_t person, struct news **out, size_t *n)
{
	struct db_res *r;
	size_t cap = 0;
	enum err e = db_query(db, &q_news, DB_ARGS(DB_TEXT(notify), DB_INT(person)), &r);

	*out = NULL;
	*n = 0;
	if (e)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		if (*n == cap) {
			size_t c = cap ? cap * 2 : 32;
			struct news *more = realloc(*out, c * sizeof(**out));

			if (!more) {
				e = ERR_NOMEM;
				break;
			}
			*out = more;
			cap = c;
		}
		(*out)[(*n)++] = (struct news){ db_int(r, 0), db_int(r, 1), db_int(r, 2), db_int(r, 3), db_int(r, 4),
						db_int(r, 5) != 0 };
	}
	db_res_free(r);
	return e;
}

/* The person as an actor, to ask whether they may still read a space. */
static enum err actor_of(struct db *db, struct arena *a, int64_t person_id, struct actor *out)
{
	struct person p;
	enum err e = person_get(db, a, person_id, &p);

	memset(out, 0, sizeof(*out));
	if (e)
		return e;
	if (p.erased_at || p.deactivated_at)
		return ERR_NOT_FOUND;
	*out = (struct actor){ .id = p.id, .roles = p.roles, .org_id = p.org_id, .verified = p.verified,
			       .name = p.name, .email = p.email };
	return ERR_OK;
}

/* Tells one person of the news in rows[0..n) (all theirs, ordered by
 * space) with template tmpl, in one transaction: each follow's
 * seen_post moves to the newest post told of (a follow another worker
 * has moved already is left out), then one email lists how many new
 * posts per space, naming only carers' and general spaces. A space the
 * person may no longer read (a group's they left) is passed over, its
 * follows moved on all the same. */
static enum err tell(const struct talk_env *env, struct db *db, const struct news *rows, size_t n,
		const char *tmpl, int64_t now, int *sent)
{
	struct arena a;
	struct actor actor;
	json_t *ctx = NULL, *spaces = NULL;
	int64_t total = 0;
	bool mine = false;
	enum err e;

	arena_init(&a);
	/* Someone erased or away is told nothing, their follows moved on
	 * all the same (else the job would look at them every minute). */
	e = actor_of(db, &a, rows[0].person, &actor);
	if (e == ERR_NOT_FOUND)
		e = ERR_OK;
	if (e == ERR_OK && !(spaces = json_array()))
		e = ERR_NOMEM;
	if (e == ERR_OK)
		e = tx_open(db, &mine);
	for (size_t i = 0; e == ERR_OK && i < n;) {
		struct talk_space s = { 0 };
		int64_t space_n = 0, topics_n = 0, claimed = 0;
		size_t j = i;
		bool readable;

		e = actor.id ? talk_space_load_id(db, &a, &actor, rows[i].space, &s) : ERR_NOT_FOUND;
		readable = e == ERR_OK && (s.member || s.moderator);
		if (e == ERR_NOT_FOUND)
			e = ERR_OK;
		for (; e == ERR_OK && j < n && rows[j].space == rows[i].space; j++) {
			e = db_exec(db, &q_follow_told, DB_ARGS(DB_INT(rows[j].follow), DB_INT(rows[j].newest)), &claimed);
			if (e || !claimed)
				continue;
			if (rows[j].space_follow)
				space_n = rows[j].count > space_n ? rows[j].count : space_n;
			else
				topics_n += rows[j].count;
		}
		/* A post in a followed topic of a followed space is one post:
		 * the space's count already has it. */
		if (e == ERR_OK && readable && (space_n || topics_n)) {
			int64_t count = space_n > topics_n ? space_n : topics_n;
			bool named = s.kind == TALK_CARERS || s.kind == TALK_GENERAL;
			json_t *o = json_pack("{s:I, s:s}", "count", (json_int_t)count, "what",
					      count == 1 ? "new reply" : "new replies");

			if (o && named && s.name)
				json_object_set_new(o, "space", json_string(s.name));
			if (!o || json_array_append_new(spaces, o) != 0)
				e = ERR_NOMEM;
			total += count;
		}
		i = j;
	}
	if (e == ERR_OK && total > 0 && actor.id && env && env->mailer) {
		ctx = json_pack("{s:O, s:I}", "spaces", spaces, "total", (json_int_t)total);
		e = ctx ? talk_mail(env, db, actor.id, tmpl, ctx, TALK_ROUTE_FOLLOWING, NULL, now) : ERR_NOMEM;
		if (e == ERR_OK && sent)
			(*sent)++;
	}
	if (mine)
		e = tx_close(db, mine, e);
	json_decref(ctx);
	json_decref(spaces);
	arena_release(&a);
	return e;
}

/* Tells everyone in rows[0..n) (ordered by person), one at a time. */
static enum err tell_each(const struct talk_env *env, struct db *db, const struct news *rows, size_t n,
		const char *tmpl, int64_t now, int *sent)
{
	enum err e = ERR_OK;

	for (size_t i = 0; e == ERR_OK && i < n;) {
		size_t j = i;

		while (j < n && rows[j].person == rows[i].person)
			j++;
		e = tell(env, db, rows + i, j - i, tmpl, now, sent);
		i = j;
	}
	return e;
}

static enum err job_alerts(const struct talk_env *env, struct db *db, int64_t now, int *sent)
{
	int64_t ids[JOB_ALERTS_MAX][3];
	size_t n = 0;
	struct db_res *r;
	enum err e = db_query(db, &q_unalerted, DB_NOARGS, &r);

	if (e)
		return e;
	while (n < JOB_ALERTS_MAX && (e = db_next(r)) == ERR_OK && db_row(r)) {
		ids[n][0] = db_int(r, 0);
		ids[n][1] = db_int(r, 1);
		ids[n][2] = db_int(r, 2);
		n++;
	}
	db_res_free(r);
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		if ((e = db_begin(db)) != ERR_OK)
			break;
		e = alert(env, db, ids[i][0], ids[i][1], ids[i][2], now, sent);
		e = tx_close(db, true, e);
	}
	return e;
}

static enum err job_instant(const struct talk_env *env, struct db *db, int64_t now, int *sent)
{
	struct news *rows = NULL;
	size_t n = 0;
	enum err e = news_of(db, "instant", 0, &rows, &n);

	if (e == ERR_OK)
		e = tell_each(env, db, rows, n, "talk_new_replies", now, sent);
	free(rows);
	return e;
}

/* The daily digests, once a UK day from talk_digest_hour: whoever moves
 * a person's digest_at into today sends theirs. */
static enum err job_daily(const struct talk_env *env, struct db *db, int64_t now, int *sent)
{
	struct uk_tm tm;
	int64_t *people = NULL, today;
	size_t n = 0, cap = 0;
	enum err e;

	uk_from_utc(now, &tm);
	if (tm.hour < talk_digest_hour(env))
		return ERR_OK;
	today = uk_to_utc(tm.year, tm.month, tm.day, 0, 0);
	e = ids_of(db, &q_daily_people, DB_ARGS(DB_INT(today)), &people, &n, &cap);
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		struct news *rows = NULL;
		size_t nr = 0;
		int64_t claimed = 0;

		if ((e = db_begin(db)) != ERR_OK)
			break;
		e = db_exec(db, &q_digest_claim, DB_ARGS(DB_INT(people[i]), DB_INT(now), DB_INT(today)), &claimed);
		if (e == ERR_OK && claimed)
			e = news_of(db, "daily", people[i], &rows, &nr);
		if (e == ERR_OK && nr > 0)
			e = tell(env, db, rows, nr, "talk_digest", now, sent);
		free(rows);
		e = tx_close(db, true, e);
	}
	free(people);
	return e;
}

enum err talk_job(const struct talk_env *env, struct db *db, int64_t now, int *sent)
{
	enum err e;

	/* Without a way to send, nothing is marked as told. */
	if (!env || !env->mailer)
		return ERR_OK;
	if (db_in_tx(db))
		return ERR_INTERNAL;
	if ((e = job_alerts(env, db, now, sent)) != ERR_OK)
		return e;
	if ((e = job_instant(env, db, now, sent)) != ERR_OK)
		return e;
	return job_daily(env, db, now, sent);
}
