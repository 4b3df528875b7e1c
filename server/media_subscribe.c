/* Subscriber side: one receiving PeerConnection per participant, offered by the server. An m-line
 * per forwarded track; ended tracks keep their m-line with port 0. One offer at a time. */
#include <string.h>

#include "media/alloc.h"
#include "media/cert.h"
#include "media/sdp.h"
#include "media/sdp_negotiate.h"
#include "server/media_int.h"
#include "server/worker.h"
#include "signaling/signal.h"
#include "signaling/text.h"

static struct mp_track *find_producer(struct mp_room *r, uint64_t producer,
                                      struct mp_session **owner)
{
	for (guint i = 0; i < r->sessions->len; i++) {
		struct mp_session *o = g_ptr_array_index(r->sessions, i);
		for (guint j = 0; j < o->tracks->len; j++) {
			struct mp_track *t = g_ptr_array_index(o->tracks, j);
			if (t->producer == producer) {
				if (owner)
					*owner = o;
				return t;
			}
		}
	}
	return NULL;
}

static bool has_line(struct mp_session *ms, uint64_t producer)
{
	for (guint i = 0; i < ms->lines->len; i++)
		if (g_array_index(ms->lines, struct mp_line, i).producer == producer)
			return true;
	return false;
}

/* Updates ms->lines; returns true when the set of m-lines or their state changed. */
static bool sync_lines(struct pl_media_plane *p, struct mp_session *ms)
{
	bool changed = false;
	/* Tracks that ended. */
	for (guint i = 0; i < ms->lines->len; i++) {
		struct mp_line *l = &g_array_index(ms->lines, struct mp_line, i);
		if (l->producer && !find_producer(ms->room, l->producer, NULL)) {
			struct pl_wcmd *c = pl_wcmd_new(PL_WCMD_CONSUMER_REMOVE, 0, ms->sub_tid);
			c->id = l->consumer;
			pl_mp_post(p, ms->room, c);
			l->producer = 0;
			changed = true;
		}
	}
	/* New tracks of the others. */
	for (guint i = 0; i < ms->room->sessions->len; i++) {
		struct mp_session *o = g_ptr_array_index(ms->room->sessions, i);
		if (o == ms)
			continue;
		for (guint j = 0; j < o->tracks->len; j++) {
			struct mp_track *t = g_ptr_array_index(o->tracks, j);
			if (has_line(ms, t->producer))
				continue;
			/* Reuse an ended m-line of the same kind before growing the SDP. */
			struct mp_line *reuse = NULL;
			for (guint k = 0; k < ms->lines->len && !reuse; k++) {
				struct mp_line *x = &g_array_index(ms->lines, struct mp_line, k);
				if (!x->producer && x->kind == t->kind)
					reuse = x;
			}
			if (!reuse && ms->lines->len >= PL_MP_MAX_LINES) {
				if (!ms->lines_full_logged)
					g_message("session %s: receives %d tracks, the most one "
					          "PeerConnection carries; further tracks are not "
					          "offered",
					          pl_session_pseudonym(ms->s), PL_MP_MAX_LINES);
				ms->lines_full_logged = true;
				continue;
			}
			struct mp_line l = {0};
			if (reuse)
				g_strlcpy(l.mid, reuse->mid, sizeof l.mid);
			else
				snprintf(l.mid, sizeof l.mid, "%u", ms->next_mid++);
			l.needs_consumer = true;
			l.producer = t->producer;
			l.consumer = ++p->next_id;
			l.ssrc = (uint32_t)pl_mp_random_u32();
			l.kind = t->kind;
			l.codec = t->codec;
			g_strlcpy(l.track_id, t->id, sizeof l.track_id);
			g_strlcpy(l.participant, pl_session_participant_id(o->s),
			          sizeof l.participant);
			g_strlcpy(l.source, t->source, sizeof l.source);
			l.muted = t->muted;
			if (reuse)
				*reuse = l;
			else
				g_array_append_val(ms->lines, l);
			changed = true;
		}
	}
	return changed;
}

static void add_consumers(struct pl_media_plane *p, struct mp_session *ms)
{
	for (guint i = 0; i < ms->lines->len; i++) {
		struct mp_line *l = &g_array_index(ms->lines, struct mp_line, i);
		if (!l->producer || !l->needs_consumer)
			continue;
		l->needs_consumer = false;
		struct pl_wcmd *c = pl_wcmd_new(PL_WCMD_CONSUMER_ADD, 0, ms->sub_tid);
		c->consumer.id = l->consumer;
		c->consumer.producer = l->producer;
		c->consumer.transport = ms->sub_tid;
		c->consumer.ssrc = l->ssrc;
		pl_mp_post(p, ms->room, c);
	}
}

static json_t *tracks_json(struct mp_session *ms)
{
	json_t *a = json_array();
	for (guint i = 0; i < ms->lines->len; i++) {
		struct mp_line *l = &g_array_index(ms->lines, struct mp_line, i);
		if (!l->producer)
			continue;
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "mid", l->mid,
		                                   "id", l->track_id, "participant", l->participant,
		                                   "kind",
		                                   l->kind == PL_MEDIA_AUDIO ? "audio" : "video",
		                                   "source", l->source, "muted", l->muted));
	}
	return a;
}

unsigned pl_mp_reoffer_wait_ms(unsigned sessions, int64_t last_offer_us, int64_t now_us)
{
	int64_t gap_ms = (int64_t)PL_MP_REOFFER_MS *
	                 (1 + (sessions > 0 ? (sessions - 1) / PL_MP_REOFFER_PER : 0));
	if (gap_ms > PL_MP_REOFFER_MAX_MS)
		gap_ms = PL_MP_REOFFER_MAX_MS;
	int64_t wait_us = last_offer_us + gap_ms * 1000 - now_us;
	return wait_us > 0 ? (unsigned)((wait_us + 999) / 1000) : 0;
}

/* The subscribe message. Its SDP (about 450 bytes per m-line, every track in the room) is written
 * into the JSON text directly: jansson's string copy and per-character escaping were a fifth of
 * the control thread's time in join storms. Any byte the fast writer does not take (above 0x7f)
 * sends the message through jansson instead. */
static void send_offer(struct pl_media_plane *p, struct mp_session *ms, const char *sdp)
{
	json_t *tracks = tracks_json(ms);
	char *tracks_text = json_dumps(tracks, JSON_COMPACT);
	size_t sdp_len = strlen(sdp);
	GString *g =
	    g_string_sized_new(2 * sdp_len + (tracks_text ? strlen(tracks_text) : 0) + 128);
	g_string_append_printf(g, "{\"type\":\"subscribe\",\"revision\":%u,\"sdp\":", ms->revision);
	gsize at = g->len;
	g_string_set_size(g, at + 2 * sdp_len + 2);
	size_t n = tracks_text ? pl_text_json_ascii_string(g->str + at, sdp, sdp_len) : 0;
	if (n) {
		g_string_truncate(g, at + n);
		g_string_append(g, ",\"tracks\":");
		g_string_append(g, tracks_text);
		if (ms->sub_restart)
			g_string_append(g, ",\"restart\":true");
		g_string_append_c(g, '}');
		pl_signal_send_text(p->sig, ms->s, g->str, g->len);
		json_decref(tracks);
	} else {
		json_t *m = json_pack("{s:s, s:i, s:s, s:o}", "type", "subscribe", "revision",
		                      (json_int_t)ms->revision, "sdp", sdp, "tracks", tracks);
		if (ms->sub_restart)
			json_object_set_new(m, "restart", json_true());
		pl_signal_send_json(p->sig, ms->s, m);
	}
	free(tracks_text);
	g_string_free(g, TRUE);
}

static gboolean reoffer_due(gpointer data)
{
	struct mp_session *ms = data;
	ms->reoffer = 0;
	ms->reoffer_now = true;
	pl_mp_subscribe_update(ms->plane, ms);
	ms->reoffer_now = false;
	return G_SOURCE_REMOVE;
}

void pl_mp_subscribe_update(struct pl_media_plane *p, struct mp_session *ms)
{
	if (ms->awaiting_answer) {
		ms->dirty = true;
		return;
	}
	if (ms->revision > 0 && !ms->reoffer_now) {
		if (ms->reoffer)
			return; /* already due */
		unsigned wait_ms = pl_mp_reoffer_wait_ms(ms->room->sessions->len, ms->last_offer_us,
		                                         g_get_monotonic_time());
		if (wait_ms > 0) {
			ms->reoffer = g_timeout_add(wait_ms, reoffer_due, ms);
			return;
		}
	}
	if (!sync_lines(p, ms) && ms->revision > 0)
		return;
	if (ms->lines->len == 0)
		return;
	if (!ms->sub_tid) {
		ms->sub_tid = pl_mp_create_transport(p, ms, false, ms->sub_ufrag, ms->sub_pwd);
		struct pl_wcmd *c = pl_wcmd_new(PL_WCMD_TRANSPORT_CREATE, 0, ms->sub_tid);
		g_strlcpy(c->local_ufrag, ms->sub_ufrag, sizeof c->local_ufrag);
		g_strlcpy(c->local_pwd, ms->sub_pwd, sizeof c->local_pwd);
		pl_mp_post(p, ms->room, c);
	}
	add_consumers(p, ms);

	size_t n = ms->lines->len;
	struct pl_sdp_sub_track *ot = pl_xcalloc(n, sizeof *ot);
	for (size_t i = 0; i < n; i++) {
		struct mp_line *l = &g_array_index(ms->lines, struct mp_line, i);
		struct pl_sdp_sub_track *x = &ot[i];
		g_strlcpy(x->mid, l->mid, sizeof x->mid);
		x->kind = l->kind == PL_MEDIA_AUDIO ? PL_KIND_AUDIO : PL_KIND_VIDEO;
		x->active = l->producer != 0;
		x->codec.pt = l->codec.pt;
		g_strlcpy(x->codec.name, l->codec.name, sizeof x->codec.name);
		x->codec.clock_rate = l->codec.clock_rate;
		x->codec.channels = l->codec.channels;
		g_strlcpy(x->codec.fmtp, l->codec.fmtp, sizeof x->codec.fmtp);
		x->ssrc = l->ssrc;
		g_strlcpy(x->stream, l->participant, sizeof x->stream);
		g_strlcpy(x->track, l->track_id, sizeof x->track);
	}
	char *sdp = NULL;
	struct pl_sdp_local local = {.ufrag = ms->sub_ufrag,
	                             .pwd = ms->sub_pwd,
	                             .fingerprint = pl_cert_fingerprint(p->cert),
	                             .session_id = ms->sub_tid,
	                             .version = ms->revision + 1,
	                             .candidates = pl_mp_candidates(p, ms->room)};
	pl_sdp_offer_subscribe(&local, ot, n, &sdp);
	free(ot);
	ms->revision++;
	ms->awaiting_answer = true;
	ms->last_offer_us = g_get_monotonic_time();
	send_offer(p, ms, sdp);
	ms->sub_restart = false;
	free(sdp);
}

void pl_mp_subscribe_answer(struct pl_media_plane *p, struct mp_session *ms, json_t *msg)
{
	json_t *id = json_object_get(msg, "id");
	json_int_t rev = json_integer_value(json_object_get(msg, "revision"));
	const char *text = json_string_value(json_object_get(msg, "sdp"));
	if (!ms->awaiting_answer || rev != (json_int_t)ms->revision || !text) {
		pl_signal_send_error(
		    p->sig, ms->s, id, "invalid-state",
		    "no subscribe offer with this revision is waiting for an answer");
		return;
	}
	struct pl_sdp *ans = pl_sdp_new();
	char err[256] = "";
	if (pl_sdp_parse(text, strlen(text), ans, err, sizeof err) != 0) {
		pl_signal_send_error(p->sig, ms->s, id, "invalid-sdp", err);
		goto out;
	}
	if (pl_sdp_check_subscribe_answer(ans, ms->lines->len, err, sizeof err) != 0) {
		pl_signal_send_error(p->sig, ms->s, id, "unsupported-sdp", err);
		goto out;
	}
	if (!ms->sub_remote_set) {
		size_t first = 0;
		while (first + 1 < ans->n_media && ans->media[first].port == 0)
			first++;
		struct pl_wcmd *c = pl_wcmd_new(PL_WCMD_TRANSPORT_REMOTE, 0, ms->sub_tid);
		g_strlcpy(c->remote_ufrag, pl_sdp_ufrag(ans, first), sizeof c->remote_ufrag);
		g_strlcpy(c->remote_pwd, pl_sdp_pwd(ans, first), sizeof c->remote_pwd);
		memcpy(c->remote_fp, pl_sdp_fingerprint(ans, first), sizeof c->remote_fp);
		c->has_remote = true;
		/* We offered actpass: a browser answering active makes us the DTLS server. */
		c->dtls_client = pl_sdp_setup_of(ans, first) == PL_SETUP_PASSIVE;
		pl_mp_post(p, ms->room, c);
		ms->sub_remote_set = true;
	}
	ms->awaiting_answer = false;
	if (ms->dirty) {
		ms->dirty = false;
		pl_mp_subscribe_update(p, ms);
	}
out:
	pl_sdp_free(ans);
}

void pl_mp_candidate(struct pl_media_plane *p, struct mp_session *ms, json_t *msg)
{
	const char *pc = json_string_value(json_object_get(msg, "pc"));
	uint64_t tid = 0;
	if (pc && strcmp(pc, "publish") == 0)
		tid = ms->pub_tid;
	else if (pc && strcmp(pc, "subscribe") == 0)
		tid = ms->sub_tid;
	else {
		pl_signal_send_error(p->sig, ms->s, json_object_get(msg, "id"), "invalid-message",
		                     "candidate needs pc \"publish\" or \"subscribe\"");
		return;
	}
	if (!tid) {
		pl_signal_send_error(p->sig, ms->s, json_object_get(msg, "id"), "invalid-state",
		                     "no such PeerConnection yet");
		return;
	}
	const char *cand = json_string_value(json_object_get(msg, "candidate"));
	bool end = json_is_true(json_object_get(msg, "end")) || (cand && !*cand);
	if (!end && (!cand || strlen(cand) > 512)) {
		pl_signal_send_error(
		    p->sig, ms->s, json_object_get(msg, "id"), "invalid-message",
		    "candidate must be a string of at most 512 bytes, or end: true");
		return;
	}
	/* Accepted and not needed: the server's ICE is lite (server/ice.h), so the browser's
	 * checks bring its addresses. */
}

void pl_mp_transport_failed(struct pl_media_plane *p, struct mp_session *ms, bool publish)
{
	struct pl_wcmd *c = pl_wcmd_new(PL_WCMD_TRANSPORT_DESTROY, 0, 0);
	if (publish) {
		/* The tracks are gone for everyone; the client may publish again on a new
		 * PeerConnection (the next publish creates a new transport). */
		c->transport = ms->pub_tid;
		g_hash_table_remove(p->transports, &ms->pub_tid);
		ms->pub_tid = 0;
		pl_mp_drop_tracks(p, ms);
	} else {
		/* Everything is offered again on a new transport; the client must answer it with a
		 * new PeerConnection ("restart": true in the next subscribe message). */
		c->transport = ms->sub_tid;
		g_hash_table_remove(p->transports, &ms->sub_tid);
		ms->sub_tid = 0;
		g_array_set_size(ms->lines, 0);
		ms->next_mid = 0;
		ms->awaiting_answer = false;
		ms->dirty = false;
		ms->sub_remote_set = false;
		ms->sub_restart = true;
	}
	pl_mp_post(p, ms->room, c);
	json_t *m = json_pack("{s:s, s:s, s:s, s:s}", "type", "error", "code", "media-failed", "pc",
	                      publish ? "publish" : "subscribe", "message",
	                      publish ? "the sending connection failed; publish again on a new "
	                                "connection"
	                              : "the receiving connection failed; a new subscribe offer "
	                                "follows");
	pl_signal_send_json(p->sig, ms->s, m);
	if (!publish)
		pl_mp_subscribe_update(p, ms);
}
