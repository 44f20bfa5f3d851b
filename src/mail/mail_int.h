/*
 * mail_int.h - the mail feature's insides, shared by mail.c (rules and
 * the job), mail_db.c (SQL), smtp.c (messages, SMTP, .eml files),
 * mail_web.c (admin pages) and tests/unit/test_mail.c. Other features use
 * mail.h only.
 */
#ifndef KITH_MAIL_INT_H
#define KITH_MAIL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"

struct config;
struct mail_settings;
struct db;

/* Limits. */
#define MAIL_ADDR_MAX        254                 /* bytes of an address (RFC 5321 path) */
#define MAIL_SUBJECT_MAX     200                 /* bytes of a rendered subject line */
#define MAIL_BODY_MAX        (256 * 1024)        /* a rendered text or HTML body */
#define MAIL_MESSAGE_MAX     (2 * 1024 * 1024)   /* a built message (QP grows bodies up to 3x) */
#define MAIL_TEMPLATE_MAX    64                  /* bytes of an email's name */
#define MAIL_ERROR_MAX       120                 /* bytes of last_error */
#define MAIL_BATCH           10                  /* messages claimed per pass */
#define MAIL_LEASE_S         120                 /* a claim lasts this, plus smtp_timeout */
#define MAIL_LEASE_MARGIN_S  10                  /* never start a send this close to the lease's end */
#define MAIL_BACKOFF_CAP_S   86400               /* longest wait between attempts */
#define MAIL_RUN_BUDGET_S    20                  /* one job run stops claiming after this */
#define MAIL_BURST_S         5                   /* after a local enqueue, look every tick this long */
#define MAIL_ADMIN_LIST_MAX  100                 /* rows per list on /admin/outbox */
#define MAIL_EXPORT_MAX      10000               /* emails in one person's export */
#define MAILBOX_LIST_MAX     200                 /* .eml files listed on /admin/mailbox */
#define MAILBOX_FILE_MAX     (4 * 1024 * 1024)   /* largest .eml file the mailbox reads */
#define MAILBOX_HEAD_MAX     (16 * 1024)         /* header bytes read for the list */

/* One message as the outbox holds it. Strings are borrowed. */
struct mail_msg {
	int64_t id;
	const char *to;
	const char *subject;
	const char *text;       /* plain-text body */
	const char *html;       /* HTML body, or NULL */
	int64_t date;           /* created_at: the Date header, the same on every attempt */
};

/* ---- rules (mail.c) ---- */

/* A deliverable address: 3..254 bytes, one '@' with something on both
 * sides, a '.'-free-or-not domain without spaces, and no byte that could
 * break a header or the SMTP envelope (CR, LF, NUL, other controls,
 * spaces, '<', '>', ',', ';', '"', '\\', '(', ')'). Clean UTF-8. */
bool mail_addr_ok(const char *addr);
/* "jane@example.org" -> "j***@example.org" (the first character kept,
 * whole if it is multi-byte UTF-8). */
void mail_mask_addr(const char *addr, char *out, size_t n);
/* Seconds to wait after the attempts-th failed attempt (1 for the first):
 * base * 2^(attempts-1), plus up to a quarter more of jitter taken from
 * rnd, never more than MAIL_BACKOFF_CAP_S. */
int64_t mail_backoff(int base, int64_t attempts, uint64_t rnd);
/* Is name an email name (letters, digits, '_'; 1..MAIL_TEMPLATE_MAX)? */
bool mail_name_ok(const char *name);
/* Renders emails/<name>.txt (and .html, when it exists, inside
 * emails/partials/layout.html) with ctx (an object, borrowed; NULL for
 * none) plus site.name and site.base_url. Splits the text at its
 * "Subject: " line. *subject, *text and *html (NULL when there is no HTML
 * template) are malloc'd: free() them. ERR_NOT_FOUND for an unknown
 * email, ERR_INVALID for a text template without a subject line. */
struct tmpl_set;
enum err mail_render(const struct tmpl_set *views, const char *site_name, const char *base_url,
		const char *name, const json_t *ctx, char **subject, char **text, char **html);

/* Tells the job that this process has new work (an email queued, a
 * failed one retried): it looks at the outbox on its next ticks. */
void mail_poke(void);
/* /admin/outbox's data: mail_db_admin()'s lists with every address
 * masked (mail_mask_addr): admins see whom a failure concerns without
 * reading the whole address. */
enum err mail_outbox_admin(struct db *db, int64_t now, json_t **out);
/* Erasure: the person's emails go, bodies and addresses with them. */
enum err mail_erase_person(struct db *db, int64_t person_id, int64_t now);

/* ---- messages, SMTP and files (smtp.c) ---- */

/* The address part of mail_from: "kith <no-reply@x>" -> "no-reply@x".
 * False when there is none or it does not fit. */
bool mail_from_addr(const char *from, char *out, size_t n);
/* "<kith-outbox-ID@HOST>", HOST from base_url ("localhost" if none). */
void mail_message_id(const char *base_url, int64_t id, char *out, size_t n);
/* A header value: as is when it is printable ASCII, else RFC 2047
 * B-encoded words of at most 75 characters, folded with CRLF SP, never
 * splitting a UTF-8 character. CR and LF in s are dropped. */
void mail_encode_word(struct buf *b, const char *s);
/* Quoted-printable (RFC 2045) of p[0..n): lines of at most 76
 * characters, CRLF line ends (LF or CRLF in the input), '.' and "From "
 * at the start of a line encoded so no transport mangles them. */
void mail_qp_encode(struct buf *b, const char *p, size_t n);
/* The whole message, CRLF throughout: Date, From, To, Subject,
 * Message-ID, MIME-Version, Auto-Submitted, then text/plain alone or a
 * multipart/alternative of text/plain and text/html, quoted-printable.
 * ERR_TOO_LARGE past out's maximum; ERR_INVALID for a bad address. */
enum err mail_build(const char *base_url, const char *mail_from, const struct mail_msg *m,
		struct buf *out);

/* One SMTP connection for a delivery pass (libcurl reuses it between
 * messages). NULL when out of memory or libcurl cannot start. */
struct smtp_session;
struct smtp_session *smtp_open(const struct mail_settings *cfg);
void smtp_close(struct smtp_session *s);
/* Sends msg to one recipient. On failure writes a short reason with no
 * address, URL or password in it (libcurl's error text and the SMTP
 * code) to why, and sets *permanent when the server refused the
 * recipient for good (550, 551, 553, 556). */
enum err smtp_send(struct smtp_session *s, const char *to, const char *msg, size_t len,
		char *why, size_t whylen, bool *permanent);

/* Writes msg as <dir>/<YYYYMMDDTHHMMSSZ>-<id>.eml (dir created, 0700),
 * through a temporary name and rename(), so a crash leaves either the
 * whole file or none. The file name goes to name (may be NULL). */
enum err mail_eml_write(const char *dir, int64_t id, int64_t now, const char *msg, size_t len,
		char *name, size_t namelen, char *why, size_t whylen);
/* Is name shaped like a file mail_eml_write makes? */
bool mail_eml_name_ok(const char *name);

/* A parsed .eml (for the development mailbox): unfolded headers, the
 * subject decoded, and the text/plain part decoded. */
struct mail_parsed {
	json_t *headers;        /* [{name, value}] in order */
	char *subject;          /* decoded, malloc'd; "" when none */
	char *to;               /* malloc'd; "" when none */
	char *date;             /* malloc'd; "" when none */
	char *text;             /* malloc'd; NULL when there is no text part */
};
/* Parses p[0..n). ERR_INVALID when it is not a message we could have
 * written. Release with mail_parsed_free. */
enum err mail_parse(const char *p, size_t n, struct mail_parsed *out);
void mail_parsed_free(struct mail_parsed *m);
/* Decodes RFC 2047 encoded words (utf-8, B or Q) in a header value. */
void mail_decode_words(struct buf *b, const char *s, size_t n);

/* ---- SQL (mail_db.c) ---- */

/* A claimed message; strings malloc'd (mail_claimed_free). */
struct mail_claimed {
	int64_t id;
	char *to, *subject, *text, *html;
	int64_t attempts;
	int64_t created_at;
};

enum err mail_db_insert(struct db *db, const char *to, const char *subject, const char *text,
		const char *html, const char *tmpl, int64_t person_id, int64_t now, int64_t *id);
/* Leases up to limit due messages to owner until lease_until. *out is a
 * malloc'd array of *n (free with mail_claimed_free). */
enum err mail_db_claim(struct db *db, int64_t now, int64_t lease_until, const char *owner,
		int limit, struct mail_claimed **out, size_t *n);
void mail_claimed_free(struct mail_claimed *c, size_t n);
/* Outcomes; only the lease owner's count (*changes 0 when the lease was
 * lost). Sending clears the stored bodies: they may hold one-time links. */
enum err mail_db_sent(struct db *db, int64_t id, const char *owner, int64_t now, int64_t *changes);
enum err mail_db_attempt_failed(struct db *db, int64_t id, const char *owner, int64_t attempts,
		const char *why, int64_t not_before, int64_t failed_at, int64_t *changes);
/* Gives back what owner still holds (a pass that stopped early). */
enum err mail_db_release(struct db *db, const char *owner);
/* When the next pending message falls due (its not_before, or its lease's
 * end if later). ERR_NOT_FOUND when nothing is pending. */
enum err mail_db_next_due(struct db *db, int64_t *out);
/* A failed message back to pending, due now. *person_id (may be NULL)
 * receives whom it was for (0 if no one). ERR_NOT_FOUND when id is not a
 * failed message. */
enum err mail_db_retry(struct db *db, int64_t id, int64_t now, int64_t *person_id);
/* {failed: [...], pending: [...], counts: {failed, pending, sent_day}}:
 * what mail_outbox_admin() shows, before it masks the addresses ("to"
 * whole, or null). Never subjects or bodies. */
enum err mail_db_admin(struct db *db, int64_t now, json_t **out);
/* [{id, to, subject, template, created_at, sent_at?, failed_at?, attempts,
 * last_error?}] of person_id's emails, oldest first (times ISO 8601). */
enum err mail_db_export(struct db *db, int64_t person_id, json_t **out);
enum err mail_db_erase_person(struct db *db, int64_t person_id);

#endif
