/*
 * fuzz_json.c - parse_json against jansson itself.
 *
 * The depth pre-scan must never change jansson's verdict except to refuse
 * documents deeper than the limit, and must measure depth exactly:
 *   - ok: the top level is an object or array, the tree's depth d is within
 *     the limit, the input parses with max_depth d and is ERR_TOO_LARGE with
 *     d - 1, no string holds a NUL, every string is valid UTF-8, and a
 *     compact dump parses back to an equal document;
 *   - whenever jansson alone (JSON_REJECT_DUPLICATES) accepts an object or
 *     array no deeper than the limit, parse_json accepts it too;
 *   - a failure sets *out to NULL and gives a why sentence, and the
 *     detailed whybuf is NUL-terminated and never quotes the input.
 * Everything is json_decref'd, so LeakSanitizer sees any leak.
 */
#include "core/common.h"

#include "http/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

#define DEPTH 8   /* small, so the fuzzer reaches the limit easily */

static bool utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t len;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2; cp = c & 0x1f; min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3; cp = c & 0x0f; min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4; cp = c & 0x07; min = 0x10000;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

static bool str_ok(const char *s, size_t n)
{
	return strlen(s) == n && utf8_ok((const unsigned char *)s, n);
}

/* Depth of arrays and objects; recursion is bounded by jansson's own
 * limit (JSON_PARSER_MAX_DEPTH) on what it returns. Checks strings too. */
static size_t depth_of(json_t *j)
{
	size_t d = 0, sub;

	if (json_is_string(j)) {
		CHECK(str_ok(json_string_value(j), json_string_length(j)));
		return 0;
	}
	if (json_is_array(j)) {
		size_t i;
		json_t *v;

		json_array_foreach(j, i, v) {
			sub = depth_of(v);
			d = sub > d ? sub : d;
		}
		return d + 1;
	}
	if (json_is_object(j)) {
		const char *k;
		json_t *v;

		json_object_foreach(j, k, v) {
			CHECK(str_ok(k, strlen(k)));
			sub = depth_of(v);
			d = sub > d ? sub : d;
		}
		return d + 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	json_t *j = (json_t *)1, *ref, *again = NULL;
	const char *why = (const char *)1, *why2;
	char whybuf[128];
	json_error_t je;
	enum err e;

	e = parse_json_ex(p, size, DEPTH, &j, &why, whybuf, sizeof(whybuf));
	CHECK(memchr(whybuf, '\0', sizeof(whybuf)) != NULL);
	ref = json_loadb(p, size, JSON_REJECT_DUPLICATES, &je);

	if (e == ERR_OK) {
		CHECK(why == NULL && whybuf[0] == '\0');
		CHECK(json_is_object(j) || json_is_array(j));
		size_t d = depth_of(j);
		CHECK(d >= 1 && d <= DEPTH);
		CHECK(ref && json_equal(j, ref));

		CHECK(parse_json(p, size, d, &again, &why2) == ERR_OK);
		json_decref(again);
		CHECK(parse_json(p, size, d - 1, &again, &why2) == ERR_TOO_LARGE);
		CHECK(again == NULL);

		char *dump = json_dumps(j, JSON_COMPACT);
		CHECK(dump);
		CHECK(parse_json(dump, strlen(dump), d, &again, &why2) == ERR_OK);
		CHECK(json_equal(j, again));
		json_decref(again);
		free(dump);
		json_decref(j);
	} else {
		CHECK(j == NULL);
		CHECK(e == ERR_BAD_REQUEST || e == ERR_TOO_LARGE);
		CHECK(why != NULL && why != (const char *)1 && strlen(why) > 10);
		CHECK(strncmp(whybuf, "The JSON body is not valid: ", 28) == 0);
		if (ref && (json_is_object(ref) || json_is_array(ref)))
			CHECK(depth_of(ref) > DEPTH && e == ERR_TOO_LARGE);
	}
	json_decref(ref);
	return 0;
}
