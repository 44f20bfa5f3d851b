/*
 * metrics.h - Prometheus metrics, kept in memory with relaxed atomics.
 *
 * Built in: kith_http_requests_total{route,method,status},
 * kith_http_request_duration_seconds (histogram per route),
 * kith_http_requests_in_flight, kith_build_info, kith_start_time_seconds.
 * Other modules add counters with metrics_counter_add() on a struct
 * metric_counter they own (static storage), registered once at start-up.
 */
#ifndef KITH_METRICS_H
#define KITH_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

struct router;
struct metrics;

struct metric_counter {
	const char *name;        /* kith_outbox_sent_total */
	const char *help;
	atomic_ullong value;
};

struct metrics *metrics_new(const struct router *r);
void metrics_free(struct metrics *m);

/* route_index is the router's index, or (size_t)-1 when nothing matched. */
void metrics_observe(struct metrics *m, size_t route_index, int status, uint64_t usec);
void metrics_in_flight(struct metrics *m, int delta);

/* Registers a counter to be exported (at most 64). */
void metrics_register(struct metrics *m, struct metric_counter *c);
static inline void metrics_counter_add(struct metric_counter *c, unsigned long long n)
{
	atomic_fetch_add_explicit(&c->value, n, memory_order_relaxed);
}

/* The exposition text (text/plain; version=0.0.4). */
void metrics_render(struct metrics *m, struct buf *out);

#endif
