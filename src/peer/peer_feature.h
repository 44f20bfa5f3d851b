/*
 * peer_feature.h - the peer feature's web side (peer_web.c): its settings
 * as the app holds them.
 */
#ifndef KITH_PEER_FEATURE_H
#define KITH_PEER_FEATURE_H

#include "peer/peer.h"

struct settings;
extern const struct settings peer_settings;

#endif
