/*
 * topic_cache_web.h - the posts of a page of a topic, kept (topic_cache_web.c).
 *
 * Most people reading a topic have nothing of their own in it: no post,
 * no "me too" or "thank you". For them its posts read the same, whoever
 * they are, but for the form token in the reaction buttons. So that part
 * of the page (talk/posts.html) is made once and kept in app->talk_cache
 * with a placeholder where the token goes, under the topic's version
 * (which goes up whenever anything a reader sees of the posts it has
 * changes: talk_topic.version), keyed on the topic, the page, the page's
 * size, how many posts it has (a new post comes after all the others,
 * so it changes only the last page) and whether the reader may reply
 * (which adds the "Quote" links). Moderators
 * and anyone with something of their own in the topic get theirs made
 * each time. A page of 500 replies was 8 ms to make and is then about
 * the cost of copying its bytes (bench/talk.sh).
 */
#ifndef KITH_TALK_TOPIC_CACHE_WEB_H
#define KITH_TALK_TOPIC_CACHE_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

struct app;
struct request;
struct talk_topic;

/* Where the form token goes in a kept page: what talk/posts.html is
 * given as csrf_token (no token has an '@'). */
#define TALK_CSRF_MARK "@@csrf@@"

/* Which kept page a request may use. */
struct talk_page_key {
	int64_t topic, version;
	int64_t shown;                /* posts on the page: a new post changes only the last page */
	int32_t page, per_page;
	char can_write, pad[7];
};

/* The kept posts of the page for key, with the reader's form token in
 * place, appended to out; *newest (the newest post's id) and *total (the
 * topic's posts). false when none is kept (or caching is off). */
bool talk_page_get(struct request *req, const struct talk_page_key *k, struct buf *out, int64_t *newest,
		int64_t *total);
/* Keeps html (made with TALK_CSRF_MARK as the token) for key. */
void talk_page_put(struct request *req, const struct talk_page_key *k, const char *html, size_t len, int64_t newest,
		int64_t total);
/* html with each TALK_CSRF_MARK replaced by token, appended to out. */
void talk_page_splice(struct buf *out, const char *html, size_t len, const char *token);

/* The feature's start and end: the cache of talk_cache_mb. */
void talk_cache_init(struct app *app, int mb);
void talk_cache_release(struct app *app);

#endif
