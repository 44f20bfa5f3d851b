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

enum action {
	ACT_PUBLIC,          /* anyone, signed in or not */
	ACT_METRICS,         /* Prometheus metrics: local operator or admin */
	ACT_SIGNED_IN,       /* anyone signed in, for their own account */
	ACT_CONTACT,         /* signed in with a verified email: things that contact other people */
	ACT_PEOPLE_LIST,     /* list and search people: coordinators, admins */
	ACT_PERSON_VIEW,     /* one person's account record: coordinators, admins, the person */
	ACT_ROLE_GRANT,      /* grant or remove a role: admins any; coordinators peer_supporter, organiser */
	ACT_AUDIT_READ,      /* the whole audit log: admins */
	ACT_OUTBOX_ADMIN,    /* failed emails and the development mailbox: admins */
	ACT_TOKENS_ALL,      /* every API token, for integrations: admins */
	ACT_SERVICE_EDIT,    /* add and edit directory services: coordinators, admins; organisers
	                        for their own organisation's (RES_ORG) */
	ACT_SERVICE_REVIEW,  /* verify, publish, archive any service; the review list: coordinators, admins */
	ACT_REFER,           /* refer someone else, and see the caseload of referrals I made: link
	                        workers (and GP practice staff), organisers (onwards), coordinators, admins */
	ACT_REFERRAL_VIEW,   /* read one referral and its person record: coordinators, admins; the
	                        person, the referrer and the receiving organisation's organisers
	                        (RES_REFERRAL) */
	ACT_REFERRAL_UPDATE, /* move a referral on (accept, decline, contacted, ...; withdraw) or
	                        record consent: as ACT_REFERRAL_VIEW; which steps each may take is
	                        referral_can_move() */
	ACT_REFERRAL_INBOX,  /* the referrals sent to an organisation: its organisers (RES_ORG),
	                        coordinators, admins */
	ACT_REFERRAL_REPORT, /* counts, shares and medians over all referrals, CSV: coordinators,
	                        commissioners, admins (no personal data) */
	ACT__MAX
};

const char *action_name(enum action a);

/* What a resource-level check is about. kind names the rule that applies;
 * owner_id is the person the record is about; org_id the organisation that
 * holds it. */
enum resource_kind { RES_NONE, RES_PERSON, RES_ORG, RES_ROLE, RES_REFERRAL };

struct resource {
	enum resource_kind kind;
	int64_t owner_id;         /* RES_PERSON: the person the record is about */
	const char *org_id;       /* RES_ORG: the organisation that holds it */
	enum role role;           /* RES_ROLE: the role being granted or removed */
	int64_t referrer_id;      /* RES_REFERRAL: who referred (owner_id: the person's
	                             account, 0 if none; org_id: the receiving organisation) */
};

/* May actor do action (to res, when not NULL)? */
bool policy_can(const struct actor *actor, enum action action,
		const struct resource *res);

#endif
