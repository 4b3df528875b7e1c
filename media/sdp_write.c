/* SDP serialiser; see sdp_write.h. A bounded growing buffer: the output never exceeds
 * PL_SDP_MAX_BYTES, the size the parser (ours and the browser's signalling limit) accepts. */
#include "media/sdp_write.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media/alloc.h"
#include "media/error.h"

struct wbuf {
	char *p;
	size_t len, cap;
	unsigned lines;
	bool overflow;
	bool ctrl; /* a value held a control character */
};

__attribute__((format(printf, 2, 3))) static void put(struct wbuf *b, const char *fmt, ...)
{
	if (b->overflow)
		return;
	va_list ap;
	va_start(ap, fmt);
	char tmp[PL_SDP_MAX_LINE + 1];
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	/* every call writes one line without its CRLF */
	if (n < 0 || (size_t)n > PL_SDP_MAX_LINE || b->len + (size_t)n + 2 > PL_SDP_MAX_BYTES ||
	    ++b->lines > PL_SDP_MAX_LINES) {
		b->overflow = true;
		return;
	}
	/* A value with a line break would inject attributes into the browser's view of the
	 * session: every line is checked before its CRLF is added. */
	for (int i = 0; i < n; i++)
		if ((unsigned char)tmp[i] < 0x20 || tmp[i] == 0x7f)
			b->ctrl = true;
	if (b->len + (size_t)n + 3 > b->cap) {
		size_t cap = b->cap ? b->cap : 2048;
		while (cap < b->len + (size_t)n + 3)
			cap *= 2;
		b->p = pl_xrealloc(b->p, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->len, tmp, (size_t)n);
	b->len += (size_t)n;
	memcpy(b->p + b->len, "\r\n", 3);
	b->len += 2;
}

void pl_sdp_hex_fingerprint(const uint8_t *fp, size_t len, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	if (cap < 1)
		return;
	out[0] = '\0';
	if (len == 0 || cap < 3 * len)
		return;
	for (size_t i = 0; i < len; i++) {
		out[3 * i] = hex[fp[i] >> 4];
		out[3 * i + 1] = hex[fp[i] & 15];
		out[3 * i + 2] = i + 1 < len ? ':' : '\0';
	}
}

static const char *dir_name(enum pl_sdp_dir d)
{
	switch (d) {
	case PL_DIR_SENDONLY:
		return "sendonly";
	case PL_DIR_RECVONLY:
		return "recvonly";
	case PL_DIR_INACTIVE:
		return "inactive";
	default:
		return "sendrecv";
	}
}

static const char *setup_name(enum pl_sdp_setup s)
{
	return s == PL_SETUP_ACTPASS ? "actpass" : s == PL_SETUP_ACTIVE ? "active" : "passive";
}

static void transport(struct wbuf *b, const char *ufrag, const char *pwd, bool trickle,
                      const char *alg, const uint8_t *fp, size_t fplen, enum pl_sdp_setup setup)
{
	if (ufrag[0])
		put(b, "a=ice-ufrag:%s", ufrag);
	if (pwd[0])
		put(b, "a=ice-pwd:%s", pwd);
	if (trickle)
		put(b, "a=ice-options:trickle");
	if (fplen) {
		char hex[3 * PL_SDP_FP_MAX];
		pl_sdp_hex_fingerprint(fp, fplen, hex, sizeof hex);
		put(b, "a=fingerprint:%s %s", alg[0] ? alg : "sha-256", hex);
	}
	if (setup != PL_SETUP_NONE)
		put(b, "a=setup:%s", setup_name(setup));
}

static const struct pl_sdp_codec *codec_of(const struct pl_sdp_media *m, uint8_t pt)
{
	for (size_t i = 0; i < m->n_codecs; i++)
		if (m->codecs[i].pt == pt && m->codecs[i].name[0])
			return &m->codecs[i];
	return NULL;
}

static int media(struct wbuf *b, const struct pl_sdp_media *m, size_t idx, char *err, size_t errlen)
{
	const char *type = m->media_type[0]           ? m->media_type
	                   : m->kind == PL_KIND_AUDIO ? "audio"
	                   : m->kind == PL_KIND_VIDEO ? "video"
	                                              : "application";
	char fmts[PL_SDP_MAX_FMTS * 4 + 1] = "";
	size_t fl = 0;
	for (size_t i = 0; i < m->n_fmts; i++) {
		if (!codec_of(m, m->fmts[i])) {
			snprintf(err, errlen, "m-line %zu: payload type %u has no a=rtpmap", idx,
			         m->fmts[i]);
			return PL_EINVAL;
		}
		fl += (size_t)snprintf(fmts + fl, sizeof fmts - fl, " %u", m->fmts[i]);
	}
	if (!m->n_fmts) {
		if (!m->first_fmt[0]) {
			snprintf(err, errlen, "m-line %zu has no format", idx);
			return PL_EINVAL;
		}
		snprintf(fmts, sizeof fmts, " %s", m->first_fmt);
	}
	put(b, "m=%s %u %s%s", type, m->port, m->proto, fmts);
	put(b, "c=IN IP4 0.0.0.0");
	if (m->mid[0])
		put(b, "a=mid:%s", m->mid);
	if (m->bundle_only)
		put(b, "a=bundle-only");
	transport(b, m->ice_ufrag, m->ice_pwd, m->ice_trickle, m->fingerprint_alg, m->fingerprint,
	          m->fingerprint_len, m->setup);
	put(b, "a=%s", dir_name(m->dir));
	if (m->msid_stream[0])
		put(b, "a=msid:%s%s%s", m->msid_stream, m->msid_track[0] ? " " : "", m->msid_track);
	if (m->rtcp_mux)
		put(b, "a=rtcp-mux");
	for (size_t i = 0; i < m->n_exts; i++) {
		const struct pl_sdp_ext *e = &m->exts[i];
		if (e->dir == PL_DIR_SENDRECV)
			put(b, "a=extmap:%u %s", e->id, e->uri);
		else
			put(b, "a=extmap:%u/%s %s", e->id, dir_name(e->dir), e->uri);
	}
	if (m->extmap_allow_mixed)
		put(b, "a=extmap-allow-mixed");
	for (size_t i = 0; i < m->n_fmts; i++) {
		const struct pl_sdp_codec *c = codec_of(m, m->fmts[i]);
		if (c->channels > 1)
			put(b, "a=rtpmap:%u %s/%u/%u", c->pt, c->name, c->clock_rate, c->channels);
		else
			put(b, "a=rtpmap:%u %s/%u", c->pt, c->name, c->clock_rate);
		if (c->fmtp[0])
			put(b, "a=fmtp:%u %s", c->pt, c->fmtp);
		if (c->fb & PL_FB_TWCC)
			put(b, "a=rtcp-fb:%u transport-cc", c->pt);
		if (c->fb & PL_FB_REMB)
			put(b, "a=rtcp-fb:%u goog-remb", c->pt);
		if (c->fb & PL_FB_NACK)
			put(b, "a=rtcp-fb:%u nack", c->pt);
		if (c->fb & PL_FB_PLI)
			put(b, "a=rtcp-fb:%u nack pli", c->pt);
		if (c->fb & PL_FB_FIR)
			put(b, "a=rtcp-fb:%u ccm fir", c->pt);
	}
	for (size_t i = 0; i < m->n_rids; i++)
		put(b, "a=rid:%s %s", m->rids[i].id, m->rids[i].send ? "send" : "recv");
	if (m->simulcast[0])
		put(b, "a=simulcast:%s", m->simulcast);
	for (size_t i = 0; i < m->n_fids; i++)
		put(b, "a=ssrc-group:FID %" PRIu32 " %" PRIu32, m->fids[i].primary, m->fids[i].rtx);
	for (size_t i = 0; i < m->n_ssrcs; i++) {
		const struct pl_sdp_ssrc *a = &m->ssrc_attrs[i];
		if (a->cname[0])
			put(b, "a=ssrc:%" PRIu32 " cname:%s", m->ssrcs[i], a->cname);
		if (a->msid_stream[0])
			put(b, "a=ssrc:%" PRIu32 " msid:%s%s%s", m->ssrcs[i], a->msid_stream,
			    a->msid_track[0] ? " " : "", a->msid_track);
		if (!a->cname[0] && !a->msid_stream[0])
			put(b, "a=ssrc:%" PRIu32, m->ssrcs[i]);
	}
	return 0;
}

int pl_sdp_write(const struct pl_sdp *s, char **text, char *err, size_t errlen)
{
	char dummy[1];
	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof dummy;
	}
	*text = NULL;
	struct wbuf b = {0};
	int rc = 0;
	put(&b, "v=0");
	put(&b, "o=- %" PRIu64 " %" PRIu64 " IN IP4 0.0.0.0", s->sess_id, s->sess_version);
	put(&b, "s=-");
	put(&b, "t=0 0");
	if (s->has_bundle && s->n_bundle) {
		char g[PL_SDP_MAX_MEDIA * PL_SDP_MID_LEN + 16] = "a=group:BUNDLE";
		size_t gl = strlen(g);
		for (size_t i = 0; i < s->n_bundle && i < PL_SDP_MAX_MEDIA; i++)
			gl += (size_t)snprintf(g + gl, sizeof g - gl, " %s", s->bundle[i]);
		put(&b, "%s", g);
	}
	if (s->extmap_allow_mixed)
		put(&b, "a=extmap-allow-mixed");
	put(&b, "a=msid-semantic: WMS");
	transport(&b, s->ice_ufrag, s->ice_pwd, s->ice_trickle, s->fingerprint_alg, s->fingerprint,
	          s->fingerprint_len, s->setup);
	for (size_t i = 0; i < s->n_media && i < PL_SDP_MAX_MEDIA && !rc; i++)
		rc = media(&b, &s->media[i], i, err, errlen);
	if (!rc && b.overflow) {
		snprintf(err, errlen, "SDP would exceed %d bytes, %d lines or %d bytes per line",
		         PL_SDP_MAX_BYTES, PL_SDP_MAX_LINES, PL_SDP_MAX_LINE);
		rc = PL_ELIMIT;
	}
	if (!rc && b.ctrl) {
		snprintf(err, errlen, "a field holds a control character");
		rc = PL_EINVAL;
	}
	if (rc) {
		free(b.p);
		return rc;
	}
	*text = b.p;
	return 0;
}
