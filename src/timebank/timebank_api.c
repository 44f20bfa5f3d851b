/*
 * timebank_api.c - the timebank's ledger for apps (issue 14):
 *
 *   GET  /api/v1/timebank/account              the caller's own account (opened on first ask)
 *   GET  /api/v1/timebank/accounts/{id}        an account's balance and latest movements
 *   POST /api/v1/timebank/transfers            {from, to, minutes, note?, idempotency_key?}
 *   GET  /api/v1/timebank/transfers/{id}       a transfer
 *
 * Who may (timebank_policy.h): a person sees and gives from their own
 * account, an organiser their organisation's, a coordinator (the
 * timebank's broker) any, the solidarity pot included; time a
 * coordinator moves from someone else's account is marked on_behalf and
 * audited. An account or transfer the caller may not see is 404, the
 * same as one that does not exist; giving from an account that is not
 * the caller's is 403 in words, and from or to an account that does not
 * exist 422 naming the field.
 *
 * A transfer answers 201 with the transfer and a Location. The same
 * idempotency_key from the same caller again answers the first transfer
 * (201, Idempotent-Replayed: true), never a second; the same key for a
 * different transfer is 409. A transfer that would take its account below
 * its floor is 409 with the sentence ("This would take the account to
 * ...; it can give 2 hours at most."). Each transfer has its accounts
 * locked, its key looked up, its floor checked, its two movements,
 * balances and audit row written, and is answered once its commit is on
 * disk. On SQLite it is made in a group with other threads' (one
 * transaction and one commit for all: timebank/batch.h); PostgreSQL
 * groups concurrent commits itself.
 */
#include "core/common.h"

#include "app/app.h"
#include "app/features.h"
#include "auth/policy.h"
#include "core/fields.h"
#include "http/request.h"
#include "store/store.h"
#include "timebank/batch.h"
#include "timebank/ledger.h"
#include "timebank/timebank_feature.h"
#include "timebank/timebank_policy.h"
#include "timebank/transfer_body.h"
#include "web/api.h"
#include "web/url.h"
#include "web/view.h"

#include <stdio.h>
#include <stdlib.h>

#define MOVEMENTS_SHOWN 20

static const char *const no_account = "There is no timebank account with that id that you may see.";
static const char *const no_transfer = "There is no transfer with that id that you may see.";

static struct tb_limits limits_of(const struct request *req)
{
	return timebank_limits(req->app->cfg);
}

static json_t *account_json(const struct tb_account *a)
{
	char words[64];
	json_t *o = json_pack("{s:I, s:s, s:I, s:s, s:I, s:I}", "id", (json_int_t)a->id, "kind",
			      a->kind == TB_PERSON ? "person" : a->kind == TB_POT ? "pot" : "organisation",
			      "balance_minutes", (json_int_t)a->balance, "balance", tb_words(a->balance, words, sizeof(words)),
			      "lowest_minutes", (json_int_t)a->lowest, "can_give_minutes",
			      (json_int_t)(a->balance > a->lowest ? a->balance - a->lowest : 0));

	if (o && a->kind == TB_PERSON)
		json_object_set_new(o, "person_id", json_integer((json_int_t)a->person_id));
	if (o && a->kind == TB_ORGANISATION)
		json_object_set_new(o, "organisation_id", json_string(a->organisation_id));
	return o;
}

/* The account id, if the caller may see it (404 in words otherwise). */
static enum err account_for(struct request *req, int64_t id, struct tb_account *a)
{
	struct tb_limits lim = limits_of(req);
	enum err e = tb_account_get(req->db, &lim, id, a);

	if (e == ERR_NOT_FOUND || (e == ERR_OK && !policy_can(req->actor, &act_timebank_see, a)))
		return req_fail(req, ERR_NOT_FOUND, no_account);
	return e;
}

static enum err account_answer(struct request *req, struct response *resp, const struct tb_account *a)
{
	json_t *o = account_json(a), *moves = NULL;
	enum err e;

	if (!o)
		return ERR_NOMEM;
	if ((e = tb_movements(req->db, a->id, MOVEMENTS_SHOWN, &moves)) != ERR_OK) {
		json_decref(o);
		return e;
	}
	json_object_set_new(o, "movements", moves);
	return view_json(req, resp, 200, o);
}

/* GET /api/v1/timebank/account */
static enum err api_my_account(struct request *req, struct response *resp)
{
	struct tb_account a;
	int64_t id = 0;
	enum err e;

	/* In the write transaction the route asks for (RF_WRITE_TX). */
	if ((e = api_none(req)) != ERR_OK ||
	    (e = tb_account_of_person(req->db, req->actor->id, req->now, &id)) != ERR_OK ||
	    (e = account_for(req, id, &a)) != ERR_OK)
		return e;
	return account_answer(req, resp, &a);
}

/* GET /api/v1/timebank/accounts/{id} */
static enum err api_account(struct request *req, struct response *resp)
{
	struct tb_account a;
	enum err e;

	if ((e = api_none(req)) != ERR_OK || (e = account_for(req, req_param(req, "id")->i, &a)) != ERR_OK)
		return e;
	return account_answer(req, resp, &a);
}

static json_t *transfer_json(const struct tb_transfer *t, const char *note)
{
	json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:s, s:b, s:I, s:s?}", "id", (json_int_t)t->id, "from",
			      (json_int_t)t->from, "to", (json_int_t)t->to, "minutes", (json_int_t)t->minutes, "kind",
			      tb_kind_name(t->kind), "on_behalf", t->on_behalf, "created_at", (json_int_t)t->created_at,
			      "note", note);

	if (o && t->reverses)
		json_object_set_new(o, "reverses", json_integer((json_int_t)t->reverses));
	if (o && t->reversed_by)
		json_object_set_new(o, "reversed_by", json_integer((json_int_t)t->reversed_by));
	return o;
}

/* May the caller see transfer t: they entered it, or may see one of its
 * accounts? */
static bool transfer_visible(struct request *req, const struct tb_transfer *t)
{
	struct tb_limits lim = limits_of(req);
	struct tb_account a;

	if (t->recorded_by == req->actor->id)
		return true;
	return (tb_account_get(req->db, &lim, t->from, &a) == ERR_OK && policy_can(req->actor, &act_timebank_see, &a)) ||
	       (tb_account_get(req->db, &lim, t->to, &a) == ERR_OK && policy_can(req->actor, &act_timebank_see, &a));
}

/* t as JSON with its note: written (a transfer just made: its note is the
 * request's, nothing to read), or read from the database (NULL). */
static enum err transfer_answer(struct request *req, struct response *resp, int status, const struct tb_transfer *t,
		const char *written)
{
	char *note = NULL;
	json_t *o;
	const char *loc;
	enum err e = written ? ERR_OK : tb_transfer_note(req->db, t->id, &note);

	if (e)
		return e;
	o = transfer_json(t, written ? (*written ? written : NULL) : note);
	free(note);
	if (!o)
		return ERR_NOMEM;
	if (status == 201 && (loc = web_url(req, "timebank_api.transfer", arena_printf(&req->arena, "%lld",
		(long long)t->id), NULL)) != NULL)
		resp_header(resp, "Location", loc);
	if (t->repeated)
		resp_header(resp, "Idempotent-Replayed", "true");
	return view_json(req, resp, status, o);
}

/* GET /api/v1/timebank/transfers/{id} */
static enum err api_transfer(struct request *req, struct response *resp)
{
	struct tb_transfer t;
	enum err e;

	if ((e = api_none(req)) != ERR_OK)
		return e;
	e = tb_transfer_get(req->db, req_param(req, "id")->i, &t);
	if (e == ERR_NOT_FOUND || (e == ERR_OK && !transfer_visible(req, &t)))
		return req_fail(req, ERR_NOT_FOUND, no_transfer);
	return e ? e : transfer_answer(req, resp, 200, &t, NULL);
}

/* The first error's sentence, as the problem's detail (errors taken). */
static enum err fail_fields(struct request *req, enum err e, json_t *errors, const char *def)
{
	const char *d = json_string_value(json_object_get(json_array_get(errors, 0), "detail"));

	d = arena_strdup(&req->arena, e == ERR_INVALID && json_array_size(errors) > 1 ?
			 "Some fields need changing: see errors." : d ? d : def);
	req_fail_fields(req, d ? d : def, errors);
	return e;
}

/* May the caller give from account a? 403 in words when not. */
static enum err may_give(struct request *req, const struct tb_account *a)
{
	if (!policy_can(req->actor, &act_timebank_give, a))
		return req_fail(req, ERR_FORBIDDEN, a->kind == TB_POT ?
				"Only a coordinator can give time from the solidarity pot." :
				"You can only give time from your own account (or your organisation's, if you "
				"organise for it).");
	if (!req->actor->verified && !(req->actor->roles & ROLE_BIT(ROLE_COORDINATOR)))
		return req_fail(req, ERR_FORBIDDEN, "Confirm your email address first: open the link we sent you. "
				"You can get a new link from your account page.");
	return ERR_OK;
}

/* POST /api/v1/timebank/transfers {from, to, minutes, note?, idempotency_key?} */
static enum err api_transfer_create(struct request *req, struct response *resp)
{
	struct tb_limits lim = limits_of(req);
	struct tb_account from;
	struct tb_body b;
	json_t *errors = json_array();
	enum err e;

	if (!errors)
		return ERR_NOMEM;
	if ((e = api_none(req)) != ERR_OK) {
		json_decref(errors);
		return e;
	}
	e = tb_body_parse(req->json, &b, errors);
	if (e == ERR_BAD_REQUEST) {
		const char *d = arena_strdup(&req->arena, json_string_value(json_object_get(json_array_get(errors, 0),
					     "detail")));

		json_decref(errors);
		return req_fail(req, e, d ? d : "Send a JSON object.");
	}
	if (e)
		return fail_fields(req, e, errors, "Some fields need changing: see errors.");
	if (tb_account_get(req->db, &lim, b.from, &from) != ERR_OK) {
		field_err(errors, "from", "There is no timebank account with that id: check the id of the account the "
			  "time comes from (GET /api/v1/timebank/account gives yours).");
		return fail_fields(req, ERR_INVALID, errors, "");
	}
	if ((e = may_give(req, &from)) != ERR_OK) {
		json_decref(errors);
		return e;
	}
	bool on_behalf = !(from.kind == TB_PERSON && from.person_id == req->actor->id) && from.kind != TB_POT &&
			 !(from.kind == TB_ORGANISATION && org_relate(req->actor, from.organisation_id));
	struct tb_job job = {
		.rq = { .from = b.from, .to = b.to, .minutes = b.minutes, .kind = TB_TRANSFER, .note = b.note,
			.key = b.key, .recorded_by = req->actor->id, .on_behalf = on_behalf },
		.now = req->now, .errors = errors,
		.audit_action = on_behalf ? "timebank.transfer_on_behalf" : "timebank.transfer",
		.audit_subject = from.kind == TB_PERSON ? from.person_id : 0,
		.audit_detail = arena_printf(&req->arena, "%lld minutes from account %lld to %lld", (long long)b.minutes,
					     (long long)b.from, (long long)b.to),
		.ip = req->client_ip, .request_id = req->id[0] ? req->id : NULL,
	};
	/* Answered only once it is on disk. SQLite has one writer at a time:
	 * transfers are made in groups, one commit for all (timebank/batch.h).
	 * PostgreSQL flushes concurrent transactions' commits together itself,
	 * so there each is made in its own, on this thread's connection. */
	if (db_backend(req->db) == DB_POSTGRES) {
		tb_batch_run(req->db, &lim, &job);
		e = job.e;
	} else {
		e = req->app->timebank_batch ? tb_batch_make(req->app->timebank_batch, req->db, &lim, &job) :
					       ERR_UNAVAILABLE;
	}
	if (e == ERR_CONFLICT && !json_array_size(errors))
		field_err(errors, "idempotency_key", "This idempotency key was used for a different transfer. Use a new "
			  "key for a new transfer.");
	if (e == ERR_CONFLICT || e == ERR_INVALID)
		return fail_fields(req, e, errors, "This transfer cannot be made.");
	if (e == ERR_NOT_FOUND) {
		/* The account it comes from was read above (and accounts are never
		 * removed): the ledger found no account it goes to. */
		field_err(errors, "to", "There is no timebank account with that id: check the id of the account the "
			  "time goes to.");
		return fail_fields(req, ERR_INVALID, errors, "");
	}
	json_decref(errors);
	if (e)
		return e;
	return transfer_answer(req, resp, 201, &job.out, job.out.repeated ? NULL : b.note ? b.note : "");
}

static const struct route routes[] = {
	{ M_GET,  "/api/v1/timebank/account", api_my_account, &act_signed_in, RF_WRITE_TX, "timebank_api.my_account" },
	{ M_GET,  "/api/v1/timebank/accounts/{id:int}", api_account, &act_timebank_see, 0, "timebank_api.account" },
	{ M_POST, "/api/v1/timebank/transfers", api_transfer_create, &act_timebank_give, RF_JSON,
	  "timebank_api.transfers" },
	{ M_GET,  "/api/v1/timebank/transfers/{id:int}", api_transfer, &act_timebank_see, 0, "timebank_api.transfer" },
};

static enum err api_init(struct app *app)
{
	app->timebank_batch = tb_batcher_new();
	return app->timebank_batch ? ERR_OK : ERR_NOMEM;
}

static void api_release(struct app *app)
{
	tb_batcher_free(app->timebank_batch);
	app->timebank_batch = NULL;
}

const struct feature timebank_api_feature = {
	.name = "timebank_api",
	.routes = routes,
	.nroutes = ARRAY_LEN(routes),
	.actions = timebank_actions,
	.init = api_init,
	.release = api_release,
};
