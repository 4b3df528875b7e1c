/* Media worker thread: rooms' routers and transports, driven by the worker's ICE sockets
 * (server/ice.c) and one timer per room. See worker.h. */
#include "server/worker.h"

#include <stdio.h>
#include <string.h>

#include "media/alloc.h"
#include "media/error.h"
#include "media/transport.h"
#include "server/media_counters.h"

/* Router and DTLS timers are driven from one timer source per room, set to when there is work:
 * the router's next deadline (TWCC feedback every 50 ms, reports, NACK retries; earlier when a
 * packet reveals a gap), every 10 ms while a DTLS handshake may need a retransmission. Each
 * wake-up of a worker polls all its sockets, so a fixed 10 ms tick was a fifth of them. */
#define PL_TICK_HANDSHAKE_US 10000
#define PL_TICK_MIN_US       2000 /* never sooner than this after a tick */
#define PL_TICK_MAX_US       100000
/* Bytes after a forwarded packet for the SRTP tag (16 for GCM, 10 for HMAC-SHA1-80) and the
 * SRTCP index. */
#define PL_SRTP_HEADROOM 64
#define PL_MAX_DATAGRAM  1500
#define PL_EARLY_MAX     8
/* How often the counters snapshot for GET /metrics is refreshed. */
#define PL_COUNTERS_MS 1000

struct wroom;

struct wtransport {
	uint64_t id;
	struct pl_worker *w;
	struct wroom *room;
	struct pl_ice *ice;
	struct pl_transport *t;
	bool dtls_client;
	bool has_remote;
	bool ice_connected;
	bool dead;
	uint8_t remote_fp[32];
	GArray *pending_consumers; /* struct pl_consumer_desc, added when DTLS completes */
	/* Datagrams that came before the DTLS side exists: a browser answering our subscribe
	 * offer may finish ICE and send its ClientHello before its answer has reached us. */
	GPtrArray *early; /* GBytes*, at most PL_EARLY_MAX */
};

struct wroom {
	uint64_t key;
	struct pl_worker *w;
	struct pl_router *router;
	GHashTable *transports; /* id -> struct wtransport* (owned) */
	GSource *tick;          /* a struct tick_source */
	int64_t next_tick;      /* when the tick source is due (monotonic µs) */
};

/* The room's timer. Its prepare and check read next_tick, so the worker moves the deadline by
 * writing that field: g_source_set_ready_time() would signal the context's wake-up eventfd
 * on every call, even from the context's own thread, and cost every wake-up that forwards
 * media a write, a read and an extra main-loop iteration (seen with strace). Only the worker's
 * thread touches next_tick. */
struct tick_source {
	GSource base;
	struct wroom *room;
};

struct pl_worker {
	unsigned index;
	GThread *thread;
	GMainContext *ctx;
	GMainLoop *loop;
	struct pl_worker_settings settings;
	struct pl_ice_mux *mux; /* the worker's UDP sockets, shared by its transports */
	const struct pl_cert *cert;
	GHashTable *rooms; /* key -> struct wroom* (owned) */
	pl_worker_event_fn on_event;
	void *event_ctx;
	/* Counters: acc holds lifecycle events and the stats of freed transports and routers
	 * (worker thread only); snap is acc plus the live ones, refreshed every PL_COUNTERS_MS
	 * and read by the control thread under snap_lock. */
	struct pl_media_counters acc, snap;
	GMutex snap_lock;
	GSource *counters_tick;
};

/* ---- events to the control thread ------------------------------------------------------- */

struct event_box {
	struct pl_worker *w;
	struct pl_wevent ev;
};

static gboolean deliver_event(gpointer data)
{
	struct event_box *b = data;
	b->w->on_event(b->w->event_ctx, &b->ev);
	return G_SOURCE_REMOVE;
}

static void free_event(gpointer data)
{
	struct event_box *b = data;
	free(b);
}

static void post_event(struct pl_worker *w, struct pl_wevent *ev)
{
	struct event_box *b = pl_xcalloc(1, sizeof *b);
	b->w = w;
	b->ev = *ev;
	g_main_context_invoke_full(NULL, G_PRIORITY_DEFAULT, deliver_event, b, free_event);
}

static void post_state(struct wtransport *wt, enum pl_wstate s, const char *reason, int profile)
{
	struct pl_wevent ev = {
	    .type = PL_WEVENT_STATE, .transport = wt->id, .state = s, .srtp_profile = profile};
	g_strlcpy(ev.reason, reason ? reason : "", sizeof ev.reason);
	post_event(wt->w, &ev);
}

/* ---- transports ----------------------------------------------------------------------------- */

static void tr_send(void *user, const uint8_t *buf, size_t len)
{
	struct wtransport *wt = user;
	if (wt->ice && !wt->dead)
		pl_ice_send(wt->ice, buf, len);
}

static void room_tick_by(struct wroom *r, int64_t at)
{
	if (at < r->next_tick)
		r->next_tick = at;
}

static void tr_rtp(void *user, uint8_t *buf, size_t len, int64_t now_us)
{
	struct wtransport *wt = user;
	pl_router_receive_rtp(wt->room->router, wt->id, buf, len, now_us);
	int64_t wake = pl_router_wake_at(wt->room->router);
	if (wake < wt->room->next_tick)
		room_tick_by(wt->room,
		             wake > now_us + PL_TICK_MIN_US ? wake : now_us + PL_TICK_MIN_US);
}

static void tr_rtcp(void *user, uint8_t *buf, size_t len, int64_t now_us)
{
	struct wtransport *wt = user;
	pl_router_receive_rtcp(wt->room->router, wt->id, buf, len, now_us);
}

static void tr_state(void *user, enum pl_transport_state s, const char *reason)
{
	struct wtransport *wt = user;
	if (s == PL_TRANSPORT_CONNECTED) {
		wt->w->acc.transports_connected++;
		post_state(wt, PL_WSTATE_CONNECTED, reason, pl_transport_srtp_profile(wt->t));
		int64_t now = g_get_monotonic_time();
		for (guint i = 0; wt->pending_consumers && i < wt->pending_consumers->len; i++)
			pl_router_add_consumer(
			    wt->room->router,
			    &g_array_index(wt->pending_consumers, struct pl_consumer_desc, i), now);
		if (wt->pending_consumers)
			g_array_set_size(wt->pending_consumers, 0);
	} else if (s == PL_TRANSPORT_FAILED || s == PL_TRANSPORT_CLOSED) {
		if (s == PL_TRANSPORT_FAILED)
			wt->w->acc.dtls_failed++;
		wt->dead = true;
		post_state(wt, PL_WSTATE_FAILED, reason, 0);
	}
}

static const struct pl_transport_ops transport_ops = {
    .send = tr_send, .rtp = tr_rtp, .rtcp = tr_rtcp, .state = tr_state};

static void ice_recv(void *user, uint8_t *buf, size_t len)
{
	struct wtransport *wt = user;
	if (wt->dead)
		return;
	if (wt->t) {
		pl_transport_receive(wt->t, buf, len, g_get_monotonic_time());
		return;
	}
	if (!wt->early)
		wt->early = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	if (wt->early->len < PL_EARLY_MAX)
		g_ptr_array_add(wt->early, g_bytes_new(buf, len));
}

static void ice_state(void *user, enum pl_ice_state s)
{
	struct wtransport *wt = user;
	if (s == PL_ICE_CONNECTED) {
		wt->ice_connected = true;
		post_state(wt, PL_WSTATE_ICE_CONNECTED, "ICE connected", 0);
		if (wt->t)
			pl_transport_start(wt->t, g_get_monotonic_time());
	} else if (s == PL_ICE_FAILED && !wt->dead) {
		wt->w->acc.ice_failed++;
		wt->dead = true;
		post_state(wt, PL_WSTATE_FAILED,
		           wt->ice_connected ? "ICE consent lost" : "ICE failed", 0);
	}
}

static const struct pl_ice_ops ice_ops = {.recv = ice_recv, .state = ice_state};

static void make_dtls(struct wtransport *wt)
{
	struct pl_worker *w = wt->w;
	wt->t = pl_transport_new(w->cert, wt->dtls_client ? PL_DTLS_CLIENT : PL_DTLS_SERVER,
	                         wt->remote_fp, w->settings.srtp_profiles, w->settings.max_ssrcs,
	                         w->settings.dtls_timeout_us, &transport_ops, wt);
	if (!wt->t) {
		wt->dead = true;
		post_state(wt, PL_WSTATE_FAILED, "DTLS setup failed", 0);
		return;
	}
	if (wt->ice_connected)
		pl_transport_start(wt->t, g_get_monotonic_time());
	for (guint i = 0; wt->early && i < wt->early->len && !wt->dead; i++) {
		gsize n;
		const uint8_t *d = g_bytes_get_data(g_ptr_array_index(wt->early, i), &n);
		uint8_t buf[PL_MAX_DATAGRAM + PL_SRTP_HEADROOM];
		if (n <= sizeof buf) {
			memcpy(buf, d, n);
			pl_transport_receive(wt->t, buf, n, g_get_monotonic_time());
		}
	}
	if (wt->early) {
		g_ptr_array_free(wt->early, TRUE);
		wt->early = NULL;
	}
}

static void wtransport_free(gpointer data)
{
	struct wtransport *wt = data;
	pl_media_counters_add_transport(&wt->w->acc, wt->t);
	pl_ice_free(wt->ice);
	pl_transport_free(wt->t);
	if (wt->pending_consumers)
		g_array_free(wt->pending_consumers, TRUE);
	if (wt->early)
		g_ptr_array_free(wt->early, TRUE);
	free(wt);
}

/* ---- rooms ---------------------------------------------------------------------------------- */

static int router_send_rtp(void *ctx, uint64_t tid, uint8_t *buf, size_t len, size_t cap)
{
	struct wroom *r = ctx;
	struct wtransport *wt = g_hash_table_lookup(r->transports, &tid);
	if (!wt || !wt->t || wt->dead)
		return PL_ENOTFOUND;
	return pl_transport_send_rtp(wt->t, buf, len, cap);
}

static int router_send_rtcp(void *ctx, uint64_t tid, uint8_t *buf, size_t len, size_t cap)
{
	struct wroom *r = ctx;
	struct wtransport *wt = g_hash_table_lookup(r->transports, &tid);
	if (!wt || !wt->t || wt->dead)
		return PL_ENOTFOUND;
	return pl_transport_send_rtcp(wt->t, buf, len, cap);
}

static const struct pl_router_ops router_ops = {.send_rtp = router_send_rtp,
                                                .send_rtcp = router_send_rtcp};

static gboolean room_tick(gpointer data)
{
	struct wroom *r = data;
	int64_t now = g_get_monotonic_time();
	int64_t next = now + PL_TICK_MAX_US;
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, r->transports);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct wtransport *wt = v;
		if (!wt->t || wt->dead)
			continue;
		if (pl_transport_next_timeout(wt->t) <= now)
			pl_transport_handle_timeout(wt->t, now);
		if (pl_transport_state(wt->t) != PL_TRANSPORT_CONNECTED &&
		    now + PL_TICK_HANDSHAKE_US < next)
			next = now + PL_TICK_HANDSHAKE_US;
	}
	int64_t router = pl_router_tick(r->router, now, g_get_real_time());
	if (router < next)
		next = router;
	if (next < now + PL_TICK_MIN_US)
		next = now + PL_TICK_MIN_US;
	r->next_tick = next;
	return G_SOURCE_CONTINUE;
}

static gboolean tick_prepare(GSource *source, gint *timeout)
{
	int64_t due = ((struct tick_source *)source)->room->next_tick;
	int64_t now = g_source_get_time(source);
	if (due <= now) {
		*timeout = 0;
		return TRUE;
	}
	int64_t ms = (due - now + 999) / 1000; /* poll() counts milliseconds: never wake early */
	*timeout = ms > G_MAXINT ? G_MAXINT : (gint)ms;
	return FALSE;
}

static gboolean tick_check(GSource *source)
{
	return ((struct tick_source *)source)->room->next_tick <= g_source_get_time(source);
}

static gboolean tick_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
	(void)source;
	return callback(data);
}

static GSourceFuncs tick_funcs = {
    .prepare = tick_prepare, .check = tick_check, .dispatch = tick_dispatch};

static struct wroom *room_get(struct pl_worker *w, uint64_t key, bool create)
{
	struct wroom *r = g_hash_table_lookup(w->rooms, &key);
	if (r || !create)
		return r;
	r = pl_xcalloc(1, sizeof *r);
	r->key = key;
	r->w = w;
	r->router = pl_router_new(&router_ops, r);
	pl_router_set_max_bitrate(r->router, w->settings.video_bitrate_max_bps);
	r->transports = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, wtransport_free);
	r->tick = g_source_new(&tick_funcs, sizeof(struct tick_source));
	((struct tick_source *)r->tick)->room = r;
	g_source_set_callback(r->tick, room_tick, r, NULL);
	r->next_tick = g_get_monotonic_time() + PL_TICK_HANDSHAKE_US;
	g_source_attach(r->tick, w->ctx);
	g_hash_table_insert(w->rooms, &r->key, r);
	return r;
}

static void room_free(gpointer data)
{
	struct wroom *r = data;
	g_source_destroy(r->tick);
	g_source_unref(r->tick);
	/* Transports first: their teardown may still call into the router. */
	g_hash_table_destroy(r->transports);
	pl_media_counters_add_router(&r->w->acc, r->router);
	pl_router_free(r->router);
	free(r);
}

static gboolean room_free_if_empty(gpointer data)
{
	struct wroom *r = data;
	if (g_hash_table_size(r->transports) == 0)
		g_hash_table_remove(r->w->rooms, &r->key);
	return G_SOURCE_REMOVE;
}

/* ---- commands ------------------------------------------------------------------------------- */

static struct wtransport *find_transport(struct pl_worker *w, const struct pl_wcmd *c)
{
	struct wroom *r = room_get(w, c->room, false);
	return r ? g_hash_table_lookup(r->transports, &c->transport) : NULL;
}

static void cmd_create(struct pl_worker *w, struct pl_wcmd *c)
{
	struct wroom *r = room_get(w, c->room, true);
	struct wtransport *wt = pl_xcalloc(1, sizeof *wt);
	w->acc.transports_created++;
	wt->id = c->transport;
	wt->w = w;
	wt->room = r;
	wt->dtls_client = c->dtls_client;
	wt->has_remote = c->has_remote;
	memcpy(wt->remote_fp, c->remote_fp, sizeof wt->remote_fp);
	g_hash_table_insert(r->transports, &wt->id, wt);
	room_tick_by(r, g_get_monotonic_time() + PL_TICK_HANDSHAKE_US);
	wt->ice = pl_ice_new(w->mux, c->local_ufrag, c->local_pwd, &ice_ops, wt);
	if (!wt->ice) {
		wt->dead = true;
		post_state(wt, PL_WSTATE_FAILED, "ICE credentials already in use on this worker",
		           0);
		return;
	}
	if (c->has_remote) {
		pl_ice_set_remote_credentials(wt->ice, c->remote_ufrag, c->remote_pwd);
		make_dtls(wt);
	}
	/* The candidates are the worker's, fixed and already in the SDP (pl_worker_candidates):
	 * nothing to gather or trickle. */
}

static void cmd_remote(struct pl_worker *w, struct pl_wcmd *c)
{
	struct wtransport *wt = find_transport(w, c);
	if (!wt || wt->has_remote)
		return;
	wt->has_remote = true;
	wt->dtls_client = c->dtls_client;
	memcpy(wt->remote_fp, c->remote_fp, sizeof wt->remote_fp);
	if (wt->ice)
		pl_ice_set_remote_credentials(wt->ice, c->remote_ufrag, c->remote_pwd);
	make_dtls(wt);
}

static void cmd_destroy(struct pl_worker *w, struct pl_wcmd *c)
{
	struct wroom *r = room_get(w, c->room, false);
	if (!r)
		return;
	pl_router_remove_transport(r->router, c->transport);
	g_hash_table_remove(r->transports, &c->transport);
	if (g_hash_table_size(r->transports) == 0)
		g_idle_add_full(G_PRIORITY_DEFAULT, room_free_if_empty, r, NULL);
}

static void run_cmd(struct pl_worker *w, struct pl_wcmd *c)
{
	struct wroom *r;
	struct wtransport *wt;
	switch (c->type) {
	case PL_WCMD_TRANSPORT_CREATE:
		cmd_create(w, c);
		break;
	case PL_WCMD_TRANSPORT_REMOTE:
		cmd_remote(w, c);
		break;
	case PL_WCMD_TRANSPORT_DESTROY:
		cmd_destroy(w, c);
		break;
	case PL_WCMD_PRODUCER_SET:
		if ((r = room_get(w, c->room, false)) &&
		    pl_router_set_producer(r->router, &c->producer) != 0)
			g_warning(
			    "media worker: a room already forwards %d tracks; one more is not "
			    "forwarded",
			    PL_ROUTER_MAX_PRODUCERS);
		break;
	case PL_WCMD_PRODUCER_REMOVE:
		if ((r = room_get(w, c->room, false)))
			pl_router_remove_producer(r->router, c->id);
		break;
	case PL_WCMD_CONSUMER_ADD:
		wt = find_transport(w, c);
		if (!wt)
			break;
		if (wt->t && pl_transport_state(wt->t) == PL_TRANSPORT_CONNECTED) {
			pl_router_add_consumer(wt->room->router, &c->consumer,
			                       g_get_monotonic_time());
		} else {
			if (!wt->pending_consumers)
				wt->pending_consumers =
				    g_array_new(FALSE, FALSE, sizeof(struct pl_consumer_desc));
			g_array_append_val(wt->pending_consumers, c->consumer);
		}
		break;
	case PL_WCMD_CONSUMER_REMOVE:
		if ((r = room_get(w, c->room, false))) {
			pl_router_remove_consumer(r->router, c->id);
			wt = g_hash_table_lookup(r->transports, &c->transport);
			for (guint i = 0;
			     wt && wt->pending_consumers && i < wt->pending_consumers->len; i++)
				if (g_array_index(wt->pending_consumers, struct pl_consumer_desc, i)
				        .id == c->id)
					g_array_remove_index(wt->pending_consumers, i--);
		}
		break;
	}
}

struct cmd_box {
	struct pl_worker *w;
	struct pl_wcmd *cmd;
};

static gboolean deliver_cmd(gpointer data)
{
	struct cmd_box *b = data;
	run_cmd(b->w, b->cmd);
	return G_SOURCE_REMOVE;
}

static void free_cmd(gpointer data)
{
	struct cmd_box *b = data;
	free(b->cmd);
	free(b);
}

struct pl_wcmd *pl_wcmd_new(enum pl_wcmd_type type, uint64_t room, uint64_t transport)
{
	struct pl_wcmd *c = pl_xcalloc(1, sizeof *c);
	c->type = type;
	c->room = room;
	c->transport = transport;
	return c;
}

void pl_worker_post(struct pl_worker *w, struct pl_wcmd *cmd)
{
	struct cmd_box *b = pl_xmalloc(sizeof *b);
	b->w = w;
	b->cmd = cmd;
	g_main_context_invoke_full(w->ctx, G_PRIORITY_DEFAULT, deliver_cmd, b, free_cmd);
}

/* ---- counters ------------------------------------------------------------------------------- */

static gboolean counters_tick(gpointer data)
{
	struct pl_worker *w = data;
	struct pl_media_counters now = w->acc;
	GHashTableIter rit, tit;
	gpointer k, v, tk, tv;
	g_hash_table_iter_init(&rit, w->rooms);
	while (g_hash_table_iter_next(&rit, &k, &v)) {
		struct wroom *r = v;
		pl_media_counters_add_router(&now, r->router);
		g_hash_table_iter_init(&tit, r->transports);
		while (g_hash_table_iter_next(&tit, &tk, &tv))
			pl_media_counters_add_transport(&now, ((struct wtransport *)tv)->t);
	}
	pl_media_counters_add_ice(&now, pl_ice_mux_stats(w->mux));
	g_mutex_lock(&w->snap_lock);
	w->snap = now;
	g_mutex_unlock(&w->snap_lock);
	return G_SOURCE_CONTINUE;
}

const char *const *pl_worker_candidates(const struct pl_worker *w)
{
	return pl_ice_mux_candidates(w->mux);
}

void pl_worker_describe(const struct pl_worker *w, char *out, size_t cap)
{
	pl_ice_mux_describe(w->mux, out, cap);
}

unsigned pl_worker_fd_count(const struct pl_worker *w)
{
	/* The sockets, plus the GMainContext's wake-up eventfd. */
	return pl_ice_mux_socket_count(w->mux) + 1;
}

void pl_worker_add_counters(struct pl_worker *w, struct pl_media_counters *to)
{
	g_mutex_lock(&w->snap_lock);
	pl_media_counters_add(to, &w->snap);
	g_mutex_unlock(&w->snap_lock);
}

/* ---- thread --------------------------------------------------------------------------------- */

static gpointer worker_main(gpointer data)
{
	struct pl_worker *w = data;
	g_main_context_push_thread_default(w->ctx);
	g_main_loop_run(w->loop);
	g_source_destroy(w->counters_tick);
	g_hash_table_destroy(w->rooms);
	w->rooms = NULL;
	pl_ice_mux_free(w->mux);
	w->mux = NULL;
	while (g_main_context_iteration(w->ctx, FALSE))
		;
	g_main_context_pop_thread_default(w->ctx);
	return NULL;
}

struct pl_worker *pl_worker_new(unsigned index, const struct pl_worker_settings *s,
                                const struct pl_cert *cert, pl_worker_event_fn on_event,
                                void *event_ctx, char *err, size_t err_len)
{
	GMainContext *ctx = g_main_context_new();
	struct pl_ice_mux *mux = pl_ice_mux_new(ctx, &s->ice, err, err_len);
	if (!mux) {
		g_main_context_unref(ctx);
		return NULL;
	}
	struct pl_worker *w = pl_xcalloc(1, sizeof *w);
	w->index = index;
	w->settings = *s;
	w->settings.ice.addresses = NULL; /* used only above */
	w->settings.ice.public_ip = NULL;
	w->mux = mux;
	w->cert = cert;
	w->on_event = on_event;
	w->event_ctx = event_ctx;
	w->ctx = ctx;
	w->loop = g_main_loop_new(w->ctx, FALSE);
	w->rooms = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, room_free);
	g_mutex_init(&w->snap_lock);
	w->counters_tick = g_timeout_source_new(PL_COUNTERS_MS);
	g_source_set_callback(w->counters_tick, counters_tick, w, NULL);
	g_source_attach(w->counters_tick, w->ctx);
	char name[16];
	snprintf(name, sizeof name, "media-%u", index);
	w->thread = g_thread_new(name, worker_main, w);
	return w;
}

static gboolean quit_loop(gpointer data)
{
	g_main_loop_quit(data);
	return G_SOURCE_REMOVE;
}

void pl_worker_free(struct pl_worker *w)
{
	if (!w)
		return;
	g_main_context_invoke(w->ctx, quit_loop, w->loop);
	g_thread_join(w->thread);
	g_source_unref(w->counters_tick);
	g_mutex_clear(&w->snap_lock);
	g_main_loop_unref(w->loop);
	g_main_context_unref(w->ctx);
	free(w);
}
