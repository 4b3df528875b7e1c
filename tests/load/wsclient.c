/* The websocket side of every simulated participant: libwebsockets client connections on the
 * run's GLib main loop (its glib event library, a foreign loop), one text frame per JSON
 * message (docs/protocol.md). */
#include <libwebsockets.h>
#include <string.h>

#include "media/alloc.h"
#include "tests/load/load.h"

#define PL_WS_MAX_MESSAGE (256 * 1024) /* the server sends SDP of a few KiB; bound the rest */

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
	struct pl_part *part = lws_get_opaque_user_data(wsi);
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (part)
			pl_part_on_open(part);
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (part) {
			part->wsi = NULL;
			pl_part_on_closed(part, in && len ? (const char *)in : "connection failed");
		}
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (!part)
			break;
		if (part->inbuf->len + len > PL_WS_MAX_MESSAGE) {
			pl_part_fail(part, "a server message is larger than %d bytes",
			             PL_WS_MAX_MESSAGE);
			return -1;
		}
		g_string_append_len(part->inbuf, in, (gssize)len);
		if (lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi)) {
			pl_part_on_message(part, part->inbuf->str, part->inbuf->len);
			g_string_truncate(part->inbuf, 0);
		}
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE: {
		if (!part)
			break;
		char *text = g_queue_pop_head(&part->outq);
		if (!text)
			break;
		size_t n = strlen(text);
		uint8_t *buf = pl_xmalloc(LWS_PRE + n);
		memcpy(buf + LWS_PRE, text, n);
		int w = lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_TEXT);
		free(buf);
		g_free(text);
		if (w < (int)n)
			return -1;
		if (!g_queue_is_empty(&part->outq))
			lws_callback_on_writable(wsi);
		if (part->leaving && g_queue_is_empty(&part->outq))
			return -1; /* leave was sent: close */
		break;
	}
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (part) {
			part->wsi = NULL;
			pl_part_on_closed(part, "websocket closed by the server");
		}
		break;
	case LWS_CALLBACK_WSI_DESTROY:
		if (part)
			part->wsi = NULL;
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
    {"plenum", callback, 0, 65536, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

int pl_ws_init(struct pl_load *L, GMainLoop *loop, char *err, size_t errlen)
{
	lws_set_log_level(LLL_ERR, NULL);
	void *foreign[1] = {loop};
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.foreign_loops = foreign;
	info.options = LWS_SERVER_OPTION_GLIB;
	info.timeout_secs = 10;
	L->lws = lws_create_context(&info);
	if (!L->lws) {
		g_strlcpy(err, "libwebsockets: cannot create the client context", errlen);
		return -1;
	}
	return 0;
}

void pl_ws_cleanup(struct pl_load *L)
{
	if (L->lws)
		lws_context_destroy(L->lws);
	L->lws = NULL;
}

int pl_ws_connect(struct pl_part *part)
{
	struct pl_load *L = part->L;
	char host[300];
	snprintf(host, sizeof host, "%s:%d", L->o.host, L->o.port);
	struct lws_client_connect_info ci;
	memset(&ci, 0, sizeof ci);
	ci.context = L->lws;
	ci.address = L->o.host;
	ci.port = L->o.port;
	ci.path = L->o.path;
	ci.host = host;
	/* lws 4.1 writes "Origin: http://<origin>": give it the part after the scheme. */
	ci.origin = strncmp(L->o.origin, "http://", 7) == 0 ? L->o.origin + 7 : L->o.origin;
	ci.local_protocol_name = "plenum";
	if (L->o.janus)
		ci.protocol = "janus-protocol"; /* Janus's websocket transport requires it */
	ci.ietf_version_or_minus_one = -1;
	ci.opaque_user_data = part;
	ci.pwsi = &part->wsi;
	pl_part_mark(part, PL_T_CONNECT);
	if (!lws_client_connect_via_info(&ci)) {
		/* lws may already have reported the error through the callback */
		if (!part->closed)
			pl_part_on_closed(part, "cannot connect");
		return -1;
	}
	return 0;
}

void pl_ws_send(struct pl_part *part, char *text)
{
	if (!part->wsi || part->closed) {
		g_free(text);
		return;
	}
	g_queue_push_tail(&part->outq, text);
	lws_callback_on_writable(part->wsi);
}

void pl_ws_close(struct pl_part *part)
{
	part->leaving = true;
	if (part->wsi)
		lws_callback_on_writable(part->wsi);
}
