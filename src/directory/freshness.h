/*
 * freshness.h - keeping the directory true: asking organisers whether a
 * service is still running, flagging and hiding the ones nobody answers
 * for, and the one-click answer link.
 *
 * A published service not checked (assured) for stale_months is asked
 * about: its organisation's organisers get an email, "Is <name> still
 * running?", with a link to the manage.check route (/check/<token>) (256 random bits; service_check
 * keeps only the SHA-256). No answer stale_flag_days after asking: it is
 * flagged to coordinators (/review). Still nothing stale_hide_days after
 * that: it is hidden from search (a directory_change row, so every kith
 * process's index follows) though its page still opens. Any confirmation
 * (the link, an organiser's "confirm", a coordinator's "mark as checked",
 * an organiser saving the form) assures it and clears all three. An
 * organisation with no organiser to ask is flagged to coordinators at
 * once.
 */
#ifndef KITH_FRESHNESS_H
#define KITH_FRESHNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

struct db;
struct directory;
struct directory_settings;
struct links;
struct mailer;

/* What the job needs of the running app (directory_feature.c fills it). */
struct freshness_env {
	const struct directory_settings *settings;   /* stale_months, _flag_days, _hide_days */
	struct directory *directory;   /* this process's index, synced after hiding (NULL: none) */
	const struct mailer *mailer;   /* the organisers' emails */
	const struct links *links;     /* the answer link and the organisers' page, absolute */
};

/* The job (hourly, and in tests by hand): ask, flag, hide. Opens its own
 * transactions (one per service asked, so one bad address never holds up
 * the rest); the mailer wakes the worker for the emails, and the index is
 * synced after hiding. */
enum err freshness_run(const struct freshness_env *env, struct db *db, int64_t now);

/* After a confirmation, inside the caller's transaction: clears the
 * asked/flagged/hidden marks, uses up the service's outstanding check
 * links, and records a directory change when it was hidden (so search
 * has it back once the caller syncs). *was_hidden (may be NULL) says so. */
enum err freshness_clear(struct db *db, const char *service_id, int64_t now, bool *was_hidden);

/* The link's pages: GET shows the question (or "this link has expired"),
 * POST answers it (answer=yes: still running; answer=stopped: archive). */
struct request;
struct response;
enum err freshness_check_get(struct request *req, struct response *resp);
enum err freshness_check_post(struct request *req, struct response *resp);

/* The cut-off: the same moment stale_months calendar months before now,
 * in UK time (the 31st becomes the month's last day). */
int64_t freshness_cutoff(int64_t now, int months);

/* A link's token (64 lowercase hex digits: web_path_token()) is stored
 * as its SHA-256 in hex. */
void freshness_token_hash(const char *token, char out[65]);

#endif
