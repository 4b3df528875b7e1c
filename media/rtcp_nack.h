/* RTCP generic NACK (RFC 4585 §6.2.1): RTPFB, FMT 1. Each FCI is a PID (lost seq) and a 16-bit
 * bitmask BLP of further losses at PID+1..PID+16. Parsed into a flat, bounded list of seqs. */
#ifndef PL_RTCP_NACK_H
#define PL_RTCP_NACK_H

#include <stddef.h>
#include <stdint.h>

/* At most 17 seqs per 4-byte FCI; Chromium keeps at most ~1000 packets in its NACK list. */
#define PL_RTCP_NACK_MAX_SEQS 1024

struct pl_rtcp_nack {
	uint32_t sender_ssrc;
	uint32_t media_ssrc;
	size_t n_seqs;
	uint16_t seqs[PL_RTCP_NACK_MAX_SEQS]; /* in wire order: PID, then BLP bits low to high */
};

/* PL_EINVAL without any FCI, PL_ELIMIT if the FCIs name more than PL_RTCP_NACK_MAX_SEQS seqs. */
int pl_rtcp_nack_parse(const uint8_t *pkt, size_t len, struct pl_rtcp_nack *out);

/* Writes nack->seqs (1..PL_RTCP_NACK_MAX_SEQS, else PL_EINVAL), packing each seq within 16 after
 * the current PID into its BLP (distance modulo 2^16, so 65535 -> 0 packs). Ascending order
 * gives the tightest packing; any order is correct; duplicates are dropped. */
int pl_rtcp_nack_write(const struct pl_rtcp_nack *nack, uint8_t *out, size_t cap, size_t *out_len);

#endif
