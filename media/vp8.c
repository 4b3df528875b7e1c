/* RFC 7741 §4.2:
 *   X|R|N|S|R|PID        (required)
 *   I|L|T|K|RSV          (if X)
 *   M|PictureID[,8 more] (if I; M=1 means 15 bits)
 *   TL0PICIDX            (if L)
 *   TID(2)|Y|KEYIDX(5)   (if T or K)
 * §4.3: when S=1 and PID=0 the first byte of the VP8 payload header ends with P (0 = key frame). */
#include "media/vp8.h"

#include <string.h>

#include "media/bytes.h"
#include "media/error.h"

int pl_vp8_parse(const uint8_t *payload, size_t len, struct pl_vp8_desc *out)
{
	if (!payload)
		return PL_EINVAL;
	const uint8_t *p = payload, *end = payload + len;
	uint8_t b0, x = 0;
	memset(out, 0, sizeof *out);
	if (pl_get_u8(&p, end, &b0))
		return PL_ETRUNC;
	out->non_ref = (b0 & 0x20) != 0;
	out->start = (b0 & 0x10) != 0;
	out->part_id = b0 & 0x07;
	if ((b0 & 0x80) && pl_get_u8(&p, end, &x))
		return PL_ETRUNC;
	if (x & 0x80) { /* I */
		uint8_t hi, lo;
		if (pl_get_u8(&p, end, &hi))
			return PL_ETRUNC;
		out->has_picture_id = true;
		if (hi & 0x80) {
			if (pl_get_u8(&p, end, &lo))
				return PL_ETRUNC;
			out->picture_id_15 = true;
			out->picture_id = (uint16_t)((hi & 0x7F) << 8 | lo);
		} else {
			out->picture_id = hi;
		}
	}
	if (x & 0x40) { /* L */
		if (pl_get_u8(&p, end, &out->tl0picidx))
			return PL_ETRUNC;
		out->has_tl0picidx = true;
	}
	if (x & 0x30) { /* T or K share one byte */
		uint8_t tk;
		if (pl_get_u8(&p, end, &tk))
			return PL_ETRUNC;
		if (x & 0x20) {
			out->has_tid = true;
			out->tid = tk >> 6;
			out->layer_sync = (tk & 0x20) != 0;
		}
		if (x & 0x10) {
			out->has_keyidx = true;
			out->keyidx = tk & 0x1F;
		}
	}
	out->desc_len = (size_t)(p - payload);
	/* A packet carries at least one byte of VP8 data (§4.1). */
	if (p >= end)
		return PL_ETRUNC;
	out->frame_start = out->start && out->part_id == 0;
	out->keyframe = out->frame_start && (p[0] & 0x01) == 0;
	return 0;
}

bool pl_vp8_is_keyframe(const uint8_t *payload, size_t len)
{
	struct pl_vp8_desc d;
	return pl_vp8_parse(payload, len, &d) == 0 && d.keyframe;
}
