/*
 * vocab.c - the vocabularies. Entries may be added at the end of a table;
 * never reordered or removed, because their index is a bit in the search
 * index and their id is in every feed kith has published.
 */
#include "core/common.h"
#include "directory/vocab.h"

const char *const vocab_category_taxonomy_id = "6b6f8a62-5a51-4c57-8d0f-1b1c4a7e0c01";
const char *const vocab_condition_taxonomy_id = "6b6f8a62-5a51-4c57-8d0f-1b1c4a7e0c02";
const char *const vocab_kith_taxonomy_id = "6b6f8a62-5a51-4c57-8d0f-1b1c4a7e0c03";

const struct vocab_taxonomy vocab_taxonomies[3] = {
	{ &vocab_category_taxonomy_id, "Kith: type of support",
	  "The kinds of community support kith lists, such as walking groups and lunch clubs." },
	{ &vocab_condition_taxonomy_id, "Kith: long-term conditions",
	  "The long-term health conditions a service is for." },
	{ &vocab_kith_taxonomy_id, "Kith: how it runs",
	  "Whether a service is run by people with lived experience, and how people join it." },
};

const struct vocab_term vocab_categories[] = {
	{ "walking", "Walking and exercise", "c0a1b2c3-0001-4000-8000-00000000c001",
	  "walk walks walking health walk ramble stroll exercise fitness nordic" },
	{ "breathing", "Breathing and lung health", "c0a1b2c3-0001-4000-8000-00000000c002",
	  "breathe easy lungs breathing copd asthma singing for lung health" },
	{ "lunch-club", "Lunch clubs and social meals", "c0a1b2c3-0001-4000-8000-00000000c003",
	  "lunch club meal dinner cafe food social" },
	{ "food", "Food banks and food support", "c0a1b2c3-0001-4000-8000-00000000c004",
	  "food bank pantry parcel hunger larder" },
	{ "money", "Money, debt and benefits advice", "c0a1b2c3-0001-4000-8000-00000000c005",
	  "debt money benefits advice budgeting bills citizens" },
	{ "transport", "Community transport and lifts", "c0a1b2c3-0001-4000-8000-00000000c006",
	  "transport lift driver car bus dial-a-ride volunteer driver hospital" },
	{ "learning", "Learning and computer skills", "c0a1b2c3-0001-4000-8000-00000000c007",
	  "it computer digital skills learning class course tablet internet" },
	{ "reading", "Book clubs and reading", "c0a1b2c3-0001-4000-8000-00000000c008",
	  "book club reading library stories" },
	{ "carers", "Support for carers", "c0a1b2c3-0001-4000-8000-00000000c009",
	  "carer carers caring respite" },
	{ "dementia", "Dementia support", "c0a1b2c3-0001-4000-8000-00000000c00a",
	  "dementia memory cafe alzheimers" },
	{ "music", "Music, singing and arts", "c0a1b2c3-0001-4000-8000-00000000c00b",
	  "choir singing music art craft creative painting" },
	{ "adapted-sport", "Adapted sport and outdoor activity", "c0a1b2c3-0001-4000-8000-00000000c00c",
	  "sailability sailing riding disabled adapted sport swimming" },
	{ "mental-wellbeing", "Mental wellbeing", "c0a1b2c3-0001-4000-8000-00000000c00d",
	  "mental health wellbeing anxiety depression mood talking" },
	{ "peer-support", "Peer support groups", "c0a1b2c3-0001-4000-8000-00000000c00e",
	  "peer support group self-help lived experience" },
	{ "befriending", "Befriending and company", "c0a1b2c3-0001-4000-8000-00000000c00f",
	  "befriending friend phone call loneliness isolation company visiting" },
	{ "practical-help", "Practical help at home", "c0a1b2c3-0001-4000-8000-00000000c010",
	  "shopping gardening odd jobs handyperson practical help" },
	{ "housing", "Housing advice", "c0a1b2c3-0001-4000-8000-00000000c011",
	  "housing homeless tenancy home" },
	{ "health-self-management", "Living well with a condition", "c0a1b2c3-0001-4000-8000-00000000c012",
	  "self-management expert patient course living well condition" },
};
const size_t vocab_categories_n = ARRAY_LEN(vocab_categories);

const struct vocab_term vocab_conditions[] = {
	{ "copd", "COPD and other lung conditions", "c0a1b2c3-0002-4000-8000-00000000d001", "lung copd emphysema bronchitis" },
	{ "asthma", "Asthma", "c0a1b2c3-0002-4000-8000-00000000d002", "asthma" },
	{ "diabetes", "Diabetes", "c0a1b2c3-0002-4000-8000-00000000d003", "diabetes diabetic" },
	{ "heart", "Heart conditions", "c0a1b2c3-0002-4000-8000-00000000d004", "heart cardiac angina" },
	{ "stroke", "Stroke", "c0a1b2c3-0002-4000-8000-00000000d005", "stroke" },
	{ "cancer", "Cancer", "c0a1b2c3-0002-4000-8000-00000000d006", "cancer" },
	{ "arthritis", "Arthritis and joint pain", "c0a1b2c3-0002-4000-8000-00000000d007", "arthritis joint msk" },
	{ "chronic-pain", "Long-term pain", "c0a1b2c3-0002-4000-8000-00000000d008", "pain fibromyalgia" },
	{ "dementia", "Dementia", "c0a1b2c3-0002-4000-8000-00000000d009", "dementia alzheimers memory" },
	{ "mental-health", "Mental health conditions", "c0a1b2c3-0002-4000-8000-00000000d00a", "mental health depression anxiety" },
	{ "parkinsons", "Parkinson's", "c0a1b2c3-0002-4000-8000-00000000d00b", "parkinsons" },
	{ "ms", "Multiple sclerosis", "c0a1b2c3-0002-4000-8000-00000000d00c", "ms sclerosis" },
	{ "long-covid", "Long COVID", "c0a1b2c3-0002-4000-8000-00000000d00d", "long covid" },
	{ "sight-loss", "Sight loss", "c0a1b2c3-0002-4000-8000-00000000d00e", "sight blind vision" },
	{ "hearing-loss", "Hearing loss", "c0a1b2c3-0002-4000-8000-00000000d00f", "hearing deaf" },
	{ "learning-disability", "Learning disability", "c0a1b2c3-0002-4000-8000-00000000d010", "learning disability" },
	{ "autism", "Autism", "c0a1b2c3-0002-4000-8000-00000000d011", "autism autistic" },
	{ "kidney", "Kidney disease", "c0a1b2c3-0002-4000-8000-00000000d012", "kidney renal dialysis" },
	{ "frailty", "Frailty and falls", "c0a1b2c3-0002-4000-8000-00000000d013", "frailty falls balance" },
};
const size_t vocab_conditions_n = ARRAY_LEN(vocab_conditions);

const struct vocab_term vocab_languages[] = {
	{ "en", "English", NULL, NULL }, { "cy", "Welsh", NULL, NULL },
	{ "bsl", "British Sign Language", NULL, NULL }, { "pl", "Polish", NULL, NULL },
	{ "ro", "Romanian", NULL, NULL }, { "pa", "Punjabi", NULL, NULL },
	{ "ur", "Urdu", NULL, NULL }, { "bn", "Bengali", NULL, NULL },
	{ "gu", "Gujarati", NULL, NULL }, { "ar", "Arabic", NULL, NULL },
	{ "pt", "Portuguese", NULL, NULL }, { "es", "Spanish", NULL, NULL },
	{ "lt", "Lithuanian", NULL, NULL }, { "so", "Somali", NULL, NULL },
	{ "ta", "Tamil", NULL, NULL }, { "zh", "Chinese", NULL, NULL },
	{ "tr", "Turkish", NULL, NULL }, { "fr", "French", NULL, NULL },
	{ "it", "Italian", NULL, NULL }, { "hi", "Hindi", NULL, NULL },
	{ "fa", "Persian", NULL, NULL }, { "ku", "Kurdish", NULL, NULL },
	{ "uk", "Ukrainian", NULL, NULL }, { "ru", "Russian", NULL, NULL },
};
const size_t vocab_languages_n = ARRAY_LEN(vocab_languages);

const struct vocab_term vocab_join[JOIN__MAX] = {
	[JOIN_UNKNOWN] = { "", "Ask the organiser how to join", NULL, NULL },
	[JOIN_TURN_UP] = { "turn-up", "Just turn up", "c0a1b2c3-0003-4000-8000-00000000e001", NULL },
	[JOIN_SELF_REFER] = { "self-refer", "Contact them to join", "c0a1b2c3-0003-4000-8000-00000000e002", NULL },
	[JOIN_REFERRAL] = { "referral", "Needs a referral from a GP or link worker",
			    "c0a1b2c3-0003-4000-8000-00000000e003", NULL },
};

const struct vocab_term vocab_peer_led = {
	"peer-led", "Run by people with lived experience", "c0a1b2c3-0003-4000-8000-00000000e010", NULL,
};

_Static_assert(sizeof(vocab_categories) / sizeof(vocab_categories[0]) <= VOCAB_MAX, "one bit each");
_Static_assert(sizeof(vocab_conditions) / sizeof(vocab_conditions[0]) <= VOCAB_MAX, "one bit each");
_Static_assert(sizeof(vocab_languages) / sizeof(vocab_languages[0]) <= 32, "a uint32_t");

int vocab_find(const struct vocab_term *table, size_t n, const char *code)
{
	if (!code)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (table[i].code && strcmp(table[i].code, code) == 0)
			return (int)i;
	return -1;
}

int vocab_find_id(const struct vocab_term *table, size_t n, const char *id)
{
	if (!id)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (table[i].id && strcasecmp(table[i].id, id) == 0)
			return (int)i;
	return -1;
}
