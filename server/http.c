/* HTTP + websocket front end on libwebsockets, attached to the control thread's GLib main loop
 * through lws's glib event library (LWS_SERVER_OPTION_GLIB with a foreign loop).
 *
 * Every response carries the security headers; static files are read from web_root with an ETag
 * so browsers revalidate cheaply. Websocket frames are reassembled here (64 KiB cap, close 1009
 * above it) and handed whole to the signaling core; outgoing frames wait in a bounded
 * per-connection queue until lws says the socket is writable. */
#include "server/http.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "media/alloc.h"
#include "media/error.h"
#include "media/sdp.h"
#include "server/error_domain.h"
#include "server/ip_addr.h"
#include "signaling/signal.h"

/* A joined participant's message may carry an SDP of PL_SDP_MAX_BYTES (160 KiB, JSON escaping of
 * its line ends adds up to 8 KiB); before the join only small messages (join, ping) are needed, so
 * a connection that has not joined holds at most 16 KiB. */
#define PL_WS_MAX_MESSAGE          (192 * 1024)
#define PL_WS_MAX_MESSAGE_UNJOINED (16 * 1024)
_Static_assert(PL_WS_MAX_MESSAGE >= PL_SDP_MAX_BYTES + 2 * PL_SDP_MAX_LINES + 1024,
               "the largest SDP, JSON-escaped, fits one message");
/* A client that does not read its frames is cut off rather than growing our memory. */
#define PL_WS_MAX_QUEUED_BYTES (2 * 1024 * 1024)
#define PL_HTTP_MAX_FILE       (4 * 1024 * 1024)

struct pl_http {
	struct lws_context *lws;
	struct pl_signal *sig;
	GMainLoop *loop;
	char *base_path;
	char *web_root;
	char **allowed_origins;
	char **trusted_proxies;
	char *client_json;
	char *privacy_json;
	bool log_personal_data;
	bool draining;
	size_t ws_count;
	unsigned port;
	pl_http_metrics_fn metrics_fn;
	void *metrics_ctx;
	unsigned max_ws;         /* websockets at most (see pl_http_options.max_connections) */
	uint64_t refused_full;   /* upgrades refused with 503 because max_ws were open */
	int64_t refused_log_at;  /* last time a refusal was logged (at most every 10 s) */
	uint64_t refused_logged; /* refused_full at that time */
};

struct pl_frame {
	size_t len;
	unsigned char data[]; /* LWS_PRE bytes of headroom, then the payload */
};

enum pl_conn_kind { PL_CONN_HTTP, PL_CONN_WS };

/* lws per-session data: zeroed by lws, one per connection (HTTP or websocket). */
struct pl_conn {
	enum pl_conn_kind kind;
	struct lws *wsi;
	struct pl_http *http;
	struct pl_session *session;
	GByteArray *rx;   /* websocket message being reassembled */
	GQueue *outq;     /* struct pl_frame * */
	size_t out_bytes; /* bytes waiting in outq */
	bool close_pending;
	int close_code;
	char close_reason[64];
	bool rx_binary;
	/* HTTP response body waiting for HTTP_WRITEABLE */
	GBytes *body;
	size_t body_off;
};

static const char *const csp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob: mediastream:; connect-src 'self'; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

static int64_t now_us(void)
{
	return g_get_monotonic_time();
}

/* ---- pure helpers ------------------------------------------------------------------------ */

const char *pl_http_mime_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
	    {".html", "text/html; charset=utf-8"},
	    {".js", "text/javascript; charset=utf-8"},
	    {".mjs", "text/javascript; charset=utf-8"},
	    {".css", "text/css; charset=utf-8"},
	    {".json", "application/json; charset=utf-8"},
	    {".svg", "image/svg+xml"},
	    {".png", "image/png"},
	    {".ico", "image/x-icon"},
	    {".webmanifest", "application/manifest+json"},
	    {".woff2", "font/woff2"},
	    {".txt", "text/plain; charset=utf-8"},
	};
	const char *dot = strrchr(path, '.');
	if (dot && !strchr(dot, '/'))
		for (size_t i = 0; i < G_N_ELEMENTS(types); i++)
			if (strcmp(dot, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

char *pl_http_map_path(const char *rel)
{
	if (rel[0] == '\0' || strcmp(rel, "index.html") == 0)
		return pl_xstrdup("index.html");
	/* Room links: r/<room> is the single-page app. */
	if (strncmp(rel, "r/", 2) == 0 && rel[2] && !strchr(rel + 2, '/'))
		return pl_xstrdup("index.html");
	size_t n = strlen(rel);
	if (n > 200)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = rel[i];
		if (!(g_ascii_isalnum(c) || c == '/' || c == '.' || c == '-' || c == '_'))
			return NULL;
	}
	if (rel[0] == '/' || rel[0] == '.' || strstr(rel, "/.") || strstr(rel, "//") ||
	    rel[n - 1] == '/')
		return NULL;
	return pl_xstrdup(rel);
}

bool pl_http_ip_in_list(char *const *list, const char *ip)
{
	struct pl_ip_addr addr;

	if (!list || pl_ip_addr_parse(ip, &addr) < 0)
		return false;
	/* Entries that do not parse match nothing (the configuration refuses them anyway). */
	for (size_t i = 0; list[i]; i++) {
		struct pl_ip_cidr c;
		if (pl_ip_cidr_parse(list[i], &c) == 0 && pl_ip_cidr_match(&c, &addr))
			return true;
	}
	return false;
}

bool pl_http_origin_allowed(char *const *allowed, const char *origin, const char *host,
                            const char *proto)
{
	if (!origin || !*origin)
		return false;
	if (allowed && allowed[0]) {
		for (size_t i = 0; allowed[i]; i++)
			if (strcmp(allowed[i], origin) == 0)
				return true;
		return false;
	}
	/* No list: the page must come from the host the browser connected to. */
	if (!host || !*host)
		return false;
	char *expect = g_strdup_printf("%s://%s", proto ? proto : "http", host);
	bool ok = g_ascii_strcasecmp(expect, origin) == 0;
	g_free(expect);
	return ok;
}

/* ---- HTTP responses ---------------------------------------------------------------------- */

static int add_header(struct lws *wsi, const char *name, const char *value, unsigned char **p,
                      unsigned char *end)
{
	return lws_add_http_header_by_name(wsi, (const unsigned char *)name,
	                                   (const unsigned char *)value, (int)strlen(value), p,
	                                   end);
}

/* Sends status + headers now and queues the body for HTTP_WRITEABLE. */
static int respond(struct pl_conn *c, unsigned status, const char *type, const char *cache,
                   const char *etag, GBytes *body)
{
	unsigned char buf[LWS_PRE + 2048], *start = buf + LWS_PRE, *p = start,
	                                   *end = buf + sizeof buf - 1;
	size_t len = body ? g_bytes_get_size(body) : 0;
	if (lws_add_http_common_headers(c->wsi, status, type, (lws_filepos_t)len, &p, end) ||
	    add_header(c->wsi, "content-security-policy:", csp, &p, end) ||
	    add_header(c->wsi, "referrer-policy:", "no-referrer", &p, end) ||
	    add_header(c->wsi, "x-content-type-options:", "nosniff", &p, end) ||
	    add_header(c->wsi, "x-frame-options:", "DENY", &p, end) ||
	    add_header(c->wsi, "cross-origin-opener-policy:", "same-origin", &p, end) ||
	    add_header(c->wsi, "permissions-policy:",
	               "camera=(self), microphone=(self), display-capture=(self)", &p, end) ||
	    add_header(c->wsi, "cache-control:", cache, &p, end) ||
	    (etag && add_header(c->wsi, "etag:", etag, &p, end)) ||
	    lws_finalize_write_http_header(c->wsi, start, &p, end)) {
		if (body)
			g_bytes_unref(body);
		return -1;
	}
	if (!len) {
		if (body)
			g_bytes_unref(body);
		return lws_http_transaction_completed(c->wsi) ? -1 : 0;
	}
	c->body = body;
	c->body_off = 0;
	lws_callback_on_writable(c->wsi);
	return 0;
}

static int respond_text(struct pl_conn *c, unsigned status, const char *text)
{
	return respond(c, status, "text/plain; charset=utf-8", "no-store", NULL,
	               g_bytes_new(text, strlen(text)));
}

/* Counts only, like /healthz: no names, rooms or addresses. */
static int respond_metrics(struct pl_conn *c)
{
	struct pl_http *h = c->http;
	GString *s = g_string_sized_new(8192);
	g_string_append_printf(
	    s,
	    "# HELP plenum_draining 1 while the server drains after SIGTERM.\n"
	    "# TYPE plenum_draining gauge\nplenum_draining %d\n"
	    "# HELP plenum_websocket_connections Open websocket connections.\n"
	    "# TYPE plenum_websocket_connections gauge\nplenum_websocket_connections %zu\n"
	    "# HELP plenum_sessions Joined participants.\n"
	    "# TYPE plenum_sessions gauge\nplenum_sessions %zu\n"
	    "# HELP plenum_rooms Rooms with at least one participant.\n"
	    "# TYPE plenum_rooms gauge\nplenum_rooms %zu\n"
	    "# HELP plenum_websocket_limit Websockets accepted at most ([http] max_connections).\n"
	    "# TYPE plenum_websocket_limit gauge\nplenum_websocket_limit %u\n"
	    "# HELP plenum_http_refused_total Websocket upgrades and page requests refused with "
	    "503: "
	    "max_connections websockets were open.\n"
	    "# TYPE plenum_http_refused_total counter\nplenum_http_refused_total %" G_GUINT64_FORMAT
	    "\n",
	    h->draining ? 1 : 0, h->ws_count, h->sig ? pl_signal_session_count(h->sig) : 0,
	    h->sig ? pl_signal_room_count(h->sig) : 0, h->max_ws, h->refused_full);
	if (h->metrics_fn) {
		/* The workers' snapshot may change between two calls (a count gains a digit): try
		 * into room to spare, and again with more when it did not fit. */
		size_t at = s->len, room = 16384;
		for (;;) {
			g_string_set_size(s, at + room);
			size_t need = h->metrics_fn(h->metrics_ctx, s->str + at, room);
			if (need < room) {
				g_string_set_size(s, at + need);
				break;
			}
			room = need + 1024;
		}
	}
	size_t len = s->len;
	return respond(c, HTTP_STATUS_OK, "text/plain; version=0.0.4; charset=utf-8", "no-store",
	               NULL, g_bytes_new_take(g_string_free(s, FALSE), len));
}

static int write_body(struct pl_conn *c)
{
	if (!c->body)
		return 0;
	size_t total = g_bytes_get_size(c->body);
	const unsigned char *data = g_bytes_get_data(c->body, NULL);
	size_t chunk = total - c->body_off;
	if (chunk > 16384)
		chunk = 16384;
	unsigned char buf[LWS_PRE + 16384];
	memcpy(buf + LWS_PRE, data + c->body_off, chunk);
	bool last = c->body_off + chunk == total;
	if (lws_write(c->wsi, buf + LWS_PRE, chunk, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) !=
	    (int)chunk)
		return -1;
	c->body_off += chunk;
	if (!last) {
		lws_callback_on_writable(c->wsi);
		return 0;
	}
	g_bytes_unref(c->body);
	c->body = NULL;
	return lws_http_transaction_completed(c->wsi) ? -1 : 0;
}

static GBytes *render_index(struct pl_http *h, const char *data, size_t len)
{
	/* index.html carries <base href="{{BASE_PATH}}"> so every relative URL works under a
	 * reverse-proxy subpath without a build step. */
	GString *s = g_string_new_len(data, (gssize)len);
	g_string_replace(s, "{{BASE_PATH}}", h->base_path, 0);
	gsize n = s->len;
	return g_bytes_new_take(g_string_free(s, FALSE), n);
}

static int serve_file(struct pl_conn *c, const char *rel)
{
	struct pl_http *h = c->http;
	char *mapped = pl_http_map_path(rel);
	if (!mapped)
		return respond_text(c, HTTP_STATUS_NOT_FOUND, "not found\n");
	char *path = g_build_filename(h->web_root, mapped, NULL);
	bool is_index = strcmp(mapped, "index.html") == 0;
	struct stat st;
	int rc;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > PL_HTTP_MAX_FILE) {
		rc = respond_text(c, HTTP_STATUS_NOT_FOUND, "not found\n");
		goto out;
	}
	char etag[64];
	snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)st.st_mtime,
	         (unsigned long long)st.st_size);
	char inm[80];
	if (!is_index && lws_hdr_copy(c->wsi, inm, sizeof inm, WSI_TOKEN_HTTP_IF_NONE_MATCH) > 0 &&
	    strcmp(inm, etag) == 0) {
		rc = respond(c, HTTP_STATUS_NOT_MODIFIED, pl_http_mime_type(mapped), "no-cache",
		             etag, NULL);
		goto out;
	}
	gchar *data = NULL;
	gsize len = 0;
	if (!g_file_get_contents(path, &data, &len, NULL)) {
		rc = respond_text(c, HTTP_STATUS_NOT_FOUND, "not found\n");
		goto out;
	}
	GBytes *body = is_index ? render_index(h, data, len) : g_bytes_new_take(data, len);
	if (is_index)
		g_free(data);
	/* No build step means no hashed file names: let browsers revalidate every asset (cheap with
	 * the ETag) so an upgrade never mixes old and new modules. */
	rc = respond(c, HTTP_STATUS_OK, pl_http_mime_type(mapped),
	             is_index ? "no-store" : "no-cache", is_index ? NULL : etag, body);
out:
	g_free(path);
	g_free(mapped);
	return rc;
}

static void count_refusal(struct pl_http *h);

static int handle_http(struct pl_conn *c, const char *uri)
{
	struct pl_http *h = c->http;
	size_t blen = strlen(h->base_path);
	/* "/meet" without the slash: send the browser to "/meet/". */
	if (blen > 1 && strlen(uri) == blen - 1 && strncmp(uri, h->base_path, blen - 1) == 0) {
		unsigned char buf[LWS_PRE + 512], *p = buf + LWS_PRE, *end = buf + sizeof buf - 1;
		if (lws_http_redirect(c->wsi, HTTP_STATUS_MOVED_PERMANENTLY,
		                      (const unsigned char *)h->base_path, (int)blen, &p, end) < 0)
			return -1;
		return lws_http_transaction_completed(c->wsi) ? -1 : 0;
	}
	if (strncmp(uri, h->base_path, blen) != 0)
		return respond_text(c, HTTP_STATUS_NOT_FOUND, "not found\n");
	const char *rel = uri + blen;
	if (strcmp(rel, "healthz") == 0) {
		/* First line for load balancers; counts (no identities) for monitoring. */
		char body[128];
		snprintf(body, sizeof body, "%s\nconnections %zu\nsessions %zu\nrooms %zu\n",
		         h->draining ? "draining" : "ok", h->ws_count,
		         pl_signal_session_count(h->sig), pl_signal_room_count(h->sig));
		return respond_text(
		    c, h->draining ? HTTP_STATUS_SERVICE_UNAVAILABLE : HTTP_STATUS_OK, body);
	}
	if (strcmp(rel, "metrics") == 0)
		return respond_metrics(c);
	/* Monitoring above is always answered; a page is useless while no websocket can open. */
	if (h->ws_count >= h->max_ws) {
		count_refusal(h);
		return respond_text(c, HTTP_STATUS_SERVICE_UNAVAILABLE,
		                    "server full: too many connections, try later\n");
	}
	if (strcmp(rel, "api/client") == 0)
		return respond(c, HTTP_STATUS_OK, "application/json", "no-store", NULL,
		               g_bytes_new(h->client_json, strlen(h->client_json)));
	if (strcmp(rel, "api/privacy") == 0)
		return respond(c, HTTP_STATUS_OK, "application/json", "no-store", NULL,
		               g_bytes_new(h->privacy_json, strlen(h->privacy_json)));
	if (strcmp(rel, "ws") == 0)
		return respond_text(c, HTTP_STATUS_BAD_REQUEST, "websocket upgrade required\n");
	return serve_file(c, rel);
}

/* ---- websocket ------------------------------------------------------------------------------ */

static void conn_queue(struct pl_conn *c, const char *json, size_t len)
{
	if (c->close_pending)
		return;
	if (c->out_bytes + len > PL_WS_MAX_QUEUED_BYTES) {
		/* The peer does not read: stop queueing and close. */
		g_message("session %s: send queue over %d bytes, closing",
		          c->session ? pl_session_pseudonym(c->session) : "-",
		          PL_WS_MAX_QUEUED_BYTES);
		c->close_pending = true;
		c->close_code = LWS_CLOSE_STATUS_POLICY_VIOLATION;
		g_strlcpy(c->close_reason, "send queue full", sizeof c->close_reason);
		lws_callback_on_writable(c->wsi);
		return;
	}
	struct pl_frame *f = pl_xmalloc(sizeof *f + LWS_PRE + len);
	f->len = len;
	memcpy(f->data + LWS_PRE, json, len);
	g_queue_push_tail(c->outq, f);
	c->out_bytes += len;
	lws_callback_on_writable(c->wsi);
}

static void ops_send(void *ctx, void *conn, const char *json, size_t len)
{
	conn_queue(conn, json, len);
}

static void ops_close(void *ctx, void *conn, int code, const char *reason)
{
	struct pl_conn *c = conn;
	if (c->close_pending)
		return;
	c->close_pending = true;
	c->close_code = code;
	g_strlcpy(c->close_reason, reason ? reason : "", sizeof c->close_reason);
	lws_callback_on_writable(c->wsi);
}

void pl_http_fill_signal_ops(struct pl_signal_ops *ops)
{
	ops->send = ops_send;
	ops->close = ops_close;
}

static int ws_writeable(struct pl_conn *c)
{
	struct pl_frame *f = g_queue_pop_head(c->outq);
	if (f) {
		c->out_bytes -= f->len;
		int n = lws_write(c->wsi, f->data + LWS_PRE, f->len, LWS_WRITE_TEXT);
		free(f);
		if (n < 0)
			return -1;
		if (!g_queue_is_empty(c->outq) || c->close_pending)
			lws_callback_on_writable(c->wsi);
		return 0;
	}
	if (c->close_pending) {
		lws_close_reason(c->wsi, (enum lws_close_status)c->close_code,
		                 (unsigned char *)c->close_reason, strlen(c->close_reason));
		return -1;
	}
	return 0;
}

static int ws_receive(struct pl_conn *c, const void *in, size_t len)
{
	if (c->close_pending)
		return 0;
	if (lws_is_first_fragment(c->wsi)) {
		g_byte_array_set_size(c->rx, 0);
		c->rx_binary = lws_frame_is_binary(c->wsi);
	}
	size_t cap = pl_session_joined(c->session) ? PL_WS_MAX_MESSAGE : PL_WS_MAX_MESSAGE_UNJOINED;
	if (c->rx->len + len > cap) {
		g_message("session %s: message over %zu bytes, closing with 1009",
		          pl_session_pseudonym(c->session), cap);
		const char *why = "message too large";
		lws_close_reason(c->wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, (unsigned char *)why,
		                 strlen(why));
		return -1;
	}
	g_byte_array_append(c->rx, in, (guint)len);
	if (!lws_is_final_fragment(c->wsi) || lws_remaining_packet_payload(c->wsi))
		return 0;
	if (c->rx_binary)
		pl_signal_receive_binary(c->http->sig, c->session, now_us());
	else
		pl_signal_receive(c->http->sig, c->session, (const char *)c->rx->data, c->rx->len,
		                  now_us());
	g_byte_array_set_size(c->rx, 0);
	return 0;
}

static void header(struct lws *wsi, enum lws_token_indexes t, char *buf, size_t n)
{
	buf[0] = '\0';
	if (lws_hdr_copy(wsi, buf, (int)n, t) < 0)
		buf[0] = '\0';
}

/* The client's address: the socket peer, or the last X-Forwarded-For hop when the peer is a
 * trusted proxy (only ever logged with debug_personal_data). */
static void client_address(struct pl_http *h, struct lws *wsi, char *out, size_t n)
{
	char peer[64] = "";
	lws_get_peer_simple(wsi, peer, sizeof peer);
	g_strlcpy(out, peer, n);
	char xff[256];
	if (pl_http_ip_in_list(h->trusted_proxies, peer) &&
	    lws_hdr_copy(wsi, xff, sizeof xff, WSI_TOKEN_X_FORWARDED_FOR) > 0) {
		const char *last = strrchr(xff, ',');
		last = last ? last + 1 : xff;
		while (*last == ' ')
			last++;
		g_strlcpy(out, last, n);
	}
}

/* Decides whether a websocket upgrade may proceed: right path and an allowed Origin. */
static bool upgrade_allowed(struct pl_http *h, struct lws *wsi)
{
	char uri[256], origin[256], host[256], peer[64], proto[16] = "http";
	header(wsi, WSI_TOKEN_GET_URI, uri, sizeof uri);
	header(wsi, WSI_TOKEN_ORIGIN, origin, sizeof origin);
	header(wsi, WSI_TOKEN_HOST, host, sizeof host);
	lws_get_peer_simple(wsi, peer, sizeof peer);
	if (lws_is_ssl(wsi))
		g_strlcpy(proto, "https", sizeof proto);
	/* X-Forwarded-Proto only counts when the direct peer is a configured proxy. */
	if (pl_http_ip_in_list(h->trusted_proxies, peer)) {
		char fproto[16];
		int n = lws_hdr_custom_copy(wsi, fproto, sizeof fproto, "x-forwarded-proto:", 18);
		if (n > 0 && (strcmp(fproto, "https") == 0 || strcmp(fproto, "http") == 0))
			g_strlcpy(proto, fproto, sizeof proto);
	}
	char *want = g_strconcat(h->base_path, "ws", NULL);
	bool path_ok = strcmp(uri, want) == 0;
	g_free(want);
	if (!path_ok) {
		g_message("websocket upgrade refused: wrong path");
		return false;
	}
	if (!pl_http_origin_allowed(h->allowed_origins, origin, host, proto)) {
		if (h->log_personal_data)
			g_message("websocket upgrade refused: origin '%s' not allowed (host '%s')",
			          origin, host);
		else
			g_message("websocket upgrade refused: origin not allowed");
		return false;
	}
	return true;
}

/* 403 with a short body. lws would label a response written at this stage HTTP/1.0 (the request
 * version is only recorded for plain HTTP requests), which strict websocket clients refuse to
 * parse, so the response is written as it goes on the wire. The connection closes afterwards. */
static int refuse_upgrade(struct lws *wsi)
{
	static const char resp[] = "HTTP/1.1 403 Forbidden\r\n"
	                           "content-type: text/plain; charset=utf-8\r\n"
	                           "x-content-type-options: nosniff\r\n"
	                           "connection: close\r\n"
	                           "content-length: 46\r\n\r\n"
	                           "websocket refused: origin or path not allowed\n";
	unsigned char out[LWS_PRE + sizeof resp];
	memcpy(out + LWS_PRE, resp, sizeof resp - 1);
	if (lws_write(wsi, out + LWS_PRE, sizeof resp - 1, LWS_WRITE_HTTP_HEADERS) < 0)
		return -1;
	return 1;
}

/* Counts a 503 for a full server and says so in the log at most every 10 s (no addresses). */
static void count_refusal(struct pl_http *h)
{
	h->refused_full++;
	int64_t now = now_us();
	if (now - h->refused_log_at >= 10 * G_USEC_PER_SEC) {
		g_warning("server full, refusing websocket upgrades and page requests with 503: %u "
		          "websockets open ([http] max_connections); %" G_GUINT64_FORMAT
		          " refused since the last message",
		          h->max_ws, h->refused_full - h->refused_logged);
		h->refused_log_at = now;
		h->refused_logged = h->refused_full;
	}
}

/* 503 when max_connections websockets are open: written like refuse_upgrade's 403. */
static int refuse_full(struct pl_http *h, struct lws *wsi)
{
	static const char resp[] = "HTTP/1.1 503 Service Unavailable\r\n"
	                           "content-type: text/plain; charset=utf-8\r\n"
	                           "x-content-type-options: nosniff\r\n"
	                           "retry-after: 10\r\n"
	                           "connection: close\r\n"
	                           "content-length: 45\r\n\r\n"
	                           "server full: too many connections, try later\n";
	count_refusal(h);
	unsigned char out[LWS_PRE + sizeof resp];
	memcpy(out + LWS_PRE, resp, sizeof resp - 1);
	if (lws_write(wsi, out + LWS_PRE, sizeof resp - 1, LWS_WRITE_HTTP_HEADERS) < 0)
		return -1;
	return 1;
}

static void conn_free_ws(struct pl_conn *c)
{
	if (c->session) {
		/* No core while pl_http_free tears down: the daemon frees it first, with every
		 * session still in it. */
		if (c->http->sig)
			pl_signal_disconnect(c->http->sig, c->session, now_us());
		c->session = NULL;
		c->http->ws_count--;
	}
	if (c->outq) {
		g_queue_free_full(c->outq, free);
		c->outq = NULL;
	}
	if (c->rx) {
		g_byte_array_free(c->rx, TRUE);
		c->rx = NULL;
	}
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
	struct pl_conn *c = user;
	struct lws_context *ctx = lws_get_context(wsi);
	struct pl_http *h = ctx ? lws_context_user(ctx) : NULL;

	switch (reason) {
	case LWS_CALLBACK_HTTP: {
		c->kind = PL_CONN_HTTP;
		c->wsi = wsi;
		c->http = h;
		char uri[512];
		if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0) {
			/* Only GET is served. */
			return respond_text(c, HTTP_STATUS_METHOD_NOT_ALLOWED,
			                    "method not allowed\n");
		}
		return handle_http(c, uri);
	}
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return write_body(c);
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		if (c && c->body) {
			g_bytes_unref(c->body);
			c->body = NULL;
		}
		break;
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		if (!in || strcmp(in, "websocket") != 0)
			return -1;
		if (!upgrade_allowed(h, wsi))
			return refuse_upgrade(wsi);
		if (h->ws_count >= h->max_ws)
			return refuse_full(h, wsi);
		return 0;
	case LWS_CALLBACK_ESTABLISHED:
		c->kind = PL_CONN_WS;
		c->wsi = wsi;
		c->http = h;
		c->rx = g_byte_array_new();
		c->outq = g_queue_new();
		h->ws_count++;
		c->session = pl_signal_connect(h->sig, c, now_us());
		if (h->log_personal_data) {
			char addr[128];
			client_address(h, wsi, addr, sizeof addr);
			g_info("session %s: client address %s (debug_personal_data)",
			       pl_session_pseudonym(c->session), addr);
		}
		break;
	case LWS_CALLBACK_RECEIVE:
		return ws_receive(c, in, len);
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return ws_writeable(c);
	case LWS_CALLBACK_CLOSED:
		conn_free_ws(c);
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
    {"plenum", callback, sizeof(struct pl_conn), 4096, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void lws_to_glib(int level, const char *line)
{
	/* lws lines end with a newline and may contain peer addresses: keep them at debug. */
	if (level & LLL_ERR)
		g_warning("lws: %.*s", (int)strcspn(line, "\n"), line);
	else
		g_debug("lws: %.*s", (int)strcspn(line, "\n"), line);
}

static char **copy_list(char **l)
{
	return l ? g_strdupv(l) : g_new0(char *, 1);
}

void pl_http_set_policy(struct pl_http *h, const struct pl_http_options *opt)
{
	g_strfreev(h->allowed_origins);
	g_strfreev(h->trusted_proxies);
	g_free(h->client_json);
	g_free(h->privacy_json);
	h->allowed_origins = copy_list(opt->allowed_origins);
	h->trusted_proxies = copy_list(opt->trusted_proxies);
	h->client_json = g_strdup(opt->client_json ? opt->client_json : "{}");
	h->privacy_json = g_strdup(opt->privacy_json ? opt->privacy_json : "{}");
	h->log_personal_data = opt->log_personal_data;
}

unsigned pl_http_connection_budget(unsigned long long nofile, unsigned media_fds)
{
	unsigned long long reserve =
	    PL_HTTP_FD_RESERVE_LWS + PL_HTTP_FD_RESERVE_PROCESS + (unsigned long long)media_fds;
	unsigned long long n = nofile > reserve ? nofile - reserve : 0;
	return n < 16 ? 16 : n > 1000000 ? 1000000 : (unsigned)n;
}

struct pl_http *pl_http_new(const struct pl_http_options *opt, struct pl_signal *sig,
                            GMainLoop *loop, GError **err)
{
	struct pl_http *h = g_new0(struct pl_http, 1);
	h->sig = sig;
	h->loop = loop;
	h->base_path = g_strdup(opt->base_path ? opt->base_path : "/");
	h->web_root = g_strdup(opt->web_root);
	pl_http_set_policy(h, opt);

	lws_set_log_level(LLL_ERR | LLL_WARN, lws_to_glib);

	/* main.c raised the soft limit to the hard one (capped at 2^20 when unlimited). */
	struct rlimit rl;
	unsigned long long nofile = 1ULL << 20;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		nofile = rl.rlim_cur;
	unsigned budget = pl_http_connection_budget(nofile, opt->media_fds);
	h->max_ws = opt->max_connections ? opt->max_connections : budget;
	if (h->max_ws > budget) {
		g_warning("[http] max_connections = %u does not fit the file descriptor limit %llu "
		          "(one descriptor per participant, %u reserved): using %u; raise "
		          "LimitNOFILE to allow more",
		          h->max_ws, nofile,
		          PL_HTTP_FD_RESERVE_LWS + PL_HTTP_FD_RESERVE_PROCESS + opt->media_fds,
		          budget);
		h->max_ws = budget;
	}
	void *foreign[1] = {loop};
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	/* libwebsockets' own table: the websockets plus PL_HTTP_FD_RESERVE_LWS (its listener and
	 * event pipe, page requests, /healthz and the connections refused with 503). When it is
	 * full lws stops polling the listener (lws_accept_modulation): new connections wait in the
	 * kernel's backlog instead of accept() failing with EMFILE, since the budget leaves the
	 * process descriptors for every websocket's media besides. A table smaller than the soft
	 * limit makes lws look descriptors up by a linear scan of it, a few microseconds per event
	 * at 10,000 connections: signaling traffic only, never the media path. */
	if ((unsigned long long)h->max_ws + PL_HTTP_FD_RESERVE_LWS < nofile)
		info.fd_limit_per_thread = h->max_ws + PL_HTTP_FD_RESERVE_LWS;
	info.port = (int)opt->port;
	info.iface = opt->host;
	info.protocols = protocols;
	info.user = h;
	info.foreign_loops = foreign;
	/* UTF-8 is validated by the signaling core, which answers invalid-utf8 instead of closing.
	 */
	info.options = LWS_SERVER_OPTION_GLIB;
	if (opt->tls_cert && *opt->tls_cert) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.ssl_cert_filepath = opt->tls_cert;
		info.ssl_private_key_filepath = opt->tls_key;
	}
	/* Idle HTTP keep-alive connections are dropped after this many seconds. */
	info.keepalive_timeout = 30;
	info.timeout_secs = 30;
	h->lws = lws_create_context(&info);
	if (!h->lws) {
		g_set_error(
		    err, PL_ERROR, -PL_EIO,
		    "cannot listen on %s:%u (address in use, not local, or TLS files unusable)",
		    opt->host ? opt->host : "*", opt->port);
		pl_http_free(h);
		return NULL;
	}
	struct lws_vhost *vh = lws_get_vhost_by_name(h->lws, "default");
	h->port = vh ? (unsigned)lws_get_vhost_listen_port(vh) : opt->port;
	return h;
}

void pl_http_free(struct pl_http *h)
{
	if (!h)
		return;
	/* lws reports every connection still open as closed during the destroy; their sessions
	 * belong to the signaling core, which must not be called from here (the daemon may have
	 * freed it already). */
	h->sig = NULL;
	if (h->lws)
		lws_context_destroy(h->lws);
	g_strfreev(h->allowed_origins);
	g_strfreev(h->trusted_proxies);
	g_free(h->client_json);
	g_free(h->privacy_json);
	g_free(h->base_path);
	g_free(h->web_root);
	g_free(h);
}

void pl_http_set_metrics(struct pl_http *h, pl_http_metrics_fn fn, void *ctx)
{
	h->metrics_fn = fn;
	h->metrics_ctx = ctx;
}

unsigned pl_http_max_connections(const struct pl_http *h)
{
	return h->max_ws;
}

unsigned pl_http_port(const struct pl_http *h)
{
	return h->port;
}

void pl_http_set_draining(struct pl_http *h, bool draining)
{
	h->draining = draining;
}

void pl_http_set_signal(struct pl_http *h, struct pl_signal *sig)
{
	h->sig = sig;
}

size_t pl_http_ws_count(const struct pl_http *h)
{
	return h->ws_count;
}
