/*
 * test_respcache.c - the finished-answer cache: what is put comes back
 * byte for byte; a new version or the expiry makes an entry unreachable;
 * keys never collide; the byte and entry bounds evict the least recently
 * used; an answer too large is refused; ETag matching as RFC 9110 reads
 * If-None-Match; and several threads putting and getting at once never
 * see another key's bytes.
 */
#include "core/common.h"

#include <pthread.h>
#include <setjmp.h>
#include <cmocka.h>

#include "web/respcache.h"

#define NOW 1796000000

static bool put(struct respcache *c, const char *key, uint64_t ver, int64_t now, const char *body)
{
	struct respcache_item it = { .status = 200, .content_type = "application/json",
				     .body = body, .len = strlen(body) };

	return respcache_put(c, key, strlen(key), ver, now, 30, &it);
}

/* The body under key at ver and now, or NULL (a static copy). */
static const char *get(struct respcache *c, const char *key, uint64_t ver, int64_t now)
{
	static char out[4096];
	const struct respcache_item *it = respcache_get(c, key, strlen(key), ver, now);

	if (!it)
		return NULL;
	assert_true(it->len < sizeof(out));
	memcpy(out, it->body, it->len);
	out[it->len] = '\0';
	respcache_release(it);
	return out;
}

static void put_get_version_expiry(void **state)
{
	struct respcache *c = respcache_new(1 << 20, 100, 4);
	const struct respcache_item *it;
	struct respcache_item x = { .status = 200, .content_type = "application/x-ndjson",
				    .hdr_name = "X-Total-Count", .hdr_val = "12", .body = "{}\n", .len = 3 };
	struct respcache_stats st;
	char tag[36];

	UNUSED(state);
	assert_null(respcache_new(0, 100, 4));     /* off */
	assert_null(respcache_new(1 << 20, 0, 4));
	assert_non_null(c);
	assert_null(get(c, "a", 1, NOW));
	assert_true(respcache_put(c, "a", 1, 1, NOW, 30, &x));
	it = respcache_get(c, "a", 1, 1, NOW);
	assert_non_null(it);
	assert_int_equal(it->status, 200);
	assert_string_equal(it->content_type, "application/x-ndjson");
	assert_string_equal(it->hdr_name, "X-Total-Count");
	assert_string_equal(it->hdr_val, "12");
	assert_int_equal(it->len, 3);
	assert_memory_equal(it->body, "{}\n", 3);
	respcache_etag("{}\n", 3, tag);
	assert_string_equal(it->etag, tag);
	assert_int_equal(strlen(tag), 34);
	respcache_release(it);

	/* Another version: unreachable, and gone. */
	assert_null(get(c, "a", 2, NOW));
	assert_null(get(c, "a", 1, NOW));
	/* Expired at now + ttl. */
	assert_true(put(c, "b", 7, NOW, "bee"));
	assert_string_equal(get(c, "b", 7, NOW + 29), "bee");
	assert_null(get(c, "b", 7, NOW + 30));
	/* Replaced, not doubled. */
	assert_true(put(c, "k", 1, NOW, "one"));
	assert_true(put(c, "k", 1, NOW, "two"));
	assert_string_equal(get(c, "k", 1, NOW), "two");
	respcache_stats(c, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.hits, 3);
	respcache_free(c);
}

static void keys_do_not_collide(void **state)
{
	struct respcache *c = respcache_new(1 << 20, 1000, 8);
	char key[32], body[32];

	UNUSED(state);
	/* Prefixes of one another, and one byte apart. */
	assert_true(put(c, "L|1|10|walk", 1, NOW, "A"));
	assert_true(put(c, "L|1|10|walking", 1, NOW, "B"));
	assert_true(put(c, "L|1|10|walkinh", 1, NOW, "C"));
	assert_true(put(c, "L|1|1|walking", 1, NOW, "D"));
	assert_string_equal(get(c, "L|1|10|walk", 1, NOW), "A");
	assert_string_equal(get(c, "L|1|10|walking", 1, NOW), "B");
	assert_string_equal(get(c, "L|1|10|walkinh", 1, NOW), "C");
	assert_string_equal(get(c, "L|1|1|walking", 1, NOW), "D");
	assert_null(get(c, "L|1|10|walkin", 1, NOW));
	for (int i = 0; i < 500; i++) {
		snprintf(key, sizeof(key), "key %d", i);
		snprintf(body, sizeof(body), "body %d", i);
		assert_true(put(c, key, 1, NOW, body));
	}
	for (int i = 0; i < 500; i++) {
		snprintf(key, sizeof(key), "key %d", i);
		snprintf(body, sizeof(body), "body %d", i);
		assert_string_equal(get(c, key, 1, NOW), body);
	}
	respcache_free(c);
}

static void bounded_least_recently_used_out(void **state)
{
	struct respcache *c = respcache_new(1 << 20, 3, 1);
	struct respcache_stats st;
	char big[3000], key[16];

	UNUSED(state);
	assert_true(put(c, "a", 1, NOW, "1"));
	assert_true(put(c, "b", 1, NOW, "2"));
	assert_true(put(c, "c", 1, NOW, "3"));
	assert_non_null(get(c, "a", 1, NOW));      /* a is now the most recent */
	assert_true(put(c, "d", 1, NOW, "4"));     /* b goes */
	assert_null(get(c, "b", 1, NOW));
	assert_non_null(get(c, "a", 1, NOW));
	assert_non_null(get(c, "c", 1, NOW));
	assert_non_null(get(c, "d", 1, NOW));
	respcache_stats(c, &st);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.evictions, 1);
	respcache_free(c);

	/* Bytes: 10 KB holds about three 3,000-byte answers, never more
	 * than 10 KB, and one larger than the whole is refused. */
	c = respcache_new(10000, 1000, 1);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int i = 0; i < 20; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_true(put(c, key, 1, NOW, big));
		respcache_stats(c, &st);
		assert_true(st.bytes <= 10000);
		assert_true(st.entries <= 3);
	}
	assert_non_null(get(c, "k19", 1, NOW));
	assert_null(get(c, "k0", 1, NOW));
	{
		char *huge = malloc(20001);

		memset(huge, 'y', 20000);
		huge[20000] = '\0';
		assert_false(put(c, "huge", 1, NOW, huge));
		assert_null(get(c, "huge", 1, NOW));
		free(huge);
	}
	/* An entry a reader holds outlives its eviction. */
	{
		const struct respcache_item *held = respcache_get(c, "k19", 3, 1, NOW);

		assert_non_null(held);
		for (int i = 20; i < 30; i++) {
			snprintf(key, sizeof(key), "k%d", i);
			assert_true(put(c, key, 1, NOW, big));
		}
		assert_null(get(c, "k19", 1, NOW));
		assert_int_equal(held->len, sizeof(big) - 1);
		assert_int_equal(held->body[100], 'x');
		respcache_release(held);
	}
	respcache_free(c);
}

static void etag_matching(void **state)
{
	const char *tag = "\"0123456789abcdef0123456789abcdef\"";
	char body[100], a[36], b[36];

	UNUSED(state);
	/* The tag is the bytes': one changed, one more (even a NUL), one
	 * fewer, each its own tag; the same bytes, the same tag. */
	memset(body, 'x', sizeof(body));
	for (size_t n = 0; n < sizeof(body) - 1; n++) {
		respcache_etag(body, n, a);
		respcache_etag(body, n, b);
		assert_string_equal(a, b);
		assert_int_equal(strlen(a), 34);
		respcache_etag(body, n + 1, b);
		assert_string_not_equal(a, b);
		if (n) {
			body[n / 2] = 'y';
			respcache_etag(body, n, b);
			assert_string_not_equal(a, b);
			body[n / 2] = 'x';
		}
	}
	body[10] = '\0';
	respcache_etag(body, 10, a);
	respcache_etag(body, 11, b);
	assert_string_not_equal(a, b);

	assert_false(respcache_etag_matches(NULL, tag));
	assert_false(respcache_etag_matches("", tag));
	assert_true(respcache_etag_matches(tag, tag));
	assert_true(respcache_etag_matches("*", tag));
	assert_true(respcache_etag_matches("W/\"0123456789abcdef0123456789abcdef\"", tag));
	assert_true(respcache_etag_matches("\"x\", \"0123456789abcdef0123456789abcdef\"", tag));
	assert_true(respcache_etag_matches("\"x\",W/\"0123456789abcdef0123456789abcdef\" ", tag));
	assert_false(respcache_etag_matches("\"0123456789abcdef0123456789abcdee\"", tag));
	assert_false(respcache_etag_matches("\"0123456789abcdef0123456789abcdef", tag));
	assert_false(respcache_etag_matches("\"0123456789abcdef\"", tag));
	assert_false(respcache_etag_matches("\"x\", \"y\"", tag));
}

/* ---------------------------------------------------------------- threads */

#define THREADS 4
#define OPS 20000
#define KEYS 64

struct worker_arg {
	struct respcache *c;
	unsigned seed;
	int wrong, hits;
};

static void body_of(int k, uint64_t ver, char *out, size_t n)
{
	/* Long enough to be copied while another thread evicts. */
	snprintf(out, n, "key %d version %llu ..........................................................", k,
		 (unsigned long long)ver);
}

static void *worker(void *p)
{
	struct worker_arg *w = p;
	char key[16], want[128];

	for (int i = 0; i < OPS; i++) {
		int k = (int)(rand_r(&w->seed) % KEYS);
		uint64_t ver = 1 + (uint64_t)(i / 5000);   /* the data changes now and then */
		const struct respcache_item *it;

		snprintf(key, sizeof(key), "k%d", k);
		body_of(k, ver, want, sizeof(want));
		it = respcache_get(w->c, key, strlen(key), ver, NOW);
		if (it) {
			w->hits++;
			if (it->len != strlen(want) || memcmp(it->body, want, it->len) != 0)
				w->wrong++;
			respcache_release(it);
		} else {
			struct respcache_item x = { .status = 200, .content_type = "text/plain",
						    .body = want, .len = strlen(want) };

			respcache_put(w->c, key, strlen(key), ver, NOW, 30, &x);
		}
	}
	return NULL;
}

static void threads_never_see_another_keys_bytes(void **state)
{
	/* Fewer entries than keys: eviction runs all the time. */
	struct respcache *c = respcache_new(1 << 20, 32, 4);
	pthread_t th[THREADS];
	struct worker_arg w[THREADS];
	struct respcache_stats st;
	int hits = 0;

	UNUSED(state);
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker_arg){ .c = c, .seed = (unsigned)(i * 7919 + 1) };
		assert_int_equal(pthread_create(&th[i], NULL, worker, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].wrong, 0);
		hits += w[i].hits;
	}
	respcache_stats(c, &st);
	assert_true(hits > 0);
	assert_true(st.entries <= 32);
	assert_int_equal(st.hits, (uint64_t)hits);
	respcache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(put_get_version_expiry),
		cmocka_unit_test(keys_do_not_collide),
		cmocka_unit_test(bounded_least_recently_used_out),
		cmocka_unit_test(etag_matching),
		cmocka_unit_test(threads_never_see_another_keys_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
