/*
 * people_web.c - people administration for coordinators and admins: find
 * a person, see their account record and roles, grant and remove roles.
 *
 * Who may do what is the policy table's business: the routes name
 * &act_people_list, &act_person_view and &act_role_grant, and each handler
 * asks again with the particular person or role as the resource
 * (coordinators may grant only peer_supporter and organiser; anyone may
 * see their own record). Every look at someone else's record writes a
 * person.read audit row, which that person can see.
 *
 * A change of role revokes every session of the person concerned, so the
 * new privileges come with a new token; when it is the actor's own role,
 * this browser is signed in again at once.
 */
#include "core/common.h"
#include "web/errors.h"
#include "web/form.h"
#include "account/account.h"
#include "app/app.h"
#include "app/features.h"
#include "audit/audit.h"
#include "audit/audit_web.h"
#include "auth/auth_web.h"
#include "auth/person.h"
#include "auth/session.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "store/store.h"
#include "view/escape.h"
#include "web/view.h"

#define PEOPLE_PER_PAGE 25

enum err people_audit_read(struct request *req, int64_t id)
{
	/* A HEAD request shows nothing of the record. */
	if (req->actor->id == id || req->is_head)
		return ERR_OK;
	return audit_req(req, "person.read", id, NULL);
}

/* After a change to id's roles: end their sessions (the new privileges
 * need a new token) and, if it is the actor's own, sign this browser in
 * again. Inside the caller's transaction. */
/* After a role is granted or removed, in its transaction: the person's
 * sessions end (new privileges come with a new token; the actor, when it
 * is their own role, is signed in again on this browser), and other
 * features hear of it. */
static enum err roles_changed(struct request *req, struct response *resp, int64_t id,
		enum role r, bool granted, int64_t now)
{
	const struct actor *a = req->actor;
	enum err e = session_revoke_all(req->db, id, 0, now, NULL);

	if (e == ERR_OK && id == a->id && a->session_id && !a->via_token)
		e = auth_login(req, resp, id);
	if (e == ERR_OK)
		e = event_publish(&req->app->events, &(struct event){ .kind = EV_ROLE_CHANGED,
			.db = req->db, .now = now, .person_id = id, .actor_id = a->id, .role = (int)r,
			.granted = granted });
	return e;
}

static enum err find_person(struct request *req, int64_t id, struct person *p)
{
	enum err e = person_get(req->db, &req->arena, id, p);

	if (e == ERR_OK && p->erased_at)
		e = ERR_NOT_FOUND;
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no person with that id.");
	return e;
}

/* A grant and a removal are each two steps: the checks, outside any
 * transaction (the role, the policy for it, the person), then the change
 * inside one (the path's for the pages, people_grant's and
 * people_remove's own for the API). */

/* The role and organisation asked for: *r when they will do, else errors
 * added (ERR_INVALID) or the request refused. */
static enum err grant_check(struct request *req, int64_t id, const char *role, const char *org_id,
		enum role *r, json_t *errors)
{
	json_t *found;
	struct person p;

	*r = ROLE__MAX;
	if (role && account_role_parse(role, r))
		role = role_name(*r);
	if (!(found = account_check_grant(role, org_id, r)))
		return ERR_NOMEM;
	json_array_extend(errors, found);
	json_decref(found);
	if (json_array_size(errors))
		return ERR_INVALID;
	if (!policy_can(req->actor, &act_role_grant, r))
		return req_fail(req, ERR_FORBIDDEN, "Your role does not allow you to give people "
				"this role. Ask an admin.");
	return find_person(req, id, &p);
}

/* Grants r inside the caller's transaction; an organisation that is not
 * there is ERR_INVALID with its error added. */
static enum err grant_in_tx(struct request *req, struct response *resp, int64_t id, enum role r,
		const char *org_id, json_t *errors)
{
	int64_t now = req->now;
	const char *detail;
	enum err e;

	e = person_grant(req->db, id, r, r == ROLE_ORGANISER ? org_id : NULL, req->actor->id, now);
	if (e == ERR_CONFLICT)
		return req_fail(req, e, "They already have this role.");
	if (e == ERR_NOT_FOUND || e == ERR_INVALID) {
		web_error(errors, FLD_ORG, "No organisation has that id. Check it and try again");
		return ERR_INVALID;
	}
	detail = arena_printf(&req->arena, "role=%s", role_name(r));
	if (e || (e = roles_changed(req, resp, id, r, true, now)) != ERR_OK ||
	    (e = audit_req(req, "role.granted", id, detail)) != ERR_OK)
		return e;
	return ERR_OK;
}

enum err people_grant(struct request *req, struct response *resp, int64_t id,
		const char *role, const char *org_id, json_t **errors)
{
	enum role r;
	enum err e;

	if (!(*errors = json_array()))
		return ERR_NOMEM;
	if ((e = grant_check(req, id, role, org_id, &r, *errors)) != ERR_OK)
		return e;
	if ((e = db_begin(req->db)) != ERR_OK)
		return e;
	e = grant_in_tx(req, resp, id, r, org_id, *errors);
	if (e == ERR_INVALID)
		db_rollback(req->db);
	return e == ERR_OK ? db_commit(req->db) : e;
}

/* The role to remove: *r when they hold it and the actor may remove it. */
static enum err remove_check(struct request *req, int64_t id, const char *role, enum role *r)
{
	struct person p;
	enum err e;

	if (!account_role_parse(role, r))
		return req_fail(req, ERR_NOT_FOUND, "There is no role with that name.");
	if (!policy_can(req->actor, &act_role_grant, r))
		return req_fail(req, ERR_FORBIDDEN, "Your role does not allow you to remove this "
				"role. Ask an admin.");
	if ((e = find_person(req, id, &p)) != ERR_OK)
		return e;
	if (!(p.roles & ROLE_BIT(*r)))
		return req_fail(req, ERR_NOT_FOUND, "They do not have this role.");
	return ERR_OK;
}

/* Removes r inside the caller's transaction, never the last admin's. */
static enum err remove_in_tx(struct request *req, struct response *resp, int64_t id, enum role r)
{
	int64_t now = req->now;
	enum err e;

	if (r == ROLE_ADMIN) {
		json_t *admins = NULL;
		int64_t total = 0;

		/* Counted inside the transaction that removes the role. */
		e = person_list(req->db, NULL, ROLE_ADMIN, 1, 0, &admins, &total);
		json_decref(admins);
		if (e)
			return e;
		if (total <= 1)
			return req_fail(req, ERR_CONFLICT, "This is the only admin. Make someone else "
					"an admin first, so that someone can still manage accounts.");
	}
	e = person_revoke_role(req->db, id, r, req->now);
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "They do not have this role.");
	if (e || (e = roles_changed(req, resp, id, r, false, now)) != ERR_OK ||
	    (e = audit_req(req, "role.removed", id,
			   arena_printf(&req->arena, "role=%s", role_name(r)))) != ERR_OK)
		return e;
	return ERR_OK;
}

enum err people_remove(struct request *req, struct response *resp, int64_t id,
		const char *role)
{
	enum role r;
	enum err e;

	if ((e = remove_check(req, id, role, &r)) != ERR_OK)
		return e;
	if ((e = db_begin(req->db)) != ERR_OK)
		return e;
	if ((e = remove_in_tx(req, resp, id, r)) != ERR_OK)
		return e;
	return db_commit(req->db);
}

/* ---------------------------------------------------------------- pages */

/* /people?q=...&role=...& for view_paging, values encoded. */
static const char *page_base(struct request *req, const char *q, enum role role)
{
	struct buf b;
	const char *out = NULL;

	buf_init(&b, LIMIT_URL_BYTES);
	buf_adds(&b, "/people?q=");
	if (q)
		esc_url_component(&b, q, strlen(q));
	buf_addf(&b, "&role=%s&", role < ROLE__MAX ? role_name(role) : "");
	if (buf_ok(&b))
		out = arena_strdup(&req->arena, b.p);
	buf_release(&b);
	return out ? out : "/people?";
}
/* "Member, Peer supporter" from a person_json roles array. */
static json_t *roles_text(const json_t *names)
{
	char out[256];
	size_t i, n = 0;
	const json_t *v;

	out[0] = '\0';
	json_array_foreach(names, i, v) {
		enum role r;
		int w;

		if (!json_is_string(v) || !role_parse(json_string_value(v), &r))
			continue;
		w = snprintf(out + n, sizeof(out) - n, "%s%s", n ? ", " : "", account_role_words(r));
		if (w < 0 || (size_t)w >= sizeof(out) - n)
			break;
		n += (size_t)w;
	}
	return json_string(out);
}

static enum err people_list(struct request *req, struct response *resp)
{
	const char *q = req_query(req, "q"), *rolename = req_query(req, "role");
	const char *pagestr = req_query(req, "page");
	enum role role = ROLE__MAX;
	int64_t page = 1, total = 0;
	json_t *items = NULL, *roles, *it, *data;
	size_t i;
	bool bad_q = false;
	enum err e;

	if (q) {
		struct str t = str_trim(str_c(q));

		q = arena_strndup(&req->arena, t.p, t.n);
		if (strlen(q) > ACCOUNT_SEARCH_MAX || !str_is_clean_utf8(q, strlen(q))) {
			bad_q = true;
			q = NULL;
		}
	}
	if (rolename && !role_parse(rolename, &role))
		role = ROLE__MAX;
	if (pagestr && !str_to_i64(str_c(pagestr), 1, 1000000, &page))
		page = 1;
	e = person_list(req->db, q && q[0] ? q : NULL, role, PEOPLE_PER_PAGE,
			(int)((page - 1) * PEOPLE_PER_PAGE), &items, &total);
	if (e)
		return e;
	json_array_foreach(items, i, it)
		json_object_set_new(it, "roles_text", roles_text(json_object_get(it, "roles")));
	roles = json_array();
	for (int r = 0; r < ROLE__MAX; r++)
		json_array_append_new(roles, json_pack("{s:s, s:s, s:b}", "value",
			role_name((enum role)r), "words", account_role_words((enum role)r),
			"selected", role == (enum role)r));
	data = json_pack("{s:s, s:s, s:o, s:o, s:b, s:b}",
		"q", q ? q : "", "role", role < ROLE__MAX ? role_name(role) : "",
		"roles", roles, "items", items,
		"any", json_array_size(items) > 0, "searched", (q && q[0]) || role < ROLE__MAX);
	view_paging(&req->arena, data, page_base(req, q, role), page, PEOPLE_PER_PAGE, total,
		    json_array_size(items));
	if (bad_q)
		web_set_banner(data, false, "Searches can be up to 100 characters of plain "
				   "text. Showing everyone instead.");
	return web_page(req, resp, 200, "people/list.html", "People", data);
}

static const struct field_def org_fields[] = {
	{ .name = FLD_ORG, .label = "Organisation id (organisers only)", .hint = "The id of the "
	  "organisation they work for, like 3f2504e0-4f89-41d3-9a0c-0305e82c3301.", .type = "text",
	  .autocomplete = "off", .nospell = true },
};

/* The person's record page; errors and chosen for a failed grant. */
static enum err person_page(struct request *req, struct response *resp, int64_t id, int status,
		json_t *errors, const char *chosen, json_t *values)
{
	static const struct {
		const char *word, *text;
	} done[] = {
		{ "role_granted", "Role given. They will need to sign in again." },
		{ "role_removed", "Role removed. They will need to sign in again." },
	};
	struct person p;
	json_t *data, *held, *grantable, *form;
	char created[64], due[64];
	const char *role_error;
	bool any_grant = false;
	enum err e;

	if (!policy_can(req->actor, &act_person_view,
			&id)) {
		e = req_fail(req, ERR_FORBIDDEN, "You may only see your own record.");
		goto fail;
	}
	if ((e = person_get(req->db, &req->arena, id, &p)) == ERR_NOT_FOUND)
		e = req_fail(req, e, "There is no person with that id.");
	if (e || (e = people_audit_read(req, id)) != ERR_OK)
		goto fail;

	held = json_array();
	grantable = json_array();
	for (int i = 0; i < ROLE__MAX; i++) {
		enum role r = (enum role)i;
		bool may = !p.erased_at && policy_can(req->actor, &act_role_grant,
				&r);

		if (p.roles & ROLE_BIT(r)) {
			json_array_append_new(held, json_pack("{s:s, s:s, s:s?, s:b}",
				"value", role_name(r), "words", account_role_words(r),
				"org_id", r == ROLE_ORGANISER ? p.org_id : NULL, "can_remove", may));
		} else if (may) {
			json_array_append_new(grantable, json_pack("{s:s, s:s, s:b, s:b}",
				"value", role_name(r), "words", account_role_words(r),
				"checked", chosen && strcmp(chosen, role_name(r)) == 0,
				"organiser", r == ROLE_ORGANISER));
			any_grant = true;
		}
	}
	if (!account_when(p.created_at, true, created, sizeof(created)))
		created[0] = '\0';
	if (!p.erase_after || !account_when(p.erase_after, true, due, sizeof(due)))
		due[0] = '\0';
	data = json_pack("{s:I, s:s, s:s?, s:s?, s:b, s:s, s:b, s:s?, s:b, s:b, s:o, s:b, s:o}",
		"id", (json_int_t)p.id, "name", p.name, "email", p.email, "phone", p.phone,
		"verified", p.verified, "created", created, "deactivated", p.deactivated_at != 0,
		"deletion_due", due[0] ? due : NULL, "erased", p.erased_at != 0,
		"is_self", p.id == req->actor->id, "roles", held, "any_roles", json_array_size(held) > 0,
		"grantable", grantable);
	json_object_set_new(data, "can_grant", json_boolean(any_grant));
	form = web_form(arena_printf(&req->arena, "/people/%lld/roles", (long long)p.id),
			    "Give role", false, org_fields, ARRAY_LEN(org_fields), values, errors);
	json_object_set_new(data, "form", form);
	role_error = errors ? web_error_for(errors, FLD_ROLE) : NULL;
	json_object_set_new(data, "role_error", role_error ? json_string(role_error) : json_null());
	web_set_errors(data, errors);
	errors = NULL;
	if (req_query(req, "done")) {
		for (size_t i = 0; i < ARRAY_LEN(done); i++)
			if (strcmp(req_query(req, "done"), done[i].word) == 0)
				web_set_banner(data, true, done[i].text);
	}
	json_decref(values);
	return web_page(req, resp, status, "people/person.html", p.name, data);
fail:
	json_decref(errors);
	json_decref(values);
	return e;
}

static enum err person_get_page(struct request *req, struct response *resp)
{
	return person_page(req, resp, req_param(req, "id")->i, 200, NULL, NULL, NULL);
}

/* Giving and removing a role on the person's page, on the one POST path:
 * before() makes the checks, act() the change inside the path's
 * transaction; a grant with errors comes back on the person's page. */
static const struct field_def grant_fields[] = {
	{ .name = FLD_ROLE, .label = FLD_ROLE, .kind = FIELD_TEXT, .check = field_domain_judges },
	{ .name = FLD_ORG, .label = FLD_ORG, .kind = FIELD_TEXT, .check = field_domain_judges },
};

struct role_change {
	int64_t id;
	const char *role;            /* as asked, from the address or the form */
	enum role r;
};

static enum err grant_before(struct request *req, const struct bound *b, json_t *errors, void *ctx)
{
	struct role_change *c = ctx;

	return grant_check(req, c->id, web_bound(b, FLD_ROLE)->text, web_bound(b, FLD_ORG)->text,
			   &c->r, errors);
}

static enum err grant_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	const struct role_change *c = ctx;

	return grant_in_tx(req, resp, c->id, c->r, web_bound(b, FLD_ORG)->text, errors);
}

/* The person's page again, the role ticked and the organisation typed kept. */
static enum err grant_page(struct request *req, struct response *resp, int status,
		json_t *values, json_t *errors, void *ctx)
{
	const struct role_change *c = ctx;
	const char *role = json_string_value(json_object_get(values, FLD_ROLE));
	const char *org = json_string_value(json_object_get(values, FLD_ORG));
	json_t *kept = json_pack("{s:s}", FLD_ORG, org ? org : "");

	role = role ? arena_strdup(&req->arena, role) : NULL;
	json_decref(values);
	return person_page(req, resp, c->id, status, errors, role, kept);
}

static const char *role_done(struct request *req, void *ctx, const char *word)
{
	const struct role_change *c = ctx;

	return arena_printf(&req->arena, "/people/%lld?done=%s", (long long)c->id, word);
}

static const char *grant_done(struct request *req, void *ctx)
{
	return role_done(req, ctx, "role_granted");
}

static const struct form_post grant_form = {
	.fields = grant_fields, .nfields = ARRAY_LEN(grant_fields),
	.before = grant_before, .act = grant_act, .page = grant_page, .done = grant_done,
};

static enum err grant_post(struct request *req, struct response *resp)
{
	struct role_change c = { .id = req_param(req, "id")->i };

	return web_form_post(req, resp, &grant_form, &c);
}

static enum err remove_before(struct request *req, const struct bound *b, json_t *errors,
		void *ctx)
{
	struct role_change *c = ctx;

	UNUSED(b);
	UNUSED(errors);
	return remove_check(req, c->id, c->role, &c->r);
}

static enum err remove_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	const struct role_change *c = ctx;

	UNUSED(b);
	UNUSED(errors);
	return remove_in_tx(req, resp, c->id, c->r);
}

static const char *remove_done(struct request *req, void *ctx)
{
	return role_done(req, ctx, "role_removed");
}

static const struct form_post remove_form = {
	.before = remove_before, .act = remove_act, .done = remove_done,
};

static enum err remove_post(struct request *req, struct response *resp)
{
	struct role_change c = { .id = req_param(req, "id")->i, .role = req_param(req, "role")->val };

	return web_form_post(req, resp, &remove_form, &c);
}

/* POST and DELETE handlers open their own transactions. */

static const struct route routes[] = {
	{ M_GET,  "/people", people_list, &act_people_list, 0, "people.list" },
	{ M_GET,  "/people/{id:int}", person_get_page, &act_person_view, RF_WRITE_TX, "people.person" },
	{ M_POST, "/people/{id:int}/roles", grant_post, &act_role_grant, RF_FORM | RF_CSRF, "people.roles" },
	{ M_POST, "/people/{id:int}/roles/{role}/remove", remove_post, &act_role_grant,
	  RF_FORM | RF_CSRF, "people.remove" },
};

const struct feature people_admin_feature = {
	.actions = account_actions,
	.name = "people_admin", .routes = routes, .nroutes = ARRAY_LEN(routes),
};
