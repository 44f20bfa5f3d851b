/*
 * peers.h - who a request comes from, and how many of theirs are open.
 *
 * A peer is the address at the other end of the socket. Behind a reverse
 * proxy that is the proxy, and the person is the address the proxy reports
 * in X-Forwarded-For. Only a peer in the trusted list (`trusted_proxies`,
 * with `trust_proxy` on) is believed, and of the addresses it reports the
 * right-most one that is not itself a trusted proxy is the client: every
 * entry left of it could have been written by the client. Per-address
 * limits (open connections, requests in flight, the request budget) are
 * kept against that client, never against the proxy.
 *
 * Addresses are held as 16 bytes, IPv4 as IPv4-mapped IPv6, so that
 * "1.2.3.4" and "::ffff:1.2.3.4" are one address.
 */
#ifndef KITH_HTTP_PEERS_H
#define KITH_HTTP_PEERS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PEER_TEXT_MAX 46        /* INET6_ADDRSTRLEN */
#define PROXIES_MAX 32

struct peer_addr {
	uint8_t b[16];
};

struct proxy_net {
	struct peer_addr addr;
	unsigned prefix;            /* leading bits that must match, 0..128 */
};

struct proxies {
	struct proxy_net nets[PROXIES_MAX];
	size_t n;
};

/* Numeric IPv4 or IPv6 address, exactly len bytes, no port or brackets. */
bool peer_parse(const char *s, size_t len, struct peer_addr *out);
/* From a struct sockaddr (AF_INET or AF_INET6); false for other families. */
bool peer_from_sockaddr(const void *sa, struct peer_addr *out);
/* Canonical text: dotted quad for IPv4 (mapped or not), else RFC 5952. */
void peer_format(const struct peer_addr *a, char out[PEER_TEXT_MAX]);

/* "127.0.0.1 ::1 10.0.0.0/8", separated by spaces or commas. NULL when
 * good, else what is wrong, in words. out may be NULL to only check. */
const char *proxies_parse(const char *spec, struct proxies *out);
bool proxies_trust(const struct proxies *p, const struct peer_addr *a);

/* The client behind peer: peer itself unless p trusts it (p NULL: trust
 * nobody); then, walking xff (the X-Forwarded-For values joined with
 * commas, may be NULL) from the right, the first address p does not
 * trust. If every entry is trusted, the left-most; an entry that is not
 * an address stops the walk at the last good one. Returns whether the
 * answer came from xff rather than the socket. */
bool peer_client(const struct proxies *p, const struct peer_addr *peer, const char *xff,
		 struct peer_addr *client);

/* ---------------------------------------------------------------- tally
 * Counts per address (connections open, requests in flight), bounded:
 * room for `room` distinct addresses at once. Thread-safe. */
struct tally_slot {
	struct peer_addr a;
	unsigned n;                 /* 0: free */
};

struct tally {
	pthread_mutex_t mu;
	struct tally_slot *s;
	size_t cap;                 /* power of two, at least 2 x room */
	size_t used;
};

bool tally_init(struct tally *t, size_t room);
void tally_free(struct tally *t);
/* One more for a unless it already has limit (then false, nothing
 * counted); also false when the table is full. */
bool tally_take(struct tally *t, const struct peer_addr *a, unsigned limit);
/* One fewer for a (taken before). */
void tally_give(struct tally *t, const struct peer_addr *a);
unsigned tally_count(struct tally *t, const struct peer_addr *a);

#endif
