/*
 * test_event.c - the event bus: subscribers of a kind are called in
 * feature order (erasure in reverse), others are not, and the first
 * failure stops the rest and reaches the publisher.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "core/event.h"

static char calls[64];

static void note(char c)
{
	size_t n = strlen(calls);

	if (n + 1 < sizeof(calls)) {
		calls[n] = c;
		calls[n + 1] = '\0';
	}
}

static enum err a(const struct event *ev) { note('a'); return ev->person_id == 7 ? ERR_CONFLICT : ERR_OK; }
static void *seen_owner;
static enum err b(const struct event *ev) { seen_owner = ev->owner; note('b'); return ERR_OK; }
static enum err c(const struct event *ev) { UNUSED(ev); note('c'); return ERR_OK; }

static const struct subscription sa = { EV_EMAIL_VERIFIED, a };
static const struct subscription sb = { EV_EMAIL_VERIFIED, b };
static const struct subscription sc = { EV_ROLE_CHANGED, c };
static const struct subscription ea = { EV_PERSON_ERASING, a };
static const struct subscription eb = { EV_PERSON_ERASING, b };

static void order_and_kinds(void **state)
{
	const struct subscription *subs[] = { &sa, &sc, &sb, &ea, &eb };
	int owner;
	struct event_bus bus = { subs, ARRAY_LEN(subs), &owner };

	UNUSED(state);
	calls[0] = '\0';
	assert_int_equal(event_publish(&bus, &(struct event){ .kind = EV_EMAIL_VERIFIED }), ERR_OK);
	assert_string_equal(calls, "ab");
	/* Subscribers are handed the bus's owner (the app). */
	assert_ptr_equal(seen_owner, &owner);
	calls[0] = '\0';
	assert_int_equal(event_publish(&bus, &(struct event){ .kind = EV_ROLE_CHANGED }), ERR_OK);
	assert_string_equal(calls, "c");
	/* Erasure is a teardown: the later feature goes first. */
	calls[0] = '\0';
	assert_int_equal(event_publish(&bus, &(struct event){ .kind = EV_PERSON_ERASING }), ERR_OK);
	assert_string_equal(calls, "ba");
	/* Nobody listening is not an error. */
	calls[0] = '\0';
	assert_int_equal(event_publish(&bus, &(struct event){ .kind = EV_REFERRAL_MOVED }), ERR_OK);
	assert_int_equal(event_publish(NULL, &(struct event){ .kind = EV_EMAIL_VERIFIED }), ERR_OK);
	assert_string_equal(calls, "");
	assert_string_equal(event_name(EV_PERSON_ERASING), "person_erasing");
}

static void first_failure_stops(void **state)
{
	const struct subscription *subs[] = { &sa, &sb };
	struct event_bus bus = { subs, ARRAY_LEN(subs), NULL };

	UNUSED(state);
	calls[0] = '\0';
	assert_int_equal(event_publish(&bus, &(struct event){ .kind = EV_EMAIL_VERIFIED, .person_id = 7 }),
			 ERR_CONFLICT);
	assert_string_equal(calls, "a");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(order_and_kinds),
		cmocka_unit_test(first_failure_stops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
