/*
 * timeutil.h - clocks and timestamp formatting. Times in the database are
 * Unix seconds (int64, UTC); people see them in the Europe/London zone
 * through the view layer.
 */
#ifndef KITH_TIMEUTIL_H
#define KITH_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Wall clock, Unix seconds. Tests may pin it with time_set_fake(). */
int64_t time_now(void);
/* 0 restores the real clock. */
void time_set_fake(int64_t t);
/* Monotonic microseconds, for durations. */
uint64_t time_mono_us(void);
/* "2026-11-23T14:05:09Z" into out (at least 21 bytes); false on error. */
int time_iso8601(int64_t t, char *out, size_t n);
/* "Mon, 23 Nov 2026 14:05:09 GMT" (at least 30 bytes). */
int time_http_date(int64_t t, char *out, size_t n);
/* Parses "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" (UTC). */
int time_parse_iso8601(const char *s, size_t n, int64_t *out);

#endif
