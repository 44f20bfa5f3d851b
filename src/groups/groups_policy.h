/*
 * groups_policy.h - who may do what with groups (groups_policy.c).
 *
 * The resource is a struct group_meta (groups.h) loaded for the actor by
 * group_load: REL_ORG for an organiser of the group's organisation,
 * REL_HOST for a host it names, REL_MEMBER for a member.
 */
#ifndef KITH_GROUPS_POLICY_H
#define KITH_GROUPS_POLICY_H

#include "auth/policy.h"

extern const struct resource_kind group_kind;

/* Join, leave, say "I'm going": anyone signed in with a confirmed email. */
extern const struct action act_group_join;
/* Members-only details and the host's messages: members, hosts, the
 * organisation's organisers, coordinators. */
extern const struct action act_group_inside;
/* Run the sessions: change, cancel and add sessions, see who is going by
 * name, take the register, message the members. Hosts, organisers of the
 * organisation, coordinators. */
extern const struct action act_group_host;
/* Make and edit the group, name its hosts: organisers of the
 * organisation, coordinators. At the route level (no group yet), any
 * organiser or coordinator. */
extern const struct action act_group_manage;
/* A person's own calendar feed link. */
extern const struct action act_group_feed;

extern const struct action *const group_actions[];

#endif
