/*
 * manage_web.c - looking after listings: organisers add and edit their
 * organisation's services (/manage and the service form), coordinators
 * review what needs attention (/review) and publish, archive or mark a
 * service as checked, and organisers confirm a service is still running.
 *
 * Permissions are the policy table's: routes need &act_service_edit or
 * &act_service_review, and every handler that touches one service asks
 * again with its organisation (RES_ORG). A service someone may not edit
 * is a 404, exactly like one that does not exist, so an organiser learns
 * nothing about other organisations' drafts.
 *
 * The service form is one page of fieldsets (what, who, when, where,
 * cost, how to join, languages, contact), each field with a hint. It is
 * checked by directory_check_form() plus the few checks only the page can
 * make (a select that came back with a value it never offered), and a
 * form with errors comes back as a 422 with an error summary, each
 * message by its field and everything typed kept. New services from
 * organisers are drafts until a coordinator publishes them; a
 * coordinator's are published at once; edits keep the state. Saving the
 * form counts as checking the service (it is assured), which also clears
 * any "is it still running?" question (freshness.h). After every commit
 * directory_apply_changes() (an after-commit hook) brings this process's search index up to date, so the
 * change shows in /find at once. State changes are audited
 * (service.created, service.updated, service.published, service.archived,
 * service.verified, service.confirmed) with the service id, never its
 * content.
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
#include "audit/audit.h"
#include "audit/audit_web.h"
#include "auth/auth_web.h"
#include "auth/person.h"
#include "core/log.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "directory/directory.h"
#include "directory/directory_feature.h"
#include "directory/freshness.h"
#include "directory/vocab.h"
#include "store/store.h"
#include "web/view.h"

#define REVIEW_PER_PAGE 20
#define ORG_CHOICES_MAX 2000


/* ---------------------------------------------------------------- helpers */

static bool can_edit_org(const struct request *req, const char *org_id)
{
	return org_id && policy_can(req->actor, &act_service_edit,
				    org_id);
}

static bool is_reviewer(const struct request *req)
{
	return policy_can(req->actor, &act_service_review, NULL);
}

static const char *id_param(const struct request *req)
{
	const struct param *p = req_param(req, "id");

	return p ? p->val : NULL;
}

/* One service, if this actor may manage it: a service they may not
 * manage is "not found", the same words as one that does not exist. */
static enum err load_service(struct request *req, struct svc_meta *meta)
{
	const char *id = id_param(req);
	enum err e;

	if (!id)
		return req_fail(req, ERR_NOT_FOUND, "There is no service at this address.");
	e = directory_meta(req->db, &req->arena, id, meta);
	if (e == ERR_OK && !can_edit_org(req, meta->org_id))
		e = ERR_NOT_FOUND;
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no service at this address, or it belongs to "
				"another organisation.");
	return e;
}

/* Where to go after a change: back to where the button was. */
static const char *back_href(struct request *req, const char *id, const char *done)
{
	const char *back = req_form(req, "back");
	const char *page = req_form(req, "page");
	int64_t pg = 1;

	if (back && strcmp(back, "review") == 0) {
		if (page && !str_to_i64(str_c(page), 1, 100000, &pg))
			pg = 1;
		return arena_printf(&req->arena, "%s?done=%s%s", web_url(req, "manage.review", NULL), done,
			pg > 1 ? arena_printf(&req->arena, "&page=%lld", (long long)pg) : "");
	}
	if (back && strcmp(back, "manage") == 0)
		return arena_printf(&req->arena, "%s?done=%s", web_url(req, "manage.home", NULL), done);
	return arena_printf(&req->arena, "%s?done=%s", web_url(req, "directory.service", id, NULL), done);
}

static enum err audit_service(struct request *req, const char *action, const char *id)
{
	return audit_req(req, action, 0, arena_printf(&req->arena, "service=%s", id));
}

/* After a commit (db_after_commit): bring this process's index up to
 * date. A failure here is not the person's (the background sync catches
 * up). */
static void sync_index(void *arg)
{
	struct request *req = arg;
	enum err e = directory_apply_changes(req->app->directory, req->db);

	if (e)
		log_warn("[%s] directory sync after a change failed: %s", req->id, err_name(e));
}

/* Fixed messages for ?done= (never text from the address bar). */
static void done_banner(struct request *req, json_t *data)
{
	static const struct {
		const char *word, *text;
	} done[] = {
		{ "published", "The service is published. People can find it now." },
		{ "archived", "The service is archived. People can no longer find it." },
		{ "verified", "The service is marked as checked today." },
		{ "confirmed", "Thank you. The service is marked as checked today." },
	};
	const char *w = req_query(req, "done");

	for (size_t i = 0; w && i < ARRAY_LEN(done); i++)
		if (strcmp(w, done[i].word) == 0)
			web_set_banner(data, true, done[i].text);
}

static const char *state_words(const char *state)
{
	if (!state)
		return "";
	if (strcmp(state, "draft") == 0)
		return "Draft";
	if (strcmp(state, "published") == 0)
		return "Published";
	if (strcmp(state, "archived") == 0)
		return "Archived";
	return state;
}

/* govuk-tag colour for a state. */
static const char *state_tag(const char *state)
{
	if (state && strcmp(state, "published") == 0)
		return "govuk-tag--green";
	if (state && strcmp(state, "archived") == 0)
		return "govuk-tag--grey";
	return "govuk-tag--yellow";
}

/* What every list of services here shows of one: its links and state. */
static void decorate_listing(struct request *req, json_t *it, const char *id, const char *state)
{
	json_object_set_new(it, "view_href", json_string(web_url(req, "directory.service", id, NULL)));
	json_object_set_new(it, "edit_href", json_string(web_url(req, "manage.edit", id, NULL)));
	json_object_set_new(it, "state_words", json_string(state_words(state)));
	json_object_set_new(it, "state_tag", json_string(state_tag(state)));
}

static json_t *jstr_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* ---------------------------------------------------------------- the form */

/* Text fields: the form field, the svc_form member and the HTML id. The
 * one POST path binds them; directory_check_form() judges them (and
 * form_from_values() their lengths, in bytes), so the binder only reads
 * and keeps what was typed. */
enum fld {
	F_NAME, F_DESCRIPTION, F_WHO_FOR, F_COST, F_ACCESS, F_PLACE, F_ADDR1, F_ADDR2,
	F_TOWN, F_POSTCODE, F_HOW_TO_JOIN, F_EMAIL, F_PHONE, F_URL, F__MAX
};

#define JUDGED .kind = FIELD_TEXT, .check = field_domain_judges

static const struct field_def flds[F__MAX] = {
	[F_NAME] = { .name = "name", .label = "Name of the service", .hint = "What people call "
		     "it, like Breathe Easy Scunthorpe or Tuesday Health Walk", .type = "text",
		     .autocomplete = "off", .max = 200, JUDGED },
	[F_DESCRIPTION] = { .name = "description", .label = "What happens", .hint = "What people "
			    "do there, and what to expect the first time. Use plain words. Leave a "
			    "blank line between paragraphs.", .rows = 8, .max = 8000, JUDGED },
	[F_WHO_FOR] = { .name = "who_for", .label = "Who it is for (optional)", .hint = "For "
			"example, anyone living with a lung condition, and the people who care for "
			"them", .rows = 3, .max = 2000, JUDGED },
	[F_COST] = { .name = "cost", .label = "What it costs (if it is not free)", .hint = "For "
		     "example, £2 a session, pay on the day", .type = "text", .autocomplete = "off",
		     .max = 300, JUDGED },
	[F_ACCESS] = { .name = "access_notes", .label = "Getting in and getting around (optional)",
		       .hint = "For example, a ramp at the side door, an accessible toilet, a "
		       "hearing loop, parking close by", .rows = 3, .max = 2000, JUDGED },
	[F_PLACE] = { .name = "place_name", .label = "Name of the place (optional)", .hint = "For "
		      "example, St Mary's Church Hall", .type = "text", .autocomplete = "off",
		      .max = 200, JUDGED },
	[F_ADDR1] = { .name = "address_1", .label = "Address line 1", .type = "text",
		      .autocomplete = "address-line1", .max = 200, JUDGED },
	[F_ADDR2] = { .name = "address_2", .label = "Address line 2 (optional)", .type = "text",
		      .autocomplete = "address-line2", .max = 200, JUDGED },
	[F_TOWN] = { .name = "town", .label = "Town or city", .type = "text",
		     .autocomplete = "address-level2", .width = "govuk-!-width-two-thirds",
		     .max = 100, JUDGED },
	[F_POSTCODE] = { .name = "postcode", .label = "Postcode", .type = "text",
			 .autocomplete = "postal-code", .width = "govuk-input--width-10", .max = 16,
			 JUDGED },
	[F_HOW_TO_JOIN] = { .name = "how_to_join", .label = "Anything else people need to know to "
			    "join (optional)", .hint = "For example, ring Sue first so she can meet "
			    "you at the door", .rows = 3, .max = 2000, JUDGED },
	[F_EMAIL] = { .name = "email", .label = "Email address (optional)", .hint = "Where people "
		      "can ask about it", .type = "email", .autocomplete = "off", .nospell = true,
		      .max = 254, JUDGED },
	[F_PHONE] = { .name = "phone", .label = "Phone number (optional)", .type = "tel",
		      .autocomplete = "off", .width = "govuk-input--width-20", .max = 40, JUDGED },
	[F_URL] = { .name = "url", .label = "Website (optional)", .hint = "The full address, like "
		    "https://www.example.org/walks", .type = "url", .autocomplete = "off",
		    .nospell = true, .max = 500, JUDGED },
};

static const char *const kind_codes[] = { "", "weekly", "fortnightly", "monthly", "monthly-date" };
static const char *const kind_words[] = {
	"Not used", "Every week", "Every other week", "Once a month, on a day of the week",
	"Once a month, on a date",
};
static const int nth_values[] = { 1, 2, 3, 4, -1 };
static const char *const nth_words[] = { "First", "Second", "Third", "Fourth", "Last" };
static const char *const day_words[] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
};

/* Adds to v (the text fields as bound, each kept as typed) the rest of
 * what was posted, so v is keyed like struct svc_form (the shape
 * directory_form_values() gives for an existing service); a text field
 * not sent, or not clean text, is "". */
static void values_from_post(struct request *req, json_t *v)
{
	json_t *cats = json_array(), *conds = json_array(), *langs = json_array();
	json_t *scheds = json_array();

	for (int i = 0; i < F__MAX; i++) {
		const char *s = json_string_value(json_object_get(v, flds[i].name));

		if (!s || !str_is_clean_utf8(s, strlen(s)))
			json_object_set_new(v, flds[i].name, json_string(""));
	}
	for (size_t i = 0; i < req->form.n; i++) {
		const struct kv *kv = &req->form.v[i];

		if (strcmp(kv->name, "categories") == 0 &&
		    vocab_find(vocab_categories, vocab_categories_n, kv->val) >= 0)
			json_array_append_new(cats, json_string(kv->val));
		else if (strcmp(kv->name, "conditions") == 0 &&
			 vocab_find(vocab_conditions, vocab_conditions_n, kv->val) >= 0)
			json_array_append_new(conds, json_string(kv->val));
		else if (strcmp(kv->name, "languages") == 0 &&
			 vocab_find(vocab_languages, vocab_languages_n, kv->val) >= 0)
			json_array_append_new(langs, json_string(kv->val));
	}
	json_object_set_new(v, "categories", cats);
	json_object_set_new(v, "conditions", conds);
	json_object_set_new(v, "languages", langs);
	json_object_set_new(v, "peer_led", json_boolean(req_form(req, "peer_led")));
	json_object_set_new(v, "online", json_boolean(req_form(req, "online")));
	json_object_set_new(v, "in_person", json_boolean(req_form(req, "in_person")));
	json_object_set_new(v, "wheelchair", json_boolean(req_form(req, "wheelchair")));
	{
		const char *free = req_form(req, "free");

		if (free && strcmp(free, "yes") == 0)
			json_object_set_new(v, "free", json_true());
		else if (free && strcmp(free, "no") == 0)
			json_object_set_new(v, "free", json_false());
	}
	{
		const char *join = req_form(req, "join");

		if (join && (join[0] == '\0' || vocab_find(vocab_join, JOIN__MAX, join) >= 0))
			json_object_set_new(v, "join", json_string(join));
	}
	for (int i = 0; i < SVC_FORM_SCHEDS; i++) {
		static const char *const parts[] = { "kind", "weekday", "nth", "monthday", "opens",
						     "closes", "notes" };
		json_t *s = json_object();

		for (size_t k = 0; k < ARRAY_LEN(parts); k++) {
			char name[32];
			const char *val;

			snprintf(name, sizeof(name), "sched%d_%s", i, parts[k]);
			val = web_form_text(req, name);
			if (val && str_is_clean_utf8(val, strlen(val)))
				json_object_set_new(s, parts[k], json_string(val));
		}
		json_array_append_new(scheds, s);
	}
	json_object_set_new(v, "scheds", scheds);
}

/* A JSON value as text: strings as they are, integers in decimal. */
static const char *val_text(struct request *req, const json_t *v)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		return arena_printf(&req->arena, "%lld", (long long)json_integer_value(v));
	return "";
}

/* Reads what the form's values say into f (strings point into values,
 * which must outlive f), adding errors for what only the page can get
 * wrong: a choice it never offered, a free/not free question left
 * unanswered. */
static void form_from_values(struct request *req, const json_t *v, struct svc_form *f,
		json_t *errors)
{
	const json_t *scheds = json_object_get(v, "scheds");
	const char *s;

	memset(f, 0, sizeof(*f));
	f->name = json_string_value(json_object_get(v, "name"));
	f->description = json_string_value(json_object_get(v, "description"));
	f->who_for = json_string_value(json_object_get(v, "who_for"));
	f->how_to_join = json_string_value(json_object_get(v, "how_to_join"));
	f->cost = json_string_value(json_object_get(v, "cost"));
	f->access_notes = json_string_value(json_object_get(v, "access_notes"));
	f->place_name = json_string_value(json_object_get(v, "place_name"));
	f->address_1 = json_string_value(json_object_get(v, "address_1"));
	f->address_2 = json_string_value(json_object_get(v, "address_2"));
	f->town = json_string_value(json_object_get(v, "town"));
	f->postcode = json_string_value(json_object_get(v, "postcode"));
	f->email = json_string_value(json_object_get(v, "email"));
	f->phone = json_string_value(json_object_get(v, "phone"));
	f->url = json_string_value(json_object_get(v, "url"));
	f->peer_led = json_is_true(json_object_get(v, "peer_led"));
	f->online = json_is_true(json_object_get(v, "online"));
	f->in_person = json_is_true(json_object_get(v, "in_person"));
	f->wheelchair = json_is_true(json_object_get(v, "wheelchair"));
	f->free = json_is_true(json_object_get(v, "free"));
	if (!json_is_boolean(json_object_get(v, "free")))
		web_error_once(errors, "free", "Say whether it is free");
	s = json_string_value(json_object_get(v, "join"));
	f->join = JOIN_UNKNOWN;
	if (s && s[0]) {
		int k = vocab_find(vocab_join, JOIN__MAX, s);

		f->join = k > 0 ? (enum join_how)k : JOIN_UNKNOWN;
	}
	for (size_t i = 0; i < vocab_categories_n && i < 64; i++)
		if (web_has_value(json_object_get(v, "categories"), vocab_categories[i].code))
			f->categories |= UINT64_C(1) << i;
	for (size_t i = 0; i < vocab_conditions_n && i < 64; i++)
		if (web_has_value(json_object_get(v, "conditions"), vocab_conditions[i].code))
			f->conditions |= UINT64_C(1) << i;
	for (size_t i = 0; i < vocab_languages_n && i < 32; i++)
		if (web_has_value(json_object_get(v, "languages"), vocab_languages[i].code))
			f->languages |= UINT32_C(1) << i;
	for (int i = 0; i < SVC_FORM_SCHEDS; i++) {
		const json_t *sc = json_array_get(scheds, (size_t)i);
		struct svc_form_sched *fs = &f->scheds[i];
		const char *kind = val_text(req, json_object_get(sc, "kind"));
		int64_t n;
		char field[32];
		bool known = false;

		fs->kind = "";
		fs->weekday = -1;
		fs->nth = 0;
		fs->monthday = 0;
		fs->opens = json_string_value(json_object_get(sc, "opens"));
		fs->closes = json_string_value(json_object_get(sc, "closes"));
		fs->notes = json_string_value(json_object_get(sc, "notes"));
		for (size_t k = 0; k < ARRAY_LEN(kind_codes); k++)
			if (strcmp(kind, kind_codes[k]) == 0) {
				fs->kind = kind_codes[k];
				known = true;
			}
		if (!known) {
			snprintf(field, sizeof(field), "sched%d_kind", i);
			web_error_once(errors, arena_strdup(&req->arena, field), "Choose how often it happens");
		}
		if (str_to_i64(str_c(val_text(req, json_object_get(sc, "weekday"))), 0, 6, &n))
			fs->weekday = (int)n;
		if (str_to_i64(str_c(val_text(req, json_object_get(sc, "nth"))), -1, 4, &n) && n != 0)
			fs->nth = (int)n;
		if (str_to_i64(str_c(val_text(req, json_object_get(sc, "monthday"))), 1, 31, &n))
			fs->monthday = (int)n;
		if (!fs->kind[0])
			continue;
		if (strcmp(fs->kind, "monthly-date") != 0 && fs->weekday < 0) {
			snprintf(field, sizeof(field), "sched%d_weekday", i);
			web_error_once(errors, arena_strdup(&req->arena, field), "Choose the day of the week");
		}
		if (strcmp(fs->kind, "monthly") == 0 && fs->nth == 0) {
			snprintf(field, sizeof(field), "sched%d_nth", i);
			web_error_once(errors, arena_strdup(&req->arena, field),
				  "Choose which week of the month, like the first or the last");
		}
		if (strcmp(fs->kind, "monthly-date") == 0 && fs->monthday == 0) {
			snprintf(field, sizeof(field), "sched%d_monthday", i);
			web_error_once(errors, arena_strdup(&req->arena, field), "Choose the date in the month");
		}
	}
	/* Lengths: every field is bounded before it goes anywhere. */
	for (int i = 0; i < F__MAX; i++) {
		const char *t = json_string_value(json_object_get(v, flds[i].name));

		if (t && strlen(t) > flds[i].max)
			web_error_once(errors, flds[i].name, arena_printf(&req->arena,
				  "%s must be %zu characters or fewer", flds[i].label, flds[i].max));
	}
}

/* "scheds[1].opens" (directory_check_form's names) -> "sched1_opens" (the
 * page's ids); anything that is not a field on this page -> the form. */
static const char *page_field(struct request *req, const char *f)
{
	int i;
	char rest[32];

	if (!f)
		return "service-form";
	for (int k = 0; k < F__MAX; k++)
		if (strcmp(f, flds[k].name) == 0)
			return f;
	if (strcmp(f, "categories") == 0 || strcmp(f, "conditions") == 0 ||
	    strcmp(f, "languages") == 0 || strcmp(f, "join") == 0 || strcmp(f, "free") == 0 ||
	    strcmp(f, "org_id") == 0 || strcmp(f, "in_person") == 0 || strcmp(f, "online") == 0 ||
	    (strncmp(f, "sched", 5) == 0 && strncmp(f, "scheds[", 7) != 0))
		return f;
	if (strncmp(f, "scheds[", 7) == 0 && f[7] >= '0' && f[7] < '0' + SVC_FORM_SCHEDS &&
	    f[8] == ']' && f[9] == '.') {
		i = f[7] - '0';
		snprintf(rest, sizeof(rest), "%s", f + 10);
		for (const char *const *p = (const char *const[]){ "kind", "weekday", "nth", "monthday",
				"opens", "closes", "notes", NULL }; *p; p++)
			if (strcmp(rest, *p) == 0)
				return arena_printf(&req->arena, "sched%d_%s", i, *p);
		return arena_printf(&req->arena, "sched%d_kind", i);
	}
	return "service-form";
}

/* Errors with their fields renamed for the page, first one per field. */
static json_t *page_errors(struct request *req, const json_t *in)
{
	json_t *out = json_array();
	size_t i;
	const json_t *x;

	json_array_foreach(in, i, x) {
		const char *d = json_string_value(json_object_get(x, "detail"));

		if (d)
			web_error_once(out, page_field(req, json_string_value(json_object_get(x, "field"))), d);
	}
	return out;
}

/* A group of checkboxes from a vocabulary: the first box's id is the
 * group's name, so the error summary can link to it. */
static json_t *checks_model(const char *name, const char *legend, const char *hint,
		const struct vocab_term *t, size_t n, const json_t *values, const json_t *errors)
{
	json_t *items = json_array();
	const json_t *chosen = json_object_get(values, name);
	const char *err = web_error_for(errors, name);
	char described[96];

	for (size_t i = 0; i < n; i++) {
		char id[80];

		if (i == 0)
			snprintf(id, sizeof(id), "%s", name);
		else
			snprintf(id, sizeof(id), "%s-%s", name, t[i].code);
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:b}", "id", id,
			"name", name, "value", t[i].code, "label", t[i].name,
			"checked", web_has_value(chosen, t[i].code)));
	}
	described[0] = '\0';
	if (hint)
		snprintf(described, sizeof(described), "%s-hint", name);
	if (err) {
		size_t l = strlen(described);

		snprintf(described + l, sizeof(described) - l, "%s%s-error", l ? " " : "", name);
	}
	return json_pack("{s:o, s:s, s:s, s:o, s:o, s:o, s:b}", "items", items, "group", name,
		"legend", legend, "hint", hint ? json_string(hint) : json_null(),
		"error", err ? json_string(err) : json_null(),
		"describedby", described[0] ? json_string(described) : json_null(),
		"open", err || json_array_size(chosen) > 0);
}

static json_t *options(const char *const *codes, const char *const *words, size_t n,
		const char *chosen)
{
	json_t *out = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, json_pack("{s:s, s:s, s:b}", "value", codes[i],
			"label", words[i], "selected", chosen && strcmp(chosen, codes[i]) == 0));
	return out;
}

static json_t *sched_model(struct request *req, int i, const json_t *sc, const json_t *errors)
{
	static const char *const day_codes[] = { "0", "1", "2", "3", "4", "5", "6" };
	static const char *const nth_codes[] = { "1", "2", "3", "4", "-1" };
	const char *monthday_codes[31], *monthday_words[31];
	json_t *o;
	char id[32];

	_Static_assert(ARRAY_LEN(nth_codes) == ARRAY_LEN(nth_values), "nth tables agree");
	_Static_assert(ARRAY_LEN(nth_codes) == ARRAY_LEN(nth_words), "nth tables agree");
	for (int d = 0; d < 31; d++) {
		monthday_codes[d] = arena_printf(&req->arena, "%d", d + 1);
		monthday_words[d] = monthday_codes[d];
	}
	o = json_pack("{s:i, s:i, s:s, s:o, s:o, s:o, s:o}", "number", i + 1, "index", i,
		"prefix", arena_printf(&req->arena, "sched%d", i),
		"kinds", options(kind_codes, kind_words, ARRAY_LEN(kind_codes),
				 val_text(req, json_object_get(sc, "kind"))),
		"days", options(day_codes, day_words, 7, val_text(req, json_object_get(sc, "weekday"))),
		"nths", options(nth_codes, nth_words, ARRAY_LEN(nth_codes),
				val_text(req, json_object_get(sc, "nth"))),
		"monthdays", options(monthday_codes, monthday_words, 31,
				     val_text(req, json_object_get(sc, "monthday"))));
	/* The second and third times fold away until they are used. */
	json_object_set_new(o, "first", json_boolean(i == 0));
	json_object_set_new(o, "open", json_boolean(i == 0 ||
		val_text(req, json_object_get(sc, "kind"))[0]));
	for (const char *const *p = (const char *const[]){ "kind", "weekday", "nth", "monthday",
			"opens", "closes", "notes", NULL }; *p; p++) {
		const char *err;

		snprintf(id, sizeof(id), "sched%d_%s", i, *p);
		err = web_error_for(errors, id);
		if (err)
			json_object_set_new(o, "open", json_true());
		json_object_set_new(o, arena_printf(&req->arena, "%s_id", *p), json_string(id));
		if (err)
			json_object_set_new(o, arena_printf(&req->arena, "%s_error", *p), json_string(err));
		if (strcmp(*p, "opens") == 0 || strcmp(*p, "closes") == 0 || strcmp(*p, "notes") == 0)
			json_object_set_new(o, *p, json_string(val_text(req, json_object_get(sc, *p))));
	}
	return o;
}

/* The form page's data: the fields with values and errors, the choices,
 * and the organisation (a fixed name, or a list for coordinators). */
static json_t *form_model(struct request *req, const char *action, const char *button,
		const json_t *values, const json_t *errors, json_t *orgs)
{
	json_t *fields = json_object(), *scheds = json_array(), *join_items = json_array();
	const char *join = json_string_value(json_object_get(values, "join"));
	const json_t *free = json_object_get(values, "free");
	json_t *m;

	for (int k = 0; k < F__MAX; k++)
		json_object_set_new(fields, flds[k].name, web_field(&flds[k], values, errors));
	for (int i = 0; i < SVC_FORM_SCHEDS; i++)
		json_array_append_new(scheds, sched_model(req, i,
			json_array_get(json_object_get(values, "scheds"), (size_t)i), errors));
	for (int j = JOIN_TURN_UP; j < JOIN__MAX; j++)
		json_array_append_new(join_items, json_pack("{s:s, s:s, s:s, s:b}",
			"id", j == JOIN_TURN_UP ? "join" : arena_printf(&req->arena, "join-%s",
									vocab_join[j].code),
			"value", vocab_join[j].code, "label", vocab_join[j].name,
			"checked", join && strcmp(join, vocab_join[j].code) == 0));
	json_array_append_new(join_items, json_pack("{s:s, s:s, s:s, s:b}", "id", "join-unknown",
		"value", "", "label", "Ask us first", "checked", join && !join[0]));
	m = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
		"action", action, "button", button, "fields", fields, "scheds", scheds,
		"categories", checks_model("categories", "Type of support", "Choose all that fit",
					   vocab_categories, vocab_categories_n, values, errors),
		"conditions", checks_model("conditions", "Health conditions it is especially for "
					   "(optional)", "Leave these empty if it is for anyone",
					   vocab_conditions, vocab_conditions_n, values, errors),
		"languages", checks_model("languages", "Languages it is offered in (optional)", NULL,
					  vocab_languages, vocab_languages_n, values, errors),
		"join", json_pack("{s:s, s:s, s:n, s:s?, s:s?, s:o}", "name", "join",
				  "legend", "How do people join?", "hint", "error",
				  web_error_for(errors, "join"), "describedby",
				  web_error_for(errors, "join") ? "join-error" : NULL, "items", join_items));
	json_object_set_new(m, "free_yes", json_boolean(json_is_true(free)));
	json_object_set_new(m, "free_no", json_boolean(json_is_false(free)));
	json_object_set_new(m, "free_error", jstr_or_null(web_error_for(errors, "free")));
	json_object_set_new(m, "peer_led", json_boolean(json_is_true(json_object_get(values, "peer_led"))));
	json_object_set_new(m, "online", json_boolean(json_is_true(json_object_get(values, "online"))));
	json_object_set_new(m, "in_person", json_boolean(json_is_true(json_object_get(values, "in_person"))));
	json_object_set_new(m, "wheelchair", json_boolean(json_is_true(json_object_get(values, "wheelchair"))));
	json_object_set_new(m, "where_error", jstr_or_null(web_error_for(errors, "in_person") ?
		web_error_for(errors, "in_person") : web_error_for(errors, "online")));
	if (orgs) {
		json_object_set_new(m, "org_select", json_true());
		json_object_set_new(m, "orgs", orgs);
		json_object_set_new(m, "org_error", jstr_or_null(web_error_for(errors, "org_id")));
	}
	return m;
}

/* The new-service page, for a GET or a failed POST. */
static enum err new_page(struct request *req, struct response *resp, int status,
		const json_t *values, json_t *errors, const char *org_id)
{
	json_t *orgs = NULL, *data;
	const char *oname = NULL;
	enum err e;

	if (is_reviewer(req)) {
		if ((e = org_choices(req->db, org_id, &orgs)) != ERR_OK) {
			json_decref(orgs);
			json_decref(errors);
			return e;
		}
	} else if ((e = org_name(req->db, &req->arena, req->actor->org_id, &oname)) != ERR_OK) {
		json_decref(errors);
		return e;
	}
	data = json_pack("{s:o, s:s?, s:b}",
		"form", form_model(req, web_url(req, "manage.new", NULL), "Save the service", values, errors, orgs),
		"org_name", oname, "is_new", true);
	json_object_set_new(data, "draft_note", json_boolean(!is_reviewer(req)));
	web_set_errors(data, errors);
	return web_page(req, resp, status, "directory/service-form.html", "Add a service", data);
}

static enum err edit_page(struct request *req, struct response *resp, int status,
		const struct svc_meta *meta, const json_t *values, json_t *errors)
{
	json_t *data = json_pack("{s:o, s:s, s:s?, s:s, s:o}",
		"form", form_model(req, web_url(req, "manage.edit", meta->id, NULL),
				   "Save changes", values, errors, NULL),
		"id", meta->id, "org_name", meta->org_name, "state", state_words(svc_state_name(meta->state)),
		"view_href", json_string(web_url(req, "directory.service", meta->id, NULL)));

	web_set_errors(data, errors);
	return web_page(req, resp, status, "directory/service-form.html",
			    arena_printf(&req->arena, "Change %s", meta->name ? meta->name : "the service"),
			    data);
}

/* Where each field sits on the page, so the error summary lists problems
 * in the order a person meets them. */
static const char *const page_order[] = {
	"org_id", "name", "description", "who_for", "categories", "conditions", "peer_led",
	"sched0_", "sched1_", "sched2_", "in_person", "online", "place_name", "address_1",
	"address_2", "town", "postcode", "wheelchair", "access_notes", "free", "cost", "join",
	"how_to_join", "languages", "email", "phone", "url",
};

/* The service form, new or changed, on the one POST path: service_before()
 * reads the rest of the form and checks it as directory_check_form() does,
 * service_act() saves it inside the path's transaction (the index catches
 * up after the commit), service_page() draws it again with what to fix. */
struct service_post {
	struct svc_meta *meta;       /* the service changed; NULL for a new one */
	const char *org_id;          /* NULL: not chosen */
	const char *audit;           /* "service.created", "service.updated" */
	struct save_opts opts;
	json_t *values;              /* everything posted (svc_form's strings point here) */
	struct svc_form f;
	struct save_report rep;
};

/* Adds each of directory's errors (its names) by its field on the page. */
static void merge_page_errors(struct request *req, const json_t *raw, json_t *errors)
{
	json_t *mapped = page_errors(req, raw);
	size_t i;
	json_t *x;

	json_array_foreach(mapped, i, x) {
		const char *field = json_string_value(json_object_get(x, "field"));

		/* "Is it free?" unanswered says it all: not also "say what
		 * it costs". */
		if (strcmp(field, "cost") == 0 && web_error_for(errors, "free"))
			continue;
		web_error_once(errors, field, json_string_value(json_object_get(x, "detail")));
	}
	json_decref(mapped);
}

static enum err service_before(struct request *req, const struct bound *b, json_t *errors,
		void *ctx)
{
	struct service_post *c = ctx;
	json_t *raw = json_array();

	c->values = json_copy(b->values);
	if (!c->values || !raw) {
		json_decref(raw);
		return ERR_NOMEM;
	}
	values_from_post(req, c->values);
	form_from_values(req, c->values, &c->f, errors);
	c->f.id = c->meta ? c->meta->id : NULL;
	c->f.org_id = c->org_id;
	directory_check_form(&c->f, raw);
	merge_page_errors(req, raw, errors);
	json_decref(raw);
	return json_array_size(errors) ? ERR_INVALID : ERR_OK;
}

static enum err service_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct service_post *c = ctx;
	struct svc_form *f = &c->f;
	const struct save_opts *opts = &c->opts;
	struct save_report *rep = &c->rep;
	json_t *fields = NULL;
	enum err e;

	UNUSED(resp);
	UNUSED(b);
	e = directory_save_form(req->db, f, opts, rep, &fields);
	if (e == ERR_INVALID) {
		merge_page_errors(req, fields, errors);
		if (!json_array_size(errors))
			web_error_once(errors, "service-form", "Check the details and try again");
	}
	json_decref(fields);
	if (e == ERR_OK && rep->outcome != SAVE_UNCHANGED)
		e = audit_service(req, c->audit, rep->id);
	if (e == ERR_OK)
		e = db_after_commit(req->db, sync_index, req);
	return e;
}

static enum err service_page(struct request *req, struct response *resp, int status,
		json_t *values, json_t *errors, void *ctx)
{
	struct service_post *c = ctx;
	json_t *v = c->values ? c->values : values;
	enum err e;

	if (!c->values)
		values_from_post(req, values);
	web_errors_sort(errors, page_order, ARRAY_LEN(page_order));
	e = c->meta ? edit_page(req, resp, status, c->meta, v, errors) :
		      new_page(req, resp, status, v, errors, c->org_id);
	json_decref(values);
	return e;
}

static const char *service_done(struct request *req, void *ctx)
{
	const struct service_post *c = ctx;
	const char *word = c->meta ? "saved" :
			   c->opts.state == SVC_PUBLISHED ? "created-published" : "created";

	return arena_printf(&req->arena, "%s?done=%s", web_url(req, "directory.service",
			    c->meta ? c->meta->id : c->rep.id, NULL), word);
}

static const struct form_post service_form = {
	.fields = flds, .nfields = F__MAX, .check_all = true,
	.before = service_before, .act = service_act, .page = service_page, .done = service_done,
};

static enum err service_post(struct request *req, struct response *resp, struct service_post *c)
{
	enum err e;

	memset(&c->rep, 0, sizeof(c->rep));
	e = web_form_post(req, resp, &service_form, c);
	json_decref(c->values);
	return e;
}

/* ---------------------------------------------------------------- pages */

static enum err manage_home(struct request *req, struct response *resp)
{
	const char *org = req->actor->org_id;
	bool organiser = (req->actor->roles & ROLE_BIT(ROLE_ORGANISER)) && org;
	json_t *data = json_pack("{s:b, s:b}", "reviewer", is_reviewer(req), "organiser", organiser);
	enum err e;

	if (organiser) {
		json_t *list = NULL, *it;
		const char *oname = NULL;
		size_t i, stale = 0;

		if ((e = org_name(req->db, &req->arena, org, &oname)) != ERR_OK ||
		    (e = directory_org_services(&req->app->links, req->db, org, req->now, &list)) != ERR_OK) {
			json_decref(data);
			return e;
		}
		json_array_foreach(list, i, it) {
			const char *id = json_string_value(json_object_get(it, "id"));
			const char *state = json_string_value(json_object_get(it, "state"));

			decorate_listing(req, it, id, state);
			json_object_set_new(it, "confirm_action", json_string(web_url(req, "manage.confirm", id, NULL)));
			json_object_set_new(it, "is_published", json_boolean(state && strcmp(state, "published") == 0));
			if (json_is_true(json_object_get(it, "stale")) ||
			    json_is_true(json_object_get(it, "overdue"))) {
				json_object_set_new(it, "needs_check", json_true());
				stale++;
			}
		}
		json_object_set_new(data, "org_name", json_string(oname ? oname : ""));
		json_object_set_new(data, "org_href", json_string(web_url(req, "directory.organisation", org, NULL)));
		json_object_set_new(data, "services", list);
		json_object_set_new(data, "has_services", json_boolean(json_array_size(list) > 0));
		json_object_set_new(data, "stale_count", json_integer((json_int_t)stale));
	}
	done_banner(req, data);
	return web_page(req, resp, 200, "directory/manage.html", "Your services", data);
}

static enum err new_get(struct request *req, struct response *resp)
{
	const char *org = req_query(req, "org");
	json_t *values = json_pack("{s:b, s:[{s:s}]}", "in_person", true, "scheds", "kind", "weekly");
	enum err e;

	if (org && !str_is_uuid(str_c(org)))
		org = NULL;
	e = new_page(req, resp, 200, values, NULL, org);
	json_decref(values);
	return e;
}

static enum err new_post(struct request *req, struct response *resp)
{
	bool reviewer = is_reviewer(req);
	const char *org = reviewer ? web_form_text(req, "org_id") : req->actor->org_id;
	const char *oname = NULL;
	struct service_post c = {
		.audit = "service.created",
		.opts = { .source = SRC_FORM, .state = reviewer ? SVC_PUBLISHED : SVC_DRAFT,
			  .actor = req->actor->id, .now = req->now, .assure = true },
	};
	enum err e;

	if (!org || !str_is_uuid(str_c(org)))
		org = NULL;
	else if ((e = org_name(req->db, &req->arena, org, &oname)) != ERR_OK)
		return e;
	if (!oname || !can_edit_org(req, org)) {
		/* Organisers never choose: this is a coordinator's select. */
		if (!reviewer)
			return req_fail(req, ERR_FORBIDDEN, "Your account is not linked to an "
					"organisation. Ask a coordinator to link it.");
		org = NULL;
	}
	c.org_id = org;
	return service_post(req, resp, &c);
}

static enum err edit_get(struct request *req, struct response *resp)
{
	struct svc_meta meta;
	json_t *values = NULL;
	enum err e;

	if ((e = load_service(req, &meta)) != ERR_OK)
		return e;
	if ((e = directory_form_values(req->db, meta.id, &values)) != ERR_OK)
		return e;
	e = edit_page(req, resp, 200, &meta, values, NULL);
	json_decref(values);
	return e;
}

static enum err edit_post(struct request *req, struct response *resp)
{
	struct svc_meta meta;
	struct service_post c = {
		.meta = &meta, .audit = "service.updated",
		.opts = { .source = SRC_FORM, .actor = req->actor->id, .now = req->now, .assure = true },
	};
	enum err e;

	if ((e = load_service(req, &meta)) != ERR_OK)
		return e;
	c.org_id = meta.org_id;
	c.opts.state = meta.state;
	return service_post(req, resp, &c);
}

/* ---------------------------------------------------------------- state changes */

/* Publishing, archiving and marking as checked, on the one POST path
 * with no fields: the handler finds the service and asks first before
 * archiving, change_act() makes the change inside the path's
 * transaction, and the index catches up after the commit. */
enum change { CH_PUBLISH, CH_ARCHIVE, CH_VERIFY, CH_CONFIRM };

struct state_change {
	struct svc_meta meta;
	enum change ch;
};

static const char *const change_words[] = {
	[CH_PUBLISH] = "published", [CH_ARCHIVE] = "archived",
	[CH_VERIFY] = "verified", [CH_CONFIRM] = "confirmed",
};

static enum err change_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	static const char *const actions[] = {
		[CH_PUBLISH] = "service.published", [CH_ARCHIVE] = "service.archived",
		[CH_VERIFY] = "service.verified", [CH_CONFIRM] = "service.confirmed",
	};
	const struct state_change *c = ctx;
	const struct svc_meta meta = c->meta;
	int64_t now = req->now;
	enum err e = ERR_OK;

	UNUSED(resp);
	UNUSED(b);
	UNUSED(errors);
	switch (c->ch) {
	case CH_PUBLISH:
		e = meta.state == SVC_PUBLISHED ? ERR_OK :
		    directory_set_state(req->db, meta.id, SVC_PUBLISHED, req->actor->id, now);
		break;
	case CH_ARCHIVE:
		e = meta.state == SVC_ARCHIVED ? ERR_OK :
		    directory_set_state(req->db, meta.id, SVC_ARCHIVED, req->actor->id, now);
		if (e == ERR_OK)
			e = freshness_clear(req->db, meta.id, now, NULL);
		break;
	case CH_VERIFY:
	case CH_CONFIRM:
		e = directory_assure(req->db, meta.id, req->actor->id, now);
		break;
	}
	if (e == ERR_OK)
		e = audit_service(req, actions[c->ch], meta.id);
	if (e == ERR_OK)
		e = db_after_commit(req->db, sync_index, req);
	return e;
}

static const char *change_done(struct request *req, void *ctx)
{
	const struct state_change *c = ctx;

	return back_href(req, c->meta.id, change_words[c->ch]);
}

static const struct form_post change_form = {
	.act = change_act, .done = change_done,
};

/* Archiving takes a service out of search: asked once first. */
static bool archive_confirmed(struct request *req, struct response *resp,
		const struct svc_meta *meta, enum err *e)
{
	const char *back = req_form(req, "back");
	const struct confirm c = {
		.heading = arena_printf(&req->arena, "Archive %s?", meta->name),
		.happens = "People will no longer find it when they search or be able to open "
			   "its page. Referrals already made to it are not changed.\n\n"
			   "The organisation's other services are not affected.",
		.warning = "Only a coordinator can publish it again.",
		.button = "Yes, archive it",
		.cancel_href = back && strcmp(back, "review") == 0 ? web_url(req, "manage.review", NULL) :
			       web_url(req, "directory.service", meta->id, NULL),
	};
	const char *reason;

	return web_confirmed(req, resp, &c, &reason, e);
}

static enum err change_state(struct request *req, struct response *resp, enum change ch)
{
	struct state_change c = { .ch = ch };
	enum err e;

	if ((e = load_service(req, &c.meta)) != ERR_OK)
		return e;
	if ((ch == CH_VERIFY || ch == CH_CONFIRM) && c.meta.state != SVC_PUBLISHED)
		return req_fail(req, ERR_CONFLICT, "Only a published service can be marked as "
				"checked. Publish it first.");
	if (ch == CH_ARCHIVE && c.meta.state != SVC_ARCHIVED &&
	    !archive_confirmed(req, resp, &c.meta, &e))
		return e;
	return web_form_post(req, resp, &change_form, &c);
}

static enum err publish_post(struct request *req, struct response *resp)
{
	return change_state(req, resp, CH_PUBLISH);
}

static enum err archive_post(struct request *req, struct response *resp)
{
	return change_state(req, resp, CH_ARCHIVE);
}

static enum err verify_post(struct request *req, struct response *resp)
{
	return change_state(req, resp, CH_VERIFY);
}

static enum err confirm_post(struct request *req, struct response *resp)
{
	return change_state(req, resp, CH_CONFIRM);
}

/* ---------------------------------------------------------------- review */

/* The changes a listing on /review can take, each a button: publish a
 * draft, mark a published one as checked, archive any not archived. */
static json_t *review_buttons(struct request *req, const char *id, const char *state)
{
	static const struct {
		const char *route, *cls, *words, *between;
	} b[] = {
		{ "manage.publish", NULL, "Publish", " " },
		{ "manage.verify", "govuk-button--secondary", "Mark as checked", ": " },
		{ "manage.archive", "govuk-button--warning", "Archive", " " },
	};
	bool published = state && strcmp(state, "published") == 0;
	bool offered[] = { !published, published, !state || strcmp(state, "archived") != 0 };
	json_t *out = json_array();

	for (size_t i = 0; i < ARRAY_LEN(b); i++)
		if (offered[i])
			json_array_append_new(out, json_pack("{s:s, s:s?, s:s, s:s}",
				"action", web_url(req, b[i].route, id, NULL), "class", b[i].cls,
				"words", b[i].words, "between", b[i].between));
	return out;
}

static enum err review_get(struct request *req, struct response *resp)
{
	const char *pagestr = req_query(req, "page");
	int64_t page = 1, total = 0, pages;
	json_t *items = NULL, *it, *data;
	size_t i;
	enum err e;

	if (pagestr && !str_to_i64(str_c(pagestr), 1, 100000, &page))
		page = 1;
	e = directory_review_list(&req->app->links, req->db, REVIEW_PER_PAGE, (int)((page - 1) * REVIEW_PER_PAGE), req->now,
				  &items, &total);
	if (e)
		return e;
	pages = total ? (total + REVIEW_PER_PAGE - 1) / REVIEW_PER_PAGE : 1;
	if (page > pages && total) {
		resp_redirect(req, resp, arena_printf(&req->arena, "%s?page=%lld", web_url(req, "manage.review", NULL), (long long)pages));
		json_decref(items);
		return ERR_OK;
	}
	json_array_foreach(items, i, it) {
		const char *id = json_string_value(json_object_get(it, "id"));
		const char *state = json_string_value(json_object_get(it, "state"));

		decorate_listing(req, it, id, state);
		json_object_set_new(it, "buttons", review_buttons(req, id, state));
	}
	data = json_pack("{s:o, s:b}", "items", items, "any", json_array_size(items) > 0);
	view_paging(&req->arena, data, arena_printf(&req->arena, "%s?", web_url(req, "manage.review", NULL)), page, REVIEW_PER_PAGE, total, json_array_size(items));
	json_object_set_new(data, "one", json_boolean(total == 1));
	done_banner(req, data);
	return web_page(req, resp, 200, "directory/review.html", "Review listings", data);
}

/* ---------------------------------------------------------------- the feature */


#define FORM (RF_FORM | RF_CSRF)

static const struct route routes[] = {
	{ M_GET,  "/manage", manage_home, &act_service_edit, 0, "manage.home" },
	{ M_GET,  "/manage/services/new", new_get, &act_service_edit, 0, "manage.new" },
	{ M_POST, "/manage/services/new", new_post, &act_service_edit, FORM, "manage.new" },
	{ M_GET,  "/manage/services/{id:uuid}/edit", edit_get, &act_service_edit, 0, "manage.edit" },
	{ M_POST, "/manage/services/{id:uuid}/edit", edit_post, &act_service_edit, FORM, "manage.edit" },
	{ M_POST, "/manage/services/{id:uuid}/confirm", confirm_post, &act_service_edit, FORM, "manage.confirm" },
	{ M_GET,  "/review", review_get, &act_service_review, 0, "manage.review" },
	{ M_POST, "/manage/services/{id:uuid}/publish", publish_post, &act_service_review, FORM, "manage.publish" },
	{ M_POST, "/manage/services/{id:uuid}/archive", archive_post, &act_service_review, FORM, "manage.archive" },
	{ M_POST, "/manage/services/{id:uuid}/verify", verify_post, &act_service_review, FORM, "manage.verify" },
	{ M_GET,  "/check/{token}", freshness_check_get, &act_public, 0, "manage.check" },
	{ M_POST, "/check/{token}", freshness_check_post, &act_public, FORM, "manage.check" },
};

static enum err freshness_job(struct app *app, struct db *db, int64_t now)
{
	return freshness_run(FRESHNESS_ENV(app), db, now);
}

static const struct job jobs[] = {
	{ "directory.freshness", 3600, freshness_job },
};

const struct feature directory_manage_feature = {
	.actions = directory_actions,
	.name = "directory_manage",
	.routes = routes,
	.nroutes = ARRAY_LEN(routes),
	.jobs = jobs,
	.njobs = ARRAY_LEN(jobs),
};
