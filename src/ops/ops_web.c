/*
 * ops_web.c - health, metrics and assets.
 *
 * Assets are served only from the table compiled into the binary, looked
 * up by their content-hashed URL, so no request ever reaches the file
 * system, and a changed file gets a new URL: browsers may cache each one
 * for a year.
 */
#include "core/common.h"
#include "app/features.h"
#include "app/app.h"
#include "app/metrics.h"
#include "http/compress.h"
#include "ops/ops.h"
#include "core/timeutil.h"
#include "store/store.h"
#include "web/view.h"

static enum err healthz(struct request *req, struct response *resp)
{
	enum err e = req->app->store ? store_ping(req->app->store) : ERR_UNAVAILABLE;

	if (e == ERR_OK)
		return view_json(req, resp, 200, json_pack("{s:s}", "status", "ok"));
	req->retry_after = 30;
	resp_header(resp, "Retry-After", "30");
	return view_json(req, resp, 503, json_pack("{s:s, s:{s:s}}", "status", "unavailable",
						   "checks", "database", "unreachable"));
}

static enum err metrics(struct request *req, struct response *resp)
{
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	buf_reset(&resp->body);
	metrics_render(req->app->metrics, &resp->body);
	return buf_ok(&resp->body) ? ERR_OK : ERR_TOO_LARGE;
}

const struct embedded_asset *ops_asset_by_url(const char *url)
{
	for (size_t i = 0; i < embedded_assets_n; i++)
		if (strcmp(embedded_assets[i].url, url) == 0)
			return &embedded_assets[i];
	return NULL;
}

static enum err asset(struct request *req, struct response *resp)
{
	const struct embedded_asset *a;
	const char *inm;
	char url[192];

	snprintf(url, sizeof(url), "/assets/%s", req_param(req, "file")->val);
	a = ops_asset_by_url(url);
	if (!a)
		return req_fail(req, ERR_NOT_FOUND, "There is no such file. Reload the page to get the current one.");
	resp->no_store = false;
	resp_header(resp, "Cache-Control", "public, max-age=31536000, immutable");
	resp_header(resp, "ETag", a->etag);
	resp_header(resp, "Vary", "Accept-Encoding");
	resp->content_type = a->content_type;
	inm = req_header(req, "If-None-Match");
	if (inm && strstr(inm, a->etag)) {
		resp->status = 304;
		return ERR_OK;
	}
	resp->status = 200;
	if (a->gz && http_accepts_gzip(req_header(req, "Accept-Encoding"))) {
		resp_header(resp, "Content-Encoding", "gzip");
		resp->static_body = a->gz;
		resp->static_len = a->gz_len;
	} else {
		resp->static_body = a->data;
		resp->static_len = a->len;
	}
	return ERR_OK;
}

static const struct route routes[] = {
	{ M_GET, "/healthz", healthz, &act_public, RF_NODB, "ops.healthz" },
	{ M_GET, "/metrics", metrics, &act_metrics, RF_NODB, "ops.metrics" },
	{ M_GET, "/assets/{file:file}", asset, &act_public, RF_NODB, "ops.asset" },
};
/* Demo seeding records when it ran, so an operator can tell a demo
 * database from a real one (kith check-config shows it). */
static enum err demo(struct db *db, const struct demo_opts *opts)
{
	char ts[32];

	time_iso8601(opts->now, ts, sizeof(ts));
	return ops_meta_set(db, "demo_seeded_at", ts, opts->now);
}

const struct feature ops_feature = {
	.name = "ops", .routes = routes, .nroutes = ARRAY_LEN(routes), .demo = demo,
};
