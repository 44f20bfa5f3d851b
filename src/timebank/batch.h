/*
 * batch.h - group commit for the timebank's transfers (issue 14).
 *
 * A durable commit costs a disk sync (SQLite synchronous=FULL, PostgreSQL
 * synchronous_commit=on), and a sync takes as long for one transfer as
 * for a hundred. So the threads that each have a transfer to make queue
 * them here; one of them, the leader, takes everything queued (up to
 * TB_BATCH_MAX), makes each transfer in one transaction on its own
 * connection, commits once, and then every thread in the batch is given
 * its own outcome. While it syncs, new transfers queue for the next
 * batch. A transfer is answered only after the commit that holds it.
 *
 * Each transfer keeps its own outcome: a refusal (the floor, a key used
 * for another transfer, a bad request) writes nothing and does not
 * touch the others. When a statement fails in the database (a lost
 * connection, a deadlock with another process), the batch is rolled back
 * and each of its transfers is made again in a transaction of its own,
 * so one cannot fail another.
 */
#ifndef KITH_TIMEBANK_BATCH_H
#define KITH_TIMEBANK_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"
#include "timebank/ledger.h"

struct db;

#define TB_BATCH_MAX 256

/* One transfer waiting to be made, and (after tb_batch_make) its outcome.
 * The caller owns it and every pointer in it until tb_batch_make returns. */
struct tb_job {
	struct tb_request rq;
	int64_t now;
	/* Its audit row, written in the same transaction when it is made (not
	 * for a repeat): who did it (rq.recorded_by), action, subject, detail,
	 * and the request's address and id (may be NULL). */
	const char *audit_action, *audit_detail, *ip, *request_id;
	int64_t audit_subject;
	/* The outcome. */
	enum err e;
	json_t *errors;               /* the caller's array: a refusal's {field, detail} */
	struct tb_transfer out;
	/* The batcher's. */
	struct tb_job *next;
	bool done;
};

struct tb_batcher;

struct tb_batcher *tb_batcher_new(void);
void tb_batcher_free(struct tb_batcher *b);

/* Makes job's transfer as part of a batch (db: the calling thread's
 * connection, not in a transaction; it is used when this thread leads).
 * Returns job->e once the batch holding it has committed (or the
 * transfer was refused). */
enum err tb_batch_make(struct tb_batcher *b, struct db *db, const struct tb_limits *lim, struct tb_job *job);

/* The leader's work on a list of jobs (linked by next, ending NULL): one
 * transaction for all, each job's e set; when the database fails part
 * way, each again on its own. For tests: tb_batch_make is the way in. */
void tb_batch_run(struct db *db, const struct tb_limits *lim, struct tb_job *first);

/* Batches committed and transfers in them, since the batcher was made. */
void tb_batcher_counts(struct tb_batcher *b, int64_t *batches, int64_t *jobs);

#endif
