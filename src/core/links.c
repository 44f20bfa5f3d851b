/*
 * links.c - route names to paths through the app's router (links.h).
 */
#include "core/common.h"
#include "core/links.h"

#include <stdarg.h>

#include "core/arena.h"

static const char *vpath(const struct links *l, struct arena *a, const char *name, va_list ap)
{
	const char *args[LINK_ARGS_MAX];
	const char *s;
	size_t n = 0;

	if (!l || !l->path)
		return NULL;
	while ((s = va_arg(ap, const char *)) != NULL) {
		if (n == LINK_ARGS_MAX)
			return NULL;
		args[n++] = s;
	}
	return l->path(l->arg, a, name, args, n);
}

const char *link_path(const struct links *l, struct arena *a, const char *name, ...)
{
	const char *p;
	va_list ap;

	va_start(ap, name);
	p = vpath(l, a, name, ap);
	va_end(ap);
	return p ? p : "/";
}

const char *link_abs(const struct links *l, struct arena *a, const char *name, ...)
{
	const char *p;
	va_list ap;

	va_start(ap, name);
	p = vpath(l, a, name, ap);
	va_end(ap);
	return arena_printf(a, "%s%s", l && l->base_url ? l->base_url : "", p ? p : "/");
}
