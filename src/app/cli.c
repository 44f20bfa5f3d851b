/*
 * cli.c - parsing a command's own options.
 */
#include "core/common.h"
#include "app/cli.h"
#include "core/buf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static struct cli_opt *find(struct cli_opt *opts, size_t n, const char *arg, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(opts[i].name) == len && strncmp(opts[i].name, arg, len) == 0)
			return &opts[i];
	return NULL;
}

bool cli_parse(int argc, char **argv, int first, struct cli_opt *opts, size_t nopts,
		const char **pos, int maxpos, int *npos)
{
	*npos = 0;
	for (int i = first; i < argc; i++) {
		const char *a = argv[i], *eq;
		struct cli_opt *o;

		if (strncmp(a, "--", 2) != 0) {
			if (*npos >= maxpos) {
				fprintf(stderr, "kith: unexpected \"%s\"\n", a);
				return false;
			}
			pos[(*npos)++] = a;
			continue;
		}
		eq = strchr(a, '=');
		o = find(opts, nopts, a, eq ? (size_t)(eq - a) : strlen(a));
		if (!o) {
			fprintf(stderr, "kith: unknown option %s\n", a);
			return false;
		}
		if (o->seen && !o->repeatable) {
			fprintf(stderr, "kith: %s given twice\n", o->name);
			return false;
		}
		o->seen = true;
		if (!o->takes_value) {
			if (eq) {
				fprintf(stderr, "kith: %s takes no value\n", o->name);
				return false;
			}
			continue;
		}
		if (o->n >= CLI_MAX_VALUES) {
			fprintf(stderr, "kith: too many %s\n", o->name);
			return false;
		}
		if (eq) {
			o->values[o->n++] = eq + 1;
		} else if (i + 1 < argc) {
			o->values[o->n++] = argv[++i];
		} else {
			fprintf(stderr, "kith: %s needs a value\n", o->name);
			return false;
		}
	}
	return true;
}

const struct cli_opt *cli_get(const struct cli_opt *opts, size_t nopts, const char *name)
{
	for (size_t i = 0; i < nopts; i++)
		if (strcmp(opts[i].name, name) == 0)
			return &opts[i];
	return NULL;
}

const char *cli_value(const struct cli_opt *opts, size_t nopts, const char *name)
{
	const struct cli_opt *o = cli_get(opts, nopts, name);

	return o && o->n ? o->values[0] : NULL;
}

char *cli_read_file(const char *path, size_t max, size_t *len, char *why, size_t whylen)
{
	bool own = strcmp(path, "-") != 0;
	FILE *f = own ? fopen(path, "rb") : stdin;
	struct buf b;
	char chunk[65536];
	size_t n;
	char *out;

	if (!f) {
		snprintf(why, whylen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	buf_init(&b, max);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && buf_ok(&b))
		buf_add(&b, chunk, n);
	if (ferror(f))
		snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
	else if (!buf_ok(&b))
		snprintf(why, whylen, "%s is larger than %zu MiB", path, max >> 20);
	out = !ferror(f) && buf_ok(&b) ? buf_detach(&b, len) : NULL;
	buf_release(&b);
	if (own)
		fclose(f);
	return out;
}
