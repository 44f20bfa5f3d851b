/*
 * event.h - features tell each other what happened.
 *
 * A feature that does something others may care about publishes an event
 * inside the transaction that did it ("this person confirmed their email
 * address"); every feature that subscribed to that kind is called, in
 * feature-list order (EV_PERSON_ERASING, a teardown, in reverse), in the
 * same transaction, so what they do commits or
 * rolls back with it. A subscriber's error fails the publisher's request.
 * The publisher names no subscriber: adding one edits only the subscribing
 * feature (its struct feature's subscriptions).
 *
 * The bus is built once per app from its features (src/app/app.c) and
 * handed to publishers; it holds no other state.
 */
#ifndef KITH_EVENT_H
#define KITH_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct db;

enum event_kind {
	EV_EMAIL_VERIFIED,       /* person_id confirmed email (a new account or a changed address) */
	EV_PERSON_ERASING,       /* person_id's account is being erased: remove or anonymise
	                            what is about them; the person row goes after */
	EV_ROLE_CHANGED,         /* person_id was granted or lost role (granted says which) */
	EV_REFERRAL_MOVED,       /* referral_id moved to status */
	EV_ATTENDANCE_RECORDED,  /* a register says person_id (or client_id) came to a session
	                            of group service_id on day (groups/) */
	EV__MAX
};

const char *event_name(enum event_kind k);

struct event {
	enum event_kind kind;
	struct db *db;           /* the publisher's connection, inside its transaction */
	int64_t now;
	int64_t person_id;       /* whom it is about (0 if nobody) */
	int64_t actor_id;        /* who did it (0 for the system or a visitor) */
	const char *email;       /* EV_EMAIL_VERIFIED: the address confirmed */
	int role;                /* EV_ROLE_CHANGED: enum role */
	int granted;             /* EV_ROLE_CHANGED: 1 granted, 0 removed */
	const char *referral_id; /* EV_REFERRAL_MOVED */
	const char *status;      /* EV_REFERRAL_MOVED: the new status's name */
	const char *client_id;   /* EV_ATTENDANCE_RECORDED: a referred person's record, or NULL */
	const char *service_id;  /* EV_ATTENDANCE_RECORDED: the group (its service's id) */
	const char *day;         /* EV_ATTENDANCE_RECORDED: the UK day they came, YYYY-MM-DD */
	void *owner;             /* set by event_publish: the bus's owner (the application), or NULL */
};

/* What a feature listens for; a feature's list ends with fn NULL. */
struct subscription {
	enum event_kind kind;
	enum err (*fn)(const struct event *ev);
};

struct event_bus {
	const struct subscription **subs;   /* every feature's, in feature-list order */
	size_t n;
	void *owner;                        /* the app the bus belongs to (opaque here): a
	                                       subscriber in a feature's web layer reaches its
	                                       settings and mailer through it (event.owner) */
};

/* Calls every subscriber of ev->kind; stops at the first error and
 * returns it. A NULL bus has no subscribers. */
enum err event_publish(const struct event_bus *bus, const struct event *ev);

#endif
