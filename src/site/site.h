/*
 * site.h - the pages about kith itself: home, accessibility statement,
 * privacy notice, and the problem-type pages that API errors link to.
 */
#ifndef KITH_SITE_H
#define KITH_SITE_H

#include <stddef.h>

struct feature;
struct demo_opts;

extern const struct feature site_feature;

#endif
