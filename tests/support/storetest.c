/*
 * storetest.c - see storetest.h.
 */
#include "core/common.h"
#include "core/log.h"
#include "support/storetest.h"

bool storetest_open(struct storetest *st, const char *backend)
{
	char err[512];

	memset(st, 0, sizeof(*st));
	if (!testdb_create(&st->t, backend))
		return false;
	log_set_level(LOG_WARN);
	if (store_open(st->t.url, NULL, &st->s, err, sizeof(err)) != ERR_OK ||
	    store_migrate(st->s, NULL, err, sizeof(err)) != ERR_OK) {
		fprintf(stderr, "storetest: %s: %s\n", backend, err);
		storetest_close(st);
		return false;
	}
	st->db = store_db(st->s);
	return true;
}

void storetest_close(struct storetest *st)
{
	if (st->s)
		store_close(st->s);
	testdb_drop(&st->t);
	memset(st, 0, sizeof(*st));
}

void *storetest_fixture(void **state, size_t size)
{
	struct storetest *st = calloc(1, size);   /* the struct's first member */

	if (!st || !storetest_open(st, *state)) {
		free(st);
		return NULL;
	}
	*state = st;
	return st;
}

int storetest_fixture_free(void **state)
{
	struct storetest *st = *state;

	log_set_quiet(0);
	storetest_close(st);
	free(st);
	return 0;
}
