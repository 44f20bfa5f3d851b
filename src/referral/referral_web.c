/*
 * referral_web.c - the referral pages: refer someone (/referrals/new, from
 * a service page or choosing the service in the form), "I'd like to go"
 * from a service page (/services/{id}/refer-me), one referral with its
 * steps (contact and attendance with their day and way), consent and the
 * referrer's case notes (/referrals/{id}), the receiving organisation's
 * inbox and the referrer's caseload (by status, searched by name), the
 * person's own "your referrals", and the overview of counts with its CSV.
 *
 * Who sees what is referral.h's business, never a template's: pages show
 * what referral_view() and referral_list() give this actor and offer the
 * steps in the view's moves. A referral someone may not see is a 404 with
 * the same words as one that does not exist.
 *
 * Forms use the contract's field paths ("person.name") as input names and
 * ids, so referral_check()'s errors link straight to their fields; a form
 * with errors comes back (422) with the summary at the top, each message
 * by its field and everything typed kept. Handlers go parse -> check ->
 * act -> render: POST handlers open one transaction around their writes
 * after the checks, GETs that write (referral_view audits the read,
 * referral_claim links records) run in the dispatcher's write transaction
 * (RF_WRITE_TX), and the worker is woken after a commit that queued
 * email. Addresses carry ids, status codes and fixed words (?done=accepted),
 * never a name, a need or a reason.
 */
#include "core/common.h"
#include "web/errors.h"
#include "web/confirm.h"
#include "web/form.h"
#include "web/url.h"
#include "org/org.h"
#include "account/account.h"
#include "app/app.h"
#include "app/features.h"
#include "app/worker.h"
#include "auth/attempts.h"
#include "auth/auth_web.h"
#include "auth/person.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "directory/claim.h"
#include "directory/directory.h"
#include "directory/vocab.h"
#include "oruk/oruk.h"
#include "referral/referral.h"
#include "referral/referral_feature.h"
#include "referral/referral_int.h"
#include "store/store.h"
#include "web/view.h"

#define PER_PAGE 50          /* caseload and "your referrals", a page */
#define INBOX_MAX 200        /* referrals in each of the inbox's lists */

/* The people a referrer may choose instead of typing them again: records
 * they made, or that they have referred before. referral_create() decides
 * again whether they may use the one chosen. */
/* ---------------------------------------------------------------- helpers */

static const char *id_param(const struct request *req)
{
	const struct param *p = req_param(req, "id");

	return p ? p->val : NULL;
}

static json_t *jstr_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static const char *jtext(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* govuk-tag colour for a status. */
static const char *status_tag(const char *status)
{
	static const struct {
		const char *status, *cls;
	} tags[] = {
		{ "sent", "govuk-tag--blue" }, { "accepted", "govuk-tag--turquoise" },
		{ "declined", "govuk-tag--red" }, { "contacted", "govuk-tag--purple" },
		{ "attended", "govuk-tag--green" }, { "sustained", "govuk-tag--green" },
		{ "closed", "govuk-tag--grey" }, { "withdrawn", "govuk-tag--grey" },
	};

	for (size_t i = 0; status && i < ARRAY_LEN(tags); i++)
		if (strcmp(status, tags[i].status) == 0)
			return tags[i].cls;
	return "govuk-tag--grey";
}

/* Moves the page's errors to the ids they belong to on the page (map),
 * first one per field. */
static void merge_errors(struct request *req, json_t *errors, const json_t *from,
		const char *(*map)(struct request *, const char *, bool), bool self)
{
	size_t i;
	const json_t *x;

	json_array_foreach(from, i, x)
		web_error_once(errors, map(req, json_string_value(json_object_get(x, "field")), self),
			  json_string_value(json_object_get(x, "detail")));
}

/* A field's id as it is (merge_errors's map for forms whose ids are
 * the fields' names). */
static const char *keep_field(struct request *req, const char *f, bool self)
{
	UNUSED(req);
	UNUSED(self);
	return f ? f : "casework-note";
}

/* The first error's words, for a 409 that is one sentence. */
static const char *first_detail(const json_t *errors, const char *fallback)
{
	const char *d = json_string_value(json_object_get(json_array_get(errors, 0), "detail"));

	return d && d[0] ? d : fallback;
}

static int64_t page_param(struct request *req)
{
	const char *s = req_query(req, "page");
	int64_t page = 1;

	if (s && !str_to_i64(str_c(s), 1, 100000, &page))
		page = 1;
	return page;
}

static bool item_overdue(const json_t *it)
{
	return json_is_true(json_object_get(it, "overdue")) ||
	       json_is_true(json_object_get(it, "follow_up_due"));
}

/* What a list item needs beyond referral_list(): its link, tag and
 * title (the person's name, or where to when the list is the person's
 * own), every key a template tests set, so nothing is looked up in an
 * outer context. */
static void decorate_items(struct request *req, json_t *items, bool by_target)
{
	size_t i;
	json_t *it;

	json_array_foreach(items, i, it) {
		const char *person = json_string_value(json_object_get(it, "person_name"));
		const char *where = jtext(json_object_get(it, "target"), "name");

		json_object_set_new(it, "href", json_string(web_url(req, "referral.show", jtext(it, "id"), NULL)));
		json_object_set_new(it, "tag", json_string(status_tag(jtext(it, "status"))));
		json_object_set_new(it, "title", json_string(by_target || !person || !person[0] ?
			(where[0] ? where : "Referral") : person));
		json_object_set_new(it, "show_target", json_boolean(!by_target));
		json_object_set_new(it, "due", json_boolean(item_overdue(it)));
		if (!json_object_get(it, "next_contact_words"))
			json_object_set_new(it, "next_contact_words", json_null());
		if (!json_is_boolean(json_object_get(it, "contact_due")))
			json_object_set_new(it, "contact_due", json_false());
	}
}


/* A published service to refer to. ERR_NOT_FOUND for anything else. */
static enum err load_target(struct request *req, const char *svc_id, struct svc_meta *m)
{
	enum err e;

	if (!svc_id || !str_is_uuid(str_c(svc_id)))
		return ERR_NOT_FOUND;
	e = directory_meta(req->db, &req->arena, svc_id, m);
	if (e == ERR_OK && m->state != SVC_PUBLISHED)
		e = ERR_NOT_FOUND;
	return e;
}

static json_t *target_model(const struct svc_meta *m)
{
	return json_pack("{s:s, s:s, s:o, s:s?}", "id", m->id, "name", m->name ? m->name : "",
			 "href", json_sprintf("/services/%s", m->id), "org_name", m->org_name);
}

/* ---------------------------------------------------------------- the forms */

/* The text fields of both forms: the model's key, the input's name and id
 * (the contract's path), and the words for referring someone else and
 * for referring yourself. */
enum pf { PF_NAME, PF_EMAIL, PF_PHONE, PF_ADDRESS, PF_ACCESS, PF_NHS, PF_REASON, PF__MAX };

static const struct pfield {
	const char *key, *name;
	const char *label, *hint;
	const char *self_label, *self_hint;
	const char *type;             /* "text", "email", "tel"; NULL: a textarea */
	const char *self_autocomplete;
	const char *width;
	int rows;
} pfields[PF__MAX] = {
	[PF_NAME] = { "name", "person.name", "Their full name", NULL, "Your name", NULL, "text",
		      "name", NULL, 0 },
	[PF_EMAIL] = { "email", "person.email", "Their email address", "Needed if they would like "
		       "to hear by email", "Your email address", "If you would like us to email you",
		       "email", "email", NULL, 0 },
	[PF_PHONE] = { "phone", "person.phone", "Their phone number", "Needed if they would like a "
		       "phone call or a text message", "Your phone number", "If you would like a phone "
		       "call or a text message", "tel", "tel", "govuk-input--width-20", 0 },
	[PF_ADDRESS] = { "address", "person.address", "Their postal address", "Needed if they "
			 "would like a letter", "Your postal address", "If you would like a letter",
			 NULL, NULL, NULL, 3 },
	[PF_ACCESS] = { "access_needs", "person.access_needs", "Accessibility needs (optional)",
			"Anything that would help them take part, like step-free access, large print, "
			"a hearing loop or an interpreter", "Anything that would help you take part "
			"(optional)", "Like step-free access, large print, a hearing loop or an "
			"interpreter", NULL, NULL, NULL, 3 },
	[PF_NHS] = { "nhs_number", "person.nhs_number", "NHS number (optional)", "10 digits, like "
		     "943 476 5919", NULL, NULL, "text", NULL, "govuk-input--width-10", 0 },
	[PF_REASON] = { "reason", "reason", "What matters to them, in their own words",
			"What they would like help with, and anything that would help the "
			"organisation make them welcome. Only what they have agreed to share.",
			"What would you like help with?", "A few words are enough, like \"I would "
			"like to meet people\" or \"I want to get more active\"", NULL, NULL, NULL, 5 },
};

/* Everything the two forms post, bound by the one POST path. The domain
 * (referral_check) judges the words, so its fields only read and keep
 * what was typed; the date of birth is three boxes, checked as a date
 * here (its label starts the messages: "Date of birth must ..."); the
 * consent boxes are on when ticked. The needs are read by hand
 * (posted_needs): a code the list does not know is dropped, not an
 * error. */
#define DOMAIN_FIELD(n) { .name = (n), .label = (n), .kind = FIELD_TEXT, \
			  .check = field_domain_judges }
#define CONSENT_FIELD(n) { .name = (n), .label = (n), .kind = FIELD_BOOL }

static const struct field_def refer_fields[] = {
	DOMAIN_FIELD("target.type"), DOMAIN_FIELD("target.id"), DOMAIN_FIELD("client_id"),
	DOMAIN_FIELD("person.name"), DOMAIN_FIELD("person.contact_by"),
	DOMAIN_FIELD("person.email"), DOMAIN_FIELD("person.phone"),
	DOMAIN_FIELD("person.address"), DOMAIN_FIELD("person.access_needs"),
	DOMAIN_FIELD("person.language"),
	{ .name = "person.birth_date", .label = "Date of birth", .kind = FIELD_DATE },
	DOMAIN_FIELD("person.nhs_number"), DOMAIN_FIELD("reason"),
	CONSENT_FIELD("consent.share"), CONSENT_FIELD("consent.contact"),
	CONSENT_FIELD("consent.outcome"), DOMAIN_FIELD("consent.method"), DOMAIN_FIELD("source"),
	/* The service chooser (refer someone without a service page). */
	DOMAIN_FIELD("choose"), DOMAIN_FIELD("service_q"),
};

static const char *const consent_fields[CONSENT__MAX] = {
	[CONSENT_SHARE] = "consent.share", [CONSENT_CONTACT] = "consent.contact",
	[CONSENT_OUTCOME] = "consent.outcome",
};

/* Where each field sits on the form, so the summary reads down the page. */
static const char *const form_order[] = {
	"target", "client_id", "person.name", "person.contact_by", "person.email", "person.phone",
	"person.address", "person.access_needs", "person.language", "person.birth_date",
	"person.nhs_number", "needs", "reason", "consent.share", "consent.contact",
	"consent.outcome", "consent.method", "source", "referral-form",
};

/* The contract's field path -> the id on the page (self: the short
 * "I'd like to go" form, which has fewer fields). */
static const char *form_field(struct request *req, const char *f, bool self)
{
	static const char *const both[] = {
		"person.name", "person.contact_by", "person.email", "person.phone",
		"person.address", "person.access_needs", "reason", "consent.share",
		"consent.contact",
	};
	static const char *const full[] = {
		"client_id", "person.language", "person.birth_date", "person.nhs_number", "needs",
		"consent.outcome", "consent.method", "source",
	};

	UNUSED(req);
	if (!f)
		return "referral-form";
	for (size_t i = 0; i < ARRAY_LEN(both); i++)
		if (strcmp(f, both[i]) == 0)
			return both[i];
	if (strncmp(f, "target", 6) == 0)
		return "target";
	if (!self) {
		for (size_t i = 0; i < ARRAY_LEN(full); i++)
			if (strcmp(f, full[i]) == 0)
				return full[i];
		if (strncmp(f, "person.birth_date", 17) == 0)
			return "person.birth_date";
		return "referral-form";
	}
	/* The short form: "a need or some words" is the words box; consent
	 * given online has no method to choose. */
	if (strcmp(f, "needs") == 0)
		return "reason";
	if (strcmp(f, "consent.method") == 0 || strncmp(f, "consent", 7) == 0)
		return "consent.share";
	if (strcmp(f, "client_id") == 0)
		return "person.name";
	return "referral-form";
}

/* The needs ticked, as a list of the codes the list knows. */
static json_t *posted_needs(struct request *req)
{
	json_t *needs = json_array();

	for (size_t i = 0; i < req->form.n; i++) {
		const struct kv *kv = &req->form.v[i];

		if (strcmp(kv->name, "needs") == 0 && ref_code_find(ref_needs, ref_needs_n, kv->val) >= 0 &&
		    json_array_size(needs) < ref_needs_n)
			json_array_append_new(needs, json_string(kv->val));
	}
	return needs;
}

/* What was bound, in the shape form_model() draws: the needs ticked, and
 * each consent box as a boolean. */
static void page_values(struct request *req, json_t *values)
{
	if (!json_object_get(values, "needs"))
		json_object_set_new(values, "needs", posted_needs(req));
	for (int p = 0; p < CONSENT__MAX; p++) {
		const json_t *x = json_object_get(values, consent_fields[p]);

		json_object_set_new(values, consent_fields[p], json_boolean(json_is_true(x) ||
			strcmp(json_string_value(x) ? json_string_value(x) : "", "yes") == 0));
	}
}

/* A bound field's text as the domain takes it: "" when empty or not
 * clean UTF-8. */
static const char *btext(const struct bound *b, const char *name)
{
	const struct field_value *v = web_bound(b, name);

	return v && v->text && str_is_clean_utf8(v->text, strlen(v->text)) ? v->text : "";
}

/* Link workers and GP practice staff share a role; which of them is
 * referring is the referral's source (the overview counts each). Offered to
 * those who may refer as either (not to an organiser referring onwards,
 * whose source is "organiser"). */
static bool may_choose_source(const struct request *req)
{
	return (req->actor->roles & (ROLE_BIT(ROLE_LINK_WORKER) | ROLE_BIT(ROLE_COORDINATOR) |
				     ROLE_BIT(ROLE_ADMIN))) != 0;
}

/* With JavaScript only the chosen way's box shows (contact_by_model), so
 * what the others hold (typed before choosing another way, or filled in
 * for a member) was not seen: it is not sent. */
static void drop_hidden_boxes(struct ref_person *p)
{
	enum contact_by by;

	if (!contact_by_parse(p->contact_by, &by))
		return;
	if (by != CONTACT_EMAIL)
		p->email = "";
	if (by != CONTACT_PHONE)
		p->phone = "";
	if (by != CONTACT_POST)
		p->address = "";
}

/* struct ref_new from a bound form and its needs (both must outlive it). */
static void new_from_bound(struct request *req, const struct bound *b, const json_t *needs,
		bool self, const char *target_id, struct ref_new *n)
{
	const char *client = btext(b, "client_id");
	const char *birth = web_bound(b, "person.birth_date")->text;

	memset(n, 0, sizeof(*n));
	if (!self && client[0]) {
		n->client_id = client;
	} else {
		n->person.name = btext(b, "person.name");
		n->person.email = btext(b, "person.email");
		n->person.phone = btext(b, "person.phone");
		n->person.address = btext(b, "person.address");
		n->person.contact_by = btext(b, "person.contact_by");
		drop_hidden_boxes(&n->person);
		n->person.access_needs = btext(b, "person.access_needs");
		n->person.language = self ? "" : btext(b, "person.language");
		n->person.birth_date = self ? NULL : birth;
		n->person.nhs_number = self ? "" : btext(b, "person.nhs_number");
	}
	n->consent_share = web_bound(b, "consent.share")->on;
	n->consent_contact = web_bound(b, "consent.contact")->on;
	n->consent_outcome = !self && web_bound(b, "consent.outcome")->on;
	n->consent_method = self ? consent_method_name(CONSENT_ONLINE) : btext(b, "consent.method");
	n->target_type = ref_target_name(REF_TARGET_SERVICE);
	n->target_id = target_id ? target_id : "";
	n->reason = btext(b, "reason");
	n->nneeds = self ? 0 : json_array_size(needs);
	if (n->nneeds) {
		const char **codes = arena_calloc(&req->arena, n->nneeds, sizeof(*codes));

		if (!codes) {
			n->nneeds = 0;
		} else {
			for (size_t i = 0; i < n->nneeds; i++)
				codes[i] = json_string_value(json_array_get(needs, i));
			n->needs = codes;
		}
	}
	n->source = self ? ref_source_name(REF_SRC_SELF) : NULL;
	if (!self && may_choose_source(req) && btext(b, "source")[0])
		n->source = btext(b, "source");
}

/* describedby for a field with a hint and/or an error. */
/* One text input or textarea (partials/form-input.html), in the words
 * for the person themself or for someone referring them. */
static json_t *text_model(const struct pfield *f, bool self, const json_t *values,
		const json_t *errors)
{
	const struct field_def d = {
		.name = f->name, .label = self && f->self_label ? f->self_label : f->label,
		.hint = self ? f->self_hint : f->hint, .type = f->type,
		.autocomplete = self ? f->self_autocomplete : "off", .width = f->width,
		.nospell = f->type && strcmp(f->type, "email") == 0, .rows = f->rows,
	};

	return web_field(&d, values, errors);
}

static json_t *needs_model(const json_t *values, const json_t *errors)
{
	json_t *items = json_array();
	const json_t *chosen = json_object_get(values, "needs");

	for (size_t i = 0; i < ref_needs_n; i++)
		json_array_append_new(items, json_pack("{s:o, s:s, s:s, s:s, s:b}",
			"id", i == 0 ? json_string("needs") : json_sprintf("needs-%s", ref_needs[i].code),
			"name", "needs", "value", ref_needs[i].code, "label", ref_needs[i].name,
			"checked", web_has_value(chosen, ref_needs[i].code)));
	return web_checks("needs", "What matters to them", "Choose all that they talk about",
			    items, errors);
}

/* The consent boxes. Referring someone else: the person's own words from
 * consent_purpose_words(), read out to them. Referring yourself: share
 * and contact, in the first person with the organisation's name. */
static json_t *consent_model(struct request *req, bool self, const char *org_name,
		const json_t *values, const json_t *errors)
{
	json_t *items = json_array();

	for (int p = 0; p < CONSENT__MAX; p++) {
		const char *label = consent_purpose_words((enum consent_purpose)p);

		if (self && p == CONSENT_OUTCOME)
			continue;
		if (self && p == CONSENT_SHARE && org_name)
			label = arena_printf(&req->arena, "Share my details with %s so they can get "
					     "in touch with me", org_name);
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:b}",
			"id", consent_fields[p], "name", consent_fields[p], "value", "yes",
			"label", label, "checked", json_is_true(json_object_get(values, consent_fields[p]))));
	}
	if (self)
		return web_checks("consent.share", "What you agree to", "You need to agree to "
				    "the first one so they can contact you. You can change your "
				    "mind at any time.", items, errors);
	return web_checks("consent.share", "What they agree to", "Read each one to them. They "
			    "need to agree to the first for the referral to be made. They can "
			    "change their mind at any time.", items, errors);
}

/* How to get in touch, each way with its box (fields' email, phone or
 * address) revealed under it when chosen (GOV.UK's conditional reveal:
 * reveal_id is the box's wrapper; without JavaScript every box shows). */
static json_t *contact_by_model(bool self, const json_t *values, const json_t *errors,
		const json_t *fields)
{
	static const char *const box[CONTACT__MAX] = {
		[CONTACT_EMAIL] = "email", [CONTACT_PHONE] = "phone", [CONTACT_POST] = "address",
	};
	const char *vals[CONTACT__MAX], *labels[CONTACT__MAX], *boxes[CONTACT__MAX];
	size_t n = 0, i;
	json_t *m, *it;

	for (int c = 0; c < CONTACT__MAX; c++) {
		if (self && c == CONTACT_LINK_WORKER)
			continue;
		vals[n] = contact_by_name((enum contact_by)c);
		labels[n] = contact_by_words((enum contact_by)c);
		boxes[n] = box[c];
		n++;
	}
	m = web_radios("person.contact_by", NULL, self ? "How would you like them to get in touch?" :
			 "How would they like to be contacted?", NULL, vals, labels, n,
			 jtext(values, "person.contact_by"), errors);
	json_array_foreach(json_object_get(m, "items"), i, it) {
		json_t *f = boxes[i] ? json_object_get(fields, boxes[i]) : NULL;

		json_object_set_new(it, "reveal", f ? json_incref(f) : json_null());
		json_object_set_new(it, "reveal_id", f ? json_sprintf("conditional-%s", jtext(it, "id"))
						       : json_null());
	}
	return m;
}

static json_t *languages_model(const json_t *values, const json_t *errors)
{
	json_t *items = json_array();
	const char *chosen = jtext(values, "person.language");
	const char *err = web_error_for(errors, "person.language");

	for (size_t i = 0; i < vocab_languages_n; i++)
		json_array_append_new(items, json_pack("{s:s, s:s, s:b}", "value", vocab_languages[i].code,
			"label", vocab_languages[i].name, "selected", strcmp(chosen, vocab_languages[i].code) == 0));
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "id", "person.language",
		"label", "Preferred language (optional)", "first", "Not given",
		"error", jstr_or_null(err), "describedby", web_described("person.language", false, err != NULL),
		"items", items);
}

static json_t *source_model(struct request *req, const json_t *values, const json_t *errors)
{
	static const char *const vals[] = { "link_worker", "gp_practice" };
	static const char *const labels[] = { "A link worker (social prescriber)",
					      "GP practice staff" };
	const char *chosen = jtext(values, "source");

	if (!may_choose_source(req))
		return json_null();
	return web_radios("source", NULL, "You are referring as", NULL, vals, labels, ARRAY_LEN(vals),
			    chosen[0] ? chosen : "link_worker", errors);
}

/* The form's data for a GET or a failed POST (self: "I'd like to go"). */
static json_t *form_model(struct request *req, bool self, const struct svc_meta *target,
		const json_t *values, const json_t *errors, json_t *clients)
{
	json_t *fields = json_object(), *m;
	struct pfield reason = pfields[PF_REASON];

	/* People can just turn up: saying what they would like help with is
	 * up to them. Otherwise the organisation needs to know first. */
	if (target && (target->flags & SF_TURN_UP)) {
		reason.label = "What matters to them, in their own words (optional)";
		reason.self_label = "What would you like help with? (optional)";
		reason.self_hint = "You can just go along, so you do not have to say. A few words "
				   "can help them make you welcome, like \"I would like to meet people\"";
	} else {
		reason.self_hint = "They need to know this before you go. A few words are enough, "
				   "like \"I would like to meet people\" or \"I want to get more active\"";
	}
	for (int k = 0; k < PF__MAX; k++) {
		if (self && k == PF_NHS)
			continue;
		json_object_set_new(fields, pfields[k].key, text_model(k == PF_REASON ? &reason : &pfields[k],
			self, values, errors));
	}
	m = json_pack("{s:o, s:o, s:o}", "fields", fields,
		"contact_by", contact_by_model(self, values, errors, fields),
		"consent", consent_model(req, self, target ? target->org_name : NULL, values, errors));
	json_object_set_new(m, "target", target ? target_model(target) : json_null());
	json_object_set_new(m, "target_error", jstr_or_null(web_error_for(errors, "target")));
	if (self) {
		json_object_set_new(m, "action", target ? json_sprintf("/services/%s/refer-me", target->id)
							: json_string("/find"));
		return m;
	}
	json_object_set_new(m, "action", json_string("/referrals/new"));
	json_object_set_new(m, "source", source_model(req, values, errors));
	json_object_set_new(m, "needs", needs_model(values, errors));
	json_object_set_new(m, "languages", languages_model(values, errors));
	json_object_set_new(m, "birth_date", web_date_boxes("person.birth_date", "Date of birth (optional)",
		"For example, 27 3 1957", jtext(values, "person.birth_date-day"),
		jtext(values, "person.birth_date-month"), jtext(values, "person.birth_date-year"), errors));
	{
		static const char *const vals[] = { "verbal", "written" };
		static const char *const labels[] = { "They told me (verbal)", "They signed or wrote it "
						      "down (written)" };

		json_object_set_new(m, "method", web_radios("consent.method", NULL, "How did they agree?",
			NULL, vals, labels, ARRAY_LEN(vals), jtext(values, "consent.method"), errors));
	}
	json_object_set_new(m, "has_clients", json_boolean(json_array_size(clients) > 0));
	json_object_set_new(m, "clients", clients ? clients : json_array());
	json_object_set_new(m, "client_error", jstr_or_null(web_error_for(errors, "client_id")));
	return m;
}

/* ---------------------------------------------------------------- refer someone */

#define CHOOSER_MAX 20       /* services the chooser lists for some words */

/* The service chooser, when the form was opened without a service
 * (values' choose is "yes"): the one chosen, if any, then the published
 * services whose name or organisation holds the words searched for
 * (service_q), as radios named target.id. The first radio's id (or, with
 * none, the search box's) is "target", where the summary links. */
static enum err chooser_model(struct request *req, const struct svc_meta *target,
		const json_t *values, const json_t *errors, json_t **out)
{
	const char *q = jtext(values, "service_q");
	json_t *found = NULL, *items = json_array(), *x;
	size_t i;
	enum err e;

	*out = json_null();
	if (strcmp(jtext(values, "choose"), "yes") != 0) {
		json_decref(items);
		return ERR_OK;
	}
	if (target)
		json_array_append_new(items, json_pack("{s:s, s:s, s:s?, s:b}", "value", target->id,
			"name", target->name ? target->name : "", "org_name", target->org_name,
			"checked", true));
	if (q[0] && (e = referral_find_services(req->db, q, CHOOSER_MAX, &found)) != ERR_OK) {
		json_decref(items);
		return e;
	}
	json_array_foreach(found, i, x)
		if (!target || strcmp(jtext(x, "id"), target->id) != 0)
			json_array_append_new(items, json_pack("{s:s, s:s, s:s?, s:b}", "value",
				jtext(x, "id"), "name", jtext(x, "name"), "org_name",
				json_string_value(json_object_get(x, "org_name")), "checked", false));
	json_decref(found);
	json_array_foreach(items, i, x)
		json_object_set_new(x, "id", i == 0 ? json_string("target") :
				    json_sprintf("target-%s", jtext(x, "value")));
	*out = json_pack("{s:s, s:b, s:b, s:s, s:o, s:o}", "q", q, "searched", q[0] != '\0',
		"has_items", json_array_size(items) > 0,
		"input_id", json_array_size(items) > 0 ? "service_q" : "target",
		"items", items, "error", jstr_or_null(web_error_for(errors, "target")));
	return *out ? ERR_OK : ERR_NOMEM;
}

static enum err new_page(struct request *req, struct response *resp, int status,
		const struct svc_meta *target, const json_t *values, json_t *errors)
{
	json_t *clients = NULL, *chooser = NULL, *data, *form;
	enum err e;

	if ((e = referral_clients(req->db, req->actor, jtext(values, "client_id"), &clients)) != ERR_OK ||
	    (e = chooser_model(req, target, values, errors, &chooser)) != ERR_OK) {
		json_decref(clients);
		json_decref(errors);
		return e;
	}
	form = form_model(req, false, target, values, errors, clients);
	json_object_set_new(form, "chooser", chooser);
	data = json_pack("{s:o}", "form", form);
	web_set_errors(data, errors);
	return web_page(req, resp, status, "referral/new.html", "Refer someone", data);
}

static enum err referme_page(struct request *req, struct response *resp, int status,
		const struct svc_meta *target, const json_t *values, json_t *errors)
{
	json_t *data = json_pack("{s:o, s:b}", "form", form_model(req, true, target, values, errors, NULL),
				 "signed_in", req->actor->id != 0);

	web_set_errors(data, errors);
	return web_page(req, resp, status, "referral/refer-me.html",
			    arena_printf(&req->arena, "Ask to go to %s", target->name ? target->name : "this service"),
			    data);
}

static enum err new_get(struct request *req, struct response *resp)
{
	const char *svc = req_query(req, "service");
	struct svc_meta target;
	json_t *values;
	enum err e;

	/* Without a service: the same form, choosing the service in it. */
	if (!svc || !svc[0]) {
		values = json_pack("{s:[], s:s, s:s}", "needs", "consent.method", "", "choose", "yes");
		e = new_page(req, resp, 200, NULL, values, NULL);
		json_decref(values);
		return e;
	}
	e = load_target(req, svc, &target);
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no service at this address. Find the service in the "
				"directory, then choose \"Refer someone\" on its page.");
	if (e)
		return e;
	values = json_pack("{s:[], s:s}", "needs", "consent.method", "");
	e = new_page(req, resp, 200, &target, values, NULL);
	json_decref(values);
	return e;
}

/* The short form speaks to the person themself: the domain's words
 * about "the person" for what people most often leave out, in the first
 * person. Anything else keeps the domain's words. */
static void self_words(json_t *errors)
{
	static const struct {
		const char *field, *starts, *words;
	} w[] = {
		{ "person.name", "Enter the person", "Enter your name" },
		{ "person.contact_by", "Choose how", "Choose how you would like them to get in touch" },
		{ "person.email", "Enter an email address, or", "Enter your email address, or choose "
		  "another way for them to get in touch" },
		{ "person.phone", "Enter a telephone number, or", "Enter your phone number, or choose "
		  "another way for them to get in touch" },
		{ "person.address", "Enter a postal address, or", "Enter your postal address, or "
		  "choose another way for them to get in touch" },
		{ "consent.share", "The person must agree", "Tick the first box to agree to share "
		  "your details, so they can get in touch with you" },
		{ "needs", "Choose at least one", "Tell them in a few words what you would like help "
		  "with" },
	};
	size_t i;
	json_t *x;

	json_array_foreach(errors, i, x) {
		const char *f = jtext(x, "field"), *d = jtext(x, "detail");

		for (size_t k = 0; k < ARRAY_LEN(w); k++)
			if (strcmp(f, w[k].field) == 0 && strncmp(d, w[k].starts, strlen(w[k].starts)) == 0)
				json_object_set_new(x, "detail", json_string(w[k].words));
	}
}

/* How they agreed, in the words of the two choices the forms offer (the
 * domain's words also name "online", which only the person themself
 * gives, and never from these forms). */
#define METHOD_WORDS "Choose how they agreed: they told you, or in writing"

/* The date of birth is three boxes on the page: the domain's words for a
 * date that is not in the past (the page has checked it is a date). How
 * consent was given: METHOD_WORDS. */
static void page_words(json_t *errors)
{
	size_t i;
	json_t *x;

	json_array_foreach(errors, i, x) {
		if (strcmp(jtext(x, "field"), "person.birth_date") == 0)
			json_object_set_new(x, "detail", json_string("Date of birth must be in the past, "
					    "and after 1900"));
		if (strcmp(jtext(x, "field"), "consent.method") == 0)
			json_object_set_new(x, "detail", json_string(METHOD_WORDS));
	}
}

/* Both forms, on the one POST path (web_form_post): refer_before() checks
 * what was bound as the domain would (and, for "I'd like to go", the
 * connection's limit), refer_act() makes the referral inside the path's
 * transaction, refer_page() draws the form again with what to fix. */
struct refer {
	bool self;                   /* "I'd like to go" */
	const struct svc_meta *target;   /* NULL: none chosen, or none to refer to */
	const char *target_error;    /* what is wrong with the target, said first */
	json_t *needs;               /* the needs ticked (owned by the handler) */
	struct ref_new n;            /* what refer_before() read, for refer_act() */
	int status;                  /* 409 when act found one already open */
	char id[37];                 /* the new referral */
};

static enum err refer_before(struct request *req, const struct bound *b, json_t *errors, void *ctx)
{
	struct refer *c = ctx;
	json_t *raw = json_array();

	if (c->target_error)
		web_error_once(errors, "target", c->target_error);
	if (!c->target)
		web_error_once(errors, "target", "Choose a service from the directory to refer to");
	new_from_bound(req, b, c->needs, c->self, c->target ? c->target->id : NULL, &c->n);
	c->n.turn_up = c->target && (c->target->flags & SF_TURN_UP);
	referral_check(&c->n, req->now, raw);
	page_words(raw);
	if (c->self)
		self_words(raw);
	merge_errors(req, errors, raw, form_field, c->self);
	json_decref(raw);
	if (json_array_size(errors))
		return ERR_INVALID;
	return c->self ? ref_self_limit(req) : ERR_OK;
}

/* What referral_create() refused, by the fields it names. */
static enum err refer_refused(struct request *req, struct refer *c, enum err e, json_t *raw,
		json_t *errors)
{
	bool self = c->self;

	if (e == ERR_NOT_FOUND && c->n.client_id) {
		web_error_once(errors, "client_id", "Choose someone from your list, or fill in their details");
		return ERR_INVALID;
	}
	if (e == ERR_CONFLICT) {
		c->status = 409;
		merge_errors(req, errors, raw, form_field, self);
		web_error_once(errors, "target", self ? "You have already asked to go here. They will be in "
			  "touch." : "This person already has a referral here that is still open.");
		return ERR_INVALID;
	}
	if (e == ERR_INVALID || e == ERR_NOT_FOUND) {
		page_words(raw);
		if (self)
			self_words(raw);
		merge_errors(req, errors, raw, form_field, self);
		web_error_once(errors, "referral-form", "Check the details and try again");
		return ERR_INVALID;
	}
	return e;
}

static enum err refer_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct refer *c = ctx;
	const struct ref_new n = c->n;
	int64_t now = req->now;
	char *id_out = c->id;
	json_t *raw;
	enum err e;

	UNUSED(resp);
	UNUSED(b);
	raw = json_array();
	e = referral_create(ref_env(req), req->db, req->actor, &n, now, id_out, raw);
	if (e != ERR_OK)
		e = refer_refused(req, c, e, raw, errors);
	json_decref(raw);
	return e;
}

static enum err refer_page(struct request *req, struct response *resp, int status,
		json_t *values, json_t *errors, void *ctx)
{
	struct refer *c = ctx;
	enum err e;

	page_values(req, values);
	web_errors_sort(errors, form_order, ARRAY_LEN(form_order));
	status = c->status ? c->status : status;
	if (c->self)
		e = referme_page(req, resp, status, c->target, values, errors);
	else
		e = new_page(req, resp, status, c->target, values, errors);
	json_decref(values);
	return e;
}

static const char *refer_done(struct request *req, void *ctx)
{
	const struct refer *c = ctx;

	if (c->self)
		return arena_printf(&req->arena, "%s?done=sent", web_url(req, "referral.referme",
								       c->target->id, NULL));
	return arena_printf(&req->arena, "%s?done=sent", web_url(req, "referral.show", c->id, NULL));
}

static const struct form_post refer_form = {
	.fields = refer_fields, .nfields = ARRAY_LEN(refer_fields), .check_all = true,
	.before = refer_before, .act = refer_act, .page = refer_page, .done = refer_done,
};

static enum err refer_post(struct request *req, struct response *resp, struct refer *c)
{
	enum err e;

	c->needs = c->self ? json_array() : posted_needs(req);
	e = web_form_post(req, resp, &refer_form, c);
	json_decref(c->needs);
	return e;
}

static enum err refer_find(struct request *req, struct response *resp, const struct refer *c)
{
	struct bound b;
	json_t *values;
	enum err e;

	web_bind(req, refer_fields, ARRAY_LEN(refer_fields), &b);
	values = json_incref(b.values);
	web_bound_release(&b);
	json_object_set_new(values, "choose", json_string("yes"));
	page_values(req, values);
	e = new_page(req, resp, 200, c->target, values, NULL);
	json_decref(values);
	return e;
}

static enum err new_post(struct request *req, struct response *resp)
{
	const char *tid = web_form_text(req, "target.id");
	const char *ttype = web_form_text(req, "target.type");
	const char *find = web_form_text(req, "find");
	struct svc_meta target;
	struct refer c = { .self = false };
	enum err e;

	if (ttype && ttype[0] && strcmp(ttype, ref_target_name(REF_TARGET_SERVICE)) != 0) {
		c.target_error = "Referrals can only be made to services in the directory for now";
	} else {
		e = load_target(req, tid, &target);
		if (e == ERR_OK)
			c.target = &target;
		else if (e != ERR_NOT_FOUND)
			return e;
	}
	/* "Find services" in the chooser: the same form again with what
	 * matches, everything typed kept, nothing judged yet. */
	if (find && strcmp(find, "yes") == 0)
		return refer_find(req, resp, &c);
	return refer_post(req, resp, &c);
}

/* ---------------------------------------------------------------- I'd like to go */

/* "Tuesday 8 December" for a UK day number, with the year when it is not
 * today's year. */
static json_t *day_words(int64_t day, int64_t today)
{
	int y, m, d, ty, tm, td;

	uk_date(day, &y, &m, &d);
	uk_date(today, &ty, &tm, &td);
	if (y == ty)
		return json_sprintf("%s %d %s", uk_weekday_name(uk_weekday(day)), d, uk_month_name(m));
	return json_sprintf("%s %d %s %d", uk_weekday_name(uk_weekday(day)), d, uk_month_name(m), y);
}

/* Where the service meets, in one line, from the directory's view: its
 * first place ("St Mary's Hall, 1 Park Road, Scunthorpe DN15 6XX"), else
 * "online or by phone", else NULL. */
static json_t *place_words(const json_t *svc)
{
	const json_t *place = json_array_get(json_object_get(svc, "where"), 0), *line;
	struct buf b;
	json_t *out = NULL;
	size_t i;

	if (!place)
		return json_is_true(json_object_get(svc, "online")) ? json_string("online or by phone")
								     : json_null();
	buf_init(&b, 256);
	if (jtext(place, "name")[0])
		buf_adds(&b, jtext(place, "name"));
	json_array_foreach(json_object_get(place, "lines"), i, line) {
		if (b.len)
			buf_adds(&b, ", ");
		buf_adds(&b, json_is_string(line) ? json_string_value(line) : "");
	}
	if (jtext(place, "postcode")[0]) {
		if (b.len)
			buf_adds(&b, " ");
		buf_adds(&b, jtext(place, "postcode"));
	}
	if (buf_ok(&b) && b.len)
		out = json_stringn(b.p, b.len);
	buf_release(&b);
	return out ? out : json_null();
}

/* After "I'd like to go": when and where the next session is, and a time
 * to hear back that fits it (svc: directory_service_view's). null when
 * the service has no next session: then the follow-up days are the time
 * to wait. Otherwise {when "Tuesday 8 December at 10:00", where (or
 * null), soon (the session comes before the follow-up days are up),
 * turn_up (people can just go along), hear_by "Monday 7 December" (the
 * day before the session, or null when that is not after today)}. All in
 * UK local time. */
static json_t *next_model(const json_t *svc, int64_t now, int follow_up_days)
{
	const json_t *next = json_object_get(svc, "next_session");
	const char *clock = json_string_value(json_object_get(next, "time"));
	int64_t t, day, today = uk_local_day(now);
	json_t *when;

	if (!next || !oruk_parse_datetime(jtext(next, "iso"), &t) || t < now)
		return json_null();
	day = uk_local_day(t);
	when = day_words(day, today);
	if (clock && when) {
		json_t *at = json_sprintf("%s at %s", json_string_value(when), clock);

		json_decref(when);
		when = at;
	}
	return json_pack("{s:o, s:o, s:b, s:b, s:o}", "when", when, "where", place_words(svc),
		"soon", day - today < follow_up_days, "turn_up",
		strcmp(jtext(json_object_get(svc, "join"), "code"), "turn-up") == 0,
		"hear_by", day - 1 > today ? day_words(day - 1, today) : json_null());
}

/* The page after sending: what happens next, by the service's next
 * session when it has one; or, when nobody from the organisation is on
 * kith yet (directory/claim.h), that it is being brought on. */
static enum err referme_sent(struct request *req, struct response *resp, const struct svc_meta *target)
{
	int days = ref_follow_up_days(ref_env(req));
	json_t *svc = NULL, *next, *data;
	bool not_on_kith = false;
	enum err e;

	if ((e = claim_org_waiting(req->db, target->org_id, &not_on_kith)) != ERR_OK ||
	    (e = directory_service_view(&req->app->links, req->db, target->id, req->now, &svc)) != ERR_OK)
		return e;
	next = next_model(svc, req->now, days);
	json_decref(svc);
	data = json_pack("{s:b, s:o, s:b, s:i, s:b, s:o, s:b}", "sent", true, "target", target_model(target),
			 "signed_in", req->actor->id != 0, "follow_up_days", days,
			 "soon", json_is_true(json_object_get(next, "soon")), "next", next,
			 "not_on_kith", not_on_kith);
	return web_page(req, resp, 200, "referral/refer-me.html", "Your request is sent", data);
}

static enum err referme_get(struct request *req, struct response *resp)
{
	const char *done = req_query(req, "done");
	struct svc_meta target;
	json_t *values;
	enum err e = load_target(req, id_param(req), &target);

	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no service at this address. It may have been removed.");
	if (e)
		return e;
	if (done && strcmp(done, "sent") == 0)
		return referme_sent(req, resp, &target);
	/* Signed in: their own name and email, to save typing. */
	values = json_pack("{s:s, s:s, s:s}", "person.name", req->actor->name ? req->actor->name : "",
			   "person.email", req->actor->email ? req->actor->email : "",
			   "person.contact_by", "");
	e = referme_page(req, resp, 200, &target, values, NULL);
	json_decref(values);
	return e;
}

static enum err referme_post(struct request *req, struct response *resp)
{
	struct svc_meta target;
	struct refer c = { .self = true, .target = &target };
	enum err e = load_target(req, id_param(req), &target);

	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no service at this address. It may have been removed.");
	if (e)
		return e;
	return refer_post(req, resp, &c);
}

/* ---------------------------------------------------------------- one referral */

static enum err load_or_404(struct request *req, const struct action *action, struct ref_meta *m)
{
	const char *id = id_param(req);
	enum err e = id ? referral_load(req->db, req->actor, action, id, m) : ERR_NOT_FOUND;

	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no referral at this address. Check the link, or find "
				"it in your list of referrals.");
	return e;
}

/* The words for ?done= (fixed, never from the address bar). */
static void done_banner(struct request *req, json_t *data)
{
	const char *w = req_query(req, "done");
	enum ref_status s;

	if (!w)
		return;
	if (strcmp(w, "sent") == 0 && json_is_true(json_object_get(data, "not_on_kith")))
		web_set_banner(data, true, "The referral is sent. Nobody from the organisation is on "
				   "kith yet, so they cannot see it yet. We have asked them to join, and a "
				   "coordinator will help bring them on.");
	else if (strcmp(w, "sent") == 0)
		web_set_banner(data, true, "The referral is sent. The organisation has been told "
				   "there is a new referral to look at.");
	else if (strcmp(w, "consent-given") == 0)
		web_set_banner(data, true, "Consent is recorded.");
	else if (strcmp(w, "consent-withdrawn") == 0)
		web_set_banner(data, true, "Consent is withdrawn. We have stopped what it covered.");
	else if (strcmp(w, "notes") == 0)
		web_set_banner(data, true, "Saved. Your case notes are up to date.");
	else if (strcmp(w, "next-cleared") == 0)
		web_set_banner(data, true, "Saved. No next contact is planned.");
	else if (ref_status_parse(w, &s))
		web_set_banner(data, true, arena_printf(&req->arena, "Saved. The referral is now: %s.",
				   ref_status_words(s)));
}

/* Today as the three boxes' values (UK day). */
static void today_parts(int64_t now, char d[3], char m[3], char y[5])
{
	int yy, mm, dd;

	uk_date(uk_local_day(now), &yy, &mm, &dd);
	snprintf(d, 3, "%d", dd);
	snprintf(m, 3, "%d", mm);
	snprintf(y, 5, "%04d", (yy % 10000 + 10000) % 10000);
}

/* The three boxes of a date whose boxes share one name on a page of
 * several forms (name-day, name-month, name-year) but have ids of their
 * own (id, id-month, id-year). */
static json_t *named_date_model(const char *id, const char *name, const char *legend,
		const char *hint, const char *day, const char *month, const char *year,
		const json_t *errors)
{
	static const char *const part[3] = { "day", "month", "year" };
	json_t *m = web_date_boxes(id, legend, hint, day, month, year, errors), *box;
	size_t i;

	json_array_foreach(json_object_get(m, "boxes"), i, box)
		if (i < 3)
			json_object_set_new(box, "box_name", json_sprintf("%s-%s", name, part[i]));
	return m;
}

/* A step that records contact or attendance asks when (today unless
 * said) and how. */
static void decorate_dated(struct request *req, json_t *mv, const char *to, const json_t *typed,
		const json_t *errors)
{
	enum ref_status s;
	const char *vals[STEP_METHOD__MAX], *labels[STEP_METHOD__MAX];
	char d[3], m[3], y[5];
	bool dated = ref_status_parse(to, &s) && ref_status_dated(s);
	const char *date_id = arena_printf(&req->arena, "happened_on-%s", to);
	const char *method_id = arena_printf(&req->arena, "method-%s", to);
	json_t *radios;

	json_object_set_new(mv, "dated", json_boolean(dated));
	if (!dated)
		return;
	today_parts(req->now, d, m, y);
	json_object_set_new(mv, "when", named_date_model(date_id, "happened_on",
		s == REF_CONTACTED ? "When did you get in touch?" : "When did they come along?",
		"Today, unless you change it", typed ? jtext(typed, "happened_on-day") : d,
		typed ? jtext(typed, "happened_on-month") : m,
		typed ? jtext(typed, "happened_on-year") : y, errors));
	for (int k = 0; k < STEP_METHOD__MAX; k++) {
		vals[k] = step_method_name((enum step_method)k);
		labels[k] = step_method_words((enum step_method)k);
	}
	radios = web_radios(method_id, "method", s == REF_CONTACTED ?
			      "How did you get in touch? (optional)" : "How did they take part? (optional)",
			      NULL, vals, labels, STEP_METHOD__MAX, typed ? jtext(typed, "method") : NULL,
			      errors);
	json_object_set_new(mv, "how", radios);
}

/* A step's form: its reasons as radios, a note, and what was typed when
 * it came back with errors. */
static void decorate_move(struct request *req, json_t *mv, const char *ref_id, const json_t *errors,
		const json_t *typed)
{
	const char *to = jtext(mv, "to");
	bool mine = typed && strcmp(jtext(typed, "to"), to) == 0;
	const char *reason_id = arena_printf(&req->arena, "reason-%s", to);
	const char *note_id = arena_printf(&req->arena, "note-%s", to);
	const char *reason_err = web_error_for(errors, reason_id);
	const char *note_err = web_error_for(errors, note_id);
	json_t *reasons = json_object_get(mv, "reasons");
	size_t i;
	json_t *r;
	bool ending = strcmp(to, "declined") == 0 || strcmp(to, "closed") == 0 ||
		      strcmp(to, "withdrawn") == 0;

	json_array_foreach(reasons, i, r) {
		const char *code = jtext(r, "code");

		json_object_set_new(r, "id", i == 0 ? json_string(reason_id) :
				    json_sprintf("%s-%s", reason_id, code));
		json_object_set_new(r, "value", json_string(code));
		json_object_set_new(r, "label", json_string(jtext(r, "name")));
		json_object_set_new(r, "checked", json_boolean(mine && strcmp(jtext(typed, "reason"), code) == 0));
	}
	json_object_set_new(mv, "action", json_string(web_url(req, "referral.status", ref_id, NULL)));
	json_object_set_new(mv, "form_id", json_sprintf("move-%s", to));
	json_object_set_new(mv, "has_reasons", json_boolean(json_array_size(reasons) > 0));
	if (!reasons)
		json_object_set_new(mv, "reasons", json_array());
	json_object_set_new(mv, "reason_id", json_string(reason_id));
	json_object_set_new(mv, "reason_error", jstr_or_null(reason_err));
	json_object_set_new(mv, "note_id", json_string(note_id));
	json_object_set_new(mv, "note", json_string(mine ? jtext(typed, "note") : ""));
	json_object_set_new(mv, "note_error", jstr_or_null(note_err));
	/* Forward steps are buttons; ending it (decline, close, withdraw)
	 * opens with a reason and a note, and is not one press away. */
	json_object_set_new(mv, "ending", json_boolean(ending));
	json_object_set_new(mv, "open", json_boolean(mine || reason_err || note_err));
	decorate_dated(req, mv, to, mine ? typed : NULL, errors);
}

/* Consent per purpose, with the form to give or withdraw it when this
 * viewer may (the person, the referrer, staff). */
static void decorate_consent(struct request *req, json_t *view, unsigned parties,
		const json_t *errors)
{
	json_t *list = json_object_get(view, "consent");
	bool may = parties & (PARTY_PERSON | PARTY_REFERRER | PARTY_STAFF);
	/* The person agrees for themself, online; others record how. */
	bool online = (parties & PARTY_PERSON) && !(parties & PARTY_STAFF);
	const char *id = jtext(view, "id");
	size_t i;
	json_t *c;

	json_array_foreach(list, i, c) {
		const char *purpose = jtext(c, "purpose");
		const char *box = arena_printf(&req->arena, "consent-%s", purpose);
		const char *mid = arena_printf(&req->arena, "consent-%s-method", purpose);
		const char *err = web_error_for(errors, box);
		const char *merr = web_error_for(errors, mid);
		bool given = json_is_true(json_object_get(c, "given"));

		json_object_set_new(c, "box_id", json_string(box));
		json_object_set_new(c, "action", json_string(web_url(req, "referral.consent", id, NULL)));
		json_object_set_new(c, "can_change", json_boolean(may));
		json_object_set_new(c, "can_give", json_boolean(may && !given));
		json_object_set_new(c, "can_withdraw", json_boolean(may && given));
		json_object_set_new(c, "online", json_boolean(online));
		json_object_set_new(c, "error", jstr_or_null(err));
		json_object_set_new(c, "method_id", json_string(mid));
		json_object_set_new(c, "method_written_id", json_sprintf("%s-written", mid));
		json_object_set_new(c, "method_error", jstr_or_null(merr));
		json_object_set_new(c, "method_describedby", web_described(mid, false, merr != NULL));
		json_object_set_new(c, "open", json_boolean(err || merr));
		if (!json_object_get(c, "method"))
			json_object_set_new(c, "method", json_null());
	}
	json_object_set_new(view, "may_consent", json_boolean(may));
}

/* Sets each of keys that o lacks to null: a template section over a
 * missing key would look it up in an outer context instead. */
static void ensure(json_t *o, const char *const *keys, size_t n)
{
	for (size_t i = 0; json_is_object(o) && i < n; i++)
		if (!json_object_get(o, keys[i]))
			json_object_set_new(o, keys[i], json_null());
}

#define ENSURE(o, ...) ensure((o), (const char *const[]){ __VA_ARGS__ }, \
	sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

/* "24 November 2026 at 10:00" (UK time), as the events say it. */
static json_t *at_words(int64_t t)
{
	char date[UK_FORMAT_MAX], time[UK_FORMAT_MAX];

	if (t <= 0)
		return json_null();
	uk_format_date(t, date, sizeof(date));
	uk_format_time(t, time, sizeof(time));
	return json_sprintf("%s at %s", date, time);
}

/* The same from an ISO 8601 string; NULL when there is none. */
static json_t *when_words(const json_t *v)
{
	int64_t t = 0;

	if (!json_is_string(v))
		return json_null();
	if (!time_parse_iso8601(json_string_value(v), strlen(json_string_value(v)), &t))
		return json_string(json_string_value(v));
	return at_words(t);
}

/* Everything the page's sections test, set; words for times. */
static void normalise_view(json_t *view, const struct ref_meta *m)
{
	json_t *x, *ms;
	size_t i;

	ENSURE(view, "referrer", "reason", "end_reason_words", "person", "target");
	if (!json_is_boolean(json_object_get(view, "follow_up_due")))
		json_object_set_new(view, "follow_up_due", json_false());
	if (!json_is_boolean(json_object_get(view, "shared")))
		json_object_set_new(view, "shared", json_false());
	ENSURE(json_object_get(view, "target"), "name", "url", "org_name");
	ENSURE(json_object_get(view, "referrer"), "name");
	ENSURE(json_object_get(view, "person"), "name", "email", "phone", "address",
	       "contact_by_words", "access_needs", "language_name", "birth_date", "nhs_number");
	json_object_set_new(view, "sent_words", at_words(m->sent_at));
	json_array_foreach(json_object_get(view, "events"), i, x)
		ENSURE(x, "actor", "reason_words", "note", "at_words", "happened_words", "happened_on",
		       "method_words");
	json_array_foreach(json_object_get(view, "consent"), i, x) {
		const char *method = json_string_value(json_object_get(x, "method"));

		json_object_set_new(x, "given_words", when_words(json_object_get(x, "given_at")));
		json_object_set_new(x, "withdrawn_words", when_words(json_object_get(x, "withdrawn_at")));
		json_object_set_new(x, "method_words", !method ? json_null() :
			json_string(strcmp(method, "verbal") == 0 ? "told in person or on the phone" :
				    strcmp(method, "written") == 0 ? "in writing" : "online"));
	}
	ms = json_object_get(view, "measures");
	if (!json_is_object(ms)) {
		ms = json_object();
		json_object_set_new(view, "measures", ms);
	}
	json_object_set_new(ms, "has_accept", json_boolean(json_is_integer(json_object_get(ms, "days_to_accept"))));
	json_object_set_new(ms, "has_contact", json_boolean(json_is_integer(json_object_get(ms, "days_to_contact"))));
	json_object_set_new(ms, "has_attend", json_boolean(json_is_integer(json_object_get(ms, "days_to_attend"))));
	json_object_set_new(view, "has_measures", json_boolean(
		json_is_integer(json_object_get(ms, "days_to_accept")) ||
		json_is_integer(json_object_get(ms, "days_to_contact")) ||
		json_is_integer(json_object_get(ms, "days_to_attend"))));
}

/* Case notes and the next contact, with the form to add to them: for
 * those the view gave them to (the referrer, coordinators). */
static void decorate_casework(struct request *req, json_t *view, const struct ref_meta *m,
		const json_t *errors, const json_t *typed)
{
	json_t *notes = json_object_get(view, "notes"), *x;
	bool mine = typed && strcmp(jtext(typed, "form"), "casework") == 0;
	size_t i;

	json_object_set_new(view, "casework", json_boolean(json_is_array(notes) &&
		referral_may_casework(req->actor, m)));
	if (!json_is_array(notes))
		return;
	json_array_foreach(notes, i, x)
		ENSURE(x, "author", "at_words");
	ENSURE(view, "next_contact_words", "next_contact_on");
	json_object_set_new(view, "has_notes", json_boolean(json_array_size(notes) > 0));
	json_object_set_new(view, "open", json_boolean(ref_status_open(m->status)));
	json_object_set_new(view, "notes_action", json_string(web_url(req, "referral.notes", m->id, NULL)));
	json_object_set_new(view, "note_form", json_pack("{s:s, s:o}", "text",
		mine ? jtext(typed, "note") : "", "error",
		jstr_or_null(web_error_for(errors, "casework-note"))));
	json_object_set_new(view, "next_contact_form", web_date_boxes("next_contact_on",
		"When will you next contact them? (optional)", "For example, 27 3 2027. Your caseload "
		"shows them first from that day.", mine ? jtext(typed, "next_contact_on-day") : "",
		mine ? jtext(typed, "next_contact_on-month") : "",
		mine ? jtext(typed, "next_contact_on-year") : "", errors));
}

/* view.not_on_kith: nobody from the receiving organisation is on kith
 * yet (directory/claim.h), so the referrer and the person are told why
 * nothing is happening and that the coordinators are bringing it on. */
static enum err flag_not_on_kith(struct request *req, const struct ref_meta *m, json_t *view)
{
	bool waiting = false;
	enum err e = ref_status_open(m->status) ?
		claim_org_waiting(req->db, m->target_org_id, &waiting) : ERR_OK;

	json_object_set_new(view, "not_on_kith", json_boolean(waiting));
	return e;
}

/* The page for one referral: referral_view() (which audits the read, so
 * the caller holds a write transaction) plus what the page needs. errors
 * and typed come from a step or consent form that failed. */
static enum err show_page(struct request *req, struct response *resp, int status,
		const struct ref_meta *m, json_t *errors, const json_t *typed)
{
	unsigned parties = referral_parties(req->actor, m);
	json_t *view = NULL, *moves, *mv;
	size_t i;
	enum err e;

	if ((e = referral_view_from(ref_env(req), req->db, req->actor, m, req->now, req->client_ip,
				     req->id, &view)) != ERR_OK) {
		json_decref(errors);
		return e;
	}
	moves = json_object_get(view, "moves");
	json_array_foreach(moves, i, mv)
		decorate_move(req, mv, m->id, errors, typed);
	json_object_set_new(view, "has_moves", json_boolean(json_array_size(moves) > 0));
	decorate_consent(req, view, parties, errors);
	decorate_casework(req, view, m, errors, typed);
	json_object_set_new(view, "tag", json_string(status_tag(jtext(view, "status"))));
	json_object_set_new(view, "is_person", json_boolean(parties & PARTY_PERSON));
	json_object_set_new(view, "is_receiver", json_boolean(parties & PARTY_RECEIVER));
	json_object_set_new(view, "has_events", json_boolean(json_array_size(json_object_get(view, "events")) > 0));
	json_object_set_new(view, "has_needs", json_boolean(json_array_size(json_object_get(view, "needs")) > 0));
	normalise_view(view, m);
	if ((e = flag_not_on_kith(req, m, view)) != ERR_OK) {
		json_decref(view);
		json_decref(errors);
		return e;
	}
	if (parties & PARTY_PERSON) {
		json_t *readers = NULL;

		if ((e = referral_readers(req->db, m->id, &readers)) != ERR_OK) {
			json_decref(view);
			json_decref(errors);
			return e;
		}
		json_object_set_new(view, "has_readers", json_boolean(json_array_size(readers) > 0));
		json_array_foreach(readers, i, mv)
			ENSURE(mv, "role", "at_words", "actor_name");
		json_object_set_new(view, "readers", readers);
	}
	web_set_errors(view, errors);
	done_banner(req, view);
	return web_page(req, resp, status, "referral/show.html",
			    arena_printf(&req->arena, "Referral to %s",
					 jtext(json_object_get(view, "target"), "name")), view);
}

static enum err show_get(struct request *req, struct response *resp)
{
	struct ref_meta m;
	enum err e;

	if ((e = load_or_404(req, &act_referral_view, &m)) != ERR_OK)
		return e;
	return show_page(req, resp, 200, &m, NULL, NULL);
}

/* A failed form on the referral's page: the page again, in a transaction
 * of its own (the view audits the read). */
static enum err show_again(struct request *req, struct response *resp, int status,
		const struct ref_meta *m, json_t *errors, const json_t *typed)
{
	enum err e = db_begin(req->db);

	if (e) {
		json_decref(errors);
		return e;
	}
	if ((e = show_page(req, resp, status, m, errors, typed)) == ERR_OK)
		e = db_commit(req->db);
	return e;
}

/* What a referral is to, for a confirmation's heading. */
static const char *target_words(struct request *req, const struct ref_meta *m)
{
	struct ref_row row;

	if (ref_db_row(req->db, &req->arena, m->id, &row) == ERR_OK && row.target_name && row.target_name[0])
		return row.target_name;
	return "this service";
}

/* Withdrawing or closing a referral ends it: asked once first. */
static bool status_confirmed(struct request *req, struct response *resp, const struct ref_meta *m,
		enum ref_status s, const char **note, enum err *e)
{
	/* What each ending says; the heading is followed by where it was going. */
	static const struct { enum ref_status to; struct confirm c; } endings[] = {
		{ REF_WITHDRAWN, {
			.heading = "Withdraw the referral to ",
			.happens = "The referral ends now. The organisation is told it has been withdrawn "
				   "and will not contact the person about it.\n\n"
				   "What has happened so far stays on the record.",
			.warning = "A withdrawn referral cannot be opened again: to go ahead later, make a "
				   "new one.",
			.button = "Yes, withdraw it",
			.reason_label = "Why is it being withdrawn? (optional)",
			.reason_hint = "This goes on the referral's record, which the person can see. Do "
				       "not include health details.",
		} },
		{ REF_CLOSED, {
			.heading = "Close the referral to ",
			.happens = "The referral ends now, with the reason you gave. It no longer appears "
				   "in lists of open referrals, and no more reminders are sent about it.\n\n"
				   "What has happened so far stays on the record.",
			.warning = "A closed referral cannot be opened again.",
			.button = "Yes, close it",
		} },
	};
	const char *why_given = NULL;
	struct confirm c;
	char why[200];
	size_t i;
	bool yes;

	for (i = 0; i < ARRAY_LEN(endings) && endings[i].to != s; i++)
		;
	/* Asked only of someone who may take the step now; anyone else gets
	 * the refusal the step itself gives. */
	if (i == ARRAY_LEN(endings) ||
	    referral_can_move(referral_parties(req->actor, m), m->status, s, 0, 0, req->now, why,
			      sizeof(why)) != ERR_OK)
		return true;
	c = endings[i].c;
	c.heading = arena_printf(&req->arena, "%s%s?", c.heading, target_words(req, m));
	c.cancel_href = web_url(req, "referral.show", m->id, NULL);
	yes = web_confirmed(req, resp, &c, &why_given, e);
	if (yes && why_given && (!*note || !(*note)[0]))
		*note = why_given;
	return yes;
}

/* Withdrawing agreement has effects of its own: asked once first. */
static bool consent_confirmed(struct request *req, struct response *resp, const struct ref_meta *m,
		enum consent_purpose p, enum err *e)
{
	static const char *const what[CONSENT__MAX] = {
		[CONSENT_SHARE] = "The organisation will no longer see the person's details, and every "
				  "open referral of theirs is withdrawn: the organisations are told.",
		[CONSENT_CONTACT] = "Nobody will contact the person by email or text message about this "
				    "referral. Other ways of getting in touch they chose still stand.",
		[CONSENT_OUTCOME] = "The person who referred them will no longer be told how it went.",
	};
	const struct confirm c = {
		.heading = arena_printf(&req->arena, "Withdraw agreement to %s?",
					p == CONSENT_SHARE ? "share their details" :
					p == CONSENT_CONTACT ? "contact them about this referral" :
					"tell the referrer how it went"),
		.happens = what[p],
		.warning = "To agree again later, record it on the referral.",
		.button = "Yes, withdraw agreement",
		.cancel_href = arena_printf(&req->arena, "%s#consent", web_url(req, "referral.show", m->id, NULL)),
	};
	const char *ignored;

	return web_confirmed(req, resp, &c, &ignored, e);
}

/* A step (status_post) and a change of consent (consent_post), on the one
 * POST path: the handler finds the referral and asks first where a step
 * ends something (web_confirmed), act() takes the step inside the path's
 * transaction, and a refusal comes back on the referral's page by the
 * form it came from. */
static const struct field_def step_fields[] = {
	DOMAIN_FIELD("to"), DOMAIN_FIELD("reason"), DOMAIN_FIELD("note"),
	{ .name = "happened_on", .label = "The date it happened", .kind = FIELD_DATE },
	DOMAIN_FIELD("method"),
};

/* The fields each step's own form has, whose errors go by that form. */
static bool step_own_field(const char *f)
{
	return strcmp(f, "reason") == 0 || strcmp(f, "note") == 0 || strcmp(f, "happened_on") == 0 ||
	       strcmp(f, "method") == 0;
}

struct step {
	struct ref_meta m;
	bool known;                  /* "to" is a status */
	enum ref_status s;
	const char *note;            /* as typed, or the confirmation's reason */
};

/* Each of referral_move()'s messages by its own step's form. */
static void step_errors(struct request *req, const struct step *c, const char *to,
		const json_t *raw, json_t *errors)
{
	bool known = c->known;
	size_t i;
	const json_t *x;

	json_array_foreach(raw, i, x) {
		const char *f = jtext(x, "field");
		const char *d = json_string_value(json_object_get(x, "detail"));

		if (known && step_own_field(f))
			web_error_once(errors, arena_printf(&req->arena, "%s-%s", f, to), d);
		else
			web_error_once(errors, known ? arena_printf(&req->arena, "move-%s", to) : "moves", d);
	}
	if (!json_array_size(errors))
		web_error_once(errors, "moves", "Choose a step from the list and try again");
}

static enum err step_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct step *c = ctx;
	const struct ref_meta m = c->m;
	const struct ref_step s = {
		.to = web_bound(b, "to")->text ? web_bound(b, "to")->text : "",
		.reason = web_bound(b, "reason")->text, .note = c->note,
		.happened_on = web_bound(b, "happened_on")->text, .method = web_bound(b, "method")->text,
	};
	const char *to = s.to;
	json_t *raw = json_array();
	enum err e;

	UNUSED(resp);
	e = referral_step(ref_env(req), req->db, req->actor, &m, &s, req->now, raw);
	if (e == ERR_CONFLICT)
		e = req_fail(req, ERR_CONFLICT, first_detail(raw, "This step does not fit where the "
				"referral has got to. Go back to the referral to see what can happen next."));
	else if (e == ERR_FORBIDDEN)
		e = req_fail(req, ERR_FORBIDDEN, "You cannot take this step on this referral. Go "
			     "back to the referral to see the steps you can take.");
	else if (e == ERR_INVALID)
		step_errors(req, c, to, raw, errors);
	json_decref(raw);
	return e;
}

static enum err step_page(struct request *req, struct response *resp, int status,
		json_t *values, json_t *errors, void *ctx)
{
	const struct step *c = ctx;
	json_t *typed = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
				  "to", c->known ? jtext(values, "to") : "",
				  "reason", jtext(values, "reason"), "note", c->note ? c->note : "",
				  "happened_on-day", jtext(values, "happened_on-day"),
				  "happened_on-month", jtext(values, "happened_on-month"),
				  "happened_on-year", jtext(values, "happened_on-year"),
				  "method", jtext(values, "method"));
	size_t i;
	json_t *x;
	enum err e;

	/* What the binder found wrong goes by the step's own form too. */
	json_array_foreach(errors, i, x)
		if (c->known && step_own_field(jtext(x, "field")))
			json_object_set_new(x, "field", json_sprintf("%s-%s", jtext(x, "field"),
								    jtext(values, "to")));
	e = show_again(req, resp, status, &c->m, errors, typed);

	json_decref(typed);
	json_decref(values);
	return e;
}

static const char *step_done(struct request *req, void *ctx)
{
	const struct step *c = ctx;

	return arena_printf(&req->arena, "%s?done=%s", web_url(req, "referral.show", c->m.id, NULL),
			    ref_status_name(c->s));
}

static const struct form_post step_form = {
	.fields = step_fields, .nfields = ARRAY_LEN(step_fields),
	.act = step_act, .page = step_page, .done = step_done,
};

static enum err status_post(struct request *req, struct response *resp)
{
	const char *to = web_form_text(req, "to");
	struct step c = { .s = REF_SENT, .note = web_form_text(req, "note") };
	enum err e;

	if ((e = load_or_404(req, &act_referral_update, &c.m)) != ERR_OK)
		return e;
	c.known = to && ref_status_parse(to, &c.s);
	if (c.known && !status_confirmed(req, resp, &c.m, c.s, &c.note, &e))
		return e;
	return web_form_post(req, resp, &step_form, &c);
}

static const struct field_def consent_change_fields[] = {
	DOMAIN_FIELD("purpose"), DOMAIN_FIELD("action"), DOMAIN_FIELD("method"),
};

struct consent_change {
	struct ref_meta m;
	bool known;                  /* "purpose" is one */
	const char *box;             /* its box's id, where its errors go */
	bool give;
};

/* Only "give" or "withdraw": anything else is said by the box. */
static enum err consent_before(struct request *req, const struct bound *b, json_t *errors,
		void *ctx)
{
	struct consent_change *c = ctx;
	const char *action = web_bound(b, "action")->text;

	UNUSED(req);
	if (!action || (strcmp(action, "give") != 0 && strcmp(action, "withdraw") != 0)) {
		web_error_once(errors, c->box, "Choose whether to record consent or withdraw it");
		return ERR_INVALID;
	}
	c->give = strcmp(action, "give") == 0;
	return ERR_OK;
}

static enum err consent_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct consent_change *c = ctx;
	const struct ref_meta m = c->m;
	const char *purpose = web_bound(b, "purpose")->text, *method = web_bound(b, "method")->text;
	bool give = c->give;
	unsigned parties = referral_parties(req->actor, &m);
	json_t *raw = json_array(), *x;
	size_t i;
	enum err e;

	UNUSED(resp);
	/* The person themself agrees here, online; others say how. */
	if (give && (parties & PARTY_PERSON) && !(parties & PARTY_STAFF))
		method = consent_method_name(CONSENT_ONLINE);
	e = referral_consent(req->db, req->actor, &m, purpose ? purpose : "", give,
			     method && method[0] ? method : NULL, req->now, raw);
	if (e == ERR_FORBIDDEN)
		e = req_fail(req, ERR_FORBIDDEN, "Only the person, the person who referred them or a "
			     "coordinator can change their consent.");
	if (e == ERR_INVALID) {
		json_array_foreach(raw, i, x) {
			const char *f = jtext(x, "field");

			web_error_once(errors, c->known && strstr(f, "method") ?
				  arena_printf(&req->arena, "%s-method", c->box) : c->box,
				  strstr(f, "method") ? METHOD_WORDS : json_string_value(json_object_get(x, "detail")));
		}
		if (!json_array_size(errors))
			web_error_once(errors, c->box, "Check the choice and try again");
	}
	json_decref(raw);
	return e;
}

static enum err consent_page(struct request *req, struct response *resp, int status,
		json_t *values, json_t *errors, void *ctx)
{
	const struct consent_change *c = ctx;

	json_decref(values);
	return show_again(req, resp, status, &c->m, errors, NULL);
}

static const char *consent_done(struct request *req, void *ctx)
{
	const struct consent_change *c = ctx;

	return arena_printf(&req->arena, "%s?done=%s", web_url(req, "referral.show", c->m.id, NULL),
			    c->give ? "consent-given" : "consent-withdrawn");
}

static const struct form_post consent_form = {
	.fields = consent_change_fields, .nfields = ARRAY_LEN(consent_change_fields),
	.before = consent_before, .act = consent_act, .page = consent_page, .done = consent_done,
};

static enum err consent_post(struct request *req, struct response *resp)
{
	const char *purpose = web_form_text(req, "purpose");
	const char *action = web_form_text(req, "action");
	struct consent_change c;
	enum consent_purpose p;
	enum err e;

	memset(&c, 0, sizeof(c));
	if ((e = load_or_404(req, &act_referral_update, &c.m)) != ERR_OK)
		return e;
	c.known = purpose && consent_purpose_parse(purpose, &p);
	c.box = c.known ? arena_printf(&req->arena, "consent-%s", purpose) : "consent";
	/* Withdrawing is asked first, of those who may. */
	if (action && strcmp(action, "withdraw") == 0 && c.known &&
	    (referral_parties(req->actor, &c.m) & (PARTY_PERSON | PARTY_REFERRER | PARTY_STAFF)) &&
	    !consent_confirmed(req, resp, &c.m, p, &e))
		return e;
	return web_form_post(req, resp, &consent_form, &c);
}

/* Case notes and the next contact (notes_post), on the one POST path:
 * the referrer and coordinators only (403 for the others who can see the
 * referral, 404 for anyone else). */
static const struct field_def notes_fields[] = {
	DOMAIN_FIELD("note"),
	{ .name = "next_contact_on", .label = "The date of the next contact", .kind = FIELD_DATE },
	{ .name = "clear_next", .label = "clear_next", .kind = FIELD_BOOL },
};

struct notes_change {
	struct ref_meta m;
	bool cleared;
};

/* The casework form's ids: the note box is "casework-note". */
static void notes_errors(json_t *errors)
{
	size_t i;
	json_t *x;

	json_array_foreach(errors, i, x)
		if (strcmp(jtext(x, "field"), "note") == 0)
			json_object_set_new(x, "field", json_string("casework-note"));
}

static enum err notes_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct notes_change *c = ctx;
	const struct ref_meta m = c->m;
	const char *next = web_bound(b, "next_contact_on")->text;
	json_t *raw = json_array();
	enum err e;

	UNUSED(resp);
	c->cleared = web_bound(b, "clear_next")->on;
	e = referral_casework(req->db, req->actor, &m, web_bound(b, "note")->text,
			      c->cleared ? "" : next, req->now, raw);
	if (e == ERR_FORBIDDEN)
		e = req_fail(req, ERR_FORBIDDEN, "Only the person who made the referral or a "
			     "coordinator can keep notes on it.");
	if (e == ERR_INVALID) {
		notes_errors(raw);
		merge_errors(req, errors, raw, keep_field, false);
	}
	json_decref(raw);
	return e;
}

static enum err notes_page(struct request *req, struct response *resp, int status,
		json_t *values, json_t *errors, void *ctx)
{
	const struct notes_change *c = ctx;
	json_t *typed = json_pack("{s:s, s:s, s:s, s:s, s:s}", "form", "casework",
				  "note", jtext(values, "note"),
				  "next_contact_on-day", jtext(values, "next_contact_on-day"),
				  "next_contact_on-month", jtext(values, "next_contact_on-month"),
				  "next_contact_on-year", jtext(values, "next_contact_on-year"));
	enum err e;

	notes_errors(errors);
	e = show_again(req, resp, status, &c->m, errors, typed);
	json_decref(typed);
	json_decref(values);
	return e;
}

static const char *notes_done(struct request *req, void *ctx)
{
	const struct notes_change *c = ctx;

	return arena_printf(&req->arena, "%s?done=%s#casework", web_url(req, "referral.show", c->m.id,
			    NULL), c->cleared ? "next-cleared" : "notes");
}

static const struct form_post notes_form = {
	.fields = notes_fields, .nfields = ARRAY_LEN(notes_fields),
	.act = notes_act, .page = notes_page, .done = notes_done,
};

static enum err notes_post(struct request *req, struct response *resp)
{
	struct notes_change c;
	enum err e;

	memset(&c, 0, sizeof(c));
	if ((e = load_or_404(req, &act_referral_update, &c.m)) != ERR_OK)
		return e;
	if (!referral_may_casework(req->actor, &c.m))
		return req_fail(req, ERR_FORBIDDEN, "Only the person who made the referral or a "
				"coordinator can keep notes on it.");
	return web_form_post(req, resp, &notes_form, &c);
}

/* ---------------------------------------------------------------- lists */

static enum err list(struct request *req, enum ref_list_kind kind, const char *org_id, int status,
		bool follow_up_only, int limit, int offset, json_t **items, int64_t *total)
{
	struct ref_list_opts o = {
		.kind = kind, .org_id = org_id, .status = status, .follow_up_only = follow_up_only,
		.limit = limit, .offset = offset,
	};
	enum err e = referral_list(ref_env(req), req->db, req->actor, &o, req->now, items, total);

	if (e == ERR_OK)
		decorate_items(req, *items, kind == REF_LIST_MINE);
	return e;
}

static json_t *group(const char *id, const char *title, const char *hint, const char *none,
		json_t *items)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:b}", "id", id, "title", title,
		"hint", hint, "none", none, "items", items, "count",
		(json_int_t)json_array_size(items), "any", json_array_size(items) > 0);
}

#define SEARCH_MAX 100       /* bytes of a search */

/* The words searched for: the form's q (a POST, so a name never sits in
 * an address: docs/THREATS.md), trimmed; "" for none, NULL for words
 * that cannot be searched (too long, unreadable, more than one line). */
static const char *posted_search(struct request *req)
{
	const char *q = web_form_text(req, "q");
	size_t n = q ? strlen(q) : 0;

	if (n == 0)
		return "";
	if (n > SEARCH_MAX || !str_is_clean_utf8(q, n) || strpbrk(q, "\r\n\t"))
		return NULL;
	return q;
}

/* A search that cannot be run: the page again (422) with what to fix by
 * the search box. */
static void search_refused(json_t *data, bool refused)
{
	json_t *errors = json_array();

	if (refused)
		web_error_once(errors, "q", "Search for a name of 100 characters or fewer, on one line");
	json_object_set_new(data, "search_error", jstr_or_null(web_error_for(errors, "q")));
	web_set_errors(data, errors);
}

/* The open statuses, in the order the loop goes. */
static const enum ref_status open_statuses[] = { REF_SENT, REF_ACCEPTED, REF_CONTACTED,
						 REF_ATTENDED, REF_SUSTAINED };

/* The receiving organisation's inbox. By default what needs doing, first
 * to last: what is overdue, what is new, whom to contact. Every open
 * referral stays here until it ends: ?status= one open status (or
 * "open", all of them) lists them a page at a time, with how many each
 * status has. Searching posts q (words in the person's or the service's
 * name) to the same address and answers with the first page of what
 * matches. Organisers see their own organisation's; coordinators and
 * admins choose one, or see every organisation's. */
static enum err inbox_page(struct request *req, struct response *resp, const char *words,
		bool refused)
{
	const char *q = req_query(req, "org"), *sq = req_query(req, "status");
	/* Any organisation's inbox (the policy's roles, not its ownership
	 * rule): coordinators and admins. */
	bool any_org = policy_can(req->actor, &act_referral_inbox,
				  "");
	const char *org = NULL, *oname = NULL, *base, *orgq;
	json_t *sent = NULL, *accepted = NULL, *overdue, *fresh, *tocontact, *data, *it, *orgs = NULL;
	json_t *tabs = NULL, *items = NULL, *tmp;
	int64_t nsent = 0, naccepted = 0, page = page_param(req), total = 0, n;
	enum ref_status chosen = REF_SENT;
	bool all_open = sq && strcmp(sq, "open") == 0;
	bool by_status = !all_open && sq && ref_status_parse(sq, &chosen) && ref_status_open(chosen);
	bool listing = all_open || by_status || words[0];
	size_t i;
	enum err e;

	if (q && str_is_uuid(str_c(q)))
		org = q;
	else if (!(q && strcmp(q, "all") == 0 && any_org))
		org = req->actor->org_id;
	if (org && !policy_can(req->actor, &act_referral_inbox,
			       org))
		return req_fail(req, ERR_NOT_FOUND, "There is no inbox for that organisation that you "
				"can see.");
	if (org) {
		if ((e = org_name(req->db, &req->arena, org, &oname)) != ERR_OK)
			return e;
		if (!oname)
			return req_fail(req, ERR_NOT_FOUND, "There is no organisation with that id.");
	} else if (!any_org) {
		return req_fail(req, ERR_FORBIDDEN, "Your account is not linked to an organisation. "
				"Ask a coordinator to link it.");
	}
	/* Links keep the organisation chosen (coordinators); never the words. */
	orgq = any_org && q && q[0] ? arena_printf(&req->arena, "org=%s&", org ? org : "all") : "";
	base = arena_printf(&req->arena, "/referrals/inbox?%s", orgq);
	/* Where each open referral is: a link a status, with how many. */
	tabs = json_array();
	json_array_append_new(tabs, json_pack("{s:s, s:o, s:b, s:b}", "words", "Needs action",
		"href", json_sprintf("/referrals/inbox%s%s", orgq[0] ? "?" : "",
				     orgq[0] ? arena_strndup(&req->arena, orgq, strlen(orgq) - 1) : ""),
		"current", !listing, "has_count", false));
	for (size_t k = 0; k <= ARRAY_LEN(open_statuses); k++) {
		bool every = k == ARRAY_LEN(open_statuses);
		struct ref_list_opts o = {
			.kind = REF_LIST_INBOX, .org_id = org, .limit = 1,
			.status = every ? -1 : (int)open_statuses[k], .open_only = every,
		};

		tmp = NULL;
		if ((e = referral_list(ref_env(req), req->db, req->actor, &o, req->now, &tmp, &n)) != ERR_OK)
			goto fail;
		json_decref(tmp);
		json_array_append_new(tabs, json_pack("{s:s, s:o, s:b, s:I, s:b}",
			"words", every ? "All open" : ref_status_words(open_statuses[k]),
			"href", json_sprintf("%sstatus=%s", base, every ? "open" :
					     ref_status_name(open_statuses[k])),
			"current", every ? all_open || (!by_status && words[0]) :
				   by_status && chosen == open_statuses[k],
			"count", (json_int_t)n, "has_count", true));
	}
	if (listing) {
		struct ref_list_opts o = {
			.kind = REF_LIST_INBOX, .org_id = org, .search = words, .limit = PER_PAGE,
			.offset = (int)((page - 1) * PER_PAGE), .status = by_status ? (int)chosen : -1,
			.open_only = !by_status,
		};

		if ((e = referral_list(ref_env(req), req->db, req->actor, &o, req->now, &items,
				       &total)) != ERR_OK)
			goto fail;
		decorate_items(req, items, false);
		data = json_pack("{s:s?, s:b, s:b, s:o, s:b, s:o, s:b, s:s, s:s, s:b, s:b, s:I}",
			"org_name", oname, "all", org == NULL, "any_org", any_org, "tabs", tabs,
			"listing", true, "items", items, "any", json_array_size(items) > 0,
			"showing", by_status ? ref_status_words(chosen) : "open", "q", words,
			"searched", words[0] != '\0', "more_found", words[0] && total > PER_PAGE, "found", (json_int_t)total);
		/* A search answers its first page; more words narrow it. */
		if (!words[0])
			view_paging(&req->arena, data, arena_printf(&req->arena, "%sstatus=%s&", base,
				    by_status ? ref_status_name(chosen) : "open"), page, PER_PAGE, total,
				    json_array_size(items));
	} else {
		if ((e = list(req, REF_LIST_INBOX, org, REF_SENT, false, INBOX_MAX, 0, &sent, &nsent)) != ERR_OK ||
		    (e = list(req, REF_LIST_INBOX, org, REF_ACCEPTED, false, INBOX_MAX, 0, &accepted, &naccepted)) != ERR_OK) {
			json_decref(sent);
			json_decref(accepted);
			goto fail;
		}
		overdue = json_array();
		fresh = json_array();
		tocontact = json_array();
		json_array_foreach(sent, i, it)
			json_array_append(item_overdue(it) ? overdue : fresh, it);
		json_array_foreach(accepted, i, it)
			json_array_append(item_overdue(it) ? overdue : tocontact, it);
		json_decref(sent);
		json_decref(accepted);
		data = json_pack("{s:s?, s:b, s:b, s:[o, o, o], s:b, s:o, s:b, s:s}", "org_name", oname,
			"all", org == NULL, "any_org", any_org,
			"groups",
			group("overdue", "Overdue", "Nobody has been in touch with them yet, and it has been "
			      "a while since they were referred. Contact them first.", "Nothing is overdue.",
			      overdue),
			group("new", "New referrals", "Look at each one and accept it, or decline it with a "
			      "reason.", "There are no new referrals.", fresh),
			group("to-contact", "To contact", "You have accepted these. Get in touch with each "
			      "person in the way they asked, then record it.", "Nobody is waiting to be "
			      "contacted.", tocontact),
			"more", nsent > INBOX_MAX || naccepted > INBOX_MAX, "tabs", tabs, "listing", false,
			"q", "");
	}
	tabs = NULL;
	if (!data)
		return ERR_NOMEM;
	/* Searching keeps the organisation and status in the form's address. */
	json_object_set_new(data, "search_action", by_status ?
		json_sprintf("%sstatus=%s", base, ref_status_name(chosen)) :
		json_stringn(base, strlen(base) - 1));
	if (any_org) {
		if ((e = org_choices(req->db, org, &orgs)) != ERR_OK) {
			json_decref(orgs);
			json_decref(data);
			return e;
		}
		json_object_set_new(data, "choose_org", json_true());
		json_object_set_new(data, "orgs", orgs);
	}
	search_refused(data, refused);
	return web_page(req, resp, refused ? 422 : 200, "referral/inbox.html", any_org ? "Referrals by "
			    "organisation" : "Referrals to your organisation", data);
fail:
	json_decref(tabs);
	return e;
}

static enum err inbox_get(struct request *req, struct response *resp)
{
	return inbox_page(req, resp, "", false);
}

/* A search of the inbox: a read, answered at once (nothing to redirect to). */
static enum err inbox_post(struct request *req, struct response *resp)
{
	const char *words = posted_search(req);

	return inbox_page(req, resp, words ? words : "", !words);
}

/* The referrer's caseload: who is due a contact they planned, who needs
 * following up, then everything they referred by status (?status= takes
 * a status code, nothing else). Searching posts q (words in the
 * person's or the service's name) and answers with the first page of
 * what matches. */
static enum err caseload_page(struct request *req, struct response *resp, const char *words,
		bool refused)
{
	const char *sq = req_query(req, "status");
	const char *base = "/referrals/caseload?";
	enum ref_status chosen;
	bool filtered = sq && ref_status_parse(sq, &chosen);
	int64_t page = page_param(req), total = 0, all = 0, n;
	json_t *follow = NULL, *due = NULL, *items = NULL, *tabs, *data, *tmp;
	enum err e;
	struct ref_list_opts dq = { .kind = REF_LIST_CASELOAD, .status = -1, .contact_due_only = true,
				    .limit = 100 };

	if ((e = list(req, REF_LIST_CASELOAD, NULL, -1, true, 100, 0, &follow, &n)) != ERR_OK)
		return e;
	if ((e = referral_list(ref_env(req), req->db, req->actor, &dq, req->now, &due, &n)) != ERR_OK) {
		json_decref(follow);
		return e;
	}
	decorate_items(req, due, false);
	tabs = json_array();
	for (int s = -1; s < REF__MAX; s++) {
		struct ref_list_opts o = { .kind = REF_LIST_CASELOAD, .status = s, .limit = 1 };

		tmp = NULL;
		if ((e = referral_list(ref_env(req), req->db, req->actor, &o, req->now, &tmp, &n)) != ERR_OK) {
			json_decref(tmp);
			goto fail;
		}
		json_decref(tmp);
		if (s < 0)
			all = n;
		json_array_append_new(tabs, json_pack("{s:s, s:I, s:o, s:b}",
			"words", s < 0 ? "All" : ref_status_words((enum ref_status)s), "count", (json_int_t)n,
			"href", s < 0 ? json_string("/referrals/caseload") :
				json_sprintf("%sstatus=%s", base, ref_status_name((enum ref_status)s)),
			"current", filtered ? s == (int)chosen : s < 0));
	}
	{
		struct ref_list_opts o = { .kind = REF_LIST_CASELOAD, .status = filtered ? (int)chosen : -1,
					   .search = words, .limit = PER_PAGE,
					   .offset = (int)((page - 1) * PER_PAGE) };

		if ((e = referral_list(ref_env(req), req->db, req->actor, &o, req->now, &items, &total)) != ERR_OK)
			goto fail;
		decorate_items(req, items, false);
	}
	data = json_pack("{s:{s:o}, s:b, s:{s:o}, s:b, s:o, s:o, s:b, s:s, s:b, s:s, s:b, s:b, s:I, s:o}",
		"follow_up", "items", follow, "any_follow_up", json_array_size(follow) > 0,
		"contact_due", "items", due, "any_contact_due", json_array_size(due) > 0,
		"tabs", tabs, "items", items, "any", json_array_size(items) > 0,
		"showing", filtered ? ref_status_words(chosen) : "All",
		"nothing_yet", all == 0, "q", words, "searched", words[0] != '\0',
		"more_found", words[0] && total > PER_PAGE, "found", (json_int_t)total,
		"search_action", filtered ? json_sprintf("/referrals/caseload?status=%s",
			ref_status_name(chosen)) : json_string("/referrals/caseload"));
	/* A search answers its first page; more words narrow it. */
	if (!words[0])
		view_paging(&req->arena, data, filtered ? arena_printf(&req->arena, "%sstatus=%s&", base,
			ref_status_name(chosen)) : base, page, PER_PAGE, total, json_array_size(items));
	search_refused(data, refused);
	return web_page(req, resp, refused ? 422 : 200, "referral/caseload.html", "Your caseload", data);
fail:
	json_decref(follow);
	json_decref(due);
	json_decref(tabs);
	json_decref(items);
	return e;
}

static enum err caseload_get(struct request *req, struct response *resp)
{
	return caseload_page(req, resp, "", false);
}

/* A search of the caseload: a read, answered at once. */
static enum err caseload_post(struct request *req, struct response *resp)
{
	const char *words = posted_search(req);

	return caseload_page(req, resp, words ? words : "", !words);
}

/* The person's own referrals: first link any made for their (confirmed)
 * email address to their account. */
static enum err mine_get(struct request *req, struct response *resp)
{
	int64_t page = page_param(req), total = 0;
	int claimed = 0;
	json_t *items = NULL, *data;
	enum err e;

	if (req->actor->verified && (e = referral_claim(req->db, req->actor, req->now, &claimed)) != ERR_OK)
		return e;
	if ((e = list(req, REF_LIST_MINE, NULL, -1, false, PER_PAGE, (int)((page - 1) * PER_PAGE),
		      &items, &total)) != ERR_OK)
		return e;
	data = json_pack("{s:o, s:b, s:b}", "items", items, "any", json_array_size(items) > 0,
			 "verified", req->actor->verified);
	view_paging(&req->arena, data, "/account/referrals?", page, PER_PAGE, total, json_array_size(items));
	if (claimed > 0)
		web_set_banner(data, false, claimed == 1 ? "We found a referral made for you with "
				   "your email address. It is now linked to your account." :
				   "We found referrals made for you with your email address. They are "
				   "now linked to your account.");
	return web_page(req, resp, 200, "referral/mine.html", "Your referrals", data);
}

/* ---------------------------------------------------------------- the overview */

/* The period from ?from-day=..&to-year=..: since and until (0: open) on
 * sent_at, UK days, the end day included. Errors name "from" and "to",
 * the ids of their day boxes. */
static void period(struct request *req, json_t *values, json_t *errors, int64_t *since,
		int64_t *until)
{
	static const char *const ends[] = { "from", "to" };
	int64_t t[2] = { 0, 0 };

	for (int k = 0; k < 2; k++) {
		const char *parts[3];
		static const char *const suffix[] = { "day", "month", "year" };
		const char *ymd;

		for (int j = 0; j < 3; j++) {
			const char *v = req_query(req, arena_printf(&req->arena, "%s-%s", ends[k], suffix[j]));
			struct str s = str_trim(str_c(v ? v : ""));

			parts[j] = arena_strndup(&req->arena, s.p, s.n);
			if (!str_is_clean_utf8(parts[j], strlen(parts[j])) || strlen(parts[j]) > 8)
				parts[j] = "x";
			json_object_set_new(values, arena_printf(&req->arena, "%s_%s", ends[k], suffix[j]),
					    json_string(parts[j]));
		}
		ymd = web_date_parts(req, parts[0], parts[1], parts[2], k ? "The end date" :
				      "The start date", ends[k], errors);
		if (ymd) {
			int64_t y = 0, m = 0, d = 0;

			str_to_i64((struct str){ ymd, 4 }, 1000, 9999, &y);
			str_to_i64((struct str){ ymd + 5, 2 }, 1, 12, &m);
			str_to_i64((struct str){ ymd + 8, 2 }, 1, 31, &d);
			t[k] = uk_to_utc((int)y, (int)m, (int)d, 0, 0);
			if (k == 1) {
				int64_t next = uk_days((int)y, (int)m, (int)d) + 1;
				int ny, nm, nd;

				uk_date(next, &ny, &nm, &nd);
				t[k] = uk_to_utc(ny, nm, nd, 0, 0);
			}
		}
	}
	if (t[0] && t[1] && t[1] <= t[0])
		web_error_once(errors, "to", "The end date must be the same as or after the start date");
	*since = t[0];
	*until = t[1];
}

/* The period as a query string for links ("" when none). */
static const char *period_query(struct request *req, const json_t *values)
{
	static const char *const keys[] = { "from_day", "from_month", "from_year", "to_day",
					    "to_month", "to_year" };
	static const char *const names[] = { "from-day", "from-month", "from-year", "to-day",
					     "to-month", "to-year" };
	struct buf b;
	const char *out;

	buf_init(&b, 512);
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		const char *v = jtext(values, keys[i]);

		if (!v[0])
			continue;
		buf_addf(&b, "%s%s=", b.len ? "&" : "?", names[i]);
		for (const char *p = v; *p; p++)
			if (*p >= '0' && *p <= '9')
				buf_addc(&b, *p);
	}
	out = buf_ok(&b) ? arena_strdup(&req->arena, b.p) : "";
	buf_release(&b);
	return out ? out : "";
}


/* Words and flags the overview page needs: each breakdown's rows as
 * they are, and whether there is any. */
static void overview_extras(json_t *ov)
{
	static const char *const lists[] = { "by_status", "by_source", "by_category" };
	static const char *const medians[] = { "median_days_to_accept", "median_days_to_contact",
					       "median_days_to_attend" };

	for (size_t i = 0; i < ARRAY_LEN(lists); i++) {
		char key[32];

		snprintf(key, sizeof(key), "has_%s", lists[i]);
		json_object_set_new(ov, key, json_boolean(json_array_size(json_object_get(ov, lists[i])) > 0));
	}
	static const char *const has[] = { "has_median_accept", "has_median_contact",
					   "has_median_attend" };

	for (size_t i = 0; i < ARRAY_LEN(medians); i++)
		json_object_set_new(ov, has[i], json_boolean(json_is_number(json_object_get(ov, medians[i]))));
}

static enum err overview_get(struct request *req, struct response *resp)
{
	json_t *values = json_object(), *errors = json_array(), *ov = NULL, *data;
	int64_t since, until;
	enum err e;

	period(req, values, errors, &since, &until);
	data = json_pack("{s:O, s:o, s:o, s:b}", "values", values,
		"from", web_date_boxes("from", "From", "For example, 1 4 2026", jtext(values, "from_day"),
				   jtext(values, "from_month"), jtext(values, "from_year"), errors),
		"to", web_date_boxes("to", "To", "For example, 31 3 2027", jtext(values, "to_day"),
				 jtext(values, "to_month"), jtext(values, "to_year"), errors),
		"filtered", since || until);
	json_object_set_new(data, "can_inbox", json_boolean(policy_can(req->actor, &act_referral_inbox, NULL)));
	if (json_array_size(errors)) {
		web_errors_sort(errors, (const char *const[]){ "from", "to" }, 2);
		web_set_errors(data, errors);
		json_decref(values);
		return web_page(req, resp, 422, "referral/overview.html", "Referrals overview", data);
	}
	json_decref(errors);
	if ((e = referral_overview(req->db, since, until, &ov)) != ERR_OK) {
		json_decref(values);
		json_decref(data);
		return e;
	}
	if (!policy_can(req->actor, &act_referral_rows, NULL))
		referral_overview_suppress(ov);
	else
		json_object_set_new(data, "rows_href", json_sprintf("%s%s",
			web_url(req, "referral.overview_csv", NULL), period_query(req, values)));
	overview_extras(ov);
	json_object_set_new(data, "overview", ov);
	json_object_set_new(data, "csv_href", json_sprintf("%s%s",
			    web_url(req, "referral.summary_csv", NULL), period_query(req, values)));
	json_decref(values);
	web_set_errors(data, NULL);
	return web_page(req, resp, 200, "referral/overview.html", "Referrals overview", data);
}

/* The period a report asks for: ERR_OK, or the 422 that says what to fix. */
static enum err report_period(struct request *req, int64_t *since, int64_t *until)
{
	json_t *values = json_object(), *errors = json_array();

	period(req, values, errors, since, until);
	json_decref(values);
	if (json_array_size(errors))
		return req_fail_fields(req, "Check the dates of the period and try again.", errors);
	json_decref(errors);
	return ERR_OK;
}

static enum err send_csv(struct request *req, struct response *resp, const char *csv, size_t len,
		const char *filename)
{
	resp_text(resp, 200, "text/csv; charset=utf-8", csv, len);
	if (!buf_ok(&resp->body))
		return req_fail(req, ERR_TOO_LARGE, "There are too many referrals in this period for "
				"one file. Choose a shorter period.");
	resp_header(resp, "Content-Disposition", arena_printf(&req->arena,
		    "attachment; filename=\"%s\"", filename));
	resp->no_store = true;
	return ERR_OK;
}

/* Counts, for everyone who reports (suppressed for those who may not see
 * rows). */
static enum err summary_csv(struct request *req, struct response *resp)
{
	const char *csv = NULL;
	size_t len = 0;
	int64_t since, until;
	json_t *ov = NULL;
	enum err e;

	if ((e = report_period(req, &since, &until)) != ERR_OK ||
	    (e = referral_overview(req->db, since, until, &ov)) != ERR_OK)
		return e;
	if (!policy_can(req->actor, &act_referral_rows, NULL))
		referral_overview_suppress(ov);
	e = referral_summary_csv(ov, &req->arena, &csv, &len);
	json_decref(ov);
	return e ? e : send_csv(req, resp, csv, len, "referral-counts.csv");
}

/* One row a referral: coordinators. */
static enum err overview_csv(struct request *req, struct response *resp)
{
	const char *csv = NULL;
	size_t len = 0;
	int64_t since, until;
	enum err e;

	if ((e = report_period(req, &since, &until)) != ERR_OK ||
	    (e = referral_csv(req->db, since, until, &req->arena, &csv, &len)) != ERR_OK)
		return e;
	return send_csv(req, resp, csv, len, "referrals.csv");
}

/* ---------------------------------------------------------------- the feature */


#define FORM (RF_FORM | RF_CSRF)

static const struct route routes[] = {
	{ M_GET,  "/referrals/new", new_get, &act_refer, 0, "referral.new" },
	{ M_POST, "/referrals/new", new_post, &act_refer, FORM, "referral.new" },
	{ M_GET,  "/services/{id:uuid}/refer-me", referme_get, &act_public, 0, "referral.referme" },
	{ M_POST, "/services/{id:uuid}/refer-me", referme_post, &act_public, FORM, "referral.referme" },
	{ M_GET,  "/referrals/inbox", inbox_get, &act_referral_inbox, 0, "referral.inbox" },
	{ M_POST, "/referrals/inbox", inbox_post, &act_referral_inbox, FORM, "referral.inbox_search" },
	{ M_GET,  "/referrals/caseload", caseload_get, &act_refer, 0, "referral.caseload" },
	{ M_POST, "/referrals/caseload", caseload_post, &act_refer, FORM, "referral.caseload_search" },
	{ M_GET,  "/referrals/overview", overview_get, &act_referral_report, 0, "referral.overview" },
	{ M_GET,  "/referrals/overview.csv", overview_csv, &act_referral_rows, 0, "referral.overview_csv" },
	{ M_GET,  "/referrals/summary.csv", summary_csv, &act_referral_report, 0, "referral.summary_csv" },
	{ M_GET,  "/referrals/{id:uuid}", show_get, &act_referral_view, RF_WRITE_TX, "referral.show" },
	{ M_POST, "/referrals/{id:uuid}/status", status_post, &act_referral_update, FORM, "referral.status" },
	{ M_POST, "/referrals/{id:uuid}/consent", consent_post, &act_referral_update, FORM, "referral.consent" },
	{ M_POST, "/referrals/{id:uuid}/notes", notes_post, &act_referral_update, FORM, "referral.notes" },
	{ M_GET,  "/account/referrals", mine_get, &act_signed_in, RF_WRITE_TX, "referral.mine" },
};

static const struct job jobs[] = {
	{ "referral_follow_up", 3600, referral_follow_up_job },
};

/* ---------------------------------------------------------------- settings */

#define RS(field) CFG(struct referral_settings, field)

static const struct config_key keys[] = {
	{ "self_referral_limit_account", CT_INT, RS(self_referral_limit_account), 1, 100000, "5",
	  "self-referrals (\"I'd like to go\", and the API's source self) one account may make "
	  "in an hour; every attempt counts, whether or not it makes a referral", NULL },
	{ "self_referral_limit_ip", CT_INT, RS(self_referral_limit_ip), 1, 100000, "10",
	  "\"I'd like to go\" requests allowed per client address in an hour (each emails an organisation)", NULL },
	{ "referral_follow_up_days", CT_INT, RS(referral_follow_up_days), 1, 365, "14",
	  "days after a referral is sent without the person being contacted before the referrer is asked to follow up", NULL },
	{ "referral_sustained_weeks", CT_INT, RS(referral_sustained_weeks), 1, 104, "6",
	  "weeks after first attending that a person still going counts as sustained", NULL },
	{ 0 },
};

const struct settings referral_settings = { "Referrals", keys, sizeof(struct referral_settings) };

/* ---------------------------------------------------------------- events */

/* A person who confirms an address is handed the referrals made for it. */
static enum err on_email_verified(const struct event *ev)
{
	return referral_email_verified(ev->db, ev->person_id, ev->email, ev->now);
}

static enum err on_person_erasing(const struct event *ev)
{
	return referral_erase_person(ev->db, ev->person_id, ev->now);
}

/* A group's register says someone came: their referral moves on
 * (referral_attend.c), with this app's settings and mailer. */
static enum err on_attendance(const struct event *ev)
{
	struct app *app = ev->owner;

	return referral_attendance(app ? REFERRAL_ENV(app) : NULL, ev->db, ev->service_id, ev->person_id,
				   ev->client_id, ev->day, ev->now);
}

static const struct subscription subscriptions[] = {
	{ EV_EMAIL_VERIFIED, on_email_verified },
	{ EV_PERSON_ERASING, on_person_erasing },
	{ EV_ATTENDANCE_RECORDED, on_attendance },
	{ 0 },
};

const struct feature referral_feature = {
	.settings = &referral_settings,
	.actions = referral_actions,
	.name = "referral",
	.routes = routes,
	.nroutes = ARRAY_LEN(routes),
	.jobs = jobs,
	.njobs = ARRAY_LEN(jobs),
	.export_person = referral_export_person,
	.subscriptions = subscriptions,
	.demo = referral_demo,
};
