/*
 * peers.c - client addresses behind trusted proxies, and per-address
 * counts (see peers.h).
 */
#include "core/common.h"
#include "http/peers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static const uint8_t v4_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

bool peer_parse(const char *s, size_t len, struct peer_addr *out)
{
	char tmp[PEER_TEXT_MAX];
	struct in_addr a4;

	if (len == 0 || len >= sizeof(tmp))
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (inet_pton(AF_INET, tmp, &a4) == 1) {
		memcpy(out->b, v4_prefix, 12);
		memcpy(out->b + 12, &a4, 4);
		return true;
	}
	return inet_pton(AF_INET6, tmp, out->b) == 1;
}

bool peer_from_sockaddr(const void *sa, struct peer_addr *out)
{
	const struct sockaddr *s = sa;

	if (s->sa_family == AF_INET) {
		memcpy(out->b, v4_prefix, 12);
		memcpy(out->b + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return true;
	}
	if (s->sa_family == AF_INET6) {
		memcpy(out->b, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		return true;
	}
	return false;
}

void peer_format(const struct peer_addr *a, char out[PEER_TEXT_MAX])
{
	if (memcmp(a->b, v4_prefix, 12) == 0)
		inet_ntop(AF_INET, a->b + 12, out, PEER_TEXT_MAX);
	else
		inet_ntop(AF_INET6, a->b, out, PEER_TEXT_MAX);
}

const char *proxies_parse(const char *spec, struct proxies *out)
{
	struct proxies tmp = { .n = 0 };
	const char *p = spec;

	while (*p) {
		const char *start, *slash, *end;
		struct proxy_net net;
		bool v4;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && *p != ' ' && *p != ',' && *p != '\t')
			p++;
		end = p;
		slash = memchr(start, '/', (size_t)(end - start));
		if (!peer_parse(start, (size_t)((slash ? slash : end) - start), &net.addr))
			return "must be IP addresses or networks like 127.0.0.1 ::1 10.0.0.0/8, "
			       "separated by spaces";
		v4 = !memchr(start, ':', (size_t)(end - start));
		net.prefix = 128;
		if (slash) {
			unsigned bits = 0;
			const char *d = slash + 1;

			if (d == end || end - d > 3)
				return "a network's prefix length must be a number, like 10.0.0.0/8";
			for (; d < end; d++) {
				if (*d < '0' || *d > '9')
					return "a network's prefix length must be a number, like 10.0.0.0/8";
				bits = bits * 10 + (unsigned)(*d - '0');
			}
			if (bits > (v4 ? 32u : 128u))
				return "a network's prefix length is at most 32 for IPv4 and 128 for IPv6";
			net.prefix = v4 ? 96 + bits : bits;
		}
		if (tmp.n == PROXIES_MAX)
			return "too many addresses: list at most 32";
		tmp.nets[tmp.n++] = net;
	}
	if (out)
		*out = tmp;
	return NULL;
}

static bool net_has(const struct proxy_net *net, const struct peer_addr *a)
{
	unsigned full = net->prefix / 8, rest = net->prefix % 8;

	if (memcmp(net->addr.b, a->b, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		return (net->addr.b[full] & mask) == (a->b[full] & mask);
	}
	return true;
}

bool proxies_trust(const struct proxies *p, const struct peer_addr *a)
{
	for (size_t i = 0; p && i < p->n; i++)
		if (net_has(&p->nets[i], a))
			return true;
	return false;
}

bool peer_client(const struct proxies *p, const struct peer_addr *peer, const char *xff,
		 struct peer_addr *client)
{
	const char *end;
	bool from_xff = false;

	*client = *peer;
	if (!proxies_trust(p, peer) || !xff)
		return false;
	/* Right to left: each entry was added by the hop to its right, and
	 * only a trusted hop's word counts. */
	end = xff + strlen(xff);
	while (end > xff) {
		const char *start = end, *s, *e;
		struct peer_addr a;

		while (start > xff && start[-1] != ',')
			start--;
		for (s = start; s < end && (*s == ' ' || *s == '\t'); s++)
			;
		for (e = end; e > s && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		end = start > xff ? start - 1 : xff;
		if (s == e)
			continue;    /* an empty entry ("a,,b") says nothing */
		if (!peer_parse(s, (size_t)(e - s), &a))
			break;
		*client = a;
		from_xff = true;
		if (!proxies_trust(p, &a))
			break;
	}
	return from_xff;
}

/* ---------------------------------------------------------------- tally */

static size_t slot_of(const struct tally *t, const struct peer_addr *a)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < sizeof(a->b); i++)
		h = (h ^ a->b[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29)) & (t->cap - 1);
}

bool tally_init(struct tally *t, size_t room)
{
	size_t cap = 16;

	while (cap < room * 2)
		cap *= 2;
	memset(t, 0, sizeof(*t));
	if (pthread_mutex_init(&t->mu, NULL) != 0)
		return false;
	t->s = calloc(cap, sizeof(*t->s));
	if (!t->s) {
		pthread_mutex_destroy(&t->mu);
		return false;
	}
	t->cap = cap;
	return true;
}

void tally_free(struct tally *t)
{
	if (!t->s)
		return;
	free(t->s);
	t->s = NULL;
	pthread_mutex_destroy(&t->mu);
}

/* The slot holding a, or the free slot where it would go. */
static size_t find(const struct tally *t, const struct peer_addr *a)
{
	size_t i = slot_of(t, a);

	while (t->s[i].n && memcmp(&t->s[i].a, a, sizeof(*a)) != 0)
		i = (i + 1) & (t->cap - 1);
	return i;
}

bool tally_take(struct tally *t, const struct peer_addr *a, unsigned limit)
{
	bool ok = false;
	size_t i;

	pthread_mutex_lock(&t->mu);
	i = find(t, a);
	if (t->s[i].n) {
		if (t->s[i].n < limit) {
			t->s[i].n++;
			ok = true;
		}
	} else if (limit > 0 && t->used * 2 < t->cap) {
		t->s[i].a = *a;
		t->s[i].n = 1;
		t->used++;
		ok = true;
	}
	pthread_mutex_unlock(&t->mu);
	return ok;
}

void tally_give(struct tally *t, const struct peer_addr *a)
{
	size_t i, j;

	pthread_mutex_lock(&t->mu);
	i = find(t, a);
	if (t->s[i].n && --t->s[i].n == 0) {
		/* Backward-shift deletion keeps every probe run unbroken. */
		t->used--;
		j = i;
		for (;;) {
			size_t home;

			j = (j + 1) & (t->cap - 1);
			if (!t->s[j].n)
				break;
			home = slot_of(t, &t->s[j].a);
			/* Move j back to i unless its home lies cyclically in (i, j]. */
			if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
				t->s[i] = t->s[j];
				t->s[j].n = 0;
				i = j;
			}
		}
	}
	pthread_mutex_unlock(&t->mu);
}

unsigned tally_count(struct tally *t, const struct peer_addr *a)
{
	unsigned n;

	pthread_mutex_lock(&t->mu);
	n = t->s[find(t, a)].n;
	pthread_mutex_unlock(&t->mu);
	return n;
}
