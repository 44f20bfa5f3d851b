/*
 * testdb.c - throwaway databases for tests (see testdb.h).
 */
#include "core/common.h"
#include "core/str.h"
#include "support/testdb.h"

#include <libpq-fe.h>
#include <setjmp.h>
#include <unistd.h>
#include <cmocka.h>

static char group_db[64];     /* this process's PostgreSQL database */
static char group_url[512];
static int seq;

int testdb_backends(const char *names[2])
{
	const char *pg = getenv("KITH_TEST_PG_URL");

	names[0] = "sqlite";
	if (pg && *pg) {
		names[1] = "postgresql";
		return 2;
	}
	return 1;
}

int testdb_run_groups(const char *name, const struct CMUnitTest *tests, size_t n)
{
	const char *backends[2];
	int nb = testdb_backends(backends), failed = 0;
	struct CMUnitTest *copy = calloc(n ? n : 1, sizeof(*copy));

	if (!copy) {
		fprintf(stderr, "testdb: out of memory\n");
		return 1;
	}
	for (int b = 0; b < nb; b++) {
		char group[128];

		for (size_t i = 0; i < n; i++) {
			copy[i] = tests[i];
			copy[i].initial_state = (void *)backends[b];
		}
		snprintf(group, sizeof(group), "%s/%s", name, backends[b]);
		failed += _cmocka_run_group_tests(group, copy, n, NULL, NULL);
	}
	if (nb < 2)
		printf("%s: PostgreSQL tests skipped (KITH_TEST_PG_URL is not set)\n", name);
	free(copy);
	return failed;
}

static void no_notices(void *arg, const char *msg)
{
	UNUSED(arg);
	UNUSED(msg);
}

static bool pg_run(const char *url, const char *sql)
{
	PGconn *c = PQconnectdb(url);
	PGresult *r;
	bool ok;

	PQsetNoticeProcessor(c, no_notices, NULL);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "testdb: cannot connect to the test server: %s", PQerrorMessage(c));
		PQfinish(c);
		return false;
	}
	r = PQexec(c, sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		fprintf(stderr, "testdb: %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return ok;
}

/* base with its database replaced by db and, when schema is not NULL, the
 * session's search_path set to schema. */
static bool url_for(const char *base, const char *db, const char *schema, char *out, size_t n)
{
	const char *auth = strstr(base, "://"), *path;
	int w;

	if (!auth)
		return false;
	auth += 3;
	path = auth + strcspn(auth, "/?");
	w = snprintf(out, n, "%.*s/%s%s%s", (int)(path - base), base, db,
		     schema ? "?options=-csearch_path%3D" : "", schema ? schema : "");
	return w > 0 && (size_t)w < n;
}

static void drop_group(void)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", group_db);
	pg_run(getenv("KITH_TEST_PG_URL"), sql);
}

static bool ensure_group(void)
{
	const char *base = getenv("KITH_TEST_PG_URL");
	char sql[128];

	if (group_db[0])
		return true;
	if (!base || !*base)
		return false;
	snprintf(group_db, sizeof(group_db), "kith_t_%d", (int)getpid());
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", group_db);
	pg_run(base, sql);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", group_db);
	if (!pg_run(base, sql) || !url_for(base, group_db, NULL, group_url, sizeof(group_url))) {
		group_db[0] = '\0';
		return false;
	}
	atexit(drop_group);
	return true;
}

bool testdb_pg_exec(const char *sql)
{
	return ensure_group() && pg_run(group_url, sql);
}

bool testdb_create(struct testdb *t, const char *backend)
{
	memset(t, 0, sizeof(*t));
	seq++;
	if (strcmp(backend, "postgresql") == 0) {
		char sql[128];

		t->pg = true;
		snprintf(t->schema, sizeof(t->schema), "t%d", seq);
		snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", t->schema);
		if (!testdb_pg_exec(sql))
			return false;
		return url_for(getenv("KITH_TEST_PG_URL"), group_db, t->schema, t->url, sizeof(t->url));
	}
	snprintf(t->dir, sizeof(t->dir), "/tmp/kith-test-%d-%d", (int)getpid(), seq);
	snprintf(t->path, sizeof(t->path), "%s/kith.db", t->dir);
	snprintf(t->url, sizeof(t->url), "sqlite:%s", t->path);
	return true;
}

void testdb_drop(struct testdb *t)
{
	if (t->pg) {
		char sql[128];

		snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE", t->schema);
		testdb_pg_exec(sql);
	} else if (t->dir[0]) {
		char cmd[320];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "testdb: could not remove %s\n", t->dir);
	}
	memset(t, 0, sizeof(*t));
}
