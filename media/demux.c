#include "media/demux.h"

enum pl_pkt_kind pl_demux(const uint8_t *buf, size_t len)
{
	if (!buf || len < 1)
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
