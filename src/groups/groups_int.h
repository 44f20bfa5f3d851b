/*
 * groups_int.h - what the groups feature's files share and nobody else
 * sees.
 */
#ifndef KITH_GROUPS_INT_H
#define KITH_GROUPS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "groups/groups.h"

struct db;
struct db_res;
struct db_val;
struct sql;

/* q's rows, each made an element of size bytes by put, into *out
 * (malloc'd, the caller frees; NULL when none). */
enum err group_collect(struct db *db, const struct sql *q, const struct db_val *args, size_t nargs,
		size_t size, void (*put)(void *at, struct db_res *r), void **out, size_t *n);
/* The first column of q's rows as integers, into *out (malloc'd, the
 * caller frees; NULL when none). */
enum err group_ids(struct db *db, const struct sql *q, const struct db_val *args, size_t nargs,
		int64_t **out, size_t *n);

int group_series_weeks(const struct group_env *env);
int group_reminder_hour(const struct group_env *env);
bool group_reminders_by_email(const struct group_env *env);

/* The write in db's open transaction changes what group_version
 * covers: the version moves once it commits (at once outside one). */
enum err group_touch(struct db *db);

/* Where a service meets and how to get there, in words, from the
 * directory's view of it (its first physical place): the calendar
 * files' LOCATION and DESCRIPTION, a reminder's where and getting
 * there. Both NULL when it has no place (or on any error). */
struct group_place {
	const char *location;        /* "Angel Suite, Market Place, Brigg, DN20 8LD", or NULL */
	const char *how;             /* the place's description and access words, or NULL */
};
struct links;
void group_place(const struct links *links, struct db *db, struct arena *a, const char *id, int64_t now,
		struct group_place *out);

/* Audits a group.* action with a short detail (ids, never words typed). */
enum err group_audit(struct db *db, int64_t now, int64_t actor, const char *action, int64_t subject,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Emails person_id template tmpl with ctx (borrowed; "name" and "link"
 * added, link to route with arg): mail_person with env's mailer. */
enum err group_mail(const struct group_env *env, struct db *db, int64_t person_id, const char *tmpl,
		json_t *ctx, const char *route, const char *arg, int64_t now);

/* The group's name (its service's) into a. NULL when out of memory or
 * there is no such group. */
const char *group_name(struct db *db, struct arena *a, const char *id);


/* skey from a day number, and back (false for text that is not a day). */
void group_skey(int64_t day, char out[GROUP_SKEY]);
bool group_skey_parse(const char *skey, int64_t *day);

/* What an email about session s of group id may say: {sensitive: true}
 * alone for a sensitive group (or one not published), else {sensitive:
 * false, group, when, note?, place?}; and link, the session's page. NULL
 * when out of memory or on a database error. */
json_t *group_session_ctx(const struct group_env *env, struct db *db, const char *id,
		const struct group_session *s);

/* Everyone going to or waiting for session skey: emails each tmpl with
 * ctx (borrowed; "group", "when" and "note" set by the caller), linking to
 * the session's page. */
enum err group_tell_going(const struct group_env *env, struct db *db, const char *id, const char *skey,
		const char *tmpl, json_t *ctx, int64_t now);

/* A group_session row's columns, each name after prefix t ("g." or ""),
 * in the order group_session_read reads them. */
#define GROUP_SESSION_COLS(t) t "skey, " t "kind, " t "state, " t "day, " t "opens, " t "closes, " \
	t "title, " t "place, " t "postcode, " t "note, " t "sequence "
#define GROUP_SESSION_NCOLS 11
/* Reads the row's GROUP_SESSION_COLS from column col over s, which holds
 * the schedule's session of the row's key (for a one-off, anything): a
 * change's times replace s's where the row has them. false when the
 * row's days cannot be read (s is then as it was). */
bool group_session_read(struct arena *a, struct db_res *r, int col, struct group_session *s);
/* A service's scheds column (sched_encode forms, one a line) into out:
 * how many (at most max). */
struct sched;
size_t group_decode_scheds(const char *text, struct sched *out, size_t max);
/* The schedule (of sc's ns) whose session falls on day, the earliest when
 * two do (the group meets once a day): its index, or -1 when none. today
 * anchors a schedule with no start day. */
int group_sched_on(const struct sched *sc, size_t ns, int64_t day, int64_t today);

/* Places freed by a larger capacity go to those waiting, for every
 * upcoming session (rsvp.c). */
enum err group_promote_all(const struct group_env *env, struct db *db, const char *id, int64_t now);

/* Stops "every session" for person: the upcoming rsvps it made go (all of
 * person's upcoming ones when all: they left the group), each freed place
 * handed on (rsvp.c). */
enum err group_series_stop(const struct group_env *env, struct db *db, const char *id, int64_t person_id,
		int64_t now, bool all);

#endif
