/*
 * account_policy.c - who may see people and change their roles.
 */
#include "core/common.h"
#include "account/account.h"

#define R(x) ROLE_BIT(ROLE_##x)

/* Coordinators hand out the roles of the people they support; only
 * admins make coordinators, link workers, commissioners and admins. */
static const unsigned coordinator_grants = R(PEER_SUPPORTER) | R(ORGANISER);

static unsigned role_relate(const struct actor *actor, const void *res)
{
	const enum role *r = res;

	if (!(actor->roles & R(COORDINATOR)))
		return 0;
	if (!r)   /* route level: coordinators reach the form */
		return REL_GRANTOR;
	return (unsigned)*r < ROLE__MAX && (coordinator_grants & ROLE_BIT(*r)) ? REL_GRANTOR : 0;
}

const struct resource_kind role_kind = { "role", role_relate };

const struct action act_people_list = { .name = "people_list", .roles = R(COORDINATOR) | R(ADMIN) };
const struct action act_person_view = { .name = "person_view", .roles = R(COORDINATOR) | R(ADMIN),
	.kind = &person_kind, .relations = REL_SELF };
const struct action act_role_grant = { .name = "role_grant", .roles = R(ADMIN),
	.kind = &role_kind, .relations = REL_GRANTOR };
const struct action act_tokens_all = { .name = "tokens_all", .roles = R(ADMIN) };

const struct action *const account_actions[] = {
	&act_people_list, &act_person_view, &act_role_grant, &act_tokens_all, NULL,
};
