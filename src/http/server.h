/*
 * server.h - the HTTP server: libmicrohttpd in thread-pool epoll mode,
 * turning its connections into struct request and struct response and
 * handing them to app_handle(). The only code that knows libmicrohttpd.
 */
#ifndef KITH_SERVER_H
#define KITH_SERVER_H

struct app;

/* Serves until SIGTERM or SIGINT, then stops accepting, lets requests in
 * flight finish (up to cfg->shutdown_grace seconds) and returns 0. Returns
 * 1 when it cannot listen. Must be called from the main thread before any
 * other thread is started (it sets the signal mask threads inherit). */
int server_run(struct app *app);

#endif
