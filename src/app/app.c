/*
 * app.c - start-up and the request pipeline.
 *
 * app_handle() is the whole life of a request after the socket:
 *
 *   limits -> route -> actor -> policy -> database -> body -> CSRF
 *          -> handler (in a transaction for reads) -> error page
 *          -> security headers -> metrics
 *
 * Each step can end the request with an error response; nothing after a
 * failed step runs. Handlers only see requests that passed every check.
 */
#include "core/common.h"
#include "app/app.h"
#include "app/features.h"
#include "app/metrics.h"
#include "auth/auth_web.h"
#include "auth/policy.h"
#include "core/embedded.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/ratelimit.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "http/compress.h"
#include "http/headers.h"
#include "http/parse.h"
#include "http/router.h"
#include "mail/mail_feature.h"
#include "store/store.h"
#include "view/escape.h"
#include "view/tmpl.h"
#include "web/view.h"

/* Does a route of f name an action f may use: the platform's or one of
 * its own? A feature that needs another's rule asks that feature (its
 * header) in the handler, never by borrowing the row. */
static bool action_owned(const struct feature *f, const struct action *a)
{
	static const struct action *const platform[] = {
		&act_public, &act_signed_in, &act_contact, &act_metrics,
	};

	for (size_t i = 0; i < ARRAY_LEN(platform); i++)
		if (a == platform[i])
			return true;
	for (size_t i = 0; f->actions && f->actions[i]; i++)
		if (a == f->actions[i])
			return true;
	return false;
}

static enum err build_router(const struct feature *const *feats, size_t n,
		struct router **out, char *errbuf, size_t errlen)
{
	struct route_table tables[64];

	if (n > ARRAY_LEN(tables)) {
		snprintf(errbuf, errlen, "too many features");
		return ERR_INTERNAL;
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t r = 0; r < feats[i]->nroutes; r++) {
			const struct route *rt = &feats[i]->routes[r];

			if (rt->action && !action_owned(feats[i], rt->action)) {
				snprintf(errbuf, errlen, "%s: %s %s: the action %s is not one this "
					 "feature defines (list it in its actions)", feats[i]->name,
					 method_name(rt->method), rt->pattern, rt->action->name);
				return ERR_INVALID;
			}
		}
		tables[i].feature = feats[i]->name;
		tables[i].routes = feats[i]->routes;
		tables[i].n = feats[i]->nroutes;
	}
	return router_new(tables, n, out, errbuf, errlen);
}

/* The event bus: each feature's subscriptions, in feature-list order. */
static enum err gather_subscriptions(struct app *app)
{
	size_t n = 0;

	for (size_t i = 0; i < app->nfeats; i++)
		for (const struct subscription *s = app->feats[i]->subscriptions; s && s->fn; s++)
			n++;
	app->events.owner = app;
	app->events.subs = calloc(n ? n : 1, sizeof(*app->events.subs));
	if (!app->events.subs)
		return ERR_NOMEM;
	for (size_t i = 0; i < app->nfeats; i++)
		for (const struct subscription *s = app->feats[i]->subscriptions; s && s->fn; s++)
			app->events.subs[app->events.n++] = s;
	return ERR_OK;
}

/* links.h's path function: the router's. */
static const char *route_path(const void *router, struct arena *a, const char *name,
		const char *const *args, size_t n)
{
	return router_url(router, a, name, args, n);
}

static json_t *asset_urls(void)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < embedded_assets_n; i++) {
		char key[128];
		size_t n = 0;

		for (const char *p = embedded_assets[i].name; *p && n + 1 < sizeof(key); p++)
			key[n++] = (*p == '.' || *p == '-') ? '_' : *p;
		key[n] = '\0';
		json_object_set_new(o, key, json_string(embedded_assets[i].url));
	}
	return o;
}

enum err app_init(struct app *app, const struct config *cfg, bool migrate,
		char *errbuf, size_t errlen)
{
	return app_init_features(app, cfg, migrate, features, features_n, errbuf, errlen);
}

enum err app_init_features(struct app *app, const struct config *cfg, bool migrate,
		const struct feature *const *feats, size_t nfeats,
		char *errbuf, size_t errlen)
{
	enum err e;

	memset(app, 0, sizeof(*app));
	app->cfg = cfg;
	app->started_at = time_now();
	if ((e = build_router(feats, nfeats, &app->router, errbuf, errlen)) != ERR_OK)
		goto fail;
	if ((e = view_init(&app->views, errbuf, errlen)) != ERR_OK)
		goto fail;
	app->links = (struct links){ .path = route_path, .arg = app->router, .base_url = cfg->base_url };
	mail_mailer_init(&app->mailer, app);
	app->metrics = metrics_new(app->router);
	app->assets = asset_urls();
	if (!app->metrics || !app->assets) {
		e = ERR_NOMEM;
		snprintf(errbuf, errlen, "out of memory");
		goto fail;
	}
	if (cfg->rate_limit > 0) {
		/* A burst of a quarter of the minute's budget lets a page and its
		 * assets load at once; the slot table covers a busy town. */
		unsigned burst = (unsigned)cfg->rate_limit / 4 + 1;

		app->rl = ratelimit_new((unsigned)cfg->rate_limit, burst, 16384);
	}
	if (cfg->db[0]) {
		struct store_opts so = {
			.busy_timeout_ms = cfg->busy_timeout_ms,
			.synchronous = cfg->synchronous,
			.connect_timeout_s = 5,
			.stmt_cache = 256,
		};

		if ((e = store_open(cfg->db, &so, &app->store, errbuf, errlen)) != ERR_OK)
			goto fail;
		if (migrate || cfg->migrate_on_start) {
			int applied = 0;

			if ((e = store_migrate(app->store, &applied, errbuf, errlen)) != ERR_OK)
				goto fail;
			if (applied)
				log_info("applied %d database migration(s)", applied);
		} else {
			int pending = 0;

			if ((e = store_migrations_pending(app->store, &pending, errbuf, errlen)) != ERR_OK)
				goto fail;
			if (pending) {
				snprintf(errbuf, errlen, "the database needs %d migration(s): run kith migrate "
					 "(or set migrate_on_start = true)", pending);
				e = ERR_INVALID;
				goto fail;
			}
		}
	}
	if ((e = auth_init(app)) != ERR_OK) {
		snprintf(errbuf, errlen, "cannot load the form-signing key from the database (%s)", err_name(e));
		goto fail;
	}
	app->feats = calloc(nfeats ? nfeats : 1, sizeof(*app->feats));
	if (!app->feats) {
		e = ERR_NOMEM;
		goto fail;
	}
	memcpy(app->feats, feats, nfeats * sizeof(*feats));
	app->nfeats = nfeats;
	if ((e = gather_subscriptions(app)) != ERR_OK)
		goto fail;
	for (size_t i = 0; i < nfeats; i++) {
		if (feats[i]->init && (e = feats[i]->init(app)) != ERR_OK) {
			snprintf(errbuf, errlen, "%s could not start (%s)", feats[i]->name, err_title(e));
			/* Release only the features that started. */
			app->nfeats = i;
			goto fail;
		}
	}
	return ERR_OK;
fail:
	app_release(app);
	return e;
}

void app_release(struct app *app)
{
	for (size_t i = app->nfeats; i-- > 0;)
		if (app->feats[i]->release)
			app->feats[i]->release(app);
	free(app->feats);
	free(app->events.subs);
	if (app->store)
		store_close(app->store);
	router_free(app->router);
	tmpl_free(app->views);
	metrics_free(app->metrics);
	ratelimit_free(app->rl);
	if (app->assets)
		json_decref(app->assets);
	memset(app, 0, sizeof(*app));
}

/* "application/json; charset=utf-8" -> matches "application/json". */
static bool ctype_is(const char *ctype, const char *want)
{
	size_t n = strlen(want);

	if (!ctype || strncasecmp(ctype, want, n) != 0)
		return false;
	return ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ';
}

static bool accepts_json(const struct request *req)
{
	const char *acc = req_header(req, "Accept");

	return acc && strstr(acc, "application/json") && !strstr(acc, "text/html");
}

static enum err parse_body(struct request *req, unsigned flags)
{
	const char *ctype = req_header(req, "Content-Type");
	const char *why = NULL;
	enum err e;

	if (flags & RF_RAW)
		return ERR_OK;
	if (req->body_len == 0 && !ctype)
		return ERR_OK;
	if ((flags & RF_FORM) && ctype_is(ctype, "application/x-www-form-urlencoded")) {
		e = parse_urlencoded(&req->arena, req->body, req->body_len,
				     &parse_default_limits, &req->form, &why);
		return e ? req_fail(req, e, why) : ERR_OK;
	}
	if ((flags & RF_JSON) && (ctype_is(ctype, "application/json") ||
				  ctype_is(ctype, "application/fhir+json") ||
				  ctype_is(ctype, "application/problem+json"))) {
		e = parse_json(req->body, req->body_len, LIMIT_JSON_DEPTH, &req->json, &why);
		return e ? req_fail(req, e, why) : ERR_OK;
	}
	if (req->body_len == 0 && !(flags & (RF_FORM | RF_JSON)))
		return ERR_OK;
	if (flags & RF_JSON)
		return req_fail(req, ERR_MEDIA_TYPE, "Send the body as JSON with Content-Type: application/json.");
	if (flags & RF_FORM)
		return req_fail(req, ERR_MEDIA_TYPE,
				"Send the form as application/x-www-form-urlencoded.");
	return req_fail(req, ERR_MEDIA_TYPE, "This address does not accept a request body.");
}

/* BREACH (docs/THREATS.md): a compressed page that holds a secret beside
 * text the requester chose (a search echoed back) leaks the secret a byte
 * at a time through its compressed length. The secrets a cross-site
 * attacker could make a browser fetch are those that ride on the browser's
 * cookies: the form token, and whatever a signed-in person's pages show. So
 * a response is compressed only when no form token was issued for it and
 * the request was not signed in by a session cookie (a bearer token is
 * never sent by a browser on another site's behalf). */
static bool may_compress(const struct request *req)
{
	const struct actor *a = req->actor;

	return !a || (!a->csrf_token && (a->id == 0 || a->via_token));
}

static void finish(struct app *app, struct request *req, struct response *resp)
{
	http_compress(req, resp, may_compress(req));
	http_security_headers(resp, app->cfg->behind_tls);
	resp_header(resp, "X-Request-Id", req->id);
	if (resp->headers_full)
		log_error("response headers overflowed for %s", req->route ? req->route->pattern : "-");
	metrics_observe(app->metrics, req->route ? req->route_index : (size_t)-1, resp->status,
			time_mono_us() - req->start_us);
}

static void fail(struct request *req, struct response *resp, enum err e)
{
	if (e == ERR_NOMEM || e == ERR_INTERNAL)
		log_error("request %s failed: %s", req->route ? req->route->pattern : "-", err_name(e));
	view_error(req, resp, e, req->err_detail, req->err_fields);
}

static void handle_options(struct app *app, struct request *req, struct response *resp,
		const struct route_match *m)
{
	bool cors = false;

	for (size_t i = 0; i < router_count(app->router); i++) {
		const struct route *rt = router_at(app->router, i);
		struct route_match m2;

		if (!(rt->flags & RF_CORS) || !(m->allowed & (1u << rt->method)))
			continue;
		if (router_match(app->router, &req->arena, rt->method, req->raw_path, &m2) == ERR_OK &&
		    m2.route == rt)
			cors = true;
	}
	if (!cors) {
		resp_header(resp, "Allow", router_allow_header(&req->arena, m->allowed));
		fail(req, resp, req_fail(req, ERR_METHOD, "This address does not answer OPTIONS."));
		return;
	}
	resp->status = 204;
	resp->cors = true;
	resp_header(resp, "Allow", arena_printf(&req->arena, "%s, OPTIONS",
						 router_allow_header(&req->arena, m->allowed)));
	resp_header(resp, "Access-Control-Allow-Methods", router_allow_header(&req->arena, m->allowed));
	resp_header(resp, "Access-Control-Allow-Headers", "Content-Type, Authorization");
	resp_header(resp, "Access-Control-Max-Age", "86400");
}

static enum err run_handler(struct request *req, struct response *resp)
{
	const struct route *rt = req->route;
	bool tx = req->db && (req->method == M_GET) && !(rt->flags & RF_NODB);
	enum err e;

	if (tx) {
		e = (rt->flags & RF_WRITE_TX) ? db_begin(req->db) : db_begin_read(req->db);
		if (e)
			return e;
	}
	e = rt->handler(req, resp);
	if (req->db && db_in_tx(req->db)) {
		if (e == ERR_OK && tx) {
			enum err ce = db_commit(req->db);

			if (ce)
				e = ce;
		} else {
			/* The dispatcher owns the end of every transaction: a
			 * handler that fails leaves what it began for us to roll
			 * back, so nothing half-written survives. One that
			 * succeeded with its own transaction still open forgot to
			 * commit: a bug, rolled back and logged. */
			if (!tx && e == ERR_OK)
				log_error("%s %s left a transaction open", method_name(rt->method), rt->pattern);
			db_rollback(req->db);
		}
	}
	return e;
}

static void set_id(struct request *req)
{
	if (!req->id[0]) {
		uint64_t r = rand_fast64();

		hex_encode(&r, sizeof(r), req->id);
	}
	if (!req->start_us)
		req->start_us = time_mono_us();
	if (!req->now)
		req->now = time_now();
	/* /fhir is an API too: refusals are 401, not a sign-in page, and
	 * errors are documents (OperationOutcome resources, view_error()). */
	req->is_api = strncmp(req->raw_path, "/api/", 5) == 0 || strcmp(req->raw_path, "/api") == 0 ||
		      strncmp(req->raw_path, "/fhir/", 6) == 0 || strcmp(req->raw_path, "/fhir") == 0;
	req->wants_json = req->is_api;
}

void app_error(struct app *app, struct request *req, struct response *resp,
		enum err e, const char *detail)
{
	set_id(req);
	fail(req, resp, req_fail(req, e, detail));
	finish(app, req, resp);
}

/* Would actor be let in with a confirmed email address? (The refusal
 * then says to confirm it, not that they lack permission.) */
static bool only_unconfirmed(const struct actor *actor, const struct action *action)
{
	struct actor confirmed = *actor;

	if (!action->verified || actor->verified)
		return false;
	confirmed.verified = true;
	return policy_can(&confirmed, action, NULL);
}

void app_handle(struct app *app, struct request *req, struct response *resp)
{
	struct route_match m;
	enum err e;
	int retry;

	set_id(req);
	if (req->method == M_HEAD) {
		req->method = M_GET;
		req->is_head = true;
	}

	if (atomic_load(&app->draining)) {
		req->retry_after = 5;
		fail(req, resp, req_fail(req, ERR_UNAVAILABLE,
					 "The service is restarting. Try again in a few seconds."));
		goto out;
	}
	if (strlen(req->raw_path) + strlen(req->query_raw) > LIMIT_URL_BYTES) {
		fail(req, resp, req_fail(req, ERR_URI_TOO_LONG,
					 "The web address is too long. Shorten the search or form and try again."));
		goto out;
	}
	if (app->rl && !ratelimit_take(app->rl, req->client_ip, strlen(req->client_ip),
				       time_mono_us(), &retry)) {
		req->retry_after = retry;
		fail(req, resp, req_fail(req, ERR_RATE_LIMITED,
					 "You have made a lot of requests in a short time. Wait a minute and try again."));
		goto out;
	}

	e = router_match(app->router, &req->arena, req->method, req->raw_path, &m);
	if (e) {
		fail(req, resp, req_fail(req, e, "The web address is not valid. Check it and try again."));
		goto out;
	}
	if (!m.route) {
		if (m.allowed && req->method == M_OPTIONS) {
			handle_options(app, req, resp, &m);
		} else if (m.allowed) {
			resp_header(resp, "Allow", router_allow_header(&req->arena, m.allowed));
			fail(req, resp, req_fail(req, ERR_METHOD, arena_printf(&req->arena,
				"This address does not accept %s requests. It accepts %s.",
				req->method_raw, router_allow_header(&req->arena, m.allowed))));
		} else {
			fail(req, resp, req_fail(req, ERR_NOT_FOUND,
				"If you typed the web address, check it is correct. If you pasted it, "
				"check you copied the whole address."));
		}
		goto out;
	}
	req->route = m.route;
	req->route_index = m.index;
	memcpy(req->params, m.params, sizeof(m.params));
	req->nparams = m.nparams;
	if ((m.route->flags & RF_PAGE_JSON) && accepts_json(req))
		req->wants_json = true;
	if (m.route->flags & RF_CORS)
		resp->cors = true;
	if ((e = req_parse_query_cookies(req)) != ERR_OK) {
		fail(req, resp, e);
		goto out;
	}

	if (!(m.route->flags & RF_NODB)) {
		req->db = app->store ? store_db(app->store) : NULL;
		if (!req->db) {
			req->retry_after = 30;
			fail(req, resp, req_fail(req, ERR_UNAVAILABLE,
				"The service cannot reach its database just now. Try again in a few minutes."));
			goto out;
		}
	}
	if ((e = auth_resolve(req, resp)) != ERR_OK) {
		fail(req, resp, e);
		goto out;
	}
	if (!policy_can(req->actor, m.route->action, NULL)) {
		if (req->actor->id == 0 && !req->is_api && m.route->action != &act_metrics) {
			/* People are asked to sign in, then come back here (to the
			 * page, not to a form post that has lost its session). */
			struct buf next;

			buf_init(&next, LIMIT_URL_BYTES * 3 + 16);
			buf_adds(&next, "/login");
			if (req->method == M_GET) {
				buf_adds(&next, "?next=");
				esc_url_component(&next, req->raw_path, strlen(req->raw_path));
			}
			resp_redirect(req, resp, buf_ok(&next) ? next.p : "/login");
			buf_release(&next);
		} else if (req->actor->id == 0) {
			fail(req, resp, req_fail(req, ERR_UNAUTHORIZED, req->is_api
				? "Sign in first: send a bearer token in the Authorization header."
				: "Sign in first."));
		} else if (only_unconfirmed(req->actor, m.route->action)) {
			/* Only the confirmed address is missing: say so. */
			fail(req, resp, req_fail(req, ERR_FORBIDDEN,
				"Confirm your email address first: open the link we sent you. You can "
				"get a new link from your account page."));
		} else {
			fail(req, resp, req_fail(req, ERR_FORBIDDEN,
				"Your account does not have permission to do this. If you think it should, "
				"ask your coordinator."));
		}
		goto out;
	}
	if ((e = parse_body(req, m.route->flags)) != ERR_OK) {
		fail(req, resp, e);
		goto out;
	}
	if ((m.route->flags & RF_CSRF) && (e = auth_check_csrf(req)) != ERR_OK) {
		fail(req, resp, req_fail(req, e,
			"This form has expired or was opened in another window. Go back, reload the page "
			"and try again. Nothing was saved."));
		goto out;
	}
	if ((e = run_handler(req, resp)) != ERR_OK)
		fail(req, resp, e);
out:
	finish(app, req, resp);
}
