/*
 * rand.h - randomness from the kernel (getrandom), for ids and tokens.
 * Secrets (session tokens, reset links) need at least 128 bits; kith uses
 * 256. rand_bytes never returns short: it retries on EINTR and reports
 * failure only if the kernel refuses, which callers treat as ERR_INTERNAL.
 */
#ifndef KITH_RAND_H
#define KITH_RAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool rand_bytes(void *out, size_t n);
/* A random 64-bit value from a per-thread generator seeded by the kernel:
 * cheap, for request ids and jitter, never for secrets. */
uint64_t rand_fast64(void);
/* Lowercase hex of p[0..n) into out (2n+1 bytes, NUL-terminated). */
void hex_encode(const void *p, size_t n, char *out);
/* Decodes 2n hex digits into n bytes; false on a bad digit. */
bool hex_decode(const char *hex, size_t hexlen, void *out, size_t n);
/* A random RFC 4122 version 4 UUID, lowercase (37 bytes with the NUL). */
bool uuid_v4(char out[37]);
/* 16 bytes as a lowercase 8-4-4-4-12 UUID (37 bytes with the NUL): what
 * uuid_v4 writes, and ids made from hashes. */
void uuid_format(const unsigned char b[16], char out[37]);

#endif
