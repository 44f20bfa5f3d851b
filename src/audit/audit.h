/*
 * audit.h - the append-only audit log: who did what, to whose record,
 * when, from where. Never secrets, never health detail: action names and
 * short facts ("role=organiser", "reason=bad-password").
 *
 * Actions are dotted lowercase words. In use: login, login.failed,
 * login.rate_limited, logout, register, register.rate_limited,
 * email.verified, email.changed, password.changed, password.reset,
 * password_reset.requested, password_reset.rate_limited, session.revoked,
 * token.created, token.revoked, role.granted, role.removed, person.read,
 * account.deactivated, account.reactivated, account.delete_requested,
 * account.delete_cancelled, account.erased, data.downloaded; later features
 * add their own (referral.read, ...).
 */
#ifndef KITH_AUDIT_H
#define KITH_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "auth/policy.h"
#include "core/err.h"

struct db;
struct settings;

/* Is action a well-formed action name: 1..64 bytes of lowercase letters,
 * digits, '_' and '.', starting with a letter? */
bool audit_action_valid(const char *action);

/* Appends an entry. actor_id 0: a visitor or kith itself; subject_id 0:
 * not about a person. detail, ip and request_id may be NULL.
 *
 * Details: an action that is not audit_action_valid() is ERR_INVALID (a
 * bug, logged). detail is cut to AUDIT_DETAIL_MAX bytes at a character
 * boundary; text that is not clean UTF-8 is replaced by a note saying so.
 * ip and request_id keep printable ASCII only. */
enum err audit_log(struct db *db, int64_t now, int64_t actor_id, const char *action,
		int64_t subject_id, const char *detail, const char *ip, const char *request_id);

/* A read (an action ending ".read": referral.read, person.read, later
 * goal.read) by someone signed in is logged once in AUDIT_READ_FOLD_S:
 * reloading a page must not grow the log without bound, and "who looked
 * at my record" still names each person and each time apart. */
#define AUDIT_READ_FOLD_S (5 * 60)
bool audit_is_read(const char *action);

/* The log's retention: audit_retention_days, 0 for ever. */
struct audit_settings {
	int retention_days;
};
extern const struct settings audit_settings;

/* Deletes up to max entries older than before (the only deletion the
 * log's guard allows, see migrations/0007), inside the caller's
 * transaction; *n is how many went. */
enum err audit_purge(struct db *db, int64_t before, int64_t max, int64_t *n);

#define AUDIT_DETAIL_MAX 200

struct audit_filter {
	int64_t actor_id;       /* 0: any */
	int64_t subject_id;     /* 0: any */
	const char *action;     /* NULL: any; "login" also matches "login.failed" etc. */
	int64_t since, until;   /* 0: unbounded; both inclusive (since <= at <= until) */
	int limit;              /* 1..500 */
	int offset;
	int64_t not_actor_id;   /* 0: any; else only entries by someone else
	                           (an identified actor other than this one):
	                           "who has looked at my record" */
};

/* Newest first: [{id, at (ISO 8601), actor_id, actor_name, action,
 * subject_id, subject_name, detail, ip, request_id}] and the total count.
 * Absent values (no actor, no subject, no detail) are JSON null. A limit
 * outside 1..500, a negative offset or an action that is not
 * audit_action_valid() is ERR_INVALID. */
enum err audit_query(struct db *db, const struct audit_filter *f, json_t **out, int64_t *total);

/* The whole audit log: admins. */
extern const struct action act_audit_read;

#endif
