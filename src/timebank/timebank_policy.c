/*
 * timebank_policy.c - who may see and move the timebank's hours
 * (timebank_policy.h).
 */
#include "core/common.h"
#include "timebank/timebank_policy.h"

#include "timebank/ledger.h"

#include <string.h>

#define R(x) ROLE_BIT(ROLE_##x)

static unsigned relate_account(const struct actor *actor, const void *res)
{
	const struct tb_account *a = res;

	if (!actor->id)
		return 0;
	if (!a)   /* the route level: the handler asks again with the account */
		return REL_SELF | REL_ORG;
	if (a->kind == TB_PERSON && a->person_id == actor->id)
		return REL_SELF;
	if (a->kind == TB_ORGANISATION && org_relate(actor, a->organisation_id))
		return REL_ORG;
	return 0;
}

const struct resource_kind timebank_account_kind = { "timebank_account", relate_account };

const struct action act_timebank_see = { .name = "timebank_see", .roles = R(COORDINATOR),
	.kind = &timebank_account_kind, .relations = REL_SELF | REL_ORG };
const struct action act_timebank_give = { .name = "timebank_give", .roles = R(COORDINATOR),
	.kind = &timebank_account_kind, .relations = REL_SELF | REL_ORG };

const struct action *const timebank_actions[] = { &act_timebank_see, &act_timebank_give, NULL };
