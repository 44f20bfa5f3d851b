/*
 * batch.c - group commit for the timebank's transfers (batch.h).
 */
#include "core/common.h"
#include "timebank/batch.h"

#include "audit/audit.h"
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct tb_batcher {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct tb_job *head, *tail;   /* waiting for a leader, oldest first */
	bool leading;                 /* a thread is making a batch */
	int64_t batches, jobs;
};

struct tb_batcher *tb_batcher_new(void)
{
	struct tb_batcher *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	if (pthread_mutex_init(&b->mu, NULL) != 0) {
		free(b);
		return NULL;
	}
	if (pthread_cond_init(&b->cv, NULL) != 0) {
		pthread_mutex_destroy(&b->mu);
		free(b);
		return NULL;
	}
	return b;
}

void tb_batcher_free(struct tb_batcher *b)
{
	if (!b)
		return;
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
	free(b);
}

void tb_batcher_counts(struct tb_batcher *b, int64_t *batches, int64_t *jobs)
{
	pthread_mutex_lock(&b->mu);
	*batches = b->batches;
	*jobs = b->jobs;
	pthread_mutex_unlock(&b->mu);
}

/* Is e, with errors, a transfer refused (nothing written, the
 * transaction still good) rather than the database failing? */
static bool refusal(enum err e, const json_t *errors)
{
	return e == ERR_NOT_FOUND || ((e == ERR_INVALID || e == ERR_CONFLICT) && json_array_size(errors) > 0);
}

/* One job in the open transaction: its transfer and its audit row. */
static enum err one(struct db *db, const struct tb_limits *lim, struct tb_job *j)
{
	enum err e;

	memset(&j->out, 0, sizeof(j->out));
	json_array_clear(j->errors);
	e = tb_transfer_make(db, lim, &j->rq, j->now, j->errors, &j->out);
	if (e == ERR_OK && !j->out.repeated && j->audit_action)
		e = audit_log(db, j->now, j->rq.recorded_by, j->audit_action, j->audit_subject, j->audit_detail, j->ip,
			      j->request_id);
	return e;
}

/* The jobs of the list from first in one transaction, each job's e set.
 * ERR_OK, or the database's error when it failed part way (everything
 * rolled back; the jobs' e not set). */
static enum err together(struct db *db, const struct tb_limits *lim, struct tb_job *first)
{
	enum err e = db_begin(db);

	if (e)
		return e;
	for (struct tb_job *j = first; j; j = j->next) {
		e = one(db, lim, j);
		if (e != ERR_OK && !refusal(e, j->errors)) {
			db_rollback(db);
			return e;
		}
		j->e = e;
	}
	if ((e = db_commit(db)) != ERR_OK)
		db_rollback(db);
	return e;
}

void tb_batch_run(struct db *db, const struct tb_limits *lim, struct tb_job *first)
{
	struct tb_job *next;

	if (together(db, lim, first) == ERR_OK)
		return;
	/* The database failed part way: each on its own, so one cannot fail another. */
	for (struct tb_job *j = first; j; j = next) {
		enum err e;

		next = j->next;
		j->next = NULL;
		if ((e = together(db, lim, j)) != ERR_OK)
			j->e = e;
		j->next = next;
	}
}

enum err tb_batch_make(struct tb_batcher *b, struct db *db, const struct tb_limits *lim, struct tb_job *job)
{
	job->next = NULL;
	job->done = false;
	job->e = ERR_INTERNAL;
	pthread_mutex_lock(&b->mu);
	if (b->tail)
		b->tail->next = job;
	else
		b->head = job;
	b->tail = job;
	while (!job->done) {
		struct tb_job *first, *last;
		int n;

		if (b->leading) {
			pthread_cond_wait(&b->cv, &b->mu);
			continue;
		}
		/* Lead: take what is queued, up to TB_BATCH_MAX, as a list of its own. */
		b->leading = true;
		first = last = b->head;
		for (n = 1; n < TB_BATCH_MAX && last->next; n++)
			last = last->next;
		b->head = last->next;
		if (!b->head)
			b->tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&b->mu);
		tb_batch_run(db, lim, first);
		pthread_mutex_lock(&b->mu);
		for (struct tb_job *j = first, *next; j; j = next) {
			next = j->next;
			j->done = true;   /* its thread may go as soon as we let go of the lock */
		}
		b->batches++;
		b->jobs += n;
		b->leading = false;
		pthread_cond_broadcast(&b->cv);
	}
	pthread_mutex_unlock(&b->mu);
	return job->e;
}
