/*
 * metrics.c - request counters and latency histograms per route.
 *
 * Counters are indexed [route][status class slot]; the status slots are a
 * fixed list of the codes kith sends, plus "other". Relaxed atomics: the
 * numbers only need to be right eventually, and a locked counter on every
 * request would cost more than the request.
 */
#include "core/common.h"
#include "app/metrics.h"
#include "core/timeutil.h"
#include "http/router.h"

static const int statuses[] = {
	200, 201, 202, 204, 301, 302, 303, 304, 400, 401, 403, 404, 405, 406, 409,
	410, 413, 414, 415, 422, 429, 431, 500, 503,
};
#define NSTATUS (ARRAY_LEN(statuses) + 1)   /* last slot: any other code */

static const double bounds[] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};
#define NBUCKET (ARRAY_LEN(bounds) + 1)     /* last: +Inf */

struct route_stats {
	atomic_ullong count[NSTATUS];
	atomic_ullong bucket[NBUCKET];
	atomic_ullong sum_us;
	atomic_ullong n;
};

struct metrics {
	const struct router *router;
	size_t nroutes;
	struct route_stats *stats;    /* nroutes + 1: the last is "unmatched" */
	atomic_int in_flight;
	struct metric_counter *extra[64];
	atomic_size_t nextra;
	int64_t started;
};

struct metrics *metrics_new(const struct router *r)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->router = r;
	m->nroutes = r ? router_count(r) : 0;
	m->stats = calloc(m->nroutes + 1, sizeof(*m->stats));
	if (!m->stats) {
		free(m);
		return NULL;
	}
	m->started = time_now();
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	free(m->stats);
	free(m);
}

static size_t status_slot(int status)
{
	for (size_t i = 0; i < ARRAY_LEN(statuses); i++)
		if (statuses[i] == status)
			return i;
	return NSTATUS - 1;
}

void metrics_observe(struct metrics *m, size_t route_index, int status, uint64_t usec)
{
	struct route_stats *s;
	size_t b = 0;

	if (!m)
		return;
	s = &m->stats[route_index < m->nroutes ? route_index : m->nroutes];
	atomic_fetch_add_explicit(&s->count[status_slot(status)], 1, memory_order_relaxed);
	while (b < ARRAY_LEN(bounds) && (double)usec / 1e6 > bounds[b])
		b++;
	atomic_fetch_add_explicit(&s->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->sum_us, usec, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->n, 1, memory_order_relaxed);
}

void metrics_in_flight(struct metrics *m, int delta)
{
	if (m)
		atomic_fetch_add_explicit(&m->in_flight, delta, memory_order_relaxed);
}

void metrics_register(struct metrics *m, struct metric_counter *c)
{
	size_t i;

	if (!m)
		return;
	i = atomic_fetch_add(&m->nextra, 1);
	if (i < ARRAY_LEN(m->extra))
		m->extra[i] = c;
	else
		atomic_fetch_sub(&m->nextra, 1);
}

static void route_label(const struct metrics *m, size_t i, const char **pattern, const char **method)
{
	const struct route *rt = i < m->nroutes ? router_at(m->router, i) : NULL;

	*pattern = rt ? rt->pattern : "unmatched";
	*method = rt ? method_name(rt->method) : "any";
}

void metrics_render(struct metrics *m, struct buf *out)
{
	size_t nextra = atomic_load(&m->nextra);

	buf_adds(out, "# HELP kith_http_requests_total HTTP requests by route pattern, method and status.\n"
		      "# TYPE kith_http_requests_total counter\n");
	for (size_t i = 0; i <= m->nroutes; i++) {
		const char *pat, *meth;

		route_label(m, i, &pat, &meth);
		for (size_t s = 0; s < NSTATUS; s++) {
			unsigned long long v = atomic_load_explicit(&m->stats[i].count[s], memory_order_relaxed);

			if (!v)
				continue;
			if (s < ARRAY_LEN(statuses))
				buf_addf(out, "kith_http_requests_total{route=\"%s\",method=\"%s\",status=\"%d\"} %llu\n",
					 pat, meth, statuses[s], v);
			else
				buf_addf(out, "kith_http_requests_total{route=\"%s\",method=\"%s\",status=\"other\"} %llu\n",
					 pat, meth, v);
		}
	}
	buf_adds(out, "# HELP kith_http_request_duration_seconds Time from request to response, by route.\n"
		      "# TYPE kith_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i <= m->nroutes; i++) {
		const char *pat, *meth;
		unsigned long long n = atomic_load_explicit(&m->stats[i].n, memory_order_relaxed), cum = 0;

		if (!n)
			continue;
		route_label(m, i, &pat, &meth);
		for (size_t b = 0; b < NBUCKET; b++) {
			cum += atomic_load_explicit(&m->stats[i].bucket[b], memory_order_relaxed);
			if (b < ARRAY_LEN(bounds))
				buf_addf(out, "kith_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"%g\"} %llu\n",
					 pat, meth, bounds[b], cum);
			else
				buf_addf(out, "kith_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"+Inf\"} %llu\n",
					 pat, meth, cum);
		}
		buf_addf(out, "kith_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} %.6f\n",
			 pat, meth, (double)atomic_load(&m->stats[i].sum_us) / 1e6);
		buf_addf(out, "kith_http_request_duration_seconds_count{route=\"%s\",method=\"%s\"} %llu\n",
			 pat, meth, cum);
	}
	buf_addf(out, "# HELP kith_http_requests_in_flight Requests being handled now.\n"
		      "# TYPE kith_http_requests_in_flight gauge\n"
		      "kith_http_requests_in_flight %d\n", atomic_load(&m->in_flight));
	for (size_t i = 0; i < nextra && i < ARRAY_LEN(m->extra); i++) {
		struct metric_counter *c = m->extra[i];

		buf_addf(out, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", c->name, c->help,
			 c->name, c->name, (unsigned long long)atomic_load(&c->value));
	}
	buf_addf(out, "# HELP kith_build_info The running version.\n# TYPE kith_build_info gauge\n"
		      "kith_build_info{version=\"%s\",revision=\"%s\"} 1\n", KITH_VERSION, KITH_REVISION);
	buf_addf(out, "# HELP kith_start_time_seconds When this process started, Unix time.\n"
		      "# TYPE kith_start_time_seconds gauge\nkith_start_time_seconds %lld\n",
		 (long long)m->started);
}
