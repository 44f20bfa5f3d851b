/*
 * mail.c - email rules: addresses, back-off, rendering, what admins see,
 * export, erasure.
 *
 * mail_enqueue() renders both bodies at once and stores the result, not
 * the template and context: what is delivered is what the caller's
 * transaction saw, even if a template changes before the worker runs.
 *
 * Queueing takes a struct mailer (the app's templates and site, and how to
 * wake its worker), not the app. The outbox's running part (filling the
 * mailer, the delivery job) is mail_feature.c; this file is the rules and
 * rendering, queueing, and the person's share of export and erasure.
 */
#include "core/common.h"
#include "core/links.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "mail/mail.h"
#include "mail/mail_int.h"
#include "store/store.h"
#include "view/tmpl.h"

/* ------------------------------------------------------------ enqueue */

enum err mail_wake_on_commit(const struct mailer *m, struct db *db)
{
	return m && m->wake ? db_after_commit(db, m->wake, m->wake_arg) : ERR_OK;
}

enum err mail_enqueue(const struct mailer *m, struct db *db, const char *to, int64_t person_id,
		const char *name, const json_t *ctx, int64_t now)
{
	char *subject, *text, *html;
	int64_t id = 0;
	enum err e;

	if (!m)
		return ERR_INTERNAL;
	if (!mail_addr_ok(to))
		return ERR_INVALID;
	e = mail_render(m->views, m->site_name, m->base_url, name, ctx, &subject, &text, &html);
	if (e)
		return e;
	e = mail_db_insert(db, to, subject, text, html, name, person_id, now, &id);
	free(subject);
	free(text);
	free(html);
	if (e)
		return e;
	log_debug("outbox: message %lld queued (%s)", (long long)id, name);
	return mail_wake_on_commit(m, db);
}

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

enum err mail_render(const struct tmpl_set *views, const char *site_name, const char *base_url,
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
	if (!c || json_object_set_new(c, "site", json_pack("{s:s, s:s}", "name", site_name,
							     "base_url", base_url)) != 0) {
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

/* -------------------------------------------------------------- admin */

/* Replaces each row's "to" in arr by its masked form. */
static enum err mask_rows(json_t *arr)
{
	size_t i;
	json_t *o;

	json_array_foreach(arr, i, o) {
		char masked[MAIL_ADDR_MAX + 8];

		mail_mask_addr(json_string_value(json_object_get(o, "to")), masked, sizeof(masked));
		if (json_object_set_new(o, "to", json_string(masked)) != 0)
			return ERR_NOMEM;
	}
	return ERR_OK;
}

enum err mail_outbox_admin(struct db *db, int64_t now, json_t **out)
{
	enum err e = mail_db_admin(db, now, out);

	if (e == ERR_OK && ((e = mask_rows(json_object_get(*out, "failed"))) != ERR_OK ||
			    (e = mask_rows(json_object_get(*out, "pending"))) != ERR_OK)) {
		json_decref(*out);
		*out = NULL;
	}
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

/* ---------------------------------------------------------------- a person by id */

static const struct sql q_person_to = { "mail.person_to",
	"SELECT email, name FROM person WHERE id = $1 AND email_verified_at IS NOT NULL "
	"AND deactivated_at IS NULL AND erased_at IS NULL", NULL };

enum err mail_person(const struct mailer *m, const struct links *links, struct db *db,
		int64_t person_id, const char *name, json_t *ctx, const char *route, const char *arg,
		int64_t now)
{
	struct db_res *r;
	struct arena a;
	const char *link, *full;
	size_t n = 0;
	enum err e;

	if (!m || !person_id)
		return ERR_OK;
	e = db_query_one(db, &q_person_to, DB_ARGS(DB_INT(person_id)), &r);
	if (e == ERR_NOT_FOUND)
		return ERR_OK;
	if (e)
		return e;
	arena_init(&a);
	full = db_text(r, 1) ? db_text(r, 1) : "";
	while (*full == ' ')
		full++;
	while (full[n] && full[n] != ' ')
		n++;
	link = route ? link_abs(links, &a, route, arg, NULL) : NULL;
	if ((route && (!link || json_object_set_new(ctx, "link", json_string(link)) != 0)) ||
	    json_object_set_new(ctx, "name", json_stringn(full, n)) != 0)
		e = ERR_NOMEM;
	else
		e = mail_enqueue(m, db, db_text(r, 0), person_id, name, ctx, now);
	db_res_free(r);
	arena_release(&a);
	return e;
}
