/*
 * ops.h - what operators and load balancers use: /healthz, /metrics and
 * the static assets compiled into the binary.
 */
#ifndef KITH_OPS_H
#define KITH_OPS_H

#include <stddef.h>

#include "core/embedded.h"
struct feature;
struct demo_opts;

extern const struct feature ops_feature;

/* The asset whose hashed URL is url, or NULL. */
const struct embedded_asset *ops_asset_by_url(const char *url);


struct db;

/* Small facts about this instance in the meta table (the time demo data
 * was seeded, the instance id). ops_meta_get copies the value into out;
 * ERR_NOT_FOUND when the key is unset. */
enum err ops_meta_set(struct db *db, const char *key, const char *value, int64_t now);
enum err ops_meta_get(struct db *db, const char *key, char *out, size_t n);
/* Inserts only if the key is new: ERR_CONFLICT when it exists. */
enum err ops_meta_insert(struct db *db, const char *key, const char *value, int64_t now);

#endif
