/*
 * topic_cache_web.c - the posts of a page of a topic, kept (topic_cache_web.h).
 */
#include "core/common.h"
#include "talk/topic_cache_web.h"

#include "core/str.h"

#include "app/app.h"
#include "http/request.h"
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

/* A kept page is stored as the places the token goes, then the HTML
 * without the placeholders: n (4 bytes), n offsets (4 bytes each, into
 * the HTML, ascending), the HTML. Giving it is then copies between the
 * places, with no search through a megabyte for the placeholder. */
#define MARKS_MAX 65536

bool talk_page_get(struct request *req, const struct talk_page_key *k, struct buf *out, int64_t *newest,
		int64_t *total)
{
	struct respcache *c = req->app->talk_cache;
	const struct respcache_item *it;
	const char *token = req->actor && req->actor->csrf_token ? req->actor->csrf_token : "";
	int64_t n = 0, t = 0;
	uint32_t marks, off, at = 0;
	const char *sp, *html;
	size_t hlen, tl = strlen(token);
	bool ok;

	if (!c || !(it = respcache_get(c, (const char *)k, sizeof(*k), (uint64_t)k->version, req->now)))
		return false;
	sp = it->hdr_val ? strchr(it->hdr_val, ' ') : NULL;
	ok = sp && str_to_i64((struct str){ it->hdr_val, (size_t)(sp - it->hdr_val) }, 0, INT64_MAX, &n) &&
	     str_to_i64(str_c(sp + 1), 0, INT64_MAX, &t) && it->len >= 4;
	if (ok) {
		memcpy(&marks, it->body, 4);
		ok = marks <= MARKS_MAX && it->len >= 4 + 4 * (size_t)marks;
	}
	if (ok) {
		html = it->body + 4 + 4 * (size_t)marks;
		hlen = it->len - 4 - 4 * (size_t)marks;
		buf_grow(out, hlen + (size_t)marks * tl);
		for (uint32_t i = 0; ok && i < marks; i++) {
			memcpy(&off, it->body + 4 + 4 * (size_t)i, 4);
			ok = off >= at && off <= hlen;
			if (ok) {
				buf_add(out, html + at, off - at);
				buf_add(out, token, tl);
				at = off;
			}
		}
		if (ok)
			buf_add(out, html + at, hlen - at);
		*newest = n;
		*total = t;
	}
	respcache_release(it);
	return ok && buf_ok(out);
}

void talk_page_put(struct request *req, const struct talk_page_key *k, const char *html, size_t len, int64_t newest,
		int64_t total)
{
	static const char mark[] = TALK_CSRF_MARK;
	const size_t ml = sizeof(mark) - 1;
	struct respcache *c = req->app->talk_cache;
	struct buf offs, text;
	const char *p = html, *end = html + len, *m;
	uint32_t n = 0, off;
	char meta[48];
	struct respcache_item it = { .status = 200, .content_type = "text/html", .hdr_name = "x-talk-page",
				     .hdr_val = meta };

	if (!c || len > UINT32_MAX)
		return;
	buf_init(&offs, len + 4 * (size_t)MARKS_MAX + 4);
	buf_init(&text, len + 1);
	buf_add(&offs, &n, 4);
	while (p < end && (m = memmem(p, (size_t)(end - p), mark, ml)) != NULL && n < MARKS_MAX) {
		buf_add(&text, p, (size_t)(m - p));
		off = (uint32_t)text.len;
		buf_add(&offs, &off, 4);
		n++;
		p = m + ml;
	}
	buf_add(&text, p, (size_t)(end - p));
	memcpy(offs.p, &n, 4);
	buf_add(&offs, text.p, text.len);
	if (buf_ok(&offs) && buf_ok(&text)) {
		snprintf(meta, sizeof(meta), "%lld %lld", (long long)newest, (long long)total);
		it.body = offs.p;
		it.len = offs.len;
		respcache_put(c, (const char *)k, sizeof(*k), (uint64_t)k->version, req->now, KEEP_SECONDS, &it);
	}
	buf_release(&offs);
	buf_release(&text);
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
