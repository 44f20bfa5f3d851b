/*
 * policy.h - who may do what: the one policy table.
 *
 * Every route names the action it needs; the dispatcher asks
 * policy_can(actor, action, NULL) before the handler runs. Handlers that
 * act on a particular record ask again with that record as the resource,
 * which is where ownership rules apply (my own record, my organisation's, a
 * person who consented to share with me). No handler checks roles itself.
 *
 * The table (src/auth/policy.c) has one row per action: the roles that may
 * always do it, and the ownership rule, if any, that lets others do it for a
 * particular resource.
 */
#ifndef KITH_POLICY_H
#define KITH_POLICY_H

#include <stdbool.h>
#include <stdint.h>

enum role {
	ROLE_MEMBER,
	ROLE_PEER_SUPPORTER,
	ROLE_ORGANISER,
	ROLE_LINK_WORKER,
	ROLE_COORDINATOR,
	ROLE_COMMISSIONER,
	ROLE_ADMIN,
	ROLE__MAX
};

#define ROLE_BIT(r) (1u << (r))

const char *role_name(enum role r);
/* "member", "peer_supporter", ...; false when unknown. */
bool role_parse(const char *name, enum role *out);

/* Who is asking. A visitor has id 0 and no roles. Strings are
 * arena-owned. */
struct actor {
	int64_t id;               /* person id, 0 for a visitor */
	unsigned roles;           /* ROLE_BIT mask */
	const char *org_id;       /* organiser's organisation (UUID), NULL if none */
	bool verified;            /* their email address is verified */
	bool local_operator;      /* request from loopback, not proxied: may read /metrics */
	bool via_token;           /* authenticated by a bearer token (CSRF exempt) */
	const char *name;         /* display name, may be NULL */
	const char *email;        /* may be NULL */
	int64_t session_id;       /* session row (browser or API), 0 if none */
	int64_t token_id;         /* API token row, 0 if none */
	const char *csrf_token;   /* the form token for this session or visitor, or NULL */
};

/*
 * Actions. Each feature defines the actions its routes and handlers need,
 * as const struct action values beside its code (act_referral_view in
 * src/referral/), and lists them in its struct feature. A row says who may
 * always take the action and which relations to a particular resource let
 * anyone else take it; the resource's kind (its resolver) says how an
 * actor stands to one. The few actions every feature uses are here.
 */

/* How an actor stands to a particular resource, as the resource kind's
 * resolver says. One vocabulary for every feature, so a row reads the same
 * wherever it is. */
enum relation {
	REL_SELF      = 1u << 0,  /* the record is about the actor */
	REL_ORG       = 1u << 1,  /* it belongs to the organisation the actor organises for */
	REL_REFERRER  = 1u << 2,  /* the actor made the referral */
	REL_GRANTOR   = 1u << 3,  /* the actor may hand out the role in question */
	REL_MEMBER    = 1u << 4,  /* the actor is a member of the group */
	REL_HOST      = 1u << 5,  /* the actor hosts the group or session */
	REL_MODERATOR = 1u << 6,  /* the actor moderates the space */
	REL_MATCHED   = 1u << 7,  /* the actor is matched with the person (peer support) */
};

/* A kind of resource and its resolver, defined by the feature that owns
 * the records. relate() returns the REL_ bits actor has to res; called
 * with res NULL (the route-level check, before the handler has loaded the
 * record) it returns the relations the actor could have to some resource
 * of this kind, so that only they reach the handler, which then asks again
 * with the record. */
struct resource_kind {
	const char *name;
	unsigned (*relate)(const struct actor *actor, const void *res);
};

struct action {
	const char *name;             /* "referral_view": logs, docs and tests */
	bool visitors;                /* anyone, signed in or not */
	bool signed_in;               /* anyone signed in (subject to verified) */
	bool verified;                /* ... and only with a verified email */
	bool local_operator;          /* the operator on this machine (loopback, not proxied) */
	unsigned roles;               /* ROLE_BIT mask that may always */
	const struct resource_kind *kind;   /* what relations are to, or NULL */
	unsigned relations;           /* REL_ bits that admit, for a resource of kind */
};

/* Actions of the platform itself. */
extern const struct action act_public;     /* anyone, signed in or not */
extern const struct action act_metrics;    /* Prometheus metrics: local operator or admin */
extern const struct action act_signed_in;  /* anyone signed in, for their own account */
extern const struct action act_contact;    /* signed in with a verified email: contacting people */

/* The person kind: a person's record (res: const int64_t *, their id).
 * REL_SELF when it is the actor's own. */
extern const struct resource_kind person_kind;

/* The organisation kind for the policy engine: res is the organisation's
 * id (const char *, may be NULL for "no organisation"). REL_ORG when the
 * actor is an organiser for it; with res NULL (the route level), when the
 * actor is an organiser for some organisation. */
extern const struct resource_kind org_kind;
/* The same question for a record another feature holds for an
 * organisation (a referral's receiving organisation). */
unsigned org_relate(const struct actor *actor, const char *org_id);

/* May actor take action (for res, a resource of action->kind, when not
 * NULL)? */
bool policy_can(const struct actor *actor, const struct action *action, const void *res);

#endif
