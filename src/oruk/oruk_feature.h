/*
 * oruk_feature.h - the `kith directory import | export | pull | feed` command
 * (oruk_feature.c; pull and feed are feed_feature.c's), which oruk_feature
 * lists in its commands.
 */
#ifndef KITH_ORUK_FEATURE_H
#define KITH_ORUK_FEATURE_H

#include "app/features.h"

/* "kith directory import FILE | export [--out FILE] | pull ... | feed ..." (oruk_feature's). */
extern const struct command directory_commands[1];

#endif
