/*
 * privacy_feature.c - download my data, and erasure, across features.
 *
 * The person's own record comes first, then each feature adds what it
 * holds under its own key. Erasure publishes EV_PERSON_ERASING to
 * every feature that subscribes (later features first, as they may point at earlier ones' rows), then
 * person_erase(), then records the erasure in the audit log, all in one
 * transaction: a person is erased entirely or not at all.
 */
#include "core/common.h"
#include "app/app.h"
#include "app/features.h"
#include "audit/audit.h"
#include "auth/person.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "privacy/privacy.h"
#include "store/store.h"

enum err privacy_export(struct db *db, int64_t person_id, int64_t now, json_t **out)
{
	struct arena a;
	struct person p;
	char ts[32];
	json_t *doc;
	enum err e;

	arena_init(&a);
	e = person_get(db, &a, person_id, &p);
	if (e) {
		arena_release(&a);
		return e;
	}
	time_iso8601(now, ts, sizeof(ts));
	doc = json_pack("{s:s, s:s, s:o}", "generated_at", ts,
			"about", "Everything this service holds about you, as of generated_at.",
			"person", person_json(&p, true));
	arena_release(&a);
	if (!doc)
		return ERR_NOMEM;
	for (size_t i = 0; i < features_n; i++) {
		if (!features[i]->export_person)
			continue;
		e = features[i]->export_person(db, person_id, now, doc);
		if (e) {
			log_error("privacy: export by %s failed: %s", features[i]->name, err_name(e));
			json_decref(doc);
			return e;
		}
	}
	*out = doc;
	return ERR_OK;
}

enum err privacy_erase(const struct event_bus *bus, struct db *db, int64_t person_id, int64_t now)
{
	enum err e;

	if ((e = event_publish(bus, &(struct event){ .kind = EV_PERSON_ERASING, .db = db, .now = now,
			.person_id = person_id })) != ERR_OK) {
		log_error("privacy: erasing person %lld failed: %s", (long long)person_id, err_name(e));
		return e;
	}
	if ((e = person_erase(db, person_id, now)) != ERR_OK)
		return e;
	return audit_log(db, now, 0, "account.erased", person_id, NULL, NULL, NULL);
}

/* The erasure job: people whose grace period has passed. */
static enum err erase_due(struct app *app, struct db *db, int64_t now)
{
	int64_t ids[64];
	size_t n = 0;
	enum err e;

	if ((e = person_due_erasure(db, now, ids, ARRAY_LEN(ids), &n)) != ERR_OK)
		return e;
	for (size_t i = 0; i < n; i++) {
		if ((e = db_begin(db)) != ERR_OK)
			return e;
		e = privacy_erase(&app->events, db, ids[i], now);
		if (e == ERR_OK)
			e = db_commit(db);
		if (e) {
			db_rollback(db);
			return e;
		}
		log_info("privacy: erased person %lld at the end of their grace period", (long long)ids[i]);
	}
	return ERR_OK;
}

static const struct job jobs[] = {
	{ "erase-due-accounts", 600, erase_due },
};

const struct feature privacy_feature = {
	.name = "privacy", .jobs = jobs, .njobs = ARRAY_LEN(jobs),
};
