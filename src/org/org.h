/*
 * org.h - organisations: the charities, groups and practices whose staff
 * (organisers) run services and receive referrals.
 *
 * This module owns the organisation rows every feature shares (id, name):
 * it sits below auth, which ties people to an organisation by their
 * organiser role, and below the features that hold records for one. Who
 * acts for an organisation is the policy engine's question (org_kind in
 * src/auth/policy.h), since an actor carries their organisation. The
 * directory adds an organisation's public detail (description, contacts,
 * charity number) through its own functions.
 */
#ifndef KITH_ORG_H
#define KITH_ORG_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/err.h"

struct db;

#define ORG_NAME_MAX 200   /* characters */

/* id is a UUID and name 1..ORG_NAME_MAX characters on one line
 * (ERR_INVALID otherwise); ERR_CONFLICT for an id that exists. */
enum err org_create(struct db *db, const char *id, const char *name, int64_t now);
/* ERR_OK or ERR_NOT_FOUND. */
enum err org_exists(struct db *db, const char *id);
/* The name (in a), or NULL when there is no such organisation. */
enum err org_name(struct db *db, struct arena *a, const char *id, const char **out);
/* An organisation's public record, as the directory shows it and ORUK
 * calls it (organization): strings may be NULL except id and name; doc is
 * its ORUK JSON. */
struct org_record {
	const char *id, *name, *description, *email, *url, *charity, *doc;
	int64_t last_modified;     /* the record's own date (ORUK), 0 if none */
};
/* ERR_NOT_FOUND when there is none. Strings copied into a. */
enum err org_get(struct db *db, struct arena *a, const char *id, struct org_record *out);
/* Inserts the record, or updates it when exists (the caller has asked
 * org_get). */
enum err org_put(struct db *db, const struct org_record *o, int64_t now, bool exists);

/* Every organisation (up to 2,000, by name) for a form's choice:
 * *out = [{value: id, name, selected: id == chosen}], a new reference. */
enum err org_choices(struct db *db, const char *chosen, json_t **out);

#endif
