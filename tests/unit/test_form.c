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
	return cmocka_run_group_tests(tests, setup, NULL);
}
