/*
 * config.c - the settings table and its loaders.
 *
 * One const table (config_keys) drives everything: defaults, the file
 * parser, environment variables, flags, validation, `kith check-config`
 * and the kith.conf(5) page. Adding a setting is adding a row and a field.
 */
#include "core/common.h"
#include "core/str.h"
#include "app/config.h"

#include <ini.h>
#include <unistd.h>

#define F(field) offsetof(struct config, field), sizeof(((struct config *)0)->field)

static const char *check_db(const char *v)
{
	if (strncmp(v, "sqlite:", 7) == 0 && v[7])
		return NULL;
	if (strncmp(v, "postgresql://", 13) == 0 || strncmp(v, "postgres://", 11) == 0)
		return NULL;
	return "use sqlite:PATH (e.g. sqlite:var/kith.db) or a postgresql:// URL";
}

static const char *check_base_url(const char *v)
{
	size_t n = strlen(v);

	if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
		return "must start with http:// or https://";
	if (n && v[n - 1] == '/')
		return "must not end with a slash (e.g. https://kith.example.org)";
	return NULL;
}

static const char *check_plain_text(const char *v)
{
	if (!str_is_clean_utf8(v, strlen(v)) || strchr(v, '\n'))
		return "must be one line of plain text";
	return NULL;
}

static const char *check_email(const char *v)
{
	const char *at = strchr(v, '@');

	if (!v[0])
		return NULL;
	if (!at || at == v || !strchr(at, '.') || strchr(v, ' ') || strchr(at + 1, '@') ||
	    !str_is_clean_utf8(v, strlen(v)))
		return "must be an email address like help@example.org";
	return NULL;
}

static const char *check_smtp_url(const char *v)
{
	if (!v[0] || strncmp(v, "smtp://", 7) == 0 || strncmp(v, "smtps://", 8) == 0)
		return NULL;
	return "use smtp://host:port or smtps://host:port (user:password@ before the host if needed)";
}

static const char *check_smtp_tls(const char *v)
{
	if (strcmp(v, "try") == 0 || strcmp(v, "require") == 0 || strcmp(v, "off") == 0)
		return NULL;
	return "use try, require or off";
}

static const char *check_mail_from(const char *v)
{
	const char *at = strchr(v, '@');

	if (!at || strchr(v, '\n') || strchr(v, '\r') || !str_is_clean_utf8(v, strlen(v)))
		return "use an address like \"kith <no-reply@example.org>\" or no-reply@example.org";
	return NULL;
}

static const char *check_nonempty(const char *v)
{
	return v[0] ? NULL : "must not be empty";
}

static const char *check_site_name(const char *v)
{
	if (!v[0])
		return "must not be empty";
	if (!str_is_clean_utf8(v, strlen(v)))
		return "must be plain text";
	return NULL;
}

const struct config_key config_keys[] = {
	{ "db", CT_STR, F(db), 0, 0, "sqlite:var/kith.db",
	  "database: sqlite:PATH or a postgresql:// URL", check_db },
	{ "synchronous", CT_INT, F(synchronous), 0, 2, "2",
	  "SQLite durability: 0 off, 1 normal, 2 full (every commit reaches the disk)", NULL },
	{ "busy_timeout_ms", CT_INT, F(busy_timeout_ms), 0, 600000, "5000",
	  "SQLite: how long a writer waits for the lock, in milliseconds", NULL },
	{ "migrate_on_start", CT_BOOL, F(migrate_on_start), 0, 0, "true",
	  "apply pending database migrations when the server starts", NULL },
	{ "listen", CT_LISTEN, 0, 0, 0, 0, "127.0.0.1:8080",
	  "address and port to serve HTTP on, HOST:PORT ([::1]:PORT for IPv6)", NULL },
	{ "threads", CT_INT, F(threads), 0, 256, "0",
	  "HTTP worker threads; 0 means one per CPU core", NULL },
	{ "body_max", CT_SIZE, F(body_max), 1024, LIMIT_BODY_BYTES_MAX, "1048576",
	  "largest request body accepted, in bytes; larger gets 413", NULL },
	{ "max_connections", CT_INT, F(max_connections), 16, 100000, "1024",
	  "most open connections at once", NULL },
	{ "per_ip_connections", CT_INT, F(per_ip_connections), 1, 100000, "64",
	  "most open connections from one address", NULL },
	{ "connection_timeout", CT_INT, F(connection_timeout), 1, 3600, "30",
	  "seconds before an idle connection is closed", NULL },
	{ "rate_limit", CT_INT, F(rate_limit), 0, 1000000, "1200",
	  "requests per client address per minute before 429; 0 turns it off", NULL },
	{ "trust_proxy", CT_BOOL, F(trust_proxy), 0, 0, "false",
	  "behind a reverse proxy on this machine: take the client address from X-Forwarded-For", NULL },
	{ "behind_tls", CT_BOOL, F(behind_tls), 0, 0, "false",
	  "served over HTTPS by a proxy in front: send Strict-Transport-Security", NULL },
	{ "dev_mode", CT_BOOL, F(dev_mode), 0, 0, "false",
	  "local development on plain http://localhost: cookies without Secure, emails written to files", NULL },
	{ "base_url", CT_STR, F(base_url), 0, 0, "http://localhost:8080",
	  "the address people use to reach kith, for links in emails", check_base_url },
	{ "shutdown_grace", CT_INT, F(shutdown_grace), 0, 600, "10",
	  "seconds to finish requests in flight after SIGTERM", NULL },
	{ "site_name", CT_STR, F(site_name), 0, 0, "kith",
	  "the service name shown in the header and page titles", check_site_name },
	{ "organisation_name", CT_STR, F(organisation_name), 0, 0, "",
	  "the organisation that runs this kith, named in the privacy notice and accessibility statement",
	  check_plain_text },
	{ "contact_email", CT_STR, F(contact_email), 0, 0, "",
	  "the address people write to about the service, its accessibility or their data", check_email },
	{ "smtp_url", CT_STR, F(smtp_url), 0, 0, "",
	  "SMTP server for outgoing email, smtp://user:password@host:587 or smtps://...; "
	  "empty writes each email as a .eml file to mail_dir", check_smtp_url },
	{ "smtp_tls", CT_STR, F(smtp_tls), 0, 0, "try",
	  "STARTTLS on smtp:// URLs: try, require or off", check_smtp_tls },
	{ "smtp_timeout", CT_INT, F(smtp_timeout), 1, 600, "30",
	  "seconds to wait for the SMTP server", NULL },
	{ "mail_from", CT_STR, F(mail_from), 0, 0, "kith <no-reply@localhost>",
	  "the From address of every email", check_mail_from },
	{ "mail_dir", CT_STR, F(mail_dir), 0, 0, "var/mail",
	  "folder for .eml files when smtp_url is empty (local development)", check_nonempty },
	{ "outbox_max_tries", CT_INT, F(outbox_max_tries), 1, 100, "8",
	  "attempts to deliver an email before giving up and showing it to admins", NULL },
	{ "outbox_retry_base", CT_INT, F(outbox_retry_base), 1, 86400, "30",
	  "seconds before retrying a failed email; doubles with each attempt", NULL },
	{ "outbox_poll", CT_INT, F(outbox_poll), 1, 3600, "5",
	  "seconds between looks at the outbox (new emails are sent at once)", NULL },
	{ "session_idle", CT_INT, F(session_idle), 60, 31536000, "7200",
	  "seconds without activity after which a browser session ends", NULL },
	{ "session_lifetime", CT_INT, F(session_lifetime), 300, 31536000, "43200",
	  "seconds after which a browser session ends however active", NULL },
	{ "api_session_lifetime", CT_INT, F(api_session_lifetime), 300, 31536000, "2592000",
	  "seconds a token from POST /api/v1/sessions lasts", NULL },
	{ "verify_link_hours", CT_INT, F(verify_link_hours), 1, 720, "48",
	  "hours an email verification link works", NULL },
	{ "delete_grace_days", CT_INT, F(delete_grace_days), 0, 90, "7",
	  "days between asking to delete an account and its erasure (signing in cancels)", NULL },
	{ "login_limit", CT_INT, F(login_limit), 1, 10000, "10",
	  "failed sign-ins allowed per account in 15 minutes", NULL },
	{ "login_limit_ip", CT_INT, F(login_limit_ip), 1, 100000, "50",
	  "failed sign-ins allowed per client address in 15 minutes", NULL },
	{ "register_limit_ip", CT_INT, F(register_limit_ip), 1, 100000, "20",
	  "registrations allowed per client address in an hour", NULL },
	{ "reset_limit", CT_INT, F(reset_limit), 1, 10000, "5",
	  "password-reset emails per account, and per client address, in an hour", NULL },
	{ "stale_months", CT_INT, F(stale_months), 1, 60, "6",
	  "months after its last check that a service's organiser is asked \"is this still running?\"", NULL },
	{ "stale_flag_days", CT_INT, F(stale_flag_days), 1, 365, "14",
	  "days without an answer before a service is flagged to coordinators", NULL },
	{ "stale_hide_days", CT_INT, F(stale_hide_days), 1, 730, "42",
	  "days flagged without an answer before a service is hidden from search", NULL },
	{ "directory_sync", CT_INT, F(directory_sync), 1, 3600, "2",
	  "seconds between looks for directory changes made by other kith processes", NULL },
	{ "self_referral_limit_ip", CT_INT, F(self_referral_limit_ip), 1, 100000, "10",
	  "\"I'd like to go\" requests allowed per client address in an hour (each emails an organisation)", NULL },
	{ "referral_follow_up_days", CT_INT, F(referral_follow_up_days), 1, 365, "14",
	  "days after a referral is sent without the person being contacted before the referrer is asked to follow up", NULL },
	{ "referral_sustained_weeks", CT_INT, F(referral_sustained_weeks), 1, 104, "6",
	  "weeks after first attending that a person still going counts as sustained", NULL },
	{ "search_radius_miles", CT_INT, F(search_radius_miles), 1, 500, "15",
	  "how far \"near a postcode\" reaches when the person does not choose", NULL },
	{ "log_level", CT_LOGLEVEL, F(log_level), 0, 0, "info",
	  "debug, info, warn or error", NULL },
	{ "access_log", CT_BOOL, F(access_log), 0, 0, "true",
	  "one line per request on standard error (no query values, no personal data)", NULL },
};

const size_t config_keys_n = ARRAY_LEN(config_keys);

static const struct config_key *find_key(const char *name)
{
	for (size_t i = 0; i < config_keys_n; i++)
		if (strcmp(config_keys[i].name, name) == 0)
			return &config_keys[i];
	return NULL;
}

static bool parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < ARRAY_LEN(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *out = true, true;
		if (strcasecmp(v, no[i]) == 0)
			return *out = false, true;
	}
	return false;
}

static bool parse_listen(const char *v, char *host, size_t hostlen, int *port)
{
	const char *colon;
	size_t hl;
	int64_t p;

	if (v[0] == '[') {
		const char *close = strchr(v, ']');

		if (!close || close[1] != ':')
			return false;
		hl = (size_t)(close - v - 1);
		if (hl == 0 || hl >= hostlen)
			return false;
		memcpy(host, v + 1, hl);
		host[hl] = '\0';
		colon = close + 1;
	} else {
		colon = strrchr(v, ':');
		if (!colon)
			return false;
		hl = (size_t)(colon - v);
		if (hl == 0 || hl >= hostlen || memchr(v, ':', hl))
			return false;
		memcpy(host, v, hl);
		host[hl] = '\0';
	}
	if (!str_to_i64(str_c(colon + 1), 0, 65535, &p))
		return false;
	*port = (int)p;
	return true;
}

enum err config_set(struct config *c, const char *key, const char *val,
		char *errbuf, size_t errlen)
{
	const struct config_key *k = find_key(key);
	char *base = (char *)c;
	int64_t n;
	const char *why = NULL;

	if (!k) {
		snprintf(errbuf, errlen, "%s: unknown setting (kith help lists them all)", key);
		return ERR_INVALID;
	}
	if (strlen(val) >= LIMIT_CONFIG_VALUE_BYTES) {
		snprintf(errbuf, errlen, "%s: value too long", key);
		return ERR_INVALID;
	}
	switch (k->type) {
	case CT_STR:
		if (k->check && (why = k->check(val)))
			break;
		if (strlen(val) >= k->size) {
			why = "value too long";
			break;
		}
		str_copy(base + k->offset, k->size, val);
		return ERR_OK;
	case CT_INT:
	case CT_SIZE:
		if (!str_to_i64(str_c(val), k->min, k->max, &n)) {
			snprintf(errbuf, errlen, "%s: \"%s\" is not a whole number from %lld to %lld",
				 key, val, k->min, k->max);
			return ERR_INVALID;
		}
		if (k->type == CT_INT)
			*(int *)(base + k->offset) = (int)n;
		else
			*(size_t *)(base + k->offset) = (size_t)n;
		return ERR_OK;
	case CT_BOOL:
		if (!parse_bool(val, (bool *)(base + k->offset)))
			why = "use true or false";
		break;
	case CT_LOGLEVEL:
		if (!log_level_parse(val, (enum log_level *)(base + k->offset)))
			why = "use debug, info, warn or error";
		break;
	case CT_LISTEN:
		if (!parse_listen(val, c->listen_host, sizeof(c->listen_host), &c->listen_port))
			why = "use HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080";
		break;
	}
	if (why) {
		snprintf(errbuf, errlen, "%s: \"%s\" is not allowed: %s", key, val, why);
		return ERR_INVALID;
	}
	return ERR_OK;
}

void config_defaults(struct config *c)
{
	char err[256];

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < config_keys_n; i++)
		if (config_set(c, config_keys[i].name, config_keys[i].def, err, sizeof(err)) != ERR_OK)
			abort(); /* a bad default is a programming error, caught by the unit test */
}

void config_env_name(const char *key, char *out, size_t n)
{
	size_t j = 0;

	for (const char *p = "KITH_"; *p && j + 1 < n; p++)
		out[j++] = *p;
	for (; *key && j + 1 < n; key++)
		out[j++] = (char)(*key >= 'a' && *key <= 'z' ? *key - 32 : *key);
	out[j] = '\0';
}

void config_flag_name(const char *key, char *out, size_t n)
{
	size_t j = 0;

	for (const char *p = "--"; *p && j + 1 < n; p++)
		out[j++] = *p;
	for (; *key && j + 1 < n; key++)
		out[j++] = *key == '_' ? '-' : *key;
	out[j] = '\0';
}

struct ini_ctx {
	struct config *c;
	char msg[512];
	bool failed;
};

/* inih reports the line of the first line its handler refused, so the
 * handler keeps only the first message and the loader adds the line. */
static int on_ini_line(void *user, const char *section, const char *name, const char *value)
{
	struct ini_ctx *x = user;

	if (x->failed)
		return 1;
	if (section && section[0]) {
		snprintf(x->msg, sizeof(x->msg),
			 "sections like [%s] are not used; put keys at the top level", section);
		x->failed = true;
		return 0;
	}
	if (config_set(x->c, name, value, x->msg, sizeof(x->msg)) != ERR_OK) {
		x->failed = true;
		return 0;
	}
	return 1;
}

static enum err load_file(struct config *c, const char *path, bool must_exist,
		char *errbuf, size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct ini_ctx x = { .c = c };
	int rc;

	if (!f) {
		if (!must_exist && errno == ENOENT)
			return ERR_OK;
		snprintf(errbuf, errlen, "config: cannot read %s: %s", path, strerror(errno));
		return ERR_INVALID;
	}
	str_copy(c->config_file, sizeof(c->config_file), path);
	rc = ini_parse_file(f, on_ini_line, &x);
	fclose(f);
	if (x.failed) {
		snprintf(errbuf, errlen, "%s:%d: %s", path, rc, x.msg);
		return ERR_INVALID;
	}
	if (rc != 0) {
		snprintf(errbuf, errlen, "%s:%d: not a \"key = value\" line", path, rc);
		return ERR_INVALID;
	}
	return ERR_OK;
}

/* Is arg a setting flag? Returns the key row and, for "--key=value", the
 * value. */
static const struct config_key *flag_key(const char *arg, const char **val)
{
	char name[128];
	size_t n = 0;

	*val = NULL;
	if (strncmp(arg, "--", 2) != 0)
		return NULL;
	for (const char *p = arg + 2; *p && *p != '='; p++) {
		if (n + 1 >= sizeof(name))
			return NULL;
		name[n++] = *p == '-' ? '_' : *p;
	}
	name[n] = '\0';
	if (arg[2 + n] == '=')
		*val = arg + 3 + n;
	return find_key(name);
}

enum err config_load(struct config *c, int *argc, char **argv,
		char *errbuf, size_t errlen)
{
	const char *file = getenv("KITH_CONFIG");
	bool explicit_file = file && file[0];
	enum err e;
	int out = 0;

	config_defaults(c);

	/* The file comes first, so find --config before anything else. */
	for (int i = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < *argc) {
			file = argv[i + 1];
			explicit_file = true;
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			file = argv[i] + 9;
			explicit_file = true;
		}
	}
	if (!explicit_file)
		file = "kith.conf";
	if ((e = load_file(c, file, explicit_file, errbuf, errlen)) != ERR_OK)
		return e;

	for (size_t i = 0; i < config_keys_n; i++) {
		char env[128], err[512];
		const char *v;

		config_env_name(config_keys[i].name, env, sizeof(env));
		v = getenv(env);
		if (v && config_set(c, config_keys[i].name, v, err, sizeof(err)) != ERR_OK) {
			snprintf(errbuf, errlen, "%s (from %s)", err, env);
			return ERR_INVALID;
		}
	}

	for (int i = 0; i < *argc; i++) {
		const char *val;
		const struct config_key *k;
		char err[512];

		if (strcmp(argv[i], "--config") == 0 && i + 1 < *argc) {
			i++;
			continue;
		}
		if (strncmp(argv[i], "--config=", 9) == 0)
			continue;
		k = flag_key(argv[i], &val);
		if (!k) {
			argv[out++] = argv[i];
			continue;
		}
		if (!val) {
			if (i + 1 >= *argc) {
				snprintf(errbuf, errlen, "%s: needs a value", argv[i]);
				return ERR_INVALID;
			}
			val = argv[++i];
		}
		if (config_set(c, k->name, val, err, sizeof(err)) != ERR_OK) {
			snprintf(errbuf, errlen, "%s (from the command line)", err);
			return ERR_INVALID;
		}
	}
	*argc = out;
	argv[out] = NULL;
	return ERR_OK;
}

static void redact_url(const char *in, char *out, size_t n)
{
	const char *scheme = strstr(in, "://"), *at, *colon;

	str_copy(out, n, in);
	if (!scheme)
		return;
	at = strchr(scheme + 3, '@');
	colon = strchr(scheme + 3, ':');
	if (at && colon && colon < at) {
		size_t pre = (size_t)(colon - in) + 1;

		if (pre + 3 + strlen(at) < n) {
			memcpy(out, in, pre);
			memcpy(out + pre, "***", 3);
			memcpy(out + pre + 3, at, strlen(at) + 1);
		}
	}
}

void config_dump(const struct config *c, FILE *out)
{
	const char *base = (const char *)c;

	if (c->config_file[0])
		fprintf(out, "# read from %s\n", c->config_file);
	else
		fprintf(out, "# no config file; defaults, environment and flags\n");
	for (size_t i = 0; i < config_keys_n; i++) {
		const struct config_key *k = &config_keys[i];
		char red[CONFIG_STR + 8];

		fprintf(out, "%s = ", k->name);
		switch (k->type) {
		case CT_STR:
			redact_url(base + k->offset, red, sizeof(red));
			fprintf(out, "%s\n", red);
			break;
		case CT_INT:
			fprintf(out, "%d\n", *(const int *)(base + k->offset));
			break;
		case CT_SIZE:
			fprintf(out, "%zu\n", *(const size_t *)(base + k->offset));
			break;
		case CT_BOOL:
			fprintf(out, "%s\n", *(const bool *)(base + k->offset) ? "true" : "false");
			break;
		case CT_LOGLEVEL: {
			static const char *const lv[] = { "debug", "info", "warn", "error" };
			fprintf(out, "%s\n", lv[*(const enum log_level *)(base + k->offset)]);
			break;
		}
		case CT_LISTEN:
			if (strchr(c->listen_host, ':'))
				fprintf(out, "[%s]:%d\n", c->listen_host, c->listen_port);
			else
				fprintf(out, "%s:%d\n", c->listen_host, c->listen_port);
			break;
		}
	}
}
