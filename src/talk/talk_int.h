/*
 * talk_int.h - what the conversations feature's files share and nobody
 * else sees. talk.c: people, spaces, topics, posts, reactions, search,
 * following. moderate.c: flags, the queue, moderators' actions, notices,
 * watched words, messages with the moderators, the job, export and
 * erasure. talk_web.c, moderate_web.c: the pages. talk_api.c: the API.
 */
#ifndef KITH_TALK_INT_H
#define KITH_TALK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "talk/talk.h"

struct actor;
struct db;
struct db_res;

/* A space's columns with what ties the actor ($2) to it, read by
 * talk_space_read; from "talk_space s " TALK_SPACE_JOIN (talk.c). */
#define TALK_SPACE_COLS \
	"s.id, s.slug, s.kind, s.name, s.about, s.condition, s.service_id, s.state, s.topics_n, " \
	"s.last_post_at, g.organisation_id, " \
	"(SELECT count(*) FROM group_member m WHERE m.service_id = s.service_id AND m.person_id = $2), " \
	"(SELECT count(*) FROM group_host h WHERE h.service_id = s.service_id AND h.person_id = $2), " \
	"(SELECT count(*) FROM talk_moderator tm WHERE tm.space_id = s.id AND tm.person_id = $2) "
#define TALK_SPACE_JOIN "LEFT JOIN community_group g ON g.service_id = s.service_id "
enum err talk_space_read(struct db_res *r, int col, struct arena *a, const struct actor *actor,
		struct talk_space *out);

/* A person's profile columns (8), read by talk_profile_read, from
 * "person p LEFT JOIN talk_profile tp ON tp.person_id = p.id". The
 * placeholders: since, now less a day; trusted_before,
 * talk_trusted_before. Posts since are counted only for an account not
 * yet trusted (a trusted writer's count would be read on every post and
 * never used) (talk.c). */
#define TALK_PROFILE_COLS(since, trusted_before) \
	"p.created_at, tp.display_name, coalesce(tp.trusted, 0), coalesce(tp.suspended, 0), " \
	"coalesce(tp.muted_until, 0), coalesce(tp.on_duty, 0), coalesce(tp.notify, 'daily'), " \
	"CASE WHEN coalesce(tp.trusted, 0) = 0 AND p.created_at > " trusted_before " " \
	"THEN (SELECT count(*) FROM talk_post x WHERE x.person_id = p.id AND x.created_at > " since ") " \
	"ELSE 0 END "
/* An account made before this is trusted by time (talk_trust_days). */
int64_t talk_trusted_before(const struct talk_env *env, int64_t now);
void talk_profile_read(const struct talk_env *env, struct db_res *r, int col, int64_t person_id, int64_t now,
		struct talk_profile *out);

/* Settings with their defaults when env->settings is NULL (talk.c). */
int talk_edit_minutes(const struct talk_env *env);
int talk_new_posts_per_day(const struct talk_env *env);
int talk_trust_days(const struct talk_env *env);
int talk_digest_hour(const struct talk_env *env);
int talk_per_page(const struct talk_env *env);

/* Audits a talk.* action with a short detail (ids, never words typed)
 * (talk.c). */
enum err talk_audit(struct db *db, int64_t now, int64_t actor, const char *action, int64_t subject,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* The person's display name into a ("Someone" when they have none or
 * were erased; NULL when out of memory) (talk.c). */
const char *talk_display_name(struct db *db, struct arena *a, int64_t person_id);

/* Does actor moderate space_id: a coordinator (or admin), or named for
 * it (talk.c)? */
bool talk_is_moderator(struct db *db, const struct actor *actor, int64_t space_id);

/* text folded for search and name comparison: lowercase, accents and
 * punctuation dropped, one space between words (talk.c). NULL when out
 * of memory. */
char *talk_fold(struct arena *a, const char *text);

/* The display-name check of talk_profile_set, without the database
 * (fuzz/fuzz_talk_text.c): display_name trimmed into *name (in a) with
 * its folded key in *key, true when people may choose it (one line of
 * TALK_NAME_MIN..TALK_NAME_MAX characters: letters, digits, spaces,
 * hyphens, apostrophes, full stops, underscores; at least one letter or
 * digit; not an email, web address or phone number; not a name kept for
 * kith). Else false with one error, field "display_name", in errors (or
 * none when out of memory) (talk.c). Whether someone else has a name
 * that folds alike is talk_profile_set's to ask. */
bool talk_name_check(struct arena *a, const char *display_name, json_t *errors, char **name, char **key);

/* Does body carry a link (http:, https:, www., mailto:, or an address
 * like example.com/...) (talk.c)? */
bool talk_has_link(const char *body);

/* Applies the watched words to body: *out is body with "replace" words
 * replaced (body itself when none; else in a); *hold true when a "hold"
 * word is in it, with the word in why (moderate.c). */
enum err talk_watched_apply(struct db *db, struct arena *a, const char *body, const char **out, bool *hold,
		char *why, size_t whylen);

/* A watched word as kept (talk_fold's form, n its bytes, 1 or more) and
 * what it does: hold the post, or be replaced by replacement. */
struct talk_watch {
	const char *word, *replacement;
	size_t n;
	bool hold;
};

/* talk_watched_apply's matching, with the words w[0..nw) given (no
 * database; fuzz/fuzz_talk_text.c): at each word's start in body (its
 * first byte, or one after a byte that is not an ASCII letter or digit
 * nor part of a UTF-8 character), the first of w that is there as a
 * whole word (ASCII letters in either case) is replaced, or, for a hold
 * word, kept and *hold set with the first such word in why (cut at a
 * character to fit whylen). *out is body itself when nothing was
 * replaced, else in a (moderate.c). */
enum err talk_watched_match(struct arena *a, const char *body, const struct talk_watch *w, size_t nw,
		const char **out, bool *hold, char *why, size_t whylen);

/* Raises a flag on a post: by 0 for kith itself (the classifier, a held
 * post), urgency 0..2; *id (may be NULL). An urgent one is alerted to the
 * moderators on duty at once (emails queued in db's transaction, the
 * worker woken once it commits) (moderate.c). */
enum err talk_flag_raise(const struct talk_env *env, struct db *db, int64_t post_id, int64_t space_id, int64_t by,
		enum talk_reason reason, const char *note, int urgency, int64_t now, int64_t *id);

/* Emails person_id template tmpl (templates/emails/tmpl.{txt,html})
 * with ctx (borrowed; "name" and "link" added, link to route with arg):
 * mail_person with env's mailer; nothing when env has none (moderate.c). */
enum err talk_mail(const struct talk_env *env, struct db *db, int64_t person_id, const char *tmpl, json_t *ctx,
		const char *route, const char *arg, int64_t now);

/* A notice to a person in plain words, with its email (moderate.c). */
enum err talk_notice_add(const struct talk_env *env, struct db *db, int64_t person_id, const char *kind,
		int64_t post_id, int64_t by, const char *words, int64_t until, int64_t now);

/* Route names the emails link to (the pages own them). */
#define TALK_ROUTE_TOPIC "talk.topic"        /* /talk/topics/{id} */
#define TALK_ROUTE_NOTICES "talk.notices"    /* /talk/notices */
#define TALK_ROUTE_QUEUE "talk.queue"        /* /talk/moderate */
#define TALK_ROUTE_MESSAGES "talk.messages"  /* /talk/messages */
#define TALK_ROUTE_FOLLOWING "talk.following" /* /talk/following */
#define TALK_ROUTE_MOD_MESSAGES "talk.mod_messages" /* /talk/moderate/messages */

#endif
