/*
 * test_policy_walk.c - every route × every role: the server does what the
 * policy table says.
 *
 * For each route in the real router and each kind of actor (a visitor and
 * a signed-in person holding each role), the request is made with a valid
 * session and form token, so the only reason to refuse is the policy. What
 * each actor must be answered is written out by hand in route_walk[] below,
 * not worked out from the policy table under test: a change to who may do
 * what has to be made in both places. A route the router has and the hand
 * table does not list fails the walk (a new route gets its row), and so
 * does a row whose route has gone. Nothing may answer 5xx, whatever the
 * (empty) input. Path parameters are filled so that ownership rules pass:
 * {id} is the actor's own person id.
 *
 * Referrals are walked again with a real referral, because who may see
 * one depends on who they are to it: each referral page and form, as a
 * visitor, a member, a peer supporter, an organiser of the receiving
 * organisation and of another, a link worker who made it and one who did
 * not, a coordinator, a commissioner and an admin, answers exactly the
 * status in the table (404 where the referral must not be hinted at).
 */
#include "core/common.h"
#include "org/org.h"

#include <setjmp.h>
#include <cmocka.h>

#include "account/account.h"
#include "audit/audit.h"
#include "auth/auth_web.h"
#include "auth/person.h"
#include "auth/policy.h"
#include "auth/session.h"
#include "core/timeutil.h"
#include "directory/directory.h"
#include "directory/vocab.h"
#include "http/router.h"
#include "people/people.h"
#include "referral/referral.h"
#include "referral/referral_feature.h"
#include "store/store.h"
#include "support/reqtest.h"

#define NACTORS (ROLE__MAX + 1)   /* a visitor, then one per role */

struct walk {
	struct rt t;
	int64_t ids[NACTORS];
	struct actor actors[NACTORS];
	char visitor_cookie[160];   /* "Cookie: kith_visitor=..." */
	char visitor_csrf[80];      /* the form token that cookie earns */
};

/* Asks auth for a visitor's form token the way a page with a form does,
 * and keeps the cookie it sets, so visitors' POSTs pass the CSRF check and
 * only the policy can refuse them. */
static bool visitor_credentials(struct walk *w)
{
	struct request *req = malloc(sizeof(*req));
	struct response resp;
	const char *tok, *set, *semi;
	bool ok = false;

	if (!req)
		return false;
	req_init(req, &w->t.app);
	resp_init(&resp);
	tok = auth_form_token(req, &resp);
	set = resp_get_header(&resp, "Set-Cookie");
	if (tok && set && (semi = strchr(set, ';'))) {
		snprintf(w->visitor_cookie, sizeof(w->visitor_cookie), "Cookie: %.*s", (int)(semi - set), set);
		snprintf(w->visitor_csrf, sizeof(w->visitor_csrf), "%s", tok);
		ok = true;
	}
	resp_release(&resp);
	req_release(req);
	free(req);
	return ok;
}

static int setup(void **state)
{
	struct walk *w = calloc(1, sizeof(*w));

	if (!w || !rt_start_with(&w->t, *state, rt_settings))
		return -1;
	if (org_create(rt_db(&w->t), PEOPLE_DEMO_ORG, "Walk test organisation", time_now()) != ERR_OK)
		return -1;
	for (int r = 0; r < ROLE__MAX; r++) {
		const char *org = r == ROLE_ORGANISER ? PEOPLE_DEMO_ORG : NULL;
		char email[64];
		int64_t id;

		snprintf(email, sizeof(email), "walk-%s@example.org", role_name((enum role)r));
		id = rt_person(&w->t, role_name((enum role)r), email, NULL, ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(r), org);
		w->ids[r + 1] = id;
		w->actors[r + 1] = (struct actor){
			.id = id, .roles = ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(r), .verified = true,
			.org_id = org,
		};
	}
	if (!visitor_credentials(w))
		return -1;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct walk *w = *state;

	rt_stop(&w->t);
	free(w);
	return 0;
}

/* The route's pattern with each parameter filled in. */
static void fill_path(const char *pattern, int64_t self, char *out, size_t n)
{
	size_t o = 0;

	for (const char *p = pattern; *p && o + 80 < n;) {
		if (*p != '{') {
			out[o++] = *p++;
			continue;
		}
		const char *close = strchr(p, '}');
		const char *colon = memchr(p, ':', (size_t)(close - p));
		char name[40];
		size_t nl = (size_t)((colon ? colon : close) - p - 1);
		const char *type = colon ? colon + 1 : "";
		size_t tl = colon ? (size_t)(close - colon - 1) : 0;

		snprintf(name, sizeof(name), "%.*s", (int)nl, p + 1);
		if (tl == 3 && strncmp(type, "int", 3) == 0)
			o += (size_t)snprintf(out + o, n - o, "%lld", (long long)(self ? self : 1));
		else if (tl == 4 && strncmp(type, "uuid", 4) == 0)
			o += (size_t)snprintf(out + o, n - o, "00000000-0000-4000-8000-000000000000");
		else if (tl == 4 && strncmp(type, "file", 4) == 0)
			o += (size_t)snprintf(out + o, n - o, "walk.css");
		else if (strcmp(name, "role") == 0)
			o += (size_t)snprintf(out + o, n - o, "peer_supporter");
		else if (tl == 4 && strncmp(type, "slug", 4) == 0)
			o += (size_t)snprintf(out + o, n - o, "walk");
		else
			o += (size_t)snprintf(out + o, n - o, "%064d", 0);
		p = close + 1;
	}
	out[o] = '\0';
}

/*
 * Every route, and what each actor must be answered, written out by hand
 * (from what each page is for, as src/auth/policy.h describes the rules),
 * one letter per actor in this order: visitor, member, peer_supporter,
 * organiser, link_worker, coordinator, commissioner, admin.
 *
 *   A  allowed: anything but 401, 403, a redirect to sign in, or 5xx (the
 *      handler may still say 404 or 422 to the walk's made-up input)
 *   S  a visitor asked to sign in: 303 to /login for a page, 401 for the
 *      API (/api/ and /fhir/)
 *   U  401 outside the API: /metrics, which a scraper reads, not a person
 *   F  403: signed in, but not allowed
 *
 * Actors hold their role and member; the organiser has an organisation.
 * Routes that act on one record (a person, a referral) let every signed-in
 * person through at the route level; the handler then decides for the
 * record, which the referral walk below tests.
 */
#define NOBODY   "AAAAAAAA"   /* public */
#define SIGNED   "SAAAAAAA"   /* anyone signed in */
#define ADMIN    "SFFFFFFA"
#define COORD    "SFFFFAFA"   /* coordinators and admins */
#define ORGS     "SFFAFAFA"   /* ... and organisers, for their organisation */
#define REFER    "SFFAAAFA"   /* organisers, link workers, coordinators, admins */
#define REPORT   "SFFFFAAA"   /* coordinators, commissioners, admins */
#define COORD_ONLY "SFFFFAFF" /* coordinators alone (bringing organisations on, running peer support) */
#define GROUP_MANAGE "SFFAFAFF" /* organisers (for their organisation) and coordinators: making and running groups */
#define TALK_MODERATE "SFFFFAFA" /* moderators: coordinators and admins moderate every space (a peer named for one: test_talk_web.c) */

static const struct {
	const char *method, *pattern, *want;
} route_walk[] = {
	/* ops */
	{ "GET", "/healthz", NOBODY },
	{ "GET", "/metrics", "UFFFFFFA" },
	{ "GET", "/assets/{file:file}", NOBODY },
	/* site */
	{ "GET", "/", NOBODY },
	{ "GET", "/accessibility", NOBODY },
	{ "GET", "/privacy", NOBODY },
	{ "GET", "/problems/{name:slug}", NOBODY },
	/* accounts: signing up and in */
	{ "GET", "/register", NOBODY },
	{ "POST", "/register", NOBODY },
	{ "GET", "/login", NOBODY },
	{ "POST", "/login", NOBODY },
	{ "POST", "/logout", SIGNED },
	{ "GET", "/signed-out", NOBODY },
	{ "GET", "/verify-email/{token}", NOBODY },
	{ "POST", "/verify-email/{token}", NOBODY },
	{ "GET", "/password-reset", NOBODY },
	{ "POST", "/password-reset", NOBODY },
	{ "GET", "/password-reset/sent", NOBODY },
	{ "GET", "/password-reset/{token}", NOBODY },
	{ "POST", "/password-reset/{token}", NOBODY },
	{ "GET", "/set-password/{token}", NOBODY },
	{ "POST", "/set-password/{token}", NOBODY },
	/* one's own account */
	{ "GET", "/account", SIGNED },
	{ "POST", "/account/verify-email", SIGNED },
	{ "GET", "/account/details", SIGNED },
	{ "POST", "/account/details", SIGNED },
	{ "GET", "/account/email", SIGNED },
	{ "POST", "/account/email", SIGNED },
	{ "GET", "/account/password", SIGNED },
	{ "POST", "/account/password", SIGNED },
	{ "GET", "/account/sessions", SIGNED },
	{ "POST", "/account/sessions/{id:int}/revoke", SIGNED },
	{ "POST", "/account/sessions/revoke-others", SIGNED },
	{ "GET", "/account/tokens", SIGNED },
	{ "POST", "/account/tokens", SIGNED },
	{ "POST", "/account/tokens/{id:int}/revoke", SIGNED },
	{ "GET", "/account/data", SIGNED },
	{ "GET", "/account/data.json", SIGNED },
	{ "GET", "/account/deactivate", SIGNED },
	{ "POST", "/account/deactivate", SIGNED },
	{ "GET", "/account/delete", SIGNED },
	{ "POST", "/account/delete", SIGNED },
	{ "GET", "/account/activity", SIGNED },
	{ "GET", "/account/referrals", SIGNED },
	/* people: a person's own record is theirs to see */
	{ "GET", "/people", COORD },
	{ "GET", "/people/{id:int}", SIGNED },
	{ "POST", "/people/{id:int}/roles", COORD },
	{ "POST", "/people/{id:int}/roles/{role}/remove", COORD },
	/* admin */
	{ "GET", "/admin/audit", ADMIN },
	{ "GET", "/admin/outbox", ADMIN },
	{ "POST", "/admin/outbox/{id:int}/retry", ADMIN },
	{ "GET", "/admin/mailbox", ADMIN },
	{ "GET", "/admin/mailbox/{file:file}", ADMIN },
	/* the directory */
	{ "GET", "/find", NOBODY },
	{ "GET", "/services/{id:uuid}", NOBODY },
	{ "GET", "/organisations/{id:uuid}", NOBODY },
	{ "GET", "/manage", ORGS },
	{ "GET", "/manage/services/new", ORGS },
	{ "POST", "/manage/services/new", ORGS },
	{ "GET", "/manage/services/{id:uuid}/edit", ORGS },
	{ "POST", "/manage/services/{id:uuid}/edit", ORGS },
	{ "POST", "/manage/services/{id:uuid}/confirm", ORGS },
	{ "GET", "/review", COORD },
	{ "GET", "/directory/words", COORD },
	{ "POST", "/directory/words", COORD },
	{ "GET", "/directory/feeds", COORD },
	/* organisations with nobody on kith: the coordinators' list, and the
	 * link an organisation is sent to claim itself */
	{ "GET", "/organisations/to-bring-on", COORD_ONLY },
	{ "POST", "/organisations/to-bring-on/{id:uuid}/send", COORD_ONLY },
	{ "GET", "/organisations/to-bring-on/{id:uuid}/email", COORD_ONLY },
	{ "POST", "/organisations/to-bring-on/{id:uuid}/email", COORD_ONLY },
	{ "GET", "/claim/{token}", NOBODY },
	{ "POST", "/claim/{token}", NOBODY },
	{ "POST", "/manage/services/{id:uuid}/publish", COORD },
	{ "POST", "/manage/services/{id:uuid}/archive", COORD },
	{ "POST", "/manage/services/{id:uuid}/verify", COORD },
	{ "GET", "/check/{token}", NOBODY },
	{ "POST", "/check/{token}", NOBODY },
	/* referrals */
	{ "GET", "/referrals/new", REFER },
	{ "POST", "/referrals/new", REFER },
	{ "GET", "/services/{id:uuid}/refer-me", NOBODY },
	{ "POST", "/services/{id:uuid}/refer-me", NOBODY },
	{ "GET", "/referrals/inbox", ORGS },
	{ "GET", "/referrals/caseload", REFER },
	{ "POST", "/referrals/caseload", REFER },
	{ "POST", "/referrals/inbox", ORGS },
	{ "GET", "/referrals/overview", REPORT },
	{ "GET", "/referrals/overview.csv", "SFFFFAFF" },    /* coordinators only: a row a referral */
	{ "GET", "/referrals/summary.csv", REPORT },
	{ "GET", "/referrals/{id:uuid}", SIGNED },
	{ "POST", "/referrals/{id:uuid}/status", SIGNED },
	{ "POST", "/referrals/{id:uuid}/consent", SIGNED },
	{ "POST", "/referrals/{id:uuid}/notes", SIGNED },
	/* peer support: asking and applying need only an account (a
	 * confirmed email: the walk's people have one); a request or a
	 * match is for its people, which the handler decides for the record
	 * (test_peer_web.c walks that); running the peer supporters is for
	 * coordinators alone */
	{ "GET", "/peer-support", NOBODY },
	{ "GET", "/peer-support/ask", SIGNED },
	{ "POST", "/peer-support/ask", SIGNED },
	{ "GET", "/peer-support/requests/{id:uuid}", SIGNED },
	{ "POST", "/peer-support/requests/{id:uuid}/withdraw", SIGNED },
	{ "GET", "/peer-support/volunteer", SIGNED },
	{ "POST", "/peer-support/volunteer", SIGNED },
	{ "GET", "/peer-support/mine", SIGNED },
	{ "POST", "/peer-support/mine/away", SIGNED },
	{ "POST", "/peer-support/mine/back", SIGNED },
	{ "GET", "/peer-support/matches/{id:uuid}", SIGNED },
	{ "POST", "/peer-support/matches/{id:uuid}/answer", SIGNED },
	{ "POST", "/peer-support/matches/{id:uuid}/messages", SIGNED },
	{ "POST", "/peer-support/matches/{id:uuid}/share", SIGNED },
	{ "POST", "/peer-support/matches/{id:uuid}/contacts", SIGNED },
	{ "GET", "/peer-support/matches/{id:uuid}/end", SIGNED },
	{ "POST", "/peer-support/matches/{id:uuid}/end", SIGNED },
	{ "GET", "/peer-support/matches/{id:uuid}/concern", SIGNED },
	{ "POST", "/peer-support/matches/{id:uuid}/concern", SIGNED },
	{ "GET", "/peer-support/coordinate", COORD_ONLY },
	{ "POST", "/peer-support/coordinate/run", COORD_ONLY },
	{ "POST", "/peer-support/concerns/{cid:int}/seen", COORD_ONLY },
	{ "GET", "/peer-support/peers/{pid:int}", COORD_ONLY },
	{ "POST", "/peer-support/peers/{pid:int}/checks", COORD_ONLY },
	{ "POST", "/peer-support/peers/{pid:int}/decide", COORD_ONLY },
	/* groups: pages of one group let everyone (or everyone signed in)
	 * through at the route level and decide for the group
	 * (test_groups_web.c walks that) */
	/* groups: the group's pages (groups_web.c) */
	{ "GET", "/groups", NOBODY },
	{ "GET", "/groups/{id:uuid}", NOBODY },
	{ "GET", "/groups/{id:uuid}/settings", GROUP_MANAGE },
	{ "POST", "/groups/{id:uuid}/settings", GROUP_MANAGE },
	{ "POST", "/groups/{id:uuid}/join", SIGNED },
	{ "POST", "/groups/{id:uuid}/leave", SIGNED },
	{ "POST", "/groups/{id:uuid}/every-session", SIGNED },
	{ "GET", "/groups/{id:uuid}/members", SIGNED },
	{ "POST", "/groups/{id:uuid}/hosts", GROUP_MANAGE },
	{ "POST", "/groups/{id:uuid}/hosts/{pid:int}/remove", GROUP_MANAGE },
	{ "POST", "/groups/{id:uuid}/messages", SIGNED },
	{ "GET", "/groups/{id:uuid}/sessions/new", SIGNED },
	{ "POST", "/groups/{id:uuid}/sessions/new", SIGNED },
	{ "GET", "/groups/{id:uuid}/sessions/{day:slug}", NOBODY },
	{ "POST", "/groups/{id:uuid}/sessions/{day:slug}/going", SIGNED },
	{ "POST", "/groups/{id:uuid}/sessions/{day:slug}/not-going", SIGNED },
	{ "GET", "/groups/{id:uuid}/sessions/{day:slug}/change", SIGNED },
	{ "POST", "/groups/{id:uuid}/sessions/{day:slug}/change", SIGNED },
	{ "POST", "/groups/{id:uuid}/sessions/{day:slug}/cancel", SIGNED },
	{ "POST", "/groups/{id:uuid}/sessions/{day:slug}/restore", SIGNED },
	/* groups: the register (register_web.c) */
	{ "GET", "/groups/{id:uuid}/sessions/{day:slug}/register", SIGNED },
	{ "POST", "/groups/{id:uuid}/sessions/{day:slug}/register", SIGNED },
	{ "GET", "/groups/{id:uuid}/sessions/{day:slug}/register/print", SIGNED },
	{ "GET", "/groups/{id:uuid}/participation", SIGNED },
	{ "POST", "/api/v1/events/{id:slug}/attendance", SIGNED },
	/* groups: calendars and the events API (calendar_web.c, events_api.c) */
	{ "GET", "/groups/{id:uuid}/calendar.ics", NOBODY },
	{ "GET", "/groups/{id:uuid}/sessions/{day:slug}/calendar.ics", NOBODY },
	{ "GET", "/calendar", SIGNED },
	{ "POST", "/calendar/new", SIGNED },
	{ "GET", "/calendar/{token:file}", NOBODY },          /* the feed: its token is the key */
	{ "GET", "/api/v1/events", NOBODY },
	{ "POST", "/api/v1/events/{id:slug}/rsvp", SIGNED },  /* and a confirmed email, as the walk's people have */
	{ "DELETE", "/api/v1/events/{id:slug}/rsvp", SIGNED },
	/* conversations: every page needs an account; a space's, topic's or
	 * post's page lets everyone signed in through and decides for the
	 * space (test_talk_web.c walks that: a group's space, a peer
	 * moderator, a hidden post); the moderators' pages need a space to
	 * moderate (coordinators and admins moderate every one); spaces and
	 * watched words are for coordinators alone */
	{ "GET", "/talk", SIGNED },
	{ "GET", "/talk/profile", SIGNED },
	{ "POST", "/talk/profile", SIGNED },
	{ "GET", "/talk/spaces/{slug:slug}", SIGNED },
	{ "GET", "/talk/spaces/{slug:slug}/search", SIGNED },
	{ "POST", "/talk/spaces/{slug:slug}/follow", SIGNED },
	{ "GET", "/talk/spaces/{slug:slug}/topics", SIGNED },
	{ "POST", "/talk/spaces/{slug:slug}/topics", SIGNED },
	{ "GET", "/talk/topics/{id:int}", SIGNED },
	{ "POST", "/talk/topics/{id:int}/posts", SIGNED },
	{ "POST", "/talk/topics/{id:int}/follow", SIGNED },
	{ "GET", "/talk/posts/{id:int}", SIGNED },
	{ "POST", "/talk/posts/{id:int}/react", SIGNED },
	{ "GET", "/talk/posts/{id:int}/message", SIGNED },
	{ "GET", "/talk/posts/{id:int}/flag", SIGNED },
	{ "POST", "/talk/posts/{id:int}/flag", SIGNED },
	{ "GET", "/talk/posts/{id:int}/edit", SIGNED },
	{ "POST", "/talk/posts/{id:int}/edit", SIGNED },
	{ "GET", "/talk/notices", SIGNED },
	{ "GET", "/talk/following", SIGNED },
	{ "GET", "/talk/messages", SIGNED },
	{ "POST", "/talk/messages", SIGNED },
	{ "GET", "/talk/moderate", TALK_MODERATE },
	{ "POST", "/talk/moderate/duty", TALK_MODERATE },
	{ "GET", "/talk/moderate/posts/{id:int}", TALK_MODERATE },
	{ "POST", "/talk/moderate/posts/{id:int}/act", TALK_MODERATE },
	{ "POST", "/talk/moderate/posts/{id:int}/reveal", TALK_MODERATE },
	{ "GET", "/talk/moderate/messages", TALK_MODERATE },
	{ "GET", "/talk/moderate/messages/{pid:int}", TALK_MODERATE },
	{ "POST", "/talk/moderate/messages/{pid:int}", TALK_MODERATE },
	{ "GET", "/talk/moderate/spaces", COORD_ONLY },
	{ "POST", "/talk/moderate/spaces", COORD_ONLY },
	{ "GET", "/talk/moderate/spaces/{id:int}", COORD_ONLY },
	{ "POST", "/talk/moderate/spaces/{id:int}", COORD_ONLY },
	{ "POST", "/talk/moderate/spaces/{id:int}/moderators/{pid:int}/remove", COORD_ONLY },
	{ "GET", "/talk/moderate/words", COORD_ONLY },
	{ "POST", "/talk/moderate/words", COORD_ONLY },
	{ "POST", "/talk/moderate/words/remove", COORD_ONLY },
	/* conversations: the API (talk_api.c); the handler asks again with the space */
	{ "GET", "/api/v1/spaces", SIGNED },
	{ "GET", "/api/v1/spaces/{id:int}/topics", SIGNED },
	{ "POST", "/api/v1/spaces/{id:int}/topics", SIGNED },
	{ "GET", "/api/v1/topics/{id:int}", SIGNED },
	{ "POST", "/api/v1/topics/{id:int}/posts", SIGNED },
	{ "POST", "/api/v1/posts/{id:int}/flags", SIGNED },
	/* the timebank (timebank_api.c); the handler asks again with the account */
	{ "GET", "/api/v1/timebank/account", SIGNED },
	{ "GET", "/api/v1/timebank/accounts/{id:int}", SIGNED },
	{ "POST", "/api/v1/timebank/transfers", SIGNED },
	{ "GET", "/api/v1/timebank/transfers/{id:int}", SIGNED },
	/* the JSON API: accounts and people */
	{ "POST", "/api/v1/accounts", NOBODY },
	{ "POST", "/api/v1/sessions", NOBODY },
	{ "DELETE", "/api/v1/sessions/current", SIGNED },
	{ "GET", "/api/v1/me", SIGNED },
	{ "POST", "/api/v1/password-resets", NOBODY },
	{ "GET", "/api/v1/people", COORD },
	{ "GET", "/api/v1/people/{id:int}", SIGNED },
	{ "POST", "/api/v1/people/{id:int}/roles", COORD },
	{ "DELETE", "/api/v1/people/{id:int}/roles/{role}", COORD },
	{ "GET", "/api/v1/tokens", SIGNED },
	{ "DELETE", "/api/v1/tokens/{id:int}", SIGNED },
	{ "GET", "/api/v1/audit", ADMIN },
	/* the JSON API and FHIR: referrals (a member may refer themself) */
	{ "POST", "/api/v1/referrals", SIGNED },
	{ "GET", "/api/v1/referrals", SIGNED },
	{ "GET", "/api/v1/referrals/{id:uuid}", SIGNED },
	{ "POST", "/api/v1/referrals/{id:uuid}/status", SIGNED },
	{ "POST", "/api/v1/referrals/{id:uuid}/consent", SIGNED },
	{ "GET", "/fhir/metadata", NOBODY },
	{ "GET", "/fhir/ServiceRequest/{id:uuid}", SIGNED },
	{ "GET", "/fhir/Task/{id:uuid}", SIGNED },
	{ "POST", "/fhir/ServiceRequest", REFER },
	/* Open Referral UK: open to all */
	{ "GET", "/api/oruk", NOBODY },
	{ "GET", "/api/oruk/openapi.json", NOBODY },
	{ "GET", "/api/oruk/services", NOBODY },
	{ "GET", "/api/oruk/services/{id:uuid}", NOBODY },
	{ "GET", "/api/oruk/service_at_locations", NOBODY },
	{ "GET", "/api/oruk/service_at_locations/{id:uuid}", NOBODY },
	{ "GET", "/api/oruk/organizations", NOBODY },
	{ "GET", "/api/oruk/organizations/{id:uuid}", NOBODY },
	{ "GET", "/api/oruk/taxonomies", NOBODY },
	{ "GET", "/api/oruk/taxonomies/{id:uuid}", NOBODY },
	{ "GET", "/api/oruk/taxonomy_terms", NOBODY },
	{ "GET", "/api/oruk/taxonomy_terms/{id:uuid}", NOBODY },
};

#undef NOBODY
#undef SIGNED
#undef ADMIN
#undef COORD
#undef ORGS
#undef REFER
#undef REPORT

static bool is_api(const char *pattern)
{
	return strncmp(pattern, "/api/", 5) == 0 || strncmp(pattern, "/fhir/", 6) == 0;
}

/* What the server did, as one of the table's letters ('?' for anything
 * none of them describes, such as a 401 on a page). */
static char outcome(const char *pattern, const struct rt_resp *r)
{
	const char *loc = rt_header(r, "Location");

	if (r->status == 303 && loc && strncmp(loc, "/login", 6) == 0)
		return is_api(pattern) ? '?' : 'S';
	if (r->status == 401)
		return is_api(pattern) ? 'S' : 'U';
	if (r->status == 403)
		return 'F';
	return 'A';
}

static const char *actor_name(int a)
{
	return a ? role_name((enum role)(a - 1)) : "visitor";
}

static void walk_every_route(void **state)
{
	struct walk *w = *state;
	struct router *router = w->t.app.router;
	struct db *db = rt_db(&w->t);
	bool listed[ARRAY_LEN(route_walk)] = { false };
	int mismatches = 0, checked = 0;

	/* The hand table itself: one letter per actor, each row once. */
	for (size_t k = 0; k < ARRAY_LEN(route_walk); k++) {
		const char *want = route_walk[k].want;

		if (strlen(want) != NACTORS || strspn(want, "ASUF") != NACTORS) {
			print_error("%s %s: \"%s\" is not %d of A, S, U, F\n", route_walk[k].method,
				    route_walk[k].pattern, want, NACTORS);
			mismatches++;
		}
		for (size_t j = 0; j < k; j++)
			if (strcmp(route_walk[j].method, route_walk[k].method) == 0 &&
			    strcmp(route_walk[j].pattern, route_walk[k].pattern) == 0) {
				print_error("%s %s is listed twice\n", route_walk[k].method,
					    route_walk[k].pattern);
				mismatches++;
			}
	}
	assert_int_equal(mismatches, 0);

	for (size_t i = 0; i < router_count(router); i++) {
		const struct route *rt = router_at(router, i);
		const char *method = method_name(rt->method), *want = NULL;

		for (size_t k = 0; k < ARRAY_LEN(route_walk) && !want; k++) {
			if (strcmp(route_walk[k].method, method) == 0 &&
			    strcmp(route_walk[k].pattern, rt->pattern) == 0) {
				want = route_walk[k].want;
				listed[k] = true;
			}
		}
		if (!want) {
			print_error("%s %s is a route the walk does not know: add a row to route_walk[] "
				    "saying who may use it\n", method, rt->pattern);
			mismatches++;
			continue;
		}

		for (int a = 0; a < NACTORS; a++) {
			char path[512], cookie[128], ctype[64], body[160];
			const char *headers[4] = { NULL };
			size_t nh = 0;
			struct rt_browser b;
			struct rt_resp r;
			int64_t now = time_now();
			char got;

			if (a > 0) {
				/* Undo anything an earlier request did to this
				 * person (signed out, deactivated, deletion). */
				assert_int_equal(person_set_deactivated(db, w->ids[a], false, now), ERR_OK);
				assert_int_equal(person_set_delete(db, w->ids[a], 0, now), ERR_OK);
				rt_sign_in(&w->t, w->ids[a], &b);
				snprintf(cookie, sizeof(cookie), "Cookie: kith_session=%s", b.session);
				headers[nh++] = cookie;
			} else {
				headers[nh++] = w->visitor_cookie;
			}
			fill_path(rt->pattern, w->ids[a], path, sizeof(path));
			body[0] = '\0';
			if (rt->flags & RF_FORM) {
				snprintf(ctype, sizeof(ctype), "Content-Type: application/x-www-form-urlencoded");
				snprintf(body, sizeof(body), "csrf_token=%s", a > 0 ? b.csrf : w->visitor_csrf);
				headers[nh++] = ctype;
			} else if (rt->flags & RF_JSON) {
				snprintf(ctype, sizeof(ctype), "Content-Type: application/json");
				snprintf(body, sizeof(body), "{}");
				headers[nh++] = ctype;
			}
			/* Not from loopback: the local operator is not an actor
			 * this walk is about. */
			rt_request(&w->t, method, path, headers, body[0] ? body : NULL,
				   strlen(body), "192.0.2.10", &r);
			checked++;
			got = outcome(rt->pattern, &r);
			if (r.status >= 500) {
				print_error("%s %s as %s: %d (a server error)\n", method, rt->pattern,
					    actor_name(a), r.status);
				mismatches++;
			} else if (got != want[a]) {
				print_error("%s %s as %s: wanted %c, the server answered %d (%c)\n", method,
					    rt->pattern, actor_name(a), want[a], r.status, got);
				mismatches++;
			}
			rt_resp_free(&r);
		}
	}
	for (size_t k = 0; k < ARRAY_LEN(route_walk); k++) {
		if (!listed[k]) {
			print_error("%s %s is in route_walk[] but the router has no such route: "
				    "remove its row\n", route_walk[k].method, route_walk[k].pattern);
			mismatches++;
		}
	}
	print_message("walked %d route x actor pairs over %zu routes\n", checked, router_count(router));
	assert_true(router_count(router) > 10);
	assert_int_equal(mismatches, 0);
}

/* The table's own promises, independent of routes. */
static void policy_table_rules(void **state)
{
	struct actor visitor = { 0 };
	struct actor member = { .id = 5, .roles = ROLE_BIT(ROLE_MEMBER), .verified = false };
	struct actor coord = { .id = 6, .roles = ROLE_BIT(ROLE_COORDINATOR) | ROLE_BIT(ROLE_MEMBER), .verified = true };
	struct actor admin = { .id = 7, .roles = ROLE_BIT(ROLE_ADMIN), .verified = true };
	struct actor organiser = { .id = 8, .roles = ROLE_BIT(ROLE_ORGANISER), .org_id = "org-a", .verified = true };
	struct actor local = { .local_operator = true };
	int64_t me = 5, other = 99;
	enum role peer = ROLE_PEER_SUPPORTER, adminrole = ROLE_ADMIN;

	UNUSED(state);
	assert_true(policy_can(&visitor, &act_public, NULL));
	assert_false(policy_can(&visitor, &act_signed_in, NULL));
	assert_false(policy_can(&visitor, &act_metrics, NULL));
	assert_true(policy_can(&local, &act_metrics, NULL));
	assert_true(policy_can(&admin, &act_metrics, NULL));
	assert_true(policy_can(&member, &act_signed_in, NULL));
	assert_false(policy_can(&member, &act_contact, NULL));          /* not verified */
	member.verified = true;
	assert_true(policy_can(&member, &act_contact, NULL));
	assert_true(policy_can(&member, &act_person_view, &me));
	assert_false(policy_can(&member, &act_person_view, &other));
	assert_true(policy_can(&coord, &act_person_view, &other));
	assert_false(policy_can(&member, &act_people_list, NULL));
	assert_true(policy_can(&coord, &act_people_list, NULL));
	assert_true(policy_can(&coord, &act_role_grant, &peer));
	assert_false(policy_can(&coord, &act_role_grant, &adminrole));
	assert_true(policy_can(&admin, &act_role_grant, &adminrole));
	assert_false(policy_can(&member, &act_role_grant, NULL));
	assert_false(policy_can(&coord, &act_audit_read, NULL));
	assert_true(policy_can(&admin, &act_audit_read, NULL));
	assert_false(policy_can(&organiser, &act_people_list, NULL));
	assert_false(policy_can(NULL, &act_public, NULL));
	assert_false(policy_can(&admin, NULL, NULL));
	/* An organiser edits their own organisation's services, not another's,
	 * and reaches the edit pages (route level) only with an organisation. */
	assert_true(policy_can(&organiser, &act_service_edit, NULL));
	assert_true(policy_can(&organiser, &act_service_edit, "org-a"));
	assert_false(policy_can(&organiser, &act_service_edit, "org-b"));
	organiser.org_id = NULL;
	assert_false(policy_can(&organiser, &act_service_edit, NULL));
	assert_false(policy_can(&member, &act_service_edit, NULL));
}

/* ---------------------------------------------------------------- referrals */

#define OTHER_ORG "b0000000-0000-4000-8000-00000000000b"

enum ref_actor {
	RA_VISITOR, RA_MEMBER, RA_PEER, RA_ORGANISER, RA_OTHER_ORGANISER, RA_LINK_WORKER,
	RA_REFERRER, RA_COORDINATOR, RA_COMMISSIONER, RA_ADMIN, RA__MAX
};

static const char *const ref_actor_names[RA__MAX] = {
	"visitor", "member", "peer supporter", "organiser (receiving)", "organiser (another)",
	"link worker (not theirs)", "link worker (referred)", "coordinator", "commissioner", "admin",
};

#define L 1   /* a visitor sent to sign in (303 to /login) */

/* What each referral route answers each actor. {svc} and {ref} are the
 * published service and the referral; POST bodies carry a valid form
 * token. Steps are chosen not to change anything, so the order of rows
 * does not matter: "sustained" from sent makes no sense (409) for those
 * who may take it, is not the referrer's to take (403), and consent to
 * share already stands (303, nothing changes). */
static const struct {
	const char *method, *path, *body;
	int want[RA__MAX];
} ref_walk[] = {
	{ "GET", "/referrals/{ref}", NULL,
	  { L, 404, 404, 200, 404, 404, 200, 200, 404, 200 } },
	{ "POST", "/referrals/{ref}/status", "to=sustained",
	  { L, 404, 404, 409, 404, 404, 403, 409, 404, 409 } },
	{ "POST", "/referrals/{ref}/consent", "purpose=share&action=give&method=verbal",
	  { L, 404, 404, 403, 404, 404, 303, 303, 404, 303 } },
	/* Case notes: the referrer and coordinators (an empty note is 422
	 * for them); the receiving organisation and admins see the referral
	 * but may not keep notes on it (403); nobody else learns it exists. */
	{ "POST", "/referrals/{ref}/notes", "note=",
	  { L, 404, 404, 403, 404, 404, 422, 422, 404, 403 } },
	{ "GET", "/referrals/new?service={svc}", NULL,
	  { L, 403, 403, 200, 200, 200, 200, 200, 403, 200 } },
	{ "POST", "/referrals/new", "target.type=service",
	  { L, 403, 403, 422, 422, 422, 422, 422, 403, 422 } },
	{ "GET", "/referrals/inbox", NULL,
	  { L, 403, 403, 200, 200, 403, 403, 200, 403, 200 } },
	{ "GET", "/referrals/caseload", NULL,
	  { L, 403, 403, 200, 200, 200, 200, 200, 403, 200 } },
	{ "POST", "/referrals/caseload", "q=Kwame",
	  { L, 403, 403, 200, 200, 200, 200, 200, 403, 200 } },
	{ "POST", "/referrals/inbox", "q=Kwame",
	  { L, 403, 403, 200, 200, 403, 403, 200, 403, 200 } },
	{ "GET", "/referrals/overview", NULL,
	  { L, 403, 403, 403, 403, 403, 403, 200, 200, 200 } },
	{ "GET", "/referrals/overview.csv", NULL,
	  { L, 403, 403, 403, 403, 403, 403, 200, 403, 403 } },
	{ "GET", "/referrals/summary.csv", NULL,
	  { L, 403, 403, 403, 403, 403, 403, 200, 200, 200 } },
	{ "GET", "/account/referrals", NULL,
	  { L, 200, 200, 200, 200, 200, 200, 200, 200, 200 } },
	{ "GET", "/services/{svc}/refer-me", NULL,
	  { 200, 200, 200, 200, 200, 200, 200, 200, 200, 200 } },
	{ "POST", "/services/{svc}/refer-me", "person.name=",
	  { 422, 422, 422, 422, 422, 422, 422, 422, 422, 422 } },
};

/* The same for the JSON API and FHIR, with each actor's bearer token (a
 * visitor has none: 401). Bodies are JSON; the steps change nothing, as
 * above. A member may refer only themself, so a body naming someone else's
 * source is theirs to be refused (403); an empty target is 422 for those
 * who may refer. */
static const struct {
	const char *method, *path, *body;
	int want[RA__MAX];
} api_walk[] = {
	{ "GET", "/api/v1/referrals/{ref}", NULL,
	  { 401, 404, 404, 200, 404, 404, 200, 200, 404, 200 } },
	{ "POST", "/api/v1/referrals/{ref}/status", "{\"status\": \"sustained\"}",
	  { 401, 404, 404, 409, 404, 404, 403, 409, 404, 409 } },
	{ "POST", "/api/v1/referrals/{ref}/consent",
	  "{\"purpose\": \"share\", \"given\": true, \"method\": \"verbal\"}",
	  { 401, 404, 404, 403, 404, 404, 200, 200, 404, 200 } },
	{ "GET", "/api/v1/referrals", NULL,
	  { 401, 200, 200, 200, 200, 200, 200, 200, 200, 200 } },
	{ "POST", "/api/v1/referrals", "{\"source\": \"link_worker\", \"target\": {}}",
	  { 401, 403, 403, 422, 422, 422, 422, 422, 403, 422 } },
	{ "GET", "/fhir/ServiceRequest/{ref}", NULL,
	  { 401, 404, 404, 200, 404, 404, 200, 200, 404, 200 } },
	{ "GET", "/fhir/Task/{ref}", NULL,
	  { 401, 404, 404, 200, 404, 404, 200, 200, 404, 200 } },
	{ "POST", "/fhir/ServiceRequest", "{\"resourceType\": \"ServiceRequest\"}",
	  { 401, 403, 403, 422, 422, 422, 422, 422, 403, 422 } },
	{ "GET", "/fhir/metadata", NULL,
	  { 200, 200, 200, 200, 200, 200, 200, 200, 200, 200 } },
};

struct refwalk {
	struct rt t;
	char svc[37], ref[37];
	struct rt_browser b[RA__MAX];
	char token[RA__MAX][TOKEN_LEN + 1];   /* "" for the visitor */
};

static int ref_setup(void **state)
{
	static const struct {
		enum ref_actor a;
		enum role role;
		const char *org;
	} people[] = {
		{ RA_MEMBER, ROLE_MEMBER, NULL }, { RA_PEER, ROLE_PEER_SUPPORTER, NULL },
		{ RA_ORGANISER, ROLE_ORGANISER, PEOPLE_DEMO_ORG },
		{ RA_OTHER_ORGANISER, ROLE_ORGANISER, OTHER_ORG },
		{ RA_LINK_WORKER, ROLE_LINK_WORKER, NULL }, { RA_REFERRER, ROLE_LINK_WORKER, NULL },
		{ RA_COORDINATOR, ROLE_COORDINATOR, NULL }, { RA_COMMISSIONER, ROLE_COMMISSIONER, NULL },
		{ RA_ADMIN, ROLE_ADMIN, NULL },
	};
	struct refwalk *w = calloc(1, sizeof(*w));
	int k = vocab_find(vocab_categories, vocab_categories_n, "walking");
	struct svc_form f = {
		.org_id = PEOPLE_DEMO_ORG, .name = "Walk test walk", .description = "A walk.",
		.join = JOIN_TURN_UP, .categories = UINT64_C(1) << k, .free = true, .in_person = true,
		.address_1 = "1 Park Road", .town = "Scunthorpe", .postcode = "DN15 6XX",
		.scheds = { { .kind = "weekly", .weekday = 1, .opens = "10:00" } },
	};
	struct save_opts o = { .source = SRC_FORM, .state = SVC_PUBLISHED, .now = time_now() };
	struct save_report rep;
	struct actor referrer = { .roles = ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(ROLE_LINK_WORKER),
				  .verified = true };
	const char *needs[] = { "loneliness" };
	struct ref_new n = {
		.person = { .name = "Walk Person", .contact_by = "phone", .phone = "01724 123456" },
		.consent_share = true, .consent_method = "verbal", .target_type = "service",
		.needs = needs, .nneeds = 1,
	};
	json_t *fields = NULL, *errors = json_array();
	struct db *db;
	struct rt_resp r;

	if (!w || !rt_start_with(&w->t, *state, rt_settings))
		return -1;
	db = rt_db(&w->t);
	if (org_create(db, PEOPLE_DEMO_ORG, "Walk test organisation", time_now()) != ERR_OK ||
	    org_create(db, OTHER_ORG, "Another organisation", time_now()) != ERR_OK)
		return -1;
	memset(&rep, 0, sizeof(rep));
	if (db_begin(db) || directory_save_form(db, &f, &o, &rep, &fields) ||
	    db_commit(db) || directory_apply_changes(w->t.app.directory, db))
		return -1;
	json_decref(fields);
	snprintf(w->svc, sizeof(w->svc), "%s", rep.id);
	for (size_t i = 0; i < ARRAY_LEN(people); i++) {
		char email[64];
		int64_t id;

		snprintf(email, sizeof(email), "refwalk-%d@example.org", (int)people[i].a);
		id = rt_person(&w->t, ref_actor_names[people[i].a], email, NULL,
			       ROLE_BIT(ROLE_MEMBER) | ROLE_BIT(people[i].role), people[i].org);
		rt_sign_in(&w->t, id, &w->b[people[i].a]);
		rt_bearer(&w->t, id, RT_API_TOKEN, w->token[people[i].a]);
		if (people[i].a == RA_REFERRER)
			referrer.id = id;
	}
	n.target_id = w->svc;
	if (db_begin(db) || referral_create(REFERRAL_ENV(&w->t.app), db, &referrer, &n, time_now(), w->ref, errors) ||
	    db_commit(db))
		return -1;
	json_decref(errors);
	/* The visitor's browser gets its form token from a form page. */
	{
		char path[128];

		snprintf(path, sizeof(path), "/services/%s/refer-me", w->svc);
		rt_browser_get(&w->t, &w->b[RA_VISITOR], path, &r);
		rt_resp_free(&r);
	}
	*state = w;
	return 0;
}

static int ref_teardown(void **state)
{
	struct refwalk *w = *state;

	rt_stop(&w->t);
	free(w);
	return 0;
}

/* pattern with {svc} and {ref} filled in. */
static void fill_ref(const struct refwalk *w, const char *pattern, char *out, size_t n)
{
	size_t o = 0;

	for (const char *p = pattern; *p && o + 40 < n;) {
		if (strncmp(p, "{svc}", 5) == 0 || strncmp(p, "{ref}", 5) == 0) {
			o += (size_t)snprintf(out + o, n - o, "%s", p[1] == 's' ? w->svc : w->ref);
			p += 5;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
}

static void walk_referral_routes(void **state)
{
	struct refwalk *w = *state;
	int mismatches = 0;

	for (size_t i = 0; i < ARRAY_LEN(ref_walk); i++) {
		char path[256];

		fill_ref(w, ref_walk[i].path, path, sizeof(path));
		for (int a = 0; a < RA__MAX; a++) {
			struct rt_resp r;
			int want = ref_walk[i].want[a], got;
			const char *loc;

			if (strcmp(ref_walk[i].method, "GET") == 0)
				rt_browser_get(&w->t, &w->b[a], path, &r);
			else
				rt_browser_post(&w->t, &w->b[a], path, ref_walk[i].body, &r);
			loc = rt_header(&r, "Location");
			got = r.status == 303 && loc && strncmp(loc, "/login", 6) == 0 ? L : r.status;
			if (got != want) {
				print_error("%s %s as %s: %d%s, wanted %d%s\n", ref_walk[i].method,
					    ref_walk[i].path, ref_actor_names[a], r.status,
					    got == L ? " (to sign in)" : "", want == L ? 303 : want,
					    want == L ? " (to sign in)" : "");
				mismatches++;
			}
			rt_resp_free(&r);
		}
	}
	for (size_t i = 0; i < ARRAY_LEN(api_walk); i++) {
		char path[256], auth[TOKEN_LEN + 40];
		const char *json[] = { "Content-Type: application/json", auth, NULL };

		fill_ref(w, api_walk[i].path, path, sizeof(path));
		for (int a = 0; a < RA__MAX; a++) {
			struct rt_resp r;
			const char *body = api_walk[i].body;

			snprintf(auth, sizeof(auth), "Authorization: Bearer %s", w->token[a]);
			if (a == RA_VISITOR)
				json[1] = NULL;
			else
				json[1] = auth;
			rt_request(&w->t, api_walk[i].method, path, json, body, body ? strlen(body) : 0,
				   NULL, &r);
			if (r.status != api_walk[i].want[a]) {
				print_error("%s %s as %s: %d, wanted %d\n%s\n", api_walk[i].method,
					    api_walk[i].path, ref_actor_names[a], r.status,
					    api_walk[i].want[a], r.body ? r.body : "");
				mismatches++;
			}
			rt_resp_free(&r);
		}
	}
	/* The table's steps changed nothing. */
	{
		struct ref_meta m;

		assert_int_equal(referral_meta(rt_db(&w->t), w->ref, &m), ERR_OK);
		assert_int_equal(m.status, REF_SENT);
	}
	print_message("walked %zu referral route x actor pairs\n",
		      (ARRAY_LEN(ref_walk) + ARRAY_LEN(api_walk)) * RA__MAX);
	assert_int_equal(mismatches, 0);
}

#undef L

int main(void)
{
	const struct CMUnitTest rules[] = { cmocka_unit_test(policy_table_rules) };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(walk_every_route, setup, teardown),
		cmocka_unit_test_setup_teardown(walk_referral_routes, ref_setup, ref_teardown),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("policy table", rules, NULL, NULL);
	failed += testdb_run_groups("route x role walk", tests, ARRAY_LEN(tests));
	return failed ? 1 : 0;
}
