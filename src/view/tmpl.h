/*
 * tmpl.h - kith's logic-less template engine.
 *
 * Mustache-like syntax over jansson values, compiled once at start-up from
 * the templates embedded in the binary, rendered many times. Escaping is
 * automatic and chosen by where a tag sits in the HTML, worked out at
 * compile time:
 *
 *   {{name}}             a value, escaped for its context:
 *                          - element text: HTML-escaped (& < > " ')
 *                          - a quoted attribute value: attribute-escaped
 *                          - the start of a URL attribute (href, src,
 *                            action, formaction, cite, poster): the URL is
 *                            checked (relative, http, https, mailto, tel;
 *                            anything else, e.g. javascript:, becomes "#")
 *                            then attribute-escaped
 *                          - later in a URL attribute ("/services/{{id}}"):
 *                            percent-encoded as a path/query component
 *                        Tags are refused at compile time inside <script>,
 *                        <style>, comments, on* and style attributes,
 *                        unquoted attribute values, and tag names.
 *   {{raw_html name}}    the value unescaped; only in element text. The name
 *                        says it: the value must already be safe HTML.
 *   {{#name}}..{{/name}} a section: once per element of a non-empty array
 *                        (the element pushed as context), once for an object
 *                        (pushed), once for true, a non-empty string or a
 *                        non-zero number; skipped for false, null, missing,
 *                        "", 0 and [].
 *   {{^name}}..{{/name}} inverted: once when the section would be skipped.
 *   {{>name}}            a partial (another template), in the current
 *                        context.
 *   {{>*name}}           a partial whose template name is the value of name.
 *   {{! comment }}       nothing.
 *   {{.}}                the current context value.
 *   a.b.c                dotted names look up a, then b inside it.
 *
 * Names resolve from the innermost context outwards. Integers print in
 * decimal, reals with up to 6 significant digits, true/false as words,
 * null/missing as nothing. Standalone section, comment and partial tags
 * (alone on their line but for spaces) take their line with them, as in
 * Mustache, so templates can be indented readably.
 *
 * Limits: nesting of sections and partials at render time is bounded by
 * LIMIT_TEMPLATE_DEPTH (deeper: ERR_INTERNAL, logged); output is bounded by
 * the caller's buf maximum.
 *
 * Details of the implementation (tmpl.c) a template author meets:
 *   - Names are paths under templates/ ("home.html", "partials/nav.html",
 *     "emails/verify.txt"); partial tags use the same names.
 *   - A name ending in ".txt" is compiled in text mode (plain-text email):
 *     no HTML context, {{name}} is written unescaped, {{raw_html}} is
 *     refused. HTML and text templates cannot include each other.
 *   - Names in tags are letters, digits, '_', '-' and dots; "." alone is
 *     the current context. A section over a truthy scalar (true, "x", 3)
 *     pushes it too, so {{.}} inside prints it.
 *   - A section must end in the HTML context it started in (a section
 *     that opens a tag must close it), so one compile-time reading holds
 *     for zero, one or many renders. Sections between attributes are fine
 *     (<option{{#sel}} selected{{/sel}}>) but must hold whole attributes.
 *     A tag inside a section inside a URL attribute is never treated as
 *     the URL's start: it is percent-encoded.
 *   - A standalone partial's indentation is dropped, not applied to each
 *     of its lines.
 *   - An HTML template must end in element text (not inside a tag,
 *     comment or <script>), and partials go only in element text.
 *   - A render stops after 2^22 steps (ops plus loop iterations) with
 *     ERR_TOO_LARGE: nested loops over large arrays with empty bodies
 *     would otherwise spin without ever reaching the buf maximum.
 *   - On any render error out is truncated back to its length before the
 *     call (after ERR_TOO_LARGE its sticky error stays set).
 */
#ifndef KITH_TMPL_H
#define KITH_TMPL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"

struct tmpl_src {
	const char *name;     /* "home.html", "layout.html", "emails/verify.txt" */
	const char *text;
	size_t len;
};

struct tmpl_set;

/* Compiles every template. On a syntax or context error returns
 * ERR_INVALID and writes "name:line: what is wrong" into errbuf. Partials
 * that name a missing template are compile errors too (dynamic partials are
 * checked at render time). */
enum err tmpl_compile(const struct tmpl_src *srcs, size_t n,
		struct tmpl_set **out, char *errbuf, size_t errlen);
void tmpl_free(struct tmpl_set *set);
bool tmpl_has(const struct tmpl_set *set, const char *name);
/* The compiled templates' names in sorted order, i < tmpl_count(); for
 * tests that render every template. NULL when i is out of range. */
size_t tmpl_count(const struct tmpl_set *set);
const char *tmpl_name(const struct tmpl_set *set, size_t i);

/* Renders template name with ctx as the root context, appending to out.
 * ERR_NOT_FOUND for an unknown template (or dynamic partial), ERR_INTERNAL
 * when too deep, ERR_TOO_LARGE when out overflows its maximum. */
enum err tmpl_render(const struct tmpl_set *set, const char *name,
		const json_t *ctx, struct buf *out);

#endif
