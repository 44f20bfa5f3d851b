/*
 * ops_db.c - the meta table's statements.
 */
#include "core/common.h"
#include "core/str.h"
#include "ops/ops.h"
#include "store/store.h"

static const struct sql q_meta_set = {
	"meta.set",
	"INSERT INTO meta (key, value, updated_at) VALUES ($1, $2, $3) "
	"ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
	NULL,
};

static const struct sql q_meta_insert = {
	"meta.insert", "INSERT INTO meta (key, value, updated_at) VALUES ($1, $2, $3)", NULL,
};

static const struct sql q_meta_get = {
	"meta.get", "SELECT value FROM meta WHERE key = $1", NULL,
};

enum err ops_meta_set(struct db *db, const char *key, const char *value, int64_t now)
{
	return db_exec(db, &q_meta_set, DB_ARGS(DB_TEXT(key), DB_TEXT(value), DB_INT(now)), NULL);
}

enum err ops_meta_insert(struct db *db, const char *key, const char *value, int64_t now)
{
	return db_exec(db, &q_meta_insert, DB_ARGS(DB_TEXT(key), DB_TEXT(value), DB_INT(now)), NULL);
}

enum err ops_meta_get(struct db *db, const char *key, char *out, size_t n)
{
	struct db_res *r;
	enum err e = db_query_one(db, &q_meta_get, DB_ARGS(DB_TEXT(key)), &r);

	if (e)
		return e;
	if (!str_copy(out, n, db_text(r, 0)))
		e = ERR_TOO_LARGE;
	db_res_free(r);
	return e;
}
