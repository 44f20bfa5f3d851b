/*
 * topic_cache_web.c - the posts of a page of a topic, kept (topic_cache_web.h).
 */
#include "core/common.h"
#include "talk/topic_cache_web.h"

#include "core/str.h"

#include "app/app.h"
#include "web/respcache.h"

#include <stdio.h>
#include <stdlib.h>

#define KEEP_SECONDS 3600     /* the version decides; this only frees what nobody reads */
#define MAX_ENTRIES 4096

void talk_page_splice(struct buf *out, const char *html, size_t len, const char *token)
{
	static const char mark[] = TALK_CSRF_MARK;
	const size_t ml = sizeof(mark) - 1;
	const char *p = html, *end = html + len, *m;

	while (p < end && (m = memmem(p, (size_t)(end - p), mark, ml)) != NULL) {
		buf_add(out, p, (size_t)(m - p));
		if (token)
			buf_adds(out, token);
		p = m + ml;
	}
	buf_add(out, p, (size_t)(end - p));
}

bool talk_page_get(struct request *req, const struct talk_page_key *k, struct buf *out, int64_t *newest,
		int64_t *total)
{
	struct respcache *c = req->app->talk_cache;
	const struct respcache_item *it;
	int64_t n = 0, t = 0;
	const char *sp;
	bool ok;

	if (!c || !(it = respcache_get(c, (const char *)k, sizeof(*k), (uint64_t)k->version, req->now)))
		return false;
	sp = it->hdr_val ? strchr(it->hdr_val, ' ') : NULL;
	ok = sp && str_to_i64((struct str){ it->hdr_val, (size_t)(sp - it->hdr_val) }, 0, INT64_MAX, &n) &&
	     str_to_i64(str_c(sp + 1), 0, INT64_MAX, &t);
	if (ok) {
		talk_page_splice(out, it->body, it->len, req->actor ? req->actor->csrf_token : NULL);
		*newest = n;
		*total = t;
	}
	respcache_release(it);
	return ok && buf_ok(out);
}

void talk_page_put(struct request *req, const struct talk_page_key *k, const char *html, size_t len, int64_t newest,
		int64_t total)
{
	struct respcache *c = req->app->talk_cache;
	char meta[48];
	struct respcache_item it = { .status = 200, .content_type = "text/html", .hdr_name = "x-talk-page",
				     .hdr_val = meta, .body = html, .len = len };

	if (!c)
		return;
	snprintf(meta, sizeof(meta), "%lld %lld", (long long)newest, (long long)total);
	respcache_put(c, (const char *)k, sizeof(*k), (uint64_t)k->version, req->now, KEEP_SECONDS, &it);
}

void talk_cache_init(struct app *app, int mb)
{
	if (!app->talk_cache && mb > 0)
		app->talk_cache = respcache_new((size_t)mb << 20, MAX_ENTRIES, 16);
}

void talk_cache_release(struct app *app)
{
	respcache_free(app->talk_cache);
	app->talk_cache = NULL;
}
