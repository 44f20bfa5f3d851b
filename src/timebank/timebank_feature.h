/*
 * timebank_feature.h - the timebank as kith opens it (timebank_feature.c):
 * its settings and command (src/app/features.c lists the feature).
 */
#ifndef KITH_TIMEBANK_FEATURE_H
#define KITH_TIMEBANK_FEATURE_H

#include "timebank/ledger.h"

struct config;
struct feature;

struct timebank_settings {
	int timebank_lowest_hours;      /* a person's or organisation's balance may go this far below zero */
	int timebank_pot_lowest_hours;  /* the solidarity pot may go this far below zero */
};
struct settings;
extern const struct settings timebank_settings;

/* The limits of the settings in cfg (the defaults when cfg is NULL). */
struct tb_limits timebank_limits(const struct config *cfg);

extern const struct feature timebank_feature;       /* settings, kith timebank check, export, erasure */
extern const struct feature timebank_api_feature;   /* /api/v1/timebank: accounts and transfers */

#endif
