/*
 * links.h - links to kith's own pages for code that cannot see the router.
 *
 * A path is written once, in its route row (src/http/router.c builds it
 * back from the route's name). Rules and view models live below the
 * router, so the app hands them this: a function from a route name and
 * its parameters to a path, and the site's address for links that leave
 * the site (emails). src/app/app.c fills one per app from its router.
 *
 *   link_path(l, a, "directory.service", id, NULL)  ->  "/services/3f25..."
 *   link_abs(l, a, "referral.show", id, NULL)       ->  "https://x.org/referrals/3f25..."
 */
#ifndef KITH_LINKS_H
#define KITH_LINKS_H

#include <stddef.h>

struct arena;

#define LINK_ARGS_MAX 8   /* parameters of one route */

struct links {
	/* The path of the route named name with args in its {...} (each
	 * percent-encoded), in a; NULL for an unknown name or a wrong count. */
	const char *(*path)(const void *arg, struct arena *a, const char *name,
			const char *const *args, size_t n);
	const void *arg;          /* the router */
	const char *base_url;     /* "https://kith.example.org", no path */
};

/* The path (in a) of the route named name; its parameters follow, ending
 * with NULL. Never NULL: "/" when l is NULL (rules run alone, in tests),
 * the name is unknown or the count wrong (a bug, which the router logs)
 * or memory ran out, so the page still works. */
const char *link_path(const struct links *l, struct arena *a, const char *name, ...)
	__attribute__((sentinel));
/* The same after the site's address: for emails. NULL only when out of
 * memory. */
const char *link_abs(const struct links *l, struct arena *a, const char *name, ...)
	__attribute__((sentinel));

#endif
