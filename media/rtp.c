#include "media/rtp.h"

#include "media/bytes.h"
#include "media/error.h"

int pl_rtp_parse(const uint8_t *buf, size_t len, struct pl_rtp *out)
{
	const uint8_t *p = buf, *end = buf + len;
	uint8_t b0, b1;
	if (pl_get_u8(&p, end, &b0) || pl_get_u8(&p, end, &b1) || pl_get_u16(&p, end, &out->seq) ||
	    pl_get_u32(&p, end, &out->ts) || pl_get_u32(&p, end, &out->ssrc))
		return PL_ETRUNC;
	if (b0 >> 6 != 2)
		return PL_EINVAL;
	out->padding = (b0 >> 5) & 1;
	out->extension = (b0 >> 4) & 1;
	out->csrc_count = b0 & 15;
	out->marker = b1 >> 7;
	out->pt = b1 & 0x7F;
	if (pl_skip(&p, end, 4u * out->csrc_count))
		return PL_ETRUNC;
	out->ext_profile = 0;
	out->ext = NULL;
	out->ext_len = 0;
	if (out->extension) {
		uint16_t words;
		if (pl_get_u16(&p, end, &out->ext_profile) || pl_get_u16(&p, end, &words))
			return PL_ETRUNC;
		out->ext = p;
		out->ext_len = 4u * words;
		if (pl_skip(&p, end, out->ext_len))
			return PL_ETRUNC;
	}
	out->header_len = (size_t)(p - buf);
	size_t rest = (size_t)(end - p);
	out->pad_len = 0;
	if (out->padding) {
		if (rest == 0)
			return PL_EINVAL;
		out->pad_len = end[-1];
		if (out->pad_len == 0 || out->pad_len > rest)
			return PL_EINVAL;
	}
	out->payload = p;
	out->payload_len = rest - out->pad_len;
	return 0;
}

int pl_rtp_ext_find(const struct pl_rtp *r, uint8_t id, const uint8_t **data, size_t *len)
{
	if (!r->ext || id == 0)
		return PL_ENOTFOUND;
	const uint8_t *p = r->ext, *end = r->ext + r->ext_len;
	bool one_byte = r->ext_profile == 0xBEDE;
	bool two_byte = (r->ext_profile & 0xFFF0) == 0x1000;
	if (!one_byte && !two_byte)
		return PL_ENOTFOUND;
	while (p < end) {
		if (*p == 0) { /* padding */
			p++;
			continue;
		}
		uint8_t eid;
		size_t elen;
		if (one_byte) {
			eid = *p >> 4;
			elen = (size_t)(*p & 15) + 1;
			if (eid == 15)
				return PL_ENOTFOUND; /* RFC 8285 §4.2: stop processing */
			p++;
		} else {
			if (end - p < 2)
				return PL_ETRUNC;
			eid = p[0];
			elen = p[1];
			p += 2;
		}
		if ((size_t)(end - p) < elen)
			return PL_ETRUNC;
		if (eid == id) {
			*data = p;
			*len = elen;
			return 0;
		}
		p += elen;
	}
	return PL_ENOTFOUND;
}

bool pl_vp8_is_keyframe(const uint8_t *payload, size_t len)
{
	const uint8_t *p = payload, *end = payload + len;
	uint8_t b0, x;
	if (pl_get_u8(&p, end, &b0))
		return false;
	if (!(b0 & 0x10) || (b0 & 0x07) != 0) /* S bit, PID 0 */
		return false;
	if (b0 & 0x80) { /* X: extension byte follows */
		if (pl_get_u8(&p, end, &x))
			return false;
		if (x & 0x80) { /* I: picture id, 7 or 15 bits */
			uint8_t pid;
			if (pl_get_u8(&p, end, &pid))
				return false;
			if ((pid & 0x80) && pl_skip(&p, end, 1))
				return false;
		}
		if ((x & 0x40) && pl_skip(&p, end, 1)) /* L: TL0PICIDX */
			return false;
		if ((x & 0x30) && pl_skip(&p, end, 1)) /* T or K: TID/KEYIDX */
			return false;
	}
	uint8_t h;
	if (pl_get_u8(&p, end, &h))
		return false;
	return (h & 0x01) == 0; /* P bit: 0 = key frame */
}

bool pl_vp9_is_keyframe(const uint8_t *payload, size_t len)
{
	const uint8_t *p = payload, *end = payload + len;
	uint8_t b0;
	if (pl_get_u8(&p, end, &b0))
		return false;
	bool i = b0 & 0x80, pbit = b0 & 0x40, l = b0 & 0x20, b = b0 & 0x08;
	if (!b || pbit)
		return false;
	if (i) { /* picture id, 7 or 15 bits */
		uint8_t pid;
		if (pl_get_u8(&p, end, &pid) || ((pid & 0x80) && pl_skip(&p, end, 1)))
			return false;
	}
	if (l) { /* layer indices: spatial layer must be 0 */
		uint8_t li;
		if (pl_get_u8(&p, end, &li))
			return false;
		if ((li >> 1) & 0x07)
			return false;
	}
	return true;
}

static bool h264_key_nal(uint8_t nal)
{
	uint8_t type = nal & 0x1F;
	return type == 5 || type == 7; /* IDR slice, SPS */
}

bool pl_h264_is_keyframe(const uint8_t *payload, size_t len)
{
	const uint8_t *p = payload, *end = payload + len;
	uint8_t h;
	if (pl_get_u8(&p, end, &h))
		return false;
	uint8_t type = h & 0x1F;
	if (type >= 1 && type <= 23)
		return h264_key_nal(h);
	if (type == 24) { /* STAP-A: 16-bit size, NAL, ... (sizes are never trusted) */
		uint16_t n;
		while (pl_get_u16(&p, end, &n) == 0 && n > 0) {
			if ((size_t)(end - p) < n)
				return false;
			if (h264_key_nal(p[0]))
				return true;
			p += n;
		}
		return false;
	}
	if (type == 28) { /* FU-A: start bit and the fragmented NAL's type */
		uint8_t fu;
		if (pl_get_u8(&p, end, &fu))
			return false;
		return (fu & 0x80) && h264_key_nal(fu);
	}
	return false;
}
