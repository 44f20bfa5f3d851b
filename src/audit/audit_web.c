/*
 * audit_web.c - reading the audit log: /admin/audit (a page with
 * filters), GET /api/v1/audit (the same as JSON), /account/activity ("who
 * has looked at your record"), and the log's share of "download my data".
 *
 * Filters are ids, action names and dates, never names or emails, so a
 * filtered address in a browser's history or a proxy's log says nothing
 * about anyone. Each is parsed strictly (web/api.h); a bad one is a 400
 * that names it, and the API also refuses a parameter it does not take.
 * These pages only read: viewing the log is not itself logged.
 */
#include "core/common.h"
#include "app/features.h"
#include "app/app.h"
#include "audit/audit.h"
#include "audit/audit_web.h"
#include "store/store.h"
#include "audit/audit_feature.h"
#include "auth/policy.h"
#include "app/config.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "view/escape.h"
#include "web/api.h"
#include "web/view.h"

#define PER_PAGE_DEFAULT 50
#define PER_PAGE_MAX 500
#define ACTIVITY_PER_PAGE 25

/* What the filters were, as typed once validated: for the form's values
 * and the paging links. */
struct filter_text {
	const char *actor_id, *subject_id, *action, *since, *until;
};

/* A person's id, and its text for the links. */
static void parse_id(struct api_query *q, const char *name, int64_t *out, const char **text)
{
	*text = api_id(q, name, out) ? api_value(q, name) : NULL;
}

/* YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SSZ. A date alone as "until" means the
 * end of that day. */
static void parse_when(struct api_query *q, const char *name, bool end, int64_t *out,
		const char **text)
{
	const char *v = api_value(q, name);
	size_t n;

	*out = 0;
	*text = NULL;
	if (!v)
		return;
	n = strlen(v);
	if (!time_parse_iso8601(v, n, out) || *out <= 0) {
		*out = 0;
		api_refuse(q, name, "The %s parameter must be a date like 2026-03-27, or a time like "
			   "2026-03-27T14:05:00Z.", name);
		return;
	}
	if (end && n == 10)
		*out += 86399;
	*text = v;
}

/* Every filter of the admin page and the API. others: the API refuses
 * parameters it does not take; the page ignores them. */
static enum err parse_filters(struct request *req, enum api_others others, struct audit_filter *f,
		struct filter_text *t, struct api_page *pg)
{
	struct api_query q;
	enum err e;

	memset(f, 0, sizeof(*f));
	memset(t, 0, sizeof(*t));
	api_query_of(&q, req);
	parse_id(&q, "actor_id", &f->actor_id, &t->actor_id);
	parse_id(&q, "subject_id", &f->subject_id, &t->subject_id);
	parse_when(&q, "since", false, &f->since, &t->since);
	parse_when(&q, "until", true, &f->until, &t->until);
	api_paging(&q, PER_PAGE_DEFAULT, PER_PAGE_MAX, pg);
	t->action = api_value(&q, "action");
	if (t->action && !audit_action_valid(t->action))
		api_refuse(&q, "action", "The action parameter must be an action name in lowercase, like "
			   "login or person.read.");
	f->action = t->action;
	if (f->since && f->until && f->since > f->until)
		api_refuse(&q, "until", "The until parameter must be the same as since or later.");
	if ((e = api_done(req, &q, others)) != ERR_OK)
		return e;
	f->limit = (int)pg->per_page;
	f->offset = (int)api_offset(pg);
	return ERR_OK;
}

/* "27 March 2026, 14:05 UTC". */
static json_t *when(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[64];

	if (!gmtime_r(&tt, &tm) || !strftime(s, sizeof(s), "%-d %B %Y, %H:%M UTC", &tm))
		return json_null();
	return json_string(s);
}

static int64_t entry_at(const json_t *entry)
{
	const char *iso = json_string_value(json_object_get(entry, "at"));
	int64_t t = 0;

	if (iso)
		time_parse_iso8601(iso, strlen(iso), &t);
	return t;
}

static void add_param(struct buf *b, const char *name, const char *val)
{
	if (!val)
		return;
	buf_addf(b, "%s%s=", b->len && b->p[b->len - 1] != '?' ? "&" : "", name);
	esc_url_component(b, val, strlen(val));
}

/* base?filters& in the arena, for view_paging to add page=N. */
static const char *page_base(struct request *req, const char *base, const struct filter_text *t,
		int per_page)
{
	struct buf b;
	const char *out = NULL;

	buf_init(&b, LIMIT_URL_BYTES);
	buf_adds(&b, base);
	buf_addc(&b, '?');
	if (t) {
		add_param(&b, "actor_id", t->actor_id);
		add_param(&b, "subject_id", t->subject_id);
		add_param(&b, "action", t->action);
		add_param(&b, "since", t->since);
		add_param(&b, "until", t->until);
	}
	if (per_page)
		buf_addf(&b, "%sper_page=%d", b.p[b.len - 1] == '?' ? "" : "&", per_page);
	if (b.p[b.len - 1] != '?')
		buf_addc(&b, '&');
	if (buf_ok(&b))
		out = arena_strdup(&req->arena, b.p);
	buf_release(&b);
	return out;
}

/* Paging facts for a page of n entries out of total. */
static void add_paging(struct request *req, json_t *data, const char *base,
		const struct filter_text *t, int per_page, bool per_page_in_links, int page,
		size_t n, int64_t total)
{
	const char *b = page_base(req, base, t, per_page_in_links ? per_page : 0);

	view_paging(&req->arena, data, b ? b : "?", page, per_page, total, n);
	json_object_set_new(data, "per_page", json_integer(per_page));
	json_object_set_new(data, "none", json_boolean(n == 0));
}

/* ---------------------------------------------------------------- from a request */

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

/* ---------------------------------------------------------------- admin */

static enum err admin_query(struct request *req, enum api_others others, struct audit_filter *f,
		struct filter_text *t, struct api_page *pg, json_t **entries, int64_t *total)
{
	enum err e;

	if ((e = parse_filters(req, others, f, t, pg)) != ERR_OK)
		return e;
	return audit_query(req->db, f, entries, total);
}

static enum err admin_page(struct request *req, struct response *resp)
{
	struct audit_filter f;
	struct filter_text t;
	struct api_page pg;
	json_t *entries, *data, *e_;
	int64_t total;
	size_t i;
	enum err e;

	if ((e = admin_query(req, API_LENIENT, &f, &t, &pg, &entries, &total)) != ERR_OK)
		return e;
	json_array_foreach(entries, i, e_)
		json_object_set_new(e_, "when", when(entry_at(e_)));
	data = json_pack("{s:{s:s?, s:s?, s:s?, s:s?, s:s?}, s:o}",
			 "filters", "actor_id", t.actor_id, "subject_id", t.subject_id,
			 "action", t.action, "since", t.since, "until", t.until,
			 "entries", entries);
	if (!data)
		return ERR_NOMEM;
	add_paging(req, data, "/admin/audit", &t, f.limit, f.limit != PER_PAGE_DEFAULT, (int)pg.page,
		   json_array_size(entries), total);
	return view_page(req, resp, 200, "audit/admin.html", "Audit log", data);
}

/* GET /api/v1/audit: {entries, and the paging every API list has}. */
static enum err api_list(struct request *req, struct response *resp)
{
	struct audit_filter f;
	struct filter_text t;
	struct api_page pg;
	json_t *entries;
	int64_t total;
	enum err e;

	if ((e = admin_query(req, API_STRICT, &f, &t, &pg, &entries, &total)) != ERR_OK)
		return e;
	return api_send_page(req, resp, "/api/v1/audit", "entries", entries, &pg, total);
}

/* ---------------------------------------------------------------- my activity */

/* What someone did, said to the person it was about. */
static const struct {
	const char *action;
	const char *what;
} described[] = {
	{ "person.read", "Looked at your account details" },
	{ "role.granted", "Gave you a role" },
	{ "role.removed", "Removed one of your roles" },
	{ "session.revoked", "Signed you out on a device" },
	{ "token.created", "Made an API token for your account" },
	{ "token.revoked", "Cancelled an API token for your account" },
	{ "account.deactivated", "Deactivated your account" },
	{ "account.reactivated", "Reactivated your account" },
	{ "account.delete_requested", "Asked for your account to be deleted" },
	{ "account.delete_cancelled", "Stopped your account being deleted" },
	{ "account.erased", "Erased your account" },
	{ "data.downloaded", "Downloaded your data" },
	{ "email.changed", "Changed your email address" },
	{ "email.verified", "Confirmed your email address" },
	{ "password.changed", "Changed your password" },
	{ "password.reset", "Reset your password" },
	{ "password_reset.requested", "Asked for a link to reset your password" },
	{ "referral.read", "Looked at a referral about you" },
};

static const char *describe(const char *action)
{
	for (size_t i = 0; i < ARRAY_LEN(described); i++)
		if (strcmp(action, described[i].action) == 0)
			return described[i].what;
	/* Later features' reads ("goal.read") are still reads. */
	if (audit_is_read(action))
		return "Looked at your record";
	return action;
}

static enum err activity(struct request *req, struct response *resp)
{
	struct audit_filter f = { 0 };
	json_t *entries, *list, *data, *en;
	struct api_query q;
	int64_t total, page;
	size_t i;
	enum err e;

	api_query_of(&q, req);
	api_int(&q, "page", 1, API_PAGE_MAX, 1, &page);
	if ((e = api_done(req, &q, API_LENIENT)) != ERR_OK)
		return e;
	f.subject_id = req->actor->id;
	f.not_actor_id = req->actor->id;
	f.limit = ACTIVITY_PER_PAGE;
	f.offset = (int)((page - 1) * ACTIVITY_PER_PAGE);
	if ((e = audit_query(req->db, &f, &entries, &total)) != ERR_OK)
		return e;
	/* Only what the person needs: when, who, what. Not the address or
	 * the request id of the member of staff. */
	list = json_array();
	json_array_foreach(entries, i, en) {
		const char *action = json_string_value(json_object_get(en, "action"));

		json_array_append_new(list, json_pack("{s:O, s:o, s:O, s:s, s:s}",
			"at", json_object_get(en, "at"), "when", when(entry_at(en)),
			"actor_name", json_object_get(en, "actor_name"),
			"action", action, "what", describe(action)));
	}
	json_decref(entries);
	data = json_pack("{s:o}", "entries", list);
	if (!data)
		return ERR_NOMEM;
	add_paging(req, data, "/account/activity", NULL, ACTIVITY_PER_PAGE, false, (int)page,
		   json_array_size(list), total);
	return view_page(req, resp, 200, "audit/activity.html", "Who has looked at your record", data);
}

/* ---------------------------------------------------------------- download my data */

#define EXPORT_PAGES 20   /* 10,000 entries: far more than a person's record gathers */

static enum err export_person(struct db *db, int64_t person_id, int64_t now, json_t *out)
{
	json_t *all = json_array();
	struct audit_filter f = { .subject_id = person_id, .limit = 500 };
	enum err e = ERR_OK;
	UNUSED(now);

	if (!all)
		return ERR_NOMEM;
	for (int p = 0; p < EXPORT_PAGES; p++) {
		json_t *entries, *en;
		int64_t total;
		size_t i;

		f.offset = p * f.limit;
		if ((e = audit_query(db, &f, &entries, &total)) != ERR_OK)
			break;
		json_array_foreach(entries, i, en) {
			/* Another person's address is theirs, not this
			 * person's; request ids are for operators. */
			if (json_integer_value(json_object_get(en, "actor_id")) != person_id)
				json_object_del(en, "ip");
			json_object_del(en, "request_id");
		}
		json_array_extend(all, entries);
		json_decref(entries);
		if ((int64_t)f.offset + f.limit >= total)
			break;
	}
	if (e) {
		json_decref(all);
		return e;
	}
	return json_object_set_new(out, "audit_about_me", all) == 0 ? ERR_OK : ERR_NOMEM;
}

static const struct route routes[] = {
	{ M_GET, "/admin/audit", admin_page, &act_audit_read, RF_PAGE_JSON, "audit.admin_page" },
	{ M_GET, "/api/v1/audit", api_list, &act_audit_read, 0, "audit.api_list" },
	{ M_GET, "/account/activity", activity, &act_signed_in, RF_PAGE_JSON, "audit.activity" },
};

static const struct action *const actions[] = { &act_audit_read, NULL };

/* ---------------------------------------------------------------- retention */

#define AUDIT_PURGE_BATCH 10000

#define AS(field) CFG(struct audit_settings, field)

static const struct config_key keys[] = {
	{ "audit_retention_days", CT_INT, AS(retention_days), 0, 36500, "2190",
	  "days the audit log keeps an entry (six years by default); older entries are deleted "
	  "once a day, and the deletion is itself logged; 0 keeps every entry for ever", NULL },
	{ 0 },
};

const struct settings audit_settings = { "Audit log", keys, sizeof(struct audit_settings) };

/* Once a day: entries older than the retention go, a batch a transaction,
 * and the log says how many went and up to when. */
static enum err purge_job(struct app *app, struct db *db, int64_t now)
{
	int days = SETTINGS_OF(app->cfg, struct audit_settings, audit_settings)->retention_days;
	int64_t before = now - (int64_t)days * 86400, n = 0, total = 0;
	char detail[64];
	enum err e = ERR_OK;

	if (days == 0)
		return ERR_OK;
	do {
		if ((e = db_begin(db)) != ERR_OK)
			return e;
		if ((e = audit_purge(db, before, AUDIT_PURGE_BATCH, &n)) == ERR_OK && n > 0) {
			snprintf(detail, sizeof(detail), "deleted=%lld before=%lld", (long long)n,
				 (long long)before);
			e = audit_log(db, now, 0, "audit.purged", 0, detail, NULL, NULL);
		}
		if (e == ERR_OK)
			e = db_commit(db);
		if (e) {
			db_rollback(db);
			return e;
		}
		total += n;
	} while (n == AUDIT_PURGE_BATCH);
	if (total)
		log_info("audit: deleted %lld entries older than %d days", (long long)total, days);
	return ERR_OK;
}

static const struct job jobs[] = {
	{ "audit-retention", 86400, purge_job },
};

const struct feature audit_feature = {
	.actions = actions,
	.name = "audit", .routes = routes, .nroutes = ARRAY_LEN(routes),
	.export_person = export_person,
	.settings = &audit_settings,
	.jobs = jobs, .njobs = ARRAY_LEN(jobs),
};
