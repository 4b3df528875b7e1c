/* Publisher side: the browser offers its sending PeerConnection, the server answers, and every
 * accepted m-line becomes a producer on the room's worker and a track the others subscribe to. */
#include <string.h>

#include "media/alloc.h"
#include "media/cert.h"
#include "media/sdp.h"
#include "media/sdp_negotiate.h"
#include "server/media_int.h"
#include "server/worker.h"
#include "signaling/signal.h"

static const char *const sources[] = {"microphone", "camera", "screen", "screen-audio"};

static const char *label_for(json_t *labels, const char *mid, enum pl_media_kind kind)
{
	size_t i;
	json_t *l;
	json_array_foreach(labels, i, l)
	{
		const char *m = json_string_value(json_object_get(l, "mid"));
		const char *src = json_string_value(json_object_get(l, "source"));
		if (m && src && strcmp(m, mid) == 0)
			for (size_t k = 0; k < G_N_ELEMENTS(sources); k++)
				if (strcmp(src, sources[k]) == 0)
					return sources[k];
	}
	return kind == PL_MEDIA_AUDIO ? "microphone" : "camera";
}

static bool line_sending(const struct pl_sdp_publish *neg, const char *mid)
{
	for (size_t i = 0; i < neg->n; i++)
		if (neg->lines[i].accepted && strcmp(neg->lines[i].mid, mid) == 0)
			return true;
	return false;
}

static size_t first_accepted(const struct pl_sdp_publish *neg)
{
	for (size_t i = 0; i < neg->n; i++)
		if (neg->lines[i].accepted)
			return i;
	return 0;
}

/* The router's view of an accepted m-line: the publisher's payload types map to the canonical
 * ones of the subscribe offers; RTX is received but not forwarded. */
static void producer_from_line(const struct pl_sdp_pub_line *l, uint64_t tid,
                               struct pl_producer_desc *d, struct mp_codec *codec)
{
	memset(d, 0, sizeof *d);
	memset(codec, 0, sizeof *codec);
	d->transport = tid;
	g_strlcpy(d->mid, l->mid, sizeof d->mid);
	d->kind = l->kind == PL_KIND_AUDIO ? PL_MEDIA_AUDIO : PL_MEDIA_VIDEO;
	d->ssrc = l->ssrc;
	d->rtx_ssrc = l->rtx_ssrc;
	d->clock_rate = l->codec.clock_rate;
	d->twcc_ext_id = l->ext_twcc;
	d->mid_ext_id = l->ext_mid;
	uint8_t canonical = pl_sdp_canonical_pt(l->codec.name);
	d->video_codec = g_ascii_strcasecmp(l->codec.name, "VP9") == 0    ? PL_VCODEC_VP9
	                 : g_ascii_strcasecmp(l->codec.name, "H264") == 0 ? PL_VCODEC_H264
	                                                                  : PL_VCODEC_VP8;
	d->pt_map[l->codec.pt & 0x7F] = canonical;
	if (l->rtx_pt >= 0)
		d->rtx_pt_map[l->rtx_pt & 0x7F] = l->codec.pt;
	g_strlcpy(codec->name, l->codec.name, sizeof codec->name);
	codec->clock_rate = l->codec.clock_rate;
	codec->channels = l->codec.channels;
	codec->pt = canonical;
	g_strlcpy(codec->fmtp, l->codec.fmtp, sizeof codec->fmtp);
}

static struct mp_track *track_by_mid(struct mp_session *ms, const char *mid)
{
	for (guint i = 0; i < ms->tracks->len; i++) {
		struct mp_track *t = g_ptr_array_index(ms->tracks, i);
		if (strcmp(t->mid, mid) == 0)
			return t;
	}
	return NULL;
}

static void update_tracks_json(struct mp_session *ms)
{
	json_t *a = pl_session_tracks(ms->s);
	json_array_clear(a);
	for (guint i = 0; i < ms->tracks->len; i++) {
		struct mp_track *t = g_ptr_array_index(ms->tracks, i);
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:b}", "id", t->id, "kind",
		                                   t->kind == PL_MEDIA_AUDIO ? "audio" : "video",
		                                   "source", t->source, "muted", t->muted));
	}
}

static void remove_track(struct pl_media_plane *p, struct mp_session *ms, guint i)
{
	struct mp_track *t = g_ptr_array_index(ms->tracks, i);
	struct pl_wcmd *c = pl_wcmd_new(PL_WCMD_PRODUCER_REMOVE, 0, ms->pub_tid);
	c->id = t->producer;
	pl_mp_post(p, ms->room, c);
	g_ptr_array_remove_index(ms->tracks, i);
	free(t);
}

void pl_mp_publish(struct pl_media_plane *p, struct mp_session *ms, json_t *msg)
{
	json_t *id = json_object_get(msg, "id");
	const char *text = json_string_value(json_object_get(msg, "sdp"));
	json_t *labels = json_object_get(msg, "tracks");
	if (!text) {
		pl_signal_send_error(p->sig, ms->s, id, "invalid-message", "publish needs sdp");
		return;
	}
	struct pl_sdp *offer = pl_sdp_new();
	struct pl_sdp_publish *neg = pl_xcalloc(1, sizeof *neg);
	char *answer = NULL;
	char err[256] = "";
	if (pl_sdp_parse(text, strlen(text), offer, err, sizeof err) != 0) {
		pl_signal_send_error(p->sig, ms->s, id, "invalid-sdp", err);
		goto out;
	}
	bool first = ms->pub_tid == 0;
	char ufrag[16], pwd[32];
	if (first) {
		/* Credentials are chosen before the transport exists so the answer can carry them.
		 */
		ms->pub_tid = pl_mp_create_transport(p, ms, true, ufrag, pwd);
		g_strlcpy(ms->pub_ufrag, ufrag, sizeof ms->pub_ufrag);
		g_strlcpy(ms->pub_pwd, pwd, sizeof ms->pub_pwd);
	}
	struct pl_sdp_local local = {.ufrag = ms->pub_ufrag,
	                             .pwd = ms->pub_pwd,
	                             .fingerprint = pl_cert_fingerprint(p->cert),
	                             .session_id = ms->pub_tid,
	                             .version = ++ms->pub_version,
	                             .video_codecs = p->video_codecs,
	                             .candidates = pl_mp_candidates(p, ms->room)};
	if (pl_sdp_answer_publish(offer, &local, neg, &answer, err, sizeof err) != 0) {
		pl_signal_send_error(p->sig, ms->s, id, "unsupported-sdp", err);
		if (first) {
			g_hash_table_remove(p->transports, &ms->pub_tid);
			ms->pub_tid = 0;
		}
		goto out;
	}
	if (first) {
		struct pl_wcmd *c = pl_wcmd_new(PL_WCMD_TRANSPORT_CREATE, 0, ms->pub_tid);
		c->dtls_client = true; /* we answer a=setup:active */
		g_strlcpy(c->local_ufrag, ms->pub_ufrag, sizeof c->local_ufrag);
		g_strlcpy(c->local_pwd, ms->pub_pwd, sizeof c->local_pwd);
		size_t fi = first_accepted(neg);
		g_strlcpy(c->remote_ufrag, pl_sdp_ufrag(offer, fi), sizeof c->remote_ufrag);
		g_strlcpy(c->remote_pwd, pl_sdp_pwd(offer, fi), sizeof c->remote_pwd);
		memcpy(c->remote_fp, pl_sdp_fingerprint(offer, fi), sizeof c->remote_fp);
		c->has_remote = true;
		pl_mp_post(p, ms->room, c);
	}

	/* Producers: one per accepted sending m-line; m-lines that stopped sending are removed. */
	bool changed = false;
	for (guint i = 0; i < ms->tracks->len;) {
		struct mp_track *t = g_ptr_array_index(ms->tracks, i);
		if (!line_sending(neg, t->mid)) {
			remove_track(p, ms, i);
			changed = true;
		} else {
			i++;
		}
	}
	for (size_t i = 0; i < neg->n; i++) {
		struct pl_producer_desc d;
		struct mp_codec codec;
		const struct pl_sdp_pub_line *l = &neg->lines[i];
		if (!l->accepted)
			continue;
		const char *mid = l->mid;
		producer_from_line(l, ms->pub_tid, &d, &codec);
		struct mp_track *t = track_by_mid(ms, mid);
		if (!t) {
			if (ms->tracks->len >= PL_MP_MAX_TRACKS)
				continue;
			t = pl_xcalloc(1, sizeof *t);
			t->producer = ++p->next_id;
			snprintf(t->id, sizeof t->id, "t%llu", (unsigned long long)t->producer);
			g_strlcpy(t->mid, mid, sizeof t->mid);
			t->kind = d.kind;
			g_ptr_array_add(ms->tracks, t);
			changed = true;
		}
		g_strlcpy(t->source, label_for(labels, mid, d.kind), sizeof t->source);
		t->codec = codec;
		d.id = t->producer;
		struct pl_wcmd *c = pl_wcmd_new(PL_WCMD_PRODUCER_SET, 0, ms->pub_tid);
		c->producer = d;
		pl_mp_post(p, ms->room, c);
	}
	json_t *reply = json_pack("{s:s, s:s}", "type", "publish-answer", "sdp", answer);
	if (id)
		json_object_set(reply, "id", id);
	pl_signal_send_json(p->sig, ms->s, reply);
	update_tracks_json(ms);
	if (changed) {
		pl_signal_participant_updated(p->sig, ms->s);
		for (guint i = 0; i < ms->room->sessions->len; i++) {
			struct mp_session *o = g_ptr_array_index(ms->room->sessions, i);
			if (o != ms)
				pl_mp_subscribe_update(p, o);
		}
	}
out:
	free(answer);
	free(neg);
	pl_sdp_free(offer);
}

void pl_mp_mute(struct pl_media_plane *p, struct mp_session *ms, json_t *msg)
{
	json_t *id = json_object_get(msg, "id");
	const char *mid = json_string_value(json_object_get(msg, "mid"));
	json_t *muted = json_object_get(msg, "muted");
	struct mp_track *t = mid ? track_by_mid(ms, mid) : NULL;
	if (!t || !json_is_boolean(muted)) {
		pl_signal_send_error(p->sig, ms->s, id, t ? "invalid-message" : "invalid-state",
		                     t ? "mute needs muted: true or false"
		                       : "no published track with this mid");
		return;
	}
	t->muted = json_is_true(muted);
	update_tracks_json(ms);
	/* Keep the subscribers' line state in step so later offers carry it. */
	for (guint i = 0; i < ms->room->sessions->len; i++) {
		struct mp_session *o = g_ptr_array_index(ms->room->sessions, i);
		for (guint j = 0; o != ms && j < o->lines->len; j++) {
			struct mp_line *l = &g_array_index(o->lines, struct mp_line, j);
			if (l->producer == t->producer)
				l->muted = t->muted;
		}
	}
	json_t *m = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:b}}", "type", "track-updated",
	                      "participant", pl_session_participant_id(ms->s), "track", "id", t->id,
	                      "kind", t->kind == PL_MEDIA_AUDIO ? "audio" : "video", "source",
	                      t->source, "muted", t->muted);
	pl_signal_broadcast(p->sig, ms->s, m, true);
}

void pl_mp_drop_tracks(struct pl_media_plane *p, struct mp_session *ms)
{
	if (ms->tracks->len == 0)
		return;
	for (guint i = 0; i < ms->tracks->len; i++)
		free(g_ptr_array_index(ms->tracks, i));
	g_ptr_array_set_size(ms->tracks, 0);
	update_tracks_json(ms);
	pl_signal_participant_updated(p->sig, ms->s);
	for (guint i = 0; i < ms->room->sessions->len; i++) {
		struct mp_session *o = g_ptr_array_index(ms->room->sessions, i);
		if (o != ms)
			pl_mp_subscribe_update(p, o);
	}
}
