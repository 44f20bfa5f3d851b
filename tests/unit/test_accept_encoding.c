/*
 * test_accept_encoding.c - Accept-Encoding parsing (http_accepts_gzip): q-values
 * per RFC 9110 12.4.2, case, "*", x-gzip, malformed weights refused.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "http/compress.h"

static void test_accepts(void **state)
{
	static const char *const yes[] = {
		"gzip", "GZip", "x-gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.001",
		"*", "deflate, *;q=0.5", "gzip;q=1", "gzip;q=1.", "gzip;q=1.000",
		"gzip ; q=0.8", "gzip;Q=0.5", "  gzip  ", "identity, gzip",
		"gzip;level=1", "gzip;q=0.5, *;q=0", ",,gzip,,", "gzip;q=0.5;foo=bar",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(yes); i++)
		if (!http_accepts_gzip(yes[i]))
			fail_msg("refused: %s", yes[i]);
}

static void test_refuses(void **state)
{
	static const char *const no[] = {
		"", ",", "identity", "deflate", "br", "gzipx", "xgzip", "gzip2",
		"gzip;q=0", "gzip; q=0", "gzip;q=0.0", "gzip;q=0.000", "GZIP;Q=0",
		"*, gzip;q=0", "gzip;q=0, *", "*;q=0", "br, *;q=0.0",
		"gzip;q=2", "gzip;q=1.5", "gzip;q=1.001", "gzip;q=0.0001", "gzip;q=",
		"gzip;q=abc", "gzip;q=-1", "gzip;q= 1", "gzip;q=.5",
		"gzip, gzip;q=0", "gzip;q=0.5, gzip;q=0",
	};

	(void)state;
	assert_false(http_accepts_gzip(NULL));
	for (size_t i = 0; i < ARRAY_LEN(no); i++)
		if (http_accepts_gzip(no[i]))
			fail_msg("accepted: %s", no[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts),
		cmocka_unit_test(test_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
