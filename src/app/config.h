/*
 * config.h - kith's settings: one table of keys, four sources.
 *
 * Every setting has one name and three spellings: the key in kith.conf
 * (smtp_url), an environment variable (KITH_SMTP_URL) and a command-line
 * flag (--smtp-url). Later sources win: built-in default < file <
 * environment < flag. Unknown keys and bad values are refused at start with
 * a message naming the key and saying what is allowed.
 *
 * The config file is --config FILE (or KITH_CONFIG); without either,
 * ./kith.conf is read if it exists. It is INI (read with inih), keys at top
 * level, "#" or ";" comments.
 */
#ifndef KITH_CONFIG_H
#define KITH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/log.h"

#define CONFIG_STR 512
#define CONFIG_FEATURE_BYTES 8192   /* every feature's settings together */

struct config {
	char config_file[CONFIG_STR];   /* the file that was read, or "" */

	/* Storage */
	char db[CONFIG_STR];            /* sqlite:PATH or postgresql://... */
	int synchronous;                /* SQLite: 0 off, 1 normal, 2 full */
	int busy_timeout_ms;
	bool migrate_on_start;

	/* HTTP */
	char listen_host[256];
	int listen_port;
	int threads;                    /* thread-pool size; 0 = one per core */
	size_t body_max;
	int max_connections;
	int per_ip_connections;
	int connection_timeout;         /* seconds */
	int head_timeout;               /* seconds for a whole request head */
	int rate_limit;                 /* requests per client per minute, 0 off */
	bool trust_proxy;               /* take the client address from X-Forwarded-For */
	char trusted_proxies[512];      /* peers whose X-Forwarded-For is believed */
	bool behind_tls;                /* HSTS */
	bool dev_mode;                  /* local development: no Secure cookie */
	char base_url[CONFIG_STR];      /* for links in emails, e.g. https://kith.example.org */
	int shutdown_grace;             /* seconds to finish in-flight requests */

	/* Site */
	char site_name[128];
	char organisation_name[256];    /* who runs this kith, for the privacy notice */
	char contact_email[256];        /* where people write to about the service */

	/* Operations */
	enum log_level log_level;
	bool access_log;

	/* Each feature's own settings (struct settings), laid out one after
	 * another in feature-list order: config_settings() finds a
	 * feature's. */
	_Alignas(16) unsigned char feature_area[CONFIG_FEATURE_BYTES];
};

enum config_type { CT_STR, CT_INT, CT_SIZE, CT_BOOL, CT_LOGLEVEL, CT_LISTEN };

struct config_key {
	const char *name;           /* smtp_url */
	enum config_type type;
	size_t offset;              /* into struct config, or a feature's settings struct */
	size_t size;                /* for CT_STR: buffer size */
	long long min, max;         /* for numbers */
	const char *def;            /* default, as text */
	const char *help;           /* one line for kith help and kith.conf(5) */
	/* Extra check beyond the type; returns a sentence on failure. */
	const char *(*check)(const char *val);
};

/* A feature's settings: a struct of its own (struct mail_settings, in
 * the feature's header, which is all its rules see) and the keys that
 * fill it, with offsets into that struct. The feature names this in its
 * struct feature; nothing else is edited to add a setting. */
struct settings {
	const char *section;            /* "Email": what the keys are about */
	const struct config_key *keys;  /* ends with a row whose name is NULL */
	size_t size;                    /* sizeof the feature's struct */
};

/* CFG(struct mail_settings, smtp_url): the offset and size columns of a
 * feature's key row. */
#define SETTINGS_OF(cfg, type, def) ((const type *)config_settings((cfg), &(def)))
#define CFG(type, field) offsetof(type, field), sizeof(((type *)0)->field)

/* Every key, the platform's (storage, HTTP, site, operations) then each
 * feature's in feature-list order: config_key_at(i) for i below
 * config_key_count(); *section (may be NULL) receives what it is about. */
size_t config_key_count(void);
const struct config_key *config_key_at(size_t i, const char **section);

/* A feature's settings struct inside c, or NULL when the feature is not
 * in the feature list. */
const void *config_settings(const struct config *c, const struct settings *s);

/* A check for string keys: "must not be empty". */
const char *config_check_nonempty(const char *val);

/* Defaults for every key. */
void config_defaults(struct config *c);

/* Reads all sources. Setting flags ("--key=value" or "--key value", and
 * "--config FILE") are taken out of argv wherever they appear, and *argc
 * is reduced to match, so what remains is the command and its own
 * arguments (which the command checks). On failure writes "key: what is
 * wrong" to errbuf and returns ERR_INVALID. */
enum err config_load(struct config *c, int *argc, char **argv,
		char *errbuf, size_t errlen);

/* Sets one key from text (for tests and the loader). */
enum err config_set(struct config *c, const char *key, const char *val,
		char *errbuf, size_t errlen);

/* Writes every key and its effective value, one "key = value" per line,
 * with passwords in URLs redacted (kith check-config). */
void config_dump(const struct config *c, FILE *out);

/* "smtp_url" -> "KITH_SMTP_URL" and "--smtp-url". */
void config_env_name(const char *key, char *out, size_t n);
void config_flag_name(const char *key, char *out, size_t n);

#endif
