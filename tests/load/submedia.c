/* What a simulated subscriber measures per received stream: packets, loss (RFC 3550 A.1
 * through media/rtcp_rr, but duplicates are not counted as received), interarrival jitter (A.8),
 * freezes (no packet for more than 200 ms), and for decrypting participants the one-way latency
 * from the publisher's payload trailer. It sends receiver reports every second and NACKs gaps in
 * video streams at once, once per gap (no retries). */
#include <stdio.h>
#include <string.h>

#include "media/alloc.h"
#include "media/bytes.h"
#include "media/rtcp.h"
#include "media/rtcp_nack.h"
#include "media/rtcp_sr.h"
#include "media/rtp.h"
#include "media/srtp_session.h"
#include "tests/load/load.h"

#define PL_FREEZE_US      200000
#define PL_TRAILER_LEN    12
#define PL_NACK_MAX_GAP   100 /* a larger jump is a restart, not loss worth asking for */
#define PL_RR_INTERVAL_US 1000000

void pl_submedia_init(struct pl_submedia *s)
{
	s->streams = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	s->rr_ssrc = g_random_int();
}

void pl_submedia_cleanup(struct pl_submedia *s)
{
	if (s->streams)
		g_hash_table_destroy(s->streams);
	s->streams = NULL;
}

void pl_submedia_expect(struct pl_submedia *s, uint32_t ssrc, bool video, uint32_t clock_rate)
{
	if (g_hash_table_lookup(s->streams, GUINT_TO_POINTER(ssrc)))
		return;
	struct pl_rx_stream *st = g_new0(struct pl_rx_stream, 1);
	st->ssrc = ssrc;
	st->video = video;
	st->clock_rate = clock_rate ? clock_rate : (video ? 90000 : 48000);
	pl_rtp_rx_stats_init(&st->rx);
	g_hash_table_insert(s->streams, GUINT_TO_POINTER(ssrc), st);
}

void pl_submedia_expect_sdp(struct pl_submedia *s, const struct pl_lsdp *sdp)
{
	for (size_t i = 0; i < sdp->n; i++) {
		const struct pl_lsdp_m *m = &sdp->m[i];
		bool video = strcmp(m->kind, "video") == 0;
		if (!m->port || m->dir == 'i' || (!video && strcmp(m->kind, "audio") != 0))
			continue;
		for (size_t k = 0; k < m->n_ssrcs; k++)
			pl_submedia_expect(s, m->ssrcs[k], video, m->clock_rate);
	}
}

static void send_nack(struct pl_part *part, struct pl_rx_stream *st, uint16_t from, uint16_t to)
{
	struct pl_rtcp_nack *n = g_new0(struct pl_rtcp_nack, 1);
	n->sender_ssrc = part->sm.rr_ssrc;
	n->media_ssrc = st->ssrc;
	for (uint16_t q = from; q != to && n->n_seqs < PL_RTCP_NACK_MAX_SEQS; q++)
		n->seqs[n->n_seqs++] = q;
	uint8_t buf[512 + PL_SRTP_RTCP_OVERHEAD];
	size_t len;
	/* at most PL_NACK_MAX_GAP seqs: a few FCIs */
	if (pl_rtcp_nack_write(n, buf, sizeof buf - PL_SRTP_RTCP_OVERHEAD, &len) == 0) {
		pl_peer_send_rtcp(part->sub, buf, len, sizeof buf);
		st->nacks_sent++;
	}
	g_free(n);
}

void pl_submedia_rtp(struct pl_part *part, const uint8_t *buf, size_t len, bool decrypted,
                     int64_t now_us)
{
	struct pl_load *L = part->L;
	if (len < PL_RTP_HEADER_MIN)
		return;
	/* The fixed header is cleartext in SRTP too (RFC 3711 §3.1). */
	uint8_t pt = buf[1] & 0x7f;
	uint16_t seq = pl_read_u16(buf + 2);
	uint32_t ts = pl_read_u32(buf + 4);
	uint32_t ssrc = pl_read_u32(buf + 8);
	struct pl_rx_stream *st = g_hash_table_lookup(part->sm.streams, GUINT_TO_POINTER(ssrc));
	if (!st) {
		bool video = pt != 111 && pt != 0 && pt != 8 && pt != 9;
		pl_submedia_expect(&part->sm, ssrc, video, video ? 90000 : 48000);
		st = g_hash_table_lookup(part->sm.streams, GUINT_TO_POINTER(ssrc));
	}
	pl_part_mark(part, PL_T_FIRST_MEDIA);
	L->rx_pkts++;
	if (L->in_window) {
		L->rx_pkts_window++;
		L->rx_decrypted_window += decrypted;
	}
	st->pkts++;
	st->bytes += len;
	if (st->last_arrival_us && now_us - st->last_arrival_us > PL_FREEZE_US) {
		st->freezes++;
		if (L->in_window)
			st->freezes_w++;
	}
	if (st->last_arrival_us && now_us - st->last_arrival_us > st->longest_gap_us &&
	    L->in_window)
		st->longest_gap_us = now_us - st->last_arrival_us;
	st->last_arrival_us = now_us;
	uint32_t *slot = &st->seen[seq % PL_SEEN_SLOTS];
	if (*slot == (0x10000u | seq)) {
		if (L->in_window)
			st->dups_w++;
		return;
	}
	*slot = 0x10000u | seq;
	if (st->have_max) {
		uint16_t d = (uint16_t)(seq - st->max_seq);
		if (d >= 1 && d < 0x8000) {
			if (d > 1) {
				st->gaps++;
				if (L->in_window && d <= PL_NACK_MAX_GAP)
					st->missed_w += d - 1u;
				if (st->video && d <= PL_NACK_MAX_GAP)
					send_nack(part, st, (uint16_t)(st->max_seq + 1), seq);
			}
			st->max_seq = seq;
		} else if (d >= 0x8000 && L->in_window) {
			st->late_w++;
		}
	} else {
		st->have_max = true;
		st->max_seq = seq;
	}
	pl_rtp_rx_stats_update(&st->rx, seq, ts, st->clock_rate, now_us);
	if (!decrypted || !L->in_window)
		return;
	struct pl_rtp r;
	if (pl_rtp_parse(buf, len, &r) != 0 || r.payload_len < PL_TRAILER_LEN)
		return;
	const uint8_t *t = r.payload + r.payload_len - PL_TRAILER_LEN;
	int64_t sent = (int64_t)((uint64_t)pl_read_u32(t + 4) << 32 | pl_read_u32(t + 8));
	int64_t lat = now_us - sent;
	if (lat < 0 || lat > 10 * 1000000LL)
		return; /* not one of ours (or a clock from another host) */
	pl_hist_add(st->video ? &L->lat_video : &L->lat_audio, lat);
}

void pl_submedia_tick(struct pl_part *part, int64_t now_us)
{
	struct pl_submedia *s = &part->sm;
	if (!part->sub || !part->sub->dtls_up || now_us < s->next_rr_us)
		return;
	s->next_rr_us = now_us + PL_RR_INTERVAL_US;
	struct pl_rtcp_rr rr;
	memset(&rr, 0, sizeof rr);
	rr.sender_ssrc = s->rr_ssrc;
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, s->streams);
	uint8_t
	    buf[8 + PL_RTCP_MAX_REPORT_BLOCKS * PL_RTCP_REPORT_BLOCK_LEN + PL_SRTP_RTCP_OVERHEAD];
	size_t len;
	for (;;) {
		bool more = g_hash_table_iter_next(&it, NULL, &v);
		if (more) {
			struct pl_rx_stream *st = v;
			if (pl_rtp_rx_stats_report_block(&st->rx, st->ssrc, st->sr_lsr,
			                                 st->sr_arrival_us, now_us,
			                                 &rr.blocks[rr.n_blocks]) == 0)
				rr.n_blocks++;
		}
		if (rr.n_blocks == PL_RTCP_MAX_REPORT_BLOCKS || (!more && rr.n_blocks)) {
			if (pl_rtcp_rr_write(&rr, buf, sizeof buf - PL_SRTP_RTCP_OVERHEAD, &len) ==
			    0)
				pl_peer_send_rtcp(part->sub, buf, len, sizeof buf);
			rr.n_blocks = 0;
		}
		if (!more)
			break;
	}
}

void pl_submedia_rtcp(struct pl_part *part, const uint8_t *buf, size_t len, int64_t now_us)
{
	struct pl_rtcp_iter it;
	struct pl_rtcp_hdr h;
	const uint8_t *pkt;
	size_t plen;
	pl_rtcp_iter_init(&it, buf, len);
	while (pl_rtcp_iter_next(&it, &h, &pkt, &plen) == 1) {
		struct pl_rtcp_sr sr;
		if (h.pt != PL_RTCP_PT_SR || pl_rtcp_sr_parse(pkt, plen, &sr) != 0)
			continue;
		struct pl_rx_stream *st =
		    g_hash_table_lookup(part->sm.streams, GUINT_TO_POINTER(sr.sender_ssrc));
		if (st) {
			st->sr_lsr = pl_ntp_middle32(sr.ntp);
			st->sr_arrival_us = now_us;
		}
	}
}

static int64_t expected_of(const struct pl_rx_stream *st)
{
	if (!st->rx.started)
		return 0;
	int64_t ext_max = (int64_t)st->rx.cycles + st->rx.max_seq;
	return ext_max - (int64_t)st->rx.base_seq + 1;
}

void pl_submedia_window(struct pl_submedia *s, bool start)
{
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, s->streams);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct pl_rx_stream *st = v;
		int64_t exp = expected_of(st);
		int64_t lost = exp - (int64_t)st->rx.received;
		if (start) {
			st->expected_w0 = exp;
			st->lost_w0 = lost;
			st->pkts_window_start = st->pkts;
		} else {
			st->expected_w = exp - st->expected_w0;
			st->lost_w = lost - st->lost_w0;
		}
	}
}
