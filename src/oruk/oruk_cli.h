/*
 * oruk_cli.h - the `kith directory import | export` command (oruk_cli.c),
 * which oruk_feature lists in its commands.
 */
#ifndef KITH_ORUK_CLI_H
#define KITH_ORUK_CLI_H

#include "app/features.h"

/* "kith directory import FILE | export [--out FILE]" (oruk_feature's). */
extern const struct command directory_commands[1];

#endif
