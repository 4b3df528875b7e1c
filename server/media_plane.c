/* Control-thread media glue; see media_plane.h. Sessions and rooms of the signaling core carry a
 * struct mp_session / mp_room in their media slot. Worker events name transports by id, so an
 * event for a transport that is already gone is simply ignored. */
#include "server/media_plane.h"

#include <jansson.h>
#include <openssl/rand.h>
#include <string.h>
#include <unistd.h>

#include "media/alloc.h"
#include "media/cert.h"
#include "media/error.h"
#include "media/srtp_session.h"
#include "server/error_domain.h"
#include "server/media_counters.h"
#include "server/media_int.h"
#include "server/worker.h"
#include "signaling/signal.h"

static void random_bytes(uint8_t *b, size_t n)
{
	if (RAND_bytes(b, (int)n) != 1)
		g_error("RAND_bytes failed");
}

uint64_t pl_mp_random_u32(void)
{
	uint32_t v;
	random_bytes((uint8_t *)&v, sizeof v);
	return v ? v : 1;
}

/* ICE credentials: RFC 8445 §5.3 ice-chars, at least 4 (ufrag) and 22 (pwd) characters. */
static void random_ice_string(char *out, size_t n)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t b[64];
	random_bytes(b, n);
	for (size_t i = 0; i < n; i++)
		out[i] = alphabet[b[i] & 63];
	out[n] = '\0';
}

/* ---- lookup ------------------------------------------------------------------------------- */

static struct mp_session *session_of(struct pl_session *s)
{
	return pl_session_media(s);
}

static struct mp_session *session_get(struct pl_media_plane *p, struct pl_session *s)
{
	struct mp_session *ms = pl_session_media(s);
	if (ms)
		return ms;
	struct pl_room *room = pl_session_room(s);
	struct mp_room *mr = pl_room_media(room);
	if (!mr) {
		mr = pl_xcalloc(1, sizeof *mr);
		mr->key = ++p->next_id;
		mr->worker = p->next_worker++ % p->n_workers;
		mr->sessions = g_ptr_array_new();
		pl_room_set_media(room, mr);
	}
	ms = pl_xcalloc(1, sizeof *ms);
	ms->s = s;
	ms->plane = p;
	ms->room = mr;
	ms->tracks = g_ptr_array_new();
	ms->lines = g_array_new(FALSE, TRUE, sizeof(struct mp_line));
	g_ptr_array_add(mr->sessions, ms);
	pl_session_set_media(s, ms);
	return ms;
}

const char *const *pl_mp_candidates(struct pl_media_plane *p, struct mp_room *r)
{
	return pl_worker_candidates(p->workers[r->worker]);
}

void pl_mp_post(struct pl_media_plane *p, struct mp_room *r, struct pl_wcmd *c)
{
	c->room = r->key;
	pl_worker_post(p->workers[r->worker], c);
}

uint64_t pl_mp_create_transport(struct pl_media_plane *p, struct mp_session *ms, bool publish,
                                char *ufrag, char *pwd)
{
	uint64_t id = ++p->next_id;
	random_ice_string(ufrag, 8);
	random_ice_string(pwd, 24);
	struct mp_transport_ref *ref = pl_xcalloc(1, sizeof *ref);
	ref->ms = ms;
	ref->publish = publish;
	g_hash_table_insert(p->transports, g_memdup2(&id, sizeof id), ref);
	return id;
}

static void destroy_transport(struct pl_media_plane *p, struct mp_session *ms, uint64_t *tid)
{
	if (!*tid)
		return;
	struct pl_wcmd *c = pl_wcmd_new(PL_WCMD_TRANSPORT_DESTROY, 0, *tid);
	pl_mp_post(p, ms->room, c);
	g_hash_table_remove(p->transports, tid);
	*tid = 0;
}

/* ---- worker events -------------------------------------------------------------------------- */

static void on_worker_event(void *ctx, const struct pl_wevent *ev)
{
	struct pl_media_plane *p = ctx;
	struct mp_transport_ref *ref = g_hash_table_lookup(p->transports, &ev->transport);
	if (!ref || !p->sig)
		return; /* the session left meanwhile */
	struct mp_session *ms = ref->ms;
	const char *pc = ref->publish ? "publish" : "subscribe";
	switch (ev->type) {
	case PL_WEVENT_STATE:
		switch (ev->state) {
		case PL_WSTATE_ICE_CONNECTED:
			g_info("session %s: %s ICE connected", pl_session_pseudonym(ms->s), pc);
			break;
		case PL_WSTATE_CONNECTED:
			g_info("session %s: %s transport up (%s)", pl_session_pseudonym(ms->s), pc,
			       ev->reason);
			break;
		case PL_WSTATE_FAILED:
			g_message("session %s: %s transport failed: %s",
			          pl_session_pseudonym(ms->s), pc, ev->reason);
			pl_mp_transport_failed(p, ms, ref->publish);
			break;
		}
		break;
	}
}

/* ---- signaling hooks ------------------------------------------------------------------------ */

static void on_media_message(void *ctx, struct pl_session *s, const char *type, json_t *msg)
{
	struct pl_media_plane *p = ctx;
	struct mp_session *ms = session_get(p, s);
	if (strcmp(type, "publish") == 0)
		pl_mp_publish(p, ms, msg);
	else if (strcmp(type, "subscribe-answer") == 0)
		pl_mp_subscribe_answer(p, ms, msg);
	else if (strcmp(type, "candidate") == 0)
		pl_mp_candidate(p, ms, msg);
	else if (strcmp(type, "mute") == 0)
		pl_mp_mute(p, ms, msg);
}

/* A newcomer receives what the others already publish. */
static void on_session_joined(void *ctx, struct pl_session *s)
{
	struct pl_media_plane *p = ctx;
	pl_mp_subscribe_update(p, session_get(p, s));
}

static void on_session_leaving(void *ctx, struct pl_session *s)
{
	struct pl_media_plane *p = ctx;
	struct mp_session *ms = session_of(s);
	if (!ms)
		return;
	struct mp_room *mr = ms->room;
	/* Destroying the transports drops this session's producers and consumers on the worker. */
	destroy_transport(p, ms, &ms->pub_tid);
	destroy_transport(p, ms, &ms->sub_tid);
	bool had_tracks = ms->tracks->len > 0;
	for (guint i = 0; i < ms->tracks->len; i++)
		free(g_ptr_array_index(ms->tracks, i));
	g_ptr_array_set_size(ms->tracks, 0);
	g_ptr_array_remove(mr->sessions, ms);
	if (ms->reoffer)
		g_source_remove(ms->reoffer);
	g_ptr_array_free(ms->tracks, TRUE);
	g_array_free(ms->lines, TRUE);
	pl_session_set_media(s, NULL);
	free(ms);
	if (had_tracks)
		for (guint i = 0; i < mr->sessions->len; i++)
			pl_mp_subscribe_update(p, g_ptr_array_index(mr->sessions, i));
}

static void on_room_destroyed(void *ctx, struct pl_room *r)
{
	struct mp_room *mr = pl_room_media(r);
	if (!mr)
		return;
	g_ptr_array_free(mr->sessions, TRUE);
	free(mr);
	pl_room_set_media(r, NULL);
}

void pl_media_plane_fill_signal_ops(struct pl_media_plane *p, struct pl_signal_ops *ops)
{
	ops->media_message = on_media_message;
	ops->session_joined = on_session_joined;
	ops->session_leaving = on_session_leaving;
	ops->room_destroyed = on_room_destroyed;
}

void pl_media_plane_set_signal(struct pl_media_plane *p, struct pl_signal *sig)
{
	p->sig = sig;
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

static int parse_profiles(char **names, int out[3])
{
	int n = 0;
	for (size_t i = 0; names && names[i] && n < 2; i++) {
		if (strcmp(names[i], "aes-gcm") == 0)
			out[n++] = PL_SRTP_AEAD_AES_128_GCM;
		else if (strcmp(names[i], "aes-cm") == 0)
			out[n++] = PL_SRTP_AES128_CM_SHA1_80;
	}
	if (n == 0) {
		out[n++] = PL_SRTP_AEAD_AES_128_GCM;
		out[n++] = PL_SRTP_AES128_CM_SHA1_80;
	}
	out[n] = 0;
	return n;
}

struct pl_media_plane *pl_media_plane_new(const struct pl_config *cfg, GError **err)
{
	if (pl_srtp_global_init() != 0) {
		g_set_error(err, PL_ERROR, -PL_EIO, "SRTP initialisation failed");
		return NULL;
	}
	char cerr[256] = "";
	struct pl_cert *cert = pl_cert_new(cerr, sizeof cerr);
	if (!cert) {
		g_set_error(err, PL_ERROR, -PL_EIO, "DTLS certificate: %s", cerr);
		return NULL;
	}
	struct pl_media_plane *p = pl_xcalloc(1, sizeof *p);
	p->cert = cert;
	p->transports = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, free);
	p->video_codecs = g_strdupv(cfg->media.video_codecs);
	struct pl_worker_settings ws = {0};
	ws.ice.addresses = cfg->media.addresses;
	ws.ice.public_ip = cfg->media.public_ip;
	ws.ice.port_min = (unsigned)cfg->media.udp_port_min;
	ws.ice.port_max = (unsigned)cfg->media.udp_port_max;
	parse_profiles(cfg->media.srtp_profiles, ws.srtp_profiles);
	ws.max_ssrcs = (unsigned)cfg->media.max_ssrcs_per_transport;
	ws.dtls_timeout_us = (int64_t)cfg->media.dtls_timeout * G_USEC_PER_SEC;
	ws.video_bitrate_max_bps = (uint32_t)cfg->media.video_bitrate_max * 1000u;
	unsigned n =
	    cfg->media.workers ? (unsigned)cfg->media.workers : (unsigned)g_get_num_processors();
	if (n < 1)
		n = 1;
	p->n_workers = n;
	p->workers = pl_xcalloc(n, sizeof *p->workers);
	for (unsigned i = 0; i < n; i++) {
		char werr[256] = "";
		p->workers[i] = pl_worker_new(i, &ws, cert, on_worker_event, p, werr, sizeof werr);
		if (!p->workers[i]) {
			g_set_error(err, PL_ERROR, -PL_EIO, "media worker %u: %s", i, werr);
			pl_media_plane_free(p);
			return NULL;
		}
		char where[512];
		pl_worker_describe(p->workers[i], where, sizeof where);
		g_info("media worker %u: ICE-lite on %s", i, where);
	}
	g_info("media plane: %u workers, DTLS fingerprint %s", n, pl_cert_fingerprint(cert));
	return p;
}

unsigned pl_media_plane_fd_count(const struct pl_media_plane *p)
{
	unsigned n = 0;
	for (unsigned i = 0; i < p->n_workers; i++)
		n += pl_worker_fd_count(p->workers[i]);
	return n;
}

size_t pl_media_plane_metrics(void *plane, char *buf, size_t cap)
{
	struct pl_media_plane *p = plane;
	struct pl_media_counters c = {0};
	for (unsigned i = 0; i < p->n_workers; i++)
		pl_worker_add_counters(p->workers[i], &c);
	return pl_media_counters_format(&c, buf, cap);
}

void pl_media_plane_free(struct pl_media_plane *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->n_workers; i++)
		pl_worker_free(p->workers[i]); /* accepts NULL: a start that failed half-way */
	free(p->workers);
	g_hash_table_destroy(p->transports);
	g_strfreev(p->video_codecs);
	pl_cert_free(p->cert);
	free(p);
}
