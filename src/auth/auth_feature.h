/*
 * auth_feature.h - the authentication module's background job (expiring
 * sessions, one-time links and attempt counters) and its share of
 * "download my data" (sessions and tokens, never the tokens themselves)
 * and of erasure.
 */
#ifndef KITH_AUTH_FEATURE_H
#define KITH_AUTH_FEATURE_H

#include "app/features.h"

extern const struct feature auth_feature;

#endif
