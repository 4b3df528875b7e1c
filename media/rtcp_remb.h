/* Receiver Estimated Maximum Bitrate (draft-alvestrand-rmcat-remb-03 §2.2): PSFB, FMT 15
 * (application layer feedback), media SSRC 0, identifier "REMB", then Num SSRC (8 bits),
 * BR Exp (6 bits), BR Mantissa (18 bits), and the SSRCs the estimate applies to. */
#ifndef PL_RTCP_REMB_H
#define PL_RTCP_REMB_H

#include <stddef.h>
#include <stdint.h>

#define PL_RTCP_REMB_MAX_SSRCS 16 /* Num SSRC is 8 bits; a browser lists its few streams */

struct pl_rtcp_remb {
	uint32_t sender_ssrc;
	uint64_t bitrate_bps; /* mantissa << exp; the writer rounds down to 18 significant bits */
	uint8_t n_ssrcs;
	uint32_t ssrcs[PL_RTCP_REMB_MAX_SSRCS];
};

/* PL_EUNSUPPORTED for an AFB message that is not REMB; PL_ELIMIT above PL_RTCP_REMB_MAX_SSRCS;
 * PL_EINVAL if mantissa << exp overflows 64 bits. */
int pl_rtcp_remb_parse(const uint8_t *pkt, size_t len, struct pl_rtcp_remb *out);
int pl_rtcp_remb_write(const struct pl_rtcp_remb *remb, uint8_t *out, size_t cap, size_t *out_len);

/* Splits a bitrate into the 6-bit exponent and 18-bit mantissa (largest mantissa <= bps). */
void pl_rtcp_remb_encode_bitrate(uint64_t bps, uint8_t *exp, uint32_t *mantissa);

#endif
