/*
 * str.h - length-carrying string views and the small parsing helpers every
 * parser needs. A struct str does not own its bytes and is not necessarily
 * NUL-terminated.
 */
#ifndef KITH_STR_H
#define KITH_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct str {
	const char *p;
	size_t n;
};

#define STR_LIT(s) ((struct str){ (s), sizeof(s) - 1 })

static inline struct str str_c(const char *s)
{
	return (struct str){ s, s ? strlen(s) : 0 };
}

bool str_eq(struct str a, struct str b);
bool str_eqc(struct str a, const char *c);
/* ASCII case-insensitive comparison. */
bool str_ieqc(struct str a, const char *c);
bool str_startswith(struct str a, const char *prefix);
/* Strip ASCII spaces and tabs at both ends. */
struct str str_trim(struct str a);

/* Decimal integer, optional leading '-', no spaces, no trailing bytes,
 * within [min, max]. False on anything else. */
bool str_to_i64(struct str s, int64_t min, int64_t max, int64_t *out);
/* True when every byte is valid UTF-8 with no overlongs, surrogates, or
 * code points above U+10FFFF, and no NUL or C0 control other than tab,
 * newline and carriage return. */
bool str_is_clean_utf8(const char *p, size_t n);
/* 36-character lowercase or uppercase UUID in 8-4-4-4-12 form. */
bool str_is_uuid(struct str s);

/* Bounded copy that always NUL-terminates; returns false on truncation. */
bool str_copy(char *dst, size_t dstsize, const char *src);

/* Lowercase ASCII letters in place. */
void str_lower_ascii(char *p, size_t n);

/* The form of an email address that compares regardless of case: email
 * (NULL reads as "") copied into out (n bytes) with its ASCII letters
 * lowercased. Only ASCII: that is what mail systems agree on for the
 * domain and what people expect of the local part, so "Émile@X.org" and
 * "émile@x.org" stay two addresses. This is the one function for it:
 * person.email_lower, client.email_lower, claiming a referral and the
 * per-account attempt keys all use it, so they agree. False when email
 * did not fit (out then holds what did, lowercased). */
bool str_lower_email(const char *email, char *out, size_t n);

/* Nothing given: NULL, "" or only spaces, tabs, carriage returns and
 * line feeds. */
bool str_is_blank(const char *s);

/* The value of one hex digit (0-9, a-f, A-F), or -1 for any other byte. */
int str_hex_digit(int c);
/* Is s exactly n lowercase hex digits (tokens, hashes)? False for NULL. */
bool str_is_lower_hex(const char *s, size_t n);

/* A one-line text field of 1..max characters (UTF-8 code points): clean
 * UTF-8, no line breaks, tabs, or characters that change how the text
 * around them is laid out (direction overrides, line separators). NULL
 * when s is acceptable, else empty (NULL, empty or only spaces), too_long
 * or bad. */
const char *str_check_line(const char *s, size_t max, const char *empty,
		const char *too_long, const char *bad);

/* An email address in a shape mail can be sent to: one @ with something
 * before it, a domain with a dot after it, no spaces, quotes, brackets or
 * other characters that need quoting, at most 254 bytes. (Whether it
 * exists is another question.) */
bool str_email_ok(const char *s);

#endif
