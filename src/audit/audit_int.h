/*
 * audit_int.h - what audit.c (the rules) asks of audit_db.c (the SQL).
 * Nobody outside src/audit/ includes it: other features call audit.h.
 *
 * The SQL trusts its caller: audit.c has checked the action name and
 * cleaned the detail, address and request id before these run.
 */
#ifndef KITH_AUDIT_INT_H
#define KITH_AUDIT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "audit/audit.h"
#include "core/err.h"

struct db;

/* Appends one entry. actor_id and subject_id 0 are stored as NULL;
 * detail, ip and request_id may be NULL. */
enum err audit_db_insert(struct db *db, int64_t now, int64_t actor_id, const char *action,
		int64_t subject_id, const char *detail, const char *ip, const char *request_id);

/* Is there an entry by actor_id of action about subject_id (0: none) with
 * this detail (NULL: none) at or after since? */
enum err audit_db_seen(struct db *db, int64_t actor_id, const char *action, int64_t subject_id,
		const char *detail, int64_t since, bool *seen);
/* Opens the guard up to before, deletes up to max older entries, closes
 * it again. */
enum err audit_db_purge(struct db *db, int64_t before, int64_t max, int64_t *n);

/* The entries f selects, newest first, and their count. prefix is
 * f->action followed by '.' (plen bytes), or NULL when f->action is. */
enum err audit_db_query(struct db *db, const struct audit_filter *f, const char *prefix,
		size_t plen, json_t **out, int64_t *total);

#endif
