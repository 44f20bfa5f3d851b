/*
 * words.c - the lexicon the directory's index is built with: what kith
 * ships, then what coordinators added (words.h).
 */
#include "core/common.h"
#include "directory/words.h"

#include "core/embedded.h"
#include "core/log.h"
#include "core/str.h"
#include "search/lexicon.h"
#include "store/store.h"

static const struct sql q_lines = { "words.lines",
	"SELECT line FROM search_word ORDER BY position", NULL };
static const struct sql q_version = { "words.version",
	"SELECT version FROM search_word_version WHERE id = 1", NULL };
static const struct sql q_clear = { "words.clear", "DELETE FROM search_word", NULL };
static const struct sql q_insert = { "words.insert",
	"INSERT INTO search_word (position, line) VALUES ($1, $2)", NULL };
static const struct sql q_bump = { "words.bump",
	"UPDATE search_word_version SET version = version + 1, updated_by = $1, updated_at = $2 "
	"WHERE id = 1", NULL };

const char *words_shipped(size_t *len)
{
	const struct embedded_file *f = embedded_find(embedded_data, embedded_data_n, "search/words.txt");

	*len = f ? f->len : 0;
	return f ? (const char *)f->data : "";
}

enum err words_version(struct db *db, int64_t *version)
{
	enum err e = db_query_int(db, &q_version, DB_NOARGS, version);

	if (e == ERR_NOT_FOUND) {
		*version = 0;
		return ERR_OK;
	}
	return e;
}

enum err words_lines(struct db *db, json_t **out)
{
	struct db_res *r;
	enum err e;

	*out = json_array();
	if (!*out)
		return ERR_NOMEM;
	if ((e = db_query(db, &q_lines, DB_NOARGS, &r)) != ERR_OK)
		goto fail;
	while ((e = db_next(r)) == ERR_OK && db_row(r))
		if (json_array_append_new(*out, json_string(db_text(r, 0))) != 0) {
			e = ERR_NOMEM;
			break;
		}
	db_res_free(r);
	if (!e)
		return ERR_OK;
fail:
	json_decref(*out);
	*out = NULL;
	return e;
}

enum err words_load(struct db *db, struct lexicon **out, int64_t *version)
{
	struct lexicon *lx = lexicon_new();
	json_t *lines = NULL, *l;
	size_t len, i;
	const char *shipped = words_shipped(&len);
	char why[200];
	enum err e;

	*out = NULL;
	*version = 0;
	if (!lx)
		return ERR_NOMEM;
	if (lexicon_add_text(lx, shipped, len, why, sizeof(why)) != ERR_OK)
		log_error("directory: data/search/words.txt: %s", why);
	if (db && ((e = words_version(db, version)) != ERR_OK || (e = words_lines(db, &lines)) != ERR_OK)) {
		lexicon_free(lx);
		return e;
	}
	json_array_foreach(lines, i, l)
		if (lexicon_add_line(lx, json_string_value(l), why, sizeof(why)) != ERR_OK)
			log_warn("directory: search word line %zu left out: %s", i + 1, why);
	json_decref(lines);
	lexicon_seal(lx);
	*out = lx;
	return ERR_OK;
}

const char *words_check(const char *text, char *why, size_t whylen)
{
	struct lexicon *lx;
	size_t n = strlen(text), lines = 0;
	enum err e;

	if (n > WORDS_TEXT_MAX) {
		snprintf(why, whylen, "The words are too long: keep them under %d characters", WORDS_TEXT_MAX);
		return why;
	}
	for (size_t i = 0; i < n; i++)
		lines += text[i] == '\n';
	if (lines >= WORDS_LINES_MAX) {
		snprintf(why, whylen, "There are too many lines: keep to %d", WORDS_LINES_MAX);
		return why;
	}
	if (!(lx = lexicon_new())) {
		snprintf(why, whylen, "The words could not be checked just now. Try again");
		return why;
	}
	e = lexicon_add_text(lx, text, n, why, whylen);
	lexicon_free(lx);
	if (e == ERR_OK)
		return NULL;
	if (why[0] >= 'a' && why[0] <= 'z')
		why[0] = (char)(why[0] - 32);   /* "line 3: ..." starts a sentence */
	return why;
}

enum err words_save(struct db *db, const char *text, int64_t by, int64_t now, size_t *n)
{
	const char *p = text;
	enum err e;

	*n = 0;
	if ((e = db_exec(db, &q_clear, DB_NOARGS, NULL)) != ERR_OK)
		return e;
	while (*p) {
		size_t len = strcspn(p, "\n");
		char *line = strndup(p, len);

		if (!line)
			return ERR_NOMEM;
		if (len && line[len - 1] == '\r')
			line[len - 1] = '\0';
		if (!str_is_blank(line))
			e = db_exec(db, &q_insert, DB_ARGS(DB_INT((int64_t)++*n), DB_TEXT(line)), NULL);
		free(line);
		if (e)
			return e;
		p += len + (p[len] == '\n');
	}
	return db_exec(db, &q_bump, DB_ARGS(by ? DB_INT(by) : DB_NULL, DB_INT(now)), NULL);
}
