/*
 * posts.c - conversations' topics and posts (talk.h): starting a topic,
 * replying, editing within the window, reading a page of a topic as the
 * actor may see it, "me too" and "thank you", search within a space, and
 * following.
 *
 * Every new post and edit goes one way (draft_make, then post_publish or
 * edit_apply): the watched words are applied, the words as read (the
 * Markdown's plain text, without the quotes of other posts) go through
 * the crisis classifier, and a new account's link or a "hold" word holds
 * the post for a moderator. The post is published whatever the
 * classifier says: the writer is shown where to get help (signposted),
 * and moderators get a flag (urgent for a risk now, normal for a
 * concern). Flags carry the classifier's words, never the post's.
 *
 * What a reader is given follows who they are: peers see display names;
 * counts of reactions go to the writer and moderators only; a hidden
 * post's words go to moderators only; a held one's to its writer and the
 * moderators.
 */
#include "core/common.h"
#include "talk/talk_int.h"

#include "auth/policy.h"
#include "core/buf.h"
#include "core/fields.h"
#include "core/str.h"
#include "core/uktime.h"
#include "safety/crisis.h"
#include "store/store.h"
#include "view/markdown.h"

#include <stdio.h>

#define DAY_S INT64_C(86400)
#define PER_PAGE_MAX 500
#define SEARCH_WORDS 8
#define SNIPPET_CHARS 200

/* ---------------------------------------------------------------- SQL */

static const struct sql q_topic_insert = { "talk.topic_insert",
	"INSERT INTO talk_topic (space_id, person_id, title, state, posts_n, created_at, last_post_at) "
	"VALUES ($1, $2, $3, 'open', 0, $4, $4) RETURNING id", NULL };
static const struct sql q_post_insert = { "talk.post_insert",
	"INSERT INTO talk_post (topic_id, space_id, person_id, body, search, state, signposted, quote_of, "
	"created_at, html) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id", NULL };
static const struct sql q_history = { "talk.history",
	"INSERT INTO talk_post_edit (post_id, body, edited_by, note, edited_at) VALUES ($1, $2, $3, $4, $5)",
	NULL };
static const struct sql q_topic_bump = { "talk.topic_bump",
	"UPDATE talk_topic SET posts_n = posts_n + 1, last_post_at = $2 WHERE id = $1", NULL };
static const struct sql q_topic_touch = { "talk.topic_touch",
	"UPDATE talk_topic SET version = version + 1 WHERE id = $1", NULL };
static const struct sql q_topic_unbump = { "talk.topic_unbump",
	"UPDATE talk_topic SET posts_n = posts_n - 1, version = version + 1 WHERE id = $1 AND posts_n > 0", NULL };
static const struct sql q_space_bump = { "talk.space_bump",
	"UPDATE talk_space SET topics_n = topics_n + $2, last_post_at = coalesce($3, last_post_at) "
	"WHERE id = $1", NULL };
static const struct sql q_post_meta = { "talk.post_meta",
	"SELECT p.id, p.topic_id, p.space_id, coalesce(p.person_id, 0), p.state, p.created_at, p.body, "
	"p.signposted, t.state FROM talk_post p JOIN talk_topic t ON t.id = p.topic_id WHERE p.id = $1", NULL };
static const struct sql q_post_update = { "talk.post_update",
	"UPDATE talk_post SET body = $2, search = $3, state = $4, signposted = $5, edits_n = edits_n + 1, "
	"edited_at = $6, html = $7 WHERE id = $1", NULL };
static const struct sql q_open_crisis = { "talk.open_crisis",
	"SELECT count(*) FROM talk_flag WHERE post_id = $1 AND reason = 'crisis' AND state = 'open' "
	"AND by_person IS NULL AND urgency >= $2", NULL };
static const struct sql q_quotable = { "talk.quotable",
	"SELECT count(*) FROM talk_post WHERE id = $1 AND topic_id = $2 AND (state = 'visible' OR $4 = 1 "
	"OR (state = 'held' AND person_id = $3))", NULL };
/* A topic (10 columns, topic_read) with the actor ($2) following it or its space. */
#define TOPIC_COLS \
	"t.id, t.space_id, t.title, t.state, t.posts_n, t.created_at, t.last_post_at, " \
	"(SELECT count(*) FROM talk_follow f WHERE f.person_id = $2 AND f.topic_id = t.id), t.version, " \
	"(SELECT count(*) FROM talk_follow f WHERE f.person_id = $2 AND f.space_id = t.space_id) "
/* Has the person $2 anything of their own in topic $1: a post (in any
 * state) or a reaction? 1 or 0, each found from the person's indexes. */
#define HAS_OWN \
	"CASE WHEN EXISTS (SELECT 1 FROM talk_post WHERE person_id = $2 AND topic_id = $1) " \
	"OR EXISTS (SELECT 1 FROM talk_reaction r JOIN talk_post p ON p.id = r.post_id " \
	"WHERE r.person_id = $2 AND p.topic_id = $1) THEN 1 ELSE 0 END"
static const struct sql q_topic = { "talk.topic", "SELECT " TOPIC_COLS "FROM talk_topic t WHERE t.id = $1", NULL };
/* The topic, its space, the actor's profile and HAS_OWN: a topic's page
 * in one round trip. The person's columns are NULL when signed out. */
static const struct sql q_topic_open = { "talk.topic_open",
	"SELECT " TOPIC_COLS ", " TALK_SPACE_COLS ", " TALK_PROFILE_COLS("$3", "$4") ", " HAS_OWN " "
	"FROM talk_topic t JOIN talk_space s ON s.id = t.space_id " TALK_SPACE_JOIN
	"LEFT JOIN person p ON p.id = $2 LEFT JOIN talk_profile tp ON tp.person_id = p.id WHERE t.id = $1", NULL };
#define TOPIC_NCOLS 10
#define SPACE_NCOLS 14
#define PROFILE_NCOLS 8

/* Topics: a moderator ($2 = 1) sees hidden ones and those whose every
 * post is held or hidden. */
#define TOPICS_WHERE "WHERE t.space_id = $1 AND ($2 = 1 OR (t.state <> 'hidden' AND t.posts_n > 0)) "
static const struct sql q_topics = { "talk.topics",
	"SELECT t.id, t.title, coalesce(nullif(tp.display_name, ''), 'Someone'), t.posts_n, t.last_post_at, "
	"t.created_at, t.state FROM talk_topic t LEFT JOIN talk_profile tp ON tp.person_id = t.person_id "
	TOPICS_WHERE "ORDER BY t.last_post_at DESC, t.id DESC LIMIT $3 OFFSET $4", NULL };
static const struct sql q_topics_n = { "talk.topics_n",
	"SELECT count(*) FROM talk_topic t " TOPICS_WHERE, NULL };

/* A post as the actor ($2) reads it, with what it quotes. */
#define POST_COLS \
	"SELECT p.id, coalesce(p.person_id, 0), coalesce(nullif(tp.display_name, ''), 'Someone'), p.body, " \
	"p.state, p.signposted, p.metoo_n, p.thanks_n, p.edits_n, p.hidden_note, p.created_at, p.topic_id, " \
	"p.space_id, " \
	"(SELECT count(*) FROM talk_reaction r WHERE r.post_id = p.id AND r.person_id = $2 AND r.kind = 'metoo'), " \
	"(SELECT count(*) FROM talk_reaction r WHERE r.post_id = p.id AND r.person_id = $2 AND r.kind = 'thanks'), " \
	"q.id, coalesce(q.person_id, 0), coalesce(nullif(qp.display_name, ''), 'Someone'), q.body, q.state, " \
	"p.html, q.html " \
	"FROM talk_post p LEFT JOIN talk_profile tp ON tp.person_id = p.person_id " \
	"LEFT JOIN talk_post q ON q.id = p.quote_of LEFT JOIN talk_profile qp ON qp.person_id = q.person_id "
enum { PC_ID, PC_WRITER, PC_BY, PC_BODY, PC_STATE, PC_SIGNPOSTED, PC_METOO, PC_THANKS, PC_EDITS, PC_NOTE,
	PC_CREATED, PC_TOPIC, PC_SPACE, PC_METOO_MINE, PC_THANKS_MINE, PC_Q_ID, PC_Q_WRITER, PC_Q_BY, PC_Q_BODY,
	PC_Q_STATE, PC_HTML, PC_Q_HTML };
/* The posts of topic $1 the actor ($2; $3 = 1 a moderator) may see. */
#define POSTS_WHERE "WHERE p.topic_id = $1 AND (p.state = 'visible' OR $3 = 1 OR p.person_id = $2) "
static const struct sql q_posts = { "talk.posts",
	POST_COLS POSTS_WHERE "ORDER BY p.id LIMIT $4 OFFSET $5", NULL };
static const struct sql q_posts_n = { "talk.posts_n",
	"SELECT count(*) FROM talk_post p " POSTS_WHERE, NULL };
static const struct sql q_post_one = { "talk.post_one", POST_COLS "WHERE p.id = $1", NULL };

/* One statement: on PostgreSQL each is a round trip on every read. */
static const struct sql q_react_on = { "talk.react_on",
	"INSERT INTO talk_reaction (post_id, person_id, kind, created_at) VALUES ($1, $2, $3, $4) "
	"ON CONFLICT (post_id, person_id, kind) DO NOTHING", NULL };
static const struct sql q_react_off = { "talk.react_off",
	"DELETE FROM talk_reaction WHERE post_id = $1 AND person_id = $2 AND kind = $3", NULL };
static const struct sql q_react_count = { "talk.react_count",
	"UPDATE talk_post SET metoo_n = (SELECT count(*) FROM talk_reaction r WHERE r.post_id = $1 "
	"AND r.kind = 'metoo'), thanks_n = (SELECT count(*) FROM talk_reaction r WHERE r.post_id = $1 "
	"AND r.kind = 'thanks') WHERE id = $1", NULL };

/* Search: every word's pattern ($2..$9, '%' when unused) at a word's
 * start in the folded words. */
#define WORD_LIKE(n) "AND (' ' || p.search) LIKE $" #n " ESCAPE '\\' "
#define SEARCH_WHERE \
	"WHERE p.space_id = $1 AND p.state = 'visible' AND t.state <> 'hidden' " \
	WORD_LIKE(2) WORD_LIKE(3) WORD_LIKE(4) WORD_LIKE(5) WORD_LIKE(6) WORD_LIKE(7) WORD_LIKE(8) WORD_LIKE(9)
static const struct sql q_search = { "talk.search",
	"SELECT p.id, p.topic_id, t.title, coalesce(nullif(tp.display_name, ''), 'Someone'), p.body, p.created_at "
	"FROM talk_post p JOIN talk_topic t ON t.id = p.topic_id "
	"LEFT JOIN talk_profile tp ON tp.person_id = p.person_id " SEARCH_WHERE
	"ORDER BY p.created_at DESC, p.id DESC LIMIT $10 OFFSET $11", NULL };
static const struct sql q_search_n = { "talk.search_n",
	"SELECT count(*) FROM talk_post p JOIN talk_topic t ON t.id = p.topic_id " SEARCH_WHERE, NULL };

static const struct sql q_topic_exists = { "talk.topic_exists",
	"SELECT count(*) FROM talk_topic WHERE id = $1", NULL };
static const struct sql q_space_exists = { "talk.space_exists_f",
	"SELECT count(*) FROM talk_space WHERE id = $1", NULL };
static const struct sql q_follow_topic = { "talk.follow_topic",
	"INSERT INTO talk_follow (person_id, topic_id, seen_post, created_at) VALUES ($1, $2, "
	"(SELECT coalesce(max(id), 0) FROM talk_post WHERE topic_id = $2), $3) ON CONFLICT DO NOTHING", NULL };
static const struct sql q_follow_space = { "talk.follow_space",
	"INSERT INTO talk_follow (person_id, space_id, seen_post, created_at) VALUES ($1, $2, "
	"(SELECT coalesce(max(id), 0) FROM talk_post WHERE space_id = $2), $3) ON CONFLICT DO NOTHING", NULL };
static const struct sql q_unfollow_topic = { "talk.unfollow_topic",
	"DELETE FROM talk_follow WHERE person_id = $1 AND topic_id = $2", NULL };
static const struct sql q_unfollow_space = { "talk.unfollow_space",
	"DELETE FROM talk_follow WHERE person_id = $1 AND space_id = $2", NULL };
static const struct sql q_seen_topic = { "talk.seen_topic",
	"UPDATE talk_follow SET seen_post = $3 WHERE person_id = $1 AND topic_id = $2 AND seen_post < $3", NULL };
/* The space's follow moves too when nothing new in its other topics
 * would be passed over. */
static const struct sql q_seen_space = { "talk.seen_space",
	"UPDATE talk_follow SET seen_post = $3 WHERE person_id = $1 AND seen_post < $3 "
	"AND space_id = (SELECT t.space_id FROM talk_topic t WHERE t.id = $2) "
	"AND NOT EXISTS (SELECT 1 FROM talk_post p WHERE p.space_id = talk_follow.space_id AND p.topic_id <> $2 "
	"AND p.id > talk_follow.seen_post AND p.id <= $3 AND p.state = 'visible' "
	"AND (p.person_id IS NULL OR p.person_id <> $1))", NULL };

/* Can the person ($1) still read space s: not a group's, or one they
 * belong to, host, organise for, moderate or coordinate. */
#define READABLE \
	"(s.kind <> 'group' " \
	"OR EXISTS (SELECT 1 FROM group_member m WHERE m.service_id = s.service_id AND m.person_id = $1) " \
	"OR EXISTS (SELECT 1 FROM group_host h WHERE h.service_id = s.service_id AND h.person_id = $1) " \
	"OR EXISTS (SELECT 1 FROM talk_moderator tm WHERE tm.space_id = s.id AND tm.person_id = $1) " \
	"OR EXISTS (SELECT 1 FROM person_role r WHERE r.person_id = $1 AND (r.role IN ('coordinator', 'admin') " \
	"    OR (r.role = 'organiser' AND r.org_id = (SELECT g.organisation_id FROM community_group g " \
	"        WHERE g.service_id = s.service_id)))))"
/* New: visible posts by others since the follow's seen_post. */
#define NEW_POSTS(where) \
	"(SELECT count(*) FROM talk_post p JOIN talk_topic pt ON pt.id = p.topic_id WHERE " where \
	" AND p.id > f.seen_post AND p.state = 'visible' AND pt.state <> 'hidden' " \
	"AND (p.person_id IS NULL OR p.person_id <> $1))"
static const struct sql q_following_spaces = { "talk.following_spaces",
	"SELECT s.id, s.slug, s.name, " NEW_POSTS("p.space_id = s.id") " FROM talk_follow f "
	"JOIN talk_space s ON s.id = f.space_id WHERE f.person_id = $1 AND " READABLE " ORDER BY s.name, s.id",
	NULL };
static const struct sql q_following_topics = { "talk.following_topics",
	"SELECT t.id, t.title, s.name, " NEW_POSTS("p.topic_id = t.id") " FROM talk_follow f "
	"JOIN talk_topic t ON t.id = f.topic_id JOIN talk_space s ON s.id = t.space_id "
	"WHERE f.person_id = $1 AND t.state <> 'hidden' AND " READABLE
	" ORDER BY t.last_post_at DESC, t.id DESC", NULL };

/* ---------------------------------------------------------------- small things */

static enum err tx_open(struct db *db, bool *mine)
{
	*mine = !db_in_tx(db);
	return *mine ? db_begin(db) : ERR_OK;
}

/* Ends the transaction tx_open began (none when mine is false). */
static enum err tx_close(struct db *db, bool mine, enum err e)
{
	if (!mine)
		return e;
	if (e == ERR_OK)
		return db_commit(db);
	db_rollback(db);
	return e;
}

static int page_of(int page)
{
	return page < 1 ? 1 : page;
}

static int per_page_of(int per_page)
{
	return per_page < 1 ? TALK_DEFAULT_PER_PAGE : per_page > PER_PAGE_MAX ? PER_PAGE_MAX : per_page;
}

static int64_t offset_of(int page, int per_page)
{
	return ((int64_t)page - 1) * per_page;
}

/* {key: items, total, page, pages}; takes items. */
static json_t *paged(const char *key, json_t *items, int64_t total, int page, int per_page)
{
	int64_t pages = total > 0 ? (total + per_page - 1) / per_page : 1;

	return json_pack("{s:o, s:I, s:i, s:I}", key, items, "total", (json_int_t)total, "page", page, "pages",
			 (json_int_t)pages);
}

static bool may_read(const struct talk_space *s)
{
	return s->member || s->moderator;
}

/* The Markdown's words as read (without the quotes of other posts), in a
 * (NULL when out of memory or too long). */
static const char *plain_text(struct arena *a, const char *md)
{
	struct markdown_opts o = { .skip_quotes = true };
	struct buf b;
	const char *s = NULL;
	size_t n = strlen(md);

	buf_init(&b, MARKDOWN_TEXT_BOUND(n));
	if (markdown_text(md, n, &b, &o) == ERR_OK && buf_ok(&b))
		s = arena_strndup(a, b.p, b.len);
	buf_release(&b);
	return s;
}

/* md as HTML in a; NULL when out of memory. */
static const char *html_of(struct arena *a, const char *md)
{
	struct buf b;
	const char *s = NULL;
	size_t n = strlen(md);

	buf_init(&b, MARKDOWN_HTML_BOUND(n));
	if (markdown_html(md, n, &b, NULL) == ERR_OK && buf_ok(&b))
		s = arena_strndup(a, b.p, b.len);
	buf_release(&b);
	return s;
}

/* The post's HTML as a JSON string: as kept when it was written
 * (html_col), else made from its Markdown (reusing b). */
static json_t *html_json(struct buf *b, struct db_res *r, int html_col, int md_col)
{
	const char *md = db_text(r, md_col);

	if (!db_isnull(r, html_col))
		return json_stringn(db_text(r, html_col), db_len(r, html_col));
	buf_reset(b);
	if (!md || markdown_html(md, strlen(md), b, NULL) != ERR_OK || !buf_ok(b))
		return json_string("");
	return json_stringn(b->p, b->len);
}

/* ---------------------------------------------------------------- checks */

static bool title_ok(const char *title, json_t *errors)
{
	const char *why = str_check_line(title, TALK_TITLE_MAX, "Enter a title for your conversation",
					 "The title must be 120 characters or fewer",
					 "The title has characters we cannot read: remove them and try again");

	if (why)
		field_err(errors, "title", why);
	return !why;
}

static bool body_ok(const char *body, json_t *errors)
{
	const char *why = NULL;

	if (str_is_blank(body))
		why = "Write your post";
	else if (strlen(body) > TALK_BODY_MAX)
		why = "Your post is too long: it can be up to about 20,000 letters (fewer with emoji or "
		      "accents). Shorten it, or say the rest in a second post";
	else if (!str_is_clean_utf8(body, strlen(body)))
		why = "Your post has characters we cannot read: remove them and try again";
	if (why)
		field_err(errors, "body", why);
	return !why;
}

/* ERR_FORBIDDEN with words in errors (field "body") when why is set. */
static enum err forbid(json_t *errors, const char *why)
{
	field_err(errors, "body", why);
	return ERR_FORBIDDEN;
}

/* May the actor write in s now (a new post when counted: the day's limit
 * applies)? *trusted: their links go straight up. */
/* The day's limit for a new account, in words. */
static enum err over_limit(json_t *errors, int limit, int written)
{
	char why[300];

	snprintf(why, sizeof(why), "New accounts can write %d posts a day while they settle in, and you have "
		 "written %d in the last 24 hours. You can post again tomorrow.", limit, written);
	return forbid(errors, why);
}

static enum err writer_check(const struct talk_env *env, struct db *db, const struct actor *actor,
		const struct talk_space *s, bool locked, bool counted, int64_t now, json_t *errors, bool *trusted)
{
	struct talk_profile p;
	char when[UK_FORMAT_MAX * 2 + 8], day[UK_FORMAT_MAX], hm[UK_FORMAT_MAX], why[300];
	int limit = talk_new_posts_per_day(env);
	enum err e;

	if (!s->open && !s->moderator)
		return forbid(errors, "This space is closed, so no new posts can be written in it. You can still "
			      "read what is here.");
	if (locked && !s->moderator)
		return forbid(errors, "This conversation is closed to new replies. You can still read it.");
	if ((e = talk_profile_get(env, db, actor->id, now, &p)) != ERR_OK)
		return e;
	if (!p.display_name[0])
		return forbid(errors, "Choose a display name before you post: it is the only name other people "
			      "see. You can choose one at /talk/profile.");
	if (p.suspended)
		return forbid(errors, "A moderator has stopped your account posting in conversations. You can "
			      "still read, and you can write to the moderators at /talk/messages.");
	if (p.muted_until > now) {
		uk_format_day_date(p.muted_until, day, sizeof(day));
		uk_format_time(p.muted_until, hm, sizeof(hm));
		snprintf(when, sizeof(when), "%s at %s", day, hm);
		snprintf(why, sizeof(why), "A moderator has paused your posting until %s. You can still read, "
			 "and you can write to the moderators at /talk/messages.", when);
		return forbid(errors, why);
	}
	*trusted = p.trusted || s->moderator;
	if (counted && !*trusted && p.posts_today >= limit)
		return over_limit(errors, limit, p.posts_today);
	return ERR_OK;
}

static const struct sql q_writer_lock = { "talk.writer_lock",
	"SELECT person_id FROM talk_profile WHERE person_id = $1",
	"SELECT person_id FROM talk_profile WHERE person_id = $1 FOR UPDATE" };
static const struct sql q_posts_since = { "talk.posts_since",
	"SELECT count(*) FROM talk_post WHERE person_id = $1 AND created_at > $2", NULL };

/* writer_check's count again, in the open transaction, with the writer's
 * row locked (PostgreSQL; SQLite's writer is alone), so two posts sent
 * at once by a new account cannot both pass the day's limit. */
static enum err limit_recheck(const struct talk_env *env, struct db *db, const struct actor *actor, bool trusted,
		int64_t now, json_t *errors)
{
	struct db_res *r;
	int64_t n = 0;
	int limit = talk_new_posts_per_day(env);
	enum err e;

	if (trusted)
		return ERR_OK;
	if ((e = db_query_one(db, &q_writer_lock, DB_ARGS(DB_INT(actor->id)), &r)) != ERR_OK)
		return e == ERR_NOT_FOUND ? ERR_FORBIDDEN : e;
	db_res_free(r);
	if ((e = db_query_int(db, &q_posts_since, DB_ARGS(DB_INT(actor->id), DB_INT(now - 86400)), &n)) != ERR_OK)
		return e;
	return n >= limit ? over_limit(errors, limit, (int)n) : ERR_OK;
}

/* ---------------------------------------------------------------- drafts */

/* A post about to be written, after the watched words, the classifier
 * and the checks for links. */
struct draft {
	const char *title;            /* a new topic's title as kept, else NULL */
	const char *body;             /* as kept: watched words replaced */
	const char *written;          /* as written */
	const char *search;           /* folded words of title and body as kept */
	const char *html;             /* body as kept, as HTML (view/markdown.h) */
	bool replaced;
	bool hold_word, hold_link;
	char word_why[160];
	struct crisis_result crisis;
};

static bool draft_held(const struct draft *d)
{
	return d->hold_word || d->hold_link;
}

/* Applies the watched words to title (may be NULL) and body; reads them
 * for risk and links. */
static enum err draft_make(struct db *db, struct arena *a, bool trusted, const char *title, const char *body,
		struct draft *d)
{
	char twhy[160];
	bool thold = false;
	const char *plain, *kept, *read;
	enum err e;

	memset(d, 0, sizeof(*d));
	d->written = body;
	if ((e = talk_watched_apply(db, a, body, &d->body, &d->hold_word, d->word_why, sizeof(d->word_why))))
		return e;
	if (title) {
		struct str t = str_trim(str_c(title));
		const char *tt = arena_strndup(a, t.p, t.n);
		if (!tt)
			return ERR_NOMEM;
		if ((e = talk_watched_apply(db, a, tt, &d->title, &thold, twhy, sizeof(twhy))) != ERR_OK)
			return e;
		if (thold && !d->hold_word)
			str_copy(d->word_why, sizeof(d->word_why), twhy);
		d->hold_word = d->hold_word || thold;
	}
	if (strlen(d->body) > TALK_BODY_MAX) {
		/* Longer replacements took it past what a post may be: kept as
		 * written, for a moderator to read first. */
		d->body = body;
		d->hold_word = true;
		str_copy(d->word_why, sizeof(d->word_why), "It has words the moderators check first");
	}
	d->replaced = strcmp(d->body, body) != 0;
	if (!(plain = plain_text(a, body)))
		return ERR_NOMEM;
	kept = d->replaced ? plain_text(a, d->body) : plain;
	read = title ? arena_printf(a, "%s\n\n%s", title, plain) : plain;
	if (!kept || !read)
		return ERR_NOMEM;
	crisis_classify(read, strlen(read), &d->crisis);
	d->search = talk_fold(a, d->title ? arena_printf(a, "%s %s", d->title, kept) : kept);
	if (!d->search)
		return ERR_NOMEM;
	d->hold_link = !trusted && (talk_has_link(body) || (title && talk_has_link(title)));
	return (d->html = html_of(a, d->body)) ? ERR_OK : ERR_NOMEM;
}

/* The flags a draft raises on post_id: the classifier's (crisis: urgent,
 * or normal for a concern) unless one is open, and why it was held. */
static enum err draft_flags(const struct talk_env *env, struct db *db, const struct draft *d, int64_t post_id,
		int64_t space_id, bool crisis, bool held, int64_t now)
{
	char note[200];
	enum err e = ERR_OK;

	if (crisis && d->crisis.signpost) {
		snprintf(note, sizeof(note), "The words read as %s (%s)", d->crisis.why && *d->crisis.why ?
			 d->crisis.why : "someone at risk", crisis_kind_name(d->crisis.kind));
		e = talk_flag_raise(env, db, post_id, space_id, 0, TALK_R_CRISIS, note, d->crisis.urgent ? 2 : 1,
				    now, NULL);
	}
	if (e == ERR_OK && held && d->hold_word)
		e = talk_flag_raise(env, db, post_id, space_id, 0, TALK_R_HELD,
				    d->word_why[0] ? d->word_why : "It has a word the moderators check first",
				    1, now, NULL);
	else if (e == ERR_OK && held && d->hold_link)
		e = talk_flag_raise(env, db, post_id, space_id, 0, TALK_R_HELD, "A new account's post with a link",
				    0, now, NULL);
	return e;
}

static void posted_fill(struct talk_posted *out, int64_t id, int64_t topic_id, const struct draft *d, bool held)
{
	out->id = id;
	out->topic_id = topic_id;
	out->signposted = d->crisis.signpost;
	out->urgent = d->crisis.urgent;
	out->held = held;
	if (held)
		str_copy(out->held_why, sizeof(out->held_why), d->hold_link && !d->hold_word ?
			 "New accounts' posts with links are read by a moderator first. It will appear when "
			 "they have looked at it." :
			 "Your post is waiting for a moderator to read it. It will appear when they have looked at it.");
}

/* Writes the draft as a new post of the topic, in the open transaction,
 * with its history, counts and flags. */
static enum err post_publish(const struct talk_env *env, struct db *db, const struct draft *d,
		const struct talk_space *s, int64_t topic_id, int64_t writer, int64_t quote_of, int64_t now,
		struct talk_posted *out)
{
	bool held = draft_held(d);
	int64_t id = 0;
	enum err e;

	e = db_query_int(db, &q_post_insert, DB_ARGS(DB_INT(topic_id), DB_INT(s->id), DB_INT(writer),
		DB_TEXT(d->body), DB_TEXT(d->search), DB_TEXT(held ? "held" : "visible"), DB_BOOL(d->crisis.signpost),
		quote_of ? DB_INT(quote_of) : DB_NULL, DB_INT(now), DB_TEXT(d->html)), &id);
	if (e == ERR_OK && d->replaced)
		e = db_exec(db, &q_history, DB_ARGS(DB_INT(id), DB_TEXT(d->written), DB_NULL,
			DB_TEXT("watched word replaced"), DB_INT(now)), NULL);
	/* A new post comes after every other: readers' pages before the
	 * last are unchanged (the version stays; posts_n moves), and a held
	 * one is seen only by its writer and moderators. */
	if (e == ERR_OK && !held)
		e = db_exec(db, &q_topic_bump, DB_ARGS(DB_INT(topic_id), DB_INT(now)), NULL);
	if (e == ERR_OK)
		e = db_exec(db, &q_space_bump, DB_ARGS(DB_INT(s->id), DB_INT(d->title ? 1 : 0),
			held ? DB_NULL : DB_INT(now)), NULL);
	if (e == ERR_OK)
		e = draft_flags(env, db, d, id, s->id, true, held, now);
	if (e == ERR_OK)
		posted_fill(out, id, topic_id, d, held);
	return e;
}

/* ---------------------------------------------------------------- topics */

static enum err topic_read(struct db_res *r, struct arena *a, struct talk_topic *out)
{
	const char *state = db_text(r, 3);

	out->id = db_int(r, 0);
	out->space_id = db_int(r, 1);
	out->title = db_dup(a, r, 2, NULL);
	out->locked = strcmp(state, "locked") == 0;
	out->hidden = strcmp(state, "hidden") == 0;
	out->posts_n = db_int(r, 4);
	out->created_at = db_int(r, 5);
	out->last_post_at = db_int(r, 6);
	out->following = db_int(r, 7) > 0;
	out->version = db_int(r, 8);
	out->following_space = db_int(r, 9) > 0;
	return out->title ? ERR_OK : ERR_NOMEM;
}

enum err talk_topic_load(struct db *db, struct arena *a, const struct actor *actor, int64_t id, bool moderator,
		struct talk_topic *out)
{
	struct db_res *r;
	enum err e;

	memset(out, 0, sizeof(*out));
	e = db_query_one(db, &q_topic, DB_ARGS(DB_INT(id), DB_INT(actor ? actor->id : 0)), &r);
	if (e)
		return e;
	e = topic_read(r, a, out);
	db_res_free(r);
	if (e == ERR_OK && out->hidden && !moderator) {
		memset(out, 0, sizeof(*out));
		return ERR_NOT_FOUND;
	}
	return e;
}

enum err talk_topic_open(const struct talk_env *env, struct db *db, struct arena *a, const struct actor *actor,
		int64_t id, int64_t now, struct talk_topic_view *out)
{
	int64_t me = actor ? actor->id : 0;
	struct db_res *r;
	enum err e;

	memset(out, 0, sizeof(*out));
	e = db_query_one(db, &q_topic_open, DB_ARGS(DB_INT(id), DB_INT(me), DB_INT(now - DAY_S),
		DB_INT(talk_trusted_before(env, now))), &r);
	if (e)
		return e;
	if ((e = topic_read(r, a, &out->t)) == ERR_OK)
		e = talk_space_read(r, TOPIC_NCOLS, a, actor, &out->s);
	if (e == ERR_OK && me && !db_isnull(r, TOPIC_NCOLS + SPACE_NCOLS))
		talk_profile_read(env, r, TOPIC_NCOLS + SPACE_NCOLS, me, now, &out->p);
	else
		str_copy(out->p.notify, sizeof(out->p.notify), "daily");
	out->own = db_int(r, TOPIC_NCOLS + SPACE_NCOLS + PROFILE_NCOLS) > 0;
	db_res_free(r);
	if (e == ERR_OK && out->t.hidden && !out->s.moderator)
		e = ERR_NOT_FOUND;
	if (e)
		memset(out, 0, sizeof(*out));
	return e;
}

static json_t *topic_row(struct db_res *r)
{
	int64_t posts = db_int(r, 3);

	return json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:b, s:b}", "id", (json_int_t)db_int(r, 0),
			 "title", db_text(r, 1), "by", db_text(r, 2), "posts", (json_int_t)posts, "replies",
			 (json_int_t)(posts > 0 ? posts - 1 : 0), "last_post_at", (json_int_t)db_int(r, 4),
			 "created_at", (json_int_t)db_int(r, 5), "locked", strcmp(db_text(r, 6), "locked") == 0,
			 "hidden", strcmp(db_text(r, 6), "hidden") == 0);
}

enum err talk_topics(struct db *db, const struct talk_space *s, int page, int per_page, json_t **out)
{
	struct db_res *r;
	json_t *list;
	int64_t total = 0;
	enum err e;

	*out = NULL;
	page = page_of(page);
	per_page = per_page_of(per_page);
	e = db_query_int(db, &q_topics_n, DB_ARGS(DB_INT(s->id), DB_BOOL(s->moderator)), &total);
	if (e || (e = db_query(db, &q_topics, DB_ARGS(DB_INT(s->id), DB_BOOL(s->moderator), DB_INT(per_page),
			DB_INT(offset_of(page, per_page))), &r)) != ERR_OK)
		return e;
	list = json_array();
	while ((e = db_next(r)) == ERR_OK && db_row(r))
		if (!list || json_array_append_new(list, topic_row(r)) != 0) {
			e = ERR_NOMEM;
			break;
		}
	db_res_free(r);
	if (e == ERR_OK && !(*out = paged("topics", list, total, page, per_page)))
		e = ERR_NOMEM;
	if (e && !*out)
		json_decref(list);
	return e;
}

enum err talk_topic_create(const struct talk_env *env, struct db *db, const struct talk_space *s,
		const struct actor *actor, const char *title, const char *body, int64_t now, json_t *errors,
		struct talk_posted *out)
{
	struct draft d;
	struct arena a;
	bool trusted = false, mine = false;
	int64_t topic_id = 0;
	enum err e;

	memset(out, 0, sizeof(*out));
	if (!actor || !actor->id || !may_read(s))
		return ERR_NOT_FOUND;
	if ((e = writer_check(env, db, actor, s, false, true, now, errors, &trusted)) != ERR_OK)
		return e;
	if (!title_ok(title, errors) | !body_ok(body, errors))
		return ERR_INVALID;
	arena_init(&a);
	if ((e = draft_make(db, &a, trusted, title, body, &d)) != ERR_OK || (e = tx_open(db, &mine)) != ERR_OK)
		goto out;
	e = limit_recheck(env, db, actor, trusted, now, errors);
	if (e == ERR_OK)
		e = db_query_int(db, &q_topic_insert, DB_ARGS(DB_INT(s->id), DB_INT(actor->id), DB_TEXT(d.title),
			DB_INT(now)), &topic_id);
	if (e == ERR_OK)
		e = post_publish(env, db, &d, s, topic_id, actor->id, 0, now, out);
	/* Whoever starts a topic hears of its replies (as they chose to be
	 * told: at once, daily or not at all); they can stop following it. */
	if (e == ERR_OK)
		e = db_exec(db, &q_follow_topic, DB_ARGS(DB_INT(actor->id), DB_INT(topic_id), DB_INT(now)), NULL);
	if (e == ERR_OK)
		e = talk_audit(db, now, actor->id, "talk.topic_created", actor->id, "space=%lld topic=%lld post=%lld",
			       (long long)s->id, (long long)topic_id, (long long)out->id);
	e = tx_close(db, mine, e);
out:
	if (e)
		memset(out, 0, sizeof(*out));
	arena_release(&a);
	return e;
}

/* ---------------------------------------------------------------- posts */

/* The topic and space a reply goes to, if the actor may write there. */
static enum err reply_target(struct db *db, struct arena *a, const struct actor *actor, int64_t topic_id,
		struct talk_topic *t, struct talk_space *s)
{
	enum err e;

	if (!actor || !actor->id)
		return ERR_NOT_FOUND;
	if ((e = talk_topic_load(db, a, actor, topic_id, true, t)) != ERR_OK ||
	    (e = talk_space_load_id(db, a, actor, t->space_id, s)) != ERR_OK)
		return e;
	if (!may_read(s) || (t->hidden && !s->moderator))
		return ERR_NOT_FOUND;
	return ERR_OK;
}

static bool quote_ok(struct db *db, int64_t quote_of, int64_t topic_id, const struct actor *actor, bool moderator,
		json_t *errors)
{
	int64_t n = 0;

	if (!quote_of)
		return true;
	if (db_query_int(db, &q_quotable, DB_ARGS(DB_INT(quote_of), DB_INT(topic_id), DB_INT(actor->id),
			DB_BOOL(moderator)), &n) == ERR_OK && n > 0)
		return true;
	field_err(errors, "quote", "The post you are quoting is not in this conversation any more. Remove the "
		  "quote and try again");
	return false;
}

enum err talk_post_create(const struct talk_env *env, struct db *db, int64_t topic_id,
		const struct actor *actor, const char *body, int64_t quote_of, int64_t now, json_t *errors,
		struct talk_posted *out)
{
	struct talk_topic t;
	struct talk_space s;
	struct draft d;
	struct arena a;
	bool trusted = false, mine = false;
	enum err e;

	memset(out, 0, sizeof(*out));
	arena_init(&a);
	if ((e = reply_target(db, &a, actor, topic_id, &t, &s)) != ERR_OK ||
	    (e = writer_check(env, db, actor, &s, t.locked, true, now, errors, &trusted)) != ERR_OK)
		goto out;
	if (!body_ok(body, errors) | !quote_ok(db, quote_of, topic_id, actor, s.moderator, errors)) {
		e = ERR_INVALID;
		goto out;
	}
	if ((e = draft_make(db, &a, trusted, NULL, body, &d)) != ERR_OK || (e = tx_open(db, &mine)) != ERR_OK)
		goto out;
	e = limit_recheck(env, db, actor, trusted, now, errors);
	if (e == ERR_OK)
		e = post_publish(env, db, &d, &s, topic_id, actor->id, quote_of, now, out);
	if (e == ERR_OK)
		e = talk_audit(db, now, actor->id, "talk.posted", actor->id, "topic=%lld post=%lld",
			       (long long)topic_id, (long long)out->id);
	e = tx_close(db, mine, e);
out:
	if (e)
		memset(out, 0, sizeof(*out));
	arena_release(&a);
	return e;
}

/* ---------------------------------------------------------------- reading */

/* Who is reading, for the shape of each post. */
struct reader {
	int64_t me;
	bool moderator;
	int64_t now;
	int edit_minutes;
	struct buf html;              /* reused for each post's HTML */
};

static bool state_is(struct db_res *r, int col, const char *state)
{
	return db_text(r, col) && strcmp(db_text(r, col), state) == 0;
}

/* The quoted post, when the reader may see it. */
static json_t *quote_json(struct db_res *r, struct reader *v)
{
	bool visible = state_is(r, PC_Q_STATE, "visible") || v->moderator ||
		       (state_is(r, PC_Q_STATE, "held") && v->me && db_int(r, PC_Q_WRITER) == v->me);

	if (db_isnull(r, PC_Q_ID) || !visible)
		return NULL;
	return json_pack("{s:I, s:s, s:o}", "id", (json_int_t)db_int(r, PC_Q_ID), "by", db_text(r, PC_Q_BY),
			 "html", html_json(&v->html, r, PC_Q_HTML, PC_Q_BODY));
}

static json_t *post_json(struct db_res *r, struct reader *v)
{
	bool mine = v->me && db_int(r, PC_WRITER) == v->me;
	bool hidden = state_is(r, PC_STATE, "hidden");
	bool sees = mine || v->moderator;
	int64_t created = db_int(r, PC_CREATED);
	bool can_edit = mine && !hidden && v->edit_minutes > 0 &&
			v->now <= created + (int64_t)v->edit_minutes * 60;
	json_t *o = json_pack("{s:I, s:s, s:b, s:s, s:b, s:b, s:b, s:b, s:I}", "id", (json_int_t)db_int(r, PC_ID),
			      "by", db_text(r, PC_BY), "mine", mine, "state", db_text(r, PC_STATE), "metoo_mine",
			      db_int(r, PC_METOO_MINE) > 0, "thanks_mine", db_int(r, PC_THANKS_MINE) > 0, "edited",
			      db_int(r, PC_EDITS) > 0, "can_edit", can_edit, "created_at", (json_int_t)created);
	json_t *q;

	if (!o)
		return NULL;
	json_object_set_new(o, "body_html", hidden && !v->moderator ? json_string("") :
			    html_json(&v->html, r, PC_HTML, PC_BODY));
	/* Erasure (moderate_data.c) leaves the post with no writer and no
	 * words, so replies to it still read in order. */
	if (db_int(r, PC_WRITER) == 0 && db_text(r, PC_BODY) && !*db_text(r, PC_BODY))
		json_object_set_new(o, "removed", json_true());
	if (sees) {
		json_object_set_new(o, "signposted", json_boolean(db_int(r, PC_SIGNPOSTED) != 0));
		json_object_set_new(o, "metoo", json_integer((json_int_t)db_int(r, PC_METOO)));
		json_object_set_new(o, "thanks", json_integer((json_int_t)db_int(r, PC_THANKS)));
	}
	if (sees && hidden)
		json_object_set_new(o, "hidden_note", json_string(db_text(r, PC_NOTE) ? db_text(r, PC_NOTE) : ""));
	if ((q = quote_json(r, v)) != NULL)
		json_object_set_new(o, "quote", q);
	return o;
}

enum err talk_posts(struct db *db, struct arena *a, const struct talk_topic *t, const struct actor *actor,
		bool moderator, int page, int per_page, int64_t now, int edit_minutes, json_t **out)
{
	struct reader v = { .me = actor ? actor->id : 0, .moderator = moderator, .now = now,
			    .edit_minutes = edit_minutes };
	struct db_res *r;
	json_t *list;
	int64_t total = 0;
	enum err e;

	UNUSED(a);
	*out = NULL;
	page = page_of(page);
	per_page = per_page_of(per_page);
	e = db_query_int(db, &q_posts_n, DB_ARGS(DB_INT(t->id), DB_INT(v.me), DB_BOOL(moderator)), &total);
	if (e || (e = db_query(db, &q_posts, DB_ARGS(DB_INT(t->id), DB_INT(v.me), DB_BOOL(moderator),
			DB_INT(per_page), DB_INT(offset_of(page, per_page))), &r)) != ERR_OK)
		return e;
	list = json_array();
	buf_init(&v.html, MARKDOWN_HTML_BOUND(TALK_BODY_MAX));
	while ((e = db_next(r)) == ERR_OK && db_row(r))
		if (!list || json_array_append_new(list, post_json(r, &v)) != 0) {
			e = ERR_NOMEM;
			break;
		}
	db_res_free(r);
	buf_release(&v.html);
	if (e == ERR_OK && !(*out = paged("posts", list, total, page, per_page)))
		e = ERR_NOMEM;
	if (e && !*out)
		json_decref(list);
	return e;
}

/* What the rules need of a post. */
struct post_meta {
	int64_t id, topic_id, space_id, writer, created_at;
	char state[8];
	const char *body;
	bool signposted, topic_hidden, topic_locked;
};

static enum err post_meta(struct db *db, struct arena *a, int64_t id, struct post_meta *m)
{
	struct db_res *r;
	enum err e;

	memset(m, 0, sizeof(*m));
	if ((e = db_query_one(db, &q_post_meta, DB_ARGS(DB_INT(id)), &r)) != ERR_OK)
		return e;
	m->id = db_int(r, 0);
	m->topic_id = db_int(r, 1);
	m->space_id = db_int(r, 2);
	m->writer = db_int(r, 3);
	str_copy(m->state, sizeof(m->state), db_text(r, 4));
	m->created_at = db_int(r, 5);
	m->body = db_dup(a, r, 6, NULL);
	m->signposted = db_int(r, 7) != 0;
	m->topic_hidden = strcmp(db_text(r, 8), "hidden") == 0;
	m->topic_locked = strcmp(db_text(r, 8), "locked") == 0;
	db_res_free(r);
	return m->body ? ERR_OK : ERR_NOMEM;
}

/* The post and its space, if the actor may read it (ERR_NOT_FOUND). */
static enum err post_readable(struct db *db, struct arena *a, const struct actor *actor, int64_t id,
		struct post_meta *m, struct talk_space *s)
{
	bool mine;
	enum err e;

	if ((e = post_meta(db, a, id, m)) != ERR_OK ||
	    (e = talk_space_load_id(db, a, actor, m->space_id, s)) != ERR_OK)
		return e;
	mine = actor && actor->id && m->writer == actor->id;
	if (!may_read(s) || (m->topic_hidden && !s->moderator))
		return ERR_NOT_FOUND;
	if (strcmp(m->state, "hidden") == 0 && !s->moderator)
		return ERR_NOT_FOUND;
	if (strcmp(m->state, "held") == 0 && !s->moderator && !mine)
		return ERR_NOT_FOUND;
	return ERR_OK;
}

enum err talk_post_get(struct db *db, struct arena *a, const struct actor *actor, int64_t id, int64_t now,
		int edit_minutes, json_t **out)
{
	struct post_meta m;
	struct talk_space s;
	struct reader v = { .me = actor ? actor->id : 0, .now = now, .edit_minutes = edit_minutes };
	struct db_res *r;
	enum err e;

	*out = NULL;
	if ((e = post_readable(db, a, actor, id, &m, &s)) != ERR_OK)
		return e;
	v.moderator = s.moderator;
	if ((e = db_query_one(db, &q_post_one, DB_ARGS(DB_INT(id), DB_INT(v.me)), &r)) != ERR_OK)
		return e;
	buf_init(&v.html, MARKDOWN_HTML_BOUND(TALK_BODY_MAX));
	*out = post_json(r, &v);
	if (*out) {
		json_object_set_new(*out, "topic_id", json_integer((json_int_t)m.topic_id));
		json_object_set_new(*out, "space_id", json_integer((json_int_t)m.space_id));
		json_object_set_new(*out, "body", json_string(db_text(r, PC_BODY)));
	}
	buf_release(&v.html);
	db_res_free(r);
	return *out ? ERR_OK : ERR_NOMEM;
}

/* ---------------------------------------------------------------- editing */

/* May the actor edit post m now? ERR_FORBIDDEN with words. */
static enum err edit_allowed(const struct talk_env *env, const struct actor *actor, const struct post_meta *m,
		int64_t now, json_t *errors)
{
	char why[200];
	int minutes = talk_edit_minutes(env);

	if (m->writer != actor->id)
		return forbid(errors, "You can only change your own posts.");
	if (strcmp(m->state, "hidden") == 0)
		return forbid(errors, "A moderator has hidden this post, so it cannot be changed. You can write to "
			      "the moderators at /talk/messages.");
	if (now > m->created_at + (int64_t)minutes * 60) {
		snprintf(why, sizeof(why), "Posts can be changed for %d minutes after they are written, and that "
			 "time has passed for this one. You can add a reply instead.", minutes);
		return forbid(errors, why);
	}
	return ERR_OK;
}

/* Writes the edit in the open transaction: the words before kept, the
 * new ones read again (a crisis flag again only when none as urgent is
 * open, so moderators on duty are not alerted twice for one post); a
 * post newly held leaves the topic's count. */
static enum err edit_apply(const struct talk_env *env, struct db *db, const struct post_meta *m,
		const struct draft *d, int64_t by, int64_t now, bool *held)
{
	bool was_visible = strcmp(m->state, "visible") == 0;
	int64_t open_crisis = 0;
	enum err e;

	*held = !was_visible || draft_held(d);
	e = db_exec(db, &q_history, DB_ARGS(DB_INT(m->id), DB_TEXT(m->body), DB_INT(by), DB_NULL, DB_INT(now)),
		    NULL);
	if (e == ERR_OK && d->replaced)
		e = db_exec(db, &q_history, DB_ARGS(DB_INT(m->id), DB_TEXT(d->written), DB_NULL,
			DB_TEXT("watched word replaced"), DB_INT(now)), NULL);
	if (e == ERR_OK)
		e = db_exec(db, &q_post_update, DB_ARGS(DB_INT(m->id), DB_TEXT(d->body), DB_TEXT(d->search),
			DB_TEXT(*held ? "held" : "visible"), DB_BOOL(m->signposted || d->crisis.signpost),
			DB_INT(now), DB_TEXT(d->html)), NULL);
	if (e == ERR_OK)
		e = was_visible && *held ? db_exec(db, &q_topic_unbump, DB_ARGS(DB_INT(m->topic_id)), NULL) :
		    db_exec(db, &q_topic_touch, DB_ARGS(DB_INT(m->topic_id)), NULL);
	if (e == ERR_OK && d->crisis.signpost)
		e = db_query_int(db, &q_open_crisis, DB_ARGS(DB_INT(m->id), DB_INT(d->crisis.urgent ? 2 : 1)),
				 &open_crisis);
	if (e == ERR_OK)
		e = draft_flags(env, db, d, m->id, m->space_id, open_crisis == 0, was_visible && *held, now);
	return e;
}

enum err talk_post_edit(const struct talk_env *env, struct db *db, int64_t post_id, const struct actor *actor,
		const char *body, int64_t now, json_t *errors, struct talk_posted *out)
{
	struct post_meta m;
	struct talk_space s;
	struct draft d;
	struct arena a;
	bool trusted = false, mine = false, held = false;
	enum err e;

	memset(out, 0, sizeof(*out));
	if (!actor || !actor->id)
		return ERR_NOT_FOUND;
	arena_init(&a);
	/* The writer may be told why their hidden post cannot change. */
	if ((e = post_readable(db, &a, actor, post_id, &m, &s)) == ERR_NOT_FOUND && m.writer == actor->id &&
	    strcmp(m.state, "hidden") == 0 && may_read(&s) && !m.topic_hidden)
		e = ERR_OK;
	if (e)
		goto out;
	if ((e = edit_allowed(env, actor, &m, now, errors)) != ERR_OK ||
	    (e = writer_check(env, db, actor, &s, false, false, now, errors, &trusted)) != ERR_OK)
		goto out;
	if (!body_ok(body, errors)) {
		e = ERR_INVALID;
		goto out;
	}
	if ((e = draft_make(db, &a, trusted, NULL, body, &d)) != ERR_OK)
		goto out;
	if (strcmp(body, m.body) == 0) {   /* nothing changed: nothing to keep */
		posted_fill(out, m.id, m.topic_id, &d, strcmp(m.state, "held") == 0);
		goto out;
	}
	if ((e = tx_open(db, &mine)) != ERR_OK)
		goto out;
	e = edit_apply(env, db, &m, &d, actor->id, now, &held);
	if (e == ERR_OK)
		e = talk_audit(db, now, actor->id, "talk.edited", actor->id, "post=%lld", (long long)post_id);
	e = tx_close(db, mine, e);
	if (e == ERR_OK)
		posted_fill(out, m.id, m.topic_id, &d, held);
out:
	arena_release(&a);
	return e;
}

/* ---------------------------------------------------------------- reactions */

enum err talk_react(struct db *db, int64_t post_id, const struct actor *actor, const char *kind, bool on,
		int64_t now)
{
	struct post_meta m;
	struct talk_space s;
	struct arena a;
	int64_t n = 0;
	bool mine = false;
	enum err e;

	if (!kind || (strcmp(kind, "metoo") != 0 && strcmp(kind, "thanks") != 0))
		return ERR_INVALID;
	if (!actor || !actor->id)
		return ERR_NOT_FOUND;
	arena_init(&a);
	e = post_readable(db, &a, actor, post_id, &m, &s);
	if (e == ERR_OK && m.writer == actor->id)
		e = ERR_FORBIDDEN;
	else if (e == ERR_OK && strcmp(m.state, "visible") != 0)
		e = ERR_NOT_FOUND;
	arena_release(&a);
	if (e || (e = tx_open(db, &mine)) != ERR_OK)
		return e;
	e = on ? db_exec(db, &q_react_on, DB_ARGS(DB_INT(post_id), DB_INT(actor->id), DB_TEXT(kind), DB_INT(now)), &n)
	       : db_exec(db, &q_react_off, DB_ARGS(DB_INT(post_id), DB_INT(actor->id), DB_TEXT(kind)), &n);
	if (e == ERR_OK && n > 0)
		e = db_exec(db, &q_react_count, DB_ARGS(DB_INT(post_id)), NULL);
	return tx_close(db, mine, e);
}

/* ---------------------------------------------------------------- search */

/* The pattern for a folded word: at a word's start, LIKE's own
 * characters escaped. */
static const char *word_pattern(struct arena *a, const char *w, size_t n)
{
	char *p = arena_alloc(a, 2 * n + 4), *o = p;

	if (!p)
		return NULL;
	*o++ = '%';
	*o++ = ' ';
	for (size_t i = 0; i < n; i++) {
		if (w[i] == '%' || w[i] == '_' || w[i] == '\\')
			*o++ = '\\';
		*o++ = w[i];
	}
	*o++ = '%';
	*o = 0;
	return p;
}

/* Up to SEARCH_WORDS patterns of q's folded words ('%' for the rest);
 * the number of words. -1 when out of memory. */
static int search_patterns(struct arena *a, const char *q, const char *pat[SEARCH_WORDS])
{
	char cut[TALK_SEARCH_MAX * 4 + 1];
	const char *f;
	size_t i = 0, chars = 0;
	int n = 0;

	/* The first TALK_SEARCH_MAX characters. */
	for (; q && q[i] && i < sizeof(cut) - 4; i++) {
		if (((unsigned char)q[i] & 0xc0) != 0x80 && ++chars > TALK_SEARCH_MAX)
			break;
		cut[i] = q[i];
	}
	cut[i] = 0;
	if (!(f = talk_fold(a, cut)))
		return -1;
	for (int k = 0; k < SEARCH_WORDS; k++)
		pat[k] = "%";
	while (*f && n < SEARCH_WORDS) {
		size_t len = strcspn(f, " ");
		if (!(pat[n++] = word_pattern(a, f, len)))
			return -1;
		f += len;
		f += *f == ' ';
	}
	return n;
}

/* The first SNIPPET_CHARS or so of a post's words, cut at a space. */
static const char *snippet(struct arena *a, const char *md)
{
	const char *t = plain_text(a, md);
	size_t i = 0, chars = 0, space = 0;

	if (!t)
		return "";
	for (; t[i]; i++) {
		if (((unsigned char)t[i] & 0xc0) == 0x80)
			continue;
		if (chars++ == SNIPPET_CHARS)
			break;
		if (t[i] == ' ' || t[i] == '\n')
			space = i;
	}
	if (!t[i])
		return t;
	return arena_printf(a, "%.*s…", (int)(space > SNIPPET_CHARS / 2 ? space : i), t);
}

static json_t *result_row(struct arena *a, struct db_res *r)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:I}", "post_id", (json_int_t)db_int(r, 0), "topic_id",
			 (json_int_t)db_int(r, 1), "topic_title", db_text(r, 2), "by", db_text(r, 3), "snippet",
			 snippet(a, db_text(r, 4)), "created_at", (json_int_t)db_int(r, 5));
}

#define PATTERNS(p) DB_TEXT(p[0]), DB_TEXT(p[1]), DB_TEXT(p[2]), DB_TEXT(p[3]), DB_TEXT(p[4]), \
	DB_TEXT(p[5]), DB_TEXT(p[6]), DB_TEXT(p[7])

enum err talk_search(struct db *db, struct arena *a, const struct talk_space *s, const char *q, int page,
		int per_page, json_t **out)
{
	const char *pat[SEARCH_WORDS];
	struct db_res *r;
	json_t *list = NULL;
	int64_t total = 0;
	int words;
	enum err e = ERR_OK;

	*out = NULL;
	page = page_of(page);
	per_page = per_page_of(per_page);
	if ((words = search_patterns(a, q, pat)) < 0)
		return ERR_NOMEM;
	if (!(list = json_array()))
		return ERR_NOMEM;
	if (words > 0)
		e = db_query_int(db, &q_search_n, DB_ARGS(DB_INT(s->id), PATTERNS(pat)), &total);
	if (words > 0 && e == ERR_OK && (e = db_query(db, &q_search, DB_ARGS(DB_INT(s->id), PATTERNS(pat),
			DB_INT(per_page), DB_INT(offset_of(page, per_page))), &r)) == ERR_OK) {
		while ((e = db_next(r)) == ERR_OK && db_row(r))
			if (json_array_append_new(list, result_row(a, r)) != 0) {
				e = ERR_NOMEM;
				break;
			}
		db_res_free(r);
	}
	if (e == ERR_OK && !(*out = paged("results", list, total, page, per_page)))
		e = ERR_NOMEM;
	if (e && !*out)
		json_decref(list);
	return e;
}

/* ---------------------------------------------------------------- following */

enum err talk_follow(struct db *db, int64_t person_id, int64_t space_id, int64_t topic_id, bool on, int64_t now)
{
	bool topic = topic_id != 0;
	int64_t id = topic ? topic_id : space_id, n = 0;
	enum err e;

	if ((space_id != 0) == topic || !person_id)
		return ERR_INVALID;
	if ((e = db_query_int(db, topic ? &q_topic_exists : &q_space_exists, DB_ARGS(DB_INT(id)), &n)) != ERR_OK)
		return e;
	if (n == 0)
		return ERR_NOT_FOUND;
	if (on)
		return db_exec(db, topic ? &q_follow_topic : &q_follow_space,
			       DB_ARGS(DB_INT(person_id), DB_INT(id), DB_INT(now)), NULL);
	return db_exec(db, topic ? &q_unfollow_topic : &q_unfollow_space, DB_ARGS(DB_INT(person_id), DB_INT(id)),
		       NULL);
}

enum err talk_seen(struct db *db, int64_t person_id, int64_t topic_id, int64_t post_id)
{
	enum err e = db_exec(db, &q_seen_topic, DB_ARGS(DB_INT(person_id), DB_INT(topic_id), DB_INT(post_id)), NULL);

	if (e == ERR_OK)
		e = db_exec(db, &q_seen_space, DB_ARGS(DB_INT(person_id), DB_INT(topic_id), DB_INT(post_id)), NULL);
	return e;
}

static json_t *followed_space(struct db_res *r, void *ctx)
{
	UNUSED(ctx);
	return json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)db_int(r, 0), "slug", db_text(r, 1), "name",
			 db_text(r, 2), "new", (json_int_t)db_int(r, 3));
}

static json_t *followed_topic(struct db_res *r, void *ctx)
{
	UNUSED(ctx);
	return json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)db_int(r, 0), "title", db_text(r, 1), "space",
			 db_text(r, 2), "new", (json_int_t)db_int(r, 3));
}

enum err talk_following(struct db *db, int64_t person_id, json_t **out)
{
	json_t *spaces = NULL, *topics = NULL;
	enum err e;

	*out = NULL;
	e = db_rows_json(db, &q_following_spaces, DB_ARGS(DB_INT(person_id)), followed_space, NULL, &spaces);
	if (e == ERR_OK)
		e = db_rows_json(db, &q_following_topics, DB_ARGS(DB_INT(person_id)), followed_topic, NULL, &topics);
	if (e) {
		json_decref(spaces);
		return e;
	}
	*out = json_pack("{s:o, s:o}", "spaces", spaces, "topics", topics);
	return *out ? ERR_OK : ERR_NOMEM;
}
