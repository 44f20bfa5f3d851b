/*
 * confirm.h - one confirmation step before what cannot simply be undone
 * (archiving a service, withdrawing consent, withdrawing or closing a
 * referral).
 *
 * The destructive POST asks web_confirmed() first. Without confirm=yes in
 * the form it answers with a page (templates/confirm.html) that names the
 * thing, says what will happen, asks for a reason where the record needs
 * one, and carries every field of the original form forward, so "Yes"
 * sends the same request again with confirm=yes. Nothing is written
 * before that. The page is a response to a POST and changes nothing, so
 * a refresh or the back button is harmless; the real change still needs
 * the form token.
 */
#ifndef KITH_WEB_CONFIRM_H
#define KITH_WEB_CONFIRM_H

#include <stdbool.h>

#include "core/err.h"

struct request;
struct response;

#define CONFIRM_REASON_MAX 500   /* characters of a reason */

struct confirm {
	const char *heading;        /* names the thing: "Archive Tuesday Walk?" */
	const char *happens;        /* what will happen, one or more sentences ("\n\n" between
	                               paragraphs) */
	const char *warning;        /* the one thing to know, e.g. "Only a coordinator can undo this." */
	const char *button;         /* "Yes, archive it" */
	const char *cancel_href;    /* where "No, go back" leads */
	const char *cancel;         /* its words; NULL: "No, go back" */
	const char *reason_label;   /* ask for a reason with this label; NULL: no reason */
	const char *reason_hint;
	bool reason_required;       /* the record needs one */
};

/* True when the request is confirmed (and, when c asks for a required
 * reason, has one of 1..CONFIRM_REASON_MAX characters): *reason receives
 * it, trimmed, or NULL. Otherwise renders the confirmation page (200, or
 * 422 with the error when a required reason is missing or too long),
 * sets *e to what the handler should return, and is false. */
bool web_confirmed(struct request *req, struct response *resp, const struct confirm *c,
		const char **reason, enum err *e);

#endif
