/*
 * peer_web.c - the pages of peer support (peer.h), and the feature.
 *
 *   /peer-support                      what it is; your requests; links
 *   /peer-support/ask                  ask for a peer (the form)
 *   /peer-support/requests/{id}        where a request stands, in plain words
 *   /peer-support/volunteer            apply to be a peer supporter, or change what you offer
 *   /peer-support/mine                 a peer's own page: offers, matches, away
 *   /peer-support/matches/{id}         an offer (the peer answers) or a match:
 *                                      messages, sharing, contacts, end, concern
 *   /peer-support/coordinate           coordinators: who is waiting and why,
 *                                      the peer supporters, concerns, "match now"
 *   /peer-support/peers/{pid}          coordinators: one peer's checks and decisions
 *
 * Every form posts through web_form_post: one transaction, and on a
 * problem the page again with what was typed and what to fix.
 */
#include "core/common.h"
#include "peer/peer_feature.h"

#include "app/app.h"
#include "app/cli.h"
#include "app/config.h"
#include "app/features.h"
#include "audit/audit.h"
#include "auth/person.h"
#include "core/fields.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "directory/vocab.h"
#include "match/instance.h"
#include "match/match.h"
#include "peer/peer_policy.h"
#include "store/store.h"
#include "web/errors.h"
#include "web/form.h"
#include "web/url.h"
#include "web/view.h"

#include <stdio.h>
#include <stdlib.h>

/* ---------------------------------------------------------------- the env */



static const struct peer_env *env_of(struct request *req)
{
	struct peer_env *env = arena_zalloc(&req->arena, sizeof(*env));

	if (env)
		*env = (struct peer_env){
			.settings = req->app->cfg ? SETTINGS_OF(req->app->cfg, struct peer_settings,
								peer_settings) : NULL,
			.mailer = &req->app->mailer, .links = &req->app->links,
		};
	return env;
}

static enum err job_run(struct app *app, struct db *db, int64_t now)
{
	struct peer_env env = {
		.settings = app->cfg ? SETTINGS_OF(app->cfg, struct peer_settings, peer_settings) : NULL,
		.mailer = &app->mailer, .links = &app->links,
	};
	enum err e = db_begin(db);

	if (e)
		return e;
	e = peer_job(&env, db, now, NULL);
	if (e == ERR_OK)
		return db_commit(db);
	db_rollback(db);
	return e;
}

/* A choice's number ("5"); 0 for none. */
static int small_int(const char *s)
{
	int64_t v = 0;

	return s && str_to_i64((struct str){ s, strlen(s) }, 0, 1000, &v) ? (int)v : 0;
}

/* ---------------------------------------------------------------- choices */

/* The vocabularies as form choices, made once (constant tables). */
struct choices {
	struct field_choice conditions[VOCAB_MAX], languages[VOCAB_MAX], topics[64], wants[16],
		ways[MATCH_WAY__MAX], days[7], parts[3];
};

/* A vocabulary as a field's choices (at most max of its terms). */
static void to_choices(struct field_choice *out, size_t max, const struct vocab_term *t, size_t n)
{
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = (struct field_choice){ t[i].code, t[i].name };
}

static const struct choices *choices(void)
{
	static struct choices c;
	static int done;

	if (!__atomic_load_n(&done, __ATOMIC_ACQUIRE)) {
		to_choices(c.conditions, VOCAB_MAX, vocab_conditions, vocab_conditions_n);
		to_choices(c.languages, VOCAB_MAX, vocab_languages, vocab_languages_n);
		to_choices(c.topics, 64, peer_topics, peer_topics_n);
		to_choices(c.wants, 16, peer_wants, peer_wants_n);
		to_choices(c.ways, MATCH_WAY__MAX, peer_ways, MATCH_WAY__MAX);
		to_choices(c.days, 7, peer_days, 7);
		to_choices(c.parts, 3, peer_parts, 3);
		__atomic_store_n(&done, 1, __ATOMIC_RELEASE);
	}
	return &c;
}

static const struct field_choice miles_choices[] = {
	{ "1", "1 mile" }, { "2", "2 miles" }, { "5", "5 miles" }, { "10", "10 miles" }, { "20", "20 miles" },
};
static const struct field_choice prefers_choices[] = {
	{ "none", "No preference" }, { "woman", "A woman" }, { "man", "A man" },
};
static const struct field_choice gender_choices[] = {
	{ "woman", "A woman" }, { "man", "A man" }, { "other", "Another way" },
	{ "none", "I would rather not say" },
};
static const struct field_choice capacity_choices[] = {
	{ "1", "1 person" }, { "2", "2 people" }, { "3", "3 people" }, { "4", "4 people" },
	{ "5", "5 people" },
};

/* The fields shared by the request and the application, by name. The
 * tables below are filled at first use (choices are not constant
 * expressions). */
#define WAYS_HINT "Choose all that suit you."
#define DAYS_HINT "Leave these empty if any day suits you."

static void ask_defs(struct field_def *d, size_t *n, bool referring)
{
	const struct choices *c = choices();
	size_t k = 0;

	/* A link worker or coordinator may ask for someone with an account. */
	if (referring)
		d[k++] = (struct field_def){ .name = "for_email", .label = "Asking for someone else? Their email address",
			.hint = "Leave this empty to ask for yourself. They need a kith account with this "
				"address, confirmed. They will see the request and the match on their "
				"own peer support page.", .type = "email", .autocomplete = "off",
			.nospell = true, .kind = FIELD_EMAIL, .max = 254 };
	d[k++] = (struct field_def){ .name = "conditions", .label = "What would you like to talk about with someone who has been there?",
		.hint = "Choose the conditions that matter to you. Choose all that apply.",
		.kind = FIELD_MANY_OF, .choices = c->conditions, .nchoices = vocab_conditions_n };
	d[k++] = (struct field_def){ .name = "wants", .label = "What would you like from a peer supporter?",
		.hint = "Choose all that apply.", .kind = FIELD_MANY_OF, .choices = c->wants,
		.nchoices = peer_wants_n };
	d[k++] = (struct field_def){ .name = "topics", .label = "Is there anything in particular? (optional)",
		.kind = FIELD_MANY_OF, .choices = c->topics, .nchoices = peer_topics_n };
	d[k++] = (struct field_def){ .name = "ways", .label = "How would you like to keep in touch?",
		.hint = WAYS_HINT, .kind = FIELD_MANY_OF, .choices = c->ways, .nchoices = MATCH_WAY__MAX };
	d[k++] = (struct field_def){ .name = "days", .label = "Which days suit you? (optional)",
		.hint = DAYS_HINT, .kind = FIELD_MANY_OF, .choices = c->days, .nchoices = 7 };
	d[k++] = (struct field_def){ .name = "parts", .label = "What times of day suit you? (optional)",
		.kind = FIELD_MANY_OF, .choices = c->parts, .nchoices = 3 };
	d[k++] = (struct field_def){ .name = "district", .label = "Your postcode, or its first half",
		.hint = "For example DN15 or DN15 6XX. We use it to find someone near you. You only need it "
			"to meet in person.", .width = "govuk-input--width-10", .autocomplete = "postal-code",
		.kind = FIELD_TEXT, .max = 10, .check = field_domain_judges };
	d[k++] = (struct field_def){ .name = "max_miles", .label = "How far could you travel to meet in person?",
		.kind = FIELD_ONE_OF, .choices = miles_choices, .nchoices = ARRAY_LEN(miles_choices) };
	d[k++] = (struct field_def){ .name = "language", .label = "Would you like someone who speaks a particular language? (optional)",
		.kind = FIELD_ONE_OF, .choices = c->languages, .nchoices = vocab_languages_n,
		.select_first = "No, English is fine" };
	d[k++] = (struct field_def){ .name = "prefers", .label = "Would you prefer a woman or a man?",
		.kind = FIELD_ONE_OF, .choices = prefers_choices, .nchoices = ARRAY_LEN(prefers_choices) };
	d[k++] = (struct field_def){ .name = "about", .label = "Anything else you would like us to know? (optional)",
		.hint = "Only the coordinators see this, and your peer supporter once they have said yes.",
		.rows = 4, .kind = FIELD_TEXT, .max = PEER_ABOUT_MAX, .check = field_domain_judges };
	d[k++] = (struct field_def){ .name = "consent", .label = "Using what you have told us",
		.hint = referring ? "They agree that kith may use what they told us about their health to "
			"find them a peer supporter, and share it with that peer supporter once they say yes. "
			"They can withdraw the request at any time." :
			"I agree that kith may use what I have told you about my health to find me a peer "
			"supporter, and share it with them once they say yes. I can withdraw my request at any time.",
		.kind = FIELD_BOOL, .required = true, .missing = referring ? "Confirm that they agree, or "
			"they cannot be matched" : "Tick the box to agree, or we cannot find you a peer supporter" };
	*n = k;
}

static void apply_defs(struct field_def *d, size_t *n)
{
	const struct choices *c = choices();
	size_t k = 0;

	d[k++] = (struct field_def){ .name = "conditions", .label = "Which conditions have you lived with, or cared for someone with?",
		.hint = "Choose all that apply.", .kind = FIELD_MANY_OF, .choices = c->conditions,
		.nchoices = vocab_conditions_n };
	d[k++] = (struct field_def){ .name = "topics", .label = "What could you talk about?",
		.hint = "Choose all that apply.", .kind = FIELD_MANY_OF, .choices = c->topics,
		.nchoices = peer_topics_n };
	d[k++] = (struct field_def){ .name = "languages", .label = "Which languages do you speak?",
		.kind = FIELD_MANY_OF, .choices = c->languages, .nchoices = vocab_languages_n };
	d[k++] = (struct field_def){ .name = "ways", .label = "How could you keep in touch with someone?",
		.hint = "Meeting in person needs a DBS check, which the coordinators arrange.",
		.kind = FIELD_MANY_OF, .choices = c->ways, .nchoices = MATCH_WAY__MAX };
	d[k++] = (struct field_def){ .name = "days", .label = "Which days are you free? (optional)",
		.hint = DAYS_HINT, .kind = FIELD_MANY_OF, .choices = c->days, .nchoices = 7 };
	d[k++] = (struct field_def){ .name = "parts", .label = "What times of day are you free? (optional)",
		.kind = FIELD_MANY_OF, .choices = c->parts, .nchoices = 3 };
	d[k++] = (struct field_def){ .name = "district", .label = "Your postcode, or its first half",
		.hint = "For example DN15. People see only this first half.", .width = "govuk-input--width-10",
		.autocomplete = "postal-code", .kind = FIELD_TEXT, .max = 10, .check = field_domain_judges };
	d[k++] = (struct field_def){ .name = "capacity", .label = "How many people could you support at once?",
		.kind = FIELD_ONE_OF, .required = true, .missing = "Choose how many people you could support at once",
		.choices = capacity_choices, .nchoices = ARRAY_LEN(capacity_choices) };
	d[k++] = (struct field_def){ .name = "gender", .label = "How do you describe yourself?",
		.hint = "Some people ask for a woman or a man. This is only used for that.",
		.kind = FIELD_ONE_OF, .choices = gender_choices, .nchoices = ARRAY_LEN(gender_choices) };
	d[k++] = (struct field_def){ .name = "intro", .label = "A few words about yourself",
		.hint = "What you have been through and how you could help. The person you are matched "
			"with reads this once you have said yes.", .rows = 5, .kind = FIELD_TEXT,
		.max = PEER_INTRO_MAX, .check = field_domain_judges };
	d[k++] = (struct field_def){ .name = "consent", .label = "Using what you have told us",
		.hint = "I agree that kith may use what I have told you about my health to match me with "
			"people to support, and show the conditions I have lived with to the people I "
			"say yes to and to the coordinators. I can stand down at any time.",
		.kind = FIELD_BOOL, .required = true,
		.missing = "Tick the box to agree, or we cannot match you with anyone" };
	*n = k;
}

#define DEFS_MAX 16

static uint64_t chosen(const struct bound *b, const char *name)
{
	const struct field_value *v = web_bound(b, name);

	return v ? v->chosen : 0;
}

static const char *choice_value(const struct bound *b, const char *name)
{
	const struct field_value *v = web_bound(b, name);

	if (!v || v->choice < 0)
		return NULL;
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->defs[i].name, name) == 0)
			return b->defs[i].choices[v->choice].value;
	return NULL;
}

static const char *text_of(const struct bound *b, const char *name)
{
	const struct field_value *v = web_bound(b, name);

	return v ? v->text : NULL;
}

/* ---------------------------------------------------------------- pages: asking */

static enum err home_get(struct request *req, struct response *resp)
{
	json_t *data = json_pack("{s:s, s:s, s:b}", "ask_href", web_url(req, "peer.ask", NULL),
				 "volunteer_href", web_url(req, "peer.apply", NULL),
				 "signed_in", req->actor->id != 0);
	enum err e;

	if (!data)
		return ERR_NOMEM;
	if (req->actor->id) {
		json_t *mine = NULL;
		struct peer_row p;
		size_t i;
		json_t *it;

		if ((e = peer_requests_of(req->db, &req->arena, req->actor->id, req->now, &mine)) != ERR_OK) {
			json_decref(mine);
			json_decref(data);
			return e;
		}
		json_array_foreach(mine, i, it)
			json_object_set_new(it, "href", json_string(web_url(req, "peer.request",
				json_string_value(json_object_get(it, "id")), NULL)));
		json_object_set_new(data, "requests", mine);
		json_object_set_new(data, "any_requests", json_boolean(json_array_size(mine) > 0));
		/* One open request at a time: a link to it instead of the form. */
		json_array_foreach(mine, i, it) {
			const char *st = json_string_value(json_object_get(it, "state"));

			if (st && (strcmp(st, "waiting") == 0 || strcmp(st, "offered") == 0 ||
				   strcmp(st, "matched") == 0)) {
				json_object_set(data, "current_href", json_object_get(it, "href"));
				break;
			}
		}
		if (policy_can(req->actor, &act_peer_refer, NULL)) {
			json_t *made = NULL;

			json_object_set_new(data, "can_refer", json_true());

			if ((e = peer_requests_made_by(req->db, &req->arena, req->actor->id, req->now,
						       &made)) != ERR_OK) {
				json_decref(made);
				json_decref(data);
				return e;
			}
			json_array_foreach(made, i, it)
				json_object_set_new(it, "href", json_string(web_url(req, "peer.request",
					json_string_value(json_object_get(it, "id")), NULL)));
			json_object_set_new(data, "made", made);
			json_object_set_new(data, "any_made", json_boolean(json_array_size(made) > 0));
		}
		e = peer_get(req->db, &req->arena, req->actor->id, req->now, &p);
		if (e && e != ERR_NOT_FOUND) {
			json_decref(data);
			return e;
		}
		json_object_set_new(data, "is_peer", json_boolean(e == ERR_OK));
		json_object_set_new(data, "mine_href", json_string(web_url(req, "peer.mine", NULL)));
	}
	if (policy_can(req->actor, &act_peer_coordinate, NULL))
		json_object_set_new(data, "coordinate_href", json_string(web_url(req, "peer.coordinate", NULL)));
	return web_page(req, resp, 200, "peer/home.html", "Peer support", data);
}

static enum err ask_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	struct field_def d[DEFS_MAX];
	size_t n;
	json_t *data;

	UNUSED(ctx);
	ask_defs(d, &n, policy_can(req->actor, &act_peer_refer, NULL));
	if (!values)
		values = json_pack("{s:s, s:s}", "max_miles", "5", "prefers", "none");
	data = json_pack("{s:o, s:s}", "form", web_form_full(web_url(req, "peer.ask", NULL),
		"Ask for a peer supporter", false, d, n, values, errors),
		"back_href", web_url(req, "peer.home", NULL));
	web_set_errors(data, errors);
	json_decref(values);
	return web_page(req, resp, status, "peer/ask.html", "Ask for a peer supporter", data);
}

static enum err ask_get(struct request *req, struct response *resp)
{
	char id[37];
	enum err e;

	/* One open request at a time: someone who has one is shown it
	 * (a link worker may still ask for others). */
	if (!policy_can(req->actor, &act_peer_refer, NULL)) {
		e = peer_request_open(req->db, req->actor->id, id);
		if (e == ERR_OK) {
			resp_redirect(req, resp, web_url(req, "peer.request", id, NULL));
			return ERR_OK;
		}
		if (e != ERR_NOT_FOUND)
			return e;
	}
	return ask_page(req, resp, 200, NULL, NULL, NULL);
}

struct ask_ctx {
	char id[37];
	struct field_def defs[DEFS_MAX];
	int64_t person;                /* whom it is for */
	struct peer_ask ask;
};

static void ask_from(const struct bound *b, struct peer_ask *a)
{
	const char *miles = choice_value(b, "max_miles"), *prefers = choice_value(b, "prefers");

	*a = (struct peer_ask){
		.conditions = chosen(b, "conditions"), .topics = chosen(b, "topics"),
		.wants = chosen(b, "wants"), .language = choice_value(b, "language"),
		.ways = (unsigned)chosen(b, "ways"),
		.slots = peer_slots((unsigned)chosen(b, "days"), (unsigned)chosen(b, "parts")),
		.district = text_of(b, "district"), .max_miles = miles ? small_int(miles) : 5,
		.prefers = prefers && strcmp(prefers, "none") != 0 ? prefers : "",
		.about = text_of(b, "about"),
	};
}

/* Every check before the write, so one answer names every problem: the
 * binder's, the request's own rules and, for a link worker, whether the
 * person has an account. */
static enum err ask_before(struct request *req, const struct bound *b, json_t *errors, void *ctx)
{
	struct ask_ctx *c = ctx;
	json_t *problems = json_array();
	const char *for_email = text_of(b, "for_email");
	enum err e;

	c->person = req->actor->id;
	if (for_email && policy_can(req->actor, &act_peer_refer, NULL)) {
		struct person p;

		e = person_find_email(req->db, &req->arena, for_email, &p);
		if (e == ERR_OK && (!p.verified || p.deactivated_at))
			e = ERR_NOT_FOUND;
		if (e == ERR_OK)
			c->person = p.id;
		else if (e == ERR_NOT_FOUND)
			web_error_once(errors, "for_email", "Nobody has a kith account with this email "
				       "address confirmed. Ask them to create one with it, and to confirm "
				       "it, first");
		else {
			json_decref(problems);
			return e;
		}
	}
	ask_from(b, &c->ask);
	peer_ask_check(&c->ask, problems);
	web_errors_merge(errors, problems);
	json_decref(problems);
	return json_array_size(errors) ? ERR_INVALID : ERR_OK;
}

static enum err ask_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct ask_ctx *c = ctx;
	enum err e;

	UNUSED(resp);
	UNUSED(b);
	UNUSED(errors);
	e = peer_request_add(env_of(req), req->db, c->person, req->actor->id, &c->ask, req->now, c->id);
	if (e == ERR_CONFLICT)
		return req_fail(req, e, c->person == req->actor->id ? "You have asked for a peer "
				"supporter already. You can see where it stands on your peer support page." :
				"They have asked for a peer supporter already, and it is still open.");
	return e;
}

static const char *ask_done(struct request *req, void *ctx)
{
	const struct ask_ctx *c = ctx;

	return arena_printf(&req->arena, "%s?done=asked", web_url(req, "peer.request", c->id, NULL));
}

static enum err ask_post(struct request *req, struct response *resp)
{
	struct ask_ctx c;
	size_t n;
	struct form_post f = { .before = ask_before, .act = ask_act, .page = ask_page, .done = ask_done,
			       .check_all = true };

	memset(&c, 0, sizeof(c));
	ask_defs(c.defs, &n, policy_can(req->actor, &act_peer_refer, NULL));
	f.fields = c.defs;
	f.nfields = n;
	return web_form_post(req, resp, &f, &c);
}

/* A request, loaded and checked against act for this actor (404 when
 * they may not: its existence is nobody else's business). */
static enum err load_request(struct request *req, const struct action *act, struct peer_request_meta *m)
{
	const struct param *p = req_param(req, "id");
	enum err e = peer_request_meta(req->db, p ? p->val : NULL, m);

	if (e == ERR_OK && !policy_can(req->actor, act, m))
		e = ERR_NOT_FOUND;
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no request for a peer supporter at this address. "
				"Check the link, or go to your peer support page.");
	return e;
}

static enum err request_get(struct request *req, struct response *resp)
{
	static const struct done_word words[] = {
		{ "asked", true, "Thank you. We have your request." },
		{ "withdrawn", true, "Your request is withdrawn." },
	};
	struct peer_request_meta m;
	json_t *view = NULL;
	enum err e = load_request(req, &act_peer_request, &m);

	if (e || (e = peer_request_view(req->db, &req->arena, m.id, req->now, &view)) != ERR_OK)
		return e;
	if (m.person_id != req->actor->id && m.made_by != req->actor->id &&
	    (e = audit_log(req->db, req->now, req->actor->id, "peer_request.read", m.person_id, NULL,
			   req->client_ip, req->id)) != ERR_OK) {
		json_decref(view);
		return e;
	}
	json_object_set_new(view, "withdraw_action", json_string(web_url(req, "peer.request_withdraw", m.id, NULL)));
	json_object_set_new(view, "for_someone", json_boolean(m.person_id != req->actor->id));
	if (m.person_id == req->actor->id && json_is_string(json_object_get(view, "match_id"))) {
		json_object_set_new(view, "match_href", json_string(web_url(req, "peer.match",
			json_string_value(json_object_get(view, "match_id")), NULL)));
		json_object_set_new(view, "match_words", json_string(m.state == PREQ_MATCHED ?
			"Send them a message" : "See your messages and the match"));
	}
	json_object_set_new(view, "back_href", json_string(web_url(req, "peer.home", NULL)));
	web_done(req, view, words, ARRAY_LEN(words), NULL);
	return web_page(req, resp, 200, "peer/request.html", "Your request for a peer supporter", view);
}

static enum err withdraw_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct peer_request_meta *m = ctx;
	enum err e;

	UNUSED(resp);
	UNUSED(b);
	UNUSED(errors);
	if ((e = load_request(req, &act_peer_request, m)) != ERR_OK)
		return e;
	e = peer_request_withdraw(req->db, m->id, req->actor->id, req->now);
	if (e == ERR_CONFLICT)
		return req_fail(req, e, "This request cannot be withdrawn now: it is matched or "
				"over. To stop a match, end it from the match's page.");
	return e;
}

static const char *withdraw_done(struct request *req, void *ctx)
{
	const struct peer_request_meta *m = ctx;

	return arena_printf(&req->arena, "%s?done=withdrawn", web_url(req, "peer.request", m->id, NULL));
}

static const struct form_post withdraw_form = { .act = withdraw_act, .done = withdraw_done };

static enum err withdraw_post(struct request *req, struct response *resp)
{
	struct peer_request_meta m;

	memset(&m, 0, sizeof(m));
	return web_form_post(req, resp, &withdraw_form, &m);
}

/* ---------------------------------------------------------------- pages: volunteering */

static json_t *bits_values(const struct field_choice *c, size_t n, uint64_t bits)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n && i < 64; i++)
		if (bits & (UINT64_C(1) << i))
			json_array_append_new(a, json_string(c[i].value));
	return a;
}

/* The form's values from what a peer offers now. */
static json_t *profile_values(const struct peer_row *p)
{
	const struct choices *c = choices();
	unsigned days, parts;
	char cap[4];

	peer_slots_split(p->p.slots, &days, &parts);
	snprintf(cap, sizeof(cap), "%d", p->p.capacity);
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:s, s:s, s:s}",
		"conditions", bits_values(c->conditions, vocab_conditions_n, p->p.conditions),
		"topics", bits_values(c->topics, peer_topics_n, p->p.topics),
		"languages", bits_values(c->languages, vocab_languages_n, p->p.languages),
		"ways", bits_values(c->ways, MATCH_WAY__MAX, p->p.ways),
		"days", bits_values(c->days, 7, p->p.slots ? days : 0),
		"parts", bits_values(c->parts, 3, p->p.slots ? parts : 0),
		"district", p->district, "capacity", cap,
		"gender", p->p.gender && *p->p.gender ? p->p.gender : "none", "intro", p->p.intro ? p->p.intro : "");
}

static enum err apply_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	struct field_def d[DEFS_MAX];
	struct peer_row p;
	size_t n;
	json_t *data;
	enum err e = peer_get(req->db, &req->arena, req->actor->id, req->now, &p);

	UNUSED(ctx);
	if (e && e != ERR_NOT_FOUND) {
		json_decref(values);
		json_decref(errors);
		return e;
	}
	if (e == ERR_OK && p.state == PEER_STOOD_DOWN) {
		json_decref(values);
		json_decref(errors);
		return req_fail(req, ERR_CONFLICT, "You have stood down as a peer supporter. If you "
				"would like to start again, talk to the coordinators.");
	}
	apply_defs(d, &n);
	if (!values) {
		values = e == ERR_OK ? profile_values(&p) : json_pack("{s:[s], s:s}", "languages", "en",
								       "gender", "none");
		/* They agreed when they applied; changing it keeps that. */
		if (e == ERR_OK)
			json_object_set_new(values, "consent", json_string("yes"));
	}
	data = json_pack("{s:o, s:b, s:s}", "form", web_form_full(web_url(req, "peer.apply", NULL),
		e == ERR_OK ? "Save changes" : "Send my application", false, d, n, values, errors),
		"editing", e == ERR_OK, "back_href", web_url(req, "peer.home", NULL));
	web_set_errors(data, errors);
	json_decref(values);
	return web_page(req, resp, status, "peer/apply.html",
			e == ERR_OK ? "What you offer as a peer supporter" : "Become a peer supporter", data);
}

static enum err apply_get(struct request *req, struct response *resp)
{
	return apply_page(req, resp, 200, NULL, NULL, NULL);
}

static enum err apply_before(struct request *req, const struct bound *b, json_t *errors, void *ctx)
{
	struct peer_profile *p = ctx;
	const char *cap = choice_value(b, "capacity"), *gender = choice_value(b, "gender");
	json_t *problems = json_array();

	UNUSED(req);
	*p = (struct peer_profile){
		.conditions = chosen(b, "conditions"), .topics = chosen(b, "topics"),
		.languages = chosen(b, "languages"), .ways = (unsigned)chosen(b, "ways"),
		.slots = peer_slots((unsigned)chosen(b, "days"), (unsigned)chosen(b, "parts")),
		.district = text_of(b, "district"), .capacity = cap ? small_int(cap) : 0,
		.gender = gender && strcmp(gender, "none") != 0 ? gender : "", .intro = text_of(b, "intro"),
	};
	peer_profile_check(p, problems);
	/* A field the binder has named already (a missing capacity) keeps
	 * its words: web_errors_merge adds one problem a field. */
	web_errors_merge(errors, problems);
	json_decref(problems);
	return json_array_size(errors) ? ERR_INVALID : ERR_OK;
}

static enum err apply_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	const struct peer_profile *p = ctx;
	enum err e;

	UNUSED(resp);
	UNUSED(b);
	UNUSED(errors);
	e = peer_apply(env_of(req), req->db, req->actor->id, p, req->now);
	if (e == ERR_CONFLICT)
		return req_fail(req, e, "You have stood down as a peer supporter. If you would like to "
				"start again, talk to the coordinators.");
	return e;
}

static enum err apply_post(struct request *req, struct response *resp)
{
	struct field_def d[DEFS_MAX];
	size_t n;
	struct form_post f = { .before = apply_before, .act = apply_act, .page = apply_page,
			       .check_all = true, .done_route = "peer.mine", .done_word = "saved" };
	struct peer_profile p;

	apply_defs(d, &n);
	f.fields = d;
	f.nfields = n;
	return web_form_post(req, resp, &f, &p);
}

/* ---------------------------------------------------------------- a peer's own page */

static const struct field_def away_fields[] = {
	{ .name = "until", .label = "Away until", .hint = "The last day you are away, for example 27 3 2027. "
	  "You will get no new offers until the day after.", .kind = FIELD_DATE, .required = true,
	  .missing = "Enter the last day you are away" },
};

static void add_hrefs(struct request *req, json_t *list, const char *route)
{
	size_t i;
	json_t *it;

	json_array_foreach(list, i, it)
		json_object_set_new(it, "href", json_string(web_url(req, route,
			json_string_value(json_object_get(it, "id")), NULL)));
}

static enum err mine_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	static const struct done_word words[] = {
		{ "saved", true, "Thank you. What you offer is saved." },
		{ "away", true, "You are away. You will get no new offers until you are back." },
		{ "back", true, "Welcome back. You can be offered people again." },
		{ "accepted", true, "Thank you for saying yes. You can send a message now." },
		{ "declined", true, "Thank you for letting us know. We will find someone else." },
	};
	struct peer_row p;
	json_t *data, *matches = NULL, *checks = NULL;
	int64_t minutes = 0;
	enum err e = peer_get(req->db, &req->arena, req->actor->id, req->now, &p);

	UNUSED(ctx);
	if (e == ERR_NOT_FOUND) {
		json_decref(values);
		json_decref(errors);
		resp_redirect(req, resp, web_url(req, "peer.apply", NULL));
		return ERR_OK;
	}
	if (e == ERR_OK)
		e = peer_matches_of_peer(req->db, &req->arena, req->actor->id, req->now, &matches);
	if (e == ERR_OK)
		e = peer_minutes(req->db, req->actor->id, 0, &minutes);
	if (e == ERR_OK)
		e = peer_checks(req->db, req->actor->id, &checks);
	if (e) {
		json_decref(matches);
		json_decref(checks);
		json_decref(values);
		json_decref(errors);
		return e;
	}
	add_hrefs(req, matches, "peer.match");
	data = json_pack("{s:s, s:s, s:b, s:b, s:b, s:b, s:o, s:s, s:o, s:o, s:I, s:s, s:s, s:s, s:s, "
		"s:s}",
		"state", peer_state_name(p.state), "tier_words", peer_tier_words(p.tier),
		"applied", p.state == PEER_APPLIED, "approved", p.state == PEER_APPROVED,
		"paused", p.state == PEER_PAUSED, "away", p.paused_why && strcmp(p.paused_why, "self") == 0,
		"away_until", p.away_until ? json_string(peer_day_words(&req->arena, p.away_until)) : json_null(),
		"paused_why", p.paused_why ? p.paused_why : "",
		"matches", matches, "trust_checks", checks, "minutes", (json_int_t)minutes,
		"conditions_words", peer_terms_words(&req->arena, vocab_conditions, vocab_conditions_n, p.p.conditions),
		"ways_words", peer_ways_words(&req->arena, p.p.ways),
		"times_words", peer_slots_words(&req->arena, p.p.slots),
		"edit_href", web_url(req, "peer.apply", NULL),
		"back_action", web_url(req, "peer.back", NULL));
	json_object_set_new(data, "any_matches", json_boolean(json_array_size(matches) > 0));
	json_object_set_new(data, "minutes_words", json_string(peer_minutes_words(&req->arena, minutes)));
	json_object_set_new(data, "capacity", json_integer(p.p.capacity));
	json_object_set_new(data, "by_coordinator", json_boolean(p.paused_why &&
			    strcmp(p.paused_why, "coordinator") == 0));
	json_object_set_new(data, "unanswered", json_boolean(p.paused_why &&
			    strcmp(p.paused_why, "unanswered") == 0));
	json_object_set_new(data, "away_form", web_form_full(web_url(req, "peer.away", NULL), "Pause my offers",
		false, away_fields, ARRAY_LEN(away_fields), values, errors));
	web_set_errors(data, errors);
	json_decref(values);
	web_done(req, data, words, ARRAY_LEN(words), NULL);
	return web_page(req, resp, status, "peer/mine.html", "Your peer support", data);
}

static enum err mine_get(struct request *req, struct response *resp)
{
	return mine_page(req, resp, 200, NULL, NULL, NULL);
}

static enum err away_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	enum err e = peer_away(req->db, req->actor->id, text_of(b, "until"), req->now);

	UNUSED(resp);
	UNUSED(ctx);
	if (e == ERR_INVALID) {
		web_error(errors, "until", "The day must be after today, and within a year");
		return ERR_INVALID;
	}
	if (e == ERR_CONFLICT || e == ERR_NOT_FOUND)
		return req_fail(req, ERR_CONFLICT, "Only an approved peer supporter can pause their "
				"offers. If the coordinators have paused them, talk to them.");
	return e;
}

static const struct form_post away_form = {
	.fields = away_fields, .nfields = ARRAY_LEN(away_fields), .act = away_act, .page = mine_page,
	.done_route = "peer.mine", .done_word = "away",
};

static enum err away_post(struct request *req, struct response *resp)
{
	return web_form_post(req, resp, &away_form, NULL);
}

static enum err back_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct peer_row p;
	enum err e = peer_get(req->db, &req->arena, req->actor->id, req->now, &p);

	UNUSED(resp);
	UNUSED(b);
	UNUSED(errors);
	UNUSED(ctx);
	if (e == ERR_OK)
		e = peer_away(req->db, req->actor->id, NULL, req->now);
	if (e == ERR_CONFLICT && p.state == PEER_PAUSED)
		return req_fail(req, e, "The coordinators have paused your offers. Talk to them about "
				"starting again.");
	if (e == ERR_CONFLICT || e == ERR_NOT_FOUND)
		return req_fail(req, ERR_CONFLICT, "Only an approved peer supporter can start again.");
	return e;
}

static const struct form_post back_form = { .act = back_act, .done_route = "peer.mine", .done_word = "back" };

static enum err back_post(struct request *req, struct response *resp)
{
	return web_form_post(req, resp, &back_form, NULL);
}

/* ---------------------------------------------------------------- a match */

static enum err load_match(struct request *req, const struct action *act, struct peer_match_meta *m)
{
	const struct param *p = req_param(req, "id");
	enum err e = peer_match_meta(req->db, p ? p->val : NULL, m);

	/* The person never sees an offer (who was asked is not theirs to
	 * know until they say yes), nor anyone an offer that went elsewhere. */
	if (e == ERR_OK && (!policy_can(req->actor, act, m) ||
	    (m->state == PM_OFFERED && req->actor->id == m->person_id) ||
	    ((m->state == PM_DECLINED || m->state == PM_WITHDRAWN || m->state == PM_EXPIRED) &&
	     req->actor->id != m->peer_id && !policy_can(req->actor, &act_peer_coordinate, NULL))))
		e = ERR_NOT_FOUND;
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is nothing at this address. Check the link, or go to "
				"your peer support page.");
	return e;
}

static const struct field_choice way_choices_static[MATCH_WAY__MAX] = {
	{ "phone", "By phone" }, { "video", "By video call" }, { "message", "By messages" },
	{ "in_person", "In person" },
};

static const struct field_def message_fields[] = {
	{ .name = "body", .label = "Your message", .rows = 4, .kind = FIELD_TEXT, .max = PEER_MESSAGE_MAX,
	  .check = field_domain_judges },
};
static const struct field_def contact_fields[] = {
	{ .name = "happened_on", .label = "When were you in touch?", .hint = "For example 27 3 2026",
	  .kind = FIELD_DATE, .required = true, .missing = "Enter the day you were in touch" },
	{ .name = "way", .label = "How?", .kind = FIELD_ONE_OF, .required = true,
	  .missing = "Choose how you were in touch", .choices = way_choices_static,
	  .nchoices = MATCH_WAY__MAX },
	{ .name = "minutes", .label = "How long did it take, in minutes?", .width = "govuk-input--width-4",
	  .kind = FIELD_TEXT, .required = true, .missing = "Enter how long it took in minutes", .max = 4,
	  .check = field_domain_judges },
	{ .name = "note", .label = "A note for your supervisor (optional)",
	  .hint = "Only the coordinators see this, never the person.", .rows = 3, .kind = FIELD_TEXT,
	  .max = PEER_NOTE_MAX, .check = field_domain_judges },
};

struct match_ctx {
	struct peer_match_meta m;
	const char *which;             /* the form that failed: "message", "contact" */
};

static enum err match_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	static const struct done_word words[] = {
		{ "sent", true, "Your message is sent." },
		{ "logged", true, "Thank you. The contact is logged." },
		{ "shared", true, "Your choice about sharing your contact details is saved." },
		{ "accepted", true, "Thank you for saying yes. You can send a message now." },
		{ "ended", true, "The match has ended. Thank you for telling us how it went." },
		{ "concern", true, "Thank you. A coordinator has your concern and will be in touch." },
	};
	struct match_ctx *c = ctx;
	bool coordinator = policy_can(req->actor, &act_peer_coordinate, NULL);
	bool talking = req->actor->id == c->m.person_id || req->actor->id == c->m.peer_id;
	json_t *view = NULL;
	const char *title;
	enum err e = peer_match_view(req->db, &req->arena, &c->m, req->actor->id, coordinator, req->now,
				     &view);

	if (e) {
		json_decref(values);
		json_decref(errors);
		return e;
	}
	if (!talking && (e = audit_log(req->db, req->now, req->actor->id, "peer_match.read",
				       c->m.person_id, NULL, req->client_ip, req->id)) != ERR_OK) {
		json_decref(view);
		json_decref(values);
		json_decref(errors);
		return e;
	}
	json_object_set_new(view, "answer_action", json_string(web_url(req, "peer.answer", c->m.id, NULL)));
	json_object_set_new(view, "share_action", json_string(web_url(req, "peer.share", c->m.id, NULL)));
	json_object_set_new(view, "end_href", json_string(web_url(req, "peer.end", c->m.id, NULL)));
	json_object_set_new(view, "concern_href", json_string(web_url(req, "peer.concern", c->m.id, NULL)));
	json_object_set_new(view, "back_href", json_string(web_url(req,
		req->actor->id == c->m.peer_id ? "peer.mine" : coordinator && !talking ? "peer.coordinate"
		: "peer.home", NULL)));
	if (c->m.state == PM_ACCEPTED && talking) {
		bool mf = c->which && strcmp(c->which, "message") == 0;
		bool cf = c->which && strcmp(c->which, "contact") == 0;

		json_object_set_new(view, "message_form", web_form_full(web_url(req, "peer.message", c->m.id, NULL),
			"Send message", false, message_fields, ARRAY_LEN(message_fields), mf ? values : NULL,
			mf ? errors : NULL));
		if (req->actor->id == c->m.peer_id)
			json_object_set_new(view, "contact_form", web_form_full(web_url(req, "peer.contact",
				c->m.id, NULL), "Log this contact", false, contact_fields,
				ARRAY_LEN(contact_fields), cf ? values : NULL, cf ? errors : NULL));
	}
	web_set_errors(view, errors);
	json_decref(values);
	web_done(req, view, words, ARRAY_LEN(words), NULL);
	title = c->m.state == PM_OFFERED ? "Someone would like your support" :
		arena_printf(&req->arena, "Peer support: %s", json_string_value(json_object_get(view,
			talking ? "other_first" : "person_first")));
	return web_page(req, resp, status, "peer/match.html", title, view);
}

static enum err match_get(struct request *req, struct response *resp)
{
	struct match_ctx c = { 0 };
	enum err e = load_match(req, &act_peer_match_view, &c.m);

	return e ? e : match_page(req, resp, 200, NULL, NULL, &c);
}

/* The answer: two buttons, answer=yes or answer=no. */
static const struct field_choice yes_no[] = { { "yes", "Yes" }, { "no", "No" } };
static const struct field_def answer_fields[] = {
	{ .name = "answer", .label = "Your answer", .kind = FIELD_ONE_OF, .required = true,
	  .missing = "Choose yes or no", .choices = yes_no, .nchoices = 2 },
};

static enum err answer_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct match_ctx *c = ctx;
	enum err e;

	UNUSED(resp);
	UNUSED(errors);
	if ((e = load_match(req, &act_peer_answer, &c->m)) != ERR_OK)
		return e;
	c->which = web_bound(b, "answer")->choice == 0 ? "accepted" : "declined";
	e = peer_answer(env_of(req), req->db, &c->m, web_bound(b, "answer")->choice == 0, req->now);
	if (e == ERR_CONFLICT)
		return req_fail(req, e, "This offer is no longer open: it has been answered, has run "
				"out, or has gone to someone else. Thank you all the same.");
	return e;
}

static const char *answer_done(struct request *req, void *ctx)
{
	const struct match_ctx *c = ctx;

	if (strcmp(c->which, "accepted") == 0)
		return arena_printf(&req->arena, "%s?done=accepted", web_url(req, "peer.match", c->m.id, NULL));
	return arena_printf(&req->arena, "%s?done=declined", web_url(req, "peer.mine", NULL));
}

static const struct form_post answer_form = {
	.fields = answer_fields, .nfields = ARRAY_LEN(answer_fields), .act = answer_act, .done = answer_done,
};

static enum err answer_post(struct request *req, struct response *resp)
{
	struct match_ctx c = { 0 };

	return web_form_post(req, resp, &answer_form, &c);
}

/* The forms on the match page draw it again with their errors. */
static enum err match_form_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	struct match_ctx *c = ctx;
	enum err e = c->m.id[0] ? ERR_OK : load_match(req, &act_peer_match_view, &c->m);

	if (e) {
		json_decref(values);
		json_decref(errors);
		return e;
	}
	return match_page(req, resp, status, values, errors, ctx);
}

static const char *match_done(struct request *req, void *ctx)
{
	const struct match_ctx *c = ctx;

	return arena_printf(&req->arena, "%s?done=%s", web_url(req, "peer.match", c->m.id, NULL), c->which);
}

static enum err not_open(struct request *req)
{
	return req_fail(req, ERR_CONFLICT, "This match has ended, so nothing more can be added to it.");
}

static enum err message_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct match_ctx *c = ctx;
	const char *body = text_of(b, "body"), *why;
	char *copy;
	enum err e;

	UNUSED(resp);
	if ((e = load_match(req, &act_peer_talk, &c->m)) != ERR_OK)
		return e;
	c->which = "message";
	copy = body ? arena_strdup(&req->arena, body) : NULL;
	if ((why = peer_message_clean(copy)) != NULL) {
		web_error(errors, "body", why);
		return ERR_INVALID;
	}
	e = peer_message_add(env_of(req), req->db, &c->m, req->actor->id, copy, req->now);
	if (e == ERR_CONFLICT)
		return not_open(req);
	c->which = "sent";
	return e;
}

static enum err message_post(struct request *req, struct response *resp)
{
	struct match_ctx c = { .which = "message" };
	static const struct form_post f = {
		.fields = message_fields, .nfields = ARRAY_LEN(message_fields), .act = message_act,
		.page = match_form_page, .done = match_done,
	};

	return web_form_post(req, resp, &f, &c);
}

static enum err contact_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct match_ctx *c = ctx;
	const char *min = text_of(b, "minutes"), *way = choice_value(b, "way");
	int64_t minutes = 0;
	json_t *problems;
	enum err e;

	UNUSED(resp);
	if ((e = load_match(req, &act_peer_log, &c->m)) != ERR_OK)
		return e;
	c->which = "contact";
	if (!min || !str_to_i64((struct str){ min, strlen(min) }, 1, PEER_MINUTES_MAX, &minutes)) {
		web_error(errors, "minutes", "Enter how long it took in minutes, from 1 to 600");
		return ERR_INVALID;
	}
	problems = json_array();
	e = peer_contact_add(req->db, &c->m, text_of(b, "happened_on"), way, (int)minutes,
			     text_of(b, "note"), req->now, problems);
	web_errors_merge(errors, problems);
	json_decref(problems);
	if (e == ERR_CONFLICT)
		return not_open(req);
	if (e == ERR_OK)
		c->which = "logged";
	return e;
}

static enum err contact_post(struct request *req, struct response *resp)
{
	struct match_ctx c = { .which = "contact" };
	static const struct form_post f = {
		.fields = contact_fields, .nfields = ARRAY_LEN(contact_fields), .act = contact_act,
		.page = match_form_page, .done = match_done, .check_all = false,
	};

	return web_form_post(req, resp, &f, &c);
}

static const struct field_def share_fields[] = {
	{ .name = "share", .label = "Share", .kind = FIELD_ONE_OF, .required = true,
	  .missing = "Choose whether to share", .choices = yes_no, .nchoices = 2 },
};

static enum err share_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct match_ctx *c = ctx;
	enum err e;

	UNUSED(resp);
	UNUSED(errors);
	if ((e = load_match(req, &act_peer_talk, &c->m)) != ERR_OK)
		return e;
	c->which = "shared";
	e = peer_share(req->db, &c->m, req->actor->id, web_bound(b, "share")->choice == 0, req->now);
	return e == ERR_CONFLICT ? not_open(req) : e;
}

static enum err share_post(struct request *req, struct response *resp)
{
	struct match_ctx c = { 0 };
	static const struct form_post f = {
		.fields = share_fields, .nfields = ARRAY_LEN(share_fields), .act = share_act, .done = match_done,
	};

	return web_form_post(req, resp, &f, &c);
}

/* Ending, with feedback; raising a concern: pages of their own. */
static const struct field_choice helpful_choices[] = {
	{ "4", "Very helpful" }, { "3", "Helpful" }, { "2", "A little helpful" }, { "1", "Not helpful" },
};
static const struct field_def end_fields[] = {
	{ .name = "helpful", .label = "How helpful has it been? (optional)", .kind = FIELD_ONE_OF,
	  .choices = helpful_choices, .nchoices = ARRAY_LEN(helpful_choices) },
	{ .name = "words", .label = "Anything you would like to tell us? (optional)",
	  .hint = "The coordinators read this. The other person does not.", .rows = 4, .kind = FIELD_TEXT,
	  .max = PEER_WORDS_MAX, .check = field_domain_judges },
};
static const struct field_def concern_fields[] = {
	{ .name = "body", .label = "What is worrying you?", .hint = "A coordinator reads this today and "
	  "will be in touch. If someone is in danger now, call 999.", .rows = 6, .kind = FIELD_TEXT,
	  .required = true, .missing = "Tell us what is worrying you", .max = PEER_WORDS_MAX,
	  .check = field_domain_judges },
};

static enum err side_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx, bool end)
{
	struct match_ctx *c = ctx;
	struct arena *a = &req->arena;
	enum err e = c->m.id[0] ? ERR_OK : load_match(req, &act_peer_talk, &c->m);
	json_t *data;

	if (e == ERR_OK && end && c->m.state != PM_ACCEPTED)
		e = not_open(req);
	if (e == ERR_OK && !end && c->m.state != PM_ACCEPTED && c->m.state != PM_ENDED)
		e = req_fail(req, ERR_CONFLICT, "A concern is raised about a match. If something "
			     "worries you about this offer, say no to it, and contact the coordinators.");
	if (e) {
		json_decref(values);
		json_decref(errors);
		return e;
	}
	data = json_pack("{s:o, s:s, s:b}", "form", web_form_full(web_url(req, end ? "peer.end" : "peer.concern",
		c->m.id, NULL), end ? "End the match" : "Send to a coordinator", end,
		end ? end_fields : concern_fields, end ? ARRAY_LEN(end_fields) : ARRAY_LEN(concern_fields),
		values, errors), "back_href", web_url(req, "peer.match", c->m.id, NULL), "end", end);
	web_set_errors(data, errors);
	json_decref(values);
	UNUSED(a);
	return web_page(req, resp, status, "peer/side.html", end ? "End this match" : "Raise a concern", data);
}

static enum err end_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	return side_page(req, resp, status, values, errors, ctx, true);
}

static enum err concern_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	return side_page(req, resp, status, values, errors, ctx, false);
}

static enum err end_get(struct request *req, struct response *resp)
{
	struct match_ctx c = { 0 };

	return end_page(req, resp, 200, NULL, NULL, &c);
}

static enum err concern_get(struct request *req, struct response *resp)
{
	struct match_ctx c = { 0 };

	return concern_page(req, resp, 200, NULL, NULL, &c);
}

static enum err end_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct match_ctx *c = ctx;
	const char *h = choice_value(b, "helpful"), *words = text_of(b, "words");
	enum err e;

	UNUSED(resp);
	if ((e = load_match(req, &act_peer_talk, &c->m)) != ERR_OK)
		return e;
	c->which = "ended";
	if (!field_text_ok(errors, "words", "What you tell us", words, PEER_WORDS_MAX, false))
		return ERR_INVALID;
	e = peer_end(env_of(req), req->db, &c->m, req->actor->id, h ? small_int(h) : 0, words, req->now);
	return e == ERR_CONFLICT ? not_open(req) : e;
}

static enum err concern_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct match_ctx *c = ctx;
	const char *body = text_of(b, "body");
	enum err e;

	UNUSED(resp);
	if ((e = load_match(req, &act_peer_talk, &c->m)) != ERR_OK)
		return e;
	c->which = "concern";
	if (!field_text_ok(errors, "body", "What you tell us", body, PEER_WORDS_MAX, false))
		return ERR_INVALID;
	e = peer_concern_add(env_of(req), req->db, &c->m, req->actor->id, body, req->now);
	if (e == ERR_CONFLICT)
		return req_fail(req, e, "A concern is raised about a match. If something worries you "
				"about this offer, say no to it, and contact the coordinators.");
	return e;
}

static enum err end_post(struct request *req, struct response *resp)
{
	struct match_ctx c = { 0 };
	static const struct form_post f = {
		.fields = end_fields, .nfields = ARRAY_LEN(end_fields), .act = end_act, .page = end_page,
		.done = match_done,
	};

	return web_form_post(req, resp, &f, &c);
}

static enum err concern_post(struct request *req, struct response *resp)
{
	struct match_ctx c = { 0 };
	static const struct form_post f = {
		.fields = concern_fields, .nfields = ARRAY_LEN(concern_fields), .act = concern_act,
		.page = concern_page, .done = match_done,
	};

	return web_form_post(req, resp, &f, &c);
}

/* ---------------------------------------------------------------- coordinators */

static enum err coordinate_get(struct request *req, struct response *resp)
{
	static const struct done_word words[] = {
		{ "run", true, "The pool has been matched again: %s." },
		{ "seen", true, "The concern is marked as seen." },
	};
	json_t *waiting = NULL, *peers = NULL, *concerns = NULL, *data;
	const char *run = NULL;
	size_t i;
	json_t *it;
	enum err e = peer_waiting(req->db, &req->arena, req->now, &waiting);

	if (e == ERR_OK)
		e = peer_list(req->db, &req->arena, req->now, &peers);
	if (e == ERR_OK)
		e = peer_concerns_open(req->db, &concerns);
	if (e) {
		json_decref(waiting);
		json_decref(peers);
		json_decref(concerns);
		return e;
	}
	json_array_foreach(peers, i, it)
		json_object_set_new(it, "href", json_string(web_url(req, "peer.peer", arena_printf(&req->arena,
			"%lld", (long long)json_integer_value(json_object_get(it, "person_id"))), NULL)));
	json_array_foreach(concerns, i, it) {
		json_object_set_new(it, "match_href", json_string(web_url(req, "peer.match",
			json_string_value(json_object_get(it, "match_id")), NULL)));
		json_object_set_new(it, "seen_action", json_string(web_url(req, "peer.concern_seen",
			arena_printf(&req->arena, "%lld", (long long)json_integer_value(json_object_get(it, "id"))),
			NULL)));
	}
	add_hrefs(req, waiting, "peer.request");
	data = json_pack("{s:o, s:o, s:o, s:b, s:b, s:b, s:s}", "waiting", waiting, "peers", peers,
		"concerns", concerns, "any_waiting", json_array_size(waiting) > 0,
		"any_peers", json_array_size(peers) > 0, "any_concerns", json_array_size(concerns) > 0,
		"run_action", web_url(req, "peer.run", NULL));
	run = req_query(req, "offered");
	{
		int64_t offered = -1;

		/* A number, never words from the address bar. */
		if (!run || !str_to_i64((struct str){ run, strlen(run) }, 0, 1000000, &offered))
			offered = -1;
		web_done(req, data, words, ARRAY_LEN(words), offered == 1 ? "1 new offer" : offered >= 0 ?
			 arena_printf(&req->arena, "%lld new offers", (long long)offered) :
			 "see the lists below");
	}
	return web_page(req, resp, 200, "peer/coordinate.html", "Peer support", data);
}

struct run_ctx {
	struct peer_run_result r;
};

static enum err run_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct run_ctx *c = ctx;

	UNUSED(resp);
	UNUSED(b);
	UNUSED(errors);
	return peer_run(env_of(req), req->db, PEER_RUN_ALL, req->now, &c->r);
}

static const char *run_done(struct request *req, void *ctx)
{
	const struct run_ctx *c = ctx;

	return arena_printf(&req->arena, "%s?done=run&offered=%u", web_url(req, "peer.coordinate", NULL),
			    c->r.offered);
}

static enum err run_post(struct request *req, struct response *resp)
{
	struct run_ctx c = { 0 };
	static const struct form_post f = { .act = run_act, .done = run_done };

	return web_form_post(req, resp, &f, &c);
}

static enum err seen_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	const struct param *p = req_param(req, "cid");
	enum err e = p ? peer_concern_seen(req->db, p->i, req->actor->id, req->now) : ERR_NOT_FOUND;

	UNUSED(resp);
	UNUSED(b);
	UNUSED(errors);
	UNUSED(ctx);
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no open concern with this number. It may have been "
				"marked as seen already.");
	return e;
}

static const struct form_post seen_form = { .act = seen_act, .done_route = "peer.coordinate",
					    .done_word = "seen" };

static enum err seen_post(struct request *req, struct response *resp)
{
	return web_form_post(req, resp, &seen_form, NULL);
}

/* One peer, for coordinators: what they offer, their checks, the form
 * to record one, and the decisions open to them. */
static const struct field_choice check_choices[] = {
	{ "identity", "Identity" }, { "reference", "A reference" }, { "training", "Training" },
	{ "dbs", "DBS check" },
};
static const struct field_choice level_choices[] = {
	{ "basic", "Basic" }, { "standard", "Standard" }, { "enhanced", "Enhanced" },
};
static const struct field_def check_fields[] = {
	{ .name = "kind", .label = "What was checked?", .kind = FIELD_ONE_OF, .required = true,
	  .missing = "Choose what was checked", .choices = check_choices, .nchoices = ARRAY_LEN(check_choices) },
	{ .name = "done_on", .label = "When was it checked?", .hint = "For example 27 3 2026",
	  .kind = FIELD_DATE, .required = true, .missing = "Enter the day it was checked" },
	{ .name = "detail", .label = "Who gave the reference, or the training's name",
	  .hint = "For a reference, who they are to the peer supporter, like \"former manager\". Leave "
		  "empty for identity and DBS.", .kind = FIELD_TEXT, .max = PEER_DETAIL_MAX,
	  .check = field_domain_judges },
	{ .name = "level", .label = "For a DBS check: its level", .hint = "Never record the certificate number.",
	  .kind = FIELD_ONE_OF, .choices = level_choices, .nchoices = ARRAY_LEN(level_choices) },
};

struct peer_ctx {
	int64_t pid;
	const char *word;
};

static enum err peer_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	static const struct done_word words[] = {
		{ "checked", true, "The check is recorded." },
		{ "approve", true, "The peer supporter is approved. They have been emailed." },
		{ "pause", true, "The peer supporter is paused. Their open offers went back to the pool." },
		{ "stand_down", true, "The peer supporter has stood down." },
	};
	struct peer_ctx *c = ctx;
	const char *pid = arena_printf(&req->arena, "%lld", (long long)c->pid);
	struct peer_row p;
	json_t *checks = NULL, *matches = NULL, *data;
	int64_t minutes = 0;
	enum err e = peer_get(req->db, &req->arena, c->pid, req->now, &p);

	if (e == ERR_OK)
		e = peer_checks(req->db, c->pid, &checks);
	if (e == ERR_OK)
		e = peer_matches_of_peer(req->db, &req->arena, c->pid, req->now, &matches);
	if (e == ERR_OK)
		e = peer_minutes(req->db, c->pid, 0, &minutes);
	if (e) {
		json_decref(checks);
		json_decref(matches);
		json_decref(values);
		json_decref(errors);
		return e == ERR_NOT_FOUND ? req_fail(req, e, "There is no peer supporter with this number.") : e;
	}
	add_hrefs(req, matches, "peer.match");
	data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:i, s:o, s:o, s:I, "
		"s:b, s:b, s:b, s:s}",
		"name", p.name ? p.name : "", "state_words", peer_state_words(p.state), "tier_words", peer_tier_words(p.tier),
		"conditions_words", peer_terms_words(&req->arena, vocab_conditions, vocab_conditions_n, p.p.conditions),
		"topics_words", peer_terms_words(&req->arena, peer_topics, peer_topics_n, p.p.topics),
		"languages_words", peer_terms_words(&req->arena, vocab_languages, vocab_languages_n, p.p.languages),
		"ways_words", peer_ways_words(&req->arena, p.p.ways),
		"times_words", peer_slots_words(&req->arena, p.p.slots),
		"district", p.district[0] ? json_string(p.district) : json_null(),
		"intro", p.p.intro ? p.p.intro : "", "applied_words", peer_date_words(&req->arena, p.applied_at),
		"capacity", p.p.capacity, "trust_checks", checks, "matches", matches, "minutes", (json_int_t)minutes,
		"can_approve", p.state != PEER_APPROVED,
		"can_pause", p.state == PEER_APPROVED || (p.state == PEER_PAUSED && !(p.paused_why &&
			strcmp(p.paused_why, "coordinator") == 0)),
		"can_stand_down", p.state != PEER_STOOD_DOWN,
		"decide_action", web_url(req, "peer.decide", pid, NULL));
	json_object_set_new(data, "check_form", web_form_full(web_url(req, "peer.check", pid, NULL),
		"Record the check", false, check_fields, ARRAY_LEN(check_fields), values, errors));
	json_object_set_new(data, "back_href", json_string(web_url(req, "peer.coordinate", NULL)));
	json_object_set_new(data, "minutes_words", json_string(peer_minutes_words(&req->arena, minutes)));
	json_object_set_new(data, "away_until", p.away_until ? json_string(peer_day_words(&req->arena,
			    p.away_until)) : json_null());
	json_object_set_new(data, "paused_why", p.paused_why ? json_string(p.paused_why) : json_null());
	web_set_errors(data, errors);
	json_decref(values);
	web_done(req, data, words, ARRAY_LEN(words), NULL);
	return web_page(req, resp, status, "peer/peer.html", arena_printf(&req->arena,
			"Peer supporter: %s", p.name ? p.name : ""), data);
}

static int64_t pid_param(struct request *req)
{
	const struct param *p = req_param(req, "pid");

	return p ? p->i : 0;
}

static enum err peer_get_page(struct request *req, struct response *resp)
{
	struct peer_ctx c = { .pid = pid_param(req) };
	enum err e = audit_log(req->db, req->now, req->actor->id, "peer_supporter.read", c.pid, NULL,
			       req->client_ip, req->id);

	return e ? e : peer_page(req, resp, 200, NULL, NULL, &c);
}

static enum err check_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct peer_ctx *c = ctx;
	enum peer_check_kind k = PEER_CHECK_IDENTITY;
	const char *kind = choice_value(b, "kind");
	json_t *problems = json_array();
	enum err e;

	UNUSED(resp);
	peer_check_parse(kind, &k);
	e = peer_check_add(req->db, c->pid, k, text_of(b, "done_on"),
			   k == PEER_CHECK_DBS ? choice_value(b, "level") : text_of(b, "detail"),
			   req->actor->id, req->now, problems);
	web_errors_merge(errors, problems);
	json_decref(problems);
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no peer supporter with this number.");
	if (e == ERR_CONFLICT)
		return req_fail(req, e, "This peer supporter has stood down. Approve them again before "
				"recording new checks.");
	return e;
}

static const char *peer_done(struct request *req, void *ctx)
{
	const struct peer_ctx *c = ctx;

	return arena_printf(&req->arena, "%s?done=%s", web_url(req, "peer.peer", arena_printf(&req->arena,
			    "%lld", (long long)c->pid), NULL), c->word);
}

static enum err check_post(struct request *req, struct response *resp)
{
	struct peer_ctx c = { .pid = pid_param(req), .word = "checked" };
	static const struct form_post f = {
		.fields = check_fields, .nfields = ARRAY_LEN(check_fields), .act = check_act,
		.page = peer_page, .done = peer_done,
	};

	return web_form_post(req, resp, &f, &c);
}

static const struct field_choice decision_choices[] = {
	{ "approve", "Approve" }, { "pause", "Pause" }, { "stand_down", "Stand down" },
};
static const struct field_def decide_fields[] = {
	{ .name = "decision", .label = "Decision", .kind = FIELD_ONE_OF, .required = true,
	  .missing = "Choose a decision", .choices = decision_choices, .nchoices = ARRAY_LEN(decision_choices) },
};

static enum err decide_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct peer_ctx *c = ctx;
	int d = web_bound(b, "decision")->choice;
	const char *why = NULL;
	enum err e;

	UNUSED(resp);
	UNUSED(errors);
	c->word = decision_choices[d].value;
	e = peer_decide(env_of(req), req->db, c->pid, (enum peer_decision)d, req->actor->id, req->now, &why);
	if (e == ERR_NOT_FOUND)
		return req_fail(req, e, "There is no peer supporter with this number.");
	if (e == ERR_INVALID || e == ERR_CONFLICT)
		return req_fail(req, ERR_CONFLICT, why);
	return e;
}

static enum err decide_post(struct request *req, struct response *resp)
{
	struct peer_ctx c = { .pid = pid_param(req) };
	static const struct form_post f = {
		.fields = decide_fields, .nfields = ARRAY_LEN(decide_fields), .act = decide_act, .done = peer_done,
	};

	return web_form_post(req, resp, &f, &c);
}

/* ---------------------------------------------------------------- commands */

static int solve_file(const char *path)
{
	char why[256];
	size_t len = 0;
	char *text = cli_read_file(path, PEER_SOLVE_FILE_MAX, &len, why, sizeof(why));
	struct match_owned in;
	struct match_result res;
	int64_t *pair_of = NULL;
	uint64_t t0;
	enum err e;

	if (!text) {
		fprintf(stderr, "kith: %s\n", why);
		return 1;
	}
	e = match_instance_parse(text, len, &in, why, sizeof(why));
	free(text);
	if (e == ERR_INVALID) {
		fprintf(stderr, "kith: %s: %s\n", path, why);
		return 1;
	}
	if (e == ERR_OK && !(pair_of = malloc((in.prob.people ? in.prob.people : 1) * sizeof(*pair_of))))
		e = ERR_NOMEM;
	if (e) {
		fprintf(stderr, "kith: %s: %s\n", path, err_title(e));
		match_owned_release(&in);
		return 1;
	}
	t0 = time_mono_us();
	e = match_solve(&in.prob, pair_of, &res);
	if (e == ERR_OK)
		printf("matched %llu cost %lld solve_s %.3f\n", (unsigned long long)res.matched,
		       (long long)res.cost, (double)(time_mono_us() - t0) / 1e6);
	else
		fprintf(stderr, "kith: %s: the engine could not solve it (%s)\n", path, err_title(e));
	free(pair_of);
	match_owned_release(&in);
	return e == ERR_OK ? 0 : 1;
}

/* `kith match run`: the job's work now, as kith itself. */
static int run_now(const struct config *cfg)
{
	struct app app;
	struct peer_run_result r;
	struct db *db;
	char why[256];
	enum err e;

	if (app_init(&app, cfg, false, why, sizeof(why)) != ERR_OK) {
		fprintf(stderr, "kith: %s\n", why);
		return 1;
	}
	db = store_db(app.store);
	e = db ? db_begin(db) : ERR_UNAVAILABLE;
	if (e == ERR_OK) {
		struct peer_env env = { .settings = SETTINGS_OF(cfg, struct peer_settings, peer_settings),
					.mailer = &app.mailer, .links = &app.links };
		int64_t now = time_now();

		e = peer_job(&env, db, now, &r);
		if (e == ERR_OK)
			e = db_commit(db);
		else
			db_rollback(db);
	}
	if (e == ERR_OK)
		printf("peer support: %u waiting, %u peer supporters free; %u offered, %u kept, %u moved, "
		       "%u nobody fits\n", r.people, r.peers, r.offered, r.kept, r.moved, r.unmatched);
	else
		fprintf(stderr, "kith: match run: %s\n", err_title(e));
	app_release(&app);
	return e == ERR_OK ? 0 : 1;
}

static int match_cmd(const struct config *cfg, int argc, char **argv)
{
	const char *pos[2];
	int npos;

	if (cli_parse(argc, argv, 1, NULL, 0, pos, 2, &npos) && npos == 1 && strcmp(pos[0], "run") == 0)
		return run_now(cfg);
	if (!cli_parse(argc, argv, 1, NULL, 0, pos, 2, &npos) || npos != 2 ||
	    strcmp(pos[0], "solve") != 0) {
		fprintf(stderr, "kith: usage: kith match solve FILE (a matching instance: \"P M E\", the M "
			"capacities, then E lines \"person peer cost\"; - reads standard input), or "
			"kith match run (offers run out, reminders, and the pool matched again now)\n");
		return 2;
	}
	return solve_file(pos[1]);
}

static const struct command commands[] = {
	{ "match", "match solve FILE | match run",
	  "solve: run the peer matching engine on a text instance (P M E, capacities, E lines \"person "
	  "peer cost\") and print \"matched N cost C solve_s T\"; run: expire offers, send reminders "
	  "and match the peer support pool again now, as the hourly job does", match_cmd },
};

/* ---------------------------------------------------------------- the feature */

#define FORM (RF_FORM | RF_CSRF)

static const struct route routes[] = {
	{ M_GET,  "/peer-support", home_get, &act_public, 0, "peer.home" },
	{ M_GET,  "/peer-support/ask", ask_get, &act_peer_ask, 0, "peer.ask" },
	{ M_POST, "/peer-support/ask", ask_post, &act_peer_ask, FORM, "peer.ask" },
	{ M_GET,  "/peer-support/requests/{id:uuid}", request_get, &act_peer_request, RF_WRITE_TX, "peer.request" },
	{ M_POST, "/peer-support/requests/{id:uuid}/withdraw", withdraw_post, &act_peer_request, FORM,
	  "peer.request_withdraw" },
	{ M_GET,  "/peer-support/volunteer", apply_get, &act_peer_apply, 0, "peer.apply" },
	{ M_POST, "/peer-support/volunteer", apply_post, &act_peer_apply, FORM, "peer.apply" },
	{ M_GET,  "/peer-support/mine", mine_get, &act_peer_apply, 0, "peer.mine" },
	{ M_POST, "/peer-support/mine/away", away_post, &act_peer_apply, FORM, "peer.away" },
	{ M_POST, "/peer-support/mine/back", back_post, &act_peer_apply, FORM, "peer.back" },
	{ M_GET,  "/peer-support/matches/{id:uuid}", match_get, &act_peer_match_view, RF_WRITE_TX, "peer.match" },
	{ M_POST, "/peer-support/matches/{id:uuid}/answer", answer_post, &act_peer_answer, FORM, "peer.answer" },
	{ M_POST, "/peer-support/matches/{id:uuid}/messages", message_post, &act_peer_talk, FORM, "peer.message" },
	{ M_POST, "/peer-support/matches/{id:uuid}/share", share_post, &act_peer_talk, FORM, "peer.share" },
	{ M_POST, "/peer-support/matches/{id:uuid}/contacts", contact_post, &act_peer_log, FORM, "peer.contact" },
	{ M_GET,  "/peer-support/matches/{id:uuid}/end", end_get, &act_peer_talk, 0, "peer.end" },
	{ M_POST, "/peer-support/matches/{id:uuid}/end", end_post, &act_peer_talk, FORM, "peer.end" },
	{ M_GET,  "/peer-support/matches/{id:uuid}/concern", concern_get, &act_peer_talk, 0, "peer.concern" },
	{ M_POST, "/peer-support/matches/{id:uuid}/concern", concern_post, &act_peer_talk, FORM, "peer.concern" },
	{ M_GET,  "/peer-support/coordinate", coordinate_get, &act_peer_coordinate, 0, "peer.coordinate" },
	{ M_POST, "/peer-support/coordinate/run", run_post, &act_peer_coordinate, FORM, "peer.run" },
	{ M_POST, "/peer-support/concerns/{cid:int}/seen", seen_post, &act_peer_coordinate, FORM,
	  "peer.concern_seen" },
	{ M_GET,  "/peer-support/peers/{pid:int}", peer_get_page, &act_peer_coordinate, RF_WRITE_TX, "peer.peer" },
	{ M_POST, "/peer-support/peers/{pid:int}/checks", check_post, &act_peer_coordinate, FORM, "peer.check" },
	{ M_POST, "/peer-support/peers/{pid:int}/decide", decide_post, &act_peer_coordinate, FORM, "peer.decide" },
};

static const struct job jobs[] = {
	{ "peer_support", 3600, job_run },
};

#define PS(field) CFG(struct peer_settings, field)

static const struct config_key keys[] = {
	{ "peer_offer_days", CT_INT, PS(offer_days), 1, 30, "7",
	  "days a peer supporter has to answer an offer before it goes to someone else (a reminder "
	  "is sent half way)", NULL },
	{ "peer_pause_after", CT_INT, PS(pause_after), 1, 10, "2",
	  "offers a peer supporter may leave to run out in a row before kith pauses their offers "
	  "(they are emailed, and can start again themselves)", NULL },
	{ 0 },
};

const struct settings peer_settings = { "Peer support", keys, sizeof(struct peer_settings) };

static enum err on_person_erasing(const struct event *ev)
{
	return peer_erase_person(ev->db, ev->person_id, ev->now);
}

static const struct subscription subscriptions[] = {
	{ EV_PERSON_ERASING, on_person_erasing },
	{ 0 },
};

const struct feature peer_feature = {
	.name = "peer",
	.routes = routes,
	.nroutes = ARRAY_LEN(routes),
	.actions = peer_actions,
	.settings = &peer_settings,
	.commands = commands,
	.ncommands = ARRAY_LEN(commands),
	.jobs = jobs,
	.njobs = ARRAY_LEN(jobs),
	.export_person = peer_export_person,
	.demo = peer_demo,
	.subscriptions = subscriptions,
};
