/* REMB: draft-alvestrand-rmcat-remb-03 §2.2. */
#include "media/rtcp_remb.h"

#include <string.h>

#include "media/bytes.h"
#include "media/error.h"
#include "media/rtcp.h"

static const uint8_t remb_id[4] = {'R', 'E', 'M', 'B'};

int pl_rtcp_remb_parse(const uint8_t *pkt, size_t len, struct pl_rtcp_remb *out)
{
	struct pl_rtcp_hdr h;
	const uint8_t *p;
	int rc = pl_rtcp_hdr_expect(pkt, len, PL_RTCP_PT_PSFB, PL_RTCP_PSFB_AFB, &h, &p);
	if (rc < 0)
		return rc;
	const uint8_t *end = p + h.payload_len;
	uint32_t media_ssrc, brw;
	if ((rc = pl_get_u32(&p, end, &out->sender_ssrc)) < 0 ||
	    (rc = pl_get_u32(&p, end, &media_ssrc)) < 0)
		return rc;
	if (end - p < 4)
		return PL_ETRUNC;
	if (memcmp(p, remb_id, 4) != 0)
		return PL_EUNSUPPORTED; /* some other application-layer feedback */
	p += 4;
	if ((rc = pl_get_u32(&p, end, &brw)) < 0)
		return rc;
	uint8_t num = (uint8_t)(brw >> 24);
	uint8_t exp = (uint8_t)((brw >> 18) & 0x3f);
	uint64_t mantissa = brw & 0x3ffff;
	if (exp > 46 && (mantissa >> (64 - exp)) != 0)
		return PL_EINVAL; /* does not fit in 64 bits: no real link is that fast */
	out->bitrate_bps = mantissa << exp;
	if (num > PL_RTCP_REMB_MAX_SSRCS)
		return PL_ELIMIT;
	if ((size_t)(end - p) < (size_t)num * 4)
		return PL_ETRUNC;
	out->n_ssrcs = num;
	for (unsigned i = 0; i < num; i++, p += 4)
		out->ssrcs[i] = pl_read_u32(p);
	return 0;
}

void pl_rtcp_remb_encode_bitrate(uint64_t bps, uint8_t *exp, uint32_t *mantissa)
{
	uint8_t e = 0;
	while ((bps >> e) > 0x3ffff)
		e++;
	*exp = e;
	*mantissa = (uint32_t)(bps >> e);
}

int pl_rtcp_remb_write(const struct pl_rtcp_remb *remb, uint8_t *out, size_t cap, size_t *out_len)
{
	if (remb->n_ssrcs > PL_RTCP_REMB_MAX_SSRCS)
		return PL_EINVAL;
	size_t n = 20 + 4 * (size_t)remb->n_ssrcs;
	if (cap < n)
		return PL_ESPACE;
	uint8_t exp;
	uint32_t mantissa;
	pl_rtcp_remb_encode_bitrate(remb->bitrate_bps, &exp, &mantissa);
	pl_rtcp_hdr_put(out, PL_RTCP_PSFB_AFB, PL_RTCP_PT_PSFB, n);
	pl_put_u32(out + 4, remb->sender_ssrc);
	pl_put_u32(out + 8, 0); /* media source SSRC: always 0 for REMB */
	memcpy(out + 12, remb_id, 4);
	pl_put_u32(out + 16, (uint32_t)remb->n_ssrcs << 24 | (uint32_t)exp << 18 | mantissa);
	for (unsigned i = 0; i < remb->n_ssrcs; i++)
		pl_put_u32(out + 20 + 4 * i, remb->ssrcs[i]);
	*out_len = n;
	return 0;
}
