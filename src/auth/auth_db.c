/*
 * auth_db.c - every SQL statement of the authentication module, in one
 * table indexed by enum auth_q (auth_int.h). SQL only: the rules that
 * decide when each runs are in person.c, session.c, onetime.c and
 * attempts.c.
 *
 * All of it is the subset SQLite and PostgreSQL share: $N parameters,
 * integers for booleans, Unix seconds from C (never now()), RETURNING id
 * for inserts. A parameter that may be NULL and is tested with IS NULL is
 * CAST so PostgreSQL knows its type. Tokens are looked up by the hash's
 * unique index, never compared in C.
 */
#include "core/common.h"
#include "auth/auth_int.h"

/* A person and, through the LEFT JOIN, one row per role (role NULL when
 * none). person.c reads these columns by position: keep them in step. */
#define PERSON_COLS \
	"p.id, p.name, p.email, p.phone, p.password_hash, p.email_verified_at, " \
	"p.created_at, p.deactivated_at, p.delete_requested_at, p.erase_after, " \
	"p.erased_at, r.role, r.org_id "

/* Who may act: a person who is not deactivated, not waiting to be
 * deleted and not erased. */
#define PERSON_ACTIVE \
	"p.deactivated_at IS NULL AND p.delete_requested_at IS NULL AND p.erased_at IS NULL"

/* person_list's filter: $1 a LIKE pattern (lowercase, escaped with '\')
 * or NULL; $2 a role name or NULL. */
#define PERSON_MATCH \
	"p.erased_at IS NULL " \
	"AND (CAST($1 AS TEXT) IS NULL OR lower(p.name) LIKE $1 ESCAPE '\\' " \
	"     OR p.email_lower LIKE $1 ESCAPE '\\') " \
	"AND (CAST($2 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM person_role pr " \
	"     WHERE pr.person_id = p.id AND pr.role = $2)) "

const struct sql auth_sql[AQ__MAX] = {
	/* ------------------------------------------------------------ person */
	[AQ_PERSON_INSERT] = { "person.insert",
		"INSERT INTO person (name, email, email_lower, phone, password_hash, "
		"created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id", NULL },
	[AQ_PERSON_GET] = { "person.get",
		"SELECT " PERSON_COLS "FROM person p LEFT JOIN person_role r ON r.person_id = p.id "
		"WHERE p.id = $1 ORDER BY r.role", NULL },
	[AQ_PERSON_BY_EMAIL] = { "person.by_email",
		"SELECT " PERSON_COLS "FROM person p LEFT JOIN person_role r ON r.person_id = p.id "
		"WHERE p.email_lower = $1 AND p.erased_at IS NULL ORDER BY r.role", NULL },
	[AQ_PERSON_EXISTS] = { "person.exists",
		"SELECT count(*) FROM person WHERE id = $1 AND erased_at IS NULL", NULL },
	[AQ_PERSON_SET_PASSWORD] = { "person.set_password",
		"UPDATE person SET password_hash = $2, updated_at = $3 "
		"WHERE id = $1 AND erased_at IS NULL", NULL },
	[AQ_PERSON_SET_EMAIL] = { "person.set_email",
		"UPDATE person SET email = $2, email_lower = $3, email_verified_at = NULL, "
		"updated_at = $4 WHERE id = $1 AND erased_at IS NULL", NULL },
	[AQ_PERSON_MARK_VERIFIED] = { "person.mark_verified",
		"UPDATE person SET email_verified_at = COALESCE(email_verified_at, $3), updated_at = $3 "
		"WHERE id = $1 AND email_lower = $2 AND erased_at IS NULL", NULL },
	[AQ_PERSON_SET_DETAILS] = { "person.set_details",
		"UPDATE person SET name = $2, phone = $3, updated_at = $4 "
		"WHERE id = $1 AND erased_at IS NULL", NULL },
	[AQ_PERSON_SET_DEACTIVATED] = { "person.set_deactivated",
		"UPDATE person SET deactivated_at = $2, updated_at = $3 "
		"WHERE id = $1 AND erased_at IS NULL", NULL },
	[AQ_PERSON_SET_DELETE] = { "person.set_delete",
		"UPDATE person SET delete_requested_at = $2, erase_after = $3, updated_at = $4 "
		"WHERE id = $1 AND erased_at IS NULL", NULL },
	[AQ_PERSON_DUE_ERASURE] = { "person.due_erasure",
		"SELECT id FROM person WHERE erase_after IS NOT NULL AND erase_after <= $1 "
		"AND erased_at IS NULL ORDER BY erase_after, id LIMIT $2", NULL },
	[AQ_PERSON_ERASE] = { "person.erase",
		"UPDATE person SET name = 'Deleted person', email = NULL, email_lower = NULL, "
		"phone = NULL, password_hash = NULL, email_verified_at = NULL, "
		"deactivated_at = NULL, delete_requested_at = NULL, erase_after = NULL, "
		"erased_at = COALESCE(erased_at, $2), created_at = $2, updated_at = $2 "
		"WHERE id = $1", NULL },
	[AQ_PERSON_COUNT] = { "person.count",
		"SELECT count(*) FROM person p WHERE " PERSON_MATCH, NULL },
	[AQ_PERSON_LIST] = { "person.list",
		"SELECT p.id, p.name, p.email, p.phone, NULL, p.email_verified_at, "
		"p.created_at, p.deactivated_at, p.delete_requested_at, p.erase_after, "
		"p.erased_at FROM person p WHERE " PERSON_MATCH
		"ORDER BY lower(p.name), p.id LIMIT $3 OFFSET $4", NULL },
	[AQ_PERSON_LIST_ROLES] = { "person.list_roles",
		"SELECT r.person_id, r.role, r.org_id FROM person_role r WHERE r.person_id IN "
		"(SELECT p.id FROM person p WHERE " PERSON_MATCH
		"ORDER BY lower(p.name), p.id LIMIT $3 OFFSET $4) ORDER BY r.person_id, r.role", NULL },
	[AQ_ROLE_HAS] = { "person.role_has",
		"SELECT count(*) FROM person_role WHERE person_id = $1 AND role = $2", NULL },
	[AQ_ROLE_INSERT] = { "person.role_insert",
		"INSERT INTO person_role (person_id, role, org_id, granted_by, granted_at) "
		"VALUES ($1, $2, $3, $4, $5)", NULL },
	[AQ_ROLE_DELETE] = { "person.role_delete",
		"DELETE FROM person_role WHERE person_id = $1 AND role = $2", NULL },
	[AQ_ROLE_DELETE_PERSON] = { "person.role_delete_person",
		"DELETE FROM person_role WHERE person_id = $1", NULL },

	/* ----------------------------------------------------------- session */
	[AQ_SESSION_INSERT] = { "session.insert",
		"INSERT INTO session (person_id, kind, token_hash, csrf_token, created_at, "
		"last_seen_at, expires_at, ip, user_agent) "
		"VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8) RETURNING id", NULL },
	/* $1 token hash, $2 now, $3 the oldest last_seen_at still live. */
	[AQ_SESSION_LOOKUP] = { "session.lookup",
		"SELECT s.id, s.kind, s.csrf_token, s.last_seen_at, p.id, p.name, p.email, "
		"p.email_verified_at, r.role, r.org_id "
		"FROM session s JOIN person p ON p.id = s.person_id "
		"LEFT JOIN person_role r ON r.person_id = p.id "
		"WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 "
		"AND (s.kind = 'api' OR s.last_seen_at >= $3) AND " PERSON_ACTIVE, NULL },
	[AQ_SESSION_TOUCH] = { "session.touch",
		"UPDATE session SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2", NULL },
	[AQ_SESSION_REVOKE] = { "session.revoke",
		"UPDATE session SET revoked_at = $3 WHERE id = $1 AND person_id = $2 "
		"AND revoked_at IS NULL AND expires_at > $3", NULL },
	[AQ_SESSION_REVOKE_ALL] = { "session.revoke_all",
		"UPDATE session SET revoked_at = $3 WHERE person_id = $1 AND id <> $2 "
		"AND revoked_at IS NULL AND expires_at > $3", NULL },
	[AQ_SESSION_REVOKE_EVERY] = { "session.revoke_every",
		"UPDATE session SET revoked_at = $2 WHERE person_id = $1 AND revoked_at IS NULL", NULL },
	[AQ_SESSION_LIST] = { "session.list",
		"SELECT id, kind, created_at, last_seen_at, expires_at, ip, user_agent FROM session "
		"WHERE person_id = $1 AND revoked_at IS NULL AND expires_at > $2 "
		"AND (kind = 'api' OR last_seen_at >= $3) ORDER BY last_seen_at DESC, id DESC", NULL },
	[AQ_SESSION_EXPORT] = { "session.export",
		"SELECT id, kind, created_at, last_seen_at, expires_at, revoked_at, ip, user_agent "
		"FROM session WHERE person_id = $1 ORDER BY id", NULL },
	[AQ_SESSION_EXPIRE] = { "session.expire",
		"DELETE FROM session WHERE expires_at < $1 OR revoked_at < $1", NULL },
	[AQ_SESSION_EXPIRE_IDLE] = { "session.expire_idle",
		"DELETE FROM session WHERE kind = 'browser' AND last_seen_at < $1", NULL },
	[AQ_SESSION_DELETE_PERSON] = { "session.delete_person",
		"DELETE FROM session WHERE person_id = $1", NULL },
	[AQ_TOKEN_INSERT] = { "token.insert",
		"INSERT INTO api_token (person_id, name, token_hash, prefix, created_at, created_by, "
		"expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id", NULL },
	[AQ_TOKEN_LOOKUP] = { "token.lookup",
		"SELECT t.id, t.last_used_at, p.id, p.name, p.email, p.email_verified_at, "
		"r.role, r.org_id FROM api_token t JOIN person p ON p.id = t.person_id "
		"LEFT JOIN person_role r ON r.person_id = p.id "
		"WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND "
		PERSON_ACTIVE, NULL },
	[AQ_TOKEN_USED] = { "token.used",
		"UPDATE api_token SET last_used_at = $2 WHERE id = $1", NULL },
	[AQ_TOKEN_REVOKE] = { "token.revoke",
		"UPDATE api_token SET revoked_at = $3 WHERE id = $1 "
		"AND (CAST($2 AS BIGINT) = 0 OR person_id = $2) AND revoked_at IS NULL", NULL },
	[AQ_TOKEN_REVOKE_ALL] = { "token.revoke_all",
		"UPDATE api_token SET revoked_at = $2 WHERE person_id = $1 AND revoked_at IS NULL "
		"AND expires_at > $2", NULL },
	[AQ_TOKEN_LIST] = { "token.list",
		"SELECT t.id, t.name, t.prefix, t.person_id, p.name, t.created_at, t.last_used_at, "
		"t.revoked_at, t.expires_at FROM api_token t JOIN person p ON p.id = t.person_id "
		"WHERE CAST($1 AS BIGINT) = 0 OR t.person_id = $1 "
		"ORDER BY t.created_at DESC, t.id DESC", NULL },
	[AQ_TOKEN_DELETE_PERSON] = { "token.delete_person",
		"DELETE FROM api_token WHERE person_id = $1", NULL },

	/* ----------------------------------------------------------- onetime */
	[AQ_OT_CANCEL] = { "onetime.cancel",
		"DELETE FROM onetime WHERE person_id = $1 AND purpose = $2", NULL },
	[AQ_OT_INSERT] = { "onetime.insert",
		"INSERT INTO onetime (person_id, purpose, token_hash, email, created_at, expires_at) "
		"VALUES ($1, $2, $3, $4, $5, $6)", NULL },
	/* Marks it used and returns it in one statement, so two requests
	 * with the same link cannot both succeed. */
	[AQ_OT_CONSUME] = { "onetime.consume",
		"UPDATE onetime SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 "
		"AND used_at IS NULL AND expires_at > $3 RETURNING person_id, email", NULL },
	[AQ_OT_PEEK] = { "onetime.peek",
		"SELECT count(*) FROM onetime WHERE token_hash = $1 AND purpose = $2 "
		"AND used_at IS NULL AND expires_at > $3", NULL },
	[AQ_OT_EXPIRE] = { "onetime.expire",
		"DELETE FROM onetime WHERE used_at IS NOT NULL OR expires_at <= $1", NULL },
	[AQ_OT_DELETE_PERSON] = { "onetime.delete_person",
		"DELETE FROM onetime WHERE person_id = $1", NULL },
	/* Links for an organisation (claim_org): the same table, org_id
	 * instead of person_id. */
	[AQ_OT_ORG_CANCEL] = { "onetime.org_cancel",
		"DELETE FROM onetime WHERE org_id = $1 AND purpose = $2", NULL },
	[AQ_OT_ORG_INSERT] = { "onetime.org_insert",
		"INSERT INTO onetime (org_id, purpose, token_hash, created_at, expires_at) "
		"VALUES ($1, $2, $3, $4, $5)", NULL },
	[AQ_OT_ORG_CONSUME] = { "onetime.org_consume",
		"UPDATE onetime SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 "
		"AND org_id IS NOT NULL AND used_at IS NULL AND expires_at > $3 RETURNING org_id", NULL },
	[AQ_OT_ORG_PEEK] = { "onetime.org_peek",
		"SELECT org_id FROM onetime WHERE token_hash = $1 AND purpose = $2 "
		"AND org_id IS NOT NULL AND used_at IS NULL AND expires_at > $3", NULL },
	[AQ_OT_ORG_LIVE] = { "onetime.org_live",
		"SELECT count(*) FROM onetime WHERE org_id = $1 AND purpose = $2 "
		"AND used_at IS NULL AND expires_at > $3", NULL },

	/* ---------------------------------------------------------- attempts */
	[AQ_ATT_COUNT] = { "attempts.count",
		"SELECT count(*) FROM auth_attempt WHERE key = $1 AND at > $2", NULL },
	[AQ_ATT_NTH] = { "attempts.nth",
		"SELECT at FROM auth_attempt WHERE key = $1 AND at > $2 "
		"ORDER BY at LIMIT 1 OFFSET $3", NULL },
	[AQ_ATT_ADD] = { "attempts.add",
		"INSERT INTO auth_attempt (key, at) VALUES ($1, $2)", NULL },
	[AQ_ATT_CLEAR] = { "attempts.clear",
		"DELETE FROM auth_attempt WHERE key = $1", NULL },
	[AQ_ATT_EXPIRE] = { "attempts.expire",
		"DELETE FROM auth_attempt WHERE at < $1", NULL },
};
