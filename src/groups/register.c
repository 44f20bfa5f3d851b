/*
 * register.c - the register of a group's session, and the counts made
 * of registers (register.h).
 *
 * The list is one query over its four sources (going, members, open
 * referrals, already recorded), merged here by who the person is: an
 * account, or a referral's client record with no account. Saving checks
 * everything before it writes; then the register row is written first,
 * so on PostgreSQL a second host saving the same session at once waits
 * on that row and then reads the first one's ticks as "before" (nobody
 * is announced twice), and on SQLite the write transaction already
 * serialises them. The counts are SQL over group_register and
 * group_attendance with days compared as YYYY-MM-DD text, which sorts
 * as the days do.
 */
#include "core/common.h"
#include "groups/register.h"

#include "core/event.h"
#include "core/fields.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/uktime.h"
#include "groups/groups_int.h"
#include "store/store.h"

#include <strings.h>

/* ---------------------------------------------------------------- SQL */

/* Who may be on the list: going (1), members (2), referred with an open
 * referral (4), and the saved register's (8). Someone referred whose
 * record is theirs comes as their account (also when the register has
 * them by the record, ticked before they claimed it). */
static const struct sql q_list = { "register.list",
	"SELECT p.id, NULL, p.name, 1 FROM group_rsvp r JOIN person p ON p.id = r.person_id "
	"WHERE r.service_id = $1 AND r.skey = $2 AND r.state = 'going' AND p.erased_at IS NULL "
	"AND p.deactivated_at IS NULL "
	"UNION ALL "
	"SELECT p.id, NULL, p.name, 2 FROM group_member m JOIN person p ON p.id = m.person_id "
	"WHERE m.service_id = $1 AND p.erased_at IS NULL AND p.deactivated_at IS NULL "
	"UNION ALL "
	"SELECT coalesce(c.account_id, pe.id), CASE WHEN c.account_id IS NULL AND pe.id IS NULL THEN c.id END, "
	"coalesce(p.name, pe.name, c.name), 4 "
	"FROM referral f JOIN client c ON c.id = f.client_id LEFT JOIN person p ON p.id = c.account_id "
	/* Referred by the email address of someone's confirmed account, the
	 * record not claimed yet: the one person, by account (ticking them
	 * claims it: referral_attend.c). */
	"LEFT JOIN person pe ON c.account_id IS NULL AND pe.email_lower = c.email_lower "
	"AND pe.email_verified_at IS NOT NULL AND pe.erased_at IS NULL AND pe.deactivated_at IS NULL "
	"WHERE f.target_id = $1 AND f.target_type IN ('service', 'group') "
	"AND f.status IN ('sent', 'accepted', 'contacted', 'attended', 'sustained') "
	"AND f.folded_into IS NULL AND c.erased_at IS NULL "
	"UNION ALL "
	"SELECT coalesce(a.person_id, c.account_id), CASE WHEN a.person_id IS NULL AND c.account_id IS NULL "
	"THEN a.client_id END, coalesce(p.name, q.name, c.name), 8 FROM group_attendance a "
	"LEFT JOIN person p ON p.id = a.person_id LEFT JOIN client c ON c.id = a.client_id "
	"LEFT JOIN person q ON q.id = c.account_id "
	"WHERE a.service_id = $1 AND a.skey = $2 AND a.walk_in IS NULL", NULL };
static const struct sql q_walk_ins = { "register.walk_ins",
	"SELECT walk_in FROM group_attendance WHERE service_id = $1 AND skey = $2 "
	"AND walk_in IS NOT NULL ORDER BY id", NULL };
static const struct sql q_row = { "register.row",
	"SELECT held_on, paper, coalesce(taken_by, 0), taken_at FROM group_register "
	"WHERE service_id = $1 AND skey = $2", NULL };
static const struct sql q_upsert = { "register.upsert",
	"INSERT INTO group_register (service_id, skey, held_on, paper, taken_by, taken_at) "
	"VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (service_id, skey) DO UPDATE SET "
	"held_on = excluded.held_on, paper = excluded.paper, taken_by = excluded.taken_by, "
	"taken_at = excluded.taken_at", NULL };
static const struct sql q_before = { "register.before",
	"SELECT coalesce(person_id, 0), client_id FROM group_attendance "
	"WHERE service_id = $1 AND skey = $2 AND walk_in IS NULL", NULL };
static const struct sql q_clear = { "register.clear",
	"DELETE FROM group_attendance WHERE service_id = $1 AND skey = $2", NULL };
static const struct sql q_tick = { "register.tick",
	"INSERT INTO group_attendance (service_id, skey, person_id, client_id, walk_in, recorded_by, "
	"recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)", NULL };

/* Counts over days from ($2) to ($3) as YYYY-MM-DD. */
static const struct sql q_sessions = { "register.sessions",
	"SELECT count(*) FROM group_register WHERE service_id = $1 AND held_on >= $2 AND held_on <= $3",
	NULL };
static const struct sql q_attendances = { "register.attendances",
	"SELECT count(*) FROM group_attendance a JOIN group_register r "
	"ON r.service_id = a.service_id AND r.skey = a.skey "
	"WHERE a.service_id = $1 AND r.held_on >= $2 AND r.held_on <= $3", NULL };
/* Each person once: an account (also through a claimed referral
 * record), a record, or a walk-in's name; with the first day they came
 * at all (up to the period's end) and whether they came in the period. */
static const struct sql q_people = { "register.people",
	"SELECT count(*), coalesce(sum(CASE WHEN first_on >= $2 THEN 1 ELSE 0 END), 0) FROM ("
	"SELECT CASE WHEN a.person_id IS NOT NULL THEN 'p' || a.person_id "
	"WHEN c.account_id IS NOT NULL THEN 'p' || c.account_id "
	"WHEN a.client_id IS NOT NULL THEN 'c' || a.client_id ELSE 'w' || a.walk_in END AS who, "
	"min(r.held_on) AS first_on, max(r.held_on) AS last_on "
	"FROM group_attendance a JOIN group_register r ON r.service_id = a.service_id AND r.skey = a.skey "
	"LEFT JOIN client c ON c.id = a.client_id "
	"WHERE a.service_id = $1 AND r.held_on <= $3 GROUP BY 1 HAVING max(r.held_on) >= $2) x", NULL };
static const struct sql q_person_count = { "register.person_count",
	"SELECT count(DISTINCT a.service_id || '|' || a.skey) FROM group_attendance a "
	"JOIN group_register r ON r.service_id = a.service_id AND r.skey = a.skey "
	"LEFT JOIN client c ON c.id = a.client_id "
	"WHERE (a.person_id = $1 OR c.account_id = $1) AND r.held_on >= $2 AND r.held_on <= $3", NULL };
static const struct sql q_person_groups = { "register.person_groups",
	"SELECT a.service_id, coalesce(s.name, ''), count(DISTINCT a.skey), min(r.held_on), "
	"max(r.held_on) FROM group_attendance a "
	"JOIN group_register r ON r.service_id = a.service_id AND r.skey = a.skey "
	"LEFT JOIN client c ON c.id = a.client_id LEFT JOIN service s ON s.id = a.service_id "
	"WHERE a.person_id = $1 OR c.account_id = $1 "
	"GROUP BY a.service_id, s.name ORDER BY max(r.held_on) DESC, a.service_id", NULL };

/* ---------------------------------------------------------------- the list */

static struct register_person *find_person(struct register_person *p, size_t n, int64_t person_id,
		const char *client_id)
{
	for (size_t i = 0; i < n; i++)
		if (person_id ? p[i].person_id == person_id :
		    p[i].person_id == 0 && strcmp(p[i].client_id, client_id) == 0)
			return &p[i];
	return NULL;
}

static int by_name(const void *x, const void *y)
{
	const struct register_person *a = x, *b = y;
	int c = strcasecmp(a->name, b->name);

	if (c)
		return c;
	if (a->person_id != b->person_id)
		return a->person_id < b->person_id ? -1 : 1;
	return strcmp(a->client_id, b->client_id);
}

/* The session's list, merged by who each person is, by name. */
static enum err load_list(struct db *db, struct arena *a, const char *id, const char *skey,
		struct register_person **out, size_t *n)
{
	struct register_person *p = NULL, *hit;
	size_t cap = 0;
	struct db_res *r;
	bool oom = false;
	enum err e;

	*out = NULL;
	*n = 0;
	if ((e = db_query(db, &q_list, DB_ARGS(DB_TEXT(id), DB_TEXT(skey)), &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		int64_t pid = db_isnull(r, 0) ? 0 : db_int(r, 0);
		const char *cid = db_text(r, 1);
		unsigned why = (unsigned)db_int(r, 3);

		if (!pid && (!cid || strlen(cid) > 36))
			continue;
		if ((hit = find_person(p, *n, pid, pid ? NULL : cid))) {
			hit->why |= why;
			continue;
		}
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			struct register_person *np = arena_calloc(a, nc, sizeof(*np));

			if (!np) {
				e = ERR_NOMEM;
				break;
			}
			if (*n)
				memcpy(np, p, *n * sizeof(*np));
			p = np;
			cap = nc;
		}
		hit = &p[(*n)++];
		hit->person_id = pid;
		if (!pid)
			str_copy(hit->client_id, sizeof(hit->client_id), cid);
		hit->name = db_dup(a, r, 2, &oom);
		if (!hit->name)
			hit->name = oom ? NULL : "";
		hit->why = why;
		if (oom) {
			e = ERR_NOMEM;
			break;
		}
	}
	db_res_free(r);
	if (e)
		return e;
	for (size_t i = 0; i < *n; i++)
		p[i].present = (p[i].why & REG_RECORDED) != 0;
	if (*n > 1)
		qsort(p, *n, sizeof(*p), by_name);
	*out = p;
	return ERR_OK;
}

static enum err load_walk_ins(struct db *db, struct arena *a, const char *id, const char *skey,
		const char ***out, size_t *n)
{
	const char **w = NULL;
	size_t cap = 0;
	struct db_res *r;
	bool oom = false;
	enum err e;

	*out = NULL;
	*n = 0;
	if ((e = db_query(db, &q_walk_ins, DB_ARGS(DB_TEXT(id), DB_TEXT(skey)), &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			const char **nw = arena_calloc(a, nc, sizeof(*nw));

			if (!nw) {
				e = ERR_NOMEM;
				break;
			}
			if (*n)
				memcpy(nw, w, *n * sizeof(*nw));
			w = nw;
			cap = nc;
		}
		if (!(w[(*n)++] = db_dup(a, r, 0, &oom))) {
			e = ERR_NOMEM;
			break;
		}
	}
	db_res_free(r);
	*out = w;
	return e;
}

enum err register_open(struct arena *a, const struct group_session *s, int64_t today, const char **why)
{
	char date[UK_FORMAT_MAX];

	*why = NULL;
	if (s->cancelled) {
		*why = "This session was cancelled, so it has no register.";
		return ERR_CONFLICT;
	}
	if (s->day > today) {
		uk_format_day(s->day, date, sizeof(date));
		*why = arena_printf(a, "This session is on %s. You can take its register on the day, "
				    "or after it.", date);
		if (!*why)
			*why = "This session has not happened yet. You can take its register on the day.";
		return ERR_CONFLICT;
	}
	return ERR_OK;
}

enum err register_get(struct db *db, struct arena *a, const char *id, const char *skey, int64_t now,
		struct group_register *out)
{
	struct db_res *r;
	enum err e;

	memset(out, 0, sizeof(*out));
	str_copy(out->id, sizeof(out->id), id);
	out->today = uk_local_day(now);
	if ((e = group_session_get(db, a, id, skey, out->today, &out->session)) != ERR_OK)
		return e;
	out->group_name = group_name(db, a, id);
	if (!out->group_name)
		out->group_name = "";
	out->past = out->session.day < out->today;
	out->held_on = out->session.day;
	e = db_query_one(db, &q_row, DB_ARGS(DB_TEXT(id), DB_TEXT(out->session.skey)), &r);
	if (e == ERR_OK) {
		int64_t day;

		out->saved = true;
		if (group_skey_parse(db_text(r, 0), &day))
			out->held_on = day;
		out->paper = db_int(r, 1) != 0;
		out->taken_by = db_int(r, 2);
		out->taken_at = db_int(r, 3);
		db_res_free(r);
	} else if (e != ERR_NOT_FOUND) {
		return e;
	}
	if ((e = load_list(db, a, id, out->session.skey, &out->people, &out->npeople)) != ERR_OK ||
	    (e = load_walk_ins(db, a, id, out->session.skey, &out->walk_ins, &out->nwalk_ins)) != ERR_OK)
		return e;
	for (size_t i = 0; i < out->npeople; i++)
		out->came += out->people[i].present;
	out->came += (int)out->nwalk_ins;
	return ERR_OK;
}

/* ---------------------------------------------------------------- saving */

/* s trimmed of spaces and tabs, with every run of them inside one space,
 * in a. */
static const char *tidy_name(struct arena *a, const char *s)
{
	struct str t = str_trim(str_c(s));
	char *out = arena_alloc(a, t.n + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < t.n; i++) {
		bool space = t.p[i] == ' ' || t.p[i] == '\t';

		if (space && o && out[o - 1] == ' ')
			continue;
		out[o++] = space ? ' ' : t.p[i];
	}
	out[o] = '\0';
	return out;
}

const char **register_lines(struct arena *a, const char *text, size_t max, size_t *n)
{
	const char **out = arena_calloc(a, max + 1, sizeof(*out));
	const char *p = text;

	*n = 0;
	if (!out)
		return NULL;
	while (p && *p && *n <= max) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		struct str line = str_trim((struct str){ p, len });

		while (line.n && (line.p[line.n - 1] == '\r' || line.p[line.n - 1] == ' ' ||
				  line.p[line.n - 1] == '\t'))
			line.n--;
		if (line.n && !(out[(*n)++] = arena_strndup(a, line.p, line.n)))
			return NULL;
		p = end ? end + 1 : NULL;
	}
	return out;
}

/* What a register will write, checked. */
struct plan {
	int64_t *people;
	size_t npeople;
	const char **clients;
	size_t nclients;
	const char **walk_ins;
	size_t nwalk_ins;
	char held_on[UK_ISO_DAY];
	bool paper;
};

/* The day it was held: the session's, or a paper register's as typed. */
static bool plan_day(const struct group_session *s, const char *held_on, int64_t today,
		struct plan *p, json_t *errors)
{
	int64_t day = s->day, y0;
	int y, m, d;

	if (held_on) {
		if (!group_skey_parse(held_on, &day)) {
			field_err(errors, "held_on", "Enter the day it was held as a real date, like 12 1 2027");
			return false;
		}
		if (day > today) {
			field_err(errors, "held_on", "The day it was held must be today or in the past");
			return false;
		}
		/* A year back: this day last year (28 February for a 29th). */
		uk_date(today, &y, &m, &d);
		y0 = uk_days(y - 1, m, d > uk_days_in_month(y - 1, m) ? uk_days_in_month(y - 1, m) : d);
		if (day < y0) {
			field_err(errors, "held_on", "The day it was held must be within the last year");
			return false;
		}
		p->paper = true;
	}
	uk_format_iso_day(day, p->held_on);
	return true;
}

/* The accounts and records ticked, each once and each on the list. */
static bool plan_ticks(struct arena *a, const struct register_input *in,
		struct register_person *list, size_t nlist, struct plan *p, json_t *errors)
{
	bool ok = true;
	char msg[200];

	p->people = arena_calloc(a, in->npeople + 1, sizeof(*p->people));
	p->clients = arena_calloc(a, in->nclients + 1, sizeof(*p->clients));
	if (!p->people || !p->clients)
		return false;
	for (size_t i = 0; i < in->npeople && ok; i++) {
		int64_t id = in->people[i];
		bool dup = false;

		for (size_t k = 0; k < p->npeople && !dup; k++)
			dup = p->people[k] == id;
		if (dup)
			continue;
		if (id <= 0 || !find_person(list, nlist, id, NULL)) {
			snprintf(msg, sizeof(msg), "Person %lld is not on this session's list. Tick only "
				 "the people listed, and add anyone else as a walk-in", (long long)id);
			field_err(errors, "present", msg);
			ok = false;
		} else {
			p->people[p->npeople++] = id;
		}
	}
	for (size_t i = 0; i < in->nclients && ok; i++) {
		const char *cid = in->clients[i];
		bool dup = false;

		for (size_t k = 0; cid && k < p->nclients && !dup; k++)
			dup = strcmp(p->clients[k], cid) == 0;
		if (dup)
			continue;
		if (!cid || !cid[0] || !find_person(list, nlist, 0, cid)) {
			field_err(errors, "clients", "Someone ticked is not on this session's list. Tick "
				  "only the people listed, and add anyone else as a walk-in");
			ok = false;
		} else {
			p->clients[p->nclients++] = cid;
		}
	}
	if (ok && p->npeople + p->nclients > REGISTER_TICKS_MAX) {
		snprintf(msg, sizeof(msg), "A register can have at most %d people ticked",
			 REGISTER_TICKS_MAX);
		field_err(errors, "present", msg);
		ok = false;
	}
	return ok;
}

/* The walk-ins' names, tidied, blank ones left out. */
static bool plan_walk_ins(struct arena *a, const struct register_input *in, struct plan *p,
		json_t *errors)
{
	char msg[200];

	p->walk_ins = arena_calloc(a, in->nwalk_ins + 1, sizeof(*p->walk_ins));
	if (!p->walk_ins)
		return false;
	for (size_t i = 0; i < in->nwalk_ins; i++) {
		const char *name, *why;

		if (str_is_blank(in->walk_ins[i]))
			continue;
		if (!(name = tidy_name(a, in->walk_ins[i])))
			return false;
		why = str_check_line(name, REGISTER_NAME_MAX, NULL, "long", "bad");
		if (why) {
			if (why[0] == 'l')
				snprintf(msg, sizeof(msg), "Each walk-in's name must be %d characters or fewer: "
					 "line %zu is longer", REGISTER_NAME_MAX, i + 1);
			else
				snprintf(msg, sizeof(msg), "Line %zu of the walk-ins has characters we cannot "
					 "read: type the name again", i + 1);
			field_err(errors, "walk_ins", msg);
			return false;
		}
		if (p->nwalk_ins == REGISTER_WALK_INS_MAX) {
			snprintf(msg, sizeof(msg), "A register can have at most %d walk-ins",
				 REGISTER_WALK_INS_MAX);
			field_err(errors, "walk_ins", msg);
			return false;
		}
		p->walk_ins[p->nwalk_ins++] = name;
	}
	return true;
}

/* Was this account or record ticked before this save? */
static bool ticked_before(const int64_t *people, size_t np, char (*clients)[37], size_t nc,
		int64_t person_id, const char *client_id)
{
	for (size_t i = 0; person_id && i < np; i++)
		if (people[i] == person_id)
			return true;
	for (size_t i = 0; client_id && i < nc; i++)
		if (strcmp(clients[i], client_id) == 0)
			return true;
	return false;
}

/* The accounts and records the register had before this save. */
static enum err load_before(struct db *db, struct arena *a, const char *id, const char *skey,
		int64_t **people, size_t *np, char (**clients)[37], size_t *nc)
{
	size_t cap = 0;
	struct db_res *r;
	enum err e;

	*np = *nc = 0;
	*people = NULL;
	*clients = NULL;
	if ((e = db_query(db, &q_before, DB_ARGS(DB_TEXT(id), DB_TEXT(skey)), &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		if (*np + *nc == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			int64_t *p = arena_calloc(a, ncap, sizeof(*p));
			char (*c)[37] = arena_calloc(a, ncap, sizeof(*c));

			if (!p || !c) {
				e = ERR_NOMEM;
				break;
			}
			if (*np)
				memcpy(p, *people, *np * sizeof(*p));
			if (*nc)
				memcpy(c, *clients, *nc * sizeof(*c));
			*people = p;
			*clients = c;
			cap = ncap;
		}
		if (db_int(r, 0))
			(*people)[(*np)++] = db_int(r, 0);
		else if (db_text(r, 1))
			str_copy((*clients)[(*nc)++], 37, db_text(r, 1));
	}
	db_res_free(r);
	return e;
}

/* Writes the plan: the register row, then its rows again, then the
 * audit entry; then tells who cares about each one newly ticked. */
static enum err write_plan(const struct group_env *env, struct db *db, struct arena *a, const char *id,
		const char *skey, const struct plan *p, int64_t by, int64_t now)
{
	int64_t *before_p;
	char (*before_c)[37];
	size_t nbp, nbc;
	enum err e;

	if ((e = db_exec(db, &q_upsert, DB_ARGS(DB_TEXT(id), DB_TEXT(skey), DB_TEXT(p->held_on),
			 DB_BOOL(p->paper), by > 0 ? DB_INT(by) : DB_NULL, DB_INT(now)), NULL)) != ERR_OK ||
	    (e = load_before(db, a, id, skey, &before_p, &nbp, &before_c, &nbc)) != ERR_OK ||
	    (e = db_exec(db, &q_clear, DB_ARGS(DB_TEXT(id), DB_TEXT(skey)), NULL)) != ERR_OK)
		return e;
	for (size_t i = 0; e == ERR_OK && i < p->npeople; i++)
		e = db_exec(db, &q_tick, DB_ARGS(DB_TEXT(id), DB_TEXT(skey), DB_INT(p->people[i]), DB_NULL,
			    DB_NULL, by > 0 ? DB_INT(by) : DB_NULL, DB_INT(now)), NULL);
	for (size_t i = 0; e == ERR_OK && i < p->nclients; i++)
		e = db_exec(db, &q_tick, DB_ARGS(DB_TEXT(id), DB_TEXT(skey), DB_NULL, DB_TEXT(p->clients[i]),
			    DB_NULL, by > 0 ? DB_INT(by) : DB_NULL, DB_INT(now)), NULL);
	for (size_t i = 0; e == ERR_OK && i < p->nwalk_ins; i++)
		e = db_exec(db, &q_tick, DB_ARGS(DB_TEXT(id), DB_TEXT(skey), DB_NULL, DB_NULL,
			    DB_TEXT(p->walk_ins[i]), by > 0 ? DB_INT(by) : DB_NULL, DB_INT(now)), NULL);
	if (e || (e = group_audit(db, now, by, "group.register", 0, "group=%s session=%s held_on=%s "
			"paper=%d people=%zu referred=%zu walk_ins=%zu", id, skey, p->held_on, p->paper,
			p->npeople, p->nclients, p->nwalk_ins)) != ERR_OK)
		return e;
	/* Only the newly ticked: saving the register again (a name added
	 * later) does not announce everyone twice. */
	for (size_t i = 0; e == ERR_OK && i < p->npeople; i++)
		if (!ticked_before(before_p, nbp, NULL, 0, p->people[i], NULL))
			e = event_publish(env ? env->bus : NULL, &(struct event){
				.kind = EV_ATTENDANCE_RECORDED, .db = db, .now = now,
				.person_id = p->people[i], .actor_id = by, .service_id = id,
				.day = p->held_on });
	for (size_t i = 0; e == ERR_OK && i < p->nclients; i++)
		if (!ticked_before(NULL, 0, before_c, nbc, 0, p->clients[i]))
			e = event_publish(env ? env->bus : NULL, &(struct event){
				.kind = EV_ATTENDANCE_RECORDED, .db = db, .now = now, .actor_id = by,
				.client_id = p->clients[i], .service_id = id, .day = p->held_on });
	return e;
}

enum err register_save(const struct group_env *env, struct db *db, const char *id, const char *skey,
		const struct register_input *in, int64_t by, int64_t now, json_t *errors, int *came)
{
	struct group_session s;
	struct register_person *list;
	struct plan p;
	struct arena a;
	const char *why;
	int64_t today = uk_local_day(now);
	size_t nlist;
	bool ok;
	enum err e;

	if (came)
		*came = 0;
	if (!errors)
		return ERR_INTERNAL;   /* a caller's bug: the problems have nowhere to go */
	memset(&p, 0, sizeof(p));
	arena_init(&a);
	if ((e = group_session_get(db, &a, id, skey, today, &s)) != ERR_OK)
		goto out;
	if ((e = register_open(&a, &s, today, &why)) != ERR_OK) {
		field_err(errors, "session", why);
		goto out;
	}
	if ((e = load_list(db, &a, id, s.skey, &list, &nlist)) != ERR_OK)
		goto out;
	/* Every check before anything is written, each field's problem said. */
	ok = plan_day(&s, in->held_on, today, &p, errors);
	ok = plan_ticks(&a, in, list, nlist, &p, errors) && ok;
	ok = plan_walk_ins(&a, in, &p, errors) && ok;
	if (!ok) {
		e = json_array_size(errors) ? ERR_INVALID : ERR_NOMEM;
		goto out;
	}
	if ((e = write_plan(env, db, &a, id, s.skey, &p, by, now)) == ERR_OK && came)
		*came = (int)(p.npeople + p.nclients + p.nwalk_ins);
out:
	arena_release(&a);
	return e;
}

/* ---------------------------------------------------------------- as JSON */

json_t *register_json(const struct group_register *r)
{
	char day[UK_ISO_DAY], held[UK_ISO_DAY], at[40];
	json_t *o, *present = json_array(), *clients = json_array(), *walk = json_array(),
	       *list = json_array();
	struct arena a;

	arena_init(&a);
	uk_format_iso_day(r->session.day, day);
	uk_format_iso_day(r->held_on, held);
	at[0] = '\0';
	if (r->saved)
		time_iso8601(r->taken_at, at, sizeof(at));
	for (size_t i = 0; list && i < r->npeople; i++) {
		const struct register_person *p = &r->people[i];
		json_t *it = json_pack("{s:s, s:b, s:b, s:b, s:b}", "name", p->name,
			"going", (p->why & REG_GOING) != 0, "member", (p->why & REG_MEMBER) != 0,
			"referred", (p->why & REG_REFERRED) != 0, "present", p->present);

		if (p->person_id)
			json_object_set_new(it, "person_id", json_integer(p->person_id));
		else
			json_object_set_new(it, "client_id", json_string(p->client_id));
		json_array_append_new(list, it);
		if (p->present && p->person_id)
			json_array_append_new(present, json_pack("{s:I, s:s}", "person_id",
				(json_int_t)p->person_id, "name", p->name));
		else if (p->present)
			json_array_append_new(clients, json_pack("{s:s, s:s}", "client_id", p->client_id,
				"name", p->name));
	}
	for (size_t i = 0; walk && i < r->nwalk_ins; i++)
		json_array_append_new(walk, json_string(r->walk_ins[i]));
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:i, s:o, s:o, s:o, s:o}",
		"group_id", r->id, "group_name", r->group_name ? r->group_name : "",
		"skey", r->session.skey, "day", day,
		"when", group_session_words(&a, &r->session), "saved", r->saved, "paper", r->paper,
		"came", r->came, "present", present, "clients", clients, "walk_ins", walk, "list", list);
	if (o && r->saved) {
		json_object_set_new(o, "held_on", json_string(held));
		json_object_set_new(o, "taken_at", json_string(at));
	}
	arena_release(&a);
	return o;
}

/* ---------------------------------------------------------------- counts */

static void iso_or(int64_t day, const char *dflt, char out[UK_ISO_DAY])
{
	if (day > 0)
		uk_format_iso_day(day, out);
	else
		str_copy(out, UK_ISO_DAY, dflt);
}

enum err register_participation(struct db *db, const char *id, int64_t from, int64_t to,
		struct group_participation *out)
{
	char f[UK_ISO_DAY], t[UK_ISO_DAY];
	struct db_res *r;
	enum err e;

	memset(out, 0, sizeof(*out));
	out->from = from;
	out->to = to;
	uk_format_iso_day(from, f);
	uk_format_iso_day(to, t);
	if ((e = db_query_int(db, &q_sessions, DB_ARGS(DB_TEXT(id), DB_TEXT(f), DB_TEXT(t)),
			      &out->sessions)) != ERR_OK ||
	    (e = db_query_int(db, &q_attendances, DB_ARGS(DB_TEXT(id), DB_TEXT(f), DB_TEXT(t)),
			      &out->attendances)) != ERR_OK ||
	    (e = db_query_one(db, &q_people, DB_ARGS(DB_TEXT(id), DB_TEXT(f), DB_TEXT(t)), &r)) != ERR_OK)
		return e;
	out->people = db_int(r, 0);
	out->new_people = db_int(r, 1);
	db_res_free(r);
	return ERR_OK;
}

json_t *register_participation_json(const struct group_participation *p)
{
	char f[UK_ISO_DAY], t[UK_ISO_DAY];

	uk_format_iso_day(p->from, f);
	uk_format_iso_day(p->to, t);
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "from", f, "to", t,
		"sessions", (json_int_t)p->sessions, "attendances", (json_int_t)p->attendances,
		"people", (json_int_t)p->people, "new_people", (json_int_t)p->new_people);
}

enum err register_person_sessions(struct db *db, int64_t person_id, int64_t from, int64_t to,
		int64_t *out)
{
	char f[UK_ISO_DAY], t[UK_ISO_DAY];

	iso_or(from, "0001-01-01", f);
	iso_or(to, "9999-12-31", t);
	return db_query_int(db, &q_person_count, DB_ARGS(DB_INT(person_id), DB_TEXT(f), DB_TEXT(t)), out);
}

static json_t *person_group_row(struct db_res *r, void *ctx)
{
	UNUSED(ctx);
	return json_pack("{s:s, s:s, s:I, s:s, s:s}", "group_id", db_text(r, 0), "group_name",
		db_text(r, 1), "sessions", (json_int_t)db_int(r, 2), "first_on", db_text(r, 3),
		"last_on", db_text(r, 4));
}

enum err register_person_json(struct db *db, int64_t person_id, json_t **out)
{
	json_t *groups = NULL;
	int64_t n = 0;
	enum err e;

	*out = NULL;
	if ((e = register_person_sessions(db, person_id, 0, 0, &n)) != ERR_OK ||
	    (e = db_rows_json(db, &q_person_groups, DB_ARGS(DB_INT(person_id)), person_group_row, NULL,
			      &groups)) != ERR_OK)
		return e;
	*out = json_pack("{s:I, s:o}", "sessions_attended", (json_int_t)n, "groups", groups);
	return *out ? ERR_OK : ERR_NOMEM;
}
