/*
 * peer_policy.c - who may do what in peer support.
 *
 * A request is open to its person (REL_SELF) and to whoever made it for
 * them (REL_REFERRER); a match to its person (REL_SELF) and its peer
 * supporter (REL_MATCHED). Coordinators see requests, matches, contacts
 * and concerns, and run the peer supporters; they never read a pair's
 * messages, and nobody but the pair writes in a match. Asking for a peer
 * and applying to be one need a confirmed email address: every step after
 * is an email.
 */
#include "core/common.h"
#include "peer/peer_policy.h"

#define R(x) ROLE_BIT(ROLE_##x)

static unsigned relate_request(const struct actor *actor, const void *res)
{
	const struct peer_request_meta *m = res;
	unsigned rel = 0;

	if (!m)
		return REL_SELF | REL_REFERRER;
	if (actor->id && m->person_id == actor->id)
		rel |= REL_SELF;
	if (actor->id && m->made_by == actor->id)
		rel |= REL_REFERRER;
	return rel;
}

static unsigned relate_match(const struct actor *actor, const void *res)
{
	const struct peer_match_meta *m = res;
	unsigned rel = 0;

	if (!m)
		return REL_SELF | REL_MATCHED;
	if (actor->id && m->person_id == actor->id)
		rel |= REL_SELF;
	if (actor->id && m->peer_id == actor->id)
		rel |= REL_MATCHED;
	return rel;
}

const struct resource_kind peer_request_kind = { "peer_request", relate_request };
const struct resource_kind peer_match_kind = { "peer_match", relate_match };

const struct action act_peer_ask = { .name = "peer_ask", .signed_in = true, .verified = true };
const struct action act_peer_apply = { .name = "peer_apply", .signed_in = true, .verified = true };
const struct action act_peer_request = { .name = "peer_request", .roles = R(COORDINATOR),
	.kind = &peer_request_kind, .relations = REL_SELF | REL_REFERRER };
const struct action act_peer_match_view = { .name = "peer_match_view", .roles = R(COORDINATOR),
	.kind = &peer_match_kind, .relations = REL_SELF | REL_MATCHED };
const struct action act_peer_answer = { .name = "peer_answer", .kind = &peer_match_kind,
	.relations = REL_MATCHED };
const struct action act_peer_talk = { .name = "peer_talk", .kind = &peer_match_kind,
	.relations = REL_SELF | REL_MATCHED };
const struct action act_peer_log = { .name = "peer_log", .kind = &peer_match_kind,
	.relations = REL_MATCHED };
const struct action act_peer_refer = { .name = "peer_refer", .roles = R(LINK_WORKER) | R(COORDINATOR) };
const struct action act_peer_coordinate = { .name = "peer_coordinate", .roles = R(COORDINATOR) };

const struct action *const peer_actions[] = {
	&act_peer_ask, &act_peer_apply, &act_peer_request, &act_peer_match_view, &act_peer_answer,
	&act_peer_talk, &act_peer_log, &act_peer_refer, &act_peer_coordinate, NULL,
};
