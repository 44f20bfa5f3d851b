/*
 * test_form.c - binding a form to its table of fields: every kind reads
 * and checks what was typed, errors come in table order with the words
 * that say what to fix, and what was typed comes back to show again
 * (never a password).
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/uktime.h"
#include "http/request.h"
#include "search/postcode.h"
#include "store/store.h"
#include "support/storetest.h"
#include "support/testdb.h"
#include "web/errors.h"
#include "web/form.h"

static const struct field_choice days[] = {
	{ "mon", "Monday" }, { "tue", "Tuesday" }, { "wed", "Wednesday" },
};

static const char *no_bob(const char *v)
{
	return strcmp(v, "Bob") == 0 ? "Bob may not use this form" : NULL;
}

static const struct field_def fields[] = {
	{ .name = "name", .label = "Your name", .kind = FIELD_TEXT, .required = true,
	  .missing = "Enter your name", .max = 10, .check = NULL },
	{ .name = "nick", .label = "Nickname", .kind = FIELD_TEXT, .check = no_bob },
	{ .name = "email", .label = "Email address", .kind = FIELD_EMAIL },
	{ .name = "phone", .label = "Phone", .kind = FIELD_PHONE },
	{ .name = "secret", .label = "Password", .kind = FIELD_PASSWORD, .secret = true, .required = true },
	{ .name = "agree", .label = "I agree", .kind = FIELD_BOOL },
	{ .name = "day", .label = "the day", .kind = FIELD_ONE_OF, .choices = days, .nchoices = 3 },
	{ .name = "days", .label = "days", .kind = FIELD_MANY_OF, .choices = days, .nchoices = 3 },
	{ .name = "born", .label = "Date of birth", .kind = FIELD_DATE },
	{ .name = "nhs", .label = "NHS number", .kind = FIELD_NHS },
	{ .name = "postcode", .label = "Postcode", .kind = FIELD_POSTCODE },
};


static void put(struct request *req, const char *name, const char *val)
{
	assert_true(kv_add(&req->arena, &req->form, name, val, strlen(val)));
}

static const char *error_for(const struct bound *b, const char *field)
{
	return web_error_for(b->errors, field);
}

static void good_values_bind(void **state)
{
	struct request req;
	struct bound b;

	UNUSED(state);
	req_init(&req, NULL);
	put(&req, "name", "  Ann  ");
	put(&req, "email", "ann@example.org");
	put(&req, "phone", "+44 (0)1632 960 001");
	put(&req, "secret", " two words ");
	put(&req, "agree", "yes");
	put(&req, "day", "tue");
	put(&req, "days", "mon");
	put(&req, "days", "wed");
	put(&req, "born-day", "27");
	put(&req, "born-month", "3");
	put(&req, "born-year", "1956");
	put(&req, "nhs", "943 476 5919");
	put(&req, "postcode", "dn15 6xx");
	assert_true(web_bind(&req, fields, ARRAY_LEN(fields), &b));
	assert_int_equal(json_array_size(b.errors), 0);
	assert_string_equal(web_bound(&b, "name")->text, "Ann");
	assert_null(web_bound(&b, "nick")->text);
	assert_string_equal(web_bound(&b, "secret")->text, " two words ");   /* never trimmed */
	assert_true(web_bound(&b, "agree")->on);
	assert_int_equal(web_bound(&b, "day")->choice, 1);
	assert_int_equal(web_bound(&b, "days")->chosen, 5);
	assert_string_equal(web_bound(&b, "born")->text, "1956-03-27");
	assert_int_equal(web_bound(&b, "born")->day, uk_days(1956, 3, 27));
	assert_string_equal(web_bound(&b, "nhs")->text, "9434765919");
	assert_string_equal(web_bound(&b, "postcode")->text, "DN15 6XX");
	assert_null(web_bound(&b, "nope"));
	/* What was typed comes back, boxes and all; never the password. */
	assert_string_equal(json_string_value(json_object_get(b.values, "name")), "Ann");
	assert_string_equal(json_string_value(json_object_get(b.values, "born-year")), "1956");
	assert_int_equal(json_array_size(json_object_get(b.values, "days")), 2);
	assert_null(json_object_get(b.values, "secret"));
	web_bound_release(&b);
	req_release(&req);
}

static void bad_values_say_what_to_fix(void **state)
{
	struct request req;
	struct bound b;

	UNUSED(state);
	req_init(&req, NULL);
	put(&req, "name", "Annabelle Smith");          /* 15 characters, max 10 */
	put(&req, "nick", "Bob");
	put(&req, "email", "ann.example.org");
	put(&req, "phone", "call me");
	put(&req, "agree", "yes");
	put(&req, "day", "sun");
	put(&req, "days", "fri");
	put(&req, "born-day", "30");
	put(&req, "born-month", "2");
	put(&req, "born-year", "2001");
	put(&req, "nhs", "943 476 5918");
	put(&req, "postcode", "nowhere");
	assert_false(web_bind(&req, fields, ARRAY_LEN(fields), &b));
	assert_string_equal(error_for(&b, "name"), "Your name must be 10 characters or fewer");
	assert_string_equal(error_for(&b, "nick"), "Bob may not use this form");
	assert_non_null(strstr(error_for(&b, "email"), "right format"));
	assert_non_null(strstr(error_for(&b, "phone"), "telephone number"));
	assert_string_equal(error_for(&b, "secret"), "Enter Password");
	assert_string_equal(error_for(&b, "day"), "Choose the day from the list");
	assert_string_equal(error_for(&b, "days"), "Choose days from the list");
	assert_non_null(strstr(error_for(&b, "born"), "must be a real date"));
	assert_non_null(strstr(error_for(&b, "nhs"), "10-digit NHS number"));
	assert_non_null(error_for(&b, "postcode"));
	/* In table order, one each. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(b.errors, 0), "field")), "name");
	assert_int_equal(json_array_size(b.errors), 10);
	/* Kept as typed, to correct. */
	assert_string_equal(json_string_value(json_object_get(b.values, "email")), "ann.example.org");
	web_bound_release(&b);

	/* Required and empty: the field's own words; a date missing a box. */
	req_release(&req);
	req_init(&req, NULL);
	put(&req, "name", "   ");
	put(&req, "secret", "x");
	put(&req, "born-day", "1");
	assert_false(web_bind(&req, fields, ARRAY_LEN(fields), &b));
	assert_string_equal(error_for(&b, "name"), "Enter your name");
	assert_non_null(strstr(error_for(&b, "born"), "must include a day, month and year"));
	assert_int_equal(json_array_size(b.errors), 2);
	web_bound_release(&b);
	req_release(&req);
}

/* ---------------------------------------------------------------- the POST path
 *
 * A form with a name and a password. before() counts an attempt in a
 * transaction of its own; act() writes a row in the path's transaction.
 * What each step saw and what each returns is set by the test.
 */
struct post_fx {
	struct storetest st;
	struct request req;
	struct response resp;
	/* what the steps return */
	enum err before_says, act_says;
	/* what the steps saw */
	int before_calls, act_calls, page_calls, page_status;
	bool before_in_tx, act_in_tx;
	json_t *page_values, *page_errors;
};

static const struct sql q_note = { "t.form_note", "INSERT INTO form_note (what) VALUES ($1)", NULL };
static const struct sql q_notes = { "t.form_notes", "SELECT count(*) FROM form_note WHERE what = $1", NULL };

static const struct field_def post_fields[] = {
	{ .name = "name", .label = "Your name", .kind = FIELD_TEXT, .required = true,
	  .missing = "Enter your name" },
	{ .name = "secret", .label = "Password", .kind = FIELD_PASSWORD, .secret = true },
};

static enum err post_before(struct request *req, const struct bound *b, json_t *errors, void *ctx)
{
	struct post_fx *x = ctx;
	enum err e;

	UNUSED(b);
	x->before_calls++;
	x->before_in_tx = db_in_tx(req->db);
	if ((e = db_begin(req->db)) != ERR_OK ||
	    (e = db_exec(req->db, &q_note, DB_ARGS(DB_TEXT("attempt")), NULL)) != ERR_OK ||
	    (e = db_commit(req->db)) != ERR_OK)
		return e;
	if (x->before_says == ERR_INVALID)
		web_error(errors, "name", "That name is taken by the before step");
	return x->before_says;
}

static enum err post_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	struct post_fx *x = ctx;
	enum err e;

	UNUSED(resp);
	x->act_calls++;
	x->act_in_tx = db_in_tx(req->db);
	assert_string_equal(web_bound(b, "name")->text, "Ann");
	if ((e = db_exec(req->db, &q_note, DB_ARGS(DB_TEXT("act")), NULL)) != ERR_OK)
		return e;
	if (x->act_says == ERR_INVALID)
		web_error(errors, "name", "Another Ann is here already");
	return x->act_says;
}

static enum err post_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	struct post_fx *x = ctx;

	UNUSED(req);
	x->page_calls++;
	x->page_status = status;
	x->page_values = values;
	x->page_errors = errors;
	resp->status = status;
	return ERR_OK;
}

static const char *post_done(struct request *req, void *ctx)
{
	UNUSED(req);
	UNUSED(ctx);
	return "/made/42?done=made";
}

static const struct form_post the_form = {
	.fields = post_fields, .nfields = ARRAY_LEN(post_fields), .before = post_before,
	.act = post_act, .page = post_page, .done = post_done,
};

static int post_setup(void **state)
{
	struct post_fx *x = calloc(1, sizeof(*x));

	if (!x || !storetest_open(&x->st, *state))
		return -1;
	if (db_exec_script(x->st.db, "CREATE TABLE form_note (what TEXT NOT NULL)") != ERR_OK)
		return -1;
	req_init(&x->req, NULL);
	x->req.db = x->st.db;
	resp_init(&x->resp);
	*state = x;
	return 0;
}

static int post_teardown(void **state)
{
	struct post_fx *x = *state;

	json_decref(x->page_values);
	json_decref(x->page_errors);
	resp_release(&x->resp);
	req_release(&x->req);
	storetest_close(&x->st);
	free(x);
	return 0;
}

static int64_t notes(struct post_fx *x, const char *what)
{
	int64_t n = -1;

	assert_int_equal(db_query_int(x->st.db, &q_notes, DB_ARGS(DB_TEXT(what)), &n), ERR_OK);
	return n;
}

static const char *location(const struct response *resp)
{
	for (size_t i = 0; i < resp->nheaders; i++)
		if (strcmp(resp->headers[i].name, "Location") == 0)
			return resp->headers[i].val;
	return NULL;
}

static void fill(struct post_fx *x, const char *name)
{
	put(&x->req, "name", name);
	put(&x->req, "secret", "hunter2 hunter2");
}

/* Bound, before() outside the write, act() inside it, committed, then 303
 * to where done() says. */
static void post_acts_and_redirects(void **state)
{
	struct post_fx *x = *state;

	fill(x, " Ann ");
	assert_int_equal(web_form_post(&x->req, &x->resp, &the_form, x), ERR_OK);
	assert_int_equal(x->before_calls, 1);
	assert_false(x->before_in_tx);
	assert_int_equal(x->act_calls, 1);
	assert_true(x->act_in_tx);
	assert_false(db_in_tx(x->st.db));
	assert_int_equal(x->page_calls, 0);
	assert_int_equal(x->resp.status, 303);
	assert_string_equal(location(&x->resp), "/made/42?done=made");
	assert_int_equal(notes(x, "attempt"), 1);
	assert_int_equal(notes(x, "act"), 1);
}

/* A field that does not bind: neither step runs, the page comes back 422
 * with what was typed (never the password) and the error. */
static void post_bind_errors_draw_again(void **state)
{
	struct post_fx *x = *state;

	fill(x, "   ");
	assert_int_equal(web_form_post(&x->req, &x->resp, &the_form, x), ERR_OK);
	assert_int_equal(x->before_calls + x->act_calls, 0);
	assert_int_equal(x->page_calls, 1);
	assert_int_equal(x->page_status, 422);
	assert_string_equal(web_error_for(x->page_errors, "name"), "Enter your name");
	assert_null(json_object_get(x->page_values, "secret"));
	assert_int_equal(notes(x, "attempt"), 0);
}

/* act() says what to fix: its writes roll back, before()'s attempt stays
 * (a limit counts failed tries), the page is drawn again with the error. */
static void post_act_invalid_rolls_back_but_keeps_the_attempt(void **state)
{
	struct post_fx *x = *state;

	x->act_says = ERR_INVALID;
	fill(x, "Ann");
	assert_int_equal(web_form_post(&x->req, &x->resp, &the_form, x), ERR_OK);
	assert_int_equal(x->act_calls, 1);
	assert_false(db_in_tx(x->st.db));
	assert_int_equal(x->page_status, 422);
	assert_string_equal(web_error_for(x->page_errors, "name"), "Another Ann is here already");
	assert_string_equal(json_string_value(json_object_get(x->page_values, "name")), "Ann");
	assert_int_equal(notes(x, "act"), 0);
	assert_int_equal(notes(x, "attempt"), 1);
}

/* before() says what to fix: act() never runs. */
static void post_before_invalid_stops_there(void **state)
{
	struct post_fx *x = *state;

	x->before_says = ERR_INVALID;
	fill(x, "Ann");
	assert_int_equal(web_form_post(&x->req, &x->resp, &the_form, x), ERR_OK);
	assert_int_equal(x->act_calls, 0);
	assert_int_equal(x->page_status, 422);
	assert_string_equal(web_error_for(x->page_errors, "name"), "That name is taken by the before step");
	assert_int_equal(notes(x, "attempt"), 1);
}

/* Any other error from act() goes back to the dispatcher, which answers it
 * and rolls back: the path neither commits nor draws the form. */
static void post_other_errors_go_to_the_dispatcher(void **state)
{
	struct post_fx *x = *state;

	x->act_says = ERR_CONFLICT;
	fill(x, "Ann");
	assert_int_equal(web_form_post(&x->req, &x->resp, &the_form, x), ERR_CONFLICT);
	assert_int_equal(x->page_calls, 0);
	assert_true(db_in_tx(x->st.db));
	assert_int_equal(db_rollback(x->st.db), ERR_OK);
	assert_int_equal(notes(x, "act"), 0);
}

/* Without done(): the route's path and the done word. (No app here, so
 * every route name resolves to "/".) */
static void post_done_word(void **state)
{
	struct post_fx *x = *state;
	struct form_post f = the_form;

	f.done = NULL;
	f.done_route = "account.home";
	f.done_word = "details";
	fill(x, "Ann");
	assert_int_equal(web_form_post(&x->req, &x->resp, &f, x), ERR_OK);
	assert_string_equal(location(&x->resp), "/?done=details");
}

static int setup(void **state)
{
	UNUSED(state);
	return postcode_init() == ERR_OK ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_values_bind),
		cmocka_unit_test(bad_values_say_what_to_fix),
	};
#define T(fn) cmocka_unit_test_setup_teardown(fn, post_setup, post_teardown)
	const struct CMUnitTest post[] = {
		T(post_acts_and_redirects),
		T(post_bind_errors_draw_again),
		T(post_act_invalid_rolls_back_but_keeps_the_attempt),
		T(post_before_invalid_stops_there),
		T(post_other_errors_go_to_the_dispatcher),
		T(post_done_word),
	};
#undef T
	int failed = cmocka_run_group_tests(tests, setup, NULL);

	failed += testdb_run_groups("form post", post, ARRAY_LEN(post));
	return failed ? 1 : 0;
}
