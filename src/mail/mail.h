/*
 * mail.h - email that always gets delivered.
 *
 * mail_enqueue() renders an email from templates and inserts it into the
 * outbox table in the caller's transaction: if the transaction rolls back
 * the email never existed, and once it commits a crash cannot lose it.
 * Once it commits, the mailer wakes the worker so it leaves at once.
 *
 * Rules queue mail through a struct mailer: what queueing needs of the
 * running app (its templates, the site's name and address, and how to
 * wake its worker) and nothing else. The app fills one at start-up
 * (mail_mailer_init(), mail_feature.h) and edges pass &app->mailer on.
 *
 * The outbox job (run by src/app/worker.c in every kith process) claims
 * due messages with a lease (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite:
 * its single writer), so two processes never send the same message, and
 * delivers them over SMTP with libcurl (smtp_url; STARTTLS per smtp_tls;
 * user:password in the URL), or, when smtp_url is empty (local
 * development), writes each as a .eml file into mail_dir. A failure is
 * retried after outbox_retry_base seconds, doubling each time (with a
 * little jitter), up to outbox_max_tries attempts; then it is marked
 * failed and shown to admins at /admin/outbox, where it can be retried.
 * A crash after the SMTP server accepted a message but before kith
 * recorded it can send it again after the lease expires; the Message-ID is
 * stable (outbox id) so mail systems can tell.
 *
 * Emails: templates/emails/NAME.txt (plain text, required) and
 * templates/emails/NAME.html (optional). The text template's first line is
 * "Subject: ..." and the next is blank. Both render with the caller's ctx
 * plus site.name, site.base_url. No health detail ever goes in an email:
 * say there is something to see, and link to it.
 */
#ifndef KITH_MAIL_H
#define KITH_MAIL_H

#include <stdint.h>

#include <jansson.h>

struct feature;
struct demo_opts;
#include "auth/policy.h"
#include "core/err.h"

struct db;
struct tmpl_set;

/* What queueing an email needs of the running app. Borrowed pointers that
 * live as long as the app. */
struct mailer {
	const struct tmpl_set *views;    /* templates/emails/ */
	const char *site_name;           /* site.name in every email */
	const char *base_url;            /* site.base_url */
	/* Called once after the queueing transaction commits: sends it now
	 * rather than at the next poll. NULL: nothing to wake (a command
	 * that delivers itself). */
	void (*wake)(void *arg);
	void *wake_arg;
};

/* Wakes the worker to send mail once db's transaction commits (at once
 * outside one). mail_enqueue() does it; a change that makes a held message
 * due again (an admin's retry) asks for it itself. */
enum err mail_wake_on_commit(const struct mailer *m, struct db *db);

/* Renders emails/<name> with ctx (borrowed) and inserts it for to.
 * person_id (0 if none) links it to a person for "download my data".
 * ERR_INVALID for an address with a newline or no @ (never a header
 * injection), ERR_NOT_FOUND for an unknown template. */
enum err mail_enqueue(const struct mailer *m, struct db *db, const char *to, int64_t person_id,
		const char *name, const json_t *ctx, int64_t now);

/* Emails person_id, when they have a confirmed address on an active
 * account, template name with ctx (borrowed; its "name" becomes their
 * first name and "link" the absolute link to route with arg, which may
 * be NULL; route NULL: ctx's own "link" is kept). Someone with no such address is not emailed (ERR_OK): they
 * see it when they sign in. Nothing when m is NULL. */
struct links;
enum err mail_person(const struct mailer *m, const struct links *links, struct db *db,
		int64_t person_id, const char *name, json_t *ctx, const char *route, const char *arg,
		int64_t now);

/* [{id, to, subject, template, created_at, sent_at?, failed_at?, attempts,
 * last_error?}] of the emails sent to person_id (for "download my data";
 * no bodies). */
enum err mail_export_person(struct db *db, int64_t person_id, int64_t now, json_t *out);

extern const struct feature mail_feature;

/* Failed emails and the development mailbox: admins. */
extern const struct action act_outbox_admin;

#define MAIL_PATH_MAX 512   /* bytes of the SMTP URL and of the .eml folder's path */

/* The mail feature's settings (kith.conf keys of the same names). */
struct mail_settings {
	char smtp_url[MAIL_PATH_MAX];        /* smtp://user:pass@host:587, smtps://...; "" writes files */
	char smtp_tls[16];         /* try, require or off (STARTTLS on smtp://) */
	int smtp_timeout;          /* seconds */
	char mail_from[256];
	char mail_dir[MAIL_PATH_MAX];  /* where .eml files go without smtp_url */
	int outbox_max_tries;
	int outbox_retry_base;     /* seconds before the first retry; doubles each time */
	int outbox_poll;           /* seconds between looks at the outbox */
};

/* Its keys (mail_web.c); SETTINGS_OF(cfg, struct mail_settings,
 * mail_settings) is the struct. */
struct settings;
extern const struct settings mail_settings;

#endif
