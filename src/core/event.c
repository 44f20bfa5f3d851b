/*
 * event.c - the publish half of the event bus: a loop over the
 * subscriptions the app gathered from its features.
 */
#include "core/common.h"
#include "core/event.h"
#include "core/log.h"

static const char *const names[EV__MAX] = {
	[EV_EMAIL_VERIFIED] = "email_verified",
	[EV_PERSON_ERASING] = "person_erasing",
	[EV_ROLE_CHANGED] = "role_changed",
	[EV_REFERRAL_MOVED] = "referral_moved",
};

const char *event_name(enum event_kind k)
{
	return (unsigned)k < EV__MAX ? names[k] : "unknown";
}

enum err event_publish(const struct event_bus *bus, const struct event *ev)
{
	enum err e;

	/* Erasure is a teardown: later features (whose rows may point at
	 * earlier ones') go first. */
	bool reverse = ev->kind == EV_PERSON_ERASING;
	size_t n = bus ? bus->n : 0;

	for (size_t k = 0; k < n; k++) {
		const struct subscription *s = bus->subs[reverse ? n - 1 - k : k];

		if (s->kind != ev->kind)
			continue;
		if ((e = s->fn(ev)) != ERR_OK) {
			log_warn("event %s: a subscriber failed: %s", event_name(ev->kind), err_name(e));
			return e;
		}
	}
	return ERR_OK;
}
