/*
 * storetest.h - a fresh, migrated store for unit tests of the rules and
 * their SQL (people, sessions, the audit log), on either backend.
 *
 *   struct fx { struct storetest st; struct db *db; ... };
 *
 *   static int setup(void **state)       // *state: the backend's name
 *   {
 *       struct fx *f = storetest_fixture(state, sizeof(*f));
 *
 *       if (!f)
 *           return -1;
 *       f->db = f->st.db;
 *       ...
 *   }
 *   static int teardown(void **state) { return storetest_fixture_free(state); }
 *
 * Request tests want a whole app instead: see reqtest.h.
 */
#ifndef KITH_STORETEST_H
#define KITH_STORETEST_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"
#include "support/testdb.h"

struct storetest {
	struct testdb t;
	struct store *s;
	struct db *db;        /* store_db(s): the store's connection */
};

/* Creates an empty database on backend ("sqlite" or "postgresql"), opens
 * it and applies every migration. Logging is set to warnings (migrations
 * log at info). Returns false (printed) on failure, having cleaned up;
 * storetest_close() is then harmless. */
bool storetest_open(struct storetest *st, const char *backend);
/* Closes the store and drops its database. */
void storetest_close(struct storetest *st);

/* A cmocka fixture's start: a zeroed struct of size bytes whose first
 * member is a struct storetest, opened on the backend named by *state,
 * which is replaced by the struct. Returns it, or NULL (nothing left). */
void *storetest_fixture(void **state, size_t size);
/* Its teardown: quiet logs undone, the store closed, the struct freed. */
int storetest_fixture_free(void **state);

#endif
