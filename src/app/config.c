/*
 * config.c - the settings table and its loaders.
 *
 * One const table of the platform's keys (storage, HTTP, site,
 * operations) and each feature's own (struct settings, in its feature)
 * drive everything: defaults, the file parser, environment variables,
 * flags, validation, `kith check-config` and the kith.conf(5) page. A
 * feature's values live in the config's feature_area, one struct after
 * another in feature-list order, so a struct config is still one value
 * that can be copied. Adding a setting is adding a row and a field in the
 * feature that owns it.
 */
#include "core/common.h"
#include "core/str.h"
#include "app/config.h"
#include "app/features.h"
#include "http/peers.h"

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

const char *config_check_nonempty(const char *v)
{
	return v[0] ? NULL : "must not be empty";
}

static const char *check_proxies(const char *v)
{
	return proxies_parse(v, NULL);
}

static const char *check_site_name(const char *v)
{
	if (!v[0])
		return "must not be empty";
	if (!str_is_clean_utf8(v, strlen(v)))
		return "must be plain text";
	return NULL;
}

static const struct config_key config_keys[] = {
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
	  "HTTP worker threads; 0 means one per CPU core on SQLite, four per core on PostgreSQL (where a "
	  "thread waits on the network)", NULL },
	{ "body_max", CT_SIZE, F(body_max), 1024, LIMIT_BODY_BYTES_MAX, "1048576",
	  "largest request body accepted, in bytes; larger gets 413", NULL },
	{ "max_connections", CT_INT, F(max_connections), 16, 100000, "1024",
	  "most open connections at once", NULL },
	{ "per_ip_connections", CT_INT, F(per_ip_connections), 1, 100000, "64",
	  "most open connections from one address; behind a trusted proxy, most requests "
	  "in flight from one client address (the proxy's own connections are not capped)", NULL },
	{ "connection_timeout", CT_INT, F(connection_timeout), 1, 3600, "30",
	  "seconds before an idle connection is closed", NULL },
	{ "head_timeout", CT_INT, F(head_timeout), 1, 3600, "20",
	  "seconds a client has to send a request's whole head (request line and headers), "
	  "however slowly it trickles in; an open connection waiting for its next request "
	  "counts too", NULL },
	{ "rate_limit", CT_INT, F(rate_limit), 0, 1000000, "1200",
	  "requests per client address per minute before 429; 0 turns it off", NULL },
	{ "trust_proxy", CT_BOOL, F(trust_proxy), 0, 0, "false",
	  "behind a reverse proxy: take the client address from X-Forwarded-For, "
	  "believed only from trusted_proxies", NULL },
	{ "trusted_proxies", CT_STR, F(trusted_proxies), 0, 0, "127.0.0.1 ::1",
	  "with trust_proxy, the proxies whose X-Forwarded-For is believed: addresses or "
	  "networks (10.0.0.0/8) separated by spaces; per-address limits count the client "
	  "they report, never the proxy", check_proxies },
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
	{ "log_level", CT_LOGLEVEL, F(log_level), 0, 0, "info",
	  "debug, info, warn or error", NULL },
	{ "access_log", CT_BOOL, F(access_log), 0, 0, "true",
	  "one line per request on standard error (no query values, no personal data)", NULL },
};

static const size_t config_keys_n = ARRAY_LEN(config_keys);

/* ---------------------------------------------------------------- every key */

static size_t settings_nkeys(const struct settings *s)
{
	size_t n = 0;

	while (s && s->keys[n].name)
		n++;
	return n;
}

/* Where feature f's settings start in feature_area: after every earlier
 * feature's, each 16-byte aligned. SIZE_MAX when s is in no feature. */
static size_t feature_offset(const struct settings *s)
{
	size_t off = 0;

	for (size_t f = 0; f < features_n; f++) {
		const struct settings *fs = features[f]->settings;

		if (!fs)
			continue;
		if (fs == s)
			return off + fs->size <= CONFIG_FEATURE_BYTES ? off : SIZE_MAX;
		off += (fs->size + 15) & ~(size_t)15;
	}
	return SIZE_MAX;
}

const void *config_settings(const struct config *c, const struct settings *s)
{
	size_t off = feature_offset(s);

	return off == SIZE_MAX ? NULL : c->feature_area + off;
}

size_t config_key_count(void)
{
	size_t n = config_keys_n;

	for (size_t f = 0; f < features_n; f++)
		n += settings_nkeys(features[f]->settings);
	return n;
}

/* Key i and the settings it belongs to (NULL: the platform's). */
static const struct config_key *key_at(size_t i, const struct settings **owner)
{
	*owner = NULL;
	if (i < config_keys_n)
		return &config_keys[i];
	i -= config_keys_n;
	for (size_t f = 0; f < features_n; f++) {
		const struct settings *s = features[f]->settings;
		size_t n = settings_nkeys(s);

		if (i < n) {
			*owner = s;
			return &s->keys[i];
		}
		i -= n;
	}
	return NULL;
}

const struct config_key *config_key_at(size_t i, const char **section)
{
	const struct settings *owner;
	const struct config_key *k = key_at(i, &owner);

	if (section)
		*section = owner ? owner->section : NULL;
	return k;
}

/* The struct a key's offset is into: c itself, or its feature's part. */
static char *key_base(struct config *c, const struct settings *owner)
{
	if (!owner)
		return (char *)c;
	return (char *)(uintptr_t)config_settings(c, owner);
}

static const struct config_key *find_key(const char *name, const struct settings **owner)
{
	for (size_t i = 0, n = config_key_count(); i < n; i++) {
		const struct config_key *k = key_at(i, owner);

		if (k && strcmp(k->name, name) == 0)
			return k;
	}
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
	const struct settings *owner;
	const struct config_key *k = find_key(key, &owner);
	char *base = k ? key_base(c, owner) : NULL;
	int64_t n;
	const char *why = NULL;

	if (!k) {
		snprintf(errbuf, errlen, "%s: unknown setting (kith help lists them all)", key);
		return ERR_INVALID;
	}
	if (!base) {
		snprintf(errbuf, errlen, "%s: its feature's settings do not fit (raise CONFIG_FEATURE_BYTES)", key);
		return ERR_INTERNAL;
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
	for (size_t i = 0, n = config_key_count(); i < n; i++) {
		const struct config_key *k = config_key_at(i, NULL);

		if (!k)
			continue;
		if (config_set(c, k->name, k->def, err, sizeof(err)) != ERR_OK)
			abort(); /* a bad default is a programming error, caught by the unit test */
	}
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
	const struct settings *owner;
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
	return find_key(name, &owner);
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

	for (size_t i = 0, n = config_key_count(); i < n; i++) {
		const struct config_key *k = config_key_at(i, NULL);
		char env[128], err[512];
		const char *v;

		if (!k)
			continue;
		config_env_name(k->name, env, sizeof(env));
		v = getenv(env);
		if (v && config_set(c, k->name, v, err, sizeof(err)) != ERR_OK) {
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
	if (c->config_file[0])
		fprintf(out, "# read from %s\n", c->config_file);
	else
		fprintf(out, "# no config file; defaults, environment and flags\n");
	for (size_t i = 0, n = config_key_count(); i < n; i++) {
		const struct settings *owner;
		const struct config_key *k = key_at(i, &owner);
		const char *base = key_base((struct config *)(uintptr_t)c, owner);
		char red[CONFIG_STR + 8];

		if (!k || !base)
			continue;
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
