/*
 * server.c - libmicrohttpd glue.
 *
 * Life of a connection's request, in libmicrohttpd's callbacks:
 *   uri_log     the raw request line's URI arrives: allocate our request
 *               (arena inside) and keep the raw path and query, which MHD
 *               would otherwise decode and split for us.
 *   on_request  first call, headers complete: check header limits,
 *               Content-Length and smuggling signs; a 413/431/400 is
 *               queued at once, before any body is read. Otherwise return
 *               and wait (queueing on the first call would make every reply
 *               Connection: close; see PERFORMANCE.md).
 *               body calls: append up to body_max; past it, discard.
 *               last call: app_handle(), then queue the response.
 *   completed   access log line, free everything.
 *
 * A connection's head has a deadline of its own (head_timeout): MHD's
 * connection timeout is an idle timeout, so a client sending a header line
 * every few seconds would hold a connection for ever. See "head watch".
 *
 * Per-address limits (see peers.h): a connection from a peer that is not
 * a trusted proxy counts against per_ip_connections for that peer (refused
 * at accept, or shut at once if two threads raced past the check). A
 * trusted proxy's connections are not counted: they carry many people's
 * requests. Instead each request through it counts, while in flight,
 * against the client address the proxy reports, with the same cap; past
 * it the answer is 429. libmicrohttpd's own per-IP limit cannot tell a
 * proxy from a person, so it is not used.
 *
 * Thread-pool mode over poll(), one MHD thread per core; each thread has its
 * own database connection through store_db(). Not epoll: behind nginx's
 * keep-alive pool (256 visitors, a request on every upstream connection),
 * libmicrohttpd 0.9.75's epoll thread pool stopped reading requests that
 * had arrived, for as long as head_timeout (bench/soak.sh: in 4 of 7 runs
 * of 40-60 s, all 256 connections at once, until the head sweep shut them);
 * poll() has not, in any run since (about 5,100 req/s through nginx on a
 * loaded machine, against 1,700 for the run that stalled).
 */
#include "core/common.h"
#include "app/app.h"
#include "app/metrics.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "http/peers.h"
#include "http/router.h"
#include "http/server.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

struct conn_req {
	struct request req;
	struct response resp;
	struct buf body;
	struct app *app;
	enum err early;          /* a limit passed before the handler ran */
	const char *early_detail;
	size_t discarded;        /* body bytes dropped after early */
	bool headers_seen;
	bool client_counted;     /* holds one of the client's in-flight requests */
	struct peer_addr client;
	int status;
	uint64_t bytes;
};

/* ---------------------------------------------------------------- head watch
 *
 * One slot an open connection: its socket and since when it has been
 * waiting for a request head (from the accept, and again after each
 * response on a kept-alive connection; 0 while a request is being read
 * past its head or handled). The main thread sweeps once a second and
 * shuts down the sockets whose wait is past the deadline; MHD then sees
 * the connection end and closes it. The mutex is taken once a connection
 * opens and closes and by the sweep, which therefore never touches a
 * socket MHD has closed (MHD tells us before it closes one); the wait
 * itself is an atomic, set twice a request.
 */
struct head_watch {
	MHD_socket fd;
	bool used;
	bool counted;            /* holds one of its peer's connections */
	struct peer_addr peer;
	_Atomic uint64_t since_us;
};

static struct {
	pthread_mutex_t mu;
	struct head_watch *w;
	size_t n;
} watch = { .mu = PTHREAD_MUTEX_INITIALIZER };

static struct {
	const struct proxies *trusted;   /* NULL: trust_proxy is off */
	struct proxies list;
	struct tally conns;              /* open connections per untrusted peer */
	struct tally reqs;               /* requests in flight per proxied client */
	unsigned cap;                    /* per_ip_connections */
} peers;

/* Refuse a connection at accept when its peer already has its share. */
static enum MHD_Result accept_peer(void *cls, const struct sockaddr *addr, socklen_t len)
{
	struct peer_addr a;

	UNUSED(cls);
	UNUSED(len);
	if (!peer_from_sockaddr(addr, &a) || proxies_trust(peers.trusted, &a))
		return MHD_YES;
	return tally_count(&peers.conns, &a) < peers.cap ? MHD_YES : MHD_NO;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
		enum MHD_ConnectionNotificationCode code)
{
	struct head_watch *w = *socket_context;

	UNUSED(cls);
	pthread_mutex_lock(&watch.mu);
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *ai =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

		for (size_t i = 0; ci && i < watch.n; i++)
			if (!watch.w[i].used) {
				w = &watch.w[i];
				w->used = true;
				w->fd = ci->connect_fd;
				w->counted = false;
				atomic_store(&w->since_us, time_mono_us());
				*socket_context = w;
				break;
			}
		if (w && ai && ai->client_addr && peer_from_sockaddr(ai->client_addr, &w->peer) &&
		    !proxies_trust(peers.trusted, &w->peer)) {
			/* accept_peer checked, but another thread may have
			 * taken the last place since. */
			w->counted = tally_take(&peers.conns, &w->peer, peers.cap);
			if (!w->counted)
				shutdown(w->fd, SHUT_RDWR);
		}
	} else if (w) {
		if (w->counted)
			tally_give(&peers.conns, &w->peer);
		w->counted = false;
		w->used = false;
		atomic_store(&w->since_us, 0);
		*socket_context = NULL;
	}
	pthread_mutex_unlock(&watch.mu);
}

/* The connection's wait for a head starts (now) or ends (0). */
static void head_wait(struct MHD_Connection *conn, uint64_t since_us)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct head_watch *w = ci ? ci->socket_context : NULL;

	if (w)
		atomic_store(&w->since_us, since_us);
}

static void head_sweep(uint64_t now, uint64_t limit_us)
{
	pthread_mutex_lock(&watch.mu);
	for (size_t i = 0; i < watch.n; i++) {
		struct head_watch *w = &watch.w[i];
		uint64_t since = atomic_load(&w->since_us);

		/* A worker may have started a wait after `now` was read
		 * (heads are waited for without the mutex): since > now is a
		 * wait that has only just begun, not one of 2^64 us. */
		if (w->used && since && since < now && now - since > limit_us) {
			atomic_store(&w->since_us, 0);
			shutdown(w->fd, SHUT_RDWR);
		}
	}
	pthread_mutex_unlock(&watch.mu);
}

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct app *app = cls;
	struct conn_req *cr = malloc(sizeof(*cr));
	const char *q;

	UNUSED(conn);
	if (!cr)
		return NULL;
	memset((char *)cr + sizeof(cr->req), 0, sizeof(*cr) - sizeof(cr->req));
	req_init(&cr->req, app);
	resp_init(&cr->resp);
	buf_init(&cr->body, app->cfg->body_max);
	cr->app = app;
	cr->req.start_us = time_mono_us();
	atomic_fetch_add(&app->in_flight, 1);
	metrics_in_flight(app->metrics, 1);

	if (strlen(uri) > LIMIT_URL_BYTES) {
		cr->early = ERR_URI_TOO_LONG;
		cr->early_detail = "The web address is too long. Shorten it and try again.";
		return cr;
	}
	q = strchr(uri, '?');
	if (q) {
		cr->req.raw_path = arena_strndup(&cr->req.arena, uri, (size_t)(q - uri));
		cr->req.query_raw = arena_strdup(&cr->req.arena, q + 1);
	} else {
		cr->req.raw_path = arena_strdup(&cr->req.arena, uri);
		cr->req.query_raw = "";
	}
	/* Absolute-form targets ("http://host/path") and "*" are refused by
	 * the router as not starting with '/'. */
	cr->req.path = cr->req.raw_path;
	if (!cr->req.raw_path || !cr->req.query_raw) {
		cr->early = ERR_NOMEM;
		cr->req.raw_path = "/";
		cr->req.query_raw = "";
	}
	return cr;
}

struct hdr_ctx {
	struct conn_req *cr;
	size_t bytes;
	size_t count;
	size_t content_lengths;
	bool transfer_encoding;
	bool oom;
};

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind,
		const char *key, const char *value)
{
	struct hdr_ctx *h = cls;
	struct request *req = &h->cr->req;
	char *k, *v;

	UNUSED(kind);
	if (!value)
		value = "";
	h->count++;
	h->bytes += strlen(key) + strlen(value) + 4;
	if (strcasecmp(key, "Content-Length") == 0)
		h->content_lengths++;
	if (strcasecmp(key, "Transfer-Encoding") == 0)
		h->transfer_encoding = true;
	if (h->count > LIMIT_HEADER_COUNT || h->bytes > LIMIT_HEADER_BYTES)
		return MHD_YES;   /* keep counting; refused afterwards */
	k = arena_strdup(&req->arena, key);
	v = arena_strdup(&req->arena, value);
	if (!k || !v || !kv_add(&req->arena, &req->headers, k, v, strlen(v)))
		h->oom = true;
	return MHD_YES;
}

/* Every X-Forwarded-For header's value, in order, joined with commas:
 * a list split over several headers is still one list. */
static const char *forwarded_for(struct request *req)
{
	const char *joined = NULL;

	for (size_t i = 0; i < req->headers.n; i++) {
		const struct kv *h = &req->headers.v[i];

		if (strcasecmp(h->name, "X-Forwarded-For") != 0)
			continue;
		joined = joined ? arena_printf(&req->arena, "%s,%s", joined, h->val) : h->val;
		if (!joined)
			return NULL;
	}
	return joined;
}

/* Sets cr->client and returns it as text; true in *via_proxy when the
 * peer is a trusted proxy (whose word, or own address, names the client). */
static const char *client_address(struct conn_req *cr, struct MHD_Connection *conn, bool *via_proxy)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct peer_addr peer;
	char tmp[PEER_TEXT_MAX];

	*via_proxy = false;
	if (!ci || !ci->client_addr || !peer_from_sockaddr(ci->client_addr, &peer))
		return "unknown";
	*via_proxy = proxies_trust(peers.trusted, &peer);
	peer_client(peers.trusted, &peer, *via_proxy ? forwarded_for(&cr->req) : NULL, &cr->client);
	peer_format(&cr->client, tmp);
	return arena_strdup(&cr->req.arena, tmp);
}

static enum MHD_Result queue(struct MHD_Connection *conn, struct conn_req *cr)
{
	struct response *resp = &cr->resp;
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t n = 0;

	if (resp->status == 204 || resp->status == 304) {
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	} else if (resp->static_body) {
		n = resp->static_len;
		r = MHD_create_response_from_buffer(n, (void *)(uintptr_t)resp->static_body,
						    MHD_RESPMEM_PERSISTENT);
	} else {
		char *p = buf_detach(&resp->body, &n);

		if (!p) {
			p = strdup("Sorry, there is a problem with the service\n");
			n = p ? strlen(p) : 0;
			resp->status = 500;
			resp->content_type = "text/plain; charset=utf-8";
		}
		r = MHD_create_response_from_buffer(n, p, MHD_RESPMEM_MUST_FREE);
		if (!r)
			free(p);
	}
	if (!r)
		return MHD_NO;
	if (resp->content_type && resp->status != 204 && resp->status != 304)
		MHD_add_response_header(r, "Content-Type", resp->content_type);
	for (size_t i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].val);
	cr->status = resp->status;
	cr->bytes = cr->req.is_head ? 0 : n;
	ret = MHD_queue_response(conn, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result respond_early(struct MHD_Connection *conn, struct conn_req *cr)
{
	app_error(cr->app, &cr->req, &cr->resp, cr->early, cr->early_detail);
	return queue(conn, cr);
}

/* Bytes of an over-limit body we are willing to read and drop before
 * closing the connection instead of answering. */
#define DISCARD_FACTOR 4

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
		const char *url, const char *method, const char *version,
		const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct conn_req *cr = *con_cls;
	struct app *app = cls;

	UNUSED(url);
	UNUSED(version);
	if (!cr)
		return MHD_NO;   /* out of memory in uri_log: drop the connection */

	if (!cr->headers_seen) {
		struct hdr_ctx h = { .cr = cr };
		const char *cl;
		bool via_proxy;

		cr->headers_seen = true;
		head_wait(conn, 0);
		cr->req.method_raw = arena_strdup(&cr->req.arena, method);
		cr->req.method = method_parse(method);
		if (!cr->req.method_raw)
			cr->req.method_raw = "?";
		MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &h);
		cr->req.client_ip = client_address(cr, conn, &via_proxy);
		if (!cr->req.client_ip)
			cr->req.client_ip = "unknown";
		if (cr->early)
			return respond_early(conn, cr);
		if (via_proxy) {
			cr->client_counted = tally_take(&peers.reqs, &cr->client, peers.cap);
			if (!cr->client_counted) {
				cr->early = ERR_RATE_LIMITED;
				cr->req.retry_after = 1;
				cr->early_detail = "You have too many requests open at once. "
						   "Wait a moment and try again.";
				return respond_early(conn, cr);
			}
		}
		if (h.oom) {
			cr->early = ERR_NOMEM;
			return respond_early(conn, cr);
		}
		if (h.count > LIMIT_HEADER_COUNT || h.bytes > LIMIT_HEADER_BYTES) {
			cr->early = ERR_HEADERS_TOO_LARGE;
			cr->early_detail = "The request has too many or too large headers. "
					   "Clear this site's cookies and try again.";
			return respond_early(conn, cr);
		}
		/* Ambiguous framing is how requests are smuggled past proxies:
		 * refuse it rather than guess. */
		if (h.content_lengths > 1 || (h.content_lengths && h.transfer_encoding)) {
			cr->early = ERR_BAD_REQUEST;
			cr->early_detail = "The request has conflicting length headers.";
			return respond_early(conn, cr);
		}
		cl = req_header(&cr->req, "Content-Length");
		if (cl) {
			char *end;
			unsigned long long len;

			errno = 0;
			len = strtoull(cl, &end, 10);
			if (errno || end == cl || *end || cl[0] == '-') {
				cr->early = ERR_BAD_REQUEST;
				cr->early_detail = "The Content-Length header is not a number.";
				return respond_early(conn, cr);
			}
			if (len > app->cfg->body_max) {
				cr->early = ERR_TOO_LARGE;
				cr->early_detail = "What you sent is too large. Send less at once.";
				return respond_early(conn, cr);
			}
		}
		return MHD_YES;
	}

	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (cr->early) {
			cr->discarded += n;
			return cr->discarded > app->cfg->body_max * DISCARD_FACTOR ? MHD_NO : MHD_YES;
		}
		if (cr->body.len + n > app->cfg->body_max) {
			cr->early = ERR_TOO_LARGE;
			cr->early_detail = "What you sent is too large. Send less at once.";
			buf_release(&cr->body);
			return MHD_YES;
		}
		buf_add(&cr->body, upload_data, n);
		if (!buf_ok(&cr->body)) {
			cr->early = ERR_NOMEM;
			buf_release(&cr->body);
		}
		return MHD_YES;
	}

	if (cr->early)
		return respond_early(conn, cr);
	cr->req.body = cr->body.len ? cr->body.p : "";
	cr->req.body_len = cr->body.len;
	app_handle(app, &cr->req, &cr->resp);
	return queue(conn, cr);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		enum MHD_RequestTerminationCode toe)
{
	struct app *app = cls;
	struct conn_req *cr = *con_cls;

	head_wait(conn, time_mono_us());
	if (!cr)
		return;
	*con_cls = NULL;
	if (cr->client_counted)
		tally_give(&peers.reqs, &cr->client);
	if (app->cfg->access_log) {
		const char *route = cr->req.route ? cr->req.route->pattern : "-";

		if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && !cr->status)
			cr->status = 499;   /* the client went away first */
		log_access(cr->req.id[0] ? cr->req.id : "-", cr->req.method_raw, route,
			   cr->status, cr->bytes, time_mono_us() - cr->req.start_us);
	}
	metrics_in_flight(app->metrics, -1);
	atomic_fetch_sub(&app->in_flight, 1);
	resp_release(&cr->resp);
	buf_release(&cr->body);
	req_release(&cr->req);
	free(cr);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	UNUSED(cls);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_msg(LOG_WARN, NULL, "http: %s", msg);
}

static int resolve(const struct config *cfg, struct sockaddr_storage *ss, bool *v6)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	char port[8];
	int rc;

	snprintf(port, sizeof(port), "%d", cfg->listen_port);
	rc = getaddrinfo(cfg->listen_host, port, &hints, &res);
	if (rc != 0 || !res) {
		log_error("listen: cannot resolve %s: %s", cfg->listen_host, gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*v6 = res->ai_family == AF_INET6;
	freeaddrinfo(res);
	return 0;
}

int server_run(struct app *app)
{
	const struct config *cfg = app->cfg;
	struct sockaddr_storage ss;
	struct MHD_Daemon *d;
	sigset_t set;
	unsigned threads;
	unsigned flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	bool v6 = false;
	int sig = 0;
	uint64_t deadline;
	const union MHD_DaemonInfo *di;
	MHD_socket lfd;

	if (resolve(cfg, &ss, &v6) != 0)
		return 1;
	watch.n = (size_t)cfg->max_connections;
	if (proxies_parse(cfg->trusted_proxies, &peers.list) != NULL) {
		log_error("trusted_proxies: not a list of addresses");
		return 1;
	}
	peers.trusted = cfg->trust_proxy ? &peers.list : NULL;
	peers.cap = (unsigned)cfg->per_ip_connections;
	if (!(watch.w = calloc(watch.n, sizeof(*watch.w))) ||
	    !tally_init(&peers.conns, watch.n) || !tally_init(&peers.reqs, watch.n)) {
		log_error("out of memory");
		free(watch.w);
		watch.w = NULL;
		tally_free(&peers.conns);
		return 1;
	}
	if (v6)
		flags |= MHD_USE_IPv6;
	/* On PostgreSQL a request thread spends much of its time waiting
	 * for answers over the network: four a core keep the cores busy
	 * (bench/talk.sh: reads' p99 under 100 posts a second went from
	 * 33 ms with one a core to 18 ms). On SQLite a thread works in
	 * process: one a core. */
	threads = cfg->threads > 0 ? (unsigned)cfg->threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN) *
		  (app->store && store_backend(app->store) == DB_POSTGRES ? 4u : 1u);
	if (threads < 1)
		threads = 1;

	/* Threads inherit this mask: only the main thread takes signals, in
	 * sigwait below. A peer closing a socket must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	d = MHD_start_daemon(flags, 0, accept_peer, NULL, on_request, app,
			     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			     MHD_OPTION_THREAD_POOL_SIZE, threads,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->connection_timeout,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)LIMIT_CONN_MEMORY,
			     MHD_OPTION_URI_LOG_CALLBACK, uri_log, app,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, app,
			     MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
			     MHD_OPTION_END);
	if (!d) {
		log_error("cannot listen on %s:%d (is another server using the port?)",
			  cfg->listen_host, cfg->listen_port);
		free(watch.w);
		watch.w = NULL;
		tally_free(&peers.conns);
		tally_free(&peers.reqs);
		return 1;
	}
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	log_info("kith %s listening on http://%s%s%s:%u with %u threads", KITH_VERSION,
		 v6 ? "[" : "", cfg->listen_host, v6 ? "]" : "",
		 di ? (unsigned)di->port : (unsigned)cfg->listen_port, threads);

	/* Wait for a signal, sweeping slow heads once a second meanwhile. */
	for (;;) {
		struct timespec one = { .tv_sec = 1 };

		sig = sigtimedwait(&set, NULL, &one);
		if (sig == SIGINT || sig == SIGTERM)
			break;
		head_sweep(time_mono_us(), (uint64_t)cfg->head_timeout * 1000000u);
	}
	log_info("received %s: finishing requests in flight, then stopping",
		 sig == SIGINT ? "SIGINT" : "SIGTERM");
	atomic_store(&app->draining, true);
	lfd = MHD_quiesce_daemon(d);
	deadline = time_mono_us() + (uint64_t)cfg->shutdown_grace * 1000000u;
	while (atomic_load(&app->in_flight) > 0 && time_mono_us() < deadline)
		usleep(10000);
	if (atomic_load(&app->in_flight) > 0)
		log_warn("%d request(s) still running after %ds; stopping anyway",
			 atomic_load(&app->in_flight), cfg->shutdown_grace);
	MHD_stop_daemon(d);
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
	free(watch.w);
	watch.w = NULL;
	watch.n = 0;
	tally_free(&peers.conns);
	tally_free(&peers.reqs);
	log_info("stopped");
	return 0;
}
