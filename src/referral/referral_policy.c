/*
 * referral_policy.c - who may refer, and who may see and move a referral.
 *
 * Coordinators and admins may always; otherwise a referral is open to the
 * person it is about, to whoever made it, and to the organisers of the
 * organisation it was sent to: the referral kind says which of those an
 * actor is.
 */
#include "core/common.h"
#include "referral/referral.h"


#define R(x) ROLE_BIT(ROLE_##x)

static unsigned relate(const struct actor *actor, const void *res)
{
	const struct ref_meta *m = res;
	unsigned rel = 0;

	if (!m)   /* route level: anyone signed in may be one of them */
		return REL_SELF | REL_REFERRER | org_kind.relate(actor, NULL);
	if (m->person_account && m->person_account == actor->id)
		rel |= REL_SELF;
	if (m->referrer_id && m->referrer_id == actor->id)
		rel |= REL_REFERRER;
	return rel | org_relate(actor, m->target_org_id[0] ? m->target_org_id : NULL);
}

const struct resource_kind referral_kind = { "referral", relate };

const struct action act_refer = { .name = "refer",
	.roles = R(LINK_WORKER) | R(ORGANISER) | R(COORDINATOR) | R(ADMIN) };
const struct action act_referral_view = { .name = "referral_view",
	.roles = R(COORDINATOR) | R(ADMIN), .kind = &referral_kind,
	.relations = REL_SELF | REL_REFERRER | REL_ORG };
const struct action act_referral_update = { .name = "referral_update",
	.roles = R(COORDINATOR) | R(ADMIN), .kind = &referral_kind,
	.relations = REL_SELF | REL_REFERRER | REL_ORG };
const struct action act_referral_inbox = { .name = "referral_inbox",
	.roles = R(COORDINATOR) | R(ADMIN), .kind = &org_kind, .relations = REL_ORG };
const struct action act_referral_report = { .name = "referral_report",
	.roles = R(COORDINATOR) | R(COMMISSIONER) | R(ADMIN) };

/* One row a referral (pseudonymous: its id, when, where): coordinators
 * only. Commissioners see counts, small ones suppressed. */
const struct action act_referral_rows = { .name = "referral_rows", .roles = R(COORDINATOR) };

const struct action *const referral_actions[] = {
	&act_refer, &act_referral_view, &act_referral_update, &act_referral_inbox, &act_referral_report,
	&act_referral_rows, NULL,
};
