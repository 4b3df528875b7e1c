/* The SDP a simulated participant writes: its publish offer (Opus + VP8, sendonly, BUNDLE,
 * rtcp-mux, trickle ICE, a=setup:actpass) and its answers to the server's subscribe offers
 * (recvonly, the offer's mids and payload types, a=setup:active). The shape follows what
 * Chromium sends (RFC 8829 §5.2, RFC 8843 BUNDLE, RFC 5763 setup roles). */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "media/alloc.h"
#include "media/sdp.h"
#include "tests/load/load.h"

static void transport_lines(GString *o, const char *mid, const char *ufrag, const char *pwd,
                            const char *fingerprint, const char *setup)
{
	g_string_append_printf(o,
	                       "c=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:%s\r\n"
	                       "a=ice-pwd:%s\r\na=ice-options:trickle\r\na=fingerprint:%s\r\n"
	                       "a=setup:%s\r\na=mid:%s\r\n",
	                       ufrag, pwd, fingerprint, setup, mid);
}

char *pl_offer_publish(const struct pl_part *part, const char *ufrag, const char *pwd,
                       const char *fingerprint)
{
	bool video = !part->L->o.audio_only;
	GString *o = g_string_new(NULL);
	g_string_append_printf(o,
	                       "v=0\r\no=- %u 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	                       "a=group:BUNDLE 0%s\r\na=extmap-allow-mixed\r\n"
	                       "a=msid-semantic: WMS s%d\r\n",
	                       g_random_int() & 0x7fffffff, video ? " 1" : "", part->idx);
	/* Audio: Opus, ssrc-audio-level id 1, transport-wide-cc id 3, mid id 4. */
	g_string_append(o, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n");
	transport_lines(o, "0", ufrag, pwd, fingerprint, "actpass");
	g_string_append_printf(o,
	                       "a=extmap:1 %s\r\na=extmap:3 %s\r\na=extmap:4 %s\r\na=sendonly\r\n"
	                       "a=msid:s%d a%d\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"
	                       "a=rtcp-fb:111 transport-cc\r\n"
	                       "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
	                       "a=ssrc:%u cname:c%d\r\na=ssrc:%u msid:s%d a%d\r\n",
	                       PL_EXT_URI_AUDIO_LEVEL, PL_EXT_URI_TWCC, PL_EXT_URI_MID, part->idx,
	                       part->idx, part->pm.audio.ssrc, part->idx, part->pm.audio.ssrc,
	                       part->idx, part->idx);
	if (video) {
		g_string_append(o, "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n");
		transport_lines(o, "1", ufrag, pwd, fingerprint, "actpass");
		g_string_append_printf(
		    o,
		    "a=extmap:3 %s\r\na=extmap:4 %s\r\na=sendonly\r\na=msid:s%d v%d\r\n"
		    "a=rtcp-mux\r\na=rtcp-rsize\r\na=rtpmap:96 VP8/90000\r\n"
		    "a=rtcp-fb:96 goog-remb\r\na=rtcp-fb:96 transport-cc\r\na=rtcp-fb:96 ccm "
		    "fir\r\n"
		    "a=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\n"
		    "a=ssrc:%u cname:c%d\r\na=ssrc:%u msid:s%d v%d\r\n",
		    PL_EXT_URI_TWCC, PL_EXT_URI_MID, part->idx, part->idx, part->pm.video.ssrc,
		    part->idx, part->pm.video.ssrc, part->idx, part->idx);
	}
	return g_string_free(o, FALSE);
}

static bool answerable(const struct pl_lsdp_m *m)
{
	return strcmp(m->kind, "audio") == 0 || strcmp(m->kind, "video") == 0;
}

char *pl_offer_subscribe_answer(const struct pl_lsdp *offer, const char *ufrag, const char *pwd,
                                const char *fingerprint)
{
	GString *o = g_string_new(NULL);
	g_string_append_printf(o, "v=0\r\no=- %u 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n",
	                       g_random_int() & 0x7fffffff);
	/* Only audio and video are received: anything else (Janus may offer a data channel) is
	 * rejected with port 0 and left out of the BUNDLE group (RFC 8843 §7.3.3). */
	GString *bundle = g_string_new(NULL);
	gchar **mids = g_strsplit(offer->bundle, " ", -1);
	for (gchar **t = mids; *t; t++) {
		bool keep = **t != 0;
		for (size_t i = 0; keep && i < offer->n; i++)
			keep = strcmp(offer->m[i].mid, *t) != 0 || answerable(&offer->m[i]);
		if (keep)
			g_string_append_printf(bundle, " %s", *t);
	}
	g_strfreev(mids);
	if (bundle->len)
		g_string_append_printf(o, "a=group:BUNDLE%s\r\n", bundle->str);
	g_string_free(bundle, TRUE);
	g_string_append(o, "a=msid-semantic: WMS\r\n");
	for (size_t i = 0; i < offer->n; i++) {
		const struct pl_lsdp_m *m = &offer->m[i];
		if (m->port == 0 || !answerable(m)) {
			g_string_append_printf(o,
			                       "m=%s 0 %s %s\r\nc=IN IP4 0.0.0.0\r\na=mid:%s\r\n",
			                       m->kind, m->proto, m->fmt, m->mid);
			continue;
		}
		/* The answer keeps the offer's first codec only. */
		g_string_append_printf(o, "m=%s 9 %s %s\r\n", m->kind, m->proto, m->fmt);
		transport_lines(o, m->mid, ufrag, pwd, fingerprint, "active");
		g_string_append(o, m->dir == 'i' ? "a=inactive\r\n" : "a=recvonly\r\n");
		g_string_append(o, "a=rtcp-mux\r\n");
		if (m->rtpmap[0]) {
			g_string_append_printf(o, "a=rtpmap:%d %s\r\n", m->pt, m->rtpmap);
			if (strcmp(m->kind, "video") == 0)
				g_string_append_printf(
				    o, "a=rtcp-fb:%d nack\r\na=rtcp-fb:%d nack pli\r\n", m->pt,
				    m->pt);
			if (m->fmtp[0])
				g_string_append_printf(o, "a=fmtp:%d %s\r\n", m->pt, m->fmtp);
		}
	}
	return g_string_free(o, FALSE);
}
