/*
 * referral_api.h - reading the body of POST /api/v1/referrals, apart from
 * HTTP so fuzz/fuzz_referral_json.c can drive it without a database.
 *
 * The body (unknown keys are ignored):
 *   {"person": {"name", "email"?, "phone"?, "address"?, "contact_by",
 *               "access_needs"?, "language"?, "birth_date"?, "nhs_number"?},
 *    "client_id"?,                          (instead of person: someone on my caseload)
 *    "consent": {"share": bool, "contact"?: bool, "outcome"?: bool, "method"},
 *               or the shorthand {"given": bool, "method"} (given = share),
 *    "target": {"type", "id"},
 *    "reason"?, "needs": [codes], "source"?}
 * Strings are trimmed; null is the same as absent.
 */
#ifndef KITH_REFERRAL_API_H
#define KITH_REFERRAL_API_H

#include <jansson.h>

#include "core/arena.h"
#include "core/err.h"
#include "referral/referral.h"

/* Most needs a body may list (each is checked against ref_needs later). */
#define REF_API_NEEDS_MAX 64

/* Fills out from body. Strings are copies in a (out's pointers live as
 * long as a). A member of the wrong type (a number for a name, a string
 * for consent.share, a needs list that is not an array of strings, a
 * body that is not an object) appends {"field", "detail"} to errors with
 * the API's field names (referral.h); the values themselves are judged by
 * referral_check(). ERR_OK, ERR_INVALID (errors appended) or ERR_NOMEM. */
enum err referral_api_parse(const json_t *body, struct arena *a, struct ref_new *out,
		json_t *errors);

#endif
