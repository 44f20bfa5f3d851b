/*
 * transfer_body.h - reading the body of POST /api/v1/timebank/transfers
 * (timebank_api.c), with no request, so fuzz/fuzz_timebank_body.c
 * reaches it.
 */
#ifndef KITH_TIMEBANK_TRANSFER_BODY_H
#define KITH_TIMEBANK_TRANSFER_BODY_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"

#define TB_ID_MAX (INT64_C(1) << 53)   /* the largest id a JSON number holds exactly */

/* What a transfer's body held. */
struct tb_body {
	int64_t from, to;             /* account ids, 0 when absent */
	int64_t minutes;              /* 0 when absent */
	const char *note;             /* NULL when absent, null or blank; else the body's own string */
	const char *key;              /* idempotency_key: NULL when absent or null */
};

/* Reads body (parsed JSON, borrowed) into out: {from, to, minutes} whole
 * numbers (ids 1..TB_ID_MAX, minutes 1..TB_MINUTES_MAX), note text of at
 * most TB_NOTE_MAX characters, idempotency_key 1..TB_KEY_MAX printable
 * ASCII characters with no space. ERR_BAD_REQUEST when body is not an
 * object (one error, field "body"); ERR_INVALID with one {field, detail}
 * per member wrong (missing, of the wrong type or out of range, or a
 * member this endpoint does not take, named); ERR_OK otherwise. */
enum err tb_body_parse(const json_t *body, struct tb_body *out, json_t *errors);

#endif
