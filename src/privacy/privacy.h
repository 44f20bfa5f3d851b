/*
 * privacy.h - "download my data" and erasure, across every feature.
 *
 * privacy_export() gathers each feature's export_person() into one JSON
 * document. Erasure runs as a background job: a person whose erase_after
 * has passed publishes EV_PERSON_ERASING (each feature's subscriber) and then person_erase()
 * applied, in one transaction, and the erasure audited.
 */
#ifndef KITH_PRIVACY_H
#define KITH_PRIVACY_H

#include <stdint.h>

#include <jansson.h>

struct feature;
struct demo_opts;
#include "core/err.h"

struct db;

/* {"generated_at": ISO, "person": {...}, <feature keys>...}. New reference
 * in *out. */
enum err privacy_export(struct db *db, int64_t person_id, int64_t now, json_t **out);
/* Erases one person now, inside the caller's transaction: publishes
 * EV_PERSON_ERASING on bus (each feature removes or anonymises its part),
 * then clears the person row and audits it. */
struct event_bus;
enum err privacy_erase(const struct event_bus *bus, struct db *db, int64_t person_id, int64_t now);

extern const struct feature privacy_feature;

#endif
