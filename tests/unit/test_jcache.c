/*
 * test_jcache.c - parsed JSON kept between requests (src/view/jcache.c):
 * a hit is the same tree, other text under the same key is parsed again,
 * keys in one slot replace each other, bad JSON is NULL and long texts
 * are not kept.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "view/jcache.h"

static struct jcache c = JCACHE_INIT;

static void test_hit_is_the_same_tree(void **state)
{
	json_t *a, *b;

	(void)state;
	jcache_clear(&c);
	a = jcache_loads(&c, "svc-1", "{\"name\":\"Walk\"}");
	b = jcache_loads(&c, "svc-1", "{\"name\":\"Walk\"}");
	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_int_equal(c.hits, 1);
	assert_int_equal(c.misses, 1);
	json_decref(a);
	json_decref(b);
	jcache_clear(&c);
}

static void test_changed_text_is_parsed_again(void **state)
{
	json_t *a, *b;

	(void)state;
	a = jcache_loads(&c, "svc-1", "{\"name\":\"Walk\"}");
	b = jcache_loads(&c, "svc-1", "{\"name\":\"Walks\"}");
	assert_ptr_not_equal(a, b);
	assert_string_equal(json_string_value(json_object_get(a, "name")), "Walk");
	assert_string_equal(json_string_value(json_object_get(b, "name")), "Walks");
	json_decref(a);
	json_decref(b);
	/* Same text under another key is not the first key's tree. */
	a = jcache_loads(&c, "svc-2", "{\"name\":\"Walks\"}");
	assert_string_equal(json_string_value(json_object_get(a, "name")), "Walks");
	json_decref(a);
	jcache_clear(&c);
}

static void test_many_keys_stay_right(void **state)
{
	char key[32], text[64];

	(void)state;
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 3 * JCACHE_SLOTS; i++) {
			json_t *v;

			snprintf(key, sizeof(key), "k%d", i);
			snprintf(text, sizeof(text), "{\"i\":%d}", i);
			v = jcache_loads(&c, key, text);
			assert_non_null(v);
			assert_int_equal(json_integer_value(json_object_get(v, "i")), i);
			json_decref(v);
		}
	jcache_clear(&c);
}

/* A page's twenty results stay cached together: keys that hash to the
 * same set share its ways instead of evicting each other. */
static void test_a_page_of_keys_all_hit(void **state)
{
	char key[48];

	(void)state;
	jcache_clear(&c);
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 20; i++) {
			snprintf(key, sizeof(key), "00000000-0000-5000-8000-%012d", i * 7919);
			json_decref(jcache_loads(&c, key, "{\"a\":1}"));
		}
	assert_int_equal(c.misses, 20);
	assert_int_equal(c.hits, 20);
	jcache_clear(&c);
}

static void test_bad_and_long(void **state)
{
	char *big = malloc(JCACHE_MAX_TEXT + 16);
	json_t *a, *b;

	(void)state;
	assert_null(jcache_loads(&c, "x", "{not json"));
	assert_null(jcache_loads(&c, "x", ""));
	memset(big, ' ', JCACHE_MAX_TEXT + 8);
	memcpy(big, "{\"a\":1}", 7);
	big[JCACHE_MAX_TEXT + 8] = '\0';
	a = jcache_loads(&c, "big", big);
	b = jcache_loads(&c, "big", big);
	assert_non_null(a);
	assert_ptr_not_equal(a, b);
	json_decref(a);
	json_decref(b);
	free(big);
	jcache_clear(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_is_the_same_tree),
		cmocka_unit_test(test_changed_text_is_parsed_again),
		cmocka_unit_test(test_many_keys_stay_right),
		cmocka_unit_test(test_a_page_of_keys_all_hit),
		cmocka_unit_test(test_bad_and_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
