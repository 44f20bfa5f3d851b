/*
 * auth_feature.h - the authentication module's background job (expiring
 * sessions, one-time links and attempt counters) and its share of
 * "download my data" (sessions and tokens, never the tokens themselves)
 * and of erasure.
 */
#ifndef KITH_AUTH_FEATURE_H
#define KITH_AUTH_FEATURE_H

struct feature;
struct demo_opts;

extern const struct feature auth_feature;

/* Sessions' settings (kith.conf keys of the same names). */
struct auth_settings {
	int session_idle;          /* seconds of inactivity that end a browser session */
	int session_lifetime;      /* seconds after which it ends anyway */
	int api_token_days;        /* a personal API token works this long */
};
struct settings;
extern const struct settings auth_settings;

#endif
