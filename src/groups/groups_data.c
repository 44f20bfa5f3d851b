/*
 * groups_data.c - the groups feature's part of "download my data" and of
 * erasing an account, and its demo data.
 */
#include "core/common.h"
#include "groups/groups_int.h"

#include "auth/person.h"
#include "core/demo.h"
#include "core/str.h"
#include "core/uktime.h"
#include "people/people.h"
#include "store/store.h"

#include <stdio.h>

/* ---------------------------------------------------------------- export */

static const struct sql q_x_groups = { "group.export_groups",
	"SELECT s.name, m.joined_at, 'member' FROM group_member m JOIN service s ON s.id = m.service_id "
	"WHERE m.person_id = $1 UNION ALL "
	"SELECT s.name, h.added_at, 'host' FROM group_host h JOIN service s ON s.id = h.service_id "
	"WHERE h.person_id = $1 ORDER BY 2, 1", NULL };
static const struct sql q_x_rsvps = { "group.export_rsvps",
	"SELECT s.name, r.skey, r.state, r.series, r.at FROM group_rsvp r JOIN service s ON s.id = r.service_id "
	"WHERE r.person_id = $1 ORDER BY r.skey, s.name", NULL };
static const struct sql q_x_attended = { "group.export_attended",
	"SELECT s.name, g.held_on FROM group_attendance a JOIN group_register g ON g.service_id = a.service_id "
	"AND g.skey = a.skey JOIN service s ON s.id = a.service_id WHERE a.person_id = $1 "
	"ORDER BY g.held_on, s.name", NULL };
static const struct sql q_x_messages = { "group.export_messages",
	"SELECT s.name, m.body, m.sent_at FROM group_message m JOIN service s ON s.id = m.service_id "
	"WHERE m.author_id = $1 ORDER BY m.sent_at, m.id", NULL };
static const struct sql q_x_feed = { "group.export_feed",
	"SELECT created_at FROM calendar_feed WHERE person_id = $1", NULL };

static json_t *x_group(struct db_res *r, void *ctx)
{
	UNUSED(ctx);
	return json_pack("{s:s, s:s, s:I}", "group", db_text(r, 0), "as", db_text(r, 2),
			 "since", (json_int_t)db_int(r, 1));
}

static json_t *x_rsvp(struct db_res *r, void *ctx)
{
	UNUSED(ctx);
	return json_pack("{s:s, s:s, s:s, s:b, s:I}", "group", db_text(r, 0), "session", db_text(r, 1),
			 "state", db_text(r, 2), "every_session", db_int(r, 3) != 0, "said_at", (json_int_t)db_int(r, 4));
}

static json_t *x_attended(struct db_res *r, void *ctx)
{
	UNUSED(ctx);
	return json_pack("{s:s, s:s}", "group", db_text(r, 0), "day", db_text(r, 1));
}

static json_t *x_message(struct db_res *r, void *ctx)
{
	UNUSED(ctx);
	return json_pack("{s:s, s:s, s:I}", "group", db_text(r, 0), "message", db_text(r, 1),
			 "sent_at", (json_int_t)db_int(r, 2));
}

enum err group_export_person(struct db *db, int64_t person_id, int64_t now, json_t *out)
{
	json_t *groups = NULL, *rsvps = NULL, *attended = NULL, *messages = NULL;
	int64_t feed = 0;
	enum err e;

	UNUSED(now);
	if ((e = db_rows_json(db, &q_x_groups, DB_ARGS(DB_INT(person_id)), x_group, NULL, &groups)) ||
	    (e = db_rows_json(db, &q_x_rsvps, DB_ARGS(DB_INT(person_id)), x_rsvp, NULL, &rsvps)) ||
	    (e = db_rows_json(db, &q_x_attended, DB_ARGS(DB_INT(person_id)), x_attended, NULL, &attended)) ||
	    (e = db_rows_json(db, &q_x_messages, DB_ARGS(DB_INT(person_id)), x_message, NULL, &messages))) {
		json_decref(groups);
		json_decref(rsvps);
		json_decref(attended);
		return e;
	}
	e = db_query_int(db, &q_x_feed, DB_ARGS(DB_INT(person_id)), &feed);
	if (e && e != ERR_NOT_FOUND) {
		json_decref(groups);
		json_decref(rsvps);
		json_decref(attended);
		json_decref(messages);
		return e;
	}
	json_t *g = json_pack("{s:o, s:o, s:o, s:o, s:b}", "groups", groups, "going", rsvps,
			      "attended", attended, "messages_sent", messages, "calendar_feed", feed > 0);
	if (!g || json_object_set_new(out, "groups", g) != 0)
		return ERR_NOMEM;
	return ERR_OK;
}

/* ---------------------------------------------------------------- erase */

static const struct sql q_e_rsvp_groups = { "group.erase_rsvp_groups",
	"SELECT DISTINCT service_id FROM group_rsvp WHERE person_id = $1 "
	"UNION SELECT service_id FROM group_series WHERE person_id = $1", NULL };
static const struct sql q_e_attendance = { "group.erase_attendance",
	"UPDATE group_attendance SET person_id = NULL, walk_in = 'Someone whose account was erased' "
	"WHERE person_id = $1", NULL };
static const struct sql q_e_member = { "group.erase_member",
	"DELETE FROM group_member WHERE person_id = $1", NULL };
static const struct sql q_e_host = { "group.erase_host", "DELETE FROM group_host WHERE person_id = $1", NULL };
static const struct sql q_e_messages = { "group.erase_messages",
	"UPDATE group_message SET author_id = NULL WHERE author_id = $1", NULL };
static const struct sql q_e_rsvps = { "group.erase_rsvps", "DELETE FROM group_rsvp WHERE person_id = $1", NULL };
static const struct sql q_e_skips = { "group.erase_skips",
	"DELETE FROM group_series_skip WHERE person_id = $1", NULL };
static const struct sql q_e_feed = { "group.erase_feed", "DELETE FROM calendar_feed WHERE person_id = $1", NULL };

enum err group_erase_person(struct db *db, int64_t person_id, int64_t now)
{
	struct db_res *r;
	json_t *ids = json_array();
	enum err e;

	if (!ids)
		return ERR_NOMEM;
	/* Their places go to whoever is waiting (nobody is emailed from
	 * here: the next person's page and reminder say they are going). */
	if ((e = db_query(db, &q_e_rsvp_groups, DB_ARGS(DB_INT(person_id)), &r)) == ERR_OK) {
		while ((e = db_next(r)) == ERR_OK && db_row(r))
			json_array_append_new(ids, json_string(db_text(r, 0)));
		db_res_free(r);
	}
	for (size_t i = 0; e == ERR_OK && i < json_array_size(ids); i++)
		e = group_series_stop(NULL, db, json_string_value(json_array_get(ids, i)), person_id, now, true);
	json_decref(ids);
	if (e == ERR_OK)
		e = group_touch(db);
	/* Sessions they came to still count (as someone, not them). */
	if (e == ERR_OK)
		e = db_exec(db, &q_e_attendance, DB_ARGS(DB_INT(person_id)), NULL);
	if (e == ERR_OK)
		e = db_exec(db, &q_e_rsvps, DB_ARGS(DB_INT(person_id)), NULL);
	if (e == ERR_OK)
		e = db_exec(db, &q_e_skips, DB_ARGS(DB_INT(person_id)), NULL);
	if (e == ERR_OK)
		e = db_exec(db, &q_e_member, DB_ARGS(DB_INT(person_id)), NULL);
	if (e == ERR_OK)
		e = db_exec(db, &q_e_host, DB_ARGS(DB_INT(person_id)), NULL);
	if (e == ERR_OK)
		e = db_exec(db, &q_e_messages, DB_ARGS(DB_INT(person_id)), NULL);
	if (e == ERR_OK)
		e = db_exec(db, &q_e_feed, DB_ARGS(DB_INT(person_id)), NULL);
	return e;
}

/* ---------------------------------------------------------------- demo */

#define DEMO_GROUPS 3
#define DAY INT64_C(86400)

static const struct sql q_d_services = { "group.demo_services",
	"SELECT id FROM service WHERE organisation_id = $1 AND state = 'published' AND scheds <> '' "
	"ORDER BY (flags & 32) DESC, name, id LIMIT 3", NULL };
static const struct sql q_d_clear = { "group.demo_clear",
	"DELETE FROM community_group WHERE service_id = $1", NULL };
static const struct sql q_d_message = { "group.demo_message",
	"INSERT INTO group_message (service_id, author_id, body, sent_at) VALUES ($1, $2, $3, $4)", NULL };

static const struct {
	const char *welcome, *who_for, *members_only;
	int capacity;
	bool show_count, sensitive;
} demo_groups[DEMO_GROUPS] = {
	{ "Everyone is welcome. We walk at an easy pace for about an hour, and finish with a cup of tea. "
	  "You do not need to book: just come along, or tell us you are coming so we can look out for you.",
	  "Anyone who would like to be a bit more active, at their own pace. Carers and friends too.",
	  "If you are running late, ring David on 07700 900123 and we will wait.", 0, true, false },
	{ "A short, flat walk with plenty of stops and a bench at the half-way point. Several of us live "
	  "with a lung or heart condition, so nobody minds going slowly.",
	  "Anyone who finds longer walks hard, including people living with COPD or a heart condition, "
	  "and the people who care for them.",
	  "We meet by the side door of the library. Ring the bell if it is closed.", 16, true, true },
	{ "A friendly walk followed by lunch at the community cafe for anyone who would like to stay.",
	  "Anyone who would like company and some fresh air.", "", 12, false, false },
};

static const char *const demo_messages[] = {
	"Thank you all for coming last week. The new route by the river went down well, so we will do it again.",
	"A reminder that we start ten minutes earlier from next month, as the evenings draw in.",
};

enum err group_demo(struct db *db, const struct demo_opts *opts)
{
	struct person host, member;
	struct db_res *r;
	struct arena a;
	char ids[DEMO_GROUPS][37];
	size_t n = 0;
	int64_t now = opts->now, today = uk_local_day(now);
	enum err e;

	arena_init(&a);
	if ((e = person_find_email(db, &a, "peer@demo.kith.test", &host)) != ERR_OK ||
	    (e = person_find_email(db, &a, "member@demo.kith.test", &member)) != ERR_OK) {
		arena_release(&a);
		return e == ERR_NOT_FOUND ? ERR_OK : e;   /* no demo people: nothing to host with */
	}
	if ((e = db_query(db, &q_d_services, DB_ARGS(DB_TEXT(PEOPLE_DEMO_ORG)), &r)) == ERR_OK) {
		while ((e = db_next(r)) == ERR_OK && db_row(r) && n < DEMO_GROUPS)
			str_copy(ids[n++], 37, db_text(r, 0));
		db_res_free(r);
	}
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		struct group_fields f = {
			.welcome = demo_groups[i].welcome, .who_for = demo_groups[i].who_for,
			.members_only = demo_groups[i].members_only, .capacity = demo_groups[i].capacity,
			.show_count = demo_groups[i].show_count, .sensitive = demo_groups[i].sensitive, .open = true,
		};
		struct group_session *v;
		size_t nv;

		if ((e = db_exec(db, &q_d_clear, DB_ARGS(DB_TEXT(ids[i])), NULL)) ||
		    (e = group_create(db, ids[i], &f, 0, now - 60 * DAY, NULL)))
			break;
		if ((e = group_host_add(db, ids[i], "peer@demo.kith.test", 0, now - 60 * DAY, NULL)))
			break;
		if (i > 0)
			continue;
		/* The first group: the member goes to every session, there is a
		 * message from the host, and one session is cancelled. */
		if ((e = group_join(NULL, db, ids[i], member.id, now - 30 * DAY)) ||
		    (e = group_series_join(NULL, db, ids[i], member.id, now)) ||
		    (e = group_join(NULL, db, ids[i], host.id, now - 30 * DAY)))
			break;
		for (size_t k = 0; e == ERR_OK && k < ARRAY_LEN(demo_messages); k++)
			e = db_exec(db, &q_d_message, DB_ARGS(DB_TEXT(ids[i]), DB_INT(host.id), DB_TEXT(demo_messages[k]),
				    DB_INT(now - (int64_t)(10 - 7 * k) * DAY)), NULL);
		if (e == ERR_OK && (e = group_sessions(db, &a, ids[i], today + 8, today + 8 + 40, today, &v, &nv)) ==
		    ERR_OK && nv > 1)
			e = group_session_cancel(NULL, db, ids[i], v[1].skey, "The hall is closed for repairs that day.",
						 host.id, now, NULL);
	}
	arena_release(&a);
	if (e == ERR_OK && opts->out)
		fprintf(opts->out, "Groups: %zu in the demo town (the member goes to the first; the peer "
			"supporter hosts them).\n", n);
	return e;
}
