/*
 * compress.c - Accept-Encoding and gzip for dynamic bodies (compress.h).
 */
#include "core/common.h"

#include <zlib.h>

#include "http/compress.h"

static bool is_ows(char c) { return c == ' ' || c == '\t'; }

static bool name_is(const char *p, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(p, want, n) == 0;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) in
 * thousandths; -1 when malformed. */
static int qvalue(const char *p, size_t n)
{
	int v, digits = 0;

	if (n == 0 || (p[0] != '0' && p[0] != '1'))
		return -1;
	v = (p[0] - '0') * 1000;
	if (n == 1)
		return v;
	if (p[1] != '.' || n > 5)
		return -1;
	for (size_t i = 2; i < n; i++) {
		if (p[i] < '0' || p[i] > '9' || (v == 1000 && p[i] != '0'))
			return -1;
		v += (p[i] - '0') * (digits == 0 ? 100 : digits == 1 ? 10 : 1);
		digits++;
	}
	return v;
}

/* The weight of one element "coding *( OWS ; OWS param )": 1000 without a
 * q parameter, -1 when a q is malformed. */
static int element_weight(const char *p, size_t n)
{
	int q = 1000;

	while (n) {
		const char *semi = memchr(p, ';', n), *s, *e;

		if (!semi)
			break;
		n -= (size_t)(semi + 1 - p);
		p = semi + 1;
		s = p;
		e = memchr(p, ';', n);
		if (!e)
			e = p + n;
		while (s < e && is_ows(*s))
			s++;
		while (e > s && is_ows(e[-1]))
			e--;
		if (e - s >= 2 && (s[0] == 'q' || s[0] == 'Q') && s[1] == '=')
			q = qvalue(s + 2, (size_t)(e - s - 2));
		if (q < 0)
			return -1;
	}
	return q;
}

bool http_accepts_gzip(const char *ae)
{
	int gzip = -2, star = -2;  /* -2: not named */

	if (!ae)
		return false;
	for (const char *p = ae; *p;) {
		const char *comma = strchr(p, ','), *e = comma ? comma : p + strlen(p);
		const char *s = p, *ne;
		int w;

		while (s < e && is_ows(*s))
			s++;
		ne = s;
		while (ne < e && *ne != ';' && !is_ows(*ne))
			ne++;
		if (ne > s) {
			w = element_weight(ne, (size_t)(e - ne));
			if (name_is(s, (size_t)(ne - s), "gzip") || name_is(s, (size_t)(ne - s), "x-gzip")) {
				/* Named twice: the lower weight holds. */
				if (gzip == -2 || w < gzip)
					gzip = w;
			} else if (name_is(s, (size_t)(ne - s), "*")) {
				if (star == -2 || w < star)
					star = w;
			}
		}
		p = comma ? comma + 1 : e;
	}
	if (gzip != -2)
		return gzip > 0;
	return star > 0;
}

static bool compressible(const char *ctype)
{
	size_t n;

	if (!ctype)
		return false;
	n = strcspn(ctype, ";");
	while (n && is_ows(ctype[n - 1]))
		n--;
	if (n > 5 && strncasecmp(ctype, "text/", 5) == 0)
		return true;
	if (name_is(ctype, n, "application/json") || name_is(ctype, n, "application/javascript") ||
	    name_is(ctype, n, "application/xml"))
		return true;
	/* application/problem+json, application/fhir+json, ... */
	return n > 17 && strncasecmp(ctype, "application/", 12) == 0 &&
	       (strncasecmp(ctype + n - 5, "+json", 5) == 0 || strncasecmp(ctype + n - 4, "+xml", 4) == 0);
}

static void add_vary(struct request *req, struct response *resp)
{
	for (size_t i = 0; i < resp->nheaders; i++) {
		const char *v;

		if (strcasecmp(resp->headers[i].name, "Vary") != 0)
			continue;
		v = resp->headers[i].val;
		if (strcasestr(v, "Accept-Encoding") || strcmp(v, "*") == 0)
			return;
		v = arena_printf(&req->arena, "%s, Accept-Encoding", v);
		if (v)
			resp->headers[i].val = v;
		return;
	}
	resp_header(resp, "Vary", "Accept-Encoding");
}

/* A strong ETag names the bytes sent: the gzipped body is other bytes,
 * so its tag becomes weak (W/"..."). If-None-Match compares weakly, so a
 * browser still gets its 304 for either form (respcache.c). */
static void weaken_etag(struct request *req, struct response *resp)
{
	for (size_t i = 0; i < resp->nheaders; i++) {
		const char *v = resp->headers[i].val, *w;

		if (strcasecmp(resp->headers[i].name, "ETag") != 0 || !v || strncmp(v, "W/", 2) == 0)
			continue;
		if ((w = arena_printf(&req->arena, "W/%s", v)) != NULL)
			resp->headers[i].val = w;
	}
}

/* gzip of in[0..n) into a new malloc'd block; NULL when it fails or does
 * not shrink. */
static unsigned char *gzip_bytes(const void *in, size_t n, size_t *out_len)
{
	z_stream z;
	unsigned char *out;
	uLong cap;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, HTTP_GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	cap = deflateBound(&z, (uLong)n);
	if (!(out = malloc(cap + 1))) {
		deflateEnd(&z);
		return NULL;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END || z.total_out >= n) {
		deflateEnd(&z);
		free(out);
		return NULL;
	}
	*out_len = z.total_out;
	deflateEnd(&z);
	out[*out_len] = '\0';
	return out;
}

static bool worth_it(const char *ctype, size_t n)
{
	return n >= HTTP_GZIP_MIN && n <= UINT32_MAX && compressible(ctype);
}

unsigned char *http_gzip(const char *ctype, const void *in, size_t n, size_t *out_len)
{
	return worth_it(ctype, n) ? gzip_bytes(in, n, out_len) : NULL;
}

void http_compress(struct request *req, struct response *resp, bool may_compress)
{
	unsigned char *gz;
	size_t n;

	if (resp->static_body || resp->status == 204 || resp->status == 304 ||
	    !buf_ok(&resp->body) || !worth_it(resp->content_type, resp->body.len) ||
	    resp_get_header(resp, "Content-Encoding"))
		return;
	add_vary(req, resp);
	/* A HEAD's body is never sent: answer its headers as for identity. */
	if (!may_compress || req->is_head || !http_accepts_gzip(req_header(req, "Accept-Encoding")))
		return;
	if (resp->gz) {
		/* Made once, kept beside the plain bytes (web/cached.c). */
		buf_reset(&resp->body);
		buf_add(&resp->body, resp->gz, resp->gz_len);
		if (!buf_ok(&resp->body))
			return;
		resp_header(resp, "Content-Encoding", "gzip");
		weaken_etag(req, resp);
		return;
	}
	if (!(gz = gzip_bytes(resp->body.p, resp->body.len, &n)))
		return;
	/* The gzip block becomes the body's storage (NUL-terminated, as a
	 * buf's always is). */
	buf_release(&resp->body);
	resp->body.p = (char *)gz;
	resp->body.len = n;
	resp->body.cap = n + 1;
	resp_header(resp, "Content-Encoding", "gzip");
	weaken_etag(req, resp);
}
