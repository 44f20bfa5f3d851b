/*
 * event.c - the publish half of the event bus: a loop over the
 * subscriptions the app gathered from its features.
 */
#include "core/common.h"
#include "core/event.h"
#include "core/log.h"

/* Each kind's name, and whether it is a teardown, whose subscribers run
 * last feature first (their rows may point at earlier features'). */
static const struct { const char *name; bool teardown; } kinds[EV__MAX] = {
	[EV_EMAIL_VERIFIED] = { "email_verified", false },
	[EV_PERSON_ERASING] = { "person_erasing", true },
	[EV_ROLE_CHANGED] = { "role_changed", false },
	[EV_REFERRAL_MOVED] = { "referral_moved", false },
	[EV_ATTENDANCE_RECORDED] = { "attendance_recorded", false },
};

const char *event_name(enum event_kind k)
{
	return (unsigned)k < EV__MAX ? kinds[k].name : "unknown";
}

enum err event_publish(const struct event_bus *bus, const struct event *ev)
{
	bool reverse = (unsigned)ev->kind < EV__MAX && kinds[ev->kind].teardown;
	size_t n = bus ? bus->n : 0;
	enum err e;

	for (size_t k = 0; k < n; k++) {
		const struct subscription *s = bus->subs[reverse ? n - 1 - k : k];

		if (s->kind != ev->kind)
			continue;
		struct event with = *ev;

		with.owner = bus->owner;
		if ((e = s->fn(&with)) != ERR_OK) {
			log_warn("event %s: a subscriber failed: %s", event_name(ev->kind), err_name(e));
			return e;
		}
	}
	return ERR_OK;
}
