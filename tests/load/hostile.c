/* --hostile MODE: participant 0 of the run misbehaves as an authenticated peer would (issue 6).
 * It joins, negotiates and publishes like the others, then, every 5 ms (its attack tick), sends
 * what the mode names on top of its normal media. The other participants of the run are its victims
 * and measure as usual; the server's defences show in its /metrics counters.
 *
 *   nack-flood      NACKs for the last 64 packets of every video stream it receives, 8 per
 *                   compound, every tick (about 100,000 requests a second)
 *   pli-flood       a PLI and a FIR for every video stream it receives, every tick
 *   ssrc-flood      authentic SRTP packets, each from a new SSRC (thousands of SSRCs)
 *   rtcp-lies       authentic SRTCP whose inner RTCP lies: lengths past the end, counts
 *                   larger than the packet, empty feedback, truncated compounds
 *   rtp-padding     authentic SRTP whose RTP padding is longer than the payload
 *   srtp-replay     its own last protected packets sent again, several times
 *   garbage         datagrams that are neither STUN, DTLS, RTP nor RTCP, and DTLS-looking junk
 *   seq-wrap        normal media whose sequence numbers and timestamps wrap within seconds
 *   dtls-stall      ICE completes, the DTLS handshake is never answered
 *   bad-fingerprint the publish offer's fingerprint does not match the certificate */
#include <string.h>

#include "media/bytes.h"
#include "media/rtcp_fir.h"
#include "media/rtcp_nack.h"
#include "media/rtcp_pli.h"
#include "media/srtp_session.h"
#include "tests/load/load.h"

static const char *const names[PL_HOSTILE_N] = {
    [PL_HOSTILE_NONE] = "none",
    [PL_HOSTILE_NACK_FLOOD] = "nack-flood",
    [PL_HOSTILE_PLI_FLOOD] = "pli-flood",
    [PL_HOSTILE_SSRC_FLOOD] = "ssrc-flood",
    [PL_HOSTILE_RTCP_LIES] = "rtcp-lies",
    [PL_HOSTILE_RTP_PADDING] = "rtp-padding",
    [PL_HOSTILE_SRTP_REPLAY] = "srtp-replay",
    [PL_HOSTILE_GARBAGE] = "garbage",
    [PL_HOSTILE_SEQ_WRAP] = "seq-wrap",
    [PL_HOSTILE_DTLS_STALL] = "dtls-stall",
    [PL_HOSTILE_BAD_FINGERPRINT] = "bad-fingerprint",
};

int pl_hostile_parse(const char *name)
{
	for (int i = 0; i < PL_HOSTILE_N; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

const char *pl_hostile_name(enum pl_hostile mode)
{
	return mode < PL_HOSTILE_N ? names[mode] : "?";
}

bool pl_hostile_fails_itself(enum pl_hostile mode)
{
	return mode == PL_HOSTILE_DTLS_STALL || mode == PL_HOSTILE_BAD_FINGERPRINT;
}

void pl_hostile_setup(struct pl_part *part)
{
	if (part->hostile != PL_HOSTILE_SEQ_WRAP)
		return;
	/* 30 fps video at 500 kbit/s is about 50 packets a second: both wrap within 2 s. */
	part->pm.audio.seq = 65500;
	part->pm.video.seq = 65450;
	part->pm.audio.ts_base = 0xFFFFFFFFu - 48000u;
	part->pm.video.ts_base = 0xFFFFFFFFu - 90000u;
}

const char *pl_hostile_fingerprint(struct pl_part *part, const char *real, char *buf, size_t cap)
{
	if (part->hostile != PL_HOSTILE_BAD_FINGERPRINT)
		return real;
	g_strlcpy(buf, real, cap);
	/* "sha-256 AB:..." : change the first hex digit of the digest. */
	char *d = strchr(buf, ' ');
	if (d && d[1])
		d[1] = d[1] == '0' ? '1' : '0';
	return buf;
}

static void send_rtcp(struct pl_peer *p, const uint8_t *pkt, size_t len)
{
	uint8_t buf[PL_MAX_PKT + PL_SRTP_RTCP_OVERHEAD];
	if (!p || len > PL_MAX_PKT)
		return;
	memcpy(buf, pkt, len);
	pl_peer_send_rtcp(p, buf, len, sizeof buf);
}

static void send_rtp(struct pl_peer *p, const uint8_t *pkt, size_t len)
{
	uint8_t buf[PL_MAX_PKT + PL_SRTP_RTP_OVERHEAD];
	if (!p || len > PL_MAX_PKT)
		return;
	memcpy(buf, pkt, len);
	pl_peer_send_rtp(p, buf, len, sizeof buf);
}

static void nack_flood(struct pl_part *part)
{
	GHashTableIter it;
	gpointer k, v;
	uint8_t compound[PL_MAX_PKT];
	g_hash_table_iter_init(&it, part->sm.streams);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct pl_rx_stream *st = v;
		if (!st->video || !st->have_max)
			continue;
		struct pl_rtcp_nack *n = g_new0(struct pl_rtcp_nack, 1);
		n->sender_ssrc = part->sm.rr_ssrc;
		n->media_ssrc = st->ssrc;
		for (int i = 0; i < 64; i++)
			n->seqs[n->n_seqs++] = (uint16_t)(st->max_seq - 63 + i);
		size_t len = 0, one;
		for (int i = 0; i < 8; i++)
			if (pl_rtcp_nack_write(n, compound + len, sizeof compound - len, &one) == 0)
				len += one;
		g_free(n);
		send_rtcp(part->sub, compound, len);
		part->hostile_sent++;
	}
}

static void pli_flood(struct pl_part *part)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, part->sm.streams);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct pl_rx_stream *st = v;
		if (!st->video)
			continue;
		uint8_t buf[128];
		size_t len, more;
		struct pl_rtcp_pli pli = {.sender_ssrc = part->sm.rr_ssrc, .media_ssrc = st->ssrc};
		struct pl_rtcp_fir fir = {.sender_ssrc = part->sm.rr_ssrc, .n_entries = 1};
		fir.entries[0].ssrc = st->ssrc;
		fir.entries[0].seq_nr = (uint8_t)part->hostile_sent;
		if (pl_rtcp_pli_write(&pli, buf, sizeof buf, &len) == 0 &&
		    pl_rtcp_fir_write(&fir, buf + len, sizeof buf - len, &more) == 0) {
			send_rtcp(part->sub, buf, len + more);
			part->hostile_sent += 2;
		}
	}
}

static size_t rtp_header(uint8_t *b, uint8_t first, uint8_t pt, uint16_t seq, uint32_t ts,
                         uint32_t ssrc)
{
	b[0] = first;
	b[1] = pt;
	pl_put_u16(b + 2, seq);
	pl_put_u32(b + 4, ts);
	pl_put_u32(b + 8, ssrc);
	return 12;
}

static void ssrc_flood(struct pl_part *part)
{
	uint8_t b[64];
	for (int i = 0; i < 10; i++) {
		size_t n = rtp_header(b, 0x80, 111, (uint16_t)part->hostile_sent, 960u,
		                      part->hostile_ssrc + (uint32_t)part->hostile_sent);
		memset(b + n, 0xF8, 40);
		send_rtp(part->pub, b, n + 40);
		part->hostile_sent++;
	}
}

/* RTCP packets whose own fields lie; the first 8 bytes (V=2, type, length, SSRC) are what
 * SRTCP needs to protect them, so they arrive authentic at the server's RTCP parser. */
static void rtcp_lies(struct pl_part *part)
{
	uint8_t b[64] = {0};
	uint32_t me = part->sm.rr_ssrc, media = part->pm.video.ssrc;
	size_t n;
	switch (part->hostile_sent % 7) {
	case 0: /* NACK whose length says 100 words; 12 bytes follow */
		b[0] = 0x81, b[1] = 205, b[3] = 100;
		n = 12;
		break;
	case 1: /* NACK without any FCI */
		b[0] = 0x81, b[1] = 205, b[3] = 2;
		n = 12;
		break;
	case 2: /* TWCC: 65535 packet statuses announced, no chunk present */
		b[0] = 0x8F, b[1] = 205, b[3] = 4;
		pl_put_u16(b + 14, 65535);
		n = 20;
		break;
	case 3: /* SR claiming 31 report blocks, carrying none */
		b[0] = 0x9F, b[1] = 200, b[3] = 6;
		n = 28;
		break;
	case 4: /* valid RR, then a packet whose length runs past the compound */
		b[0] = 0x80, b[1] = 201, b[3] = 1;
		b[8] = 0x81, b[9] = 206, b[11] = 200;
		pl_put_u32(b + 12, me);
		n = 20;
		break;
	case 5: /* REMB announcing 255 SSRCs with room for none */
		b[0] = 0x8F, b[1] = 206, b[3] = 4;
		memcpy(b + 12, "REMB", 4);
		b[16] = 255;
		n = 20;
		break;
	default: /* SDES item whose length runs past the packet */
		b[0] = 0x81, b[1] = 202, b[3] = 2;
		b[8] = 1, b[9] = 250;
		n = 12;
		break;
	}
	pl_put_u32(b + 4, me);
	if (b[1] == 205 || b[1] == 206)
		pl_put_u32(b + 8, media);
	send_rtcp(part->pub, b, n);
	send_rtcp(part->sub, b, n);
	part->hostile_sent++;
}

static void rtp_padding(struct pl_part *part)
{
	uint8_t b[64];
	uint16_t seq = (uint16_t)part->hostile_sent;
	size_t n = rtp_header(b, 0xA0, 111, seq, 960u * seq, part->hostile_ssrc);
	memset(b + n, 0x11, 20);
	b[n + 19] = 250; /* 250 bytes of padding in a 20-byte payload */
	send_rtp(part->pub, b, n + 20);
	n = rtp_header(b, 0xA0, 111, (uint16_t)(seq + 1), 960u * seq, part->hostile_ssrc);
	b[n] = 0; /* padding length 0 (RFC 3550: includes itself, so at least 1) */
	send_rtp(part->pub, b, n + 1);
	part->hostile_sent += 2;
}

static void garbage(struct pl_part *part)
{
	uint8_t b[200];
	for (size_t i = 0; i < sizeof b; i++)
		b[i] = (uint8_t)g_random_int();
	b[0] = (uint8_t)g_random_int_range(64, 128); /* neither STUN, DTLS, TURN, RTP nor RTCP */
	pl_peer_send_raw(part->pub, b, sizeof b);
	b[0] = 23; /* a DTLS application-data record of random bytes */
	pl_peer_send_raw(part->pub, b, sizeof b);
	b[0] = (uint8_t)g_random_int_range(192, 256);
	pl_peer_send_raw(part->sub, b, 12);
	part->hostile_sent += 3;
}

void pl_hostile_tick(struct pl_part *part, int64_t now_us)
{
	(void)now_us;
	if (!part->pub || !part->pub->dtls_up)
		return;
	switch (part->hostile) {
	case PL_HOSTILE_NACK_FLOOD:
		if (part->sub && part->sub->dtls_up)
			nack_flood(part);
		break;
	case PL_HOSTILE_PLI_FLOOD:
		if (part->sub && part->sub->dtls_up)
			pli_flood(part);
		break;
	case PL_HOSTILE_SSRC_FLOOD:
		ssrc_flood(part);
		break;
	case PL_HOSTILE_RTCP_LIES:
		rtcp_lies(part);
		break;
	case PL_HOSTILE_RTP_PADDING:
		rtp_padding(part);
		break;
	case PL_HOSTILE_SRTP_REPLAY:
		part->hostile_sent += pl_peer_replay(part->pub, 3);
		break;
	case PL_HOSTILE_GARBAGE:
		garbage(part);
		break;
	default:
		break;
	}
}
