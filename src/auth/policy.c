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

#define R(x) ROLE_BIT(ROLE_##x)

const struct action act_public = { .name = "public", .visitors = true };
const struct action act_metrics = { .name = "metrics", .roles = R(ADMIN), .local_operator = true };
const struct action act_signed_in = { .name = "signed_in", .signed_in = true };
const struct action act_contact = { .name = "contact", .signed_in = true, .verified = true };

static unsigned person_relate(const struct actor *actor, const void *res)
{
	const int64_t *id = res;

	if (actor->id == 0)
		return 0;
	return !id || *id == actor->id ? REL_SELF : 0;
}

const struct resource_kind person_kind = { "person", person_relate };

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

bool policy_can(const struct actor *actor, const struct action *action, const void *res)
{
	if (!action || !actor)
		return false;
	if (action->visitors)
		return true;
	if (action->local_operator && actor->local_operator)
		return true;
	if (actor->id == 0)
		return false;
	if (actor->roles & action->roles)
		return true;
	if (action->signed_in)
		return !action->verified || actor->verified;
	if (!action->kind || !action->relations)
		return false;
	return (action->kind->relate(actor, res) & action->relations) != 0;
}

unsigned org_relate(const struct actor *actor, const char *org_id)
{
	if (!(actor->roles & ROLE_BIT(ROLE_ORGANISER)) || !actor->org_id)
		return 0;
	return org_id && strcmp(org_id, actor->org_id) == 0 ? REL_ORG : 0;
}

static unsigned org_kind_relate(const struct actor *actor, const void *res)
{
	if (!res)   /* route level: an organiser for some organisation */
		return (actor->roles & ROLE_BIT(ROLE_ORGANISER)) && actor->org_id ? REL_ORG : 0;
	return org_relate(actor, res);
}

const struct resource_kind org_kind = { "organisation", org_kind_relate };
