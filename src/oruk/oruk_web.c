/*
 * oruk_web.c - the directory as an Open Referral UK 3.0 API under
 * /api/oruk, for councils and other systems: services, where they happen,
 * organisations and taxonomies, in the UK standard.
 *
 * Public and read-only (&act_public, CORS "*"): only what the directory
 * publishes (published services not hidden as stale) and nothing about
 * people: the stored documents already leave out contacts' names, titles
 * and emails and the assurer's email (oruk.h), and nothing here reads a
 * person or audit table.
 *
 * The hot path (a search on /services) never parses a document: the
 * search index finds the page's ids, one statement fetches their stored
 * flat (or full) JSON and their organisation's JSON, and the response is
 * those strings spliced into the paginated envelope: the organisation goes
 * in just before a service's closing brace. Lists that are not hot
 * (organisations, taxonomies) are built with jansson.
 *
 * Parameters are parsed by oruk_params_parse() (fuzz/fuzz_oruk_params.c)
 * with web/api.h's readers, so they follow every API's rule: an empty
 * value is absent, a bad one is a 400 problem document naming the
 * parameter. Unlike kith's own /api/v1, a parameter ORUK does not list is
 * ignored (the OpenAPI file says nothing of others, and clients written
 * for other ORUK servers send their own). Pages: page (from 1), per_page (1..100, default
 * 50; up to 1,000 with format=ndjson, whose default is 1,000, or with
 * minimal=true). format=ndjson answers one object per line
 * (application/x-ndjson) for the same page, with the total in
 * X-Total-Count. minimal=true lists id, name, status and last_modified
 * (ORUK's list schema requires name and status). Sorting: by relevance
 * with search words, by distance with a postcode, else by name.
 */
#include "core/common.h"
#include "app/app.h"
#include "app/features.h"
#include "core/buf.h"
#include "core/embedded.h"
#include "core/timeutil.h"
#include "directory/directory.h"
#include "directory/directory_feature.h"
#include "directory/directory_db.h"
#include "http/request.h"
#include "oruk/oruk.h"
#include "oruk/oruk_feature.h"
#include "oruk/oruk_web.h"
#include "search/postcode.h"
#include "search/search.h"
#include "core/str.h"
#include "app/config.h"
#include "store/store.h"
#include "web/api.h"
#include "web/cached.h"
#include "web/respcache.h"
#include "web/view.h"

#include <ctype.h>
#include <math.h>

/* Services a /service_at_locations search looks through at most. */
#define SAL_SCAN_MAX 10000

/* ---------------------------------------------------------------- parameters */

static const char *format_at(int i)
{
	static const char *const formats[] = { "json", "ndjson" };

	return formats[i];
}

enum err oruk_params_parse(struct api_query *q, unsigned accept, struct oruk_params *out)
{
	struct api_page pg;
	const char *v;
	int format = 0;

	memset(out, 0, sizeof(*out));
	out->page = 1;
	if (accept & OP_FORMAT)
		api_enum(q, "format", 2, format_at, 0, &format);
	out->ndjson = format == 1;
	if (accept & OP_MINIMAL)
		api_bool(q, "minimal", false, &out->minimal);
	if (accept & OP_FULL)
		api_bool(q, "full", false, &out->full);
	if (accept & OP_FULL_SERVICE)
		api_bool(q, "full_service", false, &out->full_service);
	if (accept & OP_TOP_ONLY)
		api_bool(q, "top_only", false, &out->top_only);
	if (accept & OP_PAGE) {
		bool lines = out->ndjson || out->minimal;

		api_paging(q, out->ndjson ? ORUK_PER_PAGE_MAX_LINES : ORUK_PER_PAGE_DEFAULT,
			   lines ? ORUK_PER_PAGE_MAX_LINES : ORUK_PER_PAGE_MAX, &pg);
		out->page = pg.page;
		out->per_page = pg.per_page;
		out->per_page_given = api_value(q, "per_page") != NULL;
	}
	if (accept & OP_SEARCH)
		api_text(q, "search", ORUK_SEARCH_MAX, &out->search);
	if (accept & OP_TAXONOMY_TERM)
		api_uuid(q, "taxonomy_term_id", out->taxonomy_term_id);
	if (accept & OP_TAXONOMY)
		api_uuid(q, "taxonomy_id", out->taxonomy_id);
	if (accept & OP_ORGANIZATION)
		api_uuid(q, "organization_id", out->organization_id);
	if (accept & OP_PARENT)
		api_uuid(q, "parent_id", out->parent_id);
	if ((accept & OP_MODIFIED_AFTER) && (v = api_value(q, "modified_after"))) {
		if (oruk_parse_datetime(v, &out->modified_after))
			out->has_modified_after = true;
		else
			api_refuse(q, "modified_after", "The modified_after parameter must be a date like "
				   "2026-11-24 or a date and time like 2026-11-24T10:00:00Z.");
	}
	if (accept & OP_POSTCODE) {
		const char *pv = api_value(q, "postcode"), *prox = api_value(q, "proximity");

		if (pv) {
			struct postcode_place pl;
			const char *pwhy = NULL;
			enum err e = postcode_locate(pv, &pl, &pwhy);

			if (e == ERR_INVALID || e == ERR_NOT_FOUND)
				return api_refuse(q, "postcode", "%s", pwhy ? pwhy : "The postcode parameter "
						  "must be a UK postcode, like DN15 6XX."), ERR_BAD_REQUEST;
			if (e)
				return e;
			out->near = true;
			out->lat = pl.lat;
			out->lon = pl.lon;
			memcpy(out->postcode, pl.normal, sizeof(out->postcode));
		}
		if (prox) {
			char *end;
			double d;

			errno = 0;
			d = strtod(prox, &end);
			if (*end || errno || !isfinite(d) || d < 1 || d > ORUK_PROXIMITY_MAX)
				api_refuse(q, "proximity", "The proximity parameter must be a distance in "
					   "metres from 1 to 1000000.");
			else if (!pv)
				api_refuse(q, "proximity", "The proximity parameter needs a postcode to "
					   "measure from.");
			else
				out->proximity_m = d;
		}
	}
	return api_ok(q) ? ERR_OK : ERR_BAD_REQUEST;
}

/* ---------------------------------------------------------------- responses */

/* ORUK's parameters (OpenAPI 3.0) are read leniently: one it does not
 * list is ignored, as other ORUK servers do. */
static enum err parse(struct request *req, unsigned accept, struct oruk_params *p)
{
	struct api_query q;
	enum err e;

	api_query_of(&q, req);
	e = oruk_params_parse(&q, accept, p);
	return e == ERR_BAD_REQUEST ? api_done(req, &q, API_LENIENT) : e;
}

/* obj (a JSON object's text) with "organization": org before its last
 * brace. */
static void splice_org(struct buf *b, const char *obj, size_t n, const char *org, size_t on)
{
	while (n && obj[n - 1] != '}')
		n--;
	if (!n || !org) {
		buf_add(b, obj, n);
		return;
	}
	buf_add(b, obj, n - 1);
	if (n > 2)
		buf_addc(b, ',');
	buf_adds(b, "\"organization\":");
	buf_add(b, org, on);
	buf_addc(b, '}');
}

struct page {
	int64_t total, page, per_page;
	size_t size;
	bool ndjson;
};

static void envelope_open(struct buf *b, const struct page *pg)
{
	int64_t pages = pg->total ? (pg->total + pg->per_page - 1) / pg->per_page : 0;

	if (pg->ndjson)
		return;
	buf_addf(b, "{\"total_items\":%lld,\"total_pages\":%lld,\"page_number\":%lld,\"size\":%zu,"
		 "\"first_page\":%s,\"last_page\":%s,\"empty\":%s,\"contents\":[",
		 (long long)pg->total, (long long)pages, (long long)pg->page, pg->size,
		 pg->page == 1 ? "true" : "false", pg->page >= pages ? "true" : "false",
		 pg->size == 0 ? "true" : "false");
}

/* Between items: a comma in a list, a line break in ndjson. */
static void item_sep(struct buf *b, const struct page *pg, size_t i)
{
	if (!pg->ndjson && i)
		buf_addc(b, ',');
}

static void item_end(struct buf *b, const struct page *pg)
{
	if (pg->ndjson)
		buf_addc(b, '\n');
}

/* One item of a list, dumped in ORUK's member order (o is released). */
static enum err item_json(struct buf *b, const struct page *pg, size_t i, json_t *o)
{
	char *s = o ? oruk_dump(o, NULL) : NULL;

	json_decref(o);
	if (!s)
		return ERR_NOMEM;
	item_sep(b, pg, i);
	buf_adds(b, s);
	item_end(b, pg);
	free(s);
	return ERR_OK;
}

static enum err finish(struct request *req, struct response *resp, const struct page *pg)
{
	struct buf *b = &resp->body;

	if (!pg->ndjson)
		buf_adds(b, "]}");
	if (!buf_ok(b))
		return req_fail(req, ERR_BAD_REQUEST, "This page is larger than 8 MiB: ask for fewer with per_page.");
	resp->status = 200;
	resp->content_type = pg->ndjson ? "application/x-ndjson" : "application/json";
	if (pg->ndjson)
		resp_header(resp, "X-Total-Count", arena_printf(&req->arena, "%lld", (long long)pg->total));
	return ERR_OK;
}

static enum err send_json(struct request *req, struct response *resp, json_t *j)
{
	char *s;
	enum err e = ERR_OK;

	if (!j)
		return ERR_NOMEM;
	s = oruk_dump(j, NULL);
	json_decref(j);
	if (!s)
		return ERR_NOMEM;
	resp_text(resp, 200, "application/json", s, strlen(s));
	if (!buf_ok(&resp->body))
		e = req_fail(req, ERR_BAD_REQUEST, "This page is larger than 8 MiB: ask for fewer with per_page.");
	free(s);
	return e;
}

static void set_opt(json_t *o, const char *k, const char *v)
{
	if (v && v[0])
		json_object_set_new(o, k, json_string(v));
}

/* ---------------------------------------------------------------- the answer cache
 *
 * A list or search of services, and one service, is kept as the finished
 * bytes (app->oruk_cache, respcache.h), keyed on the parameters as parsed
 * (so "?search=walking&per_page=10" and "?per_page=10&search=walking&x=1"
 * share an entry, and a request refused as bad never makes one) and on
 * the search index's version: every publish, edit, archive, hide or
 * import reaches the index (directory_apply_changes, in the same request
 * for changes made here, within directory_sync seconds for other
 * processes') and changes its version, which leaves every older entry
 * unreachable. oruk_cache_seconds bounds what the version does not see:
 * an organisation's document changed without a service changing (a
 * claimed organisation's email). Nothing here depends on who asks: the
 * routes are public and never read the actor.
 *
 * Every such answer has a strong ETag (a hash of its bytes), and an
 * If-None-Match naming it is answered 304 without a body. */

static const struct oruk_settings *oruk_cfg(const struct app *app)
{
	return app->cfg ? SETTINGS_OF(app->cfg, struct oruk_settings, oruk_settings) : NULL;
}

/* The key of a services list: every parsed value the answer depends on,
 * as bytes (fixed-width fields, then the search words), without
 * formatting numbers (printing doubles cost more than the rest of a
 * cached answer). */
#define KEY_PUT(at, v) (memcpy((at), &(v), sizeof(v)), (at) += sizeof(v))
#define LIST_KEY_FIXED (1 + 5 + 3 * sizeof(int64_t) + 3 * 37 + 3 * sizeof(double))

static const char *list_key(struct request *req, const struct oruk_params *p, size_t *klen)
{
	size_t sn = p->search ? strlen(p->search) : 0;
	char *out = arena_alloc(&req->arena, LIST_KEY_FIXED + sn), *at = out;
	int64_t since = p->has_modified_after ? p->modified_after : 0;
	double lat = p->near ? p->lat : 0, lon = p->near ? p->lon : 0, prox = p->near ? p->proximity_m : 0;

	if (!out)
		return NULL;
	*at++ = 'L';
	*at++ = p->ndjson ? 'n' : 'j';
	*at++ = p->minimal ? 'm' : '-';
	*at++ = p->full ? 'f' : '-';
	*at++ = p->has_modified_after ? 'a' : '-';
	*at++ = p->near ? 'p' : '-';
	KEY_PUT(at, p->page);
	KEY_PUT(at, p->per_page);
	KEY_PUT(at, since);
	memcpy(at, p->taxonomy_term_id, 37);     /* NUL-padded: memset by the parser */
	memcpy(at + 37, p->taxonomy_id, 37);
	memcpy(at + 74, p->organization_id, 37);
	at += 111;
	KEY_PUT(at, lat);
	KEY_PUT(at, lon);
	KEY_PUT(at, prox);
	if (sn)
		memcpy(at, p->search, sn);
	*klen = (size_t)(at - out) + sn;
	return out;
}

/* This request's handle on the cache, its version read before anything
 * else is (see search_version()); the caller sets the key. Every answer,
 * kept or not, gets its ETag. */
static struct cached oruk_cached(struct request *req)
{
	const struct oruk_settings *os = oruk_cfg(req->app);
	struct cached c = { .flags = CACHED_ETAG, .keep_header = "X-Total-Count" };

	if (req->app->oruk_cache && os && directory_index(req->app)) {
		c.cache = req->app->oruk_cache;
		c.version = search_version(directory_index(req->app));
		c.ttl_s = os->oruk_cache_seconds;
	}
	return c;
}

/* ---------------------------------------------------------------- / and openapi.json */

static enum err api_root(struct request *req, struct response *resp)
{
	const char *base = req->app->cfg->base_url;

	return send_json(req, resp, json_pack("{s:s, s:s, s:o}", "version", "HSDS-UK-3.0",
		"profile", "https://openreferraluk.org/specifications/3.0/",
		"openapi_url", json_sprintf("%s/api/oruk/openapi.json", base)));
}

static enum err api_openapi(struct request *req, struct response *resp)
{
	const struct embedded_file *f = embedded_find(embedded_data, embedded_data_n, "oruk/3.0/openapi.json");
	json_t *spec;
	char url[CONFIG_STR + 16];

	if (!f)
		return ERR_NOT_FOUND;
	spec = json_loadb((const char *)f->data, f->len, 0, NULL);
	if (!spec)
		return ERR_INTERNAL;
	snprintf(url, sizeof(url), "%s/api/oruk", req->app->cfg->base_url);
	json_object_set_new(spec, "servers", json_pack("[{s:s, s:s}]", "url", url,
		"description", req->app->cfg->site_name));
	return send_json(req, resp, spec);
}

/* ---------------------------------------------------------------- services */

static enum err run_search(struct request *req, const struct oruk_params *p, size_t offset, size_t limit,
		struct search_result *res)
{
	struct search_index *ix = directory_index(req->app);
	struct search_query q;

	if (!ix)
		return req_fail(req, ERR_UNAVAILABLE, "The directory is starting up. Try again in a minute.");
	memset(&q, 0, sizeof(q));
	q.text = p->search;
	q.term_id = p->taxonomy_term_id[0] ? p->taxonomy_term_id : NULL;
	q.taxonomy_id = p->taxonomy_id[0] ? p->taxonomy_id : NULL;
	q.org_id = p->organization_id[0] ? p->organization_id : NULL;
	/* ORUK: "modified on or after"; the index's filter is "after". */
	q.modified_after = p->has_modified_after ? p->modified_after - 1 : 0;
	if (p->near) {
		q.near = true;
		q.lat = p->lat;
		q.lon = p->lon;
		q.radius_m = p->proximity_m;
	}
	q.sort = p->near ? SORT_DISTANCE : p->search ? SORT_RELEVANCE : SORT_NAME;
	q.now = req->now;
	q.offset = offset;
	q.limit = limit;
	q.no_next = true;
	return search_run(ix, &q, &req->arena, res);
}

static enum err services_page(struct request *req, struct response *resp, const struct oruk_params *pp)
{
	const struct oruk_params p = *pp;
	struct search_result res;
	struct dir_api_service *rows;
	const char **ids;
	struct page pg;
	struct buf *b = &resp->body;
	size_t offset, k = 0;
	enum err e;

	offset = (size_t)((p.page - 1) * p.per_page);
	if ((e = run_search(req, &p, offset, (size_t)p.per_page, &res)) != ERR_OK)
		return e;
	rows = arena_calloc(&req->arena, res.n ? res.n : 1, sizeof(*rows));
	ids = arena_calloc(&req->arena, res.n ? res.n : 1, sizeof(*ids));
	if (!rows || !ids)
		return ERR_NOMEM;
	for (size_t i = 0; i < res.n; i++)
		ids[i] = res.hits[i].id;
	if ((e = dir_db_api_services(req->db, &req->arena, ids, res.n, p.minimal ? DIR_API_MINIMAL
				     : p.full ? DIR_API_FULL : DIR_API_FLAT, rows)) != ERR_OK)
		return e;
	pg = (struct page){ .total = (int64_t)res.total, .page = p.page, .per_page = p.per_page,
			    .ndjson = p.ndjson };
	size_t bytes = 256;

	for (size_t i = 0; i < res.n; i++)
		if (rows[i].found) {
			pg.size++;
			bytes += rows[i].json_len + rows[i].org_len + 32;
		}
	buf_reset(b);
	buf_grow(b, bytes);      /* one allocation for the page, not a doubling series */
	envelope_open(b, &pg);
	for (size_t i = 0; i < res.n; i++) {
		const struct dir_api_service *r = &rows[i];

		/* Hidden or archived since the index saw it: left out. */
		if (!r->found)
			continue;
		item_sep(b, &pg, k++);
		if (p.minimal) {
			char dt[21];

			oruk_format_datetime(r->modified, dt);
			buf_addf(b, "{\"id\":\"%s\",\"name\":", ids[i]);
			{
				json_t *nm = json_string(r->name);
				char *s = nm ? json_dumps(nm, JSON_ENCODE_ANY) : NULL;

				buf_adds(b, s ? s : "\"\"");
				free(s);
				json_decref(nm);
			}
			buf_addf(b, ",\"status\":\"%s\",\"last_modified\":\"%s\"}", r->status, dt);
		} else {
			splice_org(b, r->json, r->json_len, r->org, r->org_len);
		}
		item_end(b, &pg);
	}
	return finish(req, resp, &pg);
}

static enum err services_list(struct request *req, struct response *resp)
{
	struct oruk_params p;
	struct cached c;
	enum err e;

	if ((e = parse(req, OP_SEARCH | OP_PAGE | OP_FORMAT | OP_TAXONOMY_TERM | OP_TAXONOMY |
		       OP_ORGANIZATION | OP_MODIFIED_AFTER | OP_MINIMAL | OP_FULL | OP_POSTCODE, &p)) != ERR_OK)
		return e;
	c = oruk_cached(req);
	if (c.cache) {
		c.key = list_key(req, &p, &c.klen);
		if (cached_answer(req, resp, &c))
			return ERR_OK;
	}
	return cached_keep(req, resp, services_page(req, resp, &p), &c);
}

static enum err service_doc(struct request *req, struct response *resp)
{
	const struct param *id = req_param(req, "id");
	const char *lid = id->val;
	struct dir_rows r;
	enum err e;

	if ((e = dir_db_api_service(req->db, &req->arena, lid, &r)) != ERR_OK)
		return e;
	if (!r.n)
		return req_fail(req, ERR_NOT_FOUND, "No published service has this id.");
	buf_reset(&resp->body);
	splice_org(&resp->body, DIR_ROW(&r, 0, 0), strlen(DIR_ROW(&r, 0, 0)), DIR_ROW(&r, 0, 1),
		   DIR_ROW(&r, 0, 1) ? strlen(DIR_ROW(&r, 0, 1)) : 0);
	resp->status = 200;
	resp->content_type = "application/json";
	return buf_ok(&resp->body) ? ERR_OK : ERR_NOMEM;
}

/* One service: cached like a list, on the same version (a change to it
 * reaches the index too). */
static enum err service_one(struct request *req, struct response *resp)
{
	struct cached c = oruk_cached(req);

	if (c.cache) {
		/* Ids are matched whatever their case: one entry for both. */
		char *k = arena_printf(&req->arena, "S|%s", req_param(req, "id")->val);

		for (char *at = k; at && *at; at++)
			*at = (char)tolower((unsigned char)*at);
		c.key = k;
		c.klen = k ? strlen(k) : 0;
		if (cached_answer(req, resp, &c))
			return ERR_OK;
	}
	return cached_keep(req, resp, service_doc(req, resp), &c);
}

/* ---------------------------------------------------------------- service_at_locations */

/* {...sal doc, "service": {...flat, "organization": {...}}}. */
static void sal_full(struct buf *b, const char *sal, const char *flat, const char *org)
{
	size_t n = strlen(sal);

	while (n && sal[n - 1] != '}')
		n--;
	if (!n) {
		buf_adds(b, "{}");
		return;
	}
	buf_add(b, sal, n - 1);
	if (flat) {
		buf_adds(b, n > 2 ? ",\"service\":" : "\"service\":");
		splice_org(b, flat, strlen(flat), org, org ? strlen(org) : 0);
	}
	buf_addc(b, '}');
}

struct sal_hit {
	const char *id, *service_id, *location_id;
	double distance;
	size_t rank;
};

static int sal_cmp(const void *a, const void *b)
{
	const struct sal_hit *x = a, *y = b;

	if (x->distance != y->distance)
		return x->distance < y->distance ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* The places of the services a search finds, in the search's order (or
 * by their own distance from the postcode). */
static enum err sal_search(struct request *req, const struct oruk_params *p, struct sal_hit **out,
		size_t *n)
{
	size_t nsids = 0, cap = 1024, hn = 0, hcap = 0;
	const char **sids = arena_calloc(&req->arena, cap, sizeof(*sids));
	struct sal_hit *hits = NULL;
	struct search_result res;
	struct oruk_params sp = *p;
	enum err e;

	/* Distance is measured per place below; the search only narrows. */
	sp.proximity_m = p->proximity_m ? p->proximity_m : 0;
	if (!sids)
		return ERR_NOMEM;
	for (size_t off = 0; off < SAL_SCAN_MAX; off += 1000) {
		if ((e = run_search(req, &sp, off, 1000, &res)) != ERR_OK)
			return e;
		if (nsids + res.n > cap) {
			size_t ncap = cap * 2;
			const char **bigger;

			while (ncap < nsids + res.n)
				ncap *= 2;
			if (!(bigger = arena_calloc(&req->arena, ncap, sizeof(*bigger))))
				return ERR_NOMEM;
			memcpy(bigger, sids, nsids * sizeof(*sids));
			sids = bigger;
			cap = ncap;
		}
		for (size_t i = 0; i < res.n; i++)
			sids[nsids++] = res.hits[i].id;
		if (res.n < 1000 || off + 1000 >= res.total)
			break;
	}
	for (size_t at = 0; at < nsids; at += 1000) {
		size_t m = nsids - at < 1000 ? nsids - at : 1000;
		struct dir_rows r;

		if ((e = dir_db_sal_of(req->db, &req->arena, sids + at, m, &r)) != ERR_OK)
			return e;
		for (size_t i = 0; i < r.n; i++) {
			struct sal_hit h = { DIR_ROW(&r, i, 0), DIR_ROW(&r, i, 1), DIR_ROW(&r, i, 2), 0, 0 };
			const char *lat = DIR_ROW(&r, i, 3), *lon = DIR_ROW(&r, i, 4);

			for (size_t k = at; k < at + m; k++)
				if (strcmp(sids[k], h.service_id) == 0) {
					h.rank = k;
					break;
				}
			if (p->near) {
				if (!lat || !lon)
					continue;        /* online only: no distance */
				h.distance = geo_distance_m(p->lat, p->lon, strtod(lat, NULL), strtod(lon, NULL));
				if (p->proximity_m && h.distance > p->proximity_m)
					continue;
			}
			if (hn == hcap) {
				size_t ncap = hcap ? hcap * 2 : 256;
				struct sal_hit *bigger = arena_calloc(&req->arena, ncap, sizeof(*bigger));

				if (!bigger)
					return ERR_NOMEM;
				if (hits)
					memcpy(bigger, hits, hn * sizeof(*hits));
				hits = bigger;
				hcap = ncap;
			}
			hits[hn++] = h;
		}
	}
	if (hn)
		qsort(hits, hn, sizeof(*hits), sal_cmp);
	*out = hits;
	*n = hn;
	return ERR_OK;
}

static enum err sals_list(struct request *req, struct response *resp)
{
	struct oruk_params p;
	struct page pg;
	struct buf *b = &resp->body;
	const char **ids;
	struct sal_hit *hits = NULL;
	size_t nhits = 0, from, count;
	struct dir_rows docs = { 0 }, page_rows = { 0 };
	bool filtered;
	enum err e;

	if ((e = parse(req, OP_SEARCH | OP_PAGE | OP_FORMAT | OP_TAXONOMY_TERM | OP_TAXONOMY |
		       OP_ORGANIZATION | OP_MODIFIED_AFTER | OP_FULL | OP_POSTCODE, &p)) != ERR_OK)
		return e;
	filtered = p.search || p.taxonomy_term_id[0] || p.taxonomy_id[0] || p.organization_id[0] ||
		   p.has_modified_after || p.near;
	pg = (struct page){ .page = p.page, .per_page = p.per_page, .ndjson = p.ndjson };
	from = (size_t)((p.page - 1) * p.per_page);
	if (filtered) {
		if ((e = sal_search(req, &p, &hits, &nhits)) != ERR_OK)
			return e;
		pg.total = (int64_t)nhits;
		count = from < nhits ? (nhits - from < (size_t)p.per_page ? nhits - from : (size_t)p.per_page) : 0;
	} else {
		if ((e = dir_db_sal_count(req->db, &pg.total)) != ERR_OK)
			return e;
		if ((e = dir_db_sal_page(req->db, &req->arena, p.per_page, (int64_t)from, &page_rows)) != ERR_OK)
			return e;
		count = page_rows.n;
	}
	ids = arena_calloc(&req->arena, count ? count : 1, sizeof(*ids));
	if (!ids)
		return ERR_NOMEM;
	for (size_t i = 0; i < count; i++)
		ids[i] = filtered ? hits[from + i].id : DIR_ROW(&page_rows, i, 0);
	if (p.full && (e = dir_db_sal_docs(req->db, &req->arena, ids, count, &docs)) != ERR_OK)
		return e;
	pg.size = count;
	buf_reset(b);
	envelope_open(b, &pg);
	for (size_t i = 0; i < count; i++) {
		item_sep(b, &pg, i);
		if (p.full) {
			size_t j;

			for (j = 0; j < docs.n; j++)
				if (strcmp(DIR_ROW(&docs, j, 0), ids[i]) == 0)
					break;
			if (j < docs.n)
				sal_full(b, DIR_ROW(&docs, j, 1), DIR_ROW(&docs, j, 2), DIR_ROW(&docs, j, 3));
			else
				buf_addf(b, "{\"id\":\"%s\"}", ids[i]);
		} else {
			const char *sid = filtered ? hits[from + i].service_id : DIR_ROW(&page_rows, i, 1);
			const char *lid = filtered ? hits[from + i].location_id : DIR_ROW(&page_rows, i, 2);

			buf_addf(b, "{\"id\":\"%s\",\"service_id\":\"%s\"", ids[i], sid);
			if (lid)
				buf_addf(b, ",\"location_id\":\"%s\"", lid);
			buf_addc(b, '}');
		}
		item_end(b, &pg);
	}
	return finish(req, resp, &pg);
}

static enum err sal_one(struct request *req, struct response *resp)
{
	const struct param *id = req_param(req, "id");
	const char *lid = id->val;
	const char *ids[1] = { lid };
	struct dir_rows r;
	enum err e;

	if ((e = dir_db_sal_docs(req->db, &req->arena, ids, 1, &r)) != ERR_OK)
		return e;
	if (!r.n)
		return req_fail(req, ERR_NOT_FOUND, "No published service_at_location has this id.");
	buf_reset(&resp->body);
	sal_full(&resp->body, DIR_ROW(&r, 0, 1), DIR_ROW(&r, 0, 2), DIR_ROW(&r, 0, 3));
	resp->status = 200;
	resp->content_type = "application/json";
	return buf_ok(&resp->body) ? ERR_OK : ERR_NOMEM;
}

/* ---------------------------------------------------------------- organisations */

/* An organisation's document, or one made from its row (ORUK needs a
 * description: its name stands in). flat: without its lists. */
static json_t *org_json(const char *id, const char *name, const char *doc, bool flat)
{
	json_t *o = doc ? json_loads(doc, 0, NULL) : NULL;

	if (!o)
		o = json_pack("{s:s, s:s, s:s}", "id", id, "name", name, "description", name);
	if (o && flat) {
		json_t *f = oruk_flat(o);

		json_decref(o);
		o = f;
	}
	return o;
}

static json_t *org_services(struct request *req, const char *org_id, bool full)
{
	struct dir_rows r;
	json_t *list = json_array();

	if (dir_db_org_service_texts(req->db, &req->arena, org_id, full, &r) != ERR_OK) {
		json_decref(list);
		return NULL;
	}
	for (size_t i = 0; list && i < r.n; i++) {
		json_t *s = json_loads(DIR_ROW(&r, i, 1), 0, NULL);

		if (s)
			json_array_append_new(list, s);
	}
	return list;
}

static enum err orgs_list(struct request *req, struct response *resp)
{
	struct oruk_params p;
	struct dir_rows r;
	struct page pg;
	struct buf *b = &resp->body;
	enum err e;

	if ((e = parse(req, OP_SEARCH | OP_PAGE | OP_FORMAT | OP_FULL | OP_FULL_SERVICE, &p)) != ERR_OK)
		return e;
	pg = (struct page){ .page = p.page, .per_page = p.per_page, .ndjson = p.ndjson };
	if ((e = dir_db_orgs(req->db, &req->arena, p.search, p.per_page, (p.page - 1) * p.per_page, &r,
			     &pg.total)) != ERR_OK)
		return e;
	pg.size = r.n;
	buf_reset(b);
	envelope_open(b, &pg);
	for (size_t i = 0; i < r.n; i++) {
		json_t *o = org_json(DIR_ROW(&r, i, 0), DIR_ROW(&r, i, 1), DIR_ROW(&r, i, 2),
				     !p.full && !p.full_service);

		if (o && (p.full || p.full_service)) {
			json_t *svcs = org_services(req, DIR_ROW(&r, i, 0), p.full_service);

			if (svcs)
				json_object_set_new(o, "services", svcs);
		}
		if ((e = item_json(b, &pg, i, o)) != ERR_OK)
			return e;
	}
	return finish(req, resp, &pg);
}

static enum err org_one(struct request *req, struct response *resp)
{
	const struct param *id = req_param(req, "id");
	struct oruk_params p;
	const char *lid = id->val;
	struct dir_rows r;
	json_t *o, *svcs;
	enum err e;

	if ((e = parse(req, OP_FULL_SERVICE, &p)) != ERR_OK)
		return e;
	if ((e = dir_db_org_public(req->db, &req->arena, lid, &r)) != ERR_OK)
		return e;
	if (!r.n)
		return req_fail(req, ERR_NOT_FOUND, "No organisation with published services has this id.");
	o = org_json(DIR_ROW(&r, 0, 0), DIR_ROW(&r, 0, 1), DIR_ROW(&r, 0, 2), false);
	if (!o)
		return ERR_NOMEM;
	svcs = org_services(req, lid, p.full_service);
	if (!svcs) {
		json_decref(o);
		return ERR_NOMEM;
	}
	json_object_set_new(o, "services", svcs);
	return send_json(req, resp, o);
}

/* ---------------------------------------------------------------- taxonomies */

static json_t *taxonomy_json(const struct dir_rows *r, size_t i)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "id", DIR_ROW(r, i, 0), "name", DIR_ROW(r, i, 1),
			      "description", DIR_ROW(r, i, 2) && DIR_ROW(r, i, 2)[0] ? DIR_ROW(r, i, 2)
										 : DIR_ROW(r, i, 1));

	if (o) {
		set_opt(o, "uri", DIR_ROW(r, i, 3));
		set_opt(o, "version", DIR_ROW(r, i, 4));
	}
	return o;
}

static json_t *term_json(const struct dir_rows *r, size_t i)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "id", DIR_ROW(r, i, 0), "name", DIR_ROW(r, i, 1),
			      "description", DIR_ROW(r, i, 2) && DIR_ROW(r, i, 2)[0] ? DIR_ROW(r, i, 2)
										 : DIR_ROW(r, i, 1));

	if (o) {
		set_opt(o, "parent_id", DIR_ROW(r, i, 3));
		set_opt(o, "taxonomy", DIR_ROW(r, i, 5));
		set_opt(o, "taxonomy_id", DIR_ROW(r, i, 4));
		set_opt(o, "term_uri", DIR_ROW(r, i, 6));
		set_opt(o, "code", DIR_ROW(r, i, 7));
	}
	return o;
}

static enum err rows_page(struct request *req, struct response *resp, const struct oruk_params *p,
		const struct dir_rows *r, int64_t total, json_t *(*fn)(const struct dir_rows *, size_t))
{
	struct page pg = { .total = total, .page = p->page, .per_page = p->per_page, .size = r->n,
			   .ndjson = p->ndjson };
	struct buf *b = &resp->body;

	buf_reset(b);
	envelope_open(b, &pg);
	for (size_t i = 0; i < r->n; i++) {
		enum err e = item_json(b, &pg, i, fn(r, i));

		if (e)
			return e;
	}
	return finish(req, resp, &pg);
}

static enum err taxonomies_list(struct request *req, struct response *resp)
{
	struct oruk_params p;
	struct dir_rows r;
	int64_t total;
	enum err e;

	if ((e = parse(req, OP_SEARCH | OP_PAGE | OP_FORMAT, &p)) != ERR_OK)
		return e;
	if ((e = dir_db_taxonomies(req->db, &req->arena, p.search, p.per_page, (p.page - 1) * p.per_page, &r,
				   &total)) != ERR_OK)
		return e;
	return rows_page(req, resp, &p, &r, total, taxonomy_json);
}

static enum err taxonomy_one(struct request *req, struct response *resp)
{
	const struct param *id = req_param(req, "id");
	const char *lid = id->val;
	struct dir_rows r, t;
	json_t *o, *terms;
	enum err e;

	if ((e = dir_db_taxonomy(req->db, &req->arena, lid, &r)) != ERR_OK)
		return e;
	if (!r.n)
		return req_fail(req, ERR_NOT_FOUND, "No taxonomy has this id.");
	if ((e = dir_db_terms_of(req->db, &req->arena, lid, &t)) != ERR_OK)
		return e;
	o = taxonomy_json(&r, 0);
	terms = json_array();
	for (size_t i = 0; o && terms && i < t.n; i++)
		json_array_append_new(terms, term_json(&t, i));
	if (o && json_array_size(terms))
		json_object_set_new(o, "taxonomy_terms", terms);
	else
		json_decref(terms);
	return send_json(req, resp, o);
}

static enum err terms_list(struct request *req, struct response *resp)
{
	struct oruk_params p;
	struct dir_rows r;
	int64_t total;
	enum err e;

	if ((e = parse(req, OP_SEARCH | OP_PAGE | OP_FORMAT | OP_TAXONOMY | OP_TOP_ONLY | OP_PARENT, &p)) != ERR_OK)
		return e;
	if ((e = dir_db_terms(req->db, &req->arena, p.taxonomy_id, p.parent_id, p.top_only, p.search,
			      p.per_page, (p.page - 1) * p.per_page, &r, &total)) != ERR_OK)
		return e;
	return rows_page(req, resp, &p, &r, total, term_json);
}

static enum err term_one(struct request *req, struct response *resp)
{
	const struct param *id = req_param(req, "id");
	const char *lid = id->val;
	struct dir_rows r;
	enum err e;

	if ((e = dir_db_term(req->db, &req->arena, lid, &r)) != ERR_OK)
		return e;
	if (!r.n)
		return req_fail(req, ERR_NOT_FOUND, "No taxonomy term has this id.");
	return send_json(req, resp, term_json(&r, 0));
}

/* ---------------------------------------------------------------- the feature */

static const struct route routes[] = {
	{ M_GET, "/api/oruk", api_root, &act_public, RF_CORS | RF_NODB, "oruk.api_root" },
	{ M_GET, "/api/oruk/openapi.json", api_openapi, &act_public, RF_CORS | RF_NODB, "oruk.api_openapi" },
	{ M_GET, "/api/oruk/services", services_list, &act_public, RF_CORS, "oruk.services_list" },
	{ M_GET, "/api/oruk/services/{id:uuid}", service_one, &act_public, RF_CORS, "oruk.service_one" },
	{ M_GET, "/api/oruk/service_at_locations", sals_list, &act_public, RF_CORS, "oruk.sals_list" },
	{ M_GET, "/api/oruk/service_at_locations/{id:uuid}", sal_one, &act_public, RF_CORS, "oruk.sal_one" },
	{ M_GET, "/api/oruk/organizations", orgs_list, &act_public, RF_CORS, "oruk.orgs_list" },
	{ M_GET, "/api/oruk/organizations/{id:uuid}", org_one, &act_public, RF_CORS, "oruk.org_one" },
	{ M_GET, "/api/oruk/taxonomies", taxonomies_list, &act_public, RF_CORS, "oruk.taxonomies_list" },
	{ M_GET, "/api/oruk/taxonomies/{id:uuid}", taxonomy_one, &act_public, RF_CORS, "oruk.taxonomy_one" },
	{ M_GET, "/api/oruk/taxonomy_terms", terms_list, &act_public, RF_CORS, "oruk.terms_list" },
	{ M_GET, "/api/oruk/taxonomy_terms/{id:uuid}", term_one, &act_public, RF_CORS, "oruk.term_one" },
};

/* Every second; directory_sync_job looks only every directory_sync
 * seconds (struct job's interval is a constant; the setting is not). */
static const struct job jobs[] = {
	{ "directory-sync", 1, directory_sync_job },
};

/* ---------------------------------------------------------------- settings and state */

#define OS(field) CFG(struct oruk_settings, field)

static const struct config_key keys[] = {
	{ "oruk_cache_mb", CT_INT, OS(oruk_cache_mb), 0, 1024, "4",
	  "megabytes of finished ORUK API answers (service lists, searches and single services) kept "
	  "to answer the same request again; 0 turns the cache off", NULL },
	{ "oruk_cache_entries", CT_INT, OS(oruk_cache_entries), 0, 1000000, "1000",
	  "most ORUK API answers kept; 0 turns the cache off", NULL },
	{ "oruk_cache_seconds", CT_INT, OS(oruk_cache_seconds), 1, 3600, "30",
	  "longest a kept ORUK API answer is reused; a change to a service ends it at once, so this "
	  "bounds only an organisation's own details changing without a service changing", NULL },
	{ 0 },
};

const struct settings oruk_settings = { "ORUK API", keys, sizeof(struct oruk_settings) };

static enum err oruk_init(struct app *app)
{
	const struct oruk_settings *os = oruk_cfg(app);

	return directory_init_cached(app, &app->oruk_cache, os ? os->oruk_cache_mb : 0,
				     os ? os->oruk_cache_entries : 0);
}

static void oruk_release(struct app *app)
{
	directory_release_cached(app, &app->oruk_cache);
}

const struct feature oruk_feature = {
	.name = "oruk",
	.settings = &oruk_settings,
	.routes = routes,
	.nroutes = ARRAY_LEN(routes),
	.jobs = jobs,
	.njobs = ARRAY_LEN(jobs),
	.commands = directory_commands,
	.ncommands = 1,
	.init = oruk_init,
	.release = oruk_release,
};
