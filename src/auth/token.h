/*
 * token.h - what a kith secret looks like: 64 lowercase hex digits (256
 * random bits), behind "ks_" for a session or "kt_" for an API token, and
 * bare in one-time links. Only their SHA-256 is stored.
 *
 * A header of its own so the rules (sessions, one-time links) and the
 * request side (auth_web.h) share the sizes without either including the
 * other.
 */
#ifndef KITH_TOKEN_H
#define KITH_TOKEN_H

#define TOKEN_HEX 64
#define TOKEN_LEN (3 + TOKEN_HEX)      /* "ks_" + hex */

#endif
