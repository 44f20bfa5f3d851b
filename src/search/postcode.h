/*
 * postcode.h - "support near me" without any online service.
 *
 * The centroids of every UK postcode sector ("DN15 6") and district
 * ("DN15") ship inside the binary (data/postcodes/, ONS data under the Open
 * Government Licence). A full postcode is located by its sector, falling
 * back to its district; an outward code alone by its district. Sector
 * precision (about 1 km in towns) is enough to rank nearby support and
 * keeps a person's exact address out of the system.
 */
#ifndef KITH_POSTCODE_H
#define KITH_POSTCODE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/geo.h"          /* geo_distance_m, geo_miles: their users include this */

enum postcode_precision { PC_SECTOR, PC_DISTRICT };

struct postcode_place {
	char normal[9];                  /* "DN15 6XX", "DN15 6", "DN15" */
	double lat, lon;
	enum postcode_precision precision;
};

/* Loads the embedded tables once (thread-safe; later calls are free).
 * ERR_INTERNAL if the embedded data is malformed (a build problem). */
enum err postcode_init(void);

/* Normalises what a person typed: case, spaces ("dn156xx", " DN15  6XX ")
 * -> "DN15 6XX"; an outward code "dn15" -> "DN15"; a sector "DN15 6" ->
 * "DN15 6". false when it cannot be a UK postcode (wrong shape or
 * characters); *why then says so in words. */
bool postcode_normalise(const char *in, char out[9], const char **why);

/* Locates a postcode. ERR_INVALID with *why for one that is not a
 * postcode ("Enter a real postcode, like DN15 6XX"); ERR_NOT_FOUND with
 * *why for a well-formed one that is unknown ("We could not find the
 * postcode ZZ99 9ZZ. Check it, or try the first half, like DN15"). The
 * not-found sentence names the postcode, so it lives in a buffer of the
 * calling thread until that thread's next postcode_locate; the other
 * sentences are static. "GIR 0AA" is refused (it is not a place). */
enum err postcode_locate(const char *in, struct postcode_place *out, const char **why);


/* The number of sectors and districts loaded (tests). */
size_t postcode_sector_count(void);
size_t postcode_district_count(void);
/* The centroid of sector i (demo data picks real sectors in an area):
 * false past the end. */
bool postcode_sector_at(size_t i, char name[9], double *lat, double *lon);

#endif
