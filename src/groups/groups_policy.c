/*
 * groups_policy.c - who may do what with groups (groups_policy.h).
 */
#include "core/common.h"
#include "groups/groups_policy.h"

#include "groups/groups.h"

#define R(x) ROLE_BIT(ROLE_##x)

static unsigned relate_group(const struct actor *actor, const void *res)
{
	const struct group_meta *m = res;
	unsigned rel = 0;

	if (!m && !actor->id)
		return 0;
	if (!m)   /* the route level: the row's relations may apply to some group */
		return (actor->roles & R(ORGANISER)) && actor->org_id ? REL_ORG | REL_HOST | REL_MEMBER :
		       REL_HOST | REL_MEMBER;
	if ((actor->roles & R(ORGANISER)) && actor->org_id && strcmp(actor->org_id, m->org_id) == 0)
		rel |= REL_ORG;
	if (actor->id && m->host)
		rel |= REL_HOST;
	if (actor->id && m->member)
		rel |= REL_MEMBER;
	return rel;
}

const struct resource_kind group_kind = { "group", relate_group };

const struct action act_group_join = { .name = "group_join", .signed_in = true, .verified = true };
const struct action act_group_inside = { .name = "group_inside", .roles = R(COORDINATOR),
	.kind = &group_kind, .relations = REL_MEMBER | REL_HOST | REL_ORG };
const struct action act_group_host = { .name = "group_host", .roles = R(COORDINATOR),
	.kind = &group_kind, .relations = REL_HOST | REL_ORG };
const struct action act_group_manage = { .name = "group_manage", .roles = R(COORDINATOR),
	.kind = &group_kind, .relations = REL_ORG };
const struct action act_group_feed = { .name = "group_feed", .signed_in = true };

const struct action *const group_actions[] = {
	&act_group_join, &act_group_inside, &act_group_host, &act_group_manage, &act_group_feed, NULL,
};
