/*
 * fetch.c - one GET through libcurl for the feed puller (fetch.h). A fresh
 * easy handle per request keeps no state between requests (cookies,
 * credentials) that a feed could set; the connection is not reused, which
 * at one request a second costs nothing. The body goes into a capped buf
 * and the transfer is aborted past the cap; ETag and Last-Modified are
 * caught by the header callback; Retry-After comes from libcurl (seconds
 * or an HTTP date).
 */
#include "core/common.h"
#include "oruk/fetch.h"

#include <curl/curl.h>
#include <pthread.h>
#include <strings.h>

#include "core/str.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static CURLcode init_rc = CURLE_FAILED_INIT;

static void start(void)
{
	init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void fetch_result_init(struct fetch_result *r, size_t max_bytes)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, max_bytes + 1);
	r->retry_after_s = -1;
}

void fetch_result_release(struct fetch_result *r)
{
	buf_release(&r->body);
}

struct sink {
	struct fetch_result *r;
	const struct fetch_opts *o;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;

	if (s->r->body.len + n > s->o->max_bytes) {
		s->r->too_large = true;
		return 0;              /* libcurl aborts the transfer */
	}
	buf_add(&s->r->body, p, size * n);
	return buf_ok(&s->r->body) ? size * n : 0;
}

/* "ETag: value" -> value, trimmed; kept only when it fits. */
static void header_value(const char *p, size_t n, size_t skip, char *out, size_t outlen)
{
	size_t a = skip, b = n;

	while (a < b && (p[a] == ' ' || p[a] == '\t'))
		a++;
	while (b > a && (p[b - 1] == '\r' || p[b - 1] == '\n' || p[b - 1] == ' ' || p[b - 1] == '\t'))
		b--;
	if (b - a < outlen) {
		memcpy(out, p + a, b - a);
		out[b - a] = '\0';
	}
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;

	n *= size;
	/* A redirect's headers come first: start again at each status line. */
	if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		s->r->etag[0] = s->r->last_modified[0] = '\0';
	} else if (n > 5 && strncasecmp(p, "etag:", 5) == 0) {
		header_value(p, n, 5, s->r->etag, sizeof(s->r->etag));
	} else if (n > 14 && strncasecmp(p, "last-modified:", 14) == 0) {
		header_value(p, n, 14, s->r->last_modified, sizeof(s->r->last_modified));
	}
	return n;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct sink *s = arg;

	(void)dt; (void)dn; (void)ut; (void)un;
	if (s->o->stop && atomic_load(s->o->stop)) {
		s->r->stopped = true;
		return 1;
	}
	return 0;
}

enum err fetch_get(const struct fetch_opts *o, const char *url, const char *etag,
		const char *last_modified, struct fetch_result *r)
{
	struct sink s = { r, o };
	struct curl_slist *h = NULL, *more;
	char line[400];
	CURLcode rc = CURLE_OK;
	curl_off_t wait = -1;
	CURL *c;

	pthread_once(&once, start);
	if (init_rc != CURLE_OK || !(c = curl_easy_init())) {
		snprintf(r->error, sizeof(r->error), "libcurl could not start");
		return ERR_NOMEM;
	}
	h = curl_slist_append(NULL, "Accept: application/json");
	if (h && etag && etag[0]) {
		snprintf(line, sizeof(line), "If-None-Match: %s", etag);
		h = (more = curl_slist_append(h, line)) ? more : h;
	}
	if (h && last_modified && last_modified[0]) {
		snprintf(line, sizeof(line), "If-Modified-Since: %s", last_modified);
		h = (more = curl_slist_append(h, line)) ? more : h;
	}
#define SET(opt, val) if (rc == CURLE_OK) rc = curl_easy_setopt(c, opt, val)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 1L);
	SET(CURLOPT_MAXREDIRS, 5L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)o->timeout_ms);
	SET(CURLOPT_USERAGENT, o->user_agent);
	SET(CURLOPT_HTTPHEADER, h);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, &s);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, &s);
	SET(CURLOPT_XFERINFOFUNCTION, on_progress);
	SET(CURLOPT_XFERINFODATA, &s);
	SET(CURLOPT_NOPROGRESS, 0L);
#undef SET
	if (rc == CURLE_OK)
		rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
		if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &wait) == CURLE_OK && wait > 0)
			r->retry_after_s = (int64_t)wait;
	} else {
		r->status = 0;
		r->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
		if (rc == CURLE_FILESIZE_EXCEEDED)
			r->too_large = true;
		if (r->too_large)
			snprintf(r->error, sizeof(r->error), "the answer was larger than %zu bytes", o->max_bytes);
		else if (r->stopped)
			snprintf(r->error, sizeof(r->error), "kith was stopping");
		else if (r->timed_out)
			snprintf(r->error, sizeof(r->error), "no answer within %.3g seconds", o->timeout_ms / 1000.0);
		else
			snprintf(r->error, sizeof(r->error), "%s", curl_easy_strerror(rc));
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK)
		return buf_ok(&r->body) || r->too_large ? ERR_UNAVAILABLE : ERR_NOMEM;
	return buf_ok(&r->body) ? ERR_OK : ERR_NOMEM;
}
