/*
 * referral.h - social prescribing referrals: the closed loop from a link
 * worker, a GP practice, an organiser or the person themself to
 * "attended", with consent per purpose and least privilege.
 *
 * Records (migrations/0006_referrals.sql):
 *   client          the person referred (they may have no account); becomes
 *                   theirs when they verify the same email (referral_claim)
 *   consent         per purpose, with method, who recorded it and when;
 *                   withdrawable (stops the sharing it covered)
 *   referral        who, to what (a typed target), why, where it has got to
 *   referral_event  every step: who, when, from what to what, reason, note
 *
 * The lifecycle (referral_can_move() is the one place it is decided):
 *
 *   sent ──> accepted ──> contacted ──> attended ──> sustained ──> closed
 *     └────> declined        │              │             (after
 *                            └──> closed <──┘          referral_sustained_weeks)
 *   withdrawn: from any open status (sent, accepted, contacted, attended,
 *   sustained), by the person or the referrer (or a coordinator).
 *   closed: from accepted, contacted, attended or sustained, with a reason.
 *   declined and closed need a reason code from their lists.
 *
 * Who may take which step ("parties"):
 *   receiver   an organiser of the receiving organisation: accept, decline,
 *              contacted, attended, sustained, close
 *   referrer   the person who made the referral: withdraw, close
 *   person     the referred person (their account): withdraw
 *   staff      coordinators and admins: every step
 * A step the party may not take is ERR_FORBIDDEN; a step that makes no sense
 * from the current status (attended before accepted) is ERR_CONFLICT with a
 * sentence saying why ("This referral has not been accepted yet, so ...").
 *
 * Least privilege: what each party sees of the person is decided here
 * (referral_view), never in templates. The receiving organisation sees only
 * what it needs to make contact (name, how to contact, accessibility needs,
 * language, needs and the person's words) and only while consent to share
 * stands; never date of birth or NHS number. Commissioners see counts only.
 *
 * Every read of a referral or client record by anyone but the person is
 * audited ("referral.read", subject = the person's account if they have
 * one, detail "referral=<uuid>"); referral_readers() lists them for the
 * person. Emails never carry health detail, needs or reasons: "There is an
 * update about a referral on kith" and a link.
 */
#ifndef KITH_REFERRAL_H
#define KITH_REFERRAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct feature;
struct demo_opts;
#include "auth/policy.h"
#include "core/nhs.h"
#include "core/arena.h"
#include "core/err.h"

struct db;
struct event_bus;
struct links;
struct mailer;
struct referral_settings;

/* What the rules need of the running app, and nothing more: the edges
 * (referral_feature.h: ref_env() for a request, REFERRAL_ENV() for a job
 * or a test) fill one from it. The functions below that take one answer
 * ERR_NOMEM for a NULL env (ref_env() ran out of memory); any member may
 * be NULL (tests of the rules alone): the default settings, no emails,
 * no subscribers, links "/". */
struct referral_env {
	const struct referral_settings *settings;  /* follow-up days, sustained weeks */
	const struct mailer *mailer;               /* the emails steps owe */
	const struct event_bus *events;            /* EV_REFERRAL_MOVED */
	const struct links *links;                 /* pages by route name: the target's page,
	                                              and absolute links in emails */
	int claim_days;                            /* org_claim_days: a claim link sent when a
	                                              referral finds nobody works this long
	                                              (0: the default) */
};

/* ---- vocabularies (referral_vocab.c) ---- */

enum ref_status {
	REF_SENT, REF_ACCEPTED, REF_DECLINED, REF_CONTACTED, REF_ATTENDED,
	REF_SUSTAINED, REF_CLOSED, REF_WITHDRAWN, REF__MAX
};
const char *ref_status_name(enum ref_status s);     /* "sent", ... (as stored and in the API) */
const char *ref_status_words(enum ref_status s);    /* "Sent", "Accepted", ... (pages) */
bool ref_status_parse(const char *name, enum ref_status *out);
bool ref_status_open(enum ref_status s);            /* sent, accepted, contacted, attended, sustained */

enum ref_source {
	REF_SRC_LINK_WORKER, REF_SRC_GP_PRACTICE, REF_SRC_ORGANISER, REF_SRC_SELF,
	REF_SRC_EXTERNAL, REF_SRC__MAX
};
const char *ref_source_name(enum ref_source s);     /* "link_worker", "gp_practice", ... */
const char *ref_source_words(enum ref_source s);    /* "Link worker", "GP practice", ... */
bool ref_source_parse(const char *name, enum ref_source *out);

/* What a referral is to. Only services exist today; the others are typed
 * so later features (groups, peer support, help requests) add a resolver
 * in referral.c's target table and nothing else changes. */
enum ref_target { REF_TARGET_SERVICE, REF_TARGET_GROUP, REF_TARGET_PEER, REF_TARGET_HELP, REF_TARGET__MAX };
const char *ref_target_name(enum ref_target t);     /* "service", "group", "peer", "help_request" */
bool ref_target_parse(const char *name, enum ref_target *out);

enum contact_by { CONTACT_EMAIL, CONTACT_PHONE, CONTACT_POST, CONTACT_LINK_WORKER, CONTACT__MAX };
const char *contact_by_name(enum contact_by c);     /* "email", "phone", "post", "link_worker" */
const char *contact_by_words(enum contact_by c);    /* "By email", ..., "Through their link worker" */
bool contact_by_parse(const char *name, enum contact_by *out);

enum consent_purpose { CONSENT_SHARE, CONSENT_CONTACT, CONSENT_OUTCOME, CONSENT__MAX };
const char *consent_purpose_name(enum consent_purpose p);  /* "share", "contact", "outcome" */
/* "Share my details with the organisation I am referred to", "Contact me by
 * email or text message about this referral", "Tell the person who referred
 * me how it went". */
const char *consent_purpose_words(enum consent_purpose p);
bool consent_purpose_parse(const char *name, enum consent_purpose *out);

enum consent_method { CONSENT_VERBAL, CONSENT_WRITTEN, CONSENT_ONLINE, CONSENT_METHOD__MAX };
const char *consent_method_name(enum consent_method m);    /* "verbal", "written", "online" */
bool consent_method_parse(const char *name, enum consent_method *out);

/* How contact or attendance happened (the contacted, attended and
 * sustained steps): "phone", "in_person", "email", "text", "letter",
 * "online"; words for pages "By phone", "In person", ... */
enum step_method { STEP_PHONE, STEP_IN_PERSON, STEP_EMAIL, STEP_TEXT, STEP_LETTER, STEP_ONLINE,
	STEP_METHOD__MAX };
const char *step_method_name(enum step_method m);
const char *step_method_words(enum step_method m);
bool step_method_parse(const char *name, enum step_method *out);
/* The steps that record when and how they happened: contacted, attended, sustained. */
bool ref_status_dated(enum ref_status s);

/* Coded lists. code is stable (forms, API, CSV), name is what people read;
 * snomed is a SNOMED CT code where one fits (FHIR reasonCode), else NULL. */
struct ref_code {
	const char *code;
	const char *name;
	const char *snomed;
};
/* What matters to me: needs and concerns aligned with NHS England's social
 * prescribing information standard. One bit each (index) in referral.needs. */
extern const struct ref_code ref_needs[];
extern const size_t ref_needs_n;
/* Why a referral was declined ("full", "not_suitable", "outside_area",
 * "person_declined", "other") and closed ("completed", "stopped_attending",
 * "could_not_contact", "person_declined", "moved_away", "service_ended",
 * "other"). */
extern const struct ref_code ref_decline_reasons[];
extern const size_t ref_decline_reasons_n;
extern const struct ref_code ref_close_reasons[];
extern const size_t ref_close_reasons_n;
/* Index of code in table, or -1. */
int ref_code_find(const struct ref_code *table, size_t n, const char *code);


/* ---- making a referral ---- */

/* The person as typed (all strings borrowed; NULL or "" when not given). */
struct ref_person {
	const char *name;
	const char *email;
	const char *phone;
	const char *address;
	const char *contact_by;       /* contact_by_name(); required */
	const char *access_needs;
	const char *language;         /* ISO 639-1 code from vocab_languages, or "" */
	const char *birth_date;       /* YYYY-MM-DD, in the past */
	const char *nhs_number;
};

struct ref_new {
	struct ref_person person;
	const char *client_id;        /* refer someone already on my caseload instead of person */
	/* Consent as recorded now. share is required (422 "The person must
	 * agree to share their details with ..."); method is required with it. */
	bool consent_share, consent_contact, consent_outcome;
	const char *consent_method;   /* consent_method_name() */
	const char *target_type;      /* ref_target_name() */
	const char *target_id;
	const char *reason;           /* the person's own words; up to 2000 characters */
	const char **needs;           /* ref_needs codes */
	size_t nneeds;
	const char *source;           /* ref_source_name(); NULL: derived from the actor
	                                 (link_worker, organiser, self; staff: link_worker) */
	const char *external_id;      /* the sending system's id (FHIR identifier), or NULL */
	bool turn_up;                 /* the target is a service people can just turn up to:
	                                 needs and reason may both be left out. referral_create
	                                 sets it from the directory, whatever the caller said */
};

/* Field names in errors are the API's paths, and forms use them as input
 * names: "person.name", "person.email", "person.phone", "person.address",
 * "person.contact_by", "person.access_needs", "person.language",
 * "person.birth_date", "person.nhs_number", "client_id", "consent.share",
 * "consent.method", "target.type", "target.id", "reason", "needs", "source".
 * Each error is {"field": ..., "detail": "what to fix"}.
 *
 * Rules: a name; contact_by email needs an email, phone needs a phone,
 * post needs an address; lengths bounded; consent to share given with a
 * method; a target that exists and is published; needs from the list; at
 * least one need or some words in reason (unless turn_up). Self-referrals (by is a visitor
 * or is referring themself) have method "online" whatever was given. */

/* Validates n without touching the database (target existence is checked
 * by referral_create). Appends to errors; true when none were added. */
bool referral_check(const struct ref_new *n, int64_t now, json_t *errors);

/* Makes the referral in the caller's write transaction: validate, resolve
 * the target (name, receiving organisation, categories), create or reuse
 * the client record, record the consents, insert the referral (status
 * sent) and its first event, audit "referral.created", and email the
 * receiving organisation's organisers (or the organisation's own address
 * when its organisers have no confirmed address). An organisation with
 * nobody on kith goes on the coordinators' list to bring on instead, and
 * its address gets a link to claim it (directory/claim.h).
 *
 * by is the actor making it: a referrer (&act_refer) or anyone referring
 * themself (a visitor has by->id 0; a signed-in member's client record is
 * linked to their account).
 *
 * ERR_INVALID with errors filled; ERR_CONFLICT when the person already has
 * an open referral to that target (errors gets one entry, field "target.id",
 * whose detail says so in words); ERR_NOT_FOUND for a client_id the actor
 * may not use. On success writes the new referral's id to id_out. */
enum err referral_create(const struct referral_env *env, struct db *db, const struct actor *by,
		const struct ref_new *n, int64_t now, char id_out[37], json_t *errors);

/* ---- reading ---- */

/* Facts for permission checks, without personal data. */
struct ref_meta {
	char id[37];
	char client_id[37];
	enum ref_status status;
	enum ref_source source;
	enum ref_target target_type;
	char target_id[37];
	char target_org_id[37];       /* "" when none */
	int64_t person_account;       /* the client's account, 0 if none */
	int64_t referrer_id;          /* 0 for a visitor's self-referral */
	int64_t sent_at, updated_at;
};
/* ERR_NOT_FOUND when there is no such referral. */
enum err referral_meta(struct db *db, const char *id, struct ref_meta *out);

/* Loads m and checks action (&act_referral_view or &act_referral_update) for
 * actor. ERR_NOT_FOUND both when there is none and when the actor may not
 * see it (never a hint that it exists). */
enum err referral_load(struct db *db, const struct actor *actor, const struct action *action,
		const char *id, struct ref_meta *out);

/* The referral as this actor may see it (a new reference), for pages and
 * the API alike. Keys ("?" = absent when there is nothing, or when this
 * actor may not see it):
 *   id, status, status_words, source, source_words, sent_at (ISO 8601),
 *   updated_at, target {type, id, name, url? (the service's page; not in the export),
 *     org_id?, org_name?},
 *   referrer? {id, name},
 *   person {id, name?, email?, phone?, address?, contact_by?, contact_by_words?,
 *           access_needs?, language?, language_name?, birth_date?, nhs_number?,
 *           has_account},
 *   shared (bool: consent to share stands; when false the receiver sees
 *           only id, status and target, and person has no details),
 *   reason?, needs [{code, name}],
 *   consent [{purpose, purpose_words, given (bool), method?, given_at?,
 *             withdrawn_at?, recorded_by?}],
 *   events [{at, at_words, actor?, from?, to, to_words, reason?, reason_words?, note?,
 *            happened_on?, happened_words? ("3 December 2026"), method?, method_words?}],
 *   notes? [{at, at_words, author?, text}] and next_contact_on?, next_contact_words?,
 *           contact_due (case notes and the next-contact date: the referrer and
 *           coordinators only, never the receiving organisation; the person has
 *           them in "download my data", not on their page: docs/THREATS.md),
 *   measures {days_to_accept?, days_to_contact?, days_to_attend?} (UK calendar days
 *           from the day it was sent to the day each step happened),
 *   moves [{to, words, needs_reason (bool), reasons? [{code, name}]}]  (the steps
 *           this actor may take now; empty when none),
 *   follow_up_due (bool), end_reason?, end_reason_words?
 * Also audits the read ("referral.read") when the actor is not the person.
 * Runs in the caller's transaction (routes set RF_WRITE_TX). */
enum err referral_view(const struct referral_env *env, struct db *db, const struct actor *actor,
		const struct ref_meta *m, int64_t now, json_t **out);
/* The same, recording the reader's address and request id in the audit
 * entry (either may be NULL): for handlers, which have them. */
enum err referral_view_from(const struct referral_env *env, struct db *db, const struct actor *actor,
		const struct ref_meta *m, int64_t now, const char *ip, const char *request_id,
		json_t **out);

/* Lists. Each item: {id, status, status_words, sent_at, sent_words, target {type, id, name},
 * person_name? (when the viewer may see it), follow_up_due, overdue, days_open,
 * next_contact_on?, next_contact_words?, contact_due (bool) (the next-contact date: only
 * for the referrer and coordinators)}.
 * limit 1..500. total is the count before limit/offset. */
enum ref_list_kind {
	REF_LIST_MINE,        /* referrals about the actor (their claimed client records) */
	REF_LIST_CASELOAD,    /* referrals the actor made */
	REF_LIST_INBOX,       /* referrals to org_id (the actor's organisation; staff: any org
	                         given, or all when NULL) */
	REF_LIST_ALL,         /* everything (coordinators, admins) */
	REF_LIST_VISIBLE,     /* everything this actor may see: the API's GET /referrals */
};
struct ref_list_opts {
	enum ref_list_kind kind;
	const char *org_id;
	int status;           /* enum ref_status, or -1 for any */
	bool follow_up_only;  /* sent or accepted and not contacted for referral_follow_up_days */
	bool open_only;       /* sent, accepted, contacted, attended or sustained */
	bool contact_due_only; /* open, with a next-contact date today or earlier (their
	                         referrer's and coordinators' lists), soonest first */
	const char *search;   /* words in the person's name or the service's name (NULL or
	                         "": any); a name is searched only where this actor may see it */
	int limit, offset;
};
enum err referral_list(const struct referral_env *env, struct db *db, const struct actor *actor,
		const struct ref_list_opts *o, int64_t now, json_t **items, int64_t *total);

/* The people actor may refer again without typing them in (the same rule
 * as ref_new.client_id: records they created or referred before), by
 * name, at most 500: [{value: client id, label: name, selected: value ==
 * chosen}]. */
enum err referral_clients(struct db *db, const struct actor *actor, const char *chosen,
		json_t **out);

/* "Who has looked at this referral": [{at, at_words, actor_name, role?}] from
 * the audit log, newest first, for the person's own page. */
enum err referral_readers(struct db *db, const char *id, json_t **out);

/* ---- moving it on ---- */

enum ref_party { PARTY_NONE = 0, PARTY_RECEIVER = 1, PARTY_REFERRER = 2,
	PARTY_PERSON = 4, PARTY_STAFF = 8,
	/* Within staff, a coordinator: admins run the system and see the
	 * referral, but not the person's date of birth or NHS number. */
	PARTY_COORDINATOR = 16 };
/* The parties actor is to this referral (a bitmask). */
unsigned referral_parties(const struct actor *actor, const struct ref_meta *m);

/* May parties move a referral from `from` to `to` now? ERR_OK, or
 * ERR_FORBIDDEN (not theirs to take) or ERR_CONFLICT (makes no sense from
 * here), with a sentence in why. Sustained also needs attended_at +
 * referral_sustained_weeks to have passed (ERR_CONFLICT naming the date). */
enum err referral_can_move(unsigned parties, enum ref_status from, enum ref_status to,
		int64_t attended_at, int sustained_weeks, int64_t now, char *why, size_t whylen);

/* Takes the step in the caller's write transaction: checks
 * referral_can_move, a reason code (declined, closed) from its list, a
 * note up to 2000 characters; updates the referral (timestamps, open_key
 * cleared when it ends), appends the event, audits "referral.status"
 * (detail "referral=<uuid> to=<status>"), and sends the emails this step
 * owes (the person on accepted, declined, contacted when they consented
 * to contact; the referrer on declined, attended, sustained when the
 * person consented to share the outcome). ERR_INVALID with errors
 * (fields "status", "reason", "note"), ERR_FORBIDDEN, ERR_CONFLICT with
 * the sentence in errors' one entry (field "status"). */
enum err referral_move(const struct referral_env *env, struct db *db, const struct actor *actor,
		const struct ref_meta *m, const char *to, const char *reason, const char *note,
		int64_t now, json_t *errors);

/* A step with when and how it happened. For the dated steps
 * (ref_status_dated: contacted, attended, sustained) happened_on is the
 * UK day it happened (YYYY-MM-DD; NULL: today), not in the future and
 * not before the day the referral was sent (nor, for attended and
 * sustained, before the step it follows happened); method is
 * step_method_name() or NULL for not said. The referral's contacted_at,
 * attended_at or sustained_at becomes that day (the time of the click
 * when it is today), so the figures count from it; "still attending"
 * counts its weeks from the day they first attended. Other steps take
 * neither (an error, fields "happened_on" and "method"). */
struct ref_step {
	const char *to, *reason, *note;
	const char *happened_on, *method;
};
enum err referral_step(const struct referral_env *env, struct db *db, const struct actor *actor,
		const struct ref_meta *m, const struct ref_step *s, int64_t now, json_t *errors);

/* ---- case notes and the next contact ---- */

/* The referrer's and coordinators' working record of a referral: a note
 * (up to 2000 characters; NULL or "": none) and the day they next mean
 * to contact the person (next_contact_on: NULL unchanged, "" cleared,
 * YYYY-MM-DD set: today or later, within two years, while the referral
 * is open). At least one of them. Audited as writes ("referral.note",
 * "referral.next_contact"). ERR_FORBIDDEN for anyone but the referrer
 * or a coordinator; ERR_INVALID with errors (fields "note",
 * "next_contact_on"). */
enum err referral_casework(struct db *db, const struct actor *actor, const struct ref_meta *m,
		const char *note, const char *next_contact_on, int64_t now, json_t *errors);
/* May actor keep notes on this referral (the referrer, coordinators)? */
bool referral_may_casework(const struct actor *actor, const struct ref_meta *m);

/* Published services whose name or organisation's name holds words, by
 * name, at most max (1..100): [{id, name, org_name?}] (the referral
 * form's service chooser). */
enum err referral_find_services(struct db *db, const char *words, int max, json_t **out);

/* Records consent given again, or withdraws it, for the referral's client.
 * Withdrawing "share" ends the receiver's view of the person's details at
 * once and withdraws the client's open referrals (event note "Consent to
 * share withdrawn"); withdrawing "contact" stops emails to the person;
 * "outcome" stops the referrer's outcome emails and their view of steps
 * after accepted. Who: the person, the referrer, staff (ERR_FORBIDDEN
 * otherwise). ERR_INVALID for an unknown purpose or method. Audited
 * ("consent.given", "consent.withdrawn"). */
enum err referral_consent(struct db *db, const struct actor *actor,
		const struct ref_meta *m, const char *purpose, bool give, const char *method,
		int64_t now, json_t *errors);

/* ---- the person's account ---- */

/* Links client records whose email matches the actor's verified email and
 * that have no account yet to the actor's account (called when the
 * address is confirmed, and again when "my referrals" is opened). Audits
 * "client.claimed". *claimed (may be NULL) counts them. */
enum err referral_claim(struct db *db, const struct actor *actor, int64_t now, int *claimed);
/* On EV_EMAIL_VERIFIED: referral_claim for person_id, whose
 * address email has just been confirmed. */
enum err referral_email_verified(struct db *db, int64_t person_id, const char *email, int64_t now);

/* ---- background work ---- */

/* The follow-up job: referrals sent referral_follow_up_days ago or more
 * and not yet contacted (sent or accepted), whose referrer has not been
 * reminded: email the referrer once ("A referral needs following up") and
 * set follow_up_sent_at. */
enum err referral_follow_up_run(const struct referral_env *env, struct db *db, int64_t now);

/* ---- reports ---- */

/* The coordinator's overview (no personal data):
 *   {total, by_status [{code, words, count}], by_source [...], by_category
 *    [{code, words, count}] (the target's directory categories, vocab.h),
 *    attended_share and sustained_share (0..1: of the referrals sent in the
 *    period, those that reached attended, and sustained, at any time),
 *    attended_percent, sustained_percent (whole numbers for pages),
 *    median_days_to_accept?, median_days_to_contact?, median_days_to_attend?}
 * since/until (0: unbounded) filter on sent_at. */
enum err referral_overview(struct db *db, int64_t since, int64_t until, json_t **out);
/* CSV, one row per referral, no names or contact details: id, sent_at,
 * source, target_type, target_name, category, status, days_to_accept,
 * days_to_contact, days_to_attend, end_reason, then the codes in words:
 * source_words, status_words, end_reason_words. RFC 4180 quoting; cells
 * that start with = + - @ are prefixed with ' (no formula injection). */
enum err referral_csv(struct db *db, int64_t since, int64_t until, struct arena *a,
		const char **csv, size_t *len);

/* Counts from 1 to REF_SMALL - 1 could point at a person: for those who
 * may not see rows (commissioners) the overview says "fewer than 5"
 * instead, and hides the shares and medians of fewer than REF_SMALL
 * referrals. Every count has count_text (and total, total_text) for
 * pages either way. */
#define REF_SMALL 5
void referral_overview_suppress(json_t *ov);
/* The overview as a spreadsheet of counts: dimension, code, label,
 * referrals (as the page shows them, so suppressed when ov is). */
enum err referral_summary_csv(const json_t *ov, struct arena *a, const char **csv, size_t *len);

/* ---- privacy ---- */

/* "Download my data": {"referrals": [...]} about the person's claimed
 * records, with consents and events. */
enum err referral_export_person(struct db *db, int64_t person_id, int64_t now, json_t *out);
/* Erasure: the person's client records are emptied (name "Erased", every
 * detail NULL, erased_at set), their open referrals withdrawn; events keep
 * only statuses and times. Referrals they made keep referrer_id NULL
 * (ON DELETE SET NULL does it when the account row goes; erasure keeps the
 * row, so set it here). */
enum err referral_erase_person(struct db *db, int64_t person_id, int64_t now);

/* ---- demo data (referral_demo.c) ---- */

/* kith demo: about 30 referrals in the demo town, made by the demo link
 * worker (and one self-referral by the demo member) to published
 * services, most of them the demo organisation's so the demo organiser
 * has an inbox, in every status, with their events and consents. No
 * emails and no audit entries. Idempotent: a refresh replaces them (fixed
 * ids), dated relative to opts->now. Does nothing when the demo accounts
 * or services are missing. Runs in the caller's transaction. */
enum err referral_demo(struct db *db, const struct demo_opts *opts);

extern const struct feature referral_feature;     /* pages (referral_web.c) */
extern const struct feature referral_api_feature; /* /api/v1/referrals, /fhir (referral_api.c, fhir.c) */

/* Policy: the referral kind (res: const struct ref_meta *) relates the
 * person it is about (REL_SELF, through their account), who made it
 * (REL_REFERRER) and the receiving organisation's organisers (REL_ORG). */
extern const struct resource_kind referral_kind;
extern const struct action act_refer;           /* refer someone else; my caseload */
extern const struct action act_referral_view;   /* read one referral and its person record */
extern const struct action act_referral_update; /* move it on, record consent (which steps:
                                                   referral_can_move) */
extern const struct action act_referral_inbox;  /* the referrals sent to an organisation */
extern const struct action act_referral_report; /* counts, shares, medians, CSV: no personal data */
extern const struct action act_referral_rows;    /* the CSV of one row a referral: coordinators */

/* Every action above, NULL-terminated, for the referral features' lists. */
extern const struct action *const referral_actions[];

/* The referral feature's settings (kith.conf keys of the same names). */
struct referral_settings {
	int self_referral_limit_ip;     /* self-referrals per client address an hour */
	int self_referral_limit_account; /* self-referrals per account an hour */
	int referral_follow_up_days;    /* sent and not contacted this long: the referrer follows up */
	int referral_sustained_weeks;   /* attending this long after first attending: sustained */
};
struct settings;
extern const struct settings referral_settings;

/* A self-referral emails an organisation: a connection (ip) and an account
 * (0 for a visitor) may each make only so many an hour, on every path
 * (the form, the JSON API), across every kith process. Checks both, then
 * counts this attempt against both in a transaction of its own, before
 * the referral is tried: an attempt counts whether or not it makes a
 * referral, so a refused one is never a free question. ERR_RATE_LIMITED
 * (nothing counted) with *retry seconds. */
enum err referral_self_attempt(struct db *db, const struct referral_settings *s, const char *ip,
		int64_t account, int64_t now, int *retry);

#endif
