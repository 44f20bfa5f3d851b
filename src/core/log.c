/*
 * log.c - one line per event on standard error. A single fprintf per line
 * (stdio locks the stream), so lines from different threads never
 * interleave mid-line.
 */
#include "core/common.h"
#include "core/log.h"
#include "core/timeutil.h"

#include <stdatomic.h>

static _Atomic int level = LOG_INFO;
static _Atomic int quiet;

static const char *const names[LOG__MAX] = { "debug", "info", "warn", "error" };

void log_set_level(enum log_level lvl) { level = lvl; }
enum log_level log_get_level(void) { return (enum log_level)level; }
void log_set_quiet(int q) { quiet = q; }

int log_level_parse(const char *name, enum log_level *out)
{
	for (int i = 0; i < LOG__MAX; i++) {
		if (strcmp(name, names[i]) == 0) {
			*out = (enum log_level)i;
			return 1;
		}
	}
	return 0;
}

void log_msg(enum log_level lvl, const char *reqid, const char *fmt, ...)
{
	char ts[32], msg[1024];
	va_list ap;

	if (quiet || (int)lvl < level)
		return;
	time_iso8601(time_now(), ts, sizeof(ts));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Keep one event on one line whatever the message held. */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	fprintf(stderr, "%s %s [%s] %s\n", ts, names[lvl], reqid ? reqid : "-", msg);
}

void log_access(const char *reqid, const char *method, const char *route,
		int status, uint64_t bytes, uint64_t usec)
{
	char ts[32];

	if (quiet || level > LOG_INFO)
		return;
	time_iso8601(time_now(), ts, sizeof(ts));
	fprintf(stderr, "%s access [%s] %s %s %d %llu %lluus\n", ts, reqid, method,
		route, status, (unsigned long long)bytes, (unsigned long long)usec);
}
