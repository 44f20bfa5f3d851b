/*
 * timebank_policy.h - who may see and move the timebank's hours.
 *
 * An account is related to the actor as REL_SELF when it is their own
 * (a person's account) and REL_ORG when it is the account of the
 * organisation they organise for. Coordinators are the timebank's
 * brokers: they see every account and may move time from any of them
 * (for a member without the internet, "on behalf of"), and from the
 * solidarity pot. Nobody else sees or moves anyone else's hours.
 */
#ifndef KITH_TIMEBANK_POLICY_H
#define KITH_TIMEBANK_POLICY_H

#include "auth/policy.h"

extern const struct resource_kind timebank_account_kind;   /* res: const struct tb_account * */

extern const struct action act_timebank_see;    /* an account's balance and movements, its transfers */
extern const struct action act_timebank_give;   /* move time from an account */

extern const struct action *const timebank_actions[];

#endif
