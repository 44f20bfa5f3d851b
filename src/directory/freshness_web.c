/*
 * freshness_web.c - the one-click link an organiser answers "is it still
 * running?" with. The GET only shows a page (mail scanners that follow
 * links answer nothing); the POST uses the link in one atomic UPDATE ...
 * RETURNING and records the answer.
 */
#include "core/common.h"
#include "web/form.h"
#include "web/url.h"
#include "account/account.h"
#include "audit/audit.h"
#include "audit/audit_web.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "directory/directory.h"
#include "directory/directory_db.h"
#include "directory/freshness.h"
#include "mail/mail.h"
#include "store/store.h"
#include "web/url.h"
#include "web/view.h"
#include <sodium.h>
#include "app/app.h"

static const struct sql q_check_peek = { "fresh.check_peek",
	"SELECT c.service_id, s.name, o.name FROM service_check c "
	"JOIN service s ON s.id = c.service_id JOIN organisation o ON o.id = s.organisation_id "
	"WHERE c.token_hash = $1 AND c.used_at IS NULL AND c.expires_at > $2", NULL };
static const struct sql q_check_use = { "fresh.check_use",
	"UPDATE service_check SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL "
	"AND expires_at > $2 RETURNING service_id", NULL };
/* ---------------------------------------------------------------- the link */

static enum err link_expired(struct request *req, struct response *resp)
{
	return web_page(req, resp, 404, "directory/check.html",
			    "This link has expired or has already been used",
			    json_pack("{s:b}", "expired", true));
}

enum err freshness_check_get(struct request *req, struct response *resp)
{
	const char *token = web_path_token(req);
	char hash[65];
	struct db_res *r;
	json_t *data = NULL;
	enum err e;

	if (!token)
		return link_expired(req, resp);
	freshness_token_hash(token, hash);
	if ((e = db_query(req->db, &q_check_peek, DB_ARGS(DB_TEXT(hash), DB_INT(req->now)), &r)) != ERR_OK)
		return e;
	if ((e = db_next(r)) == ERR_OK && db_row(r))
		data = json_pack("{s:s, s:s, s:s, s:s}", "service_name", db_text(r, 1),
				 "org_name", db_text(r, 2), "action", web_url(req, "manage.check", token, NULL),
				 "edit_href", web_url(req, "manage.edit", db_text(r, 0), NULL));
	db_res_free(r);
	if (e) {
		json_decref(data);
		return e;
	}
	if (!data)
		return link_expired(req, resp);
	return web_page(req, resp, 200, "directory/check.html",
			    arena_printf(&req->arena, "Is %s still running?",
					 json_string_value(json_object_get(data, "service_name"))), data);
}

enum err freshness_check_post(struct request *req, struct response *resp)
{
	const char *token = web_path_token(req);
	const char *answer = req_form(req, "answer");
	struct svc_meta meta;
	char hash[65], id[37] = "";
	int64_t now = req->now;
	struct db_res *r;
	bool stopped;
	enum err e;

	if (!token)
		return link_expired(req, resp);
	if (!answer || (strcmp(answer, "yes") != 0 && strcmp(answer, "stopped") != 0))
		return req_fail(req, ERR_INVALID, "Choose whether the service is still running.");
	stopped = strcmp(answer, "stopped") == 0;
	freshness_token_hash(token, hash);
	if ((e = db_begin(req->db)) != ERR_OK)
		return e;
	if ((e = db_query(req->db, &q_check_use, DB_ARGS(DB_TEXT(hash), DB_INT(now)), &r)) != ERR_OK)
		goto fail;
	if ((e = db_next(r)) == ERR_OK && db_row(r))
		snprintf(id, sizeof(id), "%s", db_text(r, 0));
	db_res_free(r);
	if (e)
		goto fail;
	if (!id[0]) {
		db_rollback(req->db);
		return link_expired(req, resp);
	}
	if ((e = directory_meta(req->db, &req->arena, id, &meta)) != ERR_OK)
		goto fail;
	if (!stopped)
		e = directory_assure(req->db, id, 0, now);   /* clears the marks too */
	else if (meta.state != SVC_ARCHIVED)
		e = directory_set_state(req->db, id, SVC_ARCHIVED, 0, now);
	if (e == ERR_OK && stopped)
		e = freshness_clear(req->db, id, now, NULL);
	if (e)
		goto fail;
	if ((e = audit_req(req, stopped ? "service.archived" : "service.confirmed", 0,
			   arena_printf(&req->arena, "service=%s via=check", id))) != ERR_OK)
		goto fail;
	if ((e = db_commit(req->db)) != ERR_OK)
		goto fail;
	if ((e = directory_apply_changes(req->app->directory, req->db)) != ERR_OK)
		log_warn("[%s] directory sync after a check failed: %s", req->id, err_name(e));
	return web_page(req, resp, 200, "directory/check.html",
			    stopped ? "Thank you for letting us know" : "Thank you",
			    json_pack("{s:b, s:b, s:s, s:s}", "answered", true, "stopped", stopped,
				      "service_name", meta.name ? meta.name : "",
				      "org_name", meta.org_name ? meta.org_name : ""));
fail:
	if (db_in_tx(req->db))
		db_rollback(req->db);
	return e;
}
