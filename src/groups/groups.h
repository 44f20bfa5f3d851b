/*
 * groups.h (src/groups/) - groups and their sessions: the community side
 * of a directory service (a Breathe Easy group, a health walk, a lunch
 * club). migrations/0016_groups.sql holds the tables.
 *
 * A group's id is its service's id, and its sessions come from the
 * service's schedules (service.scheds: weekly, every other week, the
 * first Monday of the month...). A session is known by its key, the UK
 * day it has in the schedule. A host may cancel one, move it (to another
 * day or time: its key stays the day it was) or hold it somewhere else,
 * each telling everyone going, and add one-off sessions.
 *
 * The loop:
 *   1. An organiser (or a coordinator) makes a group of one of their
 *      organisation's services (group_create): welcome, who it is for,
 *      details only members see, a capacity per session, whether the
 *      public sees how many are going, and how host messages are emailed.
 *      Organisers name hosts (group_host_add): peer supporters or
 *      volunteers with an account.
 *   2. People join (group_join) and say "I'm going" to a session
 *      (group_rsvp) or to every session (group_series_join). Past the
 *      capacity they wait; when someone drops out the first waiting is
 *      given the place and told, in the same transaction.
 *   3. The day before, everyone going is reminded once (group_job).
 *   4. On the day the host takes the register (register.c): ticks who
 *      came, adds walk-ins; a paper register is typed in later with the
 *      day it was. Ticking someone publishes EV_ATTENDANCE_RECORDED, and
 *      the referral feature moves their referral to attended (then
 *      sustained).
 *
 * Everything here takes now and a struct group_env, never the app. Every
 * write is audited ("group.*").
 */
#ifndef KITH_GROUPS_H
#define KITH_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/err.h"
#include "search/schedule.h"

struct actor;
struct db;
struct event_bus;
struct feature;
struct links;
struct mailer;

#define GROUP_TEXT_MAX 2000       /* welcome, who for, members-only details: characters */
#define GROUP_MESSAGE_MAX 4000
#define GROUP_NOTE_MAX 500        /* what is different about a session */
#define GROUP_CAPACITY_MAX 1000
#define GROUP_WINDOW_MAX 62       /* days of sessions asked for at once */
#define GROUP_SKEY 11             /* "2026-12-10" and its NUL */

/* The groups feature's settings (kith.conf keys of the same names). */
struct group_settings {
	int group_series_weeks;         /* "every session" holds places this far ahead */
	int group_reminder_hour;        /* reminders for tomorrow go from this hour (UK time) */
	char group_reminder_channel[16]; /* "email" or "none" (SMS can follow) */
};
struct settings;
extern const struct settings group_settings;

#define GROUP_DEFAULT_SERIES_WEEKS 8
#define GROUP_DEFAULT_REMINDER_HOUR 10

struct group_env {
	const struct group_settings *settings;   /* NULL: the defaults */
	struct mailer *mailer;                   /* NULL: no email (tests of the rules) */
	const struct links *links;
	const struct event_bus *bus;             /* EV_ATTENDANCE_RECORDED; may be NULL */
};

/* ---------------------------------------------------------------- a group */

/* What the policy needs about a group, and how the actor stands to it. */
struct group_meta {
	char id[37];                  /* the service's id */
	char org_id[37];
	bool open;                    /* state 'open' (a closed group takes nobody new) */
	bool published;               /* its service is published (else only its own see it) */
	bool turn_up;                 /* its service says people can just turn up */
	int capacity;                 /* 0: no limit */
	bool show_count, sensitive;
	/* The actor's standing, filled by group_load: */
	bool member, host;
};

/* The group of service id, with actor's standing (actor may be NULL: a
 * visitor). ERR_NOT_FOUND when there is none, or it is not published and
 * actor is not its organisation's organiser, host or a coordinator. */
enum err group_load(struct db *db, const struct actor *actor, const char *id, struct group_meta *out);

/* What a group says about itself, as typed (borrowed strings). */
struct group_fields {
	const char *welcome, *who_for, *members_only;
	int capacity;                 /* 0: no limit */
	bool show_count, sensitive, open;
};
/* Checks f: lengths (GROUP_TEXT_MAX), capacity 0..GROUP_CAPACITY_MAX.
 * Appends {field, detail} to errors (fields "welcome", "who_for",
 * "members_only", "capacity"); ERR_INVALID when any. */
enum err group_check(const struct group_fields *f, json_t *errors);

/* Makes the group of service_id (which must exist; its organisation
 * becomes the group's). ERR_CONFLICT when it has one; ERR_NOT_FOUND when
 * there is no such service; ERR_INVALID with errors. Audited
 * "group.created". */
enum err group_create(struct db *db, const char *service_id, const struct group_fields *f, int64_t by,
		int64_t now, json_t *errors);
/* Changes what the group says; a larger capacity gives its places to
 * those waiting for upcoming sessions (each told). */
enum err group_update(const struct group_env *env, struct db *db, const char *id, const struct group_fields *f, int64_t by,
		int64_t now, json_t *errors);

/* Names a host by their account's email address (they need a confirmed
 * one; the error says so in words, field "email"), or removes one. */
enum err group_host_add(struct db *db, const char *id, const char *email, int64_t by, int64_t now,
		json_t *errors);
enum err group_host_remove(struct db *db, const char *id, int64_t person_id, int64_t by, int64_t now);

/* Joining and leaving. A closed group takes nobody new (ERR_CONFLICT).
 * Leaving also stops "every session" and gives up the places held
 * (each freed place goes to the first waiting, who is told). */
enum err group_join(const struct group_env *env, struct db *db, const char *id, int64_t person_id,
		int64_t now);
enum err group_leave(const struct group_env *env, struct db *db, const char *id, int64_t person_id,
		int64_t now);

/* A host's message to every member (the hosts see it too): kept, and
 * emailed to each member with a confirmed address: the message itself,
 * or for a sensitive group only that there is one (with a link). */
enum err group_message_send(const struct group_env *env, struct db *db, const char *id, int64_t by,
		const char *body, int64_t now, json_t *errors);

/* ---------------------------------------------------------------- sessions */

struct group_session {
	char skey[GROUP_SKEY];        /* the day it has in the schedule, YYYY-MM-DD */
	int64_t key_day;              /* skey as a uk_days number */
	int64_t day;                  /* the day it is on (moved: the new day) */
	int opens, closes;            /* minutes after midnight, -1 when not known */
	bool one_off, changed, cancelled;
	const char *title;            /* a one-off's name, or NULL */
	const char *place;            /* somewhere else: the address in words, or NULL */
	const char *postcode;         /* of place, or NULL */
	const char *note;             /* what is different, or NULL */
	int sequence;                 /* iCalendar SEQUENCE */
};

/* The group's sessions on days from..to (at most GROUP_WINDOW_MAX days;
 * ERR_INVALID past that): its service's schedules expanded (today anchors
 * a schedule with no start day, as sched_next does), one session a day
 * (two schedules on one day: the earlier), with its changes, and one-offs;
 * in order of day then time. Cancelled sessions are included (marked). A
 * session moved out of the window is left out; one moved into it is in. */
enum err group_sessions(struct db *db, struct arena *a, const char *id, int64_t from, int64_t to,
		int64_t today, struct group_session **out, size_t *n);

/* The session with key skey ("YYYY-MM-DD"), whether the schedule has it
 * or it is a one-off: ERR_NOT_FOUND when the group has no session of that
 * key. */
enum err group_session_get(struct db *db, struct arena *a, const char *id, const char *skey,
		int64_t today, struct group_session *out);

/* The next session that is on (not cancelled), from today, looking up to
 * 26 weeks ahead: ERR_NOT_FOUND when there is none. */
enum err group_next_session(struct db *db, struct arena *a, const char *id, int64_t today,
		struct group_session *out);

/* The schedules of service id (at most max; SEARCH_MAX_SCHEDS is the most
 * a service has), whether or not it has a group: ERR_NOT_FOUND when there
 * is no such service. */
enum err group_scheds(struct db *db, const char *id, struct sched *out, size_t max, size_t *n);

/* A session in words: "Thursday 10 December 2026, 10:00 to 11:30" (the
 * day it is on), into a. */
const char *group_session_words(struct arena *a, const struct group_session *s);

/* A session's time as a host types it: "10:00", "9:30" or "10.00" (one
 * or two digits of hours, then ':' or '.', then two of minutes), from
 * 0:00 to 24:00, as minutes after midnight (0..1440); -1 for NULL or ""
 * (not given); -2 for anything else, spaces included. */
int group_time_parse(const char *s);
/* Minutes (0..1440) as "HH:MM" ("09:05", "24:00") into out; "" for
 * anything else (-1: not known). group_time_parse reads it back. */
void group_time_text(int minutes, char out[6]);

/* A change to one session (of the schedule) or a one-off. */
struct group_change {
	const char *day;              /* YYYY-MM-DD: the day it is on (a move), or NULL: as it was */
	int opens, closes;            /* minutes, -1 for as scheduled / not known */
	const char *title;            /* one-offs: required */
	const char *place, *postcode; /* somewhere else, or NULL */
	const char *note;
};
/* Cancels session skey (with a note saying why, which is sent), moves or
 * changes it, or adds a one-off. Everyone going or waiting is emailed
 * what changed (group_session_cancelled / group_session_changed). A day
 * in the past, a move onto a day that has a session, a one-off on a day
 * that has one: ERR_INVALID with errors (fields "day", "opens", "closes",
 * "title", "place", "postcode", "note"). Audited. */
enum err group_session_cancel(const struct group_env *env, struct db *db, const char *id,
		const char *skey, const char *note, int64_t by, int64_t now, json_t *errors);
enum err group_session_change(const struct group_env *env, struct db *db, const char *id,
		const char *skey, const struct group_change *c, int64_t by, int64_t now, json_t *errors);
enum err group_one_off_add(const struct group_env *env, struct db *db, const char *id,
		const struct group_change *c, int64_t by, int64_t now, char skey[GROUP_SKEY],
		json_t *errors);
/* Puts a cancelled session back on (everyone who was going is told). */
enum err group_session_restore(const struct group_env *env, struct db *db, const char *id,
		const char *skey, int64_t by, int64_t now);

/* ---------------------------------------------------------------- "I'm going" */

enum rsvp_state { RSVP_NONE, RSVP_GOING, RSVP_WAITING };

/* Says person is going to session skey (upcoming, not cancelled: else
 * ERR_CONFLICT with *why in words). With a capacity and no room they wait
 * (*out RSVP_WAITING). Saying it again changes nothing. Never over the
 * capacity, whoever asks at once, on either backend: the count and the
 * insert are one transaction that takes the session's lock first. */
enum err group_rsvp(const struct group_env *env, struct db *db, const char *id, const char *skey,
		int64_t person_id, int64_t now, enum rsvp_state *out, const char **why);
/* Not going (or not waiting) any more: the place goes to the first
 * waiting, who is emailed (group_place_free). For someone going to every
 * session, this one is remembered as skipped. */
enum err group_unrsvp(const struct group_env *env, struct db *db, const char *id, const char *skey,
		int64_t person_id, int64_t now);
/* Going to every session: rsvps for every upcoming session up to
 * group_series_weeks ahead (waiting where there is no room), kept up by
 * group_job. Stopping removes the ones it made that are still to come. */
enum err group_series_join(const struct group_env *env, struct db *db, const char *id,
		int64_t person_id, int64_t now);
enum err group_series_leave(const struct group_env *env, struct db *db, const char *id,
		int64_t person_id, int64_t now);

struct rsvp_count {
	int going, waiting;
	enum rsvp_state mine;         /* the asker's */
	bool series;                  /* the asker goes to every session */
};
enum err group_rsvp_count(struct db *db, const char *id, const char *skey, int64_t person_id,
		struct rsvp_count *out);

/* Who is going to (and waiting for) a session, for hosts: [{person_id,
 * name, state, series}] by state then when they said. */
enum err group_rsvp_list(struct db *db, const char *id, const char *skey, json_t **out);

/* The job: keep "every session" up to date, and send tomorrow's
 * reminders once (from group_reminder_hour; the channel setting says how;
 * each rsvp's reminded_at is claimed in the same statement, so two
 * workers never send twice). *sent (may be NULL) receives how many. */
enum err group_job(const struct group_env *env, struct db *db, int64_t now, int *sent);

/* ---------------------------------------------------------------- what changed */

/* Changes every time a write to groups' sessions or who is going commits
 * in this process (a cancelled or moved session, a one-off, "I'm going",
 * a place handed on, a group's settings): a cached answer built from
 * them is kept under the version read before it was built, so it is
 * unreachable once any of them changes here (other processes' changes:
 * the cache's time limit). Lock-free. */
uint64_t group_version(void);

/* ---------------------------------------------------------------- privacy, demo, feature */

enum err group_export_person(struct db *db, int64_t person_id, int64_t now, json_t *out);
enum err group_erase_person(struct db *db, int64_t person_id, int64_t now);

struct demo_opts;
enum err group_demo(struct db *db, const struct demo_opts *opts);

extern const struct feature groups_feature;

#endif
