/*
 * person.c - people with accounts: the rules for what they type, their
 * record and their roles.
 *
 * Every write checks its fields again (the web layer checks first to
 * show per-field errors), so the table never holds a name with a line
 * break or an email without an @. Email uniqueness is the unique index on
 * email_lower, never a read-then-write race; email_lower is
 * str_lower_email() (ASCII only, core/str.h), the same function that
 * keys referrals' clients, so an address claims what was made for it.
 *
 * Role changes revoke the person's sessions here, not in the callers:
 * privileges change only with a fresh sign-in (a session stolen while
 * someone was a member must not become a coordinator's), and no caller
 * can forget it. Roles are read on every request, so a removed role is
 * gone at once anyway.
 */
#include "core/common.h"
#include "org/org.h"
#include "auth/attempts.h"
#include "auth/auth_int.h"
#include "auth/person.h"
#include "auth/session.h"
#include "core/log.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "store/store.h"

/* ---------------------------------------------------------------- rules */

const char *person_check_name(const char *name)
{
	return str_check_line(name, PERSON_NAME_MAX, "Enter your name",
			       "Your name must be 100 characters or fewer",
			       "Your name must be on one line, without special characters");
}

const char *person_check_email(const char *email)
{
	static const char *format = "Enter an email address in the correct format, like name@example.com";
	const char *at, *domain;
	size_t n, dn;

	if (!email || !*email)
		return "Enter your email address";
	n = strlen(email);
	if (n > PERSON_EMAIL_MAX)
		return "Your email address must be 254 characters or fewer";
	if (!str_is_clean_utf8(email, n))
		return format;
	/* No spaces, controls, or the characters that separate or quote
	 * addresses in an email header. */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)email[i];

		if (c <= ' ' || strchr("\"(),:;<>[\\]", c))
			return format;
	}
	at = strchr(email, '@');
	if (!at || at == email || strchr(at + 1, '@'))
		return format;
	domain = at + 1;
	dn = strlen(domain);
	if (dn < 3 || !strchr(domain, '.') || domain[0] == '.' || domain[dn - 1] == '.' ||
	    strstr(domain, ".."))
		return format;
	return NULL;
}

const char *person_check_phone(const char *phone)
{
	static const char *format = "Enter a telephone number, like 01632 960 001 or +44 7700 900 982";
	size_t digits = 0, n;

	if (!phone || !*phone)
		return NULL;
	n = strlen(phone);
	if (n > PERSON_PHONE_MAX)
		return format;
	for (size_t i = 0; i < n; i++) {
		char c = phone[i];

		if (c >= '0' && c <= '9')
			digits++;
		else if (!strchr(" +()-", c))
			return format;
	}
	if (digits < 7 || digits > 20)
		return format;
	return NULL;
}

/* ---------------------------------------------------------------- records */

enum err person_create(struct db *db, const char *name, const char *email,
		const char *phone, const char *password_hash, int64_t now, int64_t *id)
{
	char lower[PERSON_EMAIL_MAX + 1];

	if (person_check_name(name) || person_check_email(email) || person_check_phone(phone))
		return ERR_INVALID;
	str_lower_email(email, lower, sizeof(lower));
	return db_query_int(db, AQ(PERSON_INSERT),
			    DB_ARGS(DB_TEXT(name), DB_TEXT(email), DB_TEXT(lower),
				    DB_TEXT(phone && *phone ? phone : NULL), DB_TEXT(password_hash),
				    DB_INT(now)),
			    id);
}

static int64_t int_or_0(struct db_res *r, int col)
{
	return db_isnull(r, col) ? 0 : db_int(r, col);
}

/* The person columns (auth_db.c's PERSON_COLS) of the current row. */
static bool fill_person(struct arena *a, struct db_res *r, struct person *p)
{
	bool oom = false;

	p->id = db_int(r, 0);
	p->name = db_dup(a, r, 1, &oom);
	p->email = db_dup(a, r, 2, &oom);
	p->phone = db_dup(a, r, 3, &oom);
	p->password_hash = db_dup(a, r, 4, &oom);
	p->verified = !db_isnull(r, 5);
	p->created_at = db_int(r, 6);
	p->deactivated_at = int_or_0(r, 7);
	p->delete_requested_at = int_or_0(r, 8);
	p->erase_after = int_or_0(r, 9);
	p->erased_at = int_or_0(r, 10);
	return !oom && p->name;
}

/* A person and their roles from PERSON_COLS rows. */
static enum err read_person(struct db_res *r, struct arena *a, struct person *out)
{
	bool found = false;
	enum err e;

	memset(out, 0, sizeof(*out));
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		if (!found) {
			found = true;
			if (!fill_person(a, r, out)) {
				e = ERR_NOMEM;
				break;
			}
		}
		auth_add_role(a, r, 11, 12, &out->roles, &out->org_id);
	}
	db_res_free(r);
	if (e)
		return e;
	return found ? ERR_OK : ERR_NOT_FOUND;
}

enum err person_get(struct db *db, struct arena *a, int64_t id, struct person *out)
{
	struct db_res *r;
	enum err e = db_query(db, AQ(PERSON_GET), DB_ARGS(DB_INT(id)), &r);

	if (e) {
		memset(out, 0, sizeof(*out));
		return e;
	}
	return read_person(r, a, out);
}

enum err person_find_email(struct db *db, struct arena *a, const char *email, struct person *out)
{
	char lower[PERSON_EMAIL_MAX + 1];
	struct db_res *r;
	enum err e;

	memset(out, 0, sizeof(*out));
	if (!email || !*email || strlen(email) > PERSON_EMAIL_MAX)
		return ERR_NOT_FOUND;
	str_lower_email(email, lower, sizeof(lower));
	e = db_query(db, AQ(PERSON_BY_EMAIL), DB_ARGS(DB_TEXT(lower)), &r);
	if (e)
		return e;
	return read_person(r, a, out);
}

/* ERR_OK when the person exists and is not erased, else ERR_NOT_FOUND. */
static enum err exists(struct db *db, int64_t id)
{
	int64_t n = 0;
	enum err e = db_query_int(db, AQ(PERSON_EXISTS), DB_ARGS(DB_INT(id)), &n);

	if (e)
		return e;
	return n ? ERR_OK : ERR_NOT_FOUND;
}

/* An UPDATE of one person: no row changed means no such person. */
static enum err one_row(enum err e, int64_t changes)
{
	if (e)
		return e;
	return changes ? ERR_OK : ERR_NOT_FOUND;
}

enum err person_set_password(struct db *db, int64_t id, const char *hash, int64_t now)
{
	int64_t n = 0;
	enum err e = db_exec(db, AQ(PERSON_SET_PASSWORD),
			     DB_ARGS(DB_INT(id), DB_TEXT(hash), DB_INT(now)), &n);

	return one_row(e, n);
}

enum err person_set_email(struct db *db, int64_t id, const char *email, int64_t now)
{
	char lower[PERSON_EMAIL_MAX + 1];
	int64_t n = 0;
	enum err e;

	if (person_check_email(email))
		return ERR_INVALID;
	str_lower_email(email, lower, sizeof(lower));
	e = db_exec(db, AQ(PERSON_SET_EMAIL),
		    DB_ARGS(DB_INT(id), DB_TEXT(email), DB_TEXT(lower), DB_INT(now)), &n);
	return one_row(e, n);
}

enum err person_mark_verified(struct db *db, int64_t id, const char *email, int64_t now)
{
	char lower[PERSON_EMAIL_MAX + 1];
	int64_t n = 0;
	enum err e;

	if (!email || !*email || strlen(email) > PERSON_EMAIL_MAX)
		return ERR_CONFLICT;
	str_lower_email(email, lower, sizeof(lower));
	e = db_exec(db, AQ(PERSON_MARK_VERIFIED),
		    DB_ARGS(DB_INT(id), DB_TEXT(lower), DB_INT(now)), &n);
	if (e)
		return e;
	if (n)
		return ERR_OK;
	e = exists(db, id);
	return e == ERR_OK ? ERR_CONFLICT : e;
}

enum err person_set_details(struct db *db, int64_t id, const char *name, const char *phone, int64_t now)
{
	int64_t n = 0;
	enum err e;

	if (person_check_name(name) || person_check_phone(phone))
		return ERR_INVALID;
	e = db_exec(db, AQ(PERSON_SET_DETAILS),
		    DB_ARGS(DB_INT(id), DB_TEXT(name), DB_TEXT(phone && *phone ? phone : NULL),
			    DB_INT(now)), &n);
	return one_row(e, n);
}

enum err person_set_deactivated(struct db *db, int64_t id, bool deactivated, int64_t now)
{
	int64_t n = 0;
	enum err e = db_exec(db, AQ(PERSON_SET_DEACTIVATED),
			     DB_ARGS(DB_INT(id), deactivated ? DB_INT(now) : DB_NULL, DB_INT(now)), &n);

	if ((e = one_row(e, n)) != ERR_OK)
		return e;
	/* Signing in again reactivates; sessions from before must not come
	 * back to life with it. */
	return deactivated ? session_revoke_every(db, id, now) : ERR_OK;
}

enum err person_set_delete(struct db *db, int64_t id, int64_t erase_after, int64_t now)
{
	int64_t n = 0;
	enum err e = db_exec(db, AQ(PERSON_SET_DELETE),
			     DB_ARGS(DB_INT(id), erase_after ? DB_INT(now) : DB_NULL,
				     erase_after ? DB_INT(erase_after) : DB_NULL, DB_INT(now)), &n);

	if ((e = one_row(e, n)) != ERR_OK)
		return e;
	return erase_after ? session_revoke_every(db, id, now) : ERR_OK;
}

enum err person_due_erasure(struct db *db, int64_t now, int64_t *ids, size_t max, size_t *n)
{
	struct db_res *r;
	enum err e;

	*n = 0;
	if (max == 0)
		return ERR_OK;
	e = db_query(db, AQ(PERSON_DUE_ERASURE), DB_ARGS(DB_INT(now), DB_INT((int64_t)max)), &r);
	if (e)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r) && *n < max)
		ids[(*n)++] = db_int(r, 0);
	db_res_free(r);
	return e;
}

enum err person_erase(struct db *db, int64_t id, int64_t now)
{
	struct arena a;
	struct person p;
	enum err e;
	const enum auth_q deletes[] = {
		AQ_ROLE_DELETE_PERSON, AQ_SESSION_DELETE_PERSON, AQ_TOKEN_DELETE_PERSON,
		AQ_OT_DELETE_PERSON,
	};

	arena_init(&a);
	e = person_get(db, &a, id, &p);
	if (e)
		goto out;
	if (p.email) {
		/* The sign-in counter is keyed by a hash of the address; it
		 * would expire anyway, but nothing need wait for that. */
		char lower[PERSON_EMAIL_MAX + 1], key[ATTEMPT_KEY_MAX];

		str_lower_email(p.email, lower, sizeof(lower));
		attempts_key(key, ATTEMPT_LOGIN_ACCOUNT, lower);
		if ((e = attempts_clear(db, key)) != ERR_OK)
			goto out;
	}
	for (size_t i = 0; i < ARRAY_LEN(deletes); i++)
		if ((e = db_exec(db, &auth_sql[deletes[i]], DB_ARGS(DB_INT(id)), NULL)) != ERR_OK)
			goto out;
	e = db_exec(db, AQ(PERSON_ERASE), DB_ARGS(DB_INT(id), DB_INT(now)), NULL);
out:
	arena_release(&a);
	return e;
}

/* ---------------------------------------------------------------- roles */

enum err person_grant(struct db *db, int64_t id, enum role role, const char *org_id,
		int64_t granted_by, int64_t now)
{
	int64_t has = 0;
	enum err e;

	if ((unsigned)role >= ROLE__MAX)
		return ERR_INVALID;
	if (role == ROLE_ORGANISER) {
		if (!org_id || !*org_id)
			return ERR_INVALID;
		if ((e = org_exists(db, org_id)) != ERR_OK)
			return e;
	} else {
		org_id = NULL;
	}
	if ((e = exists(db, id)) != ERR_OK)
		return e;
	/* Asked first so the usual "already has it" does not abort the
	 * caller's PostgreSQL transaction; the primary key still decides
	 * a race. */
	e = db_query_int(db, AQ(ROLE_HAS), DB_ARGS(DB_INT(id), DB_TEXT(role_name(role))), &has);
	if (e)
		return e;
	if (has)
		return ERR_CONFLICT;
	e = db_exec(db, AQ(ROLE_INSERT),
		    DB_ARGS(DB_INT(id), DB_TEXT(role_name(role)), DB_TEXT(org_id),
			    granted_by ? DB_INT(granted_by) : DB_NULL, DB_INT(now)), NULL);
	if (e)
		return e;
	return session_revoke_every(db, id, now);
}

enum err person_revoke_role(struct db *db, int64_t id, enum role role, int64_t now)
{
	int64_t n = 0;
	enum err e;

	if ((unsigned)role >= ROLE__MAX)
		return ERR_INVALID;
	e = db_exec(db, AQ(ROLE_DELETE), DB_ARGS(DB_INT(id), DB_TEXT(role_name(role))), &n);
	if ((e = one_row(e, n)) != ERR_OK)
		return e;
	return session_revoke_every(db, id, now);
}

/* ---------------------------------------------------------------- lists */

/* "%q%" with q lowercased and its LIKE wildcards escaped; NULL for no q. */
static char *like_pattern(struct arena *a, const char *q)
{
	size_t n;
	char *out, *w;

	if (!q || !*q)
		return NULL;
	n = strlen(q);
	if (n > 256) {
		/* Cut at a character boundary: half a character is not text
		 * (and PostgreSQL would refuse it). */
		n = 256;
		while (n && ((unsigned char)q[n] & 0xc0) == 0x80)
			n--;
	}
	out = arena_alloc(a, 2 * n + 3);
	if (!out)
		return NULL;
	w = out;
	*w++ = '%';
	for (size_t i = 0; i < n; i++) {
		char c = q[i];

		if (c == '%' || c == '_' || c == '\\')
			*w++ = '\\';
		*w++ = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
	}
	*w++ = '%';
	*w = '\0';
	return out;
}

json_t *person_json(const struct person *p, bool full)
{
	json_t *roles = json_array(), *o;

	for (int r = 0; roles && r < ROLE__MAX; r++)
		if (p->roles & ROLE_BIT(r))
			json_array_append_new(roles, json_string(role_name((enum role)r)));
	o = json_pack("{s:I, s:s?, s:s?, s:b, s:o, s:o}",
		      "id", (json_int_t)p->id, "name", p->name, "email", p->email,
		      "email_verified", p->verified, "roles", roles,
		      "created_at", auth_json_iso(p->created_at));
	if (!o)
		return NULL;
	if (p->org_id)
		json_object_set_new(o, "org_id", json_string(p->org_id));
	if (full) {
		json_object_set_new(o, "phone", p->phone ? json_string(p->phone) : json_null());
		json_object_set_new(o, "deactivated", json_boolean(p->deactivated_at != 0));
		if (p->erase_after)
			json_object_set_new(o, "deletion_due", auth_json_iso(p->erase_after));
	}
	return o;
}

enum err person_list(struct db *db, const char *q, enum role role, int limit, int offset,
		json_t **out, int64_t *total)
{
	struct arena a;
	struct person *page = NULL;
	struct db_res *r;
	const char *pat, *rname = (unsigned)role < ROLE__MAX ? role_name(role) : NULL;
	size_t n = 0;
	json_t *list = NULL;
	enum err e;

	*out = NULL;
	*total = 0;
	if (limit < 1)
		limit = 1;
	if (limit > 500)
		limit = 500;
	if (offset < 0)
		offset = 0;
	arena_init(&a);
	pat = like_pattern(&a, q);
	if (q && *q && !pat) {
		e = ERR_NOMEM;
		goto out;
	}
	e = db_query_int(db, AQ(PERSON_COUNT), DB_ARGS(DB_TEXT(pat), DB_TEXT(rname)), total);
	if (e)
		goto out;
	page = arena_calloc(&a, (size_t)limit, sizeof(*page));
	if (!page) {
		e = ERR_NOMEM;
		goto out;
	}
	e = db_query(db, AQ(PERSON_LIST),
		     DB_ARGS(DB_TEXT(pat), DB_TEXT(rname), DB_INT(limit), DB_INT(offset)), &r);
	if (e)
		goto out;
	while ((e = db_next(r)) == ERR_OK && db_row(r) && n < (size_t)limit) {
		if (!fill_person(&a, r, &page[n++])) {
			e = ERR_NOMEM;
			break;
		}
	}
	db_res_free(r);
	if (e)
		goto out;
	e = db_query(db, AQ(PERSON_LIST_ROLES),
		     DB_ARGS(DB_TEXT(pat), DB_TEXT(rname), DB_INT(limit), DB_INT(offset)), &r);
	if (e)
		goto out;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		int64_t pid = db_int(r, 0);

		for (size_t i = 0; i < n; i++)
			if (page[i].id == pid)
				auth_add_role(&a, r, 1, 2, &page[i].roles, &page[i].org_id);
	}
	db_res_free(r);
	if (e)
		goto out;
	list = json_array();
	for (size_t i = 0; list && i < n; i++) {
		if (json_array_append_new(list, person_json(&page[i], false)) != 0) {
			json_decref(list);
			list = NULL;
		}
	}
	if (!list)
		e = ERR_NOMEM;
out:
	arena_release(&a);
	if (e)
		*total = 0;
	else
		*out = list;
	return e;
}
