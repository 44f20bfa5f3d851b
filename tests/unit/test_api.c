/*
 * test_api.c - the JSON API's query readers (src/web/api.h): empty is
 * absent, the first of a repeat counts, bounds and their refusals in words
 * that name the parameter, the first refusal sticks, strict endpoints
 * refuse names nobody asked for, and paging's numbers and links.
 *
 * Each test gets a request with no app (req_init(req, NULL)); its query is
 * set as the server would set it and parsed on first use.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "http/request.h"
#include "web/api.h"

struct fx {
	struct request req;
	struct api_query q;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	req_init(&f->req, NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	req_release(&f->req);
	free(f);
	return 0;
}

/* A fresh request with this query string (what follows '?'). */
static struct api_query *query(struct fx *f, const char *qs)
{
	req_release(&f->req);
	req_init(&f->req, NULL);
	f->req.query_raw = qs;
	api_query_of(&f->q, &f->req);
	return &f->q;
}

static void refused(const struct api_query *q, const char *name, const char *words)
{
	assert_false(api_ok(q));
	assert_string_equal(q->bad, name);
	if (!strstr(q->detail, words))
		fail_msg("detail \"%s\" lacks \"%s\"", q->detail, words);
}

/* ---------------------------------------------------------------- values */

static const char *colour(int i)
{
	static const char *const c[] = { "red", "green", "blue" };

	return c[i];
}

static void empty_is_absent(void **state)
{
	struct fx *f = *state;
	struct api_page pg;
	int64_t n;
	bool b;
	int k;
	const char *s;
	char u[37];
	struct api_query *q = query(f, "page=&per_page=&n=&b=&k=&s=&u=&flag");

	assert_true(api_paging(q, 25, 100, &pg));
	assert_int_equal(pg.page, 1);
	assert_int_equal(pg.per_page, 25);
	assert_true(api_int(q, "n", 1, 9, 7, &n));
	assert_int_equal(n, 7);
	assert_true(api_bool(q, "b", true, &b));
	assert_true(b);
	assert_true(api_enum(q, "k", 3, colour, -1, &k));
	assert_int_equal(k, -1);
	assert_true(api_text(q, "s", 10, &s));
	assert_null(s);
	assert_true(api_uuid(q, "u", u));
	assert_string_equal(u, "");
	assert_null(api_value(q, "flag"));
	assert_int_equal(api_done(&f->req, q, API_STRICT), ERR_OK);
}

static void first_of_a_repeat_counts(void **state)
{
	struct fx *f = *state;
	int64_t n;

	assert_true(api_int(query(f, "n=2&n=x"), "n", 1, 9, 1, &n));
	assert_int_equal(n, 2);
	/* An empty first is absent: the later value is not looked at. */
	assert_true(api_int(query(f, "n=&n=x"), "n", 1, 9, 1, &n));
	assert_int_equal(n, 1);
}

static void integers(void **state)
{
	struct fx *f = *state;
	static const char *const bad[] = {
		"n=0", "n=10", "n=abc", "n=-1", "n=%201", "n=1.5", "n=99999999999999999999", "n=+3",
	};
	int64_t n;

	assert_true(api_int(query(f, "n=9"), "n", 1, 9, 1, &n));
	assert_int_equal(n, 9);
	assert_true(api_int(query(f, "n=-3"), "n", -5, 5, 1, &n));
	assert_int_equal(n, -3);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct api_query *q = query(f, bad[i]);

		assert_false(api_int(q, "n", 1, 9, 4, &n));
		assert_int_equal(n, 4);     /* the default, not half a value */
		refused(q, "n", "The n parameter must be a whole number from 1 to 9.");
	}
}

static void booleans(void **state)
{
	struct fx *f = *state;
	static const struct { const char *qs; bool want; } ok[] = {
		{ "b=true", true }, { "b=TRUE", true }, { "b=1", true },
		{ "b=false", false }, { "b=False", false }, { "b=0", false },
	};
	bool b;

	for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
		assert_true(api_bool(query(f, ok[i].qs), "b", !ok[i].want, &b));
		assert_int_equal(b, ok[i].want);
	}
	assert_false(api_bool(query(f, "b=yes"), "b", false, &b));
	refused(&f->q, "b", "The b parameter must be true or false.");
	assert_false(api_bool(query(f, "b=2"), "b", false, &b));
}

static void enums(void **state)
{
	struct fx *f = *state;
	int k;

	assert_true(api_enum(query(f, "c=blue"), "c", 3, colour, -1, &k));
	assert_int_equal(k, 2);
	assert_false(api_enum(query(f, "c=Blue"), "c", 3, colour, -1, &k));
	assert_int_equal(k, -1);
	refused(&f->q, "c", "The c parameter must be one of red, green or blue.");
	/* Two are "x or y"; one is just "x". */
	assert_false(api_enum(query(f, "c=pink"), "c", 2, colour, 0, &k));
	refused(&f->q, "c", "The c parameter must be red or green.");
	assert_false(api_enum(query(f, "c=pink"), "c", 1, colour, 0, &k));
	refused(&f->q, "c", "The c parameter must be red.");
}

static void text(void **state)
{
	struct fx *f = *state;
	const char *s;

	assert_true(api_text(query(f, "s=%20%20walk%20here%09"), "s", 9, &s));
	assert_string_equal(s, "walk here");
	assert_true(api_text(query(f, "s=%20%20"), "s", 9, &s));
	assert_null(s);
	/* Characters, not bytes: five two-byte letters fit in five. */
	assert_true(api_text(query(f, "s=%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9"), "s", 5, &s));
	assert_string_equal(s, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
	assert_false(api_text(query(f, "s=abcdef"), "s", 5, &s));
	assert_null(s);
	refused(&f->q, "s", "The s parameter must be plain text of 5 characters or fewer.");
}

static void ids(void **state)
{
	struct fx *f = *state;
	static const char *const bad[] = { "id=0", "id=-4", "id=abc", "id=9007199254740993" };
	int64_t id;
	char u[37];

	assert_true(api_id(query(f, "id=42"), "id", &id));
	assert_int_equal(id, 42);
	assert_true(api_id(query(f, "id=9007199254740992"), "id", &id));
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		assert_false(api_id(query(f, bad[i]), "id", &id));
		assert_int_equal(id, 0);
		refused(&f->q, "id", "The id parameter must be an id");
	}

	assert_true(api_uuid(query(f, "u=0F8FAD5B-D9CB-469F-A165-70867728950E"), "u", u));
	assert_string_equal(u, "0f8fad5b-d9cb-469f-a165-70867728950e");
	assert_false(api_uuid(query(f, "u=0f8fad5b"), "u", u));
	assert_string_equal(u, "");
	refused(&f->q, "u", "The u parameter must be a UUID");
}

static void paging(void **state)
{
	struct fx *f = *state;
	struct api_page pg;

	assert_true(api_paging(query(f, "page=3&per_page=10"), 25, 100, &pg));
	assert_int_equal(pg.page, 3);
	assert_int_equal(pg.per_page, 10);
	assert_int_equal(api_offset(&pg), 20);
	assert_true(api_paging(query(f, "page=1000000"), 25, 100, &pg));
	assert_false(api_paging(query(f, "page=1000001"), 25, 100, &pg));
	refused(&f->q, "page", "The page parameter must be a whole number from 1 to 1000000.");
	assert_false(api_paging(query(f, "page=0"), 25, 100, &pg));
	refused(&f->q, "page", "The page parameter");
	assert_false(api_paging(query(f, "page=abc"), 25, 100, &pg));
	refused(&f->q, "page", "The page parameter");
	assert_false(api_paging(query(f, "per_page=101"), 25, 100, &pg));
	refused(&f->q, "per_page", "The per_page parameter must be a whole number from 1 to 100.");
	assert_int_equal(pg.per_page, 25);
	assert_int_equal(pg.page, 1);
}

/* ---------------------------------------------------------------- refusals */

static void the_first_refusal_sticks(void **state)
{
	struct fx *f = *state;
	struct api_query *q = query(f, "a=x&b=y&c=3");
	int64_t a, b, c;

	assert_false(api_int(q, "a", 1, 9, 1, &a));
	assert_false(api_int(q, "b", 1, 9, 2, &b));
	assert_false(api_int(q, "c", 1, 9, 5, &c));
	assert_int_equal(b, 2);
	assert_int_equal(c, 5);     /* a good value after a refusal is not read */
	assert_false(api_refuse(q, "c", "The c parameter is wrong too."));
	refused(q, "a", "The a parameter");
}

static void a_refusal_is_a_400_naming_the_parameter(void **state)
{
	struct fx *f = *state;
	struct api_query *q = query(f, "per_page=0");
	struct api_page pg;
	const json_t *e;

	api_paging(q, 25, 100, &pg);
	assert_int_equal(api_done(&f->req, q, API_STRICT), ERR_BAD_REQUEST);
	assert_string_equal(f->req.err_detail, "The per_page parameter must be a whole number from 1 to 100.");
	assert_int_equal(json_array_size(f->req.err_fields), 1);
	e = json_array_get(f->req.err_fields, 0);
	assert_string_equal(json_string_value(json_object_get(e, "field")), "per_page");
	assert_string_equal(json_string_value(json_object_get(e, "detail")), f->req.err_detail);

	/* Nothing refused: nothing recorded. */
	q = query(f, "per_page=5");
	api_paging(q, 25, 100, &pg);
	assert_int_equal(api_fail(&f->req, q), ERR_OK);
	assert_null(f->req.err_detail);
}

static void strict_refuses_what_nobody_asked_for(void **state)
{
	struct fx *f = *state;
	struct api_query *q = query(f, "q=walk&per-page=5");
	struct api_page pg;
	const char *s;

	api_text(q, "q", 100, &s);
	api_paging(q, 25, 100, &pg);
	assert_int_equal(api_done(&f->req, q, API_STRICT), ERR_BAD_REQUEST);
	refused(q, "per-page", "The per-page parameter is not one this address takes. "
		"It takes q, per_page and page.");
	assert_string_equal(json_string_value(json_object_get(json_array_get(f->req.err_fields, 0),
				"field")), "per-page");

	/* Lenient: ignored. */
	q = query(f, "q=walk&per-page=5");
	api_text(q, "q", 100, &s);
	assert_int_equal(api_done(&f->req, q, API_LENIENT), ERR_OK);
	/* Empty is absent, an unknown name too. */
	q = query(f, "q=walk&utm=");
	api_text(q, "q", 100, &s);
	assert_int_equal(api_done(&f->req, q, API_STRICT), ERR_OK);
	/* A bad known value is told before an unknown name. */
	q = query(f, "x=1&page=0");
	api_paging(q, 25, 100, &pg);
	assert_int_equal(api_done(&f->req, q, API_STRICT), ERR_BAD_REQUEST);
	refused(q, "page", "The page parameter");
}

static void none(void **state)
{
	struct fx *f = *state;

	query(f, "");
	assert_int_equal(api_none(&f->req), ERR_OK);
	query(f, "empty=");
	assert_int_equal(api_none(&f->req), ERR_OK);
	query(f, "x=1");
	assert_int_equal(api_none(&f->req), ERR_BAD_REQUEST);
	assert_string_equal(f->req.err_detail, "The x parameter is not one this address takes. "
			    "It takes none.");
	/* A long name is cut short in the sentence only. */
	query(f, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1");
	assert_int_equal(api_none(&f->req), ERR_BAD_REQUEST);
	assert_int_equal(strlen(json_string_value(json_object_get(json_array_get(f->req.err_fields, 0),
				"field"))), 100);
	assert_non_null(strstr(f->req.err_detail, "The aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa "
			       "parameter"));
}

/* ---------------------------------------------------------------- paging in a response */

static json_t *paged(struct fx *f, const char *qs, int64_t total)
{
	struct api_query *q = query(f, qs);
	struct api_page pg;
	const char *s;
	json_t *data = json_object();

	api_text(q, "q", 100, &s);
	assert_true(api_paging(q, 2, 100, &pg));
	assert_int_equal(api_done(&f->req, q, API_STRICT), ERR_OK);
	api_paging_json(&f->req, data, "/api/v1/things", &pg, total);
	return data;
}

static const char *js(const json_t *j, const char *k)
{
	return json_string_value(json_object_get(j, k));
}

static int64_t ji(const json_t *j, const char *k)
{
	return json_integer_value(json_object_get(j, k));
}

static void paging_in_the_response(void **state)
{
	struct fx *f = *state;
	json_t *j = paged(f, "", 5);

	assert_int_equal(ji(j, "total"), 5);
	assert_int_equal(ji(j, "page"), 1);
	assert_int_equal(ji(j, "per_page"), 2);
	assert_int_equal(ji(j, "pages"), 3);
	assert_null(json_object_get(j, "prev_href"));
	assert_string_equal(js(j, "next_href"), "/api/v1/things?page=2");
	json_decref(j);

	/* The other parameters stay, page goes to the end, empties go. */
	j = paged(f, "page=2&q=tea%20%26%20cake&per_page=2&x=", 5);
	assert_string_equal(js(j, "prev_href"), "/api/v1/things?q=tea%20%26%20cake&per_page=2&page=1");
	assert_string_equal(js(j, "next_href"), "/api/v1/things?q=tea%20%26%20cake&per_page=2&page=3");
	json_decref(j);

	j = paged(f, "page=3", 5);
	assert_string_equal(js(j, "prev_href"), "/api/v1/things?page=2");
	assert_null(json_object_get(j, "next_href"));
	json_decref(j);

	/* Beyond the end: back goes to the last page. */
	j = paged(f, "page=9", 5);
	assert_string_equal(js(j, "prev_href"), "/api/v1/things?page=3");
	assert_null(json_object_get(j, "next_href"));
	json_decref(j);

	/* Nothing at all: one empty page, no links. */
	j = paged(f, "", 0);
	assert_int_equal(ji(j, "pages"), 1);
	assert_null(json_object_get(j, "prev_href"));
	assert_null(json_object_get(j, "next_href"));
	json_decref(j);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(empty_is_absent),
		T(first_of_a_repeat_counts),
		T(integers),
		T(booleans),
		T(enums),
		T(text),
		T(ids),
		T(paging),
		T(the_first_refusal_sticks),
		T(a_refusal_is_a_400_naming_the_parameter),
		T(strict_refuses_what_nobody_asked_for),
		T(none),
		T(paging_in_the_response),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
