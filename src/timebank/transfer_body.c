/*
 * transfer_body.c - reading a transfer's JSON body (transfer_body.h).
 */
#include "core/common.h"
#include "timebank/transfer_body.h"

#include "core/fields.h"
#include "core/str.h"
#include "timebank/ledger.h"

#include <stdio.h>
#include <string.h>

static const char *const members[] = { "from", "to", "minutes", "note", "idempotency_key" };

static void read_whole(json_t *errors, const json_t *body, const char *name, int64_t max, const char *what,
		int64_t *out)
{
	const json_t *v = json_object_get(body, name);
	char why[200];

	*out = 0;
	if (!v || json_is_null(v)) {
		snprintf(why, sizeof(why), "Give %s: %s.", name, what);
		field_err(errors, name, why);
		return;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > max) {
		snprintf(why, sizeof(why), "Give %s as a whole number from 1 to %lld: %s.", name, (long long)max, what);
		field_err(errors, name, why);
		return;
	}
	*out = (int64_t)json_integer_value(v);
}

enum err tb_body_parse(const json_t *body, struct tb_body *out, json_t *errors)
{
	const char *key;
	const json_t *v;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(body)) {
		field_err(errors, "body", "Send a JSON object: {\"from\": account id, \"to\": account id, \"minutes\": "
			  "a whole number, \"note\": optional text, \"idempotency_key\": optional}.");
		return ERR_BAD_REQUEST;
	}
	json_object_foreach((json_t *)body, key, v) {
		size_t i;
		char why[200];

		for (i = 0; i < ARRAY_LEN(members) && strcmp(members[i], key) != 0; i++)
			;
		if (i == ARRAY_LEN(members)) {
			snprintf(why, sizeof(why), "This endpoint does not take %s: send only from, to, minutes, note "
				 "and idempotency_key.", strlen(key) <= 40 && str_is_clean_utf8(key, strlen(key)) ?
				 key : "that member");
			field_err(errors, strlen(key) <= 40 && str_is_clean_utf8(key, strlen(key)) ? key : "body", why);
		}
	}
	read_whole(errors, body, "from", TB_ID_MAX, "the id of the account the time comes from", &out->from);
	read_whole(errors, body, "to", TB_ID_MAX, "the id of the account the time goes to", &out->to);
	read_whole(errors, body, "minutes", TB_MINUTES_MAX, "the time in whole minutes, at most 60,000 (1,000 hours)",
		   &out->minutes);
	v = json_object_get(body, "note");
	if (v && !json_is_null(v)) {
		const char *s = json_string_value(v);

		if (!s || strlen(s) != json_string_length(v))
			field_err(errors, "note", "Give the note as text (a JSON string), or leave it out.");
		else if (field_text_ok(errors, "note", "The note", s, TB_NOTE_MAX, false) && !str_is_blank(s))
			out->note = s;
	}
	v = json_object_get(body, "idempotency_key");
	if (v && !json_is_null(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);

		if (!tb_key_ok(s, n))
			field_err(errors, "idempotency_key", "Give idempotency_key as 1 to 100 letters, digits or "
				  "punctuation with no spaces, the same for every try of one transfer, or leave it out.");
		else
			out->key = s;
	}
	return json_array_size(errors) ? ERR_INVALID : ERR_OK;
}
