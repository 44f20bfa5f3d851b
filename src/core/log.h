/*
 * log.h - operator logs on standard error, one line per event.
 *
 * Lines are "TIME LEVEL [REQID] message". Never pass a password, token,
 * email address, query value or health detail to these functions: the log
 * is read by operators who must not see people's data (docs/THREATS.md).
 * The request id ties a user's "reference" on an error page to the line.
 */
#ifndef KITH_LOG_H
#define KITH_LOG_H

#include <stddef.h>
#include <stdint.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG__MAX };

void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
/* "debug", "info", "warn", "error"; false when the name is unknown. */
int log_level_parse(const char *name, enum log_level *out);
/* Silence all output (tests that provoke errors on purpose). */
void log_set_quiet(int quiet);

void log_msg(enum log_level lvl, const char *reqid, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_debug(...) log_msg(LOG_DEBUG, NULL, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, NULL, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, NULL, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, NULL, __VA_ARGS__)

/* The access log: one line per request, written when the response is done.
 * route is the matched pattern ("/services/{id}") or "-" when nothing
 * matched; the raw path and query are deliberately not logged. */
void log_access(const char *reqid, const char *method, const char *route,
		int status, uint64_t bytes, uint64_t usec);

#endif
