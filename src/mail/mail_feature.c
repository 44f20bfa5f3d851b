/*
 * mail_feature.c - the outbox in a running kith: the app's mailer (its
 * templates and site, and waking the worker after a queueing transaction
 * commits; mail_enqueue() itself is a rule, mail.c), and the delivery job.
 *
 * Delivery is at-least-once. A pass claims up to MAIL_BATCH due rows
 * with a lease of MAIL_LEASE_S plus smtp_timeout seconds, sends each, and
 * records the outcome only where it still holds the lease. It never
 * starts a send that could outlast the lease (a send takes at most
 * smtp_timeout seconds: curl's CURLOPT_TIMEOUT), so while clocks agree no
 * two processes send one message; after a crash the lease runs out and
 * another process sends what was claimed (the same Message-ID).
 *
 * The job: struct job's every_s is a constant, outbox_poll a setting, so
 * the job is registered to run every second and decides for itself
 * whether to look. It looks when outbox_poll seconds have passed since its
 * last look, when this process queued an email in the last MAIL_BURST_S
 * seconds (mail_enqueue() wakes the worker once the enqueueing
 * transaction commits, through db_after_commit(); the burst is a second
 * chance should that commit race a pass already under way), and when
 * the earliest pending message it saw last time (a retry's not_before, an
 * expired lease) falls due. Outside those, a tick costs no query at all;
 * a look is one aggregate over the outbox_due index, and a claim follows
 * only when something is due.
 */
#include "core/common.h"
#include "app/app.h"
#include "app/config.h"
#include "app/worker.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "mail/mail.h"
#include "mail/mail_feature.h"
#include "mail/mail_int.h"
#include "store/store.h"
#include "view/tmpl.h"

#include <pthread.h>
#include <stdatomic.h>

/* ------------------------------------------------------------ enqueue */

/* Emails this process queued: the job looks at once after a change. */
static atomic_uint enqueued;

void mail_poke(void)
{
	atomic_fetch_add(&enqueued, 1);
}

/* After the transaction that queued an email commits: send it now. */
static void wake_after_commit(void *app)
{
	mail_poke();
	worker_wake(app);
}

void mail_mailer_init(struct mailer *m, struct app *app)
{
	*m = (struct mailer){
		.views = app->views,
		.site_name = app->cfg->site_name,
		.base_url = app->cfg->base_url,
		.wake = wake_after_commit,
		.wake_arg = app,
	};
}

/* ----------------------------------------------------------- delivery */

struct pass {
	int sent, failed;
	size_t claimed;
};

static void record_failure(const struct mail_settings *ms, struct db *db, const struct mail_claimed *c,
		const char *owner, int64_t t, const char *why, bool permanent, enum err *e)
{
	int64_t attempts = c->attempts + 1, wait = mail_backoff(ms->outbox_retry_base, attempts, rand_fast64());
	bool give_up = permanent || attempts >= ms->outbox_max_tries;
	int64_t changes = 0;

	*e = mail_db_attempt_failed(db, c->id, owner, attempts, why, t + wait, give_up ? t : 0, &changes);
	if (*e || changes == 0)
		return;
	if (give_up)
		log_warn("outbox: message %lld failed for good after %lld attempt(s): %s",
			 (long long)c->id, (long long)attempts, why);
	else
		log_warn("outbox: message %lld failed (attempt %lld of %d): %s; next try in %llds",
			 (long long)c->id, (long long)attempts, ms->outbox_max_tries, why,
			 (long long)wait);
}

static enum err deliver_pass(struct app *app, struct db *db, int64_t now, struct pass *ps)
{
	const struct config *cfg = app->cfg;
	const struct mail_settings *ms = SETTINGS_OF(cfg, struct mail_settings, mail_settings);
	bool dev = ms->smtp_url[0] == '\0';
	int64_t send_max = dev ? 1 : ms->smtp_timeout;
	int64_t lease_until = now + MAIL_LEASE_S + send_max;
	uint64_t start_us = time_mono_us();
	struct smtp_session *ss = NULL;
	struct mail_claimed *c = NULL;
	unsigned char rnd[16];
	char owner[33];
	struct buf msg;
	size_t n = 0, i;
	enum err e;

	memset(ps, 0, sizeof(*ps));
	if (!rand_bytes(rnd, sizeof(rnd)))
		return ERR_INTERNAL;
	hex_encode(rnd, sizeof(rnd), owner);
	e = mail_db_claim(db, now, lease_until, owner, MAIL_BATCH, &c, &n);
	if (e || n == 0)
		return e;
	ps->claimed = n;
	buf_init(&msg, MAIL_MESSAGE_MAX);
	for (i = 0; i < n && e == ERR_OK; i++) {
		struct mail_msg m = { c[i].id, c[i].to, c[i].subject, c[i].text, c[i].html, c[i].created_at };
		/* The caller's clock, moved on by what this pass has taken. */
		int64_t t = now + (int64_t)((time_mono_us() - start_us) / 1000000u), changes = 0;
		char why[MAIL_ERROR_MAX] = "";
		bool permanent = false;
		enum err se;

		/* Never start what could outlast the lease, and let a
		 * stopping server stop: the rest goes back to the outbox. */
		if (t + send_max + MAIL_LEASE_MARGIN_S > lease_until || atomic_load(&app->draining))
			break;
		buf_reset(&msg);
		se = mail_build(cfg->base_url, ms->mail_from, &m, &msg);
		if (se == ERR_INVALID && !mail_addr_ok(m.to)) {
			snprintf(why, sizeof(why), "the address is not valid");
			permanent = true;
		} else if (se == ERR_INVALID) {
			/* The setting is wrong, not the message: fixing it and
			 * restarting lets the retries succeed. */
			snprintf(why, sizeof(why), "the mail_from setting is not a valid address");
		} else if (se) {
			snprintf(why, sizeof(why), "the message is too large");
			permanent = true;
		} else if (dev) {
			se = mail_eml_write(ms->mail_dir, m.id, t, msg.p, msg.len, NULL, 0, why, sizeof(why));
		} else {
			if (!ss && !(ss = smtp_open(ms))) {
				se = ERR_INTERNAL;
				snprintf(why, sizeof(why), "libcurl could not start");
			} else {
				se = smtp_send(ss, m.to, msg.p, msg.len, why, sizeof(why), &permanent);
			}
		}
		if (se == ERR_OK) {
			e = mail_db_sent(db, m.id, owner, t, &changes);
			if (e == ERR_OK && changes == 0)
				log_warn("outbox: message %lld was delivered after its lease ended; "
					 "it may be delivered twice", (long long)m.id);
			else if (e == ERR_OK)
				log_info("outbox: message %lld %s", (long long)m.id,
					 dev ? "written to mail_dir" : "sent");
			ps->sent += e == ERR_OK;
		} else {
			record_failure(ms, db, &c[i], owner, t, why, permanent, &e);
			ps->failed++;
		}
	}
	if (i < n && e == ERR_OK)
		e = mail_db_release(db, owner);
	if (e)
		log_error("outbox: recording a delivery failed (%s); its lease will run out and it "
			  "will be tried again", err_name(e));
	smtp_close(ss);
	buf_release(&msg);
	mail_claimed_free(c, n);
	return e;
}

enum err mail_deliver_due(struct app *app, struct db *db, int64_t now, int *sent, int *failed)
{
	struct pass ps;
	enum err e = deliver_pass(app, db, now, &ps);

	if (sent)
		*sent = ps.sent;
	if (failed)
		*failed = ps.failed;
	return e;
}

/* ---------------------------------------------------------------- job */

static struct {
	pthread_mutex_t mu;
	const struct app *app;       /* whose state this is (tests run several apps) */
	unsigned seen;               /* `enqueued` at the last tick */
	uint64_t next_look_us;       /* monotonic: outbox_poll after the last look */
	uint64_t burst_until_us;     /* monotonic: look every tick until then */
	int64_t next_due;            /* wall clock: earliest pending message seen */
} js = { .mu = PTHREAD_MUTEX_INITIALIZER };

static bool should_look(const struct app *app, int64_t now)
{
	uint64_t mono = time_mono_us();
	unsigned gen = atomic_load(&enqueued);
	bool look;

	pthread_mutex_lock(&js.mu);
	if (js.app != app) {
		js.app = app;
		js.next_look_us = 0;
		js.next_due = 0;
		js.burst_until_us = 0;
	}
	if (gen != js.seen) {
		js.seen = gen;
		js.burst_until_us = mono + (uint64_t)MAIL_BURST_S * 1000000u;
	}
	look = mono >= js.next_look_us || mono < js.burst_until_us || now >= js.next_due;
	pthread_mutex_unlock(&js.mu);
	return look;
}

enum err mail_job(struct app *app, struct db *db, int64_t now)
{
	uint64_t start = time_mono_us();
	int64_t due = INT64_MAX;
	struct pass ps;
	enum err e;

	if (!should_look(app, now))
		return ERR_OK;
	/* Drain what is due, in passes, within a budget: a long queue must
	 * not hold up the other jobs or a shutdown. */
	do {
		e = deliver_pass(app, db, now, &ps);
	} while (e == ERR_OK && ps.claimed == MAIL_BATCH && !atomic_load(&app->draining) &&
		 time_mono_us() - start < (uint64_t)MAIL_RUN_BUDGET_S * 1000000u);
	if (e == ERR_OK) {
		enum err de = mail_db_next_due(db, &due);

		if (de == ERR_NOT_FOUND)
			due = INT64_MAX;
		else if (de)
			e = de;
	}
	pthread_mutex_lock(&js.mu);
	/* After an error, look again next tick. */
	js.next_due = e ? 0 : due;
	js.next_look_us = time_mono_us() + (uint64_t)SETTINGS_OF(app->cfg, struct mail_settings, mail_settings)->outbox_poll * 1000000u;
	pthread_mutex_unlock(&js.mu);
	return e;
}
