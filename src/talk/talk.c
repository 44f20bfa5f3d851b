/*
 * talk.c - conversations' people and spaces (talk.h): display names and
 * standing (trusted by time or a moderator, muted, suspended), spaces and
 * who may read and moderate them; and the helpers the feature's files
 * share (talk_int.h): settings, the audit, display names, folding text
 * for search and names, and spotting links. Topics, posts, reactions,
 * search and following are in posts.c.
 *
 * A person's standing in a space is worked out in one place (standing())
 * from the actor's roles and the rows that tie them to the space's group,
 * so the space page, the list of spaces and the posting rules agree.
 */
#include "core/common.h"
#include "talk/talk_int.h"

#include "audit/audit.h"
#include "auth/person.h"
#include "auth/policy.h"
#include "core/fields.h"
#include "core/str.h"
#include "directory/vocab.h"
#include "store/store.h"

#include <stdarg.h>
#include <stdio.h>

#define DAY_S INT64_C(86400)
#define SPACE_NAME_MIN 3
#define SPACE_NAME_MAX 100
#define SPACE_ABOUT_MAX 1000

/* ---------------------------------------------------------------- SQL */

static const struct sql q_profile = { "talk.profile",
	"SELECT " TALK_PROFILE_COLS("$2", "$3") "FROM person p LEFT JOIN talk_profile tp ON tp.person_id = p.id "
	"WHERE p.id = $1", NULL };
static const struct sql q_name_taken = { "talk.name_taken",
	"SELECT count(*) FROM talk_profile WHERE name_key = $1 AND person_id <> $2", NULL };
/* Their name is on the pages of the topics they wrote in (posts.c's
 * topic version). */
static const struct sql q_name_versions = { "talk.name_versions",
	"UPDATE talk_topic SET version = version + 1 WHERE id IN (SELECT topic_id FROM talk_post WHERE person_id = $1)",
	NULL };
static const struct sql q_profile_put = { "talk.profile_put",
	"INSERT INTO talk_profile (person_id, display_name, name_key, notify, created_at, updated_at) "
	"VALUES ($1, $2, $3, coalesce(CAST($4 AS TEXT), 'daily'), $5, $5) "
	"ON CONFLICT (person_id) DO UPDATE SET display_name = excluded.display_name, "
	"name_key = excluded.name_key, notify = coalesce(CAST($4 AS TEXT), talk_profile.notify), "
	"updated_at = excluded.updated_at", NULL };
/* A profile row with no display name chosen yet (moderate.c keeps a mute
 * or trust on one the same way): the key "#<id>" is no folded name. */
static const struct sql q_profile_ensure = { "talk.profile_ensure",
	"INSERT INTO talk_profile (person_id, display_name, name_key, created_at, updated_at) "
	"VALUES ($1, '', $2, $3, $3) ON CONFLICT (person_id) DO NOTHING", NULL };
static const struct sql q_duty = { "talk.duty",
	"UPDATE talk_profile SET on_duty = $2, updated_at = $3 WHERE person_id = $1", NULL };
static const struct sql q_display_name = { "talk.display_name",
	"SELECT display_name FROM talk_profile WHERE person_id = $1", NULL };
static const struct sql q_is_moderator = { "talk.is_moderator",
	"SELECT count(*) FROM talk_moderator WHERE space_id = $1 AND person_id = $2", NULL };
static const struct sql q_moderates_any = { "talk.moderates_any",
	"SELECT count(*) FROM talk_moderator WHERE person_id = $1", NULL };

/* A space with what ties the actor ($2) to it. */
#define SPACE_COLS "SELECT " TALK_SPACE_COLS "FROM talk_space s " TALK_SPACE_JOIN
static const struct sql q_space_slug = { "talk.space_slug", SPACE_COLS "WHERE s.slug = $1", NULL };
static const struct sql q_space_id = { "talk.space_id", SPACE_COLS "WHERE s.id = $1", NULL };
static const struct sql q_spaces = { "talk.spaces",
	SPACE_COLS "WHERE s.id > $1 ORDER BY CASE s.kind WHEN 'condition' THEN 0 WHEN 'carers' THEN 1 "
	"WHEN 'general' THEN 2 ELSE 3 END, s.name, s.id", NULL };

static const struct sql q_slug_taken = { "talk.slug_taken",
	"SELECT count(*) FROM talk_space WHERE slug = $1 AND id <> $2", NULL };
static const struct sql q_group_exists = { "talk.group_exists",
	"SELECT count(*) FROM community_group WHERE service_id = $1", NULL };
static const struct sql q_group_has_space = { "talk.group_has_space",
	"SELECT count(*) FROM talk_space WHERE service_id = $1 AND id <> $2", NULL };
static const struct sql q_space_insert = { "talk.space_insert",
	"INSERT INTO talk_space (slug, kind, name, about, condition, service_id, state, created_at, created_by) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id", NULL };
static const struct sql q_space_update = { "talk.space_update",
	"UPDATE talk_space SET slug = $2, kind = $3, name = $4, about = $5, condition = $6, service_id = $7, "
	"state = $8 WHERE id = $1", NULL };
static const struct sql q_space_exists = { "talk.space_exists",
	"SELECT count(*) FROM talk_space WHERE id = $1", NULL };
static const struct sql q_moderator_add = { "talk.moderator_add",
	"INSERT INTO talk_moderator (space_id, person_id, added_at, added_by) VALUES ($1, $2, $3, $4) "
	"ON CONFLICT (space_id, person_id) DO NOTHING", NULL };
static const struct sql q_moderator_remove = { "talk.moderator_remove",
	"DELETE FROM talk_moderator WHERE space_id = $1 AND person_id = $2", NULL };
static const struct sql q_moderators = { "talk.moderators",
	"SELECT m.person_id, nullif(tp.display_name, ''), p.email FROM talk_moderator m JOIN person p ON p.id = m.person_id "
	"LEFT JOIN talk_profile tp ON tp.person_id = m.person_id WHERE m.space_id = $1 "
	"ORDER BY coalesce(nullif(tp.display_name, ''), p.email), m.person_id", NULL };

/* ---------------------------------------------------------------- shared */

int talk_edit_minutes(const struct talk_env *env)
{
	return env && env->settings ? env->settings->talk_edit_minutes : TALK_DEFAULT_EDIT_MINUTES;
}

int talk_new_posts_per_day(const struct talk_env *env)
{
	return env && env->settings ? env->settings->talk_new_posts_per_day : TALK_DEFAULT_NEW_POSTS;
}

int talk_trust_days(const struct talk_env *env)
{
	return env && env->settings ? env->settings->talk_trust_days : TALK_DEFAULT_TRUST_DAYS;
}

int talk_digest_hour(const struct talk_env *env)
{
	return env && env->settings ? env->settings->talk_digest_hour : TALK_DEFAULT_DIGEST_HOUR;
}

int talk_per_page(const struct talk_env *env)
{
	return env && env->settings ? env->settings->talk_posts_per_page : TALK_DEFAULT_PER_PAGE;
}

enum err talk_audit(struct db *db, int64_t now, int64_t actor, const char *action, int64_t subject,
		const char *fmt, ...)
{
	char detail[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return audit_log(db, now, actor, action, subject, detail[0] ? detail : NULL, NULL, NULL);
}

const char *talk_display_name(struct db *db, struct arena *a, int64_t person_id)
{
	struct db_res *r;
	const char *name = NULL;

	if (person_id && db_query_one(db, &q_display_name, DB_ARGS(DB_INT(person_id)), &r) == ERR_OK) {
		const char *s = db_text(r, 0);
		if (s && *s)
			name = arena_strdup(a, s);
		db_res_free(r);
		if (name)
			return name;
	}
	return arena_strdup(a, "Someone");
}

static bool is_coordinator(const struct actor *actor)
{
	return actor && actor->id && (actor->roles & (ROLE_BIT(ROLE_COORDINATOR) | ROLE_BIT(ROLE_ADMIN)));
}

bool talk_is_moderator(struct db *db, const struct actor *actor, int64_t space_id)
{
	int64_t n = 0;

	if (!actor || !actor->id)
		return false;
	if (is_coordinator(actor))
		return true;
	return db_query_int(db, &q_is_moderator, DB_ARGS(DB_INT(space_id), DB_INT(actor->id)), &n) == ERR_OK &&
	       n > 0;
}

bool talk_moderates_any(struct db *db, const struct actor *actor)
{
	int64_t n = 0;

	if (!actor || !actor->id)
		return false;
	if (is_coordinator(actor))
		return true;
	return db_query_int(db, &q_moderates_any, DB_ARGS(DB_INT(actor->id)), &n) == ERR_OK && n > 0;
}

/* ---------------------------------------------------------------- folding */

/* U+00C0..U+00FF and U+0100..U+017F as the ASCII letters they are read
 * as ("" for the two signs among them, × and ÷). */
static const char *const latin1[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
};
static const char latin_ext_a[129] =
	"aaaaaaccccccccdd" "ddeeeeeeeeeegggg" "gggghhhhiiiiiiii" "iiiijjkkklllllll"
	"lllnnnnnnnnnoooo" "oooorrrrrrssssss" "ssttttttuuuuuuuu" "uuuuwwyyyzzzzzzs";

/* The code point at *p (advancing it), or 0xFFFD for a byte that does not
 * start a whole UTF-8 character (advancing one byte). *len: its bytes. */
static uint32_t next_cp(const unsigned char **p, const unsigned char *end, size_t *len)
{
	const unsigned char *s = *p;
	uint32_t c = s[0];
	size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;

	if (n == 0 || (size_t)(end - s) < n) {
		*p = s + 1;
		*len = 1;
		return 0xfffd;
	}
	if (n > 1)
		c &= 0xffu >> (n + 1);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*p = s + 1;
			*len = 1;
			return 0xfffd;
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	*p = s + n;
	*len = n;
	return c;
}

/* What c folds to: ASCII letters (in out), the character itself (NULL:
 * copy its bytes), or a space (""). */
static const char *fold_cp(uint32_t c, char out[2])
{
	if (c < 0x80) {
		out[1] = 0;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			out[0] = (char)c;
		else if (c >= 'A' && c <= 'Z')
			out[0] = (char)(c - 'A' + 'a');
		else
			out[0] = 0;
		return out;
	}
	if (c < 0xc0 || c == 0xfffd || (c >= 0x2000 && c <= 0x206f) || (c >= 0x3000 && c <= 0x303f) ||
	    (c >= 0xfe00 && c <= 0xfe0f) || c == 0xfeff)
		return "";   /* symbols, punctuation, spaces, variation selectors */
	if (c < 0x100)
		return latin1[c - 0xc0];
	if (c < 0x180) {
		out[0] = latin_ext_a[c - 0x100];
		out[1] = 0;
		return out;
	}
	return NULL;
}

char *talk_fold(struct arena *a, const char *text)
{
	size_t n = text ? strlen(text) : 0, o = 0;
	char *out = arena_alloc(a, n + 1);
	const unsigned char *p = (const unsigned char *)(text ? text : ""), *end = p + n;
	bool space = false;

	if (!out)
		return NULL;
	while (p < end) {   /* every character folds to at most its own bytes */
		const unsigned char *at = p;
		size_t len;
		char one[2];
		const char *f = fold_cp(next_cp(&p, end, &len), one);

		if (f && !*f) {
			space = o > 0;
			continue;
		}
		if (space)
			out[o++] = ' ';
		space = false;
		if (f) {
			for (; *f; f++)
				out[o++] = *f;
		} else {
			memcpy(out + o, at, len);
			o += len;
		}
	}
	out[o] = 0;
	return out;
}

/* ---------------------------------------------------------------- links */

static const char *const tlds[] = {
	"com", "org", "net", "uk", "io", "info", "biz", "ly", "me", "co", "xyz", "app", "site", "online",
	"shop", "link", "club", "us", "eu", "de", "fr", "ru", "cn", "tk", "gov", "nhs", "edu", "ie", "top",
};

static bool tld_known(const char *p, size_t n)
{
	for (size_t i = 0; i < ARRAY_LEN(tlds); i++)
		if (strlen(tlds[i]) == n && strncasecmp(tlds[i], p, n) == 0)
			return true;
	return false;
}

static bool host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* A host name at s: two or more labels joined by dots whose last is a
 * known top-level domain ("example.com", "nhs.uk"), not a sentence's end
 * ("fine.So") nor a number ("2.5"). */
static bool host_at(const char *s)
{
	const char *p = s, *last = NULL;
	int labels = 0;

	for (;;) {
		const char *start = p;
		while (host_char(*p))
			p++;
		if (p == start)
			break;
		labels++;
		last = start;
		if (*p != '.' || !host_char(p[1]))
			break;
		p++;
	}
	return labels >= 2 && tld_known(last, (size_t)(p - last)) && !host_char(*p);
}

bool talk_has_link(const char *body)
{
	static const char *const schemes[] = { "http:", "https:", "www.", "mailto:", "ftp:" };

	if (!body)
		return false;
	for (const char *p = body; *p; p++) {
		if (p > body && host_char(p[-1]))
			continue;   /* only at the start of a word */
		for (size_t i = 0; i < ARRAY_LEN(schemes); i++)
			if (strncasecmp(p, schemes[i], strlen(schemes[i])) == 0)
				return true;
		if (host_char(*p) && host_at(p))
			return true;
	}
	return false;
}

/* ---------------------------------------------------------------- people */

enum err talk_profile_get(const struct talk_env *env, struct db *db, int64_t person_id, int64_t now,
		struct talk_profile *out)
{
	struct db_res *r;
	enum err e;

	memset(out, 0, sizeof(*out));
	out->person_id = person_id;
	str_copy(out->notify, sizeof(out->notify), "daily");
	e = db_query_one(db, &q_profile, DB_ARGS(DB_INT(person_id), DB_INT(now - DAY_S),
		DB_INT(talk_trusted_before(env, now))), &r);
	if (e)
		return e;
	talk_profile_read(env, r, 0, person_id, now, out);
	db_res_free(r);
	return ERR_OK;
}

int64_t talk_trusted_before(const struct talk_env *env, int64_t now)
{
	return now - (int64_t)talk_trust_days(env) * DAY_S;
}

void talk_profile_read(const struct talk_env *env, struct db_res *r, int c, int64_t person_id, int64_t now,
		struct talk_profile *out)
{
	int64_t made = db_int(r, c);

	memset(out, 0, sizeof(*out));
	out->person_id = person_id;
	str_copy(out->display_name, sizeof(out->display_name), db_text(r, c + 1) ? db_text(r, c + 1) : "");
	out->trusted = db_int(r, c + 2) != 0 || made <= talk_trusted_before(env, now);
	out->suspended = db_int(r, c + 3) != 0;
	out->muted_until = db_int(r, c + 4) > now ? db_int(r, c + 4) : 0;
	out->on_duty = db_int(r, c + 5) != 0;
	str_copy(out->notify, sizeof(out->notify), db_text(r, c + 6) ? db_text(r, c + 6) : "daily");
	out->posts_today = (int)db_int(r, c + 7);
}

/* Is c a letter a name may use: ASCII, Latin with accents, and the
 * alphabets and syllabaries people in the UK write their names in? */
static bool name_letter(uint32_t c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	return (c >= 0xc0 && c <= 0x24f && c != 0xd7 && c != 0xf7) || (c >= 0x370 && c <= 0x52f) ||
	       (c >= 0x590 && c <= 0x6ff) || (c >= 0x900 && c <= 0xdff) || (c >= 0x1e00 && c <= 0x1eff) ||
	       (c >= 0x3040 && c <= 0x30ff) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af);
}

/* NULL when name (trimmed, one line) is a display name people may
 * choose, else what to fix. */
static const char *name_problem(const char *name, size_t *chars)
{
	const unsigned char *p = (const unsigned char *)name, *end = p + strlen(name);
	int digits = 0, alnum = 0;

	*chars = 0;
	if (strchr(name, '@'))
		return "Your display name cannot be an email address. Choose a name that does not say who you are";
	while (p < end) {
		size_t len;
		uint32_t c = next_cp(&p, end, &len);

		(*chars)++;
		if (c >= '0' && c <= '9')
			digits++;
		if (name_letter(c) || (c >= '0' && c <= '9'))
			alnum++;
		else if (!(c == ' ' || c == '-' || c == '\'' || c == '.' || c == '_' || c == 0x2019))
			return "Your display name can only have letters, numbers, spaces, hyphens, "
			       "apostrophes, full stops and underscores";
	}
	if (*chars < TALK_NAME_MIN || *chars > TALK_NAME_MAX)
		return "Your display name must be 3 to 30 characters long";
	if (!alnum)
		return "Your display name needs at least one letter or number";
	if (digits >= 7)
		return "Your display name cannot be a phone number. Choose a name that does not say who you are";
	if (talk_has_link(name))
		return "Your display name cannot be an email or web address. Choose a name that does not say who you are";
	return NULL;
}

/* Names kith and its people use, which no one may take: a post by
 * "Moderator" must be from one. */
static bool name_reserved(const char *key)
{
	static const char *const kept[] = { "someone", "kith", "kith team", "moderator", "moderators", "mod",
		"admin", "administrator", "coordinator", "samaritans", "nhs", "nhs 111", "shout", "anonymous" };

	for (size_t i = 0; i < ARRAY_LEN(kept); i++)
		if (strcmp(kept[i], key) == 0)
			return true;
	return false;
}

static bool notify_ok(const char *n)
{
	return strcmp(n, "instant") == 0 || strcmp(n, "daily") == 0 || strcmp(n, "off") == 0;
}

/* The trimmed display name in a, with its folded key, or false with an
 * error in errors (talk_int.h). */
bool talk_name_check(struct arena *a, const char *display_name, json_t *errors, char **name, char **key)
{
	const char *why = str_check_line(display_name, TALK_NAME_MAX * 4, "Enter a display name",
					 "Your display name must be 3 to 30 characters long",
					 "Your display name has characters we cannot read: remove them and try again");
	size_t chars;

	if (!why) {
		struct str t = str_trim(str_c(display_name));
		*name = arena_strndup(a, t.p, t.n);
		*key = *name ? talk_fold(a, *name) : NULL;
		if (!*key)
			return false;
		why = name_problem(*name, &chars);
		if (!why && name_reserved(*key))
			why = "That name is kept for kith and its moderators. Choose another";
	}
	if (why)
		field_err(errors, "display_name", why);
	return !why;
}

enum err talk_profile_set(struct db *db, int64_t person_id, const char *display_name, const char *notify,
		int64_t now, json_t *errors)
{
	struct arena a;
	char *name = NULL, *key = NULL;
	int64_t taken = 0;
	bool ok;
	enum err e = ERR_OK;

	arena_init(&a);
	ok = talk_name_check(&a, display_name, errors, &name, &key);
	if (notify && *notify && !notify_ok(notify)) {
		field_err(errors, "notify", "Choose how you would like to hear of new replies: at once, "
			  "once a day, or not at all");
		ok = false;
	}
	if (!ok) {
		e = ERR_INVALID;
		goto out;
	}
	e = db_query_int(db, &q_name_taken, DB_ARGS(DB_TEXT(key), DB_INT(person_id)), &taken);
	if (e == ERR_OK && taken > 0)
		e = ERR_CONFLICT;
	if (e == ERR_OK)
		e = db_exec(db, &q_profile_put, DB_ARGS(DB_INT(person_id), DB_TEXT(name), DB_TEXT(key),
			db_text_or_null(notify), DB_INT(now)), NULL);
	if (e == ERR_OK)
		e = db_exec(db, &q_name_versions, DB_ARGS(DB_INT(person_id)), NULL);
	if (e == ERR_CONFLICT)
		field_err(errors, "display_name", "Someone already uses that display name, or one very like it. "
			  "Choose another");
	if (e == ERR_OK)
		e = talk_audit(db, now, person_id, "talk.profile_set", person_id, "%s", "");
out:
	arena_release(&a);
	return e;
}

enum err talk_duty_set(struct db *db, int64_t person_id, bool on, int64_t now)
{
	char key[32];
	int64_t n = 0;
	enum err e;

	snprintf(key, sizeof(key), "#%lld", (long long)person_id);
	e = db_exec(db, &q_profile_ensure, DB_ARGS(DB_INT(person_id), DB_TEXT(key), DB_INT(now)), NULL);
	if (e == ERR_OK)
		e = db_exec(db, &q_duty, DB_ARGS(DB_INT(person_id), DB_BOOL(on), DB_INT(now)), &n);
	if (e == ERR_OK && n == 0)
		return ERR_NOT_FOUND;
	if (e == ERR_OK)
		e = talk_audit(db, now, person_id, on ? "talk.on_duty" : "talk.off_duty", person_id, "%s", "");
	return e;
}

/* ---------------------------------------------------------------- spaces */

static const char *const kind_names[TALK_SPACE_KIND__MAX] = { "condition", "group", "carers", "general" };

const char *talk_space_kind_name(enum talk_space_kind k)
{
	return (unsigned)k < TALK_SPACE_KIND__MAX ? kind_names[k] : "general";
}

static int kind_parse(const char *s)
{
	for (int i = 0; s && i < TALK_SPACE_KIND__MAX; i++)
		if (strcmp(kind_names[i], s) == 0)
			return i;
	return -1;
}

/* How actor stands to a space of kind whose group belongs to org, with
 * the counts of their member, host and moderator rows for it. */
static void standing(const struct actor *actor, enum talk_space_kind kind, const char *org, int64_t member,
		int64_t host, int64_t named, bool *is_member, bool *is_moderator)
{
	bool in = actor && actor->id;

	*is_moderator = in && (is_coordinator(actor) || named > 0);
	*is_member = false;
	if (!in || !actor->verified)
		return;
	if (kind != TALK_GROUP)
		*is_member = true;
	else
		*is_member = member > 0 || host > 0 ||
			     ((actor->roles & ROLE_BIT(ROLE_ORGANISER)) && actor->org_id && org &&
			      strcmp(actor->org_id, org) == 0);
}

enum err talk_space_read(struct db_res *r, int c, struct arena *a, const struct actor *actor,
		struct talk_space *out)
{
	int k = kind_parse(db_text(r, c + 2));
	bool oom = false;

	memset(out, 0, sizeof(*out));
	out->id = db_int(r, c);
	str_copy(out->slug, sizeof(out->slug), db_text(r, c + 1));
	out->kind = k < 0 ? TALK_GENERAL : (enum talk_space_kind)k;
	out->name = db_dup(a, r, c + 3, &oom);
	out->about = db_dup(a, r, c + 4, &oom);
	out->condition = out->kind == TALK_CONDITION ? db_dup(a, r, c + 5, &oom) : NULL;
	if (db_text(r, c + 6))
		str_copy(out->service_id, sizeof(out->service_id), db_text(r, c + 6));
	out->open = strcmp(db_text(r, c + 7), "open") == 0;
	out->topics_n = db_int(r, c + 8);
	out->last_post_at = db_int(r, c + 9);
	standing(actor, out->kind, db_text(r, c + 10), db_int(r, c + 11), db_int(r, c + 12), db_int(r, c + 13),
		 &out->member, &out->moderator);
	return oom || !out->name ? ERR_NOMEM : ERR_OK;
}

static enum err space_load(struct db *db, struct arena *a, const struct actor *actor, const struct sql *q,
		struct db_val key, struct talk_space *out)
{
	struct db_res *r;
	enum err e;

	memset(out, 0, sizeof(*out));
	e = db_query_one(db, q, DB_ARGS(key, DB_INT(actor ? actor->id : 0)), &r);
	if (e)
		return e;
	e = talk_space_read(r, 0, a, actor, out);
	db_res_free(r);
	return e;
}

enum err talk_space_load(struct db *db, struct arena *a, const struct actor *actor, const char *slug,
		struct talk_space *out)
{
	if (!slug || !*slug || strlen(slug) > TALK_SLUG_MAX) {
		memset(out, 0, sizeof(*out));
		return ERR_NOT_FOUND;
	}
	return space_load(db, a, actor, &q_space_slug, DB_TEXT(slug), out);
}

enum err talk_space_load_id(struct db *db, struct arena *a, const struct actor *actor, int64_t id,
		struct talk_space *out)
{
	return space_load(db, a, actor, &q_space_id, DB_INT(id), out);
}

static json_t *space_json(const struct talk_space *s)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:b, s:b}", "id", (json_int_t)s->id, "slug", s->slug,
			      "kind", talk_space_kind_name(s->kind), "name", s->name, "about", s->about ? s->about : "",
			      "topics", (json_int_t)s->topics_n, "moderator", s->moderator, "open", s->open);

	if (o && s->last_post_at)
		json_object_set_new(o, "last_post_at", json_integer((json_int_t)s->last_post_at));
	return o;
}

enum err talk_spaces(struct db *db, const struct actor *actor, json_t **out)
{
	struct db_res *r;
	struct arena a;
	json_t *list = json_array();
	enum err e;

	*out = NULL;
	if (!list)
		return ERR_NOMEM;
	e = db_query(db, &q_spaces, DB_ARGS(DB_INT(0), DB_INT(actor ? actor->id : 0)), &r);
	if (e) {
		json_decref(list);
		return e;
	}
	arena_init(&a);
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		struct talk_space s;
		if ((e = talk_space_read(r, 0, &a, actor, &s)) != ERR_OK)
			break;
		if ((s.member || s.moderator) && json_array_append_new(list, space_json(&s)) != 0) {
			e = ERR_NOMEM;
			break;
		}
	}
	db_res_free(r);
	arena_release(&a);
	if (e) {
		json_decref(list);
		return e;
	}
	*out = list;
	return ERR_OK;
}

static bool slug_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 1 || n > TALK_SLUG_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

/* Checks f for space id (0: a new one); ERR_INVALID or ERR_CONFLICT with
 * the errors appended. */
static enum err space_check(struct db *db, int64_t id, const struct talk_space_fields *f, json_t *errors)
{
	size_t before = json_array_size(errors);
	int kind = kind_parse(f->kind);
	const char *why;
	int64_t n = 0;
	enum err e;

	if (!slug_ok(f->slug))
		field_err(errors, "slug", "Enter the space's web address using lowercase letters, numbers and "
			  "hyphens only, up to 60 characters, like living-with-copd");
	why = str_check_line(f->name, SPACE_NAME_MAX, "Enter the space's name",
			     "The space's name must be 100 characters or fewer",
			     "The space's name has characters we cannot read: remove them and try again");
	if (!why && field_chars(f->name) < SPACE_NAME_MIN)
		why = "The space's name must be at least 3 characters long";
	if (why)
		field_err(errors, "name", why);
	field_text_ok(errors, "about", "What the space is for", f->about, SPACE_ABOUT_MAX, false);
	if (kind < 0)
		field_err(errors, "kind", "Choose what kind of space it is");
	if (kind == TALK_CONDITION && (!f->condition || vocab_find(vocab_conditions, vocab_conditions_n,
								     f->condition) < 0))
		field_err(errors, "condition", "Choose the condition the space is for");
	if (kind == TALK_GROUP) {
		if (!f->service_id || !str_is_uuid(str_c(f->service_id)) ||
		    db_query_int(db, &q_group_exists, DB_ARGS(DB_TEXT(f->service_id)), &n) != ERR_OK || n == 0)
			field_err(errors, "service_id", "Choose the group the space is for");
	}
	if (json_array_size(errors) > before)
		return ERR_INVALID;
	if ((e = db_query_int(db, &q_slug_taken, DB_ARGS(DB_TEXT(f->slug), DB_INT(id)), &n)) != ERR_OK)
		return e;
	if (n > 0)
		field_err(errors, "slug", "Another space already has that web address. Choose another");
	if (kind == TALK_GROUP) {
		e = db_query_int(db, &q_group_has_space, DB_ARGS(DB_TEXT(f->service_id), DB_INT(id)), &n);
		if (e)
			return e;
		if (n > 0)
			field_err(errors, "service_id", "That group already has a space");
	}
	return json_array_size(errors) > before ? ERR_CONFLICT : ERR_OK;
}

static struct db_val trimmed(const char *s)
{
	struct str t = str_trim(str_c(s));

	return DB_TEXTN(t.p, t.n);
}

/* The values a space's row takes from f (checked). */
#define SPACE_VALS(f) \
	DB_TEXT((f)->slug), DB_TEXT((f)->kind), trimmed((f)->name), \
	DB_TEXT((f)->about ? (f)->about : ""), \
	strcmp((f)->kind, "condition") == 0 ? DB_TEXT((f)->condition) : DB_NULL, \
	strcmp((f)->kind, "group") == 0 ? DB_TEXT((f)->service_id) : DB_NULL, \
	DB_TEXT((f)->open ? "open" : "closed")

enum err talk_space_create(struct db *db, const struct talk_space_fields *f, int64_t by, int64_t now,
		json_t *errors, int64_t *id)
{
	enum err e = space_check(db, 0, f, errors);

	*id = 0;
	if (e)
		return e;
	e = db_query_int(db, &q_space_insert, DB_ARGS(SPACE_VALS(f), DB_INT(now), by ? DB_INT(by) : DB_NULL), id);
	if (e == ERR_CONFLICT)
		field_err(errors, "slug", "Another space already has that web address. Choose another");
	if (e == ERR_OK)
		e = talk_audit(db, now, by, "talk.space_created", 0, "space=%lld", (long long)*id);
	return e;
}

enum err talk_space_update(struct db *db, int64_t id, const struct talk_space_fields *f, int64_t by,
		int64_t now, json_t *errors)
{
	int64_t n = 0;
	enum err e;

	if ((e = db_query_int(db, &q_space_exists, DB_ARGS(DB_INT(id)), &n)) != ERR_OK)
		return e;
	if (n == 0)
		return ERR_NOT_FOUND;
	if ((e = space_check(db, id, f, errors)) != ERR_OK)
		return e;
	e = db_exec(db, &q_space_update, DB_ARGS(DB_INT(id), SPACE_VALS(f)), NULL);
	if (e == ERR_CONFLICT)
		field_err(errors, "slug", "Another space already has that web address. Choose another");
	if (e == ERR_OK)
		e = talk_audit(db, now, by, "talk.space_updated", 0, "space=%lld", (long long)id);
	return e;
}

/* ---------------------------------------------------------------- moderators */

enum err talk_moderator_add(struct db *db, int64_t space_id, const char *email, int64_t by, int64_t now,
		json_t *errors)
{
	struct person p;
	struct arena a;
	int64_t n = 0;
	enum err e;

	if ((e = db_query_int(db, &q_space_exists, DB_ARGS(DB_INT(space_id)), &n)) != ERR_OK)
		return e;
	if (n == 0)
		return ERR_NOT_FOUND;
	if (str_is_blank(email)) {
		field_err(errors, "email", "Enter the email address of the moderator's kith account");
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
		e = db_exec(db, &q_moderator_add, DB_ARGS(DB_INT(space_id), DB_INT(p.id), DB_INT(now),
			by ? DB_INT(by) : DB_NULL), &n);
	if (e == ERR_OK && n > 0)
		e = talk_audit(db, now, by, "talk.moderator_added", p.id, "space=%lld", (long long)space_id);
	arena_release(&a);
	return e;
}

enum err talk_moderator_remove(struct db *db, int64_t space_id, int64_t person_id, int64_t by, int64_t now)
{
	int64_t n = 0;
	enum err e = db_exec(db, &q_moderator_remove, DB_ARGS(DB_INT(space_id), DB_INT(person_id)), &n);

	if (e == ERR_OK && n == 0)
		return ERR_NOT_FOUND;
	if (e == ERR_OK)
		e = talk_audit(db, now, by, "talk.moderator_removed", person_id, "space=%lld", (long long)space_id);
	return e;
}

static json_t *moderator_row(struct db_res *r, void *ctx)
{
	UNUSED(ctx);
	return json_pack("{s:I, s:o, s:o}", "person_id", (json_int_t)db_int(r, 0), "display_name",
			 db_json_text(r, 1), "email", db_json_text(r, 2));
}

enum err talk_moderators(struct db *db, int64_t space_id, json_t **out)
{
	return db_rows_json(db, &q_moderators, DB_ARGS(DB_INT(space_id)), moderator_row, NULL, out);
}
