/* RFC 6184: §5.3 NAL unit header F|NRI(2)|Type(5); §5.6 single NAL unit packet (types 1-23);
 * §5.7.1 STAP-A (type 24): { 16-bit NALU size, NAL unit } repeated; §5.8 FU-A (type 28):
 * FU indicator, then FU header S|E|R|Type(5). */
#include "media/h264.h"

#include <string.h>

#include "media/bytes.h"
#include "media/error.h"

static void note_nal(struct pl_h264_info *out, uint8_t type)
{
	if (out->nal_count < UINT8_MAX)
		out->nal_count++;
	if (type == PL_H264_NAL_IDR)
		out->has_idr = true;
	else if (type == PL_H264_NAL_SPS)
		out->has_sps = true;
	else if (type == PL_H264_NAL_PPS)
		out->has_pps = true;
}

int pl_h264_parse(const uint8_t *payload, size_t len, struct pl_h264_info *out)
{
	if (!payload)
		return PL_EINVAL;
	const uint8_t *p = payload, *end = payload + len;
	uint8_t h;
	memset(out, 0, sizeof *out);
	if (pl_get_u8(&p, end, &h))
		return PL_ETRUNC;
	out->pkt_type = h & 0x1F;
	if (out->pkt_type == 0)
		return PL_EINVAL;
	if (out->pkt_type <= 23) {
		note_nal(out, out->pkt_type);
	} else if (out->pkt_type == PL_H264_NAL_STAP_A) {
		/* Sizes are never trusted: each must fit in what is left. */
		while (p < end) {
			uint16_t n;
			if (pl_get_u16(&p, end, &n))
				return PL_ETRUNC;
			if (n == 0)
				return PL_EINVAL;
			if ((size_t)(end - p) < n)
				return PL_ETRUNC;
			note_nal(out, p[0] & 0x1F);
			p += n;
		}
		if (out->nal_count == 0)
			return PL_EINVAL;
	} else if (out->pkt_type == PL_H264_NAL_FU_A) {
		uint8_t fu;
		if (pl_get_u8(&p, end, &fu))
			return PL_ETRUNC;
		out->fu_start = (fu & 0x80) != 0;
		out->fu_end = (fu & 0x40) != 0;
		out->fu_type = fu & 0x1F;
		if (out->fu_start && out->fu_end)
			return PL_EINVAL;
		out->nal_count = 1;
		/* Only the start fragment says what the NAL unit is worth to a new receiver. */
		if (out->fu_start) {
			out->nal_count = 0;
			note_nal(out, out->fu_type);
		}
	} else {
		return PL_EUNSUPPORTED;
	}
	out->keyframe = out->has_idr || out->has_sps;
	return 0;
}

bool pl_h264_is_keyframe(const uint8_t *payload, size_t len)
{
	struct pl_h264_info i;
	return pl_h264_parse(payload, len, &i) == 0 && i.keyframe;
}
