/*
 * talk_api.h - reading the conversations API's request bodies
 * (talk_api.c), with no request, so fuzz/fuzz_talk_api.c reaches it.
 */
#ifndef KITH_TALK_API_H
#define KITH_TALK_API_H

#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/err.h"

#define TALK_API_FIELDS_MAX 4        /* members one body may have */
#define TALK_API_REASON_MAX 32       /* characters of a flag's reason code */

/* The bodies the API reads, and their members by position:
 *   TALK_API_TOPIC  POST /api/v1/spaces/{id}/topics  text[0] title, text[1] body
 *   TALK_API_POST   POST /api/v1/topics/{id}/posts   text[0] body, id[1] quote_of
 *   TALK_API_FLAG   POST /api/v1/posts/{id}/flags    text[0] reason, text[1] note */
enum talk_api_body { TALK_API_TOPIC, TALK_API_POST, TALK_API_FLAG };

/* What a body held, by the members' positions. */
struct talk_api_in {
	const char *text[TALK_API_FIELDS_MAX];   /* NULL: absent (or null, or a blank reason) */
	int64_t id[TALK_API_FIELDS_MAX];         /* 0: absent */
};

/* Reads body (a parsed JSON body, borrowed: out's texts point into it)
 * as kind's members into out.
 *
 * ERR_BAD_REQUEST when body is not an object, with one error (field
 * "body") saying what to send. ERR_INVALID with one {field, detail} in
 * errors per member wrong: one the endpoint does not take (field: its
 * name), one of the wrong type (text: a JSON string; quote_of: a whole
 * number 1..API_ID_MAX), text that is not clean UTF-8 or has a NUL, text
 * too long (title 1..TALK_TITLE_MAX characters, body TALK_BODY_MAX
 * bytes, reason TALK_API_REASON_MAX characters, note
 * TALK_REASON_NOTE_MAX characters), or title or body left out, null or
 * blank. A reason left out or blank is no error here (text[0] NULL): the
 * handler's sentence lists the reasons. ERR_OK otherwise. a holds the
 * words of some errors. */
enum err talk_api_body_parse(struct arena *a, const json_t *body, enum talk_api_body kind,
		struct talk_api_in *out, json_t *errors);

#endif
