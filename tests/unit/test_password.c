/*
 * test_password.c - choosing, hashing and checking passwords.
 *
 * No database. Argon2id costs tens of milliseconds a hash, so the hashing
 * tests make three hashes in all.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "auth/password.h"
#include "core/timeutil.h"

static void assert_weak(const char *pw, const char *name, const char *email, const char *want)
{
	const char *why = password_weakness(pw, name, email);

	if (!why || !strstr(why, want))
		fail_msg("\"%s\": wanted a reason containing \"%s\", got \"%s\"", pw, want,
			 why ? why : "(accepted)");
}

static void length_rules(void **state)
{
	char big[PASSWORD_MAX_BYTES + 2];

	UNUSED(state);
	assert_weak(NULL, NULL, NULL, "Enter a password");
	assert_weak("", NULL, NULL, "Enter a password");
	assert_weak("Kq8#vLm2p", NULL, NULL, "at least 10 characters");       /* 9 */
	assert_null(password_weakness("Kq8#vLm2pZ", NULL, NULL));               /* 10 */
	/* Characters, not bytes: nine two-byte letters are still too few. */
	assert_weak("\xc3\xa9\xc3\xa8\xc3\xaa\xc3\xab\xc3\xa0\xc3\xa2\xc3\xae\xc3\xaf\xc3\xb4",
		    NULL, NULL, "at least 10 characters");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_weak(big, NULL, NULL, "1,024 characters or fewer");
}

static void names_and_emails(void **state)
{
	UNUSED(state);
	/* Any part of the name of 4+ characters, any case. */
	assert_weak("xQ7#dorothy!!", "Dorothy Smith", NULL, "your name");
	assert_weak("SMITHq7#Lm2pZ", "Dorothy Smith", NULL, "your name");
	/* Parts shorter than 4 are too common to refuse. */
	assert_null(password_weakness("Kq8#vLm2pZ-ann", "Ann Li", NULL));
	/* The email's local part, in parts, but not the domain. */
	assert_weak("Kq8#vLm2pZjbloggs", NULL, "J.Bloggs@example.org", "email address");
	assert_weak("Kq8#vLm2pZJBLOGGS", NULL, "jbloggs@example.org", "email address");
	assert_null(password_weakness("Kq8#vLm2pZexample", NULL, "jo@example.org"));
	assert_null(password_weakness("Kq8#vLm2pZ", "Dorothy Smith", "jbloggs@example.org"));
}

static void cracklib_reasons(void **state)
{
	UNUSED(state);
	assert_weak("password123", NULL, NULL, "based on a dictionary word.");
	assert_weak("retupmoc123", NULL, NULL, "dictionary word spelt backwards");
	assert_weak("aaaaaaaaaaaa", NULL, NULL, "too few different characters");
	assert_weak("abcdefghijk", NULL, NULL, "too simple");
	assert_weak("1234567890", NULL, NULL, "too simple");
	assert_null(password_weakness("correct horse battery staple", NULL, NULL));
	assert_null(password_weakness("Sunflower!2024", NULL, NULL));

	/* Every reason cracklib gives maps to a sentence; unknown ones
	 * fall back to cracklib's own words. */
	assert_string_equal(password_reason_sentence("it is based on a dictionary word"),
			    "Choose a different password: it is based on a dictionary word.");
	assert_non_null(strstr(password_reason_sentence("it is all whitespace"), "all spaces"));
	assert_non_null(strstr(password_reason_sentence("it looks like a National Insurance number."),
			       "National Insurance number"));
	assert_non_null(strstr(password_reason_sentence("it is WAY too short"), "at least 10"));
	assert_string_equal(password_reason_sentence("it is based on your username"),
			    "Choose a harder password to guess: it is based on your username.");
	assert_null(password_reason_sentence(NULL));
}

static void hash_and_verify(void **state)
{
	char h1[PASSWORD_HASH_MAX], h2[PASSWORD_HASH_MAX];
	char big[PASSWORD_MAX_BYTES + 2];

	UNUSED(state);
	assert_int_equal(password_hash("correct horse battery staple", h1), ERR_OK);
	assert_int_equal(strncmp(h1, "$argon2id$", 10), 0);
	assert_null(strstr(h1, "correct"));
	assert_true(password_verify(h1, "correct horse battery staple"));
	assert_false(password_verify(h1, "correct horse battery stapler"));
	assert_false(password_verify(h1, ""));
	assert_false(password_verify(h1, NULL));
	/* Salted: the same password hashes differently. */
	assert_int_equal(password_hash("correct horse battery staple", h2), ERR_OK);
	assert_string_not_equal(h1, h2);
	assert_true(password_verify(h2, "correct horse battery staple"));
	/* Not a hash at all. */
	assert_false(password_verify("plain text", "plain text"));
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(password_hash(big, h2), ERR_INVALID);
	assert_false(password_verify(h1, big));
}

/* The quicker of two runs of one verification, in microseconds: the
 * minimum is what the work costs, whatever else the machine is doing. */
static uint64_t time_verify(const char *hash, const char *pw)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 2; i++) {
		uint64_t t0 = time_mono_us(), d;

		assert_false(password_verify(hash, pw));
		d = time_mono_us() - t0;
		if (d < best)
			best = d;
	}
	return best;
}

static void missing_hash_costs_the_same(void **state)
{
	char h[PASSWORD_HASH_MAX];
	uint64_t real, dummy;

	UNUSED(state);
	assert_int_equal(password_hash("Sunflower!2024", h), ERR_OK);
	real = time_verify(h, "Sunflower!2025");
	dummy = time_verify(NULL, "Sunflower!2024");
	print_message("verify: real %llu us, no account %llu us\n", (unsigned long long)real,
		      (unsigned long long)dummy);
	/* Same order of magnitude: an answer without Argon2id would be
	 * hundreds of times faster. */
	assert_true(dummy * 3 > real);
	assert_true(real * 3 > dummy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(length_rules),
		cmocka_unit_test(names_and_emails),
		cmocka_unit_test(cracklib_reasons),
		cmocka_unit_test(hash_and_verify),
		cmocka_unit_test(missing_hash_costs_the_same),
	};

	return cmocka_run_group_tests_name("password", tests, NULL, NULL);
}
