/*
 * worker.c - the background thread.
 *
 * Sleeps on a condition variable until the earliest job is due or someone
 * calls worker_wake(); then runs every job that is due (all of them after a
 * wake, since a wake means "there may be work"). Jobs run one after another
 * on this thread with its own database connection.
 */
#include "core/common.h"
#include "app/app.h"
#include "app/features.h"
#include "app/worker.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "store/store.h"

#include <pthread.h>

#define MAX_JOBS 64

struct worker {
	struct app *app;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	bool woken;
	const struct job *jobs[MAX_JOBS];
	uint64_t next_us[MAX_JOBS];
	size_t njobs;
};

/* The jobs of the features this app runs (request tests may add some). */
static size_t collect(const struct app *app, const struct job **out, size_t max)
{
	size_t n = 0;

	for (size_t f = 0; f < app->nfeats; f++)
		for (size_t j = 0; j < app->feats[f]->njobs && n < max; j++)
			out[n++] = &app->feats[f]->jobs[j];
	return n;
}

static void run_job(struct app *app, struct db *db, const struct job *job)
{
	enum err e;

	if (!db) {
		log_warn("worker: no database connection; %s will run later", job->name);
		return;
	}
	e = job->run(app, db, time_now());
	if (db_in_tx(db))
		db_rollback(db);
	if (e && e != ERR_UNAVAILABLE)
		log_error("worker: job %s failed: %s", job->name, err_name(e));
	else if (e)
		log_warn("worker: job %s: database unavailable, will retry", job->name);
}

enum err worker_run_all(struct app *app)
{
	const struct job *jobs[MAX_JOBS];
	size_t n = collect(app, jobs, MAX_JOBS);
	struct db *db = app->store ? store_db(app->store) : NULL;

	if (!db)
		return ERR_UNAVAILABLE;
	for (size_t i = 0; i < n; i++)
		run_job(app, db, jobs[i]);
	return ERR_OK;
}

static void *loop(void *arg)
{
	struct worker *w = arg;

	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		uint64_t now = time_mono_us(), due = UINT64_MAX;
		bool woken = w->woken;

		w->woken = false;
		for (size_t i = 0; i < w->njobs; i++) {
			if (woken || w->next_us[i] <= now) {
				const struct job *job = w->jobs[i];

				pthread_mutex_unlock(&w->mu);
				run_job(w->app, store_db(w->app->store), job);
				pthread_mutex_lock(&w->mu);
				w->next_us[i] = time_mono_us() + (uint64_t)job->every_s * 1000000u;
			}
			if (w->next_us[i] < due)
				due = w->next_us[i];
		}
		if (w->stop || w->woken)
			continue;
		if (due != UINT64_MAX) {
			struct timespec ts;
			uint64_t wait_us = due > time_mono_us() ? due - time_mono_us() : 0;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += (time_t)(wait_us / 1000000u);
			ts.tv_nsec += (long)(wait_us % 1000000u) * 1000;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&w->cv, &w->mu, &ts);
		} else {
			pthread_cond_wait(&w->cv, &w->mu);
		}
	}
	pthread_mutex_unlock(&w->mu);
	store_db_release(w->app->store);
	return NULL;
}

enum err worker_start(struct app *app)
{
	struct worker *w = calloc(1, sizeof(*w));
	pthread_condattr_t ca;

	if (!w)
		return ERR_NOMEM;
	w->app = app;
	w->njobs = collect(app, w->jobs, MAX_JOBS);
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	/* Every job runs once soon after start: mail left from before a
	 * crash goes out without waiting for its interval. */
	w->woken = true;
	if (pthread_create(&w->thread, NULL, loop, w) != 0) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w);
		return ERR_INTERNAL;
	}
	app->worker = w;
	log_info("worker: %zu background job(s)", w->njobs);
	return ERR_OK;
}

void worker_wake(struct app *app)
{
	struct worker *w = app ? app->worker : NULL;

	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->woken = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

void worker_stop(struct app *app)
{
	struct worker *w = app->worker;

	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
	app->worker = NULL;
}
