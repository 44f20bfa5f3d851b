/*
 * peer_match.c - a match once proposed (peer.h): the peer's answer, the
 * pair's messages, sharing contact details by mutual choice, the contacts
 * the peer logs (the time given), ending with feedback, and concerns.
 *
 * What each side sees follows the rule: an offer shows the peer
 * the person's first name, area and what they would like, nothing else;
 * once accepted both see the reasons and what was asked for; contact
 * details only when both have chosen to share. Coordinators see the
 * match, its contacts and concerns, never the messages.
 */
#include "core/common.h"
#include "peer/peer_int.h"

#include "core/fields.h"
#include "core/str.h"
#include "core/uktime.h"
#include "directory/vocab.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>

/* ---------------------------------------------------------------- SQL */

static const struct sql q_meta = { "peer.match_meta",
	"SELECT id, request_id, person_id, peer_id, state, expires_at FROM peer_match WHERE id = $1", NULL };
static const struct sql q_view = { "peer.match_view",
	"SELECT m.state, m.reasons, m.offered_at, m.expires_at, m.answered_at, coalesce(m.ended_at, 0), "
	"m.person_shares, m.peer_shares, a.name, a.email, a.phone, b.name, b.email, b.phone, "
	"r.district, r.wants, r.conditions, r.topics, r.ways, r.slots, r.about, r.language, "
	"m.person_helpful, m.person_words, m.peer_helpful, m.peer_words, ps.intro, coalesce(ps.ways, 0), "
	PEER_CHECK_COUNTS("m.peer_id") " "
	"FROM peer_match m JOIN peer_request r ON r.id = m.request_id "
	"JOIN person a ON a.id = m.person_id JOIN person b ON b.id = m.peer_id "
	"LEFT JOIN peer_supporter ps ON ps.person_id = m.peer_id WHERE m.id = $1", NULL };
/* The newest 500, shown oldest first. */
static const struct sql q_messages = { "peer.messages",
	"SELECT s, b, t FROM (SELECT coalesce(sender_id, 0) AS s, body AS b, sent_at AS t, id AS i "
	"FROM peer_message WHERE match_id = $1 ORDER BY sent_at DESC, id DESC LIMIT 500) newest "
	"ORDER BY t, i", NULL };
/* The peer's checks, for the ways they allow. */
static const struct sql q_ways = { "peer.ways",
	"SELECT " PEER_CHECK_COUNTS("m.peer_id") " FROM peer_match m WHERE m.id = $1", NULL };
static const struct sql q_contacts = { "peer.contacts",
	"SELECT happened_on, way, minutes, note FROM peer_contact WHERE match_id = $1 "
	"ORDER BY happened_on, id", NULL };
static const struct sql q_of_peer = { "peer.matches_of_peer",
	"SELECT m.id, m.state, pe.name, m.expires_at, r.district, r.wants, m.answered_at "
	"FROM peer_match m JOIN peer_request r ON r.id = m.request_id JOIN person pe ON pe.id = m.person_id "
	"WHERE m.peer_id = $1 AND m.state IN ('offered', 'accepted', 'ended') "
	"ORDER BY CASE m.state WHEN 'offered' THEN 0 WHEN 'accepted' THEN 1 ELSE 2 END, m.offered_at DESC "
	"LIMIT 100", NULL };
static const struct sql q_answer = { "peer.answer",
	"UPDATE peer_match SET state = $2, answered_at = $3 WHERE id = $1 AND state = 'offered' "
	"AND expires_at > $3", NULL };
static const struct sql q_request_to = { "peer.request_to",
	"UPDATE peer_request SET state = $2, waiting_since = CASE WHEN $2 = 'waiting' THEN $3 "
	"ELSE waiting_since END, updated_at = $3 WHERE id = $1", NULL };
static const struct sql q_responded = { "peer.responded",
	"UPDATE peer_supporter SET last_response_at = $2, unanswered = 0 WHERE person_id = $1", NULL };
static const struct sql q_message_add = { "peer.message_add",
	"INSERT INTO peer_message (match_id, sender_id, body, sent_at) SELECT $1, $2, $3, $4 "
	"WHERE EXISTS (SELECT 1 FROM peer_match WHERE id = $1 AND state = 'accepted')", NULL };
static const struct sql q_last_from = { "peer.last_from",
	"SELECT max(sent_at) FROM peer_message WHERE match_id = $1 AND sender_id = $2", NULL };
static const struct sql q_share_person = { "peer.share_person",
	"UPDATE peer_match SET person_shares = $2 WHERE id = $1 AND state = 'accepted'", NULL };
static const struct sql q_share_peer = { "peer.share_peer",
	"UPDATE peer_match SET peer_shares = $2 WHERE id = $1 AND state = 'accepted'", NULL };
static const struct sql q_contact_add = { "peer.contact_add",
	"INSERT INTO peer_contact (match_id, peer_id, happened_on, way, minutes, note, logged_at) "
	"SELECT $1, $2, $3, $4, $5, $6, $7 "
	"WHERE EXISTS (SELECT 1 FROM peer_match WHERE id = $1 AND state = 'accepted')", NULL };
static const struct sql q_end_person = { "peer.end_person",
	"UPDATE peer_match SET state = 'ended', ended_at = $2, ended_by = $3, person_helpful = $4, "
	"person_words = $5 WHERE id = $1 AND state = 'accepted'", NULL };
static const struct sql q_end_peer = { "peer.end_peer",
	"UPDATE peer_match SET state = 'ended', ended_at = $2, ended_by = $3, peer_helpful = $4, "
	"peer_words = $5 WHERE id = $1 AND state = 'accepted'", NULL };
/* Ended with no feedback: a peer standing down. */
static const struct sql q_end_by = { "peer.end_by",
	"UPDATE peer_match SET state = 'ended', ended_at = $2, ended_by = $3 WHERE id = $1 "
	"AND state = 'accepted'", NULL };
static const struct sql q_accepted_of = { "peer.accepted_of",
	"SELECT id FROM peer_match WHERE peer_id = $1 AND state = 'accepted' ORDER BY offered_at, id "
	"LIMIT 100", NULL };
static const struct sql q_concern_add = { "peer.concern_add",
	"INSERT INTO peer_concern (match_id, raised_by, body, raised_at) VALUES ($1, $2, $3, $4)", NULL };
static const struct sql q_coordinators = { "peer.coordinators",
	"SELECT DISTINCT r.person_id FROM person_role r JOIN person p ON p.id = r.person_id "
	"WHERE r.role = 'coordinator' AND p.deactivated_at IS NULL AND p.erased_at IS NULL "
	"ORDER BY r.person_id LIMIT 200", NULL };
static const struct sql q_concerns = { "peer.concerns",
	"SELECT c.id, c.match_id, pe.name, c.body, c.raised_at, a.name, b.name FROM peer_concern c "
	"JOIN peer_match m ON m.id = c.match_id JOIN person a ON a.id = m.person_id "
	"JOIN person b ON b.id = m.peer_id LEFT JOIN person pe ON pe.id = c.raised_by "
	"WHERE c.seen_at IS NULL ORDER BY c.raised_at, c.id LIMIT 200", NULL };
static const struct sql q_concern_seen = { "peer.concern_seen",
	"UPDATE peer_concern SET seen_by = $2, seen_at = $3 WHERE id = $1 AND seen_at IS NULL", NULL };

/* ---------------------------------------------------------------- reading */

/* The ways the match's peer's checks allow (match_tier_ways). */
static enum err tier_ways(struct db *db, const char *match_id, unsigned *ways)
{
	struct db_res *r;
	enum err e = db_query_one(db, &q_ways, DB_ARGS(DB_TEXT(match_id)), &r);

	*ways = 0;
	if (e)
		return e;
	*ways = match_tier_ways(peer_tier_at(r, 0));
	db_res_free(r);
	return ERR_OK;
}

enum err peer_match_meta(struct db *db, const char *id, struct peer_match_meta *out)
{
	struct db_res *r;
	int st;
	enum err e;

	memset(out, 0, sizeof(*out));
	if ((e = peer_row_by_id(db, &q_meta, id, &r)) != ERR_OK)
		return e;
	str_copy(out->id, sizeof(out->id), db_text(r, 0));
	str_copy(out->request_id, sizeof(out->request_id), db_text(r, 1));
	out->person_id = db_int(r, 2);
	out->peer_id = db_int(r, 3);
	st = peer_match_state_parse(db_text(r, 4));
	out->state = st < 0 ? PM_WITHDRAWN : (enum peer_match_state)st;
	out->expires_at = db_int(r, 5);
	db_res_free(r);
	return ERR_OK;
}

static const char *helpful_words(int64_t h)
{
	static const char *const w[] = { NULL, "Not helpful", "A little helpful", "Helpful",
		"Very helpful" };
	return h >= 1 && h <= 4 ? w[h] : NULL;
}

static json_t *jtext_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* The message body as lines for the page: [{text, br}], br on every line
 * but the last (a break after it). */
static json_t *lines_of(const char *body)
{
	json_t *out = json_array();
	const char *p = body;

	while (out && p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		json_array_append_new(out, json_pack("{s:s%, s:b}", "text", p, n, "br", nl && nl[1]));
		p = nl ? nl + 1 : NULL;
	}
	return out;
}

static enum err add_messages(struct db *db, struct arena *a, const struct peer_match_meta *m,
		int64_t viewer, const char *person_first, const char *peer_first, json_t *o)
{
	struct db_res *r;
	json_t *list = json_array();
	enum err e = list ? db_query(db, &q_messages, DB_ARGS(DB_TEXT(m->id)), &r) : ERR_NOMEM;

	if (e) {
		json_decref(list);
		return e;
	}
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		int64_t from = db_int(r, 0), at = db_int(r, 2);
		char when[UK_FORMAT_MAX], time[16];

		uk_format_date(at, when, sizeof(when));
		uk_format_time(at, time, sizeof(time));
		json_array_append_new(list, json_pack("{s:b, s:s, s:o, s:s}",
			"mine", from == viewer,
			"from", from == viewer ? "You" : from == m->person_id ? person_first :
				from == m->peer_id ? peer_first : "Someone who has left kith",
			"lines", lines_of(db_text(r, 1)),
			"when", arena_printf(a, "%s at %s", when, time)));
	}
	db_res_free(r);
	json_object_set_new(o, "messages", list);
	json_object_set_new(o, "any_messages", json_boolean(json_array_size(list) > 0));
	return e;
}

static enum err add_contacts(struct db *db, struct arena *a, const struct peer_match_meta *m,
		bool with_notes, json_t *o)
{
	struct db_res *r;
	json_t *list = json_array();
	int64_t minutes = 0;
	enum err e = list ? db_query(db, &q_contacts, DB_ARGS(DB_TEXT(m->id)), &r) : ERR_NOMEM;

	if (e) {
		json_decref(list);
		return e;
	}
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		int w = vocab_find(peer_ways, MATCH_WAY__MAX, db_text(r, 1));
		int64_t day = 0;
		char on[UK_FORMAT_MAX] = "";

		if (uk_parse_day(db_text(r, 0), &day))
			uk_format_day(day, on, sizeof(on));   /* "27 March 2026" */
		minutes += db_int(r, 2);
		json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:o}", "on", on,
			"way", w >= 0 ? peer_ways[w].name : "", "minutes", (json_int_t)db_int(r, 2),
			"note", with_notes ? db_json_text(r, 3) : json_null()));
	}
	db_res_free(r);
	json_object_set_new(o, "contacts", list);
	json_object_set_new(o, "any_contacts", json_boolean(json_array_size(list) > 0));
	json_object_set_new(o, "minutes_given", json_integer(minutes));
	json_object_set_new(o, "time_given_words", json_string(peer_minutes_words(a, minutes)));
	return e;
}

enum err peer_match_view(struct db *db, struct arena *a, const struct peer_match_meta *m,
		int64_t viewer, bool coordinator, int64_t now, json_t **out)
{
	struct db_res *r;
	bool is_person = viewer == m->person_id, is_peer = viewer == m->peer_id;
	bool open = m->state == PM_ACCEPTED || m->state == PM_ENDED;
	const char *person_first, *peer_first, *lang;
	int li;
	json_t *o;
	enum err e = db_query_one(db, &q_view, DB_ARGS(DB_TEXT(m->id)), &r);

	*out = NULL;
	if (e)
		return e;
	person_first = peer_first_name(a, db_text(r, 8));
	peer_first = peer_first_name(a, db_text(r, 11));
	lang = db_text(r, 21);
	li = lang ? vocab_find(vocab_languages, vocab_languages_n, lang) : -1;
	o = json_pack("{s:s, s:s, s:b, s:b, s:b, s:s, s:o, s:s, s:s, s:b, s:b, s:b}",
		"id", m->id, "state", peer_match_state_name(m->state),
		"is_person", is_person, "is_peer", is_peer, "coordinator", coordinator && !is_person && !is_peer,
		"other_first", is_person ? peer_first : person_first,
		"district", db_json_text(r, 14),
		"wants_words", peer_terms_words(a, peer_wants, peer_wants_n, (uint64_t)db_int(r, 15)),
		"answer_by", peer_date_words(a, m->expires_at),
		"offered", m->state == PM_OFFERED, "accepted", m->state == PM_ACCEPTED,
		"ended", m->state == PM_ENDED);
	if (!o) {
		db_res_free(r);
		return ERR_NOMEM;
	}
	json_object_set_new(o, "person_first", json_string(person_first));
	json_object_set_new(o, "peer_first", json_string(peer_first));
	json_object_set_new(o, "open", json_boolean(open));
	if (open || coordinator) {
		bool ps = db_int(r, 6) != 0, qs = db_int(r, 7) != 0;

		json_object_set_new(o, "reasons", jtext_or_null(db_text(r, 1)));
		json_object_set_new(o, "conditions_words", json_string(peer_terms_words(a,
			vocab_conditions, vocab_conditions_n, (uint64_t)db_int(r, 16))));
		json_object_set_new(o, "topics_words", json_string(peer_terms_words(a, peer_topics,
			peer_topics_n, (uint64_t)db_int(r, 17))));
		{
			/* The ways they may meet: asked for, offered, and allowed
			 * by the peer's checks. */
			unsigned ways = (unsigned)db_int(r, 18) & (unsigned)db_int(r, 27) &
					match_tier_ways(peer_tier_at(r, 28));

			json_object_set_new(o, "ways_words", json_string(peer_ways_words(a,
				ways ? ways : (unsigned)db_int(r, 18))));
		}
		json_object_set_new(o, "times_words", json_string(peer_slots_words(a, (uint32_t)db_int(r, 19))));
		json_object_set_new(o, "about", db_json_text(r, 20));
		json_object_set_new(o, "language_words", li >= 0 ? json_string(vocab_languages[li].name)
							    : json_null());
		json_object_set_new(o, "peer_intro", db_json_text(r, 26));
		json_object_set_new(o, "i_share", json_boolean(is_person ? ps : is_peer ? qs : false));
		json_object_set_new(o, "they_share", json_boolean(is_person ? qs : is_peer ? ps : false));
		/* Contact details only while matched, when both chose to
		 * share, and only to the pair. */
		if (ps && qs && (is_person || is_peer) && m->state == PM_ACCEPTED) {
			int base = is_person ? 11 : 8;

			json_object_set_new(o, "other_email", db_json_text(r, base + 1));
			json_object_set_new(o, "other_phone", db_json_text(r, base + 2));
			json_object_set_new(o, "both_share", json_true());
		}
		/* Feedback is for the coordinators ("the other person does
		 * not read this"), in the JSON form of the page too. */
		if (coordinator && !is_person && !is_peer) {
			json_object_set_new(o, "person_helpful", jtext_or_null(helpful_words(db_int(r, 22))));
			json_object_set_new(o, "person_words", db_json_text(r, 23));
			json_object_set_new(o, "peer_helpful", jtext_or_null(helpful_words(db_int(r, 24))));
			json_object_set_new(o, "peer_words", db_json_text(r, 25));
		}
		if (db_int(r, 4) > 0)
			json_object_set_new(o, "since_words", json_string(peer_date_words(a, db_int(r, 4))));
		if (db_int(r, 5) > 0)
			json_object_set_new(o, "ended_words", json_string(peer_date_words(a, db_int(r, 5))));
	}
	db_res_free(r);
	UNUSED(now);
	e = ERR_OK;
	if (open && (is_person || is_peer))
		e = add_messages(db, a, m, viewer, person_first, peer_first, o);
	if (e == ERR_OK && open && (is_peer || (coordinator && !is_person)))
		e = add_contacts(db, a, m, true, o);
	if (e) {
		json_decref(o);
		return e;
	}
	*out = o;
	return ERR_OK;
}

enum err peer_matches_of_peer(struct db *db, struct arena *a, int64_t peer_id, int64_t now,
		json_t **out)
{
	struct db_res *r;
	enum err e;

	UNUSED(now);
	if (!(*out = json_array()))
		return ERR_NOMEM;
	if ((e = db_query(db, &q_of_peer, DB_ARGS(DB_INT(peer_id)), &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		int st = peer_match_state_parse(db_text(r, 1));

		json_array_append_new(*out, json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:b, s:b, s:b}",
			"id", db_text(r, 0), "state", db_text(r, 1),
			"first_name", peer_first_name(a, db_text(r, 2)),
			"answer_by", peer_date_words(a, db_int(r, 3)), "district", db_json_text(r, 4),
			"wants_words", peer_lower_first(a, peer_terms_words(a, peer_wants, peer_wants_n,
				(uint64_t)db_int(r, 5))),
			"offered", st == PM_OFFERED, "accepted", st == PM_ACCEPTED, "ended", st == PM_ENDED));
		json_object_set_new(json_array_get(*out, json_array_size(*out) - 1), "state_words",
			json_string(peer_match_state_words(st < 0 ? PM_WITHDRAWN : (enum peer_match_state)st)));
	}
	db_res_free(r);
	return e;
}

/* ---------------------------------------------------------------- writing */

static const struct sql q_name = { "peer.name", "SELECT name FROM person WHERE id = $1", NULL };

/* Emails to template tmpl about match m, naming someone by their first
 * name under key ("Sam has said yes", "a new message from Sam"). */
static enum err mail_naming(const struct peer_env *env, struct db *db, int64_t to, const char *tmpl,
		const char *key, int64_t named, const struct peer_match_meta *m, int64_t now)
{
	struct db_res *r;
	struct arena a;
	json_t *ctx;
	enum err e = db_query_one(db, &q_name, DB_ARGS(DB_INT(named)), &r);

	if (e)
		return e;
	arena_init(&a);
	ctx = json_pack("{s:s}", key, peer_first_name(&a, db_text(r, 0)));
	db_res_free(r);
	e = ctx ? peer_mail(env, db, to, tmpl, ctx, "peer.match", m->id, now) : ERR_NOMEM;
	json_decref(ctx);
	arena_release(&a);
	return e;
}

enum err peer_answer(const struct peer_env *env, struct db *db, const struct peer_match_meta *m,
		bool yes, int64_t now)
{
	struct peer_run_result run;
	int64_t n = 0;
	enum err e;

	if (m->state != PM_OFFERED || m->expires_at <= now)
		return ERR_CONFLICT;
	if ((e = db_exec(db, &q_answer, DB_ARGS(DB_TEXT(m->id), DB_TEXT(yes ? "accepted" : "declined"),
			 DB_INT(now)), &n)) != ERR_OK)
		return e;
	if (n == 0)
		return ERR_CONFLICT;
	if ((e = db_exec(db, &q_request_to, DB_ARGS(DB_TEXT(m->request_id), DB_TEXT(yes ? "matched" : "waiting"),
			 DB_INT(now)), NULL)) != ERR_OK ||
	    (e = db_exec(db, &q_responded, DB_ARGS(DB_INT(m->peer_id), DB_INT(now)), NULL)) != ERR_OK ||
	    (e = peer_audit(db, now, m->peer_id, yes ? "peer.offer.accepted" : "peer.offer.declined",
			    m->person_id, "match=%.36s", m->id)) != ERR_OK)
		return e;
	if (!yes)
		return peer_run(env, db, PEER_RUN_NEW, now, &run);
	return mail_naming(env, db, m->person_id, "peer_matched", "peer_name", m->peer_id, m, now);
}

enum err peer_message_add(const struct peer_env *env, struct db *db,
		const struct peer_match_meta *m, int64_t from, const char *body, int64_t now)
{
	int64_t last = 0, to = from == m->person_id ? m->peer_id : m->person_id;
	char *copy;
	const char *why;
	enum err e;

	if (m->state != PM_ACCEPTED)
		return ERR_CONFLICT;
	if (!body || !(copy = strdup(body)))
		return body ? ERR_NOMEM : ERR_INVALID;
	if ((why = peer_message_clean(copy)) != NULL) {
		free(copy);
		return ERR_INVALID;
	}
	e = db_query_int(db, &q_last_from, DB_ARGS(DB_TEXT(m->id), DB_INT(from)), &last);
	if (e == ERR_NOT_FOUND)
		e = ERR_OK, last = 0;
	if (e == ERR_OK) {
		int64_t n = 0;

		/* The match may have ended since m was read. */
		e = db_exec(db, &q_message_add, DB_ARGS(DB_TEXT(m->id), DB_INT(from), DB_TEXT(copy),
			    DB_INT(now)), &n);
		if (e == ERR_OK && n == 0)
			e = ERR_CONFLICT;
	}
	free(copy);
	if (e == ERR_OK && from == m->peer_id)
		e = db_exec(db, &q_responded, DB_ARGS(DB_INT(m->peer_id), DB_INT(now)), NULL);
	/* One email for a run of messages: none when the sender wrote in the
	 * last 15 minutes (the other has been told already). */
	if (e || (last && now - last < 15 * 60))
		return e;
	return mail_naming(env, db, to, "peer_message", "from", from, m, now);
}

enum err peer_share(struct db *db, const struct peer_match_meta *m, int64_t who, bool share,
		int64_t now)
{
	enum err e;

	if (m->state != PM_ACCEPTED)
		return ERR_CONFLICT;
	if (who != m->person_id && who != m->peer_id)
		return ERR_FORBIDDEN;
	{
		int64_t n = 0;

		e = db_exec(db, who == m->person_id ? &q_share_person : &q_share_peer,
			    DB_ARGS(DB_TEXT(m->id), DB_INT(share)), &n);
		if (e == ERR_OK && n == 0)
			return ERR_CONFLICT;
	}
	if (e == ERR_OK)
		e = peer_audit(db, now, who, share ? "peer.contact.shared" : "peer.contact.unshared",
			       who == m->person_id ? m->peer_id : m->person_id, "match=%.36s", m->id);
	return e;
}

enum err peer_contact_add(struct db *db, const struct peer_match_meta *m, const char *happened_on,
		const char *way, int minutes, const char *note, int64_t now, json_t *errors)
{
	int64_t day;
	unsigned ways = 0;
	int k;
	enum err e;

	if (!happened_on || !uk_parse_day(happened_on, &day) || day > uk_local_day(now) ||
	    day < uk_local_day(now) - 366)
		field_err(errors, "happened_on", "Enter the day you were in touch, like 27 3 2026. It "
			  "cannot be in the future");
	k = way ? vocab_find(peer_ways, MATCH_WAY__MAX, way) : -1;
	if (k < 0)
		field_err(errors, "way", "Choose how you were in touch");
	/* In person needs the checks for it (a DBS check). */
	else if (k == MATCH_IN_PERSON && tier_ways(db, m->id, &ways) == ERR_OK &&
		 !(ways & MATCH_WAY_BIT(MATCH_IN_PERSON)))
		field_err(errors, "way", "You can meet in person once a coordinator has recorded your "
			  "DBS check. Talk to them before you meet");
	if (minutes < 1 || minutes > PEER_MINUTES_MAX)
		field_err(errors, "minutes", "Enter how long it took in minutes, from 1 to 600");
	field_text_ok(errors, "note", "The note", note, PEER_NOTE_MAX, false);
	if (json_array_size(errors))
		return ERR_INVALID;
	if (m->state != PM_ACCEPTED)
		return ERR_CONFLICT;
	{
		int64_t n = 0;

		e = db_exec(db, &q_contact_add, DB_ARGS(DB_TEXT(m->id), DB_INT(m->peer_id), DB_TEXT(happened_on),
			    DB_TEXT(way), DB_INT(minutes), db_text_or_null(note), DB_INT(now)), &n);
		if (e == ERR_OK && n == 0)
			return ERR_CONFLICT;
	}
	if (e == ERR_OK)
		e = db_exec(db, &q_responded, DB_ARGS(DB_INT(m->peer_id), DB_INT(now)), NULL);
	if (e == ERR_OK)
		e = peer_audit(db, now, m->peer_id, "peer.contact.logged", m->person_id, "minutes=%d", minutes);
	return e;
}

/* What follows a match's end, however it ended: the request ends too,
 * it is audited, and tell (the side that did not end it) is emailed. */
static enum err after_end(const struct peer_env *env, struct db *db, const struct peer_match_meta *m,
		int64_t by, int64_t tell, const char *why, int64_t now)
{
	json_t *ctx;
	enum err e;

	if ((e = db_exec(db, &q_request_to, DB_ARGS(DB_TEXT(m->request_id), DB_TEXT("ended"), DB_INT(now)),
			 NULL)) != ERR_OK ||
	    (e = peer_audit(db, now, by, "peer.match.ended", tell, "match=%.36s%s", m->id, why)) != ERR_OK)
		return e;
	if (!(ctx = json_object()))
		return ERR_NOMEM;
	e = peer_mail(env, db, tell, "peer_ended", ctx, "peer.match", m->id, now);
	json_decref(ctx);
	return e;
}

enum err peer_end_all_of(const struct peer_env *env, struct db *db, int64_t peer_id, int64_t by,
		int64_t now)
{
	struct db_res *r;
	char ids[100][37];
	size_t n = 0;
	enum err e = db_query(db, &q_accepted_of, DB_ARGS(DB_INT(peer_id)), &r);

	if (e)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r) && n < ARRAY_LEN(ids))
		str_copy(ids[n++], sizeof(ids[0]), db_text(r, 0));
	db_res_free(r);
	for (size_t i = 0; i < n && !e; i++) {
		struct peer_match_meta m;
		int64_t changed = 0;

		if ((e = peer_match_meta(db, ids[i], &m)) != ERR_OK ||
		    (e = db_exec(db, &q_end_by, DB_ARGS(DB_TEXT(m.id), DB_INT(now), by ? DB_INT(by) : DB_NULL),
				 &changed)) != ERR_OK || changed == 0)
			continue;
		e = after_end(env, db, &m, by, m.person_id, " why=stood_down", now);
	}
	return e;
}

enum err peer_end(const struct peer_env *env, struct db *db, const struct peer_match_meta *m,
		int64_t by, int helpful, const char *words, int64_t now)
{
	int64_t n = 0, other = by == m->person_id ? m->peer_id : m->person_id;
	enum err e;

	if (by != m->person_id && by != m->peer_id)
		return ERR_FORBIDDEN;
	if (helpful < 0 || helpful > 4 || !field_text_ok(NULL, "words", "", words, PEER_WORDS_MAX, false))
		return ERR_INVALID;
	if (m->state != PM_ACCEPTED)
		return ERR_CONFLICT;
	e = db_exec(db, by == m->person_id ? &q_end_person : &q_end_peer, DB_ARGS(DB_TEXT(m->id),
		    DB_INT(now), DB_INT(by), helpful ? DB_INT(helpful) : DB_NULL, db_text_or_null(words)), &n);
	if (e)
		return e;
	if (n == 0)
		return ERR_CONFLICT;
	return after_end(env, db, m, by, other, "", now);
}

enum err peer_concern_add(const struct peer_env *env, struct db *db,
		const struct peer_match_meta *m, int64_t by, const char *body, int64_t now)
{
	struct db_res *r;
	int64_t ids[200];
	size_t n = 0;
	enum err e;

	if (by != m->person_id && by != m->peer_id)
		return ERR_FORBIDDEN;
	if (!body || str_is_blank(body) || !field_text_ok(NULL, "body", "", body, PEER_WORDS_MAX, false))
		return ERR_INVALID;
	if (m->state != PM_ACCEPTED && m->state != PM_ENDED)
		return ERR_CONFLICT;
	if ((e = db_exec(db, &q_concern_add, DB_ARGS(DB_TEXT(m->id), DB_INT(by), DB_TEXT(body),
			 DB_INT(now)), NULL)) != ERR_OK ||
	    (e = peer_audit(db, now, by, "peer.concern.raised", by == m->person_id ? m->peer_id : m->person_id,
			    "match=%.36s", m->id)) != ERR_OK)
		return e;
	if ((e = db_query(db, &q_coordinators, DB_NOARGS, &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r) && n < ARRAY_LEN(ids))
		ids[n++] = db_int(r, 0);
	db_res_free(r);
	for (size_t i = 0; i < n && !e; i++) {
		json_t *ctx = json_object();

		e = ctx ? peer_mail(env, db, ids[i], "peer_concern", ctx, "peer.coordinate", NULL, now)
			: ERR_NOMEM;
		json_decref(ctx);
	}
	return e;
}

enum err peer_concerns_open(struct db *db, json_t **out)
{
	struct db_res *r;
	struct arena a;
	enum err e;

	if (!(*out = json_array()))
		return ERR_NOMEM;
	if ((e = db_query(db, &q_concerns, DB_NOARGS, &r)) != ERR_OK)
		return e;
	arena_init(&a);
	while ((e = db_next(r)) == ERR_OK && db_row(r))
		json_array_append_new(*out, json_pack("{s:I, s:s, s:o, s:s, s:s, s:o, s:o}",
			"id", (json_int_t)db_int(r, 0), "match_id", db_text(r, 1),
			"raised_by_name", db_json_text(r, 2), "body", db_text(r, 3),
			"raised_words", peer_date_words(&a, db_int(r, 4)),
			"person_name", db_json_text(r, 5), "peer_name", db_json_text(r, 6)));
	db_res_free(r);
	arena_release(&a);
	return e;
}

enum err peer_concern_seen(struct db *db, int64_t id, int64_t by, int64_t now)
{
	int64_t n = 0;
	enum err e = db_exec(db, &q_concern_seen, DB_ARGS(DB_INT(id), DB_INT(by), DB_INT(now)), &n);

	if (e)
		return e;
	if (n == 0)
		return ERR_NOT_FOUND;
	return peer_audit(db, now, by, "peer.concern.seen", 0, "concern=%lld", (long long)id);
}
