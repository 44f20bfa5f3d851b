/*
 * api.c - reading a JSON endpoint's query string (api.h has the rule).
 *
 * Every reader goes through api_value(), which is where "empty is absent"
 * and "first of a repeat counts" live and where the names an endpoint
 * takes are recorded, and every refusal through api_refuse(), which keeps
 * the first one only. So the readers are a few lines each: fetch, check,
 * refuse in words.
 */
#include "core/common.h"
#include "core/buf.h"
#include "core/str.h"
#include "http/request.h"
#include "view/escape.h"
#include "web/api.h"
#include "web/errors.h"
#include "web/view.h"

#include <stdarg.h>
#include <strings.h>

void api_query_init(struct api_query *aq, const struct kvlist *q, struct arena *a)
{
	memset(aq, 0, sizeof(*aq));
	aq->q = q;
	aq->a = a;
}

void api_query_of(struct api_query *aq, struct request *req)
{
	api_query_init(aq, req_query_list(req), &req->arena);
}

static bool asked(const struct api_query *aq, const char *name)
{
	for (size_t i = 0; i < aq->nnames; i++)
		if (strcmp(aq->names[i], name) == 0)
			return true;
	return false;
}

const char *api_value(struct api_query *aq, const char *name)
{
	const char *v;

	/* A name beyond API_NAMES_MAX is not recorded, so API_STRICT
	 * refuses it: a test of the endpoint shows it at once. */
	if (!asked(aq, name) && aq->nnames < API_NAMES_MAX)
		aq->names[aq->nnames++] = name;
	if (aq->bad)
		return NULL;
	v = kv_get(aq->q, name);
	return v && v[0] ? v : NULL;
}

bool api_refuse(struct api_query *aq, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (aq->bad)
		return false;
	aq->bad = name;
	va_start(ap, fmt);
	vsnprintf(aq->detail, sizeof(aq->detail), fmt, ap);
	va_end(ap);
	return false;
}

bool api_int(struct api_query *aq, const char *name, int64_t min, int64_t max, int64_t def,
		int64_t *out)
{
	const char *v = api_value(aq, name);

	*out = def;
	if (!v)
		return api_ok(aq);
	if (!str_to_i64(str_c(v), min, max, out)) {
		*out = def;
		return api_refuse(aq, name, "The %s parameter must be a whole number from %lld to %lld.",
				  name, (long long)min, (long long)max);
	}
	return true;
}

bool api_bool(struct api_query *aq, const char *name, bool def, bool *out)
{
	const char *v = api_value(aq, name);

	*out = def;
	if (!v)
		return api_ok(aq);
	if (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = true;
	else if (strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = false;
	else
		return api_refuse(aq, name, "The %s parameter must be true or false.", name);
	return true;
}

bool api_enum(struct api_query *aq, const char *name, int n, const char *(*name_of)(int),
		int def, int *out)
{
	const char *v = api_value(aq, name);
	char list[API_DETAIL_MAX];
	size_t k = 0;

	*out = def;
	if (!v)
		return api_ok(aq);
	for (int i = 0; i < n; i++)
		if (strcmp(v, name_of(i)) == 0) {
			*out = i;
			return true;
		}
	/* "a", "a or b", "one of a, b or c". */
	list[0] = '\0';
	for (int i = 0; i < n && k < sizeof(list); i++)
		k += (size_t)snprintf(list + k, sizeof(list) - k, "%s%s",
				      i == 0 ? "" : i == n - 1 ? " or " : ", ", name_of(i));
	return api_refuse(aq, name, "The %s parameter must be %s%s.", name, n > 2 ? "one of " : "",
			  list);
}

/* Code points in s, which is clean UTF-8: the bytes that do not continue
 * one. */
static size_t chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

bool api_text(struct api_query *aq, const char *name, size_t max, const char **out)
{
	const char *v = api_value(aq, name);
	struct str t;

	*out = NULL;
	if (!v)
		return api_ok(aq);
	t = str_trim(str_c(v));
	if (!str_is_clean_utf8(t.p, t.n) || chars(t.p, t.n) > max)
		return api_refuse(aq, name, "The %s parameter must be plain text of %zu characters or "
				  "fewer.", name, max);
	if (t.n == 0)
		return true;
	/* Out of memory: refused rather than read as absent, which would
	 * widen a search the caller narrowed. */
	*out = arena_strndup(aq->a, t.p, t.n);
	if (!*out)
		return api_refuse(aq, name, "The %s parameter could not be read. Try again.", name);
	return true;
}

bool api_id(struct api_query *aq, const char *name, int64_t *out)
{
	const char *v = api_value(aq, name);

	*out = 0;
	if (!v)
		return api_ok(aq);
	if (!str_to_i64(str_c(v), 1, API_ID_MAX, out)) {
		*out = 0;
		return api_refuse(aq, name, "The %s parameter must be an id: a whole number from 1, "
				  "like 42.", name);
	}
	return true;
}

bool api_uuid(struct api_query *aq, const char *name, char out[37])
{
	const char *v = api_value(aq, name);

	out[0] = '\0';
	if (!v)
		return api_ok(aq);
	if (!str_is_uuid(str_c(v)))
		return api_refuse(aq, name, "The %s parameter must be a UUID, like "
				  "0f8fad5b-d9cb-469f-a165-70867728950e.", name);
	memcpy(out, v, 37);
	str_lower_ascii(out, 36);
	return true;
}

bool api_paging(struct api_query *aq, int64_t per_page_def, int64_t per_page_max,
		struct api_page *out)
{
	/* per_page first: its refusal is the more useful one when both are
	 * wrong, and ORUK's per_page limit depends on nothing else here. */
	api_int(aq, "per_page", 1, per_page_max, per_page_def, &out->per_page);
	api_int(aq, "page", 1, API_PAGE_MAX, 1, &out->page);
	return api_ok(aq);
}

enum err api_fail(struct request *req, const struct api_query *aq)
{
	json_t *errors;

	if (!aq->bad)
		return ERR_OK;
	errors = json_array();
	web_error(errors, aq->bad, aq->detail);
	req_fail_fields(req, aq->detail, errors);
	return ERR_BAD_REQUEST;
}

/* "a, b and c" of the names asked for, into b. */
static void names_list(struct buf *b, const struct api_query *aq)
{
	for (size_t i = 0; i < aq->nnames; i++)
		buf_addf(b, "%s%s", i == 0 ? "" : i == aq->nnames - 1 ? " and " : ", ", aq->names[i]);
}

enum err api_done(struct request *req, struct api_query *aq, enum api_others others)
{
	for (size_t i = 0; others == API_STRICT && !aq->bad && i < aq->q->n; i++) {
		const struct kv *p = &aq->q->v[i];
		struct buf b;

		/* Empty is absent, for a name nobody asked for too. */
		if (!p->val[0] || asked(aq, p->name))
			continue;
		buf_init(&b, API_DETAIL_MAX);
		if (aq->nnames) {
			buf_adds(&b, "It takes ");
			names_list(&b, aq);
			buf_addc(&b, '.');
		} else {
			buf_adds(&b, "It takes none.");
		}
		/* A long name is cut short in the sentence (the errors list
		 * has it whole). */
		api_refuse(aq, p->name, "The %.64s parameter is not one this address takes. %s", p->name,
			   buf_ok(&b) ? b.p : "See the API documentation.");
		buf_release(&b);
	}
	return api_fail(req, aq);
}

enum err api_none(struct request *req)
{
	struct api_query aq;

	api_query_of(&aq, req);
	return api_done(req, &aq, API_STRICT);
}

void api_paging_json(struct request *req, json_t *data, const char *path,
		const struct api_page *pg, int64_t total)
{
	const struct kvlist *q = req_query_list(req);
	int64_t pages = total > 0 ? (total + pg->per_page - 1) / pg->per_page : 1;
	struct buf b;

	json_object_set_new(data, "total", json_integer((json_int_t)total));
	json_object_set_new(data, "page", json_integer((json_int_t)pg->page));
	json_object_set_new(data, "per_page", json_integer((json_int_t)pg->per_page));
	json_object_set_new(data, "pages", json_integer((json_int_t)pages));
	if (pg->page <= 1 && pg->page * pg->per_page >= total)
		return;
	/* path?the other parameters&page= : the links keep the filters and
	 * the page size. */
	buf_init(&b, LIMIT_URL_BYTES + 32);
	buf_adds(&b, path);
	buf_addc(&b, '?');
	for (size_t i = 0; i < q->n; i++) {
		if (!q->v[i].val[0] || strcmp(q->v[i].name, "page") == 0)
			continue;
		esc_url_component(&b, q->v[i].name, strlen(q->v[i].name));
		buf_addc(&b, '=');
		esc_url_component(&b, q->v[i].val, strlen(q->v[i].val));
		buf_addc(&b, '&');
	}
	if (buf_ok(&b)) {
		/* Back from beyond the end goes to the last page. */
		if (pg->page > 1)
			json_object_set_new(data, "prev_href", json_sprintf("%spage=%lld", b.p,
					    (long long)(pg->page - 1 < pages ? pg->page - 1 : pages)));
		if (pg->page * pg->per_page < total)
			json_object_set_new(data, "next_href", json_sprintf("%spage=%lld", b.p,
					    (long long)(pg->page + 1)));
	}
	buf_release(&b);
}

enum err api_send_page(struct request *req, struct response *resp, const char *path,
		const char *key, json_t *items, const struct api_page *pg, int64_t total)
{
	json_t *data = json_object();

	if (!data || json_object_set_new(data, key, items) != 0) {
		json_decref(data);
		return ERR_NOMEM;
	}
	api_paging_json(req, data, path, pg, total);
	return view_json(req, resp, 200, data);
}
