/*
 * referral_feature.h - where the referral rules meet the running app
 * (referral_feature.c): the struct referral_env the edges hand the rules,
 * and the follow-up job. Only edges (referral_web.c, referral_api.c) and
 * tests include this.
 */
#ifndef KITH_REFERRAL_FEATURE_H
#define KITH_REFERRAL_FEATURE_H

#include <stdint.h>

#include "core/err.h"
#include "referral/referral.h"

struct app;
struct db;
struct request;

/* Fills env from app: its referral settings, mailer, event bus and links.
 * REFERRAL_ENV(app) is one that lasts to the end of the enclosing block
 * (jobs, tests). */
struct referral_env *referral_env_fill(struct referral_env *env, struct app *app);
#define REFERRAL_ENV(app) referral_env_fill(&(struct referral_env){ 0 }, (app))

/* The same for a handler, in the request's arena. NULL only when out of
 * memory: the rules then answer ERR_NOMEM. */
const struct referral_env *ref_env(struct request *req);

/* A self-referral's attempt, on any path (the form, the API): counted
 * against the address's and the account's hourly allowance before it is
 * tried (referral_self_attempt); 429, audited, when one is spent. */
enum err ref_self_limit(struct request *req);

/* The follow-up job (struct job): referral_follow_up_run with the app's env. */
enum err referral_follow_up_job(struct app *app, struct db *db, int64_t now);

#endif
