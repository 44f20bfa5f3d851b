/*
 * test_peers.c - the client behind a trusted proxy: only trusted peers are
 * believed, the right-most untrusted X-Forwarded-For entry wins, spoofed
 * entries left of it are ignored; trusted-proxy lists; per-address tallies.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "http/peers.h"

static struct peer_addr A(const char *s)
{
	struct peer_addr a;

	assert_true(peer_parse(s, strlen(s), &a));
	return a;
}

static const char *text(const struct peer_addr *a)
{
	static char buf[PEER_TEXT_MAX];

	peer_format(a, buf);
	return buf;
}

static bool trusts(const struct proxies *p, const char *s)
{
	struct peer_addr a = A(s);

	return proxies_trust(p, &a);
}

/* Who is the client, given the trusted list, peer and header? */
static const char *who(const char *trusted, const char *peer, const char *xff)
{
	struct proxies p;
	struct peer_addr pa = A(peer), c;

	assert_null(proxies_parse(trusted, &p));
	peer_client(trusted[0] ? &p : NULL, &pa, xff, &c);
	return text(&c);
}

static void addresses_parse_and_print_canonically(void **state)
{
	struct peer_addr a, b;
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };

	UNUSED(state);
	a = A("192.0.2.7");
	b = A("::ffff:192.0.2.7");
	assert_memory_equal(&a, &b, sizeof(a));        /* one address, two spellings */
	assert_string_equal(text(&b), "192.0.2.7");
	a = A("2001:DB8:0:0::1");
	assert_string_equal(text(&a), "2001:db8::1");
	assert_false(peer_parse("192.0.2.7:80", 12, &a));
	assert_false(peer_parse("[::1]", 5, &a));
	assert_false(peer_parse("", 0, &a));
	assert_false(peer_parse("unknown", 7, &a));
	assert_false(peer_parse("1.2.3.4 ", 8, &a));

	inet_pton(AF_INET, "198.51.100.1", &s4.sin_addr);
	assert_true(peer_from_sockaddr(&s4, &a));
	assert_string_equal(text(&a), "198.51.100.1");
	inet_pton(AF_INET6, "::ffff:198.51.100.1", &s6.sin6_addr);   /* dual-stack socket */
	assert_true(peer_from_sockaddr(&s6, &b));
	assert_memory_equal(&a, &b, sizeof(a));
}

static void trusted_lists(void **state)
{
	struct proxies p;

	UNUSED(state);
	assert_null(proxies_parse("127.0.0.1 ::1", &p));
	assert_int_equal(p.n, 2);
	assert_true(trusts(&p, "127.0.0.1"));
	assert_true(trusts(&p, "::1"));
	assert_false(trusts(&p, "127.0.0.2"));
	assert_false(trusts(NULL, "127.0.0.1"));

	assert_null(proxies_parse("10.0.0.0/8, 192.168.1.128/25,2001:db8::/32", &p));
	assert_int_equal(p.n, 3);
	assert_true(trusts(&p, "10.255.0.1"));
	assert_false(trusts(&p, "11.0.0.1"));
	assert_true(trusts(&p, "192.168.1.200"));
	assert_false(trusts(&p, "192.168.1.127"));
	assert_true(trusts(&p, "2001:db8:ffff::9"));
	assert_false(trusts(&p, "2001:db9::9"));
	/* An IPv4 network never takes in IPv6 addresses that share bits. */
	assert_false(trusts(&p, "::a00:1"));

	assert_null(proxies_parse("", &p));
	assert_int_equal(p.n, 0);
	assert_non_null(proxies_parse("localhost", NULL));
	assert_non_null(proxies_parse("10.0.0.0/33", NULL));
	assert_non_null(proxies_parse("10.0.0.0/", NULL));
	assert_non_null(proxies_parse("10.0.0.0/8x", NULL));
	assert_non_null(proxies_parse("::/129", NULL));
	assert_null(proxies_parse("0.0.0.0/0", NULL));
}

static void untrusted_peer_is_the_client_whatever_it_says(void **state)
{
	UNUSED(state);
	/* A visitor reaching kith directly cannot pick an address. */
	assert_string_equal(who("127.0.0.1 ::1", "203.0.113.9", "127.0.0.1"), "203.0.113.9");
	assert_string_equal(who("127.0.0.1 ::1", "203.0.113.9", "198.51.100.1, 127.0.0.1"),
			    "203.0.113.9");
	/* trust_proxy off: nobody is believed, not even loopback. */
	assert_string_equal(who("", "127.0.0.1", "198.51.100.1"), "127.0.0.1");
}

static void trusted_peer_reports_the_client(void **state)
{
	UNUSED(state);
	assert_string_equal(who("127.0.0.1", "127.0.0.1", "198.51.100.1"), "198.51.100.1");
	assert_string_equal(who("127.0.0.1", "127.0.0.1", " 198.51.100.1 "), "198.51.100.1");
	assert_string_equal(who("127.0.0.1", "127.0.0.1", "2001:db8::5"), "2001:db8::5");
	/* No header: the trusted peer itself (a local scraper, a health check). */
	assert_string_equal(who("127.0.0.1", "127.0.0.1", NULL), "127.0.0.1");
	assert_string_equal(who("127.0.0.1", "127.0.0.1", ""), "127.0.0.1");
}

static void spoofed_entries_left_of_the_proxy_are_ignored(void **state)
{
	UNUSED(state);
	/* nginx's $proxy_add_x_forwarded_for appends the address it saw:
	 * whatever the visitor wrote before it is the visitor's word. */
	assert_string_equal(who("127.0.0.1", "127.0.0.1", "10.9.9.9, 203.0.113.9"), "203.0.113.9");
	assert_string_equal(who("127.0.0.1", "127.0.0.1", "127.0.0.1, 203.0.113.9"), "203.0.113.9");
	assert_string_equal(who("127.0.0.1", "127.0.0.1", "not-an-address, 203.0.113.9"),
			    "203.0.113.9");
}

static void chained_trusted_proxies_are_skipped(void **state)
{
	UNUSED(state);
	/* visitor -> CDN-ish proxy 10.0.0.5 -> nginx on loopback -> kith */
	assert_string_equal(who("127.0.0.1 10.0.0.0/8", "127.0.0.1", "198.51.100.7, 10.0.0.5"),
			    "198.51.100.7");
	assert_string_equal(who("127.0.0.1 10.0.0.0/8", "127.0.0.1",
				"6.6.6.6, 198.51.100.7, 10.0.0.5"), "198.51.100.7");
	/* Every entry trusted: the left-most is as far as we can see. */
	assert_string_equal(who("127.0.0.1 10.0.0.0/8", "127.0.0.1", "10.0.0.1, 10.0.0.5"),
			    "10.0.0.1");
	/* Garbage from a trusted hop stops the walk at the last good entry. */
	assert_string_equal(who("127.0.0.1 10.0.0.0/8", "127.0.0.1", "junk, 10.0.0.5"),
			    "10.0.0.5");
	/* Empty entries say nothing. */
	assert_string_equal(who("127.0.0.1", "127.0.0.1", "198.51.100.7,, "), "198.51.100.7");
	/* Headers joined: the last header's last entry is the nearest hop. */
	assert_string_equal(who("127.0.0.1", "127.0.0.1", "1.1.1.1,198.51.100.7"), "198.51.100.7");
}

static void tally_caps_each_address(void **state)
{
	struct tally t;
	struct peer_addr a = A("198.51.100.1"), b = A("198.51.100.2");

	UNUSED(state);
	assert_true(tally_init(&t, 8));
	for (int i = 0; i < 3; i++)
		assert_true(tally_take(&t, &a, 3));
	assert_false(tally_take(&t, &a, 3));
	assert_int_equal(tally_count(&t, &a), 3);
	assert_true(tally_take(&t, &b, 3));      /* another address has its own */
	tally_give(&t, &a);
	assert_true(tally_take(&t, &a, 3));
	for (int i = 0; i < 3; i++)
		tally_give(&t, &a);
	assert_int_equal(tally_count(&t, &a), 0);
	assert_int_equal(tally_count(&t, &b), 1);
	tally_free(&t);
}

static void tally_survives_churn(void **state)
{
	struct tally t;
	struct peer_addr a[64];
	char s[32];

	UNUSED(state);
	assert_true(tally_init(&t, 64));
	for (int i = 0; i < 64; i++) {
		snprintf(s, sizeof(s), "10.0.%d.%d", i / 7, i * 3);
		a[i] = A(s);
	}
	/* Many rounds of adding and removing in different orders must keep
	 * every count findable (deletion must not break probe runs). */
	for (int round = 0; round < 50; round++) {
		for (int i = 0; i < 64; i++)
			assert_true(tally_take(&t, &a[(i * 7 + round) % 64], 2));
		for (int i = 0; i < 64; i += 2)
			tally_give(&t, &a[(i * 5 + round) % 64]);
		for (int i = 0; i < 64; i++) {
			unsigned want = 1;

			for (int j = 0; j < 64; j += 2)
				if ((j * 5 + round) % 64 == i)
					want = 0;
			assert_int_equal(tally_count(&t, &a[i]), want);
		}
		for (int i = 0; i < 64; i++)
			if (tally_count(&t, &a[i]))
				tally_give(&t, &a[i]);
		assert_int_equal(t.used, 0);
	}
	tally_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(addresses_parse_and_print_canonically),
		cmocka_unit_test(trusted_lists),
		cmocka_unit_test(untrusted_peer_is_the_client_whatever_it_says),
		cmocka_unit_test(trusted_peer_reports_the_client),
		cmocka_unit_test(spoofed_entries_left_of_the_proxy_are_ignored),
		cmocka_unit_test(chained_trusted_proxies_are_skipped),
		cmocka_unit_test(tally_caps_each_address),
		cmocka_unit_test(tally_survives_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
