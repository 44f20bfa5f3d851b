/*
 * moderate.c - conversations' safety (talk.h): flags, the moderators'
 * queue, a post as a moderator sees it, who wrote it (audited), the
 * moderators' actions on posts and their writers, and watched words.
 * moderate_mail.c raises flags and tells people (notices, emails, the
 * job); moderate_data.c is the feature's part of export and erasure.
 *
 * Every check comes before the first write, and every action that
 * writes to more than one table is one transaction (opened here only
 * when the caller has none). Audit details carry ids and codes, never
 * words someone typed. Moderators act on posts in the spaces they
 * moderate (coordinators: every space), never on their own.
 */
#include "core/common.h"
#include "talk/talk_int.h"

#include "auth/policy.h"
#include "core/buf.h"
#include "core/fields.h"
#include "core/str.h"
#include "core/uktime.h"
#include "store/store.h"
#include "view/markdown.h"

#include <ctype.h>

#define EXCERPT_MAX 240   /* bytes of a post's plain text in the queue */
#define QUEUE_PER_PAGE_MAX 100

/* ---------------------------------------------------------------- SQL */

static const struct sql q_post = { "talk.m_post",
	"SELECT id, topic_id, space_id, coalesce(person_id, 0), state, body FROM talk_post WHERE id = $1", NULL };
static const struct sql q_flag_have = { "talk.m_flag_have",
	"SELECT count(*) FROM talk_flag WHERE post_id = $1 AND by_person = $2 AND reason = $3", NULL };
static const struct sql q_queue = { "talk.m_queue",
	"SELECT f.post_id, p.topic_id, t.title, s.name, s.slug, max(f.urgency), count(*), min(f.created_at), "
	"p.state, p.body FROM talk_flag f JOIN talk_post p ON p.id = f.post_id "
	"JOIN talk_topic t ON t.id = p.topic_id JOIN talk_space s ON s.id = p.space_id "
	"WHERE f.state = 'open' AND (CAST($1 AS BIGINT) = 1 OR p.space_id IN "
	"(SELECT space_id FROM talk_moderator WHERE person_id = $2)) "
	"GROUP BY f.post_id, p.topic_id, t.title, s.name, s.slug, p.state, p.body "
	"ORDER BY max(f.urgency) DESC, min(f.created_at), f.post_id LIMIT $3 OFFSET $4", NULL };
static const struct sql q_queue_n = { "talk.m_queue_n",
	"SELECT count(DISTINCT f.post_id), count(DISTINCT CASE WHEN f.urgency = 2 THEN f.post_id END) "
	"FROM talk_flag f JOIN talk_post p ON p.id = f.post_id "
	"WHERE f.state = 'open' AND (CAST($1 AS BIGINT) = 1 OR p.space_id IN "
	"(SELECT space_id FROM talk_moderator WHERE person_id = $2))", NULL };
static const struct sql q_queue_reasons = { "talk.m_queue_reasons",
	"SELECT reason FROM talk_flag WHERE post_id = $1 AND state = 'open' GROUP BY reason "
	"ORDER BY max(urgency) DESC, reason", NULL };
static const struct sql q_modmail_n = { "talk.m_modmail_n",
	"SELECT count(DISTINCT person_id) FROM talk_modmail WHERE from_moderator = 0 AND answered = 0", NULL };
static const struct sql q_flags_of = { "talk.m_flags_of",
	"SELECT reason, note, coalesce(by_person, 0), created_at, urgency, state FROM talk_flag "
	"WHERE post_id = $1 ORDER BY created_at, id", NULL };
static const struct sql q_history = { "talk.m_history",
	"SELECT body, coalesce(edited_by, 0), note, edited_at FROM talk_post_edit WHERE post_id = $1 "
	"ORDER BY id", NULL };
static const struct sql q_writer = { "talk.m_writer",
	"SELECT trusted, coalesce(muted_until, 0), suspended, "
	"(SELECT count(*) FROM talk_notice WHERE person_id = $1 AND kind = 'warn') "
	"FROM talk_profile WHERE person_id = $1", NULL };
static const struct sql q_person = { "talk.m_person",
	"SELECT id, name, coalesce(email, '') FROM person WHERE id = $1", NULL };
static const struct sql q_space_name = { "talk.m_space_name",
	"SELECT name FROM talk_space WHERE id = $1", NULL };
static const struct sql q_set_state = { "talk.m_set_state",
	"UPDATE talk_post SET state = $2, hidden_note = $3 WHERE id = $1", NULL };
static const struct sql q_topic_n = { "talk.m_topic_n",
	"UPDATE talk_topic SET posts_n = posts_n + $2 WHERE id = $1", NULL };
static const struct sql q_edit_keep = { "talk.m_edit_keep",
	"INSERT INTO talk_post_edit (post_id, body, edited_by, note, edited_at) VALUES ($1, $2, $3, $4, $5)", NULL };
static const struct sql q_edit_set = { "talk.m_edit_set",
	"UPDATE talk_post SET body = $2, search = $3, edits_n = edits_n + 1, edited_at = $4, html = NULL WHERE id = $1",
	NULL };
/* What readers see of topic $1's posts changed (posts.c keeps the same). */
static const struct sql q_topic_touch = { "talk.m_topic_touch",
	"UPDATE talk_topic SET version = version + 1 WHERE id = $1", NULL };
/* The topic's title when post $2 opens topic $1 (its search has both). */
static const struct sql q_opening_title = { "talk.m_opening_title",
	"SELECT title FROM talk_topic WHERE id = $1 AND (SELECT min(id) FROM talk_post WHERE topic_id = $1) = $2",
	NULL };
static const struct sql q_flags_close = { "talk.m_flags_close",
	"UPDATE talk_flag SET state = 'closed', closed_at = $2, closed_by = $3 WHERE post_id = $1 AND state = 'open'",
	NULL };
static const struct sql q_open_flags = { "talk.m_open_flags",
	"SELECT count(*) FROM talk_flag WHERE post_id = $1 AND state = 'open'", NULL };
static const struct sql q_profile_ensure = { "talk.m_profile_ensure",
	"INSERT INTO talk_profile (person_id, display_name, name_key, created_at, updated_at) "
	"VALUES ($1, '', $2, $3, $3) ON CONFLICT (person_id) DO NOTHING", NULL };
static const struct sql q_profile_flags = { "talk.m_profile_flags",
	"SELECT trusted, suspended FROM talk_profile WHERE person_id = $1", NULL };
static const struct sql q_mute = { "talk.m_mute",
	"UPDATE talk_profile SET muted_until = $2, updated_at = $3 WHERE person_id = $1", NULL };
static const struct sql q_suspend = { "talk.m_suspend",
	"UPDATE talk_profile SET suspended = $2, updated_at = $3 WHERE person_id = $1", NULL };
static const struct sql q_trust = { "talk.m_trust",
	"UPDATE talk_profile SET trusted = 1, trusted_by = $2, updated_at = $3 WHERE person_id = $1", NULL };
static const struct sql q_watched_all = { "talk.m_watched_all",
	"SELECT word, action, coalesce(replacement, '***') FROM talk_watched ORDER BY word", NULL };
static const struct sql q_watched_put = { "talk.m_watched_put",
	"INSERT INTO talk_watched (word, action, replacement, added_by, added_at) VALUES ($1, $2, $3, $4, $5) "
	"ON CONFLICT (word) DO UPDATE SET action = excluded.action, replacement = excluded.replacement, "
	"added_by = excluded.added_by, added_at = excluded.added_at", NULL };
static const struct sql q_watched_del = { "talk.m_watched_del",
	"DELETE FROM talk_watched WHERE word = $1", NULL };
static const struct sql q_watched_list = { "talk.m_watched_list",
	"SELECT word, action, replacement FROM talk_watched ORDER BY word", NULL };

/* ---------------------------------------------------------------- vocabularies */

static const struct {
	const char *code, *words;
} reasons[TALK_REASON__MAX] = {
	[TALK_R_CRISIS] = { "crisis", "Someone may be at risk" },
	[TALK_R_UNKIND] = { "unkind", "Unkind or hurtful" },
	[TALK_R_UNSAFE_ADVICE] = { "unsafe_advice", "Health advice that could be unsafe" },
	[TALK_R_PERSONAL] = { "personal_details", "Shares personal details" },
	[TALK_R_SPAM] = { "spam", "Spam or advertising" },
	[TALK_R_OTHER] = { "other", "Something else" },
	[TALK_R_HELD] = { "held", "Held for a moderator to check" },
};

const char *talk_reason_code(enum talk_reason r)
{
	return (unsigned)r < TALK_REASON__MAX ? reasons[r].code : "";
}

const char *talk_reason_words(enum talk_reason r)
{
	return (unsigned)r < TALK_REASON__MAX ? reasons[r].words : "";
}

bool talk_reason_parse(const char *code, enum talk_reason *out)
{
	for (int i = 0; code && i < TALK_REASON__MAX; i++)
		if (strcmp(code, reasons[i].code) == 0) {
			*out = (enum talk_reason)i;
			return true;
		}
	return false;
}

/* Words of a reason code from the database ("" when unknown). */
static const char *reason_words_of(const char *code)
{
	enum talk_reason r;

	return talk_reason_parse(code, &r) ? talk_reason_words(r) : "";
}

static const char *const actions[TALK_ACTION__MAX] = {
	[TALK_HIDE] = "hide", [TALK_RESTORE] = "restore", [TALK_APPROVE] = "approve", [TALK_EDIT] = "edit",
	[TALK_WARN] = "warn", [TALK_MUTE] = "mute", [TALK_SUSPEND] = "suspend", [TALK_UNSUSPEND] = "unsuspend",
	[TALK_TRUST] = "trust", [TALK_DISMISS] = "dismiss",
};

const char *talk_action_code(enum talk_action a)
{
	return (unsigned)a < TALK_ACTION__MAX ? actions[a] : "";
}

bool talk_action_parse(const char *code, enum talk_action *out)
{
	for (int i = 0; code && i < TALK_ACTION__MAX; i++)
		if (strcmp(code, actions[i]) == 0) {
			*out = (enum talk_action)i;
			return true;
		}
	return false;
}

/* ---------------------------------------------------------------- shared bits */

/* A post as the rules here need it. */
struct mpost {
	int64_t id, topic_id, space_id, writer;   /* writer 0: erased */
	char state[8];
	const char *body;                         /* in the arena given */
};

static enum err post_load(struct db *db, struct arena *a, int64_t id, struct mpost *out)
{
	struct db_res *r;
	bool oom = false;
	enum err e = db_query_one(db, &q_post, DB_ARGS(DB_INT(id)), &r);

	memset(out, 0, sizeof(*out));
	if (e)
		return e;
	out->id = db_int(r, 0);
	out->topic_id = db_int(r, 1);
	out->space_id = db_int(r, 2);
	out->writer = db_int(r, 3);
	str_copy(out->state, sizeof(out->state), db_text(r, 4));
	out->body = db_dup(a, r, 5, &oom);
	db_res_free(r);
	return oom || !out->body ? ERR_NOMEM : ERR_OK;
}

static bool coordinator(const struct actor *actor)
{
	return actor && (actor->roles & (ROLE_BIT(ROLE_COORDINATOR) | ROLE_BIT(ROLE_ADMIN)));
}

/* Opens a transaction when the caller has none; *mine says whether to
 * end it. */
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

/* A short plain-text excerpt of a post's Markdown, cut on a character
 * boundary, in a ("" when it cannot be made). */
static const char *excerpt(struct arena *a, const char *body, size_t max)
{
	struct buf b;
	const char *out;
	size_t n;

	buf_init(&b, MARKDOWN_TEXT_BOUND(TALK_BODY_MAX));
	if (markdown_text(body, strlen(body), &b, NULL) != ERR_OK || !buf_ok(&b)) {
		buf_release(&b);
		return "";
	}
	n = b.len;
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)b.p[n] & 0xc0) == 0x80)
			n--;
		out = arena_printf(a, "%.*s…", (int)n, b.p);
	} else {
		out = arena_strndup(a, b.p, n);
	}
	buf_release(&b);
	return out ? out : "";
}

/* A note a moderator or flagger typed: optional (needed when required),
 * TALK_REASON_NOTE_MAX characters. */
static bool note_ok(json_t *errors, const char *note, bool required, const char *empty)
{
	if (required && str_is_blank(note)) {
		field_err(errors, "note", empty);
		return false;
	}
	return field_text_ok(errors, "note", "The note", note, TALK_REASON_NOTE_MAX, false);
}

/* ---------------------------------------------------------------- flags */

enum err talk_flag_post(const struct talk_env *env, struct db *db, int64_t post_id, const struct actor *actor,
		const char *reason, const char *note, int64_t now, json_t *errors, int64_t *id)
{
	struct mpost p;
	struct talk_space s;
	struct arena a;
	enum talk_reason r = TALK_R_OTHER;
	int64_t have = 0, fid = 0;
	bool ok = true, mine;
	enum err e;

	if (id)
		*id = 0;
	if (!actor || !actor->id)
		return ERR_FORBIDDEN;
	arena_init(&a);
	e = post_load(db, &a, post_id, &p);
	if (e == ERR_OK)
		e = talk_space_load_id(db, &a, actor, p.space_id, &s);
	/* Only a post the actor may read: a hidden or held one is for
	 * moderators (and a held one for its writer too). */
	if (e == ERR_OK && !s.member && !s.moderator)
		e = ERR_NOT_FOUND;
	if (e == ERR_OK && strcmp(p.state, "visible") != 0 && !s.moderator &&
	    !(strcmp(p.state, "held") == 0 && p.writer == actor->id))
		e = ERR_NOT_FOUND;
	arena_release(&a);
	if (e)
		return e;

	if (!talk_reason_parse(reason, &r) || r == TALK_R_HELD) {
		field_err(errors, "reason", "Choose why you are telling the moderators about this post");
		ok = false;
	}
	if (!note_ok(errors, note, ok && r == TALK_R_OTHER, "Say what is wrong with this post"))
		ok = false;
	if (!ok)
		return ERR_INVALID;
	if ((e = db_query_int(db, &q_flag_have, DB_ARGS(DB_INT(post_id), DB_INT(actor->id),
			DB_TEXT(talk_reason_code(r))), &have)) != ERR_OK)
		return e;
	if (have > 0) {
		field_err(errors, "reason", "You have already told the moderators about this post for this reason");
		return ERR_CONFLICT;
	}

	if ((e = tx_open(db, &mine)) != ERR_OK)
		return e;
	e = talk_flag_raise(env, db, post_id, p.space_id, actor->id, r, str_is_blank(note) ? NULL : note,
			    r == TALK_R_CRISIS ? 2 : 1, now, &fid);
	if (e == ERR_OK)
		e = talk_audit(db, now, actor->id, "talk.flagged", p.writer, "post=%lld flag=%lld reason=%s",
			       (long long)post_id, (long long)fid, talk_reason_code(r));
	e = tx_close(db, mine, e);
	if (e == ERR_OK && id)
		*id = fid;
	return e;
}

/* ---------------------------------------------------------------- the queue */

enum err talk_queue(struct db *db, struct arena *a, const struct actor *actor, int page, int per_page,
		json_t **out)
{
	int64_t all = coordinator(actor) ? 1 : 0, total = 0, urgent = 0, modmail = 0;
	json_t *items = NULL, *o;
	struct db_res *r = NULL;
	size_t i;
	enum err e;

	*out = NULL;
	if (!actor || !actor->id || !talk_moderates_any(db, actor))
		return ERR_FORBIDDEN;
	if (page < 1)
		page = 1;
	if (per_page < 1 || per_page > QUEUE_PER_PAGE_MAX)
		per_page = per_page < 1 ? 20 : QUEUE_PER_PAGE_MAX;

	if ((e = db_query_one(db, &q_queue_n, DB_ARGS(DB_INT(all), DB_INT(actor->id)), &r)) != ERR_OK)
		return e;
	total = db_int(r, 0);
	urgent = db_int(r, 1);
	db_res_free(r);
	if ((e = db_query_int(db, &q_modmail_n, DB_NOARGS, &modmail)) != ERR_OK && e != ERR_NOT_FOUND)
		return e;

	if (!(items = json_array()))
		return ERR_NOMEM;
	e = db_query(db, &q_queue, DB_ARGS(DB_INT(all), DB_INT(actor->id), DB_INT(per_page),
			DB_INT((int64_t)(page - 1) * per_page)), &r);
	while (e == ERR_OK && (e = db_next(r)) == ERR_OK && db_row(r)) {
		int64_t u = db_int(r, 5);

		o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:[], s:I, s:I, s:s, s:s}",
			      "post_id", (json_int_t)db_int(r, 0), "topic_id", (json_int_t)db_int(r, 1),
			      "topic_title", db_text(r, 2), "space", db_text(r, 3), "space_slug", db_text(r, 4),
			      "urgency", u >= 2 ? "urgent" : u == 1 ? "normal" : "low", "reasons",
			      "flags", (json_int_t)db_int(r, 6), "oldest_at", (json_int_t)db_int(r, 7),
			      "state", db_text(r, 8), "excerpt", excerpt(a, db_text(r, 9), EXCERPT_MAX));
		if (!o || json_array_append_new(items, o) != 0)
			e = ERR_NOMEM;
	}
	if (r)
		db_res_free(r);
	json_array_foreach(items, i, o) {
		json_t *words = json_object_get(o, "reasons");

		if (e)
			break;
		e = db_query(db, &q_queue_reasons, DB_ARGS(DB_INT(json_integer_value(json_object_get(o, "post_id")))),
			     &r);
		while (e == ERR_OK && (e = db_next(r)) == ERR_OK && db_row(r))
			if (json_array_append_new(words, json_string(reason_words_of(db_text(r, 0)))) != 0)
				e = ERR_NOMEM;
		if (r)
			db_res_free(r);
		r = NULL;
	}
	if (e == ERR_OK) {
		*out = json_pack("{s:o, s:I, s:I, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total,
				 "page", (json_int_t)page, "pages",
				 (json_int_t)(total > 0 ? (total + per_page - 1) / per_page : 1),
				 "urgent", (json_int_t)urgent, "modmail", (json_int_t)modmail);
		return *out ? ERR_OK : ERR_NOMEM;
	}
	json_decref(items);
	return e;
}

/* ---------------------------------------------------------------- a post for moderators */

static enum err add_flags(struct db *db, struct arena *a, int64_t post_id, json_t *out)
{
	json_t *flags = json_array(), *o;
	struct db_res *r;
	enum err e;

	if (!flags || json_object_set_new(out, "flags", flags) != 0)
		return ERR_NOMEM;
	if ((e = db_query(db, &q_flags_of, DB_ARGS(DB_INT(post_id)), &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		int64_t by = db_int(r, 2), u = db_int(r, 4);
		const char *name = by ? talk_display_name(db, a, by) : "kith";

		o = json_pack("{s:s, s:s, s:s?, s:s, s:I, s:s, s:b}", "reason", db_text(r, 0),
			      "words", reason_words_of(db_text(r, 0)), "note", db_text(r, 1),
			      "by", name ? name : "Someone", "created_at", (json_int_t)db_int(r, 3),
			      "urgency", u >= 2 ? "urgent" : u == 1 ? "normal" : "low",
			      "open", strcmp(db_text(r, 5), "open") == 0);
		if (!o || json_array_append_new(flags, o) != 0) {
			e = ERR_NOMEM;
			break;
		}
	}
	db_res_free(r);
	return e;
}

static enum err add_history(struct db *db, struct arena *a, int64_t post_id, json_t *out)
{
	json_t *history = json_array(), *o;
	struct db_res *r;
	enum err e;

	if (!history || json_object_set_new(out, "history", history) != 0)
		return ERR_NOMEM;
	if ((e = db_query(db, &q_history, DB_ARGS(DB_INT(post_id)), &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		int64_t by = db_int(r, 1);
		const char *name = by ? talk_display_name(db, a, by) : "Someone";
		struct buf html;

		buf_init(&html, MARKDOWN_HTML_BOUND(TALK_BODY_MAX));
		if (markdown_html(db_text(r, 0), db_len(r, 0), &html, NULL) != ERR_OK)
			buf_reset(&html);
		o = json_pack("{s:s, s:s, s:s?, s:I}", "body_html", buf_ok(&html) ? html.p : "",
			      "edited_by", name ? name : "Someone", "note", db_text(r, 2),
			      "edited_at", (json_int_t)db_int(r, 3));
		buf_release(&html);
		if (!o || json_array_append_new(history, o) != 0) {
			e = ERR_NOMEM;
			break;
		}
	}
	db_res_free(r);
	return e;
}

static enum err add_writer(struct db *db, struct arena *a, int64_t writer, int64_t now, json_t *out)
{
	struct db_res *r;
	json_t *w;
	const char *name = writer ? talk_display_name(db, a, writer) : "Someone";
	enum err e;

	if (!name)
		return ERR_NOMEM;
	w = json_pack("{s:s, s:b, s:b, s:I}", "display_name", name, "trusted", 0, "suspended", 0, "warnings",
		      (json_int_t)0);
	if (!w || json_object_set_new(out, "writer", w) != 0)
		return ERR_NOMEM;
	if (!writer)
		return ERR_OK;
	e = db_query_one(db, &q_writer, DB_ARGS(DB_INT(writer)), &r);
	if (e == ERR_NOT_FOUND)
		return ERR_OK;
	if (e)
		return e;
	json_object_set_new(w, "trusted", json_boolean(db_int(r, 0) != 0));
	if (db_int(r, 1) > now)
		json_object_set_new(w, "muted_until", json_integer(db_int(r, 1)));
	json_object_set_new(w, "suspended", json_boolean(db_int(r, 2) != 0));
	json_object_set_new(w, "warnings", json_integer(db_int(r, 3)));
	db_res_free(r);
	return ERR_OK;
}

enum err talk_mod_post(struct db *db, struct arena *a, const struct actor *actor, int64_t post_id, int64_t now,
		json_t **out)
{
	struct mpost p;
	enum err e;

	*out = NULL;
	if ((e = post_load(db, a, post_id, &p)) != ERR_OK)
		return e;
	if (!actor || !actor->id || !talk_is_moderator(db, actor, p.space_id))
		return ERR_FORBIDDEN;
	if ((e = talk_post_get(db, a, actor, post_id, now, TALK_DEFAULT_EDIT_MINUTES, out)) != ERR_OK)
		return e;
	if ((e = add_flags(db, a, post_id, *out)) == ERR_OK && (e = add_history(db, a, post_id, *out)) == ERR_OK)
		e = add_writer(db, a, p.writer, now, *out);
	if (e) {
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

enum err talk_reveal(struct db *db, const struct actor *actor, int64_t post_id, int64_t now, json_t **out)
{
	struct mpost p;
	struct db_res *r;
	struct arena a;
	enum err e;

	*out = NULL;
	arena_init(&a);
	e = post_load(db, &a, post_id, &p);
	arena_release(&a);
	if (e)
		return e;
	if (!actor || !actor->id || !talk_is_moderator(db, actor, p.space_id))
		return ERR_FORBIDDEN;
	if (!p.writer)   /* erased: there is nobody to name */
		return ERR_NOT_FOUND;
	if ((e = db_query_one(db, &q_person, DB_ARGS(DB_INT(p.writer)), &r)) != ERR_OK)
		return e;
	*out = json_pack("{s:I, s:s, s:s}", "person_id", (json_int_t)db_int(r, 0), "name", db_text(r, 1),
			 "email", db_text(r, 2));
	db_res_free(r);
	if (!*out)
		return ERR_NOMEM;
	/* The look is on the record before the answer leaves. */
	e = talk_audit(db, now, actor->id, "talk.revealed", p.writer, "post=%lld", (long long)post_id);
	if (e) {
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

/* ---------------------------------------------------------------- actions */

/* The words the writer is told, in a. note may be NULL. */
static const char *notice_words(struct arena *a, enum talk_action act, const char *space, const char *note,
		int64_t until)
{
	static const char write_to_us[] = "You can write to the moderators if you think this was a mistake.";
	bool has = !str_is_blank(note);
	const char *why = has ? arena_printf(a, " Their reason: %s", note) : "";
	char day[64] = "", hm[16] = "";

	if (!why)
		return NULL;
	switch (act) {
	case TALK_HIDE:
		return arena_printf(a, "A moderator hid your post in %s, so other people cannot read it now.%s %s",
				    space, why, write_to_us);
	case TALK_RESTORE:
		return arena_printf(a, "A moderator has put your post in %s back, so everyone can read it again.",
				    space);
	case TALK_APPROVE:
		return arena_printf(a, "A moderator has checked your post in %s and it is now shown to everyone.",
				    space);
	case TALK_EDIT:
		return arena_printf(a, "A moderator changed the words of your post in %s.%s %s", space, why,
				    write_to_us);
	case TALK_WARN:
		return arena_printf(a, "A moderator has sent you a warning about your post in %s.%s Please keep to "
				    "the guidelines of the space, so that it stays kind and safe for everyone. You "
				    "can write to the moderators if you want to talk about it.", space, why);
	case TALK_MUTE:
		uk_format_day_date(until, day, sizeof(day));
		uk_format_time(until, hm, sizeof(hm));
		return arena_printf(a, "A moderator has paused your posting in conversations until %s at %s.%s "
				    "You can still read, and you can write to the moderators.", day, hm, why);
	case TALK_SUSPEND:
		return arena_printf(a, "A moderator has stopped you posting in conversations for now.%s You can "
				    "still read. %s", why, write_to_us);
	case TALK_UNSUSPEND:
		return arena_printf(a, "A moderator has lifted the stop on your posting. You can post in "
				    "conversations again.");
	case TALK_TRUST:
	case TALK_DISMISS:
	case TALK_ACTION__MAX:
		break;
	}
	return NULL;
}

/* The checks of what the moderator typed, before anything else. */
static bool moderate_fields(enum talk_action act, const char *note, const char *body, int days, json_t *errors)
{
	bool ok = true;

	switch (act) {
	case TALK_HIDE:
		ok = note_ok(errors, note, true, "Say why you are hiding this post: the writer is shown it");
		break;
	case TALK_WARN:
		ok = note_ok(errors, note, true, "Say what the warning is about: the writer is shown it");
		break;
	case TALK_EDIT:
		ok = note_ok(errors, note, true, "Say why you are changing this post: the writer is shown it");
		if (str_is_blank(body)) {
			field_err(errors, "body", "Enter the post's new words");
			ok = false;
		} else if (strlen(body) > TALK_BODY_MAX || !str_is_clean_utf8(body, strlen(body))) {
			field_err(errors, "body", strlen(body) > TALK_BODY_MAX ?
				  "The post must be 20,000 characters or fewer" :
				  "The post has characters we cannot read: remove them and try again");
			ok = false;
		}
		break;
	case TALK_MUTE:
		if (days < 1 || days > TALK_MUTE_DAYS_MAX) {
			field_err(errors, "days", "Enter how many days, from 1 to 90");
			ok = false;
		}
		ok = note_ok(errors, note, false, NULL) && ok;
		break;
	default:
		ok = note_ok(errors, note, false, NULL);
		break;
	}
	return ok;
}

_Static_assert(TALK_MUTE_DAYS_MAX == 90, "say the new limit in the days error");
_Static_assert(TALK_BODY_MAX == 20000, "say the new limit in the body error");

/* Is the post (and its writer) in a state act applies to? */
static enum err moderate_state(struct db *db, enum talk_action act, const struct mpost *p)
{
	struct db_res *r;
	int64_t trusted = 0, suspended = 0, open = 0;
	enum err e;

	switch (act) {
	case TALK_HIDE:
		return strcmp(p->state, "hidden") == 0 ? ERR_CONFLICT : ERR_OK;
	case TALK_RESTORE:
		return strcmp(p->state, "hidden") == 0 ? ERR_OK : ERR_CONFLICT;
	case TALK_APPROVE:
		return strcmp(p->state, "held") == 0 ? ERR_OK : ERR_CONFLICT;
	case TALK_DISMISS:
		if ((e = db_query_int(db, &q_open_flags, DB_ARGS(DB_INT(p->id)), &open)) != ERR_OK)
			return e;
		return open > 0 ? ERR_OK : ERR_CONFLICT;
	case TALK_EDIT:
		return ERR_OK;
	default:
		break;
	}
	/* The rest are about the writer. */
	if (!p->writer)
		return ERR_CONFLICT;
	e = db_query_one(db, &q_profile_flags, DB_ARGS(DB_INT(p->writer)), &r);
	if (e == ERR_OK) {
		trusted = db_int(r, 0);
		suspended = db_int(r, 1);
		db_res_free(r);
	} else if (e != ERR_NOT_FOUND) {
		return e;
	}
	if ((act == TALK_TRUST && trusted) || (act == TALK_SUSPEND && suspended) ||
	    (act == TALK_UNSUSPEND && !suspended))
		return ERR_CONFLICT;
	return ERR_OK;
}

/* The writer's profile row, made (with no display name chosen yet) when
 * they have none, for a mute, suspension or trust to be kept on. The
 * name key "#<id>" cannot be a folded name (folding drops '#'). */
static enum err profile_ensure(struct db *db, int64_t person_id, int64_t now)
{
	char key[32];

	snprintf(key, sizeof(key), "#%lld", (long long)person_id);
	return db_exec(db, &q_profile_ensure, DB_ARGS(DB_INT(person_id), DB_TEXT(key), DB_INT(now)), NULL);
}

/* A moderator's edit: the words before go to the history. */
static enum err moderate_edit(struct db *db, struct arena *a, const struct mpost *p, int64_t by,
		const char *note, const char *body, int64_t now)
{
	struct markdown_opts o = { .skip_quotes = true };
	struct buf text;
	const char *search = NULL;
	enum err e;

	struct db_res *r;

	buf_init(&text, MARKDOWN_TEXT_BOUND(TALK_BODY_MAX));
	e = markdown_text(body, strlen(body), &text, &o);
	if (e == ERR_OK && (e = db_query_one(db, &q_opening_title, DB_ARGS(DB_INT(p->topic_id), DB_INT(p->id)),
					     &r)) == ERR_OK) {
		/* An opening post is found by its topic's title too (as
		 * posts.c indexes it). */
		search = talk_fold(a, arena_printf(a, "%s %s", db_text(r, 0), text.p));
		db_res_free(r);
	} else if (e == ERR_NOT_FOUND) {
		search = talk_fold(a, text.p);
		e = ERR_OK;
	}
	buf_release(&text);
	if (e)
		return e;
	if (!search)
		return ERR_NOMEM;
	e = db_exec(db, &q_edit_keep, DB_ARGS(DB_INT(p->id), DB_TEXT(p->body), DB_INT(by), DB_TEXT(note),
			DB_INT(now)), NULL);
	if (e == ERR_OK)
		e = db_exec(db, &q_edit_set, DB_ARGS(DB_INT(p->id), DB_TEXT(body), DB_TEXT(search), DB_INT(now)),
			    NULL);
	return e;
}

/* The change act makes, in the open transaction. */
static enum err moderate_apply(struct db *db, struct arena *a, const struct actor *actor, enum talk_action act,
		const struct mpost *p, const char *note, const char *body, int64_t until, int64_t now)
{
	bool visible = strcmp(p->state, "visible") == 0;
	enum err e = ERR_OK;

	switch (act) {
	case TALK_HIDE:
		e = db_exec(db, &q_set_state, DB_ARGS(DB_INT(p->id), DB_TEXT("hidden"), DB_TEXT(note)), NULL);
		if (e == ERR_OK && visible)
			e = db_exec(db, &q_topic_n, DB_ARGS(DB_INT(p->topic_id), DB_INT(-1)), NULL);
		break;
	case TALK_RESTORE:
	case TALK_APPROVE:
		e = db_exec(db, &q_set_state, DB_ARGS(DB_INT(p->id), DB_TEXT("visible"), DB_NULL), NULL);
		if (e == ERR_OK && !visible)
			e = db_exec(db, &q_topic_n, DB_ARGS(DB_INT(p->topic_id), DB_INT(1)), NULL);
		break;
	case TALK_EDIT:
		e = moderate_edit(db, a, p, actor->id, note, body, now);
		break;
	case TALK_MUTE:
		if ((e = profile_ensure(db, p->writer, now)) == ERR_OK)
			e = db_exec(db, &q_mute, DB_ARGS(DB_INT(p->writer), DB_INT(until), DB_INT(now)), NULL);
		break;
	case TALK_SUSPEND:
	case TALK_UNSUSPEND:
		if ((e = profile_ensure(db, p->writer, now)) == ERR_OK)
			e = db_exec(db, &q_suspend, DB_ARGS(DB_INT(p->writer), DB_INT(act == TALK_SUSPEND),
					DB_INT(now)), NULL);
		break;
	case TALK_TRUST:
		if ((e = profile_ensure(db, p->writer, now)) == ERR_OK)
			e = db_exec(db, &q_trust, DB_ARGS(DB_INT(p->writer), DB_INT(actor->id), DB_INT(now)), NULL);
		break;
	case TALK_WARN:
	case TALK_DISMISS:
	case TALK_ACTION__MAX:
		break;
	}
	if (e == ERR_OK && (act == TALK_HIDE || act == TALK_RESTORE || act == TALK_APPROVE || act == TALK_EDIT))
		e = db_exec(db, &q_topic_touch, DB_ARGS(DB_INT(p->topic_id)), NULL);
	/* What the flags asked for has been seen to (trust and lifting a
	 * suspension are about the writer, not this post). */
	if (e == ERR_OK && act != TALK_TRUST && act != TALK_UNSUSPEND)
		e = db_exec(db, &q_flags_close, DB_ARGS(DB_INT(p->id), DB_INT(now), DB_INT(actor->id)), NULL);
	return e;
}

enum err talk_moderate(const struct talk_env *env, struct db *db, const struct actor *actor, int64_t post_id,
		enum talk_action action, const char *note, const char *body, int days, int64_t now,
		json_t *errors)
{
	struct mpost p;
	struct arena a;
	struct db_res *r;
	const char *space = NULL, *words = NULL;
	int64_t until = action == TALK_MUTE ? now + (int64_t)days * 86400 : 0;
	bool mine;
	enum err e;

	if ((unsigned)action >= TALK_ACTION__MAX)
		return ERR_INVALID;
	if (!actor || !actor->id)
		return ERR_FORBIDDEN;
	arena_init(&a);
	if ((e = post_load(db, &a, post_id, &p)) != ERR_OK)
		goto out;
	if (!talk_is_moderator(db, actor, p.space_id) || p.writer == actor->id) {
		e = ERR_FORBIDDEN;   /* not their space; nobody moderates their own words */
		goto out;
	}
	if (!moderate_fields(action, note, body, days, errors)) {
		e = ERR_INVALID;
		goto out;
	}
	if ((e = moderate_state(db, action, &p)) != ERR_OK)
		goto out;
	if ((e = db_query_one(db, &q_space_name, DB_ARGS(DB_INT(p.space_id)), &r)) != ERR_OK)
		goto out;
	space = db_dup(&a, r, 0, NULL);
	db_res_free(r);
	if (!space) {
		e = ERR_NOMEM;
		goto out;
	}
	if (str_is_blank(note))
		note = NULL;
	if (p.writer && action != TALK_DISMISS && action != TALK_TRUST &&
	    !(words = notice_words(&a, action, space, note, until))) {
		e = ERR_NOMEM;
		goto out;
	}

	if ((e = tx_open(db, &mine)) != ERR_OK)
		goto out;
	e = moderate_apply(db, &a, actor, action, &p, note, body, until, now);
	if (e == ERR_OK) {
		char action_name[32];

		snprintf(action_name, sizeof(action_name), "talk.%s", talk_action_code(action));
		e = action == TALK_MUTE ?
		    talk_audit(db, now, actor->id, action_name, p.writer, "post=%lld days=%d", (long long)post_id, days) :
		    talk_audit(db, now, actor->id, action_name, p.writer, "post=%lld", (long long)post_id);
	}
	if (e == ERR_OK && words)
		e = talk_notice_add(env, db, p.writer, talk_action_code(action), post_id, actor->id, words, until,
				    now);
	e = tx_close(db, mine, e);
out:
	arena_release(&a);
	return e;
}

/* ---------------------------------------------------------------- watched words */

static bool word_byte(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

/* Does body at p (a word's start) begin with the whole word w (ASCII
 * letters in either case)? */
static bool word_at(const char *p, const char *w, size_t n)
{
	return strncasecmp(p, w, n) == 0 && !word_byte((unsigned char)p[n]);
}

/* "It has a word ... (\"word\")" in why: the word cut, at a character's
 * start, to what fits (a sentence cut inside a character is not UTF-8,
 * which the flag's note, a JSON string, must be). */
static void hold_why(char *why, size_t whylen, const char *word)
{
	static const char pre[] = "It has a word the moderators check first (\"", post[] = "\")";
	size_t room, n = strlen(word);

	if (!why || !whylen)
		return;
	room = whylen > sizeof(pre) + sizeof(post) - 2 ? whylen - 1 - (sizeof(pre) - 1) - (sizeof(post) - 1) : 0;
	if (n > room) {
		n = room;
		while (n > 0 && ((unsigned char)word[n] & 0xc0) == 0x80)
			n--;
	}
	snprintf(why, whylen, "%s%.*s%s", pre, (int)n, word, post);
}

enum err talk_watched_match(struct arena *a, const char *body, const struct talk_watch *w, size_t nw,
		const char **out, bool *hold, char *why, size_t whylen)
{
	struct buf b;
	bool replaced = false;
	enum err e = ERR_OK;

	*out = body;
	*hold = false;
	if (why && whylen)
		*why = '\0';
	if (nw == 0)
		return ERR_OK;

	/* One pass: at each word's start, the first watched word there. */
	buf_init(&b, TALK_BODY_MAX * 4);
	for (const char *p = body; *p;) {
		bool start = p == body || !word_byte((unsigned char)p[-1]);
		size_t k = nw;

		if (start && word_byte((unsigned char)*p))
			for (k = 0; k < nw && !word_at(p, w[k].word, w[k].n); k++)
				;
		if (k == nw) {
			buf_addc(&b, *p++);
			continue;
		}
		if (w[k].hold) {
			if (!*hold)
				hold_why(why, whylen, w[k].word);
			*hold = true;
			buf_add(&b, p, w[k].n);
		} else {
			buf_adds(&b, w[k].replacement);
			replaced = true;
		}
		p += w[k].n;
	}
	if (replaced) {
		*out = buf_ok(&b) ? arena_strndup(a, b.p, b.len) : NULL;
		if (!*out) {
			*out = body;
			e = ERR_NOMEM;
		}
	}
	buf_release(&b);
	return e;
}

enum err talk_watched_apply(struct db *db, struct arena *a, const char *body, const char **out, bool *hold,
		char *why, size_t whylen)
{
	struct talk_watch *w = NULL;
	size_t nw = 0, cap = 0;
	struct db_res *r;
	enum err e;

	*out = body;
	*hold = false;
	if (why && whylen)
		*why = '\0';
	if ((e = db_query(db, &q_watched_all, DB_NOARGS, &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		if (nw == cap) {
			struct talk_watch *more = arena_calloc(a, cap ? cap * 2 : 16, sizeof(*w));

			if (!more) {
				e = ERR_NOMEM;
				break;
			}
			if (nw)
				memcpy(more, w, nw * sizeof(*w));
			w = more;
			cap = cap ? cap * 2 : 16;
		}
		w[nw].word = db_dup(a, r, 0, NULL);
		w[nw].replacement = db_dup(a, r, 2, NULL);
		w[nw].hold = strcmp(db_text(r, 1), "hold") == 0;
		if (!w[nw].word || !w[nw].replacement) {
			e = ERR_NOMEM;
			break;
		}
		w[nw].n = strlen(w[nw].word);
		if (w[nw].n)
			nw++;
	}
	db_res_free(r);
	if (e || nw == 0)
		return e;
	return talk_watched_match(a, body, w, nw, out, hold, why, whylen);
}

enum err talk_watched_add(struct db *db, const char *word, const char *action, const char *replacement,
		int64_t by, int64_t now, json_t *errors)
{
	const char *bad;
	const char *folded = NULL;
	struct arena a;
	bool ok = true, replace = action && strcmp(action, "replace") == 0;
	enum err e;

	if ((bad = str_check_line(word, TALK_WORD_MAX, "Enter the word to watch for",
				  "The word must be 60 characters or fewer",
				  "The word has characters we cannot read: remove them and try again"))) {
		field_err(errors, "word", bad);
		ok = false;
	}
	if (!replace && !(action && strcmp(action, "hold") == 0)) {
		field_err(errors, "action", "Choose whether a post with this word is held or has it replaced");
		ok = false;
	}
	if (replace && !str_is_blank(replacement) &&
	    (bad = str_check_line(replacement, TALK_WORD_MAX, "", "The replacement must be 60 characters or fewer",
				  "The replacement has characters we cannot read: remove them and try again"))) {
		field_err(errors, "replacement", bad);
		ok = false;
	}
	if (!ok)
		return ERR_INVALID;
	arena_init(&a);
	folded = talk_fold(&a, word);
	if (!folded) {
		e = ERR_NOMEM;
	} else if (!*folded) {
		field_err(errors, "word", "Enter a word with letters or digits in it");
		e = ERR_INVALID;
	} else {
		bool mine;

		e = tx_open(db, &mine);
		if (e == ERR_OK)
			e = db_exec(db, &q_watched_put, DB_ARGS(DB_TEXT(folded), DB_TEXT(replace ? "replace" : "hold"),
					replace ? DB_TEXT(str_is_blank(replacement) ? "***" : replacement) : DB_NULL,
					by ? DB_INT(by) : DB_NULL, DB_INT(now)), NULL);
		if (e == ERR_OK)
			e = talk_audit(db, now, by, "talk.watched_added", 0, "action=%s", replace ? "replace" : "hold");
		e = tx_close(db, mine, e);
	}
	arena_release(&a);
	return e;
}

_Static_assert(TALK_WORD_MAX == 60, "say the new limit in the word errors");

enum err talk_watched_remove(struct db *db, const char *word, int64_t by, int64_t now)
{
	struct arena a;
	const char *folded;
	int64_t n = 0;
	bool mine;
	enum err e;

	if (str_is_blank(word))
		return ERR_NOT_FOUND;
	arena_init(&a);
	folded = talk_fold(&a, word);
	e = folded ? tx_open(db, &mine) : ERR_NOMEM;
	if (e == ERR_OK) {
		e = db_exec(db, &q_watched_del, DB_ARGS(DB_TEXT(folded)), &n);
		if (e == ERR_OK && n == 0)
			e = ERR_NOT_FOUND;
		if (e == ERR_OK)
			e = talk_audit(db, now, by, "talk.watched_removed", 0, "%s", "");
		e = tx_close(db, mine, e);
	}
	arena_release(&a);
	return e;
}

static json_t *watched_row(struct db_res *r, void *ctx)
{
	UNUSED(ctx);
	return json_pack("{s:s, s:s, s:s?}", "word", db_text(r, 0), "action", db_text(r, 1), "replacement",
			 db_text(r, 2));
}

enum err talk_watched_list(struct db *db, json_t **out)
{
	return db_rows_json(db, &q_watched_list, DB_NOARGS, watched_row, NULL, out);
}
