/* RTCP receiver report (RFC 3550 §6.4.2), the report block shared with SR (§6.4.1), and the
 * receive statistics that fill a report block (RFC 3550 Appendix A.1, A.3, A.8). */
#ifndef PL_RTCP_RR_H
#define PL_RTCP_RR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PL_RTCP_REPORT_BLOCK_LEN  24
#define PL_RTCP_MAX_REPORT_BLOCKS 31 /* the 5-bit RC field */

struct pl_rtcp_report_block {
	uint32_t ssrc;            /* source this block is about */
	uint8_t fraction_lost;    /* fixed point /256, since the previous report */
	int32_t cumulative_lost;  /* 24-bit signed on the wire */
	uint32_t ext_highest_seq; /* cycles << 16 | highest seq */
	uint32_t jitter;          /* interarrival jitter, RTP timestamp units */
	uint32_t lsr;             /* middle 32 bits of the last SR's NTP time, 0 if none */
	uint32_t dlsr;            /* delay since that SR, 1/65536 s */
};

struct pl_rtcp_rr {
	uint32_t sender_ssrc;
	uint8_t n_blocks;
	struct pl_rtcp_report_block blocks[PL_RTCP_MAX_REPORT_BLOCKS];
};

/* Cursor decoder/encoder of one 24-byte report block. put is unchecked (caller sized). */
int pl_rtcp_report_block_get(const uint8_t **p, const uint8_t *end,
                             struct pl_rtcp_report_block *out);
void pl_rtcp_report_block_put(uint8_t *out, const struct pl_rtcp_report_block *rb);

/* Parses one RR packet (header included). Profile-specific extensions after the blocks are
 * ignored. PL_EPROTO if not an RR, PL_ETRUNC/PL_EINVAL if malformed. */
int pl_rtcp_rr_parse(const uint8_t *pkt, size_t len, struct pl_rtcp_rr *out);
/* Writes an RR with rr->n_blocks blocks (<= 31, else PL_EINVAL). PL_ESPACE if cap too small. */
int pl_rtcp_rr_write(const struct pl_rtcp_rr *rr, uint8_t *out, size_t cap, size_t *out_len);

/* RFC 3550 A.1 sequence tracking, without probation (a browser's first packet is trusted: it
 * arrived over an authenticated SRTP session). Embedded; zero it with pl_rtp_rx_stats_init. */
struct pl_rtp_rx_stats {
	bool started;
	uint16_t max_seq;        /* highest seq seen */
	uint32_t cycles;         /* shifted count of seq wraps (multiples of 65536) */
	uint32_t base_seq;       /* first seq (extended) */
	uint32_t bad_seq;        /* last 'bad' seq + 1, for resync after a source restart */
	uint32_t received;       /* packets received */
	uint32_t expected_prior; /* at the last report block */
	uint32_t received_prior; /* at the last report block */
	bool have_transit;
	uint32_t transit;     /* last relative transit time, RTP units */
	uint32_t jitter_q4;   /* jitter in RTP units * 16 (RFC 3550 A.8) */
	uint32_t last_rtp_ts; /* timestamp of the newest in-order packet */
};

void pl_rtp_rx_stats_init(struct pl_rtp_rx_stats *s);

/* Accounts one received RTP packet. arrival_us is the local receive clock; clock_rate in Hz.
 * Returns 0, or PL_EINVAL for a packet outside the A.1 windows (a jump > 3000 or a very old
 * packet), which is not counted; two sequential such packets resynchronise (source restart). */
int pl_rtp_rx_stats_update(struct pl_rtp_rx_stats *s, uint16_t seq, uint32_t rtp_ts,
                           uint32_t clock_rate, int64_t arrival_us);

/* Fills a report block about ssrc (RFC 3550 A.3) and starts a new fraction-lost interval.
 * last_sr_ntp_middle32 = 0 means no SR received yet (then LSR = DLSR = 0). DLSR is
 * now_us - last_sr_arrival_us in 1/65536 s. PL_ESTATE if no packet was received yet. */
int pl_rtp_rx_stats_report_block(struct pl_rtp_rx_stats *s, uint32_t ssrc,
                                 uint32_t last_sr_ntp_middle32, int64_t last_sr_arrival_us,
                                 int64_t now_us, struct pl_rtcp_report_block *out);

#endif
