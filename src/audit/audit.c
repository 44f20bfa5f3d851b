/*
 * audit.c - the rules of the audit log: what an action name looks like,
 * and who, from where, a request's entries are by.
 *
 * The log is append-only: migration 0003 adds triggers that refuse
 * UPDATE and DELETE on both backends, so even a bug here (or a person
 * with the database password and kith's SQL) cannot quietly rewrite it.
 * Entries and filters are checked and cleaned here, then handed to the
 * statements in audit_db.c, which trust them; the pages are audit_web.c.
 */
#include "core/common.h"
#include "audit/audit.h"
#include "audit/audit_int.h"
#include "auth/policy.h"
#include "core/log.h"
#include "core/str.h"

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

/* Printable ASCII only, at most outlen - 1 bytes; NULL when empty. */
static const char *ascii(char *out, size_t outlen, const char *s)
{
	size_t n = 0;

	if (!s)
		return NULL;
	for (; *s && n + 1 < outlen; s++)
		if (*s > 0x20 && *s < 0x7f)
			out[n++] = *s;
	out[n] = '\0';
	return n ? out : NULL;
}

/* detail cut to AUDIT_DETAIL_MAX bytes without splitting a character. */
static const char *clean_detail(char out[AUDIT_DETAIL_MAX + 1], const char *s)
{
	size_t n;

	if (!s || !*s)
		return NULL;
	n = strnlen(s, AUDIT_DETAIL_MAX + 1);
	if (n > AUDIT_DETAIL_MAX) {
		n = AUDIT_DETAIL_MAX;
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	if (!str_is_clean_utf8(out, n))
		return "(detail withheld: it was not plain text)";
	return out;
}

bool audit_is_read(const char *action)
{
	size_t n = strlen(action);

	return n > 5 && strcmp(action + n - 5, ".read") == 0;
}

enum err audit_log(struct db *db, int64_t now, int64_t actor_id, const char *action,
		int64_t subject_id, const char *detail, const char *ip, const char *request_id)
{
	char d[AUDIT_DETAIL_MAX + 1], ipb[64], rid[33];
	bool seen = false;
	enum err e;

	if (!audit_action_valid(action)) {
		log_error("audit: refused an entry with a malformed action name");
		return ERR_INVALID;
	}
	detail = clean_detail(d, detail);
	if (actor_id && audit_is_read(action)) {
		if ((e = audit_db_seen(db, actor_id, action, subject_id, detail,
				       now - AUDIT_READ_FOLD_S, &seen)) != ERR_OK)
			return e;
		if (seen)
			return ERR_OK;
	}
	return audit_db_insert(db, now, actor_id, action, subject_id, detail,
			       ascii(ipb, sizeof(ipb), ip), ascii(rid, sizeof(rid), request_id));
}

enum err audit_purge(struct db *db, int64_t before, int64_t max, int64_t *n)
{
	*n = 0;
	if (before <= 0 || max < 1)
		return ERR_OK;
	return audit_db_purge(db, before, max, n);
}

enum err audit_query(struct db *db, const struct audit_filter *f, json_t **out, int64_t *total)
{
	char prefix[66];
	size_t plen = 0;
	enum err e;

	*out = NULL;
	*total = 0;
	if (f->limit < 1 || f->limit > 500 || f->offset < 0)
		return ERR_INVALID;
	if (f->action) {
		if (!audit_action_valid(f->action))
			return ERR_INVALID;
		/* "login" matches "login" and "login.failed", not "loginx". */
		plen = (size_t)snprintf(prefix, sizeof(prefix), "%s.", f->action);
	}
	e = audit_db_query(db, f, f->action ? prefix : NULL, plen, out, total);
	if (e)
		*total = 0;
	return e;
}

const struct action act_audit_read = { .name = "audit_read", .roles = ROLE_BIT(ROLE_ADMIN) };
