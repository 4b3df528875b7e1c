/* H.264 RTP payload structure (RFC 6184 §5.2-§5.8, packetization modes 0 and 1): single NAL unit
 * packets, STAP-A and FU-A, read to find key frames. Never decodes the bitstream. */
#ifndef PL_H264_H
#define PL_H264_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* NAL unit types (ITU-T H.264 Table 7-1, RFC 6184 Table 1). */
enum pl_h264_nal {
	PL_H264_NAL_SLICE = 1,
	PL_H264_NAL_IDR = 5,
	PL_H264_NAL_SEI = 6,
	PL_H264_NAL_SPS = 7,
	PL_H264_NAL_PPS = 8,
	PL_H264_NAL_STAP_A = 24,
	PL_H264_NAL_FU_A = 28,
};

struct pl_h264_info {
	uint8_t pkt_type;  /* type of the RTP payload's first NAL header: 1..23, 24 or 28 */
	uint8_t nal_count; /* NAL units (or the fragment's one) seen, saturating at 255 */
	bool has_idr, has_sps, has_pps; /* for FU-A: only in the start fragment */
	bool fu_start, fu_end;          /* FU-A S and E bits */
	uint8_t fu_type;                /* FU-A: type of the fragmented NAL unit */
	bool keyframe;                  /* has_idr || has_sps */
};

/* PL_ETRUNC on an empty payload, a STAP-A unit size past the end or a FU-A without its header;
 * PL_EINVAL on type 0, a STAP-A without units or with a 0 size, a FU-A with S and E both set
 * (§5.8); PL_EUNSUPPORTED for STAP-B, MTAP, FU-B (interleaved mode) and reserved types. out is
 * undefined on failure. */
int pl_h264_parse(const uint8_t *payload, size_t len, struct pl_h264_info *out);
/* True when the payload parses and carries an IDR slice or an SPS (start of a FU-A only). */
bool pl_h264_is_keyframe(const uint8_t *payload, size_t len);

#endif
