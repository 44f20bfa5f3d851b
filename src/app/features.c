/*
 * features.c - every feature, once. The order is the order of the route
 * tables (metrics labels) and of demo seeding: a feature seeds after the
 * ones it depends on.
 */
#include "core/common.h"
#include "app/features.h"
#include "account/account.h"
#include "audit/audit_feature.h"
#include "auth/auth_feature.h"
#include "directory/directory.h"
#include "directory/directory_feature.h"
#include "groups/calendar.h"
#include "groups/groups.h"
#include "groups/register.h"
#include "mail/mail.h"
#include "oruk/feed_feature.h"
#include "ops/ops.h"
#include "peer/peer.h"
#include "people/people.h"
#include "privacy/privacy.h"
#include "referral/referral.h"
#include "site/site.h"
#include "talk/talk_feature.h"
#include "timebank/timebank_feature.h"

/* The directory's demo data (src/directory/demo.c). */

const struct feature *const features[] = {
	&site_feature,
	&ops_feature,
	&people_feature,
	&oruk_feature,                /* /api/oruk, kith directory import/export, the index's sync */
	&directory_feature,           /* /find, services, organisations */
	&directory_manage_feature,    /* organisers' and coordinators' pages, freshness */
	&directory_words_feature,     /* /directory/words: compounds and synonyms for search */
	&oruk_feeds_feature,          /* kith directory pull / feed: councils' live ORUK APIs on a schedule */
	&claim_feature,               /* organisations to bring on, and their claim links */
	&auth_feature,
	&audit_feature,
	&account_feature,
	&account_api_feature,
	&people_admin_feature,
	&privacy_feature,
	&mail_feature,
	&directory_demo_feature,      /* after people: it gives the demo organisation services */
	&referral_feature,            /* referral pages, follow-ups; demo referrals (after the directory's) */
	&referral_api_feature,        /* /api/v1/referrals, /fhir */
	&peer_feature,                /* peer support: kith match solve */
	&groups_feature,              /* groups and their sessions (after the directory's demo services) */
	&group_register_feature,      /* the register of a session, participation counts, the attendance API */
	&group_calendar_feature,      /* groups' calendar files and a person's private feed */
	&group_events_api_feature,    /* /api/v1/events: sessions near a place, "I'm going" */
	&talk_feature,                /* conversations: spaces, topics, posts (demo after the groups') */
	&talk_moderate_feature,       /* conversations' moderation: the queue, actions, spaces, words */
	&talk_api_feature,            /* /api/v1/spaces, topics, posts, flags */
	&timebank_feature,            /* the timebank's ledger: kith timebank check */
	&timebank_api_feature,        /* /api/v1/timebank: accounts and transfers */
};
const size_t features_n = ARRAY_LEN(features);
