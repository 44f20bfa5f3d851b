/*
 * talk_feature.h - what the conversations feature registers
 * (src/app/features.c lists them): the people's pages (talk_web.c), the
 * moderators' and coordinators' pages (moderate_web.c) and the JSON API
 * (talk_api.c).
 */
#ifndef KITH_TALK_FEATURE_H
#define KITH_TALK_FEATURE_H

struct feature;

extern const struct feature talk_feature;            /* /talk: spaces, topics, posts, the settings and job */
extern const struct feature talk_moderate_feature;   /* /talk/moderate: the queue, actions, spaces, words */
extern const struct feature talk_api_feature;        /* /api/v1/spaces, topics, posts, flags */

#endif
