/*
 * cast.c - see cast.h.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "auth/person.h"
#include "core/timeutil.h"
#include "org/org.h"
#include "support/cast.h"

#define MEMBER ROLE_BIT(ROLE_MEMBER)

void rt_cast_orgs(struct rt *t)
{
	assert_int_equal(org_create(rt_db(t), RT_ORG_A, "Northtown Walkers", time_now()), ERR_OK);
	assert_int_equal(org_create(rt_db(t), RT_ORG_B, "Southtown Lunch Club", time_now()), ERR_OK);
}

void rt_cast(struct rt *t, struct rt_cast *c, unsigned what)
{
	rt_cast_orgs(t);
	rt_cast_people(t, c, what);
}

void rt_cast_people(struct rt *t, struct rt_cast *c, unsigned what)
{
	const struct {
		unsigned bit;
		const char *name, *email;
		unsigned roles;
		const char *org;
		int64_t *id;
		struct rt_browser *b;
		char *token;
	} people[] = {
		{ RT_CAST_OLU, "Olu Organiser", "olu@example.org", ROLE_BIT(ROLE_ORGANISER), RT_ORG_A,
		  &c->olu, &c->own, c->torga },
		{ RT_CAST_BEA, "Bea Other", "bea@example.org", ROLE_BIT(ROLE_ORGANISER), RT_ORG_B,
		  &c->bea, &c->other, c->torgb },
		{ RT_CAST_LIN, "Lin Linkworker", "lin@example.org", ROLE_BIT(ROLE_LINK_WORKER), NULL,
		  &c->lin, &c->link, c->tlw },
		{ RT_CAST_CORA, "Cora Coord", "cora@example.org", ROLE_BIT(ROLE_COORDINATOR), NULL,
		  &c->cora, &c->coord, c->tcoord },
		{ RT_CAST_TOM, "Tom Commissioner", "tom@example.org", ROLE_BIT(ROLE_COMMISSIONER), NULL,
		  &c->tom, &c->comm, c->tcomm },
		{ RT_CAST_MO, "Mo Member", "mo@example.org", 0, NULL, &c->mo, &c->member, c->tmem },
	};

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < ARRAY_LEN(people); i++) {
		if (!(what & people[i].bit))
			continue;
		*people[i].id = rt_person(t, people[i].name, people[i].email, NULL,
					  MEMBER | people[i].roles, people[i].org);
		if (what & RT_CAST_BROWSERS)
			rt_sign_in(t, *people[i].id, people[i].b);
		if (what & RT_CAST_TOKENS)
			rt_bearer(t, *people[i].id,
				  what & RT_CAST_SESSIONS(people[i].bit) ? RT_API_SESSION : RT_API_TOKEN,
				  people[i].token);
	}
}

void *rt_fixture(void **state, size_t size, const char *const *settings)
{
	struct rt **x = calloc(1, size);   /* the struct's first member */
	void *st = *state;

	if (!x || rt_setup_with(&st, settings ? settings : rt_settings)) {
		free(x);
		return NULL;
	}
	*x = st;
	*state = x;
	return x;
}

int rt_fixture_free(void **state)
{
	struct rt **x = *state;
	void *st = *x;

	free(x);
	*state = st;
	return rt_teardown(state);
}
