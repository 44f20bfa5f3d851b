/*
 * test_mail_web.c - the admins' email pages through the dispatcher, on
 * both backends: /admin/outbox (masked addresses, no subjects or bodies,
 * the retry form and its CSRF check), and the development mailbox
 * (/admin/mailbox: lists and shows .eml files, escaped; refuses names it
 * did not write and links; says so when email goes to an SMTP server).
 * Visitors are sent to sign in and members refused on every route.
 */
#include "core/common.h"

#include <dirent.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "auth/person.h"
#include "auth/policy.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "mail/mail.h"
#include "mail/mail_feature.h"
#include "mail/mail_int.h"
#include "store/store.h"
#include "support/reqtest.h"

struct fx {
	struct rt t;
	char top[200];
	char dir[300];
	int64_t admin;
	struct rt_browser admin_b, member_b;
	char admin_csrf[96];              /* the admin session's form token, as made */
};

static int setup_with(void **state, const char *smtp_url, bool dev)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *backend = *state;
	char s_dir[400], s_smtp[100];
	const char *settings[] = { "rate_limit=0", dev ? "dev_mode=true" : "dev_mode=false", s_dir, s_smtp,
				   "base_url=https://kith.example.org", NULL };

	if (!f)
		return -1;
	snprintf(f->top, sizeof(f->top), "/tmp/kith-test-mailweb-%d-%s", (int)getpid(), backend);
	snprintf(f->dir, sizeof(f->dir), "%s/mail", f->top);
	snprintf(s_dir, sizeof(s_dir), "mail_dir=%s", f->dir);
	snprintf(s_smtp, sizeof(s_smtp), "smtp_url=%s", smtp_url);
	if (!rt_start_with(&f->t, backend, settings)) {
		free(f);
		return -1;
	}
	f->admin = rt_person(&f->t, "Test person", "admin@example.org", NULL,
			     ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_ADMIN), NULL);
	rt_sign_in(&f->t, f->admin, &f->admin_b);
	snprintf(f->admin_csrf, sizeof(f->admin_csrf), "%s", f->admin_b.csrf);
	/* A coordinator: signed in, but not an admin. */
	rt_sign_in(&f->t, rt_person(&f->t, "Test person", "member@example.org", NULL,
				    ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_COORDINATOR), NULL), &f->member_b);
	*state = f;
	return 0;
}

static int setup_dev(void **state) { return setup_with(state, "", true); }
static int setup_smtp(void **state) { return setup_with(state, "smtp://127.0.0.1:1", true); }
/* No email server and not local development: a misconfigured live site. */
static int setup_files(void **state) { return setup_with(state, "", false); }

static int teardown(void **state)
{
	struct fx *f = *state;

	rt_stop(&f->t);
	rt_rm_rf(f->dir);
	rt_rm_rf(f->top);
	free(f);
	return 0;
}

/* Queues an email to to; returns its id. */
static int64_t enqueue(struct fx *f, const char *to)
{
	struct db *db = rt_db(&f->t);
	json_t *ctx = json_pack("{s:s, s:s}", "name", "Jane <b>", "link", "https://kith.example.org/verify/t0k3n");
	static const struct sql q_max = { "test.web_outbox_max", "SELECT max(id) FROM outbox", NULL };

	assert_int_equal(db_begin(db), ERR_OK);
	assert_int_equal(mail_enqueue(&f->t.app.mailer, db, to, 0, "verify_email", ctx, time_now()), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	json_decref(ctx);
	return rt_count(&f->t, &q_max, DB_NOARGS);
}

static const struct sql q_fail = {
	"test.web_outbox_fail",
	"UPDATE outbox SET failed_at = $2, attempts = 8, last_error = 'Couldn''t connect to server' "
	"WHERE id = $1",
	NULL,
};

static const struct sql q_state = {
	"test.web_outbox_state",
	"SELECT coalesce(failed_at, 0), attempts, not_before FROM outbox WHERE id = $1", NULL,
};

static const struct sql q_audit = {
	"test.web_audit",
	"SELECT count(*) FROM audit WHERE action = 'email.retried' AND actor_id = $1", NULL,
};

static void test_refused(void **state)
{
	struct fx *f = *state;
	static const char *const pages[] = {
		"/admin/outbox", "/admin/mailbox", "/admin/mailbox/20260101T000000Z-1.eml",
	};
	struct rt_resp r;

	for (size_t i = 0; i < ARRAY_LEN(pages); i++) {
		rt_get(&f->t, pages[i], &r);
		assert_int_equal(r.status, 303);
		assert_true(strncmp(rt_header(&r, "Location"), "/login?next=", 12) == 0);
		rt_resp_free(&r);
		rt_browser_get_is(&f->t, &f->member_b, pages[i], 403, NULL);
	}
	/* A visitor's form post is sent to sign in (the CSRF check comes
	 * after the policy, so the token does not matter here). */
	rt_post(&f->t, "/admin/outbox/1/retry", "application/x-www-form-urlencoded", "csrf_token=x", &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(rt_header(&r, "Location"), "/login");
	rt_resp_free(&r);
	rt_browser_request(&f->t, &f->member_b, "POST", "/admin/outbox/1/retry", NULL, "csrf_token=x", &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);
}

static void test_outbox_page(void **state)
{
	struct fx *f = *state;
	struct db *db = rt_db(&f->t);
	int64_t failed = enqueue(f, "jane.doe@example.org"), pending = enqueue(f, "sam@example.net");
	const char *json_headers[] = { "Accept: application/json", NULL };
	json_t *doc, *row;
	json_error_t je;
	struct rt_resp r;
	char form[256];

	assert_int_equal(db_exec(db, &q_fail, DB_ARGS(DB_INT(failed), DB_INT(time_now())), NULL), ERR_OK);
	rt_browser_get(&f->t, &f->admin_b, "/admin/outbox", &r);
	assert_int_equal(r.status, 200);
	/* Masked addresses, the error, no subjects, no bodies, no links. */
	assert_non_null(strstr(r.body, "j***@example.org"));
	assert_non_null(strstr(r.body, "s***@example.net"));
	assert_null(strstr(r.body, "jane.doe@"));
	assert_null(strstr(r.body, "sam@"));
	assert_null(strstr(r.body, "Confirm your email"));
	assert_null(strstr(r.body, "t0k3n"));
	assert_null(strstr(r.body, "Jane"));
	assert_non_null(strstr(r.body, "Couldn&#39;t connect to server"));
	assert_non_null(strstr(r.body, "verify_email"));
	/* One retry form, for the failed one, with the form token. */
	snprintf(form, sizeof(form), "action=\"/admin/outbox/%lld/retry\"", (long long)failed);
	assert_non_null(strstr(r.body, form));
	snprintf(form, sizeof(form), "action=\"/admin/outbox/%lld/retry\"", (long long)pending);
	assert_null(strstr(r.body, form));
	assert_non_null(strstr(r.body, f->admin_csrf));
	assert_non_null(strstr(r.body, "class=\"govuk-table\""));
	rt_resp_free(&r);

	/* The same as JSON. */
	rt_browser_request(&f->t, &f->admin_b, "GET", "/admin/outbox", json_headers, NULL, &r);
	assert_int_equal(r.status, 200);
	doc = json_loads(r.body, 0, &je);
	assert_non_null(doc);
	row = json_array_get(json_object_get(doc, "failed"), 0);
	assert_int_equal(json_integer_value(json_object_get(row, "id")), failed);
	assert_string_equal(json_string_value(json_object_get(row, "to")), "j***@example.org");
	assert_int_equal(json_integer_value(json_object_get(row, "attempts")), 8);
	assert_null(json_object_get(row, "subject"));
	assert_int_equal(json_array_size(json_object_get(doc, "pending")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "counts"), "failed")), 1);
	assert_null(strstr(r.body, "jane.doe"));
	json_decref(doc);
	rt_resp_free(&r);
}

static void test_retry(void **state)
{
	struct fx *f = *state;
	struct db *db = rt_db(&f->t);
	int64_t id = enqueue(f, "jane@example.org");
	struct rt_resp r;
	struct db_res *res;
	char target[64], body[128], loc[64];

	assert_int_equal(db_exec(db, &q_fail, DB_ARGS(DB_INT(id), DB_INT(time_now() - 10)), NULL), ERR_OK);
	snprintf(target, sizeof(target), "/admin/outbox/%lld/retry", (long long)id);
	/* Without the form token: refused, nothing changed. */
	rt_browser_request(&f->t, &f->admin_b, "POST", target, NULL, "csrf_token=wrong", &r);
	assert_int_equal(r.status, 403);
	rt_resp_free(&r);

	snprintf(body, sizeof(body), "csrf_token=%s", f->admin_csrf);
	rt_browser_request(&f->t, &f->admin_b, "POST", target, NULL, body, &r);
	assert_int_equal(r.status, 303);
	snprintf(loc, sizeof(loc), "/admin/outbox?retried=%lld", (long long)id);
	assert_string_equal(rt_header(&r, "Location"), loc);
	rt_resp_free(&r);
	assert_int_equal(db_query(db, &q_state, DB_ARGS(DB_INT(id)), &res), ERR_OK);
	assert_int_equal(db_next(res), ERR_OK);
	assert_true(db_row(res));
	assert_int_equal(db_int(res, 0), 0);             /* not failed */
	assert_int_equal(db_int(res, 1), 0);             /* tries start again */
	assert_true(db_int(res, 2) <= time_now());      /* due now */
	db_res_free(res);
	assert_int_equal(rt_count(&f->t, &q_audit, DB_ARGS(DB_INT(f->admin))), 1);

	/* The confirmation. */
	rt_browser_get(&f->t, &f->admin_b, loc, &r);
	assert_int_equal(r.status, 200);
	snprintf(body, sizeof(body), "Email %lld will be sent again", (long long)id);
	assert_non_null(strstr(r.body, body));
	assert_non_null(strstr(r.body, "No emails have failed."));
	rt_resp_free(&r);

	/* It is pending now: a second retry finds no failed email. */
	snprintf(body, sizeof(body), "csrf_token=%s", f->admin_csrf);
	rt_browser_request(&f->t, &f->admin_b, "POST", target, NULL, body, &r);
	assert_int_equal(r.status, 404);
	rt_resp_free(&r);
	rt_browser_request(&f->t, &f->admin_b, "POST", "/admin/outbox/999999/retry", NULL, body, &r);
	assert_int_equal(r.status, 404);
	rt_resp_free(&r);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[600];
	FILE *fp;

	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_mailbox(void **state)
{
	struct fx *f = *state;
	struct db *db = rt_db(&f->t);
	int64_t id;
	int sent = 0;
	struct rt_resp r;
	char target[128], link[64], path[600];
	DIR *d;
	struct dirent *de;
	char name[64] = "";

	/* Nothing yet, not even a folder. */
	rt_browser_get(&f->t, &f->admin_b, "/admin/mailbox", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "There are no emails yet."));
	rt_resp_free(&r);

	id = enqueue(f, "jane@example.org");
	assert_int_equal(mail_deliver_due(&f->t.app, db, time_now(), &sent, NULL), ERR_OK);
	assert_int_equal(sent, 1);
	d = opendir(f->dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (mail_eml_name_ok(de->d_name))
			snprintf(name, sizeof(name), "%.60s", de->d_name);
	closedir(d);
	assert_true(name[0]);
	snprintf(link, sizeof(link), "-%lld.eml", (long long)id);
	assert_non_null(strstr(name, link));

	rt_browser_get(&f->t, &f->admin_b, "/admin/mailbox", &r);
	assert_int_equal(r.status, 200);
	snprintf(target, sizeof(target), "href=\"/admin/mailbox/%s\"", name);
	assert_non_null(strstr(r.body, target));
	assert_non_null(strstr(r.body, "Confirm your email address for kith"));
	assert_non_null(strstr(r.body, "&lt;jane@example.org&gt;"));
	rt_resp_free(&r);

	snprintf(target, sizeof(target), "/admin/mailbox/%s", name);
	rt_browser_get(&f->t, &f->admin_b, target, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Message-ID"));
	assert_non_null(strstr(r.body, "Auto-Submitted"));
	/* The text part, escaped, its link a link. */
	assert_non_null(strstr(r.body, "Hello Jane &lt;b&gt;,"));
	assert_null(strstr(r.body, "Jane <b>"));
	assert_non_null(strstr(r.body, "<a class=\"govuk-link\" href=\"https://kith.example.org/verify/t0k3n\">"));
	rt_resp_free(&r);

	/* Whatever a file holds is escaped. */
	write_file(f->dir, "20250101T000000Z-77.eml",
		   "Subject: <script>alert(1)</script>\r\nTo: <x@example.org>\r\n\r\n"
		   "<img src=x onerror=alert(1)>\r\njavascript:alert(1)\r\n");
	rt_browser_get(&f->t, &f->admin_b, "/admin/mailbox/20250101T000000Z-77.eml", &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "<script>alert"));
	assert_null(strstr(r.body, "<img"));
	assert_null(strstr(r.body, "href=\"javascript"));
	assert_non_null(strstr(r.body, "&lt;script&gt;"));
	rt_resp_free(&r);
	rt_browser_get(&f->t, &f->admin_b, "/admin/mailbox", &r);
	assert_int_equal(r.status, 200);
	/* Newest first. */
	assert_true(strstr(r.body, name) < strstr(r.body, "20250101T000000Z-77.eml"));
	rt_resp_free(&r);

	/* Only names it writes, only files inside mail_dir, no links. */
	write_file(f->dir, "notes.txt", "Subject: secret\r\n\r\nsecret\r\n");
	rt_browser_get_is(&f->t, &f->admin_b, "/admin/mailbox/notes.txt", 404, NULL);
	snprintf(path, sizeof(path), "%s/20250101T000000Z-78.eml", f->dir);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	rt_browser_get(&f->t, &f->admin_b, "/admin/mailbox/20250101T000000Z-78.eml", &r);
	assert_int_equal(r.status, 404);
	assert_null(strstr(r.body, "root:"));
	rt_resp_free(&r);
	rt_browser_get_is(&f->t, &f->admin_b, "/admin/mailbox/..%2F..%2Fetc%2Fpasswd", 404, NULL);
	rt_browser_get_is(&f->t, &f->admin_b, "/admin/mailbox/20250101T000000Z-79.eml", 404, NULL);
}

/* Only the newest 200 are listed, however many there are. */
static void test_mailbox_many(void **state)
{
	struct fx *f = *state;
	struct rt_resp r;
	char name[64], text[64];

	mkdir(f->top, 0700);
	for (int i = 1; i <= MAILBOX_LIST_MAX + 5; i++) {
		snprintf(name, sizeof(name), "2025%02d%02dT000000Z-%d.eml", 1 + i / 28 % 12, 1 + i % 28, i);
		snprintf(text, sizeof(text), "Subject: number %d\r\n\r\nx\r\n", i);
		write_file(f->dir, name, text);
	}
	rt_browser_get(&f->t, &f->admin_b, "/admin/mailbox", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "There are 205 emails"));
	/* The five oldest (1..5: 1 to 6 January) are left out. */
	assert_null(strstr(r.body, ">number 1<"));
	assert_null(strstr(r.body, ">number 5<"));
	assert_non_null(strstr(r.body, ">number 6<"));
	assert_non_null(strstr(r.body, ">number 205<"));
	assert_true(strstr(r.body, ">number 205<") < strstr(r.body, ">number 6<"));
	rt_resp_free(&r);
}

/* With no email server on a site not in development mode, the emails
 * (sign-in, password-reset and invitation links among them) stay in files
 * on the server: the mailbox does not show them to admins. */
static void test_mailbox_not_dev(void **state)
{
	struct fx *f = *state;
	struct rt_resp r;

	mkdir(f->top, 0700);
	write_file(f->dir, "20250101T000000Z-1.eml",
		   "Subject: Reset your password\r\n\r\nhttps://kith.example.org/reset/t0k3n\r\n");
	rt_browser_get(&f->t, &f->admin_b, "/admin/mailbox", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "only in development mode"));
	assert_null(strstr(r.body, "20250101T000000Z-1.eml"));
	assert_null(strstr(r.body, "Reset your password"));
	rt_resp_free(&r);
	rt_browser_get(&f->t, &f->admin_b, "/admin/mailbox/20250101T000000Z-1.eml", &r);
	assert_int_equal(r.status, 404);
	assert_null(strstr(r.body, "t0k3n"));
	rt_resp_free(&r);
}

static void test_mailbox_smtp(void **state)
{
	struct fx *f = *state;
	struct rt_resp r;

	mkdir(f->top, 0700);
	write_file(f->dir, "20250101T000000Z-1.eml", "Subject: old\r\n\r\nold\r\n");
	rt_browser_get(&f->t, &f->admin_b, "/admin/mailbox", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Emails go to the email server"));
	assert_null(strstr(r.body, "20250101T000000Z-1.eml"));
	rt_resp_free(&r);
	rt_browser_get_is(&f->t, &f->admin_b, "/admin/mailbox/20250101T000000Z-1.eml", 404, NULL);
	rt_browser_get(&f->t, &f->admin_b, "/admin/outbox", &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "development mailbox"));
	rt_resp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused, setup_dev, teardown),
		cmocka_unit_test_setup_teardown(test_outbox_page, setup_dev, teardown),
		cmocka_unit_test_setup_teardown(test_retry, setup_dev, teardown),
		cmocka_unit_test_setup_teardown(test_mailbox, setup_dev, teardown),
		cmocka_unit_test_setup_teardown(test_mailbox_many, setup_dev, teardown),
		cmocka_unit_test_setup_teardown(test_mailbox_smtp, setup_smtp, teardown),
		cmocka_unit_test_setup_teardown(test_mailbox_not_dev, setup_files, teardown),
	};

	log_set_level(LOG_WARN);
	return testdb_run_groups("mail web", tests, ARRAY_LEN(tests)) ? 1 : 0;
}
