/*
 * talk_policy.c - who may do what in conversations (talk_policy.h).
 */
#include "core/common.h"
#include "talk/talk_policy.h"

#include "talk/talk.h"

#define R(x) ROLE_BIT(ROLE_##x)

static unsigned relate_space(const struct actor *actor, const void *res)
{
	const struct talk_space *s = res;
	unsigned rel = 0;

	if (!actor->id)
		return 0;
	if (!s)   /* the route level: the handler asks again with the space */
		return actor->verified ? REL_MEMBER | REL_MODERATOR : REL_MODERATOR;
	if (s->member)
		rel |= REL_MEMBER;
	if (s->moderator)
		rel |= REL_MODERATOR;
	return rel;
}

const struct resource_kind talk_space_kind = { "talk_space", relate_space };

const struct action act_talk_read = { .name = "talk_read", .roles = R(COORDINATOR),
	.kind = &talk_space_kind, .relations = REL_MEMBER | REL_MODERATOR };
const struct action act_talk_moderate = { .name = "talk_moderate", .roles = R(COORDINATOR),
	.kind = &talk_space_kind, .relations = REL_MODERATOR };
const struct action act_talk_admin = { .name = "talk_admin", .roles = R(COORDINATOR) };
const struct action act_talk_self = { .name = "talk_self", .signed_in = true };

const struct action *const talk_actions[] = {
	&act_talk_read, &act_talk_moderate, &act_talk_admin, &act_talk_self, NULL,
};
