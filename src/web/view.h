/*
 * view.h (src/web/) - turns a handler's data into a response: an HTML page in the
 * site's layout, or the same data as JSON.
 *
 * A handler builds one jansson object with everything the page shows and
 * calls view_page(). If the request wants JSON (the /api/ tree, or
 * "Accept: application/json"), that object is the response body; otherwise
 * it is rendered through the named template inside the layout. So the page
 * and the API cannot drift apart.
 *
 * The layout context is:
 *   site.name, site.base_url,         from configuration
 *   site.organisation, site.contact_email (the last two may be absent)
 *   layout_page.title                 the title passed in
 *   layout_page.template              the page template's name
 *                                     (not "page": handlers use that for paging)
 *   asset.<file>                      hashed URL of each asset, the file name
 *                                     with '.' and '-' as '_' (asset.kith_css)
 *   actor                             who is signed in (absent for visitors)
 *   csrf_token                        for forms (absent without a session)
 *   data                              the handler's object
 * and the page template is rendered inside {{#data}}, so it sees its own
 * fields directly and the layout's through the context stack.
 */
#ifndef KITH_VIEW_H
#define KITH_VIEW_H

#include <jansson.h>

#include "core/arena.h"
#include "core/err.h"
#include "http/request.h"

struct tmpl_set;

/* Compiles the templates embedded in the binary (build/gen/templates.c). */
enum err view_init(struct tmpl_set **out, char *errbuf, size_t errlen);

/* Renders data (ownership taken; NULL means {}) as page tmpl titled title,
 * with the given status, or as JSON. */
enum err view_page(struct request *req, struct response *resp, int status,
		const char *tmpl, const char *title, json_t *data);
/* JSON only (ownership of data taken). */
enum err view_json(struct request *req, struct response *resp, int status,
		json_t *data);
/* The paging facts of one page of a list, for templates/partials/
 * paging.html and the JSON form alike: total, page_number, pages,
 * several_pages, from and to (1-based, when shown > 0), and prev_href and
 * next_href, which are base (ending in '?' or '&', its values already
 * encoded) with page=N added. Not "page": the layout reads page.* through
 * the context stack. */
void view_paging(struct arena *a, json_t *data, const char *base, int64_t page,
		int64_t per_page, int64_t total, size_t shown);

/* The error response for e: an HTML page in the layout, an
 * application/problem+json document (RFC 9457) for API requests, or a
 * FHIR OperationOutcome (application/fhir+json; one issue per field, the
 * field as its expression) under /fhir. detail
 * says what to fix (NULL: a generic sentence for e); fields (borrowed, may
 * be NULL) is a JSON array of {"field", "detail"} for 422. */
void view_error(struct request *req, struct response *resp, enum err e,
		const char *detail, const json_t *fields);

#endif
