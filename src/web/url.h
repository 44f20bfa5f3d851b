/*
 * url.h - links to kith's own pages, built from route names.
 *
 * A path is written once, in its route row; everywhere else names it:
 *
 *   web_url(req, "referral.show", m.id, NULL)     ->  "/referrals/3f25..."
 *
 * Parameters fill the pattern's {...} in order, each percent-encoded. An
 * unknown name or a wrong count is a bug: logged, and the link is "/" so
 * the page still works.
 */
#ifndef KITH_WEB_URL_H
#define KITH_WEB_URL_H

struct request;

/* The path (in the request arena) of the route named name; the
 * parameters follow, ending with NULL. */
const char *web_url(struct request *req, const char *name, ...);

/* 303 See Other to the route named name (a path without parameters)
 * with ?done=word, which that page turns into a banner (web_done). */
struct response;
void web_redirect_done(struct request *req, struct response *resp, const char *name,
		const char *word);

/* The {token} of a one-time link's path (a password reset, a claim, "is
 * this still running?"): 64 lowercase hex digits, or NULL for anything
 * else, which the page answers as a link that has expired. */
const char *web_path_token(const struct request *req);

#endif
