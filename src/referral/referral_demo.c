/*
 * referral_demo.c - referrals for the demo town, so every demo account
 * has something to see: the link worker a caseload (with follow-ups due,
 * case notes and next contacts, one of them due today), the organiser an
 * inbox (new, to contact, overdue, and contacted and attending ones with
 * the day and way each happened), the member "my referrals", coordinators
 * and commissioners an overview.
 *
 * Every record has a fixed id (client d3c1..., referral d3e0...), so a
 * refresh deletes last time's and makes them again dated from the new
 * "now". They go through the same code as real referrals (ref_create,
 * ref_move) with quiet set: no emails, no audit entries. People and
 * their words are invented; phone numbers are in Ofcom's drama range and
 * email addresses at example.net.
 */
#include "core/common.h"
#include "core/demo.h"
#include "auth/person.h"
#include "core/log.h"
#include "core/uktime.h"
#include "core/str.h"
#include "directory/claim.h"
#include "people/people.h"
#include "referral/referral.h"
#include "referral/referral_int.h"
#include "store/store.h"

#define HOUR INT64_C(3600)
#define ORG_SERVICES 6       /* the demo organisation's walks */
#define OTHER_SERVICES 8

/* One demo referral. service: 0..5 one of the organisation's, 10..17 one
 * of another organisation's. reached: how far it got before it ended
 * (closed, withdrawn) or where it is (open). */
struct demo_ref {
	const char *name, *contact_by, *email, *phone;
	int service;
	int days_ago;
	enum ref_status reached, ended;   /* ended: REF_SENT when still open */
	const char *end_reason;
	const char *needs[3];
	const char *reason, *language, *access;
	bool contact, outcome;
};

static const struct demo_ref refs[] = {
	{ "Kwame Mensah", "phone", NULL, "07700 900101", 0, 3, REF_SENT, REF_SENT, NULL,
	  { "loneliness", "physical_activity" }, "I'd like to get out of the house and meet people.",
	  NULL, NULL, true, true },
	{ "Eileen Kowalczyk", "email", "eileen.k@example.net", NULL, 1, 1, REF_SENT, REF_SENT, NULL,
	  { "physical_activity" }, "My doctor said walking would help my knees.", "pl", NULL,
	  true, true },
	{ "Bernard Hughes", "link_worker", NULL, NULL, 2, 18, REF_SENT, REF_SENT, NULL,
	  { "loneliness", "bereavement" }, "Since my wife died I don't see anyone most days.",
	  NULL, "Walks with a stick; needs flat routes.", false, true },
	{ "Shazia Akhtar", "phone", NULL, "07700 900104", 3, 21, REF_SENT, REF_SENT, NULL,
	  { "mental_wellbeing", "physical_activity" }, NULL, "ur", NULL, true, true },
	{ "Gary Brennan", "email", "gary.brennan@example.net", NULL, 4, 6, REF_ACCEPTED, REF_SENT,
	  NULL, { "long_term_condition", "physical_activity" },
	  "I want to be more active with my diabetes.", NULL, NULL, true, true },
	{ "Lorraine Tate", "phone", NULL, "07700 900106", 5, 16, REF_ACCEPTED, REF_SENT, NULL,
	  { "loneliness" }, "I moved here last year and know nobody.", NULL, NULL, true, true },
	{ "Derek Sowerby", "post", NULL, NULL, 0, 9, REF_ACCEPTED, REF_SENT, NULL,
	  { "caring", "mental_wellbeing" }, "I care for my mum and need an hour for myself.",
	  NULL, "Hard of hearing: please write rather than phone.", false, true },
	{ "Amira Haddad", "email", "amira.haddad@example.net", NULL, 1, 12, REF_CONTACTED, REF_SENT,
	  NULL, { "physical_activity", "getting_out" }, NULL, "ar", NULL, true, true },
	{ "Colin Marsh", "phone", NULL, "07700 900109", 2, 14, REF_CONTACTED, REF_SENT, NULL,
	  { "long_term_condition" }, "Breathing is better when I keep moving.", NULL, NULL,
	  true, true },
	{ "Patricia Nolan", "email", "pat.nolan@example.net", NULL, 3, 20, REF_CONTACTED, REF_SENT,
	  NULL, { "loneliness", "getting_out" }, NULL, NULL, "Uses a wheelchair.", true, false },
	{ "Tomasz Wiśniewski", "phone", NULL, "07700 900111", 4, 25, REF_ATTENDED, REF_SENT, NULL,
	  { "physical_activity", "work" }, "Getting fit to go back to work.", "pl", NULL,
	  true, true },
	{ "Margaret Dunn", "link_worker", NULL, NULL, 5, 30, REF_ATTENDED, REF_SENT, NULL,
	  { "loneliness" }, "I'd like some company on a walk.", NULL, NULL, false, true },
	{ "Raj Patel", "email", "raj.patel@example.net", NULL, 0, 34, REF_ATTENDED, REF_SENT, NULL,
	  { "mental_wellbeing", "physical_activity" }, NULL, NULL, NULL, true, true },
	{ "Sandra Whitaker", "phone", NULL, "07700 900114", 1, 70, REF_SUSTAINED, REF_SENT, NULL,
	  { "loneliness", "mental_wellbeing" }, "I get low in winter and walking helps.", NULL, NULL,
	  true, true },
	{ "Ian Fletcher", "email", "ian.fletcher@example.net", NULL, 2, 80, REF_SUSTAINED, REF_SENT,
	  NULL, { "long_term_condition", "physical_activity" }, NULL, NULL, NULL, true, true },
	{ "Joyce Appleby", "post", NULL, NULL, 3, 95, REF_SUSTAINED, REF_CLOSED, "completed",
	  { "loneliness" }, "Lonely since retiring.", NULL, "Large print please.", false, true },
	{ "Nathan Clarke", "phone", NULL, "07700 900117", 4, 40, REF_SENT, REF_DECLINED, "full",
	  { "physical_activity" }, NULL, NULL, NULL, true, true },
	{ "Helen Osei", "email", "helen.osei@example.net", NULL, 5, 28, REF_SENT, REF_DECLINED,
	  "outside_area", { "getting_out" }, "I'd like a walking group near Brigg.", NULL, NULL,
	  true, true },
	{ "Stuart Lamb", "phone", NULL, "07700 900119", 0, 50, REF_ATTENDED, REF_CLOSED,
	  "stopped_attending", { "mental_wellbeing" }, NULL, NULL, NULL, true, true },
	{ "Fatima Begum", "link_worker", NULL, NULL, 1, 45, REF_ACCEPTED, REF_CLOSED,
	  "could_not_contact", { "loneliness", "caring" }, NULL, "bn", NULL, false, true },
	{ "Keith Rowntree", "phone", NULL, "07700 900121", 2, 8, REF_SENT, REF_WITHDRAWN, NULL,
	  { "physical_activity" }, "Changed my mind for now.", NULL, NULL, true, true },
	{ "Agnieszka Nowak", "email", "a.nowak@example.net", NULL, 3, 22, REF_CONTACTED,
	  REF_WITHDRAWN, NULL, { "work", "learning" }, NULL, "pl", NULL, true, true },
	/* Other organisations' services. */
	{ "Peter Gallagher", "phone", NULL, "07700 900123", 10, 5, REF_SENT, REF_SENT, NULL,
	  { "money" }, "Help with bills and benefits.", NULL, NULL, true, true },
	{ "Denise Holt", "email", "denise.holt@example.net", NULL, 11, 17, REF_SENT, REF_SENT, NULL,
	  { "loneliness", "relationships" }, NULL, NULL, NULL, true, true },
	{ "Marcus Reid", "phone", NULL, "07700 900125", 12, 11, REF_ACCEPTED, REF_SENT, NULL,
	  { "food", "money" }, NULL, NULL, NULL, true, true },
	{ "Olive Barraclough", "post", NULL, NULL, 13, 26, REF_CONTACTED, REF_SENT, NULL,
	  { "practical_help" }, "Help with shopping since my fall.", NULL, "Partially sighted.",
	  false, true },
	{ "Yusuf Ali", "email", "yusuf.ali@example.net", NULL, 14, 33, REF_ATTENDED, REF_SENT, NULL,
	  { "digital", "learning" }, "I want to video call my grandchildren.", NULL, NULL,
	  true, true },
	{ "Brenda Cooper", "phone", NULL, "07700 900128", 15, 60, REF_SUSTAINED, REF_SENT, NULL,
	  { "creativity", "mental_wellbeing" }, NULL, NULL, NULL, true, true },
	{ "Leon Fisher", "email", "leon.fisher@example.net", NULL, 16, 15, REF_SENT, REF_DECLINED,
	  "not_suitable", { "housing" }, NULL, NULL, NULL, true, true },
	{ "Grace Oyelaran", "phone", NULL, "07700 900130", 17, 19, REF_ACCEPTED, REF_WITHDRAWN, NULL,
	  { "caring" }, NULL, NULL, NULL, true, true },
};

static void demo_id(char out[37], const char *prefix, size_t i)
{
	snprintf(out, 37, "%s-0000-4000-8000-%012zu", prefix, i);
}

struct demo_ctx {
	struct db *db;
	int64_t now;
	struct actor lw, org, coord, member;
	char (*own)[37], (*other)[37];
	size_t nown, nother;
};

static enum err load_actor(struct db *db, struct arena *a, const char *email, struct actor *out)
{
	struct person p;
	enum err e = person_find_email(db, a, email, &p);

	memset(out, 0, sizeof(*out));
	if (e)
		return e;
	out->id = p.id;
	out->roles = p.roles;
	out->org_id = p.org_id;
	out->verified = p.verified;
	out->name = p.name;
	out->email = p.email;
	return ERR_OK;
}

/* How contact or attendance happened: the way the person asked to be
 * contacted, and in person at the walks. */
static const char *demo_how(const struct demo_ref *d, enum ref_status s)
{
	if (s != REF_CONTACTED)
		return step_method_name(STEP_IN_PERSON);
	if (strcmp(d->contact_by, "email") == 0)
		return step_method_name(STEP_EMAIL);
	if (strcmp(d->contact_by, "post") == 0)
		return step_method_name(STEP_LETTER);
	if (strcmp(d->contact_by, "link_worker") == 0)
		return step_method_name(STEP_IN_PERSON);
	return step_method_name(STEP_PHONE);
}

/* The steps from sent to where the referral got, then its end, each a
 * few days after the last; a step that would be in the future is not
 * taken. Contact and attendance say how (the day is the step's own). */
static enum err demo_moves(struct demo_ctx *c, const struct demo_ref *d, const char *id,
		int64_t t, bool own)
{
	static const enum ref_status path[] = { REF_ACCEPTED, REF_CONTACTED, REF_ATTENDED,
						REF_SUSTAINED };
	static const int gap_days[] = { 2, 3, 4, 0 };
	const struct actor *recv = own ? &c->org : &c->coord;
	unsigned rparty = own ? PARTY_RECEIVER : PARTY_STAFF;
	enum err e = ERR_OK;
	int weeks = REF_DEFAULT_SUSTAINED_WEEKS;

	/* The enum's order is the path's (declined, 2, is not on it). */
	for (size_t i = 0; i < ARRAY_LEN(path) && path[i] <= d->reached && e == ERR_OK; i++) {
		t += path[i] == REF_SUSTAINED ? (int64_t)weeks * 7 * REF_DAY + REF_DAY :
			(int64_t)gap_days[i] * REF_DAY;
		if (t >= c->now)
			return ERR_OK;
		const struct ref_step s = {
			.to = ref_status_name(path[i]),
			.note = path[i] == REF_CONTACTED ? "Got in touch; coming next week." : NULL,
			.method = ref_status_dated(path[i]) ? demo_how(d, path[i]) : NULL,
		};

		e = ref_move(NULL, c->db, recv, rparty, id, &s, t, true, NULL);
	}
	if (e || d->ended == REF_SENT)
		return e;
	t += 2 * REF_DAY;
	if (t >= c->now)
		t = c->now - HOUR;
	if (d->ended == REF_WITHDRAWN)
		return ref_move(NULL, c->db, &c->lw, PARTY_REFERRER, id, &(const struct ref_step){
				.to = "withdrawn", .reason = d->end_reason,
				.note = "The person asked to stop." }, t, true, NULL);
	return ref_move(NULL, c->db, recv, rparty, id, &(const struct ref_step){
			.to = ref_status_name(d->ended), .reason = d->end_reason }, t, true, NULL);
}

/* The link worker's case notes and next contacts: which referral (by
 * name), the note, how many days ago it was written, and the next
 * contact in days from today (-1: none; 0: due today). */
static const struct {
	const char *name, *note;
	int days_ago, next_in;
} notes[] = {
	{ "Bernard Hughes", "Rang him: he has not heard from the walking group yet. Said I "
	  "would chase them and ring him back.", 1, 0 },
	{ "Kwame Mensah", "Talked about which walk suits him; he would like a short one to start.",
	  2, 7 },
	{ "Amira Haddad", "Her daughter will go with her to the first walk.", 5, 14 },
	{ "Margaret Dunn", "Went along for the first time and enjoyed it. Check in after a few "
	  "weeks.", 20, 10 },
};

static enum err demo_notes(struct demo_ctx *c, size_t i, const char *id)
{
	int64_t today = uk_local_day(c->now);
	enum err e = ERR_OK;

	for (size_t k = 0; k < ARRAY_LEN(notes) && e == ERR_OK; k++) {
		char on[11];
		int y, m, d;

		if (strcmp(notes[k].name, refs[i].name) != 0)
			continue;
		e = ref_db_note_add(c->db, id, c->now - (int64_t)notes[k].days_ago * REF_DAY - 2 * HOUR,
				    c->lw.id, notes[k].note);
		if (e || notes[k].next_in < 0)
			continue;
		uk_date(today + notes[k].next_in, &y, &m, &d);
		snprintf(on, sizeof(on), "%04d-%02d-%02d", y, m, d);
		e = ref_db_set_next_contact(c->db, id, on, c->now);
	}
	return e;
}

/* Our own data failing a check is a bug to hear about; a referral that
 * is already open (someone really referred the member there) is not. */
static enum err demo_outcome(enum err e, const json_t *errors, size_t i)
{
	if (e == ERR_CONFLICT)
		return ERR_OK;
	if (e == ERR_INVALID) {
		log_error("referral demo %zu refused: %s", i, json_string_value(json_object_get(
			  json_array_get(errors, 0), "field")));
		return ERR_INTERNAL;
	}
	return e;
}

/* Invented addresses in the town, for those who asked for letters. */
static const char *const addresses[] = {
	"14 Ashby Road\nScunthorpe\nDN16 2AB",
	"3 Frodingham Road\nScunthorpe\nDN15 7JU",
	"27 Old Brumby Street\nScunthorpe\nDN16 2AH",
};

static enum err demo_one(struct demo_ctx *c, size_t i)
{
	const struct demo_ref *d = &refs[i];
	bool own = d->service < 10;
	size_t si = (size_t)(own ? d->service : d->service - 10);
	const char *svc = own ? (si < c->nown ? c->own[si] : NULL) :
			  (si < c->nother ? c->other[si] : NULL);
	char id[37], client[37];
	size_t nneeds = 0;
	int64_t t;
	json_t *errors;
	enum err e;

	if (!svc)
		return ERR_OK;
	while (nneeds < 3 && d->needs[nneeds])
		nneeds++;
	demo_id(id, "d3e00000", i);
	demo_id(client, "d3c10000", i);
	struct ref_new n = {
		.person = { .name = d->name, .email = d->email, .phone = d->phone,
			    .contact_by = d->contact_by, .language = d->language,
			    .access_needs = d->access,
			    .address = strcmp(d->contact_by, "post") == 0 ?
				       addresses[i % ARRAY_LEN(addresses)] : NULL },
		.consent_share = true, .consent_contact = d->contact, .consent_outcome = d->outcome,
		.consent_method = i % 3 ? "verbal" : "written",
		.target_type = "service", .target_id = svc, .reason = d->reason,
		.needs = (const char **)d->needs, .nneeds = nneeds,
	};
	struct ref_create_opts o = { .id = id, .client_id = client, .quiet = true };
	char out[37];

	/* Sent in the morning, d->days_ago days back. */
	t = c->now - (int64_t)d->days_ago * REF_DAY - 3 * HOUR;
	if (!(errors = json_array()))
		return ERR_NOMEM;
	e = ref_create(NULL, c->db, &c->lw, &n, t, &o, out, errors);
	e = demo_outcome(e, errors, i);
	json_decref(errors);
	if (e == ERR_OK)
		e = demo_moves(c, d, id, t, own);
	if (e == ERR_OK && out[0])
		e = demo_notes(c, i, id);
	return e;
}

/* The demo member's own request to join the first walk. */
static enum err demo_member(struct demo_ctx *c)
{
	const char *needs[] = { "loneliness", "physical_activity" };
	char id[37], client[37], out[37];
	struct ref_create_opts o = { .id = id, .client_id = client, .quiet = true };
	struct ref_new n = {
		.person = { .name = c->member.name, .email = c->member.email, .contact_by = "email" },
		.consent_share = true, .consent_contact = true, .consent_outcome = false,
		.target_type = "service", .target_id = c->own[0],
		.reason = "I would like to join a friendly walk once a week.",
		.needs = needs, .nneeds = ARRAY_LEN(needs), .source = "self",
	};
	json_t *errors;
	int64_t t = c->now - 4 * REF_DAY;
	enum err e;

	demo_id(id, "d3e00000", ARRAY_LEN(refs));
	demo_id(client, "d3c10000", ARRAY_LEN(refs));
	if (!(errors = json_array()))
		return ERR_NOMEM;
	e = ref_create(NULL, c->db, &c->member, &n, t, &o, out, errors);
	e = demo_outcome(e, errors, ARRAY_LEN(refs));
	json_decref(errors);
	if (e == ERR_OK)
		e = ref_move(NULL, c->db, &c->org, PARTY_RECEIVER, id,
			     &(const struct ref_step){ .to = "accepted" }, t + REF_DAY, true, NULL);
	return e;
}

/* Nobody from the other organisations is on kith, and their referrals
 * were made quietly: put them on the coordinators' list to bring on with
 * the referrals still waiting (directory/claim.h), emailing nobody. */
static enum err demo_bring_on(struct demo_ctx *c)
{
	struct seen { char org[37]; int64_t n, first, last; } seen[OTHER_SERVICES];
	size_t nseen = 0, k;
	struct ref_meta m;
	char id[37];
	enum err e = ERR_OK;

	for (size_t i = 0; i < ARRAY_LEN(refs) && e == ERR_OK; i++) {
		demo_id(id, "d3e00000", i);
		if (refs[i].service < 10 || referral_meta(c->db, id, &m) != ERR_OK ||
		    !ref_status_open(m.status) || !m.target_org_id[0])
			continue;
		for (k = 0; k < nseen && strcmp(seen[k].org, m.target_org_id) != 0; k++)
			;
		if (k == nseen) {
			if (nseen == ARRAY_LEN(seen))
				continue;
			seen[nseen] = (struct seen){ .first = m.sent_at, .last = m.sent_at };
			str_copy(seen[nseen++].org, sizeof(seen[k].org), m.target_org_id);
		}
		seen[k].n++;
		seen[k].first = m.sent_at < seen[k].first ? m.sent_at : seen[k].first;
		seen[k].last = m.sent_at > seen[k].last ? m.sent_at : seen[k].last;
	}
	for (k = 0; k < nseen && e == ERR_OK; k++)
		e = claim_demo_note(c->db, seen[k].org, seen[k].n, seen[k].first, seen[k].last);
	return e;
}

/* Last time's records: the clients (their consents, referrals and events
 * go with them), and the referrals in case one was attached to a client
 * that is not the demo's. */
static enum err demo_clear(struct db *db)
{
	static const struct sql q_del = { "ref.demo_delete", "DELETE FROM referral WHERE id = $1", NULL };
	char id[37];
	enum err e = ERR_OK;

	for (size_t i = 0; i <= ARRAY_LEN(refs) && e == ERR_OK; i++) {
		demo_id(id, "d3e00000", i);
		e = db_exec(db, &q_del, DB_ARGS(DB_TEXT(id)), NULL);
		demo_id(id, "d3c10000", i);
		if (e == ERR_OK)
			e = ref_db_client_delete(db, id);
	}
	return e;
}

enum err referral_demo(struct db *db, const struct demo_opts *opts)
{
	struct demo_ctx c = { .db = db, .now = opts->now };
	struct arena a;
	enum err e;

	arena_init(&a);
	if ((e = demo_clear(db)) != ERR_OK)
		goto out;
	if (load_actor(db, &a, "linkworker@demo.kith.test", &c.lw) ||
	    load_actor(db, &a, "organiser@demo.kith.test", &c.org) ||
	    load_actor(db, &a, "coordinator@demo.kith.test", &c.coord) ||
	    load_actor(db, &a, "member@demo.kith.test", &c.member))
		goto out;          /* no demo accounts: nothing to refer with */
	if ((e = ref_db_org_services(db, &a, PEOPLE_DEMO_ORG, ORG_SERVICES, &c.own, &c.nown)) ||
	    (e = ref_db_other_services(db, &a, PEOPLE_DEMO_ORG, OTHER_SERVICES, &c.other, &c.nother)))
		goto out;
	if (c.nown == 0)
		goto out;
	for (size_t i = 0; i < ARRAY_LEN(refs) && e == ERR_OK; i++)
		e = demo_one(&c, i);
	if (e == ERR_OK)
		e = demo_member(&c);
	if (e == ERR_OK)
		e = demo_bring_on(&c);
	if (e == ERR_OK && opts->out)
		fprintf(opts->out, "Referrals: %zu in the demo town (sign in as the link worker, the "
			"organiser or the member to see them).\n", ARRAY_LEN(refs) + 1);
out:
	arena_release(&a);
	return e;
}
