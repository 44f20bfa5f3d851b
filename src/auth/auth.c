/*
 * auth.c - resolving the actor.
 *
 * Every request gets an actor: a visitor unless a session or token says
 * otherwise. The "local operator" is the person at the machine itself (a
 * request over loopback that no proxy forwarded): they may read /metrics
 * without an account, as Prometheus scrapes do.
 */
#include "core/common.h"
#include "auth/auth.h"
#include "auth/policy.h"
#include "app/app.h"
#include "core/arena.h"
#include "core/rand.h"
#include "core/timeutil.h"
#include "ops/ops.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <sodium.h>

bool auth_is_loopback(const char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (!addr)
		return false;
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &a6) == 1) {
		if (IN6_IS_ADDR_LOOPBACK(&a6))
			return true;
		if (IN6_IS_ADDR_V4MAPPED(&a6))
			return a6.s6_addr[12] == 127;
	}
	return false;
}

enum err auth_init(struct app *app)
{
	struct db *db = app->store ? store_db(app->store) : NULL;
	char hex[2 * sizeof(app->csrf_key) + 1];
	enum err e;

	if (!db) {
		/* No database (request tests of RF_NODB routes): a key for this
		 * process alone is enough. */
		return rand_bytes(app->csrf_key, sizeof(app->csrf_key)) ? ERR_OK : ERR_INTERNAL;
	}
	e = ops_meta_get(db, "csrf_key", hex, sizeof(hex));
	if (e == ERR_NOT_FOUND) {
		unsigned char k[sizeof(app->csrf_key)];

		if (!rand_bytes(k, sizeof(k)))
			return ERR_INTERNAL;
		hex_encode(k, sizeof(k), hex);
		/* Two processes starting together: the first insert wins and
		 * both read back the same key. */
		e = ops_meta_insert(db, "csrf_key", hex, time_now());
		if (e == ERR_OK || e == ERR_CONFLICT)
			e = ops_meta_get(db, "csrf_key", hex, sizeof(hex));
	}
	if (e)
		return e;
	if (!hex_decode(hex, strlen(hex), app->csrf_key, sizeof(app->csrf_key)))
		return ERR_INTERNAL;
	return ERR_OK;
}

enum err auth_resolve(struct request *req, struct response *resp)
{
	UNUSED(resp);
	struct actor *a = arena_zalloc(&req->arena, sizeof(*a));

	if (!a)
		return ERR_NOMEM;
	/* A forwarded request came through a proxy: whoever sent it is not
	 * at this machine, whatever address the proxy connected from. */
	a->local_operator = auth_is_loopback(req->client_ip) &&
			    !req_header(req, "X-Forwarded-For") && !req_header(req, "Forwarded");
	req->actor = a;
	return ERR_OK;
}

enum err auth_check_csrf(struct request *req)
{
	const struct actor *a = req->actor;
	const char *sent = req_form(req, "csrf_token");
	size_t n;

	if (a && a->via_token)
		return ERR_OK;
	if (!a || !a->csrf_token || !sent)
		return ERR_CSRF;
	n = strlen(a->csrf_token);
	if (strlen(sent) != n || sodium_memcmp(sent, a->csrf_token, n) != 0)
		return ERR_CSRF;
	return ERR_OK;
}
