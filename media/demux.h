/* RFC 7983 §7: what a datagram on a WebRTC 5-tuple is, by its first byte. RTCP is told from
 * RTP by the payload type byte (RFC 5761 §4: 192..223 is RTCP when muxed). */
#ifndef PL_DEMUX_H
#define PL_DEMUX_H

#include <stddef.h>
#include <stdint.h>

enum pl_pkt_kind { PL_PKT_UNKNOWN, PL_PKT_STUN, PL_PKT_DTLS, PL_PKT_RTP, PL_PKT_RTCP };

static inline enum pl_pkt_kind pl_demux(const uint8_t *buf, size_t len)
{
	if (len < 1)
		return PL_PKT_UNKNOWN;
	uint8_t b = buf[0];
	if (b <= 3)
		return PL_PKT_STUN;
	if (b >= 20 && b <= 63)
		return PL_PKT_DTLS;
	if (b >= 128 && b <= 191) {
		if (len < 2)
			return PL_PKT_UNKNOWN;
		uint8_t pt = buf[1] & 0x7F;
		return (pt >= 64 && pt <= 95) ? PL_PKT_RTCP : PL_PKT_RTP;
	}
	return PL_PKT_UNKNOWN;
}

#endif
