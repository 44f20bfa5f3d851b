/*
 * cached.c - finished answers given again from a respcache (cached.h).
 */
#include "core/common.h"
#include "auth/policy.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/uktime.h"
#include "http/compress.h"
#include "http/router.h"
#include "web/cached.h"
#include "web/respcache.h"

/* ETag and If-None-Match for a finished 200 answer. */
static void conditional(struct request *req, struct response *resp, const char *etag)
{
	resp_header(resp, "ETag", arena_strdup(&req->arena, etag));
	/* Public data: a client or proxy may keep it but must ask again
	 * (cheaply, with If-None-Match) before reusing it. */
	resp->no_store = false;
	resp_header(resp, "Cache-Control", "no-cache");
	if (respcache_etag_matches(req_header(req, "If-None-Match"), etag)) {
		resp->status = 304;
		buf_reset(&resp->body);
		resp->gz = NULL;
	}
}

/* Whether resp->gz could be sent (http_compress() decides the rest): a
 * plain client's answer copies one body, not two. */
static bool may_take_gzip(const struct request *req)
{
	return !req->is_head && http_accepts_gzip(req_header(req, "Accept-Encoding"));
}

static void attach_gzip(struct request *req, struct response *resp, const char *gz, size_t n)
{
	char *copy;

	if (gz && may_take_gzip(req) && (copy = arena_alloc(&req->arena, n)) != NULL) {
		memcpy(copy, gz, n);
		resp->gz = copy;
		resp->gz_len = n;
	}
}

bool cached_answer(struct request *req, struct response *resp, const struct cached *c)
{
	const struct respcache_item *it;
	bool ok;

	if (!c->cache || !c->key || !(it = respcache_get(c->cache, c->key, c->klen, c->version, req->now)))
		return false;
	buf_reset(&resp->body);
	buf_add(&resp->body, it->body, it->len);
	resp->status = it->status;
	resp->content_type = arena_strdup(&req->arena, it->content_type);
	if (it->hdr_name)
		resp_header(resp, arena_strdup(&req->arena, it->hdr_name), arena_strdup(&req->arena, it->hdr_val));
	attach_gzip(req, resp, it->gz, it->gz_len);
	if (c->flags & CACHED_ETAG)
		conditional(req, resp, it->etag);
	respcache_release(it);
	ok = buf_ok(&resp->body) && resp->content_type;
	if (!ok) {
		/* Out of memory half-way: make the answer instead. */
		buf_reset(&resp->body);
		resp->gz = NULL;
	}
	return ok;
}

enum err cached_keep(struct request *req, struct response *resp, enum err e, const struct cached *c)
{
	struct respcache_item it = { .status = resp->status, .content_type = resp->content_type,
				     .body = resp->body.p, .len = resp->body.len };
	unsigned char *gz = NULL;

	if (e != ERR_OK || resp->status != 200 || !buf_ok(&resp->body))
		return e;
	/* A page's tag is made only if it is kept (respcache_put): a signed-in
	 * person's page, made every time, is not hashed for nothing. */
	if (c->flags & CACHED_ETAG)
		respcache_etag(resp->body.p, resp->body.len, it.etag);
	if (c->cache && c->key && !resp_get_header(resp, "Set-Cookie")) {
		if (c->keep_header && (it.hdr_val = resp_get_header(resp, c->keep_header)) != NULL)
			it.hdr_name = c->keep_header;
		if ((gz = http_gzip(resp->content_type, resp->body.p, resp->body.len, &it.gz_len)) != NULL)
			it.gz = (const char *)gz;
		respcache_put(c->cache, c->key, c->klen, c->version, req->now, c->ttl_s, &it);
		attach_gzip(req, resp, (const char *)gz, it.gz_len);   /* this answer too */
		free(gz);
	}
	if (c->flags & CACHED_ETAG)
		conditional(req, resp, it.etag);
	return e;
}

bool cached_page_key(struct request *req, struct cached *c)
{
	const struct actor *a = req->actor;
	int64_t day = uk_local_day(req->now);
	const char *name = req->route && req->route->name ? req->route->name : "";

	c->key = NULL;
	c->klen = 0;
	if (req->method != M_GET || (a && (a->id != 0 || a->csrf_token || a->via_token)))
		return false;
	c->key = arena_printf(&req->arena, "P%c%s|%lld|%s?%s", req->wants_json ? 'j' : 'h', name,
			      (long long)day, req->raw_path, req->query_raw ? req->query_raw : "");
	c->klen = c->key ? strlen(c->key) : 0;
	return c->key != NULL;
}
