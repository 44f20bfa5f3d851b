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
	int rate_limit;                 /* requests per client per minute, 0 off */
	bool trust_proxy;               /* take the client address from X-Forwarded-For */
	bool behind_tls;                /* HSTS */
	bool dev_mode;                  /* local development: no Secure cookie */
	char base_url[CONFIG_STR];      /* for links in emails, e.g. https://kith.example.org */
	int shutdown_grace;             /* seconds to finish in-flight requests */

	/* Site */
	char site_name[128];
	char organisation_name[256];    /* who runs this kith, for the privacy notice */
	char contact_email[256];        /* where people write to about the service */

	/* Email */
	char smtp_url[CONFIG_STR];      /* smtp://user:pass@host:587, smtps://...; "" writes files */
	char smtp_tls[16];              /* try, require or off (STARTTLS on smtp://) */
	int smtp_timeout;               /* seconds */
	char mail_from[256];
	char mail_dir[CONFIG_STR];      /* where .eml files go without smtp_url */
	int outbox_max_tries;
	int outbox_retry_base;          /* seconds before the first retry; doubles each time */
	int outbox_poll;                /* seconds between looks at the outbox */

	/* Accounts */
	int session_idle;               /* seconds of inactivity that end a browser session */
	int session_lifetime;           /* seconds after which it ends anyway */
	int api_session_lifetime;       /* seconds a POST /api/v1/sessions token lasts */
	int verify_link_hours;
	int delete_grace_days;
	int login_limit;                /* failed sign-ins per account per 15 minutes */
	int login_limit_ip;             /* failed sign-ins per address per 15 minutes */
	int register_limit_ip;          /* registrations per address per hour */
	int reset_limit;                /* password-reset requests per address, and per account, per hour */

	/* Directory */
	int stale_months;               /* not checked for this long: ask the organiser */
	int stale_flag_days;            /* no answer this many days after asking: flag to coordinators */
	int stale_hide_days;            /* flagged this many days: hide from search */
	int self_referral_limit_ip;     /* self-referrals per client address an hour */
	int referral_follow_up_days;    /* sent and not contacted this long: the referrer follows up */
	int referral_sustained_weeks;   /* attending this long after first attending: sustained */
	int directory_sync;             /* seconds between looks for other processes' changes */
	int search_radius_miles;        /* "near" means within this, unless asked otherwise */

	/* Operations */
	enum log_level log_level;
	bool access_log;
};

enum config_type { CT_STR, CT_INT, CT_SIZE, CT_BOOL, CT_LOGLEVEL, CT_LISTEN };

struct config_key {
	const char *name;           /* smtp_url */
	enum config_type type;
	size_t offset;              /* into struct config */
	size_t size;                /* for CT_STR: buffer size */
	long long min, max;         /* for numbers */
	const char *def;            /* default, as text */
	const char *help;           /* one line for kith help and kith.conf(5) */
	/* Extra check beyond the type; returns a sentence on failure. */
	const char *(*check)(const char *val);
};

extern const struct config_key config_keys[];
extern const size_t config_keys_n;

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
