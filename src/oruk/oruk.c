/*
 * oruk.c - Open Referral UK documents without a database.
 *
 * The normaliser is table-driven: each kind of ORUK object (service,
 * schedule, location, address, ...) is a const table of the fields kith
 * keeps, in schema order, each with a type that says how its value is
 * cleaned (a one-line name, a long text that may be HTML, an email, a URL,
 * a date, a UUID, a nested array of another kind). One walker applies the
 * tables and then a small "finish" step per kind fills what ORUK requires
 * and kith can fill honestly (see oruk.h). Because the output is built
 * field by field in table order, the same input always serialises to the
 * same bytes, which is what the content hash (and "unchanged" on
 * re-import) relies on; and normalising a normalised document gives it
 * back unchanged (fuzz/fuzz_import.c checks both).
 *
 * The v1 converter and the feed reader sit in front of it; the facts kith
 * derives for search (flags, bitmasks, schedules, places) come after it.
 */
#include "core/common.h"
#include "core/buf.h"
#include "core/rand.h"
#include "core/str.h"
#include "directory/vocab.h"
#include "oruk/oruk.h"
#include "oruk/sched_oruk.h"
#include "search/postcode.h"
#include "search/schedule.h"
#include "search/text.h"
#include "view/jstr.h"

#include <ctype.h>
#include <math.h>
#include <sodium.h>

/* ---------------------------------------------------------------- small helpers */

static bool ieq(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

static bool istarts(const char *s, const char *prefix)
{
	return s && strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* Case-insensitive substring (ASCII). */
static const char *icontains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (!hay)
		return NULL;
	for (const char *p = hay; *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return p;
	return NULL;
}

void oruk_error_add(json_t *errors, const char *field, const char *detail, const char *reason)
{
	if (!errors)
		return;
	json_array_append_new(errors, json_pack("{s:s, s:s, s:s}", "field", field, "detail", detail,
						"reason", reason ? reason : detail));
}

const char *oruk_error_reason(const json_t *error)
{
	const char *r = jstr(error, "reason");

	return r ? r : (jstr(error, "detail") ? jstr(error, "detail") : "is not valid");
}

/* ---------------------------------------------------------------- dates */

static int64_t days_from_civil(int64_t y, int m, int d)
{
	/* Howard Hinnant's algorithm. */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

static int month_days(int y, int m)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m < 1 || m > 12)
		return 0;
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return md[m - 1];
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* "YYYY-MM-DD" at s (no more required); the rest in *end. */
static bool parse_ymd(const char *s, int *y, int *m, int *d, const char **end)
{
	if (strlen(s) < 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, y) ||
	    !digits(s + 5, 2, m) || !digits(s + 8, 2, d))
		return false;
	if (*y < 1800 || *y > 2999 || *m < 1 || *m > 12 || *d < 1 || *d > month_days(*y, *m))
		return false;
	*end = s + 10;
	return true;
}

bool oruk_parse_date(const char *s, int64_t *out)
{
	int y, m, d;
	const char *end;

	if (!s || !parse_ymd(s, &y, &m, &d, &end) || *end)
		return false;
	*out = days_from_civil(y, m, d) * 86400;
	return true;
}

bool oruk_parse_datetime(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0, oh, om;
	const char *p;
	int64_t off = 0;

	if (!s || !parse_ymd(s, &y, &mo, &d, &p))
		return false;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (!digits(p, 2, &h) || p[2] != ':' || !digits(p + 3, 2, &mi))
			return false;
		p += 5;
		if (*p == ':') {
			if (!digits(p + 1, 2, &se))
				return false;
			p += 3;
			if (*p == '.' || *p == ',') {
				p++;
				if (*p < '0' || *p > '9')
					return false;
				while (*p >= '0' && *p <= '9')
					p++;
			}
		}
		if (h > 23 || mi > 59 || se > 60)
			return false;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p == '-' ? -1 : 1;

			if (!digits(p + 1, 2, &oh))
				return false;
			p += 3;
			if (*p == ':')
				p++;
			if (!digits(p, 2, &om))
				return false;
			p += 2;
			if (oh > 23 || om > 59)
				return false;
			off = sign * (oh * 3600 + om * 60);
		}
	}
	if (*p)
		return false;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + (se > 59 ? 59 : se) - off;
	return true;
}

void oruk_format_datetime(int64_t t, char out[21])
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t rem = t - days * 86400;
	int y, m, d;

	char buf[64];

	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		str_copy(out, 21, "1970-01-01T00:00:00Z");
		return;
	}
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(rem / 3600),
		 (int)(rem / 60 % 60), (int)(rem % 60));
	str_copy(out, 21, buf);
}

void oruk_format_date(int64_t t, char out[11])
{
	char dt[21];

	oruk_format_datetime(t, dt);
	memcpy(out, dt, 10);
	out[10] = '\0';
}

/* ---------------------------------------------------------------- text */

/* No HTML left that a second pass would change: '<' and '&' become
 * look-alikes. Only reached for inputs nested more than 16 levels deep in
 * entities ("&amp;amp;amp;..."), where no reading is the right one. */
static void defuse(struct buf *b, struct buf *tmp)
{
	buf_reset(tmp);
	for (size_t i = 0; i < b->len; i++) {
		if (b->p[i] == '<')
			buf_adds(tmp, "\xe2\x80\xb9");          /* U+2039 */
		else if (b->p[i] == '&')
			buf_adds(tmp, "\xef\xbc\x86");          /* U+FF06 */
		else
			buf_addc(tmp, b->p[i]);
	}
	buf_reset(b);
	buf_add(b, tmp->p, tmp->len);
}

/* Plain text, many lines: each line cleaned, no blank lines at the ends,
 * no more than one in a row. */
static void plain_lines(const char *p, size_t n, struct buf *out)
{
	buf_reset(out);
	text_clean_block(p, n, out);
}

/* From HTML into out via tmp; false (out in error) when it did not fit. */
static bool from_html(const char *p, size_t n, bool multi, struct buf *out, struct buf *tmp)
{
	buf_reset(tmp);
	text_from_html(p, n, tmp);
	if (!buf_ok(tmp)) {
		out->err = true;
		return false;
	}
	buf_reset(out);
	if (multi)
		plain_lines(tmp->p, tmp->len, out);
	else
		text_clean_line(tmp->p, tmp->len, out);
	return buf_ok(out);
}

/* Cleans a field's text: HTML made text until nothing changes (feeds
 * double-encode: "&amp;amp;"), so cleaning the result again gives it
 * back unchanged. */
static void clean_into(const char *p, size_t n, bool multi, struct buf *out, struct buf *tmp)
{
	struct buf src;
	bool fixed = false;

	buf_reset(out);
	if (text_has_html(p, n)) {
		if (!from_html(p, n, multi, out, tmp))
			return;
	} else if (multi) {
		plain_lines(p, n, out);
	} else {
		text_clean_line(p, n, out);
	}
	if (!buf_ok(out) || !out->len || !text_has_html(out->p, out->len))
		return;
	buf_init(&src, out->max);
	for (int pass = 0; pass < 16; pass++) {
		buf_reset(&src);
		buf_add(&src, out->p, out->len);
		if (!buf_ok(&src) || !from_html(src.p, src.len, multi, out, tmp))
			break;
		if (out->len == src.len && memcmp(out->p, src.p, src.len) == 0) {
			fixed = true;
			break;
		}
		if (!out->len || !text_has_html(out->p, out->len)) {
			fixed = true;
			break;
		}
	}
	buf_release(&src);
	if (buf_ok(out) && !fixed)
		defuse(out, tmp);
}

/* ---------------------------------------------------------------- kinds and fields */

enum kind {
	K_SERVICE, K_ORG, K_ORGID, K_SCHEDULE, K_AREA, K_SAL, K_LOCATION, K_ADDRESS,
	K_ACCESS, K_LANGUAGE, K_FUNDING, K_COST, K_CONTACT, K_PHONE, K_ATTR, K_TERM,
	K__MAX
};

enum ft {
	FT_ID,          /* the object's own id: a UUID, derived when missing */
	FT_UUID,        /* a reference: a UUID, dropped when not one */
	FT_LINE,        /* one line of text */
	FT_TEXT,        /* long text, may be HTML */
	FT_EMAIL, FT_URL, FT_DATE, FT_DATETIME,
	FT_AGE, FT_AMOUNT, FT_LAT, FT_LON, FT_INTERVAL,
	FT_STATUS, FT_FREQ, FT_LOCTYPE,
	FT_TIME, FT_BYDAY, FT_BYMONTHDAY, FT_POSTCODE, FT_CODE,
	FT_ARRAY, FT_OBJECT,
};

struct field {
	const char *name;
	enum ft t;
	enum kind sub;        /* FT_ARRAY, FT_OBJECT */
};

static const struct field f_service[] = {
	{ "id", FT_ID, 0 }, { "organization_id", FT_UUID, 0 }, { "name", FT_LINE, 0 },
	{ "alternate_name", FT_LINE, 0 }, { "description", FT_TEXT, 0 }, { "url", FT_URL, 0 },
	{ "email", FT_EMAIL, 0 }, { "status", FT_STATUS, 0 },
	{ "interpretation_services", FT_TEXT, 0 }, { "application_process", FT_TEXT, 0 },
	{ "wait_time", FT_LINE, 0 }, { "fees", FT_TEXT, 0 }, { "fees_description", FT_TEXT, 0 },
	{ "accreditations", FT_TEXT, 0 }, { "eligibility_description", FT_TEXT, 0 },
	{ "minimum_age", FT_AGE, 0 }, { "maximum_age", FT_AGE, 0 },
	{ "assured_date", FT_DATE, 0 }, { "alert", FT_TEXT, 0 }, { "licenses", FT_LINE, 0 },
	{ "last_modified", FT_DATETIME, 0 },
	{ "schedules", FT_ARRAY, K_SCHEDULE }, { "service_areas", FT_ARRAY, K_AREA },
	{ "service_at_locations", FT_ARRAY, K_SAL }, { "languages", FT_ARRAY, K_LANGUAGE },
	{ "organization", FT_OBJECT, K_ORG }, { "funding", FT_ARRAY, K_FUNDING },
	{ "cost_options", FT_ARRAY, K_COST }, { "contacts", FT_ARRAY, K_CONTACT },
	{ "phones", FT_ARRAY, K_PHONE }, { "attributes", FT_ARRAY, K_ATTR },
};

static const struct field f_org[] = {
	{ "id", FT_ID, 0 }, { "name", FT_LINE, 0 }, { "alternate_name", FT_LINE, 0 },
	{ "description", FT_TEXT, 0 }, { "email", FT_EMAIL, 0 }, { "website", FT_URL, 0 },
	{ "logo", FT_URL, 0 }, { "uri", FT_URL, 0 }, { "parent_organization_id", FT_UUID, 0 },
	{ "legal_status", FT_LINE, 0 },
	{ "organization_identifiers", FT_ARRAY, K_ORGID }, { "attributes", FT_ARRAY, K_ATTR },
};

static const struct field f_orgid[] = {
	{ "id", FT_ID, 0 }, { "organization_id", FT_UUID, 0 }, { "identifier_scheme", FT_LINE, 0 },
	{ "identifier_type", FT_LINE, 0 }, { "identifier", FT_LINE, 0 },
};

static const struct field f_schedule[] = {
	{ "id", FT_ID, 0 }, { "service_id", FT_UUID, 0 }, { "service_at_location_id", FT_UUID, 0 },
	{ "valid_from", FT_DATE, 0 }, { "valid_to", FT_DATE, 0 }, { "dtstart", FT_DATE, 0 },
	{ "freq", FT_FREQ, 0 }, { "interval", FT_INTERVAL, 0 }, { "byday", FT_BYDAY, 0 },
	{ "bymonthday", FT_BYMONTHDAY, 0 }, { "description", FT_TEXT, 0 },
	{ "opens_at", FT_TIME, 0 }, { "closes_at", FT_TIME, 0 }, { "schedule_link", FT_URL, 0 },
	{ "attending_type", FT_LINE, 0 }, { "notes", FT_TEXT, 0 },
};

static const struct field f_area[] = {
	{ "id", FT_ID, 0 }, { "service_id", FT_UUID, 0 }, { "name", FT_LINE, 0 },
	{ "description", FT_TEXT, 0 }, { "extent", FT_TEXT, 0 }, { "extent_type", FT_LINE, 0 },
	{ "uri", FT_URL, 0 }, { "service_area", FT_TEXT, 0 },
};

static const struct field f_sal[] = {
	{ "id", FT_ID, 0 }, { "service_id", FT_UUID, 0 }, { "location_id", FT_UUID, 0 },
	{ "description", FT_TEXT, 0 }, { "location", FT_OBJECT, K_LOCATION },
	{ "schedules", FT_ARRAY, K_SCHEDULE },
};

static const struct field f_location[] = {
	{ "id", FT_ID, 0 }, { "location_type", FT_LOCTYPE, 0 }, { "url", FT_URL, 0 },
	{ "name", FT_LINE, 0 }, { "alternate_name", FT_LINE, 0 }, { "description", FT_TEXT, 0 },
	{ "transportation", FT_TEXT, 0 }, { "latitude", FT_LAT, 0 }, { "longitude", FT_LON, 0 },
	{ "external_identifier", FT_LINE, 0 }, { "external_identifier_type", FT_LINE, 0 },
	{ "addresses", FT_ARRAY, K_ADDRESS }, { "accessibility", FT_ARRAY, K_ACCESS },
	{ "languages", FT_ARRAY, K_LANGUAGE }, { "phones", FT_ARRAY, K_PHONE },
	{ "attributes", FT_ARRAY, K_ATTR },
};

static const struct field f_address[] = {
	{ "id", FT_ID, 0 }, { "location_id", FT_UUID, 0 }, { "address_1", FT_LINE, 0 },
	{ "address_2", FT_LINE, 0 }, { "city", FT_LINE, 0 }, { "region", FT_LINE, 0 },
	{ "state_province", FT_LINE, 0 }, { "postal_code", FT_POSTCODE, 0 },
	{ "country", FT_LINE, 0 }, { "address_type", FT_LOCTYPE, 0 },
};

static const struct field f_access[] = {
	{ "id", FT_ID, 0 }, { "location_id", FT_UUID, 0 }, { "description", FT_TEXT, 0 },
	{ "details", FT_TEXT, 0 }, { "url", FT_URL, 0 }, { "accessibility", FT_TEXT, 0 },
};

static const struct field f_language[] = {
	{ "id", FT_ID, 0 }, { "service_id", FT_UUID, 0 }, { "location_id", FT_UUID, 0 },
	{ "phone_id", FT_UUID, 0 }, { "name", FT_LINE, 0 }, { "code", FT_CODE, 0 },
	{ "note", FT_TEXT, 0 },
};

static const struct field f_funding[] = {
	{ "id", FT_ID, 0 }, { "service_id", FT_UUID, 0 }, { "organization_id", FT_UUID, 0 },
	{ "source", FT_TEXT, 0 },
};

static const struct field f_cost[] = {
	{ "id", FT_ID, 0 }, { "service_id", FT_UUID, 0 }, { "valid_from", FT_DATE, 0 },
	{ "valid_to", FT_DATE, 0 }, { "option", FT_LINE, 0 }, { "currency", FT_CODE, 0 },
	{ "amount", FT_AMOUNT, 0 }, { "amount_description", FT_TEXT, 0 },
};

/* A contact's name, title and email are a person's: not kept (oruk.h). */
static const struct field f_contact[] = {
	{ "id", FT_ID, 0 }, { "service_id", FT_UUID, 0 }, { "department", FT_LINE, 0 },
	{ "phones", FT_ARRAY, K_PHONE },
};

static const struct field f_phone[] = {
	{ "id", FT_ID, 0 }, { "contact_id", FT_UUID, 0 }, { "number", FT_LINE, 0 },
	{ "extension", FT_LINE, 0 }, { "type", FT_LINE, 0 }, { "description", FT_TEXT, 0 },
	{ "languages", FT_ARRAY, K_LANGUAGE },
};

static const struct field f_attr[] = {
	{ "id", FT_ID, 0 }, { "link_id", FT_UUID, 0 }, { "taxonomy_term_id", FT_UUID, 0 },
	{ "link_type", FT_LINE, 0 }, { "link_entity", FT_LINE, 0 }, { "value", FT_LINE, 0 },
	{ "label", FT_LINE, 0 }, { "taxonomy_term", FT_OBJECT, K_TERM },
};

static const struct field f_term[] = {
	{ "id", FT_ID, 0 }, { "code", FT_LINE, 0 }, { "name", FT_LINE, 0 },
	{ "description", FT_TEXT, 0 }, { "parent_id", FT_UUID, 0 }, { "taxonomy", FT_LINE, 0 },
	{ "taxonomy_id", FT_UUID, 0 }, { "term_uri", FT_URL, 0 }, { "term", FT_LINE, 0 },
	{ "language", FT_CODE, 0 },
};

static const struct {
	const struct field *fields;
	size_t n;
	const char *what;        /* in error reasons: "a schedule" */
} kinds[K__MAX] = {
	[K_SERVICE] = { f_service, ARRAY_LEN(f_service), "the service" },
	[K_ORG] = { f_org, ARRAY_LEN(f_org), "its organisation" },
	[K_ORGID] = { f_orgid, ARRAY_LEN(f_orgid), "an organisation identifier" },
	[K_SCHEDULE] = { f_schedule, ARRAY_LEN(f_schedule), "a schedule" },
	[K_AREA] = { f_area, ARRAY_LEN(f_area), "a service area" },
	[K_SAL] = { f_sal, ARRAY_LEN(f_sal), "a service_at_location" },
	[K_LOCATION] = { f_location, ARRAY_LEN(f_location), "a location" },
	[K_ADDRESS] = { f_address, ARRAY_LEN(f_address), "an address" },
	[K_ACCESS] = { f_access, ARRAY_LEN(f_access), "an accessibility entry" },
	[K_LANGUAGE] = { f_language, ARRAY_LEN(f_language), "a language" },
	[K_FUNDING] = { f_funding, ARRAY_LEN(f_funding), "a funding entry" },
	[K_COST] = { f_cost, ARRAY_LEN(f_cost), "a cost option" },
	[K_CONTACT] = { f_contact, ARRAY_LEN(f_contact), "a contact" },
	[K_PHONE] = { f_phone, ARRAY_LEN(f_phone), "a phone" },
	[K_ATTR] = { f_attr, ARRAY_LEN(f_attr), "an attribute" },
	[K_TERM] = { f_term, ARRAY_LEN(f_term), "a taxonomy term" },
};

/* A kith vocabulary term by id: its entry and taxonomy (0, 1, 2 as above). */
static const struct vocab_term *kith_term(const char *id, int *tax)
{
	int i;

	if (!id)
		return NULL;
	if ((i = vocab_find_id(vocab_categories, vocab_categories_n, id)) >= 0) {
		*tax = 0;
		return &vocab_categories[i];
	}
	if ((i = vocab_find_id(vocab_conditions, vocab_conditions_n, id)) >= 0) {
		*tax = 1;
		return &vocab_conditions[i];
	}
	for (int j = JOIN_TURN_UP; j < JOIN__MAX; j++)
		if (strcasecmp(vocab_join[j].id, id) == 0) {
			*tax = 2;
			return &vocab_join[j];
		}
	if (strcasecmp(vocab_peer_led.id, id) == 0) {
		*tax = 2;
		return &vocab_peer_led;
	}
	return NULL;
}

bool oruk_is_kith_term(const char *term_id)
{
	int tax;

	return kith_term(term_id, &tax) != NULL;
}

/* ---------------------------------------------------------------- the walker */

struct nctx {
	json_t *errors;
	size_t nerrors;
	struct buf path;      /* error path: "service_at_locations[0].location" */
	struct buf ipath;     /* path from the id base, for derived ids */
	char base[37];        /* the service's or organisation's id */
	struct buf val, tmp;  /* scratch */
	bool nomem;
};

static void err_at(struct nctx *c, const char *field, const char *detail, const char *reason)
{
	struct buf f;

	buf_init(&f, 4096);
	buf_add(&f, c->path.p, c->path.len);
	if (field && field[0]) {
		if (c->path.len)
			buf_addc(&f, '.');
		buf_adds(&f, field);
	}
	oruk_error_add(c->errors, f.len ? f.p : "service", detail, reason);
	buf_release(&f);
	c->nerrors++;
}

/* Pushes ".name" or ".name[i]" onto both paths; returns the old lengths. */
static void push(struct nctx *c, const char *name, long idx, size_t *pl, size_t *il)
{
	*pl = c->path.len;
	*il = c->ipath.len;
	if (c->path.len)
		buf_addc(&c->path, '.');
	buf_adds(&c->path, name);
	if (c->ipath.len)
		buf_addc(&c->ipath, '.');
	buf_adds(&c->ipath, name);
	if (idx >= 0) {
		buf_addf(&c->path, "[%ld]", idx);
		buf_addf(&c->ipath, "[%ld]", idx);
	}
}

static void pop(struct nctx *c, size_t pl, size_t il)
{
	buf_truncate(&c->path, pl);
	buf_truncate(&c->ipath, il);
}

static void set_str(json_t *o, const char *k, const char *v, size_t n)
{
	json_t *s = json_stringn(v, n);

	if (s)
		json_object_set_new(o, k, s);
}

/* A number from a JSON number or a numeric string. */
static bool num_of(const json_t *v, double *out)
{
	if (json_is_integer(v)) {
		*out = (double)json_integer_value(v);
		return true;
	}
	if (json_is_real(v)) {
		*out = json_real_value(v);
		return isfinite(*out);
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		double d;

		while (*s == ' ')
			s++;
		if (!*s || strlen(s) > 32)
			return false;
		errno = 0;
		d = strtod(s, &end);
		while (*end == ' ')
			end++;
		if (*end || errno || !isfinite(d))
			return false;
		*out = d;
		return true;
	}
	return false;
}

/* An integral value stays an integer; anything else a real. */
static json_t *num_json(double d)
{
	if (d == floor(d) && fabs(d) < 1e15)
		return json_integer((json_int_t)d);
	return json_real(d);
}

/* A bare domain, maybe with a path: "www.x.org", "x.org/page". */
static bool bare_domain(const char *s)
{
	const char *p = s;
	int labels = 0;

	while (*p && *p != '/' && *p != '?' && *p != '#') {
		size_t n = 0;

		while (isalnum((unsigned char)p[n]) || p[n] == '-')
			n++;
		if (n == 0 || n > 63)
			return false;
		labels++;
		p += n;
		if (*p == '.')
			p++;
		else if (*p && *p != '/' && *p != '?' && *p != '#' && *p != ':')
			return false;
		else if (*p == ':')
			return false;
	}
	return labels >= 2 && p > s && p[-1] != '.';
}

/* Cleans the URL in c->val in place; false when it is not http(s). */
static bool url_fix(struct nctx *c)
{
	const char *s = c->val.p;

	if (c->val.len > 2000 || strchr(s, ' '))
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x21 || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
			return false;
	if (istarts(s, "http://") || istarts(s, "https://")) {
		size_t k = istarts(s, "http://") ? 4 : 5;
		if (!s[k + 3])
			return false;
		str_lower_ascii(c->val.p, k);
		return true;
	}
	if (strstr(s, "://") || strchr(s, '@') || !bare_domain(s))
		return false;
	buf_reset(&c->tmp);
	buf_adds(&c->tmp, "https://");
	buf_add(&c->tmp, c->val.p, c->val.len);
	buf_reset(&c->val);
	buf_add(&c->val, c->tmp.p, c->tmp.len);
	return buf_ok(&c->val);
}

/* "10:00", "9:30", "10:00:00", "10.00" -> "10:00"; false when not a time. */
static bool time_fix(const char *s, char out[6])
{
	int h = 0, m = 0, i = 0;

	if (!isdigit((unsigned char)s[0]))
		return false;
	h = s[i++] - '0';
	if (isdigit((unsigned char)s[i]))
		h = h * 10 + (s[i++] - '0');
	if (s[i] != ':' && s[i] != '.')
		return false;
	i++;
	if (!isdigit((unsigned char)s[i]) || !isdigit((unsigned char)s[i + 1]))
		return false;
	m = (s[i] - '0') * 10 + (s[i + 1] - '0');
	i += 2;
	if (s[i] == ':') {
		if (!isdigit((unsigned char)s[i + 1]) || !isdigit((unsigned char)s[i + 2]))
			return false;
		i += 3;
	}
	if (s[i] == 'Z' || s[i] == 'z')
		i++;
	if (s[i] || h > 24 || m > 59 || (h == 24 && m))
		return false;
	out[0] = (char)('0' + h / 10);
	out[1] = (char)('0' + h % 10);
	out[2] = ':';
	out[3] = (char)('0' + m / 10);
	out[4] = (char)('0' + m % 10);
	out[5] = '\0';
	return true;
}

/* "DD/MM/YYYY" (UK order) or an ISO date or date-time: "YYYY-MM-DD". */
static bool date_fix(const char *s, char out[11])
{
	int y, m, d;
	const char *end;
	int64_t t;

	char buf[48];

	if (parse_ymd(s, &y, &m, &d, &end)) {
		if (*end && !oruk_parse_datetime(s, &t) && *end != ' ')
			return false;
	} else if (!(strlen(s) == 10 && s[2] == '/' && s[5] == '/' && digits(s, 2, &d) &&
		     digits(s + 3, 2, &m) && digits(s + 6, 4, &y) && y >= 1800 && y <= 2999 &&
		     m >= 1 && m <= 12 && d >= 1 && d <= month_days(y, m))) {
		return false;
	}
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, m, d);
	str_copy(out, 11, buf);
	return true;
}

static json_t *norm_obj(struct nctx *c, enum kind k, const json_t *in);

/* Not given: absent, null, or a string of nothing but spaces. */
static bool blank_json(const json_t *v)
{
	if (!v || json_is_null(v))
		return true;
	return json_is_string(v) && str_is_blank(json_string_value(v));
}

/* "The id is not a UUID", with the reason naming what has it. */
static void err_not_uuid(struct nctx *c, enum kind k)
{
	char reason[200];

	if (k == K_SERVICE)
		snprintf(reason, sizeof(reason), "its id is not a UUID");
	else
		snprintf(reason, sizeof(reason), "%s has an id that is not a UUID", kinds[k].what);
	err_at(c, "id", "The id is not a UUID (like 0f8fad5b-d9cb-469f-a165-70867728950e).", reason);
}

static void norm_field(struct nctx *c, enum kind k, const struct field *f, const json_t *v,
		json_t *o);

/* FT_ARRAY: each object item normalised as f->sub; one object where a
 * list belongs is read as a list of one. */
static void norm_array(struct nctx *c, enum kind k, const struct field *f, const json_t *v,
		json_t *o)
{
	json_t *arr;
	size_t i;
	const json_t *it;

	if (json_is_object(v)) {
		json_t *one = json_pack("[O]", v);

		norm_field(c, k, f, one, o);
		json_decref(one);
		return;
	}
	if (!json_is_array(v) || json_array_size(v) == 0)
		return;
	if (json_array_size(v) > ORUK_ARRAY_MAX) {
		char detail[160], reason[160];

		snprintf(detail, sizeof(detail), "There are more than %d %s.", ORUK_ARRAY_MAX, f->name);
		snprintf(reason, sizeof(reason), "has more than %d %s", ORUK_ARRAY_MAX, f->name);
		err_at(c, f->name, detail, reason);
		return;
	}
	arr = json_array();
	if (!arr) {
		c->nomem = true;
		return;
	}
	json_array_foreach(v, i, it) {
		size_t pl, il;
		json_t *item;

		if (!json_is_object(it))
			continue;
		push(c, f->name, (long)i, &pl, &il);
		item = norm_obj(c, f->sub, it);
		pop(c, pl, il);
		if (item)
			json_array_append_new(arr, item);
	}
	if (json_array_size(arr))
		json_object_set_new(o, f->name, arr);
	else
		json_decref(arr);
}

/* FT_OBJECT: normalised as f->sub. */
static void norm_object(struct nctx *c, const struct field *f, const json_t *v, json_t *o)
{
	size_t pl, il;
	json_t *item;

	if (!json_is_object(v))
		return;
	push(c, f->name, -1, &pl, &il);
	item = norm_obj(c, f->sub, v);
	pop(c, pl, il);
	if (item)
		json_object_set_new(o, f->name, item);
}

/* Numbers, from a number or a numeric string, left out when out of range. */
static void norm_number(const struct field *f, const json_t *v, json_t *o)
{
	double d;

	if (!num_of(v, &d))
		return;
	if ((f->t == FT_AGE && (d < 0 || d > 150)) || (f->t == FT_AMOUNT && (d < 0 || d > 1e9)) ||
	    (f->t == FT_LAT && (d < -90 || d > 90)) || (f->t == FT_LON && (d < -180 || d > 180)) ||
	    (f->t == FT_INTERVAL && (d < 1 || d > 52 || d != floor(d))))
		return;
	json_object_set_new(o, f->name, num_json(d));
}

/* A text field's value, cleaned, into c->val. Numbers are accepted where
 * text belongs (bymonthday 15, a phone number as a number). false when
 * the field is to be left out (an error said so when it is too long). */
static bool read_text(struct nctx *c, const struct field *f, const json_t *v)
{
	char small[64];

	if (json_is_integer(v)) {
		snprintf(small, sizeof(small), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		buf_reset(&c->val);
		buf_adds(&c->val, small);
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);

		if (n > ORUK_DOC_MAX) {
			err_at(c, f->name, "This is far too long.", "has a field that is far too long");
			return false;
		}
		clean_into(s, n, f->t == FT_TEXT, &c->val, &c->tmp);
	} else {
		return false;
	}
	if (!buf_ok(&c->val) || c->val.len > (f->t == FT_TEXT ? (size_t)ORUK_TEXT_MAX : (size_t)ORUK_LINE_MAX)) {
		char detail[160], reason[160];

		snprintf(detail, sizeof(detail), "This is longer than %d characters.",
			 f->t == FT_TEXT ? ORUK_TEXT_MAX : ORUK_LINE_MAX);
		snprintf(reason, sizeof(reason), "its %s is too long", f->name);
		err_at(c, f->name, detail, reason);
		return false;
	}
	return c->val.len != 0 || (f->t == FT_ID && !blank_json(v));
}

/* What a text fixer did: c->val is the value to set, or the field is
 * done (set by the fixer, or left out). */
enum fixed { FIX_SET_VAL, FIX_DONE };

static enum fixed fix_uuid(struct nctx *c, enum kind k, const struct field *f, json_t *o)
{
	(void)o;
	/* (An id that cleans to nothing, "<b>", is not a UUID either.) */
	if (!str_is_uuid((struct str){ c->val.p, c->val.len })) {
		if (f->t == FT_ID)
			err_not_uuid(c, k);
		return FIX_DONE;
	}
	str_lower_ascii(c->val.p, c->val.len);
	return FIX_SET_VAL;
}

static enum fixed fix_email(struct nctx *c, enum kind k, const struct field *f, json_t *o)
{
	(void)k, (void)f, (void)o;
	if (istarts(c->val.p, "mailto:")) {
		memmove(c->val.p, c->val.p + 7, c->val.len - 7 + 1);
		c->val.len -= 7;
	}
	str_lower_ascii(c->val.p, c->val.len);
	return str_email_ok(c->val.p) ? FIX_SET_VAL : FIX_DONE;
}

static enum fixed fix_url(struct nctx *c, enum kind k, const struct field *f, json_t *o)
{
	(void)k, (void)f, (void)o;
	return url_fix(c) ? FIX_SET_VAL : FIX_DONE;
}

static enum fixed fix_date(struct nctx *c, enum kind k, const struct field *f, json_t *o)
{
	char d[11];

	(void)k;
	if (date_fix(c->val.p, d))
		json_object_set_new(o, f->name, json_string(d));
	return FIX_DONE;
}

static enum fixed fix_datetime(struct nctx *c, enum kind k, const struct field *f, json_t *o)
{
	int64_t t;
	char dt[21];

	(void)k;
	if (oruk_parse_datetime(c->val.p, &t)) {
		oruk_format_datetime(t, dt);
		json_object_set_new(o, f->name, json_string(dt));
	}
	return FIX_DONE;
}

static enum fixed fix_status(struct nctx *c, enum kind k, const struct field *f, json_t *o)
{
	static const char *const statuses[] = { "active", "inactive", "defunct", "temporarily closed" };

	(void)k;
	for (size_t i = 0; i < ARRAY_LEN(statuses); i++)
		if (ieq(c->val.p, statuses[i])) {
			json_object_set_new(o, f->name, json_string(statuses[i]));
			return FIX_DONE;
		}
	err_at(c, f->name, "The status must be active, inactive, defunct or temporarily closed.",
	       "its status is not active, inactive, defunct or temporarily closed");
	return FIX_DONE;
}

/* DAILY was made WEEKLY before (norm_obj); anything else unknown is left
 * out and the schedule is kept as words. */
static enum fixed fix_freq(struct nctx *c, enum kind k, const struct field *f, json_t *o)
{
	(void)k, (void)f, (void)o;
	if (!ieq(c->val.p, "WEEKLY") && !ieq(c->val.p, "MONTHLY"))
		return FIX_DONE;
	str_lower_ascii(c->val.p, c->val.len);
	for (size_t i = 0; i < c->val.len; i++)
		c->val.p[i] = (char)toupper((unsigned char)c->val.p[i]);
	return FIX_SET_VAL;
}

static enum fixed fix_loctype(struct nctx *c, enum kind k, const struct field *f, json_t *o)
{
	(void)k, (void)f, (void)o;
	if (!ieq(c->val.p, "physical") && !ieq(c->val.p, "postal") && !ieq(c->val.p, "virtual"))
		return FIX_DONE;          /* the finish step sets the default */
	str_lower_ascii(c->val.p, c->val.len);
	return FIX_SET_VAL;
}

/* "10:00"; a time that does not read is kept as words. */
static enum fixed fix_time(struct nctx *c, enum kind k, const struct field *f, json_t *o)
{
	char t[6];

	(void)k;
	if (!time_fix(c->val.p, t))
		return FIX_SET_VAL;
	json_object_set_new(o, f->name, json_string(t));
	return FIX_DONE;
}

/* Spaces out (and for byday, upper case); nothing left is left out. */
static enum fixed squeeze(struct nctx *c, bool upper)
{
	size_t w = 0;

	for (size_t i = 0; i < c->val.len; i++)
		if (c->val.p[i] != ' ')
			c->val.p[w++] = upper ? (char)toupper((unsigned char)c->val.p[i]) : c->val.p[i];
	buf_truncate(&c->val, w);
	return w ? FIX_SET_VAL : FIX_DONE;
}

static enum fixed fix_byday(struct nctx *c, enum kind k, const struct field *f, json_t *o)
{
	(void)k, (void)f, (void)o;
	return squeeze(c, true);
}

static enum fixed fix_bymonthday(struct nctx *c, enum kind k, const struct field *f, json_t *o)
{
	(void)k, (void)f, (void)o;
	return squeeze(c, false);
}

/* A UK postcode normalised; anything else kept as written. */
static enum fixed fix_postcode(struct nctx *c, enum kind k, const struct field *f, json_t *o)
{
	char pc[9];
	const char *why;

	(void)k;
	if (!postcode_normalise(c->val.p, pc, &why))
		return FIX_SET_VAL;
	json_object_set_new(o, f->name, json_string(pc));
	return FIX_DONE;
}

static enum fixed fix_code(struct nctx *c, enum kind k, const struct field *f, json_t *o)
{
	(void)k, (void)f, (void)o;
	if (c->val.len > 20 || strchr(c->val.p, ' '))
		return FIX_DONE;
	str_lower_ascii(c->val.p, c->val.len);
	return FIX_SET_VAL;
}

/* Text kinds and what is done to them once cleaned; FT_LINE and FT_TEXT
 * are set as cleaned. */
static enum fixed (*const text_fixes[])(struct nctx *c, enum kind k, const struct field *f,
		json_t *o) = {
	[FT_ID] = fix_uuid, [FT_UUID] = fix_uuid, [FT_EMAIL] = fix_email, [FT_URL] = fix_url,
	[FT_DATE] = fix_date, [FT_DATETIME] = fix_datetime, [FT_STATUS] = fix_status,
	[FT_FREQ] = fix_freq, [FT_LOCTYPE] = fix_loctype, [FT_TIME] = fix_time,
	[FT_BYDAY] = fix_byday, [FT_BYMONTHDAY] = fix_bymonthday, [FT_POSTCODE] = fix_postcode,
	[FT_CODE] = fix_code,
};

/* Cleans one field's value and sets it on o under f->name, or leaves it
 * out. */
static void norm_field(struct nctx *c, enum kind k, const struct field *f, const json_t *v,
		json_t *o)
{
	if (!v || json_is_null(v))
		return;
	switch (f->t) {
	case FT_ARRAY:
		norm_array(c, k, f, v, o);
		return;
	case FT_OBJECT:
		norm_object(c, f, v, o);
		return;
	case FT_AGE: case FT_AMOUNT: case FT_LAT: case FT_LON: case FT_INTERVAL:
		norm_number(f, v, o);
		return;
	default:
		break;
	}
	if (!read_text(c, f, v))
		return;
	if ((size_t)f->t < ARRAY_LEN(text_fixes) && text_fixes[f->t] &&
	    text_fixes[f->t](c, k, f, o) == FIX_DONE)
		return;
	set_str(o, f->name, c->val.p, c->val.len);
}

/* A schedule with freq DAILY is, in ORUK 3.0's terms, weekly on every
 * day. Returns a new reference to use instead, or NULL to use in as is. */
static json_t *daily_to_weekly(const json_t *in)
{
	const char *freq = json_string_value(json_object_get(in, "freq"));
	json_t *copy;

	if (!freq || !ieq(freq, "DAILY"))
		return NULL;
	copy = json_copy((json_t *)in);
	if (!copy)
		return NULL;
	json_object_set_new(copy, "freq", json_string("WEEKLY"));
	if (!jstr(copy, "byday"))
		json_object_set_new(copy, "byday", json_string("MO,TU,WE,TH,FR,SA,SU"));
	return copy;
}

static void term_canonical(json_t *attr, const char *term_id)
{
	int tax;
	const struct vocab_term *t = kith_term(term_id, &tax);

	if (!t)
		return;
	json_object_set_new(attr, "taxonomy_term", json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
		"id", t->id, "code", t->code, "name", t->name, "description", t->name,
		"taxonomy", vocab_taxonomies[tax].name, "taxonomy_id", *vocab_taxonomies[tax].id));
}

/* Moves a member to the end (to keep table order after a late fill). */
static void reorder(json_t *o, const struct field *fields, size_t n)
{
	json_t *tmp = json_object();

	if (!tmp)
		return;
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object_get(o, fields[i].name);

		if (v)
			json_object_set(tmp, fields[i].name, v);
	}
	json_object_clear(o);
	json_object_update(o, tmp);
	json_decref(tmp);
}

/* What ORUK requires and kith can fill; NULL drops the object. */
static json_t *finish(struct nctx *c, enum kind k, json_t *o)
{
	const char *s;

	switch (k) {
	case K_SERVICE:
		/* A nested organisation decides whose service it is. */
		if ((s = jstr(json_object_get(o, "organization"), "id")))
			json_object_set_new(o, "organization_id", json_string(s));
		if (!jstr(o, "name"))
			err_at(c, "name", "The service has no name.", "has no name");
		if (!jstr(o, "status"))
			json_object_set_new(o, "status", json_string("active"));
		break;
	case K_ORG:
		if (!jstr(o, "name"))
			err_at(c, "name", "The organisation has no name.", "its organisation has no name");
		else if (!jstr(o, "description"))
			json_object_set_new(o, "description", json_string(jstr(o, "name")));
		break;
	case K_ORGID:
		if (!jstr(o, "identifier"))
			goto drop;
		if (!jstr(o, "identifier_type")) {
			s = jstr(o, "identifier_scheme");
			json_object_set_new(o, "identifier_type", json_string(
				ieq(s, "GB-CHC") || ieq(s, "GB-SC") || ieq(s, "GB-NIC") ? "Charity number"
				: ieq(s, "GB-COH") ? "Company number" : "Identifier"));
		}
		break;
	case K_SAL: {
		const char *lid = jstr(json_object_get(o, "location"), "id");

		if (lid)
			json_object_set_new(o, "location_id", json_string(lid));
		else if (!jstr(o, "location_id"))
			goto drop;
		break;
	}
	case K_LOCATION: {
		json_t *lat = json_object_get(o, "latitude"), *lon = json_object_get(o, "longitude");

		if (!lat || !lon || (json_number_value(lat) == 0 && json_number_value(lon) == 0)) {
			json_object_del(o, "latitude");
			json_object_del(o, "longitude");
		}
		if (!jstr(o, "location_type"))
			json_object_set_new(o, "location_type", json_string("physical"));
		/* Addresses take their location's type when they have none. */
		{
			json_t *addrs = json_object_get(o, "addresses"), *a;
			size_t i;

			json_array_foreach(addrs, i, a)
				if (!jstr(a, "address_type")) {
					json_object_set_new(a, "address_type",
						json_string(ieq(jstr(o, "location_type"), "postal") ? "postal"
							: ieq(jstr(o, "location_type"), "virtual") ? "virtual" : "physical"));
					reorder(a, f_address, ARRAY_LEN(f_address));
				}
		}
		break;
	}
	case K_ADDRESS:
		if (!jstr(o, "address_1"))
			err_at(c, "address_1", "The address has no first line.", "an address has no first line");
		if (!jstr(o, "city"))
			err_at(c, "city", "The address has no town or city.", "an address has no town or city");
		if (!jstr(o, "postal_code"))
			err_at(c, "postal_code", "The address has no postcode.", "an address has no postcode");
		if (!jstr(o, "state_province") && (jstr(o, "region") || jstr(o, "city")))
			json_object_set_new(o, "state_province",
					    json_string(jstr(o, "region") ? jstr(o, "region") : jstr(o, "city")));
		if (!jstr(o, "country"))
			json_object_set_new(o, "country", json_string("GB"));
		/* address_type comes from the location (K_LOCATION). */
		break;
	case K_PHONE:
		if (!jstr(o, "number"))
			goto drop;
		break;
	case K_ATTR: {
		const char *tid = jstr(o, "taxonomy_term_id");
		const char *termid = jstr(json_object_get(o, "taxonomy_term"), "id");

		if (!tid && termid)
			json_object_set_new(o, "taxonomy_term_id", json_string(tid = termid));
		if (!tid)
			goto drop;
		if (termid && strcmp(termid, tid) != 0)
			json_object_del(o, "taxonomy_term");
		term_canonical(o, tid);
		break;
	}
	case K_TERM:
		if (!jstr(o, "name"))
			goto drop;
		if (!jstr(o, "description"))
			json_object_set_new(o, "description", json_string(jstr(o, "name")));
		break;
	default:
		break;
	}
	reorder(o, kinds[k].fields, kinds[k].n);
	/* Nothing but an id says nothing. */
	if (k != K_SERVICE && k != K_ORG && json_object_size(o) <= 1)
		goto drop;
	return o;
drop:
	json_decref(o);
	return NULL;
}

static json_t *norm_obj(struct nctx *c, enum kind k, const json_t *in)
{
	json_t *o = json_object(), *fixed = NULL;
	char oldbase[37];
	struct buf oldipath = { 0 };
	bool rebased = false;

	if (!o) {
		c->nomem = true;
		return NULL;
	}
	if (k == K_SCHEDULE && (fixed = daily_to_weekly(in)))
		in = fixed;
	for (size_t i = 0; i < kinds[k].n; i++) {
		const struct field *f = &kinds[k].fields[i];
		const json_t *v = json_object_get(in, f->name);

		if (f->t == FT_ID) {
			size_t before = c->nerrors;

			norm_field(c, k, f, v, o);
			if (!jstr(o, "id")) {
				bool given = !blank_json(v);

				/* An id of the wrong type (true, 4.5, {}) is not a
				 * UUID either, and says so. */
				if (given && c->nerrors == before)
					err_not_uuid(c, k);

				if (k == K_SERVICE || k == K_ORG) {
					if (!given)
						err_at(c, "id", k == K_SERVICE ? "The service has no id."
						       : "The organisation has no id.",
						       k == K_SERVICE ? "has no id" : "its organisation has no id");
					/* (Given but not a UUID: norm_field said so.)
					 * Children of an object without an id cannot
					 * have ids derived from it: stop here. */
					json_decref(o);
					json_decref(fixed);
					return NULL;
				} else if (!given) {
					char id[37];

					oruk_derived_id(c->base, c->ipath.p, id);
					json_object_set_new(o, "id", json_string(id));
				} else {
					json_decref(o);
					json_decref(fixed);
					return NULL;
				}
			}
			/* A service or organisation is the base of its
			 * children's derived ids. */
			if (k == K_SERVICE || k == K_ORG) {
				memcpy(oldbase, c->base, sizeof(oldbase));
				buf_init(&oldipath, 4096);
				buf_add(&oldipath, c->ipath.p, c->ipath.len);
				str_copy(c->base, sizeof(c->base), jstr(o, "id"));
				buf_reset(&c->ipath);
				rebased = true;
			}
			continue;
		}
		norm_field(c, k, f, v, o);
	}
	if (rebased) {
		memcpy(c->base, oldbase, sizeof(oldbase));
		buf_reset(&c->ipath);
		buf_add(&c->ipath, oldipath.p, oldipath.len);
		buf_release(&oldipath);
	}
	json_decref(fixed);
	return finish(c, k, o);
}

static void nctx_init(struct nctx *c, json_t *errors)
{
	memset(c, 0, sizeof(*c));
	c->errors = errors;
	buf_init(&c->path, 4096);
	buf_init(&c->ipath, 4096);
	buf_init(&c->val, (size_t)ORUK_TEXT_MAX * 4);
	buf_init(&c->tmp, (size_t)ORUK_TEXT_MAX * 8);
}

static void nctx_release(struct nctx *c)
{
	buf_release(&c->path);
	buf_release(&c->ipath);
	buf_release(&c->val);
	buf_release(&c->tmp);
}

json_t *oruk_normalise(const json_t *doc, json_t *errors)
{
	struct nctx c;
	json_t *out = NULL;

	if (!json_is_object(doc)) {
		oruk_error_add(errors, "service", "The record is not a JSON object.", "is not a JSON object");
		return NULL;
	}
	nctx_init(&c, errors);
	out = norm_obj(&c, K_SERVICE, doc);
	if (out && !c.nerrors && !c.nomem) {
		/* Two places with one id cannot both be stored. */
		json_t *sals = json_object_get(out, "service_at_locations"), *a, *b;
		size_t i, j;

		json_array_foreach(sals, i, a)
			for (j = i + 1; j < json_array_size(sals); j++) {
				b = json_array_get(sals, j);
				if (jstr(a, "id") && jstr(b, "id") && strcmp(jstr(a, "id"), jstr(b, "id")) == 0 &&
				    !c.nerrors) {
					char f[64];

					snprintf(f, sizeof(f), "service_at_locations[%zu].id", j);
					oruk_error_add(errors, f, "Two service_at_locations have the same id.",
						       "two of its places have the same id");
					c.nerrors++;
				}
			}
	}
	if (out && !c.nerrors && !c.nomem) {
		size_t len;
		char *dump = oruk_dump(out, &len);

		if (!dump) {
			c.nomem = true;
		} else if (len > ORUK_DOC_MAX) {
			oruk_error_add(errors, "service", "The service is larger than 1 MiB.",
				       "is larger than 1 MiB");
			c.nerrors++;
		}
		free(dump);
	}
	if (c.nomem && !c.nerrors)
		oruk_error_add(errors, "service", "There was not enough memory to read the service.",
			       "could not be read (out of memory)");
	if (c.nerrors || c.nomem) {
		json_decref(out);
		out = NULL;
	}
	nctx_release(&c);
	return out;
}

json_t *oruk_org_normalise(const json_t *org, const char *path, json_t *errors)
{
	struct nctx c;
	json_t *out;

	nctx_init(&c, errors);
	buf_adds(&c.path, path ? path : "");
	if (!json_is_object(org)) {
		err_at(&c, "", "The organisation is not a JSON object.", "its organisation is not a JSON object");
		nctx_release(&c);
		return NULL;
	}
	out = norm_obj(&c, K_ORG, org);
	if (c.nerrors || c.nomem) {
		json_decref(out);
		out = NULL;
	}
	nctx_release(&c);
	return out;
}

/* ---------------------------------------------------------------- ids, dumps, hashes */

void oruk_derived_id(const char *base, const char *path, char out[37])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)(base ? base : ""), base ? strlen(base) : 0);
	crypto_hash_sha256_update(&st, (const unsigned char *)":", 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)(path ? path : ""), path ? strlen(path) : 0);
	crypto_hash_sha256_final(&st, h);
	h[6] = (unsigned char)((h[6] & 0x0f) | 0x80);     /* version 8 */
	h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);     /* RFC 9562 variant */
	uuid_format(h, out);
}

char *oruk_dump(const json_t *doc, size_t *len)
{
	char *s = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(12));

	if (s && len)
		*len = strlen(s);
	return s;
}

void oruk_hash(const json_t *doc, char out[65])
{
	json_t *copy = json_copy((json_t *)doc);
	unsigned char h[crypto_hash_sha256_BYTES];
	char *s;

	if (copy)
		json_object_del(copy, "last_modified");
	s = oruk_dump(copy ? copy : doc, NULL);
	crypto_hash_sha256(h, (const unsigned char *)(s ? s : ""), s ? strlen(s) : 0);
	for (int i = 0; i < 32; i++)
		snprintf(out + i * 2, 3, "%02x", h[i]);
	free(s);
	json_decref(copy);
}

void oruk_service_set(json_t *doc, const char *key, json_t *value)
{
	if (value)
		json_object_set_new(doc, key, value);
	else
		json_object_del(doc, key);
	reorder(doc, f_service, ARRAY_LEN(f_service));
}

json_t *oruk_flat(const json_t *doc)
{
	json_t *flat = json_object(), *v;
	const char *k;

	if (!flat)
		return NULL;
	json_object_foreach((json_t *)doc, k, v)
		if (!json_is_array(v) && !json_is_object(v))
			json_object_set(flat, k, v);
	return flat;
}

/* ---------------------------------------------------------------- v1 */

static const char *const v1_keys[] = {
	"regular_schedules", "holiday_schedules", "service_taxonomys", "eligibilitys", "fundings",
	"deliverable_type", "attending_type", "attending_access", "review",
};

bool oruk_is_v1(const json_t *svc)
{
	const char *k;
	json_t *v, *org, *sals, *sal;
	size_t i;

	if (!json_is_object(svc))
		return false;
	json_object_foreach((json_t *)svc, k, v) {
		if (strncmp(k, "pc_", 3) == 0)
			return true;
		for (size_t j = 0; j < ARRAY_LEN(v1_keys); j++)
			if (strcmp(k, v1_keys[j]) == 0)
				return true;
	}
	org = json_object_get(svc, "organization");
	if (json_is_object(org) && json_object_get(org, "url") && !json_object_get(org, "website"))
		return true;
	sals = json_object_get(svc, "service_at_locations");
	json_array_foreach(sals, i, sal) {
		json_t *loc = json_object_get(sal, "location");

		if (json_object_get(loc, "physical_addresses") ||
		    json_object_get(loc, "accessibility_for_disabilities"))
			return true;
	}
	return false;
}

static void copy_key(json_t *dst, const char *to, const json_t *src, const char *from)
{
	json_t *v = json_object_get(src, from);

	if (v && !json_is_null(v))
		json_object_set(dst, to, v);
}

/* Appends a trimmed piece of text to a comma-separated list, once. */
static void list_add(struct buf *b, const char *s, size_t n)
{
	const char *p;

	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (!n)
		return;
	for (p = b->p; *p;) {
		size_t m = 0;

		while (p[m] && !(p[m] == ',' && p[m + 1] == ' '))
			m++;
		if (m == n && strncasecmp(p, s, n) == 0)
			return;
		p += m;
		if (*p)
			p += 2;
	}
	if (b->len)
		buf_adds(b, ", ");
	buf_add(b, s, n);
}

static json_t *v1_location(const json_t *loc)
{
	json_t *out = json_object(), *arr, *it;
	size_t i;

	static const char *const same[] = { "id", "location_type", "name", "description", "latitude",
					    "longitude", "url", "transportation", "external_identifier",
					    "external_identifier_type", "addresses", "accessibility",
					    "languages", "phones", "attributes" };
	for (size_t k = 0; k < ARRAY_LEN(same); k++)
		copy_key(out, same[k], loc, same[k]);
	arr = json_object_get(loc, "physical_addresses");
	if (json_is_array(arr) && !json_object_get(out, "addresses")) {
		json_t *addrs = json_array();

		json_array_foreach(arr, i, it) {
			json_t *a = json_copy(it);

			if (!a)
				continue;
			if (!json_object_get(a, "address_type"))
				json_object_set_new(a, "address_type", json_string("physical"));
			json_array_append_new(addrs, a);
		}
		json_object_set_new(out, "addresses", addrs);
	}
	arr = json_object_get(loc, "accessibility_for_disabilities");
	if (json_is_array(arr) && !json_object_get(out, "accessibility")) {
		json_t *acc = json_array();

		json_array_foreach(arr, i, it) {
			json_t *a = json_object();

			copy_key(a, "id", it, "id");
			copy_key(a, "description", it, "accessibility");
			copy_key(a, "details", it, "details");
			json_array_append_new(acc, a);
		}
		json_object_set_new(out, "accessibility", acc);
	}
	return out;
}

static void add_kith_attr(json_t *attrs, const struct vocab_term *t)
{
	json_array_append_new(attrs, json_pack("{s:s}", "taxonomy_term_id", t->id));
}

/* A conversion from v1 under way: each step below reads v1 and adds to
 * out (or to attrs, which becomes out's attributes at the end). */
struct v1_conv {
	const json_t *v1;
	json_t *out;
	json_t *attrs;            /* v1's own attributes, then kith's and the taxonomies' */
	struct buf words;         /* scratch */
};

/* The organisation: url is 3.0's website. */
static void v1_org(struct v1_conv *x)
{
	static const char *const okeys[] = { "id", "name", "alternate_name", "description",
					     "email", "website", "logo", "uri", "parent_organization_id",
					     "legal_status", "organization_identifiers", "attributes" };
	const json_t *v = json_object_get(x->v1, "organization");
	json_t *org;

	if (!json_is_object(v))
		return;
	org = json_object();
	for (size_t k = 0; k < ARRAY_LEN(okeys); k++)
		copy_key(org, okeys[k], v, okeys[k]);
	if (!json_object_get(org, "website"))
		copy_key(org, "website", v, "url");
	if (!json_object_get(org, "organization_identifiers")) {
		/* Some v1 feeds carry a charity number as its own field. */
		const char *cn = jstr(v, "charity_number");

		if (cn)
			json_object_set_new(org, "organization_identifiers", json_pack("[{s:s, s:s, s:s}]",
				"identifier_scheme", "GB-CHC", "identifier_type", "Charity number",
				"identifier", cn));
	}
	json_object_set_new(x->out, "organization", org);
}

/* When it was modified and checked. */
static void v1_dates(struct v1_conv *x)
{
	const json_t *meta = json_object_get(x->v1, "pc_metadata");
	const char *s;

	if (!jstr(x->out, "last_modified") && (s = jstr(meta, "date_modified")))
		json_object_set_new(x->out, "last_modified", json_string(s));
	if (!jstr(x->out, "assured_date") && (s = jstr(meta, "date_assured")))
		json_object_set_new(x->out, "assured_date", json_string(s));
}

/* Who it is for: eligibility_description, eligibilitys (and their ages)
 * and pc_targetAudience ("Parents>Grandparents" is "Grandparents"). */
static void v1_eligibility(struct v1_conv *x)
{
	const json_t *it;
	const char *s;
	size_t i;

	buf_reset(&x->words);
	if ((s = jstr(x->v1, "eligibility_description")))
		list_add(&x->words, s, strlen(s));
	json_array_foreach(json_object_get(x->v1, "eligibilitys"), i, it) {
		double d;

		if ((s = jstr(it, "eligibility")))
			list_add(&x->words, s, strlen(s));
		if (!json_object_get(x->out, "minimum_age") && num_of(json_object_get(it, "minimum_age"), &d))
			json_object_set_new(x->out, "minimum_age", num_json(d));
		if (!json_object_get(x->out, "maximum_age") && num_of(json_object_get(it, "maximum_age"), &d))
			json_object_set_new(x->out, "maximum_age", num_json(d));
	}
	json_array_foreach(json_object_get(x->v1, "pc_targetAudience"), i, it) {
		const char *a = jstr(it, "audienceType"), *gt;

		if (!a)
			continue;
		gt = strrchr(a, '>');
		list_add(&x->words, gt ? gt + 1 : a, strlen(gt ? gt + 1 : a));
	}
	if (x->words.len && buf_ok(&x->words))
		json_object_set_new(x->out, "eligibility_description", json_stringn(x->words.p, x->words.len));
}

/* How to join: application_process and the attending access texts;
 * "Drop-in" is kith's "just turn up", "Self referral" "contact them". */
static void v1_join(struct v1_conv *x)
{
	const char *s;

	buf_reset(&x->words);
	if ((s = jstr(x->v1, "application_process")))
		buf_adds(&x->words, s);
	if ((s = jstr(x->v1, "attending_access"))) {
		if (x->words.len)
			buf_adds(&x->words, "\n\n");
		buf_adds(&x->words, s);
		if (icontains(s, "drop-in") || icontains(s, "drop in"))
			add_kith_attr(x->attrs, &vocab_join[JOIN_TURN_UP]);
		else if (icontains(s, "self referral") || icontains(s, "self-referral"))
			add_kith_attr(x->attrs, &vocab_join[JOIN_SELF_REFER]);
	}
	if ((s = jstr(x->v1, "pc_attendingAccess_additionalInfo"))) {
		if (x->words.len)
			buf_adds(&x->words, "\n\n");
		buf_adds(&x->words, s);
	}
	if (x->words.len && buf_ok(&x->words))
		json_object_set_new(x->out, "application_process", json_stringn(x->words.p, x->words.len));
}

/* regular_schedules -> schedules; a weekday ("Tuesday") is byday. */
static void v1_schedules(struct v1_conv *x)
{
	static const char *const wd[] = { "monday", "tuesday", "wednesday", "thursday", "friday",
					  "saturday", "sunday" };
	static const char *const ab[] = { "MO", "TU", "WE", "TH", "FR", "SA", "SU" };
	json_t *scheds;
	const json_t *it;
	size_t i;

	if (json_object_get(x->out, "schedules"))
		return;
	scheds = json_array();
	json_array_foreach(json_object_get(x->v1, "regular_schedules"), i, it) {
		json_t *sc = json_copy((json_t *)it);
		const char *w = jstr(it, "weekday");

		if (!sc)
			continue;
		json_object_del(sc, "weekday");
		if (w && !jstr(sc, "byday"))
			for (int d = 0; d < 7; d++)
				if (istarts(w, wd[d]) || ieq(w, ab[d])) {
					json_object_set_new(sc, "byday", json_string(ab[d]));
					if (!jstr(sc, "freq"))
						json_object_set_new(sc, "freq", json_string("WEEKLY"));
				}
		json_array_append_new(scheds, sc);
	}
	json_object_set_new(x->out, "schedules", scheds);
}

/* Copies of the items of v1's array key with from's text as their name
 * when they have none (removing from when drop), as out's key. */
static void v1_named_items(struct v1_conv *x, const char *key, const char *from, bool drop)
{
	const json_t *v = json_object_get(x->v1, key), *it;
	json_t *items;
	size_t i;

	if (!json_is_array(v))
		return;
	items = json_array();
	json_array_foreach(v, i, it) {
		json_t *c = json_copy((json_t *)it);

		if (!c)
			continue;
		if (!jstr(c, "name") && jstr(it, from))
			json_object_set_new(c, "name", json_string(jstr(it, from)));
		if (drop)
			json_object_del(c, from);
		json_array_append_new(items, c);
	}
	json_object_set_new(x->out, key, items);
}

/* Languages: {"language": "English"} is a name. Service areas: v1's
 * service_area is the name. fundings is funding. */
static void v1_languages_areas(struct v1_conv *x)
{
	v1_named_items(x, "languages", "language", true);
	v1_named_items(x, "service_areas", "service_area", false);
	if (!json_object_get(x->out, "funding"))
		copy_key(x->out, "funding", x->v1, "fundings");
}

/* Places; an attending_type of online or phone is a virtual location. */
static void v1_places(struct v1_conv *x)
{
	json_t *sals = json_array(), *sal;
	const char *s;
	size_t i;

	json_array_foreach(json_object_get(x->v1, "service_at_locations"), i, sal) {
		json_t *o = json_object(), *loc = json_object_get(sal, "location");

		copy_key(o, "id", sal, "id");
		copy_key(o, "location_id", sal, "location_id");
		copy_key(o, "description", sal, "description");
		if (json_is_object(loc))
			json_object_set_new(o, "location", v1_location(loc));
		json_array_append_new(sals, o);
	}
	s = jstr(x->v1, "attending_type");
	if (s && (icontains(s, "online") || icontains(s, "phone")))
		json_array_append_new(sals, json_pack("{s:{s:s, s:s}}", "location",
			"location_type", "virtual", "name",
			icontains(s, "online") ? "Online" : "By phone"));
	if (json_array_size(sals))
		json_object_set_new(x->out, "service_at_locations", sals);
	else
		json_decref(sals);
}

/* Taxonomies: service_taxonomys -> attributes. */
static void v1_taxonomies(struct v1_conv *x)
{
	const json_t *it;
	size_t i;

	json_array_foreach(json_object_get(x->v1, "service_taxonomys"), i, it) {
		json_t *tax = json_object_get(it, "taxonomy"), *a, *t;

		if (!json_is_object(tax) || !jstr(tax, "id"))
			continue;
		a = json_pack("{s:s, s:{s:s}}", "taxonomy_term_id", jstr(tax, "id"), "taxonomy_term",
			      "id", jstr(tax, "id"));
		if (!a)
			continue;
		copy_key(a, "id", it, "id");
		t = json_object_get(a, "taxonomy_term");
		copy_key(t, "name", tax, "name");
		copy_key(t, "taxonomy", tax, "vocabulary");
		copy_key(t, "parent_id", tax, "parent");
		json_array_append_new(x->attrs, a);
	}
}

/* In this order: the attributes keep v1's, then how to join, then the
 * taxonomies. */
static void (*const v1_steps[])(struct v1_conv *x) = {
	v1_org, v1_dates, v1_eligibility, v1_join, v1_schedules, v1_languages_areas, v1_places,
	v1_taxonomies,
};

json_t *oruk_from_v1(const json_t *v1)
{
	static const char *const same[] = {
		"id", "organization_id", "name", "alternate_name", "description", "url", "email",
		"status", "interpretation_services", "wait_time", "fees", "fees_description",
		"accreditations", "minimum_age", "maximum_age", "assured_date", "alert",
		"licenses", "last_modified", "service_areas", "languages", "cost_options",
		"contacts", "phones", "attributes", "funding", "schedules",
	};
	struct v1_conv x = { .v1 = v1, .out = json_object() };
	const json_t *it;
	size_t i;

	if (!x.out)
		return NULL;
	buf_init(&x.words, (size_t)ORUK_TEXT_MAX);
	for (size_t k = 0; k < ARRAY_LEN(same); k++)
		copy_key(x.out, same[k], v1, same[k]);
	x.attrs = json_array();
	json_array_foreach(json_object_get(v1, "attributes"), i, it)
		json_array_append(x.attrs, (json_t *)it);
	for (size_t k = 0; k < ARRAY_LEN(v1_steps); k++)
		v1_steps[k](&x);
	if (json_array_size(x.attrs))
		json_object_set_new(x.out, "attributes", x.attrs);
	else
		json_decref(x.attrs);
	buf_release(&x.words);
	return x.out;
}

json_t *oruk_import_record(const json_t *rec, json_t *errors, bool *was_v1)
{
	json_t *conv = NULL, *out;
	bool v1;

	if (!json_is_object(rec)) {
		oruk_error_add(errors, "service", "The record is not a JSON object.", "is not a JSON object");
		return NULL;
	}
	v1 = oruk_is_v1(rec);
	if (was_v1)
		*was_v1 = v1;
	if (v1) {
		conv = oruk_from_v1(rec);
		if (!conv) {
			oruk_error_add(errors, "service", "There was not enough memory to read the service.",
				       "could not be read (out of memory)");
			return NULL;
		}
		rec = conv;
	}
	out = oruk_normalise(rec, errors);
	json_decref(conv);
	return out;
}

/* ---------------------------------------------------------------- feeds */

const char *oruk_shape_name(enum oruk_shape s)
{
	switch (s) {
	case ORUK_SHAPE_ARRAY: return "a JSON array of services";
	case ORUK_SHAPE_PAGE: return "a paginated list of services";
	case ORUK_SHAPE_ONE: return "one service";
	case ORUK_SHAPE_NDJSON: return "newline-delimited JSON";
	}
	return "unknown";
}

void oruk_feed_release(struct oruk_feed *f)
{
	for (size_t i = 0; i < f->n; i++)
		json_decref(f->recs[i].value);
	free(f->recs);
	memset(f, 0, sizeof(*f));
}

static bool feed_push(struct oruk_feed *f, size_t *cap, json_t *v, const char *problem, size_t line)
{
	if (f->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct oruk_record *r = reallocarray(f->recs, nc, sizeof(*r));

		if (!r)
			return false;
		f->recs = r;
		*cap = nc;
	}
	f->recs[f->n++] = (struct oruk_record){ v, problem, line };
	return true;
}

enum err oruk_feed_read(const char *data, size_t len, struct oruk_feed *out, char *why, size_t whylen)
{
	json_error_t je;
	json_t *root;
	size_t cap = 0, i = 0, line = 1;

	memset(out, 0, sizeof(*out));
	if (whylen)
		why[0] = '\0';
	if (len > ORUK_FEED_MAX) {
		snprintf(why, whylen, "The file is larger than %zu MiB.", ORUK_FEED_MAX >> 20);
		return ERR_TOO_LARGE;
	}
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (root) {
		json_t *list = NULL, *v;

		if (json_is_array(root)) {
			out->shape = ORUK_SHAPE_ARRAY;
			list = root;
		} else if (json_is_object(root) && json_is_array(json_object_get(root, "contents"))) {
			out->shape = ORUK_SHAPE_PAGE;
			list = json_object_get(root, "contents");
		} else if (json_is_object(root)) {
			out->shape = ORUK_SHAPE_ONE;
			if (!feed_push(out, &cap, root, NULL, 0)) {
				json_decref(root);
				return ERR_NOMEM;
			}
			return ERR_OK;
		} else {
			json_decref(root);
			snprintf(why, whylen, "The file is JSON, but not a list of services or one service.");
			return ERR_INVALID;
		}
		if (json_array_size(list) > ORUK_RECORDS_MAX) {
			json_decref(root);
			snprintf(why, whylen, "The file has more than %d services.", ORUK_RECORDS_MAX);
			return ERR_TOO_LARGE;
		}
		json_array_foreach(list, i, v) {
			json_incref(v);
			if (!feed_push(out, &cap, v, NULL, 0)) {
				json_decref(v);
				json_decref(root);
				return ERR_NOMEM;
			}
		}
		json_decref(root);
		return ERR_OK;
	}

	/* Not one document: newline-delimited JSON, if its first line is. */
	{
		size_t s = 0;

		while (s < len && (data[s] == ' ' || data[s] == '\t' || data[s] == '\r' || data[s] == '\n'))
			s++;
		if (s == len) {
			snprintf(why, whylen, "The file is empty.");
			return ERR_INVALID;
		}
		if (data[s] == '{') {
			size_t e = s;
			json_t *first;

			while (e < len && data[e] != '\n')
				e++;
			first = json_loadb(data + s, e - s, JSON_REJECT_DUPLICATES, NULL);
			if (first) {
				json_decref(first);
				goto ndjson;
			}
		}
	}
	snprintf(why, whylen, "The file is not JSON or newline-delimited JSON: %s (line %d, column %d).",
		 je.text, je.line, je.column);
	return ERR_INVALID;

ndjson:
	out->shape = ORUK_SHAPE_NDJSON;
	while (i < len) {
		size_t e = i, a, b;
		json_t *v;

		while (e < len && data[e] != '\n')
			e++;
		a = i;
		b = e;
		while (a < b && (data[a] == ' ' || data[a] == '\t' || data[a] == '\r'))
			a++;
		while (b > a && (data[b - 1] == ' ' || data[b - 1] == '\t' || data[b - 1] == '\r'))
			b--;
		if (b > a) {
			if (out->n >= ORUK_RECORDS_MAX) {
				snprintf(why, whylen, "The file has more than %d services.", ORUK_RECORDS_MAX);
				return ERR_TOO_LARGE;
			}
			v = json_loadb(data + a, b - a, JSON_REJECT_DUPLICATES, NULL);
			if (!feed_push(out, &cap, v, v ? NULL : "is not valid JSON", line)) {
				json_decref(v);
				return ERR_NOMEM;
			}
		}
		i = e + 1;
		line++;
	}
	return ERR_OK;
}

/* ---------------------------------------------------------------- facts */

const char *oruk_org_charity(const json_t *org)
{
	json_t *ids = json_object_get(org, "organization_identifiers"), *it;
	size_t i;

	json_array_foreach(ids, i, it) {
		const char *scheme = jstr(it, "identifier_scheme"), *type = jstr(it, "identifier_type");

		if (ieq(scheme, "GB-CHC") || ieq(scheme, "GB-SC") || ieq(scheme, "GB-NIC") ||
		    icontains(type, "charity"))
			return jstr(it, "identifier");
	}
	return NULL;
}

static void body_add(struct buf *b, const char *s)
{
	if (!s || !s[0])
		return;
	if (b->len)
		buf_addc(b, '\n');
	buf_adds(b, s);
}

/* Does accessibility text say there is step-free access (and not that
 * there is none)? */
static bool says_step_free(const char *s)
{
	static const char *const yes[] = { "wheelchair", "step-free", "step free", "level access" };

	if (!s)
		return false;
	for (size_t i = 0; i < ARRAY_LEN(yes); i++) {
		const char *p = icontains(s, yes[i]);

		if (!p)
			continue;
		/* "no wheelchair access", "not wheelchair accessible",
		 * "no step-free access": the words before decide. */
		if ((p - s >= 3 && strncasecmp(p - 3, "no ", 3) == 0) ||
		    (p - s >= 4 && strncasecmp(p - 4, "not ", 4) == 0))
			continue;
		return true;
	}
	return false;
}

static bool fees_free(const char *f)
{
	static const char *const words[] = { "none", "no charge", "no cost", "nil", "£0", "0" };

	if (!f)
		return false;
	if (istarts(f, "free") && !isalpha((unsigned char)f[4]))
		return true;
	for (size_t i = 0; i < ARRAY_LEN(words); i++)
		if (istarts(f, words[i]) && !isalnum((unsigned char)f[strlen(words[i])]))
			return true;
	return false;
}

static void attr_facts(const json_t *attrs, struct oruk_facts *f)
{
	json_t *a;
	size_t i;

	json_array_foreach(attrs, i, a) {
		const char *tid = jstr(a, "taxonomy_term_id");
		json_t *term = json_object_get(a, "taxonomy_term");
		const char *name = jstr(term, "name"), *taxid = jstr(term, "taxonomy_id");
		int k, tax;
		const struct vocab_term *kt = kith_term(tid, &tax);

		if (!tid)
			continue;
		if (kt) {
			taxid = *vocab_taxonomies[tax].id;
			if ((k = vocab_find_id(vocab_categories, vocab_categories_n, tid)) >= 0) {
				f->categories |= UINT64_C(1) << k;
				body_add(&f->body, vocab_categories[k].name);
				body_add(&f->body, vocab_categories[k].keywords);
			} else if ((k = vocab_find_id(vocab_conditions, vocab_conditions_n, tid)) >= 0) {
				f->conditions |= UINT64_C(1) << k;
				body_add(&f->body, vocab_conditions[k].name);
				body_add(&f->body, vocab_conditions[k].keywords);
			} else if (kt == &vocab_peer_led) {
				f->flags |= SF_PEER_LED;
				body_add(&f->body, vocab_peer_led.name);
			} else {
				for (int j = JOIN_TURN_UP; j < JOIN__MAX; j++)
					if (kt == &vocab_join[j]) {
						if (f->join == JOIN_UNKNOWN)
							f->join = (enum join_how)j;
						f->flags |= j == JOIN_TURN_UP ? SF_TURN_UP
							  : j == JOIN_SELF_REFER ? SF_SELF_REFER : SF_REFERRAL;
						body_add(&f->body, vocab_join[j].name);
					}
			}
		} else if (name) {
			/* An imported feed's own term: its words, and a kith
			 * category when the name is exactly one. */
			body_add(&f->body, name);
			for (size_t j = 0; j < vocab_categories_n; j++)
				if (ieq(name, vocab_categories[j].name) || ieq(name, vocab_categories[j].code))
					f->categories |= UINT64_C(1) << j;
		}
		if (f->nterms < ORUK_TERMS_MAX) {
			buf_addf(&f->terms, "%s%s %s", f->terms.len ? "\n" : "", taxid ? taxid : "-", tid);
			f->nterms++;
		}
	}
}

static void sched_facts(const json_t *scheds, struct oruk_facts *f)
{
	json_t *s;
	size_t i;

	json_array_foreach(scheds, i, s) {
		struct sched sc;
		const char *why;
		const char *att = jstr(s, "attending_type");

		if (att && (icontains(att, "online") || icontains(att, "phone") || icontains(att, "video") ||
			    icontains(att, "virtual")))
			f->flags |= SF_ONLINE;
		if (f->nscheds >= SEARCH_MAX_SCHEDS * 4)
			continue;
		if (sched_from_oruk(s, &sc, &why) != ERR_OK)
			continue;
		if (f->scheds.len)
			buf_addc(&f->scheds, '\n');
		sched_encode(&sc, &f->scheds);
		f->nscheds++;
	}
}

enum err oruk_derive(const json_t *doc, struct oruk_facts *f)
{
	json_t *arr, *it, *org = json_object_get(doc, "organization");
	size_t i;
	bool any_amount = false, zero = false, paid = false;
	const char *s;

	memset(f, 0, sizeof(*f));
	buf_init(&f->body, ORUK_BODY_MAX);
	buf_init(&f->scheds, 64 * 1024);
	buf_init(&f->terms, 64 * 1024);
	buf_init(&f->dupe_key, 4096);
	str_copy(f->id, sizeof(f->id), jstr(doc, "id") ? jstr(doc, "id") : "");
	s = jstr(doc, "organization_id") ? jstr(doc, "organization_id") : jstr(org, "id");
	str_copy(f->org_id, sizeof(f->org_id), s ? s : "");
	f->name = jstr(doc, "name");
	f->status = jstr(doc, "status");

	body_add(&f->body, jstr(doc, "alternate_name"));
	body_add(&f->body, jstr(doc, "description"));
	body_add(&f->body, jstr(org, "name"));
	body_add(&f->body, jstr(doc, "eligibility_description"));
	body_add(&f->body, jstr(doc, "application_process"));
	attr_facts(json_object_get(doc, "attributes"), f);
	sched_facts(json_object_get(doc, "schedules"), f);

	/* Cost. */
	json_array_foreach(json_object_get(doc, "cost_options"), i, it) {
		json_t *amt = json_object_get(it, "amount");

		if (json_is_number(amt)) {
			any_amount = true;
			if (json_number_value(amt) == 0)
				zero = true;
			else
				paid = true;
		}
	}
	if ((any_amount && zero && !paid) ||
	    (!any_amount && (fees_free(jstr(doc, "fees")) || fees_free(jstr(doc, "fees_description")))))
		f->flags |= SF_FREE;

	/* Languages. */
	json_array_foreach(json_object_get(doc, "languages"), i, it) {
		int k = vocab_find(vocab_languages, vocab_languages_n, jstr(it, "code"));

		if (k < 0 && (s = jstr(it, "name")))
			for (size_t j = 0; j < vocab_languages_n; j++)
				if (ieq(s, vocab_languages[j].name) || ieq(s, vocab_languages[j].code))
					k = (int)j;
		if (k >= 0 && k < 32)
			f->languages |= UINT32_C(1) << k;
	}

	/* Service areas' names are words people search for ("Scunthorpe"). */
	json_array_foreach(json_object_get(doc, "service_areas"), i, it)
		body_add(&f->body, jstr(it, "name"));

	/* Places. */
	arr = json_object_get(doc, "service_at_locations");
	json_array_foreach(arr, i, it) {
		json_t *loc = json_object_get(it, "location"), *addr = json_array_get(json_object_get(loc, "addresses"), 0);
		const char *type = jstr(loc, "location_type");
		struct oruk_place *p;
		size_t j;
		json_t *acc;

		sched_facts(json_object_get(it, "schedules"), f);
		if (ieq(type, "virtual")) {
			f->flags |= SF_ONLINE;
		} else if (loc) {
			f->flags |= SF_IN_PERSON;
			json_array_foreach(json_object_get(loc, "accessibility"), j, acc)
				if (says_step_free(jstr(acc, "description")) || says_step_free(jstr(acc, "details")) ||
				    says_step_free(jstr(acc, "accessibility")))
					f->flags |= SF_WHEELCHAIR;
		}
		body_add(&f->body, jstr(loc, "name"));
		body_add(&f->body, jstr(addr, "city"));
		if (f->nplaces >= ORUK_PLACES_MAX || !jstr(it, "id") || !jstr(it, "location_id"))
			continue;
		p = &f->places[f->nplaces++];
		memset(p, 0, sizeof(*p));
		str_copy(p->sal_id, sizeof(p->sal_id), jstr(it, "id"));
		str_copy(p->location_id, sizeof(p->location_id), jstr(it, "location_id"));
		p->physical = loc && !ieq(type, "virtual");
		if ((s = jstr(addr, "postal_code"))) {
			const char *why;

			if (!postcode_normalise(s, p->postcode, &why))
				p->postcode[0] = '\0';
		}
		if (json_is_number(json_object_get(loc, "latitude")) &&
		    json_is_number(json_object_get(loc, "longitude"))) {
			p->has_point = true;
			p->lat = json_number_value(json_object_get(loc, "latitude"));
			p->lon = json_number_value(json_object_get(loc, "longitude"));
		} else if (p->physical && p->postcode[0]) {
			struct postcode_place pp;
			const char *why;

			if (postcode_locate(p->postcode, &pp, &why) == ERR_OK) {
				p->has_point = true;
				p->lat = pp.lat;
				p->lon = pp.lon;
			}
		}
		if (!f->postcode[0] && p->postcode[0])
			memcpy(f->postcode, p->postcode, sizeof(f->postcode));
	}

	if (f->name)
		text_dupe_key(f->name, strlen(f->name), &f->dupe_key);
	if ((s = jstr(doc, "last_modified")))
		oruk_parse_datetime(s, &f->last_modified);
	if ((s = jstr(doc, "assured_date")))
		oruk_parse_date(s, &f->assured_at);
	if (f->scheds.err || f->terms.err || f->dupe_key.err)
		return ERR_NOMEM;
	/* A body past its limit keeps what fitted: the start of the
	 * description is what matters for search. */
	if (f->body.err) {
		f->body.err = false;
	}
	return ERR_OK;
}

void oruk_facts_release(struct oruk_facts *f)
{
	buf_release(&f->body);
	buf_release(&f->scheds);
	buf_release(&f->terms);
	buf_release(&f->dupe_key);
}
