/*
 * cli.h - options for the commands features add ("kith user add --email
 * E --role ROLE ..."). Settings flags (--db, --listen, ...) have already
 * been taken out of argv by config_load(); what is left is the command's
 * own words and options.
 */
#ifndef KITH_CLI_H
#define KITH_CLI_H

#include <stdbool.h>
#include <stddef.h>

#define CLI_MAX_VALUES 8

struct cli_opt {
	const char *name;          /* "--email" */
	bool takes_value;          /* "--email E" or "--email=E"; else a switch */
	bool repeatable;           /* "--role a --role b" */
	/* filled in by cli_parse: */
	bool seen;
	int n;                     /* values given */
	const char *values[CLI_MAX_VALUES];
};

/* Parses argv[first..argc). Options anywhere; other words are positional
 * (at most maxpos, into pos). On a mistake prints "kith: ..." to stderr
 * and returns false. */
bool cli_parse(int argc, char **argv, int first, struct cli_opt *opts, size_t nopts,
		const char **pos, int maxpos, int *npos);
/* The option's (first) value, or NULL. */
const char *cli_value(const struct cli_opt *opts, size_t nopts, const char *name);
const struct cli_opt *cli_get(const struct cli_opt *opts, size_t nopts, const char *name);

/* The whole of the file at path (standard input for "-"), NUL-terminated,
 * malloc'd (free it), its length in *len; NULL with why (whylen bytes:
 * "cannot open x: No such file or directory", "x is larger than N MiB")
 * when it cannot be read or is larger than max bytes. */
char *cli_read_file(const char *path, size_t max, size_t *len, char *why, size_t whylen);

#endif
