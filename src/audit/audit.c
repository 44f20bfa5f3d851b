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

const struct action act_audit_read = { .name = "audit_read", .roles = ROLE_BIT(ROLE_ADMIN) };
