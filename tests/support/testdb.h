/*
 * testdb.h - a fresh, empty database for a test, on either backend.
 *
 * SQLite: a file in a new temporary directory. PostgreSQL: a new database
 * on the server named by KITH_TEST_PG_URL (scripts/test.sh starts one),
 * dropped again by testdb_drop(). Tests loop over testdb_backends() so
 * every store-touching test runs on both.
 */
#ifndef KITH_TESTDB_H
#define KITH_TESTDB_H

#include <stdbool.h>
#include <stddef.h>

struct testdb {
	char url[512];        /* sqlite:/tmp/.../kith.db or postgresql://.../kith_t_... */
	char dir[256];        /* SQLite: the temporary directory */
	char pgname[64];      /* PostgreSQL: the database name */
	bool pg;
};

/* "sqlite" always; "postgresql" too when KITH_TEST_PG_URL is set. Returns
 * how many, filling names. */
int testdb_backends(const char *names[2]);
/* Creates an empty database on backend ("sqlite" or "postgresql"). Returns
 * false (and prints why) on failure. */
bool testdb_create(struct testdb *t, const char *backend);
void testdb_drop(struct testdb *t);

#endif
