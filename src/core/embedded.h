/*
 * embedded.h - files compiled into the binary by tools/embed.c at build
 * time: templates, migrations and static assets. Nothing is read from disk
 * at run time, so a deployment is one file and no request can reach the
 * file system.
 */
#ifndef KITH_EMBEDDED_H
#define KITH_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name;               /* path relative to its root, e.g. "home.html" */
	const unsigned char *data;      /* NUL-terminated for convenience */
	size_t len;
};

struct embedded_asset {
	const char *name;               /* "kith.css" */
	const char *url;                /* "/assets/kith.1a2b3c4d5e6f.css" */
	const char *content_type;
	const char *etag;               /* "\"1a2b3c4d5e6f\"" */
	const unsigned char *data;
	size_t len;
	const unsigned char *gz;        /* gzip of data, or NULL when it does not pay */
	size_t gz_len;
};

extern const struct embedded_file embedded_templates[];
extern const size_t embedded_templates_n;
extern const struct embedded_file embedded_migrations[];
extern const size_t embedded_migrations_n;
extern const struct embedded_asset embedded_assets[];
extern const size_t embedded_assets_n;

#endif
