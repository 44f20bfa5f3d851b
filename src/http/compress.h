/*
 * compress.h - gzip for dynamic responses, when the client accepts it.
 *
 * The dispatcher calls http_compress() last, once a handler has filled the
 * response: an HTML or JSON body of at least HTTP_GZIP_MIN bytes is
 * gzipped (zlib, level HTTP_GZIP_LEVEL: it is on every page's path) when
 * Accept-Encoding allows gzip, with Content-Encoding: gzip; every such body
 * also gets Vary: Accept-Encoding, compressed or not. Static bodies (the
 * assets, gzipped at build time) and bodies that already carry a
 * Content-Encoding are left alone, and so is the body of a HEAD (never
 * sent). Pages that carry a secret next to text the requester chose are
 * never compressed (BREACH: docs/THREATS.md); the caller says which.
 */
#ifndef KITH_COMPRESS_H
#define KITH_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "http/request.h"

#define HTTP_GZIP_MIN 1024
#define HTTP_GZIP_LEVEL 1

/* Whether an Accept-Encoding value (NULL when absent) accepts gzip:
 * "gzip" or "x-gzip", or failing those "*", with a q-value above zero
 * (RFC 9110 12.5.3; names and "q" case-insensitive). An explicit gzip
 * entry wins over "*"; a malformed q-value counts as a refusal. */
bool http_accepts_gzip(const char *ae);

/* The gzip of a body of content type ctype, as http_compress() would
 * send it: a malloc'd block (NUL-terminated; free it), or NULL when the
 * type or size is not worth it, it would not shrink, or zlib failed. For
 * an answer kept to be sent again (web/cached.h), gzipped once. */
unsigned char *http_gzip(const char *ctype, const void *in, size_t n, size_t *out_len);

/* Gzips resp->body in place when the request accepts it and the body is
 * worth it; adds Vary. may_compress false (a secret on the page) still
 * adds Vary but sends the body as it is. A body that would not shrink, or
 * a zlib failure, is sent as it is. resp->gz, when set, is used as the
 * gzipped body rather than gzipping it again. */
void http_compress(struct request *req, struct response *resp, bool may_compress);

#endif
