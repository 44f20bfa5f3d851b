/*
 * fuzz_talk_api.c - the conversations API's request bodies
 * (talk_api_body_parse in src/talk/talk_api.c: POST .../topics {title,
 * body}, POST .../posts {body, quote_of}, POST .../flags {reason, note})
 * on any bytes. Byte 0 chooses the body (its value mod 3: topic, post,
 * flag); the rest is read two ways: as the server reads a JSON body
 * (parse_json: jansson's json_loadb, duplicates refused, depth limited),
 * and more widely with json_loadb(JSON_DECODE_ANY | JSON_ALLOW_NUL), so a
 * top level that is not an object and strings with a NUL in them
 * (\u0000) reach the parser too.
 *
 * Invariants, against an independent reading of each member:
 *   - a body that is not an object is ERR_BAD_REQUEST with one error,
 *     field "body";
 *   - an object is ERR_OK exactly when the reading finds nothing wrong,
 *     else ERR_INVALID with exactly one error per member wrong (field:
 *     the member's name; a member the endpoint does not take is named in
 *     its sentence when its name is short); every error a {field,
 *     detail} pair whose detail is a clean UTF-8 sentence (but for the
 *     name of a member it does not take, echoed as sent);
 *   - on success each text is the body's own string (borrowed), clean
 *     UTF-8 with no NUL, within its limit (title 120 characters, body
 *     20,000 bytes, reason 32 characters, note 500 characters), title
 *     and body not blank; NULL when absent or null (and a blank reason);
 *     quote_of 0 when absent or null, else the body's whole number in
 *     1..API_ID_MAX.
 * A fresh arena per reading; everything is freed, so LeakSanitizer sees
 * any leak.
 */
#include "core/common.h"

#include "core/arena.h"
#include "core/limits.h"
#include "core/str.h"
#include "http/parse.h"
#include "talk/talk.h"
#include "talk/talk_api.h"
#include "web/api.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

#define BAD_MAX 64    /* members wrong, counted (an object may have more keys: they all count) */

/* A member as the endpoint takes it: independent of talk_api.c's table. */
struct member {
	const char *name;
	bool text, required, blank_is_error, bytes;
	size_t max;
};

static const struct member topic[] = {
	{ "title", true, true, true, false, TALK_TITLE_MAX },
	{ "body", true, true, true, true, TALK_BODY_MAX },
};
static const struct member post[] = {
	{ "body", true, true, true, true, TALK_BODY_MAX },
	{ "quote_of", false, false, false, false, 0 },
};
static const struct member flag[] = {
	{ "reason", true, true, false, false, TALK_API_REASON_MAX },
	{ "note", true, false, false, false, TALK_REASON_NOTE_MAX },
};

static const struct {
	const struct member *m;
	size_t n;
} kinds[] = {
	[TALK_API_TOPIC] = { topic, ARRAY_LEN(topic) },
	[TALK_API_POST] = { post, ARRAY_LEN(post) },
	[TALK_API_FLAG] = { flag, ARRAY_LEN(flag) },
};

/* ---------------------------------------------------------------- each member, read independently */

static size_t chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(" \t\r\n", s[i]))
			return false;
	return true;
}

/* Is v (present, not null) wrong for m? *taken: a text kept (false for
 * a blank reason, which is no error here but not taken). */
static bool wrong(const struct member *m, const json_t *v, bool *taken)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);

	*taken = false;
	if (!m->text)
		return !json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > API_ID_MAX;
	if (!s || memchr(s, '\0', n) || !str_is_clean_utf8(s, n))
		return true;
	if (m->bytes ? n > m->max : chars(s, n) > m->max)
		return true;
	if (m->required && blank(s, n))
		return m->blank_is_error;
	*taken = true;
	return false;
}

/* The fields the parser should name, into bad (at most BAD_MAX counted);
 * returns how many. */
static size_t reference(const json_t *o, enum talk_api_body kind, const char **bad)
{
	const struct member *m = kinds[kind].m;
	size_t nm = kinds[kind].n, n = 0;
	const json_t *v;
	const char *key;

#define BAD(f) do { if (n < BAD_MAX) bad[n] = (f); n++; } while (0)
	json_object_foreach((json_t *)o, key, v) {
		bool ok = false;

		for (size_t k = 0; k < nm; k++)
			ok |= strcmp(key, m[k].name) == 0;
		if (!ok)
			BAD(key);
	}
	for (size_t k = 0; k < nm; k++) {
		bool taken;

		v = json_object_get(o, m[k].name);
		if (!v || json_is_null(v)) {
			if (m[k].required && m[k].blank_is_error)
				BAD(m[k].name);
		} else if (wrong(&m[k], v, &taken)) {
			BAD(m[k].name);
		}
	}
#undef BAD
	return n;
}

/* ---------------------------------------------------------------- checks */

static bool known(enum talk_api_body kind, const char *f)
{
	for (size_t k = 0; k < kinds[kind].n; k++)
		if (strcmp(f, kinds[kind].m[k].name) == 0)
			return true;
	return false;
}

/* Every error a field and a sentence; the fields exactly bad (as a
 * multiset: an unknown key's field is the key, and keys are unique). */
static void check_errors(const json_t *errors, enum talk_api_body kind, const char **bad, size_t nbad)
{
	bool used[BAD_MAX] = { false };
	size_t i;
	const json_t *e;

	CHECK(json_array_size(errors) == nbad);
	json_array_foreach(errors, i, e) {
		const char *f = json_string_value(json_object_get(e, "field"));
		const char *d = json_string_value(json_object_get(e, "detail"));
		bool found = false;

		CHECK(json_object_size(e) == 2);
		CHECK(f && d && strlen(d) > 20);
		/* Clean, but for a member's name echoed as sent (a JSON string: UTF-8). */
		CHECK(str_is_clean_utf8(d, strlen(d)) || !known(kind, f));
		CHECK(d[strlen(d) - 1] == '.');
		for (size_t k = 0; k < nbad && k < BAD_MAX && !found; k++)
			if (!used[k] && strcmp(bad[k], f) == 0)
				found = used[k] = true;
		CHECK(found || nbad > BAD_MAX);
		/* A member it does not take is named in the sentence (a long name as "that member"). */
		if (found && !known(kind, f))
			CHECK(strstr(d, strlen(f) <= 40 ? f : "that member"));
	}
}

static void check_success(const json_t *o, enum talk_api_body kind, const struct talk_api_in *in)
{
	const struct member *m = kinds[kind].m;

	for (size_t k = 0; k < kinds[kind].n; k++) {
		const json_t *v = json_object_get(o, m[k].name);
		bool taken = false;

		if (v && !json_is_null(v))
			CHECK(!wrong(&m[k], v, &taken));
		if (!m[k].text) {
			CHECK(in->text[k] == NULL);
			CHECK(in->id[k] == (v && !json_is_null(v) ? json_integer_value(v) : 0));
			CHECK(in->id[k] == 0 || (in->id[k] >= 1 && in->id[k] <= API_ID_MAX));
			continue;
		}
		CHECK(in->id[k] == 0);
		if (!taken) {
			CHECK(in->text[k] == NULL);
			CHECK(!m[k].blank_is_error);
			continue;
		}
		/* Borrowed: the body's own string, whole. */
		CHECK(in->text[k] == json_string_value(v));
		CHECK(strlen(in->text[k]) == json_string_length(v));
		CHECK(str_is_clean_utf8(in->text[k], strlen(in->text[k])));
		CHECK(!m[k].required || !blank(in->text[k], strlen(in->text[k])));
	}
	for (size_t k = kinds[kind].n; k < TALK_API_FIELDS_MAX; k++)
		CHECK(in->text[k] == NULL && in->id[k] == 0);
}

static void check(const json_t *body, enum talk_api_body kind)
{
	const char *bad[BAD_MAX];
	struct talk_api_in in;
	json_t *errors = json_array();
	struct arena a;
	size_t nbad;
	enum err e;

	CHECK(errors);
	arena_init(&a);
	memset(&in, 0xA5, sizeof(in));
	e = talk_api_body_parse(&a, body, kind, &in, errors);
	if (!json_is_object(body)) {
		const json_t *err = json_array_get(errors, 0);
		const char *d = json_string_value(json_object_get(err, "detail"));

		CHECK(e == ERR_BAD_REQUEST);
		CHECK(json_array_size(errors) == 1);
		CHECK(strcmp(json_string_value(json_object_get(err, "field")), "body") == 0);
		CHECK(d && strstr(d, kinds[kind].m[0].name) && str_is_clean_utf8(d, strlen(d)));
		goto out;
	}
	nbad = reference(body, kind, bad);
	CHECK(e == (nbad ? ERR_INVALID : ERR_OK));
	check_errors(errors, kind, bad, nbad);
	if (e == ERR_OK)
		check_success(body, kind, &in);
out:
	arena_release(&a);
	json_decref(errors);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum talk_api_body kind;
	json_t *body = NULL;
	const char *why, *json;
	size_t n;

	if (size < 1)
		return 0;
	kind = (enum talk_api_body)(data[0] % 3);
	json = (const char *)data + 1;
	n = size - 1;
	if (parse_json(json, n, LIMIT_JSON_DEPTH, &body, &why) == ERR_OK) {
		check(body, kind);
		json_decref(body);
	}
	body = json_loadb(json, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (body) {
		check(body, kind);
		json_decref(body);
	}
	return 0;
}
