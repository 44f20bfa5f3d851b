/*
 * feed_web.c - /directory/feeds: coordinators see each council feed kith
 * pulls, when it was last pulled, whether that worked (and if not, why,
 * in the pull's own words), what it brought and when it is next due.
 * Read-only: feeds are added and removed with `kith directory feed`, an
 * operator's command, since a feed's URL makes kith send requests.
 */
#include "core/common.h"
#include "oruk/feed_feature.h"

#include "app/app.h"
#include "core/uktime.h"
#include "directory/directory.h"
#include "oruk/pull.h"
#include "web/view.h"

/* "7 December 2026, 07:00" (UK time), or absent. */
static void when(json_t *f, const char *key, const char *words_key)
{
	const json_t *t = json_object_get(f, key);
	char day[40], hm[8];

	if (!json_is_integer(t))
		return;
	uk_format_date(json_integer_value(t), day, sizeof(day));
	uk_format_time(json_integer_value(t), hm, sizeof(hm));
	json_object_set_new(f, words_key, json_sprintf("%s, %s", day, hm));
}

static enum err feeds_page(struct request *req, struct response *resp)
{
	json_t *list, *f, *data;
	size_t i;
	enum err e;

	if ((e = feed_list(req->db, &list)) != ERR_OK)
		return e;
	json_array_foreach(list, i, f) {
		const char *status = json_string_value(json_object_get(f, "status"));

		when(f, "last_tried_at", "tried_words");
		when(f, "last_ok_at", "ok_words");
		when(f, "next_at", "next_words");
		json_object_set_new(f, "ok", json_boolean(status && strcmp(status, "ok") == 0));
		json_object_set_new(f, "failed", json_boolean(status && strcmp(status, "failed") == 0));
		json_object_set_new(f, "has_gone", json_boolean(json_integer_value(json_object_get(f, "gone")) > 0));
	}
	data = json_pack("{s:o, s:b, s:b}", "feeds", list, "any", json_array_size(list) > 0,
			 "one", json_array_size(list) == 1);
	return view_page(req, resp, 200, "directory/feeds.html", "Council feeds", data);
}

const struct route feed_routes[FEED_NROUTES] = {
	{ M_GET, "/directory/feeds", feeds_page, &act_service_review, 0, "feeds.list" },
};
