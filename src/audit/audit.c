/*
 * audit.c - the rules of the audit log: what an action name looks like,
 * and who, from where, a request's entries are by.
 *
 * The log is append-only: migration 0003 adds triggers that refuse
 * UPDATE and DELETE on both backends, so even a bug here (or a person
 * with the database password and kith's SQL) cannot quietly rewrite it.
 * The statements are in audit_db.c; the pages in audit_web.c.
 */
#include "core/common.h"
#include "app/app.h"
#include "audit/audit.h"
#include "auth/policy.h"
#include "core/timeutil.h"
#include "store/store.h"

bool audit_action_valid(const char *action)
{
	size_t n;

	if (!action || !(action[0] >= 'a' && action[0] <= 'z'))
		return false;
	n = strnlen(action, 65);
	if (n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = action[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
			return false;
	}
	return true;
}

enum err audit_req(struct request *req, const char *action, int64_t subject_id,
		const char *detail)
{
	struct db *db = req->db;

	if (!db && req->app && req->app->store)
		db = store_db(req->app->store);
	if (!db)
		return ERR_UNAVAILABLE;
	return audit_log(db, req->now, req->actor ? req->actor->id : 0, action, subject_id,
			 detail, req->client_ip, req->id[0] ? req->id : NULL);
}

const struct action act_audit_read = { .name = "audit_read", .roles = ROLE_BIT(ROLE_ADMIN) };
