/* RTCP BYE: RFC 3550 §6.6. */
#include "media/rtcp_bye.h"

#include <string.h>

#include "media/bytes.h"
#include "media/error.h"
#include "media/rtcp.h"

int pl_rtcp_bye_parse(const uint8_t *pkt, size_t len, struct pl_rtcp_bye *out)
{
	struct pl_rtcp_hdr h;
	const uint8_t *p;
	int rc = pl_rtcp_hdr_expect(pkt, len, PL_RTCP_PT_BYE, -1, &h, &p);
	if (rc < 0)
		return rc;
	const uint8_t *end = p + h.payload_len;
	out->n_ssrcs = h.count;
	for (unsigned i = 0; i < h.count; i++)
		if ((rc = pl_get_u32(&p, end, &out->ssrcs[i])) < 0)
			return rc;
	out->reason = NULL;
	out->reason_len = 0;
	/* Optional reason: length octet then text, only if bytes remain (§6.6). */
	uint8_t rlen;
	if (p < end) {
		if ((rc = pl_get_u8(&p, end, &rlen)) < 0)
			return rc;
		const uint8_t *text = p;
		if ((rc = pl_skip(&p, end, rlen)) < 0)
			return rc;
		out->reason = rlen ? text : NULL;
		out->reason_len = rlen;
	}
	return 0;
}

int pl_rtcp_bye_write(const struct pl_rtcp_bye *bye, uint8_t *out, size_t cap, size_t *out_len)
{
	if (bye->n_ssrcs > PL_RTCP_BYE_MAX_SSRCS || (bye->reason_len && !bye->reason))
		return PL_EINVAL;
	size_t n = 4 + (size_t)bye->n_ssrcs * 4;
	if (bye->reason_len)
		n += (1 + (size_t)bye->reason_len + 3) / 4 * 4;
	if (cap < n)
		return PL_ESPACE;
	memset(out, 0, n);
	pl_rtcp_hdr_put(out, bye->n_ssrcs, PL_RTCP_PT_BYE, n);
	for (unsigned i = 0; i < bye->n_ssrcs; i++)
		pl_put_u32(out + 4 + 4 * i, bye->ssrcs[i]);
	if (bye->reason_len) {
		uint8_t *r = out + 4 + 4 * (size_t)bye->n_ssrcs;
		r[0] = bye->reason_len;
		memcpy(r + 1, bye->reason, bye->reason_len);
	}
	*out_len = n;
	return 0;
}
