/*
 * groups.c - a group (groups.h): loading it with the actor's standing,
 * making and editing it, its hosts and members, and a host's message to
 * everyone; and the helpers the feature's files share (groups_int.h).
 */
#include "core/common.h"
#include "groups/groups_int.h"

#include "audit/audit.h"
#include "auth/person.h"
#include "auth/policy.h"
#include "core/fields.h"
#include "core/links.h"
#include "core/str.h"
#include "core/uktime.h"
#include "directory/directory.h"
#include "mail/mail.h"
#include "search/search.h"
#include "store/store.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

/* ---------------------------------------------------------------- SQL */

static const struct sql q_meta = { "group.meta",
	"SELECT g.service_id, g.organisation_id, g.state, s.state, s.flags, coalesce(g.capacity, 0), "
	"g.show_count, g.sensitive, "
	"(SELECT count(*) FROM group_member m WHERE m.service_id = g.service_id AND m.person_id = $2), "
	"(SELECT count(*) FROM group_host h WHERE h.service_id = g.service_id AND h.person_id = $2) "
	"FROM community_group g JOIN service s ON s.id = g.service_id WHERE g.service_id = $1", NULL };
static const struct sql q_service = { "group.service",
	"SELECT organisation_id FROM service WHERE id = $1", NULL };
static const struct sql q_exists = { "group.exists",
	"SELECT count(*) FROM community_group WHERE service_id = $1", NULL };
static const struct sql q_insert = { "group.insert",
	"INSERT INTO community_group (service_id, organisation_id, welcome, who_for, members_only, "
	"capacity, show_count, sensitive, state, created_at, created_by, updated_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10)", NULL };
static const struct sql q_update = { "group.update",
	"UPDATE community_group SET welcome = $2, who_for = $3, members_only = $4, capacity = $5, "
	"show_count = $6, sensitive = $7, state = $8, updated_at = $9 WHERE service_id = $1", NULL };
static const struct sql q_name = { "group.name",
	"SELECT s.name FROM community_group g JOIN service s ON s.id = g.service_id "
	"WHERE g.service_id = $1", NULL };
static const struct sql q_host_add = { "group.host_add",
	"INSERT INTO group_host (service_id, person_id, added_at, added_by) VALUES ($1, $2, $3, $4) "
	"ON CONFLICT (service_id, person_id) DO NOTHING", NULL };
static const struct sql q_host_remove = { "group.host_remove",
	"DELETE FROM group_host WHERE service_id = $1 AND person_id = $2", NULL };
static const struct sql q_join = { "group.join",
	"INSERT INTO group_member (service_id, person_id, joined_at) VALUES ($1, $2, $3) "
	"ON CONFLICT (service_id, person_id) DO NOTHING", NULL };
static const struct sql q_leave = { "group.leave",
	"DELETE FROM group_member WHERE service_id = $1 AND person_id = $2", NULL };
static const struct sql q_message = { "group.message",
	"INSERT INTO group_message (service_id, author_id, body, sent_at) VALUES ($1, $2, $3, $4)", NULL };
static const struct sql q_members = { "group.members_to_tell",
	"SELECT person_id FROM group_member WHERE service_id = $1 AND person_id <> $2 "
	"UNION SELECT person_id FROM group_host WHERE service_id = $1 AND person_id <> $2 "
	"ORDER BY 1", NULL };
static const struct sql q_going = { "group.going_to_tell",
	"SELECT person_id FROM group_rsvp WHERE service_id = $1 AND skey = $2 ORDER BY person_id", NULL };

/* ---------------------------------------------------------------- shared */

static _Atomic uint64_t changes = 1;

static void changed(void *arg)
{
	UNUSED(arg);
	atomic_fetch_add_explicit(&changes, 1, memory_order_release);
}

uint64_t group_version(void)
{
	return atomic_load_explicit(&changes, memory_order_acquire);
}

enum err group_touch(struct db *db)
{
	return db_after_commit(db, changed, NULL);
}

enum err group_collect(struct db *db, const struct sql *q, const struct db_val *args, size_t nargs,
		size_t size, void (*put)(void *at, struct db_res *r), void **out, size_t *n)
{
	struct db_res *r;
	char *v = NULL;
	size_t cap = 0;
	enum err e;

	*out = NULL;
	*n = 0;
	if ((e = db_query(db, q, args, nargs, &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			char *p = realloc(v, nc * size);
			if (!p) {
				e = ERR_NOMEM;
				break;
			}
			v = p;
			cap = nc;
		}
		put(v + (*n)++ * size, r);
	}
	db_res_free(r);
	if (e != ERR_OK) {
		free(v);
		*n = 0;
		return e;
	}
	*out = v;
	return ERR_OK;
}

static void put_id(void *at, struct db_res *r)
{
	*(int64_t *)at = db_int(r, 0);
}

enum err group_ids(struct db *db, const struct sql *q, const struct db_val *args, size_t nargs,
		int64_t **out, size_t *n)
{
	void *v;
	enum err e = group_collect(db, q, args, nargs, sizeof(int64_t), put_id, &v, n);

	*out = v;
	return e;
}

int group_series_weeks(const struct group_env *env)
{
	return env && env->settings ? env->settings->group_series_weeks : GROUP_DEFAULT_SERIES_WEEKS;
}

int group_reminder_hour(const struct group_env *env)
{
	return env && env->settings ? env->settings->group_reminder_hour : GROUP_DEFAULT_REMINDER_HOUR;
}

bool group_reminders_by_email(const struct group_env *env)
{
	return !env || !env->settings || strcmp(env->settings->group_reminder_channel, "none") != 0;
}

enum err group_audit(struct db *db, int64_t now, int64_t actor, const char *action, int64_t subject,
		const char *fmt, ...)
{
	char detail[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return audit_log(db, now, actor, action, subject, detail, NULL, NULL);
}

enum err group_mail(const struct group_env *env, struct db *db, int64_t person_id, const char *tmpl,
		json_t *ctx, const char *route, const char *arg, int64_t now)
{
	return env ? mail_person(env->mailer, env->links, db, person_id, tmpl, ctx, route, arg, now) : ERR_OK;
}

const char *group_name(struct db *db, struct arena *a, const char *id)
{
	struct db_res *r;
	const char *name = NULL;

	if (db_query_one(db, &q_name, DB_ARGS(DB_TEXT(id)), &r) == ERR_OK) {
		name = db_dup(a, r, 0, NULL);
		db_res_free(r);
	}
	return name;
}

void group_skey(int64_t day, char out[GROUP_SKEY])
{
	uk_format_iso_day(day, out);
}

bool group_skey_parse(const char *skey, int64_t *day)
{
	return skey && strlen(skey) == 10 && uk_parse_day(skey, day);
}

const char *group_session_words(struct arena *a, const struct group_session *s)
{
	char date[UK_FORMAT_MAX], day[UK_FORMAT_MAX + 12], o[8], c[8], out[UK_FORMAT_MAX + 40];

	uk_format_day(s->day, date, sizeof(date));
	snprintf(day, sizeof(day), "%s %s", uk_weekday_name(uk_weekday(s->day)), date);
	if (s->opens >= 0 && s->closes > s->opens) {
		group_time_text(s->opens, o);
		group_time_text(s->closes, c);
		snprintf(out, sizeof(out), "%s, %s to %s", day, o, c);
	} else if (s->opens >= 0) {
		group_time_text(s->opens, o);
		snprintf(out, sizeof(out), "%s, %s", day, o);
	} else {
		snprintf(out, sizeof(out), "%s", day);
	}
	return arena_strdup(a, out);
}

enum err group_tell_going(const struct group_env *env, struct db *db, const char *id, const char *skey,
		const char *tmpl, json_t *ctx, int64_t now)
{
	struct arena a;
	int64_t *ids = NULL;
	size_t n = 0;
	const char *link;
	enum err e;

	if (!env || !env->mailer)
		return ERR_OK;
	arena_init(&a);
	link = link_abs(env->links, &a, "groups.session", id, skey, NULL);
	e = link && json_object_set_new(ctx, "link", json_string(link)) == 0 ? ERR_OK : ERR_NOMEM;
	arena_release(&a);
	if (e || (e = group_ids(db, &q_going, DB_ARGS(DB_TEXT(id), DB_TEXT(skey)), &ids, &n)) != ERR_OK)
		return e;
	for (size_t i = 0; e == ERR_OK && i < n; i++)
		e = group_mail(env, db, ids[i], tmpl, ctx, NULL, NULL, now);
	free(ids);
	return e;
}

json_t *group_session_ctx(const struct group_env *env, struct db *db, const char *id,
		const struct group_session *s)
{
	struct group_meta m;
	struct arena a;
	json_t *ctx;
	enum err e = group_load(db, NULL, id, &m);

	if (e == ERR_NOT_FOUND)
		m.sensitive = true;
	else if (e)
		return NULL;
	arena_init(&a);
	const char *name = group_name(db, &a, id);
	const char *link = link_abs(env ? env->links : NULL, &a, "groups.session", id, s->skey, NULL);
	ctx = m.sensitive ? json_pack("{s:b, s:s?}", "sensitive", 1, "link", link) :
	      json_pack("{s:b, s:s, s:s, s:s?}", "sensitive", 0, "group", name ? name : "",
			"when", group_session_words(&a, s), "link", link);
	if (ctx && !m.sensitive && s->note && *s->note)
		json_object_set_new(ctx, "note", json_string(s->note));
	if (ctx && !m.sensitive && s->place && *s->place)
		json_object_set_new(ctx, "place", json_string(s->place));
	arena_release(&a);
	return ctx;
}

static void join_text(struct buf *b, const char *s, const char *sep)
{
	if (!s || !*s)
		return;
	if (b->len)
		buf_adds(b, sep);
	buf_adds(b, s);
}

void group_place(const struct links *links, struct db *db, struct arena *a, const char *id,
		int64_t now, struct group_place *out)
{
	json_t *v = NULL, *w, *x;
	struct buf b;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (directory_service_view(links, db, id, now, &v) != ERR_OK)
		return;
	w = json_array_get(json_object_get(v, "where"), 0);
	buf_init(&b, 4096);
	join_text(&b, json_string_value(json_object_get(w, "name")), ", ");
	json_array_foreach(json_object_get(w, "lines"), i, x)
		join_text(&b, json_string_value(x), ", ");
	join_text(&b, json_string_value(json_object_get(w, "postcode")), ", ");
	if (buf_ok(&b) && b.len)
		out->location = arena_strndup(a, b.p, b.len);
	buf_reset(&b);
	join_text(&b, json_string_value(json_object_get(w, "description")), "\n");
	json_array_foreach(json_object_get(w, "accessibility"), i, x)
		join_text(&b, json_string_value(x), "\n");
	if (buf_ok(&b) && b.len)
		out->how = arena_strndup(a, b.p, b.len);
	buf_release(&b);
	json_decref(v);
}

/* ---------------------------------------------------------------- a group */

static bool sees_unpublished(const struct actor *actor, const struct group_meta *m)
{
	if (!actor || !actor->id)
		return false;
	if (actor->roles & (ROLE_BIT(ROLE_COORDINATOR) | ROLE_BIT(ROLE_ADMIN)))
		return true;
	if ((actor->roles & ROLE_BIT(ROLE_ORGANISER)) && actor->org_id && strcmp(actor->org_id, m->org_id) == 0)
		return true;
	return m->host;
}

enum err group_load(struct db *db, const struct actor *actor, const char *id, struct group_meta *out)
{
	struct db_res *r;
	enum err e;

	memset(out, 0, sizeof(*out));
	if (!id || !str_is_uuid(str_c(id)))
		return ERR_NOT_FOUND;
	e = db_query_one(db, &q_meta, DB_ARGS(DB_TEXT(id), DB_INT(actor ? actor->id : 0)), &r);
	if (e)
		return e;
	str_copy(out->id, sizeof(out->id), db_text(r, 0));
	str_copy(out->org_id, sizeof(out->org_id), db_text(r, 1));
	out->open = strcmp(db_text(r, 2), "open") == 0;
	out->published = strcmp(db_text(r, 3), "published") == 0;
	out->turn_up = (db_int(r, 4) & SF_TURN_UP) != 0;
	out->capacity = (int)db_int(r, 5);
	out->show_count = db_int(r, 6) != 0;
	out->sensitive = db_int(r, 7) != 0;
	out->member = actor && actor->id && db_int(r, 8) > 0;
	out->host = actor && actor->id && db_int(r, 9) > 0;
	db_res_free(r);
	if (!out->published && !sees_unpublished(actor, out)) {
		memset(out, 0, sizeof(*out));
		return ERR_NOT_FOUND;
	}
	return ERR_OK;
}

enum err group_check(const struct group_fields *f, json_t *errors)
{
	size_t before = json_array_size(errors);

	field_text_ok(errors, "welcome", "The welcome", f->welcome, GROUP_TEXT_MAX, false);
	field_text_ok(errors, "who_for", "Who it is for", f->who_for, GROUP_TEXT_MAX, false);
	field_text_ok(errors, "members_only", "The details for members", f->members_only, GROUP_TEXT_MAX,
		      false);
	if (f->capacity < 0 || f->capacity > GROUP_CAPACITY_MAX)
		field_err(errors, "capacity", "Enter how many people can come to a session, from 1 to 1,000, "
			  "or leave it empty for no limit");
	return json_array_size(errors) > before ? ERR_INVALID : ERR_OK;
}

static struct db_val capacity_val(int c)
{
	return c > 0 ? DB_INT(c) : DB_NULL;
}

enum err group_create(struct db *db, const char *service_id, const struct group_fields *f, int64_t by,
		int64_t now, json_t *errors)
{
	struct db_res *r;
	char org[37];
	int64_t n = 0;
	enum err e;

	if (!service_id || !str_is_uuid(str_c(service_id)))
		return ERR_NOT_FOUND;
	if ((e = db_query_one(db, &q_service, DB_ARGS(DB_TEXT(service_id)), &r)) != ERR_OK)
		return e;
	str_copy(org, sizeof(org), db_text(r, 0));
	db_res_free(r);
	if ((e = db_query_int(db, &q_exists, DB_ARGS(DB_TEXT(service_id)), &n)) != ERR_OK)
		return e;
	if (n > 0)
		return ERR_CONFLICT;
	if (group_check(f, errors) != ERR_OK)
		return ERR_INVALID;
	e = db_exec(db, &q_insert, DB_ARGS(DB_TEXT(service_id), DB_TEXT(org), DB_TEXT(f->welcome ? f->welcome : ""),
		DB_TEXT(f->who_for ? f->who_for : ""), DB_TEXT(f->members_only ? f->members_only : ""),
		capacity_val(f->capacity), DB_INT(f->show_count), DB_INT(f->sensitive),
		DB_TEXT(f->open ? "open" : "closed"), DB_INT(now), by ? DB_INT(by) : DB_NULL), NULL);
	if (e == ERR_CONFLICT)
		return ERR_CONFLICT;
	if (e == ERR_OK)
		e = group_audit(db, now, by, "group.created", 0, "group=%.36s", service_id);
	if (e == ERR_OK)
		e = group_touch(db);
	return e;
}

enum err group_update(const struct group_env *env, struct db *db, const char *id, const struct group_fields *f, int64_t by,
		int64_t now, json_t *errors)
{
	int64_t changed = 0;
	enum err e;

	if (group_check(f, errors) != ERR_OK)
		return ERR_INVALID;
	e = db_exec(db, &q_update, DB_ARGS(DB_TEXT(id), DB_TEXT(f->welcome ? f->welcome : ""),
		DB_TEXT(f->who_for ? f->who_for : ""), DB_TEXT(f->members_only ? f->members_only : ""),
		capacity_val(f->capacity), DB_INT(f->show_count), DB_INT(f->sensitive),
		DB_TEXT(f->open ? "open" : "closed"), DB_INT(now)), &changed);
	if (e == ERR_OK && changed == 0)
		e = ERR_NOT_FOUND;
	if (e == ERR_OK)
		e = group_audit(db, now, by, "group.updated", 0, "group=%.36s", id);
	if (e == ERR_OK)
		e = group_touch(db);
	if (e == ERR_OK)   /* a larger capacity has places for those waiting */
		e = group_promote_all(env, db, id, now);
	return e;
}

/* ---------------------------------------------------------------- hosts and members */

enum err group_host_add(struct db *db, const char *id, const char *email, int64_t by, int64_t now,
		json_t *errors)
{
	struct person p;
	struct arena a;
	enum err e;

	if (str_is_blank(email)) {
		field_err(errors, "email", "Enter the email address of the host's kith account");
		return ERR_INVALID;
	}
	arena_init(&a);
	e = person_find_email(db, &a, email, &p);
	if (e == ERR_NOT_FOUND || (e == ERR_OK && (!p.verified || p.deactivated_at || p.erased_at))) {
		field_err(errors, "email", "There is no kith account with a confirmed email address like that. "
			  "Ask them to make an account and confirm their email first");
		e = ERR_INVALID;
	}
	if (e == ERR_OK)
		e = db_exec(db, &q_host_add, DB_ARGS(DB_TEXT(id), DB_INT(p.id), DB_INT(now), by ? DB_INT(by) : DB_NULL), NULL);
	if (e == ERR_OK)
		e = group_audit(db, now, by, "group.host_added", p.id, "group=%.36s", id);
	arena_release(&a);
	return e;
}

enum err group_host_remove(struct db *db, const char *id, int64_t person_id, int64_t by, int64_t now)
{
	int64_t n = 0;
	enum err e = db_exec(db, &q_host_remove, DB_ARGS(DB_TEXT(id), DB_INT(person_id)), &n);

	if (e == ERR_OK && n == 0)
		return ERR_NOT_FOUND;
	if (e == ERR_OK)
		e = group_audit(db, now, by, "group.host_removed", person_id, "group=%.36s", id);
	return e;
}

enum err group_join(const struct group_env *env, struct db *db, const char *id, int64_t person_id,
		int64_t now)
{
	struct group_meta m;
	int64_t n = 0;
	enum err e = group_load(db, NULL, id, &m);

	UNUSED(env);
	if (e)
		return e;
	if (!m.open)
		return ERR_CONFLICT;
	e = db_exec(db, &q_join, DB_ARGS(DB_TEXT(id), DB_INT(person_id), DB_INT(now)), &n);
	if (e == ERR_OK && n > 0)
		e = group_audit(db, now, person_id, "group.joined", person_id, "group=%.36s", id);
	return e;
}

enum err group_leave(const struct group_env *env, struct db *db, const char *id, int64_t person_id,
		int64_t now)
{
	int64_t n = 0;
	enum err e = db_exec(db, &q_leave, DB_ARGS(DB_TEXT(id), DB_INT(person_id)), &n);

	if (e == ERR_OK)
		e = group_series_stop(env, db, id, person_id, now, true);
	if (e == ERR_OK && n > 0)
		e = group_audit(db, now, person_id, "group.left", person_id, "group=%.36s", id);
	return e;
}

/* ---------------------------------------------------------------- messages */

enum err group_message_send(const struct group_env *env, struct db *db, const char *id, int64_t by,
		const char *body, int64_t now, json_t *errors)
{
	struct group_meta m;
	struct arena a;
	int64_t *to = NULL;
	size_t n = 0;
	enum err e;

	if (str_is_blank(body)) {
		field_err(errors, "body", "Write your message");
		return ERR_INVALID;
	}
	if (!field_text_ok(errors, "body", "Your message", body, GROUP_MESSAGE_MAX, false))
		return ERR_INVALID;
	if ((e = group_load(db, NULL, id, &m)) != ERR_OK && e != ERR_NOT_FOUND)
		return e;
	/* A group not yet published is still its hosts' to message. */
	if (e == ERR_NOT_FOUND) {
		int64_t x = 0;
		if ((e = db_query_int(db, &q_exists, DB_ARGS(DB_TEXT(id)), &x)) != ERR_OK)
			return e;
		if (!x)
			return ERR_NOT_FOUND;
		m.sensitive = true;
	}
	if ((e = db_exec(db, &q_message, DB_ARGS(DB_TEXT(id), DB_INT(by), DB_TEXT(body), DB_INT(now)), NULL)))
		return e;
	if ((e = group_audit(db, now, by, "group.message", 0, "group=%.36s", id)) != ERR_OK)
		return e;
	if ((e = group_ids(db, &q_members, DB_ARGS(DB_TEXT(id), DB_INT(by)), &to, &n)) != ERR_OK)
		return e;
	arena_init(&a);
	const char *name = group_name(db, &a, id);
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		json_t *ctx = m.sensitive ? json_pack("{s:b}", "sensitive", 1) :
			      json_pack("{s:b, s:s, s:s}", "sensitive", 0, "group", name ? name : "",
					"body", body);
		e = ctx ? group_mail(env, db, to[i], "group_message", ctx, "groups.show", id, now) : ERR_NOMEM;
		json_decref(ctx);
	}
	arena_release(&a);
	free(to);
	return e;
}
