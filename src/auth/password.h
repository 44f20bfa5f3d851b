/*
 * password.h - choosing, hashing and checking passwords.
 *
 * Argon2id through libsodium (crypto_pwhash_str, interactive limits).
 * Passwords are never logged, echoed back, stored in clear or emailed.
 */
#ifndef KITH_PASSWORD_H
#define KITH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define PASSWORD_MIN 10          /* characters (UTF-8 code points) */
#define PASSWORD_MAX_BYTES 1024  /* longer is refused before hashing */
#define PASSWORD_HASH_MAX 128    /* crypto_pwhash_STRBYTES */

/* NULL when pw is acceptable; otherwise a plain sentence saying why not and
 * what to do, e.g. "Your password must be at least 10 characters long." or
 * "Choose a different password: this one is based on a dictionary word."
 * Checks length, libcrack2 (FascistCheck against Debian's dictionary,
 * serialised: it is not thread-safe) and that it does not contain the
 * person's name or the local part of their email (either may be NULL). */
const char *password_weakness(const char *pw, const char *name, const char *email);

/* Hashes pw into out (PASSWORD_HASH_MAX bytes). ERR_NOMEM if libsodium
 * cannot get the memory Argon2id needs. */
enum err password_hash(const char *pw, char *out);

/* Does pw match hash? When hash is NULL (no such account, or no password
 * set) it still spends the time a real check takes, so response times do
 * not reveal whether an account exists. */
bool password_verify(const char *hash, const char *pw);

#endif
