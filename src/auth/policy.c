/*
 * policy.c - the policy table: one row per action.
 *
 * A row lists the roles that may always take the action, whether a visitor
 * may, and the ownership rule that lets anyone else take it for a
 * particular resource. policy_can() is the only place these questions are
 * answered; the route-by-role test walks every route against this table.
 */
#include "core/common.h"
#include "auth/policy.h"

enum own_rule {
	OWN_NONE,        /* roles only */
	OWN_SELF,        /* the resource is about the actor */
	OWN_ORG,         /* the resource belongs to the actor's organisation */
};

struct policy_row {
	const char *name;
	bool visitors;        /* anyone, signed in or not */
	unsigned roles;       /* ROLE_BIT mask that may always */
	enum own_rule own;
	bool local_operator;  /* the operator on this machine (loopback, not proxied) */
};

#define R(x) ROLE_BIT(ROLE_##x)

static const struct policy_row table[ACT__MAX] = {
	[ACT_PUBLIC]  = { "public", true, 0, OWN_NONE, false },
	[ACT_METRICS] = { "metrics", false, R(ADMIN), OWN_NONE, true },
};

static const char *const role_names[ROLE__MAX] = {
	[ROLE_MEMBER] = "member",
	[ROLE_PEER_SUPPORTER] = "peer_supporter",
	[ROLE_ORGANISER] = "organiser",
	[ROLE_LINK_WORKER] = "link_worker",
	[ROLE_COORDINATOR] = "coordinator",
	[ROLE_COMMISSIONER] = "commissioner",
	[ROLE_ADMIN] = "admin",
};

const char *role_name(enum role r)
{
	return (unsigned)r < ROLE__MAX ? role_names[r] : "unknown";
}

bool role_parse(const char *name, enum role *out)
{
	for (int i = 0; i < ROLE__MAX; i++) {
		if (strcmp(name, role_names[i]) == 0) {
			*out = (enum role)i;
			return true;
		}
	}
	return false;
}

const char *action_name(enum action a)
{
	return (unsigned)a < ACT__MAX ? table[a].name : "unknown";
}

bool policy_can(const struct actor *actor, enum action action,
		const struct resource *res)
{
	const struct policy_row *row;

	if ((unsigned)action >= ACT__MAX || !actor)
		return false;
	row = &table[action];
	if (row->visitors)
		return true;
	if (row->local_operator && actor->local_operator)
		return true;
	if (actor->id == 0)
		return false;
	if (actor->roles & row->roles)
		return true;
	if (!res)
		return false;
	switch (row->own) {
	case OWN_SELF:
		return res->kind == RES_PERSON && res->owner_id == actor->id;
	case OWN_ORG:
		return res->org_id != 0 && res->org_id == actor->org_id &&
		       (actor->roles & R(ORGANISER));
	case OWN_NONE:
		break;
	}
	return false;
}
