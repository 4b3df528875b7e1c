/* RTCP RR (RFC 3550 §6.4.2), report blocks (§6.4.1) and receive statistics (Appendix A). */
#include "media/rtcp_rr.h"

#include <string.h>

#include "media/bytes.h"
#include "media/error.h"
#include "media/rtcp.h"

int pl_rtcp_report_block_get(const uint8_t **p, const uint8_t *end,
                             struct pl_rtcp_report_block *out)
{
	if (end - *p < PL_RTCP_REPORT_BLOCK_LEN)
		return PL_ETRUNC;
	const uint8_t *b = *p;
	out->ssrc = pl_read_u32(b);
	out->fraction_lost = b[4];
	/* cumulative number of packets lost: 24-bit signed (RFC 3550 §6.4.1) */
	uint32_t cl = (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
	out->cumulative_lost = (cl & 0x800000) ? (int32_t)cl - 0x1000000 : (int32_t)cl;
	out->ext_highest_seq = pl_read_u32(b + 8);
	out->jitter = pl_read_u32(b + 12);
	out->lsr = pl_read_u32(b + 16);
	out->dlsr = pl_read_u32(b + 20);
	*p += PL_RTCP_REPORT_BLOCK_LEN;
	return 0;
}

void pl_rtcp_report_block_put(uint8_t *out, const struct pl_rtcp_report_block *rb)
{
	int32_t cl = rb->cumulative_lost;
	if (cl > 0x7fffff)
		cl = 0x7fffff;
	if (cl < -0x800000)
		cl = -0x800000;
	pl_put_u32(out, rb->ssrc);
	out[4] = rb->fraction_lost;
	pl_put_u24(out + 5, (uint32_t)cl & 0xffffff);
	pl_put_u32(out + 8, rb->ext_highest_seq);
	pl_put_u32(out + 12, rb->jitter);
	pl_put_u32(out + 16, rb->lsr);
	pl_put_u32(out + 20, rb->dlsr);
}

int pl_rtcp_rr_parse(const uint8_t *pkt, size_t len, struct pl_rtcp_rr *out)
{
	struct pl_rtcp_hdr h;
	const uint8_t *p;
	int rc = pl_rtcp_hdr_expect(pkt, len, PL_RTCP_PT_RR, -1, &h, &p);
	if (rc < 0)
		return rc;
	const uint8_t *end = p + h.payload_len;
	if ((rc = pl_get_u32(&p, end, &out->sender_ssrc)) < 0)
		return rc;
	out->n_blocks = h.count; /* 5 bits: never above PL_RTCP_MAX_REPORT_BLOCKS */
	for (unsigned i = 0; i < h.count; i++)
		if ((rc = pl_rtcp_report_block_get(&p, end, &out->blocks[i])) < 0)
			return rc;
	return 0;
}

int pl_rtcp_rr_write(const struct pl_rtcp_rr *rr, uint8_t *out, size_t cap, size_t *out_len)
{
	if (rr->n_blocks > PL_RTCP_MAX_REPORT_BLOCKS)
		return PL_EINVAL;
	size_t n = 8 + (size_t)rr->n_blocks * PL_RTCP_REPORT_BLOCK_LEN;
	if (cap < n)
		return PL_ESPACE;
	pl_rtcp_hdr_put(out, rr->n_blocks, PL_RTCP_PT_RR, n);
	pl_put_u32(out + 4, rr->sender_ssrc);
	for (unsigned i = 0; i < rr->n_blocks; i++)
		pl_rtcp_report_block_put(out + 8 + i * PL_RTCP_REPORT_BLOCK_LEN, &rr->blocks[i]);
	*out_len = n;
	return 0;
}

/* RFC 3550 A.1 constants. */
#define MAX_DROPOUT  3000
#define MAX_MISORDER 100
#define RTP_SEQ_MOD  (1u << 16)

void pl_rtp_rx_stats_init(struct pl_rtp_rx_stats *s)
{
	memset(s, 0, sizeof *s);
}

static void init_seq(struct pl_rtp_rx_stats *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = RTP_SEQ_MOD + 1; /* so seq == bad_seq is false */
	s->cycles = 0;
	s->received = 0;
	s->received_prior = 0;
	s->expected_prior = 0;
	s->have_transit = false;
	s->jitter_q4 = 0;
}

/* Arrival time in RTP timestamp units, modulo 2^32 (only differences matter, A.8). */
static uint32_t arrival_rtp_units(int64_t arrival_us, uint32_t clock_rate)
{
	/* Split to avoid overflow: seconds and remainder separately. */
	int64_t sec = arrival_us / 1000000, rem = arrival_us % 1000000;
	if (rem < 0) {
		rem += 1000000;
		sec -= 1;
	}
	uint64_t units = (uint64_t)sec * clock_rate + (uint64_t)rem * clock_rate / 1000000;
	return (uint32_t)units;
}

int pl_rtp_rx_stats_update(struct pl_rtp_rx_stats *s, uint16_t seq, uint32_t rtp_ts,
                           uint32_t clock_rate, int64_t arrival_us)
{
	bool in_order = false;
	if (!s->started) {
		init_seq(s, seq);
		s->started = true;
		in_order = true;
	} else {
		uint16_t udelta = (uint16_t)(seq - s->max_seq);
		if (udelta == 0) {
			/* duplicate of the newest packet: A.1 counts it; nothing else to do */
		} else if (udelta < MAX_DROPOUT) {
			/* in order, with permissible gap */
			if (seq < s->max_seq)
				s->cycles += RTP_SEQ_MOD; /* wrapped */
			s->max_seq = seq;
			in_order = true;
		} else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
			/* the sequence number made a very large jump */
			if (seq == s->bad_seq) {
				/* two sequential packets: assume the other side restarted */
				init_seq(s, seq);
				in_order = true;
			} else {
				s->bad_seq = (seq + 1) & (RTP_SEQ_MOD - 1);
				return PL_EINVAL;
			}
		} else {
			/* duplicate or reordered packet */
		}
	}
	s->received++;

	/* A.8 interarrival jitter. Like libwebrtc we only sample in-order packets with a new RTP
	 * timestamp: the packets of one video frame share a timestamp but are paced out over
	 * milliseconds, which is sender pacing, not network jitter. */
	if (in_order && clock_rate > 0 && (!s->have_transit || rtp_ts != s->last_rtp_ts)) {
		uint32_t transit = arrival_rtp_units(arrival_us, clock_rate) - rtp_ts;
		if (s->have_transit) {
			int32_t d = (int32_t)(transit - s->transit);
			uint32_t ad = d < 0 ? (uint32_t)0 - (uint32_t)d : (uint32_t)d;
			/* J += (|D| - J) / 16, in Q4 fixed point as in A.8 */
			s->jitter_q4 += ad - ((s->jitter_q4 + 8) >> 4);
		}
		s->transit = transit;
		s->have_transit = true;
		s->last_rtp_ts = rtp_ts;
	}
	return 0;
}

int pl_rtp_rx_stats_report_block(struct pl_rtp_rx_stats *s, uint32_t ssrc,
                                 uint32_t last_sr_ntp_middle32, int64_t last_sr_arrival_us,
                                 int64_t now_us, struct pl_rtcp_report_block *out)
{
	if (!s->started)
		return PL_ESTATE;
	/* A.3 */
	uint32_t extended_max = s->cycles + s->max_seq;
	uint32_t expected = extended_max - s->base_seq + 1;
	int64_t lost = (int64_t)expected - (int64_t)s->received;
	if (lost > 0x7fffff)
		lost = 0x7fffff;
	if (lost < -0x800000)
		lost = -0x800000;
	uint32_t expected_interval = expected - s->expected_prior;
	uint32_t received_interval = s->received - s->received_prior;
	int64_t lost_interval = (int64_t)expected_interval - (int64_t)received_interval;
	s->expected_prior = expected;
	s->received_prior = s->received;
	uint8_t fraction = 0;
	if (expected_interval != 0 && lost_interval > 0)
		fraction = (uint8_t)(((uint64_t)lost_interval << 8) / expected_interval);

	out->ssrc = ssrc;
	out->fraction_lost = fraction;
	out->cumulative_lost = (int32_t)lost;
	out->ext_highest_seq = extended_max;
	out->jitter = s->jitter_q4 >> 4;
	out->lsr = last_sr_ntp_middle32;
	out->dlsr = 0;
	if (last_sr_ntp_middle32 != 0 && now_us > last_sr_arrival_us) {
		/* RFC 3550 §6.4.1: DLSR in units of 1/65536 s */
		uint64_t us = (uint64_t)(now_us - last_sr_arrival_us);
		/* saturate beyond 65536 s (the field's range) before the multiply can overflow */
		out->dlsr =
		    us >= 65536ull * 1000000 ? UINT32_MAX : (uint32_t)(us * 65536 / 1000000);
	}
	return 0;
}
