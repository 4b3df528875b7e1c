/* RTCP sender report (RFC 3550 §6.4.1) and NTP time conversion. */
#ifndef PL_RTCP_SR_H
#define PL_RTCP_SR_H

#include <stddef.h>
#include <stdint.h>

#include "media/rtcp_rr.h"

struct pl_rtcp_sr {
	uint32_t sender_ssrc;
	uint64_t ntp;          /* NTP timestamp, 32.32 fixed point seconds since 1900 */
	uint32_t rtp_ts;       /* RTP timestamp matching ntp */
	uint32_t packet_count; /* sender's packet count */
	uint32_t octet_count;  /* sender's payload octet count */
	uint8_t n_blocks;
	struct pl_rtcp_report_block blocks[PL_RTCP_MAX_REPORT_BLOCKS];
};

/* Parses one SR packet (header included); profile extensions after the blocks are ignored. */
int pl_rtcp_sr_parse(const uint8_t *pkt, size_t len, struct pl_rtcp_sr *out);
/* Writes an SR (n_blocks <= 31, else PL_EINVAL); PL_ESPACE if cap is too small. */
int pl_rtcp_sr_write(const struct pl_rtcp_sr *sr, uint8_t *out, size_t cap, size_t *out_len);

/* Unix wall time (microseconds since 1970, passed in by the shell) to a 64-bit NTP timestamp. */
uint64_t pl_ntp_from_unix_us(int64_t unix_us);
/* The middle 32 bits of an NTP timestamp: the LSR value a receiver echoes (RFC 3550 §6.4.1). */
uint32_t pl_ntp_middle32(uint64_t ntp);

#endif
