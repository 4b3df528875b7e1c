/* What a simulated publisher sends: Opus audio every 20 ms and VP8-structured video at the
 * configured bitrate and frame rate (RFC 7741 payload descriptor and a VP8 frame tag with the
 * key frame bit, the rest filler), each packet with the transport-wide-cc, mid and (audio)
 * ssrc-audio-level header extensions (RFC 8285 one-byte form), and a 12-byte trailer inside
 * the payload: the packet's own counter (u32) and its send time (u64, CLOCK_MONOTONIC us), so
 * a subscriber on the same host measures one-way latency. NACKs are answered from a history of
 * the last PL_HISTORY video packets; PLI and FIR make the next frame a key frame. */
#include <math.h>
#include <opus/opus.h>
#include <stdio.h>
#include <string.h>

#include "media/alloc.h"
#include "media/bytes.h"
#include "media/rtcp.h"
#include "media/rtcp_nack.h"
#include "media/srtp_session.h"
#include "tests/load/load.h"

#define PL_TRAILER_LEN   12
#define PL_VIDEO_PAYLOAD 1100 /* bytes of VP8 payload per packet at most */
#define PL_EXT_ID_LEVEL  1
#define PL_EXT_ID_TWCC   3
#define PL_EXT_ID_MID    4
#define PL_BUF_CAP       (PL_MAX_PKT + PL_SRTP_RTP_OVERHEAD + 16)

int pl_opus_frames_init(struct pl_opus_frames *f, char *err, size_t errlen)
{
	int e = 0;
	OpusEncoder *enc = opus_encoder_create(48000, 2, OPUS_APPLICATION_VOIP, &e);
	if (!enc) {
		snprintf(err, errlen, "opus_encoder_create: %s", opus_strerror(e));
		return -1;
	}
	opus_encoder_ctl(enc, OPUS_SET_BITRATE(32000));
	opus_int16 pcm[960 * 2];
	size_t n = sizeof f->len / sizeof f->len[0];
	for (size_t k = 0; k < n; k++) {
		for (int i = 0; i < 960; i++) {
			/* 440 Hz at -12 dBFS; 50 frames are exactly 22 periods' worth of a 1 s loop
			 */
			double t = (double)(k * 960 + (size_t)i) / 48000.0;
			opus_int16 v = (opus_int16)(8000.0 * sin(2.0 * M_PI * 440.0 * t));
			pcm[2 * i] = pcm[2 * i + 1] = v;
		}
		opus_int32 len =
		    opus_encode(enc, pcm, 960, f->data[k], (opus_int32)sizeof f->data[k]);
		if (len < 0) {
			snprintf(err, errlen, "opus_encode: %s", opus_strerror(len));
			opus_encoder_destroy(enc);
			return -1;
		}
		f->len[k] = (uint16_t)len;
	}
	f->n = n;
	opus_encoder_destroy(enc);
	return 0;
}

void pl_pubmedia_init(struct pl_pubmedia *m, bool video)
{
	m->audio.pt = 111;
	m->video.pt = 96;
	m->audio.seq = (uint16_t)g_random_int();
	m->video.seq = (uint16_t)g_random_int();
	m->audio.ts_base = g_random_int();
	m->video.ts_base = g_random_int();
	if (video)
		m->history = pl_xcalloc(PL_HISTORY, sizeof *m->history);
}

void pl_pubmedia_cleanup(struct pl_pubmedia *m)
{
	free(m->history);
	m->history = NULL;
}

/* RTP header + one-byte extensions; returns the header length. */
static size_t put_header(uint8_t *b, struct pl_pub_stream *s, bool marker, uint32_t ts,
                         uint16_t twcc, bool audio)
{
	b[0] = 0x90; /* V=2, X=1 */
	b[1] = (uint8_t)((marker ? 0x80 : 0) | s->pt);
	pl_put_u16(b + 2, s->seq);
	pl_put_u32(b + 4, ts);
	pl_put_u32(b + 8, s->ssrc);
	uint8_t *e = b + 16;
	size_t n = 0;
	if (audio) {
		e[n++] = (uint8_t)(PL_EXT_ID_LEVEL << 4); /* len-1 = 0 */
		e[n++] = 0x80 | 30;                       /* voice, -30 dBov */
	}
	e[n++] = (uint8_t)(PL_EXT_ID_TWCC << 4 | 1);
	pl_put_u16(e + n, twcc);
	n += 2;
	e[n++] = (uint8_t)(PL_EXT_ID_MID << 4); /* one character */
	e[n++] = audio ? '0' : '1';
	while (n % 4)
		e[n++] = 0;
	b[12] = 0xBE;
	b[13] = 0xDE;
	pl_put_u16(b + 14, (uint16_t)(n / 4));
	return 16 + n;
}

static void put_trailer(uint8_t *p, uint32_t counter, int64_t now_us)
{
	pl_put_u32(p, counter);
	pl_put_u32(p + 4, (uint32_t)((uint64_t)now_us >> 32));
	pl_put_u32(p + 8, (uint32_t)now_us);
}

static void send_audio(struct pl_part *part, int64_t frame_us)
{
	struct pl_pubmedia *m = &part->pm;
	const struct pl_opus_frames *of = &part->L->opus;
	uint8_t buf[PL_BUF_CAP];
	uint32_t ts = m->audio.ts_base + (uint32_t)(m->audio.sent_pkts * 960);
	size_t h = put_header(buf, &m->audio, false, ts, m->twcc_seq++, true);
	size_t k = m->opus_idx++ % of->n;
	memcpy(buf + h, of->data[k], of->len[k]);
	size_t len = h + of->len[k];
	put_trailer(buf + len, m->audio.pkt_counter++, pl_now_us());
	len += PL_TRAILER_LEN;
	m->audio.seq++;
	m->audio.sent_pkts++;
	m->audio.sent_bytes += len;
	part->L->tx_pkts_window += part->L->in_window;
	pl_peer_send_rtp(part->pub, buf, len, sizeof buf);
	(void)frame_us;
}

static void send_video_frame(struct pl_part *part, int64_t frame_us)
{
	struct pl_load *L = part->L;
	struct pl_pubmedia *m = &part->pm;
	bool key = m->want_key || (L->o.keyframe_s > 0 &&
	                           frame_us - m->last_key_us >= (int64_t)L->o.keyframe_s * 1000000);
	if (key) {
		m->want_key = false;
		m->last_key_us = frame_us;
		m->keyframes++;
	}
	size_t size = (size_t)L->o.video_kbps * 1000 / 8 / (size_t)L->o.fps;
	if (key)
		size *= 3;
	if (size < 64)
		size = 64;
	size_t npkts = (size + PL_VIDEO_PAYLOAD - 1) / PL_VIDEO_PAYLOAD;
	size_t per = size / npkts;
	uint32_t ts = m->video.ts_base + (uint32_t)(m->frames * 90000 / (uint64_t)L->o.fps);
	m->frames++;
	for (size_t i = 0; i < npkts; i++) {
		uint8_t buf[PL_BUF_CAP];
		bool last = i + 1 == npkts;
		size_t h = put_header(buf, &m->video, last, ts, m->twcc_seq++, false);
		uint8_t *p = buf + h;
		size_t n = 0;
		p[n++] = i == 0 ? 0x10 : 0x00; /* RFC 7741 §4.2: S on the frame's first packet */
		if (i == 0) {
			/* §4.3 / RFC 6386 §9.1 frame tag: P (0 = key frame), version 0, show_frame,
			 * first partition size (19 bits; a plausible value) */
			uint32_t part_size = (uint32_t)(per / 2);
			uint32_t tag = (key ? 0u : 1u) | 0x10u | (part_size << 5);
			p[n++] = (uint8_t)tag;
			p[n++] = (uint8_t)(tag >> 8);
			p[n++] = (uint8_t)(tag >> 16);
			if (key) {
				static const uint8_t kf[7] = {0x9d, 0x01, 0x2a, 0x80,
				                              0x02, 0xe0, 0x01};
				memcpy(p + n, kf, sizeof kf); /* start code, 640x480 */
				n += sizeof kf;
			}
		}
		size_t body = per > n + PL_TRAILER_LEN ? per - PL_TRAILER_LEN : n;
		if (body > n)
			memset(p + n, 0x5a, body - n);
		n = body;
		put_trailer(p + n, m->video.pkt_counter++, pl_now_us());
		n += PL_TRAILER_LEN;
		size_t len = h + n;
		struct pl_hist_pkt *hp = &m->history[m->video.seq % PL_HISTORY];
		hp->seq = m->video.seq;
		hp->len = (uint16_t)len;
		hp->used = true;
		memcpy(hp->buf, buf, len);
		m->video.seq++;
		m->video.sent_pkts++;
		m->video.sent_bytes += len;
		L->tx_pkts_window += L->in_window;
		pl_peer_send_rtp(part->pub, buf, len, sizeof buf);
	}
}

void pl_pubmedia_tick(struct pl_part *part, int64_t now_us)
{
	struct pl_pubmedia *m = &part->pm;
	if (!part->pub || !part->pub->dtls_up || part->failed)
		return;
	/* If the generator fell behind by more than 200 ms, skip rather than burst. */
	if (m->audio.next_us < now_us - 200000)
		m->audio.next_us = now_us;
	while (m->audio.next_us <= now_us) {
		send_audio(part, m->audio.next_us);
		m->audio.next_us += 20000;
	}
	if (!m->history)
		return;
	int64_t frame_us = 1000000 / part->L->o.fps;
	if (m->video.next_us < now_us - 200000)
		m->video.next_us = now_us;
	while (m->video.next_us <= now_us) {
		send_video_frame(part, m->video.next_us);
		m->video.next_us += frame_us;
	}
}

static void answer_nack(struct pl_part *part, const uint8_t *pkt, size_t len)
{
	struct pl_pubmedia *m = &part->pm;
	struct pl_rtcp_nack *nack = g_new(struct pl_rtcp_nack, 1);
	if (pl_rtcp_nack_parse(pkt, len, nack) == 0 && m->history &&
	    nack->media_ssrc == m->video.ssrc) {
		m->nacks_in++;
		for (size_t i = 0; i < nack->n_seqs; i++) {
			struct pl_hist_pkt *hp = &m->history[nack->seqs[i] % PL_HISTORY];
			if (!hp->used || hp->seq != nack->seqs[i]) {
				m->rtx_miss++;
				continue;
			}
			uint8_t buf[PL_BUF_CAP];
			memcpy(buf, hp->buf, hp->len);
			m->rtx_sent++;
			pl_peer_send_rtp(part->pub, buf, hp->len, sizeof buf);
		}
	}
	g_free(nack);
}

void pl_pubmedia_rtcp(struct pl_part *part, const uint8_t *buf, size_t len)
{
	struct pl_rtcp_iter it;
	struct pl_rtcp_hdr h;
	const uint8_t *pkt;
	size_t plen;
	pl_rtcp_iter_init(&it, buf, len);
	while (pl_rtcp_iter_next(&it, &h, &pkt, &plen) == 1) {
		if (h.pt == PL_RTCP_PT_RTPFB && h.count == PL_RTCP_RTPFB_NACK) {
			answer_nack(part, pkt, plen);
		} else if (h.pt == PL_RTCP_PT_PSFB &&
		           (h.count == PL_RTCP_PSFB_PLI || h.count == PL_RTCP_PSFB_FIR)) {
			part->pm.want_key = true;
			part->pm.plis_in++;
		}
	}
}
