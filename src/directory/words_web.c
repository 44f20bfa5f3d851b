/*
 * words_web.c - /directory/words: coordinators say which words search
 * should treat as the same (words.h). One form, the whole list as lines;
 * a line that does not read is refused with its number and what to fix,
 * and nothing is saved until every line reads. Saving raises the version
 * every process watches, so the directory is indexed again everywhere
 * within a sync (here at once, after the commit).
 */
#include "core/common.h"
#include "app/app.h"
#include "app/features.h"
#include "audit/audit_web.h"
#include "core/log.h"
#include "directory/directory.h"
#include "directory/directory_feature.h"
#include "directory/words.h"
#include "store/store.h"
#include "web/errors.h"
#include "web/form.h"
#include "web/url.h"

#define FLD_WORDS "words"

static const char *check_words(const char *v);

static const struct field_def fields[] = {
	{ .name = FLD_WORDS, .label = "Words to treat as the same",
	  .hint = "One a line. A compound and its two words: foodbank = food bank. "
		  "Synonyms, one or two words each, commas between: copd, lung, breathing problems. "
		  "Anything after # is a note.",
	  .kind = FIELD_TEXT, .rows = 14, .max = WORDS_TEXT_MAX, .nospell = true, .check = check_words },
};

static const char *check_words(const char *v)
{
	static _Thread_local char why[240];

	return words_check(v, why, sizeof(why));
}

static enum err words_page(struct request *req, struct response *resp, int status, json_t *values,
		json_t *errors, void *ctx)
{
	json_t *data = json_object(), *lines = NULL;
	size_t len;
	const char *shipped = words_shipped(&len);
	enum err e;

	UNUSED(ctx);
	if (!values) {
		/* First drawn: the lines as stored. */
		if ((e = words_lines(req->db, &lines)) != ERR_OK) {
			json_decref(data);
			json_decref(errors);
			return e;
		}
		struct buf b;
		size_t i;
		json_t *l;

		buf_init(&b, WORDS_TEXT_MAX + 2);
		json_array_foreach(lines, i, l)
			buf_addf(&b, "%s\n", json_string_value(l));
		values = json_pack("{s:s%}", FLD_WORDS, b.len ? b.p : "", b.len);
		buf_release(&b);
		json_decref(lines);
	}
	json_object_set_new(data, "form", web_form(web_url(req, "words.page", NULL), "Save words", false,
		fields, ARRAY_LEN(fields), values, errors));
	json_object_set_new(data, "shipped", json_stringn(shipped, len));
	web_set_errors(data, errors);
	web_done(req, data, (const struct done_word[]){ { "saved", true,
		"The words are saved. Search uses them from now on." } }, 1, NULL);
	json_decref(values);
	return web_page(req, resp, status, "directory/words.html", "Words search treats as the same",
			data);
}

static enum err words_get(struct request *req, struct response *resp)
{
	return words_page(req, resp, 200, NULL, NULL, NULL);
}

/* After the commit: this process's index takes the new words at once. */
static void reindex(void *arg)
{
	struct request *req = arg;
	enum err e = directory_apply_changes(req->app->directory, req->db);

	if (e)
		log_warn("[%s] indexing with the new search words failed: %s", req->id, err_name(e));
}

static enum err words_act(struct request *req, struct response *resp, const struct bound *b,
		json_t *errors, void *ctx)
{
	const char *text = web_bound(b, FLD_WORDS)->text;
	char detail[32];
	size_t n = 0;
	enum err e;

	UNUSED(resp);
	UNUSED(errors);
	UNUSED(ctx);
	if ((e = words_save(req->db, text ? text : "", req->actor->id, req->now, &n)) != ERR_OK)
		return e;
	snprintf(detail, sizeof(detail), "lines=%zu", n);
	if ((e = audit_req(req, "search_words.changed", 0, detail)) != ERR_OK)
		return e;
	return db_after_commit(req->db, reindex, req);
}

static const struct form_post words_form = {
	.fields = fields, .nfields = ARRAY_LEN(fields),
	.act = words_act, .page = words_page, .done_route = "words.page", .done_word = "saved",
};

static enum err words_post(struct request *req, struct response *resp)
{
	return web_form_post(req, resp, &words_form, NULL);
}

static const struct route routes[] = {
	{ M_GET,  "/directory/words", words_get, &act_search_words, 0, "words.page" },
	{ M_POST, "/directory/words", words_post, &act_search_words, RF_FORM | RF_CSRF, "words.save" },
};

const struct feature directory_words_feature = {
	.actions = directory_actions,
	.name = "directory_words", .routes = routes, .nroutes = ARRAY_LEN(routes),
};
