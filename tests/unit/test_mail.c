/*
 * test_mail.c - email: addresses, the backoff schedule, MIME messages
 * (headers, RFC 2047, quoted-printable, CRLF, multipart), .eml files,
 * rendering every email template, and the outbox on both backends
 * (enqueue in the caller's transaction, claims and leases, outcomes,
 * retries, giving up, export and erasure).
 *
 * The outbox tests deliver in development mode (mail_dir) or to
 * smtp://127.0.0.1:1, where nothing listens, for failures; black-box
 * tests (tests/blackbox/test_outbox.py) deliver to a real SMTP server.
 */
#include "core/common.h"

#include <dirent.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "app/config.h"
#include "core/log.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "mail/mail.h"
#include "mail/mail_feature.h"
#include "mail/mail_int.h"
#include "store/store.h"
#include "support/reqtest.h"
#include "view/tmpl.h"
#include "web/view.h"

#define NOW 1767225600   /* 2026-01-01T00:00:00Z */

/* ------------------------------------------------------------ helpers */

/* Every line of msg ends in CRLF and is at most max bytes long. */
static void assert_lines(const char *msg, size_t max)
{
	const char *p = msg;

	while (*p) {
		const char *lf = strchr(p, '\n');

		assert_non_null(lf);
		assert_true(lf > p && lf[-1] == '\r');
		if ((size_t)(lf - 1 - p) > max)
			fail_msg("line of %zu bytes: %.*s", (size_t)(lf - 1 - p), (int)(lf - p), p);
		for (const char *c = p; c < lf - 1; c++)
			assert_true(*c != '\r');
		p = lf + 1;
	}
}

/* The From address mail_build() is given (the mail feature's mail_from). */
static char test_from[256] = "Kith Town <no-reply@kith.example.org>";

static struct config base_cfg(void)
{
	struct config c;

	config_defaults(&c);
	str_copy(c.base_url, sizeof(c.base_url), "https://kith.example.org");
	str_copy(c.site_name, sizeof(c.site_name), "Kith Town");
	return c;
}

/* The value of header name in msg (first line only), copied. */
static char *header(const char *msg, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = msg; *p; p = strchr(p, '\n') + 1) {
		if (p[0] == '\r')
			return NULL;
		if (strncmp(p, name, n) == 0 && p[n] == ':')
			return strndup(p + n + 2, strcspn(p + n + 2, "\r"));
		if (!strchr(p, '\n'))
			break;
	}
	return NULL;
}

/* Fails unless msg has header name with the value want (first line). */
static void assert_header(const char *msg, const char *name, const char *want)
{
	char *h = header(msg, name);

	assert_non_null(h);
	assert_string_equal(h, want);
	free(h);
}

/* ------------------------------------------------------------- rules */

static void test_addr_ok(void **state)
{
	static const char *const good[] = {
		"jane@example.org", "a.b+c@sub.example.co.uk", "x@localhost", "zo\xc3\xab@example.org",
	};
	static const char *const bad[] = {
		"", "a", "@example.org", "jane@", "jane.example.org", "jane@@example.org",
		"jane@exa@mple.org", "jane doe@example.org", "jane@example.org\r\nBcc: x@y.org",
		"jane@example.org\nBcc: x@y.org", "jane@example.org\r", "<jane@example.org>",
		"jane@example.org, x@y.org", "jane@example..org", "jane@.example.org",
		"jane@example.org.", "\"jane\"@example.org", "ja\tne@example.org", "jane@ex\x7f.org",
		"jane@example.org\xff",
	};
	char longaddr[300];

	UNUSED(state);
	for (size_t i = 0; i < ARRAY_LEN(good); i++)
		assert_true(mail_addr_ok(good[i]));
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		if (mail_addr_ok(bad[i]))
			fail_msg("accepted %s", bad[i]);
	}
	assert_false(mail_addr_ok(NULL));
	/* 254 bytes is the most a path may have. */
	memset(longaddr, 'a', sizeof(longaddr));
	memcpy(longaddr + 254 - 12, "@example.org", 13);
	assert_int_equal(strlen(longaddr), 254);
	assert_true(mail_addr_ok(longaddr));
	memset(longaddr, 'a', sizeof(longaddr));
	memcpy(longaddr + 255 - 12, "@example.org", 13);
	assert_false(mail_addr_ok(longaddr));
}

static void test_mask(void **state)
{
	char out[64];

	UNUSED(state);
	mail_mask_addr("jane@example.org", out, sizeof(out));
	assert_string_equal(out, "j***@example.org");
	mail_mask_addr("j@example.org", out, sizeof(out));
	assert_string_equal(out, "j***@example.org");
	mail_mask_addr("\xc3\xa9mile@example.org", out, sizeof(out));
	assert_string_equal(out, "\xc3\xa9***@example.org");
	mail_mask_addr("nonsense", out, sizeof(out));
	assert_string_equal(out, "***");
	mail_mask_addr(NULL, out, sizeof(out));
	assert_string_equal(out, "***");
}

static void test_backoff(void **state)
{
	UNUSED(state);
	/* Without jitter: base, then doubling. */
	assert_int_equal(mail_backoff(30, 1, 0), 30);
	assert_int_equal(mail_backoff(30, 2, 0), 60);
	assert_int_equal(mail_backoff(30, 3, 0), 120);
	assert_int_equal(mail_backoff(30, 8, 0), 30 * 128);
	assert_int_equal(mail_backoff(1, 1, 0), 1);
	assert_int_equal(mail_backoff(1, 4, 0), 8);
	/* Jitter adds at most a quarter. */
	for (uint64_t r = 0; r < 1000; r += 7) {
		int64_t d = mail_backoff(30, 3, r);

		assert_true(d >= 120 && d <= 150);
	}
	assert_int_equal(mail_backoff(30, 3, 30), 150);
	/* Capped at a day, whatever the attempts or jitter. */
	assert_int_equal(mail_backoff(30, 40, 0), 86400);
	assert_int_equal(mail_backoff(30, 40, UINT64_MAX), 86400);
	assert_int_equal(mail_backoff(86400, 100, 12345), 86400);
	assert_int_equal(mail_backoff(3600, 1000000, 3), 86400);
}

static void test_name_ok(void **state)
{
	UNUSED(state);
	assert_true(mail_name_ok("verify_email"));
	assert_false(mail_name_ok(""));
	assert_false(mail_name_ok(NULL));
	assert_false(mail_name_ok("../layout"));
	assert_false(mail_name_ok("partials/footer"));
	assert_false(mail_name_ok("Verify"));
	assert_false(mail_name_ok("verify.txt"));
}

/* ------------------------------------------------------------ headers */

static void test_from_and_message_id(void **state)
{
	char out[300];

	UNUSED(state);
	assert_true(mail_from_addr("kith <no-reply@localhost>", out, sizeof(out)));
	assert_string_equal(out, "no-reply@localhost");
	assert_true(mail_from_addr("no-reply@example.org", out, sizeof(out)));
	assert_string_equal(out, "no-reply@example.org");
	assert_true(mail_from_addr("\"Kith, Town\" < hi@example.org >", out, sizeof(out)));
	assert_string_equal(out, "hi@example.org");
	assert_false(mail_from_addr("kith <no-reply@localhost", out, sizeof(out)));
	assert_false(mail_from_addr("kith", out, sizeof(out)));

	mail_message_id("https://kith.example.org", 42, out, sizeof(out));
	assert_string_equal(out, "<kith-outbox-42@kith.example.org>");
	mail_message_id("http://127.0.0.1:8080/x", 7, out, sizeof(out));
	assert_string_equal(out, "<kith-outbox-7@127.0.0.1>");
	mail_message_id("http://[::1]:8080", 7, out, sizeof(out));
	assert_string_equal(out, "<kith-outbox-7@[::1]>");
	mail_message_id("http://bad host>", 7, out, sizeof(out));
	assert_string_equal(out, "<kith-outbox-7@localhost>");
	mail_message_id("", 1, out, sizeof(out));
	assert_string_equal(out, "<kith-outbox-1@localhost>");
}

static char *decode(const char *s)
{
	struct buf b;
	char *out;

	buf_init(&b, 4096);
	mail_decode_words(&b, s, strlen(s));
	out = strdup(b.p);
	buf_release(&b);
	return out;
}

static void test_encode_word(void **state)
{
	/* "Café ☕ für dich" */
	static const char utf[] = "Caf\xc3\xa9 \xe2\x98\x95 f\xc3\xbcr dich";
	char big[MAIL_SUBJECT_MAX + 1];
	struct buf b;
	char *d;

	UNUSED(state);
	buf_init(&b, 8192);
	mail_encode_word(&b, "Confirm your email address");
	assert_string_equal(b.p, "Confirm your email address");
	buf_reset(&b);
	/* CR and LF never reach a header. */
	mail_encode_word(&b, "Hi\r\nBcc: x@y.org");
	assert_string_equal(b.p, "HiBcc: x@y.org");
	buf_reset(&b);

	mail_encode_word(&b, utf);
	assert_string_equal(b.p, "=?utf-8?B?Q2Fmw6kg4piVIGbDvHIgZGljaA==?=");
	d = decode(b.p);
	assert_string_equal(d, utf);
	free(d);
	buf_reset(&b);

	/* A long subject: several words, each at most 75 characters,
	 * folded, no UTF-8 character split between two words. */
	for (size_t i = 0; i + 2 <= MAIL_SUBJECT_MAX; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[MAIL_SUBJECT_MAX] = '\0';
	mail_encode_word(&b, big);
	for (const char *w = b.p; *w;) {
		size_t n = strcspn(w, "\r");

		assert_true(n <= 75);
		assert_true(strncmp(w, "=?utf-8?B?", 10) == 0);
		w += n;
		if (*w) {
			assert_true(strncmp(w, "\r\n ", 3) == 0);
			w += 3;
		}
	}
	d = decode(b.p);
	assert_string_equal(d, big);
	free(d);
	buf_release(&b);

	/* Q words and plain text around words decode too. */
	d = decode("Re: =?UTF-8?Q?caf=C3=A9_time?= =?utf-8?B?IQ==?= ok");
	assert_string_equal(d, "Re: caf\xc3\xa9 time! ok");
	free(d);
	d = decode("=?iso-8859-1?Q?x?=");
	assert_string_equal(d, "=?iso-8859-1?Q?x?=");
	free(d);
}

static void test_qp(void **state)
{
	struct buf b;
	char line[3000];

	UNUSED(state);
	buf_init(&b, 1 << 20);
	mail_qp_encode(&b, "a=b\nline two \n.dot\nFrom me\n", 27);
	assert_string_equal(b.p, "a=3Db\r\nline two=20\r\n=2Edot\r\n=46rom me\r\n");
	buf_reset(&b);
	mail_qp_encode(&b, "caf\xc3\xa9\r\ntab\t", 11);
	assert_string_equal(b.p, "caf=C3=A9\r\ntab=09");
	buf_reset(&b);
	/* A 3000-byte line becomes soft-broken lines of at most 76. */
	memset(line, 'x', sizeof(line));
	for (size_t i = 0; i < sizeof(line); i += 37)
		line[i] = '=';
	mail_qp_encode(&b, line, sizeof(line));
	buf_adds(&b, "\r\n");
	assert_lines(b.p, 76);
	buf_release(&b);
}

/* ----------------------------------------------------------- messages */

static void test_build(void **state)
{
	struct config cfg = base_cfg();
	struct mail_msg m = {
		.id = 42, .to = "jane@example.org",
		.subject = "Confirm your email address for Kith Town",
		.text = "Hello Jane,\n\nOpen this link:\n\nhttps://kith.example.org/verify/abc\n",
		.html = "<h1>Confirm</h1>\n<p><a href=\"https://kith.example.org/verify/abc\">Confirm</a></p>\n",
		.date = NOW,
	};
	struct buf b, b2;
	struct mail_parsed p;
	char *h;

	UNUSED(state);
	buf_init(&b, MAIL_MESSAGE_MAX);
	buf_init(&b2, MAIL_MESSAGE_MAX);
	assert_int_equal(mail_build(cfg.base_url, test_from, &m, &b), ERR_OK);
	assert_lines(b.p, 78);
	assert_header(b.p, "Date", "Thu, 01 Jan 2026 00:00:00 +0000");
	assert_header(b.p, "From", "\"Kith Town\" <no-reply@kith.example.org>");
	assert_header(b.p, "To", "<jane@example.org>");
	assert_header(b.p, "Subject", "Confirm your email address for Kith Town");
	assert_header(b.p, "Message-ID", "<kith-outbox-42@kith.example.org>");
	assert_header(b.p, "MIME-Version", "1.0");
	assert_header(b.p, "Auto-Submitted", "auto-generated");
	assert_header(b.p, "Content-Type", "multipart/alternative; boundary=\"=_kith_42_alt\"");
	assert_non_null(strstr(b.p, "\r\n\r\n--=_kith_42_alt\r\nContent-Type: text/plain; charset=utf-8\r\n"
				    "Content-Transfer-Encoding: quoted-printable\r\n\r\nHello Jane,\r\n"));
	assert_non_null(strstr(b.p, "--=_kith_42_alt\r\nContent-Type: text/html; charset=utf-8\r\n"));
	assert_non_null(strstr(b.p, "<a href=3D\"https://kith.example.org/verify/abc\">"));
	assert_non_null(strstr(b.p, "\r\n--=_kith_42_alt--\r\n"));
	/* The same message every time: a resend is recognisably the same. */
	assert_int_equal(mail_build(cfg.base_url, test_from, &m, &b2), ERR_OK);
	assert_string_equal(b.p, b2.p);

	/* What we write, we read back. */
	assert_int_equal(mail_parse(b.p, b.len, &p), ERR_OK);
	assert_string_equal(p.subject, m.subject);
	assert_string_equal(p.text, m.text);
	mail_parsed_free(&p);

	/* A non-ASCII subject and sender name are encoded words. */
	str_copy(test_from, sizeof(test_from), "Caf\xc3\xa9 Kith <hi@kith.example.org>");
	m.subject = "Bienvenue \xc3\xa0 Caf\xc3\xa9 Kith";
	m.html = NULL;
	buf_reset(&b);
	assert_int_equal(mail_build(cfg.base_url, test_from, &m, &b), ERR_OK);
	assert_lines(b.p, 78);
	for (size_t i = 0; i < b.len; i++)
		assert_true((unsigned char)b.p[i] < 0x80);
	assert_header(b.p, "From", "=?utf-8?B?Q2Fmw6kgS2l0aA==?= <hi@kith.example.org>");
	h = header(b.p, "Subject");
	assert_true(strncmp(h, "=?utf-8?B?", 10) == 0);
	free(h);
	/* Without HTML: one text/plain part, no multipart. */
	assert_header(b.p, "Content-Type", "text/plain; charset=utf-8");
	assert_null(strstr(b.p, "multipart"));
	assert_int_equal(mail_parse(b.p, b.len, &p), ERR_OK);
	assert_string_equal(p.subject, m.subject);
	assert_string_equal(p.text, m.text);
	mail_parsed_free(&p);

	/* A long line of text stays within the line limit. */
	{
		char *longtext = malloc(5001);

		memset(longtext, 'w', 5000);
		longtext[5000] = '\0';
		m.text = longtext;
		buf_reset(&b);
		assert_int_equal(mail_build(cfg.base_url, test_from, &m, &b), ERR_OK);
		assert_lines(b.p, 78);
		assert_int_equal(mail_parse(b.p, b.len, &p), ERR_OK);
		/* A one-part message ends in a line end. */
		assert_int_equal(strlen(p.text), 5001);
		assert_memory_equal(p.text, longtext, 5000);
		mail_parsed_free(&p);
		free(longtext);
	}

	/* A header injection in the address is refused, not built. */
	m.to = "jane@example.org\r\nBcc: everyone@example.org";
	buf_reset(&b);
	assert_int_equal(mail_build(cfg.base_url, test_from, &m, &b), ERR_INVALID);
	buf_release(&b);
	buf_release(&b2);
}

/* ----------------------------------------------------------- eml files */

static char tmpdir[256];

static int count_files(const char *dir, char *last, size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int c = 0;

	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' || strcmp(de->d_name, "..") == 0))
			continue;
		c++;
		if (last)
			snprintf(last, n, "%.*s", (int)(n - 1), de->d_name);
	}
	if (d)
		closedir(d);
	return c;
}

static void test_eml(void **state)
{
	char dir[300], name[64], path[400], why[MAIL_ERROR_MAX], got[64];
	struct stat st;
	FILE *f;
	char buf[64];

	UNUSED(state);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/kith-test-mail-%d", (int)getpid());
	snprintf(dir, sizeof(dir), "%s/var/mail", tmpdir);
	assert_int_equal(mail_eml_write(dir, 42, NOW + 3661, "To: x\r\n\r\nhi\r\n", 13, name, sizeof(name),
					why, sizeof(why)), ERR_OK);
	assert_string_equal(name, "20260101T010101Z-42.eml");
	assert_true(mail_eml_name_ok(name));
	/* The whole file, and no temporary file left behind. */
	assert_int_equal(count_files(dir, got, sizeof(got)), 1);
	assert_string_equal(got, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof(buf), f), 13);
	fclose(f);
	assert_memory_equal(buf, "To: x\r\n\r\nhi\r\n", 13);
	/* A folder that cannot be made is a failure with a reason. */
	assert_int_equal(mail_eml_write("/proc/kith-no/such", 1, NOW, "x", 1, NULL, 0, why, sizeof(why)),
			 ERR_UNAVAILABLE);
	assert_non_null(strstr(why, "mail_dir"));
	rt_rm_rf(tmpdir);

	assert_true(mail_eml_name_ok("20260101T000000Z-1.eml"));
	assert_true(mail_eml_name_ok("20260101T000000Z-9223372036854775807.eml"));
	assert_false(mail_eml_name_ok("20260101T000000Z-.eml"));
	assert_false(mail_eml_name_ok(".tmp-1-abc.eml"));
	assert_false(mail_eml_name_ok("20260101T000000Z-1.eml.bak"));
	assert_false(mail_eml_name_ok("2026010xT000000Z-1.eml"));
	assert_false(mail_eml_name_ok("20260101T000000Z-1x.eml"));
	assert_false(mail_eml_name_ok("passwd"));
}

/* ----------------------------------------------------------- templates */

struct sample {
	const char *name;
	const char *ctx;       /* JSON */
	const char *expect;    /* text the body must contain */
};

static const struct sample samples[] = {
	{ "verify_email", "{\"name\": \"Jane\", \"link\": \"https://kith.example.org/verify/t0k3n\"}",
	  "https://kith.example.org/verify/t0k3n" },
	{ "reset_password", "{\"name\": \"Jane\", \"link\": \"https://kith.example.org/reset/t0k3n\", "
	  "\"minutes\": 60}", "60 minutes" },
	{ "set_password", "{\"name\": \"Jane\", \"link\": \"https://kith.example.org/set-password/t0k3n\"}",
	  "https://kith.example.org/set-password/t0k3n" },
	{ "email_changed", "{\"name\": \"Jane\"}", "https://kith.example.org/login" },
	{ "password_changed", "{\"name\": \"Jane\"}", "https://kith.example.org/login" },
	{ "delete_scheduled", "{\"name\": \"Jane\", \"date\": \"1 February 2026\"}", "1 February 2026" },
	{ "service_check", "{\"name\": \"Jane\", \"service_name\": \"Tuesday Health Walk\", "
	  "\"org_name\": \"Northtown Walkers\", \"link\": \"https://kith.example.org/check/t0k3n\", "
	  "\"manage_link\": \"https://kith.example.org/manage\"}", "https://kith.example.org/check/t0k3n" },
	/* Referral emails carry a link and nothing else (no need, reason or the
	 * referred person's name; "name" is the recipient's own, when they have
	 * an account). */
	{ "referral_new", "{\"name\": \"Jane\", \"link\": \"https://kith.example.org/referrals/r1\"}",
	  "https://kith.example.org/referrals/r1" },
	{ "referral_update", "{\"name\": \"Jane\", \"link\": \"https://kith.example.org/referrals/r1\"}",
	  "There is an update about a referral on Kith Town" },
	{ "referral_outcome", "{\"name\": \"Jane\", \"link\": \"https://kith.example.org/referrals/r1\"}",
	  "https://kith.example.org/referrals/r1" },
	{ "referral_follow_up", "{\"name\": \"Jane\", \"link\": \"https://kith.example.org/referrals/r1\"}",
	  "https://kith.example.org/referrals/r1" },
	{ "referral_folded", "{\"name\": \"Jane\", \"link\": \"https://kith.example.org/referrals/r1\"}",
	  "It has been put with yours" },
	/* An organisation with nobody on kith: its name, the link and how
	 * long it works; nothing about the person referred. */
	{ "claim_org", "{\"name\": \"Jane\", \"org_name\": \"Brigg Lunch Club\", \"days\": 14, "
	  "\"link\": \"https://kith.example.org/claim/t0k3n\"}", "The link works for 14 days" },
	/* Peer support emails carry a link and the few words given (a date, a
	 * count, a first name); never a message, a condition or anything else
	 * about the person. */
	{ "peer_offer", "{\"name\": \"Jane\", \"link\": \"https://kith.example.org/peer/offers/o1\", "
	  "\"answer_by\": \"14 December 2026\"}", "https://kith.example.org/peer/offers/o1" },
	{ "peer_reminder", "{\"name\": \"Jane\", \"link\": \"https://kith.example.org/peer/offers/o1\", "
	  "\"answer_by\": \"14 December 2026\"}", "https://kith.example.org/peer/offers/o1" },
	{ "peer_paused", "{\"name\": \"Jane\", \"link\": \"https://kith.example.org/peer\", \"count\": 3}",
	  "https://kith.example.org/peer" },
	{ "peer_approved", "{\"name\": \"Jane\", \"link\": \"https://kith.example.org/peer\"}",
	  "https://kith.example.org/peer" },
	{ "peer_matched", "{\"name\": \"Jane\", \"peer_name\": \"Sam\", "
	  "\"link\": \"https://kith.example.org/peer/matches/m1\"}", "https://kith.example.org/peer/matches/m1" },
	{ "peer_message", "{\"name\": \"Jane\", \"from\": \"Sam\", "
	  "\"link\": \"https://kith.example.org/peer/matches/m1\"}", "https://kith.example.org/peer/matches/m1" },
	{ "peer_ended", "{\"name\": \"Jane\", \"link\": \"https://kith.example.org/peer\"}",
	  "https://kith.example.org/peer" },
	{ "peer_concern", "{\"name\": \"Jane\", \"link\": \"https://kith.example.org/coordinate/peer/concerns\"}",
	  "https://kith.example.org/coordinate/peer/concerns" },
	/* Groups: a sensitive group's emails say only that there is something
	 * to see; the others say what, when and where. */
	{ "group_message", "{\"name\": \"Jane\", \"sensitive\": true, \"link\": \"https://kith.example.org/groups/g1\"}",
	  "A host of one of your groups has written to everyone in it" },
	{ "group_session_cancelled", "{\"name\": \"Jane\", \"sensitive\": false, \"group\": \"Tuesday Health Walk\", "
	  "\"when\": \"Tuesday 19 January 2027, 10:00 to 11:30\", \"note\": \"The park is flooded\", "
	  "\"link\": \"https://kith.example.org/groups/g1/sessions/2027-01-19\"}", "The park is flooded" },
	{ "group_session_changed", "{\"name\": \"Jane\", \"sensitive\": true, "
	  "\"link\": \"https://kith.example.org/groups/g1/sessions/2027-01-19\"}", "Sign in to see what is different" },
	{ "group_place_free", "{\"name\": \"Jane\", \"sensitive\": false, \"group\": \"Tuesday Health Walk\", "
	  "\"when\": \"Tuesday 19 January 2027, 10:00 to 11:30\", "
	  "\"link\": \"https://kith.example.org/groups/g1/sessions/2027-01-19\"}", "you are going now" },
	{ "group_reminder", "{\"name\": \"Jane\", \"sensitive\": false, \"group\": \"Tuesday Health Walk\", "
	  "\"when\": \"Tuesday 19 January 2027, 10:00 to 11:30\", \"place\": \"Central Park, 1 Park Road\", "
	  "\"how\": \"Bus 4 stops at the gate\", "
	  "\"link\": \"https://kith.example.org/groups/g1/sessions/2027-01-19\"}", "Bus 4 stops at the gate" },
	/* Conversations: never a post's words, a topic's title, a name or a
	 * moderator's note; a space's name only for carers' and general
	 * spaces (a condition's or a group's space is "a space you follow"). */
	{ "talk_urgent", "{\"name\": \"Jane\", \"link\": \"https://kith.example.org/talk/moderate\"}",
	  "An urgent flag is waiting in the moderation queue" },
	{ "talk_new_replies", "{\"name\": \"Jane\", \"link\": \"https://kith.example.org/talk/following\", "
	  "\"total\": 4, \"spaces\": [{\"count\": 3, \"what\": \"new replies\", \"space\": \"Carers' corner\"}, "
	  "{\"count\": 1, \"what\": \"new reply\"}]}", "1 new reply in a space you follow" },
	{ "talk_digest", "{\"name\": \"Jane\", \"link\": \"https://kith.example.org/talk/following\", "
	  "\"total\": 2, \"spaces\": [{\"count\": 2, \"what\": \"new replies\", \"space\": \"Tea and chat\"}]}",
	  "2 new replies in Tea and chat" },
	{ "talk_notice", "{\"name\": \"Jane\", \"link\": \"https://kith.example.org/talk/notices\"}",
	  "https://kith.example.org/talk/notices" },
	{ "talk_modmail", "{\"name\": \"Jane\", \"link\": \"https://kith.example.org/talk/messages\"}",
	  "have answered your message" },
};

static void test_templates(void **state)
{
	struct config cfg = base_cfg();
	struct tmpl_set *views = NULL;
	char err[512];
	size_t checked = 0;

	UNUSED(state);
	assert_int_equal(view_init(&views, err, sizeof(err)), ERR_OK);
	/* Every email has a sample here: a new email needs one. */
	for (size_t i = 0; i < tmpl_count(views); i++) {
		const char *t = tmpl_name(views, i);
		size_t n = strlen(t);
		bool known = false;

		if (strncmp(t, "emails/", 7) != 0 || strncmp(t, "emails/partials/", 16) == 0 ||
		    strcmp(t + n - 4, ".txt") != 0)
			continue;
		for (size_t k = 0; k < ARRAY_LEN(samples); k++)
			if (strlen(samples[k].name) == n - 11 && strncmp(t + 7, samples[k].name, n - 11) == 0)
				known = true;
		if (!known)
			fail_msg("%s has no sample context in test_mail.c", t);
		checked++;
	}
	assert_int_equal(checked, ARRAY_LEN(samples));
	for (size_t k = 0; k < ARRAY_LEN(samples); k++) {
		json_error_t je;
		json_t *ctx = json_loads(samples[k].ctx, 0, &je);
		char *subject, *text, *html;

		assert_non_null(ctx);
		assert_int_equal(mail_render(views, cfg.site_name, cfg.base_url, samples[k].name, ctx, &subject, &text, &html), ERR_OK);
		/* The caller's context is borrowed, not changed. */
		assert_null(json_object_get(ctx, "site"));
		json_decref(ctx);
		assert_true(strlen(subject) > 10 && strlen(subject) <= MAIL_SUBJECT_MAX);
		assert_null(strchr(subject, '\n'));
		assert_null(strstr(subject, "{{"));
		assert_non_null(strstr(subject, "Kith Town"));
		assert_true(text[0] != '\n' && text[0] != ' ');
		assert_null(strstr(text, "{{"));
		assert_non_null(strstr(text, "Hello Jane,"));
		assert_non_null(strstr(text, "Kith Town"));
		assert_non_null(strstr(text, samples[k].expect));
		assert_non_null(strstr(text, "\n-- \nKith Town\nhttps://kith.example.org\n"));
		assert_non_null(html);
		assert_null(strstr(html, "{{"));
		assert_non_null(strstr(html, "<html lang=\"en\">"));
		assert_non_null(strstr(html, "<h1>"));
		assert_non_null(strstr(html, "<title>"));
		assert_non_null(strstr(html, "Hello Jane,"));
		assert_null(strstr(html, "style="));
		assert_null(strstr(html, "<img"));
		assert_non_null(strstr(html, samples[k].expect));
		free(subject);
		free(text);
		free(html);
	}
	tmpl_free(views);
}

static void test_render_errors(void **state)
{
	static const char nosubj[] = "Hello {{name}}\n";
	static const char noblank[] = "Subject: Hi\nHello\n";
	static const char empty[] = "Subject:   \n\nHello\n";
	static const char ok[] = "Subject: Hi {{name}}\n\nHello {{name}}\n";
	struct tmpl_src srcs[] = {
		{ "emails/nosubj.txt", nosubj, sizeof(nosubj) - 1 },
		{ "emails/noblank.txt", noblank, sizeof(noblank) - 1 },
		{ "emails/empty.txt", empty, sizeof(empty) - 1 },
		{ "emails/ok.txt", ok, sizeof(ok) - 1 },
	};
	struct config cfg = base_cfg();
	struct tmpl_set *set;
	char err[256], *s, *t, *h;
	json_t *ctx = json_pack("{s:s}", "name", "Ann\r\nBcc: x@y.org");

	UNUSED(state);
	assert_int_equal(tmpl_compile(srcs, ARRAY_LEN(srcs), &set, err, sizeof(err)), ERR_OK);
	log_set_quiet(1);
	assert_int_equal(mail_render(set, cfg.site_name, cfg.base_url, "nosubj", NULL, &s, &t, &h), ERR_INVALID);
	assert_int_equal(mail_render(set, cfg.site_name, cfg.base_url, "noblank", NULL, &s, &t, &h), ERR_INVALID);
	assert_int_equal(mail_render(set, cfg.site_name, cfg.base_url, "empty", NULL, &s, &t, &h), ERR_INVALID);
	log_set_quiet(0);
	assert_int_equal(mail_render(set, cfg.site_name, cfg.base_url, "missing", NULL, &s, &t, &h), ERR_NOT_FOUND);
	assert_int_equal(mail_render(set, cfg.site_name, cfg.base_url, "../ok", NULL, &s, &t, &h), ERR_NOT_FOUND);
	assert_null(s);
	/* A name with a line break cannot add a header: it ends the subject
	 * line, and the next line is not blank. */
	log_set_quiet(1);
	assert_int_equal(mail_render(set, cfg.site_name, cfg.base_url, "ok", ctx, &s, &t, &h), ERR_INVALID);
	log_set_quiet(0);
	json_decref(ctx);
	ctx = json_pack("{s:s}", "name", "Ann");
	assert_int_equal(mail_render(set, cfg.site_name, cfg.base_url, "ok", ctx, &s, &t, &h), ERR_OK);
	assert_string_equal(s, "Hi Ann");
	assert_string_equal(t, "Hello Ann\n");
	assert_null(h);
	free(s);
	free(t);
	json_decref(ctx);
	tmpl_free(set);
}

/* ------------------------------------------------------------- outbox */

struct fx {
	struct rt t;
	char dir[300];
};

static int setup_with(void **state, const char *smtp_url)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *backend = *state;
	char s_dir[400], s_smtp[100];
	const char *settings[] = { s_dir, s_smtp, "outbox_retry_base=30", "outbox_max_tries=3",
				   "smtp_timeout=5", "base_url=https://kith.example.org",
				   "site_name=Kith Town", NULL };

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/kith-test-mail-%d-%s/mail", (int)getpid(), backend);
	snprintf(s_dir, sizeof(s_dir), "mail_dir=%s", f->dir);
	snprintf(s_smtp, sizeof(s_smtp), "smtp_url=%s", smtp_url);
	if (!rt_start_with(&f->t, backend, settings)) {
		free(f);
		return -1;
	}
	time_set_fake(NOW);
	*state = f;
	return 0;
}

static int setup_dev(void **state) { return setup_with(state, ""); }
/* Nothing listens on port 1: every attempt fails at once. */
static int setup_down(void **state) { return setup_with(state, "smtp://127.0.0.1:1"); }

static int teardown(void **state)
{
	struct fx *f = *state;
	char top[300];

	time_set_fake(0);
	rt_stop(&f->t);
	snprintf(top, sizeof(top), "%.*s", (int)(strlen(f->dir) - 5), f->dir);
	rt_rm_rf(f->dir);
	rt_rm_rf(top);
	free(f);
	return 0;
}

static struct db *fx_db(struct fx *f)
{
	return store_db(f->t.app.store);
}

static const struct sql q_row = {
	"test.outbox_row",
	"SELECT attempts, not_before, coalesce(lease_until, 0), coalesce(lease_owner, ''), "
	"coalesce(last_error, ''), coalesce(sent_at, 0), coalesce(failed_at, 0), body_text, "
	"coalesce(body_html, ''), template, coalesce(person_id, 0), subject, to_addr "
	"FROM outbox WHERE id = $1",
	NULL,
};

struct row {
	int64_t attempts, not_before, lease_until, sent_at, failed_at, person_id;
	char owner[64], last_error[200], text[4096], html[8192], tmpl[64], subject[256], to[256];
};

static bool get_row(struct db *db, int64_t id, struct row *out)
{
	struct db_res *r;
	bool found = false;

	memset(out, 0, sizeof(*out));
	if (db_query(db, &q_row, DB_ARGS(DB_INT(id)), &r) != ERR_OK)
		return false;
	if (db_next(r) == ERR_OK && db_row(r)) {
		found = true;
		out->attempts = db_int(r, 0);
		out->not_before = db_int(r, 1);
		out->lease_until = db_int(r, 2);
		str_copy(out->owner, sizeof(out->owner), db_text(r, 3));
		str_copy(out->last_error, sizeof(out->last_error), db_text(r, 4));
		out->sent_at = db_int(r, 5);
		out->failed_at = db_int(r, 6);
		str_copy(out->text, sizeof(out->text), db_text(r, 7));
		str_copy(out->html, sizeof(out->html), db_text(r, 8));
		str_copy(out->tmpl, sizeof(out->tmpl), db_text(r, 9));
		out->person_id = db_int(r, 10);
		str_copy(out->subject, sizeof(out->subject), db_text(r, 11));
		str_copy(out->to, sizeof(out->to), db_text(r, 12));
	}
	db_res_free(r);
	return found;
}

static const struct sql q_count = { "test.outbox_count", "SELECT count(*) FROM outbox", NULL };
static const struct sql q_max = { "test.outbox_max", "SELECT max(id) FROM outbox", NULL };
static const struct sql q_person = {
	"test.person",
	"INSERT INTO person (name, email, email_lower, created_at, updated_at) "
	"VALUES ('Jane', 'jane@example.org', 'jane@example.org', 1, 1) RETURNING id",
	NULL,
};

static int64_t count_rows(struct db *db)
{
	int64_t n = -1;

	assert_int_equal(db_query_int(db, &q_count, DB_NOARGS, &n), ERR_OK);
	return n;
}

/* Queues verify_email for to; returns its id. */
static int64_t enqueue(struct fx *f, const char *to, int64_t person)
{
	struct db *db = fx_db(f);
	json_t *ctx = json_pack("{s:s, s:s}", "name", "Jane", "link", "https://kith.example.org/verify/t0k3n");
	int64_t id = 0;

	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(mail_enqueue(&f->t.app.mailer, db, to, person, "verify_email", ctx, time_now()), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	json_decref(ctx);
	assert_int_equal(db_query_int(db, &q_max, DB_NOARGS, &id), ERR_OK);
	return id;
}

static void test_enqueue(void **state)
{
	struct fx *f = *state;
	struct db *db = fx_db(f);
	json_t *ctx = json_pack("{s:s, s:s}", "name", "Jane", "link", "https://kith.example.org/v/1");
	struct row r;
	int64_t id;

	/* Refused before anything is rendered or written. */
	assert_int_equal(mail_enqueue(&f->t.app.mailer, db, "jane@example.org\r\nBcc: x@y.org", 0, "verify_email",
				      ctx, NOW), ERR_INVALID);
	assert_int_equal(mail_enqueue(&f->t.app.mailer, db, "no-at-sign", 0, "verify_email", ctx, NOW), ERR_INVALID);
	assert_int_equal(mail_enqueue(&f->t.app.mailer, db, "jane@example.org", 0, "no_such_email", ctx, NOW),
			 ERR_NOT_FOUND);
	assert_int_equal(count_rows(db), 0);

	/* A rolled-back transaction never sends. */
	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(mail_enqueue(&f->t.app.mailer, db, "jane@example.org", 0, "verify_email", ctx, NOW), ERR_OK);
	assert_int_equal(count_rows(db), 1);
	assert_int_equal(db_rollback(db), ERR_OK);
	assert_int_equal(count_rows(db), 0);
	json_decref(ctx);

	id = enqueue(f, "jane@example.org", 0);
	assert_true(get_row(db, id, &r));
	assert_string_equal(r.to, "jane@example.org");
	assert_string_equal(r.tmpl, "verify_email");
	assert_string_equal(r.subject, "Confirm your email address for Kith Town");
	assert_non_null(strstr(r.text, "https://kith.example.org/verify/t0k3n"));
	assert_non_null(strstr(r.html, "href=\"https://kith.example.org/verify/t0k3n\""));
	assert_int_equal(r.attempts, 0);
	assert_int_equal(r.not_before, NOW);
	assert_int_equal(r.sent_at, 0);
	assert_int_equal(r.person_id, 0);
}

static void test_deliver_dev(void **state)
{
	struct fx *f = *state;
	struct db *db = fx_db(f);
	int64_t id = enqueue(f, "jane@example.org", 0);
	char name[64], path[400], expect[64];
	struct mail_parsed p;
	struct row r;
	int sent = -1, failed = -1;
	FILE *fp;
	char *buf = calloc(1, 1 << 16);
	size_t n;

	assert_int_equal(mail_deliver_due(&f->t.app, db, NOW, &sent, &failed), ERR_OK);
	assert_int_equal(sent, 1);
	assert_int_equal(failed, 0);
	assert_true(get_row(db, id, &r));
	assert_int_equal(r.sent_at, NOW);
	assert_int_equal(r.attempts, 1);
	assert_int_equal(r.lease_until, 0);
	assert_string_equal(r.owner, "");
	/* The bodies (one-time links) do not outlive the sending. */
	assert_string_equal(r.text, "");
	assert_string_equal(r.html, "");
	assert_string_equal(r.subject, "Confirm your email address for Kith Town");

	assert_int_equal(count_files(f->dir, name, sizeof(name)), 1);
	snprintf(expect, sizeof(expect), "20260101T000000Z-%lld.eml", (long long)id);
	assert_string_equal(name, expect);
	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	n = fread(buf, 1, (1 << 16) - 1, fp);
	fclose(fp);
	assert_lines(buf, 78);
	assert_int_equal(mail_parse(buf, n, &p), ERR_OK);
	assert_string_equal(p.subject, "Confirm your email address for Kith Town");
	assert_string_equal(p.to, "<jane@example.org>");
	assert_non_null(strstr(p.text, "https://kith.example.org/verify/t0k3n"));
	mail_parsed_free(&p);
	free(buf);

	/* Sent once: nothing more to do. */
	assert_int_equal(mail_deliver_due(&f->t.app, db, NOW + 10, &sent, &failed), ERR_OK);
	assert_int_equal(sent, 0);
	assert_int_equal(count_files(f->dir, NULL, 0), 1);
	/* And the job finds nothing either. */
	assert_int_equal(mail_job(&f->t.app, db, NOW + 10), ERR_OK);
	assert_int_equal(count_files(f->dir, NULL, 0), 1);
}

static void test_job_drains(void **state)
{
	struct fx *f = *state;
	struct db *db = fx_db(f);

	for (int i = 0; i < MAIL_BATCH * 2 + 3; i++)
		enqueue(f, "jane@example.org", 0);
	assert_int_equal(mail_job(&f->t.app, db, NOW), ERR_OK);
	assert_int_equal(count_files(f->dir, NULL, 0), MAIL_BATCH * 2 + 3);
}

static void test_retry_schedule(void **state)
{
	struct fx *f = *state;
	struct db *db = fx_db(f);
	int64_t id = enqueue(f, "jane@example.org", 0);
	int sent = -1, failed = -1;
	struct row r;

	log_set_quiet(1);
	assert_int_equal(mail_deliver_due(&f->t.app, db, NOW, &sent, &failed), ERR_OK);
	assert_int_equal(sent, 0);
	assert_int_equal(failed, 1);
	assert_true(get_row(db, id, &r));
	assert_int_equal(r.attempts, 1);
	assert_int_equal(r.sent_at, 0);
	assert_int_equal(r.failed_at, 0);
	assert_int_equal(r.lease_until, 0);
	assert_string_equal(r.owner, "");
	assert_true(r.not_before >= NOW + 30 && r.not_before <= NOW + 30 + 7);
	/* curl's words, no address, no URL. */
	assert_string_equal(r.last_error, "Couldn't connect to server");
	/* The bodies stay until it is sent. */
	assert_non_null(strstr(r.text, "t0k3n"));

	/* Not due yet: nothing is tried. */
	assert_int_equal(mail_deliver_due(&f->t.app, db, NOW + 29, &sent, &failed), ERR_OK);
	assert_int_equal(failed, 0);
	assert_true(get_row(db, id, &r));
	assert_int_equal(r.attempts, 1);

	/* Second attempt: twice the wait. */
	time_set_fake(NOW + 40);
	assert_int_equal(mail_deliver_due(&f->t.app, db, NOW + 40, &sent, &failed), ERR_OK);
	assert_int_equal(failed, 1);
	assert_true(get_row(db, id, &r));
	assert_int_equal(r.attempts, 2);
	assert_true(r.not_before >= NOW + 40 + 60 && r.not_before <= NOW + 40 + 75);

	/* Third of three: it gives up and shows on the admin list. */
	time_set_fake(NOW + 200);
	assert_int_equal(mail_deliver_due(&f->t.app, db, NOW + 200, &sent, &failed), ERR_OK);
	assert_int_equal(failed, 1);
	assert_true(get_row(db, id, &r));
	assert_int_equal(r.attempts, 3);
	assert_int_equal(r.failed_at, NOW + 200);
	assert_int_equal(mail_deliver_due(&f->t.app, db, NOW + 100000, &sent, &failed), ERR_OK);
	assert_int_equal(failed, 0);
	log_set_quiet(0);
	{
		json_t *admin = NULL;

		assert_int_equal(mail_outbox_admin(db, NOW + 200, &admin), ERR_OK);
		assert_int_equal(json_array_size(json_object_get(admin, "failed")), 1);
		assert_int_equal(json_array_size(json_object_get(admin, "pending")), 0);
		assert_string_equal(json_string_value(json_object_get(
			json_array_get(json_object_get(admin, "failed"), 0), "to")), "j***@example.org");
		assert_null(json_object_get(json_array_get(json_object_get(admin, "failed"), 0), "subject"));
		json_decref(admin);
	}

	/* An admin's retry makes it due now, with its tries counted afresh. */
	assert_int_equal(mail_db_retry(db, id, NOW + 300, NULL), ERR_OK);
	assert_true(get_row(db, id, &r));
	assert_int_equal(r.failed_at, 0);
	assert_int_equal(r.attempts, 0);
	assert_int_equal(r.not_before, NOW + 300);
	/* Only a failed email can be retried. */
	assert_int_equal(mail_db_retry(db, id, NOW + 300, NULL), ERR_NOT_FOUND);
	assert_int_equal(mail_db_retry(db, id + 1000, NOW + 300, NULL), ERR_NOT_FOUND);
}

static void test_leases(void **state)
{
	struct fx *f = *state;
	struct db *db = fx_db(f);
	struct mail_claimed *a, *b;
	size_t na, nb;
	int64_t ch = -1, due = 0, first = 0;
	struct row r;

	for (int i = 0; i < 5; i++) {
		int64_t id = enqueue(f, "jane@example.org", 0);

		if (!first)
			first = id;
	}
	assert_int_equal(mail_db_next_due(db, &due), ERR_OK);
	assert_int_equal(due, NOW);
	/* Two claimers get different messages. */
	assert_int_equal(mail_db_claim(db, NOW, NOW + 120, "owner-a", 3, &a, &na), ERR_OK);
	assert_int_equal(mail_db_claim(db, NOW, NOW + 120, "owner-b", 3, &b, &nb), ERR_OK);
	assert_int_equal(na, 3);
	assert_int_equal(nb, 2);
	for (size_t i = 0; i < na; i++)
		for (size_t k = 0; k < nb; k++)
			assert_true(a[i].id != b[k].id);
	assert_string_equal(a[0].subject, "Confirm your email address for Kith Town");
	assert_int_equal(a[0].created_at, NOW);
	assert_non_null(a[0].html);
	/* A third finds nothing while the leases hold. */
	{
		struct mail_claimed *c;
		size_t nc;

		assert_int_equal(mail_db_claim(db, NOW + 60, NOW + 180, "owner-c", 10, &c, &nc), ERR_OK);
		assert_int_equal(nc, 0);
		mail_claimed_free(c, nc);
	}
	/* Nothing pending is due before the leases end. */
	assert_int_equal(mail_db_next_due(db, &due), ERR_OK);
	assert_int_equal(due, NOW + 120);
	/* Only the owner records an outcome. */
	assert_int_equal(mail_db_sent(db, a[0].id, "owner-b", NOW, &ch), ERR_OK);
	assert_int_equal(ch, 0);
	assert_int_equal(mail_db_attempt_failed(db, a[0].id, "owner-b", 1, "x", NOW, 0, &ch), ERR_OK);
	assert_int_equal(ch, 0);
	assert_int_equal(mail_db_sent(db, a[0].id, "owner-a", NOW, &ch), ERR_OK);
	assert_int_equal(ch, 1);
	assert_true(get_row(db, a[0].id, &r));
	assert_int_equal(r.sent_at, NOW);
	/* A lease that ran out (its process died) can be claimed again. */
	{
		struct mail_claimed *c;
		size_t nc;

		assert_int_equal(mail_db_claim(db, NOW + 121, NOW + 241, "owner-c", 10, &c, &nc), ERR_OK);
		assert_int_equal(nc, 4);
		mail_claimed_free(c, nc);
		/* The old owner lost it. */
		assert_int_equal(mail_db_sent(db, a[1].id, "owner-a", NOW + 122, &ch), ERR_OK);
		assert_int_equal(ch, 0);
		/* Giving back what is held. */
		assert_int_equal(mail_db_release(db, "owner-c"), ERR_OK);
		assert_true(get_row(db, a[1].id, &r));
		assert_int_equal(r.lease_until, 0);
	}
	mail_claimed_free(a, na);
	mail_claimed_free(b, nb);
}

/* A stopping server sends nothing more and gives its claims back at once,
 * so another process need not wait for the lease to run out. */
static void test_draining(void **state)
{
	struct fx *f = *state;
	struct db *db = fx_db(f);
	int64_t id = enqueue(f, "jane@example.org", 0);
	int sent = -1, failed = -1;
	struct row r;

	atomic_store(&f->t.app.draining, true);
	assert_int_equal(mail_deliver_due(&f->t.app, db, NOW, &sent, &failed), ERR_OK);
	atomic_store(&f->t.app.draining, false);
	assert_int_equal(sent, 0);
	assert_int_equal(failed, 0);
	assert_true(get_row(db, id, &r));
	assert_int_equal(r.sent_at, 0);
	assert_int_equal(r.attempts, 0);
	assert_int_equal(r.lease_until, 0);
	assert_string_equal(r.owner, "");
	assert_int_equal(count_files(f->dir, NULL, 0), 0);
	assert_int_equal(mail_deliver_due(&f->t.app, db, NOW, &sent, &failed), ERR_OK);
	assert_int_equal(sent, 1);
}

static void test_export_erase(void **state)
{
	struct fx *f = *state;
	struct db *db = fx_db(f);
	int64_t person = 0;
	json_t *out = json_object(), *emails, *e0;

	assert_int_equal(db_query_int(db, &q_person, DB_NOARGS, &person), ERR_OK);
	enqueue(f, "jane@example.org", person);
	enqueue(f, "other@example.org", 0);
	assert_int_equal(mail_export_person(db, person, 0, out), ERR_OK);
	emails = json_object_get(out, "emails");
	assert_int_equal(json_array_size(emails), 1);
	e0 = json_array_get(emails, 0);
	assert_string_equal(json_string_value(json_object_get(e0, "to")), "jane@example.org");
	assert_string_equal(json_string_value(json_object_get(e0, "template")), "verify_email");
	assert_string_equal(json_string_value(json_object_get(e0, "created_at")), "2026-01-01T00:00:00Z");
	assert_null(json_object_get(e0, "body_text"));
	assert_null(json_object_get(e0, "sent_at"));
	json_decref(out);

	assert_int_equal(mail_erase_person(db, person, NOW), ERR_OK);
	assert_int_equal(count_rows(db), 1);
	out = json_object();
	assert_int_equal(mail_export_person(db, person, 0, out), ERR_OK);
	assert_int_equal(json_array_size(json_object_get(out, "emails")), 0);
	json_decref(out);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_addr_ok),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_name_ok),
		cmocka_unit_test(test_from_and_message_id),
		cmocka_unit_test(test_encode_word),
		cmocka_unit_test(test_qp),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_eml),
		cmocka_unit_test(test_templates),
		cmocka_unit_test(test_render_errors),
	};
	const struct CMUnitTest outbox[] = {
		cmocka_unit_test_setup_teardown(test_enqueue, setup_dev, teardown),
		cmocka_unit_test_setup_teardown(test_deliver_dev, setup_dev, teardown),
		cmocka_unit_test_setup_teardown(test_job_drains, setup_dev, teardown),
		cmocka_unit_test_setup_teardown(test_retry_schedule, setup_down, teardown),
		cmocka_unit_test_setup_teardown(test_leases, setup_dev, teardown),
		cmocka_unit_test_setup_teardown(test_draining, setup_dev, teardown),
		cmocka_unit_test_setup_teardown(test_export_erase, setup_dev, teardown),
	};
	int failed = 0;

	log_set_level(LOG_WARN);
	failed += cmocka_run_group_tests_name("mail", pure, NULL, NULL);
	failed += testdb_run_groups("outbox", outbox, ARRAY_LEN(outbox));
	return failed ? 1 : 0;
}
