/*
 * register.h (src/groups/) - the register of a group's session: who
 * came, and the counts the reports are made of (register.c).
 *
 * The list a host ticks is everyone who may be expected: the people
 * going to the session ("I'm going", not those waiting), the group's
 * members, the people referred to the group's service whose referral is
 * open (sent, accepted, contacted, attended or sustained), and whoever
 * the saved register already has. Someone referred who has claimed
 * their referral (the client record is linked to their account) is the
 * one person, by account; someone referred without an account is their
 * referral's client record, by the name the referrer gave (which the
 * receiving organisation's organisers see on the referral already).
 * Anyone else who came is a walk-in, by name.
 *
 * Saving replaces the session's register in one transaction: the
 * register row (the day it was held; paper when typed in later), the
 * attendance rows, an audit entry ("group.register": ids and counts,
 * never names), and EV_ATTENDANCE_RECORDED for each person or referred
 * person ticked who was not ticked before, with the day it was held.
 * The referral feature moves their referral on (attended, then
 * sustained): a referral's state never fails the register.
 *
 * A session is known by its key (groups.h: the day it has in the
 * schedule, YYYY-MM-DD). A session still to come, or cancelled, has no
 * register. Days are UK days: day numbers (uk_days) or YYYY-MM-DD.
 */
#ifndef KITH_REGISTER_H
#define KITH_REGISTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/err.h"
#include "groups/groups.h"

struct db;

#define REGISTER_NAME_MAX 100       /* characters of a walk-in's name */
#define REGISTER_WALK_INS_MAX 200   /* walk-ins in one register */
#define REGISTER_TICKS_MAX 1000     /* people and referred people ticked in one register */
#define REGISTER_TEXT_MAX (REGISTER_WALK_INS_MAX * (REGISTER_NAME_MAX + 2))  /* the form's box */

/* Why someone is on a session's list (bits). */
enum {
	REG_GOING = 1,                /* said "I'm going" to it */
	REG_MEMBER = 2,               /* a member of the group */
	REG_REFERRED = 4,             /* referred to it, the referral open */
	REG_RECORDED = 8,             /* the saved register has them */
};

/* One person on the list. */
struct register_person {
	int64_t person_id;            /* their account, or 0 */
	char client_id[37];           /* someone referred without an account: their record; else "" */
	const char *name;
	unsigned why;                 /* REG_* bits */
	bool present;                 /* ticked in the saved register (why & REG_RECORDED) */
};

/* A session's register, saved or still to take. Strings live in the
 * arena given to register_get. */
struct group_register {
	char id[37];                  /* the group (its service's id) */
	const char *group_name;
	struct group_session session;
	int64_t today;
	bool past;                    /* the session's day is before today: typed in from paper */
	bool saved;                   /* a register has been saved */
	int64_t held_on;              /* the day it was held (not saved: the session's day) */
	bool paper;                   /* saved, typed in from a paper register */
	int64_t taken_by, taken_at;   /* who saved it last, and when (0 when not saved) */
	struct register_person *people;   /* by name */
	size_t npeople;
	const char **walk_ins;        /* as saved, in the order typed */
	size_t nwalk_ins;
	int came;                     /* as saved: people ticked and walk-ins */
};

/* The register of session skey of group id as it stands at now. The
 * group must exist (the caller has loaded it: group_load).
 * ERR_NOT_FOUND when the group has no session with that key. */
enum err register_get(struct db *db, struct arena *a, const char *id, const char *skey, int64_t now,
		struct group_register *out);

/* May session s have a register today? ERR_OK, or ERR_CONFLICT with a
 * sentence in *why (static or in a): it is still to come (from its day)
 * or it was cancelled. */
enum err register_open(struct arena *a, const struct group_session *s, int64_t today, const char **why);

/* What a register says. Every array may be empty (n 0); walk-in names
 * are trimmed, and blank ones ignored. Ticking someone twice is ticking
 * them once. */
struct register_input {
	const int64_t *people;        /* accounts ticked */
	size_t npeople;
	const char *const *clients;   /* referred people without an account, by record */
	size_t nclients;
	const char *const *walk_ins;  /* names of others who came */
	size_t nwalk_ins;
	/* YYYY-MM-DD: typed in from a paper register, the day it was held
	 * (today or before, within a year); NULL: taken on the day, which is
	 * the session's. */
	const char *held_on;
};

/* Saves the register of session skey as in says, for host `by`, in the
 * caller's write transaction: see the top of this file. Every account
 * and record ticked must be on the session's list (register_get).
 *
 * ERR_NOT_FOUND: no such session. ERR_CONFLICT: a session to come or a
 * cancelled one, with register_open's sentence as errors' one entry
 * (field "session"). ERR_INVALID with errors: fields "present" (an
 * account not on the list, too many ticked), "clients" (a record not on
 * the list), "walk_ins" (a name too long or unreadable, too many),
 * "held_on" (not a real day, in the future, more than a year ago).
 * errors must be an array (ERR_INTERNAL for NULL). *came (may be NULL)
 * receives how many came. */
enum err register_save(const struct group_env *env, struct db *db, const char *id, const char *skey,
		const struct register_input *in, int64_t by, int64_t now, json_t *errors, int *came);

/* The attendance API's body (POST /api/v1/events/{id}/attendance,
 * register_web.c) read into out: its shape only, for what the register
 * says is register_save's to judge (a name's length or blankness,
 * held_on's day). body is {present: [ids], clients: [UUIDs], walk_ins:
 * [names], held_on: "YYYY-MM-DD"}, each member optional (null: absent):
 *   present    whole numbers 1..API_ID_MAX (2^53, web/api.h), at most
 *              REGISTER_TICKS_MAX;
 *   clients    UUIDs, at most REGISTER_TICKS_MAX, lowercased (copies in a);
 *   walk_ins   strings with no NUL, at most REGISTER_WALK_INS_MAX, as sent;
 *   held_on    a string, as sent.
 * Arrays are in a, in the order sent; walk-ins and held_on are borrowed
 * from body, which must outlive out.
 *
 * ERR_INVALID with one entry in errors (an array) per member that cannot
 * be read, its field the member's name ("present", "clients",
 * "walk_ins", "held_on", or one the API does not take), or field "body"
 * when body is not an object. ERR_NOMEM when a is out of memory. */
enum err register_body_parse(struct arena *a, const json_t *body, struct register_input *out,
		json_t *errors);

/* The lines of text (a form's box of names, one a line) as an array in
 * a: each trimmed, blank ones left out. *n receives how many; at most
 * max are kept (more: *n is max + 1, so the caller can say too many). */
const char **register_lines(struct arena *a, const char *text, size_t max, size_t *n);

/* The register as JSON (a new reference, NULL when out of memory), for
 * the API and the page alike: {group_id, group_name, skey, day, when,
 * saved, held_on?, paper, taken_at? (ISO 8601), came, present: [{person_id,
 * name}], clients: [{client_id, name}], walk_ins: [names], list:
 * [{person_id?, client_id?, name, going, member, referred, present}]}. */
json_t *register_json(const struct group_register *r);

/* ---------------------------------------------------------------- counts */

/* A group's participation over the days from..to (both included):
 * sessions held (registers saved with held_on in the period),
 * attendances (ticks and walk-ins at them), people (each account,
 * referred person and walk-in name once; a referred person who has
 * since claimed their referral counts as their account), and new
 * people (of those, the ones whose first time at this group was in the
 * period). */
struct group_participation {
	int64_t from, to;
	int64_t sessions, attendances, people, new_people;
};
enum err register_participation(struct db *db, const char *id, int64_t from, int64_t to,
		struct group_participation *out);
/* {from, to (YYYY-MM-DD), sessions, attendances, people, new_people}. */
json_t *register_participation_json(const struct group_participation *p);

/* The sessions person_id came to (by account, or as a referred person
 * whose record is now theirs), in every group, with days in from..to
 * (0 for unbounded at either end). */
enum err register_person_sessions(struct db *db, int64_t person_id, int64_t from, int64_t to,
		int64_t *out);
/* For "download my data" and reports: {sessions_attended, groups:
 * [{group_id, group_name, sessions, first_on, last_on}]} (a new
 * reference in *out). */
enum err register_person_json(struct db *db, int64_t person_id, json_t **out);

extern const struct feature group_register_feature;

#endif
