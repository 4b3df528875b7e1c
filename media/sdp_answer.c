/* Publish answer; see sdp_answer.h. JSEP (RFC 8829 §5.3) rules a browser relies on: the answer
 * has the offer's m-lines in order with their mids, rejected m-lines get port 0, accepted ones
 * are in the answer's BUNDLE group (RFC 8843 §7.3), extension ids are the offerer's. */
#include "media/sdp_answer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media/alloc.h"
#include "media/error.h"
#include "media/sdp_write.h"

__attribute__((format(printf, 4, 5))) static int reason(char *err, size_t errlen, int rc,
                                                        const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

int pl_sdp_identity_check(const struct pl_sdp_identity *id, uint8_t *fp, char *err, size_t errlen)
{
	if (!id->ice_ufrag || !pl_sdp_ice_chars_ok(id->ice_ufrag, 4))
		return reason(err, errlen, PL_EINVAL, "server ice-ufrag must be 4-256 ice-chars");
	if (!id->ice_pwd || !pl_sdp_ice_chars_ok(id->ice_pwd, 22))
		return reason(err, errlen, PL_EINVAL, "server ice-pwd must be 22-256 ice-chars");
	char alg[16];
	uint8_t bytes[PL_SDP_FP_MAX];
	size_t len;
	if (!id->fingerprint || pl_sdp_fingerprint_parse(id->fingerprint, alg, bytes, &len) != 0 ||
	    strcmp(alg, "sha-256") != 0)
		return reason(err, errlen, PL_EINVAL,
		              "server fingerprint must be \"sha-256 XX:XX:...\" (32 bytes)");
	if (fp)
		memcpy(fp, bytes, PL_SDP_FP_LEN);
	return 0;
}

/* Extensions the SFU reads or rewrites (RFC 8285 URIs); audio-level only on audio. */
static bool ext_wanted(const char *uri, enum pl_sdp_kind kind, uint8_t **slot,
                       struct pl_sdp_neg_line *l)
{
	*slot = NULL;
	if (strcmp(uri, PL_EXT_URI_MID) == 0)
		*slot = &l->ext_mid;
	else if (strcmp(uri, PL_EXT_URI_RID) == 0)
		*slot = &l->ext_rid;
	else if (strcmp(uri, PL_EXT_URI_RRID) == 0)
		*slot = &l->ext_rrid;
	else if (strcmp(uri, PL_EXT_URI_ABS_SEND) == 0)
		*slot = &l->ext_abs_send_time;
	else if (strcmp(uri, PL_EXT_URI_TWCC) == 0)
		*slot = &l->ext_twcc;
	else if (strcmp(uri, PL_EXT_URI_AUDIO_LEVEL) == 0 && kind == PL_KIND_AUDIO)
		*slot = &l->ext_audio_level;
	return *slot != NULL;
}

static const struct pl_sdp_codec *offered(const struct pl_sdp_media *m, uint8_t pt)
{
	for (size_t i = 0; i < m->n_codecs; i++)
		if (m->codecs[i].pt == pt && m->codecs[i].name[0])
			return &m->codecs[i];
	return NULL;
}

static int rtx_for(const struct pl_sdp_media *m, uint8_t pt)
{
	for (size_t i = 0; i < m->n_fmts; i++) {
		const struct pl_sdp_codec *c = offered(m, m->fmts[i]);
		if (c && pl_codec_from_name(c->name) == PL_CODEC_RTX && c->apt == pt &&
		    c->clock_rate == 90000)
			return c->pt;
	}
	return -1;
}

static void add_codec(struct pl_sdp_neg_line *l, const struct pl_sdp_media *m,
                      const struct pl_sdp_codec *c)
{
	struct pl_sdp_neg_codec *n = &l->codecs[l->n_codecs++];
	n->codec = *c;
	n->codec.fb &= PL_FB_NACK | PL_FB_PLI | PL_FB_FIR | PL_FB_TWCC | PL_FB_REMB;
	n->id = pl_codec_from_name(c->name);
	n->rtx_pt = m->kind == PL_KIND_VIDEO ? rtx_for(m, c->pt) : -1;
}

/* Picks the codecs in server preference order (video) or offer order (Opus), offer order among
 * equals (the offerer's preference, RFC 3264 §6.1). */
static void pick_codecs(const struct pl_sdp_media *m, const struct pl_codec_prefs *prefs,
                        unsigned max, struct pl_sdp_neg_line *l)
{
	static const enum pl_codec_id opus = PL_CODEC_OPUS;
	const enum pl_codec_id *want = m->kind == PL_KIND_AUDIO ? &opus : prefs->video;
	size_t n_want = m->kind == PL_KIND_AUDIO ? 1 : prefs->n_video;
	for (size_t k = 0; k < n_want; k++)
		for (size_t i = 0; i < m->n_fmts && l->n_codecs < max; i++) {
			const struct pl_sdp_codec *c = offered(m, m->fmts[i]);
			if (c && pl_codec_from_name(c->name) == want[k] && pl_codec_acceptable(c))
				add_codec(l, m, c);
		}
}

static void add_ssrc(struct pl_sdp_neg_line *l, uint32_t ssrc, uint32_t rtx)
{
	for (size_t i = 0; i < l->n_ssrcs; i++)
		if (l->ssrcs[i].primary == ssrc || l->ssrcs[i].rtx == ssrc)
			return;
	if (l->n_ssrcs < PL_SDP_MAX_SSRCS) {
		l->ssrcs[l->n_ssrcs].primary = ssrc;
		l->ssrcs[l->n_ssrcs++].rtx = rtx;
	}
}

static void negotiate(const struct pl_sdp *offer, size_t i, const struct pl_codec_prefs *prefs,
                      unsigned max, struct pl_sdp_neg_line *l)
{
	const struct pl_sdp_media *m = &offer->media[i];
	memset(l, 0, sizeof *l);
	memcpy(l->mid, m->mid, sizeof l->mid);
	l->kind = m->kind;
	l->dir = PL_DIR_INACTIVE;
	const char *why = NULL;
	if (m->kind == PL_KIND_OTHER)
		why = "not an audio or video m-line";
	else if (m->port == 0 && !m->bundle_only)
		why = "port 0 (rejected by the offerer)";
	else if (!m->mid[0])
		why = "no a=mid";
	else if (!pl_sdp_in_bundle(offer, m->mid))
		why = "not in the BUNDLE group";
	else if (strcmp(m->proto, "UDP/TLS/RTP/SAVPF") != 0)
		why = "protocol is not UDP/TLS/RTP/SAVPF";
	if (!why) {
		pick_codecs(m, prefs, max, l);
		if (!l->n_codecs)
			why = m->kind == PL_KIND_AUDIO ? "no Opus/48000/2"
			                               : "no video codec the server accepts";
	}
	if (why) {
		l->n_codecs = 0;
		snprintf(l->reason, sizeof l->reason, "%s", why);
		return;
	}
	l->accepted = true;
	/* The server never sends on a publish PeerConnection. */
	l->dir = m->dir == PL_DIR_SENDONLY || m->dir == PL_DIR_SENDRECV ? PL_DIR_RECVONLY
	                                                                : PL_DIR_INACTIVE;
	for (size_t e = 0; e < m->n_exts; e++) {
		uint8_t *slot;
		const struct pl_sdp_ext *x = &m->exts[e];
		if (x->dir == PL_DIR_RECVONLY || x->dir == PL_DIR_INACTIVE ||
		    !ext_wanted(x->uri, m->kind, &slot, l) || *slot)
			continue;
		*slot = x->id;
		l->exts[l->n_exts++] = *x;
	}
	for (size_t f = 0; f < m->n_fids; f++)
		add_ssrc(l, m->fids[f].primary, m->fids[f].rtx);
	for (size_t s = 0; s < m->n_ssrcs; s++)
		add_ssrc(l, m->ssrcs[s], 0);
	const struct pl_sdp_ssrc *a = l->n_ssrcs ? pl_sdp_ssrc_find(m, l->ssrcs[0].primary) : NULL;
	if (a)
		memcpy(l->cname, a->cname, sizeof l->cname);
	memcpy(l->msid_stream, m->msid_stream, sizeof l->msid_stream);
	memcpy(l->msid_track, m->msid_track, sizeof l->msid_track);
	if (!l->msid_stream[0] && a) {
		memcpy(l->msid_stream, a->msid_stream, sizeof l->msid_stream);
		memcpy(l->msid_track, a->msid_track, sizeof l->msid_track);
	}
	memcpy(l->rids, m->rids, sizeof l->rids);
	l->n_rids = m->n_rids;
}

/* The answer's m-line for negotiated line l. */
static void answer_media(const struct pl_sdp_media *m, const struct pl_sdp_neg_line *l,
                         const struct pl_sdp_identity *id, const uint8_t *fp,
                         struct pl_sdp_media *am)
{
	memcpy(am->media_type, m->media_type, sizeof am->media_type);
	memcpy(am->proto, m->proto, sizeof am->proto);
	memcpy(am->mid, m->mid, sizeof am->mid);
	am->kind = m->kind;
	am->dir = l->dir;
	if (!l->accepted) {
		am->port = 0;
		memcpy(am->first_fmt, m->first_fmt, sizeof am->first_fmt);
		return;
	}
	am->port = 9; /* RFC 8840 §4.1.1 / JSEP: the discard port, candidates are trickled */
	snprintf(am->ice_ufrag, sizeof am->ice_ufrag, "%s", id->ice_ufrag);
	snprintf(am->ice_pwd, sizeof am->ice_pwd, "%s", id->ice_pwd);
	am->ice_trickle = true;
	snprintf(am->fingerprint_alg, sizeof am->fingerprint_alg, "sha-256");
	memcpy(am->fingerprint, fp, PL_SDP_FP_LEN);
	am->fingerprint_len = PL_SDP_FP_LEN;
	am->has_fingerprint = true;
	am->setup = PL_SETUP_ACTIVE;
	am->rtcp_mux = true;
	am->extmap_allow_mixed = m->extmap_allow_mixed;
	for (size_t e = 0; e < l->n_exts; e++) {
		am->exts[e] = l->exts[e];
		am->exts[e].dir =
		    l->exts[e].dir == PL_DIR_SENDONLY ? PL_DIR_RECVONLY : PL_DIR_SENDRECV;
	}
	am->n_exts = l->n_exts;
	for (size_t c = 0; c < l->n_codecs; c++) {
		const struct pl_sdp_neg_codec *nc = &l->codecs[c];
		am->codecs[am->n_codecs++] = nc->codec;
		am->fmts[am->n_fmts++] = nc->codec.pt;
		if (nc->rtx_pt >= 0) {
			struct pl_sdp_codec *r = &am->codecs[am->n_codecs++];
			memset(r, 0, sizeof *r);
			r->pt = (uint8_t)nc->rtx_pt;
			snprintf(r->name, sizeof r->name, "rtx");
			r->clock_rate = 90000;
			r->apt = nc->codec.pt;
			snprintf(r->fmtp, sizeof r->fmtp, "apt=%u", nc->codec.pt);
			am->fmts[am->n_fmts++] = r->pt;
		}
	}
}

int pl_sdp_answer_create(const struct pl_sdp *offer, const struct pl_sdp_identity *id,
                         const struct pl_sdp_answer_opts *opts, struct pl_sdp_negotiated *neg,
                         char **answer_text, char *err, size_t errlen)
{
	*answer_text = NULL;
	memset(neg, 0, sizeof *neg);
	uint8_t fp[PL_SDP_FP_LEN];
	int rc = pl_sdp_identity_check(id, fp, err, errlen);
	if (rc)
		return rc;
	struct pl_codec_prefs def;
	pl_codec_prefs_default(&def);
	const struct pl_codec_prefs *prefs = opts && opts->prefs ? opts->prefs : &def;
	unsigned max = opts && opts->max_codecs ? opts->max_codecs : 1;
	if (max > PL_SDP_NEG_MAX_CODECS)
		max = PL_SDP_NEG_MAX_CODECS;

	if (offer->n_media == 0)
		return reason(err, errlen, PL_EUNSUPPORTED, "the offer has no m-lines");
	if (!offer->has_bundle || offer->n_bundle == 0)
		return reason(err, errlen, PL_EUNSUPPORTED,
		              "BUNDLE is required (a=group:BUNDLE missing)");
	neg->n = offer->n_media;
	size_t first = SIZE_MAX, tag = SIZE_MAX;
	for (size_t i = 0; i < offer->n_media; i++) {
		negotiate(offer, i, prefs, max, &neg->lines[i]);
		const struct pl_sdp_neg_line *l = &neg->lines[i];
		if (!l->accepted)
			continue;
		if (!offer->media[i].rtcp_mux)
			return reason(
			    err, errlen, PL_EUNSUPPORTED,
			    "rtcp-mux is required (m-line %zu, mid %s, has no a=rtcp-mux)", i,
			    l->mid);
		neg->n_accepted++;
		if (first == SIZE_MAX)
			first = i;
		if (strcmp(l->mid, offer->bundle[0]) == 0)
			tag = i;
	}
	if (!neg->n_accepted)
		return reason(err, errlen, PL_EUNSUPPORTED,
		              "no m-line with a codec Plenum forwards (m-line 0: %s)",
		              neg->lines[0].reason);
	/* RFC 8843 §7.3.1: the transport is the offerer BUNDLE tag's m-line's. */
	size_t t = tag != SIZE_MAX ? tag : first;
	char why[160];
	if (pl_sdp_transport_of(offer, t, &neg->remote, why, sizeof why) != 0)
		return reason(err, errlen, PL_EUNSUPPORTED, "%s", why);
	if (neg->remote.setup != PL_SETUP_ACTPASS && neg->remote.setup != PL_SETUP_PASSIVE)
		return reason(err, errlen, PL_EUNSUPPORTED,
		              "the offer's a=setup must be actpass (RFC 8842 §5.2): the server is "
		              "the DTLS client");

	struct pl_sdp *a = pl_sdp_new();
	a->sess_id = id->session_id;
	a->sess_version = id->session_version;
	a->has_bundle = true;
	a->extmap_allow_mixed = offer->extmap_allow_mixed;
	pl_sdp_reserve_media(a, offer->n_media); /* offer->n_media <= PL_SDP_MAX_MEDIA */
	for (size_t i = 0; i < offer->n_media; i++) {
		const struct pl_sdp_neg_line *l = &neg->lines[i];
		answer_media(&offer->media[i], l, id, fp, &a->media[i]);
		if (l->accepted)
			memcpy(a->bundle[a->n_bundle++], l->mid, PL_SDP_MID_LEN);
	}
	a->n_media = offer->n_media;
	rc = pl_sdp_write(a, answer_text, err, errlen);
	pl_sdp_free(a);
	return rc;
}
