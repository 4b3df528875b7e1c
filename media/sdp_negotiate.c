/* Offer/answer writers; see sdp_negotiate.h. JSEP (RFC 8829) rules followed where a browser
 * relies on them: the answer echoes the offer's mids in order, extension ids are the offerer's
 * (RFC 8285 §6), rejected m-lines get port 0 and leave the BUNDLE group. */
#include "media/sdp_negotiate.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "media/alloc.h"
#include "media/error.h"

static int reason(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

static bool in_bundle(const struct pl_sdp *s, const char *mid)
{
	for (size_t i = 0; i < s->n_bundle; i++)
		if (strcmp(s->bundle[i], mid) == 0)
			return true;
	return false;
}

static const struct pl_sdp_codec *pick(const struct pl_sdp_media *m, const char *name,
                                       uint32_t clock)
{
	for (size_t i = 0; i < m->n_codecs; i++)
		if (g_ascii_strcasecmp(m->codecs[i].name, name) == 0 &&
		    m->codecs[i].clock_rate == clock)
			return &m->codecs[i];
	return NULL;
}

static bool fmtp_has(const char *fmtp, const char *kv)
{
	size_t n = strlen(kv);
	for (const char *p = fmtp; (p = strstr(p, kv)); p += n)
		if ((p == fmtp || p[-1] == ';' || p[-1] == ' ') && (p[n] == '\0' || p[n] == ';'))
			return true;
	return false;
}

/* H.264 that every browser decodes: constrained baseline (profile_idc 0x42 with the
 * constraint_set1 flag, RFC 6184 §8.1), packetization-mode=1. */
static bool h264_ok(const struct pl_sdp_codec *c)
{
	const char *pli = strstr(c->fmtp, "profile-level-id=");
	if (!fmtp_has(c->fmtp, "packetization-mode=1") || !pli)
		return false;
	pli += strlen("profile-level-id=");
	return g_ascii_strncasecmp(pli, "42e0", 4) == 0 || g_ascii_strncasecmp(pli, "4200", 4) == 0;
}

static const struct pl_sdp_codec *pick_video(const struct pl_sdp_media *m, char *const *prefs)
{
	size_t n = 0;
	while (prefs && prefs[n])
		n++;
	for (size_t k = 0; k < (prefs ? n : 1); k++) {
		const char *want = prefs ? prefs[k] : "vp8";
		for (size_t i = 0; i < m->n_codecs; i++) {
			const struct pl_sdp_codec *c = &m->codecs[i];
			if (c->clock_rate != 90000 || g_ascii_strcasecmp(c->name, want) != 0)
				continue;
			/* VP9 profile 0; no profile-id means 0 (RFC 9628 §6) */
			if (strcmp(want, "vp9") == 0 && strstr(c->fmtp, "profile-id=") &&
			    !fmtp_has(c->fmtp, "profile-id=0"))
				continue;
			if (strcmp(want, "h264") == 0 && !h264_ok(c))
				continue;
			return c;
		}
	}
	return NULL;
}

uint8_t pl_sdp_canonical_pt(const char *name)
{
	if (g_ascii_strcasecmp(name, "opus") == 0)
		return PL_PT_OPUS;
	if (g_ascii_strcasecmp(name, "VP8") == 0)
		return PL_PT_VP8;
	if (g_ascii_strcasecmp(name, "VP9") == 0)
		return PL_PT_VP9;
	if (g_ascii_strcasecmp(name, "H264") == 0)
		return PL_PT_H264;
	return 0;
}

static int rtx_for(const struct pl_sdp_media *m, uint8_t pt)
{
	for (size_t i = 0; i < m->n_codecs; i++)
		if (g_ascii_strcasecmp(m->codecs[i].name, "rtx") == 0 && m->codecs[i].apt == pt)
			return m->codecs[i].pt;
	return -1;
}

/* a=ice-lite (RFC 8839 5.3): the server only answers checks (server/ice.c), so the browser
 * takes the controlling role whether it offers or answers. */
static void session_header(GString *o, const struct pl_sdp_local *l)
{
	g_string_append_printf(o,
	                       "v=0\r\no=- %" G_GUINT64_FORMAT " %u IN IP4 0.0.0.0\r\ns=plenum\r\n"
	                       "t=0 0\r\na=ice-lite\r\n",
	                       l->session_id, l->version);
}

static void transport_attrs(GString *o, const struct pl_sdp_local *l, const char *mid,
                            const char *setup)
{
	g_string_append_printf(o,
	                       "c=IN IP4 0.0.0.0\r\na=mid:%s\r\na=ice-ufrag:%s\r\na=ice-pwd:%s\r\n"
	                       "a=ice-options:trickle\r\na=fingerprint:%s\r\na=setup:%s\r\n"
	                       "a=rtcp-mux\r\n",
	                       mid, l->ufrag, l->pwd, l->fingerprint, setup);
	if (l->candidates) {
		for (size_t i = 0; l->candidates[i]; i++)
			g_string_append_printf(o, "a=%s\r\n", l->candidates[i]);
		g_string_append(o, "a=end-of-candidates\r\n");
	}
}

static void codec_lines(GString *o, const struct pl_sdp_codec *c, unsigned fb_mask)
{
	if (c->channels > 1)
		g_string_append_printf(o, "a=rtpmap:%u %s/%u/%u\r\n", c->pt, c->name, c->clock_rate,
		                       c->channels);
	else
		g_string_append_printf(o, "a=rtpmap:%u %s/%u\r\n", c->pt, c->name, c->clock_rate);
	if (c->fmtp[0])
		g_string_append_printf(o, "a=fmtp:%u %s\r\n", c->pt, c->fmtp);
	unsigned fb = c->fb & fb_mask;
	if (fb & PL_FB_TWCC)
		g_string_append_printf(o, "a=rtcp-fb:%u transport-cc\r\n", c->pt);
	if (fb & PL_FB_REMB)
		g_string_append_printf(o, "a=rtcp-fb:%u goog-remb\r\n", c->pt);
	if (fb & PL_FB_NACK)
		g_string_append_printf(o, "a=rtcp-fb:%u nack\r\n", c->pt);
	if (fb & PL_FB_PLI)
		g_string_append_printf(o, "a=rtcp-fb:%u nack pli\r\n", c->pt);
	if (fb & PL_FB_FIR)
		g_string_append_printf(o, "a=rtcp-fb:%u ccm fir\r\n", c->pt);
}

static void negotiate_line(const struct pl_sdp *offer, size_t i, char *const *video_codecs,
                           struct pl_sdp_pub_line *l)
{
	const struct pl_sdp_media *m = &offer->media[i];
	memset(l, 0, sizeof *l);
	g_strlcpy(l->mid, m->mid, sizeof l->mid);
	l->kind = m->kind;
	l->rtx_pt = -1;
	if ((m->port == 0 && !m->bundle_only) || !m->mid[0] || !in_bundle(offer, m->mid) ||
	    !m->rtcp_mux || m->kind == PL_KIND_OTHER || m->dir == PL_DIR_RECVONLY)
		return;
	const struct pl_sdp_codec *c =
	    m->kind == PL_KIND_AUDIO ? pick(m, "opus", 48000) : pick_video(m, video_codecs);
	if (!c)
		return;
	l->accepted = true;
	l->codec = *c;
	if (m->kind == PL_KIND_VIDEO)
		l->rtx_pt = rtx_for(m, c->pt);
	l->ext_twcc = pl_sdp_ext_id(m, PL_EXT_URI_TWCC);
	l->ext_mid = pl_sdp_ext_id(m, PL_EXT_URI_MID);
	l->ext_abs_send = pl_sdp_ext_id(m, PL_EXT_URI_ABS_SEND);
	if (m->kind == PL_KIND_AUDIO)
		l->ext_audio_level = pl_sdp_ext_id(m, PL_EXT_URI_AUDIO_LEVEL);
	if (m->fid_primary) {
		l->ssrc = m->fid_primary;
		l->rtx_ssrc = m->fid_rtx;
	} else if (m->n_ssrcs) {
		l->ssrc = m->ssrcs[0];
	}
}

int pl_sdp_answer_publish(const struct pl_sdp *offer, const struct pl_sdp_local *local,
                          struct pl_sdp_publish *neg, char **answer, char *err, size_t errlen)
{
	*answer = NULL;
	memset(neg, 0, sizeof *neg);
	if (offer->n_media == 0)
		return reason(err, errlen, PL_EUNSUPPORTED, "the offer has no m-lines");
	if (!offer->has_bundle || offer->n_bundle == 0)
		return reason(err, errlen, PL_EUNSUPPORTED,
		              "BUNDLE is required (a=group:BUNDLE missing)");
	size_t accepted = 0;
	const char *ufrag = NULL, *pwd = NULL;
	const uint8_t *fp = NULL;
	for (size_t i = 0; i < offer->n_media; i++) {
		const struct pl_sdp_media *m = &offer->media[i];
		if (m->port && m->kind != PL_KIND_OTHER && !m->rtcp_mux)
			return reason(err, errlen, PL_EUNSUPPORTED,
			              "rtcp-mux is required (m-line %zu has no a=rtcp-mux)", i);
		negotiate_line(offer, i, local->video_codecs, &neg->lines[i]);
		if (neg->lines[i].accepted) {
			accepted++;
			if (!ufrag) {
				ufrag = pl_sdp_ufrag(offer, i);
				pwd = pl_sdp_pwd(offer, i);
				fp = pl_sdp_fingerprint(offer, i);
			}
		}
	}
	neg->n = offer->n_media;
	if (!accepted)
		return reason(err, errlen, PL_EUNSUPPORTED,
		              "no m-line with a codec Plenum forwards (Opus audio, VP8 video)");
	if (!ufrag || !*ufrag || !pwd || !*pwd)
		return reason(err, errlen, PL_EUNSUPPORTED, "ICE credentials missing");
	if (!fp)
		return reason(err, errlen, PL_EUNSUPPORTED,
		              "a sha-256 DTLS fingerprint is required");

	GString *o = g_string_new(NULL);
	session_header(o, local);
	g_string_append(o, "a=group:BUNDLE");
	for (size_t i = 0; i < neg->n; i++)
		if (neg->lines[i].accepted)
			g_string_append_printf(o, " %s", neg->lines[i].mid);
	g_string_append(o, "\r\na=msid-semantic: WMS\r\n");
	for (size_t i = 0; i < neg->n; i++) {
		const struct pl_sdp_media *m = &offer->media[i];
		const struct pl_sdp_pub_line *l = &neg->lines[i];
		const char *kind = m->kind == PL_KIND_AUDIO   ? "audio"
		                   : m->kind == PL_KIND_VIDEO ? "video"
		                                              : "application";
		if (!l->accepted) {
			if (m->kind == PL_KIND_OTHER)
				g_string_append_printf(o, "m=%s 0 %s webrtc-datachannel\r\n", kind,
				                       m->proto);
			else
				g_string_append_printf(o, "m=%s 0 %s %u\r\n", kind, m->proto,
				                       m->n_codecs ? m->codecs[0].pt : 0);
			g_string_append_printf(o, "c=IN IP4 0.0.0.0\r\n");
			if (m->mid[0])
				g_string_append_printf(o, "a=mid:%s\r\n", m->mid);
			g_string_append(o, "a=inactive\r\n");
			continue;
		}
		g_string_append_printf(o, "m=%s 9 %s %u", kind, m->proto, l->codec.pt);
		if (l->rtx_pt >= 0)
			g_string_append_printf(o, " %d", l->rtx_pt);
		g_string_append(o, "\r\n");
		transport_attrs(o, local, l->mid, "active");
		g_string_append(o, m->dir == PL_DIR_INACTIVE ? "a=inactive\r\n" : "a=recvonly\r\n");
		if (l->ext_audio_level)
			g_string_append_printf(o, "a=extmap:%u %s\r\n", l->ext_audio_level,
			                       PL_EXT_URI_AUDIO_LEVEL);
		if (l->ext_abs_send)
			g_string_append_printf(o, "a=extmap:%u %s\r\n", l->ext_abs_send,
			                       PL_EXT_URI_ABS_SEND);
		if (l->ext_twcc)
			g_string_append_printf(o, "a=extmap:%u %s\r\n", l->ext_twcc,
			                       PL_EXT_URI_TWCC);
		if (l->ext_mid)
			g_string_append_printf(o, "a=extmap:%u %s\r\n", l->ext_mid, PL_EXT_URI_MID);
		/* The server reads NACK/PLI/FIR from subscribers and sends TWCC feedback and REMB
		 * to publishers; it does not NACK publishers in v1. */
		codec_lines(o, &l->codec,
		            PL_FB_TWCC | PL_FB_REMB | PL_FB_PLI | PL_FB_FIR | PL_FB_NACK);
		if (l->rtx_pt >= 0) {
			struct pl_sdp_codec rtx = {.pt = (uint8_t)l->rtx_pt, .clock_rate = 90000};
			g_strlcpy(rtx.name, "rtx", sizeof rtx.name);
			snprintf(rtx.fmtp, sizeof rtx.fmtp, "apt=%u", l->codec.pt);
			codec_lines(o, &rtx, 0);
		}
	}
	*answer = pl_xstrdup(o->str);
	g_string_free(o, TRUE);
	return 0;
}

int pl_sdp_offer_subscribe(const struct pl_sdp_local *local, const struct pl_sdp_sub_track *t,
                           size_t n, char **offer)
{
	GString *o = g_string_new(NULL);
	session_header(o, local);
	g_string_append(o, "a=group:BUNDLE");
	for (size_t i = 0; i < n; i++)
		g_string_append_printf(o, " %s", t[i].mid);
	g_string_append(o, "\r\na=msid-semantic: WMS\r\n");
	for (size_t i = 0; i < n; i++) {
		const struct pl_sdp_sub_track *x = &t[i];
		const char *kind = x->kind == PL_KIND_AUDIO ? "audio" : "video";
		if (!x->active) {
			/* An ended track stays in the BUNDLE group as inactive rather than being
			 * rejected: rejecting the group's first m-line would move the browser to a
			 * new transport (and a new DTLS handshake). The line is reused for a later
			 * track. */
			g_string_append_printf(o, "m=%s 9 UDP/TLS/RTP/SAVPF %u\r\n", kind,
			                       x->codec.pt);
			transport_attrs(o, local, x->mid, "actpass");
			g_string_append(o, "a=inactive\r\n");
			codec_lines(o, &x->codec, 0);
			continue;
		}
		g_string_append_printf(o, "m=%s 9 UDP/TLS/RTP/SAVPF %u\r\n", kind, x->codec.pt);
		transport_attrs(o, local, x->mid, "actpass");
		g_string_append_printf(o, "a=sendonly\r\na=msid:%s %s\r\n", x->stream, x->track);
		/* Subscribers ask the server for retransmissions and key frames. */
		struct pl_sdp_codec c = x->codec;
		c.fb = x->kind == PL_KIND_VIDEO ? (PL_FB_NACK | PL_FB_PLI | PL_FB_FIR) : 0;
		codec_lines(o, &c, c.fb);
		g_string_append_printf(o, "a=ssrc:%u cname:%s\r\na=ssrc:%u msid:%s %s\r\n", x->ssrc,
		                       x->stream, x->ssrc, x->stream, x->track);
	}
	*offer = pl_xstrdup(o->str);
	g_string_free(o, TRUE);
	return 0;
}

int pl_sdp_check_subscribe_answer(const struct pl_sdp *a, size_t n, char *err, size_t errlen)
{
	if (a->n_media != n)
		return reason(err, errlen, PL_EPROTO, "the answer has %zu m-lines, the offer %zu",
		              a->n_media, n);
	for (size_t i = 0; i < n; i++) {
		if (a->media[i].port == 0)
			continue;
		if (!pl_sdp_fingerprint(a, i))
			return reason(err, errlen, PL_EUNSUPPORTED, "no sha-256 fingerprint");
		enum pl_sdp_setup st = pl_sdp_setup_of(a, i);
		if (st != PL_SETUP_ACTIVE && st != PL_SETUP_PASSIVE)
			return reason(err, errlen, PL_EPROTO, "a=setup must be active or passive");
		if (!*pl_sdp_ufrag(a, i) || !*pl_sdp_pwd(a, i))
			return reason(err, errlen, PL_EPROTO, "ICE credentials missing");
	}
	return 0;
}
