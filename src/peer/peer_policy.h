/*
 * peer_policy.h - the peer feature's policy rows and resource kinds
 * (peer_policy.c).
 */
#ifndef KITH_PEER_POLICY_H
#define KITH_PEER_POLICY_H

#include "auth/policy.h"
#include "peer/peer.h"

extern const struct resource_kind peer_request_kind;   /* res: struct peer_request_meta * */
extern const struct resource_kind peer_match_kind;     /* res: struct peer_match_meta * */

extern const struct action act_peer_ask;          /* ask for a peer (confirmed address) */
extern const struct action act_peer_apply;        /* apply to be one, see one's own peer page */
extern const struct action act_peer_request;      /* see or withdraw a request */
extern const struct action act_peer_match_view;   /* see a match */
extern const struct action act_peer_answer;       /* the peer answers an offer */
extern const struct action act_peer_talk;         /* messages, sharing, ending, concerns: the pair */
extern const struct action act_peer_log;          /* the peer logs a contact */
extern const struct action act_peer_refer;        /* ask for a peer for someone else */
extern const struct action act_peer_coordinate;   /* the peer supporters, the pool, concerns */

extern const struct action *const peer_actions[];

#endif
