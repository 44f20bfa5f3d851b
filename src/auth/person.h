/*
 * person.h - people with accounts: their record, roles and the rules for
 * what they type.
 *
 * Emails are unique regardless of case (email_lower). Erasure keeps the
 * row's id (other people's records and the audit trail point at it) and
 * removes everything else.
 *
 * Transactions: every function here is one statement or reads only,
 * except person_erase, person_grant, person_revoke_role,
 * person_set_deactivated(.., true) and person_set_delete(.., > 0), which
 * also revoke sessions and so belong inside the caller's write
 * transaction. On PostgreSQL a constraint violation (ERR_CONFLICT from
 * person_create or person_set_email) aborts the caller's transaction:
 * roll back before doing anything else with it.
 *
 * Sessions: a role granted or removed, a deactivation, and a scheduled
 * deletion revoke every session of the person (browser and API; not API
 * tokens) inside these functions, so no caller can forget: privileges
 * change only with a fresh sign-in, and signing in again (which
 * reactivates or cancels deletion) cannot revive an old session. A caller
 * changing their own roles is signed out too.
 */
#ifndef KITH_PERSON_H
#define KITH_PERSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "auth/policy.h"
#include "core/arena.h"
#include "core/err.h"

struct db;

#define PERSON_NAME_MAX 100      /* characters */
#define PERSON_EMAIL_MAX 254     /* bytes */
#define PERSON_PHONE_MAX 32      /* bytes */

struct person {
	int64_t id;
	const char *name;
	const char *email;              /* NULL once erased */
	const char *phone;              /* NULL if none */
	const char *password_hash;      /* NULL if none set */
	bool verified;                  /* email_verified_at is set */
	int64_t created_at;
	int64_t deactivated_at;         /* 0 if active */
	int64_t delete_requested_at;    /* 0 if not */
	int64_t erase_after;            /* 0 if not */
	int64_t erased_at;              /* 0 if not */
	unsigned roles;                 /* ROLE_BIT mask */
	const char *org_id;             /* organiser's organisation, or NULL */
};

/* Field rules: NULL when acceptable, else a sentence saying what to fix
 * ("Enter your name", "Enter an email address in the correct format, like
 * name@example.com"). The email check is deliberately simple (one @, a dot
 * in the domain, no spaces or control characters, within length). Phone
 * is optional: digits, spaces, +, (, ), - only, 7 to 20 digits. */
const char *person_check_name(const char *name);
const char *person_check_email(const char *email);
const char *person_check_phone(const char *phone);

/* Creates a person (no roles; callers grant "member"). password_hash may
 * be NULL, phone NULL or "". ERR_CONFLICT when the email is taken (any
 * case); ERR_INVALID when name, email or phone fails its check. */
enum err person_create(struct db *db, const char *name, const char *email,
		const char *phone, const char *password_hash, int64_t now, int64_t *id);
/* Loads a person with roles into the arena. ERR_NOT_FOUND if no such id. */
enum err person_get(struct db *db, struct arena *a, int64_t id, struct person *out);
/* By email, any case (ASCII). ERR_NOT_FOUND if none (or erased). */
enum err person_find_email(struct db *db, struct arena *a, const char *email, struct person *out);

enum err person_set_password(struct db *db, int64_t id, const char *hash, int64_t now);
/* Changes the email and marks it unverified. ERR_CONFLICT if taken. */
enum err person_set_email(struct db *db, int64_t id, const char *email, int64_t now);
/* Marks email verified, only if it is still the person's email (a link for
 * an old address does nothing): ERR_CONFLICT then. */
enum err person_mark_verified(struct db *db, int64_t id, const char *email, int64_t now);
enum err person_set_details(struct db *db, int64_t id, const char *name, const char *phone, int64_t now);
/* Deactivation hides the person until they sign in again, and revokes
 * their sessions. ERR_NOT_FOUND for no such (or an erased) person; the
 * same for the other setters. */
enum err person_set_deactivated(struct db *db, int64_t id, bool deactivated, int64_t now);
/* Schedules erasure at erase_after (0 cancels a pending request);
 * scheduling sets delete_requested_at to now and revokes the sessions. */
enum err person_set_delete(struct db *db, int64_t id, int64_t erase_after, int64_t now);
/* Up to max ids whose erase_after has passed and who are not yet erased. */
enum err person_due_erasure(struct db *db, int64_t now, int64_t *ids, size_t max, size_t *n);
/* Erases the person's own row and what hangs off it in this module (roles,
 * sessions, API tokens, one-time links, sign-in attempts are keyed by hash
 * and expire): name becomes "Deleted person", email, phone and password go,
 * erased_at is set. Other features erase their own data first (privacy.c).
 * Also clears the person's ATTEMPT_LOGIN_ACCOUNT counter. In the caller's
 * transaction; ERR_NOT_FOUND for no such id; erasing twice is harmless. */
enum err person_erase(struct db *db, int64_t id, int64_t now);

/* Roles. org_id is required for ROLE_ORGANISER (ERR_INVALID without it,
 * ERR_NOT_FOUND when no such organisation) and ignored otherwise. Granting
 * a role the person has is ERR_CONFLICT; removing one they lack is
 * ERR_NOT_FOUND. Either revokes all the person's sessions (see above);
 * person_revoke_role stamps them with time_now(). ERR_NOT_FOUND too for
 * no such (or an erased) person. */
enum err person_grant(struct db *db, int64_t id, enum role role, const char *org_id,
		int64_t granted_by, int64_t now);
enum err person_revoke_role(struct db *db, int64_t id, enum role role, int64_t now);

/* A page of people (not erased) whose name or email contains q (any case;
 * NULL for all), optionally only those with role (ROLE__MAX for any),
 * ordered by name. *out is a new JSON array of person_json(.., false)
 * objects; *total the number matching. limit is clamped to 1..500; q
 * matches as a literal substring (% and _ are not wildcards). */
enum err person_list(struct db *db, const char *q, enum role role, int limit, int offset,
		json_t **out, int64_t *total);

/* {id, name, email, email_verified, roles: [...], org_id?, created_at
 * (ISO 8601)}; with full also phone, deactivated, deletion_due (ISO) when
 * set. New reference. */
json_t *person_json(const struct person *p, bool full);

#endif
