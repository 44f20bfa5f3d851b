/*
 * testdb.c - throwaway databases for tests.
 */
#include "core/common.h"
#include "core/str.h"
#include "support/testdb.h"

#include <libpq-fe.h>
#include <unistd.h>

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

static bool pg_admin(const char *sql)
{
	const char *url = getenv("KITH_TEST_PG_URL");
	PGconn *c;
	PGresult *r;
	bool ok;

	if (!url)
		return false;
	c = PQconnectdb(url);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "testdb: cannot connect to %s: %s", url, PQerrorMessage(c));
		PQfinish(c);
		return false;
	}
	r = PQexec(c, sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "testdb: %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return ok;
}

bool testdb_create(struct testdb *t, const char *backend)
{
	static int counter;

	memset(t, 0, sizeof(*t));
	if (strcmp(backend, "postgresql") == 0) {
		const char *base = getenv("KITH_TEST_PG_URL");
		char sql[128];
		const char *slash;

		if (!base)
			return false;
		t->pg = true;
		snprintf(t->pgname, sizeof(t->pgname), "kith_t_%d_%d", (int)getpid(), ++counter);
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", t->pgname);
		if (!pg_admin(sql))
			return false;
		/* Replace the database part of postgresql://user@host:port/db. */
		slash = strchr(base + strlen("postgresql://"), '/');
		if (slash)
			snprintf(t->url, sizeof(t->url), "%.*s/%s", (int)(slash - base), base, t->pgname);
		else
			snprintf(t->url, sizeof(t->url), "%s/%s", base, t->pgname);
		return true;
	}
	str_copy(t->dir, sizeof(t->dir), "/tmp/kith-test-XXXXXX");
	if (!mkdtemp(t->dir)) {
		perror("testdb: mkdtemp");
		return false;
	}
	snprintf(t->url, sizeof(t->url), "sqlite:%s/kith.db", t->dir);
	return true;
}

void testdb_drop(struct testdb *t)
{
	if (t->pg) {
		char sql[128];

		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", t->pgname);
		pg_admin(sql);
	} else if (t->dir[0]) {
		char cmd[320];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "testdb: could not remove %s\n", t->dir);
	}
	memset(t, 0, sizeof(*t));
}
