/*
 * referral_api.c - referrals for other systems: a JSON API under
 * /api/v1/referrals and FHIR R4 (UK Core) under /fhir.
 *
 * Both are thin: the rules, who may see what and the emails are
 * referral.c's (referral.h), so an API caller, a FHIR client and a page
 * are refused the same things with the same words. Handlers go parse ->
 * check -> act -> render, and every write is one transaction the handler
 * opens after parsing and commits before it answers.
 *
 * Who may call what (the policy table decides; see the route table):
 *   - POST /api/v1/referrals is open to anyone signed in (&act_signed_in)
 *     because a member may refer themself; the handler asks
 *     policy_can(&act_refer) for anything else. Without &act_refer the
 *     referral must be a self-referral (source "self", no client_id), the
 *     person's name and email default to the account's, and another
 *     email address is refused (422): a member cannot refer someone else
 *     by calling it a self-referral.
 *   - A referral the caller may not see is 404, never a hint that it
 *     exists; one they may see but whose step is not theirs to take is
 *     403; a step that makes no sense from where it is, 409.
 *   - Reads are audited (referral_view), so the GET routes run in a write
 *     transaction (RF_WRITE_TX).
 *   - POST /fhir/ServiceRequest is for other systems, with a bearer token
 *     (an API token, or an API session) and &act_refer. A browser session
 *     is not turned away (the route-by-role walk holds every route to the
 *     policy table), and cannot be used from another site: only a JSON
 *     body is accepted, which no cross-site form can send.
 *
 * Errors: problem+json (RFC 9457) with errors [{field, detail}] under
 * /api; OperationOutcome resources with one issue per element (FHIRPath
 * in expression) under /fhir (view_error() renders both). FHIR answers
 * JSON only: _format=json, Accept application/fhir+json or
 * application/json; anything else is 406.
 *
 * Query parameters (web/api.h): under /api/v1 an empty one is absent and
 * one an endpoint does not take is a 400 naming it; the list pages like
 * every other. FHIR reads only _format and ignores the rest, as FHIR
 * servers do unless asked to be strict (Prefer: handling=strict, which
 * nothing here supports).
 */
#include "core/common.h"
#include "app/app.h"
#include "app/config.h"
#include "web/form.h"
#include "app/features.h"
#include "app/worker.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "http/request.h"
#include "referral/fhir.h"
#include "referral/referral.h"
#include "referral/referral_feature.h"
#include "referral/referral_api.h"
#include "referral/referral_int.h"
#include "store/store.h"
#include "web/api.h"
#include "web/view.h"

#include <strings.h>

/* ---------------------------------------------------------------- reading the body */

struct pr {
	struct arena *a;
	json_t *errors;
	bool nomem;
};

static void err_add(struct pr *p, const char *field, const char *detail)
{
	json_t *o = json_pack("{s:s, s:s}", "field", field, "detail", detail);

	if (!o || json_array_append_new(p->errors, o) != 0)
		p->nomem = true;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A string member, trimmed of spaces, tabs and line ends (an arena
 * copy); NULL when absent or null.
 * Anything else but a string without NULs is an error for field. */
static const char *text_at(struct pr *p, const json_t *o, const char *key, const char *field)
{
	const json_t *v = json_object_get(o, key);
	const char *s;
	char msg[160];
	struct str t;
	char *c;

	if (!v || json_is_null(v))
		return NULL;
	s = json_string_value(v);
	if (!s || strlen(s) != json_string_length(v)) {
		snprintf(msg, sizeof(msg), "Give %s as text (a JSON string).", field);
		err_add(p, field, msg);
		return NULL;
	}
	t = str_c(s);
	while (t.n && blank(t.p[0]))
		t.p++, t.n--;
	while (t.n && blank(t.p[t.n - 1]))
		t.n--;
	if (!(c = arena_strndup(p->a, t.p, t.n)))
		p->nomem = true;
	return c;
}

/* A boolean member: *present says whether it was there. */
static bool bool_at(struct pr *p, const json_t *o, const char *key, const char *field, bool *present)
{
	const json_t *v = json_object_get(o, key);
	char msg[160];

	*present = false;
	if (!v || json_is_null(v))
		return false;
	if (!json_is_boolean(v)) {
		snprintf(msg, sizeof(msg), "Give %s as true or false.", field);
		err_add(p, field, msg);
		return false;
	}
	*present = true;
	return json_is_true(v);
}

/* An object member: NULL when absent or null; an error when not an
 * object. */
static const json_t *obj_at(struct pr *p, const json_t *o, const char *key, const char *detail)
{
	const json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_object(v)) {
		err_add(p, key, detail);
		return NULL;
	}
	return v;
}

static void parse_person(struct pr *p, const json_t *o, struct ref_person *out)
{
	out->name = text_at(p, o, "name", "person.name");
	out->email = text_at(p, o, "email", "person.email");
	out->phone = text_at(p, o, "phone", "person.phone");
	out->address = text_at(p, o, "address", "person.address");
	out->contact_by = text_at(p, o, "contact_by", "person.contact_by");
	out->access_needs = text_at(p, o, "access_needs", "person.access_needs");
	out->language = text_at(p, o, "language", "person.language");
	out->birth_date = text_at(p, o, "birth_date", "person.birth_date");
	out->nhs_number = text_at(p, o, "nhs_number", "person.nhs_number");
}

static void parse_consent(struct pr *p, const json_t *o, struct ref_new *out)
{
	bool has_share, has_given, has, given;

	out->consent_share = bool_at(p, o, "share", "consent.share", &has_share);
	given = bool_at(p, o, "given", "consent.given", &has_given);
	/* The shorthand {given, method}: consent to share. */
	if (!has_share && has_given)
		out->consent_share = given;
	out->consent_contact = bool_at(p, o, "contact", "consent.contact", &has);
	out->consent_outcome = bool_at(p, o, "outcome", "consent.outcome", &has);
	out->consent_method = text_at(p, o, "method", "consent.method");
}

static void parse_needs(struct pr *p, const json_t *v, struct ref_new *out)
{
	const char **needs;
	const json_t *x;
	size_t i;

	if (!v || json_is_null(v))
		return;
	if (!json_is_array(v)) {
		err_add(p, "needs", "Give needs as a list of codes, like [\"loneliness\"].");
		return;
	}
	if (json_array_size(v) > REF_API_NEEDS_MAX) {
		err_add(p, "needs", "List 64 needs at most.");
		return;
	}
	needs = arena_calloc(p->a, json_array_size(v) + 1, sizeof(*needs));
	if (!needs) {
		p->nomem = true;
		return;
	}
	json_array_foreach(v, i, x) {
		const char *s = json_string_value(x);

		if (!s || strlen(s) != json_string_length(x)) {
			err_add(p, "needs", "Give each need as a code in a string, like \"loneliness\".");
			return;
		}
		needs[i] = s;
	}
	out->needs = needs;
	out->nneeds = json_array_size(v);
}

enum err referral_api_parse(const json_t *body, struct arena *a, struct ref_new *out,
		json_t *errors)
{
	struct pr p = { .a = a, .errors = errors };
	size_t before = json_array_size(errors);
	const json_t *o;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(body)) {
		err_add(&p, "body", "Send the referral as a JSON object.");
		return p.nomem ? ERR_NOMEM : ERR_INVALID;
	}
	if ((o = obj_at(&p, body, "person", "Give the person as an object, like {\"name\": "
			"\"Ann Other\", \"contact_by\": \"phone\", \"phone\": \"01632 960001\"}.")))
		parse_person(&p, o, &out->person);
	out->client_id = text_at(&p, body, "client_id", "client_id");
	if ((o = obj_at(&p, body, "consent", "Give consent as an object, like {\"share\": true, "
			"\"method\": \"verbal\"}.")))
		parse_consent(&p, o, out);
	if ((o = obj_at(&p, body, "target", "Give the target as an object, like {\"type\": "
			"\"service\", \"id\": \"<the service's id>\"}."))) {
		out->target_type = text_at(&p, o, "type", "target.type");
		out->target_id = text_at(&p, o, "id", "target.id");
	}
	out->reason = text_at(&p, body, "reason", "reason");
	parse_needs(&p, json_object_get(body, "needs"), out);
	out->source = text_at(&p, body, "source", "source");
	if (out->source && !out->source[0])
		out->source = NULL;
	if (p.nomem)
		return ERR_NOMEM;
	return json_array_size(errors) > before ? ERR_INVALID : ERR_OK;
}

/* ---------------------------------------------------------------- shared */

static enum err need_object(struct request *req)
{
	if (!json_is_object(req->json))
		return req_fail(req, ERR_BAD_REQUEST,
				"Send a JSON object with Content-Type: application/json.");
	return ERR_OK;
}

/* The first error's detail, or def. */
static const char *first_detail(const json_t *errors, const char *def)
{
	const char *d = json_string_value(json_object_get(json_array_get(errors, 0), "detail"));

	return d ? d : def;
}

/* 422 (or another status) with errors; takes errors. */
static enum err fail_fields(struct request *req, enum err e, const char *detail, json_t *errors)
{
	req_fail_fields(req, detail, errors);
	return e;
}

static const char *id_param(const struct request *req)
{
	return req_param(req, "id")->val;
}

/* Loads the referral named by the path for action: 404 in words when
 * there is none or the caller may not see it. */
static enum err load(struct request *req, const struct action *action, struct ref_meta *m)
{
	enum err e = referral_load(req->db, req->actor, action, id_param(req), m);

	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no referral with that id that you may see.");
	return e;
}

/* The referral as the caller may see it, fresh from the database. */
/* The referral as this caller may see it; the read is audited with the
 * caller's address and request id. */
static enum err read_view(struct request *req, const struct ref_meta *m, json_t **out)
{
	return referral_view_from(ref_env(req), req->db, req->actor, m, req->now, req->client_ip,
				  req->id, out);
}

static enum err view_of(struct request *req, const char *id, int64_t now, json_t **out)
{
	struct ref_meta m;
	enum err e = referral_meta(req->db, id, &m);

	if (e)
		return e == ERR_NOT_FOUND ? ERR_INTERNAL : e;
	return referral_view_from(ref_env(req), req->db, req->actor, &m, now, req->client_ip,
				  req->id, out);
}

/* ---------------------------------------------------------------- the JSON API */

/* A caller without &act_refer may refer only themself: source "self", no
 * client record of someone else, their own name and email unless they
 * give others (a name they go by is theirs to give; an email is not). */
static enum err self_only(struct request *req, struct ref_new *n)
{
	const struct actor *a = req->actor;
	json_t *errors;

	if (!n->source)
		n->source = ref_source_name(REF_SRC_SELF);
	if (strcmp(n->source, ref_source_name(REF_SRC_SELF)) != 0 || n->client_id)
		return req_fail(req, ERR_FORBIDDEN, "Your account may refer only you. Send \"source\": "
				"\"self\" with your own details; to refer other people you need the link "
				"worker or organiser role.");
	if (!n->person.name || !n->person.name[0])
		n->person.name = a->name;
	if (!n->person.email || !n->person.email[0]) {
		n->person.email = a->email;
	} else if (!a->email || strcasecmp(n->person.email, a->email) != 0) {
		errors = json_pack("[{s:s, s:s}]", "field", "person.email", "detail",
				   "When you refer yourself, give your account's email address (or "
				   "leave it out).");
		return fail_fields(req, ERR_INVALID, "Some fields need changing: see errors.", errors);
	}
	return ERR_OK;
}

/* POST /api/v1/referrals */
/* Is n a self-referral: said so, or by someone who may refer nobody else? */
static bool self_referral(const struct request *req, const struct ref_new *n)
{
	return !policy_can(req->actor, &act_refer, NULL) ||
	       (n->source && strcmp(n->source, ref_source_name(REF_SRC_SELF)) == 0);
}

static enum err api_create(struct request *req, struct response *resp)
{
	json_t *errors = json_array(), *view = NULL;
	struct ref_new n;
	char id[37];
	int64_t now = req->now;
	enum err e;

	if (!errors)
		return ERR_NOMEM;
	if ((e = api_none(req)) != ERR_OK || (e = need_object(req)) != ERR_OK) {
		json_decref(errors);
		return e;
	}
	e = referral_api_parse(req->json, &req->arena, &n, errors);
	if (e == ERR_OK && !policy_can(req->actor, &act_refer, NULL))
		e = self_only(req, &n);
	if (e == ERR_INVALID && json_array_size(errors))
		return fail_fields(req, e, "Some fields need changing: see errors.", errors);
	if (e || (self_referral(req, &n) && (e = ref_self_limit(req)) != ERR_OK) ||
	    (e = db_begin(req->db)) != ERR_OK)
		goto out;
	e = referral_create(ref_env(req), req->db, req->actor, &n, now, id, errors);
	switch (e) {
	case ERR_OK:
		break;
	case ERR_INVALID:
		db_rollback(req->db);
		return fail_fields(req, e, "Some fields need changing: see errors.", errors);
	case ERR_CONFLICT:
		db_rollback(req->db);
		return fail_fields(req, e, first_detail(errors, "This person already has an open "
				   "referral there."), errors);
	case ERR_NOT_FOUND:
		e = req_fail(req, e, "There is no client record with that id that you may refer.");
		goto out;
	default:
		goto out;
	}
	if ((e = view_of(req, id, now, &view)) != ERR_OK || (e = db_commit(req->db)) != ERR_OK)
		goto out;
	json_decref(errors);
	resp_header(resp, "Location", arena_printf(&req->arena, "/api/v1/referrals/%s", id));
	return view_json(req, resp, 201, view);
out:
	json_decref(errors);
	json_decref(view);
	return e;
}

static const char *status_at(int i)
{
	return ref_status_name((enum ref_status)i);
}

/* GET /api/v1/referrals?status=&page=&per_page= */
static enum err api_list(struct request *req, struct response *resp)
{
	struct ref_list_opts o = { .kind = REF_LIST_VISIBLE };
	struct api_query q;
	struct api_page pg;
	int64_t total = 0;
	json_t *items = NULL;
	enum err e;

	api_query_of(&q, req);
	api_enum(&q, "status", REF__MAX, status_at, -1, &o.status);
	api_paging(&q, API_PER_PAGE, API_PER_PAGE_MAX, &pg);
	if ((e = api_done(req, &q, API_STRICT)) != ERR_OK)
		return e;
	o.limit = (int)pg.per_page;
	o.offset = (int)api_offset(&pg);
	if ((e = referral_list(ref_env(req), req->db, req->actor, &o, req->now, &items, &total)) != ERR_OK)
		return e;
	return api_send_page(req, resp, "/api/v1/referrals", "items", items, &pg, total);
}

/* GET /api/v1/referrals/{id} */
static enum err api_show(struct request *req, struct response *resp)
{
	struct ref_meta m;
	json_t *view = NULL;
	enum err e;

	if ((e = api_none(req)) != ERR_OK || (e = load(req, &act_referral_view, &m)) != ERR_OK ||
	    (e = read_view(req, &m, &view)) != ERR_OK)
		return e;
	return view_json(req, resp, 200, view);
}

/* After referral_move or referral_consent: 403, 409 or 422 in words. */
static enum err step_refused(struct request *req, enum err e, json_t *errors)
{
	switch (e) {
	case ERR_INVALID:
		return fail_fields(req, e, "Some fields need changing: see errors.", errors);
	case ERR_FORBIDDEN:
		return fail_fields(req, e, first_detail(errors, "This step is not yours to take on "
				   "this referral."), errors);
	case ERR_CONFLICT:
		return fail_fields(req, e, first_detail(errors, "This step does not make sense from "
				   "where the referral is now."), errors);
	default:
		json_decref(errors);
		return e;
	}
}

/* After a step or a consent change: commit it with the read of the new
 * state (audited like any read), wake the worker for the emails it owes,
 * and answer with the referral as the caller now sees it. */
static enum err moved(struct request *req, struct response *resp, const char *id, int64_t now)
{
	json_t *view = NULL;
	enum err e;

	if ((e = view_of(req, id, now, &view)) != ERR_OK || (e = db_commit(req->db)) != ERR_OK) {
		json_decref(view);
		return e;
	}
	return view_json(req, resp, 200, view);
}

/* POST /api/v1/referrals/{id}/status {status, reason?, note?, happened_on?, method?}:
 * contact and attendance (contacted, attended, sustained) may say the
 * day they happened (YYYY-MM-DD, UK; today when left out) and how
 * ("phone", "in_person", "email", "text", "letter", "online"). */
static enum err api_status(struct request *req, struct response *resp)
{
	json_t *errors = NULL;
	const char *to, *reason, *note, *happened_on, *method;
	struct pr p = { .a = &req->arena };
	struct ref_meta m;
	int64_t now = req->now;
	enum err e;

	if ((e = api_none(req)) != ERR_OK || (e = db_begin(req->db)) != ERR_OK ||
	    (e = load(req, &act_referral_update, &m)) != ERR_OK || (e = need_object(req)) != ERR_OK)
		return e;
	if (!(errors = p.errors = json_array()))
		return ERR_NOMEM;
	to = text_at(&p, req->json, "status", "status");
	reason = text_at(&p, req->json, "reason", "reason");
	note = text_at(&p, req->json, "note", "note");
	happened_on = text_at(&p, req->json, "happened_on", "happened_on");
	method = text_at(&p, req->json, "method", "method");
	if (!p.nomem && json_array_size(errors) == 0 && (!to || !to[0]))
		err_add(&p, "status", "Say which status to move the referral to, like \"accepted\".");
	if (p.nomem) {
		json_decref(errors);
		return ERR_NOMEM;
	}
	if (json_array_size(errors))
		return fail_fields(req, ERR_INVALID, "Some fields need changing: see errors.", errors);
	e = referral_step(ref_env(req), req->db, req->actor, &m, &(const struct ref_step){
		.to = to, .reason = reason && reason[0] ? reason : NULL, .note = note && note[0] ? note : NULL,
		.happened_on = happened_on && happened_on[0] ? happened_on : NULL,
		.method = method && method[0] ? method : NULL }, now, errors);
	if (e)
		return step_refused(req, e, errors);
	json_decref(errors);
	return moved(req, resp, m.id, now);
}

/* POST /api/v1/referrals/{id}/consent {purpose, given, method?} */
static enum err api_consent(struct request *req, struct response *resp)
{
	json_t *errors = NULL;
	const char *purpose, *method;
	struct pr p = { .a = &req->arena };
	struct ref_meta m;
	bool given, has_given;
	int64_t now = req->now;
	enum err e;

	if ((e = api_none(req)) != ERR_OK || (e = db_begin(req->db)) != ERR_OK ||
	    (e = load(req, &act_referral_update, &m)) != ERR_OK || (e = need_object(req)) != ERR_OK)
		return e;
	if (!(errors = p.errors = json_array()))
		return ERR_NOMEM;
	purpose = text_at(&p, req->json, "purpose", "purpose");
	given = bool_at(&p, req->json, "given", "given", &has_given);
	method = text_at(&p, req->json, "method", "method");
	if (!p.nomem && !purpose)
		err_add(&p, "purpose", "Say which consent this is: share, contact or outcome.");
	if (!p.nomem && !has_given && !json_object_get(req->json, "given"))
		err_add(&p, "given", "Say whether consent is given (true) or withdrawn (false).");
	if (p.nomem) {
		json_decref(errors);
		return ERR_NOMEM;
	}
	if (json_array_size(errors))
		return fail_fields(req, ERR_INVALID, "Some fields need changing: see errors.", errors);
	e = referral_consent(req->db, req->actor, &m, purpose, given,
			     method && method[0] ? method : NULL, now, errors);
	if (e)
		return step_refused(req, e, errors);
	json_decref(errors);
	return moved(req, resp, m.id, now);
}

/* ---------------------------------------------------------------- FHIR */

/* The base URL without a trailing slash (for identifier systems). */
static const char *fhir_base(struct request *req)
{
	const char *b = req->app->cfg->base_url;
	size_t n = strlen(b);

	while (n > 0 && b[n - 1] == '/')
		n--;
	return arena_strndup(&req->arena, b, n);
}

/* A media type FHIR JSON clients may ask for ("+" may arrive decoded as
 * a space from a query string). */
static bool is_json_media(const char *s, size_t n)
{
	static const char *const ok[] = {
		"json", "application/json", "application/fhir+json", "application/fhir json",
		"*/*", "application/*",
	};

	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	for (size_t i = 0; i < ARRAY_LEN(ok); i++)
		if (strlen(ok[i]) == n && strncasecmp(s, ok[i], n) == 0)
			return true;
	return false;
}

/* _format wins over Accept (FHIR R4 3.1.0.1.10). */
static enum err fhir_negotiate(struct request *req)
{
	const char *f = req_query(req, "_format"), *acc = req_header(req, "Accept");

	if (f && f[0]) {
		size_t n = strcspn(f, ";");

		if (!is_json_media(f, n))
			return req_fail(req, ERR_NOT_ACCEPTABLE, "This server answers in JSON only: use "
					"_format=json or leave _format out.");
		return ERR_OK;
	}
	if (!acc || !acc[0])
		return ERR_OK;
	for (const char *p = acc; *p;) {
		size_t n = strcspn(p, ",");
		size_t t = strcspn(p, ";");

		if (is_json_media(p, t < n ? t : n))
			return ERR_OK;
		p += n;
		if (*p == ',')
			p++;
	}
	return req_fail(req, ERR_NOT_ACCEPTABLE, "This server answers in JSON only: send Accept: "
			"application/fhir+json.");
}

static enum err fhir_send(struct response *resp, int status, json_t *doc)
{
	enum err e;

	if (!doc)
		return ERR_NOMEM;
	e = resp_json(resp, status, FHIR_MIME, doc);
	json_decref(doc);
	return e;
}

/* GET /fhir/metadata */
static enum err fhir_metadata(struct request *req, struct response *resp)
{
	enum err e = fhir_negotiate(req);

	if (e)
		return e;
	return fhir_send(resp, 200, fhir_capability(fhir_base(req), KITH_VERSION, req->now));
}

/* The sender's identifier of a referral ("" when none). */
static enum err external_id_of(struct request *req, const char *id, const char **out)
{
	struct ref_row row;
	enum err e = ref_db_row(req->db, &req->arena, id, &row);

	*out = e == ERR_OK ? row.external_id : NULL;
	return e;
}

/* GET /fhir/ServiceRequest/{id} and /fhir/Task/{id} */
static enum err fhir_read(struct request *req, struct response *resp, bool task)
{
	const char *base = fhir_base(req), *ext = NULL;
	struct ref_meta m;
	json_t *view = NULL, *doc;
	enum err e;

	if ((e = fhir_negotiate(req)) != ERR_OK || (e = load(req, &act_referral_view, &m)) != ERR_OK)
		return e;
	if (!task && (e = external_id_of(req, m.id, &ext)) != ERR_OK)
		return e;
	if ((e = read_view(req, &m, &view)) != ERR_OK)
		return e;
	doc = task ? fhir_task(view, base) : fhir_service_request(view, base, ext);
	json_decref(view);
	return fhir_send(resp, 200, doc);
}

static enum err fhir_sr_read(struct request *req, struct response *resp)
{
	return fhir_read(req, resp, false);
}

static enum err fhir_task_read(struct request *req, struct response *resp)
{
	return fhir_read(req, resp, true);
}

/* referral_check's field names become FHIRPaths. */
static void to_fhir_paths(json_t *errors)
{
	json_t *x;
	size_t i;

	json_array_foreach(errors, i, x) {
		const char *f = json_string_value(json_object_get(x, "field"));

		if (f && strncmp(f, "ServiceRequest", 14) != 0)
			json_object_set_new(x, "field", json_string(fhir_expression(f)));
	}
}

/* POST /fhir/ServiceRequest */
static enum err fhir_sr_create(struct request *req, struct response *resp)
{
	const char *base = fhir_base(req);
	json_t *issues = json_array(), *view = NULL, *doc;
	struct ref_new n;
	char id[37];
	int64_t now = req->now;
	enum err e;

	if (!issues || !base) {
		json_decref(issues);
		return ERR_NOMEM;
	}
	if ((e = fhir_negotiate(req)) != ERR_OK) {
		json_decref(issues);
		return e;
	}
	e = fhir_parse_service_request(req->json, base, &req->arena, &n, issues);
	if (e == ERR_BAD_REQUEST)
		return fail_fields(req, e, first_detail(issues, "Send a FHIR ServiceRequest."), issues);
	if (e == ERR_INVALID)
		return fail_fields(req, e, "The ServiceRequest needs changing: see the issues.", issues);
	if (e) {
		json_decref(issues);
		return e;
	}
	if ((e = db_begin(req->db)) != ERR_OK) {
		json_decref(issues);
		return e;
	}
	e = referral_create(ref_env(req), req->db, req->actor, &n, now, id, issues);
	if (e == ERR_INVALID || e == ERR_CONFLICT) {
		db_rollback(req->db);
		to_fhir_paths(issues);
		return fail_fields(req, e, e == ERR_CONFLICT
				   ? first_detail(issues, "This person already has an open referral there.")
				   : "The ServiceRequest needs changing: see the issues.", issues);
	}
	json_decref(issues);
	if (e)
		return e;
	if ((e = view_of(req, id, now, &view)) != ERR_OK)
		return e;
	doc = fhir_service_request(view, base, n.external_id);
	json_decref(view);
	if (!doc)
		return ERR_NOMEM;
	if ((e = db_commit(req->db)) != ERR_OK) {
		json_decref(doc);
		return e;
	}
	resp_header(resp, "Location", arena_printf(&req->arena, "/fhir/ServiceRequest/%s", id));
	return fhir_send(resp, 201, doc);
}


static const struct route routes[] = {
	{ M_POST, "/api/v1/referrals", api_create, &act_signed_in, RF_JSON, "referral_api.api_create" },
	{ M_GET,  "/api/v1/referrals", api_list, &act_signed_in, 0, "referral_api.api_list" },
	{ M_GET,  "/api/v1/referrals/{id:uuid}", api_show, &act_referral_view, RF_WRITE_TX, "referral_api.api_show" },
	{ M_POST, "/api/v1/referrals/{id:uuid}/status", api_status, &act_referral_update, RF_JSON, "referral_api.api_status" },
	{ M_POST, "/api/v1/referrals/{id:uuid}/consent", api_consent, &act_referral_update, RF_JSON, "referral_api.api_consent" },
	{ M_GET,  "/fhir/metadata", fhir_metadata, &act_public, RF_NODB, "referral_api.fhir_metadata" },
	{ M_GET,  "/fhir/ServiceRequest/{id:uuid}", fhir_sr_read, &act_referral_view, RF_WRITE_TX, "referral_api.fhir_sr_read" },
	{ M_GET,  "/fhir/Task/{id:uuid}", fhir_task_read, &act_referral_view, RF_WRITE_TX, "referral_api.fhir_task_read" },
	{ M_POST, "/fhir/ServiceRequest", fhir_sr_create, &act_refer, RF_JSON, "referral_api.fhir_sr_create" },
};

const struct feature referral_api_feature = {
	.actions = referral_actions,
	.name = "referral_api", .routes = routes, .nroutes = ARRAY_LEN(routes),
};
