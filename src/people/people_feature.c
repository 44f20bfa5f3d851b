/*
 * people_feature.c - the account commands and the demo accounts.
 *
 * Commands run outside the server but through the same modules the web
 * pages use (person.h, session.h, mail.h, audit.h), each change in one
 * transaction, so the command line cannot do what the rules forbid.
 */
#include "core/common.h"
#include "app/features.h"
#include "org/org.h"
#include "app/app.h"
#include "app/cli.h"
#include "app/config.h"
#include "auth/auth_feature.h"
#include "audit/audit.h"
#include "auth/onetime.h"
#include "auth/password.h"
#include "auth/person.h"
#include "auth/session.h"
#include "core/rand.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "mail/mail.h"
#include "mail/mail_feature.h"
#include "people/people.h"
#include "store/store.h"

#include <sodium.h>
#include <unistd.h>

/* Set-password links for accounts made here last a week: the person may
 * not read their email today. */
#define SET_PASSWORD_TTL (7 * 86400)

static int open_app(const struct config *cfg, struct app *app)
{
	char err[512];

	if (app_init(app, cfg, true, err, sizeof(err)) != ERR_OK) {
		fprintf(stderr, "kith: %s\n", err);
		return 1;
	}
	return 0;
}

static int fail_tx(struct db *db, const char *what, enum err e)
{
	if (db && db_in_tx(db))
		db_rollback(db);
	fprintf(stderr, "kith: %s (%s); nothing was changed\n", what, err_title(e));
	return 1;
}

static bool read_password(char *out, size_t n)
{
	size_t len;

	if (!fgets(out, (int)n, stdin))
		return false;
	len = strlen(out);
	while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
		out[--len] = '\0';
	return len > 0;
}

static int user_add(const struct config *cfg, int argc, char **argv)
{
	struct cli_opt opts[] = {
		{ .name = "--email", .takes_value = true },
		{ .name = "--name", .takes_value = true },
		{ .name = "--role", .takes_value = true, .repeatable = true },
		{ .name = "--org", .takes_value = true },
		{ .name = "--password-stdin" },
	};
	const char *pos[1], *email, *name, *org, *why;
	int npos;
	enum role roles[CLI_MAX_VALUES];
	int nroles = 0;
	char pw[PASSWORD_MAX_BYTES + 2], hash[PASSWORD_HASH_MAX];
	bool with_password;
	struct app app;
	struct db *db;
	int64_t id, now = time_now();
	enum err e;

	if (!cli_parse(argc, argv, 2, opts, ARRAY_LEN(opts), pos, 0, &npos))
		return 2;
	email = cli_value(opts, ARRAY_LEN(opts), "--email");
	name = cli_value(opts, ARRAY_LEN(opts), "--name");
	org = cli_value(opts, ARRAY_LEN(opts), "--org");
	with_password = cli_get(opts, ARRAY_LEN(opts), "--password-stdin")->seen;
	if (!email || !name) {
		fprintf(stderr, "kith: user add needs --email and --name\n");
		return 2;
	}
	if ((why = person_check_name(name)) || (why = person_check_email(email))) {
		fprintf(stderr, "kith: %s\n", why);
		return 2;
	}
	roles[nroles++] = ROLE_MEMBER;
	for (int i = 0; i < cli_get(opts, ARRAY_LEN(opts), "--role")->n; i++) {
		enum role r;
		const char *rn = cli_get(opts, ARRAY_LEN(opts), "--role")->values[i];

		if (!role_parse(rn, &r)) {
			fprintf(stderr, "kith: unknown role \"%s\" (use member, peer_supporter, organiser, "
				"link_worker, coordinator, commissioner or admin)\n", rn);
			return 2;
		}
		if (r == ROLE_ORGANISER && !org) {
			fprintf(stderr, "kith: an organiser needs --org ORG_ID (kith org add makes one)\n");
			return 2;
		}
		if (r != ROLE_MEMBER && nroles < CLI_MAX_VALUES)
			roles[nroles++] = r;
	}
	if (with_password) {
		if (isatty(STDIN_FILENO))
			fprintf(stderr, "Password: ");
		if (!read_password(pw, sizeof(pw))) {
			fprintf(stderr, "kith: no password on standard input\n");
			return 2;
		}
		if ((why = password_weakness(pw, name, email))) {
			fprintf(stderr, "kith: %s\n", why);
			return 2;
		}
		e = password_hash(pw, hash);
		sodium_memzero(pw, sizeof(pw));
		if (e)
			return fail_tx(NULL, "could not hash the password", e);
	}
	if (open_app(cfg, &app))
		return 1;
	db = store_db(app.store);
	if (!db || (e = db_begin(db)) != ERR_OK) {
		app_release(&app);
		return fail_tx(db, "cannot reach the database", ERR_UNAVAILABLE);
	}
	e = person_create(db, name, email, NULL, with_password ? hash : NULL, now, &id);
	if (e == ERR_CONFLICT) {
		db_rollback(db);
		fprintf(stderr, "kith: an account with the email %s already exists\n", email);
		app_release(&app);
		return 1;
	}
	for (int i = 0; e == ERR_OK && i < nroles; i++) {
		e = person_grant(db, id, roles[i], roles[i] == ROLE_ORGANISER ? org : NULL, 0, now);
		if (e == ERR_OK) {
			char detail[64];

			snprintf(detail, sizeof(detail), "role=%s; via the command line", role_name(roles[i]));
			e = audit_log(db, now, 0, "role.granted", id, detail, NULL, NULL);
		}
	}
	if (e == ERR_NOT_FOUND) {
		db_rollback(db);
		fprintf(stderr, "kith: there is no organisation with id %s (kith org add makes one)\n", org);
		app_release(&app);
		return 1;
	}
	if (e == ERR_OK)
		e = audit_log(db, now, 0, "register", id, "via the command line", NULL, NULL);
	if (e == ERR_OK && !with_password) {
		char token[TOKEN_HEX + 1], link[1024];
		json_t *ctx;

		e = onetime_create(db, OT_SET_PASSWORD, id, NULL, now, SET_PASSWORD_TTL, token);
		snprintf(link, sizeof(link), "%s/set-password/%s", cfg->base_url, token);
		ctx = json_pack("{s:s, s:s}", "name", name, "link", link);
		if (e == ERR_OK)
			e = ctx ? mail_enqueue(&app.mailer, db, email, id, "set_password", ctx, now) : ERR_NOMEM;
		json_decref(ctx);
	}
	if (e == ERR_OK)
		e = db_commit(db);
	if (e) {
		int rc = fail_tx(db, "could not add the account", e);

		app_release(&app);
		return rc;
	}
	printf("Added %s (person %lld) as", email, (long long)id);
	for (int i = 0; i < nroles; i++)
		printf("%s %s", i ? "," : "", role_name(roles[i]));
	printf(".\n");
	if (!with_password) {
		int sent = 0;

		/* Try to send the set-password email now; if that fails it stays
		 * in the outbox for the server's worker. */
		mail_deliver_due(&app, db, time_now(), &sent, NULL);
		printf(sent ? "A set-password email was sent to %s.\n"
			    : "A set-password email to %s is in the outbox; the server will send it.\n", email);
	}
	app_release(&app);
	return 0;
}

static int find_person(struct db *db, struct arena *a, const char *email, struct person *p)
{
	enum err e = person_find_email(db, a, email, p);

	if (e == ERR_NOT_FOUND) {
		fprintf(stderr, "kith: no account has the email %s\n", email);
		return 1;
	}
	if (e) {
		fprintf(stderr, "kith: cannot look up %s (%s)\n", email, err_title(e));
		return 1;
	}
	return 0;
}

static int token_cmd(const struct config *cfg, int argc, char **argv)
{
	struct cli_opt opts[] = {
		{ .name = "--for", .takes_value = true },
		{ .name = "--name", .takes_value = true },
	};
	const char *pos[2], *who, *tname;
	int npos, rc = 1;
	struct app app;
	struct db *db;
	struct arena a;
	struct person p;
	enum err e;
	int64_t now = time_now();

	if (!cli_parse(argc, argv, 1, opts, ARRAY_LEN(opts), pos, 2, &npos) || npos < 1) {
		fprintf(stderr, "kith: use token create --for EMAIL --name NAME, token list [--for EMAIL] "
			"or token revoke ID\n");
		return 2;
	}
	who = cli_value(opts, ARRAY_LEN(opts), "--for");
	tname = cli_value(opts, ARRAY_LEN(opts), "--name");
	if (strcmp(pos[0], "create") == 0 && (!who || !tname || npos != 1)) {
		fprintf(stderr, "kith: token create needs --for EMAIL and --name NAME\n");
		return 2;
	}
	if (strcmp(pos[0], "revoke") == 0 && npos != 2) {
		fprintf(stderr, "kith: token revoke needs the token's id (kith token list shows them)\n");
		return 2;
	}
	if (strcmp(pos[0], "create") && strcmp(pos[0], "list") && strcmp(pos[0], "revoke")) {
		fprintf(stderr, "kith: unknown token command \"%s\"\n", pos[0]);
		return 2;
	}
	if (open_app(cfg, &app))
		return 1;
	arena_init(&a);
	db = store_db(app.store);
	if (!db) {
		fprintf(stderr, "kith: cannot reach the database\n");
		goto out;
	}
	if (strcmp(pos[0], "create") == 0) {
		struct token_new tok;

		if (find_person(db, &a, who, &p))
			goto out;
		if ((e = db_begin(db)) || (e = apitoken_create(db, p.id, tname, 0, now,
		     (int64_t)SETTINGS_OF(cfg, struct auth_settings, auth_settings)->api_token_days * 86400, &tok)) ||
		    (e = audit_log(db, now, 0, "token.created", p.id, "via the command line", NULL, NULL)) ||
		    (e = db_commit(db))) {
			rc = fail_tx(db, "could not create the token", e);
			goto out;
		}
		printf("Token %lld for %s (\"%s\"). Copy it now; it is not shown again:\n%s\n",
		       (long long)tok.id, who, tname, tok.token);
		rc = 0;
	} else if (strcmp(pos[0], "list") == 0) {
		json_t *list = NULL, *t;
		size_t i;

		p.id = 0;
		if (who && find_person(db, &a, who, &p))
			goto out;
		if ((e = apitoken_list(db, p.id, &list)) != ERR_OK) {
			fprintf(stderr, "kith: cannot list tokens (%s)\n", err_title(e));
			goto out;
		}
		printf("%-6s %-16s %-30s %-24s %s\n", "id", "prefix", "name", "for", "state");
		json_array_foreach(list, i, t) {
			printf("%-6lld %-16s %-30s %-24s %s\n",
			       (long long)json_integer_value(json_object_get(t, "id")),
			       json_string_value(json_object_get(t, "prefix")) ?: "",
			       json_string_value(json_object_get(t, "name")) ?: "",
			       json_string_value(json_object_get(t, "person_name")) ?: "",
			       json_is_true(json_object_get(t, "revoked")) ? "revoked" : "active");
		}
		json_decref(list);
		rc = 0;
	} else {
		int64_t id;

		if (!str_to_i64(str_c(pos[1]), 1, INT64_MAX, &id)) {
			fprintf(stderr, "kith: \"%s\" is not a token id\n", pos[1]);
			rc = 2;
			goto out;
		}
		e = db_begin(db);
		if (!e)
			e = apitoken_revoke(db, 0, id, now);
		if (!e)
			e = audit_log(db, now, 0, "token.revoked", 0, "via the command line", NULL, NULL);
		if (!e)
			e = db_commit(db);
		if (e == ERR_NOT_FOUND) {
			db_rollback(db);
			fprintf(stderr, "kith: no active token has id %lld\n", (long long)id);
			goto out;
		}
		if (e) {
			rc = fail_tx(db, "could not revoke the token", e);
			goto out;
		}
		printf("Token %lld revoked.\n", (long long)id);
		rc = 0;
	}
out:
	arena_release(&a);
	app_release(&app);
	return rc;
}

static int org_cmd(const struct config *cfg, int argc, char **argv)
{
	struct cli_opt opts[] = {
		{ .name = "--name", .takes_value = true },
		{ .name = "--id", .takes_value = true },
	};
	const char *pos[1], *name, *id;
	char uuid[37];
	int npos;
	struct app app;
	struct db *db;
	enum err e;

	if (!cli_parse(argc, argv, 1, opts, ARRAY_LEN(opts), pos, 1, &npos) || npos != 1 ||
	    strcmp(pos[0], "add") != 0 || !(name = cli_value(opts, ARRAY_LEN(opts), "--name"))) {
		fprintf(stderr, "kith: use org add --name NAME [--id UUID]\n");
		return 2;
	}
	id = cli_value(opts, ARRAY_LEN(opts), "--id");
	if (id && !str_is_uuid(str_c(id))) {
		fprintf(stderr, "kith: --id must be a UUID like 6f1d2c1e-3b7a-4c55-9a51-0d3f2b8e7a10\n");
		return 2;
	}
	if (!id) {
		if (!uuid_v4(uuid))
			return 1;
		id = uuid;
	}
	if (!name[0] || !str_is_clean_utf8(name, strlen(name)) || strlen(name) > 200) {
		fprintf(stderr, "kith: --name must be the organisation's name, in plain text\n");
		return 2;
	}
	if (open_app(cfg, &app))
		return 1;
	db = store_db(app.store);
	e = db ? org_create(db, id, name, time_now()) : ERR_UNAVAILABLE;
	app_release(&app);
	if (e == ERR_CONFLICT) {
		fprintf(stderr, "kith: an organisation with id %s already exists\n", id);
		return 1;
	}
	if (e) {
		fprintf(stderr, "kith: could not add the organisation (%s)\n", err_title(e));
		return 1;
	}
	printf("Organisation %s: %s\n", id, name);
	return 0;
}

static bool parse_when(const char *s, bool end_of_day, int64_t *out)
{
	if (!time_parse_iso8601(s, strlen(s), out))
		return false;
	if (end_of_day && strlen(s) == 10)
		*out += 86399;
	return true;
}

static int audit_cmd(const struct config *cfg, int argc, char **argv)
{
	struct cli_opt opts[] = {
		{ .name = "--actor", .takes_value = true },
		{ .name = "--subject", .takes_value = true },
		{ .name = "--action", .takes_value = true },
		{ .name = "--since", .takes_value = true },
		{ .name = "--until", .takes_value = true },
		{ .name = "--limit", .takes_value = true },
	};
	struct audit_filter f = { .limit = 50 };
	const char *pos[1], *v;
	int npos;
	int64_t n;
	struct app app;
	struct db *db;
	json_t *rows = NULL, *r;
	int64_t total = 0;
	size_t i;
	enum err e;

	if (!cli_parse(argc, argv, 1, opts, ARRAY_LEN(opts), pos, 0, &npos))
		return 2;
	if ((v = cli_value(opts, ARRAY_LEN(opts), "--actor"))) {
		if (!str_to_i64(str_c(v), 1, INT64_MAX, &f.actor_id))
			return fprintf(stderr, "kith: --actor takes a person id\n"), 2;
	}
	if ((v = cli_value(opts, ARRAY_LEN(opts), "--subject"))) {
		if (!str_to_i64(str_c(v), 1, INT64_MAX, &f.subject_id))
			return fprintf(stderr, "kith: --subject takes a person id\n"), 2;
	}
	f.action = cli_value(opts, ARRAY_LEN(opts), "--action");
	if (f.action && !audit_action_valid(f.action))
		return fprintf(stderr, "kith: --action takes an action name like login or role.granted\n"), 2;
	if ((v = cli_value(opts, ARRAY_LEN(opts), "--since")) && !parse_when(v, false, &f.since))
		return fprintf(stderr, "kith: --since takes a date like 2026-11-23\n"), 2;
	if ((v = cli_value(opts, ARRAY_LEN(opts), "--until")) && !parse_when(v, true, &f.until))
		return fprintf(stderr, "kith: --until takes a date like 2026-11-23\n"), 2;
	if ((v = cli_value(opts, ARRAY_LEN(opts), "--limit"))) {
		if (!str_to_i64(str_c(v), 1, 500, &n))
			return fprintf(stderr, "kith: --limit takes a number from 1 to 500\n"), 2;
		f.limit = (int)n;
	}
	if (open_app(cfg, &app))
		return 1;
	db = store_db(app.store);
	e = db ? audit_query(db, &f, &rows, &total) : ERR_UNAVAILABLE;
	if (e) {
		fprintf(stderr, "kith: cannot read the audit log (%s)\n", err_title(e));
		app_release(&app);
		return 1;
	}
	printf("%-20s %-8s %-28s %-8s %-16s %s\n", "when (UTC)", "actor", "action", "subject", "from", "detail");
	json_array_foreach(rows, i, r) {
		char actor[24] = "-", subject[24] = "-";
		json_int_t ai = json_integer_value(json_object_get(r, "actor_id"));
		json_int_t si = json_integer_value(json_object_get(r, "subject_id"));

		if (ai)
			snprintf(actor, sizeof(actor), "%lld", (long long)ai);
		if (si)
			snprintf(subject, sizeof(subject), "%lld", (long long)si);
		printf("%-20s %-8s %-28s %-8s %-16s %s\n",
		       json_string_value(json_object_get(r, "at")) ?: "",
		       actor, json_string_value(json_object_get(r, "action")) ?: "", subject,
		       json_string_value(json_object_get(r, "ip")) ?: "-",
		       json_string_value(json_object_get(r, "detail")) ?: "");
	}
	printf("(%zu of %lld entries)\n", json_array_size(rows), (long long)total);
	json_decref(rows);
	app_release(&app);
	return 0;
}

static int user_cmd(const struct config *cfg, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return user_add(cfg, argc, argv);
	fprintf(stderr, "kith: use user add --email E --name N --role ROLE [--org ORG_ID] [--password-stdin]\n");
	return 2;
}

/* Demo accounts: one for each role, all with the same printed password, so
 * a visitor to the demo can see kith as each kind of user. Refreshing
 * resets their password and roles. */
static const struct {
	const char *email, *name;
	enum role role;
} demo_people[] = {
	{ "member@demo.kith.test", "Margaret Okafor", ROLE_MEMBER },
	{ "peer@demo.kith.test", "David Ellis", ROLE_PEER_SUPPORTER },
	{ "organiser@demo.kith.test", "Priya Shah", ROLE_ORGANISER },
	{ "linkworker@demo.kith.test", "Sam Whitfield", ROLE_LINK_WORKER },
	{ "coordinator@demo.kith.test", "Joan Baker", ROLE_COORDINATOR },
	{ "commissioner@demo.kith.test", "Tom Harding", ROLE_COMMISSIONER },
	{ "admin@demo.kith.test", "Alex Morgan", ROLE_ADMIN },
};

/* Every demo account's email is in this domain (a .test domain: no mail
 * can reach it). */
#define DEMO_EMAIL_DOMAIN "@demo.kith.test"

static bool demo_email(const char *email)
{
	size_t n = strlen(email), d = strlen(DEMO_EMAIL_DOMAIN);

	return n > d && str_ieqc((struct str){ email + n - d, d }, DEMO_EMAIL_DOMAIN);
}

/* Does the database hold people other than the demo's own accounts?
 * Erased people (their email gone) are not counted: they hold no one's
 * details, and a demo's own account may have been erased. */
static enum err demo_has_real_people(struct db *db, bool *real)
{
	enum { PAGE = 500 };

	*real = false;
	for (int offset = 0;; offset += PAGE) {
		json_t *page = NULL, *p;
		int64_t total = 0;
		size_t i, n;
		enum err e = person_list(db, NULL, ROLE__MAX, PAGE, offset, &page, &total);

		if (e)
			return e;
		json_array_foreach(page, i, p) {
			const char *email = json_string_value(json_object_get(p, "email"));

			if (email && !demo_email(email))
				*real = true;
		}
		n = json_array_size(page);
		json_decref(page);
		if (*real || n < PAGE || offset + (int64_t)n >= total)
			return ERR_OK;
	}
}

static enum err demo(struct db *db, const struct demo_opts *opts)
{
	char hash[PASSWORD_HASH_MAX];
	enum err e;
	struct arena a;
	bool real;

	/* The demo's accounts share a password printed for anyone to read:
	 * on a database with real people in it they would be a way in. */
	if ((e = demo_has_real_people(db, &real)) != ERR_OK)
		return e;
	if (real) {
		fprintf(stderr, "kith: this database has accounts of real people (emails outside "
			"demo.kith.test). kith demo adds accounts whose password it prints for anyone "
			"to read, so it runs only on a new database or a demo one: use another --db, "
			"like sqlite:var/demo.db.\n");
		return ERR_FORBIDDEN;
	}
	if ((e = password_hash(PEOPLE_DEMO_PASSWORD, hash)) != ERR_OK)
		return e;
	e = org_exists(db, PEOPLE_DEMO_ORG);
	if (e == ERR_NOT_FOUND)
		e = org_create(db, PEOPLE_DEMO_ORG, "Kith Town Walking for Health", opts->now);
	if (e)
		return e;
	arena_init(&a);
	if (opts->out)
		fprintf(opts->out, "\nDemo accounts (password for all: %s):\n", PEOPLE_DEMO_PASSWORD);
	for (size_t i = 0; i < ARRAY_LEN(demo_people) && e == ERR_OK; i++) {
		struct person p;
		int64_t id;

		e = person_find_email(db, &a, demo_people[i].email, &p);
		if (e == ERR_NOT_FOUND) {
			e = person_create(db, demo_people[i].name, demo_people[i].email, NULL, hash,
					  opts->now, &id);
			if (e == ERR_OK)
				e = person_grant(db, id, ROLE_MEMBER, NULL, 0, opts->now);
		} else if (e == ERR_OK) {
			id = p.id;
			e = person_set_password(db, id, hash, opts->now);
			if (e == ERR_OK)
				e = person_set_deactivated(db, id, false, opts->now);
			if (e == ERR_OK)
				e = person_set_delete(db, id, 0, opts->now);
		}
		if (e == ERR_OK)
			e = person_mark_verified(db, id, demo_people[i].email, opts->now);
		if (e == ERR_OK && demo_people[i].role != ROLE_MEMBER) {
			e = person_grant(db, id, demo_people[i].role,
					 demo_people[i].role == ROLE_ORGANISER ? PEOPLE_DEMO_ORG : NULL,
					 0, opts->now);
			if (e == ERR_CONFLICT)
				e = ERR_OK;
		}
		if (e == ERR_OK && opts->out)
			fprintf(opts->out, "  %-14s %s\n", role_name(demo_people[i].role), demo_people[i].email);
	}
	arena_release(&a);
	return e;
}

static const struct command commands[] = {
	{ "user", "user add --email E --name N --role ROLE [--org ORG_ID] [--password-stdin]",
	  "add an account (without --password-stdin: emails a set-password link)", user_cmd },
	{ "token", "token create --for EMAIL --name NAME | list [--for EMAIL] | revoke ID",
	  "API tokens for integrations", token_cmd },
	{ "org", "org add --name NAME [--id UUID]", "add an organisation (for organisers)", org_cmd },
	{ "audit", "audit [--actor ID] [--subject ID] [--action A] [--since DATE] [--until DATE] [--limit N]",
	  "read the audit log, newest first", audit_cmd },
};

const struct feature people_feature = {
	.name = "people", .demo = demo, .commands = commands, .ncommands = ARRAY_LEN(commands),
};
