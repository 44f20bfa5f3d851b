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
/* data/: postcodes/uk_postcode_sectors.csv, postcodes/uk_postcode_districts.csv,
 * oruk/3.0/openapi.json, and the demo town's CSV files under demo/ */
extern const struct embedded_file embedded_data[];
extern const size_t embedded_data_n;
/* The embedded file whose name is name, or NULL. */
const struct embedded_file *embedded_find(const struct embedded_file *files, size_t n,
		const char *name);
extern const struct embedded_asset embedded_assets[];
extern const size_t embedded_assets_n;

#endif
