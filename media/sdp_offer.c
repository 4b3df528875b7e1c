/* Subscriber offer and answer check; see sdp_offer.h. Built as a struct pl_sdp and written by
 * sdp_write.c, so the offer and the parser agree on the format. */
#include "media/sdp_offer.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "media/alloc.h"
#include "media/codec.h"
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

static bool token_ok(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	if (n == 0 || n == cap)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return false;
	return true;
}

static int check_track(const struct pl_sdp_offer_track *t, size_t i, char *err, size_t errlen)
{
	if (!token_ok(t->mid, sizeof t->mid))
		return reason(err, errlen, PL_EINVAL, "track %zu: mid must be 1-32 visible chars",
		              i);
	if (t->kind != PL_KIND_AUDIO && t->kind != PL_KIND_VIDEO)
		return reason(err, errlen, PL_EINVAL, "track %zu: kind must be audio or video", i);
	if (t->n_codecs == 0 || t->n_codecs > PL_SDP_OFFER_MAX_CODECS)
		return reason(err, errlen, PL_EINVAL, "track %zu: 1-%d codecs", i,
		              PL_SDP_OFFER_MAX_CODECS);
	for (size_t c = 0; c < t->n_codecs; c++) {
		const struct pl_sdp_offer_codec *k = &t->codecs[c];
		if (k->pt > 127 || k->rtx_pt > 127 || k->rtx_pt == k->pt || k->clock_rate == 0 ||
		    !token_ok(k->name, sizeof k->name) ||
		    memchr(k->fmtp, '\0', sizeof k->fmtp) == NULL)
			return reason(err, errlen, PL_EINVAL, "track %zu: bad codec %zu", i, c);
	}
	if (t->active && (!t->ssrc || !token_ok(t->cname, sizeof t->cname) ||
	                  !token_ok(t->stream_id, sizeof t->stream_id) ||
	                  !token_ok(t->track_id, sizeof t->track_id)))
		return reason(err, errlen, PL_EINVAL,
		              "track %zu: an active track needs ssrc, cname and msid ids", i);
	return 0;
}

static void add_ext(struct pl_sdp_media *m, uint8_t id, const char *uri)
{
	if (!id)
		return;
	struct pl_sdp_ext *e = &m->exts[m->n_exts++];
	e->id = id;
	e->dir = PL_DIR_SENDRECV;
	snprintf(e->uri, sizeof e->uri, "%s", uri);
}

static void build_media(const struct pl_sdp_identity *id, const uint8_t *fp,
                        const struct pl_sdp_offer_track *t, const struct pl_sdp_ext_ids *ext,
                        struct pl_sdp_media *m)
{
	bool video = t->kind == PL_KIND_VIDEO;
	snprintf(m->media_type, sizeof m->media_type, video ? "video" : "audio");
	snprintf(m->proto, sizeof m->proto, "UDP/TLS/RTP/SAVPF");
	memcpy(m->mid, t->mid, sizeof m->mid);
	m->kind = t->kind;
	m->port = 9;
	snprintf(m->ice_ufrag, sizeof m->ice_ufrag, "%s", id->ice_ufrag);
	snprintf(m->ice_pwd, sizeof m->ice_pwd, "%s", id->ice_pwd);
	m->ice_trickle = true;
	snprintf(m->fingerprint_alg, sizeof m->fingerprint_alg, "sha-256");
	memcpy(m->fingerprint, fp, PL_SDP_FP_LEN);
	m->fingerprint_len = PL_SDP_FP_LEN;
	m->has_fingerprint = true;
	m->setup = PL_SETUP_ACTPASS;
	m->rtcp_mux = true;
	m->dir = t->active ? PL_DIR_SENDONLY : PL_DIR_INACTIVE;
	if (ext) {
		add_ext(m, ext->mid, PL_EXT_URI_MID);
		add_ext(m, ext->abs_send_time, PL_EXT_URI_ABS_SEND);
		add_ext(m, ext->twcc, PL_EXT_URI_TWCC);
		if (!video)
			add_ext(m, ext->audio_level, PL_EXT_URI_AUDIO_LEVEL);
	}
	/* Subscribers ask the server for retransmissions and key frames; TWCC on both kinds. */
	unsigned fb = PL_FB_TWCC | (video ? PL_FB_NACK | PL_FB_PLI | PL_FB_FIR : 0);
	for (size_t c = 0; c < t->n_codecs; c++) {
		const struct pl_sdp_offer_codec *k = &t->codecs[c];
		struct pl_sdp_codec *x = &m->codecs[m->n_codecs++];
		x->pt = k->pt;
		snprintf(x->name, sizeof x->name, "%s", k->name);
		x->clock_rate = k->clock_rate;
		x->channels = k->channels;
		memcpy(x->fmtp, k->fmtp, sizeof x->fmtp);
		x->fb = t->active ? fb : 0;
		x->apt = -1;
		m->fmts[m->n_fmts++] = k->pt;
		if (video && k->rtx_pt >= 0) {
			struct pl_sdp_codec *r = &m->codecs[m->n_codecs++];
			r->pt = (uint8_t)k->rtx_pt;
			snprintf(r->name, sizeof r->name, "rtx");
			r->clock_rate = k->clock_rate;
			r->apt = k->pt;
			snprintf(r->fmtp, sizeof r->fmtp, "apt=%u", k->pt);
			m->fmts[m->n_fmts++] = r->pt;
		}
	}
	if (!t->active)
		return;
	memcpy(m->msid_stream, t->stream_id, sizeof m->msid_stream);
	memcpy(m->msid_track, t->track_id, sizeof m->msid_track);
	uint32_t ss[2] = {t->ssrc, video ? t->rtx_ssrc : 0};
	if (ss[1]) {
		m->fids[0].primary = ss[0];
		m->fids[0].rtx = ss[1];
		m->n_fids = 1;
	}
	for (size_t i = 0; i < 2 && ss[i]; i++) {
		struct pl_sdp_ssrc *a = &m->ssrc_attrs[m->n_ssrcs];
		m->ssrcs[m->n_ssrcs++] = ss[i];
		a->ssrc = ss[i];
		memcpy(a->cname, t->cname, sizeof a->cname);
		memcpy(a->msid_stream, t->stream_id, sizeof a->msid_stream);
		memcpy(a->msid_track, t->track_id, sizeof a->msid_track);
	}
}

int pl_sdp_offer_create(const struct pl_sdp_identity *id, const struct pl_sdp_offer_track *tracks,
                        size_t n, const struct pl_sdp_ext_ids *ext, char **offer_text, char *err,
                        size_t errlen)
{
	*offer_text = NULL;
	uint8_t fp[PL_SDP_FP_LEN];
	int rc = pl_sdp_identity_check(id, fp, err, errlen);
	if (rc)
		return rc;
	if (n > PL_SDP_MAX_MEDIA)
		return reason(err, errlen, PL_ELIMIT, "more than %d tracks", PL_SDP_MAX_MEDIA);
	if (ext) {
		const uint8_t ids[4] = {ext->mid, ext->abs_send_time, ext->twcc, ext->audio_level};
		for (size_t i = 0; i < 4; i++) {
			if (ids[i] > 14)
				return reason(err, errlen, PL_EINVAL, "extension ids must be 1-14");
			for (size_t j = 0; j < i; j++)
				if (ids[i] && ids[i] == ids[j])
					return reason(err, errlen, PL_EINVAL,
					              "extension id %u used twice", ids[i]);
		}
	}
	for (size_t i = 0; i < n; i++) {
		if ((rc = check_track(&tracks[i], i, err, errlen)))
			return rc;
		for (size_t j = 0; j < i; j++)
			if (strcmp(tracks[i].mid, tracks[j].mid) == 0)
				return reason(err, errlen, PL_EINVAL, "mid %s used twice",
				              tracks[i].mid);
	}
	struct pl_sdp *s = pl_sdp_new();
	s->sess_id = id->session_id;
	s->sess_version = id->session_version;
	s->has_bundle = n > 0;
	pl_sdp_reserve_media(s, n); /* n <= PL_SDP_MAX_MEDIA, checked above */
	for (size_t i = 0; i < n; i++) {
		build_media(id, fp, &tracks[i], ext, &s->media[i]);
		memcpy(s->bundle[s->n_bundle++], tracks[i].mid, PL_SDP_MID_LEN);
	}
	s->n_media = n;
	rc = pl_sdp_write(s, offer_text, err, errlen);
	pl_sdp_free(s);
	return rc;
}

int pl_sdp_offer_check_answer(const struct pl_sdp *a, const struct pl_sdp_offer_track *tracks,
                              size_t n, struct pl_sdp_transport *remote, char *err, size_t errlen)
{
	memset(remote, 0, sizeof *remote);
	if (a->n_media != n)
		return reason(err, errlen, PL_EPROTO, "the answer has %zu m-lines, the offer %zu",
		              a->n_media, n);
	if (n && (!a->has_bundle || !a->n_bundle))
		return reason(err, errlen, PL_EPROTO, "the answer has no BUNDLE group");
	for (size_t i = 0; i < n; i++) {
		const struct pl_sdp_media *m = &a->media[i];
		const struct pl_sdp_offer_track *t = &tracks[i];
		if (strcmp(m->mid, t->mid) != 0)
			return reason(err, errlen, PL_EPROTO, "m-line %zu: mid %s, offered %s", i,
			              m->mid[0] ? m->mid : "(none)", t->mid);
		if (m->kind != t->kind)
			return reason(err, errlen, PL_EPROTO, "m-line %zu: kind changed", i);
		if (m->port == 0) {
			if (t->active)
				return reason(err, errlen, PL_EPROTO,
				              "m-line %zu (mid %s) rejected by the browser", i,
				              t->mid);
			continue;
		}
		if (!pl_sdp_in_bundle(a, m->mid))
			return reason(err, errlen, PL_EPROTO, "m-line %zu not in the BUNDLE group",
			              i);
		if (!m->rtcp_mux)
			return reason(err, errlen, PL_EPROTO, "m-line %zu has no a=rtcp-mux", i);
		if (m->dir != PL_DIR_RECVONLY && m->dir != PL_DIR_INACTIVE)
			return reason(err, errlen, PL_EPROTO,
			              "m-line %zu: direction must be recvonly or inactive", i);
		bool known = false;
		for (size_t f = 0; f < m->n_fmts && !known; f++)
			for (size_t c = 0; c < t->n_codecs; c++)
				known |= m->fmts[f] == t->codecs[c].pt;
		if (!known)
			return reason(err, errlen, PL_EPROTO,
			              "m-line %zu: no payload type that was offered", i);
		struct pl_sdp_transport tr;
		char why[160];
		if (pl_sdp_transport_of(a, i, &tr, why, sizeof why) != 0)
			return reason(err, errlen, PL_EPROTO, "%s", why);
		if (tr.setup != PL_SETUP_ACTIVE && tr.setup != PL_SETUP_PASSIVE)
			return reason(err, errlen, PL_EPROTO,
			              "m-line %zu: a=setup must be active or passive", i);
		if (!remote->ice_ufrag[0])
			*remote = tr;
	}
	return 0;
}
