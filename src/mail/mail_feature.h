/*
 * mail_feature.h - the outbox in a running kith (mail_feature.c): the
 * app's mailer, the delivery job, and one delivery pass for the commands
 * and tests that send at once.
 */
#ifndef KITH_MAIL_FEATURE_H
#define KITH_MAIL_FEATURE_H

#include <stdint.h>

#include "core/err.h"
#include "mail/mail.h"

struct app;
struct db;

/* Fills m from app: its templates, site name and address, and a wake that
 * tells the job and the app's worker once the queueing transaction
 * commits. app_init calls it; m lives in the app. */
void mail_mailer_init(struct mailer *m, struct app *app);

/* One pass of the outbox job: claim up to a batch of due messages, deliver
 * them, record the outcome. *sent and *failed (may be NULL) count this
 * pass. */
enum err mail_deliver_due(struct app *app, struct db *db, int64_t now, int *sent, int *failed);

/* The outbox job (struct job, every second; see mail_feature.c for when it
 * actually looks). */
enum err mail_job(struct app *app, struct db *db, int64_t now);

#endif
