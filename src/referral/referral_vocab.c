/*
 * referral_vocab.c - the vocabularies of referrals: statuses, sources,
 * target types, ways to be contacted, consent purposes and methods (each
 * a name as stored and in the API, and words for pages), and the coded
 * lists of needs and of reasons for declining and closing.
 *
 * A file of its own below the rules and the SQL: referral_db.c reads and
 * writes these names and referral.c decides with them, so neither has to
 * call the other for them. Tables only, indexed by the enums of
 * referral.h.
 */
#include "core/common.h"
#include "referral/referral.h"

static const struct { const char *name, *words; } statuses[REF__MAX] = {
	[REF_SENT] = { "sent", "Sent" },
	[REF_ACCEPTED] = { "accepted", "Accepted" },
	[REF_DECLINED] = { "declined", "Declined" },
	[REF_CONTACTED] = { "contacted", "Contacted" },
	[REF_ATTENDED] = { "attended", "Attended" },
	[REF_SUSTAINED] = { "sustained", "Still attending" },
	[REF_CLOSED] = { "closed", "Closed" },
	[REF_WITHDRAWN] = { "withdrawn", "Withdrawn" },
};

static const struct { const char *name, *words; } sources[REF_SRC__MAX] = {
	[REF_SRC_LINK_WORKER] = { "link_worker", "Link worker" },
	[REF_SRC_GP_PRACTICE] = { "gp_practice", "GP practice" },
	[REF_SRC_ORGANISER] = { "organiser", "Organiser" },
	[REF_SRC_SELF] = { "self", "Self-referral" },
	[REF_SRC_EXTERNAL] = { "external", "Another system" },
};

static const char *const target_names[REF_TARGET__MAX] = {
	[REF_TARGET_SERVICE] = "service", [REF_TARGET_GROUP] = "group",
	[REF_TARGET_PEER] = "peer", [REF_TARGET_HELP] = "help_request",
};

static const struct { const char *name, *words; } contacts[CONTACT__MAX] = {
	[CONTACT_EMAIL] = { "email", "By email" },
	[CONTACT_PHONE] = { "phone", "By phone" },
	[CONTACT_POST] = { "post", "By post" },
	[CONTACT_LINK_WORKER] = { "link_worker", "Through their link worker" },
};

static const struct { const char *name, *words; } purposes[CONSENT__MAX] = {
	[CONSENT_SHARE] = { "share", "Share my details with the organisation I am referred to" },
	[CONSENT_CONTACT] = { "contact", "Contact me by email or text message about this referral" },
	[CONSENT_OUTCOME] = { "outcome", "Tell the person who referred me how it went" },
};

static const char *const methods[CONSENT_METHOD__MAX] = {
	[CONSENT_VERBAL] = "verbal", [CONSENT_WRITTEN] = "written", [CONSENT_ONLINE] = "online",
};

/* Entries may be added at the end; never reordered (each is a bit in
 * referral.needs). The areas follow NHS England's social prescribing
 * information standard's "what matters to me" topics. No SNOMED CT code
 * is given where no single concept fits the whole topic. */
const struct ref_code ref_needs[] = {
	{ "loneliness", "Loneliness and isolation", NULL },
	{ "physical_activity", "Being more physically active", NULL },
	{ "mental_wellbeing", "Mental wellbeing", NULL },
	{ "money", "Money, debt and benefits", NULL },
	{ "housing", "Housing", NULL },
	{ "long_term_condition", "Managing a long-term condition", NULL },
	{ "caring", "Caring for someone", NULL },
	{ "practical_help", "Practical help at home", NULL },
	{ "food", "Food and healthy eating", NULL },
	{ "work", "Work, training and volunteering", NULL },
	{ "learning", "Learning and new skills", NULL },
	{ "bereavement", "Bereavement and loss", NULL },
	{ "getting_out", "Getting out and about", NULL },
	{ "relationships", "Family and relationships", NULL },
	{ "digital", "Getting online", NULL },
	{ "creativity", "Arts and creativity", NULL },
};
const size_t ref_needs_n = ARRAY_LEN(ref_needs);

const struct ref_code ref_decline_reasons[] = {
	{ "full", "The service is full", NULL },
	{ "not_suitable", "The service is not suitable for the person", NULL },
	{ "outside_area", "The person lives outside the area the service covers", NULL },
	{ "person_declined", "The person decided not to go ahead", NULL },
	{ "other", "Another reason", NULL },
};
const size_t ref_decline_reasons_n = ARRAY_LEN(ref_decline_reasons);

const struct ref_code ref_close_reasons[] = {
	{ "completed", "The person got what they needed", NULL },
	{ "stopped_attending", "The person stopped attending", NULL },
	{ "could_not_contact", "We could not get in touch with the person", NULL },
	{ "person_declined", "The person decided not to go ahead", NULL },
	{ "moved_away", "The person moved away", NULL },
	{ "service_ended", "The service has ended", NULL },
	{ "other", "Another reason", NULL },
};
const size_t ref_close_reasons_n = ARRAY_LEN(ref_close_reasons);

const char *ref_status_name(enum ref_status s)
{
	return (unsigned)s < REF__MAX ? statuses[s].name : "";
}

const char *ref_status_words(enum ref_status s)
{
	return (unsigned)s < REF__MAX ? statuses[s].words : "";
}

bool ref_status_parse(const char *name, enum ref_status *out)
{
	for (int i = 0; name && i < REF__MAX; i++)
		if (strcmp(name, statuses[i].name) == 0) {
			*out = (enum ref_status)i;
			return true;
		}
	return false;
}

bool ref_status_open(enum ref_status s)
{
	return s == REF_SENT || s == REF_ACCEPTED || s == REF_CONTACTED || s == REF_ATTENDED ||
	       s == REF_SUSTAINED;
}

const char *ref_source_name(enum ref_source s)
{
	return (unsigned)s < REF_SRC__MAX ? sources[s].name : "";
}

const char *ref_source_words(enum ref_source s)
{
	return (unsigned)s < REF_SRC__MAX ? sources[s].words : "";
}

bool ref_source_parse(const char *name, enum ref_source *out)
{
	for (int i = 0; name && i < REF_SRC__MAX; i++)
		if (strcmp(name, sources[i].name) == 0) {
			*out = (enum ref_source)i;
			return true;
		}
	return false;
}

const char *ref_target_name(enum ref_target t)
{
	return (unsigned)t < REF_TARGET__MAX ? target_names[t] : "";
}

bool ref_target_parse(const char *name, enum ref_target *out)
{
	for (int i = 0; name && i < REF_TARGET__MAX; i++)
		if (strcmp(name, target_names[i]) == 0) {
			*out = (enum ref_target)i;
			return true;
		}
	return false;
}

const char *contact_by_name(enum contact_by c)
{
	return (unsigned)c < CONTACT__MAX ? contacts[c].name : "";
}

const char *contact_by_words(enum contact_by c)
{
	return (unsigned)c < CONTACT__MAX ? contacts[c].words : "";
}

bool contact_by_parse(const char *name, enum contact_by *out)
{
	for (int i = 0; name && i < CONTACT__MAX; i++)
		if (strcmp(name, contacts[i].name) == 0) {
			*out = (enum contact_by)i;
			return true;
		}
	return false;
}

const char *consent_purpose_name(enum consent_purpose p)
{
	return (unsigned)p < CONSENT__MAX ? purposes[p].name : "";
}

const char *consent_purpose_words(enum consent_purpose p)
{
	return (unsigned)p < CONSENT__MAX ? purposes[p].words : "";
}

bool consent_purpose_parse(const char *name, enum consent_purpose *out)
{
	for (int i = 0; name && i < CONSENT__MAX; i++)
		if (strcmp(name, purposes[i].name) == 0) {
			*out = (enum consent_purpose)i;
			return true;
		}
	return false;
}

const char *consent_method_name(enum consent_method m)
{
	return (unsigned)m < CONSENT_METHOD__MAX ? methods[m] : "";
}

bool consent_method_parse(const char *name, enum consent_method *out)
{
	for (int i = 0; name && i < CONSENT_METHOD__MAX; i++)
		if (strcmp(name, methods[i]) == 0) {
			*out = (enum consent_method)i;
			return true;
		}
	return false;
}

static const struct { const char *name, *words; } step_methods[STEP_METHOD__MAX] = {
	[STEP_PHONE] = { "phone", "By phone" },
	[STEP_IN_PERSON] = { "in_person", "In person" },
	[STEP_EMAIL] = { "email", "By email" },
	[STEP_TEXT] = { "text", "By text message" },
	[STEP_LETTER] = { "letter", "By letter" },
	[STEP_ONLINE] = { "online", "Online, by video call" },
};

const char *step_method_name(enum step_method m)
{
	return (unsigned)m < STEP_METHOD__MAX ? step_methods[m].name : "";
}

const char *step_method_words(enum step_method m)
{
	return (unsigned)m < STEP_METHOD__MAX ? step_methods[m].words : "";
}

bool step_method_parse(const char *name, enum step_method *out)
{
	for (int i = 0; name && i < STEP_METHOD__MAX; i++)
		if (strcmp(name, step_methods[i].name) == 0) {
			*out = (enum step_method)i;
			return true;
		}
	return false;
}

bool ref_status_dated(enum ref_status s)
{
	return s == REF_CONTACTED || s == REF_ATTENDED || s == REF_SUSTAINED;
}

int ref_code_find(const struct ref_code *table, size_t n, const char *code)
{
	for (size_t i = 0; code && i < n; i++)
		if (strcmp(table[i].code, code) == 0)
			return (int)i;
	return -1;
}
