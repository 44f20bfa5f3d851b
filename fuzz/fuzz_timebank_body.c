/*
 * fuzz_timebank_body.c - the body of POST /api/v1/timebank/transfers
 * (tb_body_parse in src/timebank/transfer_body.c: {from, to, minutes,
 * note, idempotency_key}) on any bytes, read two ways: as the server
 * reads a JSON body (parse_json: duplicates refused, depth limited), and
 * more widely with json_loadb(JSON_DECODE_ANY | JSON_ALLOW_NUL), so a top
 * level that is not an object and strings with a NUL in them reach the
 * parser too.
 *
 * Invariants, against an independent reading of each member:
 *   - a body that is not an object is ERR_BAD_REQUEST with one error,
 *     field "body";
 *   - an object is ERR_OK exactly when the reading finds nothing wrong,
 *     else ERR_INVALID with exactly one error per member wrong (a member
 *     the endpoint does not take counts once each); every error a
 *     {field, detail} pair of clean UTF-8;
 *   - on success from and to are the body's whole numbers in
 *     1..TB_ID_MAX, minutes in 1..TB_MINUTES_MAX; note NULL when absent,
 *     null or blank, else the body's own string (no NUL, clean UTF-8, at
 *     most TB_NOTE_MAX characters); the key NULL when absent or null,
 *     else the body's own string of 1..TB_KEY_MAX bytes 0x21..0x7e.
 * Everything is freed, so LeakSanitizer sees any leak.
 */
#include "core/common.h"

#include "core/limits.h"
#include "core/str.h"
#include "http/parse.h"
#include "timebank/ledger.h"
#include "timebank/transfer_body.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static const char *const known[] = { "from", "to", "minutes", "note", "idempotency_key" };

static bool whole_in(const json_t *v, int64_t max)
{
	return json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) <= max;
}

static size_t chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* Is the note as the endpoint takes it: absent or null, or a string
 * with no NUL, clean UTF-8 (no control characters but tab and line
 * breaks), at most TB_NOTE_MAX characters? */
static bool note_ok(const json_t *v)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);

	if (!v || json_is_null(v))
		return true;
	return s && strlen(s) == n && str_is_clean_utf8(s, n) && chars(s, n) <= TB_NOTE_MAX;
}

static bool key_ok(const json_t *v)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);

	if (!v || json_is_null(v))
		return true;
	if (!s || n < 1 || n > TB_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return false;
	return true;
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

static void check(const json_t *body)
{
	json_t *errors = json_array();
	struct tb_body out;
	enum err e;
	size_t wrong = 0, i;
	const char *k;
	json_t *v, *err;

	CHECK(errors);
	e = tb_body_parse(body, &out, errors);
	json_array_foreach(errors, i, err) {
		const char *f = json_string_value(json_object_get(err, "field"));
		const char *d = json_string_value(json_object_get(err, "detail"));

		CHECK(f && d && *d && str_is_clean_utf8(d, strlen(d)));
	}
	if (!json_is_object(body)) {
		CHECK(e == ERR_BAD_REQUEST && json_array_size(errors) == 1);
		CHECK(strcmp(json_string_value(json_object_get(json_array_get(errors, 0), "field")), "body") == 0);
		json_decref(errors);
		return;
	}
	json_object_foreach((json_t *)body, k, v) {
		bool is_known = false;

		for (size_t j = 0; j < ARRAY_LEN(known); j++)
			is_known |= strcmp(k, known[j]) == 0;
		wrong += !is_known;
	}
	wrong += !whole_in(json_object_get(body, "from"), TB_ID_MAX);
	wrong += !whole_in(json_object_get(body, "to"), TB_ID_MAX);
	wrong += !whole_in(json_object_get(body, "minutes"), TB_MINUTES_MAX);
	wrong += !note_ok(json_object_get(body, "note"));
	wrong += !key_ok(json_object_get(body, "idempotency_key"));
	CHECK(json_array_size(errors) == wrong);
	CHECK((e == ERR_OK) == (wrong == 0));
	CHECK(e == ERR_OK || e == ERR_INVALID);
	if (e == ERR_OK) {
		const json_t *n = json_object_get(body, "note"), *key = json_object_get(body, "idempotency_key");

		CHECK(out.from == (int64_t)json_integer_value(json_object_get(body, "from")));
		CHECK(out.to == (int64_t)json_integer_value(json_object_get(body, "to")));
		CHECK(out.minutes == (int64_t)json_integer_value(json_object_get(body, "minutes")));
		if (!n || json_is_null(n) || blank(json_string_value(n)))
			CHECK(out.note == NULL);
		else
			CHECK(out.note == json_string_value(n));
		if (!key || json_is_null(key))
			CHECK(out.key == NULL);
		else
			CHECK(out.key == json_string_value(key));
	}
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
