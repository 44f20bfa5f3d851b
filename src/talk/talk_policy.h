/*
 * talk_policy.h - who may do what in conversations (talk_policy.c).
 *
 * The resource is a struct talk_space (talk.h) loaded for the actor by
 * talk_space_load: REL_MEMBER when the actor may read and write in it
 * (signed in with a confirmed email; a group's space: its members, hosts
 * and organisation's organisers), REL_MODERATOR when named to moderate
 * it. Coordinators may always.
 */
#ifndef KITH_TALK_POLICY_H
#define KITH_TALK_POLICY_H

#include "auth/policy.h"

extern const struct resource_kind talk_space_kind;

/* Read a space, its topics and posts; write, react, flag, follow. */
extern const struct action act_talk_read;
/* The moderation queue, a post's flags and history, acting on posts and
 * their writers, seeing who wrote one (audited), answering messages to
 * the moderators. At the route level, anyone signed in: the handler asks
 * again with the space (or talk_moderates_any). */
extern const struct action act_talk_moderate;
/* Spaces, their moderators, watched words, trusting accounts: coordinators. */
extern const struct action act_talk_admin;
/* One's own display name, notices, what one follows, messages to the
 * moderators: anyone signed in. */
extern const struct action act_talk_self;

extern const struct action *const talk_actions[];

#endif
