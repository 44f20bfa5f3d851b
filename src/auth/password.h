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
 * person's name or the local part of their email (either may be NULL).
 *
 * Details: "contain" is ASCII case-insensitive and looks at each part of
 * the name (split at spaces, dots, hyphens, apostrophes...) and of the
 * email's local part (split at dots, underscores, hyphens, plus signs)
 * that has at least 4 characters. The sentence is static text, except
 * for cracklib reasons this file does not know, which are written into
 * thread-local storage valid until the next call on the same thread. If
 * cracklib cannot load its dictionary, every password is refused with
 * "We cannot check new passwords just now..." and the operator's log
 * says why (failing open would silently weaken every new password). */
const char *password_weakness(const char *pw, const char *name, const char *email);

/* One of cracklib's reasons ("it is based on a dictionary word") as the
 * sentence password_weakness() gives; unknown reasons become "Choose a
 * harder password to guess: <reason>." (thread-local storage, as above).
 * NULL for NULL. */
const char *password_reason_sentence(const char *cracklib_reason);

/* Hashes pw into out (PASSWORD_HASH_MAX bytes). ERR_NOMEM if libsodium
 * cannot get the memory Argon2id needs; ERR_INVALID if pw is longer than
 * PASSWORD_MAX_BYTES. */
enum err password_hash(const char *pw, char *out);

/* Does pw match hash? When hash is NULL (no such account, or no password
 * set) it still spends the time a real check takes, so response times do
 * not reveal whether an account exists. */
bool password_verify(const char *hash, const char *pw);

#endif
