/*
 * rand.c - kernel randomness for secrets, a seeded xoshiro-style generator
 * for cheap non-secret ids.
 */
#include "core/common.h"
#include "core/rand.h"
#include "core/str.h"

#include <sys/random.h>

bool rand_bytes(void *out, size_t n)
{
	unsigned char *p = out;

	while (n > 0) {
		ssize_t r = getrandom(p, n, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		p += r;
		n -= (size_t)r;
	}
	return true;
}

static _Thread_local uint64_t fast_state[2];

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t rand_fast64(void)
{
	uint64_t s0 = fast_state[0], s1 = fast_state[1], r;

	if (s0 == 0 && s1 == 0) {
		if (!rand_bytes(fast_state, sizeof(fast_state)) ||
		    (fast_state[0] == 0 && fast_state[1] == 0)) {
			fast_state[0] = 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)&s0;
			fast_state[1] = 0xbf58476d1ce4e5b9ull;
		}
		s0 = fast_state[0];
		s1 = fast_state[1];
	}
	/* xoroshiro128+ */
	r = s0 + s1;
	s1 ^= s0;
	fast_state[0] = rotl(s0, 24) ^ s1 ^ (s1 << 16);
	fast_state[1] = rotl(s1, 37);
	return r;
}

void hex_encode(const void *p, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[s[i] >> 4];
		out[2 * i + 1] = hx[s[i] & 15];
	}
	out[2 * n] = '\0';
}

bool hex_decode(const char *hex, size_t hexlen, void *out, size_t n)
{
	unsigned char *o = out;

	if (hexlen != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int hi = str_hex_digit((unsigned char)hex[2 * i]);
		int lo = str_hex_digit((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		o[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

void uuid_format(const unsigned char b[16], char out[37])
{
	char hx[33];

	hex_encode(b, 16, hx);
	memcpy(out, hx, 8);
	out[8] = '-';
	memcpy(out + 9, hx + 8, 4);
	out[13] = '-';
	memcpy(out + 14, hx + 12, 4);
	out[18] = '-';
	memcpy(out + 19, hx + 16, 4);
	out[23] = '-';
	memcpy(out + 24, hx + 20, 12);
	out[36] = '\0';
}

bool uuid_v4(char out[37])
{
	unsigned char b[16];

	if (!rand_bytes(b, sizeof(b)))
		return false;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	uuid_format(b, out);
	return true;
}
