/* Transport-wide congestion control feedback generator (the receive side of
 * draft-holmer-rmcat-transport-wide-cc-extensions-01). The SFU records, for every RTP packet it
 * receives on a transport, the transport-wide sequence number from the header extension and the
 * arrival time; the shell then calls pl_twcc_feedback_write periodically (every 50-100 ms) and
 * sends what it returns. Browsers (Chromium's send-side BWE) ramp up their bitrate from this.
 *
 * Each feedback covers every seq from the first not yet reported up to the newest received
 * one that fits: missing packets are reported lost, the reference time is the first received
 * packet's arrival rounded down to 64 ms, deltas are 250 us ticks between consecutive received
 * packets (computed on absolute tick counts so rounding never accumulates). A packet is left for
 * the next feedback when the packet would exceed min(cap, PL_TWCC_FEEDBACK_MAX_LEN) or its delta
 * does not fit 16 bits. */
#ifndef PL_TWCC_FEEDBACK_H
#define PL_TWCC_FEEDBACK_H

#include <stddef.h>
#include <stdint.h>

/* Packets remembered between two feedbacks: 4096 packets is ~3 s of a 10 Mbit/s transport at
 * 1200-byte packets; older unreported packets are dropped from the feedback if it overflows. */
#define PL_TWCC_FEEDBACK_WINDOW  4096
#define PL_TWCC_FEEDBACK_MAX_LEN 1200 /* stays below any path MTU after SRTCP and UDP/IP */

struct pl_twcc_feedback;

struct pl_twcc_feedback *pl_twcc_feedback_new(void);
void pl_twcc_feedback_free(struct pl_twcc_feedback *g);

/* Records one received packet. Returns 0, or PL_ESTATE for a packet older than what was already
 * reported (a late or duplicate packet after its feedback went out: ignored), or PL_ELIMIT for a
 * reordered packet more than a window behind the newest. A duplicate keeps its first arrival. */
int pl_twcc_feedback_record(struct pl_twcc_feedback *g, uint16_t twcc_seq, int64_t arrival_us);

/* Writes the next feedback packet (RTPFB FMT 15) into out. PL_ENOTFOUND when nothing is
 * pending, PL_ESPACE if cap cannot hold even one packet's feedback. */
int pl_twcc_feedback_write(struct pl_twcc_feedback *g, uint32_t sender_ssrc, uint32_t media_ssrc,
                           uint8_t *out, size_t cap, size_t *out_len);

#endif
