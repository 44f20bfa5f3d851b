/*
 * features.c - every feature, once. The order is the order of the route
 * tables (metrics labels) and of demo seeding: a feature seeds after the
 * ones it depends on.
 */
#include "core/common.h"
#include "app/features.h"
#include "ops/ops.h"
#include "people/people.h"
#include "privacy/privacy.h"
#include "site/site.h"

const struct feature *const features[] = {
	&site_feature,
	&ops_feature,
	&people_feature,
	&privacy_feature,
};
const size_t features_n = ARRAY_LEN(features);
