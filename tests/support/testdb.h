/*
 * testdb.h - a fresh, empty database for a test, on either backend.
 *
 * SQLite: a file in a directory that does not exist yet (store_open
 * creates it), removed by testdb_drop(). PostgreSQL: a fresh schema in a
 * database this test process creates once on the server named by
 * KITH_TEST_PG_URL (scripts/test.sh starts one) and drops when it exits;
 * the URL sets search_path to the schema, so to kith it is an empty
 * database. A schema takes milliseconds where CREATE DATABASE takes most
 * of a second. Tests run their groups with testdb_run_groups() (or loop
 * over testdb_backends()) so every store-touching test runs on both.
 */
#ifndef KITH_TESTDB_H
#define KITH_TESTDB_H

#include <stdbool.h>
#include <stddef.h>

struct testdb {
	char url[512];        /* sqlite:/tmp/.../kith.db or postgresql://...?options=... */
	char dir[256];        /* SQLite: the directory */
	char path[300];       /* SQLite: the database file */
	char schema[64];      /* PostgreSQL: the schema */
	bool pg;
};

struct CMUnitTest;

/* "sqlite" always; "postgresql" too when KITH_TEST_PG_URL is set. Returns
 * how many, filling names. */
int testdb_backends(const char *names[2]);
/* Runs a cmocka group of n tests once per backend, named "name/<backend>",
 * with each test's initial state the backend's name (what rt_setup() and
 * storetest_open() take). Says so when PostgreSQL is skipped. Returns the
 * number of failed tests. */
int testdb_run_groups(const char *name, const struct CMUnitTest *tests, size_t n);
/* Creates an empty database on backend ("sqlite" or "postgresql"). Returns
 * false (and prints why) on failure. */
bool testdb_create(struct testdb *t, const char *backend);
void testdb_drop(struct testdb *t);
/* Runs SQL on the test's PostgreSQL database as the administrator (outside
 * the schema's search path unless the SQL names it); false on error. */
bool testdb_pg_exec(const char *sql);

#endif
