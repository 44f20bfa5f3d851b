/*
 * mail.c - email rules: addresses, rendering, the outbox and its job.
 *
 * mail_enqueue() renders both bodies at once and stores the result, not
 * the template and context: what is delivered is what the caller's
 * transaction saw, even if a template changes before the worker runs.
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
#include "mail/mail_int.h"
#include "store/store.h"
#include "view/tmpl.h"

#include <pthread.h>
#include <stdatomic.h>

/* -------------------------------------------------------------- rules */

bool mail_addr_ok(const char *addr)
{
	const char *at;
	size_t n;

	if (!addr)
		return false;
	n = strlen(addr);
	if (n < 3 || n > MAIL_ADDR_MAX || !str_is_clean_utf8(addr, n))
		return false;
	for (const char *p = addr; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c == 0x7f || strchr("<>,;:\"\\()[]", c))
			return false;
	}
	at = strchr(addr, '@');
	if (!at || at != strrchr(addr, '@') || at == addr || !at[1])
		return false;
	/* The domain: no empty labels. */
	if (at[1] == '.' || addr[n - 1] == '.' || strstr(at, ".."))
		return false;
	return true;
}

void mail_mask_addr(const char *addr, char *out, size_t n)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;
	size_t first = 1;

	if (!n)
		return;
	if (!at || at == addr) {
		snprintf(out, n, "***");
		return;
	}
	/* Keep the whole first character, even when it is several bytes. */
	while (addr + first < at && ((unsigned char)addr[first] & 0xc0) == 0x80)
		first++;
	snprintf(out, n, "%.*s***%s", (int)first, addr, at);
}

int64_t mail_backoff(int base, int64_t attempts, uint64_t rnd)
{
	int64_t d = base > 0 ? base : 1;

	for (int64_t i = 1; i < attempts && d < MAIL_BACKOFF_CAP_S; i++)
		d *= 2;
	if (d > MAIL_BACKOFF_CAP_S)
		d = MAIL_BACKOFF_CAP_S;
	/* Jitter: processes that failed together do not retry together. */
	d += (int64_t)(rnd % (uint64_t)(d / 4 + 1));
	return d > MAIL_BACKOFF_CAP_S ? MAIL_BACKOFF_CAP_S : d;
}

bool mail_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > MAIL_TEMPLATE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

/* ---------------------------------------------------------- rendering */

/* Splits "Subject: ...\n\nbody" into its parts (malloc'd). */
static enum err split_subject(const char *p, size_t n, char **subject, char **text)
{
	static const char tag[] = "Subject:";
	const char *eol, *s, *body;
	size_t sl;

	if (n < sizeof(tag) - 1 || memcmp(p, tag, sizeof(tag) - 1) != 0)
		return ERR_INVALID;
	eol = memchr(p, '\n', n);
	if (!eol)
		return ERR_INVALID;
	s = p + sizeof(tag) - 1;
	sl = (size_t)(eol - s);
	while (sl && (*s == ' ' || *s == '\t')) {
		s++;
		sl--;
	}
	while (sl && (s[sl - 1] == ' ' || s[sl - 1] == '\t' || s[sl - 1] == '\r'))
		sl--;
	if (sl == 0 || sl > MAIL_SUBJECT_MAX)
		return ERR_INVALID;
	body = eol + 1;
	if (body < p + n && *body == '\r')
		body++;
	if (body >= p + n || *body != '\n')
		return ERR_INVALID;
	body++;
	*subject = strndup(s, sl);
	*text = strndup(body, (size_t)(p + n - body));
	if (!*subject || !*text) {
		free(*subject);
		free(*text);
		*subject = *text = NULL;
		return ERR_NOMEM;
	}
	return ERR_OK;
}

enum err mail_render(const struct tmpl_set *views, const struct config *cfg,
		const char *name, const json_t *ctx, char **subject, char **text, char **html)
{
	char tname[MAIL_TEMPLATE_MAX + 16];
	json_t *c = NULL;
	struct buf b;
	enum err e;

	*subject = *text = *html = NULL;
	if (!mail_name_ok(name))
		return ERR_NOT_FOUND;
	snprintf(tname, sizeof(tname), "emails/%s.txt", name);
	if (!views || !tmpl_has(views, tname))
		return ERR_NOT_FOUND;
	c = json_is_object(ctx) ? json_deep_copy(ctx) : json_object();
	if (!c || json_object_set_new(c, "site", json_pack("{s:s, s:s}", "name", cfg->site_name,
							     "base_url", cfg->base_url)) != 0) {
		json_decref(c);
		return ERR_NOMEM;
	}
	buf_init(&b, MAIL_BODY_MAX);
	e = tmpl_render(views, tname, c, &b);
	if (e == ERR_OK)
		e = split_subject(b.p, b.len, subject, text);
	if (e == ERR_INVALID)
		log_error("email %s: the text template must start with a \"Subject: \" line "
			  "and a blank line", name);
	snprintf(tname, sizeof(tname), "emails/%s.html", name);
	if (e == ERR_OK && tmpl_has(views, tname)) {
		json_object_set_new(c, "kith_email", json_pack("{s:s, s:s}", "subject", *subject,
							       "template", tname));
		buf_reset(&b);
		e = tmpl_render(views, "emails/partials/layout.html", c, &b);
		if (e == ERR_OK && !(*html = strndup(b.p, b.len)))
			e = ERR_NOMEM;
	}
	buf_release(&b);
	json_decref(c);
	if (e) {
		free(*subject);
		free(*text);
		free(*html);
		*subject = *text = *html = NULL;
	}
	return e;
}

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

enum err mail_wake_on_commit(struct app *app, struct db *db)
{
	return db_after_commit(db, wake_after_commit, app);
}

enum err mail_enqueue(struct app *app, struct db *db, const char *to, int64_t person_id,
		const char *name, const json_t *ctx, int64_t now)
{
	char *subject, *text, *html;
	int64_t id = 0;
	enum err e;

	if (!mail_addr_ok(to))
		return ERR_INVALID;
	e = mail_render(app->views, app->cfg, name, ctx, &subject, &text, &html);
	if (e)
		return e;
	e = mail_db_insert(db, to, subject, text, html, name, person_id, now, &id);
	free(subject);
	free(text);
	free(html);
	if (e)
		return e;
	log_debug("outbox: message %lld queued (%s)", (long long)id, name);
	return mail_wake_on_commit(app, db);
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

/* ------------------------------------------------------------- export */

enum err mail_export_person(struct db *db, int64_t person_id, int64_t now, json_t *out)
{
	json_t *arr;
	enum err e = mail_db_export(db, person_id, &arr);
	UNUSED(now);

	if (e)
		return e;
	return json_object_set_new(out, "emails", arr) == 0 ? ERR_OK : ERR_NOMEM;
}

enum err mail_erase_person(struct db *db, int64_t person_id, int64_t now)
{
	UNUSED(now);
	return mail_db_erase_person(db, person_id);
}

const struct action act_outbox_admin = { .name = "outbox_admin", .roles = ROLE_BIT(ROLE_ADMIN) };
