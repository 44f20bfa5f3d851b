/*
 * request.c - the request and response structs and their small accessors.
 * Name/value lists are arrays grown in the request arena; they are short
 * (a handful of headers, a form of a few fields), so lookups are linear.
 */
#include "core/common.h"
#include "core/str.h"
#include "http/parse.h"
#include "http/request.h"

static const char *const method_names[M__MAX] = {
	[M_GET] = "GET", [M_HEAD] = "HEAD", [M_POST] = "POST", [M_PUT] = "PUT",
	[M_PATCH] = "PATCH", [M_DELETE] = "DELETE", [M_OPTIONS] = "OPTIONS",
};

const char *method_name(enum method m)
{
	return (unsigned)m < M__MAX ? method_names[m] : "OTHER";
}

enum method method_parse(const char *s)
{
	for (int i = 0; i < M__MAX; i++)
		if (strcmp(s, method_names[i]) == 0)
			return (enum method)i;
	return M_OTHER;
}

void req_init(struct request *req, struct app *app)
{
	/* Zero everything after the arena; the arena's 4 KiB inline block
	 * needs no clearing. */
	_Static_assert(offsetof(struct request, arena) == 0, "arena first");
	memset((char *)req + sizeof(req->arena), 0, sizeof(*req) - sizeof(req->arena));
	arena_init(&req->arena);
	req->app = app;
	req->path = "/";
	req->raw_path = "/";
	req->query_raw = "";
	req->client_ip = "127.0.0.1";
	req->method_raw = "GET";
	req->body = "";
}

void req_release(struct request *req)
{
	if (req->json) {
		json_decref(req->json);
		req->json = NULL;
	}
	if (req->err_fields) {
		json_decref(req->err_fields);
		req->err_fields = NULL;
	}
	arena_release(&req->arena);
}

void resp_init(struct response *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->status = 200;
	resp->no_store = true;
	buf_init(&resp->body, LIMIT_PAGE_BYTES);
}

void resp_release(struct response *resp)
{
	buf_release(&resp->body);
}

enum err req_fail(struct request *req, enum err e, const char *detail)
{
	req->err_detail = detail ? arena_strdup(&req->arena, detail) : NULL;
	return e;
}

enum err req_fail_fields(struct request *req, const char *detail, json_t *fields)
{
	if (req->err_fields)
		json_decref(req->err_fields);
	req->err_fields = fields;
	return req_fail(req, ERR_INVALID, detail);
}

/* The query and the cookies are parsed once; a failure leaves the list
 * empty rather than half-filled, and says why. */
static enum err query_once(struct request *req, const char **why)
{
	enum err e;

	*why = NULL;
	if (req->query_parsed)
		return ERR_OK;
	req->query_parsed = true;
	e = parse_urlencoded(&req->arena, req->query_raw, strlen(req->query_raw),
			     &parse_default_limits, &req->query, why);
	if (e)
		req->query.n = 0;
	return e;
}

static enum err cookies_once(struct request *req, const char **why)
{
	const char *hdr = kv_iget(&req->headers, "Cookie");
	enum err e = ERR_OK;

	*why = NULL;
	if (req->cookies_parsed)
		return ERR_OK;
	req->cookies_parsed = true;
	if (hdr && (e = parse_cookies(&req->arena, hdr, strlen(hdr), &req->cookies, why)) != ERR_OK)
		req->cookies.n = 0;
	return e;
}

enum err req_parse_query_cookies(struct request *req)
{
	const char *why;
	enum err e;

	if ((e = query_once(req, &why)) != ERR_OK || (e = cookies_once(req, &why)) != ERR_OK)
		return req_fail(req, e, why ? why : "The request could not be read.");
	return ERR_OK;
}

const struct kvlist *req_query_list(struct request *req)
{
	const char *why;

	/* The dispatcher has refused a malformed query before any handler
	 * ran; a request built by hand gets an empty list. */
	(void)query_once(req, &why);
	return &req->query;
}

const char *req_query(struct request *req, const char *name)
{
	return kv_get(req_query_list(req), name);
}

const char *req_cookie(struct request *req, const char *name)
{
	const char *why;

	(void)cookies_once(req, &why);
	return kv_get(&req->cookies, name);
}

const char *req_form(const struct request *req, const char *name)
{
	return kv_get(&req->form, name);
}

const char *req_header(const struct request *req, const char *name)
{
	return kv_iget(&req->headers, name);
}

const struct param *req_param(const struct request *req, const char *name)
{
	for (size_t i = 0; i < req->nparams; i++)
		if (strcmp(req->params[i].name, name) == 0)
			return &req->params[i];
	return NULL;
}

void resp_header(struct response *resp, const char *name, const char *val)
{
	if (resp->nheaders == ARRAY_LEN(resp->headers)) {
		resp->headers_full = true;
		return;
	}
	resp->headers[resp->nheaders].name = name;
	resp->headers[resp->nheaders].val = val;
	resp->nheaders++;
}

const char *resp_get_header(const struct response *resp, const char *name)
{
	for (size_t i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return resp->headers[i].val;
	return NULL;
}

void resp_redirect(struct request *req, struct response *resp, const char *path)
{
	/* Only local paths: an open redirect would let a link on another site
	 * send people anywhere under kith's name. */
	if (path[0] != '/' || path[1] == '/' || path[1] == '\\')
		path = "/";
	resp->status = 303;
	resp_header(resp, "Location", arena_strdup(&req->arena, path));
	resp->content_type = "text/plain; charset=utf-8";
	buf_reset(&resp->body);
	buf_adds(&resp->body, "See other\n");
}

void resp_text(struct response *resp, int status, const char *ctype, const char *p, size_t n)
{
	resp->status = status;
	resp->content_type = ctype;
	buf_reset(&resp->body);
	buf_add(&resp->body, p, n);
}

static int dump_cb(const char *p, size_t n, void *data)
{
	struct buf *b = data;

	buf_add(b, p, n);
	return buf_ok(b) ? 0 : -1;
}

enum err resp_json(struct response *resp, int status, const char *ctype, const json_t *j)
{
	resp->status = status;
	resp->content_type = ctype ? ctype : "application/json";
	buf_reset(&resp->body);
	if (json_dump_callback(j, dump_cb, &resp->body, JSON_COMPACT | JSON_ENCODE_ANY) != 0 ||
	    !buf_ok(&resp->body))
		return buf_ok(&resp->body) ? ERR_INTERNAL : ERR_TOO_LARGE;
	return ERR_OK;
}
