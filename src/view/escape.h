/*
 * escape.h - output escapers, one per context. Used by the template engine
 * and by the few places that write HTML or URLs by hand.
 */
#ifndef KITH_ESCAPE_H
#define KITH_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* & < > " ' as entities: safe in element text and quoted attributes. */
void esc_html(struct buf *b, const char *p, size_t n);
/* Percent-encodes everything but RFC 3986 unreserved characters. */
void esc_url_component(struct buf *b, const char *p, size_t n);
/* True for a URL safe to put in href/src: relative (starts with '/', '?',
 * '#', '.' or has no scheme), or scheme http, https, mailto or tel (case
 * insensitive, ignoring leading spaces and control characters the way
 * browsers do). False for "//host" (protocol-relative), javascript:,
 * data:, vbscript: and anything else. */
bool url_is_safe(const char *p, size_t n);

#endif
