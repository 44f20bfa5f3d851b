/*
 * fuzz_import.c - `kith directory import`'s reading of a feed, without a
 * database: oruk_feed_read (shape detection: array, paginated list, one
 * service, ndjson), then for each record oruk_import_record (v1
 * conversion and normalisation), oruk_flat, oruk_hash and oruk_derive.
 *
 * Invariants, for any bytes:
 *   - the feed reader either fails with a sentence or gives records, each
 *     with a value or a problem;
 *   - a record is either a document with no errors or NULL with at least
 *     one error, and every error has a field, a detail and a reason;
 *   - a document has no null, "", [] or {} anywhere, every id and *_id is
 *     a lowercase UUID, and it serialises within ORUK_DOC_MAX;
 *   - normalising a document again gives the same bytes and the same hash
 *     (what makes a second import "unchanged");
 *   - the flat form has no arrays or objects; the derived facts stay
 *     within their limits and every derived schedule line decodes.
 * Everything is freed, so LeakSanitizer sees any leak.
 */
#include "core/common.h"

#include "core/str.h"
#include "oruk/oruk.h"
#include "search/postcode.h"
#include "search/schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static void check_doc(const json_t *j, int depth)
{
	const char *k;
	json_t *v;
	size_t i;

	CHECK(depth < 16);
	if (json_is_object(j)) {
		CHECK(json_object_size(j) > 0);
		json_object_foreach((json_t *)j, k, v) {
			size_t n = strlen(k);

			if (strcmp(k, "id") == 0 || (n > 3 && strcmp(k + n - 3, "_id") == 0)) {
				const char *s = json_string_value(v);

				CHECK(s && str_is_uuid(str_c(s)));
				for (const char *p = s; *p; p++)
					CHECK(!(*p >= 'A' && *p <= 'F'));
			}
			check_doc(v, depth + 1);
		}
	} else if (json_is_array(j)) {
		CHECK(json_array_size(j) > 0);
		json_array_foreach(j, i, v)
			check_doc(v, depth + 1);
	} else {
		CHECK(!json_is_null(j));
		if (json_is_string(j)) {
			CHECK(json_string_length(j) > 0);
			CHECK(str_is_clean_utf8(json_string_value(j), json_string_length(j)));
		}
	}
}

static void check_record(const json_t *rec)
{
	json_t *errors = json_array(), *doc, *again, *e2, *flat, *v, *err;
	char h1[65], h2[65];
	char *a, *b;
	size_t la, i;
	const char *k;
	struct oruk_facts f;

	CHECK(errors);
	doc = oruk_import_record(rec, errors, NULL);
	if (!doc) {
		CHECK(json_array_size(errors) > 0);
		json_array_foreach(errors, i, err) {
			CHECK(json_string_value(json_object_get(err, "field")));
			CHECK(json_string_value(json_object_get(err, "detail")));
			CHECK(strlen(oruk_error_reason(err)) > 3);
		}
		json_decref(errors);
		return;
	}
	CHECK(json_array_size(errors) == 0);
	check_doc(doc, 0);
	a = oruk_dump(doc, &la);
	CHECK(a && la <= ORUK_DOC_MAX);

	e2 = json_array();
	again = oruk_normalise(doc, e2);
	if (!again)
		fprintf(stderr, "second normalisation refused: %s\n", json_dumps(e2, 0));
	CHECK(again);
	b = oruk_dump(again, NULL);
	if (strcmp(a, b) != 0)
		fprintf(stderr, "not idempotent:\n%s\n%s\n", a, b);
	CHECK(strcmp(a, b) == 0);
	oruk_hash(doc, h1);
	oruk_hash(again, h2);
	CHECK(strcmp(h1, h2) == 0);

	flat = oruk_flat(doc);
	CHECK(flat);
	json_object_foreach(flat, k, v)
		CHECK(!json_is_array(v) && !json_is_object(v));

	CHECK(oruk_derive(doc, &f) == ERR_OK);
	CHECK(f.nplaces <= ORUK_PLACES_MAX);
	CHECK(f.body.len <= ORUK_BODY_MAX);
	for (const char *p = f.scheds.p; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		struct sched s;

		CHECK(sched_decode(p, n, &s));
		p = nl ? nl + 1 : p + n;
	}
	for (size_t j = 0; j < f.nplaces; j++)
		CHECK(str_is_uuid(str_c(f.places[j].sal_id)));
	oruk_facts_release(&f);

	free(a);
	free(b);
	json_decref(flat);
	json_decref(again);
	json_decref(e2);
	json_decref(doc);
	json_decref(errors);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct oruk_feed feed;
	char why[256];
	enum err e;

	if (!ready) {
		CHECK(postcode_init() == ERR_OK);
		ready = true;
	}
	memset(why, 'x', sizeof(why));
	e = oruk_feed_read((const char *)data, size, &feed, why, sizeof(why));
	CHECK(memchr(why, '\0', sizeof(why)));
	if (e) {
		CHECK(e == ERR_INVALID || e == ERR_TOO_LARGE || e == ERR_NOMEM);
		CHECK(strlen(why) > 10);
	} else {
		for (size_t i = 0; i < feed.n; i++) {
			CHECK(feed.recs[i].value || feed.recs[i].problem);
			if (feed.recs[i].value)
				check_record(feed.recs[i].value);
		}
	}
	oruk_feed_release(&feed);
	return 0;
}
