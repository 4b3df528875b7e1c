/* RFC 3550 §5.1 fixed header, §5.3.1 header extension; padding per §5.1 ("P"). */
#include "media/rtp.h"

#include "media/bytes.h"
#include "media/error.h"

int pl_rtp_parse(const uint8_t *buf, size_t len, struct pl_rtp *out)
{
	const uint8_t *p = buf, *end = buf + len;
	uint8_t b0, b1;
	if (!buf)
		return PL_EINVAL;
	if (pl_get_u8(&p, end, &b0) || pl_get_u8(&p, end, &b1) || pl_get_u16(&p, end, &out->seq) ||
	    pl_get_u32(&p, end, &out->ts) || pl_get_u32(&p, end, &out->ssrc))
		return PL_ETRUNC;
	out->version = b0 >> 6;
	if (out->version != 2)
		return PL_EINVAL;
	out->padding = (b0 >> 5) & 1;
	out->extension = (b0 >> 4) & 1;
	out->csrc_count = b0 & 15;
	out->marker = b1 >> 7;
	out->pt = b1 & 0x7F;
	/* CC is at most 15, so this skip is at most 60 bytes; the cursor checks it against end. */
	if (pl_skip(&p, end, 4u * out->csrc_count))
		return PL_ETRUNC;
	out->ext_profile = 0;
	out->ext = NULL;
	out->ext_len = 0;
	if (out->extension) {
		/* §5.3.1: 16-bit profile, 16-bit length in 32-bit words, excluding this header. */
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
		/* §5.1: the last octet counts the padding octets, itself included; so it is ≥ 1 and
		 * cannot reach back into the header. */
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
