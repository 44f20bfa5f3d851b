/*
 * test_ratelimit.c - token buckets: burst, refill, Retry-After, keys kept
 * apart.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/ratelimit.h"

static void burst_then_refused_then_refilled(void **state)
{
	struct ratelimit *rl = ratelimit_new(60, 3, 64);   /* one a second, burst 3 */
	uint64_t t = 1000000000;
	int retry = 0;

	UNUSED(state);
	assert_non_null(rl);
	for (int i = 0; i < 3; i++)
		assert_true(ratelimit_take(rl, "a", 1, t, &retry));
	assert_false(ratelimit_take(rl, "a", 1, t, &retry));
	assert_int_equal(retry, 2);   /* a token in 1 s; rounded up, plus one */
	assert_true(ratelimit_take(rl, "b", 1, t, &retry));   /* another key */
	assert_false(ratelimit_take(rl, "a", 1, t + 500000, &retry));
	assert_true(ratelimit_take(rl, "a", 1, t + 1000001, &retry));
	assert_false(ratelimit_take(rl, "a", 1, t + 1000002, &retry));
	/* Idle long enough: the bucket is full again, but no fuller. */
	t += 3600ull * 1000000;
	for (int i = 0; i < 3; i++)
		assert_true(ratelimit_take(rl, "a", 1, t, &retry));
	assert_false(ratelimit_take(rl, "a", 1, t, &retry));
	ratelimit_free(rl);
}

static void many_keys_fail_open(void **state)
{
	struct ratelimit *rl = ratelimit_new(60, 1, 64);
	int retry, allowed = 0;
	char key[32];

	UNUSED(state);
	/* Far more live keys than slots: newcomers without a slot are let
	 * through rather than refused. */
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "10.0.%d.%d", i / 256, i % 256);
		allowed += ratelimit_take(rl, key, strlen(key), 5000000, &retry);
	}
	assert_int_equal(allowed, 1000);
	ratelimit_free(rl);
	assert_null(ratelimit_new(0, 1, 64));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(burst_then_refused_then_refilled),
		cmocka_unit_test(many_keys_fail_open),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
