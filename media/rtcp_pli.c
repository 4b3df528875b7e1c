/* RTCP PLI: RFC 4585 §6.3.1. */
#include "media/rtcp_pli.h"

#include "media/bytes.h"
#include "media/error.h"
#include "media/rtcp.h"

int pl_rtcp_pli_parse(const uint8_t *pkt, size_t len, struct pl_rtcp_pli *out)
{
	struct pl_rtcp_hdr h;
	const uint8_t *p;
	int rc = pl_rtcp_hdr_expect(pkt, len, PL_RTCP_PT_PSFB, PL_RTCP_PSFB_PLI, &h, &p);
	if (rc < 0)
		return rc;
	/* §6.3.1: "PLI does not require parameters. Therefore, the length field MUST be 2"; we
	 * tolerate extra bytes but need both SSRCs. */
	const uint8_t *end = p + h.payload_len;
	if ((rc = pl_get_u32(&p, end, &out->sender_ssrc)) < 0 ||
	    (rc = pl_get_u32(&p, end, &out->media_ssrc)) < 0)
		return rc;
	return 0;
}

int pl_rtcp_pli_write(const struct pl_rtcp_pli *pli, uint8_t *out, size_t cap, size_t *out_len)
{
	if (cap < PL_RTCP_PLI_LEN)
		return PL_ESPACE;
	pl_rtcp_hdr_put(out, PL_RTCP_PSFB_PLI, PL_RTCP_PT_PSFB, PL_RTCP_PLI_LEN);
	pl_put_u32(out + 4, pli->sender_ssrc);
	pl_put_u32(out + 8, pli->media_ssrc);
	*out_len = PL_RTCP_PLI_LEN;
	return 0;
}
