/*
 * password.c - choosing, hashing and checking passwords.
 *
 * Choosing: at least PASSWORD_MIN characters, at most PASSWORD_MAX_BYTES
 * bytes (Argon2id would take longer ones, but nobody types them and they
 * would cost us hashing time), not containing the person's name or email,
 * and not weak by cracklib's rules against Debian's dictionary. cracklib
 * keeps static state and is not thread-safe, so it runs under a mutex;
 * its terse reasons ("it is based on a dictionary word") become sentences
 * a person can act on.
 *
 * Hashing: Argon2id with libsodium's interactive limits (about 64 MiB and
 * a few tens of milliseconds). Verifying a missing hash still runs one
 * Argon2id verification, against a dummy hash made once per process, so
 * "no such account" takes as long as "wrong password".
 */
#include "core/common.h"
#include "auth/password.h"
#include "core/log.h"

#include <pthread.h>
#include <sodium.h>
/* crack.h uses size_t without including its header. */
#include <crack.h>

_Static_assert(PASSWORD_HASH_MAX >= crypto_pwhash_STRBYTES, "hash buffer too small");

static pthread_mutex_t crack_mu = PTHREAD_MUTEX_INITIALIZER;

/* cracklib's reasons, as sentences. Matched by prefix: some end in a
 * full stop and some do not. */
static const struct {
	const char *reason;
	const char *sentence;
} crack_reasons[] = {
	{ "it is WAY too short", "Your password must be at least 10 characters long." },
	{ "it is too short", "Your password must be at least 10 characters long." },
	{ "it does not contain enough DIFFERENT characters",
	  "Choose a different password: it uses too few different characters." },
	{ "it is all whitespace", "Choose a different password: it is all spaces." },
	{ "it is too simplistic/systematic",
	  "Choose a different password: it is too simple, like a row of keys or a sequence of "
	  "letters or numbers." },
	{ "it looks like a National Insurance number",
	  "Choose a different password: it looks like a National Insurance number." },
	{ "it is based on a dictionary word",
	  "Choose a different password: it is based on a dictionary word." },
	{ "it is based on a (reversed) dictionary word",
	  "Choose a different password: it is based on a dictionary word spelt backwards." },
};

static size_t utf8_chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* Does hay contain needle[0..n), ASCII case-insensitively? */
static bool contains_ci(const char *hay, const char *needle, size_t n)
{
	size_t hn = strlen(hay);

	if (n == 0 || n > hn)
		return false;
	for (size_t i = 0; i + n <= hn; i++) {
		size_t k = 0;

		while (k < n && lower((unsigned char)hay[i + k]) == lower((unsigned char)needle[k]))
			k++;
		if (k == n)
			return true;
	}
	return false;
}

/* Separators between the parts of a name or an email's local part. */
static bool is_sep(char c)
{
	return c == ' ' || c == '\t' || c == '.' || c == '_' || c == '-' || c == '+' ||
	       c == '\'' || c == ',' || c == '@';
}

/* Does pw contain any part of s (split at separators, up to stop) of
 * at least 4 characters? */
static bool contains_part(const char *pw, const char *s, char stop)
{
	const char *p = s;

	while (*p && *p != stop) {
		const char *start;

		while (*p && *p != stop && is_sep(*p))
			p++;
		start = p;
		while (*p && *p != stop && !is_sep(*p))
			p++;
		if (utf8_chars(start, (size_t)(p - start)) >= 4 &&
		    contains_ci(pw, start, (size_t)(p - start)))
			return true;
	}
	return false;
}

const char *password_reason_sentence(const char *why)
{
	static _Thread_local char sentence[160];
	size_t n;

	if (!why)
		return NULL;
	for (size_t i = 0; i < ARRAY_LEN(crack_reasons); i++)
		if (strncmp(why, crack_reasons[i].reason, strlen(crack_reasons[i].reason)) == 0)
			return crack_reasons[i].sentence;
	/* Reasons we have not mapped (cracklib's checks against the server's
	 * own account, future versions): its words, made a sentence. The
	 * reason is cracklib's static text, never the password. */
	n = strnlen(why, 100);
	while (n && (why[n - 1] == '.' || why[n - 1] == ' '))
		n--;
	snprintf(sentence, sizeof(sentence), "Choose a harder password to guess: %.*s.", (int)n, why);
	return sentence;
}

static const char *crack_check(const char *pw)
{
	const char *why, *out;

	pthread_mutex_lock(&crack_mu);
	why = FascistCheck(pw, GetDefaultCracklibDict());
	if (why && strncmp(why, "error loading dictionary", 24) == 0) {
		pthread_mutex_unlock(&crack_mu);
		/* Fail closed: accepting every password because the dictionary
		 * is missing would be a silent weakening. The operator sees
		 * this line; the person is asked to try later. */
		log_error("password: cracklib cannot load its dictionary %s (is cracklib-runtime "
			  "installed?)", GetDefaultCracklibDict());
		return "We cannot check new passwords just now. Try again later.";
	}
	/* The reason is a static string, but map it before unlocking all
	 * the same: nothing of cracklib's is touched outside the lock. */
	out = password_reason_sentence(why);
	pthread_mutex_unlock(&crack_mu);
	return out;
}

const char *password_weakness(const char *pw, const char *name, const char *email)
{
	size_t n;

	if (!pw || !*pw)
		return "Enter a password.";
	n = strlen(pw);
	if (n > PASSWORD_MAX_BYTES)
		return "Your password must be 1,024 characters or fewer.";
	if (utf8_chars(pw, n) < PASSWORD_MIN)
		return "Your password must be at least 10 characters long.";
	if (name && contains_part(pw, name, '\0'))
		return "Choose a different password: it must not contain your name.";
	if (email && contains_part(pw, email, '@'))
		return "Choose a different password: it must not contain your email address.";
	return crack_check(pw);
}

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[crypto_pwhash_STRBYTES];
static bool dummy_ok;

static void dummy_init(void)
{
	unsigned char r[32];
	char pw[65];

	if (sodium_init() < 0)
		return;
	randombytes_buf(r, sizeof(r));
	sodium_bin2hex(pw, sizeof(pw), r, sizeof(r));
	dummy_ok = crypto_pwhash_str(dummy_hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				     crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
	sodium_memzero(pw, sizeof(pw));
}

enum err password_hash(const char *pw, char *out)
{
	size_t n = strlen(pw);

	if (sodium_init() < 0)
		return ERR_INTERNAL;
	if (n > PASSWORD_MAX_BYTES)
		return ERR_INVALID;
	if (crypto_pwhash_str(out, pw, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		log_error("password: Argon2id could not get its memory");
		return ERR_NOMEM;
	}
	return ERR_OK;
}

bool password_verify(const char *hash, const char *pw)
{
	size_t n = pw ? strlen(pw) : 0;
	bool real = hash && pw && n <= PASSWORD_MAX_BYTES;

	if (!real) {
		/* Spend the same time as a real check, then say no. */
		const char *try = pw && n <= PASSWORD_MAX_BYTES ? pw : "";

		pthread_once(&dummy_once, dummy_init);
		if (dummy_ok && crypto_pwhash_str_verify(dummy_hash, try, strlen(try)) == 0)
			log_error("password: a dummy hash matched");
		return false;
	}
	if (sodium_init() < 0)
		return false;
	/* A hash string that is not one of libsodium's fails here (-1), as
	 * does a wrong password. */
	return crypto_pwhash_str_verify(hash, pw, n) == 0;
}
