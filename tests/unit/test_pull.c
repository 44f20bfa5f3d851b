/*
 * test_pull.c - the pure parts of `kith directory pull`: reading a page
 * of an ORUK 3.0 or v1 services list (and refusing one that lies about
 * its paging), when there is another page, which entries are summaries,
 * the ids and hashes kept, the URLs asked for (http and https only), and
 * the feeds' schedules (in UK time, across the clock change).
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/buf.h"
#include "oruk/page.h"
#include "oruk/pull.h"

#define ID1 "738f94e0-aa6c-6a5c-2395-7b64421ba2a5"
#define ID2 "3cb7c2f8-441a-d42b-05f4-86aa3b4e56d6"

static enum err read_page(const char *text, int64_t asked, struct oruk_page *p, char *why, size_t n)
{
	why[0] = '\0';
	return oruk_page_read(text, strlen(text), asked, p, why, n);
}

static void page_oruk3(void **state)
{
	struct oruk_page p;
	char why[256];

	UNUSED(state);
	assert_int_equal(read_page("{\"total_items\": 25, \"total_pages\": 3, \"page_number\": 2, \"size\": 10, "
				   "\"first_page\": false, \"last_page\": false, \"empty\": false, \"contents\": "
				   "[{\"id\": \"" ID1 "\", \"name\": \"A\"}, {\"id\": \"" ID2 "\"}]}", 2, &p, why,
				   sizeof(why)), ERR_OK);
	assert_int_equal(p.api, ORUK_API_3);
	assert_string_equal(oruk_api_name(p.api), "ORUK 3.0");
	assert_int_equal(json_array_size(p.items), 2);
	assert_int_equal(p.number, 2);
	assert_int_equal(p.total_pages, 3);
	assert_int_equal(p.total_items, 25);
	assert_int_equal(p.last, 0);
	assert_true(oruk_page_more(&p, 2));
	oruk_page_release(&p);

	/* The last page by total_pages, and by last_page alone. */
	assert_int_equal(read_page("{\"total_pages\": 3, \"page_number\": 3, \"contents\": [{}]}", 3, &p, why,
				   sizeof(why)), ERR_OK);
	assert_false(oruk_page_more(&p, 3));
	oruk_page_release(&p);
	assert_int_equal(read_page("{\"last_page\": true, \"contents\": [{}]}", 5, &p, why, sizeof(why)), ERR_OK);
	assert_false(oruk_page_more(&p, 5));
	oruk_page_release(&p);
	/* Nothing said: ask on until an empty page. */
	assert_int_equal(read_page("{\"contents\": [{}]}", 5, &p, why, sizeof(why)), ERR_OK);
	assert_true(oruk_page_more(&p, 5));
	oruk_page_release(&p);
	assert_int_equal(read_page("{\"contents\": [], \"last_page\": false}", 6, &p, why, sizeof(why)), ERR_OK);
	assert_false(oruk_page_more(&p, 6));
	oruk_page_release(&p);
}

static void page_v1_and_array(void **state)
{
	struct oruk_page p;
	char why[256];

	UNUSED(state);
	assert_int_equal(read_page("{\"totalElements\": 738, \"totalPages\": 74, \"number\": 1, \"size\": 10, "
				   "\"first\": true, \"last\": false, \"content\": [{\"id\": \"" ID1 "\"}]}", 1, &p, why,
				   sizeof(why)), ERR_OK);
	assert_int_equal(p.api, ORUK_API_V1);
	assert_string_equal(oruk_api_name(p.api), "ORUK v1");
	assert_int_equal(p.total_items, 738);
	assert_int_equal(p.total_pages, 74);
	assert_true(oruk_page_more(&p, 1));
	oruk_page_release(&p);
	/* Some v1 servers count pages from 0. */
	assert_int_equal(read_page("{\"number\": 0, \"last\": true, \"content\": [{}]}", 1, &p, why, sizeof(why)),
			 ERR_OK);
	assert_false(oruk_page_more(&p, 1));
	oruk_page_release(&p);
	/* A bare array is the whole list. */
	assert_int_equal(read_page("[{\"id\": \"" ID1 "\"}]", 1, &p, why, sizeof(why)), ERR_OK);
	assert_int_equal(p.api, ORUK_API_ARRAY);
	assert_false(oruk_page_more(&p, 1));
	oruk_page_release(&p);
}

static void page_refused(void **state)
{
	static const struct { const char *text; int64_t asked; enum err e; const char *why; } cases[] = {
		{ "{\"contents\": [", 1, ERR_INVALID, "page 1 is not JSON (line 1: " },
		{ "", 2, ERR_INVALID, "page 2 is not JSON" },
		{ "{\"services\": []}", 1, ERR_INVALID, "page 1 is not an ORUK services list: it has neither "
		  "\"contents\" (ORUK 3.0) nor \"content\" (ORUK v1)" },
		{ "\"contents\"", 1, ERR_INVALID, "page 1 is not JSON" },
		{ "[1, 2]", 1, ERR_OK, "" },
		{ "{\"contents\": {}}", 1, ERR_INVALID, "page 1's \"contents\" is not a list of services" },
		{ "{\"content\": null}", 3, ERR_INVALID, "page 3's \"content\" is not a list of services" },
		{ "{\"contents\": [], \"total_pages\": \"3\"}", 1, ERR_INVALID,
		  "page 1's \"total_pages\" is not a whole number" },
		{ "{\"contents\": [], \"total_pages\": -1}", 1, ERR_INVALID,
		  "page 1's \"total_pages\" is not a whole number" },
		{ "{\"contents\": [], \"total_pages\": 2.5}", 1, ERR_INVALID,
		  "page 1's \"total_pages\" is not a whole number" },
		{ "{\"content\": [], \"last\": \"yes\"}", 1, ERR_INVALID, "page 1's \"last\" is not true or false" },
		{ "{\"contents\": [{}], \"page_number\": 7}", 2, ERR_INVALID,
		  "the feed answered page 7 when asked for page 2" },
		{ "{\"contents\": [{}], \"total_pages\": 2}", 4, ERR_INVALID,
		  "page 4 lists services but says there are only 2 pages" },
		{ "{\"contents\": [], \"contents\": []}", 1, ERR_INVALID, "page 1 is not JSON" },
	};
	struct oruk_page p;
	char why[256];

	UNUSED(state);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		enum err e = read_page(cases[i].text, cases[i].asked, &p, why, sizeof(why));

		if (e != cases[i].e || strncmp(why, cases[i].why, strlen(cases[i].why)) != 0)
			fail_msg("case %zu (%s): got %s \"%s\"", i, cases[i].text, err_name(e), why);
		assert_false(oruk_page_more(&p, cases[i].asked));   /* never a page after a refused one */
		oruk_page_release(&p);
	}
}

static void page_too_many(void **state)
{
	struct buf b;
	struct oruk_page p;
	char why[256];

	UNUSED(state);
	buf_init(&b, 1 << 20);
	buf_adds(&b, "{\"contents\": [");
	for (int i = 0; i <= ORUK_PAGE_ITEMS_MAX; i++)
		buf_adds(&b, i ? ",{}" : "{}");
	buf_adds(&b, "]}");
	assert_true(buf_ok(&b));
	assert_int_equal(oruk_page_read(b.p, b.len, 1, &p, why, sizeof(why)), ERR_TOO_LARGE);
	assert_string_equal(why, "page 1 lists more than 10000 services");
	oruk_page_release(&p);
	buf_release(&b);
}

static void entries(void **state)
{
	json_t *summary = json_loads("{\"id\": \"738F94E0-AA6C-6A5C-2395-7B64421BA2A5\", \"name\": \"A\", "
				     "\"organization\": {\"id\": \"x\"}, \"schedules\": [], \"pc_targetAudience\": []}",
				     0, NULL);
	json_t *full = json_loads("{\"id\": \"" ID1 "\", \"service_at_locations\": [{}]}", 0, NULL);
	json_t *v1full = json_loads("{\"id\": \"" ID1 "\", \"regular_schedules\": [{}]}", 0, NULL);
	json_t *same = json_loads("{\"pc_targetAudience\": [], \"schedules\": [], \"name\": \"A\", "
				  "\"organization\": {\"id\": \"x\"}, \"id\": \"738F94E0-AA6C-6A5C-2395-7B64421BA2A5\"}",
				  0, NULL);
	json_t *bad = json_loads("{\"id\": \"../../admin\"}", 0, NULL);
	char id[37], h1[65], h2[65], h3[65];

	UNUSED(state);
	assert_true(oruk_page_is_summary(summary));
	assert_false(oruk_page_is_summary(full));
	assert_false(oruk_page_is_summary(v1full));
	assert_false(oruk_page_is_summary(json_object_get(full, "id")));
	/* Ids are UUIDs, lowercased; anything else never goes into a URL. */
	assert_true(oruk_page_item_id(summary, id));
	assert_string_equal(id, ID1);
	assert_false(oruk_page_item_id(bad, id));
	assert_false(oruk_page_item_id(json_object_get(full, "id"), id));
	/* The hash ignores the order of keys and sees any change. */
	oruk_page_item_hash(summary, h1);
	oruk_page_item_hash(same, h2);
	oruk_page_item_hash(full, h3);
	assert_string_equal(h1, h2);
	assert_string_not_equal(h1, h3);
	assert_int_equal(strlen(h1), 64);
	json_decref(summary);
	json_decref(full);
	json_decref(v1full);
	json_decref(same);
	json_decref(bad);
}

static void urls(void **state)
{
	static const struct { const char *base, *list; } ok[] = {
		{ "https://api.example.org", "https://api.example.org/services" },
		{ "https://api.example.org/", "https://api.example.org/services" },
		{ "HTTPS://api.example.org/oruk/v3/", "HTTPS://api.example.org/oruk/v3/services" },
		{ "http://127.0.0.1:8080/services", "http://127.0.0.1:8080/services" },
		{ "http://127.0.0.1:8080/services/", "http://127.0.0.1:8080/services" },
		{ "https://x.org/api?taxonomy_id=abc#top", "https://x.org/api/services?taxonomy_id=abc" },
		{ "https://x.org/myservices", "https://x.org/myservices/services" },
	};
	static const struct { const char *base, *why; } bad[] = {
		{ "", "the feed's URL must be given" },
		{ "ftp://x.org/services", "the feed's URL must start with http:// or https://" },
		{ "file:///etc/passwd", "the feed's URL must start with http:// or https://" },
		{ "gopher://x.org", "the feed's URL must start with http:// or https://" },
		{ "x.org/services", "the feed's URL must start with http:// or https://" },
		{ "https://", "the feed's URL has no host name" },
		{ "https:///services", "the feed's URL has no host name" },
		{ "https://@x.org", "the feed's URL has no host name" },
		{ "https://x.org/a b", "the feed's URL has a space" },
		{ "https://x.org/\xc3\xa9", "the feed's URL has a space" },
		{ "https://x.org/\r\nHost: y", "the feed's URL has a space" },
	};
	struct buf b;
	char why[256];

	UNUSED(state);
	buf_init(&b, 4096);
	for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
		assert_int_equal(oruk_list_url(ok[i].base, &b, why, sizeof(why)), ERR_OK);
		assert_string_equal(b.p, ok[i].list);
	}
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		why[0] = '\0';
		assert_int_equal(oruk_list_url(bad[i].base, &b, why, sizeof(why)), ERR_INVALID);
		if (strncmp(why, bad[i].why, strlen(bad[i].why)) != 0)
			fail_msg("%s: %s", bad[i].base, why);
	}
	{
		char long_url[ORUK_URL_MAX + 20];

		memset(long_url, 'a', sizeof(long_url) - 1);
		memcpy(long_url, "https://", 8);
		long_url[sizeof(long_url) - 1] = '\0';
		assert_int_equal(oruk_list_url(long_url, &b, why, sizeof(why)), ERR_INVALID);
	}
	assert_int_equal(oruk_page_url("https://x.org/services", 3, 100, &b), ERR_OK);
	assert_string_equal(b.p, "https://x.org/services?page=3&per_page=100");
	assert_int_equal(oruk_page_url("https://x.org/services?taxonomy_id=abc", 1, 10, &b), ERR_OK);
	assert_string_equal(b.p, "https://x.org/services?taxonomy_id=abc&page=1&per_page=10");
	assert_int_equal(oruk_record_url("https://x.org/services?taxonomy_id=abc", ID1, &b), ERR_OK);
	assert_string_equal(b.p, "https://x.org/services/" ID1);
	buf_release(&b);
}

/* Tuesday 24 November 2026, 09:00 UTC (GMT), and 1 July 2026, 09:00 UTC (BST). */
#define WINTER INT64_C(1795510800)
#define SUMMER INT64_C(1782896400)

static void schedules(void **state)
{
	struct feed_schedule s = { 0, -1 };
	int64_t every;
	int minute;
	char words[64];

	UNUSED(state);
	assert_true(feed_parse_every("24h", &every) && every == 86400);
	assert_true(feed_parse_every("90m", &every) && every == 5400);
	assert_true(feed_parse_every("7d", &every) && every == 7 * 86400);
	assert_true(feed_parse_every("15m", &every) && every == 900);
	assert_false(feed_parse_every("14m", &every));        /* too often to be polite */
	assert_false(feed_parse_every("31d", &every));
	assert_false(feed_parse_every("24", &every));
	assert_false(feed_parse_every("h", &every));
	assert_false(feed_parse_every("-1h", &every));
	assert_false(feed_parse_every("1.5h", &every));
	assert_false(feed_parse_every(NULL, &every));
	assert_true(feed_parse_daily("06:30", &minute) && minute == 390);
	assert_true(feed_parse_daily("00:00", &minute) && minute == 0);
	assert_true(feed_parse_daily("23:59", &minute) && minute == 1439);
	assert_false(feed_parse_daily("24:00", &minute));
	assert_false(feed_parse_daily("6:30", &minute));
	assert_false(feed_parse_daily("06:60", &minute));
	assert_false(feed_parse_daily("06-30", &minute));

	/* By hand only: never due. */
	assert_int_equal(feed_next_at(&s, WINTER), 0);
	feed_schedule_words(&s, words, sizeof(words));
	assert_string_equal(words, "by hand only");
	s.every_s = 86400;
	assert_int_equal(feed_next_at(&s, WINTER), WINTER + 86400);
	feed_schedule_words(&s, words, sizeof(words));
	assert_string_equal(words, "every 24 hours");
	s.every_s = 7 * 86400;
	feed_schedule_words(&s, words, sizeof(words));
	assert_string_equal(words, "every 7 days");
	s.every_s = 5400;
	feed_schedule_words(&s, words, sizeof(words));
	assert_string_equal(words, "every 90 minutes");
	/* Daily at 06:30 UK time: 06:30 UTC in winter, 05:30 UTC in summer. */
	s = (struct feed_schedule){ 0, 390 };
	feed_schedule_words(&s, words, sizeof(words));
	assert_string_equal(words, "daily at 06:30");
	assert_int_equal(feed_next_at(&s, WINTER), WINTER - 9 * 3600 + 86400 + 6 * 3600 + 1800);
	assert_int_equal(feed_next_at(&s, SUMMER), SUMMER - 9 * 3600 + 86400 + 5 * 3600 + 1800);
	/* Later the same day when that time is still to come. */
	s.daily_at = 21 * 60;
	assert_int_equal(feed_next_at(&s, WINTER), WINTER + 12 * 3600);
	assert_int_equal(feed_next_at(&s, SUMMER), SUMMER + 11 * 3600);

	assert_true(feed_name_ok("north-lincs"));
	assert_true(feed_name_ok("api.northlincs.gov.uk"));
	assert_false(feed_name_ok(""));
	assert_false(feed_name_ok("North Lincs"));
	assert_false(feed_name_ok("a/b"));
	assert_false(feed_name_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(page_oruk3),
		cmocka_unit_test(page_v1_and_array),
		cmocka_unit_test(page_refused),
		cmocka_unit_test(page_too_many),
		cmocka_unit_test(entries),
		cmocka_unit_test(urls),
		cmocka_unit_test(schedules),
	};

	return cmocka_run_group_tests_name("pull", tests, NULL, NULL);
}
