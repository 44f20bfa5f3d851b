/*
 * api.h (src/web/) - what every JSON endpoint does with its query string:
 * integers with bounds, enums, true/false, text, ids, paging, and the 400
 * problem document for a value it cannot take.
 *
 * The rule, the same on every endpoint:
 *   - An empty value is an absent one: ?page= is the default page, as if
 *     page were not there. (A form left blank, or a script that fills in
 *     every name, gets the same answer everywhere.)
 *   - Of a repeated parameter the first counts (req_query()'s rule).
 *   - A value the endpoint cannot take is 400 with a problem document
 *     (view_error(): application/problem+json) whose detail names the
 *     parameter and says what it must be ("The page parameter must be a
 *     whole number from 1 to 1000000."), and whose errors list is
 *     [{"field": the parameter, "detail": the same sentence}], as a 422's
 *     fields are.
 *   - kith's own API (/api/v1) refuses a parameter it does not take, with
 *     a 400 that names it and lists those it does (API_STRICT): a typo
 *     (?per-page=5) is then an error, not a silent default. The ORUK API
 *     (/api/oruk) ignores them (API_LENIENT): ORUK 3.0's OpenAPI lists the
 *     parameters each endpoint understands and says nothing of others,
 *     and clients written against other ORUK servers send their own.
 *   - Paging: page from 1 to API_PAGE_MAX (default 1), per_page from 1 to
 *     the endpoint's maximum (default the endpoint's). A list answers with
 *     total, page, per_page, pages and, when there is such a page,
 *     prev_href and next_href (api_paging_json()).
 *
 * Path ids are not here: the router types them ({id:int} is a whole
 * number, {id:uuid} a UUID in lowercase) before a handler runs, and a
 * handler reads them with req_param().
 *
 * Reading is sticky, like a struct buf: after the first refusal every
 * later call does nothing (its output keeps the default) and returns
 * false, so a handler reads everything and checks once:
 *
 *   struct api_query q;
 *   struct api_page pg;
 *   const char *text;
 *   int role;
 *
 *   api_query_of(&q, req);
 *   api_text(&q, "q", ACCOUNT_SEARCH_MAX, &text);
 *   api_enum(&q, "role", ROLE__MAX, role_at, -1, &role);
 *   api_paging(&q, API_PER_PAGE, API_PER_PAGE_MAX, &pg);
 *   if ((e = api_done(req, &q, API_STRICT)) != ERR_OK)
 *       return e;
 *
 * Every api_* reader records the name it asked for; that list is what
 * API_STRICT allows and what its refusal lists. So the parameters an
 * endpoint takes are written once, where it reads them.
 */
#ifndef KITH_WEB_API_H
#define KITH_WEB_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/kv.h"

struct request;
struct response;

#define API_PAGE_MAX 1000000     /* page numbers, on every list */
#define API_PER_PAGE 25          /* kith's lists: the usual default page size */
#define API_PER_PAGE_MAX 100     /* ... and the usual ceiling (an endpoint may choose another) */
#define API_NAMES_MAX 24         /* parameters one endpoint reads */
#define API_DETAIL_MAX 512       /* bytes of a refusal's sentence */
#define API_ID_MAX (INT64_C(1) << 53)   /* the largest id a JSON number holds exactly */

/* One endpoint's query, as it is read. */
struct api_query {
	const struct kvlist *q;             /* the parameters (borrowed) */
	struct arena *a;                    /* for text values */
	const char *names[API_NAMES_MAX];   /* names asked for, in order */
	size_t nnames;
	const char *bad;                    /* the parameter refused, or NULL */
	char detail[API_DETAIL_MAX];        /* why, a sentence naming it */
};

/* A page of a list: page >= 1, 1 <= per_page. */
struct api_page {
	int64_t page, per_page;
};

static inline int64_t api_offset(const struct api_page *pg)
{
	return (pg->page - 1) * pg->per_page;
}

/* Reads q (borrowed; a's copies live in a). */
void api_query_init(struct api_query *aq, const struct kvlist *q, struct arena *a);
/* Reads req's query, into req's arena. */
void api_query_of(struct api_query *aq, struct request *req);

/* Whether nothing has been refused yet. */
static inline bool api_ok(const struct api_query *aq)
{
	return aq->bad == NULL;
}

/* The value of name, or NULL when it is absent or empty (or after a
 * refusal). Records name as one the endpoint takes. For a parameter with
 * a check of its own: read it with this, refuse it with api_refuse(). */
const char *api_value(struct api_query *aq, const char *name);
/* Refuses name (the first refusal only; later ones are dropped), with a
 * sentence that names it. Returns false, for "return api_refuse(...)". */
bool api_refuse(struct api_query *aq, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A whole number in [min, max]; def when absent. */
bool api_int(struct api_query *aq, const char *name, int64_t min, int64_t max, int64_t def,
		int64_t *out);
/* true, false (any case), 1 or 0; def when absent. */
bool api_bool(struct api_query *aq, const char *name, bool def, bool *out);
/* One of n names: *out is i where name_of(i) equals the value (exactly),
 * def when absent. The refusal lists name_of(0 .. n-1). */
bool api_enum(struct api_query *aq, const char *name, int n, const char *(*name_of)(int),
		int def, int *out);
/* Text of at most max characters (UTF-8 code points), trimmed of spaces
 * and tabs (an arena copy); NULL when absent or blank. */
bool api_text(struct api_query *aq, const char *name, size_t max, const char **out);
/* A record's id: a whole number from 1 to API_ID_MAX; 0 when absent. */
bool api_id(struct api_query *aq, const char *name, int64_t *out);
/* A UUID, lowercased into out; "" when absent. */
bool api_uuid(struct api_query *aq, const char *name, char out[37]);
/* page (1 .. API_PAGE_MAX, default 1) and per_page (1 .. per_page_max,
 * default per_page_def). */
bool api_paging(struct api_query *aq, int64_t per_page_def, int64_t per_page_max,
		struct api_page *out);

enum api_others {
	API_STRICT,     /* a parameter nobody asked for is refused (kith's /api/v1) */
	API_LENIENT,    /* it is ignored (ORUK) */
};

/* After the last reader: with API_STRICT refuses the first parameter
 * given that no reader asked for, naming it and listing those asked for.
 * Then ERR_OK, or api_fail()'s 400 for the refusal. */
enum err api_done(struct request *req, struct api_query *aq, enum api_others others);
/* For an endpoint that takes no parameters: api_done(API_STRICT) on
 * req's query. */
enum err api_none(struct request *req);
/* The refusal as req's error: a 400 problem document whose detail is
 * aq->detail and whose errors are [{field: aq->bad, detail}]. Returns
 * ERR_BAD_REQUEST (ERR_OK when nothing was refused). */
enum err api_fail(struct request *req, const struct api_query *aq);

/* Answers 200 with {key: items, and the paging below}; takes items. */
enum err api_send_page(struct request *req, struct response *resp, const char *path,
		const char *key, json_t *items, const struct api_page *pg, int64_t total);
/* Adds a list's paging to data: total, page, per_page, pages (at least
 * 1), and prev_href and next_href when there is such a page: path, then
 * the request's own non-empty parameters but page (as sent, encoded
 * again), then page=N. Call once the query has been accepted. */
void api_paging_json(struct request *req, json_t *data, const char *path,
		const struct api_page *pg, int64_t total);

#endif
