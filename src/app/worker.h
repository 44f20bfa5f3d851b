/*
 * worker.h - one background thread that runs every feature's jobs
 * (features.h): each at least every every_s seconds, and at once after
 * worker_wake() (a handler that just committed an email calls it, so the
 * email leaves in milliseconds, not at the next poll).
 *
 * Jobs keep their state in the database, so several kith processes can
 * each run a worker: a job that must not run twice (sending an email)
 * claims its rows with a lease. The worker has its own database
 * connection; a job that fails is logged and tried again next time.
 */
#ifndef KITH_WORKER_H
#define KITH_WORKER_H

#include "core/err.h"

struct app;

/* Starts the thread (after app_init). */
enum err worker_start(struct app *app);
/* Asks the worker to run its jobs now. Safe from any thread; a no-op when
 * no worker runs (request tests, commands). */
void worker_wake(struct app *app);
/* Stops the thread and waits for the job in progress to finish. */
void worker_stop(struct app *app);
/* Runs every job once, now, on the calling thread (tests, `kith` commands
 * that want the outbox flushed). */
enum err worker_run_all(struct app *app);

#endif
