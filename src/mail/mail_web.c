/*
 * mail_web.c - the admins' view of email: what failed, what waits, and in
 * local development the mailbox of .eml files; the outbox job; the mail
 * feature's row.
 *
 * The outbox page never shows a subject or a body, and addresses only
 * masked (j***@example.org): an admin needs to know that an email to
 * someone failed and why, not what it said. The mailbox exists only when
 * smtp_url is empty (development), where it is the way to click a link
 * kith "sent"; it reads only files directly inside mail_dir whose names
 * are shaped like the ones mail_eml_write makes, opened without following
 * links.
 */
#include "core/common.h"
#include "app/features.h"
#include "app/app.h"
#include "app/worker.h"
#include "audit/audit.h"
#include "audit/audit_web.h"
#include "auth/auth_web.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "mail/mail.h"
#include "mail/mail_feature.h"
#include "mail/mail_int.h"
#include "store/store.h"
#include "web/view.h"

static const struct mail_settings *settings(const struct request *req)
{
	return SETTINGS_OF(req->app->cfg, struct mail_settings, mail_settings);
}

/* The mailbox shows the files only in local development: elsewhere they
 * hold live sign-in and password-reset links for everyone. */
static bool mailbox_shown(const struct request *req)
{
	return !settings(req)->smtp_url[0] && req->app->cfg->dev_mode;
}

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------- outbox */

static enum err outbox_page(struct request *req, struct response *resp)
{
	const char *retried = req_query(req, "retried");
	json_t *data;
	int64_t id;
	enum err e = mail_outbox_admin(req->db, req->now, &data);

	if (e)
		return e;
	json_object_set_new(data, "has_failed", json_boolean(json_array_size(json_object_get(data, "failed"))));
	json_object_set_new(data, "has_pending", json_boolean(json_array_size(json_object_get(data, "pending"))));
	json_object_set_new(data, "dev", json_boolean(settings(req)->smtp_url[0] == '\0'));
	json_object_set_new(data, "max_tries", json_integer(settings(req)->outbox_max_tries));
	if (retried && str_to_i64(str_c(retried), 1, INT64_MAX, &id))
		json_object_set_new(data, "retried", json_integer(id));
	if (!auth_form_token(req, resp)) {
		json_decref(data);
		return ERR_NOMEM;
	}
	return view_page(req, resp, 200, "mail/outbox.html", "Outgoing emails", data);
}

static enum err outbox_retry(struct request *req, struct response *resp)
{
	int64_t id = req_param(req, "id")->i, person = 0;
	enum err e = db_begin(req->db);

	if (e)
		return e;
	e = mail_db_retry(req->db, id, req->now, &person);
	if (e == ERR_NOT_FOUND) {
		db_rollback(req->db);
		return req_fail(req, ERR_NOT_FOUND,
				"There is no failed email with that number. It may have been sent "
				"already: reload the list of emails.");
	}
	if (e == ERR_OK)
		e = audit_req(req, "email.retried", person,
			      arena_printf(&req->arena, "outbox=%lld", (long long)id));
	if (e == ERR_OK)
		e = mail_wake_on_commit(&req->app->mailer, req->db);
	if (e == ERR_OK)
		e = db_commit(req->db);
	if (e) {
		db_rollback(req->db);
		return e;
	}
	resp_redirect(req, resp, arena_printf(&req->arena, "/admin/outbox?retried=%lld", (long long)id));
	return ERR_OK;
}

/* ------------------------------------------------------------ mailbox */

/* A name mail_eml_write made: "YYYYMMDDTHHMMSSZ-<id>.eml", at most 40 bytes. */
struct eml_name {
	char s[48];
};

/* Newest first: by the time stamp, then by the outbox id as a number. */
static int newest_first(const void *a, const void *b)
{
	const char *x = ((const struct eml_name *)a)->s, *y = ((const struct eml_name *)b)->s;
	int c = strncmp(x, y, 16);
	size_t lx, ly;

	if (c)
		return -c;
	lx = strlen(x);
	ly = strlen(y);
	if (lx != ly)
		return lx < ly ? 1 : -1;
	return -strcmp(x, y);
}

/* Up to max bytes of dir/name, a regular file not reached through a
 * link. NULL when it cannot be read. */
static char *read_eml(int dfd, const char *name, size_t max, size_t *n, bool *truncated)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	size_t want, got = 0;
	char *p;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	want = (size_t)st.st_size < max ? (size_t)st.st_size : max;
	if (truncated)
		*truncated = (size_t)st.st_size > max;
	p = malloc(want + 1);
	while (p && got < want) {
		ssize_t r = read(fd, p + got, want - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (p)
		p[got] = '\0';
	*n = got;
	return p;
}

static enum err mailbox_list(struct request *req, struct response *resp)
{
	const struct mail_settings *cfg = settings(req);
	struct eml_name *top;
	json_t *items, *data;
	size_t kept = 0, total = 0;
	struct dirent *de;
	DIR *d;

	if (!mailbox_shown(req))
		return view_page(req, resp, 200, "mail/mailbox.html", "Development mailbox",
				 json_pack("{s:b, s:b, s:[]}", "smtp", cfg->smtp_url[0] != '\0',
					   "hidden", !cfg->smtp_url[0], "messages"));
	items = json_array();
	top = calloc(MAILBOX_LIST_MAX, sizeof(*top));
	if (!items || !top) {
		json_decref(items);
		free(top);
		return ERR_NOMEM;
	}
	/* Keep the newest MAILBOX_LIST_MAX names, however many files there are. */
	d = opendir(cfg->mail_dir);
	while (d && (de = readdir(d)) != NULL) {
		struct eml_name cand;
		size_t slot = kept;

		if (!mail_eml_name_ok(de->d_name) || !str_copy(cand.s, sizeof(cand.s), de->d_name))
			continue;
		total++;
		if (kept == MAILBOX_LIST_MAX) {
			slot = 0;
			for (size_t i = 1; i < kept; i++)
				if (newest_first(&top[i], &top[slot]) > 0)
					slot = i;
			if (newest_first(&cand, &top[slot]) >= 0)
				continue;
		} else {
			kept++;
		}
		top[slot] = cand;
	}
	qsort(top, kept, sizeof(*top), newest_first);
	for (size_t i = 0; d && i < kept; i++) {
		struct mail_parsed m;
		size_t len;
		char *head = read_eml(dirfd(d), top[i].s, MAILBOX_HEAD_MAX, &len, NULL);

		if (head && mail_parse(head, len, &m) == ERR_OK) {
			json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s}", "file", top[i].s,
							       "to", m.to, "subject", m.subject,
							       "date", m.date));
			mail_parsed_free(&m);
		}
		free(head);
	}
	free(top);
	if (d)
		closedir(d);
	data = json_pack("{s:b, s:o, s:b, s:I, s:b}", "smtp", 0, "messages", items,
			 "has_messages", json_array_size(items) > 0,
			 "total", (json_int_t)total, "more", total > MAILBOX_LIST_MAX);
	if (!data)
		return ERR_NOMEM;
	return view_page(req, resp, 200, "mail/mailbox.html", "Development mailbox", data);
}

/* The text part as lines; a line that is only a web address is a link,
 * so a developer can follow what kith "sent". */
static json_t *text_lines(const char *text)
{
	json_t *lines = json_array();
	const char *p = text ? text : "";

	while (lines && *p) {
		size_t n = strcspn(p, "\n");
		char *line = strndup(p, n);
		bool url = line && (strncmp(line, "https://", 8) == 0 || strncmp(line, "http://", 7) == 0) &&
			   !strpbrk(line, " \t");

		if (!line) {
			json_decref(lines);
			return NULL;
		}
		json_array_append_new(lines, url ? json_pack("{s:s, s:s}", "text", line, "url", line)
						 : json_pack("{s:s, s:b}", "text", line, "url", 0));
		free(line);
		p += n;
		if (*p == '\n')
			p++;
	}
	return lines;
}

static enum err mailbox_show(struct request *req, struct response *resp)
{
	const struct mail_settings *cfg = settings(req);
	const char *file = req_param(req, "file")->val;
	struct mail_parsed m;
	bool truncated = false;
	json_t *data;
	size_t len;
	char *raw;
	int dfd;

	if (!mailbox_shown(req) || !mail_eml_name_ok(file))
		return req_fail(req, ERR_NOT_FOUND, "There is no email with that name in the development mailbox.");
	dfd = open(cfg->mail_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	raw = dfd >= 0 ? read_eml(dfd, file, MAILBOX_FILE_MAX, &len, &truncated) : NULL;
	if (dfd >= 0)
		close(dfd);
	if (!raw)
		return req_fail(req, ERR_NOT_FOUND, "There is no email with that name in the development mailbox.");
	if (mail_parse(raw, len, &m) != ERR_OK) {
		free(raw);
		return req_fail(req, ERR_NOT_FOUND, "That file is not an email kith wrote.");
	}
	free(raw);
	data = json_pack("{s:s, s:s, s:s, s:s, s:O, s:o?, s:b, s:b}", "file", file, "subject", m.subject,
			 "to", m.to, "date", m.date, "headers", m.headers, "lines", text_lines(m.text),
			 "has_text", m.text != NULL, "truncated", truncated);
	mail_parsed_free(&m);
	if (!data)
		return ERR_NOMEM;
	return view_page(req, resp, 200, "mail/message.html", "An email in the development mailbox", data);
}

/* -------------------------------------------------------------- feature */

static const struct route routes[] = {
	{ M_GET, "/admin/outbox", outbox_page, &act_outbox_admin, RF_PAGE_JSON, "mail.outbox" },
	{ M_POST, "/admin/outbox/{id:int}/retry", outbox_retry, &act_outbox_admin, RF_FORM | RF_CSRF, "mail.outbox_retry" },
	{ M_GET, "/admin/mailbox", mailbox_list, &act_outbox_admin, RF_PAGE_JSON, "mail.mailbox" },
	{ M_GET, "/admin/mailbox/{file:file}", mailbox_show, &act_outbox_admin, 0, "mail.message" },
};

static const struct job jobs[] = {
	{ "outbox", 1, mail_job },
};

static const struct action *const actions[] = { &act_outbox_admin, NULL };

/* ---------------------------------------------------------------- events */

static enum err on_person_erasing(const struct event *ev)
{
	return mail_erase_person(ev->db, ev->person_id, ev->now);
}

static const struct subscription subscriptions[] = {
	{ EV_PERSON_ERASING, on_person_erasing },
	{ 0 },
};

/* ---------------------------------------------------------------- settings */

static const char *check_smtp_url(const char *v)
{
	if (!v[0] || strncmp(v, "smtp://", 7) == 0 || strncmp(v, "smtps://", 8) == 0)
		return NULL;
	return "use smtp://host:port or smtps://host:port (user:password@ before the host if needed)";
}

static const char *check_smtp_tls(const char *v)
{
	if (strcmp(v, "try") == 0 || strcmp(v, "require") == 0 || strcmp(v, "off") == 0)
		return NULL;
	return "use try, require or off";
}

static const char *check_mail_from(const char *v)
{
	const char *at = strchr(v, '@');

	if (!at || strchr(v, '\n') || strchr(v, '\r') || !str_is_clean_utf8(v, strlen(v)))
		return "use an address like \"kith <no-reply@example.org>\" or no-reply@example.org";
	return NULL;
}

#define MS(field) CFG(struct mail_settings, field)

static const struct config_key keys[] = {
	{ "smtp_url", CT_STR, MS(smtp_url), 0, 0, "",
	  "SMTP server for outgoing email, smtp://user:password@host:587 or smtps://...; "
	  "empty writes each email as a .eml file to mail_dir", check_smtp_url },
	{ "smtp_tls", CT_STR, MS(smtp_tls), 0, 0, "try",
	  "STARTTLS on smtp:// URLs: try, require or off", check_smtp_tls },
	{ "smtp_timeout", CT_INT, MS(smtp_timeout), 1, 600, "30",
	  "seconds to wait for the SMTP server", NULL },
	{ "mail_from", CT_STR, MS(mail_from), 0, 0, "kith <no-reply@localhost>",
	  "the From address of every email", check_mail_from },
	{ "mail_dir", CT_STR, MS(mail_dir), 0, 0, "var/mail",
	  "folder for .eml files when smtp_url is empty (local development)", config_check_nonempty },
	{ "outbox_max_tries", CT_INT, MS(outbox_max_tries), 1, 100, "8",
	  "attempts to deliver an email before giving up and showing it to admins", NULL },
	{ "outbox_retry_base", CT_INT, MS(outbox_retry_base), 1, 86400, "30",
	  "seconds before retrying a failed email; doubles with each attempt", NULL },
	{ "outbox_poll", CT_INT, MS(outbox_poll), 1, 3600, "5",
	  "seconds between looks at the outbox (new emails are sent at once)", NULL },
	{ 0 },
};

const struct settings mail_settings = { "Email", keys, sizeof(struct mail_settings) };

const struct feature mail_feature = {
	.settings = &mail_settings,
	.actions = actions,
	.name = "mail",
	.routes = routes,
	.nroutes = ARRAY_LEN(routes),
	.jobs = jobs,
	.njobs = ARRAY_LEN(jobs),
	.export_person = mail_export_person,
	.subscriptions = subscriptions,
};
