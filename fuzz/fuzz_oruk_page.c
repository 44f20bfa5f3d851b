/*
 * fuzz_oruk_page.c - one page of a live ORUK services list as `kith
 * directory pull` reads it (src/oruk/page.c), on any bytes: the first
 * byte picks the page asked for (1..256), the rest is the answer.
 *
 * Invariants: a refusal is ERR_INVALID or ERR_TOO_LARGE with a sentence
 * naming the page, and leaves no items and no next page; an acceptance
 * has an array of at most ORUK_PAGE_ITEMS_MAX items, page numbers and
 * totals -1 or not negative, a page number of the page asked for (or the
 * one before, for v1 servers counting from 0), no next page after a bare
 * array, an empty page or one that says it is the last, and for every
 * item an id (when it has one) that is a lowercase UUID of 36 bytes and a
 * 64-digit hash that is the same the second time. The list URL for the
 * bytes as a base is either refused with a sentence or starts with
 * http(s):// and ends in /services (before any query) with no space or
 * control byte. Everything is freed, so LeakSanitizer sees any leak.
 */
#include "core/common.h"

#include <strings.h>

#include "core/buf.h"
#include "oruk/page.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static void check_url(const uint8_t *data, size_t size)
{
	char base[ORUK_URL_MAX + 2];
	char why[256] = "";
	struct buf b;
	size_t n = size < sizeof(base) - 1 ? size : sizeof(base) - 1;
	const char *q;

	memcpy(base, data, n);
	base[n] = '\0';
	buf_init(&b, ORUK_URL_MAX + 64);
	if (oruk_list_url(base, &b, why, sizeof(why)) != ERR_OK) {
		CHECK(strncmp(why, "the feed's URL ", 15) == 0);
	} else {
		CHECK(strncasecmp(b.p, "http://", 7) == 0 || strncasecmp(b.p, "https://", 8) == 0);
		for (size_t i = 0; i < b.len; i++)
			CHECK((unsigned char)b.p[i] > 0x20 && (unsigned char)b.p[i] < 0x7f);
		q = strchr(b.p, '?');
		CHECK((q ? (size_t)(q - b.p) : b.len) >= 9);
		CHECK(strncmp((q ? q : b.p + b.len) - 9, "/services", 9) == 0);
		CHECK(!strchr(b.p, '#'));
	}
	buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oruk_page p;
	char why[256] = "";
	int64_t asked;
	enum err e;
	size_t i;
	json_t *item;

	if (size < 1)
		return 0;
	asked = (int64_t)data[0] + 1;
	e = oruk_page_read((const char *)data + 1, size - 1, asked, &p, why, sizeof(why));
	if (e) {
		CHECK(e == ERR_INVALID || e == ERR_TOO_LARGE);
		CHECK(why[0] != '\0');
		CHECK(strstr(why, "page") != NULL);
		CHECK(p.items == NULL);
		CHECK(!oruk_page_more(&p, asked));
	} else {
		CHECK(json_is_array(p.items));
		CHECK(json_array_size(p.items) <= ORUK_PAGE_ITEMS_MAX);
		CHECK(p.number == -1 || p.number == asked || p.number == asked - 1);
		CHECK(p.total_pages >= -1 && p.total_items >= -1);
		CHECK(p.last >= -1 && p.last <= 1);
		if (p.api == ORUK_API_ARRAY || json_array_size(p.items) == 0 || p.last == 1)
			CHECK(!oruk_page_more(&p, asked));
		json_array_foreach(p.items, i, item) {
			char id[37], h1[65], h2[65];

			if (oruk_page_item_id(item, id)) {
				CHECK(strlen(id) == 36);
				for (const char *c = id; *c; c++)
					CHECK(!(*c >= 'A' && *c <= 'Z'));
			}
			oruk_page_item_hash(item, h1);
			oruk_page_item_hash(item, h2);
			CHECK(strlen(h1) == 64 && strcmp(h1, h2) == 0);
			(void)oruk_page_is_summary(item);
		}
	}
	oruk_page_release(&p);
	check_url(data, size);
	return 0;
}
