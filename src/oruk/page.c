/*
 * page.c - reading one page of a live ORUK services list, and the URLs a
 * pull asks for (page.h says which envelopes). The response is parsed
 * whole with jansson (pull.c has already capped its size); this file only
 * finds the list in it and checks the paging numbers, so a feed that
 * lies about its pages is refused here rather than looping in pull.c.
 */
#include "core/common.h"
#include "oruk/page.h"

#include <sodium.h>
#include <strings.h>

#include "core/str.h"

const char *oruk_api_name(enum oruk_api a)
{
	switch (a) {
	case ORUK_API_3: return "ORUK 3.0";
	case ORUK_API_V1: return "ORUK v1";
	case ORUK_API_ARRAY: break;
	}
	return "a JSON array";
}

void oruk_page_release(struct oruk_page *p)
{
	json_decref(p->items);
	p->items = NULL;
}

/* A whole number >= 0 at key: its value, -1 when absent or null; false
 * (with why) when it is something else. */
static bool count_of(const json_t *o, const char *key, int64_t asked, int64_t *out, char *why, size_t whylen)
{
	const json_t *v = json_object_get(o, key);

	*out = -1;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		snprintf(why, whylen, "page %lld's \"%s\" is not a whole number", (long long)asked, key);
		return false;
	}
	*out = json_integer_value(v);
	return true;
}

static bool flag_of(const json_t *o, const char *key, int64_t asked, int *out, char *why, size_t whylen)
{
	const json_t *v = json_object_get(o, key);

	*out = -1;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_boolean(v)) {
		snprintf(why, whylen, "page %lld's \"%s\" is not true or false", (long long)asked, key);
		return false;
	}
	*out = json_is_true(v);
	return true;
}

static enum err read_page(const char *data, size_t len, int64_t asked, struct oruk_page *out,
		char *why, size_t whylen)
{
	static const char *const keys[2][4] = {
		/* list, page number, total pages, last */
		{ "contents", "page_number", "total_pages", "last_page" },
		{ "content", "number", "totalPages", "last" },
	};
	const char *const *k;
	json_error_t je;
	json_t *root, *list;

	memset(out, 0, sizeof(*out));
	out->number = out->total_pages = out->total_items = -1;
	out->last = -1;
	if (!(root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je))) {
		snprintf(why, whylen, "page %lld is not JSON (line %d: %.120s)", (long long)asked, je.line, je.text);
		return ERR_INVALID;
	}
	if (json_is_array(root)) {
		out->api = ORUK_API_ARRAY;
		out->items = root;
	} else if (json_is_object(root) && (json_object_get(root, "contents") || json_object_get(root, "content"))) {
		out->api = json_object_get(root, "contents") ? ORUK_API_3 : ORUK_API_V1;
		k = keys[out->api == ORUK_API_V1];
		list = json_object_get(root, k[0]);
		if (!json_is_array(list)) {
			snprintf(why, whylen, "page %lld's \"%s\" is not a list of services", (long long)asked, k[0]);
			json_decref(root);
			return ERR_INVALID;
		}
		out->items = json_incref(list);
		if (!count_of(root, k[1], asked, &out->number, why, whylen) ||
		    !count_of(root, k[2], asked, &out->total_pages, why, whylen) ||
		    !count_of(root, out->api == ORUK_API_V1 ? "totalElements" : "total_items", asked,
			      &out->total_items, why, whylen) ||
		    !flag_of(root, k[3], asked, &out->last, why, whylen)) {
			json_decref(root);
			return ERR_INVALID;
		}
		json_decref(root);
		/* 1-based as both specifications have it; some v1 servers count
		 * from 0. Anything else is another page than the one asked for. */
		if (out->number >= 0 && out->number != asked && out->number != asked - 1) {
			snprintf(why, whylen, "the feed answered page %lld when asked for page %lld",
				 (long long)out->number, (long long)asked);
			return ERR_INVALID;
		}
		if (out->total_pages >= 0 && asked > out->total_pages && json_array_size(out->items) > 0) {
			snprintf(why, whylen, "page %lld lists services but says there are only %lld pages",
				 (long long)asked, (long long)out->total_pages);
			return ERR_INVALID;
		}
	} else {
		snprintf(why, whylen, "page %lld is not an ORUK services list: it has neither \"contents\" "
			 "(ORUK 3.0) nor \"content\" (ORUK v1)", (long long)asked);
		json_decref(root);
		return ERR_INVALID;
	}
	if (json_array_size(out->items) > ORUK_PAGE_ITEMS_MAX) {
		snprintf(why, whylen, "page %lld lists more than %d services", (long long)asked, ORUK_PAGE_ITEMS_MAX);
		return ERR_TOO_LARGE;
	}
	return ERR_OK;
}

enum err oruk_page_read(const char *data, size_t len, int64_t asked, struct oruk_page *out,
		char *why, size_t whylen)
{
	enum err e = read_page(data, len, asked, out, why, whylen);

	/* A refused page lists nothing. */
	if (e)
		oruk_page_release(out);
	return e;
}

bool oruk_page_more(const struct oruk_page *p, int64_t asked)
{
	if (!p->items || json_array_size(p->items) == 0 || p->api == ORUK_API_ARRAY || p->last == 1)
		return false;
	if (p->total_pages >= 0)
		return asked < p->total_pages;
	/* "last": false, or nothing said: ask for the next one. An empty page
	 * ends it; a server that ignores ?page= is caught by pull.c (the same
	 * services twice). */
	return true;
}

bool oruk_page_is_summary(const json_t *item)
{
	static const char *const nested[] = {
		"service_at_locations", "schedules", "locations", "contacts", "phones", "cost_options",
		"regular_schedules", "physical_addresses", "service_taxonomys",
	};

	for (size_t i = 0; i < ARRAY_LEN(nested); i++) {
		const json_t *v = json_object_get(item, nested[i]);

		if (v && (!json_is_array(v) || json_array_size(v) > 0))
			return false;
	}
	return json_is_object(item);
}

bool oruk_page_item_id(const json_t *item, char out[37])
{
	const char *id = json_string_value(json_object_get(item, "id"));

	if (!id || strlen(id) != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		unsigned char c = (unsigned char)id[i];
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? c != '-' : !((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')))
			return false;
		out[i] = (char)(dash ? '-' : (c >= 'A' && c <= 'F') ? c | 0x20 : c);
	}
	out[36] = '\0';
	return true;
}

void oruk_page_item_hash(const json_t *item, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char *text = json_dumps(item, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

	crypto_hash_sha256(h, (const unsigned char *)(text ? text : ""), text ? strlen(text) : 0);
	free(text);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

/* ---------------------------------------------------------------- URLs */

static bool starts_ci(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

enum err oruk_list_url(const char *base, struct buf *out, char *why, size_t whylen)
{
	size_t n = base ? strlen(base) : 0, path_end, scheme, host_end;
	const char *q;

	buf_reset(out);
	if (n == 0 || n > ORUK_URL_MAX) {
		snprintf(why, whylen, "the feed's URL must be given, and be at most %d characters", ORUK_URL_MAX);
		return ERR_INVALID;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)base[i] <= 0x20 || (unsigned char)base[i] >= 0x7f) {
			snprintf(why, whylen, "the feed's URL has a space or a character that must be "
				 "percent-encoded");
			return ERR_INVALID;
		}
	if (starts_ci(base, "https://"))
		scheme = 8;
	else if (starts_ci(base, "http://"))
		scheme = 7;
	else {
		snprintf(why, whylen, "the feed's URL must start with http:// or https://");
		return ERR_INVALID;
	}
	host_end = scheme + strcspn(base + scheme, "/?#");
	if (host_end == scheme || base[scheme] == '@' || base[scheme] == ':') {
		snprintf(why, whylen, "the feed's URL has no host name");
		return ERR_INVALID;
	}
	/* The fragment is never sent. */
	n = strcspn(base, "#");
	q = memchr(base, '?', n);
	path_end = q ? (size_t)(q - base) : n;
	while (path_end > host_end && base[path_end - 1] == '/')
		path_end--;
	buf_add(out, base, path_end);
	if (path_end - host_end < 9 || strncmp(base + path_end - 9, "/services", 9) != 0)
		buf_adds(out, "/services");
	if (q && (size_t)(q - base) + 1 < n)
		buf_add(out, q, n - (size_t)(q - base));
	return buf_ok(out) ? ERR_OK : ERR_NOMEM;
}

enum err oruk_page_url(const char *list, int64_t page, int per_page, struct buf *out)
{
	buf_reset(out);
	buf_adds(out, list);
	buf_addf(out, "%cpage=%lld&per_page=%d", strchr(list, '?') ? '&' : '?', (long long)page, per_page);
	return buf_ok(out) ? ERR_OK : ERR_NOMEM;
}

enum err oruk_record_url(const char *list, const char *id, struct buf *out)
{
	buf_reset(out);
	buf_add(out, list, strcspn(list, "?"));
	buf_addc(out, '/');
	buf_adds(out, id);
	return buf_ok(out) ? ERR_OK : ERR_NOMEM;
}
