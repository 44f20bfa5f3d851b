/*
 * cast.h - the fixture struct and the people the request tests share.
 *
 * A request test file's fixture is a struct whose first member is the
 * app (struct rt *t); rt_fixture() and rt_fixture_free() are its setup's
 * start and its teardown:
 *
 *   struct fx {
 *       struct rt *t;                // first, for rt_fixture()
 *       RT_CAST_MEMBERS;             // x->olu, x->own, x->tlw ... (below)
 *       char svc[37];
 *   };
 *
 *   static int setup(void **state)
 *   {
 *       struct fx *x = rt_fixture(state, sizeof(*x), NULL);
 *
 *       if (!x)
 *           return -1;
 *       rt_cast(x->t, &x->cast, RT_CAST_OLU | RT_CAST_CORA | RT_CAST_BROWSERS);
 *       rt_service(x->t, RT_ORG_A, "Tuesday Health Walk", SVC_PUBLISHED, x->svc);
 *       return 0;
 *   }
 *
 *   static int teardown(void **state) { return rt_fixture_free(state); }
 *
 * The cast: two organisations, made now (time_now(): set the fake clock
 * first for another time),
 *   RT_ORG_A  Northtown Walkers
 *   RT_ORG_B  Southtown Lunch Club
 * and up to six people, each a member with one more role, made in this
 * order (so their ids are 1, 2, ... in it on a fresh database):
 *   id    name              email              role               browser  bearer
 *   olu   Olu Organiser     olu@example.org    organiser, ORG_A   own      torga
 *   bea   Bea Other         bea@example.org    organiser, ORG_B   other    torgb
 *   lin   Lin Linkworker    lin@example.org    link worker        link     tlw
 *   cora  Cora Coord        cora@example.org   coordinator        coord    tcoord
 *   tom   Tom Commissioner  tom@example.org    commissioner       comm     tcomm
 *   mo    Mo Member         mo@example.org     (member only)      member   tmem
 * A file that wants someone else (a second organiser, a person referred)
 * makes them itself after rt_cast(), so the cast's ids stay the same.
 */
#ifndef KITH_CAST_H
#define KITH_CAST_H

#include <stddef.h>
#include <stdint.h>

#include "support/reqtest.h"

#define RT_ORG_A "a0000000-0000-4000-8000-00000000000a"
#define RT_ORG_B "b0000000-0000-4000-8000-00000000000b"

/* Who rt_cast() makes (or together), and what each of them gets. */
enum {
	RT_CAST_OLU = 1u << 0,
	RT_CAST_BEA = 1u << 1,
	RT_CAST_LIN = 1u << 2,
	RT_CAST_CORA = 1u << 3,
	RT_CAST_TOM = 1u << 4,
	RT_CAST_MO = 1u << 5,
	RT_CAST_EVERYONE = (1u << 6) - 1,
	/* A browser signed in as each (rt_sign_in()). */
	RT_CAST_BROWSERS = 1u << 8,
	/* A kt_ API token for each (rt_bearer()), unless RT_CAST_SESSIONS
	 * names them. */
	RT_CAST_TOKENS = 1u << 9,
};
/* With RT_CAST_TOKENS: these people's bearers are ks_ API sessions
 * instead, for files that use both kinds (RT_CAST_SESSIONS(RT_CAST_MO)). */
#define RT_CAST_SESSIONS(who) ((unsigned)(who) << 16)

#define RT_CAST_FIELDS \
	int64_t olu, bea, lin, cora, tom, mo; \
	struct rt_browser own, other, link, coord, comm, member; \
	char torga[TOKEN_LEN + 1], torgb[TOKEN_LEN + 1], tlw[TOKEN_LEN + 1]; \
	char tcoord[TOKEN_LEN + 1], tcomm[TOKEN_LEN + 1], tmem[TOKEN_LEN + 1]

/* Whoever was not asked for is left zero: id 0, no session, no token. */
struct rt_cast {
	RT_CAST_FIELDS;
};

/* For a fixture struct: the cast as one struct (x->cast, to give to
 * rt_cast()) and each of its fields by its own name (x->olu, x->own). */
#define RT_CAST_MEMBERS \
	union { \
		struct rt_cast cast; \
		struct { \
			RT_CAST_FIELDS; \
		}; \
	}

/* Makes the two organisations and the people in what (RT_CAST_* or'd
 * together) into c; fails the test on any error. */
void rt_cast(struct rt *t, struct rt_cast *c, unsigned what);
/* The two halves of that: the organisations, and then the people (for a
 * file whose every test has the organisations but only some the people). */
void rt_cast_orgs(struct rt *t);
void rt_cast_people(struct rt *t, struct rt_cast *c, unsigned what);

/* The start of a fixture's setup: a zeroed struct of size bytes whose
 * first member is a struct rt *, set to an app started as rt_setup_with()
 * starts it (settings NULL: rt_settings). *state is replaced by the
 * struct, which is returned; NULL on failure (printed). */
void *rt_fixture(void **state, size_t size, const char *const *settings);
/* The teardown of such a fixture: rt_teardown() and the struct freed. */
int rt_fixture_free(void **state);

#endif
