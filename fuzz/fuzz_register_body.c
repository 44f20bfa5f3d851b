/*
 * fuzz_register_body.c - the attendance API's body (register_body_parse
 * in src/groups/register_web.c: POST /api/v1/events/{id}/attendance,
 * {present, clients, walk_ins, held_on}) on any bytes, read two ways:
 * as the server reads a JSON body (parse_json: jansson's json_loadb,
 * duplicates refused), and more widely with json_loadb(JSON_DECODE_ANY |
 * JSON_ALLOW_NUL), so a top level that is not an object and strings
 * with a NUL in them (\u0000) reach the parser too.
 *
 * Invariants, against an independent reading of each member:
 *   - it is ERR_OK exactly when the reading finds nothing wrong, and
 *     ERR_INVALID with exactly one error per member wrong (field: the
 *     member's name; a member the API does not take is named in its
 *     sentence), or one error with field "body" when the body is not an
 *     object; every error a {field, detail} pair with a sentence;
 *   - on success, present is the body's ids in order, each a whole number
 *     from 1 to API_ID_MAX, at most REGISTER_TICKS_MAX; clients the body's
 *     UUIDs in order, lowercased, at most REGISTER_TICKS_MAX; walk_ins the
 *     body's strings in order, none with a NUL, at most
 *     REGISTER_WALK_INS_MAX; held_on NULL when absent or null, else the
 *     body's string (whole: no NUL). A count is 0 when its member is
 *     absent or null.
 * held_on's day, blank walk-ins and names' lengths are register_save's
 * to judge (against today and the session's list), not this parser's.
 * A fresh arena per reading; everything is freed, so LeakSanitizer sees
 * any leak.
 */
#include "core/common.h"

#include "core/arena.h"
#include "core/limits.h"
#include "groups/register.h"
#include "http/parse.h"
#include "web/api.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

#define BAD_MAX 64    /* members wrong, counted (an object may have more keys: they all count) */

static const char *const known[] = { "present", "clients", "walk_ins", "held_on" };

/* ---------------------------------------------------------------- each member, read independently */

/* A string with no NUL in it. */
static bool whole_string(const json_t *v)
{
	return json_is_string(v) && memchr(json_string_value(v), '\0', json_string_length(v)) == NULL;
}

static bool ref_uuid(const json_t *v)
{
	const char *s = json_string_value(v);

	if (!whole_string(v) || json_string_length(v) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		char c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return false;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
			return false;
		}
	}
	return true;
}

static bool ref_id(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 1 &&
	       json_integer_value(v) <= ((json_int_t)1 << 53);
}

/* A list member: absent or null is fine (empty); else an array of at
 * most max whose every item is good. */
static bool ref_list(const json_t *v, size_t max, bool (*good)(const json_t *))
{
	size_t i;
	const json_t *x;

	if (!v || json_is_null(v))
		return true;
	if (!json_is_array(v) || json_array_size(v) > max)
		return false;
	json_array_foreach(v, i, x)
		if (!good(x))
			return false;
	return true;
}

/* The fields the parser should name, into bad (at most BAD_MAX counted);
 * returns how many. */
static size_t reference(const json_t *o, const char **bad)
{
	const json_t *v;
	const char *key;
	size_t n = 0;

#define BAD(f) do { if (n < BAD_MAX) bad[n] = (f); n++; } while (0)
	json_object_foreach((json_t *)o, key, v) {
		bool ok = false;

		for (size_t k = 0; k < ARRAY_LEN(known); k++)
			ok |= strcmp(key, known[k]) == 0;
		if (!ok)
			BAD(key);
	}
	if (!ref_list(json_object_get(o, "present"), REGISTER_TICKS_MAX, ref_id))
		BAD("present");
	if (!ref_list(json_object_get(o, "clients"), REGISTER_TICKS_MAX, ref_uuid))
		BAD("clients");
	if (!ref_list(json_object_get(o, "walk_ins"), REGISTER_WALK_INS_MAX, whole_string))
		BAD("walk_ins");
	v = json_object_get(o, "held_on");
	if (v && !json_is_null(v) && !whole_string(v))
		BAD("held_on");
#undef BAD
	return n;
}

/* ---------------------------------------------------------------- checks */

/* Every error a field and a sentence; the fields exactly bad (as a
 * multiset: an unknown key's field is the key, and keys are unique). */
static void check_errors(const json_t *errors, const char **bad, size_t nbad, bool object)
{
	bool used[BAD_MAX] = { false };
	size_t i;
	const json_t *e;

	CHECK(json_array_size(errors) == nbad);
	json_array_foreach(errors, i, e) {
		const char *f = json_string_value(json_object_get(e, "field"));
		const char *d = json_string_value(json_object_get(e, "detail"));
		bool found = false;

		CHECK(f && d && strlen(d) > 20);
		for (size_t k = 0; k < nbad && k < BAD_MAX && !found; k++)
			if (!used[k] && strcmp(bad[k], f) == 0)
				found = used[k] = true;
		CHECK(found || nbad > BAD_MAX);
		/* A member it does not take is named in the sentence. */
		if (object && found && strcmp(f, "present") && strcmp(f, "clients") &&
		    strcmp(f, "walk_ins") && strcmp(f, "held_on")) {
			size_t fl = strlen(f), dl = strlen(d);

			CHECK(dl >= fl && strcmp(d + dl - fl, f) == 0);
		}
	}
}

static void check_success(const json_t *o, const struct register_input *in)
{
	const json_t *pl = json_object_get(o, "present"), *cl = json_object_get(o, "clients"),
		     *wl = json_object_get(o, "walk_ins"), *h = json_object_get(o, "held_on");

	CHECK(in->npeople == json_array_size(pl) && in->npeople <= REGISTER_TICKS_MAX);
	CHECK(in->nclients == json_array_size(cl) && in->nclients <= REGISTER_TICKS_MAX);
	CHECK(in->nwalk_ins == json_array_size(wl) && in->nwalk_ins <= REGISTER_WALK_INS_MAX);
	for (size_t i = 0; i < in->npeople; i++) {
		CHECK(in->people[i] >= 1 && in->people[i] <= API_ID_MAX);
		CHECK(in->people[i] == json_integer_value(json_array_get(pl, i)));
	}
	for (size_t i = 0; i < in->nclients; i++) {
		const char *c = in->clients[i], *sent = json_string_value(json_array_get(cl, i));

		CHECK(c && strlen(c) == 36);
		for (int k = 0; k < 36; k++) {
			char want = sent[k] >= 'A' && sent[k] <= 'Z' ? (char)(sent[k] - 'A' + 'a') : sent[k];

			CHECK(c[k] == want);
			CHECK(!(c[k] >= 'A' && c[k] <= 'Z'));
		}
	}
	for (size_t i = 0; i < in->nwalk_ins; i++) {
		const json_t *w = json_array_get(wl, i);

		CHECK(in->walk_ins[i] && strlen(in->walk_ins[i]) == json_string_length(w));
		CHECK(memcmp(in->walk_ins[i], json_string_value(w), json_string_length(w)) == 0);
	}
	if (!h || json_is_null(h))
		CHECK(in->held_on == NULL);
	else
		CHECK(in->held_on && strlen(in->held_on) == json_string_length(h) &&
		      strcmp(in->held_on, json_string_value(h)) == 0);
}

static void check(const json_t *body)
{
	const char *bad[BAD_MAX];
	struct register_input in;
	json_t *errors = json_array();
	struct arena a;
	size_t nbad;
	enum err e;

	CHECK(errors);
	arena_init(&a);
	e = register_body_parse(&a, body, &in, errors);
	if (!json_is_object(body)) {
		bad[0] = "body";
		nbad = 1;
	} else {
		nbad = reference(body, bad);
	}
	CHECK(e == (nbad ? ERR_INVALID : ERR_OK));
	check_errors(errors, bad, nbad, json_is_object(body));
	if (e == ERR_OK)
		check_success(body, &in);
	arena_release(&a);
	json_decref(errors);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *body = NULL;
	const char *why;

	if (parse_json((const char *)data, size, LIMIT_JSON_DEPTH, &body, &why) == ERR_OK) {
		check(body);
		json_decref(body);
	}
	body = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (body) {
		check(body);
		json_decref(body);
	}
	return 0;
}
