/*
 * fuzz_router.c - the router's path matching against the real route
 * tables of every feature. The first byte picks the method; the rest is
 * the path. Invariants: a matched route's parameters are NUL-terminated
 * valid text; an int parameter is in range; a 405 mask is only reported
 * when no route matched the method.
 */
#include "core/common.h"
#include "app/features.h"
#include "core/str.h"
#include "http/router.h"

static struct router *router;

static void init(void)
{
	struct route_table tables[64];
	char err[256];

	for (size_t i = 0; i < features_n; i++) {
		tables[i].feature = features[i]->name;
		tables[i].routes = features[i]->routes;
		tables[i].n = features[i]->nroutes;
	}
	if (router_new(tables, features_n, &router, err, sizeof(err)) != ERR_OK)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct route_match m;
	char *path;
	enum method meth;

	if (!router)
		init();
	if (size < 1 || size > LIMIT_URL_BYTES)
		return 0;
	meth = (enum method)(data[0] % M__MAX);
	path = malloc(size);
	memcpy(path, data + 1, size - 1);
	path[size - 1] = '\0';
	arena_init(&a);
	if (router_match(router, &a, meth, path, &m) == ERR_OK) {
		if (m.route) {
			for (size_t i = 0; i < m.nparams; i++) {
				if (!str_is_clean_utf8(m.params[i].val, strlen(m.params[i].val)))
					abort();
				if (m.params[i].i < 0 || m.params[i].i > ((int64_t)1 << 53))
					abort();
			}
			if (m.route->method != (meth == M_HEAD ? M_GET : meth))
				abort();
		}
		(void)router_allow_header(&a, m.allowed);
	}
	arena_release(&a);
	free(path);
	return 0;
}
