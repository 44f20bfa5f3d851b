/*
 * referral.c - the rules of referrals: the NHS number, what a new
 * referral must hold, who may take which step when, and the
 * actions that write (create, move, consent, claim, the follow-up job).
 * What each party may read is referral_view.c; the SQL is referral_db.c;
 * the vocabularies both use are referral_vocab.c.
 *
 * Each action runs in the caller's transaction and does everything a
 * step owes at once (the row, its event, the audit entry, the emails),
 * so a rolled-back step leaves no trace and sends nothing. Emails never
 * carry a name, a need or a reason: they say there is an update and link
 * to /referrals/<id> (a random UUID).
 *
 * Targets are typed: a table indexed by enum ref_target holds each type's
 * resolver. Only services exist today; the other types answer with a
 * field error until their features add a resolver here.
 */
#include "core/common.h"
#include "core/fields.h"
#include "auth/attempts.h"
#include "audit/audit.h"
#include "auth/person.h"
#include "core/links.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "directory/claim.h"
#include "directory/directory.h"
#include "directory/vocab.h"
#include "mail/mail.h"
#include "referral/referral.h"
#include "referral/referral_int.h"
#include "store/store.h"

#define B(s) (1u << (s))


/* ---------------------------------------------------------------- small words */

void ref_at_words(int64_t t, char *out, size_t n)
{
	char date[UK_FORMAT_MAX], time[UK_FORMAT_MAX];

	uk_format_date(t, date, sizeof(date));
	uk_format_time(t, time, sizeof(time));
	snprintf(out, n, "%s at %s", date, time);
}

json_t *ref_iso(int64_t t)
{
	char iso[32];

	if (t <= 0 || !time_iso8601(t, iso, sizeof(iso)))
		return json_null();
	return json_string(iso);
}

int64_t ref_days(int64_t a, int64_t b)
{
	if (a <= 0 || b < a)
		return -1;
	return (b - a) / REF_DAY;
}

int64_t ref_day_span(int64_t a, int64_t b)
{
	if (a <= 0 || b < a)
		return -1;
	return uk_local_day(b) - uk_local_day(a);
}

uint64_t ref_needs_bits(const char **codes, size_t n, bool *ok)
{
	uint64_t bits = 0;

	*ok = true;
	for (size_t i = 0; i < n; i++) {
		int k = ref_code_find(ref_needs, ref_needs_n, codes[i]);

		if (k < 0) {
			*ok = false;
			continue;
		}
		bits |= UINT64_C(1) << k;
	}
	return bits;
}

/* ---------------------------------------------------------------- checks */

/* YYYY-MM-DD, a real date, after 1900 and not in the future. */
static bool birth_date_ok(const char *s, int64_t now)
{
	int64_t day;

	return uk_parse_day(s, &day) && day >= uk_days(1900, 1, 1) && day <= uk_local_day(now);
}

static void check_person(const struct ref_person *p, int64_t now, json_t *errors)
{
	enum contact_by by;
	bool have_by = false;

	if (str_is_blank(p->name))
		field_err(errors, "person.name", "Enter the person's name");
	else
		field_text_ok(errors, "person.name", "The name", p->name, REF_NAME_MAX, true);
	if (!str_is_blank(p->email)) {
		if (strlen(p->email) > PERSON_EMAIL_MAX)
			field_err(errors, "person.email", "The email address must be 254 characters or fewer");
		else if (person_check_email(p->email))
			field_err(errors, "person.email",
				"Enter an email address in the correct format, like name@example.com");
	}
	if (!str_is_blank(p->phone) && person_check_phone(p->phone))
		field_err(errors, "person.phone", person_check_phone(p->phone));
	field_text_ok(errors, "person.address", "The address", p->address, REF_ADDRESS_MAX, false);
	if (str_is_blank(p->contact_by))
		field_err(errors, "person.contact_by", "Choose how the person would like to be contacted");
	else if (!(have_by = contact_by_parse(p->contact_by, &by)))
		field_err(errors, "person.contact_by",
			"Choose how the person would like to be contacted from the list");
	if (have_by && by == CONTACT_EMAIL && str_is_blank(p->email))
		field_err(errors, "person.email",
			"Enter an email address, or choose another way to contact the person");
	if (have_by && by == CONTACT_PHONE && str_is_blank(p->phone))
		field_err(errors, "person.phone",
			"Enter a telephone number, or choose another way to contact the person");
	if (have_by && by == CONTACT_POST && str_is_blank(p->address))
		field_err(errors, "person.address",
			"Enter a postal address, or choose another way to contact the person");
	field_text_ok(errors, "person.access_needs", "Accessibility needs", p->access_needs,
		REF_ACCESS_MAX, false);
	if (!str_is_blank(p->language) && vocab_find(vocab_languages, vocab_languages_n, p->language) < 0)
		field_err(errors, "person.language", "Choose a language from the list");
	if (!str_is_blank(p->birth_date) && !birth_date_ok(p->birth_date, now))
		field_err(errors, "person.birth_date",
			"Enter a date of birth in the past as year, month and day, like 1956-03-27");
	if (!str_is_blank(p->nhs_number) && !nhs_number_valid(p->nhs_number, NULL))
		field_err(errors, "person.nhs_number",
			"Enter a 10-digit NHS number, like 943 476 5919, or leave it empty");
}

bool referral_check(const struct ref_new *n, int64_t now, json_t *errors)
{
	size_t before = json_array_size(errors);
	enum consent_method m;
	enum ref_target t;
	enum ref_source s;
	bool self = n->source && strcmp(n->source, "self") == 0, ok;

	if (!str_is_blank(n->client_id)) {
		if (!str_is_uuid(str_c(n->client_id)))
			field_err(errors, "client_id", "Choose someone from your caseload");
	} else {
		check_person(&n->person, now, errors);
	}
	if (!n->consent_share)
		field_err(errors, "consent.share", "The person must agree to share their details with "
			"the organisation they are referred to, or the referral cannot be made");
	if (!str_is_blank(n->consent_method)) {
		if (!consent_method_parse(n->consent_method, &m))
			field_err(errors, "consent.method",
				"Choose how the person gave consent: verbally, in writing or online");
	} else if (!self) {
		field_err(errors, "consent.method",
			"Choose how the person gave consent: verbally, in writing or online");
	}
	if (str_is_blank(n->target_type) || !ref_target_parse(n->target_type, &t))
		field_err(errors, "target.type", "Choose what to refer the person to");
	if (str_is_blank(n->target_id) || !str_is_uuid(str_c(n->target_id)))
		field_err(errors, "target.id", "Choose a service that is listed in the directory");
	field_text_ok(errors, "reason", "What matters to the person", n->reason, REF_REASON_MAX, false);
	ref_needs_bits(n->needs, n->nneeds, &ok);
	if (!ok || n->nneeds > ref_needs_n * 2)
		field_err(errors, "needs", "Choose what matters to the person from the list");
	else if (n->nneeds == 0 && str_is_blank(n->reason) && !n->turn_up)
		field_err(errors, "needs", "Choose at least one thing that matters to the person, "
			"or describe it in their own words");
	if (!str_is_blank(n->source) && !ref_source_parse(n->source, &s))
		field_err(errors, "source", "Choose who is making the referral from the list");
	if (n->external_id && strlen(n->external_id) > REF_EXTERNAL_ID_MAX)
		field_err(errors, "external_id", "The sending system's identifier must be 200 characters or fewer");
	else if (n->external_id && !str_is_clean_utf8(n->external_id, strlen(n->external_id)))
		field_err(errors, "external_id", "The sending system's identifier has characters we cannot read");
	return json_array_size(errors) == before;
}

/* ---------------------------------------------------------------- targets */

struct target_info {
	char name[256];
	char org_id[37];
	uint64_t category;
	bool turn_up;                /* people can just turn up (the directory's join) */
};

typedef enum err (*resolve_fn)(struct db *db, const char *id, struct target_info *out,
		json_t *errors);

static enum err resolve_service(struct db *db, const char *id, struct target_info *out,
		json_t *errors)
{
	struct svc_meta sm;
	struct arena a;
	enum err e;

	arena_init(&a);
	e = directory_meta(db, &a, id, &sm);
	if (e == ERR_OK && sm.state != SVC_PUBLISHED)
		e = ERR_NOT_FOUND;
	if (e == ERR_NOT_FOUND) {
		field_err(errors, "target.id", "Choose a service that is listed in the directory");
		e = ERR_INVALID;
	}
	if (e == ERR_OK) {
		snprintf(out->name, sizeof(out->name), "%s", sm.name ? sm.name : "");
		snprintf(out->org_id, sizeof(out->org_id), "%s", sm.org_id);
		out->turn_up = (sm.flags & SF_TURN_UP) != 0;
		e = ref_db_service_categories(db, sm.id, &out->category);
	}
	arena_release(&a);
	return e;
}

/* Types whose features do not exist yet: a real answer, saying what to do. */
static enum err resolve_not_open(struct db *db, const char *id, struct target_info *out,
		json_t *errors, const char *words)
{
	UNUSED(db);
	UNUSED(id);
	UNUSED(out);
	field_err(errors, "target.type", words);
	return ERR_INVALID;
}

static enum err resolve_group(struct db *db, const char *id, struct target_info *out, json_t *errors)
{
	return resolve_not_open(db, id, out, errors,
				"Referrals to groups are not open yet: choose a service");
}

static enum err resolve_peer(struct db *db, const char *id, struct target_info *out, json_t *errors)
{
	return resolve_not_open(db, id, out, errors,
				"Peer support is asked for on its own page, /peer-support/ask, where a link worker "
				"can ask for someone with a kith account: choose a service here");
}

static enum err resolve_help(struct db *db, const char *id, struct target_info *out, json_t *errors)
{
	return resolve_not_open(db, id, out, errors,
				"Referrals to help requests are not open yet: choose a service");
}

static const resolve_fn resolvers[REF_TARGET__MAX] = {
	[REF_TARGET_SERVICE] = resolve_service,
	[REF_TARGET_GROUP] = resolve_group,
	[REF_TARGET_PEER] = resolve_peer,
	[REF_TARGET_HELP] = resolve_help,
};

/* ---------------------------------------------------------------- parties and steps */

static bool is_staff(const struct actor *a)
{
	return a && (a->roles & (ROLE_BIT(ROLE_COORDINATOR) | ROLE_BIT(ROLE_ADMIN)));
}

unsigned referral_parties(const struct actor *actor, const struct ref_meta *m)
{
	unsigned p = PARTY_NONE;

	if (!actor || !m)
		return p;
	if (is_staff(actor))
		p |= PARTY_STAFF;
	if (actor->roles & ROLE_BIT(ROLE_COORDINATOR))
		p |= PARTY_COORDINATOR;
	if (actor->id > 0 && m->person_account == actor->id)
		p |= PARTY_PERSON;
	if (actor->id > 0 && m->referrer_id == actor->id)
		p |= PARTY_REFERRER;
	if ((actor->roles & ROLE_BIT(ROLE_ORGANISER)) && actor->org_id && m->target_org_id[0] &&
	    strcmp(actor->org_id, m->target_org_id) == 0)
		p |= PARTY_RECEIVER;
	return p;
}

/* Who may take each step at all. */
static const unsigned step_parties[REF__MAX] = {
	[REF_SENT] = PARTY_RECEIVER | PARTY_REFERRER | PARTY_PERSON | PARTY_STAFF,
	[REF_ACCEPTED] = PARTY_RECEIVER | PARTY_STAFF,
	[REF_DECLINED] = PARTY_RECEIVER | PARTY_STAFF,
	[REF_CONTACTED] = PARTY_RECEIVER | PARTY_STAFF,
	[REF_ATTENDED] = PARTY_RECEIVER | PARTY_STAFF,
	[REF_SUSTAINED] = PARTY_RECEIVER | PARTY_STAFF,
	[REF_CLOSED] = PARTY_RECEIVER | PARTY_REFERRER | PARTY_STAFF,
	[REF_WITHDRAWN] = PARTY_REFERRER | PARTY_PERSON | PARTY_STAFF,
};

/* Where each status may go next. */
static const unsigned step_next[REF__MAX] = {
	[REF_SENT] = B(REF_ACCEPTED) | B(REF_DECLINED) | B(REF_WITHDRAWN),
	[REF_ACCEPTED] = B(REF_CONTACTED) | B(REF_CLOSED) | B(REF_WITHDRAWN),
	[REF_CONTACTED] = B(REF_ATTENDED) | B(REF_CLOSED) | B(REF_WITHDRAWN),
	[REF_ATTENDED] = B(REF_SUSTAINED) | B(REF_CLOSED) | B(REF_WITHDRAWN),
	[REF_SUSTAINED] = B(REF_CLOSED) | B(REF_WITHDRAWN),
};

static const char *forbidden_why(enum ref_status to)
{
	switch (to) {
	case REF_WITHDRAWN:
		return "Only the person, the person who referred them or a coordinator can withdraw "
		       "a referral.";
	case REF_CLOSED:
		return "Only the organisation the referral was sent to, the person who made it or a "
		       "coordinator can close a referral.";
	case REF_SENT:
		return "You cannot change this referral.";
	default:
		return "Only the organisation the referral was sent to can record that.";
	}
}

/* Why to makes no sense from from (a step that is not in step_next). */
static void conflict_why(enum ref_status from, enum ref_status to, char *why, size_t n)
{
	static const char *const doing[REF__MAX] = {
		[REF_SENT] = "sent again",
		[REF_ACCEPTED] = "accepted",
		[REF_DECLINED] = "declined",
		[REF_CONTACTED] = "marked as contacted",
		[REF_ATTENDED] = "marked as attended",
		[REF_SUSTAINED] = "marked as still attending",
		[REF_CLOSED] = "closed",
		[REF_WITHDRAWN] = "withdrawn",
	};

	if (!ref_status_open(from))
		snprintf(why, n, "This referral has already been %s, so it cannot be %s.",
			 from == REF_CLOSED ? "closed" : from == REF_DECLINED ? "declined" : "withdrawn",
			 doing[to]);
	else if (from == to)
		snprintf(why, n, "This referral is already %s.",
			 to == REF_SUSTAINED ? "marked as still attending" : doing[to]);
	else if (to == REF_SENT)
		snprintf(why, n, "A referral cannot go back to sent.");
	else if (from == REF_SENT && to == REF_CLOSED)
		snprintf(why, n, "This referral has not been accepted yet, so it cannot be closed: "
			 "decline or withdraw it instead.");
	else if (from == REF_SENT)
		snprintf(why, n, "This referral has not been accepted yet, so it cannot be %s.",
			 doing[to]);
	else if (to == REF_DECLINED)
		snprintf(why, n, "This referral has already been accepted, so it cannot be declined: "
			 "close it instead.");
	else if (from == REF_ACCEPTED)
		snprintf(why, n, "The person has not been contacted yet, so this referral cannot be %s.",
			 doing[to]);
	else if (from == REF_CONTACTED && to == REF_SUSTAINED)
		snprintf(why, n, "The person has not attended yet, so they cannot be marked as still "
			 "attending.");
	else
		snprintf(why, n, "This referral is already %s, so it cannot be %s.",
			 from == REF_SUSTAINED ? "marked as still attending" : doing[from], doing[to]);
}

enum err referral_can_move(unsigned parties, enum ref_status from, enum ref_status to,
		int64_t attended_at, int sustained_weeks, int64_t now, char *why, size_t whylen)
{
	char buf[256], date[UK_FORMAT_MAX];
	int64_t from_t;

	if (!why || whylen == 0) {
		why = buf;
		whylen = sizeof(buf);
	}
	why[0] = '\0';
	if ((unsigned)from >= REF__MAX || (unsigned)to >= REF__MAX) {
		snprintf(why, whylen, "Choose a step from the list.");
		return ERR_CONFLICT;
	}
	if (!(parties & step_parties[to])) {
		snprintf(why, whylen, "%s", forbidden_why(to));
		return ERR_FORBIDDEN;
	}
	if (!(step_next[from] & B(to))) {
		conflict_why(from, to, why, whylen);
		return ERR_CONFLICT;
	}
	if (to == REF_SUSTAINED) {
		from_t = attended_at + (int64_t)(sustained_weeks > 0 ? sustained_weeks : 0) * 7 * REF_DAY;
		if (attended_at <= 0 || now < from_t) {
			uk_format_date(from_t, date, sizeof(date));
			snprintf(why, whylen, "The person can be marked as still attending from %s, "
				 "%d weeks after they first attended.", date, sustained_weeks);
			return ERR_CONFLICT;
		}
	}
	return ERR_OK;
}

/* ---------------------------------------------------------------- meta, load */

enum err referral_meta(struct db *db, const char *id, struct ref_meta *out)
{
	char lid[37];

	memset(out, 0, sizeof(*out));
	if (!id || !str_is_uuid(str_c(id)))
		return ERR_NOT_FOUND;
	str_copy(lid, sizeof(lid), id);
	str_lower_ascii(lid, strlen(lid));
	return ref_db_meta(db, lid, out);
}

enum err referral_load(struct db *db, const struct actor *actor, const struct action *action,
		const char *id, struct ref_meta *out)
{
	enum err e;

	if ((e = referral_meta(db, id, out)) != ERR_OK)
		return e;
	if (!actor || !policy_can(actor, action, out)) {
		memset(out, 0, sizeof(*out));
		return ERR_NOT_FOUND;
	}
	return ERR_OK;
}

/* ---------------------------------------------------------------- settings */

int ref_follow_up_days(const struct referral_env *env)
{
	return env && env->settings ? env->settings->referral_follow_up_days : REF_DEFAULT_FOLLOW_UP_DAYS;
}

int ref_sustained_weeks(const struct referral_env *env)
{
	return env && env->settings ? env->settings->referral_sustained_weeks : REF_DEFAULT_SUSTAINED_WEEKS;
}

/* ---------------------------------------------------------------- emails */

/* One email about referral id: the link and nothing else, greeting by
 * name only someone with an account of their own (never the person
 * referred: their name is not put in an email at all). An address that
 * cannot be mailed is logged (by id, never the address) and skipped. */
static enum err mail_one(const struct referral_env *env, struct db *db, const char *to,
		int64_t person_id, const char *name, const char *tmpl, const char *id, int64_t now)
{
	struct arena a;
	const char *link;
	json_t *ctx;
	enum err e;

	if (!env || !env->mailer || !to || !*to)
		return ERR_OK;
	arena_init(&a);
	link = link_abs(env->links, &a, "referral.show", id, NULL);
	ctx = link ? json_pack("{s:s}", "link", link) : NULL;
	arena_release(&a);
	if (!ctx)
		return ERR_NOMEM;
	if (name && *name)
		json_object_set_new(ctx, "name", json_string(name));
	e = mail_enqueue(env->mailer, db, to, person_id, tmpl, ctx, now);
	json_decref(ctx);
	if (e == ERR_INVALID) {
		log_warn("referral: %s for person %lld not sent: the address cannot be mailed",
			 tmpl, (long long)person_id);
		e = ERR_OK;
	}
	return e;
}

static enum err mail_receivers(const struct referral_env *env, struct db *db, const char *org_id,
		const char *id, int64_t now)
{
	struct claim_env claim = { .mailer = env ? env->mailer : NULL, .links = env ? env->links : NULL,
				   .days = env ? env->claim_days : 0 };
	struct ref_rcpt *to;
	struct arena a;
	bool brought_on = false;
	size_t n;
	enum err e;

	/* Nobody from the organisation is on kith: "sign in to see it" would
	 * reach nobody, so it goes on the coordinators' list to bring on and
	 * its contact address is sent a link to claim it instead. */
	if ((e = claim_referral_arrived(&claim, db, org_id, now, &brought_on)) != ERR_OK || brought_on)
		return e;
	arena_init(&a);
	e = ref_db_org_recipients(db, &a, org_id, &to, &n);
	if (e == ERR_OK && n == 0)
		log_info("referral: the receiving organisation has no address to tell about a new referral");
	for (size_t i = 0; e == ERR_OK && i < n; i++)
		e = mail_one(env, db, to[i].email, to[i].person_id, to[i].name, "referral_new", id, now);
	arena_release(&a);
	return e;
}

static enum err mail_person_account(const struct referral_env *env, struct db *db, int64_t person,
		const char *tmpl, const char *id, int64_t now)
{
	const char *email, *name;
	struct arena a;
	enum err e;

	arena_init(&a);
	e = ref_db_person_email(db, &a, person, &email, &name);
	if (e == ERR_OK && email)
		e = mail_one(env, db, email, person, name, tmpl, id, now);
	arena_release(&a);
	return e;
}

static enum err audit_ref(struct db *db, int64_t now, int64_t actor, const char *action,
		int64_t subject, const char *id, const char *more)
{
	char detail[128];

	snprintf(detail, sizeof(detail), "referral=%.36s%s%s", id, more ? " " : "", more ? more : "");
	return audit_log(db, now, actor, action, subject, detail, NULL, NULL);
}

/* ---------------------------------------------------------------- making one */

/* The source a referral has when none was given. */
static enum ref_source derived_source(const struct actor *by, bool can_refer)
{
	if (!can_refer)
		return REF_SRC_SELF;
	if (by->roles & ROLE_BIT(ROLE_LINK_WORKER))
		return REF_SRC_LINK_WORKER;
	if ((by->roles & ROLE_BIT(ROLE_ORGANISER)) && !is_staff(by))
		return REF_SRC_ORGANISER;
	return REF_SRC_LINK_WORKER;
}

static const char *nz(const char *s)
{
	return str_is_blank(s) ? NULL : s;
}

static void client_from(struct ref_client *c, const struct ref_person *p, char nhs[11])
{
	c->name = p->name;
	c->email = nz(p->email);
	c->phone = nz(p->phone);
	c->address = nz(p->address);
	c->contact_by = p->contact_by;
	c->access_needs = nz(p->access_needs);
	c->language = nz(p->language);
	c->birth_date = nz(p->birth_date);
	c->nhs_number = !str_is_blank(p->nhs_number) && nhs_number_valid(p->nhs_number, nhs) ? nhs : NULL;
}

/* Finds or makes the client record the referral is for. */
static enum err client_for(struct db *db, const struct actor *by, bool self,
		const struct ref_new *n, const char *preset, int64_t now, char id[37],
		int64_t *account)
{
	struct ref_client c;
	struct arena a;
	char nhs[11];
	bool known = false;
	enum err e;

	*account = 0;
	if (!str_is_blank(n->client_id)) {
		arena_init(&a);
		e = by->id > 0 ? ref_db_client(db, &a, n->client_id, &c) : ERR_NOT_FOUND;
		if (e == ERR_OK && c.erased_at)
			e = ERR_NOT_FOUND;
		if (e == ERR_OK && !is_staff(by) && c.account_id != by->id &&
		    (e = ref_db_client_known(db, c.id, by->id, &known)) == ERR_OK && !known)
			e = ERR_NOT_FOUND;
		if (e == ERR_OK) {
			str_copy(id, 37, c.id);
			*account = c.account_id;
		}
		arena_release(&a);
		return e;
	}
	memset(&c, 0, sizeof(c));
	client_from(&c, &n->person, nhs);
	if (self && by->id > 0) {
		e = ref_db_client_of_account(db, by->id, c.id);
		if (e == ERR_OK) {
			str_copy(id, 37, c.id);
			*account = by->id;
			return ref_db_client_update(db, &c, now);
		}
		if (e != ERR_NOT_FOUND)
			return e;
		c.account_id = by->id;
	}
	if (preset)
		str_copy(c.id, sizeof(c.id), preset);
	else if (!uuid_v4(c.id))
		return ERR_INTERNAL;
	c.created_by = by->id;
	if ((e = ref_db_client_insert(db, &c, now)) != ERR_OK)
		return e;
	str_copy(id, 37, c.id);
	*account = c.account_id;
	return ERR_OK;
}

/* Consent as recorded now: given purposes stand (a new row unless one
 * already does), purposes not given are withdrawn. */
static enum err record_consents(struct db *db, const char *client_id, const bool want[CONSENT__MAX],
		enum consent_method method, int64_t by, int64_t now)
{
	struct ref_consent k[CONSENT__MAX];
	struct arena a;
	enum err e;

	arena_init(&a);
	e = ref_db_consents(db, &a, client_id, k);
	for (int p = 0; e == ERR_OK && p < CONSENT__MAX; p++) {
		if (want[p] && !k[p].given)
			e = ref_db_consent_give(db, client_id, (enum consent_purpose)p, method, by, now);
		else if (!want[p] && k[p].given)
			e = ref_db_consent_withdraw(db, client_id, (enum consent_purpose)p, by, now, NULL);
	}
	arena_release(&a);
	return e;
}

/* Source, self-referral and method after the actor is taken into account. */
static bool settle_source(const struct actor *by, struct ref_new *x, enum ref_source *src,
		json_t *errors)
{
	bool can_refer = by->id > 0 && policy_can(by, &act_refer, NULL);

	if (str_is_blank(x->source)) {
		*src = derived_source(by, can_refer);
	} else if (!ref_source_parse(x->source, src)) {
		return true;          /* referral_check says so */
	} else if (*src != REF_SRC_SELF && !can_refer) {
		field_err(errors, "source", "You can only refer yourself");
		return false;
	}
	x->source = ref_source_name(*src);
	if (*src == REF_SRC_SELF)
		x->consent_method = "online";
	/* Whoever refers themself is who they say only by their account or
	 * their contact details: an NHS number would let anyone ask, in
	 * someone else's name, whether that person is being referred. */
	if (*src == REF_SRC_SELF && !str_is_blank(x->person.nhs_number)) {
		field_err(errors, "person.nhs_number", "Leave out the NHS number when you refer "
			"yourself. The people who support you can add it");
		return false;
	}
	return true;
}

enum err referral_self_attempt(struct db *db, const struct referral_settings *s, const char *ip,
		int64_t account, int64_t now, int *retry)
{
	char kip[ATTEMPT_KEY_MAX], kacct[ATTEMPT_KEY_MAX], id[24];

	*retry = 0;
	attempts_key(kip, "refer_me:ip", ip ? ip : "");
	snprintf(id, sizeof(id), "%lld", (long long)account);
	attempts_key(kacct, "refer_me:acct", id);
	return attempts_take(db, (const struct attempt_limit[]){
		{ kip, s->self_referral_limit_ip },
		{ account ? kacct : NULL, s->self_referral_limit_account } }, 2, 3600, now, retry);
}

static void conflict_words(json_t *errors, bool self, const char *target)
{
	char msg[400];

	snprintf(msg, sizeof(msg), "%s already %s an open referral to %s. Another can be made once "
		 "that one has ended.", self ? "You" : "This person", self ? "have" : "has", target);
	field_err(errors, "target.id", msg);
}

/* Who a referral is for, for "one open referral of a person to a place":
 * the same person may arrive as several client records (two link workers,
 * a self-referral, another system), so the key is their NHS number when
 * known, else their email address, else their account, else the record. */
static enum err person_key(struct db *db, const char *client_id, char out[300])
{
	struct ref_client c;
	struct arena a;
	char nhs[11];
	enum err e;

	arena_init(&a);
	e = ref_db_client(db, &a, client_id, &c);
	if (e == ERR_OK) {
		if (c.nhs_number && nhs_number_valid(c.nhs_number, nhs))
			snprintf(out, 300, "nhs:%s", nhs);
		else if (c.email && c.email[0]) {
			char lower[300];

			str_lower_email(c.email, lower, sizeof(lower));
			snprintf(out, 300, "email:%.293s", lower);
		} else if (c.account_id)
			snprintf(out, 300, "account:%lld", (long long)c.account_id);
		else
			snprintf(out, 300, "client:%s", client_id);
	}
	arena_release(&a);
	return e;
}

/* Is there an open referral holding key? If the actor can see it (their
 * own, one they made or receive, or staff), *taken: they are told, which
 * tells them nothing new. If they cannot, saying so would tell them that
 * someone they name is being referred there: the new referral is made as
 * any other and folded into the open one (*folded: the open one, whose id
 * is "" when there is none to fold into). */
static enum err open_for(struct db *db, const struct actor *by, const char *key, bool *taken,
		struct ref_meta *folded)
{
	char id[37];
	enum err e;

	*taken = false;
	folded->id[0] = '\0';
	if ((e = ref_db_open_id(db, key, id)) != ERR_OK || !id[0])
		return e;
	if ((e = referral_meta(db, id, folded)) != ERR_OK)
		return e;
	if (referral_parties(by, folded)) {
		*taken = true;
		folded->id[0] = '\0';
	}
	return ERR_OK;
}

/* A folded referral's news for the open one's referrer (and the audit
 * log): another referral for their person arrived and was put with
 * theirs. Nothing about who sent it. */
static enum err tell_folded(const struct referral_env *env, struct db *db,
		const struct ref_meta *open, const char *id, int64_t by, int64_t now)
{
	char detail[96];
	enum err e;

	snprintf(detail, sizeof(detail), "referral=%.36s into=%.36s", id, open->id);
	if ((e = audit_log(db, now, by, "referral.folded", open->person_account, detail, NULL,
			   NULL)) != ERR_OK)
		return e;
	return open->referrer_id ? mail_person_account(env, db, open->referrer_id, "referral_folded",
						       open->id, now) : ERR_OK;
}

enum err ref_create(const struct referral_env *env, struct db *db, const struct actor *by,
		const struct ref_new *n, int64_t now, const struct ref_create_opts *o,
		char id_out[37], json_t *errors)
{
	struct ref_new x = *n;
	struct target_info ti;
	struct ref_ins ins;
	enum ref_source src = REF_SRC_SELF;
	enum ref_target tt = REF_TARGET_SERVICE;
	enum consent_method method = CONSENT_ONLINE;
	char client_id[37], id[37], tid[37] = "", key[400], pkey[300];
	struct ref_meta folded = { .id = "" };
	bool want[CONSENT__MAX], taken = false, ok;
	int64_t account = 0;
	json_t *terrs;
	enum err e;

	id_out[0] = '\0';
	memset(&ti, 0, sizeof(ti));
	if (!by)
		return ERR_INTERNAL;
	terrs = json_array();
	ok = settle_source(by, &x, &src, errors);
	/* The target first, for whether the words may be left out; its
	 * errors follow the others'. */
	if (!str_is_blank(x.target_type) && ref_target_parse(x.target_type, &tt) && !str_is_blank(x.target_id) &&
	    str_is_uuid(str_c(x.target_id))) {
		str_copy(tid, sizeof(tid), x.target_id);
		str_lower_ascii(tid, strlen(tid));
		e = resolvers[tt](db, tid, &ti, terrs);
		if (e != ERR_OK && e != ERR_INVALID) {
			json_decref(terrs);
			return e;
		}
		ok = e == ERR_OK && ok;
	}
	x.turn_up = ti.turn_up;
	ok = referral_check(&x, now, errors) && ok;
	if (errors && terrs)
		json_array_extend(errors, terrs);
	json_decref(terrs);
	if (!ok)
		return ERR_INVALID;
	consent_method_parse(x.consent_method, &method);
	if ((e = client_for(db, by, src == REF_SRC_SELF, &x, o ? o->client_id : NULL, now,
			    client_id, &account)) != ERR_OK)
		return e;
	want[CONSENT_SHARE] = true;
	want[CONSENT_CONTACT] = x.consent_contact;
	want[CONSENT_OUTCOME] = x.consent_outcome;
	if ((e = record_consents(db, client_id, want, method, by->id, now)) != ERR_OK)
		return e;
	if (o && o->id)
		str_copy(id, sizeof(id), o->id);
	else if (!uuid_v4(id))
		return ERR_INTERNAL;
	/* The unique index decides in the end; asking first gives the words,
	 * or the fold. */
	if ((e = person_key(db, client_id, pkey)) != ERR_OK)
		return e;
	snprintf(key, sizeof(key), "%s|%s|%s", pkey, ref_target_name(tt), tid);
	if ((e = open_for(db, by, key, &taken, &folded)) != ERR_OK)
		return e;
	ins = (struct ref_ins){
		.id = id, .client_id = client_id, .source = src, .referrer_id = by->id,
		.target_type = tt, .target_id = tid, .target_name = ti.name,
		.target_org_id = ti.org_id, .category = ti.category,
		.needs = ref_needs_bits(x.needs, x.nneeds, &ok), .open_key = folded.id[0] ? NULL : key,
		.reason = nz(x.reason), .external_id = nz(x.external_id), .now = now,
		.folded_into = folded.id[0] ? folded.id : NULL,
	};
	if (taken || (e = ref_db_insert(db, &ins)) == ERR_CONFLICT) {
		conflict_words(errors, src == REF_SRC_SELF, ti.name);
		return ERR_CONFLICT;
	}
	if (e || (e = ref_db_event(db, id, now, by->id, NULL, "sent", NULL, NULL)) != ERR_OK)
		return e;
	if (!o || !o->quiet) {
		if ((e = audit_ref(db, now, by->id, "referral.created", account, id, NULL)) != ERR_OK)
			return e;
		/* Folded: the organisation has the open one already; its
		 * referrer is told instead. */
		e = folded.id[0] ? tell_folded(env, db, &folded, id, by->id, now)
			      : mail_receivers(env, db, ti.org_id, id, now);
		if (e)
			return e;
	}
	str_copy(id_out, 37, id);
	return ERR_OK;
}

enum err referral_create(const struct referral_env *env, struct db *db, const struct actor *by,
		const struct ref_new *n, int64_t now, char id_out[37], json_t *errors)
{
	if (!env)
		return ERR_NOMEM;
	return ref_create(env, db, by, n, now, NULL, id_out, errors);
}

/* ---------------------------------------------------------------- moving on */

static bool consent_stands(struct db *db, const char *client_id, enum consent_purpose p,
		enum err *e)
{
	struct ref_consent k[CONSENT__MAX];
	struct arena a;
	bool stands;

	arena_init(&a);
	*e = ref_db_consents(db, &a, client_id, k);
	stands = *e == ERR_OK && k[p].given;
	arena_release(&a);
	return stands;
}

/* The emails a step owes: the person (accepted, declined, contacted) when
 * they agreed to be contacted; the referrer (declined, attended,
 * sustained) when the person agreed to share how it went. Nobody is
 * told what they did themselves. */
static enum err mail_step(const struct referral_env *env, struct db *db, const struct actor *actor,
		const struct ref_row *row, enum ref_status to, int64_t now)
{
	struct ref_client c;
	struct arena a;
	enum err e = ERR_OK;

	if (!env || !env->mailer)
		return ERR_OK;
	arena_init(&a);
	if ((to == REF_ACCEPTED || to == REF_DECLINED || to == REF_CONTACTED) &&
	    consent_stands(db, row->m.client_id, CONSENT_CONTACT, &e) &&
	    (e = ref_db_client(db, &a, row->m.client_id, &c)) == ERR_OK && !c.erased_at &&
	    c.email && (c.account_id == 0 || c.account_id != actor->id))
		e = mail_one(env, db, c.email, c.account_id, NULL, "referral_update", row->m.id, now);
	if (e == ERR_OK && (to == REF_DECLINED || to == REF_ATTENDED || to == REF_SUSTAINED) &&
	    row->m.referrer_id > 0 && row->m.referrer_id != actor->id &&
	    row->m.referrer_id != row->m.person_account &&
	    consent_stands(db, row->m.client_id, CONSENT_OUTCOME, &e))
		e = mail_person_account(env, db, row->m.referrer_id, "referral_outcome", row->m.id, now);
	arena_release(&a);
	return e;
}

static bool move_input_ok(enum ref_status to, const char *reason, const char *note,
		json_t *errors)
{
	bool ok = true;

	if (to == REF_DECLINED &&
	    ref_code_find(ref_decline_reasons, ref_decline_reasons_n, reason) < 0) {
		field_err(errors, "reason", "Choose why the referral was declined");
		ok = false;
	}
	if (to == REF_CLOSED && ref_code_find(ref_close_reasons, ref_close_reasons_n, reason) < 0) {
		field_err(errors, "reason", "Choose why the referral is being closed");
		ok = false;
	}
	return field_text_ok(errors, "note", "The note", note, REF_REASON_MAX, false) && ok;
}

/* When a dated step happened: *at (the referral's contacted_at,
 * attended_at or sustained_at) and the day (YYYY-MM-DD) for its event,
 * from happened_on (NULL: today). Not in the future, and not before the
 * step it follows happened (the referral was sent, the person was
 * contacted, first came along). */
static bool step_when(const struct ref_row *row, enum ref_status to, const char *happened_on,
		int64_t now, int64_t *at, char day_out[11], json_t *errors)
{
	int64_t today = uk_local_day(now), day = today, floor_t = row->m.sent_at;
	const char *after = "the referral was sent";
	char words[UK_FORMAT_MAX], msg[200];
	int y, mo, d;

	if (to == REF_ATTENDED && row->contacted_at > floor_t) {
		floor_t = row->contacted_at;
		after = "the person was contacted";
	}
	if (to == REF_SUSTAINED && row->attended_at > floor_t) {
		floor_t = row->attended_at;
		after = "the person first came along";
	}
	if (!str_is_blank(happened_on) && !uk_parse_day(happened_on, &day)) {
		field_err(errors, "happened_on", "Enter the date it happened as a real date, like 2026-12-03");
		return false;
	}
	if (day > today) {
		field_err(errors, "happened_on", "The date it happened must be today or in the past");
		return false;
	}
	if (day < uk_local_day(floor_t)) {
		uk_format_day(uk_local_day(floor_t), words, sizeof(words));
		snprintf(msg, sizeof(msg), "The date it happened must be on or after %s, when %s",
			 words, after);
		field_err(errors, "happened_on", msg);
		return false;
	}
	uk_date(day, &y, &mo, &d);
	*at = day == today ? now : uk_to_utc(y, mo, d, 12, 0);
	if (*at < floor_t)
		*at = floor_t;
	snprintf(day_out, 11, "%04d-%02d-%02d", y, mo, d);
	return true;
}

/* How a dated step happened, and nothing dated for the others. */
static bool step_how_ok(enum ref_status to, const struct ref_step *s, json_t *errors)
{
	enum step_method how;
	bool ok = true;

	if (!ref_status_dated(to)) {
		if (!str_is_blank(s->happened_on)) {
			field_err(errors, "happened_on", "Only contact and attendance are recorded with "
				"the date they happened: leave the date out for this step");
			ok = false;
		}
		if (!str_is_blank(s->method)) {
			field_err(errors, "method", "Only contact and attendance are recorded with how "
				"they happened: leave the method out for this step");
			ok = false;
		}
		return ok;
	}
	if (!str_is_blank(s->method) && !step_method_parse(s->method, &how)) {
		field_err(errors, "method", "Choose how it happened: by phone (\"phone\"), in person "
			"(\"in_person\"), by email (\"email\"), by text message (\"text\"), by letter "
			"(\"letter\") or online (\"online\")");
		ok = false;
	}
	return ok;
}

enum err ref_move(const struct referral_env *env, struct db *db, const struct actor *actor,
		unsigned parties, const char *id, const struct ref_step *s, int64_t now, bool quiet,
		json_t *errors)
{
	struct ref_row row;
	struct arena a;
	enum ref_status to;
	const char *reason = s->reason, *note = s->note;
	char why[256], more[48], day[11] = "";
	int64_t changes = 0, at = now;
	bool dated, ok;
	enum err e;

	if (str_is_blank(s->to) || !ref_status_parse(s->to, &to)) {
		field_err(errors, "status", "Choose what has happened from the list");
		return ERR_INVALID;
	}
	dated = ref_status_dated(to);
	/* Both checks run, so every field's problem is said at once. */
	ok = move_input_ok(to, reason, note, errors);
	ok = step_how_ok(to, s, errors) && ok;
	if (!ok)
		return ERR_INVALID;
	if (to != REF_DECLINED && to != REF_CLOSED)
		reason = NULL;
	arena_init(&a);
	if ((e = ref_db_row(db, &a, id, &row)) != ERR_OK)
		goto out;
	e = referral_can_move(parties, row.m.status, to, row.attended_at, ref_sustained_weeks(env), now,
			      why, sizeof(why));
	if (e) {
		field_err(errors, "status", why);
		goto out;
	}
	if (dated && !step_when(&row, to, s->happened_on, now, &at, day, errors)) {
		e = ERR_INVALID;
		goto out;
	}
	/* Still attending counts its weeks to the day it happened. */
	if (to == REF_SUSTAINED && (e = referral_can_move(parties, row.m.status, to, row.attended_at,
			ref_sustained_weeks(env), at, why, sizeof(why))) != ERR_OK) {
		field_err(errors, "happened_on", why);
		e = ERR_INVALID;
		goto out;
	}
	if ((e = ref_db_set_status(db, row.m.id, row.m.status, to, reason, at, now, &changes)) != ERR_OK)
		goto out;
	if (changes != 1) {
		field_err(errors, "status", "Someone else changed this referral a moment ago: look at "
			"it again before changing it.");
		e = ERR_CONFLICT;
		goto out;
	}
	if (dated)
		e = ref_db_event_dated(db, row.m.id, now, actor ? actor->id : 0,
				       ref_status_name(row.m.status), ref_status_name(to), nz(note), day,
				       nz(s->method));
	else
		e = ref_db_event(db, row.m.id, now, actor ? actor->id : 0, ref_status_name(row.m.status),
				 ref_status_name(to), reason, nz(note));
	/* Others may care: attendance feeds groups' registers and reports. */
	if (e == ERR_OK && env && env->events)
		e = event_publish(env->events, &(struct event){ .kind = EV_REFERRAL_MOVED, .db = db,
			.now = now, .person_id = row.m.person_account, .actor_id = actor ? actor->id : 0,
			.referral_id = row.m.id, .status = ref_status_name(to) });
	if (e || quiet)
		goto out;
	snprintf(more, sizeof(more), "to=%s", ref_status_name(to));
	if ((e = audit_ref(db, now, actor->id, "referral.status", row.m.person_account, row.m.id,
			   more)) != ERR_OK)
		goto out;
	e = mail_step(env, db, actor, &row, to, now);
out:
	arena_release(&a);
	return e;
}

enum err referral_step(const struct referral_env *env, struct db *db, const struct actor *actor,
		const struct ref_meta *m, const struct ref_step *s, int64_t now, json_t *errors)
{
	struct ref_meta fresh;
	enum err e;

	if (!env)
		return ERR_NOMEM;
	if (!actor || !m || !s)
		return ERR_INTERNAL;
	/* Who the actor is to it now (a record may have been claimed since). */
	if ((e = ref_db_meta(db, m->id, &fresh)) != ERR_OK)
		return e;
	return ref_move(env, db, actor, referral_parties(actor, &fresh), fresh.id, s, now, false,
			errors);
}

enum err referral_move(const struct referral_env *env, struct db *db, const struct actor *actor,
		const struct ref_meta *m, const char *to, const char *reason, const char *note,
		int64_t now, json_t *errors)
{
	const struct ref_step s = { .to = to, .reason = reason, .note = note };

	return referral_step(env, db, actor, m, &s, now, errors);
}

/* ---------------------------------------------------------------- case notes */

bool referral_may_casework(const struct actor *actor, const struct ref_meta *m)
{
	return (referral_parties(actor, m) & (PARTY_REFERRER | PARTY_COORDINATOR)) != 0;
}

#define NEXT_CONTACT_DAYS_MAX 731   /* two years ahead */

enum err referral_casework(struct db *db, const struct actor *actor, const struct ref_meta *m,
		const char *note, const char *next_on, int64_t now, json_t *errors)
{
	struct ref_meta fresh;
	int64_t day = 0, today = uk_local_day(now);
	bool has_note = !str_is_blank(note), ok = true;
	char iso[11] = "";
	enum err e;

	if (!actor || !m)
		return ERR_INTERNAL;
	if ((e = ref_db_meta(db, m->id, &fresh)) != ERR_OK)
		return e;
	if (!referral_may_casework(actor, &fresh))
		return ERR_FORBIDDEN;
	if (has_note)
		ok = field_text_ok(errors, "note", "The note", note, REF_REASON_MAX, false);
	if (next_on && next_on[0]) {
		int y, mo, d;

		if (!uk_parse_day(next_on, &day)) {
			field_err(errors, "next_contact_on", "Enter the date of the next contact as a real "
				"date, like 2026-12-03");
			ok = false;
		} else if (day < today) {
			field_err(errors, "next_contact_on", "The date of the next contact must be today "
				"or in the future");
			ok = false;
		} else if (day > today + NEXT_CONTACT_DAYS_MAX) {
			field_err(errors, "next_contact_on", "The date of the next contact must be within "
				"two years");
			ok = false;
		} else if (!ref_status_open(fresh.status)) {
			field_err(errors, "next_contact_on", "This referral has ended, so there is no "
				"next contact to plan");
			ok = false;
		} else {
			uk_date(day, &y, &mo, &d);
			snprintf(iso, sizeof(iso), "%04d-%02d-%02d", y, mo, d);
		}
	}
	if (ok && !has_note && !next_on) {
		field_err(errors, "note", "Write a note, or give the date of the next contact");
		ok = false;
	}
	if (!ok)
		return ERR_INVALID;
	if (has_note) {
		if ((e = ref_db_note_add(db, fresh.id, now, actor->id, note)) != ERR_OK ||
		    (e = audit_ref(db, now, actor->id, "referral.note", fresh.person_account, fresh.id,
				   NULL)) != ERR_OK)
			return e;
	}
	if (next_on) {
		if ((e = ref_db_set_next_contact(db, fresh.id, iso[0] ? iso : NULL, now)) != ERR_OK ||
		    (e = audit_ref(db, now, actor->id, "referral.next_contact", fresh.person_account,
				   fresh.id, iso[0] ? NULL : "cleared")) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

/* ---------------------------------------------------------------- the service chooser */

const char *ref_like(const char *words, char *like, size_t n)
{
	size_t k = 0;

	if (!words || !*words || n < 4)
		return NULL;
	like[k++] = '%';
	for (const char *p = words; *p && k < n - 3; p++) {
		if (*p == '%' || *p == '_' || *p == '!')
			like[k++] = '!';
		like[k++] = (char)((*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p);
	}
	like[k++] = '%';
	like[k] = '\0';
	return like;
}

enum err referral_find_services(struct db *db, const char *words, int max, json_t **out)
{
	char like[260];

	*out = NULL;
	if (max < 1 || max > 100)
		return ERR_INVALID;
	return ref_db_find_services(db, ref_like(words, like, sizeof(like)) ? like : "%", max, out);
}

/* ---------------------------------------------------------------- consent */

/* Withdrawing consent to share ends every open referral of the person. */
enum err ref_withdraw_open(struct db *db, const struct actor *actor, const char *client_id,
		int64_t account, const char *note, int64_t now)
{
	char (*ids)[37];
	enum ref_status *st;
	struct arena a;
	size_t n;
	enum err e;

	arena_init(&a);
	e = ref_db_open_of_client(db, &a, client_id, &ids, &st, &n);
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		int64_t changes = 0;

		e = ref_db_set_status(db, ids[i], st[i], REF_WITHDRAWN, NULL, now, now, &changes);
		if (e || changes != 1)
			continue;
		e = ref_db_event(db, ids[i], now, actor ? actor->id : 0, ref_status_name(st[i]),
				 "withdrawn", NULL, note);
		if (e == ERR_OK)
			e = audit_ref(db, now, actor ? actor->id : 0, "referral.status", account, ids[i],
				      "to=withdrawn");
	}
	arena_release(&a);
	return e;
}

enum err referral_consent(struct db *db, const struct actor *actor,
		const struct ref_meta *m, const char *purpose, bool give, const char *method,
		int64_t now, json_t *errors)
{
	enum consent_purpose p;
	enum consent_method meth = CONSENT_ONLINE;
	unsigned parties;
	char more[48];
	bool ok = true, stands, own;
	int64_t changes = 0;
	enum err e;

	if (!actor || !m)
		return ERR_INTERNAL;
	parties = referral_parties(actor, m);
	if (!(parties & (PARTY_PERSON | PARTY_REFERRER | PARTY_STAFF)))
		return ERR_FORBIDDEN;
	if (str_is_blank(purpose) || !consent_purpose_parse(purpose, &p)) {
		field_err(errors, "purpose", "Choose what the consent is for from the list");
		ok = false;
	}
	/* The person recording their own consent gives it online. */
	own = (parties & PARTY_PERSON) && !(parties & PARTY_STAFF);
	if (give && !own && (str_is_blank(method) || !consent_method_parse(method, &meth))) {
		field_err(errors, "method", "Choose how consent was given: verbally, in writing or online");
		ok = false;
	}
	if (!ok)
		return ERR_INVALID;
	stands = consent_stands(db, m->client_id, p, &e);
	if (e)
		return e;
	snprintf(more, sizeof(more), "purpose=%s", consent_purpose_name(p));
	if (give) {
		if (stands)
			return ERR_OK;
		if ((e = ref_db_consent_give(db, m->client_id, p, meth, actor->id, now)) != ERR_OK)
			return e;
		return audit_ref(db, now, actor->id, "consent.given", m->person_account, m->id, more);
	}
	if ((e = ref_db_consent_withdraw(db, m->client_id, p, actor->id, now, &changes)) != ERR_OK)
		return e;
	if (changes == 0)
		return ERR_OK;
	if ((e = audit_ref(db, now, actor->id, "consent.withdrawn", m->person_account, m->id,
			   more)) != ERR_OK)
		return e;
	if (p == CONSENT_SHARE)
		e = ref_withdraw_open(db, actor, m->client_id, m->person_account,
				  "Consent to share withdrawn", now);
	return e;
}

/* ---------------------------------------------------------------- claiming */

enum err referral_claim(struct db *db, const struct actor *actor, int64_t now, int *claimed)
{
	char lower[PERSON_EMAIL_MAX + 1], detail[64];
	char (*ids)[37];
	struct arena a;
	size_t n;
	int count = 0;
	enum err e;

	if (claimed)
		*claimed = 0;
	if (!actor || actor->id <= 0 || !actor->verified || str_is_blank(actor->email))
		return ERR_OK;
	/* The key accounts use (person.email_lower): one function for both. */
	if (!str_lower_email(actor->email, lower, sizeof(lower)))
		return ERR_OK;
	arena_init(&a);
	e = ref_db_claimable(db, &a, lower, &ids, &n);
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		int64_t changes = 0;

		if ((e = ref_db_claim(db, ids[i], actor->id, now, &changes)) != ERR_OK || changes != 1)
			continue;
		count++;
		snprintf(detail, sizeof(detail), "client=%.36s", ids[i]);
		e = audit_log(db, now, actor->id, "client.claimed", actor->id, detail, NULL, NULL);
	}
	arena_release(&a);
	if (claimed)
		*claimed = count;
	return e;
}

enum err referral_email_verified(struct db *db, int64_t person_id, const char *email, int64_t now)
{
	struct actor a = { .id = person_id, .email = email, .verified = true };

	return referral_claim(db, &a, now, NULL);
}

/* ---------------------------------------------------------------- follow-up */

#define FOLLOW_BATCH 100
#define FOLLOW_MAX_BATCHES 50

/* One batch in its own transaction: mark, then remind. *n is how many
 * were due. */
static enum err follow_batch(const struct referral_env *env, struct db *db, int64_t cutoff, int64_t now,
		size_t *n, bool *mailed)
{
	char ids[FOLLOW_BATCH][37];
	int64_t referrers[FOLLOW_BATCH];
	enum err e;

	*n = 0;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	e = ref_db_follow_due(db, cutoff, FOLLOW_BATCH, ids, referrers, n);
	for (size_t i = 0; e == ERR_OK && i < *n; i++) {
		int64_t changes = 0;

		if ((e = ref_db_follow_mark(db, ids[i], now, &changes)) != ERR_OK || changes != 1)
			continue;
		e = mail_person_account(env, db, referrers[i], "referral_follow_up", ids[i], now);
		*mailed = true;
	}
	if (e == ERR_OK)
		e = db_commit(db);
	if (e && db_in_tx(db))
		db_rollback(db);
	return e;
}

enum err referral_follow_up_run(const struct referral_env *env, struct db *db, int64_t now)
{
	int64_t cutoff = now - (int64_t)ref_follow_up_days(env) * REF_DAY;
	bool mailed = false;
	enum err e = ERR_OK;

	if (!env)
		return ERR_NOMEM;
	for (int b = 0; b < FOLLOW_MAX_BATCHES; b++) {
		size_t n = 0;

		if ((e = follow_batch(env, db, cutoff, now, &n, &mailed)) != ERR_OK || n < FOLLOW_BATCH)
			break;
	}
	return e;
}
