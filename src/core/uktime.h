/*
 * uktime.h - civil time in the UK (Europe/London), without the TZ
 * database: GMT, and BST from 01:00 UTC on the last Sunday of March to
 * 01:00 UTC on the last Sunday of October. Everything people read (a
 * session "on Tuesday at 10:00") is UK local time; everything stored is
 * Unix seconds UTC.
 */
#ifndef KITH_UKTIME_H
#define KITH_UKTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uk_tm {
	int year, month, day;      /* month 1..12, day 1..31 */
	int hour, min, sec;
	int wday;                  /* 0 = Monday .. 6 = Sunday (ISO order) */
	bool bst;                  /* summer time in force */
};

/* UTC -> UK local. */
void uk_from_utc(int64_t t, struct uk_tm *out);
/* UK local wall time -> UTC. In the hour that does not exist (spring
 * forward) the time is taken as BST anyway (01:30 -> 00:30 UTC); in the
 * hour that happens twice (autumn) the first (BST) is chosen. */
int64_t uk_to_utc(int year, int month, int day, int hour, int min);
/* Days since 1970-01-01 of a civil date, and back; weekday of a day
 * number (0 = Monday). */
int64_t uk_days(int year, int month, int day);
void uk_date(int64_t days, int *year, int *month, int *day);
int uk_weekday(int64_t days);
int uk_days_in_month(int year, int month);   /* 0 for a month outside 1..12 */
bool uk_is_leap(int year);
/* Is summer time in force at instant t? */
bool uk_is_bst(int64_t t);
/* The day number of the UK local date at instant t. */
int64_t uk_local_day(int64_t t);
/* "Monday".."Sunday" for 0..6, "January".."December" for 1..12; "" for
 * anything else. Static strings. */
const char *uk_weekday_name(int wday);
const char *uk_month_name(int month);

/* "Tuesday 24 November 2026", "10:00", "24 November 2026" into out. */
void uk_format_date(int64_t t, char *out, size_t n);         /* 24 November 2026 */
void uk_format_day_date(int64_t t, char *out, size_t n);     /* Tuesday 24 November 2026 */
void uk_format_time(int64_t t, char *out, size_t n);         /* 10:00 (24-hour) */
/* "YYYY-MM-DD" that is a real date (years 1..9999) into *days (as
 * uk_days); false for anything else. */
bool uk_parse_day(const char *s, int64_t *days);
/* A day number as "24 November 2026". */
void uk_format_day(int64_t days, char *out, size_t n);
/* A day number as "2026-11-24" (the years 1..9999: UK_ISO_DAY bytes with
 * the NUL), for forms, JSON and columns; uk_parse_day reads it back. */
#define UK_ISO_DAY 11
/* "today", "yesterday", "5 days ago", "3 weeks ago", "2 months ago",
 * "1 year ago" for day (a day number) against today, into out. */
void uk_ago_words(int64_t day, int64_t today, char *out, size_t n);
void uk_format_iso_day(int64_t days, char out[UK_ISO_DAY]);
/* Instants are clamped to the years 1..9999 (so any int64 is safe); 32
 * bytes always hold the longest result of each formatter. */
#define UK_FORMAT_MAX 32

#endif
