/*
 * moderate_data.c - conversations' part of "download my data" and of
 * erasing an account (talk.h).
 *
 * Erasure keeps the person row (privacy_erase clears it but keeps its
 * id), so nothing here happens by ON DELETE: every reference is cleared
 * by hand. Their posts stay where they were, so the replies around them
 * still read, with no words and no writer: a post whose body is '' and
 * whose person_id is NULL is one "removed at the writer's request" (the
 * pages say so). The words a post said before edits go too. Topics they
 * started keep their title (the replies under it need it) but not
 * their name. What they did as a moderator stays, without them.
 */
#include "core/common.h"
#include "talk/talk_int.h"

#include "store/store.h"

/* ---------------------------------------------------------------- export */

static const struct sql q_x_profile = { "talk.x_profile",
	"SELECT display_name, notify, trusted, coalesce(muted_until, 0), suspended, on_duty, created_at "
	"FROM talk_profile WHERE person_id = $1", NULL };
static const struct sql q_x_posts = { "talk.x_posts",
	"SELECT p.id, t.title, p.body, p.created_at, p.state FROM talk_post p JOIN talk_topic t ON t.id = p.topic_id "
	"WHERE p.person_id = $1 ORDER BY p.id", NULL };
static const struct sql q_x_reactions = { "talk.x_reactions",
	"SELECT post_id, kind, created_at FROM talk_reaction WHERE person_id = $1 ORDER BY created_at, post_id", NULL };
static const struct sql q_x_follows = { "talk.x_follows",
	"SELECT s.name, t.title, f.created_at FROM talk_follow f LEFT JOIN talk_space s ON s.id = f.space_id "
	"LEFT JOIN talk_topic t ON t.id = f.topic_id WHERE f.person_id = $1 ORDER BY f.id", NULL };
static const struct sql q_x_flags = { "talk.x_flags",
	"SELECT post_id, reason, note, created_at, state FROM talk_flag WHERE by_person = $1 ORDER BY id", NULL };
static const struct sql q_x_notices = { "talk.x_notices",
	"SELECT kind, words, created_at FROM talk_notice WHERE person_id = $1 ORDER BY id", NULL };
static const struct sql q_x_messages = { "talk.x_messages",
	"SELECT from_moderator, body, created_at FROM talk_modmail WHERE person_id = $1 ORDER BY id", NULL };

static json_t *x_profile(struct db_res *r, void *ctx)
{
	UNUSED(ctx);
	return json_pack("{s:s, s:s, s:b, s:I, s:b, s:b, s:I}", "display_name", db_text(r, 0), "notify",
			 db_text(r, 1), "trusted", db_int(r, 2) != 0, "muted_until", (json_int_t)db_int(r, 3),
			 "suspended", db_int(r, 4) != 0, "on_duty", db_int(r, 5) != 0, "created_at",
			 (json_int_t)db_int(r, 6));
}

static json_t *x_post(struct db_res *r, void *ctx)
{
	UNUSED(ctx);
	return json_pack("{s:I, s:s, s:s, s:I, s:s}", "id", (json_int_t)db_int(r, 0), "topic", db_text(r, 1),
			 "body", db_text(r, 2), "created_at", (json_int_t)db_int(r, 3), "state", db_text(r, 4));
}

static json_t *x_reaction(struct db_res *r, void *ctx)
{
	UNUSED(ctx);
	return json_pack("{s:I, s:s, s:I}", "post_id", (json_int_t)db_int(r, 0), "kind", db_text(r, 1),
			 "created_at", (json_int_t)db_int(r, 2));
}

static json_t *x_follow(struct db_res *r, void *ctx)
{
	UNUSED(ctx);
	return json_pack("{s:s?, s:s?, s:I}", "space", db_text(r, 0), "topic", db_text(r, 1), "created_at",
			 (json_int_t)db_int(r, 2));
}

static json_t *x_flag(struct db_res *r, void *ctx)
{
	UNUSED(ctx);
	return json_pack("{s:I, s:s, s:s?, s:I, s:s}", "post_id", (json_int_t)db_int(r, 0), "reason",
			 db_text(r, 1), "note", db_text(r, 2), "created_at", (json_int_t)db_int(r, 3), "state",
			 db_text(r, 4));
}

static json_t *x_notice(struct db_res *r, void *ctx)
{
	UNUSED(ctx);
	return json_pack("{s:s, s:s, s:I}", "kind", db_text(r, 0), "words", db_text(r, 1), "created_at",
			 (json_int_t)db_int(r, 2));
}

static json_t *x_message(struct db_res *r, void *ctx)
{
	UNUSED(ctx);
	return json_pack("{s:b, s:s, s:I}", "from_moderator", db_int(r, 0) != 0, "body", db_text(r, 1),
			 "created_at", (json_int_t)db_int(r, 2));
}

enum err talk_export_person(struct db *db, int64_t person_id, int64_t now, json_t *out)
{
	static const struct {
		const char *key;
		const struct sql *q;
		db_row_json_fn *row;
	} parts[] = {
		{ "posts", &q_x_posts, x_post }, { "reactions", &q_x_reactions, x_reaction },
		{ "follows", &q_x_follows, x_follow }, { "flags", &q_x_flags, x_flag },
		{ "notices", &q_x_notices, x_notice }, { "messages", &q_x_messages, x_message },
	};
	json_t *talk = json_object(), *profile = NULL, *v;
	enum err e;

	UNUSED(now);
	if (!talk)
		return ERR_NOMEM;
	e = db_rows_json(db, &q_x_profile, DB_ARGS(DB_INT(person_id)), x_profile, NULL, &profile);
	if (e == ERR_OK && json_object_set(talk, "profile",
					   json_array_size(profile) ? json_array_get(profile, 0) : json_null()) != 0)
		e = ERR_NOMEM;
	json_decref(profile);
	for (size_t i = 0; e == ERR_OK && i < ARRAY_LEN(parts); i++) {
		e = db_rows_json(db, parts[i].q, DB_ARGS(DB_INT(person_id)), parts[i].row, NULL, &v);
		if (e == ERR_OK && json_object_set_new(talk, parts[i].key, v) != 0)
			e = ERR_NOMEM;
	}
	if (e == ERR_OK && json_object_set_new(out, "talk", talk) != 0)
		return ERR_NOMEM;
	if (e)
		json_decref(talk);
	return e;
}

/* ---------------------------------------------------------------- erase */

/* In this order: counts first, while the reactions are there to count. */
static const struct sql q_e_metoo = { "talk.e_metoo",
	"UPDATE talk_post SET metoo_n = metoo_n - 1 WHERE metoo_n > 0 AND id IN "
	"(SELECT post_id FROM talk_reaction WHERE person_id = $1 AND kind = 'metoo')", NULL };
static const struct sql q_e_thanks = { "talk.e_thanks",
	"UPDATE talk_post SET thanks_n = thanks_n - 1 WHERE thanks_n > 0 AND id IN "
	"(SELECT post_id FROM talk_reaction WHERE person_id = $1 AND kind = 'thanks')", NULL };
static const struct sql q_e_reactions = { "talk.e_reactions",
	"DELETE FROM talk_reaction WHERE person_id = $1", NULL };
static const struct sql q_e_history = { "talk.e_history",
	"DELETE FROM talk_post_edit WHERE post_id IN (SELECT id FROM talk_post WHERE person_id = $1)", NULL };
/* Nothing left on them to moderate. */
static const struct sql q_e_flags_on = { "talk.e_flags_on",
	"UPDATE talk_flag SET state = 'closed', closed_at = $2 WHERE state = 'open' AND post_id IN "
	"(SELECT id FROM talk_post WHERE person_id = $1)", NULL };
/* Pages of the topics they wrote in change (posts.c's topic version). */
static const struct sql q_e_versions = { "talk.e_versions",
	"UPDATE talk_topic SET version = version + 1 WHERE id IN (SELECT topic_id FROM talk_post WHERE person_id = $1)",
	NULL };
static const struct sql q_e_posts = { "talk.e_posts",
	"UPDATE talk_post SET body = '', search = '', html = NULL, hidden_note = NULL, person_id = NULL "
	"WHERE person_id = $1",
	NULL };
static const struct sql q_e_topics = { "talk.e_topics",
	"UPDATE talk_topic SET person_id = NULL WHERE person_id = $1", NULL };
static const struct sql q_e_edits_by = { "talk.e_edits_by",
	"UPDATE talk_post_edit SET edited_by = NULL WHERE edited_by = $1", NULL };
static const struct sql q_e_follows = { "talk.e_follows", "DELETE FROM talk_follow WHERE person_id = $1", NULL };
static const struct sql q_e_notices = { "talk.e_notices", "DELETE FROM talk_notice WHERE person_id = $1", NULL };
static const struct sql q_e_notices_by = { "talk.e_notices_by",
	"UPDATE talk_notice SET by_person = NULL WHERE by_person = $1", NULL };
static const struct sql q_e_modmail = { "talk.e_modmail", "DELETE FROM talk_modmail WHERE person_id = $1", NULL };
static const struct sql q_e_modmail_by = { "talk.e_modmail_by",
	"UPDATE talk_modmail SET by_person = NULL WHERE by_person = $1", NULL };
/* The flags they raised stay (a moderator may still need them), without
 * them; their own note goes. */
static const struct sql q_e_flags = { "talk.e_flags",
	"UPDATE talk_flag SET by_person = NULL, note = NULL WHERE by_person = $1", NULL };
static const struct sql q_e_flags_closed = { "talk.e_flags_closed",
	"UPDATE talk_flag SET closed_by = NULL WHERE closed_by = $1", NULL };
static const struct sql q_e_moderator = { "talk.e_moderator",
	"DELETE FROM talk_moderator WHERE person_id = $1", NULL };
static const struct sql q_e_moderator_by = { "talk.e_moderator_by",
	"UPDATE talk_moderator SET added_by = NULL WHERE added_by = $1", NULL };
static const struct sql q_e_trusted_by = { "talk.e_trusted_by",
	"UPDATE talk_profile SET trusted_by = NULL WHERE trusted_by = $1", NULL };
static const struct sql q_e_profile = { "talk.e_profile", "DELETE FROM talk_profile WHERE person_id = $1", NULL };
static const struct sql q_e_watched = { "talk.e_watched",
	"UPDATE talk_watched SET added_by = NULL WHERE added_by = $1", NULL };
static const struct sql q_e_spaces = { "talk.e_spaces",
	"UPDATE talk_space SET created_by = NULL WHERE created_by = $1", NULL };

enum err talk_erase_person(struct db *db, int64_t person_id, int64_t now)
{
	static const struct sql *const steps[] = {
		&q_e_metoo, &q_e_thanks, &q_e_reactions, &q_e_history, &q_e_versions, &q_e_posts, &q_e_topics, &q_e_edits_by,
		&q_e_follows, &q_e_notices, &q_e_notices_by, &q_e_modmail, &q_e_modmail_by, &q_e_flags,
		&q_e_flags_closed, &q_e_moderator, &q_e_moderator_by, &q_e_trusted_by, &q_e_profile, &q_e_watched,
		&q_e_spaces,
	};
	enum err e = db_exec(db, &q_e_flags_on, DB_ARGS(DB_INT(person_id), DB_INT(now)), NULL);

	for (size_t i = 0; e == ERR_OK && i < ARRAY_LEN(steps); i++)
		e = db_exec(db, steps[i], DB_ARGS(DB_INT(person_id)), NULL);
	return e;
}
