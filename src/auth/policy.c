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
	OWN_GRANTABLE,   /* coordinators: the role is one they may hand out */
	OWN_REFERRAL,    /* the referral is about the actor, was made by them, or was sent
	                    to their organisation */
};

/* A row: who may always; whether any signed-in person may at the route
 * level (the handler then asks again with the resource, where `own`
 * decides); whether the email must be verified. */
struct policy_row {
	const char *name;
	bool visitors;        /* anyone, signed in or not */
	bool signed_in;       /* anyone signed in (subject to verified) */
	bool verified;        /* ... and only with a verified email */
	unsigned roles;       /* ROLE_BIT mask that may always */
	enum own_rule own;    /* who else, for a particular resource */
	unsigned own_roles;   /* OWN_GRANTABLE: the roles that rule applies to */
	bool local_operator;  /* the operator on this machine (loopback, not proxied) */
};

#define R(x) ROLE_BIT(ROLE_##x)

static const struct policy_row table[ACT__MAX] = {
	[ACT_PUBLIC]       = { .name = "public", .visitors = true },
	[ACT_METRICS]      = { .name = "metrics", .roles = R(ADMIN), .local_operator = true },
	[ACT_SIGNED_IN]    = { .name = "signed_in", .signed_in = true },
	[ACT_CONTACT]      = { .name = "contact", .signed_in = true, .verified = true },
	[ACT_PEOPLE_LIST]  = { .name = "people_list", .roles = R(COORDINATOR) | R(ADMIN) },
	[ACT_PERSON_VIEW]  = { .name = "person_view", .roles = R(COORDINATOR) | R(ADMIN),
			       .own = OWN_SELF },
	[ACT_ROLE_GRANT]   = { .name = "role_grant", .roles = R(ADMIN), .own = OWN_GRANTABLE,
			       .own_roles = R(PEER_SUPPORTER) | R(ORGANISER) },
	[ACT_AUDIT_READ]   = { .name = "audit_read", .roles = R(ADMIN) },
	[ACT_OUTBOX_ADMIN] = { .name = "outbox_admin", .roles = R(ADMIN) },
	[ACT_TOKENS_ALL]   = { .name = "tokens_all", .roles = R(ADMIN) },
	[ACT_SERVICE_EDIT] = { .name = "service_edit", .roles = R(COORDINATOR) | R(ADMIN),
			       .own = OWN_ORG },
	[ACT_SERVICE_REVIEW] = { .name = "service_review", .roles = R(COORDINATOR) | R(ADMIN) },
	[ACT_REFER]        = { .name = "refer", .roles = R(LINK_WORKER) | R(ORGANISER) |
			       R(COORDINATOR) | R(ADMIN) },
	[ACT_REFERRAL_VIEW] = { .name = "referral_view", .roles = R(COORDINATOR) | R(ADMIN),
			       .own = OWN_REFERRAL },
	[ACT_REFERRAL_UPDATE] = { .name = "referral_update", .roles = R(COORDINATOR) | R(ADMIN),
			       .own = OWN_REFERRAL },
	[ACT_REFERRAL_INBOX] = { .name = "referral_inbox", .roles = R(COORDINATOR) | R(ADMIN),
			       .own = OWN_ORG },
	[ACT_REFERRAL_REPORT] = { .name = "referral_report", .roles = R(COORDINATOR) |
			       R(COMMISSIONER) | R(ADMIN) },
};

/* Roles that may take an OWN_GRANTABLE action at the route level (the
 * handler then checks the particular role). */
static const unsigned grantors = R(COORDINATOR);

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
	if (row->signed_in)
		return !row->verified || actor->verified;
	if (!res) {
		/* Route level: let through those whom some resource could
		 * admit; the handler asks again with the resource. */
		switch (row->own) {
		case OWN_SELF:
		case OWN_REFERRAL:
			return true;
		case OWN_ORG:
			return (actor->roles & R(ORGANISER)) && actor->org_id;
		case OWN_GRANTABLE:
			return (actor->roles & grantors) != 0;
		case OWN_NONE:
			break;
		}
		return false;
	}
	switch (row->own) {
	case OWN_SELF:
		return res->kind == RES_PERSON && res->owner_id == actor->id;
	case OWN_ORG:
		return res->kind == RES_ORG && res->org_id && actor->org_id &&
		       (actor->roles & R(ORGANISER)) && strcmp(res->org_id, actor->org_id) == 0;
	case OWN_GRANTABLE:
		return res->kind == RES_ROLE && (actor->roles & grantors) &&
		       (unsigned)res->role < ROLE__MAX && (row->own_roles & ROLE_BIT(res->role));
	case OWN_REFERRAL:
		if (res->kind != RES_REFERRAL)
			return false;
		if (res->owner_id == actor->id || res->referrer_id == actor->id)
			return true;
		return res->org_id && actor->org_id && (actor->roles & R(ORGANISER)) &&
		       strcmp(res->org_id, actor->org_id) == 0;
	case OWN_NONE:
		break;
	}
	return false;
}
