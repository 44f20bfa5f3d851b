/*
 * referral_view.c - what each party may read: one referral, lists, who
 * has looked, the coordinators' overview and CSV, and the person's own
 * data for "download my data" and erasure.
 *
 * Least privilege is decided here and nowhere else: templates and the API
 * print what these objects hold. The receiving organisation sees only
 * what it needs to make contact, only while consent to share stands, and
 * never a date of birth or an NHS number. A referrer whose person has
 * withdrawn consent to share the outcome sees the referral as far as
 * "accepted" and no further. Commissioners see counts only (the overview
 * and the CSV carry no names or contact details).
 */
#include "core/common.h"
#include "core/nhs.h"
#include "audit/audit.h"
#include "core/buf.h"
#include "core/links.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "directory/vocab.h"
#include "referral/referral.h"
#include "referral/referral_int.h"
#include "store/store.h"

#define CSV_MAX ((size_t)128 * 1024 * 1024)

/* ---------------------------------------------------------------- helpers */

static void set_str(json_t *o, const char *key, const char *v)
{
	if (v && *v)
		json_object_set_new(o, key, json_string(v));
}

static void set_at(json_t *o, const char *iso_key, const char *words_key, int64_t t)
{
	char words[64];

	if (t <= 0)
		return;
	json_object_set_new(o, iso_key, ref_iso(t));
	if (words_key) {
		ref_at_words(t, words, sizeof(words));
		json_object_set_new(o, words_key, json_string(words));
	}
}

static const struct ref_code *reason_code(enum ref_status s, const char *code)
{
	int k;

	if (!code)
		return NULL;
	if (s == REF_DECLINED) {
		k = ref_code_find(ref_decline_reasons, ref_decline_reasons_n, code);
		return k < 0 ? NULL : &ref_decline_reasons[k];
	}
	k = ref_code_find(ref_close_reasons, ref_close_reasons_n, code);
	return k < 0 ? NULL : &ref_close_reasons[k];
}

static bool follow_up_due(enum ref_status s, int64_t sent_at, int64_t now, int days)
{
	return (s == REF_SENT || s == REF_ACCEPTED) && now - sent_at >= (int64_t)days * REF_DAY;
}

/* Steps after "accepted" that a referrer without the person's consent to
 * share the outcome does not see. */
static bool outcome_step(enum ref_status s)
{
	return s == REF_CONTACTED || s == REF_ATTENDED || s == REF_SUSTAINED;
}

/* What one viewer may see of one referral. */
struct sight {
	bool full;            /* the person, the referrer, staff: everything */
	bool details;         /* the person's contact details */
	bool limited;         /* the receiver after consent to share was withdrawn */
	bool hide_outcome;    /* a referrer only, without consent to share the outcome */
	bool identity;        /* date of birth and NHS number: the person, the
	                         referrer and coordinators (docs/THREATS.md) */
};

static struct sight sight_of(unsigned parties, bool shared, bool outcome)
{
	struct sight v = { 0 };

	v.full = parties & (PARTY_STAFF | PARTY_PERSON | PARTY_REFERRER);
	v.identity = parties & (PARTY_PERSON | PARTY_REFERRER | PARTY_COORDINATOR);
	v.limited = !v.full && !shared;
	v.details = v.full || shared;
	v.hide_outcome = (parties & PARTY_REFERRER) &&
			 !(parties & (PARTY_STAFF | PARTY_PERSON | PARTY_RECEIVER)) && !outcome;
	return v;
}

/* ---------------------------------------------------------------- one referral */

static json_t *target_json(const struct links *links, struct arena *a, const struct ref_row *r,
		const struct sight *v)
{
	json_t *t = json_pack("{s:s, s:s, s:s}", "type", ref_target_name(r->m.target_type),
			      "id", r->m.target_id, "name", r->target_name ? r->target_name : "");

	if (!t)
		return NULL;
	/* The service's page; not in "download my data", which has no
	 * router to ask (a path without the site would mean nothing). */
	if (r->m.target_type == REF_TARGET_SERVICE && links)
		json_object_set_new(t, "url", json_string(link_path(links, a, "directory.service",
								   r->m.target_id, NULL)));
	set_str(t, "org_id", r->m.target_org_id);
	if (!v->limited)
		set_str(t, "org_name", r->org_name);
	return t;
}

/* For people to read: "14 February 1951", and the NHS number in its usual
 * groups, "943 476 5919". The stored forms stay for machines. */
static void identity_words(json_t *p, const struct ref_client *c)
{
	char words[UK_FORMAT_MAX], nhs[11];
	int64_t day;

	if (uk_parse_day(c->birth_date, &day)) {
		uk_format_day(day, words, sizeof(words));
		set_str(p, "birth_date_words", words);
	}
	if (c->nhs_number && nhs_number_valid(c->nhs_number, nhs))
		json_object_set_new(p, "nhs_number_words", json_sprintf("%.3s %.3s %.4s", nhs, nhs + 3,
									nhs + 6));
}

static json_t *person_json(const struct ref_client *c, const struct sight *v)
{
	json_t *p = json_pack("{s:s, s:b}", "id", c->id, "has_account", c->account_id > 0);
	enum contact_by by;
	int k;

	if (!p || !v->details)
		return p;
	set_str(p, "name", c->name);
	set_str(p, "email", c->email);
	set_str(p, "phone", c->phone);
	set_str(p, "address", c->address);
	if (c->contact_by && contact_by_parse(c->contact_by, &by)) {
		set_str(p, "contact_by", contact_by_name(by));
		set_str(p, "contact_by_words", contact_by_words(by));
	}
	set_str(p, "access_needs", c->access_needs);
	if (c->language && (k = vocab_find(vocab_languages, vocab_languages_n, c->language)) >= 0) {
		set_str(p, "language", c->language);
		set_str(p, "language_name", vocab_languages[k].name);
	}
	if (v->identity) {
		set_str(p, "birth_date", c->birth_date);
		set_str(p, "nhs_number", c->nhs_number);
		identity_words(p, c);
	}
	return p;
}

static json_t *needs_json(uint64_t needs)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < ref_needs_n; i++)
		if (needs & (UINT64_C(1) << i))
			json_array_append_new(a, json_pack("{s:s, s:s}", "code", ref_needs[i].code,
							   "name", ref_needs[i].name));
	return a;
}

static json_t *consent_json(const struct ref_consent k[CONSENT__MAX])
{
	json_t *a = json_array();

	for (int p = 0; a && p < CONSENT__MAX; p++) {
		json_t *c = json_pack("{s:s, s:s, s:b}", "purpose",
				      consent_purpose_name((enum consent_purpose)p), "purpose_words",
				      consent_purpose_words((enum consent_purpose)p), "given", k[p].given);

		if (!c)
			continue;
		set_str(c, "method", k[p].method);
		set_at(c, "given_at", NULL, k[p].given_at);
		set_at(c, "withdrawn_at", NULL, k[p].withdrawn_at);
		set_str(c, "recorded_by", k[p].recorded_by);
		json_array_append_new(a, c);
	}
	return a;
}

/* "3 December 2026" for a YYYY-MM-DD day (NULL: none). */
static void set_day(json_t *o, const char *iso_key, const char *words_key, const char *iso)
{
	char words[UK_FORMAT_MAX];
	int64_t day;

	if (!iso || !uk_parse_day(iso, &day))
		return;
	uk_format_day(day, words, sizeof(words));
	set_str(o, iso_key, iso);
	set_str(o, words_key, words);
}

/* When and how a contact or attendance happened, as recorded. */
static void when_how(json_t *o, const struct ref_event *ev)
{
	enum step_method how;

	set_day(o, "happened_on", "happened_words", ev->happened_on);
	if (ev->method && step_method_parse(ev->method, &how)) {
		set_str(o, "method", step_method_name(how));
		set_str(o, "method_words", step_method_words(how));
	}
}

/* hide_why: leave out the reason and note (a close the viewer may not
 * hear the reasons for). */
static json_t *event_json(const struct ref_event *ev, bool hide_why)
{
	enum ref_status to = REF_SENT;
	const struct ref_code *why;
	json_t *o;

	ref_status_parse(ev->to, &to);
	o = json_pack("{s:s, s:s}", "to", ev->to ? ev->to : "", "to_words", ref_status_words(to));
	if (!o)
		return NULL;
	set_at(o, "at", "at_words", ev->at);
	set_str(o, "actor", ev->actor_name);
	set_str(o, "from", ev->from);
	if (hide_why)
		return o;
	set_str(o, "reason", ev->reason);
	if ((why = reason_code(to, ev->reason)))
		set_str(o, "reason_words", why->name);
	set_str(o, "note", ev->note);
	when_how(o, ev);
	return o;
}

static json_t *events_json(const struct ref_event *ev, size_t n, const struct sight *v)
{
	json_t *a = json_array();

	for (size_t i = 0; a && !v->limited && i < n; i++) {
		enum ref_status to = REF_SENT;

		ref_status_parse(ev[i].to, &to);
		if (v->hide_outcome && outcome_step(to))
			continue;
		json_array_append_new(a, event_json(&ev[i], v->hide_outcome && to == REF_CLOSED));
	}
	return a;
}

static void set_days(json_t *o, const char *key, int64_t from, int64_t to)
{
	int64_t d = ref_day_span(from, to);

	if (to > 0 && d >= 0)
		json_object_set_new(o, key, json_integer(d));
}

static json_t *measures_json(const struct ref_row *r, const struct sight *v)
{
	json_t *m = json_object();

	if (!m || v->limited)
		return m;
	set_days(m, "days_to_accept", r->m.sent_at, r->accepted_at);
	if (!v->hide_outcome) {
		set_days(m, "days_to_contact", r->m.sent_at, r->contacted_at);
		set_days(m, "days_to_attend", r->m.sent_at, r->attended_at);
	}
	return m;
}

static const char *const move_words[REF__MAX] = {
	[REF_ACCEPTED] = "Accept the referral",
	[REF_DECLINED] = "Decline the referral",
	[REF_CONTACTED] = "Record that we have contacted the person",
	[REF_ATTENDED] = "Record that the person came along",
	[REF_SUSTAINED] = "Record that the person is still coming along",
	[REF_CLOSED] = "Close the referral",
	[REF_WITHDRAWN] = "Withdraw the referral",
};

static json_t *reasons_json(const struct ref_code *t, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "code", t[i].code, "name", t[i].name));
	return a;
}

static json_t *moves_json(unsigned parties, const struct ref_row *r, int weeks, int64_t now)
{
	json_t *a = json_array();

	for (int to = 0; a && to < REF__MAX; to++) {
		json_t *o;
		bool reason = to == REF_DECLINED || to == REF_CLOSED;

		if (!move_words[to] || referral_can_move(parties, r->m.status, (enum ref_status)to,
				r->attended_at, weeks, now, NULL, 0) != ERR_OK)
			continue;
		o = json_pack("{s:s, s:s, s:b}", "to", ref_status_name((enum ref_status)to),
			      "words", move_words[to], "needs_reason", reason);
		if (o && to == REF_DECLINED)
			json_object_set_new(o, "reasons", reasons_json(ref_decline_reasons,
									ref_decline_reasons_n));
		else if (o && to == REF_CLOSED)
			json_object_set_new(o, "reasons", reasons_json(ref_close_reasons,
									ref_close_reasons_n));
		json_array_append_new(a, o);
	}
	return a;
}

/* Everything one viewer (their parties) may see of referral id. */
struct view_in {
	const struct referral_env *env;
	unsigned parties;
	int64_t now;
	bool moves;
	bool casework;        /* case notes and the next contact: the referrer and
	                         coordinators, and the person's own export */
};

/* Case notes and the next contact (docs/THREATS.md: who sees them). */
static enum err casework_json(struct db *db, struct arena *a, const struct ref_row *r,
		int64_t now, json_t *o)
{
	struct ref_note *notes;
	size_t n = 0;
	int64_t day;
	json_t *list;
	enum err e;

	if ((e = ref_db_notes(db, a, r->m.id, &notes, &n)) != ERR_OK)
		return e;
	if (!(list = json_array()))
		return ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_pack("{s:s}", "text", notes[i].body ? notes[i].body : "");

		if (!x)
			continue;
		set_at(x, "at", "at_words", notes[i].at);
		set_str(x, "author", notes[i].author_name);
		json_array_append_new(list, x);
	}
	json_object_set_new(o, "notes", list);
	set_day(o, "next_contact_on", "next_contact_words", r->next_contact_on);
	json_object_set_new(o, "contact_due", json_boolean(r->next_contact_on &&
		ref_status_open(r->m.status) && uk_parse_day(r->next_contact_on, &day) &&
		day <= uk_local_day(now)));
	return ERR_OK;
}

static enum err build_view(struct db *db, const struct view_in *in, const char *id, json_t **out)
{
	struct ref_row r;
	struct ref_client c;
	struct ref_consent k[CONSENT__MAX];
	struct ref_event *ev;
	struct sight v;
	struct arena a;
	enum ref_status shown;
	const struct ref_code *why;
	size_t nev = 0;
	json_t *o = NULL;
	enum err e;

	*out = NULL;
	arena_init(&a);
	if ((e = ref_db_row(db, &a, id, &r)) != ERR_OK ||
	    (e = ref_db_client(db, &a, r.m.client_id, &c)) != ERR_OK ||
	    (e = ref_db_consents(db, &a, r.m.client_id, k)) != ERR_OK ||
	    (e = ref_db_events(db, &a, r.m.id, &ev, &nev)) != ERR_OK)
		goto out;
	v = sight_of(in->parties, k[CONSENT_SHARE].given, k[CONSENT_OUTCOME].given);
	shown = v.hide_outcome && outcome_step(r.m.status) ? REF_ACCEPTED : r.m.status;
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:o, s:o, s:o, s:o, s:o, s:b}",
		"id", r.m.id, "status", ref_status_name(shown), "status_words", ref_status_words(shown),
		"source", ref_source_name(r.m.source), "source_words", ref_source_words(r.m.source),
		"sent_at", ref_iso(r.m.sent_at), "updated_at", ref_iso(r.m.updated_at),
		"target", target_json(in->env ? in->env->links : NULL, &a, &r, &v), "shared", k[CONSENT_SHARE].given,
		"person", person_json(&c, &v), "needs", needs_json(v.limited ? 0 : r.needs),
		"consent", v.limited ? json_array() : consent_json(k),
		"events", events_json(ev, nev, &v), "measures", measures_json(&r, &v),
		"follow_up_due", follow_up_due(r.m.status, r.m.sent_at, in->now,
					       ref_follow_up_days(in->env)));
	if (!o) {
		e = ERR_NOMEM;
		goto out;
	}
	json_object_set_new(o, "moves", in->moves ? moves_json(in->parties, &r,
			    ref_sustained_weeks(in->env), in->now) : json_array());
	if ((in->casework || (in->parties & (PARTY_REFERRER | PARTY_COORDINATOR))) &&
	    (e = casework_json(db, &a, &r, in->now, o)) != ERR_OK) {
		json_decref(o);
		o = NULL;
		goto out;
	}
	if (!v.limited) {
		if (r.m.referrer_id > 0)
			json_object_set_new(o, "referrer", json_pack("{s:I, s:s}", "id",
					    (json_int_t)r.m.referrer_id, "name",
					    r.referrer_name ? r.referrer_name : ""));
		set_str(o, "reason", r.reason);
		if (r.end_reason && !(v.hide_outcome && r.m.status == REF_CLOSED)) {
			set_str(o, "end_reason", r.end_reason);
			if ((why = reason_code(r.m.status, r.end_reason)))
				set_str(o, "end_reason_words", why->name);
		}
	}
	*out = o;
out:
	arena_release(&a);
	return e;
}

enum err referral_view(const struct referral_env *env, struct db *db, const struct actor *actor,
		const struct ref_meta *m, int64_t now, json_t **out)
{
	return referral_view_from(env, db, actor, m, now, NULL, NULL, out);
}

enum err referral_view_from(const struct referral_env *env, struct db *db, const struct actor *actor,
		const struct ref_meta *m, int64_t now, const char *ip, const char *request_id,
		json_t **out)
{
	struct view_in in = { .env = env, .now = now, .moves = true };
	char detail[64];
	enum err e;

	*out = NULL;
	if (!env)
		return ERR_NOMEM;
	if (!actor || !m)
		return ERR_INTERNAL;
	/* Defence in depth: nobody who is no party to it sees anything. */
	if (!(in.parties = referral_parties(actor, m)))
		return ERR_NOT_FOUND;
	if ((e = build_view(db, &in, m->id, out)) != ERR_OK)
		return e;
	if (in.parties & PARTY_PERSON)
		return ERR_OK;
	snprintf(detail, sizeof(detail), "referral=%.36s", m->id);
	if ((e = audit_log(db, now, actor->id, "referral.read", m->person_account, detail,
			   ip, request_id)) != ERR_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

/* ---------------------------------------------------------------- lists */

static bool is_staff(const struct actor *a)
{
	return a->roles & (ROLE_BIT(ROLE_COORDINATOR) | ROLE_BIT(ROLE_ADMIN));
}

static const char *organiser_org(const struct actor *a)
{
	return (a->roles & ROLE_BIT(ROLE_ORGANISER)) && a->org_id && *a->org_id ? a->org_id : NULL;
}

/* The query for a kind of list, or ERR_FORBIDDEN. *none: nothing to ask. */
static enum err list_query(const struct actor *actor, const struct ref_list_opts *o,
		struct ref_list_q *q, bool *none)
{
	const char *org = organiser_org(actor);

	*none = false;
	switch (o->kind) {
	case REF_LIST_MINE:
		q->mine = actor->id;
		*none = actor->id <= 0;
		return ERR_OK;
	case REF_LIST_CASELOAD:
		q->made_by = actor->id;
		*none = actor->id <= 0;
		return ERR_OK;
	case REF_LIST_INBOX:
		if (is_staff(actor)) {
			q->org_id = o->org_id;
			q->all = !o->org_id || !*o->org_id;
			return ERR_OK;
		}
		if (!org || (o->org_id && *o->org_id && strcmp(o->org_id, org) != 0))
			return ERR_FORBIDDEN;
		q->org_id = org;
		return ERR_OK;
	case REF_LIST_ALL:
		if (!is_staff(actor))
			return ERR_FORBIDDEN;
		q->all = true;
		return ERR_OK;
	case REF_LIST_VISIBLE:
		if (is_staff(actor)) {
			q->all = true;
			return ERR_OK;
		}
		q->mine = q->made_by = actor->id;
		q->org_id = org;
		*none = actor->id <= 0;
		return ERR_OK;
	}
	return ERR_INVALID;
}

static json_t *item_json(const struct actor *actor, const struct ref_item *it, int64_t now,
		int days)
{
	struct ref_meta m;
	enum ref_status st = REF_SENT, shown;
	struct sight v;
	unsigned parties;
	char words[UK_FORMAT_MAX];
	bool due;
	json_t *o;

	memset(&m, 0, sizeof(m));
	m.person_account = it->person_account;
	m.referrer_id = it->referrer_id;
	snprintf(m.target_org_id, sizeof(m.target_org_id), "%s", it->target_org_id ? it->target_org_id : "");
	parties = referral_parties(actor, &m);
	v = sight_of(parties, it->shared, it->outcome);
	ref_status_parse(it->status, &st);
	shown = v.hide_outcome && outcome_step(st) ? REF_ACCEPTED : st;
	due = follow_up_due(st, it->sent_at, now, days);
	uk_format_date(it->sent_at, words, sizeof(words));
	o = json_pack("{s:s, s:s, s:s, s:o, s:s, s:{s:s, s:s, s:s}, s:b, s:b, s:I}",
		"id", it->id, "status", ref_status_name(shown), "status_words", ref_status_words(shown),
		"sent_at", ref_iso(it->sent_at), "sent_words", words,
		"target", "type", it->target_type ? it->target_type : "", "id",
		it->target_id ? it->target_id : "", "name", it->target_name ? it->target_name : "",
		"follow_up_due", due, "overdue", due,
		"days_open", (json_int_t)ref_days(it->sent_at, it->ended_at > 0 ? it->ended_at : now));
	/* Only an open referral is waiting for the organisation to come on. */
	if (o)
		json_object_set_new(o, "not_on_kith", json_boolean(it->not_on_kith && ref_status_open(st)));
	if (o && parties && v.details)
		set_str(o, "person_name", it->person_name);
	if (o && (parties & (PARTY_REFERRER | PARTY_COORDINATOR))) {
		int64_t day;

		set_day(o, "next_contact_on", "next_contact_words", it->next_contact_on);
		json_object_set_new(o, "contact_due", json_boolean(ref_status_open(st) &&
			it->next_contact_on && uk_parse_day(it->next_contact_on, &day) &&
			day <= uk_local_day(now)));
	} else if (o) {
		json_object_set_new(o, "contact_due", json_false());
	}
	return o;
}

enum err referral_list(const struct referral_env *env, struct db *db, const struct actor *actor,
		const struct ref_list_opts *o, int64_t now, json_t **items, int64_t *total)
{
	struct ref_list_q q = { 0 };
	char today[11], like[260];
	struct ref_item *it;
	struct arena a;
	size_t n = 0;
	int days = ref_follow_up_days(env);
	bool none;
	enum err e;

	*items = NULL;
	*total = 0;
	if (!env)
		return ERR_NOMEM;
	if (!actor || !o || o->limit < 1 || o->limit > 500 || o->offset < 0 ||
	    o->status < -1 || o->status >= REF__MAX)
		return ERR_INVALID;
	if ((e = list_query(actor, o, &q, &none)) != ERR_OK)
		return e;
	if (!(*items = json_array()))
		return ERR_NOMEM;
	if (none)
		return ERR_OK;
	/* A next-contact date is the referrer's and coordinators' own. */
	if (o->contact_due_only && o->kind != REF_LIST_CASELOAD && !is_staff(actor))
		return ERR_FORBIDDEN;
	if (o->contact_due_only) {
		uk_format_iso_day(uk_local_day(now), today);
		q.contact_due = today;
	}
	q.open_only = o->open_only;
	q.like = ref_like(o->search, like, sizeof(like));
	/* A name this actor may not see is not searched either: the receiving
	 * organisation sees it only while consent to share stands. */
	q.name_if_shared = !is_staff(actor) && o->kind != REF_LIST_CASELOAD && o->kind != REF_LIST_MINE;
	q.status = o->status >= 0 ? ref_status_name((enum ref_status)o->status) : NULL;
	q.due_before = o->follow_up_only ? now - (int64_t)days * REF_DAY : 0;
	q.limit = o->limit;
	q.offset = o->offset;
	arena_init(&a);
	e = ref_db_list(db, &a, &q, &it, &n, total);
	for (size_t i = 0; e == ERR_OK && i < n; i++)
		json_array_append_new(*items, item_json(actor, &it[i], now, days));
	arena_release(&a);
	if (e) {
		json_decref(*items);
		*items = NULL;
	}
	return e;
}

/* ---------------------------------------------------------------- readers */

static const char *role_words(const char *role)
{
	static const struct { const char *role, *words; } t[] = {
		{ "admin", "Administrator" }, { "coordinator", "Coordinator" },
		{ "organiser", "Organiser" }, { "link_worker", "Link worker" },
		{ "commissioner", "Commissioner" }, { "peer_supporter", "Peer supporter" },
	};

	for (size_t i = 0; role && i < ARRAY_LEN(t); i++)
		if (strcmp(role, t[i].role) == 0)
			return t[i].words;
	return NULL;
}

enum err referral_readers(struct db *db, const char *id, json_t **out)
{
	char lid[37];
	struct ref_reader *r;
	struct arena a;
	size_t n = 0;
	enum err e;

	*out = NULL;
	if (!id || !str_is_uuid(str_c(id)))
		return ERR_NOT_FOUND;
	str_copy(lid, sizeof(lid), id);
	str_lower_ascii(lid, strlen(lid));
	arena_init(&a);
	e = ref_db_readers(db, &a, lid, &r, &n);
	if (e == ERR_OK && !(*out = json_array()))
		e = ERR_NOMEM;
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		const char *role = role_words(r[i].role);
		json_t *o = json_pack("{s:s}", "actor_name", r[i].name ? r[i].name : "Someone at kith");

		if (!o)
			continue;
		set_at(o, "at", "at_words", r[i].at);
		if (role && r[i].org_name && strcmp(r[i].role, "organiser") == 0)
			json_object_set_new(o, "role", json_sprintf("%s, %s", role, r[i].org_name));
		else
			set_str(o, "role", role);
		json_array_append_new(*out, o);
	}
	arena_release(&a);
	return e;
}

/* ---------------------------------------------------------------- reports */

/* Median of whole days (the waits are UK calendar days, ascending). */
static json_t *median_days(const int64_t *v, size_t n)
{
	int64_t a, b;

	if (n == 0)
		return NULL;
	a = v[(n - 1) / 2];
	b = v[n / 2];
	if ((a + b) % 2 == 0)
		return json_integer((a + b) / 2);
	return json_real((double)(a + b) / 2.0);
}

static enum err add_median(struct db *db, json_t *o, const char *key, int which,
		int64_t since, int64_t until)
{
	int64_t *v = NULL;
	size_t n = 0;
	json_t *m;
	enum err e;

	if ((e = ref_db_waits(db, which, since, until, &v, &n)) != ERR_OK)
		return e;
	if ((m = median_days(v, n)))
		json_object_set_new(o, key, m);
	free(v);
	return ERR_OK;
}

static json_t *counts_json(const int64_t *counts, size_t n, const char *(*code)(int),
		const char *(*words)(int), bool zeros)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		if (zeros || counts[i])
			json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:o}", "code", code((int)i),
							   "words", words((int)i), "count",
							   (json_int_t)counts[i], "count_text",
							   json_sprintf("%lld", (long long)counts[i])));
	return a;
}

static const char *status_code(int i) { return ref_status_name((enum ref_status)i); }
static const char *status_words(int i) { return ref_status_words((enum ref_status)i); }
static const char *source_code(int i) { return ref_source_name((enum ref_source)i); }
static const char *source_words(int i) { return ref_source_words((enum ref_source)i); }
static const char *category_code(int i) { return vocab_categories[i].code; }
static const char *category_words(int i) { return vocab_categories[i].name; }

enum err referral_overview(struct db *db, int64_t since, int64_t until, json_t **out)
{
	int64_t by_status[REF__MAX], by_source[REF_SRC__MAX], by_cat[VOCAB_MAX];
	int64_t total, attended, sustained;
	double as, ss;
	json_t *o;
	enum err e;

	*out = NULL;
	if ((e = ref_db_count_status(db, since, until, by_status, &total)) != ERR_OK ||
	    (e = ref_db_count_source(db, since, until, by_source)) != ERR_OK ||
	    (e = ref_db_count_category(db, since, until, by_cat)) != ERR_OK ||
	    (e = ref_db_count_reached(db, since, until, &attended, &sustained)) != ERR_OK)
		return e;
	as = total ? (double)attended / (double)total : 0.0;
	ss = total ? (double)sustained / (double)total : 0.0;
	o = json_pack("{s:I, s:o, s:o, s:o, s:o, s:f, s:f, s:I, s:I}",
		"total", (json_int_t)total, "total_text", json_sprintf("%lld", (long long)total),
		"by_status", counts_json(by_status, REF__MAX, status_code, status_words, true),
		"by_source", counts_json(by_source, REF_SRC__MAX, source_code, source_words, true),
		"by_category", counts_json(by_cat, vocab_categories_n, category_code, category_words, false),
		"attended_share", as, "sustained_share", ss,
		"attended_percent", (json_int_t)(as * 100.0 + 0.5),
		"sustained_percent", (json_int_t)(ss * 100.0 + 0.5));
	if (!o)
		return ERR_NOMEM;
	if ((e = add_median(db, o, "median_days_to_accept", 0, since, until)) != ERR_OK ||
	    (e = add_median(db, o, "median_days_to_contact", 1, since, until)) != ERR_OK ||
	    (e = add_median(db, o, "median_days_to_attend", 2, since, until)) != ERR_OK) {
		json_decref(o);
		return e;
	}
	*out = o;
	return ERR_OK;
}

static const char *const count_lists[] = { "by_status", "by_source", "by_category" };

/* A count that could point at a person: null, in words. */
static void suppress_count(json_t *o, const char *key, const char *text_key)
{
	json_int_t n = json_integer_value(json_object_get(o, key));

	if (n > 0 && n < REF_SMALL) {
		json_object_set_new(o, key, json_null());
		json_object_set_new(o, text_key, json_sprintf("fewer than %d", REF_SMALL));
	}
}

void referral_overview_suppress(json_t *ov)
{
	static const char *const of_total[] = { "attended_share", "sustained_share",
		"attended_percent", "sustained_percent", "median_days_to_accept",
		"median_days_to_contact", "median_days_to_attend" };
	json_int_t total = json_integer_value(json_object_get(ov, "total"));
	size_t i;
	json_t *x;

	for (size_t l = 0; l < ARRAY_LEN(count_lists); l++)
		json_array_foreach(json_object_get(ov, count_lists[l]), i, x)
			suppress_count(x, "count", "count_text");
	suppress_count(ov, "total", "total_text");
	if (total > 0 && total < REF_SMALL) {
		for (i = 0; i < ARRAY_LEN(of_total); i++)
			json_object_del(ov, of_total[i]);
		json_object_set_new(ov, "shares_hidden", json_true());
	}
	json_object_set_new(ov, "suppressed", json_true());
}

/* One cell: quoted when it holds a comma, quote or line break; a leading
 * = + - @ (or tab, carriage return) gets a ' so spreadsheets do not run
 * it as a formula. */
static void csv_cell(struct buf *b, const char *s, bool last)
{
	bool guard, quote;

	s = s ? s : "";
	guard = *s && strchr("=+-@\t\r", *s);
	quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		buf_addc(b, '"');
	if (guard)
		buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			buf_addc(b, '"');
		buf_addc(b, *s);
	}
	if (quote)
		buf_addc(b, '"');
	buf_adds(b, last ? "\r\n" : ",");
}

static void csv_days(struct buf *b, int64_t from, int64_t to)
{
	int64_t d = to > 0 ? ref_day_span(from, to) : -1;

	if (d >= 0)
		buf_addf(b, "%lld", (long long)d);
	buf_addc(b, ',');
}

/* The codes' words, in columns of their own after the codes (a
 * spreadsheet reader reads words; a program keeps the codes). */
static void csv_words(struct buf *b, const struct ref_csv_row *r)
{
	enum ref_source src;
	enum ref_status st = REF_SENT;
	const struct ref_code *why;
	bool known = r->status && ref_status_parse(r->status, &st);

	csv_cell(b, r->source && ref_source_parse(r->source, &src) ? ref_source_words(src) : "", false);
	csv_cell(b, known ? ref_status_words(st) : "", false);
	why = known ? reason_code(st, r->end_reason) : NULL;
	csv_cell(b, why ? why->name : "", true);
}

static enum err csv_row(const struct ref_csv_row *r, void *ctx)
{
	struct buf *b = ctx, cats;
	char iso[32] = "";

	buf_init(&cats, 4096);
	for (size_t i = 0; i < vocab_categories_n; i++)
		if (r->category & (UINT64_C(1) << i)) {
			if (cats.len)
				buf_adds(&cats, "; ");
			buf_adds(&cats, vocab_categories[i].name);
		}
	time_iso8601(r->sent_at, iso, sizeof(iso));
	csv_cell(b, r->id, false);
	csv_cell(b, iso, false);
	csv_cell(b, r->source, false);
	csv_cell(b, r->target_type, false);
	csv_cell(b, r->target_name, false);
	csv_cell(b, cats.p, false);
	csv_cell(b, r->status, false);
	csv_days(b, r->sent_at, r->accepted_at);
	csv_days(b, r->sent_at, r->contacted_at);
	csv_days(b, r->sent_at, r->attended_at);
	csv_cell(b, r->end_reason, false);
	csv_words(b, r);
	buf_release(&cats);
	return buf_ok(b) ? ERR_OK : ERR_TOO_LARGE;
}

/* The end of a CSV built in b (e: how building it went): a copy in a, b
 * released. ERR_TOO_LARGE when it outgrew CSV_MAX. */
static enum err csv_done(struct buf *b, enum err e, struct arena *a, const char **csv, size_t *len)
{
	if (e == ERR_OK && !buf_ok(b))
		e = ERR_TOO_LARGE;
	if (e == ERR_OK && !(*csv = arena_strndup(a, b->p, b->len)))
		e = ERR_NOMEM;
	if (e == ERR_OK)
		*len = b->len;
	buf_release(b);
	return e;
}

enum err referral_csv(struct db *db, int64_t since, int64_t until, struct arena *a,
		const char **csv, size_t *len)
{
	struct buf b;
	enum err e;

	*csv = NULL;
	*len = 0;
	buf_init(&b, CSV_MAX);
	buf_adds(&b, "id,sent_at,source,target_type,target_name,category,status,days_to_accept,"
		 "days_to_contact,days_to_attend,end_reason,source_words,status_words,"
		 "end_reason_words\r\n");
	e = ref_db_csv(db, since, until, csv_row, &b);
	return csv_done(&b, e, a, csv, len);
}

enum err referral_summary_csv(const json_t *ov, struct arena *a, const char **csv, size_t *len)
{
	static const char *const dims[] = { "status", "source", "category" };
	struct buf b;
	size_t i;
	json_t *x;
	enum err e = ERR_OK;

	*csv = NULL;
	*len = 0;
	buf_init(&b, CSV_MAX);
	buf_adds(&b, "dimension,code,label,referrals\r\n");
	csv_cell(&b, "all", false);
	csv_cell(&b, "", false);
	csv_cell(&b, "All referrals", false);
	csv_cell(&b, json_string_value(json_object_get(ov, "total_text")), true);
	for (size_t l = 0; l < ARRAY_LEN(count_lists); l++)
		json_array_foreach(json_object_get(ov, count_lists[l]), i, x) {
			csv_cell(&b, dims[l], false);
			csv_cell(&b, json_string_value(json_object_get(x, "code")), false);
			csv_cell(&b, json_string_value(json_object_get(x, "words")), false);
			csv_cell(&b, json_string_value(json_object_get(x, "count_text")), true);
		}
	return csv_done(&b, e, a, csv, len);
}

/* ---------------------------------------------------------------- privacy */

enum err referral_export_person(struct db *db, int64_t person_id, int64_t now, json_t *out)
{
	/* The right of access covers the referrer's notes about them too. */
	struct view_in in = { .parties = PARTY_PERSON, .now = now, .casework = true };
	char (*ids)[37];
	struct arena a;
	size_t n = 0;
	json_t *list = json_array();
	enum err e;

	if (!list)
		return ERR_NOMEM;
	arena_init(&a);
	e = ref_db_person_referrals(db, &a, person_id, &ids, &n);
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		json_t *v;

		if ((e = build_view(db, &in, ids[i], &v)) == ERR_OK) {
			json_object_del(v, "moves");
			json_object_del(v, "follow_up_due");
			json_array_append_new(list, v);
		}
	}
	arena_release(&a);
	if (e) {
		json_decref(list);
		return e;
	}
	json_object_set_new(out, "referrals", list);
	return ERR_OK;
}

enum err referral_erase_person(struct db *db, int64_t person_id, int64_t now)
{
	char (*ids)[37];
	struct arena a;
	size_t n = 0;
	enum err e;

	arena_init(&a);
	e = ref_db_clients_of_account(db, &a, person_id, &ids, &n);
	for (size_t i = 0; e == ERR_OK && i < n; i++)
		e = ref_withdraw_open(db, NULL, ids[i], person_id, NULL, now);
	arena_release(&a);
	if (e == ERR_OK)
		e = ref_db_erase_clients(db, person_id, now);
	if (e == ERR_OK)
		e = ref_db_erase_referrer(db, person_id);
	return e;
}
