/* The HTTP and websocket server: libwebsockets on the control thread's GLib main loop.
 * It serves web/ under base_path, /healthz, /api/client and /api/privacy, and carries the
 * signaling websocket at <base_path>ws. This is the only file that includes <libwebsockets.h>. */
#ifndef PL_HTTP_H
#define PL_HTTP_H

#include <glib.h>
#include <stdbool.h>

struct pl_signal;
struct pl_http;

struct pl_http_options {
	const char *host;      /* listen address, e.g. "127.0.0.1" or "::" */
	unsigned port;         /* 0 = let the OS choose (tests); see pl_http_port() */
	const char *base_path; /* "/" or "/meet/": starts and ends with '/' */
	const char *web_root;  /* directory holding index.html */
	const char *tls_cert;  /* PEM files, or NULL for plain HTTP (TLS usually at the proxy) */
	const char *tls_key;
	/* Live-changeable (pl_http_set_policy). NULL-terminated lists, copied. */
	char **allowed_origins;   /* exact "scheme://host[:port]"; empty = must match Host */
	char **trusted_proxies;   /* addresses or CIDRs whose X-Forwarded-* headers are honoured */
	const char *client_json;  /* body of GET api/client */
	const char *privacy_json; /* body of GET api/privacy */
	bool log_personal_data;
	/* Websockets at most; further upgrades (and page requests) get 503. 0: derived from
	 * RLIMIT_NOFILE with pl_http_connection_budget(); a larger value is lowered to it. */
	unsigned max_connections;
	/* Descriptors the media workers hold: their UDP sockets, shared by every participant
	 * (server/ice.h), so a participant costs one descriptor, its websocket. */
	unsigned media_fds;
};

/* Creates the listening server on loop's context. Returns NULL with *err set on failure. */
struct pl_http *pl_http_new(const struct pl_http_options *opt, struct pl_signal *sig,
                            GMainLoop *loop, GError **err);
void pl_http_free(struct pl_http *h);
/* The bound TCP port (useful when options.port was 0). */
unsigned pl_http_port(const struct pl_http *h);
/* SIGHUP: replace the live-changeable parts of the options. */
void pl_http_set_policy(struct pl_http *h, const struct pl_http_options *opt);
/* SIGTERM: /healthz turns 503 from now on. */
void pl_http_set_draining(struct pl_http *h, bool draining);
/* The signaling ops that deliver frames through this server (ctx = the struct pl_http). */
struct pl_signal_ops;
void pl_http_fill_signal_ops(struct pl_signal_ops *ops);
void pl_http_set_signal(struct pl_http *h, struct pl_signal *sig);
/* GET <base_path>metrics: the HTTP server writes its own gauges and appends what fn writes
 * (Prometheus text format; fn returns the length it wrote or needs, like snprintf). */
typedef size_t (*pl_http_metrics_fn)(void *ctx, char *buf, size_t cap);
void pl_http_set_metrics(struct pl_http *h, pl_http_metrics_fn fn, void *ctx);
/* The effective websocket limit (max_connections, or the one derived from RLIMIT_NOFILE). */
unsigned pl_http_max_connections(const struct pl_http *h);
/* Open websocket connections (including ones not yet joined). */
size_t pl_http_ws_count(const struct pl_http *h);

/* The descriptor budget: websockets at most so that they, the media plane's media_fds, plus
 * PL_HTTP_FD_RESERVE_LWS (libwebsockets' listener, event pipe, page requests and refusals) and
 * PL_HTTP_FD_RESERVE_PROCESS (stdio, journald, GLib wake-ups of the control thread and the
 * workers, the web file being read) fit into nofile descriptors; at least 16, at most 1000000. */
#define PL_HTTP_FD_RESERVE_LWS     64
#define PL_HTTP_FD_RESERVE_PROCESS 128
unsigned pl_http_connection_budget(unsigned long long nofile, unsigned media_fds);

/* Exposed for unit tests: pure helpers used by the request handlers. */
const char *pl_http_mime_type(const char *path);
/* Maps a request path to a file below web_root, or NULL when it must be refused (traversal,
 * odd characters). "r/<room>" and "" map to index.html. Result is newly allocated. */
char *pl_http_map_path(const char *rel_path);
/* Origin check as the websocket upgrade does it. */
bool pl_http_origin_allowed(char *const *allowed, const char *origin, const char *host,
                            const char *proto);
/* Whether the peer address ip is one of list's addresses or inside one of its CIDRs; an
 * IPv4-mapped peer (::ffff:a.b.c.d, a dual-stack listener) also matches IPv4 entries. */
bool pl_http_ip_in_list(char *const *list, const char *ip);

#endif
