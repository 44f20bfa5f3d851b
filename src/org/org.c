/*
 * org.c - organisations: the shared rows and who acts for one.
 *
 * The only module that writes the organisation table: the directory's
 * detail (description, contacts, charity number, ORUK document) goes
 * through org_put() too. The SQL is here as well: a few short statements
 * are not worth a file of their own.
 */
#include "core/common.h"
#include "org/org.h"

#include "core/str.h"
#include "store/store.h"

static const struct sql q_insert = { "org.insert",
	"INSERT INTO organisation (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)", NULL };
static const struct sql q_exists = { "org.exists",
	"SELECT count(*) FROM organisation WHERE id = $1", NULL };
static const struct sql q_name = { "org.name", "SELECT name FROM organisation WHERE id = $1", NULL };
static const struct sql q_get = { "org.get",
	"SELECT id, name, description, email, url, charity_number, doc, coalesce(last_modified, 0) "
	"FROM organisation WHERE id = $1", NULL };
static const struct sql q_insert_record = { "org.insert_record",
	"INSERT INTO organisation (id, name, description, email, url, charity_number, doc, "
	"last_modified, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)", NULL };
static const struct sql q_update_record = { "org.update_record",
	"UPDATE organisation SET name = $2, description = $3, email = $4, url = $5, "
	"charity_number = $6, doc = $7, last_modified = $8, updated_at = $9 WHERE id = $1", NULL };
static const struct sql q_list = { "org.list",
	"SELECT id, name FROM organisation ORDER BY name, id LIMIT 2000", NULL };

enum err org_create(struct db *db, const char *id, const char *name, int64_t now)
{
	if (!id || !str_is_uuid(str_c(id)) || str_check_line(name, ORG_NAME_MAX, "", "", ""))
		return ERR_INVALID;
	return db_exec(db, &q_insert, DB_ARGS(DB_TEXT(id), DB_TEXT(name), DB_INT(now)), NULL);
}

enum err org_exists(struct db *db, const char *id)
{
	int64_t n = 0;
	enum err e;

	if (!id || !*id)
		return ERR_NOT_FOUND;
	if ((e = db_query_int(db, &q_exists, DB_ARGS(DB_TEXT(id)), &n)) != ERR_OK)
		return e;
	return n ? ERR_OK : ERR_NOT_FOUND;
}

enum err org_name(struct db *db, struct arena *a, const char *id, const char **out)
{
	struct db_res *r;
	enum err e;

	*out = NULL;
	if ((e = db_query(db, &q_name, DB_ARGS(DB_TEXT(id)), &r)) != ERR_OK)
		return e;
	if ((e = db_next(r)) == ERR_OK && db_row(r))
		*out = arena_strdup(a, db_text(r, 0) ? db_text(r, 0) : "");
	db_res_free(r);
	return e;
}

enum err org_choices(struct db *db, const char *chosen, json_t **out)
{
	struct db_res *r;
	enum err e;

	*out = json_array();
	if ((e = db_query(db, &q_list, DB_NOARGS, &r)) != ERR_OK)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r))
		json_array_append_new(*out, json_pack("{s:s, s:s, s:b}", "value", db_text(r, 0),
			"name", db_text(r, 1) ? db_text(r, 1) : "",
			"selected", chosen && strcmp(chosen, db_text(r, 0)) == 0));
	db_res_free(r);
	return e;
}

enum err org_get(struct db *db, struct arena *a, const char *id, struct org_record *out)
{
	struct db_res *r;
	enum err e = db_query_one(db, &q_get, DB_ARGS(DB_TEXT(id)), &r);

	if (e)
		return e;
	*out = (struct org_record){
		.id = db_dup(a, r, 0, NULL),
		.name = db_dup(a, r, 1, NULL),
		.description = db_dup(a, r, 2, NULL),
		.email = db_dup(a, r, 3, NULL),
		.url = db_dup(a, r, 4, NULL),
		.charity = db_dup(a, r, 5, NULL),
		.doc = db_dup(a, r, 6, NULL),
		.last_modified = db_int(r, 7),
	};
	if (!out->id || !out->name)
		e = ERR_NOMEM;
	db_res_free(r);
	return e;
}

enum err org_put(struct db *db, const struct org_record *o, int64_t now, bool exists)
{
	return db_exec(db, exists ? &q_update_record : &q_insert_record, DB_ARGS(DB_TEXT(o->id),
		DB_TEXT(o->name), db_text_or_null(o->description), db_text_or_null(o->email), db_text_or_null(o->url), db_text_or_null(o->charity),
		DB_TEXT(o->doc), DB_INT(o->last_modified), DB_INT(now)), NULL);
}
