/*
 * limits.h - every input limit kith enforces, in one place.
 *
 * A limit an operator may want to change has a configuration key (see
 * src/app/config.c); the constant here is then its default and, where it
 * bounds memory, its ceiling. Parsers take the limit as an argument so tests
 * and fuzzers can exercise the edges with small values.
 */
#ifndef KITH_LIMITS_H
#define KITH_LIMITS_H

/* HTTP request line and headers. */
#define LIMIT_URL_BYTES          4096   /* longer: 414 */
#define LIMIT_HEADER_BYTES       16384  /* all header names+values: 431 */
#define LIMIT_HEADER_COUNT       64     /* more headers: 431 */
#define LIMIT_CONN_MEMORY        (32 * 1024) /* libmicrohttpd per-connection pool: it is zeroed
                                                after every request, so its size is paid per
                                                request; it must hold a head of URL + headers */

/* Bodies. Checked against Content-Length before reading, and again while
 * reading chunked bodies: over the limit is 413, never buffered. */
#define LIMIT_BODY_BYTES         (1024 * 1024)       /* default body_max */
#define LIMIT_BODY_BYTES_MAX     (64 * 1024 * 1024)  /* ceiling for body_max */

/* Query strings and urlencoded forms. */
#define LIMIT_FIELDS             256    /* name=value pairs per query or form */
#define LIMIT_FIELD_NAME_BYTES   128
#define LIMIT_FIELD_VALUE_BYTES  (256 * 1024)

/* Cookies. */
#define LIMIT_COOKIES            32
#define LIMIT_COOKIE_BYTES       4096

/* JSON bodies. */
#define LIMIT_JSON_DEPTH         32     /* nesting of arrays and objects */

/* Router. */
#define LIMIT_PATH_SEGMENTS      16
#define LIMIT_ROUTE_PARAMS       8

/* Connections (configurable: max_connections, per_ip_connections,
 * connection_timeout). */
#define LIMIT_CONNECTIONS        1024
#define LIMIT_CONNECTIONS_PER_IP 64
#define LIMIT_CONN_TIMEOUT_S     30

/* Requests per client address per minute (configurable: rate_limit;
 * 0 turns it off). Over it: 429 with Retry-After. */
#define LIMIT_REQUESTS_PER_MIN   1200

/* Output. */
#define LIMIT_PAGE_BYTES         (8 * 1024 * 1024)   /* a rendered page or JSON */
#define LIMIT_TEMPLATE_DEPTH     16     /* nested sections and partials */

/* Configuration values. */
#define LIMIT_CONFIG_VALUE_BYTES 1024

#endif
