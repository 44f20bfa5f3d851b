/*
 * referral_int.h - what referral.c, referral_demo.c and referral_db.c
 * share and nobody else sees: the rows as C structs, and the functions
 * that read and write them (all SQL is in referral_db.c).
 *
 * Strings in these structs live in the arena the caller passed; NULL
 * stands for SQL NULL. Every function returns an enum err from the store
 * (ERR_NOT_FOUND where a single row was wanted and there is none).
 */
#ifndef KITH_REFERRAL_INT_H
#define KITH_REFERRAL_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/event.h"
#include "referral/referral.h"

struct db;

#define REF_DAY INT64_C(86400)
#define REF_NAME_MAX 100          /* characters */
#define REF_ADDRESS_MAX 500       /* characters */
#define REF_ACCESS_MAX 1000       /* characters */
#define REF_REASON_MAX 2000       /* characters: reason and notes */
#define REF_EXTERNAL_ID_MAX 200   /* bytes */
#define REF_DEFAULT_FOLLOW_UP_DAYS 14
#define REF_DEFAULT_SUSTAINED_WEEKS 6

/* One referral with what pages show beside its facts. */
struct ref_row {
	struct ref_meta m;
	const char *target_name, *org_name, *referrer_name;
	const char *reason, *end_reason, *external_id;
	uint64_t needs, category;
	int64_t accepted_at, contacted_at, attended_at, sustained_at, ended_at;
	int64_t follow_up_sent_at;
	const char *next_contact_on;  /* YYYY-MM-DD, or NULL */
};

/* The person referred. */
struct ref_client {
	char id[37];
	int64_t account_id, created_by, created_at, erased_at;
	const char *name, *email, *phone, *address, *contact_by;
	const char *access_needs, *language, *birth_date, *nhs_number;
};

/* A new referral row. */
struct ref_ins {
	const char *id, *client_id;
	enum ref_source source;
	int64_t referrer_id;          /* 0: NULL */
	enum ref_target target_type;
	const char *target_id, *target_name, *target_org_id;   /* org "" or NULL: none */
	uint64_t category, needs;
	const char *open_key, *reason, *external_id;
	const char *folded_into;      /* NULL, or the open referral this one joins (open_key NULL) */
	int64_t now;
};

/* The newest consent row of a purpose. */
struct ref_consent {
	bool any;                     /* a row exists */
	bool given;                   /* it stands (not withdrawn) */
	const char *method, *recorded_by;
	int64_t given_at, withdrawn_at;
};

struct ref_event {
	int64_t at, actor_id;
	const char *actor_name, *from, *to, *reason, *note;
	const char *happened_on, *method;   /* dated steps: YYYY-MM-DD and a step_method name */
};

/* A case note. */
struct ref_note {
	int64_t at;
	const char *author_name, *body;
};

/* Someone to email: a person (id > 0) or an organisation's address (0). */
struct ref_rcpt {
	int64_t person_id;
	const char *email;
	const char *name;             /* their own name, for "Hello ..."; NULL: none */
};

/* A list item before it becomes JSON. */
struct ref_item {
	const char *id, *status, *target_type, *target_id, *target_name, *person_name;
	int64_t sent_at, ended_at, referrer_id, person_account;
	const char *target_org_id;
	bool shared, outcome;
	const char *next_contact_on;  /* YYYY-MM-DD, or NULL */
	bool not_on_kith;             /* nobody from the receiving organisation is on kith
	                                 yet (directory/claim.h) */
};

/* Someone who read a referral (from the audit log). */
struct ref_reader {
	int64_t at;
	const char *name, *role, *org_name;
};

/* What a list asks for (referral_list turns its kinds into these). */
struct ref_list_q {
	bool all;                     /* everything (staff) */
	int64_t mine;                 /* about this account (0: not) */
	int64_t made_by;              /* made by this person (0: not) */
	const char *org_id;           /* sent to this organisation ("" or NULL: not) */
	const char *status;           /* "" or NULL: any */
	int64_t due_before;           /* > 0: sent or accepted and sent_at <= this */
	bool open_only;               /* an open status */
	const char *contact_due;      /* YYYY-MM-DD: open and next_contact_on <= this, soonest
	                                 first ("" or NULL: not) */
	const char *like;             /* a LIKE pattern (lower case, ! escapes) for the person's
	                                 or the target's name ("" or NULL: any) */
	bool name_if_shared;          /* match the person's name only where consent to share stands */
	int limit, offset;
};

/* One row of the CSV. */
struct ref_csv_row {
	const char *id, *source, *target_type, *target_name, *status, *end_reason;
	uint64_t category;
	int64_t sent_at, accepted_at, contacted_at, attended_at;
};

/* ---- words shared by the files (referral.c) ---- */

/* "24 November 2026 at 10:00" (UK time). */
void ref_at_words(int64_t t, char *out, size_t n);
/* ISO 8601 as a JSON string, or JSON null for 0. */
json_t *ref_iso(int64_t t);
/* Floor of whole days from a to b (b >= a), else -1. */
int64_t ref_days(int64_t a, int64_t b);
/* UK calendar days from the day of a to the day of b (b >= a > 0), else -1:
 * the figures ("days to first attending"). */
int64_t ref_day_span(int64_t a, int64_t b);
/* A LIKE pattern matching words anywhere, lower case (ASCII), with "!"
 * escaping % _ and ! (SQL: LIKE $n ESCAPE '!'), in like (n bytes); NULL
 * for no words. */
const char *ref_like(const char *words, char *like, size_t n);
/* Bits of the needs codes in a, or false with *bad the first unknown. */
uint64_t ref_needs_bits(const char **codes, size_t n, bool *ok);

/* An internal create used by referral_create and the demo: id may be
 * preset (demo: fixed ids), quiet skips the audit and the emails. */
struct ref_create_opts {
	const char *id;               /* NULL: a new UUID */
	const char *client_id;        /* demo: the id of a new client record, or NULL */
	bool quiet;
};
enum err ref_create(const struct referral_env *env, struct db *db, const struct actor *by,
		const struct ref_new *n, int64_t now, const struct ref_create_opts *o,
		char id_out[37], json_t *errors);
/* referral_move without the party check's actor (the demo moves as the
 * party given) and optionally without emails and audit. */
enum err ref_move(const struct referral_env *env, struct db *db, const struct actor *actor,
		unsigned parties, const char *id, const struct ref_step *s, int64_t now, bool quiet,
		json_t *errors);
/* Adds a case note (the demo's, quietly: no audit). */
enum err ref_db_note_add(struct db *db, const char *id, int64_t at, int64_t author, const char *body);

/* Withdraws every open referral of a client (an event with note, which
 * may be NULL, and a "referral.status" audit entry each). actor may be
 * NULL: kith itself (erasure). */
enum err ref_withdraw_open(struct db *db, const struct actor *actor, const char *client_id,
		int64_t account, const char *note, int64_t now);
/* A group's register says someone came (referral_attend.c): the open
 * referrals of person_id (through the record they claimed) or of record
 * client_id to group service_id walk on to attended, or on to
 * sustained, on day (YYYY-MM-DD), by kith itself. A referral that may
 * not move is left as it is; only a database error is returned. */
enum err referral_attendance(const struct referral_env *env, struct db *db, const char *service_id,
		int64_t person_id, const char *client_id, const char *day, int64_t now);
/* The settings in env, or the defaults when env or its settings are NULL. */
int ref_follow_up_days(const struct referral_env *env);
int ref_sustained_weeks(const struct referral_env *env);

/* ---- the SQL (referral_db.c) ---- */

enum err ref_db_meta(struct db *db, const char *id, struct ref_meta *out);
enum err ref_db_row(struct db *db, struct arena *a, const char *id, struct ref_row *out);

enum err ref_db_client(struct db *db, struct arena *a, const char *id, struct ref_client *out);
enum err ref_db_client_insert(struct db *db, const struct ref_client *c, int64_t now);
/* Replaces the contact details (name to nhs_number) of client c->id. */
enum err ref_db_client_update(struct db *db, const struct ref_client *c, int64_t now);
/* The newest live client record claimed by (linked to) account. */
enum err ref_db_client_of_account(struct db *db, int64_t account, char out[37]);
/* Did person create this client record, or refer them before? */
enum err ref_db_client_known(struct db *db, const char *client_id, int64_t person, bool *known);
enum err ref_db_client_delete(struct db *db, const char *id);

enum err ref_db_consents(struct db *db, struct arena *a, const char *client_id,
		struct ref_consent out[CONSENT__MAX]);
enum err ref_db_consent_give(struct db *db, const char *client_id, enum consent_purpose p,
		enum consent_method m, int64_t by, int64_t now);
enum err ref_db_consent_withdraw(struct db *db, const char *client_id, enum consent_purpose p,
		int64_t by, int64_t now, int64_t *changes);

/* The open referral holding open_key ("" in id when none). */
enum err ref_db_open_id(struct db *db, const char *open_key, char id[37]);
enum err ref_db_insert(struct db *db, const struct ref_ins *r);
enum err ref_db_event(struct db *db, const char *id, int64_t at, int64_t actor,
		const char *from, const char *to, const char *reason, const char *note);
/* The same with when (YYYY-MM-DD) and how (a step_method name) it happened. */
enum err ref_db_event_dated(struct db *db, const char *id, int64_t at, int64_t actor,
		const char *from, const char *to, const char *note, const char *happened_on,
		const char *method);
enum err ref_db_notes(struct db *db, struct arena *a, const char *id,
		struct ref_note **out, size_t *n);
/* next_on NULL: cleared. */
enum err ref_db_set_next_contact(struct db *db, const char *id, const char *next_on, int64_t now);
enum err ref_db_find_services(struct db *db, const char *like, int max, json_t **out);
enum err ref_db_events(struct db *db, struct arena *a, const char *id,
		struct ref_event **out, size_t *n);
/* Moves id from `from` to `to` (guarded: nothing changes unless it is
 * still at from); ending statuses clear open_key, next_contact_on and
 * set ended_at and end_reason. at is when the step happened (its
 * accepted_at, contacted_at, ... column); now is updated_at and ended_at. */
enum err ref_db_set_status(struct db *db, const char *id, enum ref_status from,
		enum ref_status to, const char *end_reason, int64_t at, int64_t now, int64_t *changes);
/* The open referrals of a client: ids and statuses. */
enum err ref_db_open_of_client(struct db *db, struct arena *a, const char *client_id,
		char (**ids)[37], enum ref_status **st, size_t *n);

/* Receiving organisation: its organisers with verified addresses, else
 * the organisation's own address, else none. */
enum err ref_db_org_recipients(struct db *db, struct arena *a, const char *org_id,
		struct ref_rcpt **out, size_t *n);
/* A person's verified address (and name) if they are active; NULLs otherwise. */
enum err ref_db_person_email(struct db *db, struct arena *a, int64_t id, const char **email,
		const char **name);
enum err ref_db_service_categories(struct db *db, const char *id, uint64_t *cat);

enum err ref_db_claimable(struct db *db, struct arena *a, const char *email_lower,
		char (**ids)[37], size_t *n);
enum err ref_db_claim(struct db *db, const char *client_id, int64_t account, int64_t now,
		int64_t *changes);

/* Referrals due a reminder: up to max ids with their referrer. */
enum err ref_db_follow_due(struct db *db, int64_t cutoff, size_t max, char (*ids)[37],
		int64_t *referrers, size_t *n);
enum err ref_db_follow_mark(struct db *db, const char *id, int64_t now, int64_t *changes);

enum err ref_db_list(struct db *db, struct arena *a, const struct ref_list_q *q,
		struct ref_item **out, size_t *n, int64_t *total);
enum err ref_db_readers(struct db *db, struct arena *a, const char *id,
		struct ref_reader **out, size_t *n);

/* Reports over sent_at in [since, until] (0: unbounded). */
enum err ref_db_count_status(struct db *db, int64_t since, int64_t until,
		int64_t counts[REF__MAX], int64_t *total);
enum err ref_db_count_source(struct db *db, int64_t since, int64_t until,
		int64_t counts[REF_SRC__MAX]);
/* counts per category bit (VOCAB_MAX entries). */
enum err ref_db_count_category(struct db *db, int64_t since, int64_t until, int64_t *counts);
enum err ref_db_count_reached(struct db *db, int64_t since, int64_t until,
		int64_t *attended, int64_t *sustained);
/* The UK calendar days (ref_day_span) from sent_at to accepted_at (0),
 * contacted_at (1) or attended_at (2), ascending; *v is malloc'd (free it). */
enum err ref_db_waits(struct db *db, int which, int64_t since, int64_t until,
		int64_t **v, size_t *n);
enum err ref_db_csv(struct db *db, int64_t since, int64_t until,
		enum err (*row)(const struct ref_csv_row *r, void *ctx), void *ctx);

/* Privacy. */
enum err ref_db_person_referrals(struct db *db, struct arena *a, int64_t person,
		char (**ids)[37], size_t *n);
enum err ref_db_erase_clients(struct db *db, int64_t person, int64_t now);
enum err ref_db_erase_referrer(struct db *db, int64_t person);
enum err ref_db_clients_of_account(struct db *db, struct arena *a, int64_t person,
		char (**ids)[37], size_t *n);

/* Demo: the published services of an organisation (up to max), by name. */
enum err ref_db_org_services(struct db *db, struct arena *a, const char *org_id, size_t max,
		char (**ids)[37], size_t *n);
/* Published services outside an organisation (up to max), by name. */
enum err ref_db_other_services(struct db *db, struct arena *a, const char *org_id, size_t max,
		char (**ids)[37], size_t *n);

#endif
